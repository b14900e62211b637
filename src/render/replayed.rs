//! A `replay:` stream's messages rendered: the recorded value byte for byte (its
//! `timestamp_field` rewritten to the new instant), the recorded key and headers when
//! kept, the recorded or the planned timestamp, the recorded partition when kept.

use std::sync::Arc;

use super::context::{Clock, Context, Mode};
use crate::plan::Event;
use crate::scenario::model::ReplayTimestamps;
use crate::scenario::recorded::Message;
use crate::scenario::validate::Replay;

/// A replay stream, ready to render.
#[derive(Debug)]
pub(super) struct Replayed {
    pub(super) replay: Arc<Replay>,
    /// Writes the rewritten `timestamp_field`, when there is one.
    clock: Option<Clock>,
    /// Per message, whether its value is one line of JSON, so that a plan line can hold
    /// it as it is (otherwise it holds it as a JSON string).
    json: Vec<bool>,
}

impl Replayed {
    pub(super) fn new(replay: &Arc<Replay>) -> Replayed {
        let json = replay
            .recording
            .messages()
            .map(|m| m.payload().is_some_and(is_json_line))
            .collect();
        Replayed {
            replay: replay.clone(),
            clock: replay
                .timestamp_field
                .as_ref()
                .map(|(_, format)| Clock::new(format)),
            json,
        }
    }

    pub(super) fn message(&self, event: &Event) -> Message<'_> {
        self.replay.message(event.seq)
    }

    /// Writes the value: the recorded bytes, with the timestamp field rewritten.
    pub(super) fn write_value(&mut self, out: &mut Vec<u8>, event: &Event, context: &Context<'_>) {
        let replay = &self.replay;
        let value = replay.message(event.seq).payload().unwrap_or(b"");
        let rewrite = match (&replay.timestamp_field, &mut self.clock) {
            (Some((field, _)), Some(clock)) => {
                crate::recording::field_span(value, field).map(|span| (span, clock))
            }
            _ => None,
        };
        match rewrite {
            Some((span, clock)) => {
                out.extend_from_slice(&value[..span.start]);
                clock.write(out, Mode::Json, context.instant(event));
                out.extend_from_slice(&value[span.end..]);
            }
            None => out.extend_from_slice(value),
        }
    }

    /// Whether a plan line holds the value as it is (else as a JSON string).
    pub(super) fn value_is_json(&self, event: &Event) -> bool {
        self.json[(event.seq % self.json.len() as u64) as usize]
    }

    /// The recorded timestamp, with `timestamps: recorded`.
    pub(super) fn recorded_ms(&self, event: &Event) -> Option<i64> {
        (self.replay.timestamps == ReplayTimestamps::Recorded)
            .then(|| self.replay.message(event.seq).ts())
    }

    /// The recorded key, when it is kept and there is one.
    pub(super) fn key(&self, event: &Event) -> Option<&[u8]> {
        if !self.replay.keep_key {
            return None;
        }
        self.replay.message(event.seq).key()
    }

    /// How many headers are sent: the recorded ones when kept, else none.
    pub(super) fn header_count(&self, event: &Event) -> usize {
        match self.replay.keep_headers {
            true => self.replay.message(event.seq).header_count(),
            false => 0,
        }
    }

    /// The recorded partition, when it is kept.
    pub(super) fn partition(&self, event: &Event) -> Option<i32> {
        match self.replay.keep_partition {
            true => self.replay.message(event.seq).partition(),
            false => None,
        }
    }
}

/// Whether `bytes` are one JSON value on one line.
fn is_json_line(bytes: &[u8]) -> bool {
    !bytes.iter().any(|&b| b == b'\n' || b == b'\r')
        && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}
