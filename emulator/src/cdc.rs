//! Change data capture: `GET /v3/company/{realm}/cdc?entities=Invoice,Customer&changedSince=...`.
//!
//! Why it exists: QBO's CDC (QBO.md 2.6) answers every record of the listed entities whose
//! `MetaData.LastUpdatedTime` is at or after `changedSince` — created, updated, voided, and
//! deleted ones as `{"domain":"QBO","status":"Deleted","Id":..,"MetaData":{"LastUpdatedTime":..}}`
//! — one `QueryResponse` per entity, in the order asked, at most 1,000 objects in all, with no
//! paging. `changedSince` may be at most 30 days back. Seeded records count by their own times;
//! written ones come from the overlay.

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::changes::{Current, Slot};
use crate::entity::{Entity, Val};
use crate::fault::{Fault, json_response};
use crate::records::Record;
use crate::state::State;
use crate::time::{Timestamp, parse_time_literal};

/// How far back `changedSince` may go.
pub(crate) const MAX_LOOKBACK_DAYS: i64 = 30;
/// Most objects in one answer, all entities together.
pub(crate) const MAX_OBJECTS: usize = 1000;

/// Entities QBO serves but its CDC does not cover (Intuit's CDC page lists exactly these).
pub(crate) const NOT_IN_CDC: [&str; 5] = [
    "JournalCode",
    "TaxAgency",
    "TaxCode",
    "TaxRate",
    "TimeActivity",
];

fn cdc_fault(detail: impl Into<String>) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6000",
        "A business validation error has occurred while processing your request",
        detail,
        Some(""),
    )
}

/// The value of query parameter `name` (form-decoded, first occurrence).
fn query_param(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// What a CDC request asks for: the entities in order, and the instant (Unix seconds).
fn parse_request(uri: &Uri, now: i64) -> Result<(Vec<Entity>, i64), Fault> {
    let names = query_param(uri, "entities").unwrap_or_default();
    let mut entities = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        // QBO's CDC page lists the entities it does not cover; its wording for them is not
        // documented, so the refusal names the entity the way the other CDC faults do.
        if let Some(excluded) = NOT_IN_CDC.iter().find(|e| e.eq_ignore_ascii_case(name)) {
            return Err(cdc_fault(format!(
                "Business Validation Error: CDC is not supported for {excluded}; query it instead"
            )));
        }
        let entity = Entity::from_name(name).ok_or_else(|| {
            let served: Vec<&str> = Entity::ALL.iter().map(|e| e.name()).collect();
            cdc_fault(format!(
                "Business Validation Error: CDC does not know the entity {name:?}; this \
                 emulator serves {}",
                served.join(", ")
            ))
        })?;
        if !entities.contains(&entity) {
            entities.push(entity);
        }
    }
    if entities.is_empty() {
        return Err(cdc_fault(
            "Business Validation Error: the entities parameter is required, e.g. \
             entities=Invoice,Customer",
        ));
    }
    let since_text = query_param(uri, "changedSince").unwrap_or_default();
    let since = parse_time_literal(&since_text)
        .map(|t| t.instant())
        .ok_or_else(|| {
            cdc_fault(format!(
                "Business Validation Error: changedSince {since_text:?} is not a date-time \
                 (e.g. 2025-09-01T00:00:00-07:00)"
            ))
        })?;
    if since < now - MAX_LOOKBACK_DAYS * 86_400 {
        return Err(cdc_fault(format!(
            "Business Validation Error: changedSince {since_text} is more than \
             {MAX_LOOKBACK_DAYS} days ago; CDC looks back at most {MAX_LOOKBACK_DAYS} days"
        )));
    }
    Ok((entities, since))
}

/// `GET /v3/company/{realm}/cdc`.
pub(crate) async fn changes(AxumState(state): AxumState<Arc<State>>, uri: Uri) -> Response {
    let (entities, since) = match parse_request(&uri, state.clock().now_secs()) {
        Ok(request) => request,
        Err(fault) => return fault.into_response(),
    };
    let job = tokio::task::spawn_blocking(move || answer(&state, &entities, since));
    match job.await {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(err) => {
            tracing::error!(%err, "emulator: CDC task failed");
            Fault::internal("System Failure Error: the CDC request could not be completed")
                .into_response()
        }
    }
}

