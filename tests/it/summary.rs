//! `simulate stats`: its numbers against the same numbers recomputed here from the
//! `--format plan` output (and, for dropped events, which no message shows, the truth
//! file) of every example scenario; its theoretical gap moments against samples of the
//! samplers; its expected counts against the rate profile integrated here on a grid.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha12Rng;
use serde_json::Value;
use simulate::plan::distribution::Sampler;
use simulate::scenario::model::{Duration, InterArrival, Interpolate};
use simulate::scenario::validate::StreamArrivals;
use simulate::scenario::{Nanos, Overrides};

use crate::common::*;

/// One planned event as the plan lines (and the truth's dropped events) show it.
struct Planned {
    offset_us: u64,
    topic: String,
    camera: String,
}

fn json_of(args: &[&str]) -> Value {
    let out = Test::new().args(args).status(0).run();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(got: &Value, want: f64, tolerance: f64, what: &str) {
    let got = got
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {got} is not a number"));
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: stats says {got}, the plan {want}"
    );
}

#[test]
fn stats_equal_what_the_plan_lines_hold_for_every_example() {
    let start_ms = start().timestamp_millis();
    for path in example_scenarios() {
        let name = path.display().to_string();
        let stats = json_of(&["stats", &name, "--json", "--start", START]);
        let out = Test::new()
            .args([
                name.as_str(),
                "--dry-run",
                "--format",
                "plan",
                "--start",
                START,
            ])
            .status(0)
            .run();
        let truth = json_of(&["truth", &name, "--start", START]);

        let mut events = Vec::new();
        let mut faults: BTreeMap<String, u64> = BTreeMap::new();
        let mut messages = 0u64;
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let line: Value = serde_json::from_str(line).unwrap();
            messages += 1;
            let fault = line["fault"].as_str();
            if let Some(kind) = fault {
                *faults.entry(kind.to_string()).or_default() += 1;
            }
            if fault == Some("duplicate") {
                continue; // the second copy of an event already counted
            }
            events.push(Planned {
                offset_us: line["offset_us"].as_u64().unwrap(),
                topic: line["topic"].as_str().unwrap().to_string(),
                camera: line["key"].as_str().unwrap().to_string(),
            });
        }
        let mut dropped = 0;
        for fault in truth["faults"].as_array().unwrap() {
            if fault["kind"] == "drop" {
                dropped += 1;
                events.push(Planned {
                    offset_us: (fault["event_ms"].as_i64().unwrap() - start_ms) as u64 * 1000,
                    topic: fault["topic"].as_str().unwrap().to_string(),
                    camera: fault["camera_id"].to_string().trim_matches('"').to_string(),
                });
            }
        }
        events.sort_by_key(|e| e.offset_us);

        assert_eq!(stats["events"], events.len() as u64, "{name}: events");
        let f = &stats["faults"];
        assert_eq!(f["messages"], messages, "{name}: messages");
        for kind in ["late", "duplicate", "malformed"] {
            assert_eq!(
                f[kind],
                faults.get(kind).copied().unwrap_or(0),
                "{name}: {kind}"
            );
        }
        assert_eq!(f["drop"], dropped, "{name}: drop");
        assert_eq!(f["held"], truth["totals"]["held"], "{name}: held");

        let mut topics: BTreeMap<&str, u64> = BTreeMap::new();
        let mut cameras: BTreeMap<&str, u64> = BTreeMap::new();
        for e in &events {
            *topics.entry(&e.topic).or_default() += 1;
            *cameras.entry(&e.camera).or_default() += 1;
        }
        let want_topics: Value = serde_json::to_value(&topics).unwrap();
        assert_eq!(stats["topics"], want_topics, "{name}: topics");

        // Busiest and quietest five, ties by id. Every camera of these examples has
        // events, so the cameras seen are all the cameras.
        let scenario = simulate::scenario::load_file(&path, &Overrides::default()).unwrap();
        let mut ranked: Vec<(&str, u64)> = cameras.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(
            stats["cameras"]["count"],
            ranked.len() as u64,
            "{name}: cameras"
        );
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let top: Vec<Value> = ranked
            .iter()
            .take(5)
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect();
        assert_eq!(
            stats["cameras"]["busiest"],
            Value::Array(top),
            "{name}: busiest"
        );
        ranked.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
        let low: Vec<Value> = ranked
            .iter()
            .take(5)
            .map(|(k, v)| serde_json::json!([k, v]))
            .collect();
        assert_eq!(
            stats["cameras"]["quietest"],
            Value::Array(low),
            "{name}: quietest"
        );

        // Tumbling windows from the start.
        for (key, width_us) in [("peak_1s", 1_000_000u64), ("peak_1m", 60_000_000)] {
            let mut per: BTreeMap<u64, u64> = BTreeMap::new();
            for e in &events {
                *per.entry(e.offset_us / width_us).or_default() += 1;
            }
            let (window, count) =
                per.iter().fold(
                    (0, 0),
                    |best, (w, n)| if *n > best.1 { (*w, *n) } else { best },
                );
            assert_eq!(stats[key]["events"], count, "{name}: {key}");
            close(
                &stats[key]["start_s"],
                (window * width_us) as f64 / 1e6,
                1e-9,
                key,
            );
        }

        // Per stream, where each camera belongs to one stream (so a plan line tells its
        // stream): events, and gaps within each process.
        let mut stream_of: BTreeMap<String, usize> = BTreeMap::new();
        let mut ambiguous = false;
        for (i, s) in scenario.streams.iter().enumerate() {
            for c in &s.cameras {
                ambiguous |= stream_of.insert(c.to_string(), i).is_some_and(|j| j != i);
            }
        }
        let streams = stats["streams"].as_array().unwrap();
        let total: u64 = streams.iter().map(|s| s["events"].as_u64().unwrap()).sum();
        assert_eq!(total, events.len() as u64, "{name}: the streams' events");
        if ambiguous {
            continue;
        }
        // Dropped events' instants are known to the millisecond only.
        let tolerance = if dropped > 0 { 1.5e-3 } else { 1.5e-6 };
        for (i, stream) in scenario.streams.iter().enumerate() {
            let mine: Vec<&Planned> = events
                .iter()
                .filter(|e| stream_of[&e.camera] == i)
                .collect();
            let got = &streams[i];
            assert_eq!(got["events"], mine.len() as u64, "{name}: {}", stream.name);
            let mut last: BTreeMap<&str, u64> = BTreeMap::new();
            let mut gaps = Vec::new();
            for e in &mine {
                let process = match stream.arrivals {
                    StreamArrivals::PerCamera => e.camera.as_str(),
                    StreamArrivals::Shared(_)
                    | StreamArrivals::Entities(_)
                    | StreamArrivals::Replay(_) => "",
                };
                if let Some(previous) = last.insert(process, e.offset_us) {
                    gaps.push((e.offset_us - previous) as f64 / 1e6);
                }
            }
            let g = &got["gaps"];
            assert_eq!(
                g["count"],
                gaps.len() as u64,
                "{name}: {} gaps",
                stream.name
            );
            if gaps.is_empty() {
                continue;
            }
            let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
            let std =
                (gaps.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / gaps.len() as f64).sqrt();
            let what = format!("{name}: {} gap", stream.name);
            close(&g["mean_s"], mean, tolerance, &format!("{what} mean"));
            close(&g["std_s"], std, tolerance, &format!("{what} std"));
            close(
                &g["min_s"],
                gaps.iter().copied().fold(f64::MAX, f64::min),
                tolerance,
                &format!("{what} min"),
            );
            close(
                &g["max_s"],
                gaps.iter().copied().fold(0.0, f64::max),
                tolerance,
                &format!("{what} max"),
            );
        }
    }
}

