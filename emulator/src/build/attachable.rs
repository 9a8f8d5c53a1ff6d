//! Attachable written as JSON: a note linked to records (`AttachableRef`). A file is uploaded
//! with `POST /upload` as multipart, which the emulator does not take; an update of a seeded
//! file's attachable keeps its file fields, which only an upload can change.

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
