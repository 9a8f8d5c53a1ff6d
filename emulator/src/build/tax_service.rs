//! The TaxService: the one way QBO creates tax codes and rates (`POST
//! /v3/company/{realm}/taxservice/taxcode`). A request names a new tax code and its rates, each
//! an existing `TaxRateId` or a new rate (name, percent, agency, sales or purchases); the
//! emulator checks all of it before it creates anything, so a refused request leaves no rate
//! behind.

use serde_json::{Map, Value, json};

use super::names::enumeration;
use super::refusals::{bad_body, business, duplicate_name, invalid_reference, required};
use crate::changes::Overlay;
use crate::data::Dataset;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::values::{id_text, index_of};

/// One rate of a TaxService request, checked.
#[derive(Debug, Clone)]
pub(crate) enum Rate {
    /// A rate the company has (`TaxRateId`).
    Existing {
        /// Its record index.
        index: usize,
        /// Its `Name`.
        name: String,
        /// Its `RateValue` (percent).
        value: Value,
        /// Its agency's id.
        agency: String,
        /// `Sales` or `Purchase`.
        applies_on: String,
    },
    /// A rate to create.
    New {
        /// `TaxRateName`.
        name: String,
        /// `RateValue` (percent).
        value: Value,
        /// `TaxAgencyId`.
        agency: String,
        /// The agency's `DisplayName`.
        agency_name: String,
        /// `Sales` or `Purchase`.
        applies_on: String,
    },
}

/// A rate of a new tax code: its id, name, and whether it applies on `Sales` or `Purchase`.
pub(crate) struct CodeRate {
    /// The rate's `Id`.
    pub(crate) id: String,
    /// The rate's `Name`.
    pub(crate) name: String,
    /// `Sales` or `Purchase`.
    pub(crate) applies_on: String,
}

/// A TaxService request, checked: the code's name and its rates.
#[derive(Debug, Clone)]
pub(crate) struct TaxService {
    /// `TaxCode`: the new code's name.
    pub(crate) code: String,
    /// `TaxRateDetails`, in order.
    pub(crate) rates: Vec<Rate>,
}

fn text_of<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Whether a live record of `entity` has `Name` `name` (case-insensitive).
fn name_used(ds: &Dataset, overlay: &Overlay, entity: Entity, name: &str) -> bool {
    (0..overlay.count(ds, entity))
        .filter_map(|index| overlay.json(ds, entity, index))
        .any(|record| {
            record
                .get("Name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
}

/// Check a TaxService request against the books: a code name no tax code has, at least one
/// rate, each an existing rate or a new one with a unique name, a percent from 0 to 100 and an
/// agency that exists.
pub(crate) fn check(
    ds: &Dataset,
    overlay: &Overlay,
    body: &Map<String, Value>,
) -> Result<TaxService, Fault> {
    let code = text_of(body, "TaxCode").ok_or_else(|| required("TaxCode"))?;
    if name_used(ds, overlay, Entity::TaxCode, code) {
        return Err(duplicate_name());
    }
    let details = body
        .get("TaxRateDetails")
        .and_then(Value::as_array)
        .filter(|d| !d.is_empty())
        .ok_or_else(|| required("TaxRateDetails"))?;
    let mut rates = Vec::with_capacity(details.len());
    let mut new_names: Vec<String> = Vec::new();
    for detail in details {
        let detail = detail
            .as_object()
            .ok_or_else(|| bad_body("each TaxRateDetails entry must be an object"))?;
        let applies_on = text_of(detail, "TaxApplicableOn")
            .unwrap_or("Sales")
            .to_owned();
        if !matches!(applies_on.as_str(), "Sales" | "Purchase") {
            return Err(enumeration("TaxApplicableOn", &applies_on));
        }
        if let Some(id) = detail.get("TaxRateId").and_then(id_text) {
            let (index, record) = index_of(&id)
                .and_then(|i| Some((i, overlay.json(ds, Entity::TaxRate, i)?)))
                .ok_or_else(|| invalid_reference("TaxRate", &id))?;
            rates.push(Rate::Existing {
                index,
                name: text_of(&record, "Name").unwrap_or_default().to_owned(),
                value: record.get("RateValue").cloned().unwrap_or(json!(0)),
                agency: record
                    .get("AgencyRef")
                    .and_then(|a| a.get("value"))
                    .and_then(id_text)
                    .unwrap_or_default(),
                applies_on,
            });
            continue;
        }
        let name = text_of(detail, "TaxRateName").ok_or_else(|| required("TaxRateName"))?;
        if name_used(ds, overlay, Entity::TaxRate, name)
            || new_names.iter().any(|n| n.eq_ignore_ascii_case(name))
        {
            return Err(duplicate_name());
        }
        let percent = match detail.get("RateValue") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => return Err(required("RateValue")),
        }
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| business("RateValue must be a percent from 0 to 100"))?;
        let agency = detail
            .get("TaxAgencyId")
            .and_then(id_text)
            .ok_or_else(|| required("TaxAgencyId"))?;
        let agency_name = index_of(&agency)
            .and_then(|i| overlay.json(ds, Entity::TaxAgency, i))
            .and_then(|a| text_of(&a, "DisplayName").map(str::to_owned))
            .ok_or_else(|| invalid_reference("TaxAgency", &agency))?;
        new_names.push(name.to_owned());
        rates.push(Rate::New {
            name: name.to_owned(),
            value: json!(percent),
            agency,
            agency_name,
            applies_on,
        });
    }
    Ok(TaxService {
        code: code.to_owned(),
        rates,
    })
}

/// The fields of a new TaxRate (server fields are the caller's).
pub(crate) fn new_rate(
    name: &str,
    value: &Value,
    agency: &str,
    agency_name: &str,
) -> Map<String, Value> {
    let json = json!({
        "Name": name,
        "Description": name,
        "Active": true,
        "RateValue": value,
        "AgencyRef": {"value": agency, "name": agency_name},
        "SpecialTaxType": "NONE",
        "DisplayType": "ReadOnly",
    });
    match json {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The fields of the new TaxCode over `rates`.
pub(crate) fn new_code(code: &str, rates: &[CodeRate]) -> Map<String, Value> {
    let list = |on: &str| {
        let details: Vec<Value> = rates
            .iter()
            .filter(|rate| rate.applies_on == on)
            .enumerate()
            .map(|(order, CodeRate { id, name, .. })| {
                json!({"TaxRateRef": {"value": id, "name": name},
                       "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": order})
            })
            .collect();
        json!({"TaxRateDetail": details})
    };
    let json = json!({
        "Name": code,
        "Description": code,
        "Active": true,
        "Hidden": false,
        "Taxable": true,
        "TaxGroup": rates.len() > 1,
        "SalesTaxRateList": list("Sales"),
        "PurchaseTaxRateList": list("Purchase"),
    });
    match json {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
