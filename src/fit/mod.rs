//! `simulate fit`: a recording → a scenario whose dry run behaves like it. The pure core,
//! no I/O: [`Fitter::add`] takes one event at a time in bounded state (a timestamp and a
//! camera index per event; field summaries, not lines), [`Fitter::fit`] decides the
//! cameras, `shared` or `per_camera` arrivals, the pick, a rate profile ([`rate`]), the
//! inter-arrival distribution among the eight ([`gaps`]) and the payload's generators
//! ([`payload`]); [`write::render`] writes the commented YAML. A recording of several
//! topics is a [`Fitter`] a topic ([`topics`]). `run/fit.rs` is the edge.

mod camera;
pub mod gaps;
mod headers;
pub mod payload;
pub mod rate;
pub(crate) mod special;
pub mod topics;
pub mod write;

use std::collections::HashMap;

use serde_json::Value;

pub use camera::CameraId;
use gaps::Candidate;
use payload::{Context, Fields, Inferred, Written};
use rate::RateTest;

/// What the command line says about the input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The payload field that names the camera (default: `camera_id` if present, else
    /// the key).
    pub camera_field: Option<String>,
    /// Whether the input carries message keys (a recording does; plain JSON lines do not).
    pub keyed: bool,
}

/// One event as the edge hands it in.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// Its timestamp, ms since the epoch.
    pub ts_ms: i64,
    /// Its topic, when recorded.
    pub topic: Option<&'a str>,
    /// Its partition, when recorded.
    pub partition: Option<i32>,
    /// Its key, when it had one.
    pub key: Option<&'a [u8]>,
    /// Its headers: name and value.
    pub headers: &'a [(String, Option<Vec<u8>>)],
    /// Its value, when it is JSON.
    pub payload: Option<&'a Value>,
    /// Whether it had a value that is not a JSON object.
    pub opaque: bool,
}

/// How the recorded keys relate to the cameras.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keys {
    /// Events without a key.
    pub absent: u64,
    /// Events whose key is the camera id's text.
    pub camera: u64,
    /// Events with another key.
    pub other: u64,
}

/// Everything read so far, in bounded state per event.
#[derive(Debug, Default)]
pub struct Fitter {
    options: Options,
    cameras: Vec<(CameraId, u64)>,
    index: HashMap<CameraId, usize>,
    events: Vec<(i64, u32)>,
    /// Per topic and partition (both absent in plain JSON lines): the last timestamp.
    last: Vec<(Option<String>, Option<i32>, i64)>,
    out_of_order: u64,
    topics: Vec<(String, u64)>,
    keys: Keys,
    with_headers: u64,
    headers: headers::Headers,
    fields: Fields,
    objects: u64,
    opaque: u64,
}

/// Whether the events are one process picking cameras, or one per camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrivals {
    /// One process for all cameras.
    Shared,
    /// One independent process per camera.
    PerCamera,
}

/// The scenario fitted to a recording, with the evidence its comments cite.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The first timestamp, ms since the epoch.
    pub start_ms: i64,
    /// The last timestamp minus the first, ms.
    pub span_ms: i64,
    /// The events read.
    pub events: usize,
    /// The events whose timestamp was before the one read before them.
    pub out_of_order: u64,
    /// The topics and their counts, most frequent first.
    pub topics: Vec<(String, u64)>,
    /// The cameras and their counts, integers first, in order.
    pub cameras: Vec<(CameraId, u64)>,
    /// The camera attributes: a name and each camera's value, in the order of `cameras`.
    pub attributes: Vec<(String, Vec<Value>)>,
    /// The arrivals chosen.
    pub arrivals: Arrivals,
    /// The KS distance of the best fit to the merged gaps and to each camera's gaps.
    pub ks_merged: f64,
    /// See [`Fitted::ks_merged`] (`None` with one camera).
    pub ks_per_camera: Option<f64>,
    /// The chi-square of the camera counts against equal shares, and its p-value.
    pub pick_test: (f64, f64),
    /// Whether the pick is weighted (by the counts).
    pub weighted: bool,
    /// Whether the events visit the cameras in turn, always in one order (a shared
    /// stream's `pick: round_robin`; the cameras are then in that order).
    pub round_robin: bool,
    /// Whether every camera of a per-camera stream sent its first event at the start
    /// (`first_event: at_start`).
    pub at_start: bool,
    /// The rate test and profile.
    pub rate: RateTest,
    /// The distributions fitted to the gaps the arrivals use, best first.
    pub candidates: Vec<Candidate>,
    /// How many gaps were fitted.
    pub gaps: usize,
    /// The keys (`None`: the input carries none).
    pub keys: Option<Keys>,
    /// Events with headers.
    pub with_headers: u64,
    /// The headers fitted: name and value as YAML flow text.
    pub headers: Vec<(String, String)>,
    /// The header names left out (not in every event, or neither a constant, a field
    /// nor the camera).
    pub headers_left: Vec<String>,
    /// The payload's fields (`None`: no JSON object payloads).
    pub payload: Option<Vec<Inferred>>,
    /// Events whose value is not a JSON object.
    pub opaque: u64,
}

