//! A company currency as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;
use crate::extras::CURRENCIES;

/// `QBO.CompanyCurrency` in QBO's key order.
#[derive(Serialize)]
pub(crate) struct CompanyCurrencyView {
    #[serde(rename = "Code")]
    pub(crate) code: &'static str,
    #[serde(rename = "Name")]
    pub(crate) name: &'static str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

/// Company currency `i` as QBO JSON (`None` out of range).
pub(crate) fn company_currency_view(ds: &Dataset, i: usize) -> Option<CompanyCurrencyView> {
    let c = ds.company_currencies.get(i)?;
    let &(code, name, active, _) = CURRENCIES.get(c.index)?;
    Some(CompanyCurrencyView {
        code,
        name,
        active,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(c.created, c.created),
    })
}
