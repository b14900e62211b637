//! The one paced loop: the plan's messages, rendered on demand, handed to a [`Sink`] at
//! their send deadlines (dropped events are skipped). It owns what every sink shares: pacing ([`pacer`]), the stop
//! (Ctrl-C), lateness, the progress bar (`progress`), and the counts of planned, sent
//! and not-sent events. It knows nothing of distributions (it sees offsets) and nothing of
//! Kafka (it sees a [`Sink`]).
//!
//! A stop ends scheduling at once; the sink then finishes within its own bounds while the
//! rest of the plan is counted beside it, so the counts keep the whole plan.

pub mod pacer;
mod progress;
pub mod sink;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::histogram::{Histogram, Timeline, nanos};
use crate::metrics::Metrics;
use crate::plan::Plan;
use crate::plan::fault::Mark;
use crate::render::{Message, Renderer};
use crate::scenario::Scenario;
use pacer::{Pace, Pacer};
use progress::Progress;
use sink::{Handover, Sink};

/// Shared flags between a run and whoever watches it (signal handler, tests).
#[derive(Debug, Clone, Default)]
pub struct Control {
    /// Set to stop scheduling; the run then finishes its sink and reports.
    pub stop: Arc<AtomicBool>,
    /// Events handed to the sink so far: after every paced send, every 64 unpaced ones,
    /// and at the end.
    pub sent: Arc<AtomicU64>,
}

/// What the loop counted, sink-neutral.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    /// Messages in the plan (events, less dropped ones, plus second copies): all of them,
    /// also after a stop (the rest is counted then).
    pub planned: u64,
    /// Whether `planned` is exact: after a stop, the rest of the plan is counted for at
    /// most [`COUNT_BUDGET`] past the sink's finish; past that it is a lower bound.
    pub planned_exact: bool,
    /// The plan's faults that make its messages differ from its events, counted with
    /// `planned`.
    pub faults: Faults,
    /// Events the sink took.
    pub sent: u64,
    /// Events never handed over because of the stop.
    pub not_sent: u64,
    /// Whether the run was stopped.
    pub interrupted: bool,
    /// How late each paced send was against its deadline.
    pub lateness: Histogram,
    /// The same over the plan's time (the planned send instant).
    pub lateness_timeline: Timeline,
    /// How late the last paced send was: the drift of the whole run.
    pub end_drift: Duration,
    /// From the first deadline to the end of the sink's finish.
    pub wall: Duration,
    /// Events taken per camera, flat: the cameras of stream 0, then of stream 1, …
    per_camera: Vec<u64>,
}

impl Tally {
    /// Events taken per camera id (cameras that took none are left out).
    pub(crate) fn per_camera(&self, scenario: &Scenario) -> BTreeMap<String, u64> {
        let ids = scenario.streams.iter().flat_map(|s| s.cameras.iter());
        let mut out = BTreeMap::new();
        for (camera, &n) in ids.zip(&self.per_camera) {
            if n > 0 {
                *out.entry(camera.to_string()).or_default() += n;
            }
        }
        out
    }
}

/// The faults of a plan that make its messages differ from its events: events dropped
/// (no message), second copies of duplicates (a message more), and malformed messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Faults {
    /// Events never sent.
    pub dropped: u64,
    /// Second copies sent.
    pub duplicates: u64,
    /// Messages with a broken value.
    pub malformed: u64,
}

impl Faults {
    /// Counts one message of the plan (a dropped event among them).
    #[inline]
    fn add(&mut self, mark: &Mark) {
        match mark {
            Mark::Dropped => self.dropped += 1,
            Mark::Duplicate { .. } => self.duplicates += 1,
            Mark::Malformed { .. } => self.malformed += 1,
            Mark::Clean | Mark::Held | Mark::Late | Mark::FirstCopy => {}
        }
    }

    /// The events of a plan of `messages` messages with these faults: dropped ones
    /// included, second copies not.
    pub(crate) fn events(&self, messages: u64) -> u64 {
        (messages + self.dropped).saturating_sub(self.duplicates)
    }
}

/// The events and messages of the whole of `plan`, counted (as the replay counts them).
pub(crate) fn totals(plan: Plan) -> (u64, u64) {
    let mut faults = Faults::default();
    let mut messages = 0u64;
    for message in plan {
        faults.add(&message.mark);
        messages += u64::from(message.mark.is_sent());
    }
    (faults.events(messages), messages)
}

/// How a replay runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Real time, faster, or as fast as the sink takes events.
    pub pace: Pace,
    /// Draw a progress bar (only ever on a terminal).
    pub progress: bool,
    /// Count events per camera, for a report (a dry run has none).
    pub per_camera: bool,
}

/// How long counting the rest of a stopped plan may take once the sink has finished.
pub(crate) const COUNT_BUDGET: Duration = Duration::from_secs(10);

