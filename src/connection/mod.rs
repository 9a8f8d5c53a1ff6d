//! Finds connection files and resolves a [`ConnectionSpec`] into the concrete URLs, realm and
//! OAuth client of one run: presets filled in, `{{ env.NAME }}` rendered, secrets wrapped.
//! It never sends anything over the network.

mod locate;
mod store;

pub use locate::{connection_names, locate};
pub use store::StoreChoice;

use crate::diagnostics::Error;
use crate::secret::Secret;
use crate::spec::{ConnectionSpec, Consent, Environment};
use crate::template::{self, EnvObject};
use std::collections::BTreeMap;
use std::sync::Arc;
use url::Url;

/// Intuit's OAuth endpoints, the same for sandbox and production.
pub const INTUIT_AUTH_URL: &str = "https://appcenter.intuit.com/connect/oauth2";
/// Intuit's token endpoint.
pub const INTUIT_TOKEN_URL: &str = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer";
/// Intuit's revoke endpoint.
pub const INTUIT_REVOKE_URL: &str = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke";
/// Production API base URL.
pub const PRODUCTION_BASE_URL: &str = "https://quickbooks.api.intuit.com";
/// Sandbox API base URL.
pub const SANDBOX_BASE_URL: &str = "https://sandbox-quickbooks.api.intuit.com";
/// The scope qbo-run asks for unless the connection says otherwise.
pub const DEFAULT_SCOPE: &str = "com.intuit.quickbooks.accounting";
/// The minor version sent unless the connection says otherwise (QBO's floor since Aug 2025).
pub const DEFAULT_MINOR_VERSION: &str = "75";
/// The redirect URI used unless the connection says otherwise.
pub const DEFAULT_REDIRECT_URI: &str = "http://localhost:8050/callback";
/// The redirect URI of an emulator connection unless it says otherwise: a free port, since the
/// emulator accepts any loopback redirect URI.
pub const EMULATOR_REDIRECT_URI: &str = "http://localhost:0/callback";

/// The OAuth 2.0 client of a connection.
#[derive(Debug, Clone)]
pub struct OAuthSettings {
    /// Authorization (consent) endpoint.
    pub auth_url: Url,
    /// Token endpoint (code exchange and refresh).
    pub token_url: Url,
    /// Revocation endpoint.
    pub revoke_url: Url,
    /// The app's client id.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: Secret,
    /// Space-separated scopes.
    pub scope: String,
    /// A fixed part of the `state` value; random bytes are always added per login.
    pub state: Option<String>,
    /// The registered redirect URI.
    pub redirect_uri: String,
}

/// A connection ready for one run.
#[derive(Debug, Clone)]
pub struct ResolvedConnection {
    /// Its name (the connection file's stem): the key of its token store.
    pub name: String,
    /// The preset it uses.
    pub environment: Environment,
    /// API base URL, without a trailing slash.
    pub base_url: Url,
    /// The company id, when known before login.
    pub realm_id: Option<String>,
    /// The `minorversion` sent with every API call.
    pub minor_version: String,
    /// OAuth client settings.
    pub oauth: OAuthSettings,
    /// Where its tokens are kept (and, for a database, its rate governor).
    pub token_store: StoreChoice,
    /// How a login gets consent: by itself (the emulator, by default) or from a person.
    pub consent: Consent,
}

/// What a dry run shows instead of the emulator's address, which is only known once it runs.
pub const EMULATOR_PLACEHOLDER_ORIGIN: &str = "http://127.0.0.1:0";

