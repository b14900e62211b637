//! A stream's payload, key and headers compiled into programs: literal bytes (names,
//! punctuation, constants) between the values drawn for each event. A ten-field payload
//! is a handful of copies and draws per event.
//!
//! Values are written as JSON (the message value), or as text (a key, a header): a
//! string's text has no quotes, a number's is its JSON, and an object's or a list's is
//! its JSON.

use serde_json::Value as Json;

use super::context::{Clock, Context, Mode, write_camera_json, write_camera_text};
use super::number::{write_fixed, write_shortest};
use crate::plan::Event;
use crate::plan::payload::{Draws, span};
use crate::plan::random::field_key;
use crate::scenario::model::{FloatParams, IntParams, NormalParams};
use crate::scenario::payload::{Frame, Gen, Value};

/// A compiled value: literal bytes between drawn values.
#[derive(Debug, Clone, Default)]
pub(super) struct Program {
    literal: Vec<u8>,
    ops: Vec<Op>,
    /// The indices in `ops` of the values with a range (for `out_of_range`).
    ranged: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Op {
    /// `literal[from..to]`.
    Literal(u32, u32),
    /// A value drawn for each event.
    Value {
        field: u64,
        kind: Kind,
        mode: Mode,
        /// The value's path in the payload.
        path: Box<str>,
        /// With `null_rate`: the key of the null draws and the rate.
        null: Option<(u64, f64)>,
    },
}

/// A JSON value prepared in both forms.
#[derive(Debug, Clone)]
struct Both {
    json: Box<[u8]>,
    text: Box<[u8]>,
}

/// Appends `value` as JSON, its numbers as this crate prints numbers (never with an
/// exponent: serde_json would write `1e21`).
fn write_json(out: &mut Vec<u8>, value: &Json) {
    match value {
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes()),
            (_, Some(u), _) => out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes()),
            (_, _, Some(x)) => write_shortest(out, x),
            _ => out.extend_from_slice(n.to_string().as_bytes()),
        },
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, item);
            }
            out.push(b']');
        }
        Json::Object(fields) => {
            out.push(b'{');
            for (i, (name, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let _ = serde_json::to_writer(&mut *out, name);
                out.push(b':');
                write_json(out, item);
            }
            out.push(b'}');
        }
        Json::Null | Json::Bool(_) | Json::String(_) => {
            let _ = serde_json::to_writer(&mut *out, value);
        }
    }
}

impl Both {
    fn of(value: &Json) -> Both {
        let mut json = Vec::new();
        write_json(&mut json, value);
        let text = match value {
            Json::String(s) => s.as_bytes().to_vec(),
            _ => json.clone(),
        };
        Both {
            json: json.into(),
            text: text.into(),
        }
    }

    fn get(&self, mode: Mode) -> &[u8] {
        match mode {
            Mode::Json => &self.json,
            Mode::Text => &self.text,
        }
    }
}

#[derive(Debug, Clone)]
enum Kind {
    EventId,
    /// A timestamp written by the clock in this slot of the context.
    Timestamp(usize),
    CameraId,
    /// The attribute's value for each camera, in camera order.
    Camera(Box<[Both]>),
    Choice {
        values: Box<[Both]>,
        /// Running sums of the weights; `None`: uniform.
        cumulative: Option<Box<[f64]>>,
    },
    Float(FloatParams),
    Int(IntParams),
    Normal(NormalParams),
    Sequence(i64),
    Bbox {
        /// Each camera's frame, in camera order.
        frames: Box<[Frame]>,
        /// The keys of the draws of the width, x, height and y.
        keys: [u64; 4],
    },
    /// The entity's id (`<stream>-<n>`).
    EntityId,
    /// The visit's track id.
    TrackId,
    /// An entity attribute: drawn as `kind` with the key `field`, for the entity.
    Entity {
        field: u64,
        kind: Box<Kind>,
    },
}

impl Kind {
    /// Whether its values have a range a value can fall outside of (`out_of_range`).
    const fn has_range(&self) -> bool {
        match self {
            Kind::Float(_) | Kind::Int(_) | Kind::Sequence(_) | Kind::Bbox { .. } => true,
            Kind::EventId
            | Kind::Timestamp(_)
            | Kind::CameraId
            | Kind::Camera(_)
            | Kind::Choice { .. }
            | Kind::Normal(_)
            | Kind::EntityId
            | Kind::TrackId
            | Kind::Entity { .. } => false,
        }
    }
}

impl Program {
    /// Compiles `value` written in `mode` (objects and lists are always JSON); the
    /// timestamps' clocks are added to `clocks`.
    pub fn compile(value: &Value, mode: Mode, clocks: &mut Vec<Clock>) -> Program {
        let mut program = Program::default();
        program.value(value, mode, clocks);
        program
    }

