//! Helpers shared by the integration tests; the CLI test builder is in `builder.rs`.

mod builder;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};

use chrono::{DateTime, Utc};
use simulate::scenario::{self, Overrides, Scenario, Source};
use simulate::sink::stdout::Format;

pub use builder::{Running, Test};

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

/// One planned message: key, value, and Kafka timestamp (ms).
pub type Planned = (Option<String>, String, i64);

/// The dry-run plan of `scenario` from the fixed start as [`Planned`] messages, in plan
/// order.
pub fn plan_of(scenario: &Scenario) -> Vec<Planned> {
    let plan = render(scenario, Format::Plan);
    let values = render(scenario, Format::Values);
    plan.lines()
        .zip(values.lines())
        .map(|(p, v)| {
            let p: serde_json::Value = serde_json::from_str(p).unwrap();
            (
                p["key"].as_str().map(str::to_string),
                v.to_string(),
                p["timestamp_ms"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// One message as a test's consumer read it back, whichever client that was: key, value
/// (a null value reads as empty: the `empty` malformation), Kafka timestamp (ms) and
/// partition.
pub type Landed<'a> = (Option<&'a str>, &'a str, i64, i32);

/// The topic holds exactly the plan: every planned message once, values byte-identical,
/// Kafka timestamps equal, in plan order per key, each key on one partition, and no key
/// the plan does not have.
pub fn assert_topic_holds_plan<'a>(read: impl IntoIterator<Item = Landed<'a>>, plan: &[Planned]) {
    let read: Vec<Landed> = read.into_iter().collect();
    assert_eq!(
        read.len(),
        plan.len(),
        "read {} messages for {} planned",
        read.len(),
        plan.len()
    );
    let mut want: BTreeMap<Option<&str>, Vec<(&str, i64)>> = BTreeMap::new();
    for (k, v, t) in plan {
        want.entry(k.as_deref()).or_default().push((v, *t));
    }
    let mut got: BTreeMap<Option<&str>, Vec<(&str, i64)>> = BTreeMap::new();
    let mut partition_of: BTreeMap<Option<&str>, i32> = BTreeMap::new();
    for &(key, value, timestamp, partition) in &read {
        got.entry(key).or_default().push((value, timestamp));
        let p = *partition_of.entry(key).or_insert(partition);
        assert_eq!(p, partition, "key {key:?} is on two partitions");
    }
    for (key, messages) in &want {
        assert!(
            got.get(key) == Some(messages),
            "key {key:?}: the topic differs from the plan"
        );
    }
    assert_eq!(got.len(), want.len(), "unexpected keys in the topic");
}

/// A message with its headers: value, Kafka timestamp (ms), and headers in order (name,
/// value; a null value as `None`).
pub type WithHeaders = (String, i64, Vec<(String, Option<String>)>);

/// Each of `topics` holds exactly its streams' part of the dry-run plan of `scenario`:
/// per key, the same values, timestamps and headers in plan order. `read(topic, count)`
/// reads the `count` messages planned for `topic` back as (key, message). At least one
/// planned message has headers.
pub fn assert_topics_hold_plan(
    scenario: &Scenario,
    topics: &[&str],
    mut read: impl FnMut(&str, usize) -> Vec<(Option<String>, WithHeaders)>,
) {
    let mut want: BTreeMap<(String, Option<String>), Vec<WithHeaders>> = BTreeMap::new();
    let (plan, values) = (
        render(scenario, Format::Plan),
        render(scenario, Format::Values),
    );
    for (p, v) in plan.lines().zip(values.lines()) {
        let p: serde_json::Value = serde_json::from_str(p).unwrap();
        let headers = p
            .get("headers")
            .and_then(|h| h.as_object())
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
                    .collect()
            })
            .unwrap_or_default();
        want.entry((
            p["topic"].as_str().unwrap().to_string(),
            p["key"].as_str().map(str::to_string),
        ))
        .or_default()
        .push((v.to_string(), p["timestamp_ms"].as_i64().unwrap(), headers));
    }
    let mut got: BTreeMap<(String, Option<String>), Vec<WithHeaders>> = BTreeMap::new();
    for &topic in topics {
        let count = want
            .iter()
            .filter(|((t, _), _)| t == topic)
            .map(|(_, m)| m.len())
            .sum();
        for (key, message) in read(topic, count) {
            got.entry((topic.to_string(), key))
                .or_default()
                .push(message);
        }
    }
    assert!(
        want.values().any(|m| !m[0].2.is_empty()),
        "no headers planned"
    );
    assert_eq!(got, want);
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
pub fn under_terminal<K: AsRef<OsStr>, V: AsRef<OsStr>>(command: &str, envs: &[(K, V)]) -> Output {
    Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs")
}
