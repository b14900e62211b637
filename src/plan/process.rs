//! One arrival process: its identity, its own random stream, its gaps, its camera picks,
//! its events.
//!
//! Each process draws from a ChaCha12 generator seeded by its key (SHA-256 of seed, stream
//! name and camera id, `plan/random.rs`), never by creation order, so adding, removing or
//! reordering other streams or cameras leaves its events unchanged. The incident and
//! outage windows that shape its rate come from `plan/windows.rs`. For each event it draws the gap first, then
//! (in a shared stream) the camera. A process owns everything it samples with (its
//! sampler and pick table, built here from the validated stream), so drawing touches no
//! memory but its own.

use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;

use std::sync::Arc;

use super::distribution::Sampler;
use super::entity::stream::EntityStream;
use super::event::Event;
use super::random::Key;
use super::rate::{Groups, Profile, TimeChange};
use super::schedule::Tracker;
use super::windows::{Dropouts, entry_incidents, shape};
use crate::scenario::model::FirstEvent;
use crate::scenario::validate::{Modulation, Replay};
use crate::scenario::{CameraPick, Scenario, Stream, StreamArrivals};

/// Every arrival process of a scenario, in plan order, as (stream position, camera
/// position for a per-camera stream): one for a shared stream, one per camera (in camera
/// order) otherwise. The one list behind [`keys`] and [`processes`].
fn slots(scenario: &Scenario) -> impl Iterator<Item = (u32, Option<u32>)> + '_ {
    scenario
        .streams
        .iter()
        .enumerate()
        .flat_map(|(index, stream)| {
            let cameras = match stream.arrivals {
                StreamArrivals::Shared(_)
                | StreamArrivals::Entities(_)
                | StreamArrivals::Replay(_) => 0..0,
                StreamArrivals::PerCamera => 0..stream.cameras.len() as u32,
            };
            let shared = cameras.is_empty().then_some(None);
            shared
                .into_iter()
                .chain(cameras.map(Some))
                .map(move |camera| (index as u32, camera))
        })
}

/// The keys of every arrival process of a scenario, in plan order.
pub(crate) fn keys(scenario: &Scenario) -> impl Iterator<Item = Key> + '_ {
    slots(scenario)
        .map(|(stream, camera)| key(scenario, &scenario.streams[stream as usize], camera))
}

/// The key of the process of `stream` for the camera at `camera` (`None`: the stream's
/// one process).
fn key(scenario: &Scenario, stream: &Stream, camera: Option<u32>) -> Key {
    match &stream.arrivals {
        StreamArrivals::Replay(replay) => {
            Key::replay(scenario.seed, &stream.name, &replay.recording.sha256)
        }
        _ => Key::process(
            scenario.seed,
            &stream.name,
            camera.map(|c| &stream.cameras[c as usize]),
        ),
    }
}

/// How a process chooses the camera of each event.
#[derive(Debug, Clone)]
enum Pick {
    /// Always this camera (a per-camera process).
    Fixed(u32),
    /// Uniformly among `n`.
    Uniform(u32),
    /// In turn among `n`.
    RoundRobin(u32),
    /// By weight (boxed: only shared streams, one per stream, carry one).
    Weighted(Box<WeightedIndex<f64>>),
}

/// A running arrival process.
#[derive(Debug, Clone)]
pub struct Process {
    rng: ChaCha12Rng,
    sampler: Sampler,
    pick: Pick,
    first_event: FirstEvent,
    stream: u32,
    identity: u64,
    seq: u64,
    duration: u64,
    /// How its rate changes over time; `None` for a stream at its base rate forever,
    /// which draws exactly as it did before rates could change.
    modulated: Option<Box<Modulated>>,
    /// For an entity stream: its sightings, whose entities enter by this process.
    entities: Option<Box<EntityStream<Process>>>,
    /// For a replay stream: its recording, each message one event.
    replay: Option<Arc<Replay>>,
}

/// What shapes a process whose rate changes: its time change, and, in a shared stream,
/// the outages of some of its cameras (events picked for a camera that is out are
/// dropped; they keep their sequence numbers, so the other cameras' events stay as
/// they are).
#[derive(Debug, Clone)]
struct Modulated {
    /// `None` when nothing shapes the rate itself (only drop-outs): time is not changed,
    /// and gaps add up exactly as they do without shaping.
    change: Option<TimeChange>,
    dropouts: Option<Dropouts>,
}

