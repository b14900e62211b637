//! A stream's faults: late and duplicated messages with their delays, drops, and
//! malformed values; each rate a probability, their sum at most 1.

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::model::{DelayedFault, FaultsFile, Length, Malformation};
use crate::scenario::payload::{Gen, Message, Value};
use crate::text::shortest;

/// A stream's faults: rates in [0, 1] whose sum is at most 1, delays that define a
/// distribution, a non-empty list of distinct malformations.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Late messages: sent a delay after their event time.
    pub late: Option<Delayed>,
    /// Duplicated messages: a second copy a delay after the first.
    pub duplicate: Option<Delayed>,
    /// The probability that an event is dropped (0 when not asked for).
    pub drop: f64,
    /// Malformed messages.
    pub malformed: Option<Malformed>,
}

/// A fault that delays a message: its rate and its delay.
#[derive(Debug, Clone, PartialEq)]
pub struct Delayed {
    /// The probability per event.
    pub rate: f64,
    /// The delay: fixed, or a valid distribution.
    pub delay: Length,
}

/// Malformed messages: their rate and the ways values are broken.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// The probability per event.
    pub rate: f64,
    /// The ways values are broken, distinct, at least one, in the order written.
    pub kinds: Vec<Malformation>,
}

/// Checks a stream's faults: each rate a probability, their sum at most 1, each delay a
/// duration or a valid distribution, the malformations distinct.
pub(super) fn faults(raw: FaultsFile, path: &FieldPath, problems: &mut Problems) -> Option<Faults> {
    let before = problems.len();
    let rate = |r: f64, at: FieldPath, problems: &mut Problems| {
        if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
            problems.push(
                Problem::new(
                    &at,
                    format!("a fault rate is a probability per event, from 0 to 1; found {r}"),
                )
                .help("write e.g. `rate: 0.01` for one event in a hundred"),
            );
        }
        r
    };
    let delayed = |d: Option<DelayedFault>, name: &str, problems: &mut Problems| {
        let d = d?;
        let at = path.key(name);
        let r = rate(d.rate, at.key("rate"), problems);
        if let Length::Random(spec) = &d.delay {
            for (param, message) in spec.problems() {
                problems.push(Problem::new(&at.key("delay").key(param), message));
            }
        }
        Some(Delayed {
            rate: r,
            delay: d.delay,
        })
    };
    let late = delayed(raw.late, "late", problems);
    let duplicate = delayed(raw.duplicate, "duplicate", problems);
    let drop = raw.drop.map_or(0.0, |d| {
        rate(d.rate, path.key("drop").key("rate"), problems)
    });
    let malformed = raw.malformed.map(|m| {
        let at = path.key("malformed");
        let r = rate(m.rate, at.key("rate"), problems);
        let kinds = match m.kinds {
            None => Malformation::DEFAULT.to_vec(),
            Some(kinds) => {
                if kinds.is_empty() {
                    problems.push(
                        Problem::new(&at.key("kinds"), "the list of kinds is empty")
                            .help("list at least one, or leave `kinds` out for all of them"),
                    );
                }
                for (i, kind) in kinds.iter().enumerate() {
                    if kinds[..i].contains(kind) {
                        problems.push(Problem::new(
                            &at.key("kinds").index(i),
                            format!("`{}` appears twice", kind.name()),
                        ));
                    }
                }
                kinds
            }
        };
        Malformed { rate: r, kinds }
    });
    if problems.len() > before {
        return None;
    }
    let total = late.as_ref().map_or(0.0, |d| d.rate)
        + duplicate.as_ref().map_or(0.0, |d| d.rate)
        + drop
        + malformed.as_ref().map_or(0.0, |m| m.rate);
    // One draw per event picks at most one fault: the rates share one unit interval.
    // (A hair over 1 from decimal rounding, such as 0.1 + 0.2 + 0.7, is allowed.)
    if total > 1.0 + 1e-9 {
        problems.push(
            Problem::new(
                path,
                format!("the fault rates add up to {}; an event gets at most one fault, so their sum must be at most 1", shortest(total)),
            )
            .help("lower some of the rates"),
        );
        return None;
    }
    Some(Faults {
        late,
        duplicate,
        drop,
        malformed,
    })
}

/// Checks that a stream whose faults list a binary kind (`bad_magic`, …) encodes its
/// values by a schema (`encoded`).
pub(super) fn check_binary(
    faults: &Faults,
    encoded: bool,
    path: &FieldPath,
    problems: &mut Problems,
) {
    let Some(malformed) = &faults.malformed else {
        return;
    };
    for (i, kind) in malformed.kinds.iter().enumerate() {
        if kind.is_binary() && !encoded {
            problems.push(
                Problem::new(
                    &path.key("malformed").key("kinds").index(i),
                    format!("`{}` breaks the Confluent wire format, and this stream's values are JSON text without one", kind.name()),
                )
                .help("give the stream `value: {format: avro}` (or `protobuf`, `json_schema`), or use the text kinds (`truncated`, `not_json`, …)"),
            );
        }
    }
}

/// Checks that a stream whose faults list `out_of_range` has a value with a range.
pub(super) fn check_out_of_range(
    faults: &Faults,
    message: &Message,
    path: &FieldPath,
    problems: &mut Problems,
) {
    let Some(malformed) = &faults.malformed else {
        return;
    };
    let Some(i) = malformed
        .kinds
        .iter()
        .position(|k| *k == Malformation::OutOfRange)
    else {
        return;
    };
    if !has_range(message) {
        problems.push(
            Problem::new(
                &path.key("malformed").key("kinds").index(i),
                "`out_of_range` needs a payload value with a range, and this stream's payload has none",
            )
            .help("add a field such as `{gen: int, min: 0, max: 12}` (or `float`, `sequence`, `bbox`), or remove `out_of_range`"),
        );
    }
}

/// Whether the payload has a value with a range (`int`, `float`, `sequence`, `bbox`),
/// which the `out_of_range` malformation needs.
fn has_range(message: &Message) -> bool {
    fn ranged(value: &Value) -> bool {
        match value {
            Value::Constant(_) => false,
            Value::Object(fields) => fields.iter().any(|(_, v)| ranged(v)),
            Value::Array(items) => items.iter().any(ranged),
            Value::Generated { generator, .. } => match generator {
                Gen::Float(_) | Gen::Int(_) | Gen::Sequence { .. } | Gen::Bbox(_) => true,
                Gen::EventId
                | Gen::Timestamp(_)
                | Gen::CameraId
                | Gen::Camera(_)
                | Gen::Choice { .. }
                | Gen::Normal(_)
                | Gen::EntityId
                | Gen::TrackId
                | Gen::Entity { .. } => false,
            },
        }
    }
    message
        .payload
        .as_ref()
        .is_some_and(|fields| fields.iter().any(|(_, v)| ranged(v)))
}
