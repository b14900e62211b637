//! `simulate score`: a pipeline's aggregates against the truth. Files written from the
//! truth JSON (as `simulate truth` prints it) score 100 %; files with known errors score
//! exactly those; every group (camera, a camera attribute, none) and measure (counts,
//! entities, occupancy) is scored; bad input exits 2.
//!
//! With a broker configured (see `real_broker.rs`), tests/e2e/count_pipeline.py, an
//! independent pipeline (kafka-python), counts clean events per minute and camera, once
//! correct and once with each bug (off-by-one windows, counted duplicates), over a dry
//! run's values and through Tansu (`pipeline.rs`); the score must say exactly what is
//! computed here from the truth JSON on its own ([`judge`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::*;

mod pipeline;

const DIRTY: &str = "scenarios/dirty.yaml";
/// One minute in ms: the windows' length.
const MIN: i64 = 60_000;
/// 2026-01-01T00:00:00Z in ms.
const T0: i64 = 1_767_225_600_000;

/// The truth JSON of `path` from [`START`].
fn truth(path: &str) -> Value {
    let out = Test::new()
        .args(["truth", path, "--start", START])
        .status(0)
        .run();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A camera id or a zone as text.
fn text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// Per (window start ms, camera id as text), the truth's clean count on `topic` (every
/// topic when `None`).
fn counts(truth: &Value, topic: Option<&str>) -> BTreeMap<(i64, String), i64> {
    let mut counts = BTreeMap::new();
    for w in truth["windows"].as_array().unwrap() {
        if topic.is_some_and(|t| w["topic"] != t) {
            continue;
        }
        let key = (
            w["window_start_ms"].as_i64().unwrap(),
            text(&w["camera_id"]),
        );
        *counts.entry(key).or_default() += w["count"].as_i64().unwrap();
    }
    counts
}

/// A window start as the pipeline writes it: `ms`, `s` or `rfc3339`.
fn window(ms: i64, format: &str) -> Value {
    match format {
        "ms" => json!(ms),
        "s" => json!(ms / 1000),
        _ => json!(
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string()
        ),
    }
}

/// Records `{window_start, <group>, count}` of `values`, with window starts in `format`.
fn records(values: &BTreeMap<(i64, String), i64>, group: &str, format: &str) -> Vec<String> {
    values
        .iter()
        .map(|((w, g), n)| json!({"window_start": window(*w, format), group: g, "count": n}))
        .map(|v| v.to_string())
        .collect()
}

/// Writes `lines` to `name` in `dir`.
fn write(dir: &tempfile::TempDir, name: &str, lines: &[String]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// `simulate score DIRTY --start START --input FILE --report REPORT` and `more`.
fn score(input: &Path, report: &Path, more: &[&str]) -> Test {
    Test::new()
        .args(["score", DIRTY, "--start", START, "--input"])
        .arg(input)
        .arg("--report")
        .arg(report)
        .args(more)
}

fn read_report(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The verdict of a score: right, wrong, missing, extra, the mean and largest absolute
/// error.
#[derive(Debug, PartialEq)]
struct Verdict {
    right: u64,
    wrong: u64,
    missing: u64,
    extra: u64,
    mae: f64,
    max: f64,
}

impl Verdict {
    fn of(report: &Value) -> Verdict {
        let n = |k: &str| report[k].as_u64().unwrap();
        Verdict {
            right: n("right"),
            wrong: n("wrong"),
            missing: n("missing"),
            extra: n("extra"),
            mae: report["mae"].as_f64().unwrap(),
            max: report["max_error"].as_f64().unwrap(),
        }
    }

    fn assert_eq(&self, want: &Verdict) {
        let close = (self.mae - want.mae).abs() < 1e-9;
        let rest = |v: &Verdict| (v.right, v.wrong, v.missing, v.extra, v.max);
        assert!(
            close && rest(self) == rest(want),
            "scored {self:?}, expected {want:?}"
        );
    }
}

/// What a score must say of `got` against `truth` (both per window and group), the
/// windows of the run `[first, end)`, computed here on its own: every window either
/// has, an absent value counting as 0; a window the truth has (above 0) and `got` not is
/// missing; one `got` has (above 0) and the truth not is extra; the others are right
/// when equal, wrong otherwise.
fn judge(
    truth: &BTreeMap<(i64, String), i64>,
    got: &BTreeMap<(i64, String), i64>,
    (first, end): (i64, i64),
) -> Verdict {
    let mut v = Verdict {
        right: 0,
        wrong: 0,
        missing: 0,
        extra: 0,
        mae: 0.0,
        max: 0.0,
    };
    let mut keys: Vec<&(i64, String)> = truth.keys().chain(got.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.retain(|k| (first..end).contains(&k.0));
    for key in &keys {
        let (t, g) = (truth.get(*key), got.get(*key));
        let error = (g.unwrap_or(&0) - t.unwrap_or(&0)).abs();
        match (t, g) {
            (Some(&t), None) if t > 0 => v.missing += 1,
            (None, Some(&g)) if g != 0 => v.extra += 1,
            _ if error == 0 => v.right += 1,
            _ => v.wrong += 1,
        }
        v.mae += error as f64;
        v.max = v.max.max(error as f64);
    }
    v.mae /= keys.len().max(1) as f64;
    v
}

#[test]
fn the_truth_written_as_a_file_scores_every_window_right_in_each_window_format() {
    let dir = tempfile::tempdir().unwrap();
    let counts = counts(&truth(DIRTY), None);
    assert_eq!(counts.len(), 60, "3 cameras × 20 minutes");
    for (format, named, said) in [
        ("ms", "epoch_ms", "epoch milliseconds"),
        ("s", "epoch_s", "epoch seconds"),
        ("rfc3339", "rfc3339", "RFC 3339"),
    ] {
        let input = write(&dir, "out.jsonl", &records(&counts, "camera_id", format));
        let report = dir.path().join("score.json");
        score(&input, &report, &["--group-field", "camera_id"])
            .status(0)
            .stdout_contains(format!("window starts: {said}"))
            .stdout_contains("windows: 60 right, 0 wrong, 0 missing, 0 extra of 60 (100.0 % right)")
            .stdout_contains("mean absolute error 0, largest 0")
            .run();
        let report = read_report(&report);
        assert_eq!(report["window_format"], named);
        assert_eq!(report["passed"], true);
        assert_eq!(report["worst"], json!([]));
    }
}

#[test]
fn a_file_with_known_errors_scores_exactly_those_errors() {
    let dir = tempfile::tempdir().unwrap();
    let truth_counts = counts(&truth(DIRTY), None);
    let keys: Vec<(i64, String)> = truth_counts.keys().cloned().collect();
    let mut got = truth_counts.clone();
    *got.get_mut(&keys[0]).unwrap() += 3;
    *got.get_mut(&keys[5]).unwrap() -= 2;
    let missing = got.remove(&keys[10]).unwrap();
    got.insert((T0, "9999".into()), 4);
    let mut lines = vec![
        // Replaced by the later record for the same window and camera.
        json!({"window_start": keys[20].0, "camera_id": keys[20].1.parse::<i64>().unwrap(), "count": 1}).to_string(),
        "oops, not JSON".to_string(),
        json!({"window_start": T0, "camera_id": 1000}).to_string(),
        // The run is 20 minutes long: a window at minute 20 lies outside it.
        json!({"window_start": T0 + 20 * MIN, "camera_id": 1000, "count": 9}).to_string(),
    ];
    lines.extend(records(&got, "camera_id", "ms"));
    let input = write(&dir, "out.jsonl", &lines);
    let report_path = dir.path().join("score.json");
    let want = judge(&truth_counts, &got, (T0, T0 + 20 * MIN));
    assert_eq!((want.wrong, want.missing, want.extra), (2, 1, 1));
    score(&input, &report_path, &["--group-field", "camera_id"])
        .status(1)
        .stdout_contains("windows: 57 right, 2 wrong, 1 missing, 1 extra of 61 (93.4 % right)")
        .stdout_contains(
            "records: 64 read, 1 replaced by a later one for the same window and camera, \
             1 outside the run, 2 unreadable",
        )
        .stdout_contains("first unreadable: line 2: not JSON")
        .stdout_contains(format!(
            "{}: truth {missing}, got nothing (missing)",
            keys[10].1
        ))
        .run();
    let report = read_report(&report_path);
    Verdict::of(&report).assert_eq(&want);
    assert_eq!(
        (
            &report["records"],
            &report["replaced"],
            &report["outside_run"],
            &report["unreadable"]
        ),
        (&json!(64), &json!(1), &json!(1), &json!(2))
    );
    let worst: Vec<&str> = report["worst"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(worst.len(), 4, "{worst:?}");
    // Quiet: nothing printed, the verdict in the exit code (and the report).
    score(&input, &report_path, &["--group-field", "camera_id", "-q"])
        .status(1)
        .stdout_empty()
        .run();
    // A tolerance of 3 accepts the two wrong windows, not the missing and extra ones.
    score(
        &input,
        &report_path,
        &["--group-field", "camera_id", "--tolerance", "3"],
    )
    .status(1)
    .stdout_contains(
        "windows: 59 right, 0 wrong, 1 missing, 1 extra of 61 (96.7 % right, tolerance 3)",
    )
    .run();
}

/// `simulate score PATH` with `args` over `lines` (in a file of `dir`).
fn score_lines(dir: &tempfile::TempDir, path: &str, lines: &[String], args: &[&str]) -> Test {
    let input = write(dir, "groups.jsonl", lines);
    Test::new()
        .args(["score", path, "--start", START, "--input"])
        .arg(input)
        .args(args)
}

#[test]
fn a_group_is_a_camera_a_camera_attribute_or_every_camera() {
    let dir = tempfile::tempdir().unwrap();
    let mut all: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for ((w, _), n) in counts(&truth(DIRTY), None) {
        *all.entry((w, String::new())).or_default() += n;
    }
    let lines: Vec<String> = all
        .iter()
        .map(|((w, _), n)| json!({"window_start": w, "count": n}).to_string())
        .collect();
    score_lines(&dir, DIRTY, &lines, &[])
        .status(0)
        .stdout_contains("per window over all cameras")
        .stdout_contains("windows: 20 right, 0 wrong, 0 missing, 0 extra of 20 (100.0 % right)")
        .run();

    // detections.yaml: cameras 1000, 1001 and 1002 in the zones entrance, lobby and
    // parking, on the topic `detections` (its heartbeats, on `heartbeats`, have none).
    let zone_of = BTreeMap::from([("1000", "entrance"), ("1001", "lobby"), ("1002", "parking")]);
    let detections = "scenarios/detections.yaml";
    let mut zones: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for ((w, camera), n) in counts(&truth(detections), Some("detections")) {
        *zones
            .entry((w, zone_of[camera.as_str()].into()))
            .or_default() += n;
    }
    assert_eq!(zones.len(), 30, "3 zones × 10 minutes");
    let lines = records(&zones, "zone", "rfc3339");
    let by_zone = ["--group-field", "zone", "--source-topic", "detections"];
    score_lines(&dir, detections, &lines, &by_zone)
        .status(0)
        .stdout_contains("clean events per window and zone (`zone`)")
        .stdout_contains("windows: 30 right, 0 wrong, 0 missing, 0 extra of 30 (100.0 % right)")
        .run();
    // Without --source-topic the heartbeats count too, and their cameras have no zone.
    score_lines(&dir, detections, &lines, &["--group-field", "zone"])
        .status(2)
        .stderr_contains("camera 1000 of stream `heartbeat` has no attribute `zone`")
        .run();
    // The zones' counts read as camera ids are all extra, the cameras' all missing.
    let as_cameras = ["--group-by", "camera", "--source-topic", "detections"];
    let args = [&by_zone[..2], &as_cameras[..]].concat();
    score_lines(&dir, detections, &lines, &args)
        .status(1)
        .stdout_contains("windows: 0 right, 0 wrong, 30 missing, 30 extra of 60")
        .run();
}

#[test]
fn entities_seen_and_occupancy_are_scored_against_the_entity_truth() {
    let dir = tempfile::tempdir().unwrap();
    let walk = "scenarios/mall-walk.yaml";
    let entities = &truth(walk)["entities"];
    let mut seen = BTreeMap::new();
    for w in entities["windows"].as_array().unwrap() {
        let key = (
            w["window_start_ms"].as_i64().unwrap(),
            text(&w["camera_id"]),
        );
        seen.insert(key, w["seen"].as_i64().unwrap());
    }
    let args = ["--measure", "entities", "--group-field", "camera_id"];
    score_lines(&dir, walk, &records(&seen, "camera_id", "s"), &args)
        .status(0)
        .stdout_contains("measure: distinct entities seen per window and camera")
        .stdout_contains(format!(
            "windows: {0} right, 0 wrong, 0 missing, 0 extra of {0} (100.0 % right)",
            seen.len()
        ))
        .run();
    let (mut zones, mut site) = (BTreeMap::new(), BTreeMap::<(i64, String), i64>::new());
    for o in entities["occupancy"].as_array().unwrap() {
        let (w, n) = (
            o["window_start_ms"].as_i64().unwrap(),
            o["occupancy"].as_i64().unwrap(),
        );
        zones.insert((w, text(&o["zone"])), n);
        *site.entry((w, String::new())).or_default() += n;
    }
    assert_eq!(zones.len(), 40, "4 zones × 10 minutes");
    let mut lines = records(&zones, "zone", "ms");
    score_lines(
        &dir,
        walk,
        &lines,
        &["--measure", "occupancy", "--group-field", "zone"],
    )
    .status(0)
    .stdout_contains("windows: 40 right, 0 wrong, 0 missing, 0 extra of 40 (100.0 % right)")
    .run();
    // One zone's last window off by 2, written after the right one: it replaces it.
    let ((w, zone), n) = zones.iter().next_back().unwrap();
    lines.push(json!({"window_start": w, "zone": zone, "count": n + 2}).to_string());
    score_lines(
        &dir,
        walk,
        &lines,
        &["--measure", "occupancy", "--group-field", "zone"],
    )
    .status(1)
    .stdout_contains("windows: 39 right, 1 wrong, 0 missing, 0 extra of 40")
    .stdout_contains("mean absolute error 0.05, largest 2")
    .run();
    let lines: Vec<String> = site
        .iter()
        .map(|((w, _), n)| json!({"window_start": w, "count": n}).to_string())
        .collect();
    score_lines(&dir, walk, &lines, &["--measure", "occupancy"])
        .status(0)
        .stdout_contains("windows: 10 right, 0 wrong")
        .run();
}

#[test]
fn what_a_score_cannot_answer_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(&dir, "empty.jsonl", &[]);
    let score = |path: &str, args: &[&str]| {
        Test::new()
            .args(["score", path, "--input"])
            .arg(&input)
            .args(args)
    };
    score(DIRTY, &[])
        .status(2)
        .stderr_contains(
            "simulate score needs the run's start to plan what the run sent: give --start",
        )
        .run();
    score(
        DIRTY,
        &[
            "--start",
            START,
            "--measure",
            "entities",
            "--group-field",
            "camera_id",
        ],
    )
    .status(2)
    .stderr_contains("--measure entities needs an entity stream, and `dirty` has none")
    .run();
    score(DIRTY, &["--start", START, "--source-topic", "nope"])
        .status(2)
        .stderr_contains("the scenario writes no topic `nope` (--source-topic): it writes events")
        .run();
    score(DIRTY, &["--start", START, "--tolerance=-1"])
        .status(2)
        .stderr_contains("--tolerance -1 is not an absolute error")
        .run();
    let walk = "scenarios/mall-walk.yaml";
    score(walk, &["--measure", "entities"])
        .status(2)
        .stderr_contains("give --group-field with the camera id")
        .run();
    score(
        walk,
        &[
            "--measure",
            "occupancy",
            "--group-field",
            "camera_id",
            "--group-by",
            "camera",
        ],
    )
    .status(2)
    .stderr_contains("--measure occupancy is per zone")
    .run();
    Test::new()
        .args(["score", DIRTY, "--start", START, "--input", "no/such.jsonl"])
        .status(2)
        .stderr_contains("cannot read --input no/such.jsonl: no such file")
        .run();
    // An empty file: every window missing, a failure, not invalid input.
    score(DIRTY, &["--start", START, "--group-field", "camera_id"])
        .status(1)
        .stdout_contains("windows: 0 right, 0 wrong, 60 missing, 0 extra of 60 (0.0 % right)")
        .run();
}
