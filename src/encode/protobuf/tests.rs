//! Tests of the Protobuf module: the derived types, the `.proto` text read back by
//! protox, the encoding against prost-reflect's, message indexes, user files.

use serde_json::{Value as Json, json};

use super::load::protox_file;
use super::*;
use crate::scenario::model::{CameraId, FloatParams, IntParams, NormalParams, TimeFormatName};
use crate::scenario::payload::{Frame, Gen, TimeFormat, Value};
use protox::prost_reflect::{
    self as reflect, DescriptorPool, DynamicMessage, Kind, MessageDescriptor,
};

fn generated(generator: Gen, null_rate: Option<f64>) -> Value {
    Value::Generated {
        path: String::new(),
        generator,
        null_rate,
    }
}

fn float() -> Gen {
    Gen::Float(FloatParams {
        min: 0.0,
        max: 1.0,
        decimals: None,
    })
}

fn int(min: i64, max: i64) -> Gen {
    Gen::Int(IntParams { min, max })
}

fn choice(values: Vec<Json>) -> Gen {
    Gen::Choice {
        values,
        weights: None,
    }
}

fn fields(fields: Vec<(&str, Value)>) -> Vec<(String, Value)> {
    fields
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect()
}

fn derived(payload: Vec<(&str, Value)>, cameras: &[CameraId]) -> Result<File, String> {
    derive(&fields(payload), "Event", Some("com.example"), cameras).map_err(|e| e.0)
}

