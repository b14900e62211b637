//! The Schema Registry: the client a run registers and looks up schemas with
//! (`client`).

pub mod client;

/// Placeholder until the embedded registry lands (replaced by the merge).
pub mod serve {
    /// The embedded registry, serving.
    #[derive(Debug)]
    pub struct Serving;
    impl Serving {
        /// Starts serving at `addr`.
        pub fn start(_addr: std::net::SocketAddr) -> std::io::Result<Serving> {
            Err(std::io::Error::other("not yet"))
        }
        /// Starts serving at `addr`, with basic auth when given.
        pub fn start_with(
            _addr: std::net::SocketAddr,
            _auth: Option<(String, String)>,
        ) -> std::io::Result<Serving> {
            Err(std::io::Error::other("not yet"))
        }
        /// The base URL.
        pub fn url(&self) -> String {
            String::new()
        }
    }
}
