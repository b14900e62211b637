//! The real binary: exit codes, streams, overrides and the closed-pipe case.

use std::io::Read;

use crate::common::*;

#[test]
fn dry_run_prints_values_and_nothing_on_stderr() {
    let out = Test::new()
        .args(["scenarios/default.yaml", "--dry-run", "--start", START])
        .status(0)
        .stderr_empty()
        .run();
    let text = String::from_utf8(out.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["timestamp"], "2026-01-01 00:00:00");
}

#[test]
fn overrides_replace_the_file_values() {
    let base = Test::new()
        .line("scenarios/default.yaml --dry-run --format plan --start")
        .arg(START)
        .run();
    let out = Test::new()
        .line("scenarios/default.yaml --dry-run --format plan --start 2030-06-01T12:00:00Z")
        .line("--seed 7 --duration 30s --topic other")
        .status(0)
        .run();
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
    let mut run = Test::new()
        .args(["scenarios/default.yaml", "--dry-run", "--duration", "24h"])
        .status(0)
        .stderr_empty()
        .spawn();
    let mut head = [0u8; 256];
    run.child
        .stdout
        .take()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    // stdout is dropped here: the reader goes away like `| head` does.
    run.wait();
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
        Test::new()
            .args(args)
            .status(2)
            .stderr_lacks("panicked")
            .stdout_empty();
    }
}

#[test]
fn missing_and_directory_paths_exit_2() {
    Test::new()
        .args(["no/such/file.yaml", "--dry-run"])
        .status(2)
        .stderr_contains("no/such/file.yaml")
        .stderr_contains("no such file");
    Test::new()
        .args(["scenarios", "--dry-run"])
        .status(2)
        .stderr_contains("directory");
}

#[test]
fn validate_reports_each_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "duration: 3m\nstreams:\n  - cameras: []\n    inter_arrival: {distribution: exponential, mean: 0s}\n").unwrap();
    let bad = bad.to_str().unwrap();
    Test::new()
        .args([
            "validate",
            "scenarios/default.yaml",
            bad,
            "scenarios/city.yaml",
        ])
        .status(2)
        .stdout_contains("scenarios/default.yaml: ok")
        .stdout_contains("scenarios/city.yaml: ok")
        .stderr_contains("streams[0].cameras: the camera list is empty")
        .stderr_contains("streams[0].inter_arrival.mean: mean must be positive")
        .stderr_contains("1 of 3 files are invalid");
    Test::new()
        .line("validate scenarios/default.yaml scenarios/city.yaml scenarios/parking.yaml")
        .status(0);
}

#[test]
fn schema_prints_the_committed_schemas() {
    Test::new()
        .arg("schema")
        .status(0)
        .stdout_is(std::fs::read(root().join("schemas/scenario.schema.json")).unwrap());
    Test::new()
        .args(["schema", "--event"])
        .stdout_is(std::fs::read(root().join("schemas/event.schema.json")).unwrap());
}

#[test]
fn no_scenario_gets_advice_that_fits_what_was_typed() {
    Test::new()
        .args(["--dry-run", "--seed", "7"])
        .status(2)
        .stderr_is("error: no scenario file given; name one, e.g. `simulate scenarios/default.yaml --dry-run --seed 7`\n");
    Test::new()
        .status(2)
        .stderr_contains("`simulate scenarios/default.yaml` to send it to Kafka")
        .stderr_contains("`simulate scenarios/default.yaml --dry-run` to print its events");
    Test::new()
        .args(["--topic", "my events"])
        .stderr_contains("`simulate scenarios/default.yaml --topic 'my events'`");
}

#[test]
fn negative_durations_on_the_command_line_are_called_negative() {
    for flag in ["--duration", "--connect-timeout", "--flush-timeout"] {
        Test::new()
            .args(["scenarios/default.yaml", "--dry-run", flag, "-1s"])
            .status(2)
            .stderr_contains("negative durations are not allowed: `-1s`");
    }
    Test::new()
        .args(["scenarios/default.yaml", "--speed", "-2"])
        .status(2)
        .stderr_contains("`-2` is not a positive number");
    // An option where a value should be is named as such, not taken for a duration.
    Test::new()
        .args(["scenarios/default.yaml", "--duration", "--dry-run"])
        .status(2)
        .stderr_contains("expected a duration such as `30s`, found the option `--dry-run`");
}

#[test]
fn an_unwritable_report_path_is_invalid_input_found_before_anything_starts() {
    Test::new()
        .args(["scenarios/default.yaml", "--report", "/no/such/dir/run.json"])
        .status(2)
        .stderr_is("error: cannot write the report to /no/such/dir/run.json: no such directory; choose a path in a writable directory\n");
}

#[test]
fn a_bad_property_is_refused_under_its_own_name_before_the_cluster_starts() {
    Test::new()
        .args(["scenarios/default.yaml", "-X", "linger.ms=abc"])
        .status(2)
        .stderr_is("error: invalid Kafka property -X linger.ms=abc: Invalid value for configuration property \"linger.ms\" (librdkafka calls it `queue.buffering.max.ms`)\n");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.yaml");
    std::fs::write(
        &file,
        "duration: 1s\nkafka: {properties: {acks: maybe}}\nstreams: [{cameras: [1], inter_arrival: {distribution: constant, interval: 1s}}]\n",
    )
    .unwrap();
    Test::new()
        .arg(&file)
        .status(2)
        .stderr_starts_with(
            "error: invalid Kafka property kafka.properties: acks: maybe in the scenario:",
        )
        .stderr_lacks("embedded");
}

