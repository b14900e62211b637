//! Payloads users define: the default fields written out render the same bytes; fields
//! are independent of each other and of the timing (a property over generated payloads);
//! each generator draws what it says (against formulas, with the tests' power stated and
//! a wrong reference rejected); timestamps, keys and headers carry what they name; and
//! every message of every example scenario satisfies the scenario's event schema, checked
//! by an independent validator (boon).

use std::collections::BTreeMap;

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use serde_json::{Map, Value};
use simulate::scenario::Scenario;
use simulate::sink::stdout::Format;

use crate::common::*;

/// One `--format plan` line, parsed.
struct Line {
    offset_us: u64,
    timestamp_ms: i64,
    topic: String,
    key: Value,
    headers: Option<Map<String, Value>>,
    /// The fault a message carries, if any (`malformed` values break the schema on purpose).
    fault: Option<String>,
    value: Value,
}

fn plan_lines(s: &Scenario) -> Vec<Line> {
    render(s, Format::Plan)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            Line {
                offset_us: v["offset_us"].as_u64().unwrap(),
                timestamp_ms: v["timestamp_ms"].as_i64().unwrap(),
                topic: v["topic"].as_str().unwrap().to_string(),
                key: v["key"].clone(),
                headers: v.get("headers").and_then(|h| h.as_object().cloned()),
                fault: v.get("fault").and_then(Value::as_str).map(str::to_string),
                value: v["value"].clone(),
            }
        })
        .collect()
}

#[test]
fn the_default_fields_written_out_render_the_same_bytes() {
    let default = std::fs::read_to_string(root().join("scenarios/default.yaml")).unwrap();
    let written_out = default.replace(
        "    inter_arrival:",
        "    payload:\n      event_id: {gen: event_id}\n      timestamp: {gen: timestamp}\n      camera_id: {gen: camera_id}\n    key: {field: camera_id}\n    inter_arrival:",
    );
    assert_ne!(default, written_out, "the scenario was not changed");
    let a = render(&scenario(&default), Format::Plan);
    let b = render(&scenario(&written_out), Format::Plan);
    assert!(a.lines().count() > 300);
    assert_eq!(a, b);
}

/// A field of a generated payload, as YAML; `variant` changes its parameters.
#[derive(Debug, Clone)]
struct GenField {
    name: String,
    kind: u8,
    a: i64,
}

impl GenField {
    fn yaml(&self, variant: bool) -> String {
        let v = i64::from(variant);
        let a = self.a;
        match self.kind % 14 {
            0 => "{gen: event_id}".into(),
            1 => {
                ["{gen: timestamp}", "{gen: timestamp, format: epoch_ms}"][variant as usize].into()
            }
            2 => "{gen: camera_id}".into(),
            3 => "{gen: camera, attribute: zone}".into(),
            4 => format!(
                "{{gen: choice, values: [a, b, c{}], weights: [{}, 2, 1{}]}}",
                if variant { ", d" } else { "" },
                a.rem_euclid(5) + 1,
                if variant { ", 1" } else { "" }
            ),
            5 => format!(
                "{{gen: float, min: {a}, max: {}, decimals: {}}}",
                a + 10,
                2 + v
            ),
            6 => format!("{{gen: int, min: {a}, max: {}}}", a + 100 + v),
            7 => format!("{{gen: normal, mean: {a}, std_dev: {}}}", 3 + v),
            8 => format!("{{gen: sequence, start: {}}}", a + v),
            9 => format!("{}", a + v),
            10 => format!(
                "{{x: {{gen: int, min: 0, max: {}}}, y: {{gen: float, min: 0, max: 1}}}}",
                9 + v
            ),
            11 => format!("[{{gen: int, min: 0, max: {}}}, fixed]", 9 + v),
            12 => format!("{{gen: bbox, width: {}, height: 10}}", 20 + v),
            _ => format!(
                "{{gen: int, min: {a}, max: {}, null_rate: 0.{}}}",
                a + 9,
                3 + v
            ),
        }
    }
}

