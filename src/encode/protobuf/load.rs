//! A user's `.proto` file read in-process (protox: no `protoc` needed), its imports
//! resolved relative to its directory and the well-known types built in, and turned
//! into the same [`File`] model a derived schema is, with each message's and field's
//! line and column from the descriptor's source info.

use std::path::{Path, PathBuf};

use protox::prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor, Syntax,
};

use super::{Enum, Field, File, Label, Message, TIMESTAMP, Type};

/// A user's `.proto` file, read and resolved.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file's model first, then the model of every file it imports, directly or
    /// not (the well-known ones included): what [`super::Encoder::new`] and
    /// [`super::check`] resolve types in.
    pub files: Vec<File>,
    /// The full name of the message values are encoded by (`com.example.Detection`).
    pub message: String,
    /// The file's text, as registered.
    pub text: String,
    /// The files it imports that a registry does not know already (not
    /// `google/protobuf/…`, `google/type/…` or Confluent's own), each imported file
    /// before the files that import it: what is registered as schema references.
    pub imports: Vec<Import>,
}

/// An imported file, registered as a schema reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Its name as the import statement writes it (the reference's `name`).
    pub name: String,
    /// Its text.
    pub text: String,
    /// The files it imports in turn, as written, but for those a registry knows already
    /// (its own references).
    pub imports: Vec<String>,
}

/// Whether a registry knows the file of import name `name` without a reference (as
/// Confluent's serializers skip them): the well-known types and Confluent's own.
pub fn is_known_dependency(name: &str) -> bool {
    name.starts_with("google/protobuf/")
        || name.starts_with("google/type/")
        || name == "confluent/meta.proto"
        || name == "confluent/type/decimal.proto"
}

/// Reads the `.proto` file at `path` and picks its message `message` (a full name, or
/// a name within the file's package: `Detection`, `Outer.Inner`); without `message`, its
/// one top-level message. Errors say which file, line and column, and what fixes them.
pub fn load(path: &Path, message: Option<&str>) -> Result<Loaded, String> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot be read: {e}"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        Some(_) | None => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("{shown}: not a file"))?;
    let mut compiler = protox::Compiler::new([&dir]).map_err(|e| located(&e, &dir, path))?;
    compiler.include_source_info(true).include_imports(true);
    compiler
        .open_file(&name)
        .map_err(|e| located(&e, &dir, path))?;
    let pool = compiler.descriptor_pool();
    let file = pool
        .get_file_by_name(&name)
        .ok_or_else(|| format!("{shown}: protox did not return the file it compiled"))?;
    let chosen = choose(&file, message, &shown.to_string())?;
    let mut files = vec![model(&file)];
    files.extend(pool.files().filter(|f| f.name() != name).map(|f| model(&f)));
    let mut imports = Vec::new();
    for f in pool
        .files()
        .filter(|f| f.name() != name && !is_known_dependency(f.name()))
    {
        let at = dir.join(f.name());
        let text = std::fs::read_to_string(&at)
            .map_err(|e| format!("{}: cannot be read: {e}", at.display()))?;
        imports.push(Import {
            name: f.name().to_string(),
            text,
            imports: known_free(&f),
        });
    }
    Ok(Loaded {
        files,
        message: chosen,
        text,
        imports,
    })
}

/// The imports of `file` a registry needs references for.
fn known_free(file: &FileDescriptor) -> Vec<String> {
    file.dependencies()
        .map(|d| d.name().to_string())
        .filter(|n| !is_known_dependency(n))
        .collect()
}

/// A protox error as `file:line:column: message`, the file as the user can find it.
fn located(error: &protox::Error, dir: &Path, path: &Path) -> String {
    // protox's `Debug` is `name:line:column: message` for errors it can place, the name
    // relative to the include directory.
    let debug = format!("{error:?}");
    if let Some(name) = error.file() {
        if let Some(rest) = debug.strip_prefix(&format!("{name}:")) {
            let file = match path
                .file_name()
                .is_some_and(|n| n.to_string_lossy() == name)
            {
                true => path.to_path_buf(),
                false => dir.join(name),
            };
            let hint = match error.is_file_not_found() {
                true => format!(" (imports are looked up relative to {})", dir.display()),
                false => String::new(),
            };
            return format!("{}:{}{hint}", file.display(), rest.trim_start_matches(' '));
        }
    }
    format!("{}: {error}", path.display())
}

