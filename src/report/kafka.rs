//! The Kafka sink's section of a report: delivery, failures, latency, the read-back check
//! and the producer's properties; built from what the sink accounted for, summed up on
//! stderr, and merged across shards.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::us;
use crate::consume::verify::Verification;
use crate::histogram::{Buckets, Histogram, Percentiles, Steps, Timeline};
#[cfg(feature = "kafka")]
use crate::sink::kafka::properties::{Origin, Property};
#[cfg(feature = "kafka")]
use crate::sink::kafka::{Finished, config};

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
    /// The verification's counts and first examples (the read-back of an embedded
    /// run, `--verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
    /// The Schema Registry the values' schemas were registered with, when the run
    /// sent values encoded by a schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_registry: Option<RegistryReport>,
}

/// The Schema Registry part of a run's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryReport {
    /// The registry's URL.
    pub url: String,
    /// Whether it was the embedded registry (a test double beside the embedded cluster).
    pub embedded: bool,
    /// Each subject a schema was registered or looked up in, once, in stream order.
    pub subjects: Vec<SubjectReport>,
    /// How many requests the run made to the registry (ids are cached: one round trip
    /// per subject and schema, not per message).
    pub requests: u64,
}

/// One subject of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectReport {
    /// The subject (empty for a schema named by id).
    pub subject: String,
    /// `avro`, `protobuf` or `json_schema`.
    pub format: String,
    /// The schema's id.
    pub id: u32,
    /// Its version under the subject, when the registry said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

/// How many distinct error messages a merged report keeps, as each run keeps.
const FIRST_ERRORS: usize = 5;

impl KafkaReport {
    /// The section of a finished run; `properties` are those set outside the scenario
    /// (the `-X` ones are listed to repeat the run). Secret values are masked.
    #[cfg(feature = "kafka")]
    pub(crate) fn new(finished: &Finished, properties: &[Property]) -> KafkaReport {
        let counts = &finished.outcome.counts;
        let (verification, verified) = match &finished.verification {
            Some((text, ok)) => (Some(text.clone()), *ok),
            None => (None, None),
        };
        KafkaReport {
            brokers: finished.brokers.clone(),
            delivered: counts.delivered,
            failed: counts.failed,
            undelivered: finished.outcome.outstanding,
            failures: counts.failures.clone(),
            first_errors: counts.first_errors.clone(),
            delivery_latency: counts.latency.summary_us(),
            delivery_latency_histogram: counts.latency.to_buckets(),
            delivery_latency_timeline: counts.latency_timeline.to_steps(),
            command_line_properties: properties
                .iter()
                .filter(|p| p.origin == Origin::Flag)
                .map(|p| (p.key.clone(), config::shown(&p.key, &p.value)))
                .collect(),
            producer_properties: finished
                .properties
                .iter()
                .map(|(k, v)| (k.clone(), config::shown(k, v)))
                .collect(),
            verification,
            verified,
            verify: None,
            schema_registry: None,
        }
    }

    /// Events counted once each: delivered, failed or undelivered.
    pub(crate) fn settled(&self) -> u64 {
        self.delivered + self.failed + self.undelivered
    }

    /// All `planned` events were delivered and none failed or is outstanding.
    pub(crate) fn all_delivered(&self, planned: u64) -> bool {
        self.delivered == planned && self.failed == 0 && self.undelivered == 0
    }

    /// The summary's first line's delivery counts.
    pub(crate) fn counts(&self) -> String {
        format!(
            ", {} delivered, {} failed, {} undelivered",
            self.delivered, self.failed, self.undelivered
        )
    }

    /// The summary's lines of this section: latency, failures, the read-back.
    pub(crate) fn write_summary(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "  delivery latency: p50 {} p99 {} max {}",
            us(self.delivery_latency.p50_us),
            us(self.delivery_latency.p99_us),
            us(self.delivery_latency.max_us)
        );
        for (error, n) in &self.failures {
            let _ = writeln!(s, "  failed: {n} × {error}");
        }
        if let Some(r) = &self.schema_registry {
            let subjects: Vec<String> = r
                .subjects
                .iter()
                .map(|x| match x.subject.is_empty() {
                    true => format!("id {}", x.id),
                    false => format!("{} (id {})", x.subject, x.id),
                })
                .collect();
            let _ = writeln!(
                s,
                "  schema registry: {}{}, {} in {} request{}",
                r.url,
                if r.embedded { " (embedded)" } else { "" },
                subjects.join(", "),
                r.requests,
                if r.requests == 1 { "" } else { "s" }
            );
        }
        if let Some(v) = &self.verification {
            let _ = writeln!(s, "  read back: {v}");
        }
    }
}

/// The Kafka sections of the shards of one run, merging: counts summed, first errors
/// kept, latency from the merged histograms.
pub(crate) struct Merging {
    total: KafkaReport,
    latency: Histogram,
    latency_timeline: Timeline,
}

impl Merging {
    /// Starts from the first shard's section (`name` names its file in errors).
    pub(crate) fn new(name: &str, first: &KafkaReport) -> Result<Merging, String> {
        let latency_timeline = super::timeline(name, &first.delivery_latency_timeline)?;
        let latency = super::histogram(
            name,
            &first.delivery_latency_histogram,
            &first.delivery_latency,
        )?;
        Ok(Merging {
            total: first.clone(),
            latency,
            latency_timeline,
        })
    }

    /// Adds another shard's section.
    pub(crate) fn add(&mut self, name: &str, k: &KafkaReport) -> Result<(), String> {
        let t = &mut self.total;
        self.latency_timeline
            .merge(&super::timeline(name, &k.delivery_latency_timeline)?);
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
        self.latency.merge(&super::histogram(
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
        Ok(())
    }

    /// The merged section (a merged run has no read-back of its own).
    pub(crate) fn finish(self) -> KafkaReport {
        let mut total = self.total;
        total.delivery_latency = self.latency.summary_us();
        total.delivery_latency_histogram = self.latency.to_buckets();
        total.delivery_latency_timeline = self.latency_timeline.to_steps();
        total.verification = None;
        total.verify = None;
        total
    }
}
