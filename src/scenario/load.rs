//! Reading a scenario: limits on the raw text, YAML parsing, and a field-by-field walk
//! into [`ScenarioFile`] that collects every problem instead of stopping at the first.
//!
//! The YAML itself is parsed by `serde_yaml` (the `yaml_serde` fork). Its values carry no
//! positions, so when there are problems to report, a second, event-level pass with
//! `saphyr-parser` maps each field path to the line and column where it is written. That
//! pass runs only on the error path and only decorates messages: the field path is always
//! given, the position whenever the text can be located.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde_yaml::Value;

use super::duration::{self, Nanos};
use super::limits;
use super::model::*;
use crate::error::{Diagnostic, Location, did_you_mean};

/// A scenario's text with the name it is shown under in messages.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as the user gave it (or `<stdin>`, `<test>`).
    pub name: String,
    /// The whole file.
    pub text: String,
}

/// A path into the document such as `streams[1].inter_arrival.mean`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

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
pub struct Problem {
    /// The field the problem is about.
    pub path: FieldPath,
    /// Point at the key of `path` rather than its value (unknown fields).
    pub at_key: bool,
    /// What is wrong.
    pub message: String,
    /// What would fix it.
    pub help: Option<String>,
}

impl Problem {
    /// A problem with the value at `path`.
    pub fn new(path: &FieldPath, message: impl Into<String>) -> Self {
        Problem {
            path: path.clone(),
            at_key: false,
            message: message.into(),
            help: None,
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
pub struct Problems {
    kept: Vec<Problem>,
    total: usize,
}

/// How many problems of one file are shown.
pub const MAX_SHOWN: usize = 50;

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

    /// How many problems were recorded, shown or not.
    pub fn len(&self) -> usize {
        self.total
    }

    /// No problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Adds every problem of `other` after these.
    pub fn append(&mut self, other: Problems) {
        let hidden = other.total - other.kept.len();
        for problem in other.kept {
            self.push(problem);
        }
        self.total += hidden;
    }
}

/// Parses a scenario's text into its raw form.
///
/// Invalid YAML, or a document that is not a mapping, ends here with its diagnostics.
/// Otherwise the walk reports every structural problem and fills what it could not read
/// with harmless placeholders, so that validation can still report the problems of the
/// rest of the file in the same run.
pub fn parse(source: &Source) -> Result<(ScenarioFile, Problems), Vec<Diagnostic>> {
    let value = parse_yaml(source)?;
    let mut walker = Walker::default();
    match walker.scenario(&value) {
        Some(file) => Ok((file, walker.problems)),
        None => Err(locate(source, walker.problems)),
    }
}

/// Size and depth checks on the raw text, then YAML parsing into a generic value.
fn parse_yaml(source: &Source) -> Result<Value, Vec<Diagnostic>> {
    let fail = |message: String, help: &str| {
        let mut d = Diagnostic::new(message).help(help.to_string());
        d.file = Some(source.name.clone());
        Err(vec![d])
    };
    if source.text.len() > limits::MAX_FILE_BYTES {
        return fail(limits::TOO_LARGE.to_string(), limits::TOO_LARGE_HELP);
    }
    if let Some((line, column, depth)) = limits::excessive_nesting(&source.text) {
        let mut d = Diagnostic::new(format!(
            "nesting deeper than {} levels (reached {depth})",
            limits::MAX_DEPTH
        ))
        .help("a scenario needs at most 5 levels; check for unbalanced brackets");
        d.file = Some(source.name.clone());
        d.location = Some(Location {
            line,
            column,
            len: 1,
        });
        d.source_line = line_text(&source.text, line);
        return Err(vec![d]);
    }
    if let Some((line, width)) = limits::excessive_indent(&source.text) {
        let mut d = Diagnostic::new(format!(
            "indented {width} characters deep; the limit is {}",
            limits::MAX_INDENT
        ))
        .help("a scenario needs a few levels of indentation; is this file generated wrongly?");
        d.file = Some(source.name.clone());
        d.location = Some(Location {
            line,
            column: 1,
            len: width,
        });
        d.source_line = line_text(&source.text, line);
        return Err(vec![d]);
    }
    if source.text.trim().is_empty() || source.text.lines().all(is_blank_or_comment) {
        return fail(
            "the file is empty".to_string(),
            "a scenario needs at least `duration` and `streams`; see scenarios/default.yaml",
        );
    }
    match serde_yaml::from_str::<Value>(&source.text) {
        Ok(value) => Ok(value),
        Err(err) if tab_indent(&source.text, err.location().map(|l| l.line())).is_some() => {
            let (line, column) =
                tab_indent(&source.text, err.location().map(|l| l.line())).unwrap_or((1, 1));
            let mut d = Diagnostic::new(
                "invalid YAML: a tab in the indentation; YAML indentation must use spaces",
            )
            .help("replace the tab with spaces");
            d.file = Some(source.name.clone());
            d.location = Some(Location {
                line,
                column,
                len: 1,
            });
            d.source_line = line_text(&source.text, line);
            Err(vec![d])
        }
        Err(err) => {
            let text = err.to_string();
            let message = match text.find(" at line ") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            };
            let mut d = match huge_integer(&message) {
                Some((field, number)) => Diagnostic::new(format!(
                    "{number} is out of range: whole numbers here go from {} to {}",
                    i64::MIN,
                    u64::MAX
                ))
                .field(field),
                None => Diagnostic::new(format!("invalid YAML: {message}")),
            };
            d.file = Some(source.name.clone());
            if let Some(loc) = err.location() {
                d.location = Some(Location {
                    line: loc.line(),
                    column: loc.column(),
                    len: 1,
                });
                d.source_line = line_text(&source.text, loc.line());
            }
            Err(vec![d])
        }
    }
}

/// The field and number of yaml_serde's "f: invalid type: integer `N` as u128" error,
/// which it gives for integers beyond 64 bits.
fn huge_integer(message: &str) -> Option<(&str, &str)> {
    let (field, rest) = message.split_once(": invalid type: integer `")?;
    let (number, tail) = rest.split_once('`')?;
    (tail.starts_with(" as u128") || tail.starts_with(" as i128")).then_some((field, number))
}

/// The 1-based line and column of a tab in the indentation of line `line`, the line
/// where the parser gave up. Tabs elsewhere (after a key, inside a value) are legal YAML.
fn tab_indent(text: &str, line: Option<usize>) -> Option<(usize, usize)> {
    let line = line?;
    let content = text.lines().nth(line.checked_sub(1)?)?;
    let column = content
        .chars()
        .take_while(|c| matches!(c, ' ' | '\t'))
        .position(|c| c == '\t')?;
    Some((line, column + 1))
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
}

/// Line `line` (1-based) of `text`.
pub fn line_text(text: &str, line: usize) -> Option<String> {
    text.lines().nth(line.checked_sub(1)?).map(str::to_string)
}

/// A short description of a value's type and, for scalars, the value itself.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) if s.chars().count() > 40 => "a long string".into(),
        Value::String(s) => format!("a string (\"{s}\")"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}

/// Walks a YAML value into the raw model, recording problems as it goes.
#[derive(Default)]
struct Walker {
    problems: Problems,
}

type Fields<'v> = BTreeMap<&'v str, &'v Value>;

impl Walker {
    fn report(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn wrong_type(&mut self, value: &Value, path: &FieldPath, expected: &str) {
        if !self.problems.has_room() {
            return self.problems.count();
        }
        let problem = Problem::new(
            path,
            format!("expected {expected}, found {}", describe(value)),
        );
        self.report(problem);
    }

    /// The known entries of a mapping; unknown keys are reported with a suggestion.
    fn mapping<'v>(
        &mut self,
        value: &'v Value,
        path: &FieldPath,
        what: &str,
        fields: &[&str],
    ) -> Option<Fields<'v>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(value, path, what);
            return None;
        };
        let mut known = Fields::new();
        for (key, entry) in mapping {
            let Value::String(key) = key else {
                self.report(Problem::new(
                    path,
                    format!("keys must be field names, found {}", describe(key)),
                ));
                continue;
            };
            if fields.contains(&key.as_str()) {
                known.insert(key.as_str(), entry);
            } else {
                let mut problem = Problem::new(&path.key(key), format!("unknown field `{key}`"));
                problem.at_key = true;
                problem.help = Some(suggestion(key, fields));
                self.report(problem);
            }
        }
        Some(known)
    }

    fn required<'v>(
        &mut self,
        fields: &Fields<'v>,
        key: &str,
        path: &FieldPath,
        hint: &str,
    ) -> Option<&'v Value> {
        let found = fields.get(key).copied();
        if found.is_none() {
            let message = format!("missing required field `{key}`");
            self.report(Problem::new(path, message).help(hint.to_string()));
        }
        found
    }

    fn string(&mut self, value: &Value, path: &FieldPath) -> Option<String> {
        match value {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(value, path, "a string");
                None
            }
        }
    }

    fn unsigned(&mut self, value: &Value, path: &FieldPath, max: u64) -> Option<u64> {
        match value {
            Value::Number(n) => match n.as_u64() {
                Some(v) if v <= max => Some(v),
                _ => {
                    let message =
                        format!("{n} is out of range: expected a whole number from 0 to {max}");
                    self.report(Problem::new(path, message));
                    None
                }
            },
            _ => {
                self.wrong_type(value, path, "a whole number");
                None
            }
        }
    }

    fn signed(&mut self, value: &Value, path: &FieldPath) -> Option<i64> {
        match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                let message = format!(
                    "{n} is out of range: expected a whole number from {} to {}",
                    i64::MIN,
                    i64::MAX
                );
                self.report(Problem::new(path, message));
                None
            }),
            _ => {
                self.wrong_type(value, path, "a whole number");
                None
            }
        }
    }

    fn number(&mut self, value: &Value, path: &FieldPath) -> Option<f64> {
        match value {
            Value::Number(n) => n.as_f64(),
            _ => {
                self.wrong_type(value, path, "a number");
                None
            }
        }
    }

    fn duration(&mut self, value: &Value, path: &FieldPath) -> Option<Duration> {
        match value {
            Value::String(s) => match duration::parse(s) {
                Ok(n) => Some(Duration(n)),
                Err(message) => {
                    self.report(Problem::new(path, message));
                    None
                }
            },
            Value::Number(n) if n.as_f64().is_some_and(|x| x < 0.0) => {
                let positive = n.to_string().trim_start_matches('-').to_string();
                let message = format!("negative durations are not allowed: `{n}`");
                let help = format!("write a positive duration with a unit, e.g. `{positive}s`");
                self.report(Problem::new(path, message).help(help));
                None
            }
            Value::Number(n) => {
                let message = format!("duration {n} needs a unit");
                let help = format!("write e.g. `{n}s` or `{n}ms`");
                self.report(Problem::new(path, message).help(help));
                None
            }
            _ => {
                self.wrong_type(value, path, "a duration such as `500ms` or `3m`");
                None
            }
        }
    }

    /// One of a fixed set of names, with a suggestion when it is misspelt.
    fn choice(&mut self, value: &Value, path: &FieldPath, names: &[&str]) -> Option<usize> {
        let Value::String(s) = value else {
            self.wrong_type(value, path, &format!("one of {}", list(names)));
            return None;
        };
        if let Some(i) = names.iter().position(|n| n == s) {
            return Some(i);
        }
        let problem = Problem::new(path, format!("unknown value `{s}`"));
        self.report(problem.help(suggestion(s, names)));
        None
    }

    fn scenario(&mut self, value: &Value) -> Option<ScenarioFile> {
        let root = FieldPath::default();
        let fields = self.mapping(
            value,
            &root,
            "a mapping of scenario fields",
            ScenarioFile::FIELDS,
        )?;
        let field = |k: &str| root.key(k);
        let name = fields
            .get("name")
            .and_then(|v| self.string(v, &field("name")));
        let seed = fields
            .get("seed")
            .and_then(|v| self.unsigned(v, &field("seed"), u64::MAX));
        let duration = self
            .required(&fields, "duration", &root, "add e.g. `duration: 3m`")
            .and_then(|v| self.duration(v, &field("duration")));
        let start = fields
            .get("start")
            .and_then(|v| self.string(v, &field("start")));
        let topic = fields
            .get("topic")
            .and_then(|v| self.string(v, &field("topic")));
        let kafka = fields
            .get("kafka")
            .and_then(|v| self.kafka(v, &field("kafka")));
        let streams = self
            .required(
                &fields,
                "streams",
                &root,
                "add a list of streams; see scenarios/default.yaml",
            )
            .and_then(|v| self.streams(v, &field("streams")));
        Some(ScenarioFile {
            name,
            seed,
            duration: duration.unwrap_or(Duration(Nanos(1_000_000_000))),
            start,
            topic,
            kafka,
            streams: streams.unwrap_or_default(),
        })
    }

    fn kafka(&mut self, value: &Value, path: &FieldPath) -> Option<KafkaFile> {
        let fields = self.mapping(
            value,
            path,
            "a mapping of Kafka settings",
            KafkaFile::FIELDS,
        )?;
        let bootstrap_servers = fields
            .get("bootstrap_servers")
            .and_then(|v| self.string(v, &path.key("bootstrap_servers")));
        let client_id = fields
            .get("client_id")
            .and_then(|v| self.string(v, &path.key("client_id")));
        let key = fields
            .get("key")
            .and_then(|v| self.choice(v, &path.key("key"), KeyMode::NAMES))
            .map(|i| [KeyMode::CameraId, KeyMode::None][i]);
        let mut properties = BTreeMap::new();
        if let Some(value) = fields.get("properties") {
            let path = path.key("properties");
            match value {
                Value::Mapping(mapping) => {
                    for (k, v) in mapping {
                        let (Value::String(k), Some(v)) = (k, property_text(v)) else {
                            self.report(Problem::new(
                                &path,
                                format!(
                                    "properties map names to text, numbers or booleans; found {} for {}",
                                    describe(v),
                                    describe(k)
                                ),
                            ));
                            continue;
                        };
                        properties.insert(k.clone(), v);
                    }
                }
                _ => self.wrong_type(value, &path, "a mapping of librdkafka properties"),
            }
        }
        Some(KafkaFile {
            bootstrap_servers,
            client_id,
            key,
            properties,
        })
    }

    fn streams(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<StreamFile>> {
        let Value::Sequence(items) = value else {
            self.wrong_type(value, path, "a list of streams");
            return None;
        };
        if items.is_empty() {
            let problem = Problem::new(path, "at least one stream is needed");
            self.report(problem.help("see scenarios/default.yaml for a stream"));
            return None;
        }
        Some(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| self.stream(item, &path.index(i)))
                .collect(),
        )
    }

    /// A stream; parts that cannot be read are replaced by placeholders that pass
    /// validation (their problems are already reported).
    fn stream(&mut self, value: &Value, path: &FieldPath) -> StreamFile {
        let Some(fields) = self.mapping(value, path, "a stream (a mapping)", StreamFile::FIELDS)
        else {
            return StreamFile {
                name: None,
                cameras: placeholder_cameras(),
                arrivals: None,
                pick: None,
                inter_arrival: placeholder_gap(),
                first_event: None,
            };
        };
        let name = fields
            .get("name")
            .and_then(|v| self.string(v, &path.key("name")));
        let cameras = self
            .required(
                &fields,
                "cameras",
                path,
                "add e.g. `cameras: [1000, 1001]` or `cameras: {count: 10}`",
            )
            .and_then(|v| self.cameras(v, &path.key("cameras")));
        let arrivals = fields
            .get("arrivals")
            .and_then(|v| self.choice(v, &path.key("arrivals"), Arrivals::NAMES))
            .map(|i| [Arrivals::Shared, Arrivals::PerCamera][i]);
        let pick = fields
            .get("pick")
            .and_then(|v| self.pick(v, &path.key("pick")));
        let inter_arrival = self
            .required(
                &fields,
                "inter_arrival",
                path,
                "add e.g. `inter_arrival: {distribution: exponential, mean: 1s}`",
            )
            .and_then(|v| self.inter_arrival(v, &path.key("inter_arrival")));
        let first_event = fields
            .get("first_event")
            .and_then(|v| self.choice(v, &path.key("first_event"), FirstEvent::NAMES))
            .map(|i| [FirstEvent::AfterGap, FirstEvent::AtStart][i]);
        StreamFile {
            name,
            pick: if cameras.is_some() { pick } else { None },
            cameras: cameras.unwrap_or_else(placeholder_cameras),
            arrivals,
            inter_arrival: inter_arrival.unwrap_or_else(placeholder_gap),
            first_event,
        }
    }

    fn cameras(&mut self, value: &Value, path: &FieldPath) -> Option<Cameras> {
        match value {
            Value::Sequence(items) => {
                let ids: Vec<Option<CameraId>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| match item {
                        Value::Number(n) => match n.as_i64() {
                            Some(id) => Some(CameraId::Int(id)),
                            None => {
                                let message = format!(
                                    "camera id {n} is not a whole number that fits in 64 bits"
                                );
                                self.report(
                                    Problem::new(&path.index(i), message)
                                        .help("quote it to use it as a string id"),
                                );
                                None
                            }
                        },
                        Value::String(s) => Some(CameraId::Text(s.clone())),
                        other => {
                            self.wrong_type(
                                other,
                                &path.index(i),
                                "a camera id (an integer or a string)",
                            );
                            None
                        }
                    })
                    .collect();
                Some(Cameras::List(ids.into_iter().collect::<Option<Vec<_>>>()?))
            }
            Value::Mapping(_) => {
                let fields =
                    self.mapping(value, path, "a camera generator", GeneratedCameras::FIELDS)?;
                let count = self
                    .required(&fields, "count", path, "add e.g. `count: 50`")
                    .and_then(|v| self.unsigned(v, &path.key("count"), u64::MAX));
                let first = fields
                    .get("first")
                    .and_then(|v| self.signed(v, &path.key("first")));
                let prefix = fields
                    .get("prefix")
                    .and_then(|v| self.string(v, &path.key("prefix")));
                let width = fields
                    .get("width")
                    .and_then(|v| self.unsigned(v, &path.key("width"), u64::from(u32::MAX)))
                    .map(|w| w as u32);
                Some(Cameras::Generated(GeneratedCameras {
                    count: count?,
                    first,
                    prefix,
                    width,
                }))
            }
            other => {
                self.wrong_type(
                    other,
                    path,
                    "a list of camera ids or a generator such as `{count: 10}`",
                );
                None
            }
        }
    }

    fn pick(&mut self, value: &Value, path: &FieldPath) -> Option<Pick> {
        match value {
            Value::Mapping(_) => {
                let fields = self.mapping(value, path, "`{weights: [..]}`", &["weights"])?;
                let weights = self.required(
                    &fields,
                    "weights",
                    path,
                    "add `weights: [..]`, one per camera",
                )?;
                let path = path.key("weights");
                let Value::Sequence(items) = weights else {
                    self.wrong_type(weights, &path, "a list of numbers");
                    return None;
                };
                let weights: Vec<Option<f64>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, w)| self.number(w, &path.index(i)))
                    .collect();
                Some(Pick::Weighted(Weights {
                    weights: weights.into_iter().collect::<Option<_>>()?,
                }))
            }
            _ => {
                let i = self.choice(value, path, &["uniform", "round_robin", "weights"])?;
                if i == 2 {
                    let problem = Problem::new(path, "`weights` needs a list of weights");
                    self.report(
                        problem.help("write `pick: {weights: [3, 1, 1]}`, one weight per camera"),
                    );
                    return None;
                }
                Some(Pick::Named([PickName::Uniform, PickName::RoundRobin][i]))
            }
        }
    }

    /// The index of a distribution name in [`InterArrival::SPECS`]. An unknown name is
    /// reported, with the distribution it most likely means (a common other name such as
    /// `poisson` or `gaussian`, or a near spelling), which is returned as `Err(Some(_))`.
    fn distribution_name(
        &mut self,
        value: &Value,
        path: &FieldPath,
        names: &[&str],
    ) -> Result<usize, Option<usize>> {
        let Value::String(s) = value else {
            self.wrong_type(value, path, &format!("one of {}", list(names)));
            return Err(None);
        };
        if let Some(i) = names.iter().position(|n| n == s) {
            return Ok(i);
        }
        let lower = s.to_lowercase();
        let alias = InterArrival::ALIASES.iter().find(|(a, _, _)| *a == lower);
        let (guess, help) = match alias {
            Some((_, name, why)) => {
                let help = format!("did you mean `{name}`? {why}");
                (Some(*name), help.trim_end().to_string())
            }
            None => {
                let near = did_you_mean(s, names);
                (near, suggestion(s, names))
            }
        };
        self.report(Problem::new(path, format!("unknown value `{s}`")).help(help));
        Err(guess.and_then(|g| names.iter().position(|n| *n == g)))
    }

    /// Checks the parameters of a distribution whose name is missing or unknown by what
    /// every distribution that takes them expects (durations with units, plain numbers).
    fn any_parameters(&mut self, value: &Value, path: &FieldPath) {
        let Value::Mapping(mapping) = value else {
            return;
        };
        for (key, entry) in mapping {
            let Value::String(key) = key else { continue };
            let kind = InterArrival::SPECS
                .iter()
                .flat_map(|spec| spec.params.iter())
                .find(|(param, _)| param == key)
                .map(|(_, kind)| *kind);
            match kind {
                Some(ParamKind::Duration) => {
                    self.duration(entry, &path.key(key));
                }
                Some(ParamKind::Number) => {
                    self.number(entry, &path.key(key));
                }
                None => {}
            }
        }
    }

    fn inter_arrival(&mut self, value: &Value, path: &FieldPath) -> Option<InterArrival> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                "a distribution such as `{distribution: exponential, mean: 1s}`",
            );
            return None;
        };
        let names: Vec<&str> = InterArrival::SPECS.iter().map(|s| s.name).collect();
        let Some(name) = mapping.get("distribution") else {
            let problem = Problem::new(path, "missing required field `distribution`");
            self.report(problem.help(format!("one of {}", list(&names))));
            // The parameters can still be checked for what every distribution shares.
            self.any_parameters(value, path);
            return None;
        };
        let (spec, known) = match self.distribution_name(name, &path.key("distribution"), &names) {
            Ok(i) => (&InterArrival::SPECS[i], true),
            // Misspelt: check the rest against the distribution it most likely means, so
            // that its other problems are reported in the same run.
            Err(Some(guess)) => (&InterArrival::SPECS[guess], false),
            Err(None) => {
                self.any_parameters(value, path);
                return None;
            }
        };
        let mut keys: Vec<&str> = vec!["distribution"];
        keys.extend(spec.params.iter().map(|(p, _)| *p));
        let fields = self.mapping(value, path, "a distribution", &keys)?;
        let mut durations = Vec::new();
        let mut numbers = Vec::new();
        for &(param, kind) in spec.params {
            let hint = match kind {
                ParamKind::Duration => format!("add e.g. `{param}: 1s`"),
                ParamKind::Number => format!("add e.g. `{param}: 2.0`"),
            };
            let value = self.required(&fields, param, path, &hint);
            let param_path = path.key(param);
            match kind {
                ParamKind::Duration => {
                    durations.push(value.and_then(|v| self.duration(v, &param_path)))
                }
                ParamKind::Number => numbers.push(value.and_then(|v| self.number(v, &param_path))),
            }
        }
        if !known {
            return None;
        }
        let d = |i: usize| durations.get(i).copied().flatten();
        let n = |i: usize| numbers.get(i).copied().flatten();
        Some(match spec.name {
            "constant" => InterArrival::Constant { interval: d(0)? },
            "uniform" => InterArrival::Uniform {
                min: d(0)?,
                max: d(1)?,
            },
            "exponential" => InterArrival::Exponential { mean: d(0)? },
            "normal" => InterArrival::Normal {
                mean: d(0)?,
                std_dev: d(1)?,
            },
            "lognormal" => InterArrival::Lognormal {
                mean: d(0)?,
                std_dev: d(1)?,
            },
            "gamma" => InterArrival::Gamma {
                shape: n(0)?,
                mean: d(0)?,
            },
            "weibull" => InterArrival::Weibull {
                shape: n(0)?,
                scale: d(0)?,
            },
            _ => InterArrival::Pareto {
                shape: n(0)?,
                scale: d(0)?,
            },
        })
    }
}

