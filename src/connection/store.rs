//! Which token store a connection uses: files on this machine, or a PostgreSQL database named
//! by `token_store:` in the connection file or by `QBO_RUN_STORE`.

use crate::diagnostics::Error;
use crate::secret::Secret;

/// Which store a connection uses: `file`, or a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreChoice {
    /// Files under the data folder.
    File,
    /// The database this URL names.
    Postgres(Secret),
}

impl StoreChoice {
    /// What `text` names: `file`, or a `postgres://` / `postgresql://` URL.
    pub fn parse(text: &Secret, source: &str) -> Result<StoreChoice, Error> {
        let value = text.expose().trim();
        if value.is_empty() || value.eq_ignore_ascii_case("file") {
            return Ok(StoreChoice::File);
        }
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return Ok(StoreChoice::Postgres(Secret::new(value)));
        }
        Err(
            Error::usage(format!("{source} is neither `file` nor a postgres:// URL"))
                .note("e.g. QBO_RUN_STORE=postgres://qbo:PASSWORD@db.internal:5432/qbo_run"),
        )
    }

    /// The choice of the environment: `QBO_RUN_STORE`, else files.
    pub fn from_env() -> Result<StoreChoice, Error> {
        match std::env::var("QBO_RUN_STORE") {
            Ok(value) => StoreChoice::parse(&Secret::new(value), "QBO_RUN_STORE"),
            Err(_) => Ok(StoreChoice::File),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::ErrorKind;

    #[test]
    fn the_store_is_files_or_a_postgres_url() {
        let parse = |text: &str| StoreChoice::parse(&Secret::new(text), "QBO_RUN_STORE");
        assert_eq!(parse("").expect("empty"), StoreChoice::File);
        assert_eq!(parse("file").expect("file"), StoreChoice::File);
        assert_eq!(
            parse("postgres://u:p@h/db").expect("url"),
            StoreChoice::Postgres(Secret::new("postgres://u:p@h/db"))
        );
        assert!(matches!(
            parse("postgresql://h/db").expect("url"),
            StoreChoice::Postgres(_)
        ));
        let err = parse("mysql://u:hunter2@h/db").expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::Usage);
        assert!(!err.message().contains("hunter2"), "{}", err.message());
    }
}
