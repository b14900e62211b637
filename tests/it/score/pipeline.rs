//! The sample pipeline (tests/e2e/count_pipeline.py) scored, correct and with each of
//! its bugs, over a dry run's values and through a real broker; each score must be what
//! [`judge`] makes of the output this file expects of the pipeline. Needs the broker and
//! the Python of `real_broker.rs` (compiled as ignored without them).

use std::collections::BTreeMap;

use serde_json::Value;

use super::*;

/// What count_pipeline.py must output for the dirty scenario's truth: per window and
/// camera the clean count; with `off-by-one` each count one window later; with
/// `duplicates` each planned duplicate counted in its event's window too.
fn pipeline_output(truth: &Value, bug: Option<&str>) -> BTreeMap<(i64, String), i64> {
    let mut got = counts(truth, None);
    match bug {
        None => {}
        Some("off-by-one") => {
            got = got
                .into_iter()
                .map(|((w, c), n)| ((w + MIN, c), n))
                .collect();
        }
        Some("duplicates") => {
            for f in truth["faults"].as_array().unwrap() {
                if f["kind"] == "duplicate" {
                    let w = f["event_ms"].as_i64().unwrap().div_euclid(MIN) * MIN;
                    *got.entry((w, text(&f["camera_id"]))).or_default() += 1;
                }
            }
        }
        Some(other) => panic!("no bug {other}"),
    }
    got
}

/// Runs count_pipeline.py with `args` (its source and output) and `bug`, then `simulate
/// score` with `source` (`--input FILE` or the cluster and topic): the score is what
/// [`judge`] makes of [`pipeline_output`].
fn assert_pipeline_scored(
    env: &crate::real_broker::Env,
    (pipeline, bug): (&[String], Option<&str>),
    source: &[String],
) {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("event.schema.json");
    let out = Test::new()
        .args(["schema", "--event", DIRTY])
        .status(0)
        .run();
    std::fs::write(&schema, &out.stdout).unwrap();
    let mut run = std::process::Command::new(&env.python);
    run.arg(root().join("tests/e2e/count_pipeline.py"))
        .args(pipeline)
        .arg("--schema")
        .arg(&schema)
        .args(["--time-field", "ts"])
        .args(bug.map(|b| ["--bug", b]).iter().flatten());
    let done = run.output().unwrap();
    assert!(
        done.status.success(),
        "count_pipeline.py: {}",
        stderr_of(&done)
    );
    let truth = truth(DIRTY);
    let want = judge(
        &counts(&truth, None),
        &pipeline_output(&truth, bug),
        (T0, T0 + 20 * MIN),
    );
    let report = dir.path().join("score.json");
    let code = if bug.is_some() { 1 } else { 0 };
    Test::new()
        .args([
            "score",
            DIRTY,
            "--start",
            START,
            "--group-field",
            "camera_id",
            "--report",
        ])
        .arg(&report)
        .args(source)
        .status(code)
        .stdout_contains(format!(
            "windows: {} right, {} wrong, {} missing, {} extra",
            want.right, want.wrong, want.missing, want.extra
        ))
        .run();
    let report = read_report(&report);
    Verdict::of(&report).assert_eq(&want);
    if pipeline.iter().any(|a| a == "--partial") {
        assert_eq!(
            report["replaced"], 60,
            "a partial count per window, replaced"
        );
    }
    match bug {
        None => assert_eq!(want.right, 60),
        // Every window of the first minute missing, its last window's counts outside.
        Some("off-by-one") => {
            assert_eq!((want.missing, report["outside_run"].as_u64()), (3, Some(3)));
            assert!(want.wrong > 40, "{want:?}");
        }
        // 54 duplicates in 60 windows.
        Some(_) => assert!((want.mae - 54.0 / 60.0).abs() < 1e-9, "{want:?}"),
    }
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn a_pipeline_over_a_dry_run_scores_as_the_truth_says() {
    let env = crate::real_broker::env();
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("values.txt");
    let plan = Test::new()
        .args([DIRTY, "--dry-run", "--format", "values", "--start", START])
        .status(0)
        .run();
    std::fs::write(&values, &plan.stdout).unwrap();
    let output = dir.path().join("out.jsonl");
    let mut pipeline: Vec<String> = vec!["--values".into(), values.display().to_string()];
    pipeline.extend(["--output-file".into(), output.display().to_string()]);
    let source = ["--input".to_string(), output.display().to_string()];
    for bug in [None, Some("off-by-one"), Some("duplicates")] {
        assert_pipeline_scored(&env, (&pipeline, bug), &source);
    }
    // default.yaml's payload writes `timestamp` as `YYYY-MM-DD HH:MM:SS` (UTC), the
    // pipeline's default time field; the truth windows are the same event-time minutes.
    let default = "scenarios/default.yaml";
    let plan = Test::new()
        .args([default, "--dry-run", "--format", "values", "--start", START])
        .status(0)
        .run();
    std::fs::write(&values, &plan.stdout).unwrap();
    let done = std::process::Command::new(&env.python)
        .arg(root().join("tests/e2e/count_pipeline.py"))
        .args(["--values", &values.display().to_string()])
        .args(["--output-file", &output.display().to_string()])
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "count_pipeline.py: {}",
        stderr_of(&done)
    );
    let windows = counts(&truth(default), None).len();
    assert_eq!(windows, 9, "3 cameras × 3 minutes");
    Test::new()
        .args([
            "score",
            default,
            "--start",
            START,
            "--group-field",
            "camera_id",
            "--input",
        ])
        .arg(&output)
        .status(0)
        .stdout_contains("windows: 9 right, 0 wrong, 0 missing, 0 extra of 9 (100.0 % right)")
        .run();
}

#[test]
#[cfg_attr(
    not(simulate_test_broker),
    ignore = "needs a Kafka-compatible broker: set SIMULATE_TEST_BROKER, SIMULATE_TEST_PYTHON and SIMULATE_TEST_TANSU (.ci/run does)"
)]
fn a_pipeline_through_a_real_broker_scores_as_the_truth_says() {
    use crate::real_broker::{create_topic, env, unique_topic};
    let env = env();
    let input = unique_topic("score-in");
    create_topic(&env, &env.broker, &input, 3);
    Test::new()
        .args([
            DIRTY,
            "--start",
            START,
            "--max-speed",
            "-b",
            &env.broker,
            "--topic",
            &input,
        ])
        .status(0)
        .run();
    for (bug, more) in [
        // Updated aggregates (a partial count first) and RFC 3339 window starts.
        (None, vec!["--partial", "--window-format", "rfc3339"]),
        (Some("off-by-one"), vec!["--window-format", "s"]),
        (Some("duplicates"), vec![]),
    ] {
        let output = unique_topic("score-out");
        create_topic(&env, &env.broker, &output, 2);
        let mut pipeline: Vec<String> = ["--bootstrap", &env.broker, "--topic", &input]
            .iter()
            .map(|s| s.to_string())
            .collect();
        pipeline.extend([
            "--output-topic".into(),
            output.clone(),
            "--idle".into(),
            "5".into(),
        ]);
        pipeline.extend(more.iter().map(|s| s.to_string()));
        let mut source: Vec<String> =
            vec!["-b".into(), env.broker.clone(), "--topic".into(), output];
        source.extend(["--idle-timeout".into(), "3s".into()]);
        if bug == Some("duplicates") {
            source.push("--from-beginning".into());
        }
        assert_pipeline_scored(&env, (&pipeline, bug), &source);
    }
}
