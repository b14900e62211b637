//! Inter-arrival gaps → the eight distributions of a scenario, each fitted by maximum
//! likelihood, with its log-likelihood and the Kolmogorov–Smirnov distance to the data;
//! ranked by BIC (the exponential has one parameter, the others two, so a gamma of shape
//! 0.99 does not beat the exponential it contains by noise alone).
//!
//! Gaps are in milliseconds. A gap of 0 (two events in one millisecond of a recording)
//! counts as half a millisecond where a density needs a positive value.

use super::special::{digamma, gamma_p, ks_p_value, lgamma, normal_cdf, trigamma};

/// The distributions of a scenario's `inter_arrival`, in the order the format lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `constant`: `interval`.
    Constant,
    /// `uniform`: `min`, `max`.
    Uniform,
    /// `exponential`: `mean`.
    Exponential,
    /// `normal`: `mean`, `std_dev`.
    Normal,
    /// `lognormal`: `mean`, `std_dev` of the gap itself.
    Lognormal,
    /// `gamma`: `shape`, `mean`.
    Gamma,
    /// `weibull`: `shape`, `scale`.
    Weibull,
    /// `pareto`: `shape`, `scale` (the shortest gap).
    Pareto,
}

impl Family {
    /// The name a scenario writes.
    pub fn name(self) -> &'static str {
        match self {
            Family::Constant => "constant",
            Family::Uniform => "uniform",
            Family::Exponential => "exponential",
            Family::Normal => "normal",
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
            Family::Pareto => "pareto",
        }
    }

    /// The parameters' names, and whether each is a duration (otherwise a plain number).
    pub fn parameters(self) -> &'static [(&'static str, bool)] {
        match self {
            Family::Constant => &[("interval", true)],
            Family::Uniform => &[("min", true), ("max", true)],
            Family::Exponential => &[("mean", true)],
            Family::Normal | Family::Lognormal => &[("mean", true), ("std_dev", true)],
            Family::Gamma => &[("shape", false), ("mean", true)],
            Family::Weibull | Family::Pareto => &[("shape", false), ("scale", true)],
        }
    }
}

/// One fitted distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Which distribution.
    pub family: Family,
    /// Its parameters in the order of [`Family::parameters`], durations in ms.
    pub params: Vec<f64>,
    /// The log-likelihood of the gaps under it (`None` for `constant`).
    pub log_likelihood: Option<f64>,
    /// The Kolmogorov–Smirnov distance between the gaps and its CDF.
    pub ks_d: f64,
    /// The KS p-value (optimistic: the parameters come from the same gaps).
    pub ks_p: f64,
    /// The Bayesian information criterion, lower is better.
    pub bic: f64,
}

/// The gaps within this share of their mean of each other are a constant.
const CONSTANT_SPREAD: f64 = 0.01;
/// The value of a gap of 0 where a density needs a positive one, in ms.
const ZERO_GAP: f64 = 0.5;

