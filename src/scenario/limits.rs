//! The documented limits on scenario files, each a named constant with a test at and
//! just past it. They keep every input, however hostile, to a fast answer in bounded
//! memory: a correct plan or a clear error.

/// Largest scenario file accepted, in bytes (256 KiB): enough for tens of thousands of
/// listed camera ids, small enough that parsing any such file stays far below 100 MB.
/// Large camera sets are generated with `{count: N}`, not listed.
pub const MAX_FILE_BYTES: usize = 256 << 10;

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
pub const MIN_MEAN_GAP_NS: f64 = 1_000.0;

/// Longest duration, in nanoseconds (100 years of 365 days).
pub const MAX_DURATION_NS: u64 = 100 * 365 * 24 * 3_600 * 1_000_000_000;

/// The 1-based line and column where bracket nesting first exceeds [`MAX_DEPTH`], with the
/// depth reached there. Brackets inside quotes and comments do not count.
pub fn excessive_nesting(text: &str) -> Option<(usize, usize, usize)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut previous = '\n';
    let (mut line, mut column) = (1usize, 0usize);
    let mut in_comment = false;
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            in_comment = false;
            previous = c;
            continue;
        }
        if in_comment {
            continue;
        }
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if depth > 0 || previous.is_whitespace() || previous == ':' => {
                quote = Some(c)
            }
            (None, '#') if previous.is_whitespace() => in_comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some((line, column, depth));
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = c;
    }
    None
}

/// The 1-based line and the width of the first line indented wider than [`MAX_INDENT`].
pub fn excessive_indent(text: &str) -> Option<(usize, usize)> {
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
        assert_eq!(excessive_nesting(&format!("name: x # {deep}")), None);
    }
}
