//! Entity streams: people or vehicles that enter the site at an entry camera, stay in a
//! camera's view for a dwell, move along the weighted `moves` graph, and leave.
//!
//! - `ids`: how a sighting's sequence number names its entity, visit and sighting, and
//!   the identities and track ids derived from them.
//! - here: the [`Graph`] (each camera's dwell and moves, ready to draw) and the [`Walk`]
//!   of one entity, visit after visit, a pure function of (seed, stream, entity number).
//! - `stream`: every entity of a stream merged into one time-ordered process of
//!   sightings, lazily: memory is bounded by the entities inside the site at once.
//! - `record`: the ground truth of a stream's entities (their visits, from the walks).
//! - `testing` (tests only): the mall, an entity scenario built in memory.
//!
//! Every instant of an entity is a whole microsecond (its entering rounded up, dwells and
//! travel times rounded, the sighting period a whole number of µs), so the truth's
//! instants in µs are exact and counts recomputed from them agree with the plan's.
//!
//! Visit `k` of an entity draws from a counter-based generator (`CounterRng`) numbered `k` of the entity's path
//! stream, in this order: the dwell, the move, the travel time. A sighting's miss draws
//! from a stream of its own, numbered by the sighting. Nothing draws by creation order,
//! so a changed `miss` changes no path, and a changed dwell at one camera changes only
//! the entities that visit it.

pub mod ids;
pub mod record;
pub(crate) mod stream;

use rand::RngCore;

use super::distribution::Sampler;
use super::payload::unit;
use super::random::{CounterRng, mix};
use crate::scenario::validate::{Entities, Sightings, Target};

/// The process by which a stream's entities enter (`plan/process.rs` has the one
/// used): each of its events is one entity entering, its sequence number the entity's
/// number, at its entry camera.
pub trait Arrivals {
    /// The first entity to enter.
    fn first(&mut self) -> Option<crate::plan::Event>;
    /// The entity after one that entered at `offset` (ns).
    fn after(&mut self, offset: u64) -> Option<crate::plan::Event>;
    /// The identity of the stream's process, which its sightings carry.
    fn identity(&self) -> u64;
}

/// The seed purpose of an entity's path draws.
const PATH: u64 = 0x7061_7468_2f76_3031; // "path/v01"
/// The seed purpose of an entity's misses.
const MISS: u64 = 0x6d69_7373_2f76_3031; // "miss/v01"

/// One nanosecond short of a microsecond: what rounding up adds.
const US: u64 = 1_000;

/// `ns` rounded to the nearest whole microsecond, in ns.
fn round_us(ns: u64) -> u64 {
    ns.saturating_add(US / 2) / US * US
}

/// `ns` rounded up to a whole microsecond, in ns.
pub(crate) fn ceil_us(ns: u64) -> u64 {
    ns.div_ceil(US).saturating_mul(US)
}

/// One move out of a camera, ready to draw.
#[derive(Debug, Clone)]
struct Move {
    to: Target,
    travel: Option<Sampler>,
}

/// One camera's part of the graph.
#[derive(Debug, Clone)]
struct Node {
    dwell: Sampler,
    /// Running sums of the moves' weights (empty: a dead end).
    cumulative: Vec<f64>,
    moves: Vec<Move>,
}

/// A stream's entity graph, ready to walk: per camera its dwell and moves.
#[derive(Debug, Clone)]
pub struct Graph {
    nodes: Vec<Node>,
    /// The sighting period in ns (a whole number of µs); `None`: once per visit.
    every: Option<u64>,
    /// The probability that a sighting is missed.
    miss: f64,
    max_visits: u32,
}

impl Graph {
    /// The graph of a validated `entities:` section over `cameras` cameras.
    pub fn new(entities: &Entities, cameras: usize) -> Graph {
        let nodes = (0..cameras)
            .map(|c| {
                let dwell = entities.dwell_by_camera.get(c).and_then(Option::as_ref);
                let moves = entities.moves.get(c).map_or(&[][..], |m| &m[..]);
                Node {
                    dwell: Sampler::new(dwell.unwrap_or(&entities.dwell)),
                    cumulative: moves
                        .iter()
                        .scan(0.0, |sum, m| {
                            *sum += m.weight;
                            Some(*sum)
                        })
                        .collect(),
                    moves: moves
                        .iter()
                        .map(|m| Move {
                            to: m.to,
                            travel: m.travel.as_ref().map(Sampler::new),
                        })
                        .collect(),
                }
            })
            .collect();
        Graph {
            nodes,
            every: match entities.sightings {
                Sightings::Every(ns) => Some(ns.max(US)),
                Sightings::Once => None,
            },
            miss: entities.miss,
            max_visits: entities.max_visits.max(1),
        }
    }

