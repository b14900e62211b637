//! A stream's value encoding (`value:`, `key_format`) and the scenario's
//! `schema_registry`, checked field by field: which format, where its schema comes from
//! (derived from the payload, a file, a registered id or a subject's version), the
//! subject it is registered under and whether it may be registered. Schema files are
//! read and checked against the payload after validation ([`crate::encode::schemas`]);
//! what is checked here needs no file and no registry. Keys are still sent as text. The
//! registry's own settings are in `registry.rs`.

use serde_json::Value as Json;

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::model::{
    GivenSchema, KeyFormat, Register, SchemaSource, SubjectStrategy, ValueFile, ValueFormat,
};

/// How a stream's message values are encoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ValueEncoding {
    /// As JSON text (the default), with no registry.
    #[default]
    Json,
    /// By a schema, in the Confluent wire format.
    Encoded(Box<Encoding>),
}

impl ValueEncoding {
    /// The encoding by a schema, if the values have one.
    pub fn encoded(&self) -> Option<&Encoding> {
        match self {
            ValueEncoding::Json => None,
            ValueEncoding::Encoded(encoding) => Some(encoding),
        }
    }
}

/// A value encoding by a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoding {
    /// The schema language.
    pub format: SchemaFormat,
    /// Where the schema comes from.
    pub schema: Origin,
    /// How the subject is named.
    pub subject: Subject,
    /// Whether the schema may be registered.
    pub register: Register,
    /// The derived record's (message's, title's) name.
    pub record_name: String,
    /// The derived record's namespace (the Protobuf package), if any.
    pub namespace: Option<String>,
    /// The field path of the stream's `value`, where problems with the schema are shown.
    pub(crate) at: FieldPath,
}

/// The schema languages a value can be encoded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SchemaFormat {
    /// Avro binary.
    Avro,
    /// Protobuf binary, after the message indexes.
    Protobuf,
    /// JSON text valid under a JSON Schema.
    JsonSchema,
}

impl SchemaFormat {
    /// The name written after `format:`.
    pub fn name(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "avro",
            SchemaFormat::Protobuf => "protobuf",
            SchemaFormat::JsonSchema => "json_schema",
        }
    }

    /// The registry's `schemaType`.
    pub fn schema_type(self) -> &'static str {
        match self {
            SchemaFormat::Avro => "AVRO",
            SchemaFormat::Protobuf => "PROTOBUF",
            SchemaFormat::JsonSchema => "JSON",
        }
    }
}

/// Where a value's schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Derived from the stream's payload.
    Derived,
    /// A schema file, as written (relative to the scenario file's directory), with the
    /// Protobuf message the values are.
    File {
        /// The path as written.
        path: String,
        /// The message, for a `.proto` file.
        message: Option<String>,
    },
    /// A registered schema, by global id.
    Id(u32),
    /// A subject's registered version.
    Subject {
        /// The subject.
        name: String,
        /// Its version.
        version: Version,
    },
}

/// A subject's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// The newest.
    Latest,
    /// This one (from 1).
    Number(u32),
}

impl std::fmt::Display for Version {
    /// `latest` or the number, as the registry's URLs write it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Number(n) => write!(f, "{n}"),
        }
    }
}

/// How the subject a value schema is registered under is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// By a strategy.
    Strategy(SubjectStrategy),
    /// This subject.
    Named(String),
}

