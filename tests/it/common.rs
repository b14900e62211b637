//! Helpers shared by the integration tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

use chrono::{DateTime, Utc};
use simulate::scenario::{self, Overrides, Scenario, Source};
use simulate::sink::stdout::Format;

/// The fixed start every golden plan uses.
pub const START: &str = "2026-01-01T00:00:00Z";

pub fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(START)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a scenario from text, panicking with the rendered diagnostics if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    try_scenario(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a scenario from text; the error is the rendered diagnostics.
pub fn try_scenario(text: &str) -> Result<Scenario, String> {
    let source = Source {
        name: "test.yaml".into(),
        text: text.into(),
    };
    scenario::load_source(&source, "test", &Overrides::default())
        .map_err(|d| scenario::render_all(&d))
}

/// Renders a scenario's whole plan in `format` from the fixed start.
pub fn render(scenario: &Scenario, format: Format) -> String {
    let mut out = Vec::new();
    simulate::run::dry_run(scenario, start(), format, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Runs the real binary with `args` from the crate root.
pub fn simulate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_simulate"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the simulate binary runs")
}

/// Every example scenario, sorted by name.
pub fn example_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "the example scenarios are missing");
    files
}

pub fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// A process's stderr as text.
pub fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Starts the binary and waits (bounded) for the line saying the schedule started.
/// The caller waits for the child.
#[allow(clippy::zombie_processes)]
pub fn spawn_until_sending(args: &[&str]) -> (Child, BufReader<ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_simulate"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the run ended before sending"
        );
        if line.contains("simulate: sending") {
            return (child, stderr);
        }
    }
}

/// The Kolmogorov–Smirnov statistic of the sample `xs` against the CDF `cdf`.
pub fn ks_statistic(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())
        })
        .fold(0.0, f64::max)
}

/// The KS critical value at α = 0.001 for a sample of `n`: 1.949/√n.
pub fn ks_critical(n: usize) -> f64 {
    1.949 / (n as f64).sqrt()
}

/// Runs the shell command line `command` from the crate root under a pseudo-terminal
/// (`script`, util-linux), with `envs` added to its environment: stdout holds what the
/// terminal showed, stderr included.
pub fn under_terminal(command: &str, envs: &[(&str, &str)]) -> Output {
    Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .envs(envs.iter().copied())
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs")
}
