//! The published JSON Schemas are generated from the code, committed, and checked: the
//! files match the generator, every example scenario satisfies the scenario schema, and
//! dry-run output satisfies the event schema.

use simulate::scenario::model::*;
use simulate::sink::stdout::Format;

use crate::common::*;

fn check_committed(file: &str, generated: String) {
    let path = root().join("schemas").join(file);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "{} is stale: run `cargo run -- schema > schemas/{file}` (or UPDATE_GOLDEN=1 cargo test)",
        path.display()
    );
}

#[test]
fn committed_schemas_match_the_code() {
    check_committed("scenario.schema.json", simulate::schema::scenario());
    check_committed("event.schema.json", simulate::schema::event());
    check_committed("truth.schema.json", simulate::schema::truth());
}

/// The truth file of the example with faults satisfies its schema (boon), and the schema
/// is not vacuous: a truth with a misspelt field or a wrong type is rejected.
#[test]
fn truth_files_satisfy_the_truth_schema() {
    let schema: serde_json::Value = serde_json::from_str(&simulate::schema::truth()).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("mem://truth.json", schema).unwrap();
    let index = compiler.compile("mem://truth.json", &mut schemas).unwrap();
    let truth = crate::faults::truth_of(&crate::faults::dirty());
    if let Err(e) = schemas.validate(&truth, index) {
        panic!("{e}");
    }
    let mut misspelt = truth.clone();
    misspelt["totals"]["lates"] = 1.into();
    let mut wrong = truth.clone();
    wrong["faults"][0]["send_ms"] = "soon".into();
    for bad in [misspelt, wrong] {
        assert!(schemas.validate(&bad, index).is_err());
    }
}

#[test]
fn scenario_schema_is_draft_07_with_descriptions() {
    let schema: serde_json::Value = serde_json::from_str(&simulate::schema::scenario()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    let duration = &schema["properties"]["duration"];
    assert!(
        duration["description"]
            .as_str()
            .unwrap()
            .contains("How long")
    );
}

fn compile(schema_text: &str) -> (boon::Schemas, boon::SchemaIndex) {
    let schema: serde_json::Value = serde_json::from_str(schema_text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("mem://schema.json", schema).unwrap();
    let index = compiler.compile("mem://schema.json", &mut schemas).unwrap();
    (schemas, index)
}

#[test]
fn example_scenarios_satisfy_the_schema() {
    let (schemas, index) = compile(&simulate::schema::scenario());
    for path in example_scenarios() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../schemas/scenario.schema.json\n"),
            "{} lacks the schema comment",
            path.display()
        );
        let value: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        if let Err(e) = schemas.validate(&value, index) {
            panic!("{}: {e}", path.display());
        }
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let (schemas, index) = compile(&simulate::schema::scenario());
    for bad in [
        "duration: 3m\nstreams: []",
        "duration: 3\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]",
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: poisson, mean: 1s}}]",
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: exponential, maen: 1s}}]",
        "duration: 3m\nbogus: 1\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]",
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}, payload: {n: {gen: intt}}}]",
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}, payload: {n: {gen: int, min: 0, max: 9, step: 1}}}]",
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}, payload: {n: {gen: float, min: 0}}}]",
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}, key: {fields: n}}]",
        "duration: 3m\nstreams: [{cameras: [{zone: a}], inter_arrival: {distribution: constant, interval: 1s}}]",
    ] {
        let value: serde_json::Value = serde_yaml::from_str(bad).unwrap();
        assert!(
            schemas.validate(&value, index).is_err(),
            "schema accepted:\n{bad}"
        );
        assert!(try_scenario(bad).is_err(), "loader accepted:\n{bad}");
    }
}

#[test]
fn dry_run_output_satisfies_the_event_schema() {
    let (schemas, index) = compile(&simulate::schema::event());
    for path in example_scenarios() {
        let s = simulate::scenario::load_file(&path, &Default::default()).unwrap();
        // Scenarios with payloads of their own are checked against their schemas in
        // payload.rs; a replay's values are the recording's bytes (replay.rs).
        let replay = |st: &simulate::scenario::Stream| {
            matches!(st.arrivals, simulate::scenario::StreamArrivals::Replay(_))
        };
        if s.streams
            .iter()
            .any(|st| st.message.payload.is_some() || replay(st))
        {
            continue;
        }
        let values = render(&s, Format::Values);
        for line in values.lines().take(2_000) {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            if let Err(e) = schemas.validate(&value, index) {
                panic!("{}: {line}: {e}", path.display());
            }
        }
    }
}

#[test]
fn loader_field_lists_match_the_schema() {
    let schema: serde_json::Value = serde_json::from_str(&simulate::schema::scenario()).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let sorted = |f: &[&str]| -> Vec<String> {
        let mut k: Vec<String> = f.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    };
    let defs = &schema["definitions"];
    assert_eq!(keys(&schema), sorted(ScenarioFile::FIELDS));
    assert_eq!(keys(&defs["KafkaFile"]), sorted(KafkaFile::FIELDS));
    assert_eq!(keys(&defs["StreamFile"]), sorted(StreamFile::FIELDS));
    assert_eq!(
        keys(&defs["GeneratedCameras"]),
        sorted(GeneratedCameras::FIELDS)
    );
    assert_eq!(keys(&defs["RateFile"]), sorted(RateFile::FIELDS));
    assert_eq!(keys(&defs["RatePoint"]), sorted(RatePoint::FIELDS));
    assert_eq!(keys(&defs["IncidentFile"]), sorted(IncidentFile::FIELDS));
    assert_eq!(keys(&defs["OutageFile"]), sorted(OutageFile::FIELDS));
    assert_eq!(keys(&defs["FieldRef"]), sorted(FieldRef::FIELDS));
}

/// Descriptions are read by people in their editors: no rustdoc link syntax.
#[test]
fn schema_descriptions_hold_no_rustdoc_syntax() {
    fn walk(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if k == "description" {
                        let text = v.as_str().unwrap_or_default();
                        if text.contains("[`") || text.contains("`]") || text.contains("](") {
                            found.push(text.to_string());
                        }
                    }
                    walk(v, found);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    for schema in [simulate::schema::scenario(), simulate::schema::event()] {
        let mut found = Vec::new();
        walk(&serde_json::from_str(&schema).unwrap(), &mut found);
        assert!(found.is_empty(), "rustdoc syntax in: {found:#?}");
    }
}
