//! Which incident and outage windows shape which process and camera: the rate a process
//! follows (`shape`, for `plan/process.rs`), the outages that hold a camera's messages
//! back (`outage_trackers`, for `plan/send.rs`), and the windows a check or a plot lists
//! ([`camera_windows`], [`stream_windows`]). How one entry's windows are drawn is
//! `plan/schedule.rs`.
//!
//! The rule "which schedule does outage `j` follow for camera `c`" is written once
//! (`OutageSchedule::of` and `takes`) and every one of those four answers applies it, so
//! the plan, the store-and-forward hold and the plot cannot disagree: an outage on drawn
//! cameras, or on every camera of a shared stream, is the stream's one schedule; an
//! outage on listed cameras, or on every camera of a per-camera stream, is a schedule of
//! each camera's own, keyed by the camera, so each camera fails on its own.

use std::collections::BTreeMap;

use super::random::{EntryKind, Key};
use super::schedule::{EntryWindow, Schedule, Tracker};
use crate::scenario::model::{Backlog, Length};
use crate::scenario::validate::{Affected, Modulation, WindowStart, Windows};
use crate::scenario::{Scenario, Stream, StreamArrivals};

/// Where an outage entry's windows come from for the cameras it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OutageSchedule {
    /// The stream's one schedule; with `drawn`, a window takes only the cameras drawn for
    /// it.
    Stream {
        /// Whether each window draws the cameras it takes.
        drawn: bool,
    },
    /// A schedule of each camera's own, keyed by the camera.
    PerCamera,
}

impl OutageSchedule {
    /// The rule: the schedule outage `entry` follows for the cameras it takes, in a stream
    /// whose arrivals are per camera (`per_camera`) or shared.
    fn of(entry: &Windows, per_camera: bool) -> Self {
        match entry.cameras {
            Affected::Drawn(_) => OutageSchedule::Stream { drawn: true },
            Affected::All if !per_camera => OutageSchedule::Stream { drawn: false },
            Affected::All | Affected::Listed(_) => OutageSchedule::PerCamera,
        }
    }
}

/// Whether `entry` can take the camera at position `camera`: a listed one, or any (an
/// entry on drawn cameras takes those drawn for each window).
fn takes(entry: &Windows, camera: u32) -> bool {
    match &entry.cameras {
        Affected::Listed(list) => list.binary_search(&camera).is_ok(),
        Affected::All | Affected::Drawn(_) => true,
    }
}

/// The cameras `entry` can take, of a stream of `m`, in order.
fn taken(entry: &Windows, m: u32) -> impl Iterator<Item = u32> + '_ {
    let (listed, all) = match &entry.cameras {
        Affected::Listed(list) => (&list[..], 0),
        Affected::All | Affected::Drawn(_) => (&[][..], m),
    };
    listed.iter().copied().chain(0..all)
}

/// The schedules of one stream's entries, keyed as the plan keys them.
struct Schedules<'a> {
    scenario: &'a Scenario,
    stream: &'a Stream,
}

impl<'a> Schedules<'a> {
    fn new(scenario: &'a Scenario, stream: &'a Stream) -> Self {
        Schedules { scenario, stream }
    }

    fn per_camera(&self) -> bool {
        self.stream.arrivals == StreamArrivals::PerCamera
    }

    /// The schedule of `entry`, the `position`-th of its kind, keyed by the camera at
    /// `own` for a schedule of its own.
    fn schedule(
        &self,
        entry: &Windows,
        kind: EntryKind,
        position: usize,
        own: Option<u32>,
    ) -> Schedule {
        let stream = self.stream;
        let key = Key::schedule(
            self.scenario.seed,
            &stream.name,
            kind,
            position,
            own.map(|c| &stream.cameras[c as usize]),
        );
        let cameras = stream.cameras.len() as u32;
        Schedule::new(entry, cameras, key, self.scenario.duration.0)
    }

