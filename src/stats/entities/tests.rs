//! The entity stats of the mall against figures recomputed here by other routes than
//! `compute`'s: from the paths visit by visit, from the plan's sightings, and from the
//! scenario's own parameters.

use std::collections::{BTreeMap, BTreeSet};

use crate::plan::Events;
use crate::plan::entity::Ending;
use crate::plan::entity::ids::entity_of;
use crate::plan::entity::record::EntityRecord;
use crate::plan::entity::testing::mall;
use crate::scenario::validate::CameraPick;
use crate::scenario::{Scenario, StreamArrivals};
use crate::stats::{self, EntityStats};

/// The stats of the mall's entities, the mall's paths, and its stats as a whole.
fn of(scenario: &Scenario) -> (EntityStats, Vec<EntityRecord>, stats::Stats) {
    let all = stats::compute(scenario);
    let entities = all.streams[0].entities.clone().expect("an entity stream");
    (
        entities,
        crate::plan::process::entity_records(scenario, 0)
            .unwrap()
            .collect(),
        all,
    )
}

#[test]
fn every_entity_that_entered_is_counted_once_and_has_left_or_is_inside() {
    for miss in [0.0, 0.1] {
        let scenario = mall("1h", miss);
        let (e, records, all) = of(&scenario);
        assert_eq!(e.entered, records.len() as u64);
        // Numbered from 0 in order of entering.
        assert_eq!(e.entered, records.last().unwrap().entity + 1);
        // Every visit begun before the end holds a sighting: with no miss, every entity
        // that entered is seen.
        let seen: BTreeSet<u64> = Events::new(&scenario)
            .map(|event| entity_of(event.seq))
            .collect();
        if miss == 0.0 {
            assert_eq!(seen.len() as u64, e.entered);
        } else {
            assert!(seen.len() as u64 <= e.entered && seen.len() as u64 > e.entered * 9 / 10);
        }
        // 1 h of entities entering every 20 s on average: 180, Poisson, within 4 sd.
        assert_eq!(all.streams[0].expected, Some(180.0));
        assert!(e.entered.abs_diff(180) < 4 * 14, "{} entered", e.entered);
        assert_eq!(e.inside_at_end + e.left, e.entered);
        let x = e.exits;
        assert_eq!(x.exit + x.dead_end + x.max_visits, e.left);
        // The mall has no dead end and a cap of 50 visits no path reaches in an hour.
        assert_eq!((x.dead_end, x.max_visits), (0, 0));
        // Still in a camera's view at the end: inside (the others inside are on their way).
        let horizon = scenario.duration.0;
        let in_view = records
            .iter()
            .filter(|r| r.visits.last().unwrap().visit.leave == horizon)
            .count() as u64;
        assert!(in_view > 0 && e.inside_at_end >= in_view, "{e:?}");
        assert!(e.left > 10 * e.inside_at_end, "{e:?}");
    }
}

#[test]
fn dwells_visits_and_sightings_are_the_paths_own() {
    let scenario = mall("1h", 0.0);
    let (e, records, all) = of(&scenario);
    let mut dwells: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    for v in records.iter().flat_map(|r| &r.visits) {
        dwells
            .entry(v.visit.camera)
            .or_default()
            .push(v.visit.leave - v.visit.enter);
    }
    let ids = ["1000", "1001", "1002", "1003"];
    assert_eq!(e.dwell.len(), ids.len());
    let mut total = 0;
    for (c, d) in e.dwell.iter().enumerate() {
        assert_eq!(d.camera, ids[c]);
        let mine = &dwells[&(c as u32)];
        assert_eq!(d.visits, mine.len() as u64, "{}", d.camera);
        let mean = mine.iter().sum::<u64>() as f64 / mine.len() as f64 / 1e9;
        let got = d.mean_dwell_s.unwrap();
        assert!((got - mean).abs() < 1e-9, "{}: {got} s, {mean} s", d.camera);
        // Dwells are uniform on [5 s, 30 s]: a mean of 17.5 s, within 4 sd (those the
        // end cuts short are a few).
        let sd = 25.0 / 12f64.sqrt() / (mine.len() as f64).sqrt();
        assert!((got - 17.5).abs() < 4.0 * sd + 0.5, "{}: {got} s", d.camera);
        total += mine.len() as u64;
    }
    let mean_visits = e.visits_per_entity.mean;
    assert!((mean_visits * e.entered as f64 - total as f64).abs() < 1e-6);
    let longest = records.iter().map(|r| r.visits.len()).max().unwrap();
    assert_eq!(e.visits_per_entity.max, longest as u64);
    // With no miss and no outage every sighting due is planned: the stream's events.
    let due = e.sightings_per_visit.mean * total as f64;
    assert_eq!(due.round() as u64, all.streams[0].events);
    // A sighting every 2 s from entering: about dwell / 2 s + ½ per visit.
    assert!(
        (e.sightings_per_visit.mean - (17.5 / 2.0 + 0.5)).abs() < 1.0,
        "{e:?}"
    );
}

