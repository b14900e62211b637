//! The Protobuf message derived from a stream's payload: each generator's values mapped
//! to the type that holds exactly them, fields numbered 1, 2, … in payload order.
//!
//! | payload value | Protobuf field |
//! |---|---|
//! | `int` (and integer constants, choices of integers, integer camera ids) | by the range of its values: `int32` when within 0..=2³¹−1, `int64` within 0..=2⁶³−1, `uint64` beyond; `sint32`/`sint64` when the range includes negatives |
//! | `float`, `normal`, a decimal constant, a choice with a decimal | `double` |
//! | `choice`, a camera attribute | the one type of its values (strings → `string`, numbers as above); a `null` among them makes the field `optional` |
//! | `timestamp` with `epoch_ms` or `epoch_s` | `int64` |
//! | `timestamp` with `rfc3339`, `rfc3339_ms` or a pattern | `string` |
//! | `event_id` | `string` |
//! | `sequence` | `int64` |
//! | `camera_id` | the camera ids' type: integers by their range as for `int`, texts `string` |
//! | `bbox` | a nested message `x`, `y`, `w`, `h` of the frames' integer type |
//! | a constant | its type (`true` → `bool`, `"x"` → `string`, numbers as above) |
//! | an object | a nested message named after the field in CamelCase (`geo_point` → `GeoPoint`) |
//! | a list | `repeated` of its items' one type (an empty list: `repeated string`) |
//! | `null_rate` | proto3 `optional`: a null is the field left out |
//!
//! Refused, with what to do instead: a list whose items differ in type, a list of
//! lists, a list item that can be null, values of one field that differ in type, a
//! `null` constant, camera ids both numbers and texts, a field name that is not a
//! Protobuf identifier or whose JSON name (`fooBar` for `foo_bar`) another field has.

use std::collections::BTreeSet;

use serde_json::Value as Json;

use super::{Field, File, Label, Message, Type};
use crate::encode::derive::Underivable;
use crate::scenario::model::{CameraId, IntParams, TimeFormatName};
use crate::scenario::payload::{Gen, TimeFormat, Value};

/// The file of the message named `name` (in package `namespace`) derived from a
/// payload's `fields`, for a stream whose cameras are `cameras`. Its one top-level
/// message is the payload's; the message index array is `[0]`.
pub fn derive(
    fields: &[(String, Value)],
    name: &str,
    namespace: Option<&str>,
    cameras: &[CameraId],
) -> Result<File, Underivable> {
    if !is_identifier(name) {
        return Err(Underivable(format!(
            "record_name `{name}` is not a valid Protobuf message name (a letter or `_`, then letters, digits or `_`); rename it"
        )));
    }
    let package = namespace.unwrap_or_default();
    if !package.is_empty() && !package.split('.').all(is_identifier) {
        return Err(Underivable(format!(
            "namespace `{package}` is not a valid Protobuf package (identifiers separated by `.`); rename it"
        )));
    }
    let deriver = Deriver { cameras };
    let shapes = deriver.fields(fields, "")?;
    let full = match package.is_empty() {
        true => name.to_string(),
        false => format!("{package}.{name}"),
    };
    let message = build(name, &full, shapes, "")?;
    Ok(File {
        package: package.to_string(),
        imports: Vec::new(),
        messages: vec![message],
        enums: Vec::new(),
    })
}

/// Whether `name` is a Protobuf identifier: a letter or `_`, then letters, digits, `_`.
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What a value's field will be, before nested messages are named (and what a user
/// schema's field is checked against).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    /// Integers in this range (the type is chosen by it at the end).
    Int { min: i128, max: i128 },
    /// Texts: these (a choice's, a constant's), or any (`None`).
    Strings(Option<BTreeSet<String>>),
    /// A timestamp generator's values.
    Stamp(Stamp),
    /// A fixed scalar type (`int64`, `double`, `bool`).
    Scalar(Type),
    /// An object: its fields, each with whether it can be null.
    Message(Vec<(String, Shape, bool)>),
    /// A list of items of one shape.
    Repeated(Box<Shape>),
    /// The items of an empty list.
    Empty,
}