/// Fits every distribution to `gaps` (ms, at least two) and returns them best first.
/// Gaps that are all (nearly) equal give `constant` alone.
pub fn fit(gaps: &[f64]) -> Vec<Candidate> {
    let mut sorted: Vec<f64> = gaps.iter().map(|g| g.max(0.0)).collect();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let (min, max) = (sorted[0], sorted[sorted.len() - 1]);
    if max - min <= CONSTANT_SPREAD * mean {
        return vec![Candidate {
            family: Family::Constant,
            params: vec![mean],
            log_likelihood: None,
            ks_d: 0.0,
            ks_p: 1.0,
            bic: f64::NEG_INFINITY,
        }];
    }
    let positive: Vec<f64> = sorted.iter().map(|g| g.max(ZERO_GAP)).collect();
    let logs: Vec<f64> = positive.iter().map(|g| g.ln()).collect();
    let mean_log = logs.iter().sum::<f64>() / n;
    let var = sorted.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / n;
    let var_log = logs.iter().map(|l| (l - mean_log).powi(2)).sum::<f64>() / n;
    let sum_log = mean_log * n;
    let mut out = Vec::new();
    let mut push = |family: Family, params: Vec<f64>, ll: f64| {
        if !ll.is_finite() || params.iter().any(|p| !p.is_finite() || *p < 0.0) {
            return;
        }
        let ks_d = ks_distance(&sorted, |x| cdf(family, &params, x));
        let k = if family == Family::Exponential {
            1.0
        } else {
            2.0
        };
        out.push(Candidate {
            family,
            params,
            log_likelihood: Some(ll),
            ks_d,
            ks_p: ks_p_value(ks_d, sorted.len()),
            bic: k * n.ln() - 2.0 * ll,
        });
    };
    push(Family::Uniform, vec![min, max], -n * (max - min).ln());
    push(Family::Exponential, vec![mean], -n * mean.ln() - n);
    let sd = var.sqrt();
    let two_pi = 2.0 * std::f64::consts::PI;
    push(
        Family::Normal,
        vec![mean, sd],
        -n / 2.0 * (two_pi * var).ln() - n / 2.0,
    );
    let s = var_log.sqrt();
    let ll_lognormal = -sum_log - n * s.ln() - n / 2.0 * two_pi.ln() - n / 2.0;
    let (lmean, lsd) = lognormal_moments(mean_log, s);
    push(Family::Lognormal, vec![lmean, lsd], ll_lognormal);
    let positive_mean = positive.iter().sum::<f64>() / n;
    let shape = gamma_shape(positive_mean.ln() - mean_log);
    let theta = positive_mean / shape;
    let ll_gamma = (shape - 1.0) * sum_log
        - n * positive_mean / theta
        - n * shape * theta.ln()
        - n * lgamma(shape);
    push(Family::Gamma, vec![shape, positive_mean], ll_gamma);
    if let Some((k, scale)) = weibull(&positive, &logs, positive_mean) {
        let sum_pow: f64 = positive.iter().map(|x| (x / scale).powf(k)).sum();
        let ll = n * k.ln() - n * k * scale.ln() + (k - 1.0) * sum_log - sum_pow;
        push(Family::Weibull, vec![k, scale], ll);
    }
    let xm = positive[0];
    let above: f64 = sum_log - n * xm.ln();
    if above > 0.0 {
        let alpha = n / above;
        let ll = n * alpha.ln() + n * alpha * xm.ln() - (alpha + 1.0) * sum_log;
        push(Family::Pareto, vec![alpha, xm], ll);
    }
    out.sort_by(|a, b| a.bic.total_cmp(&b.bic));
    out
}

/// The mean and standard deviation of a lognormal gap whose log has mean `mu` and
/// standard deviation `sigma`.
fn lognormal_moments(mu: f64, sigma: f64) -> (f64, f64) {
    let mean = (mu + sigma * sigma / 2.0).exp();
    (mean, mean * ((sigma * sigma).exp() - 1.0).sqrt())
}

/// The gamma shape k solving ln k − ψ(k) = `s` (ln of the mean − the mean of the logs),
/// by Newton's method from Minka's approximation.
pub(crate) fn gamma_shape(s: f64) -> f64 {
    if s <= 0.0 {
        return f64::INFINITY;
    }
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        let step = (k.ln() - digamma(k) - s) / (1.0 / k - trigamma(k));
        let next = if k - step > 0.0 { k - step } else { k / 2.0 };
        if (next - k).abs() < 1e-12 * k {
            return next;
        }
        k = next;
    }
    k
}

