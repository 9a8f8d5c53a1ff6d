//! Executes a rendered request: authenticates each call, refreshes once on a 401, walks QBO
//! query pages (STARTPOSITION is a 1-based record offset; a short or empty page ends the walk),
//! takes the records of each page and hands them to the writer as they arrive.
//!
//! Each page is read on a blocking thread as the run's [`PagePlan`] says (whole, projected to
//! the CSV columns, or as record text for JSON Lines; see [`page`]), so pages are parsed in
//! parallel; the writer only hands the prepared records to the [`RecordSink`], in order.
//! Memory is bounded by the pages in flight, never by the record count.

use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::http::{self, ApiCall, ApiClient, ApiResponse, CallError};
use crate::render::RenderedRequest;
use serde_json::Value;
use std::sync::Arc;

pub mod page;
mod seen;
mod walk;

pub use page::{Page, PagePlan, RowKey};

/// Where the engine hands records, page by page.
pub trait RecordSink {
    /// Takes one record.
    fn record(&mut self, record: &Value) -> Result<(), Error>;

    /// Takes one record as the JSON text the server sent (one JSON value, validated), with
    /// `projected`: the record reduced to what the run's [`PagePlan`] keeps for the sink (the
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

/// Runs `request` through `session`, handing the records `plan` selects to `sink`.
///
/// A paged query is walked by [`walk`]: pages overlap by a row and must join, every record is
/// written once, pages are fetched concurrently within `max_in_flight` and written in order,
/// and after several pages a catch-up asks for what changed meanwhile.
pub async fn run(
    request: &RenderedRequest,
    session: &Session,
    client: &ApiClient,
    plan: &Arc<PagePlan>,
    sink: &mut dyn RecordSink,
) -> Result<RunStats, Error> {
    tracing::debug!(plan = %plan, "reading pages");
    match &request.paging {
        Some(paging) => {
            walk::Walk::new(request, paging, session, client, plan)
                .run(sink)
                .await
        }
        None => {
            let mut stats = RunStats::default();
            let page = fetch_page(client, session, &request.call(1), plan).await?;
            write_page(&page, plan, sink, &mut stats)?;
            Ok(stats)
        }
    }
}

/// Sends one call and reads the page on a blocking thread as `plan` says (pages of a few MB
/// are parsed in parallel with the network and with each other).
async fn fetch_page(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
    plan: &Arc<PagePlan>,
) -> Result<Page, Error> {
    let plan = Arc::clone(plan);
    fetch_with(client, session, call, move |body| plan.read(body)).await
}

/// Sends one call and parses its whole JSON on a blocking thread.
async fn fetch_value(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
) -> Result<Value, Error> {
    fetch_with(client, session, call, |body| serde_json::from_slice(&body)).await
}

/// Sends one call and runs `read` on its body on a blocking thread.
async fn fetch_with<T: Send + 'static>(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
    read: impl FnOnce(bytes::Bytes) -> Result<T, serde_json::Error> + Send + 'static,
) -> Result<T, Error> {
    let response = call_with_auth(client, session, call).await?;
    let describe = call.describe();
    let tid = response.intuit_tid;
    let body = response.body;
    let parsed = tokio::task::spawn_blocking(move || read(body))
        .await
        .map_err(|err| Error::new(ErrorKind::Internal, format!("page parser stopped: {err}")))?;
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
    page: &Page,
    plan: &PagePlan,
    sink: &mut dyn RecordSink,
    stats: &mut RunStats,
) -> Result<u64, Error> {
    stats.pages += 1;
    stats.records += page.write(plan, sink)?;
    sink.page_done();
    Ok(page.rows())
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
