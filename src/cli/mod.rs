//! The command line (clap derive). Environment variables are read here and nowhere else.
//! It describes what was asked; [`mod@crate::run`] maps it onto the pipeline.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::scenario::{Nanos, Overrides, Shard};

mod check;
mod cluster;
mod fit;
mod parse;
mod record;
mod serving;
pub use check::{LatencyArgs, Measure, ScoreArgs, VerifyArgs, VerifyOptions};
pub use cluster::ClusterArgs;
pub use fit::FitArgs;
use parse::{
    parse_duration, parse_metrics, parse_seed, parse_shard, parse_speed, parse_start, parse_window,
};
pub use record::RecordArgs;
pub use serving::{BrokerArgs, RegistryArgs};

/// Turn a YAML scenario into a deterministic, time-ordered plan of camera events and
/// replay it into Kafka, or print it with --dry-run.
#[derive(Debug, Parser)]
#[command(name = "simulate", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  simulate scenarios/default.yaml --dry-run\n  simulate scenarios/default.yaml --dry-run --format plan --start 2026-01-01T00:00:00Z\n  simulate validate scenarios/*.yaml\n  simulate schema > schemas/scenario.schema.json\n  simulate schema --event scenarios/detections.yaml\n  simulate scenarios/dirty.yaml --dry-run --truth truth.json\n  simulate truth scenarios/dirty.yaml --start 2026-01-01T00:00:00Z\n  simulate stats scenarios/mall-day.yaml\n  simulate plot scenarios/mall-day.yaml -o plan.svg\n  simulate verify scenarios/dirty.yaml -b HOST:9092 --start 2026-01-01T00:00:00Z\n  simulate score scenarios/dirty.yaml -b HOST:9092 --topic counts-per-minute --start 2026-01-01T00:00:00Z\n  simulate record -b HOST:9092 --topic events --since 2026-01-01T08:00:00Z --until 2026-01-01T09:00:00Z -o morning.jsonl\n  simulate fit morning.jsonl -o fitted.yaml\n  simulate scenarios/replay.yaml --speed 10\n  simulate broker --for scenarios/dirty.yaml\n  simulate completions bash > /etc/bash_completion.d/simulate\n  simulate man > simulate.1"
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
    /// Print the JSON Schema of scenario files (or, with --event, of event payloads;
    /// with --avro, --protobuf or --json-schema, the value schemas SCENARIO registers).
    #[command(group(clap::ArgGroup::new("described").args(["event", "avro", "protobuf", "json_schema"])))]
    Schema {
        /// Print the schema of the message value instead: of the default fields, or of
        /// SCENARIO's payloads.
        #[arg(long, conflicts_with = "truth")]
        event: bool,
        /// Print the schema of the ground-truth file (`--truth`, `simulate truth`).
        #[arg(long)]
        truth: bool,
        /// Print the Avro schemas SCENARIO's `value: {format: avro}` streams register
        /// (derived or read from their files): one schema, or an object from subject to
        /// schema.
        #[arg(long, conflicts_with_all = ["truth", "event", "protobuf", "json_schema"], requires = "scenario")]
        avro: bool,
        /// Print the `.proto` schemas SCENARIO's `value: {format: protobuf}` streams
        /// register: one file's text, or a JSON object from subject to text.
        #[arg(long, conflicts_with_all = ["truth", "event", "json_schema"], requires = "scenario")]
        protobuf: bool,
        /// Print the JSON Schemas SCENARIO's `value: {format: json_schema}` streams
        /// register: one schema, or an object from subject to schema.
        #[arg(long, conflicts_with_all = ["truth", "event"], requires = "scenario")]
        json_schema: bool,
        /// With --event, --avro, --protobuf or --json-schema: the scenario whose payloads
        /// to describe.
        #[arg(requires = "described", value_name = "SCENARIO")]
        scenario: Option<PathBuf>,
    },
    /// Work with run reports (`--report FILE`).
    #[command(subcommand)]
    Report(ReportCommand),
    /// Print the ground truth of SCENARIO's run as JSON, without sending: every fault
    /// injected and the per-window counts of clean events.
    Truth(TruthArgs),
    /// Sum up what SCENARIO plans, without sending: events per stream, topic and camera,
    /// the peak rates, gaps beside their distribution, faults, expected counts.
    Stats(StatsArgs),
    /// Draw SCENARIO's plan (or, with --report, a finished run) as one image of charts:
    /// SVG or PNG, chosen by the extension of --output.
    Plot(PlotArgs),
    /// Consume every topic SCENARIO writes and compare it, message by message, with the
    /// plan the same scenario, seed and start give: missing, duplicated, changed,
    /// unexpected messages, per-key order and partition stickiness. Exit 0 when the
    /// topics hold exactly the plan, 1 when they do not.
    Verify(VerifyArgs),
    /// Record topics into a file, one JSON object per message (kcat's `-J` envelope with
    /// headers, key and timestamp kept, bytes that are not UTF-8 as base64), between two
    /// instants or for a duration: what a scenario's `replay:` stream plays and
    /// `simulate fit` reads.
    Record(RecordArgs),
    /// Score a pipeline's per-window aggregates (read from a topic, or a file with
    /// --input) against SCENARIO's ground truth. Exit 0 when every window is within
    /// --tolerance.
    Score(ScoreArgs),
    /// Fit a scenario to a recording (or any JSON lines of events with a timestamp
    /// field): cameras, shared or per-camera arrivals, the inter-arrival distribution
    /// among the eight by maximum likelihood, a rate profile, payload generators; each
    /// choice commented with its evidence. The scenario's dry run behaves like the
    /// recording.
    Fit(FitArgs),
    /// Serve the embedded Kafka cluster (librdkafka's mock, 3 brokers, in memory) on
    /// loopback until Ctrl-C, for a pipeline to consume from: prints its bootstrap
    /// servers on stdout.
    Broker(BrokerArgs),
    /// Serve the embedded Schema Registry (a test double of Confluent's REST API, in
    /// memory) on loopback until Ctrl-C, for a pipeline to register and read schemas
    /// with: prints its URL on stdout.
    Registry(RegistryArgs),
    /// Print a completion script for SHELL, e.g.
    /// `simulate completions bash > /etc/bash_completion.d/simulate`.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `simulate man > simulate.1; man -l simulate.1`.
    Man,
}

