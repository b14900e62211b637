//! YAML syntax errors said in the file's terms. The parser (`yaml_serde`, libyaml's)
//! says where it gave up, which is often a line after the mistake, in its own words
//! ("did not find expected key"); here the three common mistakes behind such errors are
//! found in the text and named where they are: a bracket never closed (pointed at where
//! it opened), a line indented deeper than its siblings, and a key written twice in one
//! mapping (pointed at the second, with the line of the first).

use std::collections::HashMap;

/// A syntax error explained: what is wrong, what fixes it, and where (1-based line and
/// column, and how many characters to underline).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Explained {
    pub message: String,
    pub help: String,
    pub line: usize,
    pub column: usize,
    pub len: usize,
}

/// The explanation of the parser's `message`, reported at `at` (1-based line and
/// column), when it is one of the mistakes this module knows.
pub(crate) fn explain(text: &str, message: &str, at: Option<(usize, usize)>) -> Option<Explained> {
    if let Some(key) = duplicate_key_name(message) {
        return duplicate(text, message, key);
    }
    let (line, column) = at?;
    let closer = match message {
        "did not find expected ',' or ']'" => ']',
        "did not find expected ',' or '}'" => '}',
        "did not find expected key" | "mapping values are not allowed in this context" => {
            return over_indented(text, line);
        }
        _ => return None,
    };
    unclosed(text, line, column, closer)
}

/// The innermost bracket still open at `line`:`column`, when it is the kind `closer`
/// closes.
fn unclosed(text: &str, line: usize, column: usize, closer: char) -> Option<Explained> {
    let (opener, open_line, open_column) = *open_brackets(text, line, column).last()?;
    let expected = match opener {
        '[' => ']',
        _ => '}',
    };
    if expected != closer {
        return None;
    }
    Some(Explained {
        message: format!("invalid YAML: the `{opener}` on line {open_line} is never closed"),
        help: format!(
            "close it with `{closer}` (the parser looked for `,` or `{closer}` at line {line}, column {column})"
        ),
        line: open_line,
        column: open_column,
        len: 1,
    })
}

