//! `simulate fit`: recordings made from dry-run plans of known scenarios, fitted back.
//! The right distribution family with parameters within a few percent, shared and
//! per-camera arrivals, a daily profile; the fitted file validates and its own dry run
//! passes a two-sample KS test on the gaps and a chi-square on a categorical field
//! against the recording; bad input exits 2 at `file:line`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::*;

/// Runs `scenario` (text) as a dry run and writes its plan as a recording (the format
/// `simulate record` writes: topic, ts, key, payload) into `dir`; returns its path and
/// the plan's values.
pub(crate) fn record(dir: &Path, scenario: &str) -> (PathBuf, Vec<Value>) {
    let path = dir.join("original.yaml");
    std::fs::write(&path, scenario).unwrap();
    let lines = plan_lines(&path);
    let mut text = String::new();
    for (i, line) in lines.iter().enumerate() {
        let message = serde_json::json!({"topic": line["topic"], "partition": 0, "offset": i,
            "tstype": "create", "ts": line["timestamp_ms"], "key": line["key"],
            "headers": headers(&line["headers"]), "payload": line["value"].to_string()});
        text.push_str(&message.to_string());
        text.push('\n');
    }
    let recording = dir.join("recording.jsonl");
    std::fs::write(&recording, text).unwrap();
    (recording, lines)
}

/// A plan line's headers (an object) as a recording's pairs.
fn headers(plan: &Value) -> Vec<Value> {
    plan.as_object()
        .map(|h| h.iter().map(|(k, v)| serde_json::json!([k, v])).collect())
        .unwrap_or_default()
}

/// The `--format plan` lines of a dry run of `scenario`.
pub(crate) fn plan_lines(scenario: &Path) -> Vec<Value> {
    let out = Test::new()
        .arg(scenario)
        .args(["--dry-run", "--format", "plan"])
        .status(0)
        .run();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Fits `recording` into `fitted.yaml` beside it; returns the path and the text.
pub(crate) fn fit(recording: &Path, more: &[&str]) -> (PathBuf, String) {
    let out = recording.with_file_name("fitted.yaml");
    Test::new()
        .arg("fit")
        .arg(recording)
        .args(more)
        .arg("-o")
        .arg(&out)
        .status(0)
        .run();
    let text = std::fs::read_to_string(&out).unwrap();
    (out, text)
}

/// The fitted stream as YAML.
fn stream(text: &str) -> serde_yaml::Value {
    let file: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    file["streams"][0].clone()
}

/// A duration or number parameter in ms (durations) or as is (shapes).
fn param(stream: &serde_yaml::Value, name: &str) -> f64 {
    let value = &stream["inter_arrival"][name];
    match value.as_f64() {
        Some(x) => x,
        None => {
            let text = value.as_str().unwrap();
            let ns = simulate::scenario::duration::parse(text).unwrap().0;
            ns as f64 / 1e6
        }
    }
}

fn within(got: f64, want: f64, share: f64) -> bool {
    (got - want).abs() <= share * want.abs()
}

/// The gaps between the plan's consecutive timestamps, in ms.
fn gaps(lines: &[Value]) -> Vec<f64> {
    let ts: Vec<i64> = lines
        .iter()
        .map(|l| l["timestamp_ms"].as_i64().unwrap())
        .collect();
    ts.windows(2).map(|w| (w[1] - w[0]) as f64).collect()
}

/// The two-sample Kolmogorov–Smirnov p-value (the asymptotic distribution).
fn ks_two_sample(mut a: Vec<f64>, mut b: Vec<f64>) -> f64 {
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0, 0, 0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    let lambda = d * (n * m / (n + m)).sqrt();
    let sum: f64 = (1..100)
        .map(|k| {
            let k = k as f64;
            2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * lambda * lambda).exp()
        })
        .sum();
    sum.clamp(0.0, 1.0)
}

