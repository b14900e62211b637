//! The JSON Schemas (draft-07) of message values, generated from the same descriptions
//! the values are written from: [`event_schema`] for the default fields (`simulate schema
//! --event`), [`scenario_event_schema`] for a scenario's payloads (`simulate schema
//! --event SCENARIO`).

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value as Json, json};

use super::context::{Field, PAYLOAD, default_fields};
use super::number::write_fixed;
use crate::scenario::model::{CameraId, FloatParams, IntParams, TimeFormatName};
use crate::scenario::payload::{DEFAULT_TIME_FORMAT, Gen, TimeFormat, Value};
use crate::scenario::{Scenario, Stream};

const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";
const TITLE: &str = "simulate event";
const DESCRIPTION: &str =
    "One event as the Kafka message value (what `--dry-run` prints, one per line).";
const EVENT_ID_DESCRIPTION: &str = "Unique within a run and the same on every replay: a version-8 UUID made of the\narrival process's identity and the event's sequence number.";
const EVENT_ID_PATTERN: &str =
    "^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";
const DEFAULT_TIME_DESCRIPTION: &str =
    "The planned instant in UTC, to the second: `YYYY-MM-DD HH:MM:SS`.";
const DEFAULT_TIME_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$";

/// Enumerate the values of a camera attribute in the schema up to this many distinct ones.
const MAX_ENUM: usize = 100;

impl Field {
    /// The field's JSON Schema. `camera` is the schema of a camera id (a reference to
    /// its definition).
    fn schema(self, camera: &Json) -> Json {
        match self {
            Field::EventId => json!({
                "description": EVENT_ID_DESCRIPTION,
                "type": "string",
                "pattern": EVENT_ID_PATTERN,
            }),
            Field::Timestamp => json!({
                "description": DEFAULT_TIME_DESCRIPTION,
                "type": "string",
                "pattern": DEFAULT_TIME_PATTERN,
            }),
            Field::CameraId => json!({
                "description": "The camera's id, as written in the scenario (an integer or a string).",
                "allOf": [camera],
            }),
        }
    }
}

/// The JSON Schema (draft-07) of one message value of a stream without `payload`,
/// generated from [`PAYLOAD`].
pub(crate) fn event_schema() -> schemars::Schema {
    let mut generator = SchemaSettings::draft07().into_generator();
    let camera = generator.subschema_for::<CameraId>().to_value();
    let mut properties = Map::new();
    for (name, field) in PAYLOAD {
        properties.insert(name.to_string(), field.schema(&camera));
    }
    let required: Vec<&str> = PAYLOAD.iter().map(|(name, _)| *name).collect();
    let definitions = generator.take_definitions(true);
    let schema = json!({
        "$schema": DRAFT_07,
        "title": TITLE,
        "description": DESCRIPTION,
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": required,
        "definitions": definitions,
    });
    match schema {
        Json::Object(map) => schemars::Schema::from(map),
        _ => schemars::Schema::default(),
    }
}

/// The JSON Schema of a scenario's message values: one schema when every stream renders
/// the same fields; otherwise an object mapping each topic to the schema of its messages
/// (`anyOf` the schemas of its streams when they differ).
pub(crate) fn scenario_event_schema(scenario: &Scenario) -> Json {
    let schemas: Vec<(&str, Json)> = scenario
        .streams
        .iter()
        .map(|s| (s.message.topic.as_str(), stream_schema(s)))
        .collect();
    if schemas.windows(2).all(|w| w[0].1 == w[1].1) {
        return schemas
            .into_iter()
            .next()
            .map_or(Json::Null, |(_, schema)| schema);
    }
    // Topics in order of first appearance; each topic's distinct schemas in order.
    let mut topics: Vec<(&str, Vec<Json>)> = Vec::new();
    for (topic, schema) in schemas {
        match topics.iter_mut().find(|(t, _)| *t == topic) {
            Some((_, list)) if list.contains(&schema) => {}
            Some((_, list)) => list.push(schema),
            None => topics.push((topic, vec![schema])),
        }
    }
    let mut map = Map::new();
    for (topic, mut list) in topics {
        let schema = if list.len() == 1 {
            list.remove(0)
        } else {
            // The members' definitions move to the root, where their references point.
            let mut definitions = Map::new();
            for s in &mut list {
                if let Json::Object(o) = s {
                    o.remove("$schema");
                    if let Some(Json::Object(d)) = o.remove("definitions") {
                        definitions.extend(d);
                    }
                }
            }
            let mut schema = json!({"$schema": DRAFT_07, "title": TITLE, "description": DESCRIPTION, "anyOf": list});
            if !definitions.is_empty() {
                schema["definitions"] = Json::Object(definitions);
            }
            schema
        };
        map.insert(topic.to_string(), schema);
    }
    Json::Object(map)
}

