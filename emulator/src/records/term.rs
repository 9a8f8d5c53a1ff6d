//! A sales term as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct TermView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "Type")]
    pub(crate) kind: &'static str,
    #[serde(rename = "DueDays")]
    pub(crate) due_days: i32,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn term_view(ds: &Dataset, i: usize) -> Option<TermView<'_>> {
    let t = ds.terms.get(i)?;
    Some(TermView {
        name: t.name,
        active: t.active,
        kind: "STANDARD",
        due_days: t.due_days,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(t.created, t.created),
    })
}
