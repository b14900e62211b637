//! `simulate record` on the command line: which topics, between which instants, into
//! which file.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::Args;

use super::ClusterArgs;
use super::parse::{parse_duration, parse_start};
use crate::scenario::Nanos;

/// `simulate record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// A topic to record; repeat for several (their messages interleave in the file, as
    /// they arrive).
    #[arg(long, value_name = "NAME", required = true)]
    pub topic: Vec<String>,
    /// Where the cluster is and how to reach it (the same flags as a run).
    #[command(flatten)]
    pub cluster: ClusterArgs,
    /// Record the messages whose timestamp is at or after this instant (RFC 3339): each
    /// partition is read from the offset `offsetsForTimes` gives, and older messages are
    /// skipped. Unset: from the first retained message, or with --duration alone, from
    /// what arrives after the recording starts.
    #[arg(long, value_name = "RFC3339", value_parser = parse_start)]
    pub since: Option<DateTime<Utc>>,
    /// Record the messages whose timestamp is before this instant: a partition ends at
    /// its first message at or after it. An instant still to come is waited for.
    #[arg(long, value_name = "RFC3339", value_parser = parse_start, conflicts_with = "duration")]
    pub until: Option<DateTime<Utc>>,
    /// With --since: record DURATION of message time from it (--until = --since +
    /// DURATION). Alone: record what arrives for DURATION from now, then stop.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Nanos>,
    /// Stop when nothing new has arrived for this long (once --until has passed): the
    /// end of a topic that is no longer written. A broker whose high watermarks are
    /// right ends the recording sooner, as soon as every partition is read to its end.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub idle_timeout: Nanos,
    /// Stop after this many messages.
    #[arg(long, value_name = "N")]
    pub max_messages: Option<u64>,
    /// Write the recording to FILE (one JSON object per message); without it, or with
    /// `-`, to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// No progress bar and no summary; errors only.
    #[arg(long, short)]
    pub quiet: bool,
}
