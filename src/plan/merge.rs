//! Every process's events merged into one time-ordered, lazy stream, [`Events`]: what
//! `plan/send.rs` turns into the plan that is sent.
//!
//! The merge works in batches, spans of time, rather than one event at a time. For a
//! batch `[start, end)` it walks the processes in order, lets each one draw all its events
//! before `end`, sorts what they drew by (offset, stream, camera) and hands the events
//! out. Walking the processes in memory order keeps each generator's state in cache
//! while it draws, where a heap of next events would jump between thousands of
//! generators once per event; that made the heap three times slower for 10,000
//! per-camera processes.
//!
//! Memory stays O(processes): once a batch holds [`BatchSize::cap`] events, its end is
//! pulled back to the next event of the process drawing, so every later process adds at
//! most one event, and events already drawn past the new end are carried into the next
//! batch. The batch's span adapts so that it holds about
//! [`BatchSize::target`] events. The output does not depend on the batch: events are
//! ordered by (offset, stream position, camera position), and no two events share all
//! three, because gaps are at least 1 ns and a stream is either one shared process or
//! one process per camera.

use super::event::Event;
use super::process::{self, Process};
use super::shard;
use crate::scenario::Scenario;

/// How many events a batch of the merge aims for, and the most it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSize {
    /// The number of events a batch aims to hold; the span is adapted towards it.
    pub target: usize,
    /// The most events a batch draws before its end is pulled back (it may hold one
    /// more per process, the events due exactly at its start).
    pub cap: usize,
}

impl BatchSize {
    /// The batch size used for `processes` arrival processes: about two events per
    /// process, between 4,096 and 65,536, and a cap four times that.
    pub(crate) fn for_processes(processes: usize) -> Self {
        let target = processes.saturating_mul(2).clamp(4_096, 65_536);
        BatchSize {
            target,
            cap: target * 4,
        }
    }
}

/// The span of the first batch; later spans adapt to the scenario's rate.
const FIRST_SPAN_NS: u64 = 1_000_000;

/// The time-ordered events of a scenario, produced lazily: every arrival process merged.
#[derive(Debug, Clone)]
pub struct Events {
    processes: Vec<Process>,
    /// For each process, its stream and identity: what an event needs at hand-out,
    /// kept apart from the processes' large generator states.
    origins: Vec<(u32, u64)>,
    /// The next event of each process, or [`Entry::DONE`]: a compact array, so a batch
    /// can skip idle processes without touching their generators.
    heads: Vec<Entry>,
    /// The current batch, sorted: `batch[next..ready]` are still to be handed out,
    /// `batch[ready..]` lie past the batch's end and are carried into the next one.
    batch: Vec<Entry>,
    /// Second buffer for the sort.
    scratch: Vec<Entry>,
    next: usize,
    ready: usize,
    /// Every event before `end` has been drawn; every head is at or after it.
    end: u64,
    span: u64,
    size: BatchSize,
    /// For a shard: per stream, per camera position, whether it owns the camera
    /// (`shard::owned`, computed once here).
    owned: Option<Vec<Vec<bool>>>,
}

/// One drawn event, 24 bytes: its offset, its (process, camera) packed, its sequence
/// number. Ordered by (offset, place), which is unique within a plan; processes are
/// numbered in (stream, camera) order and a shared stream has one, so place order is
/// (stream, camera) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    offset: u64,
    place: u64,
    seq: u64,
}

impl Entry {
    /// A finished process's head: after every possible event.
    const DONE: Entry = Entry {
        offset: u64::MAX,
        place: u64::MAX,
        seq: 0,
    };

    #[inline]
    fn new(process: usize, event: Option<Event>) -> Self {
        match event {
            Some(e) => Entry {
                offset: e.offset_ns,
                place: ((process as u64) << 32) | u64::from(e.camera),
                seq: e.seq,
            },
            None => Entry::DONE,
        }
    }

    fn process(&self) -> usize {
        (self.place >> 32) as usize
    }
}

impl Events {
    /// Compiles a validated scenario into its events. No clock and no I/O: the same
    /// scenario (and so the same seed) always gives the same events.
    pub fn new(scenario: &Scenario) -> Self {
        Self::build(scenario, None)
    }

    /// The same events, merged in batches of the given size. The events do not depend on
    /// it; tests use small batches to exercise the carrying of events between batches.
    pub fn with_batches(scenario: &Scenario, size: BatchSize) -> Self {
        Self::build(scenario, Some(size))
    }

    fn build(scenario: &Scenario, size: Option<BatchSize>) -> Self {
        let owned = shard::owned(scenario);
        let mut processes = process::owned_processes(scenario, owned.as_deref());
        let size = size.unwrap_or_else(|| BatchSize::for_processes(processes.len()));
        let size = BatchSize {
            target: size.target.max(1),
            cap: size.cap.max(1),
        };
        let heads = processes
            .iter_mut()
            .enumerate()
            .map(|(i, p)| Entry::new(i, p.first()))
            .collect();
        let origins = processes
            .iter()
            .map(|p| (p.stream(), p.identity()))
            .collect();
        // Allocated once: a batch stops growing at `cap` events plus one per process (only
        // events carried over after a cut can take it past that, and the span then shrinks).
        let capacity = size.cap + processes.len() + 1;
        Events {
            heads,
            batch: Vec::with_capacity(capacity),
            scratch: Vec::with_capacity(capacity),
            origins,
            next: 0,
            ready: 0,
            end: 0,
            span: FIRST_SPAN_NS,
            size,
            processes,
            owned,
        }
    }

