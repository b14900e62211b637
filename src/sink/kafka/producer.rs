//! The producer behind the Kafka sink: one librdkafka producer for every topic of the
//! scenario, connected before the schedule starts (a failure explained in people's words
//! by `diagnose`), sending each rendered message through a topic handle (`produce`),
//! serving delivery reports (`delivery`) while the pacer waits, and flushing within its
//! bound at the end.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::ClientConfig;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::types::RDKafkaRespErr;

use super::delivery::{self, Counts, Delivery};
use super::properties::{Origin, Property};
use super::sent::SendLog;
use super::{config, diagnose, produce};
use crate::encode::codec::Codecs;
use crate::error::Error;
use crate::histogram::nanos;
use crate::render::Message;
use crate::scenario::Scenario;
use crate::scenario::validate::Kafka;
use crate::sink::{Handover, Sink};

/// Checks the producer properties librdkafka will be given (the defaults, the scenario's
/// `kafka.properties`, `-F`, `SIMULATE_X_*`, `-X`) before anything starts; an invalid one
/// is invalid input, named as the user typed it, where it was set.
pub(crate) fn check_properties(
    kafka: &Kafka,
    extra: &[Property],
    max_speed: bool,
) -> Result<(), Error> {
    let placeholder =
        config::producer_properties(kafka, &config::pairs(extra), "127.0.0.1:9092", max_speed);
    client_config(&placeholder)
        .create_native_config()
        .map(|_| ())
        .map_err(|e| property_error(e, kafka, extra))
}

/// The Kafka sink: one producer, every topic of the scenario.
pub(crate) struct KafkaSink {
    /// A handle of each topic; declared before the producer, so dropped before it.
    topics: Vec<produce::Topic>,
    producer: BaseProducer<Delivery>,
    max_speed: bool,
    stop: Arc<AtomicBool>,
    flush_timeout: Duration,
    key: Vec<u8>,
    value: Vec<u8>,
    /// The codecs of streams whose values are encoded by a schema.
    codecs: Arc<Codecs>,
    /// The header values of the message being sent, end to end, and where each ends.
    header_text: Vec<u8>,
    header_ends: Vec<usize>,
    /// Events offered to `send`, events librdkafka accepted, and events it refused (counted
    /// as failed by the context, beside those failed in delivery reports).
    offered: u64,
    accepted: u64,
    refused: u64,
    /// Still queued or in flight when the flush bound ran out.
    outstanding: u64,
    /// `--latency`: when each message was handed over, and what identifies it.
    sent: Option<SendLog>,
}

/// What a finished Kafka sink accounted for.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Delivery reports and send failures, counted.
    pub counts: Counts,
    /// Events neither delivered nor failed when the flush bound ran out.
    pub outstanding: u64,
}

/// Where and how the sink connects.
#[derive(Debug, Clone)]
pub(crate) struct Connection<'a> {
    /// `host:port[,host:port…]`.
    pub servers: &'a str,
    /// Where the addresses came from, for messages (`--bootstrap-servers`, …).
    pub source: &'a str,
    /// Every librdkafka property of the producer ([`config::producer_properties`]).
    pub properties: &'a BTreeMap<String, String>,
    /// How long to wait for the brokers before the first event.
    pub connect_timeout: Duration,
    /// Whether a port nobody listens on is waited for too (`--connect-timeout` given)
    /// rather than an error at once.
    pub wait_refused: bool,
    /// How long to wait for outstanding deliveries at the end.
    pub flush_timeout: Duration,
    /// Batching over latency: delivery reports are served every few hundred sends.
    pub max_speed: bool,
    /// Where delivery latency is observed for `--metrics`, if anywhere.
    pub latency_metric: Option<prometheus::Histogram>,
    /// The codecs of streams whose values are encoded by a schema.
    pub codecs: Arc<Codecs>,
}

impl KafkaSink {
    /// Creates the producer and waits until the brokers answer for each of the scenario's
    /// topics, within the connect timeout. `stop` ends the wait, and a wait for queue room
    /// later.
    pub fn connect(
        scenario: &Scenario,
        connection: &Connection<'_>,
        stop: Arc<AtomicBool>,
    ) -> Result<KafkaSink, Error> {
        // The properties were checked before anything started (check_properties).
        let producer: BaseProducer<Delivery> = client_config(connection.properties)
            .create_with_context(Delivery::new(
                Instant::now(),
                connection.latency_metric.clone(),
            ))
            .map_err(|e| Error::Runtime(format!("cannot create the Kafka producer: {e}")))?;
        let deadline = Instant::now() + connection.connect_timeout;
        for topic in scenario.topics() {
            let partitions = connect(
                &producer,
                topic,
                (connection.servers, connection.source, connection.properties),
                (
                    connection.connect_timeout,
                    deadline,
                    connection.wait_refused,
                ),
                &stop,
            )?;
            check_partitions(scenario, topic, partitions, connection.servers)?;
        }
        let mut topics = Vec::new();
        for name in scenario.topics() {
            let topic = produce::Topic::new(&producer, name).ok_or_else(|| {
                Error::Runtime(format!("librdkafka refused a handle for topic `{name}`"))
            })?;
            topics.push(topic);
        }
        Ok(KafkaSink {
            topics,
            producer,
            max_speed: connection.max_speed,
            stop,
            flush_timeout: connection.flush_timeout,
            key: Vec::with_capacity(64),
            value: Vec::with_capacity(256),
            codecs: Arc::clone(&connection.codecs),
            header_text: Vec::new(),
            header_ends: Vec::new(),
            offered: 0,
            accepted: 0,
            refused: 0,
            outstanding: 0,
            sent: None,
        })
    }