/// How a timestamp generator writes its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stamp {
    /// `epoch_ms`: integer milliseconds.
    Millis,
    /// `epoch_s`: integer seconds.
    Seconds,
    /// `rfc3339`, `rfc3339_ms`: RFC 3339 text.
    Rfc3339,
    /// A strftime pattern's text.
    Pattern,
}

impl Shape {
    /// The scalar a timestamp is when it is not a `google.protobuf.Timestamp`.
    fn plain(self) -> Shape {
        match self {
            Shape::Stamp(Stamp::Millis | Stamp::Seconds) => Shape::Scalar(Type::Int64),
            Shape::Stamp(Stamp::Rfc3339 | Stamp::Pattern) => Shape::Strings(None),
            other => other,
        }
    }

    pub(super) fn describe(&self) -> &'static str {
        match self {
            Shape::Int { .. } => "integer",
            Shape::Strings(_) => "string",
            Shape::Stamp(Stamp::Millis | Stamp::Seconds) => "integer timestamp",
            Shape::Stamp(Stamp::Rfc3339 | Stamp::Pattern) => "text timestamp",
            Shape::Scalar(Type::Bool) => "boolean",
            Shape::Scalar(_) => "number",
            Shape::Message(_) => "object",
            Shape::Repeated(_) | Shape::Empty => "list",
        }
    }
}

pub(super) struct Deriver<'a> {
    pub(super) cameras: &'a [CameraId],
}

fn json_advice() -> &'static str {
    "or use `value: {format: json}`"
}

