//! The Schema Registry client: the few calls of Confluent's REST API a run makes
//! (register a schema under a subject, look one up, fetch a schema by id or a subject's
//! version), each counted, and the registry's errors (`{"error_code", "message"}`) turned
//! into messages a user can act on. Credentials are never shown: a message names the
//! user, not the password or token.

use std::time::Duration;

use serde_json::{Value as Json, json};

/// How long one request may take, connection included.
const TIMEOUT: Duration = Duration::from_secs(15);

/// Credentials, resolved (no `@FILE` left).
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// HTTP basic authentication.
    Basic {
        /// The user.
        username: String,
        /// The password.
        password: String,
    },
    /// A bearer token.
    Bearer(String),
}

impl std::fmt::Debug for Credentials {
    /// The user, never the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credentials::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

impl Credentials {
    /// Which credential was sent, as a message may name it.
    fn described(&self) -> String {
        match self {
            Credentials::Basic { username, .. } => {
                format!("user `{username}` with password ***")
            }
            Credentials::Bearer(_) => "the bearer token ***".into(),
        }
    }

    /// The `Authorization` header's value.
    fn header(&self) -> String {
        match self {
            Credentials::Basic { username, password } => {
                let mut encoded = Vec::new();
                crate::encode::wire::write_base64(
                    &mut encoded,
                    format!("{username}:{password}").as_bytes(),
                );
                format!("Basic {}", String::from_utf8_lossy(&encoded))
            }
            Credentials::Bearer(token) => format!("Bearer {token}"),
        }
    }
}

/// TLS files (PEM), as read: the CA to trust, the client certificate and key.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    /// The CA certificate(s).
    pub ca: Option<Vec<u8>>,
    /// The client certificate and its key.
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

/// A registry call that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No answer: the registry could not be reached (the reason).
    Unreachable(String),
    /// The registry answered, but what it holds cannot be used here (another schema
    /// type, a schema that does not parse, a reply without an id): why.
    Unusable(String),
    /// An HTTP error, with the registry's `error_code` and `message` when it sent them.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The registry's error code (40401, 409, 42201, …).
        code: Option<i64>,
        /// The registry's message, or the response body.
        message: String,
    },
}

/// One schema as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Its global id.
    pub id: u32,
    /// `AVRO`, `PROTOBUF` or `JSON`.
    pub schema_type: String,
    /// Its text.
    pub schema: String,
    /// Its version under the subject asked about, if one was.
    pub version: Option<u32>,
}

/// A reference of a schema being registered: the name it is imported by, and the
/// subject and version it is registered under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referenced {
    /// The import name or full type name.
    pub name: String,
    /// Its subject.
    pub subject: String,
    /// Its version.
    pub version: u32,
}

/// A client of one registry.
#[derive(Debug)]
pub struct Client {
    base: String,
    agent: ureq::Agent,
    credentials: Option<Credentials>,
    /// How many requests were made, by kind (`register`, `lookup`, `id`, `version`).
    pub requests: std::collections::BTreeMap<&'static str, u64>,
}

