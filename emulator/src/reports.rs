//! `GET /v3/company/{realm}/reports/{ReportName}`: QBO reports computed from the books, writes
//! included.
//!
//! Why it exists: report clients (flatteners, spreadsheets) need answers shaped exactly like
//! QBO's (QBO.md 2.7, `qbo-samples/report-profitandloss.json`): a `Header`, `Columns.Column[]`
//! with `ColTitle`/`ColType`/`MetaData`, and `Rows.Row[]` of `Data` rows and nested `Section`s
//! with `group` tags, every amount a string (`""` for a blank). The numbers come from
//! [`ledger`]'s postings, so they agree with the invoices, payments and bills the API serves:
//! a P&L's Total Income is the sum of the invoice lines of the period, a balance sheet balances,
//! a trial balance's debits equal its credits.
//!
//! Served: `ProfitAndLoss`, `BalanceSheet`, `TrialBalance`, `CashFlow`, `GeneralLedger`,
//! `AgedReceivables`; any other name is QBO's `Unsupported Operation` fault. Parameters:
//! `start_date`, `end_date` (YYYY-MM-DD), `date_macro` (QBO's list, relative to the data set's
//! "now", 2025-09-19; the fiscal year is the calendar year), `accounting_method`
//! (`Accrual`|`Cash`), `summarize_column_by` (`Total`, `Days`, `Weeks`, `Months`, `Quarters`,
//! `Years`, singular or plural; P&L, balance sheet and cash flow), and for `AgedReceivables`
//! `report_date`, `aging_period`, `num_periods`. Without dates a report covers "This Fiscal
//! Year-to-date" (`GeneralLedger`: "This Month-to-date"; `AgedReceivables`: today). Bad values
//! are 400 ValidationFaults. Other parameters (`minorversion`, filters) are ignored.
//!
//! Everything is computed in one pass over the tables per request, on a blocking thread: a
//! transaction outside the report's window is skipped before its lines are rebuilt. Writes come
//! from the overlay's written books (`written.rs`), taken as an `Arc` under the overlay's read
//! lock, which is released before anything is computed. A/R aging counts each invoice's total
//! less what payments dated by then applied to it; what a payment leaves unapplied (or applied
//! to a deleted invoice) is the customer's credit in the Current column.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Months, NaiveDate};
use serde_json::{Map, Value, json};

use crate::data::{Dataset, data_end};
use crate::fault::{Fault, json_response};
use crate::ledger::{self, Basis, Posting, Source, Split};
use crate::state::State;
use crate::time::{Day, ResponseTime, day_of};
use crate::written::{Shadow, Written};

/// Most columns a report may have (QBO caps the size of reports too).
const MAX_PERIODS: usize = 1000;

/// Day number of 1970-01-01 counted from 0001-01-01 (chrono's "days from CE").
const EPOCH_FROM_CE: i32 = 719_163;

/// The reports served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    ProfitAndLoss,
    BalanceSheet,
    TrialBalance,
    CashFlow,
    GeneralLedger,
    AgedReceivables,
}

const REPORTS: [(&str, Report); 6] = [
    ("ProfitAndLoss", Report::ProfitAndLoss),
    ("BalanceSheet", Report::BalanceSheet),
    ("TrialBalance", Report::TrialBalance),
    ("CashFlow", Report::CashFlow),
    ("GeneralLedger", Report::GeneralLedger),
    ("AgedReceivables", Report::AgedReceivables),
];

impl Report {
    fn from_name(name: &str) -> Option<Report> {
        REPORTS
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(_, report)| report)
    }

    fn name(self) -> &'static str {
        REPORTS
            .iter()
            .find(|(_, report)| *report == self)
            .map_or("", |(name, _)| name)
    }
}

/// `GET /v3/company/{realm}/reports/{ReportName}`.
pub(crate) async fn report(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((_realm, name))) = path else {
        return crate::api::unsupported(method, uri).await;
    };
    let Some(report) = Report::from_name(&name) else {
        let served: Vec<&str> = REPORTS.iter().map(|(name, _)| *name).collect();
        return Fault::unsupported_operation(
            method.as_str(),
            uri.path(),
            &format!("The emulator serves the reports {}.", served.join(", ")),
        )
        .into_response();
    };
    let query = uri.query().unwrap_or("").to_owned();
    // Computed and serialized on a blocking thread: a general ledger can be tens of MB.
    let job = tokio::task::spawn_blocking(move || {
        // The lock is held only to take the written books (an `Arc`).
        let written = state.changes().read().books();
        match answer(state.data(), &written, report, &query) {
            Ok(body) => json_response(StatusCode::OK, &body),
            Err(fault) => fault.into_response(),
        }
    });
    match job.await {
        Ok(response) => response,
        Err(err) => {
            tracing::error!(%err, "emulator: report task failed");
            Fault::internal("System Failure Error: the report could not be completed")
                .into_response()
        }
    }
}

/// The report's JSON for the query string `query`, or the fault its parameters deserve.
pub(crate) fn answer(
    ds: &Dataset,
    written: &Written,
    report: Report,
    query: &str,
) -> Result<Value, Fault> {
    let params = Params::parse(ds, report, query)?;
    build(ds, written, report, &params, ResponseTime::now())
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// How the amount columns are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum By {
    Total,
    Days,
    Weeks,
    Months,
    Quarters,
    Years,
}

impl By {
    fn parse(text: &str) -> Option<By> {
        let by = match text.trim().to_ascii_lowercase().as_str() {
            "total" => By::Total,
            "day" | "days" => By::Days,
            "week" | "weeks" => By::Weeks,
            "month" | "months" => By::Months,
            "quarter" | "quarters" => By::Quarters,
            "year" | "years" => By::Years,
            _ => return None,
        };
        Some(by)
    }

    /// `Header.SummarizeColumnsBy`.
    fn as_str(self) -> &'static str {
        match self {
            By::Total => "Total",
            By::Days => "Day",
            By::Weeks => "Week",
            By::Months => "Month",
            By::Quarters => "Quarter",
            By::Years => "Year",
        }
    }
}

/// A report's parameters, checked.
#[derive(Debug, Clone)]
struct Params {
    start: i32,
    end: i32,
    date_macro: Option<String>,
    basis: Basis,
    by: By,
    aging_period: i32,
    num_periods: i32,
}

fn to_date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day.saturating_add(EPOCH_FROM_CE)).unwrap_or_default()
}

