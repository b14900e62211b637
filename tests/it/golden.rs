//! Golden plans: every example scenario's `--format plan` output from a fixed start is
//! committed under tests/golden and compared byte for byte. `UPDATE_GOLDEN=1 cargo test`
//! re-blesses them; a changed golden is a behaviour change and its commit says so.

use simulate::scenario::{self, Overrides};
use simulate::sink::stdout::Format;

use crate::common::*;

#[test]
fn every_example_scenario_matches_its_golden_plan() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for path in example_scenarios() {
        let overrides = Overrides {
            start: Some(start()),
            ..Overrides::default()
        };
        let scenario = scenario::load_file(&path, &overrides)
            .unwrap_or_else(|d| panic!("{}", scenario::render_all(&d)));
        let plan = render(&scenario, Format::Plan);
        assert!(
            plan.lines().count() > 100,
            "{} plans too few events to be a useful golden",
            path.display()
        );
        let golden = root()
            .join("tests/golden")
            .join(format!("{}.plan.jsonl", stem(&path)));
        if update {
            std::fs::write(&golden, &plan).unwrap();
            continue;
        }
        match std::fs::read_to_string(&golden) {
            Ok(expected) if expected == plan => {}
            Ok(expected) => {
                let line = expected.lines().zip(plan.lines()).position(|(a, b)| a != b);
                stale.push(format!(
                    "{}: differs from line {:?}",
                    golden.display(),
                    line.map(|l| l + 1)
                ));
            }
            Err(_) => stale.push(format!("{}: missing", golden.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "golden plans differ (re-bless with UPDATE_GOLDEN=1 if intended):\n{}",
        stale.join("\n")
    );
}

/// Golden truths: the ground truth of every example scenario with faults or entities, from the fixed
/// start with 1-minute windows, committed beside its golden plan.
#[test]
fn every_example_with_faults_matches_its_golden_truth() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut checked = 0;
    for path in example_scenarios() {
        let overrides = Overrides {
            start: Some(start()),
            ..Overrides::default()
        };
        let scenario = scenario::load_file(&path, &overrides).unwrap();
        let entities = scenario
            .streams
            .iter()
            .any(|s| matches!(s.arrivals, simulate::scenario::StreamArrivals::Entities(_)));
        if scenario.streams.iter().all(|s| s.faults.is_none()) && !entities {
            continue;
        }
        checked += 1;
        let truth = simulate::truth::to_json(&simulate::truth::compute(&scenario, start(), 60_000));
        let golden = root()
            .join("tests/golden")
            .join(format!("{}.truth.json", stem(&path)));
        if update {
            std::fs::write(&golden, &truth).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert!(
            expected == truth,
            "{} differs (re-bless with UPDATE_GOLDEN=1 if intended)",
            golden.display()
        );
    }
    assert!(checked >= 1, "no example scenario has faults");
}

/// The binary prints the same bytes as the library renders: the golden is what users get.
#[test]
fn the_binary_prints_the_golden_plan() {
    let golden = std::fs::read(root().join("tests/golden/default.plan.jsonl")).unwrap();
    Test::new()
        .line("scenarios/default.yaml --dry-run --format plan --start")
        .arg(START)
        .status(0)
        .stdout_is(golden);
}

/// The default scenario keeps the original script's behaviour.
#[test]
fn default_scenario_reproduces_the_original_script() {
    let overrides = Overrides {
        start: Some(start()),
        ..Overrides::default()
    };
    let s = scenario::load_file(&root().join("scenarios/default.yaml"), &overrides).unwrap();
    assert_eq!(s.topic, "events");
    assert_eq!(s.kafka.client_id, "python-producer");
    assert_eq!(s.kafka.bootstrap_servers, None);
    assert_eq!(s.duration.0, 180_000_000_000);
    let values = render(&s, Format::Values);
    let plan = render(&s, Format::Plan);
    let mut previous = 0u64;
    let mut count = 0;
    for (value, line) in values.lines().zip(plan.lines()) {
        let v: serde_json::Value = serde_json::from_str(value).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["event_id", "timestamp", "camera_id"]);
        let camera = v["camera_id"].as_i64().expect("camera_id stays an integer");
        assert!([1000, 1001, 1002].contains(&camera));
        let p: serde_json::Value = serde_json::from_str(line).unwrap();
        let offset = p["offset_us"].as_u64().unwrap();
        assert!(offset < 180_000_000);
        if count > 0 {
            let gap = offset - previous;
            assert!(
                (99_999..=1_000_000).contains(&gap),
                "gap {gap}us is outside 0.1-1 s"
            );
        } else {
            assert_eq!(offset, 0, "the script sent its first event at once");
        }
        assert_eq!(p["key"].as_str().unwrap(), camera.to_string());
        assert_eq!(&p["value"], &v);
        previous = offset;
        count += 1;
    }
    // 180 s of gaps averaging 0.55 s.
    assert!((280..=380).contains(&count), "{count} events");
}
