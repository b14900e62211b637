//! A stream's schema read from the user's file (`schema: {file: …}`): parsed, checked
//! against the payload, and made the stream's codec. Every disagreement is reported at
//! the payload's field in the scenario file (`file:line:column` there), its message
//! naming the schema element and where it is in the schema file (`file:line:column`
//! there): both places in one diagnostic.

use std::path::{Path, PathBuf};

use super::codec::{Body, Compiled, Files, Found, Reference};
use super::misfit::Misfit;
use super::protobuf;
use crate::scenario::Stream;
use crate::scenario::diagnostics::{FieldPath, Problem};
use crate::scenario::payload::{Value, default_payload};
use crate::scenario::validate::{Encoding, SchemaFormat};

/// The codec parts of `stream`'s schema file `written` (as the scenario writes it).
pub(crate) fn load(
    stream: &Stream,
    encoding: &Encoding,
    written: &str,
    message: Option<&str>,
    files: &mut Files<'_>,
    found: &mut Found,
) -> Option<Compiled> {
    let path = resolve(&files.base, written);
    let shown = path.display().to_string();
    let at = encoding.at.key("schema").key("file");
    let defaults;
    let payload = match &stream.message.payload {
        Some(fields) => fields,
        None => {
            defaults = default_payload();
            &defaults
        }
    };
    let loaded = match encoding.format {
        SchemaFormat::Protobuf => proto(&path, message, payload, stream),
        SchemaFormat::Avro => avsc(&path, payload, stream),
        SchemaFormat::JsonSchema => json_schema(&path, payload, stream),
    };
    match loaded {
        Err(why) => {
            found.problems.push(
                Problem::new(&at, format!("the schema file {shown}: {why}"))
                    .help("fix the schema file, or write `schema: derived` to derive one from the payload"),
            );
            None
        }
        Ok((compiled, misfits)) if misfits.is_empty() => Some(compiled),
        Ok((_, misfits)) => {
            let payload_at = encoding.at.parent().key("payload");
            for misfit in misfits {
                found
                    .problems
                    .push(located(&misfit, &payload_at, &at, &shown));
            }
            None
        }
    }
}

/// An `.avsc` file: its schema (encoded with its named types), its text (registered),
/// its full record name, and how the payload misfits it.
fn avsc(
    path: &Path,
    payload: &[(String, Value)],
    stream: &Stream,
) -> Result<(Compiled, Vec<Misfit>), String> {
    let avsc = super::avsc::load(path)?;
    let misfits = super::avsc::check(&avsc, payload, &stream.cameras);
    Ok((avsc_compiled(avsc), misfits))
}

/// The codec parts of a parsed Avro schema.
pub(crate) fn avsc_compiled(avsc: super::avsc::Avsc) -> Compiled {
    let full = full_name(&avsc.text);
    let text = avsc.text.clone();
    (Body::AvroFile(Box::new(avsc)), text, Vec::new(), full)
}

/// The full name of the named type an Avro schema's text declares at its top (its
/// `name`, with `namespace` unless the name has a dot); empty for a primitive.
fn full_name(text: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let name = json
        .get("name")
        .and_then(|n| n.as_str())
        .unwrap_or_default();
    match json.get("namespace").and_then(|n| n.as_str()) {
        Some(ns) if !ns.is_empty() && !name.contains('.') => format!("{ns}.{name}"),
        _ => name.to_string(),
    }
}

/// A JSON Schema file: values are their JSON text, registered as the file's text, named
/// by its `title`.
fn json_schema(
    path: &Path,
    payload: &[(String, Value)],
    stream: &Stream,
) -> Result<(Compiled, Vec<Misfit>), String> {
    let file = super::jsonschema::load(path)?;
    let misfits = super::jsonschema::check(&file, payload, &stream.cameras);
    let title = title(&file.text);
    Ok(((Body::Json, file.text.clone(), Vec::new(), title), misfits))
}

/// A JSON Schema's `title` (what the record strategies name it by), or empty.
pub(crate) fn title(text: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    json.get("title")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string()
}

/// `written` relative to `base`, unless absolute.
fn resolve(base: &Path, written: &str) -> PathBuf {
    let path = Path::new(written);
    match path.is_absolute() {
        true => path.to_path_buf(),
        false => base.join(path),
    }
}

/// A misfit as a problem at the payload's field (or at `schema.file` when the payload
/// has no such field), naming the schema element and its place in `shown`.
fn located(misfit: &Misfit, payload_at: &FieldPath, file_at: &FieldPath, shown: &str) -> Problem {
    let place = match misfit.at {
        Some((line, column)) => format!("{shown}:{line}:{column}"),
        None => shown.to_string(),
    };
    let path = match &misfit.payload {
        Some(p) => payload_path(payload_at, p),
        None => file_at.clone(),
    };
    Problem::new(
        &path,
        format!(
            "{} (the schema's {} at {place})",
            misfit.message, misfit.schema
        ),
    )
    .help(misfit.help.clone())
}

/// The field path of the payload value at `path` (`bbox.x`, `tags[0]`) under `root`.
pub(crate) fn payload_path(root: &FieldPath, path: &str) -> FieldPath {
    let mut out = root.clone();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        if !name.is_empty() {
            out = out.key(name);
        }
        for index in rest.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse::<usize>() {
                out = out.index(i);
            }
        }
    }
    out
}

/// A `.proto` file: its message's encoder and indexes, the file's text (what is
/// registered), its imports as references, and how the payload misfits it.
fn proto(
    path: &Path,
    message: Option<&str>,
    payload: &[(String, Value)],
    stream: &Stream,
) -> Result<(Compiled, Vec<Misfit>), String> {
    let loaded = protobuf::load(path, message)?;
    let misfits = protobuf::check(&loaded.files, &loaded.message, payload, &stream.cameras);
    let compiled = proto_compiled(&loaded.files, &loaded.message, loaded.text.clone())?;
    let references = loaded
        .imports
        .iter()
        .map(|import| Reference {
            name: import.name.clone(),
            subject: import.name.clone(),
            schema: import.text.clone(),
        })
        .collect();
    let (body, text, _, full) = compiled;
    Ok(((body, text, references, full), misfits))
}

/// The codec parts of message `full` of `files` (the first the one registered as `text`).
pub(crate) fn proto_compiled(
    files: &[protobuf::File],
    full: &str,
    text: String,
) -> Result<Compiled, String> {
    let encoder = protobuf::Encoder::new(files, full)?;
    let indexes = files
        .first()
        .and_then(|f| protobuf::message_indexes(f, full))
        .ok_or_else(|| format!("message `{full}` is not declared in the file itself"))?;
    let body = Body::Protobuf {
        encoder: Box::new(encoder),
        indexes,
    };
    Ok((body, text, Vec::new(), full.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_paths_become_field_paths() {
        let root = FieldPath::default().key("streams").index(0).key("payload");
        assert_eq!(
            payload_path(&root, "bbox.x").to_string(),
            "streams[0].payload.bbox.x"
        );
        assert_eq!(
            payload_path(&root, "tags[2]").to_string(),
            "streams[0].payload.tags[2]"
        );
        assert_eq!(
            payload_path(&root, "a[1][0].b").to_string(),
            "streams[0].payload.a[1][0].b"
        );
    }
}
