//! Avro: a schema as typed data (what the encoder walks), the same schema as the JSON a
//! registry receives, and the binary encoding of a JSON value against it, as the Avro
//! specification's "Binary encoding" section says: ints and longs as zig-zag varints,
//! doubles as 8 little-endian bytes, strings length-prefixed, enums by index, unions by
//! branch index, arrays in blocks (a count, the items, then 0), records field by field.
//! `direct` writes the same bytes from the JSON text in one pass, where it can.

use serde_json::{Map, Value as Json, json};

mod direct;

pub use direct::encode_text;

/// An Avro schema, as derived from a payload or read from a user's `.avsc`
/// ([`super::avsc`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Schema {
    /// `null`: no bytes.
    Null,
    /// `boolean`: one byte, 0 or 1.
    Boolean,
    /// `int`: a zig-zag varint of a 32-bit value.
    Int,
    /// `long`: a zig-zag varint of a 64-bit value.
    Long,
    /// `float`: 4 bytes, little-endian IEEE 754.
    Float,
    /// `double`: 8 bytes, little-endian IEEE 754.
    Double,
    /// `bytes`: a long length, then the bytes (from a JSON string, each character's
    /// code point, 0 to 255, one byte, as the specification's JSON encoding and field
    /// defaults have it).
    Bytes,
    /// `string`: a long length, then the UTF-8 bytes.
    String,
    /// `fixed`: exactly `size` bytes (from a JSON string as for `bytes`).
    Fixed {
        /// The type's name.
        name: String,
        /// How many bytes.
        size: usize,
    },
    /// A primitive with a logical type (`uuid` on a string, `timestamp-millis` on a
    /// long): written as the primitive.
    Logical {
        /// The primitive it is written as.
        base: Box<Schema>,
        /// The `logicalType`.
        logical: &'static str,
    },
    /// The `decimal` logical type on `bytes` or `fixed`: a JSON number as its unscaled
    /// value (the number times 10^scale, an integer) in big-endian two's complement,
    /// the fewest bytes for `bytes`, sign-extended to the size for `fixed`.
    Decimal {
        /// [`Schema::Bytes`] or a [`Schema::Fixed`].
        base: Box<Schema>,
        /// The most digits the unscaled value has.
        precision: u32,
        /// The digits after the point.
        scale: u32,
    },
    /// `enum`: the index of the symbol, as an int.
    Enum {
        /// The type's name.
        name: String,
        /// The symbols, in order (unique, valid Avro names).
        symbols: Vec<String>,
    },
    /// `array` of one item schema.
    Array(Box<Schema>),
    /// An `array` whose items differ by position (a payload list of unlike items): its
    /// items are the union of `members`; item `i` has the schema `positions[i]`.
    Tuple {
        /// The union the array's items are (no member a union).
        members: Vec<Schema>,
        /// Each position's schema: a member, or a union of members.
        positions: Vec<Schema>,
    },
    /// `map` of one value schema: blocks of (string key, value), then 0.
    Map(Box<Schema>),
    /// A named type used again by its (full) name: `index` is its place in the table of
    /// named types the encoder is given (a user schema's; recursive types refer to
    /// themselves this way).
    Ref {
        /// The full name.
        name: String,
        /// The place in the table of named types.
        index: usize,
    },
    /// A union: the branch index as a long, then the value by that branch.
    Union(Vec<Schema>),
    /// `record`: the fields in order.
    Record {
        /// The type's name.
        name: String,
        /// The fields, in order.
        fields: Vec<Field>,
    },
}

/// One field of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Its name (a valid Avro name).
    pub name: String,
    /// Its schema.
    pub schema: Schema,
    /// Its default, written for a value that lacks the field; derived schemas give
    /// `null` to a union that starts with `null`.
    pub default: Option<Json>,
}

