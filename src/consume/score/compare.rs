//! The records of a pipeline's output gathered ([`Gathered`]: the latest record per
//! window and group, what was replaced, unreadable or outside the run) and judged
//! against the truth ([`compare`]): every window either lists is right, wrong, missing
//! or extra, with its absolute error.
//!
//! The windows scored are those the truth lists (zeros included) and those the records
//! give inside the run. A window without a record counts as 0 in the error: right when
//! the truth says 0 (a pipeline need not write empty windows), missing otherwise. A
//! record for a window or group the truth does not list is judged against 0: right when
//! it says 0, extra otherwise. The mean absolute error is over every window scored.

use std::collections::BTreeMap;

use super::expected::Expected;
use super::record::{self, Fields, WindowFormat};

/// How many of the worst windows a score shows.
pub(crate) const WORST: usize = 5;

/// The records read so far: per (window start ms, group), the latest count.
#[derive(Debug, Clone, Default)]
pub(crate) struct Gathered {
    /// Per (window start ms, group): the latest record's count.
    pub latest: BTreeMap<(i64, String), f64>,
    /// Records read (every one, readable or not).
    pub records: u64,
    /// Records replaced by a later one for the same window and group.
    pub replaced: u64,
    /// Records whose window lies outside the run.
    pub outside: u64,
    /// Records that are not JSON objects with the fields asked for.
    pub unreadable: u64,
    /// The first unreadable record: where it was, why, and its text (cut short).
    pub first_unreadable: Option<String>,
    /// How the window starts were written, with how many records each.
    pub formats: BTreeMap<WindowFormat, u64>,
}

impl Gathered {
    /// Counts the record `value` found at `place` (e.g. `line 3`, `partition 0 offset
    /// 12`): its count replaces any earlier one for its window and group.
    pub(crate) fn add(&mut self, place: &str, value: &[u8], fields: &Fields, truth: &Expected) {
        self.records += 1;
        let record = match record::parse(value, fields) {
            Ok(r) => r,
            Err(why) => {
                self.unreadable += 1;
                if self.first_unreadable.is_none() {
                    self.first_unreadable = Some(format!("{place}: {why}: {}", excerpt(value)));
                }
                return;
            }
        };
        *self.formats.entry(record.format).or_default() += 1;
        if !truth.inside(record.window_ms) {
            self.outside += 1;
            return;
        }
        let key = (record.window_ms, record.group);
        if self.latest.insert(key, record.count).is_some() {
            self.replaced += 1;
        }
    }

    /// How the window starts were written: one format, or `None` for none or several.
    pub(crate) fn format(&self) -> Option<WindowFormat> {
        match self.formats.keys().collect::<Vec<_>>()[..] {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// A record's text for a message: lossy UTF-8, at most 80 characters.
fn excerpt(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let text = text.trim_end();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// How one window was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verdict {
    /// Within the tolerance of the truth.
    Right,
    /// Further from the truth than the tolerance.
    Wrong,
    /// The truth has a value above 0; no record does.
    Missing,
    /// A record says a value above 0 where the truth lists none.
    Extra,
}

impl Verdict {
    /// How the report names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Right => "right",
            Verdict::Wrong => "wrong",
            Verdict::Missing => "missing",
            Verdict::Extra => "extra",
        }
    }
}

/// One window scored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Judged {
    /// The window's start, ms since the epoch.
    pub window_ms: i64,
    /// The group (empty: all).
    pub group: String,
    /// What the truth lists; `None` when it lists nothing there (0).
    pub truth: Option<u64>,
    /// What the latest record says; `None` when there is none.
    pub got: Option<f64>,
    /// |got − truth|, an absent value counting as 0.
    pub error: f64,
    /// The verdict.
    pub verdict: Verdict,
}

/// A pipeline's score.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Score {
    /// Windows scored, by verdict.
    pub right: u64,
    /// See [`Verdict::Wrong`].
    pub wrong: u64,
    /// See [`Verdict::Missing`].
    pub missing: u64,
    /// See [`Verdict::Extra`].
    pub extra: u64,
    /// The mean absolute error over every window scored (0 when none).
    pub mae: f64,
    /// The largest absolute error (0 when none).
    pub max: f64,
    /// The windows with the largest errors, at most [`WORST`], largest first (ties:
    /// earlier window, then group); windows without error left out.
    pub worst: Vec<Judged>,
}