/// What the processes of one stream share: its rate profile, ready to look up.
struct Shared {
    profile: Option<Arc<Profile>>,
}

impl Modulated {
    /// The time change (and drop-outs) of the process of `stream` for `camera` (its
    /// position; `None` for the shared process of a shared stream).
    fn new(
        scenario: &Scenario,
        stream: &Stream,
        modulation: &Modulation,
        shared: &Shared,
        camera: Option<u32>,
    ) -> Option<Modulated> {
        let (followed, dropouts) = shape(scenario, stream, modulation, camera);
        let windows: Vec<(Tracker, f64)> = followed
            .into_iter()
            .map(|f| (f.tracker, f.factor))
            .collect();
        let has_dropouts = !dropouts.is_empty();
        let groups = match &stream.arrivals {
            StreamArrivals::Entities(entities) => {
                let per_camera = entry_incidents(scenario, stream);
                per_camera.iter().any(|w| !w.is_empty()).then(|| {
                    let mut shares = vec![0.0; stream.cameras.len()];
                    for &(camera, weight) in &entities.enter {
                        shares[camera as usize] = weight;
                    }
                    Groups::new(shares, per_camera)
                })
            }
            StreamArrivals::Shared(_) | StreamArrivals::PerCamera | StreamArrivals::Replay(_) => {
                None
            }
        };
        let changes = shared.profile.is_some() || !windows.is_empty() || groups.is_some();
        let change = changes
            .then(|| TimeChange::new(shared.profile.clone(), windows, groups, scenario.duration.0));
        // A camera nothing shapes (another camera's outage, say) draws as if unshaped.
        (change.is_some() || has_dropouts).then_some(Modulated {
            change,
            dropouts: has_dropouts.then_some(dropouts),
        })
    }
}

impl Process {
    /// The process of `stream` (at `stream_index` in the scenario) for `camera`, the
    /// camera's position in a per-camera stream, or `None` for a shared stream.
    fn new(scenario: &Scenario, stream_index: u32, camera: Option<u32>, shared: &Shared) -> Self {
        let stream = &scenario.streams[stream_index as usize];
        let key = key(scenario, stream, camera);
        let n = stream.cameras.len() as u32;
        let pick = match (&stream.arrivals, camera) {
            (_, Some(camera)) => Pick::Fixed(camera),
            (StreamArrivals::Shared(CameraPick::Uniform), None) => Pick::Uniform(n),
            (StreamArrivals::Shared(CameraPick::RoundRobin), None) => Pick::RoundRobin(n),
            (StreamArrivals::Shared(CameraPick::Weighted(weights)), None) => {
                // Validation guarantees finite, non-negative weights with a positive,
                // finite sum: the conditions WeightedIndex needs.
                match WeightedIndex::new(weights.iter().copied()) {
                    Ok(w) => Pick::Weighted(Box::new(w)),
                    Err(e) => panic!("bug: validated weights refused by rand: {e}"),
                }
            }
            (StreamArrivals::PerCamera, None) => Pick::Fixed(0),
            // A replayed message's camera is its key's: nothing is drawn.
            (StreamArrivals::Replay(_), None) => Pick::Fixed(0),
            (StreamArrivals::Entities(entities), None) => {
                let mut weights = vec![0.0; stream.cameras.len()];
                for &(camera, weight) in &entities.enter {
                    weights[camera as usize] = weight;
                }
                match WeightedIndex::new(weights) {
                    Ok(w) => Pick::Weighted(Box::new(w)),
                    Err(e) => panic!("bug: validated entry weights refused by rand: {e}"),
                }
            }
        };
        // An entity stream's entities keep entering while cameras are out: its arrivals
        // follow the profile and the incidents only.
        let arrival_modulation = stream.modulation.as_ref().map(|m| match stream.arrivals {
            StreamArrivals::Entities(_) => std::borrow::Cow::Owned(Modulation {
                outages: Vec::new(),
                ..m.clone()
            }),
            _ => std::borrow::Cow::Borrowed(m),
        });
        Process {
            rng: ChaCha12Rng::from_seed(key.0),
            sampler: Sampler::new(&stream.inter_arrival),
            pick,
            first_event: stream.first_event,
            stream: stream_index,
            identity: key.head(),
            seq: 0,
            duration: scenario.duration.0,
            modulated: arrival_modulation
                .as_deref()
                .and_then(|modulation| Modulated::new(scenario, stream, modulation, shared, camera))
                .map(Box::new),
            entities: None,
            replay: match &stream.arrivals {
                StreamArrivals::Replay(replay) => Some(replay.clone()),
                _ => None,
            },
        }
    }

