//! The planned event and how it renders: the payload (message value), the Kafka key and
//! timestamp, and the `--format plan` line. Every sink renders through [`Renderer`], so
//! what the dry-run prints is byte for byte what Kafka receives.

use std::io::Write;

use chrono::{DateTime, Utc};

use crate::scenario::Scenario;
use crate::scenario::model::{CameraId, KeyMode};

/// One planned event. Events order by (offset, stream position, camera position,
/// sequence number within the process), a total order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event {
    /// Nanoseconds after the start.
    pub offset_ns: u64,
    /// Position of the stream in the scenario.
    pub stream: u32,
    /// Position of the camera in its stream.
    pub camera: u32,
    /// Sequence number of the event within its process, from 0.
    pub seq: u64,
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
                match self.camera(event) {
                    CameraId::Int(n) => {
                        out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes())
                    }
                    CameraId::Text(s) => out.extend_from_slice(s.as_bytes()),
                }
                true
            }
        }
    }

    /// The event id: a UUID (version 8) made of the process's 64-bit tag and the event's
    /// sequence number, so it is unique within a run and the same on every replay.
    pub fn event_id(&self, event: &Event) -> [u8; 36] {
        let stream = &self.scenario.streams[event.stream as usize];
        let process = if stream.processes.len() == 1 {
            0
        } else {
            event.camera as usize
        };
        let tag = stream.processes[process].tag();
        let low = (event.seq & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        let mut out = [b'-'; 36];
        // xxxxxxxx-xxxx-8xxx-vxxx-xxxxxxxxxxxx: the tag, then the variant and sequence.
        hex(&mut out[0..8], tag >> 32, 4);
        hex(&mut out[9..13], tag >> 16, 2);
        hex(&mut out[14..18], tag, 2);
        hex(&mut out[19..23], low >> 48, 2);
        hex(&mut out[24..36], low, 6);
        out
    }

    /// The `YYYY-MM-DD HH:MM:SS` (UTC) text of the event's instant, formatted once per second.
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

    /// Appends the message value: `{"event_id":…,"timestamp":…,"camera_id":…}`.
    pub fn write_value(&mut self, out: &mut Vec<u8>, event: &Event) {
        out.extend_from_slice(b"{\"event_id\":\"");
        out.extend_from_slice(&self.event_id(event));
        out.extend_from_slice(b"\",\"timestamp\":\"");
        out.extend_from_slice(&self.timestamp_text(event));
        out.extend_from_slice(b"\",\"camera_id\":");
        match self.camera(event) {
            CameraId::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
            CameraId::Text(s) => {
                let _ = serde_json::to_writer(&mut *out, s);
            }
        }
        out.push(b'}');
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
        match (self.scenario.kafka.key, self.camera(event)) {
            (KeyMode::None, _) => out.extend_from_slice(b"null"),
            (KeyMode::CameraId, CameraId::Int(n)) => {
                out.push(b'"');
                out.extend_from_slice(itoa.format(*n).as_bytes());
                out.push(b'"');
            }
            (KeyMode::CameraId, CameraId::Text(s)) => {
                let _ = serde_json::to_writer(&mut *out, s);
            }
        }
        out.extend_from_slice(b",\"value\":");
        self.write_value(out, event);
        out.push(b'}');
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

/// One event as the Kafka message value (what `--dry-run` prints, one per line).
#[derive(Debug, schemars::JsonSchema)]
#[schemars(title = "simulate event", deny_unknown_fields)]
pub struct Payload {
    /// Unique within a run and the same on every replay: a version-8 UUID made of the
    /// arrival process's identity and the event's sequence number.
    #[schemars(regex(
        pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    ))]
    pub event_id: String,
    /// The planned instant in UTC, to the second: `YYYY-MM-DD HH:MM:SS`.
    #[schemars(regex(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"))]
    pub timestamp: String,
    /// The camera's id, as written in the scenario (an integer or a string).
    pub camera_id: CameraId,
}
