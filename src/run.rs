//! What each command does, and the mapping of outcomes to exit codes: the edge where the
//! pipeline is assembled. A run loads and validates the scenario, then replays its plan
//! into a sink ([`dry_run`]: stdout; [`kafka`]: a topic) and reports.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use crate::cli::{Cli, Command, DryRunFormat, PlotArgs, ReportCommand, RunArgs};
use crate::error::{self, Error};
use crate::output::Pending;
use crate::plan::Plan;
use crate::report::Report;
use crate::scenario::{self, Diagnostic, Overrides, Scenario};
pub use crate::sink::kafka::Settings;
use crate::sink::kafka::sources::{self, Given, Sources};
pub use crate::sink::stdout::dry_run;
use crate::sink::stdout::{self, Format};
use crate::{render, schema, stats, truth};

/// Runs the command line and returns the process exit code; errors are printed to stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Validate { files }) => validate(files),
        Some(Command::Schema {
            avro,
            scenario: Some(path),
            ..
        }) => match load(path, &Overrides::default()) {
            Ok(scenario) if *avro => render::avro_schemas(&scenario).and_then(|s| print(&s)),
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
            Ok(scenario) if args.json => print(&stats::to_json(&stats::compute(&scenario))),
            Ok(scenario) => print(&stats::to_text(&stats::compute(&scenario))),
            Err(diagnostics) => Err(Error::Invalid(diagnostics)),
        },
        Some(Command::Plot(args)) => plot(args),
        Some(Command::Broker(args)) => broker(args),
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
        Err(error) => error.print(),
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
        return Err(Error::Usage(crate::cli::no_scenario_advice(&args.typed)));
    };
    let mut scenario = scenario::load_file(path, &args.overrides()).map_err(Error::Invalid)?;
    if !args.quiet {
        warn(&scenario);
    }
    // A dry run sends nothing: its properties (and their secret files) are not read.
    let given = Given {
        file: args.properties_file.as_deref(),
        env: &args.env_properties,
        flags: &args.properties,
        notes: !args.quiet,
    };
    let sources = match args.dry_run {
        true => Sources::default(),
        false => sources::gather(given, &mut scenario.kafka.properties)?,
    };
    let scenario = scenario;
    // The plan knows its processes' identities: the event-id check costs no second hash.
    let plan = Plan::new(&scenario);
    // A shard draws only some processes: the check covers all of them, so that a shard
    // refuses what the single run refuses.
    let clash = match scenario.shard {
        Some(_) => render::event_ids_clash(&scenario),
        None => render::ids_clash(plan.identities()),
    };
    if clash {
        return Err(Error::Invalid(vec![ids_clash(path)]));
    }
    let truth = match &args.truth {
        Some(path) => Some(Pending::create(path, "the truth")?),
        None => None,
    };
    let truth = Truth {
        file: truth,
        window_ms: args.truth_window.0 / 1_000_000,
    };
    if args.dry_run {
        return dry_run_command(args, &scenario, plan, &truth);
    }
    render::sendable(&scenario)?;
    kafka_command(args, &scenario, plan, sources, &truth)
}

/// Where `--truth` goes, if anywhere, and its window.
struct Truth {
    file: Option<Pending>,
    window_ms: u64,
}

impl Truth {
    /// Writes the ground truth of `scenario`'s run from `start`, if it was asked for.
    fn write(&self, scenario: &Scenario, start: DateTime<Utc>) -> Result<(), Error> {
        match &self.file {
            Some(file) => file.write(&truth::to_json(&truth::compute(
                scenario,
                start,
                self.window_ms,
            ))),
            None => Ok(()),
        }
    }
}

