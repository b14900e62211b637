//! A user's JSON Schema ([`super::file`]) checked against a stream's payload
//! structurally, its references within the file followed, keyword by keyword: `type`,
//! `properties`, `required`, `additionalProperties`, `enum`, `const`, `minimum`,
//! `maximum` and their exclusive forms, `minLength`/`maxLength` (of the fixed-length
//! texts: event ids), `items` (one schema or one per position, with `additionalItems`),
//! `minItems`/`maxItems`, `format` (`date-time` for timestamps, `uuid` for event ids),
//! `allOf`, `anyOf`, `oneOf` (a range fits when one branch takes all of it; listed
//! values and null value by value) and `$ref` to `#…` within the file. `pattern` and other keywords are not
//! checked (they need the values themselves); `additionalProperties` absent allows
//! fields the schema does not name, as JSON Schema says.

use serde_json::Value as Json;

use super::file::{JsonSchemaFile, pointer};
use crate::encode::located::{At, Kind, Node};
use crate::encode::misfit::Misfit;
use crate::scenario::model::{CameraId, FloatParams, IntParams, TimeFormatName};
use crate::scenario::payload::{Gen, TimeFormat, Value};

/// The misfits between `schema` and a payload's `fields` (for a stream whose cameras
/// are `cameras`); none when every value the payload can write is valid by it.
pub fn check(
    schema: &JsonSchemaFile,
    fields: &[(String, Value)],
    cameras: &[CameraId],
) -> Vec<Misfit> {
    let mut checker = Checker {
        file: schema,
        cameras,
        out: Vec::new(),
    };
    checker.object(&schema.root, fields, "", "", schema.root.at);
    checker.out
}

struct Checker<'a> {
    file: &'a JsonSchemaFile,
    cameras: &'a [CameraId],
    out: Vec<Misfit>,
}

