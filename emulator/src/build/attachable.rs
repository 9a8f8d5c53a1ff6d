//! Attachables: a note written as JSON, or a file uploaded (`POST /upload`, multipart: the
//! metadata and the bytes), each linked to records (`AttachableRef`). An update keeps a file's
//! fields, which only an upload sets.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::names::{enumeration, text};
use super::refusals::{bad_body, invalid_reference, required};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::values::{id_text, index_of};

/// QBO's key order of an Attachable (seeded ones read the same).
pub(super) const ATTACHABLE_ORDER: [&str; 13] = [
    "FileName",
    "FileAccessUri",
    "TempDownloadUri",
    "Size",
    "ContentType",
    "Category",
    "Note",
    "AttachableRef",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// What only an upload sets.
const FILE_FIELDS: [&str; 5] = [
    "FileName",
    "FileAccessUri",
    "TempDownloadUri",
    "Size",
    "ContentType",
];

/// QBO's attachment categories.
const CATEGORIES: [&str; 7] = [
    "Contact Photo",
    "Document",
    "Image",
    "Receipt",
    "Signature",
    "Sound",
    "Other",
];

/// A file as uploaded: what the stored Attachable says of it.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    /// The part's file name (the metadata's `FileName` wins).
    pub(crate) file_name: String,
    /// The part's content type (the metadata's `ContentType` wins).
    pub(crate) content_type: String,
    /// Bytes uploaded.
    pub(crate) size: usize,
}

/// Largest file QBO takes in an upload (100 MB).
pub(crate) const MAX_UPLOAD: usize = 100 * 1024 * 1024;

/// The Attachable of an uploaded file: the metadata's category, note and links as a note's, the
/// file's name, type and size, and where QBO serves it.
pub(super) fn uploaded(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    file: &Upload,
) -> Result<(), Fault> {
    let name = text(fields, "FileName")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| file.file_name.clone(), str::to_owned);
    if name.is_empty() {
        return Err(required("FileName"));
    }
    let content_type = text(fields, "ContentType")
        .filter(|t| !t.trim().is_empty())
        .map_or_else(|| file.content_type.clone(), str::to_owned);
    let id = ctx.index + 1;
    let realm = &ctx.ds.realm;
    for key in FILE_FIELDS {
        fields.shift_remove(key);
    }
    fields.insert("FileName".into(), json!(name));
    fields.insert(
        "FileAccessUri".into(),
        json!(format!("/v3/company/{realm}/download/{id}")),
    );
    fields.insert(
        "TempDownloadUri".into(),
        json!(format!(
            "https://attachments.qbo-emulator.invalid/{realm}/{id}/{name}?Expires=900"
        )),
    );
    fields.insert("Size".into(), json!(file.size));
    fields.insert("ContentType".into(), json!(content_type));
    links_and_category(ctx, fields)
}

/// An Attachable: a note (required unless the record holds an uploaded file), an optional
/// category, and links to records that exist.
pub(super) fn attachable(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let uploaded = ctx
        .previous
        .filter(|p| p.get("FileName").is_some_and(|v| !v.is_null()));
    match uploaded {
        Some(previous) => {
            for key in FILE_FIELDS {
                match previous.get(key) {
                    Some(value) => fields.insert(key.into(), value.clone()),
                    None => fields.shift_remove(key),
                };
            }
        }
        None => {
            if let Some(key) = FILE_FIELDS.iter().find(|k| fields.contains_key(**k)) {
                return Err(bad_body(format!(
                    "{key} is set by an upload (POST /upload, multipart/form-data); \
                     an Attachable written as JSON is a note"
                )));
            }
            if text(fields, "Note").is_none_or(|n| n.trim().is_empty()) {
                return Err(required("Note"));
            }
        }
    }
    links_and_category(ctx, fields)
}

/// `Category` one of QBO's, and every `AttachableRef` naming a record that exists.
fn links_and_category(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    if let Some(category) = fields.get("Category").filter(|v| !v.is_null()) {
        let name = category.as_str().unwrap_or_default();
        if !CATEGORIES.contains(&name) {
            return Err(enumeration(
                "Category",
                &category
                    .as_str()
                    .map_or_else(|| category.to_string(), str::to_owned),
            ));
        }
    }
    let refs = match fields.get("AttachableRef") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(refs)) => refs.clone(),
        Some(_) => return Err(bad_body("AttachableRef must be a list")),
    };
    let mut linked = Vec::with_capacity(refs.len());
    for link in refs {
        linked.push(attachable_ref(ctx, &link)?);
    }
    fields.insert("AttachableRef".into(), Value::Array(linked));
    Ok(())
}

/// One `AttachableRef`: its `EntityRef` names a record that exists; `IncludeOnSend` defaults
/// to false.
fn attachable_ref(ctx: &Ctx<'_>, link: &Value) -> Result<Value, Fault> {
    let Some(link) = link.as_object() else {
        return Err(bad_body("each AttachableRef must be an object"));
    };
    let entity_ref = link
        .get("EntityRef")
        .filter(|v| !v.is_null())
        .ok_or_else(|| required("AttachableRef.EntityRef"))?;
    let kind = entity_ref
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| required("AttachableRef.EntityRef.type"))?;
    let target = Entity::from_name(kind).ok_or_else(|| enumeration("EntityRef.type", kind))?;
    let id = entity_ref
        .get("value")
        .and_then(id_text)
        .ok_or_else(|| required("AttachableRef.EntityRef.value"))?;
    if index_of(&id)
        .and_then(|index| ctx.overlay.json(ctx.ds, target, index))
        .is_none()
    {
        return Err(invalid_reference(target.name(), &id));
    }
    let mut out = link.clone();
    out.insert(
        "EntityRef".into(),
        json!({"type": target.name(), "value": id}),
    );
    if !matches!(out.get("IncludeOnSend"), Some(Value::Bool(_))) {
        out.insert("IncludeOnSend".into(), json!(false));
    }
    Ok(Value::Object(out))
}
