//! The command line (clap derive). Environment variables are read here and nowhere else.
//! It describes what was asked; [`mod@crate::run`] maps it onto the pipeline.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::scenario::model::KafkaFile;
use crate::scenario::{Nanos, Overrides, Shard, duration};

mod serving;
pub use serving::{BrokerArgs, RegistryArgs};

/// Turn a YAML scenario into a deterministic, time-ordered plan of camera events and
/// replay it into Kafka, or print it with --dry-run.
#[derive(Debug, Parser)]
#[command(name = "simulate", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  simulate scenarios/default.yaml --dry-run\n  simulate scenarios/default.yaml --dry-run --format plan --start 2026-01-01T00:00:00Z\n  simulate validate scenarios/*.yaml\n  simulate schema > schemas/scenario.schema.json\n  simulate schema --event scenarios/detections.yaml\n  simulate scenarios/dirty.yaml --dry-run --truth truth.json\n  simulate truth scenarios/dirty.yaml --start 2026-01-01T00:00:00Z\n  simulate stats scenarios/mall-day.yaml\n  simulate plot scenarios/mall-day.yaml -o plan.svg\n  simulate broker --for scenarios/dirty.yaml\n  simulate completions bash > /etc/bash_completion.d/simulate\n  simulate man > simulate.1"
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
    /// Seed of the random streams (overrides the file's `seed`): 0 … 2⁶⁴−1.
    #[arg(long, value_name = "N", value_parser = parse_seed, allow_hyphen_values = true)]
    pub seed: Option<u64>,

    /// Instant of offset 0, RFC 3339 (overrides `start`); unset: the moment the run starts.
    #[arg(long, value_name = "RFC3339", value_parser = parse_start)]
    pub start: Option<DateTime<Utc>>,

    /// How long the scenario runs, e.g. 30s or 1h30m (overrides `duration`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub duration: Option<Nanos>,

    /// Kafka topic of the streams that set none (overrides the scenario's `topic`).
    #[arg(long, value_name = "NAME")]
    pub topic: Option<String>,

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
            seed: self.seed,
            start: self.start,
            duration: self.duration,
            topic: self.topic.clone(),
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
    #[arg(long, conflicts_with_all = ["bootstrap_servers", "embedded_broker", "speed", "max_speed", "properties", "properties_file", "report", "metrics", "connect_timeout", "flush_timeout", "partitions", "keep_broker"])]
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

    /// Kafka brokers, host:port[,host:port…] (default: $KAFKA_BOOTSTRAP_SERVERS, then the
    /// scenario's kafka.bootstrap_servers, then an embedded cluster).
    #[arg(long, short = 'b', value_name = "LIST", help_heading = "Kafka")]
    pub bootstrap_servers: Option<String>,

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

    /// A librdkafka producer property, e.g. -X compression.type=lz4 or
    /// -X sasl.password=@/run/secrets/kafka-password (@FILE: read the value from FILE).
    /// Repeatable; wins over SIMULATE_X_* variables, -F and the scenario's kafka.properties.
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = parse_property, help_heading = "Kafka")]
    pub properties: Vec<(String, String)>,

    /// A librdkafka/Java-style properties file of key=value lines, as kcat -F (e.g. the
    /// client.properties Confluent Cloud hands out); SIMULATE_X_* variables and -X win
    /// over it. A value @FILE, here or in -X, is read from FILE.
    #[arg(short = 'F', long, value_name = "FILE", help_heading = "Kafka")]
    pub properties_file: Option<PathBuf>,

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

    /// The Schema Registry that values encoded by a schema are registered with (default:
    /// $SCHEMA_REGISTRY_URL, then the scenario's schema_registry.url, then, with the
    /// embedded cluster, an embedded registry).
    #[arg(long, value_name = "URL", help_heading = "Kafka")]
    pub schema_registry: Option<String>,

    /// KAFKA_BOOTSTRAP_SERVERS, read once at start-up.
    #[arg(skip)]
    pub env_bootstrap_servers: Option<String>,

    /// SCHEMA_REGISTRY_URL, read once at start-up.
    #[arg(skip)]
    pub env_schema_registry: Option<String>,

    /// SIMULATE_X_* variables (a property each: SIMULATE_X_SASL_PASSWORD sets
    /// sasl.password), read once at start-up.
    #[arg(skip)]
    pub env_properties: Vec<(String, String)>,

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

/// Parses one `-X key=value`; the properties simulate sets itself are refused here.
fn parse_property(text: &str) -> Result<(String, String), String> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not key=value, e.g. -X compression.type=lz4"))?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("`{text}` has no property name"));
    }
    if let Some(instead) = KafkaFile::managed(key) {
        return Err(format!("`{key}` is set by simulate: {instead}"));
    }
    Ok((key.to_string(), value.trim().to_string()))
}

/// A duration value: `--duration -1s` reaches the duration parser (which says negative
/// durations are not allowed), while an option where the value should be is named.
fn parse_duration(text: &str) -> Result<Nanos, String> {
    if text.starts_with("--") {
        return Err(format!(
            "expected a duration such as `30s`, found the option `{text}`"
        ));
    }
    duration::parse(text)
}

