//! `simulate plot`: a scenario's plan, or a finished run's report, as one image of
//! panels. Each panel is a chart drawn by poloto (SVG); the panels are placed in one SVG
//! document, and a PNG is rendered from that SVG by resvg with DejaVu Sans built in, so
//! no system font is needed and both formats show the same picture.
//!
//! Styling survives greyscale printing: observed series are solid, expected ones dashed,
//! and each series of a panel has its own dash pattern as well as its own colour.

use std::fmt::Write as _;
use std::path::Path;

use poloto::build;
use tagu::prelude::*;

use crate::error::Error;
use crate::plan::Events;
use crate::plan::rate::Profile;
use crate::report::{Buckets, Report, Steps};
use crate::scenario::Scenario;
use crate::stats;
use crate::text::io_reason;

/// The width of the image, in pixels.
pub const WIDTH: f64 = 1200.0;

/// Time bins of the rate panel.
const RATE_BINS: u64 = 240;

/// Bins of each gap histogram.
const GAP_BINS: usize = 40;

/// Gap panels side by side.
const GAPS_PER_ROW: usize = 3;

/// One series of a chart: its name and points.
type Series = (String, Vec<[f64; 2]>);

/// CSS added to poloto's light theme: the built-in font, and dash patterns that tell
/// series apart without colour.
fn style(panel: &str, dashed_from: usize, series: usize) -> String {
    let mut css = String::from(
        ".poloto{font-family:\"DejaVu Sans\",sans-serif;font-size:14px;}\
         .poloto_name{font-size:18px;}.poloto_text.poloto_legend{font-size:14px;}\
         .poloto_line{stroke-width:2;}",
    );
    const PATTERNS: [&str; 4] = ["none", "2 3", "8 3 2 3", "12 4"];
    for i in 0..series {
        let dash = if i >= dashed_from {
            "10 5"
        } else {
            PATTERNS[i % PATTERNS.len()]
        };
        // Each panel's rules name the panel: styles apply to the whole document.
        let _ = write!(
            css,
            "#{panel} .poloto{i}.poloto_stroke{{stroke-dasharray:{dash};}}"
        );
    }
    css
}

/// One chart at `at` (x, y) of `size`: histograms first, then lines; lines from
/// `dashed_from` on are dashed (expected values).
fn chart(
    labels: (&str, &str, &str),
    histograms: &[Series],
    lines: &[Series],
    dashed_from: usize,
    place: ([f64; 2], [f64; 2]),
) -> Result<String, String> {
    shaded_chart(labels, &[], histograms, lines, dashed_from, place)
}

/// [`chart`] with areas shaded behind the rest (`shaded`: the outline of each, from 0).
fn shaded_chart(
    (title, x, y): (&str, &str, &str),
    shaded: &[Series],
    histograms: &[Series],
    lines: &[Series],
    dashed_from: usize,
    (at, size): ([f64; 2], [f64; 2]),
) -> Result<String, String> {
    let (shaded_count, histograms) = (shaded.len(), [shaded, histograms].concat());
    // Panels are told apart by where they are.
    let panel = format!("panel-{}-{}", at[0] as u64, at[1] as u64);
    let header = poloto::header()
        .with_dim(size)
        .with_viewbox(size)
        .with(tagu::attrs!(
            ("x", at[0]),
            ("y", at[1]),
            ("id", panel.clone())
        ));
    let mut css = style(
        &panel,
        histograms.len() + dashed_from,
        histograms.len() + lines.len(),
    );
    for i in 0..shaded_count {
        let _ = write!(
            css,
            "#{panel} .poloto{i}.poloto_fill{{fill-opacity:0.25;stroke:none;}}"
        );
    }
    let theme = poloto::render::Theme::light().append(tagu::build::raw(css));
    let areas = histograms[..shaded_count]
        .iter()
        .map(|(name, points)| build::plot(name.as_str()).line_fill(points.iter().copied()));
    let bars = histograms[shaded_count..]
        .iter()
        .map(|(name, points)| build::plot(name.as_str()).histogram(points.iter().copied()));
    let curves = lines
        .iter()
        .map(|(name, points)| build::plot(name.as_str()).line(points.iter().copied()));
    poloto::frame()
        .with_tick_lines([true, true])
        .with_viewbox(size)
        .build()
        .data(poloto::plots!(build::origin(), areas, bars, curves))
        .build_and_label((title, x, y))
        .append_to(header.append(theme))
        .render_string()
        .map_err(|e| format!("cannot draw the chart `{title}`: {e}"))
}

