//! The `entities` section of the ground truth: every entity's path (its visits, with
//! what each camera reported), and what a correct analytics pipeline computes from the
//! sightings: per camera and window the entities seen and present, per zone the
//! occupancy at each window's end, per edge of the graph the transitions taken.
//!
//! The paths are walked again from the arrivals (`plan::entity::record`), exactly as the
//! plan walks them; what was reported is counted from the plan itself as it goes by.
//! Every entity instant is a whole microsecond, so the offsets in µs are exact and every
//! count here can be recomputed from them:
//! - `present`: the entities with a visit to the camera that overlaps the window
//!   (`enter < window end` and `leave > window start`);
//! - `seen`: the entities with a sighting in the window that a correct consumer counts
//!   (clean, late or held, a duplicate once; not dropped or malformed);
//! - `occupancy`: the entities in view of a camera of the zone at the window's end
//!   instant `E` (`enter ≤ E < leave`), for every window of the run.
//!
//! Two rules are here once for whoever reads the paths (`stats`, `plot`): the moves a
//! path takes ([`transitions`]) and how many entities are in view of a zone at an
//! instant ([`ZoneOccupancy`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::camera::CameraJson;
use crate::plan::entity::ids::{entity_of, pack, track_id, visit_of};
use crate::plan::entity::record::{EntityRecord, entities_of};
use crate::plan::entity::{Ending, Visit};
use crate::plan::{Event, Mark, Outgoing};
use crate::render::Renderer;
use crate::scenario::Scenario;

/// The entities of a run's entity streams and what a pipeline computes from them.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(rename = "Entities", deny_unknown_fields)]
pub struct EntitiesTruth {
    /// Every entity that entered before the run's end, by stream then order of entering.
    pub entities: Vec<EntityTruth>,
    /// Per stream, camera and window (in that order), the entities seen and present;
    /// windows where none was present are left out.
    pub windows: Vec<EntityWindow>,
    /// Per stream, zone (the cameras' `zone` attribute) and window, the occupancy at the
    /// window's end; every window of the run is listed.
    pub occupancy: Vec<Occupancy>,
    /// Per stream and edge of `moves` (`to` a camera id or `"exit"`), the transitions
    /// taken; edges never taken are left out.
    pub edges: Vec<Edge>,
}

/// One entity's path.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EntityTruth {
    /// The stream's name.
    pub stream: String,
    /// The entity's id, as the `entity_id` generator writes it.
    pub entity_id: String,
    /// Its attributes, as the `entity` generator writes them.
    pub attributes: serde_json::Value,
    /// When it came into view of its entry camera (RFC 3339, ms).
    pub entered_at: String,
    /// The same, in µs after the start.
    pub entered_at_us: u64,
    /// When it left the site (the end of its last visit), or `null` when still inside at
    /// the end.
    pub left_at: Option<String>,
    /// The same, in µs after the start.
    pub left_at_us: Option<u64>,
    /// How it left: `exit` (a move to `exit`), `dead_end` (a camera without moves),
    /// `max_visits`; `null` when still inside.
    pub left_by: Option<String>,
    /// Its visits, in order.
    pub visits: Vec<VisitTruth>,
}

/// One visit: an entity in one camera's view.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct VisitTruth {
    /// The camera's id.
    pub camera: CameraJson,
    /// The visit's track id, as the `track_id` generator writes it.
    pub track_id: u64,
    /// When the entity came into view (RFC 3339, ms).
    pub enter: String,
    /// The same, in µs after the start.
    pub enter_us: u64,
    /// When it left the view, cut at the run's end (RFC 3339, ms).
    pub leave: String,
    /// The same, in µs after the start.
    pub leave_us: u64,
    /// The sightings the camera reported (faults apply after: a dropped one counts).
    pub sightings: u64,
    /// The sightings due in view that were not reported (missed, or the camera out).
    pub missed: u64,
}

/// One camera's window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(rename = "EntityWindow", deny_unknown_fields)]
pub struct EntityWindow {
    /// The stream's name.
    pub stream: String,
    /// The camera's id.
    pub camera_id: CameraJson,
    /// The window's first millisecond since the epoch.
    pub window_start_ms: i64,
    /// Distinct entities with a counted sighting in the window.
    pub seen: u64,
    /// Distinct entities in view at some instant of the window, reported or not.
    pub present: u64,
}

/// One zone's occupancy at a window's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Occupancy {
    /// The stream's name.
    pub stream: String,
    /// The zone.
    pub zone: String,
    /// The window's first millisecond since the epoch.
    pub window_start_ms: i64,
    /// Entities in view of a camera of the zone at the window's end.
    pub occupancy: u64,
}

