//! The embedded cluster (librdkafka's in-process mock, three brokers on loopback) and
//! the read-back check: after an embedded run the topic is consumed and compared with the
//! plan, so a new user's first run proves every event arrived exactly once, in order per
//! key.

use std::collections::BTreeMap;
use std::collections::hash_map::DefaultHasher;
use std::fmt;
use std::hash::Hasher;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Headers;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;
use rdkafka::{ClientConfig, Message, Offset, Timestamp, TopicPartitionList};

use crate::error::Error;

/// Brokers in the embedded cluster.
pub(crate) const BROKERS: i32 = 3;

/// A running embedded cluster with the topic created.
pub struct Embedded {
    // Kept alive for the run; dropping it stops the brokers.
    _cluster: MockCluster<'static, DefaultProducerContext>,
    /// Its bootstrap servers.
    pub bootstrap: String,
}

impl Embedded {
    /// Starts the cluster and creates each of `topics` with `partitions` partitions.
    pub fn start(topics: &[&str], partitions: i32) -> Result<Embedded, Error> {
        let fail = |what: &str, e: KafkaError| {
            Error::Runtime(format!(
                "cannot start the embedded Kafka cluster: {what}: {e}"
            ))
        };
        let cluster = MockCluster::new(BROKERS).map_err(|e| fail("mock cluster", e))?;
        for topic in topics {
            cluster
                .create_topic(topic, partitions, BROKERS)
                .map_err(|e| fail(&format!("create topic `{topic}`"), e))?;
        }
        let bootstrap = cluster.bootstrap_servers();
        Ok(Embedded {
            _cluster: cluster,
            bootstrap,
        })
    }
}

/// The fingerprint of what a topic should hold: per key, the count and an
/// order-sensitive hash of (value, timestamp); for events without a key, an
/// order-insensitive one.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    keys: BTreeMap<Vec<u8>, KeyPrint>,
    unkeyed: KeyPrint,
    total: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct KeyPrint {
    count: u64,
    hash: u64,
}

fn message_hash(value: &[u8], headers: &[u8], timestamp_ms: i64) -> u64 {
    let mut h = DefaultHasher::new();
    h.write(value);
    h.write(headers);
    h.write_i64(timestamp_ms);
    h.finish()
}

/// Appends one header to `out` in the form fingerprints compare: the name's length and
/// bytes, then the value's.
pub fn encode_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(&(name.len() as u64).to_le_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    out.extend_from_slice(value);
}

impl Fingerprint {
    /// Adds one message, in order; `headers` as [`encode_header`] writes them.
    pub fn add(&mut self, key: Option<&[u8]>, value: &[u8], headers: &[u8], timestamp_ms: i64) {
        let h = message_hash(value, headers, timestamp_ms);
        self.total += 1;
        match key {
            Some(key) => {
                let print = match self.keys.get_mut(key) {
                    Some(p) => p,
                    None => self.keys.entry(key.to_vec()).or_default(),
                };
                print.count += 1;
                print.hash = print
                    .hash
                    .wrapping_mul(0x0000_0100_0000_01b3)
                    .wrapping_add(h);
            }
            None => {
                self.unkeyed.count += 1;
                self.unkeyed.hash = self.unkeyed.hash.wrapping_add(h);
            }
        }
    }

    /// How many messages were added.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// How many messages with `key` were added.
    pub fn count(&self, key: Option<&[u8]>) -> u64 {
        match key {
            Some(key) => self.keys.get(key).map_or(0, |p| p.count),
            None => self.unkeyed.count,
        }
    }

    /// Compares what was read (`self`) with what was planned; `unkeyed_values` says
    /// whether unkeyed messages are compared by content too, or only counted.
    pub fn compare(&self, planned: &Fingerprint, unkeyed_values: bool) -> Verification {
        let mut v = Verification {
            expected: planned.total,
            received: self.total,
            written: self.total,
            ..Verification::default()
        };
        let empty = KeyPrint::default();
        let mut tally = |got: &KeyPrint, want: &KeyPrint| {
            if got.count < want.count {
                v.missing += want.count - got.count;
            } else if got.count > want.count {
                v.duplicated += got.count - want.count;
            } else if got.hash != want.hash {
                v.keys_differing += 1;
            }
        };
        for (key, want) in &planned.keys {
            tally(self.keys.get(key).unwrap_or(&empty), want);
        }
        for (key, got) in &self.keys {
            if !planned.keys.contains_key(key) {
                tally(got, &empty);
            }
        }
        let want = KeyPrint {
            count: planned.unkeyed.count,
            hash: if unkeyed_values {
                planned.unkeyed.hash
            } else {
                self.unkeyed.hash
            },
        };
        tally(&self.unkeyed, &want);
        v
    }
}

/// The result of reading a topic back.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Events planned (and sent).
    pub expected: u64,
    /// Messages the topic's offsets say were written (the sum of high watermarks).
    pub written: u64,
    /// Messages read from the topic (the embedded cluster keeps only the newest ~5 MB of
    /// each partition; older ones are counted by their offsets only).
    pub received: u64,
    /// Planned events not found.
    pub missing: u64,
    /// Messages beyond the planned count of their key.
    pub duplicated: u64,
    /// Keys with the right count whose values, timestamps or order differ.
    pub keys_differing: u64,
}

