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

use std::collections::BTreeMap;

use schemars::JsonSchema;

use super::duration::Nanos;

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
    };
}

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
    /// One or more arrival processes; each stream sends events for its cameras.
    #[schemars(length(min = 1))]
    pub streams: Vec<StreamFile>,
}

impl ScenarioFile {
    /// The keys a scenario file may have at the top level.
    pub const FIELDS: &'static [&'static str] = &[
        "name", "seed", "duration", "start", "topic", "kafka", "streams",
    ];
}

/// A span of time written with units: `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, combined
/// freely (`1h30m`) and with decimal fractions (`1.5s`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(
    with = "String",
    extend(
        "pattern" = r"^\s*([0-9][0-9_]*(\.[0-9]+)?|\.[0-9]+)\s*(ns|us|µs|μs|ms|s|m|h)(\s*([0-9][0-9_]*(\.[0-9]+)?|\.[0-9]+)\s*(ns|us|µs|μs|ms|s|m|h))*\s*$",
        "examples" = ["3m", "100ms", "1h30m", "250us"]
    )
)]
pub struct Duration(pub Nanos);

/// Settings the Kafka sink uses. Broker addresses are usually deployment configuration:
/// `--bootstrap-servers` and `KAFKA_BOOTSTRAP_SERVERS` take precedence over this file.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KafkaFile {
    /// Comma-separated `host:port` list of brokers, e.g. `broker:29092`.
    pub bootstrap_servers: Option<String>,
    /// The producer's `client.id`. Defaults to `simulate`.
    pub client_id: Option<String>,
    /// What becomes the Kafka message key: `camera_id` (the default) or `none`.
    pub key: Option<KeyMode>,
    /// The Kafka message timestamp: `send` (the default), the instant the message is
    /// sent, as a real producer stamps it; or `event`, the event's own instant (differs
    /// only for late, duplicated and held messages).
    pub timestamp: Option<TimestampMode>,
    /// librdkafka producer properties passed through as they are, e.g. `{linger.ms: 5}`.
    /// `-X key=value` on the command line wins over these.
    #[schemars(with = "BTreeMap<String, PropertyValue>")]
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

impl KafkaFile {
    /// The keys the `kafka` section may have.
    pub const FIELDS: &'static [&'static str] = &[
        "bootstrap_servers",
        "client_id",
        "key",
        "timestamp",
        "properties",
    ];

    /// librdkafka properties that simulate sets itself, neither in `kafka.properties` nor
    /// with `-X`, each with what to do instead.
    pub(crate) const MANAGED_PROPERTIES: &'static [(&'static str, &'static str)] = &[
        (
            "bootstrap.servers",
            "use --bootstrap-servers or kafka.bootstrap_servers",
        ),
        (
            "metadata.broker.list",
            "use --bootstrap-servers or kafka.bootstrap_servers",
        ),
        ("client.id", "use kafka.client_id"),
        (
            "delivery.report.only.error",
            "simulate counts every delivery report to know what was delivered; leave it unset",
        ),
    ];
}

/// A librdkafka property value; numbers and booleans are passed on as their text.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum PropertyValue {
    /// Text, e.g. `lz4`.
    Text(String),
    /// A number, e.g. `5`.
    Number(f64),
    /// A boolean, e.g. `true`.
    Bool(bool),
}

named! {
    /// Which instant the Kafka message timestamp carries.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum TimestampMode {
        /// When the message is sent (what a real producer stamps).
        #[default]
        Send => "send",
        /// The event's own instant.
        Event => "event",
    }
}

named! {
    /// What becomes the Kafka message key.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum KeyMode {
        /// The camera id as text: all events of a camera land on one partition, in order.
        #[default]
        CameraId => "camera_id",
        /// No key: the producer spreads events over partitions.
        None => "none",
    }
}

