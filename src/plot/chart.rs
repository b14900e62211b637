//! One panel of a plot, drawn as plain SVG: a title, a legend that wraps inside the
//! panel, axes with ticks at round numbers (never in exponent form), and the marks:
//! lines, histogram bins, shaded spans, bars over categories (one per label), or a
//! message where there is nothing to draw.
//!
//! Every text is placed so that its estimated extent ([`text_width`]) stays inside the
//! panel: long names are shortened with `…` only when the whole panel cannot hold them.

use std::fmt::Write as _;

use super::ticks::{tick_label, ticks, y_axis};

/// The width of an image, in pixels: panels share it.
pub const WIDTH: f64 = 1200.0;

/// Colours of series, told apart by people with the common colour blindnesses (Okabe
/// and Ito's palette, without its yellow, which is invisible on white).
const PALETTE: [&str; 7] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
];

/// Font sizes, in pixels: the title, the axis names, ticks and the legend.
const TITLE: f64 = 16.0;
const LABEL: f64 = 13.0;
const SMALL: f64 = 12.0;

/// The width of `text` at `size` px in DejaVu Sans, estimated generously (its digits are
/// 0.64 em wide, most letters less).
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * 0.62 * size
}

/// `text` shortened with `…` to at most `width` px at `size`.
fn fit(text: &str, size: f64, width: f64) -> String {
    if text_width(text, size) <= width {
        return text.to_string();
    }
    let keep = ((width / (0.62 * size)) as usize).saturating_sub(1);
    text.chars().take(keep).chain(['…']).collect()
}

/// `text` with the characters XML reserves escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// How a line is stroked: what was planned or measured is solid; what theory expects is
/// dashed; a second measured series is dotted, so that greyscale tells them apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Stroke {
    Solid,
    Dashed,
    Dotted,
}

impl Stroke {
    fn dash(self) -> &'static str {
        match self {
            Stroke::Solid => "",
            Stroke::Dashed => " stroke-dasharray=\"7 4\"",
            Stroke::Dotted => " stroke-dasharray=\"2 3\"",
        }
    }
    fn class(self) -> &'static str {
        match self {
            Stroke::Solid | Stroke::Dotted => "series observed",
            Stroke::Dashed => "series expected",
        }
    }
}

/// What a panel of axes shows, in data coordinates.
#[derive(Debug, Clone)]
pub(super) enum Mark {
    /// A line through `points`, in colour `colour` of the palette.
    Line {
        name: String,
        points: Vec<[f64; 2]>,
        colour: usize,
        stroke: Stroke,
    },
    /// Histogram bins `(from, to, height)`.
    Bins {
        name: String,
        bins: Vec<(f64, f64, f64)>,
        colour: usize,
    },
    /// Shaded spans `(from, to)` over the panel's whole height.
    Spans {
        name: String,
        spans: Vec<(f64, f64)>,
        fill: &'static str,
    },
}

/// What a panel holds.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// Marks over two numeric axes; `x` is the x axis's range (the data's if `None`).
    Axes {
        marks: Vec<Mark>,
        x: Option<(f64, f64)>,
    },
    /// One bar per `(label, value)`, labelled below.
    Categories(Vec<(String, f64)>),
    /// A sentence in place of a chart.
    Message(String),
}

/// A panel: its texts, where it is in the image and its size.
#[derive(Debug, Clone)]
pub(super) struct Panel {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub at: [f64; 2],
    pub size: [f64; 2],
}

/// The legend's entries: name, colour and what its swatch looks like.
fn legend_entries(marks: &[Mark]) -> Vec<(&str, &str, Option<Stroke>)> {
    marks
        .iter()
        .map(|m| match m {
            Mark::Line {
                name,
                colour,
                stroke,
                ..
            } => (name.as_str(), colour_of(*colour), Some(*stroke)),
            Mark::Bins { name, colour, .. } => (name.as_str(), colour_of(*colour), None),
            Mark::Spans { name, fill, .. } => (name.as_str(), *fill, None),
        })
        .collect()
}

