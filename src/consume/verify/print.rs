//! Prints: the 64-bit fingerprints both sides of a verification are reduced to, and
//! the maps keyed by them (a print is a hash already, so the maps do not hash again, and
//! an entry held once, as nearly all are, needs no allocation of its own).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

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
    /// The print of what a copy of a message keeps when a producer re-sends it: the
    /// topic, key and value (not the timestamp, nor the headers).
    pub fn loose(&self) -> u64 {
        let key = self.key.map_or([0u8; 8], |k| k.max(1).to_le_bytes());
        hash(&[&self.topic.to_le_bytes(), &key, &self.value.to_le_bytes()])
    }

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

/// The maps are keyed by prints, which are hashes already: hashing them again would
/// only cost time.
#[derive(Default)]
pub(crate) struct Passed(u64);

impl Hasher for Passed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map from prints.
pub(crate) type ByPrint<T> = HashMap<u64, Queue<T>, BuildHasherDefault<Passed>>;

/// The entries of one print, in arrival order: nearly always one, which needs no
/// allocation of its own.
#[derive(Debug)]
pub(crate) struct Queue<T> {
    pub first: T,
    // Boxed: 8 bytes in every entry instead of a VecDeque's 24, for the rare print held
    // more than once.
    #[allow(clippy::box_collection)]
    pub rest: Option<Box<VecDeque<T>>>,
}

impl<T> Queue<T> {
    pub fn into_iter(self) -> impl Iterator<Item = T> {
        std::iter::once(self.first).chain(self.rest.into_iter().flat_map(|rest| *rest))
    }
}

/// Adds `entry` under `print`.
pub(crate) fn put<T>(map: &mut ByPrint<T>, print: u64, entry: T) {
    match map.get_mut(&print) {
        Some(queue) => queue.rest.get_or_insert_default().push_back(entry),
        None => {
            map.insert(
                print,
                Queue {
                    first: entry,
                    rest: None,
                },
            );
        }
    }
}

/// Takes the first entry of `print`'s queue, removing the queue when it empties.
pub(crate) fn take<T>(map: &mut ByPrint<T>, print: u64) -> Option<T> {
    let queue = map.get_mut(&print)?;
    if let Some(next) = queue.rest.as_mut().and_then(|rest| rest.pop_front()) {
        return Some(std::mem::replace(&mut queue.first, next));
    }
    map.remove(&print).map(|q| q.first)
}
