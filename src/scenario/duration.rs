//! Durations as written in scenario files and on the command line: `250us`, `90s`, `1h30m`.
//!
//! A duration is a sequence of `<number><unit>` terms with units `ns`, `us` (or `µs`),
//! `ms`, `s`, `m` and `h`. Numbers may carry a decimal fraction (`1.5s`). The value is an
//! exact whole number of nanoseconds; anything that does not fit in a `u64` is an error.

use std::fmt;

/// Every accepted unit: its spelling, its size in nanoseconds, and whether durations are
/// displayed with it (`us` rather than `µs`). Largest first, the order of display.
const UNITS: &[(&str, u64, bool)] = &[
    ("h", 3_600_000_000_000, true),
    ("m", 60_000_000_000, true),
    ("s", 1_000_000_000, true),
    ("ms", 1_000_000, true),
    ("us", 1_000, true),
    ("µs", 1_000, false),
    ("μs", 1_000, false),
    ("ns", 1, true),
];

/// A non-negative span of simulated time, in whole nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Nanos(pub u64);

impl Nanos {
    /// The span in nanoseconds as a float, for distribution parameters.
    pub(crate) fn as_f64(self) -> f64 {
        self.0 as f64
    }
}

impl fmt::Display for Nanos {
    /// Renders the shortest exact form using the largest units first: `1h30m`, `250us`, `0s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.0;
        for &(unit, size, _) in UNITS.iter().filter(|(_, _, shown)| *shown) {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

/// Parses a duration such as `3m`, `1h30m`, `1.5s` or `250µs` into nanoseconds.
///
/// The error says what is wrong in words a user can act on.
pub fn parse(text: &str) -> Result<Nanos, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration; write a number and a unit, e.g. `500ms` or `3m`".into());
    }
    if let Some(positive) = s.strip_prefix('-') {
        return Err(format!(
            "negative durations are not allowed: `{s}`; write a positive one such as `{}`",
            positive.trim()
        ));
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(digits);
        if number.is_empty() {
            return Err(format!(
                "expected a number at `{rest}` in duration `{s}`; write e.g. `500ms` or `1h30m`"
            ));
        }
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_len);
        let unit = unit.trim();
        if unit.is_empty() {
            return Err(format!(
                "duration `{s}` needs a unit after `{number}`: ns, us, ms, s, m or h (e.g. `{number}s`)"
            ));
        }
        let Some(&(_, size, _)) = UNITS.iter().find(|(name, _, _)| *name == unit) else {
            return Err(format!(
                "unknown unit `{unit}` in duration `{s}`; use ns, us (µs), ms, s, m or h"
            ));
        };
        let term = scale(number, size).ok_or_else(|| {
            format!("duration `{s}` is too large or malformed; the longest is about 584 years")
        })?;
        total = total.checked_add(term).ok_or_else(|| {
            format!("duration `{s}` is too large; the longest is about 584 years")
        })?;
        rest = next;
    }
    Ok(Nanos(total))
}

/// `number × size` exactly, where `number` is decimal text with an optional fraction.
/// `None` on overflow, on a second `.`, or on a fraction finer than one nanosecond.
fn scale(number: &str, size: u64) -> Option<u64> {
    let number = number.replace('_', "");
    let (whole, frac) = match number.split_once('.') {
        Some((w, f)) => (w, f),
        None => (number.as_str(), ""),
    };
    if frac.contains('.') || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut total = whole.checked_mul(size)?;
    let mut place = size;
    for digit in frac.bytes() {
        if place % 10 != 0 {
            // A fraction finer than 1 ns: only zeros are acceptable.
            if digit != b'0' {
                return None;
            }
            continue;
        }
        place /= 10;
        total = total.checked_add(u64::from(digit - b'0') * place)?;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_combinations() {
        assert_eq!(parse("250us"), Ok(Nanos(250_000)));
        assert_eq!(parse("250µs"), Ok(Nanos(250_000)));
        assert_eq!(parse("90s"), Ok(Nanos(90_000_000_000)));
        assert_eq!(parse("1h30m"), Ok(Nanos(5_400_000_000_000)));
        assert_eq!(parse("3m"), Ok(Nanos(180_000_000_000)));
        assert_eq!(parse("100ms"), Ok(Nanos(100_000_000)));
        assert_eq!(parse("1.5s"), Ok(Nanos(1_500_000_000)));
        assert_eq!(parse("7ns"), Ok(Nanos(7)));
        assert_eq!(parse("0s"), Ok(Nanos(0)));
    }

    #[test]
    fn rejects_what_is_ambiguous_or_too_large() {
        assert!(parse("10").unwrap_err().contains("needs a unit"));
        assert!(parse("1mo").unwrap_err().contains("unknown unit `mo`"));
        assert!(parse("3d").unwrap_err().contains("unknown unit `d`"));
        assert!(parse("").unwrap_err().contains("empty"));
        assert!(parse("s").unwrap_err().contains("expected a number"));
        assert_eq!(
            parse("-1s").unwrap_err(),
            "negative durations are not allowed: `-1s`; write a positive one such as `1s`"
        );
        assert!(
            parse(" -250ms")
                .unwrap_err()
                .starts_with("negative durations")
        );
        assert!(parse("1.5ns").is_err());
        assert!(parse("1.2.3s").is_err());
        assert!(parse("99999999999h").unwrap_err().contains("too large"));
        assert!(parse("18446744073709551615ns").is_ok());
        assert!(parse("18446744073709551616ns").is_err());
    }

    #[test]
    fn display_round_trips() {
        for text in ["1h30m", "250us", "3m", "1s500ms", "7ns", "0s"] {
            assert_eq!(parse(text).unwrap().to_string(), text);
        }
    }
}