/// Colour `i` of the palette (it repeats past its end).
fn colour_of(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The panel drawn: a nested `<svg>` at its place, clipped to its size.
pub(super) fn draw(panel: &Panel, body: &Body) -> String {
    let [w, h] = panel.size;
    let mut out = format!(
        "<svg class=\"panel\" x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n",
        panel.at[0], panel.at[1]
    );
    text(
        &mut out,
        [w / 2.0, 24.0],
        TITLE,
        "middle",
        "title",
        &fit(&panel.title, TITLE, w - 16.0),
    );
    match body {
        Body::Message(message) => {
            let message = fit(message, LABEL, w - 16.0);
            text(
                &mut out,
                [w / 2.0, h / 2.0],
                LABEL,
                "middle",
                "message",
                &message,
            );
        }
        Body::Categories(bars) => categories(&mut out, panel, bars),
        Body::Axes { marks, x } => axes(&mut out, panel, marks, *x),
    }
    out.push_str("</svg>\n");
    out
}

/// A `<text>` at `at` (its baseline), anchored `anchor`.
fn text(out: &mut String, at: [f64; 2], size: f64, anchor: &str, class: &str, content: &str) {
    let _ = writeln!(
        out,
        "<text class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"{size}\" text-anchor=\"{anchor}\">{}</text>",
        at[0],
        at[1],
        escape(content)
    );
}

/// The legend in rows below the title, wrapped at the panel's width; returns the y
/// where the plot area may begin.
fn legend(out: &mut String, marks: &[Mark], width: f64) -> f64 {
    let entries = legend_entries(marks);
    let (left, right, row_h) = (16.0, width - 16.0, 18.0);
    let mut at = [left, 48.0];
    for (name, colour, stroke) in &entries {
        let name = fit(name, SMALL, right - left - 30.0);
        let item = 30.0 + text_width(&name, SMALL) + 18.0;
        if at[0] > left && at[0] + item - 18.0 > right {
            at = [left, at[1] + row_h];
        }
        let y = at[1] - 4.0;
        match stroke {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"{}/>",
                    at[0],
                    at[0] + 24.0,
                    s.dash()
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"24\" height=\"10\" fill=\"{colour}\" fill-opacity=\"0.6\"/>",
                    at[0],
                    y - 5.0
                );
            }
        }
        text(out, [at[0] + 30.0, at[1]], SMALL, "start", "legend", &name);
        at[0] += item;
    }
    if entries.is_empty() {
        40.0
    } else {
        at[1] + 14.0
    }
}

/// Where the plot area of a panel lies: left, top, right, bottom.
struct Area {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Area {
    fn x(&self, (lo, hi): (f64, f64), v: f64) -> f64 {
        self.left + (v - lo) / (hi - lo) * (self.right - self.left)
    }
    fn y(&self, top: f64, v: f64) -> f64 {
        self.bottom - v / top * (self.bottom - self.top)
    }
}

/// The frame of a plot area: the y label, grid lines and y ticks, axis lines; returns
/// the area with room for the y tick labels.
fn frame(
    out: &mut String,
    panel: &Panel,
    (top_y, below): (f64, f64),
    y_ticks: &[(f64, String)],
    top: f64,
) -> Area {
    let [w, h] = panel.size;
    let widest = y_ticks
        .iter()
        .map(|(_, l)| text_width(l, SMALL))
        .fold(0.0, f64::max);
    let area = Area {
        left: 30.0 + widest + 8.0,
        top: top_y,
        right: w - 20.0,
        bottom: h - 26.0 - below,
    };
    let middle = (area.top + area.bottom) / 2.0;
    let label = fit(&panel.y_label, LABEL, area.bottom - area.top);
    let _ = writeln!(
        out,
        "<text class=\"axis-label y\" x=\"18\" y=\"{middle:.1}\" font-size=\"{LABEL}\" text-anchor=\"middle\" transform=\"rotate(-90 18 {middle:.1})\">{}</text>",
        escape(&label)
    );
    for (v, l) in y_ticks {
        let y = area.y(top, *v);
        let _ = writeln!(
            out,
            "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#dddddd\" stroke-width=\"1\"/>",
            area.left, area.right
        );
        let _ = writeln!(
            out,
            "<text class=\"tick y\" x=\"{:.1}\" y=\"{y:.1}\" font-size=\"{SMALL}\" text-anchor=\"end\" dominant-baseline=\"middle\">{l}</text>",
            area.left - 6.0
        );
    }
    let x_label = fit(&panel.x_label, LABEL, w - 16.0);
    text(
        out,
        [w / 2.0, h - 10.0],
        LABEL,
        "middle",
        "axis-label x",
        &x_label,
    );
    area
}

/// The axis lines, drawn last, over the marks.
fn axis_lines(out: &mut String, area: &Area) {
    let _ = writeln!(
        out,
        "<path class=\"axis\" d=\"M {:.1} {:.1} V {:.1} H {:.1}\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>",
        area.left, area.top, area.bottom, area.right
    );
}

/// The room the labels of `count` categories need below the axis of a panel `width`
/// wide, and whether they are written upright (rotated) because they do not fit side by
/// side.
pub(super) fn category_labels<'a>(
    labels: impl Iterator<Item = &'a str>,
    count: usize,
    width: f64,
) -> (f64, bool) {
    let widest = labels.map(|l| text_width(l, SMALL)).fold(0.0, f64::max);
    let slot = (width - 110.0) / count.max(1) as f64;
    if widest + 4.0 <= slot {
        (22.0, false)
    } else {
        (widest + 12.0, true)
    }
}

