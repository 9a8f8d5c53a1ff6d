//! Writes driven by an input file: each row of a CSV or JSON Lines file rendered into one
//! create, update, delete or void, sent one call per row or grouped into QBO batches, with one
//! result per row, in input order.
//!
//! Why it exists: a write must be safe to send again and must not stop at the first refusal.
//! Every call carries a `requestid` (from `input.requestid` or derived from the row, see
//! [`requestid`]), so the HTTP retries and a re-run of the whole file replay QBO's first answer
//! instead of writing twice. A row's Fault becomes its result (`status: fault` with QBO's code,
//! message, detail and `intuit_tid`) and the other rows go on. With `on_stale: reread`, a 5010
//! Stale Object Fault makes the row read its object again, take the current `SyncToken` and be
//! sent once more. Rows are sent concurrently within the company's limits, results are handed on
//! in input order, and only the rows in flight are held: memory does not grow with the input.
//! Only a person-must-log-in failure stops the run.

mod chunks;
pub mod input;
mod plan;
pub mod requestid;
mod result;
mod send;

pub use input::{InputRows, Row};
pub use plan::WritePlan;
pub use result::{RowResult, Status, WriteStats};

use crate::auth::Session;
use crate::diagnostics::Error;
use crate::http::{ApiCall, ApiClient};
use chunks::Chunks;
use futures::StreamExt;
use plan::Prepared;
use send::Sender;

/// Sends every row of `rows` as `plan` says and hands each row's result to `sink` in input
/// order. Rows (or batches) are in flight concurrently up to the company's limit.
///
/// # Errors
///
/// An input row that cannot be read, a failure of `sink`, or a person-must-log-in failure;
/// a row QBO refuses is a result, not an error.
pub async fn run(
    plan: &WritePlan<'_>,
    session: &Session,
    client: &ApiClient,
    rows: InputRows,
    sink: &mut dyn FnMut(&RowResult) -> Result<(), Error>,
) -> Result<WriteStats, Error> {
    let sender = Sender {
        plan,
        session,
        client,
    };
    let sender = &sender;
    let in_flight = client.max_in_flight.max(1);
    let mut stats = WriteStats::default();
    let mut hand_on = |outcome: Result<(Vec<RowResult>, u64), Error>| -> Result<(), Error> {
        let (results, calls) = outcome?;
        stats.calls += calls;
        for result in &results {
            stats.rows += 1;
            if result.status != Status::Ok {
                stats.failed += 1;
            }
            sink(result)?;
        }
        Ok(())
    };
    match plan.write.batch_size {
        None => {
            let mut results = futures::stream::iter(rows)
                .map(|row| async move { sender.single(row?).await })
                .buffered(in_flight);
            while let Some(outcome) = results.next().await {
                hand_on(outcome)?;
            }
        }
        Some(size) => {
            let chunks = Chunks {
                rows,
                size,
                done: false,
            };
            let mut results = futures::stream::iter(chunks)
                .map(|chunk| async move { sender.batch(chunk?).await })
                .buffered(in_flight);
            while let Some(outcome) = results.next().await {
                hand_on(outcome)?;
            }
        }
    }
    Ok(stats)
}

/// The calls a run would send, for `--dry-run`: each handed to `emit` as text (method, URL with
/// its `requestid`, headers, body), rows that do not render as a comment. Nothing is sent.
///
/// # Errors
///
/// An input row that cannot be read, or what `emit` returns.
pub fn dry_run(
    plan: &WritePlan<'_>,
    rows: InputRows,
    emit: &mut dyn FnMut(&str) -> Result<(), Error>,
) -> Result<(), Error> {
    let describe = |call: &ApiCall| {
        let mut text = format!("{} {}\n", call.method, call.url);
        text.push_str("Authorization: Bearer ***\nAccept: application/json\n");
        for (name, value) in &call.headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        if let Some((content_type, body)) = &call.body {
            text.push_str(&format!("Content-Type: {content_type}\n\n{body}\n"));
        }
        text.push('\n');
        text
    };
    let failed = |result: &RowResult| {
        format!(
            "# row {}: not sent: {}\n\n",
            result.row,
            result.message.as_deref().unwrap_or("")
        )
    };
    match plan.write.batch_size {
        None => {
            for row in rows {
                let row = row?;
                match plan.prepare(&row) {
                    Ok(prepared) => {
                        emit(&format!(
                            "# row {}\n{}",
                            row.number,
                            describe(&prepared.call)
                        ))?;
                    }
                    Err(result) => emit(&failed(&result))?,
                }
            }
        }
        Some(size) => {
            let chunks = Chunks {
                rows,
                size,
                done: false,
            };
            for chunk in chunks {
                let chunk = chunk?;
                let prepared: Vec<Result<Prepared, Box<RowResult>>> =
                    chunk.iter().map(|row| plan.prepare(row)).collect();
                for result in prepared.iter().filter_map(|p| p.as_ref().err()) {
                    emit(&failed(result))?;
                }
                let ready: Vec<&Prepared> =
                    prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
                let Some(model) = ready.first() else {
                    continue;
                };
                let ids: Vec<&str> = ready.iter().map(|p| p.requestid.as_str()).collect();
                let items = ready.iter().map(|p| plan.batch_item(p)).collect();
                let call = plan.batch_call(&model.call, &requestid::for_batch(&ids), items);
                let numbers: Vec<String> = ready.iter().map(|p| p.number.to_string()).collect();
                emit(&format!(
                    "# rows {}\n{}",
                    numbers.join(", "),
                    describe(&call)
                ))?;
            }
        }
    }
    Ok(())
}
