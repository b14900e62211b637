//! Property tests (quickcheck) over generated scenarios: valid ones give a time-ordered,
//! bounded, deterministic plan with plausible counts, equal to every process's events
//! sorted, whatever the merge's window size; reordering named streams does not change
//! any stream's events; arbitrary or mutated text never panics the loader or the planner.

use std::collections::BTreeMap;

use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};
use simulate::plan::merge::BatchSize;
use simulate::plan::process;
use simulate::plan::{Event, Events};
use simulate::scenario::Scenario;
use simulate::sink::stdout::Format;

use crate::common::*;

#[derive(Debug, Clone)]
struct GenStream {
    name: String,
    cameras: Vec<String>,
    per_camera: bool,
    pick: &'static str,
    first_at_start: bool,
    gap: String,
    /// For constant gaps, the interval in ms (exact counts can be checked).
    constant_ms: Option<u64>,
    /// For exponential gaps, the mean in ms (Poisson counts can be bounded).
    exponential_ms: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct GenScenario {
    seed: u64,
    duration_ms: u64,
    streams: Vec<GenStream>,
}

fn between(g: &mut Gen, lo: u64, hi: u64) -> u64 {
    lo + u64::arbitrary(g) % (hi - lo + 1)
}

impl Arbitrary for GenStream {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = between(g, 1, 5) as usize;
        let strings = bool::arbitrary(g);
        let cameras = (0..n)
            .map(|i| {
                if strings {
                    format!("\"cam-{i}\"")
                } else {
                    (1000 + i).to_string()
                }
            })
            .collect();
        let per_camera = bool::arbitrary(g);
        let (mut constant_ms, mut exponential_ms) = (None, None);
        let gap = match between(g, 0, 7) {
            0 => {
                let ms = between(g, 5, 500);
                constant_ms = Some(ms);
                format!("{{distribution: constant, interval: {ms}ms}}")
            }
            1 => {
                let lo = between(g, 1, 200);
                format!(
                    "{{distribution: uniform, min: {lo}ms, max: {}ms}}",
                    lo + between(g, 0, 300)
                )
            }
            2 => {
                let ms = between(g, 5, 500);
                exponential_ms = Some(ms);
                format!("{{distribution: exponential, mean: {ms}ms}}")
            }
            3 => format!(
                "{{distribution: normal, mean: {}ms, std_dev: {}ms}}",
                between(g, 5, 300),
                between(g, 0, 300)
            ),
            4 => format!(
                "{{distribution: lognormal, mean: {}ms, std_dev: {}ms}}",
                between(g, 5, 300),
                between(g, 0, 600)
            ),
            5 => format!(
                "{{distribution: gamma, shape: {}, mean: {}ms}}",
                between(g, 1, 40) as f64 / 10.0,
                between(g, 5, 300)
            ),
            6 => format!(
                "{{distribution: weibull, shape: {}, scale: {}ms}}",
                between(g, 3, 40) as f64 / 10.0,
                between(g, 5, 300)
            ),
            _ => format!(
                "{{distribution: pareto, shape: {}, scale: {}ms}}",
                between(g, 11, 40) as f64 / 10.0,
                between(g, 5, 200)
            ),
        };
        GenStream {
            name: String::new(),
            cameras,
            per_camera,
            pick: g
                .choose(&["uniform", "round_robin", "{weights: [1]}"])
                .unwrap(),
            first_at_start: bool::arbitrary(g),
            gap,
            constant_ms,
            exponential_ms,
        }
    }
}

impl Arbitrary for GenScenario {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = between(g, 1, 4) as usize;
        let streams = (0..n)
            .map(|i| GenStream {
                name: format!("s{i}"),
                ..GenStream::arbitrary(g)
            })
            .collect();
        GenScenario {
            seed: u64::arbitrary(g),
            duration_ms: between(g, 1, 20_000),
            streams,
        }
    }
}

