//! The Accounting API v3 endpoints: bearer authentication, query, read by id, fallbacks (writes
//! are `writes.rs`, CDC `cdc.rs`).
//!
//! Why it exists: this is the HTTP face of `/v3/company/{realmId}/...` (QBO.md 2.1–2.4, 3.1–3.4).
//! It authenticates the bearer token (401 gateway body, code 3200) and the realm (403, code 3100),
//! takes the query statement from `GET ?query=` or a `POST` text body, runs it on a blocking
//! thread (scans of a million rows must not stall the async workers) and serializes the answer
//! straight into the response bytes. Unknown paths get a QBO `Unsupported Operation` fault, never
//! an empty body.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::changes::Current;
use crate::entity::Entity;
use crate::envelope::{Count, Envelope, Page, Single};
use crate::exec::Outcome;
use crate::fault::{Fault, gateway_401, gateway_403, json_response};
use crate::query;
use crate::records::{AllCustomFields, Record, wants_all_custom_fields};
use crate::state::State;
use crate::time::now_secs;
use crate::token::{Claims, Kind};

/// The realm segment of `/v3/company/{realm}/...`, if the path has one.
fn realm_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/v3/company/")?;
    let realm = rest.split('/').next()?;
    (!realm.is_empty()).then_some(realm)
}

/// Why a `/v3` request was turned away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Denied {
    /// 401, code 3200: no usable access token. The text is the Fault detail.
    Unauthenticated(String),
    /// 403, code 3100: a valid token that does not open this company.
    Forbidden(String),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Unauthenticated(detail) => gateway_401(&detail),
            Denied::Forbidden(detail) => gateway_403(&detail),
        }
    }
}

/// Check the bearer token of a `/v3` request: 401 (3200) when it is missing, malformed, expired
/// or revoked; 403 (3100) when it is valid but for another company or without accounting scope.
pub(crate) fn authenticate(
    state: &State,
    headers: &HeaderMap,
    path: &str,
) -> Result<Claims, Denied> {
    let claims = bearer_claims(state, headers).map_err(Denied::Unauthenticated)?;
    if let Some(realm) = realm_of(path)
        && realm != claims.realm
    {
        return Err(Denied::Forbidden(format!(
            "The access token was not issued for company {realm}"
        )));
    }
    if !claims
        .scope
        .split_whitespace()
        .any(|s| s == "com.intuit.quickbooks.accounting")
    {
        return Err(Denied::Forbidden(
            "The access token does not carry the com.intuit.quickbooks.accounting scope".to_owned(),
        ));
    }
    Ok(claims)
}

/// The claims of a live access token in the `Authorization: Bearer` header, or why there is
/// none (a text that never contains the token).
pub(crate) fn bearer_claims(state: &State, headers: &HeaderMap) -> Result<Claims, String> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("");
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err("Authorization header is missing or is not a Bearer token".to_owned()),
    };
    if token.len() < 16 || token.len() > 8192 {
        return Err("Malformed bearer token: too short or too long".to_owned());
    }
    let claims = match state.tokens().verify_any(token) {
        Ok(c) if c.kind == Kind::Access => c,
        Ok(_) => return Err("Token invalid: not an access token".to_owned()),
        Err(_) => return Err("Token invalid".to_owned()),
    };
    if state.grants().is_revoked(&claims.family) {
        return Err(format!("Token revoked: {}", claims.jti));
    }
    if now_secs() >= claims.exp {
        return Err(format!("Token expired: {}", claims.jti));
    }
    Ok(claims)
}

