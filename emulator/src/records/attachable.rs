//! An attachment as QBO JSON: the file, where to download it, and the transaction it belongs to.

use serde::Serialize;

use super::parts::{IdStr, MetaData, id_of, meta};
use crate::data::Dataset;
use crate::extras::{ATTACHMENT_KINDS, Attached};

/// `QBO.Attachable` in QBO's key order.
#[derive(Serialize)]
pub(crate) struct AttachableView<'a> {
    #[serde(rename = "FileName")]
    pub(crate) file_name: &'a str,
    #[serde(rename = "FileAccessUri")]
    pub(crate) access_uri: String,
    #[serde(rename = "TempDownloadUri")]
    pub(crate) download_uri: String,
    #[serde(rename = "Size")]
    pub(crate) size: u32,
    #[serde(rename = "ContentType")]
    pub(crate) content_type: &'static str,
    #[serde(rename = "Category")]
    pub(crate) category: &'static str,
    #[serde(rename = "AttachableRef")]
    pub(crate) refs: [AttachableRef; 1],
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

/// One `AttachableRef`: the record the file is attached to.
#[derive(Serialize)]
pub(crate) struct AttachableRef {
    #[serde(rename = "EntityRef")]
    pub(crate) entity: EntityRef,
    #[serde(rename = "IncludeOnSend")]
    pub(crate) include_on_send: bool,
}

/// An `EntityRef`: a reference with its entity `type`.
#[derive(Serialize)]
pub(crate) struct EntityRef {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) value: IdStr,
}

/// Where attachment `i`'s file is downloaded from (a link QBO makes valid for minutes).
pub(crate) fn temp_download_uri(ds: &Dataset, i: usize) -> Option<String> {
    let a = ds.attachments.get(i)?;
    Some(format!(
        "https://attachments.qbo-emulator.invalid/{}/{}/{}?Expires=900",
        ds.realm,
        i + 1,
        a.file_name
    ))
}

/// Attachment `i` as QBO JSON (`None` out of range).
pub(crate) fn attachable_view(ds: &Dataset, i: usize) -> Option<AttachableView<'_>> {
    let a = ds.attachments.get(i)?;
    let (_, _, content_type, category) =
        ATTACHMENT_KINDS[usize::from(a.kind) % ATTACHMENT_KINDS.len()];
    let (kind, target) = match a.target {
        Attached::Invoice(index) => ("Invoice", index),
        Attached::Bill(index) => ("Bill", index),
    };
    let id = i as u64 + 1;
    Some(AttachableView {
        file_name: &a.file_name,
        access_uri: format!("/v3/company/{}/download/{id}", ds.realm),
        download_uri: temp_download_uri(ds, i)?,
        size: a.size,
        content_type,
        category,
        refs: [AttachableRef {
            entity: EntityRef {
                kind,
                value: IdStr(u64::from(target) + 1),
            },
            include_on_send: false,
        }],
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(a.created, a.created),
    })
}
