//! Protobuf schemas as the registry reads them: the `.proto` text (or a base64 serialized
//! `FileDescriptorProto`, as Confluent's serializers send) compiled in-process by
//! `protox`, its imports served from the schemas it references (by reference name,
//! the import path) and Google's well-known types built in; its identity (the compiled
//! file descriptor, so layout and comments do not matter); and compatibility as
//! Confluent's `ProtobufSchemaDiff` decides it: messages matched by name within the
//! package, fields by number, a field's message type (imported ones too) compared where
//! its name is kept; incompatible are a removed message
//! (`MESSAGE_REMOVED`), a field that became a message, map or scalar
//! (`FIELD_KIND_CHANGED`), a scalar outside its wire-compatible group
//! (`FIELD_SCALAR_KIND_CHANGED`: int32, int64, uint32, uint64, bool and enums; sint32,
//! sint64; string, bytes; fixed32, sfixed32; fixed64, sfixed64; float; double), another
//! message type (`FIELD_NAMED_TYPE_CHANGED`), a proto2 `required` field added or removed,
//! a oneof member removed, several fields moved into one oneof. Added and removed
//! fields, renamed fields and label changes between singular and repeated are
//! compatible, as there.

use std::collections::{BTreeMap, BTreeSet};

use prost_reflect::prost::Message;
use prost_reflect::prost_types::FileDescriptorProto;
use prost_reflect::{Cardinality, DescriptorPool, FieldDescriptor, Kind, MessageDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};

use super::problem::{Problem, Roles};

/// A compiled `.proto` schema.
#[derive(Debug, Clone)]
pub(crate) struct ProtoSchema {
    pool: DescriptorPool,
    /// The name the schema's own file was compiled under.
    main: String,
    /// Every file it imports, transitively, by import path (well-known types aside).
    pub imports: BTreeMap<String, String>,
}

/// Serves imports from the referenced schemas' texts.
struct Sources(BTreeMap<String, String>);

impl FileResolver for Sources {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        let Some(text) = self.0.get(name) else {
            return Err(protox::Error::file_not_found(name));
        };
        match from_base64(text) {
            Some(bytes) => {
                let mut proto = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| {
                    protox::Error::new(std::io::Error::other(format!(
                        "{name}: not a serialized FileDescriptorProto: {e}"
                    )))
                })?;
                proto.name = Some(name.to_string());
                Ok(File::from_file_descriptor_proto(proto))
            }
            None => File::from_source(name, text),
        }
    }
}

/// The bytes of `text` if it is standard base64 (as a serialized `FileDescriptorProto`
/// is sent; `.proto` text never is: it has spaces or semicolons).
fn from_base64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    if text.is_empty() || text.len() % 4 != 0 {
        return None;
    }
    let body = text.trim_end_matches('=');
    if text.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0);
    for c in body.bytes() {
        bits = (bits << 6) | u32::from(value(c)?);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Some(out)
}

/// Compiles `text`; `imports` maps an import path to the text of the referenced schema.
pub(crate) fn parse(text: &str, imports: &BTreeMap<String, String>) -> Result<ProtoSchema, String> {
    let mut main = "schema.proto".to_string();
    while imports.contains_key(&main) {
        main.insert(0, '_');
    }
    let mut sources = imports.clone();
    sources.insert(main.clone(), text.to_string());
    let mut resolver = ChainFileResolver::new();
    resolver.add(Sources(sources));
    resolver.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(resolver);
    compiler.open_file(&main).map_err(|e| e.to_string())?;
    Ok(ProtoSchema {
        pool: compiler.descriptor_pool(),
        main,
        imports: imports.clone(),
    })
}

impl ProtoSchema {
    fn file(&self) -> Option<prost_reflect::FileDescriptor> {
        self.pool.get_file_by_name(&self.main)
    }

    /// The identity of the schema: its compiled descriptor without the file's name (so
    /// whitespace, comments and the order of declarations' formatting do not matter).
    pub(crate) fn identity(&self) -> String {
        format!("{:?}", self.descriptor())
    }

    /// The compiled file without what does not make it another schema: its name, its
    /// source positions and comments, the JSON names derived from field names.
    fn descriptor(&self) -> FileDescriptorProto {
        let mut proto = self
            .file()
            .map(|f| f.file_descriptor_proto().clone())
            .unwrap_or_default();
        proto.name = None;
        proto.source_code_info = None;
        fn strip(message: &mut prost_reflect::prost_types::DescriptorProto) {
            message.field.iter_mut().for_each(|f| f.json_name = None);
            message.nested_type.iter_mut().for_each(strip);
        }
        proto.message_type.iter_mut().for_each(strip);
        proto
    }