/// One arrival process (`arrivals: shared`) or one per camera (`arrivals: per_camera`).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StreamFile {
    /// Unique name of the stream. Defaults to `stream-<index>` (counting from 0). The
    /// random streams are derived from it, so a named stream keeps its events when
    /// other streams are added, removed or reordered.
    pub name: Option<String>,
    /// The cameras of this stream: a list of ids, or a generated range.
    pub cameras: Cameras,
    /// `shared` (the default): one process whose events each pick a camera.
    /// `per_camera`: an independent process for every camera.
    pub arrivals: Option<Arrivals>,
    /// How a `shared` stream picks the camera of each event. Defaults to `uniform`.
    pub pick: Option<Pick>,
    /// The distribution of the gap between two consecutive events of one process.
    pub inter_arrival: InterArrival,
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
}

impl StreamFile {
    /// The keys a stream may have.
    pub const FIELDS: &'static [&'static str] = &[
        "name",
        "cameras",
        "arrivals",
        "pick",
        "inter_arrival",
        "first_event",
        "rate",
        "incidents",
        "outages",
        "faults",
        "topic",
        "payload",
        "key",
        "headers",
    ];
}

/// A rate profile: factors at points in time, joined by lines or steps, optionally
/// repeating.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RateFile {
    /// The factor at points in time, in increasing order of `at`. Before the first point
    /// the first factor holds, after the last the last one (unless `repeat` is set).
    #[schemars(length(min = 1))]
    pub points: Vec<RatePoint>,
    /// How the factor goes from one point to the next: `linear` (the default) or `step`.
    pub interpolate: Option<Interpolate>,
    /// The profile repeats with this period (`24h` for a daily cycle); every point lies
    /// in [0, repeat]. After the last point the factor runs (linear) or holds (step)
    /// until `repeat`, where the first point's factor takes over again.
    pub repeat: Option<Duration>,
}

impl RateFile {
    /// The keys a rate profile may have.
    pub const FIELDS: &'static [&'static str] = &["points", "interpolate", "repeat"];
}

/// One point of a rate profile.
#[derive(Debug, Clone, Copy, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RatePoint {
    /// When, as an offset from the start (or into the period, with `repeat`).
    pub at: Duration,
    /// The factor on the base rate there: ≥ 0 (0 is silence).
    #[schemars(range(min = 0))]
    pub factor: f64,
}

impl RatePoint {
    /// The keys a rate point may have.
    pub const FIELDS: &'static [&'static str] = &["at", "factor"];
}

named! {
    /// How a rate profile goes from one point to the next.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum Interpolate {
        /// A straight line from one point's factor to the next.
        #[default]
        Linear => "linear",
        /// Each point's factor holds until the next point.
        Step => "step",
    }
}

/// A length of time: fixed (`10m`) or drawn from a distribution each time.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Length {
    /// A fixed length, e.g. `15m`.
    Fixed(Duration),
    /// Drawn for each window, e.g. `{distribution: uniform, min: 1m, max: 10m}`.
    Random(InterArrival),
}

/// Which cameras a window applies to.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum CameraSelection {
    /// These cameras, by id, e.g. `[1000, 1001]`.
    Listed(Vec<CameraId>),
    /// This many cameras of the stream, drawn at random for each window, e.g. `5`.
    Count(u64),
}

/// A window in which some cameras' rate is multiplied: once (`at`) or recurring (`every`).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct IncidentFile {
    /// When it starts, as an offset from the start, e.g. `2h` (or give `every`).
    pub at: Option<Duration>,
    /// Recurring: the gap between the starts of two windows, as a distribution, e.g.
    /// `{distribution: exponential, mean: 6h}`; the first starts one gap after the start.
    pub every: Option<InterArrival>,
    /// How long each window lasts: a duration, or a distribution drawn for each window.
    pub duration: Length,
    /// The factor on the affected cameras' rate: ≥ 0. Windows of one incident that
    /// overlap do not multiply; windows of different incidents do.
    #[schemars(range(min = 0))]
    pub factor: f64,
    /// The cameras affected: a list of ids, or a number drawn at random for each window.
    /// All the stream's cameras when absent. A shared stream takes only the whole stream.
    pub cameras: Option<CameraSelection>,
}

impl IncidentFile {
    /// The keys an incident may have.
    pub const FIELDS: &'static [&'static str] = &["at", "every", "duration", "factor", "cameras"];
}

