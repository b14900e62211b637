//! From the raw file model to a [`Scenario`] that cannot hold an invalid value.
//!
//! Every check runs and every problem is reported with its field path; downstream code
//! (the planner, the sinks) relies on what is guaranteed here and never re-checks. The
//! result is plain data (names, durations, parameters, camera lists): the planner builds
//! its samplers, pick tables and process identities from it. Command-line overrides are
//! applied first and checked the same way; their problems are reported under the flag's
//! name.
//!
//! Here: the scenario's own fields (name, seed, duration, start, shard, topic). Each part
//! of a file has its own room: `kafka` the sink's settings, `streams` the streams,
//! `cameras` their cameras, `modulation` rate profiles, incidents and outages, `faults`
//! the faults; a distribution's parameters are checked by `InterArrival::problems`
//! (`scenario/distribution.rs`) and a message's topic, key, payload and headers by
//! [`super::payload`]. Problems are reported in the order the file is read, as they
//! always were: the scenario's fields, `kafka`, then each stream in turn.

mod cameras;
pub mod entities;
mod entity_checks;
mod faults;
mod kafka;
mod modulation;
mod registry;
mod replay;
mod streams;
pub(crate) mod value;

use chrono::{DateTime, Utc};

use super::checks::check_topic;
use super::diagnostics::Diagnostic;
use super::diagnostics::{FieldPath, Problem, Problems};
use super::duration::Nanos;
use super::limits;
use super::model::ScenarioFile;

pub use entities::{Entities, Move, Sightings, Target};
pub use faults::{Delayed, Faults, Malformed};
pub use kafka::Kafka;
pub use modulation::{Affected, Modulation, RateProfile, WindowStart, Windows};
pub use registry::{Auth, Registry, check_url};
pub use replay::Replay;
pub use streams::{CameraPick, Stream, StreamArrivals};
pub use value::{
    AVRO_PRIMITIVES, Encoding, Origin, SchemaFormat, Subject, ValueEncoding, Version, is_avro_name,
};

/// Values from the command line that replace the file's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--start`.
    pub start: Option<DateTime<Utc>>,
    /// `--duration`.
    pub duration: Option<Nanos>,
    /// `--topic`.
    pub topic: Option<String>,
    /// `--shard K/N` (or `SIMULATE_SHARD`).
    pub shard: Option<Shard>,
}

/// One shard of a run split over several processes: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u32,
    /// How many shards, at least 1; `index < count`.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    /// `K/N`, as given on the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// The seed all random streams derive from.
    pub seed: u64,
    /// Events are planned at offsets below this, in nanoseconds (positive).
    pub duration: Nanos,
    /// The instant of offset 0, if fixed; otherwise the run picks its start.
    pub start: Option<DateTime<Utc>>,
    /// The Kafka topic of streams that set none (a legal topic name).
    pub topic: String,
    /// Kafka sink settings.
    pub kafka: Kafka,
    /// The streams, in file order (at least one).
    pub streams: Vec<Stream>,
    /// The shard this run plans, if the run is split (`start` is then fixed).
    pub shard: Option<Shard>,
    /// The Schema Registry settings (`schema_registry`), for encoded values.
    pub registry: Registry,
    /// The file it was read from (its shown name and text), to locate problems found
    /// after validation (a schema file that does not fit the payload); `None` for a
    /// scenario built in memory.
    pub source: Option<std::sync::Arc<crate::scenario::Source>>,
    /// The directory the file's relative paths (schema files) start from: the scenario
    /// file's; `None` for the working directory (a scenario read from stdin).
    pub dir: Option<std::path::PathBuf>,
    /// What the file says that is legal but probably not meant (a window that starts
    /// after the run ends): shown by `validate` and by a run, which still go ahead.
    pub warnings: Vec<Diagnostic>,
}

impl Scenario {
    /// `problems` found after validation, located in the file the scenario was read
    /// from (when there is one).
    pub(crate) fn locate(&self, problems: Problems) -> Vec<Diagnostic> {
        match &self.source {
            Some(source) => {
                crate::scenario::positions::locate(&source.name, &source.text, problems)
            }
            None => crate::scenario::positions::locate("<scenario>", "", problems),
        }
    }

    /// Every topic the scenario's streams send to, each once, in stream order.
    pub fn topics(&self) -> Vec<&str> {
        let mut topics: Vec<&str> = Vec::new();
        for stream in &self.streams {
            if !topics.contains(&stream.message.topic.as_str()) {
                topics.push(&stream.message.topic);
            }
        }
        topics
    }
}

