//! The `qbo-run` binary: parse the command line, run, render the one error, exit with its code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    qbo_run::memory::tune();
    qbo_run::cli::complete_if_asked();
    let cli = qbo_run::cli::Cli::parse();
    let code = qbo_run::app::main(cli);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
