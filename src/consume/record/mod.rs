//! `simulate record`: every partition of some topics read (no group, nothing
//! committed) and written as recording lines ([`crate::recording`]) as they arrive,
//! between two message-time instants, for a wall-clock duration, or until the topics
//! stop growing. Memory is the consumer's prefetch and one buffer of lines; the output
//! only ever ends with a whole line, however the recording stops.

pub(crate) mod summary;

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::error::KafkaError;

use crate::consume::reader::{From as Start, Read, Reader};
use crate::recording::{Place, Writer};
pub(crate) use summary::{End, Tally};

/// How long a metadata or watermark request may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// How long one poll waits: the longest a stop, a deadline or Ctrl-C waits to be seen.
const POLL: Duration = Duration::from_millis(100);
/// Lines are written out when this many bytes are waiting (and whenever the topics are
/// quiet), so a file being recorded is never far behind.
const FLUSH_BYTES: usize = 1 << 16;
/// Before the high watermarks are asked whether every partition was read to its end,
/// the topics must have been quiet this long: a broker whose watermarks lag (Tansu)
/// would otherwise end a recording early.
const QUIET: Duration = Duration::from_secs(1);

/// What to record and when to stop.
pub(crate) struct Request<'a> {
    /// The consumer's librdkafka properties.
    pub properties: &'a BTreeMap<String, String>,
    /// The topics, in the order given.
    pub topics: &'a [String],
    /// Skip messages stamped before this instant (ms since the epoch); each partition is
    /// read from the offset its timestamp gives.
    pub since_ms: Option<i64>,
    /// A partition ends at its first message stamped at or after this instant.
    pub until_ms: Option<i64>,
    /// Read what arrives from now on, for this long (wall clock), then stop.
    pub live_for: Option<Duration>,
    /// Stop when nothing new has arrived for this long (once `until_ms` has passed).
    pub idle: Duration,
    /// Stop after this many messages.
    pub max_messages: Option<u64>,
    /// Set by Ctrl-C.
    pub stop: &'a AtomicBool,
}

/// Why a recording failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The cluster: connecting, a topic, a read.
    Kafka(String),
    /// The output could not be written.
    Output(std::io::Error),
}

impl From<KafkaError> for Failure {
    fn from(e: KafkaError) -> Failure {
        Failure::Kafka(e.to_string())
    }
}

/// Records what `request` asks into `out`, calling `progress` with the tally now and
/// then (about every [`POLL`]). The tally says what was written and why it stopped.
pub(crate) fn record(
    request: &Request<'_>,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(&Tally),
) -> Result<Tally, Failure> {
    let from = match (request.since_ms, request.live_for) {
        (Some(ms), _) => Start::Timestamp(ms),
        (None, Some(_)) => Start::End,
        (None, None) => Start::Beginning,
    };
    let names: Vec<&str> = request.topics.iter().map(String::as_str).collect();
    let mut reader = Reader::open(request.properties, &names, from, TIMEOUT)?;
    let mut tally = Tally::new(request.topics);
    for part in reader.partitions() {
        tally.topics[part.topic].partitions += 1;
        tally.backlog += (part.high - part.position).max(0) as u64;
    }
    if let Some(empty) = tally.topics.iter().find(|t| t.partitions == 0) {
        return Err(Failure::Kafka(format!(
            "topic `{}` has no partitions: it does not exist (the topics are named by \
             --topic, exactly as spelt on the cluster)",
            empty.name
        )));
    }
    let mut state = State {
        writer: Writer::default(),
        ended: vec![false; reader.partitions().len()],
        last_ts: vec![i64::MIN; reader.partitions().len()],
        deadline: request.live_for.map(|d| Instant::now() + d),
        last_message: Instant::now(),
        last_progress: Instant::now(),
        asked_drained: Instant::now(),
        watermarks_right: true,
    };
    let names: Vec<String> = (0..request.topics.len())
        .map(|i| reader.topic(i).to_owned())
        .collect();
    let end = loop {
        if let Some(end) = state.stopped(request, &tally) {
            break end;
        }
        match reader.poll(POLL) {
            None => {
                state.flush(out)?;
                if let Some(end) = state.quiet(request, &reader) {
                    break end;
                }
            }
            Some(Err(e)) => return Err(e.into()),
            Some(Ok(message)) => {
                state.last_message = Instant::now();
                state.take(request, &names, &message, &mut tally);
                if state.writer.out.len() >= FLUSH_BYTES {
                    state.flush(out)?;
                }
                if state.ended.iter().all(|e| *e) {
                    break End::Until;
                }
            }
        }
        if state.last_progress.elapsed() >= POLL {
            state.last_progress = Instant::now();
            progress(&tally);
        }
    };
    state.flush(out)?;
    out.flush().map_err(Failure::Output)?;
    tally.end = Some(end);
    Ok(tally)
}

