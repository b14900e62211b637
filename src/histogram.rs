//! Measurements in constant memory: a log-linear histogram of nanosecond values and its
//! percentiles, as the replay loop (pacing lateness) and the Kafka sink (delivery
//! latency) record them and the report shows them, rounded to what they measure.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A log-linear histogram of nanosecond values: exact below 128 ns, then 64 buckets per
/// power of two (under 1.6 % error), in constant memory.
#[derive(Debug, Clone)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max: u64,
}

const LINEAR: u64 = 128;
const SUB_BUCKETS: u64 = 64;

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; (LINEAR + 57 * SUB_BUCKETS) as usize],
            count: 0,
            max: 0,
        }
    }
}

impl Histogram {
    fn index(value: u64) -> usize {
        if value < LINEAR {
            return value as usize;
        }
        let exponent = 63 - u64::from(value.leading_zeros()); // ≥ 7
        let mantissa = (value >> (exponent - 6)) & (SUB_BUCKETS - 1);
        (LINEAR + (exponent - 7) * SUB_BUCKETS + mantissa) as usize
    }

    /// The smallest value that falls in bucket `index`.
    fn lower_bound(index: usize) -> u64 {
        let index = index as u64;
        if index < LINEAR {
            return index;
        }
        let exponent = (index - LINEAR) / SUB_BUCKETS + 7;
        let mantissa = (index - LINEAR) % SUB_BUCKETS;
        (1 << exponent) | (mantissa << (exponent - 6))
    }

    /// Adds one value.
    pub fn record(&mut self, value: u64) {
        self.buckets[Self::index(value)] += 1;
        self.count += 1;
        self.max = self.max.max(value);
    }

    /// The value at quantile `q` (0..=1): the lower bound of its bucket, never above the max.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Self::lower_bound(i).min(self.max);
            }
        }
        self.max
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            *mine += theirs;
        }
        self.count += other.count;
        self.max = self.max.max(other.max);
    }

    /// The histogram as written in a report: its non-empty buckets.
    pub fn to_buckets(&self) -> Buckets {
        Buckets {
            buckets: self
                .buckets
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, &n)| (Self::lower_bound(i), n))
                .collect(),
            max_ns: self.max,
        }
    }

    /// The histogram a report wrote; `None` when a bucket is not one of ours (a
    /// hand-edited or foreign file).
    pub fn from_buckets(written: &Buckets) -> Option<Histogram> {
        let mut h = Histogram::default();
        for &(lower, n) in &written.buckets {
            let index = Self::index(lower);
            if Self::lower_bound(index) != lower {
                return None;
            }
            h.buckets[index] += n;
            h.count += n;
        }
        h.max = written.max_ns;
        Some(h)
    }

    /// p50, p99 and max, in microseconds.
    pub fn summary_us(&self) -> Percentiles {
        Percentiles {
            p50_us: self.quantile(0.50) as f64 / 1e3,
            p99_us: self.quantile(0.99) as f64 / 1e3,
            max_us: self.max as f64 / 1e3,
            samples: self.count,
        }
    }
}

/// A histogram as a report writes it, so that reports of shards can be merged exactly:
/// each non-empty bucket as (its smallest value in ns, its count), and the largest value.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Buckets {
    /// (lower bound in ns, count) of every non-empty bucket, in increasing order.
    pub buckets: Vec<(u64, u64)>,
    /// The largest value recorded, in ns.
    pub max_ns: u64,
}

/// Percentiles of a distribution of durations, in microseconds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Percentiles {
    /// Median.
    #[serde(serialize_with = "nanosecond_precision")]
    pub p50_us: f64,
    /// 99th percentile.
    #[serde(serialize_with = "nanosecond_precision")]
    pub p99_us: f64,
    /// Largest.
    #[serde(serialize_with = "nanosecond_precision")]
    pub max_us: f64,
    /// How many values.
    pub samples: u64,
}

/// A figure rounded to `decimals` places, so reports read `0.026`, not `0.026000000000000002`.
pub(crate) fn rounded(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    let r = (value * scale).round() / scale;
    if r.is_finite() { r } else { value }
}