    /// The compiled file as a serialized `FileDescriptorProto`, base64 (what
    /// `format=serialized` asks for, and what Confluent's Protobuf serializers send).
    pub(crate) fn serialized(&self) -> String {
        let mut proto = self
            .file()
            .map(|f| f.file_descriptor_proto().clone())
            .unwrap_or_default();
        proto.name = None;
        proto.source_code_info = None;
        let mut out = Vec::new();
        crate::encode::wire::write_base64(&mut out, &proto.encode_to_vec());
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The identity after normalisation: as [`ProtoSchema::identity`], with every
    /// message's fields in field-number order and the imports sorted.
    pub(crate) fn normalized(&self) -> String {
        let mut proto = self.descriptor();
        proto.dependency.sort();
        fn sort(message: &mut prost_reflect::prost_types::DescriptorProto) {
            message.field.sort_by_key(|f| f.number);
            message.nested_type.iter_mut().for_each(sort);
        }
        proto.message_type.iter_mut().for_each(sort);
        format!("{proto:?}")
    }
}

/// The message's name within its package.
fn local(message: &MessageDescriptor) -> String {
    let full = message.full_name();
    let package = message.package_name();
    match full.strip_prefix(package).and_then(|r| r.strip_prefix('.')) {
        Some(rest) if !package.is_empty() => rest.to_string(),
        _ => full.to_string(),
    }
}

/// A scalar's wire-compatible group.
fn group(kind: &Kind) -> &'static str {
    match kind {
        Kind::Int32 | Kind::Int64 | Kind::Uint32 | Kind::Uint64 | Kind::Bool | Kind::Enum(_) => {
            "number"
        }
        Kind::Sint32 | Kind::Sint64 => "signed",
        Kind::String | Kind::Bytes => "string",
        Kind::Fixed32 | Kind::Sfixed32 => "fixed32",
        Kind::Fixed64 | Kind::Sfixed64 => "fixed64",
        Kind::Float => "float",
        Kind::Double => "double",
        Kind::Message(_) => "message",
    }
}

/// Scalar, message or map.
fn shape(field: &FieldDescriptor) -> &'static str {
    if field.is_map() {
        "map"
    } else if matches!(field.kind(), Kind::Message(_)) {
        "message"
    } else {
        "scalar"
    }
}

/// Every reason `reader` cannot read data written with `writer` (none: compatible).
pub(crate) fn problems(reader: &ProtoSchema, writer: &ProtoSchema, _roles: Roles) -> Vec<Problem> {
    let mut out = Diff::default();
    let (Some(rf), Some(wf)) = (reader.file(), writer.file()) else {
        return out.problems;
    };
    let readers: BTreeMap<String, MessageDescriptor> =
        rf.messages().map(|m| (local(&m), m)).collect();
    for written in wf.messages() {
        let name = local(&written);
        match readers.get(&name) {
            Some(read) => message(read, &written, &format!("#/{name}"), &mut out),
            None => out.push(removed(&format!("#/{name}"))),
        }
    }
    out.problems
}

/// The problems found so far, and the pairs of messages compared (each once: types
/// may be recursive, and a field's type may be compared again from another field).
#[derive(Default)]
struct Diff {
    problems: Vec<Problem>,
    compared: BTreeSet<(String, String)>,
}

impl Diff {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}

fn removed(path: &str) -> Problem {
    Problem::new(
        "MESSAGE_REMOVED",
        format!(
            "A field of type MESSAGE at path: '{path}' in the writer schema is missing in the reader schema"
        ),
        path,
    )
}

fn message(reader: &MessageDescriptor, writer: &MessageDescriptor, path: &str, out: &mut Diff) {
    let pair = (
        reader.full_name().to_string(),
        writer.full_name().to_string(),
    );
    if !out.compared.insert(pair) {
        return;
    }
    let children: BTreeMap<String, MessageDescriptor> = reader
        .child_messages()
        .filter(|m| !m.is_map_entry())
        .map(|m| (m.name().to_string(), m))
        .collect();
    for written in writer.child_messages().filter(|m| !m.is_map_entry()) {
        let here = format!("{path}/{}", written.name());
        match children.get(written.name()) {
            Some(read) => message(read, &written, &here, out),
            None => out.push(removed(&here)),
        }
    }
    let read_fields: BTreeMap<u32, FieldDescriptor> =
        reader.fields().map(|f| (f.number(), f)).collect();
    let written_fields: BTreeMap<u32, FieldDescriptor> =
        writer.fields().map(|f| (f.number(), f)).collect();
    let required = |f: &FieldDescriptor| f.cardinality() == Cardinality::Required;
    for (number, read) in &read_fields {
        let here = format!("{path}/{number}");
        match written_fields.get(number) {
            Some(written) => field(read, written, &here, out),
            None if required(read) => out.push(Problem::new(
                "REQUIRED_FIELD_ADDED",
                format!("The reader schema has an additional required field at path: '{here}'"),
                read.name(),
            )),
            None => {}
        }
    }
    for (number, written) in &written_fields {
        let here = format!("{path}/{number}");
        if !read_fields.contains_key(number) && required(written) {
            out.push(Problem::new(
                "REQUIRED_FIELD_REMOVED",
                format!("A required field at path: '{here}' in the writer schema is missing in the reader schema"),
                written.name(),
            ));
        }
    }
    oneofs(reader, writer, &read_fields, path, out);
}

