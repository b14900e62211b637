//! `replay:` streams: a recording played as a stream of the plan, on its recorded
//! timing, with what it keeps as recorded, through outages, faults and shards.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

/// One recorded message as a test writes it.
#[derive(Clone)]
struct Msg {
    partition: i32,
    ts: i64,
    key: Option<&'static str>,
    headers: Vec<(&'static str, &'static str)>,
    payload: String,
}

/// The first recorded instant: 2026-01-01T08:00:00.250Z.
const FIRST_MS: i64 = 1_767_254_400_250;

/// `n` messages over three keys and partitions, gaps of 0 to 1,500 ms (some shared
/// milliseconds), headers on some, a timestamp field in epoch ms.
fn messages(n: usize) -> Vec<Msg> {
    let mut ts = FIRST_MS;
    (0..n)
        .map(|i| {
            // A fixed irregular pattern of gaps, ties included.
            ts += [0, 3, 1_500, 17, 0, 250, 999, 1][i % 8] as i64;
            let key = ["1000", "1001", "cam-2"][i % 3];
            Msg {
                partition: (i % 3) as i32,
                ts,
                key: Some(key),
                headers: if i % 2 == 0 {
                    vec![("source", "lobby"), ("n", "x")]
                } else {
                    vec![]
                },
                payload: format!(r#"{{"seq":{i},"ts":{ts},"camera":"{key}"}}"#),
            }
        })
        .collect()
}

/// The messages in the recording format `simulate record` writes.
fn ours(messages: &[Msg]) -> String {
    messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let headers: Vec<Value> = m
                .headers
                .iter()
                .map(|(k, v)| serde_json::json!([k, v]))
                .collect();
            serde_json::json!({"topic": "events", "partition": m.partition, "offset": i,
                "tstype": "create", "ts": m.ts, "key": m.key, "headers": headers,
                "payload": m.payload})
            .to_string()
                + "\n"
        })
        .collect()
}

/// The messages as `kcat -C -J` writes them: flat headers, a broker field.
fn kcat(messages: &[Msg]) -> String {
    messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let headers: Vec<&str> = m.headers.iter().flat_map(|(k, v)| [*k, *v]).collect();
            let mut line = serde_json::json!({"topic": "events", "partition": m.partition,
                "offset": i, "tstype": "create", "ts": m.ts, "broker": 1, "key": m.key,
                "payload": m.payload});
            if !headers.is_empty() {
                line["headers"] = serde_json::json!(headers);
            }
            line.to_string() + "\n"
        })
        .collect()
}

/// A scenario replaying `file` (in `dir`) with the given `replay:` settings and extra
/// stream fields, written beside it.
fn scenario_in(dir: &Path, replay: &str, extra: &str) -> PathBuf {
    let path = dir.join("replay.yaml");
    let text = format!(
        "name: replay\nduration: 1h\ntopic: replayed\nstreams:\n  - name: morning\n    replay: {replay}\n{extra}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// The `--format plan` lines of a run of `scenario` from `start`, parsed.
fn plan(scenario: &Path, start: &str, more: &[&str]) -> Vec<Value> {
    let out = Test::new()
        .arg(scenario)
        .args(["--dry-run", "--format", "plan", "--start", start])
        .args(more)
        .status(0)
        .run();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const RECORDED_START: &str = "2026-01-01T08:00:00.250Z";

#[test]
fn a_replay_from_the_first_recorded_instant_reproduces_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = messages(400);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let path = scenario_in(dir.path(), "{file: rec.jsonl}", "");
    let lines = plan(&path, RECORDED_START, &[]);
    assert_eq!(lines.len(), recorded.len());
    for (line, m) in lines.iter().zip(&recorded) {
        assert_eq!(line["timestamp_ms"], m.ts, "{line}");
        assert_eq!(line["key"], m.key.unwrap());
        assert_eq!(line["topic"], "replayed");
        let headers: Vec<(String, String)> = line
            .get("headers")
            .and_then(Value::as_object)
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().into()))
                    .collect()
            })
            .unwrap_or_default();
        let want: Vec<(String, String)> = m
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(headers, want);
        assert_eq!(line["value"].to_string(), m.payload);
        // The gap from the first message, to the microsecond (ties a nanosecond apart).
        assert_eq!(line["offset_us"], (m.ts - FIRST_MS) * 1_000);
    }
}

