//! A replay stream in `simulate stats`: its gaps as the recording has them, and how many
//! of its messages the run plans.

use crate::scenario::validate::Replay;

/// A replay stream's gaps as the recording has them (mean and standard deviation of
/// one pass in seconds, as `timing` plays them), and how many of its messages fall
/// inside the run before outages drop any.
pub(super) fn gaps(replay: &Replay, duration: u64) -> (Option<f64>, Option<f64>, u64) {
    let gaps: Vec<f64> = replay
        .offsets
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64 / 1e9)
        .collect();
    let n = gaps.len() as f64;
    let (mean_s, std_s) = if gaps.is_empty() {
        (None, None)
    } else {
        let mean = gaps.iter().sum::<f64>() / n;
        let var = gaps.iter().map(|g| (g - mean) * (g - mean)).sum::<f64>() / n;
        (Some(mean), Some(var.sqrt()))
    };
    let all = (replay.offsets.len() as u64).saturating_mul(replay.loops);
    let planned = (0..all)
        .take_while(|&seq| replay.event(seq).is_some_and(|(t, _)| t < duration))
        .count();
    (mean_s, std_s, planned as u64)
}
