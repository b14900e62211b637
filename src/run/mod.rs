//! What each command does, and the mapping of outcomes to exit codes: the edge where the
//! pipeline is assembled. A run loads and validates the scenario, then replays its plan
//! into a sink ([`dry_run`]: stdout; [`kafka`]: a topic) and reports.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::Utc;

use crate::cli::{Cli, Command, DryRunFormat, PlotArgs, ReportCommand, RunArgs};
use crate::error::{self, Error};
use crate::output::{Pending, Truth};
use crate::plan::Plan;
use crate::report::Report;
use crate::scenario::validate::SchemaFormat;
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
            protobuf,
            json_schema,
            scenario: Some(path),
            ..
        }) => {
            let format = match (*avro, *protobuf, *json_schema) {
                (true, _, _) => Some(SchemaFormat::Avro),
                (_, true, _) => Some(SchemaFormat::Protobuf),
                (_, _, true) => Some(SchemaFormat::JsonSchema),
                _ => None,
            };
            match (load(path, &Overrides::default()), format) {
                (Ok(scenario), Some(format)) => registry::codecs(&scenario)
                    .and_then(|codecs| render::schemas_text(&scenario, &codecs, format))
                    .and_then(|s| print(&s)),
                (Ok(scenario), None) => print(&schema::event_for(&scenario)),
                (Err(diagnostics), _) => Err(Error::Invalid(diagnostics)),
            }
        }
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
        Some(Command::Verify(args)) => verify_command(args),
        Some(Command::Record(args)) => record_command(args),
        Some(Command::Score(args)) => load(&args.scenario, &args.plan.overrides())
            .map_err(Error::Invalid)
            .and_then(|scenario| score_command(args, scenario)),
        Some(Command::Fit(args)) => fit::fit_command(args),
        Some(Command::Broker(args)) => broker_topics(args).and_then(|topics| broker(args, &topics)),
        Some(Command::Registry(args)) => registry::serve(args),
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

/// The topics `simulate broker` creates: those of `--for SCENARIO` (validated), then
/// each `--topic` not among them.
fn broker_topics(args: &crate::cli::BrokerArgs) -> Result<Vec<String>, Error> {
    let mut topics: Vec<String> = Vec::new();
    if let Some(path) = &args.scenario {
        let scenario = load(path, &Overrides::default()).map_err(Error::Invalid)?;
        topics.extend(scenario.topics().iter().map(|t| t.to_string()));
    }
    for topic in &args.topics {
        if !topics.contains(topic) {
            topics.push(topic.clone());
        }
    }
    Ok(topics)
}

fn run_scenario(args: &RunArgs) -> Result<u8, Error> {
    let Some(path) = &args.scenario else {
        return Err(Error::Usage(crate::cli::no_scenario_advice(&args.typed)));
    };
    let mut scenario = scenario::load_file(path, &args.overrides()).map_err(Error::Invalid)?;
    let mut codecs = registry::codecs(&scenario)?;
    if !args.quiet {
        warn(&scenario);
    }
    // A dry run sends nothing: its properties (and their secret files) are not read.
    let given = Given {
        file: args.cluster.properties_file.as_deref(),
        env: &args.cluster.env_properties,
        flags: &args.cluster.properties,
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
        if args.encoded {
            if let Some((url, source)) = registry::given_url(&args.cluster, &scenario) {
                let mut client = registry::client(url, source, &scenario)?;
                registry::resolve(&scenario, &mut codecs, &mut client, false, true)?;
            }
        }
        if !registry::all_known(&codecs) && args.encoded {
            return Err(Error::Usage("a stream's schema is named by `schema: {id}` or `{subject}`, which only the registry holds: give --schema-registry URL (or SCHEMA_REGISTRY_URL) to print its encoded values".into()));
        }
        return dry_run_command(args, &scenario, &codecs, plan, &truth);
    }
    kafka_command(args, &scenario, codecs, plan, sources, &truth)
}

/// `--dry-run`: the plan printed to stdout (and the truth written).
fn dry_run_command(
    args: &RunArgs,
    scenario: &Scenario,
    codecs: &crate::encode::codec::Codecs,
    plan: Plan,
    truth: &Truth,
) -> Result<u8, Error> {
    let format = match args.format.unwrap_or(DryRunFormat::Values) {
        DryRunFormat::Values => Format::Values,
        DryRunFormat::Plan => Format::Plan,
    };
    let start = scenario.start.unwrap_or_else(Utc::now);
    let printed = match args.encoded {
        true => render::encoded_dry_run(scenario, codecs, plan, start, args.quiet),
        false => stdout::dry_run_plan(scenario, plan, start, format, codecs, io::stdout().lock()),
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
mod check;
mod fit;
#[cfg(feature = "kafka")]
mod latency;
mod loading;
mod record;
mod registry;
#[cfg(feature = "kafka")]
mod send;

use check::{score_command, verify_command};
pub(crate) use loading::load;
#[cfg(not(all(feature = "kafka", feature = "plot")))]
use loading::needs_feature;
use loading::{ids_clash, warn};
use record::record_command;

#[cfg(feature = "kafka")]
pub use send::kafka;
#[cfg(feature = "kafka")]
use send::{broker, kafka_command};

/// Without the `kafka` feature there is no embedded cluster to serve.
#[cfg(not(feature = "kafka"))]
fn broker(_: &crate::cli::BrokerArgs, _: &[String]) -> Result<u8, Error> {
    Err(needs_feature("kafka", "serve the embedded Kafka cluster"))
}

/// Without the `plot` feature there is nothing to draw with.
#[cfg(not(feature = "plot"))]
fn plot(_: &PlotArgs) -> Result<u8, Error> {
    Err(needs_feature("plot", "draw plots"))
}

/// Without the `kafka` feature a run can only be a dry run.
#[cfg(not(feature = "kafka"))]
fn kafka_command(
    _: &RunArgs,
    _: &Scenario,
    _: crate::encode::codec::Codecs,
    _: Plan,
    _: Sources,
    _: &Truth,
) -> Result<u8, Error> {
    Err(needs_feature(
        "kafka",
        "send to Kafka; print the plan with --dry-run",
    ))
}
