//! Faults and the ground truth: rates and delays are what was asked (against formulas,
//! power stated, a wrong reference rejected); faults touch no clean event; the same seed
//! gives the same truth and turning `malformed` on moves no other fault; and a consumer
//! that reads the messages (from a dry run here, from a topic in `kafka.rs` and
//! `real_broker.rs`) finds exactly the faults and window counts the truth file lists.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use simulate::plan::{Events, Mark, Plan};
use simulate::scenario::Scenario;
use simulate::sink::stdout::Format;

use crate::common::*;

/// One message as a consumer sees it: key, value bytes, headers and Kafka timestamp.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Consumed {
    pub key: Option<String>,
    pub value: Vec<u8>,
    pub timestamp: i64,
    pub headers: Vec<(String, String)>,
}

/// The dry-run plan of `s` as the messages a consumer would read, in send order.
pub fn planned_messages(s: &Scenario) -> Vec<Consumed> {
    render(s, Format::Plan)
        .lines()
        .map(|l| {
            let p: Value = serde_json::from_str(l).unwrap();
            let value = match &p["value"] {
                // A malformed value: its exact bytes, as a JSON string.
                Value::String(text) => text.as_bytes().to_vec(),
                v => serde_json::to_vec(v).unwrap(),
            };
            Consumed {
                key: p["key"].as_str().map(str::to_string),
                value,
                timestamp: p["timestamp_ms"].as_i64().unwrap(),
                headers: p
                    .get("headers")
                    .and_then(Value::as_object)
                    .map(|h| {
                        h.iter()
                            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// `scenarios/dirty.yaml` from the fixed start.
pub fn dirty() -> Scenario {
    simulate::scenario::load_file(
        &root().join("scenarios/dirty.yaml"),
        &simulate::scenario::Overrides {
            start: Some(start()),
            ..Default::default()
        },
    )
    .unwrap()
}

/// The truth of `s` from the fixed start, with 1-minute windows, as JSON.
pub fn truth_of(s: &Scenario) -> Value {
    let truth = simulate::truth::compute(s, start(), 60_000);
    serde_json::from_str(&simulate::truth::to_json(&truth)).unwrap()
}

/// What a consumer of `dirty.yaml`'s topic finds, written without the tool's code: it
/// knows the payload's five fields and the store-and-forward outage, nothing else.
/// Asserts that it equals the truth: the malformed messages (by camera, timestamp, kind
/// and field), the duplicates (both copies identical, at the truth's send instants), the
/// late or held events (a consumer cannot tell one from the other: both arrive with a
/// Kafka timestamp after their event time), the dropped events (never seen) and the
/// per-minute counts of clean events.
pub fn assert_consumer_finds_the_truth(read: &[Consumed], truth: &Value) {
    type Check = fn(&Value) -> bool;
    const FIELDS: [(&str, Check); 5] = [
        ("event_id", Value::is_string),
        ("ts", Value::is_i64),
        ("camera_id", Value::is_i64),
        ("frame", Value::is_i64),
        ("kind", Value::is_string),
    ];
    let totals = &truth["totals"];
    assert_eq!(read.len() as u64, totals["messages"].as_u64().unwrap());
    let mut malformed = Vec::new();
    let mut valid: BTreeMap<String, Vec<(&Consumed, Value)>> = BTreeMap::new();
    for m in read {
        let camera: i64 = m.key.as_deref().unwrap().parse().unwrap();
        let text = String::from_utf8(m.value.clone()).expect("values are UTF-8");
        let broken = |kind: &str, field: Option<&str>| {
            (
                camera,
                m.timestamp,
                kind.to_string(),
                field.map(str::to_string),
            )
        };
        let parsed: Option<serde_json::Map<String, Value>> = serde_json::from_str(&text).ok();
        let Some(object) = parsed else {
            malformed.push(if text.is_empty() {
                broken("empty", None)
            } else if text.starts_with('{') {
                broken("truncated", None)
            } else {
                broken("not_json", None)
            });
            continue;
        };
        if let Some((name, _)) = FIELDS.iter().find(|(n, _)| !object.contains_key(*n)) {
            malformed.push(broken("missing_field", Some(name)));
            continue;
        }
        if let Some((name, _)) = FIELDS.iter().find(|(n, ok)| !ok(&object[*n])) {
            malformed.push(broken("wrong_type", Some(name)));
            continue;
        }
        assert_eq!(object.len(), FIELDS.len(), "unexpected fields in {text}");
        let id = object["event_id"].as_str().unwrap().to_string();
        valid
            .entry(id)
            .or_default()
            .push((m, Value::Object(object)));
    }

    let faults = truth["faults"].as_array().unwrap();
    let of_kind = |kind: &'static str| faults.iter().filter(move |f| f["kind"] == kind);
    // Malformed: the same (camera, send instant, kind, field), each once.
    let mut want_malformed: Vec<_> = of_kind("malformed")
        .map(|f| {
            (
                f["camera_id"].as_i64().unwrap(),
                f["send_ms"][0].as_i64().unwrap(),
                f["malformation"].as_str().unwrap().to_string(),
                f["field"].as_str().map(str::to_string),
            )
        })
        .collect();
    want_malformed.sort();
    malformed.sort();
    assert_eq!(malformed, want_malformed, "malformed messages");

    // Duplicates: two identical copies, at the truth's two send instants.
    let mut duplicates = BTreeMap::new();
    let mut delayed = BTreeMap::new();
    for (id, copies) in &valid {
        match copies.as_slice() {
            [(a, _), (b, _)] => {
                assert_eq!(
                    (&a.key, &a.value, &a.headers),
                    (&b.key, &b.value, &b.headers)
                );
                duplicates.insert(id.clone(), vec![a.timestamp, b.timestamp]);
            }
            [(m, v)] => {
                let event_ms = v["ts"].as_i64().unwrap();
                assert!(m.timestamp >= event_ms, "{id} sent before it happened");
                if m.timestamp > event_ms {
                    delayed.insert(id.clone(), m.timestamp);
                }
            }
            more => panic!("{id} arrived {} times", more.len()),
        }
    }
    let want_duplicates: BTreeMap<String, Vec<i64>> = of_kind("duplicate")
        .map(|f| {
            let sends = f["send_ms"].as_array().unwrap();
            (
                f["event_id"].as_str().unwrap().to_string(),
                sends.iter().map(|s| s.as_i64().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(duplicates, want_duplicates, "duplicates");
    let want_delayed: BTreeMap<String, i64> = of_kind("late")
        .chain(of_kind("held"))
        .map(|f| {
            (
                f["event_id"].as_str().unwrap().to_string(),
                f["send_ms"][0].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(delayed, want_delayed, "late and held events");

    // Dropped events never arrive; every planned event is accounted for.
    for f in of_kind("drop") {
        assert!(!valid.contains_key(f["event_id"].as_str().unwrap()));
        assert_eq!(f["send_ms"].as_array().unwrap().len(), 0);
    }
    assert_eq!(
        valid.len() as u64 + malformed.len() as u64 + of_kind("drop").count() as u64,
        totals["planned"].as_u64().unwrap()
    );

    // The per-minute counts of clean events, each event once.
    let mut windows: BTreeMap<(i64, i64), u64> = BTreeMap::new();
    for copies in valid.values() {
        let v = &copies[0].1;
        let ts = v["ts"].as_i64().unwrap();
        *windows
            .entry((v["camera_id"].as_i64().unwrap(), ts - ts.rem_euclid(60_000)))
            .or_default() += 1;
    }
    let want_windows: BTreeMap<(i64, i64), u64> = truth["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            assert_eq!(w["topic"], "events");
            (
                (
                    w["camera_id"].as_i64().unwrap(),
                    w["window_start_ms"].as_i64().unwrap(),
                ),
                w["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(windows, want_windows, "per-minute counts");
    assert_eq!(
        windows.values().sum::<u64>(),
        totals["clean"].as_u64().unwrap()
    );
}

#[test]
fn a_consumer_of_the_dry_run_finds_exactly_the_truth() {
    let s = dirty();
    let truth = truth_of(&s);
    let totals = &truth["totals"];
    // The example exercises every kind of fault, and every malformation.
    for kind in ["late", "duplicate", "drop", "malformed", "held"] {
        assert!(
            totals[kind].as_u64().unwrap() > 0,
            "no {kind} in the example"
        );
    }
    let kinds: BTreeSet<&str> = truth["faults"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["malformation"].as_str())
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");
    assert_consumer_finds_the_truth(&planned_messages(&s), &truth);
}

/// The messages go out in send order; every late one is sent after its event time, and
/// nearly all after an event with a later event time (out of order in the topic); held
/// events go out when the outage ends; nothing is sent after the run.
#[test]
fn messages_are_in_send_order_and_late_ones_out_of_order() {
    let s = dirty();
    let lines: Vec<Value> = render(&s, Format::Plan)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let send = |l: &Value| l["send_offset_us"].as_u64().unwrap();
    let event = |l: &Value| l["offset_us"].as_u64().unwrap();
    assert!(lines.windows(2).all(|w| send(&w[0]) <= send(&w[1])));
    assert!(
        lines
            .iter()
            .all(|l| send(l) >= event(l) && send(l) <= 1_200_000_000)
    );
    let (mut late, mut out_of_order) = (0, 0);
    let mut latest = 0;
    for l in &lines {
        if l["fault"] == "late" {
            late += 1;
            assert!(send(l) > event(l));
            if latest > event(l) {
                out_of_order += 1;
            }
        }
        latest = latest.max(event(l));
        if l["key"] == "1002" && (480_000_000..660_000_000).contains(&event(l)) {
            assert!(send(l) >= 660_000_000, "held until the outage ends: {l}");
        }
    }
    assert!(
        late > 50 && out_of_order * 100 >= late * 95,
        "{out_of_order} of {late}"
    );
}

/// Faults change no clean event: with faults removed, the plan holds the same events at
/// the same instants with the same values; the clean ones keep their relative order.
#[test]
fn faults_touch_no_clean_event() {
    let text = std::fs::read_to_string(root().join("scenarios/dirty.yaml")).unwrap();
    let cut = text.find("    faults:").unwrap();
    let end = text.find("    outages:").unwrap();
    let clean_text = format!("{}{}", &text[..cut], &text[end..]);
    let with = simulate::scenario::load_source(
        &simulate::scenario::Source {
            name: "dirty.yaml".into(),
            text: text.clone(),
        },
        "dirty",
        &Default::default(),
    )
    .unwrap();
    let without = scenario(&clean_text);
    assert!(without.streams[0].faults.is_none());
    let events: Vec<_> = Events::new(&without).collect();
    let faulted: Vec<_> = Events::new(&with).collect();
    assert_eq!(events, faulted, "faults moved events");
    // Clean messages: the events' own order, values as without faults.
    let clean: Vec<_> = Plan::new(&with)
        .filter(|m| m.mark == Mark::Clean)
        .map(|m| m.event)
        .collect();
    let mut renderer_with = simulate::render::Renderer::new(&with, start());
    let mut renderer_without = simulate::render::Renderer::new(&without, start());
    let mut i = 0;
    for e in &clean {
        while events[i] != *e {
            i += 1;
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        renderer_with.write_value(&mut a, e);
        renderer_without.write_value(&mut b, e);
        assert_eq!(a, b);
    }
    assert!(clean.len() * 10 > events.len() * 8);
}

/// A scenario without faults or held messages sends each event once, at its instant, in
/// plan order.
#[test]
fn without_faults_the_messages_are_the_plan() {
    for path in example_scenarios() {
        let s = simulate::scenario::load_file(&path, &Default::default()).unwrap();
        if s.streams.iter().any(|st| st.faults.is_some()) {
            continue;
        }
        let plan: Vec<_> = Events::new(&s).collect();
        let messages: Vec<_> = Plan::new(&s).collect();
        assert_eq!(plan.len(), messages.len(), "{}", path.display());
        for (e, m) in plan.iter().zip(&messages) {
            assert_eq!((m.event, m.send_ns, m.mark), (*e, e.offset_ns, Mark::Clean));
        }
    }
}

/// 120,000 events of one shared stream, one a millisecond, with `faults`.
fn many(faults: &str) -> Scenario {
    scenario(&format!(
        "seed: 11\nduration: 120s\nstreams:\n  - name: s\n    cameras: [1, 2, 3]\n    inter_arrival: {{distribution: constant, interval: 1ms}}\n    faults: {faults}\n"
    ))
}

/// Each fault's count is binomial(n, rate): |k − np| ≤ 3.29·√(np(1−p)) (two-sided
/// α = 0.001 each). Power: at n = 119,999 a late rate of 2.2 % instead of 2 % moves the
/// mean by 4.9 standard deviations and is rejected with probability 0.96 (checked here);
/// for the rarer kinds, a 10 % error is 2.2 (1 %) and 1.1 (0.25 %) standard deviations:
/// weaker, stated.
#[test]
fn fault_rates_are_what_was_asked() {
    let s = many(
        "{late: {rate: 0.02, delay: 1s}, duplicate: {rate: 0.01, delay: 1s}, drop: {rate: 0.01}, malformed: {rate: 0.0025}}",
    );
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    let mut events = 0u64;
    for m in Plan::new(&s) {
        let kind = match m.mark {
            Mark::Late => "late",
            Mark::FirstCopy => "duplicate",
            Mark::Dropped => "drop",
            Mark::Malformed { .. } => "malformed",
            Mark::Duplicate { .. } => continue,
            Mark::Clean | Mark::Held => "clean",
        };
        events += 1;
        *counts.entry(kind).or_default() += 1;
    }
    assert_eq!(events, 119_999);
    let within = |k: u64, p: f64| {
        let n = events as f64;
        (k as f64 - n * p).abs() <= 3.29 * (n * p * (1.0 - p)).sqrt()
    };
    for (kind, p) in [
        ("late", 0.02),
        ("duplicate", 0.01),
        ("drop", 0.01),
        ("malformed", 0.0025),
    ] {
        assert!(
            within(counts[kind], p),
            "{kind}: {} of {events}",
            counts[kind]
        );
    }
    assert!(
        !within(counts["late"], 0.022),
        "a 10 % wrong late rate not rejected"
    );
}

/// Delays follow their distributions: late delays (send − event) against the exponential
/// CDF, second-copy delays (second send − first send) against the uniform CDF, by KS
/// (α = 0.001: 1.949/√n, about 0.0064 for the late delays). Events within 100 s of the
/// end are left out, so no delay is cut short by it. Power: a mean 5 % off moves the
/// exponential CDF by up to 0.0175 and is rejected (checked).
#[test]
fn delays_follow_their_distributions() {
    let s = scenario(
        "seed: 4\nduration: 1000s\nstreams:\n  - name: s\n    cameras: [1]\n    inter_arrival: {distribution: constant, interval: 10ms}\n    faults:\n      late: {rate: 0.9, delay: {distribution: exponential, mean: 2s}}\n      duplicate: {rate: 0.1, delay: {distribution: uniform, min: 1s, max: 3s}}\n",
    );
    let (mut late, mut second) = (Vec::new(), Vec::new());
    for m in Plan::new(&s) {
        if m.event.offset_ns >= 900_000_000_000 {
            continue;
        }
        match m.mark {
            Mark::Late => late.push((m.send_ns - m.event.offset_ns) as f64 / 1e9),
            Mark::Duplicate { first_send_ns } => {
                second.push((m.send_ns - first_send_ns) as f64 / 1e9)
            }
            _ => {}
        }
    }
    assert!(late.len() > 75_000 && second.len() > 8_000);
    let d = ks_statistic(late.clone(), |x| 1.0 - (-x / 2.0).exp());
    assert!(d < ks_critical(late.len()), "late: KS D = {d}");
    let wrong = ks_statistic(late.clone(), |x| 1.0 - (-x / 2.1).exp());
    assert!(
        wrong > ks_critical(late.len()),
        "a 5 % wrong mean: D = {wrong}"
    );
    let d = ks_statistic(second.clone(), |x| ((x - 1.0) / 2.0).clamp(0.0, 1.0));
    assert!(d < ks_critical(second.len()), "duplicate: KS D = {d}");
}

/// Malformations are drawn evenly among the kinds listed (χ², 4 degrees of freedom,
/// α = 0.001: 18.47; one kind 20 % likelier gives a noncentrality of about 50 at
/// n = 119,999 and is rejected with probability > 0.999; that reference is rejected here).
#[test]
fn malformations_are_drawn_evenly() {
    let s = many("{malformed: {rate: 1}}");
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for m in Plan::new(&s) {
        let Mark::Malformed { kind, .. } = m.mark else {
            panic!("every event is malformed at rate 1")
        };
        *counts.entry(kind.name().to_string()).or_default() += 1;
    }
    assert_eq!(counts.len(), 5);
    let n: u64 = counts.values().sum();
    let chi = |p: &[f64]| -> f64 {
        counts
            .values()
            .zip(p)
            .map(|(&o, &p)| (o as f64 - n as f64 * p).powi(2) / (n as f64 * p))
            .sum()
    };
    assert!(chi(&[0.2; 5]) < 18.47, "{counts:?}");
    let skewed = [1.2 / 5.2, 1.0 / 5.2, 1.0 / 5.2, 1.0 / 5.2, 1.0 / 5.2];
    assert!(chi(&skewed) > 18.47, "a skewed reference not rejected");
}

/// The same seed and start give byte-identical truth; another seed another.
#[test]
fn the_truth_is_reproducible() {
    let s = dirty();
    let a = simulate::truth::to_json(&simulate::truth::compute(&s, start(), 60_000));
    let b = simulate::truth::to_json(&simulate::truth::compute(&dirty(), start(), 60_000));
    assert_eq!(a, b);
    let mut other = dirty();
    other.seed += 1;
    let c = simulate::truth::to_json(&simulate::truth::compute(&other, start(), 60_000));
    assert_ne!(a, c);
}

/// Turning `malformed` on (or changing its rate) moves no other fault: the late,
/// duplicate and dropped events and their send instants stay the same.
#[test]
fn malformed_moves_no_other_fault() {
    let others = |malformed: &str| -> Vec<Value> {
        let s = many(&format!(
            "{{late: {{rate: 0.02, delay: {{distribution: exponential, mean: 3s}}}}, duplicate: {{rate: 0.01, delay: 1s}}, drop: {{rate: 0.01}}{malformed}}}"
        ));
        truth_of(&s)["faults"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] != "malformed")
            .cloned()
            .collect()
    };
    let off = others("");
    assert!(off.len() > 4_000);
    assert_eq!(off, others(", malformed: {rate: 0.05}"));
    assert_eq!(off, others(", malformed: {rate: 0.2, kinds: [empty]}"));
}

/// Delays never carry a message past the run: it is sent at the end.
#[test]
fn messages_due_after_the_end_are_sent_at_the_end() {
    let s = scenario(
        "duration: 10s\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 100ms}\n    faults: {late: {rate: 0.5, delay: 8s}}\n",
    );
    let messages: Vec<_> = Plan::new(&s).collect();
    let at_end = messages
        .iter()
        .filter(|m| m.send_ns == 10_000_000_000)
        .count();
    let late_past_end = messages
        .iter()
        .filter(|m| m.mark == Mark::Late && m.event.offset_ns + 8_000_000_000 >= 10_000_000_000)
        .count();
    assert!(late_past_end > 5);
    assert_eq!(at_end, late_past_end);
    assert_eq!(messages.len(), 99);
}

/// Fault mistakes are invalid input, located, with what would fix them.
#[test]
fn fault_mistakes_are_located_with_their_fix() {
    let base = "duration: 1m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    faults: ";
    for (faults, want) in [
        (
            "{late: {rate: 0.6, delay: 1s}, drop: {rate: 0.5}}",
            "the fault rates add up to 1.1",
        ),
        ("{drop: {rate: 1.5}}", "from 0 to 1; found 1.5"),
        ("{drop: {rate: -0.1}}", "from 0 to 1; found -0.1"),
        ("{late: {rate: 0.1}}", "missing"),
        (
            "{late: {rate: 0.1, delay: {distribution: exponential, mean: -1s}}}",
            "negative",
        ),
        (
            "{malformed: {rate: 0.1, kinds: [empty, empty]}}",
            "`empty` appears twice",
        ),
        (
            "{malformed: {rate: 0.1, kinds: []}}",
            "the list of kinds is empty",
        ),
        (
            "{malformed: {rate: 0.1, kinds: [truncate]}}",
            "did you mean `truncated`",
        ),
        ("{lates: {rate: 0.1, delay: 1s}}", "did you mean `late`"),
    ] {
        let err = try_scenario(&format!("{base}{faults}\n")).unwrap_err();
        assert!(err.contains(want), "{faults}: {err}");
        assert!(
            err.contains("test.yaml:5:"),
            "{faults}: no location in {err}"
        );
    }
    // A hair over 1 from decimal rounding is fine.
    assert!(try_scenario(&format!(
        "{base}{{late: {{rate: 0.1, delay: 1s}}, duplicate: {{rate: 0.2, delay: 1s}}, drop: {{rate: 0.7}}}}\n"
    ))
    .is_ok());
    let backlog = "duration: 1m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    outages: [{at: 1s, duration: 1s, backlog: keep}]\n";
    let err = try_scenario(backlog).unwrap_err();
    assert!(err.contains("`drop`") && err.contains("`send`"), "{err}");
}
