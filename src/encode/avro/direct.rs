//! The Avro encoding of the renderer's JSON text in one pass over it, directed by the
//! schema, building no [`serde_json::Value`]: the hot path of an encoded stream.
//!
//! It writes exactly the bytes [`super::encode_with`] writes for the value the text
//! parses to, or gives up (`None`) where it does not handle the text; the caller then
//! drops what it wrote and takes the value path, which also says any mismatch. It
//! handles what the renderer writes for a derived schema: a record's fields as the
//! schema orders them (the payload's order), every one present and no other; lists;
//! tuples; unions. A scalar is read as [`crate::encode::json::parse`] reads it and
//! written by the value path's own code ([`super::write`], and [`super::branch`] for a
//! union), so the two agree by construction; only strings (`string`, an `enum`, a union
//! of `null` and one type) and the walk through records and lists are its own. It gives
//! up on: fields in another order (a user's `.avsc` that orders them otherwise),
//! missing (written by their default) or unknown; a map; an object or a list where a
//! union has more than one branch that could hold it; anything that does not fit.

use serde_json::Value as Json;

use super::{Field, Path, Schema, branch, member, number, write, write_bytes, write_long};
use crate::encode::json::{Leaf, Reader};

/// Appends the encoding of the JSON text `text` by `schema`, whose [`Schema::Ref`]s point
/// into `named`: exactly what [`super::encode_with`] appends for the value `text` parses
/// to. `None` when this pass does not handle the text (see the module's header), with
/// part of the value possibly appended: truncate `out` and take the value path.
pub fn encode_text(
    out: &mut Vec<u8>,
    schema: &Schema,
    named: &[Schema],
    text: &[u8],
) -> Option<()> {
    let mut reader = Reader::new(text)?;
    value(&mut reader, out, schema, named)?;
    reader.end().then_some(())
}

/// Where a scalar is said to be when the value path's code writes it: never spelled,
/// since a mismatch here gives up.
const AT: Path<'static> = Path::Root("value");

fn value(
    reader: &mut Reader<'_>,
    out: &mut Vec<u8>,
    schema: &Schema,
    named: &[Schema],
) -> Option<()> {
    match reader.next_byte()? {
        b'{' | b'[' => compound(reader, out, schema, named),
        _ => leaf(out, schema, named, reader.leaf()?),
    }
}

/// A scalar by `schema`: strings by their borrowed text, the rest by the value path.
fn leaf(out: &mut Vec<u8>, schema: &Schema, named: &[Schema], leaf: Leaf<'_>) -> Option<()> {
    match schema {
        Schema::String => {
            if let Leaf::String(text) = &leaf {
                write_bytes(out, text.as_bytes());
                return Some(());
            }
        }
        Schema::Enum { symbols, .. } => {
            if let Leaf::String(text) = &leaf {
                let index = symbols.iter().position(|s| *s == **text)?;
                write_long(out, index as i64);
                return Some(());
            }
        }
        Schema::Int | Schema::Long | Schema::Float | Schema::Double => {
            if let Leaf::Number(n) = &leaf {
                return number(out, schema, n);
            }
        }
        Schema::Logical { base, .. } => return self::leaf(out, base, named, leaf),
        Schema::Union(branches) => return union_leaf(out, branches, named, leaf),
        Schema::Null
        | Schema::Boolean
        | Schema::Bytes
        | Schema::Fixed { .. }
        | Schema::Decimal { .. }
        | Schema::Array(_)
        | Schema::Tuple { .. }
        | Schema::Map(_)
        | Schema::Ref { .. }
        | Schema::Record { .. } => {}
    }
    write(out, schema, named, &leaf.into_json(), &AT).ok()
}

/// A scalar by a union: the branch [`branch`] picks. In a union of `null` and one other
/// type, a value other than null can only be the other's, and null is picked without
/// building a string.
fn union_leaf(
    out: &mut Vec<u8>,
    branches: &[Schema],
    named: &[Schema],
    item: Leaf<'_>,
) -> Option<()> {
    let nullable = match branches {
        [Schema::Null, other] => Some((1, other)),
        [other, Schema::Null] => Some((0, other)),
        _ => None,
    };
    if let Some((index, other)) = nullable.filter(|_| !matches!(item, Leaf::Null)) {
        write_long(out, index);
        return leaf(out, other, named, item);
    }
    let item = item.into_json();
    let index = branch(branches, named, &item)?;
    write_long(out, index as i64);
    write(out, &branches[index], named, &item, &AT).ok()
}

