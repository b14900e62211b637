//! How a stream's message value is encoded as a file writes it (`value:`), its key's
//! format (`key_format`), and the Schema Registry settings (`schema_registry`), as the
//! file spells them. The mappings are read as JSON by the walker and interpreted by
//! validation; the typed structs here describe them to editors (the JSON Schema).

use schemars::JsonSchema;

/// How the message value is encoded; e.g. `{format: avro, schema: derived, record_name:
/// Detection, namespace: com.example}`. Defaults to `{format: json}`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ValueFile {
    /// `json` (the default: the payload as JSON text, no registry), `avro`, `protobuf`
    /// or `json_schema` (in the Confluent wire format, through a Schema Registry).
    pub format: Option<ValueFormat>,
    /// Where the schema comes from: `derived` (the default: from `payload`), a file
    /// (`{file: schemas/detection.avsc}`; for Protobuf `{file: detection.proto, message:
    /// Detection}`), a registered id (`{id: 42}`) or a subject's version (`{subject:
    /// detections-value, version: latest}`).
    pub schema: Option<SchemaSource>,
    /// The registry subject: `topic` (TopicNameStrategy, the default: `<topic>-value`),
    /// `record` (`<full record name>`), `topic_record` (`<topic>-<full record name>`) or
    /// `{name: my-subject}`.
    #[schemars(with = "Option<SubjectFile>")]
    pub subject: Option<serde_json::Value>,
    /// `auto` (the default: register the schema if absent) or `never` (it must already
    /// be registered under the subject).
    pub register: Option<Register>,
    /// The name of the derived Avro record, Protobuf message or JSON Schema title.
    /// Defaults to `Event`.
    pub record_name: Option<String>,
    /// The namespace of the derived Avro record (the Protobuf package), e.g.
    /// `com.example`. Defaults to none.
    pub namespace: Option<String>,
}

impl ValueFile {
    /// The keys `value` may have.
    pub const FIELDS: &'static [&'static str] = &[
        "format",
        "schema",
        "subject",
        "register",
        "record_name",
        "namespace",
    ];
}

/// Where a value's schema comes from.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum SchemaSource {
    /// `derived`: from the stream's payload.
    Named(SchemaName),
    /// `{file: …}` (with `message:` for a `.proto`), `{id: …}` or `{subject: …,
    /// version: …}`.
    Given(#[schemars(with = "GivenSchema")] serde_json::Value),
}

/// A schema given rather than derived: exactly one of `file`, `id` and `subject`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GivenSchema {
    /// A schema file (`.avsc`, `.proto`, or a JSON Schema `.json`), relative to the
    /// scenario file's directory.
    pub file: Option<String>,
    /// With a `.proto` file: the message the values are (needed when the file has
    /// several top-level messages).
    pub message: Option<String>,
    /// A schema already registered, by its global id.
    #[schemars(range(min = 1))]
    pub id: Option<u32>,
    /// A subject whose registered schema to use, with `version`.
    pub subject: Option<String>,
    /// With `subject`: a version number, or `latest` (the default).
    #[schemars(with = "Option<serde_json::Value>")]
    pub version: Option<serde_json::Value>,
}

impl GivenSchema {
    /// The keys a given schema may have.
    pub const FIELDS: &'static [&'static str] = &["file", "message", "id", "subject", "version"];
}

/// How the subject a schema is registered under is named.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum SubjectFile {
    /// A naming strategy.
    Strategy(SubjectStrategy),
    /// `{name: my-subject}`: this subject.
    Named {
        /// The subject.
        name: String,
    },
}

named! {
    /// Confluent's subject naming strategies.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum SubjectStrategy {
        /// TopicNameStrategy: `<topic>-value` (`<topic>-key` for keys).
        Topic => "topic",
        /// RecordNameStrategy: the record's (message's) full name.
        Record => "record",
        /// TopicRecordNameStrategy: `<topic>-<full record name>`.
        TopicRecord => "topic_record",
    }
}

/// The Schema Registry, e.g. `{url: http://registry:8081, auth: {username: svc,
/// password: "@/run/secrets/sr"}}`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RegistryFile {
    /// The registry's base URL (`http://…` or `https://…`). `--schema-registry` and
    /// `SCHEMA_REGISTRY_URL` override it.
    pub url: Option<String>,
    /// Credentials: `{username, password}` (HTTP basic) or `{bearer: TOKEN}`; a value
    /// `@FILE` is read from the file.
    pub auth: Option<RegistryAuth>,
    /// With `https`: the CA certificate file (PEM) to trust.
    pub ca: Option<String>,
    /// With `https`: the client certificate file (PEM).
    pub cert: Option<String>,
    /// With `https`: the client key file (PEM).
    pub key: Option<String>,
}

impl RegistryFile {
    /// The keys `schema_registry` may have.
    pub const FIELDS: &'static [&'static str] = &["url", "auth", "ca", "cert", "key"];
}

/// Registry credentials.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RegistryAuth {
    /// The basic-auth user.
    pub username: Option<String>,
    /// The basic-auth password (`@FILE` reads it from a file).
    pub password: Option<String>,
    /// A bearer token (`@FILE` reads it from a file).
    pub bearer: Option<String>,
}

named! {
    /// The encodings of a message value, by the name written after `format:`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum ValueFormat {
        /// The payload as JSON text (today's bytes).
        Json => "json",
        /// Avro binary in the Confluent wire format.
        Avro => "avro",
        /// Protobuf in the Confluent wire format (with message indexes).
        Protobuf => "protobuf",
        /// JSON text checked against a JSON Schema, in the Confluent wire format.
        JsonSchema => "json_schema",
    }
}

named! {
    /// The schemas that have names.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum SchemaName {
        /// Derived from the stream's payload.
        Derived => "derived",
    }
}

named! {
    /// Whether a schema is registered.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum Register {
        /// Register it if absent.
        Auto => "auto",
        /// It must already exist.
        Never => "never",
    }
}

named! {
    /// How a message key is encoded.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum KeyFormat {
        /// As text (today's keys).
        String => "string",
        /// Avro (not supported yet).
        Avro => "avro",
        /// Protobuf (not supported yet).
        Protobuf => "protobuf",
        /// JSON Schema (not supported yet).
        JsonSchema => "json_schema",
    }
}
