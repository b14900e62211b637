//! Each endpoint and error code.

use serde_json::{Value as Json, json};

use super::super::Registry;
use super::*;

#[test]
fn ids_are_global_and_versions_per_subject() {
    let mut r = Registry::new();
    assert_eq!(
        register(&mut r, "a-value", avro(A)),
        (200, json!({"id": 1}))
    );
    // The same schema under another subject: the same id, that subject's version 1.
    assert_eq!(
        register(&mut r, "b-value", avro(A)),
        (200, json!({"id": 1}))
    );
    assert_eq!(
        register(&mut r, "a-value", avro(&format!("{A},{B_DEFAULT}"))),
        (200, json!({"id": 2}))
    );
    // Registering again: the id, no new version; whitespace does not matter.
    let spaced = json!({"schema": r#"{ "type": "record", "name": "R", "fields": [ {"name": "a", "type": "int"} ] }"#});
    assert_eq!(register(&mut r, "a-value", spaced), (200, json!({"id": 1})));
    assert_eq!(
        call(&mut r, "GET", "/subjects/a-value/versions", Json::Null),
        (200, json!([1, 2]))
    );
    assert_eq!(
        call(&mut r, "GET", "/subjects", Json::Null),
        (200, json!(["a-value", "b-value"]))
    );
    assert_eq!(
        call(&mut r, "GET", "/subjects?subjectPrefix=b-", Json::Null),
        (200, json!(["b-value"]))
    );
    let (status, v) = call(
        &mut r,
        "GET",
        "/subjects/a-value/versions/latest",
        Json::Null,
    );
    assert_eq!(
        (status, &v["subject"], &v["version"], &v["id"]),
        (200, &json!("a-value"), &json!(2), &json!(2))
    );
    assert!(v.get("schemaType").is_none(), "AVRO is left out: {v}");
    let (_, v) = call(&mut r, "GET", "/subjects/b-value/versions/1", Json::Null);
    assert_eq!(v["id"], 1);
    assert_eq!(
        call(&mut r, "GET", "/schemas/ids/1", Json::Null),
        (
            200,
            json!({"schema": r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#})
        )
    );
    assert_eq!(
        call(&mut r, "GET", "/schemas/ids/1/versions", Json::Null),
        (
            200,
            json!([{"subject": "a-value", "version": 1}, {"subject": "b-value", "version": 1}])
        )
    );
    let raw = r.handle("GET", "/subjects/a-value/versions/1/schema", "", &[], None);
    assert_eq!(raw.json()["type"], "record");
}

#[test]
fn not_found_and_invalid_answers_carry_confluent_codes() {
    let mut r = Registry::new();
    register(&mut r, "s", avro(A));
    let cases = [
        ("GET", "/subjects/nope/versions", Json::Null, (404, 40401)),
        ("GET", "/subjects/nope/versions/1", Json::Null, (404, 40401)),
        ("GET", "/subjects/s/versions/7", Json::Null, (404, 40402)),
        ("GET", "/subjects/s/versions/0", Json::Null, (422, 42202)),
        ("GET", "/subjects/s/versions/one", Json::Null, (422, 42202)),
        ("GET", "/schemas/ids/9", Json::Null, (404, 40403)),
        ("POST", "/subjects/s", avro(B), (404, 40403)),
        ("POST", "/subjects/nope", avro(A), (404, 40401)),
        (
            "POST",
            "/subjects/s/versions",
            json!({"schema": "{\"type\":\"record\"}"}),
            (422, 42201),
        ),
        (
            "POST",
            "/subjects/s/versions",
            json!({"schema": "message M {", "schemaType": "PROTOBUF"}),
            (422, 42201),
        ),
        (
            "POST",
            "/subjects/s/versions",
            json!({"schema": "{not json", "schemaType": "JSON"}),
            (422, 42201),
        ),
        (
            "POST",
            "/subjects/s/versions",
            json!({"schema": "\"int\"", "schemaType": "XML"}),
            (422, 42201),
        ),
        (
            "PUT",
            "/config",
            json!({"compatibility": "SIDEWAYS"}),
            (422, 42203),
        ),
        ("GET", "/config/s", Json::Null, (404, 40401)),
        ("GET", "/nowhere", Json::Null, (404, 404)),
        ("PUT", "/subjects/s/versions", Json::Null, (405, 405)),
    ];
    for (method, target, body, expected) in cases {
        let reply = call(&mut r, method, target, body);
        assert_eq!(code(&reply), expected, "{method} {target}: {}", reply.1);
        assert!(reply.1["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, e) = call(&mut r, "GET", "/subjects/nope/versions", Json::Null);
    assert_eq!(e["message"], "Subject 'nope' not found.");
    let (_, e) = register(
        &mut r,
        "s",
        json!({"schema": "{\"type\":\"record\",\"name\":\"R\"}"}),
    );
    assert!(
        e["message"].as_str().unwrap().contains("no \"fields\""),
        "{e}"
    );
    let reply = r.handle("POST", "/subjects/s/versions", "", b"not json", None);
    assert_eq!(reply.status, 400);
}

#[test]
fn lookup_finds_the_version_holding_a_schema() {
    let mut r = Registry::new();
    register(&mut r, "s", avro(A));
    register(&mut r, "s", avro(&format!("{A},{B_DEFAULT}")));
    let (status, v) = call(&mut r, "POST", "/subjects/s", avro(A));
    assert_eq!(status, 200);
    assert_eq!(
        (&v["subject"], &v["version"], &v["id"]),
        (&json!("s"), &json!(1), &json!(1))
    );
    assert!(v["schema"].as_str().unwrap().contains("\"a\""));
}

/// Runs `steps`: each request and its expected status and body (of an error, only
/// its `error_code` is compared).
fn expect(r: &mut Registry, steps: &[(&str, &str, u16, Json)]) {
    for (method, target, status, expected) in steps {
        let (got_status, got) = call(r, method, target, Json::Null);
        let got = match expected.get("error_code") {
            Some(_) => json!({"error_code": got["error_code"]}),
            None => got,
        };
        assert_eq!(
            (got_status, got),
            (*status, expected.clone()),
            "{method} {target}"
        );
    }
}

#[test]
fn versions_are_soft_deleted_then_permanently() {
    let mut r = Registry::new();
    register(&mut r, "s", avro(A));
    register(&mut r, "s", avro(&format!("{A},{B_DEFAULT}")));
    let error = |code: u32| json!({"error_code": code});
    expect(
        &mut r,
        &[
            (
                "DELETE",
                "/subjects/s/versions/1?permanent=true",
                404,
                error(40407),
            ),
            ("DELETE", "/subjects/s/versions/1", 200, json!(1)),
            ("DELETE", "/subjects/s/versions/1", 404, error(40406)),
            ("GET", "/subjects/s/versions", 200, json!([2])),
            (
                "GET",
                "/subjects/s/versions?deleted=true",
                200,
                json!([1, 2]),
            ),
            ("GET", "/subjects/s/versions/1", 404, error(40402)),
        ],
    );
    let (status, _) = call(
        &mut r,
        "GET",
        "/subjects/s/versions/1?deleted=true",
        Json::Null,
    );
    assert_eq!(status, 200);
    // A soft-deleted version's schema keeps its id; a permanently deleted one does not.
    assert_eq!(call(&mut r, "GET", "/schemas/ids/1", Json::Null).0, 200);
    expect(
        &mut r,
        &[
            (
                "DELETE",
                "/subjects/s/versions/1?permanent=true",
                200,
                json!(1),
            ),
            ("GET", "/schemas/ids/1", 404, error(40403)),
        ],
    );
}

#[test]
fn subjects_are_soft_deleted_then_permanently() {
    let mut r = Registry::new();
    register(&mut r, "s", avro(A));
    register(&mut r, "s", avro(&format!("{A},{B_DEFAULT}")));
    let error = |code: u32| json!({"error_code": code});
    expect(
        &mut r,
        &[
            ("DELETE", "/subjects/s?permanent=true", 404, error(40405)),
            ("DELETE", "/subjects/s", 200, json!([1, 2])),
            ("DELETE", "/subjects/s", 404, error(40404)),
            ("GET", "/subjects", 200, json!([])),
            ("GET", "/subjects?deleted=true", 200, json!(["s"])),
            ("GET", "/subjects/s/versions", 404, error(40401)),
        ],
    );
    // Registering after a soft delete continues the numbering; ids are not reused.
    assert_eq!(register(&mut r, "s", avro(B)), (200, json!({"id": 3})));
    expect(
        &mut r,
        &[
            ("GET", "/subjects/s/versions", 200, json!([3])),
            ("DELETE", "/subjects/s", 200, json!([3])),
            (
                "DELETE",
                "/subjects/s?permanent=true",
                200,
                json!([1, 2, 3]),
            ),
            ("DELETE", "/subjects/s", 404, error(40401)),
        ],
    );
    // After a permanent delete the same schema gets its old id back, as version 1.
    assert_eq!(register(&mut r, "s", avro(A)), (200, json!({"id": 1})));
    expect(&mut r, &[("GET", "/subjects/s/versions", 200, json!([1]))]);
}

/// Whether registering `new` after `old` under `level` succeeds (a fresh registry).
#[test]
fn compatibility_endpoint() {
    let mut r = Registry::new();
    register(&mut r, "s", avro(A));
    let target = "/compatibility/subjects/s/versions/latest";
    assert_eq!(
        call(&mut r, "POST", target, avro(&format!("{A},{B_DEFAULT}"))),
        (200, json!({"is_compatible": true}))
    );
    assert_eq!(
        call(&mut r, "POST", target, avro(&format!("{A},{B}"))),
        (200, json!({"is_compatible": false}))
    );
    let (_, v) = call(
        &mut r,
        "POST",
        &format!("{target}?verbose=true"),
        avro(&format!("{A},{B}")),
    );
    assert_eq!(v["is_compatible"], false);
    assert!(
        v["messages"][0]
            .as_str()
            .unwrap()
            .contains("READER_FIELD_MISSING_DEFAULT_VALUE"),
        "{v}"
    );
    let (_, v) = call(
        &mut r,
        "POST",
        "/compatibility/subjects/s/versions?verbose=true",
        avro(A),
    );
    assert_eq!(v, json!({"is_compatible": true, "messages": []}));
    assert_eq!(
        code(&call(
            &mut r,
            "POST",
            "/compatibility/subjects/nope/versions/1",
            avro(A)
        )),
        (404, 40401)
    );
    assert_eq!(
        code(&call(
            &mut r,
            "POST",
            "/compatibility/subjects/s/versions/5",
            avro(A)
        )),
        (404, 40402)
    );
    assert_eq!(
        code(&call(
            &mut r,
            "POST",
            "/compatibility/subjects/s/versions/x",
            avro(A)
        )),
        (422, 42202)
    );
    assert_eq!(
        call(
            &mut r,
            "POST",
            "/compatibility/subjects/nope/versions",
            avro(A)
        )
        .1["is_compatible"],
        true
    );
}

#[test]
fn config_global_and_per_subject() {
    let mut r = Registry::new();
    // Deleting a subject deletes its level.
    call(
        &mut r,
        "PUT",
        "/config/gone",
        json!({"compatibility": "NONE"}),
    );
    register(&mut r, "gone", avro(A));
    call(&mut r, "DELETE", "/subjects/gone", Json::Null);
    assert_eq!(
        code(&call(&mut r, "GET", "/config/gone", Json::Null)),
        (404, 40401)
    );
    assert_eq!(
        call(&mut r, "GET", "/config", Json::Null),
        (200, json!({"compatibilityLevel": "BACKWARD"}))
    );
    assert_eq!(
        call(&mut r, "PUT", "/config", json!({"compatibility": "FULL"})),
        (200, json!({"compatibility": "FULL"}))
    );
    assert_eq!(
        call(&mut r, "GET", "/config", Json::Null).1,
        json!({"compatibilityLevel": "FULL"})
    );
    assert_eq!(
        call(&mut r, "GET", "/config/s?defaultToGlobal=true", Json::Null).1,
        json!({"compatibilityLevel": "FULL"})
    );
    assert_eq!(
        call(
            &mut r,
            "PUT",
            "/config/s",
            json!({"compatibility": "forward_transitive"})
        )
        .1,
        json!({"compatibility": "FORWARD_TRANSITIVE"})
    );
    assert_eq!(
        call(&mut r, "GET", "/config/s", Json::Null).1,
        json!({"compatibilityLevel": "FORWARD_TRANSITIVE"})
    );
    assert_eq!(
        call(&mut r, "DELETE", "/config/s", Json::Null).1,
        json!({"compatibilityLevel": "FORWARD_TRANSITIVE"})
    );
    assert_eq!(
        code(&call(&mut r, "GET", "/config/s", Json::Null)),
        (404, 40401)
    );
    assert_eq!(
        code(&call(
            &mut r,
            "PUT",
            "/config/s",
            json!({"compatibilityLevel": "FULL"})
        )),
        (422, 42203)
    );
}

#[test]
fn normalize_makes_equivalent_schemas_one() {
    let mut r = Registry::new();
    let first = json!({"schema": r#"{"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":{"type":"int"}}]}"#});
    let same =
        json!({"schema": r#"{"fields":[{"type":"int","name":"a"}],"name":"n.R","type":"record"}"#});
    assert_eq!(register(&mut r, "s", first), (200, json!({"id": 1})));
    // Key order and `{"type":"int"}` for `"int"` do not make another schema.
    let reordered = json!({"schema": r#"{"namespace":"n","fields":[{"type":"int","name":"a"}],"name":"R","type":"record"}"#});
    assert_eq!(register(&mut r, "s", reordered), (200, json!({"id": 1})));
    // A full name for name and namespace does, unless normalised.
    assert_eq!(
        call(&mut r, "POST", "/subjects/s?normalize=true", same.clone()).1["id"],
        1
    );
    assert_eq!(
        code(&call(&mut r, "POST", "/subjects/s", same.clone())),
        (404, 40403)
    );
    assert_eq!(register(&mut r, "s", same.clone()), (200, json!({"id": 2})));
    assert_eq!(register(&mut r, "t", same).1, json!({"id": 2}));
    // Registered with normalize: the id of any schema with the same normalised form.
    let other = json!({"schema": r#"{ "type" : "record", "fields" : [{"name":"a","type":"int"}], "name": "n.R" }"#});
    assert_eq!(
        call(&mut r, "POST", "/subjects/u/versions?normalize=true", other),
        (200, json!({"id": 1}))
    );
    // A new schema registered with normalize is stored normalised.
    let new = json!({"schema": r#"{ "type" : "record", "fields" : [{"name":"b","type":{"type":"long"}}], "name": "n.Q" }"#});
    assert_eq!(
        call(&mut r, "POST", "/subjects/w/versions?normalize=true", new),
        (200, json!({"id": 3}))
    );
    let (_, stored) = call(&mut r, "GET", "/schemas/ids/3", Json::Null);
    assert_eq!(
        stored["schema"],
        r#"{"name":"n.Q","type":"record","fields":[{"name":"b","type":"long"}]}"#
    );
}

#[test]
fn references_resolve_across_subjects() {
    let mut r = Registry::new();
    register(
        &mut r,
        "address",
        json!({"schema": r#"{"type":"record","name":"Address","namespace":"x","fields":[{"name":"street","type":"string"}]}"#}),
    );
    let person = json!({
        "schema": r#"{"type":"record","name":"Person","namespace":"x","fields":[{"name":"home","type":"Address"}]}"#,
        "references": [{"name": "x.Address", "subject": "address", "version": 1}]
    });
    assert_eq!(register(&mut r, "person", person), (200, json!({"id": 2})));
    let (_, v) = call(&mut r, "GET", "/schemas/ids/2", Json::Null);
    assert_eq!(
        v["references"],
        json!([{"name": "x.Address", "subject": "address", "version": 1}])
    );
    let dangling = json!({"schema": r#""x.Address""#, "references": [{"name": "x.Address", "subject": "address", "version": 9}]});
    assert_eq!(code(&register(&mut r, "q", dangling)), (422, 42201));
    assert_eq!(
        code(&call(
            &mut r,
            "DELETE",
            "/subjects/address/versions/1",
            Json::Null
        )),
        (422, 42206)
    );
    expect(
        &mut r,
        &[
            (
                "GET",
                "/subjects/address/versions/1/referencedby",
                200,
                json!([2]),
            ),
            ("GET", "/schemas/ids/1/subjects", 200, json!(["address"])),
            ("GET", "/mode", 200, json!({"mode": "READWRITE"})),
        ],
    );
    let import = json!({"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\"; package o; message Other { int32 x = 1; }"});
    register(&mut r, "other.proto", import);
    let main = json!({"schemaType": "PROTOBUF",
        "schema": "syntax = \"proto3\"; import \"other.proto\"; import \"google/protobuf/timestamp.proto\"; message M { o.Other o = 1; google.protobuf.Timestamp at = 2; }",
        "references": [{"name": "other.proto", "subject": "other.proto", "version": 1}]});
    assert_eq!(register(&mut r, "m", main), (200, json!({"id": 4})));
    let subjects = call(&mut r, "GET", "/subjects/other.proto/versions", Json::Null);
    assert_eq!(subjects, (200, json!([1])));
}

#[test]
fn json_schema_subjects() {
    let mut r = Registry::new();
    let v1 = json!({"schemaType": "JSON", "schema": r#"{"type":"object","properties":{"a":{"type":"integer"}}}"#});
    assert_eq!(register(&mut r, "j", v1), (200, json!({"id": 1})));
    let narrowed = json!({"schemaType": "JSON", "schema": r#"{"type":"object","properties":{"a":{"type":"string"}}}"#});
    let (status, e) = register(&mut r, "j", narrowed);
    assert_eq!(status, 409, "{e}");
    assert!(e["message"].as_str().unwrap().contains("TYPE_CHANGED"));
    assert_eq!(
        call(&mut r, "GET", "/subjects/j/versions/1", Json::Null).1["schemaType"],
        "JSON"
    );
}

#[test]
fn basic_auth() {
    let mut r = Registry::with_basic_auth("svc", "s3cret");
    let unauthorized = json!({"error_code": 401, "message": "Unauthorized"});
    let reply = r.handle("GET", "/subjects", "", &[], None);
    assert_eq!((reply.status, reply.json()), (401, unauthorized.clone()));
    // base64("svc:wrong") and base64("svc:s3cret")
    let reply = r.handle("GET", "/subjects", "", &[], Some("Basic c3ZjOndyb25n"));
    assert_eq!((reply.status, reply.json()), (401, unauthorized));
    let reply = r.handle("GET", "/subjects", "", &[], Some("Basic c3ZjOnMzY3JldA=="));
    assert_eq!((reply.status, reply.json()), (200, json!([])));
}

#[test]
fn subjects_in_paths_are_percent_decoded() {
    let mut r = Registry::new();
    register(&mut r, "a%3Ab", avro(A));
    assert_eq!(
        call(&mut r, "GET", "/subjects", Json::Null).1,
        json!(["a:b"])
    );
    assert_eq!(
        Registry::pattern("GET", "/subjects/a%3Ab/versions/3/schema"),
        "GET /subjects/{subject}/versions/{version}/schema"
    );
    assert_eq!(
        Registry::pattern("POST", "/subjects/x/versions"),
        "POST /subjects/{subject}/versions"
    );
    assert_eq!(
        Registry::pattern("GET", "/schemas/ids/4"),
        "GET /schemas/ids/{id}"
    );
}

#[test]
fn protobuf_schemas_in_the_serialized_format() {
    let mut r = Registry::new();
    let text = json!({"schemaType": "PROTOBUF", "schema": "syntax = \"proto3\";\npackage p;\nmessage M { int32 a = 1; }"});
    assert_eq!(register(&mut r, "t", text), (200, json!({"id": 1})));
    // As Confluent's Protobuf deserializers ask for it: a base64 FileDescriptorProto.
    let (_, by_id) = call(
        &mut r,
        "GET",
        "/schemas/ids/1?format=serialized",
        Json::Null,
    );
    let serialized = by_id["schema"].as_str().unwrap().to_string();
    assert!(
        !serialized.contains(' ') && !serialized.is_empty(),
        "{serialized}"
    );
    let (_, latest) = call(
        &mut r,
        "GET",
        "/subjects/t/versions/latest?format=serialized",
        Json::Null,
    );
    assert_eq!(latest["schema"], serialized.as_str());
    // As Confluent's Protobuf serializers send it: the same schema, the same id.
    let sent = json!({"schemaType": "PROTOBUF", "schema": serialized});
    assert_eq!(register(&mut r, "u", sent), (200, json!({"id": 1})));
    let (_, plain) = call(&mut r, "GET", "/schemas/ids/1", Json::Null);
    assert!(plain["schema"].as_str().unwrap().starts_with("syntax"));
}
