//! One arrival process: its identity, its own random stream, its gaps, its camera picks,
//! its events.
//!
//! Each process draws from a ChaCha12 generator seeded by its key (SHA-256 of seed, stream
//! name and camera id, `plan/random.rs`), never by creation order, so adding, removing or reordering other streams
//! or cameras leaves its events unchanged. For each event it draws the gap first, then
//! (in a shared stream) the camera. A process owns everything it samples with (its
//! sampler and pick table, built here from the validated stream), so drawing touches no
//! memory but its own.

use rand::distr::weighted::WeightedIndex;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha12Rng;

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Event;
use super::distribution::Sampler;
use super::random::{EntryKind, Key};
use super::rate::{Profile, TimeChange};
use super::schedule::{EntryWindow, Schedule, Tracker};
use crate::scenario::model::{Backlog, FirstEvent};
use crate::scenario::validate::{Affected, Modulation, WindowStart, Windows};
use crate::scenario::{CameraPick, Scenario, Stream, StreamArrivals};

/// Every arrival process of a scenario, in plan order, as (stream position, camera
/// position for a per-camera stream): one for a shared stream, one per camera (in camera
/// order) otherwise. The one list behind [`keys`] and [`processes`].
fn slots(scenario: &Scenario) -> impl Iterator<Item = (u32, Option<u32>)> + '_ {
    scenario
        .streams
        .iter()
        .enumerate()
        .flat_map(|(index, stream)| {
            let cameras = match stream.arrivals {
                StreamArrivals::Shared(_) => 0..0,
                StreamArrivals::PerCamera => 0..stream.cameras.len() as u32,
            };
            let shared = cameras.is_empty().then_some(None);
            shared
                .into_iter()
                .chain(cameras.map(Some))
                .map(move |camera| (index as u32, camera))
        })
}

/// The keys of every arrival process of a scenario, in plan order.
pub(crate) fn keys(scenario: &Scenario) -> impl Iterator<Item = Key> + '_ {
    slots(scenario).map(|(stream, camera)| {
        let stream = &scenario.streams[stream as usize];
        Key::process(
            scenario.seed,
            &stream.name,
            camera.map(|c| &stream.cameras[c as usize]),
        )
    })
}

/// How a process chooses the camera of each event.
#[derive(Debug, Clone)]
enum Pick {
    /// Always this camera (a per-camera process).
    Fixed(u32),
    /// Uniformly among `n`.
    Uniform(u32),
    /// In turn among `n`.
    RoundRobin(u32),
    /// By weight (boxed: only shared streams, one per stream, carry one).
    Weighted(Box<WeightedIndex<f64>>),
}

/// A running arrival process.
#[derive(Debug, Clone)]
pub struct Process {
    rng: ChaCha12Rng,
    sampler: Sampler,
    pick: Pick,
    first_event: FirstEvent,
    stream: u32,
    identity: u64,
    seq: u64,
    duration: u64,
    /// How its rate changes over time; `None` for a stream at its base rate forever,
    /// which draws exactly as it did before rates could change.
    modulated: Option<Box<Modulated>>,
}

/// What shapes a process whose rate changes: its time change, and, in a shared stream,
/// the outages of some of its cameras (events picked for a camera that is out are
/// dropped; they keep their sequence numbers, so the other cameras' events stay as
/// they are).
#[derive(Debug, Clone)]
struct Modulated {
    /// `None` when nothing shapes the rate itself (only drop-outs): time is not changed,
    /// and gaps add up exactly as they do without shaping.
    change: Option<TimeChange>,
    dropouts: Option<Dropouts>,
}

/// The outages of some cameras of a shared stream.
#[derive(Debug, Clone, Default)]
struct Dropouts {
    /// Per camera position, the outages listed for it (each on its own schedule), with
    /// their entries.
    listed: BTreeMap<u32, Vec<(Tracker, usize)>>,
    /// Outages that take a number of cameras drawn for each window.
    drawn: Vec<DrawnWindows>,
}