impl Schema {
    /// The schema as the JSON a registry receives; `namespace` on the outermost named
    /// type only (the others inherit it).
    pub fn to_json(&self, namespace: Option<&str>) -> Json {
        match self {
            Schema::Null => json!("null"),
            Schema::Boolean => json!("boolean"),
            Schema::Int => json!("int"),
            Schema::Long => json!("long"),
            Schema::Float => json!("float"),
            Schema::Double => json!("double"),
            Schema::Bytes => json!("bytes"),
            Schema::String => json!("string"),
            Schema::Fixed { name, size } => {
                named("fixed", name, namespace, [("size", json!(size))])
            }
            Schema::Logical { base, logical } => {
                json!({"type": base.to_json(None), "logicalType": logical})
            }
            Schema::Decimal {
                base,
                precision,
                scale,
            } => {
                let mut out = match base.to_json(namespace) {
                    Json::Object(fixed) => fixed,
                    other => Map::from_iter([("type".to_string(), other)]),
                };
                out.insert("logicalType".into(), json!("decimal"));
                out.insert("precision".into(), json!(precision));
                out.insert("scale".into(), json!(scale));
                Json::Object(out)
            }
            Schema::Map(values) => json!({"type": "map", "values": values.to_json(None)}),
            Schema::Ref { name, .. } => json!(name),
            Schema::Enum { name, symbols } => {
                named("enum", name, namespace, [("symbols", json!(symbols))])
            }
            Schema::Array(items) => json!({"type": "array", "items": items.to_json(None)}),
            Schema::Tuple { members, .. } => {
                let items: Vec<Json> = members.iter().map(|m| m.to_json(None)).collect();
                json!({"type": "array", "items": items})
            }
            Schema::Union(members) => {
                Json::Array(members.iter().map(|m| m.to_json(None)).collect())
            }
            Schema::Record { name, fields } => {
                let fields: Vec<Json> = fields
                    .iter()
                    .map(|f| {
                        let mut field = Map::new();
                        field.insert("name".into(), json!(f.name));
                        field.insert("type".into(), f.schema.to_json(None));
                        if let Some(default) = &f.default {
                            field.insert("default".into(), default.clone());
                        }
                        Json::Object(field)
                    })
                    .collect();
                named("record", name, namespace, [("fields", Json::Array(fields))])
            }
        }
    }
}

/// A named type's JSON: `type`, `name`, `namespace` when given, then `rest`.
fn named<const N: usize>(
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    rest: [(&str, Json); N],
) -> Json {
    let mut out = Map::new();
    out.insert("type".into(), json!(kind));
    out.insert("name".into(), json!(name));
    if let Some(namespace) = namespace {
        out.insert("namespace".into(), json!(namespace));
    }
    for (key, value) in rest {
        out.insert(key.into(), value);
    }
    Json::Object(out)
}

/// A value that does not fit its schema: what and where (a JSON pointer-like path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch(pub String);

