//! Values encoded by a schema through a Schema Registry (issue 24), end to end.
//!
//! Without a Python: the embedded registry beside the embedded cluster (zero setup, one
//! round trip per subject), and the registry's answers a run must explain: a subject
//! that does not exist under `register: never`, an incompatible change under BACKWARD,
//! basic auth refused (the password never shown), a registry nobody serves.
//!
//! With Tansu and confluent-kafka (`.ci/run`): Avro, Protobuf and JSON Schema values,
//! derived and from the user's files, sent to Tansu and read back by confluent-kafka's
//! own deserializers (`tests/e2e/decode_registry.py`; Protobuf through a module
//! Debian's `protoc` generates), which must decode every message to the plan's value;
//! and the subjects each naming strategy registers.

use std::path::Path;
use std::process::Command;

use crate::broker::{Serving, serving};
use crate::common::*;

/// `simulate registry` on a free port, with `args`; and its URL.
fn registry(args: &[&str]) -> (Serving, String) {
    let mut words = vec!["registry", "--port", "0"];
    words.extend_from_slice(args);
    let (child, url) = serving(&words);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (child, url)
}

/// A scenario of one stream whose values are encoded by `value` (a YAML flow mapping),
/// with a payload of most generators, to `topic`.
fn scenario(dir: &Path, name: &str, topic: &str, value: &str) -> String {
    let text = format!(
        "name: {name}\nduration: 2m\nseed: 11\ntopic: {topic}\nstreams:\n  - name: lobby\n    cameras: [1000, 1001, 1002]\n    inter_arrival: {{distribution: uniform, min: 100ms, max: 1s}}\n    value: {value}\n    payload:\n      event_id: {{gen: event_id}}\n      ts: {{gen: timestamp, format: epoch_ms}}\n      camera_id: {{gen: camera_id}}\n      kind: {{gen: choice, values: [person, vehicle]}}\n      confidence: {{gen: float, min: 0, max: 1, decimals: 3}}\n      people: {{gen: int, min: 0, max: 40}}\n      offset: {{gen: int, min: -5, max: 5}}\n      frame: {{gen: sequence, start: 1}}\n      plate: {{gen: choice, values: [AB-123, CD-456], null_rate: 0.3}}\n      bbox: {{x: {{gen: int, min: 0, max: 1919}}, y: {{gen: int, min: 0, max: 1079}}}}\n"
    );
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// Sends `scenario` to the embedded cluster through the registry at `url`; it must
/// succeed.
fn send_through(scenario: impl AsRef<std::ffi::OsStr>, url: &str) {
    Test::new()
        .arg(scenario)
        .args([
            "--embedded-broker",
            "--max-speed",
            "--quiet",
            "--schema-registry",
            url,
        ])
        .status(0)
        .run();
}

/// The subjects `url` holds (`GET /subjects`), sorted.
fn subjects(url: &str) -> Vec<String> {
    subjects_as(url, "", "")
}

/// [`subjects`] with basic auth as `user` (none when empty).
fn subjects_as(url: &str, user: &str, password: &str) -> Vec<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import base64,json,sys,urllib.request\nr = urllib.request.Request(sys.argv[1] + '/subjects')\nif sys.argv[2]: r.add_header('Authorization', 'Basic ' + base64.b64encode((sys.argv[2] + ':' + sys.argv[3]).encode()).decode())\nprint(json.dumps(sorted(json.load(urllib.request.urlopen(r)))))",
            url,
            user,
            password,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The JSON report a run wrote to `path`.
fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn the_embedded_registry_serves_beside_the_embedded_cluster_with_one_round_trip_per_subject() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(
        dir.path(),
        "zero",
        "detections",
        "{format: avro, record_name: Detection}",
    );
    let file = dir.path().join("report.json");
    Test::new()
        .arg(&path)
        .args(["--max-speed", "--quiet", "--report"])
        .arg(&file)
        .status(0)
        .run();
    let report = report(&file);
    let registry = &report["schema_registry"];
    assert_eq!(registry["embedded"], true, "{registry}");
    assert_eq!(registry["subjects"][0]["subject"], "detections-value");
    assert_eq!(registry["subjects"][0]["format"], "avro");
    // One register call for the one subject, however many messages.
    assert_eq!(registry["requests"], 1, "{registry}");
    assert!(report["sent"].as_u64().unwrap() > 100);
    assert_eq!(report["verified"], true, "{}", report["verification"]);
}

