//! Rates that change over time: the time change is checked against a reference written
//! here from the definition (the factor at each instant, integrated on a grid), not from
//! the planner's code.
//!
//! - Time rescaling: for exponential gaps, the rescaled gaps Λ(tᵢ₊₁) − Λ(tᵢ) of a correct
//!   plan are independent Exp(1) draws whatever the profile (Brown et al., 2002). Each
//!   case draws ≥ 50,000 events and is judged by Kolmogorov–Smirnov at α = 0.001 against
//!   the formula 1 − e⁻ˣ. Power: the same test rejects the plan when the reference is off
//!   by 5 % on a third of the run (`a_wrong_reference_is_rejected`).
//! - Counts per 5-minute window against ∫λ, by χ² at α = 0.001 (critical value from the
//!   Wilson–Hilferty approximation).
//! - No event of a camera inside one of its outages; incident windows hold factor × the
//!   expected count; a step changes the rate exactly at its point.

use simulate::plan::Events;
use simulate::plan::windows::camera_windows;
use simulate::scenario::Scenario;

use crate::common::*;

/// The factor at time `t` (seconds) by the definition in the README: points joined by
/// lines (or steps), the first factor before the first point, the last after the last;
/// with a period, the profile wraps, running (or holding) from the last point to the
/// period, where the first factor takes over again.
#[derive(Debug, Clone)]
struct Reference {
    points: Vec<(f64, f64)>,
    step: bool,
    repeat: Option<f64>,
    /// (start, end, factor, entry) in seconds: windows that multiply the factor; windows
    /// of one entry that overlap count once.
    windows: Vec<(f64, f64, f64, usize)>,
}

impl Reference {
    fn flat() -> Self {
        Reference {
            points: vec![(0.0, 1.0)],
            step: false,
            repeat: None,
            windows: Vec::new(),
        }
    }

    fn profile(&self, t: f64) -> f64 {
        let p = &self.points;
        let u = match self.repeat {
            Some(period) => t - (t / period).floor() * period,
            None => t,
        };
        if u < p[0].0 {
            return p[0].1;
        }
        for w in p.windows(2) {
            let ((t0, f0), (t1, f1)) = (w[0], w[1]);
            if u >= t0 && u < t1 {
                return if self.step {
                    f0
                } else {
                    f0 + (f1 - f0) * (u - t0) / (t1 - t0)
                };
            }
        }
        let (tl, fl) = p[p.len() - 1];
        match self.repeat {
            Some(period) if !self.step && period > tl => {
                fl + (p[0].1 - fl) * (u - tl) / (period - tl)
            }
            _ => fl,
        }
    }

    fn factor(&self, t: f64) -> f64 {
        let mut entries: Vec<(usize, f64)> = self
            .windows
            .iter()
            .filter(|w| t >= w.0 && t < w.1)
            .map(|w| (w.3, w.2))
            .collect();
        entries.sort_by_key(|e| e.0);
        entries.dedup_by_key(|e| e.0);
        entries.iter().fold(self.profile(t), |f, e| f * e.1)
    }
}

/// Λ over `[0, end]`, integrated exactly: between consecutive breakpoints (the profile's
/// points in every period, the period's ends, the windows' edges) the factor is linear,
/// so each piece's area is its trapezoid.
struct Cumulative {
    reference: Reference,
    breaks: Vec<f64>,
    table: Vec<f64>,
}

impl Cumulative {
    fn new(reference: Reference, end: f64) -> Self {
        let mut breaks = vec![0.0, end];
        let periods = reference
            .repeat
            .map_or(1, |p| (end / p).ceil() as usize + 1);
        for k in 0..periods {
            let shift = reference.repeat.map_or(0.0, |p| k as f64 * p);
            breaks.extend(reference.points.iter().map(|p| p.0 + shift));
            if let Some(p) = reference.repeat {
                breaks.push(shift + p);
            }
        }
        breaks.extend(reference.windows.iter().flat_map(|w| [w.0, w.1]));
        breaks.retain(|&b| (0.0..=end).contains(&b));
        breaks.sort_by(f64::total_cmp);
        breaks.dedup();
        let mut table = vec![0.0];
        for w in breaks.windows(2) {
            let (a, b) = (w[0], w[1]);
            let area = (reference.factor(a) + reference.factor_left(b)) / 2.0 * (b - a);
            table.push(table[table.len() - 1] + area);
        }
        Cumulative {
            reference,
            breaks,
            table,
        }
    }