/// The factor of a piecewise-linear (or step) profile at `t` seconds, written here from
/// the README's definition: before the first point its factor, between points a line
/// (or the earlier factor, with steps), after the last point back to the first factor
/// by the period's end (or the last factor forever, without a repeat).
fn factor(points: &[(f64, f64)], step: bool, repeat: Option<f64>, t: f64) -> f64 {
    let u = repeat.map_or(t, |p| t % p);
    let (first, last) = (points[0], points[points.len() - 1]);
    let line = |a: (f64, f64), b: (f64, f64)| {
        if step || b.0 == a.0 {
            a.1
        } else {
            a.1 + (b.1 - a.1) * (u - a.0) / (b.0 - a.0)
        }
    };
    if u < first.0 {
        return first.1;
    }
    for pair in points.windows(2) {
        if u < pair[1].0 {
            return line(pair[0], pair[1]);
        }
    }
    match repeat {
        Some(p) => line(last, (p, first.1)),
        None => last.1,
    }
}

/// Each stream's expected count: processes × ∫ profile / mean gap (+1 per process that
/// starts at 0), the integral taken here by the midpoint rule on a 1 s grid.
#[test]
fn expected_counts_follow_the_rate_profile() {
    for path in example_scenarios() {
        let name = path.display().to_string();
        let stats = json_of(&["stats", &name, "--json"]);
        let scenario = simulate::scenario::load_file(&path, &Overrides::default()).unwrap();
        let seconds = scenario.duration.0 as f64 / 1e9;
        for (i, stream) in scenario.streams.iter().enumerate() {
            let got = &stats["streams"][i];
            // A replay expects its recorded messages, pass after pass, that start
            // within the duration.
            if let StreamArrivals::Replay(replay) = &stream.arrivals {
                let fits = (0..replay.loops)
                    .flat_map(|k| replay.offsets.iter().map(move |o| k * replay.period + o))
                    .filter(|t| *t < scenario.duration.0)
                    .count();
                close(
                    &got["expected"],
                    fits as f64,
                    0.0,
                    &format!("{name}: replay"),
                );
                continue;
            }
            let Some(mean) = got["distribution"]["mean_s"].as_f64() else {
                assert!(got["expected"].is_null(), "{name}: {got}");
                continue;
            };
            let area = match stream.modulation.as_ref().and_then(|m| m.rate.as_ref()) {
                None => seconds,
                Some(profile) => {
                    let points: Vec<(f64, f64)> = profile
                        .points
                        .iter()
                        .map(|(t, f)| (*t as f64 / 1e9, *f))
                        .collect();
                    let step = profile.interpolate == Interpolate::Step;
                    let repeat = profile.repeat.map(|p| p as f64 / 1e9);
                    let whole = seconds.floor() as u64;
                    let mut sum: f64 = (0..whole)
                        .map(|k| factor(&points, step, repeat, k as f64 + 0.5))
                        .sum();
                    sum += (seconds - whole as f64) * factor(&points, step, repeat, seconds);
                    sum
                }
            };
            let processes = match stream.arrivals {
                StreamArrivals::PerCamera => stream.cameras.len() as f64,
                StreamArrivals::Shared(_)
                | StreamArrivals::Entities(_)
                | StreamArrivals::Replay(_) => 1.0,
            };
            let at_start = f64::from(u8::from(
                stream.first_event == simulate::scenario::model::FirstEvent::AtStart,
            ));
            let want = processes * (area / mean + at_start);
            close(
                &got["expected"],
                want,
                want * 1e-6 + 1e-6,
                &format!("{name}: {} expected", stream.name),
            );
        }
    }
}

