//! The walk over a QBO query's pages that writes every record exactly once, concurrently, even
//! when rows tie in the sort order and the company changes while it pages.
//!
//! QBO pages by offset (`STARTPOSITION`), so a page only continues the one before it when both
//! queries saw the same rows in the same order. Three things break that, and each has its
//! answer here:
//!
//! * **Ties.** QBO promises no order among rows with equal sort keys, and may order them anew on
//!   every query. The paged statement always ends its `ORDERBY` with `Id`
//!   ([`crate::statement`]), so no two rows tie.
//! * **Rows that move or vanish between two pages** (a record edited, and so moved in an order
//!   on `LastUpdatedTime`, or deleted): the offsets of everything after it shift. Consecutive
//!   pages overlap by one row, and a page must share at least one unchanged row (same `Id`,
//!   `SyncToken` and `LastUpdatedTime`) with the page written before it. When it does not, rows
//!   shifted into the gap between them, and a small *bridge* query (the rows just before the
//!   page, doubled until it reaches back far enough) fills it, checked against both pages.
//! * **Rows read twice** (a record read, then edited and met again further on; the overlapping
//!   rows): the `Id`s written are kept ([`SeenIds`], a bit per id) and a record is written once,
//!   as first read.
//!
//! Pages are fetched concurrently as before (`count(*)` tells how many, up to `max_in_flight`
//! are in flight, they are written in order; past the [`READ_AHEAD`] pages behind the one being
//! written, a page takes none of its body and leaves it in the socket until its turn, see
//! [`Turns`]), so a record edited while the walk runs may have
//! left the page that would have read it before a page further on was fetched. After a walk of
//! more than one page, a **catch-up** query asks for the rows of the same statement changed
//! since the walk began (`Metadata.LastUpdatedTime >=` a second before the `count(*)` answer's
//! `time`) and writes those not written yet. So a record that exists throughout the run is
//! written exactly once, and a record created or changed while the run pages is written exactly
//! once too (in the version first read) when its change came before the catch-up; a record
//! deleted meanwhile may be in or out.

use std::collections::HashSet;
use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use super::fetch::{fetch_page, fetch_value};
use super::page::{Page, PagePlan, RowKey};
use super::seen::SeenIds;
use super::sink::{RecordSink, RunStats};
use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::http::{ApiClient, Turns};
use crate::render::{QueryPaging, RenderedRequest};

/// How many bridges (or re-reads of a page) one join of two pages may need before the walk
/// gives up: the company changed faster than it could be paged.
const MOST_BRIDGES: u32 = 12;
/// How many pages behind the one being written read their bodies freely; the rest of the pages
/// in flight hold back after a little.
const READ_AHEAD: u64 = 2;
/// The most rows a bridge asks for (QBO's largest page).
const LONGEST_BRIDGE: u64 = 1000;

/// One walk's progress: what was written, and the page the next one must join.
pub(super) struct Walk<'a> {
    request: &'a RenderedRequest,
    paging: &'a QueryPaging,
    session: &'a Session,
    client: &'a ApiClient,
    plan: &'a Arc<PagePlan>,
    seen: SeenIds,
    /// The keys of the last page written (as fetched), which the next page must share a row
    /// with.
    previous: Option<HashSet<RowKey>>,
    stats: RunStats,
}

