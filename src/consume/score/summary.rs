//! A score for people (the summary `simulate score` prints) and as JSON (`--report`):
//! the same figures, from the same [`Outcome`].

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat};
use serde::Serialize;

use super::Asked;
use super::compare::{Gathered, Judged, Score, Verdict};
use super::expected::Grouping;
use crate::text::shortest;

/// A score and what it was of.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome<'a> {
    /// The scenario's name.
    pub scenario: &'a str,
    /// The run's seed.
    pub seed: u64,
    /// The run's start (RFC 3339).
    pub start: &'a str,
    /// The windows' length in ms.
    pub window_ms: u64,
    /// What was asked.
    pub asked: &'a Asked,
    /// The records read.
    pub gathered: &'a Gathered,
    /// Their score.
    pub score: &'a Score,
}

/// A window start as RFC 3339 (UTC, seconds unless it has milliseconds).
fn instant(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
    )
}

/// A figure rounded to 3 decimals, as short as it reads.
fn figure(x: f64) -> String {
    shortest((x * 1000.0).round() / 1000.0)
}

/// A length of time in ms as the scenario writes it (`1m`, `30s`, `250ms`).
fn length(ms: u64) -> String {
    match ms {
        0 => "0s".into(),
        ms if ms % 3_600_000 == 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 => format!("{}m", ms / 60_000),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

/// How the window starts were written, in words.
fn formats(gathered: &Gathered) -> String {
    match (gathered.format(), gathered.formats.is_empty()) {
        (Some(one), _) => one.describe().to_string(),
        (None, true) => "none read".to_string(),
        (None, false) => {
            let each: Vec<String> = gathered
                .formats
                .iter()
                .map(|(f, n)| format!("{} ({n})", f.describe()))
                .collect();
            format!("mixed: {}", each.join(", "))
        }
    }
}

/// One of the worst windows, in words.
fn worst_line(j: &Judged, grouping: &Grouping) -> String {
    let group = match grouping {
        Grouping::All => "all".to_string(),
        Grouping::Camera | Grouping::Attribute(_) => j.group.clone(),
    };
    let truth = j.truth.unwrap_or(0).to_string();
    let got = j.got.map_or_else(|| "nothing".to_string(), figure);
    let how = match j.verdict {
        Verdict::Right => format!("off by {}, within the tolerance", figure(j.error)),
        Verdict::Wrong => format!("off by {}", figure(j.error)),
        Verdict::Missing => "missing".to_string(),
        Verdict::Extra => "extra: the truth lists nothing".to_string(),
    };
    format!(
        "  {}  {group}: truth {truth}, got {got} ({how})\n",
        instant(j.window_ms)
    )
}

/// The summary `simulate score` prints.
pub(crate) fn text(o: &Outcome) -> String {
    let (asked, gathered, score) = (o.asked, o.gathered, o.score);
    let group = asked.grouping.describe();
    let mut out = format!(
        "score of {} against the truth of {} (seed {}, start {}, {} windows)\n",
        asked.source,
        o.scenario,
        o.seed,
        o.start,
        length(o.window_ms)
    );
    let per = match &asked.fields.group {
        Some(field) => format!("per window and {group} (`{field}`)"),
        None => "per window over all cameras".to_string(),
    };
    out += &format!(
        "measure: {} {per}; window starts: {}\n",
        asked.measure.describe(),
        formats(gathered)
    );
    out += &format!(
        "records: {} read, {} replaced by a later one for the same window{}, {} outside the run, {} unreadable\n",
        gathered.records,
        gathered.replaced,
        match asked.grouping {
            Grouping::All => String::new(),
            Grouping::Camera | Grouping::Attribute(_) => format!(" and {group}"),
        },
        gathered.outside,
        gathered.unreadable
    );
    if let Some(first) = &gathered.first_unreadable {
        out += &format!("  first unreadable: {first}\n");
    }
    let windows = score.windows();
    let share = if windows == 0 {
        "no windows".to_string()
    } else {
        format!("{:.1} % right", 100.0 * score.right as f64 / windows as f64)
    };
    let tolerance = if asked.tolerance > 0.0 {
        format!(", tolerance {}", figure(asked.tolerance))
    } else {
        String::new()
    };
    out += &format!(
        "windows: {} right, {} wrong, {} missing, {} extra of {windows} ({share}{tolerance})\n",
        score.right, score.wrong, score.missing, score.extra
    );
    out += &format!(
        "mean absolute error {}, largest {}\n",
        figure(score.mae),
        figure(score.max)
    );
    if !score.worst.is_empty() {
        out += &format!("worst windows (window, {group}):\n");
        for j in &score.worst {
            out += &worst_line(j, &asked.grouping);
        }
    }
    out
}

/// The JSON report.
#[derive(Serialize)]
struct Report<'a> {
    scenario: &'a str,
    seed: u64,
    start: &'a str,
    window_ms: u64,
    source: &'a str,
    measure: &'static str,
    window_field: &'a str,
    group_field: Option<&'a str>,
    group_by: String,
    count_field: &'a str,
    /// `rfc3339`, `epoch_ms`, `epoch_s`, or `null` (none read, or several).
    window_format: Option<&'static str>,
    window_formats: BTreeMap<&'static str, u64>,
    records: u64,
    replaced: u64,
    outside_run: u64,
    unreadable: u64,
    first_unreadable: Option<&'a str>,
    windows: u64,
    right: u64,
    wrong: u64,
    missing: u64,
    extra: u64,
    tolerance: f64,
    mae: f64,
    max_error: f64,
    passed: bool,
    worst: Vec<Worst>,
}

/// One of the worst windows in the report.
#[derive(Serialize)]
struct Worst {
    window_start: String,
    window_start_ms: i64,
    group: String,
    truth: u64,
    got: Option<f64>,
    error: f64,
    verdict: &'static str,
}

/// The report `--report FILE` writes: pretty JSON with a final newline.
pub(crate) fn json(o: &Outcome) -> String {
    let (asked, gathered, score) = (o.asked, o.gathered, o.score);
    let report = Report {
        scenario: o.scenario,
        seed: o.seed,
        start: o.start,
        window_ms: o.window_ms,
        source: &asked.source,
        measure: asked.measure.name(),
        window_field: &asked.fields.window,
        group_field: asked.fields.group.as_deref(),
        group_by: match &asked.grouping {
            Grouping::All => "all".into(),
            Grouping::Camera => "camera".into(),
            Grouping::Attribute(name) => name.clone(),
        },
        count_field: &asked.fields.count,
        window_format: gathered.format().map(|f| f.name()),
        window_formats: gathered
            .formats
            .iter()
            .map(|(f, n)| (f.name(), *n))
            .collect(),
        records: gathered.records,
        replaced: gathered.replaced,
        outside_run: gathered.outside,
        unreadable: gathered.unreadable,
        first_unreadable: gathered.first_unreadable.as_deref(),
        windows: score.windows(),
        right: score.right,
        wrong: score.wrong,
        missing: score.missing,
        extra: score.extra,
        tolerance: asked.tolerance,
        mae: score.mae,
        max_error: score.max,
        passed: score.passed(),
        worst: score
            .worst
            .iter()
            .map(|j| Worst {
                window_start: instant(j.window_ms),
                window_start_ms: j.window_ms,
                group: j.group.clone(),
                truth: j.truth.unwrap_or(0),
                got: j.got,
                error: j.error,
                verdict: j.verdict.name(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
