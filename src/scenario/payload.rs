//! What a stream's messages hold, validated: the topic, the key, the payload (the message
//! value, field by field) and the headers.
//!
//! The raw model ([`super::model::FieldSpec`], [`super::model::Generator`]) becomes a
//! [`Message`] that cannot hold a bad parameter: ranges in order, weights that can be
//! drawn from, finite numbers, timestamp patterns chrono accepts, camera attributes that
//! every camera has, keys and headers that name a top-level field. The values themselves
//! are drawn by `plan::payload` and written by [`crate::render`].

use chrono::format::{Item, StrftimeItems};
use serde_json::Value as Json;

use super::diagnostics::{FieldPath, Problem, Problems, list, meant, suggestion};
use super::limits;
use super::model::{
    CameraId, FieldSpec, FloatParams, Generated, Generator, HeaderSpec, IntParams, KeyMode,
    NormalParams, StreamKey, TimeFormatName,
};

mod bbox;
mod camera;
mod defaults;
mod entities;

pub(crate) use entities::entity_attributes;

pub use bbox::Frame;
pub use defaults::default_payload;

/// The timestamp format of the seed script, and of a `timestamp` field without `format`.
pub const DEFAULT_TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// What one stream's messages hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The Kafka topic (a legal topic name).
    pub topic: String,
    /// What becomes the message key.
    pub key: Key,
    /// The message value, field by field in order; `None` for the default three fields
    /// (`event_id`, `timestamp`, `camera_id`).
    pub payload: Option<Vec<(String, Value)>>,
    /// Kafka headers, in the order written.
    pub headers: Vec<(String, Header)>,
}

/// What becomes the message key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The camera id as text.
    CameraId,
    /// No key.
    None,
    /// The text of this top-level payload field (one that exists).
    Field(String),
}

/// A header's value, sent as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Header {
    /// A generator or a constant (never an object or a list).
    Value(Value),
    /// The text of this top-level payload field (one that exists).
    Field(String),
}

/// One value of a payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The same in every event (finite numbers only).
    Constant(Json),
    /// An object: fields in order.
    Object(Vec<(String, Value)>),
    /// An array: items in order.
    Array(Vec<Value>),
    /// Drawn or computed for each event.
    Generated {
        /// The value's path within the payload (`kind`, `bbox.x`, `tags[0]`; for a header,
        /// its name): with the process and the event's sequence number, all its draws
        /// depend on.
        path: String,
        /// What it draws.
        generator: Gen,
        /// The probability (in [0, 1]) that the value is JSON `null` instead; `None`
        /// when not asked for.
        null_rate: Option<f64>,
    },
}

/// A validated generator.
#[derive(Debug, Clone, PartialEq)]
pub enum Gen {
    /// The event id.
    EventId,
    /// The event's instant.
    Timestamp(TimeFormat),
    /// The camera id.
    CameraId,
    /// A camera attribute: its value for each camera of the stream, in camera order.
    Camera(Vec<Json>),
    /// One of `values` (at least one); by `weights` (one per value, finite, ≥ 0, at least
    /// one positive, a finite sum) when given, uniformly otherwise.
    Choice {
        /// The values.
        values: Vec<Json>,
        /// Their weights.
        weights: Option<Vec<f64>>,
    },
    /// Uniform on [min, max]: finite, `min ≤ max`, `max - min` finite; decimals printed
    /// (≤ [`limits::MAX_DECIMALS`]), or the shortest round-trip text.
    Float(FloatParams),
    /// Uniform on the integers min..=max (`min ≤ max`).
    Int(IntParams),
    /// Normal: `mean` finite, `std_dev` finite and ≥ 0, and every value drawn finite;
    /// decimals printed, or the shortest round-trip text.
    Normal(NormalParams),
    /// `start` plus the event's sequence number within its process.
    Sequence {
        /// The first value.
        start: i64,
    },
    /// A box inside the frame of each camera of the stream, in camera order.
    Bbox(Vec<Frame>),
    /// The identity of the entity a sighting is of (entity streams only): the text
    /// `<stream>-<n>`, `n` the entity's number from 0.
    EntityId,
    /// The camera-local track of a sighting's visit (entity streams only): an integer
    /// below 2⁴⁸, a new one for every visit, unique within the stream.
    TrackId,
    /// An attribute of the entity a sighting is of, drawn once per entity (entity
    /// streams only).
    Entity {
        /// The attribute's name in `entities.attributes`.
        attribute: String,
        /// The generator that draws it.
        generator: Box<Gen>,
    },
}

/// How a timestamp is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeFormat {
    /// A named format.
    Named(TimeFormatName),
    /// A strftime pattern chrono accepts.
    Pattern(String),
}

