//! `simulate record`: topics into a recording file, every byte of key, headers and value
//! as sent, within the asked window, ending by itself, against the embedded (librdkafka
//! mock) cluster; the round trip through Tansu is in `replay.rs`.

use std::path::Path;
use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use serde_json::{Value, json};

use crate::common::*;

/// 2026-01-01T08:00:00Z in ms.
const EIGHT: i64 = 1_767_254_400_000;

/// One message to produce: partition, timestamp, key, headers, value.
type Sent = (
    i32,
    i64,
    Option<Vec<u8>>,
    Vec<(&'static str, Option<Vec<u8>>)>,
    Option<Vec<u8>>,
);

fn produce(bootstrap: &str, topic: &str, messages: &[Sent]) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .unwrap();
    for (partition, ts, key, headers, value) in messages {
        let mut list = OwnedHeaders::new();
        for (name, value) in headers {
            list = list.insert(Header {
                key: name,
                value: value.as_deref(),
            });
        }
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic)
            .timestamp(*ts)
            .partition(*partition)
            .headers(list);
        if let Some(k) = key {
            record = record.key(k.as_slice());
        }
        if let Some(v) = value {
            record = record.payload(v.as_slice());
        }
        producer.send(record).map_err(|(e, _)| e).unwrap();
        producer.poll(Duration::ZERO);
    }
    producer.flush(Duration::from_secs(10)).unwrap();
}

/// `count` plain messages, one every 100 ms from 08:00, over three partitions.
fn plain(count: usize) -> Vec<Sent> {
    (0..count)
        .map(|i| {
            (
                (i % 3) as i32,
                EIGHT + 100 * i as i64,
                Some(format!("k{}", i % 5).into_bytes()),
                vec![("n", Some(i.to_string().into_bytes()))],
                Some(format!("{{\"i\":{i}}}").into_bytes()),
            )
        })
        .collect()
}

fn lines(file: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.is_empty() || text.ends_with('\n'),
        "the file ends mid-line"
    );
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn record(bootstrap: &str, extra: &[&str], out: &Path) -> std::process::Output {
    Test::new()
        .args(["record", "-b", bootstrap])
        .args(extra)
        .arg("-o")
        .arg(out)
        .status(0)
        .run()
}

fn cluster(
    topics: &[(&str, i32)],
) -> rdkafka::mocking::MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let cluster = rdkafka::mocking::MockCluster::new(3).unwrap();
    for (topic, partitions) in topics {
        cluster.create_topic(topic, *partitions, 3).unwrap();
    }
    cluster
}

