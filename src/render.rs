//! From a planned event to bytes: the message value (the payload), the Kafka key and
//! timestamp, and the `--format plan` line. Every sink renders through [`Renderer`], so
//! what a dry run prints is byte for byte what Kafka receives.
//!
//! The payload is described once, by `PAYLOAD`: the value writer walks it, and the
//! event JSON Schema (`simulate schema --event`) is generated from it. A new field kind
//! is a variant of `Field`; the compiler then points at its writer and its schema.

use std::io::Write;

use chrono::{DateTime, Utc};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

use crate::plan::Event;
use crate::plan::process;
use crate::scenario::Scenario;
use crate::scenario::model::{CameraId, KeyMode};

/// What one field of the message value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The event id: a version-8 UUID of the process identity and sequence number.
    EventId,
    /// The event's instant in UTC, to the second: `YYYY-MM-DD HH:MM:SS`.
    Timestamp,
    /// The camera's id, as written in the scenario (an integer or a string).
    CameraId,
}

/// Declares the payload once: `PAYLOAD` (the field list the event schema is generated
/// from) and `Renderer::write_fields` (the value writer), both from the one list given,
/// so they cannot disagree. Each `{"name":` prefix becomes a literal the compiler writes
/// in place, as fast as a hand-written writer.
macro_rules! payload {
    ($first:literal => $first_field:ident $(, $name:literal => $field:ident)* $(,)?) => {
        /// The message value, field by field, in order: the payload every stream renders.
        pub(crate) const PAYLOAD: &[(&str, Field)] =
            &[($first, Field::$first_field) $(, ($name, Field::$field))*];

        impl Renderer<'_> {
            /// Writes the fields of [`PAYLOAD`], in order, as a JSON object.
            #[inline]
            fn write_fields(&mut self, out: &mut Vec<u8>, event: &Event) {
                out.extend_from_slice(concat!("{\"", $first, "\":").as_bytes());
                self.write_field(out, Field::$first_field, event);
                $(
                    out.extend_from_slice(concat!(",\"", $name, "\":").as_bytes());
                    self.write_field(out, Field::$field, event);
                )*
                out.push(b'}');
            }
        }
    };
}

payload! {
    "event_id" => EventId,
    "timestamp" => Timestamp,
    "camera_id" => CameraId,
}

impl Field {
    /// The field's JSON Schema. `camera` is the schema of a camera id (a reference to
    /// its definition).
    fn schema(self, camera: &Value) -> Value {
        match self {
            Field::EventId => json!({
                "description": "Unique within a run and the same on every replay: a version-8 UUID made of the\narrival process's identity and the event's sequence number.",
                "type": "string",
                "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            }),
            Field::Timestamp => json!({
                "description": "The planned instant in UTC, to the second: `YYYY-MM-DD HH:MM:SS`.",
                "type": "string",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$",
            }),
            Field::CameraId => json!({
                "description": "The camera's id, as written in the scenario (an integer or a string).",
                "allOf": [camera],
            }),
        }
    }
}

/// The JSON Schema (draft-07) of one message value, generated from [`PAYLOAD`].
pub(crate) fn event_schema() -> schemars::Schema {
    let mut generator = SchemaSettings::draft07().into_generator();
    let camera = generator.subschema_for::<CameraId>().to_value();
    let mut properties = Map::new();
    for (name, field) in PAYLOAD {
        properties.insert(name.to_string(), field.schema(&camera));
    }
    let required: Vec<&str> = PAYLOAD.iter().map(|(name, _)| *name).collect();
    let definitions = generator.take_definitions(true);
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "simulate event",
        "description": "One event as the Kafka message value (what `--dry-run` prints, one per line).",
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "required": required,
        "definitions": definitions,
    });
    match schema {
        Value::Object(map) => schemars::Schema::from(map),
        _ => schemars::Schema::default(),
    }
}

