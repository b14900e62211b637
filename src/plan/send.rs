//! The send order: the plan's events (in event-time order, `plan/merge.rs`) become the
//! [`Plan`], the messages that are sent, in send-time order. Which faults strike is
//! chosen in `plan/fault.rs`; here they are applied, outages hold messages back, and a
//! shard keeps only its own cameras' events.
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

use super::event::Event;
use super::fault::{Mark, StreamFaults};
use super::merge::Events;
use super::schedule::Tracker;
use super::windows::outage_trackers;
use crate::scenario::Scenario;
use crate::scenario::model::Backlog;

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

/// The plan of a scenario: its messages in send order, lazily, what every sink replays.
/// Its [`Events`] with faults applied, outages holding messages back, and, for a shard,
/// the other shards' cameras left out.
#[derive(Debug, Clone)]
pub struct Plan {
    events: Events,
    /// Per stream: its faults, if it has any.
    faults: Vec<Option<StreamFaults>>,
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
}

impl Plan {
    /// The plan of `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        Self::from_events(scenario, Events::new(scenario))
    }

    /// The plan of `scenario`, from `events` (its events, perhaps merged in other batches).
    pub fn from_events(scenario: &Scenario, events: Events) -> Self {
        let faults: Vec<Option<StreamFaults>> = scenario
            .streams
            .iter()
            .map(|s| s.faults.as_ref().map(StreamFaults::new))
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
        let plain = holds.is_empty() && faults.iter().all(Option::is_none);
        Plan {
            events,
            faults,
            first_camera,
            holds,
            waiting: BinaryHeap::new(),
            next_event: None,
            duration: scenario.duration.0,
            plain,
        }
    }

    /// The identity of each arrival process, in plan order.
    pub fn identities(&self) -> impl Iterator<Item = u64> + '_ {
        self.events.identities()
    }

    /// Whether this run (or shard) owns the camera of `event`.
    #[inline]
    fn owns(&self, event: &Event) -> bool {
        self.events.owns(event.stream, event.camera)
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
            let delay = self.faults[event.stream as usize]
                .as_ref()
                .map_or(0, |f| f.duplicate_delay(&event));
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

impl Iterator for Plan {
    type Item = Outgoing;

    #[inline]
    fn next(&mut self) -> Option<Outgoing> {
        if self.plain {
            loop {
                let event = self.events.next()?;
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
                self.next_event = self.events.next();
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
                    let (mark, send_ns) = match &self.faults[event.stream as usize] {
                        Some(faults) => faults.decide(&event),
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
