//! The documented limits on scenario files, each a named constant with a test at and
//! just past it. They keep every input, however hostile, to a fast answer in bounded
//! memory: a correct plan or a clear error.

/// Largest scenario file accepted, in bytes (1 MiB). Large camera sets are generated
/// with `{count: N}`, not listed.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Deepest bracket (`[`/`{`) nesting accepted in the text, checked before parsing
/// because YAML parsers slow down quadratically on deep flow nesting.
pub const MAX_DEPTH: usize = 32;

/// Most YAML events the position index reads when locating errors.
pub const MAX_YAML_EVENTS: usize = 2_000_000;

/// Most streams in one scenario.
pub const MAX_STREAMS: usize = 10_000;

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

#[cfg(test)]
mod tests {
    use super::*;

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