#[derive(Debug, Clone)]
struct GenPayload {
    fields: Vec<GenField>,
    per_camera: bool,
    seed: u64,
    /// Which field an edit touches, and where a new one goes.
    pick: usize,
}

impl Arbitrary for GenPayload {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = 1 + usize::arbitrary(g) % 6;
        let fields = (0..n)
            .map(|i| GenField {
                name: format!("f{i}"),
                kind: u8::arbitrary(g),
                a: i64::from(i16::arbitrary(g)),
            })
            .collect();
        GenPayload {
            fields,
            per_camera: bool::arbitrary(g),
            seed: u64::arbitrary(g),
            pick: usize::arbitrary(g),
        }
    }
}

/// The scenario of `fields` (each with its variant flag).
fn payload_scenario(p: &GenPayload, fields: &[(GenField, bool)]) -> Scenario {
    let mut text = format!(
        "seed: {}\nduration: 20s\nstreams:\n  - name: s\n    cameras: [{{id: 1, zone: a}}, {{id: 2, zone: b}}, {{id: x, zone: c}}]\n    arrivals: {}\n    inter_arrival: {{distribution: exponential, mean: 1s}}\n    payload:\n",
        p.seed,
        if p.per_camera { "per_camera" } else { "shared" }
    );
    for (field, variant) in fields {
        text.push_str(&format!("      {}: {}\n", field.name, field.yaml(*variant)));
    }
    scenario(&text)
}

/// Per event: (offset, key) and the value's fields by name.
fn events(s: &Scenario) -> Vec<((u64, Value), Map<String, Value>)> {
    plan_lines(s)
        .into_iter()
        .map(|l| {
            let Value::Object(fields) = l.value else {
                panic!("not an object")
            };
            ((l.offset_us, l.key), fields)
        })
        .collect()
}

/// Every event keeps its time and key, and every field but `changed` its value; the two
/// events have the same set of field names (in any order), except `extra`, which one of
/// them may lack.
fn same_except(a: &Scenario, b: &Scenario, changed: Option<&str>, extra: Option<&str>) -> bool {
    let (a, b) = (events(a), events(b));
    let names = |f: &Map<String, Value>| -> std::collections::BTreeSet<String> {
        f.keys()
            .filter(|n| Some(n.as_str()) != extra)
            .cloned()
            .collect()
    };
    a.len() == b.len()
        && a.iter().zip(&b).all(|((ta, fa), (tb, fb))| {
            ta == tb
                && names(fa) == names(fb)
                && fa
                    .iter()
                    .filter(|(name, _)| Some(name.as_str()) != changed)
                    .all(|(name, v)| fb.get(name).is_none_or(|w| w == v))
        })
}

/// Adding, removing or reordering fields changes no other field's values and no event's
/// time or key; changing a field's parameters changes only that field.
#[test]
fn fields_are_independent_of_each_other_and_of_the_timing() {
    fn property(p: GenPayload) -> TestResult {
        let base: Vec<(GenField, bool)> = p.fields.iter().map(|f| (f.clone(), false)).collect();
        let original = payload_scenario(&p, &base);
        let k = p.pick % base.len();

        let mut removed = base.clone();
        removed.remove(k);
        let mut reversed = base.clone();
        reversed.reverse();
        let mut added = base.clone();
        added.insert(
            p.pick % (base.len() + 1),
            (
                GenField {
                    name: "new".into(),
                    kind: (p.pick / 7) as u8,
                    a: 3,
                },
                false,
            ),
        );
        let mut edited = base.clone();
        edited[k].1 = true;

        let removed_name = base[k].0.name.as_str();
        let ok = (removed.is_empty()
            || same_except(
                &original,
                &payload_scenario(&p, &removed),
                None,
                Some(removed_name),
            ))
            && same_except(&original, &payload_scenario(&p, &reversed), None, None)
            && same_except(&original, &payload_scenario(&p, &added), None, Some("new"))
            && same_except(
                &original,
                &payload_scenario(&p, &edited),
                Some(removed_name),
                None,
            );
        TestResult::from_bool(ok)
    }
    QuickCheck::new()
        .tests(150)
        .quickcheck(property as fn(GenPayload) -> TestResult);
}