/// `simulate report …`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the reports of the shards of one run into one: counts summed, percentiles
    /// from the merged histograms. Fails if two claim the same shard or one is missing.
    Merge {
        /// The shards' reports, e.g. shard-*.json.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Write the merged report as JSON to FILE (the summary goes to stderr).
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

/// `simulate stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// The values that replace the scenario file's.
    #[command(flatten)]
    pub replace: OverrideArgs,
}

/// `simulate plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The scenario whose plan to draw.
    #[arg(required_unless_present = "report", conflicts_with = "report")]
    pub scenario: Option<PathBuf>,
    /// Draw this run report (`--report FILE` of a run) instead: lateness and delivery
    /// latency over time and as histograms.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Where to write the image: FILE.svg or FILE.png.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The values that replace the scenario file's.
    #[command(flatten)]
    pub replace: OverrideArgs,
}

/// `simulate truth`.
#[derive(Debug, Args)]
pub struct TruthArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// The values that replace the scenario file's.
    #[command(flatten)]
    pub replace: OverrideArgs,
    /// Length of the tumbling event-time windows counted, in whole milliseconds.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_window)]
    pub truth_window: Nanos,
}

/// The options that replace a scenario file's values, shared by running and `truth`.
#[derive(Debug, Args)]
pub struct OverrideArgs {
    /// The values that change which plan is made.
    #[command(flatten)]
    pub plan: PlanArgs,

    /// Kafka topic of the streams that set none (overrides the scenario's `topic`).
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,
}

/// The values that replace a scenario file's seed, start, duration and shard.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Seed of the random streams (overrides the file's `seed`): 0 … 2⁶⁴−1.
    #[arg(long, value_name = "N", value_parser = parse_seed, allow_hyphen_values = true)]
    pub seed: Option<u64>,

    /// Instant of offset 0, RFC 3339 (overrides `start`); unset: the moment the run starts.
    #[arg(long, value_name = "RFC3339", value_parser = parse_start)]
    pub start: Option<DateTime<Utc>>,

    /// How long the scenario runs, e.g. 30s or 1h30m (overrides `duration`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub duration: Option<Nanos>,

    /// Plan only shard K of N (0-based): the cameras a stable hash of their id gives it.
    /// The N shards together send exactly the single run; they need one --start.
    /// Default: $SIMULATE_SHARD.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
}

