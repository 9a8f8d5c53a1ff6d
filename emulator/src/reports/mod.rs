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
//! Served: the 29 reports of `catalog.rs` (QBO's Reports API; `SalesByProduct` is the SDKs'
//! name for `ItemSales`); any other name is QBO's `Unsupported Operation` fault. Parameters:
//! `start_date`, `end_date` (YYYY-MM-DD), `date_macro` (QBO's list, relative to the company
//! clock's today, `clock.rs`; the fiscal year is the calendar year), `accounting_method`
//! (`Accrual`|`Cash`), `summarize_column_by` (`Total`, `Days`, `Weeks`, `Months`, `Quarters`,
//! `Years`, singular or plural; P&L, balance sheet, cash flow and the sales reports), for the
//! reports of one day (agings, balances, inventory valuation summary) `report_date`, and for the
//! agings `aging_period`, `num_periods`; `columns` (detail and transaction-list reports: QBO's
//! column keys, in order, `detail.rs`); `customer`, `vendor`, `item` (comma lists of ids). Without
//! dates a report covers its QBO default (`catalog.rs`: "This Fiscal Year-to-date", "This
//! Month-to-date" for the ledgers and lists, today for reports of one day). Bad values are 400
//! ValidationFaults. Other parameters (`minorversion`, `sort_order` ...) are ignored.
//!
//! A report with more than `EmulatorConfig::report_max_cells` cells (default 400,000, the cap
//! QBO is quoted with) is cut short as QBO does (`cap.rs`): still 200, its rows stopped, and a last
//! row reading "Unable to display more data. Please reduce the date range.".
//!
//! Everything is computed in one pass over the tables per request, on a blocking thread: a
//! transaction outside the report's window is skipped before its lines are rebuilt. Writes come
//! from the overlay's written books (`written.rs`), taken as an `Arc` under the overlay's read
//! lock, which is released before anything is computed. The agings and balances are sums of
//! `open_items.rs`: each invoice's total less what payments dated by then applied to it (what a
//! payment leaves unapplied, or applied to a deleted invoice, is the customer's credit, Current),
//! each bill not paid by then.

mod account_list;
mod aging;
mod balance_sheet;
mod balances;
mod cap;
mod cash_flow;
mod catalog;
mod columns;
mod detail;
mod general_ledger;
mod inventory;
mod open_items;
mod params;
mod profit_and_loss;
mod profit_and_loss_detail;
mod rows;
mod sales;
mod sorting;
mod tracking;
mod transaction_lists;
mod trial_balance;
mod txn;

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::data::Dataset;
use crate::fault::{Fault, json_response};
use crate::state::State;
use crate::time::{Day, ResponseTime, day_of};
use crate::written::Written;

use aging::Side;
use catalog::REPORTS;
pub(crate) use catalog::Report;
use columns::meta;
use params::Params;
use rows::rows_json;
use tracking::Tracking;

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
        let now = state.clock().response_time();
        match answer(state.data(), &written, report, &query, now) {
            Ok(mut body) => {
                cap::cut(&mut body, state.config().report_max_cells);
                json_response(StatusCode::OK, &body)
            }
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

/// The report's JSON for the query string `query` asked at `now` (dates default to now's
/// day), or the fault its parameters deserve.
pub(crate) fn answer(
    ds: &Dataset,
    written: &Written,
    report: Report,
    query: &str,
    now: ResponseTime,
) -> Result<Value, Fault> {
    let params = Params::parse(ds, report, query, day_of(now.0.div_euclid(1000)))?;
    build(ds, written, report, &params, now)
}

fn build(
    ds: &Dataset,
    written: &Written,
    report: Report,
    params: &Params,
    time: ResponseTime,
) -> Result<Value, Fault> {
    let (columns, mut rows, no_data, by) = match report {
        Report::ProfitAndLoss => profit_and_loss::profit_and_loss(ds, written, params),
        Report::BalanceSheet => balance_sheet::balance_sheet(ds, written, params),
        Report::TrialBalance => trial_balance::trial_balance(ds, written, params),
        Report::CashFlow => cash_flow::cash_flow(ds, written, params),
        Report::GeneralLedger => general_ledger::general_ledger(ds, written, params),
        Report::AgedReceivables => aging::aged_summary(ds, written, params, Side::Receivable),
        Report::ProfitAndLossDetail => {
            profit_and_loss_detail::profit_and_loss_detail(ds, written, params)
        }
        Report::AgedReceivableDetail => aging::aged_detail(ds, written, params, Side::Receivable),
        Report::AgedPayables => aging::aged_summary(ds, written, params, Side::Payable),
        Report::AgedPayableDetail => aging::aged_detail(ds, written, params, Side::Payable),
        Report::CustomerBalance => aging::balance_summary(ds, written, params, Side::Receivable),
        Report::CustomerBalanceDetail => {
            aging::balance_detail(ds, written, params, Side::Receivable)
        }
        Report::VendorBalance => aging::balance_summary(ds, written, params, Side::Payable),
        Report::VendorBalanceDetail => aging::balance_detail(ds, written, params, Side::Payable),
        Report::TransactionList => transaction_lists::transaction_list(ds, written, params),
        Report::TransactionListWithSplits => {
            transaction_lists::transaction_list_with_splits(ds, written, params)
        }
        Report::TransactionListByCustomer => {
            transaction_lists::transaction_list_by_party(ds, written, params, false)
        }
        Report::TransactionListByVendor => {
            transaction_lists::transaction_list_by_party(ds, written, params, true)
        }
        Report::Journal => transaction_lists::journal_report(ds, written, params),
        Report::CustomerIncome => sales::customer_income(ds, written, params, true),
        Report::CustomerSales => sales::customer_income(ds, written, params, false),
        Report::VendorExpenses => sales::vendor_expenses(ds, written, params),
        Report::ItemSales => sales::item_sales(ds, written, params),
        Report::ClassSales => sales::tracked_sales(ds, written, params, Tracking::Class),
        Report::DepartmentSales => sales::tracked_sales(ds, written, params, Tracking::Department),
        Report::TaxSummary => sales::tax_summary(ds, written, params),
        Report::AccountList => account_list::account_list(ds, written, params),
        Report::InventoryValuationSummary => inventory::summary(ds, written, params),
        Report::InventoryValuationDetail => inventory::detail(ds, written, params),
    }?;
    if let Some((key, descending)) = &params.sort {
        sorting::sort_rows(&columns, &mut rows, key, *descending)?;
    }
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
    if report.is_as_of() {
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

#[cfg(test)]
mod tests;
