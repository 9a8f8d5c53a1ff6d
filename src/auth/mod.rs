//! Keeps a connection's OAuth tokens valid for a run: loads them from the store, logs in on first
//! use when the server consents by itself (the emulator), refreshes ahead of expiry or after a
//! 401, and saves every new refresh token before the new access token is used.
//!
//! Refreshes happen under the store's cross-process lock and re-read the store first, so that
//! processes sharing a connection refresh once between them. An `invalid_grant` never deletes
//! stored tokens: they are marked as needing a login and the error says which command to run.

mod browser;
mod callback;
mod listener;
mod login;
mod oauth;
mod page;
mod store;

pub use callback::{Callback, Verdict};
pub use login::{CallbackMode, Consented, Reply, obtain_code};
pub use oauth::{LoginRequest, OAuthServer};
pub use page::LoginPage;
pub use store::{
    FileStore, PgStore, StoreKey, StoredTokens, TokenGrant, TokenLock, TokenStore, home_dir,
    home_dir_from_env,
};

use crate::connection::ResolvedConnection;
use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use chrono::Utc;
use tokio::sync::Mutex;

/// The longest time before expiry at which an access token is refreshed.
const REFRESH_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

/// A connection's tokens for one run.
pub struct Session {
    connection: ResolvedConnection,
    store: TokenStore,
    oauth: OAuthServer,
    realm_id: String,
    current: Mutex<StoredTokens>,
}

impl Session {
    /// Loads the tokens of `realm` (else of the connection's `realm_id`, else of its only stored
    /// company) from `store`; logs in when no person is needed.
    pub async fn open(
        connection: ResolvedConnection,
        http: reqwest::Client,
        store: TokenStore,
        realm: Option<&str>,
    ) -> Result<Session, Error> {
        let oauth = OAuthServer::new(connection.oauth.clone(), http.clone());
        let realm_id = match realm
            .map(str::to_string)
            .or_else(|| connection.realm_id.clone())
        {
            Some(realm) => realm,
            None => {
                let realms = store.realms().await?;
                match realms.as_slice() {
                    [only] => only.clone(),
                    [] if connection.consents_automatically() => String::new(),
                    [] => {
                        return Err(needs_login(
                            &connection,
                            "there are no tokens for this connection",
                        ));
                    }
                    _ => {
                        return Err(Error::usage(format!(
                            "connection `{}` has tokens for several companies ({})",
                            connection.name,
                            realms.join(", ")
                        ))
                        .note("pick one with --realm ID, or run over them all with --all-realms")
                        .note(format!(
                            "see them with: qbo-run auth list {}",
                            connection.name
                        )));
                    }
                }
            }
        };
        let stored = if realm_id.is_empty() {
            None
        } else {
            store.load(&realm_id).await?
        };
        if let (Some(asked), None) = (realm, &stored) {
            let stored = store.realms().await?;
            return Err(Error::new(
                ErrorKind::AuthNeedsLogin,
                format!(
                    "connection `{}` has no stored tokens for company {asked}",
                    connection.name
                ),
            )
            .note(if stored.is_empty() {
                "no company is stored yet".to_string()
            } else {
                format!("stored companies: {}", stored.join(", "))
            })
            .note(format!("run: {}", login_command(&connection))));
        }
        let session_tokens = match stored {
            Some(tokens) if tokens.needs_login => {
                return Err(needs_login(
                    &connection,
                    &format!(
                        "the OAuth server refused the stored refresh token of company {realm_id} earlier"
                    ),
                ));
            }
            Some(tokens) => tokens,
            None if connection.consents_automatically() => {
                if realm_id.is_empty() {
                    login_automatically(&connection, &oauth, &http, &store).await?
                } else {
                    let lock = store.lock(&realm_id).await?;
                    match lock.current().cloned() {
                        Some(tokens) => {
                            lock.release().await?;
                            tokens
                        }
                        None => {
                            lock.release().await?;
                            login_automatically(&connection, &oauth, &http, &store).await?
                        }
                    }
                }
            }
            None => {
                return Err(needs_login(
                    &connection,
                    &format!("there are no tokens for company {realm_id}"),
                ));
            }
        };
        let realm_id = session_tokens.realm_id.clone();
        let session = Session {
            connection,
            store,
            oauth,
            realm_id,
            current: Mutex::new(session_tokens),
        };
        Ok(session)
    }

