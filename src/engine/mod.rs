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
use futures::StreamExt;
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
///
/// A paged query with `max_in_flight` above 1 is fetched concurrently: `count(*)` gives the
/// number of pages, up to `max_in_flight` pages are in flight at once, and pages are written in
/// order, so the output is the same as page after page. A short page ends the run as it would
/// sequentially; if every planned page was full (records were added meanwhile), the walk goes on
/// page after page.
pub async fn run(
    request: &RenderedRequest,
    session: &Session,
    client: &ApiClient,
    records: &JsonPath,
    sink: &mut dyn RecordSink,
) -> Result<RunStats, Error> {
    let mut stats = RunStats::default();
    let Some(paging) = &request.paging else {
        let page = fetch(client, session, &request.call(1)).await?;
        write_page(&page, records, sink, &mut stats)?;
        return Ok(stats);
    };
    let page_size = u64::from(paging.page_size);
    let mut start = 1;
    if client.max_in_flight > 1
        && let Some(total) = count(request, session, client).await
    {
        let planned = total.div_ceil(page_size);
        tracing::info!(
            total,
            pages = planned,
            in_flight = client.max_in_flight,
            "fetching pages concurrently"
        );
        let starts = (0..planned).map(|index| 1 + index * page_size);
        let mut pages = futures::stream::iter(starts)
            .map(|start| {
                let call = request.call(start);
                async move { fetch(client, session, &call).await }
            })
            .buffered(client.max_in_flight);
        while let Some(page) = pages.next().await {
            let page = page?;
            let rows = write_page(&page, records, sink, &mut stats)?;
            if rows < page_size {
                return Ok(stats);
            }
            start += rows;
        }
    }
    loop {
        let page = fetch(client, session, &request.call(start)).await?;
        let rows = write_page(&page, records, sink, &mut stats)?;
        tracing::debug!(start, rows, "page");
        if rows < page_size {
            return Ok(stats);
        }
        start += rows;
    }
}

/// Sends one call and parses its JSON on a blocking thread (pages of a few MB parse in
/// parallel with the network and with each other).
async fn fetch(client: &ApiClient, session: &Session, call: &ApiCall) -> Result<Value, Error> {
    let response = call_with_auth(client, session, call).await?;
    let describe = call.describe();
    let tid = response.intuit_tid.clone();
    let parsed =
        tokio::task::spawn_blocking(move || serde_json::from_slice::<Value>(&response.body))
            .await
            .map_err(|err| {
                Error::new(ErrorKind::Internal, format!("page parser stopped: {err}"))
            })?;
    parsed.map_err(|err| {
        Error::new(
            ErrorKind::Remote,
            format!("the answer to {describe} is not JSON: {err}"),
        )
        .note(format!(
            "intuit_tid: {}",
            tid.as_deref().unwrap_or("(none)")
        ))
    })
}

/// Hands a page's records to the sink; returns the page's row count.
fn write_page(
    page: &Value,
    records: &JsonPath,
    sink: &mut dyn RecordSink,
    stats: &mut RunStats,
) -> Result<u64, Error> {
    stats.pages += 1;
    for record in records.select(page) {
        sink.record(record)?;
        stats.records += 1;
    }
    sink.page_done();
    Ok(page_rows(page))
}

/// `count(*)` of the paged statement, or `None` when it cannot be asked (then pages are walked
/// one after another).
async fn count(request: &RenderedRequest, session: &Session, client: &ApiClient) -> Option<u64> {
    let statement = request.paging.as_ref()?.count_statement()?;
    match fetch(client, session, &request.call_with_statement(&statement)).await {
        Ok(answer) => answer
            .get("QueryResponse")
            .and_then(|r| r.get("totalCount"))
            .and_then(Value::as_u64),
        Err(error) => {
            tracing::info!(error = %error.message(), "count(*) failed; fetching pages one after another");
            None
        }
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
