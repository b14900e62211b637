//! `simulate stats`: what a scenario plans, summed up before anything is sent.
//!
//! One pass over the lazy plan (events in time order) and one over its messages (for
//! the faults), in memory bounded by the number of cameras and processes, never by the
//! number of events: counts per stream, topic and camera; the overall rate and the
//! busiest 1 s and 1 min windows (tumbling, from the start); the gaps of each stream's
//! processes beside the mean and standard deviation of its distribution; the faults by
//! kind; and each stream's expected count from its rate profile beside its planned count.
//!
//! An entity stream also gets what its entities did (`entities`, walked once more from
//! its arrivals): entered, left and inside at the end, visits, sightings, dwells, edges.

mod entities;
mod replayed;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::plan::rate::Profile;
use crate::plan::{Events, Plan, Tally};
use crate::scenario::model::{FirstEvent, InterArrival};
use crate::scenario::validate::StreamArrivals;
use crate::scenario::{Nanos, Scenario, Stream};
use crate::text::thousands as group;

pub use entities::{BusyEdge, CameraDwell, EntityStats, Exits, LISTED_EDGES, Spread};

/// How many cameras the busiest and quietest lists hold.
pub const LISTED_CAMERAS: usize = 5;

/// What a scenario plans.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// The scenario's name.
    pub scenario: String,
    /// The seed the plan was drawn with.
    pub seed: u64,
    /// The shard (`K/N`), if only a shard was planned.
    pub shard: Option<String>,
    /// The run's length, in seconds.
    pub duration_s: f64,
    /// Events planned (dropped ones included; second copies of duplicates not).
    pub events: u64,
    /// Events per second over the whole run.
    pub rate_per_s: f64,
    /// The busiest 1 s window.
    pub peak_1s: Peak,
    /// The busiest 1 min window.
    pub peak_1m: Peak,
    /// Each stream, in scenario order.
    pub streams: Vec<StreamStats>,
    /// Events per topic.
    pub topics: BTreeMap<String, u64>,
    /// Events per camera, summed up.
    pub cameras: Cameras,
    /// Faults injected, by kind, and the messages sent.
    pub faults: Faults,
}

/// The busiest tumbling window of one width, from the start.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Peak {
    /// Where it starts, in seconds after the start.
    pub start_s: f64,
    /// Events in it.
    pub events: u64,
    /// Its events per second.
    pub rate_per_s: f64,
}

/// One stream's plan.
#[derive(Debug, Clone, Serialize)]
pub struct StreamStats {
    /// Its name.
    pub name: String,
    /// Its topic.
    pub topic: String,
    /// `shared`, `per_camera` or `entities`.
    pub arrivals: &'static str,
    /// Its arrival processes (one, or one per camera of this shard).
    pub processes: u64,
    /// Events planned.
    pub events: u64,
    /// Events expected: processes × ∫ rate profile / mean gap (plus one per process
    /// with `first_event: at_start`); incidents and outages are not in it. `None` when
    /// the mean gap is infinite (Pareto with shape ≤ 1). For an entity stream, whose
    /// process is that of entities entering, the entities expected to enter (compare it
    /// with `entities.entered`, not with `events`, its sightings).
    pub expected: Option<f64>,
    /// The gaps between consecutive events of each of its processes. For an entity
    /// stream (one process), the gaps between consecutive sightings of all its entities,
    /// beside `distribution`, which is that of the gaps between entities entering.
    pub gaps: Gaps,
    /// Its distribution and the mean and standard deviation of a gap drawn from it
    /// (`None` where infinite).
    pub distribution: Theory,
    /// Whether a rate profile, incidents or outages shape it: its gaps then follow the
    /// distribution in operational time, not in real time.
    pub shaped: bool,
    /// For an entity stream, what its entities did; left out of the JSON otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<EntityStats>,
}

/// Gap statistics, in seconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Gaps {
    /// Gaps seen.
    pub count: u64,
    /// Their mean.
    pub mean_s: f64,
    /// Their standard deviation (population).
    pub std_s: f64,
    /// The shortest.
    pub min_s: f64,
    /// The longest.
    pub max_s: f64,
}

/// A distribution's name and moments, in seconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Theory {
    /// Its name, as written after `distribution:`.
    pub name: &'static str,
    /// The mean gap.
    pub mean_s: Option<f64>,
    /// The standard deviation of a gap.
    pub std_s: Option<f64>,
}

/// Events per camera, summed up.
#[derive(Debug, Clone, Serialize)]
pub struct Cameras {
    /// Cameras (by id) with a process or events in the plan.
    pub count: usize,
    /// The busiest, most events first (ties by id).
    pub busiest: Vec<(String, u64)>,
    /// The quietest, fewest events first (ties by id).
    pub quietest: Vec<(String, u64)>,
}

