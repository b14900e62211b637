use serde_json::{Value as Json, json};

use super::*;
use crate::encode::located::At;
use crate::scenario::model::{CameraId, FloatParams, IntParams, NormalParams, TimeFormatName};
use crate::scenario::payload::{Frame, Gen, TimeFormat, Value};

fn generated(generator: Gen, null_rate: Option<f64>) -> Value {
    Value::Generated {
        path: String::new(),
        generator,
        null_rate,
    }
}

fn choice(values: Vec<Json>) -> Gen {
    Gen::Choice {
        values,
        weights: None,
    }
}

fn time(name: TimeFormatName) -> Gen {
    Gen::Timestamp(TimeFormat::Named(name))
}

/// A payload with every generator, nested objects and lists.
fn payload() -> Vec<(String, Value)> {
    let fields = vec![
        ("event_id", generated(Gen::EventId, None)),
        ("ts", generated(time(TimeFormatName::EpochMs), None)),
        ("at", generated(time(TimeFormatName::Rfc3339Ms), Some(0.1))),
        (
            "local",
            generated(Gen::Timestamp(TimeFormat::Pattern("%H:%M".into())), None),
        ),
        ("camera_id", generated(Gen::CameraId, None)),
        (
            "zone",
            generated(Gen::Camera(vec![json!("a"), json!("b"), json!("a")]), None),
        ),
        (
            "kind",
            generated(choice(vec![json!("car"), json!(2)]), Some(0.5)),
        ),
        (
            "score",
            generated(
                Gen::Float(FloatParams {
                    min: 0.0,
                    max: 1.0,
                    decimals: Some(2),
                }),
                None,
            ),
        ),
        (
            "n",
            generated(Gen::Int(IntParams { min: -3, max: 7 }), Some(0.2)),
        ),
        (
            "g",
            generated(
                Gen::Normal(NormalParams {
                    mean: 0.0,
                    std_dev: 1.0,
                    decimals: None,
                }),
                None,
            ),
        ),
        ("seq", generated(Gen::Sequence { start: 5 }, None)),
        (
            "box",
            generated(
                Gen::Bbox(vec![Frame {
                    width: 640,
                    height: 480,
                }]),
                None,
            ),
        ),
        ("version", Value::Constant(json!(2))),
        (
            "site",
            Value::Object(vec![("name".into(), Value::Constant(json!("mall")))]),
        ),
        (
            "tags",
            Value::Array(vec![
                Value::Constant(json!("x")),
                Value::Constant(json!("y")),
            ]),
        ),
        (
            "mixed",
            Value::Array(vec![
                Value::Constant(json!(1)),
                generated(Gen::EventId, None),
            ]),
        ),
    ];
    fields
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect()
}

/// Values the payload can write, field by field (the bounds of every range, nulls).
fn samples() -> Vec<Json> {
    let base = json!({
        "event_id": "6d0aab85-187f-83d5-8000-000000000001", "ts": 1796320203982i64,
        "at": "2026-12-03T17:50:02.966Z", "local": "17:50", "camera_id": 1000,
        "zone": "a", "kind": "car", "score": 0.25, "n": -3, "g": -1.5, "seq": 5,
        "box": {"x": 0, "y": 479, "w": 640, "h": 1}, "version": 2,
        "site": {"name": "mall"}, "tags": ["x", "y"],
        "mixed": [1, "6d0aab85-187f-83d5-8000-000000000002"],
    });
    let mut out = vec![base.clone()];
    for (field, value) in [
        ("at", Json::Null),
        ("kind", Json::Null),
        ("kind", json!(2)),
        ("n", Json::Null),
        ("n", json!(7)),
        ("camera_id", json!("cam-2")),
        ("zone", json!("b")),
        ("score", json!(1.0)),
        ("seq", json!(1u64 << 40)),
    ] {
        let mut v = base.clone();
        v[field] = value;
        out.push(v);
    }
    out
}

fn cameras() -> Vec<CameraId> {
    vec![CameraId::Int(1000), CameraId::Text("cam-2".into())]
}

fn compile(schema: &Json) -> (boon::Schemas, boon::SchemaIndex) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("mem://s.json", schema.clone())
        .unwrap();
    let index = compiler.compile("mem://s.json", &mut schemas).unwrap();
    (schemas, index)
}