/// The property can fail: a payload whose fields shared one random stream (drawn in
/// field order) would move values when a field is added; a field whose parameters
/// changed does change.
#[test]
fn the_independence_check_notices_a_change() {
    let p = GenPayload {
        fields: vec![GenField {
            name: "f0".into(),
            kind: 6,
            a: 0,
        }],
        per_camera: false,
        seed: 1,
        pick: 0,
    };
    let a = payload_scenario(&p, &[(p.fields[0].clone(), false)]);
    let b = payload_scenario(&p, &[(p.fields[0].clone(), true)]);
    assert!(
        !same_except(&a, &b, None, None),
        "a changed field went unnoticed"
    );
    assert!(same_except(&a, &b, Some("f0"), None));
    // A field that disappears without being named is noticed too.
    let kept = GenField {
        name: "f1".into(),
        kind: 8,
        a: 0,
    };
    let both = payload_scenario(&p, &[(p.fields[0].clone(), false), (kept.clone(), false)]);
    let gone = payload_scenario(&p, &[(kept, false)]);
    assert!(
        !same_except(&both, &gone, None, None),
        "a lost field went unnoticed"
    );
    assert!(same_except(&both, &gone, None, Some("f0")));
}

/// The same file, seed and start give byte-identical messages, keys and headers.
#[test]
fn payloads_are_reproducible_to_the_byte() {
    let path = root().join("scenarios/detections.yaml");
    let load = || {
        simulate::scenario::load_file(
            &path,
            &simulate::scenario::Overrides {
                start: Some(start()),
                ..Default::default()
            },
        )
        .unwrap()
    };
    assert_eq!(render(&load(), Format::Plan), render(&load(), Format::Plan));
}

/// 100,000 values of one field of a shared stream (one event a millisecond).
fn draws(field: &str) -> Vec<Value> {
    let text = format!(
        "seed: 3\nduration: 100s\nstreams:\n  - cameras: [1]\n    inter_arrival: {{distribution: constant, interval: 1ms}}\n    payload:\n      v: {field}\n"
    );
    let lines = render(&scenario(&text), Format::Values);
    let values: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["v"].clone())
        .collect();
    assert_eq!(values.len(), 99_999);
    values
}

fn chi_square(counts: &[u64], p: &[f64]) -> f64 {
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .zip(p)
        .map(|(&o, &p)| {
            let e = n as f64 * p;
            (o as f64 - e).powi(2) / e
        })
        .sum()
}

/// KS critical value at α = 0.001 for n ≈ 100,000: 1.949/√n = 0.00616.
const KS_CRITICAL: f64 = 0.00616;

/// Weighted choice: χ² against the weights (2 degrees of freedom, α = 0.001: 13.82).
/// Power: with n = 99,999, moving one percentage point from `motion` to `person` gives a
/// noncentrality of 50, rejected with probability > 0.999; equal weights are rejected
/// here (checked).
#[test]
fn choice_follows_its_weights() {
    let values = draws("{gen: choice, values: [motion, person, vehicle], weights: [6, 3, 1]}");
    let names = ["motion", "person", "vehicle"];
    let counts: Vec<u64> = names
        .iter()
        .map(|n| values.iter().filter(|v| *v == n).count() as u64)
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), values.len() as u64);
    let chi = chi_square(&counts, &[0.6, 0.3, 0.1]);
    assert!(chi < 13.82, "χ² = {chi} for {counts:?}");
    let wrong = chi_square(&counts, &[1.0 / 3.0; 3]);
    assert!(wrong > 13.82, "equal weights not rejected: χ² = {wrong}");
}

