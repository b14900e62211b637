//! The docs are tested: every output sample in them is what the command shown with it
//! prints, every shell sample is one that a test runs, and every relative link leads to
//! a file (and `#anchor` to a heading) that exists.
//!
//! The docs are README.md, CONTRIBUTING.md and every `.md` file under docs/, found by
//! walking the directory (a new page is tested without being listed anywhere).
//!
//! Samples are fenced as `console`: a line starting with `$ ` is a command as a user
//! types it (with `simulate` on the PATH), and the lines after it, up to the next command
//! or the end of the block, are what the terminal shows (stdout and stderr). A block
//! preceded by `<!-- readme-test: figures vary -->` is compared with the figures that
//! vary from run to run masked (timings, rates, ports); counts are compared as they are.
//! Commands shown without their output go in `sh` blocks, without a `$ ` prompt.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

const FIGURES_VARY: &str = "<!-- readme-test: figures vary -->";

/// The docs, as paths relative to the repository root: README.md, CONTRIBUTING.md and
/// every `.md` file under docs/ (at any depth), in a stable order.
pub fn doc_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = dir.join(entry.unwrap().file_name());
            if root().join(&path).is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    let mut docs = Vec::new();
    walk(Path::new("docs"), &mut docs);
    docs.sort();
    let mut files = vec![PathBuf::from("README.md"), PathBuf::from("CONTRIBUTING.md")];
    files.extend(docs);
    files
}

/// The text of a doc, by its path relative to the repository root.
pub fn read_doc(path: &Path) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One fenced code block: the line of its opening fence, its info string's first word
/// (`console`, `sh`, … or empty), its lines, and the last non-blank line before it.
#[derive(Debug)]
struct Block<'a> {
    line: usize,
    info: &'a str,
    lines: Vec<&'a str>,
    before: &'a str,
}

/// Every fenced block of a markdown text (``` or ~~~ fences, indented ones included).
fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut blocks = Vec::new();
    let mut open: Option<(&str, Block)> = None;
    let mut previous = "";
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (open.take(), fence) {
            (None, Some(f)) => {
                let info = trimmed.trim_start_matches(&f[..1]).trim();
                let info = info.split_whitespace().next().unwrap_or("");
                open = Some((
                    f,
                    Block {
                        line: i + 1,
                        info,
                        lines: Vec::new(),
                        before: previous,
                    },
                ));
            }
            (Some((f, block)), Some(g))
                if f == g && trimmed.trim_start_matches(&f[..1]).trim().is_empty() =>
            {
                blocks.push(block);
            }
            (Some((f, mut block)), _) => {
                block.lines.push(line);
                open = Some((f, block));
            }
            (None, None) => {}
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    blocks.extend(open.map(|(_, block)| block));
    blocks
}

/// Whether a line of a block is a command after a `$ ` prompt.
fn prompt(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix("$ ")
}

/// One `$ command` and the output shown under it.
#[derive(Debug)]
struct Sample {
    line: usize,
    command: String,
    output: String,
    figures_vary: bool,
}

