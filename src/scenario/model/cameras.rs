//! A stream's cameras as a file writes them (ids, attributes, generated ranges), how
//! their events are spread over processes and how a shared stream picks a camera.

use schemars::JsonSchema;

/// A camera id: an integer or a string. It keeps its type in the event payload, and
/// its text is the Kafka key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, JsonSchema)]
#[serde(untagged)]
pub enum CameraId {
    /// An integer id such as `1001`.
    Int(i64),
    /// A string id such as `cam-001`.
    Text(String),
}

impl std::fmt::Display for CameraId {
    /// The id as text: the Kafka key and the form used in messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CameraId::Int(n) => write!(f, "{n}"),
            CameraId::Text(s) => f.write_str(s),
        }
    }
}

/// The cameras of a stream.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Cameras {
    /// Explicit cameras: ids, e.g. `[1000, 1001, 1002]` or `["north", "south"]`, or ids
    /// with attributes, e.g. `[{id: 1000, zone: entrance}]`.
    List(Vec<CameraEntry>),
    /// Generated ids, e.g. `{count: 50, first: 2000}` or `{count: 50, prefix: "cam-", width: 3}`.
    Generated(GeneratedCameras),
}

/// One listed camera: an id, or an object with an id and attributes.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum CameraEntry {
    /// Just the id, e.g. `1000`.
    Id(CameraId),
    /// An id with attributes a payload can show, e.g. `{id: 1000, zone: entrance}`.
    Described(CameraObject),
}

impl CameraEntry {
    /// The camera's id.
    pub fn id(&self) -> &CameraId {
        match self {
            CameraEntry::Id(id) => id,
            CameraEntry::Described(camera) => &camera.id,
        }
    }
}

/// A camera with attributes: its `id`, and any other keys, which `{gen: camera,
/// attribute: NAME}` shows in the payload.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(extend("additionalProperties" = true))]
pub struct CameraObject {
    /// The camera's id: an integer or a string.
    pub id: CameraId,
    /// The other keys, in the order written: attribute name → value.
    #[schemars(skip)]
    pub attributes: Vec<(String, serde_json::Value)>,
}

/// Generated camera ids: integers `first .. first+count`, or strings
/// `prefix` + the number zero-padded to `width` digits when `prefix` is given.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GeneratedCameras {
    /// How many cameras.
    #[schemars(range(min = 1))]
    pub count: u64,
    /// The first number. Defaults to 0.
    pub first: Option<i64>,
    /// With a prefix, ids are strings: `prefix` followed by the number.
    pub prefix: Option<String>,
    /// Zero-pad the number to this many digits (with `prefix` only).
    pub width: Option<u32>,
}

impl GeneratedCameras {
    /// The keys a camera generator may have.
    pub const FIELDS: &'static [&'static str] = &["count", "first", "prefix", "width"];
}

named! {
    /// How events of a stream are spread over time and cameras.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum Arrivals {
        /// One process for the whole stream; each event picks a camera.
        Shared => "shared",
        /// One independent process per camera.
        PerCamera => "per_camera",
    }
}

named! {
    /// When the first event of a process is due.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum FirstEvent {
        /// One sampled gap after the start.
        #[default]
        AfterGap => "after_gap",
        /// At offset 0.
        AtStart => "at_start",
    }
}

/// How a shared stream picks the camera of each event.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Pick {
    /// `uniform` (every camera equally likely) or `round_robin` (in list order).
    Named(PickName),
    /// `{weights: [..]}`: one non-negative weight per camera, in list order.
    Weighted(Weights),
}

named! {
    /// A pick rule given by name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum PickName {
        /// Every camera equally likely, independently for each event.
        Uniform => "uniform",
        /// Cameras in list order, starting again after the last.
        RoundRobin => "round_robin",
    }
}

/// Relative weights, one per camera.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Weights {
    /// One non-negative, finite weight per camera; at least one must be positive.
    pub weights: Vec<f64>,
}
