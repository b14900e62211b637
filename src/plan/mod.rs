//! The pure core: a validated scenario becomes a lazy, time-ordered plan of events.
//! No clock, no I/O, no global random state; the start instant only matters when events
//! are rendered ([`event::Renderer`]).

pub mod distribution;
pub mod event;
pub mod merge;
pub mod process;

pub use event::{Event, Renderer};
pub use merge::Plan;