fn to_day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_FROM_CE
}

fn invalid_enumeration(name: &str, value: &str, expected: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2170",
        "Invalid Enumeration",
        format!("Invalid Enumeration : {value} is not a valid {name}; expected {expected}"),
        Some(name),
    )
}

fn business_error(name: &str, detail: String) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6000",
        "A business validation error has occurred while processing your request",
        format!("Business Validation Error: {detail}"),
        Some(name),
    )
}

impl Params {
    fn parse(ds: &Dataset, report: Report, query: &str) -> Result<Params, Fault> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let date = |name: &str| -> Result<Option<i32>, Fault> {
            get(name)
                .map(|text| {
                    NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .ok()
                        .filter(|d| (1..=9999).contains(&d.year()))
                        .map(to_day)
                        .ok_or_else(|| {
                            business_error(
                                name,
                                format!("{name} {text:?} is not a date (YYYY-MM-DD)"),
                            )
                        })
                })
                .transpose()
        };
        let today = day_of(data_end());
        let basis = match get("accounting_method") {
            None => Basis::Accrual,
            Some(m) if m.eq_ignore_ascii_case("accrual") => Basis::Accrual,
            Some(m) if m.eq_ignore_ascii_case("cash") => Basis::Cash,
            Some(other) => {
                return Err(invalid_enumeration(
                    "accounting_method",
                    other,
                    "Cash or Accrual",
                ));
            }
        };
        let by = match get("summarize_column_by") {
            None => By::Total,
            Some(text) => By::parse(text).ok_or_else(|| {
                invalid_enumeration(
                    "summarize_column_by",
                    text,
                    "Total, Days, Weeks, Months, Quarters or Years (the emulator does not split by customers, vendors, classes ...)",
                )
            })?,
        };
        let number = |name: &str, default: i32| -> Result<i32, Fault> {
            match get(name) {
                None => Ok(default),
                Some(text) => text
                    .parse::<i32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| {
                        business_error(
                            name,
                            format!("{name} {text:?} is not a number from 1 to 1000"),
                        )
                    }),
            }
        };
        let aging_period = number("aging_period", 30)?;
        let num_periods = number("num_periods", 4)?;

        let start = date("start_date")?;
        let mut end = date("end_date")?;
        if report == Report::AgedReceivables
            && let Some(day) = date("report_date")?
        {
            end = Some(day);
        }
        let date_macro = get("date_macro").map(str::to_owned);
        let (start, end, date_macro) = match (start, end, &date_macro) {
            (None, None, Some(name)) => {
                let (start, end) = macro_range(name, today, ds).ok_or_else(|| {
                    invalid_enumeration(
                        "date_macro",
                        name,
                        "one of QBO's date macros, e.g. This Fiscal Year-to-date",
                    )
                })?;
                (start, end, date_macro)
            }
            (None, None, None) => {
                let name = match report {
                    Report::GeneralLedger => "This Month-to-date",
                    Report::AgedReceivables => "Today",
                    _ => "This Fiscal Year-to-date",
                };
                let (start, end) = macro_range(name, today, ds).unwrap_or((today, today));
                (start, end, None)
            }
            (start, end, _) => {
                let end = end.unwrap_or(today);
                let start = start.unwrap_or_else(|| to_day(year_start(to_date(end))));
                (start, end, None)
            }
        };
        let start = if report == Report::AgedReceivables {
            end
        } else {
            start
        };
        if start > end {
            return Err(business_error(
                "start_date",
                format!("start_date {} is after end_date {}", Day(start), Day(end)),
            ));
        }
        Ok(Params {
            start,
            end,
            date_macro,
            basis,
            by,
            aging_period,
            num_periods,
        })
    }
}

fn year_start(date: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date)
}

fn quarter_start(date: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1).unwrap_or(date)
}

fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Sunday on or before `date` (QBO's weeks start on Sunday in the US).
fn week_start(date: NaiveDate) -> NaiveDate {
    plus_days(date, -i64::from(date.weekday().num_days_from_sunday()))
}

fn plus_months(date: NaiveDate, months: i32) -> NaiveDate {
    let shifted = if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    shifted.unwrap_or(date)
}

/// `date` moved by `days` (left as it is at the ends of the calendar; dates are checked to be
/// in years 1 to 9999 first).
fn plus_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(chrono::Duration::days(days))
        .unwrap_or(date)
}

/// The range of a QBO date macro (case-insensitive) on `today`.
fn macro_range(name: &str, today: i32, ds: &Dataset) -> Option<(i32, i32)> {
    let t = to_date(today);
    let normalized = name
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let normalized = normalized.replace("calendar", "fiscal");
    // (start of the period containing a date, the period's length in months)
    let month_period =
        |start: fn(NaiveDate) -> NaiveDate, months: i32, offset: i32, to_date_only: bool| {
            let first = plus_months(start(t), offset * months);
            let last = if to_date_only {
                plus_months(t, offset * months)
            } else {
                plus_days(plus_months(first, months), -1)
            };
            (first, last)
        };
    let week = |offset: i64, to_date_only: bool| {
        let first = plus_days(week_start(t), 7 * offset);
        let last = if to_date_only {
            plus_days(t, 7 * offset)
        } else {
            plus_days(first, 6)
        };
        (first, last)
    };
    let (first, last) = match normalized.as_str() {
        "today" => (t, t),
        "yesterday" => (plus_days(t, -1), plus_days(t, -1)),
        "this week" => week(0, false),
        "this week-to-date" => week(0, true),
        "last week" => week(-1, false),
        "last week-to-date" => week(-1, true),
        "next week" => week(1, false),
        "next 4 weeks" => (plus_days(week_start(t), 7), plus_days(week_start(t), 34)),
        "this month" => month_period(month_start, 1, 0, false),
        "this month-to-date" => month_period(month_start, 1, 0, true),
        "last month" => month_period(month_start, 1, -1, false),
        "last month-to-date" => month_period(month_start, 1, -1, true),
        "next month" => month_period(month_start, 1, 1, false),
        "this fiscal quarter" => month_period(quarter_start, 3, 0, false),
        "this fiscal quarter-to-date" => month_period(quarter_start, 3, 0, true),
        "last fiscal quarter" => month_period(quarter_start, 3, -1, false),
        "last fiscal quarter-to-date" => month_period(quarter_start, 3, -1, true),
        "next fiscal quarter" => month_period(quarter_start, 3, 1, false),
        "this fiscal year" | "this year" => month_period(year_start, 12, 0, false),
        "this fiscal year-to-date" | "this year-to-date" => month_period(year_start, 12, 0, true),
        "last fiscal year" | "last year" => month_period(year_start, 12, -1, false),
        "last fiscal year-to-date" | "last year-to-date" => month_period(year_start, 12, -1, true),
        "next fiscal year" | "next year" => month_period(year_start, 12, 1, false),
        "all dates" => (to_date(ds.company.start_date), t),
        _ => return None,
    };
    Some((to_day(first), to_day(last)))
}

