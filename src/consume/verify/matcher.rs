//! Matching what a topic holds against what the plan says it should, one fingerprint
//! at a time: two multisets, the planned messages not yet seen and the messages read
//! but not yet planned, each entry leaving its set when its twin arrives. What is left
//! at the end is the problem, classified by [`Matcher::finish`]; memory is bounded by
//! the messages not yet matched, never by the run.
//!
//! Every lookup is by hash; nothing is iterated out of a hash map without being sorted
//! first, so the outcome does not depend on hashing.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::print::{ByPrint, Queue, put, take};
pub(crate) use super::print::{Print, encode_header};

/// Where a message read sits, and (for the first few held) what a person needs to
/// recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
    /// Its key and value as text, kept only for the first [`DESCRIBED`] messages held:
    /// a topic full of another run's messages must not cost their bytes.
    pub shown: Option<Box<Shown>>,
}

/// A message read, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    /// The key as text (lossy, shortened), if any.
    pub key: Option<String>,
    /// The value as text (lossy, shortened).
    pub value: String,
}

/// How many messages held keep their text for the examples.
pub(crate) const DESCRIBED: usize = 64;

/// A message read and not (yet) matched.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    /// Its print.
    pub print: Print,
    /// Where it is.
    pub place: Place,
}

/// A planned message: its print and its position in the plan (0-based, send order).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Planned {
    /// Its print.
    pub print: Print,
    /// Its index in the plan's messages.
    pub index: u64,
}

/// A planned message as held: 16 bytes, its whole print being the map's key. Its key
/// and value are not kept: a message read with the same whole print has the same key,
/// and what the classification at the end needs of those left is looked up again in
/// the plan, by index.
#[derive(Debug, Clone, Copy)]
struct Stored {
    timestamp: i64,
    /// The plan index above, the topic in the low 16 bits.
    index_topic: u64,
}

impl Stored {
    fn of(p: &Planned) -> Stored {
        Stored {
            timestamp: p.print.timestamp,
            index_topic: p.index << 16 | u64::from(p.print.topic & 0xffff),
        }
    }

    /// The planned message back, with `key` (and without its value's print, 0).
    fn planned(&self, whole: u64, key: Option<u64>) -> Planned {
        Planned {
            print: Print {
                topic: (self.index_topic & 0xffff) as u32,
                key,
                whole,
                value: 0,
                timestamp: self.timestamp,
            },
            index: self.index_topic >> 16,
        }
    }
}

/// Keys are compared by print, and a key's print of 0 is held as 1 (0 is "none" in
/// nothing any more, but the two sides must agree).
fn normal(mut print: Print) -> Print {
    print.key = print.key.map(|k| k.max(1));
    print
}

/// One problem, for its examples: the message read (if any) and the planned one (if any).
#[derive(Debug, Clone)]
pub(crate) struct Example {
    /// The topic's index.
    pub topic: u32,
    /// The message read.
    pub read: Option<Place>,
    /// The planned message's index in the plan (its plan line is looked up later).
    pub planned: Option<u64>,
    /// What differs, for a changed message.
    pub note: Option<String>,
}

/// How many examples of each kind are kept.
pub(crate) const EXAMPLES: usize = 5;

/// The kinds of problem, in the order the summary gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// A planned message not found.
    Missing,
    /// A planned message found more often than planned.
    Duplicated,
    /// A message in place of a planned one (same key, and same timestamp or value), with
    /// something else different.
    Changed,
    /// A message the plan does not hold.
    Unexpected,
    /// A message read, in its partition, before one planned before it (same key).
    Reordered,
    /// A message on another partition than the earlier messages of its key.
    Moved,
}

/// The matching in progress.
#[derive(Debug, Default)]
pub(crate) struct Matcher {
    /// Planned, not yet read; by whole print.
    planned: ByPrint<Stored>,
    planned_count: usize,
    /// Read, not yet planned; by whole print.
    read: ByPrint<Read>,
    read_count: usize,
    /// Per (topic, key): each partition its messages were read from, with how many and
    /// the plan index of the one matched there last (in read order).
    keys: HashMap<(u32, u64), Vec<OnPartition>>,
    /// Matched exactly once so far.
    pub matched: u64,
    /// Messages read, within their key and partition, right after one planned later.
    pub reordered: u64,
    /// Examples of order problems.
    order_examples: Vec<(Kind, Example)>,
    /// Planned messages given up on ([`Matcher::expire`], [`Matcher::unread`]): counted
    /// missing, the first few kept for examples.
    expired: u64,
    expired_examples: Vec<Planned>,
    /// The largest number of unmatched messages held at once.
    pub peak_unmatched: usize,
    /// Messages held with their text.
    described: usize,
    /// Messages read from before the start: counted, the first few kept, never held.
    old: u64,
    old_examples: Vec<Read>,
}

