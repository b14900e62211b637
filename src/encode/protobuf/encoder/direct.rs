//! The Protobuf encoding of the renderer's JSON text in one pass over it, directed by
//! the message, building no [`serde_json::Value`]: the hot path of an encoded stream.
//!
//! It writes exactly the bytes [`super::encode`] writes for the value the text parses
//! to, or gives up (`None`) where it does not handle the text; the caller then drops
//! what it wrote and takes the value path, which also says any mismatch. An object's
//! keys must come in field-number order (as the renderer writes a derived message's:
//! payload order), fields left out allowed; a key out of that order or of no field
//! gives up (a user's `.proto` numbered otherwise). A scalar is read as
//! [`crate::encode::json::parse`] reads it and written by the value path's own
//! [`Encoder::scalar`], except strings (`string`, `bytes`, an enum's name, an RFC 3339
//! timestamp), written from the borrowed text the same way.

use super::{
    Encoder, Kind, LEN, Label, Slot, delimited, drop_default, rfc3339, tag, timestamp, wire_type,
    write_varint,
};
use crate::encode::avro::Mismatch;
use crate::encode::json::{Leaf, Reader};

/// Gives up inside [`delimited`], which wants a `Result` (an empty text allocates
/// nothing).
fn give_up() -> Mismatch {
    Mismatch(String::new())
}

impl Encoder {
    /// Appends the encoding of the JSON text `text`, without framing: exactly what
    /// [`super::encode`] appends for the value `text` parses to. `None` when this pass
    /// does not handle the text (see the module's header), with part of the value
    /// possibly appended: truncate `out` and take the value path.
    pub fn encode_text(&self, out: &mut Vec<u8>, text: &[u8]) -> Option<()> {
        let mut reader = Reader::new(text)?;
        self.body_text(&mut reader, out, 0)?;
        reader.end().then_some(())
    }

    fn body_text(&self, reader: &mut Reader<'_>, out: &mut Vec<u8>, index: usize) -> Option<()> {
        reader.eat(b'{')?;
        if reader.eat(b'}').is_some() {
            return Some(());
        }
        let fields = &self.messages[index].fields;
        let mut next = 0;
        loop {
            // The key is most often the next field's, spelled plainly.
            let at = match fields.get(next) {
                Some(slot) if reader.plain_key(&slot.name) => next,
                Some(_) | None => {
                    let name = reader.key()?;
                    next + fields[next..].iter().position(|s| *s.name == *name)?
                }
            };
            let slot = &fields[at];
            next = at + 1;
            self.field_text(reader, out, slot)?;
            if reader.eat(b'}').is_some() {
                return Some(());
            }
            reader.eat(b',')?;
        }
    }

    fn field_text(&self, reader: &mut Reader<'_>, out: &mut Vec<u8>, slot: &Slot) -> Option<()> {
        match (slot.label, reader.next_byte()?) {
            (Label::Repeated, b'[') => {
                reader.eat(b'[')?;
                if reader.eat(b']').is_some() {
                    return Some(());
                }
                if !slot.packed {
                    return self.items_text(reader, out, slot, true);
                }
                tag(out, slot.number, LEN);
                delimited(out, |out| {
                    self.items_text(reader, out, slot, false)
                        .ok_or_else(give_up)
                })
                .ok()
            }
            (Label::Repeated, _) => None,
            (Label::Optional | Label::Singular, b'n') => {
                let Leaf::Null = reader.leaf()? else {
                    return None;
                };
                let absent = slot.label == Label::Optional
                    || matches!(slot.kind, Kind::Message(_) | Kind::Timestamp);
                absent.then_some(())
            }
            (Label::Optional | Label::Singular, _) => {
                let start = out.len();
                tag(out, slot.number, wire_type(slot.kind));
                let value_start = out.len();
                self.scalar_text(reader, out, slot.kind)?;
                drop_default(out, slot, start, value_start);
                Some(())
            }
        }
    }

    /// The items of a non-empty list after its `[`, through its `]`; each after its
    /// field's tag when `tagged` (not packed).
    fn items_text(
        &self,
        reader: &mut Reader<'_>,
        out: &mut Vec<u8>,
        slot: &Slot,
        tagged: bool,
    ) -> Option<()> {
        loop {
            if tagged {
                tag(out, slot.number, wire_type(slot.kind));
            }
            self.scalar_text(reader, out, slot.kind)?;
            if reader.eat(b']').is_some() {
                return Some(());
            }
            reader.eat(b',')?;
        }
    }

    /// One value of `kind` (no tag).
    fn scalar_text(&self, reader: &mut Reader<'_>, out: &mut Vec<u8>, kind: Kind) -> Option<()> {
        let open = reader.next_byte()?;
        if open != b'{' && open != b'[' {
            return self.leaf_text(out, kind, reader.leaf()?);
        }
        // Only a message is an object, and nothing is a list here.
        let (Kind::Message(m), b'{') = (kind, open) else {
            return None;
        };
        delimited(out, |out| {
            self.body_text(reader, out, m).ok_or_else(give_up)
        })
        .ok()
    }

    /// A scalar of `kind`: a string from its borrowed text, the rest by
    /// [`Encoder::scalar`].
    fn leaf_text(&self, out: &mut Vec<u8>, kind: Kind, leaf: Leaf<'_>) -> Option<()> {
        if let Leaf::String(text) = &leaf {
            match kind {
                Kind::String | Kind::Bytes => {
                    write_varint(out, text.len() as u64);
                    out.extend_from_slice(text.as_bytes());
                    return Some(());
                }
                Kind::Enum(e) => {
                    let (_, number) = self.enums[e].iter().find(|(n, _)| **n == **text)?;
                    write_varint(out, *number as i64 as u64);
                    return Some(());
                }
                Kind::Timestamp => return timestamp(out, rfc3339(text)?).ok(),
                Kind::Double
                | Kind::Float
                | Kind::Int32
                | Kind::Int64
                | Kind::Uint32
                | Kind::Uint64
                | Kind::Sint32
                | Kind::Sint64
                | Kind::Fixed32
                | Kind::Fixed64
                | Kind::Sfixed32
                | Kind::Sfixed64
                | Kind::Bool
                | Kind::Message(_) => {}
            }
        }
        self.scalar(out, kind, &leaf.into_json(), &super::At::Root)
            .ok()
    }
}
