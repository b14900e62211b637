//! The registry's endpoints and error codes, request by request, against Confluent's
//! documented behaviour (`api`), each compatibility level (`levels`), and one registry
//! served over real HTTP (`http`); Avro parsing (`avro`).

mod api;
mod avro;
mod http;
mod levels;

use serde_json::{Value as Json, json};

use super::Registry;

pub(super) fn call(r: &mut Registry, method: &str, target: &str, body: Json) -> (u16, Json) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let body = if body.is_null() {
        Vec::new()
    } else {
        body.to_string().into_bytes()
    };
    let reply = r.handle(method, path, query, &body, None);
    (reply.status, reply.json())
}

pub(super) fn avro(fields: &str) -> Json {
    json!({"schema": format!(r#"{{"type":"record","name":"R","fields":[{fields}]}}"#)})
}

pub(super) const A: &str = r#"{"name":"a","type":"int"}"#;
pub(super) const B_DEFAULT: &str = r#"{"name":"b","type":"string","default":"x"}"#;
pub(super) const B: &str = r#"{"name":"b","type":"string"}"#;

pub(super) fn register(r: &mut Registry, subject: &str, body: Json) -> (u16, Json) {
    call(r, "POST", &format!("/subjects/{subject}/versions"), body)
}

pub(super) fn code(reply: &(u16, Json)) -> (u16, i64) {
    (reply.0, reply.1["error_code"].as_i64().unwrap_or(0))
}
