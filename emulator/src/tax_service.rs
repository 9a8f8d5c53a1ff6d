//! `POST /v3/company/{realm}/taxservice/taxcode`: a new tax code and its new rates in one
//! request, answered in the TaxService's own shape (`TaxCode`, `TaxCodeId`, `TaxRateDetails`
//! with each rate's `TaxRateId`), not an entity envelope. Checked whole first (see
//! `build/tax_service.rs`), then the rates and the code are created, once per `requestid`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State as AxumState};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::build::{self, CodeRate, Rate, bad_body};
use crate::changes::Overlay;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::state::State;
use crate::writes::{MAX_REQUEST_ID, answer, create, fault_answer, idempotent, request_id};

/// The handler: the body checked and applied under the write lock.
pub(crate) async fn create_tax_code(
    AxumState(state): AxumState<Arc<State>>,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path(realm)) = path else {
        return Fault::object_not_found().into_response();
    };
    let request_id = match request_id(&uri, MAX_REQUEST_ID) {
        Ok(id) => id,
        Err(fault) => return fault.into_response(),
    };
    let body = body.map(|b| b.to_vec()).unwrap_or_default();
    idempotent(state, realm, request_id, move |state, overlay| {
        let result = match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(body)) => apply(state, overlay, &body),
            _ => Err(bad_body("the TaxService body is a JSON object")),
        };
        state.stats().write(result.is_ok());
        match result {
            Ok(answered) => {
                state.queries().invalidate();
                answer(StatusCode::OK, &answered)
            }
            Err(fault) => fault_answer(state, &fault),
        }
    })
    .await
}

fn apply(state: &State, overlay: &mut Overlay, body: &Map<String, Value>) -> Result<Value, Fault> {
    let service = build::check_tax_service(state.data(), overlay, body)?;
    let mut rates: Vec<CodeRate> = Vec::with_capacity(service.rates.len());
    let mut answered = Vec::with_capacity(service.rates.len());
    for rate in &service.rates {
        let (id, name, value, agency, applies_on) = match rate {
            Rate::Existing {
                index,
                name,
                value,
                agency,
                applies_on,
            } => (
                (index + 1).to_string(),
                name.clone(),
                value.clone(),
                agency.clone(),
                applies_on.clone(),
            ),
            Rate::New {
                name,
                value,
                agency,
                agency_name,
                applies_on,
            } => {
                let fields = build::new_rate(name, value, agency, agency_name);
                let created = create(state, overlay, Entity::TaxRate, |ctx| {
                    Ok(build::composed(ctx, &fields))
                })?;
                let id = created["Id"].as_str().unwrap_or_default().to_owned();
                (
                    id,
                    name.clone(),
                    value.clone(),
                    agency.clone(),
                    applies_on.clone(),
                )
            }
        };
        answered.push(json!({
            "TaxRateName": name,
            "TaxRateId": id,
            "RateValue": value,
            "TaxAgencyId": agency,
            "TaxApplicableOn": applies_on,
        }));
        rates.push(CodeRate {
            id,
            name,
            applies_on,
        });
    }
    let fields = build::new_code(&service.code, &rates);
    let code = create(state, overlay, Entity::TaxCode, |ctx| {
        Ok(build::composed(ctx, &fields))
    })?;
    Ok(json!({
        "TaxCode": service.code,
        "TaxCodeId": code["Id"],
        "TaxRateDetails": answered,
    }))
}
