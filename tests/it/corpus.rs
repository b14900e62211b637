//! Hostile and broken scenario files: every one ends in exit 2 with a message that says
//! what is wrong, within a second, in under 100 MB, without a panic. The committed
//! corpus (tests/corpus/NAME.yaml, with the expected message fragment in NAME.err) is
//! joined by inputs too large or too strange to commit, made here. Each documented limit
//! is tested at and just past its value.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simulate::scenario::limits;

use crate::common::*;

/// How a run of the binary ended.
struct Outcome {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
}

/// The most memory a rejected input may cost: the child runs with its data segment
/// (heap and private writable mappings, `RLIMIT_DATA`) capped here, so an input that
/// would take more makes an allocation fail, and the process abort instead of exiting
/// with 2. (A child's `ru_maxrss` cannot serve: Linux carries the parent's peak into it
/// at `exec`, and the parent here is the whole test binary.)
const MEMORY_LIMIT: u64 = 100 << 20;

/// Runs the binary, with `MEMORY_LIMIT` applied when `limited`, and times it.
#[allow(unsafe_code)]
fn measured(args: &[&str], limited: bool) -> Outcome {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_simulate"));
    command
        .args(args)
        .current_dir(root())
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if limited {
        // SAFETY: setrlimit is async-signal-safe and touches only the child's own limits.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: MEMORY_LIMIT,
                    rlim_max: MEMORY_LIMIT,
                };
                if libc::setrlimit(libc::RLIMIT_DATA, &limit) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let started = Instant::now();
    let out = command.output().unwrap();
    Outcome {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
    }
}

/// The contract for invalid input.
fn assert_rejected(args: &[&str], fragment: &str) {
    let out = measured(args, true);
    let what = format!("{args:?}");
    assert_eq!(
        out.code,
        Some(2),
        "{what}: exit {:?} (an abort here can be the {} MB memory limit)\n{}",
        out.code,
        MEMORY_LIMIT >> 20,
        out.stderr
    );
    assert!(
        out.stderr.contains(fragment),
        "{what}: expected {fragment:?} in:\n{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("stack backtrace"),
        "{what}:\n{}",
        out.stderr
    );
    assert!(
        out.elapsed < Duration::from_secs(1),
        "{what}: took {:?}",
        out.elapsed
    );
}