/// One edge's transitions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Edge {
    /// The stream's name.
    pub stream: String,
    /// The camera moved from.
    pub from: CameraJson,
    /// The camera moved to, or `"exit"`.
    pub to: CameraJson,
    /// How many times it was taken.
    pub transitions: u64,
}

/// What the plan says of the entities as it goes by.
#[derive(Debug, Default)]
pub(super) struct Reported {
    /// Per (stream, entity, visit): the sightings reported.
    sightings: BTreeMap<(u32, u64, u32), u64>,
    /// Per (stream, camera, window start ms): the entities seen.
    seen: BTreeMap<(u32, u32, i64), BTreeSet<u64>>,
}

impl Reported {
    /// Counts a message of the plan, if it is a sighting.
    /// `event_ms` is its event's instant in ms since the epoch.
    pub(super) fn observe(
        &mut self,
        scenario: &Scenario,
        message: &Outgoing,
        event_ms: i64,
        window_ms: i64,
    ) {
        let event = message.event;
        if entities_of(scenario, event.stream as usize).is_none() {
            return;
        }
        let (entity, visit) = (entity_of(event.seq), visit_of(event.seq));
        if !matches!(message.mark, Mark::Duplicate { .. }) {
            *self
                .sightings
                .entry((event.stream, entity, visit))
                .or_default() += 1;
        }
        if message.mark.is_counted() {
            let window = event_ms.div_euclid(window_ms) * window_ms;
            self.seen
                .entry((event.stream, event.camera, window))
                .or_default()
                .insert(entity);
        }
    }
}

/// The start of the run, in ns since the epoch, kept where the truth is computed.
fn start_ns(start: DateTime<Utc>) -> i128 {
    i128::from(start.timestamp()) * 1_000_000_000 + i128::from(start.timestamp_subsec_nanos())
}

/// The entities section, or `None` when the scenario has no entity stream.
pub(super) fn compute(
    scenario: &Scenario,
    start: DateTime<Utc>,
    window_ms: i64,
    renderer: &mut Renderer<'_>,
    reported: Reported,
) -> Option<EntitiesTruth> {
    let streams: Vec<usize> = (0..scenario.streams.len())
        .filter(|&s| entities_of(scenario, s).is_some())
        .collect();
    if streams.is_empty() {
        return None;
    }
    let mut out = Builder {
        scenario,
        start,
        start_ns: start_ns(start),
        width_ns: i128::from(window_ms) * 1_000_000,
        truth: EntitiesTruth {
            entities: Vec::new(),
            windows: Vec::new(),
            occupancy: Vec::new(),
            edges: Vec::new(),
        },
        present: BTreeMap::new(),
        edges: BTreeMap::new(),
        zones: Vec::new(),
    };
    for s in streams {
        out.stream(s, renderer, &reported);
    }
    Some(out.finish(reported))
}

/// The section as it is built, stream by stream.
struct Builder<'s> {
    scenario: &'s Scenario,
    start: DateTime<Utc>,
    start_ns: i128,
    width_ns: i128,
    truth: EntitiesTruth,
    /// Per (stream, camera, window index): the entities present.
    present: BTreeMap<(u32, u32, i64), BTreeSet<u64>>,
    /// Per (stream, from, to; `None`: exit): transitions.
    edges: BTreeMap<(u32, u32, Option<u32>), u64>,
    /// Per stream with zones, in stream order: each zone's occupancy over the run.
    zones: Vec<(u32, Vec<InView>)>,
}