impl Subject {
    /// The value subject of a schema whose full record name is `record`, sent to `topic`,
    /// as Confluent's strategies name it.
    pub fn name(&self, topic: &str, record: &str) -> String {
        match self {
            Subject::Strategy(SubjectStrategy::Topic) => format!("{topic}-value"),
            Subject::Strategy(SubjectStrategy::Record) => record.to_string(),
            Subject::Strategy(SubjectStrategy::TopicRecord) => format!("{topic}-{record}"),
            Subject::Named(name) => name.clone(),
        }
    }
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

/// The formats that take a schema, by the name written after `format:`.
fn schema_format(format: ValueFormat) -> Option<SchemaFormat> {
    match format {
        ValueFormat::Json => None,
        ValueFormat::Avro => Some(SchemaFormat::Avro),
        ValueFormat::Protobuf => Some(SchemaFormat::Protobuf),
        ValueFormat::JsonSchema => Some(SchemaFormat::JsonSchema),
    }
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
        problems.push(
            Problem::new(
                &path.key("key_format"),
                format!("`key_format: {}` is not supported yet", format.name()),
            )
            .help("keys are sent as text: remove `key_format` or write `key_format: string`"),
        );
    }
    let Some(raw) = raw else {
        return (problems.len() == before).then_some(ValueEncoding::Json);
    };
    let at = path.key("value");
    let Some(format) = schema_format(raw.format.unwrap_or(ValueFormat::Json)) else {
        for (key, given) in [
            ("schema", raw.schema.is_some()),
            ("subject", raw.subject.is_some()),
            ("register", raw.register.is_some()),
            ("record_name", raw.record_name.is_some()),
            ("namespace", raw.namespace.is_some()),
        ] {
            if given {
                problems.push(
                    Problem::new(&at.key(key), format!("`{key}` applies to values encoded by a schema"))
                        .help("add `format: avro` (or `protobuf`, `json_schema`), or remove it: JSON values have no schema"),
                );
            }
        }
        return (problems.len() == before).then_some(ValueEncoding::Json);
    };
    let schema = match &raw.schema {
        None | Some(SchemaSource::Named(_)) => Some(Origin::Derived),
        Some(SchemaSource::Given(given)) => {
            given_schema(given, format, &at.key("schema"), problems)
        }
    };
    let registered = matches!(schema, Some(Origin::Id(_) | Origin::Subject { .. }));
    if registered {
        for (key, given) in [
            ("subject", raw.subject.is_some()),
            ("register", raw.register.is_some()),
        ] {
            if given {
                problems.push(
                    Problem::new(
                        &at.key(key),
                        format!("`{key}` has no effect on a schema that is already registered"),
                    )
                    .help("remove it: values are sent with the id of the schema named by `schema`"),
                );
            }
        }
    }
    let subject = match &raw.subject {
        None => Some(Subject::Strategy(SubjectStrategy::Topic)),
        Some(json) => subject(json, &at.key("subject"), problems),
    };
    names(&raw, format, schema.as_ref(), &at, problems);
    if problems.len() > before {
        return None;
    }
    Some(ValueEncoding::Encoded(Box::new(Encoding {
        format,
        schema: schema?,
        subject: subject?,
        register: raw.register.unwrap_or(Register::Auto),
        record_name: raw
            .record_name
            .unwrap_or_else(|| DEFAULT_RECORD_NAME.to_string()),
        namespace: raw.namespace,
        at,
    })))
}

/// `record_name` and `namespace`: for derived schemas only, valid names of the format.
fn names(
    raw: &ValueFile,
    format: SchemaFormat,
    schema: Option<&Origin>,
    at: &FieldPath,
    problems: &mut Problems,
) {
    let derived = matches!(schema, Some(Origin::Derived) | None);
    for (key, given) in [
        ("record_name", &raw.record_name),
        ("namespace", &raw.namespace),
    ] {
        let Some(given) = given else { continue };
        let path = at.key(key);
        if !derived {
            problems.push(
                Problem::new(&path, format!("`{key}` applies to derived schemas only"))
                    .help("a given schema has its own name: remove it"),
            );
            continue;
        }
        let ok = match (key, format) {
            ("namespace", SchemaFormat::JsonSchema) => {
                problems.push(
                    Problem::new(&path, "`namespace` applies to `avro` and `protobuf`")
                        .help("a JSON Schema has a title only (`record_name`): remove it"),
                );
                continue;
            }
            ("namespace", _) => given.split('.').all(is_avro_name),
            (_, SchemaFormat::JsonSchema) => !given.trim().is_empty(),
            _ => is_avro_name(given) && !AVRO_PRIMITIVES.contains(&given.as_str()),
        };
        if !ok {
            let what = match format {
                SchemaFormat::Avro => "Avro",
                SchemaFormat::Protobuf => "Protobuf",
                SchemaFormat::JsonSchema => "JSON Schema",
            };
            problems.push(
                Problem::new(&path, format!("`{given}` is not a valid {what} {}", key.replace('_', " ")))
                    .help("names start with a letter or `_`, then letters, digits or `_`, and are not an Avro primitive type's (a namespace: such names joined by `.`)"),
            );
        }
    }
}

