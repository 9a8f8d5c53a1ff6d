//! The connections a process opened: each connection file resolved once (its in-process
//! emulator started if it uses one, its HTTP client and token store made), and each company's
//! session and limits opened once, shared by every run of the process that uses them.

use super::connect::{redact_error, resolve_live};
use crate::auth::{Session, TokenStore};
use crate::connection::ResolvedConnection;
use crate::diagnostics::Error;
use crate::http::{self, ApiClient, LimiterRegistry, RetryPolicy};
use crate::secret::Secret;
use crate::spec::ConnectionSpec;
use qbo_emulator::Emulator;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// A connection file resolved for this process.
pub(super) struct Resolved {
    /// URLs, client, realm.
    pub(super) connection: ResolvedConnection,
    /// The connection's HTTP client (OAuth, and API calls through a proxy).
    pub(super) http: reqwest::Client,
    /// How its API calls reach the server.
    pub(super) transport: http::Transport,
    /// Where its tokens are.
    pub(super) store: TokenStore,
}

/// One company of a connection, opened: its tokens and its client.
pub(super) struct Opened {
    /// The company's tokens.
    pub(super) session: Session,
    /// Sends its calls within its limits.
    pub(super) client: ApiClient,
    /// What to scrub from error text.
    pub(super) secrets: Vec<Secret>,
}

type Cells<K, V> = std::sync::Mutex<HashMap<K, Arc<OnceCell<Arc<V>>>>>;

/// The connections this process opened, and the emulators it started for them.
#[derive(Default)]
pub(super) struct Connections {
    resolved: Cells<PathBuf, Resolved>,
    opened: Cells<(PathBuf, Option<String>), Opened>,
    limiters: LimiterRegistry,
    emulators: std::sync::Mutex<Vec<Emulator>>,
}

/// The cell of `key` in `cells`, made empty on first use.
fn cell<K: std::hash::Hash + Eq, V>(cells: &Cells<K, V>, key: K) -> Arc<OnceCell<Arc<V>>> {
    let mut cells = match cells.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    Arc::clone(cells.entry(key).or_default())
}

impl Connections {
    /// The connection file at `path`, resolved once for the process.
    pub(super) async fn resolve(
        &self,
        spec: &ConnectionSpec,
        path: &Path,
    ) -> Result<Arc<Resolved>, Error> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let cell = cell(&self.resolved, key);
        let resolved = cell
            .get_or_try_init(|| async {
                let (connection, emulator) = resolve_live(spec).await?;
                if let Some(emulator) = emulator
                    && let Ok(mut emulators) = self.emulators.lock()
                {
                    emulators.push(emulator);
                }
                let http = http::client_with(&spec.timeouts)?;
                let transport = http::Transport::new(http.clone(), &spec.timeouts)?;
                let store = TokenStore::open(&connection.name, &connection.token_store)?;
                Ok::<_, Error>(Arc::new(Resolved {
                    connection,
                    http,
                    transport,
                    store,
                }))
            })
            .await?;
        Ok(Arc::clone(resolved))
    }

    /// Company `realm` (else the connection's default company) of the connection at `path`,
    /// opened once for the process.
    pub(super) async fn open(
        &self,
        spec: &ConnectionSpec,
        path: &Path,
        realm: Option<&str>,
    ) -> Result<Arc<Opened>, Error> {
        let resolved = self.resolve(spec, path).await?;
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let cell = cell(&self.opened, (key, realm.map(str::to_string)));
        let opened = cell
            .get_or_try_init(|| async {
                let secret = resolved.connection.oauth.client_secret.clone();
                let session = Session::open(
                    resolved.connection.clone(),
                    resolved.http.clone(),
                    resolved.store.clone(),
                    realm,
                )
                .await
                .map_err(|e| redact_error(e, &[&secret]))?;
                let company = format!(
                    "{}|{}",
                    session.connection().base_url.origin().ascii_serialization(),
                    session.realm_id()
                );
                let limiter = self.limiters.get(&company, || {
                    limiter_for(spec, session.store().database(), company.clone())
                });
                let secrets = session.secrets().await;
                Ok::<_, Error>(Arc::new(Opened {
                    session,
                    client: ApiClient {
                        transport: resolved.transport.clone(),
                        limiter,
                        policy: RetryPolicy::from(&spec.retry),
                        max_in_flight: spec.limits.max_in_flight,
                        request_timeout: std::time::Duration::from_secs(spec.timeouts.request_secs),
                    },
                    secrets,
                }))
            })
            .await?;
        Ok(Arc::clone(opened))
    }

    /// Stops the emulators this process started.
    pub(super) async fn shutdown(&self) {
        let emulators: Vec<Emulator> = match self.emulators.lock() {
            Ok(mut emulators) => emulators.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for emulator in emulators {
            emulator.shutdown().await;
        }
    }
}

/// The limits of one company: this process's own, and with a database store the governor every
/// process on it shares.
fn limiter_for(
    spec: &ConnectionSpec,
    database: Option<&crate::db::Database>,
    company: String,
) -> http::Limiter {
    let (in_flight, per_minute) = (spec.limits.max_in_flight, spec.limits.requests_per_minute);
    match database {
        Some(db) => http::Limiter::shared(
            in_flight,
            per_minute,
            http::Governor::new(
                db.clone(),
                company,
                in_flight,
                per_minute,
                std::time::Duration::from_secs(spec.timeouts.request_secs.saturating_add(30)),
            ),
        ),
        None => http::Limiter::new(in_flight, per_minute),
    }
}
