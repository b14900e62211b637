//! The Protobuf binary encoding of a JSON value by a message, as the encoding guide
//! says: each field a tag (number and wire type) then its value; varints, zig-zag for
//! `sint*`, little-endian fixed widths, length-delimited strings, bytes and messages;
//! repeated scalars packed unless the field says otherwise; fields in number order, as
//! the reference serializers write them.
//!
//! A message is compiled once into an [`Encoder`] (types resolved to indexes, fields
//! sorted by number), so that encoding allocates nothing per field: a nested message
//! is written in place after a one-byte length, moved along only when its length needs
//! more bytes, and a value's path is spelled only when it does not fit. `direct` writes
//! the same bytes from the JSON text in one pass, where it can.

use std::collections::BTreeMap;

use chrono::DateTime;
use serde_json::Value as Json;

use super::{Declared, File, Label, TIMESTAMP, Type};
use crate::encode::avro::Mismatch;

mod direct;

/// A message compiled for encoding, with every type it reaches.
#[derive(Debug, Clone)]
pub struct Encoder {
    /// The messages reached, the root first.
    messages: Vec<Compiled>,
    /// The enums reached: each value's name and number.
    enums: Vec<Vec<(String, i32)>>,
}

#[derive(Debug, Clone)]
struct Compiled {
    /// Its fields, by number.
    fields: Vec<Slot>,
}

#[derive(Debug, Clone)]
struct Slot {
    name: String,
    number: u32,
    kind: Kind,
    label: Label,
    packed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Double,
    Float,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Sint32,
    Sint64,
    Fixed32,
    Fixed64,
    Sfixed32,
    Sfixed64,
    Bool,
    String,
    Bytes,
    Enum(usize),
    Message(usize),
    Timestamp,
}

impl Encoder {
    /// Compiles the message of full name `message` declared in `files` (the file and
    /// the files it imports), or says which type is missing.
    pub fn new(files: &[File], message: &str) -> Result<Encoder, String> {
        let mut declared = BTreeMap::new();
        for file in files {
            declared.extend(file.declarations());
        }
        let mut compiler = Compiler {
            declared,
            messages: BTreeMap::new(),
            enums: BTreeMap::new(),
            out: Encoder {
                messages: Vec::new(),
                enums: Vec::new(),
            },
        };
        compiler.message(message)?;
        Ok(compiler.out)
    }
}

struct Compiler<'f> {
    declared: BTreeMap<String, Declared<'f>>,
    /// Messages and enums compiled so far, by full name: their index.
    messages: BTreeMap<String, usize>,
    enums: BTreeMap<String, usize>,
    out: Encoder,
}

impl Compiler<'_> {
    fn message(&mut self, full: &str) -> Result<usize, String> {
        if let Some(&index) = self.messages.get(full) {
            return Ok(index);
        }
        let Some(Declared::Message(message)) = self.declared.get(full).copied() else {
            return Err(format!("no message `{full}` is declared"));
        };
        let index = self.out.messages.len();
        self.messages.insert(full.to_string(), index);
        self.out.messages.push(Compiled { fields: Vec::new() });
        let mut fields = Vec::new();
        for field in &message.fields {
            let kind = match &field.ty {
                Type::Double => Kind::Double,
                Type::Float => Kind::Float,
                Type::Int32 => Kind::Int32,
                Type::Int64 => Kind::Int64,
                Type::Uint32 => Kind::Uint32,
                Type::Uint64 => Kind::Uint64,
                Type::Sint32 => Kind::Sint32,
                Type::Sint64 => Kind::Sint64,
                Type::Fixed32 => Kind::Fixed32,
                Type::Fixed64 => Kind::Fixed64,
                Type::Sfixed32 => Kind::Sfixed32,
                Type::Sfixed64 => Kind::Sfixed64,
                Type::Bool => Kind::Bool,
                Type::String => Kind::String,
                Type::Bytes => Kind::Bytes,
                Type::Timestamp => Kind::Timestamp,
                Type::Message(name) if name == TIMESTAMP.0 => Kind::Timestamp,
                Type::Message(name) => Kind::Message(self.message(name)?),
                Type::Enum(name) => Kind::Enum(self.enumeration(name)?),
            };
            fields.push(Slot {
                name: field.name.clone(),
                number: field.number,
                kind,
                label: field.label,
                packed: field.packed && packable(kind),
            });
        }
        fields.sort_by_key(|f| f.number);
        self.out.messages[index].fields = fields;
        Ok(index)
    }

    fn enumeration(&mut self, full: &str) -> Result<usize, String> {
        if let Some(&index) = self.enums.get(full) {
            return Ok(index);
        }
        let Some(Declared::Enum(e)) = self.declared.get(full).copied() else {
            return Err(format!("no enum `{full}` is declared"));
        };
        let index = self.out.enums.len();
        self.enums.insert(full.to_string(), index);
        self.out.enums.push(e.values.clone());
        Ok(index)
    }
}

