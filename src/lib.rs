//! `simulate` turns a declarative YAML scenario into a deterministic, time-ordered plan of
//! camera events and replays it into Kafka, or prints it.
//!
//! The pipeline flows one way, one module per arrow:
//! scenario file → [`scenario::load`] → [`scenario::validate`] → [`plan::Plan`] (lazy,
//! ordered events) → a sink ([`sink::stdout`]) → exit code.
//!
//! The planner is pure: a function of the validated scenario (its seed included) that
//! reads no clock and does no I/O; the start instant is applied when events are rendered.

pub mod cli;
pub mod error;
pub mod plan;
pub mod scenario;
pub mod sink;

use std::io::{self, Write};
use std::process::ExitCode;

use chrono::Utc;

use cli::{Cli, Command, RunArgs};
pub use error::Error;
use scenario::Overrides;

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
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(error.exit_code())
        }
    }
}

fn run_scenario(args: &RunArgs) -> Result<(), Error> {
    let Some(path) = &args.scenario else {
        return Err(Error::Usage(
            "no scenario given; try `simulate scenarios/default.yaml --dry-run` (see --help)"
                .into(),
        ));
    };
    let scenario = scenario::load_file(path, &args.overrides()).map_err(Error::Invalid)?;
    if !args.dry_run {
        return Err(Error::Usage(
            "only --dry-run is available in this build: the Kafka sink is not there yet".into(),
        ));
    }
    let start = scenario.start.unwrap_or_else(Utc::now);
    let mut renderer = plan::Renderer::new(&scenario, start);
    let format = args.format.unwrap_or(sink::stdout::Format::Values);
    let stdout = io::stdout().lock();
    match sink::stdout::write_events(plan::Plan::new(&scenario), &mut renderer, format, stdout) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(e)),
    }
}

fn validate(files: &[std::path::PathBuf]) -> Result<(), Error> {
    let mut failed = 0usize;
    let mut out = io::stdout().lock();
    for path in files {
        match scenario::load_file(path, &Overrides::default()) {
            Ok(s) => {
                let cameras: usize = s.streams.iter().map(|st| st.cameras.len()).sum();
                let processes: usize = s.streams.iter().map(|st| st.processes.len()).sum();
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
                eprintln!("{}\n", error::render_all(&diagnostics));
            }
        }
    }
    let _ = out.flush();
    if failed > 0 {
        return Err(Error::Invalid(vec![error::Diagnostic::new(format!(
            "{failed} of {} file{} invalid",
            files.len(),
            if files.len() == 1 { " is" } else { "s are" }
        ))]));
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn print(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Output(e)),
        _ => Ok(()),
    }
}

/// The JSON Schemas this tool publishes, generated from its types.
pub mod schema {
    use schemars::generate::SchemaSettings;

    /// The schema of scenario files (draft-07, which yaml-language-server reads).
    pub fn scenario() -> String {
        render(
            SchemaSettings::draft07()
                .into_generator()
                .into_root_schema_for::<crate::scenario::model::ScenarioFile>(),
        )
    }

    /// The schema of one event payload (the Kafka message value).
    pub fn event() -> String {
        render(
            SchemaSettings::draft07()
                .into_generator()
                .into_root_schema_for::<crate::plan::event::Payload>(),
        )
    }

    fn render(schema: schemars::Schema) -> String {
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }
}
