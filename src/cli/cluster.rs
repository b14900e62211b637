//! Where the Kafka cluster is and how to reach it: the options a run, `verify` and
//! `score` share, and the environment variables that stand for them.

use std::path::PathBuf;

use clap::Args;

use super::parse::parse_property;

/// The brokers, the librdkafka properties (security above all) and the Schema Registry,
/// as given on the command line and in the environment.
#[derive(Debug, Args, Default)]
pub struct ClusterArgs {
    /// Kafka brokers, host:port[,host:port…] (default: $KAFKA_BOOTSTRAP_SERVERS, then the
    /// scenario's kafka.bootstrap_servers, then an embedded cluster).
    #[arg(long, short = 'b', value_name = "LIST", help_heading = "Kafka")]
    pub bootstrap_servers: Option<String>,

    /// A librdkafka property, e.g. -X compression.type=lz4 or
    /// -X sasl.password=@/run/secrets/kafka-password (@FILE: read the value from FILE).
    /// Repeatable; wins over SIMULATE_X_* variables, -F and the scenario's kafka.properties.
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = parse_property, help_heading = "Kafka")]
    pub properties: Vec<(String, String)>,

    /// A librdkafka/Java-style properties file of key=value lines, as kcat -F (e.g. the
    /// client.properties Confluent Cloud hands out); SIMULATE_X_* variables and -X win
    /// over it. A value @FILE, here or in -X, is read from FILE.
    #[arg(short = 'F', long, value_name = "FILE", help_heading = "Kafka")]
    pub properties_file: Option<PathBuf>,

    /// The Schema Registry that values encoded by a schema are registered with (default:
    /// $SCHEMA_REGISTRY_URL, then the scenario's schema_registry.url, then, with the
    /// embedded cluster, an embedded registry).
    #[arg(long, value_name = "URL", help_heading = "Kafka")]
    pub schema_registry: Option<String>,

    /// KAFKA_BOOTSTRAP_SERVERS, read once at start-up.
    #[arg(skip)]
    pub env_bootstrap_servers: Option<String>,

    /// SCHEMA_REGISTRY_URL, read once at start-up.
    #[arg(skip)]
    pub env_schema_registry: Option<String>,

    /// SIMULATE_X_* variables (a property each: SIMULATE_X_SASL_PASSWORD sets
    /// sasl.password), read once at start-up.
    #[arg(skip)]
    pub env_properties: Vec<(String, String)>,
}

impl ClusterArgs {
    /// Reads the variables that stand for these options (the only place they are read).
    pub(super) fn read_environment(&mut self) {
        self.env_bootstrap_servers = std::env::var("KAFKA_BOOTSTRAP_SERVERS").ok();
        self.env_schema_registry = std::env::var("SCHEMA_REGISTRY_URL").ok();
        self.env_properties = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with(crate::sink::kafka::properties::ENV_PREFIX))
            .collect();
    }
}
