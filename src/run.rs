//! What each command does, and the mapping of outcomes to exit codes: the edge where the
//! pipeline is assembled. A run loads and validates the scenario, then replays its plan
//! into a sink ([`dry_run`]: stdout; [`kafka`]: a topic) and reports.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::cli::{Cli, Command, DryRunFormat, PlotArgs, ReportCommand, RunArgs};
use crate::error::{self, Error};
use crate::metrics::Metrics;
use crate::plan::Messages;
use crate::replay::pacer::Pace;
use crate::replay::{self, Control, Options};
use crate::report::{KafkaReport, Report};
use crate::scenario::model::KafkaFile;
use crate::scenario::{self, Diagnostic, Overrides, Scenario};
use crate::sink::kafka::config::{self, Brokers};
use crate::sink::kafka::properties::{self, Origin, Property};
use crate::sink::kafka::{self as kafka_sink, KafkaSink, embedded};
use crate::sink::stdout::{Format, Stdout};
use crate::text::io_reason;
use crate::{redact, render, schema, stats, truth};

/// Runs the command line and returns the process exit code; errors are printed to stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Validate { files }) => validate(files),
        Some(Command::Schema {
            event,
            scenario: Some(path),
            ..
        }) if *event => match load(path, &Overrides::default()) {
            Ok(scenario) => print(&schema::event_for(&scenario)),
            Err(diagnostics) => Err(Error::Invalid(diagnostics)),
        },
        Some(Command::Schema { truth: true, .. }) => print(&schema::truth()),
        Some(Command::Schema { event, .. }) => print(&if *event {
            schema::event()
        } else {
            schema::scenario()
        }),
        Some(Command::Report(ReportCommand::Merge { files, report })) => {
            merge_reports(files, report.as_deref())
        }
        Some(Command::Truth(args)) => match load(&args.scenario, &args.replace.overrides()) {
            Ok(scenario) => {
                let start = scenario.start.unwrap_or_else(Utc::now);
                let window_ms = args.truth_window.0 / 1_000_000;
                print(&truth::to_json(&truth::compute(
                    &scenario, start, window_ms,
                )))
            }
            Err(diagnostics) => Err(Error::Invalid(diagnostics)),
        },
        Some(Command::Stats(args)) => match load(&args.scenario, &args.replace.overrides()) {
            Ok(scenario) => {
                let stats = stats::compute(&scenario);
                print(&if args.json {
                    stats::to_json(&stats)
                } else {
                    stats::to_text(&stats)
                })
            }
            Err(diagnostics) => Err(Error::Invalid(diagnostics)),
        },
        Some(Command::Plot(args)) => plot(args),
        Some(Command::Completions { shell }) => {
            let mut text = Vec::new();
            crate::cli::completions(*shell, &mut text);
            print(&String::from_utf8_lossy(&text))
        }
        Some(Command::Man) => {
            let mut text = Vec::new();
            match crate::cli::man(&mut text) {
                Ok(()) => print(&String::from_utf8_lossy(&text)),
                Err(e) => Err(Error::Output(e)),
            }
        }
        None => run_scenario(&cli.run),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{}", redact::redact(&error.to_string()));
            ExitCode::from(error.exit_code())
        }
    }
}

/// Loads and validates a scenario file, and checks what only its processes' identities
/// can tell: that no two arrival processes would share event ids.
pub(crate) fn load(path: &Path, overrides: &Overrides) -> Result<Scenario, Vec<Diagnostic>> {
    let scenario = scenario::load_file(path, overrides)?;
    if render::event_ids_clash(&scenario) {
        return Err(vec![ids_clash(path)]);
    }
    Ok(scenario)
}

/// Two arrival processes of the scenario in `path` would share event ids.
fn ids_clash(path: &Path) -> Diagnostic {
    let mut d = Diagnostic::new("two arrival processes would share event ids under this seed")
        .field("seed")
        .help("choose another seed");
    d.file = Some(path.display().to_string());
    d
}

