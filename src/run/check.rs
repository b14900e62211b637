//! The other side of the pipe, assembled: `simulate verify` and `simulate score`, and
//! the consumer configuration they share with a run (the same cluster, reached the same
//! way as the run reached it).

use std::collections::BTreeMap;
use std::io::Write;

use chrono::{DateTime, Utc};

use super::registry;
use crate::cli::{ClusterArgs, Measure, ScoreArgs, VerifyArgs};
use crate::encode::codec::Codecs;
use crate::error::{EXIT_FAILURE, EXIT_OK, Error};
use crate::output::Pending;
use crate::scenario::Scenario;
use crate::scenario::validate::Kafka;
use crate::sink::kafka::config::{self, Brokers};
use crate::sink::kafka::sources::{self, Given};

/// How long a broker may hold a fetch of the checks' consumer: short, so that an idle
/// timeout is measured from the data, and latency figures carry little broker wait
/// (Tansu holds every fetch for the whole `fetch.wait.max.ms`).
pub(crate) const FETCH_WAIT_MS: u32 = 10;

/// The librdkafka properties of a consumer of the cluster `cluster` names (its `-X`,
/// `-F` and `SIMULATE_X_*` read as a run reads them, `@FILE` values included), and the
/// bootstrap servers. There is no embedded cluster to read from outside a run: no
/// brokers is invalid input, said with `what` (e.g. "simulate verify").
pub(crate) fn consumer_config(
    cluster: &ClusterArgs,
    kafka: &mut Kafka,
    what: &str,
    quiet: bool,
) -> Result<(String, BTreeMap<String, String>), Error> {
    let given = Given {
        file: cluster.properties_file.as_deref(),
        env: &cluster.env_properties,
        flags: &cluster.properties,
        notes: !quiet,
    };
    let sources = sources::gather(given, &mut kafka.properties)?;
    let brokers = config::brokers(
        cluster.bootstrap_servers.as_deref(),
        cluster.env_bootstrap_servers.as_deref(),
        sources.bootstrap_servers.as_deref(),
        kafka.bootstrap_servers.as_deref(),
        false,
    );
    let Brokers::Remote { servers, .. } = brokers else {
        return Err(Error::Usage(format!(
            "{what} reads a cluster: give -b HOST:PORT (or KAFKA_BOOTSTRAP_SERVERS, or the \
             scenario's kafka.bootstrap_servers); an embedded cluster lives only as long as \
             its run, so use the run's --verify there"
        )));
    };
    let pairs = config::pairs(&sources.properties);
    let properties = config::consumer_properties(kafka, &pairs, &servers, FETCH_WAIT_MS);
    Ok((servers, properties))
}

/// `simulate verify`: the scenario's topics read from the start's offsets (or the
/// beginning) and compared with its plan; the summary on stdout, the JSON in
/// `--report`. Exit 0 when they hold exactly the plan, 1 when not.
#[cfg(feature = "kafka")]
pub(super) fn verify_command(args: &VerifyArgs) -> Result<u8, Error> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use crate::consume::reader::From;
    use crate::consume::verify::read::{self, Request};

    let mut scenario =
        super::loading::load(&args.scenario, &args.replace.overrides()).map_err(Error::Invalid)?;
    let start = run_start(&scenario, "verify")?;
    let report = match &args.report {
        Some(path) => Some(Pending::create(path, "the verification")?),
        None => None,
    };
    let (servers, properties) = consumer_config(
        &args.cluster,
        &mut scenario.kafka,
        "simulate verify",
        args.quiet,
    )?;
    let codecs = Arc::new(codecs_as_registered(&args.cluster, &scenario)?);
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    if !args.quiet {
        let shard = scenario
            .shard
            .map_or(String::new(), |s| format!(" (shard {s})"));
        eprintln!(
            "simulate: verifying `{}`{shard} from {} against {servers}",
            scenario.name,
            start.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        );
    }
    let request = Request {
        scenario: &scenario,
        start,
        codecs: &codecs,
        properties: &properties,
        from: match args.from_beginning {
            true => From::Beginning,
            false => From::Timestamp(start.timestamp_millis()),
        },
        idle: Duration::from_nanos(args.options.idle_timeout.0),
        embedded: false,
        strict: args.options.strict,
        stop: &stop,
    };
    let verification = read::verify(&request).map_err(|why| match stop.load(Ordering::SeqCst) {
        true => Error::Interrupted,
        false => Error::Runtime(format!("cannot verify against {servers}: {why}")),
    })?;
    if !args.quiet {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        match write!(out, "{verification}").and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(Error::Output(e)),
            _ => {}
        }
    }
    if let Some(file) = report {
        let text = serde_json::to_string_pretty(&verification)
            .map_err(|e| Error::Runtime(format!("cannot write the verification: {e}")))?;
        file.write(&text)?;
    }
    Ok(match verification.ok() {
        true => EXIT_OK,
        false => EXIT_FAILURE,
    })
}

/// Without the `kafka` feature there is no consumer.
#[cfg(not(feature = "kafka"))]
pub(super) fn verify_command(_: &VerifyArgs) -> Result<u8, Error> {
    Err(super::loading::needs_feature("kafka", "read a cluster"))
}

/// The start of the run being checked: `--start` or the scenario's `start`; a check
/// of a run that began "now" cannot know when that was.
pub(crate) fn run_start(scenario: &Scenario, what: &str) -> Result<DateTime<Utc>, Error> {
    scenario.start.ok_or_else(|| {
        Error::Usage(format!(
            "simulate {what} needs the run's start to plan what the run sent: give --start with \
             the instant the run used (e.g. --start 2026-01-01T00:00:00Z), or set `start` in \
             the scenario"
        ))
    })
}

