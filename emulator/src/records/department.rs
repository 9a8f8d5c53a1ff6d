//! A department (a location, `QBO.Department`) as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct DepartmentView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "SubDepartment")]
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

pub(crate) fn department_view(ds: &Dataset, i: usize) -> Option<DepartmentView<'_>> {
    let d = ds.departments.get(i)?;
    Some(DepartmentView {
        name: d.name,
        sub: false,
        full_name: d.name,
        active: d.active,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(d.created, d.created),
    })
}
