//! A camera id as a recording gives it: from the message key or a payload field, an
//! integer when it is one.

use serde_json::Value;

/// A camera id as the data gives it: integers stay integers (and sort before text).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CameraId {
    /// An integer id.
    Int(i64),
    /// Any other id, as text.
    Text(String),
}

impl CameraId {
    /// The id a message key gives: an integer when the key is one, written plainly.
    pub fn from_key(key: &[u8]) -> CameraId {
        let text = String::from_utf8_lossy(key).into_owned();
        match text.parse::<i64>() {
            Ok(i) if i.to_string() == text => CameraId::Int(i),
            _ => CameraId::Text(text),
        }
    }

    /// The id a payload field gives: an integer or a string.
    pub fn from_value(value: &Value) -> Option<CameraId> {
        match value {
            Value::Number(n) => n.as_i64().map(CameraId::Int),
            Value::String(s) => Some(CameraId::Text(s.clone())),
            _ => None,
        }
    }

    /// Whether a payload value is this id.
    pub fn equals(&self, value: &Value) -> bool {
        match (self, value) {
            (CameraId::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
            (CameraId::Text(s), Value::String(t)) => s == t,
            _ => false,
        }
    }

    /// The id as YAML (a JSON string for text).
    pub fn yaml(&self) -> String {
        match self {
            CameraId::Int(i) => i.to_string(),
            CameraId::Text(s) => Value::from(s.as_str()).to_string(),
        }
    }

    /// The id as a message key's text.
    pub(crate) fn key_text(&self) -> String {
        match self {
            CameraId::Int(i) => i.to_string(),
            CameraId::Text(s) => s.clone(),
        }
    }
}
