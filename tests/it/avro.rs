//! Avro values (issue 24): derived schemas (`simulate schema --avro`), the encoded dry
//! run (`--dry-run --encoded`) decoded by an independent reader (Python `fastavro`), and
//! the checks of the `value:` and `schema_registry` settings.

use std::process::Command;

use crate::common::*;

/// scenarios/detections.yaml with `value: {format: avro, …}` on every stream.
fn avro_detections(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/detections.yaml")).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(indent) = line.strip_suffix(line.trim_start()) {
            if line.trim_start().starts_with("- name: ") && indent == "  " {
                out.push_str("    value: {format: avro, schema: derived, record_name: Detection, namespace: com.example}\n");
            }
        }
    }
    assert_eq!(out.matches("format: avro").count(), 2);
    let path = dir.join("detections.yaml");
    std::fs::write(&path, out).unwrap();
    path
}

fn stdout(args: &[&str]) -> String {
    let out = Test::new().args(args).status(0).run();
    String::from_utf8(out.stdout).unwrap()
}

/// Decodes every encoded value with fastavro by the schema `schema --avro` prints and
/// compares it with the dry run's JSON value (uuid as text, timestamp-millis as ms).
const DECODE: &str = r#"
import base64, io, json, sys, datetime, uuid
from fastavro import parse_schema, schemaless_reader
schemas, plan, encoded = (open(p).read() for p in sys.argv[1:4])
schemas = json.loads(schemas)
plan = [json.loads(l) for l in plan.splitlines()]
encoded = encoded.splitlines()
assert len(plan) == len(encoded), (len(plan), len(encoded))
# One subject: the schema itself; more: an object from subject (`<topic>-value`) to schema.
if "type" in schemas:
    schemas = {line["topic"] + "-value": schemas for line in plan}
parsed = {t[:-len("-value")]: parse_schema(s) for t, s in schemas.items()}
epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def logical(v):
    if isinstance(v, dict):
        return {k: logical(x) for k, x in v.items()}
    if isinstance(v, list):
        return [logical(x) for x in v]
    if isinstance(v, uuid.UUID):
        return str(v)
    if isinstance(v, datetime.datetime):
        return (v - epoch) // datetime.timedelta(milliseconds=1)
    return v
for i, (line, text) in enumerate(zip(plan, encoded)):
    raw = base64.b64decode(text)
    assert raw[0] == 0 and raw[1:5] == b"\0\0\0\0", (i, raw[:5])
    if line.get("fault") == "malformed":
        # The broken JSON text after the header: a poison message.
        assert raw[5:] == line["value"].encode(), (i, raw, line["value"])
        continue
    got = logical(schemaless_reader(io.BytesIO(raw[5:]), parsed[line["topic"]]))
    assert got == line["value"], (i, got, line["value"])
print(len(plan))
"#;

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Python with fastavro: set SIMULATE_TEST_PYTHON (.ci/run does)"
)]
fn fastavro_decodes_every_encoded_value_to_the_dry_run_value() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = avro_detections(dir.path());
    let decoded = decode_with_fastavro(dir.path(), scenario.to_str().unwrap());
    assert!(decoded > 300, "{decoded} values decoded");
}

