//! The pure core: a validated scenario becomes a lazy, time-ordered plan of events.
//!
//! No clock, no I/O, no global random state, nothing Kafka-shaped: the plan yields
//! [`Event`]s (when, which stream and camera, which process and its sequence number), and
//! [`crate::render`] turns them into bytes. The start instant only matters there.
//!
//! `random` makes every random stream's key and the counter generator (how identities
//! become seeds, written once). [`distribution`] builds each stream's gap sampler, [`process`] runs one arrival
//! process (its identity, random stream, gaps and camera picks), `rate` maps its gaps
//! through the time change of a rate that varies (profiles, incidents, outages), whose
//! windows `schedule` draws and [`windows`] assigns (the schedule an outage follows for a
//! camera decided once), and [`merge`] merges every process's events into one
//! ordered [`Plan`]. [`fault`] turns the plan's events into the [`Messages`] that are
//! sent, in send order: faults (late, duplicate, drop, malformed) and outages that hold
//! messages back move the send time apart from the event time. [`shard`] decides which
//! cameras a shard of a split run owns. [`payload`] draws the values of payload fields, as a pure function
//! of (process, field, event), apart from the process's own random stream.

pub mod distribution;
pub mod fault;
pub mod merge;
pub mod payload;
pub mod process;
pub(crate) mod random;
pub(crate) mod rate;
pub(crate) mod schedule;
pub mod shard;
pub mod windows;

pub use fault::{Mark, Messages, Outgoing, Tally};
pub use merge::Plan;

/// One planned event. Events order by (offset, stream position, camera position,
/// sequence number within the process), a total order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Event {
    /// Nanoseconds after the start.
    pub offset_ns: u64,
    /// Position of the stream in the scenario.
    pub stream: u32,
    /// Position of the camera in its stream.
    pub camera: u32,
    /// Sequence number of the event within its process, from 0.
    pub seq: u64,
    /// The identity of the arrival process that drew it: the leading 64 bits of its key
    /// (`random::Key::head`), the same on every replay.
    pub process: u64,
}
