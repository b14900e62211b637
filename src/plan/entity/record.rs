//! The paths of a stream's entities, walked again from the arrivals exactly as the plan
//! walks them: what the ground truth lists. Only the entities the run's shard owns.

use super::ids::{MAX_ENTITIES, identity};
use super::stream::owner;
use super::{Arrivals, Ending, Graph, Step, Visit, Walk};
use crate::scenario::validate::Entities;
use crate::scenario::{Scenario, StreamArrivals};

/// One visit as the truth lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitRecord {
    /// The visit; its `leave` cut at the run's end.
    pub visit: Visit,
    /// The sightings due while in view before the run's end, reported or not.
    pub sightings: u64,
}

/// One entity's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityRecord {
    /// The entity's number, from 0 in order of entering.
    pub entity: u64,
    /// Its identity ([`super::ids::identity`]).
    pub identity: u64,
    /// Its visits, in order.
    pub visits: Vec<VisitRecord>,
    /// How its path ended ([`Ending::Inside`] when the run ended first).
    pub ending: Ending,
}

impl EntityRecord {
    /// When it left the site (the end of its last visit), unless it is still inside.
    pub fn left_at(&self) -> Option<u64> {
        match self.ending {
            Ending::Inside => None,
            Ending::Exit | Ending::DeadEnd | Ending::MaxVisits => {
                self.visits.last().map(|v| v.visit.leave)
            }
        }
    }
}

/// The entities of one entity stream, in order of entering, lazily.
pub struct Records<'s, A> {
    arrivals: A,
    next: Option<crate::plan::Event>,
    graph: Graph,
    name: &'s str,
    shard: Option<crate::scenario::Shard>,
    horizon: u64,
}

impl<'s, A: Arrivals> Records<'s, A> {
    /// The entities of the stream at `stream`, entering by `arrivals` (the stream's
    /// own, `plan::process::entity_records`), or `None` when it has none.
    pub fn new(scenario: &'s Scenario, stream: usize, mut arrivals: A) -> Option<Records<'s, A>> {
        let s = &scenario.streams[stream];
        let StreamArrivals::Entities(entities) = &s.arrivals else {
            return None;
        };
        let next = arrivals.first();
        Some(Records {
            arrivals,
            next,
            graph: Graph::new(entities, s.cameras.len()),
            name: &s.name,
            shard: scenario.shard.filter(|s| s.count > 1),
            horizon: scenario.duration.0,
        })
    }

    /// The identity of the stream's process, which its sightings carry.
    pub fn stream_identity(&self) -> u64 {
        self.arrivals.identity()
    }

    /// The stream's graph, ready to walk.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    fn record(&self, walk: &mut Walk) -> EntityRecord {
        let mut visits = Vec::new();
        loop {
            let v = walk.visit;
            visits.push(VisitRecord {
                visit: Visit {
                    leave: v.leave.min(self.horizon),
                    ..v
                },
                sightings: self.graph.sightings(v.enter, v.leave, self.horizon),
            });
            if !walk.advance(&self.graph, self.horizon) {
                break;
            }
        }
        let ending = match walk.next {
            _ if walk.visit.leave > self.horizon => Ending::Inside,
            Step::Move { .. } => Ending::Inside,
            Step::Leave(ending) => ending,
        };
        EntityRecord {
            entity: walk.entity,
            identity: walk.identity,
            visits,
            ending,
        }
    }
}

impl<A: Arrivals> Iterator for Records<'_, A> {
    type Item = EntityRecord;

    fn next(&mut self) -> Option<EntityRecord> {
        loop {
            let arrival = self.next?;
            self.next = self.arrivals.after(arrival.offset_ns);
            let n = arrival.seq;
            if n >= MAX_ENTITIES {
                return None;
            }
            if self
                .shard
                .is_some_and(|shard| owner(self.name, n, shard.count) != shard.index)
            {
                continue;
            }
            let id = identity(self.arrivals.identity(), n);
            let mut walk = Walk::new(&self.graph, id, n, arrival.camera, arrival.offset_ns);
            if walk.visit.enter >= self.horizon {
                return None;
            }
            return Some(self.record(&mut walk));
        }
    }
}

/// The `entities:` of an entity stream.
pub fn entities_of(scenario: &Scenario, stream: usize) -> Option<&Entities> {
    match &scenario.streams[stream].arrivals {
        StreamArrivals::Entities(e) => Some(e),
        StreamArrivals::Shared(_) | StreamArrivals::PerCamera | StreamArrivals::Replay(_) => None,
    }
}
