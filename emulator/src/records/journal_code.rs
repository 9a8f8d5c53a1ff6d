//! A journal code as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;
use crate::extras::JOURNAL_CODES;

/// `QBO.JournalCode` in QBO's key order.
#[derive(Serialize)]
pub(crate) struct JournalCodeView {
    #[serde(rename = "Name")]
    pub(crate) name: &'static str,
    #[serde(rename = "Type")]
    pub(crate) kind: &'static str,
    #[serde(rename = "Description")]
    pub(crate) description: &'static str,
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

/// Journal code `i` as QBO JSON (`None` out of range).
pub(crate) fn journal_code_view(ds: &Dataset, i: usize) -> Option<JournalCodeView> {
    let j = ds.journal_codes.get(i)?;
    let &(name, kind, description, active) = JOURNAL_CODES.get(j.index)?;
    Some(JournalCodeView {
        name,
        kind,
        description,
        active,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(j.created, j.created),
    })
}
