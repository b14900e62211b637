//! From the raw file model to a [`Scenario`] that cannot hold an invalid value.
//!
//! Every check runs and every problem is reported with its field path; downstream code
//! (the planner, the sinks) relies on what is guaranteed here and never re-checks. The
//! result is plain data (names, durations, parameters, camera lists): the planner builds
//! its samplers, pick tables and process identities from it. Command-line overrides are
//! applied first and checked the same way; their problems are reported under the flag's
//! name.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use super::diagnostics::{FieldPath, Problem, Problems};
use super::duration::Nanos;
use super::limits;
use super::model::*;
use super::payload::{self, Message};
use crate::text::{shortest, thousands};

/// Values from the command line that replace the file's.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--start`.
    pub start: Option<DateTime<Utc>>,
    /// `--duration`.
    pub duration: Option<Nanos>,
    /// `--topic`.
    pub topic: Option<String>,
    /// `--shard K/N` (or `SIMULATE_SHARD`).
    pub shard: Option<Shard>,
}

/// One shard of a run split over several processes: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u32,
    /// How many shards, at least 1; `index < count`.
    pub count: u32,
}

impl std::fmt::Display for Shard {
    /// `K/N`, as given on the command line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The scenario's name.
    pub name: String,
    /// The seed all random streams derive from.
    pub seed: u64,
    /// Events are planned at offsets below this, in nanoseconds (positive).
    pub duration: Nanos,
    /// The instant of offset 0, if fixed; otherwise the run picks its start.
    pub start: Option<DateTime<Utc>>,
    /// The Kafka topic of streams that set none (a legal topic name).
    pub topic: String,
    /// Kafka sink settings.
    pub kafka: Kafka,
    /// The streams, in file order (at least one).
    pub streams: Vec<Stream>,
    /// The shard this run plans, if the run is split (`start` is then fixed).
    pub shard: Option<Shard>,
}

/// Kafka sink settings from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Kafka {
    /// `kafka.bootstrap_servers`, if set.
    pub bootstrap_servers: Option<String>,
    /// The producer's `client.id`.
    pub client_id: String,
    /// What becomes the message key.
    pub key: KeyMode,
    /// Which instant the message timestamp carries.
    pub timestamp: TimestampMode,
    /// librdkafka properties passed through, in key order.
    pub properties: BTreeMap<String, String>,
}

/// A validated stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// Unique name within the scenario.
    pub name: String,
    /// Cameras, unique, at least one.
    pub cameras: Vec<CameraId>,
    /// Shared or per-camera arrivals.
    pub arrivals: StreamArrivals,
    /// The gap distribution, with parameters that define one (positive, finite, a mean
    /// gap of at least [`limits::MIN_MEAN_GAP_NS`]).
    pub inter_arrival: InterArrival,
    /// When each process sends its first event.
    pub first_event: FirstEvent,
    /// How the rate changes over time; `None` when it never does (the base rate holds).
    pub modulation: Option<Modulation>,
    /// What its messages hold: topic, key, payload and headers.
    pub message: Message,
    /// The faults it injects; `None` when it injects none.
    pub faults: Option<Faults>,
}

/// A stream's faults: rates in [0, 1] whose sum is at most 1, delays that define a
/// distribution, a non-empty list of distinct malformations.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Late messages: sent a delay after their event time.
    pub late: Option<Delayed>,
    /// Duplicated messages: a second copy a delay after the first.
    pub duplicate: Option<Delayed>,
    /// The probability that an event is dropped (0 when not asked for).
    pub drop: f64,
    /// Malformed messages.
    pub malformed: Option<Malformed>,
}

/// A fault that delays a message: its rate and its delay.
#[derive(Debug, Clone, PartialEq)]
pub struct Delayed {
    /// The probability per event.
    pub rate: f64,
    /// The delay: fixed, or a valid distribution.
    pub delay: Length,
}

/// Malformed messages: their rate and the ways values are broken.
#[derive(Debug, Clone, PartialEq)]
pub struct Malformed {
    /// The probability per event.
    pub rate: f64,
    /// The ways values are broken, distinct, at least one, in the order written.
    pub kinds: Vec<Malformation>,
}

/// How a stream's rate changes over time: a factor on the base rate, incidents that
/// multiply it on some cameras, outages that silence some cameras. The planner applies
/// it as a time change (`plan/rate.rs`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Modulation {
    /// The factor over time, when a profile is given.
    pub rate: Option<RateProfile>,
    /// Windows that multiply some cameras' rate by their factor.
    pub incidents: Vec<Windows>,
    /// Windows in which some cameras send nothing (their factor is 0).
    pub outages: Vec<Windows>,
}