    /// Compiles an object's fields.
    pub fn object(fields: &[(String, Value)], clocks: &mut Vec<Clock>) -> Program {
        let mut program = Program::default();
        program.fields(fields, clocks);
        program
    }

    fn literal(&mut self, bytes: &[u8]) {
        let from = self.literal.len() as u32;
        self.literal.extend_from_slice(bytes);
        let to = self.literal.len() as u32;
        // Adjacent literals become one copy.
        if let Some(Op::Literal(_, end)) = self.ops.last_mut() {
            if *end == from {
                *end = to;
                return;
            }
        }
        self.ops.push(Op::Literal(from, to));
    }

    fn fields(&mut self, fields: &[(String, Value)], clocks: &mut Vec<Clock>) {
        self.literal(b"{");
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                self.literal(b",");
            }
            let name = serde_json::to_vec(name).unwrap_or_default();
            self.literal(&name);
            self.literal(b":");
            self.value(value, Mode::Json, clocks);
        }
        self.literal(b"}");
    }

    fn value(&mut self, value: &Value, mode: Mode, clocks: &mut Vec<Clock>) {
        match value {
            Value::Constant(json) => self.literal(Both::of(json).get(mode)),
            Value::Object(fields) => self.fields(fields, clocks),
            Value::Array(items) => {
                self.literal(b"[");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.literal(b",");
                    }
                    self.value(item, Mode::Json, clocks);
                }
                self.literal(b"]");
            }
            Value::Generated {
                path,
                generator,
                null_rate,
            } => {
                let kind = kind_of(generator, path, clocks);
                if kind.has_range() {
                    self.ranged.push(self.ops.len());
                }
                // No payload path holds a NUL: the null draws are apart from all others.
                let null = null_rate.map(|rate| (field_key(&format!("{path}\0null")), rate));
                self.ops.push(Op::Value {
                    field: field_key(path),
                    kind,
                    mode,
                    path: path.as_str().into(),
                    null,
                });
            }
        }
    }

    /// Appends the value for `event`.
    #[inline]
    pub fn write(&self, out: &mut Vec<u8>, event: &Event, context: &mut Context<'_>) {
        for op in &self.ops {
            match op {
                Op::Literal(from, to) => {
                    out.extend_from_slice(&self.literal[*from as usize..*to as usize]);
                }
                Op::Value {
                    field,
                    kind,
                    mode,
                    null,
                    ..
                } => {
                    if is_null(*null, event) {
                        out.extend_from_slice(b"null");
                        continue;
                    }
                    write_value(out, kind, *mode, draws(*field, event), event, context);
                }
            }
        }
    }

    /// Appends the value for `event` with one value that has a range written outside
    /// it (the `out_of_range` malformation), picked by `pick`, and returns that value's
    /// path (`bbox.w` for a box's width); without such a value, the good value and `None`.
    pub fn write_out_of_range(
        &self,
        out: &mut Vec<u8>,
        event: &Event,
        context: &mut Context<'_>,
        pick: u32,
    ) -> Option<String> {
        if self.ranged.is_empty() {
            self.write(out, event, context);
            return None;
        }
        let n = self.ranged.len();
        let chosen = self.ranged[pick as usize % n];
        // Above the range or below it, from the rest of the pick.
        let high = (pick as usize / n) % 2 == 0;
        let mut touched = None;
        for (i, op) in self.ops.iter().enumerate() {
            match op {
                Op::Literal(from, to) => {
                    out.extend_from_slice(&self.literal[*from as usize..*to as usize]);
                }
                Op::Value {
                    field,
                    kind,
                    mode,
                    path,
                    null,
                } => {
                    if i == chosen {
                        let part = write_outside(out, kind, event, high);
                        touched = Some(format!("{path}{part}"));
                    } else if is_null(*null, event) {
                        out.extend_from_slice(b"null");
                    } else {
                        write_value(out, kind, *mode, draws(*field, event), event, context);
                    }
                }
            }
        }
        touched
    }
}

