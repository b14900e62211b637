//! The `bbox` generator's frame: a width and a height in pixels for each camera of the
//! stream, given on the generator or read from the cameras' `width` and `height`
//! attributes, each a whole number from 1 to 2³²−1.

use serde_json::Value as Json;

use super::Checker;
use crate::scenario::diagnostics::{FieldPath, Problem};
use crate::scenario::model::BboxParams;

/// A camera's frame in pixels (each side at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The width.
    pub width: u32,
    /// The height.
    pub height: u32,
}

/// Which side of the frame.
#[derive(Debug, Clone, Copy)]
enum Side {
    Width,
    Height,
}

impl Side {
    const fn name(self) -> &'static str {
        match self {
            Side::Width => "width",
            Side::Height => "height",
        }
    }

    const fn example(self) -> u32 {
        match self {
            Side::Width => 1920,
            Side::Height => 1080,
        }
    }
}

/// What a size is, for the messages.
const PIXELS: &str = "a whole number of pixels from 1 to 4294967295";

impl Checker<'_> {
    /// The frame of each camera, in camera order (empty when the cameras could not be
    /// read, which is reported already).
    pub(super) fn bbox(&mut self, params: BboxParams, at: &FieldPath) -> Vec<Frame> {
        if self.cameras.is_some() && self.attributes.is_none() {
            let missing: Vec<Side> = [(params.width, Side::Width), (params.height, Side::Height)]
                .into_iter()
                .filter_map(|(given, side)| given.is_none().then_some(side))
                .collect();
            let (what, them) = match missing.as_slice() {
                [] => (String::new(), ""),
                [side] => (format!("{} is", side.name()), "it"),
                [..] => ("width and height are".to_string(), "them"),
            };
            if !missing.is_empty() {
                let example: Vec<String> = missing
                    .iter()
                    .map(|side| format!("{}: {}", side.name(), side.example()))
                    .collect();
                self.problems.push(
                    Problem::new(
                        at,
                        format!("the frame's {what} not given, and the stream's cameras have no attributes to take {them} from"),
                    )
                    .help(format!(
                        "give the frame on the generator, e.g. `{{gen: bbox, {}}}`, or list the cameras with it, e.g. `{{id: 1000, width: 1920, height: 1080}}`",
                        example.join(", ")
                    )),
                );
                return Vec::new();
            }
        }
        let widths = self.side(params.width, Side::Width, at);
        let heights = self.side(params.height, Side::Height, at);
        match (widths, heights) {
            (Some(w), Some(h)) => w
                .into_iter()
                .zip(h)
                .map(|(width, height)| Frame { width, height })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// One side for each camera: `given` for all, or each camera's attribute.
    fn side(&mut self, given: Option<i64>, side: Side, at: &FieldPath) -> Option<Vec<u32>> {
        let name = side.name();
        let example = side.example();
        if let Some(n) = given {
            let Some(size) = pixels(n) else {
                self.problems.push(
                    Problem::new(
                        &at.key(name),
                        format!("the frame's {name} must be {PIXELS}, found {n}"),
                    )
                    .help(format!("write e.g. `{name}: {example}`")),
                );
                return None;
            };
            return Some(vec![size; self.cameras?.len()]);
        }
        // Cameras that could not be read are reported already.
        let cameras = self.cameras?;
        // Reported by `bbox` when there are none.
        let attributes = self.attributes?;
        let mut sizes = Vec::with_capacity(cameras.len());
        let mut lacking = Vec::new();
        for (i, (id, camera)) in cameras.iter().zip(attributes).enumerate() {
            match camera.iter().find(|(n, _)| n == name) {
                None => lacking.push(format!("`{id}`")),
                Some((_, value)) => match value.as_i64().and_then(pixels) {
                    Some(size) => sizes.push(size),
                    None => self.problems.push(
                        Problem::new(
                            &self.stream.key("cameras").index(i).key(name),
                            format!(
                                "camera `{id}`'s {name} must be {PIXELS} for `gen: bbox`, found {}",
                                shown(value)
                            ),
                        )
                        .help(format!("write e.g. `{name}: {example}`")),
                    ),
                },
            }
        }
        if !lacking.is_empty() {
            let count = lacking.len();
            let more = if count > 5 {
                format!(" and {} more", count - 5)
            } else {
                String::new()
            };
            lacking.truncate(5);
            self.problems.push(
                Problem::new(
                    at,
                    format!(
                        "the frame's {name} is not given and {count} of the stream's cameras {} no attribute `{name}`: {}{more}",
                        if count == 1 { "has" } else { "have" },
                        lacking.join(", ")
                    ),
                )
                .help(format!(
                    "give every camera of the stream `{name}`, e.g. `{{id: 1000, {name}: {example}}}`, or the frame on the generator: `{{gen: bbox, {name}: {example}}}`"
                )),
            );
        }
        (sizes.len() == cameras.len()).then_some(sizes)
    }
}

/// `n` as a size, if it is one.
fn pixels(n: i64) -> Option<u32> {
    u32::try_from(n).ok().filter(|&n| n > 0)
}

/// A value as a message shows it: its JSON.
fn shown(value: &Json) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