    fn at(&self, t: f64) -> f64 {
        let i = self.breaks.partition_point(|&b| b <= t).max(1) - 1;
        let a = self.breaks[i];
        self.table[i]
            + (self.reference.factor(a) + self.reference.factor_left(t.max(a))) / 2.0 * (t - a)
    }
}

impl Reference {
    /// The factor just before `t` (the left limit), for cells that end at a jump.
    fn factor_left(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return self.factor(0.0);
        }
        // The limit from the left: the factor a hair before t, extrapolated linearly.
        let e = 1e-6;
        let (f1, f2) = (self.factor(t - e), self.factor(t - 2.0 * e));
        2.0 * f1 - f2
    }
}

/// The windows of camera `camera` of stream 0, as the planner draws them, in seconds.
fn planned_windows(s: &Scenario, camera: u32) -> Vec<(f64, f64, f64, usize)> {
    camera_windows(s, 0, camera)
        .iter()
        .map(|w| (w.start as f64 / 1e9, w.end as f64 / 1e9, w.factor, w.entry))
        .collect()
}

/// Event times (seconds) of each camera of stream 0, in order.
fn times_by_camera(s: &Scenario) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::new(); s.streams[0].cameras.len()];
    for e in Events::new(s) {
        if e.stream == 0 {
            out[e.camera as usize].push(e.offset_ns as f64 / 1e9);
        }
    }
    out
}

/// The KS statistic of `xs` against Exp(1).
fn ks_exp1(xs: Vec<f64>) -> f64 {
    ks_statistic(xs, |x| 1.0 - (-x).exp())
}

/// The rescaled gaps of one camera's events, in units of the base mean `mean`.
fn rescaled(times: &[f64], lambda: &Cumulative, mean: f64) -> Vec<f64> {
    let mut previous = 0.0;
    times
        .iter()
        .map(|&t| {
            let l = lambda.at(t);
            let u = (l - previous) / mean;
            previous = l;
            u
        })
        .collect()
}

/// χ² of event counts in windows of `bin` seconds against the counts ∫λ expects.
fn chi_square_counts(
    times: &[f64],
    lambda: &Cumulative,
    mean: f64,
    end: f64,
    bin: f64,
) -> (f64, usize) {
    let bins = (end / bin).round() as usize;
    let mut observed = vec![0u64; bins];
    for &t in times {
        observed[((t / bin) as usize).min(bins - 1)] += 1;
    }
    let mut chi = 0.0;
    let mut used = 0;
    for (k, &o) in observed.iter().enumerate() {
        let e = (lambda.at((k + 1) as f64 * bin) - lambda.at(k as f64 * bin)) / mean;
        if e > 0.0 {
            chi += (o as f64 - e).powi(2) / e;
            used += 1;
        } else {
            assert_eq!(o, 0, "events in window {k}, where the rate is 0");
        }
    }
    (chi, used)
}

/// The χ² value exceeded with probability 0.001 for `df` degrees of freedom
/// (Wilson–Hilferty; within 1 % for df ≥ 30).
fn chi_square_critical(df: usize) -> f64 {
    let k = df as f64;
    let z = 3.090_232;
    k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
}

/// Plans `text` (a one-stream scenario of `end` seconds with exponential gaps of mean
/// `mean` seconds; `{seed}` in it is replaced) under three seeds and checks every
/// camera's events against `reference(camera)`: at least two of the three samples must
/// pass both tests at α = 0.001, as in the distribution tests (a correct plan fails this
/// with probability about 6·10⁻⁶).
fn check_time_change(
    name: &str,
    text: &str,
    mean: f64,
    end: f64,
    reference: impl Fn(&Scenario, u32) -> Reference,
) {
    let mut results = Vec::new();
    for seed in [1, 2, 3] {
        let s = scenario(&text.replace("{seed}", &seed.to_string()));
        let mut gaps = Vec::new();
        let mut chi = 0.0;
        let mut df = 0;
        for (camera, times) in times_by_camera(&s).iter().enumerate() {
            let lambda = Cumulative::new(reference(&s, camera as u32), end);
            gaps.extend(rescaled(times, &lambda, mean));
            let (c, used) = chi_square_counts(times, &lambda, mean, end, 300.0);
            chi += c;
            df += used;
        }
        let n = gaps.len();
        assert!(n >= 50_000, "{name}: only {n} events");
        let d = ks_exp1(gaps);
        let critical = 1.949 / (n as f64).sqrt();
        let passed = d < critical && chi < chi_square_critical(df);
        results.push((
            passed,
            format!(
                "seed {seed}: KS {d:.5} (critical {critical:.5}, {n} gaps), χ² {chi:.1} (critical {:.1}, {df} windows)",
                chi_square_critical(df)
            ),
        ));
    }
    let passed = results.iter().filter(|r| r.0).count();
    let lines: Vec<&str> = results.iter().map(|r| r.1.as_str()).collect();
    assert!(passed >= 2, "{name}:\n{}", lines.join("\n"));
}

