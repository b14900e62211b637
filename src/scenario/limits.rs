//! The documented limits on scenario files, each a named constant with a test at and
//! just past it. They keep every input, however hostile, to a fast answer in bounded
//! memory: a correct plan or a clear error.

/// Largest scenario file accepted, in bytes (256 KiB): enough for tens of thousands of
/// listed camera ids, small enough that parsing any such file stays far below 100 MB.
/// Large camera sets are generated with `{count: N}`, not listed.
pub const MAX_FILE_BYTES: usize = 256 << 10;

/// The message for a file over [`MAX_FILE_BYTES`], wherever it is noticed.
pub(crate) fn too_large() -> String {
    format!("the file is larger than {MAX_FILE_BYTES} bytes, the limit for scenario files")
}
/// What to do about it.
pub(crate) const TOO_LARGE_HELP: &str =
    "generate cameras with `{count: N}` instead of listing them";

/// Deepest bracket (`[`/`{`) nesting accepted in the text, checked before parsing
/// because YAML parsers slow down quadratically on deep flow nesting.
pub const MAX_DEPTH: usize = 32;

/// Widest indentation accepted, in characters: the leading spaces and block indicators
/// (`- `, `? `, `: `) of a line. Deeper block nesting is rejected before parsing, for
/// the same reason as [`MAX_DEPTH`].
pub const MAX_INDENT: usize = 256;

/// Most streams in one scenario.
pub const MAX_STREAMS: usize = 1_000;

/// Most cameras in one scenario, over all streams.
pub const MAX_CAMERAS: u64 = 1_000_000;

/// Shortest mean gap of one arrival process, in nanoseconds (1 µs): at most one million
/// planned events per second per process.
pub const MIN_MEAN_GAP_NS: u64 = 1_000;

/// Shortest mean gap between the starts of recurring incident or outage windows, in
/// nanoseconds (1 s): windows are events of seconds to hours, and each costs every
/// process it affects a few draws.
pub const MIN_WINDOW_GAP_NS: u64 = 1_000_000_000;

/// The longest stretch of time the planner's time change walks in one step, in ns
/// (2⁴⁷, about 39 hours): longer pieces of a rate profile are walked in several.
pub const MAX_PIECE_NS: u64 = 1 << 47;

/// Most steps the planner may take to follow the rate profiles and windows of a stream
/// over the run: processes × profile pieces + followers × windows. Each step is a few
/// hundred nanoseconds, so this bounds the work they add to about half a minute.
pub const MAX_SHAPING_STEPS: u64 = 100_000_000;

/// Most decimals a `float` or `normal` field may print: 17 significant digits are all
/// an `f64` holds.
pub const MAX_DECIMALS: u32 = 17;

/// Most values in one payload (fields, nested objects and list items, over all levels,
/// headers included) of one stream.
pub const MAX_PAYLOAD_VALUES: usize = 10_000;

/// Longest duration, in years of 365 days.
pub const MAX_DURATION_YEARS: u64 = 100;

/// Longest duration, in nanoseconds ([`MAX_DURATION_YEARS`] years of 365 days).
pub const MAX_DURATION_NS: u64 = MAX_DURATION_YEARS * 365 * 24 * 3_600 * 1_000_000_000;

/// The 1-based line and column where bracket nesting first exceeds [`MAX_DEPTH`], with the
/// depth reached there.
///
/// A cheap scan that follows YAML closely enough to be safe: a bracket or a quote only
/// opens where a value can start (at the start of a line, after `:`, `-`, `?`, `,`, `[`
/// or `{`, or anywhere inside brackets); quotes end at their closing quote or at the end
/// of the line, so an unclosed quote cannot hide the rest of the file; comments end at
/// the end of the line.
pub(crate) fn excessive_nesting(text: &str) -> Option<(usize, usize, usize)> {
    let mut depth = 0usize;
    for (index, line) in text.lines().enumerate() {
        let mut quote: Option<char> = None;
        let mut escaped = false;
        // The last character that is not white space, or '\n' at the start of the line.
        let mut last = '\n';
        let mut previous = '\n';
        for (column, c) in line.chars().enumerate() {
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if q == '"' && c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    last = c;
                }
                previous = c;
                continue;
            }
            let value_start = depth > 0 || matches!(last, '\n' | ':' | '-' | '?' | ',' | '[' | '{');
            match c {
                '#' if previous.is_whitespace() || previous == '\n' => break,
                '"' | '\''
                    if value_start
                        && (previous.is_whitespace()
                            || matches!(previous, '\n' | '[' | '{' | ',')) =>
                {
                    quote = Some(c);
                }
                '[' | '{' if value_start => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some((index + 1, column + 1, depth));
                    }
                }
                ']' | '}' if depth > 0 => depth -= 1,
                _ => {}
            }
            if !c.is_whitespace() {
                // A bracket or quote that opened nothing is part of a plain value.
                let text = matches!(c, '[' | '{' | '"' | '\'') && !value_start;
                last = if text { 'x' } else { c };
            }
            previous = c;
        }
    }
    None
}

/// The 1-based line and the width of the first line indented wider than [`MAX_INDENT`].
pub(crate) fn excessive_indent(text: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let width = line
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'-' | b'?' | b':'))
            .count();
        (width > MAX_INDENT).then_some((i + 1, width))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indentation_at_the_limit_is_accepted_and_past_it_rejected() {
        let at = format!("a:\n{}b: 1\n", " ".repeat(MAX_INDENT));
        assert_eq!(excessive_indent(&at), None);
        let past = format!("a:\n{}b: 1\n", " ".repeat(MAX_INDENT + 1));
        assert_eq!(excessive_indent(&past), Some((2, MAX_INDENT + 1)));
        let dashes = format!("x:\n{}y\n", "- ".repeat(200));
        assert_eq!(excessive_indent(&dashes), Some((2, 400)));
    }

    #[test]
    fn the_size_message_names_the_limit() {
        assert!(too_large().contains(&MAX_FILE_BYTES.to_string()));
    }

    #[test]
    fn nesting_at_the_limit_is_accepted_and_past_it_rejected() {
        let at = format!("x: {}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert_eq!(excessive_nesting(&at), None);
        let past = format!(
            "x: {}{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(
            excessive_nesting(&past),
            Some((1, 4 + MAX_DEPTH, MAX_DEPTH + 1))
        );
    }

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let deep = "[".repeat(MAX_DEPTH + 5);
        assert_eq!(excessive_nesting(&format!("name: \"{deep}\"")), None);
        assert_eq!(excessive_nesting(&format!("name: '{deep}'")), None);
        assert_eq!(excessive_nesting(&format!("name: x # {deep}")), None);
        assert_eq!(excessive_nesting(&format!("name: \"a\\\"{deep}\"")), None);
        // Brackets inside a plain value are text, not nesting.
        assert_eq!(excessive_nesting(&format!("prefix: x{deep}")), None);
    }

    #[test]
    fn an_unclosed_quote_does_not_hide_the_rest_of_the_file() {
        let deep = format!(
            "x: {}{}",
            "[".repeat(MAX_DEPTH + 1),
            "]".repeat(MAX_DEPTH + 1)
        );
        for opener in ["name: 5 'o clock", "name: \"unclosed", "a: 'b"] {
            let text = format!("{opener}\n{deep}\n");
            assert_eq!(
                excessive_nesting(&text),
                Some((2, 4 + MAX_DEPTH, MAX_DEPTH + 1)),
                "{opener}"
            );
        }
    }
}
