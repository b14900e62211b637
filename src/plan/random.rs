//! Every random stream of the plan and how its key is made: identities become seeds here,
//! and only here.
//!
//! A key is SHA-256 of a versioned tag (`simulate/process/v1`, `simulate/windows/v1`,
//! `simulate/field/v1`) and an identity, every part length-prefixed or tagged by its type,
//! so no two identities hash the same bytes: a process is (seed, stream name, camera for a
//! per-camera stream); an incident or outage schedule is (seed, stream name, incidents or
//! outages, the entry's position, the camera for a per-camera schedule); a payload field
//! is its path. Integers enter little-endian. A key's *head* is its leading 64 bits read
//! big-endian ([`Key::head`]), the one reading of a key as a number.
//!
//! What draws from a key:
//! - an arrival process: ChaCha12 seeded by the whole key (gaps, camera picks); its head is
//!   the identity its events carry;
//! - a schedule's windows, and faults: [`CounterRng`], SplitMix64 started at a point fixed
//!   by a 64-bit seed and a counter (the window's number; the event's sequence number).
//!   A schedule's seed is its head byte-swapped ([`Key::schedule_seed`]), a fault stream's
//!   is [`mix`] of (process identity ^ purpose, one of the `FAULT_*` constants);
//! - a payload value: [`bits`], counter-based from (process identity, field key, event,
//!   draw).
//!
//! Nothing draws by creation order, so adding, removing or reordering other streams,
//! cameras, entries or fields changes no other stream's draws.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::scenario::model::CameraId;

/// SplitMix64's gamma: the odd integer nearest 2⁶⁴/φ.
pub(crate) const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Stafford's Mix13 finaliser, as SplitMix64 uses it: every input bit moves every output
/// bit. Counters, shuffles and the shard hash go through it.
#[inline(always)]
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key of one random stream: SHA-256 of its tag and identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(pub [u8; 32]);

/// Whether a schedule's entry is an incident or an outage (they key different streams).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntryKind {
    /// A window that multiplies the rate.
    Incident,
    /// A window that silences cameras.
    Outage,
}

impl Key {
    /// The key of an arrival process: the seed, its stream's name and, for per-camera
    /// streams, its camera.
    pub(crate) fn process(seed: u64, stream: &str, camera: Option<&CameraId>) -> Key {
        let mut hash = start(b"simulate/process/v1\0", seed, stream);
        add_camera(&mut hash, camera);
        Key(hash.finalize().into())
    }

    /// The key of a replay stream's process: the seed, its stream's name and the SHA-256
    /// of its recording, so that a changed recording is a different plan (other event
    /// ids, other faults).
    pub(crate) fn replay(seed: u64, stream: &str, recording: &[u8; 32]) -> Key {
        let mut hash = start(b"simulate/replay/v1\0", seed, stream);
        hash.update(recording);
        Key(hash.finalize().into())
    }

    /// The key of one incident or outage schedule: the entry at `position` among the
    /// stream's incidents (or outages), and the camera for a schedule of its own.
    pub(crate) fn schedule(
        seed: u64,
        stream: &str,
        kind: EntryKind,
        position: usize,
        camera: Option<&CameraId>,
    ) -> Key {
        let mut hash = start(b"simulate/windows/v1\0", seed, stream);
        hash.update([match kind {
            EntryKind::Incident => 1,
            EntryKind::Outage => 2,
        }]);
        hash.update((position as u64).to_le_bytes());
        add_camera(&mut hash, camera);
        Key(hash.finalize().into())
    }

    /// The leading 64 bits of the key, big-endian: a process's identity
    /// ([`super::Event::process`]), a field's key.
    pub(crate) fn head(&self) -> u64 {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.0[..8]);
        u64::from_be_bytes(head)
    }

    /// The seed of a schedule's [`CounterRng`]s: the head with its bytes swapped (the
    /// same leading 8 bytes read little-endian), as schedules have always been seeded.
    pub(crate) fn schedule_seed(&self) -> u64 {
        self.head().swap_bytes()
    }
}