const HOUR: f64 = 3600.0;

#[test]
fn a_linear_profile_rescales_to_exp1() {
    check_time_change(
        "linear",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 0s, factor: 0.2}, {at: 1h, factor: 2}, {at: 2h, factor: 0.5}]}\n",
        0.1,
        2.0 * HOUR,
        |_, _| Reference {
            points: vec![(0.0, 0.2), (HOUR, 2.0), (2.0 * HOUR, 0.5)],
            ..Reference::flat()
        },
    );
}

#[test]
fn a_step_profile_rescales_to_exp1() {
    check_time_change(
        "step",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 10m, factor: 0.2}, {at: 1h, factor: 2}, {at: 100m, factor: 0.5}], interpolate: step}\n",
        0.1,
        2.0 * HOUR,
        |_, _| Reference {
            points: vec![(600.0, 0.2), (HOUR, 2.0), (6000.0, 0.5)],
            step: true,
            ..Reference::flat()
        },
    );
}

#[test]
fn a_repeating_profile_rescales_to_exp1() {
    check_time_change(
        "repeat",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 5m, factor: 0.5}, {at: 10m, factor: 2}, {at: 20m, factor: 1}], repeat: 30m}\n",
        0.1,
        2.0 * HOUR,
        |_, _| Reference {
            points: vec![(300.0, 0.5), (600.0, 2.0), (1200.0, 1.0)],
            repeat: Some(1800.0),
            ..Reference::flat()
        },
    );
}

#[test]
fn incidents_rescale_to_exp1() {
    check_time_change(
        "incident",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1, 2]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 200ms}\n    rate: {points: [{at: 0s, factor: 0.5}, {at: 2h, factor: 1.5}]}\n    incidents:\n      - {at: 30m, duration: 20m, factor: 5, cameras: [2]}\n      - {at: 1h, duration: 10m, factor: 0.25}\n",
        0.2,
        2.0 * HOUR,
        |_, camera| {
            let mut windows = vec![(HOUR, HOUR + 600.0, 0.25, 1)];
            if camera == 1 {
                windows.push((1800.0, 3000.0, 5.0, 0));
            }
            Reference {
                points: vec![(0.0, 0.5), (2.0 * HOUR, 1.5)],
                windows,
                ..Reference::flat()
            }
        },
    );
}

#[test]
fn outages_rescale_to_exp1_and_hold_no_event() {
    // Fixed outages, and recurring ones each camera draws on its own: the windows of the
    // latter come from the planner's schedule (camera_windows), f is built here.
    let text = "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1, 2, 3]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 300ms}\n    rate: {points: [{at: 0s, factor: 2}, {at: 2h, factor: 0.5}]}\n    outages:\n      - {at: 40m, duration: 15m, cameras: [3]}\n      - {every: {distribution: exponential, mean: 20m}, duration: {distribution: uniform, min: 1m, max: 5m}}\n";
    let s = scenario(&text.replace("{seed}", "5"));
    let windows = |s: &Scenario, camera: u32| planned_windows(s, camera);
    for (camera, times) in times_by_camera(&s).iter().enumerate() {
        let out = windows(&s, camera as u32);
        assert!(out.len() >= 2, "camera {camera} has {} outages", out.len());
        for &t in times {
            assert!(
                !out.iter().any(|w| t >= w.0 && t < w.1),
                "camera {camera}: an event at {t} s inside an outage"
            );
        }
    }
    check_time_change("outage", text, 0.3, 2.0 * HOUR, |s, camera| Reference {
        points: vec![(0.0, 2.0), (2.0 * HOUR, 0.5)],
        windows: windows(s, camera),
        ..Reference::flat()
    });
}

