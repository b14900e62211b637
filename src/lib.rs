//! `simulate` turns a declarative YAML scenario into a deterministic, time-ordered plan of
//! camera events and replays it into Kafka, or prints it. This header is the one
//! description of the architecture (the README and `docs/` are for users;
//! `CONTRIBUTING.md` says how to build, test and lint).
//!
//! Data flows one way, one module per arrow; no module names one downstream of it, and
//! no module or file imports in a circle (`tests/it/layout.rs` checks both):
//!
//! ```text
//! scenario file ─ scenario ─▶ validated Scenario ─ plan ─▶ Plan (messages) ─ render ─▶ bytes
//!      ─ replay (pacing, stop, counts) ─▶ sink (stdout | Kafka) ─▶ report
//!                      cluster ─ consume (verify, score, latency) ─▶ report
//! ```
//!
//! | room | what it owns |
//! |---|---|
//! | [`scenario`] | the file format: `load` (read, limits, YAML) → `walk` (the raw [`scenario::model`], every problem collected) → `validate/` (one file per topic: a [`scenario::Scenario`] that cannot hold a bad value); `distribution.rs` (a distribution's mean, typical gap, density, problems); problems located at `file:line:column` (`positions`, `diagnostics`). Imports nothing downstream. |
//! | [`plan`] | the pure core, no clock, no I/O: `random` (every stream key, the counter RNG), `distribution` (samplers), `rate` and `schedule`/`windows` (time change; incident and outage windows, the outage rule once), `process` (one arrival process), `merge` (the merged [`plan::Events`], ties in a total order), `payload` (field draws), `fault` (fault choices, the [`plan::Tally`]), `send` (the send order: delays, holds, the shard filter) → [`plan::Plan`], what is replayed. |
//! | [`render`] | a planned message → value, key, headers, timestamp, `--format plan` line ([`render::Renderer`], lazily through [`render::Message`]); malformed values; the event JSON Schemas. |
//! | [`encode`] | value encoders beside JSON, handed the renderer's JSON text: a stream's `codec` compiled after validation (`compile`; users' schema files in `user`, checked against the payload as `misfit`s), Avro (`derive`, `avsc`, `avro`), Protobuf (`protobuf`), JSON Schema (`jsonschema`), `wire` (the Confluent framing, base64). Imports only [`scenario`]. |
//! | [`replay`] | the one paced loop, generic over a [`sink::Sink`]: deadlines (`pacer`), Ctrl-C, lateness, progress, counts. |
//! | [`sink`] | where rendered messages go: `stdout` (the dry run) and `kafka` (config and [`sink::kafka::Settings`] as pure data; with the `kafka` feature the producer, the session that opens itself, the embedded cluster, the read-back through a fingerprinting sink). |
//! | [`consume`] | the other side of the pipe, one consumer (`reader`) for every check: `verify` (the plan against what a cluster holds, message by message: fingerprints in two multisets, what is left classified; a run's `--verify` and the embedded read-back), `score` (a pipeline's per-window aggregates against the truth), `latency` (end-to-end, produce → consume or through a pipeline), `record` (topics written to a recording as they arrive, between two message-time instants). |
//! | [`report`] | what a run did, built by constructors: sink-neutral counts, a section per sink (`kafka`), merging shards' reports. |
//! | beside the flow | [`registry`] (the Schema Registry client a run uses, and the embedded registry: Confluent's REST API as a pure function of requests, served on loopback; a test double), [`truth`] (the ground truth), [`stats`], [`plot`] (`plot` feature), [`metrics`], [`redact`], [`schema`] (the published JSON Schemas), [`recording`] (the one-message-per-line format `record` writes, `replay:` plays and `fit` reads), [`fit`] (a recording → a scenario, pure: gaps fitted to the eight distributions in `gaps`, the rate profile in `rate`, payload generators in `payload`, the commented YAML in `write`), `text` (how numbers and OS errors are spelled), `histogram`. |
//! | the edge | [`cli`] (the command line; the environment read once), [`mod@run`] (each command assembled from the owners; `run/send.rs`: a Kafka run, `--keep-broker` and `simulate broker`), `output` (report and truth files, never half-written), [`error`] (typed errors → exit codes), `main.rs`. |
//!
//! Where the next features go: a distribution is a variant of
//! [`scenario::model::DistributionKind`] and [`scenario::model::InterArrival`] (the
//! compiler then points at the loader, `scenario/distribution.rs` and
//! [`plan::distribution::Sampler`]); a rate profile, incidents and outages are validated
//! in [`scenario`] and become a time change (`plan/rate.rs`, with windows drawn in
//! `plan/schedule.rs` and assigned in [`plan::windows`]) applied by [`plan::process`]; a
//! payload generator is a variant of [`scenario::model::GeneratorKind`] (the compiler
//! then points at the loader, validation, the renderer's program and the event schema),
//! its draws in [`plan::payload`]; a fault kind is a [`plan::Mark`] drawn in
//! [`plan::fault`], applied in [`plan::send`] and counted by [`plan::Tally`] (for
//! [`truth`] and [`stats`]); an encoding is a renderer of the value; a sink is one
//! implementation of [`sink::Sink`], one constructor that builds it from its settings,
//! and one section of [`report::Report`]; a consumer-side check reads through
//! [`consume`]'s one reader and plans what should be there through the same rendering as
//! the send (as `consume/verify/planned.rs` does).
//!
//! Cargo features, default on: `kafka` (librdkafka, OpenSSL, libcurl) and `plot` (resvg,
//! DejaVu Sans). Without them the binary plans, prints, validates and writes schemas, stats
//! and truth; its Kafka runs and plots say which feature they need.

// Without the heavy edges some of what only they use is unused; the full build (what CI
// lints) keeps the dead-code lint for everything.
#![cfg_attr(not(all(feature = "kafka", feature = "plot")), allow(dead_code))]

pub mod cli;
pub mod consume;
pub mod encode;
pub mod error;
pub mod fit;
pub(crate) mod histogram;
pub mod metrics;
pub(crate) mod output;
pub mod plan;
#[cfg(feature = "plot")]
pub mod plot;
pub mod recording;
pub mod redact;
pub mod registry;
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