fn run_scenario(args: &RunArgs) -> Result<u8, Error> {
    let Some(path) = &args.scenario else {
        return Err(Error::Usage(no_scenario_advice(&args.typed)));
    };
    let mut scenario = scenario::load_file(path, &args.overrides()).map_err(Error::Invalid)?;
    // A dry run sends nothing: its properties (and their secret files) are not read.
    let sources = match args.dry_run {
        true => PropertySources::default(),
        false => property_sources(args, &mut scenario.kafka.properties)?,
    };
    let scenario = scenario;
    // The plan knows its processes' identities: the event-id check costs no second hash.
    let plan = Messages::new(&scenario);
    // A shard draws only some processes: the check covers all of them, so that a shard
    // refuses what the single run refuses.
    let clash = match scenario.shard {
        Some(_) => render::event_ids_clash(&scenario),
        None => render::ids_clash(plan.identities()),
    };
    if clash {
        return Err(Error::Invalid(vec![ids_clash(path)]));
    }
    let truth_file = match &args.truth {
        Some(path) => Some(Pending::create(path, "the truth")?),
        None => None,
    };
    let write_truth = |start: DateTime<Utc>| match &truth_file {
        Some(file) => {
            let window_ms = args.truth_window.0 / 1_000_000;
            file.write(&truth::to_json(&truth::compute(
                &scenario, start, window_ms,
            )))
        }
        None => Ok(()),
    };
    if args.dry_run {
        let format = match args.format.unwrap_or(DryRunFormat::Values) {
            DryRunFormat::Values => Format::Values,
            DryRunFormat::Plan => Format::Plan,
        };
        let start = scenario.start.unwrap_or_else(Utc::now);
        let printed = dry_run_plan(&scenario, plan, start, format, io::stdout().lock());
        write_truth(start)?;
        return match printed {
            Ok(_) => Ok(error::EXIT_OK),
            // A closed pipe (`| head`) ends the run quietly.
            Err(Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(error::EXIT_OK),
            Err(e) => Err(e),
        };
    }
    // Fail on an unwritable report path now, not after a three-minute run; the report
    // is written to FILE.tmp and renamed, so FILE is never left half-written or empty.
    let report_file = match &args.report {
        Some(path) => Some(Pending::create(path, "the report")?),
        None => None,
    };
    let settings = Settings {
        brokers: config::brokers(
            args.bootstrap_servers.as_deref(),
            args.env_bootstrap_servers.as_deref(),
            sources.bootstrap_servers.as_deref(),
            scenario.kafka.bootstrap_servers.as_deref(),
            args.embedded_broker,
        ),
        properties: sources.properties,
        pace: match (args.max_speed, args.speed) {
            (true, _) => Pace::Max,
            (false, speed) => Pace::Speed(speed.unwrap_or(1.0)),
        },
        connect_timeout: Duration::from_nanos(args.connect_timeout.0),
        flush_timeout: Duration::from_nanos(args.flush_timeout.0),
        partitions: args.partitions,
        quiet: args.quiet,
        progress: true,
        metrics: match &args.metrics {
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
        },
    };
    let control = Control::default();
    install_signal_handler(&control.stop, args.quiet);
    let result = kafka_plan(&scenario, plan, &settings, &control);
    // On an error, the pending files are removed as they drop.
    let report = result?;
    if !args.quiet {
        eprint!("{}", redact::redact(&report.summary()));
    }
    if truth_file.is_some() {
        let start = DateTime::parse_from_rfc3339(&report.start)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| Error::Runtime(format!("the run's start: {e}")))?;
        write_truth(start)?;
    }
    if let Some(file) = &report_file {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| Error::Runtime(format!("cannot write the report: {e}")))?;
        file.write(&redact::redact(&text))?;
    }
    outcome(&report)
}

/// Writes the plan of `scenario`, from `start`, to `out` as `format` lines: the dry run.
/// Returns how many events were written.
pub fn dry_run<W: Write>(
    scenario: &Scenario,
    start: DateTime<Utc>,
    format: Format,
    out: W,
) -> Result<u64, Error> {
    dry_run_plan(scenario, Messages::new(scenario), start, format, out)
}

