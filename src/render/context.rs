//! What every value writer shares: the default payload (`PAYLOAD`, described once and
//! written by [`Context`]), the [`Context`] kept between events (the start, the texts
//! formatted last, the event id's first half), the clocks of compiled timestamps, and
//! how camera ids and event ids are written. The payload programs (`program`) and the
//! renderer build on it; it imports neither.

use std::io::Write;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Utc};

use crate::plan::Event;
use crate::scenario::Scenario;
use crate::scenario::model::{CameraId, TimeFormatName};
use crate::scenario::payload::{Gen, TimeFormat, Value, shows_fraction};

/// What one field of the default message value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The event id: a version-8 UUID of the process identity and sequence number.
    EventId,
    /// The event's instant in UTC, to the second: `YYYY-MM-DD HH:MM:SS`.
    Timestamp,
    /// The camera's id, as written in the scenario (an integer or a string).
    CameraId,
}

/// Declares the default payload once: `PAYLOAD` (the field list the event schema is
/// generated from) and `Context::write_fields` (the value writer), both from the one list
/// given, so they cannot disagree. Each `{"name":` prefix becomes a literal the compiler
/// writes in place, as fast as a hand-written writer.
macro_rules! payload {
    ($first:literal => $first_field:ident $(, $name:literal => $field:ident)* $(,)?) => {
        /// The default message value, field by field, in order: what a stream without a
        /// `payload` renders.
        pub(crate) const PAYLOAD: &[(&str, Field)] =
            &[($first, Field::$first_field) $(, ($name, Field::$field))*];

        impl Context<'_> {
            /// Writes the fields of [`PAYLOAD`], in order, as a JSON object.
            #[inline]
            pub(super) fn write_fields(&mut self, out: &mut Vec<u8>, event: &Event) {
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
    /// The field as a payload value: what `payload:` would say to render it.
    fn as_value(self, name: &str) -> Value {
        let generator = match self {
            Field::EventId => Gen::EventId,
            Field::Timestamp => Gen::Timestamp(TimeFormat::Pattern(
                crate::scenario::payload::DEFAULT_TIME_FORMAT.to_string(),
            )),
            Field::CameraId => Gen::CameraId,
        };
        Value::Generated {
            path: name.to_string(),
            generator,
            null_rate: None,
        }
    }
}

/// The default payload as payload values (for a key or header that names one of its fields).
pub(super) fn default_fields() -> Vec<(String, Value)> {
    PAYLOAD
        .iter()
        .map(|(name, field)| (name.to_string(), field.as_value(name)))
        .collect()
}

/// What every value writer reads or keeps between events: the scenario, the start, and
/// the texts formatted last (timestamps, the event id's first half).
#[derive(Debug)]
pub(crate) struct Context<'s> {
    scenario: &'s Scenario,
    /// Start: whole seconds since the Unix epoch, and nanoseconds past them.
    start_secs: i64,
    start_subsec: u64,
    /// The last second formatted and its `YYYY-MM-DD HH:MM:SS` text (default payload).
    cached_second: i64,
    cached_text: [u8; 19],
    /// The process whose identity `id_head` holds, formatted: `xxxxxxxx-xxxx-8xxx-`.
    id_process: Option<u64>,
    id_head: [u8; 19],
    /// The clocks of the compiled timestamps, by slot.
    pub(super) clocks: Vec<Clock>,
}

impl<'s> Context<'s> {
    /// The context of `scenario`'s values with offset 0 at `start`, and the clocks of its
    /// compiled timestamps.
    pub(super) fn new(scenario: &'s Scenario, start: DateTime<Utc>, clocks: Vec<Clock>) -> Self {
        Context {
            scenario,
            start_secs: start.timestamp(),
            start_subsec: u64::from(start.timestamp_subsec_nanos()),
            cached_second: i64::MIN,
            cached_text: [b'0'; 19],
            id_process: None,
            id_head: [b'-'; 19],
            clocks,
        }
    }

    /// The camera id of an event.
    #[inline]
    pub(super) fn stream_name(&self, event: &Event) -> &'s str {
        &self.scenario.streams[event.stream as usize].name
    }

    /// The camera of `event`, as written in the scenario.
    pub(super) fn camera(&self, event: &Event) -> &'s CameraId {
        &self.scenario.streams[event.stream as usize].cameras[event.camera as usize]
    }

    /// Nanoseconds from the start's whole second to the event (validation bounds offsets
    /// to 100 years, so this cannot overflow).
    #[inline]
    pub(super) fn since_start_second(&self, event: &Event) -> u64 {
        self.start_subsec + event.offset_ns
    }

    /// The event's instant.
    #[inline]
    pub(super) fn instant(&self, event: &Event) -> Instant {
        let since = self.since_start_second(event);
        Instant {
            secs: self.start_secs + (since / 1_000_000_000) as i64,
            nanos: (since % 1_000_000_000) as u32,
        }
    }

    /// The Kafka message timestamp: the event's instant in whole milliseconds since the epoch.
    pub(super) fn timestamp_ms(&self, event: &Event) -> i64 {
        self.start_secs * 1_000 + (self.since_start_second(event) / 1_000_000) as i64
    }

    /// The event id: a UUID (version 8) made of the process's identity and the event's
    /// sequence number, so it is unique within a run and the same on every replay.
    ///
    /// The half made of the identity is formatted once per run of events of one process
    /// (a shared stream's events all share it).
    pub(super) fn event_id(&mut self, event: &Event) -> [u8; 36] {
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
    pub(super) fn timestamp_text(&mut self, event: &Event) -> [u8; 19] {
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

    /// Appends the value of one default field.
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
}

/// The leading 64 bits of an event id: the process identity with the UUID version (8)
/// in its version nibble.
pub(super) fn uuid_head(process: u64) -> u64 {
    (process & !0xF000) | 0x8000
}

/// A camera id as text: the Kafka key, and what messages show.
#[inline(always)]
pub(super) fn write_camera_text(out: &mut Vec<u8>, id: &CameraId) {
    match id {
        CameraId::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        CameraId::Text(s) => out.extend_from_slice(s.as_bytes()),
    }
}

/// A camera id as a JSON value: an integer stays a number (or, with `quote_ints`, becomes
/// the JSON string of its text, as a key is shown), a string stays a string.
#[inline(always)]
pub(super) fn write_camera_json(out: &mut Vec<u8>, id: &CameraId, quote_ints: bool) {
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

/// How a value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// As JSON.
    Json,
    /// As text: strings without quotes.
    Text,
}

/// An instant: whole seconds since the epoch and nanoseconds past them.
#[derive(Debug, Clone, Copy)]
pub(super) struct Instant {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    pub secs: i64,
    /// Nanoseconds past them (below 10⁹).
    pub nanos: u32,
}

/// Writes one timestamp format, remembering the text of the last second written.
#[derive(Debug, Clone)]
pub(super) struct Clock {
    format: ClockFormat,
    second: i64,
    /// The second's text, and its JSON string, for formats that are strings.
    text: Vec<u8>,
    json: Vec<u8>,
}

#[derive(Debug, Clone)]
enum ClockFormat {
    /// A strftime pattern; `fraction`: it shows part of a second, so no text is kept.
    Pattern {
        items: Vec<Item<'static>>,
        fraction: bool,
    },
    Rfc3339,
    Rfc3339Ms,
    EpochMs,
    EpochS,
}

impl Clock {
    pub(super) fn new(format: &TimeFormat) -> Clock {
        let format = match format {
            TimeFormat::Named(TimeFormatName::Rfc3339) => ClockFormat::Rfc3339,
            TimeFormat::Named(TimeFormatName::Rfc3339Ms) => ClockFormat::Rfc3339Ms,
            TimeFormat::Named(TimeFormatName::EpochMs) => ClockFormat::EpochMs,
            TimeFormat::Named(TimeFormatName::EpochS) => ClockFormat::EpochS,
            // Validation checked the pattern.
            TimeFormat::Pattern(pattern) => ClockFormat::Pattern {
                items: StrftimeItems::new(pattern)
                    .parse_to_owned()
                    .unwrap_or_default(),
                fraction: shows_fraction(pattern),
            },
        };
        Clock {
            format,
            second: i64::MIN,
            text: Vec::new(),
            json: Vec::new(),
        }
    }

    pub(super) fn write(&mut self, out: &mut Vec<u8>, mode: Mode, at: Instant) {
        let millis = at.nanos / 1_000_000;
        match &self.format {
            ClockFormat::EpochMs => {
                // Validation keeps instants before the year 10000: no overflow.
                let ms = at.secs * 1_000 + i64::from(millis);
                out.extend_from_slice(itoa::Buffer::new().format(ms).as_bytes());
            }
            ClockFormat::EpochS => {
                out.extend_from_slice(itoa::Buffer::new().format(at.secs).as_bytes());
            }
            ClockFormat::Rfc3339Ms => {
                self.fill(at, |t| t.format("%Y-%m-%dT%H:%M:%S").to_string());
                let mut ms = *b".000Z";
                ms[1] = b'0' + (millis / 100) as u8;
                ms[2] = b'0' + (millis / 10 % 10) as u8;
                ms[3] = b'0' + (millis % 10) as u8;
                if mode == Mode::Json {
                    out.push(b'"');
                }
                out.extend_from_slice(&self.text);
                out.extend_from_slice(&ms);
                if mode == Mode::Json {
                    out.push(b'"');
                }
            }
            ClockFormat::Rfc3339 => {
                self.fill(at, |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string());
                self.write_kept(out, mode);
            }
            ClockFormat::Pattern {
                items,
                fraction: true,
            } => {
                let text = DateTime::from_timestamp(at.secs, at.nanos)
                    .map(|t| t.format_with_items(items.iter()).to_string())
                    .unwrap_or_default();
                match mode {
                    Mode::Json => {
                        let _ = serde_json::to_writer(&mut *out, &text);
                    }
                    Mode::Text => out.extend_from_slice(text.as_bytes()),
                }
            }
            ClockFormat::Pattern {
                fraction: false, ..
            } => {
                if self.second != at.secs {
                    let ClockFormat::Pattern { items, .. } = &self.format else {
                        return;
                    };
                    let text = DateTime::from_timestamp(at.secs, 0)
                        .map(|t| t.format_with_items(items.iter()).to_string())
                        .unwrap_or_default();
                    self.keep(at.secs, text);
                }
                self.write_kept(out, mode);
            }
        }
    }

    /// Keeps the text of second `at.secs`, made by `format`, unless it is kept already.
    fn fill(&mut self, at: Instant, format: impl Fn(DateTime<chrono::Utc>) -> String) {
        if self.second != at.secs {
            let text = DateTime::from_timestamp(at.secs, 0)
                .map(format)
                .unwrap_or_default();
            self.keep(at.secs, text);
        }
    }

    fn keep(&mut self, second: i64, text: String) {
        self.second = second;
        self.json.clear();
        let _ = serde_json::to_writer(&mut self.json, &text);
        self.text = text.into_bytes();
    }

    fn write_kept(&self, out: &mut Vec<u8>, mode: Mode) {
        match mode {
            Mode::Json => out.extend_from_slice(&self.json),
            Mode::Text => out.extend_from_slice(&self.text),
        }
    }
}