/// A rate profile: factors at points in time.
#[derive(Debug, Clone, PartialEq)]
pub struct RateProfile {
    /// (offset in ns, factor): at least one, strictly increasing in offset, factors
    /// finite and ≥ 0, at least one positive.
    pub points: Vec<(u64, f64)>,
    /// Lines or steps between points.
    pub interpolate: Interpolate,
    /// The period in ns, when the profile repeats: positive, at or after the last point.
    pub repeat: Option<u64>,
}

/// One incident or outage entry: when its windows start, how long each lasts, whom
/// they affect and by what factor.
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    /// One window at an offset, or recurring windows.
    pub start: WindowStart,
    /// How long each window lasts: a positive duration, or a valid distribution.
    pub length: Length,
    /// The factor on the rate inside a window: finite and ≥ 0; 0 for an outage.
    pub factor: f64,
    /// The cameras a window affects.
    pub cameras: Affected,
    /// For an outage: what becomes of the events recorded inside (incidents: `Drop`,
    /// unused).
    pub backlog: Backlog,
}

/// When the windows of an entry start.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowStart {
    /// One window, this many ns after the start.
    At(u64),
    /// Recurring: gaps between starts drawn from this distribution (mean ≥
    /// [`limits::MIN_WINDOW_GAP_NS`]); the first starts one gap after the start.
    Every(InterArrival),
}

/// Which cameras a window affects.
#[derive(Debug, Clone, PartialEq)]
pub enum Affected {
    /// Every camera of the stream.
    All,
    /// These cameras, by position in the stream: sorted, unique.
    Listed(Vec<u32>),
    /// This many cameras (1 ..= the stream's), drawn at random for each window.
    Drawn(u32),
}

impl Scenario {
    /// Every topic the scenario's streams send to, each once, in stream order.
    pub fn topics(&self) -> Vec<&str> {
        let mut topics: Vec<&str> = Vec::new();
        for stream in &self.streams {
            if !topics.contains(&stream.message.topic.as_str()) {
                topics.push(&stream.message.topic);
            }
        }
        topics
    }
}

impl Stream {
    /// How many arrival processes the stream has: one when shared, one per camera
    /// otherwise.
    pub fn processes(&self) -> usize {
        match self.arrivals {
            StreamArrivals::Shared(_) => 1,
            StreamArrivals::PerCamera => self.cameras.len(),
        }
    }
}

/// How a stream's events are spread over its cameras.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamArrivals {
    /// One process for the stream; each event picks a camera this way.
    Shared(CameraPick),
    /// One process per camera.
    PerCamera,
}

/// How a shared stream picks cameras.
#[derive(Debug, Clone, PartialEq)]
pub enum CameraPick {
    /// Uniformly at random.
    Uniform,
    /// In list order.
    RoundRobin,
    /// By weight: one per camera, finite, non-negative, at least one positive, with a
    /// finite sum.
    Weighted(Vec<f64>),
}

