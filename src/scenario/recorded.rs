//! The recordings a scenario's `replay:` streams play, read when the scenario is loaded
//! (the one I/O of a scenario besides its own file): every line parsed
//! ([`crate::recording`]), the messages put in timestamp order, the file hashed so that
//! a changed recording is a different plan.
//!
//! Read once per file a scenario names, before validation, which then works on plain
//! data ([`Recordings`]).

use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::model::ScenarioFile;
use crate::recording::{self, Recorded};

/// At most this many bad lines of one recording are reported.
const MAX_LINE_PROBLEMS: usize = 5;

/// Where some bytes lie in a recording's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    len: u32,
}

/// One message, its bytes in the arena: 56 bytes besides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stored {
    ts: i64,
    partition: Option<i32>,
    key: Option<Span>,
    payload: Option<Span>,
    /// Its headers: `headers[first..first + count]`.
    first_header: u32,
    header_count: u32,
}

/// One recording, read: its messages in timestamp order, their bytes in one arena (a
/// message costs its key, headers and value plus 56 bytes).
#[derive(Debug, PartialEq, Eq)]
pub struct Recording {
    /// The path as the scenario writes it.
    pub file: String,
    /// How many messages had a timestamp before one earlier in the file on their
    /// partition (replayed in timestamp order all the same).
    pub out_of_order: usize,
    /// SHA-256 of the file's bytes: part of the replay's identity.
    pub sha256: [u8; 32],
    bytes: Vec<u8>,
    /// In timestamp order (ties in file order); at least one.
    messages: Vec<Stored>,
    headers: Vec<(Span, Option<Span>)>,
}

/// One message of a [`Recording`].
#[derive(Debug, Clone, Copy)]
pub struct Message<'r> {
    recording: &'r Recording,
    stored: &'r Stored,
}

impl<'r> Message<'r> {
    /// Its timestamp, ms since the epoch.
    pub fn ts(&self) -> i64 {
        self.stored.ts
    }

    /// Its recorded partition, if the line gave one.
    pub fn partition(&self) -> Option<i32> {
        self.stored.partition
    }

    /// Its key, if it had one.
    pub fn key(&self) -> Option<&'r [u8]> {
        self.stored.key.map(|s| self.recording.bytes_of(s))
    }

    /// Its value, if it had one.
    pub fn payload(&self) -> Option<&'r [u8]> {
        self.stored.payload.map(|s| self.recording.bytes_of(s))
    }

    /// How many headers it has.
    pub fn header_count(&self) -> usize {
        self.stored.header_count as usize
    }

    /// Its header `index`: name and value (`None` for one without a value).
    pub fn header(&self, index: usize) -> (&'r str, Option<&'r [u8]>) {
        let (name, value) = self.recording.headers[self.stored.first_header as usize + index];
        // Names were checked to be UTF-8 when the line was read.
        let name = std::str::from_utf8(self.recording.bytes_of(name)).unwrap_or_default();
        (name, value.map(|v| self.recording.bytes_of(v)))
    }
}

impl Recording {
    /// How many messages it holds (at least one).
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Never: a recording holds at least one message.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Message `index`, in timestamp order.
    pub fn message(&self, index: usize) -> Message<'_> {
        Message {
            recording: self,
            stored: &self.messages[index],
        }
    }

    /// Every message, in timestamp order.
    pub fn messages(&self) -> impl Iterator<Item = Message<'_>> {
        (0..self.len()).map(|i| self.message(i))
    }

    fn bytes_of(&self, span: Span) -> &[u8] {
        &self.bytes[span.start..span.start + span.len as usize]
    }

    fn keep(&mut self, bytes: &[u8]) -> Result<Span, String> {
        let len = u32::try_from(bytes.len()).map_err(|_| "a value over 4 GiB".to_string())?;
        let span = Span {
            start: self.bytes.len(),
            len,
        };
        self.bytes.extend_from_slice(bytes);
        Ok(span)
    }

    fn push(&mut self, m: Recorded) -> Result<(), String> {
        let first_header = u32::try_from(self.headers.len()).map_err(|_| "too many headers")?;
        for (name, value) in &m.headers {
            let name = self.keep(name.as_bytes())?;
            let value = value.as_deref().map(|v| self.keep(v)).transpose()?;
            self.headers.push((name, value));
        }
        let stored = Stored {
            ts: m.ts,
            partition: m.partition,
            key: m.key.as_deref().map(|k| self.keep(k)).transpose()?,
            payload: m.payload.as_deref().map(|p| self.keep(p)).transpose()?,
            first_header,
            header_count: m.headers.len() as u32,
        };
        self.messages.push(stored);
        Ok(())
    }
}

/// The recordings a scenario names, by the path written: each read, or why it could not
/// be.
pub type Recordings = BTreeMap<String, Result<Arc<Recording>, String>>;

/// Reads every recording the streams of `file` name, relative to `dir` (the scenario
/// file's directory; the working directory when `None`). Each file is read once.
pub(crate) fn read_all(file: &ScenarioFile, dir: Option<&Path>) -> Recordings {
    let mut recordings = Recordings::new();
    for stream in &file.streams {
        if let Some(replay) = &stream.replay {
            if !recordings.contains_key(&replay.file) {
                let path = match dir {
                    Some(dir) => dir.join(&replay.file),
                    None => Path::new(&replay.file).to_path_buf(),
                };
                let read = read(&replay.file, &path).map(Arc::new);
                recordings.insert(replay.file.clone(), read);
            }
        }
    }
    recordings
}

