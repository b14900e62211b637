//! `simulate fit` of a recording of several topics: a stream per topic, each fitted on
//! its own (its cameras, arrivals and gaps), over the whole recording's window.

use serde_json::Value;

use crate::fit::{fit, plan_lines, record};

/// Events per topic in plan lines.
fn per_topic(lines: &[Value]) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for line in lines {
        *counts
            .entry(line["topic"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn a_recording_of_two_topics_is_fitted_as_a_stream_per_topic() {
    let dir = tempfile::tempdir().unwrap();
    let (recording, original) = record(
        dir.path(),
        "seed: 3\nstart: 2026-01-01T08:00:00Z\nduration: 10m\nstreams:\n\
         \x20 - {topic: detections, cameras: [1, 2, 3], inter_arrival: {distribution: exponential, mean: 200ms}}\n\
         \x20 - {topic: heartbeats, cameras: [10, 11], arrivals: per_camera, first_event: at_start,\n\
         \x20    inter_arrival: {distribution: constant, interval: 1s}}\n",
    );
    let (fitted, text) = fit(&recording, &[]);
    let scenario: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let streams = scenario["streams"].as_sequence().unwrap();
    assert_eq!(streams.len(), 2, "{text}");
    // Most events first; each stream names its topic and has that topic's cameras.
    let (detections, heartbeats) = (&streams[0], &streams[1]);
    assert_eq!(detections["topic"].as_str(), Some("detections"), "{text}");
    assert_eq!(heartbeats["topic"].as_str(), Some("heartbeats"), "{text}");
    assert_eq!(
        serde_yaml::to_string(&heartbeats["cameras"])
            .unwrap()
            .trim(),
        "- 10\n- 11"
    );
    assert_eq!(
        heartbeats["arrivals"].as_str(),
        Some("per_camera"),
        "{text}"
    );
    let gap = &heartbeats["inter_arrival"];
    assert_eq!(gap["distribution"].as_str(), Some("constant"), "{text}");
    assert_eq!(gap["interval"].as_str(), Some("1000ms"), "{text}");
    let gap = &detections["inter_arrival"];
    assert_eq!(gap["distribution"].as_str(), Some("exponential"), "{text}");
    let mean: f64 = gap["mean"]
        .as_str()
        .unwrap()
        .trim_end_matches("ms")
        .parse()
        .unwrap();
    // A Poisson stream picking 3 cameras uniformly is 3 Poisson streams of a third of
    // its rate: either fit is the same process.
    let want = match detections["arrivals"].as_str() {
        Some("per_camera") => 600.0,
        _ => 200.0,
    };
    assert!(
        (mean - want).abs() < 0.05 * want,
        "mean {mean} ms, {want} expected"
    );
    // The fitted scenario plays each topic with as many events (within 5 %).
    let again = per_topic(&plan_lines(&fitted));
    for (topic, want) in per_topic(&original) {
        let got = again.get(&topic).copied().unwrap_or(0) as f64;
        assert!(
            (got - want as f64).abs() <= 0.05 * want as f64,
            "{topic}: {got} events fitted, {want} recorded"
        );
    }
}
