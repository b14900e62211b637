//! Producer configuration as a pure function of the scenario and the command line, so it
//! is unit-tested without a broker; and the [`Settings`] of a run, as the command line
//! resolved them.
//!
//! Precedence, lowest first: our defaults (no loss, no duplicates), the `--max-speed`
//! batching defaults, the scenario's `kafka.properties`, then `-X key=value`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::properties::Property;
use crate::metrics::Metrics;
use crate::replay::pacer::Pace;
use crate::scenario::validate::Kafka;

/// Where the brokers come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Brokers {
    /// A real cluster, with where the address came from (for messages).
    Remote {
        /// `host:port[,host:port…]`.
        servers: String,
        /// `--bootstrap-servers`, `KAFKA_BOOTSTRAP_SERVERS` or `kafka.bootstrap_servers`.
        source: &'static str,
    },
    /// librdkafka's in-process mock cluster.
    Embedded,
}

/// Picks the brokers: the flag, then the environment, then the properties file (`-F`),
/// then the scenario file; none (or `--embedded-broker`) means the embedded cluster.
pub fn brokers(
    flag: Option<&str>,
    env: Option<&str>,
    properties_file: Option<&str>,
    file: Option<&str>,
    embedded: bool,
) -> Brokers {
    if embedded {
        return Brokers::Embedded;
    }
    let given = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(servers) = given(flag) {
        Brokers::Remote {
            servers,
            source: "--bootstrap-servers",
        }
    } else if let Some(servers) = given(env) {
        Brokers::Remote {
            servers,
            source: "KAFKA_BOOTSTRAP_SERVERS",
        }
    } else if let Some(servers) = given(properties_file) {
        Brokers::Remote {
            servers,
            source: "bootstrap.servers in the -F file",
        }
    } else if let Some(servers) = given(file) {
        Brokers::Remote {
            servers,
            source: "kafka.bootstrap_servers",
        }
    } else {
        Brokers::Embedded
    }
}

/// The producer's librdkafka properties.
pub fn producer_properties(
    kafka: &Kafka,
    cli: &[(String, String)],
    bootstrap: &str,
    max_speed: bool,
) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    let mut set = |k: &str, v: &str| {
        p.insert(k.to_string(), v.to_string());
    };
    // No loss and no duplicates or reordering on retry.
    set("enable.idempotence", "true");
    set("acks", "all");
    // Delivery reports carry what we count; nothing else is needed from them.
    set("delivery.report.only.error", "false");
    if max_speed {
        // Larger batches: throughput over per-message latency.
        set("linger.ms", "20");
        set("batch.num.messages", "10000");
        set("queue.buffering.max.messages", "1000000");
        set("queue.buffering.max.kbytes", "1048576");
    }
    for (k, v) in &kafka.properties {
        set(k, v);
    }
    for (k, v) in cli {
        set(k, v);
    }
    set("client.id", &kafka.client_id);
    set("bootstrap.servers", bootstrap);
    trust_the_system_store(&mut p);
    p
}

/// `(key, value)` of each property, in order.
pub fn pairs(properties: &[Property]) -> Vec<(String, String)> {
    properties
        .iter()
        .map(|p| (p.key.clone(), p.value.clone()))
        .collect()
}

/// Properties only a producer reads: a consumer configured like the run leaves them out
/// (librdkafka would warn about each).
const PRODUCER_ONLY: &[&str] = &[
    "acks",
    "batch.num.messages",
    "batch.size",
    "compression.codec",
    "compression.level",
    "compression.type",
    "delivery.report.only.error",
    "delivery.timeout.ms",
    "enable.gapless.guarantee",
    "enable.idempotence",
    "linger.ms",
    "message.send.max.retries",
    "message.timeout.ms",
    "partitioner",
    "queue.buffering.backpressure.threshold",
    "queue.buffering.max.kbytes",
    "queue.buffering.max.messages",
    "queue.buffering.max.ms",
    "request.required.acks",
    "request.timeout.ms",
    "retries",
    "retry.backoff.max.ms",
    "retry.backoff.ms",
    "sticky.partitioning.linger.ms",
    "transaction.timeout.ms",
    "transactional.id",
];