/// A truth window: a positive whole number of milliseconds.
fn parse_window(text: &str) -> Result<Nanos, String> {
    let window = parse_duration(text)?;
    if window.0 == 0 || window.0 % 1_000_000 != 0 {
        return Err(format!(
            "`{text}` is not a positive whole number of milliseconds; use e.g. 1m or 500ms"
        ));
    }
    Ok(window)
}

fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 => Ok(s),
        _ => Err(format!(
            "`{text}` is not a positive number; use e.g. --speed 10, or --max-speed"
        )),
    }
}

/// An RFC 3339 instant, or `next:PERIOD`: the next whole multiple of PERIOD since the Unix
/// epoch after now (`next:1m`, the next whole minute), which shards launched within one
/// period all compute alike. The clock is read here, at the edge.
fn parse_start(text: &str) -> Result<DateTime<Utc>, String> {
    if let Some(period) = text.strip_prefix("next:") {
        let period = duration::parse(period)?.0;
        return next_multiple(Utc::now(), period)
            .ok_or_else(|| format!("`{text}`: the period must be positive, e.g. next:1m"));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "`{text}` is not an RFC 3339 instant ({e}); write a date, time and zone such \
                 as 2026-01-01T00:00:00Z or 2026-01-01T09:30:00+01:00, or next:PERIOD such \
                 as next:1m (the next whole minute)"
            )
        })
}

/// A seed: a whole number from 0 to 2⁶⁴−1 (`--seed -1` reaches here, to say so).
fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse().map_err(|_| {
        format!(
            "`{text}` is not a seed: seeds are whole numbers from 0 to {} (2⁶⁴−1)",
            u64::MAX
        )
    })
}

/// `--metrics`: `HOST:PORT`, or `:PORT` for every interface (as Prometheus exporters
/// take it), as the address to bind.
fn parse_metrics(text: &str) -> Result<String, String> {
    let forms = "give HOST:PORT, e.g. 127.0.0.1:9464 (this machine only), or :PORT, e.g. \
                 :9464 (all interfaces)";
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("`{text}` is not an address; {forms}"))?;
    if port.parse::<u16>().is_err() {
        return Err(format!(
            "`{text}`: `{port}` is not a port (0 … 65535); {forms}"
        ));
    }
    Ok(match host {
        "" => format!("0.0.0.0:{port}"),
        _ => text.to_string(),
    })
}

/// The first whole multiple of `period_ns` since the epoch strictly after `now`.
fn next_multiple(now: DateTime<Utc>, period_ns: u64) -> Option<DateTime<Utc>> {
    let period = i128::from(period_ns);
    if period == 0 {
        return None;
    }
    let now_ns =
        i128::from(now.timestamp()) * 1_000_000_000 + i128::from(now.timestamp_subsec_nanos());
    let next = (now_ns.div_euclid(period) + 1) * period;
    let secs = i64::try_from(next.div_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, next.rem_euclid(1_000_000_000) as u32)
}

/// `K/N`: shard K of N ([`Shard`]'s one parser).
fn parse_shard(text: &str) -> Result<Shard, String> {
    text.parse()
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
    cli.run.env_bootstrap_servers = std::env::var("KAFKA_BOOTSTRAP_SERVERS").ok();
    cli.run.env_schema_registry = std::env::var("SCHEMA_REGISTRY_URL").ok();
    cli.run.env_properties = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k.starts_with(crate::sink::kafka::properties::ENV_PREFIX))
        .collect();
    // SIMULATE_SHARD=K/N stands for --shard K/N (the flag wins); a malformed one is a
    // usage error, as the flag would be. Only running, `truth`, `stats` and `plot` plan a
    // shard; other commands ignore it.
    let replace = match &mut cli.command {
        Some(Command::Truth(args)) => Some(&mut args.replace),
        Some(Command::Stats(args)) => Some(&mut args.replace),
        Some(Command::Plot(args)) => Some(&mut args.replace),
        None => Some(&mut cli.run.replace),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `next:P` is the first multiple of P after now, so launches within one period
    /// agree, and a launch exactly on a boundary moves to the next one.
    #[test]
    fn next_start_is_the_next_whole_period() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let minute = 60_000_000_000;
        let next = at("2026-01-01T10:01:00Z");
        assert_eq!(
            next_multiple(at("2026-01-01T10:00:00.001Z"), minute),
            Some(next)
        );
        assert_eq!(
            next_multiple(at("2026-01-01T10:00:59.999Z"), minute),
            Some(next)
        );
        assert_eq!(
            next_multiple(at("2026-01-01T10:00:00Z"), minute),
            Some(next)
        );
        assert_eq!(next_multiple(next, 0), None);
    }

    #[test]
    fn properties_parse_and_managed_keys_are_refused() {
        assert_eq!(
            parse_property("acks=all"),
            Ok(("acks".into(), "all".into()))
        );
        assert_eq!(parse_property("a.b=x=y"), Ok(("a.b".into(), "x=y".into())));
        assert!(parse_property("acks").is_err());
        assert!(parse_property("=1").is_err());
        assert!(
            parse_property("bootstrap.servers=x:1")
                .unwrap_err()
                .contains("--bootstrap-servers")
        );
        let refused = parse_property("delivery.report.only.error=true").unwrap_err();
        assert!(refused.contains("leave it unset"), "{refused}");
    }
}
