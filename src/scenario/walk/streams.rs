//! Reading the scenario's top level, its Kafka settings and its streams: cameras, how
//! they are picked, rate changes (profile, incidents, outages) and faults.

use std::collections::BTreeMap;

use serde_yaml::Value;

use super::{Walker, describe};
use crate::scenario::diagnostics::{FieldPath, Problem};
use crate::scenario::duration::Nanos;
use crate::scenario::model::*;

impl Walker {
    /// The whole document: the scenario's top level. `None` when it is not a mapping.
    pub(super) fn scenario(&mut self, value: &Value) -> Option<ScenarioFile> {
        let root = FieldPath::default();
        let e = self.mapping(
            value,
            &root,
            "a mapping of scenario fields",
            ScenarioFile::FIELDS,
        )?;
        let name = self.optional(&e, "name", Self::string);
        let seed = self.optional(&e, "seed", |w, v, p| w.unsigned(v, p, u64::MAX));
        let duration = self.required(&e, "duration", "add e.g. `duration: 3m`", Self::duration);
        let start = self.optional(&e, "start", Self::string);
        let topic = self.optional(&e, "topic", Self::string);
        let kafka = self.optional(&e, "kafka", Self::kafka);
        let schema_registry = self.optional(&e, "schema_registry", Self::json);
        let streams = self.required(
            &e,
            "streams",
            "add a list of streams; see scenarios/default.yaml",
            Self::streams,
        );
        Some(ScenarioFile {
            name,
            seed,
            duration: duration.unwrap_or(Duration(Nanos(1_000_000_000))),
            start,
            topic,
            kafka,
            schema_registry,
            streams: streams.unwrap_or_default(),
        })
    }

    fn kafka(&mut self, value: &Value, path: &FieldPath) -> Option<KafkaFile> {
        let e = self.mapping(
            value,
            path,
            "a mapping of Kafka settings",
            KafkaFile::FIELDS,
        )?;
        Some(KafkaFile {
            bootstrap_servers: self.optional(&e, "bootstrap_servers", Self::string),
            client_id: self.optional(&e, "client_id", Self::string),
            key: self.optional(&e, "key", Self::named),
            timestamp: self.optional(&e, "timestamp", Self::named),
            properties: self
                .optional(&e, "properties", Self::properties)
                .unwrap_or_default(),
        })
    }