/// `--dry-run`: the plan printed to stdout (and the truth written).
fn dry_run_command(
    args: &RunArgs,
    scenario: &Scenario,
    plan: Plan,
    truth: &Truth,
) -> Result<u8, Error> {
    let format = match args.format.unwrap_or(DryRunFormat::Values) {
        DryRunFormat::Values => Format::Values,
        DryRunFormat::Plan => Format::Plan,
    };
    let start = scenario.start.unwrap_or_else(Utc::now);
    let printed = match args.encoded {
        true => render::encoded_dry_run(scenario, plan, start, args.quiet),
        false => stdout::dry_run_plan(scenario, plan, start, format, io::stdout().lock()),
    };
    truth.write(scenario, start)?;
    match printed {
        Ok(_) => Ok(error::EXIT_OK),
        // A closed pipe (`| head`) ends the run quietly.
        Err(Error::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(error::EXIT_OK),
        Err(e) => Err(e),
    }
}

/// `simulate plot`: the image of a plan or a report, written to `--output`.
#[cfg(feature = "plot")]
fn plot(args: &PlotArgs) -> Result<u8, Error> {
    let image = crate::plot::Image::of(&args.output)?;
    let svg = match (&args.report, &args.scenario) {
        (Some(report), _) => crate::plot::report_svg(&Report::read(report)?),
        (None, Some(path)) => {
            let scenario = load(path, &args.replace.overrides()).map_err(Error::Invalid)?;
            crate::plot::scenario_svg(&scenario)
        }
        (None, None) => {
            return Err(Error::Usage(
                "name a scenario to draw, or a run report with --report FILE".into(),
            ));
        }
    }
    .map_err(Error::Runtime)?;
    image.write(&svg)?;
    Ok(error::EXIT_OK)
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
        reports.push((path.display().to_string(), Report::read(path)?));
    }
    let merged = crate::report::merge(&reports).map_err(Error::Usage)?;
    eprint!("{}", merged.summary());
    if let Some(file) = pending {
        let text = serde_json::to_string_pretty(&merged)
            .map_err(|e| Error::Runtime(format!("cannot write the merged report: {e}")))?;
        file.write(&text)?;
    }
    merged.verdict()
}

