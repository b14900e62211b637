//! Delivery accounting: every delivery report is counted as delivered or failed (by
//! error), with the time from send to acknowledgement. librdkafka calls this from the
//! producer's polling thread, so the counters are atomics and the rest sits behind a
//! mutex that only that thread takes while the run is going.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rdkafka::ClientContext;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::KafkaError;
use rdkafka::producer::{DeliveryResult, ProducerContext};

use super::diagnose::{self, Failure};
use crate::histogram::{Histogram, Timeline, nanos};

/// The opaque value of a message whose delivery latency is not measured. At max speed
/// one message in [`SAMPLE_EVERY`] is timed: tens of thousands of samples a second are
/// plenty for percentiles, and the rest skip two clock reads and a lock.
pub const UNTIMED: usize = 0;

/// At max speed, time the delivery of one message in this many.
pub const SAMPLE_EVERY: u64 = 16;

/// How many distinct error messages are kept verbatim for the report.
const FIRST_ERRORS: usize = 5;

/// The producer's context: counts and latencies of delivery reports.
#[derive(Debug)]
pub struct Delivery {
    origin: Instant,
    delivered: AtomicU64,
    failed: AtomicU64,
    detail: Mutex<Detail>,
    client_errors: Mutex<Vec<String>>,
    /// See [`Delivery::hung_up_on_first_request`].
    hung_up: Mutex<Option<String>>,
    /// `--metrics`: where measured latencies are observed too.
    latency_metric: Option<prometheus::Histogram>,
}

/// How many distinct client-level errors are kept for messages.
const CLIENT_ERRORS: usize = 3;

#[derive(Debug, Default)]
struct Detail {
    failures: BTreeMap<String, u64>,
    first_errors: Vec<String>,
    latency: Histogram,
    latency_timeline: Timeline,
}

/// A snapshot of the counts.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    /// Acknowledged by the broker.
    pub delivered: u64,
    /// Failed, by error (at send time or in a delivery report).
    pub failed: u64,
    /// Failures counted by error text.
    pub failures: BTreeMap<String, u64>,
    /// The first distinct error messages.
    pub first_errors: Vec<String>,
    /// Send-to-acknowledgement times.
    pub latency: Histogram,
    /// The same over wall time (the send instant after the producer was created).
    pub latency_timeline: Timeline,
}

impl Delivery {
    /// A context whose send times are measured from `origin`; measured latencies are
    /// also observed in `latency_metric`, when given.
    pub fn new(origin: Instant, latency_metric: Option<prometheus::Histogram>) -> Self {
        Delivery {
            origin,
            delivered: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            detail: Mutex::new(Detail::default()),
            client_errors: Mutex::new(Vec::new()),
            hung_up: Mutex::new(None),
            latency_metric,
        }
    }

    /// The opaque value a message carries: its send time in ns after the origin, plus 1;
    /// or 0 for a message whose delivery latency is not measured ([`UNTIMED`]).
    pub fn stamp(&self) -> usize {
        nanos(self.origin.elapsed()) as usize + 1
    }

    /// Events acknowledged so far.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Acquire)
    }

    /// Events failed so far.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Acquire)
    }

    /// Records a failure that happened before librdkafka accepted the message.
    pub fn record_failure(&self, error: &KafkaError) {
        self.failed.fetch_add(1, Ordering::AcqRel);
        self.note(error.to_string());
    }

    fn note(&self, text: String) {
        let mut detail = self.detail.lock().unwrap_or_else(|e| e.into_inner());
        if detail.first_errors.len() < FIRST_ERRORS && !detail.first_errors.contains(&text) {
            detail.first_errors.push(text.clone());
        }
        *detail.failures.entry(text).or_default() += 1;
    }

    /// The most telling client-level error librdkafka reported, e.g. "Connect to
    /// ipv4#127.0.0.1:1 failed: Connection refused", rather than "1/1 brokers are down".
    pub fn client_errors(&self) -> Option<String> {
        let errors = self.client_errors.lock().unwrap_or_else(|e| e.into_inner());
        let specific = errors
            .iter()
            .rev()
            .find(|e| !e.contains("brokers are down"));
        specific.or(errors.last()).cloned()
    }

    /// The first client-level error that waiting will not cure (a certificate not
    /// trusted, a wrong password, …), sorted by [`diagnose::classify`].
    pub fn fatal_client_error(&self) -> Option<(Failure, String)> {
        let errors = self.client_errors.lock().unwrap_or_else(|e| e.into_inner());
        errors
            .iter()
            .find_map(|e| diagnose::classify(e).map(|f| (f, e.clone())))
    }

    /// The first "Disconnected … in state APIVERSION_QUERY": a broker that hung up on
    /// the first request, as a TLS port does on a plaintext client.
    pub fn hung_up_on_first_request(&self) -> Option<String> {
        self.hung_up
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn note_client_error(&self, text: &str) {
        let text = strip_thread(text);
        let mut errors = self.client_errors.lock().unwrap_or_else(|e| e.into_inner());
        if !errors.iter().any(|e| e == text) {
            if errors.len() == CLIENT_ERRORS {
                errors.remove(0);
            }
            errors.push(text.to_string());
        }
    }

    /// A copy of everything counted so far.
    pub fn counts(&self) -> Counts {
        let detail = self.detail.lock().unwrap_or_else(|e| e.into_inner());
        Counts {
            delivered: self.delivered(),
            failed: self.failed(),
            failures: detail.failures.clone(),
            first_errors: detail.first_errors.clone(),
            latency: detail.latency.clone(),
            latency_timeline: detail.latency_timeline.clone(),
        }
    }
}

/// "[thrd:host:port/bootstrap]: host:port/bootstrap: …" → "host:port/bootstrap: …"
fn strip_thread(text: &str) -> &str {
    match text.strip_prefix("[thrd:") {
        Some(rest) => rest.split_once("]: ").map_or(text, |(_, tail)| tail),
        None => text,
    }
}

impl ClientContext for Delivery {
    /// librdkafka's own log lines are not shown; errors are kept for messages.
    fn log(&self, level: RDKafkaLogLevel, _facility: &str, message: &str) {
        if (level as i32) <= (RDKafkaLogLevel::Error as i32) {
            self.note_client_error(message);
        } else if message.contains("Disconnected") && message.contains("state APIVERSION_QUERY") {
            // Logged as information, but the sign of a plaintext client on a TLS port.
            let mut slot = self.hung_up.lock().unwrap_or_else(|e| e.into_inner());
            slot.get_or_insert_with(|| strip_thread(message).to_string());
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        if reason.is_empty() {
            self.note_client_error(&error.to_string());
        } else {
            self.note_client_error(reason);
        }
    }
}

impl ProducerContext for Delivery {
    type DeliveryOpaque = usize;

    fn delivery(&self, result: &DeliveryResult<'_>, stamp: usize) {
        match result {
            Ok(_) => {
                if stamp != UNTIMED {
                    let sent_at = stamp as u64 - 1;
                    let latency = nanos(self.origin.elapsed()).saturating_sub(sent_at);
                    if let Some(metric) = &self.latency_metric {
                        metric.observe(latency as f64 / 1e9);
                    }
                    let mut detail = self.detail.lock().unwrap_or_else(|e| e.into_inner());
                    detail.latency.record(latency);
                    detail.latency_timeline.record(sent_at, latency);
                }
                self.delivered.fetch_add(1, Ordering::AcqRel);
            }
            Err((error, _)) => {
                self.note(error.to_string());
                self.failed.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}