/// What `count(*)` said: how many rows, and the server's time when it answered.
struct Counted {
    total: u64,
    time: Option<String>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(
        request: &'a RenderedRequest,
        paging: &'a QueryPaging,
        session: &'a Session,
        client: &'a ApiClient,
        plan: &'a Arc<PagePlan>,
    ) -> Walk<'a> {
        Walk {
            request,
            paging,
            session,
            client,
            plan,
            seen: SeenIds::default(),
            previous: None,
            stats: RunStats::default(),
        }
    }

    /// Walks every page of the statement into `sink`, then catches up on what changed meanwhile.
    pub(super) async fn run(mut self, sink: &mut dyn RecordSink) -> Result<RunStats, Error> {
        let size = u64::from(self.paging.page_size);
        // Pages overlap by one row, so that each shows where the one before it ended.
        let step = size.saturating_sub(1).max(1);
        let counted = self.count().await;
        let began = counted
            .as_ref()
            .and_then(|c| c.time.as_deref())
            .and_then(second_before);
        let statement = self.paging.statement.clone();
        let mut next = 1;
        let mut walked_pages = 0u64;
        let mut finished = false;
        if self.client.max_in_flight > 1
            && let Some(counted) = &counted
        {
            let planned = counted.total.saturating_sub(1) / step + 1;
            tracing::info!(
                total = counted.total,
                pages = planned,
                in_flight = self.client.max_in_flight,
                "fetching pages concurrently"
            );
            let (session, client, plan) = (self.session, self.client, self.plan);
            let request = self.request;
            // The pages just behind the one being written read freely (so reading overlaps
            // writing); those further behind read a little, then wait for their turn.
            let turns = Turns::new(client.request_timeout / 2);
            turns.reach(READ_AHEAD - 1);
            let turns = &turns;
            let mut pages = futures::stream::iter(0..planned)
                .map(|index| {
                    let start = 1 + index * step;
                    let call = request.call(start);
                    let pace = turns.pace(index);
                    async move {
                        let page = fetch_page(client, session, &call, plan, Some(&pace)).await;
                        (index, start, page)
                    }
                })
                .buffered(self.client.max_in_flight);
            while let Some((index, start, page)) = pages.next().await {
                turns.reach(index + READ_AHEAD);
                let rows = self.join_and_write(&statement, start, page?, sink).await?;
                walked_pages += 1;
                next = start + rows.saturating_sub(1).max(1);
                if rows < size {
                    finished = true;
                    break;
                }
            }
            tracing::debug!(
                held_back = turns.held_back(),
                "pages that waited for their turn"
            );
        }
        while !finished {
            let page = self.fetch(&statement, next, size).await?;
            let rows = self.join_and_write(&statement, next, page, sink).await?;
            walked_pages += 1;
            tracing::debug!(start = next, rows, "page");
            finished = rows < size;
            next += rows.saturating_sub(1).max(1);
        }
        self.stats.pages = walked_pages;
        if walked_pages > 1 {
            match began {
                Some(since) => self.catch_up(&since, sink).await?,
                None => tracing::debug!(
                    "no time from count(*): records changed while paging are not asked for again"
                ),
            }
        }
        Ok(self.stats)
    }

    /// `count(*)` of the statement and when QBO answered it; `None` when it cannot be asked.
    async fn count(&self) -> Option<Counted> {
        let statement = self.paging.count_statement()?;
        let call = self.request.call_with_statement(&statement);
        match fetch_value(self.client, self.session, &call).await {
            Ok(answer) => {
                let total = answer
                    .get("QueryResponse")
                    .and_then(|r| r.get("totalCount"))
                    .and_then(Value::as_u64)?;
                let time = answer
                    .get("time")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                Some(Counted { total, time })
            }
            Err(error) => {
                tracing::info!(error = %error.message(), "count(*) failed; fetching pages one after another");
                None
            }
        }
    }

    /// The page of `statement` starting at row `start`, `size` rows at most.
    async fn fetch(&self, statement: &str, start: u64, size: u64) -> Result<Page, Error> {
        let call = self.request.call_with_statement(&format!(
            "{statement} STARTPOSITION {start} MAXRESULTS {size}"
        ));
        fetch_page(self.client, self.session, &call, self.plan, None).await
    }

    /// Joins `page` (fetched at `start`) to the page written before it, writing a bridge first
    /// when rows shifted into a gap between them, then writes its records not written yet;
    /// returns its row count.
    async fn join_and_write(
        &mut self,
        statement: &str,
        start: u64,
        page: Page,
        sink: &mut dyn RecordSink,
    ) -> Result<u64, Error> {
        let page = self.join(statement, start, page, sink).await?;
        self.write(page, sink)
    }

    /// `page`, once it is known to continue the page written before it (a bridge between them
    /// written to `sink` when one was needed; `page` fetched again when it moved).
    async fn join(
        &mut self,
        statement: &str,
        start: u64,
        mut page: Page,
        sink: &mut dyn RecordSink,
    ) -> Result<Page, Error> {
        let size = u64::from(self.paging.page_size);
        let Some(previous) = self.previous.clone() else {
            return Ok(page);
        };
        let unkeyed = !page.keys().is_empty() && keys_of(page.keys()).is_empty();
        if size < 2 || unkeyed || shares_a_row(&previous, page.keys()) {
            return Ok(page);
        }
        // Most shifts are a row or two; when one reaches further, the bridge takes all it may.
        let backs = [1, 16]
            .into_iter()
            .chain(std::iter::repeat(LONGEST_BRIDGE - 1));
        for back in backs.take(MOST_BRIDGES as usize) {
            let from = start.saturating_sub(back).max(1);
            let asked = start - from + 1;
            let bridge = self.fetch(statement, from, asked).await?;
            self.stats.extra_calls += 1;
            // A bridge from the first row holds all that precedes the page, joined or not.
            let after_previous = from == 1 || shares_a_row(&previous, bridge.keys());
            // A short bridge reached the end of the rows: nothing lies beyond it to join.
            let before_page =
                bridge.rows() < asked || shares_a_row(&keys_of(bridge.keys()), page.keys());
            tracing::info!(
                start,
                from,
                after_previous,
                before_page,
                "rows shifted between two pages; bridging"
            );
            if after_previous && before_page {
                self.write(bridge, sink)?;
                return Ok(page);
            }
            if after_previous {
                // The page's rows moved again since it was fetched: read it anew.
                page = self.fetch(statement, start, size).await?;
                self.stats.extra_calls += 1;
                if shares_a_row(&previous, page.keys()) {
                    return Ok(page);
                }
            }
        }
        Err(Error::new(
            ErrorKind::Transient,
            "the company's records kept moving while qbo-run paged: a page could not be joined to the one before it",
        )
        .note(format!("request: {}", self.request.url.path()))
        .note("records were edited or deleted faster than pages could be read; run it again"))
    }

    /// Writes the records of `page` not written yet; the page becomes the one the next must
    /// join. Returns the page's row count.
    fn write(&mut self, mut page: Page, sink: &mut dyn RecordSink) -> Result<u64, Error> {
        let keys = keys_of(page.keys());
        let keep: Vec<bool> = page
            .keys()
            .iter()
            .map(|key| key.id.as_deref().is_none_or(|id| self.seen.insert(id)))
            .collect();
        page.retain(&keep);
        if !keys.is_empty() {
            self.previous = Some(keys);
        }
        self.stats.records += page.write(self.plan, sink)?;
        sink.page_done();
        Ok(page.rows())
    }

    /// The rows of the statement changed since `since`, page after page, those not written
    /// yet written. A catch-up QBO refuses (a statement it cannot filter so) is skipped with a
    /// warning.
    async fn catch_up(&mut self, since: &str, sink: &mut dyn RecordSink) -> Result<(), Error> {
        let condition = format!("Metadata.LastUpdatedTime >= '{since}'");
        let Some(statement) = self.paging.source.paged_where(&condition) else {
            return Ok(());
        };
        let size = u64::from(self.paging.page_size);
        self.previous = None;
        let mut start = 1;
        loop {
            let page = match self.fetch(&statement, start, size).await {
                Ok(page) => page,
                Err(error) if error.kind() == ErrorKind::Remote => {
                    tracing::warn!(error = %error.message(), "cannot ask for the records changed while paging; any changed meanwhile may be missing");
                    return Ok(());
                }
                Err(error) => return Err(error),
            };
            self.stats.extra_calls += 1;
            let rows = self.join_and_write(&statement, start, page, sink).await?;
            if rows < size {
                return Ok(());
            }
            start += rows.saturating_sub(1).max(1);
        }
    }
}