impl<'a> Checker<'a> {
    /// `node` with `$ref`s followed.
    fn resolve(&self, mut node: &'a Node) -> &'a Node {
        for _ in 0..64 {
            match node
                .get("$ref")
                .and_then(Node::as_str)
                .and_then(|t| pointer(&self.file.root, t))
            {
                Some(target) => node = target,
                None => return node,
            }
        }
        node
    }

    fn push(&mut self, payload: Option<&str>, schema: &str, at: At, message: String, help: String) {
        self.out.push(Misfit {
            payload: payload.map(str::to_string),
            schema: if schema.is_empty() {
                "the schema".into()
            } else {
                schema.to_string()
            },
            at: Some(at),
            message,
            help,
        });
    }

    /// The payload object `fields` (at `prefix`) against `node` (at the JSON pointer `pointer`).
    fn object(
        &mut self,
        node: &'a Node,
        fields: &[(String, Value)],
        prefix: &str,
        pointer: &str,
        at: At,
    ) {
        let node = self.resolve(node);
        let path = prefix.trim_end_matches('.');
        let whole = (!path.is_empty()).then_some(path);
        if let Some(why) = self.combined(node, |c, branch| {
            let mut inner = Checker {
                file: c.file,
                cameras: c.cameras,
                out: Vec::new(),
            };
            inner.object(branch, fields, prefix, pointer, at);
            inner.out.first().map(|m| m.message.clone())
        }) {
            let help = format!(
                "change {} in {} so that a branch takes the object",
                name(pointer),
                self.file.file
            );
            self.push(whole, pointer, at, why, help);
            return;
        }
        match &node.kind {
            Kind::Bool(false) => {
                let help = format!("allow it in {}", self.file.file);
                return self.push(
                    whole,
                    pointer,
                    at,
                    format!("{} allows no value", name(pointer)),
                    help,
                );
            }
            Kind::Object(_) => {}
            Kind::Bool(true) | Kind::Null | Kind::Number(_) | Kind::String(_) | Kind::Array(_) => {
                return;
            }
        }
        if !allows(node, "object") {
            let help = format!(
                "write \"type\": \"object\" at {} in {}",
                name(pointer),
                self.file.file
            );
            return self.push(
                whole,
                pointer,
                at,
                format!(
                    "`{}` is an object, which {} does not allow",
                    or_payload(path),
                    name(pointer)
                ),
                help,
            );
        }
        self.members(node, fields, prefix, pointer);
    }

    /// The fields of a payload object against the `properties`, `additionalProperties`
    /// and `required` of `node` (an object schema at `pointer`).
    fn members(&mut self, node: &'a Node, fields: &[(String, Value)], prefix: &str, pointer: &str) {
        let properties = node.get("properties");
        let extra = node.get("additionalProperties");
        for (field, value) in fields {
            let path = format!("{prefix}{field}");
            let property = properties.and_then(|p| match &p.kind {
                Kind::Object(members) => members.iter().find(|m| m.key == *field),
                _ => None,
            });
            match (property, extra) {
                (Some(member), _) => {
                    let pointer = format!("{pointer}/properties/{}", escape(field));
                    self.value(&member.value, value, &path, &pointer, member.at);
                }
                (None, Some(extra)) if matches!(extra.kind, Kind::Bool(false)) => {
                    let help = format!(
                        "add \"{field}\" to the \"properties\" of {} in {}, or remove `{path}` from the payload",
                        name(pointer),
                        self.file.file
                    );
                    self.push(Some(&path), pointer, extra.at, format!("the payload writes `{path}`, which {} does not list, and \"additionalProperties\" is false", name(pointer)), help);
                }
                (None, Some(extra)) => {
                    let pointer = format!("{pointer}/additionalProperties");
                    self.value(extra, value, &path, &pointer, extra.at);
                }
                (None, None) => {}
            }
        }
        if let Some(Kind::Array(required)) = node.get("required").map(|r| &r.kind) {
            for entry in required {
                let Some(wanted) = entry.as_str() else {
                    continue;
                };
                if !fields.iter().any(|(f, _)| f == wanted) {
                    let help = format!(
                        "add `{prefix}{wanted}` to the payload, or remove \"{wanted}\" from \"required\" in {}",
                        self.file.file
                    );
                    self.push(
                        None,
                        pointer,
                        entry.at,
                        format!(
                            "{} requires \"{wanted}\", which the payload does not write",
                            name(pointer)
                        ),
                        help,
                    );
                }
            }
        }
    }

    /// When `node` has `allOf`, `anyOf` or `oneOf`: why the value fits none (or not
    /// all), by `fits` (the first misfit of a branch, `None` when it fits).
    fn combined(
        &mut self,
        node: &'a Node,
        fits: impl Fn(&mut Self, &'a Node) -> Option<String>,
    ) -> Option<String> {
        let branches = |key| match node.get(key).map(|n| &n.kind) {
            Some(Kind::Array(items)) => Some(items),
            _ => None,
        };
        if let Some(all) = branches("allOf") {
            if let Some(why) = all.iter().find_map(|b| fits(self, b)) {
                return Some(why);
            }
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(any) = branches(key) {
                let whys: Vec<Option<String>> = any.iter().map(|b| fits(self, b)).collect();
                if whys.iter().all(Option::is_some) {
                    return whys
                        .into_iter()
                        .flatten()
                        .next()
                        .map(|w| format!("no branch of \"{key}\" takes it: {w}"));
                }
            }
        }
        None
    }

    fn value(&mut self, node: &'a Node, value: &Value, path: &str, pointer: &str, at: At) {
        match value {
            Value::Object(fields) => self.object(node, fields, &format!("{path}."), pointer, at),
            Value::Array(items) => self.array(node, items, path, pointer, at),
            Value::Constant(_) | Value::Generated { .. } => {
                if let Some(why) = self.leaf(node, value) {
                    let help = format!(
                        "change {} in {} to allow it, or change `{path}` in the scenario's payload",
                        name(pointer),
                        self.file.file
                    );
                    self.push(Some(path), pointer, at, format!("`{path}` is {why}"), help);
                }
            }
        }
    }

    fn array(&mut self, node: &'a Node, items: &[Value], path: &str, pointer: &str, at: At) {
        let node = self.resolve(node);
        let mut why = None;
        if !allows(node, "array") {
            why = Some(format!("a list, which {} does not allow", name(pointer)));
        } else if !within(node, "minItems", "maxItems", items.len() as f64) {
            why = Some(format!(
                "a list of {} items, which \"minItems\"/\"maxItems\" do not allow",
                items.len()
            ));
        }
        if let Some(why) = why {
            let help = format!(
                "change {} in {}, or the list `{path}` in the payload",
                name(pointer),
                self.file.file
            );
            return self.push(Some(path), pointer, at, format!("`{path}` is {why}"), help);
        }
        for (i, item) in items.iter().enumerate() {
            let item_path = format!("{path}[{i}]");
            match node.get("items").map(|n| (n, &n.kind)) {
                Some((_, Kind::Array(positions))) => match positions.get(i) {
                    Some(p) => {
                        self.value(p, item, &item_path, &format!("{pointer}/items/{i}"), p.at)
                    }
                    None => {
                        if let Some(extra) = node.get("additionalItems") {
                            self.value(
                                extra,
                                item,
                                &item_path,
                                &format!("{pointer}/additionalItems"),
                                extra.at,
                            );
                        }
                    }
                },
                Some((schema, _)) => self.value(
                    schema,
                    item,
                    &item_path,
                    &format!("{pointer}/items"),
                    schema.at,
                ),
                None => {}
            }
        }
    }

    /// Why a generated value or a constant is not valid by `node`; `None` when every
    /// value it can take is.
    fn leaf(&mut self, node: &'a Node, value: &Value) -> Option<String> {
        match value {
            Value::Constant(json) => {
                concrete(self, node, json).map(|why| format!("the constant {json}, {why}"))
            }
            Value::Generated {
                generator,
                null_rate,
                ..
            } => {
                if null_rate.is_some() && concrete(self, node, &Json::Null).is_some() {
                    return Some("null at times (null_rate), which the schema does not allow: add \"null\" to its \"type\"".into());
                }
                self.drawn(node, generator)
            }
            Value::Object(_) | Value::Array(_) => None,
        }
    }

    /// Why a value `generator` draws (never null) may be invalid by `node`: a generator
    /// of listed values value by value (each may fit another branch), a range as a
    /// whole.
    fn drawn(&mut self, node: &'a Node, generator: &Gen) -> Option<String> {
        let node = self.resolve(node);
        match generator {
            Gen::Choice { .. } | Gen::Camera(_) | Gen::CameraId => {}
            Gen::Entity { generator, .. } => return self.drawn(node, generator),
            Gen::EntityId
            | Gen::TrackId
            | Gen::EventId
            | Gen::Timestamp(_)
            | Gen::Float(_)
            | Gen::Int(_)
            | Gen::Normal(_)
            | Gen::Sequence { .. }
            | Gen::Bbox(_) => {
                if let Some(why) = self.combined(node, |c, branch| c.drawn(branch, generator)) {
                    return Some(why);
                }
            }
        }
        generated(self, node, generator)
    }
}

/// Why a value a generator draws may be invalid by `node` (resolved, no combinators).
fn generated<'a>(c: &mut Checker<'a>, node: &'a Node, generator: &Gen) -> Option<String> {
    let values = |values: &[Json], c: &mut Checker<'a>| {
        values
            .iter()
            .find_map(|v| concrete(c, node, v).map(|why| format!("sometimes {v}, {why}")))
    };
    let typed = |kind: &str, what: &str| {
        (!allows(node, kind)).then(|| format!("{what}, which \"type\" does not allow"))
    };
    match generator {
        Gen::Choice { values: v, .. } | Gen::Camera(v) => values(v, c),
        Gen::CameraId => {
            let ids: Vec<Json> = c.cameras.iter().map(|id| match id {
                CameraId::Int(n) => Json::from(*n),
                CameraId::Text(s) => Json::from(s.as_str()),
            }).collect();
            values(&ids, c)
        }
        &Gen::Int(IntParams { min, max }) => typed("integer", &format!("an integer from {min} to {max}"))
            .or_else(|| (!within(node, "minimum", "maximum", min as f64) || !within(node, "minimum", "maximum", max as f64)).then(|| format!("an integer from {min} to {max}, beyond \"minimum\"/\"maximum\"")))
            .or_else(|| fixed_values(node).then(|| format!("an integer from {min} to {max}, not one of \"enum\"/\"const\""))),
        &Gen::Float(FloatParams { min, max, .. }) => typed("number", &format!("a number from {min} to {max}"))
            .or_else(|| (!within(node, "minimum", "maximum", min) || !within(node, "minimum", "maximum", max)).then(|| format!("a number from {min} to {max}, beyond \"minimum\"/\"maximum\"")))
            .or_else(|| fixed_values(node).then(|| "a number drawn from a range, not one of \"enum\"/\"const\"".to_string())),
        Gen::Normal(_) => typed("number", "a number").or_else(|| {
            (bounded(node) || fixed_values(node)).then(|| "a normal draw, unbounded, which \"minimum\"/\"maximum\"/\"enum\" would refuse at times".to_string())
        }),
        &Gen::Sequence { start } => typed("integer", "a sequence number").or_else(|| {
            (node.get("maximum").is_some() || node.get("exclusiveMaximum").is_some() || !within(node, "minimum", "maximum", start as f64) || fixed_values(node))
                .then(|| format!("a sequence number from {start} upwards, which the schema's bounds or \"enum\" refuse"))
        }),
        Gen::EntityId => typed("string", "an entity id (text)")
            .or_else(|| fixed_values(node).then(|| "an entity id, not one of \"enum\"/\"const\"".to_string())),
        Gen::TrackId => typed("integer", "a track id (an integer)")
            .or_else(|| (!within(node, "minimum", "maximum", 0.0) || !within(node, "minimum", "maximum", 281_474_976_710_655.0) || fixed_values(node)).then(|| "a track id (an integer from 0 to 2^48 - 1), refused by the schema's bounds or \"enum\"".to_string())),
        Gen::Entity { generator, .. } => generated(c, node, generator),
        Gen::EventId => typed("string", "an event id (text)")
            .or_else(|| format(node, &["uuid"]))
            .or_else(|| (!within(node, "minLength", "maxLength", 36.0) || fixed_values(node)).then(|| "an event id (36 characters), refused by the schema's length or \"enum\"".to_string())),
        Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs | TimeFormatName::EpochS)) => {
            typed("integer", "a timestamp as an integer (epoch)").or_else(|| fixed_values(node).then(|| "a timestamp, not one of \"enum\"/\"const\"".to_string()))
        }
        Gen::Timestamp(TimeFormat::Named(TimeFormatName::Rfc3339 | TimeFormatName::Rfc3339Ms)) => {
            typed("string", "a timestamp as text (RFC 3339)").or_else(|| format(node, &["date-time"])).or_else(|| fixed_values(node).then(|| "a timestamp, not one of \"enum\"/\"const\"".to_string()))
        }
        Gen::Timestamp(TimeFormat::Pattern(p)) => typed("string", &format!("a timestamp as text (`{p}`)"))
            .or_else(|| format(node, &[]).map(|why| format!("{why}; the payload's format `{p}` is not RFC 3339: use `format: rfc3339`")))
            .or_else(|| fixed_values(node).then(|| "a timestamp, not one of \"enum\"/\"const\"".to_string())),
        Gen::Bbox(frames) => {
            let width = i64::from(frames.iter().map(|f| f.width).max().unwrap_or(1));
            let height = i64::from(frames.iter().map(|f| f.height).max().unwrap_or(1));
            let side = |name: &str, min, max| (name.to_string(), Value::Generated {
                path: String::new(),
                generator: Gen::Int(IntParams { min, max }),
                null_rate: None,
            });
            let fields = [side("x", 0, width - 1), side("y", 0, height - 1), side("w", 1, width), side("h", 1, height)];
            let mut inner = Checker { file: c.file, cameras: c.cameras, out: Vec::new() };
            inner.object(node, &fields, "", "", node.at);
            inner.out.first().map(|m| format!("a bounding box {{x, y, w, h}} inside a {width}×{height} frame: {}", m.message))
        }
    }
}

