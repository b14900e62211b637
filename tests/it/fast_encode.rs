//! The encoders' single pass over the renderer's JSON text (the hot path of an encoded
//! stream, issue 24) writes exactly the bytes of the value path (the text parsed into a
//! value with exact numbers, then encoded), or gives up and lets the value path write:
//! for every value of scenarios/detections.yaml, scenarios/boxes.yaml and a payload of
//! every shape, clean and malformed, by derived Avro and Protobuf schemas (where the
//! single pass must handle every clean value), and by a user's `.avsc` whose fields are
//! in another order than the payload's (where it must give up on every one, and the
//! bytes are still the value path's). Hand-written texts reach what the renderer does
//! not write: escaped keys, white space, long lists, fields out of order.

use std::path::Path;

use serde_json::json;
use simulate::encode::avro::{self, Field, Schema};
use simulate::encode::codec::Codecs;
use simulate::encode::compile::{self, Files};
use simulate::encode::json;
use simulate::encode::protobuf::{self, Encoder, File, Label, Message, Type};
use simulate::plan::Plan;
use simulate::render::Renderer;
use simulate::scenario::Scenario;

use crate::common::*;

/// How many values the single pass wrote and how many it left to the value path.
#[derive(Debug, Default, PartialEq)]
struct Passes {
    direct: usize,
    fallback: usize,
}

/// The codecs of `scenario`, whose schema files are `files` (name, text).
fn codecs(scenario: &Scenario, files: &[(&str, &str)]) -> Codecs {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let mut read = |path: &Path| std::fs::read_to_string(path);
    let mut files = Files {
        base: dir.path().to_path_buf(),
        read: &mut read,
    };
    compile::codecs(scenario, &mut files).unwrap_or_else(|d| panic!("{d:?}"))
}

/// Encodes every value of `scenario`'s plan, clean and as sent, both ways; panics at the
/// first that differ. Counts the clean values by which path wrote them.
fn compare(scenario: &Scenario, codecs: &Codecs) -> Passes {
    let mut renderer = Renderer::new(scenario, start());
    let mut passes = Passes::default();
    for message in Plan::new(scenario) {
        let Some(codec) = codecs.get(message.event.stream as usize) else {
            continue;
        };
        let (mut clean, mut sent) = (Vec::new(), Vec::new());
        renderer.write_value(&mut clean, &message.event);
        renderer.write_sent_value(&mut sent, &message);
        for (text, counted) in [(clean, true), (sent, false)] {
            let (mut direct, mut parsed, mut body) = (vec![7], vec![7], vec![7]);
            let expected = codec.write_parsed(&mut parsed, &text);
            let shown = String::from_utf8_lossy(&text);
            let wrote = codec.write_direct(&mut direct, &text).is_some();
            if wrote {
                assert_eq!(expected, Ok(()), "{shown}");
                assert_eq!(direct, parsed, "{shown}");
            }
            if counted {
                *(if wrote {
                    &mut passes.direct
                } else {
                    &mut passes.fallback
                }) += 1;
            }
            assert_eq!(codec.write_body(&mut body, &text), expected, "{shown}");
            if expected.is_ok() {
                assert_eq!(body, parsed, "{shown}");
            }
        }
    }
    passes
}

/// `text` (a scenario) with each stream's values encoded by `value`.
fn encoded(text: &str, value: &str) -> Scenario {
    scenario(&text.replace(
        "\n    topic: ",
        &format!("\n    value: {value}\n    topic: "),
    ))
}

#[test]
fn derived_schemas_take_the_single_pass_for_every_value_of_the_example_scenarios() {
    for name in ["detections", "boxes"] {
        let text = std::fs::read_to_string(root().join(format!("scenarios/{name}.yaml"))).unwrap();
        for format in ["avro", "protobuf"] {
            let scenario = encoded(&text, &format!("{{format: {format}}}"));
            let passes = compare(&scenario, &codecs(&scenario, &[]));
            assert!(passes.direct > 100, "{name} {format}: {passes:?}");
            assert_eq!(passes.fallback, 0, "{name} {format}: {passes:?}");
        }
    }
}

#[test]
fn a_derived_avro_schema_of_every_shape_takes_the_single_pass_too() {
    let scenario = scenario(crate::avro::EVERY_SHAPE);
    let passes = compare(&scenario, &codecs(&scenario, &[]));
    assert!(passes.direct > 250, "{passes:?}");
    assert_eq!(passes.fallback, 0, "{passes:?}");
}