/// The value of query parameter `name` (form-decoded, first occurrence).
fn query_param(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// `GET /v3/company/{realm}/query?query=...`.
pub(crate) async fn query_get(AxumState(state): AxumState<Arc<State>>, uri: Uri) -> Response {
    let all_custom_fields = wants_all_custom_fields(query_param(&uri, "include").as_deref());
    match query_param(&uri, "query") {
        Some(text) => run_query(state, text, all_custom_fields).await,
        None => Fault::query_parse(
            "QueryParserError: the query parameter is missing. Send the statement as \
             ?query=<statement> or POST it with Content-Type: application/text",
        )
        .into_response(),
    }
}

/// `POST /v3/company/{realm}/query` with the statement as an `application/text` body.
pub(crate) async fn query_post(
    AxumState(state): AxumState<Arc<State>>,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mime = content_type.split(';').next().unwrap_or("").trim();
    let Ok(body) = body else {
        return Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "500",
            "Unsupported Operation",
            "The request body could not be read (is it over 2 MB?)",
            None,
        )
        .into_response();
    };
    // QBO takes a POSTed statement only as `application/text`; anything else (no type,
    // `text/plain`, a form, JSON) is its "Unsupported Operation" fault.
    if mime != "application/text" {
        return Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "500",
            "Unsupported Operation",
            format!(
                "Operation Cannot consume content type is not supported. (Content-Type {mime:?}; \
                 send the statement as application/text)"
            ),
            None,
        )
        .into_response();
    }
    let all_custom_fields = wants_all_custom_fields(query_param(&uri, "include").as_deref());
    match String::from_utf8(body.to_vec()) {
        Ok(text) => run_query(state, text, all_custom_fields).await,
        Err(_) => Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "500",
            "Unsupported Operation",
            "The query body must be UTF-8 text",
            None,
        )
        .into_response(),
    }
}

/// Parse, run and render a query on a blocking thread.
async fn run_query(state: Arc<State>, text: String, all_custom_fields: bool) -> Response {
    let job = tokio::task::spawn_blocking(move || answer_query(&state, &text, all_custom_fields));
    match job.await {
        Ok(res) => res,
        Err(err) => {
            tracing::error!(%err, "emulator: query task failed");
            Fault::internal("System Failure Error: the query could not be completed")
                .into_response()
        }
    }
}

fn answer_query(state: &State, text: &str, all_custom_fields: bool) -> Response {
    let parsed = match query::parse(text) {
        Ok(q) => q,
        Err(e) => return Fault::query_parse(e.detail).into_response(),
    };
    let ds = state.data();
    let overlay = state.changes().read();
    let time = state.clock().response_time();
    match state.queries().run(ds, &overlay, &parsed) {
        Ok(Outcome::Count(total)) => json_response(StatusCode::OK, &Count { total, time }),
        Ok(Outcome::Page {
            entity,
            start_position,
            rows,
        }) => {
            let response = json_response(
                StatusCode::OK,
                &Page {
                    ds,
                    table: overlay.table(entity),
                    entity,
                    start_position,
                    rows: &rows,
                    fields: &parsed.fields,
                    all_custom_fields,
                    time,
                },
            );
            drop(overlay);
            crate::edits::after_page(state, entity);
            response
        }
        Err(fault) => fault.into_response(),
    }
}

/// `GET /v3/company/{realm}/preferences`, the one singleton read by its own path without an id,
/// and `GET /v3/company/{realm}/exchangerate?sourcecurrencycode=EUR&asofdate=YYYY-MM-DD`.
pub(crate) async fn read_singleton(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((_realm, resource))) = path else {
        return unsupported(method, uri).await;
    };
    match Entity::from_name(&resource) {
        Some(Entity::Preferences) => {}
        Some(Entity::ExchangeRate) => return read_exchange_rate(&state, &uri),
        _ => return unsupported(method, uri).await,
    }
    let ds = state.data();
    let overlay = state.changes().read();
    let time = state.clock().response_time();
    match overlay.current(ds, Entity::Preferences, 0) {
        Current::Stored(stored) => json_response(
            StatusCode::OK,
            &Envelope {
                key: Entity::Preferences.name(),
                value: &stored.json,
                time,
            },
        ),
        _ => json_response(
            StatusCode::OK,
            &Single {
                record: Record {
                    ds,
                    entity: Entity::Preferences,
                    index: 0,
                },
                time,
            },
        ),
    }
}

