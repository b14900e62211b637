//! One stream's value codec: the schema its values are encoded by (derived from the
//! payload, read from the user's file, or fetched from the registry), what is registered
//! for it (the schema text, its type, its references), the subject, and the id the
//! registry gave it. [`Codecs`] holds one per stream and writes a value as the wire
//! carries it: the Confluent header (magic byte 0 and the id), for Protobuf the message
//! indexes, then the body.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use super::avro::{self, Mismatch};
use super::{json, wire};
use crate::scenario::diagnostics::{Diagnostic, Problems};
use crate::scenario::model::Register;
use crate::scenario::validate::{Origin, SchemaFormat};

/// What a stream's values are encoded by.
#[derive(Debug, Clone)]
pub enum Body {
    /// Not known until the registry is asked (`schema: {id}` or `{subject}`).
    Pending,
    /// Avro binary by this schema.
    Avro(avro::Schema),
    /// Avro binary by a schema read from a file (or the registry), with its named types.
    AvroFile(Box<super::avsc::Avsc>),
    /// Protobuf binary by this message, after these message indexes.
    Protobuf {
        /// The message's encoder.
        encoder: Box<super::protobuf::Encoder>,
        /// The path of the message in its file (Confluent's message indexes).
        indexes: Vec<i32>,
    },
    /// The JSON text itself (JSON Schema).
    Json,
}

/// A schema another one refers to (an Avro named type or a Protobuf import), registered
/// first under its own subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The name the referring schema uses (the import path, the full type name).
    pub name: String,
    /// The subject it is registered under.
    pub subject: String,
    /// Its schema text.
    pub schema: String,
}

/// A stream's codec.
#[derive(Debug, Clone)]
pub struct Codec {
    /// The schema language.
    pub format: SchemaFormat,
    /// What the values are encoded by.
    pub body: Body,
    /// Where the schema came from.
    pub origin: Origin,
    /// The schema text registered (empty while [`Body::Pending`]).
    pub schema: String,
    /// The schemas it refers to.
    pub references: Vec<Reference>,
    /// The full name of the record (message, title), for the subject strategies.
    pub record: String,
    /// The subject the schema is registered under (or looked up in).
    pub subject: String,
    /// Whether it may be registered.
    pub register: Register,
    /// The registry's id, or [`wire::PLACEHOLDER_ID`] until resolved.
    pub id: u32,
}

impl Codec {
    /// Appends the encoded value of the JSON text `text` (what the renderer wrote).
    pub fn write(&self, out: &mut Vec<u8>, text: &[u8]) -> Result<(), Mismatch> {
        wire::write_header(out, self.id);
        self.write_body(out, text)
    }

    /// Appends the value without the header (the message indexes first for Protobuf):
    /// by [`Codec::write_direct`] when it handles the text, else by
    /// [`Codec::write_parsed`] (the bytes are the same either way).
    pub fn write_body(&self, out: &mut Vec<u8>, text: &[u8]) -> Result<(), Mismatch> {
        let start = out.len();
        if self.write_direct(out, text).is_some() {
            return Ok(());
        }
        out.truncate(start);
        self.write_parsed(out, text)
    }

    /// Appends what [`Codec::write_parsed`] appends, in one pass over the text directed
    /// by the schema, building no value (`avro::encode_text`,
    /// `protobuf::Encoder::encode_text`); `None` when that pass does not handle the text
    /// (a user's schema whose fields are in another order than the payload's, a value
    /// that does not fit, …), with part of the value possibly appended.
    pub fn write_direct(&self, out: &mut Vec<u8>, text: &[u8]) -> Option<()> {
        match &self.body {
            Body::Json => {
                out.extend_from_slice(text);
                Some(())
            }
            Body::Pending => None,
            Body::Avro(schema) => avro::encode_text(out, schema, &[], text),
            Body::AvroFile(avsc) => avro::encode_text(out, &avsc.schema, &avsc.named, text),
            Body::Protobuf { encoder, indexes } => {
                super::protobuf::write_message_indexes(out, indexes);
                encoder.encode_text(out, text)
            }
        }
    }

    /// Appends the value without the header, from the text read into a value with
    /// exact numbers ([`json::parse`]) and encoded by the schema: the reference
    /// [`Codec::write_direct`] agrees with, and what says a mismatch.
    pub fn write_parsed(&self, out: &mut Vec<u8>, text: &[u8]) -> Result<(), Mismatch> {
        match &self.body {
            Body::Json => {
                out.extend_from_slice(text);
                Ok(())
            }
            Body::Pending => Err(Mismatch(format!(
                "the schema of subject `{}` was not fetched from the registry",
                self.subject
            ))),
            Body::Avro(schema) => avro::encode(out, schema, &parse(text)?, "value"),
            Body::AvroFile(avsc) => avsc.encode(out, &parse(text)?),
            Body::Protobuf { encoder, indexes } => {
                super::protobuf::write_message_indexes(out, indexes);
                super::protobuf::encode(out, encoder, &parse(text)?)
            }
        }
    }
}

/// The renderer's JSON text as a value with exact numbers.
fn parse(text: &[u8]) -> Result<Json, Mismatch> {
    json::parse(text).ok_or_else(|| Mismatch("value: not JSON".into()))
}

/// Each stream's codec (`None`: a JSON stream), in stream order.
#[derive(Debug, Clone, Default)]
pub struct Codecs {
    /// By stream index.
    pub streams: Vec<Option<Codec>>,
}

impl Codecs {
    /// Whether no stream's values are encoded by a schema.
    pub fn is_empty(&self) -> bool {
        self.streams.iter().all(Option::is_none)
    }

    /// The codec of stream `index`, if its values are encoded by a schema.
    pub fn get(&self, index: usize) -> Option<&Codec> {
        self.streams.get(index).and_then(Option::as_ref)
    }
}

/// How schema files are found and read: relative to `base` (the scenario file's
/// directory), by `read`.
pub struct Files<'a> {
    /// The directory relative paths start from.
    pub base: PathBuf,
    /// Reads a file's text.
    pub read: &'a mut dyn FnMut(&Path) -> io::Result<String>,
}

/// What compiling found wrong: in the scenario file, and in schema files.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// At fields of the scenario file.
    pub problems: Problems,
    /// In other files (each with its file and place).
    pub elsewhere: Vec<Diagnostic>,
}

/// A compiled schema: the body, the registered text, its references, the full name.
pub(crate) type Compiled = (Body, String, Vec<Reference>, String);