    /// Records every message handed over from now on in `log` (`--latency`).
    pub fn record_sends(&mut self, log: SendLog) {
        self.sent = Some(log);
    }

    /// What was delivered, failed and left outstanding; the producer is closed.
    pub fn into_outcome(self) -> Outcome {
        Outcome {
            counts: self.producer.context().counts(),
            outstanding: self.outstanding,
        }
    }
}

impl Sink for KafkaSink {
    fn send(&mut self, mut message: Message<'_, '_>) -> Result<Handover, Error> {
        self.offered += 1;
        self.key.clear();
        self.value.clear();
        let keyed = message.write_key(&mut self.key);
        message
            .write_wire_value(&mut self.value, &self.codecs)
            // The codecs were compiled to fit the payload: a mismatch is a bug.
            .map_err(|m| Error::Runtime(format!("cannot encode a value: {}", m.0)))?;
        let context = self.producer.context();
        let stamp = if self.max_speed && self.offered % delivery::SAMPLE_EVERY != 0 {
            delivery::UNTIMED
        } else {
            context.stamp()
        };
        let count = message.header_count();
        self.header_text.clear();
        self.header_ends.clear();
        for i in 0..count {
            message.write_header(&mut self.header_text, i);
            self.header_ends.push(self.header_text.len());
        }
        let mut headers: Vec<(&str, &[u8])> = Vec::with_capacity(count);
        let mut from = 0;
        for (i, &to) in self.header_ends.iter().enumerate() {
            headers.push((message.header_name(i), &self.header_text[from..to]));
            from = to;
        }
        let name = message.topic();
        let Some(topic) = self.topics.iter().find(|t| t.name() == name) else {
            context.record_failure(&KafkaError::MessageProduction(
                RDKafkaErrorCode::UnknownTopic,
            ));
            self.refused += 1;
            return Ok(Handover::Refused);
        };
        let record = produce::Record {
            key: keyed.then_some(&self.key[..]),
            value: &self.value[..],
            timestamp_ms: message.timestamp_ms(),
            partition: message.partition().unwrap_or(-1),
            headers: &headers,
            opaque: stamp,
        };
        let handover = loop {
            // Read before the call, so that a consumer never sees a message before it.
            let at = self.sent.as_ref().map(|_| Instant::now());
            match produce::produce(&self.producer, topic, &record) {
                Ok(()) => {
                    self.accepted += 1;
                    if let (Some(log), Some(at)) = (&self.sent, at) {
                        log.record(at, name, record.key, record.value, record.timestamp_ms);
                    }
                    break Handover::Taken;
                }
                Err(RDKafkaErrorCode::QueueFull) => {
                    // Stopped while the queue is full: the event stays unsent.
                    if self.stop.load(Ordering::Relaxed) {
                        break Handover::Stopped;
                    }
                    // Serve delivery reports to make room, then try again: never drop.
                    self.producer.poll(Duration::from_millis(1));
                }
                Err(code) => {
                    context.record_failure(&KafkaError::MessageProduction(code));
                    self.refused += 1;
                    break Handover::Refused;
                }
            }
        };
        // One thread does everything (as kcat does): no locks shared with a poller.
        // Paced runs serve delivery reports after every send, so their latencies are
        // measured when they arrive; at max speed, every few hundred sends.
        if !self.max_speed || self.accepted % 256 == 0 {
            self.producer.poll(Duration::ZERO);
        }
        Ok(handover)
    }

    fn idle(&mut self, budget: Duration) {
        // Delivery reports are served while waiting.
        self.producer.poll(budget);
    }

    fn finish(&mut self) -> Result<(), Error> {
        // Outstanding deliveries are waited for within the bound; what is left is undelivered.
        let deadline = Instant::now() + self.flush_timeout;
        while self.producer.in_flight_count() > 0 && Instant::now() < deadline {
            self.producer.poll(Duration::from_millis(1));
        }
        // Still queued or in flight after the bound: neither delivered nor failed.
        self.outstanding = u64::try_from(self.producer.in_flight_count()).unwrap_or(0);
        Ok(())
    }

