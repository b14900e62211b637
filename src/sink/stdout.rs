//! The dry-run sink: JSON lines into any `io::Write` (stdout in the binary, a `Vec<u8>`
//! in tests). Lines are built in one reused buffer and written in large blocks; the dry
//! run is the plan replayed into it, unpaced.

use std::io::Write;

use chrono::{DateTime, Utc};

use super::{Handover, Sink};
use crate::encode::codec::Codecs;
use crate::error::Error;
use crate::plan::Plan;
use crate::render::Message;
use crate::replay::pacer::Pace;
use crate::replay::{self, Control, Options};
use crate::scenario::Scenario;

/// What each line of a dry run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The message value Kafka would receive, one JSON object a line.
    Values,
    /// The schedule and Kafka envelope: offset, timestamp, topic, key and value.
    Plan,
}

/// Writes the plan of `scenario`, from `start`, to `out` as `format` lines: the dry run.
/// Returns how many events were written.
pub fn dry_run<W: Write>(
    scenario: &Scenario,
    start: DateTime<Utc>,
    format: Format,
    out: W,
) -> Result<u64, Error> {
    dry_run_plan(
        scenario,
        Plan::new(scenario),
        start,
        format,
        &Codecs::default(),
        out,
    )
}

/// [`dry_run`] of a plan already made; with `codecs`, the plan lines of a stream
/// encoded by a schema end with `"value_format"` and `"subject"`.
pub(crate) fn dry_run_plan<W: Write>(
    scenario: &Scenario,
    plan: Plan,
    start: DateTime<Utc>,
    format: Format,
    codecs: &Codecs,
    out: W,
) -> Result<u64, Error> {
    let mut sink = Stdout::new(out, format);
    sink.extras = codecs
        .streams
        .iter()
        .map(|codec| match codec {
            None => Vec::new(),
            Some(c) => {
                let mut extra = format!(",\"value_format\":\"{}\"", c.format.name()).into_bytes();
                // A schema named by id has no subject of its own.
                if !c.subject.is_empty() {
                    extra.extend_from_slice(b",\"subject\":");
                    let _ = serde_json::to_writer(&mut extra, &c.subject);
                }
                extra
            }
        })
        .collect();
    let options = Options {
        pace: Pace::Max,
        progress: false,
        per_camera: false,
    };
    replay::replay(
        scenario,
        plan,
        start,
        &mut sink,
        options,
        &Control::default(),
        None,
    )
    .map(|t| t.sent)
}

/// Bytes gathered before each write to the underlying writer.
const BLOCK: usize = 1 << 16;

/// Writes one line per event in a [`Format`] to `W`.
#[derive(Debug)]
pub(crate) struct Stdout<W: Write> {
    out: W,
    format: Format,
    buffer: Vec<u8>,
    /// By stream: what a plan line ends with before its closing brace (empty: nothing).
    extras: Vec<Vec<u8>>,
}

impl<W: Write> Stdout<W> {
    /// A sink writing `format` lines to `out`.
    pub fn new(out: W, format: Format) -> Self {
        Stdout {
            out,
            format,
            buffer: Vec::with_capacity(BLOCK + 1024),
            extras: Vec::new(),
        }
    }
}

impl<W: Write> Sink for Stdout<W> {
    #[inline]
    fn send(&mut self, mut message: Message<'_, '_>) -> Result<Handover, Error> {
        match self.format {
            Format::Values => message.write_value(&mut self.buffer),
            Format::Plan => {
                message.write_plan(&mut self.buffer);
                if let Some(extra) = self.extras.get(message.stream()).filter(|e| !e.is_empty()) {
                    self.buffer.pop();
                    self.buffer.extend_from_slice(extra);
                    self.buffer.push(b'}');
                }
            }
        }
        self.buffer.push(b'\n');
        if self.buffer.len() >= BLOCK {
            self.out.write_all(&self.buffer).map_err(Error::Output)?;
            self.buffer.clear();
        }
        Ok(Handover::Taken)
    }

    fn finish(&mut self) -> Result<(), Error> {
        self.out.write_all(&self.buffer).map_err(Error::Output)?;
        self.buffer.clear();
        self.out.flush().map_err(Error::Output)
    }
}
