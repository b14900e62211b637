//! What the registry holds of one schema, whatever its type: the `schemaType`, the
//! references, the parsed schema and its identities, and the one compatibility check
//! a compatibility level asks for (BACKWARD: the new schema reads the old one's data;
//! FORWARD: the old reads the new's; FULL: both; the `_TRANSITIVE` levels against every
//! live version instead of the latest; NONE: none).

use std::collections::BTreeMap;

use serde_json::{Value as Json, json};

use super::avro::{self, AvroSchema};
use super::avro_compat;
use super::json_schema::{self, JsonSchema};
use super::problem::{Problem, Roles};
use super::proto::{self, ProtoSchema};

/// A schema's `schemaType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `AVRO`, the default when a request names none.
    Avro,
    /// `PROTOBUF`
    Protobuf,
    /// `JSON` (JSON Schema)
    Json,
}

impl Kind {
    /// The name the API uses.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Avro => "AVRO",
            Kind::Protobuf => "PROTOBUF",
            Kind::Json => "JSON",
        }
    }

    /// The kind an API name means (as the registry does, in any case).
    pub fn from_name(name: &str) -> Option<Kind> {
        [Kind::Avro, Kind::Protobuf, Kind::Json]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// A compatibility level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `BACKWARD`, the default: the new schema reads data of the latest.
    Backward,
    /// `BACKWARD_TRANSITIVE`: … of every live version.
    BackwardTransitive,
    /// `FORWARD`: the latest reads data of the new schema.
    Forward,
    /// `FORWARD_TRANSITIVE`: every live version reads it.
    ForwardTransitive,
    /// `FULL`: backward and forward with the latest.
    Full,
    /// `FULL_TRANSITIVE`: backward and forward with every live version.
    FullTransitive,
    /// `NONE`: no check.
    None,
}

const LEVELS: [Level; 7] = [
    Level::Backward,
    Level::BackwardTransitive,
    Level::Forward,
    Level::ForwardTransitive,
    Level::Full,
    Level::FullTransitive,
    Level::None,
];

impl Level {
    /// The name the API uses.
    pub fn name(self) -> &'static str {
        match self {
            Level::Backward => "BACKWARD",
            Level::BackwardTransitive => "BACKWARD_TRANSITIVE",
            Level::Forward => "FORWARD",
            Level::ForwardTransitive => "FORWARD_TRANSITIVE",
            Level::Full => "FULL",
            Level::FullTransitive => "FULL_TRANSITIVE",
            Level::None => "NONE",
        }
    }

    /// The level a name means, in any case.
    pub fn from_name(name: &str) -> Option<Level> {
        LEVELS
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(name))
    }

    /// Whether it checks against every live version, not only the latest.
    pub(crate) fn transitive(self) -> bool {
        matches!(
            self,
            Level::BackwardTransitive | Level::ForwardTransitive | Level::FullTransitive
        )
    }

    /// The directions it checks.
    fn roles(self) -> &'static [Roles] {
        match self {
            Level::Backward | Level::BackwardTransitive => &[Roles::BACKWARD],
            Level::Forward | Level::ForwardTransitive => &[Roles::FORWARD],
            Level::Full | Level::FullTransitive => &[Roles::BACKWARD, Roles::FORWARD],
            Level::None => &[],
        }
    }
}

/// A reference of a schema to another subject's version: `{name, subject, version}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reference {
    /// For Protobuf the import path; for Avro the referenced type's full name.
    pub name: String,
    /// The subject holding the referenced schema.
    pub subject: String,
    /// Its version there.
    pub version: i64,
}

impl Reference {
    /// As the API writes it.
    pub(crate) fn to_json(&self) -> Json {
        json!({"name": self.name, "subject": self.subject, "version": self.version})
    }
}

/// A parsed schema of any kind.
#[derive(Debug, Clone)]
pub(crate) enum Parsed {
    /// Avro
    Avro(AvroSchema),
    /// Protobuf
    Protobuf(ProtoSchema),
    /// JSON Schema
    Json(JsonSchema),
}

/// A schema the registry assigned an id: what `GET /schemas/ids/{id}` returns, and
/// what compatibility checks read.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// The `schemaType`.
    pub kind: Kind,
    /// The text returned for it.
    pub text: String,
    /// Its references.
    pub references: Vec<Reference>,
    /// The parsed schema.
    pub parsed: Parsed,
}

