//! Incident and outage windows: when each starts, how long it lasts, which cameras it
//! takes, drawn lazily, window after window, from random streams of their own.
//!
//! Window `k` of an entry draws from a SplitMix64 generator (Steele, Lea and Flood 2014)
//! seeded by the window's number and the schedule's key, SHA-256 of (seed, stream name,
//! incidents or outages, the entry's position, the camera for per-camera schedules):
//! never from a process's gap stream and never by creation order. A window needs four
//! numbers; a generator of 8 bytes that starts anywhere at no cost suits every process
//! that follows a schedule drawing each window anew (a ChaCha block would cost 256
//! bytes of work for 32). Adding
//! an outage to one camera changes no other camera's events, and adding an incident to
//! one stream changes nothing in another. A window draws, in this order: the gap since
//! the previous window's start (recurring entries), its length (random lengths), and the
//! key of its camera draw (entries on a number of cameras).
//!
//! A drawn set of `n` cameras out of `m` is the first `n` places of a keyed pseudo-random
//! permutation of the stream's cameras (a swap-or-not shuffle, Hoang, Morris and
//! Rogaway 2012, which permutes any `0..m` directly), so whether a camera is in it is
//! known without drawing the set: every process of a per-camera stream asks only about
//! its own camera, in time proportional to the rounds (a few dozen).

use rand::{Rng, RngCore};
use sha2::Digest;

use super::distribution::Sampler;
use super::process::{hash_camera, key_hash};
use crate::scenario::model::{CameraId, Length};
use crate::scenario::validate::{Affected, WindowStart, Windows};

/// Whether an entry is an incident or an outage (they draw from different streams).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A window that multiplies the rate.
    Incident,
    /// A window that silences cameras.
    Outage,
}

/// The identity of one schedule: the key of its windows' random streams.
pub(crate) fn schedule_key(
    seed: u64,
    stream: &str,
    kind: Kind,
    position: usize,
    camera: Option<&CameraId>,
) -> [u8; 32] {
    let mut hash = key_hash(b"simulate/windows/v1\0", seed, stream);
    hash.update([match kind {
        Kind::Incident => 1,
        Kind::Outage => 2,
    }]);
    hash.update((position as u64).to_le_bytes());
    hash_camera(&mut hash, camera);
    hash.finalize().into()
}

/// One window: `[start, end)` in ns, and the cameras it takes when they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// The first nanosecond inside.
    pub start: u64,
    /// The first nanosecond after.
    pub end: u64,
    /// The drawn cameras, when the entry takes a number of them.
    pub drawn: Option<Drawn>,
}

/// `n` cameras of `m`, drawn by a keyed permutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    keys: [u64; 2],
    n: u32,
    m: u32,
}

impl Drawn {
    /// Whether the camera at position `camera` is one of the `n` drawn.
    pub fn contains(&self, camera: u32) -> bool {
        self.position(camera) < self.n
    }

    /// Rounds of the shuffle: 2 per bit of `m`, and 8 more. Each round moves a camera
    /// with probability ½; the tests check that every camera is drawn equally often.
    fn rounds(&self) -> u32 {
        2 * (u32::BITS - self.m.leading_zeros()) + 8
    }

    /// One round of the shuffle: `x` and its partner `kᵢ − x (mod m)` swap when a keyed
    /// bit of the larger of the two says so. Each round is its own inverse.
    #[inline]
    fn round(&self, x: u64, i: u32) -> u64 {
        let m = u64::from(self.m);
        // kᵢ uniform in 0..m by a multiply-shift (no division), then kᵢ − x mod m.
        let k = ((u128::from(mix(self.keys[0] ^ u64::from(i))) * u128::from(m)) >> 64) as u64;
        let partner = if k >= x { k - x } else { k + m - x };
        let bit = mix(self.keys[1] ^ (u64::from(i) << 32) ^ x.max(partner)) & 1;
        if bit == 1 { partner } else { x }
    }

    /// The camera's place in the permutation: the rounds undone, last first.
    fn position(&self, camera: u32) -> u32 {
        (0..self.rounds())
            .rev()
            .fold(u64::from(camera), |x, i| self.round(x, i)) as u32
    }

    /// The camera at place `i` of the permutation: the drawn set is `(0..n).map(at)`.
    #[cfg(test)]
    fn at(&self, i: u32) -> u32 {
        (0..self.rounds()).fold(u64::from(i), |x, r| self.round(x, r)) as u32
    }
}

/// A 64-bit mix (the finaliser of SplitMix64): the shuffle's keyed bits and offsets.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How an entry's windows start, ready to draw.
#[derive(Debug, Clone)]
enum Starts {
    At(u64),
    Every(Sampler),
}

/// How long an entry's windows last, ready to draw.
#[derive(Debug, Clone)]
enum Lengths {
    Fixed(u64),
    Random(Sampler),
}

/// The windows of one entry, in order of their start, lazily.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    /// The leading 64 bits of the schedule's key: the seed of its windows' generators.
    key: u64,
    starts: Starts,
    lengths: Lengths,
    /// `n` of `m` cameras drawn for each window, when the entry takes a number.
    draw: Option<(u32, u32)>,
    /// The window to draw next, and where the previous one started.
    next: u64,
    last_start: u64,
    /// Windows starting at or after this never matter (the end of the run).
    horizon: u64,
}

