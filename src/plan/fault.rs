//! Faults: what becomes of each event of a stream with `faults`, and the tally of what
//! became of a plan's events ([`Tally`]). When the messages go is `plan/send.rs`.
//!
//! Each event of a stream with `faults` gets at most one fault, from one uniform draw
//! split into late, duplicate, drop and malformed, in that order, by their rates. The
//! draw, the delays and the malformation come from generators of their own, keyed by
//! (process identity, purpose) and numbered by the event's sequence number
//! (`plan/random.rs`), so faults change no event's time, camera or payload, and turning
//! faults on or off changes no clean event. (Turning one kind on moves the choices of the
//! kinds after it in that order; `malformed`, the last, moves nothing.)

use rand::Rng;
use schemars::JsonSchema;
use serde::Serialize;

use super::distribution::LengthSampler;
use super::event::Event;
use super::random::{
    CounterRng, FAULT_CHOICE, FAULT_DUPLICATE_DELAY, FAULT_LATE_DELAY, FAULT_MALFORMATION,
};
use crate::scenario::Faults;
use crate::scenario::model::Malformation;

/// What became of an event, or of one copy of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Sent at its own instant, untouched.
    Clean,
    /// Untouched, but held by an outage and sent when it ended (store-and-forward).
    Held,
    /// Sent a delay after its instant.
    Late,
    /// The first copy of a duplicated event: clean.
    FirstCopy,
    /// The second copy of a duplicated event; its first copy was sent at `first_send_ns`.
    Duplicate {
        /// When the first copy was sent, in ns after the start.
        first_send_ns: u64,
    },
    /// Never sent. Yielded at the event's instant so that the truth can list it; sinks
    /// skip it.
    Dropped,
    /// A broken value instead of the good one.
    Malformed {
        /// How it is broken.
        kind: Malformation,
        /// A draw that picks the field `missing_field` and `wrong_type` touch.
        pick: u32,
    },
}

impl Mark {
    /// The name of what became of the event, where something did: `late`, `duplicate`,
    /// `drop`, `malformed` or `held` (the kinds of the truth's faults); `None` for a clean
    /// message and a duplicate's first copy.
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Mark::Held => Some("held"),
            Mark::Late => Some("late"),
            Mark::Duplicate { .. } => Some("duplicate"),
            Mark::Dropped => Some("drop"),
            Mark::Malformed { .. } => Some("malformed"),
            Mark::Clean | Mark::FirstCopy => None,
        }
    }

    /// The name of the fault on a plan line, if the message carries one: a held or
    /// dropped message carries none.
    pub fn fault(&self) -> Option<&'static str> {
        match self {
            Mark::Late | Mark::Duplicate { .. } | Mark::Malformed { .. } => self.name(),
            Mark::Clean | Mark::Held | Mark::FirstCopy | Mark::Dropped => None,
        }
    }

    /// Whether the message is sent at all.
    pub fn is_sent(&self) -> bool {
        *self != Mark::Dropped
    }

    /// Whether a correct consumer counts the event here: a clean, held or late event, or
    /// a duplicate's first copy; not a dropped or malformed one, nor a second copy.
    pub fn is_counted(&self) -> bool {
        match self {
            Mark::Clean | Mark::Held | Mark::Late | Mark::FirstCopy => true,
            Mark::Duplicate { .. } | Mark::Dropped | Mark::Malformed { .. } => false,
        }
    }
}

/// What became of a plan's events, counted by [`Mark`]: the one tally behind the truth's
/// `totals` (`Totals` in its schema, whose text the field docs are) and the faults of
/// `simulate stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(
    rename = "Totals",
    description = "Counts of events and messages.",
    deny_unknown_fields
)]
pub struct Tally {
    /// Events planned, dropped ones included.
    pub planned: u64,
    /// Messages sent: events, less dropped ones, plus second copies.
    pub messages: u64,
    /// Events a correct consumer counts: planned, less dropped and malformed.
    pub clean: u64,
    /// Events sent late.
    pub late: u64,
    /// Events sent twice.
    pub duplicate: u64,
    /// Events never sent.
    pub drop: u64,
    /// Events sent with a broken value.
    pub malformed: u64,
    /// Clean events an outage held back (store-and-forward), sent when it ended.
    pub held: u64,
}