/// The Weibull shape and scale by Newton's method on the profile likelihood's equation
/// Σ xᵏ ln x / Σ xᵏ − 1/k − mean(ln x) = 0 (on gaps divided by their mean, for range).
pub(crate) fn weibull(gaps: &[f64], logs: &[f64], mean: f64) -> Option<(f64, f64)> {
    let n = gaps.len() as f64;
    let ln_mean = mean.ln();
    let scaled: Vec<f64> = logs.iter().map(|l| l - ln_mean).collect();
    let mean_log = scaled.iter().sum::<f64>() / n;
    let sd = (scaled.iter().map(|l| (l - mean_log).powi(2)).sum::<f64>() / n).sqrt();
    // ln of a Weibull gap has standard deviation π / (k √6).
    let mut k = (std::f64::consts::PI / (sd * 6f64.sqrt())).clamp(0.05, 50.0);
    for _ in 0..100 {
        let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
        for l in &scaled {
            let p = (k * l).exp();
            a += p * l;
            b += p;
            c += p * l * l;
        }
        let f = a / b - 1.0 / k - mean_log;
        let slope = (c * b - a * a) / (b * b) + 1.0 / (k * k);
        let next = k - f / slope;
        let next = if next > 0.0 { next } else { k / 2.0 };
        if (next - k).abs() < 1e-10 * k {
            k = next;
            break;
        }
        k = next;
    }
    let b: f64 = scaled.iter().map(|l| (k * l).exp()).sum::<f64>() / n;
    let scale = mean * b.powf(1.0 / k);
    (k.is_finite() && scale.is_finite()).then_some((k, scale))
}

/// The CDF of `family` with `params` (as [`Candidate::params`]) at `x` ms.
pub fn cdf(family: Family, params: &[f64], x: f64) -> f64 {
    match family {
        Family::Constant => f64::from(u8::from(x >= params[0])),
        Family::Uniform => ((x - params[0]) / (params[1] - params[0])).clamp(0.0, 1.0),
        Family::Exponential => 1.0 - (-x.max(0.0) / params[0]).exp(),
        Family::Normal => normal_cdf((x - params[0]) / params[1]),
        Family::Lognormal => {
            let sigma2 = (1.0 + (params[1] / params[0]).powi(2)).ln();
            let mu = params[0].ln() - sigma2 / 2.0;
            normal_cdf((x.max(ZERO_GAP).ln() - mu) / sigma2.sqrt())
        }
        Family::Gamma => gamma_p(params[0], x.max(0.0) * params[0] / params[1]),
        Family::Weibull => 1.0 - (-(x.max(0.0) / params[1]).powf(params[0])).exp(),
        Family::Pareto => {
            if x < params[1] {
                0.0
            } else {
                1.0 - (params[1] / x).powf(params[0])
            }
        }
    }
}

