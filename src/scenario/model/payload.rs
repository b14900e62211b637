//! What a stream's messages hold as a file writes them: payload fields, generators
//! (whose one name registry is [`GeneratorKind`]), the message key and headers.

use std::collections::BTreeMap;

use schemars::JsonSchema;

use super::kafka::KeyMode;

/// One field of a payload: a generator (`{gen: …}`), a nested object (a mapping without
/// `gen`), a list of fields, or a constant (any other scalar).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum FieldSpec {
    /// A value drawn or computed for each event, e.g. `{gen: int, min: 0, max: 12}`.
    Generated(#[schemars(with = "Generator")] Generated),
    /// A nested object whose fields are themselves fields, in the order written.
    #[schemars(extend("not" = {"required": ["gen"]}))]
    Object(#[schemars(with = "BTreeMap<String, FieldSpec>")] Vec<(String, FieldSpec)>),
    /// A JSON array whose items are fields.
    List(Vec<FieldSpec>),
    /// The same value in every event: a string, number, boolean or null.
    Constant(#[schemars(with = "Scalar")] serde_json::Value),
}

/// A constant: a string, a number, a boolean or null.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// Null.
    Null(()),
}

/// A Kafka header's value: a generator, a top-level payload field, or a constant.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum HeaderSpec {
    /// A generator, e.g. `{gen: camera, attribute: zone}`.
    Generated(#[schemars(with = "Generator")] Generated),
    /// The text of a top-level payload field, e.g. `{field: kind}`.
    Field(FieldRef),
    /// The same text for every event.
    Constant(#[schemars(with = "Scalar")] serde_json::Value),
}

/// A reference to a top-level field of the stream's payload.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FieldRef {
    /// The field's name, e.g. `camera_id`.
    pub field: String,
}

impl FieldRef {
    /// The keys a field reference may have.
    pub const FIELDS: &'static [&'static str] = &["field"];
}

/// What becomes a stream's Kafka message key.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[serde(untagged)]
pub enum StreamKey {
    /// `camera_id` or `none`.
    Named(KeyMode),
    /// The text of a top-level payload field, e.g. `{field: site}`.
    Field(FieldRef),
}

/// A generator as written, with the options every generator takes
/// ([`GeneratorKind::COMMON`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// What it draws.
    pub generator: Generator,
    /// The probability that the value is JSON `null` instead, in [0, 1].
    pub null_rate: Option<f64>,
}

// Every generator also takes the options of `GeneratorKind::COMMON`, added to each
// variant's schema by `common_params` (the loader reads them beside its parameters).
/// A value generator, chosen by `gen`, and `null_rate`: the probability that the value
/// is null instead.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(tag = "gen", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(transform = common_params)]
pub enum Generator {
    /// The event id: a version-8 UUID of the arrival process and the event's sequence
    /// number, unique within a run and the same on every replay.
    EventId,
    /// The event's planned instant (UTC).
    Timestamp {
        /// `rfc3339` (`2026-01-01T00:00:00Z`), `rfc3339_ms` (`2026-01-01T00:00:00.250Z`),
        /// `epoch_ms`, `epoch_s` (numbers), or a strftime pattern such as `%d/%m/%Y %H:%M`.
        /// Defaults to `%Y-%m-%d %H:%M:%S`.
        format: Option<String>,
    },
    /// The camera's id, an integer or a string as written.
    CameraId,
    /// An attribute of the event's camera (`{id: 1000, zone: lobby}`); every camera of the
    /// stream must have it.
    Camera {
        /// The attribute's name, e.g. `zone`.
        attribute: String,
    },
    /// One of `values`, drawn for each event, uniformly or by `weights`.
    Choice {
        /// The values to choose from (at least one).
        #[schemars(length(min = 1))]
        values: Vec<serde_json::Value>,
        /// One non-negative weight per value, at least one positive. Defaults to equal weights.
        weights: Option<Vec<f64>>,
    },
    /// A number drawn uniformly between `min` and `max`.
    Float(FloatParams),
    /// A whole number drawn uniformly from `min` to `max`, both included.
    Int(IntParams),
    /// A number drawn from a normal distribution.
    Normal(NormalParams),
    /// Counts the events of the arrival process: `start`, `start + 1`, …
    Sequence {
        /// The first value. Defaults to 0.
        start: Option<i64>,
    },
    /// A bounding box `{x, y, w, h}` of whole pixels inside the camera's frame:
    /// `x + w ≤ width`, `y + h ≤ height`, `w` and `h` at least 1.
    Bbox(BboxParams),
    /// The true identity of the entity seen, `<stream>-<n>` (a stream with `entities`).
    EntityId,
    /// A camera-local track: a new integer for each visit of an entity to a camera (a
    /// stream with `entities`).
    TrackId,
    /// An attribute of the entity seen, drawn once per entity (a stream with `entities`).
    Entity {
        /// The attribute's name in `entities.attributes`, e.g. `kind`.
        attribute: String,
    },
}