/// A stream of the payload `encoded.rs` sends, its values by `value`.
const USER: &str = "duration: 2m\nseed: 11\nstreams:\n  - name: lobby\n    cameras: [1000, 1001, 1002]\n    inter_arrival: {distribution: uniform, min: 100ms, max: 1s}\n    topic: detections\n    payload:\n      event_id: {gen: event_id}\n      ts: {gen: timestamp, format: epoch_ms}\n      camera_id: {gen: camera_id}\n      kind: {gen: choice, values: [person, vehicle]}\n      confidence: {gen: float, min: 0, max: 1, decimals: 3}\n      people: {gen: int, min: 0, max: 40}\n      offset: {gen: int, min: -5, max: 5}\n      frame: {gen: sequence, start: 1}\n      plate: {gen: choice, values: [AB-123, CD-456], null_rate: 0.3}\n      bbox: {x: {gen: int, min: 0, max: 1919}, y: {gen: int, min: 0, max: 1079}}\n    faults:\n      malformed: {rate: 0.1, kinds: [truncated, not_json, missing_field, wrong_type, out_of_range]}\n";

/// A user's `.avsc` for [`USER`] with `camera_id` first or in the payload's place.
fn avsc(camera_first: bool) -> String {
    let camera = r#"{"name": "camera_id", "type": "long"},"#;
    format!(
        r#"{{"type": "record", "name": "Detection", "namespace": "com.example", "fields": [
  {}{{"name": "event_id", "type": {{"type": "string", "logicalType": "uuid"}}}},
  {{"name": "ts", "type": {{"type": "long", "logicalType": "timestamp-millis"}}}},
  {}{{"name": "kind", "type": {{"type": "enum", "name": "Kind", "symbols": ["person", "vehicle", "animal"]}}}},
  {{"name": "confidence", "type": "double"}}, {{"name": "people", "type": "int"}},
  {{"name": "offset", "type": "int"}}, {{"name": "frame", "type": "long"}},
  {{"name": "plate", "type": ["null", "string"], "default": null}},
  {{"name": "bbox", "type": {{"type": "record", "name": "Box", "fields": [{{"name": "x", "type": "int"}}, {{"name": "y", "type": "int"}}]}}}}
]}}"#,
        if camera_first { camera } else { "" },
        if camera_first { "" } else { camera },
    )
}

#[test]
fn a_user_avsc_in_another_order_falls_back_to_the_value_path_and_in_payload_order_does_not() {
    let scenario = encoded(USER, "{format: avro, schema: {file: detection.avsc}}");
    for (camera_first, reordered) in [(true, true), (false, false)] {
        let text = avsc(camera_first);
        let passes = compare(&scenario, &codecs(&scenario, &[("detection.avsc", &text)]));
        assert!(passes.direct + passes.fallback > 100, "{passes:?}");
        let expected = if reordered {
            passes.direct
        } else {
            passes.fallback
        };
        assert_eq!(expected, 0, "camera_id first: {camera_first}: {passes:?}");
    }
}

/// Both ways of encoding `text` by `schema`: the single pass's, if it takes it, and the
/// value path's.
fn avro_both(schema: &Schema, text: &str) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let mut direct = Vec::new();
    let direct = avro::encode_text(&mut direct, schema, &[], text.as_bytes()).map(|()| direct);
    let parsed = json::parse(text.as_bytes()).and_then(|value| {
        let mut out = Vec::new();
        avro::encode(&mut out, schema, &value, "value")
            .ok()
            .map(|()| out)
    });
    (direct, parsed)
}

fn field(name: &str, schema: Schema, default: Option<serde_json::Value>) -> Field {
    Field {
        name: name.into(),
        schema,
        default,
    }
}

