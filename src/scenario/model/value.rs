//! How a stream's message value is encoded as a file writes it (`value:`), its key's
//! format (`key_format`), and the Schema Registry settings (`schema_registry`). This
//! version encodes `json` and `avro` with a schema derived from the payload; the other
//! spellings are read so that validation can say they are not supported yet.

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// How the message value is encoded; e.g. `{format: avro, schema: derived, record_name:
/// Detection, namespace: com.example}`. Defaults to `{format: json}`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ValueFile {
    /// `json` (the default: the payload as JSON text), `avro` (Avro binary in the
    /// Confluent wire format); `protobuf` and `json_schema` are not supported yet.
    pub format: Option<ValueFormat>,
    /// Where the schema comes from: `derived` (the default: from `payload`). A schema
    /// file (`{file: …}`), id (`{id: …}`) or subject (`{subject: …}`) is not supported yet.
    pub schema: Option<SchemaSource>,
    /// The registry subject (`topic`, `record`, `topic_record`, `{name: …}`). Not
    /// supported yet: there is no registry client in this version.
    #[schemars(with = "Option<serde_json::Value>")]
    pub subject: Option<serde_json::Value>,
    /// Whether to register the schema (`auto`, `never`). Not supported yet.
    pub register: Option<Register>,
    /// The name of the derived Avro record (a valid Avro name). Defaults to `Event`.
    pub record_name: Option<String>,
    /// The namespace of the derived Avro record, e.g. `com.example`. Defaults to none.
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
    /// `{file: …}`, `{id: …}` or `{subject: …, version: …}`: not supported yet.
    Given(#[schemars(with = "BTreeMap<String, serde_json::Value>")] serde_json::Value),
}

named! {
    /// The encodings of a message value, by the name written after `format:`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum ValueFormat {
        /// The payload as JSON text (today's bytes).
        Json => "json",
        /// Avro binary in the Confluent wire format.
        Avro => "avro",
        /// Protobuf (not supported yet).
        Protobuf => "protobuf",
        /// JSON Schema (not supported yet).
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
