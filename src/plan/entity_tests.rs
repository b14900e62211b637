//! The planner's entity streams against their own definition: every sighting inside a
//! visit the truth's walk gives, visits along the graph, shards that add up to the
//! single run, draws that stay apart. (Statistics against independent references are in
//! `tests/it/entities.rs`.)

use std::collections::BTreeMap;

use super::entity::ids::{entity_of, sighting_of, visit_of};
use super::entity::testing::{mall, seconds};
use super::entity::{Ending, Graph};
use crate::plan::{Events, Plan};
use crate::scenario::model::InterArrival;
use crate::scenario::validate::Target;
use crate::scenario::{Scenario, Shard, StreamArrivals};

#[test]
fn every_sighting_lies_in_a_visit_of_the_walk_and_paths_follow_the_graph() {
    let scenario = mall("2h", 0.1);
    let StreamArrivals::Entities(entities) = &scenario.streams[0].arrivals else {
        unreachable!()
    };
    let graph = Graph::new(entities, 4);
    let records: Vec<_> = crate::plan::process::entity_records(&scenario, 0)
        .unwrap()
        .collect();
    assert!(records.len() > 300, "{} entities", records.len());
    let by_entity: BTreeMap<u64, _> = records.iter().map(|r| (r.entity, r)).collect();
    let mut last = None;
    let mut counted: BTreeMap<(u64, u32), u64> = BTreeMap::new();
    for event in Events::new(&scenario) {
        let key = (event.offset_ns, event.camera, event.seq);
        assert!(last < Some(key), "out of order");
        last = Some(key);
        let record = by_entity[&entity_of(event.seq)];
        let visit = record.visits[visit_of(event.seq) as usize].visit;
        assert_eq!(visit.camera, event.camera);
        assert!((visit.enter..visit.leave).contains(&event.offset_ns));
        assert_eq!(
            graph.sighting_at(visit.enter, sighting_of(event.seq)),
            event.offset_ns
        );
        assert_eq!(event.offset_ns % 1_000, 0, "whole µs");
        *counted.entry((record.entity, visit.number)).or_default() += 1;
    }
    let (mut due, mut told) = (0, 0);
    for record in &records {
        assert!(
            entities
                .enter
                .iter()
                .any(|e| e.0 == record.visits[0].visit.camera)
        );
        for pair in record.visits.windows(2) {
            let (a, b) = (pair[0].visit, pair[1].visit);
            assert!(
                entities.moves[a.camera as usize]
                    .iter()
                    .any(|m| m.to == Target::Camera(b.camera))
            );
            assert!(b.enter >= a.leave);
        }
        for v in &record.visits {
            due += v.sightings;
            told += counted
                .get(&(record.entity, v.visit.number))
                .copied()
                .unwrap_or(0);
        }
        if record.ending != Ending::Inside {
            assert!(record.left_at().is_some());
        }
    }
    // Misses at 10 %: 3 standard deviations of a binomial either side.
    let rate = 1.0 - told as f64 / due as f64;
    let sd = (0.1 * 0.9 / due as f64).sqrt();
    assert!(
        (rate - 0.1).abs() < 3.0 * sd + 1e-9,
        "miss rate {rate} over {due}"
    );
}

#[test]
fn a_changed_miss_changes_no_path_and_shards_add_up_to_the_single_run() {
    let paths = |s: &Scenario| -> Vec<_> {
        crate::plan::process::entity_records(s, 0)
            .unwrap()
            .map(|r| r.visits.iter().map(|v| v.visit).collect::<Vec<_>>())
            .collect()
    };
    let a = mall("1h", 0.0);
    let b = mall("1h", 0.5);
    assert_eq!(paths(&a), paths(&b));
    let single: Vec<_> = Plan::new(&b).collect();
    for n in [2u32, 3, 5] {
        let mut union = Vec::new();
        for k in 0..n {
            let mut shard = b.clone();
            shard.shard = Some(Shard { index: k, count: n });
            let mine: Vec<_> = Plan::new(&shard).collect();
            assert!(!mine.is_empty() && mine.len() < single.len());
            union.extend(mine);
        }
        union.sort_by_key(|m| (m.send_ns, m.event.offset_ns, m.event.camera, m.event.seq));
        assert_eq!(union, single, "{n} shards");
    }
}

#[test]
fn a_dwell_changed_at_one_camera_changes_only_the_entities_that_visit_it() {
    let a = mall("1h", 0.1);
    let mut b = a.clone();
    if let StreamArrivals::Entities(e) = &mut b.streams[0].arrivals {
        e.dwell_by_camera[2] = Some(InterArrival::Constant {
            interval: seconds(3.0),
        });
    }
    let (mut same, mut changed) = (0, 0);
    for (x, y) in crate::plan::process::entity_records(&a, 0)
        .unwrap()
        .zip(crate::plan::process::entity_records(&b, 0).unwrap())
    {
        if x.visits.iter().any(|v| v.visit.camera == 2) {
            changed += 1;
        } else {
            assert_eq!(x, y);
            same += 1;
        }
    }
    assert!(same > 50 && changed > 10, "{same} same, {changed} visiting");
}
