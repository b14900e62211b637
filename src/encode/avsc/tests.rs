use serde_json::json;

use super::*;
use crate::scenario::model::CameraId;
use crate::scenario::payload::{Gen, TimeFormat, Value};

fn bytes(avsc: &Avsc, value: Json) -> Vec<u8> {
    let mut out = Vec::new();
    avsc.encode(&mut out, &value).unwrap();
    out
}

fn read(text: &str) -> Avsc {
    parse(text, "d.avsc").unwrap()
}

fn error(text: &str) -> Invalid {
    parse(text, "d.avsc").unwrap_err()
}

#[test]
fn every_type_is_read() {
    let avsc = read(
        r#"{"type": "record", "name": "R", "namespace": "com.example", "fields": [
  {"name": "n", "type": "null"}, {"name": "b", "type": "boolean"},
  {"name": "i", "type": "int"}, {"name": "l", "type": {"type": "long"}},
  {"name": "f", "type": "float"}, {"name": "d", "type": "double"},
  {"name": "y", "type": "bytes"}, {"name": "s", "type": "string"},
  {"name": "x", "type": {"type": "fixed", "name": "Four", "size": 4}},
  {"name": "e", "type": {"type": "enum", "name": "Kind", "symbols": ["a", "b"], "default": "a"}},
  {"name": "a", "type": {"type": "array", "items": "Kind"}},
  {"name": "m", "type": {"type": "map", "values": "com.example.Four"}},
  {"name": "u", "type": ["null", "string", "Kind"], "default": null},
  {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "dt", "type": {"type": "int", "logicalType": "date"}},
  {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 5, "scale": 2}},
  {"name": "bad", "type": {"type": "string", "logicalType": "timestamp-millis"}},
  {"name": "other", "type": {"type": "long", "logicalType": "made-up"}}
]}"#,
    );
    let Schema::Record { name, fields } = &avsc.schema else {
        panic!("{:?}", avsc.schema)
    };
    assert_eq!(name, "com.example.R");
    let types: Vec<String> = fields
        .iter()
        .map(|f| f.schema.to_json(None).to_string())
        .collect();
    assert_eq!(
        types,
        [
            r#""null""#,
            r#""boolean""#,
            r#""int""#,
            r#""long""#,
            r#""float""#,
            r#""double""#,
            r#""bytes""#,
            r#""string""#,
            r#"{"type":"fixed","name":"com.example.Four","size":4}"#,
            r#"{"type":"enum","name":"com.example.Kind","symbols":["a","b"]}"#,
            r#"{"type":"array","items":"com.example.Kind"}"#,
            r#"{"type":"map","values":"com.example.Four"}"#,
            r#"["null","string","com.example.Kind"]"#,
            r#"{"type":"string","logicalType":"uuid"}"#,
            r#"{"type":"long","logicalType":"timestamp-millis"}"#,
            r#"{"type":"int","logicalType":"date"}"#,
            r#"{"type":"bytes","logicalType":"decimal","precision":5,"scale":2}"#,
            // A logical type not valid for its type, or unknown, is ignored.
            r#""string""#,
            r#""long""#,
        ]
    );
    assert_eq!(fields[12].default, Some(Json::Null));
    assert_eq!(avsc.named.len(), 3);
    assert_eq!(avsc.field_at("com.example.R", "i"), Some((3, 12)));
    assert_eq!(avsc.type_at("com.example.Four"), Some((6, 51)));
    assert_eq!(avsc.text.len(), avsc.text.len());
}