/// Checks a parsed file and builds the scenario, or lists every problem.
pub(crate) fn validate(
    file: ScenarioFile,
    default_name: &str,
    overrides: &Overrides,
) -> Result<Scenario, Problems> {
    let mut problems = Problems::default();
    let root = FieldPath::default();
    let at = |key: &str| root.key(key);

    let name = match file.name {
        Some(n) if n.trim().is_empty() => {
            problems.push(
                Problem::new(&at("name"), "the name is empty")
                    .help("remove it to use the file name"),
            );
            String::new()
        }
        Some(n) => n,
        None => default_name.to_string(),
    };
    let seed = overrides.seed.or(file.seed).unwrap_or(0);

    let (duration, duration_path) = match overrides.duration {
        Some(d) => (d, root.key("--duration")),
        None => (file.duration.0, at("duration")),
    };
    if duration.0 == 0 {
        problems
            .push(Problem::new(&duration_path, "the duration must be positive").help("e.g. `3m`"));
    } else if duration.0 > limits::MAX_DURATION_NS {
        problems.push(Problem::new(
            &duration_path,
            format!(
                "{duration} is longer than the limit of {} years",
                limits::MAX_DURATION_YEARS
            ),
        ));
    }

    let start = match (overrides.start, &file.start) {
        (Some(start), _) => Some(start),
        (None, Some(text)) => match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(e) => {
                problems.push(
                    Problem::new(
                        &at("start"),
                        format!("`{text}` is not an RFC 3339 timestamp ({e})"),
                    )
                    .help("write e.g. `2026-01-01T00:00:00Z`"),
                );
                None
            }
        },
        (None, None) => None,
    };
    if let Some(start) = start {
        let path = if overrides.start.is_some() {
            root.key("--start")
        } else {
            at("start")
        };
        if let Err(message) = check_start(start, duration) {
            problems.push(Problem::new(&path, message));
        }
    }

    if let (Some(shard), None) = (overrides.shard, start) {
        problems.push(
            Problem::new(
                &root.key("--shard"),
                format!("shard {shard} needs a start instant every shard shares; without one each would start when it is launched"),
            )
            .help("give every shard the same `--start 2026-01-01T00:00:00Z` (or `--start next:1m`, the next whole minute, when all shards launch within one), or set `start:` in the scenario"),
        );
    }

    let (topic, topic_path) = match (&overrides.topic, file.topic) {
        (Some(t), _) => (t.clone(), root.key("--topic")),
        (None, Some(t)) => (t, at("topic")),
        (None, None) => ("events".to_string(), at("topic")),
    };
    if let Err(message) = check_topic(&topic) {
        problems.push(Problem::new(&topic_path, message));
    }

    let kafka = kafka(file.kafka, &at("kafka"), &mut problems);

    if file.streams.len() > limits::MAX_STREAMS {
        problems.push(Problem::new(
            &at("streams"),
            format!(
                "{} streams; the limit is {}",
                file.streams.len(),
                limits::MAX_STREAMS
            ),
        ));
    }
    let mut names = BTreeMap::new();
    let mut total_cameras: u64 = 0;
    let mut streams = Vec::new();
    for (i, raw) in file.streams.into_iter().enumerate() {
        let path = at("streams").index(i);
        let name = raw.name.clone().unwrap_or_else(|| format!("stream-{i}"));
        if name.trim().is_empty() {
            problems.push(Problem::new(&path.key("name"), "the stream name is empty"));
        } else if let Some(first) = names.insert(name.clone(), i) {
            problems.push(
                Problem::new(
                    &path.key("name"),
                    format!("stream name `{name}` is also used by streams[{first}]"),
                )
                .help("stream names must be unique; unnamed streams are called `stream-<index>`"),
            );
        }
        let count = match &raw.cameras {
            Cameras::List(ids) => ids.len() as u64,
            Cameras::Generated(g) => g.count,
        };
        total_cameras = total_cameras.saturating_add(count);
        if total_cameras > limits::MAX_CAMERAS {
            problems.push(Problem::new(
                &path.key("cameras"),
                format!(
                    "this brings the scenario to {total_cameras} cameras; the limit is {}",
                    limits::MAX_CAMERAS
                ),
            ));
            continue;
        }
        let defaults = Defaults {
            topic: &topic,
            key: kafka.key,
            horizon: duration.0,
        };
        if let Some(stream) = stream(raw, name, &defaults, &path, &mut problems) {
            streams.push(stream);
        }
    }

    if problems.is_empty() {
        Ok(Scenario {
            name,
            seed,
            duration,
            start,
            topic,
            kafka,
            streams,
            shard: overrides.shard,
        })
    } else {
        Err(problems)
    }
}

/// The start and the end of the run must be instants Kafka and the timestamp format can
/// carry: from 1970 to the year 9999.
fn check_start(start: DateTime<Utc>, duration: Nanos) -> Result<(), String> {
    let end = start.checked_add_signed(chrono::Duration::nanoseconds(
        duration.0.min(i64::MAX as u64) as i64,
    ));
    let latest =
        DateTime::parse_from_rfc3339("9999-12-31T23:59:59Z").map(|t| t.with_timezone(&Utc));
    match (end, latest) {
        _ if start.timestamp() < 0 => Err(format!(
            "{start} is before 1970; Kafka timestamps start in 1970"
        )),
        (Some(end), Ok(latest)) if end <= latest => Ok(()),
        _ => Err("start plus duration goes past the year 9999".into()),
    }
}

/// A legal Kafka topic name: 1 to 249 of `[A-Za-z0-9._-]`, not `.` or `..`.
pub(crate) fn check_topic(topic: &str) -> Result<(), String> {
    let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if topic.is_empty()
        || topic.len() > 249
        || topic == "."
        || topic == ".."
        || !topic.chars().all(legal)
    {
        Err(format!(
            "`{topic}` is not a legal Kafka topic name: use 1 to 249 letters, digits, `.`, `_` or `-`"
        ))
    } else {
        Ok(())
    }
}

fn kafka(file: Option<KafkaFile>, path: &FieldPath, problems: &mut Problems) -> Kafka {
    let file = file.unwrap_or(KafkaFile {
        bootstrap_servers: None,
        client_id: None,
        key: None,
        timestamp: None,
        properties: BTreeMap::new(),
    });
    for key in file.properties.keys() {
        if let Some((_, instead)) = KafkaFile::MANAGED_PROPERTIES.iter().find(|(k, _)| k == key) {
            let path = path.key("properties").key(key);
            problems
                .push(Problem::new(&path, format!("`{key}` is set by simulate")).help(*instead));
        }
    }
    if let Some(servers) = &file.bootstrap_servers {
        if servers.trim().is_empty() {
            problems.push(Problem::new(
                &path.key("bootstrap_servers"),
                "no broker addresses given",
            ));
        }
    }
    Kafka {
        bootstrap_servers: file.bootstrap_servers,
        client_id: file.client_id.unwrap_or_else(|| "simulate".to_string()),
        key: file.key.unwrap_or_default(),
        timestamp: file.timestamp.unwrap_or_default(),
        properties: file.properties,
    }
}

