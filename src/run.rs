//! What each command does, and the mapping of outcomes to exit codes.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;

use crate::cli::{Cli, Command, RunArgs};
use crate::error::{self, Error};
use crate::scenario::{self, Overrides};
use crate::sink::kafka::{self, Control, Settings, config, pacer::Pace};
use crate::{plan, render, schema, sink};

/// Runs the command line and returns the process exit code; errors are printed to stderr.
pub fn run(cli: Cli) -> ExitCode {
    let result = match &cli.command {
        Some(Command::Validate { files }) => validate(files),
        Some(Command::Schema { event }) => print(&if *event {
            schema::event()
        } else {
            schema::scenario()
        }),
        None => run_scenario(&cli.run),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Loads and validates a scenario file, and checks what only the whole plan can tell:
/// that no two arrival processes would share event ids.
pub fn load(
    path: &std::path::Path,
    overrides: &Overrides,
) -> Result<scenario::Scenario, Vec<scenario::Diagnostic>> {
    let scenario = scenario::load_file(path, overrides)?;
    if render::event_ids_clash(&scenario) {
        let mut d = scenario::Diagnostic::new(
            "two arrival processes would share event ids under this seed",
        )
        .field("seed")
        .help("choose another seed");
        d.file = Some(path.display().to_string());
        return Err(vec![d]);
    }
    Ok(scenario)
}

fn run_scenario(args: &RunArgs) -> Result<u8, Error> {
    let Some(path) = &args.scenario else {
        return Err(Error::Usage(no_scenario_advice(&args.typed)));
    };
    let scenario = load(path, &args.overrides()).map_err(Error::Invalid)?;
    if args.dry_run {
        return dry_run(&scenario, args).map(|()| error::EXIT_OK);
    }
    // Fail on an unwritable report path now, not after a three-minute run; the report
    // is written to FILE.tmp and renamed, so FILE is never left half-written or empty.
    let report_file = match &args.report {
        Some(path) => {
            let tmp = tmp_path(path);
            // Invalid input (exit 2): the path given cannot be written, nothing has run yet.
            let file = std::fs::File::create(&tmp).map_err(|e| {
                Error::Usage(format!(
                    "cannot write the report to {}: {}; choose a path in a writable directory",
                    path.display(),
                    io_reason(&e)
                ))
            })?;
            Some((path, tmp, file))
        }
        None => None,
    };
    let settings = Settings {
        brokers: config::brokers(
            args.bootstrap_servers.as_deref(),
            args.env_bootstrap_servers.as_deref(),
            scenario.kafka.bootstrap_servers.as_deref(),
            args.embedded_broker,
        ),
        properties: args.properties.clone(),
        pace: match (args.max_speed, args.speed) {
            (true, _) => Pace::Max,
            (false, speed) => Pace::Speed(speed.unwrap_or(1.0)),
        },
        connect_timeout: std::time::Duration::from_nanos(args.connect_timeout.0),
        flush_timeout: std::time::Duration::from_nanos(args.flush_timeout.0),
        partitions: args.partitions,
        quiet: args.quiet,
        progress: true,
    };
    let control = Control::default();
    install_signal_handler(&control.stop, args.quiet);
    let result = kafka::run(&scenario, &settings, &control);
    let report = match (result, &report_file) {
        (Ok(report), _) => report,
        (Err(e), Some((_, tmp, _))) => {
            let _ = std::fs::remove_file(tmp);
            return Err(e);
        }
        (Err(e), None) => return Err(e),
    };
    if !args.quiet {
        eprint!("{}", report.summary());
    }
    if let Some((path, tmp, file)) = report_file {
        serde_json::to_writer_pretty(io::BufWriter::new(file), &report)
            .map_err(|e| report_error(path, &e))?;
        std::fs::rename(&tmp, path).map_err(|e| report_error(path, &e))?;
    }
    outcome(&report)
}

/// The exit code a finished run earns, or the error that explains why it failed.
fn outcome(report: &crate::report::Report) -> Result<u8, Error> {
    if !report.accounted() {
        return Err(Error::Runtime(format!(
            "delivery accounting does not add up: {} delivered + {} failed + {} undelivered + {} not sent ≠ {} planned",
            report.delivered, report.failed, report.undelivered, report.not_sent, report.planned
        )));
    }
    if report.interrupted {
        return Ok(error::EXIT_INTERRUPTED);
    }
    let mut why = if !report.all_delivered() {
        format!(
            "{} of {} planned events were not delivered",
            report.planned.saturating_sub(report.delivered),
            report.planned
        )
    } else if report.verified == Some(false) {
        format!(
            "reading the topic back: {}",
            report.verification.as_deref().unwrap_or("failed")
        )
    } else {
        return Ok(error::EXIT_OK);
    };
    if !report.first_errors.is_empty() {
        why.push_str(&format!(
            "; first errors: {}",
            report.first_errors.join("; ")
        ));
    }
    Err(Error::Runtime(why))
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

fn tmp_path(path: &std::path::Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// An I/O error in words, without the `(os error N)` suffix.
fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}

fn report_error(path: &std::path::Path, e: &dyn std::fmt::Display) -> Error {
    Error::Runtime(format!(
        "cannot write the report to {}: {e}",
        path.display()
    ))
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

fn dry_run(scenario: &scenario::Scenario, args: &RunArgs) -> Result<(), Error> {
    let start = scenario.start.unwrap_or_else(Utc::now);
    let mut renderer = render::Renderer::new(scenario, start);
    let format = args.format.unwrap_or(sink::stdout::Format::Values);
    let stdout = io::stdout().lock();
    match sink::stdout::write_events(plan::Plan::new(scenario), &mut renderer, format, stdout) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(e)),
    }
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
        return Err(Error::Invalid(vec![scenario::Diagnostic::new(format!(
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
