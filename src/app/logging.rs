//! Logging to stderr: the level from `-v`/`-q` (or `QBO_RUN_LOG`), text or JSON lines, and
//! whether it is JSON (summaries then are JSON lines too).

use crate::cli::Verbosity;

/// Whether stderr carries JSON lines (`--log-format json`), so summaries are JSON too.
static JSON_LOGS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Whether the process logs JSON lines.
pub(super) fn json_logs() -> bool {
    JSON_LOGS.get().copied().unwrap_or(false)
}

/// Sets up logging to stderr as `verbosity` asks (`QBO_RUN_LOG` overrides the levels).
pub(super) fn init(verbosity: Verbosity) {
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
