//! A report's `Columns`: the label column, one money column per period, the periods themselves.

use chrono::Datelike;
use serde_json::{Value, json};

use super::params::{
    By, business_error, month_start, plus_days, plus_months, quarter_start, to_date, to_day,
    week_start, year_start,
};
use crate::fault::Fault;
use crate::time::Day;

/// Most columns a report may have (QBO caps the size of reports too).
pub(super) const MAX_PERIODS: usize = 1000;

/// One amount column's period.
#[derive(Debug, Clone)]
pub(super) struct Period {
    pub(super) start: i32,
    pub(super) end: i32,
    pub(super) title: String,
}

/// The periods `start..=end` splits into.
pub(super) fn periods(start: i32, end: i32, by: By) -> Result<Vec<Period>, Fault> {
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

pub(super) fn meta(name: &str, value: String) -> Value {
    json!({"Name": name, "Value": value})
}

pub(super) fn label_column(col_type: &str, key: &str) -> Value {
    json!({"ColTitle": "", "ColType": col_type, "MetaData": [meta("ColKey", key.to_owned())]})
}

pub(super) fn money_column(title: &str, key: &str, dates: Option<(i32, i32)>) -> Value {
    let mut metadata = Vec::new();
    if let Some((start, end)) = dates {
        metadata.push(meta("StartDate", Day(start).to_string()));
        metadata.push(meta("EndDate", Day(end).to_string()));
    }
    metadata.push(meta("ColKey", key.to_owned()));
    json!({"ColTitle": title, "ColType": "Money", "MetaData": metadata})
}

/// The amount columns of a report over `periods` (and a final Total when split).
pub(super) fn period_columns(periods: &[Period], total: bool) -> Vec<Value> {
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