impl Stored {
    /// The text an answer carries for `format` (the `format` query parameter):
    /// `serialized` asks a Protobuf schema as a base64 `FileDescriptorProto`; any
    /// other format, or another schema type, is the stored text.
    pub(crate) fn text_as(&self, format: Option<&str>) -> String {
        match (&self.parsed, format) {
            (Parsed::Protobuf(s), Some("serialized")) => s.serialized(),
            (Parsed::Protobuf(_) | Parsed::Avro(_) | Parsed::Json(_), _) => self.text.clone(),
        }
    }
}

/// A schema's two identities: as sent (layout aside) and normalised.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Identity {
    /// As sent.
    pub raw: String,
    /// Normalised.
    pub normalized: String,
}

/// Parses `text` of `kind`; `references` are each reference's name and stored schema.
pub(crate) fn parse(
    kind: Kind,
    text: &str,
    references: &[(&str, &Stored)],
) -> Result<Parsed, String> {
    match kind {
        Kind::Avro => {
            let mut named = Vec::new();
            for (name, stored) in references {
                match &stored.parsed {
                    Parsed::Avro(s) => named.push(s),
                    Parsed::Protobuf(_) | Parsed::Json(_) => {
                        return Err(format!("reference {name:?} is not an Avro schema"));
                    }
                }
            }
            avro::parse(text, &named).map(Parsed::Avro)
        }
        Kind::Protobuf => {
            let mut imports = BTreeMap::new();
            for (name, stored) in references {
                match &stored.parsed {
                    Parsed::Protobuf(s) => imports.extend(s.imports.clone()),
                    Parsed::Avro(_) | Parsed::Json(_) => {
                        return Err(format!("reference {name:?} is not a Protobuf schema"));
                    }
                }
                imports.insert(name.to_string(), stored.text.clone());
            }
            proto::parse(text, &imports).map(Parsed::Protobuf)
        }
        Kind::Json => json_schema::parse(text).map(Parsed::Json),
    }
}

impl Parsed {
    /// Its identities.
    pub(crate) fn identity(&self) -> Identity {
        match self {
            Parsed::Avro(s) => Identity {
                raw: s.identity(),
                normalized: s.normalized(),
            },
            Parsed::Protobuf(s) => Identity {
                raw: s.identity(),
                normalized: s.normalized(),
            },
            Parsed::Json(s) => Identity {
                raw: s.compact(),
                normalized: s.normalized(),
            },
        }
    }

    /// The text stored and returned for it: for Avro and JSON Schema the compact JSON
    /// (normalised if asked); for Protobuf the text as sent.
    pub(crate) fn text(&self, sent: &str, normalize: bool) -> String {
        match (self, normalize) {
            (Parsed::Avro(s), false) => s.compact.clone(),
            (Parsed::Avro(s), true) => s.normalized(),
            (Parsed::Json(s), false) => s.compact(),
            (Parsed::Json(s), true) => s.normalized(),
            (Parsed::Protobuf(_), _) => sent.to_string(),
        }
    }
}

/// Every reason `new` may not follow `old` under `level` (none: compatible).
pub(crate) fn problems(new: &Parsed, old: &Parsed, level: Level) -> Vec<Problem> {
    let mut out = Vec::new();
    for roles in level.roles() {
        let (reader, writer) = if roles.reader == "new" {
            (new, old)
        } else {
            (old, new)
        };
        out.extend(match (reader, writer) {
            (Parsed::Avro(r), Parsed::Avro(w)) => avro_compat::problems(r, w, *roles),
            (Parsed::Protobuf(r), Parsed::Protobuf(w)) => proto::problems(r, w, *roles),
            (Parsed::Json(r), Parsed::Json(w)) => json_schema::problems(r, w, *roles),
            (
                Parsed::Avro(_) | Parsed::Protobuf(_) | Parsed::Json(_),
                Parsed::Avro(_) | Parsed::Protobuf(_) | Parsed::Json(_),
            ) => vec![Problem::new(
                "SCHEMA_TYPE_CHANGED",
                "Incompatible because of different schema type".to_string(),
                "",
            )],
        });
    }
    out.dedup();
    out
}
