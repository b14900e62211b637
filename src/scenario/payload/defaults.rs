//! The default payload as payload values: what a stream without `payload:` sends.

use super::{DEFAULT_TIME_FORMAT, Gen, TimeFormat, Value};

/// The default payload (`event_id`, `timestamp` as `YYYY-MM-DD HH:MM:SS`, `camera_id`)
/// as payload values: what a stream without `payload:` sends, and what its derived
/// schemas describe.
pub fn default_payload() -> Vec<(String, Value)> {
    [
        ("event_id", Gen::EventId),
        (
            "timestamp",
            Gen::Timestamp(TimeFormat::Pattern(DEFAULT_TIME_FORMAT.to_string())),
        ),
        ("camera_id", Gen::CameraId),
    ]
    .into_iter()
    .map(|(name, generator)| {
        let value = Value::Generated {
            path: name.to_string(),
            generator,
            null_rate: None,
        };
        (name.to_string(), value)
    })
    .collect()
}