#[test]
fn named_types_are_found_by_full_name_and_may_refer_to_themselves() {
    // The specification's linked list.
    let avsc = read(
        r#"{"type": "record", "name": "LongList", "fields": [
  {"name": "value", "type": "long"},
  {"name": "next", "type": ["null", "LongList"]}
]}"#,
    );
    assert_eq!(
        bytes(
            &avsc,
            json!({"value": 1, "next": {"value": 2, "next": null}})
        ),
        [0x02, 0x02, 0x04, 0x00]
    );
    // A nested type inherits the namespace; another namespace needs the full name.
    let avsc = read(
        r#"{"type": "record", "name": "a.R", "fields": [
  {"name": "x", "type": {"type": "enum", "name": "E", "symbols": ["p"]}},
  {"name": "y", "type": "E"},
  {"name": "z", "type": {"type": "enum", "name": "E", "namespace": "b", "symbols": ["q"]}},
  {"name": "w", "type": "b.E"}
]}"#,
    );
    let Schema::Record { fields, .. } = &avsc.schema else {
        panic!()
    };
    assert_eq!(
        fields[1].schema,
        Schema::Ref {
            name: "a.E".into(),
            index: 1
        }
    );
    assert_eq!(
        fields[3].schema,
        Schema::Ref {
            name: "b.E".into(),
            index: 2
        }
    );
    let err = error(
        r#"{"type": "record", "name": "a.R", "fields": [
  {"name": "z", "type": {"type": "enum", "name": "E", "namespace": "b", "symbols": ["q"]}},
  {"name": "w", "type": "E"}
]}"#,
    );
    assert_eq!(err.at, (3, 25));
    assert!(
        err.message.starts_with(
            "unknown type `E`: the named types defined before this point are `a.R`, `b.E`"
        ),
        "{}",
        err.message
    );
}

#[test]
fn invalid_schemas_are_errors_at_the_line_and_column() {
    for (text, at, start) in [
        (
            "{\"type\": \"record\",\n \"name\": \"R\"}",
            (1, 1),
            "a record needs \"fields\"",
        ),
        (
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n  {\"name\": \"a\", \"type\": \"strin\"}]}",
            (2, 25),
            "unknown type `strin`",
        ),
        (
            "[\"null\",\n \"null\"]",
            (2, 2),
            "this union already has a member of type `null`",
        ),
        (
            "[\"null\", [\"int\"]]",
            (1, 10),
            "a union may not hold another union",
        ),
        (
            "{\"type\": \"enum\", \"name\": \"E\", \"symbols\": [\"a\", \"a\"]}",
            (1, 48),
            "the symbol `a` is listed twice",
        ),
        (
            "{\"type\": \"enum\", \"name\": \"int\", \"symbols\": []}",
            (1, 26),
            "a named type may not be called `int`",
        ),
        (
            "{\"type\": \"fixed\", \"name\": \"F\", \"size\": -1}",
            (1, 40),
            "a fixed type needs \"size\"",
        ),
        (
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": [\n {\"name\": \"a\", \"type\": \"int\", \"default\": \"x\"}]}",
            (2, 42),
            "the default of field `a`, \"x\", is not a value of its type \"int\"",
        ),
        (
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a-b\", \"type\": \"int\"}]}",
            (1, 53),
            "a field's name is a letter",
        ),
        (
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\": \"a\", \"type\": \"int\"}, {\"name\": \"a\", \"type\": \"int\"}]}",
            (1, 83),
            "record `R` has two fields called `a`",
        ),
        (
            "{\"type\": \"record\", \"name\": \"R\", \"fields\": []}\n,",
            (2, 1),
            "not JSON: trailing characters",
        ),
        ("42", (1, 1), "expected an Avro schema"),
    ] {
        let err = error(text);
        assert_eq!(err.at, at, "{text}: {}", err.message);
        assert!(err.message.starts_with(start), "{text}: {}", err.message);
    }
    // A union's default may be a value of any member (Avro 1.11.3, AVRO-3649).
    read(
        r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "int"], "default": 3}]}"#,
    );
}

