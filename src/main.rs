//! The `simulate` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    match simulate::cli::parse() {
        Ok(cli) => simulate::run(cli),
        Err(error) => error.print(),
    }
}
