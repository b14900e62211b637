//! Where each field of a scenario file is written: line and column for messages.
//!
//! `serde_yaml` (the `yaml_serde` fork) gives values without positions, so the document
//! is parsed a second time, here, as a stream of events by `saphyr-parser`, which knows
//! where every key and value starts and ends. This pass runs only when there are
//! problems to report, and only decorates them: the field path is always given, the
//! position whenever the text can be located.
//!
//! Why two parsers: a single one could give both (saphyr's `MarkedYaml` carries spans),
//! but it is a YAML 1.2 parser where `yaml_serde` is libyaml's. Switching would change
//! what some files mean (merge keys, the alias limit, which plain scalars are numbers or
//! booleans) and the text of every YAML syntax error the corpus pins, for a pass that
//! costs nothing on a valid file. Revisit when the corpus can move with it.

use std::collections::{HashMap, HashSet};

use super::diagnostics::{Diagnostic, FieldPath, Location, Problems, line_text};

/// Turns problems into diagnostics, with file positions where the text can be located.
pub(crate) fn locate(name: &str, text: &str, problems: Problems) -> Vec<Diagnostic> {
    let hidden = problems.hidden();
    let problems = problems.into_kept();
    let wanted: HashSet<String> = problems.iter().map(|p| p.path.to_string()).collect();
    let spans = if problems.is_empty() {
        HashMap::new()
    } else {
        span_index(text, &wanted)
    };
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let path = p.path.to_string();
            let note = p.note();
            let mut d = Diagnostic::new(p.message).maybe_help(p.help);
            d.note = note;
            d.file = Some(name.to_string());
            if let Some(entry) = spans.get(&path) {
                let span = if p.at_key {
                    entry.key.unwrap_or(entry.value)
                } else {
                    entry.value
                };
                d.location = Some(span);
                d.source_line = line_text(text, span.line);
            }
            // An unknown key is reported at its parent; the key itself is in the message.
            let shown = if p.at_key { p.path.parent() } else { p.path };
            d.field(shown.to_string())
        })
        .collect();
    if hidden > 0 {
        let all = hidden + diagnostics.len();
        let mut d = Diagnostic::new(format!(
            "… and {hidden} more problems not shown ({all} in all)"
        ));
        d.file = Some(name.to_string());
        diagnostics.push(d);
    }
    diagnostics
}

/// Where a field's key and value are written.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Option<Location>,
    value: Location,
}

/// Maps the `wanted` field paths of the document to the positions of their keys and values.
fn span_index(text: &str, wanted: &HashSet<String>) -> HashMap<String, Entry> {
    use saphyr_parser::{Event, Parser};

    let mut index = HashMap::new();
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
            // A scalar in key position of a mapping is a key, not a value.
            if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                if key.is_none() {
                    let name = match &event {
                        Event::Scalar(s, ..) => s.to_string(),
                        _ => String::new(),
                    };
                    *key = Some((name, to_location(span)));
                    if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..)) {
                        stack.push(Frame::Map {
                            path: FieldPath::default(),
                            key: None,
                        });
                    }
                    continue;
                }
            }
            let (path, key_location) = match stack.last_mut() {
                Some(Frame::Map { path, key }) => {
                    let (name, location) = key.clone().unwrap_or_else(|| {
                        (
                            String::new(),
                            Location {
                                line: 1,
                                column: 1,
                                len: 1,
                            },
                        )
                    });
                    (path.key(&name), Some(location))
                }
                Some(Frame::Seq { path, next }) => (path.index(*next), None),
                None => (FieldPath::default(), None),
            };
            let text = path.to_string();
            if wanted.contains(&text) {
                index.insert(
                    text,
                    Entry {
                        key: key_location,
                        value: to_location(span),
                    },
                );
            }
            match event {
                Event::SequenceStart(..) => stack.push(Frame::Seq { path, next: 0 }),
                Event::MappingStart(..) => stack.push(Frame::Map { path, key: None }),
                _ => finish_value(&mut stack),
            }
        } else if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
            stack.pop();
            finish_value(&mut stack);
        }
    }

    index
}

/// A mapping or a list being read, with the path it is at.
enum Frame {
    /// A mapping, and the key whose value comes next (with where the key is).
    Map {
        path: FieldPath,
        key: Option<(String, Location)>,
    },
    /// A list, and the index of the item that comes next.
    Seq { path: FieldPath, next: usize },
}

/// Where `span` is: its start, and its length when it stays on one line.
fn to_location(span: saphyr_parser::Span) -> Location {
    let len = if span.end.line() == span.start.line() {
        span.len()
    } else {
        1
    };
    Location {
        line: span.start.line(),
        column: span.start.col() + 1,
        len: len.max(1),
    }
}

/// A value of the innermost mapping or list is done: the next one is a key or an item.
fn finish_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { next, .. }) => *next += 1,
        None => {}
    }
}