/// Faults injected, by kind: the plan's [`Tally`] as `simulate stats` writes it.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Faults {
    /// Messages sent: events, less dropped ones, plus second copies.
    pub messages: u64,
    /// Sent late.
    pub late: u64,
    /// Sent twice.
    pub duplicate: u64,
    /// Never sent.
    pub drop: u64,
    /// Sent with a broken value.
    pub malformed: u64,
    /// Held by an outage and sent when it ended.
    pub held: u64,
}

impl From<Tally> for Faults {
    fn from(tally: Tally) -> Self {
        Faults {
            messages: tally.messages,
            late: tally.late,
            duplicate: tally.duplicate,
            drop: tally.drop,
            malformed: tally.malformed,
            held: tally.held,
        }
    }
}

/// A running mean and variance (Welford), with the extremes.
#[derive(Debug, Clone, Copy, Default)]
struct Running {
    count: u64,
    mean: f64,
    m2: f64,
    min: u64,
    max: u64,
}

impl Running {
    fn add(&mut self, x: u64) {
        self.count += 1;
        let delta = x as f64 - self.mean;
        self.mean += delta / self.count as f64;
        self.m2 += delta * (x as f64 - self.mean);
        self.min = if self.count == 1 { x } else { self.min.min(x) };
        self.max = self.max.max(x);
    }

    fn gaps(&self) -> Gaps {
        if self.count == 0 {
            return Gaps::default();
        }
        Gaps {
            count: self.count,
            mean_s: self.mean / 1e9,
            std_s: (self.m2 / self.count as f64).sqrt() / 1e9,
            min_s: self.min as f64 / 1e9,
            max_s: self.max as f64 / 1e9,
        }
    }
}

/// The busiest tumbling window of `width` ns, kept as events stream by in time order.
#[derive(Debug, Clone, Copy)]
struct Busiest {
    width: u64,
    current: u64,
    count: u64,
    best: (u64, u64),
}

impl Busiest {
    fn new(width: u64) -> Busiest {
        Busiest {
            width,
            current: 0,
            count: 0,
            best: (0, 0),
        }
    }

    fn add(&mut self, offset: u64) {
        let window = offset / self.width;
        if window != self.current {
            self.current = window;
            self.count = 0;
        }
        self.count += 1;
        if self.count > self.best.1 {
            self.best = (window, self.count);
        }
    }

    fn peak(&self) -> Peak {
        let seconds = self.width as f64 / 1e9;
        Peak {
            start_s: (self.best.0 * self.width) as f64 / 1e9,
            events: self.best.1,
            rate_per_s: self.best.1 as f64 / seconds,
        }
    }
}

/// The previous event of each arrival process (one per camera of a per-camera stream,
/// one per shared stream), to measure the gaps between them.
pub(crate) struct Previous {
    last: Vec<Vec<Option<u64>>>,
    per_camera: Vec<bool>,
}

impl Previous {
    /// No event seen yet, for the processes of `scenario`.
    pub(crate) fn new(scenario: &Scenario) -> Previous {
        let per_camera: Vec<bool> = scenario
            .streams
            .iter()
            .map(|s| s.arrivals == StreamArrivals::PerCamera)
            .collect();
        let last = scenario
            .streams
            .iter()
            .zip(&per_camera)
            .map(|(s, &own)| vec![None; if own { s.cameras.len() } else { 1 }])
            .collect();
        Previous { last, per_camera }
    }

    /// The gap in ns since the previous event of `event`'s process, if it had one;
    /// events must come in time order.
    pub(crate) fn gap(&mut self, event: &crate::plan::Event) -> Option<u64> {
        let s = event.stream as usize;
        let process = if self.per_camera[s] {
            event.camera as usize
        } else {
            0
        };
        self.last[s][process]
            .replace(event.offset_ns)
            .map(|previous| event.offset_ns - previous)
    }
}