impl Builder<'_> {
    fn text(&self, offset_ns: u64) -> String {
        let at = self.start + chrono::Duration::nanoseconds(offset_ns.min(i64::MAX as u64) as i64);
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    fn window_of(&self, offset_ns: u64) -> i64 {
        (self.start_ns + i128::from(offset_ns)).div_euclid(self.width_ns) as i64
    }

    fn stream(&mut self, s: usize, renderer: &mut Renderer<'_>, reported: &Reported) {
        let scenario = self.scenario;
        let stream = &scenario.streams[s];
        let Some(records) = crate::plan::process::entity_records(scenario, s) else {
            return;
        };
        let mut zones = entities_of(scenario, s)
            .and_then(|e| e.zones.as_deref())
            .map(ZoneOccupancy::new);
        let process = records.stream_identity();
        let camera = |c: u32| CameraJson::from(&stream.cameras[c as usize]);
        for record in records {
            let n = record.entity;
            let at = Event {
                offset_ns: 0,
                stream: s as u32,
                camera: 0,
                seq: pack(n, 0, 0),
                process,
            };
            let mut attributes = Vec::new();
            renderer.write_attributes(&mut attributes, &at);
            let mut visits = Vec::new();
            for v in &record.visits {
                let visit = v.visit;
                let told = reported
                    .sightings
                    .get(&(s as u32, n, visit.number))
                    .copied()
                    .unwrap_or(0);
                if visit.leave > visit.enter {
                    let (first, last) =
                        (self.window_of(visit.enter), self.window_of(visit.leave - 1));
                    for w in first..=last {
                        self.present
                            .entry((s as u32, visit.camera, w))
                            .or_default()
                            .insert(n);
                    }
                }
                if let Some(zones) = &mut zones {
                    zones.add(&visit);
                }
                visits.push(VisitTruth {
                    camera: camera(visit.camera),
                    track_id: track_id(process, n, visit.number),
                    enter: self.text(visit.enter),
                    enter_us: visit.enter / 1_000,
                    leave: self.text(visit.leave),
                    leave_us: visit.leave / 1_000,
                    sightings: told,
                    missed: v.sightings.saturating_sub(told),
                });
            }
            for (from, to) in transitions(&record) {
                *self.edges.entry((s as u32, from, to)).or_default() += 1;
            }
            let entered = record.visits.first().map_or(0, |v| v.visit.enter);
            let left = record.left_at();
            self.truth.entities.push(EntityTruth {
                stream: stream.name.clone(),
                entity_id: format!("{}-{n}", stream.name),
                attributes: serde_json::from_slice(&attributes).unwrap_or_default(),
                entered_at: self.text(entered),
                entered_at_us: entered / 1_000,
                left_at: left.map(|t| self.text(t)),
                left_at_us: left.map(|t| t / 1_000),
                left_by: match record.ending {
                    Ending::Exit => Some("exit".into()),
                    Ending::DeadEnd => Some("dead_end".into()),
                    Ending::MaxVisits => Some("max_visits".into()),
                    Ending::Inside => None,
                },
                visits,
            });
        }
        if let Some(zones) = zones {
            self.zones.push((s as u32, zones.finish()));
        }
    }

    fn finish(mut self, reported: Reported) -> EntitiesTruth {
        let scenario = self.scenario;
        let width_ms = (self.width_ns / 1_000_000) as i64;
        let name = |s: u32| scenario.streams[s as usize].name.clone();
        let camera =
            |s: u32, c: u32| CameraJson::from(&scenario.streams[s as usize].cameras[c as usize]);
        for ((s, c, w), present) in &self.present {
            let seen = reported
                .seen
                .get(&(*s, *c, w * width_ms))
                .map_or(0, |set| set.len() as u64);
            self.truth.windows.push(EntityWindow {
                stream: name(*s),
                camera_id: camera(*s, *c),
                window_start_ms: w * width_ms,
                seen,
                present: present.len() as u64,
            });
        }
        let (first, last) = (
            self.window_of(0),
            self.window_of(scenario.duration.0.saturating_sub(1)),
        );
        for (s, zones) in &self.zones {
            for zone in zones {
                for w in first..=last {
                    // The window's end, after the start: the first window holds the start.
                    let end = i128::from(w + 1) * self.width_ns - self.start_ns;
                    self.truth.occupancy.push(Occupancy {
                        stream: name(*s),
                        zone: zone.zone.clone(),
                        window_start_ms: w * width_ms,
                        occupancy: zone.at(end as u64),
                    });
                }
            }
        }
        for (&(s, from, to), &transitions) in &self.edges {
            self.truth.edges.push(Edge {
                stream: name(s),
                from: camera(s, from),
                to: to.map_or(CameraJson::Text("exit".into()), |t| camera(s, t)),
                transitions,
            });
        }
        self.truth
    }
}

/// The moves `record`'s path takes, in order, as (from, to) camera positions, `to`
/// `None` for `exit`: one between each two consecutive visits, and the move out when it
/// left by `exit` (not when it left at a dead end or after `max_visits`).
pub(crate) fn transitions(record: &EntityRecord) -> impl Iterator<Item = (u32, Option<u32>)> + '_ {
    let between = record
        .visits
        .windows(2)
        .map(|pair| (pair[0].visit.camera, Some(pair[1].visit.camera)));
    let out = match record.ending {
        Ending::Exit => record.visits.last().map(|v| (v.visit.camera, None)),
        Ending::DeadEnd | Ending::MaxVisits | Ending::Inside => None,
    };
    between.chain(out)
}

