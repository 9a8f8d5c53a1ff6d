//! A customer payment as QBO JSON, with the invoices it is applied to.

use serde::Serialize;

use super::parts::{
    Decimal, IdStr, LinkedTxn, MetaData, Money, Ref, bare, currency_ref, id_of, meta, named,
};
use crate::data::Dataset;
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct PaymentView<'a> {
    #[serde(rename = "CustomerRef")]
    pub(crate) customer: Ref<'a, IdStr>,
    #[serde(rename = "DepositToAccountRef")]
    pub(crate) deposit_to: Ref<'static, IdStr>,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
    #[serde(rename = "UnappliedAmt")]
    pub(crate) unapplied: Money,
    #[serde(rename = "ProcessPayment")]
    pub(crate) process_payment: bool,
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
    /// With multicurrency on: home currency per unit of `currency`.
    #[serde(rename = "ExchangeRate", skip_serializing_if = "Option::is_none")]
    pub(crate) exchange_rate: Option<Decimal>,
    #[serde(rename = "PaymentRefNum", skip_serializing_if = "Option::is_none")]
    pub(crate) ref_num: Option<IdStr>,
    #[serde(rename = "Line")]
    pub(crate) lines: [PaymentLine; 1],
}

#[derive(Serialize)]
pub(crate) struct PaymentLine {
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "LinkedTxn")]
    pub(crate) linked: [LinkedTxn; 1],
}

pub(crate) fn payment_view(ds: &Dataset, i: usize) -> Option<PaymentView<'_>> {
    let p = ds.payments.get(i)?;
    Some(PaymentView {
        customer: named(
            IdStr(u64::from(p.customer) + 1),
            ds.customer_name(p.customer as usize),
        ),
        deposit_to: bare(IdStr(u64::from(p.deposit_account) + 1)),
        total: Money(p.amount),
        unapplied: Money(0),
        process_payment: false,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(p.created, p.updated),
        txn_date: Day(p.txn_date),
        currency: currency_ref(ds.currencies.of_customer(p.customer as usize)),
        exchange_rate: ds
            .currencies
            .on
            .then(|| Decimal(ds.currencies.of_customer(p.customer as usize).rate)),
        ref_num: p.check_number.map(|n| IdStr(u64::from(n))),
        lines: [PaymentLine {
            amount: Money(p.amount),
            linked: [LinkedTxn {
                txn_id: IdStr(u64::from(p.invoice) + 1),
                txn_type: "Invoice",
            }],
        }],
    })
}
