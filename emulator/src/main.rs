//! The `qbo-emulator` binary: the QBO emulator alone, for any QBO client (`qbo-run emulator` is
//! the same server behind the runner's command line).

use std::process::ExitCode;

use clap::Parser;
use qbo_emulator::EmulatorArgs;

/// Serve the QuickBooks Online emulator on loopback until Ctrl-C.
#[derive(Debug, Parser)]
#[command(name = "qbo-emulator", version)]
struct Cli {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = std::env::var("QBO_EMULATOR_LOG")
        .ok()
        .and_then(|spec| tracing_subscriber::EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
    let addr = match cli.emulator.addr() {
        Ok(addr) => addr,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(qbo_emulator::serve_until_ctrl_c(
        cli.emulator.config(),
        addr,
    )) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: emulator: cannot serve on {addr}: {err}");
            ExitCode::from(7)
        }
    }
}
