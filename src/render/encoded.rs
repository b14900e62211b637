//! Message values as the wire carries them (`--dry-run --encoded`): a JSON stream's
//! JSON bytes; an Avro stream's value (the very JSON value [`Renderer::write_value`]
//! writes) encoded by the schema derived from its payload and framed in the Confluent
//! wire format with the placeholder schema id 0. A malformed message of an Avro stream
//! is the framing header followed by the broken JSON text: a body no Avro reader can
//! decode, which is what a poison message is. Also the derived schemas themselves, per
//! topic (`simulate schema --avro`).

use std::io::{self, Write};

use crate::error::Error;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value as Json};

use super::Renderer;
use super::context::default_fields;
use crate::encode::avro::{self, Schema};
use crate::encode::{derive, json, wire};
use crate::plan::{Mark, Outgoing, Plan};
use crate::scenario::validate::ValueEncoding;
use crate::scenario::{Scenario, Stream};

/// The derived Avro schema of `stream` and its namespace; `None` for a JSON stream.
fn derived(stream: &Stream) -> Result<Option<(Schema, Option<&str>)>, String> {
    let ValueEncoding::Avro {
        record_name,
        namespace,
    } = &stream.value
    else {
        return Ok(None);
    };
    let defaults;
    let fields = match &stream.message.payload {
        Some(fields) => fields,
        None => {
            defaults = default_fields();
            &defaults
        }
    };
    derive::record(fields, record_name, &stream.cameras)
        .map(|schema| Some((schema, namespace.as_deref())))
        .map_err(|e| format!("stream `{}`: {}", stream.name, e.0))
}

/// Whether any stream of `scenario` encodes its values as Avro.
pub fn has_avro(scenario: &Scenario) -> bool {
    scenario
        .streams
        .iter()
        .any(|s| matches!(s.value, ValueEncoding::Avro { .. }))
}

/// Refuses to send `scenario` to Kafka when a stream encodes Avro: this version prints
/// Avro values (`--dry-run --encoded`) but has no registry client to send them with.
pub fn sendable(scenario: &Scenario) -> Result<(), Error> {
    match has_avro(scenario) {
        true => Err(Error::Usage(
            "`value: {format: avro}` cannot be sent to Kafka by this version: Avro messages carry the id of their schema in a Schema Registry, which it does not speak yet (consumers could not decode them); `--dry-run --encoded` prints them, framed with the placeholder id 0".into(),
        )),
        false => Ok(()),
    }
}

/// The Avro schemas `scenario` would register, as pretty JSON text (`simulate schema
/// --avro`): the one schema when its Avro streams share one topic, else an object from
/// topic to schema (in stream order). Refused (exit 2) when no stream is Avro, a payload
/// value has no Avro type, or two Avro streams of one topic derive different schemas.
pub fn avro_schemas(scenario: &Scenario) -> Result<String, Error> {
    schemas(scenario)
        .map(|json| format!("{json:#}\n"))
        .map_err(Error::Usage)
}

fn schemas(scenario: &Scenario) -> Result<Json, String> {
    let mut topics: Map<String, Json> = Map::new();
    let mut owners: Vec<&str> = Vec::new();
    for stream in &scenario.streams {
        let Some((schema, namespace)) = derived(stream)? else {
            continue;
        };
        let json = schema.to_json(namespace);
        let topic = &stream.message.topic;
        match topics.get(topic) {
            Some(other) if *other != json => {
                let first = owners[topics.keys().position(|t| t == topic).unwrap_or(0)];
                return Err(format!(
                    "streams `{first}` and `{}` send different Avro schemas to topic `{topic}`; give them the same payload and record name, or different topics",
                    stream.name
                ));
            }
            Some(_) => {}
            None => {
                topics.insert(topic.clone(), json);
                owners.push(&stream.name);
            }
        }
    }
    match topics.len() {
        0 => Err("no stream has `value: {format: avro}`: there is no Avro schema to print".into()),
        1 => Ok(topics
            .into_iter()
            .next()
            .map(|(_, s)| s)
            .unwrap_or(Json::Null)),
        _ => Ok(Json::Object(topics)),
    }
}

/// Each stream's derived Avro schema (`None`: a JSON stream), in stream order.
#[derive(Debug)]
pub struct Encoders {
    streams: Vec<Option<Schema>>,
}

impl Encoders {
    /// The encoders of `scenario`'s streams; an error says which payload value has no
    /// Avro type.
    pub fn new(scenario: &Scenario) -> Result<Encoders, String> {
        let streams = scenario
            .streams
            .iter()
            .map(|s| derived(s).map(|d| d.map(|(schema, _)| schema)))
            .collect::<Result<_, _>>()?;
        Ok(Encoders { streams })
    }
}

impl Renderer<'_> {
    /// Appends the value `message` carries as the wire carries it (see the module).
    pub fn write_encoded(
        &mut self,
        out: &mut Vec<u8>,
        message: &Outgoing,
        encoders: &Encoders,
    ) -> Result<(), avro::Mismatch> {
        let Some(schema) = &encoders.streams[message.event.stream as usize] else {
            self.write_sent_value(out, message);
            return Ok(());
        };
        wire::write_header(out, wire::PLACEHOLDER_ID);
        match message.mark {
            Mark::Malformed { .. } => {
                self.write_sent_value(out, message);
                Ok(())
            }
            Mark::Clean
            | Mark::Held
            | Mark::Late
            | Mark::FirstCopy
            | Mark::Duplicate { .. }
            | Mark::Dropped => {
                let mut text = std::mem::take(&mut self.scratch);
                text.clear();
                self.write_value(&mut text, &message.event);
                let value = json::parse(&text);
                self.scratch = text;
                let value = value.ok_or_else(|| avro::Mismatch("value: not JSON".into()))?;
                avro::encode(out, schema, &value, "value")
            }
        }
    }
}

/// Writes the plan of `scenario` from `start` to stdout, one line per message sent: the
/// base64 of its encoded value (with a note on stderr, unless `quiet`, that Avro values
/// carry the placeholder schema id). Returns how many lines were written.
pub fn encoded_dry_run(
    scenario: &Scenario,
    plan: Plan,
    start: DateTime<Utc>,
    quiet: bool,
) -> Result<u64, Error> {
    let encoders = Encoders::new(scenario).map_err(Error::Usage)?;
    if has_avro(scenario) && !quiet {
        eprintln!(
            "note: Avro values are framed with the placeholder schema id {} (no registry in this version)",
            wire::PLACEHOLDER_ID
        );
    }
    encoded_lines(&encoders, scenario, plan, start, io::stdout().lock())
}

/// [`encoded_dry_run`] into `out`, by `encoders`.
fn encoded_lines<W: Write>(
    encoders: &Encoders,
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
            .write_encoded(&mut value, &message, encoders)
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
