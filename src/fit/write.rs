//! The fitted scenario as commented YAML: every choice beside the evidence for it (the
//! counts, the tests, the ranked candidates), in the syntax of docs/scenario-format.md.

use std::fmt::Write as _;

use chrono::{DateTime, SecondsFormat};

use super::gaps::{Candidate, Family};
use super::payload::{Inferred, Written};
use super::rate::{DAY_MS, RateTest};
use super::topics::Topic;
use super::{Arrivals, Fitted};
use crate::scenario::Nanos;

/// The scenario text for `fitted`, read from `source` (a name for the header comment).
pub fn render(fitted: &Fitted, source: &str) -> String {
    let mut out = String::new();
    header(&mut out, fitted, source);
    out.push_str("streams:\n  - name: fitted\n");
    stream(&mut out, fitted);
    out
}

/// The scenario text for a recording of several topics: a stream per topic fitted
/// ([`super::topics::Topics`]), the others named in a comment.
pub fn render_topics(topics: &[Topic], source: &str) -> String {
    if let [
        Topic {
            fitted: Ok(only), ..
        },
    ] = topics
    {
        return render(only, source);
    }
    let fitted: Vec<(&Topic, &Fitted)> = topics
        .iter()
        .filter_map(|t| t.fitted.as_ref().ok().map(|f| (t, f)))
        .collect();
    render_streams(topics, &fitted, source)
}

fn render_streams(topics: &[Topic], fitted: &[(&Topic, &Fitted)], source: &str) -> String {
    let mut out = String::new();
    let events: usize = topics.iter().map(|t| t.events).sum();
    let start = fitted.iter().map(|(_, f)| f.start_ms).min().unwrap_or(0);
    let end = fitted
        .iter()
        .map(|(_, f)| f.start_ms + f.span_ms)
        .max()
        .unwrap_or(start);
    let _ = writeln!(
        out,
        "# Fitted by `simulate fit` from {source}: {events} events of {} topics from {} to {}, a stream per topic.",
        topics.len(),
        instant(start),
        instant(end)
    );
    out.push_str(
        "# `simulate validate` loads it; its dry run plays events like the recording's.\n",
    );
    let out_of_order: u64 = fitted.iter().map(|(_, f)| f.out_of_order).sum();
    if out_of_order > 0 {
        let _ = writeln!(
            out,
            "# Timestamps out of order (before one read above them on their partition): {out_of_order}; sorted by timestamp."
        );
    }
    for topic in topics {
        if let Err(why) = &topic.fitted {
            let _ = writeln!(
                out,
                "# topic {} ({}) not fitted: {why}",
                super::topics::label(topic),
                super::topics::events(topic.events)
            );
        }
    }
    out.push_str("seed: 0\n");
    let _ = writeln!(out, "start: {}  # the first timestamp", instant(start));
    let _ = writeln!(
        out,
        "duration: {}  # the recording's span",
        duration_ms(end - start)
    );
    out.push_str("streams:\n");
    for (topic, f) in fitted {
        let name = topic.name.as_deref().unwrap_or("fitted");
        let _ = writeln!(out, "  - name: {}", serde_json::Value::from(name));
        match &topic.name {
            Some(t) => {
                let _ = writeln!(
                    out,
                    "    topic: {}  # {} events",
                    serde_json::Value::from(t.as_str()),
                    topic.events
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "    # no topic recorded: the default; {} events",
                    topic.events
                );
            }
        }
        stream(&mut out, f);
    }
    out
}

/// One stream's body: cameras, arrivals, gaps, rate, key and headers, payload.
fn stream(out: &mut String, fitted: &Fitted) {
    cameras(out, fitted);
    arrivals(out, fitted);
    inter_arrival(out, fitted);
    rate(out, &fitted.rate);
    keys(out, fitted);
    payload(out, fitted);
}

/// ms as a scenario duration: `1h30m`, `250ms`.
fn duration_ms(ms: i64) -> String {
    Nanos(ms.max(0) as u64 * 1_000_000).to_string()
}

