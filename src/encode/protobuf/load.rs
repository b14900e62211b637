//! A user's `.proto` file read in-process (protox: no `protoc` needed), its imports
//! resolved relative to its directory and the well-known types built in, and turned
//! into the same [`File`] model a derived schema is, with each message's and field's
//! line and column from the descriptor's source info.

use std::path::{Path, PathBuf};

use protox::prost_reflect::{
    Cardinality, EnumDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor,
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
            return format!("{}:{}", file.display(), rest.trim_start_matches(' '));
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
        packed: f.is_packed(),
        at: location(&f.parent_file(), f.path()),
    }
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

/// `text` compiled as `test.proto`, with the well-known imports it names.
#[cfg(test)]
pub(crate) fn protox_file(
    text: &str,
) -> Result<protox::prost_reflect::prost_types::FileDescriptorSet, String> {
    let dir = std::env::temp_dir().join(format!("simulate-protobuf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let name = format!(
        "t{}.proto",
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    std::fs::write(dir.join(&name), text).map_err(|e| e.to_string())?;
    let mut compiler = protox::Compiler::new([&dir]).map_err(|e| format!("{e:?}"))?;
    compiler.include_imports(true);
    compiler.open_file(&name).map_err(|e| format!("{e:?}"))?;
    Ok(compiler.file_descriptor_set())
}

#[cfg(test)]
static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
