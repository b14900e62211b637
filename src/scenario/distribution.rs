//! A gap distribution's numbers and checks, in one place: what is wrong with its
//! parameters ([`InterArrival::problems`]), its mean and typical gap (what the rate
//! limits judge it by), its moments and its density (what `simulate stats` and
//! `simulate plot` set beside the plan's gaps).
//!
//! The registry of distributions is [`DistributionKind`] (names, parameters) with
//! [`InterArrival`] (the parameters themselves). A new distribution adds an arm to each
//! method here, and to the sampler in `plan/distribution.rs`; the matches are exhaustive,
//! so the compiler points at every one. The formulas are written once each and read
//! durations in the unit their caller needs (nanoseconds for the limits, seconds for
//! stats), so what validation messages and stats print stays bit for bit what it was.
//!
//! [`DistributionKind`]: super::model::DistributionKind

use std::f64::consts::{PI, SQRT_2};

use super::duration::Nanos;
use super::limits;
use super::model::{Duration, InterArrival};
use crate::text::thousands;

/// A duration in nanoseconds, as a float.
fn nanoseconds(d: Duration) -> f64 {
    d.0.as_f64()
}

/// A duration in seconds, as a float.
fn seconds(d: Duration) -> f64 {
    d.0.0 as f64 / 1e9
}

impl InterArrival {
    /// The mean gap as the parameters give it, durations read by `unit`: for the normal,
    /// the mean before truncation; `None` for a Pareto tail index ≤ 1 (infinite).
    fn nominal_mean(&self, unit: fn(Duration) -> f64) -> Option<f64> {
        match *self {
            InterArrival::Constant { interval } => Some(unit(interval)),
            InterArrival::Uniform { min, max } => Some((unit(min) + unit(max)) / 2.0),
            InterArrival::Exponential { mean }
            | InterArrival::Normal { mean, .. }
            | InterArrival::Lognormal { mean, .. }
            | InterArrival::Gamma { mean, .. } => Some(unit(mean)),
            InterArrival::Weibull { shape, scale } => {
                Some(unit(scale) * libm::tgamma(1.0 + 1.0 / shape))
            }
            InterArrival::Pareto { shape, scale } => {
                (shape > 1.0).then(|| unit(scale) * shape / (shape - 1.0))
            }
        }
    }

    /// The mean gap, in ns (infinite for a Pareto tail index ≤ 1; for the normal, the
    /// mean before truncation).
    pub(crate) fn mean_gap(&self) -> f64 {
        self.nominal_mean(nanoseconds).unwrap_or(f64::INFINITY)
    }

    /// The gap the rate limits judge a distribution by, in ns: its mean, or, for a Pareto
    /// tail whose mean is infinite (shape ≤ 1), its median, `scale · 2^(1/shape)` (most of
    /// its gaps are near the scale, and a few are huge).
    pub(crate) fn typical_gap(&self) -> f64 {
        match *self {
            InterArrival::Pareto { shape, scale } if shape <= 1.0 => {
                nanoseconds(scale) * libm::pow(2.0, 1.0 / shape)
            }
            InterArrival::Constant { .. }
            | InterArrival::Uniform { .. }
            | InterArrival::Exponential { .. }
            | InterArrival::Normal { .. }
            | InterArrival::Lognormal { .. }
            | InterArrival::Gamma { .. }
            | InterArrival::Weibull { .. }
            | InterArrival::Pareto { .. } => self.mean_gap(),
        }
    }

