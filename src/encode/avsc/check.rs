//! Where a user's Avro schema and a stream's payload disagree, found at validation: every
//! payload value must have a field in the schema whose type holds every value the
//! payload can write there, and every schema field the payload does not write needs a
//! default. Each disagreement is a [`Misfit`] located at the field (or named type) in
//! the `.avsc`.
//!
//! What holds what: an `int` generator goes into `int` (when its range fits 32 bits),
//! `long`, `float` (|values| ≤ 2²⁴), `double` (≤ 2⁵³) or a `decimal` with room for its
//! digits; `float` and `normal` into `float` or `double` (and a `float` with `decimals`
//! into a `decimal` of at least that scale); `choice`, camera attributes, the camera id
//! and constants value by value (a string into `string` or an `enum` with that symbol;
//! never text into `bytes` or `fixed`, which a reader reads back as bytes); a
//! `timestamp` with `epoch_ms` into `long` or `timestamp-millis`, `epoch_s` into
//! `long`, text into `string`; `event_id` into `string` or `uuid`; `sequence` into
//! `long`; `bbox` into a record with `x`, `y`, `w`, `h` of integer types; objects into
//! records (or maps); lists into arrays. A union holds a value when one of its members
//! does; a value with `null_rate` needs a union with `null`.

use serde_json::Value as Json;

use super::Avsc;
use crate::encode::avro::{Field, Schema, holds};
use crate::encode::derive;
use crate::encode::misfit::Misfit;
use crate::scenario::model::{CameraId, FloatParams, IntParams, TimeFormatName};
use crate::scenario::payload::{Gen, TimeFormat, Value};

/// The misfits between `avsc` and a payload's `fields` (for a stream whose cameras are
/// `cameras`): for each record, its payload fields' in payload order (nested records'
/// where they occur), then the schema fields the payload lacks; none when the schema
/// fits.
pub fn check(avsc: &Avsc, fields: &[(String, Value)], cameras: &[CameraId]) -> Vec<Misfit> {
    let mut checker = Checker {
        avsc,
        cameras,
        out: Vec::new(),
    };
    match avsc.resolve(&avsc.schema) {
        Schema::Record {
            name,
            fields: schema,
        } => checker.record(name, schema, fields, ""),
        other => checker.out.push(Misfit {
            payload: None,
            schema: "the schema".into(),
            at: Some((1, 1)),
            message: format!(
                "the schema is {}, but a payload is an object, which only a record holds",
                other.to_json(None)
            ),
            help: format!("make the top-level type of {} a record", avsc.file),
        }),
    }
    checker.out
}

struct Checker<'a> {
    avsc: &'a Avsc,
    cameras: &'a [CameraId],
    out: Vec<Misfit>,
}

/// The schema field a payload value goes into, for messages.
struct Place<'p> {
    record: &'p str,
    field: &'p str,
}

impl Place<'_> {
    fn name(&self) -> String {
        format!("field {} of record {}", self.field, self.record)
    }
}

impl<'a> Checker<'a> {
    fn record(
        &mut self,
        record: &'a str,
        schema: &'a [Field],
        fields: &[(String, Value)],
        prefix: &str,
    ) {
        let file = &self.avsc.file;
        for (name, value) in fields {
            let path = format!("{prefix}{name}");
            match schema.iter().find(|f| f.name == *name) {
                Some(field) => {
                    let place = Place { record, field: name };
                    self.value(value, &field.schema, &path, &place);
                }
                None => self.out.push(Misfit {
                    payload: Some(path.clone()),
                    schema: format!("record {record}"),
                    at: self.avsc.type_at(record),
                    message: format!("the payload writes `{path}`, but record {record} has no field `{name}`"),
                    help: format!("add a field {{\"name\": \"{name}\", \"type\": …}} to record {record} in {file}, or remove `{path}` from the payload"),
                }),
            }
        }
        for field in schema {
            if field.default.is_none() && !fields.iter().any(|(n, _)| *n == field.name) {
                let place = Place {
                    record,
                    field: &field.name,
                };
                self.out.push(Misfit {
                    payload: None,
                    schema: place.name(),
                    at: self.avsc.field_at(record, &field.name),
                    message: format!("the payload writes no `{prefix}{}` and the field has no default", field.name),
                    help: format!("give field {} a default in {file} (for a union that starts with \"null\": \"default\": null), or add `{prefix}{}` to the payload", field.name, field.name),
                });
            }
        }
    }