impl Schedule {
    /// The schedule of `entry` on a stream of `cameras` cameras, keyed by `key`
    /// ([`schedule_key`]); windows starting at or after `horizon` are not drawn.
    pub fn new(entry: &Windows, cameras: u32, key: [u8; 32], horizon: u64) -> Schedule {
        let mut head = [0u8; 8];
        head.copy_from_slice(&key[..8]);
        Schedule {
            key: u64::from_le_bytes(head),
            starts: match &entry.start {
                WindowStart::At(at) => Starts::At(*at),
                WindowStart::Every(spec) => Starts::Every(Sampler::new(spec)),
            },
            lengths: match &entry.length {
                Length::Fixed(d) => Lengths::Fixed(d.0.0),
                Length::Random(spec) => Lengths::Random(Sampler::new(spec)),
            },
            draw: match entry.cameras {
                Affected::Drawn(n) => Some((n, cameras)),
                Affected::All | Affected::Listed(_) => None,
            },
            next: 0,
            last_start: 0,
            horizon,
        }
    }

    /// The next window, if it starts before the horizon.
    pub fn next_window(&mut self) -> Option<Window> {
        let k = self.next;
        let mut rng = WindowRng::new(self.key, k);
        let start = match &self.starts {
            Starts::At(at) if k == 0 => *at,
            Starts::At(_) => return None,
            Starts::Every(gap) => self.last_start.checked_add(gap.sample(&mut rng))?,
        };
        if start >= self.horizon {
            return None;
        }
        let length = match &self.lengths {
            Lengths::Fixed(ns) => *ns,
            Lengths::Random(sampler) => sampler.sample(&mut rng),
        };
        let drawn = self.draw.map(|(n, m)| Drawn {
            keys: [rng.random(), rng.random()],
            n,
            m,
        });
        self.next += 1;
        self.last_start = start;
        Some(Window {
            start,
            end: start.saturating_add(length),
            drawn,
        })
    }
}

/// The generator of one window: SplitMix64, started at a point fixed by the schedule's
/// key and the window's number. Faults use it too, keyed by (process, kind) and numbered
/// by the event (`plan/fault.rs`).
pub(crate) struct WindowRng {
    state: u64,
}

impl WindowRng {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    pub(crate) fn new(key: u64, window: u64) -> Self {
        WindowRng {
            state: mix(key ^ mix(window.wrapping_mul(Self::GAMMA))),
        }
    }
}

impl RngCore for WindowRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GAMMA);
        mix(self.state)
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// Whether one camera (or, with `camera: None`, the whole stream) is inside a window of
/// one entry, followed forward in time. Overlapping windows of one entry merge: being
/// inside two at once counts once.
#[derive(Debug, Clone)]
pub(crate) struct Tracker {
    schedule: Schedule,
    /// The camera whose membership in drawn windows counts, if windows draw cameras.
    camera: Option<u32>,
    /// The next window that takes the camera and has not started.
    upcoming: Option<Window>,
    /// The end of the merged window the camera is in, or 0 when it is in none.
    until: u64,
}

impl Tracker {
    /// Follows `schedule` for `camera` (its position), or for every camera.
    pub fn new(schedule: Schedule, camera: Option<u32>) -> Tracker {
        let mut tracker = Tracker {
            schedule,
            camera,
            upcoming: None,
            until: 0,
        };
        tracker.upcoming = tracker.draw();
        tracker
    }

    /// The next window that takes the camera.
    fn draw(&mut self) -> Option<Window> {
        loop {
            let window = self.schedule.next_window()?;
            let takes = match (window.drawn, self.camera) {
                (Some(drawn), Some(camera)) => drawn.contains(camera),
                _ => true,
            };
            if takes && window.end > window.start {
                return Some(window);
            }
        }
    }

    /// Moves to `t` (never backwards) and says whether the camera is inside a window there.
    pub fn inside(&mut self, t: u64) -> bool {
        if self.until <= t {
            self.until = 0;
        }
        while let Some(window) = self.upcoming.filter(|w| w.start <= t) {
            if window.end > t {
                self.until = self.until.max(window.end);
            }
            self.upcoming = self.draw();
        }
        self.until > t
    }

    /// The next instant after `t` at which [`Tracker::inside`] can change (`u64::MAX`
    /// when it never will). Call after `inside(t)`.
    pub fn next_change(&self, t: u64) -> u64 {
        if self.until > t {
            self.until
        } else {
            self.upcoming.map_or(u64::MAX, |w| w.start)
        }
    }

    /// Every window that takes the camera and has not started yet, in order of start,
    /// without moving this tracker.
    pub fn windows(&self) -> impl Iterator<Item = Window> {
        let mut copy = self.clone();
        std::iter::from_fn(move || {
            let window = copy.upcoming?;
            copy.upcoming = copy.draw();
            Some(window)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shuffle_is_a_permutation_and_its_inverse_inverts_it() {
        for m in [1u32, 2, 3, 5, 16, 17, 200, 1000] {
            let drawn = Drawn {
                keys: [1, 2],
                n: m / 2,
                m,
            };
            let image: Vec<u32> = (0..m).map(|i| drawn.at(i)).collect();
            let mut sorted = image.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..m).collect::<Vec<_>>(), "m = {m}");
            for (i, &c) in image.iter().enumerate() {
                assert_eq!(drawn.position(c), i as u32);
            }
            let members = (0..m).filter(|&c| drawn.contains(c)).count() as u32;
            assert_eq!(members, m / 2, "exactly n of m");
        }
    }
}
