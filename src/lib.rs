//! `simulate` turns a declarative YAML scenario into a deterministic, time-ordered plan of
//! camera events and replays it into Kafka, or prints it.
//!
//! The pipeline flows one way, one module per arrow:
//! scenario file → [`scenario::load`] → [`scenario::validate`] → [`plan::Plan`] (lazy,
//! ordered events) → a sink ([`sink::stdout`]) → exit code.
//!
//! The planner is pure: a function of the validated scenario (its seed included) that
//! reads no clock and does no I/O; the start instant is applied when events are rendered.

pub mod cli;
pub mod error;
pub mod plan;
pub mod render;
pub mod report;
mod run;
pub mod scenario;
pub mod sink;

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

    /// The schema of one event payload (the Kafka message value), from the payload's
    /// description in `render::PAYLOAD`.
    pub fn event() -> String {
        render(crate::render::event_schema())
    }

    /// Pretty JSON, keywords in schemars' order (`$schema`, `title`, … first).
    fn render(schema: schemars::Schema) -> String {
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
}