/// The value codecs of `scenario` with the schema ids the registry holds (looked up,
/// never registered), as the run's messages carry them.
fn codecs_as_registered(cluster: &ClusterArgs, scenario: &Scenario) -> Result<Codecs, Error> {
    let mut codecs = registry::codecs(scenario)?;
    if codecs.is_empty() {
        return Ok(codecs);
    }
    let Some((url, source)) = registry::given_url(cluster, scenario) else {
        return Err(Error::Usage(
            "values encoded by a schema carry their schema's id: give --schema-registry URL (or SCHEMA_REGISTRY_URL, or schema_registry.url) to look the ids up".into(),
        ));
    };
    let mut client = registry::client(url, source, scenario)?;
    registry::resolve(scenario, &mut codecs, &mut client, false, true)?;
    Ok(codecs)
}

/// `simulate score`: the truth of the scenario's run from its start, what a correct
/// pipeline outputs from it, the pipeline's records (a file, or its output topic read
/// until idle) judged against that; the summary, the report, exit 0 when every window
/// is right. `scenario` is the file's, loaded and validated with the command line's overrides.
pub(super) fn score_command(args: &ScoreArgs, mut scenario: Scenario) -> Result<u8, Error> {
    use crate::consume::score::{self, compare, expected, read, record, summary};
    let start = run_start(&scenario, "score")?;
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        return Err(Error::Usage(format!(
            "--tolerance {} is not an absolute error: give a number of at least 0",
            args.tolerance
        )));
    }
    let window_ms = args.truth_window.0 / 1_000_000;
    let truth = crate::truth::compute(&scenario, start, window_ms);
    let measure = match args.measure {
        Measure::Count => expected::Measure::Count,
        Measure::Entities => expected::Measure::Entities,
        Measure::Occupancy => expected::Measure::Occupancy,
    };
    let grouping = score::grouping(
        &scenario,
        measure,
        args.group_field.as_deref(),
        args.group_by.as_deref(),
    );
    let start_ms = start.timestamp_millis();
    let end_ms = start_ms
        + scenario
            .duration
            .0
            .div_ceil(1_000_000)
            .min(i64::MAX as u64 / 2) as i64;
    let want = expected::expected(
        &scenario,
        &truth,
        (measure, grouping.clone(), args.source_topic.as_deref()),
        (start_ms, end_ms),
    )
    .map_err(Error::Usage)?;
    let report = match &args.report {
        Some(path) => Some(Pending::create(path, "the score")?),
        None => None,
    };
    let fields = record::Fields {
        window: args.window_field.clone(),
        group: args.group_field.clone(),
        count: args.count_field.clone(),
    };
    let mut gathered = compare::Gathered::default();
    let source = match (&args.input, &args.topic) {
        (Some(path), _) => {
            read::file(path, &fields, &want, &mut gathered)?;
            path.display().to_string()
        }
        (None, Some(topic)) => {
            score_topic(args, &mut scenario, topic, (&fields, &want), &mut gathered)?;
            format!("topic {topic}")
        }
        (None, None) => return Err(Error::Usage("give --topic NAME or --input FILE".into())),
    };
    let asked = score::Asked {
        source,
        fields,
        measure,
        grouping,
        tolerance: args.tolerance,
    };
    let score = compare::compare(&want, &gathered, args.tolerance);
    let outcome = summary::Outcome {
        scenario: &truth.scenario,
        seed: truth.seed,
        start: &truth.start,
        window_ms,
        asked: &asked,
        gathered: &gathered,
        score: &score,
    };
    if !args.quiet {
        let mut out = std::io::stdout().lock();
        let text = summary::text(&outcome);
        match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(Error::Output(e)),
            Ok(()) | Err(_) => {}
        }
    }
    if let Some(report) = report {
        report.write(&summary::json(&outcome))?;
    }
    Ok(if score.passed() {
        EXIT_OK
    } else {
        EXIT_FAILURE
    })
}

/// Reads the pipeline's output `topic` into `gathered` (the `kafka` feature).
#[cfg(feature = "kafka")]
fn score_topic(
    args: &ScoreArgs,
    scenario: &mut Scenario,
    topic: &str,
    (fields, want): (
        &crate::consume::score::record::Fields,
        &crate::consume::score::expected::Expected,
    ),
    gathered: &mut crate::consume::score::compare::Gathered,
) -> Result<(), Error> {
    use crate::consume::reader::From;
    use crate::consume::score::topic::{self, Source};
    let (_, properties) = consumer_config(
        &args.cluster,
        &mut scenario.kafka,
        "simulate score",
        args.quiet,
    )?;
    let source = Source {
        properties: &properties,
        topic,
        from: if args.from_beginning {
            From::Beginning
        } else {
            From::Timestamp(want.first_ms)
        },
        idle: std::time::Duration::from_nanos(args.idle_timeout.0),
    };
    let skipped = topic::topic(&source, fields, want, gathered)?;
    if skipped > 0 && !args.quiet {
        eprintln!(
            "note: skipped {skipped} messages of {topic} stamped before the run's first window \
             (--from-beginning reads them)"
        );
    }
    Ok(())
}

/// Without the `kafka` feature there is no topic to read: `--input` only.
#[cfg(not(feature = "kafka"))]
fn score_topic(
    _: &ScoreArgs,
    _: &mut Scenario,
    _: &str,
    _: (
        &crate::consume::score::record::Fields,
        &crate::consume::score::expected::Expected,
    ),
    _: &mut crate::consume::score::compare::Gathered,
) -> Result<(), Error> {
    Err(Error::Usage(
        "this simulate was built without the `kafka` feature and cannot read a topic; score \
         a file with --input, or build it with the default features (cargo build --release \
         --locked)"
            .into(),
    ))
}