/// Each field of the derived message as its `.proto` line.
fn lines(payload: Vec<(&str, Value)>, cameras: &[CameraId]) -> Vec<String> {
    let file = derived(payload, cameras).unwrap();
    let text = to_proto(&file);
    text.lines()
        .filter(|l| l.starts_with("  ") && l.ends_with(';'))
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn generators_map_to_the_documented_types() {
    let got = lines(
        vec![
            ("a", generated(int(0, i32::MAX.into()), None)),
            ("b", generated(int(0, i64::from(i32::MAX) + 1), None)),
            ("c", generated(int(-1, 1), None)),
            ("d", generated(int(i64::MIN, 0), Some(0.5))),
            ("e", generated(float(), None)),
            (
                "f",
                generated(
                    Gen::Normal(NormalParams {
                        mean: 0.0,
                        std_dev: 1.0,
                        decimals: None,
                    }),
                    None,
                ),
            ),
            ("g", generated(choice(vec![json!("x"), json!("y")]), None)),
            ("h", generated(choice(vec![json!(1), json!(2.5)]), None)),
            ("i", generated(choice(vec![json!("x"), Json::Null]), None)),
            (
                "j",
                generated(
                    Gen::Timestamp(TimeFormat::Named(TimeFormatName::EpochMs)),
                    None,
                ),
            ),
            (
                "k",
                generated(
                    Gen::Timestamp(TimeFormat::Named(TimeFormatName::Rfc3339)),
                    None,
                ),
            ),
            (
                "l",
                generated(Gen::Timestamp(TimeFormat::Pattern("%Y".into())), None),
            ),
            ("m", generated(Gen::EventId, None)),
            ("n", generated(Gen::Sequence { start: 0 }, None)),
            ("o", generated(Gen::CameraId, None)),
            ("p", Value::Constant(json!(true))),
            ("q", Value::Constant(json!(u64::MAX))),
            ("r", Value::Constant(json!(-3))),
            (
                "s",
                Value::Array(vec![Value::Constant(json!(1)), generated(int(-5, 5), None)]),
            ),
            ("t", Value::Constant(json!([]))),
            (
                "u",
                generated(Gen::Camera(vec![json!("north"), json!("south")]), None),
            ),
        ],
        &[CameraId::Int(1000), CameraId::Int(1001)],
    );
    assert_eq!(
        got,
        [
            "int32 a = 1;",
            "int64 b = 2;",
            "sint32 c = 3;",
            "optional sint64 d = 4;",
            "double e = 5;",
            "double f = 6;",
            "string g = 7;",
            "double h = 8;",
            "optional string i = 9;",
            "int64 j = 10;",
            "string k = 11;",
            "string l = 12;",
            "string m = 13;",
            "int64 n = 14;",
            "int32 o = 15;",
            "bool p = 16;",
            "uint64 q = 17;",
            "sint32 r = 18;",
            "repeated sint32 s = 19;",
            "repeated string t = 20;",
            "string u = 21;",
        ]
    );
    let text = lines(
        vec![("o", generated(Gen::CameraId, None))],
        &[CameraId::Text("a".into())],
    );
    assert_eq!(text, ["string o = 1;"]);
}

#[test]
fn objects_and_boxes_are_nested_messages_named_after_their_fields() {
    let file = derived(
        vec![
            (
                "geo_point",
                Value::Object(fields(vec![("lat", Value::Constant(json!(1.5)))])),
            ),
            ("GeoPoint", Value::Constant(json!(1))),
            (
                "bbox",
                generated(
                    Gen::Bbox(vec![Frame {
                        width: 1920,
                        height: 1080,
                    }]),
                    None,
                ),
            ),
            ("items", Value::Constant(json!([{"n": 1}, {"n": -2}]))),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(
        to_proto(&file),
        "syntax = \"proto3\";\n\npackage com.example;\n\nmessage Event {\n  GeoPoint2 geo_point = 1;\n  int32 GeoPoint = 2;\n  Bbox bbox = 3;\n  repeated Items items = 4;\n\n  message GeoPoint2 {\n    double lat = 1;\n  }\n\n  message Bbox {\n    int32 x = 1;\n    int32 y = 2;\n    int32 w = 3;\n    int32 h = 4;\n  }\n\n  message Items {\n    sint32 n = 1;\n  }\n}\n"
    );
    assert_eq!(message_indexes(&file, "com.example.Event"), Some(vec![0]));
    assert_eq!(
        message_indexes(&file, "com.example.Event.Bbox"),
        Some(vec![0, 1])
    );
    assert_eq!(message_indexes(&file, "com.example.Nope"), None);
}

#[test]
fn what_has_no_faithful_protobuf_type_says_what_to_do() {
    let mixed = [CameraId::Int(1), CameraId::Text("x".into())];
    type Case<'a> = (Vec<(&'a str, Value)>, &'a [CameraId], &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("a-b", Value::Constant(json!(1)))],
            &[],
            "payload field `a-b`: `a-b` is not a valid Protobuf field name",
        ),
        (
            vec![("n", Value::Constant(Json::Null))],
            &[],
            "`n`: a null constant has no Protobuf type",
        ),
        (
            vec![(
                "l",
                Value::Array(vec![Value::Constant(json!(1)), Value::Constant(json!("x"))]),
            )],
            &[],
            "`l`: its items differ in type (integer and string)",
        ),
        (
            vec![("l", Value::Constant(json!([[1]])))],
            &[],
            "`l[0]`: a list in a list",
        ),
        (
            vec![("l", Value::Array(vec![generated(int(0, 1), Some(0.1))]))],
            &[],
            "`l[0]`: a list item that can be null",
        ),
        (
            vec![("c", generated(Gen::CameraId, None))],
            &mixed,
            "`c`: the camera ids are both numbers and texts",
        ),
        (
            vec![(
                "c",
                generated(choice(vec![json!(-1), json!(u64::MAX)]), None),
            )],
            &[],
            "`c`: its values range from -1 to",
        ),
        (
            vec![
                ("foo_bar", Value::Constant(json!(1))),
                ("fooBar", Value::Constant(json!(1))),
            ],
            &[],
            "payload field `fooBar`: its JSON name `fooBar` is another field's too",
        ),
    ];
    for (payload, cameras, expected) in cases {
        let err = derived(payload, cameras).unwrap_err();
        assert!(err.starts_with(expected), "{err}");
        assert!(err.contains("value: {format: json}"), "{err}");
    }
    let err = derive(&[], "9x", None, &[]).unwrap_err();
    assert!(err.0.contains("record_name `9x`"), "{}", err.0);
}

