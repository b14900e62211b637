//! The image of a finished run's report: pacing lateness and delivery latency over time
//! (mean and largest per step) and as histograms, and end-to-end latency the same way
//! when the run measured it (`--latency`); a panel with nothing to show says why
//! (`no pacing at --max-speed`, no Kafka delivery in the report) instead of empty axes.

use super::chart::{self, Body, Mark, Panel, Stroke, WIDTH};
use crate::replay::pacer::Pace;
use crate::report::{Buckets, Report, Steps};

/// Bins of each histogram.
const BINS: usize = 40;

/// The report's panels placed in an image, and the image's height.
pub(super) fn panels(report: &Report) -> (Vec<String>, f64) {
    let panel_h = 400.0;
    let half = WIDTH / 2.0;
    let place = |column: f64, row: f64| ([column * half, row * panel_h], [half, panel_h]);
    // Why a panel of lateness is empty: a run at --max-speed is not paced.
    let unpaced = if report.pace == Pace::Max.describe() {
        "no pacing at --max-speed"
    } else {
        "no paced sends in this report"
    };
    let kafka = report.kafka.as_ref();
    let undelivered = match kafka {
        Some(_) => "no delivery latency was measured",
        None => "no Kafka delivery latency: this run did not send to Kafka",
    };
    let timeline = kafka.map(|k| &k.delivery_latency_timeline);
    let buckets = kafka.map(|k| &k.delivery_latency_histogram);
    let mut panels = vec![
        over_time(
            (
                &format!("{}: pacing lateness", report.scenario),
                "planned send time since the start (s)",
                "lateness (µs)",
            ),
            Some(&report.lateness_timeline),
            1e3,
            unpaced,
            place(0.0, 0.0),
        ),
        over_time(
            (
                "delivery latency (send to acknowledgement)",
                "wall time since the producer started (s)",
                "latency (ms)",
            ),
            timeline,
            1e6,
            undelivered,
            place(1.0, 0.0),
        ),
        histogram(
            (
                "pacing lateness, all sends",
                "lateness (µs; the last bar holds the rest)",
                "sends",
            ),
            Some(&report.lateness_histogram),
            1e3,
            unpaced,
            place(0.0, 1.0),
        ),
        histogram(
            (
                "delivery latency, timed messages",
                "latency (ms; the last bar holds the rest)",
                "messages",
            ),
            buckets,
            1e6,
            undelivered,
            place(1.0, 1.0),
        ),
    ];
    let Some(e2e) = &report.e2e_latency else {
        return (panels, 2.0 * panel_h);
    };
    // --latency: a third row.
    let unmatched = "no message was matched: nothing to show";
    panels.push(over_time(
        (
            &format!("end-to-end latency ({})", e2e.what()),
            "wall time since the latency consumer started (s)",
            "latency (ms)",
        ),
        Some(&e2e.timeline),
        1e6,
        unmatched,
        place(0.0, 2.0),
    ));
    panels.push(histogram(
        (
            "end-to-end latency, matched messages",
            "latency (ms; the last bar holds the rest)",
            "messages",
        ),
        Some(&e2e.histogram),
        1e6,
        unmatched,
        place(1.0, 2.0),
    ));
    (panels, 3.0 * panel_h)
}

/// A panel titled `title` with axis labels `x` and `y`, at `at` of `size`.
fn panel((title, x, y): (&str, &str, &str), (at, size): ([f64; 2], [f64; 2])) -> Panel {
    Panel {
        title: title.to_string(),
        x_label: x.to_string(),
        y_label: y.to_string(),
        at,
        size,
    }
}

/// The mean and largest value per step of `steps`, in `unit` ns, or `empty` said in the
/// panel when there are none.
fn over_time(
    (title, x, y): (&str, &str, &str),
    steps: Option<&Steps>,
    unit: f64,
    empty: &str,
    (at, size): ([f64; 2], [f64; 2]),
) -> String {
    let panel = panel((title, x, y), (at, size));
    let Some(steps) = steps.filter(|s| s.steps.iter().any(|s| s.count > 0)) else {
        return chart::draw(&panel, &Body::Message(empty.to_string()));
    };
    let at = |i: usize| (i as f64 + 0.5) * steps.step_s;
    let kept = steps.steps.iter().enumerate().filter(|(_, s)| s.count > 0);
    let mean = kept
        .clone()
        .map(|(i, s)| [at(i), s.sum_ns as f64 / s.count as f64 / unit])
        .collect();
    let max = kept.map(|(i, s)| [at(i), s.max_ns as f64 / unit]).collect();
    let marks = vec![
        Mark::Line {
            name: "mean".to_string(),
            points: mean,
            colour: 0,
            stroke: Stroke::Solid,
        },
        Mark::Line {
            name: "largest".to_string(),
            points: max,
            colour: 1,
            stroke: Stroke::Dotted,
        },
    ];
    let x = Some((0.0, steps.steps.len() as f64 * steps.step_s));
    chart::draw(&panel, &Body::Axes { marks, x })
}

/// A histogram of `buckets` in `unit` ns ([`rebin`]), or `empty` said in the panel when
/// it holds nothing.
fn histogram(
    (title, x, y): (&str, &str, &str),
    buckets: Option<&Buckets>,
    unit: f64,
    empty: &str,
    (at, size): ([f64; 2], [f64; 2]),
) -> String {
    let panel = panel((title, x, y), (at, size));
    let bins = buckets.map(|b| rebin(b, unit)).unwrap_or_default();
    if bins.is_empty() {
        return chart::draw(&panel, &Body::Message(empty.to_string()));
    }
    let marks = vec![Mark::Bins {
        name: y.to_string(),
        bins,
        colour: 0,
    }];
    chart::draw(&panel, &Body::Axes { marks, x: None })
}

/// A report's log-linear buckets as [`BINS`] equal bins `(from, to, count)` from 0 to the
/// 99.5th percentile (a quarter more, so the bulk is not squeezed by one outlier; or just
/// past the largest value, if that is nearer), in `unit` ns; what lies beyond is counted
/// in the last bin. Empty if nothing was counted.
fn rebin(b: &Buckets, unit: f64) -> Vec<(f64, f64, f64)> {
    let total: u64 = b.buckets.iter().map(|&(_, n)| n).sum();
    if total == 0 {
        return Vec::new();
    }
    let rank = (total as f64 * 0.995).ceil() as u64;
    let mut seen = 0;
    let q = b
        .buckets
        .iter()
        .find(|&&(_, n)| {
            seen += n;
            seen >= rank
        })
        .map_or(b.max_ns, |&(lower, _)| lower);
    // When the bulk reaches the largest value, the largest lies inside the last bin.
    let max = b.max_ns.max(1) as f64;
    let top = if q as f64 * 1.25 >= max {
        max * 1.05
    } else {
        (q as f64 * 1.25).max(1.0)
    };
    let width = top / BINS as f64;
    let mut bins = vec![0u64; BINS];
    for &(lower, n) in &b.buckets {
        let i = ((lower as f64 / width) as usize).min(BINS - 1);
        bins[i] += n;
    }
    bins.iter()
        .enumerate()
        .map(|(i, &n)| {
            (
                i as f64 * width / unit,
                (i + 1) as f64 * width / unit,
                n as f64,
            )
        })
        .collect()
}
