//! Where the engine hands records ([`RecordSink`]) and what a run did ([`RunStats`]).

use crate::diagnostics::{Error, ErrorKind};
use serde_json::Value;

/// Where the engine hands records, page by page.
pub trait RecordSink {
    /// Takes one record.
    fn record(&mut self, record: &Value) -> Result<(), Error>;

    /// Takes one record as the JSON text the server sent (one JSON value, validated), with
    /// `projected`: the record reduced to what the run's [`super::PagePlan`] keeps for the sink (the
    /// incremental cursor), when the plan keeps anything.
    ///
    /// The default parses the text and calls [`RecordSink::record`].
    fn raw_record(&mut self, raw: &str, projected: Option<&Value>) -> Result<(), Error> {
        let _ = projected;
        let record: Value = serde_json::from_str(raw)
            .map_err(|err| Error::new(ErrorKind::Remote, format!("a record is not JSON: {err}")))?;
        self.record(&record)
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