/// Stands in for cameras that could not be read: one id no file can clash with.
fn placeholder_cameras() -> Cameras {
    Cameras::List(vec![CameraId::Text("\u{0}unreadable".into())])
}

/// Stands in for a distribution that could not be read.
fn placeholder_gap() -> InterArrival {
    InterArrival::Constant {
        interval: Duration(Nanos(1_000_000_000)),
    }
}

/// The text librdkafka gets for a property value, if it is a scalar.
fn property_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// "did you mean `x`?" for a near miss, else the list of what is accepted.
fn suggestion(word: &str, names: &[&str]) -> String {
    match did_you_mean(word, names) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("expected one of {}", list(names)),
    }
}

/// `` `a`, `b` or `c` ``.
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// Turns problems into diagnostics, with file positions where the text can be located.
pub fn locate(source: &Source, problems: Problems) -> Vec<Diagnostic> {
    let hidden = problems.total - problems.kept.len();
    let problems = problems.kept;
    let wanted: HashSet<String> = problems.iter().map(|p| p.path.to_string()).collect();
    let spans = if problems.is_empty() {
        HashMap::new()
    } else {
        span_index(&source.text, &wanted)
    };
    let mut diagnostics: Vec<Diagnostic> = problems
        .into_iter()
        .map(|p| {
            let path = p.path.to_string();
            let mut d = Diagnostic::new(p.message).maybe_help(p.help);
            d.file = Some(source.name.clone());
            if let Some(entry) = spans.get(&path) {
                let span = if p.at_key {
                    entry.key.unwrap_or(entry.value)
                } else {
                    entry.value
                };
                d.location = Some(span);
                d.source_line = line_text(&source.text, span.line);
            }
            // An unknown key is reported at its parent; the key itself is in the message.
            let shown = if p.at_key { parent(&p.path) } else { p.path };
            d.field(shown.to_string())
        })
        .collect();
    if hidden > 0 {
        let all = hidden + diagnostics.len();
        let mut d = Diagnostic::new(format!(
            "… and {hidden} more problems not shown ({all} in all)"
        ));
        d.file = Some(source.name.clone());
        diagnostics.push(d);
    }
    diagnostics
}