/// A scenario of about 50,000 events on `cameras` with `inter_arrival` and `mean_ms`.
fn scenario_of(cameras: &str, arrivals: &str, inter_arrival: &str, mean_ms: f64) -> String {
    let duration_s = (mean_ms * 50_000.0 / 1000.0).round() as u64;
    format!(
        "duration: {duration_s}s\nstart: 2026-01-01T08:00:00Z\nstreams:\n  - cameras: {cameras}\n    arrivals: {arrivals}\n    inter_arrival: {inter_arrival}\n"
    )
}

/// Fits a shared stream of `inter_arrival` and checks the family and its parameters.
fn recognised(
    family: &str,
    inter_arrival: &str,
    mean_ms: f64,
    want: &[(&str, f64)],
    cameras: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let (recording, _) = record(
        dir.path(),
        &scenario_of(cameras, "shared", inter_arrival, mean_ms),
    );
    let (_, text) = fit(&recording, &[]);
    let s = stream(&text);
    assert_eq!(
        s["inter_arrival"]["distribution"].as_str(),
        Some(family),
        "{text}"
    );
    assert_eq!(s["arrivals"].as_str(), Some("shared"), "{text}");
    for (name, value) in want {
        let got = param(&s, name);
        assert!(
            within(got, *value, 0.03),
            "{name}: {got} for {value}\n{text}"
        );
    }
}

const THREE: &str = "[1000, 1001, 1002]";

#[test]
fn fit_finds_constant_gaps() {
    recognised(
        "constant",
        "{distribution: constant, interval: 500ms}",
        500.0,
        &[("interval", 500.0)],
        THREE,
    );
}

#[test]
fn fit_finds_uniform_gaps() {
    let want = [("min", 100.0), ("max", 1000.0)];
    recognised(
        "uniform",
        "{distribution: uniform, min: 100ms, max: 1s}",
        550.0,
        &want,
        THREE,
    );
}

#[test]
fn fit_finds_exponential_gaps() {
    // One camera: with several, a Poisson stream is as well one process per camera.
    recognised(
        "exponential",
        "{distribution: exponential, mean: 700ms}",
        700.0,
        &[("mean", 700.0)],
        "[7]",
    );
}

#[test]
fn fit_finds_normal_gaps() {
    let want = [("mean", 1000.0), ("std_dev", 200.0)];
    recognised(
        "normal",
        "{distribution: normal, mean: 1s, std_dev: 200ms}",
        1000.0,
        &want,
        THREE,
    );
}

#[test]
fn fit_finds_lognormal_gaps() {
    let want = [("mean", 800.0), ("std_dev", 400.0)];
    recognised(
        "lognormal",
        "{distribution: lognormal, mean: 800ms, std_dev: 400ms}",
        800.0,
        &want,
        THREE,
    );
}

#[test]
fn fit_finds_gamma_gaps() {
    let want = [("shape", 3.0), ("mean", 700.0)];
    recognised(
        "gamma",
        "{distribution: gamma, shape: 3, mean: 700ms}",
        700.0,
        &want,
        THREE,
    );
}

#[test]
fn fit_finds_weibull_gaps() {
    let want = [("shape", 2.0), ("scale", 900.0)];
    recognised(
        "weibull",
        "{distribution: weibull, shape: 2, scale: 900ms}",
        800.0,
        &want,
        THREE,
    );
}

#[test]
fn fit_finds_pareto_gaps() {
    let want = [("shape", 3.0), ("scale", 200.0)];
    recognised(
        "pareto",
        "{distribution: pareto, shape: 3, scale: 200ms}",
        300.0,
        &want,
        THREE,
    );
}

#[test]
fn fit_tells_per_camera_processes_from_a_shared_one() {
    let dir = tempfile::tempdir().unwrap();
    let cameras = "{count: 5, first: 2000}";
    let uniform = "{distribution: uniform, min: 1s, max: 3s}";
    let (recording, _) = record(
        dir.path(),
        &scenario_of(cameras, "per_camera", uniform, 400.0),
    );
    let (_, text) = fit(&recording, &[]);
    let s = stream(&text);
    assert_eq!(s["arrivals"].as_str(), Some("per_camera"), "{text}");
    assert_eq!(
        s["inter_arrival"]["distribution"].as_str(),
        Some("uniform"),
        "{text}"
    );
    assert!(within(param(&s, "min"), 1000.0, 0.02) && within(param(&s, "max"), 3000.0, 0.02));
    assert_eq!(s["cameras"].as_sequence().unwrap().len(), 5);
    assert_eq!(
        s["cameras"][0].as_i64(),
        Some(2000),
        "integer ids stay integers"
    );
}

