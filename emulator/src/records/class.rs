//! A class (`QBO.Class`) as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct ClassView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "SubClass")]
    pub(crate) sub: bool,
    #[serde(rename = "FullyQualifiedName")]
    pub(crate) full_name: &'a str,
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

pub(crate) fn class_view(ds: &Dataset, i: usize) -> Option<ClassView<'_>> {
    let c = ds.classes.get(i)?;
    Some(ClassView {
        name: c.name,
        sub: false,
        full_name: c.name,
        active: c.active,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(c.created, c.created),
    })
}