fn oneofs(
    reader: &MessageDescriptor,
    writer: &MessageDescriptor,
    read_fields: &BTreeMap<u32, FieldDescriptor>,
    path: &str,
    out: &mut Diff,
) {
    let in_oneof = |f: &FieldDescriptor| f.containing_oneof().filter(|o| !o.is_synthetic());
    for written in writer.oneofs().filter(|o| !o.is_synthetic()) {
        for member in written.fields() {
            let kept = read_fields
                .get(&member.number())
                .and_then(in_oneof)
                .is_some_and(|o| o.name() == written.name());
            if !kept {
                let here = format!("{path}/{}/{}", written.name(), member.number());
                out.push(Problem::new(
                    "ONEOF_FIELD_REMOVED",
                    format!("A oneof field at path: '{here}' in the writer schema is missing in the reader schema"),
                    member.name(),
                ));
            }
        }
    }
    for read in reader.oneofs().filter(|o| !o.is_synthetic()) {
        let moved = read
            .fields()
            .filter(|f| {
                writer
                    .get_field(f.number())
                    .is_some_and(|w| in_oneof(&w).is_none())
            })
            .count();
        if moved > 1 {
            let here = format!("{path}/{}", read.name());
            out.push(Problem::new(
                "MULTIPLE_FIELDS_MOVED_TO_ONEOF",
                format!("Multiple fields were moved into a oneof field at path: '{here}' in the reader schema"),
                read.name(),
            ));
        }
    }
}