/// Computes what `scenario` plans.
pub fn compute(scenario: &Scenario) -> Stats {
    let streams = &scenario.streams;
    // Per (stream, camera): events, and the last event of the process (for gaps).
    let mut per_camera: Vec<Vec<u64>> = streams.iter().map(|s| vec![0; s.cameras.len()]).collect();
    let mut previous = Previous::new(scenario);
    let mut gaps = vec![Running::default(); streams.len()];
    let (mut second, mut minute) = (Busiest::new(1_000_000_000), Busiest::new(60_000_000_000));
    let mut events = 0u64;
    for event in Events::new(scenario) {
        let (s, c) = (event.stream as usize, event.camera as usize);
        events += 1;
        per_camera[s][c] += 1;
        second.add(event.offset_ns);
        minute.add(event.offset_ns);
        if let Some(gap) = previous.gap(&event) {
            gaps[s].add(gap);
        }
    }
    let tally: Tally = Plan::new(scenario).map(|message| message.mark).collect();
    let owned = crate::plan::shard::owned(scenario);
    let mut topics: BTreeMap<String, u64> = BTreeMap::new();
    let mut cameras: BTreeMap<String, u64> = BTreeMap::new();
    let mut stream_stats = Vec::with_capacity(streams.len());
    let duration = scenario.duration.0;
    for (s, stream) in streams.iter().enumerate() {
        let count: u64 = per_camera[s].iter().sum();
        *topics.entry(stream.message.topic.clone()).or_default() += count;
        let mut in_shard = 0u64;
        for (c, camera) in stream.cameras.iter().enumerate() {
            let mine = owned.as_ref().is_none_or(|o| o[s][c]);
            if mine || per_camera[s][c] > 0 {
                *cameras.entry(camera.to_string()).or_default() += per_camera[s][c];
            }
            in_shard += u64::from(mine);
        }
        let processes = match stream.arrivals {
            StreamArrivals::PerCamera => in_shard,
            StreamArrivals::Shared(_) | StreamArrivals::Entities(_) | StreamArrivals::Replay(_) => {
                1
            }
        };
        let mut plan = stream_plan(stream, processes, count, gaps[s].gaps(), duration);
        plan.entities = entities::compute(scenario, s);
        stream_stats.push(plan);
    }
    let seconds = duration as f64 / 1e9;
    Stats {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        shard: scenario.shard.map(|s| s.to_string()),
        duration_s: seconds,
        events,
        rate_per_s: if seconds > 0.0 {
            events as f64 / seconds
        } else {
            0.0
        },
        peak_1s: second.peak(),
        peak_1m: minute.peak(),
        streams: stream_stats,
        topics,
        cameras: Cameras::ranked(cameras),
        faults: Faults::from(tally),
    }
}

/// One stream's plan: `events` planned by its `processes` over `duration` ns, with the
/// `gaps` seen between them, beside its distribution and the count its profile expects.
fn stream_plan(
    stream: &Stream,
    processes: u64,
    events: u64,
    gaps: Gaps,
    duration: u64,
) -> StreamStats {
    let (theory, expected) = match &stream.arrivals {
        StreamArrivals::Replay(replay) => {
            let (mean_s, std_s, planned) = replayed::gaps(replay, duration);
            let theory = Theory {
                name: "replay",
                mean_s,
                std_s,
            };
            (theory, Some(planned as f64))
        }
        _ => {
            let theory = theory(&stream.inter_arrival);
            let profile = stream.modulation.as_ref().and_then(|m| m.rate.as_ref());
            let operational =
                profile.map_or(duration as f64, |p| Profile::new(p).integral(duration));
            let at_start = u64::from(stream.first_event == FirstEvent::AtStart);
            let expected = theory.mean_s.map(|mean| {
                processes as f64 * operational / (mean * 1e9) + (processes * at_start) as f64
            });
            (theory, expected)
        }
    };
    StreamStats {
        name: stream.name.clone(),
        topic: stream.message.topic.clone(),
        arrivals: match stream.arrivals {
            StreamArrivals::PerCamera => "per_camera",
            StreamArrivals::Shared(_) => "shared",
            StreamArrivals::Entities(_) => "entities",
            StreamArrivals::Replay(_) => "replay",
        },
        processes,
        events,
        expected,
        gaps,
        distribution: theory,
        shaped: stream.modulation.is_some(),
        entities: None,
    }
}

impl Cameras {
    /// The summary of events per camera (by id): how many cameras, the busiest and the
    /// quietest [`LISTED_CAMERAS`] (ties by id).
    fn ranked(cameras: BTreeMap<String, u64>) -> Cameras {
        let mut ranked: Vec<(String, u64)> = cameras.into_iter().collect();
        let count = ranked.len();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let busiest = ranked.iter().take(LISTED_CAMERAS).cloned().collect();
        ranked.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        let quietest = ranked.iter().take(LISTED_CAMERAS).cloned().collect();
        Cameras {
            count,
            busiest,
            quietest,
        }
    }
}

/// The name of `d` and the mean and standard deviation of a gap drawn from it, in
/// seconds ([`InterArrival::moments`]).
pub fn theory(d: &InterArrival) -> Theory {
    let (mean_s, std_s) = d.moments();
    Theory {
        name: d.kind().name(),
        mean_s,
        std_s,
    }
}