fn dry_run_plan<W: Write>(
    scenario: &Scenario,
    plan: Messages,
    start: DateTime<Utc>,
    format: Format,
    out: W,
) -> Result<u64, Error> {
    let mut sink = Stdout::new(out, format);
    let options = Options {
        pace: Pace::Max,
        progress: false,
        per_camera: false,
    };
    replay::replay(
        scenario,
        plan,
        start,
        &mut sink,
        options,
        &Control::default(),
        None,
    )
    .map(|t| t.sent)
}

/// `simulate plot`: the image of a plan or a report, written to `--output`.
fn plot(args: &PlotArgs) -> Result<u8, Error> {
    let out = &args.output;
    let extension = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let png = match extension.as_deref() {
        Some("svg") => false,
        Some("png") => true,
        _ => {
            return Err(Error::Usage(format!(
                "--output {}: the image format is chosen by the extension: .svg or .png",
                out.display()
            )));
        }
    };
    let svg = match (&args.report, &args.scenario) {
        (Some(report), _) => {
            let text = read_input(report, "")?;
            let report: Report = serde_json::from_str(&text).map_err(|e| {
                Error::Usage(format!(
                    "{} is not a simulate report ({e}); write one with --report",
                    report.display()
                ))
            })?;
            crate::plot::report_svg(&report)
        }
        (None, Some(path)) => {
            let scenario = load(path, &args.replace.overrides()).map_err(Error::Invalid)?;
            crate::plot::scenario_svg(&scenario)
        }
        (None, None) => unreachable!("clap requires a scenario or --report"),
    }
    .map_err(Error::Runtime)?;
    let bytes = if png {
        crate::plot::png(&svg).map_err(Error::Runtime)?
    } else {
        svg.into_bytes()
    };
    std::fs::write(out, bytes).map_err(|e| {
        Error::Runtime(format!(
            "cannot write {}: {}",
            out.display(),
            io_reason(&e, "no such directory")
        ))
    })?;
    Ok(error::EXIT_OK)
}

/// The text of an input file, or invalid input naming it (`what` precedes the path, e.g.
/// "the properties file ").
fn read_input(path: &Path, what: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::Usage(format!(
            "cannot read {what}{}: {}",
            path.display(),
            io_reason(&e, "no such file")
        ))
    })
}

/// The producer properties set outside the scenario, resolved.
#[derive(Debug, Default)]
struct PropertySources {
    /// From `-F`, the environment and `-X`, in that order (the later wins).
    properties: Vec<Property>,
    /// `bootstrap.servers` of the `-F` file.
    bootstrap_servers: Option<String>,
}

/// Gathers the properties of `-F`, `SIMULATE_X_*` and `-X`, reads every `@FILE` value
/// (the scenario's `kafka.properties` included, in place), and remembers the secret ones
/// so that nothing the process writes shows them. The file's notes go to stderr.
fn property_sources(
    args: &RunArgs,
    scenario_properties: &mut std::collections::BTreeMap<String, String>,
) -> Result<PropertySources, Error> {
    let mut sources = PropertySources::default();
    if let Some(file) = &args.properties_file {
        let shown = file.display().to_string();
        let text = read_input(file, "the properties file ")?;
        let parsed = properties::parse_file(&text, &shown).map_err(Error::Usage)?;
        if !args.quiet {
            for note in &parsed.notes {
                eprintln!("simulate: {note}");
            }
        }
        sources.properties = parsed.properties;
        sources.bootstrap_servers = parsed.bootstrap_servers;
    }
    sources
        .properties
        .extend(properties::from_env(args.env_properties.iter().cloned()));
    for property in &sources.properties {
        if let Some((_, instead)) = KafkaFile::MANAGED_PROPERTIES
            .iter()
            .find(|(k, _)| *k == property.key)
        {
            return Err(Error::Usage(format!(
                "{}: `{}` is set by simulate: {instead}",
                property.origin.describe(&property.key),
                property.key
            )));
        }
    }
    sources
        .properties
        .extend(args.properties.iter().map(|(key, value)| Property {
            key: key.clone(),
            value: value.clone(),
            origin: Origin::Flag,
        }));
    let mut read = |path: &Path| std::fs::read_to_string(path);
    properties::read_values(&mut sources.properties, &mut read).map_err(Error::Usage)?;
    for (key, value) in scenario_properties.iter_mut() {
        if let Some(read) = properties::read_value(value, &mut read)
            .map_err(|e| Error::Usage(format!("{}: {e}", Origin::Scenario.describe(key))))?
        {
            *value = read;
        }
    }
    let all = sources.properties.iter().map(|p| (&p.key, &p.value));
    for (key, value) in all.chain(scenario_properties.iter()) {
        redact::remember(key, value);
    }
    Ok(sources)
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
    /// How long to wait for outstanding deliveries at the end.
    pub flush_timeout: Duration,
    /// Partitions of the topic in the embedded cluster.
    pub partitions: i32,
    /// Print nothing but errors.
    pub quiet: bool,
    /// Draw a progress bar (only on a terminal).
    pub progress: bool,
    /// `--metrics`: where the run's counters go (served by [`Metrics::serve`]).
    pub metrics: Option<Arc<Metrics>>,
}