    /// The company id the tokens are for.
    pub fn realm_id(&self) -> &str {
        &self.realm_id
    }

    /// Where the session's tokens are kept.
    pub fn store(&self) -> &TokenStore {
        &self.store
    }

    /// The connection this session belongs to.
    pub fn connection(&self) -> &ResolvedConnection {
        &self.connection
    }

    /// The secrets of this session, for redacting text that came from servers.
    pub async fn secrets(&self) -> Vec<Secret> {
        let current = self.current.lock().await;
        vec![
            current.access_token.clone(),
            current.refresh_token.clone(),
            self.connection.oauth.client_secret.clone(),
        ]
    }

    /// An access token good for at least the refresh margin, refreshing first if needed.
    pub async fn access_token(&self) -> Result<Secret, Error> {
        let mut current = self.current.lock().await;
        if current.access_token_fresh(margin(&current)) {
            return Ok(current.access_token.clone());
        }
        let refreshed = self.refresh_locked(&current, None).await?;
        *current = refreshed;
        Ok(current.access_token.clone())
    }

    /// Refreshes now, whatever the access token's expiry (`qbo-run auth refresh`).
    pub async fn refresh_now(&self) -> Result<StoredTokens, Error> {
        let mut current = self.current.lock().await;
        let rejected = current.access_token.clone();
        let refreshed = self.refresh_locked(&current, Some(&rejected)).await?;
        *current = refreshed.clone();
        Ok(refreshed)
    }

    /// Revokes the refresh token at the OAuth server, then deletes the stored tokens.
    pub async fn revoke(&self) -> Result<(), Error> {
        let current = self.current.lock().await;
        self.oauth.revoke(&current.refresh_token).await?;
        self.store.remove(&self.realm_id).await?;
        Ok(())
    }

    /// Called after the API refused `rejected` (401 / Fault 3200): refresh once, unless another
    /// task or process already did.
    pub async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, Error> {
        let mut current = self.current.lock().await;
        if &current.access_token != rejected {
            return Ok(current.access_token.clone());
        }
        let refreshed = self.refresh_locked(&current, Some(rejected)).await?;
        *current = refreshed;
        Ok(current.access_token.clone())
    }

    async fn refresh_locked(
        &self,
        held: &StoredTokens,
        rejected: Option<&Secret>,
    ) -> Result<StoredTokens, Error> {
        let mut lock = self.store.lock(&self.realm_id).await?;
        let mut tokens = lock.current().cloned().unwrap_or_else(|| held.clone());
        let rejected_again = rejected.is_some_and(|r| r == &tokens.access_token);
        if !tokens.needs_login && !rejected_again && tokens.access_token_fresh(margin(&tokens)) {
            lock.release().await?;
            tracing::debug!(connection = %self.connection.name, realm = %self.realm_id, "another process refreshed the tokens");
            return Ok(tokens);
        }
        if tokens.needs_login || tokens.refresh_token.is_empty() {
            lock.release().await?;
            return Err(needs_login(
                &self.connection,
                &format!(
                    "the stored tokens of company {} need a new login",
                    self.realm_id
                ),
            ));
        }
        tracing::info!(connection = %self.connection.name, realm = %self.realm_id, "refreshing the access token");
        match self.oauth.refresh(&tokens.refresh_token).await {
            Ok(grant) => {
                tokens.apply_refresh(grant);
                let saved = match lock.save(&tokens).await {
                    Ok(()) => lock.release().await,
                    Err(error) => Err(error),
                };
                if let Err(error) = saved {
                    return Err(self.rescue(&tokens, error));
                }
                Ok(tokens)
            }
            Err(err) if err.kind() == ErrorKind::AuthNeedsLogin => {
                tokens.needs_login = true;
                lock.save(&tokens).await?;
                lock.release().await?;
                Err(err.note(format!(
                    "the stored tokens are kept; a person must log in again: {}",
                    login_command(&self.connection)
                )))
            }
            Err(err) => {
                lock.release().await?;
                Err(err)
            }
        }
    }

