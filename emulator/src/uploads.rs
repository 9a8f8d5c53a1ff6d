//! `POST /v3/company/{realm}/upload`: files attached as QBO takes them, `multipart/form-data`
//! with a `file_metadata_NN` part (the Attachable's JSON: links, category, note, optionally
//! `FileName` and `ContentType`) and a `file_content_NN` part (the bytes) per file. Each file
//! becomes an Attachable, answered in `AttachableResponse` in the order of the parts' numbers,
//! each with its record or its Fault. The body is read by `multipart.rs` (CRLF or LF, base64
//! content decoded); the bytes are counted, not kept: the emulator serves the record and its
//! download link, not the file. A request over QBO's 100 MB is refused whole.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::build::{self, Upload, bad_body};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::multipart;
use crate::state::State;
use crate::writes::{MAX_REQUEST_ID, answer, create, fault_json, idempotent, request_id};

const METADATA: &str = "file_metadata_";
const CONTENT: &str = "file_content_";

/// Largest metadata part taken (the Attachable's JSON).
const MAX_METADATA: usize = 64 * 1024;

/// 400 code 6030: the upload is larger than QBO takes.
fn too_large() -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6030",
        "File size exceeds the limit",
        format!(
            "An upload takes files of at most {} MB",
            build::MAX_UPLOAD / (1024 * 1024)
        ),
        Some(""),
    )
}

/// One numbered file of the request: its metadata and its content, as far as they came.
#[derive(Default)]
struct Part {
    metadata: Option<Map<String, Value>>,
    file: Option<Upload>,
}

/// The upload handler: reads the parts, then creates the Attachables under the write lock,
/// once per `requestid`.
pub(crate) async fn upload(
    AxumState(state): AxumState<Arc<State>>,
    uri: Uri,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path(realm)) = path else {
        return Fault::object_not_found().into_response();
    };
    let body = match body {
        Ok(body) => body,
        Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return too_large().into_response();
        }
        Err(err) => {
            return bad_body(format!("the upload could not be read: {err}")).into_response();
        }
    };
    let Some(boundary) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(multipart::boundary)
    else {
        return bad_body("an upload is multipart/form-data with a boundary").into_response();
    };
    let request_id = match request_id(&uri, MAX_REQUEST_ID) {
        Ok(id) => id,
        Err(fault) => return fault.into_response(),
    };
    let parts = match read_parts(&body, &boundary) {
        Ok(parts) => parts,
        Err(fault) => return fault.into_response(),
    };
    if parts.is_empty() {
        return bad_body(format!(
            "an upload has {CONTENT}NN parts (the files), each with its {METADATA}NN part"
        ))
        .into_response();
    }
    idempotent(state, realm, request_id, move |state, overlay| {
        let mut answered = Vec::with_capacity(parts.len());
        for (number, part) in parts {
            let result = match (part.metadata, part.file) {
                (metadata, Some(file)) => create(state, overlay, Entity::Attachable, |ctx| {
                    build::build_upload(ctx, &metadata.unwrap_or_default(), &file)
                }),
                (Some(_), None) => Err(bad_body(format!(
                    "{METADATA}{number} has no {CONTENT}{number} part"
                ))),
                (None, None) => continue,
            };
            state.stats().write(result.is_ok());
            answered.push(match result {
                Ok(record) => json!({"Attachable": record}),
                Err(fault) => fault_json(&fault, &[]),
            });
        }
        state.queries().invalidate();
        answer(
            StatusCode::OK,
            &json!({
                "AttachableResponse": answered,
                "time": state.clock().response_time(),
            }),
        )
    })
    .await
}

/// The request's parts by number: metadata parsed, file contents measured.
fn read_parts(body: &[u8], boundary: &str) -> Result<BTreeMap<String, Part>, Fault> {
    let mut parts: BTreeMap<String, Part> = BTreeMap::new();
    let read = multipart::parts(body, boundary)
        .map_err(|err| bad_body(format!("the multipart body is malformed: {err}")))?;
    let mut total = 0usize;
    for part in read {
        let name = part.name;
        if let Some(number) = name.strip_prefix(METADATA) {
            if part.content.len() > MAX_METADATA {
                return Err(bad_body(format!(
                    "{name} is larger than {MAX_METADATA} bytes"
                )));
            }
            let metadata = match serde_json::from_slice::<Value>(&part.content) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return Err(bad_body(format!("{name} must be a JSON object"))),
                Err(err) => return Err(bad_body(format!("{name} is not JSON: {err}"))),
            };
            parts.entry(number.to_owned()).or_default().metadata = Some(metadata);
        } else if let Some(number) = name.strip_prefix(CONTENT) {
            total += part.content.len();
            if total > build::MAX_UPLOAD {
                return Err(too_large());
            }
            parts.entry(number.to_owned()).or_default().file = Some(Upload {
                file_name: part.file_name.unwrap_or_default(),
                content_type: part
                    .content_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
                size: part.content.len(),
            });
        } else {
            return Err(bad_body(format!(
                "{name:?} is not a part of an upload ({METADATA}NN or {CONTENT}NN)"
            )));
        }
    }
    Ok(parts)
}