// ---------------------------------------------------------------------------------------------
// Columns

/// One amount column's period.
#[derive(Debug, Clone)]
struct Period {
    start: i32,
    end: i32,
    title: String,
}

/// The periods `start..=end` splits into.
fn periods(start: i32, end: i32, by: By) -> Result<Vec<Period>, Fault> {
    if by == By::Total {
        return Ok(vec![Period {
            start,
            end,
            title: "Total".to_owned(),
        }]);
    }
    let mut out = Vec::new();
    let mut first = to_date(start);
    let last = to_date(end);
    while first <= last {
        if out.len() == MAX_PERIODS {
            return Err(business_error(
                "summarize_column_by",
                format!(
                    "the report would have more than {MAX_PERIODS} columns; narrow the dates or summarize by a longer period"
                ),
            ));
        }
        let period_end = match by {
            By::Total | By::Days => first,
            By::Weeks => plus_days(week_start(first), 6),
            By::Months => plus_days(plus_months(month_start(first), 1), -1),
            By::Quarters => plus_days(plus_months(quarter_start(first), 3), -1),
            By::Years => plus_days(plus_months(year_start(first), 12), -1),
        }
        .min(last);
        let title = match by {
            By::Total => "Total".to_owned(),
            By::Days => first.format("%b %-d, %Y").to_string(),
            By::Weeks if first.year() == period_end.year() => format!(
                "{} - {}",
                first.format("%b %-d"),
                period_end.format("%b %-d, %Y")
            ),
            By::Weeks => format!(
                "{} - {}",
                first.format("%b %-d, %Y"),
                period_end.format("%b %-d, %Y")
            ),
            By::Months => first.format("%b %Y").to_string(),
            By::Quarters => format!("Q{} {}", first.month0() / 3 + 1, first.year()),
            By::Years => first.year().to_string(),
        };
        out.push(Period {
            start: to_day(first),
            end: to_day(period_end),
            title,
        });
        first = plus_days(period_end, 1);
    }
    Ok(out)
}

fn meta(name: &str, value: String) -> Value {
    json!({"Name": name, "Value": value})
}

fn label_column(col_type: &str, key: &str) -> Value {
    json!({"ColTitle": "", "ColType": col_type, "MetaData": [meta("ColKey", key.to_owned())]})
}

fn money_column(title: &str, key: &str, dates: Option<(i32, i32)>) -> Value {
    let mut metadata = Vec::new();
    if let Some((start, end)) = dates {
        metadata.push(meta("StartDate", Day(start).to_string()));
        metadata.push(meta("EndDate", Day(end).to_string()));
    }
    metadata.push(meta("ColKey", key.to_owned()));
    json!({"ColTitle": title, "ColType": "Money", "MetaData": metadata})
}

/// The amount columns of a report over `periods` (and a final Total when split).
fn period_columns(periods: &[Period], total: bool) -> Vec<Value> {
    if let [only] = periods
        && only.title == "Total"
    {
        return vec![money_column("Total", "total", None)];
    }
    let mut columns: Vec<Value> = periods
        .iter()
        .map(|p| money_column(&p.title, &p.title, Some((p.start, p.end))))
        .collect();
    if total {
        columns.push(money_column("Total", "total", None));
    }
    columns
}

// ---------------------------------------------------------------------------------------------
// Rows

/// `"1234.56"`, `"-0.50"`.
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

fn cell(value: impl Into<String>) -> Value {
    let mut cell = Map::new();
    cell.insert("value".into(), Value::String(value.into()));
    Value::Object(cell)
}

fn cell_with_id(value: impl Into<String>, id: impl Into<String>) -> Value {
    let mut cell = Map::new();
    cell.insert("value".into(), Value::String(value.into()));
    cell.insert("id".into(), Value::String(id.into()));
    Value::Object(cell)
}

/// A row of the report tree.
#[derive(Debug)]
enum Node {
    Data(Vec<Value>),
    Section {
        group: Option<&'static str>,
        header: Option<Vec<Value>>,
        rows: Vec<Node>,
        summary: Option<Vec<Value>>,
    },
}

impl Node {
    fn into_json(self) -> Value {
        let mut row = Map::new();
        match self {
            Node::Data(cells) => {
                row.insert("ColData".into(), Value::Array(cells));
                row.insert("type".into(), "Data".into());
            }
            Node::Section {
                group,
                header,
                rows,
                summary,
            } => {
                if let Some(header) = header {
                    row.insert("Header".into(), col_data(header));
                }
                if !rows.is_empty() {
                    row.insert("Rows".into(), rows_json(rows));
                }
                if let Some(summary) = summary {
                    row.insert("Summary".into(), col_data(summary));
                }
                row.insert("type".into(), "Section".into());
                if let Some(group) = group {
                    row.insert("group".into(), group.into());
                }
            }
        }
        Value::Object(row)
    }
}

fn col_data(cells: Vec<Value>) -> Value {
    let mut part = Map::new();
    part.insert("ColData".into(), Value::Array(cells));
    Value::Object(part)
}

/// `{"Row": [...]}`, or `{}` when there are no rows.
fn rows_json(rows: Vec<Node>) -> Value {
    let mut part = Map::new();
    if !rows.is_empty() {
        part.insert(
            "Row".into(),
            Value::Array(rows.into_iter().map(Node::into_json).collect()),
        );
    }
    Value::Object(part)
}

/// A row of an amounts report, with its amounts kept for the totals above it.
#[derive(Debug)]
struct Block {
    node: Node,
    totals: Vec<i64>,
}

/// An account's (or customer's) line: blank cells where the amount is zero.
fn line(label: &str, id: Option<String>, amounts: Vec<i64>) -> Block {
    let mut cells = vec![match id {
        Some(id) => cell_with_id(label, id),
        None => cell(label),
    }];
    cells.extend(
        amounts
            .iter()
            .map(|&a| if a == 0 { cell("") } else { cell(money(a)) }),
    );
    Block {
        node: Node::Data(cells),
        totals: amounts,
    }
}

