use super::*;

fn bytes(schema: &Schema, value: Json) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&mut out, schema, &value, "value").unwrap();
    out
}

#[test]
fn longs_are_zig_zag_varints_as_the_specification_lists_them() {
    // The specification's table: 0 → 00, -1 → 01, 1 → 02, -2 → 03, 2 → 04, -64 → 7f, 64 → 80 01.
    for (n, expected) in [
        (0, vec![0x00]),
        (-1, vec![0x01]),
        (1, vec![0x02]),
        (-2, vec![0x03]),
        (2, vec![0x04]),
        (-64, vec![0x7f]),
        (64, vec![0x80, 0x01]),
        (8192, vec![0x80, 0x80, 0x01]),
    ] {
        assert_eq!(bytes(&Schema::Long, json!(n)), expected, "{n}");
        assert_eq!(bytes(&Schema::Int, json!(n)), expected, "{n}");
    }
    let mut out = Vec::new();
    write_long(&mut out, i64::MIN);
    assert_eq!(
        out,
        [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
    );
}

#[test]
fn primitives_follow_the_specification() {
    assert_eq!(
        bytes(&Schema::String, json!("foo")),
        [0x06, 0x66, 0x6f, 0x6f]
    );
    assert_eq!(bytes(&Schema::Boolean, json!(true)), [1]);
    assert_eq!(bytes(&Schema::Null, Json::Null), Vec::<u8>::new());
    assert_eq!(bytes(&Schema::Double, json!(1.0)), 1.0f64.to_le_bytes());
    // An integer written as a JSON integer is still a double when the schema says so.
    assert_eq!(bytes(&Schema::Double, json!(3)), 3.0f64.to_le_bytes());
    let uuid = Schema::Logical {
        base: Box::new(Schema::String),
        logical: "uuid",
    };
    assert_eq!(bytes(&uuid, json!("a")), [0x02, b'a']);
}

#[test]
fn enums_unions_arrays_and_records_follow_the_specification() {
    let kind = Schema::Enum {
        name: "kind".into(),
        symbols: vec!["person".into(), "car".into()],
    };
    assert_eq!(bytes(&kind, json!("car")), [0x02]);
    // The specification's example: ["null","string"] with "a" is 02 02 61; null is 00.
    let union = Schema::Union(vec![Schema::Null, Schema::String]);
    assert_eq!(bytes(&union, json!("a")), [0x02, 0x02, 0x61]);
    assert_eq!(bytes(&union, Json::Null), [0x00]);
    // The specification's example: an array of longs [3, 27] is 04 06 36 00.
    let array = Schema::Array(Box::new(Schema::Long));
    assert_eq!(bytes(&array, json!([3, 27])), [0x04, 0x06, 0x36, 0x00]);
    assert_eq!(bytes(&array, json!([])), [0x00]);
    // The specification's example: record {a: long, b: string} with a=27, b="foo" is 36 06 66 6f 6f.
    let record = Schema::Record {
        name: "test".into(),
        fields: vec![
            Field {
                name: "a".into(),
                schema: Schema::Long,
                default: None,
            },
            Field {
                name: "b".into(),
                schema: Schema::String,
                default: None,
            },
        ],
    };
    assert_eq!(
        bytes(&record, json!({"b": "foo", "a": 27})),
        [0x36, 0x06, 0x66, 0x6f, 0x6f]
    );
    let tuple = Schema::Tuple {
        members: vec![Schema::Long, Schema::String],
        positions: vec![Schema::String, Schema::Long],
    };
    assert_eq!(
        bytes(&tuple, json!(["a", 1])),
        [0x04, 0x02, 0x02, 0x61, 0x00, 0x02, 0x00]
    );
}

#[test]
fn a_value_that_does_not_fit_is_a_mismatch_that_says_where() {
    let mut out = Vec::new();
    let err = encode(&mut out, &Schema::Long, &json!("x"), "payload.n").unwrap_err();
    assert_eq!(
        err.0,
        "payload.n: \"x\" does not fit the Avro type \"long\""
    );
    assert!(encode(&mut out, &Schema::Int, &json!(1u64 << 40), "n").is_err());
}

#[test]
fn the_json_of_a_schema_is_what_a_registry_receives() {
    let record = Schema::Record {
        name: "Detection".into(),
        fields: vec![Field {
            name: "n".into(),
            schema: Schema::Union(vec![Schema::Null, Schema::Long]),
            default: Some(Json::Null),
        }],
    };
    assert_eq!(
        record.to_json(Some("com.example")).to_string(),
        r#"{"type":"record","name":"Detection","namespace":"com.example","fields":[{"name":"n","type":["null","long"],"default":null}]}"#
    );
}
