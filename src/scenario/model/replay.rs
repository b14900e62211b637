//! `replay:` as a file writes it: a stream whose events are the messages of a recording
//! (`simulate record`, or `kcat -C -J`), played on their recorded timing.

use schemars::JsonSchema;

/// A recording played as a stream, in place of `inter_arrival`: each recorded message is
/// one event, at its recorded gap from the first; the value is sent byte for byte.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ReplayFile {
    /// The recording, one JSON message per line (`simulate record -o FILE`, or `kcat -C
    /// -J`), relative to the scenario file.
    pub file: String,
    /// `original` (the default): the recorded gaps, the first message at the scenario's
    /// start; `{scale: 0.5}`: every gap times 0.5.
    pub timing: Option<Timing>,
    /// How many times the recording is played back to back (default 1); the gap at each
    /// seam is the recording's mean gap.
    #[serde(rename = "loop")]
    pub loops: Option<u64>,
    /// What is kept as recorded besides the value: any of `key`, `headers`, `partition`
    /// (default: all three). What is not kept is not sent (no key, no headers, the
    /// producer's partitioner).
    pub keep: Option<Vec<Kept>>,
    /// `planned` (the default): the Kafka timestamp (and `timestamp_field`) is the
    /// message's new instant; `recorded`: the timestamp recorded.
    pub timestamps: Option<ReplayTimestamps>,
    /// A top-level field of JSON values rewritten to the new instant (with `timestamps:
    /// planned`), in the format it was recorded in (detected from the first message).
    pub timestamp_field: Option<String>,
}

impl ReplayFile {
    /// The keys `replay` may have.
    pub const FIELDS: &'static [&'static str] = &[
        "file",
        "timing",
        "loop",
        "keep",
        "timestamps",
        "timestamp_field",
    ];
}

/// How the recorded gaps are played.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[serde(untagged)]
pub enum Timing {
    /// `original`: the recorded gaps.
    Named(TimingName),
    /// `{scale: F}`: every recorded gap times F (positive).
    Scaled(Scale),
}

named! {
    /// A timing given by name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum TimingName {
        /// The recorded gaps, to the millisecond the timestamps carry.
        Original => "original",
    }
}

/// Every recorded gap times `scale`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Scale {
    /// The factor on every gap: 0.5 plays twice as fast, 2 half as fast.
    pub scale: f64,
}

named! {
    /// What a replay keeps as recorded.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
    pub enum Kept {
        /// The recorded key (also the camera that outages and shards go by).
        Key => "key",
        /// The recorded headers, in order.
        Headers => "headers",
        /// The recorded partition.
        Partition => "partition",
    }
}

named! {
    /// Which timestamp a replayed message carries.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
    pub enum ReplayTimestamps {
        /// The message's new instant.
        Planned => "planned",
        /// The timestamp it was recorded with.
        Recorded => "recorded",
    }
}
