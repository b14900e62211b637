//! The command line (clap derive). Environment variables are read here and nowhere else.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

use crate::scenario::{Nanos, Overrides, duration};
use crate::sink::stdout::Format;

/// Turn a YAML scenario into a deterministic, time-ordered plan of camera events and
/// replay it into Kafka, or print it with --dry-run.
#[derive(Debug, Parser)]
#[command(name = "simulate", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  simulate scenarios/default.yaml --dry-run\n  simulate scenarios/default.yaml --dry-run --format plan --start 2026-01-01T00:00:00Z\n  simulate validate scenarios/*.yaml\n  simulate schema > schemas/scenario.schema.json"
)]
pub struct Cli {
    /// A subcommand; without one, run the scenario.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options for running a scenario.
    #[command(flatten)]
    pub run: RunArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check scenario files and report every problem in each.
    Validate {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the JSON Schema of scenario files (or, with --event, of event payloads).
    Schema {
        /// Print the schema of the event payload instead.
        #[arg(long)]
        event: bool,
    },
}

/// Running a scenario.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file, e.g. scenarios/default.yaml.
    pub scenario: Option<PathBuf>,

    /// Print the plan to stdout instead of sending it.
    #[arg(long)]
    pub dry_run: bool,

    /// What a dry run prints: message values, or the plan with its Kafka envelope.
    #[arg(long, value_enum, requires = "dry_run")]
    pub format: Option<Format>,

    /// Seed of the random streams (overrides the file's `seed`).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Instant of offset 0, RFC 3339 (overrides `start`); unset: the moment the run starts.
    #[arg(long, value_name = "RFC3339", value_parser = parse_start)]
    pub start: Option<DateTime<Utc>>,

    /// How long the scenario runs, e.g. 30s or 1h30m (overrides `duration`).
    #[arg(long, value_name = "DURATION", value_parser = duration::parse)]
    pub duration: Option<Nanos>,

    /// Kafka topic (overrides `topic`).
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
}

impl RunArgs {
    /// The values that replace the scenario file's.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            start: self.start,
            duration: self.duration,
            topic: self.topic.clone(),
        }
    }
}

fn parse_start(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}; write e.g. 2026-01-01T00:00:00Z"))
}

/// Parses the process's arguments; on a usage error clap prints it and exits with 2.
pub fn parse() -> Cli {
    Cli::parse()
}
