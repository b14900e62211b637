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
    heap: BinaryHeap<Reverse<(Event, u32)>>,
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
                heap.push(Reverse((event, i as u32)));
            }
        }
        Plan { processes, heap }
    }

    /// How many processes still have events to come.
    pub fn live_processes(&self) -> usize {
        self.heap.len()
    }
}

impl Iterator for Plan<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        let mut top = self.heap.peek_mut()?;
        let Reverse((event, process)) = *top;
        match self.processes[process as usize].after(event.offset_ns) {
            Some(next) => *top = Reverse((next, process)),
            None => {
                PeekMut::pop(top);
            }
        }
        Some(event)
    }
}
