//! The PostgreSQL database that processes on many machines share: the token store and the rate
//! governor live in it (`QBO_RUN_STORE=postgres://...`).
//!
//! Why it exists: one place opens the connection pool (TLS through rustls, as reqwest does, with
//! the Mozilla roots and any extra CA in `QBO_RUN_STORE_CA`), names the database in messages
//! without its password, turns every database failure into a transient error (exit code 6), and
//! creates the tables on first use under an advisory lock, with a schema version (`schema.rs`).
//! It never logs the URL.

mod errors;
mod schema;

pub use errors::describe;
use errors::pool_error;
pub use schema::SCHEMA_VERSION;

use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::OnceCell;

/// Connections a process keeps open to one database (a run over many companies refreshes and
/// governs several at once).
const POOL_SIZE: usize = 16;
/// How long opening a connection may take before the database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A pool of connections to one PostgreSQL database, with its tables in place.
#[derive(Clone)]
pub struct Database {
    inner: Arc<Inner>,
}

struct Inner {
    pool: deadpool_postgres::Pool,
    label: String,
    schema: OnceCell<()>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Database")
            .field("label", &self.inner.label)
            .finish()
    }
}

/// A pooled connection, schema ensured.
pub type DbClient = deadpool_postgres::Object;

impl Database {
    /// The database `url` names (`postgres://user:password@host:port/db?sslmode=...`), shared
    /// by everything in the process that names the same URL. Nothing is connected yet.
    pub fn open(url: &Secret) -> Result<Database, Error> {
        static OPEN: OnceLock<Mutex<HashMap<String, Database>>> = OnceLock::new();
        let open = OPEN.get_or_init(Default::default);
        let mut open = match open.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(database) = open.get(url.expose()) {
            return Ok(database.clone());
        }
        let database = Database::connect_lazily(url)?;
        open.insert(url.expose().to_string(), database.clone());
        Ok(database)
    }

    fn connect_lazily(url: &Secret) -> Result<Database, Error> {
        let mut config = tokio_postgres::Config::from_str(url.expose()).map_err(|err| {
            Error::usage(format!(
                "the token store URL is not a PostgreSQL connection string: {err}"
            ))
            .note("expected postgres://USER:PASSWORD@HOST:PORT/DATABASE (or host=... dbname=...)")
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("qbo-run");
        }
        let label = label_of(&config);
        let manager = deadpool_postgres::Manager::from_config(
            config,
            tls()?,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        );
        let pool = deadpool_postgres::Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(CONNECT_TIMEOUT * 3))
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|err| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot set up the database pool: {err}"),
                )
            })?;
        Ok(Database {
            inner: Arc::new(Inner {
                pool,
                label,
                schema: OnceCell::new(),
            }),
        })
    }

    /// `user@host:port/db`, for messages (never the password).
    pub fn label(&self) -> &str {
        &self.inner.label
    }

    /// A connection from the pool; the tables are created first if this process has not checked
    /// them yet.
    pub async fn client(&self) -> Result<DbClient, Error> {
        let client = self.inner.pool.get().await.map_err(|err| {
            Error::new(
                ErrorKind::Transient,
                format!(
                    "cannot reach the database {}: {}",
                    self.label(),
                    pool_error(&err)
                ),
            )
            .note(
                "qbo-run keeps tokens and QBO's limits in it (QBO_RUN_STORE); nothing was changed",
            )
        })?;
        self.inner
            .schema
            .get_or_try_init(|| schema::ensure(&client, self.label()))
            .await?;
        Ok(client)
    }

    /// The error of a failed statement, naming what was being done.
    pub fn failed(&self, doing: &str, err: &tokio_postgres::Error) -> Error {
        let kind = match err.code() {
            Some(code) if code == &tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE => {
                ErrorKind::Transient
            }
            Some(code) if code.code().starts_with("42") => ErrorKind::Internal,
            _ => ErrorKind::Transient,
        };
        Error::new(
            kind,
            format!("database {}: {doing}: {}", self.label(), describe(err)),
        )
    }
}

fn label_of(config: &tokio_postgres::Config) -> String {
    let user = config.get_user().unwrap_or("");
    let host = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect::<Vec<_>>()
        .join(",");
    let port = config
        .get_ports()
        .first()
        .map(|p| format!(":{p}"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or(user);
    if user.is_empty() {
        format!("{host}{port}/{db}")
    } else {
        format!("{user}@{host}{port}/{db}")
    }
}

/// rustls with the Mozilla roots, plus the certificates of `QBO_RUN_STORE_CA` (a PEM file) for
/// a private CA.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, Error> {
    let roots = crate::tls::roots(crate::tls::STORE_CA)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| Error::new(ErrorKind::Internal, format!("TLS setup: {err}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_names_user_host_port_and_database_but_no_password() {
        let config =
            tokio_postgres::Config::from_str("postgres://app:s3cret@db.internal:5433/books")
                .expect("url");
        let label = label_of(&config);
        assert_eq!(label, "app@db.internal:5433/books");
        assert!(!label.contains("s3cret"));
        let config =
            tokio_postgres::Config::from_str("host=/run/pg user=postgres").expect("key-value form");
        assert_eq!(label_of(&config), "postgres@/run/pg/postgres");
    }

    #[test]
    fn a_url_that_is_not_postgres_is_a_usage_error_without_the_url() {
        let url = Secret::new("postgres://u:pw@host:notaport/db");
        let err = Database::open(&url).expect_err("bad port");
        assert_eq!(err.kind(), ErrorKind::Usage);
        assert!(!err.message().contains("pw"), "{}", err.message());
    }
}