    fn failures(&self) -> u64 {
        self.producer.context().failed()
    }

    fn pending(&self) -> u64 {
        // Accepted and neither delivered nor failed in a delivery report.
        let context = self.producer.context();
        let reported_failed = context.failed().saturating_sub(self.refused);
        self.accepted
            .saturating_sub(context.delivered() + reported_failed)
    }

    fn delivered(&self) -> u64 {
        self.producer.context().delivered()
    }
}

/// The looks [`lasting_failure`] took at the broker itself (once each is enough).
struct Probes {
    started: Instant,
    /// After a hang-up on the first request: does the port answer TLS?
    hang_up: bool,
    /// After a TLS connection that never got anywhere: does the port answer TLS at all?
    silence: bool,
    /// After the first failed request: does every bootstrap server refuse TCP?
    refused: bool,
}

/// Marks a failure's text as what simulate observed, not librdkafka's words.
const OBSERVED: &str = "observed: ";

/// How long a TLS connection may get nowhere, without a word from librdkafka, before
/// the port is checked for TLS.
const TLS_SILENCE: Duration = Duration::from_secs(2);

/// A connection failure that waiting will not cure, with librdkafka's words for it (or
/// what was observed): an error librdkafka reported, or what a look at the broker shows
/// after a plaintext client was hung up on (a TLS port) or a TLS client got no answer
/// (a port that does not speak TLS, which may wait for more bytes forever).
fn lasting_failure(
    producer: &BaseProducer<Delivery>,
    servers: &str,
    properties: &BTreeMap<String, String>,
    probes: &mut Probes,
) -> Option<(diagnose::Failure, String)> {
    if let Some(found) = producer.context().fatal_client_error() {
        return Some(found);
    }
    let tls = config::uses_tls(properties);
    let first = servers.split(',').next().unwrap_or(servers).trim();
    if !tls && !probes.hang_up {
        let text = producer.context().hung_up_on_first_request()?;
        probes.hang_up = true;
        let broker = diagnose::broker_of(&text).unwrap_or(first);
        return diagnose::speaks_tls(broker, TLS_SILENCE)
            .then_some((diagnose::Failure::PlaintextToTls, text));
    }
    if tls && !probes.silence && probes.started.elapsed() >= TLS_SILENCE {
        probes.silence = true;
        let text = format!(
            "{OBSERVED}{first}: no TLS connection after {} and no error from librdkafka; the port accepts TCP but does not answer a TLS handshake",
            humantime(TLS_SILENCE)
        );
        return (!diagnose::speaks_tls(first, TLS_SILENCE) && diagnose::accepts_tcp(first))
            .then_some((diagnose::Failure::TlsToPlaintext, text));
    }
    None
}

/// A replay that keeps its recorded partitions needs them in the topic it sends to:
/// said before anything is sent, rather than as a failed delivery per message.
fn check_partitions(
    scenario: &Scenario,
    topic: &str,
    partitions: usize,
    servers: &str,
) -> Result<(), Error> {
    for stream in scenario.streams.iter().filter(|s| s.message.topic == topic) {
        let crate::scenario::StreamArrivals::Replay(replay) = &stream.arrivals else {
            continue;
        };
        if let Some(highest) = replay.highest_partition() {
            if highest as usize >= partitions {
                return Err(Error::Runtime(format!(
                    "topic `{topic}` on {servers} has {partitions} partition{}, and stream `{}` replays messages to partition {highest} as recorded\n  help: create the topic with at least {} partitions, or leave `partition` out of the stream's `replay.keep` to let the producer choose",
                    if partitions == 1 { "" } else { "s" },
                    stream.name,
                    highest + 1
                )));
            }
        }
    }
    Ok(())
}

/// How long one metadata request may wait while connecting.
const CONNECT_SLICE: Duration = Duration::from_millis(500);

