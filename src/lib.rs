//! `simulate` turns a declarative YAML scenario into a deterministic, time-ordered plan of
//! camera events and replays it into Kafka, or prints it.
//!
//! Data flows one way, one module per arrow:
//!
//! ```text
//! scenario file ─ scenario ─▶ validated Scenario ─ plan ─▶ Events ─ render ─▶ bytes
//!      ─ replay (pacing, stop, counts) ─▶ sink (stdout | Kafka) ─▶ report
//! ```
//!
//! - [`scenario`]: the file format. Reads, parses and validates a file into plain data
//!   that cannot hold an invalid value; every problem located at `file:line:column`.
//!   Imports nothing downstream.
//! - [`plan`]: the pure core. Builds each process's sampler, pick table and identity from
//!   the validated data and merges their events lazily, in a total order. No clock, no
//!   I/O, nothing Kafka-shaped.
//! - [`render`]: event → message value, key, timestamp, `--format plan` line; the one
//!   description of the payload, which also generates the event JSON Schema.
//! - [`replay`]: the one paced loop, generic over a [`sink::Sink`]: deadlines, Ctrl-C,
//!   lateness, progress, counts.
//! - [`sink`]: stdout (dry run) and Kafka (send, poll, flush, delivery accounting,
//!   embedded cluster, read-back).
//! - [`metrics`]: `--metrics`, the run's counters in Prometheus text format while it runs.
//! - [`plot`]: `simulate plot`, a plan or a report as one image of charts (SVG, PNG).
//! - [`stats`]: `simulate stats`, what a plan holds summed up, in bounded memory.
//! - [`redact`]: secret property values, masked in everything the process writes.
//! - [`report`]: what a run did, sink-neutral with a Kafka section; [`truth`]: the
//!   ground truth of the plan (faults injected, per-window counts of clean events).
//! - At the edge: [`cli`] (the command line, the environment read once), [`mod@run`]
//!   (each command assembled from the above), [`error`] (typed errors → exit codes).
//!
//! Where the next features go: a distribution is a variant of
//! [`scenario::model::DistributionKind`] and [`scenario::model::InterArrival`] (the
//! compiler then points at the loader, validation and [`plan::distribution::Sampler`]);
//! a rate profile, incidents and outages are validated in [`scenario`] and become a time
//! change (`plan/rate.rs`, with windows drawn in `plan/schedule.rs` and assigned in
//! [`plan::windows`]) applied by
//! [`plan::process`]; a payload generator is a variant of
//! [`scenario::model::GeneratorKind`] and [`scenario::model::Generator`] (the compiler
//! then points at the loader, validation, the renderer's program and the event schema),
//! its draws in [`plan::payload`]; a fault kind is a [`plan::Mark`] drawn in
//! [`plan::fault`], applied in [`plan::send`] and counted by [`plan::Tally`] (for
//! [`truth`] and [`stats`]); a shard filter chooses processes in
//! [`plan::process::processes`]; a sink is one more implementation of [`sink::Sink`].

// Without the heavy edges some of what only they use is unused; the full build (what CI
// lints) keeps the dead-code lint for everything.
#![cfg_attr(not(all(feature = "kafka", feature = "plot")), allow(dead_code))]

pub mod cli;
pub mod error;
pub(crate) mod histogram;
pub mod metrics;
pub(crate) mod output;
pub mod plan;
#[cfg(feature = "plot")]
pub mod plot;
pub mod redact;
pub mod render;
pub mod replay;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schema;
pub mod sink;
pub mod stats;
pub(crate) mod text;
pub mod truth;

pub use error::Error;
pub use run::run;
