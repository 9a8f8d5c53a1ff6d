//! Where the engine hands records ([`RecordSink`]) and what a run did ([`RunStats`]).

use crate::cursor::CursorRead;
use crate::diagnostics::{Error, ErrorKind};
use crate::output::CellRow;
use serde_json::Value;

/// Where the engine hands records, page by page.
pub trait RecordSink {
    /// Takes one record.
    fn record(&mut self, record: &Value) -> Result<(), Error>;

    /// Takes one record as the JSON text the server sent (one JSON value, validated), with
    /// what the run's incremental cursor read of it when the run has one.
    ///
    /// The default parses the text and calls [`RecordSink::record`].
    fn raw_record(&mut self, raw: &str, cursor: Option<&CursorRead>) -> Result<(), Error> {
        let _ = cursor;
        let record: Value = serde_json::from_str(raw)
            .map_err(|err| Error::new(ErrorKind::Remote, format!("a record is not JSON: {err}")))?;
        self.record(&record)
    }

    /// Takes one record as the CSV cells of the run's columns (read by a
    /// [`super::PagePlan`] for CSV with columns), with what the run's incremental cursor read
    /// of it when the run has one.
    ///
    /// The default refuses them: only a sink that writes CSV with those columns can take them.
    fn cells(&mut self, row: CellRow<'_>, cursor: Option<&CursorRead>) -> Result<(), Error> {
        let _ = (row, cursor);
        Err(Error::new(
            ErrorKind::Internal,
            "rows of CSV cells were handed to a sink that takes records",
        ))
    }

    /// Called after each page's records.
    fn page_done(&mut self) {}
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// API calls that returned a page.
    pub pages: u64,
    /// Records written.
    pub records: u64,
    /// Calls besides the walk's pages: bridges between pages whose rows shifted, pages read
    /// again, and the catch-up on records changed while paging.
    pub extra_calls: u64,
}