#[test]
fn varints_and_zig_zag_at_the_edges() {
    let varint = |n: u64| {
        let mut out = Vec::new();
        write_varint(&mut out, n);
        out
    };
    assert_eq!(varint(0), [0]);
    assert_eq!(varint(1), [1]);
    assert_eq!(varint(127), [0x7f]);
    assert_eq!(varint(128), [0x80, 0x01]);
    assert_eq!(varint(300), [0xac, 0x02]);
    assert_eq!(
        varint(u64::MAX),
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
    assert_eq!(zigzag(0), 0);
    assert_eq!(zigzag(-1), 1);
    assert_eq!(zigzag(1), 2);
    assert_eq!(zigzag(-2), 3);
    assert_eq!(zigzag(i64::MAX), u64::MAX - 1);
    assert_eq!(zigzag(i64::MIN), u64::MAX);
}

#[test]
fn message_indexes_are_written_as_confluent_does() {
    let write = |indexes: &[i32]| {
        let mut out = Vec::new();
        write_message_indexes(&mut out, indexes);
        out
    };
    assert_eq!(write(&[0]), [0]);
    assert_eq!(write(&[1]), [2, 2]);
    assert_eq!(write(&[1, 0]), [4, 2, 0]);
    assert_eq!(write(&[0, 2, 64]), [6, 0, 4, 0x80, 0x01]);
}

/// `file` compiled by protox from its `.proto` text.
fn pool(file: &File) -> DescriptorPool {
    let text = to_proto(file);
    let set = protox_file(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    DescriptorPool::from_file_descriptor_set(set).unwrap()
}

/// `value` as prost-reflect's message of `descriptor`: an independent encoder.
fn dynamic(descriptor: &MessageDescriptor, value: &Json) -> DynamicMessage {
    let mut message = DynamicMessage::new(descriptor.clone());
    for (name, item) in value.as_object().unwrap() {
        if item.is_null() {
            continue;
        }
        let field = descriptor.get_field_by_name(name).unwrap();
        let one = |item: &Json| match field.kind() {
            Kind::Double => reflect::Value::F64(item.as_f64().unwrap()),
            Kind::Float => reflect::Value::F32(item.as_f64().unwrap() as f32),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
                reflect::Value::I32(item.as_i64().unwrap() as i32)
            }
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
                reflect::Value::I64(item.as_i64().unwrap())
            }
            Kind::Uint32 | Kind::Fixed32 => reflect::Value::U32(item.as_u64().unwrap() as u32),
            Kind::Uint64 | Kind::Fixed64 => reflect::Value::U64(item.as_u64().unwrap()),
            Kind::Bool => reflect::Value::Bool(item.as_bool().unwrap()),
            Kind::String => reflect::Value::String(item.as_str().unwrap().into()),
            Kind::Bytes => reflect::Value::Bytes(item.as_str().unwrap().as_bytes().to_vec().into()),
            Kind::Enum(e) => reflect::Value::EnumNumber(
                e.get_value_by_name(item.as_str().unwrap())
                    .unwrap()
                    .number(),
            ),
            Kind::Message(m) => reflect::Value::Message(dynamic(&m, item)),
        };
        let value = match item {
            Json::Array(items) => reflect::Value::List(items.iter().map(one).collect()),
            other => one(other),
        };
        message.set_field(&field, value);
    }
    message
}

fn ours(file: &File, full: &str, value: &Json) -> Vec<u8> {
    let encoder = Encoder::new(std::slice::from_ref(file), full).unwrap();
    let mut out = Vec::new();
    encode(&mut out, &encoder, value).unwrap();
    out
}

#[test]
fn the_encoding_is_prost_reflects() {
    use protox::prost::Message as _;
    let file = derived(
        vec![
            ("id", generated(Gen::EventId, None)),
            ("n", generated(int(i64::MIN, i64::MAX), None)),
            ("u", Value::Constant(json!(u64::MAX))),
            ("small", generated(int(-5, 5), Some(0.5))),
            ("x", generated(float(), None)),
            ("on", Value::Constant(json!(false))),
            ("seq", generated(Gen::Sequence { start: 0 }, None)),
            ("tags", Value::Constant(json!(["a", "b"]))),
            ("counts", Value::Constant(json!([1, 300, 0]))),
            (
                "box",
                generated(
                    Gen::Bbox(vec![Frame {
                        width: 4000,
                        height: 10,
                    }]),
                    None,
                ),
            ),
            ("long", Value::Constant(json!("é".repeat(100)))),
        ],
        &[],
    )
    .unwrap();
    let pool = pool(&file);
    let descriptor = pool.get_message_by_name("com.example.Event").unwrap();
    for value in [
        json!({"id": "a", "n": i64::MIN, "u": u64::MAX, "small": -1, "x": 0.1, "on": false, "seq": 0,
               "tags": ["a", "b"], "counts": [1, 300, 0], "box": {"x": 0, "y": 1, "w": 3999, "h": 2}, "long": "é".repeat(100)}),
        json!({"id": "", "n": i64::MAX, "u": 0, "small": null, "x": -2.5, "on": true, "seq": 7,
               "tags": [], "counts": [], "box": {"x": 0, "y": 0, "w": 0, "h": 0}, "long": ""}),
        json!({"id": "z", "n": 0, "u": 1, "small": 0, "x": 0.0, "on": true, "seq": -1,
               "tags": ["é"], "counts": [i32::MAX], "box": {"x": 5, "y": 5, "w": 5, "h": 5}, "long": "x"}),
    ] {
        let expected = dynamic(&descriptor, &value).encode_to_vec();
        assert_eq!(
            ours(&file, "com.example.Event", &value),
            expected,
            "{value}"
        );
    }
}

