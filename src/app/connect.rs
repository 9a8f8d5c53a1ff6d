//! Opening a connection for a run: the built-in emulator started in-process when the connection
//! uses one, the connection resolved against it, and errors scrubbed of the secrets it holds.

use crate::connection::ResolvedConnection;
use crate::diagnostics::{Error, ErrorKind};
use crate::secret::{Secret, redact};
use crate::spec::{ConnectionSpec, EmulatorSettings, Environment};
use qbo_emulator::{Emulator, EmulatorConfig};
use std::net::{Ipv4Addr, SocketAddr};

/// The emulator configuration a connection file asks for; its clock from `emulator.now`, else
/// `QBO_EMULATOR_NOW` (as for `qbo-run emulator`).
fn emulator_config(settings: &EmulatorSettings) -> Result<EmulatorConfig, Error> {
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
    if let Some(n) = settings.companies {
        config.companies = n.clamp(1, 1000);
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
    share(settings.lose_write_answers, &mut config.lost_answer_rate);
    if let Some(n) = settings.ties {
        config.tie_groups = n;
    }
    if let Some(shuffle) = settings.shuffle_ties {
        config.shuffle_ties = shuffle;
    }
    if let Some(n) = settings.updates_per_page {
        config.updates_per_page = n;
    }
    if let Some(on) = settings.multicurrency {
        config.multicurrency = on;
    }
    if let Some(cells) = settings.report_max_cells {
        config.report_max_cells = cells;
    }
    if let Some(deny) = settings.deny_consent {
        config.deny_consent = deny;
    }
    let now = match &settings.now {
        Some(text) => Some(text.clone()),
        None => std::env::var("QBO_EMULATOR_NOW").ok(),
    };
    if let Some(text) = now {
        let at = chrono::DateTime::parse_from_rfc3339(text.trim()).map_err(|err| {
            Error::usage(format!(
                "the emulator's clock {text:?} (emulator.now or QBO_EMULATOR_NOW) is not an RFC 3339 time such as 2025-09-19T12:00:00-07:00 ({err})"
            ))
        })?;
        config.now = Some(std::time::SystemTime::from(at));
    }
    Ok(config)
}

/// `error` with every secret of `secrets` masked in its text.
pub(super) fn redact_error(error: Error, secrets: &[&Secret]) -> Error {
    error.map_text(|text| redact(text, secrets))
}

/// Resolves `spec` for this process, starting its in-process emulator when it uses one; the
/// caller shuts the emulator down when done.
pub(super) async fn resolve_live(
    spec: &ConnectionSpec,
) -> Result<(ResolvedConnection, Option<Emulator>), Error> {
    let emulator = start_emulator_if_needed(spec).await?;
    let origin = match &emulator {
        Some(emulator) => Some(
            url::Url::parse(&emulator.base_url())
                .map_err(|err| Error::new(ErrorKind::Internal, format!("emulator URL: {err}")))?,
        ),
        None => None,
    };
    match ResolvedConnection::resolve(spec, origin.as_ref()) {
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
    let config = emulator_config(&spec.emulator)?;
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