fn corpus() -> Vec<(PathBuf, String)> {
    let mut cases: Vec<(PathBuf, String)> = std::fs::read_dir(root().join("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let fragment = std::fs::read_to_string(p.with_extension("err"))
                .unwrap_or_else(|_| panic!("{} has no .err file", p.display()));
            (p, fragment.trim_end().to_string())
        })
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_corpus_file_is_rejected_clearly_fast_and_small() {
    let cases = corpus();
    assert!(cases.len() >= 40, "only {} corpus files", cases.len());
    for (path, fragment) in &cases {
        let path = path.to_str().unwrap();
        assert_rejected(&["validate", path], fragment);
        assert_rejected(&[path, "--dry-run"], fragment);
    }
}

#[test]
fn inputs_too_large_or_strange_to_commit_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| -> String {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let huge = write("huge.yaml", &{
        let mut v = b"duration: 3m\n# ".to_vec();
        v.resize(50 << 20, b'x');
        v
    });
    let deep = write(
        "deep.yaml",
        format!(
            "duration: 3m\nstreams: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        )
        .as_bytes(),
    );
    // Deterministic noise with every byte value, NUL included.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
        .collect();
    let garbage = write("garbage.yaml", &noise);
    let latin1 = write("latin1.yaml", b"name: caf\xe9\nduration: 3m\n");
    let just_past = write("past.yaml", &{
        let mut v = b"duration: 3m\n#".to_vec();
        v.resize(limits::MAX_FILE_BYTES + 1, b'x');
        v
    });
    let fifo = dir.path().join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let subdir = dir.path().join("dir.yaml");
    std::fs::create_dir(&subdir).unwrap();
    for (file, fragment) in [
        (huge.as_str(), "scenario files"),
        (deep.as_str(), "nesting deeper than 32 levels"),
        (garbage.as_str(), "not valid UTF-8"),
        (
            latin1.as_str(),
            "not valid UTF-8 (byte 9, line 1, column 10)",
        ),
        (just_past.as_str(), "larger than 262144 bytes"),
        (fifo.to_str().unwrap(), "nothing was written to this FIFO"),
        (subdir.to_str().unwrap(), "this is a directory"),
        ("no/such/file.yaml", "no such file"),
    ] {
        assert_rejected(&["validate", file], fragment);
        assert_rejected(&[file, "--dry-run"], fragment);
    }
}

fn validate_text(dir: &Path, text: &str) -> Outcome {
    let path = dir.join("limit.yaml");
    std::fs::write(&path, text).unwrap();
    measured(&["validate", path.to_str().unwrap()], false)
}

fn one_stream(cameras: &str, gap: &str) -> String {
    format!("duration: 3m\nstreams:\n  - cameras: {cameras}\n    inter_arrival: {gap}\n")
}

#[test]
fn each_limit_holds_at_its_value_and_fails_just_past_it() {
    let dir = tempfile::tempdir().unwrap();
    let ok = |text: &str| {
        let out = validate_text(dir.path(), text);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
    };
    let rejected = |text: &str, fragment: &str| {
        let out = validate_text(dir.path(), text);
        assert_eq!(out.code, Some(2));
        assert!(
            out.stderr.contains(fragment),
            "expected {fragment:?} in:\n{}",
            out.stderr
        );
    };
    let gap = "{distribution: constant, interval: 1s}";

    // File size: exactly MAX_FILE_BYTES is read.
    let mut at = one_stream("[1]", gap);
    at.push('#');
    at.push_str(&"x".repeat(limits::MAX_FILE_BYTES - at.len() - 1));
    at.push('\n');
    assert_eq!(at.len(), limits::MAX_FILE_BYTES);
    ok(&at);

    // Streams.
    let streams = |n: usize| {
        format!(
            "duration: 3m\nstreams:\n  - &s {{cameras: [1], inter_arrival: {gap}}}\n{}",
            "  - *s\n".repeat(n - 1)
        )
    };
    ok(&streams(limits::MAX_STREAMS));
    rejected(&streams(limits::MAX_STREAMS + 1), "the limit is 1000");

    // Cameras (generated, shared: nothing is allocated per camera beyond its id).
    ok(&one_stream(
        &format!("{{count: {}}}", limits::MAX_CAMERAS),
        gap,
    ));
    rejected(
        &one_stream(&format!("{{count: {}}}", limits::MAX_CAMERAS + 1), gap),
        "the limit is 1000000",
    );

    // Mean gap: 1 µs per process.
    ok(&one_stream("[1]", "{distribution: exponential, mean: 1us}"));
    rejected(
        &one_stream("[1]", "{distribution: exponential, mean: 999ns}"),
        "at least 1us",
    );

    // Duration: 100 years of 365 days.
    let years =
        |d: &str| format!("duration: {d}\nstreams: [{{cameras: [1], inter_arrival: {gap}}}]\n");
    ok(&years("876000h"));
    rejected(&years("876000h1ns"), "longer than the limit of 100 years");

    // Payload values (fields, nested objects, list items and headers, all levels).
    let payload = |n: usize| {
        let mut text = String::from(
            "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {distribution: constant, interval: 1s}\n    payload:\n",
        );
        for i in 0..n {
            text.push_str(&format!("      f{i}: 1\n"));
        }
        text
    };
    ok(&payload(limits::MAX_PAYLOAD_VALUES));
    rejected(
        &payload(limits::MAX_PAYLOAD_VALUES + 1),
        "10001 values in the payload and headers; the limit is 10000",
    );

    // Decimals: 0 to 17.
    let decimals = |d: u32| {
        format!(
            "duration: 3m\nstreams:\n  - cameras: [1]\n    inter_arrival: {gap}\n    payload: {{x: {{gen: float, min: 0, max: 1, decimals: {d}}}}}\n"
        )
    };
    ok(&decimals(limits::MAX_DECIMALS));
    rejected(
        &decimals(limits::MAX_DECIMALS + 1),
        "expected a whole number from 0 to 17",
    );

    // Nesting and indentation, in the text.
    let nest = |n: usize| format!("duration: 3m\nx: {}{}\n", "[".repeat(n), "]".repeat(n));
    rejected(&nest(limits::MAX_DEPTH), "unknown field `x`");
    rejected(
        &nest(limits::MAX_DEPTH + 1),
        "nesting deeper than 32 levels",
    );
    let indent = |n: usize| format!("duration: 3m\nx:\n{}y: 1\n", " ".repeat(n));
    rejected(&indent(limits::MAX_INDENT), "unknown field `x`");
    rejected(
        &indent(limits::MAX_INDENT + 1),
        "indented 257 characters deep",
    );
}

#[test]
fn at_most_fifty_problems_are_shown_and_the_rest_counted() {
    let ids: Vec<String> = (0..60).map(|_| "1".to_string()).collect();
    let text = one_stream(
        &format!("[{}]", ids.join(", ")),
        "{distribution: constant, interval: 1s}",
    );
    let out = try_scenario(&text).unwrap_err();
    assert_eq!(out.matches("appears twice").count(), 50);
    assert!(
        out.contains("… and 9 more problems not shown (59 in all)"),
        "{out}"
    );
    assert!(!out.contains("problems found"), "{out}");
}

/// The memory limit of `assert_rejected` bites: a valid plan of a million per-camera
/// processes (~400 bytes each) cannot be set up under it, and the process aborts.
#[test]
fn the_memory_limit_of_these_tests_bites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("million.yaml");
    std::fs::write(
        &path,
        "duration: 1s\nstreams:\n  - cameras: {count: 1000000}\n    arrivals: per_camera\n    inter_arrival: {distribution: exponential, mean: 1h}\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    assert_eq!(measured(&[file, "--dry-run"], false).code, Some(0));
    let limited = measured(&[file, "--dry-run"], true);
    assert_eq!(limited.code, None, "{}", limited.stderr);
    assert!(
        limited.stderr.contains("memory allocation"),
        "{}",
        limited.stderr
    );
}
