//! The fitter end to end on small, hand-made inputs: camera ids, the pick, payload
//! generators, errors, and a rendered scenario that loads.

use serde_json::{Value, json};

use super::*;
use crate::scenario::{self, Overrides, Source};

/// Fits events given as (ms, key, payload).
fn fit(events: &[(i64, Option<&str>, Value)]) -> Result<Fitted, String> {
    let mut fitter = Fitter::new(Options {
        camera_field: None,
        keyed: true,
    });
    for (ts, key, payload) in events {
        fitter.add(Event {
            ts_ms: *ts,
            topic: Some("events"),
            partition: Some(0),
            key: key.map(str::as_bytes),
            headers: &[],
            payload: Some(payload),
            opaque: false,
        })?;
    }
    fitter.fit()
}

/// Loads a rendered scenario, panicking with its text and diagnostics if it is invalid.
fn loads(text: &str) -> scenario::Scenario {
    let source = Source {
        name: "fitted.yaml".into(),
        text: text.into(),
    };
    scenario::load_source(&source, "fitted", &Overrides::default())
        .unwrap_or_else(|d| panic!("{text}\n{}", scenario::render_all(&d)))
}

/// A pseudo-random number in [0, 1) from a counter (no RNG dependency in the test).
fn unit(i: u64) -> f64 {
    let mut x = i
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x1234_5678);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

const ZONES: [&str; 3] = ["entrance", "lobby", "parking"];

/// `n` detection-like events on cameras 1000–1002, gaps uniform in 100–1000 ms.
fn detections(n: u64) -> Vec<(i64, Option<&'static str>, Value)> {
    let mut ts = 1_767_225_600_000i64;
    let mut frames = [0u64; 3];
    (0..n)
        .map(|i| {
            ts += 100 + (900.0 * unit(i)) as i64;
            let c = (unit(i + 1_000_000) * 3.0) as usize;
            let kind = ["motion", "person", "vehicle"][(unit(i + 2_000_000) * 3.0) as usize];
            let payload = json!({
                "event_id": format!("6d0aab85-187f-83d5-8000-{:012x}", i),
                "ts": ts,
                "camera_id": 1000 + c,
                "zone": ZONES[c],
                "kind": kind,
                "confidence": (500.0 + 500.0 * unit(i + 3_000_000)).round() / 1000.0,
                "people": (unit(i + 4_000_000) * 13.0) as i64,
                "frame": frames[c],
                "schema_version": 2,
                "bbox": {"x": (unit(i + 5_000_000) * 1920.0) as i64},
            });
            frames[c] += 1;
            (ts, Some(["1000", "1001", "1002"][c]), payload)
        })
        .collect()
}

fn field<'a>(fields: &'a [Inferred], name: &str) -> &'a Inferred {
    fields.iter().find(|f| f.name == name).unwrap()
}

fn line(fields: &[Inferred], name: &str) -> String {
    match &field(fields, name).value {
        Written::Line(line) => line.clone(),
        Written::Object(_) | Written::Attribute(_) => panic!("{name} is not one line"),
    }
}

use payload::Written;

#[test]
fn a_detection_stream_is_fitted_field_by_field_and_loads() {
    let fitted = fit(&detections(3_000)).unwrap();
    assert_eq!(fitted.cameras.len(), 3);
    assert_eq!(
        fitted.cameras[0].0,
        CameraId::Int(fitted.cameras[0].0.yaml().parse().unwrap())
    );
    assert_eq!(fitted.arrivals, Arrivals::Shared);
    assert!(!fitted.weighted);
    assert_eq!(fitted.candidates[0].family, gaps::Family::Uniform);
    let fields = fitted.payload.as_ref().unwrap();
    assert_eq!(line(fields, "event_id"), "{gen: event_id}");
    assert_eq!(line(fields, "ts"), "{gen: timestamp, format: epoch_ms}");
    assert_eq!(line(fields, "camera_id"), "{gen: camera_id}");
    assert!(
        line(fields, "kind").starts_with("{gen: choice, values: ["),
        "{fields:?}"
    );
    assert!(line(fields, "confidence").starts_with("{gen: float, min: 0.5"));
    assert!(line(fields, "confidence").ends_with("decimals: 3}"));
    assert_eq!(line(fields, "people"), "{gen: int, min: 0, max: 12}");
    assert_eq!(line(fields, "schema_version"), "2");
    // Each camera counts its frames, but the stream is shared: not its sequence.
    assert!(
        line(fields, "frame").starts_with("{gen: int"),
        "{}",
        line(fields, "frame")
    );
    match &field(fields, "bbox").value {
        Written::Object(children) => assert!(line(children, "x").starts_with("{gen: int, min: 0")),
        other => panic!("bbox is {other:?}"),
    }
    // A field that follows the camera is a camera attribute.
    assert!(matches!(
        &field(fields, "zone").value,
        Written::Attribute(_)
    ));
    let text = write::render(&fitted, "test.jsonl");
    assert!(
        text.contains("      - {id: 1001, zone: \"lobby\"}"),
        "{text}"
    );
    assert!(
        text.contains("      zone: {gen: camera, attribute: zone}"),
        "{text}"
    );
    let scenario = loads(&text);
    assert_eq!(scenario.streams.len(), 1);
}