/// `simulate completions SHELL` prints a script for each shell clap knows; the bash
/// one loads in `bash -n`, and in a scripted bash it completes `simulate va` to
/// `validate` (run where no file starts with `va`).
#[test]
fn completions_load_and_complete_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Test::new().args(["completions", shell]).status(0).run();
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("validate"),
            "{shell}: no subcommands in\n{script}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("simulate.bash");
    std::fs::write(
        &script,
        Test::new().args(["completions", "bash"]).run().stdout,
    )
    .unwrap();
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
    let out = Test::new().arg("man").status(0).run();
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

/// A first word close to a command's name, and not a file, is a misspelt command.
#[test]
fn a_misspelt_command_is_named_with_the_one_meant() {
    Test::new()
        .line("validat x.yaml")
        .status(2)
        .stderr_is("error: unknown command `validat`, did you mean `validate`? (nor is there a scenario file `validat`; the commands are listed by --help)\n")
        .run();
    // A scenario file of that name is run as one (here: it does not exist).
    Test::new()
        .line("stast --dry-run")
        .status(2)
        .stderr_contains("did you mean `stats`?")
        .run();
}

#[test]
fn metrics_addresses_take_host_port_or_port_alone() {
    Test::new()
        .line("scenarios/default.yaml --metrics 9464")
        .status(2)
        .stderr_contains("`9464` is not an address; give HOST:PORT, e.g. 127.0.0.1:9464 (this machine only), or :PORT, e.g. :9464 (all interfaces)")
        .run();
    Test::new()
        .line("scenarios/default.yaml --metrics 127.0.0.1:http")
        .status(2)
        .stderr_contains("`http` is not a port")
        .run();
}

#[test]
fn seeds_and_starts_say_what_they_accept() {
    Test::new()
        .line("scenarios/default.yaml --dry-run --seed -1")
        .status(2)
        .stderr_contains(
            "`-1` is not a seed: seeds are whole numbers from 0 to 18446744073709551615 (2⁶⁴−1)",
        )
        .stderr_lacks("-- -1")
        .run();
    Test::new()
        .line("scenarios/default.yaml --dry-run --start tomorrow")
        .status(2)
        .stderr_contains("`tomorrow` is not an RFC 3339 instant")
        .stderr_contains("such as 2026-01-01T00:00:00Z")
        .stderr_contains("next:1m")
        .run();
}

/// What only a Kafka run or the embedded cluster uses is refused where it does nothing.
#[test]
fn flags_that_would_do_nothing_are_refused() {
    for flag in [
        "--partitions 4",
        "--flush-timeout 1s",
        "--connect-timeout 1s",
        "--keep-broker",
    ] {
        Test::new()
            .line(&format!("scenarios/default.yaml --dry-run {flag}"))
            .status(2)
            .stderr_contains("cannot be used with")
            .run();
    }
    Test::new()
        .line("scenarios/default.yaml -b 127.0.0.1:9 --partitions 4")
        .status(2)
        .stderr_contains("--partitions applies only to the embedded cluster, and this run sends to 127.0.0.1:9 (from --bootstrap-servers)")
        .run();
    Test::new()
        .line("scenarios/default.yaml --keep-broker")
        .env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9")
        .status(2)
        .stderr_contains("--keep-broker applies only to the embedded cluster, and this run sends to 127.0.0.1:9 (from KAFKA_BOOTSTRAP_SERVERS); your cluster serves its topics itself, or give --embedded-broker to use the embedded one (KAFKA_BOOTSTRAP_SERVERS then does not count)")
        .run();
}

/// `bash -c SCRIPT` with `simulate` on the PATH: its output and exit code.
fn shell(script: &str) -> std::process::Output {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_simulate"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::process::Command::new("bash")
        .args(["-c", script])
        .env("PATH", path)
        .current_dir(root())
        .output()
        .unwrap()
}

/// `-` reads the scenario from standard input, and a pipe named as the scenario (process
/// substitution, /dev/stdin) is read as it comes; the plan is the file's.
#[test]
fn a_scenario_can_be_piped_in() {
    let file = shell(&format!(
        "simulate scenarios/default.yaml --dry-run --start {START}"
    ));
    assert_eq!(file.status.code(), Some(0));
    assert!(!file.stdout.is_empty());
    for script in [
        format!("simulate - --dry-run --start {START} < scenarios/default.yaml"),
        format!("cat scenarios/default.yaml | simulate - --dry-run --start {START}"),
        format!("simulate <(cat scenarios/default.yaml) --dry-run --start {START}"),
        format!("cat scenarios/default.yaml | simulate /dev/stdin --dry-run --start {START}"),
    ] {
        let out = shell(&script);
        assert_eq!(out.status.code(), Some(0), "{script}: {}", stderr_of(&out));
        assert!(out.stdout == file.stdout, "{script}: another plan");
    }
    // A FIFO whose writer opens it a moment after simulate does is read too.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.yaml");
    let out = shell(&format!(
        "mkfifo {f} || exit 99; (sleep 0.1; timeout 10 sh -c 'cat scenarios/default.yaml > {f}') & simulate {f} --dry-run --start {START}; status=$?; wait; exit $status",
        f = fifo.display()
    ));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(out.stdout == file.stdout, "the FIFO's plan differs");
    // Errors point into `<stdin>`.
    let out = shell(
        "printf 'duration: 3m\\nstreams:\\n  - cameras: [1]\\n    inter_arrival: {kind: poison}\\n' | simulate validate -",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("<stdin>:4:"),
        "{}",
        stderr_of(&out)
    );
    // Too much from a pipe is refused like a large file.
    let out = shell("yes '# padding' | head -c 300000 | simulate validate -");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("larger than 262144 bytes"),
        "{}",
        stderr_of(&out)
    );
}
