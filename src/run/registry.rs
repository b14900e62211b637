//! Values encoded by a schema, at the edge: the codecs compiled (schema files read
//! relative to the scenario), the registry chosen (`--schema-registry`,
//! `SCHEMA_REGISTRY_URL`, `schema_registry.url`, or the embedded one beside the
//! embedded cluster), each schema registered or looked up once per subject, and every
//! registry error said in words a user can act on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::{ClusterArgs, RegistryArgs};
use crate::encode::codec::{Body, Codec, Codecs};
use crate::encode::compile::{self, Files};
use crate::error::Error;
use crate::redact;
use crate::registry::Serving;
use crate::registry::client::{Client, Credentials, Failure, Held, Tls};
use crate::report::{RegistryReport, SubjectReport};
use crate::scenario::model::Register;
use crate::scenario::validate::{Auth, Origin};
use crate::scenario::{Scenario, Stream};

/// The codecs of `scenario`'s streams; schema files are read relative to the scenario
/// file's directory. A schema that does not fit is invalid input (exit 2).
pub(crate) fn codecs(scenario: &Scenario) -> Result<Codecs, Error> {
    let mut read = |path: &Path| std::fs::read_to_string(path);
    let mut files = Files {
        base: scenario.dir.clone().unwrap_or_else(|| PathBuf::from(".")),
        read: &mut read,
    };
    compile::codecs(scenario, &mut files).map_err(Error::Invalid)
}

/// The registry URL given for a run and where it came from, in order of precedence.
pub(crate) fn given_url<'a>(
    args: &'a ClusterArgs,
    scenario: &'a Scenario,
) -> Option<(&'a str, &'static str)> {
    args.schema_registry
        .as_deref()
        .map(|u| (u, "--schema-registry"))
        .or_else(|| {
            args.env_schema_registry
                .as_deref()
                .map(|u| (u, "SCHEMA_REGISTRY_URL"))
        })
        .or_else(|| {
            scenario
                .registry
                .url
                .as_deref()
                .map(|u| (u, "schema_registry.url"))
        })
}

/// A client of the registry at `url`, with the scenario's credentials and TLS files
/// (their `@FILE` values read; secrets remembered for masking).
pub(crate) fn client(url: &str, source: &str, scenario: &Scenario) -> Result<Client, Error> {
    crate::scenario::validate::check_url(url)
        .map_err(|why| Error::Usage(format!("the Schema Registry URL from {source}: {why}")))?;
    let secret = |value: &str, what: &str| -> Result<String, Error> {
        let mut read = |p: &Path| std::fs::read_to_string(p);
        let text = crate::sink::kafka::properties::read_value(value, &mut read)
            .map_err(|e| Error::Usage(format!("schema_registry.auth.{what}: {e}")))?
            .unwrap_or_else(|| value.to_string());
        redact::remember("password", &text);
        Ok(text)
    };
    // Credentials in the URL (`http://user:password@host`) are taken out of it, so that
    // the URL shown in messages and the report never holds them.
    let (url, in_url) = split_userinfo(url);
    let url = url.as_str();
    if let Some((_, password)) = &in_url {
        redact::remember("password", password);
    }
    let credentials = match &scenario.registry.auth {
        None => in_url.map(|(username, password)| Credentials::Basic { username, password }),
        Some(Auth::Basic { username, password }) => Some(Credentials::Basic {
            username: username.clone(),
            password: secret(password, "password")?,
        }),
        Some(Auth::Bearer(token)) => Some(Credentials::Bearer(secret(token, "bearer")?)),
    };
    let file = |path: &Option<String>, what: &str| -> Result<Option<Vec<u8>>, Error> {
        path.as_ref()
            .map(|p| {
                std::fs::read(p).map_err(|e| {
                    Error::Usage(format!(
                        "schema_registry.{what}: cannot read {p}: {}",
                        crate::text::io_reason(&e, "no such file")
                    ))
                })
            })
            .transpose()
    };
    let tls = Tls {
        ca: file(&scenario.registry.ca, "ca")?,
        client: file(&scenario.registry.cert, "cert")?.zip(file(&scenario.registry.key, "key")?),
    };
    Client::new(url, credentials, &tls).map_err(Error::Usage)
}

