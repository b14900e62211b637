//! The latency consumer: a thread of the run's process reading the scenario's topics
//! (or a pipeline's output topic) from their ends as they were before the schedule
//! began, matching what it reads to the sink's record of sends ([`SendLog`]). It stops
//! once the send log is closed (the sink flushed and dropped it) and every send was
//! matched, or when nothing new came for the idle timeout, or at once after an
//! interrupt.

use std::collections::BTreeMap;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::matching::{Latency, Matcher, field_value};
use crate::consume::reader::{From, Read, Reader};
use crate::histogram::nanos;
use crate::sink::kafka::sent::{Mark, SendLog, Sent, fingerprint};

/// How a run measures latency.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// Through a pipeline: its output topic and the field that ties an output to the
    /// input sent (`None`: produce → consume on the run's own topics).
    pub through: Option<(String, String)>,
    /// After the flush, how long to wait with nothing new.
    pub idle_timeout: Duration,
}

/// A latency consumer at work.
pub(crate) struct Measuring {
    thread: JoinHandle<Latency>,
}

/// How long the consumer may take to learn the topics' partitions and ends.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest one wait for a message lasts (sends recorded meanwhile are read after).
const POLL: Duration = Duration::from_millis(50);

impl Measuring {
    /// Starts a consumer with `properties` (a consumer configured like the run's
    /// producer) on `topics`, or on the pipeline's output topic, reading only what
    /// arrives from now on; returns once it is reading, with the log the sink must
    /// record its sends in. `metric` observes each latency in seconds (`--metrics`).
    pub(crate) fn start(
        properties: BTreeMap<String, String>,
        topics: &[&str],
        options: &Options,
        metric: Option<prometheus::Histogram>,
        stop: Arc<AtomicBool>,
    ) -> Result<(Measuring, SendLog), String> {
        let topics: Vec<String> = match &options.through {
            Some((topic, _)) => vec![topic.clone()],
            None => topics.iter().map(|t| t.to_string()).collect(),
        };
        let (log, sends) = SendLog::new(options.through.is_some());
        let (ready, started) = sync_channel(1);
        let options = options.clone();
        let thread = std::thread::Builder::new()
            .name("latency".into())
            .spawn(move || {
                let names: Vec<&str> = topics.iter().map(String::as_str).collect();
                let reader = match open(&properties, &names) {
                    Ok(reader) => reader,
                    Err(why) => {
                        let _ = ready.send(Err(why));
                        return Latency::default();
                    }
                };
                let run = Run {
                    sends,
                    options: &options,
                    metric,
                    stop,
                    ready: Some(ready),
                    origin: Instant::now(),
                };
                match &options.through {
                    None => run.measure(
                        reader,
                        |m| match m {
                            Mark::Fingerprint(f) => Some(*f),
                            Mark::Value(_) => None,
                        },
                        |r| {
                            let topic = names[r.topic()];
                            Some(fingerprint(topic, r.key(), r.value(), r.timestamp_ms()))
                        },
                    ),
                    Some((_, field)) => run.measure(
                        reader,
                        |m| match m {
                            Mark::Value(v) => field_value(v, field),
                            Mark::Fingerprint(_) => None,
                        },
                        |r| field_value(r.value(), field),
                    ),
                }
            })
            .map_err(|e| format!("cannot start the latency consumer: {e}"))?;
        match started.recv() {
            Ok(Ok(())) => Ok((Measuring { thread }, log)),
            Ok(Err(why)) => Err(why),
            Err(_) => Err("the latency consumer stopped before it began".into()),
        }
    }

    /// Waits for the consumer to end (the sink holding the log must be dropped first)
    /// and returns what it found.
    pub(crate) fn finish(self) -> Latency {
        self.thread.join().unwrap_or_else(|_| Latency {
            first_error: Some("the latency consumer panicked".into()),
            ..Latency::default()
        })
    }
}

/// The reader of `topics` from their current ends; a topic without partitions (one that
/// does not exist) is an error.
fn open(properties: &BTreeMap<String, String>, topics: &[&str]) -> Result<Reader, String> {
    let reader = Reader::open(properties, topics, From::End, OPEN_TIMEOUT).map_err(|e| {
        format!(
            "the latency consumer cannot read {}: {e}",
            topics.join(", ")
        )
    })?;
    for (i, topic) in topics.iter().enumerate() {
        if !reader.partitions().iter().any(|p| p.topic == i) {
            return Err(format!(
                "the latency consumer finds no partitions of topic `{topic}` on the cluster: does it exist?"
            ));
        }
    }
    Ok(reader)
}

/// The consumer thread's state, apart from the reader and the matcher.
struct Run<'a> {
    sends: Receiver<Sent>,
    options: &'a Options,
    metric: Option<prometheus::Histogram>,
    stop: Arc<AtomicBool>,
    /// Told once the first poll returned: the consumer is reading.
    ready: Option<SyncSender<Result<(), String>>>,
    origin: Instant,
}

impl Run<'_> {
    /// Reads until the end (see the module), matching sends identified by `sent` with
    /// messages identified by `consumed`.
    fn measure<K: Hash + Eq + Clone>(
        mut self,
        mut reader: Reader,
        sent: impl Fn(&Mark) -> Option<K>,
        consumed: impl Fn(&Read<'_>) -> Option<K>,
    ) -> Latency {
        let mut matcher = Matcher::default();
        let mut first_error = None;
        let (mut flushed, mut last) = (None, Instant::now());
        loop {
            // Every send recorded so far is known before a message is matched.
            loop {
                match self.sends.try_recv() {
                    Ok(s) => match sent(&s.mark) {
                        Some(key) => {
                            let latency = matcher.sent(key, self.at(s.at));
                            self.observe(latency);
                        }
                        None => matcher.untracked(),
                    },
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        flushed.get_or_insert_with(Instant::now);
                        break;
                    }
                }
            }
            let now = Instant::now();
            matcher.expire(self.at(now));
            if let Some(flush) = flushed {
                let idle = now.duration_since(last.max(flush));
                if matcher.waiting() == 0
                    || idle >= self.options.idle_timeout
                    || self.stop.load(Ordering::Relaxed)
                {
                    break;
                }
            }
            match reader.poll(POLL) {
                Some(Ok(read)) => {
                    let at = Instant::now();
                    last = at;
                    match consumed(&read) {
                        Some(key) => {
                            let latency = matcher.consumed(key, self.at(at));
                            self.observe(latency);
                        }
                        None => matcher.without_field(),
                    }
                }
                Some(Err(e)) => {
                    first_error.get_or_insert_with(|| e.to_string());
                }
                None => {}
            }
            if let Some(ready) = self.ready.take() {
                let _ = ready.send(Ok(()));
            }
        }
        let mut found = matcher.finish();
        found.first_error = first_error;
        found
    }

    /// Nanoseconds of `at` since the measurement began.
    fn at(&self, at: Instant) -> u64 {
        nanos(at.saturating_duration_since(self.origin))
    }

    /// `--metrics`: a latency found, in seconds.
    fn observe(&self, latency: Option<u64>) {
        if let (Some(metric), Some(ns)) = (&self.metric, latency) {
            metric.observe(ns as f64 / 1e9);
        }
    }
}