/// The Kolmogorov–Smirnov distance between sorted values and a CDF.
pub(crate) fn ks_distance(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    for (i, x) in sorted.iter().enumerate() {
        let f = cdf(*x);
        d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quantiles of a distribution at (i + ½)/n: a sample without noise.
    fn quantiles(n: usize, inverse: impl Fn(f64) -> f64) -> Vec<f64> {
        (0..n)
            .map(|i| inverse((i as f64 + 0.5) / n as f64))
            .collect()
    }

    fn best(gaps: &[f64]) -> Candidate {
        fit(gaps).remove(0)
    }

    fn near(a: f64, b: f64, share: f64) -> bool {
        (a - b).abs() <= share * b.abs()
    }

    #[test]
    fn a_uniform_from_zero_is_a_candidate() {
        let all = fit(&[0.0, 10.0, 5.0, 7.0, 2.0]);
        let uniform = all.iter().find(|c| c.family == Family::Uniform).unwrap();
        assert_eq!(uniform.params, vec![0.0, 10.0]);
    }

    #[test]
    fn equal_gaps_are_a_constant() {
        let c = best(&[500.0, 500.0, 501.0, 499.0]);
        assert_eq!(c.family, Family::Constant);
        assert!(near(c.params[0], 500.0, 1e-9));
    }

    #[test]
    fn the_closed_form_mles_are_exact() {
        let gaps = [100.0, 300.0, 200.0, 800.0, 600.0];
        let all = fit(&gaps);
        let get = |f: Family| all.iter().find(|c| c.family == f).unwrap().clone();
        // Uniform: [min, max]; exponential: the mean; normal: mean and the biased sd.
        assert_eq!(get(Family::Uniform).params, vec![100.0, 800.0]);
        let u = get(Family::Uniform).log_likelihood.unwrap();
        assert!(near(u, -5.0 * 700f64.ln(), 1e-12));
        assert!(near(get(Family::Exponential).params[0], 400.0, 1e-12));
        let e = get(Family::Exponential).log_likelihood.unwrap();
        assert!(near(e, -5.0 * 400f64.ln() - 5.0, 1e-12));
        let normal = get(Family::Normal).params;
        assert!(near(normal[0], 400.0, 1e-12));
        assert!(near(normal[1], (340_000f64 / 5.0).sqrt(), 1e-12));
        // Pareto: the scale is the shortest gap, the shape n / Σ ln(x / min).
        let p = get(Family::Pareto).params;
        let sum: f64 = gaps.iter().map(|g| (g / 100.0).ln()).sum();
        assert!(near(p[0], 5.0 / sum, 1e-12) && p[1] == 100.0);
        // Lognormal: the mean and sd of a gap from the logs' mean and sd.
        let logs: Vec<f64> = gaps.iter().map(|g| g.ln()).collect();
        let mu = logs.iter().sum::<f64>() / 5.0;
        let s2 = logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / 5.0;
        let l = get(Family::Lognormal).params;
        assert!(near(l[0], (mu + s2 / 2.0).exp(), 1e-12));
        assert!(near(l[1], l[0] * (s2.exp() - 1.0).sqrt(), 1e-12));
    }

    #[test]
    fn newton_solves_the_gamma_and_weibull_equations() {
        // Gamma: ln k − ψ(k) = s at the solution.
        for s in [0.01, 0.1, 0.5, 2.0] {
            let k = gamma_shape(s);
            assert!((k.ln() - digamma(k) - s).abs() < 1e-10, "s {s}: k {k}");
        }
        // Weibull gaps of shape 2 and scale 1000: the quantiles give them back.
        let gaps = quantiles(20_000, |u| 1000.0 * (-(1.0 - u).ln()).powf(0.5));
        let logs: Vec<f64> = gaps.iter().map(|g| g.ln()).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let (k, scale) = weibull(&gaps, &logs, mean).unwrap();
        assert!(
            near(k, 2.0, 0.01) && near(scale, 1000.0, 0.01),
            "{k} {scale}"
        );
    }

    #[test]
    fn each_family_is_recognised_from_its_quantiles() {
        let n = 20_000;
        let cases: Vec<(Family, Vec<f64>)> = vec![
            (Family::Uniform, quantiles(n, |u| 100.0 + 900.0 * u)),
            (
                Family::Exponential,
                quantiles(n, |u| -500.0 * (1.0 - u).ln()),
            ),
            (
                Family::Pareto,
                quantiles(n, |u| 200.0 / (1.0 - u).powf(1.0 / 3.0)),
            ),
            (
                Family::Weibull,
                quantiles(n, |u| 800.0 * (-(1.0 - u).ln()).powf(1.0 / 3.0)),
            ),
        ];
        for (family, gaps) in cases {
            let c = best(&gaps);
            assert_eq!(c.family, family, "{:?}", fit(&gaps));
            assert!(c.ks_p > 0.5, "{c:?}");
        }
    }

    #[test]
    fn the_cdfs_are_distribution_functions() {
        let cases = [
            (Family::Normal, vec![1000.0, 200.0], 1000.0, 0.5),
            (Family::Exponential, vec![500.0], 500.0 * 2f64.ln(), 0.5),
            (Family::Gamma, vec![1.0, 500.0], 500.0 * 2f64.ln(), 0.5),
            (Family::Pareto, vec![2.0, 100.0], 200.0, 0.75),
            (Family::Weibull, vec![1.0, 300.0], 300.0 * 2f64.ln(), 0.5),
        ];
        for (family, params, x, want) in cases {
            assert!((cdf(family, &params, x) - want).abs() < 1e-9, "{family:?}");
        }
    }
}
