//! The JSON Schemas this tool publishes, generated from its types: scenario files,
//! the ground-truth file, and event payloads (the generic one and a scenario's own).

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
