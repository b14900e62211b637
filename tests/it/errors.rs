//! Messages for bad scenario files, compared in full: what is wrong, the field path, the
//! position and line, and the hint. Every problem of a file is reported in one run.

use crate::common::*;

fn errors(text: &str) -> String {
    try_scenario(text).expect_err("the scenario should be rejected")
}

#[test]
fn misspelt_key_points_at_the_key_with_a_suggestion() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, maen: 2s}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].inter_arrival: unknown field `maen`
 --> test.yaml:4:48
  |
4 |     inter_arrival: {distribution: exponential, maen: 2s}
  |                                                ^^^^
  = help: did you mean `mean`?

error: streams[0].inter_arrival: missing required field `mean`
 --> test.yaml:4:20
  |
4 |     inter_arrival: {distribution: exponential, maen: 2s}
  |                    ^
  = help: add e.g. `mean: 1s`

error: 2 problems found"
    );
}

#[test]
fn unknown_distribution_gets_a_suggestion() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival:\n      distribution: lognormall\n      mean: 1s\n";
    assert_eq!(
        errors(text),
        "error: streams[0].inter_arrival.distribution: unknown value `lognormall`
 --> test.yaml:5:21
  |
5 |       distribution: lognormall
  |                     ^^^^^^^^^^
  = help: did you mean `lognormal`?

error: streams[0].inter_arrival: missing required field `std_dev`
 --> test.yaml:5:7
  |
5 |       distribution: lognormall
  |       ^
  = help: add e.g. `std_dev: 1s`

error: 2 problems found"
    );
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    let text = "\
seed: -1
duration: 0s
topic: events
streams:
  - name: a
    cameras: [1, 2, 2]
    inter_arrival: {distribution: uniform, min: 2s, max: 1s}
  - name: a
    cameras: {count: 3}
    pick: {weights: [1, 1]}
    inter_arrival: {distribution: gamma, shape: -2, mean: 1s}
  - cameras: [5]
    arrivals: per_camera
    pick: uniform
    inter_arrival: {distribution: pareto, shape: .nan, scale: 1s}
";
    let out = errors(text);
    for expected in [
        "error: seed: -1 is out of range",
        " --> test.yaml:1:7",
        "error: duration: the duration must be positive",
        "error: streams[0].cameras[2]: camera id `2` appears twice (also at index 1)",
        " --> test.yaml:6:21",
        "error: streams[0].inter_arrival.max: max (1s) is less than min (2s)",
        "error: streams[1].name: stream name `a` is also used by streams[0]",
        "error: streams[1].pick.weights: 2 weights for 3 cameras",
        "error: streams[1].inter_arrival.shape: shape must be positive and finite, found -2",
        "error: streams[2].pick: `pick` applies to `arrivals: shared` only",
        "error: streams[2].inter_arrival.shape: shape must be positive and finite, found NaN",
        "error: 9 problems found",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
}

#[test]
fn yaml_syntax_errors_have_a_position() {
    let out = errors("duration: 3m\nstreams: [\n  {cameras: [1]\n");
    assert!(out.starts_with("error: invalid YAML:"), "{out}");
    assert!(out.contains("--> test.yaml:"), "{out}");
}

#[test]
fn an_empty_file_says_so() {
    assert!(errors("").contains("the file is empty"));
    assert!(errors("# only a comment\n").contains("the file is empty"));
}

#[test]
fn durations_need_units() {
    let out = errors(
        "duration: 180\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]",
    );
    assert!(
        out.contains("error: duration: duration 180 needs a unit"),
        "{out}"
    );
    assert!(out.contains("help: write e.g. `180s` or `180ms`"), "{out}");
}

#[test]
fn gaps_too_short_to_plan_are_rejected() {
    let out = errors(
        "duration: 24h\nstreams: [{cameras: [1], inter_arrival: {distribution: exponential, mean: 1ns}}]",
    );
    assert!(out.contains("it must be at least 1us"), "{out}");
}