/// Waits until the brokers answer for `topic`, or explains why they do not, by
/// `deadline` (the end of the connect `timeout`, which messages quote).
fn connect(
    producer: &BaseProducer<Delivery>,
    topic: &str,
    (servers, source, properties): (&str, &str, &BTreeMap<String, String>),
    (timeout, deadline, wait_refused): (Duration, Instant, bool),
    stop: &AtomicBool,
) -> Result<usize, Error> {
    let mut probes = Probes {
        started: Instant::now(),
        hang_up: false,
        silence: false,
        refused: wait_refused,
    };
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        // Ask in slices, serving the client's events in between, so that librdkafka's
        // reason ("Connection refused", "Failed to resolve") is at hand for the message.
        let metadata = match producer
            .client()
            .fetch_metadata(Some(topic), left.min(CONNECT_SLICE))
        {
            Ok(metadata) => metadata,
            Err(e) => {
                producer.poll(Duration::from_millis(10));
                let fatal = lasting_failure(producer, servers, properties, &mut probes);
                if let Some((failure, text)) = fatal {
                    let broker = diagnose::broker_of(&text).unwrap_or(servers);
                    let (what, fix) = diagnose::explain(
                        failure,
                        broker,
                        properties,
                        timeout.min(CONNECT_SLICE * 4),
                    );
                    let said = match text.strip_prefix(OBSERVED) {
                        Some(seen) => format!("observed: {seen}"),
                        None => format!("librdkafka: {text}"),
                    };
                    return Err(Error::Runtime(format!(
                        "cannot connect to Kafka at {servers} (from {source}): {what}\n  {said}\n  help: {fix}"
                    )));
                }
                if !probes.refused {
                    probes.refused = true;
                    if diagnose::refuses_all(servers) {
                        return Err(Error::Runtime(format!(
                            "cannot connect to Kafka at {servers} (from {source}): nothing listens there (every bootstrap server refused the connection)\n  help: check the host and port, and that the broker runs and listens on that address (its `listeners`); to wait for a broker that is still starting, give --connect-timeout, e.g. --connect-timeout 60s"
                        )));
                    }
                }
                if Instant::now() < deadline {
                    continue;
                }
                let reason = producer
                    .context()
                    .client_errors()
                    .unwrap_or_else(|| e.to_string());
                return Err(Error::Runtime(format!(
                    "cannot reach Kafka at {servers} (from {source}) within {}: {reason}",
                    humantime(timeout)
                )));
            }
        };
        let found = metadata.topics().iter().find(|t| t.name() == topic);
        match found.and_then(|t| t.error()) {
            None if found.is_some_and(|t| !t.partitions().is_empty()) => {
                // librdkafka 2.12 drops its bootstrap connections once it knows the
                // brokers, and an idempotent producer then waits up to 500 ms (a retry
                // timer) for one to come up before it asks for its producer id. A second
                // request goes to a known broker and gets the id asked for at once.
                let _ = producer.client().fetch_metadata(Some(topic), left);
                return Ok(found.map_or(0, |t| t.partitions().len()));
            }
            Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) => {
                return Err(Error::Runtime(format!(
                    "topic `{topic}` does not exist on {servers} and the broker does not create topics on demand: create it first (e.g. kafka-topics.sh --create --topic {topic}) or choose another with --topic"
                )));
            }
            Some(RDKafkaRespErr::RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) => {
                return Err(Error::Runtime(format!(
                    "not authorized to write to topic `{topic}` on {servers}"
                )));
            }
            other if Instant::now() >= deadline => {
                let why = other.map_or("it has no partitions".to_string(), |e| format!("{e:?}"));
                return Err(Error::Runtime(format!(
                    "topic `{topic}` on {servers} is not ready after {}: {why}",
                    humantime(timeout)
                )));
            }
            // Just created, or a leader election is under way: ask again shortly.
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// A client configuration holding `properties`.
fn client_config(properties: &BTreeMap<String, String>) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (k, v) in properties {
        config.set(k, v);
    }
    // Information too: a hang-up on the first request is logged at that level
    // (Delivery::hung_up_on_first_request); the rest of it is not shown.
    config.set_log_level(RDKafkaLogLevel::Info);
    config
}

/// An invalid producer property, as invalid input: under the name the user typed, with
/// where it was set. librdkafka names some properties by their canonical name
/// (`linger.ms` is `queue.buffering.max.ms` to it).
fn property_error(error: KafkaError, kafka: &Kafka, extra: &[Property]) -> Error {
    let KafkaError::ClientConfig(_, description, key, value) = error else {
        return Error::Usage(format!("invalid Kafka property: {error}"));
    };
    let shown = config::shown(&key, &value);
    // The last source that set it is the one in effect.
    let from = match extra.iter().rev().find(|p| p.key == key) {
        Some(Property {
            origin: Origin::Flag,
            ..
        }) => format!("-X {key}={shown}"),
        Some(p) => format!("{}={shown}", p.origin.describe(&key)),
        None if kafka.properties.contains_key(&key) => {
            format!("kafka.properties: {key}: {shown} in the scenario")
        }
        None => format!("{key}={shown}"),
    };
    let hint = super::known::hint(&description, &key);
    let mut description = config::with_typed_name(&description, &key);
    if !value.is_empty() && shown != value {
        description = description.replace(&value, &shown);
    }
    if let Some(hint) = hint {
        description = format!("{description}; {hint}");
    }
    Error::Usage(format!("invalid Kafka property {from}: {description}"))
}

/// `10s`, `1.5s`, `250ms`.
fn humantime(d: Duration) -> String {
    crate::scenario::Nanos(nanos(d)).to_string()
}