impl Dropouts {
    /// Whether the camera at `camera` is out at `t` (never asked about an earlier `t`).
    fn out(&mut self, camera: u32, t: u64) -> bool {
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

/// What the processes of one stream share: its rate profile, ready to look up.
struct Shared {
    profile: Option<Arc<Profile>>,
}

impl Modulated {
    /// The time change (and drop-outs) of the process of `stream` for `camera` (its
    /// position; `None` for the shared process of a shared stream).
    fn new(
        scenario: &Scenario,
        stream: &Stream,
        modulation: &Modulation,
        shared: &Shared,
        camera: Option<u32>,
    ) -> Option<Modulated> {
        let (followed, dropouts) = shape(scenario, stream, modulation, camera);
        let windows: Vec<(Tracker, f64)> = followed
            .into_iter()
            .map(|f| (f.tracker, f.factor))
            .collect();
        let has_dropouts = !dropouts.listed.is_empty() || !dropouts.drawn.is_empty();
        let changes = shared.profile.is_some() || !windows.is_empty();
        let change =
            changes.then(|| TimeChange::new(shared.profile.clone(), windows, scenario.duration.0));
        // A camera nothing shapes (another camera's outage, say) draws as if unshaped.
        (change.is_some() || has_dropouts).then_some(Modulated {
            change,
            dropouts: has_dropouts.then_some(dropouts),
        })
    }
}

/// One entry's windows as one process follows them.
#[derive(Debug, Clone)]
struct Followed {
    tracker: Tracker,
    /// The factor inside a window (0 for an outage).
    factor: f64,
    /// The entry: its position among the stream's incidents, then its outages.
    entry: usize,
}

/// The windows that shape the rate of the process of `stream` for `camera` (its
/// position; `None` for a shared stream's process), and the drop-outs of a shared
/// stream's cameras: every schedule at its start.
fn shape(
    scenario: &Scenario,
    stream: &Stream,
    modulation: &Modulation,
    camera: Option<u32>,
) -> (Vec<Followed>, Dropouts) {
    let horizon = scenario.duration.0;
    let m = stream.cameras.len() as u32;
    // The windows of an entry, keyed by the camera for a schedule of its own.
    let schedule = |entry: &Windows, kind, position, own: Option<u32>| {
        let key = Key::schedule(
            scenario.seed,
            &stream.name,
            kind,
            position,
            own.map(|c| &stream.cameras[c as usize]),
        );
        Schedule::new(entry, m, key, horizon)
    };
    let listed = |entry: &Windows, c: u32| match &entry.cameras {
        Affected::Listed(list) => list.binary_search(&c).is_ok(),
        Affected::All | Affected::Drawn(_) => true,
    };
    let mut followed = Vec::new();
    let mut dropouts = Dropouts::default();
    for (i, entry) in modulation.incidents.iter().enumerate() {
        // Incident windows are the stream's: one schedule, for every camera it takes.
        let tracker = match (&entry.cameras, camera) {
            (Affected::Drawn(_), Some(c)) => {
                Tracker::new(schedule(entry, EntryKind::Incident, i, None), Some(c))
            }
            (_, Some(c)) if !listed(entry, c) => continue,
            // A shared stream takes only incidents on every camera (validation).
            (Affected::Listed(_) | Affected::Drawn(_), None) => continue,
            _ => Tracker::new(schedule(entry, EntryKind::Incident, i, None), None),
        };
        followed.push(Followed {
            tracker,
            factor: entry.factor,
            entry: i,
        });
    }
    let first_outage = modulation.incidents.len();
    for (j, entry) in modulation.outages.iter().enumerate() {
        // Store-and-forward: the cameras keep recording; their messages are held until
        // the outage ends (`plan/fault.rs`), the rate is not touched.
        if entry.backlog == Backlog::Send {
            continue;
        }
        let id = first_outage + j;
        let tracker = match (&entry.cameras, camera) {
            // Per camera: each camera fails on its own, on a schedule keyed by it, ...
            (Affected::All | Affected::Listed(_), Some(c)) if listed(entry, c) => {
                Tracker::new(schedule(entry, EntryKind::Outage, j, Some(c)), None)
            }
            (Affected::All | Affected::Listed(_), Some(_)) => continue,
            // ... or with the cameras drawn for each window.
            (Affected::Drawn(_), Some(c)) => {
                Tracker::new(schedule(entry, EntryKind::Outage, j, None), Some(c))
            }
            // A shared stream: without cameras the whole stream goes out; ...
            (Affected::All, None) => {
                Tracker::new(schedule(entry, EntryKind::Outage, j, None), None)
            }
            // ... with cameras, the events picked for them are dropped.
            (Affected::Listed(list), None) => {
                for &c in list {
                    let tracker =
                        Tracker::new(schedule(entry, EntryKind::Outage, j, Some(c)), None);
                    dropouts.listed.entry(c).or_default().push((tracker, id));
                }
                continue;
            }
            (Affected::Drawn(_), None) => {
                let windows = DrawnWindows::new(schedule(entry, EntryKind::Outage, j, None), id);
                dropouts.drawn.push(windows);
                continue;
            }
        };
        followed.push(Followed {
            tracker,
            factor: 0.0,
            entry: id,
        });
    }
    (followed, dropouts)
}

impl Process {
    /// The process of `stream` (at `stream_index` in the scenario) for `camera`, the
    /// camera's position in a per-camera stream, or `None` for a shared stream.
    fn new(scenario: &Scenario, stream_index: u32, camera: Option<u32>, shared: &Shared) -> Self {
        let stream = &scenario.streams[stream_index as usize];
        let key = Key::process(
            scenario.seed,
            &stream.name,
            camera.map(|c| &stream.cameras[c as usize]),
        );
        let n = stream.cameras.len() as u32;
        let pick = match (&stream.arrivals, camera) {
            (_, Some(camera)) => Pick::Fixed(camera),
            (StreamArrivals::Shared(CameraPick::Uniform), None) => Pick::Uniform(n),
            (StreamArrivals::Shared(CameraPick::RoundRobin), None) => Pick::RoundRobin(n),
            (StreamArrivals::Shared(CameraPick::Weighted(weights)), None) => {
                // Validation guarantees finite, non-negative weights with a positive,
                // finite sum: the conditions WeightedIndex needs.
                match WeightedIndex::new(weights.iter().copied()) {
                    Ok(w) => Pick::Weighted(Box::new(w)),
                    Err(e) => panic!("bug: validated weights refused by rand: {e}"),
                }
            }
            (StreamArrivals::PerCamera, None) => Pick::Fixed(0),
        };
        Process {
            rng: ChaCha12Rng::from_seed(key.0),
            sampler: Sampler::new(&stream.inter_arrival),
            pick,
            first_event: stream.first_event,
            stream: stream_index,
            identity: key.head(),
            seq: 0,
            duration: scenario.duration.0,
            modulated: stream
                .modulation
                .as_ref()
                .and_then(|modulation| Modulated::new(scenario, stream, modulation, shared, camera))
                .map(Box::new),
        }
    }

    /// The identity its events carry ([`Event::process`]).
    pub(crate) fn identity(&self) -> u64 {
        self.identity
    }

    /// The position of its stream in the scenario.
    pub(crate) fn stream(&self) -> u32 {
        self.stream
    }

    /// The process's first event, if it falls inside the duration.
    pub fn first(&mut self) -> Option<Event> {
        let gap = match self.first_event {
            FirstEvent::AtStart => 0,
            FirstEvent::AfterGap => self.sampler.sample(&mut self.rng),
        };
        if self.modulated.is_some() {
            return self.modulated(gap, None);
        }
        self.emit(gap)
    }

    /// The event after one at `offset`, if it falls inside the duration.
    #[inline]
    pub fn after(&mut self, offset: u64) -> Option<Event> {
        let gap = self.sampler.sample(&mut self.rng);
        if self.modulated.is_some() {
            return self.modulated(gap, Some(offset));
        }
        self.emit(offset.checked_add(gap)?)
    }

    /// The next event of a process whose rate changes: `gap` (operational time) after
    /// the event at `previous`, through the time change; events picked for a camera that
    /// is out are dropped, and the next gap drawn.
    #[inline(never)]
    fn modulated(&mut self, mut gap: u64, mut previous: Option<u64>) -> Option<Event> {
        loop {
            let modulated = self.modulated.as_mut()?;
            let reached = match &mut modulated.change {
                Some(change) => change.advance(gap)?,
                None => previous.unwrap_or(0).checked_add(gap)?,
            };
            // Strictly after the previous event, whatever the rounding.
            let t = previous.map_or(reached, |p| reached.max(p + 1));
            if t >= self.duration {
                return None;
            }
            let camera = self.pick_camera();
            let out = match &mut self.modulated.as_mut()?.dropouts {
                Some(dropouts) => dropouts.out(camera, t),
                None => false,
            };
            if !out {
                return Some(self.event(t, camera));
            }
            self.seq += 1;
            previous = Some(t);
            gap = self.sampler.sample(&mut self.rng);
        }
    }

    #[inline]
    fn emit(&mut self, offset_ns: u64) -> Option<Event> {
        if offset_ns >= self.duration {
            return None;
        }
        let camera = self.pick_camera();
        Some(self.event(offset_ns, camera))
    }

    /// The event at `offset_ns` for the camera at `camera`; the sequence moves on.
    #[inline]
    fn event(&mut self, offset_ns: u64, camera: u32) -> Event {
        let event = Event {
            offset_ns,
            stream: self.stream,
            camera,
            seq: self.seq,
            process: self.identity,
        };
        self.seq += 1;
        event
    }

    /// The camera of the next event: its own for a per-camera process, a pick otherwise.
    #[inline]
    fn pick_camera(&mut self) -> u32 {
        match &self.pick {
            Pick::Fixed(camera) => *camera,
            Pick::Uniform(n) => self.rng.random_range(0..*n),
            Pick::RoundRobin(n) => (self.seq % u64::from(*n)) as u32,
            Pick::Weighted(w) => self.rng.sample(w.as_ref()) as u32,
        }
    }
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
        StreamArrivals::Shared(_) => None,
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
/// the camera is held until it ends (`plan/fault.rs`). The same schedules the rate
/// follows (`shape`), keyed the same way.
pub(crate) fn outage_trackers(scenario: &Scenario, stream: usize, camera: u32) -> Vec<Tracker> {
    let s = &scenario.streams[stream];
    let Some(modulation) = &s.modulation else {
        return Vec::new();
    };
    let shared = matches!(s.arrivals, StreamArrivals::Shared(_));
    let m = s.cameras.len() as u32;
    let horizon = scenario.duration.0;
    let schedule = |j: usize, entry: &Windows, own: Option<u32>| {
        let key = Key::schedule(
            scenario.seed,
            &s.name,
            EntryKind::Outage,
            j,
            own.map(|c| &s.cameras[c as usize]),
        );
        Schedule::new(entry, m, key, horizon)
    };
    modulation
        .outages
        .iter()
        .enumerate()
        .filter_map(|(j, entry)| match (&entry.cameras, shared) {
            (Affected::Drawn(_), _) => Some(Tracker::new(schedule(j, entry, None), Some(camera))),
            (Affected::All, true) => Some(Tracker::new(schedule(j, entry, None), None)),
            (Affected::Listed(list), _) if list.binary_search(&camera).is_err() => None,
            (Affected::All | Affected::Listed(_), _) => {
                Some(Tracker::new(schedule(j, entry, Some(camera)), None))
            }
        })
        .collect()
}

/// The arrival processes of a scenario, in plan order (that of `keys`), each at its
/// start: the plan merges them, and a test runs each on its own as the plan's definition.
pub fn processes(scenario: &Scenario) -> Vec<Process> {
    let shared: Vec<Shared> = scenario
        .streams
        .iter()
        .map(|stream| Shared {
            profile: stream
                .modulation
                .as_ref()
                .and_then(|m| m.rate.as_ref())
                .map(|rate| Arc::new(Profile::new(rate))),
        })
        .collect();
    // A shard draws only the per-camera processes of its own cameras; shared streams are
    // drawn in full (their events are kept per camera downstream, in `fault.rs`).
    let owned = super::shard::owned(scenario);
    slots(scenario)
        .filter(|&(stream, camera)| match (&owned, camera) {
            (Some(owned), Some(c)) => owned[stream as usize][c as usize],
            _ => true,
        })
        .map(|(stream, camera)| Process::new(scenario, stream, camera, &shared[stream as usize]))
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
    let horizon = scenario.duration.0;
    let cameras = stream.cameras.len() as u32;
    let per_camera = stream.arrivals == StreamArrivals::PerCamera;
    let mut out = Vec::new();
    let mut list = |entry: &Windows, kind, i, outage| {
        let key = Key::schedule(scenario.seed, &stream.name, kind, i, None);
        let mut schedule = Schedule::new(entry, cameras, key, horizon);
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
        let fixed = matches!(entry.start, WindowStart::At(_))
            && matches!(entry.length, crate::scenario::model::Length::Fixed(_));
        let own_schedules = !fixed
            && match entry.cameras {
                Affected::Drawn(_) => false,
                Affected::All => per_camera,
                Affected::Listed(_) => true,
            };
        if !own_schedules {
            list(entry, EntryKind::Outage, j, true);
        }
    }
    out
}
