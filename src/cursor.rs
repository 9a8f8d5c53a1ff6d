//! The incremental cursor of a run: the highest cursor value among the records it writes, the
//! records it wrote at that value, and the records the last run already wrote at the cursor it
//! resumes from (which are not written again).
//!
//! Why it exists: QBO's `MetaData.LastUpdatedTime` has whole seconds. A run that resumes with
//! `> cursor` loses every change made in the cursor's second after the last run read it; one
//! that resumes with `>= cursor` gets them, but also what the last run already wrote in that
//! second. So the cursor is inclusive and the state file keeps, beside it, the record identities
//! written at it ([`identity`]: entity, `Id` and `SyncToken` or deleted status). A record at the
//! cursor with one of those identities is skipped; a record changed again in the same second
//! has a new `SyncToken`, so it is written.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::extract::JsonPath;
use crate::state::{self, SavedState, compare_cursors};

/// What identifies one version of a record: `entity/Id/SyncToken` (a deleted CDC object has its
/// status where the token would be; a query record has no entity). `None` without an `Id`.
pub fn identity(record: &Value) -> Option<String> {
    let text = |key: &str| match record.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let id = text("Id")?;
    let version = text("SyncToken")
        .or_else(|| text("status"))
        .unwrap_or_default();
    Some(match text("entity") {
        Some(entity) => format!("{entity}/{id}/{version}"),
        None => format!("{id}/{version}"),
    })
}

/// The paths [`identity`] reads, for projections that must keep what it needs.
pub const IDENTITY_PATHS: [&str; 4] = ["$.Id", "$.SyncToken", "$.status", "$.entity"];

/// What a [`Cursor`] needs of one record, read where the record is read (so that the record
/// need not be kept until it is written): its cursor value and its [`identity`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CursorRead {
    value: Option<String>,
    identity: Option<String>,
}

impl CursorRead {
    /// What the cursor at `path` reads of `record` (whole, or projected to the path and to
    /// [`IDENTITY_PATHS`]).
    #[must_use]
    pub fn of(path: &JsonPath, record: &Value) -> CursorRead {
        let value = path.first(record).and_then(state::cursor_text);
        let identity = value.as_ref().and_then(|_| identity(record));
        CursorRead { value, identity }
    }
}

/// The cursor of one run.
#[derive(Debug)]
pub struct Cursor<'p> {
    path: &'p JsonPath,
    /// The cursor the run resumed from and what was written at it, when it resumed from one.
    resumed: Option<(String, BTreeSet<String>)>,
    highest: Option<String>,
    /// Identities of the records written at `highest`.
    at_highest: BTreeSet<String>,
}

impl<'p> Cursor<'p> {
    /// The cursor of records read at `path`, resuming from `saved` (the state the run's
    /// variable came from; `None` for a first run or a `--var` that overrides it).
    pub fn new(path: &'p JsonPath, saved: Option<&SavedState>) -> Cursor<'p> {
        Cursor {
            path,
            resumed: saved.map(|s| {
                (
                    s.cursor.clone(),
                    s.written_at_cursor.iter().cloned().collect(),
                )
            }),
            highest: None,
            at_highest: BTreeSet::new(),
        }
    }

    /// Whether `record` (whole, or projected to the cursor path and its identity) is to be
    /// written: `false` when the last run already wrote this version at the cursor. A written
    /// record's cursor value is kept if it is the highest so far.
    pub fn admit(&mut self, record: &Value) -> bool {
        self.admit_read(&CursorRead::of(self.path, record))
    }

    /// [`Cursor::admit`] for what was read of a record by [`CursorRead::of`] with this
    /// cursor's path.
    pub fn admit_read(&mut self, read: &CursorRead) -> bool {
        let Some(value) = read.value.as_deref() else {
            return true;
        };
        let id = read.identity.as_deref();
        if let (Some((resumed, written)), Some(id)) = (&self.resumed, id)
            && compare_cursors(value, resumed).is_eq()
            && written.contains(id)
        {
            return false;
        }
        let order = match &self.highest {
            Some(current) => compare_cursors(value, current),
            None => std::cmp::Ordering::Greater,
        };
        if order.is_gt() {
            self.highest = Some(value.to_owned());
            self.at_highest.clear();
        }
        if order.is_ge()
            && let Some(id) = id
        {
            self.at_highest.insert(id.to_owned());
        }
        true
    }

    /// The cursor to save and the identities written at it, if the run wrote a record with a
    /// cursor value. When that is the cursor it resumed from, what the last run wrote there
    /// still counts.
    pub fn finish(self) -> Option<(String, Vec<String>)> {
        let highest = self.highest?;
        let mut written = self.at_highest;
        if let Some((resumed, before)) = self.resumed
            && compare_cursors(&highest, &resumed).is_eq()
        {
            written.extend(before);
        }
        Some((highest, written.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path() -> JsonPath {
        JsonPath::parse("$.MetaData.LastUpdatedTime").expect("path")
    }

    fn record(id: &str, token: &str, at: &str) -> Value {
        json!({"Id": id, "SyncToken": token, "MetaData": {"LastUpdatedTime": at}})
    }

    const T: &str = "2025-09-19T10:00:00-07:00";
    const LATER: &str = "2025-09-19T10:00:01-07:00";

    #[test]
    fn identities_name_a_version() {
        assert_eq!(identity(&record("7", "2", T)).as_deref(), Some("7/2"));
        assert_eq!(
            identity(&json!({"entity": "Invoice", "Id": "7", "status": "Deleted"})).as_deref(),
            Some("Invoice/7/Deleted")
        );
        assert_eq!(identity(&json!({"SyncToken": "1"})), None);
    }

    #[test]
    fn what_was_written_at_the_cursor_is_not_written_again() {
        let path = path();
        let saved = SavedState {
            cursor: T.into(),
            saved_at: chrono::Utc::now(),
            records: 2,
            written_at_cursor: vec!["1/0".into(), "2/0".into()],
        };
        let mut cursor = Cursor::new(&path, Some(&saved));
        assert!(
            !cursor.admit(&record("1", "0", T)),
            "written by the last run"
        );
        assert!(
            !cursor.admit(&record("2", "0", "2025-09-19T17:00:00Z")),
            "the same instant in another offset"
        );
        assert!(
            cursor.admit(&record("2", "1", T)),
            "changed again in the same second"
        );
        assert!(cursor.admit(&record("3", "0", T)), "new in the same second");
        assert_eq!(
            cursor.finish(),
            Some((
                T.to_string(),
                vec!["1/0".into(), "2/0".into(), "2/1".into(), "3/0".into()]
            ))
        );

        let mut cursor = Cursor::new(&path, Some(&saved));
        assert!(cursor.admit(&record("3", "0", T)));
        assert!(cursor.admit(&record("4", "0", LATER)));
        assert!(cursor.admit(&record("5", "3", LATER)));
        assert_eq!(
            cursor.finish(),
            Some((LATER.to_string(), vec!["4/0".into(), "5/3".into()]))
        );

        let mut first = Cursor::new(&path, None);
        assert!(first.admit(&record("1", "0", T)));
        assert!(first.admit(&json!({"Id": "9"})), "no cursor value: written");
        assert_eq!(first.finish(), Some((T.to_string(), vec!["1/0".into()])));
        assert_eq!(Cursor::new(&path, Some(&saved)).finish(), None);
    }
}
