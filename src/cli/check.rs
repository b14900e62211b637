//! The other side of the pipe on the command line: `simulate verify`, `simulate score`
//! and a run's `--verify` and `--latency` options.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::parse::{parse_duration, parse_window};
use super::{ClusterArgs, OverrideArgs, PlanArgs};
use crate::scenario::Nanos;

/// How a verification reads the topics (`simulate verify`, a run's `--verify`).
#[derive(Debug, Args)]
pub struct VerifyOptions {
    /// Stop reading when nothing new has arrived for this long (the plan's last
    /// message ends a verification sooner; after the flush, `--latency` waits as long
    /// for the messages it has not seen yet).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration, help_heading = "Verify")]
    pub idle_timeout: Nanos,

    /// Fail on unexpected messages too (from before the start, or another run).
    #[arg(long, help_heading = "Verify")]
    pub strict: bool,
}

/// `simulate verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The scenario whose plan the topics should hold.
    pub scenario: PathBuf,
    /// The values that replace the scenario file's (the start the run used above all).
    #[command(flatten)]
    pub replace: OverrideArgs,
    /// Where the cluster is and how to reach it (the same flags as the run).
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// How to read.
    #[command(flatten)]
    pub options: VerifyOptions,
    /// Read every partition from its first message, instead of from the offsets the
    /// start's timestamp gives.
    #[arg(long, help_heading = "Verify")]
    pub from_beginning: bool,
    /// Write the verification as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// No summary; errors only (the exit code says the verdict).
    #[arg(long, short)]
    pub quiet: bool,
}

/// What a pipeline's output counts, compared with the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Measure {
    /// Clean events per window (and group: camera, or a camera attribute such as zone).
    Count,
    /// Distinct entities seen per window and camera (entity streams).
    Entities,
    /// Entities present per zone at the window's end (entity streams).
    Occupancy,
}

/// `simulate score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The scenario whose ground truth scores the pipeline.
    pub scenario: PathBuf,
    /// The values that replace the scenario file's (the run's start above all).
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Where the cluster is and how to reach it (the same flags as the run).
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// The pipeline's output topic.
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "input",
        conflicts_with = "input"
    )]
    pub topic: Option<String>,
    /// Read the pipeline's output from FILE (JSON lines) instead of a topic.
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// The field holding the window's start: RFC 3339, epoch milliseconds or epoch
    /// seconds (detected).
    #[arg(long, value_name = "NAME", default_value = "window_start")]
    pub window_field: String,
    /// The field holding the group (a camera id, or a camera attribute such as a zone);
    /// unset: one count per window over all cameras.
    #[arg(long, value_name = "NAME")]
    pub group_field: Option<String>,
    /// What the group field holds: `camera` (camera ids) or the name of a camera
    /// attribute (e.g. zone: the truth summed over each zone's cameras). Default: the
    /// attribute named like the group field if the cameras have one, else camera ids
    /// (zones for --measure occupancy).
    #[arg(long, value_name = "camera|ATTRIBUTE", requires = "group_field")]
    pub group_by: Option<String>,
    /// The field holding the count.
    #[arg(long, value_name = "NAME", default_value = "count")]
    pub count_field: String,
    /// The scenario's topic the pipeline reads (default: every topic the scenario
    /// writes): only its events are in the truth scored against.
    #[arg(long, value_name = "NAME")]
    pub source_topic: Option<String>,
    /// What the count is.
    #[arg(long, value_enum, default_value = "count")]
    pub measure: Measure,
    /// Accept a window whose count is off by at most N.
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    pub tolerance: f64,
    /// Length of the pipeline's tumbling windows.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_window)]
    pub truth_window: Nanos,
    /// Read the topic from its first message (default: from the start's timestamp).
    #[arg(long)]
    pub from_beginning: bool,
    /// Stop reading the topic when nothing new has arrived for this long.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub idle_timeout: Nanos,
    /// Write the score as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// No summary; errors only (the exit code says the verdict).
    #[arg(long, short)]
    pub quiet: bool,
}

/// A run's end-to-end latency measurement.
#[derive(Debug, Args)]
pub struct LatencyArgs {
    /// Measure end-to-end latency: a consumer in this process reads the scenario's
    /// topics, and each message's consume time minus its send time is recorded.
    #[arg(long, help_heading = "Latency")]
    pub latency: bool,
    /// Measure through a pipeline instead: read its output topic NAME and match each
    /// message to a sent one by --latency-field.
    #[arg(
        long,
        value_name = "NAME",
        requires = "latency_field",
        help_heading = "Latency"
    )]
    pub latency_topic: Option<String>,
    /// The JSON field whose value ties an output message to the sent one (e.g. event_id).
    #[arg(
        long,
        value_name = "NAME",
        requires = "latency_topic",
        help_heading = "Latency"
    )]
    pub latency_field: Option<String>,
}

impl LatencyArgs {
    /// Whether the run measures latency at all.
    pub fn wanted(&self) -> bool {
        self.latency || self.latency_topic.is_some()
    }
}
