//! `qbo-run auth ...`: log in, show, refresh, revoke, test and forget a connection's tokens.

use super::connect::{redact_error, resolve_live};
use crate::auth::{LoginPage, Session, StoredTokens, TokenStore};
use crate::cli::{AuthAction, AuthCommand};
use crate::connection::{self, ResolvedConnection};
use crate::diagnostics::{Error, ErrorKind};
use crate::engine;
use crate::http::{self, ApiClient, RetryPolicy};
use crate::spec::ConnectionSpec;
use std::io::Write;

pub(super) async fn auth_command(command: AuthCommand) -> Result<(), Error> {
    let AuthCommand {
        connection: name,
        realm,
        action,
    } = command;
    let spec = ConnectionSpec::load(&connection::locate(&name, None)?)?;
    let mut out = std::io::stdout().lock();
    match action {
        AuthAction::Login { mode, timeout } => {
            let (connection, emulator) = resolve_live(&spec).await?;
            let result = async {
                let http = http::client_with(&spec.timeouts)?;
                let store = TokenStore::open(&connection.name, &connection.token_store)?;
                let mut oauth =
                    crate::auth::OAuthServer::new(connection.oauth.clone(), http.clone());
                let (tokens, name) = if connection.consents_automatically() {
                    let tokens =
                        crate::auth::login_automatically(&connection, &oauth, &http, &store)
                            .await?;
                    let realm = tokens.realm_id.clone();
                    let name =
                        remember_company_name(&connection, &http, &spec, &store, &realm).await;
                    (tokens, name)
                } else {
                    let consent = crate::auth::obtain_code(
                        &mut oauth,
                        &connection.name,
                        &connection.oauth.redirect_uri,
                        mode,
                        timeout,
                    )
                    .await?;
                    let crate::auth::Consented {
                        code,
                        realm_id,
                        login,
                        reply,
                    } = consent;
                    // The browser waits for this: it is told only once the tokens are stored
                    // (or the exchange failed), never "connected" ahead of the token endpoint.
                    let exchanged = async {
                        let realm = realm_id
                            .or_else(|| connection.realm_id.clone())
                            .ok_or_else(|| {
                                Error::new(
                                    ErrorKind::Remote,
                                    "the callback carried no realmId; set realm_id in the connection",
                                )
                            })?;
                        let grant = oauth.exchange_code(&code, login.pkce_verifier).await?;
                        let tokens = StoredTokens::new(&connection.name, &realm, grant);
                        store.save(&tokens).await?;
                        Ok::<_, Error>(tokens)
                    }
                    .await;
                    match exchanged {
                        Ok(tokens) => {
                            let realm = tokens.realm_id.clone();
                            let name =
                                remember_company_name(&connection, &http, &spec, &store, &realm)
                                    .await;
                            reply
                                .send(&LoginPage::Connected {
                                    realm_id: realm,
                                    company_name: name.clone(),
                                })
                                .await;
                            (tokens, name)
                        }
                        Err(error) => {
                            let secret = connection.oauth.client_secret.clone();
                            let error = redact_error(error, &[&secret]);
                            reply
                                .send(&LoginPage::Failed {
                                    message: error.message().to_string(),
                                })
                                .await;
                            return Err(error);
                        }
                    }
                };
                let realm = tokens.realm_id.clone();
                let companies = store.realms().await?.len();
                let _ = writeln!(
                    out,
                    "logged in: connection `{}`, company {realm}{}; tokens stored in {} ({companies} compan{} stored for this connection)",
                    connection.name,
                    name.map(|n| format!(" ({n})")).unwrap_or_default(),
                    store.describe(&realm),
                    if companies == 1 { "y" } else { "ies" }
                );
                Ok(())
            }
            .await;
            if let Some(emulator) = emulator {
                emulator.shutdown().await;
            }
            result
        }
        AuthAction::Status | AuthAction::List => {
            let connection = ResolvedConnection::resolve(&spec, None)?;
            let store = TokenStore::open(&spec.name, &connection.token_store)?;
            let mut all = store.list().await?;
            if let Some(realm) = &realm {
                all.retain(|tokens| &tokens.realm_id == realm);
            }
            if all.is_empty() {
                return Err(Error::new(
                    ErrorKind::AuthNeedsLogin,
                    match &realm {
                        Some(realm) => format!(
                            "connection `{}` has no stored tokens for company {realm}",
                            spec.name
                        ),
                        None => format!("connection `{}` has no stored tokens", spec.name),
                    },
                )
                .note(format!("run: qbo-run auth login {}", spec.name)));
            }
            if matches!(action, AuthAction::List) {
                write_list(&mut out, &all);
            } else {
                for tokens in &all {
                    write_status(&mut out, &spec.name, tokens);
                }
            }
            Ok(())
        }
        AuthAction::Refresh | AuthAction::Revoke | AuthAction::Test => {
            let (connection, emulator) = resolve_live(&spec).await?;
            let result = async {
                let http = http::client_with(&spec.timeouts)?;
                let secret = connection.oauth.client_secret.clone();
                let store = TokenStore::open(&connection.name, &connection.token_store)?;
                let session = Session::open(connection, http.clone(), store, realm.as_deref())
                    .await
                    .map_err(|e| redact_error(e, &[&secret]))?;
                match action {
                    AuthAction::Refresh => {
                        let tokens = session.refresh_now().await?;
                        let _ = writeln!(
                            out,
                            "refreshed company {}: access token valid until {}",
                            tokens.realm_id,
                            tokens.access_token_expires_at.to_rfc3339()
                        );
                    }
                    AuthAction::Revoke => {
                        session.revoke().await?;
                        let _ = writeln!(
                            out,
                            "revoked the tokens of `{}` for company {} and deleted them here",
                            spec.name,
                            session.realm_id()
                        );
                    }
                    _ => {
                        let client = one_call_client(&spec, &http)?;
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
        AuthAction::Logout => {
            let connection = ResolvedConnection::resolve(&spec, None)?;
            let store = TokenStore::open(&spec.name, &connection.token_store)?;
            let realms = match &realm {
                Some(realm) => vec![realm.clone()],
                None => store.realms().await?,
            };
            let mut removed = 0;
            for realm in &realms {
                if store.remove(realm).await? {
                    removed += 1;
                }
            }
            let _ = writeln!(
                out,
                "removed the stored tokens of `{}` ({removed} compan{})",
                spec.name,
                if removed == 1 { "y" } else { "ies" }
            );
            Ok(())
        }
    }
}

/// A client for one call at a time within the connection's limits.
pub(super) fn one_call_client(
    spec: &ConnectionSpec,
    http: &reqwest::Client,
) -> Result<ApiClient, Error> {
    Ok(ApiClient {
        transport: http::Transport::new(http.clone(), &spec.timeouts)?,
        limiter: std::sync::Arc::new(http::Limiter::new(
            spec.limits.max_in_flight,
            spec.limits.requests_per_minute,
        )),
        policy: RetryPolicy::from(&spec.retry),
        max_in_flight: 1,
        request_timeout: std::time::Duration::from_secs(spec.timeouts.request_secs),
    })
}

/// Reads the new company's name (CompanyInfo) and keeps it with its tokens, for `auth list`;
/// a failure only costs the name.
async fn remember_company_name(
    connection: &crate::connection::ResolvedConnection,
    http: &reqwest::Client,
    spec: &ConnectionSpec,
    store: &TokenStore,
    realm: &str,
) -> Option<String> {
    let session = Session::open(connection.clone(), http.clone(), store.clone(), Some(realm))
        .await
        .ok()?;
    let name = match company_info(&session, &one_call_client(spec, http).ok()?).await {
        Ok(name) => name,
        Err(error) => {
            tracing::warn!(realm, error = %error.message(), "could not read the company's name");
            return None;
        }
    };
    let mut lock = store.lock(realm).await.ok()?;
    if let Some(mut tokens) = lock.current().cloned() {
        tokens.company_name = Some(name.clone());
        if lock.save(&tokens).await.is_ok() {
            let _ = lock.release().await;
        }
    }
    Some(name)
}

fn write_status(out: &mut impl Write, connection: &str, tokens: &StoredTokens) {
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
    if let Some(name) = &tokens.company_name {
        let _ = writeln!(out, "company name:   {name}");
    }
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
            "state:          needs a login (qbo-run auth login {connection})"
        );
    }
}

/// One line per company: realm, name, access and refresh expiry, whether a login is needed.
fn write_list(out: &mut impl Write, all: &[StoredTokens]) {
    let rows: Vec<[String; 5]> = all
        .iter()
        .map(|tokens| {
            [
                tokens.realm_id.clone(),
                tokens
                    .company_name
                    .clone()
                    .unwrap_or_else(|| "-".to_string()),
                tokens.access_token_expires_at.to_rfc3339(),
                tokens
                    .refresh_token_expires_at
                    .map(|at| at.to_rfc3339())
                    .unwrap_or_else(|| "-".to_string()),
                if tokens.needs_login { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    let header = [
        "REALM",
        "COMPANY",
        "ACCESS EXPIRES",
        "REFRESH EXPIRES",
        "NEEDS LOGIN",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        text
    };
    let _ = writeln!(out, "{}", line(header.to_vec()));
    for row in &rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

/// The company name from CompanyInfo, through the session's tokens.
pub(super) async fn company_info(session: &Session, client: &ApiClient) -> Result<String, Error> {
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
