//! A user's Protobuf message checked against a stream's payload before anything is
//! sent: every payload field must be a field of the message, of a type that holds its
//! values exactly (the payload's values are read as `derive` reads them); a field that
//! can be null must have presence (`optional`, or a message); a field of the message
//! the payload does not produce is allowed, as proto3 allows any field to be left out
//! (a reader sees its default).
//!
//! What holds what: integers in a range → any integer type whose range holds it
//! (`double` when within ±2⁵³); decimals → `double`; texts → `string` or `bytes` (its
//! UTF-8), or an enum when every value is one of its names; booleans → `bool`;
//! `epoch_ms` timestamps → `int64`-like types or `google.protobuf.Timestamp`;
//! `rfc3339` ones → `string` or `google.protobuf.Timestamp`; objects → a message checked
//! field by field; lists → `repeated` of a type that holds the items.

use std::collections::BTreeMap;

use super::derive::{Deriver, Shape, Stamp};
use super::{Declared, Field, File, Label, Message, Type};
use crate::encode::misfit::Misfit;
use crate::scenario::model::CameraId;
use crate::scenario::payload::Value;

/// Where `payload` (for a stream whose cameras are `cameras`) does not fit the message of
/// full name `message` declared in `files` (the user's file and its imports); empty when
/// it fits.
pub fn check(
    files: &[File],
    message: &str,
    payload: &[(String, Value)],
    cameras: &[CameraId],
) -> Vec<Misfit> {
    let mut declared = BTreeMap::new();
    for file in files {
        declared.extend(file.declarations());
    }
    let mut checker = Checker {
        declared,
        misfits: Vec::new(),
    };
    let Some(Declared::Message(root)) = checker.declared.get(message).copied() else {
        return vec![Misfit {
            payload: None,
            schema: format!("message {message}"),
            at: None,
            message: format!("the schema declares no message `{message}`"),
            help: "name one of its messages".into(),
        }];
    };
    match (Deriver { cameras }).fields(payload, "") {
        Ok(shapes) => checker.message(root, message, &shapes, ""),
        Err(why) => checker.misfits.push(Misfit {
            payload: None,
            schema: format!("message {message}"),
            at: root.at,
            message: why.0,
            help: "change the payload so each value has one type".into(),
        }),
    }
    checker.misfits
}

struct Checker<'f> {
    declared: BTreeMap<String, Declared<'f>>,
    misfits: Vec<Misfit>,
}