/// How many entities are in view of each zone's cameras, built visit by visit: per zone,
/// the instants its visits begin and end.
#[derive(Debug, Clone)]
pub(crate) struct ZoneOccupancy {
    /// Per camera position, its zone's index in `zones`.
    zone_of: Vec<usize>,
    /// The zones by name, each with its visits' enter and leave instants.
    zones: Vec<(String, Vec<u64>, Vec<u64>)>,
}

impl ZoneOccupancy {
    /// No visit yet, for cameras in the zones `zones` (per camera position).
    pub(crate) fn new(zones: &[String]) -> ZoneOccupancy {
        let names: BTreeSet<&String> = zones.iter().collect();
        let names: Vec<&String> = names.into_iter().collect();
        ZoneOccupancy {
            zone_of: zones
                .iter()
                .map(|z| names.binary_search(&z).unwrap_or_default())
                .collect(),
            zones: names
                .into_iter()
                .map(|z| (z.clone(), Vec::new(), Vec::new()))
                .collect(),
        }
    }

    /// Counts `visit` (its `leave` cut at the run's end) in its camera's zone.
    pub(crate) fn add(&mut self, visit: &Visit) {
        let Some(&z) = self.zone_of.get(visit.camera as usize) else {
            return;
        };
        let (_, enters, leaves) = &mut self.zones[z];
        enters.push(visit.enter);
        leaves.push(visit.leave);
    }

    /// The zones by name, each ready to say its occupancy at any instant; zones that no
    /// entity entered are left out.
    pub(crate) fn finish(self) -> Vec<InView> {
        self.zones
            .into_iter()
            .filter(|(_, enters, _)| !enters.is_empty())
            .map(|(zone, mut enters, mut leaves)| {
                enters.sort_unstable();
                leaves.sort_unstable();
                InView {
                    zone,
                    enters,
                    leaves,
                }
            })
            .collect()
    }
}

/// One zone's occupancy over the run.
#[derive(Debug, Clone)]
pub(crate) struct InView {
    /// The zone, as the cameras' `zone` attribute writes it.
    pub(crate) zone: String,
    /// Its visits' enter and leave instants (ns after the start), each sorted.
    enters: Vec<u64>,
    leaves: Vec<u64>,
}

impl InView {
    /// The entities in view of a camera of the zone at `t` ns after the start: the
    /// visits with `enter ≤ t < leave`.
    pub(crate) fn at(&self, t: u64) -> u64 {
        let entered = self.enters.partition_point(|&e| e <= t);
        let left = self.leaves.partition_point(|&l| l <= t);
        entered.saturating_sub(left) as u64
    }
}

/// Each zone's occupancy over the run of the entity stream at `stream`, by zone name
/// (zones no entity entered left out), or `None` when it is not an entity stream or its
/// cameras have no zones.
pub(crate) fn zone_occupancy(scenario: &Scenario, stream: usize) -> Option<Vec<InView>> {
    let zones = entities_of(scenario, stream)?.zones.as_deref()?;
    let mut occupancy = ZoneOccupancy::new(zones);
    for record in crate::plan::process::entity_records(scenario, stream)? {
        for v in &record.visits {
            occupancy.add(&v.visit);
        }
    }
    Some(occupancy.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::entity::testing::mall;

    #[test]
    fn a_zones_occupancy_is_the_visits_in_view_of_its_cameras_at_the_instant() {
        let scenario = mall("1h", 0.1);
        let records: Vec<EntityRecord> = crate::plan::process::entity_records(&scenario, 0)
            .unwrap()
            .collect();
        let cameras = ["entrance", "atrium", "food-court", "exit-hall"];
        let mut occupancy = ZoneOccupancy::new(&cameras.map(String::from));
        for v in records.iter().flat_map(|r| &r.visits) {
            occupancy.add(&v.visit);
        }
        let zones = occupancy.finish();
        let names: Vec<&str> = zones.iter().map(|z| z.zone.as_str()).collect();
        assert_eq!(names, ["atrium", "entrance", "exit-hall", "food-court"]);
        let mut busy = 0;
        for t in (0..=3_600u64).map(|s| s * 1_000_000_000 + 7_000) {
            for zone in &zones {
                let want = records
                    .iter()
                    .flat_map(|r| &r.visits)
                    .filter(|v| cameras[v.visit.camera as usize] == zone.zone)
                    .filter(|v| v.visit.enter <= t && t < v.visit.leave)
                    .count() as u64;
                assert_eq!(zone.at(t), want, "{} at {t}", zone.zone);
                busy += u64::from(want > 0);
            }
        }
        assert!(busy > 1_000, "{busy} busy instants");
    }
}
