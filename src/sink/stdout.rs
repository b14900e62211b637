//! The dry-run sink: JSON lines into any `io::Write` (stdout in the binary, a `Vec<u8>`
//! in tests). Lines are built in one reused buffer and written in large blocks.

use std::io::Write;

use super::{Handover, Sink};
use crate::error::Error;
use crate::render::Message;

/// What each line of a dry run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The message value Kafka would receive, one JSON object a line.
    Values,
    /// The schedule and Kafka envelope: offset, timestamp, topic, key and value.
    Plan,
}

/// Bytes gathered before each write to the underlying writer.
const BLOCK: usize = 1 << 16;

/// Writes one line per event in a [`Format`] to `W`.
#[derive(Debug)]
pub(crate) struct Stdout<W: Write> {
    out: W,
    format: Format,
    buffer: Vec<u8>,
}

impl<W: Write> Stdout<W> {
    /// A sink writing `format` lines to `out`.
    pub fn new(out: W, format: Format) -> Self {
        Stdout {
            out,
            format,
            buffer: Vec::with_capacity(BLOCK + 1024),
        }
    }
}

impl<W: Write> Sink for Stdout<W> {
    #[inline]
    fn send(&mut self, mut message: Message<'_, '_>) -> Result<Handover, Error> {
        match self.format {
            Format::Values => message.write_value(&mut self.buffer),
            Format::Plan => message.write_plan(&mut self.buffer),
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