fn summary_cells(label: &str, totals: &[i64]) -> Vec<Value> {
    let mut cells = vec![cell(label)];
    cells.extend(totals.iter().map(|&a| cell(money(a))));
    cells
}

fn blank_header(label: &str, width: usize) -> Vec<Value> {
    let mut cells = vec![cell(label)];
    cells.extend((0..width).map(|_| cell("")));
    cells
}

/// A section holding `children`, its summary their sum; `None` when there are no children and
/// `keep` is false.
fn section(
    group: &'static str,
    header: &str,
    summary: &str,
    children: Vec<Option<Block>>,
    width: usize,
    keep: bool,
) -> Option<Block> {
    let children: Vec<Block> = children.into_iter().flatten().collect();
    if children.is_empty() && !keep {
        return None;
    }
    let mut totals = vec![0i64; width];
    for child in &children {
        for (total, value) in totals.iter_mut().zip(&child.totals) {
            *total += value;
        }
    }
    Some(Block {
        node: Node::Section {
            group: Some(group),
            header: Some(blank_header(header, width)),
            rows: children.into_iter().map(|c| c.node).collect(),
            summary: Some(summary_cells(summary, &totals)),
        },
        totals,
    })
}

/// A summary-only section (Gross Profit, Net Income, TOTAL).
fn summary_only(group: &'static str, label: &str, totals: Vec<i64>) -> Block {
    Block {
        node: Node::Section {
            group: Some(group),
            header: None,
            rows: Vec::new(),
            summary: Some(summary_cells(label, &totals)),
        },
        totals,
    }
}

fn minus(a: &[i64], b: &[i64]) -> Vec<i64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

fn plus(a: &[i64], b: &[i64]) -> Vec<i64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn totals_of(block: &Option<Block>, width: usize) -> Vec<i64> {
    block
        .as_ref()
        .map_or_else(|| vec![0; width], |b| b.totals.clone())
}

// ---------------------------------------------------------------------------------------------
// Balances

/// Debit-positive balances per account as of each of `checkpoints` (sorted ascending), counting
/// postings from `from` on (`None`: all).
fn balances(
    ds: &Dataset,
    written: &Written,
    basis: Basis,
    from: Option<i32>,
    checkpoints: &[i32],
) -> Vec<Vec<i64>> {
    let accounts = ds.accounts.len();
    let mut buckets = vec![vec![0i64; accounts]; checkpoints.len()];
    let Some(&last) = checkpoints.last() else {
        return buckets;
    };
    ledger::for_each(ds, written, basis, from, last, &mut |p: Posting| {
        let at = checkpoints.partition_point(|&c| c < p.day);
        if let Some(bucket) = buckets.get_mut(at)
            && let Some(balance) = bucket.get_mut(p.account)
        {
            *balance += p.amount;
        }
    });
    for k in 1..buckets.len() {
        let (before, after) = buckets.split_at_mut(k);
        if let (Some(previous), Some(current)) = (before.last(), after.first_mut()) {
            for (c, p) in current.iter_mut().zip(previous) {
                *c += p;
            }
        }
    }
    buckets
}

/// Sorted, unique checkpoints, and a way to find one's index.
struct Checkpoints(Vec<i32>);

impl Checkpoints {
    fn new(mut days: Vec<i32>) -> Checkpoints {
        days.sort_unstable();
        days.dedup();
        Checkpoints(days)
    }

    fn at(&self, day: i32) -> usize {
        self.0.partition_point(|&d| d < day)
    }
}

/// What a balance means for an account type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Assets and expenses: debit positive.
    Debit,
    /// Liabilities, equity and income: credit positive.
    Credit,
}

fn side(classification: &str) -> Side {
    match classification {
        "Asset" | "Expense" => Side::Debit,
        _ => Side::Credit,
    }
}

fn natural(classification: &str, debit: i64) -> i64 {
    match side(classification) {
        Side::Debit => debit,
        Side::Credit => -debit,
    }
}

fn is_profit_and_loss(account_type: &str) -> bool {
    matches!(
        account_type,
        "Income" | "Cost of Goods Sold" | "Expense" | "Other Income" | "Other Expense"
    )
}

