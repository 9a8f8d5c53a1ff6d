//! The `qbo-run` binary: parse the command line, run, render the one error, exit with its code.

use clap::Parser;
use std::process::ExitCode;

/// Pages are megabytes of short-lived strings and maps parsed on several threads at once;
/// mimalloc serves that with far fewer page faults and lock waits than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    qbo_run::cli::complete_if_asked();
    let cli = qbo_run::cli::Cli::parse();
    let code = qbo_run::app::main(cli);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
