//! Problems in a scenario file and how they are shown.
//!
//! While a file is read and validated, problems are collected as `Problem`s: a field
//! path, what is wrong and what would fix it, all of them rather than the first
//! (`Problems` keeps the first `MAX_SHOWN` and counts the rest). When the file is
//! done, `positions` attaches line and column to each, turning it into a [`Diagnostic`],
//! which renders like a compiler's message: what is wrong, the field path,
//! `file:line:column`, the line with a caret, and a hint. Did-you-mean suggestions come
//! from `did_you_mean`.

use std::fmt::{self, Write as _};

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
    /// A remark after the hint: checks this problem kept from running.
    pub note: Option<String>,
    /// An error (the file is refused) or a warning (it is used, as written).
    pub severity: Severity,
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    /// The input is refused.
    #[default]
    Error,
    /// The input is used, but probably does not say what was meant.
    Warning,
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
            note: None,
            severity: Severity::Error,
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

    /// Places the problem in `file`, whose text is `text`: at `line` and `column` (both
    /// from 1), `len` characters long, with that line for the excerpt.
    pub(crate) fn at(
        mut self,
        file: &str,
        text: &str,
        line: usize,
        column: usize,
        len: usize,
    ) -> Self {
        self.file = Some(file.to_string());
        self.location = Some(Location { line, column, len });
        self.source_line = line_text(text, line);
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
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.field {
            Some(field) => writeln!(f, "{label}: {field}: {}", self.message)?,
            None => writeln!(f, "{label}: {}", self.message)?,
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
        if let Some(note) = &self.note {
            writeln!(f, "{pad} = note: {note}")?;
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

/// Line `line` (1-based) of `text`.
pub(crate) fn line_text(text: &str, line: usize) -> Option<String> {
    text.lines().nth(line.checked_sub(1)?).map(str::to_string)
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
pub(crate) fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
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

/// A path into the document such as `streams[1].inter_arrival.mean`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl FieldPath {
    /// The path one key further down.
    pub fn key(&self, key: &str) -> FieldPath {
        let mut next = self.clone();
        next.0.push(Segment::Key(key.to_string()));
        next
    }

    /// The path one list element further down.
    pub fn index(&self, index: usize) -> FieldPath {
        let mut next = self.clone();
        next.0.push(Segment::Index(index));
        next
    }

    /// Whether this path is `other` or lies inside it.
    pub fn starts_with(&self, other: &FieldPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// The path one level up (the root stays the root).
    pub fn parent(&self) -> FieldPath {
        let mut up = self.clone();
        up.0.pop();
        up
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if i == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A problem found while walking the document, before positions are attached.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    /// The field the problem is about.
    pub path: FieldPath,
    /// Point at the key of `path` rather than its value (unknown fields).
    pub at_key: bool,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
    /// How many checks of the stream it is in could not run until it is fixed.
    pub skipped: usize,
}

impl Problem {
    /// A problem with the value at `path`.
    pub fn new(path: &FieldPath, message: impl Into<String>) -> Self {
        Problem {
            path: path.clone(),
            at_key: false,
            message: message.into(),
            help: None,
            skipped: 0,
        }
    }

    /// The note that says how many checks it held back, if any.
    pub fn note(&self) -> Option<String> {
        match self.skipped {
            0 => None,
            1 => Some("and 1 more check was skipped in this stream until this is fixed".into()),
            n => Some(format!(
                "and {n} more checks were skipped in this stream until this is fixed"
            )),
        }
    }

    /// Adds a hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The problems found in one file: the first [`MAX_SHOWN`] are kept, the rest counted,
/// so that a file with a million bad entries costs no more than one with a hundred.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    kept: Vec<Problem>,
    total: usize,
}

/// How many problems of one file are shown.
pub(crate) const MAX_SHOWN: usize = 50;

impl Problems {
    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.total += 1;
        if self.kept.len() < MAX_SHOWN {
            self.kept.push(problem);
        }
    }

    /// Whether another problem would be shown; when not, [`Problems::count`] is enough
    /// and saves building its message.
    pub fn has_room(&self) -> bool {
        self.kept.len() < MAX_SHOWN
    }

    /// Counts a problem that will not be shown.
    pub fn count(&mut self) {
        self.total += 1;
    }

    /// Whether a problem was recorded at `path` or inside it (of those kept): the part
    /// there could not be read or is invalid, and checks that need it cannot run.
    pub fn any_under(&self, path: &FieldPath) -> bool {
        self.kept.iter().any(|p| p.path.starts_with(path))
    }

    /// Whether a problem was recorded at exactly `path` (of those kept).
    pub fn any_at(&self, path: &FieldPath) -> bool {
        self.kept.iter().any(|p| p.path == *path)
    }

    /// Records that `n` checks could not run because of the problem at or inside
    /// `cause`: the first such problem kept says so in a note.
    pub fn skip(&mut self, cause: &FieldPath, n: usize) {
        if let Some(problem) = self.kept.iter_mut().find(|p| p.path.starts_with(cause)) {
            problem.skipped += n;
        }
    }

    /// How many problems were recorded, shown or not.
    pub fn len(&self) -> usize {
        self.total
    }

    /// No problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many problems were counted but not kept.
    pub fn hidden(&self) -> usize {
        self.total - self.kept.len()
    }

    /// The problems kept, in the order found.
    pub fn into_kept(self) -> Vec<Problem> {
        self.kept
    }
}

/// Words people write for a name that is spelt otherwise here, too far for
/// [`did_you_mean`] to find: (what they write, lower-cased; the name meant; why, in a
/// few words). A synonym is offered only where the name it means is accepted. (Typed
/// tables beside their registries do the same for distributions and generators, whose
/// guess is then checked further: `DistributionKind::ALIASES`, `GeneratorKind::ALIASES`.)
const SYNONYMS: &[(&str, &str, &str)] = &[
    (
        "iso8601",
        "rfc3339",
        "RFC 3339 is the profile of ISO 8601 written here",
    ),
    (
        "iso_8601",
        "rfc3339",
        "RFC 3339 is the profile of ISO 8601 written here",
    ),
    (
        "iso-8601",
        "rfc3339",
        "RFC 3339 is the profile of ISO 8601 written here",
    ),
    (
        "iso",
        "rfc3339",
        "RFC 3339 is the profile of ISO 8601 written here",
    ),
    (
        "iso8601_ms",
        "rfc3339_ms",
        "RFC 3339 is the profile of ISO 8601 written here",
    ),
    ("unix", "epoch_s", "seconds since 1970"),
    ("epoch", "epoch_s", "seconds since 1970"),
    ("unix_ms", "epoch_ms", "milliseconds since 1970"),
    ("millis", "epoch_ms", "milliseconds since 1970"),
];

/// "did you mean `x`?" when `word` is a synonym (with why) or a near spelling of one of
/// `names`.
pub(crate) fn meant(word: &str, names: &[&str]) -> Option<String> {
    let lower = word.to_lowercase();
    let synonym = SYNONYMS
        .iter()
        .find(|(written, name, _)| *written == lower && names.contains(name));
    match synonym {
        Some((_, name, why)) => Some(format!("did you mean `{name}`? {why}")),
        None => did_you_mean(word, names).map(|near| format!("did you mean `{near}`?")),
    }
}

/// "did you mean `x`?" for a synonym or a near miss, else the list of what is accepted.
pub(crate) fn suggestion(word: &str, names: &[&str]) -> String {
    meant(word, names).unwrap_or_else(|| format!("expected one of {}", list(names)))
}

/// `` `a`, `b` or `c` ``.
pub(crate) fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
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
