//! How a stream's rate changes over time: its rate profile, its incidents (windows that
//! multiply some cameras' rate) and its outages (windows that silence some cameras),
//! with the limits on the peak rate and on the steps the planner takes to follow them.

use super::cameras::listed;
use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::duration::Nanos;
use crate::scenario::limits;
use crate::scenario::model::{
    Backlog, CameraId, CameraSelection, Duration, IncidentFile, InterArrival, Interpolate, Length,
    OutageFile, RateFile,
};
use crate::text::{shortest, thousands};

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

/// A stream's rate profile, incidents and outages as written.
pub(super) struct Raw {
    /// `rate`, if given.
    pub(super) rate: Option<RateFile>,
    /// `incidents`, none when not given.
    pub(super) incidents: Vec<IncidentFile>,
    /// `outages`, none when not given.
    pub(super) outages: Vec<OutageFile>,
}

/// What the checks of a stream's shaping need to know of the stream.
pub(super) struct Context<'c> {
    /// Its cameras; `None` when they could not be read or are invalid (the checks that
    /// need them are skipped, and counted).
    pub(super) cameras: Option<&'c [CameraId]>,
    /// Whether one process serves all of them.
    pub(super) shared: bool,
    /// The typical gap of its distribution ([`InterArrival::typical_gap`]), for the
    /// peak-rate check; `None` when the distribution could not be read or is invalid.
    pub(super) base_gap: Option<f64>,
    /// The end of the run, in ns.
    pub(super) horizon: u64,
}

/// Where the checks of a stream's shaping put what they find.
pub(super) struct Found<'f> {
    /// Problems: the file is refused.
    pub(super) problems: &'f mut Problems,
    /// Warnings: legal, but probably not meant.
    pub(super) warnings: &'f mut Problems,
}