    fn value(&mut self, value: &Value, schema: &'a Schema, path: &str, place: &Place<'_>) {
        let avsc: &'a Avsc = self.avsc;
        let schema = avsc.resolve(schema);
        match value {
            Value::Object(fields) => {
                let record = self.branch(schema, |s| {
                    matches!(s, Schema::Record { .. } | Schema::Map(_))
                });
                match record {
                    Some(Schema::Record {
                        name,
                        fields: inner,
                    }) => {
                        self.record(name, inner, fields, &format!("{path}."));
                    }
                    Some(Schema::Map(values)) => {
                        for (name, item) in fields {
                            self.value(item, values, &format!("{path}.{name}"), place);
                        }
                    }
                    _ => self.misfit(
                        value,
                        schema,
                        path,
                        place,
                        "an object, which only a record or a map holds",
                    ),
                }
            }
            Value::Array(items) => match self.branch(schema, |s| matches!(s, Schema::Array(_))) {
                Some(Schema::Array(inner)) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, inner, &format!("{path}[{i}]"), place);
                    }
                }
                _ => self.misfit(
                    value,
                    schema,
                    path,
                    place,
                    "a list, which only an array holds",
                ),
            },
            Value::Constant(json) => {
                if !self.json_fits(schema, json) {
                    self.misfit(value, schema, path, place, &format!("the constant {json}"));
                }
            }
            Value::Generated {
                generator,
                null_rate,
                ..
            } => {
                if null_rate.is_some() && !self.nullable(schema) {
                    let help = format!(
                        "make field {} in {} a union with null, e.g. [\"null\", {}] with \"default\": null, or remove `null_rate` from `{path}`",
                        place.field,
                        self.avsc.file,
                        schema.to_json(None)
                    );
                    self.out.push(Misfit {
                        payload: Some(path.to_string()),
                        schema: place.name(),
                        at: self.avsc.field_at(place.record, place.field),
                        message: format!(
                            "`{path}` is null at times (null_rate), but {} has no null",
                            schema.to_json(None)
                        ),
                        help,
                    });
                }
                if !self.generated_fits(schema, generator) {
                    self.misfit(value, schema, path, place, &describe(generator));
                }
            }
        }
    }

    /// `schema`, or the first member of a union, that `wanted` picks (references followed).
    fn branch(&self, schema: &'a Schema, wanted: impl Fn(&Schema) -> bool) -> Option<&'a Schema> {
        let avsc: &'a Avsc = self.avsc;
        match avsc.resolve(schema) {
            Schema::Union(members) => members.iter().map(|m| avsc.resolve(m)).find(|m| wanted(m)),
            other => Some(other).filter(|s| wanted(s)),
        }
    }

    fn nullable(&self, schema: &Schema) -> bool {
        match self.avsc.resolve(schema) {
            Schema::Null => true,
            Schema::Union(members) => members.contains(&Schema::Null),
            _ => false,
        }
    }

    fn misfit(
        &mut self,
        value: &Value,
        schema: &Schema,
        path: &str,
        place: &Place<'_>,
        what: &str,
    ) {
        // The type derived for the value, as a suggestion.
        let suggested = derive::record(
            &[("v".to_string(), value.clone())],
            "Suggested",
            self.cameras,
        )
        .ok()
        .and_then(|r| match r {
            Schema::Record { fields, .. } => {
                fields.into_iter().next().map(|f| f.schema.to_json(None))
            }
            _ => None,
        });
        let change = match suggested {
            Some(s) => format!(
                "change the type of field {} in {} to one that holds it, e.g. {s}",
                place.field, self.avsc.file
            ),
            None => format!(
                "change the type of field {} in {} to one that holds it",
                place.field, self.avsc.file
            ),
        };
        self.out.push(Misfit {
            payload: Some(path.to_string()),
            schema: place.name(),
            at: self.avsc.field_at(place.record, place.field),
            message: format!(
                "`{path}` is {what}, which the Avro type {} cannot hold",
                schema.to_json(None)
            ),
            help: format!("{change}, or change `{path}` in the scenario's payload"),
        });
    }

    /// Whether a constant (or one value of a choice) fits `schema`; text never goes into
    /// `bytes` or `fixed`.
    fn json_fits(&self, schema: &Schema, json: &Json) -> bool {
        let named = &self.avsc.named;
        match self.avsc.resolve(schema) {
            Schema::Bytes | Schema::Fixed { .. } => false,
            Schema::Decimal { .. } => json.is_number() && holds(schema, named, json),
            Schema::Logical { base, logical } => match *logical {
                "uuid" => **base == Schema::String && json.is_string(),
                _ => false,
            },
            Schema::Union(members) => members.iter().any(|m| self.json_fits(m, json)),
            Schema::Array(items) => json
                .as_array()
                .is_some_and(|a| a.iter().all(|v| self.json_fits(items, v))),
            Schema::Map(values) => json
                .as_object()
                .is_some_and(|o| o.values().all(|v| self.json_fits(values, v))),
            Schema::Record { fields, .. } => json.as_object().is_some_and(|o| {
                o.keys().all(|k| fields.iter().any(|f| f.name == *k))
                    && fields.iter().all(|f| match o.get(&f.name) {
                        Some(v) => self.json_fits(&f.schema, v),
                        None => f.default.is_some(),
                    })
            }),
            other => holds(other, named, json),
        }
    }

    /// Whether every value `generator` draws fits `schema`.
    fn generated_fits(&self, schema: &Schema, generator: &Gen) -> bool {
        let schema = self.avsc.resolve(schema);
        if let Schema::Union(members) = schema {
            return match generator {
                // Value by value: each may go into another member.
                Gen::Choice { values, .. } | Gen::Camera(values) => {
                    values.iter().all(|v| self.json_fits(schema, v))
                }
                Gen::CameraId => self
                    .cameras
                    .iter()
                    .all(|c| self.json_fits(schema, &camera_json(c))),
                Gen::Entity { generator, .. } => self.generated_fits(schema, generator),
                _ => members.iter().any(|m| self.generated_fits(m, generator)),
            };
        }
        let logical = |want: &[&str]| matches!(schema, Schema::Logical { logical, .. } if want.contains(logical));
        match generator {
            Gen::EventId => {
                *schema == Schema::String
                    || logical(&["uuid"])
                        && matches!(schema, Schema::Logical { base, .. } if **base == Schema::String)
            }
            Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)) => {
                *schema == Schema::Long || logical(&["timestamp-millis", "local-timestamp-millis"])
            }
            Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochS))
            | Gen::Sequence { .. }
            | Gen::TrackId => *schema == Schema::Long,
            Gen::EntityId => *schema == Schema::String,
            Gen::Entity { generator, .. } => self.generated_fits(schema, generator),
            Gen::Timestamp(
                TimeFormat::Named(TimeFormatName::Rfc3339 | TimeFormatName::Rfc3339Ms)
                | TimeFormat::Pattern(_),
            ) => *schema == Schema::String,
            Gen::CameraId => self
                .cameras
                .iter()
                .all(|c| self.json_fits(schema, &camera_json(c))),
            Gen::Camera(values) | Gen::Choice { values, .. } => {
                values.iter().all(|v| self.json_fits(schema, v))
            }
            &Gen::Int(IntParams { min, max }) => int_fits(schema, min, max),
            Gen::Float(FloatParams { decimals, min, max }) => match schema {
                Schema::Float | Schema::Double => true,
                &Schema::Decimal {
                    precision, scale, ..
                } => decimals.is_some_and(|d| {
                    let whole = min.abs().max(max.abs()).max(1.0).log10().floor() as u32 + 1;
                    d <= scale && whole + scale <= precision
                }),
                _ => false,
            },
            Gen::Normal(_) => matches!(schema, Schema::Float | Schema::Double),
            Gen::Bbox(frames) => {
                let side = frames
                    .iter()
                    .map(|f| f.width.max(f.height))
                    .max()
                    .unwrap_or(0);
                match schema {
                    Schema::Record { fields, .. } => {
                        fields.iter().all(|f| {
                            ["x", "y", "w", "h"].contains(&f.name.as_str()) || f.default.is_some()
                        }) && ["x", "y", "w", "h"].iter().all(|c| {
                            fields.iter().any(|f| {
                                f.name == *c
                                    && int_fits(self.avsc.resolve(&f.schema), 0, i64::from(side))
                            })
                        })
                    }
                    _ => false,
                }
            }
        }
    }
}

