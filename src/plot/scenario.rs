//! The image of a scenario's plan: events per second over time per stream beside the
//! rate its profile expects (bins wide enough to hold several expected events), for
//! entity streams whose cameras have zones the occupancy of each zone over time, each
//! stream's gaps against its distribution's density, and one bar per camera.

use super::chart::{self, Body, Mark, Panel, Stroke, WIDTH};
use crate::plan::Events;
use crate::plan::rate::Profile;
use crate::scenario::Scenario;
use crate::stats;
use crate::truth::{InView, zone_occupancy};

/// Bins of each gap histogram.
const GAP_BINS: usize = 40;

/// Gap panels in a row at most.
const GAPS_PER_ROW: usize = 3;

/// Expected events a rate bin holds at least (in the slowest stream), so that a steady
/// stream looks steady.
const EVENTS_PER_BIN: f64 = 10.0;

/// Rate bins: at least this many over the plan (even if a bin then holds fewer expected
/// events), and as fine as this many allow.
const MIN_BINS: u64 = 8;
const MAX_BINS: u64 = 240;

/// Cameras drawn at most: the busiest, when there are more.
const MAX_CAMERAS: usize = 60;

/// Occupancy samples over the plan at most: the step is the finest round width
/// ([`ROUND_BINS_S`]) that gives no more.
const OCCUPANCY_SAMPLES: u64 = 400;

/// The occupancy panel's title.
const OCCUPANCY: &str = "occupancy: entities in view of each zone's cameras";

/// Bin widths a rate panel chooses from, in seconds.
const ROUND_BINS_S: [f64; 27] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0,
    120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0, 43200.0, 86400.0,
];

/// The plan of `scenario` as panels placed in an image, and the image's height.
pub(super) fn panels(scenario: &Scenario) -> (Vec<String>, f64) {
    let summary = stats::compute(scenario);
    let counts = Counted::of(scenario, &summary);
    let rate_h = 300.0;
    let mut panels = vec![rate_panel(scenario, &summary, &counts, rate_h)];
    let mut top = rate_h;
    if let Some((occupancy, height)) = occupancy_panel(scenario, top) {
        panels.push(occupancy);
        top += height;
    }
    let (gaps, gaps_h) = gap_panels(scenario, &summary, &counts, top);
    panels.extend(gaps);
    let (cameras, camera_h) = camera_panel(scenario, &counts, top + gaps_h);
    panels.push(cameras);
    (panels, top + gaps_h + camera_h)
}

/// The width of a rate bin for `scenario`, in ns: a round width in which the slowest
/// stream expects [`EVENTS_PER_BIN`] events, with [`MIN_BINS`] to [`MAX_BINS`] bins.
pub(super) fn rate_bin_ns(scenario: &Scenario, summary: &stats::Stats) -> u64 {
    let duration_s = scenario.duration.0.max(1) as f64 / 1e9;
    let slowest = summary
        .streams
        .iter()
        .filter_map(|s| Some(s.processes as f64 / s.distribution.mean_s?))
        .filter(|r| *r > 0.0 && r.is_finite())
        .fold(f64::INFINITY, f64::min);
    let want = (EVENTS_PER_BIN / slowest).max(duration_s / MAX_BINS as f64);
    let coarsest = duration_s / MIN_BINS as f64;
    let round = ROUND_BINS_S.iter().copied();
    let bin_s = match round.clone().find(|b| *b >= want * (1.0 - 1e-9)) {
        Some(b) if b <= coarsest => b,
        _ => round.rev().find(|b| *b <= coarsest).unwrap_or(coarsest),
    };
    ((bin_s * 1e9).round() as u64).max(1)
}

/// A duration of `s` seconds as a reader says it: `500 ms`, `5 s`, `15 min`, `2 h`.
fn spoken(s: f64) -> String {
    let (value, unit) = if s < 1.0 {
        (s * 1e3, "ms")
    } else if s < 60.0 {
        (s, "s")
    } else if s < 3600.0 {
        (s / 60.0, "min")
    } else {
        (s / 3600.0, "h")
    };
    format!("{} {unit}", (value * 1000.0).round() / 1000.0)
}

/// A time axis's unit for a run of `ns`: hours, minutes or seconds.
fn time_unit(ns: u64) -> (&'static str, f64) {
    if ns >= 3 * 3_600_000_000_000 {
        ("h", 3_600e9)
    } else if ns >= 3 * 60_000_000_000 {
        ("min", 60e9)
    } else {
        ("s", 1e9)
    }
}