/// The largest |z| the normal generator can draw: √(−2 ln 2⁻⁵³) ≈ 8.57, rounded up.
pub(crate) const MAX_NORMAL_Z: f64 = 9.0;

/// The parts of a stream's message as written, with what their checks need to know.
pub(crate) struct Raw<'r> {
    /// `topic`, as written.
    pub topic: Option<String>,
    /// `payload`, as written.
    pub payload: Option<Vec<(String, FieldSpec)>>,
    /// `key`, as written.
    pub key: Option<StreamKey>,
    /// `headers`, as written.
    pub headers: Option<Vec<(String, HeaderSpec)>>,
    /// The scenario's topic, for a stream that sets none.
    pub default_topic: &'r str,
    /// The scenario's key, for a stream that sets none.
    pub default_key: KeyMode,
    /// The stream's cameras.
    pub cameras: Option<&'r [CameraId]>,
    /// The cameras' attributes in camera order, when any has some.
    pub attributes: Option<&'r [Vec<(String, Json)>]>,
    /// For a stream with `entities`: the entities' attributes (checked); `None` for a
    /// stream without.
    pub entities: Option<&'r [(String, Gen)]>,
}

/// Checks a stream's topic, payload, key and headers.
pub(crate) fn message(raw: Raw<'_>, path: &FieldPath, problems: &mut Problems) -> Option<Message> {
    let before = problems.len();
    let topic = match raw.topic {
        Some(topic) => {
            if let Err(message) = super::checks::check_topic(&topic) {
                problems.push(Problem::new(&path.key("topic"), message));
            }
            topic
        }
        None => raw.default_topic.to_string(),
    };
    let mut checker = Checker {
        stream: path.clone(),
        cameras: raw.cameras,
        attributes: raw.attributes,
        entities: raw.entities,
        problems,
        values: 0,
    };
    let payload = raw
        .payload
        .map(|fields| checker.object(fields, &path.key("payload"), ""));
    // The top-level fields a key or header may name.
    let top: Vec<String> = match &payload {
        Some(fields) => fields.iter().map(|(name, _)| name.clone()).collect(),
        None => ["event_id", "timestamp", "camera_id"]
            .map(String::from)
            .to_vec(),
    };
    let key = match raw.key {
        None => match raw.default_key {
            KeyMode::CameraId => Key::CameraId,
            KeyMode::None => Key::None,
        },
        Some(StreamKey::Named(KeyMode::CameraId)) => Key::CameraId,
        Some(StreamKey::Named(KeyMode::None)) => Key::None,
        Some(StreamKey::Field(r)) => {
            checker.names_field(&r.field, &top, &path.key("key").key("field"));
            Key::Field(r.field)
        }
    };
    let mut headers = Vec::new();
    for (name, spec) in raw.headers.unwrap_or_default() {
        let at = path.key("headers").key(&name);
        checker.values += 1;
        if name.is_empty() || name.contains('\0') {
            checker.problems.push(
                Problem::new(
                    &at,
                    "a header name must be non-empty text without NUL characters",
                )
                .help("name the header, e.g. `source`"),
            );
        }
        let header = match spec {
            HeaderSpec::Field(r) => {
                checker.names_field(&r.field, &top, &at.key("field"));
                Header::Field(r.field)
            }
            // A header draws on its own: no payload path holds a NUL.
            HeaderSpec::Generated(generator) => Header::Value(checker.generated(
                generator,
                &at,
                format!("\0header\0{}", escaped(&name)),
            )),
            HeaderSpec::Constant(value) => Header::Value(checker.constant(value, &at)),
        };
        headers.push((name, header));
    }
    if checker.values > limits::MAX_PAYLOAD_VALUES {
        checker.problems.push(Problem::new(
            &path.key("payload"),
            format!(
                "{} values in the payload and headers; the limit is {}",
                checker.values,
                limits::MAX_PAYLOAD_VALUES
            ),
        ));
    }
    (problems.len() == before).then_some(Message {
        topic,
        key,
        payload,
        headers,
    })
}

/// A field name as one component of a value's path: `\`, `.`, `[` and NUL escaped with
/// a backslash, so that no two values share a path (`"bbox.x"` is `bbox\.x`, apart from
/// the `x` of an object `bbox`). Names without them are unchanged.
fn escaped(name: &str) -> String {
    if !name.contains(['\\', '.', '[', '\0']) {
        return name.to_string();
    }
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            '\\' | '.' | '[' => {
                out.push('\\');
                out.push(c);
            }
            '\0' => out.push_str("\\0"),
            _ => out.push(c),
        }
    }
    out
}