#[test]
fn fit_weighs_cameras_whose_shares_differ() {
    let dir = tempfile::tempdir().unwrap();
    let text = "duration: 5h\nstart: 2026-01-01T08:00:00Z\nstreams:\n  - cameras: [a, b, c]\n    pick: {weights: [6, 3, 1]}\n    inter_arrival: {distribution: uniform, min: 100ms, max: 600ms}\n";
    let (recording, lines) = record(dir.path(), text);
    let (_, fitted) = fit(&recording, &[]);
    let s = stream(&fitted);
    let weights: Vec<f64> = s["pick"]["weights"]
        .as_sequence()
        .unwrap_or_else(|| panic!("{fitted}"))
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    let n = lines.len() as f64;
    assert!(
        within(weights[0] / n, 0.6, 0.05) && within(weights[2] / n, 0.1, 0.1),
        "{fitted}"
    );
    assert_eq!(s["cameras"][0].as_str(), Some("a"));
}

#[test]
fn fit_finds_a_daily_profile() {
    let dir = tempfile::tempdir().unwrap();
    let text = "duration: 72h\nstart: 2026-01-01T00:00:00Z\nstreams:\n  - cameras: [1, 2]\n    inter_arrival: {distribution: exponential, mean: 5s}\n    rate:\n      points: [{at: 0s, factor: 0.2}, {at: 8h, factor: 1}, {at: 12h, factor: 3}, {at: 18h, factor: 1}, {at: 24h, factor: 0.2}]\n      repeat: 24h\n";
    let (recording, lines) = record(dir.path(), text);
    let (path, fitted) = fit(&recording, &[]);
    let s = stream(&fitted);
    assert_eq!(s["rate"]["repeat"].as_str(), Some("24h"), "{fitted}");
    assert_eq!(
        s["inter_arrival"]["distribution"].as_str(),
        Some("exponential"),
        "{fitted}"
    );
    let factors: Vec<f64> = s["rate"]["points"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| p["factor"].as_f64().unwrap())
        .collect();
    let (night, noon) = (factors[0], factors[factors.len() / 2]);
    assert!(
        within(noon / night, 3.0 / 0.2, 0.25),
        "{noon} / {night}\n{fitted}"
    );
    // The fitted scenario's dry run has as many events, and as busy noons.
    let replayed = plan_lines(&path);
    assert!(
        within(replayed.len() as f64, lines.len() as f64, 0.03),
        "{} {}",
        replayed.len(),
        lines.len()
    );
}

/// How often each value of `field` occurs among the plan's values.
fn counts(lines: &[Value], field: &str) -> std::collections::BTreeMap<String, f64> {
    let mut out = std::collections::BTreeMap::new();
    for line in lines {
        *out.entry(line["value"][field].to_string()).or_insert(0.0) += 1.0;
    }
    out
}

/// The (min, max) of a numeric field among the plan's values.
fn range(lines: &[Value], field: &str) -> (f64, f64) {
    let values = lines.iter().map(|l| l["value"][field].as_f64().unwrap());
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    })
}

