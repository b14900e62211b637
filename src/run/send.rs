//! Sending to Kafka (the `kafka` feature): the settings from the command line, the
//! replay into the sink that opens itself, the report; and `simulate broker` and
//! `--keep-broker`, the embedded cluster served for a pipeline.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::cli::{BrokerArgs, RunArgs};
use crate::consume::reader::From;
use crate::consume::verify::Verification;
use crate::consume::verify::read::{self, Request};
use crate::encode::codec::Codecs;
use crate::error::{self, Error};
use crate::metrics::Metrics;
use crate::output::{Pending, Truth};
use crate::plan::Plan;
use crate::redact;
use crate::registry::Serving;
use crate::replay::pacer::{self, Pace};
use crate::replay::{self, Control, Options};
use crate::report::{KafkaReport, RegistryReport, Report};
use crate::scenario::Scenario;
use crate::sink::kafka::config::Brokers;
use crate::sink::kafka::embedded::{self, Embedded};
use crate::sink::kafka::sources::Sources;
use crate::sink::kafka::{Finished, Session, Settings, config, forward};

use super::check::FETCH_WAIT_MS;

use super::{latency, registry};

/// A run into Kafka: replayed, summed up on stderr, the truth and the report written.
pub(super) fn kafka_command(
    args: &RunArgs,
    scenario: &Scenario,
    mut codecs: Codecs,
    plan: Plan,
    sources: Sources,
    truth: &Truth,
) -> Result<u8, Error> {
    // Fail on an unwritable report path now, not after a three-minute run; the report
    // is written to FILE.tmp and renamed, so FILE is never left half-written or empty.
    let report_file = match &args.report {
        Some(path) => Some(Pending::create(path, "the report")?),
        None => None,
    };
    let mut settings = settings(args, scenario, sources)?;
    // Schemas are registered before the first message is sent; the embedded registry,
    // if one is started, serves until the run (and --keep-broker) ends.
    let (_registry, registered) = register(args, scenario, &settings, &mut codecs)?;
    settings.codecs = Arc::new(codecs);
    let control = Control::default();
    let serving = Arc::new(AtomicBool::new(false));
    install_signal_handler(&control.stop, &serving, args.quiet);
    // On an error, the pending files are removed as they drop.
    let measure = latency::options(args);
    let (mut report, cluster) = kafka_plan(scenario, plan, &settings, &control, measure.as_ref())?;
    if let Some(kafka) = &mut report.kafka {
        kafka.schema_registry = registered;
    }
    if !args.quiet {
        eprint!("{}", redact::redact(&report.summary()));
    }
    if truth.file.is_some() {
        let start = DateTime::parse_from_rfc3339(&report.start)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| Error::Runtime(format!("the run's start: {e}")))?;
        truth.write(scenario, start)?;
    }
    if let Some(file) = &report_file {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Runtime(format!("cannot write the report: {e}")))?;
        file.write(&redact::redact(&text))?;
    }
    if let (true, Some(cluster)) = (settings.keep_broker, &cluster) {
        if !control.stop.load(Ordering::SeqCst) {
            serving.store(true, Ordering::SeqCst);
            serve_until_stopped(cluster, &scenario.topics(), &control.stop, args.quiet)?;
        }
    }
    report.verdict()
}

/// Registers the schemas of `codecs` (and sets their ids) with the registry given, or
/// with the embedded one beside the embedded cluster; `None` when no value is encoded
/// by a schema. The embedded registry is returned serving.
fn register(
    args: &RunArgs,
    scenario: &Scenario,
    settings: &Settings,
    codecs: &mut Codecs,
) -> Result<(Option<Serving>, Option<RegistryReport>), Error> {
    if codecs.is_empty() {
        return Ok((None, None));
    }
    let embedded = matches!(settings.brokers, Brokers::Embedded);
    let (served, mut client) = match (registry::given_url(&args.cluster, scenario), embedded) {
        (Some((url, source)), _) => (None, registry::client(url, source, scenario)?),
        (None, true) => {
            let served =
                Serving::start(std::net::SocketAddr::from(([127, 0, 0, 1], 0))).map_err(|e| {
                    Error::Runtime(format!("cannot start the embedded Schema Registry: {e}"))
                })?;
            let client = registry::client(&served.url(), "the embedded registry", scenario)?;
            (Some(served), client)
        }
        (None, false) => {
            return Err(Error::Usage(
                "values encoded by a schema need a Schema Registry: give --schema-registry URL, SCHEMA_REGISTRY_URL or schema_registry.url (the embedded registry serves only beside the embedded cluster)".into(),
            ));
        }
    };
    let report = registry::resolve(scenario, codecs, &mut client, served.is_some(), false)?;
    if !settings.quiet {
        if let Some(served) = &served {
            eprintln!(
                "simulate: the embedded Schema Registry (a test double of Confluent's REST API, in memory) serves at {}",
                served.url()
            );
        }
    }
    Ok((served, Some(report)))
}