/// Walks a payload, checking every generator.
struct Checker<'c> {
    /// The stream's path, for problems with its cameras' attributes.
    stream: FieldPath,
    cameras: Option<&'c [CameraId]>,
    attributes: Option<&'c [Vec<(String, Json)>]>,
    /// The entities' attributes, for a stream with `entities`.
    entities: Option<&'c [(String, Gen)]>,
    problems: &'c mut Problems,
    /// Values seen so far, for [`limits::MAX_PAYLOAD_VALUES`].
    values: usize,
}

impl Checker<'_> {
    fn object(
        &mut self,
        fields: Vec<(String, FieldSpec)>,
        at: &FieldPath,
        prefix: &str,
    ) -> Vec<(String, Value)> {
        fields
            .into_iter()
            .map(|(name, spec)| {
                let inner = if prefix.is_empty() {
                    escaped(&name)
                } else {
                    format!("{prefix}.{}", escaped(&name))
                };
                let value = self.value(spec, &at.key(&name), inner);
                (name, value)
            })
            .collect()
    }

    fn value(&mut self, spec: FieldSpec, at: &FieldPath, inner: String) -> Value {
        self.values += 1;
        match spec {
            FieldSpec::Constant(value) => self.constant(value, at),
            FieldSpec::Object(fields) => Value::Object(self.object(fields, at, &inner)),
            FieldSpec::List(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| self.value(item, &at.index(i), format!("{inner}[{i}]")))
                    .collect(),
            ),
            FieldSpec::Generated(generator) => self.generated(generator, at, inner),
        }
    }

    fn constant(&mut self, value: Json, _at: &FieldPath) -> Value {
        // The loader has refused numbers that are not finite.
        Value::Constant(value)
    }

    /// Checks that `name` is one of the top-level fields.
    fn names_field(&mut self, name: &str, top: &[String], at: &FieldPath) {
        if top.iter().any(|t| t == name) {
            return;
        }
        let names: Vec<&str> = top.iter().map(String::as_str).collect();
        let help = if names.is_empty() {
            "the payload has no fields".to_string()
        } else {
            suggestion(name, &names)
        };
        self.problems.push(
            Problem::new(
                at,
                format!("`{name}` is not a top-level field of the payload"),
            )
            .help(help),
        );
    }

    fn generated(&mut self, generated: Generated, at: &FieldPath, path: String) -> Value {
        let Generated {
            generator,
            null_rate,
        } = generated;
        if let Some(r) = null_rate {
            if !(r.is_finite() && (0.0..=1.0).contains(&r)) {
                self.problems.push(
                    Problem::new(
                        &at.key("null_rate"),
                        format!("null_rate is a probability per event, from 0 to 1; found {r}"),
                    )
                    .help("write e.g. `null_rate: 0.05` for one value in twenty"),
                );
            }
        }
        let generator = match generator {
            Generator::EventId => Gen::EventId,
            Generator::CameraId => Gen::CameraId,
            Generator::Sequence { start } => Gen::Sequence {
                start: start.unwrap_or(0),
            },
            Generator::Timestamp { format } => {
                Gen::Timestamp(self.time_format(format, &at.key("format")))
            }
            Generator::Camera { attribute } => {
                Gen::Camera(self.attribute(&attribute, &at.key("attribute")))
            }
            Generator::Choice { values, weights } => {
                if values.is_empty() {
                    self.problems.push(
                        Problem::new(&at.key("values"), "no values to choose from")
                            .help("list at least one value"),
                    );
                }
                let weights = weights.and_then(|w| {
                    super::checks::check_weights(
                        w,
                        Some(values.len()),
                        "values",
                        &at.key("weights"),
                        self.problems,
                    )
                });
                Gen::Choice { values, weights }
            }
            Generator::Float(params) => Gen::Float(self.float(params, at)),
            Generator::Int(params) => Gen::Int(self.int(params, at)),
            Generator::Normal(params) => Gen::Normal(self.normal(params, at)),
            Generator::Bbox(params) => Gen::Bbox(self.bbox(params, at)),
            Generator::EntityId => self.of_entity(Gen::EntityId, "entity_id", at),
            Generator::TrackId => self.of_entity(Gen::TrackId, "track_id", at),
            Generator::Entity { attribute } => self.entity_attribute(attribute, at),
        };
        Value::Generated {
            path,
            generator,
            null_rate,
        }
    }

    /// Checks a float generator's bounds.
    fn float(&mut self, params: FloatParams, at: &FieldPath) -> FloatParams {
        let FloatParams { min, max, .. } = params;
        self.finite(min, &at.key("min"));
        self.finite(max, &at.key("max"));
        let wide = min.is_finite() && max.is_finite() && !(max - min).is_finite();
        if self.ordered(min, max, at) && wide {
            self.problems.push(
                Problem::new(
                    at,
                    "the range from min to max is wider than the largest number",
                )
                .help("narrow it"),
            );
        }
        params
    }

    /// Checks an int generator's bounds.
    fn int(&mut self, params: IntParams, at: &FieldPath) -> IntParams {
        self.ordered(params.min, params.max, at);
        params
    }

    /// Checks a normal generator's mean and standard deviation.
    fn normal(&mut self, params: NormalParams, at: &FieldPath) -> NormalParams {
        let NormalParams { mean, std_dev, .. } = params;
        self.finite(mean, &at.key("mean"));
        if !(std_dev.is_finite() && std_dev >= 0.0) {
            self.problems.push(Problem::new(
                &at.key("std_dev"),
                format!("std_dev must be a finite number ≥ 0, found {std_dev}"),
            ));
        } else if mean.is_finite() && !(mean.abs() + MAX_NORMAL_Z * std_dev).is_finite() {
            self.problems.push(
                Problem::new(at, "values this far from 0 would not be finite numbers")
                    .help("choose a smaller mean or std_dev"),
            );
        }
        params
    }

    /// Whether `min ≤ max` (or they do not compare, as NaN); when `max` is less, that is
    /// reported.
    fn ordered<T: PartialOrd + std::fmt::Display>(
        &mut self,
        min: T,
        max: T,
        at: &FieldPath,
    ) -> bool {
        if min > max {
            self.problems.push(
                Problem::new(
                    &at.key("max"),
                    format!("max ({max}) is less than min ({min})"),
                )
                .help("swap them"),
            );
            return false;
        }
        true
    }

    fn finite(&mut self, x: f64, at: &FieldPath) {
        if !x.is_finite() {
            self.problems.push(Problem::new(
                at,
                format!("expected a finite number, found {x}"),
            ));
        }
    }

    /// A timestamp format: a named one, or a strftime pattern chrono can format with.
    fn time_format(&mut self, format: Option<String>, at: &FieldPath) -> TimeFormat {
        let Some(format) = format else {
            return TimeFormat::Pattern(DEFAULT_TIME_FORMAT.to_string());
        };
        if let Some(name) = TimeFormatName::from_name(&format) {
            return TimeFormat::Named(name);
        }
        if !format.contains('%') {
            let help = match meant(&format, TimeFormatName::NAMES) {
                Some(meant) => meant,
                None => format!(
                    "use {}, or a strftime pattern such as `%d/%m/%Y %H:%M:%S`",
                    list(TimeFormatName::NAMES)
                ),
            };
            self.problems
                .push(Problem::new(at, format!("unknown timestamp format `{format}`")).help(help));
            return TimeFormat::Pattern(format);
        }
        if let Err(why) = check_pattern(&format) {
            self.problems.push(
                Problem::new(at, format!("`{format}` is not a strftime pattern chrono can format: {why}"))
                    .help("see https://docs.rs/chrono/latest/chrono/format/strftime/; write `%%` for a literal `%`"),
            );
        }
        TimeFormat::Pattern(format)
    }
}

