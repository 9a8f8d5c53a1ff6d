//! Incremental state: the highest cursor value (e.g. `MetaData.LastUpdatedTime`) that a request
//! has seen and the records it wrote at that value (`cursor.rs`), saved only after a run
//! succeeded, and read by the next run as a variable. Written like the token store: temp file,
//! fsync, rename; a failed or killed run leaves it unchanged.

use crate::diagnostics::Error;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a state file holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SavedState {
    /// The highest cursor value seen by the last successful run.
    pub cursor: String,
    /// When that run finished.
    pub saved_at: DateTime<Utc>,
    /// Records it wrote.
    pub records: u64,
    /// The records it wrote at the cursor value (`Id/SyncToken`, `Entity/Id/SyncToken` for
    /// CDC), which the next run, resuming at the cursor inclusively, does not write again.
    /// Missing in files of earlier versions.
    #[serde(default)]
    pub written_at_cursor: Vec<String>,
}

/// The default state file of a request run through a connection.
pub fn default_path(connection: &str, request: &str) -> Result<PathBuf, Error> {
    Ok(crate::auth::home_dir()?
        .join("state")
        .join(connection)
        .join(format!("{request}.json")))
}

/// Where the state of `request` for company `realm` of `connection` is kept, in a run over
/// several companies: under the data folder, one folder per company.
pub fn company_path(connection: &str, realm: &str, request: &str) -> Result<PathBuf, Error> {
    Ok(crate::auth::home_dir()?
        .join("state")
        .join(connection)
        .join(realm)
        .join(format!("{request}.json")))
}

/// Reads a state file; a missing file is `None`.
pub fn load(path: &Path) -> Result<Option<SavedState>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|err| {
            Error::output(format!("state file {} is damaged: {err}", path.display()))
                .note("delete it to start from the request's default, or fix it by hand")
        }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(Error::output(format!(
            "cannot read state file {}: {err}",
            path.display()
        ))),
    }
}

/// Replaces a state file atomically.
pub fn save(path: &Path, state: &SavedState) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = |what: &str, err: std::io::Error| {
        Error::output(format!(
            "cannot {what} state file {}: {err}",
            path.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(|err| fail("create the folder of", err))?;
    let mut temp = tempfile::Builder::new()
        .prefix(".state")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|err| fail("create a temp file for", err))?;
    let json = serde_json::to_vec_pretty(state)
        .map_err(|err| Error::output(format!("cannot encode state: {err}")))?;
    temp.write_all(&json)
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|err| fail("write", err))?;
    temp.persist(path)
        .map_err(|err| fail("replace", err.error))?;
    Ok(())
}

/// The text of a cursor value, if it is a scalar.
pub fn cursor_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Orders two cursor values: as instants when both are timestamps (offsets respected), as
/// numbers when both are numbers, else as text.
pub fn compare_cursors(a: &str, b: &str) -> Ordering {
    if let (Ok(x), Ok(y)) = (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        return x.cmp(&y);
    }
    if let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) {
        return x.total_cmp(&y);
    }
    a.cmp(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_compare_as_instants() {
        assert_eq!(
            compare_cursors("2025-01-01T10:00:00-07:00", "2025-01-01T12:00:00-05:00"),
            Ordering::Equal
        );
        assert_eq!(
            compare_cursors("2025-01-02T00:00:00-07:00", "2025-01-01T23:00:00-07:00"),
            Ordering::Greater
        );
        assert_eq!(compare_cursors("9", "10"), Ordering::Less);
    }

    #[test]
    fn saves_and_loads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("a").join("s.json");
        assert_eq!(load(&path).expect("missing is fine"), None);
        let state = SavedState {
            cursor: "2025-01-01T00:00:00-07:00".into(),
            saved_at: Utc::now(),
            records: 3,
            written_at_cursor: vec!["12/0".into()],
        };
        save(&path, &state).expect("saved");
        assert_eq!(load(&path).expect("loads"), Some(state));
        // A file of an earlier version, without the records at the cursor, still loads.
        std::fs::write(
            &path,
            r#"{"cursor": "2025-01-01T00:00:00-07:00", "saved_at": "2025-01-02T00:00:00Z", "records": 1}"#,
        )
        .expect("write");
        let old = load(&path).expect("loads").expect("present");
        assert!(old.written_at_cursor.is_empty());
    }
}
