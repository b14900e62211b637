//! The ground truth of a run: every fault injected, and what a correct consumer computes
//! from the clean events (per topic, camera and tumbling event-time window, the count of
//! events). Written with `--truth FILE` beside a dry run or a Kafka run, and by
//! `simulate truth SCENARIO`; its JSON Schema is `schemas/truth.schema.json`.
//!
//! It is computed from the plan alone (the messages a run sends, in send order), so it
//! is byte-identical for a fixed start whatever the sink, and costs a second pass over
//! the plan, which is fast.

mod camera;
mod entities;

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use crate::plan::{Mark, Outgoing, Plan, Tally};
use crate::render::Renderer;
use crate::scenario::Scenario;

pub use camera::CameraJson;
pub(crate) use entities::transitions;
pub use entities::{Edge, EntitiesTruth, EntityTruth, EntityWindow, Occupancy, VisitTruth};
#[cfg(feature = "plot")]
pub(crate) use entities::{InView, zone_occupancy};

/// The ground truth of a scenario's run from one start.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[schemars(title = "simulate ground truth", deny_unknown_fields)]
pub struct Truth {
    /// The scenario's name.
    pub scenario: String,
    /// The seed of the run.
    pub seed: u64,
    /// The instant of offset 0 (RFC 3339, UTC).
    pub start: String,
    /// The end of the run (RFC 3339, UTC): no message is sent after it.
    pub end: String,
    /// The length of the tumbling event-time windows of `windows`, in milliseconds;
    /// windows are aligned to the Unix epoch.
    pub window_ms: u64,
    /// Which instant the Kafka message timestamps carry: `send` or `event`.
    pub kafka_timestamp: String,
    /// How many events and messages of each kind.
    pub totals: Tally,
    /// Every fault injected, and every event an outage held back, in order of event
    /// time (then stream and camera).
    pub faults: Vec<Fault>,
    /// Per topic, camera and window (in that order), the count of clean events: late and
    /// held ones included, duplicates counted once, dropped and malformed ones excluded.
    /// Windows without events are left out.
    pub windows: Vec<CountWindow>,
    /// For a scenario with entity streams: every entity's path and what a pipeline
    /// computes from the sightings (per camera and window, per zone, per edge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<EntitiesTruth>,
}

/// One fault, or one event held back by an outage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Fault {
    /// `late`, `duplicate`, `drop`, `malformed` or `held`.
    pub kind: String,
    /// The event's id (what the `event_id` generator renders for it, whether or not the
    /// payload carries one).
    pub event_id: String,
    /// The stream's name.
    pub stream: String,
    /// The topic.
    pub topic: String,
    /// The camera's id, as written in the scenario.
    pub camera_id: CameraJson,
    /// The event's instant, in milliseconds since the epoch.
    pub event_ms: i64,
    /// When each copy was sent, in milliseconds since the epoch: one instant, two for a
    /// duplicate, none for a dropped event.
    pub send_ms: Vec<i64>,
    /// How a malformed value is broken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub malformation: Option<String>,
    /// The field a malformation touched: the top-level field of `missing_field` and
    /// `wrong_type`; for `out_of_range`, the path of the number outside its range
    /// (`people`, `bbox.w`, `tags[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

// A tumbling event-time window of the truth; `Window` in the schema, as it always was.
/// One window's count of clean events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(rename = "Window", deny_unknown_fields)]
pub struct CountWindow {
    /// The topic.
    pub topic: String,
    /// The camera's id.
    pub camera_id: CameraJson,
    /// The window's first millisecond since the epoch.
    pub window_start_ms: i64,
    /// Clean events whose event time falls in the window.
    pub count: u64,
}

/// The ground truth of `scenario` from `start`, with windows of `window_ms` (positive).
pub fn compute(scenario: &Scenario, start: DateTime<Utc>, window_ms: u64) -> Truth {
    let mut renderer = Renderer::new(scenario, start);
    let mut tally = Tally::default();
    // Keyed by (event time, stream, camera): unique per event, the documented order.
    let mut faults: BTreeMap<(u64, u32, u32), Fault> = BTreeMap::new();
    let mut windows: BTreeMap<(&str, CameraJson, i64), u64> = BTreeMap::new();
    let width = window_ms.max(1) as i64;
    let mut reported = entities::Reported::default();
    for message in Plan::new(scenario) {
        let Outgoing {
            event,
            send_ns,
            mark,
        } = message;
        tally.count(mark);
        let event_ms = renderer.timestamp_ms(&event);
        reported.observe(scenario, &message, event_ms, width);
        let topic = renderer.topic(&event);
        if mark.is_counted() {
            let camera = CameraJson::from(renderer.camera(&event));
            let window = event_ms.div_euclid(width) * width;
            *windows.entry((topic, camera, window)).or_default() += 1;
        }
        let Some(kind) = mark.name() else {
            continue;
        };
        let send_ms = renderer.instant_ms(send_ns);
        let (sends, malformation, field) = match mark {
            Mark::Held | Mark::Late => (vec![send_ms], None, None),
            Mark::Duplicate { first_send_ns } => {
                let first = renderer.instant_ms(first_send_ns);
                (vec![first, send_ms], None, None)
            }
            Mark::Dropped => (Vec::new(), None, None),
            Mark::Clean | Mark::FirstCopy => continue,
            Mark::Malformed { kind, pick } => {
                let field = renderer.malformed(&mut Vec::new(), &event, kind, pick);
                (vec![send_ms], Some(kind.name().to_string()), field)
            }
        };
        let id = renderer.event_id(&event);
        faults.insert(
            (event.offset_ns, event.stream, event.camera),
            Fault {
                kind: kind.to_string(),
                event_id: String::from_utf8_lossy(&id).into_owned(),
                stream: scenario.streams[event.stream as usize].name.clone(),
                topic: topic.to_string(),
                camera_id: CameraJson::from(renderer.camera(&event)),
                event_ms,
                send_ms: sends,
                malformation,
                field,
            },
        );
    }
    let entities = entities::compute(scenario, start, width, &mut renderer, reported);
    let end =
        start + chrono::Duration::nanoseconds(scenario.duration.0.min(i64::MAX as u64) as i64);
    Truth {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        start: start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        end: end.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        window_ms,
        kafka_timestamp: scenario.kafka.timestamp.name().to_string(),
        totals: tally,
        faults: faults.into_values().collect(),
        windows: windows
            .into_iter()
            .map(|((topic, camera_id, window_start_ms), count)| CountWindow {
                topic: topic.to_string(),
                camera_id,
                window_start_ms,
                count,
            })
            .collect(),
        entities,
    }
}

/// The truth as pretty JSON, with a final newline.
pub fn to_json(truth: &Truth) -> String {
    let mut text = serde_json::to_string_pretty(truth).unwrap_or_default();
    text.push('\n');
    text
}
