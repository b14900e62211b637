//! Protobuf values (issue 24): a `.proto` file as typed data (this module), the file
//! derived from a stream's payload (`derive`), its `.proto` text (`text`), the binary
//! encoding of a JSON value by one of its messages (`encoder`), a user's `.proto` file
//! read in-process by protox and checked against the payload (`load`, `check`), and
//! the message-index array the Confluent wire format puts before a Protobuf body.
//!
//! Derived and user schemas become the same [`File`]: types name other types by their
//! full name (`com.example.Event.Bbox`, no leading dot), so a user file's fields may
//! name messages of its imports (passed beside it as further [`File`]s).

mod check;
mod derive;
mod encoder;
mod load;
mod text;

pub use check::check;
pub use derive::derive;
pub use encoder::{Encoder, encode, write_varint, zigzag};
pub use load::{Import, Loaded, is_known_dependency, load};
pub use text::to_proto;

/// One `.proto` file: its package, imports and top-level types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The package (`com.example`), empty for none.
    pub package: String,
    /// The files it imports, as written (`google/protobuf/timestamp.proto`).
    pub imports: Vec<String>,
    /// Its top-level messages, in order (the first index of a message index array).
    pub messages: Vec<Message>,
    /// Its top-level enums, in order.
    pub enums: Vec<Enum>,
}

/// A message type: its fields and the types nested in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Its simple name (`Bbox`).
    pub name: String,
    /// Its fields, in the order written (numbers need not be in order).
    pub fields: Vec<Field>,
    /// The messages nested in it, in order (the later indexes of a message index array).
    pub messages: Vec<Message>,
    /// The enums nested in it, in order.
    pub enums: Vec<Enum>,
    /// Where it is declared in its `.proto` file (1-based line and column), when known.
    pub at: Option<(usize, usize)>,
}

/// One field of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its name (a valid identifier: the key of its value in the payload's JSON).
    pub name: String,
    /// Its number (1 ≤ n ≤ 536,870,911).
    pub number: u32,
    /// Its type.
    pub ty: Type,
    /// Whether it is singular, `optional` or `repeated`.
    pub label: Label,
    /// For a repeated scalar: whether it is written packed (proto3's default).
    pub packed: bool,
    /// Where it is declared in its `.proto` file (1-based line and column), when known.
    pub at: Option<(usize, usize)>,
}

/// A field's cardinality and presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// A proto3 singular field: a scalar equal to its default (0, "", false) is not
    /// written, and a reader sees the default; a message is written when present.
    Singular,
    /// A field with explicit presence (proto3 `optional`, a `oneof` member, a proto2
    /// non-repeated field): written whenever the value is not null, defaults included;
    /// a null value is the field left out.
    Optional,
    /// `repeated`: each item in order; none for an empty list.
    Repeated,
}

/// A field's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `double`: 8 bytes, little-endian.
    Double,
    /// `float`: 4 bytes, little-endian.
    Float,
    /// `int32`: a varint (a negative value as 10 bytes).
    Int32,
    /// `int64`: a varint (a negative value as 10 bytes).
    Int64,
    /// `uint32`: a varint.
    Uint32,
    /// `uint64`: a varint.
    Uint64,
    /// `sint32`: a zig-zag varint.
    Sint32,
    /// `sint64`: a zig-zag varint.
    Sint64,
    /// `fixed32`: 4 bytes, little-endian.
    Fixed32,
    /// `fixed64`: 8 bytes, little-endian.
    Fixed64,
    /// `sfixed32`: 4 bytes, little-endian.
    Sfixed32,
    /// `sfixed64`: 8 bytes, little-endian.
    Sfixed64,
    /// `bool`: a varint 0 or 1.
    Bool,
    /// `string`: length-delimited UTF-8.
    String,
    /// `bytes`: length-delimited; a JSON string's UTF-8 bytes.
    Bytes,
    /// An enum, by its full name: a JSON string is the value's name, a JSON integer
    /// its number.
    Enum(String),
    /// A message, by its full name: a JSON object, length-delimited.
    Message(String),
    /// `google.protobuf.Timestamp` (`seconds` 1, `nanos` 2) of a JSON integer
    /// (milliseconds since the Unix epoch) or an RFC 3339 text.
    Timestamp,
}