/// The test has power: the same plan, judged against a profile 5 % off on its middle
/// third, is rejected.
#[test]
fn a_wrong_reference_is_rejected() {
    let s = scenario(
        "duration: 2h\nseed: 1\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 0s, factor: 0.2}, {at: 1h, factor: 2}, {at: 2h, factor: 0.5}]}\n",
    );
    let times = &times_by_camera(&s)[0];
    let wrong = Reference {
        points: vec![(0.0, 0.2), (HOUR, 2.0), (2.0 * HOUR, 0.5)],
        windows: vec![(2400.0, 4800.0, 1.05, 0)],
        ..Reference::flat()
    };
    let lambda = Cumulative::new(wrong, 2.0 * HOUR);
    let gaps = rescaled(times, &lambda, 0.1);
    let n = gaps.len();
    let d = ks_exp1(gaps);
    assert!(
        d > 1.949 / (n as f64).sqrt(),
        "KS {d:.5} did not reject a 5 % error over {n} gaps"
    );
    // And the counts: the window off by 5 % holds about 2,200 events too many for it.
    let (chi, df) = chi_square_counts(times, &lambda, 0.1, 2.0 * HOUR, 300.0);
    assert!(
        chi > chi_square_critical(df),
        "χ² {chi:.1} did not reject a 5 % error (critical {:.1})",
        chi_square_critical(df)
    );
}

#[test]
fn a_step_changes_the_rate_exactly_at_its_point() {
    // Constant gaps of 1 s at factor 1 until 10 s, then factor 2: gaps of 0.5 s.
    let s = scenario(
        "duration: 14s\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: constant, interval: 1s}\n    rate: {points: [{at: 0s, factor: 1}, {at: 10s, factor: 2}], interpolate: step}\n",
    );
    let offsets: Vec<u64> = Events::new(&s).map(|e| e.offset_ns).collect();
    let expected: Vec<u64> = (1..=10)
        .map(|k| k * 1_000_000_000)
        .chain((1..8).map(|k| 10_000_000_000 + k * 500_000_000))
        .collect();
    assert_eq!(offsets, expected);
}

#[test]
fn incident_windows_hold_factor_times_the_expected_count() {
    // 40 cameras at 1 event/s; an incident multiplies 10 of them by 8 for 5 minutes.
    let s = scenario(
        "duration: 20m\nseed: 9\nstreams:\n  - cameras: {count: 40}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1s}\n    incidents: [{at: 10m, duration: 5m, factor: 8, cameras: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}]\n",
    );
    let (mut inside_hit, mut inside_rest, mut outside) = (0f64, 0f64, 0f64);
    for e in Events::new(&s) {
        let t = e.offset_ns as f64 / 1e9;
        let in_window = (600.0..900.0).contains(&t);
        match (in_window, e.camera < 10) {
            (true, true) => inside_hit += 1.0,
            (true, false) => inside_rest += 1.0,
            (false, _) => outside += 1.0,
        }
    }
    // Expected counts, and a 5σ Poisson tolerance (a false failure about 1 in 1.7 million).
    for (what, observed, expected) in [
        (
            "incident cameras in the window",
            inside_hit,
            10.0 * 8.0 * 300.0,
        ),
        ("other cameras in the window", inside_rest, 30.0 * 300.0),
        ("all cameras outside it", outside, 40.0 * 900.0),
    ] {
        assert!(
            (observed - expected).abs() < 5.0 * expected.sqrt(),
            "{what}: {observed} events, {expected} expected"
        );
    }
}