impl Tally {
    /// Counts one message (or dropped event) of the plan.
    pub fn count(&mut self, mark: Mark) {
        match mark {
            Mark::Clean | Mark::FirstCopy => {}
            Mark::Held => self.held += 1,
            Mark::Late => self.late += 1,
            Mark::Duplicate { .. } => self.duplicate += 1,
            Mark::Dropped => self.drop += 1,
            Mark::Malformed { .. } => self.malformed += 1,
        }
        if !matches!(mark, Mark::Duplicate { .. }) {
            self.planned += 1;
        }
        if mark.is_sent() {
            self.messages += 1;
        }
        if mark.is_counted() {
            self.clean += 1;
        }
    }
}

impl FromIterator<Mark> for Tally {
    fn from_iter<I: IntoIterator<Item = Mark>>(marks: I) -> Self {
        let mut tally = Tally::default();
        marks.into_iter().for_each(|mark| tally.count(mark));
        tally
    }
}

/// A stream's faults, ready to choose: the rates as a split of the unit interval, the
/// delays and the malformations.
#[derive(Debug, Clone)]
pub(crate) struct StreamFaults {
    /// The upper ends of late, duplicate, drop and malformed in the unit interval.
    late: f64,
    duplicate: f64,
    drop: f64,
    malformed: f64,
    late_delay: Option<LengthSampler>,
    duplicate_delay: Option<LengthSampler>,
    kinds: Vec<Malformation>,
}

impl StreamFaults {
    /// The faults of a validated stream.
    pub(crate) fn new(faults: &Faults) -> Self {
        let late = faults.late.as_ref().map_or(0.0, |d| d.rate);
        let duplicate = late + faults.duplicate.as_ref().map_or(0.0, |d| d.rate);
        let drop = duplicate + faults.drop;
        let malformed = drop + faults.malformed.as_ref().map_or(0.0, |m| m.rate);
        StreamFaults {
            late,
            duplicate,
            drop,
            malformed,
            late_delay: faults.late.as_ref().map(|d| LengthSampler::new(&d.delay)),
            duplicate_delay: faults
                .duplicate
                .as_ref()
                .map(|d| LengthSampler::new(&d.delay)),
            kinds: faults
                .malformed
                .as_ref()
                .map_or_else(Vec::new, |m| m.kinds.clone()),
        }
    }

    /// The fault of `event`: its mark and the send time of its (first) message.
    pub(crate) fn decide(&self, event: &Event) -> (Mark, u64) {
        let t = event.offset_ns;
        let u: f64 = CounterRng::fault(event.process, FAULT_CHOICE, event.seq).random();
        if u < self.late {
            let delay = delay(self.late_delay.as_ref(), event, FAULT_LATE_DELAY);
            (Mark::Late, t.saturating_add(delay))
        } else if u < self.duplicate {
            (Mark::FirstCopy, t)
        } else if u < self.drop {
            (Mark::Dropped, t)
        } else if u < self.malformed && !self.kinds.is_empty() {
            let mut rng = CounterRng::fault(event.process, FAULT_MALFORMATION, event.seq);
            let kind = self.kinds[rng.random_range(0..self.kinds.len())];
            (
                Mark::Malformed {
                    kind,
                    pick: rng.random(),
                },
                t,
            )
        } else {
            (Mark::Clean, t)
        }
    }

    /// The delay of the second copy of a duplicated `event`, after its first copy's send.
    pub(crate) fn duplicate_delay(&self, event: &Event) -> u64 {
        delay(self.duplicate_delay.as_ref(), event, FAULT_DUPLICATE_DELAY)
    }
}

/// A delay of `event` drawn from the fault stream `purpose` (0 without one).
fn delay(length: Option<&LengthSampler>, event: &Event, purpose: u64) -> u64 {
    length.map_or(0, |d| {
        d.draw(|| CounterRng::fault(event.process, purpose, event.seq))
    })
}
