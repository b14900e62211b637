//! Payload realism: boxes that stay inside the camera's frame (`{gen: bbox}`), nulls
//! drawn per field (`null_rate`), and numbers written outside their range (the
//! `out_of_range` malformation), each named in the truth; their checks at
//! `file:line:column`; and the statistics of the draws against their formulas.

use std::collections::BTreeMap;

use serde_json::Value;
use simulate::sink::stdout::Format;

use crate::common::*;

/// The values of field `v` of a shared stream, one event a millisecond for 100 s, on
/// cameras given as YAML (`[1]` by default).
fn values_of(field: &str, cameras: &str) -> Vec<Value> {
    let text = format!(
        "seed: 3\nduration: 100s\nstreams:\n  - cameras: {cameras}\n    inter_arrival: {{distribution: constant, interval: 1ms}}\n    payload:\n      v: {field}\n"
    );
    let values: Vec<Value> = render(&scenario(&text), Format::Values)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["v"].clone())
        .collect();
    assert_eq!(values.len(), 99_999);
    values
}

fn int(v: &Value, name: &str) -> i64 {
    v[name].as_i64().unwrap_or_else(|| panic!("{name} in {v}"))
}

fn chi_square(counts: &[u64], p: &[f64]) -> f64 {
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .zip(p)
        .map(|(&o, &p)| (o as f64 - n as f64 * p).powi(2) / (n as f64 * p))
        .sum()
}

/// Every box lies inside a 4 × 3 frame, and (x, w) follows the documented draw: w
/// uniform on 1..=4, then x uniform on 0..=4 − w. χ² over the 10 cells (9 degrees of
/// freedom, α = 0.001: 27.88). Power: drawing the 10 (x, w) pairs uniformly instead
/// gives a noncentrality of 0.2·n ≈ 20,000 at n = 99,999, rejected with probability
/// > 0.999; that reference is rejected here (checked).
#[test]
fn boxes_stay_inside_the_frame_and_follow_their_draw() {
    let boxes = values_of("{gen: bbox, width: 4, height: 3}", "[1]");
    let mut cells = vec![0u64; 10];
    let mut expected = Vec::new();
    let mut uniform = Vec::new();
    let cell = |x: i64, w: i64| -> usize {
        // Cells in order of w, then x: w = 1 has 4 offsets, w = 2 three, …
        let before: i64 = (1..w).map(|k| 5 - k).sum();
        (before + x) as usize
    };
    for w in 1..=4 {
        for _ in 0..=(4 - w) {
            expected.push(0.25 / (5 - w) as f64);
            uniform.push(0.1);
        }
    }
    for b in &boxes {
        let (x, y, w, h) = (int(b, "x"), int(b, "y"), int(b, "w"), int(b, "h"));
        assert!(x >= 0 && w >= 1 && x + w <= 4, "{b}");
        assert!(y >= 0 && h >= 1 && y + h <= 3, "{b}");
        assert_eq!(b.as_object().unwrap().len(), 4, "{b}");
        cells[cell(x, w)] += 1;
    }
    let chi = chi_square(&cells, &expected);
    assert!(chi < 27.88, "χ² = {chi} for {cells:?}");
    let wrong = chi_square(&cells, &uniform);
    assert!(wrong > 27.88, "uniform pairs not rejected: χ² = {wrong}");
}

/// With the frame from the cameras' attributes, each box fits its own camera's frame:
/// every message of `scenarios/boxes.yaml` that no fault touched.
#[test]
fn boxes_fit_each_cameras_own_frame() {
    let path = root().join("scenarios/boxes.yaml");
    let s = simulate::scenario::load_file(&path, &Default::default()).unwrap();
    let frames: BTreeMap<i64, (i64, i64)> = BTreeMap::from([
        (1000, (1920, 1080)),
        (1001, (1280, 720)),
        (1002, (640, 480)),
    ]);
    let mut seen = BTreeMap::new();
    for line in render(&s, Format::Plan).lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        if line.get("fault").is_some() {
            continue;
        }
        let v = &line["value"];
        let camera = v["camera_id"].as_i64().unwrap();
        let (width, height) = frames[&camera];
        let b = &v["bbox"];
        let (x, y, w, h) = (int(b, "x"), int(b, "y"), int(b, "w"), int(b, "h"));
        assert!(x >= 0 && w >= 1 && x + w <= width, "{camera}: {b}");
        assert!(y >= 0 && h >= 1 && y + h <= height, "{camera}: {b}");
        *seen.entry(camera).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}

