//! The determinism promise: same file, seed and start give the same bytes; a named
//! stream's or a camera's events do not depend on the others.

use std::collections::BTreeMap;

use simulate::sink::stdout::Format;

use crate::common::*;

const BASE: &str = r#"
seed: 11
duration: 2m
streams:
  - name: alpha
    cameras: [1, 2, 3]
    arrivals: per_camera
    inter_arrival: {distribution: exponential, mean: 1s}
  - name: beta
    cameras: ["x", "y"]
    pick: uniform
    inter_arrival: {distribution: uniform, min: 100ms, max: 900ms}
"#;

/// Plan lines grouped by camera id.
fn by_camera(plan: &str) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in plan.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        map.entry(v["key"].as_str().unwrap().to_string())
            .or_default()
            .push(line.to_string());
    }
    map
}

#[test]
fn same_input_gives_the_same_bytes() {
    let a = render(&scenario(BASE), Format::Plan);
    let b = render(&scenario(BASE), Format::Plan);
    assert!(a.lines().count() > 200);
    assert_eq!(a, b);
}

#[test]
fn the_seed_changes_the_plan() {
    let a = render(&scenario(BASE), Format::Plan);
    let b = render(
        &scenario(&BASE.replace("seed: 11", "seed: 12")),
        Format::Plan,
    );
    assert_ne!(a, b);
}

#[test]
fn adding_a_camera_leaves_the_others_unchanged() {
    let before = by_camera(&render(&scenario(BASE), Format::Plan));
    let after = by_camera(&render(
        &scenario(&BASE.replace("[1, 2, 3]", "[1, 2, 3, 4]")),
        Format::Plan,
    ));
    assert!(after.contains_key("4"));
    for camera in ["1", "2", "3"] {
        assert_eq!(before[camera], after[camera], "camera {camera} changed");
    }
}

#[test]
fn adding_or_reordering_streams_leaves_named_streams_unchanged() {
    let before = by_camera(&render(&scenario(BASE), Format::Plan));
    let extra = format!(
        "{}  - name: gamma\n    cameras: [9]\n    inter_arrival: {{distribution: constant, interval: 1s}}\n",
        BASE
    );
    let after = by_camera(&render(&scenario(&extra), Format::Plan));
    let (head, tail) = BASE.split_at(BASE.find("  - name: beta").unwrap());
    let alpha_block = &head[head.find("  - name: alpha").unwrap()..];
    let swapped = format!(
        "{}{}{}",
        &head[..head.find("  - name: alpha").unwrap()],
        tail,
        alpha_block
    );
    let reordered = by_camera(&render(&scenario(&swapped), Format::Plan));
    for camera in ["1", "2", "3", "x", "y"] {
        assert_eq!(
            before[camera], after[camera],
            "camera {camera} changed when a stream was added"
        );
        assert_eq!(
            before[camera], reordered[camera],
            "camera {camera} changed when streams were reordered"
        );
    }
}

#[test]
fn plan_is_totally_ordered_and_inside_the_duration() {
    let s = scenario(BASE);
    let events: Vec<_> = simulate::plan::Events::new(&s).collect();
    assert!(
        events.windows(2).all(|w| w[0] < w[1]),
        "events out of order"
    );
    assert!(events.iter().all(|e| e.offset_ns < s.duration.0));
}

#[test]
fn event_ids_are_unique_within_a_run() {
    let s = scenario(&BASE.replace("2m", "30m"));
    let values = render(&s, Format::Values);
    let mut ids: Vec<&str> = values.lines().map(|l| &l[13..49]).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);
}
