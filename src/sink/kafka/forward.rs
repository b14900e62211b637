//! The embedded cluster at a port the user chooses (`simulate broker --port`).
//! librdkafka's mock brokers listen on loopback ports of their own choosing; a listener on
//! `127.0.0.1:PORT` forwards each connection, byte for byte, to the first of them. A client
//! bootstraps there and then connects to the brokers the cluster's metadata names, on
//! loopback too, as it would with any cluster.

use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};

use crate::error::Error;
use crate::text::io_reason;

/// Listens on `127.0.0.1:port` (0: a free port) and forwards every connection to the
/// first of `bootstrap`'s servers, from threads of its own, for as long as the process
/// lives. Returns the address listened on.
pub(crate) fn forward(port: u16, bootstrap: &str) -> Result<SocketAddr, Error> {
    let first = bootstrap.split(',').next().unwrap_or(bootstrap).trim();
    let target = first
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| {
            Error::Runtime(format!(
                "the embedded cluster's address `{first}` does not resolve"
            ))
        })?;
    let listener = TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
        Error::Runtime(format!(
            "cannot serve the embedded cluster at 127.0.0.1:{port}: {}; choose another port with --port (0 picks a free one)",
            io_reason(&e, "no such address")
        ))
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| Error::Runtime(format!("cannot read the address listened on: {e}")))?;
    std::thread::Builder::new()
        .name("forward".into())
        .spawn(move || {
            for client in listener.incoming().flatten() {
                let _ = std::thread::Builder::new()
                    .name("forward-connection".into())
                    .spawn(move || join(client, target));
            }
        })
        .map_err(|e| Error::Runtime(format!("cannot start the forwarding thread: {e}")))?;
    Ok(address)
}

/// Copies bytes both ways between `client` and a new connection to `target` until each
/// side has closed; a side that closes is passed on as a half-close.
fn join(client: TcpStream, target: SocketAddr) {
    let Ok(upstream) = TcpStream::connect(target) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let (Ok(mut client_in), Ok(mut upstream_out)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let up = std::thread::spawn(move || {
        let _ = io::copy(&mut client_in, &mut upstream_out);
        let _ = upstream_out.shutdown(Shutdown::Write);
    });
    let (mut upstream_in, mut client_out) = (upstream, client);
    let _ = io::copy(&mut upstream_in, &mut client_out);
    let _ = client_out.shutdown(Shutdown::Write);
    let _ = up.join();
}
