//! Avro schemas parsed, resolved and normalised.

use super::super::avro::{Ty, parse};

#[test]
fn parses_records_enums_unions_and_named_references() {
    let s = parse(
        r#"{"type":"record","name":"A","namespace":"x","fields":[
            {"name":"e","type":{"type":"enum","name":"E","symbols":["P","Q"]}},
            {"name":"again","type":["null","E"],"default":null},
            {"name":"self","type":["null","A"],"default":null},
            {"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#,
        &[],
    )
    .unwrap();
    assert_eq!(s.root, Ty::Named("x.A".into()));
    assert!(s.named.contains_key("x.E"));
    assert_eq!(
        s.normalized(),
        r#"{"name":"x.A","type":"record","fields":[{"name":"e","type":{"name":"x.E","type":"enum","symbols":["P","Q"]}},{"name":"again","type":["null","x.E"],"default":null},{"name":"self","type":["null","x.A"],"default":null},{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}"#
    );
}

#[test]
fn a_referenced_type_is_known_by_name() {
    let address = parse(r#"{"type":"record","name":"Address","fields":[]}"#, &[]).unwrap();
    let s = parse(
        r#"{"type":"record","name":"P","fields":[{"name":"a","type":"Address"}]}"#,
        &[&address],
    )
    .unwrap();
    assert_eq!(
        s.normalized(),
        r#"{"name":"P","type":"record","fields":[{"name":"a","type":"Address"}]}"#
    );
    assert!(
        parse(
            r#"{"type":"record","name":"P","fields":[{"name":"a","type":"Address"}]}"#,
            &[]
        )
        .is_err()
    );
}

#[test]
fn invalid_schemas_say_why() {
    for (text, why) in [
        ("{", "not JSON"),
        (r#"{"type":"record","name":"A"}"#, "no \"fields\""),
        (r#""nope""#, "undefined name"),
        (r#"["int","int"]"#, "twice"),
        (
            r#"{"type":"enum","name":"E","symbols":["a","a"]}"#,
            "repeated",
        ),
        (
            r#"{"type":"record","name":"A","fields":[{"name":"f","type":["string","null"],"default":null}]}"#,
            "default",
        ),
        ("3", "not a schema"),
    ] {
        let e = parse(text, &[]).unwrap_err();
        assert!(e.contains(why), "{text}: {e}");
    }
}
