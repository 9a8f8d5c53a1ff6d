//! The PostgreSQL token store: one row per connection and company in `qbo_run_tokens`, the
//! tokens sealed with the store key (`seal.rs`), shared by every process and machine that
//! names the same database.
//!
//! A refresh holds the row under `SELECT ... FOR UPDATE` (or, before the company's first row
//! exists, a transaction-scoped advisory lock on it) with a lock timeout; the caller re-reads
//! under the lock, refreshes only if still needed and writes the new refresh token in the same
//! transaction, which commits before the new access token is used. A process killed while
//! holding the lock loses nothing: the database rolls the transaction back and drops the lock
//! with the connection.

use super::seal::{StoreKey, warn_unencrypted};
use super::tokens::{STORE_VERSION, StoredTokens};
use crate::db::{Database, DbClient};
use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

const COLUMNS: &str = "realm_id, company_name, access_token_expires_at, access_token_obtained_at, \
    refresh_token_expires_at, refresh_token_hard_expires_at, refresh_token_obtained_at, \
    needs_login, key_id, secrets";

const UPSERT: &str = "INSERT INTO qbo_run_tokens (connection, realm_id, company_name, \
    access_token_expires_at, access_token_obtained_at, refresh_token_expires_at, \
    refresh_token_hard_expires_at, refresh_token_obtained_at, needs_login, key_id, secrets, \
    updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, now()) \
    ON CONFLICT (connection, realm_id) DO UPDATE SET \
    company_name = COALESCE(excluded.company_name, qbo_run_tokens.company_name), \
    access_token_expires_at = excluded.access_token_expires_at, \
    access_token_obtained_at = excluded.access_token_obtained_at, \
    refresh_token_expires_at = excluded.refresh_token_expires_at, \
    refresh_token_hard_expires_at = excluded.refresh_token_hard_expires_at, \
    refresh_token_obtained_at = excluded.refresh_token_obtained_at, \
    needs_login = excluded.needs_login, key_id = excluded.key_id, secrets = excluded.secrets, \
    updated_at = now()";

/// The token rows of one connection in one database.
#[derive(Debug, Clone)]
pub struct PgStore {
    db: Database,
    connection: String,
    key: Option<Arc<StoreKey>>,
    lock_timeout: Duration,
}

/// What a row's `secrets` column holds, sealed or not.
#[derive(serde::Serialize, serde::Deserialize)]
struct Secrets {
    access_token: Secret,
    refresh_token: Secret,
}

impl PgStore {
    /// The rows of `connection` in `db`, sealed with `key` when there is one.
    pub fn new(
        db: Database,
        connection: &str,
        key: Option<Arc<StoreKey>>,
        lock_timeout: Duration,
    ) -> PgStore {
        if key.is_none() {
            warn_unencrypted(db.label());
        }
        PgStore {
            db,
            connection: connection.to_string(),
            key,
            lock_timeout,
        }
    }

    /// The connections that have rows in `db`, sorted.
    pub async fn connections_in(db: &Database) -> Result<Vec<String>, Error> {
        let client = db.client().await?;
        let rows = client
            .query(
                "SELECT DISTINCT connection FROM qbo_run_tokens ORDER BY connection",
                &[],
            )
            .await
            .map_err(|e| db.failed("cannot list the stored connections", &e))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// `the database user@host/db`, for messages.
    pub fn describe(&self) -> String {
        format!("the database {}", self.db.label())
    }

    /// The database the rows are in.
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// The companies with a row for this connection, sorted.
    pub async fn realms(&self) -> Result<Vec<String>, Error> {
        let client = self.db.client().await?;
        let rows = client
            .query(
                "SELECT realm_id FROM qbo_run_tokens WHERE connection = $1 ORDER BY realm_id",
                &[&self.connection],
            )
            .await
            .map_err(|e| self.db.failed("cannot list the stored companies", &e))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    /// Every stored company of this connection.
    pub async fn list(&self) -> Result<Vec<StoredTokens>, Error> {
        let client = self.db.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM qbo_run_tokens WHERE connection = $1 ORDER BY realm_id"
                ),
                &[&self.connection],
            )
            .await
            .map_err(|e| self.db.failed("cannot read the stored tokens", &e))?;
        rows.iter().map(|row| self.tokens_of(row)).collect()
    }

