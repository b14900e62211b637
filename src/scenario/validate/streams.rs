//! The streams: at most so many, names unique across the scenario, cameras within the
//! limit; each stream's parts checked in the order they are reported (its cameras, how a
//! shared stream picks them, its distribution, its rate changes, its message, its
//! faults), each part's checks in its own file.

use std::collections::BTreeMap;

use super::cameras::cameras;
use super::faults::{Faults, check_out_of_range, faults};
use super::modulation::{Context, Found, Modulation, Raw, modulation};
use crate::scenario::checks::check_weights;
use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::limits;
use crate::scenario::model::*;
use crate::scenario::payload::{self, Message};

/// A validated stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Stream {
    /// Unique name within the scenario.
    pub name: String,
    /// Cameras, unique, at least one.
    pub cameras: Vec<CameraId>,
    /// Per camera (in camera order), its attributes as written (`{id: 1000, zone: lobby}`:
    /// `zone`), when any camera was written with some: the groups a score can sum over.
    pub camera_attributes: Option<Vec<Vec<(String, serde_json::Value)>>>,
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
    /// How its message values are encoded.
    pub value: super::ValueEncoding,
    /// The faults it injects; `None` when it injects none.
    pub faults: Option<Faults>,
}

impl Stream {
    /// How many arrival processes the stream has: one when shared, one per camera
    /// otherwise.
    pub fn processes(&self) -> usize {
        match self.arrivals {
            StreamArrivals::Shared(_) => 1,
            StreamArrivals::PerCamera => self.cameras.len(),
            StreamArrivals::Entities(_) | StreamArrivals::Replay(_) => 1,
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
    /// Entities that walk from camera to camera (`entities:`); `inter_arrival` is the
    /// distribution of the gaps between entities entering.
    Entities(Box<super::Entities>),
    /// A recording played (`replay:`): one process whose events are its messages, each
    /// at its camera (its key); `inter_arrival` is a constant at the recording's mean
    /// gap.
    Replay(std::sync::Arc<super::Replay>),
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

/// What a stream takes from the scenario when it sets nothing itself.
pub(super) struct Defaults<'d> {
    /// The scenario's topic.
    pub(super) topic: &'d str,
    /// The scenario's key mode (`kafka.key`).
    pub(super) key: KeyMode,
    /// The end of the run, in ns.
    pub(super) horizon: u64,
    /// The recordings `replay` streams name, read.
    pub(super) recordings: &'d crate::scenario::recorded::Recordings,
}

/// Checks the streams, in file order: at most [`limits::MAX_STREAMS`], names unique, at
/// most [`limits::MAX_CAMERAS`] cameras in all; each stream's own problems (and
/// warnings) as it comes.
pub(super) fn streams(
    raw: Vec<StreamFile>,
    defaults: &Defaults<'_>,
    path: &FieldPath,
    problems: &mut Problems,
    warnings: &mut Problems,
) -> Vec<Stream> {
    if raw.len() > limits::MAX_STREAMS {
        problems.push(Problem::new(
            path,
            format!(
                "{} streams; the limit is {}",
                raw.len(),
                limits::MAX_STREAMS
            ),
        ));
    }
    let mut names = BTreeMap::new();
    let mut total_cameras: u64 = 0;
    let mut streams = Vec::new();
    for (i, raw) in raw.into_iter().enumerate() {
        let path = path.index(i);
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
            Some(Cameras::List(ids)) => ids.len() as u64,
            Some(Cameras::Generated(g)) => g.count,
            None => 0,
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
        let mut found = Found {
            problems: &mut *problems,
            warnings: &mut *warnings,
        };
        let checked = match raw.replay.is_some() {
            true => replay_stream(raw, name, defaults, &path, &mut found),
            false => stream(raw, name, defaults, &path, &mut found),
        };
        if let Some(stream) = checked {
            streams.push(stream);
        }
    }
    streams
}

/// Checks one stream: its cameras and how they are picked, its distribution, its rate
/// profile, incidents and outages, its message and its faults, in that order. Every
/// part is checked even when another has problems; a check that needs cameras or a
/// distribution that could not be read (or is invalid) is skipped, and the problem with
/// them says how many were.
fn stream(
    raw: StreamFile,
    name: String,
    defaults: &Defaults<'_>,
    path: &FieldPath,
    found: &mut Found<'_>,
) -> Option<Stream> {
    let problems = &mut *found.problems;
    let horizon = defaults.horizon;
    let before = problems.len();
    let cameras_at = path.key("cameras");
    let (cameras, attributes) = cameras(raw.cameras, &cameras_at, problems);
    // The walk stands in a placeholder for cameras it could not read: not to be used.
    let cameras = cameras.filter(|_| !problems.any_under(&cameras_at));
    let count = cameras.as_ref().map(Vec::len);
    let entities_at = path.key("entities");
    let (arrivals, inter_arrival, entity_attributes) = match raw.entities {
        Some(file) => entity_arrivals(
            file,
            (
                raw.inter_arrival.is_some(),
                raw.arrivals.is_some(),
                raw.pick.is_some(),
                raw.first_event.is_some(),
            ),
            (
                cameras.as_deref(),
                cameras.as_ref().and(attributes.as_deref()),
            ),
            path,
            problems,
            found.warnings,
        ),
        None => {
            let a = arrivals(raw.arrivals, raw.pick, (count, &cameras_at), path, problems);
            (
                a,
                gap_of(raw.inter_arrival, &path.key("inter_arrival"), problems),
                None,
            )
        }
    };
    let shared =
        raw.arrivals.unwrap_or(Arrivals::Shared) == Arrivals::Shared && entity_attributes.is_none();
    let gap_at = match entity_attributes {
        Some(_) => entities_at.key("arrivals"),
        None => path.key("inter_arrival"),
    };
    let base_gap = (!problems.any_under(&gap_at)).then(|| inter_arrival.typical_gap());
    let modulation = modulation(
        Raw {
            rate: raw.rate,
            incidents: raw.incidents.unwrap_or_default(),
            outages: raw.outages.unwrap_or_default(),
        },
        &Context {
            cameras: cameras.as_deref(),
            shared,
            base_gap,
            horizon,
        },
        path,
        found,
    );
    let problems = &mut *found.problems;
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
            attributes: cameras.as_ref().and(attributes.as_deref()),
            entities: entity_attributes.as_deref(),
        },
        path,
        problems,
    );
    let value = super::value::value(raw.value, raw.key_format, path, problems);
    let faults = faults_of(raw.faults, (&message, &value), path, problems);
    if problems.len() > before {
        return None;
    }
    Some(Stream {
        name,
        cameras: cameras?,
        camera_attributes: attributes,
        arrivals: arrivals?,
        inter_arrival,
        first_event: raw.first_event.unwrap_or_default(),
        modulation,
        message: message?,
        value: value?,
        faults,
    })
}

