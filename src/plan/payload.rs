//! The draws of payload generators: every value is a pure function of (the arrival
//! process's identity, the field's path, the event's sequence number).
//!
//! No generator state is carried from event to event, so adding, removing or reordering
//! a field changes no other field's values, and no field touches the process's own
//! random stream (which draws the gaps and cameras), so no event moves in time.
//!
//! The random bits are counter-based (`random::bits`): a field's stream is seeded
//! by mixing the process identity with the field's key (`random::field_key`), and
//! its `seq`-th output is SplitMix64's (the seed plus `seq` times the golden gamma, through
//! Stafford's "Mix13" finaliser). SplitMix64 passes BigCrush; each output costs two
//! multiplications. Draws that need more than one number (a normal, a rejected integer)
//! take further outputs from sibling streams (`draw` > 0). Floating-point work uses only
//! IEEE operations and the `libm` crate, so values are the same on every machine.

use super::random::bits;

/// 53 random bits as a number in [0, 1).
#[inline(always)]
pub fn unit(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The identity of one value's draws: process, field and event.
#[derive(Debug, Clone, Copy)]
pub struct Draws {
    /// The arrival process's identity.
    pub process: u64,
    /// The field's identity (`random::field_key`).
    pub field: u64,
    /// The event's sequence number within its process.
    pub seq: u64,
}

impl Draws {
    /// The `draw`-th 64 random bits.
    #[inline(always)]
    pub fn bits(self, draw: u64) -> u64 {
        bits(self.process, self.field, self.seq, draw)
    }

    /// A whole number uniform in `0..n` (`n` ≥ 1; 0 stands for 2⁶⁴), exactly: Lemire's
    /// multiply-and-reject, each retry from the next draw.
    #[inline]
    pub fn below(self, n: u64) -> u64 {
        if n == 0 {
            return self.bits(0);
        }
        // Values of `low` below this threshold would make some results likelier.
        let threshold = n.wrapping_neg() % n;
        let mut draw = 0;
        loop {
            let product = u128::from(self.bits(draw)) * u128::from(n);
            if (product as u64) >= threshold || draw == 64 {
                // A 65th rejection in a row has probability below 2⁻⁶⁴ˣ⁶⁵: never.
                return (product >> 64) as u64;
            }
            draw += 1;
        }
    }

    /// A whole number uniform on min..=max (`min ≤ max`).
    #[inline]
    pub fn int(self, min: i64, max: i64) -> i64 {
        let span = max.wrapping_sub(min) as u64;
        min.wrapping_add(self.below(span.wrapping_add(1)) as i64)
    }

    /// A number uniform on [min, max] (finite, `min ≤ max`, finite width).
    #[inline]
    pub fn float(self, min: f64, max: f64) -> f64 {
        (min + unit(self.bits(0)) * (max - min)).min(max)
    }

    /// A normal number, by Box and Muller's transform of two uniform draws (the cosine
    /// half). |z| ≤ √(−2 ln 2⁻⁵³) < 8.6.
    #[inline]
    pub fn normal(self, mean: f64, std_dev: f64) -> f64 {
        // u in (0, 1], so its logarithm is finite.
        let u = ((self.bits(0) >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
        let v = unit(self.bits(1));
        let z = libm::sqrt(-2.0 * libm::log(u)) * libm::cos(2.0 * std::f64::consts::PI * v);
        mean + std_dev * z
    }

    /// Whether the value is null instead, with probability `rate` (in [0, 1]).
    #[inline]
    pub fn is_null(self, rate: f64) -> bool {
        unit(self.bits(0)) < rate
    }

    /// An index into a table of weights given as their running sums (`cumulative`, last
    /// = the total, positive): index `i` with probability `weight[i] / total`.
    #[inline]
    pub fn weighted(self, cumulative: &[f64]) -> usize {
        let total = cumulative[cumulative.len() - 1];
        let x = unit(self.bits(0)) * total;
        let i = cumulative.partition_point(|&c| c <= x);
        // x can round up to the total: take the last value with a positive weight.
        i.min(last_positive(cumulative))
    }
}

/// A span inside `0..size` (`size` ≥ 1) as (offset, length): the length uniform on
/// 1..=size from `length`'s draws, then the offset uniform on 0..=size − length from
/// `offset`'s, so that offset + length ≤ size.
#[inline]
pub fn span(length: Draws, offset: Draws, size: u32) -> (u32, u32) {
    let size = u64::from(size.max(1));
    let len = 1 + length.below(size);
    let at = offset.below(size - len + 1);
    (at as u32, len as u32)
}

/// The last index whose weight (the step in `cumulative`) is positive.
fn last_positive(cumulative: &[f64]) -> usize {
    let mut i = cumulative.len() - 1;
    while i > 0 && cumulative[i] == cumulative[i - 1] {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::super::random::field_key;
    use super::*;

    fn draws(seq: u64) -> Draws {
        Draws {
            process: 0x1234_5678_9ABC_DEF0,
            field: field_key("x"),
            seq,
        }
    }

    #[test]
    fn ints_stay_in_range_including_the_extremes() {
        for seq in 0..10_000 {
            let d = draws(seq);
            assert!((-3..=3).contains(&d.int(-3, 3)));
            assert_eq!(d.int(7, 7), 7);
            let _ = d.int(i64::MIN, i64::MAX);
            assert!(d.below(1) == 0);
        }
        let seen: std::collections::BTreeSet<i64> =
            (0..1_000).map(|s| draws(s).int(0, 3)).collect();
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    #[test]
    fn floats_stay_in_range_and_weights_of_zero_are_never_drawn() {
        let cumulative = [0.0, 1.0, 1.0, 3.0, 3.0];
        for seq in 0..10_000 {
            let d = draws(seq);
            let x = d.float(-1.5, 2.5);
            assert!((-1.5..=2.5).contains(&x));
            let i = d.weighted(&cumulative);
            assert!(i == 1 || i == 3, "{i}");
            assert!(d.normal(0.0, 1.0).abs() < 8.6);
        }
    }

    /// A span stays inside its frame, reaches both edges and takes every length,
    /// including the whole frame and a frame of one.
    #[test]
    fn spans_stay_inside_the_frame() {
        let mut lengths = std::collections::BTreeSet::new();
        let (mut left, mut right) = (false, false);
        for seq in 0..20_000 {
            let other = Draws {
                field: field_key("y"),
                ..draws(seq)
            };
            let (at, len) = span(draws(seq), other, 8);
            assert!(len >= 1 && at + len <= 8, "{at} + {len}");
            lengths.insert(len);
            left |= at == 0;
            right |= at + len == 8;
            assert_eq!(span(draws(seq), other, 1), (0, 1));
        }
        assert_eq!(lengths.len(), 8);
        assert!(left && right);
    }
}
