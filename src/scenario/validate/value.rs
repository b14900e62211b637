//! A stream's value encoding (`value:`, `key_format`) and the scenario's
//! `schema_registry`: what this version encodes (`json`, and `avro` with a schema derived
//! from the payload) and a clear refusal, at the field, of what it does not yet (other
//! formats and schema sources, subjects, registration, key formats, a registry).

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::model::{KeyFormat, SchemaSource, ValueFile, ValueFormat};

/// How a stream's message values are encoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ValueEncoding {
    /// As JSON text (the default).
    #[default]
    Json,
    /// As Avro binary by the schema derived from the payload, in the Confluent wire format.
    Avro {
        /// The record's name (a valid Avro name).
        record_name: String,
        /// The record's namespace (dot-separated Avro names), if any.
        namespace: Option<String>,
    },
}

/// The name of a derived record when `record_name` is not given.
pub const DEFAULT_RECORD_NAME: &str = "Event";

/// The names of Avro's primitive types, which no named type may take.
pub const AVRO_PRIMITIVES: &[&str] = &[
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Whether `name` is a valid Avro name: a letter or `_`, then letters, digits or `_`.
pub fn is_avro_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Not supported yet, at `path`: `what`, and what to write instead.
fn not_yet(path: &FieldPath, what: &str, instead: &str) -> Problem {
    Problem::new(path, format!("{what} is not supported yet")).help(instead)
}

/// A stream's value encoding, from its `value:` and `key_format` (at `path`, the
/// stream's); `None` when there are problems (reported).
pub(super) fn value(
    raw: Option<ValueFile>,
    key_format: Option<KeyFormat>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<ValueEncoding> {
    let before = problems.len();
    if let Some(format) = key_format.filter(|f| *f != KeyFormat::String) {
        problems.push(not_yet(
            &path.key("key_format"),
            &format!("`key_format: {}`", format.name()),
            "keys are sent as text: remove `key_format` or write `key_format: string`",
        ));
    }
    let Some(raw) = raw else {
        return (problems.len() == before).then_some(ValueEncoding::Json);
    };
    let at = path.key("value");
    let format = raw.format.unwrap_or(ValueFormat::Json);
    match format {
        ValueFormat::Json | ValueFormat::Avro => {}
        ValueFormat::Protobuf | ValueFormat::JsonSchema => problems.push(not_yet(
            &at.key("format"),
            &format!("`format: {}`", format.name()),
            "this version encodes `json` (the default) and `avro`",
        )),
    }
    if let Some(SchemaSource::Given(given)) = &raw.schema {
        let form = given
            .as_object()
            .and_then(|o| o.keys().next())
            .map_or("a schema mapping".to_string(), |k| {
                format!("`schema: {{{k}: …}}`")
            });
        problems.push(not_yet(
            &at.key("schema"),
            &form,
            "this version derives the schema from the payload: write `schema: derived` or leave it out",
        ));
    }
    for (key, given) in [
        ("subject", raw.subject.is_some()),
        ("register", raw.register.is_some()),
    ] {
        if given {
            problems.push(not_yet(
                &at.key(key),
                &format!("`{key}`"),
                "there is no registry client in this version: remove it (values carry the placeholder schema id 0)",
            ));
        }
    }
    let avro = format == ValueFormat::Avro;
    for (key, given, ok) in [
        (
            "record_name",
            &raw.record_name,
            (|n: &str| is_avro_name(n) && !AVRO_PRIMITIVES.contains(&n)) as fn(&str) -> bool,
        ),
        ("namespace", &raw.namespace, |n: &str| {
            n.split('.').all(is_avro_name)
        }),
    ] {
        let Some(given) = given else { continue };
        if !avro {
            problems.push(
                Problem::new(
                    &at.key(key),
                    format!("`{key}` applies to `format: avro` only"),
                )
                .help("add `format: avro`, or remove it"),
            );
        } else if !ok(given) {
            problems.push(
                Problem::new(&at.key(key), format!("`{given}` is not a valid Avro {}", key.replace('_', " ")))
                    .help("Avro names start with a letter or `_`, then letters, digits or `_`, and are not a primitive type's (a namespace: such names joined by `.`)"),
            );
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(match format {
        ValueFormat::Avro => ValueEncoding::Avro {
            record_name: raw
                .record_name
                .unwrap_or_else(|| DEFAULT_RECORD_NAME.to_string()),
            namespace: raw.namespace,
        },
        ValueFormat::Json | ValueFormat::Protobuf | ValueFormat::JsonSchema => ValueEncoding::Json,
    })
}

/// The scenario's `schema_registry` (at `path`): not supported yet.
pub(super) fn registry(given: bool, path: &FieldPath, problems: &mut Problems) {
    if given {
        problems.push(not_yet(
            path,
            "`schema_registry`",
            "this version has no registry client: remove it; `--dry-run --encoded` frames Avro values with the placeholder schema id 0",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avro_names_are_a_letter_or_underscore_then_word_characters() {
        for good in ["Detection", "_x", "a1_b"] {
            assert!(is_avro_name(good), "{good}");
        }
        for bad in ["", "1a", "a-b", "a.b", "é"] {
            assert!(!is_avro_name(bad), "{bad}");
        }
    }
}
