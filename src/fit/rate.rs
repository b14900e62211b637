//! Does the rate change over the recording? Events counted in bins of one width
//! (chosen from the span and the number of events), a dispersion test against a constant
//! rate, and, over two days or more, whether the days look alike (a daily profile with
//! `repeat: 24h`). A changing rate becomes a step profile of factors (mean 1 over the
//! recording) and the time change Λ(t) = ∫₀ᵗ f that the planner applies, so that the
//! gaps are fitted in operational time, as the planner draws them.

use super::special::chi_square_sf;

/// One day, in ms.
pub const DAY_MS: i64 = 86_400_000;
/// Bin widths tried, shortest first, in ms: each divides a day.
const WIDTHS: [i64; 16] = [
    1_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000,
    3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000,
];
/// The most bins over the recording (or over a day, for a daily profile).
const MAX_BINS: i64 = 48;
/// The most bins of a daily profile.
const MAX_DAY_BINS: i64 = 96;
/// The fewest events expected in a bin.
const MIN_PER_BIN: f64 = 50.0;
/// A constant rate is rejected below this p-value.
const SIGNIFICANCE: f64 = 1e-3;
/// The days look alike when each day's counts correlate this well with the others'.
const ALIKE: f64 = 0.8;

/// What the counts say about the rate.
#[derive(Debug, Clone, PartialEq)]
pub struct RateTest {
    /// The bin width in ms (0: too few events or too short a recording to tell).
    pub width_ms: i64,
    /// The number of whole bins tested.
    pub bins: usize,
    /// The dispersion statistic (chi-square against a constant rate, divided by the gaps'
    /// squared coefficient of variation when it is above 1).
    pub chi_square: f64,
    /// Its p-value.
    pub p: f64,
    /// Over two whole days or more: the smallest correlation of a day's counts with the
    /// other days' mean.
    pub days_alike: Option<f64>,
    /// The profile, when the rate changes.
    pub profile: Option<Profile>,
}

/// A step profile of factors, each holding for one bin width.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The bin width, in ms.
    pub width_ms: i64,
    /// The factor of each bin (rounded to 3 decimals, as written).
    pub factors: Vec<f64>,
    /// Whether the profile is a day, repeated.
    pub daily: bool,
}

impl Profile {
    /// Λ(t): the operational time at `t` ms after the start, ∫₀ᵗ f.
    pub fn operational(&self, t: f64) -> f64 {
        let w = self.width_ms as f64;
        let per_period: f64 = self.factors.iter().sum::<f64>() * w;
        let (periods, rest) = match self.daily {
            true => ((t / DAY_MS as f64).floor(), t.rem_euclid(DAY_MS as f64)),
            false => (0.0, t),
        };
        let mut total = periods * per_period;
        let whole = ((rest / w).floor() as usize).min(self.factors.len());
        total += self.factors[..whole].iter().sum::<f64>() * w;
        let last = self.factors.len() - 1;
        total + self.factors[whole.min(last)] * (rest - whole as f64 * w)
    }
}

/// Counts `offsets` (ms after the start, sorted) over `span_ms` and decides whether the
/// rate changes; `cv2` is the squared coefficient of variation of the raw gaps.
pub fn test(offsets: &[i64], span_ms: i64, cv2: f64) -> RateTest {
    let n = offsets.len() as f64;
    let mut out = RateTest {
        width_ms: 0,
        bins: 0,
        chi_square: 0.0,
        p: 1.0,
        days_alike: None,
        profile: None,
    };
    let Some(width) = WIDTHS.iter().copied().find(|w| {
        let bins = (span_ms + w - 1) / w;
        bins <= MAX_BINS && n / bins as f64 >= MIN_PER_BIN
    }) else {
        return out;
    };
    let whole = (span_ms / width) as usize;
    if whole < 4 {
        return out;
    }
    let mut counts = vec![0u64; whole];
    for t in offsets {
        if let Some(c) = counts.get_mut((t / width) as usize) {
            *c += 1;
        }
    }
    let mean = counts.iter().sum::<u64>() as f64 / whole as f64;
    let chi: f64 = counts
        .iter()
        .map(|c| (*c as f64 - mean).powi(2))
        .sum::<f64>()
        / mean;
    out.width_ms = width;
    out.bins = whole;
    out.chi_square = chi / cv2.max(1.0);
    out.p = chi_square_sf(out.chi_square, (whole - 1) as f64);
    if out.p >= SIGNIFICANCE {
        return out;
    }
    if span_ms >= 2 * DAY_MS {
        out.days_alike = Some(days_alike(offsets, span_ms));
    }
    out.profile = Some(match out.days_alike {
        Some(r) if r >= ALIKE => daily_profile(offsets, span_ms),
        _ => span_profile(offsets, span_ms, width),
    });
    out
}

