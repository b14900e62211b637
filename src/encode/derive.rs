//! An Avro schema derived from a stream's payload: each generator's values mapped to the
//! type that holds exactly them (the table in docs/scenario-format.md, "Value
//! formats"), nested objects as nested records named after their path.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::avro::{Field, Schema};
use crate::scenario::model::{CameraId, IntParams, TimeFormatName};
use crate::scenario::payload::{Gen, TimeFormat, Value};
use crate::scenario::validate::{AVRO_PRIMITIVES, is_avro_name};

/// Why a payload has no derived Avro schema: which value, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Underivable(pub String);

/// The record schema of a payload's `fields`, named `name`, for a stream whose cameras
/// are `cameras`.
pub fn record(
    fields: &[(String, Value)],
    name: &str,
    cameras: &[CameraId],
) -> Result<Schema, Underivable> {
    let mut names = BTreeSet::from([name.to_string()]);
    let mut deriver = Deriver {
        cameras,
        names: &mut names,
    };
    deriver.fields(fields, "", name.to_string())
}

struct Deriver<'a> {
    cameras: &'a [CameraId],
    /// The names given to named types so far (each must be unique in the schema).
    names: &'a mut BTreeSet<String>,
}

impl Deriver<'_> {
    /// A fresh type name for the value at `path`: the path with every character that
    /// is not a letter, digit or `_` as `_`, and `_2`, `_3`, … when taken.
    fn name(&mut self, path: &str) -> String {
        let mut base: String = path
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        // `tags[0]` is `tags_0`, not `tags_0_`.
        if base.len() > 1 {
            base = base.trim_end_matches('_').to_string();
        }
        if !base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            base.insert(0, '_');
        }
        // A named type may not take a primitive's name (a field `string`).
        if AVRO_PRIMITIVES.contains(&base.as_str()) {
            base.push('_');
        }
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }

    fn fields(
        &mut self,
        fields: &[(String, Value)],
        prefix: &str,
        name: String,
    ) -> Result<Schema, Underivable> {
        let mut out = Vec::new();
        for (field, value) in fields {
            let path = format!("{prefix}{field}");
            if !is_avro_name(field) {
                return Err(Underivable(format!(
                    "payload field `{path}`: `{field}` is not a valid Avro field name (a letter or `_`, then letters, digits or `_`); rename it or use `value: {{format: json}}`"
                )));
            }
            let schema = self.value(value, &path)?;
            let default = matches!(&schema, Schema::Union(m) if m.first() == Some(&Schema::Null))
                .then_some(Json::Null);
            out.push(Field {
                name: field.clone(),
                schema,
                default,
            });
        }
        Ok(Schema::Record { name, fields: out })
    }

    fn value(&mut self, value: &Value, path: &str) -> Result<Schema, Underivable> {
        match value {
            Value::Constant(json) => self.json(json, path),
            Value::Object(fields) => {
                let name = self.name(path);
                self.fields(fields, &format!("{path}."), name)
            }
            Value::Array(items) => {
                let positions = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(item, &format!("{path}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                array(positions, path)
            }
            Value::Generated {
                generator,
                null_rate,
                ..
            } => {
                let schema = self.generator(generator, path)?;
                Ok(match null_rate {
                    Some(_) => nullable(schema),
                    None => schema,
                })
            }
        }
    }

    fn generator(&mut self, generator: &Gen, path: &str) -> Result<Schema, Underivable> {
        Ok(match generator {
            Gen::EventId => logical(Schema::String, "uuid"),
            Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)) => {
                logical(Schema::Long, "timestamp-millis")
            }
            Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochS)) => Schema::Long,
            Gen::Timestamp(TimeFormat::Named(
                TimeFormatName::Rfc3339 | TimeFormatName::Rfc3339Ms,
            ))
            | Gen::Timestamp(TimeFormat::Pattern(_)) => Schema::String,
            Gen::CameraId => {
                let ints = self.cameras.iter().any(|c| matches!(c, CameraId::Int(_)));
                let texts = self.cameras.iter().any(|c| matches!(c, CameraId::Text(_)));
                match (ints, texts) {
                    (true, true) => Schema::Union(vec![Schema::Long, Schema::String]),
                    (false, true) => Schema::String,
                    (true, false) | (false, false) => Schema::Long,
                }
            }
            Gen::Camera(values) => self.one_of(values, path)?,
            Gen::Choice { values, .. } => {
                let symbols: Option<Vec<String>> = values
                    .iter()
                    .map(|v| v.as_str().filter(|s| is_avro_name(s)).map(str::to_string))
                    .collect();
                match symbols {
                    Some(mut symbols) => {
                        let mut seen = BTreeSet::new();
                        symbols.retain(|s| seen.insert(s.clone()));
                        Schema::Enum {
                            name: self.name(path),
                            symbols,
                        }
                    }
                    None => self.one_of(values, path)?,
                }
            }
            Gen::Float(_) | Gen::Normal(_) => Schema::Double,
            &Gen::Int(IntParams { min, max }) => {
                if i32::try_from(min).is_ok() && i32::try_from(max).is_ok() {
                    Schema::Int
                } else {
                    Schema::Long
                }
            }
            Gen::Sequence { .. } | Gen::TrackId => Schema::Long,
            Gen::EntityId => Schema::String,
            Gen::Entity { generator, .. } => self.generator(generator, path)?,
            Gen::Bbox(frames) => {
                let fits = frames
                    .iter()
                    .all(|f| i32::try_from(f.width.max(f.height)).is_ok());
                let number = if fits { Schema::Int } else { Schema::Long };
                let fields = ["x", "y", "w", "h"]
                    .map(|name| Field {
                        name: name.into(),
                        schema: number.clone(),
                        default: None,
                    })
                    .to_vec();
                Schema::Record {
                    name: self.name(path),
                    fields,
                }
            }
        })
    }

    /// The schema of a value that is one of `values` (a choice, a camera attribute): the
    /// one type they share, or a union of their types (numbers of both kinds as
    /// `double`).
    fn one_of(&mut self, values: &[Json], path: &str) -> Result<Schema, Underivable> {
        let floats = values.iter().any(|v| v.is_number() && !v.is_i64());
        let mut members: Vec<Schema> = Vec::new();
        for value in values {
            let schema = match (floats, value.is_number()) {
                (true, true) => Schema::Double,
                (true, false) | (false, true) | (false, false) => self.json(value, path)?,
            };
            if !members.contains(&schema) {
                members.push(schema);
            }
        }
        if members.len() == 1 {
            return Ok(members.remove(0));
        }
        union(members, path)
    }

    /// The schema of a constant JSON value.
    fn json(&mut self, json: &Json, path: &str) -> Result<Schema, Underivable> {
        Ok(match json {
            Json::Null => Schema::Null,
            Json::Bool(_) => Schema::Boolean,
            Json::Number(n) if n.is_i64() => Schema::Long,
            Json::Number(n) if n.is_u64() => {
                return Err(Underivable(format!(
                    "`{path}`: {n} is beyond an Avro long (at most 9223372036854775807)"
                )));
            }
            Json::Number(_) => Schema::Double,
            Json::String(_) => Schema::String,
            Json::Array(items) => {
                let positions = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.json(item, &format!("{path}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                array(positions, path)?
            }
            Json::Object(fields) => {
                let name = self.name(path);
                let mut out = Vec::new();
                for (field, item) in fields {
                    if !is_avro_name(field) {
                        return Err(Underivable(format!(
                            "`{path}.{field}`: `{field}` is not a valid Avro field name; rename it or use `value: {{format: json}}`"
                        )));
                    }
                    out.push(Field {
                        name: field.clone(),
                        schema: self.json(item, &format!("{path}.{field}"))?,
                        default: None,
                    });
                }
                Schema::Record { name, fields: out }
            }
        })
    }
}

/// `base` with a logical type.
fn logical(base: Schema, logical: &'static str) -> Schema {
    Schema::Logical {
        base: Box::new(base),
        logical,
    }
}

/// `schema` or null: a union that starts with `null` (so that its default is null).
fn nullable(schema: Schema) -> Schema {
    let mut members = vec![Schema::Null];
    match schema {
        Schema::Union(inner) => members.extend(inner.into_iter().filter(|m| *m != Schema::Null)),
        Schema::Null => {}
        other => members.push(other),
    }
    match members.len() {
        1 => Schema::Null,
        _ => Schema::Union(members),
    }
}

/// The array of a list whose items have the schemas `positions`: of one item type when
/// they agree, else of the union of their types.
fn array(positions: Vec<Schema>, path: &str) -> Result<Schema, Underivable> {
    let Some(first) = positions.first() else {
        // An empty list: an array of nothing that can be written (null).
        return Ok(Schema::Array(Box::new(Schema::Null)));
    };
    if positions.iter().all(|p| p == first) {
        return Ok(Schema::Array(Box::new(first.clone())));
    }
    let mut members = Vec::new();
    for position in &positions {
        let inner = match position {
            Schema::Union(m) => m.clone(),
            other => vec![other.clone()],
        };
        for member in inner {
            if !members.contains(&member) {
                members.push(member);
            }
        }
    }
    let members = union_members(members, path)?;
    Ok(Schema::Tuple { members, positions })
}

/// The union of distinct `members` (none a union), `null` first.
fn union(members: Vec<Schema>, path: &str) -> Result<Schema, Underivable> {
    union_members(members, path).map(Schema::Union)
}

/// The members of a union of distinct `members` (none a union): `null` first, a
/// primitive with a logical type as the bare primitive when the bare one is there too
/// (Avro tells members apart by type); refused when Avro cannot tell two apart (two
/// arrays).
fn union_members(mut members: Vec<Schema>, path: &str) -> Result<Vec<Schema>, Underivable> {
    let bare: Vec<Schema> = members.clone();
    members.retain(|m| !matches!(m, Schema::Logical { base, .. } if bare.contains(base)));
    if let Some(i) = members.iter().position(|m| *m == Schema::Null) {
        let null = members.remove(i);
        members.insert(0, null);
    }
    let arrays = members
        .iter()
        .filter(|m| matches!(m, Schema::Array(_) | Schema::Tuple { .. }))
        .count();
    if arrays > 1 {
        return Err(Underivable(format!(
            "`{path}`: its values are lists of different shapes, which no Avro union can hold; make them alike or use `value: {{format: json}}`"
        )));
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::payload::Frame;
    use serde_json::json;

    fn generated(path: &str, generator: Gen, null_rate: Option<f64>) -> Value {
        Value::Generated {
            path: path.into(),
            generator,
            null_rate,
        }
    }

    fn choice(values: Vec<Json>) -> Gen {
        Gen::Choice {
            values,
            weights: None,
        }
    }

    fn derive(fields: Vec<(&str, Value)>, cameras: &[CameraId]) -> Result<Json, Underivable> {
        let fields: Vec<(String, Value)> = fields
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        record(&fields, "R", cameras).map(|s| s.to_json(None)["fields"].clone())
    }

    #[test]
    fn generators_map_to_the_documented_types() {
        let int = |min, max| Gen::Int(IntParams { min, max });
        let fields = derive(
            vec![
                ("a", generated("a", int(0, 1 << 31), None)),
                ("b", generated("b", int(-1, 1), Some(0.5))),
                (
                    "c",
                    generated("c", choice(vec![json!("x"), json!("x"), json!("y")]), None),
                ),
                (
                    "d",
                    generated("d", choice(vec![json!("a-b"), json!(1)]), None),
                ),
                (
                    "e",
                    generated("e", choice(vec![json!(1), json!(2.5)]), None),
                ),
                ("f", generated("f", Gen::CameraId, Some(0.1))),
                (
                    "string",
                    Value::Object(vec![("n".into(), Value::Constant(json!(true)))]),
                ),
                (
                    "g",
                    generated(
                        "g",
                        Gen::Bbox(vec![Frame {
                            width: 10,
                            height: 10,
                        }]),
                        None,
                    ),
                ),
            ],
            &[CameraId::Int(1), CameraId::Text("x".into())],
        )
        .unwrap();
        let types: Vec<String> = fields
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["type"].to_string())
            .collect();
        assert_eq!(
            types,
            [
                r#""long""#,
                r#"["null","int"]"#,
                r#"{"type":"enum","name":"c","symbols":["x","y"]}"#,
                r#"["string","long"]"#,
                r#""double""#,
                r#"["null","long","string"]"#,
                r#"{"type":"record","name":"string_","fields":[{"name":"n","type":"boolean"}]}"#,
                r#"{"type":"record","name":"g","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"},{"name":"w","type":"int"},{"name":"h","type":"int"}]}"#,
            ]
        );
        assert_eq!(fields[1]["default"], Json::Null);
        assert!(fields[0].get("default").is_none());
    }

    #[test]
    fn what_has_no_avro_type_says_which_value() {
        let err = derive(vec![("a-b", Value::Constant(json!(1)))], &[]).unwrap_err();
        assert!(
            err.0
                .starts_with("payload field `a-b`: `a-b` is not a valid Avro field name"),
            "{}",
            err.0
        );
        let lists = Value::Array(vec![
            Value::Constant(json!([1])),
            Value::Constant(json!(["x"])),
        ]);
        let err = derive(vec![("l", lists)], &[]).unwrap_err();
        assert!(
            err.0
                .starts_with("`l`: its values are lists of different shapes"),
            "{}",
            err.0
        );
        let err = derive(vec![("n", Value::Constant(json!(u64::MAX)))], &[]).unwrap_err();
        assert!(err.0.contains("beyond an Avro long"), "{}", err.0);
    }

    #[test]
    fn named_types_get_unique_names_from_their_paths() {
        let object = |inner: Value| Value::Object(vec![("x".into(), inner)]);
        let one = || Value::Constant(json!(1));
        let fields = derive(
            vec![
                ("a_x", object(one())),
                ("a", object(object(one()))),
                (
                    "t",
                    Value::Array(vec![object(one()), Value::Constant(json!(2))]),
                ),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(fields[0]["type"]["name"], "a_x");
        assert_eq!(fields[1]["type"]["name"], "a");
        // `a.x` would be `a_x`, which is taken.
        assert_eq!(fields[1]["type"]["fields"][0]["type"]["name"], "a_x_2");
        assert_eq!(fields[2]["type"]["items"][0]["name"], "t_0");
    }
}