/// A given schema (`{file}`, `{id}`, `{subject, version}`), at `path`.
fn given_schema(
    given: &Json,
    format: SchemaFormat,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Origin> {
    let Some(map) = given.as_object() else {
        problems.push(Problem::new(
            path,
            "expected `derived` or a mapping such as `{file: schemas/detection.avsc}`",
        ));
        return None;
    };
    let before = problems.len();
    for key in map.keys() {
        if !GivenSchema::FIELDS.contains(&key.as_str()) {
            problems.push(
                Problem::new(&path.key(key), format!("unknown key `{key}` in `schema`"))
                    .help("a schema is `{file: …}` (with `message:` for a .proto), `{id: …}` or `{subject: …, version: …}`"),
            );
        }
    }
    let present: Vec<&str> = ["file", "id", "subject"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    if present.len() != 1 {
        let message = match present.len() {
            0 => "`schema` names no schema".to_string(),
            _ => format!(
                "`schema` names {} schemas (`{}`)",
                present.len(),
                present.join("`, `")
            ),
        };
        problems.push(
            Problem::new(path, message)
                .help("give exactly one of `file: PATH`, `id: N` and `subject: NAME`"),
        );
        return None;
    }
    let text = |key: &str, problems: &mut Problems| match map.get(key) {
        Some(Json::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(_) => {
            problems.push(Problem::new(
                &path.key(key),
                format!("`{key}` must be a non-empty string"),
            ));
            None
        }
        None => None,
    };
    let message = text("message", problems);
    if message.is_some() && (present[0] != "file" || format != SchemaFormat::Protobuf) {
        problems.push(
            Problem::new(&path.key("message"), "`message` applies to a `.proto` file")
                .help("with `format: protobuf` and `file:`, it names the message the values are; remove it otherwise"),
        );
    }
    if map.contains_key("version") && present[0] != "subject" {
        problems.push(
            Problem::new(&path.key("version"), "`version` applies to `subject:`").help("remove it"),
        );
    }
    let source = match present[0] {
        "file" => text("file", problems).map(|path| Origin::File { path, message }),
        "id" => match map.get("id").and_then(Json::as_u64) {
            Some(id @ 1..=0xFFFF_FFFF) => Some(Origin::Id(id as u32)),
            _ => {
                problems.push(
                    Problem::new(
                        &path.key("id"),
                        "a schema id is a whole number from 1 to 4294967295",
                    )
                    .help("write the id the registry gave the schema, e.g. `id: 42`"),
                );
                None
            }
        },
        _ => {
            let name = text("subject", problems);
            let version = version(map.get("version"), &path.key("version"), problems);
            name.zip(version)
                .map(|(name, version)| Origin::Subject { name, version })
        }
    };
    (problems.len() == before).then_some(source).flatten()
}

/// A subject's `version` (at `path`): `latest` (the default) or a number from 1.
fn version(given: Option<&Json>, path: &FieldPath, problems: &mut Problems) -> Option<Version> {
    match given {
        None => Some(Version::Latest),
        Some(Json::String(s)) if s == "latest" => Some(Version::Latest),
        Some(v) => match v.as_u64() {
            Some(n @ 1..=0x7FFF_FFFF) => Some(Version::Number(n as u32)),
            _ => {
                problems.push(
                    Problem::new(path, format!("`{v}` is not a version"))
                        .help("write `latest` or a version number from 1"),
                );
                None
            }
        },
    }
}

/// `subject:`: a strategy's name or `{name: …}`, at `path`.
fn subject(given: &Json, path: &FieldPath, problems: &mut Problems) -> Option<Subject> {
    const HELP: &str = "write `topic` (`<topic>-value`), `record` (the record's full name), `topic_record` (`<topic>-<record>`) or `{name: my-subject}`";
    match given {
        Json::String(s) => match SubjectStrategy::from_name(s) {
            Some(strategy) => Some(Subject::Strategy(strategy)),
            None => {
                problems
                    .push(Problem::new(path, format!("unknown subject strategy `{s}`")).help(HELP));
                None
            }
        },
        Json::Object(map) => match (map.get("name"), map.len()) {
            (Some(Json::String(name)), 1) if !name.trim().is_empty() => {
                Some(Subject::Named(name.clone()))
            }
            _ => {
                problems.push(
                    Problem::new(
                        path,
                        "a named subject is `{name: my-subject}`, a non-empty string",
                    )
                    .help(HELP),
                );
                None
            }
        },
        _ => {
            problems.push(Problem::new(path, "expected a subject strategy").help(HELP));
            None
        }
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

    #[test]
    fn subjects_are_named_as_confluents_strategies_name_them() {
        let topic = Subject::Strategy(SubjectStrategy::Topic);
        let record = Subject::Strategy(SubjectStrategy::Record);
        let both = Subject::Strategy(SubjectStrategy::TopicRecord);
        assert_eq!(
            topic.name("detections", "com.example.Detection"),
            "detections-value"
        );
        assert_eq!(
            record.name("detections", "com.example.Detection"),
            "com.example.Detection"
        );
        assert_eq!(
            both.name("detections", "com.example.Detection"),
            "detections-com.example.Detection"
        );
        assert_eq!(Subject::Named("s".into()).name("t", "r"), "s");
    }
}
