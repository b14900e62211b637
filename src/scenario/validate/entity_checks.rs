//! Checks of a stream's `entities:` against its cameras: every camera named is one of
//! the stream's, weights positive, the sighting period a whole number of µs, `miss` a
//! probability, and a graph from whose entries entities can leave within `max_visits`.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::entities::{DEFAULT_MAX_VISITS, Entities, MAX_VISITS, Move, Sightings, Target};
use crate::scenario::diagnostics::{FieldPath, Problem, Problems, suggestion};
use crate::scenario::model::{CameraId, EntitiesFile, InterArrival, SightingsFile};

/// The cameras of a stream, by their text, for looking up the ones `entities` names.
struct Cameras<'c> {
    ids: &'c [CameraId],
    by_text: BTreeMap<String, u32>,
}

impl Cameras<'_> {
    /// The position of `id`, or a problem at `at` (with the closest camera as a hint).
    fn find(&self, id: &CameraId, at: &FieldPath, problems: &mut Problems) -> Option<u32> {
        let text = id.to_string();
        if let Some(&p) = self.by_text.get(&text) {
            return Some(p);
        }
        let names: Vec<&str> = self.by_text.keys().map(String::as_str).collect();
        let help = if names.len() <= 20 {
            suggestion(&text, &names)
        } else {
            format!(
                "the stream's cameras run from `{}` to `{}`",
                self.ids[0],
                self.ids[self.ids.len() - 1]
            )
        };
        problems.push(
            Problem::new(
                at,
                format!("camera `{text}` is not a camera of this stream"),
            )
            .help(help),
        );
        None
    }
}

/// A distribution's problems, reported under `at`.
fn distribution(d: &InterArrival, at: &FieldPath, problems: &mut Problems) {
    for (param, message) in d.problems() {
        problems.push(Problem::new(&at.key(param), message));
    }
}

/// A weight that must be positive and finite.
fn weight(w: f64, at: &FieldPath, problems: &mut Problems) {
    if !(w.is_finite() && w > 0.0) {
        problems.push(
            Problem::new(
                at,
                format!("a weight must be positive and finite; found {w}"),
            )
            .help("give a weight above 0, or leave the entry out"),
        );
    }
}

/// Checks `raw` against the stream's `cameras` (with their `attributes`, for zones);
/// `attributes` are the entities' attributes, already checked.
pub(super) fn entities(
    raw: EntitiesFile,
    cameras: Option<&[CameraId]>,
    camera_attributes: Option<&[Vec<(String, Json)>]>,
    attributes: Vec<(String, crate::scenario::payload::Gen)>,
    path: &FieldPath,
    problems: &mut Problems,
    warnings: &mut Problems,
) -> Option<Entities> {
    let before = problems.len();
    distribution(&raw.arrivals, &path.key("arrivals"), problems);
    distribution(&raw.dwell, &path.key("dwell"), problems);
    let (sightings, miss, max_visits) = parameters(&raw, path, problems);
    let Some(ids) = cameras else {
        problems.skip(&path.key("enter"), 1);
        return None;
    };
    let cams = Cameras {
        ids,
        by_text: ids
            .iter()
            .enumerate()
            .map(|(i, c)| (c.to_string(), i as u32))
            .collect(),
    };
    let n = ids.len();
    let enter = enter_cameras(&raw, &cams, &path.key("enter"), problems);
    let moves = moves_of(
        raw.moves.unwrap_or_default(),
        &cams,
        &path.key("moves"),
        problems,
    );
    let mut dwell_by_camera = vec![None; n];
    for (camera, d) in raw.dwell_by_camera.unwrap_or_default() {
        let at = path.key("dwell_by_camera").key(&camera.to_string());
        distribution(&d, &at, problems);
        if let Some(p) = cams.find(&camera, &at, problems) {
            dwell_by_camera[p as usize] = Some(d);
        }
    }
    if problems.len() > before {
        return None;
    }
    reachable(
        &enter,
        &moves,
        max_visits as u32,
        ids,
        path,
        problems,
        warnings,
    );
    let zones = camera_attributes.and_then(|attrs| {
        attrs
            .iter()
            .map(|a| {
                a.iter().find(|(k, _)| k == "zone").map(|(_, v)| match v {
                    Json::String(s) => s.clone(),
                    other => other.to_string(),
                })
            })
            .collect::<Option<Vec<String>>>()
    });
    (problems.len() == before).then_some(Entities {
        arrivals: raw.arrivals,
        enter,
        moves,
        dwell: raw.dwell,
        dwell_by_camera,
        sightings,
        miss,
        max_visits: max_visits as u32,
        attributes,
        zones,
    })
}