#[test]
fn the_avro_single_pass_agrees_with_the_value_path_or_gives_up() {
    let schema = Schema::Record {
        name: "R".into(),
        fields: vec![
            field("a", Schema::Long, None),
            field(
                "s",
                Schema::Union(vec![Schema::Null, Schema::String]),
                Some(json!(null)),
            ),
            field("n", Schema::Union(vec![Schema::Long, Schema::Double]), None),
            field("list", Schema::Array(Box::new(Schema::Int)), None),
            field("x", Schema::Double, None),
        ],
    };
    let long: Vec<String> = (0..70).map(|i| (i * 1000).to_string()).collect();
    let long = format!(
        r#"{{"a":1,"s":null,"n":2,"list":[{}],"x":1}}"#,
        long.join(",")
    );
    // Taken: the single pass writes what the value path writes.
    for text in [
        r#"{"a":-5,"s":"x\"y\u00e9","n":2.5,"list":[],"x":0.1}"#,
        r#" { "\u0061" : 9223372036854775807 , "s" : null , "n" : 3 , "list" : [ 1 , -2 ] , "x" : 18446744073709551615 } "#,
        r#"{"a":+7,"s":"","n":-0,"list":[2147483647],"x":-1e-300}"#,
        &long,
    ] {
        let (direct, parsed) = avro_both(&schema, text);
        assert!(direct.is_some(), "{text}");
        assert_eq!(direct, parsed, "{text}");
    }
    // Not taken: fields out of order, missing (the default), unknown; and what does not
    // fit or is not JSON, which the value path refuses too.
    for (text, fits) in [
        (r#"{"s":null,"a":1,"n":2,"list":[],"x":1}"#, true),
        (r#"{"a":1,"n":2,"list":[],"x":1}"#, true),
        (r#"{"a":1,"s":null,"n":2,"list":[],"x":1,"more":0}"#, true),
        (r#"{"a":1.5,"s":null,"n":2,"list":[],"x":1}"#, false),
        (r#"{"a":1,"s":null,"n":2,"list":[2147483648],"x":1}"#, false),
        (r#"{"a":1,"s":null,"n":2,"list":[],"x":1e400}"#, false),
        (r#"{"a":1,"s":null,"n":2,"list":[],"x":1} 2"#, false),
        (r#"{"a":1,"s":null,"n":2,"list":[],"x":1"#, false),
    ] {
        let (direct, parsed) = avro_both(&schema, text);
        assert_eq!(direct, None, "{text}");
        assert_eq!(parsed.is_some(), fits, "{text}");
    }
}

#[test]
fn the_protobuf_single_pass_agrees_with_the_value_path_or_gives_up() {
    let field = |name: &str, number, ty, label| protobuf::Field {
        name: String::from(name),
        number,
        ty,
        label,
        packed: true,
        at: None,
    };
    let inner = Message {
        name: "In".into(),
        fields: vec![field("x", 1, Type::Sint32, Label::Singular)],
        messages: vec![],
        enums: vec![],
        at: None,
    };
    let file = File {
        package: String::new(),
        imports: vec![],
        messages: vec![Message {
            name: "M".into(),
            fields: vec![
                field("a", 1, Type::Int64, Label::Singular),
                field("s", 2, Type::String, Label::Optional),
                field("list", 3, Type::Uint32, Label::Repeated),
                field("in", 4, Type::Message("M.In".into()), Label::Singular),
                field("x", 5, Type::Double, Label::Singular),
                field("at", 6, Type::Timestamp, Label::Singular),
            ],
            messages: vec![inner],
            enums: vec![],
            at: None,
        }],
        enums: vec![],
    };
    let encoder = Encoder::new(&[file], "M").unwrap();
    let both = |text: &str| {
        let mut direct = Vec::new();
        let direct = encoder
            .encode_text(&mut direct, text.as_bytes())
            .map(|()| direct);
        let parsed = json::parse(text.as_bytes()).and_then(|value| {
            let mut out = Vec::new();
            protobuf::encode(&mut out, &encoder, &value)
                .ok()
                .map(|()| out)
        });
        (direct, parsed)
    };
    let long: Vec<String> = (0..200).map(|i| (i * 100_000).to_string()).collect();
    let long = format!(r#"{{"a":1,"list":[{}],"x":0.5}}"#, long.join(","));
    for text in [
        r#"{"a":0,"s":"","list":[],"in":{"x":-3},"x":0.0,"at":"2026-01-01T00:00:00.5Z"}"#,
        r#"{"a":-1,"s":null,"in":null,"x":-0.0,"at":1767225600123}"#,
        r#" { "\u0061" : 5 , "in" : { } , "at" : null } "#,
        r#"{}"#,
        &long,
    ] {
        let (direct, parsed) = both(text);
        assert!(direct.is_some(), "{text}");
        assert_eq!(direct, parsed, "{text}");
    }
    for (text, fits) in [
        (r#"{"x":1,"a":1}"#, true),
        (r#"{"a":1,"b":2}"#, false),
        (r#"{"a":null}"#, false),
        (r#"{"list":[1,null]}"#, false),
        (r#"{"in":{"x":2147483648}}"#, false),
        (r#"{"a":1}{"#, false),
    ] {
        let (direct, parsed) = both(text);
        assert_eq!(direct, None, "{text}");
        assert_eq!(parsed.is_some(), fits, "{text}");
    }
}