#[test]
fn what_does_not_fit_is_a_mismatch_that_says_where() {
    let file = derived(
        vec![
            ("n", generated(int(0, 10), None)),
            (
                "o",
                Value::Object(fields(vec![("m", Value::Constant(json!([1])))])),
            ),
        ],
        &[],
    )
    .unwrap();
    let encoder = Encoder::new(&[file], "com.example.Event").unwrap();
    let mismatch = |value: Json| encode(&mut Vec::new(), &encoder, &value).unwrap_err().0;
    assert_eq!(
        mismatch(json!({"n": "x"})),
        "value.n: \"x\" does not fit the Protobuf type int32"
    );
    assert_eq!(
        mismatch(json!({"n": 1u64 << 40})),
        "value.n: 1099511627776 does not fit the Protobuf type int32"
    );
    assert_eq!(
        mismatch(json!({"o": {"m": [1, "a"]}})),
        "value.o.m[1]: \"a\" does not fit the Protobuf type int32"
    );
    assert_eq!(
        mismatch(json!({"n": null})),
        "value.n: null, which only an `optional` field can be (by being left out)"
    );
    assert_eq!(
        mismatch(json!({"z": 1})),
        "value: the message has no field `z`"
    );
    // A default that is not of the field's type is refused too.
    assert_eq!(
        mismatch(json!({"n": ""})),
        "value.n: \"\" does not fit the Protobuf type int32"
    );
}

#[test]
fn a_negative_zero_double_is_written_as_confluents_serializers_do() {
    let file = derived(vec![("x", generated(float(), None))], &[]).unwrap();
    assert_eq!(
        ours(&file, "com.example.Event", &json!({"x": 0.0})),
        Vec::<u8>::new()
    );
    let mut expected = vec![0x09];
    expected.extend_from_slice(&(-0.0f64).to_le_bytes());
    assert_eq!(
        ours(&file, "com.example.Event", &json!({"x": -0.0})),
        expected
    );
}

#[test]
fn timestamps_are_seconds_and_nanos() {
    let file = File {
        package: String::new(),
        imports: vec![TIMESTAMP.1.into()],
        messages: vec![Message {
            name: "E".into(),
            fields: vec![Field {
                name: "t".into(),
                number: 1,
                ty: Type::Timestamp,
                label: Label::Singular,
                packed: false,
                at: None,
            }],
            messages: Vec::new(),
            enums: Vec::new(),
            at: None,
        }],
        enums: Vec::new(),
    };
    let text = to_proto(&file);
    assert!(
        text.contains("import \"google/protobuf/timestamp.proto\";\n"),
        "{text}"
    );
    assert!(
        text.contains("  google.protobuf.Timestamp t = 1;\n"),
        "{text}"
    );
    let pool = pool(&file);
    let descriptor = pool.get_message_by_name("E").unwrap();
    // 1,500 ms before the epoch is -2 s + 500,000,000 ns; the text is the same instant.
    let stamp = json!({"t": {"seconds": -2, "nanos": 500_000_000}});
    use protox::prost::Message as _;
    let expected = dynamic(&descriptor, &stamp).encode_to_vec();
    assert_eq!(ours(&file, "E", &json!({"t": -1500})), expected);
    assert_eq!(
        ours(&file, "E", &json!({"t": "1969-12-31T23:59:58.500Z"})),
        expected
    );
    assert_eq!(ours(&file, "E", &json!({"t": 0})), [0x0a, 0x00]);
}

