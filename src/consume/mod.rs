//! The other side of the pipe: what a cluster holds, read back and judged against what
//! the plan says it should hold. One consumer ([`reader`], the `kafka` feature) serves
//! every check; the checks keep fingerprints, not messages, so memory is bounded by what
//! is not yet matched, not by the run.
//!
//! - `verify`: every topic the scenario writes, compared message by message with the
//!   plan (`simulate verify`, a run's `--verify`, the embedded run's read-back).
//! - `score`: a pipeline's per-window aggregates against the ground truth.
//! - `latency`: end-to-end latency, produce → consume, or through a pipeline.

// Until `verify` and `latency` land, `score` uses only part of the reader (no keys,
// headers or watermarks): drop this allow when they do.
#[cfg(feature = "kafka")]
#[allow(dead_code)]
pub(crate) mod reader;
/// `simulate score`: a pipeline's aggregates against the truth (the pure part always;
/// reading a topic with the `kafka` feature).
pub(crate) mod score;
