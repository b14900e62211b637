//! Statistical tests: each distribution's sampled gaps against its theoretical CDF
//! (Kolmogorov–Smirnov, 100,000 samples, α = 0.001), and chi-square tests of camera
//! picks. Seeds are fixed, so the tests are reproducible; a wrong sampler or a wrong
//! parameter conversion fails them.

use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use simulate::plan::distribution::Sampler;
use simulate::scenario::Nanos;
use simulate::scenario::model::{Duration, InterArrival};

use crate::common::{ks_critical, ks_statistic};

const N: usize = 100_000;

fn secs(s: f64) -> Duration {
    Duration(Nanos((s * 1e9) as u64))
}

/// The KS statistic of `N` gaps drawn with `seed` against `cdf` (of seconds).
fn ks(spec: &InterArrival, cdf: &impl Fn(f64) -> f64, seed: u64) -> f64 {
    let gap = Sampler::new(spec);
    let mut rng = ChaCha12Rng::seed_from_u64(seed);
    let xs: Vec<f64> = (0..N).map(|_| gap.sample(&mut rng) as f64 / 1e9).collect();
    ks_statistic(xs, cdf)
}

/// Three independent samples; at least two must pass at α = 0.001. A correct sampler
/// fails this with probability about 3·10⁻⁶; a biased one fails all three.
fn assert_fits(name: &str, spec: InterArrival, cdf: impl Fn(f64) -> f64) {
    let ds: Vec<f64> = [1, 2, 3]
        .iter()
        .map(|&seed| ks(&spec, &cdf, seed))
        .collect();
    let passed = ds.iter().filter(|&&d| d < ks_critical(N)).count();
    assert!(
        passed >= 2,
        "{name}: KS statistics {ds:.5?}, critical value {:.5}",
        ks_critical(N)
    );
}

fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Regularized lower incomplete gamma P(a, x).
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let log_prefix = -x + a * x.ln() - libm::lgamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum) = (1.0 / a, 1.0 / a);
        for n in 1..10_000 {
            term *= x / (a + n as f64);
            sum += term;
            if term < sum * 1e-16 {
                break;
            }
        }
        sum * log_prefix.exp()
    } else {
        // Continued fraction for Q(a, x), modified Lentz.
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        1.0 - log_prefix.exp() * h
    }
}

#[test]
fn uniform_gaps_fit() {
    assert_fits(
        "uniform",
        InterArrival::Uniform {
            min: secs(0.1),
            max: secs(1.0),
        },
        |x| ((x - 0.1) / 0.9).clamp(0.0, 1.0),
    );
}

#[test]
fn exponential_gaps_fit() {
    assert_fits(
        "exponential",
        InterArrival::Exponential { mean: secs(2.0) },
        |x| 1.0 - (-x / 2.0).exp(),
    );
}

#[test]
fn truncated_normal_gaps_fit() {
    // Mean close to 0 so truncation matters: about 16% of raw draws are resampled.
    let (m, s) = (1.0, 1.0);
    let below = phi(-m / s);
    assert_fits(
        "normal",
        InterArrival::Normal {
            mean: secs(m),
            std_dev: secs(s),
        },
        |x| ((phi((x - m) / s) - below) / (1.0 - below)).max(0.0),
    );
}

#[test]
fn lognormal_gaps_fit_with_the_gap_mean_and_std_dev() {
    let (m, s): (f64, f64) = (2.0, 3.0);
    let sigma2 = (1.0 + s * s / (m * m)).ln();
    let mu = m.ln() - sigma2 / 2.0;
    assert_fits(
        "lognormal",
        InterArrival::Lognormal {
            mean: secs(m),
            std_dev: secs(s),
        },
        |x| phi((x.ln() - mu) / sigma2.sqrt()),
    );
}

#[test]
fn gamma_gaps_fit() {
    for shape in [0.5, 2.5] {
        let mean = 3.0;
        let scale = mean / shape;
        assert_fits(
            "gamma",
            InterArrival::Gamma {
                shape,
                mean: secs(mean),
            },
            |x| gamma_p(shape, x / scale),
        );
    }
}

#[test]
fn weibull_gaps_fit() {
    let (k, l) = (0.7, 0.4);
    assert_fits(
        "weibull",
        InterArrival::Weibull {
            shape: k,
            scale: secs(l),
        },
        |x| 1.0 - (-(x / l).powf(k)).exp(),
    );
}

#[test]
fn pareto_gaps_fit() {
    let (a, s) = (1.8, 5.0);
    assert_fits(
        "pareto",
        InterArrival::Pareto {
            shape: a,
            scale: secs(s),
        },
        |x| {
            if x < s { 0.0 } else { 1.0 - (s / x).powf(a) }
        },
    );
}

#[test]
fn constant_gaps_are_constant() {
    let gap = Sampler::new(&InterArrival::Constant {
        interval: secs(0.25),
    });
    let mut rng = ChaCha12Rng::seed_from_u64(1);
    assert!((0..1000).all(|_| gap.sample(&mut rng) == 250_000_000));
}

/// The KS test itself can reject: a wrong mean is caught.
#[test]
fn ks_rejects_a_wrong_distribution() {
    let d = ks(
        &InterArrival::Exponential { mean: secs(2.0) },
        &|x: f64| 1.0 - (-x / 2.1).exp(),
        1,
    );
    assert!(
        d > ks_critical(N),
        "KS failed to notice a 5% error in the mean ({d})"
    );
}

/// Chi-square statistic of observed counts against expected proportions.
fn chi_square(counts: &[u64], weights: &[f64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let wsum: f64 = weights.iter().sum();
    counts
        .iter()
        .zip(weights)
        .map(|(&o, &w)| {
            let e = total as f64 * w / wsum;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}

fn pick_counts(pick: &str, cameras: usize) -> Vec<u64> {
    let ids: Vec<String> = (0..cameras).map(|i| i.to_string()).collect();
    let text = format!(
        "duration: 28h\nstreams:\n  - cameras: [{}]\n    pick: {pick}\n    inter_arrival: {{distribution: constant, interval: 1s}}\n",
        ids.join(", ")
    );
    let s = crate::common::scenario(&text);
    let mut counts = vec![0u64; cameras];
    for event in simulate::plan::Events::new(&s) {
        counts[event.camera as usize] += 1;
    }
    counts
}

#[test]
fn uniform_pick_is_uniform() {
    let counts = pick_counts("uniform", 3);
    assert!(counts.iter().sum::<u64>() >= 100_000);
    // χ² with 2 degrees of freedom, α = 0.001: 13.82.
    let chi = chi_square(&counts, &[1.0, 1.0, 1.0]);
    assert!(chi < 13.82, "uniform pick χ² = {chi} for {counts:?}");
}

#[test]
fn weighted_pick_follows_the_weights() {
    let counts = pick_counts("{weights: [5, 3, 1, 1]}", 4);
    // χ² with 3 degrees of freedom, α = 0.001: 16.27.
    let chi = chi_square(&counts, &[5.0, 3.0, 1.0, 1.0]);
    assert!(chi < 16.27, "weighted pick χ² = {chi} for {counts:?}");
    assert!(
        chi_square(&counts, &[1.0, 1.0, 1.0, 1.0]) > 16.27,
        "a uniform hypothesis must be rejected"
    );
}

#[test]
fn round_robin_cycles_in_list_order() {
    let counts = pick_counts("round_robin", 4);
    let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
    assert!(max - min <= 1, "{counts:?}");
}
