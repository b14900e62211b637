//! The pure core: a validated scenario becomes a lazy, time-ordered plan of events.
//!
//! No clock, no I/O, no global random state, nothing Kafka-shaped: the plan yields
//! [`Event`]s (when, which stream and camera, which process and its sequence number), and
//! [`crate::render`] turns them into bytes. The start instant only matters there.
//!
//! The stages, upstream first (no file imports one after it, and none imports this one):
//! - `event`: the [`Event`] every stage passes on.
//! - `random`: every random stream's key and the counter generator: how identities
//!   become seeds, written once.
//! - [`distribution`]: each stream's gap sampler, and the lengths of windows and delays.
//! - `schedule`: one incident or outage entry's windows, drawn lazily; `windows`: which
//!   of them shape which process and hold which camera ([`windows::camera_windows`],
//!   [`windows::stream_windows`] list them).
//! - `rate`: a process's gaps through the time change of a rate that varies (profiles,
//!   incidents, outages).
//! - [`shard`]: which cameras a shard of a split run owns.
//! - [`entity`]: entity streams: people and vehicles walking the cameras' graph, their
//!   sightings merged into one process, and their ground truth.
//! - [`process`]: one arrival process (its identity, random stream, gaps and camera
//!   picks).
//! - [`merge`]: every process's events merged into one ordered stream, [`Events`].
//! - [`fault`]: which fault strikes each event (late, duplicate, drop, malformed), and
//!   the [`Tally`] of what became of a plan's events.
//! - [`send`]: the [`Plan`], what is replayed: the events as messages in send order,
//!   faults applied, outages holding messages back (which moves the send time apart
//!   from the event time), a shard's own cameras only.
//! - [`payload`]: the values of payload fields, as a pure function of (process, field,
//!   event), apart from the process's own random stream.

pub mod distribution;
pub mod entity;
#[cfg(test)]
mod entity_tests;
mod event;
pub mod fault;
pub mod merge;
pub mod payload;
pub mod process;
pub(crate) mod random;
pub(crate) mod rate;
pub(crate) mod schedule;
pub mod send;
pub mod shard;
pub mod windows;

pub use event::Event;
pub use fault::{Mark, Tally};
pub use merge::Events;
pub use send::{Outgoing, Plan};
