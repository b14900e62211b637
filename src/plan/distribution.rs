//! Inter-arrival distributions, built once from a file's parameters and sampled as whole
//! nanoseconds.
//!
//! A [`Gap`] can only be built from parameters that make sense (finite, positive, a
//! mean gap of at least [`MIN_MEAN_GAP_NS`]), so sampling never fails and never
//! re-checks. Floating-point math comes from `libm` (directly here, and inside
//! `rand_distr` through `num-traits`), so the same seed gives the same gaps on every
//! machine.

use rand::Rng;
use rand::distr::{Distribution, Uniform};
use rand_distr::{Exp, Gamma, LogNormal, Normal, Pareto, Weibull};

use crate::scenario::limits::MIN_MEAN_GAP_NS;
use crate::scenario::model::InterArrival;

/// A validated gap distribution, ready to sample.
#[derive(Debug, Clone)]
pub enum Gap {
    /// Every gap is the same number of nanoseconds.
    Constant(u64),
    /// Whole nanoseconds uniformly in an inclusive range.
    Uniform(Uniform<u64>),
    /// Exponential gaps (Poisson arrivals).
    Exponential(Exp<f64>),
    /// Normal gaps, resampled until positive.
    Normal(Normal<f64>),
    /// Log-normal gaps.
    LogNormal(LogNormal<f64>),
    /// Gamma gaps.
    Gamma(Gamma<f64>),
    /// Weibull gaps.
    Weibull(Weibull<f64>),
    /// Pareto gaps.
    Pareto(Pareto<f64>),
}

/// A parameter that makes a distribution invalid: its name and what is wrong.
pub type ParamProblem = (&'static str, String);

impl Gap {
    /// Builds a distribution from a file's parameters, or says which parameters are wrong.
    pub fn new(spec: &InterArrival) -> Result<Gap, Vec<ParamProblem>> {
        let mut problems = Vec::new();
        let mut positive = |name: &'static str, value: f64, what: &str| {
            if !(value > 0.0 && value.is_finite()) {
                problems.push((
                    name,
                    format!("{what} must be positive and finite, found {value}"),
                ));
            }
        };
        let mut problems_min_max = Vec::new();
        let (gap, mean) = match *spec {
            InterArrival::Constant { interval } => {
                positive("interval", interval.0.as_f64(), "interval");
                (Some(Gap::Constant(interval.0.0)), interval.0.as_f64())
            }
            InterArrival::Uniform { min, max } => {
                if min.0 > max.0 {
                    problems_min_max.push((
                        "max",
                        format!("max ({}) is less than min ({})", max.0, min.0),
                    ));
                }
                positive("max", max.0.as_f64(), "max");
                let gap = Uniform::new_inclusive(min.0.0.max(1), max.0.0.max(1))
                    .ok()
                    .map(Gap::Uniform);
                (gap, (min.0.as_f64() + max.0.as_f64()) / 2.0)
            }
            InterArrival::Exponential { mean } => {
                positive("mean", mean.0.as_f64(), "mean");
                (
                    Exp::new(1.0 / mean.0.as_f64()).ok().map(Gap::Exponential),
                    mean.0.as_f64(),
                )
            }
            InterArrival::Normal { mean, std_dev } => {
                positive("mean", mean.0.as_f64(), "mean");
                let gap = Normal::new(mean.0.as_f64(), std_dev.0.as_f64())
                    .ok()
                    .map(Gap::Normal);
                (gap, mean.0.as_f64())
            }
            InterArrival::Lognormal { mean, std_dev } => {
                positive("mean", mean.0.as_f64(), "mean");
                let (m, s) = (mean.0.as_f64(), std_dev.0.as_f64());
                let gap = LogNormal::from_mean_cv(m, s / m).ok().map(Gap::LogNormal);
                (gap, m)
            }
            InterArrival::Gamma { shape, mean } => {
                positive("shape", shape, "shape");
                positive("mean", mean.0.as_f64(), "mean");
                let scale = mean.0.as_f64() / shape;
                let gap = Gamma::new(shape, scale)
                    .ok()
                    .filter(|_| scale.is_finite())
                    .map(Gap::Gamma);
                (gap, mean.0.as_f64())
            }
            InterArrival::Weibull { shape, scale } => {
                positive("shape", shape, "shape");
                positive("scale", scale.0.as_f64(), "scale");
                let mean = scale.0.as_f64() * libm::tgamma(1.0 + 1.0 / shape);
                (
                    Weibull::new(scale.0.as_f64(), shape).ok().map(Gap::Weibull),
                    mean,
                )
            }
            InterArrival::Pareto { shape, scale } => {
                positive("shape", shape, "shape");
                positive("scale", scale.0.as_f64(), "scale");
                let mean = if shape > 1.0 {
                    scale.0.as_f64() * shape / (shape - 1.0)
                } else {
                    f64::INFINITY
                };
                (
                    Pareto::new(scale.0.as_f64(), shape).ok().map(Gap::Pareto),
                    mean,
                )
            }
        };
        problems.extend(problems_min_max);
        if problems.is_empty() && (mean.is_nan() || mean < MIN_MEAN_GAP_NS as f64) {
            let param = match spec {
                InterArrival::Constant { .. } => "interval",
                InterArrival::Uniform { .. } => "max",
                InterArrival::Weibull { .. } | InterArrival::Pareto { .. } => "scale",
                _ => "mean",
            };
            problems.push((
                param,
                format!(
                    "the mean gap is {:.0} ns; it must be at least 1us (at most 1,000,000 events/s per process)",
                    mean
                ),
            ));
        }
        match gap {
            Some(gap) if problems.is_empty() => Ok(gap),
            _ if !problems.is_empty() => Err(problems),
            _ => Err(vec![(
                "distribution",
                "these parameters do not define a distribution".into(),
            )]),
        }
    }

    /// Draws one gap in whole nanoseconds, at least 1 so time always advances.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            Gap::Constant(ns) => *ns,
            Gap::Uniform(u) => u.sample(rng),
            Gap::Exponential(d) => to_nanos(d.sample(rng)),
            Gap::Normal(d) => loop {
                let x = d.sample(rng);
                if x > 0.0 {
                    break to_nanos(x);
                }
            },
            Gap::LogNormal(d) => to_nanos(d.sample(rng)),
            Gap::Gamma(d) => to_nanos(d.sample(rng)),
            Gap::Weibull(d) => to_nanos(d.sample(rng)),
            Gap::Pareto(d) => to_nanos(d.sample(rng)),
        }
    }
}

