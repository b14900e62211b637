//! End-to-end latency (`--latency`, `--latency-topic T --latency-field F`): against the
//! embedded cluster every message sent is matched (planned duplicates and malformed
//! values included), the figures are ordered, the report's section merges across shards
//! and is drawn; against a real broker (Tansu, gated: real_broker.rs) the same, and
//! through a pipeline that holds each message 200 ms (tests/e2e/delay_pipeline.py) the
//! median is that delay within 20 %.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::*;
use crate::real_broker::{create_topic, env, unique_topic};

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The report's latency section: every message sent matched once, nothing else, and
/// p50 ≤ p90 ≤ p99 ≤ max; returns the section.
fn assert_every_sent_message_matched(report: &Value) -> &Value {
    let l = &report["e2e_latency"];
    let n = |k: &str| l[k].as_u64().unwrap_or_else(|| panic!("no {k} in {l}"));
    let sent = report["sent"].as_u64().unwrap();
    assert!(sent > 0, "{report}");
    assert_eq!(n("tracked"), sent, "{l}");
    assert_eq!(n("matched"), sent, "{l}");
    assert_eq!(l["latency"]["samples"].as_u64(), Some(sent), "{l}");
    assert_eq!((n("unseen"), n("unmatched")), (0, 0), "{l}");
    let f = |k: &str| l["latency"][k].as_f64().unwrap();
    assert!(f("p50_us") > 0.0, "{l}");
    assert!(
        f("p50_us") <= f("p90_us") && f("p90_us") <= f("p99_us") && f("p99_us") <= f("max_us"),
        "{l}"
    );
    let counted: u64 = l["histogram"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b[1].as_u64().unwrap())
        .sum();
    assert_eq!(counted, sent, "the histogram holds every sample");
    l
}

/// The example with faults (a duplicate shares its original's fingerprint, a malformed
/// value is matched by its bytes) against the embedded cluster; the report is drawn.
#[test]
fn latency_on_the_embedded_cluster_matches_every_message_sent() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    Test::new()
        .line("scenarios/dirty.yaml --latency --max-speed --duration 5m --report")
        .arg(&report)
        .status(0)
        .stderr_contains("end-to-end latency (produce → consume): p50 ")
        .run();
    let r = read_json(&report);
    assert!(r["duplicate"].as_u64().unwrap() > 0 && r["malformed"].as_u64().unwrap() > 0);
    let l = assert_every_sent_message_matched(&r);
    assert_eq!(l["topic"], Value::Null);
    assert_eq!(l["fetch_wait_ms"], 10);
    let svg = dir.path().join("r.svg");
    Test::new()
        .args(["plot", "--report"])
        .arg(&report)
        .arg("-o")
        .arg(&svg)
        .status(0);
    let drawn = std::fs::read_to_string(&svg).unwrap();
    for want in [
        "end-to-end latency (produce → consume)",
        "end-to-end latency, matched messages",
    ] {
        assert!(drawn.contains(want), "no `{want}` in the plot");
    }
}

