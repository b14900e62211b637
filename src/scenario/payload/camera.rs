//! A camera attribute (`{gen: camera, attribute: zone}`): its value for each camera of
//! the stream, every camera having it.

use serde_json::Value as Json;

use super::Checker;
use crate::scenario::diagnostics::{FieldPath, Problem, did_you_mean};

impl Checker<'_> {
    /// The values of `attribute` for every camera, in camera order.
    pub(super) fn attribute(&mut self, attribute: &str, at: &FieldPath) -> Vec<Json> {
        // Cameras that could not be read are reported already, with this check skipped.
        let Some(cameras) = self.cameras else {
            self.problems.skip(&self.stream.key("cameras"), 1);
            return Vec::new();
        };
        let Some(attributes) = self.attributes else {
            self.problems.push(
                Problem::new(
                    at,
                    format!("the stream's cameras have no attributes, so none has `{attribute}`"),
                )
                .help(
                    "list the cameras with attributes, e.g. `cameras: [{id: 1000, zone: lobby}]`",
                ),
            );
            return Vec::new();
        };
        let mut values = Vec::with_capacity(attributes.len());
        let mut lacking = Vec::new();
        let mut known: Vec<&str> = Vec::new();
        for (id, camera) in cameras.iter().zip(attributes) {
            match camera.iter().find(|(name, _)| name == attribute) {
                Some((_, value)) => values.push(value.clone()),
                None => {
                    lacking.push(id.to_string());
                    known.extend(camera.iter().map(|(n, _)| n.as_str()));
                }
            }
        }
        if !lacking.is_empty() {
            let count = lacking.len();
            let shown: Vec<String> = lacking.iter().take(5).map(|id| format!("`{id}`")).collect();
            let more = if count > 5 {
                format!(" and {} more", count - 5)
            } else {
                String::new()
            };
            known.sort_unstable();
            known.dedup();
            let help = match did_you_mean(attribute, &known) {
                Some(near) => {
                    format!("did you mean `{near}`? Otherwise give every camera `{attribute}`")
                }
                None => format!(
                    "give every camera of the stream `{attribute}`, e.g. `{{id: …, {attribute}: …}}`"
                ),
            };
            self.problems.push(
                Problem::new(
                    at,
                    format!(
                        "{} of the stream's cameras {} no attribute `{attribute}`: {}{more}",
                        count,
                        if count == 1 { "has" } else { "have" },
                        shown.join(", ")
                    ),
                )
                .help(help),
            );
        }
        values
    }
}