impl GenScenario {
    pub(crate) fn yaml(&self) -> String {
        let mut out = format!(
            "seed: {}\nduration: {}ms\nstart: {START}\nstreams:\n",
            self.seed, self.duration_ms
        );
        for s in &self.streams {
            out += &format!(
                "  - name: {}\n    cameras: [{}]\n",
                s.name,
                s.cameras.join(", ")
            );
            if s.per_camera {
                out += "    arrivals: per_camera\n";
            } else {
                let pick = if s.pick.starts_with("{weights") {
                    let w: Vec<String> = (1..=s.cameras.len()).map(|i| i.to_string()).collect();
                    format!("{{weights: [{}]}}", w.join(", "))
                } else {
                    s.pick.to_string()
                };
                out += &format!("    pick: {pick}\n");
            }
            if s.first_at_start {
                out += "    first_event: at_start\n";
            }
            out += &format!("    inter_arrival: {}\n", s.gap);
        }
        out
    }
}

fn check(tests: u64, property: fn(GenScenario) -> TestResult) {
    QuickCheck::new()
        .tests(tests)
        .quickcheck(property as fn(GenScenario) -> TestResult);
}

/// Events per stream name: (offset, camera id, event id).
fn per_stream(s: &Scenario) -> BTreeMap<String, Vec<(u64, String, String)>> {
    let mut renderer = simulate::render::Renderer::new(s, start());
    let mut out: BTreeMap<String, Vec<(u64, String, String)>> = BTreeMap::new();
    for e in Events::new(s) {
        let id = String::from_utf8(renderer.event_id(&e).to_vec()).unwrap();
        out.entry(s.streams[e.stream as usize].name.clone())
            .or_default()
            .push((e.offset_ns, renderer.camera(&e).to_string(), id));
    }
    out
}

#[test]
fn plans_are_ordered_bounded_and_deterministic() {
    fn property(g: GenScenario) -> TestResult {
        let text = g.yaml();
        let s = match try_scenario(&text) {
            Ok(s) => s,
            Err(e) => {
                return TestResult::error(format!("generated scenario rejected:\n{text}\n{e}"));
            }
        };
        let events: Vec<_> = Events::new(&s).collect();
        let ordered = events
            .windows(2)
            .all(|w| w[0] < w[1] && w[0].offset_ns <= w[1].offset_ns);
        let bounded = events.iter().all(|e| e.offset_ns < s.duration.0);
        let same = render(&s, Format::Plan) == render(&try_scenario(&text).unwrap(), Format::Plan);
        TestResult::from_bool(ordered && bounded && same)
    }
    check(150, property);
}

/// The plan by its definition: each process run on its own to the end, and all the
/// events sorted by (offset, stream, camera).
fn reference_plan(s: &Scenario) -> Vec<Event> {
    let mut events = Vec::new();
    for mut process in process::processes(s) {
        let mut next = process.first();
        while let Some(event) = next {
            events.push(event);
            next = process.after(event.offset_ns);
        }
    }
    events.sort_by_key(|e| (e.offset_ns, e.stream, e.camera));
    events
}

/// Windows from one event (every window cut short) to the default.
const WINDOWS: [BatchSize; 4] = [
    BatchSize { target: 1, cap: 1 },
    BatchSize { target: 2, cap: 3 },
    BatchSize {
        target: 50,
        cap: 64,
    },
    BatchSize {
        target: 4_096,
        cap: 16_384,
    },
];

#[test]
fn plans_equal_the_sorted_events_of_their_processes_for_any_window() {
    fn property(g: GenScenario) -> TestResult {
        let s = try_scenario(&g.yaml()).unwrap();
        let expected = reference_plan(&s);
        let default = Events::new(&s).collect::<Vec<_>>() == expected;
        let windows = WINDOWS
            .iter()
            .all(|&w| Events::with_batches(&s, w).collect::<Vec<_>>() == expected);
        TestResult::from_bool(default && windows)
    }
    check(100, property);
}

/// Hundreds of processes due at the same instants (constant gaps, first event at the
/// start) fill windows of every size exactly to their cap: ties and carried events.
#[test]
fn simultaneous_events_across_many_processes_merge_in_order() {
    let s = scenario(
        "duration: 2s\nstreams:\n  - name: grid\n    cameras: {count: 300}\n    arrivals: per_camera\n    first_event: at_start\n    inter_arrival: {distribution: constant, interval: 100ms}\n  - name: burst\n    cameras: {count: 40}\n    arrivals: per_camera\n    inter_arrival: {distribution: uniform, min: 1ms, max: 3ms}\n  - name: shared\n    cameras: [1, 2, 3]\n    first_event: at_start\n    inter_arrival: {distribution: constant, interval: 50ms}\n",
    );
    let expected = reference_plan(&s);
    // 300 grid cameras and the shared stream all start at 0, and meet every 100 ms.
    assert_eq!(expected.iter().filter(|e| e.offset_ns == 0).count(), 301);
    assert_eq!(expected.iter().filter(|e| e.stream == 0).count(), 300 * 20);
    for window in WINDOWS.into_iter().chain([BatchSize {
        target: 300,
        cap: 299,
    }]) {
        let events: Vec<_> = Events::with_batches(&s, window).collect();
        assert_eq!(events.len(), expected.len(), "{window:?}");
        assert!(
            events == expected,
            "{window:?}: the plan differs from its definition"
        );
    }
}

