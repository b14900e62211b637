//! What an end-to-end latency measurement needs from the sending side: when each
//! message was handed to librdkafka (this host's monotonic clock) and what identifies
//! it on the other side. The sink only records ([`SendLog`]); the matching, the consumer
//! and the statistics live downstream (`consume::latency`), which reads the records from
//! the channel [`SendLog::new`] returns. Memory is bounded by the messages in flight:
//! the consumer removes a record when it sees its message.

use std::hash::{Hash, Hasher};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Instant;

/// What ties a sent message to the one consumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mark {
    /// [`fingerprint`] of (topic, key, value, timestamp): read back from the same topics.
    Fingerprint(u64),
    /// The value's bytes, for the consumer to take a field from: a pipeline's output is
    /// matched by a field of the input (its `event_id`).
    Value(Vec<u8>),
}

/// One message handed to librdkafka.
#[derive(Debug, Clone)]
pub(crate) struct Sent {
    /// Just before the produce call that took it.
    pub at: Instant,
    /// What identifies it.
    pub mark: Mark,
}

/// The sink's side of a latency measurement: a record of each message it hands over.
/// Dropped with the sink after the flush, which tells the consumer that nothing more
/// will be sent.
#[derive(Debug)]
pub(crate) struct SendLog {
    to: Sender<Sent>,
    values: bool,
}

impl SendLog {
    /// A log whose records carry fingerprints, or the values themselves (`values`), and
    /// the receiving end of its records.
    pub(crate) fn new(values: bool) -> (SendLog, Receiver<Sent>) {
        let (to, from) = channel();
        (SendLog { to, values }, from)
    }

    /// Records a message handed over at `at`. A consumer that has gone away (it
    /// failed) is not the sender's concern.
    pub(crate) fn record(
        &self,
        at: Instant,
        topic: &str,
        key: Option<&[u8]>,
        value: &[u8],
        timestamp_ms: i64,
    ) {
        let mark = match self.values {
            true => Mark::Value(value.to_vec()),
            false => Mark::Fingerprint(fingerprint(topic, key, value, timestamp_ms)),
        };
        let _ = self.to.send(Sent { at, mark });
    }
}

/// A message's identity on the wire, as one process sees it on both sides: its topic,
/// key (absent and empty differ), value and timestamp, each length-prefixed so that no
/// two messages run together. Copies (planned duplicates) share it.
pub(crate) fn fingerprint(topic: &str, key: Option<&[u8]>, value: &[u8], timestamp_ms: i64) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    topic.as_bytes().hash(&mut h);
    match key {
        Some(k) => {
            1u8.hash(&mut h);
            k.hash(&mut h);
        }
        None => 0u8.hash(&mut h),
    }
    value.hash(&mut h);
    timestamp_ms.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_tell_every_part_apart() {
        let base = fingerprint("events", Some(b"k"), b"v", 1);
        assert_eq!(base, fingerprint("events", Some(b"k"), b"v", 1));
        for other in [
            fingerprint("other", Some(b"k"), b"v", 1),
            fingerprint("events", None, b"v", 1),
            fingerprint("events", Some(b""), b"v", 1),
            fingerprint("events", Some(b"kv"), b"", 1),
            fingerprint("events", Some(b"k"), b"w", 1),
            fingerprint("events", Some(b"k"), b"v", 2),
        ] {
            assert_ne!(base, other);
        }
        assert_ne!(
            fingerprint("events", None, b"", 0),
            fingerprint("events", Some(b""), b"", 0)
        );
    }

    #[test]
    fn the_log_sends_what_it_was_asked_to_keep() {
        let at = Instant::now();
        let (log, from) = SendLog::new(false);
        log.record(at, "t", None, b"{}", 5);
        assert_eq!(
            from.recv().unwrap().mark,
            Mark::Fingerprint(fingerprint("t", None, b"{}", 5))
        );
        let (log, from) = SendLog::new(true);
        log.record(at, "t", None, b"{}", 5);
        drop(log);
        assert_eq!(from.recv().unwrap().mark, Mark::Value(b"{}".to_vec()));
        assert!(from.recv().is_err(), "a dropped log ends the channel");
    }
}