    /// The windows of outage `entry` (the `j`-th) that take the camera at `camera`,
    /// followed forward in time, or `None` when it never takes the camera: the rule
    /// applied.
    fn outage(&self, entry: &Windows, j: usize, camera: u32) -> Option<Tracker> {
        if !takes(entry, camera) {
            return None;
        }
        Some(match OutageSchedule::of(entry, self.per_camera()) {
            OutageSchedule::Stream { drawn } => Tracker::new(
                self.schedule(entry, EntryKind::Outage, j, None),
                drawn.then_some(camera),
            ),
            OutageSchedule::PerCamera => Tracker::new(
                self.schedule(entry, EntryKind::Outage, j, Some(camera)),
                None,
            ),
        })
    }
}

/// The outages of some cameras of a shared stream.
#[derive(Debug, Clone, Default)]
pub(crate) struct Dropouts {
    /// Per camera position, the outages listed for it (each on its own schedule), with
    /// their entries.
    listed: BTreeMap<u32, Vec<(Tracker, usize)>>,
    /// Outages that take a number of cameras drawn for each window.
    drawn: Vec<DrawnWindows>,
}

impl Dropouts {
    /// Whether any camera drops out at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.listed.is_empty() && self.drawn.is_empty()
    }

    /// Whether the camera at `camera` is out at `t` (never asked about an earlier `t`).
    #[inline]
    pub(crate) fn out(&mut self, camera: u32, t: u64) -> bool {
        let listed = self.listed.get_mut(&camera).is_some_and(|trackers| {
            trackers
                .iter_mut()
                .fold(false, |out, (tracker, _)| tracker.inside(t) | out)
        });
        let drawn = self
            .drawn
            .iter_mut()
            .fold(false, |out, d| d.takes(camera, t) | out);
        listed || drawn
    }
}

/// The windows of one entry that draws cameras, followed forward in time.
#[derive(Debug, Clone)]
struct DrawnWindows {
    schedule: Schedule,
    upcoming: Option<EntryWindow>,
    active: Vec<EntryWindow>,
    /// The entry: its position among the stream's incidents, then its outages.
    entry: usize,
}

impl DrawnWindows {
    fn new(mut schedule: Schedule, entry: usize) -> Self {
        let upcoming = schedule.next_window();
        DrawnWindows {
            schedule,
            upcoming,
            active: Vec::new(),
            entry,
        }
    }

    /// Whether a window active at `t` took the camera at `camera`.
    #[inline]
    fn takes(&mut self, camera: u32, t: u64) -> bool {
        self.active.retain(|w| w.end > t);
        while let Some(window) = self.upcoming.filter(|w| w.start <= t) {
            if window.end > t {
                self.active.push(window);
            }
            self.upcoming = self.schedule.next_window();
        }
        self.active
            .iter()
            .any(|w| w.drawn.is_some_and(|d| d.contains(camera)))
    }
}

/// One entry's windows as one process follows them.
#[derive(Debug, Clone)]
pub(crate) struct Followed {
    /// The entry's windows that take the process's camera (or its whole stream).
    pub tracker: Tracker,
    /// The factor inside a window (0 for an outage).
    pub factor: f64,
    /// The entry: its position among the stream's incidents, then its outages.
    entry: usize,
}

