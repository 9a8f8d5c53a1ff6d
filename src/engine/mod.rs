//! Executes a rendered request: authenticates each call, refreshes once on a 401, walks QBO
//! query pages (STARTPOSITION is a 1-based record offset; a short or empty page ends the walk),
//! takes the records of each page and hands them to the writer as they arrive.
//!
//! Each page is read on a blocking thread as the run's [`PagePlan`] says (whole, projected to
//! the CSV columns, or as record text for JSON Lines; see [`page`]), so pages are parsed in
//! parallel; the writer only hands the prepared records to the [`RecordSink`], in order.
//! Memory is bounded by the pages in flight, never by the record count.
//!
//! `walk.rs` pages a query so that every record is written once (ties, rows moving between
//! pages, a catch-up on what changed meanwhile), `seen.rs` keeps the ids written, `fetch.rs`
//! sends one call and reads its answer, `sink.rs` is where records go.

use crate::auth::Session;
use crate::diagnostics::Error;
use crate::http::ApiClient;
use crate::render::RenderedRequest;
use std::sync::Arc;

mod fetch;
pub mod page;
mod scan;
mod seen;
mod sink;
mod walk;

pub use fetch::call_with_auth;
pub use page::{Page, PagePlan, PageReader, RowKey, Unread};
pub use sink::{RecordSink, RunStats};

/// Runs `request` through `session`, handing the records `plan` selects to `sink`.
///
/// A paged query is walked by `walk.rs`: pages overlap by a row and must join, every record is
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
            let page = fetch::fetch_page(client, session, &request.call(1), plan, None).await?;
            fetch::write_page(&page, plan, sink, &mut stats)?;
            Ok(stats)
        }
    }
}