impl Client {
    /// A client of the registry at `url` (its trailing `/` dropped); an error says why the
    /// TLS settings cannot be used.
    pub fn new(url: &str, credentials: Option<Credentials>, tls: &Tls) -> Result<Client, String> {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT));
        let config = tls_config(config, url, tls)?;
        Ok(Client {
            base: url.trim_end_matches('/').to_string(),
            agent: config.build().into(),
            credentials,
            requests: Default::default(),
        })
    }

    /// The registry's URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Which credential the client sends, for messages (`None`: no credentials).
    pub fn credential(&self) -> Option<String> {
        self.credentials.as_ref().map(Credentials::described)
    }

    /// Registers `schema` (of `schema_type`) under `subject` (`POST
    /// /subjects/{subject}/versions`): its id, new or existing.
    pub fn register(
        &mut self,
        subject: &str,
        schema_type: &str,
        schema: &str,
        references: &[Referenced],
    ) -> Result<u32, Failure> {
        let body = schema_body(schema_type, schema, references);
        let path = format!("/subjects/{}/versions", encode_segment(subject));
        let reply = self.call("register", "POST", &path, Some(body))?;
        id_of(&reply)
    }

    /// Looks `schema` up under `subject` (`POST /subjects/{subject}`): its id and version
    /// if registered there.
    pub fn lookup(
        &mut self,
        subject: &str,
        schema_type: &str,
        schema: &str,
        references: &[Referenced],
    ) -> Result<Held, Failure> {
        let body = schema_body(schema_type, schema, references);
        let path = format!("/subjects/{}", encode_segment(subject));
        let reply = self.call("lookup", "POST", &path, Some(body))?;
        held(&reply, id_of(&reply)?)
    }

    /// The schema with global id `id` (`GET /schemas/ids/{id}`).
    pub fn by_id(&mut self, id: u32) -> Result<Held, Failure> {
        let reply = self.call("id", "GET", &format!("/schemas/ids/{id}"), None)?;
        held(&reply, id)
    }

    /// Version `version` (`latest` or a number) of `subject` (`GET
    /// /subjects/{subject}/versions/{version}`).
    pub fn version(&mut self, subject: &str, version: &str) -> Result<Held, Failure> {
        let path = format!("/subjects/{}/versions/{version}", encode_segment(subject));
        let reply = self.call("version", "GET", &path, None)?;
        held(&reply, id_of(&reply)?)
    }

    /// One request; the reply's JSON on a 2xx status.
    fn call(
        &mut self,
        kind: &'static str,
        method: &str,
        path: &str,
        body: Option<Json>,
    ) -> Result<Json, Failure> {
        *self.requests.entry(kind).or_default() += 1;
        let url = format!("{}{path}", self.base);
        let auth = self.credentials.as_ref().map(Credentials::header);
        let accept = "application/vnd.schemaregistry.v1+json, application/json";
        let sent = match (method, body) {
            ("POST", Some(body)) => {
                let mut request = self
                    .agent
                    .post(&url)
                    .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                    .header("Accept", accept);
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.send(body.to_string())
            }
            _ => {
                let mut request = self.agent.get(&url).header("Accept", accept);
                if let Some(auth) = &auth {
                    request = request.header("Authorization", auth);
                }
                request.call()
            }
        };
        let mut response = sent.map_err(|e| Failure::Unreachable(reason(&e)))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_string()
            .map_err(|e| Failure::Unreachable(reason(&e)))?;
        let json: Option<Json> = serde_json::from_str(&text).ok();
        if (200..300).contains(&status) {
            return json.ok_or_else(|| {
                Failure::Unusable(format!("its reply is not JSON: {}", clip(&text)))
            });
        }
        let code = json
            .as_ref()
            .and_then(|j| j.get("error_code"))
            .and_then(Json::as_i64);
        let message = json
            .as_ref()
            .and_then(|j| j.get("message"))
            .and_then(Json::as_str)
            .map_or_else(|| clip(&text), str::to_string);
        Err(Failure::Refused {
            status,
            code,
            message,
        })
    }
}