#[test]
fn the_derived_schema_is_draft_07_with_the_documented_types() {
    let schema = derive(&payload(), "Detection", &cameras()).unwrap();
    assert_eq!(schema["$schema"], DRAFT_07);
    assert_eq!(schema["title"], "Detection");
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["required"].as_array().unwrap().len(), 16);
    let p = &schema["properties"];
    assert_eq!(p["event_id"], json!({"type": "string", "format": "uuid"}));
    assert_eq!(p["ts"], json!({"type": "integer"}));
    assert_eq!(
        p["at"],
        json!({"type": ["string", "null"], "format": "date-time"})
    );
    assert_eq!(p["local"], json!({"type": "string"}));
    assert_eq!(p["camera_id"], json!({"type": ["integer", "string"]}));
    assert_eq!(p["zone"], json!({"enum": ["a", "b"]}));
    assert_eq!(p["kind"], json!({"enum": ["car", 2, null]}));
    assert_eq!(p["score"], json!({"type": "number"}));
    assert_eq!(
        p["n"],
        json!({"type": ["integer", "null"], "minimum": -3, "maximum": 7})
    );
    assert_eq!(p["g"], json!({"type": "number"}));
    assert_eq!(p["seq"], json!({"type": "integer", "minimum": 5}));
    assert_eq!(
        p["box"]["properties"]["x"],
        json!({"type": "integer", "minimum": 0, "maximum": 639})
    );
    assert_eq!(p["box"]["required"], json!(["x", "y", "w", "h"]));
    assert_eq!(p["version"], json!({"type": "integer"}));
    assert_eq!(
        p["site"],
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"], "additionalProperties": false})
    );
    assert_eq!(
        p["tags"],
        json!({"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2})
    );
    assert_eq!(
        p["mixed"]["items"][1],
        json!({"type": "string", "format": "uuid"})
    );
    assert_eq!(p["mixed"]["additionalItems"], false);
}

#[test]
fn boon_finds_the_derived_schema_valid_and_every_sample_value_valid_by_it() {
    let schema = derive(&payload(), "Event", &cameras()).unwrap();
    // Against the draft-07 metaschema itself.
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let meta = compiler.compile(DRAFT_07, &mut schemas).unwrap();
    schemas.validate(&schema, meta).unwrap();
    let (schemas, index) = compile(&schema);
    for sample in samples() {
        if let Err(e) = schemas.validate(&sample, index) {
            panic!("{sample}: {e}");
        }
    }
    // And it refuses what the payload never writes.
    for (field, value) in [
        ("n", json!(8)),
        ("kind", json!("bus")),
        ("extra", json!(1)),
        ("tags", json!(["x"])),
    ] {
        let mut v = samples()[0].clone();
        v[field] = value;
        assert!(schemas.validate(&v, index).is_err(), "{field}");
    }
}

#[test]
fn the_derived_schema_read_as_a_user_file_fits_its_payload() {
    let schema = derive(&payload(), "Event", &cameras()).unwrap();
    let text = format!("{schema:#}");
    let file = parse(&text, "event.json").unwrap();
    assert_eq!(check(&file, &payload(), &cameras()), []);
}

#[test]
fn invalid_json_schemas_are_located() {
    for (text, at, start) in [
        ("{\"type\": \"strin\"}", (1, 10), "\"type\" is one of"),
        (
            "{\"properties\": {\"a\": 3}}",
            (1, 22),
            "a schema is an object",
        ),
        ("{\"required\": \"a\"}", (1, 14), "\"required\" is a list"),
        (
            "{\n \"properties\": {\"a\": {\"$ref\": \"#/definitions/A\"}}}",
            (2, 31),
            "\"$ref\": \"#/definitions/A\" leads nowhere",
        ),
        (
            "{\"type\": \"object\",}",
            (1, 19),
            "not JSON: key must be a string",
        ),
    ] {
        let err = parse(text, "x.json").unwrap_err();
        assert_eq!(err.at, at, "{text}: {}", err.message);
        assert!(err.message.starts_with(start), "{text}: {}", err.message);
    }
}

#[test]
fn each_kind_of_misfit_is_found_and_located() {
    let text = r##"{
  "type": "object",
  "properties": {
    "event_id": {"type": "integer"},
    "n": {"type": "integer", "minimum": 0},
    "kind": {"enum": ["car", "bus"]},
    "score": {"type": "number"},
    "site": {"$ref": "#/definitions/Site"},
    "at": {"type": "string", "format": "date-time"},
    "tags": {"type": "array", "items": {"type": "integer"}}
  },
  "required": ["event_id", "missing"],
  "additionalProperties": false,
  "definitions": {"Site": {"type": "object", "properties": {"name": {"type": "integer"}}}}
}"##;
    let file = parse(text, "x.json").unwrap();
    let fields: Vec<(String, Value)> = vec![
        ("event_id", generated(Gen::EventId, None)),
        (
            "n",
            generated(Gen::Int(IntParams { min: -1, max: 3 }), None),
        ),
        (
            "kind",
            generated(choice(vec![json!("car"), json!("van")]), None),
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
        (
            "site",
            Value::Object(vec![("name".into(), Value::Constant(json!("mall")))]),
        ),
        (
            "at",
            generated(Gen::Timestamp(TimeFormat::Pattern("%H:%M".into())), None),
        ),
        ("tags", Value::Array(vec![Value::Constant(json!("x"))])),
        ("extra", Value::Constant(json!(1))),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_string(), v))
    .collect();
    let misfits = check(&file, &fields, &[]);
    let found: Vec<(Option<&str>, &str, Option<At>)> = misfits
        .iter()
        .map(|m| (m.payload.as_deref(), m.schema.as_str(), m.at))
        .collect();
    assert_eq!(
        found,
        [
            (Some("event_id"), "/properties/event_id", Some((4, 5))),
            (Some("n"), "/properties/n", Some((5, 5))),
            (Some("kind"), "/properties/kind", Some((6, 5))),
            (Some("score"), "/properties/score", Some((7, 5))),
            (
                Some("site.name"),
                "/properties/site/properties/name",
                Some((14, 61))
            ),
            (Some("at"), "/properties/at", Some((9, 5))),
            (Some("tags[0]"), "/properties/tags/items", Some((10, 40))),
            (Some("extra"), "the schema", Some((13, 27))),
            (None, "the schema", Some((12, 28))),
        ],
        "{misfits:#?}"
    );
    assert_eq!(
        misfits[0].message,
        "`event_id` is an event id (text), which \"type\" does not allow"
    );
    assert_eq!(
        misfits[1].message,
        "`n` is an integer from -1 to 3, beyond \"minimum\"/\"maximum\""
    );
    assert_eq!(
        misfits[2].message,
        "`kind` is sometimes \"van\", not one of \"enum\""
    );
    assert!(
        misfits[3].message.starts_with("`score` is null at times"),
        "{}",
        misfits[3].message
    );
    assert_eq!(
        misfits[3].help,
        "change `/properties/score` in x.json to allow it, or change `score` in the scenario's payload"
    );
    assert_eq!(
        misfits[8].message,
        "the schema requires \"missing\", which the payload does not write"
    );
}

