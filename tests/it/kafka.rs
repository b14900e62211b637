//! The Kafka sink against librdkafka's mock cluster: what is sent is the dry-run plan,
//! byte for byte, exactly once and in order per key, also through broker faults; and the
//! failure modes end with the documented messages and exit codes.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Headers;
use rdkafka::mocking::MockCluster;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use rdkafka::{ClientConfig, Message, Offset, Timestamp, TopicPartitionList};
use simulate::replay::Control;
use simulate::replay::pacer::Pace;
use simulate::report::{KafkaReport, Report};
use simulate::run::{Settings, kafka as run};
use simulate::sink::kafka::config::Brokers;
use simulate::sink::kafka::properties::Property;

use crate::common::*;

/// A scenario with keyed per-camera and shared streams: `events` events over `seconds`.
fn scenario_text(topic: &str, seconds: u32, interval_ms: u32) -> String {
    format!(
        "seed: 5\nduration: {seconds}s\nstart: {START}\ntopic: {topic}\nstreams:\n  - name: cams\n    cameras: {{count: 20, first: 100}}\n    arrivals: per_camera\n    inter_arrival: {{distribution: exponential, mean: {}ms}}\n  - name: shared\n    cameras: [\"a\", \"b\", \"c\"]\n    inter_arrival: {{distribution: constant, interval: {interval_ms}ms}}\n",
        interval_ms * 20
    )
}

fn settings(bootstrap: &str, pace: Pace) -> Settings {
    Settings {
        brokers: Brokers::Remote {
            servers: bootstrap.to_string(),
            source: "test",
        },
        properties: vec![],
        pace,
        connect_timeout: Duration::from_secs(10),
        wait_refused: true,
        flush_timeout: Duration::from_secs(30),
        partitions: 3,
        keep_broker: false,
        verify: false,
        idle_timeout: std::time::Duration::from_secs(10),
        strict: false,
        quiet: true,
        progress: false,
        metrics: None,
        codecs: Default::default(),
    }
}

/// The Kafka section of a report (every run here is a Kafka run).
fn delivery(report: &Report) -> &KafkaReport {
    report
        .kafka
        .as_ref()
        .expect("a Kafka run's report has a Kafka section")
}

/// One message as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Read {
    key: Option<String>,
    value: String,
    timestamp: i64,
    partition: i32,
    /// Headers in order, as (name, value as text).
    headers: Vec<(String, String)>,
}

