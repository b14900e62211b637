//! The scenario file format as written in YAML: these types mirror the file one to one.
//!
//! They carry no guarantees beyond "each leaf had the right shape"; [`super::validate`]
//! turns them into types that cannot hold an invalid scenario. Their doc comments become
//! the descriptions in `schemas/scenario.schema.json` (generated with schemars), so they
//! are written for the person editing a scenario file.
//!
//! The loader ([`super::load`]) fills these types field by field so that it can report
//! every problem of a file at once; the `FIELDS` constants list the keys it accepts and a
//! test checks them against the generated schema.
//!
//! The top level ([`ScenarioFile`], [`StreamFile`]) is here; the parts a stream is made of
//! are in one file per topic (cameras, lengths and distributions, rate changes, faults,
//! Kafka settings, payload), every type re-exported here, so `model::X` names them all.

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// Declares a unit enum whose variants a file writes by name, with its one name table:
/// `ALL` (every variant, in documented order), `NAMES` (their spellings, in the same
/// order), `name()` (an exhaustive match) and `from_name()`. All four come from the one
/// list given here, and so does each variant's `serde` name, which the JSON Schema
/// takes: they cannot disagree. A test ties the names to the schema and the README.
macro_rules! named {
    (
        $(#[$meta:meta])*
        pub enum $Enum:ident {
            $( $(#[$vmeta:meta])* $Variant:ident => $name:literal, )+
        }
    ) => {
        $(#[$meta])*
        pub enum $Enum {
            $( $(#[$vmeta])* #[serde(rename = $name)] $Variant, )+
        }

        impl $Enum {
            /// Every variant, in the order they are documented.
            pub const ALL: &'static [$Enum] = &[$($Enum::$Variant),+];
            /// The spellings accepted in a file, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            /// The name as written in a file.
            pub const fn name(self) -> &'static str {
                match self {
                    $($Enum::$Variant => $name,)+
                }
            }

            /// The variant written `name`, if there is one.
            pub fn from_name(name: &str) -> Option<$Enum> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl $crate::scenario::model::Named for $Enum {
            const NAMES: &'static [&'static str] = $Enum::NAMES;

            fn name(self) -> &'static str {
                $Enum::name(self)
            }

            fn from_name(name: &str) -> Option<$Enum> {
                $Enum::from_name(name)
            }
        }
    };
}

/// A unit enum a file writes by name (declared with `named!`), for code that reads any
/// of them the same way, as the loader does.
pub(crate) trait Named: Copy + 'static {
    /// The spellings accepted in a file.
    const NAMES: &'static [&'static str];
    /// The name as written in a file.
    fn name(self) -> &'static str;
    /// The variant written `name`, if there is one.
    fn from_name(name: &str) -> Option<Self>;
}

mod cameras;
mod entities;
mod faults;
mod gaps;
mod kafka;
mod payload;
mod rate;
mod replay;
mod value;

pub use cameras::{
    Arrivals, CameraEntry, CameraId, CameraObject, Cameras, FirstEvent, GeneratedCameras, Pick,
    PickName, Weights,
};
pub use entities::{EntitiesFile, MoveFile, SightingsFile};
pub use faults::{DelayedFault, FaultsFile, Malformation, MalformedFault, RateFault};
pub use gaps::{DistributionKind, Duration, InterArrival, Length, ParamKind};
pub use kafka::{KafkaFile, KeyMode, PropertyValue, TimestampMode};
pub use payload::{
    BboxParams, FieldRef, FieldSpec, FloatParams, Generated, Generator, GeneratorKind, HeaderSpec,
    IntParams, Need, NormalParams, Scalar, StreamKey, TimeFormatName,
};
pub use rate::{
    Backlog, CameraSelection, IncidentFile, Interpolate, OutageFile, RateFile, RatePoint,
};
pub use replay::{Kept, ReplayFile, ReplayTimestamps, Scale, Timing, TimingName};
pub use value::{
    GivenSchema, KeyFormat, Register, RegistryAuth, RegistryFile, SchemaName, SchemaSource,
    SubjectFile, SubjectStrategy, ValueFile, ValueFormat,
};

/// A scenario: which cameras send events, how often, for how long and to which topic.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(title = "simulate scenario", deny_unknown_fields)]
pub struct ScenarioFile {
    /// Name of the scenario, used in reports. Defaults to the file name without extension.
    pub name: Option<String>,
    /// Seed of the random generators (0 to 18446744073709551615). The same file, seed and
    /// start always give the same events. `--seed` overrides it. Defaults to 0.
    pub seed: Option<u64>,
    /// How long the scenario runs, e.g. `3m`, `90s`, `1h30m`, `250us`. Events are planned at
    /// offsets strictly below it. `--duration` overrides it.
    pub duration: Duration,
    /// The instant of offset 0, as an RFC 3339 timestamp such as `2026-01-01T00:00:00Z`.
    /// Unset: the moment the run starts. `--start` overrides it.
    #[schemars(with = "Option<String>", extend("format" = "date-time"))]
    pub start: Option<String>,
    /// Kafka topic the events go to. `--topic` overrides it. Defaults to `events`.
    pub topic: Option<String>,
    /// Settings for the Kafka sink.
    pub kafka: Option<KafkaFile>,
    /// The Confluent-compatible Schema Registry that `avro`, `protobuf` and
    /// `json_schema` values are registered with (`url`, `auth`, `ca`, `cert`, `key`).
    #[schemars(with = "Option<RegistryFile>")]
    pub schema_registry: Option<serde_json::Value>,
    /// One or more arrival processes; each stream sends events for its cameras.
    #[schemars(length(min = 1))]
    pub streams: Vec<StreamFile>,
}

impl ScenarioFile {
    /// The keys a scenario file may have at the top level.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "seed",
        "duration",
        "start",
        "topic",
        "kafka",
        "schema_registry",
        "streams",
    ];
}

/// One arrival process (`arrivals: shared`) or one per camera (`arrivals: per_camera`).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StreamFile {
    /// Unique name of the stream. Defaults to `stream-<index>` (counting from 0). The
    /// random streams are derived from it, so a named stream keeps its events when
    /// other streams are added, removed or reordered.
    pub name: Option<String>,
    /// The cameras of this stream: a list of ids, or a generated range. A `replay`
    /// stream has none: its cameras are its recording's keys.
    pub cameras: Option<Cameras>,
    /// `shared` (the default): one process whose events each pick a camera.
    /// `per_camera`: an independent process for every camera.
    pub arrivals: Option<Arrivals>,
    /// How a `shared` stream picks the camera of each event. Defaults to `uniform`.
    pub pick: Option<Pick>,
    /// The distribution of the gap between two consecutive events of one process.
    /// A stream gives this, `entities` or `replay`.
    pub inter_arrival: Option<InterArrival>,
    /// People or vehicles that walk from camera to camera, in place of
    /// `inter_arrival`: entities enter at entry cameras, stay in view, move along
    /// weighted `moves` and leave; their sightings are the stream's events.
    pub entities: Option<EntitiesFile>,
    /// A recording played as the stream's events, in place of `inter_arrival`: `{file:
    /// morning.jsonl}` plays its messages on their recorded timing.
    pub replay: Option<ReplayFile>,
    /// When each process sends its first event: `after_gap` (the default) waits one
    /// sampled gap from the start; `at_start` sends at offset 0, as a loop that sends
    /// and then sleeps does.
    pub first_event: Option<FirstEvent>,
    /// A factor on the rate of `inter_arrival` over time (a daily cycle, say): 1 is the
    /// base rate, 3 three times as many events, 0 none.
    pub rate: Option<RateFile>,
    /// Windows in which some cameras' rate is multiplied by a factor.
    pub incidents: Option<Vec<IncidentFile>>,
    /// Windows in which cameras send nothing.
    pub outages: Option<Vec<OutageFile>>,
    /// Dirty data on purpose: late, duplicate, dropped and malformed events, each with a
    /// probability per event (their sum at most 1; an event gets at most one fault).
    pub faults: Option<FaultsFile>,
    /// The Kafka topic of this stream's events. Defaults to the scenario's `topic`.
    pub topic: Option<String>,
    /// The message value, field by field, in the order written. Without it, a stream
    /// sends `{"event_id", "timestamp", "camera_id"}`.
    #[schemars(with = "Option<BTreeMap<String, FieldSpec>>")]
    pub payload: Option<Vec<(String, FieldSpec)>>,
    /// What becomes the Kafka message key: `camera_id`, `none`, or `{field: NAME}` (the
    /// text of a top-level payload field). Defaults to `kafka.key`.
    pub key: Option<StreamKey>,
    /// Kafka headers, by name: a generator, `{field: NAME}` (a top-level payload field)
    /// or a constant; every value is sent as text.
    #[schemars(with = "Option<BTreeMap<String, HeaderSpec>>")]
    pub headers: Option<Vec<(String, HeaderSpec)>>,
    /// How the message value is encoded: `{format: json}` (the default) or `{format:
    /// avro}` with a schema derived from the payload.
    pub value: Option<ValueFile>,
    /// How the key is encoded: `string` (the default, the only one supported yet).
    pub key_format: Option<KeyFormat>,
}

impl StreamFile {
    /// The keys a stream may have.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "cameras",
        "arrivals",
        "pick",
        "inter_arrival",
        "entities",
        "replay",
        "first_event",
        "rate",
        "incidents",
        "outages",
        "faults",
        "topic",
        "payload",
        "key",
        "headers",
        "value",
        "key_format",
    ];
}
