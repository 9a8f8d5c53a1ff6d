//! The file token store (the default): one JSON file per connection and realm, mode 0600 in a
//! 0700 folder, always replaced whole (temp file, fsync, rename, fsync of the folder) so a crash
//! leaves the old or the new tokens, never a torn file. Refreshes take an exclusive lock on a
//! sibling `.lock` file so that processes sharing a connection on one machine refresh one at a
//! time.

use super::tokens::StoredTokens;
use crate::diagnostics::{Error, ErrorKind};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

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
pub struct FileStore {
    dir: PathBuf,
    connection: String,
}

impl FileStore {
    /// The store of `connection` under the data folder.
    pub fn for_connection(connection: &str) -> Result<FileStore, Error> {
        Ok(FileStore::in_home(&home_dir()?, connection))
    }

    /// The store of `connection` under the data folder `home` (what `QBO_RUN_HOME` names).
    pub fn in_home(home: &Path, connection: &str) -> FileStore {
        FileStore {
            dir: home.join("tokens"),
            connection: connection.to_string(),
        }
    }

    /// The connections that have token files under the data folder `home`, sorted.
    pub fn connections_in(home: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(home.join("tokens"))
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok())
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stem = name.strip_suffix(".json")?;
                let (connection, _realm) = stem.rsplit_once('@')?;
                (!connection.starts_with('.')).then(|| connection.to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        names
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
    use super::super::tokens::TokenGrant;
    use super::*;
    use crate::secret::Secret;

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
        let store = FileStore {
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
}