impl Deriver<'_> {
    /// The shapes of a payload's (or an object's) fields, each with whether it can be null.
    pub(super) fn fields(
        &self,
        fields: &[(String, Value)],
        prefix: &str,
    ) -> Result<Vec<(String, Shape, bool)>, Underivable> {
        fields
            .iter()
            .map(|(name, value)| {
                let path = format!("{prefix}{name}");
                let (shape, nullable) = self.value(value, &path)?;
                Ok((name.clone(), shape, nullable))
            })
            .collect()
    }

    /// The shape of a value and whether it can be null.
    fn value(&self, value: &Value, path: &str) -> Result<(Shape, bool), Underivable> {
        match value {
            Value::Constant(Json::Null) => Err(Underivable(format!(
                "`{path}`: a null constant has no Protobuf type; remove the field (a left-out field is what a null is in Protobuf) {}",
                json_advice()
            ))),
            Value::Constant(json) => Ok((self.json(json, path)?, false)),
            Value::Object(fields) => Ok((
                Shape::Message(self.fields(fields, &format!("{path}."))?),
                false,
            )),
            Value::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(item, &format!("{path}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                list(items, path).map(|shape| (shape, false))
            }
            Value::Generated {
                generator,
                null_rate,
                ..
            } => {
                let (shape, nullable) = self.generator(generator, path)?;
                Ok((shape, nullable || null_rate.is_some()))
            }
        }
    }

    /// The shape of a generator's values and whether one of them is null (a choice's).
    fn generator(&self, generator: &Gen, path: &str) -> Result<(Shape, bool), Underivable> {
        let shape = match generator {
            Gen::EventId => Shape::Strings(None),
            Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)) => {
                Shape::Stamp(Stamp::Millis)
            }
            Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochS)) => {
                Shape::Stamp(Stamp::Seconds)
            }
            Gen::Timestamp(TimeFormat::Named(
                TimeFormatName::Rfc3339 | TimeFormatName::Rfc3339Ms,
            )) => Shape::Stamp(Stamp::Rfc3339),
            Gen::Timestamp(TimeFormat::Pattern(_)) => Shape::Stamp(Stamp::Pattern),
            Gen::CameraId => {
                let ints: Vec<i128> = (self.cameras.iter())
                    .filter_map(|c| match c {
                        CameraId::Int(n) => Some(i128::from(*n)),
                        CameraId::Text(_) => None,
                    })
                    .collect();
                let texts = self.cameras.iter().any(|c| matches!(c, CameraId::Text(_)));
                match (ints.iter().min(), ints.iter().max(), texts) {
                    (Some(&min), Some(&max), false) => Shape::Int { min, max },
                    (Some(_), Some(_), true) => {
                        return Err(Underivable(format!(
                            "`{path}`: the camera ids are both numbers and texts, which no one Protobuf field holds; make them all texts or all numbers {}",
                            json_advice()
                        )));
                    }
                    (None, _, _) | (_, None, _) => Shape::Strings(None),
                }
            }
            Gen::Camera(values) | Gen::Choice { values, .. } => return self.one_of(values, path),
            Gen::Float(_) | Gen::Normal(_) => Shape::Scalar(Type::Double),
            &Gen::Int(IntParams { min, max }) => Shape::Int {
                min: min.into(),
                max: max.into(),
            },
            Gen::Sequence { .. } | Gen::TrackId => Shape::Scalar(Type::Int64),
            Gen::EntityId => Shape::Strings(None),
            Gen::Entity { generator, .. } => return self.generator(generator, path),
            Gen::Bbox(frames) => {
                let max = frames
                    .iter()
                    .map(|f| f.width.max(f.height))
                    .max()
                    .unwrap_or(0);
                let number = Shape::Int {
                    min: 0,
                    max: i128::from(max),
                };
                Shape::Message(
                    ["x", "y", "w", "h"]
                        .map(|n| (n.to_string(), number.clone(), false))
                        .to_vec(),
                )
            }
        };
        Ok((shape, false))
    }

    /// The one shape of `values` (a choice, a camera attribute) and whether one is null.
    fn one_of(&self, values: &[Json], path: &str) -> Result<(Shape, bool), Underivable> {
        let nullable = values.iter().any(Json::is_null);
        let mut shape: Option<Shape> = None;
        for value in values.iter().filter(|v| !v.is_null()) {
            let next = self.json(value, path)?;
            shape = Some(match shape {
                None => next,
                Some(before) => unify(before, next, path, "values")?,
            });
        }
        match shape {
            Some(shape) => Ok((shape, nullable)),
            None => Err(Underivable(format!(
                "`{path}`: its values are all null, which has no Protobuf type; remove the field {}",
                json_advice()
            ))),
        }
    }

    /// The shape of a constant JSON value (not null).
    fn json(&self, json: &Json, path: &str) -> Result<Shape, Underivable> {
        Ok(match json {
            Json::Null => {
                return Err(Underivable(format!(
                    "`{path}`: null has no Protobuf type here (only a whole field can be left out); remove it {}",
                    json_advice()
                )));
            }
            Json::Bool(_) => Shape::Scalar(Type::Bool),
            Json::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Shape::Int {
                    min: i.into(),
                    max: i.into(),
                },
                (None, Some(u)) => Shape::Int {
                    min: u.into(),
                    max: u.into(),
                },
                (None, None) => Shape::Scalar(Type::Double),
            },
            Json::String(s) => Shape::Strings(Some(BTreeSet::from([s.clone()]))),
            Json::Array(items) => {
                let items = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| Ok((self.json(item, &format!("{path}[{i}]"))?, false)))
                    .collect::<Result<Vec<_>, Underivable>>()?;
                list(items, path)?
            }
            Json::Object(fields) => Shape::Message(
                fields
                    .iter()
                    .map(|(name, item)| {
                        let shape = self.json(item, &format!("{path}.{name}"))?;
                        Ok((name.clone(), shape, false))
                    })
                    .collect::<Result<_, Underivable>>()?,
            ),
        })
    }
}