    /// The mean and the standard deviation of a gap drawn from the distribution (the
    /// normal truncated to positive gaps, as it is sampled), in seconds; `None` where
    /// infinite.
    pub fn moments(&self) -> (Option<f64>, Option<f64>) {
        let s = seconds;
        let mean = self.nominal_mean(s);
        match *self {
            InterArrival::Constant { .. } => (mean, Some(0.0)),
            InterArrival::Uniform { min, max } => (mean, Some((s(max) - s(min)) / 12f64.sqrt())),
            InterArrival::Exponential { mean: m } => (mean, Some(s(m))),
            InterArrival::Normal { mean, std_dev } => {
                // Truncated to positive gaps by resampling: a normal truncated at 0.
                let (mu, sigma) = (s(mean), s(std_dev));
                let alpha = -mu / sigma;
                let pdf = (-alpha * alpha / 2.0).exp() / (2.0 * PI).sqrt();
                let tail = 0.5 * libm::erfc(alpha / SQRT_2);
                let lambda = pdf / tail;
                let variance = sigma * sigma * (1.0 + alpha * lambda - lambda * lambda);
                (Some(mu + sigma * lambda), Some(variance.sqrt()))
            }
            InterArrival::Lognormal { std_dev, .. } => (mean, Some(s(std_dev))),
            InterArrival::Gamma { shape, mean: m } => (mean, Some(s(m) / shape.sqrt())),
            InterArrival::Weibull { shape, scale } => {
                let g1 = libm::tgamma(1.0 + 1.0 / shape);
                let g2 = libm::tgamma(1.0 + 2.0 / shape);
                (mean, Some(s(scale) * (g2 - g1 * g1).max(0.0).sqrt()))
            }
            InterArrival::Pareto { shape, scale } => {
                let (a, xm) = (shape, s(scale));
                let std = (a > 2.0).then(|| xm / (a - 1.0) * (a / (a - 2.0)).sqrt());
                (mean, std)
            }
        }
    }

    /// The probability density of a gap of `x` seconds, per second; `None` for a constant
    /// gap (all its mass at one point).
    pub fn density(&self, x: f64) -> Option<f64> {
        let s = seconds;
        if x < 0.0 {
            return Some(0.0);
        }
        let p = match *self {
            InterArrival::Constant { .. } => return None,
            InterArrival::Uniform { min, max } => {
                let (a, b) = (s(min), s(max));
                if (a..=b).contains(&x) && b > a {
                    1.0 / (b - a)
                } else {
                    0.0
                }
            }
            InterArrival::Exponential { mean } => (-x / s(mean)).exp() / s(mean),
            InterArrival::Normal { mean, std_dev } => {
                let (mu, sigma) = (s(mean), s(std_dev));
                let z = (x - mu) / sigma;
                let kept = 0.5 * libm::erfc(-mu / sigma / SQRT_2);
                (-z * z / 2.0).exp() / (sigma * (2.0 * PI).sqrt()) / kept
            }
            InterArrival::Lognormal { mean, std_dev } => {
                let (m, sd) = (s(mean), s(std_dev));
                let var = (1.0 + (sd / m).powi(2)).ln();
                let mu = m.ln() - var / 2.0;
                if x <= 0.0 {
                    0.0
                } else {
                    let z = x.ln() - mu;
                    (-z * z / (2.0 * var)).exp() / (x * (2.0 * PI * var).sqrt())
                }
            }
            InterArrival::Gamma { shape, mean } => {
                let (k, theta) = (shape, s(mean) / shape);
                if x <= 0.0 {
                    0.0
                } else {
                    ((k - 1.0) * x.ln() - x / theta - libm::lgamma(k) - k * theta.ln()).exp()
                }
            }
            InterArrival::Weibull { shape, scale } => {
                let (k, l) = (shape, s(scale));
                if x <= 0.0 {
                    0.0
                } else {
                    k / l * (x / l).powf(k - 1.0) * (-(x / l).powf(k)).exp()
                }
            }
            InterArrival::Pareto { shape, scale } => {
                let (a, xm) = (shape, s(scale));
                if x < xm {
                    0.0
                } else {
                    a * xm.powf(a) / x.powf(a + 1.0)
                }
            }
        };
        Some(p)
    }