#[test]
fn kcat_output_replays_exactly_as_a_recording_of_ours() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = messages(200);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let a = plan(
        &scenario_in(dir.path(), "{file: rec.jsonl}", ""),
        RECORDED_START,
        &[],
    );
    std::fs::write(dir.path().join("rec.jsonl"), kcat(&recorded)).unwrap();
    let b = plan(
        &scenario_in(dir.path(), "{file: rec.jsonl}", ""),
        RECORDED_START,
        &[],
    );
    assert_eq!(a, b);
}

#[test]
fn loops_and_scaled_timing_follow_the_recorded_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = messages(50);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let path = scenario_in(
        dir.path(),
        "{file: rec.jsonl, loop: 3, timing: {scale: 0.5}}",
        "",
    );
    let lines = plan(&path, RECORDED_START, &[]);
    assert_eq!(lines.len(), 150);
    let span_ms = recorded.last().unwrap().ts - FIRST_MS;
    // The seam: the recording's mean gap (span / 49), scaled.
    let period_ns = (span_ms as f64 * 1e6 * 0.5) + (span_ms as f64 * 1e6 * 0.5 / 49.0).round();
    for (i, line) in lines.iter().enumerate() {
        let m = &recorded[i % 50];
        let pass = (i / 50) as f64;
        let want_us = ((pass * period_ns + ((m.ts - FIRST_MS) as f64 * 1e6 * 0.5)) / 1e3).floor();
        let got = line["offset_us"].as_i64().unwrap() as f64;
        // Within the nanoseconds that separate tied messages.
        assert!(
            (got - want_us).abs() <= 1.0,
            "message {i}: {got} µs, want {want_us}"
        );
        assert_eq!(line["value"].to_string(), m.payload);
    }
}

#[test]
fn what_is_not_kept_is_not_sent_and_recorded_timestamps_stay() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = messages(30);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let path = scenario_in(
        dir.path(),
        "{file: rec.jsonl, keep: [], timestamps: recorded}",
        "",
    );
    let lines = plan(&path, "2030-01-01T00:00:00Z", &[]);
    for (line, m) in lines.iter().zip(&recorded) {
        assert_eq!(line["key"], Value::Null);
        assert!(line.get("headers").is_none(), "{line}");
        assert_eq!(line["timestamp_ms"], m.ts);
    }
}