/// Checks a stream's profile, incidents and outages (at `path`, the stream); then that
/// its peak rate and the steps the planner takes to follow them stay within the limits.
/// A check that needs the stream's cameras or distribution when they are unusable is
/// skipped, and the problem with them says how many were.
pub(super) fn modulation(
    raw: Raw,
    context: &Context<'_>,
    path: &FieldPath,
    found: &mut Found<'_>,
) -> Option<Modulation> {
    if raw.rate.is_none() && raw.incidents.is_empty() && raw.outages.is_empty() {
        return None;
    }
    let problems = &mut *found.problems;
    let rate = raw
        .rate
        .and_then(|r| rate_profile(r, &path.key("rate"), problems));
    let mut skipped = 0;
    let incidents = incidents(raw.incidents, context, path, found, &mut skipped);
    let outages = outages(raw.outages, context, path, found, &mut skipped);
    let problems = &mut *found.problems;
    let modulation = Modulation {
        rate,
        incidents,
        outages,
    };
    // Without a profile or incidents the peak is the base rate, which the distribution's
    // own checks cover.
    let raised = modulation.rate.is_some() || !modulation.incidents.is_empty();
    match context.base_gap {
        Some(base_gap) => check_peak(&modulation, base_gap, path, problems),
        None if raised => problems.skip(&path.key("inter_arrival"), 1),
        None => {}
    }
    let Some(cameras) = context.cameras else {
        problems.skip(&path.key("cameras"), skipped + 1);
        return Some(modulation);
    };
    let steps = shaping_steps(&modulation, context.shared, cameras.len(), context.horizon);
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

/// Checks a stream's incidents (the stream at `path`): factors finite and ≥ 0, cameras
/// named only on a per-camera stream, and their windows; `skipped` counts the checks of
/// their cameras that unusable stream cameras held back.
fn incidents(
    raw: Vec<IncidentFile>,
    context: &Context<'_>,
    path: &FieldPath,
    found: &mut Found<'_>,
    skipped: &mut usize,
) -> Vec<Windows> {
    let mut incidents = Vec::new();
    for (i, incident) in raw.into_iter().enumerate() {
        let at = path.key("incidents").index(i);
        if !(incident.factor.is_finite() && incident.factor >= 0.0) {
            found.problems.push(Problem::new(
                &at.key("factor"),
                format!(
                    "a factor must be a finite number ≥ 0, found {}",
                    incident.factor
                ),
            ));
        }
        if context.shared && incident.cameras.is_some() {
            found.problems.push(
                Problem::new(
                    &at.key("cameras"),
                    "an incident on some cameras needs `arrivals: per_camera`",
                )
                .help("a shared stream is one arrival process for all its cameras: leave `cameras` out to change the whole stream's rate, or make the stream `arrivals: per_camera`"),
            );
        }
        let spec = WindowsFile {
            what: "incident",
            at: incident.at,
            every: incident.every,
            duration: incident.duration,
            cameras: incident.cameras,
            factor: incident.factor,
            backlog: Backlog::Drop,
        };
        if let Some(w) = windows(spec, context, &at, found, skipped) {
            incidents.push(w);
        }
    }
    incidents
}

/// Checks a stream's outages (the stream at `path`): their windows.
fn outages(
    raw: Vec<OutageFile>,
    context: &Context<'_>,
    path: &FieldPath,
    found: &mut Found<'_>,
    skipped: &mut usize,
) -> Vec<Windows> {
    let mut outages = Vec::new();
    for (i, outage) in raw.into_iter().enumerate() {
        let at = path.key("outages").index(i);
        let spec = WindowsFile {
            what: "outage",
            at: outage.at,
            every: outage.every,
            duration: outage.duration,
            cameras: outage.cameras,
            factor: 0.0,
            backlog: outage.backlog.unwrap_or_default(),
        };
        if let Some(w) = windows(spec, context, &at, found, skipped) {
            outages.push(w);
        }
    }
    outages
}

/// The peak rate of a process (the profile's largest factor, with every incident that
/// raises the rate on at the same time) must keep the mean gap, from `base_mean` (the
/// distribution's typical gap), at [`limits::MIN_MEAN_GAP_NS`] or more.
fn check_peak(modulation: &Modulation, base_mean: f64, path: &FieldPath, problems: &mut Problems) {
    let incidents = &modulation.incidents;
    let profile_peak = modulation.rate.as_ref().map_or(1.0, |r| {
        r.points.iter().map(|&(_, f)| f).fold(0.0, f64::max)
    });
    let peak = incidents
        .iter()
        .fold(profile_peak, |p, w| p * w.factor.max(1.0));
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
}

/// About how many steps the planner takes to follow a stream's shaping over the run:
/// every process steps through each piece of the profile, and each window of every entry
/// it follows (incidents: every affected process follows the stream's windows; per-camera
/// outages: each camera its own).
fn shaping_steps(modulation: &Modulation, shared: bool, cameras: usize, horizon: u64) -> f64 {
    let horizon = horizon as f64;
    let processes = if shared { 1.0 } else { cameras as f64 };
    // Pieces: the profile's, in every period, and one every MAX_PIECE_NS at least.
    let pieces = modulation.rate.as_ref().map_or(0.0, |r| {
        let periods = r.repeat.map_or(1.0, |p| (horizon / p as f64).ceil());
        periods * (r.points.len() as f64 + 1.0)
    }) + horizon / limits::MAX_PIECE_NS as f64;
    let windows = |w: &Windows| match &w.start {
        WindowStart::At(_) => 1.0,
        WindowStart::Every(gap) => horizon / gap.typical_gap().max(1.0) + 1.0,
    };
    let follow = |w: &Windows| match (&w.cameras, shared) {
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
    /// `incident` or `outage`, for messages.
    what: &'static str,
    at: Option<Duration>,
    every: Option<InterArrival>,
    duration: Length,
    cameras: Option<CameraSelection>,
    factor: f64,
    backlog: Backlog,
}

/// When the windows of one incident or outage (a `what`, at `path`) start: `at` or
/// `every`. A start at or after the end of the run (`horizon`) is a warning.
fn window_start(
    at: Option<Duration>,
    every: Option<InterArrival>,
    what: &str,
    horizon: u64,
    path: &FieldPath,
    found: &mut Found<'_>,
) -> Option<WindowStart> {
    let problems = &mut *found.problems;
    // `at` or `every` written but unreadable (reported already) is not missing.
    let unreadable = problems.any_at(path)
        || problems.any_under(&path.key("at"))
        || problems.any_under(&path.key("every"));
    match (at, every) {
        (Some(at), None) => {
            if at.0.0 >= horizon {
                let (when, help) = if at.0.0 == horizon {
                    ("as the run ends", "start it before the end")
                } else {
                    ("after the run ends", "move it inside the run")
                };
                found.warnings.push(
                    Problem::new(
                        &path.key("at"),
                        format!(
                            "this {what} starts at {}, {when} (duration: {}): it never happens",
                            at.0,
                            Nanos(horizon)
                        ),
                    )
                    .help(format!("{help}, or make the scenario's `duration` longer")),
                );
            }
            Some(WindowStart::At(at.0.0))
        }
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
        (None, None) if unreadable => None,
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
    }
}

/// Checks one incident or outage (at `path`): when its windows start, how long they
/// last and which cameras they affect.
fn windows(
    raw: WindowsFile,
    context: &Context<'_>,
    path: &FieldPath,
    found: &mut Found<'_>,
    skipped: &mut usize,
) -> Option<Windows> {
    let before = found.problems.len();
    let start = window_start(raw.at, raw.every, raw.what, context.horizon, path, found);
    let problems = &mut *found.problems;
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
    let affected = match (raw.cameras, context.cameras) {
        (None, _) => Some(Affected::All),
        // Which cameras these are cannot be told until the stream's are readable.
        (Some(_), None) => {
            *skipped += 1;
            None
        }
        (Some(CameraSelection::Count(n)), Some(cameras)) => {
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
        (Some(CameraSelection::Listed(ids)), Some(cameras)) => {
            listed(&ids, cameras, &path.key("cameras"), problems).map(Affected::Listed)
        }
    };
    if problems.len() > before {
        return None;
    }
    Some(Windows {
        start: start?,
        length: raw.duration,
        factor: raw.factor,
        cameras: affected?,
        backlog: raw.backlog,
    })
}
