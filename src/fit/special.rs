//! The special functions the fitter needs: digamma and trigamma (the gamma shape's
//! Newton iteration), the regularised incomplete gamma function (the gamma CDF and the
//! chi-square tail), the normal CDF, and the Kolmogorov distribution (KS p-values).
//! `lgamma` and `erf` come from `libm`, the same on every machine.

/// ψ(x), the derivative of ln Γ, for x > 0: the recurrence up to 6, then the asymptotic
/// series.
pub(crate) fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result + x.ln()
        - 0.5 * inv
        - inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 / 240.0)))
}

/// ψ′(x), the trigamma function, for x > 0.
pub(crate) fn trigamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    result
        + inv
        + inv2 / 2.0
        + inv * inv2 * (1.0 / 6.0 - inv2 * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 / 30.0)))
}

/// ln Γ(x) for x > 0.
pub(crate) fn lgamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// P(a, x), the regularised lower incomplete gamma function: the CDF at `x` of a gamma
/// distribution of shape `a` and scale 1. The series below a + 1, the continued fraction
/// above (as Numerical Recipes does).
pub(crate) fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let front = (a * x.ln() - x - lgamma(a)).exp();
    if x < a + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum * front).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
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
            if (delta - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - front * h).clamp(0.0, 1.0)
    }
}

/// The probability that a chi-square variable with `df` degrees of freedom exceeds `x`.
pub(crate) fn chi_square_sf(x: f64, df: f64) -> f64 {
    1.0 - gamma_p(df / 2.0, x / 2.0)
}

/// Φ(z), the standard normal CDF.
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + libm::erf(z / std::f64::consts::SQRT_2))
}

/// The p-value of a one-sample Kolmogorov–Smirnov statistic `d` on `n` values:
/// Kolmogorov's limiting distribution at Stephens' corrected λ.
pub(crate) fn ks_p_value(d: f64, n: usize) -> f64 {
    let root = (n as f64).sqrt();
    let lambda = (root + 0.12 + 0.11 / root) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = k as f64;
        let term = (-2.0 * k * k * lambda * lambda).exp();
        sum += if k as u64 % 2 == 1 { term } else { -term };
        if term < 1e-16 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn digamma_and_trigamma_match_known_values() {
        // ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ′(1) = π²/6, ψ′(1/2) = π²/2.
        let euler = 0.577_215_664_901_532_9;
        assert!(close(digamma(1.0), -euler, 1e-12));
        assert!(close(digamma(0.5), -euler - 2.0 * 2f64.ln(), 1e-12));
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        assert!(close(trigamma(1.0), pi2 / 6.0, 1e-12));
        assert!(close(trigamma(0.5), pi2 / 2.0, 1e-12));
    }

    #[test]
    fn the_incomplete_gamma_function_matches_closed_forms() {
        // Shape 1 is the exponential: P(1, x) = 1 − e^−x; shape 1/2 is erf(√x).
        for x in [0.01, 0.5, 1.0, 3.0, 10.0] {
            assert!(close(gamma_p(1.0, x), 1.0 - (-x).exp(), 1e-12));
            assert!(close(gamma_p(0.5, x), libm::erf(x.sqrt()), 1e-12));
        }
        // The chi-square with 2 df exceeds 2 ln 20 with probability 1/20.
        assert!(close(chi_square_sf(2.0 * 20f64.ln(), 2.0), 0.05, 1e-12));
    }

    #[test]
    fn ks_p_values_follow_the_kolmogorov_distribution() {
        // The 5 % critical value of Kolmogorov's distribution is 1.3581.
        let n = 1_000_000;
        let d = 1.358_1 / (n as f64).sqrt();
        assert!(close(ks_p_value(d, n), 0.05, 1e-3));
        assert_eq!(ks_p_value(0.0, 10), 1.0);
        assert!(ks_p_value(0.5, 1000) < 1e-12);
    }
}
