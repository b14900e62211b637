//! The scenario panels against what they draw from: the occupancy panel of an entity
//! scenario (one line per zone, each sample the visits in view at its instant, counted
//! here from the paths), none without entities, and round occupancy steps.

use super::*;
use crate::plan::entity::testing::mall;
use crate::scenario::{StreamArrivals, validate::CameraPick};

/// The panels of `scenario`'s image (each a document of its own) whose title is `title`.
fn titled(scenario: &Scenario, title: &str) -> Vec<String> {
    panels(scenario)
        .0
        .into_iter()
        .filter(|panel| {
            let doc = roxmltree::Document::parse(panel).unwrap();
            doc.descendants()
                .any(|t| t.attribute("class") == Some("title") && t.text() == Some(title))
        })
        .collect()
}

#[test]
fn an_entity_scenario_plots_one_occupancy_line_per_zone() {
    let scenario = mall("1h", 0.1);
    let panels = titled(&scenario, OCCUPANCY);
    assert_eq!(panels.len(), 1);
    let doc = roxmltree::Document::parse(&panels[0]).unwrap();
    let lines: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline")
        .collect();
    assert_eq!(lines.len(), 4);
    let legend: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("legend"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(legend, ["atrium", "entrance", "exit-hall", "food-court"]);
    for line in lines {
        let points = line.attribute("points").unwrap().split(' ').count();
        // 1 h every 10 s: 360 steps, two points each.
        assert_eq!(points, 2 * 360);
    }
}

#[test]
fn the_occupancy_plotted_is_the_visits_in_view_at_each_sample() {
    let scenario = mall("1h", 0.1);
    let step = occupancy_step_ns(scenario.duration.0);
    assert_eq!(step, 10_000_000_000);
    let lines = occupancy_lines(&scenario, step, 1e9).unwrap();
    let records: Vec<_> = crate::plan::process::entity_records(&scenario, 0)
        .unwrap()
        .collect();
    let zone_of = |c: u32| ["entrance", "atrium", "food-court", "exit-hall"][c as usize];
    let mut busy = 0;
    for line in &lines {
        let Mark::Line { name, points, .. } = line else {
            panic!("a line")
        };
        for pair in points.chunks(2) {
            let t = (pair[0][0] * 1e9).round() as u64;
            let want = records
                .iter()
                .flat_map(|r| &r.visits)
                .filter(|v| zone_of(v.visit.camera) == name)
                .filter(|v| v.visit.enter <= t && t < v.visit.leave)
                .count() as f64;
            assert_eq!((pair[0][1], pair[1][1]), (want, want), "{name} at {t}");
            busy += usize::from(want > 0.0);
        }
    }
    assert!(busy > 300, "{busy} busy samples");
}

#[test]
fn a_scenario_without_entities_has_no_occupancy_panel() {
    let mut scenario = mall("1h", 0.1);
    scenario.streams[0].arrivals = StreamArrivals::Shared(CameraPick::Uniform);
    assert!(titled(&scenario, OCCUPANCY).is_empty());
    assert!(!panels(&scenario).0.concat().contains("occupancy"));
    // The rate, gap and camera panels, and no room left for another.
    let (all, height) = panels(&scenario);
    assert_eq!(all.len(), 3);
    let (with, taller) = panels(&mall("1h", 0.1));
    assert_eq!((with.len(), taller), (4, height + 260.0));
}

#[test]
fn occupancy_steps_are_round_and_a_few_hundred() {
    for (duration_s, step_s) in [(60, 0.2), (3_600, 10.0), (86_400, 300.0)] {
        let step = occupancy_step_ns(duration_s * 1_000_000_000);
        assert_eq!(step as f64 / 1e9, step_s);
        let samples = duration_s as f64 / step_s;
        assert!((200.0..=400.0).contains(&samples), "{samples}");
    }
}
