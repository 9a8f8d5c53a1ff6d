//! One call of a run: sent with the session's access token (refreshed once after a 401), its
//! answer read on a blocking thread as it arrives, and a page handed to the sink.

use super::page::{Page, PagePlan, PageReader, Unread};
use super::sink::{RecordSink, RunStats};
use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::http::{
    self, ApiCall, ApiClient, ApiResponse, Body, BodyReader, CallError, Gather, Pace,
};
use crate::secret::Secret;
use serde_json::Value;
use std::sync::Arc;

impl BodyReader for PageReader {
    type Output = Result<Page, Unread>;

    fn feed(&mut self, chunk: &[u8]) -> bool {
        PageReader::feed(self, chunk)
    }

    fn finish(self) -> Result<Page, Unread> {
        PageReader::finish(self)
    }

    fn pace(&self) -> Option<Pace> {
        PageReader::pace(self)
    }
}

/// Sends one call and reads the page as `plan` says while it arrives, on a blocking thread
/// (pages are parsed in parallel with the network and with each other, and a page in flight
/// holds what it keeps of its records, not its body). A body that is not a plain QBO page
/// (see `scan.rs`) is asked for again and read whole, which gives the records the odd shape
/// has, or the error of a body that is not JSON. With a `pace`, the page waits for its turn
/// after reading a little (see [`crate::http::Turns`]).
pub(super) async fn fetch_page(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
    plan: &Arc<PagePlan>,
    pace: Option<&Pace>,
) -> Result<Page, Error> {
    let make = || plan.reader_paced(pace.cloned());
    let (body, tid) = authorized(client, session, call, Some(&make)).await?;
    let read = match body {
        Body::Read(Ok(page)) => return Ok(page),
        Body::Read(Err(Unread::NotJson(error))) => Err(error),
        Body::Read(Err(Unread::NotPlain)) => {
            tracing::debug!(request = %call.describe(), "not a plain query page; asking again to read it whole");
            return fetch_whole_page(client, session, call, plan).await;
        }
        Body::Whole(body) => {
            let plan = Arc::clone(plan);
            parse_off_runtime(move || plan.read(body)).await?
        }
    };
    read.map_err(|err| not_json(call, tid.as_deref(), &err))
}

/// Sends one call and reads its whole body as a page.
async fn fetch_whole_page(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
    plan: &Arc<PagePlan>,
) -> Result<Page, Error> {
    let plan = Arc::clone(plan);
    fetch_with(client, session, call, move |body| plan.read_whole(&body)).await
}

/// Runs `parse` on a blocking thread.
async fn parse_off_runtime<T: Send + 'static>(
    parse: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(parse)
        .await
        .map_err(|err| Error::new(ErrorKind::Internal, format!("page parser stopped: {err}")))
}

/// The error of an answer that is not JSON.
fn not_json(call: &ApiCall, tid: Option<&str>, err: &serde_json::Error) -> Error {
    Error::new(
        ErrorKind::Remote,
        format!("the answer to {} is not JSON: {err}", call.describe()),
    )
    .note(format!("intuit_tid: {}", tid.unwrap_or("(none)")))
}

/// Sends one call and parses its whole JSON on a blocking thread.
pub(super) async fn fetch_value(
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
    let tid = response.intuit_tid;
    let body = response.body;
    parse_off_runtime(move || read(body))
        .await?
        .map_err(|err| not_json(call, tid.as_deref(), &err))
}

/// Hands a page's records to the sink; returns the page's row count.
pub(super) fn write_page(
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
    let (body, intuit_tid) = authorized::<Gather>(client, session, call, None).await?;
    let body = match body {
        Body::Whole(body) | Body::Read(body) => body,
    };
    Ok(ApiResponse { body, intuit_tid })
}

/// [`call_with_auth`] with a successful body handed to a reader of `make` as it arrives.
async fn authorized<R: BodyReader>(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
    make: Option<&(dyn Fn() -> R + Sync)>,
) -> Result<(Body<R::Output>, Option<String>), Error> {
    let token: Secret = session.access_token().await?;
    match http::send_reading(client, call, &token, make).await {
        Ok(answer) => Ok(answer),
        Err(CallError::Failed(error)) => Err(error),
        Err(CallError::Unauthorized(first)) => {
            tracing::info!(request = %call.describe(), intuit_tid = first.intuit_tid.as_deref().unwrap_or(""), "access token refused; refreshing once");
            let token = session.refresh_after_rejection(&token).await?;
            match http::send_reading(client, call, &token, make).await {
                Ok(answer) => Ok(answer),
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
