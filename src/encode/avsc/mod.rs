//! A user's Avro schema file (`schema: {file: detection.avsc}`): its JSON read into an
//! [`Avsc`] — the [`Schema`] the encoder walks, the table of its named types (what
//! [`Schema::Ref`] points at, so a record may refer to itself), where each field and
//! named type is in the file — and every way it can be invalid, located at
//! `line:column`. The text registered is the file's own. [`check`] says where the
//! schema and a stream's payload disagree.
//!
//! Read as the Avro specification says: primitives by name or as `{"type": …}`;
//! `record` (and `error`), `enum`, `array`, `map`, `fixed`; unions of any members (no
//! union directly in a union, no two members of one unnamed type or one name); named
//! types with full names (`name` with dots, or `namespace`, else the enclosing
//! namespace), referred to again by full name or by a name in the enclosing namespace
//! (or the null one), after their definition; field defaults checked against the field's
//! type (for a union, against any member, as Avro 1.11.3 does); logical types kept
//! (`uuid`, `date`, `time-*`, `timestamp-*`, `local-timestamp-*`, `duration`,
//! `decimal` with its precision and scale) and, as the specification says, ignored when
//! not valid for their type; `doc`, `aliases`, `order` and other attributes ignored.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use super::avro::{Field, Schema, holds};
use super::located::{At, Kind, Node, parse as parse_json};
use crate::scenario::validate::{AVRO_PRIMITIVES, is_avro_name};

mod check;

pub use check::check;

/// A user's Avro schema, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Avsc {
    /// The schema (the top-level type).
    pub schema: Schema,
    /// Every named type, by the index [`Schema::Ref`] holds (pass to
    /// [`super::avro::encode_with`]).
    pub named: Vec<Schema>,
    /// The file's text: what is registered.
    pub text: String,
    /// The file as named in messages.
    pub file: String,
    /// Where each field's name is: by (record full name, field name).
    fields_at: BTreeMap<(String, String), At>,
    /// Where each named type's name is: by full name.
    types_at: BTreeMap<String, At>,
}

/// Why a schema file is not a valid Avro schema, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The line and column (1-based) of the value at fault.
    pub at: At,
    /// What is wrong, and what to write instead.
    pub message: String,
}

impl Avsc {
    /// Appends `value` encoded by the schema (see [`super::avro::encode_with`]).
    pub fn encode(&self, out: &mut Vec<u8>, value: &Json) -> Result<(), super::avro::Mismatch> {
        super::avro::encode_with(out, &self.schema, &self.named, value, "value")
    }

    /// Where field `field` of record `record` (a full name) is in the file.
    pub fn field_at(&self, record: &str, field: &str) -> Option<At> {
        self.fields_at
            .get(&(record.to_string(), field.to_string()))
            .copied()
    }

    /// Where the named type `name` (a full name) is in the file.
    pub fn type_at(&self, name: &str) -> Option<At> {
        self.types_at.get(name).copied()
    }

    /// `schema` with references followed to the named type they name.
    pub fn resolve<'s>(&'s self, mut schema: &'s Schema) -> &'s Schema {
        // A table built by `parse` holds no reference to a reference: one step suffices,
        // the loop is for safety.
        for _ in 0..=self.named.len() {
            match schema {
                Schema::Ref { index, .. } => match self.named.get(*index) {
                    Some(target) => schema = target,
                    None => return schema,
                },
                _ => return schema,
            }
        }
        schema
    }
}

/// Reads the Avro schema file at `path`; the error is `path:line:column: message`.
pub fn load(path: &Path) -> Result<Avsc, String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{file}: cannot read the Avro schema: {e}"))?;
    parse(&text, &file).map_err(|e| format!("{file}:{}:{}: {}", e.at.0, e.at.1, e.message))
}