/// What one pass over a scenario's plan counts for its image.
struct Counted {
    /// The width of a rate bin, and how many there are.
    bin_ns: u64,
    bins: usize,
    /// Events per stream per rate bin.
    per_bin: Vec<Vec<u64>>,
    /// Events per stream per camera.
    per_camera: Vec<Vec<u64>>,
    /// Each stream's gap histogram covers [0, top] seconds.
    tops: Vec<f64>,
    /// Gaps per stream per histogram bin.
    gaps: Vec<Vec<u64>>,
}

impl Counted {
    fn of(scenario: &Scenario, summary: &stats::Stats) -> Counted {
        let streams = &scenario.streams;
        let duration = scenario.duration.0.max(1);
        let bin_ns = rate_bin_ns(scenario, summary);
        let bins = duration.div_ceil(bin_ns) as usize;
        let mut per_bin = vec![vec![0u64; bins]; streams.len()];
        let mut per_camera: Vec<Vec<u64>> =
            streams.iter().map(|s| vec![0; s.cameras.len()]).collect();
        // Each stream's gap histogram covers [0, top]: the mean plus five standard
        // deviations of its distribution, or the longest gap if that is shorter.
        let tops: Vec<f64> = summary
            .streams
            .iter()
            .map(|s| {
                let longest = s.gaps.max_s.max(1e-9);
                match (s.distribution.mean_s, s.distribution.std_s) {
                    (Some(m), Some(sd)) if sd > 0.0 => (m + 5.0 * sd).min(longest),
                    (Some(m), _) => longest.max(2.0 * m),
                    _ => longest,
                }
            })
            .collect();
        let mut gaps = vec![vec![0u64; GAP_BINS]; streams.len()];
        let mut previous = stats::Previous::new(scenario);
        for event in Events::new(scenario) {
            let (s, c) = (event.stream as usize, event.camera as usize);
            let bin = ((event.offset_ns / bin_ns) as usize).min(bins - 1);
            per_bin[s][bin] += 1;
            per_camera[s][c] += 1;
            if let Some(gap) = previous.gap(&event) {
                let gap = gap as f64 / 1e9;
                let bin = (gap / tops[s] * GAP_BINS as f64) as usize;
                if bin < GAP_BINS {
                    gaps[s][bin] += 1;
                }
            }
        }
        Counted {
            bin_ns,
            bins,
            per_bin,
            per_camera,
            tops,
            gaps,
        }
    }
}

/// Events per second over time per stream (each bin's mean, drawn as a step), beside the
/// rate expected, with incidents and outages shaded.
fn rate_panel(
    scenario: &Scenario,
    summary: &stats::Stats,
    counts: &Counted,
    height: f64,
) -> String {
    let duration = scenario.duration.0.max(1);
    let (bin_ns, bins) = (counts.bin_ns, counts.bins);
    let (unit, unit_ns) = time_unit(duration);
    // Each stream's planned line, then its expected one, so that the legend pairs them.
    let mut lines = Vec::new();
    for (s, stream) in scenario.streams.iter().enumerate() {
        let mut steps = Vec::with_capacity(2 * bins);
        for (b, &n) in counts.per_bin[s].iter().enumerate() {
            // The last bin may be cut short by the end of the plan.
            let (from, to) = (b as u64 * bin_ns, ((b as u64 + 1) * bin_ns).min(duration));
            let rate = n as f64 / ((to - from) as f64 / 1e9);
            steps.extend([[from as f64 / unit_ns, rate], [to as f64 / unit_ns, rate]]);
        }
        lines.push(Mark::Line {
            name: format!("{}, planned", stream.name),
            points: steps,
            colour: s,
            stroke: Stroke::Solid,
        });
        // A replay's planned line is its recording: nothing else is expected.
        let replayed = matches!(stream.arrivals, crate::scenario::StreamArrivals::Replay(_));
        if let (Some(mean), false) = (summary.streams[s].distribution.mean_s, replayed) {
            let profile = stream
                .modulation
                .as_ref()
                .and_then(|m| m.rate.as_ref())
                .map(Profile::new);
            let processes = summary.streams[s].processes as f64;
            let rate =
                |t: u64| processes / mean * profile.as_ref().map_or(1.0, |p| p.piece(t).value);
            // Finer than the bins, so that the profile's shape shows.
            let points = 480u64;
            lines.push(Mark::Line {
                name: format!("{}, expected", stream.name),
                points: (0..=points)
                    .map(|i| {
                        let t = (duration as u128 * i as u128 / points as u128) as u64;
                        [t as f64 / unit_ns, rate(t.min(duration - 1))]
                    })
                    .collect(),
                colour: s,
                stroke: Stroke::Dashed,
            });
        }
    }
    let mut marks = Vec::new();
    for (outage, name, fill) in [
        (false, "incidents", "#E69F00"),
        (true, "outages", "#777777"),
    ] {
        let mut spans = Vec::new();
        for s in 0..scenario.streams.len() {
            for (start, end, _) in crate::plan::windows::stream_windows(scenario, s)
                .into_iter()
                .filter(|w| w.2 == outage)
            {
                spans.push((start as f64 / unit_ns, end as f64 / unit_ns));
            }
        }
        if !spans.is_empty() {
            marks.push(Mark::Spans {
                name: name.to_string(),
                spans,
                fill,
            });
        }
    }
    marks.extend(lines);
    chart::draw(
        &Panel {
            title: format!("{}: events per second over time", scenario.name),
            x_label: format!(
                "time since the start ({unit}); each bin {}",
                spoken(bin_ns as f64 / 1e9)
            ),
            y_label: "events/s".to_string(),
            at: [0.0, 0.0],
            size: [WIDTH, height],
        },
        &Body::Axes {
            marks,
            x: Some((0.0, duration as f64 / unit_ns)),
        },
    )
}

