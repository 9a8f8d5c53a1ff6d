//! A purchase order as QBO JSON: the expense lines of the bill that closed it, linked to it.

use serde::Serialize;

use super::bill::{BillLineView, bill_line};
use super::parts::{IdStr, LinkedTxn, MetaData, Money, Ref, USD, id_of, meta, named};
use crate::data::{ACCT_AP, Dataset};
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct PurchaseOrderView<'a> {
    #[serde(rename = "APAccountRef")]
    pub(crate) ap_account: Ref<'a, IdStr>,
    #[serde(rename = "VendorRef")]
    pub(crate) vendor: Ref<'a, IdStr>,
    #[serde(rename = "POStatus")]
    pub(crate) status: &'static str,
    #[serde(rename = "EmailStatus")]
    pub(crate) email_status: &'static str,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
    #[serde(rename = "DocNumber")]
    pub(crate) doc_number: IdStr,
    #[serde(rename = "TxnDate")]
    pub(crate) txn_date: Day,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    #[serde(rename = "LinkedTxn")]
    pub(crate) linked: [LinkedTxn; 1],
    #[serde(rename = "Line")]
    pub(crate) lines: Vec<BillLineView<'a>>,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
}

pub(crate) fn purchase_order_view(ds: &Dataset, i: usize) -> Option<PurchaseOrderView<'_>> {
    let po = ds.purchase_orders.get(i)?;
    let lines = ds.bill_lines(po.bill as usize);
    Some(PurchaseOrderView {
        ap_account: named(id_of(ACCT_AP), ds.account_name(ACCT_AP)),
        vendor: named(
            IdStr(u64::from(po.vendor) + 1),
            ds.vendors
                .get(po.vendor as usize)
                .map_or("", |v| v.display_name.as_str()),
        ),
        status: "Closed",
        email_status: "NotSet",
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(po.created, po.created),
        doc_number: IdStr(1001 + i as u64),
        txn_date: Day(po.txn_date),
        currency: USD,
        linked: [LinkedTxn {
            txn_id: IdStr(u64::from(po.bill) + 1),
            txn_type: "Bill",
        }],
        lines: lines
            .iter()
            .enumerate()
            .map(|(n, l)| bill_line(ds, n, l))
            .collect(),
        total: Money(po.total),
    })
}
