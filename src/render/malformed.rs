//! Malformed values (the `malformed` fault): a message's rendered value broken on
//! purpose, as empty, truncated, not JSON, a field missing or of the wrong type, a number
//! out of its range. The
//! rendering is pure: the broken bytes follow from the good ones and the fault's pick.

use super::context::write_camera_text;
use super::{Renderer, json_string};
use crate::plan::Event;
use crate::scenario::model::Malformation;

impl Renderer<'_> {
    /// Appends the broken value of `event` and returns the field it touched: the
    /// top-level field for `missing_field` and `wrong_type`, the value's path for
    /// `out_of_range`.
    pub fn malformed(
        &mut self,
        out: &mut Vec<u8>,
        event: &Event,
        kind: Malformation,
        pick: u32,
    ) -> Option<String> {
        let mut good = std::mem::take(&mut self.scratch);
        good.clear();
        self.write_value(&mut good, event);
        let touched = match kind {
            Malformation::Empty => None,
            // These break the wire framing, not the value (`write_wire_value`): the text
            // is the good value.
            Malformation::BadMagic
            | Malformation::UnknownSchemaId
            | Malformation::TruncatedBinary => {
                out.extend_from_slice(&good);
                None
            }
            Malformation::OutOfRange => match &self.streams[event.stream as usize].value {
                Some(program) => program.write_out_of_range(out, event, &mut self.context, pick),
                // Validation refuses `out_of_range` without a value that has a range.
                None => {
                    out.extend_from_slice(&good);
                    None
                }
            },
            Malformation::Truncated => {
                out.extend_from_slice(truncated(&good));
                None
            }
            Malformation::NotJson => {
                out.extend_from_slice(b"event_id=");
                out.extend_from_slice(&self.event_id(event));
                out.extend_from_slice(b";camera_id=");
                write_camera_text(out, self.camera(event));
                None
            }
            Malformation::MissingField | Malformation::WrongType => {
                let fields = top_level_fields(&good);
                let eligible: Vec<&TopField> = fields
                    .iter()
                    .filter(|f| fields.len() == 1 || f.name != "event_id")
                    .collect();
                match eligible.get(pick as usize % eligible.len().max(1)) {
                    None => {
                        out.extend_from_slice(truncated(&good));
                        None
                    }
                    Some(field) if kind == Malformation::MissingField => {
                        // Drop the field and the comma that joins it to its neighbour.
                        let (start, end) = if field.start > 1 {
                            (field.start - 1, field.end)
                        } else if field.end < good.len() - 1 {
                            (field.start, field.end + 1)
                        } else {
                            (field.start, field.end)
                        };
                        out.extend_from_slice(&good[..start]);
                        out.extend_from_slice(&good[end..]);
                        Some(field.name.clone())
                    }
                    Some(field) => {
                        out.extend_from_slice(&good[..field.value]);
                        let value = &good[field.value..field.end];
                        if value.first() == Some(&b'"') {
                            out.push(b'0');
                        } else {
                            json_string(out, value);
                        }
                        out.extend_from_slice(&good[field.end..]);
                        Some(field.name.clone())
                    }
                }
            }
        };
        self.scratch = good;
        touched
    }
}

/// A strict prefix of a rendered value, half its length (at a character boundary): never
/// JSON, as the value is an object and the prefix lacks its closing brace.
fn truncated(good: &[u8]) -> &[u8] {
    let mut cut = good.len() / 2;
    while cut > 0 && (good[cut] & 0xC0) == 0x80 {
        cut -= 1;
    }
    &good[..cut.max(1).min(good.len().saturating_sub(1))]
}

/// One top-level field of a rendered object: its name, and where its `"name":value`
/// starts, where its value starts, and where it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
struct TopField {
    name: String,
    start: usize,
    value: usize,
    end: usize,
}

/// The top-level fields of a rendered JSON object (compact, as the renderer writes it).
fn top_level_fields(json: &[u8]) -> Vec<TopField> {
    let mut fields = Vec::new();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut start = 0;
    let mut value = 0;
    for (i, &b) in json.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth == 1 {
                    start = i + 1;
                }
            }
            b':' if depth == 1 && value <= start => value = i + 1,
            b',' if depth == 1 => {
                fields.push(field_at(json, start, value, i));
                start = i + 1;
            }
            b'}' | b']' => {
                if depth == 1 && value > start {
                    fields.push(field_at(json, start, value, i));
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
    }
    fields
}

fn field_at(json: &[u8], start: usize, value: usize, end: usize) -> TopField {
    let name = serde_json::from_slice::<String>(&json[start..value - 1]).unwrap_or_default();
    TopField {
        name,
        start,
        value,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fields are found at the top level only: not inside strings (with commas, braces,
    /// colons and escaped quotes), nested objects or lists.
    #[test]
    fn top_level_fields_skip_strings_and_nesting() {
        let json = br#"{"a":"x,}{:\"y","b":{"c":[1,{"d":2}],"e":"}"},"f\"g":3}"#;
        let fields = top_level_fields(json);
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "f\"g"]);
        let text = |f: &TopField| std::str::from_utf8(&json[f.value..f.end]).unwrap();
        assert_eq!(text(&fields[0]), r#""x,}{:\"y""#);
        assert_eq!(text(&fields[1]), r#"{"c":[1,{"d":2}],"e":"}"}"#);
        assert_eq!(text(&fields[2]), "3");
        assert_eq!(top_level_fields(b"{}"), []);
    }

    /// A truncated value is a strict prefix, cut at a character boundary, never empty
    /// and never valid JSON.
    #[test]
    fn truncation_cuts_at_a_character_boundary() {
        for good in [&b"{}"[..], br#"{"a":1}"#, "{\"é\":\"ééé\"}".as_bytes()] {
            let cut = truncated(good);
            assert!(!cut.is_empty() && cut.len() < good.len());
            assert!(std::str::from_utf8(cut).is_ok());
            assert!(serde_json::from_slice::<serde_json::Value>(cut).is_err());
        }
    }
}