/// Whether a repeated field of this kind may be packed (a scalar of a numeric wire type).
fn packable(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::String | Kind::Bytes | Kind::Message(_) | Kind::Timestamp
    )
}

/// Appends `n` as a varint.
pub fn write_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// `n` zig-zag encoded (0 → 0, -1 → 1, 1 → 2, …), as `sint64` and message indexes are.
pub fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn varint_len(n: u64) -> usize {
    (64 - (n | 1).leading_zeros() as usize).div_ceil(7)
}

/// Appends `value` encoded by `message`, without framing.
pub fn encode(out: &mut Vec<u8>, message: &Encoder, value: &Json) -> Result<(), Mismatch> {
    message.body(out, 0, value, &At::Root)
}

/// Where a value is, spelled only for a mismatch.
#[derive(Clone, Copy)]
enum At<'a> {
    Root,
    Field(&'a At<'a>, &'a str),
    Item(&'a At<'a>, usize),
}

impl At<'_> {
    fn spell(&self) -> String {
        match self {
            At::Root => "value".to_string(),
            At::Field(parent, name) => format!("{}.{name}", parent.spell()),
            At::Item(parent, i) => format!("{}[{i}]", parent.spell()),
        }
    }
}

/// Runs `body`, which appends to `out`, and puts its length in front of what it wrote.
fn delimited(
    out: &mut Vec<u8>,
    body: impl FnOnce(&mut Vec<u8>) -> Result<(), Mismatch>,
) -> Result<(), Mismatch> {
    let start = out.len();
    out.push(0);
    body(out)?;
    let len = out.len() - start - 1;
    let width = varint_len(len as u64);
    if width > 1 {
        let end = out.len();
        out.resize(end + width - 1, 0);
        out.copy_within(start + 1..end, start + width);
    }
    let mut n = len as u64;
    for byte in &mut out[start..start + width] {
        *byte = (n as u8 & 0x7F) | if n >= 0x80 { 0x80 } else { 0 };
        n >>= 7;
    }
    Ok(())
}

const VARINT: u32 = 0;
const I64: u32 = 1;
const LEN: u32 = 2;
const I32: u32 = 5;

fn wire_type(kind: Kind) -> u32 {
    match kind {
        Kind::Int32
        | Kind::Int64
        | Kind::Uint32
        | Kind::Uint64
        | Kind::Sint32
        | Kind::Sint64
        | Kind::Bool
        | Kind::Enum(_) => VARINT,
        Kind::Double | Kind::Fixed64 | Kind::Sfixed64 => I64,
        Kind::Float | Kind::Fixed32 | Kind::Sfixed32 => I32,
        Kind::String | Kind::Bytes | Kind::Message(_) | Kind::Timestamp => LEN,
    }
}

fn tag(out: &mut Vec<u8>, number: u32, wire: u32) {
    write_varint(out, u64::from(number << 3 | wire));
}

