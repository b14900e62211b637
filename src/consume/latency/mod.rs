//! End-to-end latency (`--latency`, `--latency-topic T --latency-field F`): a consumer in
//! the run's process reads what arrives after it starts, and each message's consume time
//! minus the time it was handed to librdkafka is counted, both on this host's monotonic
//! clock (no clock skew between the two sides).
//!
//! - [`matching`] (pure): sends matched to consumed messages, percentiles and counts.
//! - `consumer`: the consumer thread, fed the sink's record of
//!   sends (`sink::kafka::sent`), ended by the flush and then by a match of everything
//!   sent or an idle timeout.

pub(crate) mod matching;

mod consumer;

pub(crate) use consumer::{Measuring, Options};
pub(crate) use matching::Latency;
