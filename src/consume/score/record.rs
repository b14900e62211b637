//! One record of a pipeline's output, read: a JSON object with a window start, an
//! optional group and a count (each a top-level field, or a path such as
//! `window.start`). The window start is RFC 3339 text, epoch milliseconds or epoch
//! seconds, told apart by the value itself (text that parses as an instant; a number of
//! at least 10¹¹ is milliseconds, as 10¹¹ seconds lie past the year 5000 and 10¹¹
//! milliseconds in 1973); a date and time without an offset is read as UTC. A record
//! that does not fit says why, for the summary.

use chrono::DateTime;
use serde::Serialize;
use serde_json::Value;

/// The first epoch number read as milliseconds: smaller ones are seconds.
const MS_FROM: f64 = 1e11;

/// How a record wrote its window start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WindowFormat {
    /// RFC 3339 text, e.g. `2026-01-01T00:05:00Z`.
    Rfc3339,
    /// A date and time without an offset, read as UTC (as the payload's default
    /// `timestamp` writes it), e.g. `2026-01-01 00:05:00`.
    Utc,
    /// A number of milliseconds since the epoch (a JSON number or digits in a string).
    EpochMs,
    /// A number of seconds since the epoch.
    EpochS,
}

impl WindowFormat {
    /// How the summary names it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            WindowFormat::Rfc3339 => "RFC 3339",
            WindowFormat::Utc => "date and time without an offset, read as UTC",
            WindowFormat::EpochMs => "epoch milliseconds",
            WindowFormat::EpochS => "epoch seconds",
        }
    }

    /// How the report names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            WindowFormat::Rfc3339 => "rfc3339",
            WindowFormat::Utc => "utc_without_offset",
            WindowFormat::EpochMs => "epoch_ms",
            WindowFormat::EpochS => "epoch_s",
        }
    }
}

/// The fields a record's parts are in.
#[derive(Debug, Clone)]
pub(crate) struct Fields {
    /// The window start's field.
    pub window: String,
    /// The group's field; `None`: one count per window.
    pub group: Option<String>,
    /// The count's field.
    pub count: String,
}

/// One record, read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Record {
    /// The window's start in milliseconds since the epoch.
    pub window_ms: i64,
    /// How it was written.
    pub format: WindowFormat,
    /// The group as text (a number's decimal digits, a string's content); empty when
    /// there is no group field.
    pub group: String,
    /// The count.
    pub count: f64,
}

/// Reads a record's value bytes; the error says what does not fit, for people.
pub(crate) fn parse(value: &[u8], fields: &Fields) -> Result<Record, String> {
    let json: Value = serde_json::from_slice(value).map_err(|e| {
        // serde's position is within the record; the caller says where the record is.
        let text = e.to_string();
        let why = text
            .rfind(" at line ")
            .map_or(text.as_str(), |cut| &text[..cut]);
        format!("not JSON ({why})")
    })?;
    let Value::Object(object) = json else {
        return Err(format!("not a JSON object but {}", kind(&json)));
    };
    let field = |name: &str| lookup(&object, name).ok_or_else(|| format!("no field `{name}`"));
    let (window_ms, format) = window(field(&fields.window)?)
        .ok_or_else(|| format!("`{}` is not a window start", fields.window))?;
    let group = match &fields.group {
        None => String::new(),
        Some(name) => {
            group(field(name)?).ok_or_else(|| format!("`{name}` is not a string or a number"))?
        }
    };
    let count = field(&fields.count)?
        .as_f64()
        .ok_or_else(|| format!("`{}` is not a number", fields.count))?;
    Ok(Record {
        window_ms,
        format,
        group,
        count,
    })
}

/// The field `name` of `object`: a top-level field of that name, or else a path of
/// nested objects' fields (`window.start`), as windowed aggregates are often written.
fn lookup<'v>(object: &'v serde_json::Map<String, Value>, name: &str) -> Option<&'v Value> {
    if let Some(value) = object.get(name) {
        return Some(value);
    }
    let (first, rest) = name.split_once('.')?;
    match object.get(first)? {
        Value::Object(inner) => lookup(inner, rest),
        _ => None,
    }
}

/// A date and time without an offset (`2026-01-01 00:05:00`, `2026-01-01T00:05:00.250`),
/// as UTC, in ms since the epoch.
fn utc_without_offset(text: &str) -> Option<i64> {
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .map(|at| at.and_utc().timestamp_millis())
}

