//! Every output sample in README.md is what the command shown with it prints.
//!
//! Samples are fenced as `console`: a line starting with `$ ` is a command as a user
//! types it (with `simulate` on the PATH), and the lines after it, up to the next command
//! or the end of the block, are what the terminal shows (stdout and stderr). A block
//! preceded by `<!-- readme-test: figures vary -->` is compared with the figures that
//! vary from run to run masked (timings, rates, ports); counts are compared as they are.

use std::path::Path;
use std::process::Command;

use crate::common::*;

const FIGURES_VARY: &str = "<!-- readme-test: figures vary -->";

/// One `$ command` and the output shown under it.
#[derive(Debug)]
struct Sample {
    line: usize,
    command: String,
    output: String,
    figures_vary: bool,
}

fn samples(readme: &str) -> Vec<Sample> {
    let mut samples: Vec<Sample> = Vec::new();
    let mut in_console = false;
    let mut figures_vary = false;
    let mut previous = "";
    for (i, line) in readme.lines().enumerate() {
        if !in_console && line.trim_start().starts_with("```console") {
            in_console = true;
            figures_vary = previous.trim() == FIGURES_VARY;
        } else if in_console && line.trim_start().starts_with("```") {
            in_console = false;
        } else if in_console {
            if let Some(command) = line.strip_prefix("$ ") {
                samples.push(Sample {
                    line: i + 1,
                    command: command.to_string(),
                    output: String::new(),
                    figures_vary,
                });
            } else if let Some(sample) = samples.last_mut() {
                sample.output.push_str(line);
                sample.output.push('\n');
            }
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    samples
}

/// Figures that vary masked: decimals (times, addresses), ports and rates, with their
/// units; whole counts such as `341 planned` are kept and compared.
fn masked(text: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let rest: String = chars[i..chars.len().min(i + 10)].iter().collect();
        let varies = number.contains('.')
            || (start > 0 && chars[start - 1] == ':')
            || rest.starts_with(" events/s");
        out.push_str(if varies { "N" } else { &number });
    }
    // The unit of a duration follows its size: `N µs` and `N ms` read alike.
    out.replace("N µs", "N s").replace("N ms", "N s")
}

/// What a command prints (stdout and stderr, as a terminal shows them) and its exit code.
fn run(command: &str) -> (String, Option<i32>) {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_simulate")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-c", &format!("{{ {command} ; }} 2>&1")])
        .env("PATH", path)
        .env_remove("KAFKA_BOOTSTRAP_SERVERS")
        .current_dir(root())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

#[test]
fn every_readme_sample_is_what_its_command_prints() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let samples = samples(&readme);
    assert!(samples.len() >= 5, "only {} samples found", samples.len());
    let mut wrong = Vec::new();
    for sample in &samples {
        let (got, code) = run(&sample.command);
        // A sample that shows an error is a command that exits 2; any other exits 0.
        let shows_error = sample.output.lines().any(|l| l.starts_with("error:"));
        let expected_code = if shows_error { 2 } else { 0 };
        if code != Some(expected_code) {
            wrong.push(format!(
                "README.md:{}: `{}` exited {code:?}, expected {expected_code}",
                sample.line, sample.command
            ));
        }
        let (want, got) = if sample.figures_vary {
            (masked(&sample.output), masked(&got))
        } else {
            (sample.output.clone(), got)
        };
        if want != got {
            wrong.push(format!(
                "README.md:{}: `{}` printed:\n{got}\nbut the README shows:\n{want}",
                sample.line, sample.command
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_sample_reader_and_the_mask_work() {
    let text = "x\n\n```console\n$ a | b\none\ntwo\n$ c\n```\n<!-- readme-test: figures vary -->\n```console\n$ d\n3.5 ms\n```\n";
    let s = samples(text);
    assert_eq!(s.len(), 3);
    assert_eq!(
        (s[0].command.as_str(), s[0].output.as_str()),
        ("a | b", "one\ntwo\n")
    );
    assert_eq!(
        (s[1].line, s[1].output.as_str(), s[1].figures_vary),
        (7, "", false)
    );
    assert!(s[2].figures_vary);
    assert_eq!(
        masked("p50 12.5 µs in 3.1 s (114 events/s), 127.0.0.1:4567"),
        "p50 N s in N s (N events/s), N:N"
    );
    assert_ne!(masked("341 planned"), masked("340 planned"));
}