/// Every generator and shape a derived schema maps (unions, nested records, lists of
/// unlike items, numbers with all their digits, mixed camera ids), with faults.
pub(crate) const EVERY_SHAPE: &str = r#"
duration: 5m
seed: 3
streams:
  - name: shapes
    topic: shapes
    value: {format: avro, record_name: Shape}
    cameras:
      - {id: 7, width: 1920, height: 1080, floor: 0, label: a}
      - {id: cam-8, width: 640, height: 480, floor: -1.5, label: 2}
    inter_arrival: {distribution: exponential, mean: 1s}
    payload:
      id: {gen: event_id}
      at_s: {gen: timestamp, format: epoch_s}
      at: {gen: timestamp, format: rfc3339_ms}
      camera: {gen: camera_id, null_rate: 0.2}
      floor: {gen: camera, attribute: floor}
      label: {gen: camera, attribute: label}
      x: {gen: float, min: -1.0, max: 1.0}
      g: {gen: normal, mean: 0, std_dev: 1e6}
      big: {gen: int, min: -5000000000, max: 5000000000}
      plate: {gen: choice, values: [AB-123, CD-456], null_rate: 0.5}
      level: {gen: choice, values: [1, 2, 3]}
      ratio: {gen: choice, values: [1, 2.5]}
      mixed: {gen: choice, values: [a, 1, true, null]}
      seq: {gen: sequence, start: -3}
      box: {gen: bbox}
      meta: {site: {gen: choice, values: [north, south]}, flag: true, none: null, pi: 3.14159, inner: {n: {gen: int, min: 0, max: 3}}}
      tags: [{gen: choice, values: [red, blue]}, 2, {gen: float, min: 0, max: 1, null_rate: 0.5}, [1, 2], {k: v}]
      same: [{gen: int, min: 0, max: 9}, {gen: int, min: 0, max: 9}]
      empty: []
    faults:
      duplicate: {rate: 0.05, delay: {distribution: uniform, min: 0s, max: 2s}}
      late: {rate: 0.05, delay: {distribution: exponential, mean: 3s}}
      malformed: {rate: 0.05, kinds: [truncated, not_json, missing_field, wrong_type, empty, out_of_range]}
"#;

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Python with fastavro: set SIMULATE_TEST_PYTHON (.ci/run does)"
)]
fn fastavro_decodes_every_shape_a_derived_schema_maps() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("shapes.yaml");
    std::fs::write(&scenario, EVERY_SHAPE).unwrap();
    let decoded = decode_with_fastavro(dir.path(), scenario.to_str().unwrap());
    assert!(decoded > 250, "{decoded} values decoded");
}

