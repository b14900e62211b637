//! Round numbers for axes: ticks at 1, 2, 2.5 or 5 times a power of ten, labels with
//! as many decimals as the step needs (never an exponent), and the top of a y axis a
//! little above the data.

/// Round ticks over [lo, hi], at most `count` of them: a step of 1, 2, 2.5 or 5 times a
/// power of ten, and the ticks that are multiples of it.
pub(super) fn ticks(lo: f64, hi: f64, count: usize) -> (Vec<f64>, f64) {
    let step = nice_step((hi - lo).max(f64::MIN_POSITIVE) / count.max(1) as f64);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    ((first..=last).map(|k| k as f64 * step).collect(), step)
}

/// The smallest of 1, 2, 2.5, 5 × 10^k that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// A tick's label: as many decimals as the step needs, never an exponent.
pub(super) fn tick_label(value: f64, step: f64) -> String {
    // The fewest decimals that write every multiple of the step exactly.
    let decimals = (0..12)
        .find(|d| {
            let scaled = step * 10f64.powi(*d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(12) as usize;
    let value = if value.abs() < step / 2.0 { 0.0 } else { value };
    format!("{value:.decimals$}")
}

/// The y axis from 0 to a round top a little above `max` (a line at the top stays in
/// sight), its ticks and their labels.
pub(super) fn y_axis(max: f64) -> (f64, Vec<(f64, String)>) {
    let max = if max > 0.0 && max.is_finite() {
        1.04 * max
    } else {
        1.0
    };
    let step = nice_step(max / 5.0);
    let top = (max / step - 1e-9).ceil().max(1.0) * step;
    let (values, step) = ticks(0.0, top, 5);
    (
        top,
        values
            .into_iter()
            .map(|v| (v, tick_label(v, step)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_never_exponents() {
        let (values, step) = ticks(0.0, 2.0, 5);
        assert_eq!(step, 0.5);
        assert_eq!(values, [0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(tick_label(0.0, 0.05), "0.00");
        assert_eq!(tick_label(0.15, 0.05), "0.15");
        assert_eq!(tick_label(3e-17, 0.1), "0.0");
        assert_eq!(tick_label(2_000_000.0, 500_000.0), "2000000");
        assert_eq!(tick_label(0.25, 0.25), "0.25");
        assert_eq!(tick_label(2.5, 2.5), "2.5");
        assert_eq!(y_axis(0.0).0, 1.0);
        assert_eq!(y_axis(103.0).0, 125.0);
        assert_eq!(y_axis(1.0).0, 1.25);
    }
}