/// Replays `scenario` into Kafka and reports what happened: the properties are checked,
/// the embedded cluster started when no brokers are given, the brokers waited for, the
/// plan replayed, and an embedded topic read back and compared with the plan.
pub fn kafka(scenario: &Scenario, settings: &Settings, control: &Control) -> Result<Report, Error> {
    kafka_plan(scenario, Messages::new(scenario), settings, control)
}

fn kafka_plan(
    scenario: &Scenario,
    plan: Messages,
    settings: &Settings,
    control: &Control,
) -> Result<Report, Error> {
    let topics = scenario.topics();
    let topic_words = topic_words(&topics);
    let max_speed = settings.pace == Pace::Max;
    // Bad properties are invalid input: refuse them before anything starts.
    kafka_sink::check_properties(&scenario.kafka, &settings.properties, max_speed)?;
    let embedded = match &settings.brokers {
        Brokers::Embedded => {
            let cluster = embedded::Embedded::start(&topics, settings.partitions)?;
            if !settings.quiet {
                eprintln!(
                    "simulate: using an embedded Kafka cluster ({} brokers at {}), {topic_words} with {} partitions{}",
                    embedded::BROKERS,
                    cluster.bootstrap,
                    settings.partitions,
                    if topics.len() > 1 { " each" } else { "" }
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
    let properties = config::producer_properties(
        &scenario.kafka,
        &kafka_sink::pairs(&settings.properties),
        &servers,
        max_speed,
    );
    let connection = kafka_sink::Connection {
        servers: &servers,
        source,
        properties: &properties,
        connect_timeout: settings.connect_timeout,
        flush_timeout: settings.flush_timeout,
        max_speed,
        latency_metric: settings
            .metrics
            .as_ref()
            .map(|m| m.delivery_latency.clone()),
    };
    let mut sink = KafkaSink::connect(scenario, &connection, Arc::clone(&control.stop))?;
    if !settings.quiet {
        eprintln!(
            "simulate: sending `{}` ({} of events, {}) to {topic_words} at {servers}",
            scenario.name,
            scenario.duration,
            settings.pace.describe()
        );
    }
    // The clock is read here, at the edge: an unset start is the moment the schedule starts.
    let start = scenario.start.unwrap_or_else(Utc::now);
    // Shards launched apart begin together at their shared start, when it lies ahead
    // (`--start next:1m`); a start in the past paces from now.
    if scenario.shard.is_some() {
        wait_until(start, &control.stop, settings.quiet);
    }
    let options = Options {
        pace: settings.pace,
        progress: settings.progress && !settings.quiet,
        per_camera: true,
    };
    let metrics = settings.metrics.as_deref();
    let tally = replay::replay(scenario, plan, start, &mut sink, options, control, metrics)?;
    let outcome = sink.into_outcome();
    let counts = outcome.counts;
    let mut kafka = KafkaReport {
        brokers: if embedded.is_some() {
            format!("embedded ({servers})")
        } else {
            servers.clone()
        },
        delivered: counts.delivered,
        failed: counts.failed,
        undelivered: outcome.outstanding,
        failures: counts.failures,
        first_errors: counts.first_errors,
        delivery_latency: counts.latency.summary_us(),
        delivery_latency_histogram: counts.latency.to_buckets(),
        delivery_latency_timeline: counts.latency_timeline.to_steps(),
        command_line_properties: settings
            .properties
            .iter()
            .filter(|p| p.origin == Origin::Flag)
            .map(|p| (p.key.clone(), config::shown(&p.key, &p.value)))
            .collect(),
        producer_properties: properties
            .iter()
            .map(|(k, v)| (k.clone(), config::shown(k, v)))
            .collect(),
        verification: None,
        verified: None,
    };
    if let Some(cluster) = &embedded {
        let (text, ok) = if tally.interrupted {
            ("skipped: the run was interrupted".to_string(), None)
        } else {
            match kafka_sink::verify(
                scenario,
                start,
                tally.planned,
                &cluster.bootstrap,
                &control.stop,
            ) {
                Ok(v) => (v.to_string(), Some(v.ok())),
                Err(why) => (why, Some(false)),
            }
        };
        kafka.verification = Some(text);
        kafka.verified = ok;
    }
    let rate = kafka.delivered as f64 / tally.wall.as_secs_f64().max(1e-9);
    Ok(Report {
        scenario: scenario.name.clone(),
        shard: scenario.shard.map(|s| s.to_string()),
        merged_shards: None,
        seed: scenario.seed,
        start: start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        topic: scenario.topic.clone(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        pace: settings.pace.describe(),
        planned: tally.planned,
        planned_exact: tally.planned_exact,
        sent: tally.sent,
        not_sent: tally.not_sent,
        wall_time_s: tally.wall.as_secs_f64(),
        rate_per_s: rate,
        lateness: tally.lateness.summary_us(),
        lateness_histogram: tally.lateness.to_buckets(),
        lateness_timeline: tally.lateness_timeline.to_steps(),
        end_drift_us: tally.end_drift.as_secs_f64() * 1e6,
        per_camera: tally.per_camera(scenario),
        interrupted: tally.interrupted,
        kafka: Some(kafka),
    })
}

/// Sleeps until `start` (if it lies ahead), in slices, so that a stop ends the wait.
fn wait_until(start: DateTime<Utc>, stop: &AtomicBool, quiet: bool) {
    let ahead = |now: DateTime<Utc>| (start - now).to_std().ok().filter(|d| !d.is_zero());
    let Some(wait) = ahead(Utc::now()) else {
        return;
    };
    if !quiet {
        eprintln!(
            "simulate: waiting {:.1} s for the shared start {}",
            wait.as_secs_f64(),
            start.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        );
    }
    while let Some(left) = ahead(Utc::now()) {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// The exit code a finished run earns, or the error that explains why it failed.
fn outcome(report: &Report) -> Result<u8, Error> {
    if !report.accounted() {
        let (delivered, failed, undelivered) = report
            .kafka
            .as_ref()
            .map_or((0, 0, 0), |k| (k.delivered, k.failed, k.undelivered));
        return Err(Error::Runtime(format!(
            "delivery accounting does not add up: {delivered} delivered + {failed} failed + {undelivered} undelivered + {} not sent ≠ {} planned",
            report.not_sent, report.planned
        )));
    }
    if report.interrupted {
        return Ok(error::EXIT_INTERRUPTED);
    }
    let Some(kafka) = &report.kafka else {
        return Ok(error::EXIT_OK);
    };
    let mut why = if !report.all_delivered() {
        format!(
            "{} of {} planned events were not delivered",
            report.planned.saturating_sub(kafka.delivered),
            report.planned
        )
    } else if kafka.verified == Some(false) {
        format!(
            "reading the topic back: {}",
            kafka.verification.as_deref().unwrap_or("failed")
        )
    } else {
        return Ok(error::EXIT_OK);
    };
    if !kafka.first_errors.is_empty() {
        why.push_str(&format!(
            "; first errors: {}",
            kafka.first_errors.join("; ")
        ));
    }
    Err(Error::Runtime(why))
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

/// What to say when no scenario file was named: the command as typed, with a scenario.
fn no_scenario_advice(typed: &[String]) -> String {
    const EXAMPLE: &str = "scenarios/default.yaml";
    if typed.is_empty() {
        return format!(
            "no scenario file given; try `simulate {EXAMPLE}` to send it to Kafka or \
             `simulate {EXAMPLE} --dry-run` to print its events (see --help)"
        );
    }
    let words: Vec<String> = typed.iter().map(|a| shell_word(a)).collect();
    format!(
        "no scenario file given; name one, e.g. `simulate {EXAMPLE} {}`",
        words.join(" ")
    )
}

/// `word` as a shell would need it typed: quoted when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// An output file opened before the run (so an unwritable path fails at once, as
/// invalid input) and written at the end: to FILE.tmp, then renamed, so FILE is never
/// left half-written.
struct Pending {
    path: PathBuf,
    tmp: PathBuf,
    what: &'static str,
}

impl Pending {
    fn create(path: &Path, what: &'static str) -> Result<Pending, Error> {
        let tmp = tmp_path(path);
        std::fs::File::create(&tmp).map_err(|e| {
            Error::Usage(format!(
                "cannot write {what} to {}: {}; choose a path in a writable directory",
                path.display(),
                io_reason(&e, "no such directory")
            ))
        })?;
        Ok(Pending {
            path: path.to_path_buf(),
            tmp,
            what,
        })
    }

    fn write(&self, text: &str) -> Result<(), Error> {
        std::fs::write(&self.tmp, text)
            .and_then(|()| std::fs::rename(&self.tmp, &self.path))
            .map_err(|e| {
                Error::Runtime(format!(
                    "cannot write {} to {}: {}",
                    self.what,
                    self.path.display(),
                    io_reason(&e, "no such directory")
                ))
            })
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        // Written files were renamed; an unused one is removed.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// First SIGINT/SIGTERM: stop scheduling, flush within the bound, report, exit 130.
/// Second: exit 130 at once.
fn install_signal_handler(stop: &Arc<AtomicBool>, quiet: bool) {
    let stop = Arc::clone(stop);
    let _ = ctrlc::set_handler(move || {
        if stop.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(error::EXIT_INTERRUPTED));
        }
        if !quiet {
            eprintln!(
                "\nsimulate: interrupted: flushing outstanding events (interrupt again to quit at once)"
            );
        }
    });
}

/// `simulate report merge`: reads the shards' reports, merges them, prints the summary
/// and writes the merged report. Unreadable files and sets that do not make one run are
/// invalid input.
fn merge_reports(files: &[PathBuf], out: Option<&Path>) -> Result<u8, Error> {
    let pending = match out {
        Some(path) => Some(Pending::create(path, "the merged report")?),
        None => None,
    };
    let mut reports = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        let text = read_input(path, "")?;
        let report: crate::report::Report = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{name} is not a simulate report ({e}); write one with --report"
            ))
        })?;
        reports.push((name, report));
    }
    let merged = crate::report::merge(&reports).map_err(Error::Usage)?;
    eprint!("{}", merged.summary());
    if let Some(file) = pending {
        let text = serde_json::to_string_pretty(&merged)
            .map_err(|e| Error::Runtime(format!("cannot write the merged report: {e}")))?;
        file.write(&text)?;
    }
    outcome(&merged)
}

fn validate(files: &[PathBuf]) -> Result<u8, Error> {
    let mut failed = 0usize;
    let mut out = io::stdout().lock();
    for path in files {
        match load(path, &Overrides::default()) {
            Ok(s) => {
                let cameras: usize = s.streams.iter().map(|st| st.cameras.len()).sum();
                let processes: usize = s.streams.iter().map(|st| st.processes()).sum();
                let _ = writeln!(
                    out,
                    "{}: ok ({} stream{}, {cameras} camera{}, {processes} arrival process{}, {})",
                    path.display(),
                    s.streams.len(),
                    plural(s.streams.len()),
                    plural(cameras),
                    if processes == 1 { "" } else { "es" },
                    s.duration,
                );
            }
            Err(diagnostics) => {
                failed += 1;
                eprintln!("{}\n", scenario::render_all(&diagnostics));
            }
        }
    }
    let _ = out.flush();
    if failed > 0 {
        return Err(Error::Invalid(vec![Diagnostic::new(format!(
            "{failed} of {} file{} invalid",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        ))]));
    }
    Ok(error::EXIT_OK)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn print(text: &str) -> Result<u8, Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
        _ => Ok(error::EXIT_OK),
    }
}