/// Reads `topic` until `count` messages arrived (or 30 s passed).
fn consume(bootstrap: &str, topic: &str, count: usize) -> Vec<Read> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", "test-read")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let partitions = metadata.topics()[0].partitions().len() as i32;
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while out.len() < count && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(Read {
                key: m.key().map(|k| String::from_utf8(k.to_vec()).unwrap()),
                // A null value reads as empty (the `empty` malformation).
                value: String::from_utf8(m.payload().unwrap_or_default().to_vec()).unwrap(),
                timestamp: match m.timestamp() {
                    Timestamp::CreateTime(t) => t,
                    other => panic!("unexpected timestamp {other:?}"),
                },
                partition: m.partition(),
                headers: m
                    .headers()
                    .map(|h| {
                        h.iter()
                            .map(|h| {
                                (
                                    h.key.to_string(),
                                    String::from_utf8(h.value.unwrap_or_default().to_vec())
                                        .unwrap(),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    // Anything beyond the expected count would be a duplicate: give it a moment to show.
    let grace = Instant::now() + Duration::from_millis(500);
    while Instant::now() < grace {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
            out.push(Read {
                key: None,
                value: format!("extra at offset {}", m.offset()),
                timestamp: 0,
                partition: -1,
                headers: Vec::new(),
            });
        }
    }
    out
}

/// The run delivered every planned event, and the topic holds exactly the plan.
fn assert_delivered_as_planned(report: &Report, bootstrap: &str, topic: &str, plan: &[Planned]) {
    assert!(report.all_delivered(), "{}", report.summary());
    assert_eq!(report.planned_messages as usize, plan.len());
    let read = consume(bootstrap, topic, plan.len());
    assert_topic_holds_plan(
        read.iter()
            .map(|r| (r.key.as_deref(), r.value.as_str(), r.timestamp, r.partition)),
        plan,
    );
}

fn mock(topic: &str) -> MockCluster<'static, rdkafka::producer::DefaultProducerContext> {
    let mock = MockCluster::new(3).unwrap();
    mock.create_topic(topic, 3, 3).unwrap();
    mock
}

/// A scenario with payloads, keys from a field, headers and two topics: each topic holds
/// exactly its streams' plan (values, keys, headers in order, timestamps), read back by
/// this test's own consumer.
#[test]
fn payloads_reach_each_streams_topic_with_their_keys_and_headers() {
    let cluster = MockCluster::new(3).unwrap();
    for topic in ["detections", "heartbeats"] {
        cluster.create_topic(topic, 3, 3).unwrap();
    }
    let s = simulate::scenario::load_file(
        &root().join("scenarios/detections.yaml"),
        &simulate::scenario::Overrides {
            start: Some(start()),
            ..Default::default()
        },
    )
    .unwrap();
    let report = run(
        &s,
        &settings(&cluster.bootstrap_servers(), Pace::Max),
        &Control::default(),
    )
    .unwrap();
    assert!(report.all_delivered(), "{}", report.summary());
    assert_eq!(report.topics, ["detections", "heartbeats"]);
    let bootstrap = cluster.bootstrap_servers();
    assert_topics_hold_plan(&s, &["detections", "heartbeats"], |topic, count| {
        consume(&bootstrap, topic, count)
            .into_iter()
            .map(|r| {
                let headers = r.headers.into_iter().map(|(k, v)| (k, Some(v))).collect();
                (r.key, (r.value, r.timestamp, headers))
            })
            .collect()
    });
}

/// `scenarios/dirty.yaml` through a Kafka cluster: a consumer reading the topic finds
/// exactly the faults and per-minute counts of the truth file, and the messages of each
/// key arrive in send order.
#[test]
fn dirty_data_reaches_the_topic_as_the_truth_says() {
    let cluster = mock("events");
    let s = crate::faults::dirty();
    let report = run(
        &s,
        &settings(&cluster.bootstrap_servers(), Pace::Max),
        &Control::default(),
    )
    .unwrap();
    assert!(report.all_delivered(), "{}", report.summary());
    let truth = crate::faults::truth_of(&s);
    let messages = truth["totals"]["messages"].as_u64().unwrap();
    assert_eq!(report.planned_messages, messages);
    let read = consume(&cluster.bootstrap_servers(), "events", messages as usize);
    let consumed: Vec<crate::faults::Consumed> = read
        .iter()
        .map(|r| crate::faults::Consumed {
            key: r.key.clone(),
            value: r.value.clone().into_bytes(),
            timestamp: r.timestamp,
            headers: r.headers.clone(),
        })
        .collect();
    crate::faults::assert_consumer_finds_the_truth(&consumed, &truth);
    // Per key, the topic holds the plan's messages in send order.
    let mut want: BTreeMap<Option<String>, Vec<(Vec<u8>, i64)>> = BTreeMap::new();
    for m in crate::faults::planned_messages(&s) {
        want.entry(m.key).or_default().push((m.value, m.timestamp));
    }
    let mut got: BTreeMap<Option<String>, Vec<(Vec<u8>, i64)>> = BTreeMap::new();
    for m in consumed {
        got.entry(m.key).or_default().push((m.value, m.timestamp));
    }
    assert_eq!(got, want);
}

/// One series of a Prometheus text scrape: its value.
fn series(text: &str, name: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with('{'))
        .unwrap_or_else(|| panic!("no {name} in:\n{text}"));
    line.rsplit(' ').next().unwrap().parse().unwrap()
}

/// GET /metrics over a plain TCP connection (HTTP/1.0: the server closes when done).
fn scrape(addr: std::net::SocketAddr) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(
        head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
        "{head}"
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4")
    );
    body.to_string()
}

/// `--metrics`: scraped every 50 ms during a paced run, the counters parse, carry the
/// scenario and shard labels, never decrease, and end equal to the report.
#[test]
fn metrics_scraped_during_a_run_end_equal_to_the_report() {
    let cluster = mock("metrics");
    let s = scenario(&scenario_text("metrics", 20, 20));
    let metrics = std::sync::Arc::new(simulate::metrics::Metrics::new(&s.name, "all"));
    let addr = metrics.serve("127.0.0.1:0").unwrap();
    let mut settings = settings(&cluster.bootstrap_servers(), Pace::Speed(10.0));
    settings.metrics = Some(metrics);
    let names = [
        "simulate_messages_taken_total",
        "simulate_messages_sent_total",
        "simulate_messages_delivered_total",
        "simulate_messages_failed_total",
        "simulate_pacing_lateness_seconds_count",
    ];
    let done = std::sync::atomic::AtomicBool::new(false);
    let (report, scrapes) = std::thread::scope(|scope| {
        let scraper = scope.spawn(|| {
            let mut scrapes: Vec<Vec<f64>> = Vec::new();
            while !done.load(Ordering::Relaxed) && scrapes.len() < 200 {
                let text = scrape(addr);
                assert!(text.contains("scenario=\"test\""), "{text}");
                assert!(text.contains("shard=\"all\""), "{text}");
                scrapes.push(names.iter().map(|n| series(&text, n)).collect());
                std::thread::sleep(Duration::from_millis(50));
            }
            scrapes
        });
        let report = run(&s, &settings, &Control::default()).unwrap();
        done.store(true, Ordering::Relaxed);
        (report, scraper.join().unwrap())
    });
    assert!(scrapes.len() >= 10, "{} scrapes", scrapes.len());
    for pair in scrapes.windows(2) {
        for (i, name) in names.iter().enumerate() {
            assert!(pair[1][i] >= pair[0][i], "{name} went down: {pair:?}");
        }
    }
    let mid = &scrapes[scrapes.len() / 2];
    assert!(
        mid[1] > 0.0 && mid[1] < report.sent as f64,
        "mid-run: {mid:?}"
    );
    let last = scrape(addr);
    let k = delivery(&report);
    assert_eq!(
        series(&last, "simulate_messages_taken_total"),
        report.planned_messages as f64
    );
    assert_eq!(
        series(&last, "simulate_messages_sent_total"),
        report.sent as f64
    );
    assert_eq!(
        series(&last, "simulate_messages_delivered_total"),
        k.delivered as f64
    );
    assert_eq!(
        series(&last, "simulate_messages_failed_total"),
        k.failed as f64
    );
    assert_eq!(series(&last, "simulate_messages_queued"), 0.0);
    // The plan's totals, for progress: counted beside the run, equal to the report's.
    assert_eq!(
        series(&last, "simulate_plan_messages"),
        report.planned_messages as f64
    );
    assert_eq!(
        series(&last, "simulate_plan_events"),
        report.planned_events as f64
    );
    assert_eq!(
        series(&last, "simulate_pacing_lateness_seconds_count"),
        report.lateness.samples as f64
    );
    assert_eq!(
        series(&last, "simulate_delivery_latency_seconds_count"),
        k.delivery_latency.samples as f64
    );
}

#[test]
fn max_speed_sends_the_dry_run_plan_byte_for_byte() {
    let cluster = mock("max");
    let s = scenario(&scenario_text("max", 60, 5));
    let plan = plan_of(&s);
    assert!(plan.len() > 15_000);
    let report = run(
        &s,
        &settings(&cluster.bootstrap_servers(), Pace::Max),
        &Control::default(),
    )
    .unwrap();
    assert_delivered_as_planned(&report, &cluster.bootstrap_servers(), "max", &plan);
}

#[test]
fn a_faster_replay_sends_the_same_plan_on_its_schedule() {
    let cluster = mock("fast");
    let s = scenario(&scenario_text("fast", 10, 20));
    let plan = plan_of(&s);
    let started = Instant::now();
    let report = run(
        &s,
        &settings(&cluster.bootstrap_servers(), Pace::Speed(20.0)),
        &Control::default(),
    )
    .unwrap();
    let took = started.elapsed();
    // 10 s of plan at 20x: the last event is due just under 0.5 s after the first.
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(5),
        "took {took:?}"
    );
    assert!(report.lateness.samples == report.planned_messages);
    assert_delivered_as_planned(&report, &cluster.bootstrap_servers(), "fast", &plan);
}

#[test]
fn a_real_time_run_ends_on_schedule() {
    let cluster = mock("rt");
    let s = scenario(&format!(
        "duration: 1s\nstart: {START}\ntopic: rt\nstreams:\n  - cameras: [1]\n    first_event: at_start\n    inter_arrival: {{distribution: constant, interval: 10ms}}\n"
    ));
    let started = Instant::now();
    let report = run(
        &s,
        &settings(&cluster.bootstrap_servers(), Pace::Speed(1.0)),
        &Control::default(),
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(delivery(&report).delivered, 100);
    // The last event is due at 990 ms; loose bounds here, the strict figures are in the benchmark.
    assert!(took >= Duration::from_millis(990), "ended early: {took:?}");
    assert!(took < Duration::from_millis(2_500), "ended late: {took:?}");
    assert!(report.lateness.p99_us < 20_000.0, "{}", report.summary());
}

#[test]
fn retried_produce_errors_still_deliver_everything_exactly_once() {
    let cluster = mock("faults");
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
            RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        ],
    );
    cluster
        .broker_round_trip_time(-1, Duration::from_millis(20))
        .unwrap();
    let s = scenario(&scenario_text("faults", 20, 5));
    let plan = plan_of(&s);
    let report = run(
        &s,
        &settings(&cluster.bootstrap_servers(), Pace::Max),
        &Control::default(),
    )
    .unwrap();
    assert!(
        delivery(&report).delivery_latency.p50_us >= 20_000.0,
        "the round-trip delay was not applied: {}",
        report.summary()
    );
    assert_delivered_as_planned(&report, &cluster.bootstrap_servers(), "faults", &plan);
}

