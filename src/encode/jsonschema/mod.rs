//! JSON Schema values (`value: {format: json_schema}`, issue 24): the value bytes are the
//! payload's JSON exactly as a JSON stream writes them, framed with the magic byte and
//! the schema id; what this module owns is the schema registered for them. [`derive()`]
//! gives the draft-07 schema of a payload (what Confluent's `JSONSerializer` registers);
//! [`check`] says where a user's own schema file and a payload disagree.
//!
//! The derived types: `int` → `integer` with `minimum` and `maximum`; `float`, `normal`
//! → `number`; `choice` and camera attributes → `enum` of their distinct values;
//! `timestamp` with `epoch_ms` or `epoch_s` → `integer`, with `rfc3339` or
//! `rfc3339_ms` → `string` with `format: date-time`, with a pattern → `string`;
//! `event_id` → `string` with `format: uuid`; `camera_id` → `integer`, `string` or
//! both, as the stream's camera ids are; `sequence` → `integer` with `minimum` (its
//! start); `bbox` → an object of four integers `x`, `y` (from 0 to the widest frame's
//! width, height less 1), `w`, `h` (from 1 to that width, height); constants →
//! their JSON type; objects → `object` with `properties`, every field `required` (the
//! payload always writes every field, `null` included) and `additionalProperties:
//! false`; lists → `array` of their length (`items` one schema when the items agree,
//! else one per position with `additionalItems: false`); `null_rate` → `type: [T,
//! "null"]` (an `enum` gains `null`).

use serde_json::{Map, Value as Json, json};

use super::derive::Underivable;
use crate::scenario::model::{CameraId, IntParams, TimeFormatName};
use crate::scenario::payload::{Gen, TimeFormat, Value};

mod check;
mod file;

pub use check::check;
pub use file::{JsonSchemaFile, load, parse};

/// The `$schema` of a derived schema: draft-07, which Confluent's serializers use.
pub const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// The draft-07 JSON Schema of a payload's `fields`, titled `title` (the stream's
/// `record_name`, `Event` unless given), for a
/// stream whose cameras are `cameras`. Every payload has one today; the `Result` is for
/// the values a later generator might write that no schema can describe.
pub fn derive(
    fields: &[(String, Value)],
    title: &str,
    cameras: &[CameraId],
) -> Result<Json, Underivable> {
    let mut out = Map::new();
    out.insert("$schema".into(), json!(DRAFT_07));
    out.insert("title".into(), json!(title));
    if let Json::Object(object) = object(fields, cameras)? {
        out.extend(object);
    }
    Ok(Json::Object(out))
}

/// An object of `fields`: every one required, no others.
fn object(fields: &[(String, Value)], cameras: &[CameraId]) -> Result<Json, Underivable> {
    let mut properties = Map::new();
    for (name, value) in fields {
        properties.insert(name.clone(), self::value(value, cameras)?);
    }
    let required: Vec<&str> = fields.iter().map(|(name, _)| name.as_str()).collect();
    Ok(json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    }))
}

fn value(value: &Value, cameras: &[CameraId]) -> Result<Json, Underivable> {
    match value {
        Value::Constant(json) => Ok(constant(json)),
        Value::Object(fields) => object(fields, cameras),
        Value::Array(items) => {
            let items = items
                .iter()
                .map(|item| self::value(item, cameras))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(array(items))
        }
        Value::Generated {
            generator,
            null_rate,
            ..
        } => {
            let schema = generated(generator, cameras);
            Ok(match null_rate {
                Some(_) => nullable(schema),
                None => schema,
            })
        }
    }
}

/// A list's schema: `items` one schema when all agree, else one per position.
fn array(items: Vec<Json>) -> Json {
    let n = items.len();
    match items.first() {
        Some(first) if items.iter().all(|i| i == first) => json!({
            "type": "array",
            "items": first,
            "minItems": n,
            "maxItems": n,
        }),
        Some(_) | None => json!({
            "type": "array",
            "items": items,
            "additionalItems": false,
            "minItems": n,
            "maxItems": n,
        }),
    }
}

