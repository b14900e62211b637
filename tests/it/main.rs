//! Integration tests, one binary with a module per concern (faster to build than many).

mod avro;
mod broker;
mod cli;
mod common;
mod corpus;
mod determinism;
mod errors;
mod faults;
mod golden;
mod kafka;
mod layout;
mod memory;
mod payload;
mod plot;
mod properties;
mod rates;
mod readme;
mod real_broker;
mod realism;
mod registry;
mod schema;
mod secrets;
mod secured;
mod shards;
mod stats;
mod summary;