#[test]
fn a_timestamp_field_is_rewritten_in_its_recorded_format() {
    let dir = tempfile::tempdir().unwrap();
    for (recorded, format) in [
        ("1767254400250", "%ms"),
        ("\"2026-01-01 08:00:00\"", "%Y-%m-%d %H:%M:%S"),
        ("\"2026-01-01T08:00:00.250Z\"", "%Y-%m-%dT%H:%M:%S%.3fZ"),
        ("\"2026-01-01T08:00:00Z\"", "%Y-%m-%dT%H:%M:%SZ"),
    ] {
        let lines: String = (0..5)
            .map(|i| {
                let payload = format!(r#"{{"id": {i}, "at":{recorded} , "z":1}}"#);
                serde_json::json!({"ts": FIRST_MS + 1_500 * i, "key": "k", "payload": payload})
                    .to_string()
                    + "\n"
            })
            .collect();
        std::fs::write(dir.path().join("rec.jsonl"), lines).unwrap();
        let path = scenario_in(dir.path(), "{file: rec.jsonl, timestamp_field: at}", "");
        let start = chrono::DateTime::parse_from_rfc3339("2030-06-01T12:00:00.100Z").unwrap();
        let out = plan(&path, "2030-06-01T12:00:00.100Z", &[]);
        for (i, line) in out.iter().enumerate() {
            let at = start + chrono::Duration::milliseconds(1_500 * i as i64);
            let text = match format {
                "%ms" => at.timestamp_millis().to_string(),
                f => format!("\"{}\"", at.format(f)),
            };
            // Everything but the field is as recorded, spacing included.
            let want = format!(r#"{{"id": {i}, "at":{text} , "z":1}}"#);
            assert_eq!(line["value"], serde_json::from_str::<Value>(&want).unwrap());
        }
        let dry = Test::new()
            .arg(&path)
            .args(["--dry-run", "--start", "2030-06-01T12:00:00.100Z"])
            .status(0)
            .run();
        let first = String::from_utf8(dry.stdout).unwrap();
        let expected = match format {
            "%ms" => start.timestamp_millis().to_string(),
            f => format!("\"{}\"", start.format(f)),
        };
        assert!(
            first.starts_with(&format!(r#"{{"id": 0, "at":{expected} , "z":1}}"#)),
            "{first}"
        );
    }
}

#[test]
fn an_outage_by_key_silences_that_key_only() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = messages(300);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let outage = "    outages:\n      - {at: 10s, duration: 20s, cameras: [1001]}\n";
    let path = scenario_in(dir.path(), "{file: rec.jsonl}", outage);
    let lines = plan(&path, RECORDED_START, &[]);
    let inside = |m: &Msg| (10_000..30_000).contains(&(m.ts - FIRST_MS));
    let kept: Vec<&Msg> = recorded
        .iter()
        .filter(|m| !(m.key == Some("1001") && inside(m)))
        .collect();
    assert!(kept.len() < recorded.len() && recorded.iter().any(inside));
    let values: Vec<String> = lines.iter().map(|l| l["value"].to_string()).collect();
    let want: Vec<String> = kept.iter().map(|m| m.payload.clone()).collect();
    assert_eq!(values, want);
}

#[test]
fn shards_of_a_replay_with_faults_add_up_to_the_single_run_and_the_truth_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rec.jsonl"), ours(&messages(600))).unwrap();
    let faults = "    faults:\n      duplicate: {rate: 0.05, delay: {distribution: uniform, min: 0s, max: 2s}}\n      drop: {rate: 0.05}\n      malformed: {rate: 0.05, kinds: [truncated, not_json, missing_field]}\n";
    let path = scenario_in(dir.path(), "{file: rec.jsonl, loop: 2}", faults);
    let single = plan(&path, RECORDED_START, &[]);
    let faulted = single.iter().filter(|l| l.get("fault").is_some()).count();
    assert!(faulted > 30, "{faulted} faulted messages");
    let mut union: Vec<String> = (0..3)
        .flat_map(|k| plan(&path, RECORDED_START, &["--shard", &format!("{k}/3")]))
        .map(|l| l.to_string())
        .collect();
    let mut all: Vec<String> = single.iter().map(|l| l.to_string()).collect();
    union.sort();
    all.sort();
    assert_eq!(union, all);
    let truth = Test::new()
        .args(["truth"])
        .arg(&path)
        .args(["--start", RECORDED_START])
        .status(0)
        .run();
    let truth: Value = serde_json::from_slice(&truth.stdout).unwrap();
    let listed = truth["faults"].as_array().unwrap();
    let drops = listed.iter().filter(|f| f["kind"] == "drop").count() as u64;
    assert_eq!(truth["totals"]["drop"], drops);
    assert!(drops > 10, "{drops} drops");
    let cameras: std::collections::BTreeSet<String> =
        listed.iter().map(|f| f["camera_id"].to_string()).collect();
    assert_eq!(cameras.len(), 3, "{cameras:?}");
}

#[test]
fn the_plan_is_deterministic_for_a_file_and_changes_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let recorded = messages(300);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let faults = "    faults:\n      drop: {rate: 0.1}\n";
    let path = scenario_in(dir.path(), "{file: rec.jsonl}", faults);
    let a = plan(&path, RECORDED_START, &[]);
    assert_eq!(a, plan(&path, RECORDED_START, &[]));
    // One byte of one value changed: another recording, so other fault draws.
    let mut changed = recorded.clone();
    changed[299].payload.push(' ');
    std::fs::write(dir.path().join("rec.jsonl"), ours(&changed)).unwrap();
    let b = plan(&path, RECORDED_START, &[]);
    let seqs = |p: &[Value]| -> Vec<i64> {
        p.iter()
            .map(|l| l["value"]["seq"].as_i64().unwrap())
            .collect()
    };
    assert_ne!(
        seqs(&a),
        seqs(&b),
        "the same messages dropped from a changed recording"
    );
}

#[test]
fn timestamps_that_go_backwards_are_replayed_in_order_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut recorded = messages(20);
    recorded.swap(3, 9);
    recorded.swap(10, 11);
    std::fs::write(dir.path().join("rec.jsonl"), ours(&recorded)).unwrap();
    let path = scenario_in(dir.path(), "{file: rec.jsonl}", "");
    let out = Test::new()
        .arg(&path)
        .args(["--dry-run", "--format", "plan", "--start", RECORDED_START])
        .status(0)
        .stderr_contains("have a timestamp before one earlier on their partition")
        .run();
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    let ts: Vec<i64> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["timestamp_ms"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]), "{ts:?}");
    assert_eq!(ts.len(), 20);
    let stderr = stderr_of(&out);
    let count: usize = stderr
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap();
    // Messages 3 and 9 swapped put 4..=9 (same partition as 3 only every third) out of
    // order: counted by partition, never more than the messages moved back.
    let expected = {
        let mut latest = std::collections::BTreeMap::new();
        recorded
            .iter()
            .filter(|m| {
                let seen = latest.entry(m.partition).or_insert(m.ts);
                let back = m.ts < *seen;
                *seen = (*seen).max(m.ts);
                back
            })
            .count()
    };
    assert!(expected > 0);
    assert_eq!(count, expected, "{stderr}");
}