/// The fraction of nulls is binomial(n, rate): |k − np| ≤ 3.29·√(np(1−p)) (two-sided
/// α = 0.001). Power: at n = 99,999 and rate 0.05 the bound is ±227; a rate of 0.055
/// would move the mean by 500, beyond the bound with probability > 0.999. The values
/// that are not null are those drawn without `null_rate`: the null draw is apart.
#[test]
fn nulls_come_at_their_rate_and_leave_the_other_draws_alone() {
    let plain = values_of("{gen: int, min: 0, max: 9}", "[1]");
    let nullable = values_of("{gen: int, min: 0, max: 9, null_rate: 0.05}", "[1]");
    let n = nullable.len() as f64;
    let nulls = nullable.iter().filter(|v| v.is_null()).count() as f64;
    let (np, bound) = (n * 0.05, 3.29 * (n * 0.05 * 0.95).sqrt());
    assert!((nulls - np).abs() <= bound, "{nulls} nulls, {np} ± {bound}");
    for (p, v) in plain.iter().zip(&nullable) {
        assert!(v.is_null() || v == p, "{v} instead of {p}");
    }
    assert!(values_of("{gen: int, min: 0, max: 9, null_rate: 0}", "[1]") == plain);
    let all = values_of("{gen: camera_id, null_rate: 1}", "[1]");
    assert!(all.iter().all(Value::is_null));
}

/// The event schema allows null for a field with `null_rate`, and for that field only.
#[test]
fn the_event_schema_allows_null_only_where_asked() {
    let s = scenario(
        "duration: 1m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 1s}\n    payload:\n      a: {gen: int, min: 0, max: 9, null_rate: 0.5}\n      b: {gen: int, min: 0, max: 9}\n",
    );
    let schema: Value = serde_json::from_str(&simulate::schema::event_for(&s)).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("mem://e.json", schema).unwrap();
    let index = compiler.compile("mem://e.json", &mut schemas).unwrap();
    let ok = |v: Value| schemas.validate(&v, index).is_ok();
    assert!(ok(serde_json::json!({"a": null, "b": 3})));
    assert!(ok(serde_json::json!({"a": 4, "b": 3})));
    assert!(!ok(serde_json::json!({"a": 4, "b": null})));
    assert!(!ok(serde_json::json!({"a": 10, "b": 3})));
}

/// A JSON value's numbers (and other leaves) by path: `a.b`, `a[0]`.
fn leaves(value: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(fields) => {
            for (name, v) in fields {
                let inner = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                leaves(v, &inner, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {
            out.insert(path.to_string(), value.clone());
        }
    }
}

const RANGED: &str = "seed: 5\nduration: 200s\nstreams:\n  - name: s\n    cameras: [{id: 1, width: 8, height: 6}, {id: 2, width: 1920, height: 1080}]\n    inter_arrival: {distribution: constant, interval: 100ms}\n    payload:\n      id: {gen: event_id}\n      cam: {gen: camera_id}\n      n: {gen: int, min: -3, max: 9}\n      x: {gen: float, min: 0.5, max: 1.0, decimals: 2}\n      s: {gen: sequence, start: 10}\n      box: {gen: bbox}\n      deep: {list: [{gen: int, min: 0, max: 1}], z: {gen: normal, mean: 0, std_dev: 1}}\n      maybe: {gen: int, min: 0, max: 5, null_rate: 0.5}\n";

/// Each `out_of_range` message is the good value with exactly one number changed, the
/// one the truth names, and that number is outside its generator's range; every value
/// with a range is picked, nested ones included, and an `int` on both sides.
#[test]
fn out_of_range_changes_the_one_number_the_truth_names() {
    let clean = scenario(RANGED);
    let faulted = scenario(&format!(
        "{RANGED}    faults:\n      malformed: {{rate: 0.3, kinds: [out_of_range]}}\n"
    ));
    let good: BTreeMap<String, Value> = render(&clean, Format::Values)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_string(), v)
        })
        .collect();
    let truth = simulate::truth::compute(&faulted, start(), 60_000);
    let named: BTreeMap<&str, &str> = truth
        .faults
        .iter()
        .map(|f| {
            assert_eq!(f.malformation.as_deref(), Some("out_of_range"));
            (f.event_id.as_str(), f.field.as_deref().unwrap())
        })
        .collect();
    assert_eq!(named.len(), truth.faults.len());
    let mut touched: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut malformed = 0;
    for line in render(&faulted, Format::Plan).lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        if line.get("fault").is_none() {
            continue;
        }
        malformed += 1;
        let bad: Value = serde_json::from_str(line["value"].as_str().unwrap()).unwrap();
        let id = bad["id"].as_str().unwrap();
        let (mut before, mut after) = (BTreeMap::new(), BTreeMap::new());
        leaves(&good[id], "", &mut before);
        leaves(&bad, "", &mut after);
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>()
        );
        let changed: Vec<&String> = before.keys().filter(|k| before[*k] != after[*k]).collect();
        let field = named[id];
        assert_eq!(changed, [field], "{id}: {bad}");
        let x = after[field].as_f64().unwrap();
        let b = &bad["box"];
        let (width, height) = if bad["cam"] == 1 {
            (8, 6)
        } else {
            (1920, 1080)
        };
        // Outside the number's range, or one past the box's edge.
        let outside = match field {
            "n" => !(-3.0..=9.0).contains(&x),
            "x" => !(0.5..=1.0).contains(&x),
            "s" => x < 10.0,
            "deep.list[0]" => !(0.0..=1.0).contains(&x),
            "maybe" => !(0.0..=5.0).contains(&x),
            "box.w" => int(b, "x") + int(b, "w") == width + 1,
            "box.h" => int(b, "y") + int(b, "h") == height + 1,
            other => panic!("{other} touched"),
        };
        assert!(outside, "{field} = {x} in {bad}");
        let sides = touched.entry(field.to_string()).or_default();
        // Above or below the good value (a null one says neither).
        match before[field].as_f64() {
            Some(good) if x > good => sides.0 += 1,
            Some(_) => sides.1 += 1,
            None => {}
        }
    }
    assert_eq!(malformed, named.len());
    let names: Vec<&str> = touched.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["box.h", "box.w", "deep.list[0]", "maybe", "n", "s", "x"]
    );
    for both in ["n", "x", "deep.list[0]"] {
        assert!(touched[both].0 > 0 && touched[both].1 > 0, "{touched:?}");
    }
}