/// Whether chrono can format `pattern` (checked on a sample instant too, so that items
/// a UTC time cannot give are refused here rather than at the first event).
pub(crate) fn check_pattern(pattern: &str) -> Result<(), String> {
    let items = StrftimeItems::new(pattern)
        .parse()
        .map_err(|_| "it holds an unknown or incomplete `%` specifier".to_string())?;
    let sample = chrono::DateTime::from_timestamp(1_767_225_600, 123_456_789)
        .ok_or_else(|| "no sample instant".to_string())?;
    let mut text = String::new();
    use std::fmt::Write as _;
    write!(text, "{}", sample.format_with_items(items.iter()))
        .map_err(|_| "chrono cannot format a UTC time with it".to_string())?;
    Ok(())
}

/// Whether a strftime pattern shows a fraction of a second (its text can change within
/// one second).
pub(crate) fn shows_fraction(pattern: &str) -> bool {
    use chrono::format::{Fixed, Numeric};
    StrftimeItems::new(pattern).any(|item| {
        matches!(
            item,
            Item::Numeric(Numeric::Nanosecond, _)
                | Item::Fixed(
                    Fixed::RFC3339
                        | Fixed::Nanosecond
                        | Fixed::Nanosecond3
                        | Fixed::Nanosecond6
                        | Fixed::Nanosecond9
                        | Fixed::Internal(_)
                )
        )
    })
}
