//! End to end against a real, independent Kafka-compatible broker (Tansu, in CI), read
//! back by a client that shares no code with our producer (kafka-python, pure Python).
//!
//! These tests run when `SIMULATE_TEST_BROKER` names a broker (`host:port`); `.ci/run`
//! starts Tansu and always sets it, with `SIMULATE_TEST_PYTHON` (a Python with
//! kafka-python) and `SIMULATE_TEST_TANSU` (the tansu binary, for topics and for a broker
//! of the tests' own that they kill). Without `SIMULATE_TEST_BROKER` they are compiled as
//! ignored, with the reason (tests/build.rs), so they never count as passed.
//!
//! Tansu 0.6.0 differs from Apache Kafka here: with memory storage, ListOffsets reports a
//! wrong high watermark (1 for a partition holding hundreds of records), so the reader
//! stops on the expected count or an idle timeout, never on the end offset. Nothing else
//! these tests check differs.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use simulate::scenario::{self, Overrides};
use simulate::sink::stdout::Format;

use crate::common::*;

pub(crate) struct Env {
    pub(crate) broker: String,
    pub(crate) python: String,
    pub(crate) tansu: String,
}

/// The broker and tools the tests use. They are compiled as ignored unless
/// `SIMULATE_TEST_BROKER` is set (tests/build.rs); once it is, the other two are required.
pub(crate) fn env() -> Env {
    let get = |k: &str| {
        std::env::var(k)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| {
                panic!("SIMULATE_TEST_BROKER is set but {k} is not (.ci/run sets both)")
            })
    };
    Env {
        broker: get("SIMULATE_TEST_BROKER"),
        python: get("SIMULATE_TEST_PYTHON"),
        tansu: get("SIMULATE_TEST_TANSU"),
    }
}

/// A topic name no other test (of this run or of an earlier run against the same
/// broker) uses: the process id, a counter, and the time.
pub(crate) fn unique_topic(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{prefix}-{}-{n}-{nanos}", std::process::id())
}

pub(crate) fn create_topic(env: &Env, broker: &str, topic: &str, partitions: u32) {
    let status = Command::new(&env.tansu)
        .args([
            "topic",
            "create",
            topic,
            "--broker",
            &format!("tcp://{broker}"),
            "--partitions",
            &partitions.to_string(),
        ])
        .status()
        .unwrap();
    assert!(status.success(), "tansu topic create {topic} failed");
}

/// One message as kafka-python read it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Read {
    pub(crate) partition: i32,
    pub(crate) key: Option<String>,
    /// A null value reads as empty (the `empty` malformation).
    #[serde(deserialize_with = "null_as_empty")]
    pub(crate) value: String,
    pub(crate) timestamp: i64,
    pub(crate) timestamp_type: i32,
    pub(crate) headers: Vec<(String, Option<String>)>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

pub(crate) fn read_back(env: &Env, broker: &str, topic: &str, expect: usize) -> Vec<Read> {
    read_back_with(env, broker, topic, expect, &[], &[])
}

