//! Numbers as payload text, the same on every machine: fixed decimals rounded half to even
//! (of the exact binary value, as Rust's `{:.N}` rounds), or the shortest text that
//! reads back as the same number. Never an exponent (`1e21`), never `NaN` or `inf`
//! (validation keeps every value finite), and never `-0`: a value that rounds to zero
//! prints without a sign.

use std::io::Write as _;

/// Powers of ten that are exact in an `f64` (up to 10²²).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Appends `x` (finite) rounded to `decimals` decimals, half to even, with exactly that
/// many digits after the point (none, and no point, for 0).
pub(crate) fn write_fixed(out: &mut Vec<u8>, x: f64, decimals: u32) {
    let d = decimals as usize;
    if let Some(&scale) = POW10.get(d) {
        // x·10^d is computed with one rounding (relative error ≤ 2⁻⁵³). Away from a tie
        // (a fraction of exactly ½), rounding the computed product gives the same integer
        // as rounding the exact one; near a tie, fall through to the exact formatter.
        let scaled = x * scale;
        if scaled.abs() < 4_503_599_627_370_496.0 {
            let whole = scaled.trunc();
            let from_tie = ((scaled - whole).abs() - 0.5).abs();
            if from_tie > scaled.abs() * f64::EPSILON + f64::MIN_POSITIVE {
                let n = scaled.round_ties_even() as i64;
                write_scaled(out, n, d);
                return;
            }
        }
    }
    let start = out.len();
    let _ = write!(out, "{x:.d$}");
    drop_negative_zero(out, start);
}

/// Appends the integer `n` / 10^d with `d` digits after the point.
fn write_scaled(out: &mut Vec<u8>, n: i64, d: usize) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = itoa::Buffer::new();
    let digits = digits.format(n.unsigned_abs()).as_bytes();
    if d == 0 {
        out.extend_from_slice(digits);
        return;
    }
    if digits.len() > d {
        let (int, frac) = digits.split_at(digits.len() - d);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', d - digits.len()));
        out.extend_from_slice(digits);
    }
}

/// Appends the shortest text that reads back as `x` (finite), without an exponent.
pub(crate) fn write_shortest(out: &mut Vec<u8>, x: f64) {
    let start = out.len();
    let _ = write!(out, "{x}");
    drop_negative_zero(out, start);
}

/// Removes the sign of a number written from `start` that is all zeros (`-0`, `-0.000`).
fn drop_negative_zero(out: &mut Vec<u8>, start: usize) {
    let text = &out[start..];
    if text.first() == Some(&b'-') && text[1..].iter().all(|&b| b == b'0' || b == b'.') {
        out.remove(start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(x: f64, d: u32) -> String {
        let mut out = Vec::new();
        write_fixed(&mut out, x, d);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ties_go_to_even_and_digits_are_always_printed() {
        assert_eq!(fixed(0.125, 2), "0.12");
        assert_eq!(fixed(0.375, 2), "0.38");
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(3.5, 0), "4");
        assert_eq!(fixed(-2.5, 0), "-2");
        // 0.285 is 0.28499999999999998… in binary: not a tie.
        assert_eq!(fixed(0.285, 2), "0.28");
        assert_eq!(fixed(1.0, 3), "1.000");
        assert_eq!(fixed(0.05, 3), "0.050");
        assert_eq!(fixed(-0.0004, 3), "0.000");
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-12.345, 1), "-12.3");
        assert_eq!(fixed(1e21, 1), "1000000000000000000000.0");
        assert_eq!(fixed(123.456, 17), format!("{:.17}", 123.456));
    }

    #[test]
    fn the_fast_path_agrees_with_the_exact_formatter() {
        // Every kind of magnitude, and values on and near the ties of each decimal count.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let r = next();
            let d = (r % 8) as u32;
            let magnitude = 10f64.powi((next() % 16) as i32 - 6);
            let x = ((next() >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * magnitude;
            let tie = (x * 10f64.powi(d as i32)).trunc() / 10f64.powi(d as i32)
                + 0.5 / 10f64.powi(d as i32);
            for x in [x, tie, -tie] {
                let mut exact = format!("{x:.*}", d as usize);
                if exact.starts_with('-') && exact[1..].bytes().all(|b| b == b'0' || b == b'.') {
                    exact.remove(0);
                }
                assert_eq!(fixed(x, d), exact, "{x:e} to {d} decimals");
            }
        }
    }

    #[test]
    fn shortest_text_has_no_exponent_and_no_negative_zero() {
        let shortest = |x: f64| {
            let mut out = Vec::new();
            write_shortest(&mut out, x);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(shortest(1e21), "1000000000000000000000");
        assert_eq!(shortest(1e-7), "0.0000001");
        assert_eq!(shortest(-0.0), "0");
        assert_eq!(shortest(21.5), "21.5");
        assert_eq!(shortest(0.1 + 0.2), "0.30000000000000004");
    }
}
