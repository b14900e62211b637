//! Where a plan goes: stdout for dry runs (and, in the next step, Kafka).

pub mod stdout;
