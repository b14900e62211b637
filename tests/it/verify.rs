//! `simulate verify` against librdkafka's mock cluster, filled by a producer of the
//! test's own (not simulate's): a topic that holds exactly the plan verifies; a topic
//! where the test deleted, duplicated, altered, reordered, moved and injected messages
//! has each problem found, counted exactly and exemplified, and exits 1.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::common::*;

/// 341 events of cameras 1000–1002, keyed by camera: the default scenario, fixed start.
fn scenario_file(dir: &std::path::Path, topic: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/default.yaml"))
        .unwrap()
        .replace("topic: events", &format!("topic: {topic}"));
    let file = dir.join("s.yaml");
    std::fs::write(&file, format!("start: {START}\n{text}")).unwrap();
    file
}

/// Produces `messages` (key, value, timestamp, partition) to `topic`, in order.
fn produce(bootstrap: &str, topic: &str, messages: &[(Option<String>, String, i64, i32)]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    for (key, value, ts, partition) in messages {
        let mut record = BaseRecord::to(topic)
            .payload(value.as_bytes())
            .timestamp(*ts)
            .partition(*partition);
        if let Some(k) = key {
            record = record.key(k.as_bytes());
        }
        producer.send(record).map_err(|(e, _)| e).unwrap();
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(10)).unwrap();
}

fn partition_of(key: &Option<String>) -> i32 {
    key.as_deref().map_or(0, |k| k.parse::<i32>().unwrap() % 3)
}

fn verify(
    file: &std::path::Path,
    bootstrap: &str,
    report: &std::path::Path,
    status: i32,
) -> serde_json::Value {
    Test::new()
        .arg("verify")
        .arg(file)
        .args([
            "-b",
            bootstrap,
            "--start",
            START,
            "--idle-timeout",
            "3s",
            "--report",
        ])
        .arg(report)
        .status(status)
        .run();
    serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap()
}

#[test]
fn a_topic_holding_the_plan_verifies_and_each_tampering_is_counted_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = MockCluster::new(3).unwrap();
    let bootstrap = cluster.bootstrap_servers();
    cluster.create_topic("clean", 3, 3).unwrap();
    cluster.create_topic("tampered", 3, 3).unwrap();
    let clean_file = scenario_file(dir.path(), "clean");
    let plan = plan_of(&scenario(&std::fs::read_to_string(&clean_file).unwrap()));
    assert_eq!(plan.len(), 341);
    let exact: Vec<_> = plan
        .iter()
        .map(|(k, v, t)| (k.clone(), v.clone(), *t, partition_of(k)))
        .collect();
    produce(&bootstrap, "clean", &exact);
    let report = verify(&clean_file, &bootstrap, &dir.path().join("clean.json"), 0);
    assert_eq!(report["expected"], 341);
    assert_eq!(report["found_exactly_once"], 341);
    for kind in [
        "missing",
        "duplicated",
        "changed",
        "unexpected",
        "reordered",
        "moved_partition",
    ] {
        assert_eq!(report[kind], 0, "{kind}: {report}");
    }

    // The same plan, tampered with: one deleted, one sent twice, one altered, two of one
    // key swapped, one on another partition, one stranger and one from before the start.
    let mut tampered = exact.clone();
    let altered = tampered[30].1.replace("\"camera_id\"", "\"camera_id\" ");
    tampered[30].1 = altered;
    let second = (41..341)
        .find(|&i| tampered[i].0 == tampered[40].0)
        .unwrap();
    tampered.swap(40, second);
    tampered[50].3 = (tampered[50].3 + 1) % 3;
    let twice = tampered[20].clone();
    tampered.insert(21, twice);
    tampered.remove(10);
    let start_ms = start().timestamp_millis();
    tampered.push((
        Some("9999".into()),
        "{\"stranger\":true}".into(),
        start_ms + 1000,
        0,
    ));
    tampered.push((
        Some("1000".into()),
        "{\"old\":true}".into(),
        start_ms - 1000,
        1,
    ));
    // The moved one must be its key's last on the other partition: it is read in no
    // defined order against them, and is not ordered (only counted as moved).
    produce(&bootstrap, "tampered", &tampered);
    let file = scenario_file(dir.path(), "tampered");
    let report = verify(&file, &bootstrap, &dir.path().join("tampered.json"), 1);
    let counts = |k: &str| report[k].as_u64().unwrap();
    assert_eq!(
        (counts("missing"), counts("duplicated"), counts("changed")),
        (1, 1, 1),
        "{report:#}"
    );
    assert_eq!(
        (counts("unexpected"), counts("before_start")),
        (2, 1),
        "{report:#}"
    );
    assert_eq!(
        (counts("reordered"), counts("moved_partition")),
        (1, 1),
        "{report:#}"
    );
    assert_eq!(counts("found_exactly_once"), 341 - 1 - 1 - 1);
    let kinds: Vec<&str> = report["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "missing",
        "duplicated",
        "changed",
        "unexpected",
        "reordered",
        "moved",
    ] {
        assert!(kinds.contains(&kind), "no example of {kind}: {kinds:?}");
    }
    // The missing one is shown as the plan line it should have been.
    let missing = report["examples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "missing")
        .unwrap();
    let line: serde_json::Value =
        serde_json::from_str(missing["planned"].as_str().unwrap()).unwrap();
    assert_eq!(line["timestamp_ms"], plan[10].2);
    // Strangers fail only under --strict; the summary says the counts in words.
    let strict = Test::new()
        .arg("verify")
        .arg(&file)
        .args([
            "-b",
            &bootstrap,
            "--start",
            START,
            "--idle-timeout",
            "3s",
            "--strict",
        ])
        .status(1)
        .run();
    let out = String::from_utf8_lossy(&strict.stdout).into_owned();
    assert!(
        out.starts_with("341 expected, 338 found exactly once, 1 missing, 1 duplicated, 1 changed, 2 unexpected, per-key order broken (1 message)"),
        "{out}"
    );
}

#[test]
fn verify_without_a_start_or_a_cluster_is_invalid_input() {
    Test::new()
        .line("verify scenarios/default.yaml -b 127.0.0.1:1")
        .status(2)
        .stderr_contains("needs the run's start");
    Test::new()
        .line("verify scenarios/dirty.yaml --start 2026-01-01T00:00:00Z")
        .env("KAFKA_BOOTSTRAP_SERVERS", "")
        .status(2)
        .stderr_contains("reads a cluster: give -b");
}
