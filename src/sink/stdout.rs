//! The dry-run sink: JSON lines into any `io::Write` (stdout in the binary, a `Vec<u8>`
//! in tests). Lines are built in one reused buffer and written in large blocks.

use std::io::{self, Write};

use crate::plan::Event;
use crate::render::Renderer;

/// What each line of a dry run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The message value Kafka would receive, one JSON object a line.
    Values,
    /// The schedule and Kafka envelope: offset, timestamp, topic, key and value.
    Plan,
}

/// Bytes gathered before each write to the underlying writer.
const BLOCK: usize = 1 << 16;

/// Writes every event of `plan` as one line in `format`; returns how many were written.
pub fn write_events<W: Write>(
    plan: impl Iterator<Item = Event>,
    renderer: &mut Renderer<'_>,
    format: Format,
    mut out: W,
) -> io::Result<u64> {
    let mut buffer = Vec::with_capacity(BLOCK + 1024);
    let mut count = 0u64;
    for event in plan {
        match format {
            Format::Values => renderer.write_value(&mut buffer, &event),
            Format::Plan => renderer.write_plan(&mut buffer, &event),
        }
        buffer.push(b'\n');
        count += 1;
        if buffer.len() >= BLOCK {
            out.write_all(&buffer)?;
            buffer.clear();
        }
    }
    out.write_all(&buffer)?;
    out.flush()?;
    Ok(count)
}
