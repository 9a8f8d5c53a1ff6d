//! How each input row ended: [`RowResult`] (status, id, QBO's code, message, `intuit_tid`),
//! the record it becomes in the output, and the run's [`WriteStats`].

use crate::diagnostics::Error;
use crate::http::FailedCall;
use serde_json::{Value, json};

/// How a row ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// QBO did it.
    Ok,
    /// QBO refused it with a Fault (or another HTTP error).
    Fault,
    /// It could not be sent: the row does not render, or no answer came after the retries.
    Error,
}

impl Status {
    /// `ok`, `fault` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fault => "fault",
            Status::Error => "error",
        }
    }
}

/// The result of one input row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    /// The row's 1-based number.
    pub row: u64,
    /// The `requestid` sent with the call that carried the row (a batch's own id in batch mode).
    pub requestid: Option<String>,
    /// How it ended.
    pub status: Status,
    /// The record's `Id`.
    pub id: Option<String>,
    /// The record's `SyncToken` after the write.
    pub sync_token: Option<String>,
    /// QBO's error code (or the HTTP status when there was no Fault).
    pub code: Option<String>,
    /// QBO's message, or what went wrong.
    pub message: Option<String>,
    /// QBO's detail.
    pub detail: Option<String>,
    /// The `intuit_tid` of the answer.
    pub intuit_tid: Option<String>,
    /// Whether the row was sent again after a stale `SyncToken`.
    pub stale_retry: bool,
}

impl RowResult {
    pub(super) fn new(row: u64, requestid: Option<String>, status: Status) -> RowResult {
        RowResult {
            row,
            requestid,
            status,
            id: None,
            sync_token: None,
            code: None,
            message: None,
            detail: None,
            intuit_tid: None,
            stale_retry: false,
        }
    }

    /// A row that could not be sent, with why.
    pub(super) fn error(row: u64, requestid: Option<String>, error: &Error) -> RowResult {
        let mut result = RowResult::new(row, requestid, Status::Error);
        result.message = Some(match error.location() {
            Some(at) => format!(
                "{} ({}:{}:{})",
                error.message(),
                at.path.display(),
                at.line,
                at.column
            ),
            None => error.message().to_string(),
        });
        let notes: Vec<&str> = error
            .notes()
            .iter()
            .map(String::as_str)
            .filter(|n| !n.starts_with("intuit_tid: "))
            .collect();
        if !notes.is_empty() {
            result.detail = Some(notes.join("; "));
        }
        result
    }

    /// A row QBO refused.
    pub(super) fn refused(row: u64, requestid: Option<String>, failed: &FailedCall) -> RowResult {
        let mut result = RowResult::new(row, requestid, Status::Fault);
        match failed.fault.as_ref().and_then(|f| f.errors.first()) {
            Some(first) => {
                result.code = Some(first.code.clone());
                result.message = Some(first.message.clone());
                result.detail = (!first.detail.is_empty()).then(|| first.detail.clone());
            }
            None => {
                result.code = Some(failed.status.to_string());
                result.message = Some(format!("HTTP {} {}", failed.status, failed.reason));
                result.detail = failed.body_excerpt.clone();
            }
        }
        result.intuit_tid = failed.intuit_tid.clone();
        result
    }

    /// The result as the record written to the output: `row`, `requestid`, `status`, `id`,
    /// `sync_token`, `code`, `message`, `detail`, `intuit_tid`, `stale_retry`, in that order.
    pub fn to_record(&self) -> Value {
        json!({
            "row": self.row,
            "requestid": self.requestid,
            "status": self.status.as_str(),
            "id": self.id,
            "sync_token": self.sync_token,
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
            "intuit_tid": self.intuit_tid,
            "stale_retry": self.stale_retry,
        })
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Rows read.
    pub rows: u64,
    /// Rows whose status is not `ok`.
    pub failed: u64,
    /// HTTP calls made (batches, re-reads and resends included).
    pub calls: u64,
}