#[test]
fn every_byte_of_key_headers_and_value_is_recorded_as_sent() {
    let cluster = cluster(&[("t", 2)]);
    let bootstrap = cluster.bootstrap_servers();
    let binary = vec![0xff, 0x00, 0xfe, b'a'];
    produce(
        &bootstrap,
        "t",
        &[
            (
                0,
                EIGHT,
                Some(b"1000".to_vec()),
                vec![
                    ("trace", Some(b"abc".to_vec())),
                    ("empty", Some(vec![])),
                    ("none", None),
                ],
                Some(b"{\"camera_id\": 1000, \"s\": \"\\u00e9\\n\"}".to_vec()),
            ),
            (
                1,
                EIGHT + 1,
                Some(binary.clone()),
                vec![("bin", Some(binary.clone()))],
                Some(binary.clone()),
            ),
            (0, EIGHT + 2, None, vec![], None),
            (
                1,
                EIGHT + 3,
                Some("é\"\\".as_bytes().to_vec()),
                vec![],
                Some(b"not json at all".to_vec()),
            ),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.jsonl");
    let run = record(&bootstrap, &["--topic", "t"], &out);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("recorded 4 messages"), "{stderr}");
    assert!(stderr.contains("t: 4 messages from 2 partitions, stamped 2026-01-01T08:00:00.000Z .. 2026-01-01T08:00:00.003Z"), "{stderr}");
    let mut got = lines(&out);
    got.sort_by_key(|l| l["ts"].as_i64());
    let b64 = json!({"base64": "/wD+YQ=="});
    assert_eq!(
        got[0],
        json!({"topic": "t", "partition": 0, "offset": 0, "tstype": "create", "ts": EIGHT, "key": "1000",
               "headers": [["trace", "abc"], ["empty", ""], ["none", null]],
               "payload": "{\"camera_id\": 1000, \"s\": \"\\u00e9\\n\"}"})
    );
    assert_eq!(got[1]["key"], b64);
    assert_eq!(got[1]["headers"], json!([["bin", b64]]));
    assert_eq!(got[1]["payload"], b64);
    assert_eq!(got[2]["key"], Value::Null);
    assert_eq!(got[2]["payload"], Value::Null, "a tombstone stays null");
    assert_eq!(got[2]["headers"], json!([]));
    assert_eq!(got[3]["key"], json!("é\"\\"));
    assert_eq!(got[3]["payload"], json!("not json at all"));
    assert_eq!(got[3]["offset"], json!(1));
    // The library reads the file back to the same bytes.
    for line in std::fs::read_to_string(&out).unwrap().lines() {
        let read = simulate::recording::Recorded::parse(line).unwrap();
        if read.ts == EIGHT + 1 {
            assert_eq!(read.key.as_deref(), Some(binary.as_slice()));
            assert_eq!(read.payload.as_deref(), Some(binary.as_slice()));
        }
    }
}

#[test]
fn since_and_until_keep_exactly_the_messages_stamped_in_between() {
    let cluster = cluster(&[("t", 3)]);
    let bootstrap = cluster.bootstrap_servers();
    produce(&bootstrap, "t", &plain(600));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.jsonl");
    // 08:00:10 to 08:00:40: messages 100 ..= 399.
    let run = record(
        &bootstrap,
        &[
            "--topic",
            "t",
            "--since",
            "2026-01-01T08:00:10Z",
            "--until",
            "2026-01-01T08:00:40Z",
        ],
        &out,
    );
    let got = lines(&out);
    let mut ts: Vec<i64> = got.iter().map(|l| l["ts"].as_i64().unwrap()).collect();
    ts.sort();
    let want: Vec<i64> = (100..400).map(|i| EIGHT + 100 * i).collect();
    assert_eq!(ts, want);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("ended: every partition reached --until"),
        "{stderr}"
    );
    // --since with --duration is the same window.
    let again = dir.path().join("again.jsonl");
    record(
        &bootstrap,
        &[
            "--topic",
            "t",
            "--since",
            "2026-01-01T08:00:10Z",
            "--duration",
            "30s",
        ],
        &again,
    );
    assert_eq!(lines(&again).len(), 300);
    // Per partition, the file keeps the partition's order.
    for p in 0..3 {
        let offsets: Vec<i64> = got
            .iter()
            .filter(|l| l["partition"] == p)
            .map(|l| l["offset"].as_i64().unwrap())
            .collect();
        assert!(offsets.windows(2).all(|w| w[1] == w[0] + 1), "{offsets:?}");
    }
}

#[test]
fn several_topics_are_recorded_into_one_file_and_it_ends_at_their_end() {
    let cluster = cluster(&[("a", 3), ("b", 1)]);
    let bootstrap = cluster.bootstrap_servers();
    produce(&bootstrap, "a", &plain(300));
    produce(
        &bootstrap,
        "b",
        &plain(30)
            .into_iter()
            .map(|m| (0, m.1, m.2, m.3, m.4))
            .collect::<Vec<_>>(),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.jsonl");
    // A long idle timeout: the end of the topics (the watermarks) ends it.
    let started = std::time::Instant::now();
    let run = record(
        &bootstrap,
        &["--topic", "a", "--topic", "b", "--idle-timeout", "1h"],
        &out,
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    let got = lines(&out);
    assert_eq!(got.iter().filter(|l| l["topic"] == "a").count(), 300);
    assert_eq!(got.iter().filter(|l| l["topic"] == "b").count(), 30);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("  a: 300 messages from 3 partitions"),
        "{stderr}"
    );
    assert!(
        stderr.contains("  b: 30 messages from 1 partitions"),
        "{stderr}"
    );
    assert!(
        stderr.contains("ended: every partition read to its end"),
        "{stderr}"
    );
    // --max-messages stops early; stdout takes the lines without -o.
    let out = Test::new()
        .args([
            "record",
            "-b",
            &bootstrap,
            "--topic",
            "a",
            "--max-messages",
            "7",
            "-q",
        ])
        .status(0)
        .stderr_empty()
        .run();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 7);
}

