//! `entities:` as a file writes it: people or vehicles that enter at an entry camera,
//! stay in view for a dwell, move along weighted `moves` and leave (`exit`).

use std::collections::BTreeMap;

use schemars::JsonSchema;

use super::cameras::CameraId;
use super::gaps::{Duration, InterArrival};
use super::payload::FieldSpec;

/// Entities that walk from camera to camera, in place of `inter_arrival`: each one's
/// sightings are the stream's events, and the ground truth says where each one was.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EntitiesFile {
    /// The gaps between entities entering, any inter-arrival distribution, e.g.
    /// `{distribution: exponential, mean: 20s}`.
    pub arrivals: InterArrival,
    /// The entry cameras: a mapping of camera to weight (`{1000: 3, 1003: 1}`) or a list
    /// of cameras (equal weights).
    #[schemars(with = "EnterSchema")]
    pub enter: Vec<(CameraId, Option<f64>)>,
    /// From each camera, where an entity goes next: `{1000: [{to: 1001, weight: 3,
    /// travel: {…}}, {to: exit, weight: 1}]}`. A camera without moves is a dead end
    /// where entities leave.
    #[schemars(with = "Option<BTreeMap<String, Vec<MoveFile>>>")]
    pub moves: Option<Vec<(CameraId, Vec<MoveFile>)>>,
    /// How long an entity stays in one camera's view.
    pub dwell: InterArrival,
    /// The dwell at some cameras, replacing `dwell` there: `{1002: {distribution: …}}`.
    #[schemars(with = "Option<BTreeMap<String, InterArrival>>")]
    pub dwell_by_camera: Option<Vec<(CameraId, InterArrival)>>,
    /// `{every: 2s}` (the default: one sighting on arrival in view and one every 2 s
    /// while in view) or `once` (one per visit, on arrival).
    #[schemars(with = "Option<SightingsSchema>")]
    pub sightings: Option<SightingsFile>,
    /// The probability that a sighting is not reported, from 0 (the default) to below 1.
    pub miss: Option<f64>,
    /// The most visits one entity's path holds (cycles are allowed), 1 to 1000. Defaults
    /// to 50.
    pub max_visits: Option<u64>,
    /// Attributes drawn once per entity (`choice`, `int`, `float`, `normal`,
    /// `sequence`), written into a payload with `{gen: entity, attribute: NAME}`.
    #[schemars(with = "Option<BTreeMap<String, FieldSpec>>")]
    pub attributes: Option<Vec<(String, FieldSpec)>>,
}

impl EntitiesFile {
    /// The keys `entities` may have.
    pub const FIELDS: &'static [&'static str] = &[
        "arrivals",
        "enter",
        "moves",
        "dwell",
        "dwell_by_camera",
        "sightings",
        "miss",
        "max_visits",
        "attributes",
    ];
}

/// One move out of a camera's view.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MoveFile {
    /// A camera of the stream, or `exit` (out of the site).
    #[schemars(with = "CameraId")]
    pub to: CameraId,
    /// Its weight among the camera's moves, positive. Defaults to 1.
    pub weight: Option<f64>,
    /// The time from leaving one view to entering the next. Defaults to none at all;
    /// not for `exit`.
    pub travel: Option<InterArrival>,
}

impl MoveFile {
    /// The keys a move may have.
    pub const FIELDS: &'static [&'static str] = &["to", "weight", "travel"];
}

/// When a camera reports an entity in its view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SightingsFile {
    /// `once`.
    Once,
    /// `{every: DURATION}`.
    Every(Duration),
}

/// The schema of `enter`: a mapping of camera to weight, or a list of cameras.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum EnterSchema {
    /// Camera to weight.
    Weighted(BTreeMap<String, f64>),
    /// Cameras with equal weights.
    Listed(Vec<CameraId>),
}

/// The schema of `sightings`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum SightingsSchema {
    /// `once`: one sighting per visit.
    Once(OnceName),
    /// One sighting on arrival and then every so often.
    Every(EverySchema),
}

/// `once`.
#[derive(JsonSchema)]
#[allow(dead_code)]
enum OnceName {
    /// One sighting per visit, on arrival in view.
    #[serde(rename = "once")]
    Once,
}

/// `{every: DURATION}`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct EverySchema {
    /// The period, a whole number of microseconds, e.g. `2s`.
    every: Duration,
}
