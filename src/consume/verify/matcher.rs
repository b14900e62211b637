//! Matching what a topic holds against what the plan says it should, one fingerprint
//! at a time: two multisets, the planned messages not yet seen and the messages read
//! but not yet planned, each entry leaving its set when its twin arrives. What is left
//! at the end is the problem, classified by [`Matcher::finish`]; memory is bounded by
//! the messages not yet matched, never by the run.
//!
//! Every lookup is by hash; nothing is iterated out of a hash map without being sorted
//! first, so the outcome does not depend on hashing.

use std::collections::{BTreeMap, HashMap, VecDeque};

/// A 64-bit fingerprint of bytes.
pub(crate) fn hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    for part in parts {
        let mut chunks = part.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(tail)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        // The length ends each part, so that parts cannot run into one another.
        h = (h.rotate_left(5) ^ part.len() as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    // splitmix64's finaliser: every input bit reaches every output bit.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// What identifies a message on both sides: its topic (an index into the scenario's
/// topics), key, value, headers and timestamp, each fingerprinted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Print {
    /// The topic's index.
    pub topic: u32,
    /// The key's fingerprint; `None` for a message without a key.
    pub key: Option<u64>,
    /// The fingerprint of the whole message.
    pub whole: u64,
    /// The fingerprint of the value alone.
    pub value: u64,
    /// The message timestamp, ms since the epoch.
    pub timestamp: i64,
}

impl Print {
    /// The print of a message; `headers` as [`encode_header`] writes them.
    pub fn of(
        topic: u32,
        key: Option<&[u8]>,
        value: &[u8],
        headers: &[u8],
        timestamp: i64,
    ) -> Print {
        let key_print = key.map(|k| hash(&[k]));
        let value_print = hash(&[value]);
        let whole = hash(&[
            &topic.to_le_bytes(),
            &key_print.map_or([0xff; 9], |k| {
                let mut b = [0u8; 9];
                b[1..].copy_from_slice(&k.to_le_bytes());
                b
            }),
            &value_print.to_le_bytes(),
            &hash(&[headers]).to_le_bytes(),
            &timestamp.to_le_bytes(),
        ]);
        Print {
            topic,
            key: key_print,
            whole,
            value: value_print,
            timestamp,
        }
    }
}

/// Appends one header to `out` as prints compare them: the name's length and bytes,
/// then the value's.
pub(crate) fn encode_header(out: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    out.extend_from_slice(&(name.len() as u64).to_le_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(&(value.len() as u64).to_le_bytes());
    out.extend_from_slice(value);
}

/// Where a message read sits, and what a person needs to recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    /// The partition.
    pub partition: i32,
    /// The offset.
    pub offset: i64,
    /// The key as text (lossy, shortened), if any.
    pub key: Option<String>,
    /// The value as text (lossy, shortened).
    pub value: String,
}

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
    planned: HashMap<u64, VecDeque<Planned>>,
    planned_count: usize,
    /// Read, not yet planned; by whole print.
    read: HashMap<u64, VecDeque<Read>>,
    read_count: usize,
    /// Per (topic, key): the plan index of the last message matched in read order, and
    /// the partition its first message was read from.
    keys: HashMap<(u32, u64), KeyState>,
    /// Matched exactly once so far.
    pub matched: u64,
    /// Reordered and moved messages, counted as they are matched.
    pub reordered: u64,
    /// Messages on another partition than their key's first.
    pub moved: u64,
    /// Examples of order and partition problems.
    order_examples: Vec<(Kind, Example)>,
    /// Planned messages given up on ([`Matcher::expire`], [`Matcher::unread`]): counted
    /// missing, the first few kept for examples.
    expired: u64,
    expired_examples: Vec<Planned>,
    /// The largest number of unmatched messages held at once.
    pub peak_unmatched: usize,
    /// Messages read from before the start: counted, the first few kept, never held.
    old: u64,
    old_examples: Vec<Read>,
}

#[derive(Debug, Clone, Copy)]
struct KeyState {
    last: u64,
    partition: i32,
}

impl Matcher {
    /// A planned message: matched with a message read earlier, or held.
    pub fn plan(&mut self, planned: Planned) {
        if let Some(read) = take(&mut self.read, planned.print.whole) {
            self.read_count -= 1;
            self.matched(&planned, &read.place);
        } else {
            self.planned
                .entry(planned.print.whole)
                .or_default()
                .push_back(planned);
            self.planned_count += 1;
            self.peak();
        }
    }

