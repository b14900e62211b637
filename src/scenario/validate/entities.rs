//! An entity stream (`entities:`), validated: people or vehicles that enter the site at
//! an entry camera, stay in a camera's view for a dwell, walk to the next camera along
//! the weighted `moves` graph, and leave. The planner (`plan/entity.rs`) walks each
//! entity; here every camera is a position in the stream's camera list and every
//! parameter is one the planner can draw from.

use crate::scenario::model::InterArrival;
use crate::scenario::payload::Gen;

/// Most visits one entity's path may be given (`max_visits`).
pub const MAX_VISITS: u32 = 1_000;

/// Most sightings one visit holds: a longer visit ends early (its leave is unchanged in
/// the truth, its later sightings are not planned).
pub const MAX_SIGHTINGS_PER_VISIT: u64 = (1 << 22) - 1;

/// `max_visits` when the file gives none.
pub const DEFAULT_MAX_VISITS: u32 = 50;

/// A validated `entities:` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Entities {
    /// The gaps between entities entering (a valid distribution).
    pub arrivals: InterArrival,
    /// The entry cameras, as (camera position, weight): at least one, weights positive
    /// and finite, positions unique, in the order written.
    pub enter: Vec<(u32, f64)>,
    /// Per camera position, where an entity in its view goes next; empty for a dead end
    /// (the entity leaves). Weights positive and finite.
    pub moves: Vec<Vec<Move>>,
    /// How long an entity stays in one camera's view (a valid distribution).
    pub dwell: InterArrival,
    /// Per camera position, the dwell that replaces `dwell` there (`dwell_by_camera`).
    pub dwell_by_camera: Vec<Option<InterArrival>>,
    /// When a camera reports an entity in its view.
    pub sightings: Sightings,
    /// The probability that a sighting is not reported, in [0, 1).
    pub miss: f64,
    /// The most visits one entity's path holds, 1 to [`MAX_VISITS`]; the entity leaves
    /// after its last.
    pub max_visits: u32,
    /// The entity's attributes, drawn once per entity, in the order written: (name, the
    /// generator that draws it, one of `choice`, `int`, `float`, `normal`, `sequence`).
    pub attributes: Vec<(String, Gen)>,
    /// Per camera position, its `zone` attribute as text, when the cameras have one: the
    /// zones whose occupancy the truth counts.
    pub zones: Option<Vec<String>>,
}

/// One move out of a camera's view.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// Where to.
    pub to: Target,
    /// Its weight among the camera's moves: positive and finite.
    pub weight: f64,
    /// The time from leaving one view to entering the next (a valid distribution);
    /// `None` for no time at all (and always for `exit`).
    pub travel: Option<InterArrival>,
}

/// Where a move goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The camera at this position of the stream.
    Camera(u32),
    /// Out of the site.
    Exit,
}

/// When a camera reports an entity in its view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sightings {
    /// On arrival in view and every so many ns after (a whole number of µs, ≥ 1 µs),
    /// while in view.
    Every(u64),
    /// Once per visit, on arrival in view.
    Once,
}
