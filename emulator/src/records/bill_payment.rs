//! A bill payment (a check from Checking) as QBO JSON, linked to the bill it pays.

use serde::Serialize;

use super::parts::{IdStr, LinkedTxn, MetaData, Money, Ref, USD, id_of, meta, named};
use crate::data::Dataset;
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct BillPaymentView<'a> {
    #[serde(rename = "VendorRef")]
    pub(crate) vendor: Ref<'a, IdStr>,
    #[serde(rename = "PayType")]
    pub(crate) pay_type: &'static str,
    #[serde(rename = "CheckPayment")]
    pub(crate) check: CheckPayment<'a>,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
    #[serde(rename = "TxnDate")]
    pub(crate) txn_date: Day,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    #[serde(rename = "Line")]
    pub(crate) lines: [BillPaymentLine; 1],
}

#[derive(Serialize)]
pub(crate) struct CheckPayment<'a> {
    #[serde(rename = "BankAccountRef")]
    pub(crate) bank: Ref<'a, IdStr>,
    #[serde(rename = "PrintStatus")]
    pub(crate) print_status: &'static str,
}

#[derive(Serialize)]
pub(crate) struct BillPaymentLine {
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "LinkedTxn")]
    pub(crate) linked: [LinkedTxn; 1],
}

pub(crate) fn bill_payment_view(ds: &Dataset, i: usize) -> Option<BillPaymentView<'_>> {
    let p = ds.bill_payments.get(i)?;
    let vendor = ds
        .vendors
        .get(p.vendor as usize)
        .map_or("", |v| v.display_name.as_str());
    Some(BillPaymentView {
        vendor: named(IdStr(u64::from(p.vendor) + 1), vendor),
        pay_type: "Check",
        check: CheckPayment {
            bank: named(id_of(p.bank_account), ds.account_name(p.bank_account)),
            print_status: "PrintComplete",
        },
        total: Money(p.amount),
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(p.created, p.updated),
        txn_date: Day(p.txn_date),
        currency: USD,
        lines: [BillPaymentLine {
            amount: Money(p.amount),
            linked: [LinkedTxn {
                txn_id: IdStr(u64::from(p.bill) + 1),
                txn_type: "Bill",
            }],
        }],
    })
}