/// A window in which cameras send nothing: once (`at`) or recurring (`every`).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutageFile {
    /// When it starts, as an offset from the start, e.g. `30m` (or give `every`).
    pub at: Option<Duration>,
    /// Recurring: the gap between the starts of two outages, as a distribution; the first
    /// starts one gap after the start.
    pub every: Option<InterArrival>,
    /// How long each outage lasts: a duration, or a distribution drawn for each outage.
    pub duration: Length,
    /// The cameras that go out: a list of ids, each failing on its own (its own draws),
    /// or a number drawn at random for each outage. When absent: every camera of a
    /// per-camera stream, each on its own; the whole of a shared stream.
    pub cameras: Option<CameraSelection>,
    /// What becomes of the events the cameras record while out: `drop` (the default:
    /// there are none) or `send` (store-and-forward: they are recorded as usual and sent
    /// when the outage ends, with their own timestamps).
    pub backlog: Option<Backlog>,
}

impl OutageFile {
    /// The keys an outage may have.
    pub const FIELDS: &'static [&'static str] = &["at", "every", "duration", "cameras", "backlog"];
}

named! {
    /// What becomes of the events cameras record during an outage.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
    pub enum Backlog {
        /// Nothing is recorded: the cameras' rate is 0 while they are out.
        #[default]
        Drop => "drop",
        /// Events are recorded as usual and sent when the outage ends (store-and-forward).
        Send => "send",
    }
}

/// The faults a stream injects. Each `rate` is a probability per event; one draw per
/// event picks late, duplicate, drop, malformed or none, so an event gets at most one.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FaultsFile {
    /// Sent `delay` after its event time, so it arrives out of order.
    pub late: Option<DelayedFault>,
    /// Sent twice: the second copy (same key, value and headers) `delay` after the first.
    pub duplicate: Option<DelayedFault>,
    /// Planned but never sent: the consumer sees a gap.
    pub drop: Option<RateFault>,
    /// A broken value instead of the good one.
    pub malformed: Option<MalformedFault>,
}

impl FaultsFile {
    /// The keys `faults` may have.
    pub const FIELDS: &'static [&'static str] = &["late", "duplicate", "drop", "malformed"];
}

/// A fault that delays a message.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DelayedFault {
    /// The probability per event, in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub rate: f64,
    /// How long after its due time the message is sent: a duration (`30s`) or a
    /// distribution drawn for each message (`{distribution: exponential, mean: 30s}`).
    pub delay: Length,
}

impl DelayedFault {
    /// The keys a delayed fault may have.
    pub const FIELDS: &'static [&'static str] = &["rate", "delay"];
}

/// A fault given by its rate alone.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RateFault {
    /// The probability per event, in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub rate: f64,
}

impl RateFault {
    /// The keys a rate-only fault may have.
    pub const FIELDS: &'static [&'static str] = &["rate"];
}

/// Malformed values: which ways of breaking them are drawn from.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MalformedFault {
    /// The probability per event, in [0, 1].
    #[schemars(range(min = 0, max = 1))]
    pub rate: f64,
    /// The ways values are broken, each equally likely. Defaults to all of them.
    pub kinds: Option<Vec<Malformation>>,
}

impl MalformedFault {
    /// The keys `malformed` may have.
    pub const FIELDS: &'static [&'static str] = &["rate", "kinds"];
}

named! {
    /// One way a message value is broken. Every broken value is UTF-8 text.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, JsonSchema)]
    pub enum Malformation {
        /// The good value cut in half (at a character boundary): JSON that ends early.
        Truncated => "truncated",
        /// Text that is not JSON at all: `event_id=…;camera_id=…`.
        NotJson => "not_json",
        /// The good value without one top-level field (drawn; never `event_id` while
        /// there is another to remove).
        MissingField => "missing_field",
        /// The good value with one top-level field of the wrong type (drawn, as for
        /// `missing_field`): a string becomes the number 0, anything else its JSON text
        /// as a string.
        WrongType => "wrong_type",
        /// An empty value (zero bytes).
        Empty => "empty",
    }
}

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

