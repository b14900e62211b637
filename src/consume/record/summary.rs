//! What a recording holds and why it stopped, counted as it is written, and said in a
//! few lines on stderr.

use std::fmt;

use chrono::{DateTime, SecondsFormat};

use crate::text::thousands;

/// Why a recording stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// Every partition reached `--until`.
    Until,
    /// Nothing new for `--idle-timeout`.
    Idle,
    /// Every partition read to the end the broker gives.
    Drained,
    /// `--duration` of wall-clock time passed.
    Duration,
    /// `--max-messages` were written.
    MaxMessages,
    /// Ctrl-C.
    Interrupted,
}

/// One topic's share of a recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicTally {
    /// The topic.
    pub name: String,
    /// Its partitions.
    pub partitions: u32,
    /// Messages written.
    pub messages: u64,
    /// Bytes of lines written.
    pub bytes: u64,
    /// The earliest and latest timestamps written (ms since the epoch).
    pub first_ms: i64,
    /// See `first_ms`.
    pub last_ms: i64,
    /// Messages stamped earlier than the one before them in their partition.
    pub out_of_order: u64,
}

impl TopicTally {
    /// Counts a line of `bytes` for a message stamped `ts`.
    pub fn add(&mut self, ts: i64, bytes: u64) {
        self.first_ms = self.first_ms.min(ts);
        self.last_ms = self.last_ms.max(ts);
        self.messages += 1;
        self.bytes += bytes;
    }
}

/// What a recording wrote, and what it skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tally {
    /// Per topic, in the order given.
    pub topics: Vec<TopicTally>,
    /// Messages waiting in the partitions when the read began (from where it began to
    /// the high watermarks then): what a recording of the past has before it.
    pub backlog: u64,
    /// Messages skipped for being stamped before `--since`.
    pub before: u64,
    /// Messages skipped for being stamped at or after `--until`.
    pub after: u64,
    /// Why it stopped, once it has.
    pub end: Option<End>,
}

impl Tally {
    /// Nothing recorded yet of `topics`.
    pub fn new(topics: &[String]) -> Tally {
        Tally {
            topics: topics
                .iter()
                .map(|name| TopicTally {
                    name: name.clone(),
                    partitions: 0,
                    messages: 0,
                    bytes: 0,
                    first_ms: i64::MAX,
                    last_ms: i64::MIN,
                    out_of_order: 0,
                })
                .collect(),
            backlog: 0,
            before: 0,
            after: 0,
            end: None,
        }
    }

    /// Messages written, over every topic.
    pub fn messages(&self) -> u64 {
        self.topics.iter().map(|t| t.messages).sum()
    }

    /// Bytes written, over every topic.
    pub fn bytes(&self) -> u64 {
        self.topics.iter().map(|t| t.bytes).sum()
    }

    /// Messages read, written or skipped: how far into the backlog the read is.
    pub fn read(&self) -> u64 {
        self.messages() + self.before + self.after
    }
}

/// A tally with where it went and how long it took: the summary printed at the end.
pub(crate) struct Summary<'a> {
    /// The tally.
    pub tally: &'a Tally,
    /// Where the lines went (`stdout` or a path).
    pub output: &'a str,
    /// Seconds the recording took.
    pub seconds: f64,
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tally = self.tally;
        let rate = tally.messages() as f64 / self.seconds.max(1e-9);
        writeln!(
            f,
            "simulate: recorded {} messages ({}) to {} in {:.1} s ({} messages/s)",
            thousands(tally.messages()),
            size(tally.bytes()),
            self.output,
            self.seconds,
            thousands(rate.round() as u64)
        )?;
        for topic in &tally.topics {
            write!(
                f,
                "  {}: {} messages from {} partitions",
                topic.name,
                thousands(topic.messages),
                topic.partitions
            )?;
            if topic.messages > 0 {
                write!(
                    f,
                    ", stamped {} .. {}",
                    instant(topic.first_ms),
                    instant(topic.last_ms)
                )?;
            }
            writeln!(f)?;
            if topic.out_of_order > 0 {
                writeln!(
                    f,
                    "    {} stamped before the message before them in their partition (a \
                     replay plays them in timestamp order)",
                    thousands(topic.out_of_order)
                )?;
            }
        }
        if tally.before + tally.after > 0 {
            writeln!(
                f,
                "  skipped: {} stamped before --since, {} at or after --until",
                thousands(tally.before),
                thousands(tally.after)
            )?;
        }
        let why = match tally.end {
            Some(End::Until) => "every partition reached --until",
            Some(End::Idle) => "nothing new for --idle-timeout",
            Some(End::Drained) => "every partition read to its end",
            Some(End::Duration) => "--duration passed",
            Some(End::MaxMessages) => "--max-messages written",
            Some(End::Interrupted) => "interrupted; the file ends with a whole line",
            None => "still recording",
        };
        writeln!(f, "  ended: {why}")
    }
}

/// An instant in ms as RFC 3339, to the millisecond.
fn instant(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or(ms.to_string(), |t| {
        t.to_rfc3339_opts(SecondsFormat::Millis, true)
    })
}

/// A byte count in B, KB, MB or GB (powers of 1000).
fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} B"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{:.2} GB", b as f64 / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_says_what_each_topic_holds_what_was_skipped_and_why_it_stopped() {
        let mut tally = Tally::new(&["a".into(), "b".into()]);
        tally.topics[0].partitions = 3;
        tally.topics[1].partitions = 1;
        tally.topics[0].add(1_767_254_400_000, 600);
        tally.topics[0].add(1_767_254_401_500, 700);
        tally.topics[0].out_of_order = 1;
        tally.before = 2;
        tally.end = Some(End::Idle);
        let text = Summary {
            tally: &tally,
            output: "out.jsonl",
            seconds: 2.0,
        }
        .to_string();
        assert!(
            text.starts_with(
                "simulate: recorded 2 messages (1.3 KB) to out.jsonl in 2.0 s (1 messages/s)"
            ),
            "{text}"
        );
        assert!(text.contains("  a: 2 messages from 3 partitions, stamped 2026-01-01T08:00:00.000Z .. 2026-01-01T08:00:01.500Z\n"), "{text}");
        assert!(
            text.contains("  b: 0 messages from 1 partitions\n"),
            "{text}"
        );
        assert!(
            text.contains("1 stamped before the message before them"),
            "{text}"
        );
        assert!(
            text.contains("skipped: 2 stamped before --since, 0 at or after --until"),
            "{text}"
        );
        assert!(
            text.ends_with("ended: nothing new for --idle-timeout\n"),
            "{text}"
        );
    }
}