/// Adds the options every generator takes ([`GeneratorKind::COMMON`]) to each variant
/// of the [`Generator`] schema.
fn common_params(schema: &mut schemars::Schema) {
    let Some(serde_json::Value::Array(variants)) = schema.get_mut("oneOf") else {
        return;
    };
    for variant in variants {
        if let Some(serde_json::Value::Object(properties)) = variant.get_mut("properties") {
            properties.insert(
                "null_rate".to_string(),
                serde_json::json!({
                    "description": "The probability that the value is JSON null instead, from 0 to 1.",
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                }),
            );
        }
    }
}

/// The parameters of `{gen: bbox}`: the frame's size in pixels, each one given here or
/// taken from the camera attribute of the same name (`{id: 1000, width: 1920, height:
/// 1080}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BboxParams {
    /// The frame's width (1 to 4294967295). Defaults to the camera's `width` attribute.
    #[schemars(range(min = 1, max = 4_294_967_295u32))]
    pub width: Option<i64>,
    /// The frame's height (1 to 4294967295). Defaults to the camera's `height` attribute.
    #[schemars(range(min = 1, max = 4_294_967_295u32))]
    pub height: Option<i64>,
}

/// The parameters of `{gen: float}`; the one declaration of their shape, which
/// validation ([`crate::scenario::payload::Gen`]) and the renderer keep as they are.
#[derive(Debug, Clone, Copy, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FloatParams {
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
    /// Round to this many decimals (half to even) and always print them (0 to 17).
    /// Unset: the shortest text that reads back as the same number.
    #[schemars(range(max = 17))]
    pub decimals: Option<u32>,
}

/// The parameters of `{gen: int}`; the one declaration of their shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct IntParams {
    /// The smallest value.
    pub min: i64,
    /// The largest value.
    pub max: i64,
}

/// The parameters of `{gen: normal}`; the one declaration of their shape.
#[derive(Debug, Clone, Copy, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct NormalParams {
    /// The mean.
    pub mean: f64,
    /// The standard deviation (≥ 0).
    pub std_dev: f64,
    /// Round to this many decimals (half to even) and always print them (0 to 17).
    /// Unset: the shortest text that reads back as the same number.
    #[schemars(range(max = 17))]
    pub decimals: Option<u32>,
}

/// Whether a generator parameter must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// It must be given.
    Required,
    /// It may be left out.
    Optional,
}

named! {
    /// The payload generators, by the name written after `gen:`. This is the one registry
    /// of generators: a new one is a variant here (with its name), its parameters in
    /// [`GeneratorKind::params`], what it prints in [`GeneratorKind::output`], a variant
    /// of [`Generator`], and the exhaustive matches the compiler then points at (the
    /// loader, validation, the renderer, the event schema). `tests/it/registry.rs` ties it
    /// to the schema and the README table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum GeneratorKind {
        /// The event id.
        EventId => "event_id",
        /// The event's instant.
        Timestamp => "timestamp",
        /// The camera's id.
        CameraId => "camera_id",
        /// A camera attribute.
        Camera => "camera",
        /// One of a list of values.
        Choice => "choice",
        /// A uniform number.
        Float => "float",
        /// A uniform whole number.
        Int => "int",
        /// A normal number.
        Normal => "normal",
        /// A counter.
        Sequence => "sequence",
        /// A box inside the camera's frame.
        Bbox => "bbox",
        /// The entity's true identity.
        EntityId => "entity_id",
        /// The visit's track id.
        TrackId => "track_id",
        /// An entity attribute.
        Entity => "entity",
    }
}

