//! How the windows of one incident or outage entry are drawn: when each starts, how long
//! it lasts, which cameras it takes, lazily, window after window; and a [`Tracker`] that
//! follows them forward in time for one camera or a whole stream. Which schedule a
//! process or camera follows is decided in `plan/windows.rs`.
//!
//! Window `k` of an entry draws from a [`CounterRng`] numbered `k` and seeded by the
//! schedule's key (`plan/random.rs`): never from a process's gap stream and never by
//! creation order. Adding an outage to one camera changes no other camera's events, and
//! adding an incident to one stream changes nothing in another. A window draws, in this
//! order: the gap since the previous window's start (recurring entries), its length
//! (random lengths), and the key of its camera draw (entries on a number of cameras).
//!
//! A drawn set of `n` cameras out of `m` is the first `n` places of a keyed pseudo-random
//! permutation of the stream's cameras (a swap-or-not shuffle, Hoang, Morris and
//! Rogaway 2012, which permutes any `0..m` directly), so whether a camera is in it is
//! known without drawing the set: every process of a per-camera stream asks only about
//! its own camera, in time proportional to the rounds (a few dozen).

use rand::Rng;

use super::distribution::{LengthSampler, Sampler};
use super::random::{CounterRng, Key, mix};
use crate::scenario::validate::{Affected, WindowStart, Windows};

/// One window of an incident or outage entry: `[start, end)` in ns, and the cameras it
/// takes when they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EntryWindow {
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

/// How an entry's windows start, ready to draw.
#[derive(Debug, Clone)]
enum Starts {
    At(u64),
    Every(Sampler),
}

/// The windows of one entry, in order of their start, lazily.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    /// The seed of its windows' generators ([`Key::schedule_seed`]).
    key: u64,
    starts: Starts,
    lengths: LengthSampler,
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
    /// ([`Key::schedule`]); windows starting at or after `horizon` are not drawn.
    pub fn new(entry: &Windows, cameras: u32, key: Key, horizon: u64) -> Schedule {
        Schedule {
            key: key.schedule_seed(),
            starts: match &entry.start {
                WindowStart::At(at) => Starts::At(*at),
                WindowStart::Every(spec) => Starts::Every(Sampler::new(spec)),
            },
            lengths: LengthSampler::new(&entry.length),
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
    pub fn next_window(&mut self) -> Option<EntryWindow> {
        let k = self.next;
        let mut rng = CounterRng::new(self.key, k);
        let start = match &self.starts {
            Starts::At(at) if k == 0 => *at,
            Starts::At(_) => return None,
            Starts::Every(gap) => self.last_start.checked_add(gap.sample(&mut rng))?,
        };
        if start >= self.horizon {
            return None;
        }
        let length = self.lengths.draw(|| &mut rng);
        let drawn = self.draw.map(|(n, m)| Drawn {
            keys: [rng.random(), rng.random()],
            n,
            m,
        });
        self.next += 1;
        self.last_start = start;
        Some(EntryWindow {
            start,
            end: start.saturating_add(length),
            drawn,
        })
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
    upcoming: Option<EntryWindow>,
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
    fn draw(&mut self) -> Option<EntryWindow> {
        loop {
            let window = self.schedule.next_window()?;
            let takes = match (window.drawn, self.camera) {
                (Some(drawn), Some(camera)) => drawn.contains(camera),
                (None, _) | (Some(_), None) => true,
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
    pub fn windows(&self) -> impl Iterator<Item = EntryWindow> {
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