#[test]
fn the_proto_text_reads_back_as_the_same_file() {
    let file = derived(
        vec![
            (
                "kind",
                generated(choice(vec![json!("person"), json!("car")]), None),
            ),
            (
                "o",
                Value::Object(fields(vec![(
                    "p",
                    Value::Object(fields(vec![("q", Value::Constant(json!(1)))])),
                )])),
            ),
            ("l", Value::Constant(json!([1.5]))),
            ("n", generated(int(-1, 1), Some(0.2))),
        ],
        &[],
    )
    .unwrap();
    let text = to_proto(&file);
    let dir = super::load::tests::dir_of(&[("event.proto", &text)]);
    let loaded = load(&dir.path().join("event.proto"), None).unwrap();
    assert_eq!(loaded.message, "com.example.Event");
    assert_eq!(loaded.text, to_proto(&file));
    let mut back = loaded.files[0].clone();
    fn forget(m: &mut Message) {
        m.at = None;
        m.fields.iter_mut().for_each(|f| f.at = None);
        m.messages.iter_mut().for_each(forget);
    }
    back.messages.iter_mut().for_each(forget);
    assert_eq!(back, file);
}

const USER: &str = "syntax = \"proto3\";\npackage t;\nenum Color {\n  RED = 0;\n  GREEN = 1;\n}\nmessage First {\n}\nmessage M {\n  Color c = 1;\n  fixed32 f = 2;\n  sfixed64 g = 3;\n  float h = 4;\n  bytes b = 5;\n  uint32 u = 6;\n  sint64 s = 7;\n  repeated Color cs = 8;\n  repeated double ds = 9;\n  optional int32 o = 10;\n  N n = 11;\n  repeated N ns = 12;\n  message N {\n    string t = 1;\n  }\n  fixed64 fx = 14;\n  sfixed32 sf = 15;\n  int32 neg = 16;\n}\n";

#[test]
fn a_user_files_types_encode_as_prost_reflect_encodes_them() {
    use protox::prost::Message as _;
    let dir = super::load::tests::dir_of(&[("t.proto", USER)]);
    let loaded = load(&dir.path().join("t.proto"), Some("M")).unwrap();
    assert_eq!(message_indexes(&loaded.files[0], "t.M.N"), Some(vec![1, 0]));
    let mut indexes = Vec::new();
    write_message_indexes(&mut indexes, &[1, 0]);
    assert_eq!(indexes, [4, 2, 0]);
    let pool = DescriptorPool::from_file_descriptor_set(protox_file(USER).unwrap()).unwrap();
    let descriptor = pool.get_message_by_name("t.M").unwrap();
    for value in [
        json!({"c": "GREEN", "f": u32::MAX, "g": i64::MIN, "h": 1.5, "b": "bytes", "u": 7, "s": -3,
               "cs": ["GREEN", "RED"], "ds": [0.5, -0.0], "o": 0, "n": {"t": "x"}, "ns": [{"t": ""}, {"t": "y"}],
               "fx": u64::MAX, "sf": -1, "neg": -1}),
        json!({"c": "RED", "f": 0, "g": 0, "h": 0.0, "b": "", "u": 0, "s": 0, "cs": [], "ds": [],
               "o": null, "n": {}, "ns": [], "fx": 0, "sf": 0, "neg": 0}),
    ] {
        let expected = dynamic(&descriptor, &value).encode_to_vec();
        let encoder = Encoder::new(&loaded.files, &loaded.message).unwrap();
        let mut out = Vec::new();
        encode(&mut out, &encoder, &value).unwrap();
        assert_eq!(out, expected, "{value}");
    }
}

#[test]
fn an_unpacked_repeated_field_writes_a_tag_per_item() {
    let text = "syntax = \"proto3\";\nmessage U {\n  repeated int32 up = 1 [packed = false];\n  repeated sint32 p = 2;\n}\n";
    let dir = super::load::tests::dir_of(&[("u.proto", text)]);
    let loaded = load(&dir.path().join("u.proto"), None).unwrap();
    let encoder = Encoder::new(&loaded.files, &loaded.message).unwrap();
    let mut out = Vec::new();
    encode(&mut out, &encoder, &json!({"up": [1, 2], "p": [-1, 1]})).unwrap();
    assert_eq!(out, [0x08, 1, 0x08, 2, 0x12, 2, 1, 2]);
    assert!(to_proto(&loaded.files[0]).contains("  repeated int32 up = 1 [packed = false];\n"));
}