/// The full name of the well-known timestamp type, and the file that declares it.
pub const TIMESTAMP: (&str, &str) = (
    "google.protobuf.Timestamp",
    "google/protobuf/timestamp.proto",
);

/// An enum type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    /// Its simple name.
    pub name: String,
    /// Its values: name and number, in order.
    pub values: Vec<(String, i32)>,
}

impl Type {
    /// The type as a `.proto` file spells a scalar (`int32`); `None` for an enum, a
    /// message or a timestamp, which are named.
    pub fn scalar_name(&self) -> Option<&'static str> {
        Some(match self {
            Type::Double => "double",
            Type::Float => "float",
            Type::Int32 => "int32",
            Type::Int64 => "int64",
            Type::Uint32 => "uint32",
            Type::Uint64 => "uint64",
            Type::Sint32 => "sint32",
            Type::Sint64 => "sint64",
            Type::Fixed32 => "fixed32",
            Type::Fixed64 => "fixed64",
            Type::Sfixed32 => "sfixed32",
            Type::Sfixed64 => "sfixed64",
            Type::Bool => "bool",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::Enum(_) | Type::Message(_) | Type::Timestamp => return None,
        })
    }

    /// The type as a person reads it: `int32`, `enum com.example.Kind`, `message
    /// com.example.Event.Bbox`, `google.protobuf.Timestamp`.
    pub fn describe(&self) -> String {
        match self {
            Type::Enum(name) => format!("enum {name}"),
            Type::Message(name) => format!("message {name}"),
            Type::Timestamp => TIMESTAMP.0.to_string(),
            scalar => scalar.scalar_name().unwrap_or_default().to_string(),
        }
    }
}

impl File {
    /// The full name of a type named `name` declared in scope `scope` (a full name or
    /// the package).
    fn qualify(scope: &str, name: &str) -> String {
        match scope.is_empty() {
            true => name.to_string(),
            false => format!("{scope}.{name}"),
        }
    }

    /// The message of full name `full` declared in this file, with its path of indexes.
    pub fn find(&self, full: &str) -> Option<(&Message, Vec<i32>)> {
        fn walk<'m>(
            messages: &'m [Message],
            scope: &str,
            full: &str,
            path: &mut Vec<i32>,
        ) -> Option<&'m Message> {
            for (i, message) in messages.iter().enumerate() {
                let name = File::qualify(scope, &message.name);
                path.push(i as i32);
                if name == full {
                    return Some(message);
                }
                if full.starts_with(&format!("{name}.")) {
                    if let Some(found) = walk(&message.messages, &name, full, path) {
                        return Some(found);
                    }
                }
                path.pop();
            }
            None
        }
        let mut path = Vec::new();
        walk(&self.messages, &self.package, full, &mut path).map(|m| (m, path))
    }

    /// Every message and enum declared in this file, by full name, nested ones included.
    pub(crate) fn declarations(&self) -> Vec<(String, Declared<'_>)> {
        fn walk<'f>(
            messages: &'f [Message],
            enums: &'f [Enum],
            scope: &str,
            out: &mut Vec<(String, Declared<'f>)>,
        ) {
            for e in enums {
                out.push((File::qualify(scope, &e.name), Declared::Enum(e)));
            }
            for m in messages {
                let name = File::qualify(scope, &m.name);
                out.push((name.clone(), Declared::Message(m)));
                walk(&m.messages, &m.enums, &name, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.messages, &self.enums, &self.package, &mut out);
        out
    }
}

/// A type declared in a file.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Declared<'f> {
    Message(&'f Message),
    Enum(&'f Enum),
}

/// The message index array of the message of full name `full` in `file` (Confluent's
/// wire format): its index among the file's top-level messages, then among the
/// messages nested in that one, and so on; `None` when `file` declares no such message.
pub fn message_indexes(file: &File, full: &str) -> Option<Vec<i32>> {
    file.find(full).map(|(_, path)| path)
}

/// Appends a message index array as Confluent's serializers write it: the count, then
/// each index, all as zig-zag varints; `[0]` (the first top-level message, the usual
/// case) as the single byte 0.
pub fn write_message_indexes(out: &mut Vec<u8>, indexes: &[i32]) {
    if indexes == [0] {
        out.push(0);
        return;
    }
    write_varint(out, zigzag(indexes.len() as i64));
    for &index in indexes {
        write_varint(out, zigzag(i64::from(index)));
    }
}

#[cfg(test)]
mod tests;