/// One bar per category, labelled below with the category (upright when the labels
/// do not fit side by side).
fn categories(out: &mut String, panel: &Panel, bars: &[(String, f64)]) {
    let max = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    let (top, y_ticks) = y_axis(max);
    let (below, upright) =
        category_labels(bars.iter().map(|b| b.0.as_str()), bars.len(), panel.size[0]);
    let area = frame(out, panel, (40.0, below), &y_ticks, top);
    let slot = (area.right - area.left) / bars.len().max(1) as f64;
    let bar = (slot * 0.7).min(80.0);
    for (i, (label, value)) in bars.iter().enumerate() {
        let middle = area.left + (i as f64 + 0.5) * slot;
        let y = area.y(top, *value);
        let _ = writeln!(
            out,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {value}</title></rect>",
            middle - bar / 2.0,
            bar,
            area.bottom - y,
            colour_of(0),
            escape(label)
        );
        if upright {
            let (x, y) = (middle + 4.0, area.bottom + 6.0);
            let _ = writeln!(
                out,
                "<text class=\"tick x\" x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{SMALL}\" text-anchor=\"end\" transform=\"rotate(-90 {x:.1} {y:.1})\">{}</text>",
                escape(label)
            );
        } else {
            text(
                out,
                [middle, area.bottom + 16.0],
                SMALL,
                "middle",
                "tick x",
                label,
            );
        }
    }
    axis_lines(out, &area);
}

/// Marks over numeric axes.
fn axes(out: &mut String, panel: &Panel, marks: &[Mark], x: Option<(f64, f64)>) {
    let top_y = legend(out, marks, panel.size[0]);
    let (mut lo, mut hi, mut measured, mut theory) = (f64::MAX, f64::MIN, 0.0f64, 0.0f64);
    for mark in marks {
        match mark {
            Mark::Line { points, stroke, .. } => {
                for p in points {
                    (lo, hi) = (lo.min(p[0]), hi.max(p[0]));
                    match stroke {
                        Stroke::Dashed => theory = theory.max(p[1]),
                        Stroke::Solid | Stroke::Dotted => measured = measured.max(p[1]),
                    }
                }
            }
            Mark::Bins { bins, .. } => {
                for b in bins {
                    (lo, hi, measured) = (lo.min(b.0), hi.max(b.1), measured.max(b.2));
                }
            }
            Mark::Spans { .. } => {}
        }
    }
    // What theory expects may rise without bound (a density at 0): it counts up to twice
    // what was measured.
    let max = if measured > 0.0 {
        measured.max(theory.min(2.0 * measured))
    } else {
        theory
    };
    let (lo, hi) = match x {
        Some(range) => range,
        None if lo < hi => (lo, hi),
        None if lo == hi => (lo - 1.0, hi + 1.0),
        None => (0.0, 1.0),
    };
    let (top, y_ticks) = y_axis(max);
    let area = frame(out, panel, (top_y, 22.0), &y_ticks, top);
    let clip = format!("clip-{}-{}", panel.at[0] as u64, panel.at[1] as u64);
    let _ = writeln!(
        out,
        "<clipPath id=\"{clip}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"/></clipPath>\n<g clip-path=\"url(#{clip})\">",
        area.left,
        area.top,
        area.right - area.left,
        area.bottom - area.top
    );
    for mark in marks {
        draw_mark(out, &area, (lo, hi), top, mark);
    }
    out.push_str("</g>\n");
    x_ticks(out, &area, (lo, hi));
    axis_lines(out, &area);
}