/// One currency's rate as of a day (today when `asofdate` is left out): the rate of that day, or
/// the latest one for a day past the books; QBO's required-parameter Fault without a currency,
/// 610 for a currency the company does not have or a day before its first rate.
fn read_exchange_rate(state: &State, uri: &Uri) -> Response {
    let ds = state.data();
    let Some(code) = query_param(uri, "sourcecurrencycode").filter(|c| !c.trim().is_empty()) else {
        return Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "2020",
            "Required param missing, need to supply the required value for the API",
            "Required parameter sourcecurrencycode is missing in the request",
            Some("sourcecurrencycode"),
        )
        .into_response();
    };
    let day = match query_param(uri, "asofdate") {
        None => crate::time::day_of(state.clock().now_secs()),
        Some(text) => match crate::time::parse_time_literal(&text) {
            Some(crate::time::TimeLiteral::Day(day)) => day,
            _ => {
                return Fault::new(
                    StatusCode::BAD_REQUEST,
                    "ValidationFault",
                    "2010",
                    "Request has invalid or unsupported property",
                    format!("asofdate {text:?} is not a date (YYYY-MM-DD)"),
                    Some("asofdate"),
                )
                .into_response();
            }
        },
    };
    let index = crate::extras::CURRENCIES
        .iter()
        .position(|(c, _, _, _)| c.eq_ignore_ascii_case(code.trim()))
        .and_then(|currency| crate::extras::rate_index(&ds.exchange_rates, currency, day));
    match index {
        Some(index) => json_response(
            StatusCode::OK,
            &Single {
                record: Record {
                    ds,
                    entity: Entity::ExchangeRate,
                    index,
                },
                time: state.clock().response_time(),
            },
        ),
        None => Fault::object_not_found().into_response(),
    }
}

/// `GET /v3/company/{realm}/{entity}/{id}` (and `/companyinfo/{realm}`).
pub(crate) async fn read_entity(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Response {
    let Ok(Path((_realm, resource, id))) = path else {
        return unsupported(method, uri).await;
    };
    if resource.eq_ignore_ascii_case("download") {
        return download(&state, &id);
    }
    // Exchange rates have no id: they are read by currency and day at `/exchangerate`.
    let Some(entity) = Entity::from_name(&resource).filter(|e| *e != Entity::ExchangeRate) else {
        return unsupported(method, uri).await;
    };
    let ds = state.data();
    let index = if entity == Entity::CompanyInfo {
        (id == state.config().realm_id).then_some(0)
    } else {
        id.parse::<u64>()
            .ok()
            .filter(|&n| n >= 1)
            .and_then(|n| usize::try_from(n - 1).ok())
    };
    let overlay = state.changes().read();
    let time = state.clock().response_time();
    match index.map(|index| (index, overlay.current(ds, entity, index))) {
        Some((_, Current::Stored(stored))) => json_response(
            StatusCode::OK,
            &Envelope {
                key: entity.name(),
                value: &stored.json,
                time,
            },
        ),
        Some((index, Current::Seeded))
            if wants_all_custom_fields(query_param(&uri, "include").as_deref()) =>
        {
            match serde_json::to_value(AllCustomFields(Record { ds, entity, index })) {
                Ok(value) => json_response(
                    StatusCode::OK,
                    &Envelope {
                        key: entity.name(),
                        value: &value,
                        time,
                    },
                ),
                Err(_) => Fault::internal("System Failure Error: the record could not be written")
                    .into_response(),
            }
        }
        Some((index, Current::Seeded)) => json_response(
            StatusCode::OK,
            &Single {
                record: Record { ds, entity, index },
                time,
            },
        ),
        Some((_, Current::Absent | Current::Deleted)) | None => {
            Fault::object_not_found().into_response()
        }
    }
}

/// `GET /v3/company/{realm}/download/{id}`: an attachment's temporary download URL, as QBO
/// answers it, in a text body (610 for an id that is no attachment, a deleted one, or a note
/// with no file).
fn download(state: &State, id: &str) -> Response {
    let ds = state.data();
    let Some(index) = id.parse::<usize>().ok().and_then(|n| n.checked_sub(1)) else {
        return Fault::object_not_found().into_response();
    };
    let uri = match state
        .changes()
        .read()
        .current(ds, Entity::Attachable, index)
    {
        Current::Stored(stored) => stored
            .json
            .get("TempDownloadUri")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        Current::Seeded => crate::records::temp_download_uri(ds, index),
        Current::Absent | Current::Deleted => None,
    };
    match uri {
        Some(uri) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            uri,
        )
            .into_response(),
        None => Fault::object_not_found().into_response(),
    }
}

/// Any `/v3` path or method the emulator has no resource for.
pub(crate) async fn unsupported(method: Method, uri: Uri) -> Response {
    crate::fault::unsupported_resource(&method, &uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realm_is_taken_from_the_path() {
        assert_eq!(realm_of("/v3/company/123/query"), Some("123"));
        assert_eq!(realm_of("/v3/company/123"), Some("123"));
        assert_eq!(realm_of("/v3/company/"), None);
        assert_eq!(realm_of("/v3/other"), None);
    }
}
