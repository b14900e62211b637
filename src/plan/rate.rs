//! Rates that change over time, sampled exactly by a time change.
//!
//! A process's rate at time `t` is its base rate times `f(t)`: the stream's rate profile,
//! times the factors of the incidents covering the process's camera, times 0 while it is
//! out. The process draws its gaps from its distribution as always, in *operational*
//! time, and each event is mapped to real time through the inverse of the cumulative
//! factor `Λ(t) = ∫₀ᵗ f`: the event after one at `t₀` is at the `t` where
//! `Λ(t) − Λ(t₀)` equals the gap drawn. For exponential gaps this is an exact
//! non-homogeneous Poisson process (Çinlar's construction); for other distributions, the
//! standard rate-modulated renewal process.
//!
//! `f` is piecewise linear: linear between the profile's points (or constant, with
//! `step`), constant factors from windows. Within a piece, `Λ` is quadratic and inverted
//! in closed form; pieces are walked forward lazily, so a process keeps only where it is.
//! Only `+ − × ÷` and `sqrt` are used, all correctly rounded in IEEE 754, so the same
//! seed gives the same times on every machine.

use crate::scenario::limits::MAX_PIECE_NS;
use crate::scenario::model::Interpolate;
use crate::scenario::validate::RateProfile;

use super::schedule::Tracker;

/// One piece of a rate profile, from some instant on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Piece {
    /// Where the piece ends (exclusive); `u64::MAX` when it never does.
    pub end: u64,
    /// The factor at the instant asked about.
    pub value: f64,
    /// How the factor changes per nanosecond until `end`.
    pub slope: f64,
}

/// A rate profile, ready to look up.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    points: Vec<(u64, f64)>,
    step: bool,
    repeat: Option<u64>,
}

impl Profile {
    /// The profile of a validated stream.
    pub fn new(profile: &RateProfile) -> Profile {
        Profile {
            points: profile.points.clone(),
            step: profile.interpolate == Interpolate::Step,
            repeat: profile.repeat,
        }
    }

    /// The piece of the profile that holds at `t`, with the factor at `t`.
    pub fn piece(&self, t: u64) -> Piece {
        let (period_start, u) = match self.repeat {
            Some(p) => (t - t % p, t % p),
            None => (0, t),
        };
        let points = &self.points;
        let first = points[0];
        let last = points[points.len() - 1];
        // Pieces within the period (or the whole line): [0, first) holds the first factor,
        // [pᵢ, pᵢ₊₁) runs or steps between points, [last, repeat) runs back to the first
        // factor (or holds the last), and without a repeat the last factor holds forever.
        let (from, to, f0, f1) = if u < first.0 {
            (0, first.0, first.1, first.1)
        } else {
            let i = points.partition_point(|p| p.0 <= u) - 1;
            match (points.get(i + 1), self.repeat) {
                (Some(next), _) => (points[i].0, next.0, points[i].1, next.1),
                (None, Some(p)) => (last.0, p, last.1, first.1),
                (None, None) => {
                    return Piece {
                        end: u64::MAX,
                        value: last.1,
                        slope: 0.0,
                    };
                }
            }
        };
        let slope = if self.step || to == from {
            0.0
        } else {
            (f1 - f0) / (to - from) as f64
        };
        Piece {
            end: period_start.saturating_add(to),
            value: f0 + slope * (u - from) as f64,
            slope,
        }
    }

    /// `∫₀ᵗ f`, in factor × nanoseconds: the operational time a process at the base rate
    /// gets by `t` (so `∫f / mean gap` events are expected), walked piece by piece.
    pub fn integral(&self, to: u64) -> f64 {
        let (mut t, mut sum) = (0u64, 0.0);
        while t < to {
            let piece = self.piece(t);
            let end = piece.end.min(to).max(t + 1);
            let width = (end - t) as f64;
            sum += piece.value * width + piece.slope * width * width / 2.0;
            t = end;
        }
        sum
    }

    /// The largest factor.
    #[cfg(test)]
    pub fn peak(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(0.0, f64::max)
    }
}

/// The longest piece walked at once ([`MAX_PIECE_NS`], about 39 hours): positions within
/// a piece are kept as f64 offsets from its start, which are exact to 1/32 ns up to 2⁴⁷.
const MAX_PIECE: u64 = MAX_PIECE_NS;

/// One process's time change: where it is in real time, the piece of `f` it is in, and
/// the windows that shape `f` for it.
#[derive(Debug, Clone)]
pub(crate) struct TimeChange {
    profile: Option<std::sync::Arc<Profile>>,
    /// One per incident or outage entry that can affect the process, with its factor.
    windows: Vec<(Tracker, f64)>,
    /// For entities entering at several cameras: each entry camera's share and the
    /// incidents on it.
    groups: Option<Groups>,
    /// The current piece: `[start, end)`, on which `f(start + x) = a + b·x`.
    start: u64,
    end: u64,
    a: f64,
    b: f64,
    /// Where the process is, in ns after `start` (a fraction of a ns kept).
    x: f64,
    /// The end of the run: nothing is planned at or after it.
    horizon: u64,
}

