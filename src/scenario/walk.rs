//! The walk from a parsed YAML value to the raw model ([`ScenarioFile`]), field by field.
//!
//! It checks the shape of every field (types, known keys, names from the tables in
//! [`super::model`]) and records every problem instead of stopping at the first, filling
//! what it could not read with harmless placeholders, so that validation can still report
//! the problems of the rest of the file in the same run.

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::diagnostics::{FieldPath, Problem, Problems, did_you_mean, list, suggestion};
use super::duration::{self, Nanos};
use super::limits;
use super::model::*;

/// Walks `value`, the whole document, into the raw model. `None` when the document is
/// not a mapping (nothing else can be read); the problems found either way.
pub(crate) fn walk(value: &Value) -> (Option<ScenarioFile>, Problems) {
    let mut walker = Walker::default();
    let file = walker.scenario(value);
    (file, walker.problems)
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
    fn choice<'n>(
        &mut self,
        value: &Value,
        path: &FieldPath,
        names: &[&'n str],
    ) -> Option<&'n str> {
        let Value::String(s) = value else {
            self.wrong_type(value, path, &format!("one of {}", list(names)));
            return None;
        };
        if let Some(name) = names.iter().find(|n| *n == s) {
            return Some(name);
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
            .and_then(KeyMode::from_name);
        let timestamp = fields
            .get("timestamp")
            .and_then(|v| self.choice(v, &path.key("timestamp"), TimestampMode::NAMES))
            .and_then(TimestampMode::from_name);
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
            timestamp,
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
                rate: None,
                incidents: None,
                outages: None,
                faults: None,
                topic: None,
                payload: None,
                key: None,
                headers: None,
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
            .and_then(Arrivals::from_name);
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
            .and_then(FirstEvent::from_name);
        let rate = fields
            .get("rate")
            .and_then(|v| self.rate(v, &path.key("rate")));
        let incidents = fields
            .get("incidents")
            .and_then(|v| self.list(v, &path.key("incidents"), "incidents", Self::incident));
        let outages = fields
            .get("outages")
            .and_then(|v| self.list(v, &path.key("outages"), "outages", Self::outage));
        let faults = fields
            .get("faults")
            .and_then(|v| self.faults(v, &path.key("faults")));
        let topic = fields
            .get("topic")
            .and_then(|v| self.string(v, &path.key("topic")));
        let payload = fields
            .get("payload")
            .and_then(|v| self.payload(v, &path.key("payload")));
        let key = fields
            .get("key")
            .and_then(|v| self.stream_key(v, &path.key("key")));
        let headers = fields
            .get("headers")
            .and_then(|v| self.headers(v, &path.key("headers")));
        StreamFile {
            name,
            pick: if cameras.is_some() { pick } else { None },
            cameras: cameras.unwrap_or_else(placeholder_cameras),
            arrivals,
            inter_arrival: inter_arrival.unwrap_or_else(placeholder_gap),
            first_event,
            rate,
            incidents,
            outages,
            faults,
            topic,
            payload,
            key,
            headers,
        }
    }

    fn rate(&mut self, value: &Value, path: &FieldPath) -> Option<RateFile> {
        let fields = self.mapping(
            value,
            path,
            "a rate profile such as `{points: [{at: 0s, factor: 1}]}`",
            RateFile::FIELDS,
        )?;
        let points = self
            .required(
                &fields,
                "points",
                path,
                "add e.g. `points: [{at: 0s, factor: 0.5}, {at: 12h, factor: 2}]`",
            )
            .and_then(|v| self.list(v, &path.key("points"), "rate points", Self::point));
        let interpolate = fields
            .get("interpolate")
            .and_then(|v| self.choice(v, &path.key("interpolate"), Interpolate::NAMES))
            .and_then(Interpolate::from_name);
        let repeat = fields
            .get("repeat")
            .and_then(|v| self.duration(v, &path.key("repeat")));
        Some(RateFile {
            points: points?,
            interpolate,
            repeat,
        })
    }

    fn point(&mut self, value: &Value, path: &FieldPath) -> Option<RatePoint> {
        let fields = self.mapping(
            value,
            path,
            "a point such as `{at: 12h, factor: 3}`",
            RatePoint::FIELDS,
        )?;
        let at = self
            .required(&fields, "at", path, "add e.g. `at: 12h`")
            .and_then(|v| self.duration(v, &path.key("at")));
        let factor = self
            .required(&fields, "factor", path, "add e.g. `factor: 2`")
            .and_then(|v| self.number(v, &path.key("factor")));
        Some(RatePoint {
            at: at?,
            factor: factor?,
        })
    }

    /// A list whose items `item` reads; `None` when it is not a list or an item cannot
    /// be read (every item's problems are reported).
    fn list<T>(
        &mut self,
        value: &Value,
        path: &FieldPath,
        what: &str,
        item: fn(&mut Self, &Value, &FieldPath) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Value::Sequence(items) = value else {
            self.wrong_type(value, path, &format!("a list of {what}"));
            return None;
        };
        let read: Vec<Option<T>> = items
            .iter()
            .enumerate()
            .map(|(i, v)| item(self, v, &path.index(i)))
            .collect();
        read.into_iter().collect()
    }

    fn incident(&mut self, value: &Value, path: &FieldPath) -> Option<IncidentFile> {
        let fields = self.mapping(
            value,
            path,
            "an incident such as `{at: 2h, duration: 10m, factor: 20}`",
            IncidentFile::FIELDS,
        )?;
        let at = fields
            .get("at")
            .and_then(|v| self.duration(v, &path.key("at")));
        let every = fields
            .get("every")
            .and_then(|v| self.inter_arrival(v, &path.key("every")));
        let duration = self
            .required(&fields, "duration", path, "add e.g. `duration: 10m`")
            .and_then(|v| self.length(v, &path.key("duration")));
        let factor = self
            .required(&fields, "factor", path, "add e.g. `factor: 10`")
            .and_then(|v| self.number(v, &path.key("factor")));
        let cameras = fields
            .get("cameras")
            .and_then(|v| self.selection(v, &path.key("cameras")));
        Some(IncidentFile {
            at,
            every,
            duration: duration?,
            factor: factor?,
            cameras,
        })
    }

    fn outage(&mut self, value: &Value, path: &FieldPath) -> Option<OutageFile> {
        let fields = self.mapping(
            value,
            path,
            "an outage such as `{at: 30m, duration: 15m}`",
            OutageFile::FIELDS,
        )?;
        let at = fields
            .get("at")
            .and_then(|v| self.duration(v, &path.key("at")));
        let every = fields
            .get("every")
            .and_then(|v| self.inter_arrival(v, &path.key("every")));
        let duration = self
            .required(&fields, "duration", path, "add e.g. `duration: 15m`")
            .and_then(|v| self.length(v, &path.key("duration")));
        let cameras = fields
            .get("cameras")
            .and_then(|v| self.selection(v, &path.key("cameras")));
        let backlog = fields
            .get("backlog")
            .and_then(|v| self.choice(v, &path.key("backlog"), Backlog::NAMES))
            .and_then(Backlog::from_name);
        Some(OutageFile {
            at,
            every,
            duration: duration?,
            cameras,
            backlog,
        })
    }

    fn faults(&mut self, value: &Value, path: &FieldPath) -> Option<FaultsFile> {
        let fields = self.mapping(
            value,
            path,
            "faults such as `{late: {rate: 0.02, delay: 30s}, drop: {rate: 0.01}}`",
            FaultsFile::FIELDS,
        )?;
        let late = fields
            .get("late")
            .and_then(|v| self.delayed_fault(v, &path.key("late")));
        let duplicate = fields
            .get("duplicate")
            .and_then(|v| self.delayed_fault(v, &path.key("duplicate")));
        let drop = fields.get("drop").and_then(|v| {
            let path = path.key("drop");
            let fields = self.mapping(v, &path, "`{rate: 0.01}`", RateFault::FIELDS)?;
            let rate = self
                .required(&fields, "rate", &path, "add e.g. `rate: 0.01`")
                .and_then(|v| self.number(v, &path.key("rate")))?;
            Some(RateFault { rate })
        });
        let malformed = fields.get("malformed").and_then(|v| {
            let path = path.key("malformed");
            let fields = self.mapping(
                v,
                &path,
                "`{rate: 0.001, kinds: [truncated, not_json]}`",
                MalformedFault::FIELDS,
            )?;
            let rate = self
                .required(&fields, "rate", &path, "add e.g. `rate: 0.001`")
                .and_then(|v| self.number(v, &path.key("rate")));
            let kinds = match fields.get("kinds") {
                None => Some(None),
                Some(v) => self
                    .list(v, &path.key("kinds"), "kinds", |walker, v, path| {
                        walker
                            .choice(v, path, Malformation::NAMES)
                            .and_then(Malformation::from_name)
                    })
                    .map(Some),
            };
            Some(MalformedFault {
                rate: rate?,
                kinds: kinds?,
            })
        });
        Some(FaultsFile {
            late,
            duplicate,
            drop,
            malformed,
        })
    }

    fn delayed_fault(&mut self, value: &Value, path: &FieldPath) -> Option<DelayedFault> {
        let fields = self.mapping(
            value,
            path,
            "`{rate: 0.02, delay: {distribution: exponential, mean: 30s}}`",
            DelayedFault::FIELDS,
        )?;
        let rate = self
            .required(&fields, "rate", path, "add e.g. `rate: 0.02`")
            .and_then(|v| self.number(v, &path.key("rate")));
        let delay = self
            .required(
                &fields,
                "delay",
                path,
                "add e.g. `delay: {distribution: exponential, mean: 30s}`",
            )
            .and_then(|v| self.length(v, &path.key("delay")));
        Some(DelayedFault {
            rate: rate?,
            delay: delay?,
        })
    }

    /// A fixed duration (`10m`), or a distribution drawn each time.
    fn length(&mut self, value: &Value, path: &FieldPath) -> Option<Length> {
        match value {
            Value::Mapping(_) => self.inter_arrival(value, path).map(Length::Random),
            _ => self.duration(value, path).map(Length::Fixed),
        }
    }

    /// Cameras by id (`[1000, 1001]`), or a number of them (`5`).
    fn selection(&mut self, value: &Value, path: &FieldPath) -> Option<CameraSelection> {
        match value {
            Value::Number(_) => self
                .unsigned(value, path, u64::from(u32::MAX))
                .map(CameraSelection::Count),
            Value::Sequence(items) => {
                let ids: Vec<Option<CameraId>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.camera_id(item, &path.index(i)))
                    .collect();
                ids.into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(CameraSelection::Listed)
            }
            other => {
                self.wrong_type(
                    other,
                    path,
                    "a list of camera ids, or a number of cameras drawn at random",
                );
                None
            }
        }
    }

    fn cameras(&mut self, value: &Value, path: &FieldPath) -> Option<Cameras> {
        match value {
            Value::Sequence(items) => {
                let entries: Vec<Option<CameraEntry>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.camera_entry(item, &path.index(i)))
                    .collect();
                Some(Cameras::List(
                    entries.into_iter().collect::<Option<Vec<_>>>()?,
                ))
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

    /// A camera id: an integer or a string.
    fn camera_id(&mut self, value: &Value, path: &FieldPath) -> Option<CameraId> {
        match value {
            Value::Number(n) => match n.as_i64() {
                Some(id) => Some(CameraId::Int(id)),
                None => {
                    let message =
                        format!("camera id {n} is not a whole number that fits in 64 bits");
                    self.report(
                        Problem::new(path, message).help("quote it to use it as a string id"),
                    );
                    None
                }
            },
            Value::String(s) => Some(CameraId::Text(s.clone())),
            other => {
                self.wrong_type(other, path, "a camera id (an integer or a string)");
                None
            }
        }
    }

    /// A listed camera: an id, or `{id: …, attribute: value, …}`.
    fn camera_entry(&mut self, value: &Value, path: &FieldPath) -> Option<CameraEntry> {
        let Value::Mapping(mapping) = value else {
            return self.camera_id(value, path).map(CameraEntry::Id);
        };
        let mut id = None;
        let mut attributes = Vec::new();
        let mut ok = true;
        for (key, entry) in mapping {
            let Value::String(key) = key else {
                let problem = Problem::new(
                    path,
                    format!("attribute names must be text, found {}", describe(key)),
                );
                self.report(problem.help("quote the name"));
                ok = false;
                continue;
            };
            if key == "id" {
                id = self.camera_id(entry, &path.key("id"));
                ok &= id.is_some();
            } else {
                match self.json(entry, &path.key(key)) {
                    Some(v) => attributes.push((key.clone(), v)),
                    None => ok = false,
                }
            }
        }
        if !mapping.contains_key("id") {
            let problem = Problem::new(path, "a camera with attributes needs an `id`");
            self.report(problem.help("write e.g. `{id: 1000, zone: entrance}`"));
            return None;
        }
        let id = id.filter(|_| ok)?;
        Some(CameraEntry::Described(CameraObject { id, attributes }))
    }

    /// Any YAML value as JSON: scalars, lists and mappings with text keys. A number that
    /// is not finite, or a tagged value, is reported.
    fn json(&mut self, value: &Value, path: &FieldPath) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        match value {
            Value::Null => Some(J::Null),
            Value::Bool(b) => Some(J::Bool(*b)),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(J::from(i))
                } else if let Some(u) = n.as_u64() {
                    Some(J::from(u))
                } else {
                    let number = n.as_f64().and_then(serde_json::Number::from_f64);
                    if number.is_none() {
                        let problem = Problem::new(path, format!("{n} is not a finite number"));
                        self.report(
                            problem
                                .help("JSON has no NaN or infinity; quote it to send it as text"),
                        );
                    }
                    number.map(J::Number)
                }
            }
            Value::String(s) => Some(J::String(s.clone())),
            Value::Sequence(items) => {
                let items: Vec<Option<J>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.json(v, &path.index(i)))
                    .collect();
                items.into_iter().collect::<Option<Vec<_>>>().map(J::Array)
            }
            Value::Mapping(mapping) => {
                let mut object = serde_json::Map::new();
                let mut ok = true;
                for (k, v) in mapping {
                    let Value::String(k) = k else {
                        self.wrong_type(k, path, "text keys (JSON object keys are text)");
                        ok = false;
                        continue;
                    };
                    match self.json(v, &path.key(k)) {
                        Some(v) => {
                            object.insert(k.clone(), v);
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(J::Object(object))
            }
            Value::Tagged(_) => {
                self.wrong_type(value, path, "a plain value (no YAML tags)");
                None
            }
        }
    }

    /// A stream's payload: field name → field, in the order written.
    fn payload(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<(String, FieldSpec)>> {
        self.fields(
            value,
            path,
            "a mapping of payload fields such as `{kind: {gen: choice, values: [a, b]}}`",
        )
    }

    /// The fields of an object, in the order written.
    fn fields(
        &mut self,
        value: &Value,
        path: &FieldPath,
        what: &str,
    ) -> Option<Vec<(String, FieldSpec)>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(value, path, what);
            return None;
        };
        let mut fields = Vec::with_capacity(mapping.len());
        let mut ok = true;
        for (key, entry) in mapping {
            let Value::String(name) = key else {
                let problem = Problem::new(
                    path,
                    format!("field names must be text, found {}", describe(key)),
                );
                self.report(problem.help("quote the name"));
                ok = false;
                continue;
            };
            match self.field(entry, &path.key(name)) {
                Some(field) => fields.push((name.clone(), field)),
                None => ok = false,
            }
        }
        ok.then_some(fields)
    }

    /// One payload field: a generator, a nested object, a list or a constant.
    fn field(&mut self, value: &Value, path: &FieldPath) -> Option<FieldSpec> {
        match value {
            Value::Mapping(mapping) if mapping.contains_key("gen") => {
                self.generator(value, path).map(FieldSpec::Generated)
            }
            Value::Mapping(_) => self
                .fields(value, path, "a nested object")
                .map(FieldSpec::Object),
            Value::Sequence(items) => {
                let items: Vec<Option<FieldSpec>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| self.field(v, &path.index(i)))
                    .collect();
                items
                    .into_iter()
                    .collect::<Option<Vec<_>>>()
                    .map(FieldSpec::List)
            }
            _ => self.json(value, path).map(FieldSpec::Constant),
        }
    }

    /// The generator named by `gen`, with its parameters. A misspelt name is reported with
    /// the generator it most likely means, and the parameters are checked against that one.
    fn generator(&mut self, value: &Value, path: &FieldPath) -> Option<Generator> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                "a generator such as `{gen: int, min: 0, max: 9}`",
            );
            return None;
        };
        let name = mapping.get("gen")?;
        let names = GeneratorKind::NAMES;
        let gen_path = path.key("gen");
        let (kind, known) = match name {
            Value::String(s) => match GeneratorKind::from_name(s) {
                Some(kind) => (kind, true),
                None if matches!(s.to_lowercase().as_str(), "constant" | "const" | "fixed") => {
                    let problem = Problem::new(&gen_path, format!("unknown generator `{s}`"));
                    self.report(problem.help(
                        "a constant is written as the value itself, e.g. `schema_version: 2`",
                    ));
                    return None;
                }
                None => {
                    let lower = s.to_lowercase();
                    let alias = GeneratorKind::ALIASES.iter().find(|(a, _, _)| *a == lower);
                    let (guess, help) = match alias {
                        Some(&(_, kind, why)) => {
                            let help = format!("did you mean `{}`? {why}", kind.name());
                            (Some(kind), help.trim_end().to_string())
                        }
                        None => (
                            did_you_mean(s, names).and_then(GeneratorKind::from_name),
                            suggestion(s, names),
                        ),
                    };
                    let problem = Problem::new(&gen_path, format!("unknown generator `{s}`"));
                    self.report(problem.help(help));
                    match guess {
                        Some(kind) => (kind, false),
                        None => return None,
                    }
                }
            },
            other => {
                self.wrong_type(other, &gen_path, &format!("one of {}", list(names)));
                return None;
            }
        };
        let mut keys = vec!["gen"];
        keys.extend(kind.params().iter().map(|(p, _)| *p));
        let fields = self.mapping(value, path, "a generator", &keys)?;
        for &(param, need) in kind.params() {
            if need == Need::Required && !fields.contains_key(param) {
                let problem = Problem::new(path, format!("missing required field `{param}`"));
                self.report(problem.help(format!(
                    "`{}` takes {}",
                    kind.name(),
                    list(&kind.params().iter().map(|(p, _)| *p).collect::<Vec<_>>())
                )));
            }
        }
        let at = |k: &str| path.key(k);
        let generator = match kind {
            GeneratorKind::EventId => Some(Generator::EventId),
            GeneratorKind::CameraId => Some(Generator::CameraId),
            GeneratorKind::Timestamp => {
                let format = match fields.get("format") {
                    Some(v) => Some(self.string(v, &at("format"))?),
                    None => None,
                };
                Some(Generator::Timestamp { format })
            }
            GeneratorKind::Camera => {
                let attribute = fields
                    .get("attribute")
                    .and_then(|v| self.string(v, &at("attribute")));
                Some(Generator::Camera {
                    attribute: attribute?,
                })
            }
            GeneratorKind::Choice => {
                let values = fields.get("values").and_then(|v| match v {
                    Value::Sequence(_) => match self.json(v, &at("values"))? {
                        serde_json::Value::Array(values) => Some(values),
                        _ => None,
                    },
                    other => {
                        self.wrong_type(other, &at("values"), "a list of values");
                        None
                    }
                });
                let weights = match fields.get("weights") {
                    Some(v) => Some(self.numbers(v, &at("weights"))?),
                    None => None,
                };
                Some(Generator::Choice {
                    values: values?,
                    weights,
                })
            }
            GeneratorKind::Float => {
                let min = fields.get("min").and_then(|v| self.number(v, &at("min")));
                let max = fields.get("max").and_then(|v| self.number(v, &at("max")));
                let decimals = self.decimals(&fields, path);
                Some(Generator::Float {
                    min: min?,
                    max: max?,
                    decimals: decimals?,
                })
            }
            GeneratorKind::Int => {
                let min = fields.get("min").and_then(|v| self.signed(v, &at("min")));
                let max = fields.get("max").and_then(|v| self.signed(v, &at("max")));
                Some(Generator::Int {
                    min: min?,
                    max: max?,
                })
            }
            GeneratorKind::Normal => {
                let mean = fields.get("mean").and_then(|v| self.number(v, &at("mean")));
                let std_dev = fields
                    .get("std_dev")
                    .and_then(|v| self.number(v, &at("std_dev")));
                let decimals = self.decimals(&fields, path);
                Some(Generator::Normal {
                    mean: mean?,
                    std_dev: std_dev?,
                    decimals: decimals?,
                })
            }
            GeneratorKind::Sequence => {
                let start = match fields.get("start") {
                    Some(v) => Some(self.signed(v, &at("start"))?),
                    None => None,
                };
                Some(Generator::Sequence { start })
            }
        };
        generator.filter(|_| known)
    }

    /// `decimals` of a generator: `Some(None)` when absent, `None` when unreadable.
    fn decimals(&mut self, fields: &Fields<'_>, path: &FieldPath) -> Option<Option<u32>> {
        match fields.get("decimals") {
            None => Some(None),
            Some(v) => self
                .unsigned(v, &path.key("decimals"), u64::from(limits::MAX_DECIMALS))
                .map(|d| Some(d as u32)),
        }
    }

    /// A list of numbers.
    fn numbers(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<f64>> {
        let Value::Sequence(items) = value else {
            self.wrong_type(value, path, "a list of numbers");
            return None;
        };
        let numbers: Vec<Option<f64>> = items
            .iter()
            .enumerate()
            .map(|(i, v)| self.number(v, &path.index(i)))
            .collect();
        numbers.into_iter().collect()
    }

    /// A stream's key: `camera_id`, `none` or `{field: NAME}`.
    fn stream_key(&mut self, value: &Value, path: &FieldPath) -> Option<StreamKey> {
        match value {
            Value::Mapping(_) => self.field_ref(value, path).map(StreamKey::Field),
            _ => {
                let mut names = KeyMode::NAMES.to_vec();
                names.push("field");
                let name = self.choice(value, path, &names)?;
                if name == "field" {
                    let problem = Problem::new(path, "`field` needs the name of a payload field");
                    self.report(problem.help("write e.g. `key: {field: camera_id}`"));
                    return None;
                }
                KeyMode::from_name(name).map(StreamKey::Named)
            }
        }
    }

    /// `{field: NAME}`.
    fn field_ref(&mut self, value: &Value, path: &FieldPath) -> Option<FieldRef> {
        let fields = self.mapping(value, path, "`{field: NAME}`", FieldRef::FIELDS)?;
        let field = self
            .required(&fields, "field", path, "write e.g. `{field: camera_id}`")
            .and_then(|v| self.string(v, &path.key("field")))?;
        Some(FieldRef { field })
    }

    /// Kafka headers: name → value, in the order written.
    fn headers(&mut self, value: &Value, path: &FieldPath) -> Option<Vec<(String, HeaderSpec)>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(
                value,
                path,
                "a mapping of header names to values such as `{source: simulate}`",
            );
            return None;
        };
        let mut headers = Vec::with_capacity(mapping.len());
        let mut ok = true;
        for (key, entry) in mapping {
            let Value::String(name) = key else {
                let problem = Problem::new(
                    path,
                    format!("header names must be text, found {}", describe(key)),
                );
                self.report(problem.help("quote the name"));
                ok = false;
                continue;
            };
            let at = path.key(name);
            let spec = match entry {
                Value::Mapping(m) if m.contains_key("gen") => {
                    self.generator(entry, &at).map(HeaderSpec::Generated)
                }
                Value::Mapping(m) if m.contains_key("field") => {
                    self.field_ref(entry, &at).map(HeaderSpec::Field)
                }
                Value::Mapping(_) | Value::Sequence(_) => {
                    self.wrong_type(
                        entry,
                        &at,
                        "a header value: a generator, `{field: NAME}` or a constant",
                    );
                    None
                }
                _ => self.json(entry, &at).map(HeaderSpec::Constant),
            };
            match spec {
                Some(spec) => headers.push((name.clone(), spec)),
                None => ok = false,
            }
        }
        ok.then_some(headers)
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
                let mut names = PickName::NAMES.to_vec();
                names.push("weights");
                let name = self.choice(value, path, &names)?;
                if name == "weights" {
                    let problem = Problem::new(path, "`weights` needs a list of weights");
                    self.report(
                        problem.help("write `pick: {weights: [3, 1, 1]}`, one weight per camera"),
                    );
                    return None;
                }
                PickName::from_name(name).map(Pick::Named)
            }
        }
    }

    /// The distribution named `value`. An unknown name is reported, with the
    /// distribution it most likely means (a common other name such as `poisson` or
    /// `gaussian`, or a near spelling), which is returned as `Err(Some(_))`.
    fn distribution_name(
        &mut self,
        value: &Value,
        path: &FieldPath,
    ) -> Result<DistributionKind, Option<DistributionKind>> {
        let names = DistributionKind::NAMES;
        let Value::String(s) = value else {
            self.wrong_type(value, path, &format!("one of {}", list(names)));
            return Err(None);
        };
        if let Some(kind) = DistributionKind::from_name(s) {
            return Ok(kind);
        }
        let lower = s.to_lowercase();
        let alias = DistributionKind::ALIASES
            .iter()
            .find(|(a, _, _)| *a == lower);
        let (guess, help) = match alias {
            Some(&(_, kind, why)) => {
                let help = format!("did you mean `{}`? {why}", kind.name());
                (Some(kind), help.trim_end().to_string())
            }
            None => {
                let near = did_you_mean(s, names).and_then(DistributionKind::from_name);
                (near, suggestion(s, names))
            }
        };
        self.report(Problem::new(path, format!("unknown value `{s}`")).help(help));
        Err(guess)
    }

    /// Checks the parameters of a distribution whose name is missing or unknown by what
    /// every distribution that takes them expects (durations with units, plain numbers).
    fn any_parameters(&mut self, value: &Value, path: &FieldPath) {
        let Value::Mapping(mapping) = value else {
            return;
        };
        for (key, entry) in mapping {
            let Value::String(key) = key else { continue };
            let kind = DistributionKind::ALL
                .iter()
                .flat_map(|d| d.params())
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
        let Some(name) = mapping.get("distribution") else {
            let problem = Problem::new(path, "missing required field `distribution`");
            self.report(problem.help(format!("one of {}", list(DistributionKind::NAMES))));
            // The parameters can still be checked for what every distribution shares.
            self.any_parameters(value, path);
            return None;
        };
        let (kind, known) = match self.distribution_name(name, &path.key("distribution")) {
            Ok(kind) => (kind, true),
            // Misspelt: check the rest against the distribution it most likely means, so
            // that its other problems are reported in the same run.
            Err(Some(guess)) => (guess, false),
            Err(None) => {
                self.any_parameters(value, path);
                return None;
            }
        };
        let mut keys: Vec<&str> = vec!["distribution"];
        keys.extend(kind.params().iter().map(|(p, _)| *p));
        let fields = self.mapping(value, path, "a distribution", &keys)?;
        let mut durations = BTreeMap::new();
        let mut numbers = BTreeMap::new();
        for &(param, param_kind) in kind.params() {
            let hint = match param_kind {
                ParamKind::Duration => format!("add e.g. `{param}: 1s`"),
                ParamKind::Number => format!("add e.g. `{param}: 2.0`"),
            };
            let value = self.required(&fields, param, path, &hint);
            let param_path = path.key(param);
            match param_kind {
                ParamKind::Duration => {
                    if let Some(d) = value.and_then(|v| self.duration(v, &param_path)) {
                        durations.insert(param, d);
                    }
                }
                ParamKind::Number => {
                    if let Some(n) = value.and_then(|v| self.number(v, &param_path)) {
                        numbers.insert(param, n);
                    }
                }
            }
        }
        if !known {
            return None;
        }
        // By name: a parameter missing from `params()` leaves its distribution unbuilt,
        // which the registry test would see.
        let d = |name: &str| durations.get(name).copied();
        let n = |name: &str| numbers.get(name).copied();
        Some(match kind {
            DistributionKind::Constant => InterArrival::Constant {
                interval: d("interval")?,
            },
            DistributionKind::Uniform => InterArrival::Uniform {
                min: d("min")?,
                max: d("max")?,
            },
            DistributionKind::Exponential => InterArrival::Exponential { mean: d("mean")? },
            DistributionKind::Normal => InterArrival::Normal {
                mean: d("mean")?,
                std_dev: d("std_dev")?,
            },
            DistributionKind::Lognormal => InterArrival::Lognormal {
                mean: d("mean")?,
                std_dev: d("std_dev")?,
            },
            DistributionKind::Gamma => InterArrival::Gamma {
                shape: n("shape")?,
                mean: d("mean")?,
            },
            DistributionKind::Weibull => InterArrival::Weibull {
                shape: n("shape")?,
                scale: d("scale")?,
            },
            DistributionKind::Pareto => InterArrival::Pareto {
                shape: n("shape")?,
                scale: d("scale")?,
            },
        })
    }
}

/// Stands in for cameras that could not be read: one id no file can clash with.
fn placeholder_cameras() -> Cameras {
    Cameras::List(vec![CameraEntry::Id(CameraId::Text(
        "\u{0}unreadable".into(),
    ))])
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