/// The moves out of each camera (one list per camera position).
fn moves_of(
    raw: Vec<(CameraId, Vec<crate::scenario::model::MoveFile>)>,
    cams: &Cameras<'_>,
    at_moves: &FieldPath,
    problems: &mut Problems,
) -> Vec<Vec<Move>> {
    let n = cams.ids.len();
    let mut moves: Vec<Vec<Move>> = vec![Vec::new(); n];
    for (from, list) in raw {
        let at = at_moves.key(&from.to_string());
        let Some(f) = cams.find(&from, &at, problems) else {
            continue;
        };
        if !moves[f as usize].is_empty() {
            problems.push(
                Problem::new(&at, format!("camera `{from}` has two `moves` entries"))
                    .help("merge them into one list"),
            );
        }
        for (i, m) in list.into_iter().enumerate() {
            let at = at.index(i);
            let w = m.weight.unwrap_or(1.0);
            weight(w, &at.key("weight"), problems);
            let to = match &m.to {
                CameraId::Text(t) if t == "exit" => Target::Exit,
                other => match cams.find(other, &at.key("to"), problems) {
                    Some(p) => Target::Camera(p),
                    None => continue,
                },
            };
            if to == Target::Exit && m.travel.is_some() {
                problems.push(
                    Problem::new(&at.key("travel"), "a move to `exit` has no travel time")
                        .help("remove `travel`: the entity leaves when its visit ends"),
                );
            }
            if let Some(t) = &m.travel {
                distribution(t, &at.key("travel"), problems);
            }
            if moves[f as usize].iter().any(|x| x.to == to) {
                problems.push(
                    Problem::new(
                        &at.key("to"),
                        format!("camera `{from}` has two moves to the same place"),
                    )
                    .help("merge them into one move with the sum of their weights"),
                );
            }
            moves[f as usize].push(Move {
                to,
                weight: w,
                travel: m.travel,
            });
        }
    }
    moves
}

/// The sighting period, `miss` and `max_visits`, checked.
fn parameters(
    raw: &EntitiesFile,
    path: &FieldPath,
    problems: &mut Problems,
) -> (Sightings, f64, u64) {
    let sightings = match raw.sightings {
        None => Sightings::Every(2_000_000_000),
        Some(SightingsFile::Once) => Sightings::Once,
        Some(SightingsFile::Every(d)) => {
            let ns = d.0.0;
            if ns == 0 || ns % 1_000 != 0 {
                problems.push(
                    Problem::new(
                        &path.key("sightings").key("every"),
                        format!("the sighting period must be a whole number of microseconds, at least 1us; found {ns} ns"),
                    )
                    .help("write e.g. `every: 2s`, or `sightings: once` for one sighting per visit"),
                );
            }
            Sightings::Every(ns)
        }
    };
    let miss = raw.miss.unwrap_or(0.0);
    if !(miss.is_finite() && (0.0..1.0).contains(&miss)) {
        problems.push(
            Problem::new(
                &path.key("miss"),
                format!("`miss` is a probability per sighting, from 0 to below 1; found {miss}"),
            )
            .help("write e.g. `miss: 0.1` for one sighting in ten not reported"),
        );
    }
    let max_visits = raw.max_visits.unwrap_or(u64::from(DEFAULT_MAX_VISITS));
    if !(1..=u64::from(MAX_VISITS)).contains(&max_visits) {
        problems.push(
            Problem::new(
                &path.key("max_visits"),
                format!("`max_visits` must be from 1 to {MAX_VISITS}; found {max_visits}"),
            )
            .help("it bounds one entity's path; the default is 50"),
        );
    }
    (sightings, miss, max_visits)
}

