//! The payload's fields, summed up event by event in bounded memory (running moments,
//! value counts capped at [`MAX_VALUES`], the last value per camera), then turned into
//! generators: `event_id`, `timestamp` with its format, `camera_id`, `choice` with
//! weights, `int`, `float`, `normal`, `sequence`, nested objects and constants. A field
//! it cannot describe keeps a value that was seen, with a note saying why.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::camera::CameraId;

/// The most distinct strings counted for a field; more and it is not a `choice`.
pub const MAX_VALUES: usize = 32;
/// A timestamp field lies within this many ms of the event's timestamp (a day: any zone).
const NEAR_MS: i64 = 86_400_000;
/// An epoch field lies within this many ms of the event's timestamp.
const EPOCH_NEAR_MS: i64 = 3_600_000;
/// A field is a camera attribute with at least this many events a camera on average.
const ATTRIBUTE_EVIDENCE: u64 = 10;
/// Below this excess kurtosis numbers are uniform (−1.2), above it normal (0).
const KURTOSIS_SPLIT: f64 = -0.6;

/// The timestamp formats recognised: the name a scenario writes and chrono's pattern.
const FORMATS: [(&str, &str); 10] = [
    ("rfc3339", "%Y-%m-%dT%H:%M:%SZ"),
    ("rfc3339_ms", "%Y-%m-%dT%H:%M:%S%.3fZ"),
    ("\"%Y-%m-%d %H:%M:%S\"", "%Y-%m-%d %H:%M:%S"),
    ("\"%d/%m/%Y %H:%M:%S\"", "%d/%m/%Y %H:%M:%S"),
    ("\"%m/%d/%Y %H:%M:%S\"", "%m/%d/%Y %H:%M:%S"),
    ("\"%Y-%m-%dT%H:%M:%S\"", "%Y-%m-%dT%H:%M:%S"),
    ("\"%Y-%m-%dT%H:%M:%S%.3f\"", "%Y-%m-%dT%H:%M:%S%.3f"),
    ("\"%Y-%m-%d %H:%M:%S%.3f\"", "%Y-%m-%d %H:%M:%S%.3f"),
    ("\"%d/%m/%Y %H:%M\"", "%d/%m/%Y %H:%M"),
    ("\"%Y-%m-%d %H:%M\"", "%Y-%m-%d %H:%M"),
];

/// What one event tells every field: its timestamp and camera.
pub struct Context<'a> {
    /// The event's timestamp, ms since the epoch.
    pub ts_ms: i64,
    /// The camera's index in order of first appearance.
    pub camera: usize,
    /// The camera's id.
    pub camera_id: &'a CameraId,
}

/// The fields of an object, in order of first appearance.
#[derive(Debug, Default)]
pub struct Fields {
    order: Vec<(String, Field)>,
    index: HashMap<String, usize>,
}

/// Running moments of numbers, for mean, spread and kurtosis (Terriberry's update).
#[derive(Debug, Default, Clone, Copy)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    min: f64,
    max: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        if self.n == 0.0 {
            (self.min, self.max) = (x, x);
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        let n1 = self.n;
        self.n += 1.0;
        let n = self.n;
        let delta = x - self.mean;
        let dn = delta / n;
        let dn2 = dn * dn;
        let term = delta * dn * n1;
        self.mean += dn;
        self.m4 += term * dn2 * (n * n - 3.0 * n + 3.0) + 6.0 * dn2 * self.m2 - 4.0 * dn * self.m3;
        self.m3 += term * dn * (n - 2.0) - 3.0 * dn * self.m2;
        self.m2 += term;
    }

    fn std_dev(&self) -> f64 {
        (self.m2 / self.n).sqrt()
    }

    fn excess_kurtosis(&self) -> f64 {
        if self.m2 == 0.0 {
            return 0.0;
        }
        self.n * self.m4 / (self.m2 * self.m2) - 3.0
    }
}

/// The integers of one process: enough to tell whether they are exactly start, start + 1,
/// …, start + count − 1 in any order (a recording interleaves partitions, so file order
/// is not the order of a counter).
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    count: i128,
    min: i64,
    max: i64,
    sum: i128,
    squares: i128,
}

impl Run {
    fn add(&mut self, value: i64) {
        if self.count == 0 {
            (self.min, self.max) = (value, value);
        }
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.count += 1;
        let v = i128::from(value);
        self.sum = self.sum.saturating_add(v);
        self.squares = self.squares.saturating_add(v.saturating_mul(v));
    }