#[test]
fn negative_durations_are_called_negative() {
    let out = errors(
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: normal, mean: 1s, std_dev: -1s}}]",
    );
    assert!(
        out.contains("error: streams[0].inter_arrival.std_dev: negative durations are not allowed: `-1s`; write a positive one such as `1s`"),
        "{out}"
    );
    let out = errors(
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: exponential, mean: -2}}]",
    );
    assert!(
        out.contains("negative durations are not allowed: `-2`"),
        "{out}"
    );
    assert!(
        out.contains("help: write a positive duration with a unit, e.g. `2s`"),
        "{out}"
    );
}

#[test]
fn common_other_names_of_distributions_point_to_ours() {
    for (typed, ours) in [
        ("poisson", "exponential"),
        ("Poisson", "exponential"),
        ("gaussian", "normal"),
        ("fixed", "constant"),
        ("periodic", "constant"),
        ("log-normal", "lognormal"),
    ] {
        let out = errors(&format!(
            "duration: 3m\nstreams: [{{cameras: [1], inter_arrival: {{distribution: {typed}, mean: 1s}}}}]"
        ));
        assert!(
            out.contains(&format!("unknown value `{typed}`")),
            "{typed}: {out}"
        );
        assert!(
            out.contains(&format!("help: did you mean `{ours}`?")),
            "{typed}: {out}"
        );
    }
}

#[test]
fn a_misspelt_distribution_does_not_hide_the_other_problems_of_its_mapping() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponental, mean: 2}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].inter_arrival.distribution: unknown value `exponental`
 --> test.yaml:4:35
  |
4 |     inter_arrival: {distribution: exponental, mean: 2}
  |                                   ^^^^^^^^^^
  = help: did you mean `exponential`?

error: streams[0].inter_arrival.mean: duration 2 needs a unit
 --> test.yaml:4:53
  |
4 |     inter_arrival: {distribution: exponental, mean: 2}
  |                                                     ^
  = help: write e.g. `2s` or `2ms`

error: 2 problems found"
    );
    // A name nothing resembles still gets its parameters checked.
    let out = errors(
        "duration: 3m\nstreams: [{cameras: [1], inter_arrival: {distribution: zzz, mean: 2, shape: x}}]",
    );
    assert!(out.contains("unknown value `zzz`"), "{out}");
    assert!(
        out.contains("inter_arrival.mean: duration 2 needs a unit"),
        "{out}"
    );
    assert!(
        out.contains("inter_arrival.shape: expected a number"),
        "{out}"
    );
}

#[test]
fn a_tab_in_the_indentation_is_named_where_it_is() {
    let out = errors(
        "duration: 3m\nstreams:\n  - cameras: [1]\n\t  inter_arrival: {distribution: constant, interval: 1s}\n",
    );
    assert_eq!(
        out,
        "error: invalid YAML: a tab in the indentation; YAML indentation must use spaces
 --> test.yaml:4:1
  |
4 |    inter_arrival: {distribution: constant, interval: 1s}
  | ^
  = help: replace the tab with spaces"
    );
    // A tab after a key is legal YAML and changes nothing.
    try_scenario("duration:\t3m\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]\n")
        .unwrap();
}

#[test]
fn rate_mistakes_are_located_with_their_fix() {
    let text = "duration: 1h\nstreams:\n  - cameras: [1, 2]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    rate:\n      points: [{at: 30m, factor: 1}, {at: 10m, factor: 2}]\n    incidents:\n      - {at: 5m, duration: 1m, factor: 3, cameras: [2]}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].rate.points[1].at: 10m is not after the point before it (30m)
 --> test.yaml:6:43
  |
6 |       points: [{at: 30m, factor: 1}, {at: 10m, factor: 2}]
  |                                           ^^^
  = help: list the points in increasing order of `at`

error: streams[0].incidents[0].cameras: an incident on some cameras needs `arrivals: per_camera`
 --> test.yaml:8:52
  |
8 |       - {at: 5m, duration: 1m, factor: 3, cameras: [2]}
  |                                                    ^
  = help: a shared stream is one arrival process for all its cameras: leave `cameras` out to change the whole stream's rate, or make the stream `arrivals: per_camera`

error: 2 problems found"
    );
}

