//! `simulate record`, assembled: the consumer configured as a run's would be, the
//! output opened before anything is read, Ctrl-C wired to stop after the last whole
//! line, a progress bar on a terminal and the summary on stderr.

use crate::cli::RecordArgs;
use crate::error::Error;

/// `simulate record`: exit 0 when the recording ended as asked (an interrupted one is
/// still a valid file, with exit code 130).
#[cfg(feature = "kafka")]
pub(super) fn record_command(args: &RecordArgs) -> Result<u8, Error> {
    use std::io::Write;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};

    use crate::consume::record::summary::Summary;
    use crate::consume::record::{self, End, Failure, Request};
    use crate::scenario::validate::Kafka;

    let window = window(args)?;
    let (servers, properties) = super::check::consumer_config(
        &args.cluster,
        &mut Kafka::default(),
        "simulate record",
        args.quiet,
    )?;
    let (mut out, shown): (Box<dyn Write>, String) = match &args.output {
        Some(path) if path.as_os_str() != "-" => {
            let file = std::fs::File::create(path).map_err(|e| {
                Error::Usage(format!(
                    "cannot write the recording to {}: {}",
                    path.display(),
                    crate::text::io_reason(&e, "its folder does not exist")
                ))
            })?;
            (Box::new(file), path.display().to_string())
        }
        _ => (Box::new(std::io::stdout().lock()), "stdout".to_string()),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    if !args.quiet {
        eprintln!(
            "simulate: recording {} from {servers}",
            args.topic
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let request = Request {
        properties: &properties,
        topics: &args.topic,
        since_ms: window.since,
        until_ms: window.until,
        live_for: window.live,
        idle: Duration::from_nanos(args.idle_timeout.0),
        max_messages: args.max_messages,
        stop: &stop,
    };
    let began = Instant::now();
    let mut bar = (!args.quiet)
        .then(|| progress::Bar::on_terminal(window.live))
        .flatten();
    let tally = record::record(&request, &mut out, &mut |tally| {
        if let Some(bar) = &mut bar {
            bar.show(tally, began);
        }
    });
    if let Some(bar) = bar {
        bar.clear();
    }
    let tally = tally.map_err(|failure| match failure {
        Failure::Kafka(why) => Error::Runtime(format!("cannot record from {servers}: {why}")),
        Failure::Output(e) => Error::Output(e),
    })?;
    if !args.quiet {
        let summary = Summary {
            tally: &tally,
            output: &shown,
            seconds: began.elapsed().as_secs_f64(),
        };
        eprint!("{summary}");
    }
    match tally.end {
        Some(End::Interrupted) => Err(Error::Interrupted),
        _ => Ok(crate::error::EXIT_OK),
    }
}

/// Without the `kafka` feature there is no consumer.
#[cfg(not(feature = "kafka"))]
pub(super) fn record_command(_: &RecordArgs) -> Result<u8, Error> {
    Err(super::loading::needs_feature("kafka", "read a cluster"))
}

/// The recording's window, as the command line gives it.
struct Window {
    /// `--since` in ms since the epoch.
    since: Option<i64>,
    /// `--until` (or `--since` + `--duration`) in ms since the epoch.
    until: Option<i64>,
    /// The wall-clock duration of a live recording (`--duration` without `--since`).
    live: Option<std::time::Duration>,
}

/// The recording's window from `--since`, `--until` and `--duration`, checked.
fn window(args: &RecordArgs) -> Result<Window, Error> {
    let since = args.since.map(|t| t.timestamp_millis());
    let mut until = args.until.map(|t| t.timestamp_millis());
    let mut live = None;
    match (since, args.duration) {
        (Some(since), Some(length)) => until = Some(since + (length.0 / 1_000_000) as i64),
        (None, Some(length)) => live = Some(std::time::Duration::from_nanos(length.0)),
        _ => {}
    }
    if let (Some(since), Some(until)) = (since, until) {
        if until <= since {
            return Err(Error::Usage(format!(
                "--until must be after --since; the window from {} to {} holds nothing",
                args.since.map_or(String::new(), |t| t.to_rfc3339()),
                args.until.map_or(String::new(), |t| t.to_rfc3339())
            )));
        }
    }
    if args.max_messages == Some(0) {
        return Err(Error::Usage(
            "--max-messages 0 records nothing; give a positive number, or leave it out".into(),
        ));
    }
    Ok(Window { since, until, live })
}

#[cfg(feature = "kafka")]
mod progress {
    //! The progress bar of a recording (on a terminal only): how much of the backlog is
    //! read, or how much of a live recording's duration has passed.

    use std::time::{Duration, Instant};

    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

    use crate::consume::record::Tally;
    use crate::text::thousands;

    /// A bar on stderr.
    pub(super) struct Bar {
        bar: ProgressBar,
        live: Option<Duration>,
        sized: bool,
    }

    impl Bar {
        /// A bar when stderr is a terminal; `None` otherwise.
        pub fn on_terminal(live: Option<Duration>) -> Option<Bar> {
            use std::io::IsTerminal;
            if !std::io::stderr().is_terminal() {
                return None;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            Some(Bar {
                bar,
                live,
                sized: false,
            })
        }

        /// Shows `tally`, `began` being when the recording began.
        pub fn show(&mut self, tally: &Tally, began: Instant) {
            if !self.sized {
                self.sized = true;
                let total = match self.live {
                    Some(d) => Some(d.as_millis() as u64),
                    None => (tally.backlog > 0).then_some(tally.backlog),
                };
                if let Some(total) = total {
                    self.bar.set_length(total);
                    let style = ProgressStyle::with_template("[{bar:30}] {percent:>3}%  {msg}")
                        .map(|s| s.progress_chars("=> "))
                        .unwrap_or_else(|_| ProgressStyle::default_bar());
                    self.bar.set_style(style);
                }
            }
            let position = match self.live {
                Some(_) => began.elapsed().as_millis() as u64,
                None => tally.read(),
            };
            self.bar.set_position(position);
            let rate = tally.messages() as f64 / began.elapsed().as_secs_f64().max(1e-9);
            self.bar.set_message(format!(
                "{} recorded, {}/s",
                thousands(tally.messages()),
                thousands(rate.round() as u64)
            ));
        }

        /// Takes the bar off the terminal.
        pub fn clear(self) {
            self.bar.finish_and_clear();
        }
    }
}
