//! `simulate record` against a real, independent broker (Tansu in CI): what it writes is
//! what an independent client (kafka-python) reads from the same topic, and a recording
//! replayed from its first instant into another topic and recorded again is the same
//! recording. Compiled as ignored without `SIMULATE_TEST_BROKER` (see real_broker.rs).

use serde_json::{Value, json};

use crate::common::*;
use crate::real_broker::{create_topic, env, read_back, unique_topic};
use crate::replay::{Partitions, by_partition, record};

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn a_real_topic_is_recorded_as_kafka_python_reads_it_and_replays_to_the_same_recording() {
    let env = env();
    let dir = tempfile::tempdir().unwrap();
    let (original, copy) = (unique_topic("recorded"), unique_topic("replayed"));
    create_topic(&env, &env.broker, &original, 3);
    create_topic(&env, &env.broker, &copy, 3);
    // Detections and heartbeats, keys and headers, both streams into one topic.
    let source = std::fs::read_to_string(root().join("scenarios/detections.yaml"))
        .unwrap()
        .replace("topic: detections", &format!("topic: {original}"))
        .replace("topic: heartbeats", &format!("topic: {original}"));
    let scenario = dir.path().join("source.yaml");
    std::fs::write(&scenario, source).unwrap();
    Test::new()
        .arg(&scenario)
        .args(["-b", &env.broker, "--max-speed", "--duration", "2m"])
        .args(["--start", "2026-01-01T08:00:00Z"])
        .status(0)
        .run();
    let first = dir.path().join("first.jsonl");
    record(&env.broker, &original, &first);
    let recorded = by_partition(&first);
    let count: usize = recorded.values().map(Vec::len).sum();
    assert!(count > 50, "{count} messages recorded");

    // kafka-python's view of the same topic, in the recording's shape.
    let mut independent = Partitions::new();
    for m in read_back(&env, &env.broker, &original, count) {
        let headers: Vec<Value> = m.headers.iter().map(|(n, v)| json!([n, v])).collect();
        independent
            .entry(i64::from(m.partition))
            .or_default()
            .push((
                json!(m.key),
                Value::Array(headers),
                json!(m.value),
                m.timestamp,
            ));
    }
    assert_eq!(
        recorded, independent,
        "the recording is not what kafka-python read"
    );

    // A window by message time (each partition started from the offset
    // offsetsForTimes gives): exactly the messages stamped in it.
    let window = dir.path().join("window.jsonl");
    Test::new()
        .args(["record", "-b", &env.broker, "--topic", &original])
        .args([
            "--since",
            "2026-01-01T08:00:30Z",
            "--until",
            "2026-01-01T08:01:30Z",
        ])
        .args(["--idle-timeout", "3s", "-o"])
        .arg(&window)
        .status(0)
        .run();
    let (since, until) = (1_767_254_430_000, 1_767_254_490_000);
    let mut inside = recorded.clone();
    for messages in inside.values_mut() {
        messages.retain(|m| (since..until).contains(&m.3));
    }
    inside.retain(|_, messages| !messages.is_empty());
    assert!(inside.values().map(Vec::len).sum::<usize>() > 20);
    assert_eq!(by_partition(&window), inside, "the window --since..--until");

    // Replayed from the first recorded instant into another topic, recorded again:
    // values, keys, headers, timestamps (so gaps) and per-partition order identical.
    let first_ms = recorded.values().flatten().map(|m| m.3).min().unwrap();
    let start = chrono::DateTime::from_timestamp_millis(first_ms)
        .unwrap()
        .to_rfc3339();
    let replay = dir.path().join("replay.yaml");
    std::fs::write(
        &replay,
        format!(
            "duration: 1h\ntopic: {copy}\nstreams:\n  - name: again\n    replay: {{file: {}, timing: original, keep: [key, headers, partition]}}\n",
            first.display()
        ),
    )
    .unwrap();
    Test::new()
        .arg(&replay)
        .args(["-b", &env.broker, "--max-speed", "--start", &start])
        .status(0)
        .run();
    let again = dir.path().join("again.jsonl");
    record(&env.broker, &copy, &again);
    assert_eq!(
        by_partition(&again),
        recorded,
        "the replay recorded again differs"
    );
}
