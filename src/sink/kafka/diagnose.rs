//! Why a connection to the brokers failed, in words a user can act on.
//!
//! librdkafka's messages name the symptom (`SSL handshake failed: … certificate verify
//! failed`, `Disconnected while requesting ApiVersion`); this module sorts them into the
//! failures a user can fix ([`Failure`]) and says what to change. For a certificate that
//! is not trusted it looks for itself: one TLS handshake with the same CAs, which names
//! the broker's certificate, its issuer, the CAs tried and OpenSSL's reason.
//!
//! Every failure here is one that waiting does not cure, so the connect loop stops at
//! the first sign of one instead of running out its timeout.

use std::collections::BTreeMap;
use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::ssl::{SslConnector, SslFiletype, SslMethod, SslVerifyMode};
use openssl::x509::{X509, X509NameRef};

/// A connection failure that waiting does not cure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The broker's TLS certificate was not trusted (CA or name).
    Untrusted,
    /// A TLS client on a port that does not speak TLS.
    TlsToPlaintext,
    /// A plaintext client on a TLS port.
    PlaintextToTls,
    /// The broker does not offer the SASL mechanism asked for.
    Mechanism,
    /// The broker refused the SASL credentials.
    Credentials,
    /// The broker asks for a client certificate (mTLS) and got none, or refused it.
    ClientCertificate,
}

/// Sorts a librdkafka client error into a [`Failure`], if it is one.
pub(crate) fn classify(error: &str) -> Option<Failure> {
    let e = error.to_ascii_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| e.contains(w));
    if any(&["certificate verify failed"]) {
        Some(Failure::Untrusted)
    } else if any(&[
        "certificate required",
        "alert handshake failure",
        "tlsv13 alert certificate",
        "bad certificate",
        "unknown ca",
    ]) {
        Some(Failure::ClientCertificate)
    } else if any(&[
        "wrong version number",
        "connecting to a plaintext broker listener",
        "packet length too long",
        "record layer failure",
    ]) {
        Some(Failure::TlsToPlaintext)
    } else if any(&["connecting to a ssl listener"]) {
        Some(Failure::PlaintextToTls)
    } else if any(&[
        "unsupported sasl mechanism",
        "mechanism handshake failed",
        "not supported by broker",
    ]) {
        Some(Failure::Mechanism)
    } else if any(&[
        "authentication failed",
        "sasl authentication error",
        "invalid credentials",
    ]) {
        Some(Failure::Credentials)
    } else {
        None
    }
}

/// The broker a client error is about: `sasl_ssl://127.0.0.1:9093/bootstrap: …` gives
/// `127.0.0.1:9093`.
pub(crate) fn broker_of(error: &str) -> Option<&str> {
    let head = error.split(": ").next()?;
    let head = head.split_once("://").map_or(head, |(_, rest)| rest);
    let head = head.split('/').next()?;
    let (host, port) = head.rsplit_once(':')?;
    (!host.is_empty() && port.parse::<u16>().is_ok()).then_some(head)
}

