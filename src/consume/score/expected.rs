//! What a correct pipeline outputs, from the ground truth: per window and group, the
//! value of the measure. A group is a camera (its id as text), a camera attribute's value
//! (the truth summed over the cameras that have it), a zone (occupancy), or nothing (one
//! value per window over every camera, or every zone).

use std::collections::BTreeMap;

use crate::scenario::Scenario;
use crate::scenario::model::CameraId;
use crate::truth::{CameraJson, Truth};

/// What the pipeline's count is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measure {
    /// Clean events per window (the truth's `windows`).
    Count,
    /// Distinct entities seen per window and camera (`entities.windows[].seen`).
    Entities,
    /// Entities in view per zone at the window's end (`entities.occupancy`).
    Occupancy,
}

impl Measure {
    /// How the summary says it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Measure::Count => "clean events",
            Measure::Entities => "distinct entities seen",
            Measure::Occupancy => "entities in view at the window's end",
        }
    }

    /// How the report names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Measure::Count => "count",
            Measure::Entities => "entities",
            Measure::Occupancy => "occupancy",
        }
    }
}

/// What a record's group is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Grouping {
    /// No group: one value per window.
    All,
    /// A camera id.
    Camera,
    /// The value of a camera attribute (`zone`, `site`, …); for occupancy, the zone.
    Attribute(String),
}

impl Grouping {
    /// How the summary names one group.
    pub(crate) fn describe(&self) -> String {
        match self {
            Grouping::All => "all cameras".into(),
            Grouping::Camera => "camera".into(),
            Grouping::Attribute(name) => name.clone(),
        }
    }
}

/// The truth side of a score.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    /// Per (window start in ms, group): the value the truth lists (zeros included, as
    /// the truth lists them).
    pub values: BTreeMap<(i64, String), u64>,
    /// The first window of the run (the one holding the start), in ms since the epoch.
    pub first_ms: i64,
    /// The run's end in ms since the epoch: windows starting at or after it lie outside.
    pub end_ms: i64,
}

impl Expected {
    /// Whether a window starting at `window_ms` lies inside the run.
    pub(crate) fn inside(&self, window_ms: i64) -> bool {
        (self.first_ms..self.end_ms).contains(&window_ms)
    }
}

/// A camera id as a record writes it: the id's text.
fn camera_text(id: &CameraJson) -> String {
    match id {
        CameraJson::Int(n) => n.to_string(),
        CameraJson::Text(s) => s.clone(),
    }
}

/// A camera attribute's value as a group: a string's content, any other value's JSON.
fn attribute_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Per camera id (as text), its value of `attribute`, over the streams on `topic` (all
/// streams when `None`); an error names a camera without it.
fn attribute_of(
    scenario: &Scenario,
    topic: Option<&str>,
    attribute: &str,
) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    for stream in &scenario.streams {
        if topic.is_some_and(|t| t != stream.message.topic) {
            continue;
        }
        let none = Vec::new();
        let attributes = stream.camera_attributes.as_ref().unwrap_or(&none);
        for (c, id) in stream.cameras.iter().enumerate() {
            let value = attributes
                .get(c)
                .and_then(|a| a.iter().find(|(name, _)| name == attribute));
            let Some((_, value)) = value else {
                return Err(format!(
                    "camera {id} of stream `{}` has no attribute `{attribute}` to group by; \
                     give every camera `{attribute}` (`{{id: {id}, {attribute}: …}}`), or \
                     --group-by camera when the group field holds camera ids",
                    stream.name
                ));
            };
            values
                .entry(camera_id_text(id))
                .or_insert_with(|| attribute_text(value));
        }
    }
    Ok(values)
}

fn camera_id_text(id: &CameraId) -> String {
    camera_text(&CameraJson::from(id))
}

/// The streams on `topic` (every stream when `None`), by name.
fn streams_on<'s>(scenario: &'s Scenario, topic: Option<&str>) -> Vec<&'s str> {
    scenario
        .streams
        .iter()
        .filter(|s| topic.is_none_or(|t| t == s.message.topic))
        .map(|s| s.name.as_str())
        .collect()
}

/// The expected values of `measure` grouped by `grouping`, from `truth` of `scenario`,
/// counting only what was sent to `topic` (every topic when `None`). An error is the
/// reason the truth cannot answer (invalid input).
pub(crate) fn expected(
    scenario: &Scenario,
    truth: &Truth,
    (measure, grouping, topic): (Measure, Grouping, Option<&str>),
    (start_ms, end_ms): (i64, i64),
) -> Result<Expected, String> {
    if let Some(t) = topic.filter(|t| !scenario.topics().contains(t)) {
        let topics = scenario.topics().join(", ");
        return Err(format!(
            "the scenario writes no topic `{t}` (--source-topic): it writes {topics}"
        ));
    }
    let mut values: BTreeMap<(i64, String), u64> = BTreeMap::new();
    let entities = || {
        truth.entities.as_ref().ok_or_else(|| {
            format!(
                "--measure {} needs an entity stream, and `{}` has none; --measure count \
                 scores clean events",
                measure.name(),
                scenario.name
            )
        })
    };
    match (measure, &grouping) {
        (Measure::Count, _) => {
            let attribute = match &grouping {
                Grouping::Attribute(name) => Some(attribute_of(scenario, topic, name)?),
                Grouping::All | Grouping::Camera => None,
            };
            for w in &truth.windows {
                if topic.is_some_and(|t| t != w.topic) {
                    continue;
                }
                let camera = camera_text(&w.camera_id);
                let group = match &attribute {
                    Some(of) => of.get(&camera).cloned().unwrap_or_default(),
                    None if grouping == Grouping::Camera => camera,
                    None => String::new(),
                };
                *values.entry((w.window_start_ms, group)).or_default() += w.count;
            }
        }
        (Measure::Entities, Grouping::Camera) => {
            let streams = streams_on(scenario, topic);
            for w in &entities()?.windows {
                if streams.contains(&w.stream.as_str()) {
                    let key = (w.window_start_ms, camera_text(&w.camera_id));
                    *values.entry(key).or_default() += w.seen;
                }
            }
        }
        (Measure::Entities, Grouping::All | Grouping::Attribute(_)) => {
            return Err(
                "--measure entities counts distinct entities per camera, which \
                        do not add up over cameras (one entity can be seen by two): give \
                        --group-field with the camera id (and --group-by camera)"
                    .into(),
            );
        }
        (Measure::Occupancy, Grouping::Attribute(name)) if name != "zone" => {
            return Err(format!(
                "--measure occupancy is per zone (the cameras' `zone`), not per `{name}`: \
                 --group-by zone, or no --group-field for the whole site"
            ));
        }
        (Measure::Occupancy, Grouping::All | Grouping::Attribute(_)) => {
            let by_zone = grouping != Grouping::All;
            let streams = streams_on(scenario, topic);
            for o in &entities()?.occupancy {
                if streams.contains(&o.stream.as_str()) {
                    let group = if by_zone {
                        o.zone.clone()
                    } else {
                        String::new()
                    };
                    *values.entry((o.window_start_ms, group)).or_default() += o.occupancy;
                }
            }
        }
        (Measure::Occupancy, Grouping::Camera) => {
            return Err(
                "--measure occupancy is per zone (the cameras' `zone`), not per \
                        camera: --group-by zone, or no --group-field for the whole site"
                    .into(),
            );
        }
    }
    let width = truth.window_ms.max(1) as i64;
    Ok(Expected {
        values,
        first_ms: start_ms.div_euclid(width) * width,
        end_ms,
    })
}