/// The step between occupancy samples over a plan of `duration` ns: the finest round
/// width that takes at most [`OCCUPANCY_SAMPLES`] samples.
fn occupancy_step_ns(duration: u64) -> u64 {
    let want = duration as f64 / 1e9 / OCCUPANCY_SAMPLES as f64;
    let step_s = ROUND_BINS_S
        .iter()
        .copied()
        .find(|b| *b >= want * (1.0 - 1e-9))
        .unwrap_or(want);
    ((step_s * 1e9).round() as u64).max(1)
}

/// Per zone of each entity stream whose cameras have zones, the entities in view of the
/// zone's cameras at the start of each step of `step_ns`, held to the next (a step
/// line; x in units of `unit_ns`); named by zone, or by stream and zone when several
/// streams have zones. `None` when no stream has zones.
fn occupancy_lines(scenario: &Scenario, step_ns: u64, unit_ns: f64) -> Option<Vec<Mark>> {
    let zoned: Vec<(usize, Vec<InView>)> = (0..scenario.streams.len())
        .filter_map(|s| Some((s, zone_occupancy(scenario, s)?)))
        .collect();
    if zoned.is_empty() {
        return None;
    }
    let duration = scenario.duration.0.max(1);
    let mut lines = Vec::new();
    for (s, zones) in &zoned {
        for zone in zones {
            let mut points = Vec::new();
            for k in 0..duration.div_ceil(step_ns) {
                let (from, to) = (k * step_ns, ((k + 1) * step_ns).min(duration));
                let inside = zone.at(from) as f64;
                points.extend([
                    [from as f64 / unit_ns, inside],
                    [to as f64 / unit_ns, inside],
                ]);
            }
            let name = if zoned.len() > 1 {
                format!("{}: {}", scenario.streams[*s].name, zone.zone)
            } else {
                zone.zone.clone()
            };
            lines.push(Mark::Line {
                name,
                points,
                colour: lines.len(),
                stroke: Stroke::Solid,
            });
        }
    }
    Some(lines)
}

/// The occupancy of each zone over time ([`occupancy_lines`]), at `top`, and its height;
/// `None` when no entity stream's cameras have zones.
fn occupancy_panel(scenario: &Scenario, top: f64) -> Option<(String, f64)> {
    let duration = scenario.duration.0.max(1);
    let (unit, unit_ns) = time_unit(duration);
    let step_ns = occupancy_step_ns(duration);
    let lines = occupancy_lines(scenario, step_ns, unit_ns)?;
    let body = if lines.is_empty() {
        Body::Message("no entity entered before the end".to_string())
    } else {
        Body::Axes {
            marks: lines,
            x: Some((0.0, duration as f64 / unit_ns)),
        }
    };
    let height = 260.0;
    let panel = chart::draw(
        &Panel {
            title: OCCUPANCY.to_string(),
            x_label: format!(
                "time since the start ({unit}); sampled every {}",
                spoken(step_ns as f64 / 1e9)
            ),
            y_label: "entities in view".to_string(),
            at: [0.0, top],
            size: [WIDTH, height],
        },
        &body,
    );
    Some((panel, height))
}

