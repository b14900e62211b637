//! Avro schemas as the registry reads them: the JSON text parsed per the Avro
//! specification ("Schema Declaration": primitives, records, enums, arrays, maps,
//! unions, fixed; names and namespaces; logical types carried, not interpreted), named
//! types taken from the schemas it references, and its two identities: the compact
//! JSON as sent, and the normalised form (the spec's Parsing Canonical Form, keeping
//! defaults and logical types, which decoders need).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json, json};

/// A type, as a field or a union member holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ty {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `int`
    Int,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bytes`
    Bytes,
    /// `string`
    String,
    /// A named type, by its full name.
    Named(String),
    /// `array` of items.
    Array(Box<Ty>),
    /// `map` of values.
    Map(Box<Ty>),
    /// A union of members.
    Union(Vec<Ty>),
    /// A type with a logical type (the attributes `logicalType`, `precision`, `scale`).
    Logical(Box<Ty>, Map<String, Json>),
}

/// A named type: record, enum or fixed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Named {
    /// Full aliases.
    pub aliases: Vec<String>,
    /// What it is.
    pub kind: NamedKind,
}

/// The kinds of named type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NamedKind {
    /// A record's fields, in order.
    Record(Vec<Field>),
    /// An enum's symbols and its default symbol.
    Enum {
        /// The symbols, in order.
        symbols: Vec<String>,
        /// The symbol a reader uses for a symbol it does not know.
        default: Option<String>,
    },
    /// A fixed type's size in bytes.
    Fixed(u64),
}

/// A record's field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Field {
    /// Its name.
    pub name: String,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// Its type.
    pub ty: Ty,
    /// Its default value, if it has one.
    pub default: Option<Json>,
}

/// A parsed Avro schema.
#[derive(Debug, Clone)]
pub(crate) struct AvroSchema {
    /// The top-level type.
    pub root: Ty,
    /// Every named type it can use, its references' included, by full name.
    pub named: BTreeMap<String, Named>,
    /// The names this schema itself defines (not its references).
    own: BTreeSet<String>,
    /// The schema as sent, as compact JSON.
    pub compact: String,
    /// The schema as sent.
    json: Json,
}

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// Parses `text`, whose named types may be those of `references`.
pub(crate) fn parse(text: &str, references: &[&AvroSchema]) -> Result<AvroSchema, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let mut parser = Parser {
        named: BTreeMap::new(),
        own: BTreeSet::new(),
    };
    for reference in references {
        for (name, named) in &reference.named {
            parser
                .named
                .entry(name.clone())
                .or_insert_with(|| named.clone());
        }
    }
    let root = parser.ty(&json, None, "")?;
    Ok(AvroSchema {
        root,
        named: parser.named,
        own: parser.own,
        compact: json.to_string(),
        json,
    })
}

struct Parser {
    named: BTreeMap<String, Named>,
    own: BTreeSet<String>,
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `name` qualified by `namespace` unless it has dots already.
fn full_name(name: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if !name.contains('.') && !ns.is_empty() => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

/// The namespace part of a full name.
fn namespace_of(full: &str) -> Option<&str> {
    full.rfind('.').map(|at| &full[..at])
}

fn strings(json: Option<&Json>, what: &str, at: &str) -> Result<Vec<String>, String> {
    match json {
        None => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| format!("{what} at {at} must be strings"))
            })
            .collect(),
        Some(_) => Err(format!("{what} at {at} must be an array of strings")),
    }
}

impl Parser {
    fn ty(&mut self, json: &Json, namespace: Option<&str>, at: &str) -> Result<Ty, String> {
        match json {
            Json::String(name) => self.by_name(name, namespace, at),
            Json::Array(members) => {
                let mut out = Vec::new();
                for (i, member) in members.iter().enumerate() {
                    let ty = self.ty(member, namespace, &format!("{at}/{i}"))?;
                    let clash = out.iter().any(|t| self.same_branch(t, &ty));
                    match ty {
                        Ty::Union(_) => {
                            return Err(format!("union at {at} directly contains a union"));
                        }
                        _ if clash => {
                            return Err(format!("union at {at} contains a type twice: {member}"));
                        }
                        ty => out.push(ty),
                    }
                }
                Ok(Ty::Union(out))
            }
            Json::Object(object) => self.complex(object, namespace, at),
            Json::Null | Json::Bool(_) | Json::Number(_) => Err(format!(
                "{json} at {at} is not a schema (a type name, an object or a union)"
            )),
        }
    }

    /// Whether `a` and `b` would be the same union branch (same unnamed kind or same name).
    fn same_branch(&self, a: &Ty, b: &Ty) -> bool {
        let bare = |t: &Ty| match t {
            Ty::Logical(base, _) => (**base).clone(),
            Ty::Array(_) => Ty::Array(Box::new(Ty::Null)),
            Ty::Map(_) => Ty::Map(Box::new(Ty::Null)),
            other => other.clone(),
        };
        bare(a) == bare(b)
    }

    fn by_name(&mut self, name: &str, namespace: Option<&str>, at: &str) -> Result<Ty, String> {
        Ok(match name {
            "null" => Ty::Null,
            "boolean" => Ty::Boolean,
            "int" => Ty::Int,
            "long" => Ty::Long,
            "float" => Ty::Float,
            "double" => Ty::Double,
            "bytes" => Ty::Bytes,
            "string" => Ty::String,
            _ => {
                let full = full_name(name, namespace);
                if self.named.contains_key(&full) {
                    Ty::Named(full)
                } else if self.named.contains_key(name) {
                    Ty::Named(name.to_string())
                } else {
                    return Err(format!(
                        "undefined name {name:?} at {at} (define it before its use, or reference the schema that defines it)"
                    ));
                }
            }
        })
    }

    fn complex(
        &mut self,
        object: &Map<String, Json>,
        namespace: Option<&str>,
        at: &str,
    ) -> Result<Ty, String> {
        let ty = match object.get("type") {
            Some(Json::String(t)) => t.as_str(),
            Some(other) => return self.ty(other, namespace, &format!("{at}/type")),
            None => return Err(format!("no \"type\" at {}", at_or_root(at))),
        };
        let base = match ty {
            "record" | "error" | "enum" | "fixed" => {
                return self.named_type(ty, object, namespace, at);
            }
            "array" => {
                let items = object
                    .get("items")
                    .ok_or_else(|| format!("array at {} has no \"items\"", at_or_root(at)))?;
                Ty::Array(Box::new(self.ty(
                    items,
                    namespace,
                    &format!("{at}/items"),
                )?))
            }
            "map" => {
                let values = object
                    .get("values")
                    .ok_or_else(|| format!("map at {} has no \"values\"", at_or_root(at)))?;
                Ty::Map(Box::new(self.ty(
                    values,
                    namespace,
                    &format!("{at}/values"),
                )?))
            }
            other if PRIMITIVES.contains(&other) => self.by_name(other, namespace, at)?,
            other => self.by_name(other, namespace, at)?,
        };
        let logical: Map<String, Json> = ["logicalType", "precision", "scale"]
            .into_iter()
            .filter_map(|k| object.get(k).map(|v| (k.to_string(), v.clone())))
            .collect();
        Ok(if logical.contains_key("logicalType") {
            Ty::Logical(Box::new(base), logical)
        } else {
            base
        })
    }

    fn named_type(
        &mut self,
        ty: &str,
        object: &Map<String, Json>,
        namespace: Option<&str>,
        at: &str,
    ) -> Result<Ty, String> {
        let name = object
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("{ty} at {} has no \"name\"", at_or_root(at)))?;
        let own_ns = object.get("namespace").and_then(Json::as_str).or(namespace);
        let full = full_name(name, own_ns);
        if !full.split('.').all(is_name) || PRIMITIVES.contains(&full.as_str()) {
            return Err(format!("invalid name {full:?} at {}", at_or_root(at)));
        }
        if self.named.contains_key(&full) {
            return Err(format!("can't redefine {full:?} at {}", at_or_root(at)));
        }
        let inner_ns = namespace_of(&full).map(str::to_string);
        let aliases = strings(object.get("aliases"), "aliases", at)?
            .iter()
            .map(|a| full_name(a, inner_ns.as_deref()))
            .collect();
        // Registered before its fields, so that a record may refer to itself.
        self.named.insert(
            full.clone(),
            Named {
                aliases,
                kind: NamedKind::Fixed(0),
            },
        );
        self.own.insert(full.clone());
        let kind = match ty {
            "enum" => {
                let symbols = strings(object.get("symbols"), "symbols", at)?;
                if object.get("symbols").is_none() {
                    return Err(format!("enum {full:?} has no \"symbols\""));
                }
                let mut seen = BTreeSet::new();
                if let Some(bad) = symbols.iter().find(|s| !is_name(s) || !seen.insert(*s)) {
                    return Err(format!(
                        "enum {full:?}: symbol {bad:?} is invalid or repeated"
                    ));
                }
                let default = object
                    .get("default")
                    .and_then(Json::as_str)
                    .map(str::to_string);
                if let Some(d) = default.as_ref().filter(|d| !symbols.contains(d)) {
                    return Err(format!(
                        "enum {full:?}: default {d:?} is not one of its symbols"
                    ));
                }
                NamedKind::Enum { symbols, default }
            }
            "fixed" => match object.get("size").and_then(Json::as_u64) {
                Some(size) => NamedKind::Fixed(size),
                None => return Err(format!("fixed {full:?} has no valid \"size\"")),
            },
            _ => NamedKind::Record(self.fields(&full, object, inner_ns.as_deref(), at)?),
        };
        if let Some(named) = self.named.get_mut(&full) {
            named.kind = kind;
        }
        Ok(Ty::Named(full))
    }

    fn fields(
        &mut self,
        full: &str,
        object: &Map<String, Json>,
        namespace: Option<&str>,
        at: &str,
    ) -> Result<Vec<Field>, String> {
        let Some(Json::Array(fields)) = object.get("fields") else {
            return Err(format!("record {full:?} has no \"fields\" array"));
        };
        let mut out: Vec<Field> = Vec::new();
        for (i, field) in fields.iter().enumerate() {
            let here = format!("{at}/fields/{i}");
            let Json::Object(field) = field else {
                return Err(format!("field at {here} is not an object"));
            };
            let name = field
                .get("name")
                .and_then(Json::as_str)
                .filter(|n| is_name(n))
                .ok_or_else(|| format!("field at {here} has no valid \"name\""))?;
            if out.iter().any(|f| f.name == name) {
                return Err(format!("record {full:?} has two fields named {name:?}"));
            }
            let json = field
                .get("type")
                .ok_or_else(|| format!("field {name:?} of {full:?} has no \"type\""))?;
            let ty = self.ty(json, namespace, &format!("{here}/type"))?;
            let default = field.get("default").cloned();
            if let Some(d) = &default {
                if !self.fits(&ty, d) {
                    return Err(format!(
                        "field {name:?} of {full:?}: default {d} is not a value of its type"
                    ));
                }
            }
            out.push(Field {
                name: name.to_string(),
                aliases: strings(field.get("aliases"), "aliases", &here)?,
                ty,
                default,
            });
        }
        Ok(out)
    }

    /// Whether `value` is a valid default for `ty` (a union's is its first member's).
    fn fits(&self, ty: &Ty, value: &Json) -> bool {
        match ty {
            Ty::Null => value.is_null(),
            Ty::Boolean => value.is_boolean(),
            Ty::Int | Ty::Long => value.is_i64() || value.is_u64(),
            Ty::Float | Ty::Double => value.is_number(),
            Ty::Bytes | Ty::String => value.is_string(),
            Ty::Logical(base, _) => self.fits(base, value),
            Ty::Array(items) => value
                .as_array()
                .is_some_and(|a| a.iter().all(|v| self.fits(items, v))),
            Ty::Map(values) => value
                .as_object()
                .is_some_and(|m| m.values().all(|v| self.fits(values, v))),
            Ty::Union(members) => members.first().is_some_and(|m| self.fits(m, value)),
            Ty::Named(name) => match self.named.get(name).map(|n| &n.kind) {
                Some(NamedKind::Record(fields)) => value.as_object().is_some_and(|m| {
                    fields.iter().all(|f| match m.get(&f.name) {
                        Some(v) => self.fits(&f.ty, v),
                        None => f.default.is_some(),
                    })
                }),
                Some(NamedKind::Enum { symbols, .. }) => value
                    .as_str()
                    .is_some_and(|s| symbols.iter().any(|x| x == s)),
                Some(NamedKind::Fixed(_)) => value.is_string(),
                // A type still being defined (a recursive default): accepted.
                None => true,
            },
        }
    }
}

fn at_or_root(at: &str) -> &str {
    if at.is_empty() { "/" } else { at }
}

/// `json` with every object's keys sorted and `{"type": P}` written `P` for a
/// primitive `P`, as Avro's own rendering of a schema does (so that key order and
/// that spelling do not make another schema).
fn collapsed(json: &Json) -> Json {
    match json {
        Json::Object(object) => match (object.len(), object.get("type")) {
            (1, Some(Json::String(t))) if PRIMITIVES.contains(&t.as_str()) => json!(t),
            _ => {
                let mut keys: Vec<&String> = object.keys().collect();
                keys.sort();
                Json::Object(
                    keys.into_iter()
                        .map(|k| (k.clone(), collapsed(&object[k])))
                        .collect(),
                )
            }
        },
        Json::Array(items) => Json::Array(items.iter().map(collapsed).collect()),
        other => other.clone(),
    }
}

impl AvroSchema {
    /// The identity of the schema as sent: every attribute kept, but neither key order,
    /// layout, nor `{"type": "int"}` against `"int"` matter.
    pub(crate) fn identity(&self) -> String {
        collapsed(&self.json).to_string()
    }

    /// The normalised form: the Parsing Canonical Form (full names, only the attributes
    /// that matter, in the spec's order, no whitespace) keeping fields' and enums'
    /// defaults and logical types.
    pub(crate) fn normalized(&self) -> String {
        let mut seen = BTreeSet::new();
        self.canonical(&self.root, &mut seen).to_string()
    }

    fn canonical(&self, ty: &Ty, seen: &mut BTreeSet<String>) -> Json {
        match ty {
            Ty::Null => json!("null"),
            Ty::Boolean => json!("boolean"),
            Ty::Int => json!("int"),
            Ty::Long => json!("long"),
            Ty::Float => json!("float"),
            Ty::Double => json!("double"),
            Ty::Bytes => json!("bytes"),
            Ty::String => json!("string"),
            Ty::Array(items) => json!({"type": "array", "items": self.canonical(items, seen)}),
            Ty::Map(values) => json!({"type": "map", "values": self.canonical(values, seen)}),
            Ty::Union(members) => {
                Json::Array(members.iter().map(|m| self.canonical(m, seen)).collect())
            }
            Ty::Logical(base, attributes) => {
                let mut out = Map::new();
                out.insert("type".into(), self.canonical(base, seen));
                out.extend(attributes.clone());
                Json::Object(out)
            }
            Ty::Named(name) => self.canonical_named(name, seen),
        }
    }

    fn canonical_named(&self, name: &str, seen: &mut BTreeSet<String>) -> Json {
        let Some(named) = self.named.get(name) else {
            return json!(name);
        };
        if !self.own.contains(name) || !seen.insert(name.to_string()) {
            return json!(name);
        }
        let mut out = Map::new();
        out.insert("name".into(), json!(name));
        match &named.kind {
            NamedKind::Record(fields) => {
                out.insert("type".into(), json!("record"));
                let fields: Vec<Json> = fields
                    .iter()
                    .map(|f| {
                        let mut field = Map::new();
                        field.insert("name".into(), json!(f.name));
                        field.insert("type".into(), self.canonical(&f.ty, seen));
                        if let Some(d) = &f.default {
                            field.insert("default".into(), d.clone());
                        }
                        Json::Object(field)
                    })
                    .collect();
                out.insert("fields".into(), Json::Array(fields));
            }
            NamedKind::Enum { symbols, default } => {
                out.insert("type".into(), json!("enum"));
                out.insert("symbols".into(), json!(symbols));
                if let Some(d) = default {
                    out.insert("default".into(), json!(d));
                }
            }
            NamedKind::Fixed(size) => {
                out.insert("type".into(), json!("fixed"));
                out.insert("size".into(), json!(size));
            }
        }
        Json::Object(out)
    }
}