/// Renders events of one scenario anchored at one start instant, reusing its buffers.
#[derive(Debug)]
pub struct Renderer<'s> {
    scenario: &'s Scenario,
    /// Start: whole seconds since the Unix epoch, and nanoseconds past them.
    start_secs: i64,
    start_subsec: u64,
    topic_json: String,
    /// The last second formatted and its `YYYY-MM-DD HH:MM:SS` text.
    cached_second: i64,
    cached_text: [u8; 19],
    /// The process whose identity `id_head` holds, formatted: `xxxxxxxx-xxxx-8xxx-`.
    id_process: Option<u64>,
    id_head: [u8; 19],
}

impl<'s> Renderer<'s> {
    /// A renderer for `scenario` with offset 0 at `start`.
    pub fn new(scenario: &'s Scenario, start: DateTime<Utc>) -> Self {
        Renderer {
            scenario,
            start_secs: start.timestamp(),
            start_subsec: u64::from(start.timestamp_subsec_nanos()),
            topic_json: serde_json::to_string(&scenario.topic).unwrap_or_default(),
            cached_second: i64::MIN,
            cached_text: [b'0'; 19],
            id_process: None,
            id_head: [b'-'; 19],
        }
    }

    /// The camera id of an event.
    pub fn camera(&self, event: &Event) -> &'s CameraId {
        &self.scenario.streams[event.stream as usize].cameras[event.camera as usize]
    }

    /// Nanoseconds from the start's whole second to the event (validation bounds offsets
    /// to 100 years, so this cannot overflow).
    fn since_start_second(&self, event: &Event) -> u64 {
        self.start_subsec + event.offset_ns
    }

    /// The Kafka message timestamp: the event's instant in whole milliseconds since the epoch.
    pub fn timestamp_ms(&self, event: &Event) -> i64 {
        self.start_secs * 1_000 + (self.since_start_second(event) / 1_000_000) as i64
    }

    /// Writes the Kafka key (the camera id as text), or returns false when keys are off.
    pub fn write_key(&self, out: &mut Vec<u8>, event: &Event) -> bool {
        match self.scenario.kafka.key {
            KeyMode::None => false,
            KeyMode::CameraId => {
                write_camera_text(out, self.camera(event));
                true
            }
        }
    }

    /// The event id: a UUID (version 8) made of the process's identity and the event's
    /// sequence number, so it is unique within a run and the same on every replay.
    ///
    /// The half made of the identity is formatted once per run of events of one process
    /// (a shared stream's events all share it).
    pub fn event_id(&mut self, event: &Event) -> [u8; 36] {
        let mut out = [b'-'; 36];
        // xxxxxxxx-xxxx-8xxx-vxxx-xxxxxxxxxxxx: the tag, then the variant and sequence.
        if self.id_process != Some(event.process) {
            let tag = uuid_head(event.process);
            hex(&mut out[0..8], tag >> 32, 4);
            hex(&mut out[9..13], tag >> 16, 2);
            hex(&mut out[14..18], tag, 2);
            self.id_head.copy_from_slice(&out[..19]);
            self.id_process = Some(event.process);
        } else {
            out[..19].copy_from_slice(&self.id_head);
        }
        let low = (event.seq & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        hex(&mut out[19..23], low >> 48, 2);
        hex(&mut out[24..36], low, 6);
        out
    }

    /// The `YYYY-MM-DD HH:MM:SS` (UTC) text of the event's instant, formatted once per second.
    #[inline]
    fn timestamp_text(&mut self, event: &Event) -> [u8; 19] {
        let second = self.start_secs + (self.since_start_second(event) / 1_000_000_000) as i64;
        if second != self.cached_second {
            if let Some(t) = DateTime::from_timestamp(second, 0) {
                let mut text = [b'0'; 19];
                let _ = write!(&mut text[..], "{}", t.format("%Y-%m-%d %H:%M:%S"));
                self.cached_text = text;
            }
            self.cached_second = second;
        }
        self.cached_text
    }

    /// Appends the message value: the fields of `PAYLOAD`, in order, as a JSON object.
    #[inline]
    pub fn write_value(&mut self, out: &mut Vec<u8>, event: &Event) {
        self.write_fields(out, event);
    }

    /// Appends the value of one field.
    #[inline(always)]
    fn write_field(&mut self, out: &mut Vec<u8>, field: Field, event: &Event) {
        match field {
            Field::EventId => {
                out.push(b'"');
                out.extend_from_slice(&self.event_id(event));
                out.push(b'"');
            }
            Field::Timestamp => {
                out.push(b'"');
                out.extend_from_slice(&self.timestamp_text(event));
                out.push(b'"');
            }
            Field::CameraId => write_camera_json(out, self.camera(event), false),
        }
    }

    /// Appends one `--format plan` line (without the newline):
    /// `{"offset_us":…,"timestamp_ms":…,"topic":…,"key":…,"value":{…}}`.
    pub fn write_plan(&mut self, out: &mut Vec<u8>, event: &Event) {
        let mut itoa = itoa::Buffer::new();
        out.extend_from_slice(b"{\"offset_us\":");
        out.extend_from_slice(itoa.format(event.offset_ns / 1_000).as_bytes());
        out.extend_from_slice(b",\"timestamp_ms\":");
        out.extend_from_slice(itoa.format(self.timestamp_ms(event)).as_bytes());
        out.extend_from_slice(b",\"topic\":");
        out.extend_from_slice(self.topic_json.as_bytes());
        out.extend_from_slice(b",\"key\":");
        match self.scenario.kafka.key {
            KeyMode::None => out.extend_from_slice(b"null"),
            // The key's text as a JSON string.
            KeyMode::CameraId => write_camera_json(out, self.camera(event), true),
        }
        out.extend_from_slice(b",\"value\":");
        self.write_value(out, event);
        out.push(b'}');
    }
}