/// A key's messages on one partition.
#[derive(Debug, Clone)]
struct OnPartition {
    partition: i32,
    count: u64,
    last: u64,
    /// The first of them, for an example of a key on several partitions.
    first: Example,
}

impl Matcher {
    /// A planned message: matched with a message read earlier, or held.
    pub fn plan(&mut self, planned: Planned) {
        if let Some(planned) = self.match_planned(planned) {
            put(&mut self.planned, planned.print.whole, Stored::of(&planned));
            self.planned_count += 1;
            self.peak();
        }
    }

    /// Matches a planned message with a message read and held, if one is; else gives
    /// it back (its key's print made [`normal`]).
    fn match_planned(&mut self, planned: Planned) -> Option<Planned> {
        let planned = Planned {
            print: normal(planned.print),
            ..planned
        };
        match take(&mut self.read, planned.print.whole) {
            Some(read) => {
                self.read_count -= 1;
                self.matched(&planned, &read.place);
                None
            }
            None => Some(planned),
        }
    }

    /// A message read: matched with a planned one, or held.
    pub fn read(&mut self, mut read: Read) {
        read.print = normal(read.print);
        if let Some(stored) = take(&mut self.planned, read.print.whole) {
            let planned = stored.planned(read.print.whole, read.print.key);
            self.planned_count -= 1;
            self.matched(&planned, &read.place);
        } else {
            self.described += usize::from(read.place.shown.is_some());
            put(&mut self.read, read.print.whole, read);
            self.read_count += 1;
            self.peak();
        }
    }

    /// A message read whose timestamp is before the run's start: unexpected, counted
    /// without being held.
    pub fn old(&mut self, read: Read) {
        self.old += 1;
        if self.old_examples.len() < EXAMPLES {
            self.old_examples.push(read);
        }
    }

    /// A planned message once the read has ended: matched with a message read, or
    /// counted missing without being held (the first few kept for examples).
    pub fn unread(&mut self, planned: Planned) {
        if let Some(planned) = self.match_planned(planned) {
            self.give_up(planned);
        }
    }

    fn give_up(&mut self, planned: Planned) {
        self.expired += 1;
        if self.expired_examples.len() < EXAMPLES {
            self.expired_examples.push(planned);
        }
    }

    /// Whether a message read with this print should be described (its text kept):
    /// it would be held, and few are described yet.
    pub fn describes(&self, whole: u64) -> bool {
        self.described < DESCRIBED && !self.planned.contains_key(&whole)
    }

    /// Whether a message read from before the start would be kept as an example.
    pub fn keeps_old(&self) -> bool {
        self.old_examples.len() < EXAMPLES
    }

    /// Planned messages held.
    pub fn planned_held(&self) -> usize {
        self.planned_count
    }

    fn peak(&mut self) {
        self.peak_unmatched = self
            .peak_unmatched
            .max(self.planned_count + self.read_count);
    }

    fn matched(&mut self, planned: &Planned, place: &Place) {
        self.matched += 1;
        let Some(key) = planned.print.key else { return };
        let parts = self.keys.entry((planned.print.topic, key)).or_default();
        let example = || Example {
            topic: planned.print.topic,
            read: Some(place.clone()),
            planned: Some(planned.index),
            note: None,
        };
        // Kafka orders a key's messages within a partition only: order is checked there.
        let Some(part) = parts.iter_mut().find(|p| p.partition == place.partition) else {
            parts.push(OnPartition {
                partition: place.partition,
                count: 1,
                last: planned.index,
                first: example(),
            });
            return;
        };
        part.count += 1;
        // A message planned before the one read just before it, on its key's partition:
        // one message out of place counts once, whether it came early or late.
        let previous = std::mem::replace(&mut part.last, planned.index);
        if planned.index > previous {
            return;
        }
        self.reordered += 1;
        let shown = self.order_examples.len();
        if shown < EXAMPLES {
            let mut e = example();
            e.note = Some(format!(
                "read right after plan message {previous} of the same key"
            ));
            self.order_examples.push((Kind::Reordered, e));
        }
    }

