//! Message values as the wire carries them (the Kafka sink, its read-back, `--dry-run
//! --encoded`): a JSON stream's JSON bytes; an encoded stream's value (the very JSON
//! value [`Renderer::write_value`] writes) encoded by its codec and framed in the
//! Confluent wire format with the registry's id (the placeholder 0 in a dry run). A
//! malformed message of an encoded stream is the framing header followed by the broken
//! JSON text (a body no reader can decode: a poison message), or for the binary kinds
//! the good encoding with its framing broken. Also the schemas themselves, per subject
//! (`simulate schema --avro`, `--protobuf`, `--json-schema`).

use std::io::{self, Write};

use crate::error::Error;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};

use super::Renderer;
use crate::encode::avro::Mismatch;
use crate::encode::codec::{Body, Codecs};
use crate::encode::wire;
use crate::plan::{Mark, Outgoing, Plan};
use crate::scenario::Scenario;
use crate::scenario::model::Malformation;
use crate::scenario::validate::SchemaFormat;

/// Whether any stream of `scenario` encodes its values by a schema.
pub fn has_encoded(scenario: &Scenario) -> bool {
    scenario.streams.iter().any(|s| s.value.encoded().is_some())
}

/// The schemas `codecs` would register in `format`, as text (`simulate schema --avro`,
/// `--protobuf`, `--json-schema`): the one schema when the streams of that format share
/// one, else a JSON object from subject to schema (in stream order; a `.proto` as a JSON
/// string). Refused (exit 2) when no stream has that format, or when two streams would
/// register different schemas under one subject.
pub fn schemas_text(
    scenario: &Scenario,
    codecs: &Codecs,
    format: SchemaFormat,
) -> Result<String, Error> {
    let mut subjects: Map<String, Json> = Map::new();
    let mut owners: Vec<&str> = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    for (stream, codec) in scenario.streams.iter().zip(&codecs.streams) {
        let Some(codec) = codec.as_ref().filter(|c| c.format == format) else {
            continue;
        };
        if matches!(codec.body, Body::Pending) {
            continue;
        }
        let shown = match format {
            SchemaFormat::Protobuf => Json::String(codec.schema.clone()),
            SchemaFormat::Avro | SchemaFormat::JsonSchema => {
                serde_json::from_str(&codec.schema).unwrap_or(Json::String(codec.schema.clone()))
            }
        };
        match subjects.get(&codec.subject) {
            Some(other) if *other != shown => {
                let first = owners[subjects
                    .keys()
                    .position(|t| *t == codec.subject)
                    .unwrap_or(0)];
                return Err(Error::Usage(format!(
                    "streams `{first}` and `{}` would register different schemas under subject `{}`; give them the same payload and record name, or different topics or subjects",
                    stream.name, codec.subject
                )));
            }
            Some(_) => {}
            None => {
                subjects.insert(codec.subject.clone(), shown);
                owners.push(&stream.name);
                texts.push(&codec.schema);
            }
        }
    }
    match (subjects.len(), format) {
        (0, _) => Err(Error::Usage(format!(
            "no stream has `value: {{format: {}}}` with a schema known before the run: there is no schema to print",
            format.name()
        ))),
        (1, SchemaFormat::Protobuf) => Ok(texts[0].to_string()),
        (1, SchemaFormat::Avro | SchemaFormat::JsonSchema) => Ok(format!(
            "{:#}\n",
            subjects
                .into_iter()
                .next()
                .map(|(_, s)| s)
                .unwrap_or(Json::Null)
        )),
        _ => Ok(format!("{:#}\n", Json::Object(subjects))),
    }
}

/// The schema id values are framed with when a registry has none for them.
pub const UNKNOWN_ID: u32 = 0x7FFF_FFFF;

impl Renderer<'_> {
    /// Appends the value `message` carries as the wire carries it: a JSON stream's
    /// value (or broken value) as [`Renderer::write_sent_value`] writes it; an encoded
    /// stream's by its codec in the Confluent wire format, and for a malformed message
    /// the header and the broken text (the text kinds) or the good encoding with its
    /// framing broken (`bad_magic`, `unknown_schema_id`, `truncated_binary`).
    pub fn write_wire_value(
        &mut self,
        out: &mut Vec<u8>,
        message: &Outgoing,
        codecs: &Codecs,
    ) -> Result<(), Mismatch> {
        let Some(codec) = codecs.get(message.event.stream as usize) else {
            self.write_sent_value(out, message);
            return Ok(());
        };
        let mut text = std::mem::take(&mut self.wire_text);
        text.clear();
        let kind = match message.mark {
            Mark::Malformed { kind, .. } if !kind.is_binary() => {
                wire::write_header(out, codec.id);
                self.write_sent_value(out, message);
                self.wire_text = text;
                return Ok(());
            }
            Mark::Malformed { kind, .. } => Some(kind),
            Mark::Clean
            | Mark::Held
            | Mark::Late
            | Mark::FirstCopy
            | Mark::Duplicate { .. }
            | Mark::Dropped => None,
        };
        self.write_value(&mut text, &message.event);
        let start = out.len();
        let written = codec.write(out, &text);
        self.wire_text = text;
        written?;
        match kind {
            Some(Malformation::BadMagic) => out[start] = 1,
            Some(Malformation::UnknownSchemaId) => {
                out[start + 1..start + 5].copy_from_slice(&UNKNOWN_ID.to_be_bytes());
            }
            Some(Malformation::TruncatedBinary) => {
                let body = out.len() - start - 5;
                out.truncate(start + 5 + body / 2);
            }
            Some(_) | None => {}
        }
        Ok(())
    }
}

/// Writes the plan of `scenario` from `start` to stdout, one line per message sent: the
/// base64 of its encoded value (with a note on stderr, unless `quiet`, that Avro values
/// carry the placeholder schema id). Returns how many lines were written.
pub fn encoded_dry_run(
    scenario: &Scenario,
    codecs: &Codecs,
    plan: Plan,
    start: DateTime<Utc>,
    quiet: bool,
) -> Result<u64, Error> {
    let placeholder = codecs
        .streams
        .iter()
        .flatten()
        .any(|c| c.id == wire::PLACEHOLDER_ID);
    if placeholder && !quiet {
        eprintln!(
            "note: encoded values are framed with the placeholder schema id {} (a dry run registers nothing)",
            wire::PLACEHOLDER_ID
        );
    }
    encoded_lines(codecs, scenario, plan, start, io::stdout().lock())
}

/// [`encoded_dry_run`] into `out`, by `codecs`.
fn encoded_lines<W: Write>(
    codecs: &Codecs,
    scenario: &Scenario,
    plan: Plan,
    start: DateTime<Utc>,
    out: W,
) -> Result<u64, Error> {
    let mut renderer = Renderer::new(scenario, start);
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let (mut value, mut line) = (Vec::new(), Vec::new());
    let mut written = 0;
    for message in plan {
        if !message.mark.is_sent() {
            continue;
        }
        value.clear();
        renderer
            .write_wire_value(&mut value, &message, codecs)
            // The schemas are derived to fit the values: a mismatch is a bug.
            .map_err(|m| Error::Runtime(format!("cannot encode a value: {}", m.0)))?;
        line.clear();
        wire::write_base64(&mut line, &value);
        line.push(b'\n');
        out.write_all(&line).map_err(Error::Output)?;
        written += 1;
    }
    out.flush().map_err(Error::Output)?;
    Ok(written)
}
