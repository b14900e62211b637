//! JSON Schema as the registry reads it: JSON text that is an object or a boolean, with
//! valid `type` names; its identity (compact JSON; normalised: keys sorted); and
//! compatibility for the common cases, with Confluent's names for them: a type changed
//! or narrowed (`integer` widens to `number`), enum values removed, a required property
//! added, a property added to an open content model (old data may hold it with any
//! value) or removed from a closed one, `additionalProperties` closed or narrowed;
//! properties and array items compared recursively. Other keywords (lengths, ranges,
//! patterns, combinators) are not compared.

use serde_json::{Map, Value as Json};

use super::problem::{Problem, Roles};

const TYPES: [&str; 7] = [
    "null", "boolean", "object", "array", "number", "string", "integer",
];

/// A parsed JSON Schema.
#[derive(Debug, Clone)]
pub(crate) struct JsonSchema {
    json: Json,
}

/// Parses `text` as a JSON Schema.
pub(crate) fn parse(text: &str) -> Result<JsonSchema, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    check(&json, "#")?;
    Ok(JsonSchema { json })
}

fn check(json: &Json, at: &str) -> Result<(), String> {
    let object = match json {
        Json::Bool(_) => return Ok(()),
        Json::Object(object) => object,
        other => {
            return Err(format!(
                "{other} at {at} is not a schema (an object or a boolean)"
            ));
        }
    };
    if let Some(t) = object.get("type") {
        let names: Vec<&Json> = match t {
            Json::Array(names) => names.iter().collect(),
            one => vec![one],
        };
        if let Some(bad) = names
            .iter()
            .find(|n| !n.as_str().is_some_and(|n| TYPES.contains(&n)))
        {
            return Err(format!(
                "{bad} at {at}/type is not a JSON Schema type ({})",
                TYPES.join(", ")
            ));
        }
    }
    if let Some(Json::Object(properties)) = object.get("properties") {
        for (name, schema) in properties {
            check(schema, &format!("{at}/properties/{name}"))?;
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(schema @ (Json::Object(_) | Json::Bool(_))) = object.get(key) {
            check(schema, &format!("{at}/{key}"))?;
        }
    }
    Ok(())
}

fn sorted(json: &Json) -> Json {
    match json {
        Json::Object(object) => {
            let mut keys: Vec<&String> = object.keys().collect();
            keys.sort();
            Json::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted(&object[k])))
                    .collect(),
            )
        }
        Json::Array(items) => Json::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

impl JsonSchema {
    /// The schema as compact JSON.
    pub(crate) fn compact(&self) -> String {
        self.json.to_string()
    }

    /// The schema as compact JSON with every object's keys sorted.
    pub(crate) fn normalized(&self) -> String {
        sorted(&self.json).to_string()
    }
}

/// Every reason `reader` does not accept all that `writer` accepts (none: compatible).
pub(crate) fn problems(reader: &JsonSchema, writer: &JsonSchema, _roles: Roles) -> Vec<Problem> {
    let mut out = Vec::new();
    compare(&reader.json, &writer.json, "#", &mut out);
    out
}

fn as_object(json: &Json) -> Option<&Map<String, Json>> {
    json.as_object()
}

/// The types a schema allows (`None`: any).
fn types(schema: &Map<String, Json>) -> Option<Vec<&str>> {
    match schema.get("type")? {
        Json::Array(names) => Some(names.iter().filter_map(Json::as_str).collect()),
        Json::String(name) => Some(vec![name.as_str()]),
        _ => None,
    }
}

/// Whether the content model is open (`additionalProperties` not `false`).
fn open(schema: &Map<String, Json>) -> bool {
    schema.get("additionalProperties") != Some(&Json::Bool(false))
}

fn push(out: &mut Vec<Problem>, kind: &'static str, at: &str, what: &str) {
    out.push(Problem::new(kind, format!("{what} at path '{at}'"), at));
}

fn compare(reader: &Json, writer: &Json, at: &str, out: &mut Vec<Problem>) {
    let empty = Map::new();
    let (r, w) = match (reader, writer) {
        (Json::Bool(true), _) | (_, Json::Bool(false)) => return,
        (Json::Bool(false), _) => {
            return push(
                out,
                "TYPE_NARROWED",
                at,
                "The reader schema accepts nothing",
            );
        }
        (r, w) => (
            as_object(r).unwrap_or(&empty),
            as_object(w).unwrap_or(&empty),
        ),
    };
    if let Some(rt) = types(r) {
        match types(w) {
            None => push(out, "TYPE_NARROWED", at, "The type was narrowed"),
            Some(wt) => {
                let reads =
                    |t: &&str| rt.contains(t) || (*t == "integer" && rt.contains(&"number"));
                if !wt.iter().all(reads) {
                    let kind = if wt.iter().any(reads) {
                        "TYPE_NARROWED"
                    } else {
                        "TYPE_CHANGED"
                    };
                    push(
                        out,
                        kind,
                        at,
                        &format!("The type changed from {wt:?} to {rt:?}"),
                    );
                }
            }
        }
    }
    if let Some(Json::Array(values)) = r.get("enum") {
        let lost = match w.get("enum") {
            Some(Json::Array(old)) => old.iter().any(|v| !values.contains(v)),
            _ => true,
        };
        if lost {
            push(
                out,
                "ENUM_ARRAY_NARROWED",
                &format!("{at}/enum"),
                "Enum values were removed",
            );
        }
    }
    properties(r, w, at, out);
    if let (Some(ri), Some(wi)) = (r.get("items"), w.get("items")) {
        compare(ri, wi, &format!("{at}/items"), out);
    }
}