/// Whether every integer in `min..=max` fits `schema` exactly.
fn int_fits(schema: &Schema, min: i64, max: i64) -> bool {
    let widest = min.unsigned_abs().max(max.unsigned_abs());
    match schema {
        Schema::Int => i32::try_from(min).is_ok() && i32::try_from(max).is_ok(),
        Schema::Long => true,
        Schema::Float => widest <= 1 << 24,
        Schema::Double => widest <= 1 << 53,
        &Schema::Decimal {
            precision, scale, ..
        } => widest.checked_ilog10().map_or(1, |d| d + 1) + scale <= precision,
        Schema::Union(members) => members.iter().any(|m| int_fits(m, min, max)),
        _ => false,
    }
}

fn camera_json(camera: &CameraId) -> Json {
    match camera {
        CameraId::Int(n) => Json::from(*n),
        CameraId::Text(s) => Json::from(s.as_str()),
    }
}

/// What a generator writes, for messages.
fn describe(generator: &Gen) -> String {
    match generator {
        Gen::EventId => "an event id (a UUID as text)".into(),
        Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)) => {
            "a timestamp in epoch milliseconds (a long)".into()
        }
        Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochS)) => {
            "a timestamp in epoch seconds (a long)".into()
        }
        Gen::Timestamp(
            TimeFormat::Named(TimeFormatName::Rfc3339 | TimeFormatName::Rfc3339Ms)
            | TimeFormat::Pattern(_),
        ) => "a timestamp as text".into(),
        Gen::CameraId => "the camera id".into(),
        Gen::Camera(_) => "a camera attribute".into(),
        Gen::Choice { values, .. } => {
            let shown: Vec<String> = values.iter().take(5).map(Json::to_string).collect();
            let more = if values.len() > 5 { ", …" } else { "" };
            format!("a choice of {}{more}", shown.join(", "))
        }
        Gen::Float(FloatParams { min, max, .. }) => format!("a float from {min} to {max}"),
        Gen::Int(IntParams { min, max }) => format!("an int from {min} to {max}"),
        Gen::Normal(_) => "a normal draw (a double)".into(),
        Gen::Sequence { .. } => "a sequence number (a long)".into(),
        Gen::Bbox(_) => "a bounding box {x, y, w, h} of integers".into(),
        Gen::EntityId => "an entity id (text)".into(),
        Gen::TrackId => "a track id (a long)".into(),
        Gen::Entity {
            attribute,
            generator,
        } => format!("the entity's `{attribute}`, {}", describe(generator)),
    }
}