/// `simulate validate tests/it/errors/NAME.yaml` exits with `status` and prints exactly
/// tests/it/errors/NAME.stderr on stderr.
fn validate_fixture(name: &str, status: i32) -> Test {
    let dir = "tests/it/errors";
    let want = std::fs::read_to_string(root().join(dir).join(format!("{name}.stderr"))).unwrap();
    Test::new()
        .args(["validate", &format!("{dir}/{name}.yaml")])
        .status(status)
        .stderr_is(want)
}

#[test]
fn every_problem_of_a_stream_is_reported_in_one_pass() {
    // Issue 23: three passes before (3, then 4, then the outage's `at` and `every`).
    validate_fixture("every-problem", 2).run();
}

#[test]
fn checks_that_need_unreadable_cameras_are_skipped_and_counted() {
    // Before: "camera `1000` is not in this stream" (of a placeholder), "missing `at` or
    // `every`" for an `at` that could not be read, "the stream's cameras have no
    // attributes": problems that were not in the file.
    validate_fixture("skipped-checks", 2).run();
}

#[test]
fn a_window_after_the_end_of_the_run_is_a_warning() {
    validate_fixture("window-after-the-end", 0)
        .stdout_is("tests/it/errors/window-after-the-end.yaml: ok (1 stream, 1 camera, 1 arrival process, 3m)\n")
        .run();
    // A run says it too, and goes ahead; `--quiet` keeps to errors.
    let want = std::fs::read_to_string(root().join("tests/it/errors/window-after-the-end.stderr"))
        .unwrap();
    let scenario = "tests/it/errors/window-after-the-end.yaml";
    Test::new()
        .args([scenario, "--dry-run"])
        .status(0)
        .stderr_is(&want)
        .run();
    Test::new()
        .args([scenario, "--dry-run", "--quiet"])
        .status(0)
        .stderr_empty()
        .run();
    // So does every other command that reads the scenario, beside its own output.
    for command in ["stats", "truth"] {
        Test::new()
            .args([command, scenario])
            .status(0)
            .stderr_is(&want)
            .run();
    }
}

#[test]
fn a_percentage_for_a_number_hints_the_fraction() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    faults: {drop: {rate: 2%}}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].faults.drop.rate: expected a number, found a percentage (\"2%\")
 --> test.yaml:5:27
  |
5 |     faults: {drop: {rate: 2%}}
  |                           ^^
  = help: write it as a fraction: `0.02`"
    );
}

#[test]
fn an_unclosed_bracket_is_named_where_it_opens() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1, 2\n    inter_arrival: {distribution: exponential, mean: 1s}\n";
    assert_eq!(
        errors(text),
        "error: invalid YAML: the `[` on line 3 is never closed
 --> test.yaml:3:14
  |
3 |   - cameras: [1, 2
  |              ^
  = help: close it with `]` (the parser looked for `,` or `]` at line 4, column 18)"
    );
}

#[test]
fn extra_indentation_is_called_indentation() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n      inter_arrival: {distribution: exponential, mean: 1s}\n";
    assert_eq!(
        errors(text),
        "error: invalid YAML: `inter_arrival` is indented deeper than `cameras` on line 3 (6 spaces, not 4)
 --> test.yaml:4:7
  |
4 |       inter_arrival: {distribution: exponential, mean: 1s}
  |       ^^^^^^^^^^^^^
  = help: keys of one mapping line up: indent `inter_arrival` by 4 spaces, as `cameras` is"
    );
}

#[test]
fn a_duplicate_key_points_at_the_second_and_names_the_first() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    cameras: [2]\n";
    assert_eq!(
        errors(text),
        "error: invalid YAML: streams[0]: duplicate entry with key \"cameras\", first written on line 3
 --> test.yaml:5:5
  |
5 |     cameras: [2]
  |     ^^^^^^^
  = help: a key appears once in a mapping: remove one `cameras`, or merge the two"
    );
}

