//! Report parameters as QBO reads them: dates, `date_macro` ranges, accounting basis, how columns
//! are split, aging settings; a bad value is a 400 ValidationFault.

use axum::http::StatusCode;
use chrono::{Datelike, Months, NaiveDate};

use super::catalog::Report;
use crate::data::Dataset;
use crate::fault::Fault;
use crate::ledger::Basis;
use crate::time::Day;

/// Day number of 1970-01-01 counted from 0001-01-01 (chrono's "days from CE").
pub(super) const EPOCH_FROM_CE: i32 = 719_163;

/// How the amount columns are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum By {
    Total,
    Days,
    Weeks,
    Months,
    Quarters,
    Years,
}

impl By {
    pub(super) fn parse(text: &str) -> Option<By> {
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
    pub(super) fn as_str(self) -> &'static str {
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
pub(super) struct Params {
    pub(super) start: i32,
    pub(super) end: i32,
    pub(super) date_macro: Option<String>,
    pub(super) basis: Basis,
    pub(super) by: By,
    pub(super) aging_period: i32,
    pub(super) num_periods: i32,
    /// The day the agings count days past due from: the report's day (`aging_method=
    /// Report_Date`, the default) or the company's today (`Current`).
    pub(super) aging_day: i32,
    /// `columns`: the column keys asked for, in order (detail reports; checked by each report).
    pub(super) columns: Option<Vec<String>>,
    /// `customer`: customer indexes to keep (`None`: all).
    pub(super) customers: Option<Vec<usize>>,
    /// `vendor`: vendor indexes to keep.
    pub(super) vendors: Option<Vec<usize>>,
    /// `item`: item indexes to keep.
    pub(super) items: Option<Vec<usize>>,
    /// `sort_by` (a column key) and whether `sort_order` is `descend`.
    pub(super) sort: Option<(String, bool)>,
}

impl Params {
    /// Whether customer `index` passes the `customer` filter.
    pub(super) fn keeps_customer(&self, index: usize) -> bool {
        self.customers
            .as_ref()
            .is_none_or(|list| list.contains(&index))
    }

    /// Whether vendor `index` passes the `vendor` filter.
    pub(super) fn keeps_vendor(&self, index: usize) -> bool {
        self.vendors
            .as_ref()
            .is_none_or(|list| list.contains(&index))
    }

    /// Whether item `index` passes the `item` filter.
    pub(super) fn keeps_item(&self, index: usize) -> bool {
        self.items.as_ref().is_none_or(|list| list.contains(&index))
    }
}

/// A comma list of entity ids (`"1,5"`) as indexes; a value that is not an id is a fault.
fn id_list(name: &str, text: &str) -> Result<Vec<usize>, Fault> {
    text.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(|id| {
            id.parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .map(|n| n - 1)
                .ok_or_else(|| business_error(name, format!("{name} {id:?} is not an id")))
        })
        .collect()
}

pub(super) fn to_date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day.saturating_add(EPOCH_FROM_CE)).unwrap_or_default()
}

pub(super) fn to_day(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - EPOCH_FROM_CE
}

pub(super) fn invalid_enumeration(name: &str, value: &str, expected: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2170",
        "Invalid Enumeration",
        format!("Invalid Enumeration : {value} is not a valid {name}; expected {expected}"),
        Some(name),
    )
}

pub(super) fn business_error(name: &str, detail: String) -> Fault {
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
    /// The parameters of `query`, with dates relative to the company-local day `today`.
    pub(super) fn parse(
        ds: &Dataset,
        report: Report,
        query: &str,
        today: i32,
    ) -> Result<Params, Fault> {
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
        if report.is_as_of()
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
                let name = report.default_macro();
                let (start, end) = macro_range(name, today, ds).unwrap_or((today, today));
                (start, end, None)
            }
            (start, end, _) => {
                let end = end.unwrap_or(today);
                let start = start.unwrap_or_else(|| to_day(year_start(to_date(end))));
                (start, end, None)
            }
        };
        let start = if report.is_as_of() { end } else { start };
        if start > end {
            return Err(business_error(
                "start_date",
                format!("start_date {} is after end_date {}", Day(start), Day(end)),
            ));
        }
        let columns = get("columns").map(|text| {
            text.split(',')
                .map(|key| key.trim().to_ascii_lowercase())
                .filter(|key| !key.is_empty())
                .collect::<Vec<_>>()
        });
        let list = |name: &str| get(name).map(|text| id_list(name, text)).transpose();
        let descending = match get("sort_order") {
            None => false,
            Some(order) if order.eq_ignore_ascii_case("ascend") => false,
            Some(order) if order.eq_ignore_ascii_case("descend") => true,
            Some(other) => {
                return Err(invalid_enumeration(
                    "sort_order",
                    other,
                    "ascend or descend",
                ));
            }
        };
        let sort = get("sort_by").map(|key| (key.to_ascii_lowercase(), descending));
        let aging_day = match get("aging_method") {
            None => end,
            Some(m) if m.eq_ignore_ascii_case("report_date") => end,
            Some(m) if m.eq_ignore_ascii_case("current") => today,
            Some(other) => {
                return Err(invalid_enumeration(
                    "aging_method",
                    other,
                    "Report_Date or Current",
                ));
            }
        };
        Ok(Params {
            start,
            end,
            date_macro,
            basis,
            by,
            aging_period,
            num_periods,
            aging_day,
            columns,
            customers: list("customer")?,
            vendors: list("vendor")?,
            items: list("item")?,
            sort,
        })
    }
}

pub(super) fn year_start(date: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date)
}

pub(super) fn quarter_start(date: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1).unwrap_or(date)
}

pub(super) fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Sunday on or before `date` (QBO's weeks start on Sunday in the US).
pub(super) fn week_start(date: NaiveDate) -> NaiveDate {
    plus_days(date, -i64::from(date.weekday().num_days_from_sunday()))
}

pub(super) fn plus_months(date: NaiveDate, months: i32) -> NaiveDate {
    let shifted = if months >= 0 {
        date.checked_add_months(Months::new(months.unsigned_abs()))
    } else {
        date.checked_sub_months(Months::new(months.unsigned_abs()))
    };
    shifted.unwrap_or(date)
}

/// `date` moved by `days` (left as it is at the ends of the calendar; dates are checked to be
/// in years 1 to 9999 first).
pub(super) fn plus_days(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(chrono::Duration::days(days))
        .unwrap_or(date)
}

/// The range of a QBO date macro (case-insensitive) on `today`.
pub(super) fn macro_range(name: &str, today: i32, ds: &Dataset) -> Option<(i32, i32)> {
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