/// The schema of one stream's message values.
fn stream_schema(stream: &Stream) -> Json {
    if let crate::scenario::StreamArrivals::Replay(replay) = &stream.arrivals {
        // Whatever the recording holds: nothing is known of it but that it was recorded.
        return json!({"$schema": DRAFT_07, "title": TITLE, "description": format!(
            "A message value replayed byte for byte from the recording {}: any value.",
            replay.recording.file
        )});
    }
    let fields = match &stream.message.payload {
        Some(fields) if *fields != default_fields() => fields,
        _ => return event_schema().to_value(),
    };
    let mut schema = Map::new();
    schema.insert("$schema".into(), json!(DRAFT_07));
    schema.insert("title".into(), json!(TITLE));
    schema.insert("description".into(), json!(DESCRIPTION));
    if let Json::Object(object) = object_schema(fields, stream) {
        schema.extend(object);
    }
    Json::Object(schema)
}

fn object_schema(fields: &[(String, Value)], stream: &Stream) -> Json {
    let mut properties = Map::new();
    for (name, value) in fields {
        properties.insert(name.clone(), value_schema(value, stream));
    }
    let required: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
    json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": required,
    })
}

fn value_schema(value: &Value, stream: &Stream) -> Json {
    match value {
        Value::Constant(json) => json!({ "const": json }),
        Value::Object(fields) => object_schema(fields, stream),
        Value::Array(items) => {
            let items: Vec<Json> = items.iter().map(|v| value_schema(v, stream)).collect();
            json!({
                "type": "array",
                "items": items,
                "additionalItems": false,
                "minItems": items.len(),
                "maxItems": items.len(),
            })
        }
        Value::Generated {
            generator,
            null_rate,
            ..
        } => {
            let schema = generated_schema(generator, stream);
            match null_rate {
                None => schema,
                Some(rate) => json!({
                    "description": format!("Null with probability {rate}; otherwise the value below."),
                    "anyOf": [schema, {"type": "null"}],
                }),
            }
        }
    }
}