/// [`read_back`] with more arguments for read_topic.py (security) and environment
/// variables (its password).
pub(crate) fn read_back_with(
    env: &Env,
    broker: &str,
    topic: &str,
    expect: usize,
    args: &[String],
    envs: &[(&str, &str)],
) -> Vec<Read> {
    let out = Command::new(&env.python)
        .arg(root().join("tests/e2e/read_topic.py"))
        .args([
            "--bootstrap",
            broker,
            "--topic",
            topic,
            "--expect",
            &expect.to_string(),
            "--idle",
            "10",
            "--timeout",
            "120",
        ])
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "read_topic.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The topic holds exactly the dry-run plan of `path` from `start`
/// ([`assert_topic_holds_plan`]), every timestamp a CreateTime.
pub(crate) fn assert_matches_plan(path: &str, start: &str, read: &[Read]) {
    let overrides = Overrides {
        start: Some(chrono::DateTime::parse_from_rfc3339(start).unwrap().into()),
        ..Default::default()
    };
    let s = scenario::load_file(&root().join(path), &overrides).unwrap();
    for r in read {
        assert_eq!(r.timestamp_type, 0, "not a CreateTime timestamp");
    }
    assert_topic_holds_plan(
        read.iter()
            .map(|r| (r.key.as_deref(), r.value.as_str(), r.timestamp, r.partition)),
        &plan_of(&s),
    );
}

/// A run of `path` at `--max-speed` into `topic` of the shared broker.
fn max_speed_into(env: &Env, path: &str, topic: &str) -> Test {
    Test::new()
        .arg(path)
        .args(["--bootstrap-servers", &env.broker, "--topic", topic])
        .arg("--max-speed")
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn max_speed_to_a_real_broker_matches_the_plan() {
    let env = env();
    for path in ["scenarios/city.yaml", "scenarios/parking.yaml"] {
        let topic = unique_topic("max");
        create_topic(&env, &env.broker, &topic, 3);
        max_speed_into(&env, path, &topic)
            .args(["--start", START])
            .status(0);
        let planned = render(
            &scenario::load_file(&root().join(path), &Overrides::default()).unwrap(),
            Format::Values,
        )
        .lines()
        .count();
        assert_matches_plan(path, START, &read_back(&env, &env.broker, &topic, planned));
    }
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn a_real_broker_is_verified_after_the_run_and_shard_by_shard() {
    let env = env();
    let topic = unique_topic("verify");
    create_topic(&env, &env.broker, &topic, 3);
    let path = "scenarios/dirty.yaml";
    let words = |out: &std::process::Output| String::from_utf8_lossy(&out.stdout).into_owned();
    // Two shards, each sent with --verify: each finds its own part (the other shard's
    // messages are unexpected, which does not fail without --strict).
    for shard in ["0/2", "1/2"] {
        let out = max_speed_into(&env, path, &topic)
            .args([
                "--start",
                START,
                "--shard",
                shard,
                "--verify",
                "--idle-timeout",
                "3s",
            ])
            .status(0)
            .run();
        let err = stderr_of(&out);
        assert!(
            err.contains(" 0 missing, 0 duplicated, 0 changed, "),
            "{err}"
        );
    }
    let planned = render(
        &scenario::load_file(&root().join(path), &Overrides::default()).unwrap(),
        Format::Plan,
    )
    .lines()
    .count();
    // All shards together: exactly the single run's plan.
    let all = Test::new()
        .args([
            "verify",
            path,
            "-b",
            &env.broker,
            "--topic",
            &topic,
            "--start",
            START,
        ])
        .args(["--idle-timeout", "3s", "--strict"])
        .status(0)
        .run();
    assert!(
        words(&all).starts_with(&format!(
            "{planned} expected, {planned} found exactly once, 0 missing, 0 duplicated, 0 changed, 0 unexpected, per-key order kept"
        )),
        "{}",
        words(&all)
    );
    // One shard alone: its part found, the other's unexpected; --strict fails on them.
    let one = Test::new()
        .args([
            "verify",
            path,
            "-b",
            &env.broker,
            "--topic",
            &topic,
            "--start",
            START,
        ])
        .args(["--shard", "0/2", "--idle-timeout", "3s", "--strict"])
        .status(1)
        .run();
    let text = words(&one);
    let first: Vec<u64> = text
        .split(", ")
        .filter_map(|part| part.split(' ').next()?.parse().ok())
        .collect();
    assert_eq!(first[0] + first[5], planned as u64, "{text}");
    assert_eq!((first[2], first[3], first[4]), (0, 0, 0), "{text}");
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn a_paced_run_to_a_real_broker_matches_the_plan() {
    let env = env();
    let topic = unique_topic("paced");
    create_topic(&env, &env.broker, &topic, 3);
    let started = Instant::now();
    Test::new()
        .args([
            "scenarios/default.yaml",
            "--bootstrap-servers",
            &env.broker,
            "--topic",
            &topic,
            "--speed",
            "20",
            "--start",
            START,
        ])
        .status(0)
        .run();
    // 180 s of plan at 20x: the last event is due just under 9 s after the first.
    assert!(
        started.elapsed() >= Duration::from_secs(8),
        "ended after {:?}",
        started.elapsed()
    );
    assert_matches_plan(
        "scenarios/default.yaml",
        START,
        &read_back(&env, &env.broker, &topic, 341),
    );
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn payloads_reach_each_topic_of_a_real_broker_with_keys_and_headers() {
    let env = env();
    let (detections, heartbeats) = (unique_topic("detections"), unique_topic("heartbeats"));
    for topic in [&detections, &heartbeats] {
        create_topic(&env, &env.broker, topic, 3);
    }
    let text = std::fs::read_to_string(root().join("scenarios/detections.yaml"))
        .unwrap()
        .replace("topic: detections", &format!("topic: {detections}"))
        .replace("topic: heartbeats", &format!("topic: {heartbeats}"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("detections.yaml");
    std::fs::write(&path, &text).unwrap();
    let file = path.to_str().unwrap();
    Test::new()
        .args([
            file,
            "--bootstrap-servers",
            &env.broker,
            "--max-speed",
            "--start",
            START,
        ])
        .status(0);
    let overrides = Overrides {
        start: Some(start()),
        ..Default::default()
    };
    let s = scenario::load_file(&path, &overrides).unwrap();
    assert_topics_hold_plan(&s, &[&detections, &heartbeats], |topic, count| {
        assert!(count > 0);
        read_back(&env, &env.broker, topic, count)
            .into_iter()
            .map(|r| {
                assert_eq!(r.timestamp_type, 0, "not a CreateTime timestamp");
                (r.key, (r.value, r.timestamp, r.headers))
            })
            .collect()
    });
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn an_unreachable_port_fails_within_the_connect_timeout() {
    let _env = env();
    let broker = format!("127.0.0.1:{}", free_port());
    let started = Instant::now();
    Test::new()
        .args([
            "scenarios/default.yaml",
            "--bootstrap-servers",
            &broker,
            "--connect-timeout",
            "3s",
        ])
        .status(1)
        .stderr_contains(format!("cannot reach Kafka at {broker}"))
        .run();
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );
}

/// A Tansu broker of this test's own, stopped when dropped.
struct OwnBroker(Child);

impl Drop for OwnBroker {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_broker(env: &Env) -> (OwnBroker, String) {
    let port = free_port();
    let url = format!("tcp://127.0.0.1:{port}");
    let child = Command::new(&env.tansu)
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let broker = OwnBroker(child);
    let address = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(&address).is_err() {
        assert!(
            Instant::now() < deadline,
            "tansu did not start on {address}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (broker, address)
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn a_broker_killed_mid_run_ends_the_run_without_hanging() {
    let env = env();
    let (mut broker, address) = start_broker(&env);
    let topic = unique_topic("killed");
    create_topic(&env, &address, &topic, 3);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let (mut child, mut stderr) = spawn_until_sending(&[
        "scenarios/default.yaml",
        "--bootstrap-servers",
        &address,
        "--topic",
        &topic,
        "--speed",
        "10",
        "-X",
        "message.timeout.ms=3000",
        "--flush-timeout",
        "6s",
        "--report",
        report.to_str().unwrap(),
    ]);
    std::thread::sleep(Duration::from_secs(2)); // some events delivered first
    let killed = Instant::now();
    let _ = broker.0.kill();
    let _ = broker.0.wait();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
    assert_eq!(status.code(), Some(1), "{rest}");
    // The rest of the 18 s schedule, then at most the flush bound.
    assert!(
        killed.elapsed() < Duration::from_secs(30),
        "took {:?} after the kill",
        killed.elapsed()
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let n = |k: &str| r[k].as_u64().unwrap();
    assert_eq!(
        n("delivered") + n("failed") + n("undelivered"),
        n("planned_messages"),
        "{r}"
    );
    assert!(
        n("delivered") > 0 && n("delivered") < n("planned_messages"),
        "{r}"
    );
    assert!(
        !r["first_errors"].as_array().unwrap().is_empty(),
        "the report names no error: {r}"
    );
    assert!(rest.contains("were not delivered"), "{rest}");
}

/// `scenarios/dirty.yaml` to a real broker, read back by kafka-python: the consumer finds
/// exactly the faults and per-minute counts of the truth file written by the same run.
#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn dirty_data_on_a_real_broker_matches_the_truth_file() {
    let env = env();
    let topic = unique_topic("dirty");
    create_topic(&env, &env.broker, &topic, 3);
    let dir = tempfile::tempdir().unwrap();
    let truth_path = dir.path().join("truth.json");
    Test::new()
        .args([
            "scenarios/dirty.yaml",
            "--bootstrap-servers",
            &env.broker,
            "--max-speed",
            "--start",
            START,
            "--topic",
            &topic,
            "--truth",
        ])
        .arg(&truth_path)
        .status(0);
    let mut truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&truth_path).unwrap()).unwrap();
    // The consumer's check knows the topic `events` of the example.
    for list in ["faults", "windows"] {
        for item in truth[list].as_array_mut().unwrap() {
            assert_eq!(item["topic"], topic.as_str());
            item["topic"] = "events".into();
        }
    }
    let messages = truth["totals"]["messages"].as_u64().unwrap() as usize;
    let read: Vec<crate::faults::Consumed> = read_back(&env, &env.broker, &topic, messages)
        .into_iter()
        .map(|r| {
            assert_eq!(r.timestamp_type, 0, "not a CreateTime timestamp");
            crate::faults::Consumed {
                key: r.key,
                value: r.value.into_bytes(),
                timestamp: r.timestamp,
                headers: r
                    .headers
                    .into_iter()
                    .map(|(k, v)| (k, v.unwrap_or_default()))
                    .collect(),
            }
        })
        .collect();
    crate::faults::assert_consumer_finds_the_truth(&read, &truth);

    // The format reference's scoring snippet, run as printed (topic and broker substituted).
    let readme = std::fs::read_to_string(root().join("docs/scenario-format.md")).unwrap();
    let start = readme
        .find("```python\nimport json, sys")
        .expect("the snippet")
        + 10;
    let snippet = &readme[start..start + readme[start..].find("```").unwrap()];
    let snippet = snippet
        .replace("\"events\"", &format!("\"{topic}\""))
        .replace("localhost:9092", &env.broker);
    let out = Command::new(&env.python)
        .args(["-c", &snippet])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{printed}{}", stderr_of(&out));
    let windows = truth["windows"].as_array().unwrap().len();
    let malformed = &truth["totals"]["malformed"];
    assert_eq!(
        printed.trim(),
        format!("{windows} of {windows} windows right; {malformed} malformed (truth: {malformed})")
    );
}

/// Four shards of `parking.yaml` run at once into one topic of a real broker: read back
/// by kafka-python, the topic equals the single run's plan (every event once, values and
/// timestamps identical, per-key order kept, each key on one partition).
#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn four_shards_at_once_into_a_real_broker_make_the_single_run() {
    let env = env();
    let path = "scenarios/parking.yaml";
    let topic = unique_topic("shards");
    create_topic(&env, &env.broker, &topic, 3);
    let runs: Vec<Running> = (0..4)
        .map(|k| {
            max_speed_into(&env, path, &topic)
                .line("--quiet --start")
                .args([START, "--shard", &format!("{k}/4")])
                .status(0)
                .spawn()
        })
        .collect();
    for run in runs {
        run.wait();
    }
    let planned = render(
        &scenario::load_file(&root().join(path), &Overrides::default()).unwrap(),
        Format::Values,
    )
    .lines()
    .count();
    assert!(planned > 2_000);
    assert_matches_plan(path, START, &read_back(&env, &env.broker, &topic, planned));
}
