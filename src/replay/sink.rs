//! The interface between the one paced loop and the sinks it drives: [`Sink`] and what
//! became of a handed-over event ([`Handover`]). Declared by the loop (it imports no
//! sink); re-exported as `crate::sink::Sink`, where the sinks live.

use std::time::Duration;

use crate::error::Error;
use crate::render::Message;

/// What became of an event handed to a sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// The sink took it (written, or queued for delivery).
    Taken,
    /// The sink refused it and has counted the failure (a Kafka send error).
    Refused,
    /// The sink had no room and the run was stopped while it waited: the event was not
    /// handed over.
    Stopped,
}

/// A destination for the events of a plan.
pub trait Sink {
    /// Hands over one event; the sink renders what it needs from `message`. An error
    /// ends the run (output that cannot be written, for example).
    fn send(&mut self, message: Message<'_, '_>) -> Result<Handover, Error>;

    /// Called while the pacer waits for a deadline, for at most `budget`: time to serve
    /// background work (delivery reports). It must not overrun `budget` by more than the
    /// kernel's timer slack.
    fn idle(&mut self, budget: Duration) {
        std::thread::sleep(budget);
    }

    /// After the last event, or after a stop: write out or wait for what is outstanding,
    /// within the sink's own bounds.
    fn finish(&mut self) -> Result<(), Error>;

    /// Events that failed so far, for progress output.
    fn failures(&self) -> u64 {
        0
    }

    /// Events handed over but not yet confirmed, for progress output.
    fn pending(&self) -> u64 {
        0
    }

    /// Events the destination confirmed so far (a sink without confirmations: 0).
    fn delivered(&self) -> u64 {
        0
    }
}