/// Reads the Avro schema `text` (of the file called `file` in messages).
pub fn parse(text: &str, file: &str) -> Result<Avsc, Invalid> {
    let node = parse_json(text).map_err(|(at, message)| Invalid {
        at,
        message: format!("not JSON: {message}"),
    })?;
    let mut parser = Parser::default();
    let schema = parser.schema(&node, "")?;
    let named = parser
        .named
        .into_iter()
        .map(|n| n.unwrap_or(Schema::Null))
        .collect();
    Ok(Avsc {
        schema,
        named,
        text: text.to_string(),
        file: file.to_string(),
        fields_at: parser.fields_at,
        types_at: parser.types_at,
    })
}

#[derive(Default)]
struct Parser {
    /// The named types by index; `None` while a record's fields are being read.
    named: Vec<Option<Schema>>,
    /// Full name → index.
    names: BTreeMap<String, usize>,
    fields_at: BTreeMap<(String, String), At>,
    types_at: BTreeMap<String, At>,
}

fn invalid(at: At, message: impl Into<String>) -> Invalid {
    Invalid {
        at,
        message: message.into(),
    }
}

/// The logical types kept, by name.
const LOGICAL: &[&str] = &[
    "uuid",
    "date",
    "time-millis",
    "time-micros",
    "timestamp-millis",
    "timestamp-micros",
    "timestamp-nanos",
    "local-timestamp-millis",
    "local-timestamp-micros",
    "local-timestamp-nanos",
    "duration",
];

impl Parser {
    /// The schema at `node`, in the namespace `namespace` (empty: the null namespace).
    fn schema(&mut self, node: &Node, namespace: &str) -> Result<Schema, Invalid> {
        match &node.kind {
            Kind::String(name) => self.by_name(name, namespace, node.at),
            Kind::Array(members) => self.union(members, namespace, node.at),
            Kind::Object(_) => self.object(node, namespace),
            Kind::Null | Kind::Bool(_) | Kind::Number(_) => Err(invalid(
                node.at,
                "expected an Avro schema: a type name such as \"string\", an object with \"type\", or a union as a list",
            )),
        }
    }

