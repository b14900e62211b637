//! Where rendered events go. A sink takes one event at a time through the small [`Sink`]
//! trait (in the spirit of ripgrep's `Sink`): [`Sink::send`] an event, [`Sink::idle`]
//! while the pacer waits, [`Sink::finish`] at the end. The one paced loop that drives
//! every sink is [`crate::replay`], which declares the trait it drives (so the loop
//! names no sink, and sinks may replay a plan: the dry run, the read-back's
//! fingerprints); it is re-exported here, where sinks implement it. A sink never paces
//! or counts planned events.
//!
//! Two sinks today: [`stdout`] (JSON lines into any `io::Write`, unpaced) and [`kafka`]
//! (send, poll, flush, delivery accounting). A file or HTTP sink would be a third
//! implementation of the trait, with no change to the loop.

pub mod kafka;
pub mod stdout;

pub use crate::replay::sink::{Handover, Sink};
