//! Faults and the send time: the plan's events (in event-time order) become the messages
//! that are sent (in send-time order).
//!
//! Each event of a stream with `faults` gets at most one fault, from one uniform draw
//! split into late, duplicate, drop and malformed, in that order, by their rates. The
//! draw, the delays and the malformation come from generators of their own, keyed by
//! (process identity, purpose) and numbered by the event's sequence number
//! (`plan/random.rs`), so faults
//! change no event's time, camera or payload, and turning faults on or off changes no
//! clean event. (Turning one kind on moves the choices of the kinds after it in that
//! order; `malformed`, the last, moves nothing.)
//!
//! The send time: an event's own instant; a late one's plus its delay; a duplicate's
//! second copy its first copy's send plus its delay. A message due while its camera is in
//! an outage is held until the outage ends (the events recorded during a `backlog: send`
//! outage, and late or second copies due in any outage). No message is sent after the
//! run's end: one due later is sent at the end.
//!
//! Messages come out ordered by (send instant, event instant, stream, camera, copy), a
//! total order. The plan stays lazy: a message waits in a heap only while it is delayed
//! or held, so memory grows with rate × delay, not with the run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::Event;
use super::distribution::LengthSampler;
use super::merge::Plan;
use super::random::{
    CounterRng, FAULT_CHOICE, FAULT_DUPLICATE_DELAY, FAULT_LATE_DELAY, FAULT_MALFORMATION,
};
use super::schedule::Tracker;
use super::windows::outage_trackers;
use crate::scenario::model::{Backlog, Malformation};
use crate::scenario::{Faults, Scenario};
use rand::Rng;
use schemars::JsonSchema;
use serde::Serialize;

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

/// One message of the plan (or a dropped event): the event, when it is sent, and what
/// became of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outgoing {
    /// The event; its `offset_ns` is the event time.
    pub event: Event,
    /// When it is sent, in ns after the start: at or after the event time, at most the
    /// run's duration.
    pub send_ns: u64,
    /// What became of it.
    pub mark: Mark,
}

impl Outgoing {
    /// Its place in the send order: (send, event time, stream, camera, copy).
    fn order(&self) -> (u64, u64, u32, u32, u8) {
        let copy = matches!(self.mark, Mark::Duplicate { .. }) as u8;
        (
            self.send_ns,
            self.event.offset_ns,
            self.event.stream,
            self.event.camera,
            copy,
        )
    }
}

/// A message waiting in the heap, ordered by [`Outgoing::order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Waiting(Outgoing);

impl Ord for Waiting {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.order().cmp(&other.0.order())
    }
}