/// The entry cameras and their weights.
fn enter_cameras(
    raw: &EntitiesFile,
    cams: &Cameras<'_>,
    at: &FieldPath,
    problems: &mut Problems,
) -> Vec<(u32, f64)> {
    if raw.enter.is_empty() {
        problems.push(
            Problem::new(at, "no entry camera").help("name at least one, e.g. `enter: [1000]`"),
        );
    }
    let mut enter: Vec<(u32, f64)> = Vec::new();
    for (i, (camera, w)) in raw.enter.iter().enumerate() {
        let here = match w {
            Some(_) => at.key(&camera.to_string()),
            None => at.index(i),
        };
        let w = w.unwrap_or(1.0);
        weight(w, &here, problems);
        if let Some(p) = cams.find(camera, &here, problems) {
            if enter.iter().any(|e| e.0 == p) {
                problems.push(Problem::new(
                    &here,
                    format!("camera `{camera}` is an entry twice"),
                ));
            }
            enter.push((p, w));
        }
    }
    enter
}

/// Whether entities can leave: from each camera, the fewest visits (itself included) to
/// a camera whose moves include `exit` or that has none. An error when no entry camera
/// can leave within `max_visits`, a warning when some entry or reachable camera cannot.
fn reachable(
    enter: &[(u32, f64)],
    moves: &[Vec<Move>],
    max_visits: u32,
    ids: &[CameraId],
    path: &FieldPath,
    problems: &mut Problems,
    warnings: &mut Problems,
) {
    let n = moves.len();
    let mut visits = vec![u32::MAX; n];
    for (c, m) in moves.iter().enumerate() {
        if m.is_empty() || m.iter().any(|m| m.to == Target::Exit) {
            visits[c] = 1;
        }
    }
    // Bellman–Ford on unit edges: at most n rounds.
    for _ in 0..n {
        let mut changed = false;
        for (c, m) in moves.iter().enumerate() {
            for mv in m {
                if let Target::Camera(to) = mv.to {
                    let via = visits[to as usize].saturating_add(1);
                    if via < visits[c] {
                        visits[c] = via;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    let leaves = |c: u32| visits[c as usize] <= max_visits;
    if !enter.iter().any(|&(c, _)| leaves(c)) {
        problems.push(
            Problem::new(&path.key("moves"), format!("no entity can leave: no path from an entry camera reaches `exit` or a camera without moves within max_visits ({max_visits}) visits"))
                .help("add a move `{to: exit, weight: 1}` to a camera the entities reach, or raise `max_visits`"),
        );
        return;
    }
    // The cameras entities can reach from the entries.
    let mut seen = vec![false; n];
    let mut stack: Vec<u32> = enter.iter().map(|e| e.0).collect();
    while let Some(c) = stack.pop() {
        if std::mem::replace(&mut seen[c as usize], true) {
            continue;
        }
        stack.extend(moves[c as usize].iter().filter_map(|m| match m.to {
            Target::Camera(t) => Some(t),
            Target::Exit => None,
        }));
    }
    let stuck: Vec<String> = (0..n as u32)
        .filter(|&c| seen[c as usize] && !leaves(c))
        .map(|c| format!("`{}`", ids[c as usize]))
        .collect();
    if !stuck.is_empty() {
        warnings.push(
            Problem::new(&path.key("moves"), format!("entities that reach camera {} cannot leave within max_visits ({max_visits}) visits: they walk until the bound ends their path", stuck.join(", ")))
                .help("add a move to `exit` on their way, or raise `max_visits`"),
        );
    }
}