/// `--keep-broker`: the cluster's bootstrap servers on stdout, then serving until
/// Ctrl-C.
fn serve_until_stopped(
    cluster: &Embedded,
    topics: &[&str],
    stop: &AtomicBool,
    quiet: bool,
) -> Result<(), Error> {
    announce(&cluster.bootstrap, topics, quiet, true)?;
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Prints where the embedded cluster serves: the bootstrap servers alone on stdout
/// (for scripts), and a line for people on stderr.
fn announce(bootstrap: &str, topics: &[&str], quiet: bool, after_run: bool) -> Result<(), Error> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{bootstrap}")
        .and_then(|()| out.flush())
        .map_err(Error::Output)?;
    if !quiet {
        let holding = match topics.len() {
            0 => String::new(),
            _ => format!(", with topics {}", topics.join(", ")),
        };
        eprintln!(
            "simulate: the embedded Kafka cluster ({} brokers, in memory) serves at {bootstrap}{holding}; Ctrl-C stops it{}",
            embedded::BROKERS,
            if after_run {
                " (the run's exit code is kept)"
            } else {
                ""
            }
        );
    }
    Ok(())
}

/// `simulate broker`: the embedded cluster at `127.0.0.1:PORT` with the topics asked
/// for, until SIGINT or SIGTERM (exit 0: stopping is how it ends).
pub(super) fn broker(args: &BrokerArgs, topics: &[String]) -> Result<u8, Error> {
    let names: Vec<&str> = topics.iter().map(String::as_str).collect();
    let cluster = Embedded::start(&names, args.partitions)?;
    let address = forward::forward(args.port, &cluster.bootstrap)?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    announce(&address.to_string(), &names, args.quiet, false)?;
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(cluster);
    Ok(error::EXIT_OK)
}

/// The settings of a Kafka run from the command line; `--metrics` starts serving here.
fn settings(args: &RunArgs, scenario: &Scenario, sources: Sources) -> Result<Settings, Error> {
    let metrics = match &args.metrics {
        Some(addr) => {
            let shard = scenario.shard.map_or("all".to_string(), |s| s.to_string());
            let metrics = Arc::new(Metrics::new(&scenario.name, &shard));
            let bound = metrics.serve(addr)?;
            if !args.quiet {
                eprintln!("simulate: metrics at http://{bound}/metrics");
            }
            Some(metrics)
        }
        None => None,
    };
    let brokers = config::brokers(
        args.cluster.bootstrap_servers.as_deref(),
        args.cluster.env_bootstrap_servers.as_deref(),
        sources.bootstrap_servers.as_deref(),
        scenario.kafka.bootstrap_servers.as_deref(),
        args.embedded_broker,
    );
    if let Brokers::Remote { servers, source } = &brokers {
        let embedded = match *source {
            "--bootstrap-servers" => "drop -b to use the embedded one".to_string(),
            other => format!(
                "give --embedded-broker to use the embedded one ({other} then does not count)"
            ),
        };
        let only = |flag: &str| {
            let instead = match flag {
                "--partitions" => "create the topic on that cluster with the partitions you want",
                _ => "your cluster serves its topics itself",
            };
            Error::Usage(format!(
                "{flag} applies only to the embedded cluster, and this run sends to {servers} (from {source}); {instead}, or {embedded}"
            ))
        };
        if args.partitions.is_some() {
            return Err(only("--partitions"));
        }
        if args.keep_broker {
            return Err(only("--keep-broker"));
        }
    }
    Ok(Settings {
        brokers,
        properties: sources.properties,
        pace: match (args.max_speed, args.speed) {
            (true, _) => Pace::Max,
            (false, speed) => Pace::Speed(speed.unwrap_or(1.0)),
        },
        connect_timeout: Duration::from_nanos(args.connect_timeout.map_or(10_000_000_000, |t| t.0)),
        wait_refused: args.connect_timeout.is_some(),
        flush_timeout: Duration::from_nanos(args.flush_timeout.0),
        partitions: args.partitions.unwrap_or(3),
        keep_broker: args.keep_broker,
        verify: args.verify,
        idle_timeout: Duration::from_nanos(args.verifying.idle_timeout.0),
        strict: args.verifying.strict,
        quiet: args.quiet,
        progress: true,
        metrics,
        codecs: Arc::default(),
    })
}

/// Replays `scenario` into Kafka and reports what happened: the properties are checked,
/// the embedded cluster started when no brokers are given, the brokers waited for, the
/// plan replayed, and an embedded topic read back and compared with the plan.
pub fn kafka(scenario: &Scenario, settings: &Settings, control: &Control) -> Result<Report, Error> {
    kafka_plan(scenario, Plan::new(scenario), settings, control, None).map(|(report, _)| report)
}