/// Integers: χ² against uniform over min..=max (12 degrees of freedom, α = 0.001: 32.91),
/// both ends drawn. Power: a generator that drew one end 1.5 times as often as the
/// others would give a noncentrality of about 1,180 at n = 99,999, rejected with
/// probability > 0.999; that reference is rejected here (checked).
#[test]
fn int_is_uniform_over_its_range_both_ends_included() {
    let values = draws("{gen: int, min: -3, max: 9}");
    let mut counts = vec![0u64; 13];
    for v in &values {
        let n = v.as_i64().unwrap();
        assert!((-3..=9).contains(&n), "{n}");
        counts[(n + 3) as usize] += 1;
    }
    assert!(counts.iter().all(|&c| c > 0));
    let chi = chi_square(&counts, &[1.0 / 13.0; 13]);
    assert!(chi < 32.91, "χ² = {chi} for {counts:?}");
    let mut skewed = [1.0 / 13.5; 13];
    skewed[0] = 1.5 / 13.5;
    let wrong = chi_square(&counts, &skewed);
    assert!(
        wrong > 32.91,
        "one end 1.5× likelier not rejected: χ² = {wrong}"
    );
}

/// Floats: KS against uniform on [min, max]. Power: the critical value at n = 99,999 is
/// 0.0062 and D fluctuates by about 0.0016 around the true distance, so a CDF off by
/// 0.012 or more somewhere is rejected with probability > 0.999; a range 2 % too wide
/// (off by 0.0196 at the top) is rejected (checked).
#[test]
fn float_is_uniform_between_its_bounds() {
    let xs: Vec<f64> = draws("{gen: float, min: 0.5, max: 1.0}")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(xs.iter().all(|x| (0.5..=1.0).contains(x)));
    let d = ks_statistic(xs.clone(), |x| ((x - 0.5) / 0.5).clamp(0.0, 1.0));
    assert!(d < KS_CRITICAL, "KS D = {d}");
    let wrong = ks_statistic(xs, |x| ((x - 0.5) / 0.51).clamp(0.0, 1.0));
    assert!(
        wrong > KS_CRITICAL,
        "a 2 % wider range not rejected: D = {wrong}"
    );
}

fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Normal: KS against Φ((x − mean)/std_dev) (erfc, a formula apart from the sampler's
/// Box–Muller transform). Power: a standard deviation 5 % off (2.1 for 2) moves the CDF by
/// up to 0.012 and is rejected (checked).
#[test]
fn normal_follows_its_mean_and_std_dev() {
    let xs: Vec<f64> = draws("{gen: normal, mean: 21, std_dev: 2}")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let d = ks_statistic(xs.clone(), |x| phi((x - 21.0) / 2.0));
    assert!(d < KS_CRITICAL, "KS D = {d}");
    let wrong = ks_statistic(xs, |x| phi((x - 21.0) / 2.1));
    assert!(
        wrong > KS_CRITICAL,
        "a 5 % wrong std_dev not rejected: D = {wrong}"
    );
}

/// The text of field `v` in each of 20,000 events, as printed.
fn texts(field: &str) -> Vec<String> {
    let text = format!(
        "seed: 3\nduration: 20s\nstreams:\n  - cameras: [1]\n    inter_arrival: {{distribution: constant, interval: 1ms}}\n    payload:\n      v: {field}\n"
    );
    render(&scenario(&text), Format::Values)
        .lines()
        .map(|l| {
            l.strip_prefix("{\"v\":")
                .and_then(|rest| rest.strip_suffix('}'))
                .unwrap()
                .to_string()
        })
        .collect()
}

/// `decimals` changes only the printing: the value drawn is the same (same field path),
/// rounded half to even with exactly that many digits, as Rust's exact formatter rounds
/// (a value that rounds to zero prints without a sign).
#[test]
fn decimals_round_the_same_draws_half_to_even() {
    for spec in [
        "{gen: normal, mean: 0, std_dev: 2",
        "{gen: float, min: -1, max: 1",
    ] {
        let raw = texts(&format!("{spec}}}"));
        for d in [0usize, 1, 3] {
            let printed = texts(&format!("{spec}, decimals: {d}}}"));
            assert_eq!(raw.len(), printed.len());
            for (r, p) in raw.iter().zip(&printed) {
                let mut want = format!("{:.*}", d, r.parse::<f64>().unwrap());
                if want.starts_with('-') && want[1..].bytes().all(|b| b == b'0' || b == b'.') {
                    want.remove(0);
                }
                assert_eq!(*p, want, "{r} to {d} decimals");
            }
        }
    }
}

#[test]
fn sequence_counts_each_process_from_its_start() {
    let text = "duration: 1m\nstreams:\n  - cameras: [1, 2, 3]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1s}\n    payload: {c: {gen: camera_id}, n: {gen: sequence, start: 10}}\n";
    let mut next: BTreeMap<i64, i64> = BTreeMap::new();
    for l in plan_lines(&scenario(text)) {
        let camera = l.value["c"].as_i64().unwrap();
        let expected = next.entry(camera).or_insert(10);
        assert_eq!(l.value["n"].as_i64().unwrap(), *expected);
        *expected += 1;
    }
    assert_eq!(next.len(), 3);
}

/// Timestamps in every format name the planned instant; keys and headers carry the field
/// or attribute they name.
#[test]
fn timestamps_keys_and_headers_carry_what_they_name() {
    let s = simulate::scenario::load_file(
        &root().join("scenarios/detections.yaml"),
        &simulate::scenario::Overrides {
            start: Some(start()),
            ..Default::default()
        },
    )
    .unwrap();
    let zones: BTreeMap<i64, &str> =
        [(1000, "entrance"), (1001, "lobby"), (1002, "parking")].into();
    let (mut detections, mut heartbeats) = (0, 0);
    for l in plan_lines(&s) {
        let v = &l.value;
        match l.topic.as_str() {
            "detections" => {
                detections += 1;
                assert_eq!(v["ts"].as_i64().unwrap(), l.timestamp_ms);
                let camera = v["camera_id"].as_i64().unwrap();
                assert_eq!(l.key.as_str().unwrap(), camera.to_string());
                let h = l.headers.as_ref().unwrap();
                assert_eq!(h["source"], "simulate");
                assert_eq!(h["zone"], zones[&camera]);
                assert_eq!(v["zone"], zones[&camera]);
                assert_eq!(h["kind"], v["kind"]);
                let keys: Vec<&String> = h.keys().collect();
                assert_eq!(keys, ["source", "zone", "kind"]);
            }
            "heartbeats" => {
                heartbeats += 1;
                assert!(l.headers.is_none());
                let sent =
                    chrono::DateTime::parse_from_rfc3339(v["sent_at"].as_str().unwrap()).unwrap();
                assert_eq!(sent.timestamp_millis(), l.timestamp_ms);
                assert!(v["sent_at"].as_str().unwrap().ends_with('Z'));
                let local = chrono::NaiveDateTime::parse_from_str(
                    v["local_time"].as_str().unwrap(),
                    "%d/%m/%Y %H:%M:%S",
                )
                .unwrap();
                assert_eq!(local.and_utc().timestamp(), l.timestamp_ms.div_euclid(1000));
            }
            other => panic!("unexpected topic {other}"),
        }
        assert!(l.offset_us < 600_000_000);
    }
    assert!(
        detections > 300 && heartbeats == 60,
        "{detections} {heartbeats}"
    );
}

fn compile(schema: &Value) -> (boon::Schemas, boon::SchemaIndex) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler
        .add_resource("mem://event.json", schema.clone())
        .unwrap();
    let index = compiler.compile("mem://event.json", &mut schemas).unwrap();
    (schemas, index)
}

