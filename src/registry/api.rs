//! The REST API of Confluent's Schema Registry over [`State`]: one request (method,
//! path, query, body, `Authorization`) in, one [`Reply`] out, with no I/O, so that
//! every endpoint and error code is tested without a socket. Paths and answers are
//! those of Confluent's "Schema Registry API Reference"; errors are
//! `{"error_code": N, "message": "…"}` with the HTTP status N's first three digits.

use serde_json::{Map, Value as Json, json};

use super::schema::{Kind, Level, Reference, Stored};
use super::state::{ApiError, State, Submitted, Which};

/// An answer: HTTP status and body (JSON, but for the raw Protobuf text of
/// `GET …/schema`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: String,
}

impl Reply {
    fn ok(body: Json) -> Reply {
        Reply {
            status: 200,
            body: body.to_string(),
        }
    }

    fn error(error: &ApiError) -> Reply {
        Reply {
            status: error.status(),
            body: json!({"error_code": error.code, "message": error.message}).to_string(),
        }
    }

    /// The body as JSON (`null` if it is not JSON).
    pub fn json(&self) -> Json {
        serde_json::from_str(&self.body).unwrap_or(Json::Null)
    }
}

/// An in-memory Schema Registry: Confluent's REST API as a function of requests.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    state: State,
    /// The `Authorization` value a request must carry, when auth is on.
    authorization: Option<String>,
}

/// The query's flag `name` (`true` in any case).
fn flag(query: &str, name: &str) -> bool {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .any(|(k, v)| k == name && v.eq_ignore_ascii_case("true"))
}

/// The query's parameter `name`, if given.
fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// A path segment with `%XX` escapes (and nothing else) decoded.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn not_found() -> ApiError {
    ApiError::new(404, "HTTP 404 Not Found")
}

fn not_allowed() -> ApiError {
    ApiError::new(405, "HTTP 405 Method Not Allowed")
}

/// The request body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Json>, ApiError> {
    match serde_json::from_slice::<Json>(body) {
        Ok(Json::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::new(400, "The request body must be a JSON object")),
        Err(e) => Err(ApiError::new(
            400,
            format!("Unexpected content in the request body: {e}"),
        )),
    }
}

/// The schema a registration, lookup or compatibility request sends.
fn submitted(body: &[u8]) -> Result<Submitted, ApiError> {
    let object = object(body)?;
    let text = match object.get("schema") {
        Some(Json::String(text)) if !text.trim().is_empty() => text.clone(),
        _ => return Err(ApiError::new(42201, "Empty schema")),
    };
    let kind = match object.get("schemaType") {
        None | Some(Json::Null) => Kind::Avro,
        Some(Json::String(name)) => Kind::from_name(name)
            .ok_or_else(|| ApiError::new(42201, format!("Invalid schema type {name}")))?,
        Some(other) => return Err(ApiError::new(42201, format!("Invalid schema type {other}"))),
    };
    let mut references = Vec::new();
    if let Some(list) = object.get("references").filter(|r| !r.is_null()) {
        let bad = || {
            ApiError::new(
                42201,
                "Invalid schema: references must be a list of {name, subject, version}",
            )
        };
        for r in list.as_array().ok_or_else(bad)? {
            let text = |k: &str| r.get(k).and_then(Json::as_str).map(str::to_string);
            references.push(Reference {
                name: text("name").ok_or_else(bad)?,
                subject: text("subject").ok_or_else(bad)?,
                version: r.get("version").and_then(Json::as_i64).ok_or_else(bad)?,
            });
        }
    }
    Ok(Submitted {
        kind,
        text,
        references,
    })
}

/// `schemaType` (unless Avro) and `references` (unless none) into `out`.
fn describe(out: &mut Map<String, Json>, stored: &Stored) {
    if stored.kind != Kind::Avro {
        out.insert("schemaType".into(), json!(stored.kind.name()));
    }
    if !stored.references.is_empty() {
        let list: Vec<Json> = stored.references.iter().map(Reference::to_json).collect();
        out.insert("references".into(), Json::Array(list));
    }
}

/// `{subject, version, id, schemaType?, references?, schema}`, the schema in `format`.
fn subject_version(
    subject: &str,
    number: i64,
    id: u32,
    stored: &Stored,
    format: Option<&str>,
) -> Json {
    let mut out = Map::new();
    out.insert("subject".into(), json!(subject));
    out.insert("version".into(), json!(number));
    out.insert("id".into(), json!(id));
    describe(&mut out, stored);
    out.insert("schema".into(), json!(stored.text_as(format)));
    Json::Object(out)
}

fn level_body(body: &[u8]) -> Result<(Level, String), ApiError> {
    let invalid = || {
        ApiError::new(
            42203,
            "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive",
        )
    };
    let object = object(body)?;
    let name = object
        .get("compatibility")
        .and_then(Json::as_str)
        .ok_or_else(invalid)?;
    let level = Level::from_name(name).ok_or_else(invalid)?;
    Ok((level, level.name().to_string()))
}

