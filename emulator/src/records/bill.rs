//! A vendor bill as QBO JSON, with its account-based expense lines.

use serde::Serialize;

use super::parts::{
    Decimal, IdStr, LinkedTxn, MetaData, Money, Ref, bare, currency_ref, id_of, meta, named,
};
use crate::data::{ACCT_AP, Dataset, ExpenseLine, TERMS};
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct BillView<'a> {
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    pub(crate) domain: &'static str,
    #[serde(rename = "APAccountRef")]
    pub(crate) ap_account: Ref<'a, IdStr>,
    #[serde(rename = "VendorRef")]
    pub(crate) vendor: Ref<'a, IdStr>,
    #[serde(rename = "DocNumber", skip_serializing_if = "Option::is_none")]
    pub(crate) doc_number: Option<IdStr>,
    #[serde(rename = "TxnDate")]
    pub(crate) txn_date: Day,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    /// With multicurrency on: home currency per unit of `currency`.
    #[serde(rename = "ExchangeRate", skip_serializing_if = "Option::is_none")]
    pub(crate) exchange_rate: Option<Decimal>,
    /// The bill payment that paid it (none while it is open).
    #[serde(rename = "LinkedTxn", serialize_with = "as_list")]
    pub(crate) linked: Option<[LinkedTxn; 1]>,
    #[serde(rename = "SalesTermRef")]
    pub(crate) term: Ref<'static, IdStr>,
    #[serde(rename = "DueDate")]
    pub(crate) due_date: Day,
    pub(crate) sparse: bool,
    #[serde(rename = "Line")]
    pub(crate) lines: Vec<BillLineView<'a>>,
    #[serde(rename = "Balance")]
    pub(crate) balance: Money,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

#[derive(Serialize)]
pub(crate) struct BillLineView<'a> {
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "LineNum")]
    pub(crate) line_num: u64,
    #[serde(rename = "Description")]
    pub(crate) description: &'a str,
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "DetailType")]
    pub(crate) detail_type: &'static str,
    #[serde(rename = "AccountBasedExpenseLineDetail")]
    pub(crate) detail: ExpenseDetail<'a>,
}

#[derive(Serialize)]
pub(crate) struct ExpenseDetail<'a> {
    #[serde(rename = "AccountRef")]
    pub(crate) account: Ref<'a, IdStr>,
    #[serde(rename = "BillableStatus")]
    pub(crate) billable: &'static str,
    #[serde(rename = "TaxCodeRef")]
    pub(crate) tax_code: Ref<'static, &'static str>,
}

pub(crate) fn bill_line<'a>(ds: &'a Dataset, n: usize, l: &ExpenseLine) -> BillLineView<'a> {
    BillLineView {
        id: id_of(n),
        line_num: n as u64 + 1,
        description: l.description,
        amount: Money(l.amount),
        detail_type: "AccountBasedExpenseLineDetail",
        detail: ExpenseDetail {
            account: named(id_of(l.account), ds.account_name(l.account)),
            billable: "NotBillable",
            tax_code: bare("NON"),
        },
    }
}

/// An optional link as QBO writes links: a list, empty when there is none.
fn as_list<S: serde::Serializer>(
    linked: &Option<[LinkedTxn; 1]>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    linked
        .as_ref()
        .map_or(&[][..], |l| &l[..])
        .serialize(serializer)
}

pub(crate) fn bill_view(ds: &Dataset, i: usize) -> Option<BillView<'_>> {
    let b = ds.bills.get(i)?;
    let lines = ds.bill_lines(i);
    let term = TERMS.get(usize::from(b.term)).copied().unwrap_or(TERMS[2]);
    Some(BillView {
        sync_token: IdStr(u64::from(b.sync_token)),
        domain: "QBO",
        ap_account: named(id_of(ACCT_AP), ds.account_name(ACCT_AP)),
        vendor: named(
            IdStr(u64::from(b.vendor) + 1),
            ds.vendors
                .get(b.vendor as usize)
                .map_or("", |v| v.display_name.as_str()),
        ),
        doc_number: b.doc_number.map(|n| IdStr(u64::from(n))),
        txn_date: Day(b.txn_date),
        total: Money(b.total),
        currency: currency_ref(ds.currencies.of_vendor(b.vendor as usize)),
        exchange_rate: ds
            .currencies
            .on
            .then(|| Decimal(ds.currencies.of_vendor(b.vendor as usize).rate)),
        linked: crate::ledger::seeded_payment_of(ds, i).map(|k| {
            [LinkedTxn {
                txn_id: id_of(k),
                txn_type: "BillPayment",
            }]
        }),
        term: bare(IdStr(u64::from(term.0))),
        due_date: Day(b.due_date),
        sparse: false,
        lines: lines
            .iter()
            .enumerate()
            .map(|(n, l)| bill_line(ds, n, l))
            .collect(),
        balance: Money(b.balance),
        id: id_of(i),
        meta: meta(b.created, b.updated),
    })
}