impl Encoder {
    fn body(&self, out: &mut Vec<u8>, index: usize, value: &Json, at: &At) -> Result<(), Mismatch> {
        let Json::Object(values) = value else {
            return Err(Mismatch(format!(
                "{}: {value} is not an object, which a message is",
                at.spell()
            )));
        };
        let fields = &self.messages[index].fields;
        let mut seen = 0;
        // The renderer writes a payload's fields in field-number order, as a derived
        // message numbers them: take the next entry when it is the field, and look it
        // up only when it is not.
        let mut entries = values.iter().peekable();
        for slot in fields {
            let item = (entries.next_if(|(name, _)| **name == slot.name))
                .map(|(_, item)| item)
                .or_else(|| values.get(&slot.name));
            let Some(item) = item else {
                continue;
            };
            seen += 1;
            self.field(out, slot, item, &At::Field(at, &slot.name))?;
        }
        if seen < values.len() {
            let unknown = values
                .keys()
                .find(|k| !fields.iter().any(|f| &f.name == *k));
            if let Some(name) = unknown {
                return Err(Mismatch(format!(
                    "{}: the message has no field `{name}`",
                    at.spell()
                )));
            }
        }
        Ok(())
    }

    fn field(&self, out: &mut Vec<u8>, slot: &Slot, value: &Json, at: &At) -> Result<(), Mismatch> {
        match (slot.label, value) {
            (Label::Repeated, Json::Array(items)) => {
                if items.is_empty() {
                    return Ok(());
                }
                if slot.packed {
                    tag(out, slot.number, LEN);
                    return delimited(out, |out| {
                        for (i, item) in items.iter().enumerate() {
                            self.scalar(out, slot.kind, item, &At::Item(at, i))?;
                        }
                        Ok(())
                    });
                }
                for (i, item) in items.iter().enumerate() {
                    tag(out, slot.number, wire_type(slot.kind));
                    self.scalar(out, slot.kind, item, &At::Item(at, i))?;
                }
                Ok(())
            }
            (Label::Repeated, _) => Err(Mismatch(format!(
                "{}: {value} is not a list, which a repeated field is",
                at.spell()
            ))),
            (Label::Optional, Json::Null) => Ok(()),
            (Label::Singular, Json::Null) => match slot.kind {
                Kind::Message(_) | Kind::Timestamp => Ok(()),
                _ => Err(Mismatch(format!(
                    "{}: null, which only an `optional` field can be (by being left out)",
                    at.spell()
                ))),
            },
            (Label::Optional | Label::Singular, _) => {
                let start = out.len();
                tag(out, slot.number, wire_type(slot.kind));
                let value_start = out.len();
                self.scalar(out, slot.kind, value, at)?;
                drop_default(out, slot, start, value_start);
                Ok(())
            }
        }
    }

