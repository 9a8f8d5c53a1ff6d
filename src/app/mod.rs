//! Wires the stages together for each command. This is the only module that knows the whole
//! flow; each stage it calls owns one step and hands its own type to the next.

mod auth;
mod companies;
mod connect;
mod connections;
mod doctor;
mod fanout;
mod files;
mod job;
mod logging;
mod new;
mod run;
mod store;
mod test;
mod windows;
mod write;

use crate::cli::{Cli, Command};
use crate::diagnostics::{self, Error, ErrorKind};
use std::io::Write;

/// Runs the command line and returns the process exit code; the one error, if any, is rendered
/// on stderr.
pub fn main(cli: Cli) -> i32 {
    logging::init(cli.verbosity());
    let result = crate::clock::check_env()
        .and_then(|()| cli.into_command())
        .and_then(|command| {
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

async fn dispatch(command: Command) -> Result<i32, Error> {
    match command {
        Command::Run(options) if options.companies.is_many() => {
            fanout::run_companies(options).await
        }
        Command::Run(options) => run::run_single(options).await.map(|()| 0),
        Command::RunMany(options) => run::run_many(options).await,
        Command::Check(paths) => files::check(&paths),
        Command::List(dir) => files::list(&dir).map(|()| 0),
        Command::Print(text) => std::io::stdout()
            .write_all(&text)
            .map(|()| 0)
            .map_err(|err| Error::output(format!("cannot write to stdout: {err}"))),
        Command::Doctor(connection) => doctor::doctor(connection).await,
        Command::Test(command) => test::test(command).await,
        Command::New(command) => new::write(command).map(|()| 0),
        Command::Schema(kind) => files::print_schema(kind).map(|()| 0),
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