    /// The OAuth server rotated the tokens but the store could not keep them: keeps them in a
    /// file on this machine so the new refresh token is not lost, and says how to put it back.
    fn rescue(&self, tokens: &StoredTokens, error: Error) -> Error {
        if matches!(self.store, TokenStore::File(_)) {
            return error;
        }
        let rescued = FileStore::for_connection(&self.connection.name)
            .and_then(|files| files.save(tokens).map(|()| files.path(&tokens.realm_id)));
        match rescued {
            Ok(path) => error
                .note(format!(
                    "the new tokens of company {} are kept in {} so they are not lost",
                    tokens.realm_id,
                    path.display()
                ))
                .note(format!(
                    "when the database is back, put them there with: qbo-run store push {}",
                    self.connection.name
                )),
            Err(also) => error.note(format!(
                "the new tokens could not be kept in a file either: {}",
                also.message()
            )),
        }
    }
}

fn margin(tokens: &StoredTokens) -> chrono::Duration {
    let lifetime = tokens.access_token_expires_at - tokens.access_token_obtained_at;
    REFRESH_MARGIN.min(lifetime / 4)
}

/// The command that logs in to `connection`.
pub fn login_command(connection: &ResolvedConnection) -> String {
    format!("qbo-run auth login {}", connection.name)
}

fn needs_login(connection: &ResolvedConnection, why: &str) -> Error {
    Error::new(
        ErrorKind::AuthNeedsLogin,
        format!("connection `{}` needs a login: {why}", connection.name),
    )
    .note(format!("run: {}", login_command(connection)))
}

/// The authorization-code flow against a server that consents at once (the emulator): follow
/// the authorize URL to its redirect, check `state`, exchange the code, store the tokens.
pub async fn login_automatically(
    connection: &ResolvedConnection,
    oauth: &OAuthServer,
    http: &reqwest::Client,
    store: &TokenStore,
) -> Result<StoredTokens, Error> {
    let login = oauth.start_login()?;
    tracing::info!(connection = %connection.name, "logging in (the emulator consents by itself)");
    let response = http
        .get(login.url.clone())
        .send()
        .await
        .map_err(|err| crate::http::unreachable("the authorization endpoint", &err))?;
    let location = crate::http::header(&response, "location").ok_or_else(|| {
        Error::new(
            ErrorKind::Remote,
            format!(
                "the authorization endpoint answered {} without redirecting",
                response.status()
            ),
        )
    })?;
    let callback = url::Url::parse(&location).map_err(|err| {
        Error::new(
            ErrorKind::Remote,
            format!("the authorization redirect is not a URL: {err}"),
        )
    })?;
    let callback = Callback::parse(&callback);
    let code = callback.accept(&login.state)?;
    let realm = callback
        .realm_id
        .clone()
        .or_else(|| connection.realm_id.clone())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Remote,
                "the authorization redirect has no realmId",
            )
        })?;
    let grant = oauth.exchange_code(&code, login.pkce_verifier).await?;
    let tokens = StoredTokens::new(&connection.name, &realm, grant);
    store.save(&tokens).await?;
    Ok(tokens)
}

/// Seconds until `at`, for status output.
pub fn seconds_until(at: chrono::DateTime<Utc>) -> i64 {
    (at - Utc::now()).num_seconds()
}