/// Microsecond figures to the nanosecond (three decimals).
pub(crate) fn nanosecond_precision<S: serde::Serializer>(
    value: &f64,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_f64(rounded(*value, 3))
}

/// Second figures to the microsecond (six decimals).
pub(crate) fn microsecond_precision<S: serde::Serializer>(
    value: &f64,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_f64(rounded(*value, 6))
}

/// Rates to one decimal.
pub(crate) fn one_decimal<S: serde::Serializer>(value: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(rounded(*value, 1))
}

/// Nanoseconds of a duration, saturating.
pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Written and read back, a histogram is the same; merged, two histograms give the
    /// quantiles of all their values together.
    #[test]
    fn buckets_round_trip_and_merge_exactly() {
        let (mut a, mut b, mut all) = (
            Histogram::default(),
            Histogram::default(),
            Histogram::default(),
        );
        for v in (0..20_000u64).map(|i| i * i % 9_999_991) {
            if v % 3 == 0 {
                a.record(v)
            } else {
                b.record(v)
            }
            all.record(v);
        }
        let back = Histogram::from_buckets(&a.to_buckets()).unwrap();
        assert_eq!(back.to_buckets(), a.to_buckets());
        assert_eq!(back.summary_us(), a.summary_us());
        a.merge(&b);
        assert_eq!(a.summary_us(), all.summary_us());
        assert_eq!(a.to_buckets(), all.to_buckets());
        let foreign = Buckets {
            buckets: vec![(129, 1)],
            max_ns: 129,
        };
        assert!(Histogram::from_buckets(&foreign).is_none());
    }

    #[test]
    fn quantiles_are_within_bucket_precision() {
        let mut h = Histogram::default();
        for v in 1..=100_000u64 {
            h.record(v * 1_000);
        }
        for (q, exact) in [(0.5, 50_000_000.0), (0.99, 99_000_000.0)] {
            let got = h.quantile(q) as f64;
            assert!(
                (got - exact).abs() / exact < 0.016,
                "q{q}: {got} vs {exact}"
            );
        }
        assert_eq!(h.max, 100_000_000);
        assert_eq!(h.count, 100_000);
    }

    #[test]
    fn small_values_are_exact_and_buckets_are_contiguous() {
        let mut h = Histogram::default();
        h.record(5);
        assert_eq!(h.quantile(1.0), 5);
        for v in [127u64, 128, 129, 1 << 20, u64::MAX] {
            let i = Histogram::index(v);
            assert!(Histogram::lower_bound(i) <= v);
            assert!(i + 1 >= h.buckets.len() || Histogram::lower_bound(i + 1) > v);
        }
    }

    #[test]
    fn report_figures_are_rounded_to_their_precision() {
        assert_eq!(rounded(0.026000000000000002, 3).to_string(), "0.026");
        assert_eq!(rounded(179.58412345678, 6).to_string(), "179.584123");
        assert_eq!(rounded(1.899999999, 1).to_string(), "1.9");
        let p = Percentiles {
            p50_us: 12.345_678_9,
            p99_us: 0.1 + 0.2,
            max_us: 1e-9,
            samples: 3,
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"p50_us":12.346,"p99_us":0.3,"max_us":0.0,"samples":3}"#
        );
    }

    #[test]
    fn empty_histogram_reports_zero() {
        assert_eq!(Histogram::default().quantile(0.99), 0);
    }
}

/// Most entries a [`Timeline`] keeps: past it, neighbouring entries are merged and the
/// step doubles, so a day-long run keeps as much as an hour-long one.
pub const TIMELINE_ENTRIES: usize = 3_600;

/// Values over time in bounded memory: per step (1 s to start with) how many values,
/// their sum and their largest. The step doubles whenever more than
/// [`TIMELINE_ENTRIES`] steps would be needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    step_ns: u64,
    entries: Vec<Step>,
}

/// One step of a `Timeline` (values over time, per step).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Values recorded in the step.
    pub count: u64,
    /// Their sum, in ns.
    pub sum_ns: u64,
    /// The largest, in ns.
    pub max_ns: u64,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            step_ns: 1_000_000_000,
            entries: Vec::new(),
        }
    }
}