fn validate(files: &[PathBuf]) -> Result<u8, Error> {
    let mut failed = 0usize;
    let mut out = io::stdout().lock();
    for path in files {
        let shown = match path.as_os_str() == "-" {
            true => scenario::STDIN.to_string(),
            false => path.display().to_string(),
        };
        match load(path, &Overrides::default()) {
            Ok(s) => {
                warn(&s);
                let cameras: usize = s.streams.iter().map(|st| st.cameras.len()).sum();
                let processes: usize = s.streams.iter().map(|st| st.processes()).sum();
                let _ = writeln!(
                    out,
                    "{shown}: ok ({} stream{}, {cameras} camera{}, {processes} arrival process{}, {})",
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

/// Prints the scenario's warnings (legal, but probably not meant) on stderr.
fn warn(scenario: &Scenario) {
    for warning in &scenario.warnings {
        eprintln!("{}\n", warning.to_string().trim_end());
    }
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

/// Sending to Kafka (the `kafka` feature): the settings from the command line, the
/// replay into the sink that opens itself, the report.
#[cfg(feature = "kafka")]
mod send {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use chrono::{DateTime, Utc};

    use super::{Pending, Truth};
    use crate::cli::{BrokerArgs, RunArgs};
    use crate::error::{self, Error};
    use crate::metrics::Metrics;
    use crate::plan::Plan;
    use crate::redact;
    use crate::replay::pacer::{self, Pace};
    use crate::replay::{self, Control, Options};
    use crate::report::{KafkaReport, Report};
    use crate::scenario::{Overrides, Scenario};
    use crate::sink::kafka::config::Brokers;
    use crate::sink::kafka::embedded::{self, Embedded};
    use crate::sink::kafka::sources::Sources;
    use crate::sink::kafka::{Session, Settings, config, forward};

    /// A run into Kafka: replayed, summed up on stderr, the truth and the report written.
    pub(super) fn kafka_command(
        args: &RunArgs,
        scenario: &Scenario,
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
        let settings = settings(args, scenario, sources)?;
        let control = Control::default();
        let serving = Arc::new(AtomicBool::new(false));
        install_signal_handler(&control.stop, &serving, args.quiet);
        // On an error, the pending files are removed as they drop.
        let (report, cluster) = kafka_plan(scenario, plan, &settings, &control)?;
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
    fn announce(
        bootstrap: &str,
        topics: &[&str],
        quiet: bool,
        after_run: bool,
    ) -> Result<(), Error> {
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
    pub(super) fn broker(args: &BrokerArgs) -> Result<u8, Error> {
        let mut topics: Vec<String> = Vec::new();
        if let Some(path) = &args.scenario {
            let scenario = super::load(path, &Overrides::default()).map_err(Error::Invalid)?;
            topics.extend(scenario.topics().iter().map(|t| t.to_string()));
        }
        for topic in &args.topics {
            if !topics.contains(topic) {
                topics.push(topic.clone());
            }
        }
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
            args.bootstrap_servers.as_deref(),
            args.env_bootstrap_servers.as_deref(),
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
                    "--partitions" => {
                        "create the topic on that cluster with the partitions you want"
                    }
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
            connect_timeout: Duration::from_nanos(
                args.connect_timeout.map_or(10_000_000_000, |t| t.0),
            ),
            wait_refused: args.connect_timeout.is_some(),
            flush_timeout: Duration::from_nanos(args.flush_timeout.0),
            partitions: args.partitions.unwrap_or(3),
            keep_broker: args.keep_broker,
            quiet: args.quiet,
            progress: true,
            metrics,
        })
    }

    /// Replays `scenario` into Kafka and reports what happened: the properties are checked,
    /// the embedded cluster started when no brokers are given, the brokers waited for, the
    /// plan replayed, and an embedded topic read back and compared with the plan.
    pub fn kafka(
        scenario: &Scenario,
        settings: &Settings,
        control: &Control,
    ) -> Result<Report, Error> {
        kafka_plan(scenario, Plan::new(scenario), settings, control).map(|(report, _)| report)
    }

    /// [`kafka`] of `plan`; the embedded cluster, if one was used, is returned still
    /// serving.
    fn kafka_plan(
        scenario: &Scenario,
        plan: Plan,
        settings: &Settings,
        control: &Control,
    ) -> Result<(Report, Option<Embedded>), Error> {
        let mut session = Session::open(scenario, settings, &control.stop)?;
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
        let mut finished = session.finish(scenario, start, tally.interrupted, &control.stop);
        let kafka = KafkaReport::new(&finished, &settings.properties);
        let report = Report::new(scenario, start, settings.pace, &tally, Some(kafka));
        Ok((report, finished.cluster.take()))
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
}

#[cfg(feature = "kafka")]
pub use send::kafka;
#[cfg(feature = "kafka")]
use send::{broker, kafka_command};

/// Without the `kafka` feature there is no embedded cluster to serve.
#[cfg(not(feature = "kafka"))]
fn broker(_: &crate::cli::BrokerArgs) -> Result<u8, Error> {
    Err(needs_feature("kafka", "serve the embedded Kafka cluster"))
}

/// Without the `plot` feature there is nothing to draw with.
#[cfg(not(feature = "plot"))]
fn plot(_: &PlotArgs) -> Result<u8, Error> {
    Err(needs_feature("plot", "draw plots"))
}

/// Without the `kafka` feature a run can only be a dry run.
#[cfg(not(feature = "kafka"))]
fn kafka_command(_: &RunArgs, _: &Scenario, _: Plan, _: Sources, _: &Truth) -> Result<u8, Error> {
    Err(needs_feature(
        "kafka",
        "send to Kafka; print the plan with --dry-run",
    ))
}

/// What a binary built without `feature` says when asked to `what`.
#[cfg_attr(all(feature = "kafka", feature = "plot"), allow(dead_code))]
fn needs_feature(feature: &str, what: &str) -> Error {
    Error::Usage(format!(
        "this simulate was built without the `{feature}` feature and cannot {what}; \
         build it with the default features (cargo build --release --locked)"
    ))
}