/// Shards that measured latency merge into one section: counts summed, percentiles of
/// all the samples; a shard without it does not merge with one that has it.
#[test]
fn latency_sections_of_shards_merge() {
    let dir = tempfile::tempdir().unwrap();
    let path = |k: u32| dir.path().join(format!("shard-{k}.json"));
    for k in 0..2 {
        Test::new()
            .line("scenarios/default.yaml --latency --max-speed --quiet --start")
            .args([START, "--shard", &format!("{k}/2"), "--report"])
            .arg(path(k))
            .status(0);
    }
    let total = dir.path().join("total.json");
    Test::new()
        .args(["report", "merge"])
        .arg(path(0))
        .arg(path(1))
        .arg("--report")
        .arg(&total)
        .status(0)
        .stderr_contains("end-to-end latency (produce → consume)");
    let merged = read_json(&total);
    assert_eq!(merged["sent"], 341);
    assert_every_sent_message_matched(&merged);
    let shards: Vec<Value> = (0..2).map(|k| read_json(&path(k))).collect();
    let max = shards
        .iter()
        .map(|s| s["e2e_latency"]["latency"]["max_us"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert_eq!(
        merged["e2e_latency"]["latency"]["max_us"].as_f64(),
        Some(max)
    );

    let without = dir.path().join("without.json");
    Test::new()
        .line("scenarios/default.yaml --max-speed --quiet --shard 1/2 --start")
        .arg(START)
        .arg("--report")
        .arg(&without)
        .status(0);
    Test::new()
        .args(["report", "merge"])
        .arg(path(0))
        .arg(&without)
        .status(2)
        .stderr_contains("one measured end-to-end latency (--latency)");
}

/// A pipeline's output topic that the cluster does not have is an error before the
/// schedule begins, named.
#[test]
fn a_latency_topic_that_does_not_exist_is_named() {
    Test::new()
        .line("scenarios/default.yaml --duration 5s --max-speed")
        .line("--latency-topic no-such-topic --latency-field event_id")
        .status(1)
        .stderr_contains(
            "error: the latency consumer finds no partitions of topic `no-such-topic` on the cluster",
        )
        .stderr_lacks("default: ")
        .run();
}

/// `--latency` against a real broker: every message sent is matched.
#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn latency_on_a_real_broker_matches_every_message_sent() {
    let env = env();
    let topic = unique_topic("latency");
    create_topic(&env, &env.broker, &topic, 3);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    Test::new()
        .line("scenarios/dirty.yaml --latency --speed 20 --duration 1m --report")
        .arg(&report)
        .args(["--bootstrap-servers", &env.broker, "--topic", &topic])
        .status(0)
        .run();
    assert_every_sent_message_matched(&read_json(&report));
}

/// Through a pipeline that holds each message 200 ms after it received it: the median
/// end-to-end latency is 200 ms within 20 % (the rest is two trips through the broker),
/// and every message sent is matched by its `event_id`.
#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn latency_through_a_pipeline_shows_the_delay_it_adds() {
    let env = env();
    let (input, output) = (unique_topic("delay-in"), unique_topic("delay-out"));
    for topic in [&input, &output] {
        create_topic(&env, &env.broker, topic, 3);
    }
    // 30 s of the default plan at 5x: 6 s, about 55 messages, each sent on its own.
    let line = "scenarios/default.yaml --duration 30s --start 2026-01-01T00:00:00Z";
    let dry = Test::new().line(line).arg("--dry-run").status(0).run();
    let planned = String::from_utf8_lossy(&dry.stdout).lines().count();
    let mut pipeline = Command::new(&env.python)
        .arg(root().join("tests/e2e/delay_pipeline.py"))
        .args(["--bootstrap", &env.broker, "--input", &input])
        .args(["--output", &output, "--delay-ms", "200"])
        .args(["--expect", &planned.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(pipeline.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "ready", "the pipeline did not start");
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    Test::new()
        .line(line)
        .args(["--speed", "5"])
        .args(["--bootstrap-servers", &env.broker, "--topic", &input])
        .args(["--latency-topic", &output, "--latency-field", "event_id"])
        .arg("--report")
        .arg(&report)
        .status(0)
        .stderr_contains(format!(
            "end-to-end latency (through `{output}`, matched by `event_id`)"
        ))
        .run();
    let _ = pipeline.kill();
    let _ = pipeline.wait();
    let r = read_json(&report);
    assert_eq!(r["sent"].as_u64(), Some(planned as u64));
    let l = assert_every_sent_message_matched(&r);
    assert_eq!(l["without_field"], 0);
    let p50_ms = l["latency"]["p50_us"].as_f64().unwrap() / 1e3;
    assert!(
        (160.0..=240.0).contains(&p50_ms),
        "p50 {p50_ms} ms is not within 20 % of the 200 ms the pipeline adds: {l}"
    );
}