/// The mean and standard deviation `stats` gives for each distribution, against
/// 200,000 gaps of the sampler: the mean within 4 standard errors (a false alarm about
/// 6·10⁻⁵), the standard deviation within 3 %. A moment formula off by 5 % of σ/√n·√n
/// (a 1.6 % error at these sizes for the mean) or more fails. Pareto's variance is
/// infinite for shape ≤ 2, and its sample deviation converges too slowly to check.
#[test]
fn theoretical_moments_match_the_samplers() {
    let d = |s: f64| Duration(Nanos((s * 1e9) as u64));
    let cases = [
        InterArrival::Constant { interval: d(0.5) },
        InterArrival::Uniform {
            min: d(0.1),
            max: d(1.0),
        },
        InterArrival::Exponential { mean: d(2.0) },
        InterArrival::Normal {
            mean: d(1.0),
            std_dev: d(1.0),
        }, // a third truncated away
        InterArrival::Normal {
            mean: d(30.0),
            std_dev: d(2.0),
        },
        InterArrival::Lognormal {
            mean: d(1.0),
            std_dev: d(0.5),
        },
        InterArrival::Gamma {
            shape: 2.5,
            mean: d(15.0),
        },
        InterArrival::Weibull {
            shape: 0.7,
            scale: d(1.5),
        },
        InterArrival::Pareto {
            shape: 3.5,
            scale: d(5.0),
        },
    ];
    const N: usize = 200_000;
    for spec in cases {
        let theory = simulate::stats::theory(&spec);
        let sampler = Sampler::new(&spec);
        let mut rng = ChaCha12Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..N)
            .map(|_| sampler.sample(&mut rng) as f64 / 1e9)
            .collect();
        let mean = xs.iter().sum::<f64>() / N as f64;
        let std = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / N as f64).sqrt();
        let (m, s) = (theory.mean_s.unwrap(), theory.std_s.unwrap());
        let se = s / (N as f64).sqrt();
        assert!(
            (mean - m).abs() <= 4.0 * se + 1e-9,
            "{}: sample mean {mean} vs {m} (SE {se})",
            theory.name
        );
        if theory.name != "pareto" {
            assert!(
                (std - s).abs() <= 0.03 * s + 1e-9,
                "{}: sample std {std} vs {s}",
                theory.name
            );
        }
    }
    let heavy = simulate::stats::theory(&InterArrival::Pareto {
        shape: 1.8,
        scale: d(5.0),
    });
    assert_eq!((heavy.mean_s.is_some(), heavy.std_s), (true, None));
    let heavier = simulate::stats::theory(&InterArrival::Pareto {
        shape: 0.9,
        scale: d(5.0),
    });
    assert_eq!(heavier.mean_s, None);
}

/// The text form says the same as the JSON, for people.
#[test]
fn the_text_summary_reads_as_the_json() {
    let stats = json_of(&["stats", "scenarios/dirty.yaml", "--json", "--start", START]);
    let out = Test::new()
        .args(["stats", "scenarios/dirty.yaml", "--start", START])
        .status(0)
        .run();
    let text = String::from_utf8(out.stdout).unwrap();
    let f = &stats["faults"];
    let line = format!(
        "faults: late {}, duplicate {}, drop {}, malformed {}, held {};",
        f["late"], f["duplicate"], f["drop"], f["malformed"], f["held"]
    );
    assert!(text.contains(&line), "no `{line}` in:\n{text}");
    assert!(
        text.contains("peak over 1 s:") && text.contains("busiest:"),
        "{text}"
    );
    Test::new().args(["stats", "scenarios/nope.yaml"]).status(2);
}
