//! Connection files: how to reach one QBO company (URLs, OAuth client, realm), loaded and checked.
//! Values may be templates over the environment (`{{ env.QBO_CLIENT_SECRET }}`); they are kept
//! as templates here and rendered by `connection` when a run needs them.

use super::yaml::SourceFile;
use super::{Scalar, template_error};
use crate::diagnostics::Error;
use crate::template::{Escape, TemplateSet};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::Path;

/// Which QBO a connection talks to; presets fill the URLs.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// quickbooks.api.intuit.com with Intuit's OAuth endpoints.
    Production,
    /// sandbox-quickbooks.api.intuit.com with Intuit's OAuth endpoints.
    Sandbox,
    /// The built-in emulator, started in-process on a free loopback port.
    Emulator,
}

impl Environment {
    /// The name used in files and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Sandbox => "sandbox",
            Environment::Emulator => "emulator",
        }
    }
}

/// How a person's consent is given when logging in to a connection.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Consent {
    /// No person: qbo-run follows the authorize URL's redirect itself, and a run logs in on
    /// first use. Only the emulator consents this way, and it does by default.
    #[default]
    Automatic,
    /// A person consents in a browser: `auth login` opens the authorize URL and listens on the
    /// redirect URI's port, and a run without stored tokens asks for a login. Always so with
    /// Intuit; an emulator connection asks for it with `emulator.consent: browser`.
    Browser,
}

/// A connection file (`connections/NAME.yaml`): how to reach one QBO company. Values may be
/// templates over the environment only (`{{ env.QBO_CLIENT_SECRET }}`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qbo-run connection file")]
pub(super) struct RawConnection {
    /// What it connects to.
    #[serde(default)]
    description: Option<String>,
    /// `production`, `sandbox` or `emulator`: presets for every URL (default `production`).
    #[serde(default)]
    environment: Option<Environment>,
    /// API base URL (default: the environment's preset; with `emulator`, an emulator started
    /// elsewhere instead of the in-process one).
    #[serde(default)]
    base_url: Option<Scalar>,
    /// The company id (default: the login callback's `realmId`).
    #[serde(default)]
    realm_id: Option<Scalar>,
    /// The `minorversion` sent with every call (default 75).
    #[serde(default)]
    minor_version: Option<Scalar>,
    /// Where its tokens are: `file`, or a `postgres://` URL (default `$QBO_RUN_STORE`, else
    /// `file`).
    #[serde(default)]
    token_store: Option<Scalar>,
    /// The OAuth 2.0 client and endpoints.
    #[serde(default)]
    oauth2: RawOAuth,
    /// Settings of the in-process emulator (with `environment: emulator`).
    #[serde(default)]
    emulator: EmulatorSettings,
    /// Per-company limits, at most QBO's.
    #[serde(default)]
    limits: Limits,
    /// How failed calls are retried.
    #[serde(default)]
    retry: RetrySettings,
    /// Connect and whole-request timeouts.
    #[serde(default)]
    timeouts: Timeouts,
}