/// `stats` as JSON (pretty, one trailing newline).
pub fn to_json(stats: &Stats) -> String {
    let mut text = serde_json::to_string_pretty(stats).unwrap_or_default();
    text.push('\n');
    text
}

/// `stats` as text for people.
pub fn to_text(stats: &Stats) -> String {
    let mut out = String::new();
    let shard = stats
        .shard
        .as_ref()
        .map_or(String::new(), |s| format!(", shard {s}"));
    let _ = writeln!(
        out,
        "{} (seed {}{shard}): {} events in {}, {} events/s on average",
        stats.scenario,
        stats.seed,
        group(stats.events),
        human_seconds(stats.duration_s),
        number(stats.rate_per_s)
    );
    let peak = |p: &Peak| {
        format!(
            "{} events/s ({} events from {})",
            number(p.rate_per_s),
            group(p.events),
            human_seconds(p.start_s)
        )
    };
    let _ = writeln!(out, "peak over 1 s:   {}", peak(&stats.peak_1s));
    let _ = writeln!(out, "peak over 1 min: {}", peak(&stats.peak_1m));
    let _ = writeln!(out, "\nstreams:");
    for s in &stats.streams {
        write_stream(&mut out, s);
    }
    let _ = writeln!(out, "\ntopics:");
    for (topic, n) in &stats.topics {
        let _ = writeln!(out, "  {topic}: {} events", group(*n));
    }
    let list = |cameras: &[(String, u64)]| {
        cameras
            .iter()
            .map(|(id, n)| format!("{id} ({})", group(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "\ncameras: {}", group(stats.cameras.count as u64));
    let _ = writeln!(out, "  busiest:  {}", list(&stats.cameras.busiest));
    let _ = writeln!(out, "  quietest: {}", list(&stats.cameras.quietest));
    let f = &stats.faults;
    let _ = writeln!(
        out,
        "\nfaults: late {}, duplicate {}, drop {}, malformed {}, held {}; {} messages sent",
        group(f.late),
        group(f.duplicate),
        group(f.drop),
        group(f.malformed),
        group(f.held),
        group(f.messages)
    );
    out
}

/// One stream's lines of [`to_text`]: its counts, its gaps beside its distribution and,
/// for an entity stream, its entities.
fn write_stream(out: &mut String, s: &StreamStats) {
    let what = if s.entities.is_some() {
        "entities expected"
    } else {
        "expected"
    };
    let expected = s.expected.map_or("infinite mean gap".to_string(), |e| {
        format!("{} {what}", number(e))
    });
    let _ = writeln!(
        out,
        "  {} -> {} ({}, {} process{}): {} events, {expected}{}",
        s.name,
        s.topic,
        s.arrivals,
        group(s.processes),
        if s.processes == 1 { "" } else { "es" },
        group(s.events),
        if s.shaped {
            " from the rate profile (incidents and outages not in it)"
        } else {
            ""
        }
    );
    let g = &s.gaps;
    let t = &s.distribution;
    let theory = |x: Option<f64>| x.map_or("infinite".to_string(), seconds);
    let (gaps, entering) = if s.entities.is_some() {
        ("gaps between sightings", "entities enter by ")
    } else {
        ("gaps", "")
    };
    let _ = writeln!(
        out,
        "    {gaps} (s): mean {} std {} min {} max {} over {} gaps; {entering}{}: mean {} std {}{}",
        seconds(g.mean_s),
        seconds(g.std_s),
        seconds(g.min_s),
        seconds(g.max_s),
        group(g.count),
        t.name,
        theory(t.mean_s),
        theory(t.std_s),
        if s.shaped {
            " (in operational time)"
        } else {
            ""
        }
    );
    if let Some(e) = &s.entities {
        entities::write_text(out, e);
    }
}

/// A rate or count with a few significant digits.
fn number(x: f64) -> String {
    if x >= 1000.0 {
        group(x.round() as u64)
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

/// Seconds with millisecond precision.
fn seconds(x: f64) -> String {
    format!("{x:.3}")
}

/// `3h 2m 5s`-style, for offsets and durations.
fn human_seconds(x: f64) -> String {
    Nanos((x * 1e9).round() as u64).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(1.23456), "1.235");
        assert_eq!(number(12.345), "12.3");
        assert_eq!(number(12345.6), "12,346");
    }

    #[test]
    fn the_busiest_window_is_found_as_events_stream_by() {
        let mut b = Busiest::new(10);
        for t in [0, 1, 12, 13, 14, 25, 31] {
            b.add(t);
        }
        assert_eq!(b.peak().events, 3);
        assert_eq!(b.peak().start_s, 10.0 / 1e9);
    }
}