/// The schema of each topic: one for the scenario, or one per topic.
fn schemas_by_topic(s: &Scenario) -> BTreeMap<String, (boon::Schemas, boon::SchemaIndex)> {
    let schema: Value = serde_json::from_str(&simulate::schema::event_for(s)).unwrap();
    let topics = s.topics();
    if schema.get("$schema").is_some() {
        topics
            .iter()
            .map(|t| (t.to_string(), compile(&schema)))
            .collect()
    } else {
        let object = schema.as_object().unwrap();
        let mut keys: Vec<&String> = object.keys().collect();
        keys.sort();
        let mut want: Vec<&str> = topics.clone();
        want.sort();
        assert_eq!(keys, want, "one schema per topic");
        object
            .iter()
            .map(|(t, schema)| (t.clone(), compile(schema)))
            .collect()
    }
}

#[test]
fn every_message_of_every_example_satisfies_its_event_schema() {
    for path in example_scenarios() {
        let s = simulate::scenario::load_file(&path, &Default::default()).unwrap();
        let schemas = schemas_by_topic(&s);
        for l in plan_lines(&s)
            .iter()
            .filter(|l| l.fault.as_deref() != Some("malformed"))
        {
            let (schemas, index) = &schemas[&l.topic];
            if let Err(e) = schemas.validate(&l.value, *index) {
                panic!("{}: {}: {e}", path.display(), l.value);
            }
        }
    }
}

/// The schema is not vacuous: a value out of range, a missing field, an extra field and
/// a wrong type are each rejected.
#[test]
fn the_event_schema_rejects_messages_the_payload_cannot_produce() {
    let s = simulate::scenario::load_file(
        &root().join("scenarios/detections.yaml"),
        &Default::default(),
    )
    .unwrap();
    let schemas = schemas_by_topic(&s);
    let (schemas, index) = &schemas["detections"];
    let good = plan_lines(&s)
        .into_iter()
        .find(|l| l.topic == "detections")
        .unwrap()
        .value;
    assert!(schemas.validate(&good, *index).is_ok());
    let mut bad = Vec::new();
    for (field, value) in [
        ("people", Value::from(13)),
        ("confidence", Value::from(0.4)),
        ("kind", Value::from("cat")),
        ("zone", Value::from("roof")),
        ("schema_version", Value::from(3)),
        ("ts", Value::from("2026-01-01")),
    ] {
        let mut v = good.clone();
        v[field] = value;
        bad.push(v);
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("frame");
    bad.push(missing);
    let mut extra = good.clone();
    extra["surprise"] = Value::from(1);
    bad.push(extra);
    let mut nested = good.clone();
    nested["bbox"]["x"] = Value::from(1920);
    bad.push(nested);
    for v in bad {
        assert!(schemas.validate(&v, *index).is_err(), "accepted {v}");
    }
}

#[test]
fn one_schema_when_every_stream_renders_the_same_fields() {
    let s = scenario(
        "duration: 1m\nstreams:\n  - {cameras: [1], topic: a, inter_arrival: {distribution: constant, interval: 1s}}\n  - {cameras: [2], topic: b, inter_arrival: {distribution: constant, interval: 1s}}\n",
    );
    assert_eq!(simulate::schema::event_for(&s), simulate::schema::event());
    let out = Test::new()
        .args(["schema", "--event", "scenarios/default.yaml"])
        .status(0)
        .run();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        simulate::schema::event()
    );
    let out = Test::new()
        .args(["schema", "--event", "scenarios/detections.yaml"])
        .status(0)
        .run();
    let by_topic: Value = serde_json::from_slice(&out.stdout).unwrap();
    let topics: Vec<&String> = by_topic.as_object().unwrap().keys().collect();
    assert_eq!(topics, ["detections", "heartbeats"]);
    // A scenario without --event is a usage error.
    Test::new()
        .args(["schema", "scenarios/default.yaml"])
        .status(2);
}

