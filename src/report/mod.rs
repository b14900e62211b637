//! What a run did, sink-neutral (counts, pacing, per-camera counts) with a section per
//! sink that adds to it (`kafka`: delivery, failures, latency, the read-back check, the
//! producer's properties). Built by constructors from what the replay counted and what
//! the sink accounted for; printed as a summary on stderr, written as JSON with
//! `--report FILE` (a section's fields sit at the top level of the JSON), read back and
//! merged by `simulate report merge` ([`merge()`]).
//!
//! End-to-end latency (`latency`) is a section of its own, beside the sink's.
//!
//! A new sink adds one section: a struct with its constructor, its summary lines and its
//! merge, in a file of its own here, and one field of [`Report`].

mod kafka;
mod latency;
mod merge;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{EXIT_INTERRUPTED, EXIT_OK, Error};
pub use crate::histogram::{Buckets, Percentiles, Step, Steps};
use crate::histogram::{
    Histogram, Timeline, microsecond_precision, nanosecond_precision, one_decimal,
};
use crate::replay::pacer::Pace;
use crate::replay::{COUNT_BUDGET, Tally};
use crate::scenario::{Scenario, Shard};
use crate::text::io_reason;
pub use kafka::{KafkaReport, RegistryReport, SubjectReport};
pub use latency::{Figures, LatencyReport};
pub use merge::merge;

/// The outcome of a run, as printed and as written to `--report`, and as read back by
/// `simulate report merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// The shard this run planned (`K/N`), or `null` for a whole run.
    #[serde(default, with = "shard_text")]
    pub shard: Option<Shard>,
    /// For a report merged from shards: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_shards: Option<u32>,
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
    /// Events in the plan (dropped ones included, second copies of duplicates not), all
    /// of them, also when the run was interrupted: what the truth calls `planned`.
    #[serde(default)]
    pub planned_events: u64,
    /// Messages in the plan (its events, less dropped ones, plus second copies of
    /// duplicates), all of them, also when the run was interrupted. (Reports of earlier
    /// versions called it `planned`, and read back under that name.)
    #[serde(alias = "planned")]
    pub planned_messages: u64,
    /// Whether the planned counts are exact: after an interrupt the rest of the plan is
    /// counted, for at most 10 s past the flush; when that is not enough, they are lower
    /// bounds.
    pub planned_exact: bool,
    /// Events of the plan dropped (never sent). The fault counts are named by their kind,
    /// as in the scenario's `faults`, the truth's `totals` and `simulate stats`.
    #[serde(default)]
    pub drop: u64,
    /// Second copies of duplicated events in the plan.
    #[serde(default)]
    pub duplicate: u64,
    /// Malformed messages in the plan.
    #[serde(default)]
    pub malformed: u64,
    /// Messages handed to the sink.
    pub sent: u64,
    /// Messages of the plan never handed to the sink because the run was interrupted.
    pub not_sent: u64,
    /// Seconds from the first scheduled event to the end of the flush.
    #[serde(serialize_with = "microsecond_precision")]
    pub wall_time_s: f64,
    /// Messages per second of wall time: delivered ones when the sink confirms delivery
    /// (Kafka), sent ones otherwise.
    #[serde(serialize_with = "one_decimal")]
    pub rate_per_s: f64,
    /// How late each send was against its planned instant.
    pub lateness: Percentiles,
    /// The same, as histogram buckets (to merge shards' reports exactly).
    #[serde(default)]
    pub lateness_histogram: Buckets,
    /// The same over the plan's time: per step (1 s, or longer for long runs) how many
    /// paced sends, their summed and largest lateness (`simulate plot --report`).
    #[serde(default)]
    pub lateness_timeline: Steps,
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
    /// End-to-end latency, when the run measured it (`--latency`, `--latency-topic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e2e_latency: Option<LatencyReport>,
}

impl Report {
    /// The report of a run of `scenario` from `start` at `pace`: what the replay counted
    /// (`tally`) and the section of the sink that adds one.
    pub(crate) fn new(
        scenario: &Scenario,
        start: DateTime<Utc>,
        pace: Pace,
        tally: &Tally,
        kafka: Option<KafkaReport>,
    ) -> Report {
        let mut report = Report {
            scenario: scenario.name.clone(),
            shard: scenario.shard,
            merged_shards: None,
            seed: scenario.seed,
            start: start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            topic: scenario.topic.clone(),
            topics: scenario.topics().iter().map(|t| t.to_string()).collect(),
            pace: pace.describe(),
            planned_events: tally.faults.events(tally.planned),
            planned_messages: tally.planned,
            planned_exact: tally.planned_exact,
            drop: tally.faults.dropped,
            duplicate: tally.faults.duplicates,
            malformed: tally.faults.malformed,
            sent: tally.sent,
            not_sent: tally.not_sent,
            wall_time_s: tally.wall.as_secs_f64(),
            rate_per_s: 0.0,
            lateness: tally.lateness.summary_us(),
            lateness_histogram: tally.lateness.to_buckets(),
            lateness_timeline: tally.lateness_timeline.to_steps(),
            end_drift_us: tally.end_drift.as_secs_f64() * 1e6,
            per_camera: tally.per_camera(scenario),
            interrupted: tally.interrupted,
            kafka,
            e2e_latency: None,
        };
        report.rate_per_s = report.rate();
        report
    }

