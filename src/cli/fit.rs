//! `simulate fit` on the command line: which recording, which fields, which output.

use std::path::PathBuf;

use clap::Args;

/// `simulate fit`.
#[derive(Debug, Args)]
pub struct FitArgs {
    /// The recording (`simulate record`'s or kcat -J's), or with --time-field any JSON
    /// lines of events.
    pub recording: PathBuf,
    /// Read plain JSON lines, one event per line, whose timestamp is this field (ms or s
    /// since the epoch, or an RFC 3339 instant); in a recording, the payload's field
    /// replaces the message timestamp.
    #[arg(long, value_name = "NAME")]
    pub time_field: Option<String>,
    /// The payload field that names the camera. Default: `camera_id` when an event has
    /// it, otherwise the message key.
    #[arg(long, value_name = "NAME")]
    pub camera_field: Option<String>,
    /// Write the scenario to FILE; without it, or with `-`, to stdout.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