/// What a generator compiles to; a timestamp's clock is added to `clocks`.
fn kind_of(generator: &Gen, path: &str, clocks: &mut Vec<Clock>) -> Kind {
    match generator {
        Gen::EventId => Kind::EventId,
        Gen::CameraId => Kind::CameraId,
        Gen::Timestamp(format) => {
            clocks.push(Clock::new(format));
            Kind::Timestamp(clocks.len() - 1)
        }
        Gen::Camera(values) => Kind::Camera(values.iter().map(Both::of).collect()),
        Gen::Choice { values, weights } => Kind::Choice {
            values: values.iter().map(Both::of).collect(),
            cumulative: weights.as_ref().map(|w| {
                w.iter()
                    .scan(0.0, |sum, w| {
                        *sum += w;
                        Some(*sum)
                    })
                    .collect()
            }),
        },
        &Gen::Float(params) => Kind::Float(params),
        &Gen::Int(params) => Kind::Int(params),
        &Gen::Normal(params) => Kind::Normal(params),
        &Gen::Sequence { start } => Kind::Sequence(start),
        Gen::Bbox(frames) => Kind::Bbox {
            frames: frames.clone().into(),
            keys: ["w", "x", "h", "y"].map(|c| field_key(&format!("{path}\0{c}"))),
        },
        Gen::EntityId => Kind::EntityId,
        Gen::TrackId => Kind::TrackId,
        Gen::Entity {
            attribute,
            generator,
        } => Kind::Entity {
            field: crate::plan::entity::ids::attribute_key(attribute),
            kind: Box::new(kind_of(generator, &format!("entity\0{attribute}"), clocks)),
        },
    }
}

/// The draws of the value with key `field` for `event`.
#[inline(always)]
fn draws(field: u64, event: &Event) -> Draws {
    Draws {
        process: event.process,
        field,
        seq: event.seq,
    }
}

/// Whether a value with `null` (its null draws' key and rate) is null for `event`.
#[inline]
fn is_null(null: Option<(u64, f64)>, event: &Event) -> bool {
    null.is_some_and(|(key, rate)| draws(key, event).is_null(rate))
}

/// A box for `event` in `frame`: (x, y, w, h).
fn bbox(keys: &[u64; 4], frame: Frame, event: &Event) -> [u32; 4] {
    let [w, x, h, y] = keys.map(|k| draws(k, event));
    let (x, w) = span(w, x, frame.width);
    let (y, h) = span(h, y, frame.height);
    [x, y, w, h]
}

/// Appends a box as `{"x":…,"y":…,"w":…,"h":…}`.
fn write_bbox(out: &mut Vec<u8>, [x, y, w, h]: [u64; 4]) {
    let mut digits = itoa::Buffer::new();
    for (i, (name, n)) in [("x", x), ("y", y), ("w", w), ("h", h)]
        .into_iter()
        .enumerate()
    {
        out.extend_from_slice(if i == 0 { b"{\"" } else { b",\"" });
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        out.extend_from_slice(digits.format(n).as_bytes());
    }
    out.push(b'}');
}

/// Appends a value of `kind` outside its range (`high`: above it, where it has an upper
/// end) and returns what to add to its path to name the number (`.w`, `.h` of a box).
fn write_outside(out: &mut Vec<u8>, kind: &Kind, event: &Event, high: bool) -> &'static str {
    let mut digits = itoa::Buffer::new();
    match kind {
        &Kind::Int(IntParams { min, max }) => {
            let x = if high { i128::from(max) + 1 } else { i128::from(min) - 1 };
            out.extend_from_slice(digits.format(x).as_bytes());
        }
        &Kind::Float(FloatParams { min, max, decimals }) => {
            number(out, float_outside(min, max, high), decimals);
        }
        &Kind::Sequence(start) => {
            out.extend_from_slice(digits.format(i128::from(start) - 1).as_bytes());
        }
        Kind::Bbox { frames, keys } => {
            let frame = frames[event.camera as usize];
            let [x, y, w, h] = bbox(keys, frame, event).map(u64::from);
            // One past the frame's right edge, or its bottom edge.
            return if high {
                write_bbox(out, [x, y, u64::from(frame.width) - x + 1, h]);
                ".w"
            } else {
                write_bbox(out, [x, y, w, u64::from(frame.height) - y + 1]);
                ".h"
            };
        }
        Kind::EventId
        | Kind::Timestamp(_)
        | Kind::CameraId
        | Kind::Camera(_)
        | Kind::Choice { .. }
        | Kind::EntityId
        | Kind::TrackId
        | Kind::Entity { .. }
        // Never picked: these have no range.
        | Kind::Normal(_) => {}
    }
    ""
}

/// A number outside [min, max] (finite, `min ≤ max`, finite width), at least 1 beyond
/// an end so that rounding to whole decimals keeps it outside: above by preference when
/// `high`, below otherwise, the other side when that one would not be finite.
fn float_outside(min: f64, max: f64, high: bool) -> f64 {
    let d = (max - min).max(1.0);
    let (first, second) = if high {
        (max + d, min - d)
    } else {
        (min - d, max + d)
    };
    [first, second, f64::MAX, -f64::MAX]
        .into_iter()
        .find(|x| x.is_finite() && (*x > max || *x < min))
        .unwrap_or(f64::MAX)
}