/// Checks a `replay` stream (`raw.replay` is set): the fields that do not apply, its
/// replay, its outages (by key), its topic and its faults.
fn replay_stream(
    raw: StreamFile,
    name: String,
    defaults: &Defaults<'_>,
    path: &FieldPath,
    found: &mut Found<'_>,
) -> Option<Stream> {
    let before = found.problems.len();
    not_for_replay(&raw, path, found.problems);
    let file = raw.replay?;
    let checked = super::replay::replay(
        file,
        defaults.recordings,
        defaults.horizon,
        &path.key("replay"),
        (&mut *found.problems, &mut *found.warnings),
    );
    let cameras = checked.as_ref().map(|c| c.cameras.as_slice());
    let modulation = modulation(
        Raw {
            rate: None,
            incidents: Vec::new(),
            outages: raw.outages.unwrap_or_default(),
        },
        &Context {
            cameras,
            shared: true,
            base_gap: checked.as_ref().map(|c| c.mean_gap as f64),
            horizon: defaults.horizon,
        },
        path,
        found,
    );
    let problems = &mut *found.problems;
    let keyed = checked.as_ref().is_none_or(|c| c.replay.keep_key);
    let message = payload::message(
        payload::Raw {
            topic: raw.topic,
            payload: None,
            key: None,
            headers: None,
            default_topic: defaults.topic,
            default_key: if keyed {
                KeyMode::CameraId
            } else {
                KeyMode::None
            },
            cameras,
            attributes: None,
            entities: None,
        },
        path,
        problems,
    );
    let value = super::value::value(None, None, path, problems);
    let faults = faults_of(raw.faults, (&message, &value), path, problems);
    if problems.len() > before {
        return None;
    }
    let checked = checked?;
    Some(Stream {
        name,
        cameras: checked.cameras,
        camera_attributes: None,
        arrivals: StreamArrivals::Replay(std::sync::Arc::new(checked.replay)),
        inter_arrival: InterArrival::Constant {
            interval: Duration(crate::scenario::Nanos(checked.mean_gap)),
        },
        first_event: FirstEvent::AtStart,
        modulation,
        message: message?,
        value: value?,
        faults,
    })
}