/// A duration parameter in ms, with decimals: `412.5ms`, `12.5us` below a millisecond.
pub fn duration(ms: f64) -> String {
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    if ms >= 1.0 || ms == 0.0 {
        format!("{}ms", round(ms))
    } else if ms >= 0.001 {
        format!("{}us", round(ms * 1000.0))
    } else {
        "1ns".to_string()
    }
}

/// A shape parameter: four significant decimals are plenty.
fn number(x: f64) -> String {
    format!("{}", (x * 10_000.0).round() / 10_000.0)
}

fn instant(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_else(|| ms.to_string())
}

fn header(out: &mut String, f: &Fitted, source: &str) {
    let _ = writeln!(
        out,
        "# Fitted by `simulate fit` from {source}: {} events from {} to {}.",
        f.events,
        instant(f.start_ms),
        instant(f.start_ms + f.span_ms)
    );
    out.push_str(
        "# `simulate validate` loads it; its dry run plays events like the recording's.\n",
    );
    if f.out_of_order > 0 {
        let _ = writeln!(
            out,
            "# Timestamps out of order (before one read above them on their partition): {}; sorted by timestamp.",
            f.out_of_order
        );
    }
    out.push_str("seed: 0\n");
    let _ = writeln!(out, "start: {}  # the first timestamp", instant(f.start_ms));
    let _ = writeln!(
        out,
        "duration: {}  # the recording's span",
        duration_ms(f.span_ms)
    );
    match f.topics.first() {
        Some((topic, count)) => {
            let _ = write!(
                out,
                "topic: {}  # {count} events",
                serde_json::Value::from(topic.as_str())
            );
            if f.topics.len() > 1 {
                let others: Vec<String> = f.topics[1..]
                    .iter()
                    .map(|(t, c)| format!("{t} ({c})"))
                    .collect();
                let _ = write!(
                    out,
                    "; also recorded, fitted together: {}",
                    others.join(", ")
                );
            }
            out.push('\n');
        }
        None => out.push_str("# topic: not recorded; the default `events`\n"),
    }
}

fn cameras(out: &mut String, f: &Fitted) {
    let counts: Vec<String> = f
        .cameras
        .iter()
        .map(|(id, c)| format!("{} ({c})", id.yaml()))
        .collect();
    let _ = writeln!(
        out,
        "    # cameras, with their events: {}",
        counts.join(", ")
    );
    if f.attributes.is_empty() {
        let ids: Vec<String> = f.cameras.iter().map(|(id, _)| id.yaml()).collect();
        let _ = writeln!(out, "    cameras: [{}]", ids.join(", "));
        return;
    }
    let names: Vec<String> = f.attributes.iter().map(|(name, _)| key(name)).collect();
    let _ = writeln!(
        out,
        "    # attributes: {}, one value per camera in every event",
        names.join(", ")
    );
    out.push_str("    cameras:\n");
    for (i, (id, _)) in f.cameras.iter().enumerate() {
        let values: Vec<String> = f
            .attributes
            .iter()
            .zip(&names)
            .map(|((_, values), name)| format!("{name}: {}", values[i]))
            .collect();
        let _ = writeln!(out, "      - {{id: {}, {}}}", id.yaml(), values.join(", "));
    }
}

