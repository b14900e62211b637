//! `simulate` turns a declarative YAML scenario into a deterministic, time-ordered plan of
//! camera events and replays it into Kafka, or prints it.
//!
//! Data flows one way, one module per arrow:
//!
//! ```text
//! scenario file ─ scenario ─▶ validated Scenario ─ plan ─▶ Events ─ render ─▶ bytes
//!      ─ replay (pacing, stop, counts) ─▶ sink (stdout | Kafka) ─▶ report
//! ```
//!
//! - [`scenario`]: the file format. Reads, parses and validates a file into plain data
//!   that cannot hold an invalid value; every problem located at `file:line:column`.
//!   Imports nothing downstream.
//! - [`plan`]: the pure core. Builds each process's sampler, pick table and identity from
//!   the validated data and merges their events lazily, in a total order. No clock, no
//!   I/O, nothing Kafka-shaped.
//! - [`render`]: event → message value, key, timestamp, `--format plan` line; the one
//!   description of the payload, which also generates the event JSON Schema.
//! - [`replay`]: the one paced loop, generic over a [`sink::Sink`]: deadlines, Ctrl-C,
//!   lateness, progress, counts.
//! - [`sink`]: stdout (dry run) and Kafka (send, poll, flush, delivery accounting,
//!   embedded cluster, read-back).
//! - [`metrics`]: `--metrics`, the run's counters in Prometheus text format while it runs.
//! - [`plot`]: `simulate plot`, a plan or a report as one image of charts (SVG, PNG).
//! - [`stats`]: `simulate stats`, what a plan holds summed up, in bounded memory.
//! - [`redact`]: secret property values, masked in everything the process writes.
//! - [`report`]: what a run did, sink-neutral with a Kafka section; [`truth`]: the
//!   ground truth of the plan (faults injected, per-window counts of clean events).
//! - At the edge: [`cli`] (the command line, the environment read once), [`mod@run`]
//!   (each command assembled from the above), [`error`] (typed errors → exit codes).
//!
//! Where the next features go: a distribution is a variant of
//! [`scenario::model::DistributionKind`] and [`scenario::model::InterArrival`] (the
//! compiler then points at the loader, validation and [`plan::distribution::Sampler`]);
//! a rate profile, incidents and outages are validated in [`scenario`] and become a time
//! change (`plan/rate.rs`, with windows from `plan/schedule.rs`) applied by
//! [`plan::process`]; a payload generator is a variant of
//! [`scenario::model::GeneratorKind`] and [`scenario::model::Generator`] (the compiler
//! then points at the loader, validation, the renderer's program and the event schema),
//! its draws in [`plan::payload`]; a fault kind is a [`plan::Mark`] drawn in
//! [`plan::fault`] and counted in [`truth`]; a shard filter chooses processes in
//! [`plan::process::processes`]; a sink is one more implementation of [`sink::Sink`].

pub mod cli;
pub mod error;
pub(crate) mod histogram;
pub mod metrics;
pub mod plan;
pub mod plot;
pub mod redact;
pub mod render;
pub mod replay;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sink;
pub mod stats;
pub(crate) mod text;
pub mod truth;

pub use error::Error;
pub use run::run;

/// The JSON Schemas this tool publishes, generated from its types.
pub mod schema {
    use schemars::generate::SchemaSettings;

    /// The schema of scenario files (draft-07, which yaml-language-server reads).
    pub fn scenario() -> String {
        render(
            SchemaSettings::draft07()
                .into_generator()
                .into_root_schema_for::<crate::scenario::model::ScenarioFile>(),
        )
    }

    /// The schema of the ground-truth file (`--truth`, `simulate truth`).
    pub fn truth() -> String {
        render(
            SchemaSettings::draft07()
                .into_generator()
                .into_root_schema_for::<crate::truth::Truth>(),
        )
    }

    /// The schema of one event payload (the Kafka message value), from the payload's
    /// description in `crate::render::PAYLOAD`.
    pub fn event() -> String {
        render(crate::render::event_schema())
    }

    /// The schema of a scenario's message values, generated from its payloads: one
    /// schema when every stream renders the same fields, otherwise an object mapping each
    /// topic to the schema of its messages.
    pub fn event_for(scenario: &crate::scenario::Scenario) -> String {
        let schema = crate::render::scenario_event_schema(scenario);
        match schema {
            serde_json::Value::Object(map) if !map.contains_key("$schema") => {
                let by_topic: serde_json::Map<String, serde_json::Value> = map
                    .into_iter()
                    .map(|(topic, schema)| (topic, ordered(schema)))
                    .collect();
                pretty(&by_topic)
            }
            schema => pretty(&ordered(schema)),
        }
    }

    /// A schema with its keywords in schemars' order, as [`event`] prints them.
    fn ordered(schema: serde_json::Value) -> serde_json::Value {
        match schemars::Schema::try_from(schema) {
            Ok(schema) => serde_json::to_value(&schema).unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// Pretty JSON, keywords in schemars' order (`$schema`, `title`, … first).
    fn render(schema: schemars::Schema) -> String {
        pretty(&schema)
    }

    fn pretty(value: &impl serde::Serialize) -> String {
        let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.push('\n');
        text
    }
}
