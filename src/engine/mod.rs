//! Executes a rendered request: authenticates each call, refreshes once on a 401, walks QBO
//! query pages (STARTPOSITION is a 1-based record offset; a short or empty page ends the walk),
//! takes the records of each page and hands them to the writer as they arrive.
//!
//! Memory is bounded by one page: a page is parsed, its records written, then dropped.

use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::extract::JsonPath;
use crate::http::{self, ApiCall, ApiClient, ApiResponse, CallError};
use crate::render::RenderedRequest;
use serde_json::Value;

/// Where the engine hands records, page by page.
pub trait RecordSink {
    /// Takes one record.
    fn record(&mut self, record: &Value) -> Result<(), Error>;
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
}

/// Runs `request` through `session`, handing the records selected by `records` to `sink`.
pub async fn run(
    request: &RenderedRequest,
    session: &Session,
    client: &ApiClient,
    records: &JsonPath,
    sink: &mut dyn RecordSink,
) -> Result<RunStats, Error> {
    let mut stats = RunStats::default();
    let mut start: u64 = 1;
    loop {
        let call = request.call(start);
        let response = call_with_auth(client, session, &call).await?;
        let page: Value = serde_json::from_slice(&response.body).map_err(|err| {
            Error::new(
                ErrorKind::Remote,
                format!("the answer to {} is not JSON: {err}", call.describe()),
            )
            .note(format!(
                "intuit_tid: {}",
                response.intuit_tid.as_deref().unwrap_or("(none)")
            ))
        })?;
        drop(response);
        stats.pages += 1;
        for record in records.select(&page) {
            sink.record(record)?;
            stats.records += 1;
        }
        sink.page_done();
        let Some(paging) = &request.paging else {
            return Ok(stats);
        };
        let rows = page_rows(&page);
        tracing::debug!(start, rows, "page");
        if rows < u64::from(paging.page_size) {
            return Ok(stats);
        }
        start += rows;
    }
}

/// The number of rows in a QBO query page: the length of the entity array in `QueryResponse`
/// (not the number of records selected, which a filtering JSONPath may make smaller).
fn page_rows(page: &Value) -> u64 {
    page.get("QueryResponse")
        .and_then(Value::as_object)
        .map(|response| {
            response
                .values()
                .filter_map(Value::as_array)
                .map(|rows| rows.len() as u64)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Sends `call` with the session's access token; after a 401 / Fault 3200, refreshes once and
/// sends it again.
pub async fn call_with_auth(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
) -> Result<ApiResponse, Error> {
    let token = session.access_token().await?;
    match http::send(client, call, &token).await {
        Ok(response) => Ok(response),
        Err(CallError::Failed(error)) => Err(error),
        Err(CallError::Unauthorized(first)) => {
            tracing::info!(request = %call.describe(), intuit_tid = first.intuit_tid.as_deref().unwrap_or(""), "access token refused; refreshing once");
            let token = session.refresh_after_rejection(&token).await?;
            match http::send(client, call, &token).await {
                Ok(response) => Ok(response),
                Err(CallError::Failed(error)) => Err(error),
                Err(CallError::Unauthorized(second)) => Err(Error::new(
                    ErrorKind::AuthNeedsLogin,
                    "QBO refused a freshly refreshed access token",
                )
                .note(second.into_error().message().to_string())
                .note(format!(
                    "run: {}",
                    crate::auth::login_command(session.connection())
                ))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::page_rows;
    use serde_json::json;

    #[test]
    fn counts_rows_of_the_entity_array() {
        let page = json!({"QueryResponse": {"Invoice": [{}, {}, {}], "startPosition": 1, "maxResults": 3}});
        assert_eq!(page_rows(&page), 3);
        assert_eq!(page_rows(&json!({"QueryResponse": {}})), 0);
        assert_eq!(page_rows(&json!({"Invoice": {}})), 0);
    }
}
