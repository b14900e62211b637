//! One arrival process: its own random stream, its gaps, its camera picks, its events.
//!
//! Each process draws from a ChaCha12 generator keyed by SHA-256 of (seed, stream name,
//! camera id), never by creation order, so adding, removing or reordering other streams
//! or cameras leaves its events unchanged. For each event it draws the gap first, then
//! (in a shared stream) the camera.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;
use sha2::{Digest, Sha256};

use super::event::Event;
use crate::scenario::model::{CameraId, FirstEvent};
use crate::scenario::{CameraPick, Stream, StreamArrivals};

/// The identity of one arrival process: the key of its random stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessKey(pub [u8; 32]);

impl ProcessKey {
    /// The 64 bits that lead every event id of this process, with the UUID version nibble
    /// (8) already in place.
    pub fn tag(&self) -> u64 {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.0[..8]);
        (u64::from_be_bytes(head) & !0xF000) | 0x8000
    }
}

/// Derives the key of a process from the seed, its stream's name and, for per-camera
/// streams, its camera. The encoding is length-prefixed, so no two inputs collide.
pub fn process_key(seed: u64, stream: &str, camera: Option<&CameraId>) -> ProcessKey {
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

/// A running arrival process.
#[derive(Debug, Clone)]
pub struct Process<'s> {
    rng: ChaCha12Rng,
    stream: &'s Stream,
    stream_index: u32,
    /// The camera of a per-camera process.
    camera: Option<u32>,
    seq: u64,
    duration: u64,
}

impl<'s> Process<'s> {
    /// A process of `stream` (at `stream_index` in the scenario); `camera` is the camera's
    /// position for per-camera streams and `None` for a shared stream.
    pub fn new(stream: &'s Stream, stream_index: u32, camera: Option<u32>, duration: u64) -> Self {
        let key = stream.processes[camera.unwrap_or(0) as usize];
        Process {
            rng: ChaCha12Rng::from_seed(key.0),
            stream,
            stream_index,
            camera,
            seq: 0,
            duration,
        }
    }

    /// The sequence number of the event emitted last.
    pub fn last_seq(&self) -> u64 {
        self.seq.wrapping_sub(1)
    }

    /// The process's first event, if it falls inside the duration.
    pub fn first(&mut self) -> Option<Event> {
        let offset = match self.stream.first_event {
            FirstEvent::AtStart => 0,
            FirstEvent::AfterGap => self.stream.gap.sample(&mut self.rng),
        };
        self.emit(offset)
    }

    /// The event after one at `offset`, if it falls inside the duration.
    pub fn after(&mut self, offset: u64) -> Option<Event> {
        let gap = self.stream.gap.sample(&mut self.rng);
        self.emit(offset.checked_add(gap)?)
    }

    fn emit(&mut self, offset_ns: u64) -> Option<Event> {
        if offset_ns >= self.duration {
            return None;
        }
        let camera = match (&self.stream.arrivals, self.camera) {
            (_, Some(camera)) => camera,
            (StreamArrivals::Shared(pick), None) => {
                let n = self.stream.cameras.len() as u32;
                match pick {
                    CameraPick::Uniform => self.rng.random_range(0..n),
                    CameraPick::RoundRobin => (self.seq % u64::from(n)) as u32,
                    CameraPick::Weighted(w) => self.rng.sample(w) as u32,
                }
            }
            (StreamArrivals::PerCamera, None) => 0,
        };
        let event = Event {
            offset_ns,
            stream: self.stream_index,
            camera,
            seq: self.seq,
        };
        self.seq += 1;
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_identity_not_on_order() {
        let a = process_key(42, "lobby", Some(&CameraId::Int(1000)));
        assert_eq!(a, process_key(42, "lobby", Some(&CameraId::Int(1000))));
        assert_ne!(a, process_key(43, "lobby", Some(&CameraId::Int(1000))));
        assert_ne!(a, process_key(42, "lobby2", Some(&CameraId::Int(1000))));
        assert_ne!(
            a,
            process_key(42, "lobby", Some(&CameraId::Text("1000".into())))
        );
        assert_ne!(a, process_key(42, "lobby", None));
        // Length prefixes keep ("ab", "c") apart from ("a", "bc").
        let x = process_key(1, "ab", Some(&CameraId::Text("c".into())));
        let y = process_key(1, "a", Some(&CameraId::Text("bc".into())));
        assert_ne!(x, y);
    }

    #[test]
    fn tag_carries_uuid_version_8() {
        let tag = process_key(7, "s", None).tag();
        assert_eq!((tag >> 12) & 0xF, 8);
    }
}