/// The windows that shape the rate of the process of `stream` for `camera` (its
/// position; `None` for a shared stream's process), and the drop-outs of a shared
/// stream's cameras: every schedule at its start.
pub(crate) fn shape(
    scenario: &Scenario,
    stream: &Stream,
    modulation: &Modulation,
    camera: Option<u32>,
) -> (Vec<Followed>, Dropouts) {
    let schedules = Schedules::new(scenario, stream);
    let mut followed = Vec::new();
    for (i, entry) in modulation.incidents.iter().enumerate() {
        // Incident windows are the stream's: one schedule, for every camera it takes.
        let schedule = || schedules.schedule(entry, EntryKind::Incident, i, None);
        let tracker = match (&entry.cameras, camera) {
            (Affected::Drawn(_), Some(c)) => Tracker::new(schedule(), Some(c)),
            (Affected::All | Affected::Listed(_), Some(c)) if !takes(entry, c) => continue,
            (Affected::All | Affected::Listed(_), Some(_)) | (Affected::All, None) => {
                Tracker::new(schedule(), None)
            }
            // A shared stream takes only incidents on every camera (validation).
            (Affected::Listed(_) | Affected::Drawn(_), None) => continue,
        };
        followed.push(Followed {
            tracker,
            factor: entry.factor,
            entry: i,
        });
    }
    let mut dropouts = Dropouts::default();
    let first_outage = modulation.incidents.len();
    let m = stream.cameras.len() as u32;
    for (j, entry) in modulation.outages.iter().enumerate() {
        // Store-and-forward: the cameras keep recording; their messages are held until
        // the outage ends (`plan/send.rs`), the rate is not touched.
        if entry.backlog == Backlog::Send {
            continue;
        }
        let id = first_outage + j;
        let out = |tracker| Followed {
            tracker,
            factor: 0.0,
            entry: id,
        };
        match (camera, OutageSchedule::of(entry, schedules.per_camera())) {
            // A per-camera process: the camera's outages silence it.
            (Some(c), _) => followed.extend(schedules.outage(entry, j, c).map(out)),
            // A shared stream: without cameras the whole stream goes out; ...
            (None, OutageSchedule::Stream { drawn: false }) => {
                let whole = schedules.schedule(entry, EntryKind::Outage, j, None);
                followed.push(out(Tracker::new(whole, None)));
            }
            // ... with cameras, the events picked for them are dropped.
            (None, OutageSchedule::Stream { drawn: true }) => {
                let windows = schedules.schedule(entry, EntryKind::Outage, j, None);
                dropouts.drawn.push(DrawnWindows::new(windows, id));
            }
            (None, OutageSchedule::PerCamera) => {
                for c in taken(entry, m) {
                    if let Some(tracker) = schedules.outage(entry, j, c) {
                        dropouts.listed.entry(c).or_default().push((tracker, id));
                    }
                }
            }
        }
    }
    (followed, dropouts)
}

/// One incident or outage window of a camera: `[start, end)` in ns, the factor on its
/// rate inside (0 for an outage), and the entry it belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraWindow {
    /// The first nanosecond inside.
    pub start: u64,
    /// The first nanosecond after.
    pub end: u64,
    /// The factor on the camera's rate inside (0: out).
    pub factor: f64,
    /// The entry: its position among the stream's incidents, then among its outages
    /// (after the incidents). Overlapping windows of one entry merge.
    pub entry: usize,
}

/// Every incident and outage window of the camera at position `camera` of the stream at
/// position `stream`, drawn as the plan draws them: to check a plan against its windows,
/// or to draw them. Windows of one entry may overlap (they merge, they do not multiply).
pub fn camera_windows(scenario: &Scenario, stream: usize, camera: u32) -> Vec<CameraWindow> {
    let s = &scenario.streams[stream];
    let Some(modulation) = &s.modulation else {
        return Vec::new();
    };
    let own = match s.arrivals {
        StreamArrivals::PerCamera => Some(camera),
        StreamArrivals::Shared(_) | StreamArrivals::Entities(_) | StreamArrivals::Replay(_) => None,
    };
    let (followed, dropouts) = shape(scenario, s, modulation, own);
    let window = |w: EntryWindow, factor, entry| CameraWindow {
        start: w.start,
        end: w.end,
        factor,
        entry,
    };
    let mut out: Vec<CameraWindow> = followed
        .iter()
        .flat_map(|f| {
            f.tracker
                .windows()
                .map(move |w| window(w, f.factor, f.entry))
        })
        .collect();
    for (tracker, entry) in dropouts.listed.get(&camera).into_iter().flatten() {
        out.extend(tracker.windows().map(|w| window(w, 0.0, *entry)));
    }
    for drawn in &dropouts.drawn {
        let mut schedule = drawn.schedule.clone();
        let all = drawn
            .upcoming
            .into_iter()
            .chain(std::iter::from_fn(move || schedule.next_window()));
        out.extend(
            all.filter(|w| w.drawn.is_some_and(|d| d.contains(camera)) && w.end > w.start)
                .map(|w| window(w, 0.0, drawn.entry)),
        );
    }
    out
}