impl OverrideArgs {
    /// The values that replace the scenario file's.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            topic: self.topic.clone(),
            ..self.plan.overrides()
        }
    }
}

impl PlanArgs {
    /// The values that replace the scenario file's (the topics stay the file's).
    pub fn overrides(&self) -> Overrides {
        Overrides {
            seed: self.seed,
            start: self.start,
            duration: self.duration,
            topic: None,
            shard: self.shard,
        }
    }
}

/// Running a scenario.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file, e.g. scenarios/default.yaml.
    pub scenario: Option<PathBuf>,

    /// Print the plan to stdout instead of sending it.
    #[arg(long, conflicts_with_all = ["bootstrap_servers", "embedded_broker", "speed", "max_speed", "properties", "properties_file", "report", "verify", "latency", "latency_topic", "metrics", "connect_timeout", "flush_timeout", "partitions", "keep_broker"])]
    pub dry_run: bool,

    /// What a dry run prints: message values, or the plan with its Kafka envelope.
    #[arg(long, value_enum, requires = "dry_run")]
    pub format: Option<DryRunFormat>,

    /// With --dry-run: print each message value as the wire carries it, in base64
    /// (values encoded by a schema framed with the placeholder schema id 0).
    #[arg(long, requires = "dry_run", conflicts_with = "format")]
    pub encoded: bool,

    /// The values that replace the scenario file's.
    #[command(flatten)]
    pub replace: OverrideArgs,

    /// Where the cluster is and how to reach it.
    #[command(flatten)]
    pub cluster: ClusterArgs,

    /// After the flush, consume every topic written and compare it with the plan, as
    /// `simulate verify` does (the run fails when the topics do not hold the plan).
    #[arg(long, help_heading = "Kafka")]
    pub verify: bool,

    /// How `--verify` reads.
    #[command(flatten)]
    pub verifying: VerifyOptions,

    /// End-to-end latency, measured by a consumer in the same process.
    #[command(flatten)]
    pub latency: LatencyArgs,

    /// Use an embedded Kafka cluster (librdkafka's mock, 3 brokers) whatever else is set;
    /// after the run the topic is read back and checked against the plan.
    #[arg(long, help_heading = "Kafka")]
    pub embedded_broker: bool,

    /// Replay N times faster than real time (timestamps stay the planned instants).
    #[arg(long, value_name = "N", value_parser = parse_speed, conflicts_with = "max_speed", allow_hyphen_values = true, help_heading = "Kafka")]
    pub speed: Option<f64>,

    /// Send as fast as the broker takes events, without pacing.
    #[arg(long, help_heading = "Kafka")]
    pub max_speed: bool,

    /// Write the ground truth of the run as JSON to FILE: every fault injected and the
    /// per-window counts a correct consumer computes (with --dry-run too).
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,

    /// Length of the tumbling event-time windows the truth counts, in whole milliseconds.
    #[arg(long, value_name = "DURATION", default_value = "1m", value_parser = parse_window, requires = "truth")]
    pub truth_window: Nanos,

    /// Serve Prometheus metrics at http://ADDR/metrics while the run goes: HOST:PORT, e.g.
    /// 127.0.0.1:9464 (this machine only), or :PORT for all interfaces (:9464 in a pod).
    #[arg(long, value_name = "ADDR", value_parser = parse_metrics, help_heading = "Kafka")]
    pub metrics: Option<String>,

    /// Write the run's report as JSON to FILE.
    #[arg(long, value_name = "FILE", help_heading = "Kafka")]
    pub report: Option<PathBuf>,

    /// How long to wait for the brokers before the schedule starts [default: 10s, and a
    /// port nobody listens on fails at once; given, refused connections are retried too,
    /// for a broker that is still starting].
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, help_heading = "Kafka")]
    pub connect_timeout: Option<Nanos>,

    /// How long to wait for outstanding deliveries at the end (and after Ctrl-C).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration, allow_hyphen_values = true, help_heading = "Kafka")]
    pub flush_timeout: Nanos,

    /// Partitions of each topic in the embedded cluster [default: 3].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(1..=1000), help_heading = "Kafka")]
    pub partitions: Option<i32>,

    /// After the run and its read-back, keep the embedded cluster serving its topics
    /// until Ctrl-C, so that a pipeline can consume them (the bootstrap servers are
    /// printed).
    #[arg(long, help_heading = "Kafka")]
    pub keep_broker: bool,

    /// No progress bar and no summary; errors only.
    #[arg(long, short)]
    pub quiet: bool,

    /// The arguments as typed (after the program name), for advice that fits them.
    #[arg(skip)]
    pub typed: Vec<String>,
}

