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
use crate::plan::payload::Draws;
use crate::plan::random::field_key;
use crate::scenario::model::{FloatParams, IntParams, NormalParams};
use crate::scenario::payload::{Gen, Value};

/// A compiled value: literal bytes between drawn values.
#[derive(Debug, Clone, Default)]
pub(super) struct Program {
    literal: Vec<u8>,
    ops: Vec<Op>,
}

#[derive(Debug, Clone)]
enum Op {
    /// `literal[from..to]`.
    Literal(u32, u32),
    /// A value drawn for each event.
    Value { field: u64, kind: Kind, mode: Mode },
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
            Value::Generated { path, generator } => {
                let kind = match generator {
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
                };
                self.ops.push(Op::Value {
                    field: field_key(path),
                    kind,
                    mode,
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
                Op::Value { field, kind, mode } => {
                    let draws = Draws {
                        process: event.process,
                        field: *field,
                        seq: event.seq,
                    };
                    write_value(out, kind, *mode, draws, event, context);
                }
            }
        }
    }
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