    /// Whether the values are the run from `min`: the count, the sum and the sum of
    /// squares of min..=max, with max − min + 1 values.
    fn is_run(&self) -> bool {
        let (n, a) = (self.count, i128::from(self.min));
        let span = i128::from(self.max) - a + 1;
        // Σ (a + k) and Σ (a + k)² for k in 0..n.
        let k1 = n * (n - 1) / 2;
        let k2 = (n - 1) * n * (2 * n - 1) / 6;
        n > 0 && span == n && self.sum == n * a + k1 && self.squares == n * a * a + 2 * a * k1 + k2
    }
}

/// Whether integers count up by one from one start, per camera and over all events.
#[derive(Debug, Clone, Default)]
struct Counter {
    cameras: Vec<Run>,
    all: Run,
}

impl Counter {
    fn add(&mut self, value: i64, camera: usize) {
        if self.cameras.len() <= camera {
            self.cameras.resize(camera + 1, Run::default());
        }
        self.cameras[camera].add(value);
        self.all.add(value);
    }

    /// The start of a sequence per camera, or over all events.
    fn start(&self, per_camera: bool) -> Option<i64> {
        match per_camera {
            true => {
                let first = self.cameras.iter().find(|r| r.count > 0)?.min;
                self.cameras
                    .iter()
                    .all(|r| r.count == 0 || (r.is_run() && r.min == first))
                    .then_some(first)
            }
            false => self.all.is_run().then_some(self.all.min),
        }
    }
}

/// What one field held over every event.
#[derive(Debug, Default)]
pub struct Field {
    seen: u64,
    nulls: u64,
    first: Option<Value>,
    varies: bool,
    /// Non-null values by kind: booleans, integers, other numbers, strings, objects, lists.
    kinds: [u64; 6],
    trues: u64,
    numbers: Moments,
    decimals: usize,
    counter: Counter,
    strings: Vec<(String, u64)>,
    too_many: bool,
    uuids: bool,
    formats: u16,
    near: bool,
    epoch_ms: bool,
    epoch_s: bool,
    camera: bool,
    /// Each camera's value, while every event of a camera has the same one.
    by_camera: Vec<Option<Value>>,
    follows_camera: bool,
    children: Fields,
}

impl Fields {
    /// Adds one object's fields.
    pub fn add(&mut self, object: &Map<String, Value>, cx: &Context<'_>) {
        for (name, value) in object {
            let at = match self.index.get(name) {
                Some(at) => *at,
                None => {
                    self.index.insert(name.clone(), self.order.len());
                    self.order.push((name.clone(), Field::new()));
                    self.order.len() - 1
                }
            };
            self.order[at].1.add(value, cx);
        }
    }

    /// Whether no field was seen.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The fields as generators, given how many objects there were and whether the
    /// stream is per camera (which decides what a `sequence` counts); `cameras` is the
    /// number of cameras for the top level (whose fields may be camera attributes), `None`
    /// for a nested object.
    pub fn infer(&self, objects: u64, per_camera: bool, cameras: Option<usize>) -> Vec<Inferred> {
        self.order
            .iter()
            .map(|(name, field)| {
                let attribute = cameras
                    .filter(|_| name != "id")
                    .and_then(|n| field.attribute(n));
                match attribute {
                    Some(values) => Inferred {
                        name: name.clone(),
                        value: Written::Attribute(values),
                        note: None,
                    },
                    None => Inferred {
                        name: name.clone(),
                        ..field.infer(objects, per_camera)
                    },
                }
            })
            .collect()
    }
}

/// A field as the scenario writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inferred {
    /// The field's name.
    pub name: String,
    /// Its generator (a YAML flow mapping) or constant (JSON text), or nested fields.
    pub value: Written,
    /// What the comment beside it says.
    pub note: Option<String>,
}

/// A field's value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// One line of YAML: a generator or a constant.
    Line(String),
    /// A nested object.
    Object(Vec<Inferred>),
    /// A camera attribute: `{gen: camera, attribute: NAME}`, with each camera's value (by
    /// the camera's index in order of first appearance).
    Attribute(Vec<Value>),
}

impl Field {
    fn new() -> Field {
        Field {
            uuids: true,
            formats: (1 << FORMATS.len()) - 1,
            near: true,
            epoch_ms: true,
            epoch_s: true,
            camera: true,
            follows_camera: true,
            ..Field::default()
        }
    }

