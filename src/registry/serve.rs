//! The I/O edge of the embedded registry: a [`Registry`] served over HTTP on
//! `tiny_http` by one thread, which answers requests one at a time until the
//! [`Serving`] is dropped (the drop unblocks it and joins it), and counts requests by
//! method and path pattern, so that a run can say how many round trips it made.

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::api::Registry;

/// The content type of every answer.
const CONTENT_TYPE: &str = "application/vnd.schemaregistry.v1+json";

/// A registry being served; stops when dropped.
pub struct Serving {
    server: Arc<tiny_http::Server>,
    address: SocketAddr,
    requests: Arc<Mutex<BTreeMap<String, u64>>>,
    thread: Option<JoinHandle<()>>,
}

impl Serving {
    /// Serves an empty registry (no auth) at `addr` (port 0 picks a free port).
    pub fn start(addr: SocketAddr) -> io::Result<Serving> {
        Serving::start_with(addr, Registry::new())
    }

    /// Serves `registry` (e.g. [`Registry::with_basic_auth`]) at `addr`.
    pub fn start_with(addr: SocketAddr, registry: Registry) -> io::Result<Serving> {
        let server = tiny_http::Server::http(addr).map_err(|e| io::Error::other(e.to_string()))?;
        let address = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("the registry is not listening on an IP address"))?;
        let server = Arc::new(server);
        let requests = Arc::new(Mutex::new(BTreeMap::new()));
        let thread = std::thread::Builder::new()
            .name("schema-registry".into())
            .spawn({
                let (server, requests) = (Arc::clone(&server), Arc::clone(&requests));
                move || answer(&server, registry, &requests)
            })?;
        Ok(Serving {
            server,
            address,
            requests,
            thread: Some(thread),
        })
    }

    /// The registry's URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The requests answered so far, by `METHOD /path/pattern` (see
    /// [`Registry::pattern`]), e.g. `POST /subjects/{subject}/versions`.
    pub fn requests(&self) -> BTreeMap<String, u64> {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl std::fmt::Debug for Serving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serving")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            // The thread only answers requests; a panic in it has nothing to hand back.
            let _ = thread.join();
        }
    }
}

/// Answers requests until the server is unblocked.
fn answer(
    server: &tiny_http::Server,
    mut registry: Registry,
    requests: &Mutex<BTreeMap<String, u64>>,
) {
    for mut request in server.incoming_requests() {
        let method = request.method().as_str().to_ascii_uppercase();
        let url = request.url().to_string();
        let (path, query) = url.split_once('?').unwrap_or((&url, ""));
        let authorization = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Authorization"))
            .map(|h| h.value.as_str().to_string());
        let mut body = Vec::new();
        let reply = match request.as_reader().read_to_end(&mut body) {
            Ok(_) => registry.handle(&method, path, query, &body, authorization.as_deref()),
            Err(e) => super::api::Reply {
                status: 400,
                body: serde_json::json!({"error_code": 400, "message": format!("cannot read the request body: {e}")})
                    .to_string(),
            },
        };
        *requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(Registry::pattern(&method, path))
            .or_insert(0) += 1;
        let header = tiny_http::Header::from_bytes(&b"Content-Type"[..], CONTENT_TYPE.as_bytes())
            .expect("a valid header");
        let mut response = tiny_http::Response::from_string(reply.body)
            .with_status_code(reply.status)
            .with_header(header);
        if reply.status == 401 {
            let challenge = &b"Basic realm=\"SchemaRegistry\""[..];
            response.add_header(
                tiny_http::Header::from_bytes(&b"WWW-Authenticate"[..], challenge)
                    .expect("a valid header"),
            );
        }
        // A client that went away has no answer to receive.
        let _ = request.respond(response);
    }
}