/// The shape of a list whose items have the shapes `items`.
fn list(items: Vec<(Shape, bool)>, path: &str) -> Result<Shape, Underivable> {
    let mut shape = Shape::Empty;
    for (i, (item, nullable)) in items.into_iter().enumerate() {
        if nullable {
            return Err(Underivable(format!(
                "`{path}[{i}]`: a list item that can be null, which a repeated field cannot hold; drop its `null_rate` {}",
                json_advice()
            )));
        }
        if matches!(item, Shape::Repeated(_)) {
            return Err(Underivable(format!(
                "`{path}[{i}]`: a list in a list, which Protobuf has no type for (a repeated field of repeated fields); make it a list of objects {}",
                json_advice()
            )));
        }
        shape = match shape {
            Shape::Empty => item,
            before => unify(before, item, path, "items")?,
        };
    }
    Ok(Shape::Repeated(Box::new(shape)))
}

/// The one shape that holds the values of both `a` and `b`, or why there is none.
fn unify(a: Shape, b: Shape, path: &str, what: &str) -> Result<Shape, Underivable> {
    let differ = |a: &Shape, b: &Shape| {
        Underivable(format!(
            "`{path}`: its {what} differ in type ({} and {}), which no one Protobuf field holds; make them alike {}",
            a.describe(),
            b.describe(),
            json_advice()
        ))
    };
    Ok(match (a, b) {
        (Shape::Stamp(x), Shape::Stamp(y)) if x == y => Shape::Stamp(x),
        (a @ Shape::Stamp(_), b) | (a, b @ Shape::Stamp(_)) => {
            unify(a.plain(), b.plain(), path, what)?
        }
        (Shape::Strings(x), Shape::Strings(y)) => Shape::Strings(match (x, y) {
            (Some(mut x), Some(y)) => {
                x.extend(y);
                Some(x)
            }
            (Some(_) | None, _) => None,
        }),
        (Shape::Int { min, max }, Shape::Int { min: lo, max: hi }) => Shape::Int {
            min: min.min(lo),
            max: max.max(hi),
        },
        (Shape::Int { .. }, Shape::Scalar(Type::Double))
        | (Shape::Scalar(Type::Double), Shape::Int { .. }) => Shape::Scalar(Type::Double),
        (Shape::Int { min, max }, Shape::Scalar(Type::Int64))
        | (Shape::Scalar(Type::Int64), Shape::Int { min, max })
            if i64::try_from(min).is_ok() && i64::try_from(max).is_ok() =>
        {
            Shape::Scalar(Type::Int64)
        }
        (Shape::Scalar(x), Shape::Scalar(y)) if x == y => Shape::Scalar(x),
        (Shape::Message(x), Shape::Message(y))
            if x.len() == y.len() && x.iter().zip(&y).all(|(f, g)| f.0 == g.0) =>
        {
            let fields = x
                .into_iter()
                .zip(y)
                .map(|((name, s, m), (_, t, n))| {
                    let shape = unify(s, t, &format!("{path}.{name}"), "values")?;
                    Ok((name, shape, m || n))
                })
                .collect::<Result<_, Underivable>>()?;
            Shape::Message(fields)
        }
        (Shape::Repeated(x), Shape::Repeated(y)) => match (*x, *y) {
            (Shape::Empty, other) | (other, Shape::Empty) => Shape::Repeated(Box::new(other)),
            (x, y) => Shape::Repeated(Box::new(unify(x, y, path, what)?)),
        },
        (a, b) => return Err(differ(&a, &b)),
    })
}

/// The integer type of values in `min..=max`.
pub(super) fn int_type(min: i128, max: i128, path: &str) -> Result<Type, Underivable> {
    let fits = |lo: i128, hi: i128| lo <= min && max <= hi;
    Ok(if min >= 0 {
        match () {
            () if fits(0, i32::MAX.into()) => Type::Int32,
            () if fits(0, i64::MAX.into()) => Type::Int64,
            () => Type::Uint64,
        }
    } else if fits(i32::MIN.into(), i32::MAX.into()) {
        Type::Sint32
    } else if fits(i64::MIN.into(), i64::MAX.into()) {
        Type::Sint64
    } else {
        return Err(Underivable(format!(
            "`{path}`: its values range from {min} to {max}, more than any Protobuf integer holds; narrow them {}",
            json_advice()
        )));
    })
}