fn field(read: &FieldDescriptor, written: &FieldDescriptor, path: &str, out: &mut Diff) {
    if shape(read) != shape(written) {
        out.push(Problem::new(
            "FIELD_KIND_CHANGED",
            format!("The type of a field at path: '{path}' in the reader schema has changed to MAP, SCALAR or MESSAGE"),
            read.name(),
        ));
        return;
    }
    match (read.kind(), written.kind()) {
        (Kind::Message(r), Kind::Message(w)) if read.is_map() => {
            field(
                &r.map_entry_key_field(),
                &w.map_entry_key_field(),
                path,
                out,
            );
            field(
                &r.map_entry_value_field(),
                &w.map_entry_value_field(),
                path,
                out,
            );
        }
        (Kind::Message(r), Kind::Message(w)) => {
            if local(&r) != local(&w) {
                out.push(Problem::new(
                    "FIELD_NAMED_TYPE_CHANGED",
                    format!("The type of a MESSAGE field at path: '{path}' in the reader schema has changed"),
                    read.name(),
                ));
            } else {
                // The same type by name, perhaps from an imported file: compared too.
                message(&r, &w, &format!("#/{}", local(&r)), out);
            }
        }
        (r, w) => {
            if group(&r) != group(&w) {
                out.push(Problem::new(
                    "FIELD_SCALAR_KIND_CHANGED",
                    format!("The kind of a SCALAR field at path: '{path}' in the reader schema has changed"),
                    read.name(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proto(body: &str) -> ProtoSchema {
        parse(
            &format!("syntax = \"proto3\";\npackage p;\n{body}"),
            &BTreeMap::new(),
        )
        .unwrap()
    }

    fn backward(new: &str, old: &str) -> Vec<&'static str> {
        problems(&proto(new), &proto(old), Roles::BACKWARD)
            .iter()
            .map(|p| p.error_type)
            .collect()
    }

    #[test]
    fn compiles_with_imports_and_well_known_types() {
        let imports = BTreeMap::from([(
            "other.proto".to_string(),
            "syntax = \"proto3\"; package o; message Other { int32 x = 1; }".to_string(),
        )]);
        let text = "syntax = \"proto3\"; import \"other.proto\"; import \"google/protobuf/timestamp.proto\";\nmessage M { o.Other other = 1; google.protobuf.Timestamp at = 2; }";
        parse(text, &imports).unwrap();
        let e = parse(text, &BTreeMap::new()).unwrap_err();
        assert!(e.contains("other.proto"), "{e}");
        let e = parse(
            "syntax = \"proto3\"; message M { int32 x = 1 }",
            &BTreeMap::new(),
        )
        .unwrap_err();
        assert!(!e.is_empty());
    }

    #[test]
    fn a_serialized_descriptor_is_the_same_schema_as_its_text() {
        let text = proto("message M { int32 x = 1; repeated string tags = 2; }");
        let sent = parse(&text.serialized(), &BTreeMap::new()).unwrap();
        assert_eq!(sent.identity(), text.identity());
        assert_eq!(sent.serialized(), text.serialized());
        assert!(parse("AAAA", &BTreeMap::new()).is_err());
        assert_eq!(from_base64("aGk="), Some(b"hi".to_vec()));
        assert_eq!(from_base64("syntax = 1;"), None);
    }

    #[test]
    fn identity_ignores_layout_and_comments() {
        let a = proto("message M { int32 x = 1; }");
        let b = proto("// a comment\nmessage   M {\n  int32 x = 1;\n}\n");
        assert_eq!(a.identity(), b.identity());
        let c = proto("message M { string y = 2; int32 x = 1; }");
        let d = proto("message M { int32 x = 1; string y = 2; }");
        assert_ne!(c.identity(), d.identity());
        assert_eq!(c.normalized(), d.normalized());
    }

    #[test]
    fn changes_as_confluent_judges_them() {
        let old = "message M { int32 a = 1; string b = 2; }";
        assert!(
            backward(
                "message M { int32 a = 1; string b = 2; double c = 3; }",
                old
            )
            .is_empty()
        );
        assert!(backward("message M { int32 a = 1; }", old).is_empty());
        assert!(backward("message M { int64 a = 1; bytes renamed = 2; }", old).is_empty());
        assert!(backward("message M { repeated int32 a = 1; string b = 2; }", old).is_empty());
        assert_eq!(
            backward("message M { double a = 1; string b = 2; }", old),
            ["FIELD_SCALAR_KIND_CHANGED"]
        );
        assert_eq!(
            backward("message N { int32 a = 1; string b = 2; }", old),
            ["MESSAGE_REMOVED"]
        );
        assert_eq!(
            backward("message M { int32 a = 1; S b = 2; } message S {}", old),
            ["FIELD_KIND_CHANGED"]
        );
        assert_eq!(
            backward(
                "message M { S a = 1; } message S {} message T {}",
                "message M { T a = 1; } message S {} message T {}"
            ),
            ["FIELD_NAMED_TYPE_CHANGED"]
        );
        assert_eq!(
            backward("message M { oneof o { int32 a = 1; string b = 2; } }", old),
            ["MULTIPLE_FIELDS_MOVED_TO_ONEOF"]
        );
    }

    #[test]
    fn an_imported_type_is_compared_too() {
        let with = |body: &str| {
            let imports = BTreeMap::from([(
                "other.proto".to_string(),
                format!("syntax = \"proto3\"; package o; message Other {{ {body} }}"),
            )]);
            let main =
                "syntax = \"proto3\"; import \"other.proto\"; message M { o.Other other = 1; }";
            parse(main, &imports).unwrap()
        };
        let (old, new) = (with("int32 x = 1;"), with("string x = 1;"));
        let found = problems(&new, &old, Roles::BACKWARD);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].error_type, "FIELD_SCALAR_KIND_CHANGED");
        assert!(
            found[0].description.contains("#/Other/1"),
            "{}",
            found[0].description
        );
        assert!(problems(&with("int32 x = 1; int64 y = 2;"), &old, Roles::BACKWARD).is_empty());
    }

    #[test]
    fn proto2_required_fields() {
        let p2 =
            |body: &str| parse(&format!("syntax = \"proto2\";\n{body}"), &BTreeMap::new()).unwrap();
        let old = p2("message M { required int32 a = 1; }");
        let new = p2("message M { required int32 a = 1; required int32 b = 2; }");
        let types = |v: Vec<Problem>| v.iter().map(|p| p.error_type).collect::<Vec<_>>();
        assert_eq!(
            types(problems(&new, &old, Roles::BACKWARD)),
            ["REQUIRED_FIELD_ADDED"]
        );
        assert_eq!(
            types(problems(&old, &new, Roles::BACKWARD)),
            ["REQUIRED_FIELD_REMOVED"]
        );
    }
}
