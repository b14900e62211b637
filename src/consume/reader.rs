//! The one consumer of the other side: every partition of the topics asked for,
//! assigned (no group membership, nothing committed) from the offsets a start instant's
//! timestamp gives (`offsetsForTimes`) or from the beginning, read until told to stop.
//!
//! Brokers differ in what they answer: Tansu answers `offsetsForTimes` with offset 0 (and
//! timestamp −1 on some partitions) and a wrong high watermark, so callers skip messages
//! older than the start by their own timestamps and end a read by the plan's count or
//! an idle timeout, never by the high watermark alone ([`Reader::caught_up`] is for the
//! embedded cluster, whose watermarks are right).

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Headers};
use rdkafka::{ClientConfig, Message, Offset, Timestamp, TopicPartitionList};

/// Where each partition is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum From {
    /// The first offset whose timestamp is at or after this instant (ms since the epoch).
    Timestamp(i64),
    /// The partition's first retained message.
    Beginning,
    /// The high watermark when the read begins: only what arrives after it (an offset,
    /// not librdkafka's symbolic end, so nothing produced after `open` is missed).
    End,
}

/// One partition being read.
#[derive(Debug, Clone)]
pub(crate) struct Partition {
    /// The topic's index in the topics asked for.
    pub topic: usize,
    /// The partition's number.
    pub partition: i32,
    /// Its first retained offset when the read began (messages before it were deleted).
    pub low: i64,
    /// Its high watermark when the read began.
    pub high: i64,
    /// The next offset to read (after the last message read).
    pub position: i64,
}

/// A consumer assigned every partition of some topics.
pub(crate) struct Reader {
    consumer: BaseConsumer,
    topics: Vec<String>,
    partitions: Vec<Partition>,
    /// Index of (topic, partition) in `partitions`.
    index: BTreeMap<(usize, i32), usize>,
}

/// One message read, borrowed from the consumer.
pub(crate) struct Read<'m> {
    message: BorrowedMessage<'m>,
    topic: usize,
    slot: Option<usize>,
}

impl Read<'_> {
    /// The topic's index in the topics asked for.
    pub fn topic(&self) -> usize {
        self.topic
    }
    /// The partition's index in [`Reader::partitions`].
    pub fn slot(&self) -> Option<usize> {
        self.slot
    }
    /// The partition.
    pub fn partition(&self) -> i32 {
        self.message.partition()
    }
    /// The offset.
    pub fn offset(&self) -> i64 {
        self.message.offset()
    }
    /// The key, if any.
    pub fn key(&self) -> Option<&[u8]> {
        self.message.key()
    }
    /// The value (empty for a null value).
    pub fn value(&self) -> &[u8] {
        self.message.payload().unwrap_or_default()
    }
    /// The message timestamp in ms since the epoch (−1 when the broker gives none).
    pub fn timestamp_ms(&self) -> i64 {
        match self.message.timestamp() {
            Timestamp::CreateTime(t) | Timestamp::LogAppendTime(t) => t,
            Timestamp::NotAvailable => -1,
        }
    }
    /// Calls `each` with every header's name and value, in order.
    pub fn headers(&self, mut each: impl FnMut(&[u8], &[u8])) {
        self.headers_as_sent(|name, value| each(name, value.unwrap_or_default()));
    }
    /// Calls `each` with every header's name and value, in order, a header sent
    /// without a value (`None`) told apart from one with an empty value.
    pub fn headers_as_sent(&self, mut each: impl FnMut(&[u8], Option<&[u8]>)) {
        if let Some(list) = self.message.headers() {
            for header in list.iter() {
                each(header.key.as_bytes(), header.value);
            }
        }
    }
    /// The value, `None` for a null value (a tombstone).
    pub fn payload(&self) -> Option<&[u8]> {
        self.message.payload()
    }
    /// The timestamp's type as kcat names it: `create`, `logappend` or `none`.
    pub fn tstype(&self) -> &'static str {
        match self.message.timestamp() {
            Timestamp::CreateTime(_) => "create",
            Timestamp::LogAppendTime(_) => "logappend",
            Timestamp::NotAvailable => "none",
        }
    }
}

