//! The progress bar of a paced run (on a terminal only): how far the schedule is in
//! simulated time, the wall time since it started, messages sent, rate and failures.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::histogram::nanos;

/// How often the bar's text is refreshed.
const EVERY: Duration = Duration::from_millis(100);

/// A progress bar over a plan of `duration_ns` of simulated time.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: ProgressBar,
    duration_ns: u64,
    next: Instant,
}

impl Progress {
    /// A bar on stderr when it is a terminal; `None` otherwise.
    pub fn on_terminal(duration_ns: u64) -> Option<Progress> {
        use std::io::IsTerminal;
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(
            Some(duration_ns / 1_000_000),
            ProgressDrawTarget::stderr(),
        );
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {percent:>3}%  {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_prefix(simulated_clock(0, duration_ns));
        Some(Progress {
            bar,
            duration_ns,
            next: Instant::now(),
        })
    }

    /// Shows the run at the event due at `offset_ns`, at most every [`EVERY`].
    #[inline]
    pub fn update(
        &mut self,
        offset_ns: u64,
        sent: u64,
        failed: impl FnOnce() -> u64,
        origin: Instant,
    ) {
        let now = Instant::now();
        if now < self.next {
            return;
        }
        self.next = now + EVERY;
        self.bar.set_position(offset_ns / 1_000_000);
        self.bar
            .set_prefix(simulated_clock(offset_ns, self.duration_ns));
        let wall = origin.elapsed();
        let rate = sent as f64 / wall.as_secs_f64().max(1e-9);
        self.bar.set_message(format!(
            "wall {}  {sent} sent, {rate:.0}/s, {} failed",
            clock(nanos(wall)),
            failed()
        ));
    }

    /// Says what the end of the run waits for.
    pub fn finishing(&self, pending: u64) {
        self.bar
            .set_message(format!("flushing {pending} outstanding messages"));
    }

    /// Says that the rest of an interrupted plan is being counted.
    pub fn counting(&self) {
        self.bar
            .set_message("counting the rest of the interrupted plan".to_string());
    }

    /// Removes the bar.
    pub fn clear(self) {
        self.bar.finish_and_clear();
    }
}

/// `00:01:19 of 00:03:00 simulated`: how far the schedule is, in simulated time.
fn simulated_clock(offset_ns: u64, duration_ns: u64) -> String {
    format!("{} of {} simulated", clock(offset_ns), clock(duration_ns))
}

/// A span as `HH:MM:SS`, with days in front past 24 hours (`2d 03:00:00`).
pub(crate) fn clock(ns: u64) -> String {
    let seconds = ns / 1_000_000_000;
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let hms = format!("{:02}:{:02}:{:02}", rest / 3_600, rest / 60 % 60, rest % 60);
    if days > 0 {
        format!("{days}d {hms}")
    } else {
        hms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_as_hours_minutes_seconds() {
        assert_eq!(clock(0), "00:00:00");
        assert_eq!(clock(79_400_000_000), "00:01:19");
        assert_eq!(clock(3_600_000_000_000 + 61_000_000_000), "01:01:01");
        assert_eq!(
            clock(2 * 86_400_000_000_000 + 3 * 3_600_000_000_000),
            "2d 03:00:00"
        );
        assert_eq!(
            simulated_clock(79_000_000_000, 180_000_000_000),
            "00:01:19 of 00:03:00 simulated"
        );
    }
}
