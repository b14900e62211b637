//! Typed errors, the exit code each maps to, and how problems in a file are shown.
//!
//! Problems in a scenario are collected as [`Diagnostic`]s (all of them, not just the
//! first) and rendered like a compiler would: what is wrong, the field path, the file,
//! line and column, the offending line with a caret, and a hint where one helps.

use std::fmt::{self, Write as _};
use std::io;

/// Exit code for success.
pub const EXIT_OK: u8 = 0;
/// Exit code for a failure at run time (I/O, broker, undelivered events).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for invalid input: a bad scenario file or command line.
pub const EXIT_INVALID: u8 = 2;
/// Exit code after SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Everything that can stop a run, each with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario (or an override of it) is invalid; every problem found is listed.
    #[error("{}", render_all(.0))]
    Invalid(Vec<Diagnostic>),
    /// A command-line value is invalid.
    #[error("error: {0}")]
    Usage(String),
    /// Writing the output failed (other than a closed pipe, which is not an error).
    #[error("error: cannot write output: {0}")]
    Output(#[source] io::Error),
    /// A failure at run time, already phrased for people.
    #[error("error: {0}")]
    Runtime(String),
    /// Stopped by SIGINT or SIGTERM before the schedule started.
    #[error("simulate: interrupted")]
    Interrupted,
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_) | Error::Usage(_) => EXIT_INVALID,
            Error::Output(_) | Error::Runtime(_) => EXIT_FAILURE,
            Error::Interrupted => EXIT_INTERRUPTED,
        }
    }
}

/// A position in a source file, 1-based, with the length of the offending text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// Line number, counting from 1.
    pub line: usize,
    /// Column in characters, counting from 1.
    pub column: usize,
    /// How many characters to underline (at least one is shown).
    pub len: usize,
}

/// One problem in one input, with everything needed to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user named it, if the problem is in a file.
    pub file: Option<String>,
    /// Where in the file, when known.
    pub location: Option<Location>,
    /// The text of the line at `location`, for the excerpt.
    pub source_line: Option<String>,
    /// The field path, e.g. `streams[1].inter_arrival.mean`, when the problem has one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What would fix it, when we can tell.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem with a message only; the other parts are added with the builder methods.
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            file: None,
            location: None,
            source_line: None,
            field: None,
            message: message.into(),
            help: None,
        }
    }

    /// Sets the field path.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        let field = field.into();
        self.field = (!field.is_empty()).then_some(field);
        self
    }

    /// Sets the hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the hint if there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.or(self.help);
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => writeln!(f, "error: {field}: {}", self.message)?,
            None => writeln!(f, "error: {}", self.message)?,
        }
        let gutter = self.location.map_or(1, |l| l.line.to_string().len()).max(1);
        let pad = " ".repeat(gutter);
        match (&self.file, self.location) {
            (Some(file), Some(loc)) => writeln!(f, "{pad}--> {file}:{}:{}", loc.line, loc.column)?,
            (Some(file), None) => writeln!(f, "{pad}--> {file}")?,
            _ => {}
        }
        if let (Some(loc), Some(line)) = (self.location, &self.source_line) {
            let (shown, start, len) = excerpt(line, loc.column.saturating_sub(1), loc.len.max(1));
            writeln!(f, "{pad} |")?;
            writeln!(f, "{} | {shown}", loc.line)?;
            writeln!(f, "{pad} | {}{}", " ".repeat(start), "^".repeat(len))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{pad} = help: {help}")?;
        }
        Ok(())
    }
}

/// Characters of a source line shown around the caret.
const EXCERPT: usize = 100;

/// The part of `line` to show (tabs as spaces, long lines cut around `column`), with the
/// caret's start and length within it.
fn excerpt(line: &str, column: usize, len: usize) -> (String, usize, usize) {
    let total = line.chars().count();
    let column = column.min(total);
    let (from, to) = if total <= EXCERPT {
        (0, total)
    } else {
        let from = column.saturating_sub(EXCERPT / 3);
        (from, (from + EXCERPT).min(total))
    };
    let mut shown: String = line
        .chars()
        .skip(from)
        .take(to - from)
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let mut start = column - from;
    if from > 0 {
        shown.insert(0, '…');
        start += 1;
    }
    if to < total {
        shown.push('…');
    }
    let room = to.saturating_sub(column).max(1);
    (shown, start, len.min(room))
}

/// All diagnostics, one block each, followed by a count when there is more than one.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "{d}");
    }
    // A list cut short ends with its own count ("… and N more problems not shown").
    let cut = diagnostics
        .last()
        .is_some_and(|d| d.message.starts_with('…'));
    if diagnostics.len() > 1 && !cut {
        let _ = writeln!(out, "error: {} problems found", diagnostics.len());
    }
    out.trim_end().to_string()
}

/// The candidate closest to `word` by edit distance, if it is close enough to be a
/// plausible misspelling.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .iter()
        .map(|c| (edit_distance(&word, c), *c))
        .filter(|&(d, c)| d <= (c.chars().count() / 3).max(1) || c.starts_with(word.as_str()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Edit distance in characters where a swap of two neighbours counts as one edit
/// (optimal string alignment), so `maen` is one edit from `mean`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            d[i * width + j] = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut best = (d[(i - 1) * width + j] + 1)
                    .min(d[i * width + j - 1] + 1)
                    .min(d[(i - 1) * width + j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    best = best.min(d[(i - 2) * width + j - 2] + 1);
                }
                best
            };
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["exponential", "uniform", "normal", "lognormal"];
        assert_eq!(did_you_mean("expnential", &names), Some("exponential"));
        assert_eq!(did_you_mean("Uniform", &names), Some("uniform"));
        assert_eq!(did_you_mean("lognorm", &names), Some("lognormal"));
        assert_eq!(did_you_mean("poisson", &names), None);
        assert_eq!(did_you_mean("maen", &["mean", "std_dev"]), Some("mean"));
    }

    #[test]
    fn renders_location_excerpt_and_help() {
        let mut d = Diagnostic::new("unknown field `maen`")
            .field("streams[0].inter_arrival")
            .help("did you mean `mean`?");
        d.file = Some("s.yaml".into());
        d.location = Some(Location {
            line: 7,
            column: 5,
            len: 4,
        });
        d.source_line = Some("    maen: 2s".into());
        let text = d.to_string();
        assert_eq!(
            text,
            "error: streams[0].inter_arrival: unknown field `maen`\n --> s.yaml:7:5\n  |\n7 |     maen: 2s\n  |     ^^^^\n  = help: did you mean `mean`?\n"
        );
    }

    #[test]
    fn long_lines_are_cut_around_the_caret() {
        let line = format!("{}BAD{}", "a".repeat(500), "b".repeat(500));
        let (shown, start, len) = excerpt(&line, 500, 3);
        assert!(shown.chars().count() <= EXCERPT + 2);
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(
            shown.chars().skip(start).take(len).collect::<String>(),
            "BAD"
        );
        assert_eq!(excerpt("short", 2, 1), ("short".to_string(), 2, 1));
    }
}
