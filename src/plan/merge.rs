//! The plan: every process's events merged into one time-ordered, lazy stream.
//!
//! A binary heap holds the next event of each live process, so memory is O(processes)
//! however long the plan. Ties are broken by the event's total order (offset, stream
//! position, camera position, sequence), never by heap internals.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;

use super::event::Event;
use super::process::Process;
use crate::scenario::{Scenario, StreamArrivals};

/// The time-ordered events of a scenario, produced lazily.
#[derive(Debug, Clone)]
pub struct Plan<'s> {
    processes: Vec<Process<'s>>,
    heap: BinaryHeap<Reverse<Entry>>,
}

/// A heap entry, 24 bytes: the process's next offset, its (stream, camera) packed, and
/// the process. The order looks at (offset, stream, camera) only; the event's sequence
/// number is the process's last one.
#[derive(Debug, Clone, Copy)]
struct Entry {
    offset: u64,
    place: u64,
    process: u32,
}

impl Entry {
    fn new(event: &Event, process: u32) -> Self {
        Entry {
            offset: event.offset_ns,
            place: (u64::from(event.stream) << 32) | u64::from(event.camera),
            process,
        }
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.offset, self.place) == (other.offset, other.place)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.offset, self.place).cmp(&(other.offset, other.place))
    }
}

impl<'s> Plan<'s> {
    /// Compiles a validated scenario into its plan. No clock and no I/O: the same scenario
    /// (and so the same seed) always gives the same events.
    pub fn new(scenario: &'s Scenario) -> Self {
        let duration = scenario.duration.0;
        let mut processes = Vec::new();
        for (index, stream) in scenario.streams.iter().enumerate() {
            match stream.arrivals {
                StreamArrivals::Shared(_) => {
                    processes.push(Process::new(stream, index as u32, None, duration))
                }
                StreamArrivals::PerCamera => processes.extend(
                    (0..stream.cameras.len() as u32)
                        .map(|camera| Process::new(stream, index as u32, Some(camera), duration)),
                ),
            }
        }
        let mut heap = BinaryHeap::with_capacity(processes.len());
        for (i, process) in processes.iter_mut().enumerate() {
            if let Some(event) = process.first() {
                heap.push(Reverse(Entry::new(&event, i as u32)));
            }
        }
        Plan { processes, heap }
    }
}

impl Iterator for Plan<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let mut top = self.heap.peek_mut()?;
        let Reverse(entry) = *top;
        let process = &mut self.processes[entry.process as usize];
        let event = Event {
            offset_ns: entry.offset,
            stream: (entry.place >> 32) as u32,
            camera: entry.place as u32,
            seq: process.last_seq(),
        };
        match process.after(entry.offset) {
            Some(next) => *top = Reverse(Entry::new(&next, entry.process)),
            None => {
                PeekMut::pop(top);
            }
        }
        Some(event)
    }
}