/// What a stream takes from the scenario when it sets nothing itself.
struct Defaults<'d> {
    topic: &'d str,
    key: KeyMode,
    /// The end of the run, in ns.
    horizon: u64,
}

fn stream(
    raw: StreamFile,
    name: String,
    defaults: &Defaults<'_>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Stream> {
    let horizon = defaults.horizon;
    let before = problems.len();
    let (cameras, attributes) = match cameras(raw.cameras, &path.key("cameras"), problems) {
        Some((ids, attributes)) => (Some(ids), attributes),
        None => (None, None),
    };
    let arrivals = raw.arrivals.unwrap_or(Arrivals::Shared);
    let arrivals = match (arrivals, raw.pick) {
        (Arrivals::PerCamera, Some(_)) => {
            problems.push(
                Problem::new(
                    &path.key("pick"),
                    "`pick` applies to `arrivals: shared` only",
                )
                .help("a per-camera stream has one process per camera; remove `pick`"),
            );
            None
        }
        (Arrivals::PerCamera, None) => Some(StreamArrivals::PerCamera),
        (Arrivals::Shared, None | Some(Pick::Named(PickName::Uniform))) => {
            Some(StreamArrivals::Shared(CameraPick::Uniform))
        }
        (Arrivals::Shared, Some(Pick::Named(PickName::RoundRobin))) => {
            Some(StreamArrivals::Shared(CameraPick::RoundRobin))
        }
        (Arrivals::Shared, Some(Pick::Weighted(Weights { weights }))) => check_weights(
            weights,
            cameras.as_ref().map(Vec::len),
            "cameras",
            &path.key("pick").key("weights"),
            problems,
        )
        .map(|w| StreamArrivals::Shared(CameraPick::Weighted(w))),
    };
    for (param, message) in raw.inter_arrival.problems() {
        problems.push(Problem::new(&path.key("inter_arrival").key(param), message));
    }
    let modulation = match (&cameras, &arrivals) {
        (Some(cameras), Some(arrivals)) => modulation(
            Raw {
                rate: raw.rate,
                incidents: raw.incidents.unwrap_or_default(),
                outages: raw.outages.unwrap_or_default(),
            },
            &Context {
                cameras,
                shared: matches!(arrivals, StreamArrivals::Shared(_)),
                base_gap: raw.inter_arrival.typical_gap(),
                horizon,
            },
            path,
            problems,
        ),
        _ => None,
    };
    // Checked also when the cameras could not be read, so that every problem shows.
    let message = payload::message(
        payload::Raw {
            topic: raw.topic,
            payload: raw.payload,
            key: raw.key,
            headers: raw.headers,
            default_topic: defaults.topic,
            default_key: defaults.key,
            cameras: cameras.as_deref(),
            attributes: attributes.as_deref(),
        },
        path,
        problems,
    );
    let faults = raw
        .faults
        .and_then(|f| faults(f, &path.key("faults"), problems));
    if problems.len() > before {
        return None;
    }
    Some(Stream {
        name,
        cameras: cameras?,
        arrivals: arrivals?,
        inter_arrival: raw.inter_arrival,
        first_event: raw.first_event.unwrap_or_default(),
        modulation,
        message: message?,
        faults,
    })
}