#[test]
fn bad_recordings_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_in(dir.path(), "{file: rec.jsonl}", "");
    Test::new()
        .arg(&path)
        .arg("--dry-run")
        .status(2)
        .stderr_contains("cannot read the recording rec.jsonl: no such file")
        .stderr_contains("replay.yaml:6:");
    let good = ours(&messages(3));
    std::fs::write(
        dir.path().join("rec.jsonl"),
        format!("{good}{{\"ts\": 1, \"key\": \n{good}"),
    )
    .unwrap();
    Test::new()
        .arg(&path)
        .arg("--dry-run")
        .status(2)
        .stderr_contains("rec.jsonl:4: not a JSON object")
        .stderr_lacks("panicked");
    std::fs::write(dir.path().join("rec.jsonl"), "\n").unwrap();
    Test::new()
        .arg(&path)
        .arg("--dry-run")
        .status(2)
        .stderr_contains("the recording rec.jsonl holds no messages");
    std::fs::write(dir.path().join("rec.jsonl"), &good).unwrap();
    let path = scenario_in(
        dir.path(),
        "{file: rec.jsonl, loop: 0, timing: {scale: -1}, keep: [key, key]}",
        "    cameras: [1]\n    payload: {a: 1}\n",
    );
    Test::new()
        .arg(&path)
        .arg("--dry-run")
        .status(2)
        .stderr_contains("`cameras` does not apply to a `replay` stream")
        .stderr_contains("`payload` does not apply to a `replay` stream")
        .stderr_contains("`loop` must be at least 1")
        .stderr_contains("the scale must be a positive number")
        .stderr_contains("`key` is listed twice");
}

#[test]
fn a_replay_into_the_embedded_cluster_is_read_back_and_needs_its_partitions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rec.jsonl"), ours(&messages(300))).unwrap();
    let path = scenario_in(dir.path(), "{file: rec.jsonl}", "");
    Test::new()
        .arg(&path)
        .args(["--embedded-broker", "--max-speed", "--partitions", "3"])
        .status(0)
        .stderr_contains("read back: 300 expected, 300 found exactly once, 0 missing");
    Test::new()
        .arg(&path)
        .args(["--embedded-broker", "--max-speed", "--partitions", "2"])
        .status(1)
        .stderr_contains(
            "has 2 partitions, and stream `morning` replays messages to partition 2 as recorded",
        )
        .stderr_contains("leave `partition` out of the stream's `replay.keep`");
    // Without the recorded partitions, the producer's partitioner chooses.
    let path = scenario_in(dir.path(), "{file: rec.jsonl, keep: [key, headers]}", "");
    Test::new()
        .arg(&path)
        .args(["--embedded-broker", "--max-speed", "--partitions", "2"])
        .status(0)
        .stderr_contains("300 found exactly once");
}