impl Verification {
    /// Adds the counts of another topic's check.
    pub fn add(&mut self, other: &Verification) {
        self.expected += other.expected;
        self.written += other.written;
        self.received += other.received;
        self.missing += other.missing;
        self.duplicated += other.duplicated;
        self.keys_differing += other.keys_differing;
    }

    /// Every planned event arrived exactly once, unchanged and in order per key.
    pub fn ok(&self) -> bool {
        self.missing == 0
            && self.duplicated == 0
            && self.keys_differing == 0
            && self.written == self.expected
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ok() {
            write!(
                f,
                "all {} messages arrived exactly once, unchanged and in order per key, as planned",
                self.expected
            )?;
            if self.received < self.written {
                write!(
                    f,
                    " (the embedded cluster keeps ~5 MB per partition: the newest {} were compared \
                     byte for byte, the older ones counted by offset)",
                    self.received
                )?;
            }
            Ok(())
        } else {
            write!(
                f,
                "{} of {} planned messages written to the topic: {} missing, {} duplicated, \
                 {} keys with different values or order",
                self.written, self.expected, self.missing, self.duplicated, self.keys_differing
            )
        }
    }
}

/// What a topic holds: the fingerprint of the retained messages, and how many messages
/// its offsets say were ever written.
#[derive(Debug, Default)]
pub struct ReadBack {
    /// The messages read, in partition order.
    pub print: Fingerprint,
    /// The sum of the partitions' high watermarks.
    pub written: u64,
}

/// Reads every partition of `topic` from its oldest retained message up to its high
/// watermark (or until `timeout` passes).
pub fn read_back(
    bootstrap: &str,
    topic: &str,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<ReadBack, KafkaError> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "simulate-read-back")
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .create()?;
    let metadata = consumer.fetch_metadata(Some(topic), timeout)?;
    let partitions = metadata
        .topics()
        .first()
        .map_or(0, |t| t.partitions().len()) as i32;
    let mut assignment = TopicPartitionList::new();
    let mut remaining = Vec::new();
    let mut written = 0;
    for p in 0..partitions {
        let (low, high) = consumer.fetch_watermarks(topic, p, timeout)?;
        assignment.add_partition_offset(topic, p, Offset::Beginning)?;
        remaining.push((high - low).max(0) as u64);
        written += high.max(0) as u64;
    }
    consumer.assign(&assignment)?;
    let mut left: u64 = remaining.iter().sum();
    let mut print = Fingerprint::default();
    let mut headers = Vec::new();
    let deadline = Instant::now() + timeout;
    while left > 0 && Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                let ts = match m.timestamp() {
                    Timestamp::CreateTime(t) | Timestamp::LogAppendTime(t) => t,
                    Timestamp::NotAvailable => -1,
                };
                headers.clear();
                if let Some(list) = m.headers() {
                    for header in list.iter() {
                        encode_header(
                            &mut headers,
                            header.key.as_bytes(),
                            header.value.unwrap_or_default(),
                        );
                    }
                }
                print.add(m.key(), m.payload().unwrap_or_default(), &headers, ts);
                if let Some(r) = remaining.get_mut(m.partition() as usize) {
                    if *r > 0 {
                        *r -= 1;
                        left -= 1;
                    }
                }
            }
            Some(Err(e)) => return Err(e),
            None => {}
        }
    }
    Ok(ReadBack { print, written })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(messages: &[(Option<&str>, &str, i64)]) -> Fingerprint {
        let mut f = Fingerprint::default();
        for (k, v, t) in messages {
            f.add(k.map(str::as_bytes), v.as_bytes(), &[], *t);
        }
        f
    }

    #[test]
    fn identical_streams_verify() {
        let plan = print(&[
            (Some("a"), "1", 1),
            (Some("b"), "2", 2),
            (Some("a"), "3", 3),
            (None, "4", 4),
        ]);
        // Interleaving across keys may differ; order within a key may not.
        let read = print(&[
            (Some("b"), "2", 2),
            (None, "4", 4),
            (Some("a"), "1", 1),
            (Some("a"), "3", 3),
        ]);
        assert!(
            read.compare(&plan, true).ok(),
            "{}",
            read.compare(&plan, true)
        );
    }

    #[test]
    fn loss_duplication_reordering_and_changes_are_caught() {
        let plan = print(&[
            (Some("a"), "1", 1),
            (Some("a"), "2", 2),
            (Some("b"), "3", 3),
        ]);
        let lost = print(&[(Some("a"), "1", 1), (Some("b"), "3", 3)]);
        assert_eq!(lost.compare(&plan, true).missing, 1);
        let dup = print(&[
            (Some("a"), "1", 1),
            (Some("a"), "2", 2),
            (Some("a"), "2", 2),
            (Some("b"), "3", 3),
        ]);
        assert_eq!(dup.compare(&plan, true).duplicated, 1);
        let reordered = print(&[
            (Some("a"), "2", 2),
            (Some("a"), "1", 1),
            (Some("b"), "3", 3),
        ]);
        assert_eq!(reordered.compare(&plan, true).keys_differing, 1);
        let retimed = print(&[
            (Some("a"), "1", 1),
            (Some("a"), "2", 9),
            (Some("b"), "3", 3),
        ]);
        assert!(!retimed.compare(&plan, true).ok());
        let stranger = print(&[
            (Some("a"), "1", 1),
            (Some("a"), "2", 2),
            (Some("b"), "3", 3),
            (Some("c"), "4", 4),
        ]);
        assert_eq!(stranger.compare(&plan, true).duplicated, 1);
    }
}
