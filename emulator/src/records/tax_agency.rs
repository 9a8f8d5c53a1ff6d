//! The tax agency as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct TaxAgencyView<'a> {
    #[serde(rename = "DisplayName")]
    pub(crate) name: &'a str,
    #[serde(rename = "TaxTrackedOnSales")]
    pub(crate) on_sales: bool,
    #[serde(rename = "TaxTrackedOnPurchases")]
    pub(crate) on_purchases: bool,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn tax_agency_view(ds: &Dataset, i: usize) -> Option<TaxAgencyView<'_>> {
    let a = ds.tax_agencies.get(i)?;
    Some(TaxAgencyView {
        name: a.name,
        on_sales: true,
        on_purchases: false,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(a.created, a.created),
    })
}