/// Runs [`DECODE`] on `scenario`'s derived schemas, plan and encoded dry run (files in
/// `dir`); returns how many messages it compared.
fn decode_with_fastavro(dir: &std::path::Path, scenario: &str) -> usize {
    let python = std::env::var("SIMULATE_TEST_PYTHON").expect("SIMULATE_TEST_PYTHON");
    let files = [
        ("schemas.json", stdout(&["schema", "--avro", scenario])),
        (
            "plan.jsonl",
            stdout(&[scenario, "--dry-run", "--format", "plan", "--start", START]),
        ),
        (
            "encoded.txt",
            stdout(&[
                scenario,
                "--dry-run",
                "--encoded",
                "--quiet",
                "--start",
                START,
            ]),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let out = Command::new(python)
        .args(["-c", DECODE])
        .args(files.iter().map(|(name, _)| dir.join(name)))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
fn schema_avro_prints_the_derived_schema_of_each_subject() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = avro_detections(dir.path());
    let printed: serde_json::Value =
        serde_json::from_str(&stdout(&["schema", "--avro", scenario.to_str().unwrap()])).unwrap();
    let detections = &printed["detections-value"];
    assert_eq!(detections["name"], "Detection");
    assert_eq!(detections["namespace"], "com.example");
    let fields: Vec<String> = detections["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{}:{}", f["name"].as_str().unwrap(), f["type"]))
        .collect();
    assert_eq!(
        fields,
        [
            r#"event_id:{"type":"string","logicalType":"uuid"}"#,
            r#"ts:{"type":"long","logicalType":"timestamp-millis"}"#,
            r#"camera_id:"long""#,
            r#"zone:"string""#,
            r#"kind:{"type":"enum","name":"kind","symbols":["motion","person","vehicle"]}"#,
            r#"confidence:"double""#,
            r#"people:"int""#,
            r#"temperature_c:"double""#,
            r#"frame:"long""#,
            r#"schema_version:"long""#,
            r#"bbox:{"type":"record","name":"bbox","fields":[{"name":"x","type":"int"},{"name":"y","type":"int"}]}"#,
        ]
        .map(|s| s.to_string())
    );
    assert_eq!(printed["heartbeats-value"]["fields"][0]["type"], "string");
}

#[test]
fn the_default_payload_and_null_rates_derive_schemas_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.yaml");
    std::fs::write(
        &path,
        "duration: 1m\nstreams:\n  - cameras: [1, cam-2]\n    inter_arrival: {distribution: constant, interval: 1s}\n    value: {format: avro}\n",
    )
    .unwrap();
    Test::new()
        .args(["schema", "--avro"])
        .arg(&path)
        .status(0)
        .stdout_contains(r#""name": "Event""#)
        .stdout_contains("\"long\",\n        \"string\"");
    std::fs::write(
        &path,
        "duration: 1m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 1s}\n    value: {format: avro}\n    payload:\n      n: {gen: int, min: 0, max: 5000000000, null_rate: 0.5}\n",
    )
    .unwrap();
    let printed: serde_json::Value =
        serde_json::from_str(&stdout(&["schema", "--avro", path.to_str().unwrap()])).unwrap();
    assert_eq!(
        printed["fields"][0],
        serde_json::json!({"name": "n", "type": ["null", "long"], "default": null})
    );
}

#[test]
fn encoded_json_streams_are_their_json_bytes_and_plain_dry_runs_are_unchanged() {
    let plain = stdout(&["scenarios/default.yaml", "--dry-run", "--start", START]);
    let encoded = stdout(&[
        "scenarios/default.yaml",
        "--dry-run",
        "--encoded",
        "--start",
        START,
    ]);
    let first = plain.lines().next().unwrap();
    // The base64 of the first JSON line, checked against Python's encoder's alphabet
    // by hand: every line is as long as base64 makes it.
    let line = encoded.lines().next().unwrap();
    assert_eq!(line.len(), first.len().div_ceil(3) * 4);
    assert_eq!(plain.lines().count(), encoded.lines().count());
    // A stream with `value: {format: avro}` still prints JSON in a plain dry run.
    let dir = tempfile::tempdir().unwrap();
    let scenario = avro_detections(dir.path());
    let avro = stdout(&[scenario.to_str().unwrap(), "--dry-run", "--start", START]);
    let json = stdout(&["scenarios/detections.yaml", "--dry-run", "--start", START]);
    assert_eq!(avro, json);
    Test::new()
        .arg(&scenario)
        .args(["--dry-run", "--encoded", "--start", START])
        .stderr_contains("placeholder schema id 0")
        .status(0)
        .run();
}

#[test]
fn value_settings_are_checked_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.yaml");
    std::fs::write(
        &path,
        "duration: 1m\nschema_registry: {url: registry:8081, auth: {username: svc}}\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 1s}\n    key_format: avro\n    value: {format: protobuf, schema: {file: d.proto, id: 3}, subject: topics, register: auto}\n  - cameras: [2]\n    inter_arrival: {distribution: constant, interval: 1s}\n    value: {format: avro, schema: {id: 7}, register: never, namespace: com.example}\n    faults: {malformed: {rate: 0.1, kinds: [bad_magic]}}\n  - cameras: [3]\n    inter_arrival: {distribution: constant, interval: 1s}\n    value: {record_name: X}\n  - cameras: [4]\n    inter_arrival: {distribution: constant, interval: 1s}\n    faults: {malformed: {rate: 0.1, kinds: [unknown_schema_id]}}\n",
    )
    .unwrap();
    Test::new()
        .args(["validate"])
        .arg(&path)
        .status(2)
        .stderr_contains("error: schema_registry.url: `registry:8081` is not an http:// or https:// URL")
        .stderr_contains("s.yaml:2:24\n")
        .stderr_contains("error: schema_registry.auth: `auth` is `{username, password}` or `{bearer}`")
        .stderr_contains("error: streams[0].key_format: `key_format: avro` is not supported yet")
        .stderr_contains("s.yaml:6:17\n")
        .stderr_contains("error: streams[0].value.schema: `schema` names 2 schemas (`file`, `id`)")
        .stderr_contains("error: streams[0].value.subject: unknown subject strategy `topics`")
        .stderr_contains("error: streams[1].value.register: `register` has no effect on a schema that is already registered")
        .stderr_contains("error: streams[1].value.namespace: `namespace` applies to derived schemas only")
        .stderr_contains("error: streams[2].value.record_name: `record_name` applies to values encoded by a schema")
        .stderr_contains("error: streams[3].faults.malformed.kinds[0]: `unknown_schema_id` breaks the Confluent wire format")
        .run();
}