/// Why the concrete value `json` is invalid by `node`.
fn concrete<'a>(c: &mut Checker<'a>, node: &'a Node, json: &Json) -> Option<String> {
    let node = c.resolve(node);
    if let Some(why) = c.combined(node, |c, branch| concrete(c, branch, json)) {
        return Some(why);
    }
    match &node.kind {
        Kind::Bool(true) => return None,
        Kind::Bool(false) => return Some("which the schema (false) refuses".into()),
        _ => {}
    }
    let kind = match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    };
    if !allows(node, kind) {
        return Some(format!("of type {kind}, which \"type\" does not allow"));
    }
    if let Some(Kind::Array(values)) = node.get("enum").map(|e| &e.kind) {
        if !values.iter().any(|v| v.json() == *json) {
            return Some("not one of \"enum\"".into());
        }
    }
    if node.get("const").is_some_and(|v| v.json() != *json) {
        return Some("not the \"const\"".into());
    }
    if let Some(x) = json.as_f64() {
        if !within(node, "minimum", "maximum", x) {
            return Some("beyond \"minimum\"/\"maximum\"".into());
        }
    }
    if let Some(s) = json.as_str() {
        if !within(node, "minLength", "maxLength", s.chars().count() as f64) {
            return Some("of a length \"minLength\"/\"maxLength\" refuse".into());
        }
    }
    match json {
        Json::Object(fields) => {
            let fields: Vec<(String, Value)> = fields
                .iter()
                .map(|(k, v)| (k.clone(), Value::Constant(v.clone())))
                .collect();
            let mut inner = Checker {
                file: c.file,
                cameras: c.cameras,
                out: Vec::new(),
            };
            inner.object(node, &fields, "", "", node.at);
            inner.out.first().map(|m| m.message.clone())
        }
        Json::Array(items) => {
            let items: Vec<Value> = items.iter().cloned().map(Value::Constant).collect();
            let mut inner = Checker {
                file: c.file,
                cameras: c.cameras,
                out: Vec::new(),
            };
            inner.array(node, &items, "", "", node.at);
            inner.out.first().map(|m| m.message.clone())
        }
        Json::Null | Json::Bool(_) | Json::Number(_) | Json::String(_) => None,
    }
}

