//! Inter-arrival samplers: each distribution of the registry
//! ([`crate::scenario::model::DistributionKind`]) built from a validated stream's
//! parameters and sampled as whole nanoseconds.
//!
//! Validation has already refused every parameter that does not define a distribution
//! (positive, finite, a mean gap of at least 1 µs), so building never fails and sampling
//! never re-checks. Floating-point math comes from `libm` (inside `rand_distr`, through
//! `num-traits`), so the same seed gives the same gaps on every machine.

use rand::Rng;
use rand::distr::{Distribution, Uniform};
use rand_distr::{Exp, Gamma, LogNormal, Normal, Pareto, Weibull};

use crate::scenario::model::{InterArrival, Length};

/// A gap distribution, ready to sample.
#[derive(Debug, Clone)]
pub enum Sampler {
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

/// A distribution built from parameters that validation accepted. rand_distr refuses only
/// parameters that validation rejects (a property test builds every accepted kind), so a
/// refusal here is a bug in validation, and is reported as one.
fn accepted<D, E: std::fmt::Debug>(built: Result<D, E>, what: &str) -> D {
    match built {
        Ok(distribution) => distribution,
        Err(e) => panic!("bug: validated {what} parameters refused by rand_distr: {e:?}"),
    }
}

impl Sampler {
    /// The sampler of a validated distribution.
    pub fn new(spec: &InterArrival) -> Sampler {
        let ns = |d: crate::scenario::model::Duration| d.0.as_f64();
        match *spec {
            InterArrival::Constant { interval } => Sampler::Constant(interval.0.0),
            InterArrival::Uniform { min, max } => Sampler::Uniform(accepted(
                Uniform::new_inclusive(min.0.0.max(1), max.0.0.max(1)),
                "uniform",
            )),
            InterArrival::Exponential { mean } => {
                Sampler::Exponential(accepted(Exp::new(1.0 / ns(mean)), "exponential"))
            }
            InterArrival::Normal { mean, std_dev } => {
                Sampler::Normal(accepted(Normal::new(ns(mean), ns(std_dev)), "normal"))
            }
            InterArrival::Lognormal { mean, std_dev } => {
                let (m, s) = (ns(mean), ns(std_dev));
                Sampler::LogNormal(accepted(LogNormal::from_mean_cv(m, s / m), "lognormal"))
            }
            InterArrival::Gamma { shape, mean } => {
                Sampler::Gamma(accepted(Gamma::new(shape, ns(mean) / shape), "gamma"))
            }
            InterArrival::Weibull { shape, scale } => {
                Sampler::Weibull(accepted(Weibull::new(ns(scale), shape), "weibull"))
            }
            InterArrival::Pareto { shape, scale } => {
                Sampler::Pareto(accepted(Pareto::new(ns(scale), shape), "pareto"))
            }
        }
    }

    /// Draws one gap in whole nanoseconds, at least 1 so time always advances.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self {
            Sampler::Constant(ns) => *ns,
            Sampler::Uniform(u) => u.sample(rng),
            Sampler::Exponential(d) => to_nanos(d.sample(rng)),
            Sampler::Normal(d) => loop {
                let x = d.sample(rng);
                if x > 0.0 {
                    break to_nanos(x);
                }
            },
            Sampler::LogNormal(d) => to_nanos(d.sample(rng)),
            Sampler::Gamma(d) => to_nanos(d.sample(rng)),
            Sampler::Weibull(d) => to_nanos(d.sample(rng)),
            Sampler::Pareto(d) => to_nanos(d.sample(rng)),
        }
    }
}

/// A length of time ready to draw: an incident's or outage's window length, a fault's
/// delay.
#[derive(Debug, Clone)]
pub(crate) enum LengthSampler {
    /// Always this many nanoseconds.
    Fixed(u64),
    /// Drawn from a distribution.
    Random(Sampler),
}

impl LengthSampler {
    /// The sampler of a validated length.
    pub(crate) fn new(length: &Length) -> Self {
        match length {
            Length::Fixed(d) => LengthSampler::Fixed(d.0.0),
            Length::Random(spec) => LengthSampler::Random(Sampler::new(spec)),
        }
    }

    /// One length in nanoseconds: the fixed one, or a draw from the generator `rng`
    /// gives (asked for only then, so a fixed length costs no generator).
    #[inline]
    pub(crate) fn draw<R: Rng>(&self, rng: impl FnOnce() -> R) -> u64 {
        match self {
            LengthSampler::Fixed(ns) => *ns,
            LengthSampler::Random(sampler) => sampler.sample(&mut rng()),
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

    #[test]
    fn rounding_never_stalls_time() {
        assert_eq!(to_nanos(0.2), 1);
        assert_eq!(to_nanos(-3.0), 1);
        assert_eq!(to_nanos(f64::NAN), 1);
        assert_eq!(to_nanos(2.5), 3);
        assert_eq!(to_nanos(1e30), u64::MAX);
    }
}