#[test]
fn keys_name_the_cameras_and_integer_keys_stay_integers() {
    let events: Vec<_> = (0..30)
        .map(|i| {
            (
                i * 1000 + (i % 7) * 13,
                Some(["7", "cam-2"][i as usize % 2]),
                json!({"n": 1}),
            )
        })
        .collect();
    let fitted = fit(&events).unwrap();
    let ids: Vec<_> = fitted.cameras.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(ids, vec![CameraId::Int(7), CameraId::Text("cam-2".into())]);
    assert!(write::render(&fitted, "x").contains("cameras: [7, \"cam-2\"]"));
}

#[test]
fn unequal_shares_are_a_weighted_pick() {
    let events: Vec<_> = (0..4_000)
        .map(|i| {
            let key = if unit(i) < 0.75 { "1" } else { "2" };
            (
                i as i64 * 500 + (unit(i + 9) * 400.0) as i64,
                Some(key),
                json!({}),
            )
        })
        .collect();
    let fitted = fit(&events).unwrap();
    assert!(fitted.weighted && fitted.arrivals == Arrivals::Shared);
    let text = write::render(&fitted, "x");
    assert!(text.contains("pick: {weights: ["), "{text}");
    loads(&text);
}

#[test]
fn per_camera_counters_are_a_sequence_of_a_per_camera_stream() {
    // Two cameras, each every 1000 ms exactly, 300 ms apart: constant gaps per camera.
    let mut events = Vec::new();
    for i in 0..500i64 {
        events.push((i * 1000, Some("1"), json!({"beat": i + 1, "at": "x"})));
        events.push((i * 1000 + 300, Some("2"), json!({"beat": i + 1, "at": "x"})));
    }
    let fitted = fit(&events).unwrap();
    assert_eq!(fitted.arrivals, Arrivals::PerCamera, "{fitted:?}");
    assert_eq!(fitted.candidates[0].family, gaps::Family::Constant);
    let fields = fitted.payload.as_ref().unwrap();
    assert_eq!(line(fields, "beat"), "{gen: sequence, start: 1}");
    let text = write::render(&fitted, "x");
    assert!(
        text.contains("inter_arrival: {distribution: constant, interval: 1000ms}"),
        "{text}"
    );
    loads(&text);
}

#[test]
fn a_counter_read_out_of_order_is_still_a_sequence() {
    // A shared stream's counter, its events read partition by partition (as a
    // recording interleaves them): 0, 3, 6, … then 1, 4, 7, … then 2, 5, 8, …
    let mut events = Vec::new();
    for start in 0..3i64 {
        for i in (start..600).step_by(3) {
            let ts = 1_767_225_600_000 + i * 400 + (unit(i as u64) * 300.0) as i64;
            let key = ["1", "2", "3"][(unit(i as u64 + 77) * 3.0) as usize];
            events.push((ts, Some(key), json!({"n": i + 10, "gap": i % 2})));
        }
    }
    let fitted = fit(&events).unwrap();
    assert_eq!(fitted.arrivals, Arrivals::Shared);
    let fields = fitted.payload.as_ref().unwrap();
    assert_eq!(line(fields, "n"), "{gen: sequence, start: 10}");
    // Values that skip are not a sequence.
    assert_eq!(line(fields, "gap"), "{gen: int, min: 0, max: 1}");
}

#[test]
fn timestamps_strings_and_nulls_are_recognised() {
    let events: Vec<_> = (0..200i64)
        .map(|i| {
            let ts = 1_767_225_600_000 + i * 1_250 + (i % 3) * 7;
            let at = DateTime::from_timestamp_millis(ts).unwrap();
            let payload = json!({
                "sent_at": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "local": at.format("%d/%m/%Y %H:%M:%S").to_string(),
                "plate": if i % 4 == 0 { Value::Null } else { json!("AB-123") },
                "note": format!("free text {i}"),
                "mixed": if i % 2 == 0 { json!(1) } else { json!("one") },
            });
            (ts, Some("1"), payload)
        })
        .collect();
    let fitted = fit(&events).unwrap();
    let fields = fitted.payload.as_ref().unwrap();
    assert_eq!(
        line(fields, "sent_at"),
        "{gen: timestamp, format: rfc3339_ms}"
    );
    assert_eq!(
        line(fields, "local"),
        "{gen: timestamp, format: \"%d/%m/%Y %H:%M:%S\"}"
    );
    // A constant with nulls stays the value seen, and says so.
    assert_eq!(line(fields, "plate"), "\"AB-123\"");
    assert!(
        field(fields, "plate")
            .note
            .as_ref()
            .unwrap()
            .contains("null in 50 of 200")
    );
    // Too many distinct strings: the first one seen, never an invented one.
    assert_eq!(line(fields, "note"), "\"free text 0\"");
    assert!(
        field(fields, "note")
            .note
            .as_ref()
            .unwrap()
            .contains("distinct strings")
    );
    assert_eq!(line(fields, "mixed"), "1");
    loads(&write::render(&fitted, "x"));
}