/// Reads the recording at `path`, shown as `name`, a line at a time.
fn read(name: &str, path: &Path) -> Result<Recording, String> {
    let file = std::fs::File::open(path).map_err(|e| {
        format!(
            "cannot read the recording {name}: {}",
            crate::text::io_reason(&e, "no such file")
        )
    })?;
    parse(name, file)
}

/// Hashes what is read through it.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// A recording from what `reader` reads: the messages of every line, or the first bad
/// lines located as `name:LINE:`.
pub(crate) fn parse(name: &str, reader: impl Read) -> Result<Recording, String> {
    let mut hashing = Hashing {
        inner: reader,
        hash: Sha256::new(),
    };
    let mut recording = Recording {
        file: name.to_string(),
        out_of_order: 0,
        sha256: [0; 32],
        bytes: Vec::new(),
        messages: Vec::new(),
        headers: Vec::new(),
    };
    let mut bad = Vec::new();
    let mut bad_count = 0usize;
    // The latest timestamp seen on each partition, for the out-of-order count.
    let mut latest: BTreeMap<(Option<String>, Option<i32>), i64> = BTreeMap::new();
    for line in recording::lines(BufReader::new(&mut hashing)) {
        let kept = line.map_err(|e| (e.line, e.message)).and_then(|(n, m)| {
            let seen = latest.entry((m.topic.clone(), m.partition)).or_insert(m.ts);
            if m.ts < *seen {
                recording.out_of_order += 1;
            } else {
                *seen = m.ts;
            }
            recording.push(m).map_err(|e| (n, e))
        });
        if let Err((line, message)) = kept {
            bad_count += 1;
            if bad.len() < MAX_LINE_PROBLEMS {
                bad.push(format!("{name}:{line}: {message}"));
            }
        }
    }
    if bad_count > 0 {
        let more = bad_count - bad.len();
        let mut text = format!(
            "the recording has {bad_count} line{} that cannot be read:\n  {}",
            if bad_count == 1 { "" } else { "s" },
            bad.join("\n  ")
        );
        if more > 0 {
            text.push_str(&format!("\n  … and {more} more"));
        }
        return Err(text);
    }
    if recording.messages.is_empty() {
        return Err(format!("the recording {name} holds no messages"));
    }
    // Stable: ties keep file order, which within a partition is offset order.
    recording.messages.sort_by_key(|m| m.ts);
    recording.messages.shrink_to_fit();
    recording.bytes.shrink_to_fit();
    recording.headers.shrink_to_fit();
    recording.sha256 = hashing.hash.finalize().into();
    Ok(recording)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(partition: i32, ts: i64, payload: &str) -> String {
        format!(
            "{{\"topic\":\"t\",\"partition\":{partition},\"ts\":{ts},\"key\":\"k\",\"payload\":\"{payload}\"}}\n"
        )
    }

    #[test]
    fn messages_come_in_timestamp_order_and_backward_steps_are_counted() {
        let text = [
            line(0, 10, "a"),
            line(1, 5, "b"),
            line(0, 8, "c"),
            line(0, 10, "d"),
            line(0, 9, "e"),
        ]
        .concat();
        let r = parse("r.jsonl", text.as_bytes()).unwrap();
        let order: Vec<&[u8]> = r.messages().map(|m| m.payload().unwrap()).collect();
        assert_eq!(order, [b"b", b"c", b"e", b"a", b"d"]);
        // Partition 1 starting earlier is not out of order; 8 and 9 after 10 are.
        assert_eq!(r.out_of_order, 2);
    }

    #[test]
    fn a_changed_file_has_another_hash() {
        let a = parse("r", line(0, 1, "a").as_bytes()).unwrap();
        let b = parse("r", line(0, 1, "b").as_bytes()).unwrap();
        assert_ne!(a.sha256, b.sha256);
        let whole: [u8; 32] = Sha256::digest(line(0, 1, "a").as_bytes()).into();
        assert_eq!(a.sha256, whole);
    }

    #[test]
    fn a_message_reads_back_from_the_arena_as_written() {
        let text = "{\"ts\":3,\"partition\":4,\"key\":null,\"headers\":[[\"a\",\"1\"],[\"b\",null]],\"payload\":{\"base64\":\"/w==\"}}\n{\"ts\":2,\"key\":\"k\"}\n";
        let r = parse("r", text.as_bytes()).unwrap();
        assert_eq!(r.len(), 2);
        let (second, first) = (r.message(1), r.message(0));
        assert_eq!(
            (
                first.ts(),
                first.key(),
                first.payload(),
                first.header_count()
            ),
            (2, Some(&b"k"[..]), None, 0)
        );
        assert_eq!(
            (second.ts(), second.partition(), second.key()),
            (3, Some(4), None)
        );
        assert_eq!(second.payload(), Some(&[0xff][..]));
        assert_eq!(second.header(0), ("a", Some(&b"1"[..])));
        assert_eq!(second.header(1), ("b", None));
    }

    #[test]
    fn bad_and_empty_recordings_are_located() {
        let text = format!("{}oops\n{}{{}}\n", line(0, 1, "a"), line(0, 2, "b"));
        let e = parse("r.jsonl", text.as_bytes()).unwrap_err();
        assert!(
            e.starts_with("the recording has 2 lines that cannot be read"),
            "{e}"
        );
        assert!(e.contains("r.jsonl:2: not a JSON object"), "{e}");
        assert!(e.contains("r.jsonl:4: no `ts`"), "{e}");
        assert_eq!(
            parse("r.jsonl", &b"\n\n"[..]).unwrap_err(),
            "the recording r.jsonl holds no messages"
        );
    }
}