#[test]
fn counts_per_camera_are_plausible() {
    fn property(g: GenScenario) -> TestResult {
        let s = try_scenario(&g.yaml()).unwrap();
        let d = g.duration_ms * 1_000_000;
        let mut counts: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        let mut per_stream: BTreeMap<u32, u64> = BTreeMap::new();
        for e in Events::new(&s) {
            *counts.entry((e.stream, e.camera)).or_default() += 1;
            *per_stream.entry(e.stream).or_default() += 1;
        }
        for (i, gs) in g.streams.iter().enumerate() {
            let i = i as u32;
            // One process per camera, or one for the stream.
            let processes: Vec<u64> = if gs.per_camera {
                (0..gs.cameras.len() as u32)
                    .map(|c| counts.get(&(i, c)).copied().unwrap_or(0))
                    .collect()
            } else {
                vec![per_stream.get(&i).copied().unwrap_or(0)]
            };
            for n in processes {
                if let Some(ms) = gs.constant_ms {
                    let iv = ms * 1_000_000;
                    // Offsets k·iv (at start) or (k+1)·iv (after a gap) below the duration.
                    let expected = if gs.first_at_start {
                        d.div_ceil(iv)
                    } else {
                        (d - 1) / iv
                    };
                    if n != expected {
                        return TestResult::error(format!(
                            "stream {i}: {n} events, expected {expected}"
                        ));
                    }
                }
                if let Some(ms) = gs.exponential_ms {
                    let lambda = g.duration_ms as f64 / ms as f64;
                    let slack = 8.0 * lambda.sqrt() + 8.0;
                    if (n as f64 - lambda).abs() > slack {
                        return TestResult::error(format!(
                            "stream {i}: {n} Poisson events, mean {lambda:.1}"
                        ));
                    }
                }
            }
        }
        TestResult::passed()
    }
    check(150, property);
}

#[test]
fn reordering_named_streams_keeps_every_streams_events() {
    fn property(g: GenScenario) -> TestResult {
        if g.streams.len() < 2 {
            return TestResult::discard();
        }
        let mut reversed = g.clone();
        reversed.streams.reverse();
        let a = per_stream(&try_scenario(&g.yaml()).unwrap());
        let b = per_stream(&try_scenario(&reversed.yaml()).unwrap());
        TestResult::from_bool(a == b)
    }
    check(100, property);
}

#[test]
fn arbitrary_text_never_panics() {
    fn property(text: String) -> bool {
        if let Ok(s) = try_scenario(&text) {
            Events::new(&s).take(1000).for_each(drop);
        }
        true
    }
    QuickCheck::new()
        .tests(2000)
        .quickcheck(property as fn(String) -> bool);
}

#[test]
fn mutated_scenarios_never_panic() {
    fn property(g: GenScenario, edits: Vec<(u16, u8, u8)>) -> bool {
        let mut bytes = g.yaml().into_bytes();
        for (at, op, byte) in edits.into_iter().take(8) {
            if bytes.is_empty() {
                break;
            }
            let at = at as usize % bytes.len();
            let byte =
                b" -:[]{},#&*!|>'\"\n0123456789.abcdefghijklmnopqrstuvwxyz"[byte as usize % 54];
            match op % 3 {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                _ => {
                    bytes.remove(at);
                }
            }
        }
        if let Ok(text) = String::from_utf8(bytes) {
            if let Ok(s) = try_scenario(&text) {
                Events::new(&s).take(1000).for_each(drop);
            }
        }
        true
    }
    QuickCheck::new()
        .tests(1000)
        .quickcheck(property as fn(GenScenario, Vec<(u16, u8, u8)>) -> bool);
}