#[test]
fn register_never_on_a_missing_subject_is_a_run_time_failure_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let (_registry, url) = registry(&[]);
    let path = scenario(
        dir.path(),
        "never",
        "detections",
        "{format: avro, register: never}",
    );
    Test::new()
        .arg(&path)
        .args([
            "--embedded-broker",
            "--max-speed",
            "--schema-registry",
            &url,
        ])
        .status(1)
        .stderr_contains(format!(
            "subject detections-value does not exist in {url}; register it or set register: auto"
        ))
        .stderr_lacks("sending")
        .run();
    assert!(subjects(&url).is_empty());
}

#[test]
fn an_incompatible_change_under_backward_is_refused_with_the_registrys_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (_registry, url) = registry(&[]);
    let first = scenario(dir.path(), "v1", "detections", "{format: avro}");
    send_through(&first, &url);
    // A field added without a default: data written by v1 cannot be read by v2.
    let text = std::fs::read_to_string(&first)
        .unwrap()
        .replace("name: v1", "name: v2")
        + "      extra: {gen: int, min: 0, max: 9}\n";
    let second = dir.path().join("v2.yaml");
    std::fs::write(&second, text).unwrap();
    Test::new()
        .arg(&second)
        .args(["--embedded-broker", "--max-speed", "--schema-registry", &url])
        .status(1)
        .stderr_contains(format!(
            "the Schema Registry at {url} refused the schema for subject `detections-value` as incompatible"
        ))
        .stderr_contains("extra")
        .run();
}

#[test]
fn basic_auth_is_sent_and_a_refusal_names_the_user_never_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("sr-password");
    std::fs::write(&secret, "s3cret-Pa55\n").unwrap();
    let password = format!("@{}", secret.display());
    let (_registry, url) = registry(&["--user", "svc", "--password", &password]);
    let with_auth = |name: &str, password: &str| {
        let path = scenario(dir.path(), name, "detections", "{format: avro}");
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "streams:",
            &format!("schema_registry: {{url: \"{url}\", auth: {{username: svc, password: \"{password}\"}}}}\nstreams:"),
        );
        std::fs::write(&path, text).unwrap();
        path
    };
    let good = with_auth("good", &password);
    Test::new()
        .arg(&good)
        .args(["--embedded-broker", "--max-speed", "--quiet"])
        .status(0)
        .run();
    assert_eq!(
        subjects_as(&url, "svc", "s3cret-Pa55"),
        ["detections-value"]
    );
    let bad = with_auth("bad", "wrong-Pa55word");
    Test::new()
        .arg(&bad)
        .args(["--embedded-broker", "--max-speed"])
        .status(1)
        .stderr_contains("simulate sent user `svc` with password ***")
        .stderr_lacks("wrong-Pa55word")
        .run();
}

#[test]
fn a_registry_nobody_serves_is_a_run_time_failure_that_names_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let path = scenario(dir.path(), "gone", "detections", "{format: protobuf}");
    Test::new()
        .arg(&path)
        .args([
            "--embedded-broker",
            "--max-speed",
            "--schema-registry",
            &url,
        ])
        .status(1)
        .stderr_contains(format!("cannot reach the Schema Registry at {url}: "))
        .stderr_contains("Nothing was sent")
        .run();
}