#[test]
fn the_busiest_edges_are_the_moves_between_consecutive_visits_and_out() {
    let scenario = mall("1h", 0.1);
    let (e, records, _) = of(&scenario);
    // (from, to) positions, `to` 4 for `exit`: after every camera.
    let mut moves: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    let mut expected_total = 0;
    for r in &records {
        for pair in r.visits.windows(2) {
            *moves
                .entry((pair[0].visit.camera, pair[1].visit.camera))
                .or_default() += 1;
        }
        if r.ending == Ending::Exit {
            *moves
                .entry((r.visits.last().unwrap().visit.camera, 4))
                .or_default() += 1;
        }
        expected_total += r.visits.len() as u64 - 1 + u64::from(r.ending == Ending::Exit);
    }
    let sum: u64 = moves.values().sum();
    assert_eq!(sum, expected_total);
    assert_eq!(e.transitions, sum);
    let out: u64 = moves.iter().filter(|m| m.0.1 == 4).map(|m| m.1).sum();
    assert_eq!(out, e.exits.exit);
    let mut ranked: Vec<_> = moves.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let name = |c: u32| ["1000", "1001", "1002", "1003", "exit"][c as usize].to_string();
    let want: Vec<(String, String, u64)> = ranked
        .iter()
        .take(stats::LISTED_EDGES)
        .map(|&((from, to), n)| (name(from), name(to), n))
        .collect();
    let got: Vec<(String, String, u64)> = e
        .busiest_edges
        .iter()
        .map(|b| (b.from.clone(), b.to.clone(), b.transitions))
        .collect();
    assert_eq!(got, want);
    // The mall's graph has 7 edges; only the busiest 5 are listed.
    assert_eq!(ranked.len(), 7);
}

#[test]
fn edges_rank_by_transitions_then_from_then_to_with_exit_last() {
    let edges = [
        ((2, None), 5),
        ((2, Some(3)), 5),
        ((1, Some(2)), 5),
        ((0, Some(1)), 9),
        ((0, None), 1),
    ];
    let order: Vec<_> = super::ranked(edges.into_iter().collect())
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        order,
        [
            (0, Some(1)),
            (1, Some(2)),
            (2, Some(3)),
            (2, None),
            (0, None)
        ]
    );
}

#[test]
fn only_an_entity_stream_has_entities_in_its_json_and_its_text() {
    let scenario = mall("10m", 0.1);
    let all = stats::compute(&scenario);
    let json: serde_json::Value = serde_json::from_str(&stats::to_json(&all)).unwrap();
    let e = &json["streams"][0]["entities"];
    assert_eq!(
        e["entered"],
        all.streams[0].entities.as_ref().unwrap().entered
    );
    assert_eq!(e["dwell"][0]["camera"], "1000");
    assert!(e["busiest_edges"][0]["transitions"].as_u64().unwrap() > 0);
    let text = stats::to_text(&all);
    for want in [
        "(entities, 1 process)",
        "30.0 entities expected",
        "gaps between sightings (s)",
        "entities enter by exponential",
        "    entities: ",
        "    mean dwell: 1000 ",
        "    busiest edges: ",
        "→exit ",
    ] {
        assert!(text.contains(want), "no `{want}` in\n{text}");
    }

    let mut plain = scenario;
    plain.streams[0].arrivals = StreamArrivals::Shared(CameraPick::Uniform);
    let all = stats::compute(&plain);
    assert!(all.streams[0].entities.is_none());
    let json = stats::to_json(&all);
    assert!(!json.contains("entities"), "{json}");
    let text = stats::to_text(&all);
    assert!(!text.contains("entities"), "{text}");
}