impl Reader {
    /// A consumer with `properties` (see `config::consumer_properties`) assigned every
    /// partition of `topics`, each from where `from` says.
    pub fn open(
        properties: &BTreeMap<String, String>,
        topics: &[&str],
        from: From,
        timeout: Duration,
    ) -> Result<Reader, KafkaError> {
        let mut config = ClientConfig::new();
        for (k, v) in properties {
            config.set(k, v);
        }
        let consumer: BaseConsumer = config.create()?;
        let mut partitions = Vec::new();
        for (t, topic) in topics.iter().enumerate() {
            let metadata = consumer.fetch_metadata(Some(topic), timeout)?;
            let count = metadata
                .topics()
                .first()
                .map_or(0, |m| m.partitions().len()) as i32;
            for p in 0..count {
                let (low, high) = consumer.fetch_watermarks(topic, p, timeout)?;
                partitions.push(Partition {
                    topic: t,
                    partition: p,
                    low: low.max(0),
                    high: high.max(0),
                    position: low.max(0),
                });
            }
        }
        let mut assignment = TopicPartitionList::new();
        for part in &partitions {
            assignment.add_partition_offset(
                topics[part.topic],
                part.partition,
                match from {
                    From::Timestamp(ms) => Offset::Offset(ms),
                    From::Beginning => Offset::Beginning,
                    From::End => Offset::Offset(part.high),
                },
            )?;
        }
        if let From::Timestamp(_) = from {
            // Offsets for times: the first offset at or after the instant. A partition
            // the broker gives no offset for (-1: nothing that late, or a broker that
            // does not look timestamps up, as librdkafka's mock) is read from its
            // beginning: callers skip what is older than the instant by timestamp.
            assignment = consumer.offsets_for_times(assignment, timeout)?;
            let mut fixed = TopicPartitionList::new();
            for element in assignment.elements() {
                let offset = match element.offset() {
                    Offset::Offset(o) if o >= 0 => Offset::Offset(o),
                    _ => Offset::Beginning,
                };
                fixed.add_partition_offset(element.topic(), element.partition(), offset)?;
            }
            assignment = fixed;
        }
        for part in &mut partitions {
            let at = assignment
                .find_partition(topics[part.topic], part.partition)
                .map(|e| e.offset());
            part.position = match at {
                Some(Offset::Offset(o)) => o.max(part.low),
                _ => part.low,
            };
        }
        consumer.assign(&assignment)?;
        let index = partitions
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.topic, p.partition), i))
            .collect();
        Ok(Reader {
            consumer,
            topics: topics.iter().map(|t| t.to_string()).collect(),
            partitions,
            index,
        })
    }

    /// The next message, waiting at most `timeout`; `None` when none came.
    pub fn poll(&mut self, timeout: Duration) -> Option<Result<Read<'_>, KafkaError>> {
        let message = match self.consumer.poll(timeout)? {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        let topic = self
            .topics
            .iter()
            .position(|t| t == message.topic())
            .unwrap_or(0);
        let slot = self.index.get(&(topic, message.partition())).copied();
        if let Some(i) = slot {
            self.partitions[i].position = message.offset() + 1;
        }
        Some(Ok(Read {
            message,
            topic,
            slot,
        }))
    }

    /// The name of the topic at `index` in the topics asked for.
    pub fn topic(&self, index: usize) -> &str {
        &self.topics[index]
    }

    /// The partitions being read.
    pub fn partitions(&self) -> &[Partition] {
        &self.partitions
    }

    /// Whether every partition has been read up to the high watermark the broker gives
    /// now (one request a partition, each within `timeout`; an error says no). Where
    /// watermarks lag (Tansu), this says yes early.
    pub fn drained(&self, timeout: Duration) -> bool {
        self.partitions.iter().all(|p| {
            let topic = &self.topics[p.topic];
            match self.consumer.fetch_watermarks(topic, p.partition, timeout) {
                Ok((_, high)) => p.position >= high,
                Err(_) => false,
            }
        })
    }

    /// Whether every partition has been read to the high watermark the broker gives now
    /// (one request a partition, each within `timeout`; an error says no), or `None`
    /// when a partition has been read past it: a broker whose watermarks are right never
    /// allows that (Tansu's memory storage gives 1), so its watermarks say nothing.
    pub fn at_end(&self, timeout: Duration) -> Option<bool> {
        let mut all = true;
        for p in &self.partitions {
            let topic = &self.topics[p.topic];
            match self.consumer.fetch_watermarks(topic, p.partition, timeout) {
                Ok((_, high)) if p.position > high => return None,
                Ok((_, high)) => all &= p.position == high,
                Err(_) => all = false,
            }
        }
        Some(all)
    }

    /// Whether every partition has been read up to the high watermark it had when the
    /// read began (meaningful only where watermarks are right: the embedded cluster).
    pub fn caught_up(&self) -> bool {
        self.partitions.iter().all(|p| p.position >= p.high)
    }
}