/// The distribution of the gap between consecutive events of one process.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum InterArrival {
    /// Every gap equals `interval`.
    Constant {
        /// The gap, e.g. `500ms`.
        interval: Duration,
    },
    /// Gaps uniformly distributed between `min` and `max` inclusive.
    Uniform {
        /// Shortest gap, e.g. `100ms`.
        min: Duration,
        /// Longest gap, e.g. `1s`.
        max: Duration,
    },
    /// Poisson arrivals: exponentially distributed gaps with the given mean.
    Exponential {
        /// Mean gap (1 / rate), e.g. `2s`.
        mean: Duration,
    },
    /// Normally distributed gaps, truncated to positive gaps by resampling.
    Normal {
        /// Mean gap before truncation.
        mean: Duration,
        /// Standard deviation before truncation.
        std_dev: Duration,
    },
    /// Log-normally distributed gaps, given by the mean and standard deviation of the gap
    /// itself (not of its logarithm).
    Lognormal {
        /// Mean gap.
        mean: Duration,
        /// Standard deviation of the gap.
        std_dev: Duration,
    },
    /// Gamma-distributed gaps with the given shape and mean (scale = mean / shape).
    Gamma {
        /// Shape k > 0 (k = 1 is exponential; larger is more regular).
        shape: f64,
        /// Mean gap.
        mean: Duration,
    },
    /// Weibull-distributed gaps.
    Weibull {
        /// Shape k > 0 (k < 1 is bursty, k = 1 exponential, k > 1 regular).
        shape: f64,
        /// Scale λ.
        scale: Duration,
    },
    /// Pareto-distributed (heavy-tailed) gaps.
    Pareto {
        /// Shape α > 0 (the tail index; the mean is finite only for α > 1).
        shape: f64,
        /// Scale: the shortest possible gap.
        scale: Duration,
    },
}

/// Whether a distribution parameter is written as a duration or as a plain number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A duration with units, e.g. `2s`.
    Duration,
    /// A plain number, e.g. `1.5`.
    Number,
}

named! {
    /// The inter-arrival distributions, by the name written after `distribution:`. This
    /// is the one registry of distributions: a new one is a variant here (with its name),
    /// its parameters in [`DistributionKind::params`], a variant of [`InterArrival`], and
    /// the exhaustive matches the compiler then points at (the loader, validation, the
    /// sampler). `tests/it/registry.rs` ties it to the schema and the README table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum DistributionKind {
        /// Every gap equals `interval`.
        Constant => "constant",
        /// Gaps uniform between `min` and `max`.
        Uniform => "uniform",
        /// Exponential gaps: Poisson arrivals.
        Exponential => "exponential",
        /// Normal gaps, truncated to positive values.
        Normal => "normal",
        /// Log-normal gaps.
        Lognormal => "lognormal",
        /// Gamma-distributed gaps.
        Gamma => "gamma",
        /// Weibull-distributed gaps.
        Weibull => "weibull",
        /// Pareto-distributed gaps.
        Pareto => "pareto",
    }
}

impl DistributionKind {
    /// The parameters the distribution takes, in the order they are documented.
    pub const fn params(self) -> &'static [(&'static str, ParamKind)] {
        use ParamKind::{Duration as D, Number as N};
        match self {
            DistributionKind::Constant => &[("interval", D)],
            DistributionKind::Uniform => &[("min", D), ("max", D)],
            DistributionKind::Exponential => &[("mean", D)],
            DistributionKind::Normal => &[("mean", D), ("std_dev", D)],
            DistributionKind::Lognormal => &[("mean", D), ("std_dev", D)],
            DistributionKind::Gamma => &[("shape", N), ("mean", D)],
            DistributionKind::Weibull => &[("shape", N), ("scale", D)],
            DistributionKind::Pareto => &[("shape", N), ("scale", D)],
        }
    }

    /// Names people try for a distribution that is called otherwise here: (what they
    /// write, lower-cased; the distribution meant; why, in a few words).
    pub const ALIASES: &'static [(&'static str, DistributionKind, &'static str)] = &[
        (
            "poisson",
            DistributionKind::Exponential,
            "Poisson arrivals have exponential gaps (rate 1/mean)",
        ),
        ("exp", DistributionKind::Exponential, ""),
        (
            "gaussian",
            DistributionKind::Normal,
            "a Gaussian is called `normal` here",
        ),
        (
            "gauss",
            DistributionKind::Normal,
            "a Gaussian is called `normal` here",
        ),
        (
            "fixed",
            DistributionKind::Constant,
            "a fixed gap is called `constant` here",
        ),
        (
            "periodic",
            DistributionKind::Constant,
            "a periodic gap is called `constant` here",
        ),
        (
            "regular",
            DistributionKind::Constant,
            "a regular gap is called `constant` here",
        ),
        ("log-normal", DistributionKind::Lognormal, ""),
        ("log_normal", DistributionKind::Lognormal, ""),
    ];
}