/// Settings of the built-in emulator that a connection with `environment: emulator` starts;
/// every field is optional and defaults to the emulator's own default.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmulatorSettings {
    /// Seed of the generated company.
    pub seed: Option<u64>,
    /// Number of invoices.
    pub invoices: Option<usize>,
    /// Number of customers.
    pub customers: Option<usize>,
    /// Number of vendors.
    pub vendors: Option<usize>,
    /// Number of items.
    pub items: Option<usize>,
    /// Companies served (each consent connects the next one).
    pub companies: Option<usize>,
    /// Access-token lifetime in seconds.
    pub access_token_ttl: Option<u64>,
    /// Share of API calls answered 429 ThrottleExceeded.
    pub throttle_rate: Option<f64>,
    /// Share of those 429s with an XML body.
    pub throttle_xml_rate: Option<f64>,
    /// Share of 429s that carry `Retry-After`.
    pub retry_after_rate: Option<f64>,
    /// The `Retry-After` value, in seconds.
    pub retry_after_secs: Option<u64>,
    /// Share of API calls answered 500 or 503.
    pub server_error_rate: Option<f64>,
    /// Share of API calls whose connection is dropped.
    pub drop_rate: Option<f64>,
    /// Latency added to each API call, in milliseconds.
    pub latency_ms: Option<u64>,
    /// Seed of the fault decisions.
    pub fault_seed: Option<u64>,
    /// The instant (RFC 3339) the emulated company's clock stands at.
    pub now: Option<String>,
    /// Seeded transactions share their `LastUpdatedTime` in groups of this many.
    pub ties: Option<usize>,
    /// Rows that tie on every `ORDERBY` key come back in a new order on every query.
    pub shuffle_ties: Option<bool>,
    /// Records of the queried entity updated after each page the emulator answers.
    pub updates_per_page: Option<usize>,
    /// Share of writes that take effect and then lose their answer.
    pub lose_write_answers: Option<f64>,
    /// Cells a report may have before it is cut short with QBO's "Unable to display more data.
    /// Please reduce the date range." row (default 400,000; 0: no cap).
    pub report_max_cells: Option<usize>,
    /// Multicurrency on (home currency USD): some customers pay in CAD, some vendors bill in
    /// EUR, transactions carry `ExchangeRate` and home amounts, reports are in USD.
    pub multicurrency: Option<bool>,
    /// How `auth login` gets the emulator's consent: by itself (the default) or from a person
    /// in a browser, as with Intuit. Applies to an emulator started elsewhere (`base_url`) too.
    pub consent: Option<Consent>,
    /// The in-process emulator answers every consent with `error=access_denied`, as a person
    /// clicking Cancel (`qbo-run emulator --deny-consent`).
    pub deny_consent: Option<bool>,
}

/// QBO's own limits per company; a connection may only ask for less.
pub const QBO_MAX_IN_FLIGHT: usize = 10;
/// QBO's per-company request budget per minute.
pub const QBO_MAX_REQUESTS_PER_MINUTE: u32 = 500;

/// How hard qbo-run may push one company (`limits:`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Requests in flight at once (at most 10).
    #[serde(default = "default_in_flight")]
    pub max_in_flight: usize,
    /// Requests per rolling minute (at most 500).
    #[serde(default = "default_per_minute")]
    pub requests_per_minute: u32,
}

fn default_in_flight() -> usize {
    QBO_MAX_IN_FLIGHT
}

fn default_per_minute() -> u32 {
    QBO_MAX_REQUESTS_PER_MINUTE
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_in_flight: QBO_MAX_IN_FLIGHT,
            requests_per_minute: QBO_MAX_REQUESTS_PER_MINUTE,
        }
    }
}

/// How failed calls are retried (`retry:`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetrySettings {
    /// Attempts in all, the first included.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// First backoff in milliseconds; doubles each attempt, with full jitter.
    #[serde(default = "default_base_delay")]
    pub base_delay_ms: u64,
    /// Longest wait between attempts in seconds, `Retry-After` included.
    #[serde(default = "default_max_delay")]
    pub max_delay_secs: u64,
    /// Wait after a 429 without `Retry-After`, in seconds (Intuit advises 60).
    #[serde(default = "default_throttle_wait")]
    pub throttle_wait_secs: u64,
}

fn default_attempts() -> u32 {
    5
}

fn default_base_delay() -> u64 {
    500
}

fn default_max_delay() -> u64 {
    60
}

fn default_throttle_wait() -> u64 {
    60
}

impl Default for RetrySettings {
    fn default() -> RetrySettings {
        RetrySettings {
            max_attempts: default_attempts(),
            base_delay_ms: default_base_delay(),
            max_delay_secs: default_max_delay(),
            throttle_wait_secs: default_throttle_wait(),
        }
    }
}

/// Connect and whole-request timeouts (`timeouts:`).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Timeouts {
    /// Seconds to establish a connection.
    #[serde(default = "default_connect")]
    pub connect_secs: u64,
    /// Seconds for a whole request, answer included (QBO itself gives up after 120).
    #[serde(default = "default_request")]
    pub request_secs: u64,
}

fn default_connect() -> u64 {
    15
}

fn default_request() -> u64 {
    150
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect_secs: default_connect(),
            request_secs: default_request(),
        }
    }
}

