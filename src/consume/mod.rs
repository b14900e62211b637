//! The other side of the pipe: what a cluster holds, read back and judged against what
//! the plan says it should hold. One consumer (`reader`, the `kafka` feature) serves
//! every check; the checks keep fingerprints, not messages, so memory is bounded by what
//! is not yet matched, not by the run.
//!
//! - `verify`: every topic the scenario writes, compared message by message with the
//!   plan (`simulate verify`, a run's `--verify`, the embedded run's read-back).
//! - `score`: a pipeline's per-window aggregates against the ground truth.
//! - `latency`: end-to-end latency, produce → consume, or through a pipeline.
//! - `record`: the topics written to a file as they are, for a `replay:` stream or
//!   `simulate fit`.

/// End-to-end latency: the consumer of a run's `--latency`, and its pure matching.
#[cfg(feature = "kafka")]
pub(crate) mod latency;
#[cfg(feature = "kafka")]
pub(crate) mod reader;
/// `simulate record`: topics into a recording file.
#[cfg(feature = "kafka")]
pub(crate) mod record;
/// `simulate score`: a pipeline's aggregates against the truth (the pure part always;
/// reading a topic with the `kafka` feature).
pub(crate) mod score;
pub mod verify;
