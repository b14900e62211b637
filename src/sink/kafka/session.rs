//! A Kafka run's sink built from its settings, as vector's `SinkConfig::build` does: the
//! properties checked, the embedded cluster started when no brokers are given, the
//! producer connected; after the replay, what was delivered, for the report.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::config::pairs;
use super::config::{self, Brokers, Settings};
use super::embedded::{self, Embedded};
use super::producer::{Connection, KafkaSink, Outcome, check_properties};
use crate::error::Error;
use crate::replay::pacer::Pace;
use crate::scenario::Scenario;

/// An opened Kafka sink and what its report needs after the run.
pub(crate) struct Session {
    /// The sink the plan is replayed into.
    pub sink: KafkaSink,
    /// The embedded cluster, while the run uses one (dropping it stops the brokers).
    embedded: Option<Embedded>,
    /// The bootstrap servers the producer was given.
    servers: String,
    /// Every librdkafka property of the producer.
    properties: BTreeMap<String, String>,
}

/// What a finished Kafka run accounted for, for its report.
pub(crate) struct Finished {
    /// Delivered, failed and left outstanding.
    pub outcome: Outcome,
    /// Where the events went: the bootstrap servers, or `embedded (…)`.
    pub brokers: String,
    /// The bootstrap servers the producer was given.
    pub servers: String,
    /// Every librdkafka property of the producer, unmasked (the report masks them).
    pub properties: BTreeMap<String, String>,
    /// The verification of the run (the read-back of an embedded run, `--verify`):
    /// its words, and whether it passed (`None`: not checked); set by the caller.
    pub verification: Option<(String, Option<bool>)>,
    /// The embedded cluster, still serving (dropping it stops the brokers).
    pub cluster: Option<Embedded>,
}

impl Session {
    /// Checks the properties (bad ones are invalid input, refused before anything
    /// starts), starts the embedded cluster when no brokers are given, and connects.
    pub(crate) fn open(
        scenario: &Scenario,
        settings: &Settings,
        stop: &Arc<std::sync::atomic::AtomicBool>,
    ) -> Result<Session, Error> {
        let topics = scenario.topics();
        let topic_words = topic_words(&topics);
        let max_speed = settings.pace == Pace::Max;
        check_properties(&scenario.kafka, &settings.properties, max_speed)?;
        let (embedded, servers, source) = match &settings.brokers {
            Brokers::Embedded => {
                let cluster = Embedded::start(&topics, settings.partitions)?;
                if !settings.quiet {
                    eprintln!(
                        "simulate: using an embedded Kafka cluster ({} brokers at {}), {topic_words} with {} partitions{}",
                        embedded::BROKERS,
                        cluster.bootstrap,
                        settings.partitions,
                        if topics.len() > 1 { " each" } else { "" }
                    );
                }
                let servers = cluster.bootstrap.clone();
                (Some(cluster), servers, "the embedded cluster")
            }
            Brokers::Remote { servers, source } => (None, servers.clone(), *source),
        };
        let properties = config::producer_properties(
            &scenario.kafka,
            &pairs(&settings.properties),
            &servers,
            max_speed,
        );
        let connection = Connection {
            servers: &servers,
            source,
            properties: &properties,
            connect_timeout: settings.connect_timeout,
            wait_refused: settings.wait_refused,
            flush_timeout: settings.flush_timeout,
            max_speed,
            latency_metric: settings
                .metrics
                .as_ref()
                .map(|m| m.delivery_latency.clone()),
            codecs: Arc::clone(&settings.codecs),
        };
        let sink = KafkaSink::connect(scenario, &connection, Arc::clone(stop))?;
        if !settings.quiet {
            eprintln!(
                "simulate: sending `{}` ({} of events, {}) to {topic_words} at {servers}",
                scenario.name,
                scenario.duration,
                settings.pace.describe()
            );
        }
        Ok(Session {
            sink,
            embedded,
            servers,
            properties,
        })
    }

    /// The bootstrap servers the producer was given (the embedded cluster's too).
    pub(crate) fn servers(&self) -> &str {
        &self.servers
    }

    /// Closes the producer; what was delivered, for the report.
    pub(crate) fn finish(self) -> Finished {
        let outcome = self.sink.into_outcome();
        Finished {
            outcome,
            brokers: match self.embedded {
                Some(_) => format!("embedded ({})", self.servers),
                None => self.servers.clone(),
            },
            servers: self.servers,
            properties: self.properties,
            verification: None,
            cluster: self.embedded,
        }
    }
}

/// "topic `a`", or "topics `a` and `b`".
fn topic_words(topics: &[&str]) -> String {
    let quoted: Vec<String> = topics.iter().map(|t| format!("`{t}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("topics {} and {last}", rest.join(", "))
        }
        _ => format!("topic {}", quoted.join("")),
    }
}