/// The panels, placed, in one SVG document.
fn document(panels: &[String], height: f64) -> Result<String, String> {
    let body: String = panels.concat();
    let doc = tagu::build::elem("svg")
        .with(tagu::attrs!(
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("width", WIDTH),
            ("height", height),
            ("viewBox", tagu::format_move!("0 0 {} {}", WIDTH, height)),
            ("style", "background-color:white")
        ))
        .append(tagu::build::raw_escapable(body));
    let mut out = String::new();
    tagu::render_escapable(doc, &mut out).map_err(|e| format!("cannot write the SVG: {e}"))?;
    out.push('\n');
    Ok(out)
}

/// A legend entry: the stream's name (shortened to fit) and `suffix`.
fn legend(name: &str, suffix: &str) -> String {
    let short: String = if name.chars().count() > 12 {
        name.chars().take(11).chain(['…']).collect()
    } else {
        name.to_string()
    };
    format!("{short}{suffix}")
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

/// The plan of `scenario` as an SVG image: events per second over time per stream with
/// the rate its profile expects, each stream's gaps against its distribution's density,
/// and events per camera.
pub fn scenario_svg(scenario: &Scenario) -> Result<String, String> {
    let summary = stats::compute(scenario);
    let counts = Counted::of(scenario, &summary);
    let rows = scenario.streams.len().div_ceil(GAPS_PER_ROW);
    let (rate_h, gap_h, camera_h) = (300.0, 250.0, 250.0);
    let height = rate_h + gap_h * rows as f64 + camera_h;
    let mut panels = vec![rate_panel(scenario, &summary, &counts, rate_h)?];
    panels.extend(gap_panels(scenario, &summary, &counts, (rate_h, gap_h))?);
    panels.push(camera_panel(
        scenario,
        &counts,
        ([0.0, rate_h + gap_h * rows as f64], [WIDTH, camera_h]),
    )?);
    document(&panels, height)
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
        let bin_ns = duration.div_ceil(RATE_BINS).max(1);
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
            per_bin[s][(event.offset_ns / bin_ns) as usize] += 1;
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

/// Events per second over time per stream, beside the rate expected, with incidents and
/// outages shaded.
fn rate_panel(
    scenario: &Scenario,
    summary: &stats::Stats,
    counts: &Counted,
    height: f64,
) -> Result<String, String> {
    let duration = scenario.duration.0.max(1);
    let (bin_ns, bins) = (counts.bin_ns, counts.bins);
    let (unit, unit_ns) = time_unit(duration);
    let bin_s = bin_ns as f64 / 1e9;
    let mut observed: Vec<Series> = Vec::new();
    let mut expected: Vec<Series> = Vec::new();
    for (s, stream) in scenario.streams.iter().enumerate() {
        let at = |b: usize| (b as f64 + 0.5) * bin_ns as f64 / unit_ns;
        observed.push((
            legend(&stream.name, ""),
            (0..bins)
                .map(|b| [at(b), counts.per_bin[s][b] as f64 / bin_s])
                .collect(),
        ));
        if let Some(mean) = summary.streams[s].distribution.mean_s {
            let profile = stream
                .modulation
                .as_ref()
                .and_then(|m| m.rate.as_ref())
                .map(Profile::new);
            let processes = summary.streams[s].processes as f64;
            let rate =
                |t: u64| processes / mean * profile.as_ref().map_or(1.0, |p| p.piece(t).value);
            expected.push((
                legend(&stream.name, ", exp."),
                (0..bins)
                    .map(|b| {
                        [
                            at(b),
                            rate((b as u64 * bin_ns + bin_ns / 2).min(duration - 1)),
                        ]
                    })
                    .collect(),
            ));
        }
    }
    let mut lines = observed;
    let dashed_from = lines.len();
    lines.extend(expected);
    // Incidents and outages shaded, as tall as the highest rate.
    let top = lines
        .iter()
        .flat_map(|(_, points)| points.iter().map(|p| p[1]))
        .fold(0.0, f64::max);
    let mut shaded: Vec<Series> = Vec::new();
    for (outage, name) in [(false, "incidents"), (true, "outages")] {
        let mut outline = Vec::new();
        for s in 0..scenario.streams.len() {
            for (start, end, _) in crate::plan::windows::stream_windows(scenario, s)
                .into_iter()
                .filter(|w| w.2 == outage)
            {
                let (a, b) = (start as f64 / unit_ns, end as f64 / unit_ns);
                outline.extend([[a, 0.0], [a, top], [b, top], [b, 0.0]]);
            }
        }
        if !outline.is_empty() {
            shaded.push((name.to_string(), outline));
        }
    }
    shaded_chart(
        (
            &format!("{}: events per second over time", scenario.name),
            &format!("time since the start ({unit})"),
            "events/s",
        ),
        &shaded,
        &[],
        &lines,
        dashed_from,
        ([0.0, 0.0], [WIDTH, height]),
    )
}

/// Each stream's gaps as a histogram against its distribution's density, in rows below
/// the rate panel (`top`: its height; `height`: a row's).
fn gap_panels(
    scenario: &Scenario,
    summary: &stats::Stats,
    counts: &Counted,
    (top, height): (f64, f64),
) -> Result<Vec<String>, String> {
    let streams = &scenario.streams;
    let gap_w = WIDTH / GAPS_PER_ROW.min(streams.len()).max(1) as f64;
    let mut panels = Vec::new();
    for (s, stream) in streams.iter().enumerate() {
        let (gaps, tops) = (&counts.gaps, &counts.tops);
        let total: u64 = gaps[s].iter().sum();
        let width = tops[s] / GAP_BINS as f64;
        let histogram: Vec<[f64; 2]> = (0..GAP_BINS)
            .map(|b| {
                let density = gaps[s][b] as f64 / (total.max(1) as f64 * width);
                [b as f64 * width, density]
            })
            .collect();
        let theory = &summary.streams[s].distribution;
        let curve: Vec<[f64; 2]> = (0..=200)
            .filter_map(|i| {
                let x = tops[s] * i as f64 / 200.0;
                stream.inter_arrival.density(x).map(|p| [x, p])
            })
            .collect();
        let mut lines = Vec::new();
        if !curve.is_empty() {
            lines.push((theory.name.to_string(), curve));
        }
        let (row, column) = (s / GAPS_PER_ROW, s % GAPS_PER_ROW);
        let shaped = if summary.streams[s].shaped {
            " (shaped: real time)"
        } else {
            ""
        };
        panels.push(chart(
            (
                &format!("gaps of {}{shaped}", stream.name),
                "gap (s)",
                "density (1/s)",
            ),
            &[(legend(&stream.name, ""), histogram)],
            &lines,
            0,
            (
                [column as f64 * gap_w, top + row as f64 * height],
                [gap_w, height],
            ),
        )?);
    }
    Ok(panels)
}

/// Events per camera, in scenario order (a camera in two streams counts in both).
fn camera_panel(
    scenario: &Scenario,
    counts: &Counted,
    place: ([f64; 2], [f64; 2]),
) -> Result<String, String> {
    let mut position: std::collections::BTreeMap<String, usize> = Default::default();
    let mut per_camera: Vec<u64> = Vec::new();
    for (s, stream) in scenario.streams.iter().enumerate() {
        for (c, id) in stream.cameras.iter().enumerate() {
            let next = per_camera.len();
            let at = *position.entry(id.to_string()).or_insert(next);
            if at == next {
                per_camera.push(0);
            }
            per_camera[at] += counts.per_camera[s][c];
        }
    }
    let bars: Vec<[f64; 2]> = per_camera
        .iter()
        .enumerate()
        .map(|(i, n)| [i as f64, *n as f64])
        .collect();
    chart(
        ("events per camera", "camera (in scenario order)", "events"),
        &[("events".to_string(), bars)],
        &[],
        0,
        place,
    )
}

/// A finished run's report as an SVG image: pacing lateness and delivery latency over
/// time (mean and largest per step) and as histograms.
pub fn report_svg(report: &Report) -> Result<String, String> {
    // (time of the step's middle, mean, largest), scaled to `unit` ns.
    let over_time = |steps: &Steps, unit: f64| -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
        let at = |i: usize| (i as f64 + 0.5) * steps.step_s;
        let kept = steps.steps.iter().enumerate().filter(|(_, s)| s.count > 0);
        let mean = kept
            .clone()
            .map(|(i, s)| [at(i), s.sum_ns as f64 / s.count as f64 / unit])
            .collect();
        let max = kept.map(|(i, s)| [at(i), s.max_ns as f64 / unit]).collect();
        (mean, max)
    };
    let histogram = |b: &Buckets, unit: f64| rebin(b, unit);
    let panel_h = 400.0;
    let half = WIDTH / 2.0;
    let mut panels = Vec::new();
    let (mean, max) = over_time(&report.lateness_timeline, 1e3);
    let paced = !mean.is_empty();
    panels.push(chart(
        (
            &format!(
                "{}: pacing lateness{}",
                report.scenario,
                if paced { "" } else { " (none: --max-speed)" }
            ),
            "planned send time since the start (s)",
            "lateness (µs)",
        ),
        &[],
        &[("mean".to_string(), mean), ("largest".to_string(), max)],
        2,
        ([0.0, 0.0], [half, panel_h]),
    )?);
    let (latency, buckets) = match &report.kafka {
        Some(k) => (
            over_time(&k.delivery_latency_timeline, 1e6),
            histogram(&k.delivery_latency_histogram, 1e6),
        ),
        None => ((Vec::new(), Vec::new()), Vec::new()),
    };
    panels.push(chart(
        (
            "delivery latency (send to acknowledgement)",
            "wall time since the producer started (s)",
            "latency (ms)",
        ),
        &[],
        &[
            ("mean".to_string(), latency.0),
            ("largest".to_string(), latency.1),
        ],
        2,
        ([half, 0.0], [half, panel_h]),
    )?);
    panels.push(chart(
        (
            "pacing lateness, all sends",
            "lateness (µs; the last bar holds the rest)",
            "sends",
        ),
        &[(
            "sends".to_string(),
            histogram(&report.lateness_histogram, 1e3),
        )],
        &[],
        0,
        ([0.0, panel_h], [half, panel_h]),
    )?);
    panels.push(chart(
        (
            "delivery latency, timed messages",
            "latency (ms; the last bar holds the rest)",
            "messages",
        ),
        &[("messages".to_string(), buckets)],
        &[],
        0,
        ([half, panel_h], [half, panel_h]),
    )?);
    document(&panels, 2.0 * panel_h)
}

/// A report's log-linear buckets as [`GAP_BINS`] equal bins from 0 to the 99.5th
/// percentile (a quarter more, so the bulk is not squeezed by one outlier), in `unit`
/// ns; what lies beyond is counted in the last bin.
fn rebin(b: &Buckets, unit: f64) -> Vec<[f64; 2]> {
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
    let top = ((q as f64 * 1.25).max(1.0)).min(b.max_ns.max(1) as f64);
    let width = top / GAP_BINS as f64;
    let mut bins = vec![0u64; GAP_BINS];
    for &(lower, n) in &b.buckets {
        let i = ((lower as f64 / width) as usize).min(GAP_BINS - 1);
        bins[i] += n;
    }
    bins.iter()
        .enumerate()
        .map(|(i, &n)| [i as f64 * width / unit, n as f64])
        .collect()
}

/// Where `simulate plot` writes, and in which format: chosen by the extension.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Image<'p> {
    path: &'p Path,
    png: bool,
}