#[test]
fn the_new_types_encode_as_the_specification_says() {
    let avsc = read(
        r#"{"type": "record", "name": "R", "fields": [
  {"name": "f", "type": "float"},
  {"name": "y", "type": "bytes"},
  {"name": "x", "type": {"type": "fixed", "name": "Two", "size": 2}},
  {"name": "m", "type": {"type": "map", "values": "long"}},
  {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
  {"name": "g", "type": {"type": "fixed", "name": "G", "size": 3, "logicalType": "decimal", "precision": 6, "scale": 0}},
  {"name": "u", "type": ["int", "float", "double", "string"]}
]}"#,
    );
    let out = bytes(
        &avsc,
        json!({"u": 0.1, "g": -1, "d": 1.23, "m": {"a": 3}, "x": "\u{1}\u{ff}", "y": "ab", "f": 1.5}),
    );
    let mut expected = 1.5f32.to_le_bytes().to_vec();
    expected.extend([0x04, b'a', b'b']); // bytes: a length, then the bytes
    expected.extend([0x01, 0xff]); // fixed: the bytes alone
    expected.extend([0x02, 0x02, b'a', 0x06, 0x00]); // map: a block of one (key, value), then 0
    expected.extend([0x02, 0x7b]); // decimal 1.23 at scale 2: unscaled 123
    expected.extend([0xff, 0xff, 0xff]); // -1 sign-extended to the fixed size
    expected.push(0x04); // 0.1 is no float: the double branch
    expected.extend(0.1f64.to_le_bytes());
    assert_eq!(out, expected);
    let mut out = Vec::new();
    avsc.encode(
        &mut out,
        &json!({"u": 0.5, "g": 128, "d": -1.5, "m": {}, "x": "ab", "y": "", "f": 0}),
    )
    .unwrap();
    // 0.5 is a float exactly; 128 is 00 80 (the sign kept); -150 is ff 6a.
    assert_eq!(
        &out[4..],
        [
            0x00, b'a', b'b', 0x00, 0x04, 0xff, 0x6a, 0x00, 0x00, 0x80, 0x02, 0, 0, 0, 0x3f
        ]
    );
    for bad in [json!({"d": 1.234}), json!({"x": "abc"}), json!({"y": "é€"})] {
        let mut value = json!({"u": 1, "g": 0, "d": 1, "m": {}, "x": "ab", "y": "", "f": 0});
        for (k, v) in bad.as_object().unwrap() {
            value[k] = v.clone();
        }
        assert!(avsc.encode(&mut Vec::new(), &value).is_err(), "{bad}");
    }
}

#[test]
fn fields_are_written_in_schema_order_and_omitted_ones_as_their_default() {
    let avsc = read(
        r#"{"type": "record", "name": "R", "fields": [
  {"name": "b", "type": "string"},
  {"name": "a", "type": "long"},
  {"name": "n", "type": ["null", "long"], "default": null},
  {"name": "k", "type": ["string", "null"], "default": "x"},
  {"name": "z", "type": {"type": "fixed", "name": "Z", "size": 1}, "default": "\u00ff"},
  {"name": "r", "type": {"type": "record", "name": "In", "fields": [{"name": "v", "type": "int", "default": 2}]}, "default": {}}
]}"#,
    );
    assert_eq!(
        bytes(&avsc, json!({"a": 27, "b": "foo"})),
        [
            0x06, b'f', b'o', b'o', 0x36, 0x00, 0x00, 0x02, b'x', 0xff, 0x04
        ]
    );
    let err = avsc.encode(&mut Vec::new(), &json!({"a": 1})).unwrap_err();
    assert_eq!(err.0, "value.b: missing");
}

fn generated(generator: Gen, null_rate: Option<f64>) -> Value {
    Value::Generated {
        path: String::new(),
        generator,
        null_rate,
    }
}

fn int(min: i64, max: i64) -> Gen {
    Gen::Int(crate::scenario::model::IntParams { min, max })
}

fn payload(fields: Vec<(&str, Value)>) -> Vec<(String, Value)> {
    fields
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect()
}

const DETECTION: &str = r#"{"type": "record", "name": "Detection", "namespace": "com.example", "fields": [
  {"name": "event_id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "camera_id", "type": "long"},
  {"name": "kind", "type": {"type": "enum", "name": "Kind", "symbols": ["person", "car"]}},
  {"name": "score", "type": ["null", "float"], "default": null},
  {"name": "count", "type": "int"},
  {"name": "tags", "type": {"type": "array", "items": "string"}},
  {"name": "box", "type": {"type": "record", "name": "Box", "fields": [
     {"name": "x", "type": "int"}, {"name": "y", "type": "int"}, {"name": "w", "type": "int"}, {"name": "h", "type": "int"}]}},
  {"name": "site", "type": {"type": "record", "name": "Site", "fields": [{"name": "zone", "type": "string"}]}},
  {"name": "note", "type": "string", "default": ""}
]}"#;