#[test]
fn a_shared_stream_drops_the_events_of_cameras_that_are_out() {
    let base = "duration: 1h\nseed: 11\nstreams:\n  - name: lobby\n    cameras: [1000, 1001, 1002, 1003]\n    inter_arrival: {distribution: exponential, mean: 200ms}\n";
    let with_outages = format!(
        "{base}    outages:\n      - {{at: 10m, duration: 20m, cameras: [1001]}}\n      - {{every: {{distribution: exponential, mean: 5m}}, duration: 1m, cameras: 2}}\n"
    );
    let (plain, out) = (scenario(base), scenario(&with_outages));
    let plain_events: Vec<_> = Events::new(&plain).collect();
    let out_events: Vec<_> = Events::new(&out).collect();
    // Every event kept is an event of the plain plan, unchanged (same time, camera, id).
    let mut rest = plain_events.iter();
    for e in &out_events {
        assert!(rest.any(|p| p == e), "{e:?} is not in the plain plan");
    }
    // And an event is missing exactly when its camera was out.
    let windows: Vec<Vec<_>> = (0..4).map(|c| camera_windows(&out, 0, c)).collect();
    assert!(windows[1].iter().any(|w| w.start == 600_000_000_000));
    let dropped = plain_events.len() - out_events.len();
    let expected_dropped = plain_events
        .iter()
        .filter(|e| {
            windows[e.camera as usize]
                .iter()
                .any(|w| e.offset_ns >= w.start && e.offset_ns < w.end)
        })
        .count();
    assert_eq!(dropped, expected_dropped);
    assert!(dropped > 1_000, "{dropped} dropped");
}

#[test]
fn a_stream_without_a_profile_plans_what_it_planned_before() {
    // Another stream's profile, incidents and outages change nothing in this one.
    let plain = "duration: 10m\nseed: 4\nstreams:\n  - name: a\n    cameras: {count: 20}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1s}\n";
    let busy = format!(
        "{plain}  - name: b\n    cameras: {{count: 20}}\n    arrivals: per_camera\n    inter_arrival: {{distribution: exponential, mean: 1s}}\n    rate: {{points: [{{at: 0s, factor: 3}}]}}\n    incidents: [{{every: {{distribution: exponential, mean: 1m}}, duration: 30s, factor: 4, cameras: 5}}]\n    outages: [{{every: {{distribution: exponential, mean: 2m}}, duration: 10s}}]\n"
    );
    let a = |s: &Scenario| Events::new(s).filter(|e| e.stream == 0).collect::<Vec<_>>();
    assert_eq!(a(&scenario(plain)), a(&scenario(&busy)));
}

/// A generated rate profile, incidents and outages for a per-camera stream of six
/// cameras (0 … 5), as YAML.
#[derive(Debug, Clone)]
struct Shaping {
    points: Vec<(u64, f64)>,
    step: bool,
    repeat: bool,
    incidents: Vec<String>,
    outages: Vec<String>,
}

impl quickcheck::Arbitrary for Shaping {
    fn arbitrary(g: &mut quickcheck::Gen) -> Self {
        let n = 1 + usize::arbitrary(g) % 4;
        let mut at = 0u64;
        let points = (0..n)
            .map(|_| {
                at += u64::arbitrary(g) % 120;
                let p = (at, *g.choose(&[0.0, 0.5, 1.0, 2.0, 3.0]).unwrap());
                at += 1;
                p
            })
            .collect();
        let window = |g: &mut quickcheck::Gen, factor: bool| {
            let start = if bool::arbitrary(g) {
                format!("at: {}s", u64::arbitrary(g) % 600)
            } else {
                format!(
                    "every: {{distribution: exponential, mean: {}s}}",
                    30 + u64::arbitrary(g) % 200
                )
            };
            let length = if bool::arbitrary(g) {
                format!("{}s", 1 + u64::arbitrary(g) % 60)
            } else {
                "{distribution: uniform, min: 1s, max: 40s}".to_string()
            };
            let cameras = *g
                .choose(&["", ", cameras: [1, 4]", ", cameras: 2", ", cameras: [0]"])
                .unwrap();
            let factor = if factor {
                format!(", factor: {}", g.choose(&[0.5, 2.0, 4.0]).unwrap())
            } else {
                String::new()
            };
            format!("{{{start}, duration: {length}{factor}{cameras}}}")
        };
        let incidents = (0..usize::arbitrary(g) % 3)
            .map(|_| window(g, true))
            .collect();
        let outages = (0..usize::arbitrary(g) % 3)
            .map(|_| window(g, false))
            .collect();
        Shaping {
            points,
            step: bool::arbitrary(g),
            repeat: bool::arbitrary(g),
            incidents,
            outages,
        }
    }
}