    /// A message read: matched with a planned one, or held.
    pub fn read(&mut self, read: Read) {
        if let Some(planned) = take(&mut self.planned, read.print.whole) {
            self.planned_count -= 1;
            self.matched(&planned, &read.place);
        } else {
            self.read
                .entry(read.print.whole)
                .or_default()
                .push_back(read);
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
        if let Some(read) = take(&mut self.read, planned.print.whole) {
            self.read_count -= 1;
            self.matched(&planned, &read.place);
        } else {
            self.give_up(planned);
        }
    }

    fn give_up(&mut self, planned: Planned) {
        self.expired += 1;
        if self.expired_examples.len() < EXAMPLES {
            self.expired_examples.push(planned);
        }
    }

    /// Whether a message read with this print would be matched now (so that the caller
    /// need not describe it).
    pub fn expects(&self, whole: u64) -> bool {
        self.planned.contains_key(&whole)
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
        let state = self
            .keys
            .entry((planned.print.topic, key))
            .or_insert(KeyState {
                last: planned.index,
                partition: place.partition,
            });
        let example = || Example {
            topic: planned.print.topic,
            read: Some(place.clone()),
            planned: Some(planned.index),
            note: None,
        };
        if place.partition != state.partition {
            // Order across partitions is not defined: a moved message is not ordered.
            self.moved += 1;
            if self
                .order_examples
                .iter()
                .filter(|(k, _)| *k == Kind::Moved)
                .count()
                < EXAMPLES
            {
                let mut e = example();
                e.note = Some(format!(
                    "its key's earlier messages are on partition {}",
                    state.partition
                ));
                self.order_examples.push((Kind::Moved, e));
            }
        } else if planned.index < state.last {
            self.reordered += 1;
            if self
                .order_examples
                .iter()
                .filter(|(k, _)| *k == Kind::Reordered)
                .count()
                < EXAMPLES
            {
                let mut e = example();
                e.note = Some(format!(
                    "read after plan message {} of the same key",
                    state.last
                ));
                self.order_examples.push((Kind::Reordered, e));
            }
        } else {
            state.last = planned.index;
        }
    }

    /// Gives up on the planned messages held whose timestamp is before `before` (ms):
    /// they count as missing (where every partition has been read past that instant,
    /// they cannot arrive any more), so that memory stays bounded on a cluster that
    /// deleted old messages.
    pub fn expire(&mut self, before: i64) {
        let mut gone: Vec<Planned> = Vec::new();
        self.planned.retain(|_, queue| {
            queue.retain(|p| {
                let old = p.print.timestamp < before;
                if old {
                    gone.push(*p);
                }
                !old
            });
            !queue.is_empty()
        });
        gone.sort_by_key(|p| p.index);
        self.planned_count -= gone.len();
        for p in gone {
            self.give_up(p);
        }
        self.expired_examples.sort_by_key(|p| p.index);
        self.expired_examples.truncate(EXAMPLES);
    }

    /// The prints of the messages read and held (for [`Matcher::finish`]'s look at the
    /// whole plan).
    pub fn read_prints(&self) -> std::collections::BTreeSet<u64> {
        self.read.keys().copied().collect()
    }

    /// Classifies what is left once the whole plan was handed over and the read ended:
    /// messages read before `start_ms` are unexpected; a message read in place of a
    /// missing planned one of the same topic and key, with the same timestamp or the
    /// same value, is changed; a message whose print `planned` (a later look at the
    /// whole plan) knows is duplicated; the rest unexpected; planned ones left missing.
    pub fn finish(self, start_ms: i64, planned: &dyn Fn(u64) -> bool) -> Leftovers {
        let kept_examples = self.expired_examples.clone();
        let mut missing: Vec<Planned> = self.planned.into_values().flatten().collect();
        missing.sort_by_key(|p| p.index);
        let mut read: Vec<Read> = self.old_examples;
        let old = self.old;
        read.extend(self.read.into_values().flatten());
        read.sort_by(|a, b| {
            (a.print.topic, a.place.partition, a.place.offset).cmp(&(
                b.print.topic,
                b.place.partition,
                b.place.offset,
            ))
        });
        let mut out = Leftovers {
            order: self.order_examples,
            reordered: self.reordered,
            moved: self.moved,
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
            } else {
                out.add(Kind::Unexpected, Example::read(&r, None));
            }
        }
        let mut gone: Vec<Planned> = kept_examples;
        gone.extend(
            missing
                .iter()
                .zip(&paired)
                .filter(|(_, paired)| !**paired)
                .map(|(p, _)| *p),
        );
        gone.sort_by_key(|p| p.index);
        out.counts[Kind::Missing as usize] =
            self.expired + paired.iter().filter(|p| !**p).count() as u64;
        for p in gone.into_iter().take(EXAMPLES) {
            out.examples.push((
                Kind::Missing,
                Example {
                    topic: p.print.topic,
                    read: None,
                    planned: Some(p.index),
                    note: None,
                },
            ));
        }
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
    fn add(&mut self, kind: Kind, example: Example) {
        self.counts[kind as usize] += 1;
        if self.examples.iter().filter(|(k, _)| *k == kind).count() < EXAMPLES {
            self.examples.push((kind, example));
        }
    }
}

/// Takes the first entry of `print`'s queue, removing the queue when it empties.
fn take<T>(map: &mut HashMap<u64, VecDeque<T>>, print: u64) -> Option<T> {
    let queue = map.get_mut(&print)?;
    let first = queue.pop_front();
    if queue.is_empty() {
        map.remove(&print);
    }
    first
}