/// The flow brackets open before `line`:`column` (1-based), innermost last, each with its
/// line and column. Quoted text and comments are skipped; a closing bracket that does
/// not match the innermost open one ends the scan there.
fn open_brackets(text: &str, line: usize, column: usize) -> Vec<(char, usize, usize)> {
    let mut open = Vec::new();
    for (l, content) in text.lines().enumerate().take(line) {
        let l = l + 1;
        let chars: Vec<char> = content.chars().collect();
        let end = if l == line {
            column.saturating_sub(1).min(chars.len())
        } else {
            chars.len()
        };
        let mut i = 0;
        while i < end {
            let c = chars[i];
            let starts_token = i == 0 || matches!(chars[i - 1], ' ' | '\t' | '[' | '{' | ',' | ':');
            match c {
                '#' if i == 0 || matches!(chars[i - 1], ' ' | '\t') => break,
                '"' | '\'' if starts_token => i = quoted_end(&chars, i),
                '[' | '{' => open.push((c, l, i + 1)),
                ']' | '}' => {
                    let matching = if c == ']' { '[' } else { '{' };
                    match open.last() {
                        Some(&(o, _, _)) if o == matching => {
                            open.pop();
                        }
                        _ => return open,
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    open
}

/// Where the quoted scalar opening at `chars[start]` ends on its line (the index of the
/// closing quote, or the end of the line).
fn quoted_end(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if quote == '"' => i += 1,
            '\'' if quote == '\'' && chars.get(i + 1) == Some(&'\'') => i += 1,
            c if c == quote => return i,
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// Line `line` is a key indented deeper than the key of the line above it, whose value
/// is on that line (so nothing can nest under it).
fn over_indented(text: &str, line: usize) -> Option<Explained> {
    let lines: Vec<&str> = text.lines().collect();
    let here = *lines.get(line.checked_sub(1)?)?;
    let (indent, key) = entry(here)?;
    let above = (0..line - 1)
        .rev()
        .find(|&i| !is_blank_or_comment(lines[i]))?;
    let (sibling_indent, sibling) = entry(lines[above])?;
    let value = lines[above].split_once(": ")?.1.trim();
    if indent <= sibling_indent || value.is_empty() || value.starts_with('#') {
        return None;
    }
    let spaces = |n: usize| format!("{n} space{}", if n == 1 { "" } else { "s" });
    Some(Explained {
        message: format!(
            "invalid YAML: `{key}` is indented deeper than `{sibling}` on line {} ({}, not {})",
            above + 1,
            spaces(indent),
            sibling_indent
        ),
        help: match sibling_indent {
            0 => format!(
                "keys of one mapping line up: start `{key}` at the beginning of the line, as `{sibling}` is"
            ),
            n => format!(
                "keys of one mapping line up: indent `{key}` by {}, as `{sibling}` is",
                spaces(n)
            ),
        },
        line,
        column: indent + 1,
        len: key.chars().count(),
    })
}

/// A line `[- ]key: …`: the column (from 0) its key starts at, and the key.
fn entry(line: &str) -> Option<(usize, &str)> {
    let mut rest = line.trim_start_matches(' ');
    while let Some(item) = rest.strip_prefix("- ") {
        rest = item.trim_start_matches(' ');
    }
    let indent = line.len() - rest.len();
    let key = match rest.split_once(':') {
        Some((key, after)) if after.is_empty() || after.starts_with(' ') => key,
        _ => return None,
    };
    let plain = !key.is_empty() && !key.contains(['{', '[', '"', '\'', '#', ' ']);
    plain.then_some((indent, key))
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The key of yaml_serde's "duplicate entry with key \"K\"" message.
fn duplicate_key_name(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("duplicate entry with key \"")?;
    rest.strip_suffix('"')
}

/// The second occurrence of `key` in one mapping, the first in document order, and the
/// line of the first.
fn duplicate(text: &str, message: &str, key: &str) -> Option<Explained> {
    use saphyr_parser::{Event, Parser};

    /// A mapping being read: its keys so far (with their lines), and whether the next
    /// node is a key. Or a list.
    enum Frame {
        Map {
            keys: HashMap<String, usize>,
            at_key: bool,
        },
        Seq,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if is_node {
            if let Some(Frame::Map { keys, at_key }) = stack.last_mut() {
                if *at_key {
                    if let Event::Scalar(name, ..) = &event {
                        let line = span.start.line();
                        match keys.get(name.as_ref()) {
                            Some(&first) if name == key => {
                                return Some(Explained {
                                    message: format!(
                                        "invalid YAML: {message}, first written on line {first}"
                                    ),
                                    help: format!(
                                        "a key appears once in a mapping: remove one `{key}`, or merge the two"
                                    ),
                                    line,
                                    column: span.start.col() + 1,
                                    len: key.chars().count().max(1),
                                });
                            }
                            Some(_) => {}
                            None => {
                                keys.insert(name.to_string(), line);
                            }
                        }
                    }
                }
                *at_key = !*at_key;
            }
            match event {
                Event::SequenceStart(..) => stack.push(Frame::Seq),
                Event::MappingStart(..) => stack.push(Frame::Map {
                    keys: HashMap::new(),
                    at_key: true,
                }),
                _ => {}
            }
        } else if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
            stack.pop();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_in_quotes_and_comments_do_not_count() {
        let text = "a: ['[', \"]\", it's] # [\nb: [1, {c: 2}\n";
        assert_eq!(open_brackets(text, 3, 1), vec![('[', 2, 4)]);
    }

    #[test]
    fn a_key_under_a_block_value_is_not_over_indented() {
        assert_eq!(over_indented("a:\n  b: 1\n", 2), None);
        assert!(over_indented("a: 1\n  b: 2\n", 2).is_some());
        assert_eq!(entry("  - - key: 1"), Some((6, "key")));
        assert_eq!(entry("  http://x"), None);
    }
}