impl Shaping {
    /// Stream `a` shaped so (with `extra` appended to its outages), and a plain stream `b`.
    fn yaml(&self, extra_outage: Option<&str>) -> String {
        let points: Vec<String> = self
            .points
            .iter()
            .map(|(at, f)| format!("{{at: {at}s, factor: {f}}}"))
            .collect();
        let last = self.points.last().map_or(0, |p| p.0);
        let mut profile = format!("{{points: [{}]", points.join(", "));
        if self.step {
            profile.push_str(", interpolate: step");
        }
        if self.repeat {
            profile.push_str(&format!(", repeat: {}s", last + 60));
        }
        profile.push('}');
        let mut outages = self.outages.clone();
        outages.extend(extra_outage.map(str::to_string));
        let all_zero = self.points.iter().all(|p| p.1 == 0.0);
        let rate = if all_zero {
            String::new()
        } else {
            format!("    rate: {profile}\n")
        };
        format!(
            "duration: 10m\nseed: 3\nstreams:\n  - name: a\n    cameras: {{count: 6}}\n    arrivals: per_camera\n    inter_arrival: {{distribution: exponential, mean: 1s}}\n{rate}    incidents: [{}]\n    outages: [{}]\n  - name: b\n    cameras: {{count: 3}}\n    arrivals: per_camera\n    inter_arrival: {{distribution: exponential, mean: 1s}}\n",
            self.incidents.join(", "),
            outages.join(", ")
        )
    }
}

#[test]
fn shaped_plans_are_deterministic_ordered_and_independent() {
    fn property(shaping: Shaping) -> quickcheck::TestResult {
        let text = shaping.yaml(None);
        let s = match try_scenario(&text) {
            Ok(s) => s,
            Err(e) => return quickcheck::TestResult::error(format!("{text}\n{e}")),
        };
        let events: Vec<_> = Events::new(&s).collect();
        let again: Vec<_> = Events::new(&try_scenario(&text).unwrap()).collect();
        let ordered = events.windows(2).all(|w| w[0] < w[1])
            && events.iter().all(|e| e.offset_ns < s.duration.0);
        // An outage added to camera 3 changes no other camera's events, nor stream b's.
        let more =
            try_scenario(&shaping.yaml(Some("{at: 100s, duration: 200s, cameras: [3]}"))).unwrap();
        let others = |s: &Scenario| {
            Events::new(s)
                .filter(|e| e.stream == 1 || e.camera != 3)
                .collect::<Vec<_>>()
        };
        let independent = others(&s) == others(&more);
        // And camera 3 sends nothing during it.
        let silent = Events::new(&more)
            .filter(|e| e.stream == 0 && e.camera == 3)
            .all(|e| !(100_000_000_000..300_000_000_000).contains(&e.offset_ns));
        quickcheck::TestResult::from_bool(events == again && ordered && independent && silent)
    }
    quickcheck::QuickCheck::new()
        .tests(100)
        .quickcheck(property as fn(Shaping) -> quickcheck::TestResult);
}

#[test]
fn more_profiles_rescale_to_exp1() {
    // A repeating step profile with a silent point and the period on the last point.
    check_time_change(
        "repeating step",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 0s, factor: 0}, {at: 5m, factor: 2}, {at: 20m, factor: 0.5}, {at: 30m, factor: 1}], interpolate: step, repeat: 30m}\n",
        0.1,
        2.0 * HOUR,
        |_, _| Reference {
            points: vec![(0.0, 0.0), (300.0, 2.0), (1200.0, 0.5), (1800.0, 1.0)],
            step: true,
            repeat: Some(1800.0),
            ..Reference::flat()
        },
    );
    // A line falling to 0 and rising again.
    check_time_change(
        "down to zero",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 0s, factor: 2}, {at: 40m, factor: 0}, {at: 1h, factor: 0}, {at: 2h, factor: 3}]}\n",
        0.1,
        2.0 * HOUR,
        |_, _| Reference {
            points: vec![(0.0, 2.0), (2400.0, 0.0), (HOUR, 0.0), (2.0 * HOUR, 3.0)],
            ..Reference::flat()
        },
    );
    // A shared stream: one process for all cameras, the whole stream shaped.
    check_time_change(
        "shared",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 100ms}\n    rate: {points: [{at: 0s, factor: 0.5}, {at: 1h, factor: 2}], repeat: 90m}\n    incidents: [{at: 10m, duration: 10m, factor: 3}]\n",
        0.1,
        2.0 * HOUR,
        |_, _| Reference {
            points: vec![(0.0, 0.5), (HOUR, 2.0)],
            repeat: Some(5400.0),
            windows: vec![(600.0, 1200.0, 3.0, 0)],
            ..Reference::flat()
        },
    );
}

