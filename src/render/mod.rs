//! From a planned event to bytes: the message value (the payload), the Kafka topic, key,
//! headers and timestamp, and the `--format plan` line. Every sink renders through
//! [`Renderer`], so what a dry run prints is byte for byte what Kafka receives.
//!
//! A stream without a `payload` renders the default fields, described once by
//! `PAYLOAD`: the value writer walks it, and the default event JSON Schema (`simulate
//! schema --event`) is generated from it. A stream with a `payload` is compiled into a
//! `program`: literal bytes between values drawn for each event (`plan::payload`), and
//! so are its key and headers. The event schema of a scenario is generated from the same
//! descriptions (`schema`).

mod context;
mod encoded;
mod malformed;
mod message;
mod number;
mod program;
mod replayed;
mod schema;

use chrono::{DateTime, Utc};

pub use encoded::{UNKNOWN_ID, encoded_dry_run, has_encoded, schemas_text};
pub use message::Message;
pub(crate) use schema::{event_schema, scenario_event_schema};

use crate::plan::process;
use crate::plan::{Event, Mark, Outgoing};
use crate::scenario::Scenario;
use crate::scenario::model::{CameraId, TimestampMode};
use crate::scenario::payload::{Header, Key, Value};
#[cfg(test)]
use context::PAYLOAD;
use context::default_fields;
use context::{Clock, Context, Mode, uuid_head, write_camera_json, write_camera_text};
use program::Program;

/// One stream's message, compiled.
#[derive(Debug)]
struct Compiled {
    /// The topic as a JSON string, for plan lines.
    topic_json: String,
    /// The value; `None`: the default fields.
    value: Option<Program>,
    key: KeyWriter,
    /// Each header's name as a JSON string, and its value (text).
    headers: Vec<(String, Program)>,
    /// An entity stream's attributes, as one JSON object (for the truth).
    attributes: Option<Program>,
    /// A replay stream's recording: what its messages send in place of the above.
    replayed: Option<replayed::Replayed>,
}

/// How a stream's key is written.
#[derive(Debug)]
enum KeyWriter {
    None,
    CameraId,
    /// The text of a payload field.
    Field(Program),
}

impl Compiled {
    fn new(stream: &crate::scenario::Stream, clocks: &mut Vec<Clock>) -> Compiled {
        let message = &stream.message;
        let defaults;
        let fields = match &message.payload {
            Some(fields) => fields,
            None => {
                defaults = default_fields();
                &defaults
            }
        };
        // A key or header that names a field is that field's value, as text: the same
        // path, so the same draws.
        let text_of = |name: &str, clocks: &mut Vec<Clock>| {
            let value = fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                // Validation checked that the field exists.
                .unwrap_or(Value::Constant(serde_json::Value::Null));
            Program::compile(&value, Mode::Text, clocks)
        };
        let key = match &message.key {
            Key::None => KeyWriter::None,
            Key::CameraId => KeyWriter::CameraId,
            Key::Field(name) => KeyWriter::Field(text_of(name, clocks)),
        };
        let headers = message
            .headers
            .iter()
            .map(|(name, header)| {
                let program = match header {
                    Header::Field(field) => text_of(field, clocks),
                    Header::Value(value) => Program::compile(value, Mode::Text, clocks),
                };
                (serde_json::to_string(name).unwrap_or_default(), program)
            })
            .collect();
        let attributes = match &stream.arrivals {
            crate::scenario::StreamArrivals::Entities(entities) => {
                let fields: Vec<(String, Value)> = entities
                    .attributes
                    .iter()
                    .map(|(name, generator)| {
                        let value = Value::Generated {
                            path: name.clone(),
                            generator: crate::scenario::payload::Gen::Entity {
                                attribute: name.clone(),
                                generator: Box::new(generator.clone()),
                            },
                            null_rate: None,
                        };
                        (name.clone(), value)
                    })
                    .collect();
                Some(Program::object(&fields, clocks))
            }
            _ => None,
        };
        Compiled {
            replayed: match &stream.arrivals {
                crate::scenario::StreamArrivals::Replay(replay) => {
                    Some(replayed::Replayed::new(replay))
                }
                _ => None,
            },
            attributes,
            topic_json: serde_json::to_string(&message.topic).unwrap_or_default(),
            value: message
                .payload
                .as_ref()
                .map(|fields| Program::object(fields, clocks)),
            key,
            headers,
        }
    }
}

