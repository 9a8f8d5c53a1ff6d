//! `qbo-run store push|pull`: copies tokens between this machine's files and a PostgreSQL token
//! store, company by company, each under both stores' locks. A company's tokens are copied only
//! when they are newer than what the other store holds, so a copy never replaces a newer refresh
//! token with an older one.

use crate::auth::{FileStore, StoredTokens, TokenStore, home_dir};
use crate::cli::{CopyDirection, StoreCommand};
use crate::connection::StoreChoice;
use crate::db::Database;
use crate::diagnostics::{Error, ErrorKind};
use std::io::Write;

pub(super) async fn copy(command: StoreCommand) -> Result<(), Error> {
    let StoreChoice::Postgres(url) = StoreChoice::parse(&command.store, "--store")? else {
        return Err(Error::usage(
            "qbo-run store copies to or from a database: set QBO_RUN_STORE (or --store) to a postgres:// URL",
        ));
    };
    let db = Database::open(&url)?;
    let home = home_dir()?;
    let connections = if command.connections.is_empty() {
        match command.direction {
            CopyDirection::Push => FileStore::connections_in(&home),
            CopyDirection::Pull => crate::auth::PgStore::connections_in(&db).await?,
        }
    } else {
        command.connections.clone()
    };
    let mut out = std::io::stdout().lock();
    let (mut copied, mut kept) = (0, 0);
    for connection in &connections {
        let files = TokenStore::File(FileStore::in_home(&home, connection));
        let database = TokenStore::in_database(db.clone(), connection)?;
        let (from, to) = match command.direction {
            CopyDirection::Push => (&files, &database),
            CopyDirection::Pull => (&database, &files),
        };
        for tokens in from.list().await? {
            let mut lock = to.lock(&tokens.realm_id).await?;
            let newer = lock.current().is_none_or(|there| is_newer(&tokens, there));
            if newer {
                lock.save(&tokens).await?;
                lock.release().await?;
                copied += 1;
                let _ = writeln!(out, "copied  {connection} company {}", tokens.realm_id);
            } else {
                lock.release().await?;
                kept += 1;
                let _ = writeln!(
                    out,
                    "kept    {connection} company {} (the other store's tokens are as new or newer)",
                    tokens.realm_id
                );
            }
        }
    }
    let (from, to) = match command.direction {
        CopyDirection::Push => ("the token files", format!("the database {}", db.label())),
        CopyDirection::Pull => (
            "the database",
            format!("the token files under {}", home.display()),
        ),
    };
    let _ = writeln!(
        out,
        "{copied} compan{} copied from {from} to {to}, {kept} kept",
        if copied == 1 { "y" } else { "ies" }
    );
    if connections.is_empty() {
        return Err(Error::new(
            ErrorKind::AuthNeedsLogin,
            format!("there are no tokens in {from} to copy"),
        ));
    }
    Ok(())
}

/// Whether `candidate` holds a later token chain than `there`.
fn is_newer(candidate: &StoredTokens, there: &StoredTokens) -> bool {
    if candidate.refresh_token == there.refresh_token {
        return candidate.access_token_obtained_at > there.access_token_obtained_at;
    }
    candidate.refresh_token_obtained_at > there.refresh_token_obtained_at
}
