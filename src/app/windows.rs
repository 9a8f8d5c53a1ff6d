//! A windowed report (`window:`): the range of `start_date`..`end_date` split into windows, one
//! report call each, several in flight within the company's limits, the rows written in window
//! order with `window_start` and `window_end` first.
//!
//! Memory: each window's report is held whole until its turn, so at most `concurrency` reports
//! are held at once (a window that answers early waits for the ones before it).

use super::job::LoadedRun;
use crate::auth::Session;
use crate::diagnostics::Error;
use crate::engine::{self, PagePlan, RecordSink, RunStats};
use crate::http::ApiClient;
use crate::render::{RenderedRequest, VarValues};
use crate::report::window::{self, Span, WindowRows};
use crate::spec::{RANGE_VARIABLES, RequestSpec, Window, parse_day};
use chrono::NaiveDate;
use futures::StreamExt;
use serde_json::Value;
use std::sync::Arc;

/// Keeps the reports of one window's call.
#[derive(Default)]
struct Reports(Vec<Value>);

impl RecordSink for Reports {
    fn record(&mut self, record: &Value) -> Result<(), Error> {
        self.0.push(record.clone());
        Ok(())
    }
}

/// Runs `job`'s report once per window of its range, handing the rows to `sink` in order.
pub(super) async fn run(
    job: &LoadedRun,
    window: Window,
    vars: &VarValues,
    session: &Session,
    client: &ApiClient,
    plan: &Arc<PagePlan>,
    sink: &mut dyn RecordSink,
) -> Result<RunStats, Error> {
    let (start, end) = range(&job.request, window, vars)?;
    let spans = window::split(start, end, window.every);
    tracing::info!(every = window.every.as_str(), %start, %end, windows = spans.clone().count(), "report in windows");
    let mut answers = futures::stream::iter(spans)
        .map(|span| async move {
            fetch(job, vars, session, client, plan, span)
                .await
                .map(|(reports, stats)| (span, reports, stats))
                .map_err(|err| err.note(format!("in the window {} to {}", span.0, span.1)))
        })
        .buffered(window.concurrency);
    let mut rows = WindowRows::new(sink);
    let mut stats = RunStats::default();
    while let Some(answer) = answers.next().await {
        let (span, reports, one) = answer?;
        rows.window(span);
        for report in &reports {
            crate::report::for_each_row(report, &mut |row| rows.record(&row))
                .map_err(|err| err.note(format!("in the window {} to {}", span.0, span.1)))?;
        }
        rows.page_done();
        stats.pages += one.pages;
        stats.extra_calls += one.extra_calls;
    }
    Ok(stats)
}

/// `vars` with the range set to the window `span`.
pub(super) fn window_vars(vars: &VarValues, (first, last): Span) -> VarValues {
    let mut vars = vars.clone();
    vars.insert(RANGE_VARIABLES[0].to_string(), first.to_string());
    vars.insert(RANGE_VARIABLES[1].to_string(), last.to_string());
    vars
}

/// The report of one window: the request rendered with the window's dates.
async fn fetch(
    job: &LoadedRun,
    vars: &VarValues,
    session: &Session,
    client: &ApiClient,
    plan: &Arc<PagePlan>,
    span: Span,
) -> Result<(Vec<Value>, RunStats), Error> {
    let vars = window_vars(vars, span);
    let rendered = RenderedRequest::render(
        &job.request,
        session.connection(),
        session.realm_id(),
        &vars,
    )?;
    let mut reports = Reports::default();
    let stats = engine::run(&rendered, session, client, plan, &mut reports).await?;
    Ok((reports.0, stats))
}

/// The run's range from its `start_date` and `end_date`, or a usage error saying what is
/// missing.
pub(super) fn range(
    request: &RequestSpec,
    window: Window,
    vars: &VarValues,
) -> Result<(NaiveDate, NaiveDate), Error> {
    let path = request.file.path().display();
    let every = window.every.as_str();
    let mut days = Vec::with_capacity(2);
    for name in RANGE_VARIABLES {
        let text = vars.get(name).map(String::as_str).unwrap_or("").trim();
        if text.is_empty() {
            return Err(Error::usage(format!(
                "{path} asks for its report in windows (`window: {every}`) but `{name}` is empty"
            ))
            .note("the range to split is start_date..end_date: give both, e.g. --var start_date=2025-01-01 --var end_date=2025-12-31")
            .note("a date macro (`date_macro`) cannot be split: windows need the range's dates"));
        }
        let day = parse_day(text).map_err(|why| {
            Error::usage(format!("{path}: `{name}` is {why}"))
                .note(format!("`window: {every}` splits start_date..end_date"))
        })?;
        days.push(day);
    }
    match days.as_slice() {
        [start, end] if end < start => Err(Error::usage(format!(
            "{path}: `end_date` {end} is before `start_date` {start}"
        ))),
        [start, end] => Ok((*start, *end)),
        _ => Err(Error::usage(format!("{path}: no range to split"))),
    }
}