fn samples(text: &str) -> Vec<Sample> {
    let mut samples: Vec<Sample> = Vec::new();
    for block in blocks(text).into_iter().filter(|b| b.info == "console") {
        let figures_vary = block.before.trim() == FIGURES_VARY;
        let mut current: Option<Sample> = None;
        for (j, line) in block.lines.iter().enumerate() {
            if let Some(command) = line.strip_prefix("$ ") {
                samples.extend(current.take());
                current = Some(Sample {
                    line: block.line + 1 + j,
                    command: command.to_string(),
                    output: String::new(),
                    figures_vary,
                });
            } else if let Some(sample) = current.as_mut() {
                sample.output.push_str(line);
                sample.output.push('\n');
            }
        }
        samples.extend(current);
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
            || rest.starts_with(" events/s")
            || rest.starts_with(" messages/");
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

/// What is wrong with one sample: its exit code or its output, or nothing.
fn check(file: &Path, sample: &Sample) -> Vec<String> {
    let mut wrong = Vec::new();
    let (got, code) = run(&sample.command);
    // A sample that shows an error is a command that exits 2; any other exits 0.
    let shows_error = sample.output.lines().any(|l| l.starts_with("error:"));
    let expected_code = if shows_error { 2 } else { 0 };
    let at = format!("{}:{}: `{}`", file.display(), sample.line, sample.command);
    if code != Some(expected_code) {
        wrong.push(format!("{at} exited {code:?}, expected {expected_code}"));
    }
    let (want, got) = if sample.figures_vary {
        (masked(&sample.output), masked(&got))
    } else {
        (sample.output.clone(), got)
    };
    if want != got {
        wrong.push(format!(
            "{at} printed:\n{got}\nbut {} shows:\n{want}",
            file.display()
        ));
    }
    wrong
}

#[test]
fn every_doc_sample_is_what_its_command_prints() {
    let mut wrong = Vec::new();
    let mut count = 0;
    for file in doc_files() {
        for sample in samples(&read_doc(&file)) {
            count += 1;
            wrong.extend(check(&file, &sample));
        }
    }
    assert!(count >= 10, "only {count} samples found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Why a block holds a shell sample that the sample test would not run, if it does.
fn unrun(block: &Block) -> Option<&'static str> {
    let commands = block.lines.iter().filter(|l| prompt(l).is_some()).count();
    let indented = block
        .lines
        .iter()
        .any(|l| l.starts_with(' ') && prompt(l).is_some());
    match (block.info == "console", commands) {
        (true, 0) => Some("a console block without a `$ ` command: no test runs it"),
        (true, _) if indented => {
            Some("an indented `$ ` line in a console block: it would be read as output")
        }
        (true, _) | (false, 0) => None,
        (false, _) => Some(
            "a `$ ` prompt outside a console block: no test runs it (fence it as console, \
             or drop the prompt and fence it as sh)",
        ),
    }
}

#[test]
fn every_shell_sample_in_the_docs_is_one_the_sample_test_runs() {
    let mut wrong = Vec::new();
    for file in doc_files() {
        let text = read_doc(&file);
        let run: BTreeSet<usize> = samples(&text).iter().map(|s| s.line).collect();
        for block in blocks(&text) {
            if let Some(why) = unrun(&block) {
                wrong.push(format!("{}:{}: {why}", file.display(), block.line));
            }
            // And each command the block shows is one the sample reader found.
            for (j, line) in block.lines.iter().enumerate() {
                let at = block.line + 1 + j;
                if block.info == "console" && prompt(line).is_some() && !run.contains(&at) {
                    wrong.push(format!("{}:{at}: a command no test runs", file.display()));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The line numbers of every fenced block, fences included.
fn fenced(text: &str) -> BTreeSet<usize> {
    blocks(text)
        .iter()
        .flat_map(|b| b.line..=b.line + b.lines.len() + 1)
        .collect()
}

/// The anchor GitHub gives a heading: lower case, punctuation dropped (`-` and `_`
/// kept), spaces as `-`; link text kept, link targets dropped.
fn slug(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    while let Some(at) = rest.find("](") {
        text.push_str(&rest[..at]);
        rest = &rest[at + 2..];
        rest = rest.find(')').map_or("", |end| &rest[end + 1..]);
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every heading anchor of a markdown text (not counting `#` lines in code blocks); a
/// repeated heading gets `-1`, `-2`, … as on GitHub.
fn anchors(text: &str) -> BTreeSet<String> {
    let in_block = fenced(text);
    let mut found = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if in_block.contains(&(i + 1)) || !(1..=6).contains(&hashes) {
            continue;
        }
        let Some(title) = line[hashes..].strip_prefix(' ') else {
            continue;
        };
        let base = slug(title.trim_end_matches('#'));
        let mut anchor = base.clone();
        for n in 1.. {
            if !found.contains(&anchor) {
                break;
            }
            anchor = format!("{base}-{n}");
        }
        found.insert(anchor);
    }
    found
}

/// The targets of a markdown text's links and images, `[text](target)` and
/// `[label]: target`, with their lines; code blocks and code spans left out.
fn links(text: &str) -> Vec<(usize, String)> {
    let in_block = fenced(text);
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if in_block.contains(&(i + 1)) {
            continue;
        }
        // Code spans dropped: the text between the odd and even backticks.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join("");
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            found.push((i + 1, rest[..end].trim().to_string()));
            rest = &rest[end..];
        }
        let definition = prose.trim_start();
        if let Some((label, target)) = definition.split_once("]: ") {
            if label.starts_with('[') && !label.contains(']') {
                found.push((i + 1, target.trim().to_string()));
            }
        }
    }
    found
}

/// What is wrong with one link of `file`: a missing file or heading, or nothing.
fn broken(file: &Path, target: &str) -> Option<String> {
    let target = target.split_whitespace().next().unwrap_or("");
    if target.contains("://") || target.starts_with("mailto:") {
        return None;
    }
    let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
    let linked = if path.is_empty() {
        file.to_path_buf()
    } else {
        file.parent().unwrap().join(path)
    };
    let full = root().join(&linked);
    if !full.exists() {
        return Some(format!("`{target}`: no file {}", linked.display()));
    }
    if anchor.is_empty() || full.extension().is_none_or(|e| e != "md") {
        return None;
    }
    let headings = anchors(&std::fs::read_to_string(&full).unwrap());
    (!headings.contains(anchor))
        .then(|| format!("`{target}`: no heading `#{anchor}` in {}", linked.display()))
}

#[test]
fn every_relative_link_in_the_docs_leads_to_a_file_and_heading_that_exist() {
    let mut wrong = Vec::new();
    let mut count = 0;
    for file in doc_files() {
        for (line, target) in links(&read_doc(&file)) {
            count += 1;
            if let Some(why) = broken(&file, &target) {
                wrong.push(format!("{}:{line}: {why}", file.display()));
            }
        }
    }
    assert!(count >= 20, "only {count} links found");
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

#[test]
fn the_block_reader_finds_samples_no_test_would_run() {
    let text = "```console\n$ ok\n```\n\n  ```\n  $ merge a b\n  error: x\n  ```\n\n~~~console\nout only\n~~~\n\n```sh\nsimulate a.yaml   # fine\n```\n";
    let found: Vec<(usize, &str, Option<&str>)> = blocks(text)
        .iter()
        .map(|b| (b.line, b.info, unrun(b)))
        .collect();
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(found[0].2, None);
    assert!(found[1].2.unwrap().contains("outside a console block"));
    assert_eq!((found[2].0, found[2].1), (10, "console"));
    assert!(found[2].2.unwrap().contains("without a `$ ` command"));
    assert_eq!(found[3].2, None);
}

#[test]
fn the_link_reader_and_the_anchors_work() {
    assert_eq!(
        slug("Dirty data on purpose: faults, and the ground truth to score a consumer"),
        "dirty-data-on-purpose-faults-and-the-ground-truth-to-score-a-consumer"
    );
    assert_eq!(
        slug("Docker Compose: the original script's environment"),
        "docker-compose-the-original-scripts-environment"
    );
    assert_eq!(slug("The `plot` of [a day](x.md)"), "the-plot-of-a-day");
    let text = "# Title\n\n## Part\n\n## Part\n\n```yaml\n# not: a heading\n```\nSee [a](other.md#x), ![b](pic.png), `[c](in-code.md)` and\n[d]: https://example.com\n";
    assert_eq!(
        anchors(text).into_iter().collect::<Vec<_>>(),
        ["part", "part-1", "title"]
    );
    assert_eq!(
        links(text),
        [
            (10, "other.md#x".to_string()),
            (10, "pic.png".to_string()),
            (11, "https://example.com".to_string()),
        ]
    );
    let readme = Path::new("README.md");
    assert_eq!(broken(readme, "docs/guide.md#using-it"), None);
    assert_eq!(broken(readme, "https://crates.io/crates/resvg"), None);
    assert!(broken(readme, "docs/guide.md#no-such-heading").is_some());
    assert!(broken(readme, "docs/no-such-file.md").is_some());
    assert!(broken(Path::new("docs/guide.md"), "../README.md#using-it").is_none());
}