/// `out_of_range` is opt-in: `malformed` without `kinds` draws the five kinds it always
/// drew, in the same way.
#[test]
fn out_of_range_is_never_drawn_unless_listed() {
    let with = |kinds: &str| {
        scenario(&format!(
            "{RANGED}    faults:\n      malformed: {{rate: 0.5{kinds}}}\n"
        ))
    };
    let default = with("");
    let five = with(", kinds: [truncated, not_json, missing_field, wrong_type, empty]");
    assert_eq!(render(&default, Format::Plan), render(&five, Format::Plan));
    let truth = simulate::truth::compute(&default, start(), 60_000);
    assert!(truth.faults.len() > 500);
    assert!(
        truth
            .faults
            .iter()
            .all(|f| f.malformation.as_deref() != Some("out_of_range"))
    );
}

/// Each mistake is reported at its line and column with a fix, all at once.
#[test]
fn box_null_and_range_mistakes_are_located_with_their_fix() {
    let text = "\
duration: 1m
streams:
  - name: cams
    cameras:
      - {id: 1, width: 0, height: 1080}
      - {id: 2, height: 480}
    inter_arrival: {distribution: constant, interval: 1s}
    payload:
      box: {gen: bbox}
      fixed: {gen: bbox, width: -3, height: 10}
      people: {gen: int, min: 0, max: 12, null_rate: 1.5}
  - name: plain
    cameras: [5]
    inter_arrival: {distribution: constant, interval: 1s}
    payload:
      box: {gen: bbox}
  - name: nothing_to_break
    cameras: [5]
    inter_arrival: {distribution: constant, interval: 1s}
    payload: {k: {gen: choice, values: [a]}}
    faults: {malformed: {rate: 0.1, kinds: [truncated, out_of_range]}}
";
    let out = try_scenario(text).unwrap_err();
    for want in [
        "streams[0].cameras[0].width: camera `1`'s width must be a whole number of pixels from 1 to 4294967295 for `gen: bbox`, found 0\n --> test.yaml:5:24",
        "streams[0].payload.box: the frame's width is not given and 1 of the stream's cameras has no attribute `width`: `2`\n --> test.yaml:9:12",
        "help: give every camera of the stream `width`, e.g. `{id: 1000, width: 1920}`, or the frame on the generator: `{gen: bbox, width: 1920}`",
        "streams[0].payload.fixed.width: the frame's width must be a whole number of pixels from 1 to 4294967295, found -3\n  --> test.yaml:10:33",
        "streams[0].payload.people.null_rate: null_rate is a probability per event, from 0 to 1; found 1.5\n  --> test.yaml:11:54",
        "streams[1].payload.box: the frame's width and height are not given, and the stream's cameras have no attributes to take them from\n  --> test.yaml:16:12",
        "help: give the frame on the generator, e.g. `{gen: bbox, width: 1920, height: 1080}`",
        "streams[2].faults.malformed.kinds[1]: `out_of_range` needs a payload value with a range, and this stream's payload has none\n  --> test.yaml:21:56",
    ] {
        assert!(out.contains(want), "missing:\n{want}\nin:\n{out}");
    }
    assert!(out.contains("6 problems found"), "{out}");
}
