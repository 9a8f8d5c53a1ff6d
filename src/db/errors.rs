//! Database failures in words: the server's message and code, a lost connection, a pool
//! timeout.

/// The text of a database error: the server's message when it sent one.
pub fn describe(err: &tokio_postgres::Error) -> String {
    match err.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None if err.is_closed() => "the connection to the database was lost".to_string(),
        None => err.to_string(),
    }
}

pub(super) fn pool_error(err: &deadpool_postgres::PoolError) -> String {
    match err {
        deadpool_postgres::PoolError::Backend(err) => describe(err),
        deadpool_postgres::PoolError::Timeout(_) => {
            "timed out waiting for a connection".to_string()
        }
        other => other.to_string(),
    }
}