    /// What is wrong with the parameters, each with the parameter it is about: parameters
    /// that must be positive and finite, `min` above `max`, and a mean gap below
    /// [`limits::MIN_MEAN_GAP_NS`], which would plan more events than the tool can stream.
    pub(crate) fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        let mut positive = |name: &'static str, value: f64| {
            if !(value > 0.0 && value.is_finite()) {
                problems.push((
                    name,
                    format!("{name} must be positive and finite, found {value}"),
                ));
            }
        };
        let ns = nanoseconds;
        let mut order = Vec::new();
        let mean_param = match *self {
            InterArrival::Constant { interval } => {
                positive("interval", ns(interval));
                "interval"
            }
            InterArrival::Uniform { min, max } => {
                if min.0 > max.0 {
                    order.push((
                        "max",
                        format!("max ({}) is less than min ({})", max.0, min.0),
                    ));
                }
                positive("max", ns(max));
                "max"
            }
            InterArrival::Exponential { mean }
            | InterArrival::Normal { mean, .. }
            | InterArrival::Lognormal { mean, .. } => {
                positive("mean", ns(mean));
                "mean"
            }
            InterArrival::Gamma { shape, mean } => {
                positive("shape", shape);
                positive("mean", ns(mean));
                "mean"
            }
            InterArrival::Weibull { shape, scale } | InterArrival::Pareto { shape, scale } => {
                positive("shape", shape);
                positive("scale", ns(scale));
                "scale"
            }
        };
        problems.extend(order);
        if problems.is_empty() {
            problems.extend(self.too_fast(mean_param));
        }
        // A gamma scale (mean / shape) that overflows: no distribution has it.
        if let InterArrival::Gamma { shape, mean } = *self {
            if problems.is_empty() && !(ns(mean) / shape).is_finite() {
                problems.push((
                    "distribution",
                    "these parameters do not define a distribution".into(),
                ));
            }
        }
        problems
    }

    /// The problem of a typical gap below [`limits::MIN_MEAN_GAP_NS`] (or not a number),
    /// reported at `param`, the parameter that sets it.
    fn too_fast(&self, param: &'static str) -> Option<(&'static str, String)> {
        let mean = self.typical_gap();
        (mean.is_nan() || mean < limits::MIN_MEAN_GAP_NS as f64).then(|| {
            (
                param,
                format!(
                    "the {} is {mean:.0} ns; it must be at least {} (at most {} events/s per process)",
                    if self.mean_gap().is_finite() {
                        "mean gap"
                    } else {
                        "median gap (the mean is infinite)"
                    },
                    Nanos(limits::MIN_MEAN_GAP_NS),
                    thousands(1_000_000_000 / limits::MIN_MEAN_GAP_NS)
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ns: u64) -> Duration {
        Duration(Nanos(ns))
    }

    #[test]
    fn rejects_parameters_that_cannot_advance_time() {
        let zero = InterArrival::Constant { interval: d(0) }.problems();
        assert_eq!(zero[0].0, "interval");
        let inverted = InterArrival::Uniform {
            min: d(2_000_000),
            max: d(1_000_000),
        }
        .problems();
        assert!(inverted[0].1.contains("less than min"));
        let fast = InterArrival::Exponential { mean: d(999) }.problems();
        assert_eq!(
            fast[0].1,
            "the mean gap is 999 ns; it must be at least 1us (at most 1,000,000 events/s per process)"
        );
        assert!(
            InterArrival::Exponential { mean: d(1_000) }
                .problems()
                .is_empty()
        );
        let nan = InterArrival::Gamma {
            shape: f64::NAN,
            mean: d(1_000_000),
        }
        .problems();
        assert_eq!(nan[0].0, "shape");
        let neg = InterArrival::Pareto {
            shape: -1.0,
            scale: d(1_000_000),
        }
        .problems();
        assert_eq!(neg[0].0, "shape");
        let inf = InterArrival::Weibull {
            shape: f64::INFINITY,
            scale: d(1_000_000),
        }
        .problems();
        assert!(!inf.is_empty());
        let unscalable = InterArrival::Gamma {
            shape: 1e-320,
            mean: d(1_000_000_000),
        }
        .problems();
        assert_eq!(unscalable[0].0, "distribution");
    }

    #[test]
    fn a_pareto_tail_is_judged_by_its_median_when_its_mean_is_infinite() {
        let heavy = InterArrival::Pareto {
            shape: 1.0,
            scale: d(1_000),
        };
        assert_eq!(heavy.mean_gap(), f64::INFINITY);
        assert_eq!(heavy.typical_gap(), 2_000.0);
        assert_eq!(heavy.moments(), (None, None));
        let light = InterArrival::Pareto {
            shape: 3.0,
            scale: d(2_000),
        };
        assert_eq!(light.typical_gap(), light.mean_gap());
        assert_eq!(light.mean_gap(), 3_000.0);
    }
}