/// `oauth2:` as written; every value may be a template over `env`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOAuth {
    /// Authorization endpoint (default Intuit's, `https://appcenter.intuit.com/connect/oauth2`).
    auth_url: Option<Scalar>,
    /// Token endpoint (default Intuit's).
    token_url: Option<Scalar>,
    /// Revoke endpoint (default Intuit's).
    revoke_url: Option<Scalar>,
    /// The app's client id (required but for the emulator), e.g. `{{ env.QBO_CLIENT_ID }}`.
    client_id: Option<Scalar>,
    /// The app's client secret, from the environment (required but for the emulator, unless
    /// `client_secret_command` is given).
    client_secret: Option<Scalar>,
    /// A shell command printing the client secret (instead of `client_secret`).
    client_secret_command: Option<Scalar>,
    /// Space-separated scopes (default `com.intuit.quickbooks.accounting`).
    scope: Option<Scalar>,
    /// Fixed prefix of the `state`; random bytes are always added and checked.
    state: Option<Scalar>,
    /// The registered redirect URI (default `http://localhost:8050/callback`; an emulator
    /// connection `http://localhost:0/callback`, a free port).
    redirect_uri: Option<Scalar>,
}

/// The keys under `oauth2:`, in the order they are documented.
pub const OAUTH_KEYS: [&str; 9] = [
    "auth_url",
    "token_url",
    "revoke_url",
    "client_id",
    "client_secret",
    "client_secret_command",
    "scope",
    "state",
    "redirect_uri",
];

/// A checked connection file; its values are still templates.
pub struct ConnectionSpec {
    /// The file it came from.
    pub file: SourceFile,
    /// The file's stem: the connection's name in the token store and in messages.
    pub name: String,
    /// What it connects to.
    pub description: Option<String>,
    /// The preset.
    pub environment: Environment,
    /// Compiled templates of the values present, named by their dotted key
    /// (`base_url`, `realm_id`, `minor_version`, `oauth2.client_id`, ...).
    pub templates: TemplateSet,
    /// Which of the keys are present in the file.
    pub present: Vec<String>,
    /// True when `oauth2.client_secret` is written literally rather than taken from the environment.
    pub literal_secret: bool,
    /// Settings of the in-process emulator (used with `environment: emulator`).
    pub emulator: EmulatorSettings,
    /// Per-company limits.
    pub limits: Limits,
    /// Retry policy.
    pub retry: RetrySettings,
    /// Timeouts.
    pub timeouts: Timeouts,
}

impl ConnectionSpec {
    /// Reads and checks a connection file.
    pub fn load(path: &Path) -> Result<ConnectionSpec, Error> {
        let file = SourceFile::read(path)?;
        ConnectionSpec::from_file(file)
    }