/// `url` without its user information, and that information as a user and a password
/// (percent-decoded), if it has any.
fn split_userinfo(url: &str) -> (String, Option<(String, String)>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_string(), None);
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_string(), None);
    };
    let (user, password) = rest[..at].split_once(':').unwrap_or((&rest[..at], ""));
    let decode = |text: &str| {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    (
        format!("{scheme}://{}", &rest[at + 1..]),
        Some((decode(user), decode(password))),
    )
}

/// Registers (or looks up) every codec's schema with `client` and sets its id: one
/// request per distinct subject and schema. `lookup_only` (a dry run) registers nothing
/// and leaves a schema not found with the placeholder id. A registry error is a
/// run-time failure (exit 1), before any message is sent.
pub(crate) fn resolve(
    scenario: &Scenario,
    codecs: &mut Codecs,
    client: &mut Client,
    embedded: bool,
    lookup_only: bool,
) -> Result<RegistryReport, Error> {
    let mut done: BTreeMap<(String, String), Codec> = BTreeMap::new();
    let mut subjects = Vec::new();
    let mut misfits = Vec::new();
    for (codec, stream) in codecs.streams.iter_mut().zip(&scenario.streams) {
        let Some(codec) = codec else { continue };
        let key = (codec.subject.clone(), origin_key(codec));
        if let Some(resolved) = done.get(&key) {
            // The same schema as a stream before: its id, and its body when fetched.
            codec.id = resolved.id;
            codec.body = resolved.body.clone();
            codec.record = resolved.record.clone();
            codec.schema = resolved.schema.clone();
            if matches!(codec.origin, Origin::Id(_) | Origin::Subject { .. }) {
                // Fetched once; each stream's payload is still checked against it.
                if let Err(why) = payload_misfits(codec, stream, &mut misfits) {
                    return Err(Error::Runtime(why));
                }
            }
            continue;
        }
        let (id, version) = match resolve_one(codec, stream, client, lookup_only, &mut misfits) {
            Ok(found) => found,
            Err(Failure::Unreachable(reason))
                if lookup_only && !matches!(codec.body, Body::Pending) =>
            {
                // A dry run without its registry still prints, with the placeholder id.
                eprintln!(
                    "warning: cannot reach the Schema Registry at {}: {reason}; encoded values keep the placeholder schema id 0",
                    client.url()
                );
                break;
            }
            Err(failure) => {
                return Err(Error::Runtime(redact::redact(&explain(
                    codec, client, &failure,
                ))));
            }
        };
        codec.id = id;
        done.insert(key, codec.clone());
        subjects.push(SubjectReport {
            subject: codec.subject.clone(),
            format: codec.format.name().to_string(),
            id,
            version,
        });
    }
    if !misfits.is_empty() {
        return Err(Error::Usage(format!(
            "the schema the registry holds does not fit the payload:\n{}",
            misfits.join("\n")
        )));
    }
    Ok(RegistryReport {
        url: client.url().to_string(),
        embedded,
        subjects,
        requests: client.requests.values().sum(),
    })
}

/// What identifies a codec's schema among those of one subject.
fn origin_key(codec: &Codec) -> String {
    match &codec.origin {
        Origin::Id(id) => format!("id {id}"),
        Origin::Subject { name, version } => format!("{name} {version}"),
        Origin::Derived | Origin::File { .. } => codec.schema.clone(),
    }
}

/// The id (and version, when known) of one codec's schema.
fn resolve_one(
    codec: &mut Codec,
    stream: &Stream,
    client: &mut Client,
    lookup_only: bool,
    misfits: &mut Vec<String>,
) -> Result<(u32, Option<u32>), Failure> {
    let schema_type = codec.format.schema_type();
    match codec.origin.clone() {
        Origin::Id(id) => {
            let held = client.by_id(id)?;
            fill(codec, stream, &held, misfits)?;
            Ok((id, None))
        }
        Origin::Subject { name, version } => {
            let held = client.version(&name, &version.to_string())?;
            fill(codec, stream, &held, misfits)?;
            Ok((held.id, held.version))
        }
        Origin::Derived | Origin::File { .. } => {
            let Some(references) = register_references(codec, client, lookup_only)? else {
                // A dry run, and a reference not registered yet: the placeholder.
                return Ok((crate::encode::wire::PLACEHOLDER_ID, None));
            };
            match (codec.register, lookup_only) {
                (Register::Auto, false) => {
                    let id =
                        client.register(&codec.subject, schema_type, &codec.schema, &references)?;
                    Ok((id, None))
                }
                (Register::Never, _) | (Register::Auto, true) => {
                    match client.lookup(&codec.subject, schema_type, &codec.schema, &references) {
                        Ok(held) => Ok((held.id, held.version)),
                        Err(Failure::Refused {
                            code: Some(40401 | 40403),
                            ..
                        }) if lookup_only => Ok((crate::encode::wire::PLACEHOLDER_ID, None)),
                        Err(e) => Err(e),
                    }
                }
            }
        }
    }
}