impl<'p> Image<'p> {
    /// The image at `path`: `.svg` or `.png` (any case); another extension is a usage
    /// error.
    pub(crate) fn of(path: &'p Path) -> Result<Image<'p>, Error> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let png = match extension.as_deref() {
            Some("svg") => false,
            Some("png") => true,
            _ => {
                return Err(Error::Usage(format!(
                    "--output {}: the image format is chosen by the extension: .svg or .png",
                    path.display()
                )));
            }
        };
        Ok(Image { path, png })
    }

    /// Writes the image drawn as `svg`, converted to PNG if that is its format.
    pub(crate) fn write(&self, svg: &str) -> Result<(), Error> {
        let png;
        let bytes = if self.png {
            png = self::png(svg).map_err(Error::Runtime)?;
            &png[..]
        } else {
            svg.as_bytes()
        };
        std::fs::write(self.path, bytes).map_err(|e| {
            Error::Runtime(format!(
                "cannot write {}: {}",
                self.path.display(),
                io_reason(&e, "no such directory")
            ))
        })
    }
}

/// The PNG of an SVG image drawn by this module, at its own size.
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    let mut options = resvg::usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_font_data(dejavu::sans::regular().to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let tree = resvg::usvg::Tree::from_str(svg, &options)
        .map_err(|e| format!("cannot read the SVG back: {e}"))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or("the image has no area")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}
