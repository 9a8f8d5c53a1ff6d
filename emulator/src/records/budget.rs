//! A budget as QBO JSON: its year, type and a line per month and account.

use serde::Serialize;

use super::parts::{IdStr, MetaData, Money, Ref, id_of, meta, named};
use crate::data::Dataset;
use crate::extras::{BUDGET_ACCOUNTS, budget_month};
use crate::time::Day;

/// `QBO.Budget` in QBO's key order.
#[derive(Serialize)]
pub(crate) struct BudgetView<'a> {
    #[serde(rename = "StartDate")]
    pub(crate) start: Day,
    #[serde(rename = "BudgetEntryType")]
    pub(crate) entry_type: &'static str,
    #[serde(rename = "EndDate")]
    pub(crate) end: Day,
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "BudgetType")]
    pub(crate) kind: &'static str,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "BudgetDetail")]
    pub(crate) detail: Vec<BudgetDetail<'a>>,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

/// One `BudgetDetail` line: an account's amount for the month starting on `BudgetDate`.
#[derive(Serialize)]
pub(crate) struct BudgetDetail<'a> {
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "AccountRef")]
    pub(crate) account: Ref<'a, IdStr>,
    #[serde(rename = "BudgetDate")]
    pub(crate) date: Day,
}

/// Budget `i` as QBO JSON (`None` out of range).
pub(crate) fn budget_view(ds: &Dataset, i: usize) -> Option<BudgetView<'_>> {
    let b = ds.budgets.get(i)?;
    let detail = b
        .amounts
        .chunks(BUDGET_ACCOUNTS.len())
        .enumerate()
        .flat_map(|(m, amounts)| {
            let date = Day(budget_month(b.start, m));
            amounts
                .iter()
                .zip(BUDGET_ACCOUNTS)
                .map(move |(&amount, (account, _))| BudgetDetail {
                    amount: Money(amount),
                    account: named(id_of(account), ds.account_name(account)),
                    date,
                })
        })
        .collect();
    Some(BudgetView {
        start: Day(b.start),
        entry_type: "Monthly",
        end: Day(b.end),
        name: &b.name,
        sync_token: IdStr(u64::from(b.updated != b.created)),
        kind: "ProfitAndLoss",
        domain: "QBO",
        sparse: false,
        active: b.active,
        detail,
        id: id_of(i),
        meta: meta(b.created, b.updated),
    })
}
