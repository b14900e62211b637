//! The Kafka sink: sends each event it is handed to a topic and accounts for every one.
//!
//! It adds only delivery to the plan: topics, keys, values, headers and timestamps are
//! rendered by the same [`crate::render::Renderer`] as the dry run, so with a fixed start
//! and `--max-speed` the messages are byte-identical to `--dry-run`. Sends never block
//! the pacer: a full local queue is retried, never dropped.
//!
//! The rooms: the producer's configuration as a pure function, with the run's
//! [`Settings`] ([`config`]); properties from outside the scenario ([`properties`], pure,
//! and `sources`, their I/O); and, with the `kafka` feature (librdkafka): the producer
//! and the [`Sink`](super::Sink) (`producer`, with `produce` and delivery accounting in
//! `delivery`, connection diagnosis in `diagnose`, property names and values for hints
//! in `known`), the sink built from its settings
//! (`session`), the record of sends a latency measurement reads (`sent`), and the
//! embedded cluster (`embedded`, served at a chosen port by `forward`); the read-back
//! of a run is `crate::consume`'s verification.

pub mod config;
pub mod properties;
pub(crate) mod sources;

#[cfg(feature = "kafka")]
mod delivery;
#[cfg(feature = "kafka")]
mod diagnose;
#[cfg(feature = "kafka")]
pub(crate) mod embedded;
#[cfg(feature = "kafka")]
pub(crate) mod forward;
#[cfg(feature = "kafka")]
mod known;
#[cfg(feature = "kafka")]
mod produce;
#[cfg(feature = "kafka")]
mod producer;
#[cfg(feature = "kafka")]
pub(crate) mod sent;
#[cfg(feature = "kafka")]
mod session;

pub use config::Settings;
#[cfg(feature = "kafka")]
pub(crate) use session::{Finished, Session};