    /// A primitive, or a named type defined before, by name.
    fn by_name(&mut self, name: &str, namespace: &str, at: At) -> Result<Schema, Invalid> {
        if let Some(primitive) = primitive(name) {
            return Ok(primitive);
        }
        let candidates = match (name.contains('.'), namespace.is_empty()) {
            (true, _) | (false, true) => vec![name.to_string()],
            (false, false) => vec![format!("{namespace}.{name}"), name.to_string()],
        };
        for full in &candidates {
            if let Some(&index) = self.names.get(full) {
                return Ok(Schema::Ref {
                    name: full.clone(),
                    index,
                });
            }
        }
        let known: Vec<&str> = self.names.keys().map(String::as_str).collect();
        let help = match known.is_empty() {
            true => {
                "a named type must be defined (a record, enum or fixed) before it is used by name"
                    .to_string()
            }
            false => format!(
                "the named types defined before this point are {}; a named type must be defined before it is used by name",
                known
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Err(invalid(at, format!("unknown type `{name}`: {help}")))
    }

    fn union(&mut self, nodes: &[Node], namespace: &str, at: At) -> Result<Schema, Invalid> {
        if nodes.is_empty() {
            return Err(invalid(at, "a union must list at least one type"));
        }
        let mut members = Vec::with_capacity(nodes.len());
        let mut kinds: Vec<String> = Vec::new();
        for node in nodes {
            let member = self.schema(node, namespace)?;
            if matches!(member, Schema::Union(_)) {
                return Err(invalid(
                    node.at,
                    "a union may not hold another union directly: list its types in the outer one",
                ));
            }
            let kind = union_kind(&member);
            if kinds.contains(&kind) {
                return Err(invalid(
                    node.at,
                    format!(
                        "this union already has a member of type `{kind}`: Avro tells a union's members apart by type (or name), so each may appear once"
                    ),
                ));
            }
            kinds.push(kind);
            members.push(member);
        }
        Ok(Schema::Union(members))
    }

    fn object(&mut self, node: &Node, namespace: &str) -> Result<Schema, Invalid> {
        let Some(kind) = node.get("type") else {
            return Err(invalid(node.at, "a schema object needs \"type\""));
        };
        let Some(name) = kind.as_str() else {
            // `{"type": {…}}` or `{"type": […]}`: the inner schema.
            return self.schema(kind, namespace);
        };
        let schema = match name {
            "record" | "error" => return self.record(node, namespace),
            "enum" => return self.enumeration(node, namespace),
            "fixed" => self.fixed(node, namespace)?,
            "array" => {
                let items = node.get("items").ok_or_else(|| {
                    invalid(node.at, "an array needs \"items\": the schema of its items")
                })?;
                Schema::Array(Box::new(self.schema(items, namespace)?))
            }
            "map" => {
                let values = node.get("values").ok_or_else(|| {
                    invalid(node.at, "a map needs \"values\": the schema of its values")
                })?;
                Schema::Map(Box::new(self.schema(values, namespace)?))
            }
            _ => self.by_name(name, namespace, kind.at)?,
        };
        Ok(logical(schema, node))
    }

    /// The full name of the named type at `node`, registered (the type itself once read).
    fn define(
        &mut self,
        node: &Node,
        namespace: &str,
        what: &str,
    ) -> Result<(String, usize), Invalid> {
        let Some(name_node) = node.get("name") else {
            return Err(invalid(node.at, format!("{what} needs \"name\"")));
        };
        let Some(name) = name_node.as_str() else {
            return Err(invalid(name_node.at, "a name is text"));
        };
        let space = match node.get("namespace") {
            Some(n) => match &n.kind {
                Kind::String(s) => s.clone(),
                Kind::Null => String::new(),
                Kind::Bool(_) | Kind::Number(_) | Kind::Array(_) | Kind::Object(_) => {
                    return Err(invalid(
                        n.at,
                        "a namespace is text: names separated by dots",
                    ));
                }
            },
            None => namespace.to_string(),
        };
        let full = match (name.contains('.'), space.is_empty()) {
            (true, _) | (false, true) => name.to_string(),
            (false, false) => format!("{space}.{name}"),
        };
        let parts: Vec<&str> = full.split('.').collect();
        if !parts.iter().all(|p| is_avro_name(p)) {
            return Err(invalid(
                name_node.at,
                format!(
                    "`{full}` is not a valid Avro full name: names of a letter or `_`, then letters, digits or `_`, separated by dots"
                ),
            ));
        }
        if AVRO_PRIMITIVES.contains(parts.last().unwrap_or(&"")) {
            return Err(invalid(
                name_node.at,
                format!("a named type may not be called `{name}`, the name of a primitive type"),
            ));
        }
        if self.names.contains_key(&full) {
            return Err(invalid(
                name_node.at,
                format!(
                    "`{full}` is defined twice: a named type is defined once and then used by name"
                ),
            ));
        }
        let index = self.named.len();
        self.named.push(None);
        self.names.insert(full.clone(), index);
        self.types_at.insert(full.clone(), name_node.at);
        Ok((full, index))
    }

    fn record(&mut self, node: &Node, namespace: &str) -> Result<Schema, Invalid> {
        let (full, index) = self.define(node, namespace, "a record")?;
        let inner = full
            .rsplit_once('.')
            .map_or("", |(space, _)| space)
            .to_string();
        let fields_node = node.get("fields").ok_or_else(|| {
            invalid(
                node.at,
                "a record needs \"fields\": a list of {\"name\": …, \"type\": …}",
            )
        })?;
        let Kind::Array(items) = &fields_node.kind else {
            return Err(invalid(
                fields_node.at,
                "\"fields\" is a list of {\"name\": …, \"type\": …}",
            ));
        };
        let mut fields: Vec<Field> = Vec::with_capacity(items.len());
        for item in items {
            let field = self.field(item, &inner)?;
            let at = item.get("name").map_or(item.at, |n| n.at);
            if fields.iter().any(|f| f.name == field.name) {
                return Err(invalid(
                    at,
                    format!("record `{full}` has two fields called `{}`", field.name),
                ));
            }
            self.fields_at
                .insert((full.clone(), field.name.clone()), at);
            fields.push(field);
        }
        let record = Schema::Record { name: full, fields };
        self.named[index] = Some(record.clone());
        Ok(record)
    }

    fn field(&mut self, node: &Node, namespace: &str) -> Result<Field, Invalid> {
        if !matches!(node.kind, Kind::Object(_)) {
            return Err(invalid(
                node.at,
                "a field is an object: {\"name\": …, \"type\": …}",
            ));
        }
        let name_node = node
            .get("name")
            .ok_or_else(|| invalid(node.at, "a field needs \"name\""))?;
        let name = name_node
            .as_str()
            .filter(|n| is_avro_name(n))
            .ok_or_else(|| {
                invalid(
                    name_node.at,
                    "a field's name is a letter or `_`, then letters, digits or `_`",
                )
            })?;
        let type_node = node
            .get("type")
            .ok_or_else(|| invalid(node.at, format!("field `{name}` needs \"type\"")))?;
        let schema = self.schema(type_node, namespace)?;
        let default = match node.get("default") {
            None => None,
            Some(d) => {
                let value = d.json();
                if !self.default_fits(&schema, &value) {
                    return Err(invalid(
                        d.at,
                        format!(
                            "the default of field `{name}`, {value}, is not a value of its type {} (bytes and fixed defaults are strings; a union's default is a value of one of its members)",
                            schema.to_json(None)
                        ),
                    ));
                }
                Some(value)
            }
        };
        Ok(Field {
            name: name.to_string(),
            schema,
            default,
        })
    }

    /// Whether `value` is a valid default of `schema` (a decimal's is its bytes, as text).
    fn default_fits(&self, schema: &Schema, value: &Json) -> bool {
        let named: Vec<Schema> = self
            .named
            .iter()
            .map(|n| n.clone().unwrap_or(Schema::Null))
            .collect();
        match schema {
            Schema::Decimal { base, .. } => value.is_string() && holds(base, &named, value),
            Schema::Union(members) => members.iter().any(|m| self.default_fits(m, value)),
            _ => holds(schema, &named, value),
        }
    }

    fn enumeration(&mut self, node: &Node, namespace: &str) -> Result<Schema, Invalid> {
        let (full, index) = self.define(node, namespace, "an enum")?;
        let symbols_node = node
            .get("symbols")
            .ok_or_else(|| invalid(node.at, "an enum needs \"symbols\": a list of names"))?;
        let Kind::Array(items) = &symbols_node.kind else {
            return Err(invalid(symbols_node.at, "\"symbols\" is a list of names"));
        };
        let mut symbols: Vec<String> = Vec::with_capacity(items.len());
        for item in items {
            let symbol = item.as_str().filter(|s| is_avro_name(s)).ok_or_else(|| {
                invalid(
                    item.at,
                    "a symbol is a letter or `_`, then letters, digits or `_`",
                )
            })?;
            if symbols.iter().any(|s| s == symbol) {
                return Err(invalid(
                    item.at,
                    format!("the symbol `{symbol}` is listed twice"),
                ));
            }
            symbols.push(symbol.to_string());
        }
        if let Some(d) = node.get("default") {
            if !d.as_str().is_some_and(|d| symbols.iter().any(|s| s == d)) {
                return Err(invalid(d.at, "an enum's default is one of its symbols"));
            }
        }
        let schema = Schema::Enum {
            name: full,
            symbols,
        };
        self.named[index] = Some(schema.clone());
        Ok(schema)
    }

    fn fixed(&mut self, node: &Node, namespace: &str) -> Result<Schema, Invalid> {
        let (full, index) = self.define(node, namespace, "a fixed type")?;
        let size = node
            .get("size")
            .and_then(|s| match &s.kind {
                Kind::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
                Kind::Null | Kind::Bool(_) | Kind::String(_) | Kind::Array(_) | Kind::Object(_) => {
                    None
                }
            })
            .ok_or_else(|| {
                invalid(
                    node.get("size").map_or(node.at, |s| s.at),
                    "a fixed type needs \"size\": how many bytes, a whole number ≥ 0",
                )
            })?;
        let schema = Schema::Fixed { name: full, size };
        self.named[index] = Some(schema.clone());
        Ok(schema)
    }
}

/// A primitive type by name.
fn primitive(name: &str) -> Option<Schema> {
    Some(match name {
        "null" => Schema::Null,
        "boolean" => Schema::Boolean,
        "int" => Schema::Int,
        "long" => Schema::Long,
        "float" => Schema::Float,
        "double" => Schema::Double,
        "bytes" => Schema::Bytes,
        "string" => Schema::String,
        _ => return None,
    })
}

/// `schema` with the `logicalType` of `node` when that is valid for it (else as is).
fn logical(schema: Schema, node: &Node) -> Schema {
    let Some(name) = node.get("logicalType").and_then(Node::as_str) else {
        return schema;
    };
    let uint = |key: &str| {
        node.get(key).and_then(|n| match &n.kind {
            Kind::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            Kind::Null | Kind::Bool(_) | Kind::String(_) | Kind::Array(_) | Kind::Object(_) => None,
        })
    };
    if name == "decimal" {
        let (Some(precision), scale) = (uint("precision"), uint("scale").unwrap_or(0)) else {
            return schema;
        };
        let fits = match &schema {
            Schema::Bytes => true,
            // The most digits `size` bytes of two's complement hold.
            Schema::Fixed { size, .. } => {
                (*size as f64 * 8.0 - 1.0) * std::f64::consts::LOG10_2 >= f64::from(precision)
            }
            _ => false,
        };
        if precision == 0 || scale > precision || !fits {
            return schema;
        }
        return Schema::Decimal {
            base: Box::new(schema),
            precision,
            scale,
        };
    }
    let Some(&logical) = LOGICAL.iter().find(|l| **l == name) else {
        return schema;
    };
    let valid = match logical {
        "uuid" => {
            matches!(schema, Schema::String) || matches!(schema, Schema::Fixed { size: 16, .. })
        }
        "date" | "time-millis" => schema == Schema::Int,
        "duration" => matches!(schema, Schema::Fixed { size: 12, .. }),
        _ => schema == Schema::Long,
    };
    match valid {
        true => Schema::Logical {
            base: Box::new(schema),
            logical,
        },
        false => schema,
    }
}

/// What tells a union's member apart: its type, or a named type's name.
fn union_kind(schema: &Schema) -> String {
    match schema {
        Schema::Null => "null".into(),
        Schema::Boolean => "boolean".into(),
        Schema::Int => "int".into(),
        Schema::Long => "long".into(),
        Schema::Float => "float".into(),
        Schema::Double => "double".into(),
        Schema::Bytes => "bytes".into(),
        Schema::String => "string".into(),
        Schema::Array(_) | Schema::Tuple { .. } => "array".into(),
        Schema::Map(_) => "map".into(),
        Schema::Union(_) => "union".into(),
        Schema::Logical { base, .. } | Schema::Decimal { base, .. } => union_kind(base),
        Schema::Fixed { name, .. }
        | Schema::Enum { name, .. }
        | Schema::Record { name, .. }
        | Schema::Ref { name, .. } => name.clone(),
    }
}

#[cfg(test)]
mod tests;