/// Rounds a sampled gap to whole nanoseconds: at least 1, saturating at `u64::MAX`.
fn to_nanos(x: f64) -> u64 {
    if x.is_nan() || x < 1.0 {
        1
    } else if x >= u64::MAX as f64 {
        u64::MAX
    } else {
        x.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::duration::Nanos;
    use crate::scenario::model::Duration;

    fn d(ns: u64) -> Duration {
        Duration(Nanos(ns))
    }

    #[test]
    fn rejects_parameters_that_cannot_advance_time() {
        let zero = Gap::new(&InterArrival::Constant { interval: d(0) }).unwrap_err();
        assert_eq!(zero[0].0, "interval");
        let inverted = Gap::new(&InterArrival::Uniform {
            min: d(2_000_000),
            max: d(1_000_000),
        });
        assert!(inverted.unwrap_err()[0].1.contains("less than min"));
        let fast = Gap::new(&InterArrival::Exponential { mean: d(999) }).unwrap_err();
        assert!(fast[0].1.contains("at least 1us"), "{fast:?}");
        assert!(Gap::new(&InterArrival::Exponential { mean: d(1_000) }).is_ok());
        let nan = Gap::new(&InterArrival::Gamma {
            shape: f64::NAN,
            mean: d(1_000_000),
        })
        .unwrap_err();
        assert_eq!(nan[0].0, "shape");
        let neg = Gap::new(&InterArrival::Pareto {
            shape: -1.0,
            scale: d(1_000_000),
        })
        .unwrap_err();
        assert_eq!(neg[0].0, "shape");
        let inf = Gap::new(&InterArrival::Weibull {
            shape: f64::INFINITY,
            scale: d(1_000_000),
        });
        assert!(inf.is_err());
    }

    #[test]
    fn rounding_never_stalls_time() {
        assert_eq!(to_nanos(0.2), 1);
        assert_eq!(to_nanos(-3.0), 1);
        assert_eq!(to_nanos(f64::NAN), 1);
        assert_eq!(to_nanos(2.5), 3);
        assert_eq!(to_nanos(1e30), u64::MAX);
    }
}