/// Replays `plan`, the plan of `scenario`, with offset 0 at `start`, into `sink`.
#[inline]
pub(crate) fn replay<S: Sink>(
    scenario: &Scenario,
    mut plan: Plan,
    start: DateTime<Utc>,
    sink: &mut S,
    options: Options,
    control: &Control,
    metrics: Option<&Metrics>,
) -> Result<Tally, Error> {
    let mut renderer = Renderer::new(scenario, start);
    let (first_camera, mut per_camera) = camera_counts(scenario);
    let pacer = Pacer::new(Instant::now(), options.pace);
    let origin = Instant::now();
    let mut progress = if options.progress {
        Progress::on_terminal(scenario.duration.0)
    } else {
        None
    };
    let mut lateness = Histogram::default();
    let mut lateness_timeline = Timeline::default();
    let mut end_drift = Duration::ZERO;
    let (mut taken, mut sent, mut refused) = (0u64, 0u64, 0u64);
    let mut faults = Faults::default();
    let stop = &*control.stop;
    let paced = options.pace != Pace::Max;
    for message in plan.by_ref() {
        faults.add(&message.mark);
        if !message.mark.is_sent() {
            continue;
        }
        taken += 1;
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if let Some(m) = metrics {
            m.taken.inc();
        }
        let event = message.event;
        if paced {
            if let Some(deadline) = pacer.deadline(message.send_ns) {
                let late = pacer.wait(deadline, stop, &mut |d| {
                    sink.idle(d);
                    if let Some(m) = metrics {
                        m.refresh(sink.delivered(), sink.failures(), sink.pending());
                    }
                });
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                lateness.record(nanos(late));
                lateness_timeline.record(message.send_ns, nanos(late));
                if let Some(m) = metrics {
                    m.lateness.observe(late.as_secs_f64());
                }
                end_drift = late;
            }
        }
        match sink.send(Message::new(message, &mut renderer))? {
            Handover::Taken => {
                sent += 1;
                if let Some(m) = metrics {
                    count_sent(m, sink, sent);
                }
                if options.per_camera {
                    per_camera[first_camera[event.stream as usize] + event.camera as usize] += 1;
                }
            }
            Handover::Refused => refused += 1,
            Handover::Stopped => {}
        }
        // Watchers see the count after every paced send, and every 64 unpaced ones.
        if paced || sent % 64 == 0 {
            control.sent.store(sent, Ordering::Relaxed);
        }
        if let Some(bar) = &mut progress {
            bar.update(message.send_ns, sent, || sink.failures(), origin);
        }
    }
    control.sent.store(sent, Ordering::Relaxed);
    let interrupted = control.stop.load(Ordering::Relaxed);
    let ending = (interrupted, &mut faults);
    let (rest, planned_exact, wall) = wind_up(&mut plan, sink, ending, progress, metrics, origin)?;
    let planned = taken + rest;
    Ok(Tally {
        planned,
        planned_exact,
        faults,
        sent,
        not_sent: planned - sent - refused,
        interrupted,
        lateness,
        lateness_timeline,
        end_drift,
        wall,
        per_camera,
    })
}

/// One more message handed to `sink`, the `sent`th: counted, and the sink's counts
/// copied every 64.
#[inline]
fn count_sent<S: Sink>(metrics: &Metrics, sink: &S, sent: u64) {
    metrics.sent.inc();
    if sent % 64 == 0 {
        metrics.refresh(sink.delivered(), sink.failures(), sink.pending());
    }
}

/// Where each stream's cameras start in the flat per-camera counts, and the counts (0).
fn camera_counts(scenario: &Scenario) -> (Vec<usize>, Vec<u64>) {
    let first = scenario
        .streams
        .iter()
        .scan(0, |next, s| {
            let first = *next;
            *next += s.cameras.len();
            Some(first)
        })
        .collect();
    let cameras: usize = scenario.streams.iter().map(|s| s.cameras.len()).sum();
    (first, vec![0; cameras])
}

/// After the last send (or a stop): the sink finishes while, after a stop, the rest of
/// the plan is counted beside it, for at most [`COUNT_BUDGET`] after the finish. Returns
/// the events counted after the stop, whether that count reached the end, and the wall
/// time up to the end of the finish.
fn wind_up<S: Sink>(
    plan: &mut Plan,
    sink: &mut S,
    (interrupted, faults): (bool, &mut Faults),
    progress: Option<Progress>,
    metrics: Option<&Metrics>,
    origin: Instant,
) -> Result<(u64, bool, Duration), Error> {
    if let Some(bar) = &progress {
        bar.finishing(sink.pending());
    }
    let finished_at = OnceLock::new();
    let (finished, (rest, planned_exact), wall) = std::thread::scope(|scope| {
        let counter = interrupted.then(|| scope.spawn(|| count_rest(plan, &finished_at, faults)));
        let finished = sink.finish();
        let wall = origin.elapsed();
        let _ = finished_at.set(Instant::now());
        if let (Some(bar), Some(_)) = (&progress, &counter) {
            bar.counting();
        }
        let rest = counter.map_or((0, true), |c| c.join().unwrap_or((0, false)));
        (finished, rest, wall)
    });
    if let Some(bar) = progress {
        bar.clear();
    }
    if let Some(m) = metrics {
        m.refresh(sink.delivered(), sink.failures(), sink.pending());
    }
    finished?;
    if let Some(m) = metrics {
        // After a stop, the rest of the plan was counted: the counter ends as the report.
        m.taken.inc_by(rest);
    }
    Ok((rest, planned_exact, wall))
}

/// Counts the messages left in `plan` (and their `faults`): to the end, unless it is still counting
/// [`COUNT_BUDGET`] after the sink finished (`finished_at`). Returns the count and
/// whether it reached the end.
fn count_rest(
    plan: &mut Plan,
    finished_at: &OnceLock<Instant>,
    faults: &mut Faults,
) -> (u64, bool) {
    let mut n = 0u64;
    loop {
        for _ in 0..65_536 {
            match plan.next() {
                None => return (n, true),
                Some(message) => {
                    faults.add(&message.mark);
                    n += u64::from(message.mark.is_sent());
                }
            }
        }
        if finished_at
            .get()
            .is_some_and(|t| t.elapsed() >= COUNT_BUDGET)
        {
            return (n, false);
        }
    }
}
