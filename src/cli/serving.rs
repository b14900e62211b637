//! The commands that serve a test double for a pipeline of the user's own:
//! `simulate broker` (the embedded Kafka cluster) and `simulate registry` (the embedded
//! Schema Registry).

use std::path::PathBuf;

use clap::Args;

/// `simulate broker`.
#[derive(Debug, Args)]
pub struct BrokerArgs {
    /// The loopback port clients bootstrap from (127.0.0.1:PORT); 0 picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 9092)]
    pub port: u16,
    /// Create the topics of SCENARIO (other topics are created when first used).
    #[arg(long = "for", value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// Create topic NAME too (repeatable).
    #[arg(long = "topic", value_name = "NAME")]
    pub topics: Vec<String>,
    /// Partitions of each topic created.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(i32).range(1..=1000))]
    pub partitions: i32,
    /// Print only the bootstrap servers (stdout), nothing on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `simulate registry`.
#[derive(Debug, Args)]
pub struct RegistryArgs {
    /// The loopback port (http://127.0.0.1:PORT); 0 picks a free one.
    #[arg(long, value_name = "PORT", default_value_t = 8081)]
    pub port: u16,
    /// Require HTTP basic authentication as this user (with --password).
    #[arg(long, value_name = "NAME", requires = "password")]
    pub user: Option<String>,
    /// The password of --user; `@FILE` reads it from FILE.
    #[arg(long, value_name = "SECRET", requires = "user")]
    pub password: Option<String>,
    /// Print only the URL (stdout), nothing on stderr.
    #[arg(long, short)]
    pub quiet: bool,
}
