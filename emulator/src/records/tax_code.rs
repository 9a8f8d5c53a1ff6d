//! A sales tax code as QBO JSON: the rates it applies (`TxnTaxCodeRef` of invoices).

use serde::Serialize;

use super::parts::{IdStr, MetaData, Ref, id_of, meta, named};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct TaxCodeView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "Description")]
    pub(crate) description: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "Hidden")]
    pub(crate) hidden: bool,
    #[serde(rename = "Taxable")]
    pub(crate) taxable: bool,
    #[serde(rename = "TaxGroup")]
    pub(crate) group: bool,
    #[serde(rename = "SalesTaxRateList")]
    pub(crate) sales: RateList<'a>,
    #[serde(rename = "PurchaseTaxRateList")]
    pub(crate) purchases: RateList<'a>,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

#[derive(Serialize)]
pub(crate) struct RateList<'a> {
    #[serde(rename = "TaxRateDetail")]
    pub(crate) details: Vec<RateDetail<'a>>,
}

#[derive(Serialize)]
pub(crate) struct RateDetail<'a> {
    #[serde(rename = "TaxRateRef")]
    pub(crate) rate: Ref<'a, IdStr>,
    #[serde(rename = "TaxTypeApplicable")]
    pub(crate) applies: &'static str,
    #[serde(rename = "TaxOrder")]
    pub(crate) order: usize,
}

pub(crate) fn tax_code_view(ds: &Dataset, i: usize) -> Option<TaxCodeView<'_>> {
    let c = ds.tax_codes.get(i)?;
    let details = c
        .rates
        .iter()
        .enumerate()
        .map(|(order, &rate)| RateDetail {
            rate: named(id_of(rate), ds.tax_rates.get(rate).map_or("", |r| r.name)),
            applies: "TaxOnAmount",
            order,
        })
        .collect();
    Some(TaxCodeView {
        name: c.name,
        description: c.description,
        active: c.active,
        hidden: false,
        taxable: true,
        group: true,
        sales: RateList { details },
        purchases: RateList {
            details: Vec::new(),
        },
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(c.created, c.created),
    })
}
