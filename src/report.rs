//! What a run did, sink-neutral (counts, pacing, per-camera counts) with a section for
//! what the Kafka sink adds (delivery, failures, latency, the read-back check, the
//! producer's properties). Printed as a summary on stderr and written as JSON with
//! `--report FILE`; the Kafka section's fields sit at the top level of the JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

pub use crate::histogram::{Buckets, Percentiles, Step, Steps};
use crate::histogram::{
    Histogram, Timeline, microsecond_precision, nanosecond_precision, one_decimal,
};
use crate::replay::COUNT_BUDGET;

/// The outcome of a run, as printed and as written to `--report`, and as read back by
/// `simulate report merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// The shard this run planned (`K/N`), or `null` for a whole run.
    #[serde(default)]
    pub shard: Option<String>,
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
}

/// The Kafka sink's part of a report.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// The same, as histogram buckets.
    #[serde(default)]
    pub delivery_latency_histogram: Buckets,
    /// The same over wall time since the producer started: per step how many timed
    /// deliveries, their summed and largest latency.
    #[serde(default)]
    pub delivery_latency_timeline: Steps,
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
        let whose = match (&self.shard, self.merged_shards) {
            (Some(shard), _) => format!("{} (shard {shard})", self.scenario),
            (None, Some(n)) => format!("{} ({n} shards merged)", self.scenario),
            (None, None) => self.scenario.clone(),
        };
        let _ = writeln!(
            s,
            "{whose}: {}{} planned, {} sent{not_sent}{delivery} in {:.3} s ({:.0} events/s, {})",
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

/// How many distinct error messages a merged report keeps, as each run keeps.
const FIRST_ERRORS: usize = 5;

/// Merges the reports of the shards of one run (`simulate report merge`): counts and
/// per-camera counts summed, percentiles recomputed from the merged histograms, the wall
/// time the longest shard's. Refused (with what is wrong, naming the files) when a report
/// is not a shard's, two claim the same shard, the shards disagree on the run, or the
/// set is incomplete.
pub fn merge(reports: &[(String, Report)]) -> Result<Report, String> {
    let Some((first_name, first)) = reports.first() else {
        return Err("no reports to merge".into());
    };
    let shard_of = |name: &str, r: &Report| -> Result<(u32, u32), String> {
        let text = r.shard.as_deref().ok_or_else(|| {
            format!("{name} is the report of a whole run, not of a shard (it has no `shard`)")
        })?;
        let parsed = text
            .split_once('/')
            .and_then(|(k, n)| Some((k.parse::<u32>().ok()?, n.parse::<u32>().ok()?)))
            .filter(|&(k, n)| k < n);
        parsed.ok_or_else(|| format!("{name}: `shard: {text}` is not K/N"))
    };
    let (_, count) = shard_of(first_name, first)?;
    let mut seen: BTreeMap<u32, &str> = BTreeMap::new();
    for (name, r) in reports {
        let (index, n) = shard_of(name, r)?;
        if n != count {
            return Err(format!(
                "{name} is shard {index}/{n}, but {first_name} is one of {count} shards"
            ));
        }
        if let Some(other) = seen.insert(index, name) {
            return Err(format!(
                "{other} and {name} both claim shard {index}/{count}"
            ));
        }
        for (what, mine, theirs) in [
            ("scenario", &r.scenario, &first.scenario),
            ("start", &r.start, &first.start),
            ("pace", &r.pace, &first.pace),
        ] {
            if mine != theirs {
                return Err(format!(
                    "{name} and {first_name} are not shards of one run: {what} `{mine}` ≠ `{theirs}`"
                ));
            }
        }
        if r.seed != first.seed {
            return Err(format!(
                "{name} and {first_name} are not shards of one run: seed {} ≠ {}",
                r.seed, first.seed
            ));
        }
        if r.kafka.is_some() != first.kafka.is_some() {
            return Err(format!(
                "{name} and {first_name} are not shards of one run: one has a Kafka section"
            ));
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|k| !seen.contains_key(k))
        .map(|k| k.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the shard set is incomplete: {} of {count} reports given; missing shard{} {}",
            seen.len(),
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    // A report must carry the buckets of its percentiles (older reports have none).
    let histogram = |name: &str, b: &Buckets, p: &Percentiles| {
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
    };
    let mut total = first.clone();
    let mut lateness = histogram(first_name, &first.lateness_histogram, &first.lateness)?;
    let timeline = |name: &str, steps: &Steps| {
        Timeline::from_steps(steps).ok_or_else(|| format!("{name}: a timeline is not simulate's"))
    };
    let mut lateness_timeline = timeline(first_name, &first.lateness_timeline)?;
    let mut latency_timeline = match &first.kafka {
        Some(k) => Some(timeline(first_name, &k.delivery_latency_timeline)?),
        None => None,
    };
    let mut latency = match &first.kafka {
        Some(k) => Some(histogram(
            first_name,
            &k.delivery_latency_histogram,
            &k.delivery_latency,
        )?),
        None => None,
    };
    for (name, r) in &reports[1..] {
        total.planned += r.planned;
        total.planned_exact &= r.planned_exact;
        total.sent += r.sent;
        total.not_sent += r.not_sent;
        total.wall_time_s = total.wall_time_s.max(r.wall_time_s);
        total.end_drift_us = total.end_drift_us.max(r.end_drift_us);
        total.interrupted |= r.interrupted;
        for (camera, n) in &r.per_camera {
            *total.per_camera.entry(camera.clone()).or_default() += n;
        }
        for topic in &r.topics {
            if !total.topics.contains(topic) {
                total.topics.push(topic.clone());
            }
        }
        lateness.merge(&histogram(name, &r.lateness_histogram, &r.lateness)?);
        lateness_timeline.merge(&timeline(name, &r.lateness_timeline)?);
        if let (Some(t), Some(k)) = (&mut latency_timeline, &r.kafka) {
            t.merge(&timeline(name, &k.delivery_latency_timeline)?);
        }
        if let (Some(t), Some(k), Some(l)) = (&mut total.kafka, &r.kafka, &mut latency) {
            t.delivered += k.delivered;
            t.failed += k.failed;
            t.undelivered += k.undelivered;
            for (error, n) in &k.failures {
                *t.failures.entry(error.clone()).or_default() += n;
            }
            for e in &k.first_errors {
                if t.first_errors.len() < FIRST_ERRORS && !t.first_errors.contains(e) {
                    t.first_errors.push(e.clone());
                }
            }
            l.merge(&histogram(
                name,
                &k.delivery_latency_histogram,
                &k.delivery_latency,
            )?);
            // Verified only when every shard was; false when any was not; else unknown.
            t.verified = match (t.verified, k.verified) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
    }
    total.shard = None;
    total.merged_shards = Some(count);
    total.lateness = lateness.summary_us();
    total.lateness_histogram = lateness.to_buckets();
    total.lateness_timeline = lateness_timeline.to_steps();
    if let (Some(t), Some(l)) = (&mut total.kafka, &latency) {
        t.delivery_latency = l.summary_us();
        t.delivery_latency_histogram = l.to_buckets();
        if let Some(timeline) = &latency_timeline {
            t.delivery_latency_timeline = timeline.to_steps();
        }
        t.verification = None;
    }
    let done = total.kafka.as_ref().map_or(total.sent, |k| k.delivered);
    total.rate_per_s = done as f64 / total.wall_time_s.max(1e-9);
    Ok(total)
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