/// Each stream's gaps as a histogram against its distribution's density, in rows below
/// the rate panel (`top`: its height) that share the width evenly; returns the panels
/// and their rows' height.
fn gap_panels(
    scenario: &Scenario,
    summary: &stats::Stats,
    counts: &Counted,
    top: f64,
) -> (Vec<String>, f64) {
    let streams = &scenario.streams;
    let height = 250.0;
    let rows = streams.len().div_ceil(GAPS_PER_ROW);
    let per_row = streams.len().div_ceil(rows.max(1)).max(1);
    let mut panels = Vec::new();
    for (s, stream) in streams.iter().enumerate() {
        let (gaps, tops) = (&counts.gaps, &counts.tops);
        let total: u64 = gaps[s].iter().sum();
        let width = tops[s] / GAP_BINS as f64;
        let bins = (0..GAP_BINS)
            .map(|b| {
                let density = gaps[s][b] as f64 / (total.max(1) as f64 * width);
                (b as f64 * width, (b + 1) as f64 * width, density)
            })
            .collect();
        let theory = &summary.streams[s].distribution;
        let curve: Vec<[f64; 2]> = (0..=200)
            .filter_map(|i| {
                let x = tops[s] * i as f64 / 200.0;
                stream.inter_arrival.density(x).map(|p| [x, p])
            })
            .collect();
        let mut marks = vec![Mark::Bins {
            name: "planned gaps".to_string(),
            bins,
            colour: s,
        }];
        if !curve.is_empty() {
            marks.push(Mark::Line {
                name: format!("{} density, expected", theory.name),
                points: curve,
                colour: 6,
                stroke: Stroke::Dashed,
            });
        }
        let (row, column) = (s / per_row, s % per_row);
        let in_row = (streams.len() - row * per_row).min(per_row);
        let panel_w = WIDTH / in_row as f64;
        let shaped = if summary.streams[s].shaped {
            " (shaped: real time)"
        } else {
            ""
        };
        panels.push(chart::draw(
            &Panel {
                title: format!("gaps of {}{shaped}", stream.name),
                x_label: "gap (s)".to_string(),
                y_label: "density (1/s)".to_string(),
                at: [column as f64 * panel_w, top + row as f64 * height],
                size: [panel_w, height],
            },
            &Body::Axes {
                marks,
                x: Some((0.0, tops[s])),
            },
        ));
    }
    (panels, height * rows as f64)
}

/// Events per camera, one bar each labelled with its id, in scenario order (a camera in
/// two streams counts in both); the busiest [`MAX_CAMERAS`] only, most events first,
/// when there are more. Returns the panel at `top` and its height.
fn camera_panel(scenario: &Scenario, counts: &Counted, top: f64) -> (String, f64) {
    let mut position: std::collections::BTreeMap<String, usize> = Default::default();
    let mut per_camera: Vec<(String, f64)> = Vec::new();
    for (s, stream) in scenario.streams.iter().enumerate() {
        for (c, id) in stream.cameras.iter().enumerate() {
            let id = id.to_string();
            let next = per_camera.len();
            let at = *position.entry(id.clone()).or_insert(next);
            if at == next {
                per_camera.push((id, 0.0));
            }
            per_camera[at].1 += counts.per_camera[s][c] as f64;
        }
    }
    let all = per_camera.len();
    let (title, x_label) = if all > MAX_CAMERAS {
        // Most events first; ties in scenario order (the sort is stable).
        per_camera.sort_by(|a, b| b.1.total_cmp(&a.1));
        per_camera.truncate(MAX_CAMERAS);
        (
            format!("events per camera: the busiest {MAX_CAMERAS} of {all} cameras"),
            "camera id (most events first)",
        )
    } else {
        (
            "events per camera".to_string(),
            "camera id (in scenario order)",
        )
    };
    let (below, _) = chart::category_labels(
        per_camera.iter().map(|c| c.0.as_str()),
        per_camera.len(),
        WIDTH,
    );
    let height = 228.0 + below;
    let panel = chart::draw(
        &Panel {
            title,
            x_label: x_label.to_string(),
            y_label: "events".to_string(),
            at: [0.0, top],
            size: [WIDTH, height],
        },
        &Body::Categories(per_camera),
    );
    (panel, height)
}

#[cfg(test)]
mod tests;