/// What to tell the user about `failure` at `broker`: what is wrong, and the fix.
/// `properties` are the producer's, `timeout` bounds the look at the certificate.
pub(crate) fn explain(
    failure: Failure,
    broker: &str,
    properties: &BTreeMap<String, String>,
    timeout: Duration,
) -> (String, String) {
    let get = |k: &str| properties.get(k).map(String::as_str);
    let protocol = get("security.protocol")
        .unwrap_or("plaintext")
        .to_ascii_uppercase();
    let sasl = protocol.starts_with("SASL");
    match failure {
        Failure::Untrusted => match look_at_certificate(broker, properties, timeout) {
            Ok(found) => found.explain(),
            Err(e) => (
                format!("TLS verification of the broker at {broker} failed (its certificate could not be fetched to say more: {e})"),
                "point ssl.ca.location at the PEM file of the CA that issued the broker's certificate".to_string(),
            ),
        },
        Failure::TlsToPlaintext => (
            format!("the broker at {broker} does not speak TLS on this port, and security.protocol is {protocol}"),
            format!(
                "use the broker's TLS listener, or set -X security.protocol={} if this port is meant to be plaintext",
                if sasl { "SASL_PLAINTEXT" } else { "PLAINTEXT" }
            ),
        ),
        Failure::PlaintextToTls => (
            format!("the broker at {broker} expects TLS on this port, and security.protocol is {protocol}"),
            format!(
                "set -X security.protocol={} (with ssl.ca.location if its CA is not in the system store)",
                if sasl { "SASL_SSL" } else { "SSL" }
            ),
        ),
        Failure::Mechanism => (
            format!(
                "the broker at {broker} does not accept SASL mechanism {}",
                get("sasl.mechanisms")
                    .or(get("sasl.mechanism"))
                    .unwrap_or("GSSAPI (librdkafka's default)")
            ),
            "set -X sasl.mechanisms= to one the broker offers (named above, e.g. SCRAM-SHA-512)"
                .to_string(),
        ),
        Failure::Credentials => (
            format!(
                "the broker at {broker} refused the credentials of sasl.username={} ({})",
                get("sasl.username").unwrap_or("(unset)"),
                get("sasl.mechanisms")
                    .or(get("sasl.mechanism"))
                    .unwrap_or("GSSAPI")
            ),
            "check sasl.username and sasl.password (a SCRAM user has a credential per mechanism: SCRAM-SHA-256 and SCRAM-SHA-512 are set apart)".to_string(),
        ),
        Failure::ClientCertificate => (
            format!("the broker at {broker} requires a client certificate (mutual TLS) it trusts"),
            "set ssl.certificate.location and ssl.key.location (with ssl.key.password if the key is encrypted) to a certificate the broker's CA issued".to_string(),
        ),
    }
}

/// Whether `broker` completes a TLS handshake (its certificate not checked): a port
/// that does is a TLS listener.
pub(crate) fn speaks_tls(broker: &str, timeout: Duration) -> bool {
    let Ok(mut builder) = SslConnector::builder(SslMethod::tls_client()) else {
        return false;
    };
    builder.set_verify(SslVerifyMode::NONE);
    let Ok(configuration) = builder.build().configure() else {
        return false;
    };
    let Ok(stream) = connect_tcp(broker, timeout) else {
        return false;
    };
    configuration
        .verify_hostname(false)
        .connect(host_of(broker), stream)
        .is_ok()
}

/// Whether `broker` accepts a TCP connection at all.
pub(crate) fn accepts_tcp(broker: &str) -> bool {
    connect_tcp(broker, Duration::from_secs(1)).is_ok()
}

/// Whether every one of the comma-separated bootstrap `servers` refuses a TCP
/// connection on every address it resolves to: nobody listens there, and waiting will
/// not change that unless a broker is still starting. A name that does not resolve, a
/// timeout or an accepted connection is not a refusal.
pub(crate) fn refuses_all(servers: &str) -> bool {
    let mut any = false;
    for server in servers.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let address = server.rsplit_once("://").map_or(server, |(_, a)| a);
        let Ok(addresses) = address.to_socket_addrs() else {
            return false;
        };
        for addr in addresses {
            any = true;
            match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {}
                _ => return false,
            }
        }
    }
    any
}

/// What one TLS handshake with the producer's CAs found.
#[derive(Debug)]
struct Findings {
    broker: String,
    /// The broker's certificate: subject and issuer.
    subject: String,
    issuer: String,
    /// The CAs tried, as the user would recognise them.
    trusted: String,
    /// OpenSSL's first complaint, with the certificate it was about.
    problem: Option<String>,
    /// The name was checked and did not match.
    name_mismatch: bool,
}