/// Checks a parsed file and builds the scenario (with its warnings, unlocated), or lists
/// every problem: those the walk found (`problems`) and these.
pub(crate) fn validate(
    file: ScenarioFile,
    default_name: &str,
    overrides: &Overrides,
    recordings: &super::recorded::Recordings,
    mut problems: Problems,
) -> Result<(Scenario, Problems), Problems> {
    let mut warnings = Problems::default();
    let root = FieldPath::default();
    let at = |key: &str| root.key(key);

    let name = name(file.name, default_name, &at("name"), &mut problems);
    let seed = overrides.seed.or(file.seed).unwrap_or(0);

    let (duration, duration_path) = match overrides.duration {
        Some(d) => (d, root.key("--duration")),
        None => (file.duration.0, at("duration")),
    };
    check_duration(duration, &duration_path, &mut problems);

    let start = start(overrides, file.start.as_deref(), duration, &mut problems);

    if let (Some(shard), None) = (overrides.shard, start) {
        problems.push(
            Problem::new(
                &root.key("--shard"),
                format!("shard {shard} needs a start instant every shard shares; without one each would start when it is launched"),
            )
            .help("give every shard the same `--start 2026-01-01T00:00:00Z` (or `--start next:1m`, the next whole minute, when all shards launch within one), or set `start:` in the scenario"),
        );
    }

    let (topic, topic_path) = match (&overrides.topic, file.topic) {
        (Some(t), _) => (t.clone(), root.key("--topic")),
        (None, Some(t)) => (t, at("topic")),
        (None, None) => ("events".to_string(), at("topic")),
    };
    if let Err(message) = check_topic(&topic) {
        problems.push(Problem::new(&topic_path, message));
    }

    let kafka = kafka::kafka(file.kafka, &at("kafka"), &mut problems);
    let registry = registry::registry(file.schema_registry, &at("schema_registry"), &mut problems);

    let defaults = streams::Defaults {
        topic: &topic,
        key: kafka.key,
        horizon: duration.0,
        recordings,
    };
    let streams = streams::streams(
        file.streams,
        &defaults,
        &at("streams"),
        &mut problems,
        &mut warnings,
    );

    if problems.is_empty() {
        let scenario = Scenario {
            name,
            seed,
            duration,
            start,
            topic,
            kafka,
            streams,
            shard: overrides.shard,
            registry,
            source: None,
            dir: None,
            warnings: Vec::new(),
        };
        Ok((scenario, warnings))
    } else {
        Err(problems)
    }
}

/// The scenario's name: the file's, which must not be blank, or `default_name`.
fn name(
    name: Option<String>,
    default_name: &str,
    path: &FieldPath,
    problems: &mut Problems,
) -> String {
    match name {
        Some(n) if n.trim().is_empty() => {
            problems.push(
                Problem::new(path, "the name is empty").help("remove it to use the file name"),
            );
            String::new()
        }
        Some(n) => n,
        None => default_name.to_string(),
    }
}

/// The run's length must be positive and within [`limits::MAX_DURATION_NS`].
fn check_duration(duration: Nanos, path: &FieldPath, problems: &mut Problems) {
    if duration.0 == 0 {
        problems.push(Problem::new(path, "the duration must be positive").help("e.g. `3m`"));
    } else if duration.0 > limits::MAX_DURATION_NS {
        problems.push(Problem::new(
            path,
            format!(
                "{duration} is longer than the limit of {} years",
                limits::MAX_DURATION_YEARS
            ),
        ));
    }
}

/// The instant of offset 0, if fixed: `--start`, or the file's `start` (RFC 3339); with
/// the run's end, within what Kafka timestamps carry ([`check_start`]).
fn start(
    overrides: &Overrides,
    text: Option<&str>,
    duration: Nanos,
    problems: &mut Problems,
) -> Option<DateTime<Utc>> {
    let root = FieldPath::default();
    let start = match (overrides.start, text) {
        (Some(start), _) => Some(start),
        (None, Some(text)) => match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(e) => {
                problems.push(
                    Problem::new(
                        &root.key("start"),
                        format!("`{text}` is not an RFC 3339 timestamp ({e})"),
                    )
                    .help("write e.g. `2026-01-01T00:00:00Z`"),
                );
                None
            }
        },
        (None, None) => None,
    };
    if let Some(start) = start {
        let path = if overrides.start.is_some() {
            root.key("--start")
        } else {
            root.key("start")
        };
        if let Err(message) = check_start(start, duration) {
            problems.push(Problem::new(&path, message));
        }
    }
    start
}

/// The start and the end of the run must be instants Kafka and the timestamp format can
/// carry: from 1970 to the year 9999.
fn check_start(start: DateTime<Utc>, duration: Nanos) -> Result<(), String> {
    let end = start.checked_add_signed(chrono::Duration::nanoseconds(
        duration.0.min(i64::MAX as u64) as i64,
    ));
    let latest =
        DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").map(|t| t.with_timezone(&Utc));
    match (end, latest) {
        _ if start.timestamp() < 0 => Err(format!(
            "{start} is before 1970; Kafka timestamps start in 1970"
        )),
        (Some(end), Ok(latest)) if end <= latest => Ok(()),
        _ => Err("start plus duration goes past the year 9999".into()),
    }
}