/// The TLS part of the agent's configuration, for an `https` URL.
fn tls_config(
    config: ureq::config::ConfigBuilder<ureq::typestate::AgentScope>,
    url: &str,
    tls: &Tls,
) -> Result<ureq::config::ConfigBuilder<ureq::typestate::AgentScope>, String> {
    if !url.starts_with("https://") {
        return Ok(config);
    }
    #[cfg(feature = "kafka")]
    {
        use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig, TlsProvider};
        let mut builder = TlsConfig::builder().provider(TlsProvider::NativeTls);
        if let Some(ca) = &tls.ca {
            let certs: Vec<Certificate<'static>> = ureq::tls::parse_pem(ca)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                    _ => None,
                })
                .collect();
            if certs.is_empty() {
                return Err("schema_registry.ca holds no PEM certificate".into());
            }
            builder = builder.root_certs(RootCerts::new_with_certs(&certs));
        }
        if let Some((cert, key)) = &tls.client {
            let cert = Certificate::from_pem(cert)
                .map_err(|e| format!("schema_registry.cert is not a PEM certificate: {e}"))?;
            let key = PrivateKey::from_pem(key)
                .map_err(|e| format!("schema_registry.key is not a PEM private key: {e}"))?;
            builder = builder.client_cert(Some(ClientCert::new_with_certs(&[cert], key)));
        }
        Ok(config.tls_config(builder.build()))
    }
    #[cfg(not(feature = "kafka"))]
    {
        let _ = tls;
        Err("this build has no TLS (it was built without the `kafka` feature): use an http:// registry URL".into())
    }
}

/// The JSON body that registers or looks up a schema.
fn schema_body(schema_type: &str, schema: &str, references: &[Referenced]) -> Json {
    let mut body = json!({"schema": schema});
    if schema_type != "AVRO" {
        body["schemaType"] = json!(schema_type);
    }
    if !references.is_empty() {
        body["references"] = references
            .iter()
            .map(|r| json!({"name": r.name, "subject": r.subject, "version": r.version}))
            .collect();
    }
    body
}

/// The `id` of a reply.
fn id_of(reply: &Json) -> Result<u32, Failure> {
    reply
        .get("id")
        .and_then(Json::as_u64)
        .and_then(|id| u32::try_from(id).ok())
        .ok_or_else(|| {
            Failure::Unusable(format!(
                "its reply has no schema id: {}",
                clip(&reply.to_string())
            ))
        })
}

/// The schema a reply describes.
fn held(reply: &Json, id: u32) -> Result<Held, Failure> {
    let schema = reply.get("schema").and_then(Json::as_str).ok_or_else(|| {
        Failure::Unusable(format!(
            "its reply has no schema: {}",
            clip(&reply.to_string())
        ))
    })?;
    Ok(Held {
        id,
        schema_type: reply
            .get("schemaType")
            .and_then(Json::as_str)
            .unwrap_or("AVRO")
            .to_string(),
        schema: schema.to_string(),
        version: reply
            .get("version")
            .and_then(Json::as_u64)
            .and_then(|v| u32::try_from(v).ok()),
    })
}

/// A subject as one path segment: percent-encoded but for unreserved characters.
pub fn encode_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Why a request got no answer, in words.
fn reason(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(e) => crate::text::io_reason(e, "no such host"),
        ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
        ureq::Error::HostNotFound => "the host name does not resolve".into(),
        other => other.to_string(),
    }
}

/// At most 300 characters of `text`.
fn clip(text: &str) -> String {
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_escaped_as_one_path_segment() {
        assert_eq!(encode_segment("detections-value"), "detections-value");
        assert_eq!(
            encode_segment("com.example.Detection"),
            "com.example.Detection"
        );
        assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn basic_auth_is_the_base64_of_user_colon_password() {
        // RFC 7617's example.
        let c = Credentials::Basic {
            username: "Aladdin".into(),
            password: "open sesame".into(),
        };
        assert_eq!(c.header(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(!format!("{c:?}").contains("sesame"));
        assert!(!c.described().contains("sesame"));
    }

    #[test]
    fn avro_bodies_leave_the_schema_type_out_and_others_name_it() {
        assert_eq!(
            schema_body("AVRO", "\"string\"", &[]),
            json!({"schema": "\"string\""})
        );
        let refs = [Referenced {
            name: "other.proto".into(),
            subject: "other.proto".into(),
            version: 1,
        }];
        assert_eq!(
            schema_body("PROTOBUF", "syntax = \"proto3\";", &refs),
            json!({"schema": "syntax = \"proto3\";", "schemaType": "PROTOBUF",
                   "references": [{"name": "other.proto", "subject": "other.proto", "version": 1}]})
        );
    }
}