    /// The messages on another partition than most of their key's, with examples: the
    /// first message of each such key on each of its other partitions.
    fn moved(keys: HashMap<(u32, u64), Vec<OnPartition>>) -> (u64, Vec<(Kind, Example)>) {
        let mut split: Vec<Vec<OnPartition>> =
            keys.into_values().filter(|parts| parts.len() > 1).collect();
        let mut moved = 0;
        let mut examples = Vec::new();
        for parts in &mut split {
            // The key's partition is where most of its messages are (ties: the lowest).
            parts.sort_by_key(|p| (std::cmp::Reverse(p.count), p.partition));
            let home = parts[0].partition;
            for other in &parts[1..] {
                moved += other.count;
                let mut e = other.first.clone();
                e.note = Some(format!(
                    "most of its key's messages are on partition {home}"
                ));
                examples.push(e);
            }
        }
        examples.sort_by_key(|e| e.planned);
        examples.truncate(EXAMPLES);
        (
            moved,
            examples.into_iter().map(|e| (Kind::Moved, e)).collect(),
        )
    }

    /// Gives up on the planned messages held whose timestamp is before `before` (ms):
    /// they count as missing (where every partition has been read past that instant,
    /// they cannot arrive any more), so that memory stays bounded on a cluster that
    /// deleted old messages.
    pub fn expire(&mut self, before: i64) {
        let mut gone: Vec<Planned> = Vec::new();
        let prints: Vec<u64> = self.planned.keys().copied().collect();
        for print in prints {
            let Some(queue) = self.planned.remove(&print) else {
                continue;
            };
            for p in queue.into_iter() {
                match p.timestamp < before {
                    true => gone.push(p.planned(print, None)),
                    false => put(&mut self.planned, print, p),
                }
            }
        }
        gone.sort_by_key(|p| p.index);
        self.planned_count -= gone.len();
        for p in gone {
            self.give_up(p);
        }
        self.expired_examples.sort_by_key(|p| p.index);
        self.expired_examples.truncate(EXAMPLES);
    }

    /// The plan indices of the planned messages held (for [`Matcher::finish`], which
    /// needs their keys and values back).
    pub fn held_indices(&self) -> std::collections::BTreeSet<u64> {
        let held = self
            .planned
            .values()
            .flat_map(|q| std::iter::once(&q.first).chain(q.rest.iter().flat_map(|r| r.iter())));
        held.map(|s| s.index_topic >> 16).collect()
    }

    /// The prints, whole and [loose](Print::loose), of the messages read and held (for
    /// [`Matcher::finish`]'s look at the whole plan).
    pub fn read_prints(&self) -> std::collections::BTreeSet<u64> {
        let held = self
            .read
            .values()
            .flat_map(|q| std::iter::once(&q.first).chain(q.rest.iter().flat_map(|r| r.iter())));
        held.flat_map(|r| [r.print.whole, r.print.loose()])
            .collect()
    }