/// Checks a stream's faults: each rate a probability, their sum at most 1, each delay a
/// duration or a valid distribution, the malformations distinct.
fn faults(raw: FaultsFile, path: &FieldPath, problems: &mut Problems) -> Option<Faults> {
    let before = problems.len();
    let rate = |r: f64, at: FieldPath, problems: &mut Problems| {
        if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
            problems.push(
                Problem::new(
                    &at,
                    format!("a fault rate is a probability per event, from 0 to 1; found {r}"),
                )
                .help("write e.g. `rate: 0.01` for one event in a hundred"),
            );
        }
        r
    };
    let delayed = |d: Option<DelayedFault>, name: &str, problems: &mut Problems| {
        let d = d?;
        let at = path.key(name);
        let r = rate(d.rate, at.key("rate"), problems);
        if let Length::Random(spec) = &d.delay {
            for (param, message) in spec.problems() {
                problems.push(Problem::new(&at.key("delay").key(param), message));
            }
        }
        Some(Delayed {
            rate: r,
            delay: d.delay,
        })
    };
    let late = delayed(raw.late, "late", problems);
    let duplicate = delayed(raw.duplicate, "duplicate", problems);
    let drop = raw.drop.map_or(0.0, |d| {
        rate(d.rate, path.key("drop").key("rate"), problems)
    });
    let malformed = raw.malformed.map(|m| {
        let at = path.key("malformed");
        let r = rate(m.rate, at.key("rate"), problems);
        let kinds = match m.kinds {
            None => Malformation::ALL.to_vec(),
            Some(kinds) => {
                if kinds.is_empty() {
                    problems.push(
                        Problem::new(&at.key("kinds"), "the list of kinds is empty")
                            .help("list at least one, or leave `kinds` out for all of them"),
                    );
                }
                for (i, kind) in kinds.iter().enumerate() {
                    if kinds[..i].contains(kind) {
                        problems.push(Problem::new(
                            &at.key("kinds").index(i),
                            format!("`{}` appears twice", kind.name()),
                        ));
                    }
                }
                kinds
            }
        };
        Malformed { rate: r, kinds }
    });
    if problems.len() > before {
        return None;
    }
    let total = late.as_ref().map_or(0.0, |d| d.rate)
        + duplicate.as_ref().map_or(0.0, |d| d.rate)
        + drop
        + malformed.as_ref().map_or(0.0, |m| m.rate);
    // One draw per event picks at most one fault: the rates share one unit interval.
    // (A hair over 1 from decimal rounding, such as 0.1 + 0.2 + 0.7, is allowed.)
    if total > 1.0 + 1e-9 {
        problems.push(
            Problem::new(
                path,
                format!("the fault rates add up to {}; an event gets at most one fault, so their sum must be at most 1", shortest(total)),
            )
            .help("lower some of the rates"),
        );
        return None;
    }
    Some(Faults {
        late,
        duplicate,
        drop,
        malformed,
    })
}

/// A stream's rate profile, incidents and outages as written.
struct Raw {
    rate: Option<RateFile>,
    incidents: Vec<IncidentFile>,
    outages: Vec<OutageFile>,
}

/// What the checks of a stream's shaping need to know of the stream.
struct Context<'c> {
    /// Its cameras.
    cameras: &'c [CameraId],
    /// Whether one process serves all of them.
    shared: bool,
    /// The typical gap of its distribution ([`InterArrival::typical_gap`]), for the
    /// peak-rate check.
    base_gap: f64,
    /// The end of the run, in ns.
    horizon: u64,
}

/// Checks a stream's profile, incidents and outages.
fn modulation(
    raw: Raw,
    context: &Context<'_>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Modulation> {
    let (cameras, shared) = (context.cameras, context.shared);
    if raw.rate.is_none() && raw.incidents.is_empty() && raw.outages.is_empty() {
        return None;
    }
    let rate = raw
        .rate
        .and_then(|r| rate_profile(r, &path.key("rate"), problems));
    let mut incidents = Vec::new();
    for (i, incident) in raw.incidents.into_iter().enumerate() {
        let at = path.key("incidents").index(i);
        if !(incident.factor.is_finite() && incident.factor >= 0.0) {
            problems.push(Problem::new(
                &at.key("factor"),
                format!(
                    "a factor must be a finite number ≥ 0, found {}",
                    incident.factor
                ),
            ));
        }
        if shared && incident.cameras.is_some() {
            problems.push(
                Problem::new(
                    &at.key("cameras"),
                    "an incident on some cameras needs `arrivals: per_camera`",
                )
                .help("a shared stream is one arrival process for all its cameras: leave `cameras` out to change the whole stream's rate, or make the stream `arrivals: per_camera`"),
            );
        }
        let spec = WindowsFile {
            at: incident.at,
            every: incident.every,
            duration: incident.duration,
            cameras: incident.cameras,
        };
        if let Some(w) = windows(spec, incident.factor, Backlog::Drop, cameras, &at, problems) {
            incidents.push(w);
        }
    }
    let mut outages = Vec::new();
    for (i, outage) in raw.outages.into_iter().enumerate() {
        let at = path.key("outages").index(i);
        let spec = WindowsFile {
            at: outage.at,
            every: outage.every,
            duration: outage.duration,
            cameras: outage.cameras,
        };
        let backlog = outage.backlog.unwrap_or_default();
        if let Some(w) = windows(spec, 0.0, backlog, cameras, &at, problems) {
            outages.push(w);
        }
    }
    // The peak rate of a process: the profile's largest factor, with every incident
    // that raises the rate on at the same time.
    let profile_peak = rate.as_ref().map_or(1.0, |r| {
        r.points.iter().map(|&(_, f)| f).fold(0.0, f64::max)
    });
    let peak = incidents
        .iter()
        .fold(profile_peak, |p, w| p * w.factor.max(1.0));
    let base_mean = context.base_gap;
    if !peak.is_finite() {
        problems.push(
            Problem::new(
                &path.key("incidents"),
                "the factors multiply to more than the largest number",
            )
            .help("lower the factors of the profile and the incidents"),
        );
    } else if base_mean / peak < limits::MIN_MEAN_GAP_NS as f64 {
        let field = if profile_peak > 1.0 || incidents.is_empty() {
            path.key("rate")
        } else {
            path.key("incidents")
        };
        problems.push(
            Problem::new(
                &field,
                format!(
                    "at its peak the rate is {} times the base: a mean gap of {:.0} ns; it must be at least {} (at most {} events/s per process)",
                    shortest(peak),
                    base_mean / peak,
                    Nanos(limits::MIN_MEAN_GAP_NS),
                    thousands(1_000_000_000 / limits::MIN_MEAN_GAP_NS)
                ),
            )
            .help("lower the factors, or lengthen the mean gap of `inter_arrival`"),
        );
    }
    let modulation = Modulation {
        rate,
        incidents,
        outages,
    };
    let steps = shaping_steps(&modulation, context);
    if steps > limits::MAX_SHAPING_STEPS as f64 {
        problems.push(
            Problem::new(
                path,
                format!(
                    "its profile and windows would take about {} steps over the run; the limit is {}",
                    thousands(steps.min(u64::MAX as f64) as u64),
                    thousands(limits::MAX_SHAPING_STEPS)
                ),
            )
            .help("each process steps through every piece of the profile and every window it follows: make windows rarer, the period longer, or the run shorter"),
        );
    }
    Some(modulation)
}