impl Findings {
    fn explain(&self) -> (String, String) {
        let Findings {
            broker,
            subject,
            issuer,
            trusted,
            ..
        } = self;
        let problem = self.problem.as_deref().unwrap_or("not trusted");
        let what = format!(
            "TLS verification of the broker at {broker} failed: its certificate `{subject}` (issued by `{issuer}`) was checked against {trusted}: {problem}"
        );
        let fix = if self.name_mismatch {
            format!(
                "connect by a name the certificate holds, or have it reissued for {}",
                host_of(broker)
            )
        } else {
            format!("point ssl.ca.location at the PEM file of the CA that issued it (`{issuer}`)")
        };
        (what, fix)
    }
}

/// Where librdkafka's `ssl.ca.location=probe` looks, in its order (files, then
/// directories).
const SYSTEM_STORES: &[&str] = &[
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.trust.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
    "/etc/ssl/cacert.pem",
    "/etc/certs/ca-certificates.crt",
    "/etc/ssl/certs",
    "/etc/pki/tls/certs",
];

fn host_of(broker: &str) -> &str {
    broker
        .rsplit_once(':')
        .map_or(broker, |(h, _)| h)
        .trim_matches(['[', ']'])
}

/// Loads the CAs the producer trusts into `builder`: `ssl.ca.pem`, `ssl.ca.location` (a
/// file or a directory), or the system store; returns what they are, in words.
fn trust(
    builder: &mut openssl::ssl::SslConnectorBuilder,
    properties: &BTreeMap<String, String>,
) -> Result<String, String> {
    let get = |k: &str| properties.get(k).map(String::as_str);
    let trusted = match (get("ssl.ca.location"), get("ssl.ca.pem")) {
        (_, Some(pem)) => {
            for ca in X509::stack_from_pem(pem.as_bytes()).map_err(|e| e.to_string())? {
                builder
                    .cert_store_mut()
                    .add_cert(ca)
                    .map_err(|e| e.to_string())?;
            }
            format!("ssl.ca.pem ({})", subjects_of_pem(pem.as_bytes()))
        }
        (Some(location), None) if location != "probe" => {
            let path = Path::new(location);
            if path.is_dir() {
                builder
                    .load_verify_locations(None, Some(path))
                    .map_err(|e| format!("ssl.ca.location={location}: {e}"))?;
                format!("the CAs in directory ssl.ca.location={location}")
            } else {
                builder
                    .set_ca_file(path)
                    .map_err(|e| format!("ssl.ca.location={location}: {e}"))?;
                let text = std::fs::read(path).unwrap_or_default();
                format!("ssl.ca.location={location} ({})", subjects_of_pem(&text))
            }
        }
        _ => {
            let store = SYSTEM_STORES
                .iter()
                .find(|p| Path::new(p).exists())
                .ok_or("no system CA store found")?;
            if Path::new(store).is_dir() {
                builder
                    .load_verify_locations(None, Some(Path::new(store)))
                    .map_err(|e| e.to_string())?;
            } else {
                builder.set_ca_file(store).map_err(|e| e.to_string())?;
            }
            format!("the system CA store ({store}; no ssl.ca.location given)")
        }
    };
    Ok(trusted)
}