    /// Classifies what is left once the whole plan was handed over and the read ended:
    /// messages read before `start_ms` are unexpected; a message read in place of a
    /// missing planned one of the same topic and key, with the same timestamp or the
    /// same value, is changed; a message whose print `planned` (a later look at the
    /// whole plan) knows is duplicated; the rest unexpected; planned ones left missing.
    /// `print_of` gives the whole print of the planned message at an index of
    /// [`Matcher::held_indices`].
    pub fn finish(
        self,
        start_ms: i64,
        planned: &dyn Fn(u64) -> bool,
        print_of: &dyn Fn(u64) -> Option<Print>,
    ) -> Leftovers {
        let kept_examples = self.expired_examples.clone();
        let mut missing: Vec<Planned> = self
            .planned
            .into_iter()
            .flat_map(|(whole, queue)| queue.into_iter().map(move |s| s.planned(whole, None)))
            .map(|p| match print_of(p.index) {
                Some(print) => Planned {
                    print: normal(print),
                    index: p.index,
                },
                None => p,
            })
            .collect();
        missing.sort_by_key(|p| p.index);
        let mut read: Vec<Read> = self.old_examples;
        let old = self.old;
        read.extend(self.read.into_values().flat_map(Queue::into_iter));
        read.sort_by(|a, b| {
            (a.print.topic, a.place.partition, a.place.offset).cmp(&(
                b.print.topic,
                b.place.partition,
                b.place.offset,
            ))
        });
        let (moved, mut order) = Matcher::moved(self.keys);
        order.extend(self.order_examples);
        let mut out = Leftovers {
            order,
            reordered: self.reordered,
            moved,
            ..Leftovers::default()
        };
        // The old ones not kept as examples are counted here; those kept, below.
        let kept = read.iter().filter(|r| r.print.timestamp < start_ms).count() as u64;
        out.counts[Kind::Unexpected as usize] += old.saturating_sub(kept);
        out.before_start += old.saturating_sub(kept);
        // Pairs by (topic, key, timestamp), then by (topic, key, value).
        let mut by_time: BTreeMap<(u32, Option<u64>, i64), VecDeque<usize>> = BTreeMap::new();
        let mut by_value: BTreeMap<(u32, Option<u64>, u64), VecDeque<usize>> = BTreeMap::new();
        for (i, p) in missing.iter().enumerate() {
            let k = (p.print.topic, p.print.key, p.print.timestamp);
            by_time.entry(k).or_default().push_back(i);
            let k = (p.print.topic, p.print.key, p.print.value);
            by_value.entry(k).or_default().push_back(i);
        }
        let mut paired = vec![false; missing.len()];
        let pop = |queue: Option<&mut VecDeque<usize>>, paired: &mut Vec<bool>| {
            let queue = queue?;
            while let Some(i) = queue.pop_front() {
                if !paired[i] {
                    paired[i] = true;
                    return Some(i);
                }
            }
            None
        };
        for r in read {
            let p = r.print;
            if p.timestamp < start_ms {
                out.add(
                    Kind::Unexpected,
                    Example::read(&r, Some("from before the start")),
                );
                out.before_start += 1;
                continue;
            }
            let same_time = pop(by_time.get_mut(&(p.topic, p.key, p.timestamp)), &mut paired);
            let twin = same_time
                .map(|i| (i, "the value or headers differ"))
                .or_else(|| {
                    pop(by_value.get_mut(&(p.topic, p.key, p.value)), &mut paired)
                        .map(|i| (i, "the timestamp or headers differ"))
                });
            if let Some((i, note)) = twin {
                let mut e = Example::read(&r, Some(note));
                e.planned = Some(missing[i].index);
                out.add(Kind::Changed, e);
            } else if planned(p.whole) {
                out.add(Kind::Duplicated, Example::read(&r, None));
            } else if planned(p.loose()) {
                let note = Some("a copy with another timestamp or headers");
                out.add(Kind::Duplicated, Example::read(&r, note));
            } else {
                out.add(Kind::Unexpected, Example::read(&r, None));
            }
        }
        let unpaired = missing.iter().zip(&paired).filter(|(_, p)| !**p);
        let gone: Vec<Planned> = unpaired.map(|(p, _)| *p).collect();
        out.counts[Kind::Missing as usize] = self.expired + gone.len() as u64;
        out.add_missing(kept_examples, gone);
        out
    }
}

impl Example {
    fn read(r: &Read, note: Option<&str>) -> Example {
        Example {
            topic: r.print.topic,
            read: Some(r.place.clone()),
            planned: None,
            note: note.map(str::to_string),
        }
    }
}

/// What [`Matcher::finish`] found left over.
#[derive(Debug, Default)]
pub(crate) struct Leftovers {
    /// Counts by [`Kind`] of missing, duplicated, changed and unexpected messages.
    pub counts: [u64; 4],
    /// Messages read from before the start (among the unexpected).
    pub before_start: u64,
    /// Messages read out of order within their key.
    pub reordered: u64,
    /// Messages on another partition than their key's first.
    pub moved: u64,
    /// The first examples of each kind, in order.
    pub examples: Vec<(Kind, Example)>,
    /// The examples of order and partition problems.
    pub order: Vec<(Kind, Example)>,
}

impl Leftovers {
    /// The examples of missing messages: the first by plan order of those given up on
    /// (`expired`) and those left at the end (`left`).
    fn add_missing(&mut self, mut expired: Vec<Planned>, left: Vec<Planned>) {
        expired.extend(left);
        expired.sort_by_key(|p| p.index);
        for p in expired.into_iter().take(EXAMPLES) {
            let example = Example {
                topic: p.print.topic,
                read: None,
                planned: Some(p.index),
                note: None,
            };
            self.examples.push((Kind::Missing, example));
        }
    }

    fn add(&mut self, kind: Kind, example: Example) {
        self.counts[kind as usize] += 1;
        if self.examples.iter().filter(|(k, _)| *k == kind).count() < EXAMPLES {
            self.examples.push((kind, example));
        }
    }
}