/// One event on its way to a sink, rendered on demand: a sink asks for what it sends
/// (the value, the key, the timestamp, or the whole plan line), and nothing else is
/// rendered.
#[derive(Debug)]
pub struct Message<'r, 's> {
    event: Event,
    renderer: &'r mut Renderer<'s>,
}

impl<'r, 's> Message<'r, 's> {
    /// The message of `event`.
    pub fn new(event: Event, renderer: &'r mut Renderer<'s>) -> Self {
        Message { event, renderer }
    }

    /// Appends the message value.
    pub fn write_value(&mut self, out: &mut Vec<u8>) {
        self.renderer.write_value(out, &self.event);
    }

    /// Appends the key; false when the message has none.
    pub fn write_key(&self, out: &mut Vec<u8>) -> bool {
        self.renderer.write_key(out, &self.event)
    }

    /// The Kafka timestamp in milliseconds since the epoch.
    pub fn timestamp_ms(&self) -> i64 {
        self.renderer.timestamp_ms(&self.event)
    }

    /// Appends the `--format plan` line (without the newline).
    pub fn write_plan(&mut self, out: &mut Vec<u8>) {
        self.renderer.write_plan(out, &self.event);
    }
}

/// The leading 64 bits of an event id: the process identity with the UUID version (8)
/// in its version nibble.
fn uuid_head(process: u64) -> u64 {
    (process & !0xF000) | 0x8000
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

/// A camera id as text: the Kafka key, and what messages show.
#[inline(always)]
fn write_camera_text(out: &mut Vec<u8>, id: &CameraId) {
    match id {
        CameraId::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        CameraId::Text(s) => out.extend_from_slice(s.as_bytes()),
    }
}

/// A camera id as a JSON value: an integer stays a number (or, with `quote_ints`, becomes
/// the JSON string of its text, as a key is shown), a string stays a string.
#[inline(always)]
fn write_camera_json(out: &mut Vec<u8>, id: &CameraId, quote_ints: bool) {
    match id {
        CameraId::Int(_) if quote_ints => {
            out.push(b'"');
            write_camera_text(out, id);
            out.push(b'"');
        }
        CameraId::Int(_) => write_camera_text(out, id),
        CameraId::Text(s) => {
            let _ = serde_json::to_writer(&mut *out, s);
        }
    }
}

/// Two lowercase hex digits for every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [DIGITS[i >> 4], DIGITS[i & 0xF]];
        i += 1;
    }
    table
};

/// Writes the low `bytes` bytes of `value` as hex, most significant first, into `out`.
fn hex(out: &mut [u8], value: u64, bytes: usize) {
    for i in 0..bytes {
        let byte = (value >> (8 * (bytes - 1 - i))) as u8;
        out[2 * i..2 * i + 2].copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
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