/// Renders events of one scenario anchored at one start instant, reusing its buffers.
#[derive(Debug)]
pub struct Renderer<'s> {
    scenario: &'s Scenario,
    context: Context<'s>,
    streams: Vec<Compiled>,
    /// A buffer for text that is then written as a JSON string.
    scratch: Vec<u8>,
    /// The JSON text of a value being encoded by a schema ([`Renderer::write_wire_value`]).
    wire_text: Vec<u8>,
}

impl<'s> Renderer<'s> {
    /// A renderer for `scenario` with offset 0 at `start`.
    pub fn new(scenario: &'s Scenario, start: DateTime<Utc>) -> Self {
        let mut clocks = Vec::new();
        let streams = scenario
            .streams
            .iter()
            .map(|stream| Compiled::new(stream, &mut clocks))
            .collect();
        Renderer {
            scenario,
            context: Context::new(scenario, start, clocks),
            streams,
            scratch: Vec::new(),
            wire_text: Vec::new(),
        }
    }

    /// The attributes of the entity a sighting `event` is of, as a JSON object, drawn as
    /// the payload's `{gen: entity}` fields draw them; `{}` for a stream without entities.
    pub fn write_attributes(&mut self, out: &mut Vec<u8>, event: &Event) {
        match &self.streams[event.stream as usize].attributes {
            Some(program) => program.write(out, event, &mut self.context),
            None => out.extend_from_slice(b"{}"),
        }
    }

