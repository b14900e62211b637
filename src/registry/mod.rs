//! The Schema Registry (issue 24): the client a run registers and looks up schemas
//! with (`client`), and the embedded registry, a test double, like the mock Kafka
//! cluster, that speaks Confluent's Schema Registry REST API as documented ("Schema
//! Registry API Reference"), so that a run with the embedded cluster and no registry
//! URL registers and reads back its schemas with no setup.
//!
//! `api` is the pure core, a [`Registry`] answering one request at a time (routes,
//! bodies, error codes); `state` holds subjects, versions and global ids; `schema`
//! parses a schema of any type and applies a compatibility level, with the rules of
//! each format in `avro` and `avro_compat` (Avro), `proto` (Protobuf, compiled by
//! protox) and `json_schema`; `problem` is one incompatibility as Confluent spells it.
//! `serve` is the I/O edge: [`Serving`] runs a [`Registry`] on a loopback port.
//! Nothing else in the crate is imported but the base64 writer of [`crate::encode`] and
//! `text`'s words for OS errors (the client's messages).

mod api;
mod avro;
mod avro_compat;
pub mod client;
mod json_schema;
mod problem;
mod proto;
mod schema;
mod serve;
mod state;
#[cfg(test)]
mod tests;

pub use api::{Registry, Reply};
pub use schema::{Kind, Level, Reference};
pub use serve::Serving;
pub use state::ApiError;
