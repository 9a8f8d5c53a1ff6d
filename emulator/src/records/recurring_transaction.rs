//! A recurring transaction as QBO JSON: `{"Invoice": {...}}`, the invoice template with its
//! `RecurringInfo` (name, kind, schedule) in place of a number and dates.

use serde::Serialize;

use super::invoice::{InvoiceLine, SubTotalLineView, sales_line};
use super::parts::{Empty, IdStr, MetaData, Money, Ref, USD, id_of, meta, named};
use crate::data::{Dataset, SalesLine};
use crate::time::Day;

/// `QBO.RecurringTransaction`: the template under its transaction type.
#[derive(Serialize)]
pub(crate) struct RecurringTransactionView<'a> {
    #[serde(rename = "Invoice")]
    pub(crate) invoice: TemplateView<'a>,
}

/// An invoice template: an invoice's parts without number or dates, with `RecurringInfo`.
#[derive(Serialize)]
pub(crate) struct TemplateView<'a> {
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
    #[serde(rename = "RecurringInfo")]
    pub(crate) recurring: RecurringInfo,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    #[serde(rename = "Line")]
    pub(crate) lines: Vec<InvoiceLine<'a>>,
    #[serde(rename = "TxnTaxDetail")]
    pub(crate) tax: TotalTax,
    #[serde(rename = "CustomerRef")]
    pub(crate) customer: Ref<'a, IdStr>,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
    #[serde(rename = "EmailStatus")]
    pub(crate) email_status: &'static str,
    #[serde(rename = "PrintStatus")]
    pub(crate) print_status: &'static str,
}

/// A template's `TxnTaxDetail` (no tax on service agreements).
#[derive(Serialize)]
pub(crate) struct TotalTax {
    #[serde(rename = "TotalTax")]
    pub(crate) total: Money,
}

/// `RecurringInfo`: the template's name, kind, whether it runs, and its schedule.
#[derive(Serialize)]
pub(crate) struct RecurringInfo {
    #[serde(rename = "Name")]
    pub(crate) name: String,
    #[serde(rename = "RecurType")]
    pub(crate) kind: &'static str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "ScheduleInfo")]
    pub(crate) schedule: ScheduleInfo,
}

/// `ScheduleInfo`: when the template makes its transactions.
#[derive(Serialize)]
pub(crate) struct ScheduleInfo {
    #[serde(rename = "IntervalType")]
    pub(crate) interval: &'static str,
    #[serde(rename = "NumInterval")]
    pub(crate) every: u32,
    #[serde(rename = "DayOfMonth")]
    pub(crate) day_of_month: u32,
    #[serde(rename = "StartDate")]
    pub(crate) start: Day,
    #[serde(rename = "NextDate", skip_serializing_if = "Option::is_none")]
    pub(crate) next: Option<Day>,
    #[serde(rename = "PreviousDate")]
    pub(crate) previous: Day,
}

/// Recurring template `i` as QBO JSON (`None` out of range).
pub(crate) fn recurring_transaction_view(
    ds: &Dataset,
    i: usize,
) -> Option<RecurringTransactionView<'_>> {
    let r = ds.recurring.get(i)?;
    let line = SalesLine {
        item: r.item,
        qty: 1,
        unit_price: r.amount,
        amount: r.amount,
        taxable: false,
        service_date: None,
    };
    let customer = ds.customer_name(r.customer as usize);
    Some(RecurringTransactionView {
        invoice: TemplateView {
            domain: "QBO",
            sparse: false,
            id: id_of(i),
            sync_token: IdStr(0),
            meta: meta(r.created, r.created),
            recurring: RecurringInfo {
                name: format!("Monthly service agreement - {customer}"),
                kind: "Automated",
                active: r.active,
                schedule: ScheduleInfo {
                    interval: "Monthly",
                    every: 1,
                    day_of_month: 1,
                    start: Day(r.start),
                    next: r.active.then_some(Day(r.next)),
                    previous: Day(r.previous),
                },
            },
            currency: USD,
            lines: vec![
                InvoiceLine::Sales(sales_line(ds, 0, &line, None)),
                InvoiceLine::SubTotal(SubTotalLineView {
                    amount: Money(r.amount),
                    detail_type: "SubTotalLineDetail",
                    detail: Empty {},
                }),
            ],
            tax: TotalTax { total: Money(0) },
            customer: named(IdStr(u64::from(r.customer) + 1), customer),
            total: Money(r.amount),
            email_status: "NotSet",
            print_status: "NotSet",
        },
    })
}
