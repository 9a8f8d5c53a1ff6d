//! One call of a run: sent with the session's access token (refreshed once after a 401), its
//! answer read on a blocking thread, and a page handed to the sink.

use super::page::{Page, PagePlan};
use super::sink::{RecordSink, RunStats};
use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::http::{self, ApiCall, ApiClient, ApiResponse, CallError};
use serde_json::Value;
use std::sync::Arc;

/// Sends one call and reads the page on a blocking thread as `plan` says (pages of a few MB
/// are parsed in parallel with the network and with each other).
pub(super) async fn fetch_page(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
    plan: &Arc<PagePlan>,
) -> Result<Page, Error> {
    let plan = Arc::clone(plan);
    fetch_with(client, session, call, move |body| plan.read(body)).await
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