impl GeneratorKind {
    /// The parameters the generator takes besides `gen`, in the order they are documented.
    pub const fn params(self) -> &'static [(&'static str, Need)] {
        use Need::{Optional as O, Required as R};
        match self {
            GeneratorKind::EventId
            | GeneratorKind::CameraId
            | GeneratorKind::EntityId
            | GeneratorKind::TrackId => &[],
            GeneratorKind::Entity => &[("attribute", R)],
            GeneratorKind::Timestamp => &[("format", O)],
            GeneratorKind::Camera => &[("attribute", R)],
            GeneratorKind::Choice => &[("values", R), ("weights", O)],
            GeneratorKind::Float => &[("min", R), ("max", R), ("decimals", O)],
            GeneratorKind::Int => &[("min", R), ("max", R)],
            GeneratorKind::Normal => &[("mean", R), ("std_dev", R), ("decimals", O)],
            GeneratorKind::Sequence => &[("start", O)],
            GeneratorKind::Bbox => &[("width", O), ("height", O)],
        }
    }

    /// The JSON type of what it prints, as the README's table says it.
    pub const fn output(self) -> &'static str {
        match self {
            GeneratorKind::EventId => "string",
            GeneratorKind::Timestamp => "string, or integer (`epoch_ms`, `epoch_s`)",
            GeneratorKind::CameraId => "integer or string",
            GeneratorKind::Camera => "the attribute's value",
            GeneratorKind::Choice => "one of the values",
            GeneratorKind::Float => "number",
            GeneratorKind::Int => "integer",
            GeneratorKind::Normal => "number",
            GeneratorKind::Sequence => "integer",
            GeneratorKind::Bbox => "object `{x, y, w, h}` of integers",
            GeneratorKind::EntityId => "string `<stream>-<n>`",
            GeneratorKind::TrackId => "integer",
            GeneratorKind::Entity => "the attribute's value",
        }
    }

    /// The options every generator takes besides its own parameters.
    pub const COMMON: &'static [&'static str] = &["null_rate"];
}

impl GeneratorKind {
    /// Names people try for a generator that is called otherwise here: (what they
    /// write, lower-cased; the generator meant; why, in a few words).
    pub const ALIASES: &'static [(&'static str, GeneratorKind, &'static str)] = &[
        ("uuid", GeneratorKind::EventId, "the event id is a UUID"),
        ("uuid4", GeneratorKind::EventId, "the event id is a UUID"),
        ("uuidv4", GeneratorKind::EventId, "the event id is a UUID"),
        ("guid", GeneratorKind::EventId, "the event id is a UUID"),
        ("id", GeneratorKind::EventId, ""),
        ("time", GeneratorKind::Timestamp, ""),
        (
            "now",
            GeneratorKind::Timestamp,
            "the event's planned instant",
        ),
        ("datetime", GeneratorKind::Timestamp, ""),
        ("date", GeneratorKind::Timestamp, ""),
        ("attribute", GeneratorKind::Camera, ""),
        ("enum", GeneratorKind::Choice, ""),
        ("oneof", GeneratorKind::Choice, ""),
        ("one_of", GeneratorKind::Choice, ""),
        ("pick", GeneratorKind::Choice, ""),
        ("weighted", GeneratorKind::Choice, ""),
        (
            "uniform",
            GeneratorKind::Float,
            "a uniform number is `float` here",
        ),
        ("double", GeneratorKind::Float, ""),
        ("number", GeneratorKind::Float, ""),
        ("decimal", GeneratorKind::Float, ""),
        ("integer", GeneratorKind::Int, ""),
        ("long", GeneratorKind::Int, ""),
        (
            "gaussian",
            GeneratorKind::Normal,
            "a Gaussian is called `normal` here",
        ),
        (
            "gauss",
            GeneratorKind::Normal,
            "a Gaussian is called `normal` here",
        ),
        ("counter", GeneratorKind::Sequence, ""),
        ("seq", GeneratorKind::Sequence, ""),
        ("serial", GeneratorKind::Sequence, ""),
        ("box", GeneratorKind::Bbox, ""),
        ("bounding_box", GeneratorKind::Bbox, ""),
    ];
}

impl Generator {
    /// Which generator this is.
    pub const fn kind(&self) -> GeneratorKind {
        match self {
            Generator::EventId => GeneratorKind::EventId,
            Generator::Timestamp { .. } => GeneratorKind::Timestamp,
            Generator::CameraId => GeneratorKind::CameraId,
            Generator::Camera { .. } => GeneratorKind::Camera,
            Generator::Choice { .. } => GeneratorKind::Choice,
            Generator::Float(_) => GeneratorKind::Float,
            Generator::Int(_) => GeneratorKind::Int,
            Generator::Normal(_) => GeneratorKind::Normal,
            Generator::Sequence { .. } => GeneratorKind::Sequence,
            Generator::Bbox(_) => GeneratorKind::Bbox,
            Generator::EntityId => GeneratorKind::EntityId,
            Generator::TrackId => GeneratorKind::TrackId,
            Generator::Entity { .. } => GeneratorKind::Entity,
        }
    }
}

named! {
    /// The timestamp formats that have names; any other `format` is a strftime pattern.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum TimeFormatName {
        /// `2026-01-01T00:00:00Z`.
        Rfc3339 => "rfc3339",
        /// `2026-01-01T00:00:00.250Z`.
        Rfc3339Ms => "rfc3339_ms",
        /// Milliseconds since 1970 (a number).
        EpochMs => "epoch_ms",
        /// Seconds since 1970 (a number).
        EpochS => "epoch_s",
    }
}