/// The subject each naming strategy registers: Confluent's TopicNameStrategy,
/// RecordNameStrategy and TopicRecordNameStrategy, and a name given.
#[test]
fn each_subject_strategy_names_the_subject_confluents_does() {
    let dir = tempfile::tempdir().unwrap();
    let (_registry, url) = registry(&[]);
    for (name, subject) in [
        ("topic", "subject: topic"),
        ("record", "subject: record"),
        ("topic_record", "subject: topic_record"),
        ("named", "subject: {name: my-subject}"),
    ] {
        let value =
            format!("{{format: avro, record_name: Detection, namespace: com.example, {subject}}}");
        let path = scenario(dir.path(), name, "detections", &value);
        send_through(&path, &url);
    }
    assert_eq!(
        subjects(&url),
        [
            "com.example.Detection",
            "detections-com.example.Detection",
            "detections-value",
            "my-subject",
        ]
    );
}

/// The user's own schemas, written beside the scenario: an `.avsc` whose field order
/// differs from the payload's (and with a union and an enum), a `.proto` with an import,
/// and a JSON Schema.
fn user_schemas(dir: &Path) {
    let avsc = r#"{"type": "record", "name": "Detection", "namespace": "com.example", "fields": [
  {"name": "camera_id", "type": "long"},
  {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["person", "vehicle", "animal"]}},
  {"name": "confidence", "type": "double"},
  {"name": "people", "type": "int"},
  {"name": "offset", "type": "int"},
  {"name": "frame", "type": "long"},
  {"name": "plate", "type": ["null", "string"], "default": null},
  {"name": "bbox", "type": {"type": "record", "name": "Box", "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]}}
]}"#;
    std::fs::write(dir.join("detection.avsc"), avsc).unwrap();
    let proto = "syntax = \"proto3\";\npackage com.example;\nimport \"box.proto\";\n\nmessage Detection {\n  string event_id = 1;\n  int64 ts = 2;\n  int64 camera_id = 3;\n  string kind = 4;\n  double confidence = 5;\n  int32 people = 6;\n  sint32 offset = 7;\n  int64 frame = 8;\n  optional string plate = 9;\n  Box bbox = 10;\n}\n";
    std::fs::write(dir.join("detection.proto"), proto).unwrap();
    let boxed = "syntax = \"proto3\";\npackage com.example;\n\nmessage Box {\n  int32 x = 1;\n  int32 y = 2;\n}\n";
    std::fs::write(dir.join("box.proto"), boxed).unwrap();
    let json = r#"{"$schema": "http://json-schema.org/draft-07/schema#", "title": "Detection", "type": "object",
 "properties": {"event_id": {"type": "string"}, "ts": {"type": "integer"}, "camera_id": {"type": "integer"},
  "kind": {"enum": ["person", "vehicle"]}, "confidence": {"type": "number"}, "people": {"type": "integer"},
  "offset": {"type": "integer"}, "frame": {"type": "integer"}, "plate": {"type": ["string", "null"]},
  "bbox": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}}, "required": ["x", "y"]}},
 "required": ["event_id", "ts", "camera_id", "kind", "confidence", "people", "offset", "frame", "bbox"]}"#;
    std::fs::write(dir.join("detection.json"), json).unwrap();
}

