//! What a run did, sink-neutral (counts, pacing, per-camera counts) with a section for
//! what the Kafka sink adds (delivery, failures, latency, the read-back check, the
//! producer's properties). Printed as a summary on stderr and written as JSON with
//! `--report FILE`; the Kafka section's fields sit at the top level of the JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

pub use crate::histogram::Percentiles;
use crate::histogram::{microsecond_precision, nanosecond_precision, one_decimal};
use crate::replay::COUNT_BUDGET;

/// The outcome of a run, as printed and as written to `--report`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Instant of offset 0 (RFC 3339).
    pub start: String,
    /// The scenario's topic (that of the streams that set none).
    pub topic: String,
    /// Every topic events went to, in stream order.
    pub topics: Vec<String>,
    /// `real time`, `speed N` or `max speed`.
    pub pace: String,
    /// Messages in the plan (events, less dropped ones, plus second copies of
    /// duplicates), all of them, also when the run was interrupted.
    pub planned: u64,
    /// Whether `planned` is exact: after an interrupt the rest of the plan is counted, for
    /// at most 10 s past the flush; when that is not enough, `planned` is a lower bound.
    pub planned_exact: bool,
    /// Events handed to the sink.
    pub sent: u64,
    /// Events of the plan never handed to the sink because the run was interrupted.
    pub not_sent: u64,
    /// Seconds from the first scheduled event to the end of the flush.
    #[serde(serialize_with = "microsecond_precision")]
    pub wall_time_s: f64,
    /// Events per second of wall time: delivered ones when the sink confirms delivery
    /// (Kafka), sent ones otherwise.
    #[serde(serialize_with = "one_decimal")]
    pub rate_per_s: f64,
    /// How late each send was against its planned instant.
    pub lateness: Percentiles,
    /// How late the last event was sent: the drift of the whole run, in microseconds.
    #[serde(serialize_with = "nanosecond_precision")]
    pub end_drift_us: f64,
    /// Events sent per camera id.
    pub per_camera: BTreeMap<String, u64>,
    /// Whether the run was stopped by a signal.
    pub interrupted: bool,
    /// What the Kafka sink adds, when it was the sink.
    #[serde(flatten)]
    pub kafka: Option<KafkaReport>,
}

/// The Kafka sink's part of a report.
#[derive(Debug, Clone, Serialize)]
pub struct KafkaReport {
    /// Where the events went: the bootstrap servers, or `embedded (…)`.
    pub brokers: String,
    /// Events the broker acknowledged.
    pub delivered: u64,
    /// Events that failed, by error (at send time or in a delivery report).
    pub failed: u64,
    /// Events neither delivered nor failed when the flush bound ran out.
    pub undelivered: u64,
    /// Failures counted by error text.
    pub failures: BTreeMap<String, u64>,
    /// The first few error messages, in the order seen.
    pub first_errors: Vec<String>,
    /// Time from send to the broker's acknowledgement.
    pub delivery_latency: Percentiles,
    /// The `-X` properties as given, in order (secrets shown as `***`), to repeat the run.
    pub command_line_properties: Vec<(String, String)>,
    /// Every librdkafka property the producer was created with: the defaults, the
    /// scenario's `kafka.properties` and `-X`, merged (secrets shown as `***`).
    pub producer_properties: BTreeMap<String, String>,
    /// The read-back check of an embedded run, if one ran, in words.
    pub verification: Option<String>,
    /// Whether the read-back found the topic equal to the plan (`None`: not checked).
    pub verified: Option<bool>,
}

impl Report {
    /// Every planned event was delivered (a run without a Kafka section: sent).
    pub fn all_delivered(&self) -> bool {
        match &self.kafka {
            Some(k) => {
                k.delivered == self.planned
                    && k.failed == 0
                    && k.undelivered == 0
                    && !self.interrupted
            }
            None => self.sent == self.planned && !self.interrupted,
        }
    }

    /// Every planned event is counted exactly once: delivered, failed, undelivered or not
    /// sent because of an interrupt.
    pub(crate) fn accounted(&self) -> bool {
        match &self.kafka {
            Some(k) => k.delivered + k.failed + k.undelivered + self.not_sent == self.planned,
            None => self.sent + self.not_sent == self.planned,
        }
    }

    /// The human summary printed on stderr.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let not_sent = if self.not_sent > 0 || self.interrupted {
            format!(", {} not sent (interrupted)", self.not_sent)
        } else {
            String::new()
        };
        let delivery = match &self.kafka {
            Some(k) => format!(
                ", {} delivered, {} failed, {} undelivered",
                k.delivered, k.failed, k.undelivered
            ),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "{}: {}{} planned, {} sent{not_sent}{delivery} in {:.3} s ({:.0} events/s, {})",
            self.scenario,
            if self.planned_exact { "" } else { "at least " },
            self.planned,
            self.sent,
            self.wall_time_s,
            self.rate_per_s,
            self.pace
        );
        if !self.planned_exact {
            let _ = writeln!(
                s,
                "  planned: counting the rest of the interrupted plan was stopped {} s after the flush",
                COUNT_BUDGET.as_secs()
            );
        }
        let _ = writeln!(
            s,
            "  pacing lateness: p50 {} p99 {} max {}, last event {}",
            us(self.lateness.p50_us),
            us(self.lateness.p99_us),
            us(self.lateness.max_us),
            us(self.end_drift_us)
        );
        if let Some(k) = &self.kafka {
            let _ = writeln!(
                s,
                "  delivery latency: p50 {} p99 {} max {}",
                us(k.delivery_latency.p50_us),
                us(k.delivery_latency.p99_us),
                us(k.delivery_latency.max_us)
            );
            for (error, n) in &k.failures {
                let _ = writeln!(s, "  failed: {n} × {error}");
            }
            if let Some(v) = &k.verification {
                let _ = writeln!(s, "  read back: {v}");
            }
        }
        s
    }
}

/// A duration in microseconds, shown in the unit that reads best.
fn us(value: f64) -> String {
    if value >= 1e6 {
        format!("{:.3} s", value / 1e6)
    } else if value >= 1e3 {
        format!("{:.2} ms", value / 1e3)
    } else {
        format!("{value:.1} µs")
    }
}