/// The `CDCResponse` body.
fn answer(state: &State, entities: &[Entity], since: i64) -> Value {
    let ds = state.data();
    let overlay = state.changes().read();
    let mut room = MAX_OBJECTS;
    let mut responses = Vec::with_capacity(entities.len());
    for &entity in entities {
        // (LastUpdatedTime, index, object)
        let mut found: Vec<(i64, usize, Value)> = Vec::new();
        if let Some(field) = entity.field("MetaData.LastUpdatedTime") {
            for index in 0..entity.count(ds) {
                let Val::Time(updated) = (field.get)(ds, index) else {
                    continue;
                };
                if updated >= since
                    && matches!(overlay.current(ds, entity, index), Current::Seeded)
                    && let Ok(record) = serde_json::to_value(Record { ds, entity, index })
                {
                    found.push((updated, index, record));
                }
            }
        }
        for (index, slot) in overlay.written_since(entity, since) {
            let object = match slot {
                Slot::Live(stored) => (stored.updated, Value::Object(stored.json.clone())),
                Slot::Deleted(at) => (
                    *at,
                    json!({
                        "domain": "QBO",
                        "status": "Deleted",
                        "Id": (index + 1).to_string(),
                        "MetaData": {"LastUpdatedTime": Timestamp(*at).to_string()},
                    }),
                ),
            };
            found.push((object.0, index, object.1));
        }
        found.sort_by_key(|(updated, index, _)| (*updated, *index));
        found.truncate(room);
        room -= found.len();
        let mut response = Map::new();
        if !found.is_empty() {
            let count = found.len();
            response.insert(
                entity.name().to_owned(),
                Value::Array(found.into_iter().map(|(_, _, v)| v).collect()),
            );
            response.insert("startPosition".into(), json!(1));
            response.insert("maxResults".into(), json!(count));
        }
        responses.push(Value::Object(response));
    }
    json!({
        "CDCResponse": [{"QueryResponse": responses}],
        "time": state.clock().response_time().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(q: &str) -> Uri {
        format!("/v3/company/1/cdc?{q}").parse().expect("uri")
    }

    #[test]
    fn requests_are_checked() {
        let now = 1_800_000_000;
        let (entities, since) = parse_request(
            &uri("entities=Invoice,customer,Invoice&changedSince=2027-01-01"),
            now,
        )
        .expect("parses");
        assert_eq!(entities, vec![Entity::Invoice, Entity::Customer]);
        assert!(since < now);
        let fault = |q: &str| {
            parse_request(&uri(q), now)
                .err()
                .map(|f| f.errors[0].detail.clone())
                .expect("fault")
        };
        assert!(fault("changedSince=2027-01-01").contains("entities parameter is required"));
        assert!(fault("entities=Widget&changedSince=2027-01-01").contains("Widget"));
        let (entities, _) = parse_request(
            &uri("entities=SalesReceipt,Deposit&changedSince=2027-01-01"),
            now,
        )
        .expect("parses");
        assert_eq!(entities, vec![Entity::SalesReceipt, Entity::Deposit]);
        for excluded in [
            "TaxCode",
            "taxrate",
            "TaxAgency",
            "TimeActivity",
            "journalcode",
        ] {
            let detail = fault(&format!(
                "entities=Invoice,{excluded}&changedSince=2027-01-01"
            ));
            assert!(detail.contains("CDC is not supported for"), "{detail}");
        }
        let (entities, _) = parse_request(
            &uri("entities=Term,PaymentMethod,BillPayment&changedSince=2027-01-01"),
            now,
        )
        .expect("parses");
        assert_eq!(entities.len(), 3);
        let (entities, _) = parse_request(
            &uri(
                "entities=Attachable,Budget,CompanyCurrency,RecurringTransaction,ExchangeRate\
                 &changedSince=2027-01-01",
            ),
            now,
        )
        .expect("parses");
        assert_eq!(entities.len(), 5);
        assert!(fault("entities=Invoice&changedSince=yesterday").contains("not a date-time"));
        assert!(fault("entities=Invoice&changedSince=2026-01-01").contains("more than 30 days"));
    }
}
