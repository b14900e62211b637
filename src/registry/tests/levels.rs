//! Each compatibility level with a compatible and an incompatible change, for Avro and
//! Protobuf.

use serde_json::{Value as Json, json};

use super::super::Registry;
use super::*;

fn accepted(level: &str, old: &[Json], new: Json) -> (bool, String) {
    let mut r = Registry::new();
    call(&mut r, "PUT", "/config", json!({"compatibility": "NONE"}));
    for o in old {
        assert_eq!(register(&mut r, "s", o.clone()).0, 200);
    }
    assert_eq!(
        call(&mut r, "PUT", "/config/s", json!({"compatibility": level})).0,
        200
    );
    let (status, body) = register(&mut r, "s", new);
    assert!(
        status == 200 || code(&(status, body.clone())) == (409, 409),
        "{body}"
    );
    (
        status == 200,
        body["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn avro_under_each_level() {
    let one = [avro(A)];
    let with_b = [avro(&format!("{A},{B}"))];
    for level in [
        "BACKWARD",
        "FORWARD",
        "FULL",
        "BACKWARD_TRANSITIVE",
        "FORWARD_TRANSITIVE",
        "FULL_TRANSITIVE",
        "NONE",
    ] {
        // A field added with a default is readable both ways.
        assert!(
            accepted(level, &one, avro(&format!("{A},{B_DEFAULT}"))).0,
            "{level}"
        );
        let added = accepted(level, &one, avro(&format!("{A},{B}"))).0;
        let removed = accepted(level, &with_b, avro(A)).0;
        let backward = level.starts_with("BACKWARD") || level.starts_with("FULL");
        let forward = level.starts_with("FORWARD") || level.starts_with("FULL");
        assert_eq!(added, !backward, "{level}: a field added without a default");
        assert_eq!(
            removed, !forward,
            "{level}: a field without a default removed"
        );
    }
    // Transitive levels check every live version, the others only the latest.
    let history = [avro(A), avro(B)];
    let c = r#"{"name":"c","type":"int","default":0}"#;
    let next = avro(&format!("{B},{c}"));
    assert!(accepted("BACKWARD", &history, next.clone()).0);
    assert!(!accepted("BACKWARD_TRANSITIVE", &history, next).0);
    let (_, message) = accepted("BACKWARD", &one, avro(&format!("{A},{B}")));
    assert!(
        message.starts_with("Schema being registered is incompatible with an earlier schema for subject \"s\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'"),
        "{message}"
    );
    assert!(
        message.contains("The field 'b'") && message.contains("{compatibility: 'BACKWARD'}"),
        "{message}"
    );
}

fn proto(body: &str) -> Json {
    json!({"schemaType": "PROTOBUF", "schema": format!("syntax = \"proto3\";\npackage p;\n{body}")})
}

#[test]
fn protobuf_under_each_level() {
    let one = [proto("message M { int32 a = 1; }")];
    for level in [
        "BACKWARD",
        "FORWARD",
        "FULL",
        "BACKWARD_TRANSITIVE",
        "FORWARD_TRANSITIVE",
        "FULL_TRANSITIVE",
        "NONE",
    ] {
        assert!(
            accepted(
                level,
                &one,
                proto("message M { int32 a = 1; string b = 2; }")
            )
            .0,
            "{level}"
        );
        let changed = accepted(level, &one, proto("message M { string a = 1; }"));
        assert_eq!(changed.0, level == "NONE", "{level}: {}", changed.1);
        let backward = level.starts_with("BACKWARD") || level.starts_with("FULL");
        let forward = level.starts_with("FORWARD") || level.starts_with("FULL");
        // A message added: old readers lack it (forward); removed: new readers do.
        let added = accepted(
            level,
            &one,
            proto("message M { int32 a = 1; } message N {}"),
        )
        .0;
        assert_eq!(added, !forward, "{level}: a message added");
        let two = [proto("message M { int32 a = 1; } message N {}")];
        assert_eq!(
            accepted(level, &two, proto("message M { int32 a = 1; }")).0,
            !backward,
            "{level}"
        );
    }
    let (_, message) = accepted("BACKWARD", &one, proto("message M { string a = 1; }"));
    assert!(
        message.contains("FIELD_SCALAR_KIND_CHANGED") && message.contains("#/M/1"),
        "{message}"
    );
    let mut r = Registry::new();
    register(&mut r, "p", proto("message M { int32 a = 1; }"));
    let (_, v) = call(&mut r, "GET", "/subjects/p/versions/1", Json::Null);
    assert_eq!(v["schemaType"], "PROTOBUF");
    // The same .proto laid out differently is the same schema.
    assert_eq!(
        register(
            &mut r,
            "p",
            proto("message M {\n  int32 a = 1; // a comment\n}")
        ),
        (200, json!({"id": 1}))
    );
    let raw = r.handle("GET", "/schemas/ids/1/schema", "", &[], None);
    assert!(raw.body.starts_with("syntax = \"proto3\";"), "{}", raw.body);
}