/// What each line of a dry run holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DryRunFormat {
    /// The message value Kafka would receive, one JSON object a line.
    Values,
    /// The schedule and Kafka envelope: offset, timestamp, topic, key and value.
    Plan,
}

impl RunArgs {
    /// The values that replace the scenario file's.
    pub fn overrides(&self) -> Overrides {
        self.replace.overrides()
    }
}

/// Writes the completion script of `shell` for the whole command line to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut Cli::command(), "simulate", out);
}

/// Writes the manual page (roff) of the command line to `out`.
pub fn man(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// Parses the process's arguments and reads the environment. A usage error (or
/// `--help`, `--version`) is [`Error::Clap`], which the caller prints; a malformed
/// `SIMULATE_SHARD` is a usage error as the flag would be.
pub fn parse() -> Result<Cli, Error> {
    let typed: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if let Some(advice) = unknown_command(&typed) {
        return Err(Error::Usage(advice));
    }
    let mut cli = Cli::try_parse().map_err(Error::Clap)?;
    let cluster = match &mut cli.command {
        Some(Command::Verify(args)) => &mut args.cluster,
        Some(Command::Score(args)) => &mut args.cluster,
        Some(Command::Record(args)) => &mut args.cluster,
        _ => &mut cli.run.cluster,
    };
    cluster.read_environment();
    // SIMULATE_SHARD=K/N stands for --shard K/N (the flag wins); a malformed one is a
    // usage error, as the flag would be. Only running, `truth`, `stats` and `plot` plan a
    // shard; other commands ignore it.
    let replace = match &mut cli.command {
        Some(Command::Truth(args)) => Some(&mut args.replace.plan),
        Some(Command::Stats(args)) => Some(&mut args.replace.plan),
        Some(Command::Plot(args)) => Some(&mut args.replace.plan),
        Some(Command::Verify(args)) => Some(&mut args.replace.plan),
        Some(Command::Score(args)) => Some(&mut args.plan),
        None => Some(&mut cli.run.replace.plan),
        Some(_) => None,
    };
    if let (Some(replace), Ok(text)) = (replace, std::env::var("SIMULATE_SHARD")) {
        let shard = parse_shard(&text).map_err(|e| Error::Usage(format!("SIMULATE_SHARD: {e}")))?;
        replace.shard = replace.shard.or(Some(shard));
    }
    cli.run.typed = typed;
    Ok(cli)
}

/// "unknown command `validat`, did you mean `validate`?", when the first word typed is
/// close to a subcommand's name and is not a file (`simulate validat x.yaml` would
/// otherwise be read as the scenario `validat`).
fn unknown_command(typed: &[String]) -> Option<String> {
    let first = typed.first()?;
    if first.starts_with('-') || std::path::Path::new(first).exists() {
        return None;
    }
    let command = Cli::command();
    let mut names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
    names.push("help");
    if names.contains(&first.as_str()) {
        return None;
    }
    let near = crate::scenario::diagnostics::did_you_mean(first, &names)?;
    Some(format!(
        "unknown command `{first}`, did you mean `{near}`? (nor is there a scenario file \
         `{first}`; the commands are listed by --help)"
    ))
}

/// What to say when no scenario file was named: the command as typed, with a scenario.
pub(crate) fn no_scenario_advice(typed: &[String]) -> String {
    const EXAMPLE: &str = "scenarios/default.yaml";
    if typed.is_empty() {
        return format!(
            "no scenario file given; try `simulate {EXAMPLE}` to send it to Kafka or \
             `simulate {EXAMPLE} --dry-run` to print its events (see --help)"
        );
    }
    let words: Vec<String> = typed.iter().map(|a| shell_word(a)).collect();
    format!(
        "no scenario file given; name one, e.g. `simulate {EXAMPLE} {}`",
        words.join(" ")
    )
}

/// `word` as a shell would need it typed: quoted when it holds anything but plain characters.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}
