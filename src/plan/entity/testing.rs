//! An entity scenario built in memory, for the tests of every module that reads entity
//! streams (the planner's, the truth's, `stats`, `plot`) until `entities:` can be read
//! from a file: a normal YAML scenario with its stream's arrivals swapped for an
//! [`Entities`].

use crate::scenario::model::InterArrival;
use crate::scenario::payload::Gen;
use crate::scenario::validate::{Entities, Move, Sightings, Target};
use crate::scenario::{Overrides, Scenario, Source, StreamArrivals};

/// A duration of `s` seconds, as a scenario holds it.
pub(crate) fn seconds(s: f64) -> crate::scenario::model::Duration {
    crate::scenario::model::Duration(crate::scenario::Nanos((s * 1e9) as u64))
}

/// The mall: four cameras, entries at 1000 and 1003, a cycle 1001 ↔ 1002.
pub(crate) fn mall(duration: &str, miss: f64) -> Scenario {
    let text = format!(
        "seed: 7\nduration: {duration}\nstart: 2026-01-01T00:00:00Z\nstreams:\n  - name: shoppers\n    cameras: [{{id: 1000, zone: entrance}}, {{id: 1001, zone: atrium}}, {{id: 1002, zone: food-court}}, {{id: 1003, zone: exit-hall}}]\n    inter_arrival: {{distribution: exponential, mean: 20s}}\n"
    );
    let source = Source {
        name: "<test>".into(),
        text,
    };
    let mut scenario = crate::scenario::load_source(&source, "mall", &Overrides::default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let to = |to, weight, travel| Move { to, weight, travel };
    let cam = Target::Camera;
    let entities = Entities {
        arrivals: InterArrival::Exponential {
            mean: seconds(20.0),
        },
        enter: vec![(0, 3.0), (3, 1.0)],
        moves: vec![
            vec![
                to(
                    cam(1),
                    3.0,
                    Some(InterArrival::Lognormal {
                        mean: seconds(30.0),
                        std_dev: seconds(10.0),
                    }),
                ),
                to(Target::Exit, 1.0, None),
            ],
            vec![
                to(
                    cam(2),
                    1.0,
                    Some(InterArrival::Uniform {
                        min: seconds(20.0),
                        max: seconds(60.0),
                    }),
                ),
                to(
                    cam(3),
                    2.0,
                    Some(InterArrival::Constant {
                        interval: seconds(15.0),
                    }),
                ),
            ],
            vec![
                to(
                    cam(1),
                    1.0,
                    Some(InterArrival::Exponential {
                        mean: seconds(40.0),
                    }),
                ),
                to(Target::Exit, 1.0, None),
            ],
            vec![to(Target::Exit, 1.0, None)],
        ],
        dwell: InterArrival::Uniform {
            min: seconds(5.0),
            max: seconds(30.0),
        },
        dwell_by_camera: vec![None; 4],
        sightings: Sightings::Every(2_000_000_000),
        miss,
        max_visits: 50,
        attributes: vec![(
            "kind".into(),
            Gen::Choice {
                values: vec!["adult".into(), "child".into()],
                weights: Some(vec![4.0, 1.0]),
            },
        )],
        zones: Some(
            ["entrance", "atrium", "food-court", "exit-hall"]
                .map(String::from)
                .to_vec(),
        ),
    };
    scenario.streams[0].arrivals = StreamArrivals::Entities(Box::new(entities));
    scenario
}