/// Runs `scenario` into Tansu through the registry at `url` and decodes what Tansu holds
/// with confluent-kafka's deserializer for `format`; returns how many values matched.
fn round_trip(
    env: &crate::real_broker::Env,
    dir: &Path,
    url: &str,
    scenario: &str,
    format: &str,
    message: &str,
) -> usize {
    let topic = {
        let text = std::fs::read_to_string(scenario).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("topic: "))
            .unwrap()
            .to_string()
    };
    crate::real_broker::create_topic(env, &env.broker, &topic, 3);
    let plan = dir.join(format!("{topic}.plan.jsonl"));
    let out = Test::new()
        .args([scenario, "--dry-run", "--format", "plan", "--start", START])
        .status(0)
        .run();
    std::fs::write(&plan, &out.stdout).unwrap();
    let first: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
    let subject = first["subject"].as_str().unwrap().to_string();
    assert_eq!(first["value_format"], format);
    Test::new()
        .args([
            scenario,
            "-b",
            &env.broker,
            "--schema-registry",
            url,
            "--max-speed",
            "--quiet",
            "--start",
            START,
        ])
        .status(0)
        .run();
    let mut command = Command::new(&env.python);
    command
        .arg(root().join("tests/e2e/decode_registry.py"))
        .args([
            env.broker.as_str(),
            url,
            plan.to_str().unwrap(),
            format,
            &serde_json::json!({ topic.clone(): subject }).to_string(),
        ]);
    if format == "protobuf" {
        // The module protoc generates from what the registry holds under the subject.
        let proto_dir = dir.join(format!("pb-{topic}"));
        std::fs::create_dir_all(&proto_dir).unwrap();
        let printed = Test::new()
            .args(["schema", "--protobuf", scenario])
            .status(0)
            .run();
        std::fs::write(proto_dir.join("value.proto"), &printed.stdout).unwrap();
        for import in ["box.proto"] {
            if let Ok(text) = std::fs::read(dir.join(import)) {
                std::fs::write(proto_dir.join(import), text).unwrap();
            }
        }
        let protoc =
            std::env::var("SIMULATE_TEST_PROTOC").expect("SIMULATE_TEST_PROTOC (.ci/run sets it)");
        let status = Command::new(protoc)
            .current_dir(&proto_dir)
            .args(["--python_out=.", "-I.", "value.proto"])
            .args(std::fs::read_dir(&proto_dir).unwrap().filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                (name.ends_with(".proto") && name != "value.proto").then_some(name)
            }))
            .status()
            .unwrap();
        assert!(status.success(), "protoc failed");
        command.args([proto_dir.to_str().unwrap(), "value_pb2", message]);
    }
    let out = command.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs Tansu and a Python with confluent-kafka: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON, SIMULATE_TEST_TANSU and SIMULATE_TEST_PROTOC (.ci/run does)"
)]
fn values_sent_to_tansu_decode_through_confluent_kafkas_deserializers_to_the_plan() {
    let env = crate::real_broker::env();
    let dir = tempfile::tempdir().unwrap();
    user_schemas(dir.path());
    let (_registry, url) = registry(&[]);
    let cases = [
        (
            "avro",
            "{format: avro, record_name: Detection, namespace: com.example}",
            "Detection",
        ),
        (
            "avro",
            "{format: avro, schema: {file: detection.avsc}}",
            "Detection",
        ),
        (
            "protobuf",
            "{format: protobuf, record_name: Detection, namespace: com.example}",
            "Detection",
        ),
        (
            "protobuf",
            "{format: protobuf, schema: {file: detection.proto, message: Detection}}",
            "Detection",
        ),
        (
            "json_schema",
            "{format: json_schema, record_name: Detection}",
            "Detection",
        ),
        (
            "json_schema",
            "{format: json_schema, schema: {file: detection.json}}",
            "Detection",
        ),
    ];
    for (i, (format, value, message)) in cases.iter().enumerate() {
        let topic = crate::real_broker::unique_topic(&format!("sr{i}"));
        let path = scenario(dir.path(), &format!("case{i}"), &topic, value);
        let matched = round_trip(&env, dir.path(), &url, &path, format, message);
        assert!(matched > 150, "{value}: {matched} values decoded");
    }
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs Tansu and a Python with confluent-kafka: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON, SIMULATE_TEST_TANSU and SIMULATE_TEST_PROTOC (.ci/run does)"
)]
fn binary_faults_are_exactly_the_messages_a_deserializer_refuses() {
    let env = crate::real_broker::env();
    let dir = tempfile::tempdir().unwrap();
    let (_registry, url) = registry(&[]);
    let topic = crate::real_broker::unique_topic("srfaults");
    let path = scenario(dir.path(), "faults", &topic, "{format: avro}");
    let text = std::fs::read_to_string(&path).unwrap()
        + "    faults: {malformed: {rate: 0.2, kinds: [bad_magic, unknown_schema_id, truncated_binary]}}\n";
    std::fs::write(&path, text).unwrap();
    let matched = round_trip(&env, dir.path(), &url, &path, "avro", "");
    assert!(matched > 100, "{matched} values decoded");
}

