//! The token store: one JSON file per connection and realm, mode 0600 in a 0700 folder, always
//! replaced whole (temp file, fsync, rename, fsync of the folder) so a crash leaves the old or
//! the new tokens, never a torn file. Refreshes take an exclusive lock on a sibling `.lock` file
//! so that processes sharing a connection refresh one at a time.

use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The store format version written by this build.
const STORE_VERSION: u32 = 1;

/// What is stored for one connection and realm.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredTokens {
    /// Format version.
    pub version: u32,
    /// The connection's name.
    pub connection: String,
    /// The company the tokens are for.
    pub realm_id: String,
    /// The bearer token for API calls.
    pub access_token: Secret,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// When the access token was obtained.
    pub access_token_obtained_at: DateTime<Utc>,
    /// The latest refresh token.
    pub refresh_token: Secret,
    /// When the refresh token expires unless used (rolling).
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// When the refresh token chain ends whatever happens (Intuit's 5-year limit), if known.
    pub refresh_token_hard_expires_at: Option<DateTime<Utc>>,
    /// When the refresh token was obtained.
    pub refresh_token_obtained_at: DateTime<Utc>,
    /// Set when the OAuth server refused the refresh token: a person must log in again.
    #[serde(default)]
    pub needs_login: bool,
}

impl StoredTokens {
    /// A new record, as obtained now.
    pub fn new(connection: &str, realm_id: &str, obtained: TokenGrant) -> StoredTokens {
        let now = Utc::now();
        StoredTokens {
            version: STORE_VERSION,
            connection: connection.to_string(),
            realm_id: realm_id.to_string(),
            access_token: obtained.access_token,
            access_token_expires_at: now + obtained.access_token_lifetime,
            access_token_obtained_at: now,
            refresh_token: obtained.refresh_token.unwrap_or_else(|| Secret::new("")),
            refresh_token_expires_at: obtained.refresh_token_lifetime.map(|d| now + d),
            refresh_token_hard_expires_at: obtained.refresh_token_hard_lifetime.map(|d| now + d),
            refresh_token_obtained_at: now,
            needs_login: false,
        }
    }

    /// Applies a refresh response: a new access token and, if the server sent one, a new
    /// refresh token (else the old one is kept).
    pub fn apply_refresh(&mut self, grant: TokenGrant) {
        let now = Utc::now();
        self.access_token = grant.access_token;
        self.access_token_expires_at = now + grant.access_token_lifetime;
        self.access_token_obtained_at = now;
        if let Some(refresh) = grant.refresh_token {
            if refresh != self.refresh_token {
                self.refresh_token_obtained_at = now;
            }
            self.refresh_token = refresh;
        }
        if let Some(lifetime) = grant.refresh_token_lifetime {
            self.refresh_token_expires_at = Some(now + lifetime);
        }
        if let Some(lifetime) = grant.refresh_token_hard_lifetime {
            self.refresh_token_hard_expires_at = Some(now + lifetime);
        }
        self.needs_login = false;
    }

    /// Whether the access token is still good for at least `margin`.
    pub fn access_token_fresh(&self, margin: chrono::Duration) -> bool {
        !self.access_token.is_empty() && self.access_token_expires_at - margin > Utc::now()
    }
}

/// Tokens as the token endpoint gave them, with lifetimes relative to now.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The new access token.
    pub access_token: Secret,
    /// Its lifetime.
    pub access_token_lifetime: chrono::Duration,
    /// A refresh token, when the response had one.
    pub refresh_token: Option<Secret>,
    /// `x_refresh_token_expires_in`.
    pub refresh_token_lifetime: Option<chrono::Duration>,
    /// `x_refresh_token_hard_expires_in`.
    pub refresh_token_hard_lifetime: Option<chrono::Duration>,
}

/// The folder holding qbo-run's data: `$QBO_RUN_HOME`, else the user's data folder.
pub fn home_dir() -> Result<PathBuf, Error> {
    home_dir_from_env()
        .or_else(|| dirs::data_dir().map(|d| d.join("qbo-run")))
        .ok_or_else(|| {
            Error::output("cannot find a data folder for the token store; set QBO_RUN_HOME")
        })
}