/// About how many steps the planner takes to follow a stream's shaping over the run:
/// every process steps through each piece of the profile, and each window of every entry
/// it follows (incidents: every affected process follows the stream's windows; per-camera
/// outages: each camera its own).
fn shaping_steps(modulation: &Modulation, context: &Context<'_>) -> f64 {
    let horizon = context.horizon as f64;
    let cameras = context.cameras.len() as f64;
    let processes = if context.shared { 1.0 } else { cameras };
    // Pieces: the profile's, in every period, and one every MAX_PIECE_NS at least.
    let pieces = modulation.rate.as_ref().map_or(0.0, |r| {
        let periods = r.repeat.map_or(1.0, |p| (horizon / p as f64).ceil());
        periods * (r.points.len() as f64 + 1.0)
    }) + horizon / limits::MAX_PIECE_NS as f64;
    let windows = |w: &Windows| match &w.start {
        WindowStart::At(_) => 1.0,
        WindowStart::Every(gap) => horizon / gap.typical_gap().max(1.0) + 1.0,
    };
    let follow = |w: &Windows| match (&w.cameras, context.shared) {
        (Affected::Listed(list), _) => list.len() as f64,
        (Affected::All | Affected::Drawn(_), _) => processes,
    };
    processes * pieces
        + modulation
            .incidents
            .iter()
            .chain(&modulation.outages)
            .map(|w| follow(w) * windows(w))
            .sum::<f64>()
}

fn rate_profile(raw: RateFile, path: &FieldPath, problems: &mut Problems) -> Option<RateProfile> {
    let before = problems.len();
    let points_path = path.key("points");
    if raw.points.is_empty() {
        problems.push(
            Problem::new(&points_path, "a rate profile needs at least one point")
                .help("add e.g. `points: [{at: 0s, factor: 1}]`"),
        );
    }
    for (i, point) in raw.points.iter().enumerate() {
        if !(point.factor.is_finite() && point.factor >= 0.0) {
            problems.push(Problem::new(
                &points_path.index(i).key("factor"),
                format!(
                    "a factor must be a finite number ≥ 0, found {}",
                    point.factor
                ),
            ));
        }
        if let Some(previous) = i.checked_sub(1).map(|p| raw.points[p].at) {
            if point.at.0 <= previous.0 {
                problems.push(
                    Problem::new(
                        &points_path.index(i).key("at"),
                        format!(
                            "{} is not after the point before it ({})",
                            point.at.0, previous.0
                        ),
                    )
                    .help("list the points in increasing order of `at`"),
                );
            }
        }
    }
    if problems.len() == before && raw.points.iter().all(|p| p.factor == 0.0) {
        problems.push(
            Problem::new(
                &points_path,
                "every factor is 0: the stream would send nothing",
            )
            .help("give at least one point a positive factor"),
        );
    }
    if let Some(repeat) = raw.repeat {
        let last = raw.points.last().map_or(0, |p| p.at.0.0);
        if repeat.0.0 == 0 {
            problems.push(Problem::new(
                &path.key("repeat"),
                "the period must be positive, e.g. `24h`",
            ));
        } else if repeat.0.0 < last {
            problems.push(
                Problem::new(
                    &path.key("repeat"),
                    format!(
                        "the last point ({}) lies past the period ({})",
                        Nanos(last),
                        repeat.0
                    ),
                )
                .help("every point of a repeating profile lies in [0, repeat]"),
            );
        }
    }
    (problems.len() == before).then(|| RateProfile {
        points: raw.points.iter().map(|p| (p.at.0.0, p.factor)).collect(),
        interpolate: raw.interpolate.unwrap_or_default(),
        repeat: raw.repeat.map(|r| r.0.0),
    })
}