/// `name` in CamelCase (`geo_point` → `GeoPoint`), a valid message name.
fn camel(name: &str) -> String {
    let mut out = String::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        out.extend(chars);
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'M');
    }
    out
}

/// The JSON name protoc gives a field: underscores dropped, the letter after one
/// upper-cased.
fn json_name(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        match (c, upper) {
            ('_', _) => upper = true,
            (c, true) => {
                out.push(c.to_ascii_uppercase());
                upper = false;
            }
            (c, false) => out.push(c),
        }
    }
    out
}

/// The message named `name` (full name `full`) of the fields `shapes` at `prefix`.
fn build(
    name: &str,
    full: &str,
    shapes: Vec<(String, Shape, bool)>,
    prefix: &str,
) -> Result<Message, Underivable> {
    let mut taken: BTreeSet<String> = shapes.iter().map(|s| s.0.clone()).collect();
    taken.insert(name.to_string());
    let mut json_names = BTreeSet::new();
    let mut message = Message {
        name: name.to_string(),
        fields: Vec::new(),
        messages: Vec::new(),
        enums: Vec::new(),
        at: None,
    };
    for (i, (field, shape, nullable)) in shapes.into_iter().enumerate() {
        let path = format!("{prefix}{field}");
        if !is_identifier(&field) {
            return Err(Underivable(format!(
                "payload field `{path}`: `{field}` is not a valid Protobuf field name (a letter or `_`, then letters, digits or `_`); rename it {}",
                json_advice()
            )));
        }
        if !json_names.insert(json_name(&field)) {
            return Err(Underivable(format!(
                "payload field `{path}`: its JSON name `{}` is another field's too, which protoc refuses; rename one {}",
                json_name(&field),
                json_advice()
            )));
        }
        let (shape, label) = match shape {
            Shape::Repeated(item) => (*item, Label::Repeated),
            other if nullable => (other, Label::Optional),
            other => (other, Label::Singular),
        };
        let ty = match shape.plain() {
            Shape::Int { min, max } => int_type(min, max, &path)?,
            Shape::Strings(_) => Type::String,
            // `plain` made a timestamp its scalar; a `google.protobuf.Timestamp` (`as:
            // well_known`, which the payload model does not carry yet) would be
            // `Type::Timestamp` here, with `TIMESTAMP.1` among the file's imports.
            Shape::Stamp(_) => Type::Int64,
            Shape::Scalar(ty) => ty,
            Shape::Empty => Type::String,
            Shape::Repeated(_) => unreachable_nested(&path)?,
            Shape::Message(fields) => {
                let base = camel(&field);
                let mut nested = base.clone();
                let mut n = 2;
                while !taken.insert(nested.clone()) {
                    nested = format!("{base}{n}");
                    n += 1;
                }
                let nested_full = format!("{full}.{nested}");
                let inner = build(&nested, &nested_full, fields, &format!("{path}."))?;
                message.messages.push(inner);
                Type::Message(nested_full)
            }
        };
        let packed = label == Label::Repeated && !matches!(ty, Type::String | Type::Message(_));
        message.fields.push(Field {
            name: field,
            number: i as u32 + 1,
            ty,
            label,
            packed,
            at: None,
        });
    }
    Ok(message)
}

/// A list of lists, which `list` refuses before a message is built.
fn unreachable_nested(path: &str) -> Result<Type, Underivable> {
    Err(Underivable(format!(
        "`{path}`: a list in a list, which Protobuf has no type for; make it a list of objects {}",
        json_advice()
    )))
}
