//! Checks more than one part of a scenario file applies: a legal Kafka topic name (the
//! scenario's `topic` and a stream's), and weights (a shared stream's camera pick and a
//! `choice` generator's values). A leaf of `scenario`, so that validation and the
//! payload's validation both call it without importing each other.

use super::diagnostics::{FieldPath, Problem, Problems};

/// A legal Kafka topic name: 1 to 249 of `[A-Za-z0-9._-]`, not `.` or `..`.
pub(crate) fn check_topic(topic: &str) -> Result<(), String> {
    let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if topic.is_empty()
        || topic.len() > 249
        || topic == "."
        || topic == ".."
        || !topic.chars().all(legal)
    {
        Err(format!(
            "`{topic}` is not a legal Kafka topic name: use 1 to 249 letters, digits, `.`, `_` or `-`"
        ))
    } else {
        Ok(())
    }
}

/// Checks weights, one for each of `count` things (`what`: `cameras`, `values`): finite,
/// ≥ 0, at least one positive, with a finite sum.
pub(crate) fn check_weights(
    weights: Vec<f64>,
    count: Option<usize>,
    what: &str,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Vec<f64>> {
    let before = problems.len();
    if let Some(n) = count {
        if n != weights.len() {
            let one = what.strip_suffix('s').unwrap_or(what);
            let given = match weights.len() {
                1 => "1 weight".to_string(),
                k => format!("{k} weights"),
            };
            let things = if n == 1 { one } else { what };
            problems.push(
                Problem::new(path, format!("{given} for {n} {things}"))
                    .help(format!("give one weight per {one}, in list order")),
            );
        }
    }
    for (i, w) in weights.iter().enumerate() {
        if !(w.is_finite() && *w >= 0.0) {
            problems.push(Problem::new(
                &path.index(i),
                format!("a weight must be a finite number ≥ 0, found {w}"),
            ));
        }
    }
    if problems.len() == before && !weights.iter().any(|w| *w > 0.0) {
        let one = what.strip_suffix('s').unwrap_or(what);
        problems.push(
            Problem::new(path, "all weights are zero")
                .help(format!("at least one {one} needs a positive weight")),
        );
    }
    // rand's WeightedIndex panics (rather than erring) on a sum that overflows.
    if problems.len() == before && !weights.iter().sum::<f64>().is_finite() {
        problems.push(
            Problem::new(path, "the weights add up to more than the largest number")
                .help("scale them down: only their ratios matter"),
        );
    }
    (problems.len() == before).then_some(weights)
}
