//! The pure part of a latency measurement: sent messages matched to consumed ones by
//! what identifies them (a fingerprint, or a field's value), first sent first matched
//! among equals (planned duplicates share a fingerprint), and each match's consume time
//! minus send time counted. Times are nanoseconds since one origin on one monotonic
//! clock: no clock is read here.
//!
//! A message can be consumed before its send is recorded (the record follows the
//! produce call): it waits, for [`EARLY_GRACE`], for a send to match; what is still
//! unmatched then (another producer's message, a message from before the run) is
//! counted as unmatched. Memory is bounded by what is in flight: sends not yet seen and
//! consumed messages within the grace.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use crate::histogram::{Histogram, Timeline};

/// How long a consumed message may wait for the record of its send.
pub(crate) const EARLY_GRACE: u64 = 1_000_000_000;

/// What a latency measurement found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Latency {
    /// Consume time minus send time of every matched message, in ns.
    pub histogram: Histogram,
    /// The same over time since the measurement began (by consume time).
    pub timeline: Timeline,
    /// Sends recorded and waited for.
    pub tracked: u64,
    /// Sends that could not be waited for: their value has no such field (not JSON,
    /// a malformed fault, values encoded by a schema).
    pub untracked: u64,
    /// Consumed messages matched to a send (the histogram's count).
    pub matched: u64,
    /// Consumed messages that matched no send.
    pub unmatched: u64,
    /// Consumed messages without the field (not a JSON object, or no such field).
    pub without_field: u64,
    /// Sends never seen on the other side when the measurement ended.
    pub unseen: u64,
    /// The consumer's first error, if it had one (it keeps reading).
    pub first_error: Option<String>,
}

/// Sends waiting for their message and consumed messages waiting for their send.
#[derive(Debug)]
pub(crate) struct Matcher<K> {
    /// Send instants of each identity not yet consumed, oldest first.
    pending: HashMap<K, VecDeque<u64>>,
    waiting: u64,
    /// Consume instants of each identity whose send was not recorded yet, oldest first,
    /// and every one of them in the order they came (to end the grace of each).
    early: HashMap<K, VecDeque<u64>>,
    early_order: VecDeque<(u64, K)>,
    found: Latency,
}

impl<K: Hash + Eq + Clone> Default for Matcher<K> {
    fn default() -> Self {
        Matcher {
            pending: HashMap::new(),
            waiting: 0,
            early: HashMap::new(),
            early_order: VecDeque::new(),
            found: Latency::default(),
        }
    }
}

impl<K: Hash + Eq + Clone> Matcher<K> {
    /// A message identified by `key` was handed over at `at`; the latency, when it
    /// was consumed already.
    pub(crate) fn sent(&mut self, key: K, at: u64) -> Option<u64> {
        self.found.tracked += 1;
        if let Some(consumed) = pop_front(&mut self.early, &key) {
            return Some(self.matched(at, consumed));
        }
        self.pending.entry(key).or_default().push_back(at);
        self.waiting += 1;
        None
    }

    /// A message was handed over that cannot be matched (no identity to wait for).
    pub(crate) fn untracked(&mut self) {
        self.found.untracked += 1;
    }

    /// A message identified by `key` was consumed at `at`; the latency, when its send
    /// was recorded.
    pub(crate) fn consumed(&mut self, key: K, at: u64) -> Option<u64> {
        match pop_front(&mut self.pending, &key) {
            Some(sent) => {
                self.waiting -= 1;
                Some(self.matched(sent, at))
            }
            None => {
                self.early.entry(key.clone()).or_default().push_back(at);
                self.early_order.push_back((at, key));
                None
            }
        }
    }

    /// A message was consumed that carries no identity (not JSON, no such field).
    pub(crate) fn without_field(&mut self) {
        self.found.without_field += 1;
    }

    /// Counts as unmatched every consumed message that waited past its grace at `now`.
    pub(crate) fn expire(&mut self, now: u64) {
        while let Some((at, _)) = self.early_order.front() {
            if now.saturating_sub(*at) < EARLY_GRACE {
                break;
            }
            let Some((at, key)) = self.early_order.pop_front() else {
                break;
            };
            // Matched meanwhile (the oldest of a key is matched first): nothing left.
            let queue = self.early.get_mut(&key);
            if queue.as_ref().and_then(|q| q.front()) == Some(&at) {
                pop_front(&mut self.early, &key);
                self.found.unmatched += 1;
            }
        }
    }

    /// Sends not yet matched.
    pub(crate) fn waiting(&self) -> u64 {
        self.waiting
    }

    /// What was found; consumed messages still waiting are unmatched, sends still
    /// waiting unseen.
    pub(crate) fn finish(mut self) -> Latency {
        self.found.unmatched += self.early.values().map(|q| q.len() as u64).sum::<u64>();
        self.found.unseen = self.waiting;
        self.found
    }

