//! The real binary: exit codes, streams, overrides and the closed-pipe case.

use std::io::Read;
use std::process::{Command, Stdio};

use crate::common::*;

#[test]
fn dry_run_prints_values_and_nothing_on_stderr() {
    let out = simulate(&["scenarios/default.yaml", "--dry-run", "--start", START]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(out.stderr.is_empty());
    let text = String::from_utf8(out.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["timestamp"], "2026-01-01 00:00:00");
}

#[test]
fn overrides_replace_the_file_values() {
    let base = simulate(&[
        "scenarios/default.yaml",
        "--dry-run",
        "--format",
        "plan",
        "--start",
        START,
    ]);
    let out = simulate(&[
        "scenarios/default.yaml",
        "--dry-run",
        "--format",
        "plan",
        "--start",
        "2030-06-01T12:00:00Z",
        "--seed",
        "7",
        "--duration",
        "30s",
        "--topic",
        "other",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.len() > 20 && lines.len() < 80,
        "{} events in 30 s",
        lines.len()
    );
    assert!(
        lines
            .iter()
            .all(|l| l["topic"] == "other" && l["offset_us"].as_u64().unwrap() < 30_000_000)
    );
    assert!(
        lines[0]["value"]["timestamp"]
            .as_str()
            .unwrap()
            .starts_with("2030-06-01 12:00")
    );
    assert_ne!(
        base.stdout[..200],
        text.as_bytes()[..200],
        "--seed 7 gave the seed-42 plan"
    );
}

#[test]
fn closed_pipe_ends_quietly_with_success() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_simulate"))
        .args(["scenarios/default.yaml", "--dry-run", "--duration", "24h"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 256];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is dropped here: the reader goes away like `| head` does.
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", stderr_of(&out));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &[][..],
        &["scenarios/default.yaml", "--format", "plan"],
        &["scenarios/default.yaml", "--dry-run", "--duration", "10"],
        &[
            "scenarios/default.yaml",
            "--dry-run",
            "--start",
            "yesterday",
        ],
        &["scenarios/default.yaml", "--dry-run", "--no-such-flag"],
        &[
            "scenarios/default.yaml",
            "--dry-run",
            "--topic",
            "bad topic",
        ],
        &["scenarios/default.yaml", "--dry-run", "--duration", "0s"],
        &["scenarios/default.yaml", "--dry-run", "--max-speed"],
        &["scenarios/default.yaml", "--dry-run", "--report", "r.json"],
    ] {
        let out = simulate(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
        assert!(!stderr_of(&out).contains("panicked"));
        assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    }
}

#[test]
fn missing_and_directory_paths_exit_2() {
    let out = simulate(&["no/such/file.yaml", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("no/such/file.yaml"),
        "{}",
        stderr_of(&out)
    );
    assert!(stderr_of(&out).contains("no such file"));
    let out = simulate(&["scenarios", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("directory"));
}

#[test]
fn validate_reports_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "duration: 3m\nstreams:\n  - cameras: []\n    inter_arrival: {distribution: exponential, mean: 0s}\n").unwrap();
    let bad = bad.to_str().unwrap();
    let out = simulate(&[
        "validate",
        "scenarios/default.yaml",
        bad,
        "scenarios/city.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("scenarios/default.yaml: ok"));
    assert!(stdout.contains("scenarios/city.yaml: ok"));
    let err = stderr_of(&out);
    assert!(
        err.contains("streams[0].cameras: the camera list is empty"),
        "{err}"
    );
    assert!(
        err.contains("streams[0].inter_arrival.mean: mean must be positive"),
        "{err}"
    );
    assert!(err.contains("1 of 3 files are invalid"), "{err}");
    let all = simulate(&[
        "validate",
        "scenarios/default.yaml",
        "scenarios/city.yaml",
        "scenarios/parking.yaml",
    ]);
    assert_eq!(all.status.code(), Some(0));
}

#[test]
fn schema_prints_the_committed_schemas() {
    let out = simulate(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        out.stdout,
        std::fs::read(root().join("schemas/scenario.schema.json")).unwrap()
    );
    let out = simulate(&["schema", "--event"]);
    assert_eq!(
        out.stdout,
        std::fs::read(root().join("schemas/event.schema.json")).unwrap()
    );
}

#[test]
fn no_scenario_gets_advice_that_fits_what_was_typed() {
    let out = simulate(&["--dry-run", "--seed", "7"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr_of(&out),
        "error: no scenario file given; name one, e.g. `simulate scenarios/default.yaml --dry-run --seed 7`\n"
    );
    let out = simulate(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("`simulate scenarios/default.yaml` to send it to Kafka")
            && err.contains("`simulate scenarios/default.yaml --dry-run` to print its events"),
        "{err}"
    );
    let out = simulate(&["--topic", "my events"]);
    assert!(
        stderr_of(&out).contains("`simulate scenarios/default.yaml --topic 'my events'`"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn negative_durations_on_the_command_line_are_called_negative() {
    for flag in ["--duration", "--connect-timeout", "--flush-timeout"] {
        let out = simulate(&["scenarios/default.yaml", "--dry-run", flag, "-1s"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            stderr_of(&out).contains("negative durations are not allowed: `-1s`"),
            "{flag}: {}",
            stderr_of(&out)
        );
    }
    let out = simulate(&["scenarios/default.yaml", "--speed", "-2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("`-2` is not a positive number"));
    // An option where a value should be is named as such, not taken for a duration.
    let out = simulate(&["scenarios/default.yaml", "--duration", "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("expected a duration such as `30s`, found the option `--dry-run`"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn an_unwritable_report_path_is_invalid_input_found_before_anything_starts() {
    let out = simulate(&[
        "scenarios/default.yaml",
        "--report",
        "/no/such/dir/run.json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        "error: cannot write the report to /no/such/dir/run.json: no such directory; choose a path in a writable directory\n"
    );
}

#[test]
fn a_bad_property_is_refused_under_its_own_name_before_the_cluster_starts() {
    let out = simulate(&["scenarios/default.yaml", "-X", "linger.ms=abc"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(
        stderr_of(&out),
        "error: invalid Kafka property -X linger.ms=abc: Invalid value for configuration property \"linger.ms\" (librdkafka calls it `queue.buffering.max.ms`)\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.yaml");
    std::fs::write(
        &file,
        "duration: 1s\nkafka: {properties: {acks: maybe}}\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]\n",
    )
    .unwrap();
    let out = simulate(&[file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.starts_with(
            "error: invalid Kafka property kafka.properties: acks: maybe in the scenario:"
        ),
        "{err}"
    );
    assert!(!err.contains("embedded"), "{err}");
}

/// `simulate completions SHELL` prints a script for each shell clap knows; the bash
/// one loads in `bash -n`, and in a scripted bash it completes `simulate va` to
/// `validate` (run where no file starts with `va`).
#[test]
fn completions_load_and_complete_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = simulate(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr_of(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("validate"),
            "{shell}: no subcommands in\n{script}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("simulate.bash");
    std::fs::write(&script, simulate(&["completions", "bash"]).stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(check.status.success(), "bash -n: {}", stderr_of(&check));
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "source {}\nCOMP_WORDS=({line})\nCOMP_CWORD={}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n_simulate simulate {} {}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            script.display(),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let out = std::process::Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &program])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{line}: {}", stderr_of(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(complete("simulate va").trim(), "validate");
    let words = complete("simulate --dry");
    assert!(words.lines().any(|w| w == "--dry-run"), "{words}");
}

/// `simulate man` prints a roff manual page of the whole command line.
#[test]
fn the_man_page_covers_the_command_line() {
    let out = simulate(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let page = String::from_utf8(out.stdout).unwrap();
    for part in [
        ".TH simulate 1",
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        "\\-\\-dry\\-run",
        "\\-\\-properties\\-file",
        "validate",
        "completions",
    ] {
        assert!(page.contains(part), "no `{part}` in the man page:\n{page}");
    }
}