    /// The tokens of `realm`, if stored.
    pub async fn load(&self, realm: &str) -> Result<Option<StoredTokens>, Error> {
        let client = self.db.client().await?;
        self.select(&client, realm, false).await
    }

    /// Stores `tokens` (outside any lock: a login).
    pub async fn save(&self, tokens: &StoredTokens) -> Result<(), Error> {
        let client = self.db.client().await?;
        self.upsert(&client, tokens).await
    }

    /// Deletes the row of `realm`; true if there was one.
    pub async fn remove(&self, realm: &str) -> Result<bool, Error> {
        let client = self.db.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM qbo_run_tokens WHERE connection = $1 AND realm_id = $2",
                &[&self.connection, &realm],
            )
            .await
            .map_err(|e| self.db.failed("cannot delete the stored tokens", &e))?;
        Ok(deleted > 0)
    }

    /// Locks the row of `realm` for a refresh (or a first login) and reads it under the lock.
    pub async fn lock(&self, realm: &str) -> Result<PgLock, Error> {
        let client = self.db.client().await?;
        let mut lock = PgLock {
            client: Some(client),
            store: self.clone(),
            realm: realm.to_string(),
            current: None,
        };
        let client = lock.client()?;
        client
            .batch_execute(&format!(
                "BEGIN; SET LOCAL lock_timeout = '{}ms'",
                self.lock_timeout.as_millis().max(1)
            ))
            .await
            .map_err(|e| self.db.failed("cannot start a transaction", &e))?;
        let mut current = self
            .select(client, realm, true)
            .await
            .map_err(|e| self.lock_error(realm, e))?;
        if current.is_none() {
            let key = format!("qbo_run_tokens:{}:{realm}", self.connection);
            client
                .execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                    &[&key],
                )
                .await
                .map_err(|e| self.lock_error(realm, self.db.failed("cannot lock", &e)))?;
            current = self.select(client, realm, true).await?;
        }
        lock.current = current;
        Ok(lock)
    }

    fn lock_error(&self, realm: &str, error: Error) -> Error {
        if error.message().contains("(55P03)") {
            return Error::new(
                ErrorKind::Transient,
                format!(
                    "cannot lock the tokens of company {realm} (connection `{}`) in {} within {} s: another process holds them",
                    self.connection,
                    self.describe(),
                    self.lock_timeout.as_secs_f64()
                ),
            )
            .note("another qbo-run is refreshing this company's tokens; try again (QBO_RUN_STORE_LOCK_TIMEOUT sets the wait in seconds)");
        }
        error
    }

    async fn select(
        &self,
        client: &DbClient,
        realm: &str,
        for_update: bool,
    ) -> Result<Option<StoredTokens>, Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM qbo_run_tokens WHERE connection = $1 AND realm_id = $2{}",
            if for_update { " FOR UPDATE" } else { "" }
        );
        let row = client
            .query_opt(&sql, &[&self.connection, &realm])
            .await
            .map_err(|e| self.db.failed("cannot read the stored tokens", &e))?;
        row.map(|row| self.tokens_of(&row)).transpose()
    }

    async fn upsert(&self, client: &DbClient, tokens: &StoredTokens) -> Result<(), Error> {
        let secrets = serde_json::to_vec(&Secrets {
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
        })
        .map_err(|err| Error::new(ErrorKind::Internal, format!("cannot encode tokens: {err}")))?;
        let context = self.context(&tokens.realm_id);
        let (key_id, secrets) = match &self.key {
            Some(key) => (Some(key.id().to_string()), key.seal(&context, &secrets)?),
            None => (None, secrets),
        };
        client
            .execute(
                UPSERT,
                &[
                    &self.connection,
                    &tokens.realm_id,
                    &tokens.company_name,
                    &tokens.access_token_expires_at,
                    &tokens.access_token_obtained_at,
                    &tokens.refresh_token_expires_at,
                    &tokens.refresh_token_hard_expires_at,
                    &tokens.refresh_token_obtained_at,
                    &tokens.needs_login,
                    &key_id,
                    &secrets,
                ],
            )
            .await
            .map_err(|e| self.db.failed("cannot store the tokens", &e))?;
        Ok(())
    }

    /// The associated data that binds a sealed value to its row.
    fn context(&self, realm: &str) -> Vec<u8> {
        format!("qbo-run tokens v1\0{}\0{realm}", self.connection).into_bytes()
    }

    fn tokens_of(&self, row: &tokio_postgres::Row) -> Result<StoredTokens, Error> {
        let realm: String = row.get("realm_id");
        let key_id: Option<String> = row.get("key_id");
        let stored: Vec<u8> = row.get("secrets");
        let plain = match (&key_id, &self.key) {
            (None, _) => stored,
            (Some(id), Some(key)) if id == key.id() => key
                .open(&self.context(&realm), &stored)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::AuthNeedsLogin,
                        format!(
                            "the stored tokens of company {realm} (connection `{}`) do not decrypt: the row was changed or copied from another one",
                            self.connection
                        ),
                    )
                    .note(format!("log in again: qbo-run auth login {}", self.connection))
                })?,
            (Some(id), Some(key)) => {
                return Err(Error::usage(format!(
                    "the stored tokens of company {realm} (connection `{}`) were encrypted with another key (id {id}; QBO_RUN_STORE_KEY has id {})",
                    self.connection,
                    key.id()
                ))
                .note("set QBO_RUN_STORE_KEY to the key the other machines use"));
            }
            (Some(id), None) => {
                return Err(Error::usage(format!(
                    "the stored tokens of company {realm} (connection `{}`) are encrypted (key id {id}) and QBO_RUN_STORE_KEY is not set",
                    self.connection
                ))
                .note("set QBO_RUN_STORE_KEY (or QBO_RUN_STORE_KEY_COMMAND) to the key the other machines use"));
            }
        };
        let secrets: Secrets = serde_json::from_slice(&plain).map_err(|err| {
            Error::new(
                ErrorKind::AuthNeedsLogin,
                format!(
                    "the stored tokens of company {realm} (connection `{}`) are damaged: {err}",
                    self.connection
                ),
            )
            .note(format!(
                "log in again: qbo-run auth login {}",
                self.connection
            ))
        })?;
        Ok(StoredTokens {
            version: STORE_VERSION,
            connection: self.connection.clone(),
            realm_id: realm,
            access_token: secrets.access_token,
            access_token_expires_at: row.get::<_, DateTime<Utc>>("access_token_expires_at"),
            access_token_obtained_at: row.get::<_, DateTime<Utc>>("access_token_obtained_at"),
            refresh_token: secrets.refresh_token,
            refresh_token_expires_at: row.get("refresh_token_expires_at"),
            refresh_token_hard_expires_at: row.get("refresh_token_hard_expires_at"),
            refresh_token_obtained_at: row.get::<_, DateTime<Utc>>("refresh_token_obtained_at"),
            needs_login: row.get("needs_login"),
            company_name: row.get("company_name"),
        })
    }
}

