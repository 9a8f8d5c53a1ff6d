//! A payment method as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct PaymentMethodView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "Type")]
    pub(crate) kind: &'a str,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn payment_method_view(ds: &Dataset, i: usize) -> Option<PaymentMethodView<'_>> {
    let m = ds.payment_methods.get(i)?;
    Some(PaymentMethodView {
        name: m.name,
        active: m.active,
        kind: m.kind,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(m.created, m.created),
    })
}
