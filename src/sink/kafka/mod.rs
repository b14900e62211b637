//! The Kafka sink: replays a plan into a topic on time and accounts for every event.
//!
//! It adds only pacing and delivery to the plan: keys, values and timestamps are rendered
//! by the same [`Renderer`] as the dry run, so with a fixed start and `--max-speed` the
//! messages are byte-identical to `--dry-run`. Sends never block the pacer: a full local
//! queue is retried, never dropped.

pub mod config;
pub mod delivery;
pub mod embedded;
pub mod pacer;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rdkafka::ClientConfig;
use rdkafka::config::RDKafkaLogLevel;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::types::RDKafkaRespErr;

use crate::error::Error;
use crate::plan::Plan;
use crate::render::Renderer;
use crate::report::{Histogram, Report, nanos};
use crate::scenario::Scenario;
use crate::scenario::validate::Kafka;
use config::Brokers;
use delivery::Delivery;
use embedded::{Embedded, Fingerprint, Verification};
use pacer::{Pace, Pacer};

/// How a Kafka run is set up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the brokers are.
    pub brokers: Brokers,
    /// `-X key=value` properties, in command-line order.
    pub properties: Vec<(String, String)>,
    /// Real time, faster, or as fast as possible.
    pub pace: Pace,
    /// How long to wait for the brokers before the schedule starts.
    pub connect_timeout: Duration,
    /// How long to wait for outstanding deliveries at the end.
    pub flush_timeout: Duration,
    /// Partitions of the topic in the embedded cluster.
    pub partitions: i32,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
}

/// Shared flags between a run and whoever watches it (signal handler, tests).
#[derive(Debug, Clone, Default)]
pub struct Control {
    /// Set to stop scheduling; the run then flushes and reports.
    pub stop: Arc<AtomicBool>,
    /// Events handed to the producer so far.
    pub sent: Arc<AtomicU64>,
}