/// `kafka.key` stays the default of streams that set no `key`; a stream's `key` wins.
#[test]
fn a_streams_key_wins_over_kafka_key() {
    let s = scenario(
        "duration: 30s\nkafka: {key: none}\nstreams:\n  - {name: a, cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}\n  - {name: b, cameras: [2], key: camera_id, inter_arrival: {distribution: constant, interval: 1s}}\n  - {name: c, cameras: [3], key: {field: n}, payload: {n: {gen: sequence, start: 7}}, inter_arrival: {distribution: constant, interval: 1s}}\n",
    );
    let mut seen = BTreeMap::new();
    for l in plan_lines(&s) {
        let key = match &l.value.get("camera_id") {
            Some(c) => (c.as_i64().unwrap(), l.key.clone()),
            None => (3, l.key.clone()),
        };
        seen.entry(key.0).or_insert_with(Vec::new).push(key.1);
    }
    assert!(seen[&1].iter().all(Value::is_null));
    assert!(seen[&2].iter().all(|k| k == "2"));
    let c: Vec<String> = seen[&3]
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(c[..3], ["7", "8", "9"]);
}

/// Numbers never print with an exponent, whatever their size, constants included.
#[test]
fn huge_and_tiny_numbers_print_without_an_exponent() {
    let text = "duration: 3s\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 1s}\n    payload:\n      big: {gen: float, min: 1.0e21, max: 1.0e21}\n      big1: {gen: float, min: 1.0e21, max: 1.0e21, decimals: 1}\n      tiny: {gen: float, min: 1.0e-7, max: 1.0e-7}\n      c: 1.0e21\n";
    let line = render(&scenario(text), Format::Values);
    let first = line.lines().next().unwrap();
    assert_eq!(
        first,
        r#"{"big":1000000000000000000000,"big1":1000000000000000000000.0,"tiny":0.0000001,"c":1000000000000000000000}"#
    );
}

/// Each value draws from its own stream, named by its escaped path: two fields with the
/// same generator, a field literally named `bbox.x` and the nested `bbox.x`, `x[0]` and
/// the first item of `x`, and a header with a field's generator all differ.
#[test]
fn values_with_the_same_generator_draw_apart() {
    let g = "{gen: int, min: 0, max: 1000000000}";
    let text = format!(
        "duration: 20s\nstreams:\n  - cameras: [1]\n    inter_arrival: {{distribution: constant, interval: 10ms}}\n    payload:\n      a: {g}\n      b: {g}\n      \"bbox.x\": {g}\n      bbox: {{x: {g}}}\n      \"x[0]\": {g}\n      x: [{g}]\n    headers: {{a: {g}}}\n"
    );
    let lines = plan_lines(&scenario(&text));
    assert!(lines.len() > 1000);
    fn int(v: &Value) -> i64 {
        v.as_i64().unwrap()
    }
    type Pick = fn(&Line) -> i64;
    let pairs: [(&str, Pick, Pick); 4] = [
        ("a, b", |l| int(&l.value["a"]), |l| int(&l.value["b"])),
        (
            "\"bbox.x\", bbox.x",
            |l| int(&l.value["bbox.x"]),
            |l| int(&l.value["bbox"]["x"]),
        ),
        (
            "\"x[0]\", x[0]",
            |l| int(&l.value["x[0]"]),
            |l| int(&l.value["x"][0]),
        ),
        (
            "field a, header a",
            |l| int(&l.value["a"]),
            |l| {
                let h = l.headers.as_ref().unwrap();
                h["a"].as_str().unwrap().parse().unwrap()
            },
        ),
    ];
    for (what, x, y) in &pairs {
        // Out of 10⁹ values, two independent streams agree on an event with probability
        // 10⁻⁹; the same stream would agree on every one.
        let same = lines.iter().filter(|l| x(l) == y(l)).count();
        assert!(same <= 1, "{what}: {same} of {} events equal", lines.len());
    }
}