    /// The camera id of an event.
    pub fn camera(&self, event: &Event) -> &'s CameraId {
        self.context.camera(event)
    }

    /// The topic of an event.
    pub fn topic(&self, event: &Event) -> &'s str {
        &self.scenario.streams[event.stream as usize].message.topic
    }

    /// The event's instant in whole milliseconds since the epoch.
    pub fn timestamp_ms(&self, event: &Event) -> i64 {
        self.context.timestamp_ms(event)
    }

    /// The instant `offset_ns` after the start in whole milliseconds since the epoch.
    pub fn instant_ms(&self, offset_ns: u64) -> i64 {
        let at = Event {
            offset_ns,
            stream: 0,
            camera: 0,
            seq: 0,
            process: 0,
        };
        self.context.timestamp_ms(&at)
    }

    /// The Kafka message timestamp of a message: when it is sent, or with
    /// `kafka.timestamp: event` its event's instant, in milliseconds since the epoch.
    pub fn kafka_timestamp_ms(&self, message: &Outgoing) -> i64 {
        let replayed = self.streams[message.event.stream as usize]
            .replayed
            .as_ref();
        if let Some(ms) = replayed.and_then(|r| r.recorded_ms(&message.event)) {
            return ms;
        }
        match self.scenario.kafka.timestamp {
            TimestampMode::Send => self.instant_ms(message.send_ns),
            TimestampMode::Event => self.timestamp_ms(&message.event),
        }
    }

    /// The event id (see the `event_id` generator).
    pub fn event_id(&mut self, event: &Event) -> [u8; 36] {
        self.context.event_id(event)
    }

    /// Writes the Kafka key, or returns false when the event's stream sends none.
    pub fn write_key(&mut self, out: &mut Vec<u8>, event: &Event) -> bool {
        if let Some(replayed) = &self.streams[event.stream as usize].replayed {
            let key = replayed.key(event);
            out.extend_from_slice(key.unwrap_or_default());
            return key.is_some();
        }
        match &self.streams[event.stream as usize].key {
            KeyWriter::None => false,
            KeyWriter::CameraId => {
                write_camera_text(out, self.context.camera(event));
                true
            }
            KeyWriter::Field(program) => {
                program.write(out, event, &mut self.context);
                true
            }
        }
    }

    /// How many headers the event's messages carry.
    pub fn header_count(&self, event: &Event) -> usize {
        let stream = &self.streams[event.stream as usize];
        match &stream.replayed {
            Some(replayed) => replayed.header_count(event),
            None => stream.headers.len(),
        }
    }

    /// The name of the event's header `index`.
    pub fn header_name(&self, event: &Event, index: usize) -> &'s str {
        let stream = &self.scenario.streams[event.stream as usize];
        match &stream.arrivals {
            crate::scenario::StreamArrivals::Replay(replay) => {
                replay.message(event.seq).header(index).0
            }
            _ => &stream.message.headers[index].0,
        }
    }

    /// Appends the value (text) of the event's header `index` (a replayed header's
    /// recorded bytes; nothing for one recorded without a value).
    pub fn write_header(&mut self, out: &mut Vec<u8>, event: &Event, index: usize) {
        let stream = &self.streams[event.stream as usize];
        if let Some(replayed) = &stream.replayed {
            let value = replayed.message(event).header(index).1;
            out.extend_from_slice(value.unwrap_or_default());
            return;
        }
        let (_, program) = &stream.headers[index];
        program.write(out, event, &mut self.context);
    }

    /// The partition the event's message goes to, when its stream says (a replay that
    /// keeps the recorded partition); `None`: the producer's partitioner picks.
    pub fn partition(&self, event: &Event) -> Option<i32> {
        self.streams[event.stream as usize]
            .replayed
            .as_ref()
            .and_then(|r| r.partition(event))
    }

    /// Appends the message value.
    #[inline]
    pub fn write_value(&mut self, out: &mut Vec<u8>, event: &Event) {
        let stream = &mut self.streams[event.stream as usize];
        if let Some(replayed) = &mut stream.replayed {
            replayed.write_value(out, event, &self.context);
            return;
        }
        match &self.streams[event.stream as usize].value {
            Some(program) => program.write(out, event, &mut self.context),
            None => self.context.write_fields(out, event),
        }
    }

    /// Appends the value a message carries: the event's value, or for a malformed
    /// message the broken one.
    pub fn write_sent_value(&mut self, out: &mut Vec<u8>, message: &Outgoing) {
        match message.mark {
            Mark::Malformed { kind, pick } => {
                self.malformed(out, &message.event, kind, pick);
            }
            Mark::Clean
            | Mark::Held
            | Mark::Late
            | Mark::FirstCopy
            | Mark::Duplicate { .. }
            | Mark::Dropped => self.write_value(out, &message.event),
        }
    }

    /// Appends one `--format plan` line (without the newline):
    /// `{"offset_us":…,"send_offset_us":…,"timestamp_ms":…,"topic":…,"key":…,"value":…}`,
    /// with `"headers":{…}` for a stream that sends headers and `"fault":…` on a message a
    /// fault touched, both before the value. `offset_us` is the event time,
    /// `send_offset_us` the send time, `timestamp_ms` the Kafka timestamp; a malformed
    /// value is a JSON string holding its exact bytes.
    pub fn write_plan(&mut self, out: &mut Vec<u8>, message: &Outgoing) {
        let event = &message.event;
        let mut itoa = itoa::Buffer::new();
        out.extend_from_slice(b"{\"offset_us\":");
        out.extend_from_slice(itoa.format(event.offset_ns / 1_000).as_bytes());
        out.extend_from_slice(b",\"send_offset_us\":");
        out.extend_from_slice(itoa.format(message.send_ns / 1_000).as_bytes());
        out.extend_from_slice(b",\"timestamp_ms\":");
        out.extend_from_slice(itoa.format(self.kafka_timestamp_ms(message)).as_bytes());
        let stream = &self.streams[event.stream as usize];
        out.extend_from_slice(b",\"topic\":");
        out.extend_from_slice(stream.topic_json.as_bytes());
        if stream.replayed.is_some() {
            self.write_replayed_plan(out, message);
            return;
        }
        out.extend_from_slice(b",\"key\":");
        match &stream.key {
            KeyWriter::None => out.extend_from_slice(b"null"),
            // The key's text as a JSON string.
            KeyWriter::CameraId => write_camera_json(out, self.context.camera(event), true),
            KeyWriter::Field(program) => {
                self.scratch.clear();
                program.write(&mut self.scratch, event, &mut self.context);
                json_string(out, &self.scratch);
            }
        }
        if !stream.headers.is_empty() {
            out.extend_from_slice(b",\"headers\":{");
            for (i, (name, program)) in stream.headers.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(name.as_bytes());
                out.push(b':');
                self.scratch.clear();
                program.write(&mut self.scratch, event, &mut self.context);
                json_string(out, &self.scratch);
            }
            out.push(b'}');
        }
        fault_then_value(out, message.mark);
        match message.mark {
            Mark::Malformed { kind, pick } => {
                let mut bad = Vec::new();
                self.malformed(&mut bad, event, kind, pick);
                json_string(out, &bad);
            }
            Mark::Clean
            | Mark::Held
            | Mark::Late
            | Mark::FirstCopy
            | Mark::Duplicate { .. }
            | Mark::Dropped => self.write_value(out, event),
        }
        out.push(b'}');
    }
}