impl Score {
    /// Every window scored.
    pub(crate) fn windows(&self) -> u64 {
        self.right + self.wrong + self.missing + self.extra
    }

    /// Whether the pipeline passes: every window right.
    pub(crate) fn passed(&self) -> bool {
        self.wrong == 0 && self.missing == 0 && self.extra == 0
    }
}

/// Scores the records `gathered` against `truth`, accepting an absolute error of at
/// most `tolerance`.
pub(crate) fn compare(truth: &Expected, gathered: &Gathered, tolerance: f64) -> Score {
    let mut keys: Vec<&(i64, String)> = truth.values.keys().collect();
    keys.extend(gathered.latest.keys());
    keys.sort();
    keys.dedup();
    let mut judged: Vec<Judged> = keys
        .into_iter()
        .map(|key| {
            let truth = truth.values.get(key).copied();
            let got = gathered.latest.get(key).copied();
            let want = truth.unwrap_or(0) as f64;
            let error = (got.unwrap_or(0.0) - want).abs();
            let verdict = match got {
                None if want > 0.0 => Verdict::Missing,
                Some(g) if truth.is_none() && g != 0.0 => Verdict::Extra,
                None | Some(_) if error <= tolerance => Verdict::Right,
                None | Some(_) => Verdict::Wrong,
            };
            Judged {
                window_ms: key.0,
                group: key.1.clone(),
                truth,
                got,
                error,
                verdict,
            }
        })
        .collect();
    let count = |v: Verdict| judged.iter().filter(|j| j.verdict == v).count() as u64;
    let (right, wrong, missing, extra) = (
        count(Verdict::Right),
        count(Verdict::Wrong),
        count(Verdict::Missing),
        count(Verdict::Extra),
    );
    let total: f64 = judged.iter().map(|j| j.error).sum();
    let mae = if judged.is_empty() {
        0.0
    } else {
        total / judged.len() as f64
    };
    let max = judged.iter().map(|j| j.error).fold(0.0, f64::max);
    // Stable: equal errors stay in (window, group) order.
    judged.sort_by(|a, b| b.error.total_cmp(&a.error));
    judged.retain(|j| j.error > 0.0);
    judged.truncate(WORST);
    Score {
        right,
        wrong,
        missing,
        extra,
        mae,
        max,
        worst: judged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;
    const T0: i64 = 1_767_225_600_000;

    /// A truth of three one-minute windows of cameras 1 and 2.
    fn truth() -> Expected {
        let mut values = BTreeMap::new();
        for (w, camera, count) in [
            (0, "1", 10),
            (0, "2", 5),
            (1, "1", 8),
            (1, "2", 0),
            (2, "1", 7),
        ] {
            values.insert((T0 + w * MIN, camera.to_string()), count);
        }
        Expected {
            values,
            first_ms: T0,
            end_ms: T0 + 3 * MIN,
        }
    }

    fn fields() -> Fields {
        Fields {
            window: "w".into(),
            group: Some("camera".into()),
            count: "n".into(),
        }
    }

    fn gather(lines: &[String]) -> Gathered {
        let (truth, mut gathered) = (truth(), Gathered::default());
        for (i, line) in lines.iter().enumerate() {
            gathered.add(
                &format!("line {}", i + 1),
                line.as_bytes(),
                &fields(),
                &truth,
            );
        }
        gathered
    }

    fn line(minute: i64, camera: u32, n: f64) -> String {
        format!(
            r#"{{"w": {}, "camera": {camera}, "n": {n}}}"#,
            (T0 + minute * MIN) / 1000
        )
    }

    #[test]
    fn the_truth_itself_scores_every_window_right() {
        let lines = [
            line(0, 1, 10.0),
            line(0, 2, 5.0),
            line(1, 1, 8.0),
            line(2, 1, 7.0),
        ];
        let gathered = gather(&lines);
        assert_eq!(gathered.format(), Some(WindowFormat::EpochS));
        let score = compare(&truth(), &gathered, 0.0);
        // The zero window (1, camera 2) without a record is right: 0 = 0.
        assert_eq!(
            (score.right, score.windows(), score.mae, score.max),
            (5, 5, 0.0, 0.0)
        );
        assert!(score.passed() && score.worst.is_empty());
    }

    #[test]
    fn wrong_missing_and_extra_windows_are_told_apart_with_their_errors() {
        let lines = [
            line(0, 1, 12.0), // wrong by 2
            line(0, 2, 5.0),
            line(1, 2, 3.0), // wrong by 3 (the truth says 0)
            line(2, 2, 4.0), // extra: the truth lists nothing
            line(2, 3, 0.0), // a 0 where nothing is listed: right
                             // (1, 1) missing: 8
        ];
        let score = compare(&truth(), &gather(&lines), 0.0);
        assert_eq!(
            (score.right, score.wrong, score.missing, score.extra),
            (2, 2, 2, 1),
            "{score:?}"
        );
        assert_eq!(score.windows(), 7);
        assert_eq!(score.max, 8.0);
        assert!((score.mae - (2.0 + 3.0 + 4.0 + 8.0 + 7.0) / 7.0).abs() < 1e-12);
        let worst: Vec<(i64, &str, Verdict)> = score
            .worst
            .iter()
            .map(|j| ((j.window_ms - T0) / MIN, j.group.as_str(), j.verdict))
            .collect();
        assert_eq!(
            worst,
            [
                (1, "1", Verdict::Missing),
                (2, "1", Verdict::Missing),
                (2, "2", Verdict::Extra),
                (1, "2", Verdict::Wrong),
                (0, "1", Verdict::Wrong),
            ]
        );
        assert!(!score.passed());
    }

    #[test]
    fn a_later_record_replaces_an_earlier_one() {
        let lines = [line(0, 1, 3.0), line(0, 1, 9.0), line(0, 1, 10.0)];
        let gathered = gather(&lines);
        assert_eq!((gathered.records, gathered.replaced), (3, 2));
        assert_eq!(gathered.latest.get(&(T0, "1".to_string())), Some(&10.0));
    }

    #[test]
    fn the_tolerance_accepts_an_absolute_error_up_to_it() {
        let lines = [
            line(0, 1, 12.0),
            line(0, 2, 4.0),
            line(1, 1, 8.0),
            line(2, 1, 7.5),
        ];
        let score = |t: f64| {
            let s = compare(&truth(), &gather(&lines), t);
            (s.right, s.wrong)
        };
        assert_eq!(score(0.0), (2, 3));
        assert_eq!(score(0.5), (3, 2));
        assert_eq!(score(1.0), (4, 1));
        assert_eq!(score(2.0), (5, 0));
    }

    #[test]
    fn records_outside_the_run_and_unreadable_ones_are_counted_apart() {
        let lines = [
            line(-1, 1, 4.0),
            line(3, 1, 4.0),
            "not json".to_string(),
            r#"{"w": 1767225600, "n": 1}"#.to_string(),
            line(0, 1, 10.0),
        ];
        let gathered = gather(&lines);
        assert_eq!(
            (gathered.records, gathered.outside, gathered.unreadable),
            (5, 2, 2)
        );
        assert_eq!(
            gathered
                .first_unreadable
                .as_deref()
                .map(|t| t.split(" (").next().unwrap()),
            Some("line 3: not JSON")
        );
        assert_eq!(gathered.latest.len(), 1);
    }

    #[test]
    fn mixed_window_formats_have_no_single_format() {
        let mut lines = vec![line(0, 1, 10.0)];
        lines.push(r#"{"w": "2026-01-01T00:01:00Z", "camera": 1, "n": 8}"#.into());
        let gathered = gather(&lines);
        assert_eq!(gathered.format(), None);
        assert_eq!(gathered.formats.len(), 2);
    }
}