#[test]
fn fit_writes_a_scenario_whose_dry_run_plays_like_the_recording() {
    let dir = tempfile::tempdir().unwrap();
    let original = "duration: 10h\nstart: 2026-01-01T08:00:00Z\ntopic: detections\nstreams:\n  - cameras: [{id: 1000, zone: hall}, {id: 1001, zone: hall}, {id: 1002, zone: door}]\n    inter_arrival: {distribution: gamma, shape: 3, mean: 700ms}\n    headers: {source: simulate, kind: {field: kind}}\n    payload:\n      event_id: {gen: event_id}\n      ts: {gen: timestamp, format: epoch_ms}\n      camera_id: {gen: camera_id}\n      zone: {gen: camera, attribute: zone}\n      kind: {gen: choice, values: [motion, person, vehicle], weights: [6, 3, 1]}\n      confidence: {gen: float, min: 0.5, max: 1.0, decimals: 3}\n      people: {gen: int, min: 0, max: 12}\n      frame: {gen: sequence, start: 0}\n      schema_version: 2\n      bbox: {x: {gen: int, min: 0, max: 1919}}\n";
    let (recording, lines) = record(dir.path(), original);
    let (path, text) = fit(&recording, &[]);
    Test::new().arg("validate").arg(&path).status(0).run();
    let file: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(file["topic"].as_str(), Some("detections"));
    assert_eq!(file["seed"].as_i64(), Some(0));
    let first = lines[0]["timestamp_ms"].as_i64().unwrap();
    let start = chrono::DateTime::parse_from_rfc3339(file["start"].as_str().unwrap()).unwrap();
    assert_eq!(start.timestamp_millis(), first);
    let payload = &file["streams"][0]["payload"];
    assert_eq!(payload["event_id"]["gen"].as_str(), Some("event_id"));
    assert_eq!(payload["ts"]["format"].as_str(), Some("epoch_ms"));
    assert_eq!(payload["frame"]["gen"].as_str(), Some("sequence"));
    assert_eq!(payload["schema_version"].as_i64(), Some(2));
    assert_eq!(payload["zone"]["gen"].as_str(), Some("camera"), "{text}");
    let stream = &file["streams"][0];
    assert_eq!(
        stream["cameras"][2]["zone"].as_str(),
        Some("door"),
        "{text}"
    );
    assert_eq!(
        stream["headers"]["source"].as_str(),
        Some("simulate"),
        "{text}"
    );
    assert_eq!(
        stream["headers"]["kind"]["field"].as_str(),
        Some("kind"),
        "{text}"
    );
    let replayed = plan_lines(&path);
    assert!(within(replayed.len() as f64, lines.len() as f64, 0.03));
    let p = ks_two_sample(gaps(&lines), gaps(&replayed));
    assert!(p > 0.01, "two-sample KS p = {p}\n{text}");
    // A chi-square on `kind` (2 df; 13.8 is the 0.1 % critical value).
    let (want, got) = (counts(&lines, "kind"), counts(&replayed, "kind"));
    assert_eq!(
        want.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>()
    );
    let scale = replayed.len() as f64 / lines.len() as f64;
    let chi: f64 = want
        .iter()
        .map(|(k, w)| (got[k] - w * scale).powi(2) / (w * scale))
        .sum();
    assert!(chi < 13.8, "chi-square {chi}: {want:?} {got:?}");
    for field in ["people", "confidence"] {
        let ((lo, hi), (flo, fhi)) = (range(&lines, field), range(&replayed, field));
        assert!(
            flo >= lo && fhi <= hi,
            "{field}: {flo}..{fhi} outside {lo}..{hi}"
        );
        let (wmin, wmax) = (
            payload[field]["min"].as_f64().unwrap(),
            payload[field]["max"].as_f64().unwrap(),
        );
        assert!(
            wmin <= lo && wmax >= hi,
            "{field}: {wmin}..{wmax} does not cover {lo}..{hi}"
        );
    }
}

#[test]
fn fit_reads_plain_json_lines_with_a_time_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.jsonl");
    let lines: String = (0..300)
        .map(|i| {
            format!(
                "{{\"when\": {}, \"cam\": \"door-{}\", \"level\": {}}}\n",
                1_767_254_400_000i64 + i * 1000 + (i * 37) % 500,
                i % 2,
                i % 5
            )
        })
        .collect();
    std::fs::write(&path, lines).unwrap();
    let (fitted, text) = fit(&path, &["--time-field", "when", "--camera-field", "cam"]);
    assert!(text.contains("cameras: [\"door-0\", \"door-1\"]"), "{text}");
    assert!(text.contains("cam: {gen: camera_id}"), "{text}");
    Test::new().arg("validate").arg(&fitted).status(0).run();
}