    /// The process of `stream`, an entity stream's sightings for one that has entities.
    fn of(scenario: &Scenario, stream_index: u32, camera: Option<u32>, shared: &Shared) -> Self {
        let arrivals = Process::new(scenario, stream_index, camera, shared);
        if !matches!(
            scenario.streams[stream_index as usize].arrivals,
            StreamArrivals::Entities(_)
        ) {
            return arrivals;
        }
        let mut process = arrivals.clone();
        process.entities = Some(Box::new(EntityStream::new(
            scenario,
            stream_index,
            arrivals,
        )));
        process
    }

    /// The identity its events carry ([`Event::process`]).
    pub(crate) fn identity(&self) -> u64 {
        self.identity
    }

    /// The position of its stream in the scenario.
    pub(crate) fn stream(&self) -> u32 {
        self.stream
    }

    /// The process's first event, if it falls inside the duration.
    pub fn first(&mut self) -> Option<Event> {
        if let Some(entities) = &mut self.entities {
            return entities.next();
        }
        if self.replay.is_some() {
            return self.replayed();
        }
        let gap = match self.first_event {
            FirstEvent::AtStart => 0,
            FirstEvent::AfterGap => self.sampler.sample(&mut self.rng),
        };
        if self.modulated.is_some() {
            return self.modulated(gap, None);
        }
        self.emit(gap)
    }

    /// The event after one at `offset`, if it falls inside the duration.
    #[inline]
    pub fn after(&mut self, offset: u64) -> Option<Event> {
        if let Some(entities) = &mut self.entities {
            return entities.next();
        }
        if self.replay.is_some() {
            return self.replayed();
        }
        let gap = self.sampler.sample(&mut self.rng);
        if self.modulated.is_some() {
            return self.modulated(gap, Some(offset));
        }
        self.emit(offset.checked_add(gap)?)
    }

    /// The next event of a process whose rate changes: `gap` (operational time) after
    /// the event at `previous`, through the time change; events picked for a camera that
    /// is out are dropped, and the next gap drawn.
    #[inline(never)]
    fn modulated(&mut self, mut gap: u64, mut previous: Option<u64>) -> Option<Event> {
        loop {
            let modulated = self.modulated.as_mut()?;
            let reached = match &mut modulated.change {
                Some(change) => change.advance(gap)?,
                None => previous.unwrap_or(0).checked_add(gap)?,
            };
            // Strictly after the previous event, whatever the rounding.
            let t = previous.map_or(reached, |p| reached.max(p + 1));
            if t >= self.duration {
                return None;
            }
            let camera = match modulated.change.as_ref().and_then(TimeChange::weights) {
                Some(weights) => pick_by(weights, &mut self.rng),
                None => self.pick_camera(),
            };
            let out = match &mut self.modulated.as_mut()?.dropouts {
                Some(dropouts) => dropouts.out(camera, t),
                None => false,
            };
            if !out {
                return Some(self.event(t, camera));
            }
            self.seq += 1;
            previous = Some(t);
            gap = self.sampler.sample(&mut self.rng);
        }
    }

    /// The next message of a replay stream, at its recorded offset and camera (its
    /// key); a message whose camera is out is dropped and keeps its sequence number.
    #[inline(never)]
    fn replayed(&mut self) -> Option<Event> {
        loop {
            let (t, camera) = self.replay.as_deref()?.event(self.seq)?;
            if t >= self.duration {
                return None;
            }
            let out = match self.modulated.as_mut().and_then(|m| m.dropouts.as_mut()) {
                Some(dropouts) => dropouts.out(camera, t),
                None => false,
            };
            if !out {
                return Some(self.event(t, camera));
            }
            self.seq += 1;
        }
    }