fn properties(r: &Map<String, Json>, w: &Map<String, Json>, at: &str, out: &mut Vec<Problem>) {
    let empty = Map::new();
    let names = |s: &Map<String, Json>, key: &str| -> Vec<String> {
        s.get(key)
            .and_then(Json::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Json::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (r_required, w_required) = (names(r, "required"), names(w, "required"));
    for name in r_required.iter().filter(|n| !w_required.contains(n)) {
        push(
            out,
            "REQUIRED_ATTRIBUTE_ADDED",
            &format!("{at}/required"),
            &format!("The property '{name}' became required"),
        );
    }
    let rp = r
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let wp = w
        .get("properties")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    for (name, schema) in rp {
        let here = format!("{at}/properties/{name}");
        match wp.get(name) {
            Some(old) => compare(schema, old, &here, out),
            None if open(w)
                && !matches!(schema, Json::Bool(true))
                && schema.as_object().is_none_or(|o| !o.is_empty()) =>
            {
                push(
                    out,
                    "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL",
                    &here,
                    &format!("The property '{name}' was added to an open content model"),
                )
            }
            None => {}
        }
    }
    for name in wp.keys().filter(|n| !rp.contains_key(*n)) {
        if !open(r) {
            push(
                out,
                "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
                &format!("{at}/properties/{name}"),
                &format!("The property '{name}' was removed from a closed content model"),
            );
        }
    }
    match (r.get("additionalProperties"), w.get("additionalProperties")) {
        (Some(Json::Bool(false)), Some(Json::Bool(false))) => {}
        (Some(Json::Bool(false)), _) => push(
            out,
            "ADDITIONAL_PROPERTIES_REMOVED",
            &format!("{at}/additionalProperties"),
            "additionalProperties was closed",
        ),
        (Some(ra @ Json::Object(_)), Some(wa @ Json::Object(_))) => {
            compare(ra, wa, &format!("{at}/additionalProperties"), out);
        }
        (Some(Json::Object(_)), None | Some(Json::Bool(true))) => push(
            out,
            "ADDITIONAL_PROPERTIES_NARROWED",
            &format!("{at}/additionalProperties"),
            "additionalProperties was narrowed",
        ),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backward(new: &str, old: &str) -> Vec<&'static str> {
        problems(&parse(new).unwrap(), &parse(old).unwrap(), Roles::BACKWARD)
            .iter()
            .map(|p| p.error_type)
            .collect()
    }

    #[test]
    fn invalid_schemas_say_why() {
        assert!(parse("{").unwrap_err().contains("not JSON"));
        assert!(parse("3").unwrap_err().contains("not a schema"));
        assert!(
            parse(r#"{"type":"text"}"#)
                .unwrap_err()
                .contains("not a JSON Schema type")
        );
        assert!(
            parse(r#"{"properties":{"a":{"type":"int"}}}"#)
                .unwrap_err()
                .contains("#/properties/a/type")
        );
    }

    #[test]
    fn common_changes() {
        let old = r#"{"type":"object","properties":{"a":{"type":"integer"}}}"#;
        assert!(
            backward(
                r#"{"type":"object","properties":{"a":{"type":"number"}}}"#,
                old
            )
            .is_empty()
        );
        assert_eq!(
            backward(
                r#"{"type":"object","properties":{"a":{"type":"string"}}}"#,
                old
            ),
            ["TYPE_CHANGED"]
        );
        assert_eq!(
            backward(
                r#"{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}"#,
                old
            ),
            ["REQUIRED_ATTRIBUTE_ADDED"]
        );
        assert_eq!(
            backward(
                r#"{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}"#,
                old
            ),
            ["ADDITIONAL_PROPERTIES_REMOVED"]
        );
        assert_eq!(
            backward(
                r#"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}}}"#,
                old
            ),
            ["PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"]
        );
        let closed = r#"{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}"#;
        assert!(backward(r#"{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"additionalProperties":false}"#, closed).is_empty());
        assert_eq!(
            backward(
                r#"{"type":"object","properties":{},"additionalProperties":false}"#,
                closed
            ),
            ["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"]
        );
    }

    #[test]
    fn normalized_sorts_keys() {
        let a = parse(r#"{"type":"string","title":"T"}"#).unwrap();
        let b = parse(r#"{ "title": "T", "type": "string" }"#).unwrap();
        assert_ne!(a.compact(), b.compact());
        assert_eq!(a.normalized(), b.normalized());
    }
}