/// [`kafka`] of `plan`, measuring end-to-end latency as `measure` says; the embedded
/// cluster, if one was used, is returned still serving.
fn kafka_plan(
    scenario: &Scenario,
    plan: Plan,
    settings: &Settings,
    control: &Control,
    measure: Option<&latency::Options>,
) -> Result<(Report, Option<Embedded>), Error> {
    let mut session = Session::open(scenario, settings, &control.stop)?;
    // The latency consumer reads from the topics' ends before the schedule begins.
    let measuring = match measure {
        Some(o) => Some(latency::start(
            o,
            scenario,
            settings,
            &mut session,
            &control.stop,
        )?),
        None => None,
    };
    // The clock is read here, at the edge: an unset start is the moment the schedule starts.
    let start = scenario.start.unwrap_or_else(Utc::now);
    // A start that lies ahead is waited for, so that events are sent when their
    // timestamps say (and shards launched apart begin together: `--start next:1m`);
    // a start in the past paces from now.
    let ahead = match scenario.shard {
        Some(_) => pacer::Ahead::Shared,
        None => pacer::Ahead::Planned(settings.pace),
    };
    pacer::wait_until(start, &control.stop, settings.quiet, ahead);
    let options = Options {
        pace: settings.pace,
        progress: settings.progress && !settings.quiet,
        per_camera: true,
    };
    let metrics = settings.metrics.as_deref();
    if let Some(m) = &settings.metrics {
        // The plan's totals, counted beside the run from the same pure plan.
        let (counting, owned) = (Arc::clone(m), scenario.clone());
        let _ = std::thread::Builder::new()
            .name("plan-totals".into())
            .spawn(move || {
                let (events, messages) = replay::totals(Plan::new(&owned));
                counting.plan_known(events, messages);
            });
    }
    let tally = replay::replay(
        scenario,
        plan,
        start,
        &mut session.sink,
        options,
        control,
        metrics,
    )?;
    let mut finished = session.finish();
    let verified = verify_run(
        scenario,
        start,
        settings,
        &finished,
        tally.interrupted,
        &control.stop,
    );
    let mut details = None;
    if let Some((text, ok, verification)) = verified {
        finished.verification = Some((text, ok));
        details = verification;
    }
    let mut kafka = KafkaReport::new(&finished, &settings.properties);
    kafka.verify = details;
    let mut report = Report::new(scenario, start, settings.pace, &tally, Some(kafka));
    if let (Some(m), Some(o)) = (measuring, measure) {
        latency::finish(m, o, &mut report);
    }
    Ok((report, finished.cluster.take()))
}

/// The verification of a finished run: always after an embedded run (its read-back),
/// with `--verify` against the cluster the run sent to; skipped after Ctrl-C. Its words
/// for the summary, the verdict, and the whole of it for the report.
fn verify_run(
    scenario: &Scenario,
    start: DateTime<Utc>,
    settings: &Settings,
    finished: &Finished,
    interrupted: bool,
    stop: &AtomicBool,
) -> Option<(String, Option<bool>, Option<Verification>)> {
    let embedded = finished.cluster.is_some();
    if !embedded && !settings.verify {
        return None;
    }
    if interrupted {
        return Some(("skipped: the run was interrupted".into(), None, None));
    }
    let cli = match embedded {
        true => Vec::new(),
        false => config::pairs(&settings.properties),
    };
    let properties =
        config::consumer_properties(&scenario.kafka, &cli, &finished.servers, FETCH_WAIT_MS);
    let request = Request {
        scenario,
        start,
        codecs: &settings.codecs,
        properties: &properties,
        from: match embedded {
            true => From::Beginning,
            false => From::Timestamp(start.timestamp_millis()),
        },
        idle: settings.idle_timeout,
        embedded,
        strict: settings.strict,
        stop,
    };
    Some(match read::verify(&request) {
        Ok(v) => (v.brief(), Some(v.ok()), Some(v)),
        Err(why) => (format!("could not verify: {why}"), Some(false), None),
    })
}

/// First SIGINT/SIGTERM: stop scheduling, flush within the bound, report, exit 130;
/// while the embedded cluster is kept `serving` after the run, stop serving (the
/// run's exit code). Second: exit 130 at once.
fn install_signal_handler(stop: &Arc<AtomicBool>, serving: &Arc<AtomicBool>, quiet: bool) {
    let stop = Arc::clone(stop);
    let serving = Arc::clone(serving);
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(error::EXIT_INTERRUPTED));
        }
        if !quiet && !serving.load(Ordering::SeqCst) {
            eprintln!(
                "\nsimulate: interrupted: flushing outstanding events (interrupt again to quit at once)"
            );
        }
    });
}
