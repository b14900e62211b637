//! Lengths of time as a file writes them: [`Duration`] (a span with units), the
//! distributions gaps and window lengths are drawn from ([`InterArrival`], whose one name
//! registry is [`DistributionKind`]) and [`Length`] (fixed or drawn).

use schemars::JsonSchema;

use crate::scenario::duration::Nanos;

/// A span of time written with units: `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, combined
/// freely (`1h30m`) and with decimal fractions (`1.5s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(
    with = "String",
    extend(
        "pattern" = r"^\s*([0-9][0-9_]*(\.[0-9]+)?|\.[0-9]+)\s*(ns|us|µs|μs|ms|s|m|h)(\s*([0-9][0-9_]*(\.[0-9]+)?|\.[0-9]+)\s*(ns|us|µs|μs|ms|s|m|h))*\s*$",
        "examples" = ["3m", "100ms", "1h30m", "250us"]
    )
)]
pub struct Duration(pub Nanos);

/// A length of time: fixed (`10m`) or drawn from a distribution each time.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Length {
    /// A fixed length, e.g. `15m`.
    Fixed(Duration),
    /// Drawn for each window, e.g. `{distribution: uniform, min: 1m, max: 10m}`.
    Random(InterArrival),
}

/// The distribution of the gap between consecutive events of one process.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum InterArrival {
    /// Every gap equals `interval`.
    Constant {
        /// The gap, e.g. `500ms`.
        interval: Duration,
    },
    /// Gaps uniformly distributed between `min` and `max` inclusive.
    Uniform {
        /// Shortest gap, e.g. `100ms`.
        min: Duration,
        /// Longest gap, e.g. `1s`.
        max: Duration,
    },
    /// Poisson arrivals: exponentially distributed gaps with the given mean.
    Exponential {
        /// Mean gap (1 / rate), e.g. `2s`.
        mean: Duration,
    },
    /// Normally distributed gaps, truncated to positive gaps by resampling.
    Normal {
        /// Mean gap before truncation.
        mean: Duration,
        /// Standard deviation before truncation.
        std_dev: Duration,
    },
    /// Log-normally distributed gaps, given by the mean and standard deviation of the gap
    /// itself (not of its logarithm).
    Lognormal {
        /// Mean gap.
        mean: Duration,
        /// Standard deviation of the gap.
        std_dev: Duration,
    },
    /// Gamma-distributed gaps with the given shape and mean (scale = mean / shape).
    Gamma {
        /// Shape k > 0 (k = 1 is exponential; larger is more regular).
        shape: f64,
        /// Mean gap.
        mean: Duration,
    },
    /// Weibull-distributed gaps.
    Weibull {
        /// Shape k > 0 (k < 1 is bursty, k = 1 exponential, k > 1 regular).
        shape: f64,
        /// Scale λ.
        scale: Duration,
    },
    /// Pareto-distributed (heavy-tailed) gaps.
    Pareto {
        /// Shape α > 0 (the tail index; the mean is finite only for α > 1).
        shape: f64,
        /// Scale: the shortest possible gap.
        scale: Duration,
    },
}

/// Whether a distribution parameter is written as a duration or as a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A duration with units, e.g. `2s`.
    Duration,
    /// A plain number, e.g. `1.5`.
    Number,
}

named! {
    /// The inter-arrival distributions, by the name written after `distribution:`. This
    /// is the one registry of distributions: a new one is a variant here (with its name),
    /// its parameters in [`DistributionKind::params`], a variant of [`InterArrival`], and
    /// the exhaustive matches the compiler then points at (the loader, validation, the
    /// sampler). `tests/it/registry.rs` ties it to the schema and the README table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum DistributionKind {
        /// Every gap equals `interval`.
        Constant => "constant",
        /// Gaps uniform between `min` and `max`.
        Uniform => "uniform",
        /// Exponential gaps: Poisson arrivals.
        Exponential => "exponential",
        /// Normal gaps, truncated to positive values.
        Normal => "normal",
        /// Log-normal gaps.
        Lognormal => "lognormal",
        /// Gamma-distributed gaps.
        Gamma => "gamma",
        /// Weibull-distributed gaps.
        Weibull => "weibull",
        /// Pareto-distributed gaps.
        Pareto => "pareto",
    }
}

impl DistributionKind {
    /// The parameters the distribution takes, in the order they are documented.
    pub const fn params(self) -> &'static [(&'static str, ParamKind)] {
        use ParamKind::{Duration as D, Number as N};
        match self {
            DistributionKind::Constant => &[("interval", D)],
            DistributionKind::Uniform => &[("min", D), ("max", D)],
            DistributionKind::Exponential => &[("mean", D)],
            DistributionKind::Normal => &[("mean", D), ("std_dev", D)],
            DistributionKind::Lognormal => &[("mean", D), ("std_dev", D)],
            DistributionKind::Gamma => &[("shape", N), ("mean", D)],
            DistributionKind::Weibull => &[("shape", N), ("scale", D)],
            DistributionKind::Pareto => &[("shape", N), ("scale", D)],
        }
    }

    /// Names people try for a distribution that is called otherwise here: (what they
    /// write, lower-cased; the distribution meant; why, in a few words).
    pub const ALIASES: &'static [(&'static str, DistributionKind, &'static str)] = &[
        (
            "poisson",
            DistributionKind::Exponential,
            "Poisson arrivals have exponential gaps (rate 1/mean)",
        ),
        ("exp", DistributionKind::Exponential, ""),
        (
            "gaussian",
            DistributionKind::Normal,
            "a Gaussian is called `normal` here",
        ),
        (
            "gauss",
            DistributionKind::Normal,
            "a Gaussian is called `normal` here",
        ),
        (
            "fixed",
            DistributionKind::Constant,
            "a fixed gap is called `constant` here",
        ),
        (
            "periodic",
            DistributionKind::Constant,
            "a periodic gap is called `constant` here",
        ),
        (
            "regular",
            DistributionKind::Constant,
            "a regular gap is called `constant` here",
        ),
        ("log-normal", DistributionKind::Lognormal, ""),
        ("log_normal", DistributionKind::Lognormal, ""),
    ];
}

impl InterArrival {
    /// Which distribution this is.
    pub const fn kind(&self) -> DistributionKind {
        match self {
            InterArrival::Constant { .. } => DistributionKind::Constant,
            InterArrival::Uniform { .. } => DistributionKind::Uniform,
            InterArrival::Exponential { .. } => DistributionKind::Exponential,
            InterArrival::Normal { .. } => DistributionKind::Normal,
            InterArrival::Lognormal { .. } => DistributionKind::Lognormal,
            InterArrival::Gamma { .. } => DistributionKind::Gamma,
            InterArrival::Weibull { .. } => DistributionKind::Weibull,
            InterArrival::Pareto { .. } => DistributionKind::Pareto,
        }
    }
}