/// The keys of a page that can join pages: those with an `Id`.
fn keys_of(keys: &[RowKey]) -> HashSet<RowKey> {
    keys.iter().filter(|k| k.id.is_some()).cloned().collect()
}

/// Whether one of `keys` (with an `Id`) is in `previous`, unchanged.
fn shares_a_row(previous: &HashSet<RowKey>, keys: &[RowKey]) -> bool {
    keys.iter()
        .any(|key| key.id.is_some() && previous.contains(key))
}

/// The whole second before the instant `time` (QBO's `time`, e.g.
/// `2025-09-19T09:12:44.318-07:00`), in its own offset: `2025-09-19T09:12:43-07:00`.
fn second_before(time: &str) -> Option<String> {
    let at = chrono::DateTime::parse_from_rfc3339(time).ok()?;
    let whole = at - chrono::Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()));
    let before = whole - chrono::Duration::seconds(1);
    Some(before.format("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, token: &str) -> RowKey {
        RowKey {
            id: Some(id.into()),
            sync_token: Some(token.into()),
            updated: Some("2025-01-01T00:00:00-07:00".into()),
        }
    }

    #[test]
    fn pages_join_on_an_unchanged_row() {
        let previous = keys_of(&[key("1", "0"), key("2", "0")]);
        assert!(shares_a_row(&previous, &[key("2", "0"), key("3", "0")]));
        assert!(
            !shares_a_row(&previous, &[key("2", "1"), key("3", "0")]),
            "2 changed"
        );
        assert!(!shares_a_row(&previous, &[key("3", "0")]));
        let no_id = RowKey {
            id: None,
            sync_token: None,
            updated: None,
        };
        assert!(!shares_a_row(
            &keys_of(std::slice::from_ref(&no_id)),
            &[no_id]
        ));
    }

    #[test]
    fn the_walk_began_a_second_before_count_answered() {
        assert_eq!(
            second_before("2025-09-19T09:12:44.318-07:00").as_deref(),
            Some("2025-09-19T09:12:43-07:00")
        );
        assert_eq!(
            second_before("2025-01-01T00:00:00Z").as_deref(),
            Some("2024-12-31T23:59:59+00:00")
        );
        assert_eq!(second_before("soon"), None);
    }
}
