//! A camera id as the truth writes it: an integer or a string, as the scenario has it.
//! (Its own file, so that the truth's sections name it without naming one another.)

use schemars::JsonSchema;
use serde::Serialize;

use crate::scenario::model::CameraId;

/// A camera id as JSON: an integer or a string, as written in the scenario.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CameraJson {
    /// An integer id.
    Int(i64),
    /// A string id.
    Text(String),
}

impl From<&CameraId> for CameraJson {
    fn from(id: &CameraId) -> Self {
        match id {
            CameraId::Int(n) => CameraJson::Int(*n),
            CameraId::Text(s) => CameraJson::Text(s.clone()),
        }
    }
}