fn parent(path: &FieldPath) -> FieldPath {
    let mut p = path.clone();
    p.0.pop();
    p
}

/// Where a field's key and value are written.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Option<Location>,
    value: Location,
}

/// Maps the `wanted` field paths of the document to the positions of their keys and values.
fn span_index(text: &str, wanted: &HashSet<String>) -> HashMap<String, Entry> {
    use saphyr_parser::{Event, Parser, Span};

    enum Frame {
        Map {
            path: FieldPath,
            key: Option<(String, Location)>,
        },
        Seq {
            path: FieldPath,
            next: usize,
        },
    }
    let to_location = |span: Span| {
        let len = if span.end.line() == span.start.line() {
            span.len()
        } else {
            1
        };
        Location {
            line: span.start.line(),
            column: span.start.col() + 1,
            len: len.max(1),
        }
    };
    let mut index = HashMap::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(Ok((event, span))) = parser.next_event() {
        let is_node = matches!(
            event,
            Event::Scalar(..)
                | Event::SequenceStart(..)
                | Event::MappingStart(..)
                | Event::Alias(_)
        );
        if is_node {
            // A scalar in key position of a mapping is a key, not a value.
            if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                if key.is_none() {
                    let name = match &event {
                        Event::Scalar(s, ..) => s.to_string(),
                        _ => String::new(),
                    };
                    *key = Some((name, to_location(span)));
                    if matches!(event, Event::SequenceStart(..) | Event::MappingStart(..)) {
                        stack.push(Frame::Map {
                            path: FieldPath(vec![]),
                            key: None,
                        });
                    }
                    continue;
                }
            }
            let (path, key_location) = match stack.last_mut() {
                Some(Frame::Map { path, key }) => {
                    let (name, location) = key.clone().unwrap_or_else(|| {
                        (
                            String::new(),
                            Location {
                                line: 1,
                                column: 1,
                                len: 1,
                            },
                        )
                    });
                    (path.key(&name), Some(location))
                }
                Some(Frame::Seq { path, next }) => (path.index(*next), None),
                None => (FieldPath::default(), None),
            };
            let text = path.to_string();
            if wanted.contains(&text) {
                index.insert(
                    text,
                    Entry {
                        key: key_location,
                        value: to_location(span),
                    },
                );
            }
            match event {
                Event::SequenceStart(..) => stack.push(Frame::Seq { path, next: 0 }),
                Event::MappingStart(..) => stack.push(Frame::Map { path, key: None }),
                _ => finish_value(&mut stack),
            }
        } else if matches!(event, Event::SequenceEnd | Event::MappingEnd) {
            stack.pop();
            finish_value(&mut stack);
        }
    }

    fn finish_value(stack: &mut [Frame]) {
        match stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { next, .. }) => *next += 1,
            None => {}
        }
    }

    index
}