/// Lines of the accounts of `types`, sorted by name, for accounts with a non-zero amount;
/// `amounts(account index)` gives the line's amounts.
fn account_lines(
    ds: &Dataset,
    types: &[&str],
    amounts: &dyn Fn(usize) -> Vec<i64>,
) -> Vec<Option<Block>> {
    let mut chosen: Vec<(usize, Vec<i64>)> = ds
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| types.contains(&a.account_type))
        .map(|(index, _)| (index, amounts(index)))
        .filter(|(_, values)| values.iter().any(|&v| v != 0))
        .collect();
    chosen.sort_by(|a, b| ds.account_name(a.0).cmp(ds.account_name(b.0)));
    chosen
        .into_iter()
        .map(|(index, values)| {
            Some(line(
                ds.account_name(index),
                Some((index + 1).to_string()),
                values,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Reports

fn build(
    ds: &Dataset,
    written: &Written,
    report: Report,
    params: &Params,
    time: ResponseTime,
) -> Result<Value, Fault> {
    let (columns, rows, no_data, by) = match report {
        Report::ProfitAndLoss => profit_and_loss(ds, written, params),
        Report::BalanceSheet => balance_sheet(ds, written, params),
        Report::TrialBalance => trial_balance(ds, written, params),
        Report::CashFlow => cash_flow(ds, written, params),
        Report::GeneralLedger => general_ledger(ds, written, params),
        Report::AgedReceivables => aged_receivables(ds, written, params),
    }?;
    let mut header = Map::new();
    header.insert("Time".into(), time.to_string().into());
    header.insert("ReportName".into(), report.name().into());
    if let Some(name) = &params.date_macro {
        header.insert("DateMacro".into(), name.to_ascii_lowercase().into());
    }
    header.insert("ReportBasis".into(), params.basis.as_str().into());
    header.insert("StartPeriod".into(), Day(params.start).to_string().into());
    header.insert("EndPeriod".into(), Day(params.end).to_string().into());
    header.insert("SummarizeColumnsBy".into(), by.as_str().into());
    header.insert("Currency".into(), "USD".into());
    let mut options = Vec::new();
    if report == Report::AgedReceivables {
        options.push(meta("report_date", Day(params.end).to_string()));
    }
    options.push(meta("AccountingStandard", "GAAP".to_owned()));
    options.push(meta("NoReportData", no_data.to_string()));
    header.insert("Option".into(), Value::Array(options));
    let mut column_list = Map::new();
    column_list.insert("Column".into(), Value::Array(columns));
    let mut body = Map::new();
    body.insert("Header".into(), Value::Object(header));
    body.insert("Columns".into(), Value::Object(column_list));
    body.insert("Rows".into(), rows_json(rows));
    Ok(Value::Object(body))
}

/// What a report builder gives: columns, rows, whether there is no data, how columns are split.
type Built = (Vec<Value>, Vec<Node>, bool, By);

fn profit_and_loss(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let periods = periods(params.start, params.end, params.by)?;
    let split = params.by != By::Total;
    let width = periods.len() + usize::from(split);
    let ends: Vec<i32> = periods.iter().map(|p| p.end).collect();
    let cumulative = balances(ds, written, params.basis, Some(params.start), &ends);
    let amounts = |account: usize| -> Vec<i64> {
        let classification = ds.accounts.get(account).map_or("", |a| a.classification);
        let mut values: Vec<i64> = (0..periods.len())
            .map(|k| {
                let now = cumulative[k][account];
                let before = if k == 0 {
                    0
                } else {
                    cumulative[k - 1][account]
                };
                natural(classification, now - before)
            })
            .collect();
        if split {
            values.push(values.iter().sum());
        }
        values
    };
    let income = section(
        "Income",
        "Income",
        "Total Income",
        account_lines(ds, &["Income"], &amounts),
        width,
        false,
    );
    let cogs = section(
        "COGS",
        "Cost of Goods Sold",
        "Total Cost of Goods Sold",
        account_lines(ds, &["Cost of Goods Sold"], &amounts),
        width,
        false,
    );
    let expenses = section(
        "Expenses",
        "Expenses",
        "Total Expenses",
        account_lines(ds, &["Expense"], &amounts),
        width,
        false,
    );
    let other_income = section(
        "OtherIncome",
        "Other Income",
        "Total Other Income",
        account_lines(ds, &["Other Income"], &amounts),
        width,
        false,
    );
    let other_expenses = section(
        "OtherExpenses",
        "Other Expenses",
        "Total Other Expenses",
        account_lines(ds, &["Other Expense"], &amounts),
        width,
        false,
    );
    let no_data = [&income, &cogs, &expenses, &other_income, &other_expenses]
        .iter()
        .all(|s| s.is_none());
    let gross = minus(&totals_of(&income, width), &totals_of(&cogs, width));
    let operating = minus(&gross, &totals_of(&expenses, width));
    let has_other = other_income.is_some() || other_expenses.is_some();
    let other = minus(
        &totals_of(&other_income, width),
        &totals_of(&other_expenses, width),
    );
    let net = plus(&operating, &other);
    let mut rows: Vec<Node> = Vec::new();
    let mut push = |block: Option<Block>| {
        if let Some(block) = block {
            rows.push(block.node);
        }
    };
    push(income);
    push(cogs);
    push(Some(summary_only("GrossProfit", "Gross Profit", gross)));
    push(expenses);
    push(Some(summary_only(
        "NetOperatingIncome",
        "Net Operating Income",
        operating,
    )));
    push(other_income);
    push(other_expenses);
    if has_other {
        push(Some(summary_only(
            "NetOtherIncome",
            "Net Other Income",
            other,
        )));
    }
    push(Some(summary_only("NetIncome", "Net Income", net)));
    let mut columns = vec![label_column("Account", "account")];
    columns.extend(period_columns(&periods, split));
    Ok((columns, rows, no_data, params.by))
}

/// The index of the Retained Earnings account, if the chart has one.
fn retained_earnings(ds: &Dataset) -> Option<usize> {
    ds.accounts
        .iter()
        .position(|a| a.sub_type == "RetainedEarnings")
}

/// Sum of the P&L accounts' debit balances in `balances`.
fn profit_and_loss_debits(ds: &Dataset, balances: &[i64]) -> i64 {
    ds.accounts
        .iter()
        .zip(balances)
        .filter(|(a, _)| is_profit_and_loss(a.account_type))
        .map(|(_, b)| b)
        .sum()
}

fn balance_sheet(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let periods = periods(params.start, params.end, params.by)?;
    let width = periods.len();
    let fiscal_start = |day: i32| to_day(year_start(to_date(day))) - 1;
    let checkpoints = Checkpoints::new(
        periods
            .iter()
            .flat_map(|p| [p.end, fiscal_start(p.end)])
            .collect(),
    );
    let cumulative = balances(ds, written, params.basis, None, &checkpoints.0);
    let at_end: Vec<&Vec<i64>> = periods
        .iter()
        .map(|p| &cumulative[checkpoints.at(p.end)])
        .collect();
    let prior: Vec<i64> = periods
        .iter()
        .map(|p| profit_and_loss_debits(ds, &cumulative[checkpoints.at(fiscal_start(p.end))]))
        .collect();
    let retained = retained_earnings(ds);
    let amounts = |account: usize| -> Vec<i64> {
        let classification = ds.accounts.get(account).map_or("", |a| a.classification);
        (0..width)
            .map(|k| {
                let mut debit = at_end[k][account];
                if Some(account) == retained {
                    debit += prior[k];
                }
                natural(classification, debit)
            })
            .collect()
    };
    let net_income: Vec<i64> = (0..width)
        .map(|k| -(profit_and_loss_debits(ds, at_end[k]) - prior[k]))
        .collect();
    let lines = |types: &[&str]| account_lines(ds, types, &amounts);

    let bank = section(
        "BankAccounts",
        "Bank Accounts",
        "Total Bank Accounts",
        lines(&["Bank"]),
        width,
        false,
    );
    let receivable = section(
        "AR",
        "Accounts Receivable",
        "Total Accounts Receivable",
        lines(&["Accounts Receivable"]),
        width,
        false,
    );
    let other_current = section(
        "OtherCurrentAssets",
        "Other Current Assets",
        "Total Other Current Assets",
        lines(&["Other Current Asset"]),
        width,
        false,
    );
    let current_assets = section(
        "CurrentAssets",
        "Current Assets",
        "Total Current Assets",
        vec![bank, receivable, other_current],
        width,
        false,
    );
    let fixed = section(
        "FixedAssets",
        "Fixed Assets",
        "Total Fixed Assets",
        lines(&["Fixed Asset"]),
        width,
        false,
    );
    let other_assets = section(
        "OtherAssets",
        "Other Assets",
        "Total Other Assets",
        lines(&["Other Asset"]),
        width,
        false,
    );
    let assets = section(
        "TotalAssets",
        "ASSETS",
        "TOTAL ASSETS",
        vec![current_assets, fixed, other_assets],
        width,
        true,
    );

    let payable = section(
        "AP",
        "Accounts Payable",
        "Total Accounts Payable",
        lines(&["Accounts Payable"]),
        width,
        false,
    );
    let cards = section(
        "CreditCards",
        "Credit Cards",
        "Total Credit Cards",
        lines(&["Credit Card"]),
        width,
        false,
    );
    let other_current_liabilities = section(
        "OtherCurrentLiabilities",
        "Other Current Liabilities",
        "Total Other Current Liabilities",
        lines(&["Other Current Liability"]),
        width,
        false,
    );
    let current_liabilities = section(
        "CurrentLiabilities",
        "Current Liabilities",
        "Total Current Liabilities",
        vec![payable, cards, other_current_liabilities],
        width,
        false,
    );
    let long_term = section(
        "LongTermLiabilities",
        "Long-Term Liabilities",
        "Total Long-Term Liabilities",
        lines(&["Long Term Liability"]),
        width,
        false,
    );
    let liabilities = section(
        "Liabilities",
        "Liabilities",
        "Total Liabilities",
        vec![current_liabilities, long_term],
        width,
        false,
    );
    let mut equity_lines = lines(&["Equity"]);
    if net_income.iter().any(|&v| v != 0) {
        equity_lines.push(Some(line("Net Income", None, net_income)));
    }
    let equity = section(
        "Equity",
        "Equity",
        "Total Equity",
        equity_lines,
        width,
        false,
    );
    let no_data = assets
        .as_ref()
        .is_none_or(|a| a.totals.iter().all(|&v| v == 0))
        && liabilities.is_none()
        && equity.is_none();
    let liabilities_and_equity = section(
        "TotalLiabilitiesAndEquity",
        "LIABILITIES AND EQUITY",
        "TOTAL LIABILITIES AND EQUITY",
        vec![liabilities, equity],
        width,
        true,
    );
    let rows = [assets, liabilities_and_equity]
        .into_iter()
        .flatten()
        .map(|b| b.node)
        .collect();
    let mut columns = vec![label_column("Account", "account")];
    columns.extend(period_columns(&periods, false));
    Ok((columns, rows, no_data, params.by))
}

fn trial_balance(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let fiscal_start = to_day(year_start(to_date(params.end))) - 1;
    let checkpoints = Checkpoints::new(vec![fiscal_start, params.end]);
    let cumulative = balances(ds, written, params.basis, None, &checkpoints.0);
    let at_end = &cumulative[checkpoints.at(params.end)];
    let before_year = &cumulative[checkpoints.at(fiscal_start)];
    let retained = retained_earnings(ds);
    let prior = profit_and_loss_debits(ds, before_year);
    let mut rows = Vec::new();
    let (mut debits, mut credits) = (0i64, 0i64);
    for (index, account) in ds.accounts.iter().enumerate() {
        let mut debit = at_end[index];
        if is_profit_and_loss(account.account_type) {
            debit -= before_year[index];
        }
        if Some(index) == retained {
            debit += prior;
        }
        if debit == 0 {
            continue;
        }
        let amounts = if debit > 0 {
            debits += debit;
            vec![debit, 0]
        } else {
            credits -= debit;
            vec![0, -debit]
        };
        rows.push(line(account.name, Some((index + 1).to_string()), amounts).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", vec![debits, credits]).node);
    let columns = vec![
        label_column("Account", "account"),
        money_column("Debit", "debt_amt", None),
        money_column("Credit", "credit_amt", None),
    ];
    Ok((columns, rows, no_data, By::Total))
}

fn cash_flow(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let periods = periods(params.start, params.end, params.by)?;
    let split = params.by != By::Total;
    let width = periods.len() + usize::from(split);
    let mut days: Vec<i32> = periods.iter().map(|p| p.end).collect();
    days.push(params.start - 1);
    let checkpoints = Checkpoints::new(days);
    let cumulative = balances(ds, written, params.basis, None, &checkpoints.0);
    let bounds: Vec<(usize, usize)> = periods
        .iter()
        .map(|p| (checkpoints.at(p.start - 1), checkpoints.at(p.end)))
        .collect();
    // Cash effect of each period's change in an account: minus its debit change.
    let flows = |account: usize| -> Vec<i64> {
        let mut values: Vec<i64> = bounds
            .iter()
            .map(|&(before, after)| -(cumulative[after][account] - cumulative[before][account]))
            .collect();
        if split {
            values.push(values.iter().sum());
        }
        values
    };
    let net_income: Vec<i64> = {
        let mut values: Vec<i64> = bounds
            .iter()
            .map(|&(before, after)| {
                -(profit_and_loss_debits(ds, &cumulative[after])
                    - profit_and_loss_debits(ds, &cumulative[before]))
            })
            .collect();
        if split {
            values.push(values.iter().sum());
        }
        values
    };
    let lines = |types: &[&str]| account_lines(ds, types, &flows);
    let adjustments = section(
        "OperatingAdjustments",
        "Adjustments to reconcile Net Income to Net Cash provided by operations:",
        "Total Adjustments to reconcile Net Income to Net Cash provided by operations:",
        lines(&[
            "Accounts Receivable",
            "Other Current Asset",
            "Accounts Payable",
            "Credit Card",
            "Other Current Liability",
        ]),
        width,
        false,
    );
    let operating = section(
        "OperatingActivities",
        "OPERATING ACTIVITIES",
        "Net cash provided by operating activities",
        vec![Some(line("Net Income", None, net_income)), adjustments],
        width,
        true,
    );
    let investing = section(
        "InvestingActivities",
        "INVESTING ACTIVITIES",
        "Net cash provided by investing activities",
        lines(&["Fixed Asset", "Other Asset"]),
        width,
        false,
    );
    let financing = section(
        "FinancingActivities",
        "FINANCING ACTIVITIES",
        "Net cash provided by financing activities",
        lines(&["Long Term Liability", "Equity"]),
        width,
        false,
    );
    let increase = plus(
        &plus(&totals_of(&operating, width), &totals_of(&investing, width)),
        &totals_of(&financing, width),
    );
    let cash_at = |at: usize| -> i64 {
        ds.accounts
            .iter()
            .zip(&cumulative[at])
            .filter(|(a, _)| a.account_type == "Bank")
            .map(|(_, b)| b)
            .sum()
    };
    let mut beginning: Vec<i64> = bounds.iter().map(|&(before, _)| cash_at(before)).collect();
    let mut ending: Vec<i64> = bounds.iter().map(|&(_, after)| cash_at(after)).collect();
    if split {
        beginning.push(beginning.first().copied().unwrap_or(0));
        ending.push(ending.last().copied().unwrap_or(0));
    }
    let no_data = increase.iter().all(|&v| v == 0)
        && operating
            .as_ref()
            .is_none_or(|o| o.totals.iter().all(|&v| v == 0));
    let mut rows: Vec<Node> = [operating, investing, financing]
        .into_iter()
        .flatten()
        .map(|b| b.node)
        .collect();
    rows.push(summary_only("CashIncrease", "NET CASH INCREASE FOR PERIOD", increase).node);
    rows.push(summary_only("BeginningCash", "Cash at beginning of period", beginning).node);
    rows.push(summary_only("EndingCash", "CASH AT END OF PERIOD", ending).node);
    let mut columns = vec![label_column("Account", "account")];
    columns.extend(period_columns(&periods, split));
    Ok((columns, rows, no_data, params.by))
}

fn aged_receivables(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let day = params.end;
    let buckets = params.num_periods as usize;
    let width = buckets + 2;
    let mut per_customer: Vec<Option<Vec<i64>>> = vec![None; ds.customers.len()];
    let mut names: std::collections::HashMap<usize, String> = Default::default();
    let mut charge = |customer: usize, column: usize, amount: i64| {
        if customer >= per_customer.len() {
            per_customer.resize(customer + 1, None);
        }
        if let Some(slot) = per_customer.get_mut(customer) {
            let values = slot.get_or_insert_with(|| vec![0; width]);
            values[column] += amount;
            values[width - 1] += amount;
        }
    };
    let column_of = |due_date: i32| {
        let late = day - due_date;
        if late <= 0 {
            0
        } else {
            (((late - 1) / params.aging_period) as usize + 1).min(buckets)
        }
    };
    // Written payments dated by then: what they applied per invoice, and customer credits.
    let mut applied: std::collections::HashMap<usize, i64> = Default::default();
    let open = |index: usize| match written.invoice(index) {
        Shadow::Live(invoice) => invoice.day <= day,
        Shadow::Seeded => ds.invoices.get(index).is_some_and(|i| i.txn_date <= day),
        Shadow::Deleted => false,
    };
    for (_, payment) in written.payments().filter(|(_, p)| p.day <= day) {
        for &(invoice, amount) in &payment.applied {
            if open(invoice) {
                *applied.entry(invoice).or_default() += amount;
            } else {
                charge(payment.customer, 0, -amount);
            }
        }
        if payment.unapplied() != 0 {
            charge(payment.customer, 0, -payment.unapplied());
        }
        if payment.customer >= ds.customers.len() {
            names.insert(payment.customer, payment.party.clone());
        }
    }
    // (Not hashed at all without written payments: this runs once per invoice.)
    let applied_to = |index: usize| {
        if applied.is_empty() {
            0
        } else {
            applied.get(&index).copied().unwrap_or(0)
        }
    };
    let sales_written = written.invoices().next().is_some() || !applied.is_empty();
    for (index, invoice) in ds.invoices.iter().enumerate() {
        if !sales_written {
            // The seeded books alone (the common case, kept as lean as it was): an invoice is
            // open until its payment.
            let paid_by_then = invoice.payment != 0
                && ds
                    .payments
                    .get(invoice.payment as usize - 1)
                    .is_some_and(|p| p.txn_date <= day)
                && matches!(
                    written.payment(invoice.payment as usize - 1),
                    Shadow::Seeded
                );
            if invoice.txn_date <= day && invoice.total != 0 && !paid_by_then {
                charge(
                    invoice.customer as usize,
                    column_of(invoice.due_date),
                    invoice.total,
                );
            }
            continue;
        }
        // The seeded payment of the invoice, if it still stands and was made by then.
        let seeded_payment = || {
            (invoice.payment != 0)
                .then(|| invoice.payment as usize - 1)
                .filter(|&p| matches!(written.payment(p), Shadow::Seeded))
                .and_then(|p| ds.payments.get(p))
                .filter(|p| p.txn_date <= day)
        };
        let (customer, total, due_date) = match written.invoice(index) {
            Shadow::Seeded => {
                if invoice.txn_date > day || invoice.total == 0 {
                    continue;
                }
                (invoice.customer as usize, invoice.total, invoice.due_date)
            }
            Shadow::Live(now) if now.day <= day => (now.customer, now.total(), now.due),
            // Deleted, or now dated later: a payment already made is the customer's credit.
            Shadow::Live(_) | Shadow::Deleted => {
                if let Some(payment) = seeded_payment() {
                    charge(payment.customer as usize, 0, -payment.amount);
                }
                continue;
            }
        };
        let paid = seeded_payment().map_or(0, |p| p.amount) + applied_to(index);
        if total != paid {
            charge(customer, column_of(due_date), total - paid);
        }
    }
    for (index, invoice) in written.invoices() {
        if index < ds.invoices.len() || invoice.day > day {
            continue;
        }
        let open = invoice.total() - applied_to(index);
        if open != 0 {
            charge(invoice.customer, column_of(invoice.due), open);
        }
        if invoice.customer >= ds.customers.len() {
            names.insert(invoice.customer, invoice.party.clone());
        }
    }
    let mut customers: Vec<(&str, usize, Vec<i64>)> = per_customer
        .into_iter()
        .enumerate()
        .filter_map(|(index, values)| values.map(|v| (index, v)))
        .filter(|(_, values)| values.iter().any(|&v| v != 0))
        .map(|(index, values)| {
            let name = names
                .get(&index)
                .map_or_else(|| ds.customer_name(index), String::as_str);
            (name, index, values)
        })
        .collect();
    customers.sort_by(|a, b| a.0.cmp(b.0));
    let mut totals = vec![0i64; width];
    let mut rows = Vec::new();
    for (name, index, values) in customers {
        for (total, value) in totals.iter_mut().zip(&values) {
            *total += value;
        }
        rows.push(line(name, Some((index + 1).to_string()), values).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", totals).node);
    let period = params.aging_period;
    let mut columns = vec![
        label_column("Customer", "customer"),
        money_column("Current", "current", None),
    ];
    for k in 0..params.num_periods {
        let title = if k + 1 == params.num_periods {
            format!("{} and over", k * period + 1)
        } else {
            format!("{} - {}", k * period + 1, (k + 1) * period)
        };
        columns.push(money_column(&title, &k.to_string(), None));
    }
    columns.push(money_column("Total", "total", None));
    Ok((columns, rows, no_data, By::Total))
}

fn general_ledger(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let accounts = ds.accounts.len();
    let mut beginning = vec![0i64; accounts];
    let mut lines: Vec<Vec<Posting>> = vec![Vec::new(); accounts];
    ledger::for_each(
        ds,
        written,
        params.basis,
        None,
        params.end,
        &mut |p: Posting| {
            if p.day < params.start {
                if let Some(b) = beginning.get_mut(p.account) {
                    *b += p.amount;
                }
            } else if let Some(list) = lines.get_mut(p.account) {
                list.push(p);
            }
        },
    );
    let blanks = |n: usize| (0..n).map(|_| cell("")).collect::<Vec<_>>();
    let mut rows = Vec::new();
    for (index, account) in ds.accounts.iter().enumerate() {
        let postings = &mut lines[index];
        if postings.is_empty() && beginning[index] == 0 {
            continue;
        }
        postings.sort_by_key(|p| p.day);
        let classification = account.classification;
        let mut balance = natural(classification, beginning[index]);
        let mut section_rows = Vec::with_capacity(postings.len() + 1);
        let mut first = vec![cell("Beginning Balance")];
        first.extend(blanks(6));
        first.push(cell(money(balance)));
        section_rows.push(Node::Data(first));
        let mut total = 0i64;
        for posting in postings.iter() {
            let amount = natural(classification, posting.amount);
            total += amount;
            balance += amount;
            section_rows.push(Node::Data(ledger_cells(
                ds, written, posting, amount, balance,
            )));
        }
        let mut summary = vec![cell(format!("Total for {}", account.name))];
        summary.extend(blanks(5));
        summary.push(cell(money(total)));
        summary.push(cell(""));
        let mut header = vec![cell_with_id(account.name, (index + 1).to_string())];
        header.extend(blanks(7));
        rows.push(Node::Section {
            group: None,
            header: Some(header),
            rows: section_rows,
            summary: Some(summary),
        });
    }
    let no_data = rows.is_empty();
    let column = |title: &str, col_type: &str| json!({"ColTitle": title, "ColType": col_type, "MetaData": [meta("ColKey", col_type.to_owned())]});
    let columns = vec![
        column("Date", "tx_date"),
        column("Transaction Type", "txn_type"),
        column("Num", "doc_num"),
        column("Name", "name"),
        column("Memo/Description", "memo"),
        column("Split", "split_acc"),
        column("Amount", "subt_nat_amount"),
        column("Balance", "rbal_nat_amount"),
    ];
    Ok((columns, rows, no_data, By::Total))
}

/// The cells of one general-ledger line.
fn ledger_cells(
    ds: &Dataset,
    written: &Written,
    posting: &Posting,
    amount: i64,
    balance: i64,
) -> Vec<Value> {
    let id = |index: usize| (index + 1).to_string();
    let customer = |index: usize, written_name: Option<&str>| {
        let name = written_name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| ds.customer_name(index));
        Some((name.to_owned(), id(index)))
    };
    let (kind, txn_id, number, name) = match posting.source {
        Source::Invoice(i) => match written.invoice(i) {
            Shadow::Live(invoice) => (
                "Invoice",
                Some(id(i)),
                invoice.doc_number.clone(),
                customer(invoice.customer, Some(&invoice.party)),
            ),
            _ => {
                let index = ds.invoices.get(i).map_or(0, |v| v.customer as usize);
                (
                    "Invoice",
                    Some(id(i)),
                    (1001 + i).to_string(),
                    customer(index, None),
                )
            }
        },
        Source::Payment(i) => match written.payment(i) {
            Shadow::Live(payment) => (
                "Payment",
                Some(id(i)),
                payment.ref_number.clone(),
                customer(payment.customer, Some(&payment.party)),
            ),
            _ => {
                let payment = ds.payments.get(i);
                (
                    "Payment",
                    Some(id(i)),
                    payment
                        .and_then(|p| p.check_number)
                        .map_or_else(String::new, |n| n.to_string()),
                    customer(payment.map_or(0, |p| p.customer as usize), None),
                )
            }
        },
        Source::Bill(i) | Source::BillPayment(i) => {
            let (vendor, vendor_name, doc_number) = match written.bill(i) {
                Shadow::Live(bill) => (bill.vendor, bill.party.clone(), bill.doc_number.clone()),
                _ => {
                    let bill = ds.bills.get(i);
                    let vendor = bill.map_or(0, |b| b.vendor as usize);
                    let name = ds
                        .vendors
                        .get(vendor)
                        .map_or("", |v| v.display_name.as_str());
                    let doc = bill
                        .and_then(|b| b.doc_number)
                        .map_or_else(String::new, |n| n.to_string());
                    (vendor, name.to_owned(), doc)
                }
            };
            let is_bill = matches!(posting.source, Source::Bill(_));
            (
                if is_bill {
                    "Bill"
                } else {
                    "Bill Payment (Check)"
                },
                is_bill.then(|| id(i)),
                if is_bill { doc_number } else { String::new() },
                Some((vendor_name, id(vendor))),
            )
        }
    };
    vec![
        cell(Day(posting.day).to_string()),
        match txn_id {
            Some(txn) => cell_with_id(kind, txn),
            None => cell(kind),
        },
        cell(number),
        match name {
            Some((name, party)) => cell_with_id(name, party),
            None => cell(""),
        },
        cell(""),
        match posting.split {
            Split::Account(other) => cell_with_id(ds.account_name(other), id(other)),
            Split::Several => cell("-Split-"),
        },
        cell(money(amount)),
        cell(money(balance)),
    ]
}

#[cfg(test)]
mod tests;
