//! How a stream's rate changes over time as a file writes it: the rate profile, incidents
//! (windows with a factor on some cameras' rate) and outages (windows in which cameras
//! send nothing).

use schemars::JsonSchema;

use super::cameras::CameraId;
use super::gaps::{Duration, InterArrival, Length};

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