    /// The identity of each arrival process, in plan order.
    pub fn identities(&self) -> impl Iterator<Item = u64> + '_ {
        self.origins.iter().map(|&(_, identity)| identity)
    }

    /// Whether this run (or shard) owns the camera at `camera` of the stream at `stream`.
    /// A shard draws only its own cameras' per-camera processes but a shared stream's
    /// process in full, whose other cameras' events the plan skips.
    #[inline]
    pub(crate) fn owns(&self, stream: u32, camera: u32) -> bool {
        self.owned
            .as_ref()
            .is_none_or(|o| o[stream as usize][camera as usize])
    }

    /// Draws the next batch. Returns false when no event is left. Kept out of line so
    /// that [`Events::next`] stays a few instructions (the sort's counters live on its stack).
    #[inline(never)]
    fn refill(&mut self) -> bool {
        loop {
            self.batch.drain(..self.ready);
            self.next = 0;
            let start = self.end;
            let mut end = start.saturating_add(self.span);
            let mut cut = false;
            let mut earliest = u64::MAX;
            for (index, (head, process)) in
                self.heads.iter_mut().zip(&mut self.processes).enumerate()
            {
                if head.offset < end {
                    loop {
                        self.batch.push(*head);
                        *head = Entry::new(index, process.after(head.offset));
                        if self.batch.len() >= self.size.cap {
                            // Pull the end back so nothing this process has not drawn yet
                            // can fall inside the batch; keep at least `start` itself.
                            end = end.min(head.offset).max(start + 1);
                            cut = true;
                        }
                        if head.offset >= end {
                            break;
                        }
                    }
                }
                earliest = earliest.min(head.offset);
            }
            sort(&mut self.batch, &mut self.scratch);
            self.ready = self.batch.partition_point(|e| e.offset < end);
            self.end = end;
            self.adapt(start, end, cut);
            if self.ready > 0 {
                return true;
            }
            // Nothing fell inside: skip the empty stretch up to the next event, if any.
            let carried = self.batch.first().map_or(u64::MAX, |e| e.offset);
            let next = earliest.min(carried);
            if next == u64::MAX {
                return false;
            }
            self.end = self.end.max(next);
        }
    }

    /// Moves the span towards one that holds about `target` events.
    fn adapt(&mut self, start: u64, end: u64, cut: bool) {
        let target = self.size.target;
        self.span = if cut {
            // What fitted, halved: the processes after the cut drew less than their share.
            ((end - start) / 2).max(1)
        } else if self.ready < target / 2 {
            self.span.saturating_mul(2)
        } else if self.ready > target.saturating_mul(2) {
            (self.span / 2).max(1)
        } else {
            self.span
        };
    }
}

/// Sorts a batch by (offset, place) with a stable sort on the offset alone: a
/// least-significant-digit radix sort, or nothing when the batch is already in order (a
/// single process). Equal offsets keep their order in the buffer, which is place order:
/// fresh events are drawn process by process in place order, and carried events come
/// first, from lower places. (An event carried out of a batch was drawn by process `p`
/// before the cut; every process before `p` had by then drawn all its events up to that
/// offset, so a later event at the same offset can only come from a process after `p`.)
fn sort(items: &mut Vec<Entry>, scratch: &mut Vec<Entry>) {
    if !items.is_sorted_by_key(|e| e.offset) {
        radix_sort_by_offset(items, scratch);
    }
}

const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;

/// A stable sort on the offset, 11 bits a pass, skipping the digits all entries share.
fn radix_sort_by_offset(items: &mut Vec<Entry>, scratch: &mut Vec<Entry>) {
    let base = items.iter().map(|e| e.offset).min().unwrap_or(0);
    let span = items.iter().map(|e| e.offset - base).max().unwrap_or(0);
    let passes = (u64::BITS - span.leading_zeros()).div_ceil(DIGIT_BITS) as usize;
    let mut counts = [[0u32; BUCKETS]; 6];
    for e in items.iter() {
        let key = e.offset - base;
        for (pass, count) in counts.iter_mut().enumerate().take(passes) {
            count[digit(key, pass)] += 1;
        }
    }
    scratch.clear();
    scratch.resize(items.len(), Entry::DONE);
    for (pass, count) in counts.iter_mut().enumerate().take(passes) {
        if count.iter().any(|&c| c as usize == items.len()) {
            continue;
        }
        let mut total = 0;
        for c in count.iter_mut() {
            let n = *c;
            *c = total;
            total += n;
        }
        for e in items.iter() {
            let slot = &mut count[digit(e.offset - base, pass)];
            scratch[*slot as usize] = *e;
            *slot += 1;
        }
        std::mem::swap(items, scratch);
    }
}

fn digit(key: u64, pass: usize) -> usize {
    ((key >> (pass as u32 * DIGIT_BITS)) as usize) & (BUCKETS - 1)
}

impl Iterator for Events {
    type Item = Event;

    #[inline]
    fn next(&mut self) -> Option<Event> {
        if self.next == self.ready && !self.refill() {
            return None;
        }
        let entry = self.batch[self.next];
        self.next += 1;
        let (stream, process) = self.origins[entry.process()];
        Some(Event {
            offset_ns: entry.offset,
            stream,
            camera: entry.place as u32,
            seq: entry.seq,
            process,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(offset: u64, place: u64) -> Entry {
        Entry {
            offset,
            place,
            seq: 0,
        }
    }

    /// The radix sort agrees with the standard library's stable sort on the offset, for
    /// offsets spanning one to six digits.
    #[test]
    fn sort_is_stable_on_the_offset_for_every_digit_width() {
        for bits in [1u32, 11, 12, 33, 63] {
            let mut x = crate::plan::random::GAMMA;
            let mut items: Vec<Entry> = (0..3_000)
                .map(|place| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    entry(1_000 + (x >> (64 - bits)), place)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|e| e.offset);
            sort(&mut items, &mut Vec::new());
            assert_eq!(items, expected, "{bits} bits");
        }
    }
}