    /// Checks an already read connection file.
    pub fn from_file(file: SourceFile) -> Result<ConnectionSpec, Error> {
        let raw: RawConnection = file.deserialize("connection file")?;
        let name = file
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "connection".to_string());
        let environment = raw.environment.unwrap_or(Environment::Production);
        let oauth = raw.oauth2;
        let values: Vec<(&str, Option<Scalar>)> = vec![
            ("base_url", raw.base_url),
            ("realm_id", raw.realm_id),
            ("minor_version", raw.minor_version),
            ("token_store", raw.token_store),
            ("oauth2.auth_url", oauth.auth_url),
            ("oauth2.token_url", oauth.token_url),
            ("oauth2.revoke_url", oauth.revoke_url),
            ("oauth2.client_id", oauth.client_id),
            ("oauth2.client_secret", oauth.client_secret),
            ("oauth2.client_secret_command", oauth.client_secret_command),
            ("oauth2.scope", oauth.scope),
            ("oauth2.state", oauth.state),
            ("oauth2.redirect_uri", oauth.redirect_uri),
        ];
        let present: Vec<(String, String)> = values
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| (key.to_string(), v.0)))
            .collect();
        let templates = TemplateSet::new(
            present
                .iter()
                .map(|(key, source)| (key.as_str(), source.as_str(), Escape::Raw)),
        )
        .map_err(|err| template_error(&file, &err))?;
        for (key, _) in &present {
            let mut used: Vec<String> = templates.variables(key).into_iter().collect();
            used.sort();
            if let Some(other) = used.iter().find(|v| v.as_str() != "env") {
                return Err(Error::file(format!(
                    "`{key}` uses `{other}`; connection values can only read `env` (e.g. {{{{ env.QBO_CLIENT_ID }}}})"
                ))
                .at(file.value_or_near(key)));
            }
        }
        let literal_secret = present
            .iter()
            .any(|(key, source)| key == "oauth2.client_secret" && !source.contains("{{"));
        if environment != Environment::Emulator {
            let has = |key: &str| present.iter().any(|(k, _)| k == key);
            if has("oauth2.client_secret") && has("oauth2.client_secret_command") {
                return Err(Error::file(
                    "give `oauth2.client_secret` or `oauth2.client_secret_command`, not both",
                )
                .at(file.key_or_near("oauth2.client_secret_command")));
            }
            for required in ["oauth2.client_id", "oauth2.client_secret"] {
                let found = has(required)
                    || (required == "oauth2.client_secret" && has("oauth2.client_secret_command"));
                if !found {
                    return Err(Error::file(format!(
                        "connection `{name}` has no `{required}`"
                    ))
                    .at(file.key_or_near("oauth2"))
                    .note("take it from the environment, e.g. client_secret: \"{{ env.QBO_CLIENT_SECRET }}\", or from a command with client_secret_command")
                    );
                }
            }
        }
        check_limits(&file, environment, &raw.limits, &raw.retry, &raw.timeouts)?;
        if let Some(now) = &raw.emulator.now
            && let Err(err) = chrono::DateTime::parse_from_rfc3339(now.trim())
        {
            return Err(Error::file(format!(
                "`emulator.now` {now:?} is not an RFC 3339 time such as 2025-09-19T12:00:00-07:00 ({err})"
            ))
            .at(file.value_or_near("emulator.now")));
        }
        Ok(ConnectionSpec {
            name,
            description: raw.description,
            environment,
            templates,
            present: present.into_iter().map(|(key, _)| key).collect(),
            literal_secret,
            emulator: raw.emulator,
            limits: raw.limits,
            retry: raw.retry,
            timeouts: raw.timeouts,
            file,
        })
    }

    /// Whether the file sets `key` (a dotted key such as `oauth2.state`).
    pub fn has(&self, key: &str) -> bool {
        self.present.iter().any(|k| k == key)
    }
}

/// Checks the limits against QBO's rules. An emulator connection may ask for more requests a
/// minute than QBO allows (the emulator's own budget is set by its `--requests-per-minute`), so
/// a benchmark can measure extraction rather than the minute budget; in-flight stays QBO's.
fn check_limits(
    file: &SourceFile,
    environment: Environment,
    limits: &Limits,
    retry: &RetrySettings,
    timeouts: &Timeouts,
) -> Result<(), Error> {
    if limits.max_in_flight == 0 || limits.max_in_flight > QBO_MAX_IN_FLIGHT {
        return Err(Error::file(format!(
            "`limits.max_in_flight` must be between 1 and {QBO_MAX_IN_FLIGHT} (QBO allows {QBO_MAX_IN_FLIGHT} requests in flight per company), not {}",
            limits.max_in_flight
        ))
        .at(file.value_or_near("limits.max_in_flight")));
    }
    let most_per_minute = if environment == Environment::Emulator {
        u32::MAX
    } else {
        QBO_MAX_REQUESTS_PER_MINUTE
    };
    if limits.requests_per_minute == 0 || limits.requests_per_minute > most_per_minute {
        return Err(Error::file(format!(
            "`limits.requests_per_minute` must be between 1 and {QBO_MAX_REQUESTS_PER_MINUTE} (QBO allows {QBO_MAX_REQUESTS_PER_MINUTE} per minute per company), not {}",
            limits.requests_per_minute
        ))
        .at(file.value_or_near("limits.requests_per_minute")));
    }
    if retry.max_attempts == 0 {
        return Err(Error::file(
            "`retry.max_attempts` must be at least 1 (the first attempt counts)",
        )
        .at(file.value_or_near("retry.max_attempts")));
    }
    if timeouts.connect_secs == 0 || timeouts.request_secs == 0 {
        return Err(
            Error::file("timeouts must be at least 1 second").at(file.key_or_near("timeouts"))
        );
    }
    Ok(())
}