#[test]
fn fit_sorts_out_of_order_timestamps_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rec.jsonl");
    let ts = [1000, 3000, 2000, 4000, 6000, 5000, 7000, 8500];
    let text: String = ts
        .iter()
        .map(|t| {
            format!(
                "{{\"ts\": {}, \"key\": \"1\", \"payload\": \"{{}}\"}}\n",
                1_767_254_400_000i64 + t
            )
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    Test::new()
        .args(["fit"])
        .arg(&path)
        .status(0)
        .stderr_contains(
            "timestamps out of order (before one read above them on their partition): 2;",
        )
        .stdout_contains("streams:")
        .run();
    // Partitions interleave in a recording: each in order is no warning.
    let text: String = ts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let partition = u8::from(i == 2 || i == 5);
            format!(
                "{{\"partition\": {partition}, \"ts\": {}, \"key\": \"1\", \"payload\": \"{{}}\"}}\n",
                1_767_254_400_000i64 + t
            )
        })
        .collect();
    std::fs::write(&path, text).unwrap();
    Test::new()
        .args(["fit"])
        .arg(&path)
        .status(0)
        .stderr_lacks("out of order")
        .stdout_contains("streams:")
        .run();
}

#[test]
fn fit_refuses_bad_input_with_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"ts\": 1, \"key\": \"1\"}\n{\"ts\": 2, \"key\": \"1\"}\nnot json\n",
    )
    .unwrap();
    Test::new()
        .arg("fit")
        .arg(&bad)
        .status(2)
        .stderr_contains("bad.jsonl:3: not a JSON object")
        .stderr_contains("--time-field")
        .run();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "\n").unwrap();
    Test::new()
        .arg("fit")
        .arg(&empty)
        .status(2)
        .stderr_contains("empty.jsonl: 0 events")
        .run();
    Test::new()
        .args(["fit", "no/such/recording.jsonl"])
        .status(2)
        .stderr_contains("no/such/recording.jsonl: cannot read the recording: no such file")
        .run();
    let plain = dir.path().join("plain.jsonl");
    std::fs::write(&plain, "{\"at\": 1, \"camera_id\": 3}\n").unwrap();
    Test::new()
        .arg("fit")
        .arg(&plain)
        .args(["--time-field", "when"])
        .status(2)
        .stderr_contains("plain.jsonl:1: no `when` field (--time-field)")
        .run();
    let no_camera = dir.path().join("keyless.jsonl");
    std::fs::write(&no_camera, "{\"ts\": 5, \"payload\": \"{}\"}\n").unwrap();
    Test::new()
        .arg("fit")
        .arg(&no_camera)
        .status(2)
        .stderr_contains("keyless.jsonl:1: no camera")
        .run();
}

#[test]
fn fit_reads_kcat_output_and_a_time_field_inside_a_recording() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kcat.jsonl");
    // kcat -C -J: flat headers, a broker field; the payload's `at` is an RFC 3339 instant
    // two hours after the message timestamp.
    let lines: String = (0..400i64)
        .map(|i| {
            let ts = 1_767_254_400_000 + i * 800 + (i * 53) % 300;
            let at = chrono::DateTime::from_timestamp_millis(ts + 7_200_000).unwrap();
            let payload = format!(
                r#"{{"at":"{}","n":{i}}}"#,
                at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            );
            let key = ["north", "south"][i as usize % 2];
            serde_json::json!({"topic": "cams", "partition": 0, "offset": i, "tstype": "create",
                "ts": ts, "broker": 1, "key": key,
                "headers": ["src", "gate"], "payload": payload})
            .to_string()
                + "\n"
        })
        .collect();
    std::fs::write(&path, lines).unwrap();
    let (_, text) = fit(&path, &[]);
    assert!(text.contains("cameras: [\"north\", \"south\"]"), "{text}");
    assert!(text.contains("headers: {src: \"gate\"}"), "{text}");
    assert!(text.contains("topic: \"cams\""), "{text}");
    assert!(text.contains("start: 2026-01-01T08:00:00.000Z"), "{text}");
    let (_, text) = fit(&path, &["--time-field", "at"]);
    assert!(text.contains("start: 2026-01-01T10:00:00.000Z"), "{text}");
}