impl Timeline {
    /// Records `value` (ns) at `at` (ns after the start).
    pub fn record(&mut self, at: u64, value: u64) {
        let mut index = (at / self.step_ns) as usize;
        while index >= TIMELINE_ENTRIES {
            self.coarsen();
            index = (at / self.step_ns) as usize;
        }
        if index >= self.entries.len() {
            self.entries.resize(index + 1, Step::default());
        }
        let step = &mut self.entries[index];
        step.count += 1;
        step.sum_ns = step.sum_ns.saturating_add(value);
        step.max_ns = step.max_ns.max(value);
    }

    /// Merges neighbouring steps: twice the step, half the entries.
    fn coarsen(&mut self) {
        self.step_ns *= 2;
        let merged = self
            .entries
            .chunks(2)
            .map(|pair| {
                pair.iter().fold(Step::default(), |a, b| Step {
                    count: a.count + b.count,
                    sum_ns: a.sum_ns.saturating_add(b.sum_ns),
                    max_ns: a.max_ns.max(b.max_ns),
                })
            })
            .collect();
        self.entries = merged;
    }

    /// Adds `other`'s values (the coarser step of the two is kept).
    pub fn merge(&mut self, other: &Timeline) {
        let mut other = other.clone();
        while other.step_ns < self.step_ns {
            other.coarsen();
        }
        while self.step_ns < other.step_ns {
            self.coarsen();
        }
        if other.entries.len() > self.entries.len() {
            self.entries.resize(other.entries.len(), Step::default());
        }
        for (mine, theirs) in self.entries.iter_mut().zip(&other.entries) {
            mine.count += theirs.count;
            mine.sum_ns = mine.sum_ns.saturating_add(theirs.sum_ns);
            mine.max_ns = mine.max_ns.max(theirs.max_ns);
        }
    }

    /// The timeline as a report writes it.
    pub fn to_steps(&self) -> Steps {
        Steps {
            step_s: self.step_ns as f64 / 1e9,
            steps: self.entries.clone(),
        }
    }

    /// The timeline a report wrote; `None` when its step is not a whole number of
    /// nanoseconds or it has too many entries (a hand-edited or foreign file).
    pub fn from_steps(written: &Steps) -> Option<Timeline> {
        let step_ns = (written.step_s * 1e9).round();
        if !(1.0..=1e18).contains(&step_ns) || written.steps.len() > TIMELINE_ENTRIES {
            return None;
        }
        Some(Timeline {
            step_ns: step_ns as u64,
            entries: written.steps.clone(),
        })
    }
}

/// A `Timeline` as a report writes it: values over time, per step.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Steps {
    /// The width of each step, in seconds.
    pub step_s: f64,
    /// Each step from the start, in order.
    pub steps: Vec<Step>,
}

#[cfg(test)]
mod timeline_tests {
    use super::*;

    #[test]
    fn a_timeline_stays_bounded_and_keeps_every_value() {
        let mut t = Timeline::default();
        let sec = 1_000_000_000u64;
        for i in 0..10_000u64 {
            t.record(i * sec, i);
        }
        assert!(t.entries.len() <= TIMELINE_ENTRIES, "{}", t.entries.len());
        assert_eq!(t.step_ns, 4 * sec);
        let total: u64 = t.entries.iter().map(|s| s.count).sum();
        assert_eq!(total, 10_000);
        let sum: u64 = t.entries.iter().map(|s| s.sum_ns).sum();
        assert_eq!(sum, (0..10_000u64).sum::<u64>());
        assert_eq!(
            t.entries[0],
            Step {
                count: 4,
                sum_ns: 6,
                max_ns: 3
            }
        );
        // Merging a finer timeline coarsens it to the step of the other.
        let mut fine = Timeline::default();
        fine.record(5 * sec, 100);
        let mut merged = t.clone();
        merged.merge(&fine);
        assert_eq!(merged.entries[1].count, 5);
        assert_eq!(merged.entries[1].max_ns, 100);
        assert_eq!(Timeline::from_steps(&t.to_steps()), Some(t));
    }
}
