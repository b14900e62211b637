//! The `simulate` binary: parse the command line, run, map the outcome to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = simulate::cli::parse();
    simulate::run(cli)
}