/// The librdkafka properties of a consumer that reaches the cluster exactly as the run's
/// producer does (security, TLS, SASL from the scenario, `-F`, `SIMULATE_X_*` and `-X`),
/// without the producer's own settings; it commits nothing and reads from the offsets it
/// is assigned. `fetch_wait_ms` bounds how long a broker may hold a fetch.
pub fn consumer_properties(
    kafka: &Kafka,
    cli: &[(String, String)],
    bootstrap: &str,
    fetch_wait_ms: u32,
) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    for (k, v) in kafka
        .properties
        .iter()
        .chain(cli.iter().map(|(k, v)| (k, v)))
    {
        if !PRODUCER_ONLY.contains(&k.as_str()) {
            p.insert(k.clone(), v.clone());
        }
    }
    p.insert("client.id".into(), kafka.client_id.clone());
    p.insert("bootstrap.servers".into(), bootstrap.into());
    p.insert("group.id".into(), format!("{}-check", kafka.client_id));
    p.insert("enable.auto.commit".into(), "false".into());
    p.insert("enable.auto.offset.store".into(), "false".into());
    p.insert("enable.partition.eof".into(), "false".into());
    p.insert("auto.offset.reset".into(), "earliest".into());
    p.entry("fetch.wait.max.ms".into())
        .or_insert_with(|| fetch_wait_ms.to_string());
    // Prefetch far less than librdkafka's defaults (100,000 messages a partition, 64 MB):
    // reading 2,000,000 messages from 64 partitions took 3.3–3.5 s either way, and the
    // checks promise bounded memory: partitions read evenly, so less of the plan waits
    // for the slowest (peak 56–78 MB there, against 82–196 MB at 10,000 and 119 MB at
    // the default).
    p.entry("queued.min.messages".into())
        .or_insert_with(|| "2000".into());
    p.entry("queued.max.messages.kbytes".into())
        .or_insert_with(|| "16384".into());
    // When that prefetch is full, librdkafka waits `fetch.queue.backoff.ms` (1 s by
    // default) before it fetches the partition again: reading 2,000,000 messages from
    // 64 partitions took 17 s instead of 5 s.
    p.entry("fetch.queue.backoff.ms".into())
        .or_insert_with(|| "10".into());
    trust_the_system_store(&mut p);
    p
}

/// Whether the producer `properties` speak TLS to the brokers (`SSL`, `SASL_SSL`).
pub(crate) fn uses_tls(properties: &BTreeMap<String, String>) -> bool {
    properties
        .get("security.protocol")
        .is_some_and(|v| v.to_ascii_lowercase().ends_with("ssl"))
}

/// OpenSSL is linked in statically (vendored), and its default CA paths point into the
/// build directory, not at the system's store. Unless the user names CAs, librdkafka is
/// told to probe the usual locations (`/etc/ssl/certs/ca-certificates.crt`, …) for the
/// broker's TLS and, with OIDC, for the token endpoint's HTTPS.
fn trust_the_system_store(p: &mut BTreeMap<String, String>) {
    let tls = uses_tls(p);
    let named = ["ssl.ca.location", "ssl.ca.pem", "ssl.ca.certificate.stores"];
    if tls && !named.iter().any(|k| p.contains_key(*k)) {
        p.insert("ssl.ca.location".into(), "probe".into());
    }
    let oidc = p
        .get("sasl.oauthbearer.method")
        .is_some_and(|v| v.eq_ignore_ascii_case("oidc"));
    if oidc
        && !["https.ca.location", "https.ca.pem"]
            .iter()
            .any(|k| p.contains_key(*k))
    {
        p.insert("https.ca.location".into(), "probe".into());
    }
}

/// A property's value as it may be shown (summary, report, messages): `***` for secrets
/// ([`crate::redact::shown`]).
pub(crate) fn shown(key: &str, value: &str) -> String {
    crate::redact::shown(key, value)
}

/// librdkafka's message about a property, naming it as the user typed it: librdkafka says
/// `"queue.buffering.max.ms"` where the user wrote `linger.ms`, an alias of it.
pub(crate) fn with_typed_name(description: &str, typed: &str) -> String {
    const MARK: &str = "property \"";
    let Some(at) = description.find(MARK) else {
        return description.to_string();
    };
    let from = at + MARK.len();
    let Some(len) = description[from..].find('"') else {
        return description.to_string();
    };
    let canonical = &description[from..from + len];
    if canonical == typed {
        return description.to_string();
    }
    format!(
        "{}{typed}{} (librdkafka calls it `{canonical}`)",
        &description[..from],
        &description[from + len..]
    )
}

