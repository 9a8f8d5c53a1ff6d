//! A customer type (`QBO.CustomerType`) as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct CustomerTypeView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
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

pub(crate) fn customer_type_view(ds: &Dataset, i: usize) -> Option<CustomerTypeView<'_>> {
    let t = ds.customer_types.get(i)?;
    Some(CustomerTypeView {
        name: t.name,
        active: t.active,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(t.created, t.created),
    })
}