fn generated_schema(generator: &Gen, stream: &Stream) -> Json {
    match generator {
        Gen::EventId => json!({
            "description": EVENT_ID_DESCRIPTION,
            "type": "string",
            "pattern": EVENT_ID_PATTERN,
        }),
        Gen::Timestamp(format) => timestamp_schema(format),
        Gen::CameraId => {
            let ints = stream
                .cameras
                .iter()
                .filter(|c| matches!(c, CameraId::Int(_)))
                .count();
            let kind = match (ints, stream.cameras.len() - ints) {
                (_, 0) => json!("integer"),
                (0, _) => json!("string"),
                _ => json!(["integer", "string"]),
            };
            json!({
                "description": "The camera's id, as written in the scenario.",
                "type": kind,
            })
        }
        Gen::Camera(values) => {
            let mut distinct: Vec<&Json> = Vec::new();
            for v in values {
                if !distinct.contains(&v) {
                    distinct.push(v);
                }
                if distinct.len() > MAX_ENUM {
                    return json!({ "description": "An attribute of the event's camera." });
                }
            }
            json!({ "description": "An attribute of the event's camera.", "enum": distinct })
        }
        Gen::Choice { values, .. } => {
            let mut distinct: Vec<&Json> = Vec::new();
            for v in values {
                if !distinct.contains(&v) {
                    distinct.push(v);
                }
            }
            json!({ "description": "One of the listed values.", "enum": distinct })
        }
        &Gen::Float(FloatParams { min, max, decimals }) => json!({
            "description": "Drawn uniformly between the bounds.",
            "type": "number",
            "minimum": printed(min, decimals),
            "maximum": printed(max, decimals),
        }),
        Gen::Int(IntParams { min, max }) => json!({
            "description": "Drawn uniformly from the bounds, both included.",
            "type": "integer",
            "minimum": min,
            "maximum": max,
        }),
        Gen::Normal(_) => json!({
            "description": "Drawn from a normal distribution.",
            "type": "number",
        }),
        Gen::Bbox(frames) => {
            let width = frames.iter().map(|f| f.width).max().unwrap_or(1);
            let height = frames.iter().map(|f| f.height).max().unwrap_or(1);
            let side =
                |max: u32, min: u32| json!({"type": "integer", "minimum": min, "maximum": max});
            json!({
                "description": "A box inside the camera's frame: x + w ≤ width, y + h ≤ height.",
                "type": "object",
                "properties": {
                    "x": side(width - 1, 0),
                    "y": side(height - 1, 0),
                    "w": side(width, 1),
                    "h": side(height, 1),
                },
                "additionalProperties": false,
                "required": ["x", "y", "w", "h"],
            })
        }
        Gen::Sequence { start } => json!({
            "description": "Counts the events of the arrival process.",
            "type": "integer",
            "minimum": start,
        }),
        Gen::EntityId => json!({
            "description": "The true identity of the entity seen: `<stream>-<n>`.",
            "type": "string",
        }),
        Gen::TrackId => json!({
            "description": "The camera-local track of the visit: a new id for every visit.",
            "type": "integer",
            "minimum": 0,
            "maximum": 281_474_976_710_655_u64,
        }),
        Gen::Entity { generator, .. } => generated_schema(generator, stream),
    }
}

/// A bound as a value is printed with `decimals` (a rounded bound bounds rounded values).
fn printed(x: f64, decimals: Option<u32>) -> Json {
    let Some(d) = decimals else {
        return json!(x);
    };
    let mut text = Vec::new();
    write_fixed(&mut text, x, d);
    std::str::from_utf8(&text)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .map_or(json!(x), |v| json!(v))
}

fn timestamp_schema(format: &TimeFormat) -> Json {
    match format {
        TimeFormat::Pattern(p) if p == DEFAULT_TIME_FORMAT => json!({
            "description": DEFAULT_TIME_DESCRIPTION,
            "type": "string",
            "pattern": DEFAULT_TIME_PATTERN,
        }),
        TimeFormat::Pattern(p) => json!({
            "description": format!("The planned instant in UTC, as the strftime pattern `{p}` writes it."),
            "type": "string",
        }),
        TimeFormat::Named(TimeFormatName::Rfc3339) => json!({
            "description": "The planned instant in UTC, RFC 3339, to the second.",
            "type": "string",
            "format": "date-time",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
        }),
        TimeFormat::Named(TimeFormatName::Rfc3339Ms) => json!({
            "description": "The planned instant in UTC, RFC 3339, to the millisecond.",
            "type": "string",
            "format": "date-time",
            "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$",
        }),
        TimeFormat::Named(TimeFormatName::EpochMs) => json!({
            "description": "The planned instant in milliseconds since 1970-01-01T00:00:00Z.",
            "type": "integer",
            "minimum": 0,
        }),
        TimeFormat::Named(TimeFormatName::EpochS) => json!({
            "description": "The planned instant in seconds since 1970-01-01T00:00:00Z.",
            "type": "integer",
            "minimum": 0,
        }),
    }
}