impl PartialOrd for Waiting {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A stream's faults, ready to draw.
#[derive(Debug, Clone)]
struct Draws {
    /// The upper ends of late, duplicate, drop and malformed in the unit interval.
    late: f64,
    duplicate: f64,
    drop: f64,
    malformed: f64,
    late_delay: Option<LengthSampler>,
    duplicate_delay: Option<LengthSampler>,
    kinds: Vec<Malformation>,
}

impl Draws {
    fn new(faults: &Faults) -> Self {
        let late = faults.late.as_ref().map_or(0.0, |d| d.rate);
        let duplicate = late + faults.duplicate.as_ref().map_or(0.0, |d| d.rate);
        let drop = duplicate + faults.drop;
        let malformed = drop + faults.malformed.as_ref().map_or(0.0, |m| m.rate);
        Draws {
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
    fn decide(&self, event: &Event) -> (Mark, u64) {
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
}

/// A delay of `event` drawn from the fault stream `purpose` (0 without one).
fn delay(length: Option<&LengthSampler>, event: &Event, purpose: u64) -> u64 {
    length.map_or(0, |d| {
        d.draw(|| CounterRng::fault(event.process, purpose, event.seq))
    })
}

/// The outages of one camera, followed forward in send time, and the last stretch
/// found held (later queries inside it need no tracker).
#[derive(Debug, Clone)]
struct Hold {
    trackers: Vec<Tracker>,
    from: u64,
    to: u64,
}

impl Hold {
    /// When a message due at `t` (never earlier than the last question) can be sent:
    /// the end of the outages that hold the camera at `t`, or `None` when none does.
    fn until(&mut self, t: u64) -> Option<u64> {
        if (self.from..self.to).contains(&t) {
            return Some(self.to);
        }
        let mut until = t;
        loop {
            let mut moved = false;
            for tracker in &mut self.trackers {
                if tracker.inside(until) {
                    let end = tracker.next_change(until);
                    if end > until {
                        until = end;
                        moved = true;
                    }
                }
            }
            if !moved {
                break;
            }
        }
        (until > t).then(|| {
            (self.from, self.to) = (t, until);
            until
        })
    }
}

/// The messages of a scenario in send order, lazily: its [`Plan`] with faults applied
/// and outages holding messages back.
#[derive(Debug, Clone)]
pub struct Messages {
    plan: Plan,
    /// Per stream: its faults, if it has any.
    draws: Vec<Option<Draws>>,
    /// Per stream, whether its messages can be held, and the index of its first camera
    /// among `holds`.
    first_camera: Vec<Option<usize>>,
    holds: Vec<Hold>,
    /// Messages delayed or held, until they are due.
    waiting: BinaryHeap<Reverse<Waiting>>,
    next_event: Option<Event>,
    duration: u64,
    /// No faults and nothing held: every event is one clean message at its instant.
    plain: bool,
    /// For a shard: per stream, per camera, whether it owns the camera (the events of a
    /// shared stream's other cameras are drawn and skipped).
    owned: Option<Vec<Vec<bool>>>,
}

impl Messages {
    /// The messages of `scenario`, from its plan.
    pub fn new(scenario: &Scenario) -> Self {
        Self::from_plan(scenario, Plan::new(scenario))
    }

    /// The messages of `scenario`, from `plan` (its plan, perhaps with another window).
    pub fn from_plan(scenario: &Scenario, plan: Plan) -> Self {
        let draws: Vec<Option<Draws>> = scenario
            .streams
            .iter()
            .map(|s| s.faults.as_ref().map(Draws::new))
            .collect();
        let mut holds = Vec::new();
        let mut first_camera = Vec::new();
        for (index, stream) in scenario.streams.iter().enumerate() {
            let outages = stream
                .modulation
                .as_ref()
                .map_or(&[][..], |m| &m.outages[..]);
            let delays = stream
                .faults
                .as_ref()
                .is_some_and(|f| f.late.is_some() || f.duplicate.is_some());
            let stores = outages.iter().any(|o| o.backlog == Backlog::Send);
            if !outages.is_empty() && (delays || stores) {
                first_camera.push(Some(holds.len()));
                for camera in 0..stream.cameras.len() as u32 {
                    holds.push(Hold {
                        trackers: outage_trackers(scenario, index, camera),
                        from: 0,
                        to: 0,
                    });
                }
            } else {
                first_camera.push(None);
            }
        }
        let plain = holds.is_empty() && draws.iter().all(Option::is_none);
        let owned = super::shard::owned(scenario);
        Messages {
            plan,
            draws,
            first_camera,
            holds,
            waiting: BinaryHeap::new(),
            next_event: None,
            duration: scenario.duration.0,
            plain,
            owned,
        }
    }

    /// The identity of each arrival process, in plan order.
    pub fn identities(&self) -> impl Iterator<Item = u64> + '_ {
        self.plan.identities()
    }

    /// Whether this run (or shard) owns the camera of `event`.
    #[inline]
    fn owns(&self, event: &Event) -> bool {
        self.owned
            .as_ref()
            .is_none_or(|o| o[event.stream as usize][event.camera as usize])
    }

    /// Sends `message` now, unless an outage holds it: then it waits for the end (or
    /// the run's end, when nothing is held any more). Returns it when it goes; a first
    /// copy puts its second in the heap. Called in send order.
    fn release(&mut self, mut message: Outgoing) -> Option<Outgoing> {
        let event = message.event;
        let holdable = message.send_ns < self.duration && message.mark != Mark::Dropped;
        if let (Some(first), true) = (self.first_camera[event.stream as usize], holdable) {
            let hold = &mut self.holds[first + event.camera as usize];
            if let Some(until) = hold.until(message.send_ns) {
                message.send_ns = until.min(self.duration);
                if message.mark == Mark::Clean {
                    message.mark = Mark::Held;
                }
                self.waiting.push(Reverse(Waiting(message)));
                return None;
            }
        }
        if message.mark == Mark::FirstCopy {
            let delay = self.draws[event.stream as usize].as_ref().map_or(0, |d| {
                delay(d.duplicate_delay.as_ref(), &event, FAULT_DUPLICATE_DELAY)
            });
            self.waiting.push(Reverse(Waiting(Outgoing {
                event,
                send_ns: message.send_ns.saturating_add(delay).min(self.duration),
                mark: Mark::Duplicate {
                    first_send_ns: message.send_ns,
                },
            })));
        }
        Some(message)
    }
}

impl Iterator for Messages {
    type Item = Outgoing;

    #[inline]
    fn next(&mut self) -> Option<Outgoing> {
        if self.plain {
            loop {
                let event = self.plan.next()?;
                if self.owns(&event) {
                    return Some(Outgoing {
                        event,
                        send_ns: event.offset_ns,
                        mark: Mark::Clean,
                    });
                }
            }
        }
        loop {
            if self.next_event.is_none() {
                self.next_event = self.plan.next();
            }
            let top = self.waiting.peek().map(|Reverse(w)| w.0.order());
            match (top, self.next_event) {
                // Every message still to come is due at or after the next event, and
                // sorts after its first message.
                (Some(top), Some(e)) if top < (e.offset_ns, e.offset_ns, e.stream, e.camera, 0) => {
                    let Reverse(Waiting(message)) = self.waiting.pop()?;
                    if let Some(out) = self.release(message) {
                        return Some(out);
                    }
                }
                (_, Some(event)) => {
                    self.next_event = None;
                    if !self.owns(&event) {
                        continue;
                    }
                    let (mark, send_ns) = match &self.draws[event.stream as usize] {
                        Some(draws) => draws.decide(&event),
                        None => (Mark::Clean, event.offset_ns),
                    };
                    let message = Outgoing {
                        event,
                        send_ns: send_ns.min(self.duration),
                        mark,
                    };
                    if message.send_ns == event.offset_ns {
                        // Due now, and nothing waiting sorts before it.
                        if let Some(out) = self.release(message) {
                            return Some(out);
                        }
                    } else {
                        self.waiting.push(Reverse(Waiting(message)));
                    }
                }
                (Some(_), None) => {
                    let Reverse(Waiting(message)) = self.waiting.pop()?;
                    if let Some(out) = self.release(message) {
                        return Some(out);
                    }
                }
                (None, None) => return None,
            }
        }
    }
}