/// Below this p-value the camera counts are not equal shares.
const PICK_SIGNIFICANCE: f64 = 1e-3;

impl Fitter {
    /// A fitter with nothing read.
    pub fn new(options: Options) -> Fitter {
        Fitter {
            options,
            ..Fitter::default()
        }
    }

    /// Counts `event` out of order when an earlier line of its partition (of the file,
    /// without partitions) is stamped later: partitions interleave in a recording.
    fn note_order(&mut self, event: &Event<'_>) {
        let same = |(t, p, _): &&mut (Option<String>, Option<i32>, i64)| {
            t.as_deref() == event.topic && *p == event.partition
        };
        match self.last.iter_mut().find(same) {
            Some((_, _, last)) => {
                if *last > event.ts_ms {
                    self.out_of_order += 1;
                }
                *last = (*last).max(event.ts_ms);
            }
            None => self
                .last
                .push((event.topic.map(str::to_owned), event.partition, event.ts_ms)),
        }
    }

    /// Reads one event; the error says what is wrong with it (the edge adds the line).
    pub fn add(&mut self, event: Event<'_>) -> Result<(), String> {
        let object = event.payload.and_then(Value::as_object);
        let camera = self.camera_of(&event, object)?;
        let at = match self.index.get(&camera) {
            Some(at) => *at,
            None => {
                self.index.insert(camera.clone(), self.cameras.len());
                self.cameras.push((camera.clone(), 0));
                self.cameras.len() - 1
            }
        };
        self.cameras[at].1 += 1;
        self.note_order(&event);
        self.events.push((event.ts_ms, at as u32));
        if let Some(topic) = event.topic {
            match self.topics.iter_mut().find(|(t, _)| t == topic) {
                Some((_, count)) => *count += 1,
                None => self.topics.push((topic.to_string(), 1)),
            }
        }
        match event.key {
            None => self.keys.absent += 1,
            Some(key) if key == camera.key_text().as_bytes() => self.keys.camera += 1,
            Some(_) => self.keys.other += 1,
        }
        self.with_headers += u64::from(!event.headers.is_empty());
        self.headers.add(event.headers, object, &camera);
        match object {
            Some(object) => {
                self.objects += 1;
                let cx = Context {
                    ts_ms: event.ts_ms,
                    camera: at,
                    camera_id: &camera,
                };
                self.fields.add(object, &cx);
            }
            None => self.opaque += u64::from(event.opaque || event.payload.is_some()),
        }
        Ok(())
    }

    fn camera_of(
        &self,
        event: &Event<'_>,
        object: Option<&serde_json::Map<String, Value>>,
    ) -> Result<CameraId, String> {
        if let Some(name) = &self.options.camera_field {
            let value = object.and_then(|o| o.get(name)).ok_or_else(|| {
                format!("no `{name}` field (--camera-field): every event must name its camera")
            })?;
            return CameraId::from_value(value).ok_or_else(|| {
                format!("`{name}` is {value}: a camera id is an integer or a string")
            });
        }
        if let Some(id) = object
            .and_then(|o| o.get("camera_id"))
            .and_then(CameraId::from_value)
        {
            return Ok(id);
        }
        match event.key {
            Some(key) => Ok(CameraId::from_key(key)),
            None => Err(
                "no camera: neither a `camera_id` field nor a key; name the field \
                 that holds it with --camera-field NAME"
                    .into(),
            ),
        }
    }

