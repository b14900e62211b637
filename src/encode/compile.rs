//! The codecs of a scenario's streams, compiled after validation: each encoded stream's
//! schema derived from its payload or read from the user's file (and checked against the
//! payload, problems located in both files), its full record name and its subject.
//! Schemas named by id or subject stay [`Body::Pending`] until the registry is asked.
//! Files are read through a closure, so the compilation itself does no I/O.

pub use super::codec::Files;
use super::codec::{Body, Codec, Codecs, Compiled, Found};
use super::wire::PLACEHOLDER_ID;
use super::{derive, protobuf};
use crate::scenario::diagnostics::{Diagnostic, Problem};
use crate::scenario::payload::default_payload;
use crate::scenario::validate::{Encoding, Origin, SchemaFormat};
use crate::scenario::{Scenario, Stream};

/// The codecs of `scenario`'s streams; every problem (a payload value with no type in the
/// format, a schema file that cannot be read or does not fit the payload) as a
/// diagnostic, the scenario file's field and the schema file's place both named.
pub fn codecs(scenario: &Scenario, files: &mut Files<'_>) -> Result<Codecs, Vec<Diagnostic>> {
    let mut found = Found::default();
    let mut streams = Vec::with_capacity(scenario.streams.len());
    for stream in &scenario.streams {
        let codec = match stream.value.encoded() {
            Some(encoding) => codec(stream, encoding, files, &mut found),
            None => None,
        };
        streams.push(codec);
    }
    if found.problems.is_empty() && found.elsewhere.is_empty() {
        return Ok(Codecs { streams });
    }
    let mut diagnostics = scenario.locate(found.problems);
    diagnostics.append(&mut found.elsewhere);
    Err(diagnostics)
}

/// The codec of one encoded stream.
fn codec(
    stream: &Stream,
    encoding: &Encoding,
    files: &mut Files<'_>,
    found: &mut Found,
) -> Option<Codec> {
    let topic = &stream.message.topic;
    let (body, schema, references, record) = match &encoding.schema {
        Origin::Derived => derived(stream, encoding, found)?,
        Origin::File { path, message } => {
            super::user::load(stream, encoding, path, message.as_deref(), files, found)?
        }
        Origin::Id(_) | Origin::Subject { .. } => {
            (Body::Pending, String::new(), Vec::new(), String::new())
        }
    };
    let subject = match &encoding.schema {
        Origin::Subject { name, .. } => name.clone(),
        Origin::Id(_) => String::new(),
        Origin::Derived | Origin::File { .. } => encoding.subject.name(topic, &record),
    };
    let by_record = matches!(
        encoding.subject,
        crate::scenario::validate::Subject::Strategy(
            crate::scenario::model::SubjectStrategy::Record
                | crate::scenario::model::SubjectStrategy::TopicRecord
        )
    );
    if by_record && record.is_empty() && matches!(encoding.schema, Origin::File { .. }) {
        found.problems.push(
            Problem::new(
                &encoding.at.key("subject"),
                "the schema names no record (an Avro schema whose top is not a named type, or a JSON Schema without `title`), so the record strategies have no subject to name",
            )
            .help("give the schema a name (a JSON Schema a `title`), or write `subject: topic` or `subject: {name: …}`"),
        );
        return None;
    }
    Some(Codec {
        format: encoding.format,
        body,
        origin: encoding.schema.clone(),
        schema,
        references,
        record,
        subject,
        register: encoding.register,
        id: PLACEHOLDER_ID,
    })
}

/// The schema derived from `stream`'s payload in `encoding`'s format.
fn derived(stream: &Stream, encoding: &Encoding, found: &mut Found) -> Option<Compiled> {
    let defaults;
    let fields = match &stream.message.payload {
        Some(fields) => fields,
        None => {
            defaults = default_payload();
            &defaults
        }
    };
    let full = match &encoding.namespace {
        Some(namespace) => format!("{namespace}.{}", encoding.record_name),
        None => encoding.record_name.clone(),
    };
    let compiled = match encoding.format {
        SchemaFormat::Avro => {
            derive::record(fields, &encoding.record_name, &stream.cameras).map(|schema| {
                let text = schema.to_json(encoding.namespace.as_deref()).to_string();
                (Body::Avro(schema), text, Vec::new(), full)
            })
        }
        SchemaFormat::Protobuf => protobuf::derive(
            fields,
            &encoding.record_name,
            encoding.namespace.as_deref(),
            &stream.cameras,
        )
        .and_then(|file| {
            let text = protobuf::to_proto(&file);
            super::user::proto_compiled(&[file], &full, text).map_err(derive::Underivable)
        }),
        SchemaFormat::JsonSchema => {
            super::jsonschema::derive(fields, &encoding.record_name, &stream.cameras).map(
                |schema| {
                    (
                        Body::Json,
                        schema.to_string(),
                        Vec::new(),
                        encoding.record_name.clone(),
                    )
                },
            )
        }
    };
    match compiled {
        Ok(compiled) => Some(compiled),
        Err(e) => {
            let path = encoding.at.key("format");
            found.problems.push(Problem::new(
                &path,
                format!("stream `{}`: {}", stream.name, e.0),
            ));
            None
        }
    }
}

/// The body and full record name of a schema the registry holds (`schema: {id}` or
/// `{subject}`), from its text, and how `payload` (of a stream whose cameras are
/// `cameras`) misfits it: the same checks as a user's file.
pub fn from_registry(
    format: SchemaFormat,
    text: &str,
    payload: &[(String, crate::scenario::payload::Value)],
    cameras: &[crate::scenario::model::CameraId],
) -> Result<(Body, String, Vec<super::misfit::Misfit>), String> {
    match format {
        SchemaFormat::JsonSchema => {
            let file = super::jsonschema::parse(text, "the registered schema").map_err(|e| {
                format!(
                    "the registered JSON Schema is not valid ({}:{}): {}",
                    e.at.0, e.at.1, e.message
                )
            })?;
            let misfits = super::jsonschema::check(&file, payload, cameras);
            Ok((Body::Json, super::user::title(text), misfits))
        }
        SchemaFormat::Protobuf => {
            let loaded = protobuf_text(text)?;
            let misfits = protobuf::check(&loaded.files, &loaded.message, payload, cameras);
            let (body, _, _, full) =
                super::user::proto_compiled(&loaded.files, &loaded.message, text.to_string())?;
            Ok((body, full, misfits))
        }
        SchemaFormat::Avro => {
            let avsc = super::avsc::parse(text, "the registered schema").map_err(|e| {
                format!(
                    "the registered Avro schema is not valid ({}:{}): {}",
                    e.at.0, e.at.1, e.message
                )
            })?;
            let misfits = super::avsc::check(&avsc, payload, cameras);
            let (body, _, _, full) = super::user::avsc_compiled(avsc);
            Ok((body, full, misfits))
        }
    }
}

/// A `.proto` schema the registry holds, parsed: written to a file of its own in the
/// temporary directory for protox (imports other than the well-known types are not
/// resolved: a registered schema with references is refused by protox's message).
fn protobuf_text(text: &str) -> Result<protobuf::Loaded, String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "simulate-registered-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let path = dir.join("registered.proto");
    let loaded = std::fs::write(&path, text)
        .map_err(|e| format!("cannot write a temporary file: {e}"))
        .and_then(|()| protobuf::load(&path, None));
    let _ = std::fs::remove_dir_all(&dir);
    loaded
}
