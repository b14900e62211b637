//! The plan: every process's events merged into one time-ordered, lazy stream.
//!
//! The merge works in windows of time rather than one event at a time. For a window
//! `[start, end)` it walks the processes in order, lets each one draw all its events
//! before `end`, sorts what they drew by (offset, stream, camera) and hands the events
//! out. Walking the processes in memory order keeps each generator's state in cache
//! while it draws, where a heap of next events would jump between thousands of
//! generators once per event; that made the heap three times slower for 10,000
//! per-camera processes.
//!
//! Memory stays O(processes): once a window holds [`Window::cap`] events, its end is
//! pulled back to the next event of the process drawing, so every later process adds at
//! most one event, and events already drawn past the new end are carried into the next
//! window. The window's span adapts so that it holds about
//! [`Window::target`] events. The output does not depend on the window: events are
//! ordered by (offset, stream position, camera position), and no two events share all
//! three, because gaps are at least 1 ns and a stream is either one shared process or
//! one process per camera.

use super::Event;
use super::process::{self, Process};
use crate::scenario::Scenario;

/// How many events a window aims for, and the most it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The number of events a window aims to hold; the span is adapted towards it.
    pub target: usize,
    /// The most events a window draws before its end is pulled back (it may hold one
    /// more per process, the events due exactly at its start).
    pub cap: usize,
}

impl Window {
    /// The window used for `processes` arrival processes: about two events per process,
    /// between 4,096 and 65,536, and a cap four times that.
    pub(crate) fn for_processes(processes: usize) -> Self {
        let target = processes.saturating_mul(2).clamp(4_096, 65_536);
        Window {
            target,
            cap: target * 4,
        }
    }
}

/// The span of the first window; later spans adapt to the scenario's rate.
const FIRST_SPAN_NS: u64 = 1_000_000;

/// The time-ordered events of a scenario, produced lazily.
#[derive(Debug, Clone)]
pub struct Plan {
    processes: Vec<Process>,
    /// For each process, its stream and identity: what an event needs at hand-out,
    /// kept apart from the processes' large generator states.
    origins: Vec<(u32, u64)>,
    /// The next event of each process, or [`Entry::DONE`]: a compact array, so a window
    /// can skip idle processes without touching their generators.
    heads: Vec<Entry>,
    /// The current window, sorted: `window[next..ready]` are still to be handed out,
    /// `window[ready..]` lie past the window's end and are carried into the next one.
    window: Vec<Entry>,
    /// Second buffer for the sort.
    scratch: Vec<Entry>,
    next: usize,
    ready: usize,
    /// Every event before `end` has been drawn; every head is at or after it.
    end: u64,
    span: u64,
    size: Window,
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

impl Plan {
    /// Compiles a validated scenario into its plan. No clock and no I/O: the same scenario
    /// (and so the same seed) always gives the same events.
    pub fn new(scenario: &Scenario) -> Self {
        let processes = process::processes(scenario);
        let size = Window::for_processes(processes.len());
        Self::build(processes, size)
    }

    /// The same plan, merged with windows of the given size. The events do not depend on
    /// it; tests use small windows to exercise the carrying of events between windows.
    pub fn with_window(scenario: &Scenario, size: Window) -> Self {
        Self::build(process::processes(scenario), size)
    }

    fn build(mut processes: Vec<Process>, size: Window) -> Self {
        let size = Window {
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
        // Allocated once: a window stops growing at `cap` events plus one per process (only
        // events carried over after a cut can take it past that, and the span then shrinks).
        let capacity = size.cap + processes.len() + 1;
        Plan {
            heads,
            window: Vec::with_capacity(capacity),
            scratch: Vec::with_capacity(capacity),
            origins,
            next: 0,
            ready: 0,
            end: 0,
            span: FIRST_SPAN_NS,
            size,
            processes,
        }
    }

    /// The identity of each arrival process, in plan order.
    pub fn identities(&self) -> impl Iterator<Item = u64> + '_ {
        self.origins.iter().map(|&(_, identity)| identity)
    }

    /// Draws the next window. Returns false when no event is left. Kept out of line so
    /// that [`Plan::next`] stays a few instructions (the sort's counters live on its stack).
    #[inline(never)]
    fn refill(&mut self) -> bool {
        loop {
            self.window.drain(..self.ready);
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
                        self.window.push(*head);
                        *head = Entry::new(index, process.after(head.offset));
                        if self.window.len() >= self.size.cap {
                            // Pull the end back so nothing this process has not drawn yet
                            // can fall inside the window; keep at least `start` itself.
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
            sort(&mut self.window, &mut self.scratch);
            self.ready = self.window.partition_point(|e| e.offset < end);
            self.end = end;
            self.adapt(start, end, cut);
            if self.ready > 0 {
                return true;
            }
            // Nothing fell inside: skip the empty stretch up to the next event, if any.
            let carried = self.window.first().map_or(u64::MAX, |e| e.offset);
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

/// Sorts a window by (offset, place) with a stable sort on the offset alone: a
/// least-significant-digit radix sort, or nothing when the window is already in order (a
/// single process). Equal offsets keep their order in the buffer, which is place order:
/// fresh events are drawn process by process in place order, and carried events come
/// first, from lower places. (An event carried out of a window was drawn by process `p`
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

impl Iterator for Plan {
    type Item = Event;

    #[inline]
    fn next(&mut self) -> Option<Event> {
        if self.next == self.ready && !self.refill() {
            return None;
        }
        let entry = self.window[self.next];
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
            let mut x = 0x9E37_79B9_7F4A_7C15u64;
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