    /// Appends one value of `kind` (no tag).
    fn scalar(&self, out: &mut Vec<u8>, kind: Kind, value: &Json, at: &At) -> Result<(), Mismatch> {
        let wrong = || {
            let ty = match kind {
                Kind::Enum(_) => "an enum".to_string(),
                Kind::Message(_) => "a message".to_string(),
                Kind::Timestamp => TIMESTAMP.0.to_string(),
                other => format!("{other:?}").to_lowercase(),
            };
            Mismatch(format!(
                "{}: {value} does not fit the Protobuf type {ty}",
                at.spell()
            ))
        };
        let int = |lo: i64, hi: i64| {
            value
                .as_i64()
                .filter(|n| (lo..=hi).contains(n))
                .ok_or_else(wrong)
        };
        match kind {
            Kind::Double => out.extend_from_slice(&value.as_f64().ok_or_else(wrong)?.to_le_bytes()),
            Kind::Float => {
                out.extend_from_slice(&(value.as_f64().ok_or_else(wrong)? as f32).to_le_bytes());
            }
            Kind::Int32 => write_varint(out, int(i32::MIN.into(), i32::MAX.into())? as u64),
            Kind::Int64 => write_varint(out, int(i64::MIN, i64::MAX)? as u64),
            Kind::Uint32 => write_varint(out, int(0, u32::MAX.into())? as u64),
            Kind::Uint64 => write_varint(out, value.as_u64().ok_or_else(wrong)?),
            Kind::Sint32 => write_varint(out, zigzag(int(i32::MIN.into(), i32::MAX.into())?)),
            Kind::Sint64 => write_varint(out, zigzag(int(i64::MIN, i64::MAX)?)),
            Kind::Fixed32 => {
                out.extend_from_slice(&(int(0, u32::MAX.into())? as u32).to_le_bytes())
            }
            Kind::Fixed64 => {
                out.extend_from_slice(&value.as_u64().ok_or_else(wrong)?.to_le_bytes())
            }
            Kind::Sfixed32 => {
                out.extend_from_slice(
                    &(int(i32::MIN.into(), i32::MAX.into())? as i32).to_le_bytes(),
                );
            }
            Kind::Sfixed64 => out.extend_from_slice(&int(i64::MIN, i64::MAX)?.to_le_bytes()),
            Kind::Bool => out.push(u8::from(value.as_bool().ok_or_else(wrong)?)),
            Kind::String | Kind::Bytes => {
                let text = value.as_str().ok_or_else(wrong)?;
                write_varint(out, text.len() as u64);
                out.extend_from_slice(text.as_bytes());
            }
            Kind::Enum(e) => {
                let values = &self.enums[e];
                let number = match value {
                    Json::String(name) => values.iter().find(|(n, _)| n == name).map(|v| v.1),
                    _ => value.as_i64().and_then(|n| i32::try_from(n).ok()),
                };
                write_varint(out, number.ok_or_else(wrong)? as i64 as u64);
            }
            Kind::Message(m) => delimited(out, |out| self.body(out, m, value, at))?,
            Kind::Timestamp => timestamp(out, instant(value).ok_or_else(wrong)?)?,
        }
        Ok(())
    }
}

/// After a singular field's tag (at `start`) and value (at `value_start`) were written:
/// proto3's implicit presence, a scalar whose encoding is all zero bytes (0, "", false,
/// the enum value 0, a float's +0.0 but not its -0.0) is its default, which is not
/// written.
fn drop_default(out: &mut Vec<u8>, slot: &Slot, start: usize, value_start: usize) {
    let implicit =
        slot.label == Label::Singular && !matches!(slot.kind, Kind::Message(_) | Kind::Timestamp);
    if implicit && out[value_start..].iter().all(|b| *b == 0) {
        out.truncate(start);
    }
}

/// Appends a `google.protobuf.Timestamp` of `(seconds, nanos)`, length-delimited.
fn timestamp(out: &mut Vec<u8>, (seconds, nanos): (i64, i32)) -> Result<(), Mismatch> {
    delimited(out, |out| {
        if seconds != 0 {
            tag(out, 1, VARINT);
            write_varint(out, seconds as u64);
        }
        if nanos != 0 {
            tag(out, 2, VARINT);
            write_varint(out, i64::from(nanos) as u64);
        }
        Ok(())
    })
}

/// The seconds and nanoseconds of an RFC 3339 text.
fn rfc3339(text: &str) -> Option<(i64, i32)> {
    let t = DateTime::parse_from_rfc3339(text).ok()?;
    Some((t.timestamp(), t.timestamp_subsec_nanos() as i32))
}

/// The seconds and nanoseconds of a timestamp value: an integer of milliseconds since
/// the Unix epoch, or an RFC 3339 text.
fn instant(value: &Json) -> Option<(i64, i32)> {
    match value {
        Json::String(text) => rfc3339(text),
        _ => {
            let ms = value.as_i64()?;
            Some((
                ms.div_euclid(1000),
                (ms.rem_euclid(1000) * 1_000_000) as i32,
            ))
        }
    }
}
