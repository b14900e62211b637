//! The `kafka` section of a scenario file: the Kafka sink's settings, the message key and
//! timestamp modes.

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// Settings the Kafka sink uses. Broker addresses are usually deployment configuration:
/// `--bootstrap-servers` and `KAFKA_BOOTSTRAP_SERVERS` take precedence over this file.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KafkaFile {
    /// Comma-separated `host:port` list of brokers, e.g. `broker:29092`.
    pub bootstrap_servers: Option<String>,
    /// The producer's `client.id`. Defaults to `simulate`.
    pub client_id: Option<String>,
    /// What becomes the Kafka message key: `camera_id` (the default) or `none`.
    pub key: Option<KeyMode>,
    /// The Kafka message timestamp: `send` (the default), the instant the message is
    /// sent, as a real producer stamps it; or `event`, the event's own instant (differs
    /// only for late, duplicated and held messages).
    pub timestamp: Option<TimestampMode>,
    /// librdkafka producer properties passed through as they are, e.g. `{linger.ms: 5}`.
    /// `-X key=value` on the command line wins over these.
    #[schemars(with = "BTreeMap<String, PropertyValue>")]
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

impl KafkaFile {
    /// The keys the `kafka` section may have.
    pub const FIELDS: &'static [&'static str] = &[
        "bootstrap_servers",
        "client_id",
        "key",
        "timestamp",
        "properties",
    ];

    /// librdkafka properties that simulate sets itself, neither in `kafka.properties` nor
    /// with `-X`, each with what to do instead.
    pub(crate) const MANAGED_PROPERTIES: &'static [(&'static str, &'static str)] = &[
        (
            "bootstrap.servers",
            "use --bootstrap-servers or kafka.bootstrap_servers",
        ),
        (
            "metadata.broker.list",
            "use --bootstrap-servers or kafka.bootstrap_servers",
        ),
        ("client.id", "use kafka.client_id"),
        (
            "delivery.report.only.error",
            "simulate counts every delivery report to know what was delivered; leave it unset",
        ),
    ];
}

/// A librdkafka property value; numbers and booleans are passed on as their text.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum PropertyValue {
    /// Text, e.g. `lz4`.
    Text(String),
    /// A number, e.g. `5`.
    Number(f64),
    /// A boolean, e.g. `true`.
    Bool(bool),
}

named! {
    /// Which instant the Kafka message timestamp carries.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum TimestampMode {
        /// When the message is sent (what a real producer stamps).
        #[default]
        Send => "send",
        /// The event's own instant.
        Event => "event",
    }
}

named! {
    /// What becomes the Kafka message key.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum KeyMode {
        /// The camera id as text: all events of a camera land on one partition, in order.
        #[default]
        CameraId => "camera_id",
        /// No key: the producer spreads events over partitions.
        None => "none",
    }
}