impl InterArrival {
    /// Which distribution this is.
    pub const fn kind(&self) -> DistributionKind {
        match self {
            InterArrival::Constant { .. } => DistributionKind::Constant,
            InterArrival::Uniform { .. } => DistributionKind::Uniform,
            InterArrival::Exponential { .. } => DistributionKind::Exponential,
            InterArrival::Normal { .. } => DistributionKind::Normal,
            InterArrival::Lognormal { .. } => DistributionKind::Lognormal,
            InterArrival::Gamma { .. } => DistributionKind::Gamma,
            InterArrival::Weibull { .. } => DistributionKind::Weibull,
            InterArrival::Pareto { .. } => DistributionKind::Pareto,
        }
    }
}

/// One field of a payload: a generator (`{gen: …}`), a nested object (a mapping without
/// `gen`), a list of fields, or a constant (any other scalar).
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum FieldSpec {
    /// A value drawn or computed for each event, e.g. `{gen: int, min: 0, max: 12}`.
    Generated(Generator),
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
    Generated(Generator),
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

/// A value generator, chosen by `gen`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(tag = "gen", rename_all = "snake_case", deny_unknown_fields)]
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
    Float {
        /// The smallest value.
        min: f64,
        /// The largest value.
        max: f64,
        /// Round to this many decimals (half to even) and always print them (0 to 17).
        /// Unset: the shortest text that reads back as the same number.
        #[schemars(range(max = 17))]
        decimals: Option<u32>,
    },
    /// A whole number drawn uniformly from `min` to `max`, both included.
    Int {
        /// The smallest value.
        min: i64,
        /// The largest value.
        max: i64,
    },
    /// A number drawn from a normal distribution.
    Normal {
        /// The mean.
        mean: f64,
        /// The standard deviation (≥ 0).
        std_dev: f64,
        /// Round to this many decimals (half to even) and always print them (0 to 17).
        /// Unset: the shortest text that reads back as the same number.
        #[schemars(range(max = 17))]
        decimals: Option<u32>,
    },
    /// Counts the events of the arrival process: `start`, `start + 1`, …
    Sequence {
        /// The first value. Defaults to 0.
        start: Option<i64>,
    },
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
    }
}

impl GeneratorKind {
    /// The parameters the generator takes besides `gen`, in the order they are documented.
    pub const fn params(self) -> &'static [(&'static str, Need)] {
        use Need::{Optional as O, Required as R};
        match self {
            GeneratorKind::EventId | GeneratorKind::CameraId => &[],
            GeneratorKind::Timestamp => &[("format", O)],
            GeneratorKind::Camera => &[("attribute", R)],
            GeneratorKind::Choice => &[("values", R), ("weights", O)],
            GeneratorKind::Float => &[("min", R), ("max", R), ("decimals", O)],
            GeneratorKind::Int => &[("min", R), ("max", R)],
            GeneratorKind::Normal => &[("mean", R), ("std_dev", R), ("decimals", O)],
            GeneratorKind::Sequence => &[("start", O)],
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
        }
    }
}

impl GeneratorKind {
    /// Names people try for a generator that is called otherwise here: (what they
    /// write, lower-cased; the generator meant; why, in a few words).
    pub const ALIASES: &'static [(&'static str, GeneratorKind, &'static str)] = &[
        ("uuid", GeneratorKind::EventId, "the event id is a UUID"),
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
            Generator::Float { .. } => GeneratorKind::Float,
            Generator::Int { .. } => GeneratorKind::Int,
            Generator::Normal { .. } => GeneratorKind::Normal,
            Generator::Sequence { .. } => GeneratorKind::Sequence,
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