fn detection_payload() -> Vec<(String, Value)> {
    use crate::scenario::model::{FloatParams, TimeFormatName};
    payload(vec![
        ("event_id", generated(Gen::EventId, None)),
        (
            "ts",
            generated(
                Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)),
                None,
            ),
        ),
        ("camera_id", generated(Gen::CameraId, None)),
        (
            "kind",
            generated(
                Gen::Choice {
                    values: vec![json!("car"), json!("person")],
                    weights: None,
                },
                None,
            ),
        ),
        (
            "score",
            generated(
                Gen::Float(FloatParams {
                    min: 0.0,
                    max: 1.0,
                    decimals: None,
                }),
                Some(0.1),
            ),
        ),
        ("count", generated(int(0, 100), None)),
        (
            "tags",
            Value::Array(vec![
                Value::Constant(json!("a")),
                generated(
                    Gen::Choice {
                        values: vec![json!("b")],
                        weights: None,
                    },
                    None,
                ),
            ]),
        ),
        (
            "box",
            generated(
                Gen::Bbox(vec![crate::scenario::payload::Frame {
                    width: 640,
                    height: 480,
                }]),
                None,
            ),
        ),
        (
            "site",
            Value::Object(vec![("zone".into(), Value::Constant(json!("lobby")))]),
        ),
    ])
}

#[test]
fn a_fitting_schema_has_no_misfits() {
    let avsc = read(DETECTION);
    assert_eq!(check(&avsc, &detection_payload(), &[CameraId::Int(1)]), []);
}

#[test]
fn each_kind_of_misfit_is_found_and_located() {
    let avsc = read(DETECTION);
    let mut fields = detection_payload();
    fields[2].1 = generated(Gen::CameraId, None); // with a text camera id below
    fields[3].1 = generated(
        Gen::Choice {
            values: vec![json!("car"), json!("bus")],
            weights: None,
        },
        None,
    );
    fields[5].1 = generated(int(0, 1 << 40), Some(0.5));
    fields[8].1 = Value::Object(vec![
        ("zone".into(), Value::Constant(json!(3))),
        ("floor".into(), Value::Constant(json!(1))),
    ]);
    fields.remove(7); // box: no default
    fields.push(("extra".into(), Value::Constant(json!(true))));
    let misfits = check(
        &avsc,
        &fields,
        &[CameraId::Int(1), CameraId::Text("c".into())],
    );
    let found: Vec<(Option<&str>, &str, Option<At>)> = misfits
        .iter()
        .map(|m| (m.payload.as_deref(), m.schema.as_str(), m.at))
        .collect();
    assert_eq!(
        found,
        [
            (
                Some("camera_id"),
                "field camera_id of record com.example.Detection",
                Some((4, 12))
            ),
            (
                Some("kind"),
                "field kind of record com.example.Detection",
                Some((5, 12))
            ),
            (
                Some("count"),
                "field count of record com.example.Detection",
                Some((7, 12))
            ),
            (
                Some("count"),
                "field count of record com.example.Detection",
                Some((7, 12))
            ),
            (
                Some("site.zone"),
                "field zone of record com.example.Site",
                Some((11, 83))
            ),
            (
                Some("site.floor"),
                "record com.example.Site",
                Some((11, 55))
            ),
            (Some("extra"), "record com.example.Detection", Some((1, 28))),
            (
                None,
                "field box of record com.example.Detection",
                Some((9, 12))
            ),
        ],
        "{misfits:#?}"
    );
    assert_eq!(
        misfits[2].message,
        "`count` is null at times (null_rate), but \"int\" has no null"
    );
    assert_eq!(
        misfits[3].message,
        "`count` is an int from 0 to 1099511627776, which the Avro type \"int\" cannot hold"
    );
    assert_eq!(
        misfits[3].help,
        "change the type of field count in d.avsc to one that holds it, e.g. [\"null\",\"long\"], or change `count` in the scenario's payload"
    );
    assert_eq!(
        misfits[6].help,
        "add a field {\"name\": \"extra\", \"type\": …} to record com.example.Detection in d.avsc, or remove `extra` from the payload"
    );
    assert_eq!(
        misfits[7].message,
        "the payload writes no `box` and the field has no default"
    );
}

