//! Where a plan goes: stdout for dry runs, Kafka otherwise.

pub mod kafka;
pub mod stdout;
