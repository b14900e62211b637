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
    /// Its cameras.
    pub(super) cameras: &'c [CameraId],
    /// Whether one process serves all of them.
    pub(super) shared: bool,
    /// The typical gap of its distribution ([`InterArrival::typical_gap`]), for the
    /// peak-rate check.
    pub(super) base_gap: f64,
    /// The end of the run, in ns.
    pub(super) horizon: u64,
}

/// Checks a stream's profile, incidents and outages; then that its peak rate and the
/// steps the planner takes to follow them stay within the limits.
pub(super) fn modulation(
    raw: Raw,
    context: &Context<'_>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Option<Modulation> {
    if raw.rate.is_none() && raw.incidents.is_empty() && raw.outages.is_empty() {
        return None;
    }
    let rate = raw
        .rate
        .and_then(|r| rate_profile(r, &path.key("rate"), problems));
    let incidents = incidents(raw.incidents, context, &path.key("incidents"), problems);
    let outages = outages(raw.outages, context.cameras, &path.key("outages"), problems);
    let modulation = Modulation {
        rate,
        incidents,
        outages,
    };
    check_peak(&modulation, context.base_gap, path, problems);
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

/// Checks a stream's incidents (at `path`, the `incidents` list): factors finite and ≥ 0,
/// cameras named only on a per-camera stream, and their windows.
fn incidents(
    raw: Vec<IncidentFile>,
    context: &Context<'_>,
    path: &FieldPath,
    problems: &mut Problems,
) -> Vec<Windows> {
    let mut incidents = Vec::new();
    for (i, incident) in raw.into_iter().enumerate() {
        let at = path.index(i);
        if !(incident.factor.is_finite() && incident.factor >= 0.0) {
            problems.push(Problem::new(
                &at.key("factor"),
                format!(
                    "a factor must be a finite number ≥ 0, found {}",
                    incident.factor
                ),
            ));
        }
        if context.shared && incident.cameras.is_some() {
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
        let cameras = context.cameras;
        if let Some(w) = windows(spec, incident.factor, Backlog::Drop, cameras, &at, problems) {
            incidents.push(w);
        }
    }
    incidents
}

/// Checks a stream's outages (at `path`, the `outages` list): their windows.
fn outages(
    raw: Vec<OutageFile>,
    cameras: &[CameraId],
    path: &FieldPath,
    problems: &mut Problems,
) -> Vec<Windows> {
    let mut outages = Vec::new();
    for (i, outage) in raw.into_iter().enumerate() {
        let at = path.index(i);
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
        Some(CameraSelection::Listed(ids)) => {
            listed(&ids, cameras, &path.key("cameras"), problems).map(Affected::Listed)
        }
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