    /// librdkafka properties: names to text, numbers or booleans; an entry that is not
    /// is reported and left out.
    fn properties(&mut self, value: &Value, path: &FieldPath) -> Option<BTreeMap<String, String>> {
        let Value::Mapping(mapping) = value else {
            self.wrong_type(value, path, "a mapping of librdkafka properties");
            return None;
        };
        let mut properties = BTreeMap::new();
        for (k, v) in mapping {
            let (Value::String(k), Some(v)) = (k, property_text(v)) else {
                self.report(Problem::new(
                    path,
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
        Some(properties)
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
        let Some(e) = self.mapping(value, path, "a stream (a mapping)", StreamFile::FIELDS) else {
            return placeholder_stream();
        };
        let name = self.optional(&e, "name", Self::string);
        let replay = self.optional(&e, "replay", Self::replay);
        // A replay stream's cameras are its recording's keys; validation refuses any
        // given.
        let cameras = if e.has("cameras") || !e.has("replay") {
            self.required(
                &e,
                "cameras",
                "add e.g. `cameras: [1000, 1001]` or `cameras: {count: 10}`",
                Self::cameras,
            )
        } else {
            None
        };
        let arrivals = self.optional(&e, "arrivals", Self::named);
        let pick = self.optional(&e, "pick", Self::pick);
        let entities = self.optional(&e, "entities", Self::entities);
        let inter_arrival = if e.has("inter_arrival") || !(e.has("entities") || e.has("replay")) {
            self.required(
                &e,
                "inter_arrival",
                "add e.g. `inter_arrival: {distribution: exponential, mean: 1s}`, or `entities:` for people or vehicles that walk from camera to camera",
                Self::inter_arrival,
            )
        } else {
            None
        };
        // The rest in the order of `StreamFile`, which is the order they are read in.
        StreamFile {
            name,
            pick: if cameras.is_some() { pick } else { None },
            cameras: match (cameras, &replay) {
                (Some(cameras), _) => Some(cameras),
                (None, None) => Some(placeholder_cameras()),
                (None, Some(_)) => None,
            },
            arrivals,
            inter_arrival: match (&inter_arrival, &entities, &replay) {
                (Some(_), _, _) | (None, None, None) => {
                    Some(inter_arrival.unwrap_or_else(placeholder_gap))
                }
                (None, _, _) => None,
            },
            entities,
            replay,
            first_event: self.optional(&e, "first_event", Self::named),
            rate: self.optional(&e, "rate", Self::rate),
            incidents: self.optional(&e, "incidents", |w, v, p| {
                w.list(v, p, "incidents", Self::incident)
            }),
            outages: self.optional(&e, "outages", |w, v, p| {
                w.list(v, p, "outages", Self::outage)
            }),
            faults: self.optional(&e, "faults", Self::faults),
            topic: self.optional(&e, "topic", Self::string),
            payload: self.optional(&e, "payload", Self::payload),
            key: self.optional(&e, "key", Self::stream_key),
            headers: self.optional(&e, "headers", Self::headers),
            value: self.optional(&e, "value", Self::value_file),
            key_format: self.optional(&e, "key_format", Self::named),
        }
    }

    /// A stream's `value:`: how its message value is encoded.
    fn value_file(&mut self, value: &Value, path: &FieldPath) -> Option<ValueFile> {
        let e = self.mapping(
            value,
            path,
            "a value encoding such as `{format: avro, schema: derived}`",
            ValueFile::FIELDS,
        )?;
        let schema = self.optional(&e, "schema", |w, v, p| match v {
            Value::Mapping(_) => w.json(v, p).map(SchemaSource::Given),
            _ => w.named(v, p).map(SchemaSource::Named),
        });
        Some(ValueFile {
            format: self.optional(&e, "format", Self::named),
            schema,
            subject: self.optional(&e, "subject", Self::json),
            register: self.optional(&e, "register", Self::named),
            record_name: self.optional(&e, "record_name", Self::string),
            namespace: self.optional(&e, "namespace", Self::string),
        })
    }

    fn rate(&mut self, value: &Value, path: &FieldPath) -> Option<RateFile> {
        let e = self.mapping(
            value,
            path,
            "a rate profile such as `{points: [{at: 0s, factor: 1}]}`",
            RateFile::FIELDS,
        )?;
        let points = self.required(
            &e,
            "points",
            "add e.g. `points: [{at: 0s, factor: 0.5}, {at: 12h, factor: 2}]`",
            |w, v, p| w.list(v, p, "rate points", Self::point),
        );
        let interpolate = self.optional(&e, "interpolate", Self::named);
        let repeat = self.optional(&e, "repeat", Self::duration);
        Some(RateFile {
            points: points?,
            interpolate,
            repeat,
        })
    }

    fn point(&mut self, value: &Value, path: &FieldPath) -> Option<RatePoint> {
        let e = self.mapping(
            value,
            path,
            "a point such as `{at: 12h, factor: 3}`",
            RatePoint::FIELDS,
        )?;
        let at = self.required(&e, "at", "add e.g. `at: 12h`", Self::duration);
        let factor = self.required(&e, "factor", "add e.g. `factor: 2`", Self::number);
        Some(RatePoint {
            at: at?,
            factor: factor?,
        })
    }

    fn incident(&mut self, value: &Value, path: &FieldPath) -> Option<IncidentFile> {
        let e = self.mapping(
            value,
            path,
            "an incident such as `{at: 2h, duration: 10m, factor: 20}`",
            IncidentFile::FIELDS,
        )?;
        let at = self.optional(&e, "at", Self::duration);
        let every = self.optional(&e, "every", Self::inter_arrival);
        let duration = self.required(&e, "duration", "add e.g. `duration: 10m`", Self::length);
        let factor = self.required(&e, "factor", "add e.g. `factor: 10`", Self::number);
        let cameras = self.optional(&e, "cameras", Self::selection);
        // What cannot be read is reported; stand-ins let the rest be checked.
        Some(IncidentFile {
            at,
            every,
            duration: duration.unwrap_or_else(placeholder_length),
            factor: factor.unwrap_or(1.0),
            cameras,
        })
    }

    fn outage(&mut self, value: &Value, path: &FieldPath) -> Option<OutageFile> {
        let e = self.mapping(
            value,
            path,
            "an outage such as `{at: 30m, duration: 15m}`",
            OutageFile::FIELDS,
        )?;
        let at = self.optional(&e, "at", Self::duration);
        let every = self.optional(&e, "every", Self::inter_arrival);
        let duration = self.required(&e, "duration", "add e.g. `duration: 15m`", Self::length);
        let cameras = self.optional(&e, "cameras", Self::selection);
        let backlog = self.optional(&e, "backlog", Self::named);
        Some(OutageFile {
            at,
            every,
            duration: duration.unwrap_or_else(placeholder_length),
            cameras,
            backlog,
        })
    }

    fn faults(&mut self, value: &Value, path: &FieldPath) -> Option<FaultsFile> {
        let e = self.mapping(
            value,
            path,
            "faults such as `{late: {rate: 0.02, delay: 30s}, drop: {rate: 0.01}}`",
            FaultsFile::FIELDS,
        )?;
        Some(FaultsFile {
            late: self.optional(&e, "late", Self::delayed_fault),
            duplicate: self.optional(&e, "duplicate", Self::delayed_fault),
            drop: self.optional(&e, "drop", Self::rate_fault),
            malformed: self.optional(&e, "malformed", Self::malformed_fault),
        })
    }

    fn delayed_fault(&mut self, value: &Value, path: &FieldPath) -> Option<DelayedFault> {
        let e = self.mapping(
            value,
            path,
            "`{rate: 0.02, delay: {distribution: exponential, mean: 30s}}`",
            DelayedFault::FIELDS,
        )?;
        let rate = self.required(&e, "rate", "add e.g. `rate: 0.02`", Self::number);
        let delay = self.required(
            &e,
            "delay",
            "add e.g. `delay: {distribution: exponential, mean: 30s}`",
            Self::length,
        );
        Some(DelayedFault {
            rate: rate?,
            delay: delay?,
        })
    }

    fn rate_fault(&mut self, value: &Value, path: &FieldPath) -> Option<RateFault> {
        let e = self.mapping(value, path, "`{rate: 0.01}`", RateFault::FIELDS)?;
        let rate = self.required(&e, "rate", "add e.g. `rate: 0.01`", Self::number)?;
        Some(RateFault { rate })
    }

    fn malformed_fault(&mut self, value: &Value, path: &FieldPath) -> Option<MalformedFault> {
        let e = self.mapping(
            value,
            path,
            "`{rate: 0.001, kinds: [truncated, not_json]}`",
            MalformedFault::FIELDS,
        )?;
        let rate = self.required(&e, "rate", "add e.g. `rate: 0.001`", Self::number);
        let kinds = self.defaulted(&e, "kinds", |w, v, p| w.list(v, p, "kinds", Self::named));
        Some(MalformedFault {
            rate: rate?,
            kinds: kinds?,
        })
    }

    /// Cameras by id (`[1000, 1001]`), or a number of them (`5`).
    fn selection(&mut self, value: &Value, path: &FieldPath) -> Option<CameraSelection> {
        match value {
            Value::Number(_) => self
                .unsigned(value, path, u64::from(u32::MAX))
                .map(CameraSelection::Count),
            Value::Sequence(items) => self
                .items(items, path, Self::camera_id)
                .map(CameraSelection::Listed),
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
            Value::Sequence(items) => self
                .items(items, path, Self::camera_entry)
                .map(Cameras::List),
            Value::Mapping(_) => {
                let e =
                    self.mapping(value, path, "a camera generator", GeneratedCameras::FIELDS)?;
                let count = self.required(&e, "count", "add e.g. `count: 50`", |w, v, p| {
                    w.unsigned(v, p, u64::MAX)
                });
                let first = self.optional(&e, "first", Self::signed);
                let prefix = self.optional(&e, "prefix", Self::string);
                let width = self
                    .optional(&e, "width", |w, v, p| w.unsigned(v, p, u64::from(u32::MAX)))
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
    pub(super) fn camera_id(&mut self, value: &Value, path: &FieldPath) -> Option<CameraId> {
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
        let entries = self.named_entries(mapping, path, "attribute", |w, name, v, p| {
            if name == "id" {
                w.camera_id(v, p).map(Attribute::Id)
            } else {
                w.json(v, p).map(Attribute::Value)
            }
        });
        if !mapping.contains_key("id") {
            let problem = Problem::new(path, "a camera with attributes needs an `id`");
            self.report(problem.help("write e.g. `{id: 1000, zone: entrance}`"));
            return None;
        }
        let mut id = None;
        let mut attributes = Vec::new();
        for (name, entry) in entries? {
            match entry {
                Attribute::Id(camera) => id = Some(camera),
                Attribute::Value(value) => attributes.push((name, value)),
            }
        }
        Some(CameraEntry::Described(CameraObject {
            id: id?,
            attributes,
        }))
    }

    /// A stream's `replay:`: the recording it plays and how.
    fn replay(&mut self, value: &Value, path: &FieldPath) -> Option<ReplayFile> {
        let e = self.mapping(
            value,
            path,
            "a replay such as `{file: morning.jsonl}`",
            ReplayFile::FIELDS,
        )?;
        let file = self.required(
            &e,
            "file",
            "add the recording, e.g. `file: morning.jsonl` (made by `simulate record`)",
            Self::string,
        );
        let timing = self.optional(&e, "timing", |w, v, p| match v {
            Value::Mapping(_) => {
                let e = w.mapping(v, p, "`{scale: 0.5}`", &["scale"])?;
                let scale = w.required(&e, "scale", "add e.g. `scale: 0.5`", Self::number)?;
                Some(Timing::Scaled(Scale { scale }))
            }
            _ => w
                .named_besides(
                    v,
                    p,
                    "scale",
                    "`scale` needs a factor",
                    "write `timing: {scale: 0.5}` to play every gap times 0.5",
                )
                .map(Timing::Named),
        });
        Some(ReplayFile {
            file: file?,
            timing,
            loops: self.optional(&e, "loop", |w, v, p| w.unsigned(v, p, u64::MAX)),
            keep: self.optional(&e, "keep", |w, v, p| w.list(v, p, "keep", Self::named)),
            timestamps: self.optional(&e, "timestamps", Self::named),
            timestamp_field: self.optional(&e, "timestamp_field", Self::string),
        })
    }

    fn pick(&mut self, value: &Value, path: &FieldPath) -> Option<Pick> {
        match value {
            Value::Mapping(_) => {
                let e = self.mapping(value, path, "`{weights: [..]}`", &["weights"])?;
                let weights = self.required(
                    &e,
                    "weights",
                    "add `weights: [..]`, one per camera",
                    Self::numbers,
                )?;
                Some(Pick::Weighted(Weights { weights }))
            }
            _ => self
                .named_besides(
                    value,
                    path,
                    "weights",
                    "`weights` needs a list of weights",
                    "write `pick: {weights: [3, 1, 1]}`, one weight per camera",
                )
                .map(Pick::Named),
        }
    }
}

/// One entry of a camera with attributes, as read.
enum Attribute {
    /// `id`.
    Id(CameraId),
    /// Any other key's value.
    Value(serde_json::Value),
}

/// Stands in for a stream that could not be read at all.
fn placeholder_stream() -> StreamFile {
    StreamFile {
        name: None,
        cameras: Some(placeholder_cameras()),
        arrivals: None,
        pick: None,
        inter_arrival: Some(placeholder_gap()),
        entities: None,
        replay: None,
        first_event: None,
        rate: None,
        incidents: None,
        outages: None,
        faults: None,
        topic: None,
        value: None,
        key_format: None,
        payload: None,
        key: None,
        headers: None,
    }
}

/// Stands in for cameras that could not be read: one id no file can clash with.
fn placeholder_cameras() -> Cameras {
    Cameras::List(vec![CameraEntry::Id(CameraId::Text(
        "\u{0}unreadable".into(),
    ))])
}

/// Stands in for a window's length that could not be read.
fn placeholder_length() -> Length {
    Length::Fixed(Duration(Nanos(1_000_000_000)))
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