    #[inline]
    fn emit(&mut self, offset_ns: u64) -> Option<Event> {
        if offset_ns >= self.duration {
            return None;
        }
        let camera = self.pick_camera();
        Some(self.event(offset_ns, camera))
    }

    /// The event at `offset_ns` for the camera at `camera`; the sequence moves on.
    #[inline]
    fn event(&mut self, offset_ns: u64, camera: u32) -> Event {
        let event = Event {
            offset_ns,
            stream: self.stream,
            camera,
            seq: self.seq,
            process: self.identity,
        };
        self.seq += 1;
        event
    }

    /// The camera of the next event: its own for a per-camera process, a pick otherwise.
    #[inline]
    fn pick_camera(&mut self) -> u32 {
        match &self.pick {
            Pick::Fixed(camera) => *camera,
            Pick::Uniform(n) => self.rng.random_range(0..*n),
            Pick::RoundRobin(n) => (self.seq % u64::from(*n)) as u32,
            Pick::Weighted(w) => self.rng.sample(w.as_ref()) as u32,
        }
    }
}

/// A camera position drawn with probability proportional to its weight (at least one
/// positive: an entity enters only while its rate is positive).
fn pick_by(weights: &[f64], rng: &mut ChaCha12Rng) -> u32 {
    let total: f64 = weights.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (c, w) in weights.iter().enumerate() {
        if x < *w {
            return c as u32;
        }
        x -= w;
    }
    // Rounding left x at the end: the last camera with a weight.
    weights.iter().rposition(|w| *w > 0.0).unwrap_or(0) as u32
}

/// The process by which the entities of the entity stream at `stream` enter: each of
/// its events is one entity (its sequence number the entity's number) entering at its
/// camera. The truth walks the entities again from it.
pub(crate) fn entity_arrivals(scenario: &Scenario, stream: u32) -> Process {
    let s = &scenario.streams[stream as usize];
    let shared = Shared {
        profile: s
            .modulation
            .as_ref()
            .and_then(|m| m.rate.as_ref())
            .map(|rate| Arc::new(Profile::new(rate))),
    };
    Process::new(scenario, stream, None, &shared)
}

impl super::entity::Arrivals for Process {
    fn first(&mut self) -> Option<Event> {
        Process::first(self)
    }

    fn after(&mut self, offset: u64) -> Option<Event> {
        Process::after(self, offset)
    }

    fn identity(&self) -> u64 {
        Process::identity(self)
    }
}

/// The paths of the entities of the entity stream at `stream` (`None` for another
/// stream), walked again exactly as the plan walks them: what the truth, `stats` and
/// `plot` list.
pub fn entity_records(
    scenario: &Scenario,
    stream: usize,
) -> Option<super::entity::record::Records<'_, Process>> {
    super::entity::record::Records::new(scenario, stream, entity_arrivals(scenario, stream as u32))
}

/// The arrival processes of a scenario, in plan order (that of `keys`), each at its
/// start: the plan merges them, and a test runs each on its own as the plan's definition.
pub fn processes(scenario: &Scenario) -> Vec<Process> {
    owned_processes(scenario, super::shard::owned(scenario).as_deref())
}

/// [`processes`], given which cameras the run owns (`owned`, per stream and camera
/// position; `None` for a run that is not split).
pub(crate) fn owned_processes(scenario: &Scenario, owned: Option<&[Vec<bool>]>) -> Vec<Process> {
    let shared: Vec<Shared> = scenario
        .streams
        .iter()
        .map(|stream| Shared {
            profile: stream
                .modulation
                .as_ref()
                .and_then(|m| m.rate.as_ref())
                .map(|rate| Arc::new(Profile::new(rate))),
        })
        .collect();
    // A shard draws only the per-camera processes of its own cameras; shared streams are
    // drawn in full (their events are kept per camera downstream, in `plan/send.rs`).
    slots(scenario)
        .filter(|&(stream, camera)| match (owned, camera) {
            (Some(owned), Some(c)) => owned[stream as usize][c as usize],
            (Some(_), None) | (None, _) => true,
        })
        .map(|(stream, camera)| Process::of(scenario, stream, camera, &shared[stream as usize]))
        .collect()
}