/// Appends `n` as a zig-zag varint (an Avro `int` or `long`).
pub fn write_long(out: &mut Vec<u8>, n: i64) {
    let mut z = ((n << 1) ^ (n >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8 & 0x7F) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// Appends `bytes` length-prefixed (an Avro `string` or `bytes`).
pub fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_long(out, bytes.len() as i64);
    out.extend_from_slice(bytes);
}

/// Appends `value` encoded by `schema`; `at` names the value in a mismatch.
pub fn encode(out: &mut Vec<u8>, schema: &Schema, value: &Json, at: &str) -> Result<(), Mismatch> {
    encode_with(out, schema, &[], value, at)
}

/// Appends `value` encoded by `schema`, whose [`Schema::Ref`]s point into `named` (a
/// user schema's named types); `at` names the value in a mismatch. A record's fields
/// are written in the schema's order; a field the value lacks is written as its
/// default; a union is written as the first branch that holds the value exactly (an
/// integer prefers `int`/`long`, a number a `float` only when it is one), else the first
/// that holds it at all.
pub fn encode_with(
    out: &mut Vec<u8>,
    schema: &Schema,
    named: &[Schema],
    value: &Json,
    at: &str,
) -> Result<(), Mismatch> {
    write(out, schema, named, value, &Path::Root(at))
}

/// Where a value is, spelled only when a mismatch is said (no text per value written).
#[derive(Clone, Copy)]
enum Path<'p> {
    Root(&'p str),
    Field(&'p Path<'p>, &'p str),
    Index(&'p Path<'p>, usize),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root(at) => f.write_str(at),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// [`encode_with`] at `at`.
fn write(
    out: &mut Vec<u8>,
    schema: &Schema,
    named: &[Schema],
    value: &Json,
    at: &Path<'_>,
) -> Result<(), Mismatch> {
    let wrong = || {
        Mismatch(format!(
            "{at}: {value} does not fit the Avro type {}",
            schema.to_json(None)
        ))
    };
    match (schema, value) {
        (Schema::Null, Json::Null) => {}
        (Schema::Boolean, Json::Bool(b)) => out.push(u8::from(*b)),
        (Schema::Int | Schema::Long | Schema::Float | Schema::Double, Json::Number(n)) => {
            number(out, schema, n).ok_or_else(wrong)?;
        }
        (Schema::String, Json::String(s)) => write_bytes(out, s.as_bytes()),
        (Schema::Bytes, Json::String(s)) => write_bytes(out, &octets(s).ok_or_else(wrong)?),
        (Schema::Fixed { size, .. }, Json::String(s)) => {
            let bytes = octets(s).filter(|b| b.len() == *size).ok_or_else(wrong)?;
            out.extend_from_slice(&bytes);
        }
        (Schema::Decimal { base, .. }, Json::String(_)) => {
            write(out, base, named, value, at)?;
        }
        (
            Schema::Decimal {
                base,
                precision,
                scale,
            },
            Json::Number(n),
        ) => decimal(out, base, *precision, *scale, n).ok_or_else(wrong)?,
        (Schema::Logical { base, .. }, _) => write(out, base, named, value, at)?,
        (Schema::Ref { index, .. }, _) => {
            let target = named.get(*index).ok_or_else(wrong)?;
            write(out, target, named, value, at)?;
        }
        (Schema::Enum { symbols, .. }, Json::String(s)) => {
            let index = symbols.iter().position(|x| x == s).ok_or_else(wrong)?;
            write_long(out, index as i64);
        }
        (Schema::Array(items), Json::Array(values)) => array(out, items, named, values, at)?,
        (Schema::Map(schema), Json::Object(values)) => map(out, schema, named, values, at)?,
        (Schema::Tuple { members, positions }, Json::Array(values)) => {
            tuple(out, members, positions, named, values, at)
                .map_err(|e| e.unwrap_or_else(wrong))?;
        }
        (Schema::Union(branches), _) => {
            let index = branch(branches, named, value).ok_or_else(wrong)?;
            write_long(out, index as i64);
            write(out, &branches[index], named, value, at)?;
        }
        (Schema::Record { fields, .. }, Json::Object(values)) => {
            for field in fields {
                let at = Path::Field(at, &field.name);
                let item = values
                    .get(&field.name)
                    .or(field.default.as_ref())
                    .ok_or_else(|| Mismatch(format!("{at}: missing")))?;
                write(out, &field.schema, named, item, &at)?;
            }
        }
        (
            Schema::Null
            | Schema::Boolean
            | Schema::Int
            | Schema::Long
            | Schema::Float
            | Schema::Double
            | Schema::Bytes
            | Schema::String
            | Schema::Fixed { .. }
            | Schema::Decimal { .. }
            | Schema::Enum { .. }
            | Schema::Array(_)
            | Schema::Map(_)
            | Schema::Tuple { .. }
            | Schema::Record { .. },
            _,
        ) => return Err(wrong()),
    }
    Ok(())
}

/// A number by `int`, `long`, `float` or `double` (`None` for another schema, or a number
/// the type does not hold).
fn number(out: &mut Vec<u8>, schema: &Schema, n: &serde_json::Number) -> Option<()> {
    match schema {
        Schema::Int => write_long(out, n.as_i64().filter(|n| i32::try_from(*n).is_ok())?),
        Schema::Long => write_long(out, n.as_i64()?),
        Schema::Float => out.extend_from_slice(&(n.as_f64()? as f32).to_le_bytes()),
        Schema::Double => out.extend_from_slice(&n.as_f64()?.to_le_bytes()),
        Schema::Null
        | Schema::Boolean
        | Schema::Bytes
        | Schema::String
        | Schema::Fixed { .. }
        | Schema::Logical { .. }
        | Schema::Decimal { .. }
        | Schema::Enum { .. }
        | Schema::Array(_)
        | Schema::Tuple { .. }
        | Schema::Map(_)
        | Schema::Ref { .. }
        | Schema::Union(_)
        | Schema::Record { .. } => return None,
    }
    Some(())
}

/// A decimal's unscaled value (see [`Schema::Decimal`]); `None` when `n` has more
/// digits than its precision or scale allow, or more bytes than the fixed size.
fn decimal(
    out: &mut Vec<u8>,
    base: &Schema,
    precision: u32,
    scale: u32,
    n: &serde_json::Number,
) -> Option<()> {
    let unscaled = unscaled(n, scale).filter(|u| digits(*u) <= precision)?;
    let bytes = twos_complement(unscaled);
    match base {
        Schema::Fixed { size, .. } => {
            let fill = if unscaled < 0 { 0xff } else { 0 };
            out.extend(std::iter::repeat_n(fill, size.checked_sub(bytes.len())?));
            out.extend_from_slice(&bytes);
        }
        _ => write_bytes(out, &bytes),
    }
    Some(())
}

/// An array's items: one block of them, then 0.
fn array(
    out: &mut Vec<u8>,
    items: &Schema,
    named: &[Schema],
    values: &[Json],
    at: &Path<'_>,
) -> Result<(), Mismatch> {
    if !values.is_empty() {
        write_long(out, values.len() as i64);
        for (i, item) in values.iter().enumerate() {
            write(out, items, named, item, &Path::Index(at, i))?;
        }
    }
    out.push(0);
    Ok(())
}

/// A map's entries: one block of (key, value) pairs, then 0.
fn map(
    out: &mut Vec<u8>,
    schema: &Schema,
    named: &[Schema],
    values: &Map<String, Json>,
    at: &Path<'_>,
) -> Result<(), Mismatch> {
    if !values.is_empty() {
        write_long(out, values.len() as i64);
        for (key, item) in values {
            write_bytes(out, key.as_bytes());
            write(out, schema, named, item, &Path::Field(at, key))?;
        }
    }
    out.push(0);
    Ok(())
}

/// A [`Schema::Tuple`]'s items; `Err(None)` when their count is not the tuple's.
fn tuple(
    out: &mut Vec<u8>,
    members: &[Schema],
    positions: &[Schema],
    named: &[Schema],
    values: &[Json],
    at: &Path<'_>,
) -> Result<(), Option<Mismatch>> {
    if values.len() != positions.len() {
        return Err(None);
    }
    if !values.is_empty() {
        write_long(out, values.len() as i64);
        for (i, (item, position)) in values.iter().zip(positions).enumerate() {
            let at = Path::Index(at, i);
            let chosen = match position {
                Schema::Union(branches) => branch(branches, named, item).map(|b| &branches[b]),
                other => Some(other),
            };
            let index = chosen
                .and_then(|c| member(members, c))
                .ok_or_else(|| Some(Mismatch(format!("{at}: {item} fits no branch"))))?;
            write_long(out, index as i64);
            write(out, &members[index], named, item, &at).map_err(Some)?;
        }
    }
    out.push(0);
    Ok(())
}

/// The index of the member of a [`Schema::Tuple`] that `chosen` (a position, or a branch
/// of one) is written by: the member equal to it, or to the bare primitive of its
/// logical type.
fn member(members: &[Schema], chosen: &Schema) -> Option<usize> {
    members
        .iter()
        .position(|m| m == chosen || matches!(chosen, Schema::Logical { base, .. } if **base == *m))
}

/// The bytes a JSON string stands for in Avro's JSON (each character's code point, 0 to
/// 255, one byte); `None` when a character is beyond 255.
fn octets(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

/// `n` times 10^`scale` when that is an integer (a decimal's unscaled value), read from
/// the number's shortest text so that `0.1` at scale 1 is exactly 1.
fn unscaled(n: &serde_json::Number, scale: u32) -> Option<i128> {
    let text = n.to_string();
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (&text[..], 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = format!("{whole}{fraction}");
    // The value is digits × 10^shift.
    let shift = i64::from(exponent) - fraction.len() as i64 + i64::from(scale);
    let mut value: i128 = digits.parse().ok()?;
    if shift >= 0 {
        value = value.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?;
    } else {
        let divisor = 10i128.checked_pow(u32::try_from(-shift).ok()?).unwrap_or(0);
        if value != 0 && (divisor == 0 || value % divisor != 0) {
            return None;
        }
        value = if divisor == 0 { 0 } else { value / divisor };
    }
    Some(if negative { -value } else { value })
}

/// How many decimal digits `n` has (0 has one).
fn digits(n: i128) -> u32 {
    n.unsigned_abs().checked_ilog10().map_or(1, |d| d + 1)
}

/// `n` in big-endian two's complement, in the fewest bytes that keep its sign.
fn twos_complement(n: i128) -> Vec<u8> {
    let bytes = n.to_be_bytes();
    let fill = if n < 0 { 0xff } else { 0 };
    let mut start = 0;
    while start < 15 && bytes[start] == fill && (bytes[start + 1] & 0x80 == fill & 0x80) {
        start += 1;
    }
    bytes[start..].to_vec()
}

/// The union branch `value` is written by: the first whose type holds it exactly, all
/// the way down (an integer prefers `int`/`long` to `double`, a number `double` to a
/// `float` that would round it), else the first that holds it at all.
fn branch(branches: &[Schema], named: &[Schema], value: &Json) -> Option<usize> {
    (branches.iter().position(|b| fits(b, named, value, true)))
        .or_else(|| branches.iter().position(|b| fits(b, named, value, false)))
}

/// Whether `value` can be written by `schema`, whose references point into `named`.
pub fn holds(schema: &Schema, named: &[Schema], value: &Json) -> bool {
    fits(schema, named, value, false)
}

/// Whether `value` can be written by `schema` (`exact`: a JSON integer is not a double,
/// nor a number a float that rounds it).
fn fits(schema: &Schema, named: &[Schema], value: &Json, exact: bool) -> bool {
    match schema {
        Schema::Null => value.is_null(),
        Schema::Boolean => value.is_boolean(),
        Schema::Int => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        Schema::Long => value.as_i64().is_some(),
        Schema::Float => {
            value.is_number()
                && (!exact
                    || (!value.is_i64()
                        && value.as_f64().is_some_and(|x| f64::from(x as f32) == x)))
        }
        Schema::Double => value.is_number() && (!exact || !value.is_i64()),
        Schema::String => value.is_string(),
        Schema::Bytes => value.as_str().is_some_and(|s| octets(s).is_some()),
        Schema::Fixed { size, .. } => value
            .as_str()
            .and_then(octets)
            .is_some_and(|b| b.len() == *size),
        Schema::Decimal {
            base,
            precision,
            scale,
        } => match value {
            Json::Number(n) => unscaled(n, *scale).is_some_and(|u| digits(u) <= *precision),
            _ => fits(base, named, value, exact),
        },
        Schema::Logical { base, .. } => fits(base, named, value, exact),
        Schema::Ref { index, .. } => named
            .get(*index)
            .is_some_and(|target| fits(target, named, value, exact)),
        Schema::Enum { symbols, .. } => value
            .as_str()
            .is_some_and(|s| symbols.iter().any(|x| x == s)),
        Schema::Array(items) => value
            .as_array()
            .is_some_and(|values| values.iter().all(|v| fits(items, named, v, false))),
        Schema::Map(items) => value
            .as_object()
            .is_some_and(|values| values.values().all(|v| fits(items, named, v, false))),
        Schema::Tuple { positions, .. } => value.as_array().is_some_and(|values| {
            values.len() == positions.len()
                && values
                    .iter()
                    .zip(positions)
                    .all(|(v, p)| fits(p, named, v, false))
        }),
        Schema::Union(members) => members.iter().any(|m| fits(m, named, value, false)),
        Schema::Record { fields, .. } => value.as_object().is_some_and(|values| {
            values.keys().all(|k| fields.iter().any(|f| f.name == *k))
                && fields.iter().all(|f| match values.get(&f.name) {
                    Some(v) => fits(&f.schema, named, v, false),
                    None => f.default.is_some(),
                })
        }),
    }
}

#[cfg(test)]
mod tests;
