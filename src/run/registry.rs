//! Values encoded by a schema, at the edge: the codecs compiled (schema files read
//! relative to the scenario), the registry chosen (`--schema-registry`,
//! `SCHEMA_REGISTRY_URL`, `schema_registry.url`, or the embedded one beside the
//! embedded cluster), each schema registered or looked up once per subject, and every
//! registry error said in words a user can act on.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cli::{RegistryArgs, RunArgs};
use crate::encode::codec::{Body, Codec, Codecs};
use crate::encode::compile::{self, Files};
use crate::error::Error;
use crate::redact;
use crate::registry::Serving;
use crate::registry::client::{Client, Credentials, Failure, Held, Tls};
use crate::report::{RegistryReport, SubjectReport};
use crate::scenario::Scenario;
use crate::scenario::model::Register;
use crate::scenario::validate::{Auth, Origin};

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
    args: &'a RunArgs,
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
    let credentials = match &scenario.registry.auth {
        None => None,
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

/// Registers (or looks up) every codec's schema with `client` and sets its id: one
/// request per distinct subject and schema. `lookup_only` (a dry run) registers nothing
/// and leaves a schema not found with the placeholder id. A registry error is a
/// run-time failure (exit 1), before any message is sent.
pub(crate) fn resolve(
    codecs: &mut Codecs,
    client: &mut Client,
    embedded: bool,
    lookup_only: bool,
) -> Result<RegistryReport, Error> {
    let mut done: BTreeMap<(String, String), (u32, Option<u32>)> = BTreeMap::new();
    let mut subjects = Vec::new();
    for codec in codecs.streams.iter_mut().flatten() {
        let key = (codec.subject.clone(), origin_key(codec));
        if let Some(&(id, version)) = done.get(&key) {
            codec.id = id;
            let _ = version;
            continue;
        }
        let (id, version) = match resolve_one(codec, client, lookup_only) {
            Ok(found) => found,
            Err(failure) => {
                return Err(Error::Runtime(redact::redact(&explain(
                    codec, client, &failure,
                ))));
            }
        };
        codec.id = id;
        done.insert(key, (id, version));
        subjects.push(SubjectReport {
            subject: codec.subject.clone(),
            format: codec.format.name().to_string(),
            id,
            version,
        });
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
    client: &mut Client,
    lookup_only: bool,
) -> Result<(u32, Option<u32>), Failure> {
    let schema_type = codec.format.schema_type();
    match codec.origin.clone() {
        Origin::Id(id) => {
            let held = client.by_id(id)?;
            fill(codec, &held)?;
            Ok((id, None))
        }
        Origin::Subject { name, version } => {
            let held = client.version(&name, &version.to_string())?;
            fill(codec, &held)?;
            Ok((held.id, held.version))
        }
        Origin::Derived | Origin::File { .. } => {
            let references = register_references(codec, client, lookup_only)?;
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
/// send with it.
fn register_references(
    codec: &Codec,
    client: &mut Client,
    lookup_only: bool,
) -> Result<Vec<crate::registry::client::Referenced>, Failure> {
    let mut out = Vec::new();
    for reference in &codec.references {
        let schema_type = codec.format.schema_type();
        if !lookup_only && codec.register == Register::Auto {
            client.register(&reference.subject, schema_type, &reference.schema, &[])?;
        }
        let held = client.lookup(&reference.subject, schema_type, &reference.schema, &[])?;
        out.push(crate::registry::client::Referenced {
            name: reference.name.clone(),
            subject: reference.subject.clone(),
            version: held.version.unwrap_or(1),
        });
    }
    Ok(out)
}

/// A schema fetched from the registry made the codec's body.
fn fill(codec: &mut Codec, held: &Held) -> Result<(), Failure> {
    let wrong = |message: String| Failure::Refused {
        status: 200,
        code: None,
        message,
    };
    if held.schema_type != codec.format.schema_type() {
        return Err(wrong(format!(
            "it is a {} schema, and the stream's values are `format: {}`",
            held.schema_type,
            codec.format.name()
        )));
    }
    let (body, record) = compile::from_registry(codec.format, &held.schema).map_err(wrong)?;
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
