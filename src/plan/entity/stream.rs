//! Every entity of one stream merged into one time-ordered process of sightings, lazily.
//!
//! The entities enter by the stream's arrival process (gaps from `arrivals`, the entry
//! camera picked by weight, rate profile and incidents applied); each entity inside is
//! one entry of a heap ordered by its next sighting (instant, camera, sequence number),
//! so memory holds only the entities inside the site. Entities the run's shard does not
//! own are never walked. A sighting is dropped when it is missed or when its camera is
//! in an outage that drops its backlog; either way the entity walks on.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::ids::{MAX_ENTITIES, identity, pack};
use super::{Arrivals, Graph, Walk, ceil_us};
use crate::plan::event::Event;
use crate::plan::schedule::Tracker;
use crate::scenario::{Scenario, Shard};

/// One entity inside the site: its walk and its next sighting in the current visit.
#[derive(Debug, Clone)]
struct Inside {
    walk: Walk,
    /// The next sighting's number within the visit, and how many the visit holds.
    sighting: u64,
    sightings: u64,
}

/// The sightings of one entity stream, in time order.
#[derive(Debug, Clone)]
pub(crate) struct EntityStream<A> {
    arrivals: A,
    next_arrival: Option<Event>,
    graph: Graph,
    /// (instant, camera, sequence number, slot): the next sighting of each entity inside.
    heap: BinaryHeap<Reverse<(u64, u32, u64, u32)>>,
    slots: Vec<Option<Inside>>,
    free: Vec<u32>,
    /// Per camera position, the outages that silence it (those that drop their backlog).
    outages: Vec<Vec<Tracker>>,
    /// The stream's name (entity ids are `<name>-<n>`) and the run's shard.
    name: String,
    shard: Option<Shard>,
    stream: u32,
    identity: u64,
    horizon: u64,
}

impl<A: Arrivals> EntityStream<A> {
    /// The sightings of the entity stream at `stream` whose entities arrive by
    /// `arrivals` (the stream's own process identity is the arrivals').
    pub(crate) fn new(scenario: &Scenario, stream: u32, mut arrivals: A) -> EntityStream<A> {
        let s = &scenario.streams[stream as usize];
        let crate::scenario::StreamArrivals::Entities(entities) = &s.arrivals else {
            unreachable!("an entity stream has entities");
        };
        let next_arrival = arrivals.first();
        EntityStream {
            identity: arrivals.identity(),
            arrivals,
            next_arrival,
            graph: Graph::new(entities, s.cameras.len()),
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            outages: crate::plan::windows::silencing_outages(scenario, stream as usize),
            name: s.name.clone(),
            shard: scenario.shard.filter(|s| s.count > 1),
            stream,
            horizon: scenario.duration.0,
        }
    }

    /// Whether the run owns entity `n`: every entity when it is not split.
    fn owns(&self, n: u64) -> bool {
        self.shard
            .is_none_or(|shard| owner(&self.name, n, shard.count) == shard.index)
    }

    /// Lets entity `arrival.seq` in at its entry camera, if the run owns it.
    fn admit(&mut self, arrival: Event) {
        let n = arrival.seq;
        if n >= MAX_ENTITIES || !self.owns(n) {
            return;
        }
        let id = identity(self.identity, n);
        let walk = Walk::new(&self.graph, id, n, arrival.camera, arrival.offset_ns);
        self.enter(walk);
    }

    /// Puts an entity at the start of its current visit in the heap, if the visit holds
    /// a sighting before the end.
    fn enter(&mut self, walk: Walk) {
        let v = walk.visit;
        let sightings = self.graph.sightings(v.enter, v.leave, self.horizon);
        if sightings == 0 {
            return;
        }
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(None);
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Reverse((
            v.enter,
            v.camera,
            pack(walk.entity, v.number, 0),
            slot,
        )));
        self.slots[slot as usize] = Some(Inside {
            walk,
            sighting: 0,
            sightings,
        });
    }

    /// The next reported sighting.
    pub(crate) fn next(&mut self) -> Option<Event> {
        loop {
            let top = self.heap.peek().map(|Reverse(entry)| entry.0);
            if let Some(arrival) = self.next_arrival {
                if top.is_none_or(|t| ceil_us(arrival.offset_ns) <= t) {
                    self.next_arrival = self.arrivals.after(arrival.offset_ns);
                    self.admit(arrival);
                    continue;
                }
            }
            let Reverse((t, camera, seq, slot)) = self.heap.pop()?;
            let inside = self.slots[slot as usize].as_mut()?;
            let walk = inside.walk;
            let s = inside.sighting;
            let reported = !self.graph.missed(walk.identity, walk.visit.number, s)
                & !self.outages[camera as usize]
                    .iter_mut()
                    .fold(false, |out, tracker| tracker.inside(t) | out);
            // The entity's next sighting: later in this visit, or the next visit's first.
            if s + 1 < inside.sightings {
                inside.sighting += 1;
                let at = self.graph.sighting_at(walk.visit.enter, s + 1);
                self.heap.push(Reverse((at, camera, seq + 1, slot)));
            } else {
                self.slots[slot as usize] = None;
                self.free.push(slot);
                let mut walk = walk;
                if walk.advance(&self.graph, self.horizon) {
                    self.enter(walk);
                }
            }
            if reported {
                return Some(Event {
                    offset_ns: t,
                    stream: self.stream,
                    camera,
                    seq,
                    process: self.identity,
                });
            }
        }
    }
}

/// The shard, of `count`, that owns entity `n` of the stream `name`: by the hash of its
/// id's text, as cameras are by theirs.
pub fn owner(name: &str, n: u64, count: u32) -> u32 {
    let mut text = String::with_capacity(name.len() + 12);
    text.push_str(name);
    text.push('-');
    text.push_str(itoa::Buffer::new().format(n));
    crate::plan::shard::shard_of_text(text.as_bytes(), count)
}
