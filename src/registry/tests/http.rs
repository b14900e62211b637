//! A registry served over real HTTP.

use serde_json::{Value as Json, json};

use super::super::Serving;
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
    assert!(
        agent.get(format!("{url}/subjects")).call().is_err(),
        "still answering after the drop"
    );
}