#[test]
fn combinators_and_open_objects_are_read_as_json_schema_says() {
    let text = r#"{"properties": {
  "a": {"anyOf": [{"type": "string"}, {"type": "integer", "maximum": 10}]},
  "b": {"oneOf": [{"type": "null"}, {"type": "number", "minimum": 0}]},
  "c": {"allOf": [{"type": "integer"}, {"minimum": 5}]}
}}"#;
    let file = parse(text, "x.json").unwrap();
    let fits = |a: Gen, b: Value, c: Gen| {
        let fields = vec![
            ("a".to_string(), generated(a, None)),
            ("b".to_string(), b),
            ("c".to_string(), generated(c, None)),
            // No `additionalProperties`: any other field is allowed.
            ("d".to_string(), Value::Constant(json!(true))),
        ];
        check(&file, &fields, &[]).len()
    };
    let int = |min, max| Gen::Int(IntParams { min, max });
    let float = generated(
        Gen::Float(FloatParams {
            min: 0.0,
            max: 2.0,
            decimals: None,
        }),
        Some(0.5),
    );
    assert_eq!(fits(int(0, 10), float.clone(), int(5, 9)), 0);
    assert_eq!(
        fits(Gen::EventId, Value::Constant(Json::Null), int(6, 6)),
        0
    );
    assert_eq!(fits(int(0, 11), float.clone(), int(4, 9)), 2);
    let normal = generated(
        Gen::Normal(NormalParams {
            mean: 0.0,
            std_dev: 1.0,
            decimals: None,
        }),
        None,
    );
    assert_eq!(fits(int(0, 1), normal, int(5, 5)), 1);
}

#[test]
fn load_says_the_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.json");
    std::fs::write(&path, "{\n  \"type\": [\"object\", \"map\"]}").unwrap();
    let err = load(&path).unwrap_err();
    assert!(
        err.starts_with(&format!(
            "{}:2:22: \"type\" is one of null, boolean",
            path.display()
        )),
        "{err}"
    );
    std::fs::write(&path, "true").unwrap();
    assert_eq!(load(&path).unwrap().text, "true");
}
