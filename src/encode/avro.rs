//! Avro: a schema as typed data (what the encoder walks), the same schema as the JSON a
//! registry receives, and the binary encoding of a JSON value against it, as the Avro
//! specification's "Binary encoding" section says: ints and longs as zig-zag varints,
//! doubles as 8 little-endian bytes, strings length-prefixed, enums by index, unions by
//! branch index, arrays in blocks (a count, the items, then 0), records field by field.

use serde_json::{Map, Value as Json, json};

/// An Avro schema, as derived from a payload.
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
    /// `double`: 8 bytes, little-endian IEEE 754.
    Double,
    /// `string`: a long length, then the UTF-8 bytes.
    String,
    /// A primitive with a logical type (`uuid` on a string, `timestamp-millis` on a
    /// long): written as the primitive.
    Logical {
        /// The primitive it is written as.
        base: Box<Schema>,
        /// The `logicalType`.
        logical: &'static str,
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
    /// Whether it is a union that starts with `null` and has the default `null`.
    pub default_null: bool,
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
            Schema::Double => json!("double"),
            Schema::String => json!("string"),
            Schema::Logical { base, logical } => {
                json!({"type": base.to_json(None), "logicalType": logical})
            }
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
                        if f.default_null {
                            field.insert("default".into(), Json::Null);
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
    let wrong = || {
        Mismatch(format!(
            "{at}: {value} does not fit the Avro type {}",
            schema.to_json(None)
        ))
    };
    match (schema, value) {
        (Schema::Null, Json::Null) => {}
        (Schema::Boolean, Json::Bool(b)) => out.push(u8::from(*b)),
        (Schema::Int, Json::Number(n)) => match n.as_i64().filter(|n| i32::try_from(*n).is_ok()) {
            Some(n) => write_long(out, n),
            None => return Err(wrong()),
        },
        (Schema::Long, Json::Number(n)) => write_long(out, n.as_i64().ok_or_else(wrong)?),
        (Schema::Double, Json::Number(n)) => {
            out.extend_from_slice(&n.as_f64().ok_or_else(wrong)?.to_le_bytes());
        }
        (Schema::String, Json::String(s)) => write_bytes(out, s.as_bytes()),
        (Schema::Logical { base, .. }, _) => encode(out, base, value, at)?,
        (Schema::Enum { symbols, .. }, Json::String(s)) => {
            let index = symbols.iter().position(|x| x == s).ok_or_else(wrong)?;
            write_long(out, index as i64);
        }
        (Schema::Array(items), Json::Array(values)) => {
            if !values.is_empty() {
                write_long(out, values.len() as i64);
                for (i, item) in values.iter().enumerate() {
                    encode(out, items, item, &format!("{at}[{i}]"))?;
                }
            }
            out.push(0);
        }
        (Schema::Tuple { members, positions }, Json::Array(values)) => {
            if values.len() != positions.len() {
                return Err(wrong());
            }
            if !values.is_empty() {
                write_long(out, values.len() as i64);
                for (i, (item, position)) in values.iter().zip(positions).enumerate() {
                    let at = format!("{at}[{i}]");
                    let chosen = match position {
                        Schema::Union(branches) => branch(branches, item).map(|b| &branches[b]),
                        other => Some(other),
                    };
                    // A member may be the bare primitive of a position's logical type.
                    let bare = |c: &Schema| {
                        if let Schema::Logical { base, .. } = c {
                            Some((**base).clone())
                        } else {
                            None
                        }
                    };
                    let index = chosen
                        .and_then(|c| {
                            members
                                .iter()
                                .position(|m| m == c || Some(m) == bare(c).as_ref())
                        })
                        .ok_or_else(|| Mismatch(format!("{at}: {item} fits no branch")))?;
                    write_long(out, index as i64);
                    encode(out, &members[index], item, &at)?;
                }
            }
            out.push(0);
        }
        (Schema::Union(branches), _) => {
            let index = branch(branches, value).ok_or_else(wrong)?;
            write_long(out, index as i64);
            encode(out, &branches[index], value, at)?;
        }
        (Schema::Record { fields, .. }, Json::Object(values)) => {
            for field in fields {
                let at = format!("{at}.{}", field.name);
                let item = values
                    .get(&field.name)
                    .ok_or_else(|| Mismatch(format!("{at}: missing")))?;
                encode(out, &field.schema, item, &at)?;
            }
        }
        (
            Schema::Null
            | Schema::Boolean
            | Schema::Int
            | Schema::Long
            | Schema::Double
            | Schema::String
            | Schema::Enum { .. }
            | Schema::Array(_)
            | Schema::Tuple { .. }
            | Schema::Record { .. },
            _,
        ) => return Err(wrong()),
    }
    Ok(())
}

/// The union branch `value` is written by: the first whose type holds it, all the way
/// down (an integer prefers `int`/`long` to `double`).
fn branch(branches: &[Schema], value: &Json) -> Option<usize> {
    (branches.iter().position(|b| fits(b, value, true)))
        .or_else(|| branches.iter().position(|b| fits(b, value, false)))
}

/// Whether `value` can be written by `schema` (`exact`: a JSON integer is not a double).
fn fits(schema: &Schema, value: &Json, exact: bool) -> bool {
    match schema {
        Schema::Null => value.is_null(),
        Schema::Boolean => value.is_boolean(),
        Schema::Int => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        Schema::Long => value.as_i64().is_some(),
        Schema::Double => value.is_number() && (!exact || !value.is_i64()),
        Schema::String => value.is_string(),
        Schema::Logical { base, .. } => fits(base, value, exact),
        Schema::Enum { symbols, .. } => value
            .as_str()
            .is_some_and(|s| symbols.iter().any(|x| x == s)),
        Schema::Array(items) => value
            .as_array()
            .is_some_and(|values| values.iter().all(|v| fits(items, v, false))),
        Schema::Tuple { positions, .. } => value.as_array().is_some_and(|values| {
            values.len() == positions.len()
                && values.iter().zip(positions).all(|(v, p)| fits(p, v, false))
        }),
        Schema::Union(members) => members.iter().any(|m| fits(m, value, false)),
        Schema::Record { fields, .. } => value.as_object().is_some_and(|values| {
            fields.len() == values.len()
                && fields.iter().all(|f| {
                    values
                        .get(&f.name)
                        .is_some_and(|v| fits(&f.schema, v, false))
                })
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(schema: &Schema, value: Json) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, schema, &value, "value").unwrap();
        out
    }

    #[test]
    fn longs_are_zig_zag_varints_as_the_specification_lists_them() {
        // The specification's table: 0 → 00, -1 → 01, 1 → 02, -2 → 03, 2 → 04, -64 → 7f, 64 → 80 01.
        for (n, expected) in [
            (0, vec![0x00]),
            (-1, vec![0x01]),
            (1, vec![0x02]),
            (-2, vec![0x03]),
            (2, vec![0x04]),
            (-64, vec![0x7f]),
            (64, vec![0x80, 0x01]),
            (8192, vec![0x80, 0x80, 0x01]),
        ] {
            assert_eq!(bytes(&Schema::Long, json!(n)), expected, "{n}");
            assert_eq!(bytes(&Schema::Int, json!(n)), expected, "{n}");
        }
        let mut out = Vec::new();
        write_long(&mut out, i64::MIN);
        assert_eq!(
            out,
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
        );
    }

    #[test]
    fn primitives_follow_the_specification() {
        assert_eq!(
            bytes(&Schema::String, json!("foo")),
            [0x06, 0x66, 0x6f, 0x6f]
        );
        assert_eq!(bytes(&Schema::Boolean, json!(true)), [1]);
        assert_eq!(bytes(&Schema::Null, Json::Null), Vec::<u8>::new());
        assert_eq!(bytes(&Schema::Double, json!(1.0)), 1.0f64.to_le_bytes());
        // An integer written as a JSON integer is still a double when the schema says so.
        assert_eq!(bytes(&Schema::Double, json!(3)), 3.0f64.to_le_bytes());
        let uuid = Schema::Logical {
            base: Box::new(Schema::String),
            logical: "uuid",
        };
        assert_eq!(bytes(&uuid, json!("a")), [0x02, b'a']);
    }

    #[test]
    fn enums_unions_arrays_and_records_follow_the_specification() {
        let kind = Schema::Enum {
            name: "kind".into(),
            symbols: vec!["person".into(), "car".into()],
        };
        assert_eq!(bytes(&kind, json!("car")), [0x02]);
        // The specification's example: ["null","string"] with "a" is 02 02 61; null is 00.
        let union = Schema::Union(vec![Schema::Null, Schema::String]);
        assert_eq!(bytes(&union, json!("a")), [0x02, 0x02, 0x61]);
        assert_eq!(bytes(&union, Json::Null), [0x00]);
        // The specification's example: an array of longs [3, 27] is 04 06 36 00.
        let array = Schema::Array(Box::new(Schema::Long));
        assert_eq!(bytes(&array, json!([3, 27])), [0x04, 0x06, 0x36, 0x00]);
        assert_eq!(bytes(&array, json!([])), [0x00]);
        // The specification's example: record {a: long, b: string} with a=27, b="foo" is 36 06 66 6f 6f.
        let record = Schema::Record {
            name: "test".into(),
            fields: vec![
                Field {
                    name: "a".into(),
                    schema: Schema::Long,
                    default_null: false,
                },
                Field {
                    name: "b".into(),
                    schema: Schema::String,
                    default_null: false,
                },
            ],
        };
        assert_eq!(
            bytes(&record, json!({"b": "foo", "a": 27})),
            [0x36, 0x06, 0x66, 0x6f, 0x6f]
        );
        let tuple = Schema::Tuple {
            members: vec![Schema::Long, Schema::String],
            positions: vec![Schema::String, Schema::Long],
        };
        assert_eq!(
            bytes(&tuple, json!(["a", 1])),
            [0x04, 0x02, 0x02, 0x61, 0x00, 0x02, 0x00]
        );
    }

    #[test]
    fn a_value_that_does_not_fit_is_a_mismatch_that_says_where() {
        let mut out = Vec::new();
        let err = encode(&mut out, &Schema::Long, &json!("x"), "payload.n").unwrap_err();
        assert_eq!(
            err.0,
            "payload.n: \"x\" does not fit the Avro type \"long\""
        );
        assert!(encode(&mut out, &Schema::Int, &json!(1u64 << 40), "n").is_err());
    }

    #[test]
    fn the_json_of_a_schema_is_what_a_registry_receives() {
        let record = Schema::Record {
            name: "Detection".into(),
            fields: vec![Field {
                name: "n".into(),
                schema: Schema::Union(vec![Schema::Null, Schema::Long]),
                default_null: true,
            }],
        };
        assert_eq!(
            record.to_json(Some("com.example")).to_string(),
            r#"{"type":"record","name":"Detection","namespace":"com.example","fields":[{"name":"n","type":["null","long"],"default":null}]}"#
        );
    }
}