/// Per partition, in the recording's order (offset order): (key, headers, payload, ts)
/// of every line of a recording.
pub(crate) type Partitions = std::collections::BTreeMap<i64, Vec<(Value, Value, Value, i64)>>;

pub(crate) fn by_partition(recording: &Path) -> Partitions {
    let mut out = Partitions::new();
    for line in std::fs::read_to_string(recording).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        out.entry(v["partition"].as_i64().unwrap())
            .or_default()
            .push((
                v["key"].clone(),
                v["headers"].clone(),
                v["payload"].clone(),
                v["ts"].as_i64().unwrap(),
            ));
    }
    out
}

pub(crate) fn record(bootstrap: &str, topic: &str, to: &Path) {
    Test::new()
        .args([
            "record",
            "-b",
            bootstrap,
            "--topic",
            topic,
            "--idle-timeout",
            "3s",
            "-o",
        ])
        .arg(to)
        .status(0)
        .run();
}

#[test]
fn a_recorded_topic_replayed_and_recorded_again_holds_the_same_messages_and_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = rdkafka::mocking::MockCluster::new(3).unwrap();
    let bootstrap = cluster.bootstrap_servers();
    for topic in ["original", "copy", "kcat-copy"] {
        cluster.create_topic(topic, 3, 3).unwrap();
    }
    // A known plan with keys, headers and several topics' worth of fields, sent.
    let source = std::fs::read_to_string(root().join("scenarios/detections.yaml"))
        .unwrap()
        .replace("topic: detections", "topic: original");
    let scenario = dir.path().join("source.yaml");
    std::fs::write(&scenario, source).unwrap();
    Test::new()
        .arg(&scenario)
        .args([
            "-b",
            &bootstrap,
            "--max-speed",
            "--duration",
            "3m",
            "--start",
            "2026-01-01T08:00:00Z",
        ])
        .status(0)
        .run();
    let first = dir.path().join("first.jsonl");
    record(&bootstrap, "original", &first);
    let recorded = by_partition(&first);
    let count: usize = recorded.values().map(Vec::len).sum();
    assert!(count > 80, "{count} messages recorded");
    // Replayed from its first instant into another topic, then recorded again.
    let first_ms = recorded.values().flatten().map(|m| m.3).min().unwrap();
    let start = chrono::DateTime::from_timestamp_millis(first_ms)
        .unwrap()
        .to_rfc3339();
    for (copy, file) in [
        ("copy", first.clone()),
        ("kcat-copy", dir.path().join("kcat.jsonl")),
    ] {
        if copy == "kcat-copy" {
            // The same recording as kcat -C -J writes it: flat headers, a broker field.
            let kcat: String = std::fs::read_to_string(&first)
                .unwrap()
                .lines()
                .map(|l| {
                    let mut v: Value = serde_json::from_str(l).unwrap();
                    let flat: Vec<Value> = v["headers"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .flat_map(|h| h.as_array().unwrap().clone())
                        .collect();
                    v["headers"] = Value::Array(flat);
                    v["broker"] = 1.into();
                    v.to_string() + "\n"
                })
                .collect();
            std::fs::write(&file, kcat).unwrap();
        }
        let replay = dir.path().join(format!("{copy}.yaml"));
        std::fs::write(
            &replay,
            format!(
                "duration: 1h\ntopic: {copy}\nstreams:\n  - name: again\n    replay: {{file: {}, timing: original, keep: [key, headers, partition]}}\n",
                file.display()
            ),
        )
        .unwrap();
        Test::new()
            .arg(&replay)
            .args(["-b", &bootstrap, "--max-speed", "--start", &start])
            .status(0)
            .run();
        let again = dir.path().join(format!("{copy}.jsonl"));
        record(&bootstrap, copy, &again);
        let again = by_partition(&again);
        // Values, keys, headers, timestamps (so gaps) and per-partition order identical.
        assert_eq!(again, recorded, "{copy}");
    }
}
