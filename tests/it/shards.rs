//! Shards: the union of the n shards' messages, merged in send order, is byte for byte
//! the single run, for every example scenario and n = 1…8 (rate profiles, payloads and
//! faults included) and as a property over generated scenarios; shards are balanced; and
//! sharding without a shared start is refused.

use chrono::Timelike;
use quickcheck::{QuickCheck, TestResult};
use simulate::plan::shard::shard_of;
use simulate::plan::{Mark, Plan};
use simulate::scenario::model::CameraId;
use simulate::scenario::{Scenario, Shard};
use simulate::sink::stdout::Format;

use crate::common::*;
use crate::properties::GenScenario;

/// The scenario as shard `index` of `count` sees it.
fn sharded(s: &Scenario, index: u32, count: u32) -> Scenario {
    let mut s = s.clone();
    s.shard = Some(Shard { index, count });
    s
}

/// A message's place in the send order: (send, event, stream, camera, second copy).
type Order = (u64, u64, u32, u32, bool);

/// Each sent message's place in the send order, with its plan line.
fn keyed_lines(s: &Scenario) -> Vec<(Order, String)> {
    let keys = Plan::new(s).filter(|m| m.mark.is_sent()).map(|m| {
        let e = m.event;
        let copy = matches!(m.mark, Mark::Duplicate { .. });
        (m.send_ns, e.offset_ns, e.stream, e.camera, copy)
    });
    let lines = render(s, Format::Plan);
    let keyed: Vec<_> = keys.zip(lines.lines().map(str::to_string)).collect();
    assert_eq!(keyed.len(), lines.lines().count());
    keyed
}

/// The n shards' plan lines, merged by send order.
fn union(s: &Scenario, count: u32) -> (String, Vec<usize>) {
    let mut all = Vec::new();
    let mut sizes = Vec::new();
    for index in 0..count {
        let lines = keyed_lines(&sharded(s, index, count));
        sizes.push(lines.len());
        all.extend(lines);
    }
    all.sort_by_key(|(order, _)| *order);
    let mut text = String::new();
    for (_, line) in all {
        text.push_str(&line);
        text.push('\n');
    }
    (text, sizes)
}

