//! Verification: does a cluster hold exactly the plan? Every topic the scenario writes
//! is read and compared, message by message, with the plan the same scenario, seed and
//! start give — key, value bytes, headers, timestamp, per-key order, partition
//! stickiness. Faults are part of the plan: planned duplicates must be there twice,
//! dropped events absent, malformed values byte-identical.
//!
//! The rooms: `print` (fingerprints and the maps keyed by them), `matcher` (pure: the two multisets, the classification of what
//! is left), `planned` (the plan rendered as the send renders it, into prints), and,
//! with the `kafka` feature, `read` (the loop that feeds both sides from the reader and
//! the plan). [`outcome`] is what a verification found, as words and as JSON.

pub(crate) mod matcher;
pub mod outcome;
pub(crate) mod planned;
pub(crate) mod print;
#[cfg(feature = "kafka")]
pub(crate) mod read;

#[cfg(test)]
mod tests;

pub use outcome::{ExampleJson, Verification};