/// Registers (or looks up) the schemas `codec`'s schema refers to, each under its own
/// subject (the reference's name, as Confluent's serializers do): the references to
/// send with it; `None` in a dry run when one is not registered yet.
fn register_references(
    codec: &Codec,
    client: &mut Client,
    lookup_only: bool,
) -> Result<Option<Vec<crate::registry::client::Referenced>>, Failure> {
    let mut out = Vec::new();
    for reference in &codec.references {
        let schema_type = codec.format.schema_type();
        if !lookup_only && codec.register == Register::Auto {
            client.register(&reference.subject, schema_type, &reference.schema, &[])?;
        }
        let held = match client.lookup(&reference.subject, schema_type, &reference.schema, &[]) {
            Ok(held) => held,
            Err(Failure::Refused {
                code: Some(40401 | 40403),
                ..
            }) if lookup_only => return Ok(None),
            Err(e) => return Err(e),
        };
        out.push(crate::registry::client::Referenced {
            name: reference.name.clone(),
            subject: reference.subject.clone(),
            version: held.version.unwrap_or(1),
        });
    }
    Ok(Some(out))
}

/// A schema fetched from the registry made the codec's body; how `stream`'s payload
/// misfits it is added to `misfits`.
fn fill(
    codec: &mut Codec,
    stream: &Stream,
    held: &Held,
    misfits: &mut Vec<String>,
) -> Result<(), Failure> {
    if held.schema_type != codec.format.schema_type() {
        return Err(Failure::Unusable(format!(
            "it is a {} schema, and the stream's values are `format: {}`",
            held.schema_type,
            codec.format.name()
        )));
    }
    let (body, record) = payload_misfits_of(codec.format, &held.schema, stream, misfits)
        .map_err(Failure::Unusable)?;
    codec.body = body;
    codec.record = record;
    codec.schema = held.schema.clone();
    Ok(())
}

/// A registry failure in a user's words: which registry, which subject or id, what it
/// said, and what to do.
fn explain(codec: &Codec, client: &Client, failure: &Failure) -> String {
    let url = client.url();
    let what = match &codec.origin {
        Origin::Id(id) => format!("schema id {id}"),
        Origin::Subject { name, version } => format!("version {version} of subject `{name}`"),
        Origin::Derived | Origin::File { .. } => format!("subject `{}`", codec.subject),
    };
    match failure {
        Failure::Unusable(why) => format!(
            "the schema the Schema Registry at {url} holds for {what} cannot be used: {why}"
        ),
        Failure::Unreachable(reason) => format!(
            "cannot reach the Schema Registry at {url}: {reason}; check the URL (--schema-registry, SCHEMA_REGISTRY_URL or schema_registry.url) and that the registry is up. Nothing was sent"
        ),
        Failure::Refused {
            status: 401 | 403,
            message,
            ..
        } => {
            let sent = client
                .credential()
                .unwrap_or_else(|| "no credentials".to_string());
            let verb = if message.is_empty() {
                "refused"
            } else {
                message.as_str()
            };
            format!(
                "the Schema Registry at {url} refused the request for {what} ({verb}); simulate sent {sent}: check schema_registry.auth. Nothing was sent"
            )
        }
        Failure::Refused {
            code: Some(40401), ..
        } if matches!(codec.origin, Origin::Subject { .. }) => format!(
            "subject {} does not exist in {url}; register a schema under it, or use `schema: derived` or `{{file: …}}`",
            subject_named(codec)
        ),
        Failure::Refused {
            code: Some(40401), ..
        } => format!(
            "subject {} does not exist in {url}; register it or set register: auto",
            subject_named(codec)
        ),
        Failure::Refused {
            code: Some(40402),
            message,
            ..
        } => format!("the Schema Registry at {url} has no such version for {what}: {message}"),
        Failure::Refused {
            code: Some(40403),
            message,
            ..
        } => match codec.origin {
            Origin::Id(_) => format!("the Schema Registry at {url} has no {what}: {message}"),
            _ => format!(
                "this stream's schema is not registered under subject {} in {url} ({message}); register it, or set register: auto",
                subject_named(codec)
            ),
        },
        Failure::Refused {
            status: 409,
            message,
            ..
        } => format!(
            "the Schema Registry at {url} refused the schema for {what} as incompatible with the subject's registered versions: {message}; make the change compatible (e.g. give new fields defaults), or change the subject's compatibility level. Nothing was sent"
        ),
        Failure::Refused {
            status: 422,
            message,
            ..
        } => format!(
            "the Schema Registry at {url} refused the schema for {what} as invalid: {message}"
        ),
        Failure::Refused {
            status,
            code,
            message,
        } => {
            let code = code.map_or(String::new(), |c| format!(", error code {c}"));
            format!(
                "the Schema Registry at {url} answered HTTP {status}{code} for {what}: {message}"
            )
        }
    }
}

