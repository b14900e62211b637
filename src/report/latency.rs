//! The end-to-end latency section of a report (`--latency`, `--latency-topic`): what the
//! run's consumer measured, consume time minus send time, as percentiles, a histogram
//! and a timeline, with what it could not match; summed up on stderr and merged across
//! shards (the histograms merge exactly).

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::us;
#[cfg(feature = "kafka")]
use crate::consume::latency::Latency;
use crate::histogram::{Buckets, Histogram, Steps, Timeline, nanosecond_precision};

/// End-to-end latency as a report writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LatencyReport {
    /// The pipeline's output topic read (`--latency-topic`); `null`: the run's own topics.
    pub topic: Option<String>,
    /// The field that tied an output to the input sent (`--latency-field`).
    pub field: Option<String>,
    /// How long the consumer let the broker hold a fetch (`fetch.wait.max.ms`): a broker
    /// that holds every fetch that long (Tansu) adds up to it to each figure.
    pub fetch_wait_ms: u32,
    /// Consume time minus send time of the messages matched.
    pub latency: Figures,
    /// The same, as histogram buckets (to merge shards' reports exactly).
    pub histogram: Buckets,
    /// The same over time since the consumer started (by consume time): per step how
    /// many, their summed and largest latency.
    pub timeline: Steps,
    /// Messages sent and waited for.
    pub tracked: u64,
    /// Messages sent whose value carries no such field (not waited for).
    pub untracked: u64,
    /// Messages consumed and matched to a send.
    pub matched: u64,
    /// Messages consumed that matched no send (another producer's, or from before the
    /// run; through a pipeline: outputs with an unknown field value).
    pub unmatched: u64,
    /// Messages consumed without the field (not a JSON object, or no such field).
    pub without_field: u64,
    /// Messages sent and never seen when the consumer stopped.
    pub unseen: u64,
    /// The consumer's first error, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
}

/// Percentiles of end-to-end latency, in microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Figures {
    /// Median.
    #[serde(serialize_with = "nanosecond_precision")]
    pub p50_us: f64,
    /// 90th percentile.
    #[serde(serialize_with = "nanosecond_precision")]
    pub p90_us: f64,
    /// 99th percentile.
    #[serde(serialize_with = "nanosecond_precision")]
    pub p99_us: f64,
    /// Largest.
    #[serde(serialize_with = "nanosecond_precision")]
    pub max_us: f64,
    /// How many values.
    pub samples: u64,
}

impl Figures {
    /// The percentiles of `h` (ns values).
    fn of(h: &Histogram) -> Figures {
        let s = h.summary_us();
        Figures {
            p50_us: s.p50_us,
            p90_us: h.quantile(0.90) as f64 / 1e3,
            p99_us: s.p99_us,
            max_us: s.max_us,
            samples: s.samples,
        }
    }
}

impl LatencyReport {
    /// The section of what the consumer found, through `topic` by `field` when it read a
    /// pipeline's output.
    #[cfg(feature = "kafka")]
    pub(crate) fn new(
        found: &Latency,
        through: Option<(String, String)>,
        fetch_wait_ms: u32,
    ) -> LatencyReport {
        let (topic, field) = through.unzip();
        LatencyReport {
            topic,
            field,
            fetch_wait_ms,
            latency: Figures::of(&found.histogram),
            histogram: found.histogram.to_buckets(),
            timeline: found.timeline.to_steps(),
            tracked: found.tracked,
            untracked: found.untracked,
            matched: found.matched,
            unmatched: found.unmatched,
            without_field: found.without_field,
            unseen: found.unseen,
            first_error: found.first_error.clone(),
        }
    }

    /// What was measured, in words.
    pub(crate) fn what(&self) -> String {
        match (&self.topic, &self.field) {
            (Some(t), Some(f)) => format!("through `{t}`, matched by `{f}`"),
            _ => "produce → consume".to_string(),
        }
    }

    /// The summary's lines of this section.
    pub(crate) fn write_summary(&self, s: &mut String) {
        let l = &self.latency;
        let _ = writeln!(
            s,
            "  end-to-end latency ({}): p50 {} p90 {} p99 {} max {}",
            self.what(),
            us(l.p50_us),
            us(l.p90_us),
            us(l.p99_us),
            us(l.max_us)
        );
        let mut counts = format!(
            "    {} of {} sent matched, {} never seen, {} unmatched",
            self.matched, self.tracked, self.unseen, self.unmatched
        );
        if self.field.is_some() {
            let field = self.field.as_deref().unwrap_or_default();
            let _ = write!(
                counts,
                ", {} without `{field}`; {} sent without `{field}` not waited for",
                self.without_field, self.untracked
            );
        }
        let _ = writeln!(s, "{counts}");
        if let Some(e) = &self.first_error {
            let _ = writeln!(s, "    the latency consumer's first error: {e}");
        }
    }
}