/// A window start in ms since the epoch and how it was written, if it is one.
pub(crate) fn window(value: &Value) -> Option<(i64, WindowFormat)> {
    let number = match value {
        Value::String(text) => match DateTime::parse_from_rfc3339(text.trim()) {
            Ok(at) => return Some((at.timestamp_millis(), WindowFormat::Rfc3339)),
            Err(_) => match utc_without_offset(text.trim()) {
                Some(ms) => return Some((ms, WindowFormat::Utc)),
                None => text.trim().parse::<f64>().ok()?,
            },
        },
        Value::Number(n) => n.as_f64()?,
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => return None,
    };
    if !number.is_finite() {
        return None;
    }
    if number.abs() >= MS_FROM {
        Some((number.round() as i64, WindowFormat::EpochMs))
    } else {
        Some(((number * 1000.0).round() as i64, WindowFormat::EpochS))
    }
}

/// A group as text: a string's content or a number's digits.
fn group(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => None,
    }
}

/// What kind of JSON value a non-object is.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(group: Option<&str>) -> Fields {
        Fields {
            window: "window_start".into(),
            group: group.map(String::from),
            count: "count".into(),
        }
    }

    #[test]
    fn the_three_window_formats_are_told_apart_by_their_values() {
        let at = 1_767_225_900_000; // 2026-01-01T00:05:00Z
        let cases = [
            (r#""2026-01-01T00:05:00Z""#, WindowFormat::Rfc3339),
            (r#""2026-01-01T01:05:00+01:00""#, WindowFormat::Rfc3339),
            (r#""2026-01-01 00:05:00Z""#, WindowFormat::Rfc3339),
            ("1767225900000", WindowFormat::EpochMs),
            (r#""1767225900000""#, WindowFormat::EpochMs),
            ("1767225900", WindowFormat::EpochS),
            ("1767225900.0", WindowFormat::EpochS),
            (r#""2026-01-01 00:05:00""#, WindowFormat::Utc),
            (r#""2026-01-01T00:05:00.000""#, WindowFormat::Utc),
        ];
        for (text, format) in cases {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(window(&value), Some((at, format)), "{text}");
        }
        for text in [r#""yesterday""#, "null", "true", "[1]", r#"{"a":1}"#] {
            assert_eq!(window(&serde_json::from_str(text).unwrap()), None, "{text}");
        }
    }

    #[test]
    fn a_record_gives_its_window_group_and_count() {
        let got = parse(
            br#"{"window_start": 1767225600, "camera_id": 1001, "count": 57}"#,
            &fields(Some("camera_id")),
        );
        assert_eq!(
            got,
            Ok(Record {
                window_ms: 1_767_225_600_000,
                format: WindowFormat::EpochS,
                group: "1001".into(),
                count: 57.0,
            })
        );
        let zone = parse(
            br#"{"window_start": "2026-01-01T00:00:00Z", "zone": "lobby", "count": 2.5}"#,
            &fields(Some("zone")),
        )
        .unwrap();
        assert_eq!((zone.group.as_str(), zone.count), ("lobby", 2.5));
        let all = parse(
            br#"{"window_start": 1767225600000, "count": 3}"#,
            &fields(None),
        );
        assert_eq!(all.unwrap().group, "");
        let nested = Fields {
            window: "window.start".into(),
            group: Some("key.camera".into()),
            count: "count".into(),
        };
        let value =
            br#"{"window": {"start": 1767225600000}, "key": {"camera": "c-1"}, "count": 4}"#;
        let got = parse(value, &nested).unwrap();
        assert_eq!(
            (got.window_ms, got.group.as_str()),
            (1_767_225_600_000, "c-1")
        );
    }

    #[test]
    fn a_record_that_does_not_fit_says_why() {
        let cases: [(&[u8], &str); 7] = [
            (b"{not json", "not JSON"),
            (b"[1, 2]", "not a JSON object but an array"),
            (
                br#"{"camera_id": 1, "count": 1}"#,
                "no field `window_start`",
            ),
            (
                br#"{"window_start": "soon", "camera_id": 1, "count": 1}"#,
                "`window_start` is not a window start",
            ),
            (
                br#"{"window_start": 1767225600, "count": 1}"#,
                "no field `camera_id`",
            ),
            (
                br#"{"window_start": 1767225600, "camera_id": [1], "count": 1}"#,
                "`camera_id` is not a string or a number",
            ),
            (
                br#"{"window_start": 1767225600, "camera_id": 1, "count": "7"}"#,
                "`count` is not a number",
            ),
        ];
        for (value, why) in cases {
            let got = parse(value, &fields(Some("camera_id"))).unwrap_err();
            assert!(
                got.starts_with(why),
                "{got:?} for {:?}",
                String::from_utf8_lossy(value)
            );
        }
    }
}