#[inline]
fn write_value(
    out: &mut Vec<u8>,
    kind: &Kind,
    mode: Mode,
    draws: Draws,
    event: &Event,
    context: &mut Context<'_>,
) {
    match kind {
        Kind::EventId => {
            let id = context.event_id(event);
            quoted(out, mode, &id);
        }
        Kind::Timestamp(slot) => {
            let instant = context.instant(event);
            context.clocks[*slot].write(out, mode, instant);
        }
        Kind::CameraId => {
            let camera = context.camera(event);
            match mode {
                Mode::Json => write_camera_json(out, camera, false),
                Mode::Text => write_camera_text(out, camera),
            }
        }
        Kind::Camera(values) => out.extend_from_slice(values[event.camera as usize].get(mode)),
        Kind::Choice { values, cumulative } => {
            let i = match cumulative {
                Some(cumulative) => draws.weighted(cumulative),
                None => draws.below(values.len() as u64) as usize,
            };
            out.extend_from_slice(values[i].get(mode));
        }
        &Kind::Float(FloatParams { min, max, decimals }) => {
            number(out, draws.float(min, max), decimals);
        }
        &Kind::Int(IntParams { min, max }) => {
            out.extend_from_slice(itoa::Buffer::new().format(draws.int(min, max)).as_bytes());
        }
        &Kind::Normal(NormalParams {
            mean,
            std_dev,
            decimals,
        }) => number(out, draws.normal(mean, std_dev), decimals),
        &Kind::Sequence(start) => {
            let mut digits = itoa::Buffer::new();
            let text = match i64::try_from(event.seq)
                .ok()
                .and_then(|s| start.checked_add(s))
            {
                Some(n) => digits.format(n),
                // Past i64: in i128, where start + seq cannot overflow.
                None => digits.format(i128::from(start) + i128::from(event.seq)),
            };
            out.extend_from_slice(text.as_bytes());
        }
        Kind::Bbox { frames, keys } => {
            let frame = frames[event.camera as usize];
            write_bbox(out, bbox(keys, frame, event).map(u64::from));
        }
        Kind::EntityId => {
            let mut digits = itoa::Buffer::new();
            let n = digits.format(crate::plan::entity::ids::entity_of(event.seq));
            if mode == Mode::Json {
                let _ = serde_json::to_writer(&mut *out, context.stream_name(event));
                out.pop();
            } else {
                out.extend_from_slice(context.stream_name(event).as_bytes());
            }
            out.push(b'-');
            out.extend_from_slice(n.as_bytes());
            if mode == Mode::Json {
                out.push(b'"');
            }
        }
        Kind::TrackId => {
            use crate::plan::entity::ids::{entity_of, track_id, visit_of};
            let id = track_id(event.process, entity_of(event.seq), visit_of(event.seq));
            out.extend_from_slice(itoa::Buffer::new().format(id).as_bytes());
        }
        Kind::Entity { field, kind } => {
            let entity = crate::plan::entity::ids::attribute_event(event);
            let entity_draws = Draws {
                process: entity.process,
                field: *field,
                seq: entity.seq,
            };
            write_value(out, kind, mode, entity_draws, &entity, context);
        }
    }
}

fn number(out: &mut Vec<u8>, x: f64, decimals: Option<u32>) {
    match decimals {
        Some(d) => write_fixed(out, x, d),
        None => write_shortest(out, x),
    }
}

/// Text that needs no JSON escaping, quoted in JSON mode.
fn quoted(out: &mut Vec<u8>, mode: Mode, text: &[u8]) {
    match mode {
        Mode::Json => {
            out.push(b'"');
            out.extend_from_slice(text);
            out.push(b'"');
        }
        Mode::Text => out.extend_from_slice(text),
    }
}

#[cfg(test)]
mod tests {
    use super::float_outside;

    /// A number outside the range is found even when one side of it is not finite, and
    /// rounding to whole numbers keeps it outside.
    #[test]
    fn floats_outside_their_range_are_finite_and_outside() {
        for (min, max) in [
            (0.5, 1.0),
            (0.0, 0.0),
            (-1e300, 1e300),
            (0.0, f64::MAX),
            (-f64::MAX, 0.0),
            (-f64::MAX / 2.0, f64::MAX / 2.0),
        ] {
            for high in [true, false] {
                let x = float_outside(min, max, high);
                assert!(x.is_finite() && (x > max || x < min), "{min} {max}: {x}");
                assert!(x.round() > max || x.round() < min, "{min} {max}: {x}");
            }
        }
        assert_eq!(float_outside(0.5, 1.0, true), 2.0);
        assert_eq!(float_outside(0.5, 1.0, false), -0.5);
    }
}