/// The full name of the message `message` names in `file`, or its one top-level message.
fn choose(file: &FileDescriptor, message: Option<&str>, shown: &str) -> Result<String, String> {
    let top: Vec<String> = file.messages().map(|m| m.name().to_string()).collect();
    let Some(wanted) = message else {
        return match top.as_slice() {
            [one] => Ok(qualify(file.package_name(), one)),
            [] => Err(format!("{shown}: declares no message; add one")),
            [_, _, ..] => Err(format!(
                "{shown}: declares several messages ({}); say which with `message:`",
                top.join(", ")
            )),
        };
    };
    let pool = file.parent_pool();
    let candidates = [wanted.to_string(), qualify(file.package_name(), wanted)];
    for candidate in candidates {
        if let Some(found) = pool.get_message_by_name(&candidate) {
            if found.parent_file().name() == file.name() {
                return Ok(found.full_name().to_string());
            }
        }
    }
    Err(format!(
        "{shown}: declares no message `{wanted}`; its messages are {}",
        top.join(", ")
    ))
}

fn qualify(package: &str, name: &str) -> String {
    match package.is_empty() {
        true => name.to_string(),
        false => format!("{package}.{name}"),
    }
}

/// The model of a compiled file.
fn model(file: &FileDescriptor) -> File {
    File {
        package: file.package_name().to_string(),
        imports: file.dependencies().map(|d| d.name().to_string()).collect(),
        messages: file.messages().map(|m| message(&m)).collect(),
        enums: file.enums().map(|e| enumeration(&e)).collect(),
    }
}

fn message(m: &MessageDescriptor) -> Message {
    Message {
        name: m.name().to_string(),
        fields: m.fields().map(|f| field(&f)).collect(),
        messages: m.child_messages().map(|c| message(&c)).collect(),
        enums: m.child_enums().map(|e| enumeration(&e)).collect(),
        at: location(&m.parent_file(), m.path()),
    }
}

fn field(f: &FieldDescriptor) -> Field {
    let ty = match f.kind() {
        Kind::Double => Type::Double,
        Kind::Float => Type::Float,
        Kind::Int32 => Type::Int32,
        Kind::Int64 => Type::Int64,
        Kind::Uint32 => Type::Uint32,
        Kind::Uint64 => Type::Uint64,
        Kind::Sint32 => Type::Sint32,
        Kind::Sint64 => Type::Sint64,
        Kind::Fixed32 => Type::Fixed32,
        Kind::Fixed64 => Type::Fixed64,
        Kind::Sfixed32 => Type::Sfixed32,
        Kind::Sfixed64 => Type::Sfixed64,
        Kind::Bool => Type::Bool,
        Kind::String => Type::String,
        Kind::Bytes => Type::Bytes,
        Kind::Message(m) if m.full_name() == TIMESTAMP.0 => Type::Timestamp,
        Kind::Message(m) => Type::Message(m.full_name().to_string()),
        Kind::Enum(e) => Type::Enum(e.full_name().to_string()),
    };
    let label = match f.cardinality() {
        Cardinality::Repeated => Label::Repeated,
        Cardinality::Optional | Cardinality::Required if f.supports_presence() => match ty {
            Type::Message(_) | Type::Timestamp => Label::Singular,
            _ => Label::Optional,
        },
        Cardinality::Optional | Cardinality::Required => Label::Singular,
    };
    Field {
        name: f.name().to_string(),
        number: f.number(),
        ty,
        label,
        packed: packed(f),
        at: location(&f.parent_file(), f.path()),
    }
}

/// Whether a repeated field is written packed: as its `packed` option says, else as its
/// syntax does (proto3 packs). prost-reflect's `is_packed` is not used: it reads the
/// options before protox has put them in, and says packed for `[packed = false]`.
fn packed(f: &FieldDescriptor) -> bool {
    let option = f
        .field_descriptor_proto()
        .options
        .as_ref()
        .and_then(|o| o.packed);
    f.cardinality() == Cardinality::Repeated
        && option.unwrap_or(f.parent_file().syntax() == Syntax::Proto3)
}

fn enumeration(e: &EnumDescriptor) -> Enum {
    Enum {
        name: e.name().to_string(),
        values: e
            .values()
            .map(|v| (v.name().to_string(), v.number()))
            .collect(),
    }
}

/// The 1-based line and column of the element at `path` in `file`'s source info.
fn location(file: &FileDescriptor, path: &[i32]) -> Option<(usize, usize)> {
    let info = file.file_descriptor_proto().source_code_info.as_ref()?;
    let found = info.location.iter().find(|l| l.path == path)?;
    match found.span.as_slice() {
        [line, column, ..] => Some((*line as usize + 1, *column as usize + 1)),
        _ => None,
    }
}