/// The subject of a codec, in backticks.
fn subject_named(codec: &Codec) -> String {
    match &codec.origin {
        Origin::Subject { name, .. } => name.clone(),
        _ => codec.subject.clone(),
    }
}

/// How `stream`'s payload misfits the schema `codec` holds (fetched from the registry),
/// added to `misfits`.
fn payload_misfits(
    codec: &Codec,
    stream: &Stream,
    misfits: &mut Vec<String>,
) -> Result<(), String> {
    payload_misfits_of(codec.format, &codec.schema, stream, misfits).map(|_| ())
}

/// The body and record name of the registered schema `text`, with how `stream`'s payload
/// misfits it added to `misfits`.
fn payload_misfits_of(
    format: crate::scenario::validate::SchemaFormat,
    text: &str,
    stream: &Stream,
    misfits: &mut Vec<String>,
) -> Result<(Body, String), String> {
    let defaults;
    let payload = match &stream.message.payload {
        Some(fields) => fields,
        None => {
            defaults = crate::scenario::payload::default_payload();
            &defaults
        }
    };
    let (body, record, found) = compile::from_registry(format, text, payload, &stream.cameras)?;
    for m in found {
        let at = m
            .payload
            .as_deref()
            .map_or(String::new(), |p| format!("payload `{p}`: "));
        misfits.push(format!(
            "  stream `{}`: {at}{} (the registered schema's {}); {}",
            stream.name, m.message, m.schema, m.help
        ));
    }
    Ok((body, record))
}

/// Whether every codec's body is known (no schema still to fetch).
pub(crate) fn all_known(codecs: &Codecs) -> bool {
    codecs
        .streams
        .iter()
        .flatten()
        .all(|c| !matches!(c.body, Body::Pending))
}

/// `simulate registry`: the embedded registry at `127.0.0.1:PORT` (with basic auth when
/// asked), its URL on stdout, until SIGINT or SIGTERM (exit 0: stopping is how it ends).
pub(crate) fn serve(args: &RegistryArgs) -> Result<u8, Error> {
    use std::io::Write as _;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let auth = match (&args.user, &args.password) {
        (Some(user), Some(password)) => {
            let mut read = |p: &Path| std::fs::read_to_string(p);
            let password = crate::sink::kafka::properties::read_value(password, &mut read)
                .map_err(|e| Error::Usage(format!("--password: {e}")))?
                .unwrap_or_else(|| password.clone());
            Some((user.clone(), password))
        }
        _ => None,
    };
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
    let registry = match &auth {
        Some((user, password)) => crate::registry::Registry::with_basic_auth(user, password),
        None => crate::registry::Registry::new(),
    };
    let served = Serving::start_with(address, registry).map_err(|e| {
        Error::Runtime(format!(
            "cannot serve the Schema Registry at {address}: {}",
            crate::text::io_reason(&e, "no such address")
        ))
    })?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", served.url())
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    drop(out);
    if !args.quiet {
        eprintln!(
            "simulate: the embedded Schema Registry (a test double of Confluent's REST API, in memory) serves at {}; Ctrl-C stops it",
            served.url()
        );
    }
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    drop(served);
    Ok(crate::error::EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_taken_out_of_a_url() {
        assert_eq!(
            split_userinfo("http://registry:8081"),
            ("http://registry:8081".into(), None)
        );
        assert_eq!(
            split_userinfo("https://svc:p%40ss@sr.example.com/api?x=a@b"),
            (
                "https://sr.example.com/api?x=a@b".into(),
                Some(("svc".into(), "p@ss".into()))
            )
        );
    }
}
