//! `POST /v3/company/{realm}/upload`: files attached as QBO takes them, `multipart/form-data`
//! with a `file_metadata_NN` part (the Attachable's JSON: links, category, note, optionally
//! `FileName` and `ContentType`) and a `file_content_NN` part (the bytes) per file. Each file
//! becomes an Attachable, answered in `AttachableResponse` in the order of the parts' numbers,
//! each with its record or its Fault. The bytes are counted, not kept: the emulator serves the
//! record and its download link, not the file. A request over QBO's 100 MB is refused whole.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State as AxumState};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::build::{self, Upload, bad_body};
use crate::entity::Entity;
use crate::fault::Fault;
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

/// The upload handler: reads the parts (counting each file's bytes as they stream), then
/// creates the Attachables under the write lock, once per `requestid`.
pub(crate) async fn upload(
    AxumState(state): AxumState<Arc<State>>,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Ok(Path(realm)) = path else {
        return Fault::object_not_found().into_response();
    };
    let mut multipart = match multipart {
        Ok(multipart) => multipart,
        Err(err) => {
            return bad_body(format!("an upload is multipart/form-data: {err}")).into_response();
        }
    };
    let request_id = match request_id(&uri, MAX_REQUEST_ID) {
        Ok(id) => id,
        Err(fault) => return fault.into_response(),
    };
    let parts = match read_parts(&mut multipart).await {
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

/// The request's parts by number: metadata parsed, file contents counted as they stream.
async fn read_parts(multipart: &mut Multipart) -> Result<BTreeMap<String, Part>, Fault> {
    let mut parts: BTreeMap<String, Part> = BTreeMap::new();
    let mut total = 0usize;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(parts),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(err) => return Err(bad_body(format!("the multipart body is malformed: {err}"))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(number) = name.strip_prefix(METADATA) {
            let number = number.to_owned();
            let mut bytes = Vec::new();
            while let Some(chunk) = next_chunk(&mut field).await? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > MAX_METADATA {
                    return Err(bad_body(format!(
                        "{name} is larger than {MAX_METADATA} bytes"
                    )));
                }
            }
            let metadata = match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(map)) => map,
                Ok(_) => return Err(bad_body(format!("{name} must be a JSON object"))),
                Err(err) => return Err(bad_body(format!("{name} is not JSON: {err}"))),
            };
            parts.entry(number).or_default().metadata = Some(metadata);
        } else if let Some(number) = name.strip_prefix(CONTENT) {
            let number = number.to_owned();
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let content_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let mut size = 0usize;
            while let Some(chunk) = next_chunk(&mut field).await? {
                size += chunk.len();
                total += chunk.len();
                if total > build::MAX_UPLOAD {
                    return Err(too_large());
                }
            }
            parts.entry(number).or_default().file = Some(Upload {
                file_name,
                content_type,
                size,
            });
        } else {
            return Err(bad_body(format!(
                "{name:?} is not a part of an upload ({METADATA}NN or {CONTENT}NN)"
            )));
        }
    }
}

async fn next_chunk(
    field: &mut axum::extract::multipart::Field<'_>,
) -> Result<Option<axum::body::Bytes>, Fault> {
    match field.chunk().await {
        Ok(chunk) => Ok(chunk),
        Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
        Err(err) => Err(bad_body(format!("the multipart body is malformed: {err}"))),
    }
}
