//! A `replay:` stream: its recording (read by `scenario/recorded.rs`) becomes plain data
//! the planner walks: each message's offset in one pass, its camera (its key), how
//! often the recording loops and what is kept as recorded.
//!
//! The offsets are the recorded gaps (times `timing.scale`) from the first message, made
//! strictly increasing by a nanosecond where two messages share a millisecond, so that
//! the plan's order is total; the camera of a message is its key (integer ids when the
//! key is an integer's text), so outages and shards go by key.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::scenario::diagnostics::{FieldPath, Problem, Problems};
use crate::scenario::limits;
use crate::scenario::model::{
    CameraId, Kept, ReplayFile, ReplayTimestamps, TimeFormatName, Timing,
};
use crate::scenario::payload::TimeFormat;
use crate::scenario::recorded::{Message, Recording, Recordings};

/// A validated replay: what the planner and the renderer need of a recording.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// The recording, its messages in timestamp order.
    pub recording: Arc<Recording>,
    /// Per message, its offset in one pass, in ns: strictly increasing, from 0.
    pub offsets: Vec<u64>,
    /// Per message, the position of its camera (its key) in the stream's cameras.
    pub cameras_of: Vec<u32>,
    /// From the start of one pass to the start of the next: the last offset plus the
    /// mean gap.
    pub period: u64,
    /// How many passes (at least 1).
    pub loops: u64,
    /// Whether the recorded key is sent.
    pub keep_key: bool,
    /// Whether the recorded headers are sent.
    pub keep_headers: bool,
    /// Whether each message goes to its recorded partition.
    pub keep_partition: bool,
    /// Which timestamp the messages carry.
    pub timestamps: ReplayTimestamps,
    /// The top-level JSON field rewritten to the new instant, and its format.
    pub timestamp_field: Option<(String, TimeFormat)>,
}

impl Replay {
    /// The recorded message the event with sequence number `seq` plays.
    pub fn message(&self, seq: u64) -> Message<'_> {
        let n = self.recording.len() as u64;
        self.recording.message((seq % n) as usize)
    }

    /// The offset of the event with sequence number `seq`, and its camera; `None` past
    /// the last pass.
    pub fn event(&self, seq: u64) -> Option<(u64, u32)> {
        let n = self.offsets.len() as u64;
        let (pass, i) = (seq / n, (seq % n) as usize);
        if pass >= self.loops {
            return None;
        }
        let offset = pass
            .checked_mul(self.period)?
            .checked_add(self.offsets[i])?;
        Some((offset, self.cameras_of[i]))
    }

    /// The highest partition a message is sent to as recorded; `None` when partitions are
    /// not kept (or none was recorded).
    pub fn highest_partition(&self) -> Option<i32> {
        if !self.keep_partition {
            return None;
        }
        self.recording
            .messages()
            .filter_map(|m| m.partition())
            .max()
    }

    /// How long all passes last: the last message's offset.
    pub fn length(&self) -> u64 {
        let last = self.offsets.last().copied().unwrap_or(0);
        (self.loops - 1)
            .saturating_mul(self.period)
            .saturating_add(last)
    }
}

/// A replay's checks need the recordings read, the run's end and where to put problems.
pub(super) struct Checked {
    /// The replay.
    pub(super) replay: Replay,
    /// The stream's cameras: the recording's keys, in order of first appearance.
    pub(super) cameras: Vec<CameraId>,
    /// The mean gap in ns (at least 1): the stream's typical gap.
    pub(super) mean_gap: u64,
}