/// Connects to `broker`, shakes hands with the producer's CAs and name check, and
/// records what OpenSSL finds wrong without stopping at it.
fn look_at_certificate(
    broker: &str,
    properties: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Findings, String> {
    let get = |k: &str| properties.get(k).map(String::as_str);
    let mut builder = SslConnector::builder(SslMethod::tls_client()).map_err(|e| e.to_string())?;
    let trusted = trust(&mut builder, properties)?;
    // A client certificate, so that a broker asking for one lets the handshake finish.
    if let (Some(cert), Some(key)) = (get("ssl.certificate.location"), get("ssl.key.location")) {
        let _ = builder.set_certificate_file(cert, SslFiletype::PEM);
        let _ = builder.set_private_key_file(key, SslFiletype::PEM);
    }
    let complaints: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let seen = Arc::clone(&complaints);
    let host = host_of(broker).to_string();
    builder.set_verify_callback(SslVerifyMode::PEER, move |ok, context| {
        if !ok {
            let error = context.error();
            let about = context
                .current_cert()
                .map(|c| name(c.subject_name()))
                .unwrap_or_default();
            // X509_V_ERR_HOSTNAME_MISMATCH and X509_V_ERR_IP_ADDRESS_MISMATCH.
            let mismatch = matches!(error.as_raw(), 62 | 64);
            let text = if mismatch {
                format!("{} (the name checked is {host})", error.error_string())
            } else {
                format!("{} (certificate `{about}`)", error.error_string())
            };
            seen.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((text, mismatch));
        }
        true
    });
    let connector = builder.build();
    let check_name = !get("ssl.endpoint.identification.algorithm")
        .is_some_and(|a| a.eq_ignore_ascii_case("none"));
    let configuration = connector
        .configure()
        .map_err(|e| e.to_string())?
        .verify_hostname(check_name);
    let stream = connect_tcp(broker, timeout).map_err(|e| e.to_string())?;
    let tls = configuration
        .connect(host_of(broker), stream)
        .map_err(|e| e.to_string())?;
    let chain = tls
        .ssl()
        .peer_certificate()
        .ok_or("the broker sent no certificate")?;
    let complaints = complaints.lock().unwrap_or_else(|e| e.into_inner());
    let first = complaints.first();
    Ok(Findings {
        broker: broker.to_string(),
        subject: name(chain.subject_name()),
        issuer: name(chain.issuer_name()),
        trusted,
        problem: first.map(|(text, _)| text.clone()),
        name_mismatch: first.is_some_and(|(_, mismatch)| *mismatch),
    })
}

fn connect_tcp(broker: &str, timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for address in broker.to_socket_addrs()? {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => {
                stream.set_read_timeout(Some(timeout))?;
                stream.set_write_timeout(Some(timeout))?;
                return Ok(stream);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// `CN=broker, O=Example`: a distinguished name as people read it.
fn name(n: &X509NameRef) -> String {
    n.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The subjects of the certificates in a PEM text, for messages.
fn subjects_of_pem(pem: &[u8]) -> String {
    match X509::stack_from_pem(pem) {
        Ok(cas) if !cas.is_empty() => cas
            .iter()
            .take(3)
            .map(|c| format!("`{}`", name(c.subject_name())))
            .collect::<Vec<_>>()
            .join(", "),
        _ => "no PEM certificate in it".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_errors_sort_into_failures() {
        let cases = [
            (
                "sasl_ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: error:0A000086:SSL routines::certificate verify failed: broker certificate could not be verified",
                Some(Failure::Untrusted),
            ),
            (
                "ssl://127.0.0.1:9092/bootstrap: SSL handshake failed: error:0A00010B:SSL routines::wrong version number",
                Some(Failure::TlsToPlaintext),
            ),
            (
                "127.0.0.1:9093/bootstrap: Disconnected while requesting ApiVersion: might be caused by incorrect security.protocol configuration (connecting to a SSL listener?)",
                Some(Failure::PlaintextToTls),
            ),
            (
                "sasl_ssl://127.0.0.1:9093/bootstrap: SASL PLAIN mechanism handshake failed: Broker: Unsupported SASL mechanism: broker's supported mechanisms: SCRAM-SHA-256,SCRAM-SHA-512",
                Some(Failure::Mechanism),
            ),
            (
                "sasl_ssl://127.0.0.1:9093/bootstrap: SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512",
                Some(Failure::Credentials),
            ),
            (
                "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused",
                None,
            ),
        ];
        for (text, want) in cases {
            assert_eq!(classify(text), want, "{text}");
        }
    }

    #[test]
    fn the_broker_is_read_from_the_error() {
        assert_eq!(
            broker_of("sasl_ssl://127.0.0.1:9093/bootstrap: SSL handshake failed"),
            Some("127.0.0.1:9093")
        );
        assert_eq!(
            broker_of("broker-1.example:9092/1: Disconnected"),
            Some("broker-1.example:9092")
        );
        assert_eq!(broker_of("1/1 brokers are down"), None);
    }
}
