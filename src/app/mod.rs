//! Wires the stages together for each command. This is the only module that knows the whole
//! flow; each stage it calls owns one step and hands its own type to the next.

mod auth;
mod companies;
mod connect;
mod connections;
mod fanout;
mod files;
mod job;
mod run;
mod store;
mod write;

use crate::cli::{Cli, Command, Verbosity};
use crate::diagnostics::{self, Error, ErrorKind};
use std::io::Write;

/// Runs the command line and returns the process exit code; the one error, if any, is rendered
/// on stderr.
pub fn main(cli: Cli) -> i32 {
    init_logging(cli.verbosity());
    let result = cli.into_command().and_then(|command| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|err| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot start the async runtime: {err}"),
                )
            })?;
        runtime.block_on(dispatch(command))
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            let _ = std::io::stderr().write_all(diagnostics::render(&error).as_bytes());
            error.kind().exit_code()
        }
    }
}

/// Whether stderr carries JSON lines (`--log-format json`), so summaries are JSON too.
static JSON_LOGS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

fn json_logs() -> bool {
    JSON_LOGS.get().copied().unwrap_or(false)
}

fn init_logging(verbosity: Verbosity) {
    let _ = JSON_LOGS.set(verbosity.json);
    let level = if verbosity.quiet {
        "error"
    } else {
        match verbosity.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = std::env::var("QBO_RUN_LOG")
        .ok()
        .and_then(|spec| tracing_subscriber::EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| {
            tracing_subscriber::EnvFilter::new(format!("warn,qbo_run={level},qbo_emulator={level}"))
        });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let _ = if verbosity.json {
        builder.json().flatten_event(true).try_init()
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init()
    };
}

async fn dispatch(command: Command) -> Result<i32, Error> {
    match command {
        Command::Run(options) if options.companies.is_many() => {
            fanout::run_companies(options).await
        }
        Command::Run(options) => run::run_single(options).await.map(|()| 0),
        Command::RunMany(options) => run::run_many(options).await,
        Command::Check(paths) => files::check(&paths),
        Command::List(dir) => files::list(&dir).map(|()| 0),
        Command::Auth(command) => auth::auth_command(command).await.map(|()| 0),
        Command::Store(command) => store::copy(command).await.map(|()| 0),
        Command::Emulator(args) => {
            let addr = args.addr().map_err(Error::usage)?;
            qbo_emulator::serve_until_ctrl_c(args.config(), addr)
                .await
                .map_err(|err| {
                    Error::new(
                        ErrorKind::Output,
                        format!("emulator: cannot serve on {addr}: {err}"),
                    )
                })?;
            Ok(0)
        }
    }
}