#[test]
fn overlapping_windows_of_one_incident_merge() {
    // Windows every 2 minutes on average that last 10: they overlap most of the time, and
    // a camera inside three of them at once still has its rate multiplied by 3, not 27.
    check_time_change(
        "overlapping incidents",
        "duration: 2h\nseed: {seed}\nstreams:\n  - cameras: [1, 2]\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 300ms}\n    incidents: [{every: {distribution: exponential, mean: 2m}, duration: 10m, factor: 3}]\n",
        0.3,
        2.0 * HOUR,
        |s, camera| Reference {
            windows: planned_windows(s, camera),
            ..Reference::flat()
        },
    );
}

#[test]
fn windows_are_drawn_as_written() {
    // Recurring windows: gaps between starts follow `every`, lengths follow `duration`
    // (KS against the formulas), and each window takes exactly `cameras` cameras, each
    // camera equally often (χ²).
    let s = scenario(
        "duration: 2000h\nseed: 8\nstreams:\n  - cameras: {count: 10}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1h}\n    incidents: [{every: {distribution: exponential, mean: 20m}, duration: {distribution: uniform, min: 1m, max: 5m}, factor: 2, cameras: 3}]\n",
    );
    let mut by_start: std::collections::BTreeMap<u64, (u64, u32)> = Default::default();
    let mut sets: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
    let mut per_camera = Vec::new();
    for camera in 0..10 {
        let windows = camera_windows(&s, 0, camera);
        per_camera.push(windows.len() as u64);
        for w in windows {
            let entry = by_start.entry(w.start).or_insert((w.end, 0));
            assert_eq!(entry.0, w.end, "one window, two ends");
            entry.1 += 1;
            sets.entry(w.start).or_default().push(camera);
        }
    }
    assert!(
        by_start.values().all(|w| w.1 == 3),
        "a window did not take exactly 3 cameras"
    );
    let starts: Vec<f64> = by_start.keys().map(|&t| t as f64 / 60e9).collect();
    let n = starts.len();
    assert!(n > 5_000, "{n} windows");
    let gaps: Vec<f64> = std::iter::once(starts[0])
        .chain(starts.windows(2).map(|w| w[1] - w[0]))
        .map(|g| g / 20.0)
        .collect();
    let critical = 1.949 / (n as f64).sqrt();
    let d = ks_exp1(gaps);
    assert!(
        d < critical,
        "gaps between window starts: KS {d:.5} ≥ {critical:.5}"
    );
    let mut lengths: Vec<f64> = by_start
        .iter()
        .map(|(&start, &(end, _))| (end - start) as f64 / 60e9)
        .collect();
    lengths.sort_by(f64::total_cmp);
    let ln = lengths.len() as f64;
    let d = lengths
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = ((x - 1.0) / 4.0).clamp(0.0, 1.0);
            (f - i as f64 / ln)
                .abs()
                .max((f - (i + 1) as f64 / ln).abs())
        })
        .fold(0.0, f64::max);
    assert!(d < critical, "window lengths: KS {d:.5} ≥ {critical:.5}");
    // Each camera in 3 of 10 windows on average: χ² over the 10 cameras, df 9,
    // critical 27.88 at α = 0.001.
    let expected = n as f64 * 0.3;
    let chi: f64 = per_camera
        .iter()
        .map(|&o| (o as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi < 27.88, "camera draws χ² {chi:.1}: {per_camera:?}");
    // And pairs of cameras drawn together as often as a uniform draw of 3 of 10 puts
    // them together (6/90 of the windows): χ² over the 45 pairs, df 44.
    let mut together = [[0u64; 10]; 10];
    for set in sets.values() {
        for &a in set {
            for &b in set.iter().filter(|&&b| b > a) {
                together[a as usize][b as usize] += 1;
            }
        }
    }
    let expected = n as f64 * 6.0 / 90.0;
    let chi: f64 = (0..10)
        .flat_map(|a| (a + 1..10).map(move |b| (a, b)))
        .map(|(a, b)| (together[a][b] as f64 - expected).powi(2) / expected)
        .sum();
    assert!(
        chi < chi_square_critical(44),
        "pairs drawn together: χ² {chi:.1}, critical {:.1}",
        chi_square_critical(44)
    );
}