/// How a Kafka run is set up: the command line, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the brokers are.
    pub brokers: Brokers,
    /// Properties from `-F`, `SIMULATE_X_*` and `-X`, in that order (the later wins),
    /// their `@FILE` values read.
    pub properties: Vec<Property>,
    /// Real time, faster, or as fast as possible.
    pub pace: Pace,
    /// How long to wait for the brokers before the schedule starts.
    pub connect_timeout: Duration,
    /// Whether a port nobody listens on is waited for too, for a broker that is still
    /// starting (`--connect-timeout` given), rather than an error at once.
    pub wait_refused: bool,
    /// How long to wait for outstanding deliveries at the end.
    pub flush_timeout: Duration,
    /// Partitions of the topic in the embedded cluster.
    pub partitions: i32,
    /// After the run, keep the embedded cluster serving until Ctrl-C.
    pub keep_broker: bool,
    /// After the flush, read the topics back and compare them with the plan (always
    /// done on the embedded cluster).
    pub verify: bool,
    /// How long the verification waits for something new before it ends the read.
    pub idle_timeout: Duration,
    /// Whether unexpected messages fail the verification.
    pub strict: bool,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
    /// `--metrics`: where the run's counters go (served by [`Metrics::serve`]).
    pub metrics: Option<Arc<Metrics>>,
    /// The value codecs of streams encoded by a schema, their ids resolved (empty: every
    /// value is JSON text).
    pub codecs: Arc<crate::encode::codec::Codecs>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kafka(properties: &[(&str, &str)]) -> Kafka {
        Kafka {
            bootstrap_servers: None,
            client_id: "python-producer".into(),
            key: Default::default(),
            timestamp: Default::default(),
            properties: properties
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn brokers_follow_flag_env_file_then_embedded() {
        let remote = |s: &str, source| Brokers::Remote {
            servers: s.into(),
            source,
        };
        assert_eq!(
            brokers(Some("a:1"), Some("b:2"), None, Some("c:3"), false),
            remote("a:1", "--bootstrap-servers")
        );
        assert_eq!(
            brokers(None, Some("b:2"), Some("f:4"), Some("c:3"), false),
            remote("b:2", "KAFKA_BOOTSTRAP_SERVERS")
        );
        assert_eq!(
            brokers(None, Some(" "), None, Some("c:3"), false),
            remote("c:3", "kafka.bootstrap_servers")
        );
        assert_eq!(
            brokers(None, None, Some("f:4"), Some("c:3"), false),
            remote("f:4", "bootstrap.servers in the -F file")
        );
        assert_eq!(brokers(None, None, None, None, false), Brokers::Embedded);
        assert_eq!(
            brokers(Some("a:1"), None, None, None, true),
            Brokers::Embedded
        );
    }

    #[test]
    fn flag_wins_over_file_which_wins_over_defaults() {
        let k = kafka(&[("linger.ms", "5"), ("compression.type", "gzip")]);
        let cli = vec![("compression.type".to_string(), "lz4".to_string())];
        let p = producer_properties(&k, &cli, "h:1", false);
        assert_eq!(p["compression.type"], "lz4");
        assert_eq!(p["linger.ms"], "5");
        assert_eq!(p["enable.idempotence"], "true");
        assert_eq!(p["client.id"], "python-producer");
        assert_eq!(p["bootstrap.servers"], "h:1");
        let fast = producer_properties(&kafka(&[("linger.ms", "1")]), &[], "h:1", true);
        assert_eq!(
            fast["linger.ms"], "1",
            "the file overrides the max-speed defaults"
        );
        assert_eq!(fast["batch.num.messages"], "10000");
    }

    #[test]
    fn tls_trusts_the_system_store_unless_cas_are_named() {
        let with = |pairs: &[(&str, &str)]| {
            let cli: Vec<_> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            producer_properties(&kafka(&[]), &cli, "h:1", false)
        };
        assert_eq!(
            with(&[("security.protocol", "SASL_SSL")])["ssl.ca.location"],
            "probe"
        );
        assert_eq!(
            with(&[("security.protocol", "ssl")])["ssl.ca.location"],
            "probe"
        );
        let named = with(&[("security.protocol", "SSL"), ("ssl.ca.location", "/ca.pem")]);
        assert_eq!(named["ssl.ca.location"], "/ca.pem");
        let pem = with(&[("security.protocol", "SSL"), ("ssl.ca.pem", "-----BEGIN")]);
        assert!(!pem.contains_key("ssl.ca.location"));
        assert!(!with(&[("security.protocol", "SASL_PLAINTEXT")]).contains_key("ssl.ca.location"));
        assert!(!with(&[]).contains_key("ssl.ca.location"));
        let oidc = with(&[("sasl.oauthbearer.method", "oidc")]);
        assert_eq!(oidc["https.ca.location"], "probe");
    }

    #[test]
    fn messages_name_properties_as_typed_and_hide_secrets() {
        assert_eq!(
            with_typed_name(
                "Invalid value \"abc\" for configuration property \"queue.buffering.max.ms\"",
                "linger.ms"
            ),
            "Invalid value \"abc\" for configuration property \"linger.ms\" (librdkafka calls it `queue.buffering.max.ms`)"
        );
        let same = "No such configuration property: \"x.y\"";
        assert_eq!(with_typed_name(same, "x.y"), same);
        assert_eq!(shown("sasl.password", "hunter2"), "***");
        assert_eq!(shown("sasl.oauthbearer.client.secret", "s"), "***");
        assert_eq!(shown("linger.ms", "5"), "5");
    }
}