/// Whether `node`'s `type` (absent: any) allows `kind` (`integer` within `number`).
fn allows(node: &Node, kind: &str) -> bool {
    let Some(types) = node.get("type") else {
        return !matches!(node.kind, Kind::Bool(false));
    };
    let names: Vec<&str> = match &types.kind {
        Kind::Array(items) => items.iter().filter_map(Node::as_str).collect(),
        _ => types.as_str().into_iter().collect(),
    };
    names.contains(&kind) || (kind == "integer" && names.contains(&"number"))
}

/// Whether `x` is within `node`'s bounds `low`/`high` (and the exclusive forms of
/// `minimum`/`maximum`).
fn within(node: &Node, low: &str, high: &str, x: f64) -> bool {
    let bound = |key: &str| node.get(key).and_then(|n| n.json().as_f64());
    let exclusive = low == "minimum";
    bound(low).is_none_or(|b| x >= b)
        && bound(high).is_none_or(|b| x <= b)
        && (!exclusive || bound("exclusiveMinimum").is_none_or(|b| x > b))
        && (!exclusive || bound("exclusiveMaximum").is_none_or(|b| x < b))
}

/// Whether `node` has numeric bounds.
fn bounded(node: &Node) -> bool {
    ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]
        .iter()
        .any(|k| node.get(k).is_some())
}

/// Whether `node` lists the values it allows (`enum`, `const`), which a drawn range or
/// an id cannot be held to.
fn fixed_values(node: &Node) -> bool {
    node.get("enum").is_some() || node.get("const").is_some()
}

/// Why a text value's `format` in `node` is not one of `fits`.
fn format(node: &Node, fits: &[&str]) -> Option<String> {
    let format = node.get("format").and_then(Node::as_str)?;
    (!fits.contains(&format)).then(|| format!("text that is not of \"format\": \"{format}\""))
}

/// A JSON pointer's component: `~` and `/` escaped.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A schema location for messages: its JSON pointer (`the schema` at the root).
fn name(pointer: &str) -> String {
    if pointer.is_empty() {
        "the schema".into()
    } else {
        format!("`{pointer}`")
    }
}

fn or_payload(path: &str) -> &str {
    if path.is_empty() { "the payload" } else { path }
}
