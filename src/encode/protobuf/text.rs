//! The `.proto` text of a [`File`]: what is registered for a derived schema (`syntax =
//! "proto3";`, the package, the imports, the messages with their nested types).

use std::fmt::Write;

use super::{Enum, File, Label, Message, TIMESTAMP, Type};

/// The `.proto` text of `file`. A field of a type nested in its own message is written
/// by its simple name, any other by its full name with a leading dot. Meant for derived
/// files: always proto3, and a `oneof` member prints as `optional`; a user's file is
/// registered as its own text ([`super::Loaded::text`]).
pub fn to_proto(file: &File) -> String {
    let mut out = String::from("syntax = \"proto3\";\n");
    if !file.package.is_empty() {
        let _ = write!(out, "\npackage {};\n", file.package);
    }
    if !file.imports.is_empty() {
        out.push('\n');
        for import in &file.imports {
            let _ = writeln!(out, "import \"{import}\";");
        }
    }
    for e in &file.enums {
        out.push('\n');
        enumeration(&mut out, e, 0);
    }
    for message in &file.messages {
        out.push('\n');
        let full = qualify(&file.package, &message.name);
        write_message(&mut out, message, &full, 0);
    }
    out
}

fn qualify(scope: &str, name: &str) -> String {
    match scope.is_empty() {
        true => name.to_string(),
        false => format!("{scope}.{name}"),
    }
}

fn write_message(out: &mut String, message: &Message, full: &str, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}message {} {{", message.name);
    for field in &message.fields {
        let label = match field.label {
            Label::Singular => "",
            Label::Optional => "optional ",
            Label::Repeated => "repeated ",
        };
        let ty = match &field.ty {
            Type::Enum(name) | Type::Message(name) => {
                match name.strip_prefix(&format!("{full}.")) {
                    Some(simple) if !simple.contains('.') => simple.to_string(),
                    Some(_) | None => format!(".{name}"),
                }
            }
            Type::Timestamp => TIMESTAMP.0.to_string(),
            scalar => scalar.scalar_name().unwrap_or_default().to_string(),
        };
        // proto3 packs repeated scalars by default; say so only when one is not.
        let packable = !matches!(
            field.ty,
            Type::String | Type::Bytes | Type::Message(_) | Type::Timestamp
        );
        let unpacked = field.label == Label::Repeated && !field.packed && packable;
        let options = if unpacked { " [packed = false]" } else { "" };
        let _ = writeln!(
            out,
            "{pad}  {label}{ty} {} = {}{options};",
            field.name, field.number
        );
    }
    for e in &message.enums {
        out.push('\n');
        enumeration(out, e, depth + 1);
    }
    for nested in &message.messages {
        out.push('\n');
        write_message(out, nested, &qualify(full, &nested.name), depth + 1);
    }
    let _ = writeln!(out, "{pad}}}");
}

fn enumeration(out: &mut String, e: &Enum, depth: usize) {
    let pad = "  ".repeat(depth);
    let _ = writeln!(out, "{pad}enum {} {{", e.name);
    for (name, number) in &e.values {
        let _ = writeln!(out, "{pad}  {name} = {number};");
    }
    let _ = writeln!(out, "{pad}}}");
}