/// The fields of a `replay` stream that do not apply to it, each reported.
fn not_for_replay(raw: &StreamFile, path: &FieldPath, problems: &mut Problems) {
    let given = [
        (
            "cameras",
            raw.cameras.is_some(),
            "its cameras are the recording's keys",
        ),
        (
            "inter_arrival",
            raw.inter_arrival.is_some(),
            "its events are the recording's messages, on their recorded gaps",
        ),
        (
            "entities",
            raw.entities.is_some(),
            "its events are the recording's messages",
        ),
        (
            "arrivals",
            raw.arrivals.is_some(),
            "its events are the recording's messages",
        ),
        (
            "pick",
            raw.pick.is_some(),
            "each message's camera is its key",
        ),
        (
            "first_event",
            raw.first_event.is_some(),
            "the first message is at the start",
        ),
        (
            "rate",
            raw.rate.is_some(),
            "it keeps the recorded rate; `timing: {scale: F}` scales it",
        ),
        (
            "incidents",
            raw.incidents.is_some(),
            "it keeps the recorded rate",
        ),
        (
            "payload",
            raw.payload.is_some(),
            "the value is replayed byte for byte",
        ),
        (
            "key",
            raw.key.is_some(),
            "the key is the recorded one (`keep: [key]`) or none",
        ),
        (
            "headers",
            raw.headers.is_some(),
            "the headers are the recorded ones (`keep: [headers]`) or none",
        ),
        (
            "value",
            raw.value.is_some(),
            "the value is replayed byte for byte",
        ),
        (
            "key_format",
            raw.key_format.is_some(),
            "the key is replayed byte for byte",
        ),
    ];
    for (key, _, why) in given.iter().filter(|g| g.1) {
        problems.push(
            Problem::new(
                &path.key(key),
                format!("`{key}` does not apply to a `replay` stream"),
            )
            .help(format!("{why}; remove `{key}`")),
        );
    }
}

/// A stream's faults, checked against its message and value encoding.
fn faults_of(
    raw: Option<FaultsFile>,
    (message, value): (&Option<Message>, &Option<super::ValueEncoding>),
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Faults> {
    let faults = raw.and_then(|f| faults(f, &path.key("faults"), problems));
    if let (Some(f), Some(m)) = (&faults, message) {
        check_out_of_range(f, m, &path.key("faults"), problems);
    }
    if let (Some(f), Some(v)) = (&faults, value) {
        super::faults::check_binary(f, v.encoded().is_some(), &path.key("faults"), problems);
    }
    faults
}

/// A stream's `inter_arrival`, its problems reported under `at` (a placeholder when the
/// walk could not read it, whose problem is reported already).
fn gap_of(gap: Option<InterArrival>, at: &FieldPath, problems: &mut Problems) -> InterArrival {
    let gap = gap.unwrap_or(InterArrival::Constant {
        interval: Duration(crate::scenario::Nanos(1_000_000_000)),
    });
    for (param, message) in gap.problems() {
        problems.push(Problem::new(&at.key(param), message));
    }
    gap
}

/// An entity stream's arrivals, its gap distribution (`entities.arrivals`) and its
/// entities' attributes; `given` says whether `inter_arrival`, `arrivals`, `pick` and
/// `first_event` were written too (they do not apply).
#[allow(clippy::type_complexity)]
fn entity_arrivals(
    file: EntitiesFile,
    given: (bool, bool, bool, bool),
    (cameras, camera_attributes): (
        Option<&[CameraId]>,
        Option<&[Vec<(String, serde_json::Value)>]>,
    ),
    path: &FieldPath,
    problems: &mut Problems,
    warnings: &mut Problems,
) -> (
    Option<StreamArrivals>,
    InterArrival,
    Option<Vec<(String, crate::scenario::payload::Gen)>>,
) {
    let entities_at = path.key("entities");
    if given.0 {
        problems.push(
            Problem::new(&path.key("inter_arrival"), "give either `inter_arrival` or `entities`, not both")
                .help("an entity stream's events are its entities' sightings; their arrivals are `entities.arrivals`"),
        );
    }
    for (key, given) in [
        ("arrivals", given.1),
        ("pick", given.2),
        ("first_event", given.3),
    ] {
        if given {
            problems.push(
                Problem::new(
                    &path.key(key),
                    format!("`{key}` does not apply to a stream with `entities`"),
                )
                .help("entities enter at `entities.enter` by `entities.arrivals`; remove it"),
            );
        }
    }
    let drawn = payload::entity_attributes(
        file.attributes.clone().unwrap_or_default(),
        &entities_at.key("attributes"),
        problems,
    );
    let gap = file.arrivals.clone();
    let checked = super::entity_checks::entities(
        file,
        cameras,
        camera_attributes,
        drawn.clone(),
        &entities_at,
        problems,
        warnings,
    );
    (
        checked.map(|e| StreamArrivals::Entities(Box::new(e))),
        gap,
        Some(drawn),
    )
}

/// How a stream's events are spread over its cameras: one process per camera, or one
/// shared process and its pick (weights checked against the `count` of cameras, when
/// they could be read; otherwise the check is counted as skipped under `cameras_at`).
fn arrivals(
    arrivals: Option<Arrivals>,
    pick: Option<Pick>,
    (count, cameras_at): (Option<usize>, &FieldPath),
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<StreamArrivals> {
    match (arrivals.unwrap_or(Arrivals::Shared), pick) {
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
        (Arrivals::Shared, Some(Pick::Weighted(Weights { weights }))) => {
            let weights_at = path.key("pick").key("weights");
            let checked = check_weights(weights, count, "cameras", &weights_at, problems);
            if count.is_none() {
                problems.skip(cameras_at, 1);
            }
            checked.map(|w| StreamArrivals::Shared(CameraPick::Weighted(w)))
        }
    }
}
