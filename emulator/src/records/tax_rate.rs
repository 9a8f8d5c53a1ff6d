//! A sales tax rate as QBO JSON, with the agency it is paid to.

use serde::Serialize;

use super::parts::{Decimal, IdStr, MetaData, Ref, id_of, meta, named};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct TaxRateView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "Description")]
    pub(crate) description: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "RateValue")]
    pub(crate) rate: Decimal,
    #[serde(rename = "AgencyRef")]
    pub(crate) agency: Ref<'a, IdStr>,
    #[serde(rename = "SpecialTaxType")]
    pub(crate) special: &'static str,
    #[serde(rename = "DisplayType")]
    pub(crate) display: &'static str,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn tax_rate_view(ds: &Dataset, i: usize) -> Option<TaxRateView<'_>> {
    let r = ds.tax_rates.get(i)?;
    let agency = ds.tax_agencies.get(r.agency).map_or("", |a| a.name);
    Some(TaxRateView {
        name: r.name,
        description: r.description,
        active: r.active,
        rate: Decimal(r.rate_bp),
        agency: named(id_of(r.agency), agency),
        special: "NONE",
        display: "ReadOnly",
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(r.created, r.created),
    })
}