#[test]
fn a_user_schema_that_does_not_fit_the_payload_is_invalid_input_located_in_both_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("d.avsc"),
        "{\"type\": \"record\", \"name\": \"Detection\", \"fields\": [\n  {\"name\": \"camera_id\", \"type\": \"int\"},\n  {\"name\": \"kind\", \"type\": {\"type\": \"enum\", \"name\": \"Kind\", \"symbols\": [\"person\"]}},\n  {\"name\": \"score\", \"type\": \"double\"}\n]}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d.proto"),
        "syntax = \"proto3\";\nmessage D {\n  int32 camera_id = 1;\n  int32 kind = 2;\n}\n",
    )
    .unwrap();
    let path = dir.path().join("s.yaml");
    let scenario = |value: &str| {
        format!(
            "duration: 1m\nstreams:\n  - cameras: [1000, 1001]\n    inter_arrival: {{distribution: constant, interval: 1s}}\n    value: {value}\n    payload:\n      camera_id: {{gen: camera_id}}\n      kind: {{gen: choice, values: [person, vehicle]}}\n      plate: {{gen: choice, values: [AB]}}\n"
        )
    };
    let avsc = dir.path().join("d.avsc").display().to_string();
    std::fs::write(&path, scenario("{format: avro, schema: {file: d.avsc}}")).unwrap();
    Test::new()
        .args(["validate"])
        .arg(&path)
        .status(2)
        .stderr_contains("error: streams[0].payload.kind: `kind` is a choice of \"person\", \"vehicle\", which the Avro type")
        .stderr_contains(format!("(the schema's field kind of record Detection at {avsc}:3:12)"))
        .stderr_contains("s.yaml:8:13\n")
        .stderr_contains(format!("(the schema's record Detection at {avsc}:1:28)"))
        .stderr_contains("s.yaml:9:14\n")
        .stderr_contains(format!("error: streams[0].value.schema.file: the payload writes no `score` and the field has no default (the schema's field score of record Detection at {avsc}:4:12)"))
        .run();
    // A run refuses it the same way, before anything starts.
    Test::new()
        .arg(&path)
        .args(["--dry-run"])
        .status(2)
        .stderr_contains("s.yaml:8:13\n")
        .run();
    let proto = dir.path().join("d.proto").display().to_string();
    std::fs::write(
        &path,
        scenario("{format: protobuf, schema: {file: d.proto}}"),
    )
    .unwrap();
    Test::new()
        .args(["validate"])
        .arg(&path)
        .status(2)
        .stderr_contains(format!("field `kind` is int32, which cannot hold `kind` (string): the types differ (the schema's message D field 2 (kind) at {proto}:4:3)"))
        .stderr_contains("s.yaml:8:13\n")
        .stderr_contains(format!("message D has no field `plate` (the schema's message D at {proto}:2:1)"))
        .run();
}

#[test]
fn simulate_registry_prints_its_url_serves_and_ends_with_exit_0_on_ctrl_c() {
    let (child, url) = registry(&["--quiet"]);
    assert!(subjects(&url).is_empty());
    assert_eq!(crate::broker::interrupt(child), Some(0));
}

