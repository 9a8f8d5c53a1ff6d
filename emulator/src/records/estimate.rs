//! An estimate as QBO JSON: the lines and tax of the invoice made from it, linked to that
//! invoice, closed.

use serde::Serialize;

use super::invoice::{InvoiceLine, TxnTaxDetail, sales_body};
use super::parts::{
    AddrView, IdStr, LinkedTxn, MetaData, Money, Ref, USD, addr, id_of, meta, named,
};
use crate::data::Dataset;
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct EstimateView<'a> {
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
    pub(crate) lines: Vec<InvoiceLine<'a>>,
    #[serde(rename = "TxnTaxDetail")]
    pub(crate) tax: TxnTaxDetail,
    #[serde(rename = "CustomerRef")]
    pub(crate) customer: Ref<'a, IdStr>,
    #[serde(rename = "BillAddr", skip_serializing_if = "Option::is_none")]
    pub(crate) bill_addr: Option<AddrView<'a>>,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
    #[serde(rename = "TxnStatus")]
    pub(crate) status: &'static str,
    #[serde(rename = "ExpirationDate")]
    pub(crate) expires: Day,
}

pub(crate) fn estimate_view(ds: &Dataset, i: usize) -> Option<EstimateView<'_>> {
    let e = ds.estimates.get(i)?;
    let detail = ds.invoice_detail(e.invoice as usize);
    // The invoice's lines were copied from the estimate, classes included.
    let invoice = e.invoice as usize;
    let (lines, tax) = sales_body(ds, &detail, |n| {
        ds.class_of_line(crate::data::SalesForm::Invoice, invoice, n)
    });
    let customer = ds.customers.get(e.customer as usize);
    Some(EstimateView {
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(e.created, e.created),
        doc_number: IdStr(1001 + i as u64),
        txn_date: Day(e.txn_date),
        currency: USD,
        linked: [LinkedTxn {
            txn_id: IdStr(u64::from(e.invoice) + 1),
            txn_type: "Invoice",
        }],
        lines,
        tax,
        customer: named(
            IdStr(u64::from(e.customer) + 1),
            ds.customer_name(e.customer as usize),
        ),
        bill_addr: customer.map(|c| addr(&c.bill_addr, None)),
        total: Money(e.total),
        status: "Closed",
        expires: Day(e.txn_date + 30),
    })
}