impl Registry {
    /// An empty registry, open to every request, global level BACKWARD.
    pub fn new() -> Registry {
        Registry::default()
    }

    /// An empty registry that answers only requests with HTTP basic auth as `user`
    /// with `password` (others: 401, `{"error_code":401,"message":"Unauthorized"}`).
    pub fn with_basic_auth(user: &str, password: &str) -> Registry {
        let mut encoded = Vec::new();
        crate::encode::wire::write_base64(&mut encoded, format!("{user}:{password}").as_bytes());
        Registry {
            state: State::default(),
            authorization: Some(String::from_utf8_lossy(&encoded).into_owned()),
        }
    }

    /// Answers one request: `method` (`GET`, `POST`, …), `path` (percent-encoded, no
    /// query), `query` (after `?`, may be empty), the body, the `Authorization` header.
    pub fn handle(
        &mut self,
        method: &str,
        path: &str,
        query: &str,
        body: &[u8],
        authorization: Option<&str>,
    ) -> Reply {
        if let Some(expected) = &self.authorization {
            let given = authorization
                .and_then(|a| a.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
                .map(|(_, credentials)| credentials.trim());
            if given != Some(expected.as_str()) {
                return Reply::error(&ApiError::new(401, "Unauthorized"));
            }
        }
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode)
            .collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        match self.route(method, &segments, query, body) {
            Ok(reply) => reply,
            Err(error) => Reply::error(&error),
        }
    }

    /// The routing key of a request, for counting: the method and the path with
    /// subjects, versions and ids replaced by `{subject}`, `{version}`, `{id}`.
    pub fn pattern(method: &str, path: &str) -> String {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let shape: Vec<&str> = match segments.as_slice() {
            ["subjects", _, rest @ ..] => {
                let mut out = vec!["subjects", "{subject}"];
                out.extend(
                    rest.iter()
                        .enumerate()
                        .map(|(i, s)| if i == 1 { "{version}" } else { s }),
                );
                out
            }
            ["schemas", "ids", _, rest @ ..] => {
                let mut out = vec!["schemas", "ids", "{id}"];
                out.extend(rest);
                out
            }
            ["compatibility", "subjects", _, rest @ ..] => {
                let mut out = vec!["compatibility", "subjects", "{subject}"];
                out.extend(
                    rest.iter()
                        .enumerate()
                        .map(|(i, s)| if i == 1 { "{version}" } else { s }),
                );
                out
            }
            ["config", _] => vec!["config", "{subject}"],
            other => other.to_vec(),
        };
        format!("{method} /{}", shape.join("/"))
    }

    fn route(
        &mut self,
        method: &str,
        segments: &[&str],
        query: &str,
        body: &[u8],
    ) -> Result<Reply, ApiError> {
        let deleted = flag(query, "deleted");
        match segments {
            [] => match method {
                "GET" => Ok(Reply::ok(json!({}))),
                _ => Err(not_allowed()),
            },
            ["subjects", rest @ ..] => self.subjects(method, rest, query, body),
            ["schemas", "types"] => Ok(Reply::ok(json!(["JSON", "PROTOBUF", "AVRO"]))),
            ["schemas", "ids", id, rest @ ..] => {
                if method != "GET" {
                    return Err(not_allowed());
                }
                let id: u32 = id.parse().map_err(|_| not_found())?;
                let stored = self.state.schema(id)?;
                match rest {
                    [] => {
                        let mut out = Map::new();
                        let format = param(query, "format");
                        out.insert("schema".into(), json!(stored.text_as(format)));
                        describe(&mut out, stored);
                        Ok(Reply::ok(Json::Object(out)))
                    }
                    ["schema"] => Ok(raw(stored)),
                    ["versions"] => {
                        let uses = self.state.uses(id, deleted)?;
                        let list: Vec<Json> = uses
                            .iter()
                            .map(|(s, v)| json!({"subject": s, "version": v}))
                            .collect();
                        Ok(Reply::ok(Json::Array(list)))
                    }
                    ["subjects"] => {
                        let mut subjects: Vec<&str> = self
                            .state
                            .uses(id, deleted)?
                            .iter()
                            .map(|(s, _)| *s)
                            .collect();
                        subjects.dedup();
                        Ok(Reply::ok(json!(subjects)))
                    }
                    _ => Err(not_found()),
                }
            }
            ["compatibility", "subjects", subject, "versions", rest @ ..] => {
                if method != "POST" {
                    return Err(not_allowed());
                }
                let which = match rest {
                    [] => None,
                    [v] => Some(Which::parse(v)?),
                    _ => return Err(not_found()),
                };
                let messages = self
                    .state
                    .compatibility(subject, which, &submitted(body)?)?;
                let mut out = Map::new();
                out.insert("is_compatible".into(), json!(messages.is_empty()));
                if flag(query, "verbose") {
                    out.insert("messages".into(), json!(messages));
                }
                Ok(Reply::ok(Json::Object(out)))
            }
            ["config", rest @ ..] => self.config(method, rest, query, body),
            ["mode"] | ["mode", _] => match method {
                "GET" => Ok(Reply::ok(json!({"mode": "READWRITE"}))),
                _ => Err(not_allowed()),
            },
            _ => Err(not_found()),
        }
    }