/// The outages of the camera at position `camera` of the stream at position `stream`,
/// each followed forward in time, whatever its backlog: a message due while one holds
/// the camera is held until it ends (`plan/send.rs`). The same schedules the rate
/// follows (`shape`), by the same rule.
pub(crate) fn outage_trackers(scenario: &Scenario, stream: usize, camera: u32) -> Vec<Tracker> {
    let s = &scenario.streams[stream];
    let Some(modulation) = &s.modulation else {
        return Vec::new();
    };
    let schedules = Schedules::new(scenario, s);
    modulation
        .outages
        .iter()
        .enumerate()
        .filter_map(|(j, entry)| schedules.outage(entry, j, camera))
        .collect()
}

/// Per camera position of the entity stream `stream`, the incidents that name cameras
/// and take it, with their factors: they shape the rate at which entities enter there
/// (`plan/rate.rs`, `Groups`). Incidents on every camera shape the whole stream's
/// arrivals (`shape`).
pub(crate) fn entry_incidents(scenario: &Scenario, stream: &Stream) -> Vec<Vec<(Tracker, f64)>> {
    let schedules = Schedules::new(scenario, stream);
    let cameras = stream.cameras.len() as u32;
    let incidents = stream
        .modulation
        .as_ref()
        .map_or(&[][..], |m| &m.incidents[..]);
    (0..cameras)
        .map(|c| {
            incidents
                .iter()
                .enumerate()
                .filter_map(|(i, entry)| {
                    let schedule = || schedules.schedule(entry, EntryKind::Incident, i, None);
                    let tracker = match &entry.cameras {
                        Affected::All => return None,
                        Affected::Listed(_) if !takes(entry, c) => return None,
                        Affected::Listed(_) => Tracker::new(schedule(), None),
                        Affected::Drawn(_) => Tracker::new(schedule(), Some(c)),
                    };
                    Some((tracker, entry.factor))
                })
                .collect()
        })
        .collect()
}

/// Per camera position of the entity stream at `stream`, the outages that silence the
/// camera (those that drop their backlog; a `backlog: send` outage holds its messages in
/// `plan/send.rs` instead), by the rule every other answer here applies.
pub(crate) fn silencing_outages(scenario: &Scenario, stream: usize) -> Vec<Vec<Tracker>> {
    let s = &scenario.streams[stream];
    let cameras = s.cameras.len() as u32;
    let Some(modulation) = &s.modulation else {
        return vec![Vec::new(); cameras as usize];
    };
    let schedules = Schedules::new(scenario, s);
    (0..cameras)
        .map(|camera| {
            modulation
                .outages
                .iter()
                .enumerate()
                .filter(|(_, entry)| entry.backlog == Backlog::Drop)
                .filter_map(|(j, entry)| schedules.outage(entry, j, camera))
                .collect()
        })
        .collect()
}

/// Most windows of one entry [`stream_windows`] lists.
const LISTED_WINDOWS: usize = 10_000;

/// The incident and outage windows of the stream at `position` that are the same for
/// every camera they affect (one schedule for all of them, or a fixed instant and
/// length), as `(start, end, outage)` in ns, in order of entry then start: what a plot
/// shades. Outages that each camera draws at random on its own are not listed.
pub fn stream_windows(scenario: &Scenario, position: usize) -> Vec<(u64, u64, bool)> {
    let stream = &scenario.streams[position];
    let Some(modulation) = &stream.modulation else {
        return Vec::new();
    };
    let schedules = Schedules::new(scenario, stream);
    let horizon = scenario.duration.0;
    let mut out = Vec::new();
    let mut list = |entry: &Windows, kind, i, outage| {
        let mut schedule = schedules.schedule(entry, kind, i, None);
        for _ in 0..LISTED_WINDOWS {
            let Some(window) = schedule.next_window() else {
                break;
            };
            out.push((window.start, window.end.min(horizon), outage));
        }
    };
    for (i, entry) in modulation.incidents.iter().enumerate() {
        list(entry, EntryKind::Incident, i, false);
    }
    for (j, entry) in modulation.outages.iter().enumerate() {
        // A fixed window is the same whatever its schedule's key.
        let fixed =
            matches!(entry.start, WindowStart::At(_)) && matches!(entry.length, Length::Fixed(_));
        let per_camera = OutageSchedule::of(entry, schedules.per_camera());
        if fixed || per_camera != OutageSchedule::PerCamera {
            list(entry, EntryKind::Outage, j, true);
        }
    }
    out
}