/// Quotes, backslashes and control characters in field names, header names and values,
/// camera attributes and strftime literals come out as valid JSON and read back as
/// written.
#[test]
fn awkward_names_and_texts_are_escaped() {
    let text = r#"duration: 3s
streams:
  - cameras: [{id: 1, note: "say \"hi\"\\ \t\u0001 é ✓"}]
    inter_arrival: {distribution: constant, interval: 1s}
    payload:
      "q\"uote": {gen: camera, attribute: note}
      "back\\slash": "a\\b"
      "tab\tand\nnewline": {gen: timestamp, format: "%Y \"%m\" \\ %d"}
      "ctl\u0001": {gen: choice, values: ["x\"y", "\u001f"]}
    headers:
      "h\"1": {gen: camera, attribute: note}
      "h\\2": "v\"\\"
"#;
    let lines = plan_lines(&scenario(text));
    assert_eq!(lines.len(), 2);
    for l in &lines {
        let v = l.value.as_object().unwrap();
        let names: Vec<&str> = v.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            ["q\"uote", "back\\slash", "tab\tand\nnewline", "ctl\u{1}"]
        );
        assert_eq!(v["q\"uote"], "say \"hi\"\\ \t\u{1} é ✓");
        assert_eq!(v["back\\slash"], "a\\b");
        let date = chrono::DateTime::from_timestamp_millis(l.timestamp_ms).unwrap();
        assert_eq!(
            v["tab\tand\nnewline"],
            date.format("%Y \"%m\" \\ %d").to_string()
        );
        assert!(["x\"y", "\u{1f}"].contains(&v["ctl\u{1}"].as_str().unwrap()));
        let h = l.headers.as_ref().unwrap();
        assert_eq!(h["h\"1"], "say \"hi\"\\ \t\u{1} é ✓");
        assert_eq!(h["h\\2"], "v\"\\");
    }
    // The values format too is one valid JSON document a line.
    for line in render(&scenario(text), Format::Values).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["back\\slash"], "a\\b");
    }
}

/// strftime patterns format the planned instant, to the nanosecond they show, as chrono
/// formats it: `%+` reads back as an instant within the event's planned microsecond and
/// millisecond, and the other patterns format that same instant.
#[test]
fn strftime_patterns_format_as_chrono_does() {
    let text = "duration: 30s\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 250ms}\n    payload:\n      plus: {gen: timestamp, format: \"%+\"}\n      ms: {gen: timestamp, format: \"%H:%M:%S%.3f\"}\n      frac: {gen: timestamp, format: \"%s%.f\"}\n";
    let lines = plan_lines(&scenario(text));
    assert!(lines.len() > 50);
    for l in &lines {
        let at = chrono::DateTime::parse_from_rfc3339(l.value["plus"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
        let ns = (at - start()).num_nanoseconds().unwrap();
        assert_eq!(ns.div_euclid(1000), l.offset_us as i64);
        assert_eq!(at.timestamp_millis(), l.timestamp_ms);
        for (field, pattern) in [("plus", "%+"), ("ms", "%H:%M:%S%.3f"), ("frac", "%s%.f")] {
            assert_eq!(l.value[field], at.format(pattern).to_string(), "{field}");
        }
    }
}

/// One topic fed by a stream with the default payload and one with its own gets one
/// schema that accepts both kinds of message.
#[test]
fn one_topic_with_two_payloads_has_a_schema_for_both() {
    let s = scenario(
        "duration: 1m\nstreams:\n  - {cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}\n  - {cameras: [2], inter_arrival: {distribution: constant, interval: 1s}, payload: {n: {gen: int, min: 0, max: 9}, tag: x}}\n",
    );
    let schemas = schemas_by_topic(&s);
    assert_eq!(schemas.len(), 1);
    let (schemas, index) = &schemas["events"];
    let lines = plan_lines(&s);
    let (mut default, mut own) = (0, 0);
    for l in &lines {
        if l.value.get("camera_id").is_some() {
            default += 1;
        } else {
            own += 1;
        }
        if let Err(e) = schemas.validate(&l.value, *index) {
            panic!("{}: {e}", l.value);
        }
    }
    assert!(default > 50 && own > 50, "{default} {own}");
    for bad in [
        serde_json::json!({"n": 10, "tag": "x"}),
        serde_json::json!({"n": 1}),
        serde_json::json!({"event_id": "x", "timestamp": "2026-01-01 00:00:00"}),
    ] {
        assert!(schemas.validate(&bad, *index).is_err(), "accepted {bad}");
    }
}