/// Replays `scenario` into Kafka and reports what happened.
pub fn run(scenario: &Scenario, settings: &Settings, control: &Control) -> Result<Report, Error> {
    let topic = scenario.topic.as_str();
    let max_speed = settings.pace == Pace::Max;
    // Bad properties are invalid input: refuse them before anything starts, under the
    // name the user typed (librdkafka names some by their aliases).
    let placeholder = config::producer_properties(
        &scenario.kafka,
        &settings.properties,
        "127.0.0.1:9092",
        max_speed,
    );
    client_config(&placeholder)
        .create_native_config()
        .map_err(|e| property_error(e, &scenario.kafka, &settings.properties))?;
    let embedded = match &settings.brokers {
        Brokers::Embedded => {
            let cluster = Embedded::start(topic, settings.partitions)?;
            if !settings.quiet {
                eprintln!(
                    "simulate: using an embedded Kafka cluster ({} brokers at {}), topic `{topic}` with {} partitions",
                    embedded::BROKERS,
                    cluster.bootstrap,
                    settings.partitions
                );
            }
            Some(cluster)
        }
        Brokers::Remote { .. } => None,
    };
    let (servers, source) = match (&settings.brokers, &embedded) {
        (Brokers::Remote { servers, source }, _) => (servers.clone(), *source),
        (_, Some(cluster)) => (cluster.bootstrap.clone(), "the embedded cluster"),
        _ => unreachable!("embedded brokers always have a cluster"),
    };

    let properties =
        config::producer_properties(&scenario.kafka, &settings.properties, &servers, max_speed);
    let origin = Instant::now();
    let producer: BaseProducer<Delivery> = client_config(&properties)
        .create_with_context(Delivery::new(origin))
        .map_err(|e| match e {
            e @ KafkaError::ClientConfig(..) => {
                property_error(e, &scenario.kafka, &settings.properties)
            }
            other => Error::Runtime(format!("cannot create the Kafka producer: {other}")),
        })?;

    connect(
        &producer,
        topic,
        &servers,
        source,
        settings.connect_timeout,
        &control.stop,
    )?;
    if !settings.quiet {
        eprintln!(
            "simulate: sending `{}` ({} of events, {}) to topic `{topic}` at {servers}",
            scenario.name,
            scenario.duration,
            settings.pace.describe()
        );
    }

    // The clock is read here, at the edge: an unset start is the moment the schedule starts.
    let start = scenario.start.unwrap_or_else(Utc::now);
    let mut renderer = Renderer::new(scenario, start);
    let pacer = Pacer::new(Instant::now(), settings.pace);
    let run_origin = Instant::now();
    let progress = progress_bar(scenario, settings);

    let mut lateness = Histogram::default();
    let mut last_late = Duration::ZERO;
    let mut per_camera: Vec<Vec<u64>> = scenario
        .streams
        .iter()
        .map(|s| vec![0; s.cameras.len()])
        .collect();
    let (mut key, mut value) = (Vec::with_capacity(64), Vec::with_capacity(256));
    // Taken from the plan, and handed to the producer.
    let (mut taken, mut sent) = (0u64, 0u64);
    let mut next_progress = Instant::now();
    let mut plan = Plan::new(scenario);
    for event in plan.by_ref() {
        taken += 1;
        if control.stop.load(Ordering::Relaxed) {
            break;
        }
        key.clear();
        value.clear();
        let keyed = renderer.write_key(&mut key, &event);
        renderer.write_value(&mut value, &event);
        let timestamp = renderer.timestamp_ms(&event);
        if let Some(deadline) = pacer.deadline(event.offset_ns) {
            // Delivery reports are served while waiting.
            let late = pacer.wait(deadline, &control.stop, &mut |d| producer.poll(d));
            if control.stop.load(Ordering::Relaxed) {
                break;
            }
            lateness.record(nanos(late));
            last_late = late;
        }
        let context = producer.context();
        let stamp = if max_speed && taken % delivery::SAMPLE_EVERY != 0 {
            delivery::UNTIMED
        } else {
            context.stamp()
        };
        let mut record = BaseRecord::with_opaque_to(topic, stamp)
            .payload(&value[..])
            .timestamp(timestamp);
        if keyed {
            record = record.key(&key[..]);
        }
        loop {
            match producer.send(record) {
                Ok(()) => {
                    sent += 1;
                    per_camera[event.stream as usize][event.camera as usize] += 1;
                    break;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    // Interrupted while the queue is full: the event stays unsent.
                    if control.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    record = back;
                    // Serve delivery reports to make room, then try again: never drop.
                    producer.poll(Duration::from_millis(1));
                }
                Err((error, _)) => {
                    context.record_failure(&error);
                    break;
                }
            }
        }
        // One thread does everything (as kcat does): no locks shared with a poller.
        // Paced runs serve delivery reports after every send, so their latencies are
        // measured when they arrive; at max speed, every few hundred sends.
        if !max_speed || sent % 256 == 0 {
            producer.poll(Duration::ZERO);
        }
        control.sent.store(sent, Ordering::Relaxed);
        if let Some(bar) = &progress {
            if Instant::now() >= next_progress {
                next_progress = Instant::now() + Duration::from_millis(100);
                update_progress(bar, &event, sent, producer.context().failed(), run_origin);
            }
        }
    }
    let interrupted = control.stop.load(Ordering::Relaxed);
    if let Some(bar) = &progress {
        bar.set_message(format!(
            "flushing {} outstanding events",
            sent.saturating_sub(producer.context().delivered())
        ));
    }
    let flushing = AtomicBool::new(true);
    let ((unsent_rest, plan_counted), outstanding, counts, wall) = std::thread::scope(|scope| {
        // After an interrupt, the rest of the plan is counted beside the flush, so the
        // report keeps the whole plan's size.
        let rest = interrupted.then(|| scope.spawn(|| count_rest(&mut plan, &flushing)));
        // Outstanding deliveries are waited for within the bound; what is left is undelivered.
        let flush_deadline = Instant::now() + settings.flush_timeout;
        while producer.in_flight_count() > 0 && Instant::now() < flush_deadline {
            producer.poll(Duration::from_millis(1));
        }
        let counts = producer.context().counts();
        // Still queued or in flight after the bound: neither delivered nor failed.
        let outstanding = u64::try_from(producer.in_flight_count()).unwrap_or(0);
        let wall = run_origin.elapsed();
        flushing.store(false, Ordering::Relaxed);
        let rest = rest.map_or((0, true), |h| h.join().unwrap_or((0, false)));
        (rest, outstanding, counts, wall)
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    drop(producer);
    let planned = taken + unsent_rest;

    let mut report = Report {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        start: start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        topic: topic.to_string(),
        brokers: if embedded.is_some() {
            format!("embedded ({servers})")
        } else {
            servers.clone()
        },
        pace: settings.pace.describe(),
        planned,
        planned_exact: plan_counted,
        sent,
        // Never handed over because of the interrupt: the rest of the plan, the event that
        // was waiting for its deadline, or one refused by a full queue. Every planned event
        // is in exactly one of the four counts; `Report::accounted` checks that they add up.
        not_sent: planned.saturating_sub(sent + counts.send_failures),
        delivered: counts.delivered,
        failed: counts.failed,
        undelivered: outstanding,
        failures: counts.failures,
        first_errors: counts.first_errors,
        wall_time_s: wall.as_secs_f64(),
        rate_per_s: counts.delivered as f64 / wall.as_secs_f64().max(1e-9),
        lateness: lateness.summary_us(),
        end_drift_us: last_late.as_secs_f64() * 1e6,
        delivery_latency: counts.latency.summary_us(),
        per_camera: camera_counts(scenario, &per_camera),
        command_line_properties: settings
            .properties
            .iter()
            .map(|(k, v)| (k.clone(), config::shown(k, v)))
            .collect(),
        producer_properties: properties
            .iter()
            .map(|(k, v)| (k.clone(), config::shown(k, v)))
            .collect(),
        interrupted,
        verification: None,
        verified: None,
    };
    if let Some(cluster) = &embedded {
        let (text, ok) = if interrupted {
            ("skipped: the run was interrupted".to_string(), None)
        } else {
            match verify(
                scenario,
                start,
                planned,
                &cluster.bootstrap,
                topic,
                &control.stop,
            ) {
                Ok(v) => (v.to_string(), Some(v.ok())),
                Err(why) => (why, Some(false)),
            }
        };
        report.verification = Some(text);
        report.verified = ok;
    }
    Ok(report)
}

/// How long one metadata request may wait while connecting.
const CONNECT_SLICE: Duration = Duration::from_millis(500);

/// Waits until the brokers answer for `topic`, or explains why they do not.
fn connect(
    producer: &BaseProducer<Delivery>,
    topic: &str,
    servers: &str,
    source: &str,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<(), Error> {
    let deadline = Instant::now() + timeout;
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
                return Ok(());
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

/// Compares the topic with the first `planned` events of the plan. The embedded cluster
/// keeps only the newest ~5 MB of each partition, so for each key the messages read are
/// compared with that key's last planned events, and the rest is checked by offsets.
fn verify(
    scenario: &Scenario,
    start: DateTime<Utc>,
    planned: u64,
    bootstrap: &str,
    topic: &str,
    stop: &AtomicBool,
) -> Result<Verification, String> {
    let read = embedded::read_back(bootstrap, topic, READ_BACK_TIMEOUT, stop)
        .map_err(|e| format!("could not read the topic back: {e}"))?;
    // Past the cluster's retention, which unkeyed events were kept depends on the
    // partitioner, not on plan order: for them only the counts can be compared.
    let truncated = read.print.total() < read.written;
    // Pass 1: how many events each key has; pass 2: fingerprint each key's retained tail.
    let mut per_key = Fingerprint::default();
    for_each_planned(scenario, start, planned, |key, _, _| {
        per_key.add(key, &[], 0)
    });
    let mut seen: BTreeMap<Option<Vec<u8>>, u64> = BTreeMap::new();
    let mut expected = Fingerprint::default();
    for_each_planned(scenario, start, planned, |key, value, timestamp| {
        let index = seen.entry(key.map(<[u8]>::to_vec)).or_default();
        let skip = per_key.count(key).saturating_sub(read.print.count(key));
        if *index >= skip {
            expected.add(key, value, timestamp);
        }
        *index += 1;
    });
    let mut verification = read.print.compare(&expected, !truncated);
    verification.expected = planned;
    verification.written = read.written;
    if read.written < planned {
        verification.missing = verification.missing.max(planned - read.written);
    } else {
        verification.duplicated = verification.duplicated.max(read.written - planned);
    }
    Ok(verification)
}

/// How long the read-back of an embedded run may take.
pub const READ_BACK_TIMEOUT: Duration = Duration::from_secs(60);

/// Calls `each` with the key, value and timestamp of the first `planned` events.
fn for_each_planned(
    scenario: &Scenario,
    start: DateTime<Utc>,
    planned: u64,
    mut each: impl FnMut(Option<&[u8]>, &[u8], i64),
) {
    let mut renderer = Renderer::new(scenario, start);
    let (mut key, mut value) = (Vec::new(), Vec::new());
    for event in Plan::new(scenario).take(planned as usize) {
        key.clear();
        value.clear();
        let keyed = renderer.write_key(&mut key, &event);
        renderer.write_value(&mut value, &event);
        each(
            keyed.then_some(&key[..]),
            &value,
            renderer.timestamp_ms(&event),
        );
    }
}

fn camera_counts(scenario: &Scenario, counts: &[Vec<u64>]) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (stream, counts) in scenario.streams.iter().zip(counts) {
        for (camera, &n) in stream.cameras.iter().zip(counts) {
            if n > 0 {
                *out.entry(camera.to_string()).or_default() += n;
            }
        }
    }
    out
}

/// How long counting the rest of an interrupted plan may take once the flush is done.
const COUNT_BUDGET: Duration = Duration::from_secs(10);

/// Counts the events left in `plan`: to the end, unless that takes longer than
/// [`COUNT_BUDGET`] and the flush (`flushing`) is over. Returns the count and whether it
/// reached the end.
fn count_rest(plan: &mut Plan, flushing: &AtomicBool) -> (u64, bool) {
    let started = Instant::now();
    let mut n = 0u64;
    loop {
        for _ in 0..65_536 {
            if plan.next().is_none() {
                return (n, true);
            }
            n += 1;
        }
        if started.elapsed() >= COUNT_BUDGET && !flushing.load(Ordering::Relaxed) {
            return (n, false);
        }
    }
}

/// A client configuration holding `properties`.
fn client_config(properties: &BTreeMap<String, String>) -> ClientConfig {
    let mut config = ClientConfig::new();
    for (k, v) in properties {
        config.set(k, v);
    }
    config.set_log_level(RDKafkaLogLevel::Error);
    config
}

/// An invalid producer property, as invalid input: under the name the user typed, with
/// where it was set. librdkafka names some properties by their canonical name
/// (`linger.ms` is `queue.buffering.max.ms` to it).
fn property_error(error: KafkaError, kafka: &Kafka, cli: &[(String, String)]) -> Error {
    let KafkaError::ClientConfig(_, description, key, value) = error else {
        return Error::Usage(format!("invalid Kafka property: {error}"));
    };
    let from = if cli.iter().any(|(k, _)| *k == key) {
        format!("-X {key}={}", config::shown(&key, &value))
    } else if kafka.properties.contains_key(&key) {
        format!(
            "kafka.properties: {key}: {} in the scenario",
            config::shown(&key, &value)
        )
    } else {
        format!("{key}={}", config::shown(&key, &value))
    };
    let mut description = config::with_typed_name(&description, &key);
    let shown = config::shown(&key, &value);
    if !value.is_empty() && shown != value {
        description = description.replace(&value, &shown);
    }
    Error::Usage(format!("invalid Kafka property {from}: {description}"))
}

fn progress_bar(scenario: &Scenario, settings: &Settings) -> Option<ProgressBar> {
    use std::io::IsTerminal;
    if settings.quiet || !settings.progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::with_draw_target(
        Some(scenario.duration.0 / 1_000_000),
        ProgressDrawTarget::stderr(),
    );
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {percent:>3}%  {msg}")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(simulated_clock(0, scenario.duration.0));
    Some(bar)
}

fn update_progress(
    bar: &ProgressBar,
    event: &crate::plan::Event,
    sent: u64,
    failed: u64,
    origin: Instant,
) {
    bar.set_position(event.offset_ns / 1_000_000);
    let total = bar.length().unwrap_or(0).saturating_mul(1_000_000);
    bar.set_prefix(simulated_clock(event.offset_ns, total));
    let wall = origin.elapsed();
    let rate = sent as f64 / wall.as_secs_f64().max(1e-9);
    bar.set_message(format!(
        "wall {}  {sent} sent, {rate:.0}/s, {failed} failed",
        clock(nanos(wall))
    ));
}

/// `00:01:19 of 00:03:00 simulated`: how far the schedule is, in simulated time.
pub fn simulated_clock(offset_ns: u64, duration_ns: u64) -> String {
    format!("{} of {} simulated", clock(offset_ns), clock(duration_ns))
}

/// A span as `HH:MM:SS`, with days in front past 24 hours (`2d 03:00:00`).
pub fn clock(ns: u64) -> String {
    let seconds = ns / 1_000_000_000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let hms = format!("{:02}:{:02}:{:02}", rest / 3_600, rest / 60 % 60, rest % 60);
    if days > 0 {
        format!("{days}d {hms}")
    } else {
        hms
    }
}

/// `10s`, `1.5s`, `250ms`.
fn humantime(d: Duration) -> String {
    crate::scenario::Nanos(nanos(d)).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_as_hours_minutes_seconds() {
        assert_eq!(clock(0), "00:00:00");
        assert_eq!(clock(79_400_000_000), "00:01:19");
        assert_eq!(clock(3_600_000_000_000 + 61_000_000_000), "01:01:01");
        assert_eq!(
            clock(2 * 86_400_000_000_000 + 3 * 3_600_000_000_000),
            "2d 03:00:00"
        );
        assert_eq!(
            simulated_clock(79_000_000_000, 180_000_000_000),
            "00:01:19 of 00:03:00 simulated"
        );
    }
}