/// A company's row held for a refresh. [`PgLock::release`] commits; dropping it without
/// releasing closes its connection, which rolls back and frees the row.
pub struct PgLock {
    client: Option<DbClient>,
    store: PgStore,
    realm: String,
    current: Option<StoredTokens>,
}

impl PgLock {
    fn client(&self) -> Result<&DbClient, Error> {
        self.client
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::Internal, "the token lock was released"))
    }

    /// The tokens as stored when the lock was taken (or as last saved under it).
    pub fn current(&self) -> Option<&StoredTokens> {
        self.current.as_ref()
    }

    /// Writes `tokens` within the lock's transaction.
    pub async fn save(&mut self, tokens: &StoredTokens) -> Result<(), Error> {
        let store = self.store.clone();
        store.upsert(self.client()?, tokens).await?;
        self.current = Some(tokens.clone());
        Ok(())
    }

    /// Commits what was saved and frees the row.
    pub async fn release(mut self) -> Result<(), Error> {
        let client = self.client.take();
        let Some(client) = client else {
            return Ok(());
        };
        let committed = client.batch_execute("COMMIT").await;
        match committed {
            Ok(()) => Ok(()),
            Err(err) => {
                drop(deadpool_postgres::Object::take(client));
                Err(self.store.db.failed(
                    &format!("cannot commit the tokens of company {}", self.realm),
                    &err,
                ))
            }
        }
    }
}

impl Drop for PgLock {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Out of the pool and closed: the server rolls the transaction back.
            drop(deadpool_postgres::Object::take(client));
        }
    }
}