/// Checks `raw` (at `at`, the stream's `replay`) against its recording.
pub(super) fn replay(
    raw: ReplayFile,
    recordings: &Recordings,
    horizon: u64,
    at: &FieldPath,
    (problems, warnings): (&mut Problems, &mut Problems),
) -> Option<Checked> {
    let before = problems.len();
    let scale = match raw.timing {
        None | Some(Timing::Named(_)) => 1.0,
        Some(Timing::Scaled(s)) => {
            if !(s.scale.is_finite() && s.scale > 0.0 && s.scale <= 1e6) {
                problems.push(
                    Problem::new(
                        &at.key("timing").key("scale"),
                        format!(
                            "the scale must be a positive number up to 1000000; found {}",
                            s.scale
                        ),
                    )
                    .help("0.5 plays every gap twice as fast, 2 half as fast"),
                );
            }
            s.scale
        }
    };
    let loops = raw.loops.unwrap_or(1);
    if loops == 0 {
        problems.push(
            Problem::new(&at.key("loop"), "`loop` must be at least 1")
                .help("the number of passes: 1 plays the recording once"),
        );
    }
    let kept = keep(raw.keep, &at.key("keep"), problems);
    let timestamps = raw.timestamps.unwrap_or(ReplayTimestamps::Planned);
    if raw.timestamp_field.is_some() && timestamps == ReplayTimestamps::Recorded {
        problems.push(
            Problem::new(
                &at.key("timestamp_field"),
                "`timestamp_field` rewrites a field to the planned instant: it needs `timestamps: planned`",
            )
            .help("remove it, or set `timestamps: planned`"),
        );
    }
    let recording = match recordings.get(&raw.file) {
        Some(Ok(recording)) => recording.clone(),
        Some(Err(message)) => {
            problems.push(Problem::new(&at.key("file"), message.clone()).help(
                "the path is relative to the scenario file; `simulate record -b HOST:9092 --topic T -o FILE` makes one",
            ));
            return None;
        }
        // Read by `recorded::read_all` for every replay the file names.
        None => return None,
    };
    let timestamp_field = raw.timestamp_field.and_then(|field| {
        let format = detect_format(&recording, &field, &at.key("timestamp_field"), problems)?;
        Some((field, format))
    });
    let (cameras, cameras_of) = cameras(&recording);
    if cameras.len() as u64 > limits::MAX_CAMERAS {
        problems.push(Problem::new(
            &at.key("file"),
            format!(
                "the recording has {} keys (cameras); the limit is {}",
                cameras.len(),
                limits::MAX_CAMERAS
            ),
        ));
    }
    if problems.len() > before {
        return None;
    }
    let stamps: Vec<i64> = recording.messages().map(|m| m.ts()).collect();
    let (offsets, mean_gap) = offsets(&stamps, scale);
    let last = offsets.last().copied().unwrap_or(0);
    let replay = Replay {
        recording,
        offsets,
        cameras_of,
        period: last.saturating_add(mean_gap),
        loops,
        keep_key: kept.contains(&Kept::Key),
        keep_headers: kept.contains(&Kept::Headers),
        keep_partition: kept.contains(&Kept::Partition),
        timestamps,
        timestamp_field,
    };
    warn(&replay, horizon, at, warnings);
    Some(Checked {
        replay,
        cameras,
        mean_gap,
    })
}

/// What is kept as recorded: `keep`, each at most once; all three when not given.
fn keep(raw: Option<Vec<Kept>>, at: &FieldPath, problems: &mut Problems) -> Vec<Kept> {
    let Some(kept) = raw else {
        return Kept::ALL.to_vec();
    };
    for (i, k) in kept.iter().enumerate() {
        if kept[..i].contains(k) {
            problems.push(
                Problem::new(&at.index(i), format!("`{}` is listed twice", k.name()))
                    .help("list each of `key`, `headers`, `partition` at most once"),
            );
        }
    }
    kept
}

/// Legal but probably not meant: messages out of order in the file, a replay the run's
/// duration cuts short.
fn warn(replay: &Replay, horizon: u64, at: &FieldPath, warnings: &mut Problems) {
    let total = replay.recording.len();
    if replay.recording.out_of_order > 0 {
        warnings.push(Problem::new(
            &at.key("file"),
            format!(
                "{} of the recording's {total} messages have a timestamp before one earlier on their partition: they are replayed in timestamp order",
                replay.recording.out_of_order
            ),
        ));
    }
    if replay.length() >= horizon {
        let n = replay.offsets.len() as u64;
        let planned = (0..n.saturating_mul(replay.loops))
            .take_while(|&seq| replay.event(seq).is_some_and(|(t, _)| t < horizon))
            .count() as u64;
        let all = n.saturating_mul(replay.loops);
        warnings.push(
            Problem::new(
                &at.key("file"),
                format!(
                    "the replay lasts {}, longer than the duration: {planned} of its {all} messages are planned",
                    crate::scenario::Nanos(replay.length().saturating_add(1))
                ),
            )
            .help("raise `duration` to play all of it"),
        );
    }
}

/// The stream's cameras (each key once, in order of first appearance; a message without
/// a key is the camera `""`), and each message's camera position.
fn cameras(recording: &Recording) -> (Vec<CameraId>, Vec<u32>) {
    let mut positions: BTreeMap<&[u8], u32> = BTreeMap::new();
    let mut cameras = Vec::new();
    let cameras_of = recording
        .messages()
        .map(|m| {
            let key = m.key().unwrap_or(b"");
            *positions.entry(key).or_insert_with(|| {
                cameras.push(camera_of(key));
                (cameras.len() - 1) as u32
            })
        })
        .collect();
    (cameras, cameras_of)
}

/// A key as a camera id: an integer when it is an integer's text, as written.
fn camera_of(key: &[u8]) -> CameraId {
    let text = String::from_utf8_lossy(key);
    match text.parse::<i64>() {
        Ok(n) if n.to_string() == text => CameraId::Int(n),
        _ => CameraId::Text(text.into_owned()),
    }
}

