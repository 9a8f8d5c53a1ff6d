//! Wires the stages together for each command. This is the only module that knows the whole
//! flow; each stage it calls owns one step and hands its own type to the next.

mod auth;
mod files;
mod job;
mod run;
mod write;

use crate::cli::{Cli, Command, Verbosity};
use crate::diagnostics::{self, Error, ErrorKind};
use crate::secret::{Secret, redact};
use crate::spec::{ConnectionSpec, EmulatorSettings, Environment};
use qbo_emulator::{Emulator, EmulatorConfig};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

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

fn init_logging(verbosity: Verbosity) {
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
        Command::Run(options) => run::run_single(options).await.map(|()| 0),
        Command::RunMany(options) => run::run_many(options).await,
        Command::Check(paths) => files::check(&paths),
        Command::List(dir) => files::list(&dir).map(|()| 0),
        Command::Auth(command) => auth::auth_command(command).await.map(|()| 0),
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

/// The emulator configuration a connection file asks for.
pub fn emulator_config(settings: &EmulatorSettings) -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    if let Some(seed) = settings.seed {
        config.seed = seed;
    }
    if let Some(n) = settings.invoices {
        config.invoices = n;
    }
    if let Some(n) = settings.customers {
        config.customers = n;
    }
    if let Some(n) = settings.vendors {
        config.vendors = n;
    }
    if let Some(n) = settings.items {
        config.items = n;
    }
    if let Some(seconds) = settings.access_token_ttl {
        config.access_token_ttl = std::time::Duration::from_secs(seconds);
    }
    let share = |value: Option<f64>, into: &mut f64| {
        if let Some(value) = value {
            *into = value.clamp(0.0, 1.0);
        }
    };
    share(settings.throttle_rate, &mut config.throttle_rate);
    share(settings.throttle_xml_rate, &mut config.throttle_xml_rate);
    share(settings.retry_after_rate, &mut config.retry_after_rate);
    share(settings.server_error_rate, &mut config.server_error_rate);
    share(settings.drop_rate, &mut config.drop_rate);
    if let Some(seconds) = settings.retry_after_secs {
        config.retry_after_secs = seconds;
    }
    if let Some(millis) = settings.latency_ms {
        config.latency = std::time::Duration::from_millis(millis);
    }
    if let Some(seed) = settings.fault_seed {
        config.fault_seed = seed;
    }
    config
}

fn redact_error(error: Error, secrets: &[&Secret]) -> Error {
    error.map_text(|text| redact(text, secrets))
}

/// Resolves `spec` for this process, starting its in-process emulator when it uses one; the
/// caller shuts the emulator down when done.
async fn resolve_live(
    spec: &ConnectionSpec,
) -> Result<(crate::connection::ResolvedConnection, Option<Emulator>), Error> {
    let emulator = start_emulator_if_needed(spec).await?;
    let origin = match &emulator {
        Some(emulator) => Some(
            url::Url::parse(&emulator.base_url())
                .map_err(|err| Error::new(ErrorKind::Internal, format!("emulator URL: {err}")))?,
        ),
        None => None,
    };
    match crate::connection::ResolvedConnection::resolve(spec, origin.as_ref()) {
        Ok(connection) => Ok((connection, emulator)),
        Err(error) => {
            if let Some(emulator) = emulator {
                emulator.shutdown().await;
            }
            Err(error)
        }
    }
}

/// Starts the in-process emulator when the connection uses one (emulator preset, no base_url).
async fn start_emulator_if_needed(spec: &ConnectionSpec) -> Result<Option<Emulator>, Error> {
    if spec.environment != Environment::Emulator || spec.has("base_url") {
        return Ok(None);
    }
    let config = emulator_config(&spec.emulator);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let emulator = Emulator::start(config, addr).await.map_err(|err| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot start the built-in emulator: {err}"),
        )
    })?;
    tracing::info!(base_url = %emulator.base_url(), "built-in emulator started");
    Ok(Some(emulator))
}