/// The entry cameras of an entity stream whose incidents name cameras: the arrival rate
/// at camera `c` is its share `πc` of the base rate times the factors of the incidents
/// on it, so the total factor is `Σ πc·Πf / Σ πc` and an entity enters at `c` with
/// probability proportional to `πc·Πf` (exact superposition for Poisson arrivals).
#[derive(Debug, Clone)]
pub(crate) struct Groups {
    /// Per camera position, its entry weight (0: not an entry camera).
    shares: Vec<f64>,
    /// Per camera position, the incidents that take it, with their factors.
    windows: Vec<Vec<(Tracker, f64)>>,
    /// Per camera position, its weight in the current piece: its share times the
    /// factors of the incidents it is in.
    current: Vec<f64>,
    total: f64,
}

impl Groups {
    /// Groups of the entry weights `shares` (one per camera) and each camera's incidents.
    pub fn new(shares: Vec<f64>, windows: Vec<Vec<(Tracker, f64)>>) -> Groups {
        let total = shares.iter().sum();
        Groups {
            current: shares.clone(),
            shares,
            windows,
            total,
        }
    }

    /// Each camera's weight now: its share times the factors of its incidents.
    pub fn weights(&self) -> &[f64] {
        &self.current
    }

    /// Enters the piece at `t`: returns the factor on the rate and lowers `end` to
    /// the next change of an incident.
    fn enter(&mut self, t: u64, end: &mut u64) -> f64 {
        let mut sum = 0.0;
        for (c, share) in self.shares.iter().enumerate() {
            let mut weight = *share;
            for (tracker, f) in &mut self.windows[c] {
                if tracker.inside(t) {
                    weight *= *f;
                }
                *end = (*end).min(tracker.next_change(t));
            }
            self.current[c] = weight;
            sum += weight;
        }
        if self.total > 0.0 {
            sum / self.total
        } else {
            0.0
        }
    }
}

impl TimeChange {
    /// A time change at 0 for a process shaped by `profile` and `windows` (each with its
    /// factor; 0 for an outage), and for entry cameras by `groups`; nothing is planned
    /// at or after `horizon`.
    pub fn new(
        profile: Option<std::sync::Arc<Profile>>,
        windows: Vec<(Tracker, f64)>,
        groups: Option<Groups>,
        horizon: u64,
    ) -> TimeChange {
        let mut change = TimeChange {
            profile,
            windows,
            groups,
            start: 0,
            end: 0,
            a: 0.0,
            b: 0.0,
            x: 0.0,
            horizon,
        };
        change.enter(0);
        change
    }

    /// Enters the piece of `f` that starts at `t`.
    fn enter(&mut self, t: u64) {
        let mut factor = 1.0;
        let mut end = self.horizon;
        for (tracker, f) in &mut self.windows {
            if tracker.inside(t) {
                factor *= *f;
            }
            end = end.min(tracker.next_change(t));
        }
        if let Some(groups) = &mut self.groups {
            factor *= groups.enter(t, &mut end);
        }
        let piece = match &self.profile {
            Some(profile) => profile.piece(t),
            None => Piece {
                end: u64::MAX,
                value: 1.0,
                slope: 0.0,
            },
        };
        self.start = t;
        self.end = end
            .min(piece.end)
            .min(t.saturating_add(MAX_PIECE))
            .max(t.saturating_add(1));
        self.a = piece.value * factor;
        self.b = piece.slope * factor;
        self.x = 0.0;
    }

    /// The entry cameras' weights at the instant [`TimeChange::advance`] last reached.
    pub fn weights(&self) -> Option<&[f64]> {
        self.groups.as_ref().map(Groups::weights)
    }

    /// Moves forward by `gap` of operational time and returns the real instant reached,
    /// or `None` when that is at or after the horizon.
    pub fn advance(&mut self, gap: u64) -> Option<u64> {
        let mut g = gap as f64;
        loop {
            if self.start >= self.horizon {
                return None;
            }
            let len = (self.end - self.start) as f64;
            let rest = len - self.x;
            // The factor here, and the area under f to the end of the piece.
            let c = (self.a + self.b * self.x).max(0.0);
            let area = (c * rest + 0.5 * self.b * rest * rest).max(0.0);
            // Strictly inside: a gap that ends exactly at the end of the piece is taken
            // up by the next piece (the first instant the next factor holds there).
            if area > 0.0 && g < area {
                let d = if self.b == 0.0 {
                    g / c
                } else {
                    // The root of b/2·d² + c·d − g = 0, in the form that keeps its
                    // precision when b·g is small against c².
                    let disc = (c * c + 2.0 * self.b * g).max(0.0);
                    let denominator = c + disc.sqrt();
                    if denominator > 0.0 {
                        2.0 * g / denominator
                    } else {
                        0.0
                    }
                };
                self.x = (self.x + d).min(len);
                // Rounded to whole ns, and kept inside the piece (never on the first
                // instant of the next one, which may be an outage).
                let inside = (self.x.round() as u64).min(self.end - self.start - 1);
                let t = self.start + inside;
                return (t < self.horizon).then_some(t);
            }
            g -= area;
            let next = self.end;
            self.enter(next);
        }
    }
}

