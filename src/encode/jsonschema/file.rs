//! A user's JSON Schema file (`schema: {file: detection.json}` with `format:
//! json_schema`), read with the place of every value: JSON, each subschema an object or
//! a boolean, `type` naming JSON Schema's types, `properties` an object, `required` a
//! list of names, `enum` a list, and every `$ref` a pointer into the file that leads
//! somewhere (other files are not read).

use std::path::Path;

use crate::encode::avsc::Invalid;
use crate::encode::located::{At, Kind, Node, parse as parse_json};

/// A user's JSON Schema, read.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonSchemaFile {
    /// The schema, with positions.
    pub root: Node,
    /// The file's text: what is registered.
    pub text: String,
    /// The file as named in messages.
    pub file: String,
}

/// The type names of JSON Schema.
const TYPES: &[&str] = &[
    "null", "boolean", "object", "array", "number", "integer", "string",
];

/// Reads the JSON Schema file at `path`; the error is `path:line:column: message`.
pub fn load(path: &Path) -> Result<JsonSchemaFile, String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{file}: cannot read the JSON Schema: {e}"))?;
    parse(&text, &file).map_err(|e| format!("{file}:{}:{}: {}", e.at.0, e.at.1, e.message))
}

/// Reads the JSON Schema `text` (of the file called `file` in messages): JSON, each
/// subschema an object or a boolean, `type` names JSON Schema's types, `properties` an
/// object, `required` a list of names, `enum` a list, and every `$ref` a pointer into
/// the file that leads to a schema.
pub fn parse(text: &str, file: &str) -> Result<JsonSchemaFile, Invalid> {
    let root = parse_json(text).map_err(|(at, message)| Invalid {
        at,
        message: format!("not JSON: {message}"),
    })?;
    valid(&root, &root)?;
    Ok(JsonSchemaFile {
        root,
        text: text.to_string(),
        file: file.to_string(),
    })
}

fn invalid(at: At, message: impl Into<String>) -> Invalid {
    Invalid {
        at,
        message: message.into(),
    }
}

/// Whether `node` (a subschema of `root`) is a schema this module can read.
fn valid(node: &Node, root: &Node) -> Result<(), Invalid> {
    let members = match &node.kind {
        Kind::Bool(_) => return Ok(()),
        Kind::Object(members) => members,
        Kind::Null | Kind::Number(_) | Kind::String(_) | Kind::Array(_) => {
            return Err(invalid(node.at, "a schema is an object (or true or false)"));
        }
    };
    for member in members {
        let value = &member.value;
        match member.key.as_str() {
            "type" => {
                let names: Vec<&Node> = match &value.kind {
                    Kind::Array(items) => items.iter().collect(),
                    _ => vec![value],
                };
                for name in names {
                    if !name.as_str().is_some_and(|n| TYPES.contains(&n)) {
                        return Err(invalid(
                            name.at,
                            format!(
                                "\"type\" is one of {} (or a list of them)",
                                TYPES.join(", ")
                            ),
                        ));
                    }
                }
            }
            "properties" | "definitions" | "$defs" | "patternProperties" => match &value.kind {
                Kind::Object(inner) => {
                    for m in inner {
                        valid(&m.value, root)?;
                    }
                }
                _ => {
                    return Err(invalid(
                        value.at,
                        format!("\"{}\" is an object of schemas", member.key),
                    ));
                }
            },
            "required" => match &value.kind {
                Kind::Array(items) if items.iter().all(|i| i.as_str().is_some()) => {}
                _ => {
                    return Err(invalid(
                        value.at,
                        "\"required\" is a list of property names",
                    ));
                }
            },
            "enum" if !matches!(value.kind, Kind::Array(_)) => {
                return Err(invalid(value.at, "\"enum\" is a list of values"));
            }
            "allOf" | "anyOf" | "oneOf" => match &value.kind {
                Kind::Array(items) if !items.is_empty() => {
                    for item in items {
                        valid(item, root)?;
                    }
                }
                _ => {
                    return Err(invalid(
                        value.at,
                        format!("\"{}\" is a non-empty list of schemas", member.key),
                    ));
                }
            },
            "items" => match &value.kind {
                Kind::Array(items) => {
                    for item in items {
                        valid(item, root)?;
                    }
                }
                _ => valid(value, root)?,
            },
            "additionalProperties" | "additionalItems" | "not" | "contains" | "propertyNames" => {
                valid(value, root)?
            }
            "$ref" => {
                let target = value
                    .as_str()
                    .ok_or_else(|| invalid(value.at, "\"$ref\" is text"))?;
                if pointer(root, target).is_none() {
                    return Err(invalid(
                        value.at,
                        format!(
                            "\"$ref\": \"{target}\" leads nowhere in this file: write a pointer such as \"#/definitions/Box\" to a schema in it (other files are not read)"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The node a `$ref` of `#/a/b` leads to.
pub(super) fn pointer<'n>(root: &'n Node, target: &str) -> Option<&'n Node> {
    let path = target.strip_prefix('#')?;
    let mut node = root;
    for part in path.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        node = match &node.kind {
            Kind::Object(_) => node.get(&part)?,
            Kind::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            Kind::Null | Kind::Bool(_) | Kind::Number(_) | Kind::String(_) => return None,
        };
    }
    Some(node)
}