/// Each message's offset in ns from the first (its gap times `scale`, and at least 1 ns
/// after the one before), and the mean gap (at least 1 ns).
fn offsets(stamps: &[i64], scale: f64) -> (Vec<u64>, u64) {
    let first = stamps.first().copied().unwrap_or(0);
    let mut previous: Option<u64> = None;
    let offsets: Vec<u64> = stamps
        .iter()
        .map(|ts| {
            let ns = ((ts - first) as f64 * 1e6 * scale).round();
            let ns = if ns >= u64::MAX as f64 {
                u64::MAX / 2
            } else {
                ns as u64
            };
            let t = match previous {
                Some(p) => ns.max(p + 1),
                None => ns,
            };
            previous = Some(t);
            t
        })
        .collect();
    let span = stamps.last().copied().unwrap_or(0) - first;
    let mean = if stamps.len() > 1 {
        span as f64 * 1e6 * scale / (stamps.len() - 1) as f64
    } else {
        1e9 * scale
    };
    (offsets, (mean.round() as u64).max(1))
}

/// The format of the timestamp in `field`, read from the first message whose JSON value
/// has it at the top level.
fn detect_format(
    recording: &Recording,
    field: &str,
    at: &FieldPath,
    problems: &mut Problems,
) -> Option<TimeFormat> {
    let found = recording.messages().find_map(|m| {
        let value = m.payload()?;
        let span = crate::recording::field_span(value, field)?;
        Some(value[span].to_vec())
    });
    let Some(text) = found else {
        problems.push(
            Problem::new(
                at,
                format!(
                    "no message of {} has a top-level field `{field}`",
                    recording.file
                ),
            )
            .help(
                "name a top-level field of the recorded JSON values, or remove `timestamp_field`",
            ),
        );
        return None;
    };
    let format = format_of(&text);
    if format.is_none() {
        problems.push(
            Problem::new(
                at,
                format!(
                    "cannot tell the timestamp format of `{field}` from {}",
                    String::from_utf8_lossy(&text)
                ),
            )
            .help("known: RFC 3339 (with or without milliseconds or microseconds), `YYYY-MM-DD HH:MM:SS`, epoch milliseconds or seconds"),
        );
    }
    format
}

/// The format a recorded timestamp (a JSON value's text) is written in.
fn format_of(text: &[u8]) -> Option<TimeFormat> {
    let text = std::str::from_utf8(text).ok()?;
    if let Ok(n) = text.parse::<i64>() {
        return Some(TimeFormat::Named(if n >= 100_000_000_000 {
            TimeFormatName::EpochMs
        } else {
            TimeFormatName::EpochS
        }));
    }
    let inner = text.strip_prefix('"')?.strip_suffix('"')?;
    let fits = |pattern: &str| chrono::NaiveDateTime::parse_from_str(inner, pattern).is_ok();
    let b = inner.as_bytes();
    if b.len() == 19 && fits("%Y-%m-%d %H:%M:%S") {
        return Some(TimeFormat::Pattern("%Y-%m-%d %H:%M:%S".into()));
    }
    if chrono::DateTime::parse_from_rfc3339(inner).is_err() || !inner.ends_with('Z') {
        return None;
    }
    Some(match b.len() {
        20 => TimeFormat::Named(TimeFormatName::Rfc3339),
        24 => TimeFormat::Named(TimeFormatName::Rfc3339Ms),
        27 => TimeFormat::Pattern("%Y-%m-%dT%H:%M:%S%.6fZ".into()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_formats_are_told_apart() {
        let named = |n| Some(TimeFormat::Named(n));
        assert_eq!(format_of(b"1767254400123"), named(TimeFormatName::EpochMs));
        assert_eq!(format_of(b"1767254400"), named(TimeFormatName::EpochS));
        assert_eq!(
            format_of(b"\"2026-01-01T08:00:00Z\""),
            named(TimeFormatName::Rfc3339)
        );
        assert_eq!(
            format_of(b"\"2026-01-01T08:00:00.250Z\""),
            named(TimeFormatName::Rfc3339Ms)
        );
        assert_eq!(
            format_of(b"\"2026-01-01 08:00:00\""),
            Some(TimeFormat::Pattern("%Y-%m-%d %H:%M:%S".into()))
        );
        assert_eq!(
            format_of(b"\"2026-01-01T08:00:00.250123Z\""),
            Some(TimeFormat::Pattern("%Y-%m-%dT%H:%M:%S%.6fZ".into()))
        );
        assert_eq!(format_of(b"\"yesterday\""), None);
        assert_eq!(format_of(b"true"), None);
    }

    #[test]
    fn offsets_keep_the_gaps_and_stay_strictly_increasing() {
        let messages = [1000, 1000, 1003, 1010];
        let (offsets, mean) = offsets(&messages, 1.0);
        assert_eq!(offsets, [0, 1, 3_000_000, 10_000_000]);
        assert_eq!(mean, 3_333_333);
        let (half, _) = super::offsets(&messages, 0.5);
        assert_eq!(half, [0, 1, 1_500_000, 5_000_000]);
    }

    #[test]
    fn integer_keys_are_integer_cameras() {
        assert_eq!(camera_of(b"1000"), CameraId::Int(1000));
        assert_eq!(camera_of(b"0100"), CameraId::Text("0100".into()));
        assert_eq!(camera_of(b"cam-1"), CameraId::Text("cam-1".into()));
        assert_eq!(camera_of(b""), CameraId::Text(String::new()));
    }
}