/// The type of a constant: its JSON type, all the way down.
fn constant(json: &Json) -> Json {
    match json {
        Json::Null => json!({"type": "null"}),
        Json::Bool(_) => json!({"type": "boolean"}),
        Json::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "integer"}),
        Json::Number(_) => json!({"type": "number"}),
        Json::String(_) => json!({"type": "string"}),
        Json::Array(items) => array(items.iter().map(constant).collect()),
        Json::Object(fields) => {
            let mut properties = Map::new();
            for (name, item) in fields {
                properties.insert(name.clone(), constant(item));
            }
            let required: Vec<&String> = fields.keys().collect();
            json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        }
    }
}

fn generated(generator: &Gen, cameras: &[CameraId]) -> Json {
    match generator {
        Gen::EventId => json!({"type": "string", "format": "uuid"}),
        Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs | TimeFormatName::EpochS)) => {
            json!({"type": "integer"})
        }
        Gen::Timestamp(TimeFormat::Named(TimeFormatName::Rfc3339 | TimeFormatName::Rfc3339Ms)) => {
            json!({"type": "string", "format": "date-time"})
        }
        Gen::Timestamp(TimeFormat::Pattern(_)) => json!({"type": "string"}),
        Gen::CameraId => {
            let ints = cameras.iter().any(|c| matches!(c, CameraId::Int(_)));
            let texts = cameras.iter().any(|c| matches!(c, CameraId::Text(_)));
            match (ints, texts) {
                (true, true) => json!({"type": ["integer", "string"]}),
                (false, true) => json!({"type": "string"}),
                (true, false) | (false, false) => json!({"type": "integer"}),
            }
        }
        Gen::Camera(values) | Gen::Choice { values, .. } => {
            let mut distinct: Vec<&Json> = Vec::new();
            for v in values {
                if !distinct.contains(&v) {
                    distinct.push(v);
                }
            }
            json!({"enum": distinct})
        }
        Gen::Float(_) | Gen::Normal(_) => json!({"type": "number"}),
        &Gen::Int(IntParams { min, max }) => {
            json!({"type": "integer", "minimum": min, "maximum": max})
        }
        &Gen::Sequence { start } => json!({"type": "integer", "minimum": start}),
        Gen::EntityId => json!({"type": "string"}),
        Gen::TrackId => json!({"type": "integer", "minimum": 0}),
        Gen::Entity { generator, .. } => generated(generator, cameras),
        Gen::Bbox(frames) => {
            let width = frames.iter().map(|f| f.width).max().unwrap_or(1);
            let height = frames.iter().map(|f| f.height).max().unwrap_or(1);
            let side =
                |min: u32, max: u32| json!({"type": "integer", "minimum": min, "maximum": max});
            json!({
                "type": "object",
                "properties": {
                    "x": side(0, width.saturating_sub(1)),
                    "y": side(0, height.saturating_sub(1)),
                    "w": side(1, width),
                    "h": side(1, height),
                },
                "required": ["x", "y", "w", "h"],
                "additionalProperties": false,
            })
        }
    }
}

/// `schema` or null: `null` added to its `type`, or to its `enum`.
fn nullable(mut schema: Json) -> Json {
    if let Some(values) = schema.get_mut("enum").and_then(Json::as_array_mut) {
        if !values.contains(&Json::Null) {
            values.push(Json::Null);
        }
        return schema;
    }
    if let Some(kind) = schema.get_mut("type") {
        let mut kinds = match kind.take() {
            Json::Array(kinds) => kinds,
            other => vec![other],
        };
        if !kinds.contains(&json!("null")) {
            kinds.push(json!("null"));
        }
        *kind = Json::Array(kinds);
    }
    schema
}

#[cfg(test)]
mod tests;