/// Waits (bounded) until the run has sent `n` events.
fn wait_sent(control: &Control, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while control.sent.load(Ordering::Relaxed) < n {
        assert!(
            Instant::now() < deadline,
            "the run did not reach {n} sent events"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_broker_going_down_and_up_mid_run_loses_and_duplicates_nothing() {
    let cluster = mock("bounce");
    let bootstrap = cluster.bootstrap_servers();
    let s = scenario(&scenario_text("bounce", 20, 2));
    let plan = plan_of(&s);
    let control = Control::default();
    let runner = {
        let (s, control, settings) = (
            s.clone(),
            control.clone(),
            settings(&bootstrap, Pace::Speed(10.0)),
        );
        std::thread::spawn(move || run(&s, &settings, &control))
    };
    wait_sent(&control, 2_000);
    cluster.broker_down(1).unwrap();
    wait_sent(&control, 6_000);
    cluster.broker_up(1).unwrap();
    let report = runner.join().unwrap().unwrap();
    assert_delivered_as_planned(&report, &bootstrap, "bounce", &plan);
}

#[test]
fn all_brokers_down_past_the_message_timeout_fails_the_undelivered_events() {
    let cluster = mock("down");
    let bootstrap = cluster.bootstrap_servers();
    let s = scenario(&scenario_text("down", 20, 5));
    let control = Control::default();
    let mut settings = settings(&bootstrap, Pace::Speed(10.0));
    settings.properties = vec![Property::flag("message.timeout.ms", "1500")];
    let runner = {
        let (s, control) = (s.clone(), control.clone());
        std::thread::spawn(move || run(&s, &settings, &control))
    };
    wait_sent(&control, 500);
    cluster.broker_down(-1).unwrap();
    let report: Report = runner.join().unwrap().unwrap();
    assert!(!report.all_delivered());
    assert!(delivery(&report).failed > 0, "{}", report.summary());
    assert_eq!(
        delivery(&report).delivered + delivery(&report).failed,
        report.planned_messages,
        "{}",
        report.summary()
    );
    assert_eq!(delivery(&report).undelivered, 0);
    assert!(
        delivery(&report)
            .failures
            .keys()
            .any(|e| e.contains("timed out")),
        "{:?}",
        delivery(&report).failures
    );
    cluster.broker_up(-1).unwrap();
    let read = consume(&bootstrap, "down", delivery(&report).delivered as usize);
    assert!(
        read.len() as u64 >= delivery(&report).delivered,
        "reported {} delivered, read {}",
        delivery(&report).delivered,
        read.len()
    );
}

#[test]
fn an_unreachable_broker_fails_within_the_connect_timeout() {
    let started = Instant::now();
    Test::new()
        .line("scenarios/default.yaml --bootstrap-servers 127.0.0.1:1 --connect-timeout 2s")
        .status(1)
        .stderr_contains("cannot reach Kafka at 127.0.0.1:1 (from --bootstrap-servers) within 2s")
        .stderr_contains("Connection refused")
        .run();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(6), "took {took:?}");
}

#[test]
fn a_missing_topic_on_a_broker_that_does_not_create_topics_is_an_error() {
    let cluster = MockCluster::new(1).unwrap();
    Test::new()
        .args([
            "scenarios/default.yaml",
            "--bootstrap-servers",
            &cluster.bootstrap_servers(),
            "--topic",
            "absent",
            "-X",
            "allow.auto.create.topics=false",
            "--connect-timeout",
            "5s",
        ])
        .status(1)
        .stderr_contains("topic `absent` does not exist");
}

#[test]
fn invalid_properties_are_invalid_input() {
    Test::new()
        .line("scenarios/default.yaml --embedded-broker -X no.such.property=1")
        .status(2)
        .stderr_contains("no.such.property");
}

fn signal(child: &std::process::Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Interrupts a paced embedded run a few events in and checks what it reports.
fn interrupted_run(signal_name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let (mut child, mut stderr) = spawn_until_sending(&[
        "scenarios/default.yaml",
        "--embedded-broker",
        "--speed",
        "2",
        "--report",
        report.to_str().unwrap(),
    ]);
    // default.yaml sends its first event at offset 0: wait for half a simulated second more.
    std::thread::sleep(Duration::from_millis(1500));
    let interrupted = Instant::now();
    signal(&child, signal_name);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest}");
    assert!(interrupted.elapsed() < Duration::from_secs(10));
    assert!(rest.contains("interrupted"), "{rest}");
    assert!(
        rest.contains(" events planned as "),
        "no summary in: {rest}"
    );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let n = |k: &str| r[k].as_u64().unwrap();
    // The whole plan keeps its count; what the interrupt kept from being sent is said.
    let whole = std::fs::read_to_string(root().join("tests/golden/default.plan.jsonl"))
        .unwrap()
        .lines()
        .count() as u64;
    assert_eq!(n("planned_messages"), whole, "{r}");
    assert_eq!(r["planned_exact"], true, "{r}");
    assert!(n("sent") > 0 && n("sent") < whole, "{r}");
    assert_eq!(n("not_sent"), whole - n("sent"), "{r}");
    assert_eq!(n("delivered"), n("sent"), "{r}");
    assert_eq!(
        n("delivered") + n("failed") + n("undelivered") + n("not_sent"),
        n("planned_messages"),
        "{r}"
    );
    assert_eq!(r["interrupted"], true);
    assert!(
        rest.contains(&format!(
            ": {whole} events planned as {whole} messages; {} sent, {} not sent (interrupted), ",
            n("sent"),
            n("not_sent")
        )),
        "{rest}"
    );
}

#[test]
fn ctrl_c_flushes_reports_and_exits_130() {
    interrupted_run("INT");
}

#[test]
fn sigterm_does_the_same() {
    interrupted_run("TERM");
}

#[test]
fn ctrl_c_while_connecting_exits_130_at_once() {
    let mut run = Test::new()
        .line("scenarios/default.yaml -b 127.0.0.1:1 --connect-timeout 60s")
        .spawn();
    std::thread::sleep(Duration::from_millis(500)); // inside the connect loop
    interrupt_and_expect_130_within(&mut run.child, Duration::from_secs(5));
}

/// Sends SIGINT and checks that the process exits with 130 within `limit`.
fn interrupt_and_expect_130_within(child: &mut std::process::Child, limit: Duration) {
    let interrupted = Instant::now();
    signal(child, "INT");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let took = interrupted.elapsed();
    assert!(took < limit, "took {took:?} after the interrupt");
}

#[test]
fn a_second_ctrl_c_exits_at_once() {
    let cluster = mock("hang");
    let (mut child, mut stderr) = spawn_until_sending(&[
        "scenarios/default.yaml",
        "--bootstrap-servers",
        &cluster.bootstrap_servers(),
        "--topic",
        "hang",
        "--speed",
        "20",
        "--flush-timeout",
        "60s",
    ]);
    cluster.broker_down(-1).unwrap();
    std::thread::sleep(Duration::from_millis(500)); // events pile up undelivered
    signal(&child, "INT");
    // The first interrupt is taken once the run says it is flushing.
    let mut line = String::new();
    while !line.contains("interrupted: flushing") {
        line.clear();
        if stderr.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
    }
    assert!(
        line.contains("interrupted: flushing"),
        "no flushing message"
    );
    interrupt_and_expect_130_within(&mut child, Duration::from_secs(5));
}

#[test]
fn a_full_local_queue_is_retried_never_dropped() {
    let cluster = mock("tiny");
    let s = scenario(&scenario_text("tiny", 10, 5));
    let plan = plan_of(&s);
    let mut settings = settings(&cluster.bootstrap_servers(), Pace::Max);
    // A queue of 50 messages: the plan's thousands of events must wait for room.
    settings.properties = vec![
        Property::flag("queue.buffering.max.messages", "50"),
        Property::flag("batch.num.messages", "10"),
    ];
    let report = run(&s, &settings, &Control::default()).unwrap();
    assert_delivered_as_planned(&report, &cluster.bootstrap_servers(), "tiny", &plan);
}

#[test]
fn kafka_bootstrap_servers_is_read_from_the_environment() {
    Test::new()
        .args(["scenarios/default.yaml", "--connect-timeout", "1s"])
        .env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
        .status(1)
        .stderr_contains("127.0.0.1:1 (from KAFKA_BOOTSTRAP_SERVERS)");
}

#[test]
fn an_embedded_run_reads_the_topic_back_even_past_its_retention() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("burst.yaml");
    // 200,000 events of ~110 bytes: more than the ~5 MB the mock keeps per partition.
    std::fs::write(
        &file,
        format!("duration: 2s\nstart: {START}\nstreams:\n  - cameras: {{count: 50}}\n    pick: round_robin\n    inter_arrival: {{distribution: constant, interval: 10us}}\n"),
    )
    .unwrap();
    let out = Test::new()
        .arg(&file)
        .line("--max-speed -X linger.ms=5 -X sasl.password=hunter2")
        .arg("--report")
        .arg(dir.path().join("r.json"))
        .status(0)
        .stderr_contains("using an embedded Kafka cluster")
        .stderr_contains("read back: 199999 expected, ")
        .stderr_contains(" 0 missing, 0 duplicated, 0 changed, 0 unexpected, per-key order kept")
        .stderr_contains("deleted by the cluster's retention (counted by offset, not compared)")
        .run();
    let err = stderr_of(&out);
    let text = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(report["delivered"], 199_999);
    // The properties are recorded, so the run can be repeated; secrets are not.
    assert_eq!(
        report["command_line_properties"],
        serde_json::json!([["linger.ms", "5"], ["sasl.password", "***"]])
    );
    assert_eq!(report["producer_properties"]["linger.ms"], "5");
    assert_eq!(report["producer_properties"]["enable.idempotence"], "true");
    assert!(!text.contains("hunter2") && !err.contains("hunter2"));
    // Figures are rounded to what they measure: no 0.026000000000000002.
    let long = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter(|t| t.split_once('.').is_some_and(|(_, f)| f.len() > 6))
        .collect::<Vec<_>>();
    assert!(long.is_empty(), "unrounded figures {long:?} in {text}");
    assert_eq!(report["per_camera"].as_object().unwrap().len(), 50);
    assert_eq!(report["verified"], true);

    // Without keys, which events a partition keeps depends on the partitioner, so the
    // retained ones are counted, not compared with the plan's last ones.
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("streams:", "kafka: {key: none}\nstreams:");
    std::fs::write(&file, text).unwrap();
    Test::new()
        .arg(&file)
        .arg("--max-speed")
        .status(0)
        .stderr_contains(" 0 missing, 0 duplicated, 0 changed, 0 unexpected, per-key order kept");
}

/// Seconds in an `HH:MM:SS` clock.
fn clock_seconds(text: &str) -> u64 {
    text.split(':')
        .map(|p| p.parse::<u64>().unwrap())
        .fold(0, |acc, n| acc * 60 + n)
}

/// Under a terminal (a pty from `script`), the progress bar's clock is simulated time, and
/// says so; wall time is shown apart. At `--speed 30`, a frame 2 s into the run reads
/// about 60 simulated seconds.
#[test]
fn the_progress_bar_shows_simulated_time_labelled_as_such() {
    let out = Test::new()
        .line("scenarios/default.yaml --embedded-broker --speed 30 --duration 90s")
        .terminal()
        .status(0)
        .run();
    let screen = String::from_utf8_lossy(&out.stdout);
    let mut frames = Vec::new();
    for frame in screen.split(['\r', '\n']) {
        let Some(at) = frame.find(" of 00:01:30 simulated") else {
            continue;
        };
        // The first frame is drawn before any event was sent, without wall time.
        let Some(wall_at) = frame.find("wall ").map(|w| w + 5) else {
            continue;
        };
        let simulated = clock_seconds(&frame[at - 8..at]);
        let wall = clock_seconds(&frame[wall_at..wall_at + 8]);
        frames.push((simulated, wall));
    }
    assert!(frames.len() >= 5, "{} frames in:\n{screen}", frames.len());
    for &(simulated, wall) in &frames {
        // Simulated time runs 30 times faster than wall time. Both clocks are whole
        // seconds rounded down, and a frame may be drawn between their updates (100 ms).
        assert!(simulated <= 30 * (wall + 2), "{frames:?}");
        assert!(wall <= simulated / 30 + 1, "{frames:?}");
    }
    let last = frames.last().unwrap();
    assert!(last.0 >= 60 && last.1 <= 3, "{frames:?}");
}

/// Nothing listening on any bootstrap server is an error at once (with the default
/// connect timeout), saying what to check; a given --connect-timeout waits instead (see
/// an_unreachable_broker_fails_within_the_connect_timeout).
#[test]
fn a_port_nobody_listens_on_fails_at_once_and_says_what_to_check() {
    Test::new()
        .line("scenarios/default.yaml --bootstrap-servers 127.0.0.1:1,127.0.0.1:2")
        .status(1)
        .stderr_contains("cannot connect to Kafka at 127.0.0.1:1,127.0.0.1:2 (from --bootstrap-servers): nothing listens there (every bootstrap server refused the connection)")
        .stderr_contains("help: check the host and port")
        .stderr_contains("--connect-timeout 60s")
        .run();
}

#[test]
fn misspelt_properties_and_values_get_hints() {
    Test::new()
        .line("scenarios/default.yaml --embedded-broker -X lingr.ms=5")
        .status(2)
        .stderr_contains("-X lingr.ms=5")
        .stderr_contains("did you mean `linger.ms`?")
        .run();
    Test::new()
        .line("scenarios/default.yaml --embedded-broker -X acks=everything")
        .status(2)
        .stderr_contains("accepted values: `all`, `-1`, `0` or `1`")
        .run();
}

/// A run whose start lies ahead waits for it (as a shard does) and says so, and its
/// messages then carry the planned instants.
#[test]
fn a_start_ahead_is_waited_for() {
    // Far enough ahead that the cluster starts and connects well before it.
    let start = (chrono::Utc::now() + chrono::Duration::seconds(8))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let out = Test::new()
        .args(["scenarios/default.yaml", "--max-speed", "--duration", "5s"])
        .args(["--start", &start])
        .status(0)
        .stderr_contains("for the planned start")
        .stderr_contains(
            "(it lies ahead), then sending as fast as the broker takes it (--max-speed)",
        )
        .run();
    let waited = stderr_of(&out);
    let seconds: f64 = waited
        .split("waiting ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no wait said in: {waited}"));
    assert!(seconds > 0.0 && seconds <= 8.0, "{waited}");
}