    /// Reads a report written by `--report` (or `simulate report merge --report`);
    /// an unreadable file or one that is not a report is invalid input.
    pub fn read(path: &Path) -> Result<Report, Error> {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read {name}: {}",
                io_reason(&e, "no such file")
            ))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{name} is not a simulate report ({e}); write one with --report"
            ))
        })
    }

    /// Events per second of wall time: confirmed ones when the sink confirms delivery
    /// (Kafka), sent ones otherwise.
    fn rate(&self) -> f64 {
        let done = self.kafka.as_ref().map_or(self.sent, |k| k.delivered);
        done as f64 / self.wall_time_s.max(1e-9)
    }

    /// Every planned event was delivered (a run without a Kafka section: sent).
    pub fn all_delivered(&self) -> bool {
        let done = match &self.kafka {
            Some(k) => k.all_delivered(self.planned_messages),
            None => self.sent == self.planned_messages,
        };
        done && !self.interrupted
    }

    /// Every planned message is counted exactly once: delivered, failed, undelivered or
    /// not sent because of an interrupt.
    pub(crate) fn accounted(&self) -> bool {
        let settled = self.kafka.as_ref().map_or(self.sent, KafkaReport::settled);
        settled + self.not_sent == self.planned_messages
    }

    /// The exit code a finished run earns, or the error that explains why it failed:
    /// accounting that does not add up, events not delivered, a failed read-back.
    pub(crate) fn verdict(&self) -> Result<u8, Error> {
        let report = self;
        if !report.accounted() {
            let (delivered, failed, undelivered) = report
                .kafka
                .as_ref()
                .map_or((0, 0, 0), |k| (k.delivered, k.failed, k.undelivered));
            return Err(Error::Runtime(format!(
                "delivery accounting does not add up: {delivered} delivered + {failed} failed + {undelivered} undelivered + {} not sent ≠ {} planned messages",
                report.not_sent, report.planned_messages
            )));
        }
        if report.interrupted {
            return Ok(EXIT_INTERRUPTED);
        }
        let Some(kafka) = &report.kafka else {
            return Ok(EXIT_OK);
        };
        let mut why = if !report.all_delivered() {
            format!(
                "{} of {} planned messages were not delivered",
                report.planned_messages.saturating_sub(kafka.delivered),
                report.planned_messages
            )
        } else if kafka.verified == Some(false) {
            format!(
                "reading the topic back: {}",
                kafka.verification.as_deref().unwrap_or("failed")
            )
        } else {
            return Ok(EXIT_OK);
        };
        if !kafka.first_errors.is_empty() {
            why.push_str(&format!(
                "; first errors: {}",
                kafka.first_errors.join("; ")
            ));
        }
        Err(Error::Runtime(why))
    }

    /// The human summary printed on stderr.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let not_sent = if self.not_sent > 0 || self.interrupted {
            format!(", {} not sent (interrupted)", self.not_sent)
        } else {
            String::new()
        };
        let delivery = self
            .kafka
            .as_ref()
            .map_or_else(String::new, KafkaReport::counts);
        let whose = match (&self.shard, self.merged_shards) {
            (Some(shard), _) => format!("{} (shard {shard})", self.scenario),
            (None, Some(n)) => format!("{} ({n} shards merged)", self.scenario),
            (None, None) => self.scenario.clone(),
        };
        let _ = writeln!(
            s,
            "{whose}: {}{}; {} sent{not_sent}{delivery} in {:.3} s ({:.0} messages/s, {})",
            if self.planned_exact { "" } else { "at least " },
            self.planned_words(),
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
            k.write_summary(&mut s);
        }
        if let Some(l) = &self.e2e_latency {
            l.write_summary(&mut s);
        }
        s
    }
}

impl Report {
    /// `1548 events planned as 1567 messages (19 duplicates, 14 malformed)`: events where
    /// events are meant and messages where messages are, as the truth and stats say.
    fn planned_words(&self) -> String {
        let mut faults = Vec::new();
        for (n, one, many) in [
            (self.duplicate, "duplicate", "duplicates"),
            (self.drop, "dropped", "dropped"),
            (self.malformed, "malformed", "malformed"),
        ] {
            if n > 0 {
                faults.push(format!("{n} {}", if n == 1 { one } else { many }));
            }
        }
        let faults = match faults.is_empty() {
            true => String::new(),
            false => format!(" ({})", faults.join(", ")),
        };
        if self.planned_events == 0 && self.planned_messages > 0 {
            // A report of an earlier version, which did not count events.
            return format!("{} messages planned", self.planned_messages);
        }
        format!(
            "{} event{} planned as {} message{}{faults}",
            self.planned_events,
            if self.planned_events == 1 { "" } else { "s" },
            self.planned_messages,
            if self.planned_messages == 1 { "" } else { "s" },
        )
    }
}

/// The histogram of a report's buckets, which must carry its percentiles' samples (older
/// reports have no buckets).
fn histogram(name: &str, b: &Buckets, p: &Percentiles) -> Result<Histogram, String> {
    let h = Histogram::from_buckets(b)
        .ok_or_else(|| format!("{name}: a histogram bucket is not simulate's"))?;
    if h.summary_us().samples != p.samples {
        return Err(format!(
            "{name} has {} samples but histogram buckets for {}: write the shards' reports with this version of simulate",
            p.samples,
            h.summary_us().samples
        ));
    }
    Ok(h)
}

/// The timeline of a report's steps.
fn timeline(name: &str, steps: &Steps) -> Result<Timeline, String> {
    Timeline::from_steps(steps).ok_or_else(|| format!("{name}: a timeline is not simulate's"))
}

/// `shard` as `K/N` text in a report, as given on the command line.
mod shard_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::scenario::Shard;

    pub(super) fn serialize<S: Serializer>(shard: &Option<Shard>, s: S) -> Result<S::Ok, S::Error> {
        match shard {
            Some(shard) => s.collect_str(shard),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Shard>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| {
            t.parse::<Shard>()
                .map_err(|_| serde::de::Error::custom(format!("`shard: {t}` is not K/N")))
        })
        .transpose()
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