#[test]
fn an_event_due_where_an_outage_starts_waits_for_its_end() {
    // Constant gaps of 1 s put an event exactly at 10 s, where the outage starts.
    let s = scenario(
        "duration: 20s\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: constant, interval: 1s}\n    outages: [{at: 10s, duration: 5s}]\n",
    );
    let offsets: Vec<u64> = Events::new(&s).map(|e| e.offset_ns).collect();
    assert!(
        !offsets
            .iter()
            .any(|&t| (10_000_000_000..15_000_000_000).contains(&t)),
        "{offsets:?}"
    );
    // The event that fell on 10 s is sent when the camera is back, the next ones follow.
    assert_eq!(
        &offsets[9..12],
        &[15_000_000_000, 16_000_000_000, 17_000_000_000]
    );
}

#[test]
fn first_events_at_the_start_wait_for_a_positive_rate() {
    let s = scenario(
        "duration: 1h\nstreams:\n  - name: out\n    cameras: [1, 2]\n    arrivals: per_camera\n    first_event: at_start\n    inter_arrival: {distribution: constant, interval: 10m}\n    outages: [{at: 0s, duration: 15m, cameras: [2]}]\n  - name: silent\n    cameras: [3]\n    arrivals: per_camera\n    first_event: at_start\n    inter_arrival: {distribution: constant, interval: 10m}\n    rate: {points: [{at: 0s, factor: 0}, {at: 20m, factor: 1}], interpolate: step}\n",
    );
    let first = |stream: u32, camera: u32| {
        Events::new(&s)
            .find(|e| e.stream == stream && e.camera == camera)
            .map(|e| e.offset_ns)
    };
    assert_eq!(first(0, 0), Some(0));
    assert_eq!(first(0, 1), Some(15 * 60_000_000_000));
    assert_eq!(first(1, 0), Some(20 * 60_000_000_000));
}

#[test]
fn years_long_plans_stay_exact() {
    // Two years: past 2⁵³ ns, where an f64 of nanoseconds would round. A shared stream
    // with a listed outage keeps every other event exactly where the plain plan has it,
    // and a step profile's constant gaps stay exact to the nanosecond.
    let base = "duration: 17520h\nseed: 2\nstreams:\n  - name: lobby\n    cameras: [1000, 1001]\n    inter_arrival: {distribution: exponential, mean: 6h}\n";
    let with_outage = format!("{base}    outages: [{{at: 1h, duration: 1m, cameras: [1001]}}]\n");
    let plain: Vec<_> = Events::new(&scenario(base)).collect();
    let out: Vec<_> = Events::new(&scenario(&with_outage)).collect();
    let late = out.iter().filter(|e| e.offset_ns > 1 << 53).count();
    assert!(late > 1_000, "{late} events past 2⁵³ ns");
    let mut rest = plain.iter();
    assert!(out.iter().all(|e| rest.any(|p| p == e)));
    let stepped = scenario(
        "duration: 17520h\nstreams:\n  - cameras: [1]\n    arrivals: per_camera\n    inter_arrival: {distribution: constant, interval: 1h}\n    rate: {points: [{at: 0s, factor: 1}, {at: 1h, factor: 2}], interpolate: step, repeat: 24h}\n",
    );
    let offsets: Vec<u64> = Events::new(&stepped).map(|e| e.offset_ns).collect();
    // Each day: an event at 1 h (factor 1 until then), then every 30 minutes up to 24 h,
    // the next day's 0 h: 47 a day, the last of the last day falling on the end.
    assert_eq!(offsets.len(), 730 * 47 - 1);
    let hour = 3_600_000_000_000u64;
    for (i, &t) in offsets.iter().enumerate() {
        let (day, k) = ((i / 47) as u64, (i % 47) as u64);
        let expected = day * 24 * hour + if k == 0 { hour } else { hour + k * hour / 2 };
        assert_eq!(t, expected, "event {i}");
    }
}