#[test]
fn an_encoded_dry_run_frames_values_with_the_ids_a_registry_already_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (_registry, url) = registry(&[]);
    let path = scenario(dir.path(), "ids", "detections", "{format: protobuf}");
    let first_header = |out: &std::process::Output| {
        let line = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap()
            .to_string();
        let out = Command::new("python3")
            .args([
                "-c",
                "import base64,sys; print(base64.b64decode(sys.argv[1])[:6].hex())",
                &line,
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    // Not registered yet: the placeholder id 0, and the note says so.
    let before = Test::new()
        .arg(&path)
        .args([
            "--dry-run",
            "--encoded",
            "--schema-registry",
            &url,
            "--start",
            START,
        ])
        .status(0)
        .stderr_contains("placeholder schema id 0")
        .run();
    assert_eq!(first_header(&before), "000000000000");
    assert!(subjects(&url).is_empty(), "a dry run registers nothing");
    send_through(&path, &url);
    // Registered by the run: id 1, then the message index [0].
    let after = Test::new()
        .arg(&path)
        .args([
            "--dry-run",
            "--encoded",
            "--schema-registry",
            &url,
            "--start",
            START,
        ])
        .status(0)
        .stderr_lacks("placeholder")
        .run();
    assert_eq!(first_header(&after), "000000000100");
}

#[test]
fn schemas_the_registry_holds_are_shared_checked_and_credentials_in_a_url_are_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let (_registry, url) = registry(&["--user", "svc", "--password", "s3cret-Pa55"]);
    let secured = url.replace("http://", "http://svc:s3cret-Pa55@");
    let first = scenario(dir.path(), "first", "detections", "{format: avro}");
    let report = dir.path().join("report.json");
    Test::new()
        .arg(&first)
        .args([
            "--embedded-broker",
            "--max-speed",
            "--schema-registry",
            &secured,
            "--report",
        ])
        .arg(&report)
        .status(0)
        .stderr_lacks("s3cret-Pa55")
        .run();
    assert!(
        !std::fs::read_to_string(&report)
            .unwrap()
            .contains("s3cret-Pa55")
    );
    // Two streams naming the same registered subject both send by it.
    let text = std::fs::read_to_string(&first)
        .unwrap()
        .replace("name: first", "name: shared");
    let stream = text[text.find("  - name: lobby").unwrap()..].to_string();
    let shared = text.replace(
        "{format: avro}",
        "{format: avro, schema: {subject: detections-value}}",
    ) + &stream.replace("name: lobby", "name: hall").replace(
        "{format: avro}",
        "{format: avro, schema: {subject: detections-value}}",
    );
    let path = dir.path().join("shared.yaml");
    std::fs::write(&path, shared).unwrap();
    send_through(&path, &secured);
    // A payload the registered schema does not hold is invalid input, before sending.
    let misfit =
        std::fs::read_to_string(&path).unwrap() + "      extra: {gen: int, min: 0, max: 9}\n";
    std::fs::write(&path, misfit).unwrap();
    Test::new()
        .arg(&path)
        .args([
            "--embedded-broker",
            "--max-speed",
            "--schema-registry",
            &secured,
        ])
        .status(2)
        .stderr_contains("the schema the registry holds does not fit the payload")
        .stderr_contains("stream `hall`: payload `extra`")
        .run();
}

#[test]
fn an_encoded_dry_run_without_its_registry_warns_and_keeps_the_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), "offline", "detections", "{format: avro}");
    Test::new()
        .arg(&path)
        .args([
            "--dry-run",
            "--encoded",
            "--schema-registry",
            "http://127.0.0.1:1",
            "--start",
            START,
        ])
        .status(0)
        .stderr_contains("warning: cannot reach the Schema Registry at http://127.0.0.1:1")
        .run();
}

#[test]
fn a_record_strategy_needs_a_schema_that_names_its_record() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("untitled.json"),
        r#"{"type": "object", "properties": {"event_id": {"type": "string"}, "timestamp": {"type": "string"}, "camera_id": {"type": "integer"}}}"#,
    )
    .unwrap();
    let path = dir.path().join("s.yaml");
    std::fs::write(
        &path,
        "duration: 1m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 1s}\n    value: {format: json_schema, schema: {file: untitled.json}, subject: record}\n",
    )
    .unwrap();
    Test::new()
        .args(["validate"])
        .arg(&path)
        .status(2)
        .stderr_contains("error: streams[0].value.subject: the schema names no record")
        .run();
}