#[cfg(test)]
mod integral_tests {
    use super::*;

    /// Against the trapezoid rule on a 1-second grid (exact for lines between points
    /// that lie on the grid), with steps and a repeat.
    #[test]
    fn the_integral_is_the_area_under_the_profile() {
        let hour = 3_600_000_000_000u64;
        let line = Profile {
            points: vec![(hour, 1.0), (3 * hour, 5.0), (4 * hour, 0.0)],
            step: false,
            repeat: Some(6 * hour),
        };
        let sec = 1_000_000_000u64;
        let trapezoid = |p: &Profile, to: u64| -> f64 {
            let mut sum = 0.0;
            let mut t = 0;
            while t < to {
                // The factor's limit from the right at t and from the left at t + 1 s.
                let a = p.piece(t).value;
                let b = p.piece(t).value + p.piece(t).slope * sec as f64;
                sum += (a + b) / 2.0 * sec as f64;
                t += sec;
            }
            sum
        };
        for to in [hour / 2, 2 * hour, 5 * hour, 13 * hour] {
            let (got, want) = (line.integral(to), trapezoid(&line, to));
            assert!((got - want).abs() <= want * 1e-9, "{to}: {got} vs {want}");
        }
        // By hand, per period: 1 (0-1 h at 1) + 6 (1-3 h, 1 to 5) + 2.5 (3-4 h, 5 to 0)
        // + 1 (4-6 h, 0 back to 1).
        let period = line.integral(6 * hour) / hour as f64;
        assert!((period - (1.0 + 6.0 + 2.5 + 1.0)).abs() < 1e-9, "{period}");
        let steps = Profile {
            points: vec![(0, 2.0), (hour, 0.5)],
            step: true,
            repeat: None,
        };
        assert_eq!(steps.integral(3 * hour), (2.0 + 0.5 * 2.0) * hour as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(points: &[(u64, f64)], step: bool, repeat: Option<u64>) -> Profile {
        Profile {
            points: points.to_vec(),
            step,
            repeat,
        }
    }

    #[test]
    fn pieces_follow_the_points_and_wrap_at_the_period() {
        let p = profile(&[(10, 1.0), (20, 3.0)], false, Some(40));
        assert_eq!(
            p.piece(0),
            Piece {
                end: 10,
                value: 1.0,
                slope: 0.0
            }
        );
        assert_eq!(
            p.piece(15),
            Piece {
                end: 20,
                value: 2.0,
                slope: 0.2
            }
        );
        // From the last point the factor runs back to the first factor at the period.
        assert_eq!(
            p.piece(30),
            Piece {
                end: 40,
                value: 2.0,
                slope: -0.1
            }
        );
        assert_eq!(
            p.piece(55),
            Piece {
                end: 60,
                value: 2.0,
                slope: 0.2
            }
        );
        let step = profile(&[(10, 1.0), (20, 3.0)], true, None);
        assert_eq!(
            step.piece(19),
            Piece {
                end: 20,
                value: 1.0,
                slope: 0.0
            }
        );
        assert_eq!(
            step.piece(20),
            Piece {
                end: u64::MAX,
                value: 3.0,
                slope: 0.0
            }
        );
        assert_eq!(step.peak(), 3.0);
    }

    #[test]
    fn advancing_inverts_the_cumulative_factor() {
        // f(t) = t/100 on [0, 100): Λ(t) = t²/200, so Λ⁻¹(50) = 100 - and 12.5 gives 50.
        let p = std::sync::Arc::new(profile(&[(0, 0.0), (100, 1.0)], false, None));
        let mut change = TimeChange::new(Some(p), Vec::new(), None, 1_000);
        assert_eq!(change.advance(12), Some(49)); // √(2·12·100) = 48.99
        let mut change = TimeChange::new(
            Some(std::sync::Arc::new(profile(
                &[(0, 0.0), (100, 1.0)],
                false,
                None,
            ))),
            Vec::new(),
            None,
            1_000,
        );
        assert_eq!(change.advance(50), Some(100));
        // After the last point f = 1: 100 more units take 100 ns.
        assert_eq!(change.advance(100), Some(200));
        assert_eq!(change.advance(10_000), None);
    }
}
