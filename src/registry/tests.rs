//! The registry's endpoints and error codes, request by request, against Confluent's
//! documented behaviour; and one registry served over real HTTP.

use serde_json::{Value as Json, json};

use super::{Registry, Serving};

/// Sends a request; the status and the JSON body.
fn call(r: &mut Registry, method: &str, target: &str, body: Json) -> (u16, Json) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let reply = r.handle(method, path, query, &body, None);
    (reply.status, reply.json())
}

fn avro(fields: &str) -> Json {
    json!({"schema": format!(r#"{{"type":"record","name":"R","fields":[{fields}]}}"#)})
}

const A: &str = r#"{"name":"a","type":"int"}"#;
const B_DEFAULT: &str = r#"{"name":"b","type":"string","default":"x"}"#;
const B: &str = r#"{"name":"b","type":"string"}"#;

fn register(r: &mut Registry, subject: &str, body: Json) -> (u16, Json) {
    call(r, "POST", &format!("/subjects/{subject}/versions"), body)
}

fn code(reply: &(u16, Json)) -> (u16, i64) {
    (reply.0, reply.1["error_code"].as_i64().unwrap_or(0))
}

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

#[test]
fn soft_and_permanent_deletion() {
    let mut r = Registry::new();
    register(&mut r, "s", avro(A));
    register(&mut r, "s", avro(&format!("{A},{B_DEFAULT}")));
    assert_eq!(
        code(&call(
            &mut r,
            "DELETE",
            "/subjects/s/versions/1?permanent=true",
            Json::Null
        )),
        (404, 40407)
    );
    assert_eq!(
        call(&mut r, "DELETE", "/subjects/s/versions/1", Json::Null),
        (200, json!(1))
    );
    assert_eq!(
        code(&call(
            &mut r,
            "DELETE",
            "/subjects/s/versions/1",
            Json::Null
        )),
        (404, 40406)
    );
    assert_eq!(
        call(&mut r, "GET", "/subjects/s/versions", Json::Null),
        (200, json!([2]))
    );
    assert_eq!(
        call(
            &mut r,
            "GET",
            "/subjects/s/versions?deleted=true",
            Json::Null
        ),
        (200, json!([1, 2]))
    );
    assert_eq!(
        code(&call(&mut r, "GET", "/subjects/s/versions/1", Json::Null)),
        (404, 40402)
    );
    assert_eq!(
        call(
            &mut r,
            "GET",
            "/subjects/s/versions/1?deleted=true",
            Json::Null
        )
        .0,
        200
    );
    // A soft-deleted version's schema keeps its id.
    assert_eq!(call(&mut r, "GET", "/schemas/ids/1", Json::Null).0, 200);
    assert_eq!(
        call(
            &mut r,
            "DELETE",
            "/subjects/s/versions/1?permanent=true",
            Json::Null
        ),
        (200, json!(1))
    );
    assert_eq!(
        code(&call(&mut r, "GET", "/schemas/ids/1", Json::Null)),
        (404, 40403)
    );
    assert_eq!(
        code(&call(
            &mut r,
            "DELETE",
            "/subjects/s?permanent=true",
            Json::Null
        )),
        (404, 40405)
    );
    assert_eq!(
        call(&mut r, "DELETE", "/subjects/s", Json::Null),
        (200, json!([2]))
    );
    assert_eq!(
        code(&call(&mut r, "DELETE", "/subjects/s", Json::Null)),
        (404, 40404)
    );
    assert_eq!(
        call(&mut r, "GET", "/subjects", Json::Null),
        (200, json!([]))
    );
    assert_eq!(
        call(&mut r, "GET", "/subjects?deleted=true", Json::Null),
        (200, json!(["s"]))
    );
    // Registering after a soft delete continues the numbering; ids are not reused.
    assert_eq!(register(&mut r, "s", avro(B)), (200, json!({"id": 3})));
    assert_eq!(
        call(&mut r, "GET", "/subjects/s/versions", Json::Null),
        (200, json!([3]))
    );
    call(&mut r, "DELETE", "/subjects/s", Json::Null);
    assert_eq!(
        call(&mut r, "DELETE", "/subjects/s?permanent=true", Json::Null),
        (200, json!([2, 3]))
    );
    assert_eq!(
        code(&call(&mut r, "DELETE", "/subjects/s", Json::Null)),
        (404, 40401)
    );
    // After a permanent delete the same schema gets its old id back, as version 1.
    assert_eq!(register(&mut r, "s", avro(A)), (200, json!({"id": 1})));
    assert_eq!(
        call(&mut r, "GET", "/subjects/s/versions", Json::Null),
        (200, json!([1]))
    );
}

/// Whether registering `new` after `old` under `level` succeeds (a fresh registry).
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
fn serves_over_http_and_stops_when_dropped() {
    let serving = Serving::start("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = serving.url();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let body = avro(A).to_string();
    let mut response = agent
        .post(format!("{url}/subjects/detections-value/versions"))
        .header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .send(body.as_str())
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/vnd.schemaregistry.v1+json"
    );
    assert_eq!(response.body_mut().read_to_string().unwrap(), r#"{"id":1}"#);
    let mut response = agent.get(format!("{url}/schemas/ids/7")).call().unwrap();
    assert_eq!(response.status(), 404);
    let error: Json = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(
        error,
        json!({"error_code": 40403, "message": "Schema 7 not found"})
    );
    agent.get(format!("{url}/schemas/ids/1")).call().unwrap();
    let counted = serving.requests();
    assert_eq!(counted["POST /subjects/{subject}/versions"], 1);
    assert_eq!(counted["GET /schemas/ids/{id}"], 2);
    drop(serving);
    assert!(
        agent.get(format!("{url}/subjects")).call().is_err(),
        "still answering after the drop"
    );
}