impl Renderer<'_> {
    /// The rest of a replayed message's plan line, after its topic: the recorded key
    /// and headers (as a recording writes bytes), the fault, the value (as it is when it
    /// is one line of JSON, else as a recording writes bytes).
    fn write_replayed_plan(&mut self, out: &mut Vec<u8>, message: &Outgoing) {
        let event = &message.event;
        let Some(replayed) = &self.streams[event.stream as usize].replayed else {
            return;
        };
        out.extend_from_slice(b",\"key\":");
        crate::recording::write_bytes(out, replayed.key(event));
        let count = replayed.header_count(event);
        if count > 0 {
            out.extend_from_slice(b",\"headers\":{");
            let recorded = replayed.message(event);
            for i in 0..count {
                let (name, value) = recorded.header(i);
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, name);
                out.push(b':');
                crate::recording::write_bytes(out, Some(value.unwrap_or_default()));
            }
            out.push(b'}');
        }
        fault_then_value(out, message.mark);
        let as_is =
            !matches!(message.mark, Mark::Malformed { .. }) && replayed.value_is_json(event);
        let mut value = std::mem::take(&mut self.scratch);
        value.clear();
        self.write_sent_value(&mut value, message);
        match as_is {
            true => out.extend_from_slice(&value),
            false => crate::recording::write_bytes(out, Some(&value)),
        }
        self.scratch = value;
        out.push(b'}');
    }
}

/// A plan line's `"fault"` member when the message carries one, then the `"value"` key.
fn fault_then_value(out: &mut Vec<u8>, mark: Mark) {
    if let Some(fault) = mark.fault() {
        out.extend_from_slice(b",\"fault\":\"");
        out.extend_from_slice(fault.as_bytes());
        out.push(b'"');
    }
    out.extend_from_slice(b",\"value\":");
}

/// Text (UTF-8: every value's text is) as a JSON string.
fn json_string(out: &mut Vec<u8>, text: &[u8]) {
    let _ = serde_json::to_writer(&mut *out, &String::from_utf8_lossy(text));
}

/// Whether two arrival processes would share event ids, given their identities: two
/// agree in the 60 bits an event id keeps. A clash needs two 60-bit hashes to agree, so
/// this guards a guarantee rather than a likely error.
pub(crate) fn ids_clash(identities: impl IntoIterator<Item = u64>) -> bool {
    let mut heads: Vec<u64> = identities.into_iter().map(uuid_head).collect();
    heads.sort_unstable();
    heads.windows(2).any(|w| w[0] == w[1])
}

/// [`ids_clash`] for a scenario, without building its plan.
pub(crate) fn event_ids_clash(scenario: &Scenario) -> bool {
    ids_clash(process::keys(scenario).map(|key| key.head()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_names_need_no_json_escaping() {
        for (name, _) in PAYLOAD {
            assert_eq!(serde_json::to_string(name).unwrap(), format!("\"{name}\""));
        }
    }

    #[test]
    fn event_ids_carry_uuid_version_8_and_variant_bits() {
        assert_eq!((uuid_head(u64::MAX) >> 12) & 0xF, 8);
        assert_eq!((uuid_head(0) >> 12) & 0xF, 8);
    }

    #[test]
    fn camera_ids_render_as_text_and_as_json() {
        let mut out = Vec::new();
        write_camera_json(&mut out, &CameraId::Int(-7), false);
        out.push(b' ');
        write_camera_json(&mut out, &CameraId::Int(7), true);
        out.push(b' ');
        write_camera_json(&mut out, &CameraId::Text("a\"b".into()), true);
        out.push(b' ');
        write_camera_text(&mut out, &CameraId::Text("a\"b".into()));
        assert_eq!(String::from_utf8(out).unwrap(), r#"-7 "7" "a\"b" a"b"#);
    }
}
