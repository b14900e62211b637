//! An embedded cluster a user's own pipeline can use: `simulate broker` (served at a
//! chosen loopback port until Ctrl-C) and `--keep-broker` (the run's cluster kept
//! serving after the read-back); and the format reference's scoring snippet run as
//! printed against `simulate broker`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};

use crate::common::*;

/// The first line `child` prints on stdout (the bootstrap servers), within 60 s.
fn first_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("no bootstrap servers printed within 60 s");
    line.trim().to_string()
}

/// Messages `topic` holds at `bootstrap`: the sum of its partitions' high watermarks.
fn held(bootstrap: &str, topic: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let partitions = metadata.topics()[0].partitions().len() as i32;
    assert!(partitions > 0, "topic `{topic}` has no partitions");
    (0..partitions)
        .map(|p| {
            consumer
                .fetch_watermarks(topic, p, Duration::from_secs(10))
                .unwrap()
                .1
        })
        .sum()
}

/// A process that serves until interrupted: killed when dropped, so that a failing test
/// leaves no broker behind.
pub(crate) struct Serving(pub(crate) Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends SIGINT to the process and returns its exit code.
pub(crate) fn interrupt(mut serving: Serving) -> Option<i32> {
    let killed = Command::new("kill")
        .args(["-INT", &serving.0.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    serving.0.wait().unwrap().code()
}

/// `simulate` with `args`, its stdout piped, until it prints the bootstrap servers it
/// serves at: the process and that line.
pub(crate) fn serving(args: &[&str]) -> (Serving, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_simulate"))
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut serving = Serving(child);
    let address = first_line(&mut serving.0);
    (serving, address)
}

/// `simulate broker` with `args`; and the address it serves at.
fn broker(args: &str) -> (Serving, String) {
    let mut words = vec!["broker"];
    words.extend(args.split_whitespace());
    serving(&words)
}

/// A run sent to `simulate broker` lands there whole: the topic it created from the
/// scenario holds every planned message; Ctrl-C ends the broker with exit 0.
#[test]
fn simulate_broker_serves_a_cluster_a_run_sends_to() {
    let (child, address) = broker("--port 0 --for scenarios/dirty.yaml --partitions 2");
    assert!(address.starts_with("127.0.0.1:"), "{address}");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    Test::new()
        .args([
            "scenarios/dirty.yaml",
            "-b",
            &address,
            "--max-speed",
            "--quiet",
        ])
        .args(["--start", START, "--report"])
        .arg(&report)
        .status(0)
        .run();
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let messages = r["planned_messages"].as_i64().unwrap();
    assert!(messages > 1000, "{r}");
    assert_eq!(r["delivered"].as_i64(), Some(messages), "{r}");
    // The words of the truth: events planned (drops in, second copies out).
    let dropped = r["drop"].as_i64().unwrap();
    let duplicates = r["duplicate"].as_i64().unwrap();
    assert!(dropped > 0 && duplicates > 0, "{r}");
    assert_eq!(
        r["planned_events"].as_i64(),
        Some(messages + dropped - duplicates)
    );
    assert_eq!(held(&address, "events"), messages);
    assert_eq!(interrupt(child), Some(0));
}

/// A taken port is an error that says how to choose another.
#[test]
fn simulate_broker_on_a_taken_port_says_so() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    Test::new()
        .args(["broker", "--port", &port.to_string()])
        .status(1)
        .stderr_contains(format!(
            "cannot serve the embedded cluster at 127.0.0.1:{port}"
        ))
        .stderr_contains("choose another port with --port (0 picks a free one)")
        .run();
}

/// `--keep-broker`: after the read-back the cluster keeps serving the run's topic (its
/// bootstrap servers on stdout), and Ctrl-C then ends the run with its own exit code.
#[test]
fn keep_broker_serves_the_topic_after_the_run() {
    let (child, bootstrap) = serving(&[
        "scenarios/default.yaml",
        "--max-speed",
        "--keep-broker",
        "--quiet",
        "--start",
        START,
    ]);
    let planned = std::fs::read_to_string(root().join("tests/golden/default.plan.jsonl"))
        .unwrap()
        .lines()
        .count() as i64;
    assert_eq!(held(&bootstrap, "events"), planned);
    assert_eq!(interrupt(child), Some(0));
}

/// The format reference's scoring snippet, as printed (`localhost:9092` included when
/// that port is free), against `simulate broker --for scenarios/dirty.yaml`.
#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Python with kafka-python: set SIMULATE_TEST_PYTHON (.ci/run does)"
)]
fn the_scoring_snippet_works_against_simulate_broker_as_printed() {
    let python = std::env::var("SIMULATE_TEST_PYTHON").expect("SIMULATE_TEST_PYTHON");
    // Port 9092, as the snippet says, unless something else holds it here.
    let free = std::net::TcpListener::bind("127.0.0.1:9092").is_ok();
    let (child, address) = broker(if free {
        "--for scenarios/dirty.yaml"
    } else {
        "--port 0 --for scenarios/dirty.yaml"
    });
    let dir = tempfile::tempdir().unwrap();
    Test::new()
        .args([
            "scenarios/dirty.yaml",
            "-b",
            &address,
            "--max-speed",
            "--quiet",
        ])
        .args(["--start", START, "--truth"])
        .arg(dir.path().join("truth.json"))
        .status(0)
        .run();
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).unwrap();
    let start = doc
        .find("```python\nimport json, sys")
        .expect("the snippet")
        + 10;
    let mut snippet = doc[start..start + doc[start..].find("```").unwrap()].to_string();
    if !free {
        snippet = snippet.replace("localhost:9092", &address);
    }
    let out = Command::new(python)
        .args(["-c", &snippet])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{printed}{}", stderr_of(&out));
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("truth.json")).unwrap()).unwrap();
    let windows = truth["windows"].as_array().unwrap().len();
    let malformed = &truth["totals"]["malformed"];
    assert_eq!(
        printed.trim(),
        format!("{windows} of {windows} windows right; {malformed} malformed (truth: {malformed})")
    );
    assert_eq!(interrupt(child), Some(0));
}
