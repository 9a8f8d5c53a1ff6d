//! `qbo-run auth ...`: log in, show, refresh, revoke, test and forget a connection's tokens.

use super::connect::{redact_error, resolve_live};
use crate::auth::Session;
use crate::cli::AuthCommand;
use crate::connection;
use crate::diagnostics::{Error, ErrorKind};
use crate::engine;
use crate::http::{self, ApiClient, RetryPolicy};
use crate::spec::ConnectionSpec;
use std::io::Write;

pub(super) async fn auth_command(command: AuthCommand) -> Result<(), Error> {
    let name = match &command {
        AuthCommand::Login { connection, .. } => connection,
        AuthCommand::Status(connection)
        | AuthCommand::Logout(connection)
        | AuthCommand::Refresh(connection)
        | AuthCommand::Revoke(connection)
        | AuthCommand::Test(connection) => connection,
    };
    let spec = ConnectionSpec::load(&connection::locate(name, None)?)?;
    let mut out = std::io::stdout().lock();
    match command {
        AuthCommand::Login { mode, timeout, .. } => {
            let (connection, emulator) = resolve_live(&spec).await?;
            let result = async {
                let http = http::client_with(&spec.timeouts)?;
                let store = crate::auth::TokenStore::for_connection(&connection.name)?;
                let mut oauth =
                    crate::auth::OAuthServer::new(connection.oauth.clone(), http.clone());
                let tokens = if connection.consents_automatically() {
                    crate::auth::login_automatically(&connection, &oauth, &http, &store).await?
                } else {
                    let (code, realm, login) = crate::auth::obtain_code(
                        &mut oauth,
                        &connection.oauth.redirect_uri,
                        mode,
                        timeout,
                    )
                    .await?;
                    let realm = realm
                        .or_else(|| connection.realm_id.clone())
                        .ok_or_else(|| {
                            Error::new(
                                ErrorKind::Remote,
                                "the callback carried no realmId; set realm_id in the connection",
                            )
                        })?;
                    let grant = oauth.exchange_code(&code, login.pkce_verifier).await?;
                    let tokens = crate::auth::StoredTokens::new(&connection.name, &realm, grant);
                    store.save(&tokens)?;
                    tokens
                };
                let _ = writeln!(
                    out,
                    "logged in: connection `{}`, company {}; tokens stored in {}",
                    connection.name,
                    tokens.realm_id,
                    store.path(&tokens.realm_id).display()
                );
                Ok(())
            }
            .await;
            if let Some(emulator) = emulator {
                emulator.shutdown().await;
            }
            result
        }
        AuthCommand::Status(_) => {
            let store = crate::auth::TokenStore::for_connection(&spec.name)?;
            let realms = store.realms();
            if realms.is_empty() {
                return Err(Error::new(
                    ErrorKind::AuthNeedsLogin,
                    format!("connection `{}` has no stored tokens", spec.name),
                )
                .note(format!("run: qbo-run auth login {}", spec.name)));
            }
            for realm in realms {
                let Some(tokens) = store.load(&realm)? else {
                    continue;
                };
                let when = |at: chrono::DateTime<chrono::Utc>| {
                    let left = crate::auth::seconds_until(at);
                    if left <= 0 {
                        format!("{} (expired)", at.to_rfc3339())
                    } else {
                        format!("{} (in {})", at.to_rfc3339(), human_duration(left))
                    }
                };
                let _ = writeln!(out, "connection:     {}", tokens.connection);
                let _ = writeln!(out, "company:        {}", tokens.realm_id);
                let _ = writeln!(
                    out,
                    "access token:   expires {}",
                    when(tokens.access_token_expires_at)
                );
                if let Some(at) = tokens.refresh_token_expires_at {
                    let warn = if crate::auth::seconds_until(at) < 14 * 86_400 {
                        "  WARNING: log in again soon"
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "refresh token:  expires {}{warn}", when(at));
                }
                if let Some(at) = tokens.refresh_token_hard_expires_at {
                    let _ = writeln!(out, "hard expiry:    {}", when(at));
                }
                if tokens.needs_login {
                    let _ = writeln!(
                        out,
                        "state:          needs a login (qbo-run auth login {})",
                        spec.name
                    );
                }
            }
            Ok(())
        }
        AuthCommand::Refresh(_) | AuthCommand::Revoke(_) | AuthCommand::Test(_) => {
            let (connection, emulator) = resolve_live(&spec).await?;
            let result = async {
                let http = http::client_with(&spec.timeouts)?;
                let secret = connection.oauth.client_secret.clone();
                let session = Session::open(connection, http.clone())
                    .await
                    .map_err(|e| redact_error(e, &[&secret]))?;
                match command {
                    AuthCommand::Refresh(_) => {
                        let tokens = session.refresh_now().await?;
                        let _ = writeln!(
                            out,
                            "refreshed: access token valid until {}",
                            tokens.access_token_expires_at.to_rfc3339()
                        );
                    }
                    AuthCommand::Revoke(_) => {
                        session.revoke().await?;
                        let _ = writeln!(
                            out,
                            "revoked the tokens of `{}` and deleted them here",
                            spec.name
                        );
                    }
                    _ => {
                        let client = ApiClient {
                            http: http.clone(),
                            limiter: std::sync::Arc::new(http::Limiter::new(
                                spec.limits.max_in_flight,
                                spec.limits.requests_per_minute,
                            )),
                            policy: RetryPolicy::from(&spec.retry),
                            max_in_flight: 1,
                        };
                        let info = company_info(&session, &client).await?;
                        let _ = writeln!(
                            out,
                            "connection `{}` works: company {} ({})",
                            spec.name,
                            session.realm_id(),
                            info
                        );
                    }
                }
                Ok(())
            }
            .await;
            if let Some(emulator) = emulator {
                emulator.shutdown().await;
            }
            result
        }
        AuthCommand::Logout(_) => {
            let store = crate::auth::TokenStore::for_connection(&spec.name)?;
            let realms = store.realms();
            for realm in &realms {
                store.remove(realm)?;
            }
            let _ = writeln!(
                out,
                "removed the stored tokens of `{}` ({} compan{})",
                spec.name,
                realms.len(),
                if realms.len() == 1 { "y" } else { "ies" }
            );
            Ok(())
        }
    }
}

/// The company name from CompanyInfo, through the session's tokens.
async fn company_info(session: &Session, client: &ApiClient) -> Result<String, Error> {
    let realm = session.realm_id();
    let base = session.connection().base_url.as_str().trim_end_matches('/');
    let url = url::Url::parse(&format!(
        "{base}/v3/company/{realm}/companyinfo/{realm}?minorversion={}",
        session.connection().minor_version
    ))
    .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))?;
    let call = crate::http::ApiCall {
        method: reqwest::Method::GET,
        url,
        headers: Vec::new(),
        body: None,
    };
    let response = engine::call_with_auth(client, session, &call).await?;
    let value: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|err| Error::new(ErrorKind::Remote, format!("CompanyInfo is not JSON: {err}")))?;
    Ok(value["CompanyInfo"]["CompanyName"]
        .as_str()
        .unwrap_or("no CompanyName")
        .to_string())
}

fn human_duration(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}