fn arrivals(out: &mut String, f: &Fitted) {
    let compared = match f.ks_per_camera {
        Some(per) => format!(
            "the best fit is at KS distance {:.4} from the gaps between all events and {per:.4} from each camera's gaps",
            f.ks_merged
        ),
        None => "one camera".to_string(),
    };
    match f.arrivals {
        Arrivals::Shared => {
            let why = if f.weighted && f.ks_per_camera.is_some_and(|p| p < f.ks_merged) {
                format!(
                    "{compared}, but the cameras' shares differ, which one process per camera cannot give"
                )
            } else {
                compared
            };
            let _ = writeln!(
                out,
                "    # arrivals: shared, one process picking cameras: {why}"
            );
            out.push_str("    arrivals: shared\n");
            let (chi, p) = f.pick_test;
            if f.round_robin {
                out.push_str("    # pick: round_robin, the events visit the cameras in turn, always in this order\n");
                out.push_str("    pick: round_robin\n");
            } else if f.weighted {
                let weights: Vec<String> = f.cameras.iter().map(|(_, c)| c.to_string()).collect();
                let _ = writeln!(
                    out,
                    "    # pick: weighted by the counts (against equal shares: chi-square {chi:.1}, {} df, p = {})",
                    f.cameras.len().saturating_sub(1),
                    p_value(p)
                );
                let _ = writeln!(out, "    pick: {{weights: [{}]}}", weights.join(", "));
            } else if f.cameras.len() > 1 {
                let _ = writeln!(
                    out,
                    "    # pick: uniform, the counts are equal shares (chi-square {chi:.1}, {} df, p = {p:.3})",
                    f.cameras.len() - 1
                );
                out.push_str("    pick: uniform\n");
            }
        }
        Arrivals::PerCamera => {
            let _ = writeln!(
                out,
                "    # arrivals: per_camera, one process per camera: {compared}"
            );
            out.push_str("    arrivals: per_camera\n");
            if f.at_start {
                out.push_str(
                    "    first_event: at_start  # every camera's first event is at the start\n",
                );
            }
        }
    }
}

/// A candidate's parameters as the scenario writes them.
fn parameters(c: &Candidate) -> String {
    let parts: Vec<String> = c
        .family
        .parameters()
        .iter()
        .zip(&c.params)
        .map(|((name, is_duration), value)| {
            let value = if *is_duration {
                duration(*value)
            } else {
                number(*value)
            };
            format!("{name}: {value}")
        })
        .collect();
    parts.join(", ")
}

fn inter_arrival(out: &mut String, f: &Fitted) {
    let what = match f.arrivals {
        Arrivals::Shared => "the gaps between all events",
        Arrivals::PerCamera => "each camera's gaps",
    };
    let time = if f.rate.profile.is_some() {
        ", in the profile's operational time"
    } else {
        ""
    };
    let best = &f.candidates[0];
    if best.family == Family::Constant {
        let _ = writeln!(
            out,
            "    # inter-arrival: {} of {what}{time}, all within 1% of their mean",
            f.gaps
        );
    } else {
        let _ = writeln!(
            out,
            "    # inter-arrival: {} of {what}{time}, fitted by maximum likelihood, ranked by BIC",
            f.gaps
        );
        out.push_str(
            "    # (KS p-values are optimistic: the parameters come from the same gaps):\n",
        );
        for (i, c) in f.candidates.iter().enumerate() {
            let _ = writeln!(
                out,
                "    #   {}. {:<11} log-likelihood {:>14.1}  KS D {:.4}  p {:.3}  {{{}}}",
                i + 1,
                c.family.name(),
                c.log_likelihood.unwrap_or(f64::NAN),
                c.ks_d,
                c.ks_p,
                parameters(c)
            );
        }
    }
    let _ = writeln!(
        out,
        "    inter_arrival: {{distribution: {}, {}}}",
        best.family.name(),
        parameters(best)
    );
}