    /// How many sightings a visit `[enter, leave)` holds, the run ending at `horizon`.
    pub fn sightings(&self, enter: u64, leave: u64, horizon: u64) -> u64 {
        let end = leave.min(horizon);
        if enter >= end {
            return 0;
        }
        match self.every {
            None => 1,
            Some(every) => ((end - enter - 1) / every + 1)
                .min(crate::scenario::validate::entities::MAX_SIGHTINGS_PER_VISIT),
        }
    }

    /// The instant of sighting `s` of a visit entered at `enter`.
    pub fn sighting_at(&self, enter: u64, s: u64) -> u64 {
        enter.saturating_add(self.every.unwrap_or(0).saturating_mul(s))
    }

    /// Whether sighting `s` of visit `visit` of the entity `identity` is missed.
    pub fn missed(&self, identity: u64, visit: u32, s: u64) -> bool {
        if self.miss <= 0.0 {
            return false;
        }
        let seed = mix(identity ^ MISS);
        let mut rng = CounterRng::new(seed, ids::pack(0, visit, s));
        unit(rng.next_u64()) < self.miss
    }
}

/// How an entity's path ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It chose `exit`.
    Exit,
    /// It reached a camera without moves.
    DeadEnd,
    /// It reached `max_visits`.
    MaxVisits,
    /// The run ended first: it is still inside (in view or on its way).
    Inside,
}

/// One visit of an entity: a camera's view from `enter` to `leave` (ns, whole µs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Its number in the entity's path, from 0.
    pub number: u32,
    /// The camera's position in the stream.
    pub camera: u32,
    /// When it comes into view.
    pub enter: u64,
    /// When it leaves the view, as drawn (it may lie past the run's end).
    pub leave: u64,
}

/// What follows a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The next visit, at this camera after this travel time (ns).
    Move {
        /// The move's target camera.
        to: u32,
        /// When the entity comes into its view.
        enter: u64,
    },
    /// The entity leaves the site when the visit ends.
    Leave(Ending),
}

/// One entity's path, visit after visit.
#[derive(Debug, Clone, Copy)]
pub struct Walk {
    /// The entity's identity ([`ids::identity`]).
    pub identity: u64,
    /// Its number, from 0 in order of entering.
    pub entity: u64,
    /// The visit it is in.
    pub visit: Visit,
    /// What follows it.
    pub next: Step,
}

impl Walk {
    /// The walk of an entity that enters at `camera` at `enter` (ns, rounded up to a µs).
    pub fn new(graph: &Graph, identity: u64, entity: u64, camera: u32, enter: u64) -> Walk {
        let mut walk = Walk {
            identity,
            entity,
            visit: Visit {
                number: 0,
                camera,
                enter: ceil_us(enter),
                leave: 0,
            },
            next: Step::Leave(Ending::Exit),
        };
        walk.draw(graph);
        walk
    }

    /// Draws the current visit's dwell, its move and the travel time.
    fn draw(&mut self, graph: &Graph) {
        let seed = mix(self.identity ^ PATH);
        let mut rng = CounterRng::new(seed, u64::from(self.visit.number));
        let node = &graph.nodes[self.visit.camera as usize];
        let dwell = round_us(node.dwell.sample(&mut rng)).max(US);
        self.visit.leave = self.visit.enter.saturating_add(dwell);
        let last = self.visit.number + 1 >= graph.max_visits;
        self.next = match node.cumulative.last() {
            None => Step::Leave(Ending::DeadEnd),
            Some(&total) => {
                let x = unit(rng.next_u64()) * total;
                let i = node
                    .cumulative
                    .partition_point(|&c| c <= x)
                    .min(node.moves.len() - 1);
                let chosen = &node.moves[i];
                match chosen.to {
                    Target::Exit => Step::Leave(Ending::Exit),
                    Target::Camera(_) if last => Step::Leave(Ending::MaxVisits),
                    Target::Camera(to) => {
                        let travel = chosen
                            .travel
                            .as_ref()
                            .map_or(0, |t| round_us(t.sample(&mut rng)));
                        Step::Move {
                            to,
                            enter: self.visit.leave.saturating_add(travel),
                        }
                    }
                }
            }
        };
    }

    /// Moves to the next visit, if there is one that starts before `horizon`.
    pub fn advance(&mut self, graph: &Graph, horizon: u64) -> bool {
        match self.next {
            Step::Move { to, enter } if enter < horizon => {
                self.visit = Visit {
                    number: self.visit.number + 1,
                    camera: to,
                    enter,
                    leave: 0,
                };
                self.draw(graph);
                true
            }
            Step::Move { .. } | Step::Leave(_) => false,
        }
    }
}

#[cfg(test)]
pub(crate) mod testing;
