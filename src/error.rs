//! Typed errors and the exit code each maps to: the one conversion at the edge.
//!
//! Problems in a scenario file are [`Diagnostic`]s, collected and rendered by
//! [`crate::scenario::diagnostics`]; here they are one kind of error among the others.

use std::io;
use std::process::ExitCode;

use crate::scenario::diagnostics::{Diagnostic, render_all};

/// Exit code for success.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code for a failure at run time (I/O, broker, undelivered events).
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code for invalid input: a bad scenario file or command line.
pub(crate) const EXIT_INVALID: u8 = 2;
/// Exit code after SIGINT or SIGTERM (128 + 2, as shells report Ctrl-C).
pub(crate) const EXIT_INTERRUPTED: u8 = 130;

/// Everything that can stop a run, each with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario (or an override of it) is invalid; every problem found is listed.
    #[error("{}", render_all(.0))]
    Invalid(Vec<Diagnostic>),
    /// A command-line value is invalid.
    #[error("error: {0}")]
    Usage(String),
    /// Writing the output failed (other than a closed pipe, which is not an error).
    #[error("error: cannot write output: {0}")]
    Output(#[source] io::Error),
    /// A failure at run time, already phrased for people.
    #[error("error: {0}")]
    Runtime(String),
    /// Stopped by SIGINT or SIGTERM before the schedule started.
    #[error("simulate: interrupted")]
    Interrupted,
    /// The command line does not parse, or asks for `--help` or `--version`: clap's
    /// own message (help goes to stdout and exits 0).
    #[error("{0}")]
    Clap(clap::Error),
}

impl Error {
    /// The process exit code for this error.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Error::Invalid(_) | Error::Usage(_) => EXIT_INVALID,
            Error::Output(_) | Error::Runtime(_) => EXIT_FAILURE,
            Error::Interrupted => EXIT_INTERRUPTED,
            Error::Clap(e) => u8::try_from(e.exit_code()).unwrap_or(EXIT_INVALID),
        }
    }

    /// Prints the error for people, secrets masked, and returns the exit code it maps to.
    pub fn print(&self) -> ExitCode {
        match self {
            // clap chooses the stream (help on stdout) and colours it on a terminal.
            Error::Clap(e) => {
                let _ = e.print();
            }
            Error::Invalid(_)
            | Error::Usage(_)
            | Error::Output(_)
            | Error::Runtime(_)
            | Error::Interrupted => eprintln!("{}", crate::redact::redact(&self.to_string())),
        }
        ExitCode::from(self.exit_code())
    }
}