/// The latency sections of the shards of one run, merging.
pub(crate) struct Merging {
    total: LatencyReport,
    histogram: Histogram,
    timeline: Timeline,
}

impl Merging {
    /// Starts from the first shard's section (`name` names its file in errors).
    pub(crate) fn new(name: &str, first: &LatencyReport) -> Result<Merging, String> {
        Ok(Merging {
            total: first.clone(),
            histogram: histogram(name, first)?,
            timeline: super::timeline(name, &first.timeline)?,
        })
    }

    /// Adds another shard's section.
    pub(crate) fn add(&mut self, name: &str, l: &LatencyReport) -> Result<(), String> {
        self.histogram.merge(&histogram(name, l)?);
        self.timeline.merge(&super::timeline(name, &l.timeline)?);
        let t = &mut self.total;
        t.tracked += l.tracked;
        t.untracked += l.untracked;
        t.matched += l.matched;
        t.unmatched += l.unmatched;
        t.without_field += l.without_field;
        t.unseen += l.unseen;
        t.fetch_wait_ms = t.fetch_wait_ms.max(l.fetch_wait_ms);
        if t.first_error.is_none() {
            t.first_error.clone_from(&l.first_error);
        }
        Ok(())
    }

    /// The merged section: percentiles from the merged histogram.
    pub(crate) fn finish(self) -> LatencyReport {
        let mut total = self.total;
        total.latency = Figures::of(&self.histogram);
        total.histogram = self.histogram.to_buckets();
        total.timeline = self.timeline.to_steps();
        total
    }
}

/// The histogram of a section, which must hold its samples.
fn histogram(name: &str, l: &LatencyReport) -> Result<Histogram, String> {
    let p = crate::histogram::Percentiles {
        p50_us: l.latency.p50_us,
        p99_us: l.latency.p99_us,
        max_us: l.latency.max_us,
        samples: l.latency.samples,
    };
    super::histogram(&format!("{name}: e2e_latency"), &l.histogram, &p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(values_ms: &[u64]) -> LatencyReport {
        let mut h = Histogram::default();
        let mut t = Timeline::default();
        for (i, &v) in values_ms.iter().enumerate() {
            h.record(v * 1_000_000);
            t.record(i as u64 * 1_000_000_000, v * 1_000_000);
        }
        LatencyReport {
            topic: None,
            field: None,
            fetch_wait_ms: 10,
            latency: Figures::of(&h),
            histogram: h.to_buckets(),
            timeline: t.to_steps(),
            tracked: values_ms.len() as u64,
            untracked: 0,
            matched: values_ms.len() as u64,
            unmatched: 1,
            without_field: 0,
            unseen: 0,
            first_error: None,
        }
    }

    #[test]
    fn percentiles_are_those_of_the_values() {
        let values: Vec<u64> = (1..=100).collect();
        let f = section(&values).latency;
        // Within the histogram's 1.6 % buckets, never above the value itself.
        for (got, exact) in [(f.p50_us, 50e3), (f.p90_us, 90e3), (f.p99_us, 99e3)] {
            assert!(got <= exact && got > exact * 0.984, "{got} vs {exact}");
        }
        assert_eq!((f.max_us, f.samples), (100e3, 100));
        assert!(f.p50_us <= f.p90_us && f.p90_us <= f.p99_us && f.p99_us <= f.max_us);
        assert_eq!(Figures::of(&Histogram::default()), Figures::default());
    }

    #[test]
    fn shards_merge_into_the_figures_of_all_their_values() {
        let (a, b): (Vec<u64>, Vec<u64>) = (1..=300).partition(|v| v % 3 == 0);
        let mut merging = Merging::new("a.json", &section(&a)).unwrap();
        merging.add("b.json", &section(&b)).unwrap();
        let merged = merging.finish();
        let all: Vec<u64> = (1..=300).collect();
        let whole = section(&all);
        assert_eq!(merged.latency, whole.latency);
        assert_eq!(merged.histogram, whole.histogram);
        assert_eq!((merged.matched, merged.unmatched), (300, 2));
        let mut bad = section(&a);
        bad.latency.samples += 1;
        let mut merging = Merging::new("a.json", &section(&a)).unwrap();
        assert!(merging.add("bad.json", &bad).is_err());
    }

    #[test]
    fn the_summary_says_what_was_measured_and_what_was_not_matched() {
        let mut s = String::new();
        let mut through = section(&[200, 210]);
        through.topic = Some("enriched".into());
        through.field = Some("event_id".into());
        through.write_summary(&mut s);
        assert!(
            s.contains(
                "end-to-end latency (through `enriched`, matched by `event_id`): p50 199.23 ms"
            ),
            "{s}"
        );
        assert!(
            s.contains("2 of 2 sent matched, 0 never seen, 1 unmatched, 0 without `event_id`"),
            "{s}"
        );
    }
}