    fn subjects(
        &mut self,
        method: &str,
        rest: &[&str],
        query: &str,
        body: &[u8],
    ) -> Result<Reply, ApiError> {
        let (deleted, normalize, permanent) = (
            flag(query, "deleted"),
            flag(query, "normalize"),
            flag(query, "permanent"),
        );
        let format = param(query, "format");
        let state = &mut self.state;
        match (method, rest) {
            ("GET", []) => {
                let prefix = param(query, "subjectPrefix")
                    .map(decode)
                    .unwrap_or_default();
                let subjects: Vec<&str> = state
                    .subjects(deleted)
                    .into_iter()
                    .filter(|s| s.starts_with(&prefix))
                    .collect();
                Ok(Reply::ok(json!(subjects)))
            }
            ("POST", [subject]) => {
                let (version, stored) =
                    state.lookup(subject, &submitted(body)?, normalize, deleted)?;
                Ok(Reply::ok(subject_version(
                    subject,
                    version.number,
                    version.id,
                    stored,
                    format,
                )))
            }
            ("DELETE", [subject]) => {
                Ok(Reply::ok(json!(state.delete_subject(subject, permanent)?)))
            }
            ("GET", [subject, "versions"]) => {
                Ok(Reply::ok(json!(state.version_numbers(subject, deleted)?)))
            }
            ("POST", [subject, "versions"]) => {
                let id = state.register(subject, &submitted(body)?, normalize)?;
                Ok(Reply::ok(json!({"id": id})))
            }
            ("GET", [subject, "versions", v]) => {
                let (version, stored) =
                    state.version_of(subject, Some(Which::parse(v)?), deleted)?;
                Ok(Reply::ok(subject_version(
                    subject,
                    version.number,
                    version.id,
                    stored,
                    format,
                )))
            }
            ("GET", [subject, "versions", v, "referencedby"]) => {
                let (version, _) = state.version_of(subject, Some(Which::parse(v)?), deleted)?;
                Ok(Reply::ok(json!(
                    state.referenced_by(subject, version.number)
                )))
            }
            ("GET", [subject, "versions", v, "schema"]) => {
                let (_, stored) = state.version_of(subject, Some(Which::parse(v)?), deleted)?;
                Ok(raw(stored))
            }
            ("DELETE", [subject, "versions", v]) => Ok(Reply::ok(json!(state.delete_version(
                subject,
                Which::parse(v)?,
                permanent
            )?))),
            (
                _,
                []
                | [_]
                | [_, "versions"]
                | [_, "versions", _]
                | [_, "versions", _, "schema" | "referencedby"],
            ) => Err(not_allowed()),
            _ => Err(not_found()),
        }
    }

    fn config(
        &mut self,
        method: &str,
        rest: &[&str],
        query: &str,
        body: &[u8],
    ) -> Result<Reply, ApiError> {
        let state = &mut self.state;
        match (method, rest) {
            ("GET", []) => Ok(Reply::ok(
                json!({"compatibilityLevel": state.global().name()}),
            )),
            ("PUT", []) => {
                let (level, name) = level_body(body)?;
                state.set_global(level);
                Ok(Reply::ok(json!({"compatibility": name})))
            }
            ("DELETE", []) => {
                let before = state.global();
                state.set_global(Level::Backward);
                Ok(Reply::ok(json!({"compatibilityLevel": before.name()})))
            }
            ("GET", [subject]) => {
                let level = match state.subject_level(subject) {
                    Some(level) => level,
                    None if flag(query, "defaultToGlobal") => state.global(),
                    None => return Err(ApiError::subject_not_found(subject)),
                };
                Ok(Reply::ok(json!({"compatibilityLevel": level.name()})))
            }
            ("PUT", [subject]) => {
                let (level, name) = level_body(body)?;
                state.set_subject_level(subject, Some(level));
                Ok(Reply::ok(json!({"compatibility": name})))
            }
            ("DELETE", [subject]) => {
                let before = state
                    .subject_level(subject)
                    .ok_or_else(|| ApiError::subject_not_found(subject))?;
                state.set_subject_level(subject, None);
                Ok(Reply::ok(json!({"compatibilityLevel": before.name()})))
            }
            (_, [] | [_]) => Err(not_allowed()),
            _ => Err(not_found()),
        }
    }
}

/// `GET …/schema`: the schema itself (JSON for Avro and JSON Schema, the text for
/// Protobuf).
fn raw(stored: &Stored) -> Reply {
    Reply {
        status: 200,
        body: stored.text.clone(),
    }
}