/// The loop's state beside the tally.
struct State {
    writer: Writer,
    /// Per partition: whether it has reached `until`.
    ended: Vec<bool>,
    /// Per partition: the timestamp of the last message written.
    last_ts: Vec<i64>,
    deadline: Option<Instant>,
    last_message: Instant,
    last_progress: Instant,
    asked_drained: Instant,
    /// False once a partition was read past its high watermark: only the idle timeout
    /// ends the recording then.
    watermarks_right: bool,
}

impl State {
    /// Why to stop before the next poll, if anything says so.
    fn stopped(&self, request: &Request<'_>, tally: &Tally) -> Option<End> {
        if request.stop.load(Ordering::SeqCst) {
            return Some(End::Interrupted);
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(End::Duration);
        }
        if request
            .max_messages
            .is_some_and(|max| tally.messages() >= max)
        {
            return Some(End::MaxMessages);
        }
        None
    }

    /// Why to stop after a poll that brought nothing: the topics quiet for the idle
    /// timeout, or read to their end, once `until` (if any) has passed on the clock.
    fn quiet(&mut self, request: &Request<'_>, reader: &Reader) -> Option<End> {
        if self.deadline.is_some() {
            return None;
        }
        let now_ms = chrono::Utc::now().timestamp_millis();
        if request.until_ms.is_some_and(|until| now_ms < until) {
            return None;
        }
        let quiet = self.last_message.elapsed();
        if quiet >= request.idle {
            return Some(End::Idle);
        }
        if self.watermarks_right
            && quiet >= QUIET.min(request.idle)
            && self.asked_drained.elapsed() >= QUIET
        {
            self.asked_drained = Instant::now();
            match reader.at_end(TIMEOUT) {
                Some(true) => return Some(End::Drained),
                Some(false) => {}
                None => self.watermarks_right = false,
            }
        }
        None
    }

    /// Writes `message` as a line, or counts it as skipped.
    fn take(
        &mut self,
        request: &Request<'_>,
        names: &[String],
        message: &Read<'_>,
        tally: &mut Tally,
    ) {
        let ts = message.timestamp_ms();
        let Some(slot) = message.slot() else {
            return;
        };
        if request.since_ms.is_some_and(|since| ts < since) {
            tally.before += 1;
            return;
        }
        if self.ended[slot] || request.until_ms.is_some_and(|until| ts >= until) {
            self.ended[slot] = true;
            tally.after += 1;
            return;
        }
        let topic = names[message.topic()].as_str();
        let start = self.writer.out.len();
        self.writer.start(
            Place {
                topic,
                partition: message.partition(),
                offset: message.offset(),
                tstype: message.tstype(),
                ts,
            },
            message.key(),
        );
        message.headers_as_sent(|name, value| self.writer.header(name, value));
        self.writer.end(message.payload());
        let counted = &mut tally.topics[message.topic()];
        counted.add(ts, (self.writer.out.len() - start) as u64);
        if ts < self.last_ts[slot] {
            counted.out_of_order += 1;
        }
        self.last_ts[slot] = ts;
    }

    /// Writes out the lines waiting (whole lines only).
    fn flush(&mut self, out: &mut dyn Write) -> Result<(), Failure> {
        if self.writer.out.is_empty() {
            return Ok(());
        }
        out.write_all(&self.writer.out).map_err(Failure::Output)?;
        self.writer.out.clear();
        Ok(())
    }
}
