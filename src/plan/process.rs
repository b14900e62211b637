//! One arrival process: its identity, its own random stream, its gaps, its camera picks,
//! its events.
//!
//! Each process draws from a ChaCha12 generator keyed by SHA-256 of (seed, stream name,
//! camera id), never by creation order, so adding, removing or reordering other streams
//! or cameras leaves its events unchanged. For each event it draws the gap first, then
//! (in a shared stream) the camera. A process owns everything it samples with (its
//! sampler and pick table, built here from the validated stream), so drawing touches no
//! memory but its own.

use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use sha2::{Digest, Sha256};

use super::Event;
use super::distribution::Sampler;
use crate::scenario::model::{CameraId, FirstEvent};
use crate::scenario::{CameraPick, Scenario, StreamArrivals};

/// The identity of one arrival process: the key of its random stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProcessKey(pub [u8; 32]);

impl ProcessKey {
    /// Derives the key of a process from the seed, its stream's name and, for per-camera
    /// streams, its camera. The encoding is length-prefixed, so no two inputs collide.
    pub fn new(seed: u64, stream: &str, camera: Option<&CameraId>) -> ProcessKey {
        let mut hash = Sha256::new();
        hash.update(b"simulate/process/v1\0");
        hash.update(seed.to_le_bytes());
        hash.update((stream.len() as u64).to_le_bytes());
        hash.update(stream.as_bytes());
        match camera {
            None => hash.update([0]),
            Some(CameraId::Int(n)) => {
                hash.update([1]);
                hash.update(n.to_le_bytes());
            }
            Some(CameraId::Text(s)) => {
                hash.update([2]);
                hash.update((s.len() as u64).to_le_bytes());
                hash.update(s.as_bytes());
            }
        }
        ProcessKey(hash.finalize().into())
    }

    /// The leading 64 bits of the key, big-endian: the identity events carry
    /// ([`Event::process`]).
    pub fn head(&self) -> u64 {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(head)
    }
}

/// The keys of every arrival process of a scenario, in plan order: stream by stream, one
/// for a shared stream, one per camera (in camera order) otherwise.
pub(crate) fn keys(scenario: &Scenario) -> impl Iterator<Item = ProcessKey> + '_ {
    scenario.streams.iter().flat_map(move |stream| {
        let cameras: Box<dyn Iterator<Item = Option<&CameraId>>> = match stream.arrivals {
            StreamArrivals::Shared(_) => Box::new(std::iter::once(None)),
            StreamArrivals::PerCamera => Box::new(stream.cameras.iter().map(Some)),
        };
        cameras.map(move |camera| ProcessKey::new(scenario.seed, &stream.name, camera))
    })
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
}

impl Process {
    /// The process of `stream` (at `stream_index` in the scenario) for `camera`, the
    /// camera's position in a per-camera stream, or `None` for a shared stream.
    fn new(scenario: &Scenario, stream_index: u32, camera: Option<u32>) -> Self {
        let stream = &scenario.streams[stream_index as usize];
        let key = ProcessKey::new(
            scenario.seed,
            &stream.name,
            camera.map(|c| &stream.cameras[c as usize]),
        );
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
        };
        Process {
            rng: ChaCha12Rng::from_seed(key.0),
            sampler: Sampler::new(&stream.inter_arrival),
            pick,
            first_event: stream.first_event,
            stream: stream_index,
            identity: key.head(),
            seq: 0,
            duration: scenario.duration.0,
        }
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
        let offset = match self.first_event {
            FirstEvent::AtStart => 0,
            FirstEvent::AfterGap => self.sampler.sample(&mut self.rng),
        };
        self.emit(offset)
    }

    /// The event after one at `offset`, if it falls inside the duration.
    #[inline]
    pub fn after(&mut self, offset: u64) -> Option<Event> {
        let gap = self.sampler.sample(&mut self.rng);
        self.emit(offset.checked_add(gap)?)
    }

    #[inline]
    fn emit(&mut self, offset_ns: u64) -> Option<Event> {
        if offset_ns >= self.duration {
            return None;
        }
        let camera = match &self.pick {
            Pick::Fixed(camera) => *camera,
            Pick::Uniform(n) => self.rng.random_range(0..*n),
            Pick::RoundRobin(n) => (self.seq % u64::from(*n)) as u32,
            Pick::Weighted(w) => self.rng.sample(w.as_ref()) as u32,
        };
        let event = Event {
            offset_ns,
            stream: self.stream,
            camera,
            seq: self.seq,
            process: self.identity,
        };
        self.seq += 1;
        Some(event)
    }
}

/// The arrival processes of a scenario, in plan order (that of [`keys`]), each at its
/// start: the plan merges them, and a test runs each on its own as the plan's definition.
pub fn processes(scenario: &Scenario) -> Vec<Process> {
    let mut processes = Vec::new();
    for (index, stream) in scenario.streams.iter().enumerate() {
        let index = index as u32;
        match stream.arrivals {
            StreamArrivals::Shared(_) => processes.push(Process::new(scenario, index, None)),
            StreamArrivals::PerCamera => processes.extend(
                (0..stream.cameras.len() as u32)
                    .map(|camera| Process::new(scenario, index, Some(camera))),
            ),
        }
    }
    processes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_identity_not_on_order() {
        let key = ProcessKey::new;
        let a = key(42, "lobby", Some(&CameraId::Int(1000)));
        assert_eq!(a, key(42, "lobby", Some(&CameraId::Int(1000))));
        assert_ne!(a, key(43, "lobby", Some(&CameraId::Int(1000))));
        assert_ne!(a, key(42, "lobby2", Some(&CameraId::Int(1000))));
        assert_ne!(a, key(42, "lobby", Some(&CameraId::Text("1000".into()))));
        assert_ne!(a, key(42, "lobby", None));
        // Length prefixes keep ("ab", "c") apart from ("a", "bc").
        let x = key(1, "ab", Some(&CameraId::Text("c".into())));
        let y = key(1, "a", Some(&CameraId::Text("bc".into())));
        assert_ne!(x, y);
    }
}
