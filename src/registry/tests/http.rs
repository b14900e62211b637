//! A registry served over real HTTP.

use serde_json::{Value as Json, json};

use super::super::{Registry, Serving};
use super::*;

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
    // A new connection (the agent's pooled one belongs to tiny_http, not to the
    // registry's thread, which has been joined): nothing listens any more.
    let fresh = ureq::Agent::new_with_defaults();
    assert!(
        fresh.get(format!("{url}/subjects")).call().is_err(),
        "still answering after the drop"
    );
}

#[test]
fn basic_auth_over_http() {
    let registry = Registry::with_basic_auth("svc", "s3cret");
    let serving = Serving::start_with("127.0.0.1:0".parse().unwrap(), registry).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut refused = agent
        .get(format!("{}/subjects", serving.url()))
        .call()
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().get("www-authenticate").is_some());
    let body = refused.body_mut().read_to_string().unwrap();
    assert_eq!(body, r#"{"error_code":401,"message":"Unauthorized"}"#);
    let mut allowed = agent
        .get(format!("{}/subjects", serving.url()))
        .header("Authorization", "Basic c3ZjOnMzY3JldA==")
        .call()
        .unwrap();
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.body_mut().read_to_string().unwrap(), "[]");
}
