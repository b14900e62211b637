//! Pacing: when each event is sent. Deadlines are absolute (run start + offset / speed),
//! never sums of sleeps, so a run does not drift however long it is. The pacer sleeps
//! until shortly before a deadline and spins the rest of the way, which keeps lateness
//! in microseconds; when behind, it sends at once and the lateness is recorded. It knows
//! nothing of distributions: it only sees offsets.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};

/// How fast the plan is replayed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Simulated time runs `speed` times as fast as wall time (1.0 is real time).
    Speed(f64),
    /// No waiting: as fast as the producer takes events.
    Max,
}

impl Pace {
    /// How the pace reads in reports.
    pub(crate) fn describe(&self) -> String {
        match self {
            Pace::Speed(s) if *s == 1.0 => "real time".into(),
            Pace::Speed(s) => format!("speed {s}"),
            Pace::Max => "max speed".into(),
        }
    }
}

/// Sleeps until `start` (if it lies ahead), in slices, so that a stop ends the wait:
/// shards launched apart begin together at their shared start. The wall clock is read
/// here, at the edge of the pure plan.
pub(crate) fn wait_until(start: DateTime<Utc>, stop: &AtomicBool, quiet: bool, how: Ahead) {
    let ahead = |now: DateTime<Utc>| (start - now).to_std().ok().filter(|d| !d.is_zero());
    let Some(wait) = ahead(Utc::now()) else {
        return;
    };
    if !quiet {
        let at = start.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let wait = wait.as_secs_f64();
        match how {
            Ahead::Shared => {
                eprintln!("simulate: waiting {wait:.1} s for the shared start {at}");
            }
            Ahead::Planned(pace) => eprintln!(
                "simulate: waiting {wait:.1} s for the planned start {at} (it lies ahead), then {}; Ctrl-C stops",
                match pace {
                    Pace::Max => "sending as fast as the broker takes it (--max-speed)".to_string(),
                    Pace::Speed(1.0) => "sending each event at its instant".to_string(),
                    Pace::Speed(s) => format!("sending at {s} times real time (--speed)"),
                }
            ),
        }
    }
    while let Some(left) = ahead(Utc::now()) {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// Why a start that lies ahead is waited for, for the words of the wait.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ahead {
    /// The start the shards of one run share.
    Shared,
    /// A single run's own start, then replayed at this pace.
    Planned(Pace),
}

/// Below this much time to go, the pacer spins instead of sleeping: the kernel's sleep
/// overshoots by tens of microseconds (timer slack), a spin does not.
const SPIN: Duration = Duration::from_micros(200);
/// The longest single sleep, so a stop request is noticed promptly.
const MAX_SLEEP: Duration = Duration::from_millis(50);

/// Turns offsets into wall-clock deadlines and waits for them.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    origin: Instant,
    pace: Pace,
}

impl Pacer {
    /// A pacer whose offset 0 is `origin`.
    pub fn new(origin: Instant, pace: Pace) -> Self {
        Pacer { origin, pace }
    }

    /// The instant an event at `offset_ns` is due, or `None` at max speed.
    #[inline]
    pub fn deadline(&self, offset_ns: u64) -> Option<Instant> {
        match self.pace {
            Pace::Max => None,
            Pace::Speed(speed) => {
                let scaled = if speed == 1.0 {
                    offset_ns as f64
                } else {
                    offset_ns as f64 / speed
                };
                Some(self.origin + Duration::from_nanos(scaled.round() as u64))
            }
        }
    }

    /// Waits until `deadline` (or until `stop` is set) and returns how late it is now.
    /// The coarse part of the wait is handed to `idle` (a sleep, or a producer's poll that
    /// serves delivery reports meanwhile); it must not overrun the time it is given by
    /// more than the kernel's timer slack.
    pub fn wait(
        &self,
        deadline: Instant,
        stop: &AtomicBool,
        idle: &mut dyn FnMut(Duration),
    ) -> Duration {
        loop {
            let now = Instant::now();
            if now >= deadline {
                return now - deadline;
            }
            let left = deadline - now;
            if left > SPIN {
                if stop.load(Ordering::Relaxed) {
                    return Duration::ZERO;
                }
                idle((left - SPIN).min(MAX_SLEEP));
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_absolute_and_scaled() {
        let origin = Instant::now();
        let real = Pacer::new(origin, Pace::Speed(1.0));
        assert_eq!(
            real.deadline(1_500_000_000),
            Some(origin + Duration::from_millis(1500))
        );
        let fast = Pacer::new(origin, Pace::Speed(10.0));
        assert_eq!(
            fast.deadline(180_000_000_000),
            Some(origin + Duration::from_secs(18))
        );
        assert_eq!(Pacer::new(origin, Pace::Max).deadline(5), None);
    }

    #[test]
    fn waiting_never_returns_before_the_deadline() {
        let pacer = Pacer::new(Instant::now(), Pace::Speed(1.0));
        let stop = AtomicBool::new(false);
        for offset in [0u64, 300_000, 1_000_000, 5_000_000] {
            let deadline = pacer.deadline(offset).unwrap();
            pacer.wait(deadline, &stop, &mut std::thread::sleep);
            assert!(Instant::now() >= deadline);
        }
    }

    #[test]
    fn a_stop_request_ends_a_long_wait() {
        let pacer = Pacer::new(Instant::now(), Pace::Speed(1.0));
        let stop = AtomicBool::new(true);
        let deadline = pacer.deadline(3_600_000_000_000).unwrap();
        assert_eq!(
            pacer.wait(deadline, &stop, &mut std::thread::sleep),
            Duration::ZERO
        );
        assert!(Instant::now() < deadline);
    }

    #[test]
    fn pace_descriptions() {
        assert_eq!(Pace::Speed(1.0).describe(), "real time");
        assert_eq!(Pace::Speed(10.0).describe(), "speed 10");
        assert_eq!(Pace::Max.describe(), "max speed");
    }
}
