//! The `entities` of an entity stream's stats: what its entities did, from their paths
//! walked once more as the truth walks them (`plan::entity::record`), one entity at a
//! time, in memory bounded by the stream's cameras and edges: how many entered, left and
//! were still inside at the end, visits per entity and sightings per visit, the mean
//! dwell at each camera, the busiest edges of the graph, and how the entities left.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::plan::entity::Ending;
use crate::scenario::Scenario;
use crate::text::thousands as group;
use crate::truth::transitions;

/// How many edges the busiest list holds.
pub const LISTED_EDGES: usize = 5;

/// How many cameras the text's mean dwell line names at most.
const LISTED_DWELLS: usize = 10;

/// What an entity stream's entities did (only those of the run's shard).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EntityStats {
    /// Entities that entered before the run's end.
    pub entered: u64,
    /// Those that left before the end (by `exit`, a dead end or `max_visits`).
    pub left: u64,
    /// Those still inside at the end: in a camera's view, or on their way to the next.
    pub inside_at_end: u64,
    /// Visits per entity that entered.
    pub visits_per_entity: Spread,
    /// Sightings due per visit before the run's end, reported or not (missed ones and
    /// those an outage silenced count; `events` counts the reported ones).
    pub sightings_per_visit: Spread,
    /// Per camera, in the stream's camera order, its visits and their mean dwell
    /// (`leave − enter`; a visit the run's end cuts short counts up to the end).
    pub dwell: Vec<CameraDwell>,
    /// Moves taken in all: from a camera to the next one visited, and out by `exit`.
    pub transitions: u64,
    /// The [`LISTED_EDGES`] edges taken most often, most first; ties by `from` then
    /// `to`, in camera order (`exit` after every camera).
    pub busiest_edges: Vec<BusyEdge>,
    /// The entities that left, by how.
    pub exits: Exits,
}

/// A mean and the largest of a count.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Spread {
    /// The mean.
    pub mean: f64,
    /// The largest.
    pub max: u64,
}

/// One camera's visits.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CameraDwell {
    /// The camera's id.
    pub camera: String,
    /// Visits to it.
    pub visits: u64,
    /// Their mean dwell, in seconds; `None` when nobody visited it.
    pub mean_dwell_s: Option<f64>,
}

/// One edge of the graph and how often it was taken.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BusyEdge {
    /// The camera moved from.
    pub from: String,
    /// The camera moved to, or `exit`.
    pub to: String,
    /// How many times.
    pub transitions: u64,
}

/// The entities that left, by how.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Exits {
    /// By a move to `exit`.
    pub exit: u64,
    /// At a camera without moves.
    pub dead_end: u64,
    /// After their `max_visits`-th visit.
    pub max_visits: u64,
}

/// What the entities of the stream at `stream` did, or `None` when it is not an entity
/// stream.
pub(super) fn compute(scenario: &Scenario, stream: usize) -> Option<EntityStats> {
    let records = crate::plan::process::entity_records(scenario, stream)?;
    let cameras = &scenario.streams[stream].cameras;
    let (mut entered, mut inside, mut exits) = (0u64, 0u64, Exits::default());
    let (mut visits, mut sightings) = (Spread::default(), Spread::default());
    let (mut total_visits, mut total_sightings) = (0u64, 0u64);
    // Per camera position: visits and their summed dwell in ns.
    let mut dwell = vec![(0u64, 0u128); cameras.len()];
    // Per (from, to; `None`: exit): transitions.
    let mut edges: BTreeMap<(u32, Option<u32>), u64> = BTreeMap::new();
    for record in records {
        entered += 1;
        match record.ending {
            Ending::Exit => exits.exit += 1,
            Ending::DeadEnd => exits.dead_end += 1,
            Ending::MaxVisits => exits.max_visits += 1,
            Ending::Inside => inside += 1,
        }
        let n = record.visits.len() as u64;
        total_visits += n;
        visits.max = visits.max.max(n);
        for v in &record.visits {
            total_sightings += v.sightings;
            sightings.max = sightings.max.max(v.sightings);
            let at = &mut dwell[v.visit.camera as usize];
            at.0 += 1;
            at.1 += u128::from(v.visit.leave - v.visit.enter);
        }
        for edge in transitions(&record) {
            *edges.entry(edge).or_default() += 1;
        }
    }
    let mean = |sum: u64, count: u64| {
        if count == 0 {
            0.0
        } else {
            sum as f64 / count as f64
        }
    };
    visits.mean = mean(total_visits, entered);
    sightings.mean = mean(total_sightings, total_visits);
    let name = |c: u32| cameras[c as usize].to_string();
    let ranked = ranked(edges);
    Some(EntityStats {
        entered,
        left: exits.exit + exits.dead_end + exits.max_visits,
        inside_at_end: inside,
        visits_per_entity: visits,
        sightings_per_visit: sightings,
        dwell: dwell
            .iter()
            .enumerate()
            .map(|(c, &(visits, ns))| CameraDwell {
                camera: name(c as u32),
                visits,
                mean_dwell_s: (visits > 0).then(|| ns as f64 / visits as f64 / 1e9),
            })
            .collect(),
        transitions: ranked.iter().map(|e| e.1).sum(),
        busiest_edges: ranked
            .iter()
            .take(LISTED_EDGES)
            .map(|&((from, to), transitions)| BusyEdge {
                from: name(from),
                to: to.map_or("exit".to_string(), name),
                transitions,
            })
            .collect(),
        exits,
    })
}

/// The edges `(from, to; None: exit)` with their transitions, most first; ties by
/// `from`, then `to` (`exit` after every camera).
fn ranked(edges: BTreeMap<(u32, Option<u32>), u64>) -> Vec<((u32, Option<u32>), u64)> {
    let mut ranked: Vec<_> = edges.into_iter().collect();
    ranked.sort_by_key(|&((from, to), n)| (std::cmp::Reverse(n), from, to.is_none(), to));
    ranked
}

/// The lines `simulate stats` writes for an entity stream's entities, indented under its
/// stream.
pub(super) fn write_text(out: &mut String, e: &EntityStats) {
    let x = &e.exits;
    let _ = writeln!(
        out,
        "    entities: {} entered ({} still inside at the end; left by exit {}, dead end {}, \
         max visits {}), {:.1} visits each (at most {}), {:.1} sightings per visit",
        group(e.entered),
        group(e.inside_at_end),
        group(x.exit),
        group(x.dead_end),
        group(x.max_visits),
        e.visits_per_entity.mean,
        group(e.visits_per_entity.max),
        e.sightings_per_visit.mean,
    );
    let visited: Vec<String> = e
        .dwell
        .iter()
        .filter_map(|d| Some(format!("{} {:.1} s", d.camera, d.mean_dwell_s?)))
        .collect();
    let more = match visited.len().saturating_sub(LISTED_DWELLS) {
        0 => String::new(),
        n => format!(", … ({} more cameras)", group(n as u64)),
    };
    let _ = writeln!(
        out,
        "    mean dwell: {}{more}",
        if visited.is_empty() {
            "no visit".to_string()
        } else {
            visited[..visited.len().min(LISTED_DWELLS)].join(", ")
        }
    );
    let edges: Vec<String> = e
        .busiest_edges
        .iter()
        .map(|b| format!("{}→{} {}", b.from, b.to, group(b.transitions)))
        .collect();
    let _ = writeln!(
        out,
        "    busiest edges: {} (of {} transitions)",
        if edges.is_empty() {
            "none".to_string()
        } else {
            edges.join(", ")
        },
        group(e.transitions)
    );
}

#[cfg(test)]
mod tests;