impl Checker<'_> {
    fn message(
        &mut self,
        message: &Message,
        full: &str,
        shapes: &[(String, Shape, bool)],
        prefix: &str,
    ) {
        for (name, shape, nullable) in shapes {
            let path = format!("{prefix}{name}");
            let Some(field) = message.fields.iter().find(|f| &f.name == name) else {
                let known: Vec<&str> = message.fields.iter().map(|f| f.name.as_str()).collect();
                self.misfits.push(Misfit {
                    payload: Some(path),
                    schema: format!("message {full}"),
                    at: message.at,
                    message: format!("message {full} has no field `{name}`"),
                    help: format!(
                        "add the field to the message or remove it from the payload (its fields: {})",
                        known.join(", ")
                    ),
                });
                continue;
            };
            self.field(field, full, shape, *nullable, &path);
        }
    }

    fn field(&mut self, field: &Field, full: &str, shape: &Shape, nullable: bool, path: &str) {
        let schema = format!("message {full} field {} ({})", field.number, field.name);
        let misfit = |message: String, help: String| Misfit {
            payload: Some(path.to_string()),
            schema: schema.clone(),
            at: field.at,
            message,
            help,
        };
        let presence = matches!(field.ty, Type::Message(_) | Type::Timestamp);
        if nullable && field.label != Label::Optional && !presence {
            let m = misfit(
                format!(
                    "`{path}` can be null, but field `{}` has no presence: a left-out field reads back as its default, not as null",
                    field.name
                ),
                format!(
                    "declare it `optional {} {}`",
                    field.ty.describe(),
                    field.name
                ),
            );
            self.misfits.push(m);
        }
        let item = match (shape, field.label) {
            (Shape::Repeated(item), Label::Repeated) => item.as_ref(),
            (Shape::Repeated(_), Label::Singular | Label::Optional) => {
                let m = misfit(
                    format!(
                        "`{path}` is a list, but field `{}` is not repeated",
                        field.name
                    ),
                    "declare it `repeated` or make the payload value a single one".into(),
                );
                self.misfits.push(m);
                return;
            }
            (_, Label::Repeated) => {
                let m = misfit(
                    format!(
                        "`{path}` is a single {}, but field `{}` is repeated",
                        shape.describe(),
                        field.name
                    ),
                    "make the payload value a list or the field singular".into(),
                );
                self.misfits.push(m);
                return;
            }
            (_, Label::Singular | Label::Optional) => shape,
        };
        if let (Shape::Message(fields), Type::Message(name)) = (item, &field.ty) {
            match self.declared.get(name).copied() {
                Some(Declared::Message(nested)) => {
                    self.message(nested, name, fields, &format!("{path}."))
                }
                Some(Declared::Enum(_)) | None => {}
            }
            return;
        }
        if let Some(why) = self.holds(&field.ty, item) {
            let m = misfit(
                format!(
                    "field `{}` is {}, which cannot hold `{path}` ({}): {why}",
                    field.name,
                    field.ty.describe(),
                    item.describe()
                ),
                "change the field's type or the payload's generator".into(),
            );
            self.misfits.push(m);
        }
    }

    /// Why `ty` cannot hold the values of `shape` exactly; `None` when it can.
    fn holds(&self, ty: &Type, shape: &Shape) -> Option<String> {
        let range = |lo: i128, hi: i128, min: i128, max: i128| {
            (lo > min || max > hi)
                .then(|| format!("its values range from {min} to {max}, beyond {lo}..={hi}"))
        };
        match (shape, ty) {
            (Shape::Int { min, max }, Type::Int32 | Type::Sint32 | Type::Sfixed32) => {
                range(i32::MIN.into(), i32::MAX.into(), *min, *max)
            }
            (Shape::Int { min, max }, Type::Int64 | Type::Sint64 | Type::Sfixed64) => {
                range(i64::MIN.into(), i64::MAX.into(), *min, *max)
            }
            (Shape::Int { min, max }, Type::Uint32 | Type::Fixed32) => {
                range(0, u32::MAX.into(), *min, *max)
            }
            (Shape::Int { min, max }, Type::Uint64 | Type::Fixed64) => {
                range(0, u64::MAX.into(), *min, *max)
            }
            (Shape::Int { min, max }, Type::Double) => range(-(1 << 53), 1 << 53, *min, *max),
            (Shape::Int { min, max }, Type::Float) => range(-(1 << 24), 1 << 24, *min, *max),
            (
                Shape::Scalar(Type::Int64) | Shape::Stamp(Stamp::Millis | Stamp::Seconds),
                Type::Int64 | Type::Sint64 | Type::Sfixed64,
            ) => None,
            (Shape::Stamp(Stamp::Millis | Stamp::Rfc3339), Type::Timestamp) => None,
            (Shape::Stamp(Stamp::Seconds), Type::Timestamp) => Some(
                "a Timestamp is read from milliseconds (`format: epoch_ms`) or RFC 3339 text"
                    .into(),
            ),
            (
                Shape::Stamp(Stamp::Rfc3339 | Stamp::Pattern) | Shape::Strings(_),
                Type::String | Type::Bytes,
            ) => None,
            (Shape::Strings(Some(values)), Type::Enum(name)) => {
                let Some(Declared::Enum(e)) = self.declared.get(name).copied() else {
                    return Some(format!("no enum `{name}` is declared"));
                };
                let unknown: Vec<&str> = values
                    .iter()
                    .filter(|v| !e.values.iter().any(|(n, _)| n == *v))
                    .map(String::as_str)
                    .collect();
                (!unknown.is_empty())
                    .then(|| format!("{} are not among its values", unknown.join(", ")))
            }
            (Shape::Scalar(Type::Double), Type::Double)
            | (Shape::Scalar(Type::Bool), Type::Bool) => None,
            (Shape::Scalar(Type::Double), Type::Float) => {
                Some("a float would round the payload's doubles; make it `double`".into())
            }
            (Shape::Empty, _) => None,
            (
                Shape::Scalar(Type::Int64) | Shape::Stamp(Stamp::Millis | Stamp::Seconds),
                Type::Int32 | Type::Sint32 | Type::Sfixed32 | Type::Uint32 | Type::Fixed32,
            ) => Some(
                "a sequence or an epoch timestamp is a 64-bit number; declare the field `int64`"
                    .into(),
            ),
            (Shape::Scalar(Type::Double), _) => {
                Some("its values have decimals; declare the field `double`".into())
            }
            (_, _) => Some("the types differ".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value as Json, json};

    use super::*;
    use crate::encode::protobuf::load;
    use crate::scenario::model::{IntParams, TimeFormatName};
    use crate::scenario::payload::{Gen, TimeFormat};

    const PROTO: &str = "syntax = \"proto3\";\npackage det;\nimport \"google/protobuf/timestamp.proto\";\n\nmessage Detection {\n  enum Kind {\n    KIND_UNKNOWN = 0;\n    person = 1;\n    car = 2;\n  }\n  message Box {\n    int32 x = 1;\n  }\n  int32 small = 1;\n  Kind kind = 2;\n  google.protobuf.Timestamp at = 3;\n  optional double score = 4;\n  Box box = 5;\n  repeated string tags = 6;\n  int64 unused = 7;\n  string name = 8;\n}\n";

    fn generated(generator: Gen, null_rate: Option<f64>) -> Value {
        Value::Generated {
            path: String::new(),
            generator,
            null_rate,
        }
    }

    fn misfits(payload: Vec<(&str, Value)>) -> Vec<Misfit> {
        let dir = crate::encode::protobuf::load::tests::dir_of(&[("det.proto", PROTO)]);
        let loaded = load(&dir.path().join("det.proto"), None).unwrap();
        let payload: Vec<(String, Value)> = payload
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .collect();
        check(&loaded.files, &loaded.message, &payload, &[])
    }

    fn choice(values: Vec<Json>) -> Gen {
        Gen::Choice {
            values,
            weights: None,
        }
    }

    #[test]
    fn a_payload_that_fits_has_no_misfits_and_may_leave_fields_out() {
        let fits = misfits(vec![
            (
                "small",
                generated(Gen::Int(IntParams { min: -5, max: 5 }), None),
            ),
            (
                "kind",
                generated(choice(vec![json!("person"), json!("car")]), None),
            ),
            (
                "at",
                generated(
                    Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)),
                    Some(0.1),
                ),
            ),
            (
                "score",
                generated(choice(vec![json!(0.5), json!(1)]), Some(0.5)),
            ),
            (
                "box",
                Value::Object(vec![("x".into(), Value::Constant(json!(3)))]),
            ),
            ("tags", Value::Constant(json!(["a"]))),
            ("name", generated(Gen::EventId, None)),
        ]);
        assert_eq!(fits, []);
    }

    #[test]
    fn each_misfit_names_both_places() {
        let found = misfits(vec![
            (
                "small",
                generated(
                    Gen::Int(IntParams {
                        min: 0,
                        max: 1 << 40,
                    }),
                    None,
                ),
            ),
            (
                "kind",
                generated(choice(vec![json!("person"), json!("bus")]), None),
            ),
            (
                "at",
                generated(
                    Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochS)),
                    None,
                ),
            ),
            ("name", generated(Gen::EventId, Some(0.5))),
            (
                "box",
                Value::Object(vec![("y".into(), Value::Constant(json!(3)))]),
            ),
            ("tags", Value::Constant(json!("a"))),
            ("extra", Value::Constant(json!(1))),
        ]);
        type Said<'a> = (Option<&'a str>, &'a str, Option<(usize, usize)>, &'a str);
        let said: Vec<Said> = found
            .iter()
            .map(|m| {
                (
                    m.payload.as_deref(),
                    m.schema.as_str(),
                    m.at,
                    m.message.as_str(),
                )
            })
            .collect();
        assert_eq!(
            said,
            [
                (
                    Some("small"),
                    "message det.Detection field 1 (small)",
                    Some((14, 3)),
                    "field `small` is int32, which cannot hold `small` (integer): its values range from 0 to 1099511627776, beyond -2147483648..=2147483647"
                ),
                (
                    Some("kind"),
                    "message det.Detection field 2 (kind)",
                    Some((15, 3)),
                    "field `kind` is enum det.Detection.Kind, which cannot hold `kind` (string): bus are not among its values"
                ),
                (
                    Some("at"),
                    "message det.Detection field 3 (at)",
                    Some((16, 3)),
                    "field `at` is google.protobuf.Timestamp, which cannot hold `at` (integer timestamp): a Timestamp is read from milliseconds (`format: epoch_ms`) or RFC 3339 text"
                ),
                (
                    Some("name"),
                    "message det.Detection field 8 (name)",
                    Some((21, 3)),
                    "`name` can be null, but field `name` has no presence: a left-out field reads back as its default, not as null"
                ),
                (
                    Some("box.y"),
                    "message det.Detection.Box",
                    Some((11, 3)),
                    "message det.Detection.Box has no field `y`"
                ),
                (
                    Some("tags"),
                    "message det.Detection field 6 (tags)",
                    Some((19, 3)),
                    "`tags` is a single string, but field `tags` is repeated"
                ),
                (
                    Some("extra"),
                    "message det.Detection",
                    Some((5, 1)),
                    "message det.Detection has no field `extra`"
                ),
            ]
        );
        assert_eq!(found[3].help, "declare it `optional string name`");
    }

    #[test]
    fn a_narrow_field_says_which_type_would_hold_the_values() {
        let found = misfits(vec![
            ("small", generated(Gen::Sequence { start: 0 }, None)),
            ("unused", generated(choice(vec![json!(0.5)]), None)),
        ]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].message.ends_with("declare the field `int64`"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.ends_with("declare the field `double`"),
            "{}",
            found[1].message
        );
    }
}