    fn add(&mut self, value: &Value, cx: &Context<'_>) {
        self.seen += 1;
        self.camera &= cx.camera_id.equals(value);
        if self.follows_camera {
            self.follow(value, cx.camera);
        }
        match value {
            Value::Null => {
                self.nulls += 1;
                return;
            }
            Value::Bool(b) => {
                self.kinds[0] += 1;
                self.trues += u64::from(*b);
            }
            Value::Number(number) => self.add_number(number, cx),
            Value::String(text) => {
                self.kinds[3] += 1;
                self.add_string(text, cx.ts_ms);
            }
            Value::Object(object) => {
                self.kinds[4] += 1;
                self.children.add(object, cx);
            }
            Value::Array(_) => self.kinds[5] += 1,
        }
        match &self.first {
            None => self.first = Some(value.clone()),
            Some(first) => self.varies |= first != value,
        }
    }

    fn add_number(&mut self, number: &serde_json::Number, cx: &Context<'_>) {
        let x = number.as_f64().unwrap_or(0.0);
        self.numbers.add(x);
        match number.as_i64() {
            Some(i) => {
                self.kinds[1] += 1;
                self.counter.add(i, cx.camera);
                // After 1973 either way: small counters are not instants.
                self.epoch_ms &= i > 100_000_000_000 && (i - cx.ts_ms).abs() <= EPOCH_NEAR_MS;
                self.epoch_s &=
                    i > 100_000_000 && (i.saturating_mul(1000) - cx.ts_ms).abs() <= EPOCH_NEAR_MS;
            }
            None => {
                self.kinds[2] += 1;
                let text = format!("{x}");
                let decimals = text.find('.').map_or(0, |dot| text.len() - dot - 1);
                self.decimals = self.decimals.max(decimals);
            }
        }
    }

    fn add_string(&mut self, text: &str, ts_ms: i64) {
        self.uuids &= is_uuid(text);
        if self.formats != 0 {
            for (i, (_, pattern)) in FORMATS.iter().enumerate() {
                if self.formats & (1 << i) == 0 {
                    continue;
                }
                match NaiveDateTime::parse_from_str(text, pattern) {
                    Ok(t) => self.near &= (t.and_utc().timestamp_millis() - ts_ms).abs() <= NEAR_MS,
                    Err(_) => self.formats &= !(1 << i),
                }
            }
        }
        if self.too_many {
            return;
        }
        if let Some((_, count)) = self.strings.iter_mut().find(|(s, _)| s == text) {
            *count += 1;
        } else if self.strings.len() < MAX_VALUES {
            self.strings.push((text.to_string(), 1));
        } else {
            self.too_many = true;
            self.strings = Vec::new();
        }
    }

    /// Keeps each camera's value while it stays one (scalars only, no nulls).
    fn follow(&mut self, value: &Value, camera: usize) {
        if value.is_null() || value.is_object() || value.is_array() {
            self.follows_camera = false;
            self.by_camera = Vec::new();
            return;
        }
        if self.by_camera.len() <= camera {
            self.by_camera.resize(camera + 1, None);
        }
        match &self.by_camera[camera] {
            Some(seen) if seen != value => {
                self.follows_camera = false;
                self.by_camera = Vec::new();
            }
            Some(_) => {}
            None => self.by_camera[camera] = Some(value.clone()),
        }
    }

    /// Each camera's value, when the field is a camera attribute: present in every
    /// event, one value per camera, at least two values, and at least
    /// [`ATTRIBUTE_EVIDENCE`] events a camera on average.
    fn attribute(&self, cameras: usize) -> Option<Vec<Value>> {
        let values: Vec<Value> = self.by_camera.iter().cloned().collect::<Option<_>>()?;
        let enough = self.seen >= ATTRIBUTE_EVIDENCE * cameras as u64;
        (self.follows_camera && !self.camera && self.varies && values.len() == cameras && enough)
            .then_some(values)
    }

    /// The kinds of non-null values seen.
    fn kinds_seen(&self) -> usize {
        let mut kinds = self.kinds;
        // Integers among other numbers are numbers.
        if kinds[2] > 0 {
            kinds[1] = 0;
        }
        kinds.iter().filter(|k| **k > 0).count()
    }