/// `text` compiled by protox, with the well-known imports it names.
#[cfg(test)]
pub(crate) fn protox_file(
    text: &str,
) -> Result<protox::prost_reflect::prost_types::FileDescriptorSet, String> {
    let dir = tests::dir_of(&[("test.proto", text)]);
    let mut compiler = protox::Compiler::new([dir.path()]).map_err(|e| format!("{e:?}"))?;
    compiler.include_imports(true);
    compiler
        .open_file("test.proto")
        .map_err(|e| format!("{e:?}"))?;
    Ok(compiler.file_descriptor_set())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fresh directory holding `files` (name, text).
    pub(crate) fn dir_of(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    const COMMON: &str =
        "syntax = \"proto3\";\npackage common;\nmessage Box {\n  int32 x = 1;\n}\n";
    const MAIN: &str = "syntax = \"proto3\";\npackage det;\n\nimport \"common/box.proto\";\nimport \"google/protobuf/timestamp.proto\";\n\nmessage Detection {\n  string id = 1;\n  common.Box box = 2;\n  google.protobuf.Timestamp at = 3;\n  optional int64 n = 4;\n  repeated int32 c = 5 [packed = false];\n  message Inner {\n    bool b = 1;\n  }\n}\n\nmessage Other {\n}\n";

    #[test]
    fn a_file_with_imports_reads_into_the_model_with_locations() {
        let temp = dir_of(&[("common/box.proto", COMMON), ("det.proto", MAIN)]);
        let dir = temp.path();
        let loaded = load(&dir.join("det.proto"), Some("Detection")).unwrap();
        assert_eq!(loaded.message, "det.Detection");
        assert_eq!(loaded.text, MAIN);
        assert_eq!(
            loaded.imports,
            [Import {
                name: "common/box.proto".into(),
                text: COMMON.into(),
                imports: Vec::new(),
            }]
        );
        let file = &loaded.files[0];
        assert_eq!(
            file.imports,
            ["common/box.proto", "google/protobuf/timestamp.proto"]
        );
        let detection = &file.messages[0];
        assert_eq!(detection.at, Some((7, 1)));
        type Described = (String, Label, bool, Option<(usize, usize)>);
        let described: Vec<Described> = detection
            .fields
            .iter()
            .map(|f| (f.ty.describe(), f.label, f.packed, f.at))
            .collect();
        assert_eq!(
            described,
            [
                ("string".to_string(), Label::Singular, false, Some((8, 3))),
                (
                    "message common.Box".into(),
                    Label::Singular,
                    false,
                    Some((9, 3))
                ),
                (
                    "google.protobuf.Timestamp".into(),
                    Label::Singular,
                    false,
                    Some((10, 3))
                ),
                ("int64".into(), Label::Optional, false, Some((11, 3))),
                ("int32".into(), Label::Repeated, false, Some((12, 3))),
            ]
        );
        assert!(loaded.files.iter().any(|f| f.package == "common"));
        assert_eq!(
            super::super::message_indexes(file, "det.Detection.Inner"),
            Some(vec![0, 0])
        );
        let other = load(&dir.join("det.proto"), Some("det.Other")).unwrap();
        assert_eq!(other.message, "det.Other");
        let inner = load(&dir.join("det.proto"), Some("Detection.Inner")).unwrap();
        assert_eq!(inner.message, "det.Detection.Inner");
    }

    #[test]
    fn which_message_is_meant_must_be_clear() {
        let temp = dir_of(&[("common/box.proto", COMMON), ("det.proto", MAIN)]);
        let dir = temp.path();
        let path = dir.join("det.proto");
        let err = load(&path, None).unwrap_err();
        assert_eq!(
            err,
            format!(
                "{}: declares several messages (Detection, Other); say which with `message:`",
                path.display()
            )
        );
        let err = load(&path, Some("Nope")).unwrap_err();
        assert!(
            err.ends_with(": declares no message `Nope`; its messages are Detection, Other"),
            "{err}"
        );
        let one = load(&dir.join("common/box.proto"), None).unwrap();
        assert_eq!(one.message, "common.Box");
    }

    #[test]
    fn errors_say_file_line_and_column() {
        let temp = dir_of(&[
            (
                "bad.proto",
                "syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n",
            ),
            (
                "types.proto",
                "syntax = \"proto3\";\nmessage A {\n  Nope x = 1;\n}\n",
            ),
            (
                "imports.proto",
                "syntax = \"proto3\";\nimport \"missing.proto\";\n",
            ),
        ]);
        let dir = temp.path();
        for (name, expected) in [
            ("bad.proto", "bad.proto:3:13: "),
            ("types.proto", "types.proto:3:3: "),
            ("imports.proto", "imports.proto:2:1: "),
        ] {
            let path = dir.join(name);
            let err = load(&path, None).unwrap_err();
            let located = format!("{}", dir.join(expected).display());
            assert!(err.starts_with(&located), "{err}");
        }
        let err = load(&dir.join("absent.proto"), None).unwrap_err();
        assert!(err.contains("absent.proto: cannot be read: "), "{err}");
    }
}
