//! Where a connection's tokens live: files on this machine (the default), or a PostgreSQL
//! database that every process and machine of a deployment shares (`QBO_RUN_STORE`, or
//! `token_store:` in the connection file).
//!
//! Both give the same operations: list the stored companies, load, save, remove, and lock one
//! company for a refresh. A [`TokenLock`] reads the tokens after it is taken, saves under it, and
//! is released only after the new refresh token is stored, so that no process ever uses an access
//! token whose refresh token could be lost.

mod file;
mod postgres;
mod seal;
mod tokens;

pub use file::{FileStore, StoreLock, home_dir, home_dir_from_env};
pub use postgres::{PgLock, PgStore};
pub use seal::StoreKey;
pub use tokens::{StoredTokens, TokenGrant};

use crate::connection::StoreChoice;
use crate::db::Database;
use crate::diagnostics::{Error, ErrorKind};
use std::sync::Arc;
use std::time::Duration;

/// How long a refresh waits for another process's lock on the same company by default.
const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The tokens of one connection, in files or in a database.
#[derive(Debug, Clone)]
pub enum TokenStore {
    /// Files under the data folder.
    File(FileStore),
    /// Rows in PostgreSQL.
    Postgres(PgStore),
}

impl TokenStore {
    /// The store of `connection` that `choice` names.
    pub fn open(connection: &str, choice: &StoreChoice) -> Result<TokenStore, Error> {
        match choice {
            StoreChoice::File => Ok(TokenStore::File(FileStore::for_connection(connection)?)),
            StoreChoice::Postgres(url) => {
                let db = Database::open(url)?;
                Ok(TokenStore::Postgres(PgStore::new(
                    db,
                    connection,
                    store_key()?,
                    lock_timeout()?,
                )))
            }
        }
    }

    /// The database store of `connection` in `db` (for copying between stores).
    pub fn in_database(db: Database, connection: &str) -> Result<TokenStore, Error> {
        Ok(TokenStore::Postgres(PgStore::new(
            db,
            connection,
            store_key()?,
            lock_timeout()?,
        )))
    }

    /// Where the tokens are, for messages: a folder or a database (never a password).
    pub fn describe(&self, realm: &str) -> String {
        match self {
            TokenStore::File(store) => store.path(realm).display().to_string(),
            TokenStore::Postgres(store) => store.describe(),
        }
    }

    /// The database, when the store is one (the governor shares it).
    pub fn database(&self) -> Option<&Database> {
        match self {
            TokenStore::File(_) => None,
            TokenStore::Postgres(store) => Some(store.database()),
        }
    }

    /// The companies with stored tokens, sorted.
    pub async fn realms(&self) -> Result<Vec<String>, Error> {
        match self {
            TokenStore::File(store) => Ok(store.realms()),
            TokenStore::Postgres(store) => store.realms().await,
        }
    }

    /// Every stored company's tokens, by realm.
    pub async fn list(&self) -> Result<Vec<StoredTokens>, Error> {
        match self {
            TokenStore::File(store) => {
                let mut all = Vec::new();
                for realm in store.realms() {
                    if let Some(tokens) = store.load(&realm)? {
                        all.push(tokens);
                    }
                }
                Ok(all)
            }
            TokenStore::Postgres(store) => store.list().await,
        }
    }

    /// The tokens of `realm`, if stored.
    pub async fn load(&self, realm: &str) -> Result<Option<StoredTokens>, Error> {
        match self {
            TokenStore::File(store) => store.load(realm),
            TokenStore::Postgres(store) => store.load(realm).await,
        }
    }

    /// Stores `tokens` (a login; refreshes go through [`TokenStore::lock`]).
    pub async fn save(&self, tokens: &StoredTokens) -> Result<(), Error> {
        match self {
            TokenStore::File(store) => store.save(tokens),
            TokenStore::Postgres(store) => store.save(tokens).await,
        }
    }

    /// Deletes the tokens of `realm`; true if there were any.
    pub async fn remove(&self, realm: &str) -> Result<bool, Error> {
        match self {
            TokenStore::File(store) => store.remove(realm),
            TokenStore::Postgres(store) => store.remove(realm).await,
        }
    }

    /// Takes the exclusive lock of `realm` across processes and reads its tokens under it.
    pub async fn lock(&self, realm: &str) -> Result<TokenLock, Error> {
        match self {
            TokenStore::File(store) => {
                let locking = store.clone();
                let locked_realm = realm.to_string();
                let lock = tokio::task::spawn_blocking(move || locking.lock(&locked_realm))
                    .await
                    .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))??;
                let current = store.load(realm)?;
                Ok(TokenLock {
                    inner: LockInner::File {
                        store: store.clone(),
                        _lock: lock,
                        current: current.map(Box::new),
                    },
                })
            }
            TokenStore::Postgres(store) => Ok(TokenLock {
                inner: LockInner::Postgres(Box::new(store.lock(realm).await?)),
            }),
        }
    }
}

/// One company's tokens held exclusively across processes.
pub struct TokenLock {
    inner: LockInner,
}

enum LockInner {
    File {
        store: FileStore,
        _lock: StoreLock,
        current: Option<Box<StoredTokens>>,
    },
    Postgres(Box<PgLock>),
}

impl TokenLock {
    /// The tokens as stored when the lock was taken (or as last saved under it).
    pub fn current(&self) -> Option<&StoredTokens> {
        match &self.inner {
            LockInner::File { current, .. } => current.as_deref(),
            LockInner::Postgres(lock) => lock.current(),
        }
    }

    /// Stores `tokens` under the lock.
    pub async fn save(&mut self, tokens: &StoredTokens) -> Result<(), Error> {
        match &mut self.inner {
            LockInner::File { store, current, .. } => {
                store.save(tokens)?;
                *current = Some(Box::new(tokens.clone()));
                Ok(())
            }
            LockInner::Postgres(lock) => lock.save(tokens).await,
        }
    }

    /// Makes what was saved permanent and frees the lock.
    pub async fn release(self) -> Result<(), Error> {
        match self.inner {
            LockInner::File { .. } => Ok(()),
            LockInner::Postgres(lock) => (*lock).release().await,
        }
    }
}

fn store_key() -> Result<Option<Arc<StoreKey>>, Error> {
    Ok(StoreKey::from_env()?.map(Arc::new))
}

fn lock_timeout() -> Result<Duration, Error> {
    match std::env::var("QBO_RUN_STORE_LOCK_TIMEOUT") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 3600.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| {
                Error::usage(format!(
                    "QBO_RUN_STORE_LOCK_TIMEOUT `{text}` is not a number of seconds (0 to 3600)"
                ))
            }),
        _ => Ok(DEFAULT_LOCK_TIMEOUT),
    }
}