    fn infer(&self, objects: u64, per_camera: bool) -> Inferred {
        let mut notes = Vec::new();
        if self.seen < objects {
            notes.push(format!(
                "present in {} of {objects} events; written in every one",
                self.seen
            ));
        }
        let first = self.first.clone().unwrap_or(Value::Null);
        let constant = || Written::Line(first.to_string());
        let (value, why) = if self.first.is_none() {
            (Written::Line("null".into()), None)
        } else if self.kinds_seen() > 1 {
            (
                constant(),
                Some("values of several types: kept as the first value seen".to_string()),
            )
        } else if self.camera && self.kinds[4] == 0 {
            (Written::Line("{gen: camera_id}".into()), None)
        } else if self.kinds[4] > 0 {
            (
                Written::Object(self.children.infer(self.kinds[4], per_camera, None)),
                None,
            )
        } else if !self.varies {
            (constant(), None)
        } else {
            self.generator(per_camera)
        };
        notes.extend(why);
        let value = match value {
            Written::Line(line) if self.nulls > 0 && line.starts_with("{gen:") => {
                let rate = self.nulls as f64 / self.seen as f64;
                Written::Line(format!(
                    "{}, null_rate: {}}}",
                    &line[..line.len() - 1],
                    round(rate, 4)
                ))
            }
            Written::Line(line) if self.nulls > 0 => {
                notes.push(format!(
                    "null in {} of {} events: not reproduced",
                    self.nulls, self.seen
                ));
                Written::Line(line)
            }
            other => other,
        };
        Inferred {
            name: String::new(),
            value,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }

    /// A varying scalar (or list) of one kind: its generator, or the first value and why.
    fn generator(&self, per_camera: bool) -> (Written, Option<String>) {
        let first = || Written::Line(self.first.clone().unwrap_or(Value::Null).to_string());
        let line = |s: String| (Written::Line(s), None);
        if self.kinds[5] > 0 {
            return (
                first(),
                Some("lists that vary: kept as the first one seen".into()),
            );
        }
        if self.kinds[0] > 0 {
            let falses = self.kinds[0] - self.trues;
            return line(format!(
                "{{gen: choice, values: [true, false], weights: [{}, {falses}]}}",
                self.trues
            ));
        }
        if self.kinds[3] > 0 {
            return self.string_generator();
        }
        let m = &self.numbers;
        if self.kinds[2] == 0 {
            if self.epoch_ms {
                return line("{gen: timestamp, format: epoch_ms}".into());
            }
            if self.epoch_s {
                return line("{gen: timestamp, format: epoch_s}".into());
            }
            if let Some(start) = self.counter.start(per_camera) {
                return line(format!("{{gen: sequence, start: {start}}}"));
            }
            if m.excess_kurtosis() < KURTOSIS_SPLIT {
                return line(format!(
                    "{{gen: int, min: {}, max: {}}}",
                    m.min as i64, m.max as i64
                ));
            }
            return line(format!(
                "{{gen: normal, mean: {}, std_dev: {}, decimals: 0}}",
                round(m.mean, 3),
                round(m.std_dev(), 3)
            ));
        }
        let decimals = self.decimals.clamp(1, 17);
        if m.excess_kurtosis() < KURTOSIS_SPLIT {
            return line(format!(
                "{{gen: float, min: {}, max: {}, decimals: {decimals}}}",
                m.min, m.max
            ));
        }
        line(format!(
            "{{gen: normal, mean: {}, std_dev: {}, decimals: {decimals}}}",
            round(m.mean, decimals as i32 + 2),
            round(m.std_dev(), decimals as i32 + 2)
        ))
    }

    fn string_generator(&self) -> (Written, Option<String>) {
        if self.uuids {
            return (Written::Line("{gen: event_id}".into()), None);
        }
        if self.formats != 0 && self.near {
            let at = self.formats.trailing_zeros() as usize;
            return (
                Written::Line(format!("{{gen: timestamp, format: {}}}", FORMATS[at].0)),
                None,
            );
        }
        if self.too_many {
            let first = self.first.clone().unwrap_or(Value::Null).to_string();
            return (
                Written::Line(first),
                Some(format!(
                    "more than {MAX_VALUES} distinct strings: kept as the first one seen"
                )),
            );
        }
        let values: Vec<String> = self
            .strings
            .iter()
            .map(|(s, _)| Value::from(s.as_str()).to_string())
            .collect();
        let weights: Vec<String> = self.strings.iter().map(|(_, c)| c.to_string()).collect();
        (
            Written::Line(format!(
                "{{gen: choice, values: [{}], weights: [{}]}}",
                values.join(", "),
                weights.join(", ")
            )),
            None,
        )
    }
}

/// Rounds to `places` decimals, printed without trailing zeros.
fn round(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

/// Whether `text` is a UUID: 8-4-4-4-12 hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}