impl ResolvedConnection {
    /// Renders `spec`'s values. `emulator_origin` is the address of the in-process emulator when
    /// the connection uses one.
    pub fn resolve(
        spec: &ConnectionSpec,
        emulator_origin: Option<&Url>,
    ) -> Result<ResolvedConnection, Error> {
        let env = Arc::new(EnvObject::default());
        let context = template::context(&BTreeMap::new(), env.clone());
        let value = |key: &str| -> Result<Option<String>, Error> {
            if !spec.has(key) {
                return Ok(None);
            }
            match spec.templates.render(key, &context) {
                Ok(text) => Ok(Some(text.trim().to_string())),
                Err(err) => {
                    let missing = env.missing();
                    let location = spec.file.value_location(key);
                    if missing.is_empty() {
                        Err(crate::spec::template_error(&spec.file, &err))
                    } else {
                        Err(Error::file(format!(
                            "`{key}` of connection `{}` needs the environment variable {}, which is not set",
                            spec.name,
                            missing.join(", ")
                        ))
                        .at_opt(location)
                        .note(format!("set it, e.g. export {}=...", missing[0]))
                        .note("or try the built-in emulator: --connection emulator"))
                    }
                }
            }
        };
        let parse_url = |key: &str, text: &str| -> Result<Url, Error> {
            Url::parse(text).map_err(|err| {
                Error::file(format!("`{key}` is not a valid URL ({err}): {text}"))
                    .at_opt(spec.file.value_location(key))
            })
        };

        let configured_base = value("base_url")?;
        let emulator_origin = match (spec.environment, emulator_origin, &configured_base) {
            (Environment::Emulator, Some(origin), _) => Some(origin.clone()),
            // An emulator started elsewhere: its OAuth endpoints hang off the same origin.
            (Environment::Emulator, None, Some(base)) => Some(parse_url("base_url", base)?),
            (Environment::Emulator, None, None) => {
                Some(Url::parse(EMULATOR_PLACEHOLDER_ORIGIN).map_err(|err| {
                    Error::new(crate::diagnostics::ErrorKind::Internal, err.to_string())
                })?)
            }
            _ => None,
        };
        let preset = |path: &str, intuit: &str| -> String {
            match &emulator_origin {
                Some(origin) => join_origin(origin, path),
                None => intuit.to_string(),
            }
        };
        let base_text = match configured_base {
            Some(base) => base,
            None => match spec.environment {
                Environment::Production => PRODUCTION_BASE_URL.to_string(),
                Environment::Sandbox => SANDBOX_BASE_URL.to_string(),
                Environment::Emulator => preset("", ""),
            },
        };
        let base_url = parse_url("base_url", base_text.trim_end_matches('/'))?;

        let auth_url = value("oauth2.auth_url")?
            .unwrap_or_else(|| preset(qbo_emulator::AUTHORIZE_PATH, INTUIT_AUTH_URL));
        let token_url = value("oauth2.token_url")?
            .unwrap_or_else(|| preset(qbo_emulator::TOKEN_PATH, INTUIT_TOKEN_URL));
        let revoke_url = value("oauth2.revoke_url")?
            .unwrap_or_else(|| preset(qbo_emulator::REVOKE_PATH, INTUIT_REVOKE_URL));
        let emulator = spec.environment == Environment::Emulator;
        let client_id = value("oauth2.client_id")?
            .or_else(|| emulator.then(|| qbo_emulator::DEFAULT_CLIENT_ID.to_string()))
            .unwrap_or_default();
        let client_secret = match value("oauth2.client_secret_command")? {
            Some(command) => secret_from_command(&command).map_err(|message| {
                Error::file(format!("`oauth2.client_secret_command` failed: {message}"))
                    .at_opt(spec.file.value_location("oauth2.client_secret_command"))
            })?,
            None => value("oauth2.client_secret")?
                .or_else(|| emulator.then(|| qbo_emulator::DEFAULT_CLIENT_SECRET.to_string()))
                .unwrap_or_default(),
        };
        for (key, text) in [
            ("oauth2.client_id", &client_id),
            ("oauth2.client_secret", &client_secret),
        ] {
            if text.is_empty() {
                return Err(
                    Error::file(format!("`{key}` of connection `{}` is empty", spec.name))
                        .at_opt(spec.file.value_location(key)),
                );
            }
        }
        let realm_id = value("realm_id")?
            .filter(|r| !r.is_empty())
            .or_else(|| emulator.then(|| qbo_emulator::DEFAULT_REALM_ID.to_string()));
        if let Some(realm) = &realm_id
            && !realm.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(Error::file(format!(
                "`realm_id` must be the company id (digits), not `{realm}`"
            ))
            .at_opt(spec.file.value_location("realm_id")));
        }
        let token_store = match value("token_store")? {
            Some(text) => StoreChoice::parse(&Secret::new(text), "`token_store`")
                .map_err(|err| err.at_opt(spec.file.value_location("token_store")))?,
            None => StoreChoice::from_env()?,
        };
        let consent = if emulator {
            spec.emulator.consent.unwrap_or_default()
        } else {
            Consent::Browser
        };
        let default_redirect = if emulator {
            EMULATOR_REDIRECT_URI
        } else {
            DEFAULT_REDIRECT_URI
        };
        Ok(ResolvedConnection {
            name: spec.name.clone(),
            token_store,
            consent,
            environment: spec.environment,
            base_url,
            realm_id,
            minor_version: value("minor_version")?
                .unwrap_or_else(|| DEFAULT_MINOR_VERSION.to_string()),
            oauth: OAuthSettings {
                auth_url: parse_url("oauth2.auth_url", &auth_url)?,
                token_url: parse_url("oauth2.token_url", &token_url)?,
                revoke_url: parse_url("oauth2.revoke_url", &revoke_url)?,
                client_id,
                client_secret: Secret::new(client_secret),
                scope: value("oauth2.scope")?.unwrap_or_else(|| DEFAULT_SCOPE.to_string()),
                state: value("oauth2.state")?.filter(|s| !s.is_empty()),
                redirect_uri: value("oauth2.redirect_uri")?
                    .unwrap_or_else(|| default_redirect.to_string()),
            },
        })
    }

    /// Whether the OAuth server consents by itself (the emulator, unless its connection asks
    /// for `emulator.consent: browser`), so no person is needed to log in.
    pub fn consents_automatically(&self) -> bool {
        self.consent == Consent::Automatic
    }
}

/// Runs `command` with the shell and takes its standard output (trimmed) as the secret; its
/// standard error goes to the user's terminal, the secret never into a message.
fn secret_from_command(command: &str) -> Result<String, String> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|err| format!("cannot run `sh -c`: {err}"))?;
    if !output.status.success() {
        return Err(format!("the command exited with {}", output.status));
    }
    let secret = String::from_utf8(output.stdout)
        .map_err(|_| "the command printed something that is not UTF-8".to_string())?;
    let secret = secret.trim().to_string();
    if secret.is_empty() {
        return Err("the command printed nothing".to_string());
    }
    Ok(secret)
}

fn join_origin(origin: &Url, path: &str) -> String {
    format!("{}{}", origin.origin().ascii_serialization(), path)
}
