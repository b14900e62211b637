//! What a verification found: the counts, the verdict, the examples with the plan line
//! each should have been, as a summary for people and as JSON for `--report`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::matcher::{Example, Kind, Leftovers};

/// The result of reading a scenario's topics and comparing them with its plan.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct Verification {
    /// Messages the plan sends (dropped events excluded, planned duplicates twice).
    pub expected: u64,
    /// Planned messages found exactly once, unchanged.
    pub found_exactly_once: u64,
    /// Planned messages not found.
    pub missing: u64,
    /// Copies beyond the planned number of a planned message.
    pub duplicated: u64,
    /// Messages in place of a planned one (same topic and key, and the same timestamp
    /// or value) with something different.
    pub changed: u64,
    /// Messages the plan does not hold (from before the start, another run, another
    /// producer).
    pub unexpected: u64,
    /// Of the unexpected, those older than the start.
    pub before_start: u64,
    /// Messages read, within their key and partition, right after one planned later (a
    /// message out of place counts once).
    pub reordered: u64,
    /// Messages on another partition than the earlier messages of their key.
    pub moved_partition: u64,
    /// Planned messages the cluster had deleted (its retention) before they were read:
    /// counted by offsets only, not missing.
    pub expired: u64,
    /// Messages read.
    pub read: u64,
    /// The most messages held unmatched at once (what bounds the memory).
    pub peak_unmatched: u64,
    /// Whether the read ended because nothing new came for the idle timeout before the
    /// plan's last message was seen.
    pub idle_timeout: bool,
    /// Whether unexpected messages fail the verification (`--strict`).
    pub strict: bool,
    /// The first examples of each kind of problem.
    pub examples: Vec<ExampleJson>,
}

/// One problem, for people to look at.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExampleJson {
    /// `missing`, `duplicated`, `changed`, `unexpected`, `reordered` or `moved`.
    pub kind: String,
    /// The topic.
    pub topic: String,
    /// Where the message read is, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partition: Option<i32>,
    /// Its offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Its key (text, shortened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Its value (text, shortened).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What differs, or why it is a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The plan line (`--dry-run --format plan`) it should have been.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub planned: Option<String>,
}

impl Kind {
    /// The word for the kind, in the summary and the report.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Duplicated => "duplicated",
            Kind::Changed => "changed",
            Kind::Unexpected => "unexpected",
            Kind::Reordered => "reordered",
            Kind::Moved => "moved",
        }
    }
}

impl Verification {
    /// The verification of `expected` planned messages, `read` read, from what the
    /// matcher left; `topics` names the topic indices and `lines` holds the plan lines of
    /// the examples' planned messages.
    pub(crate) fn new(
        expected: u64,
        matched: u64,
        left: Leftovers,
        topics: &[&str],
        lines: &BTreeMap<u64, String>,
    ) -> Verification {
        let count = |k: Kind| left.counts[k as usize];
        let duplicated = count(Kind::Duplicated);
        let mut examples: Vec<(Kind, Example)> = left.examples;
        examples.extend(left.order);
        examples.sort_by_key(|(k, _)| *k);
        Verification {
            expected,
            found_exactly_once: matched.saturating_sub(duplicated),
            missing: count(Kind::Missing),
            duplicated,
            changed: count(Kind::Changed),
            unexpected: count(Kind::Unexpected),
            before_start: left.before_start,
            reordered: left.reordered,
            moved_partition: left.moved,
            examples: examples
                .into_iter()
                .map(|(kind, e)| ExampleJson {
                    kind: kind.word().into(),
                    topic: topics.get(e.topic as usize).copied().unwrap_or("?").into(),
                    partition: e.read.as_ref().map(|r| r.partition),
                    offset: e.read.as_ref().map(|r| r.offset),
                    key: e.read.as_ref().and_then(|r| r.shown.as_ref()?.key.clone()),
                    value: e
                        .read
                        .as_ref()
                        .and_then(|r| Some(r.shown.as_ref()?.value.clone())),
                    note: e.note,
                    planned: e.planned.and_then(|i| lines.get(&i).cloned()),
                })
                .collect(),
            ..Verification::default()
        }
    }

    /// Every planned message is there exactly once, unchanged, in order per key and on
    /// one partition per key; unexpected messages fail only when strict.
    pub fn ok(&self) -> bool {
        self.missing == 0
            && self.duplicated == 0
            && self.changed == 0
            && self.reordered == 0
            && self.moved_partition == 0
            && (!self.strict || self.unexpected == 0)
    }

    /// The words of the run's summary: the first line, and the rest only when something
    /// is wrong or was not compared.
    pub fn brief(&self) -> String {
        let clean = self.ok() && self.expired == 0 && self.unexpected == 0;
        match clean {
            true => self.headline(),
            false => self.to_string().trim_end().replace('\n', "\n    "),
        }
    }

    /// The summary's first line.
    pub fn headline(&self) -> String {
        let order = match self.reordered {
            0 => "per-key order kept".to_string(),
            n => format!("per-key order broken ({n} message{})", plural(n)),
        };
        format!(
            "{} expected, {} found exactly once, {} missing, {} duplicated, {} changed, {} unexpected, {order}",
            self.expected,
            self.found_exactly_once,
            self.missing,
            self.duplicated,
            self.changed,
            self.unexpected
        )
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.headline())?;
        match self.moved_partition {
            0 => writeln!(f, "  every key stayed on one partition")?,
            n => writeln!(
                f,
                "  {n} message{} on another partition than their key's first",
                plural(n)
            )?,
        }
        if self.before_start > 0 {
            writeln!(
                f,
                "  {} of the unexpected are older than the start (another run's?)",
                self.before_start
            )?;
        }
        if self.unexpected > 0 && !self.strict {
            writeln!(
                f,
                "  unexpected messages do not fail the verification without --strict"
            )?;
        }
        if self.expired > 0 {
            writeln!(
                f,
                "  {} older planned messages had been deleted by the cluster's retention (counted by offset, not compared)",
                self.expired
            )?;
        }
        if self.idle_timeout {
            writeln!(
                f,
                "  the read ended on the idle timeout, before the plan's last message was seen"
            )?;
        }
        writeln!(
            f,
            "  {} messages read; at most {} held unmatched at once",
            self.read, self.peak_unmatched
        )?;
        let mut last = "";
        for e in &self.examples {
            if e.kind != last {
                writeln!(f, "{}:", e.kind)?;
                last = &e.kind;
            }
            match (e.partition, e.offset) {
                (Some(p), Some(o)) => write!(f, "  {} partition {p} offset {o}", e.topic)?,
                _ => write!(f, "  {}", e.topic)?,
            }
            if let Some(k) = &e.key {
                write!(f, " key {k}")?;
            }
            if let Some(n) = &e.note {
                write!(f, " ({n})")?;
            }
            writeln!(f)?;
            match (&e.value, e.offset) {
                (Some(v), _) => writeln!(f, "    read:    {v}")?,
                (None, Some(_)) => writeln!(
                    f,
                    "    read:    (its text was not kept: it is at that offset)"
                )?,
                (None, None) => {}
            }
            if let Some(p) = &e.planned {
                writeln!(f, "    planned: {p}")?;
            }
        }
        Ok(())
    }
}