    /// The rate test, and the gaps in its operational time: between all events, and
    /// between each camera's (pooled).
    fn operational_gaps(&self, start_ms: i64, span_ms: i64) -> (RateTest, Vec<f64>, Vec<f64>) {
        let offsets: Vec<i64> = self.events.iter().map(|(ts, _)| ts - start_ms).collect();
        let raw: Vec<f64> = offsets.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
        let mean = raw.iter().sum::<f64>() / raw.len() as f64;
        let var = raw.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / raw.len() as f64;
        let rate = rate::test(&offsets, span_ms, var / (mean * mean));
        let operational: Vec<f64> = match &rate.profile {
            Some(profile) => offsets
                .iter()
                .map(|t| profile.operational(*t as f64))
                .collect(),
            None => offsets.iter().map(|t| *t as f64).collect(),
        };
        drop(offsets);
        let merged: Vec<f64> = operational.windows(2).map(|w| w[1] - w[0]).collect();
        let mut last = vec![None; self.cameras.len()];
        let mut per_camera = Vec::with_capacity(self.events.len());
        for ((_, camera), t) in self.events.iter().zip(&operational) {
            if let Some(before) = last[*camera as usize].replace(*t) {
                per_camera.push(t - before);
            }
        }
        drop(operational);
        (rate, merged, per_camera)
    }

    /// How many events were read.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event was read.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The first and the last timestamp read (ms), if any.
    pub fn bounds(&self) -> Option<(i64, i64)> {
        let first = self.events.iter().map(|(ts, _)| *ts).min()?;
        let last = self.events.iter().map(|(ts, _)| *ts).max()?;
        Some((first, last))
    }

    /// Fits the scenario; the error says why the events cannot be fitted.
    pub fn fit(self) -> Result<Fitted, String> {
        self.fit_within(None)
    }

    /// [`Fitter::fit`], with the stream's start and end (ms) widened to `window` when
    /// given: a stream of a recording of several topics, fitted over the whole recording.
    pub fn fit_within(mut self, window: Option<(i64, i64)>) -> Result<Fitted, String> {
        let n = self.events.len();
        if n < 3 {
            return Err(format!(
                "{n} event{}: at least 3 are needed to fit the gaps between them",
                if n == 1 { "" } else { "s" }
            ));
        }
        self.events.sort_by_key(|(ts, _)| *ts);
        let (first, last) = (self.events[0].0, self.events[n - 1].0);
        if last == first {
            return Err("every event has the same timestamp: there are no gaps to fit".into());
        }
        let (start_ms, end_ms) = window.map_or((first, last), |(s, e)| (s.min(first), e.max(last)));
        let span_ms = end_ms - start_ms;
        let (rate, merged, per_camera) = self.operational_gaps(start_ms, span_ms);
        let cycle = cycle(&self.events, self.cameras.len());
        let at_start = self.cameras.len() > 1
            && last_start(&self.events, self.cameras.len()) == Some(start_ms);
        let pick_test = pick_test(&self.cameras, n);
        let weighted = pick_test.1 < PICK_SIGNIFICANCE;
        let merged_fit = gaps::fit(&merged);
        let ks_merged = merged_fit[0].ks_d;
        let (arrivals, candidates, ks_per_camera, fitted) =
            if self.cameras.len() == 1 || per_camera.len() < 2 {
                (Arrivals::Shared, merged_fit, None, merged.len())
            } else {
                let camera_fit = gaps::fit(&per_camera);
                let ks = camera_fit[0].ks_d;
                // Cameras visited in turn for many rounds are one process picking them
                // round robin, unless each camera's gaps are a constant (heartbeats).
                let in_turn = cycle.is_some() && camera_fit[0].family != gaps::Family::Constant;
                match !weighted && !in_turn && ks < ks_merged {
                    true => (Arrivals::PerCamera, camera_fit, Some(ks), per_camera.len()),
                    false => (Arrivals::Shared, merged_fit, Some(ks), merged.len()),
                }
            };
        let per = arrivals == Arrivals::PerCamera;
        let cameras = self.cameras.len();
        let payload =
            (self.objects > 0).then(|| self.fields.infer(self.objects, per, Some(cameras)));
        self.topics
            .sort_by_key(|(_, count)| std::cmp::Reverse(*count));
        // Integers first, in order, then text: the order a reader expects; a round-robin
        // pick's cameras in the order it visits them.
        let round_robin = arrivals == Arrivals::Shared && cycle.is_some();
        let order: Vec<usize> = match cycle {
            Some(cycle) if round_robin => cycle,
            _ => {
                let mut order: Vec<usize> = (0..cameras).collect();
                order.sort_by(|a, b| self.cameras[*a].0.cmp(&self.cameras[*b].0));
                order
            }
        };
        let attributes = attributes_in(payload.as_deref(), &order);
        let (headers, headers_left) = self.headers.infer(n as u64);
        let sorted = order.iter().map(|i| self.cameras[*i].clone()).collect();
        Ok(Fitted {
            start_ms,
            span_ms,
            events: n,
            out_of_order: self.out_of_order,
            topics: self.topics,
            cameras: sorted,
            attributes,
            arrivals,
            ks_merged,
            ks_per_camera,
            pick_test,
            weighted: weighted && !round_robin,
            round_robin,
            at_start: at_start && per,
            rate,
            candidates,
            gaps: fitted,
            keys: self.options.keyed.then_some(self.keys),
            with_headers: self.with_headers,
            headers,
            headers_left,
            payload,
            opaque: self.opaque,
        })
    }
}