/// The 64-bit identity of a payload field, from its path (`bbox.x`; a header's name):
/// the head of its key. Versioned so that a change of scheme is a visible one.
pub(crate) fn field_key(path: &str) -> u64 {
    let mut hash = Sha256::new();
    hash.update(b"simulate/field/v1\0");
    hash.update(path.as_bytes());
    Key(hash.finalize().into()).head()
}

/// Starts the SHA-256 of a key: its tag, the seed and the stream's name, length-prefixed.
fn start(tag: &[u8], seed: u64, stream: &str) -> Sha256 {
    let mut hash = Sha256::new();
    hash.update(tag);
    hash.update(seed.to_le_bytes());
    hash.update((stream.len() as u64).to_le_bytes());
    hash.update(stream.as_bytes());
    hash
}

/// Adds a camera (or none) to a key: tagged by its type, text length-prefixed, so no two
/// cameras (`1` and `"1"` included) add the same bytes.
fn add_camera(hash: &mut Sha256, camera: Option<&CameraId>) {
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
}

/// The purposes a fault stream serves, each mixed with the process identity into a seed
/// of its own.
pub(crate) const FAULT_CHOICE: u64 = 0x6661_756c_742f_6331; // "fault/c1"
/// The delay of a late event.
pub(crate) const FAULT_LATE_DELAY: u64 = 0x6661_756c_742f_6c31;
/// The delay of a duplicate's second copy.
pub(crate) const FAULT_DUPLICATE_DELAY: u64 = 0x6661_756c_742f_6431;
/// The kind and target of a malformation.
pub(crate) const FAULT_MALFORMATION: u64 = 0x6661_756c_742f_6d31;

/// The counter RNG: SplitMix64 (Steele, Lea and Flood 2014), started at a point fixed by
/// a seed and a counter at no cost. A window needs four numbers and a fault one or two,
/// so 8 bytes of state suit them where a ChaCha block would cost 256 bytes of work for 32.
pub(crate) struct CounterRng {
    state: u64,
}

impl CounterRng {
    /// The generator numbered `counter` of the stream seeded by `seed`.
    pub(crate) fn new(seed: u64, counter: u64) -> Self {
        CounterRng {
            state: mix(seed ^ mix(counter.wrapping_mul(GAMMA))),
        }
    }

    /// The generator of event `seq` of the fault stream `purpose` of the process
    /// `process` (its identity).
    pub(crate) fn fault(process: u64, purpose: u64, seq: u64) -> Self {
        CounterRng::new(mix(process ^ purpose), seq)
    }
}

impl RngCore for CounterRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// The `draw`-th 64 random bits of the field `field` of the process `process` for its
/// event `seq`: SplitMix64's `seq`-th output from a seed mixed of the three.
#[inline(always)]
pub(crate) fn bits(process: u64, field: u64, seq: u64, draw: u64) -> u64 {
    let seed = mix(process ^ field ^ draw.wrapping_mul(0xD605_BBB5_8C8A_BBB5));
    mix(seed.wrapping_add(seq.wrapping_add(1).wrapping_mul(GAMMA)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_identity_not_on_order() {
        let key = Key::process;
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

    /// The schedule seed is the leading 8 bytes read little-endian, as before the two
    /// readings were named.
    #[test]
    fn the_schedule_seed_reads_the_head_little_endian() {
        let key = Key::schedule(7, "s", EntryKind::Outage, 3, None);
        let mut head = [0u8; 8];
        head.copy_from_slice(&key.0[..8]);
        assert_eq!(key.schedule_seed(), u64::from_le_bytes(head));
        assert_eq!(key.head(), u64::from_be_bytes(head));
    }

    #[test]
    fn fields_draw_apart_and_keys_are_stable() {
        // The key scheme is part of the golden plans: a change here is a behaviour change.
        assert_eq!(field_key("kind"), field_key("kind"));
        assert_ne!(field_key("kind"), field_key("kind2"));
        assert_ne!(bits(1, field_key("a"), 0, 0), bits(1, field_key("b"), 0, 0));
        assert_ne!(bits(1, 2, 0, 0), bits(1, 2, 1, 0));
        assert_ne!(bits(1, 2, 0, 0), bits(1, 2, 0, 1));
    }
}