/// The smallest correlation between a whole day's hourly counts and the other days'.
fn days_alike(offsets: &[i64], span_ms: i64) -> f64 {
    let days = (span_ms / DAY_MS) as usize;
    let mut counts = vec![[0f64; 24]; days];
    for t in offsets {
        let day = (t / DAY_MS) as usize;
        if day < days {
            counts[day][((t % DAY_MS) / 3_600_000) as usize] += 1.0;
        }
    }
    (0..days)
        .map(|d| {
            let others: Vec<f64> = (0..24)
                .map(|h| (0..days).filter(|e| *e != d).map(|e| counts[e][h]).sum())
                .collect();
            correlation(&counts[d], &others)
        })
        .fold(1.0, f64::min)
}

/// Pearson's correlation (0 when either side is flat).
fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}

/// Rounds a factor as the scenario writes it.
fn round(factor: f64) -> f64 {
    (factor * 1000.0).round() / 1000.0
}

/// A profile over the recording: one factor per bin, the last bin's over its length.
fn span_profile(offsets: &[i64], span_ms: i64, width: i64) -> Profile {
    let bins = ((span_ms + width - 1) / width).max(1) as usize;
    let mut counts = vec![0f64; bins];
    for t in offsets {
        counts[((t / width) as usize).min(bins - 1)] += 1.0;
    }
    let rate = offsets.len() as f64 / span_ms.max(1) as f64;
    let factors = counts
        .iter()
        .enumerate()
        .map(|(b, c)| {
            let length = (span_ms - b as i64 * width).clamp(1, width) as f64;
            round(c / length / rate)
        })
        .collect();
    Profile {
        width_ms: width,
        factors,
        daily: false,
    }
}

/// A daily profile: each time-of-day bin's events over the time the recording spent in it.
fn daily_profile(offsets: &[i64], span_ms: i64) -> Profile {
    let n = offsets.len() as f64;
    let width = WIDTHS
        .iter()
        .copied()
        .find(|w| DAY_MS / w <= MAX_DAY_BINS && n / (DAY_MS / w) as f64 >= MIN_PER_BIN)
        .unwrap_or(DAY_MS / 24);
    let bins = (DAY_MS / width) as usize;
    let mut counts = vec![0f64; bins];
    for t in offsets {
        counts[((t % DAY_MS) / width) as usize] += 1.0;
    }
    let mut exposure = vec![0f64; bins];
    let days = span_ms / DAY_MS + 1;
    for day in 0..days {
        for (b, e) in exposure.iter_mut().enumerate() {
            let from = day * DAY_MS + b as i64 * width;
            *e += ((from + width).min(span_ms) - from).max(0) as f64;
        }
    }
    let rate = n / span_ms.max(1) as f64;
    let factors = counts
        .iter()
        .zip(&exposure)
        .map(|(c, e)| if *e > 0.0 { round(c / e / rate) } else { 1.0 })
        .collect();
    Profile {
        width_ms: width,
        factors,
        daily: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_even_rate_has_no_profile() {
        let offsets: Vec<i64> = (0..10_000).map(|i| i * 360).collect();
        let test = test(&offsets, 3_600_000, 0.0);
        assert!(test.width_ms > 0 && test.profile.is_none(), "{test:?}");
    }

    #[test]
    fn a_step_in_the_rate_is_a_profile_whose_time_change_evens_it_out() {
        // 1 event a second for an hour, then 3 a second for an hour.
        let mut offsets: Vec<i64> = (0..3_600).map(|i| i * 1000).collect();
        offsets.extend((0..10_800).map(|i| 3_600_000 + i * 1000 / 3));
        let test = test(&offsets, 7_200_000, 0.0);
        let profile = test.profile.expect("a profile");
        assert!(!profile.daily);
        assert!((profile.factors[0] - 0.5).abs() < 0.01, "{profile:?}");
        assert!((profile.factors.last().unwrap() - 1.5).abs() < 0.01);
        // In operational time the gaps are equal on both sides of the step.
        let before = profile.operational(2_000.0) - profile.operational(1_000.0);
        let after =
            profile.operational(5_000_000.0 + 1000.0 / 3.0) - profile.operational(5_000_000.0);
        assert!((before - after).abs() < 0.01 * before, "{before} {after}");
        assert!((profile.operational(7_200_000.0) - 7_200_000.0).abs() < 7_200.0);
    }

    #[test]
    fn days_that_look_alike_are_a_daily_profile() {
        // Three days, busy from 8h to 20h, quiet otherwise.
        let mut offsets = Vec::new();
        let mut t = 0i64;
        while t < 3 * DAY_MS {
            offsets.push(t);
            let hour = (t % DAY_MS) / 3_600_000;
            t += if (8..20).contains(&hour) {
                2_000
            } else {
                20_000
            };
        }
        let test = test(&offsets, 3 * DAY_MS, 0.0);
        let profile = test.profile.clone().expect("a profile");
        assert!(profile.daily && test.days_alike.unwrap() > 0.99, "{test:?}");
        assert_eq!(profile.width_ms * profile.factors.len() as i64, DAY_MS);
        let noon = profile.factors[(12 * 3_600_000 / profile.width_ms) as usize];
        let night = profile.factors[0];
        assert!((noon / night - 10.0).abs() < 0.5, "{noon} {night}");
    }
}