#[test]
fn generators_fit_the_documented_types() {
    use crate::scenario::model::TimeFormatName;
    let avsc = |t: &str| {
        read(&format!(
            r#"{{"type": "record", "name": "R", "fields": [{{"name": "v", "type": {t}}}]}}"#
        ))
    };
    let fits = |t: &str, g: Gen| {
        check(
            &avsc(t),
            &payload(vec![("v", generated(g, None))]),
            &[CameraId::Int(7)],
        )
        .is_empty()
    };
    let epoch = |f| Gen::Timestamp(TimeFormat::Named(f));
    assert!(fits(r#""float""#, int(-16_777_216, 16_777_216)));
    assert!(!fits(r#""float""#, int(0, 16_777_217)));
    assert!(fits(r#""double""#, int(0, 1 << 53)));
    assert!(fits(r#"["null", "int", "long"]"#, int(0, 1 << 40)));
    assert!(fits(r#""long""#, epoch(TimeFormatName::EpochMs)));
    assert!(!fits(
        r#"{"type": "long", "logicalType": "timestamp-micros"}"#,
        epoch(TimeFormatName::EpochMs)
    ));
    assert!(fits(r#""string""#, epoch(TimeFormatName::Rfc3339)));
    assert!(!fits(r#""long""#, epoch(TimeFormatName::Rfc3339)));
    assert!(fits(r#""string""#, Gen::EventId));
    assert!(!fits(r#""bytes""#, Gen::EventId));
    assert!(fits(r#"["string", "long"]"#, Gen::CameraId));
    assert!(!fits(r#""string""#, Gen::CameraId));
    assert!(fits(
        r#"["null", "string", {"type": "enum", "name": "E", "symbols": ["a"]}]"#,
        Gen::Choice {
            values: vec![json!("a"), json!("b-c")],
            weights: None
        }
    ));
    assert!(!fits(
        r#""bytes""#,
        Gen::Choice {
            values: vec![json!("a")],
            weights: None
        }
    ));
    let decimal = r#"{"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}"#;
    let float = |decimals| {
        Gen::Float(crate::scenario::model::FloatParams {
            min: 0.0,
            max: 10.0,
            decimals,
        })
    };
    assert!(fits(decimal, float(Some(2))));
    assert!(!fits(decimal, float(Some(3))));
    assert!(!fits(decimal, float(None)));
    assert!(!fits(r#""long""#, float(None)));
    assert!(fits(r#""long""#, Gen::Sequence { start: 0 }));
    assert!(!fits(r#""int""#, Gen::Sequence { start: 0 }));
    // The schema's top level must be a record.
    let misfits = check(&read(r#""string""#), &[], &[]);
    assert_eq!(misfits[0].at, Some((1, 1)));
}

#[test]
fn a_recursive_record_is_checked_as_deep_as_the_payload_goes() {
    let avsc = read(
        r#"{"type": "record", "name": "Node", "fields": [
  {"name": "v", "type": "long"},
  {"name": "next", "type": ["null", "Node"], "default": null}
]}"#,
    );
    let node = |inner: Vec<(String, Value)>| Value::Object(inner);
    let fields = payload(vec![
        ("v", Value::Constant(json!(1))),
        (
            "next",
            node(vec![
                ("v".into(), Value::Constant(json!("x"))),
                (
                    "next".into(),
                    node(vec![("v".into(), Value::Constant(json!(3)))]),
                ),
            ]),
        ),
    ]);
    let misfits = check(&avsc, &fields, &[]);
    assert_eq!(misfits.len(), 1, "{misfits:#?}");
    assert_eq!(misfits[0].payload.as_deref(), Some("next.v"));
    assert_eq!(misfits[0].at, Some((2, 12)));
}

#[test]
fn load_says_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.avsc");
    std::fs::write(&path, "{\"type\": \"record\", \"name\": \"R\",\n \"fields\": [{\"name\": \"a\", \"type\": \"lng\"}]}").unwrap();
    let err = load(&path).unwrap_err();
    assert_eq!(
        err,
        format!(
            "{}:2:35: unknown type `lng`: the named types defined before this point are `R`; a named type must be defined before it is used by name",
            path.display()
        )
    );
    std::fs::write(
        &path,
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": []}",
    )
    .unwrap();
    let avsc = load(&path).unwrap();
    assert_eq!(avsc.file, path.display().to_string());
    assert_eq!(
        avsc.text,
        "{\"type\": \"record\", \"name\": \"R\", \"fields\": []}"
    );
}