    fn matched(&mut self, sent: u64, consumed: u64) -> u64 {
        let latency = consumed.saturating_sub(sent);
        self.found.histogram.record(latency);
        self.found.timeline.record(consumed, latency);
        self.found.matched += 1;
        latency
    }
}

/// The oldest instant of `key`, removed (and the key, once it has none left).
fn pop_front<K: Hash + Eq>(map: &mut HashMap<K, VecDeque<u64>>, key: &K) -> Option<u64> {
    let queue = map.get_mut(key)?;
    let front = queue.pop_front();
    if queue.is_empty() {
        map.remove(key);
    }
    front
}

/// The value of `field` in a JSON object's text, as the identity it carries: a string's
/// text, or any other value's JSON (a number `5` and the string `"5"` are one identity);
/// `None` when the text is not a JSON object or has no such field.
pub(crate) fn field_value(text: &[u8], field: &str) -> Option<String> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(text).ok()?;
    match object.get(field)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn each_consumed_message_is_matched_to_the_oldest_send_of_its_kind() {
        let mut m = Matcher::default();
        // A planned duplicate: two sends share an identity.
        m.sent("a", 0);
        m.sent("a", 10 * MS);
        m.sent("b", 5 * MS);
        assert_eq!(m.waiting(), 3);
        assert_eq!(m.consumed("a", 20 * MS), Some(20 * MS)); // after the first "a"
        assert_eq!(m.consumed("b", 7 * MS), Some(2 * MS));
        assert_eq!(m.consumed("a", 40 * MS), Some(30 * MS)); // after the second
        assert_eq!(m.consumed("c", 50 * MS), None); // no such send
        assert_eq!(m.waiting(), 0);
        let found = m.finish();
        assert_eq!((found.tracked, found.matched), (3, 3));
        assert_eq!((found.unmatched, found.unseen), (1, 0));
        // The histogram's buckets: within 1.6 %, never above.
        let q0 = found.histogram.quantile(0.0);
        assert!(q0 <= 2 * MS && q0 > 2 * MS * 98 / 100, "{q0}");
        assert!(found.histogram.quantile(1.0) <= 30 * MS);
        assert_eq!(found.histogram.summary_us().max_us, 30_000.0);
    }

    #[test]
    fn a_message_consumed_before_its_send_was_recorded_waits_for_it() {
        let mut m = Matcher::default();
        assert_eq!(m.consumed(7u64, 3 * MS), None);
        assert_eq!(m.sent(7, MS), Some(2 * MS));
        m.expire(10 * EARLY_GRACE);
        let found = m.finish();
        assert_eq!((found.matched, found.unmatched), (1, 0));
        assert_eq!(found.histogram.summary_us().max_us, 2_000.0);
    }

    #[test]
    fn what_waits_past_the_grace_is_unmatched_and_sends_never_seen_are_unseen() {
        let mut m = Matcher::default();
        m.consumed("old", 0);
        m.consumed("old", MS);
        m.consumed("late", EARLY_GRACE);
        m.expire(EARLY_GRACE + MS);
        // The two "old" ones are counted; "late" still has time.
        m.sent("old", 2 * EARLY_GRACE);
        m.sent("late", EARLY_GRACE + 2 * MS);
        m.sent("never", 0);
        m.untracked();
        m.without_field();
        let found = m.finish();
        assert_eq!(found.unmatched, 2);
        assert_eq!(
            found.matched, 1,
            "late is matched: its send came within the grace"
        );
        assert_eq!((found.unseen, found.tracked, found.untracked), (2, 3, 1));
        assert_eq!(found.without_field, 1);
    }

    #[test]
    fn memory_is_held_only_for_what_is_in_flight() {
        let mut m = Matcher::default();
        for i in 0..10_000u64 {
            m.sent(i, i * MS);
            m.consumed(i, i * MS + 5 * MS);
        }
        assert!(m.pending.is_empty() && m.early.is_empty());
        m.expire(u64::MAX);
        assert!(m.early_order.is_empty());
        let found = m.finish();
        assert_eq!(found.matched, 10_000);
        let p50 = found.histogram.quantile(0.5);
        assert!(p50 <= 5 * MS && p50 > 5 * MS * 98 / 100, "{p50}");
        assert_eq!(found.histogram.summary_us().max_us, 5_000.0);
    }

    #[test]
    fn a_field_is_read_from_a_json_object() {
        let v = br#"{"event_id":"e-1","n":5,"none":null}"#;
        assert_eq!(field_value(v, "event_id").as_deref(), Some("e-1"));
        assert_eq!(field_value(v, "n").as_deref(), Some("5"));
        assert_eq!(field_value(br#"{"n":"5"}"#, "n").as_deref(), Some("5"));
        assert_eq!(field_value(v, "none"), None);
        assert_eq!(field_value(v, "missing"), None);
        assert_eq!(field_value(b"[1]", "n"), None);
        assert_eq!(field_value(b"not json", "n"), None);
    }
}