/// The camera attributes among the fields: each name and its values in `order`.
fn attributes_in(payload: Option<&[Inferred]>, order: &[usize]) -> Vec<(String, Vec<Value>)> {
    payload
        .into_iter()
        .flatten()
        .filter_map(|field| match &field.value {
            Written::Attribute(values) => Some((
                field.name.clone(),
                order.iter().map(|i| values[*i].clone()).collect(),
            )),
            Written::Line(_) | Written::Object(_) => None,
        })
        .collect()
}

/// The order in which events sorted by time visit the cameras, when they always visit
/// all of them in turn in one order (three rounds at least).
fn cycle(events: &[(i64, u32)], cameras: usize) -> Option<Vec<usize>> {
    if cameras < 2 || events.len() < 3 * cameras {
        return None;
    }
    let order: Vec<usize> = events[..cameras].iter().map(|(_, c)| *c as usize).collect();
    let mut seen = vec![false; cameras];
    for c in &order {
        if std::mem::replace(&mut seen[*c], true) {
            return None;
        }
    }
    let turns = events
        .iter()
        .enumerate()
        .all(|(i, (_, c))| *c as usize == order[i % cameras]);
    turns.then_some(order)
}

/// The latest of the cameras' first timestamps (events sorted by time).
fn last_start(events: &[(i64, u32)], cameras: usize) -> Option<i64> {
    let mut first = vec![None; cameras];
    let mut left = cameras;
    for (ts, c) in events {
        if first[*c as usize].is_none() {
            first[*c as usize] = Some(*ts);
            left -= 1;
            if left == 0 {
                return Some(*ts);
            }
        }
    }
    None
}

/// The chi-square of the cameras' counts against equal shares of `n`, and its p-value.
fn pick_test(cameras: &[(CameraId, u64)], n: usize) -> (f64, f64) {
    if cameras.len() < 2 {
        return (0.0, 1.0);
    }
    let expected = n as f64 / cameras.len() as f64;
    let chi: f64 = cameras
        .iter()
        .map(|(_, c)| (*c as f64 - expected).powi(2) / expected)
        .sum();
    (chi, special::chi_square_sf(chi, (cameras.len() - 1) as f64))
}

/// A timestamp field's value in ms since the epoch: an integer or number (ms, or s when
/// below 10¹¹), or an RFC 3339 or `YYYY-MM-DD HH:MM:SS[.fff]` (UTC) string.
pub fn timestamp_of(value: &Value) -> Result<i64, String> {
    const SECONDS_BELOW: f64 = 1e11;
    let wrong = || {
        format!("{value} is not a timestamp: write ms or s since the epoch, or an RFC 3339 instant")
    };
    match value {
        Value::Number(n) => {
            let x = n.as_f64().ok_or_else(wrong)?;
            let ms = if x.abs() < SECONDS_BELOW {
                x * 1000.0
            } else {
                x
            };
            (0.0..1e15)
                .contains(&ms)
                .then_some(ms.round() as i64)
                .ok_or_else(wrong)
        }
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.timestamp_millis())
            .or_else(|_| {
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                    .map(|t| t.and_utc().timestamp_millis())
            })
            .map_err(|_| wrong()),
        _ => Err(wrong()),
    }
}

#[cfg(test)]
mod tests;