/// One mark, clipped to the plot area by the caller.
fn draw_mark(out: &mut String, area: &Area, range: (f64, f64), top: f64, mark: &Mark) {
    match mark {
        Mark::Spans { spans, fill, .. } => {
            for (a, b) in spans {
                let (a, b) = (area.x(range, *a), area.x(range, *b));
                let _ = writeln!(
                    out,
                    "<rect class=\"span\" x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\" fill-opacity=\"0.18\"/>",
                    area.top,
                    (b - a).max(1.0),
                    area.bottom - area.top
                );
            }
        }
        Mark::Bins { bins, colour, .. } => {
            for (a, b, v) in bins {
                let (a, b, y) = (area.x(range, *a), area.x(range, *b), area.y(top, *v));
                let _ = writeln!(
                    out,
                    "<rect class=\"bin\" x=\"{a:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" fill-opacity=\"0.6\"/>",
                    (b - a - 1.0).max(0.5),
                    area.bottom - y,
                    colour_of(*colour)
                );
            }
        }
        Mark::Line {
            points,
            colour,
            stroke,
            ..
        } => {
            let mut coordinates = String::new();
            for p in points {
                let _ = write!(
                    coordinates,
                    "{:.1},{:.1} ",
                    area.x(range, p[0]),
                    area.y(top, p[1])
                );
            }
            // A line of one point is a dot.
            if let [p] = points[..] {
                let _ = writeln!(
                    out,
                    "<circle class=\"{}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"/>",
                    stroke.class(),
                    area.x(range, p[0]),
                    area.y(top, p[1]),
                    colour_of(*colour)
                );
            }
            let _ = writeln!(
                out,
                "<polyline class=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} stroke-linejoin=\"round\"/>",
                stroke.class(),
                coordinates.trim_end(),
                colour_of(*colour),
                if *stroke == Stroke::Dashed { 2.0 } else { 1.5 },
                stroke.dash()
            );
        }
    }
}

/// Ticks and labels of the x axis over `range`, as many as fit without touching.
fn x_ticks(out: &mut String, area: &Area, range: (f64, f64)) {
    let width = area.right - area.left;
    let mut count = ((width / 60.0) as usize).clamp(2, 12);
    loop {
        let (values, step) = ticks(range.0, range.1, count);
        let labels: Vec<String> = values.iter().map(|v| tick_label(*v, step)).collect();
        let widest = labels
            .iter()
            .map(|l| text_width(l, SMALL))
            .fold(0.0, f64::max);
        if count > 2 && (widest + 12.0) * labels.len() as f64 > width {
            count -= 1;
            continue;
        }
        for (v, l) in values.iter().zip(&labels) {
            let x = area.x(range, *v);
            let _ = writeln!(
                out,
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#444444\" stroke-width=\"1\"/>",
                area.bottom,
                area.bottom + 5.0
            );
            // A label at either end stays inside the panel.
            let half = text_width(l, SMALL) / 2.0;
            let x = x.max(half + 2.0).min(area.right + 18.0 - half);
            text(out, [x, area.bottom + 18.0], SMALL, "middle", "tick x", l);
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_texts_are_shortened_to_fit() {
        assert_eq!(fit("intersections", 10.0, 1000.0), "intersections");
        let short = fit("intersections", 10.0, 40.0);
        assert!(text_width(&short, 10.0) <= 40.0, "{short}");
        assert!(short.ends_with('…'));
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