fn rate(out: &mut String, test: &RateTest) {
    if test.width_ms == 0 {
        out.push_str("    # rate: constant; too few events or too short a span to see it change\n");
        return;
    }
    let _ = write!(
        out,
        "    # rate: events counted in {} bins of {}: chi-square {:.1} against a constant rate, {} df, p = {}",
        test.bins,
        duration_ms(test.width_ms),
        test.chi_square,
        test.bins.saturating_sub(1),
        p_value(test.p)
    );
    let Some(profile) = &test.profile else {
        out.push_str(": constant\n");
        return;
    };
    match test.days_alike {
        Some(r) if profile.daily => {
            let _ = writeln!(
                out,
                ";\n    # the days look alike (each day's hourly counts correlate {r:.3} or better with the others'): a daily profile in bins of {}",
                duration_ms(profile.width_ms)
            );
        }
        Some(r) => {
            let _ = writeln!(
                out,
                ";\n    # the days differ (a correlation of {r:.3}): one profile over the whole span"
            );
        }
        None => out.push_str(": a profile over the span\n"),
    }
    let points: Vec<String> = profile
        .factors
        .iter()
        .enumerate()
        .map(|(i, factor)| {
            format!(
                "{{at: {}, factor: {factor}}}",
                duration_ms(i as i64 * profile.width_ms)
            )
        })
        .collect();
    let _ = write!(
        out,
        "    rate:\n      points: [{}]\n      interpolate: step\n",
        points.join(", ")
    );
    if profile.daily {
        let _ = writeln!(out, "      repeat: {}", duration_ms(DAY_MS));
    }
}

fn keys(out: &mut String, f: &Fitted) {
    match f.keys {
        None => out.push_str("    # key: the input has no keys; the default, the camera id\n"),
        Some(k) if k.absent == f.events as u64 => {
            out.push_str("    key: none  # no event had a key\n")
        }
        Some(k) if k.camera < f.events as u64 => {
            let _ = writeln!(
                out,
                "    # key: the camera id (the default); recorded: {} keyed by camera, {} by something else, {} without",
                k.camera, k.other, k.absent
            );
        }
        Some(_) => {}
    }
    if f.with_headers == 0 {
        return;
    }
    if !f.headers_left.is_empty() {
        let _ = writeln!(
            out,
            "    # headers left out (not in every event, or neither one value, the field of their name nor the camera): {}",
            f.headers_left.join(", ")
        );
    }
    if !f.headers.is_empty() {
        let pairs: Vec<String> = f
            .headers
            .iter()
            .map(|(name, value)| format!("{}: {value}", key(name)))
            .collect();
        let _ = writeln!(out, "    headers: {{{}}}", pairs.join(", "));
    }
}

/// A p-value for a comment: three decimals, or an exponent when small.
fn p_value(p: f64) -> String {
    if p >= 0.001 {
        format!("{p:.3}")
    } else {
        format!("{p:.1e}")
    }
}

/// A name as a YAML key: plain when it is a simple word that YAML reads as text.
fn key(name: &str) -> String {
    let simple = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"]
            .contains(&name.to_ascii_lowercase().as_str());
    match simple {
        true => name.to_string(),
        false => serde_json::Value::from(name).to_string(),
    }
}

fn payload(out: &mut String, f: &Fitted) {
    if f.opaque > 0 {
        let _ = writeln!(
            out,
            "    # {} values are not JSON objects: their fields are not fitted",
            f.opaque
        );
    }
    match &f.payload {
        Some(fields) if fields.is_empty() => out.push_str("    payload: {}\n"),
        Some(fields) => {
            out.push_str("    payload:\n");
            fields_at(out, fields, 6);
        }
        None => out.push_str(
            "    # payload: no value was a JSON object; the scenario's default fields (event_id, timestamp, camera_id)\n",
        ),
    }
}

fn fields_at(out: &mut String, fields: &[Inferred], indent: usize) {
    let pad = " ".repeat(indent);
    for field in fields {
        let name = key(&field.name);
        let note = field
            .note
            .as_ref()
            .map(|n| format!("  # {n}"))
            .unwrap_or_default();
        match &field.value {
            Written::Line(line) => {
                let _ = writeln!(out, "{pad}{name}: {line}{note}");
            }
            Written::Attribute(_) => {
                let _ = writeln!(out, "{pad}{name}: {{gen: camera, attribute: {name}}}{note}");
            }
            Written::Object(children) if children.is_empty() => {
                let _ = writeln!(out, "{pad}{name}: {{}}{note}");
            }
            Written::Object(children) => {
                let _ = writeln!(out, "{pad}{name}:{note}");
                fields_at(out, children, indent + 2);
            }
        }
    }
}