#[test]
fn other_names_of_a_generator_and_a_time_format_point_to_ours() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    payload:\n      id: {gen: uuid4}\n      ts: {gen: timestamp, format: ISO8601}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].payload.id.gen: unknown generator `uuid4`
 --> test.yaml:6:17
  |
6 |       id: {gen: uuid4}
  |                 ^^^^^
  = help: did you mean `event_id`? the event id is a UUID

error: streams[0].payload.ts.format: unknown timestamp format `ISO8601`
 --> test.yaml:7:36
  |
7 |       ts: {gen: timestamp, format: ISO8601}
  |                                    ^^^^^^^
  = help: did you mean `rfc3339`? RFC 3339 is the profile of ISO 8601 written here

error: 2 problems found"
    );
}

#[test]
fn one_weight_is_one_weight() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1, 2]\n    pick: {weights: [1]}\n    inter_arrival: {distribution: exponential, mean: 1s}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].pick.weights: 1 weight for 2 cameras
 --> test.yaml:4:21
  |
4 |     pick: {weights: [1]}
  |                     ^
  = help: give one weight per camera, in list order"
    );
}

#[test]
fn a_misspelt_generator_is_checked_as_the_one_it_most_likely_means() {
    let text = "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: exponential, mean: 1s}\n    payload:\n      x: {gen: flot, min: 5, max: 1}\n";
    assert_eq!(
        errors(text),
        "error: streams[0].payload.x.gen: unknown generator `flot`
 --> test.yaml:6:16
  |
6 |       x: {gen: flot, min: 5, max: 1}
  |                ^^^^
  = help: did you mean `float`?

error: streams[0].payload.x.max: max (1) is less than min (5)
 --> test.yaml:6:35
  |
6 |       x: {gen: flot, min: 5, max: 1}
  |                                   ^
  = help: swap them

error: 2 problems found"
    );
}

/// Issue 25: every mistake of an entity stream at once, each at its line and column:
/// `inter_arrival` and `pick` beside `entities`, an attribute no entity can draw once, a
/// sighting period of zero, `miss` and `max_visits` out of range, a weight of zero and
/// one below, cameras that are not the stream's, travel on `exit`, an unknown attribute,
/// and `entity_id` in a stream without entities.
#[test]
fn every_problem_of_an_entity_stream_is_reported_in_one_pass() {
    validate_fixture("entities", 2).run();
}

/// Entities that can never leave are refused; a camera only some reach that cannot
/// leave is a warning, and the scenario still runs.
#[test]
fn a_graph_without_a_way_out_is_refused_and_a_trap_is_a_warning() {
    let stream = |moves: &str| {
        format!(
            "duration: 1m\nstreams:\n  - cameras: [1, 2, 3]\n    entities:\n      arrivals: {{distribution: constant, interval: 1s}}\n      enter: [1]\n      moves: {moves}\n      dwell: {{distribution: constant, interval: 1s}}\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let closed = dir.path().join("closed.yaml");
    std::fs::write(&closed, stream("{1: [{to: 2}], 2: [{to: 1}]}")).unwrap();
    Test::new()
        .arg("validate")
        .arg(&closed)
        .status(2)
        .stderr_contains("streams[0].entities.moves: no entity can leave")
        .stderr_contains("closed.yaml:7:14")
        .run();
    let trap = dir.path().join("trap.yaml");
    std::fs::write(
        &trap,
        stream("{1: [{to: 2}, {to: exit}], 2: [{to: 3}], 3: [{to: 2}]}"),
    )
    .unwrap();
    Test::new()
        .arg("validate")
        .arg(&trap)
        .status(0)
        .stderr_contains(
            "warning: streams[0].entities.moves: entities that reach camera `2`, `3` cannot leave",
        )
        .run();
}