#[test]
fn the_union_of_the_shards_is_the_single_run() {
    for path in example_scenarios() {
        let overrides = simulate::scenario::Overrides {
            start: Some(start()),
            ..Default::default()
        };
        let s = simulate::scenario::load_file(&path, &overrides).unwrap();
        let single = render(&s, Format::Plan);
        for count in 1..=8 {
            let (merged, sizes) = union(&s, count);
            assert!(
                merged == single,
                "{} with {count} shards differs from the single run",
                path.display()
            );
            let cameras: usize = s.streams.iter().map(|st| st.cameras.len()).sum();
            if count == 4 && cameras >= 20 {
                assert!(
                    sizes.iter().filter(|&&n| n > 0).count() >= 2,
                    "{}: {sizes:?}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn the_union_property_holds_for_generated_scenarios() {
    fn property(g: GenScenario, n: u8) -> TestResult {
        let count = u32::from(n % 8) + 1;
        let s = scenario(&g.yaml());
        TestResult::from_bool(union(&s, count).0 == render(&s, Format::Plan))
    }
    QuickCheck::new()
        .tests(60)
        .quickcheck(property as fn(GenScenario, u8) -> TestResult);
}

/// 100,000 cameras over 8 shards: each holds 12.5 % ± 1 % (a binomial standard deviation
/// is 0.1 %: a hash that favoured one shard by 1 % would fail).
#[test]
fn shards_are_balanced() {
    let mut counts = [0u32; 8];
    for id in 0..100_000i64 {
        counts[shard_of(&CameraId::Int(100_000 + id), 8) as usize] += 1;
    }
    for (k, &c) in counts.iter().enumerate() {
        assert!((11_500..=13_500).contains(&c), "shard {k}: {c} of 100,000");
    }
    let mut text = [0u32; 8];
    for id in 0..100_000 {
        text[shard_of(&CameraId::Text(format!("cam-{id:06}")), 8) as usize] += 1;
    }
    assert!(
        text.iter().all(|c| (11_500..=13_500).contains(c)),
        "{text:?}"
    );
}

/// A shard draws only its own per-camera processes.
#[test]
fn a_shard_draws_only_its_own_processes() {
    let s = scenario(
        "duration: 10s\nstart: 2026-01-01T00:00:00Z\nstreams:\n  - cameras: {count: 1000}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1s}\n",
    );
    let shard = sharded(&s, 1, 4);
    let drawn = simulate::plan::process::processes(&shard).len();
    assert!((200..300).contains(&drawn), "{drawn} of 1000 processes");
}

#[test]
fn sharding_needs_a_shared_start() {
    Test::new()
        .args(["scenarios/default.yaml", "--dry-run", "--shard", "0/2"])
        .status(2)
        .stderr_contains("--shard")
        .stderr_contains("needs a start instant")
        .stderr_contains("--start");
    for bad in ["2/2", "1", "a/b", "0/0"] {
        Test::new()
            .line("scenarios/default.yaml --dry-run --start")
            .args([START, "--shard", bad])
            .status(2);
    }
    // Commands that plan nothing ignore SIMULATE_SHARD, however it is set.
    Test::new()
        .args(["validate", "scenarios/default.yaml"])
        .env("SIMULATE_SHARD", "not-a-shard")
        .status(0);
    // The environment stands for the flag.
    let mut printed = 0;
    for shard in ["0/2", "1/2"] {
        let with_flag = Test::new()
            .line("scenarios/default.yaml --dry-run --start")
            .args([START, "--shard", shard])
            .status(0)
            .run();
        Test::new()
            .args(["scenarios/default.yaml", "--dry-run", "--start", START])
            .env("SIMULATE_SHARD", shard)
            .stdout_is(&with_flag.stdout);
        printed += with_flag.stdout.len();
    }
    assert!(printed > 0);
    // `next:1m` is a shared start: the next whole minute (shown by the shard that owns
    // camera 1000, so that it prints events).
    let owner = format!("{}/2", shard_of(&CameraId::Int(1000), 2));
    let out = Test::new()
        .line("scenarios/default.yaml --dry-run --format plan --start next:1m --shard")
        .arg(&owner)
        .status(0)
        .run();
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    let start_ms =
        first["timestamp_ms"].as_i64().unwrap() - first["offset_us"].as_i64().unwrap() / 1000;
    assert!(start_ms.rem_euclid(60_000) <= 1, "{start_ms}");
}

/// Three shards of the default scenario, each run into its own embedded cluster with a
/// report; `simulate report merge` sums them into the single run's counts, merges the
/// histograms (samples add up; percentiles recomputed, not averaged) and refuses a shard
/// given twice or a set with one missing.
#[test]
fn shard_reports_merge_into_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = |k: u32| dir.path().join(format!("shard-{k}.json"));
    for k in 0..3 {
        Test::new()
            .line("scenarios/default.yaml --embedded-broker --max-speed --quiet --start")
            .args([START, "--shard", &format!("{k}/3"), "--report"])
            .arg(path(k))
            .status(0);
    }
    let read = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let shards: Vec<serde_json::Value> = (0..3).map(|k| read(&path(k))).collect();
    assert_eq!(shards[2]["shard"], "2/3");
    let total = dir.path().join("total.json");
    let files: Vec<String> = (0..3).map(|k| path(k).display().to_string()).collect();
    let mut args = vec!["report", "merge"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--report", total.to_str().unwrap()]);
    Test::new().args(&args).status(0).stderr_starts_with(
        "default (3 shards merged): 341 events planned as 341 messages; 341 sent",
    );
    let merged = read(&total);
    let single = render(
        &simulate::scenario::load_file(
            &root().join("scenarios/default.yaml"),
            &simulate::scenario::Overrides {
                start: Some(start()),
                ..Default::default()
            },
        )
        .unwrap(),
        Format::Values,
    )
    .lines()
    .count() as u64;
    let sum = |field: &str| {
        shards
            .iter()
            .map(|s| s[field].as_u64().unwrap())
            .sum::<u64>()
    };
    assert_eq!(merged["planned_messages"], single);
    assert_eq!(merged["delivered"], sum("delivered"));
    assert_eq!(merged["delivered"], single);
    assert_eq!(merged["merged_shards"], 3);
    let per_camera: u64 = merged["per_camera"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(per_camera, single);
    let samples = |r: &serde_json::Value, h: &str| r[h]["samples"].as_u64().unwrap();
    assert_eq!(
        samples(&merged, "delivery_latency"),
        shards
            .iter()
            .map(|s| samples(s, "delivery_latency"))
            .sum::<u64>()
    );
    let max = |r: &serde_json::Value| r["delivery_latency"]["max_us"].as_f64().unwrap();
    assert_eq!(
        max(&merged),
        shards.iter().map(max).fold(0.0, f64::max),
        "the merged max is the largest shard's"
    );
    assert_eq!(merged["verified"], true, "every shard's read-back passed");
    // A shard never checked makes the merged check unknown, not passed.
    let mut unchecked = shards[1].clone();
    unchecked["verified"] = serde_json::Value::Null;
    let unchecked_path = dir.path().join("unchecked.json");
    std::fs::write(&unchecked_path, unchecked.to_string()).unwrap();
    let partial = dir.path().join("partial.json");
    Test::new()
        .args(["report", "merge", &files[0]])
        .arg(&unchecked_path)
        .args([files[2].as_str(), "--report"])
        .arg(&partial)
        .status(0);
    assert_eq!(read(&partial)["verified"], serde_json::Value::Null);
    // A report without the buckets of its percentiles (an older version's) is refused.
    let busiest = (0..3)
        .max_by_key(|&k| samples(&shards[k], "delivery_latency"))
        .unwrap();
    let mut old = shards[busiest].clone();
    assert!(samples(&old, "delivery_latency") > 0);
    old["delivery_latency_histogram"] = serde_json::json!({"buckets": [], "max_ns": 0});
    let old_path = dir.path().join("old.json");
    std::fs::write(&old_path, old.to_string()).unwrap();
    let mut given: Vec<String> = (0..3)
        .filter(|&k| k != busiest)
        .map(|k| files[k].clone())
        .collect();
    given.push(old_path.display().to_string());
    let mut merge = vec!["report", "merge"];
    merge.extend(given.iter().map(String::as_str));
    Test::new()
        .args(&merge)
        .status(2)
        .stderr_contains("histogram buckets for 0");
    // Refused: a shard given twice, and a set with one missing.
    Test::new()
        .args(["report", "merge"])
        .args([&files[0], &files[0], &files[1]])
        .status(2)
        .stderr_contains("both claim shard 0/3");
    Test::new()
        .args(["report", "merge"])
        .args([&files[0], &files[2]])
        .status(2)
        .stderr_contains("incomplete: 2 of 3 reports given; missing shard 1");
}

/// A shard whose shared start lies ahead waits for it, so shards launched apart begin
/// together; the run ends after that instant. (The start is 15 s ahead, far more than a
/// launch takes even on a loaded machine.)
#[test]
fn a_shard_waits_for_a_shared_start_ahead() {
    let ahead = chrono::Utc::now() + chrono::Duration::seconds(15);
    let start = ahead.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let owner = format!("{}/2", shard_of(&CameraId::Int(1000), 2));
    let out = Test::new()
        .line("scenarios/default.yaml --embedded-broker --max-speed --shard")
        .args([&owner, "--start", &start, "--duration", "5s"])
        .status(0)
        .run();
    let ended = chrono::Utc::now();
    let err = stderr_of(&out);
    let line = err
        .lines()
        .find(|l| l.contains("for the shared start"))
        .unwrap_or_else(|| panic!("no wait announced: {err}"));
    assert!(line.ends_with(&start), "{line}");
    assert!(
        ended >= ahead.with_nanosecond(0).unwrap(),
        "ended {ended} before the start {start}"
    );
}