/// `$QBO_RUN_HOME`, when set.
pub fn home_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("QBO_RUN_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The token files of one connection.
#[derive(Debug, Clone)]
pub struct TokenStore {
    dir: PathBuf,
    connection: String,
}

impl TokenStore {
    /// The store of `connection` under the data folder.
    pub fn for_connection(connection: &str) -> Result<TokenStore, Error> {
        Ok(TokenStore::in_home(&home_dir()?, connection))
    }

    /// The store of `connection` under the data folder `home` (what `QBO_RUN_HOME` names).
    pub fn in_home(home: &Path, connection: &str) -> TokenStore {
        TokenStore {
            dir: home.join("tokens"),
            connection: connection.to_string(),
        }
    }

    /// The file for `realm`.
    pub fn path(&self, realm: &str) -> PathBuf {
        self.dir.join(format!("{}@{}.json", self.connection, realm))
    }

    /// The realms that have a token file for this connection.
    pub fn realms(&self) -> Vec<String> {
        let prefix = format!("{}@", self.connection);
        let mut realms: Vec<String> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let realm = name.strip_prefix(&prefix)?.strip_suffix(".json")?;
                Some(realm.to_string())
            })
            .collect();
        realms.sort();
        realms
    }

    /// Reads the tokens of `realm`, if any. A file that is not 0600 or does not parse is an error.
    pub fn load(&self, realm: &str) -> Result<Option<StoredTokens>, Error> {
        let path = self.path(realm);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => {
                return Err(Error::output(format!(
                    "cannot read token store {}: {err}",
                    path.display()
                )));
            }
        };
        check_private(&path)?;
        let tokens: StoredTokens = serde_json::from_str(&text).map_err(|err| {
            Error::new(
                ErrorKind::AuthNeedsLogin,
                format!("token store {} is damaged: {err}", path.display()),
            )
            .note(format!(
                "log in again: qbo-run auth login {}",
                self.connection
            ))
        })?;
        Ok(Some(tokens))
    }

    /// Replaces the tokens of their realm atomically.
    pub fn save(&self, tokens: &StoredTokens) -> Result<(), Error> {
        self.ensure_dir()?;
        let path = self.path(&tokens.realm_id);
        let io_error = |what: &str, err: std::io::Error| {
            Error::output(format!(
                "cannot {what} token store {}: {err}",
                path.display()
            ))
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".tokens")
            .suffix(".tmp")
            .tempfile_in(&self.dir)
            .map_err(|err| io_error("create a temp file for", err))?;
        set_mode(temp.as_file(), 0o600).map_err(|err| io_error("set the mode of", err))?;
        let json = serde_json::to_vec_pretty(tokens)
            .map_err(|err| Error::output(format!("cannot encode tokens: {err}")))?;
        temp.write_all(&json)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|err| io_error("write", err))?;
        temp.persist(&path)
            .map_err(|err| io_error("replace", err.error))?;
        if let Ok(dir) = File::open(&self.dir) {
            let _ = dir.sync_all();
        }
        self.remove_stale_temp_files();
        Ok(())
    }

    /// Deletes temp files that a killed writer left behind (older than ten minutes, so a write
    /// in progress in another process is never touched).
    fn remove_stale_temp_files(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with(".tokens") && name.ends_with(".tmp")) {
                continue;
            }
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(600));
            if stale {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    /// Removes the tokens of `realm`; true if there were any.
    pub fn remove(&self, realm: &str) -> Result<bool, Error> {
        match fs::remove_file(self.path(realm)) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(Error::output(format!(
                "cannot remove token store {}: {err}",
                self.path(realm).display()
            ))),
        }
    }

    /// Takes the exclusive refresh lock of `realm`, blocking until it is free.
    pub fn lock(&self, realm: &str) -> Result<StoreLock, Error> {
        self.ensure_dir()?;
        let path = self.dir.join(format!("{}@{}.lock", self.connection, realm));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|err| Error::output(format!("cannot open lock {}: {err}", path.display())))?;
        let _ = set_mode(&file, 0o600);
        file.lock()
            .map_err(|err| Error::output(format!("cannot lock {}: {err}", path.display())))?;
        Ok(StoreLock { _file: file })
    }

    fn ensure_dir(&self) -> Result<(), Error> {
        create_private_dir(&self.dir).map_err(|err| {
            Error::output(format!(
                "cannot create token folder {}: {err}",
                self.dir.display()
            ))
        })
    }
}

/// Held while a process refreshes; dropping it releases the lock.
pub struct StoreLock {
    _file: File,
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.is_dir() {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|err| Error::output(format!("cannot stat {}: {err}", path.display())))?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(Error::output(format!(
            "token store {} is readable by others (mode {mode:o}); refusing to use it",
            path.display()
        ))
        .note(format!("fix it with: chmod 600 {}", path.display())));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), Error> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(access: &str, refresh: Option<&str>) -> TokenGrant {
        TokenGrant {
            access_token: Secret::new(access),
            access_token_lifetime: chrono::Duration::seconds(3600),
            refresh_token: refresh.map(Secret::new),
            refresh_token_lifetime: Some(chrono::Duration::days(101)),
            refresh_token_hard_lifetime: None,
        }
    }

    #[test]
    fn saves_private_and_reloads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = TokenStore {
            dir: dir.path().join("tokens"),
            connection: "c".into(),
        };
        let tokens = StoredTokens::new("c", "123", grant("a1", Some("r1")));
        store.save(&tokens).expect("saved");
        assert_eq!(store.load("123").expect("loads"), Some(tokens));
        assert_eq!(store.realms(), vec!["123".to_string()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path("123"))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = fs::metadata(dir.path().join("tokens"))
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
            fs::set_permissions(store.path("123"), fs::Permissions::from_mode(0o644))
                .expect("chmod");
            let err = store.load("123").expect_err("refused");
            assert!(err.message().contains("readable by others"));
        }
    }

    #[test]
    fn refresh_without_refresh_token_keeps_the_old_one() {
        let mut tokens = StoredTokens::new("c", "1", grant("a1", Some("r1")));
        tokens.apply_refresh(grant("a2", None));
        assert_eq!(tokens.refresh_token.expose(), "r1");
        assert_eq!(tokens.access_token.expose(), "a2");
        tokens.apply_refresh(grant("a3", Some("r2")));
        assert_eq!(tokens.refresh_token.expose(), "r2");
    }
}