#[test]
fn ctrl_c_leaves_a_file_of_whole_lines_and_says_so() {
    let cluster = cluster(&[("t", 3)]);
    let bootstrap = cluster.bootstrap_servers();
    produce(&bootstrap, "t", &plain(200));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.jsonl");
    // --until far ahead: the recording waits for it, until interrupted.
    let running = Test::new()
        .args([
            "record",
            "-b",
            &bootstrap,
            "--topic",
            "t",
            "--until",
            "2100-01-01T00:00:00Z",
            "-o",
        ])
        .arg(&out)
        .status(130)
        .stderr_contains("ended: interrupted; the file ends with a whole line")
        .spawn();
    // Bounded: the 200 lines are written within 60 s (they are flushed when the topic is
    // quiet), then the process is interrupted.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&out).map_or(0, |t| t.lines().count()) < 200 {
        assert!(
            std::time::Instant::now() < deadline,
            "the lines were not written"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    running.wait();
    assert_eq!(lines(&out).len(), 200);
}

#[test]
fn a_live_recording_takes_what_arrives_for_its_duration() {
    let cluster = cluster(&[("live", 1)]);
    let bootstrap = cluster.bootstrap_servers();
    produce(&bootstrap, "live", &plain(50));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.jsonl");
    let running = Test::new()
        .args([
            "record",
            "-b",
            &bootstrap,
            "--topic",
            "live",
            "--duration",
            "4s",
            "-o",
        ])
        .arg(&out)
        .status(0)
        .stderr_contains("ended: --duration passed")
        .spawn();
    // Messages keep arriving while it records (and after it has stopped): what was there
    // before it started is not recorded, some of what came during it is.
    let mut sent = 0;
    let began = std::time::Instant::now();
    while began.elapsed() < Duration::from_secs(6) {
        produce(
            &bootstrap,
            "live",
            &[(
                0,
                EIGHT + 1_000_000 + sent,
                None,
                vec![],
                Some(b"new".to_vec()),
            )],
        );
        sent += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    running.wait();
    let got = lines(&out);
    assert!(
        !got.is_empty() && got.len() < sent as usize,
        "{} of {sent}",
        got.len()
    );
    assert!(
        got.iter().all(|l| l["payload"] == "new"),
        "an old message was recorded"
    );
}

#[test]
fn mistakes_are_said_with_what_to_do() {
    Test::new()
        .args(["record", "--topic", "t", "-o", "/tmp/x.jsonl"])
        .env("KAFKA_BOOTSTRAP_SERVERS", "")
        .status(2)
        .stderr_contains("simulate record reads a cluster: give -b HOST:PORT");
    Test::new()
        .args([
            "record",
            "-b",
            "127.0.0.1:1",
            "--topic",
            "t",
            "--since",
            "2026-01-01T09:00:00Z",
            "--until",
            "2026-01-01T08:00:00Z",
        ])
        .status(2)
        .stderr_contains("--until must be after --since");
    Test::new()
        .args(["record", "-b", "127.0.0.1:1"])
        .status(2)
        .stderr_contains("--topic");
    let cluster = cluster(&[("t", 1)]);
    let bootstrap = cluster.bootstrap_servers();
    Test::new()
        .args([
            "record",
            "-b",
            &bootstrap,
            "--topic",
            "t",
            "-o",
            "/nonexistent/dir/r.jsonl",
        ])
        .status(2)
        .stderr_contains("cannot write the recording to /nonexistent/dir/r.jsonl");
    Test::new()
        .args([
            "record",
            "-b",
            &bootstrap,
            "--topic",
            "nope",
            "-X",
            "allow.auto.create.topics=false",
            "-o",
            "/dev/null",
        ])
        .status(1)
        .stderr_contains("topic `nope` has no partitions");
}