use chrono::DateTime;

#[test]
fn what_cannot_be_fitted_is_an_error_that_says_why() {
    assert!(fit(&[]).unwrap_err().contains("0 events"));
    let same = [
        (5, Some("1"), json!({})),
        (5, Some("1"), json!({})),
        (5, Some("2"), json!({})),
    ];
    assert!(fit(&same).unwrap_err().contains("same timestamp"));
    let mut fitter = Fitter::new(Options::default());
    let value = json!({"x": 1});
    let no_camera = Event {
        ts_ms: 1,
        topic: None,
        partition: None,
        key: None,
        headers: &[],
        payload: Some(&value),
        opaque: false,
    };
    assert!(
        fitter
            .add(no_camera)
            .unwrap_err()
            .contains("--camera-field")
    );
}

#[test]
fn timestamp_fields_read_ms_seconds_and_rfc_3339() {
    assert_eq!(
        timestamp_of(&json!(1_767_225_600_250i64)),
        Ok(1_767_225_600_250)
    );
    assert_eq!(
        timestamp_of(&json!(1_767_225_600.25)),
        Ok(1_767_225_600_250)
    );
    assert_eq!(
        timestamp_of(&json!("2026-01-01T00:00:00.250Z")),
        Ok(1_767_225_600_250)
    );
    assert_eq!(
        timestamp_of(&json!("2026-01-01 00:00:00.250")),
        Ok(1_767_225_600_250)
    );
    assert!(
        timestamp_of(&json!("soon"))
            .unwrap_err()
            .contains("not a timestamp")
    );
}

#[test]
fn durations_are_written_with_units_and_decimals() {
    assert_eq!(write::duration(412.5), "412.5ms");
    assert_eq!(write::duration(0.0125), "12.5us");
    assert_eq!(
        crate::scenario::duration::parse("412.5ms").unwrap().0,
        412_500_000
    );
}

#[test]
fn odd_recordings_still_give_a_scenario_that_loads() {
    let base = 1_767_225_600_000i64;
    let cases: Vec<Vec<i64>> = vec![
        vec![0, 0, 1],                       // ties and a 1 ms gap
        vec![0, 1, 2, 3, 1_000_000],         // one huge gap
        vec![0, 5, 5, 5, 5, 5, 5, 9],        // mostly ties
        (0..2_000).map(|i| i * i).collect(), // a rate that falls steadily
        (0..3_000)
            .map(|i| (i % 10) * 100 + (i / 10) * 60_000)
            .collect(), // bursts
    ];
    for offsets in cases {
        let events: Vec<_> = offsets
            .iter()
            .enumerate()
            .map(|(i, t)| (base + t, Some(["1", "2"][i % 2]), json!({"v": i})))
            .collect();
        let fitted = fit(&events).unwrap();
        let text = write::render(&fitted, "odd.jsonl");
        loads(&text);
    }
}

#[test]
fn cameras_visited_in_turn_are_a_round_robin_and_heartbeats_start_together() {
    // A shared stream visiting 3, 1, 2 in turn, gaps uniform in 100..600 ms.
    let mut ts = 1_767_225_600_000i64;
    let events: Vec<_> = (0..900u64)
        .map(|i| {
            ts += 100 + (500.0 * unit(i)) as i64;
            (ts, Some(["3", "1", "2"][i as usize % 3]), json!({}))
        })
        .collect();
    let fitted = fit(&events).unwrap();
    assert!(
        fitted.round_robin && fitted.arrivals == Arrivals::Shared,
        "{fitted:?}"
    );
    let text = write::render(&fitted, "x");
    assert!(
        text.contains("cameras: [3, 1, 2]") && text.contains("pick: round_robin"),
        "{text}"
    );
    loads(&text);
    // Heartbeats: each camera every 30 s from the start, all at once.
    let events: Vec<_> = (0..300i64)
        .flat_map(|i| ["7", "8"].map(|key| (1_767_225_600_000 + i * 30_000, Some(key), json!({}))))
        .collect();
    let fitted = fit(&events).unwrap();
    assert_eq!(fitted.arrivals, Arrivals::PerCamera);
    assert!(fitted.at_start && !fitted.round_robin, "{fitted:?}");
    let text = write::render(&fitted, "x");
    assert!(text.contains("first_event: at_start"), "{text}");
    loads(&text);
}