/// The parts incidents and outages share.
struct WindowsFile {
    at: Option<Duration>,
    every: Option<InterArrival>,
    duration: Length,
    cameras: Option<CameraSelection>,
}

fn windows(
    raw: WindowsFile,
    factor: f64,
    backlog: Backlog,
    cameras: &[CameraId],
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Windows> {
    let before = problems.len();
    let start = match (raw.at, raw.every) {
        (Some(at), None) => Some(WindowStart::At(at.0.0)),
        (None, Some(every)) => {
            let gap_problems = every.problems();
            for (param, message) in &gap_problems {
                problems.push(Problem::new(&path.key("every").key(param), message.clone()));
            }
            let mean = every.typical_gap();
            if gap_problems.is_empty() && mean < limits::MIN_WINDOW_GAP_NS as f64 {
                problems.push(
                    Problem::new(
                        &path.key("every"),
                        format!(
                            "windows would start every {} on average; the shortest mean gap is {}",
                            Nanos(mean.round() as u64),
                            Nanos(limits::MIN_WINDOW_GAP_NS)
                        ),
                    )
                    .help("windows are incidents and outages, seconds to hours apart"),
                );
            }
            Some(WindowStart::Every(every))
        }
        (None, None) => {
            problems.push(
                Problem::new(path, "missing `at` or `every`")
                    .help("give `at: 30m` for one window, or `every: {distribution: exponential, mean: 6h}` for recurring ones"),
            );
            None
        }
        (Some(_), Some(_)) => {
            problems.push(
                Problem::new(&path.key("every"), "give either `at` or `every`, not both")
                    .help("`at` is one window; `every` recurring windows"),
            );
            None
        }
    };
    match &raw.duration {
        Length::Fixed(d) if d.0.0 == 0 => problems.push(Problem::new(
            &path.key("duration"),
            "a window must last longer than 0s",
        )),
        Length::Fixed(_) => {}
        Length::Random(spec) => {
            for (param, message) in spec.problems() {
                problems.push(Problem::new(&path.key("duration").key(param), message));
            }
        }
    }
    let affected = match raw.cameras {
        None => Some(Affected::All),
        Some(CameraSelection::Count(n)) => {
            if n == 0 || n > cameras.len() as u64 {
                problems.push(Problem::new(
                    &path.key("cameras"),
                    format!(
                        "{n} cameras of a stream of {}: give 1 to {}",
                        cameras.len(),
                        cameras.len()
                    ),
                ));
                None
            } else {
                Some(Affected::Drawn(n as u32))
            }
        }
        Some(CameraSelection::Listed(ids)) => listed(&ids, cameras, &path.key("cameras"), problems),
    };
    if problems.len() > before {
        return None;
    }
    Some(Windows {
        start: start?,
        length: raw.duration,
        factor,
        cameras: affected?,
        backlog,
    })
}

/// The positions of `ids` among the stream's `cameras`, each of which must be there, once.
fn listed(
    ids: &[CameraId],
    cameras: &[CameraId],
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Affected> {
    if ids.is_empty() {
        problems.push(
            Problem::new(path, "the camera list is empty")
                .help("list at least one camera, or leave `cameras` out for all of them"),
        );
        return None;
    }
    let position: HashMap<KeyText<'_>, u32> = cameras
        .iter()
        .enumerate()
        .map(|(i, c)| (KeyText::of(c), i as u32))
        .collect();
    let before = problems.len();
    let mut found = Vec::with_capacity(ids.len());
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        match position.get(&KeyText::of(id)) {
            Some(&p) if !seen.insert(p) => problems.push(Problem::new(
                &path.index(i),
                format!("camera id `{id}` appears twice"),
            )),
            Some(&p) => found.push(p),
            None => problems.push(
                Problem::new(
                    &path.index(i),
                    format!("camera `{id}` is not in this stream"),
                )
                .help(format!(
                    "the stream's cameras run from `{}` to `{}`",
                    cameras[0],
                    cameras[cameras.len() - 1]
                )),
            ),
        }
    }
    found.sort_unstable();
    (problems.len() == before).then_some(Affected::Listed(found))
}

/// A camera's attributes, in the order written.
type Attributes = Vec<(String, serde_json::Value)>;

/// The stream's camera ids, and their attributes (in camera order) when any camera was
/// written with some.
fn cameras(
    raw: Cameras,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<(Vec<CameraId>, Option<Vec<Attributes>>)> {
    let entries = match raw {
        // Generated ids are distinct by construction.
        Cameras::Generated(g) => return generate(&g, path, problems).map(|ids| (ids, None)),
        Cameras::List(entries) => entries,
    };
    let described = entries
        .iter()
        .any(|e| matches!(e, CameraEntry::Described(_)));
    let mut attributes = Vec::new();
    let mut ids = Vec::with_capacity(entries.len());
    for entry in entries {
        match entry {
            CameraEntry::Id(id) => {
                ids.push(id);
                if described {
                    attributes.push(Vec::new());
                }
            }
            CameraEntry::Described(camera) => {
                ids.push(camera.id);
                attributes.push(camera.attributes);
            }
        }
    }
    let attributes = described.then_some(attributes);
    if ids.is_empty() {
        problems.push(
            Problem::new(path, "the camera list is empty").help("list at least one camera id"),
        );
        return None;
    }
    // Ids are the same camera when their text (the Kafka key) is: 1001 and "1001".
    let mut seen: HashMap<KeyText<'_>, usize> = HashMap::with_capacity(ids.len());
    let mut ok = true;
    for (i, id) in ids.iter().enumerate() {
        if let Some(first) = seen.insert(KeyText::of(id), i) {
            ok = false;
            if !problems.has_room() {
                problems.count();
                continue;
            }
            problems.push(Problem::new(
                &path.index(i),
                format!("camera id `{id}` appears twice (also at index {first})"),
            ));
        }
    }
    drop(seen);
    ok.then_some((ids, attributes))
}

/// A camera id compared by its text without allocating: text that is an integer's
/// canonical form compares equal to that integer.
#[derive(PartialEq, Eq, Hash)]
enum KeyText<'a> {
    Int(i64),
    Text(&'a str),
}

impl<'a> KeyText<'a> {
    fn of(id: &'a CameraId) -> Self {
        match id {
            CameraId::Int(n) => KeyText::Int(*n),
            CameraId::Text(s) => match s.parse::<i64>() {
                Ok(n) if n.to_string() == *s => KeyText::Int(n),
                _ => KeyText::Text(s),
            },
        }
    }
}

fn generate(
    g: &GeneratedCameras,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Vec<CameraId>> {
    let before = problems.len();
    if g.count == 0 {
        problems.push(Problem::new(&path.key("count"), "count must be at least 1"));
    }
    if g.count > limits::MAX_CAMERAS {
        problems.push(Problem::new(
            &path.key("count"),
            format!("{} cameras; the limit is {}", g.count, limits::MAX_CAMERAS),
        ));
    }
    let first = g.first.unwrap_or(0);
    if g.count > 0
        && first
            .checked_add((g.count - 1).min(i64::MAX as u64) as i64)
            .is_none()
    {
        problems.push(Problem::new(
            &path.key("first"),
            "first + count goes past the largest 64-bit integer",
        ));
    }
    if g.width.is_some() && g.prefix.is_none() {
        problems.push(
            Problem::new(
                &path.key("width"),
                "`width` needs `prefix`: integer ids are not padded",
            )
            .help("add `prefix: \"\"` for zero-padded string ids"),
        );
    }
    if g.width.is_some_and(|w| w > 20) {
        problems.push(Problem::new(
            &path.key("width"),
            "width is at most 20 digits",
        ));
    }
    if problems.len() > before {
        return None;
    }
    let width = g.width.unwrap_or(0) as usize;
    Some(
        (0..g.count as i64)
            .map(|i| {
                let n = first + i;
                match &g.prefix {
                    Some(prefix) => CameraId::Text(format!("{prefix}{n:0width$}")),
                    None => CameraId::Int(n),
                }
            })
            .collect(),
    )
}

/// Checks weights, one for each of `count` things (`what`: `cameras`, `values`): finite,
/// ≥ 0, at least one positive, with a finite sum.
pub(crate) fn check_weights(
    weights: Vec<f64>,
    count: Option<usize>,
    what: &str,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Vec<f64>> {
    let before = problems.len();
    if let Some(n) = count {
        if n != weights.len() {
            let one = what.strip_suffix('s').unwrap_or(what);
            problems.push(
                Problem::new(path, format!("{} weights for {n} {what}", weights.len()))
                    .help(format!("give one weight per {one}, in list order")),
            );
        }
    }
    for (i, w) in weights.iter().enumerate() {
        if !(w.is_finite() && *w >= 0.0) {
            problems.push(Problem::new(
                &path.index(i),
                format!("a weight must be a finite number ≥ 0, found {w}"),
            ));
        }
    }
    if problems.len() == before && !weights.iter().any(|w| *w > 0.0) {
        let one = what.strip_suffix('s').unwrap_or(what);
        problems.push(
            Problem::new(path, "all weights are zero")
                .help(format!("at least one {one} needs a positive weight")),
        );
    }
    // rand's WeightedIndex panics (rather than erring) on a sum that overflows.
    if problems.len() == before && !weights.iter().sum::<f64>().is_finite() {
        problems.push(
            Problem::new(path, "the weights add up to more than the largest number")
                .help("scale them down: only their ratios matter"),
        );
    }
    (problems.len() == before).then_some(weights)
}