/// An object or a list by `schema`.
fn compound(
    reader: &mut Reader<'_>,
    out: &mut Vec<u8>,
    schema: &Schema,
    named: &[Schema],
) -> Option<()> {
    match schema {
        Schema::Record { fields, .. } => record(reader, out, fields, named),
        Schema::Array(items) => array(reader, out, items, named),
        Schema::Tuple { members, positions } => tuple(reader, out, members, positions, named),
        Schema::Union(branches) => {
            let index = holder(branches, named, reader.next_byte()?)?;
            write_long(out, index as i64);
            compound(reader, out, &branches[index], named)
        }
        Schema::Ref { index, .. } => compound(reader, out, named.get(*index)?, named),
        Schema::Logical { base, .. } => compound(reader, out, base, named),
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
        | Schema::Map(_) => None,
    }
}

/// The one branch that could hold a value opening with `open` (`{` or `[`): the one
/// [`branch`] would pick if the value fits it at all. `None` when there are several.
fn holder(branches: &[Schema], named: &[Schema], open: u8) -> Option<usize> {
    let mut found = None;
    for (i, b) in branches.iter().enumerate() {
        if opens(b, named, open) {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

/// Whether a value opening with `open` could fit `schema` (any type that a JSON object
/// or list can fit, when it does).
fn opens(schema: &Schema, named: &[Schema], open: u8) -> bool {
    match schema {
        Schema::Record { .. } | Schema::Map(_) => open == b'{',
        Schema::Array(_) | Schema::Tuple { .. } => open == b'[',
        Schema::Ref { index, .. } => named.get(*index).is_some_and(|t| opens(t, named, open)),
        Schema::Logical { base, .. } | Schema::Decimal { base, .. } => opens(base, named, open),
        Schema::Union(members) => members.iter().any(|m| opens(m, named, open)),
        Schema::Null
        | Schema::Boolean
        | Schema::Int
        | Schema::Long
        | Schema::Float
        | Schema::Double
        | Schema::Bytes
        | Schema::String
        | Schema::Fixed { .. }
        | Schema::Enum { .. } => false,
    }
}

/// A record: the object's keys must be the fields, in order.
fn record(
    reader: &mut Reader<'_>,
    out: &mut Vec<u8>,
    fields: &[Field],
    named: &[Schema],
) -> Option<()> {
    reader.eat(b'{')?;
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            reader.eat(b',')?;
        }
        if !reader.plain_key(&field.name) && *reader.key()? != *field.name {
            return None;
        }
        value(reader, out, &field.schema, named)?;
    }
    reader.eat(b'}')
}

/// An array: one block of the items (its count put before them once known), then 0.
fn array(
    reader: &mut Reader<'_>,
    out: &mut Vec<u8>,
    items: &Schema,
    named: &[Schema],
) -> Option<()> {
    reader.eat(b'[')?;
    if reader.eat(b']').is_none() {
        let start = out.len();
        out.push(0);
        let mut count = 0;
        loop {
            value(reader, out, items, named)?;
            count += 1;
            if reader.eat(b']').is_some() {
                break;
            }
            reader.eat(b',')?;
        }
        let mut prefix = Vec::with_capacity(10);
        write_long(&mut prefix, count);
        out.splice(start..=start, prefix);
    }
    out.push(0);
    Some(())
}

/// A [`Schema::Tuple`]: as many items as positions, each the member its position (or the
/// branch of it the item fits) is, as [`super::tuple`] writes them.
fn tuple(
    reader: &mut Reader<'_>,
    out: &mut Vec<u8>,
    members: &[Schema],
    positions: &[Schema],
    named: &[Schema],
) -> Option<()> {
    reader.eat(b'[')?;
    if !positions.is_empty() {
        write_long(out, positions.len() as i64);
    }
    for (i, position) in positions.iter().enumerate() {
        if i > 0 {
            reader.eat(b',')?;
        }
        let open = reader.next_byte()?;
        if open == b'{' || open == b'[' {
            let chosen = match position {
                Schema::Union(branches) => &branches[holder(branches, named, open)?],
                other => other,
            };
            let index = member(members, chosen)?;
            write_long(out, index as i64);
            compound(reader, out, &members[index], named)?;
        } else {
            let item: Json = reader.leaf()?.into_json();
            let chosen = match position {
                Schema::Union(branches) => &branches[branch(branches, named, &item)?],
                other => other,
            };
            let index = member(members, chosen)?;
            write_long(out, index as i64);
            write(out, &members[index], named, &item, &AT).ok()?;
        }
    }
    reader.eat(b']')?;
    out.push(0);
    Some(())
}
