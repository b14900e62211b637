//! A stream's cameras: written as a list (ids, or ids with attributes) or generated
//! (a count, a first number, an optional prefix and width), without repeats; and the
//! cameras an incident or outage names, found among them.

use std::collections::{HashMap, HashSet};

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::limits;
use crate::scenario::model::{CameraEntry, CameraId, Cameras, GeneratedCameras};

/// A camera's attributes, in the order written.
pub(super) type Attributes = Vec<(String, serde_json::Value)>;

/// The stream's camera ids, and their attributes (in camera order) when any camera was
/// written with some.
pub(super) fn cameras(
    raw: Option<Cameras>,
    path: &FieldPath,
    problems: &mut Problems,
) -> (Option<Vec<CameraId>>, Option<Vec<Attributes>>) {
    match list(raw, path, problems) {
        Some((ids, attributes)) => (Some(ids), attributes),
        None => (None, None),
    }
}

/// [`cameras`], given (the walk requires `cameras` of a stream without `replay`, and a
/// replay stream does not get here).
fn list(
    raw: Option<Cameras>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<(Vec<CameraId>, Option<Vec<Attributes>>)> {
    let entries = match raw? {
        // Generated ids are distinct by construction.
        Cameras::Generated(g) => return generate(&g, path, problems).map(|ids| (ids, None)),
        Cameras::List(entries) => entries,
    };
    let described = entries
        .iter()
        .any(|e| matches!(e, CameraEntry::Described(_)));
    let mut attributes = Vec::new();
    let mut ids = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry {
            CameraEntry::Id(id) => {
                ids.push(id);
                if described {
                    attributes.push(Vec::new());
                }
            }
            CameraEntry::Described(camera) => {
                ids.push(camera.id);
                attributes.push(camera.attributes);
            }
        }
    }
    let attributes = described.then_some(attributes);
    if ids.is_empty() {
        problems.push(
            Problem::new(path, "the camera list is empty").help("list at least one camera id"),
        );
        return None;
    }
    // Ids are the same camera when their text (the Kafka key) is: 1001 and "1001".
    let mut seen: HashMap<KeyText<'_>, usize> = HashMap::with_capacity(ids.len());
    let mut ok = true;
    for (i, id) in ids.iter().enumerate() {
        if let Some(first) = seen.insert(KeyText::of(id), i) {
            ok = false;
            if !problems.has_room() {
                problems.count();
                continue;
            }
            problems.push(Problem::new(
                &path.index(i),
                format!("camera id `{id}` appears twice (also at index {first})"),
            ));
        }
    }
    drop(seen);
    ok.then_some((ids, attributes))
}

/// A camera id compared by its text without allocating: text that is an integer's
/// canonical form compares equal to that integer.
#[derive(PartialEq, Eq, Hash)]
enum KeyText<'a> {
    Int(i64),
    Text(&'a str),
}

impl<'a> KeyText<'a> {
    fn of(id: &'a CameraId) -> Self {
        match id {
            CameraId::Int(n) => KeyText::Int(*n),
            CameraId::Text(s) => match s.parse::<i64>() {
                Ok(n) if n.to_string() == *s => KeyText::Int(n),
                _ => KeyText::Text(s),
            },
        }
    }
}

fn generate(
    g: &GeneratedCameras,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Vec<CameraId>> {
    let before = problems.len();
    if g.count == 0 {
        problems.push(Problem::new(&path.key("count"), "count must be at least 1"));
    }
    if g.count > limits::MAX_CAMERAS {
        problems.push(Problem::new(
            &path.key("count"),
            format!("{} cameras; the limit is {}", g.count, limits::MAX_CAMERAS),
        ));
    }
    let first = g.first.unwrap_or(0);
    if g.count > 0
        && first
            .checked_add((g.count - 1).min(i64::MAX as u64) as i64)
            .is_none()
    {
        problems.push(Problem::new(
            &path.key("first"),
            "first + count goes past the largest 64-bit integer",
        ));
    }
    if g.width.is_some() && g.prefix.is_none() {
        problems.push(
            Problem::new(
                &path.key("width"),
                "`width` needs `prefix`: integer ids are not padded",
            )
            .help("add `prefix: \"\"` for zero-padded string ids"),
        );
    }
    if g.width.is_some_and(|w| w > 20) {
        problems.push(Problem::new(
            &path.key("width"),
            "width is at most 20 digits",
        ));
    }
    if problems.len() > before {
        return None;
    }
    let width = g.width.unwrap_or(0) as usize;
    Some(
        (0..g.count as i64)
            .map(|i| {
                let n = first + i;
                match &g.prefix {
                    Some(prefix) => CameraId::Text(format!("{prefix}{n:0width$}")),
                    None => CameraId::Int(n),
                }
            })
            .collect(),
    )
}

/// The positions of `ids` among the stream's `cameras`, each of which must be there, once.
pub(super) fn listed(
    ids: &[CameraId],
    cameras: &[CameraId],
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Vec<u32>> {
    if ids.is_empty() {
        problems.push(
            Problem::new(path, "the camera list is empty")
                .help("list at least one camera, or leave `cameras` out for all of them"),
        );
        return None;
    }
    let position: HashMap<KeyText<'_>, u32> = cameras
        .iter()
        .enumerate()
        .map(|(i, c)| (KeyText::of(c), i as u32))
        .collect();
    let before = problems.len();
    let mut found = Vec::with_capacity(ids.len());
    let mut seen = HashSet::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        match position.get(&KeyText::of(id)) {
            Some(&p) if !seen.insert(p) => problems.push(Problem::new(
                &path.index(i),
                format!("camera id `{id}` appears twice"),
            )),
            Some(&p) => found.push(p),
            None => problems.push(
                Problem::new(
                    &path.index(i),
                    format!("camera `{id}` is not in this stream"),
                )
                .help(format!(
                    "the stream's cameras run from `{}` to `{}`",
                    cameras[0],
                    cameras[cameras.len() - 1]
                )),
            ),
        }
    }
    found.sort_unstable();
    (problems.len() == before).then_some(found)
}
