//! The other side of the pipe, assembled: `simulate verify` and `simulate score`, and
//! the consumer configuration they share with a run (the same cluster, reached the same
//! way as the run reached it).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::registry;
use crate::cli::{ClusterArgs, ScoreArgs, VerifyArgs};
use crate::encode::codec::Codecs;
use crate::error::{self, Error};
use crate::output::Pending;
use crate::scenario::Scenario;
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
    scenario: &mut Scenario,
    what: &str,
    quiet: bool,
) -> Result<(String, BTreeMap<String, String>), Error> {
    let given = Given {
        file: cluster.properties_file.as_deref(),
        env: &cluster.env_properties,
        flags: &cluster.properties,
        notes: !quiet,
    };
    let sources = sources::gather(given, &mut scenario.kafka.properties)?;
    let brokers = config::brokers(
        cluster.bootstrap_servers.as_deref(),
        cluster.env_bootstrap_servers.as_deref(),
        sources.bootstrap_servers.as_deref(),
        scenario.kafka.bootstrap_servers.as_deref(),
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
    let properties = config::consumer_properties(&scenario.kafka, &pairs, &servers, FETCH_WAIT_MS);
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
        super::load(&args.scenario, &args.replace.overrides()).map_err(Error::Invalid)?;
    let start = run_start(&scenario, "verify")?;
    let report = match &args.report {
        Some(path) => Some(Pending::create(path, "the verification")?),
        None => None,
    };
    let (servers, properties) =
        consumer_config(&args.cluster, &mut scenario, "simulate verify", args.quiet)?;
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
        print!("{verification}");
    }
    if let Some(file) = report {
        let text = serde_json::to_string_pretty(&verification)
            .map_err(|e| Error::Runtime(format!("cannot write the verification: {e}")))?;
        file.write(&text)?;
    }
    Ok(match verification.ok() {
        true => error::EXIT_OK,
        false => error::EXIT_FAILURE,
    })
}

/// Without the `kafka` feature there is no consumer.
#[cfg(not(feature = "kafka"))]
pub(super) fn verify_command(_: &VerifyArgs) -> Result<u8, Error> {
    Err(super::needs_feature("kafka", "read a cluster"))
}

/// The start of the run being checked: `--start` or the scenario's `start`; a check
/// of a run that began "now" cannot know when that was.
pub(crate) fn run_start(scenario: &Scenario, what: &str) -> Result<DateTime<Utc>, Error> {
    scenario.start.ok_or_else(|| {
        Error::Usage(format!(
            "simulate {what} needs the run's start to plan what it sent: give --start with              the instant the run used (e.g. --start 2026-01-01T00:00:00Z), or set `start` in              the scenario"
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

/// `simulate score`.
pub(super) fn score_command(_args: &ScoreArgs) -> Result<u8, Error> {
    Err(Error::Usage("simulate score: not built yet".into()))
}
