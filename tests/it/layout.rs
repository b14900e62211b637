//! The shape of `src/`. The flow is one-way: scenario → plan → render → replay → sink →
//! report, with the command line, `run` and errors at the edge. No module may name a
//! module downstream of it (`crate::…` paths in its source); the replay loop may name
//! only the sink trait. src/lib.rs's header describes the same rooms.
//!
//! Beyond the flow: no import circle between the modules of any level (top-level modules,
//! and the children of every module) nor between files (`graph.rs` says how paths are
//! read and resolved); no file over 600 lines; no function over 100 lines of code
//! (`code.rs` says how a function is measured). `cycles.rs` finds the circles of a graph.

mod code;
mod cycles;
mod graph;

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;
use graph::Crate;

/// The most lines a file of `src/` may have, tests inside it included.
const MAX_FILE_LINES: usize = 600;
/// The most lines of code a function of `src/` may have ([`code::functions`]).
const MAX_FN_LINES: usize = 100;

/// The paths a file names after `crate::` in its code (comments are left out), groups
/// expanded: `use crate::a::{b, c}` names `a::b` and `a::c`.
fn named(text: &str) -> BTreeSet<String> {
    let code = code::code_of(text);
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let after = &rest[path.len()..];
        match after.strip_prefix('{') {
            Some(group) => {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',').map(str::trim) {
                    if !part.is_empty() {
                        out.insert(format!("{path}{part}"));
                    }
                }
            }
            None => {
                out.insert(path.trim_end_matches(':').to_string());
            }
        }
    }
    out
}

/// Every file under `dir` (or `dir` itself if it is a file), sorted.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    if dir.is_file() {
        return vec![dir.to_path_buf()];
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        out.extend(files(&entry.unwrap().path()));
    }
    out.sort();
    out
}

/// The Rust files of `src/`, as (path relative to `src/`, text).
fn sources() -> Vec<(String, String)> {
    let src = root().join("src");
    files(&src)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
        .map(|f| {
            let relative = f.strip_prefix(&src).unwrap().to_string_lossy().into_owned();
            (relative, std::fs::read_to_string(&f).unwrap())
        })
        .collect()
}

/// The modules of the flow, upstream first, and the edge that assembles them.
const FLOW: [&str; 6] = ["scenario", "plan", "render", "replay", "sink", "report"];
const EDGE: [&str; 2] = ["run", "cli"];

#[test]
fn no_module_names_one_downstream_of_it() {
    let mut wrong = Vec::new();
    for (i, module) in FLOW.iter().enumerate() {
        let downstream: Vec<&str> = FLOW[i + 1..].iter().chain(&EDGE).copied().collect();
        let dir = root().join("src").join(module);
        let sources = if dir.is_dir() {
            files(&dir)
        } else {
            vec![dir.with_extension("rs")]
        };
        for file in sources {
            let text = std::fs::read_to_string(&file).unwrap();
            for path in named(&text) {
                let top = path.split("::").next().unwrap_or_default();
                // The loop drives sinks through the trait alone.
                let the_trait = *module == "replay"
                    && ["sink::Sink", "sink::Handover"].contains(&path.as_str());
                if downstream.contains(&top) && !the_trait {
                    wrong.push(format!("{}: crate::{path}", file.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the flow:\n{}",
        wrong.join("\n")
    );
}

/// The library's modules (the binary's `main.rs` is a crate of its own).
fn the_crate() -> Crate {
    let library: Vec<(String, String)> = sources()
        .into_iter()
        .filter(|(file, _)| file != "main.rs")
        .collect();
    Crate::from_sources(&library)
}

#[test]
fn no_import_circle_between_modules() {
    let circles: Vec<String> = the_crate()
        .module_graphs()
        .into_iter()
        .flat_map(|(parent, graph)| {
            graph
                .circles()
                .into_iter()
                .map(move |c| format!("inside {parent}: {c}"))
        })
        .collect();
    assert!(
        circles.is_empty(),
        "modules that import one another:\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_import_circle_between_files() {
    let circles = the_crate().file_graph().circles();
    assert!(
        circles.is_empty(),
        "files that import one another:\n{}",
        circles.join("\n")
    );
}

#[test]
fn no_file_in_src_is_over_600_lines() {
    let long: Vec<String> = sources()
        .iter()
        .map(|(file, text)| (file, text.lines().count()))
        .filter(|(_, lines)| *lines > MAX_FILE_LINES)
        .map(|(file, lines)| format!("src/{file}: {lines} lines"))
        .collect();
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines (tests inside count):\n{}",
        long.join("\n")
    );
}

#[test]
fn no_fn_in_src_is_over_100_lines() {
    let mut long = Vec::new();
    for (file, text) in sources() {
        for f in code::functions(&text) {
            if f.code_lines > MAX_FN_LINES {
                long.push(format!(
                    "src/{file}:{}: fn {}: {} lines of code",
                    f.line, f.name, f.code_lines
                ));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines of code (blank and comment lines not counted):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_import_reader_sees_every_form() {
    let text = "use crate::scenario::Scenario;\nuse crate::{plan, render::Message};\nuse crate::sink::{Handover, Sink};\n// [`crate::run`]\nlet x = crate::report::Report::new;\n";
    let found: Vec<String> = named(text).into_iter().collect();
    assert_eq!(
        found,
        [
            "plan",
            "render::Message",
            "report::Report::new",
            "scenario::Scenario",
            "sink::Handover",
            "sink::Sink"
        ]
    );
}

/// The Dockerfile's build stage copies everything `cargo build` reads: the manifest, the
/// lock file, `src` and the build script `Cargo.toml` names (an image built without it
/// fails; no Docker engine here, so this is checked by reading both files).
#[test]
fn the_dockerfile_copies_what_the_build_reads() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let build = manifest
        .lines()
        .find_map(|l| l.strip_prefix("build = "))
        .map(|v| v.trim_matches('"').to_string())
        .expect("Cargo.toml names its build script");
    let copied: Vec<&str> = dockerfile
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words[..words.len() - 1].to_vec()
        })
        .collect();
    for needed in ["Cargo.toml", "Cargo.lock", "src", build.as_str()] {
        assert!(
            copied
                .iter()
                .any(|c| needed == *c || needed.starts_with(&format!("{c}/"))),
            "the Dockerfile does not copy {needed} (copies {copied:?})"
        );
    }
}
