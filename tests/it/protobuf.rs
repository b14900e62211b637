//! Protobuf values (issue 24): every dry-run value of scenarios/detections.yaml, encoded
//! by the message derived from its stream's payload, is byte for byte what protoc (an
//! independent, C++ encoder) writes for the same value given as text format, with the
//! `.proto` text `to_proto` prints. Needs protoc: `SIMULATE_TEST_PROTOC` (default
//! `protoc` on the PATH); compiled as ignored without a configured test environment.

use std::process::{Command, Stdio};

use serde_json::Value as Json;
use simulate::encode::{json, protobuf};

use crate::common::*;

/// `value` (an object) as protobuf text format, fields in the value's order.
fn text_format(value: &Json, out: &mut String) {
    let Json::Object(fields) = value else {
        panic!("not an object: {value}");
    };
    for (name, item) in fields {
        let items = match item {
            Json::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for item in items {
            match item {
                Json::Null => {}
                Json::Object(_) => {
                    out.push_str(&format!("{name} {{\n"));
                    text_format(item, out);
                    out.push_str("}\n");
                }
                Json::String(s) => {
                    out.push_str(&format!("{name}: \""));
                    for byte in s.bytes() {
                        match byte {
                            b' '..=b'~' if byte != b'"' && byte != b'\\' => out.push(byte as char),
                            other => out.push_str(&format!("\\{other:03o}")),
                        }
                    }
                    out.push_str("\"\n");
                }
                Json::Number(n) => match n.as_f64() {
                    Some(x) if !n.is_i64() && !n.is_u64() => {
                        out.push_str(&format!("{name}: {x:?}\n"))
                    }
                    Some(_) | None => out.push_str(&format!("{name}: {n}\n")),
                },
                Json::Bool(b) => out.push_str(&format!("{name}: {b}\n")),
                Json::Array(_) => panic!("a list in a list"),
            }
        }
    }
}

/// What `protoc --encode` writes for the text-format message `text`.
fn protoc_encode(
    protoc: &str,
    dir: &std::path::Path,
    file: &str,
    message: &str,
    text: &str,
) -> Vec<u8> {
    let mut child = Command::new(protoc)
        .arg(format!("--encode={message}"))
        .arg("-I")
        .arg(dir)
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{protoc}: {e} (set SIMULATE_TEST_PROTOC)"));
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs protoc: set SIMULATE_TEST_PROTOC (.ci/run installs it)"
)]
fn protoc_writes_the_same_bytes_for_every_dry_run_value() {
    let protoc = std::env::var("SIMULATE_TEST_PROTOC").unwrap_or_else(|_| "protoc".into());
    let path = root().join("scenarios/detections.yaml");
    let scenario = scenario(&std::fs::read_to_string(&path).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let mut messages = Vec::new();
    for stream in &scenario.streams {
        let payload = stream.message.payload.as_ref().expect("a payload");
        let name = format!("{}Event", stream.name.replace('-', "_"));
        let file = protobuf::derive(payload, &name, Some("com.example"), &stream.cameras).unwrap();
        let proto = format!("{}.proto", stream.name);
        std::fs::write(dir.path().join(&proto), protobuf::to_proto(&file)).unwrap();
        let full = format!("com.example.{name}");
        let encoder = protobuf::Encoder::new(std::slice::from_ref(&file), &full).unwrap();
        messages.push((stream.message.topic.clone(), proto, full, encoder));
    }
    let plan = Test::new()
        .args(&[
            "--dry-run",
            "--format",
            "plan",
            "--start",
            START,
            path.to_str().unwrap(),
        ])
        .status(0)
        .run()
        .stdout;
    // One protoc run per topic: the values as a list of messages of a wrapper.
    let mut checked = 0;
    for (topic, proto, full, encoder) in &messages {
        let mut ours = Vec::new();
        let mut text = String::new();
        for line in plan.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let line = json::parse(line).unwrap();
            if line["topic"] != topic.as_str() || line.get("fault").is_some() {
                continue;
            }
            let mut body = Vec::new();
            protobuf::encode(&mut body, encoder, &line["value"]).unwrap();
            ours.push(0x0a);
            protobuf::write_varint(&mut ours, body.len() as u64);
            ours.extend_from_slice(&body);
            text.push_str("values {\n");
            text_format(&line["value"], &mut text);
            text.push_str("}\n");
            checked += 1;
        }
        let wrapper = format!("wrapper_{proto}");
        std::fs::write(
            dir.path().join(&wrapper),
            format!("syntax = \"proto3\";\nimport \"{proto}\";\nmessage Values {{\n  repeated .{full} values = 1;\n}}\n"),
        )
        .unwrap();
        let theirs = protoc_encode(&protoc, dir.path(), &wrapper, "Values", &text);
        assert!(ours == theirs, "{topic}: our bytes differ from protoc's");
    }
    assert!(checked > 300, "{checked} values checked");
}
