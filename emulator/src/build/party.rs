//! Customers and vendors: QBO's key orders, display names, and the one name space they share
//! (6240).

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::default;
use super::refusals::{business, duplicate_name, required};
use crate::changes::Current;
use crate::entity::Entity;
use crate::fault::Fault;

/// QBO's key order of a Customer (as in `qbo-samples/query-customers-page.json`); seeded
/// customers are rendered in it too.
pub(crate) const CUSTOMER_ORDER: [&str; 28] = [
    "Taxable",
    "BillAddr",
    "ShipAddr",
    "Notes",
    "Job",
    "BillWithParent",
    "Balance",
    "BalanceWithJobs",
    "CurrencyRef",
    "PreferredDeliveryMethod",
    "IsProject",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "GivenName",
    "MiddleName",
    "FamilyName",
    "FullyQualifiedName",
    "CompanyName",
    "DisplayName",
    "PrintOnCheckName",
    "Active",
    "PrimaryPhone",
    "Mobile",
    "PrimaryEmailAddr",
    "DefaultTaxCodeRef",
];

pub(super) const VENDOR_ORDER: [&str; 19] = [
    "BillAddr",
    "Balance",
    "Vendor1099",
    "CurrencyRef",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "GivenName",
    "FamilyName",
    "CompanyName",
    "DisplayName",
    "PrintOnCheckName",
    "Active",
    "PrimaryPhone",
    "PrimaryEmailAddr",
    "WebAddr",
    "AcctNum",
];

/// The display name of `fields`: `DisplayName`, else the person's names, else `CompanyName`.
pub(super) fn display_name(fields: &Map<String, Value>) -> Option<String> {
    let text = |k: &str| {
        fields
            .get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    if let Some(name) = text("DisplayName") {
        return Some(name.to_owned());
    }
    let person: Vec<&str> = ["Title", "GivenName", "MiddleName", "FamilyName", "Suffix"]
        .iter()
        .filter_map(|k| text(k))
        .collect();
    if !person.is_empty() {
        return Some(person.join(" "));
    }
    text("CompanyName").map(str::to_owned)
}

/// Whether another live customer or vendor than `(own, index)` uses `name` (case-insensitive).
pub(super) fn name_taken(ctx: &Ctx<'_>, own: Entity, name: &str) -> bool {
    let wanted = name.to_lowercase();
    [Entity::Customer, Entity::Vendor]
        .into_iter()
        .any(|entity| {
            (0..ctx.overlay.count(ctx.ds, entity)).any(|index| {
                if entity == own && index == ctx.index {
                    return false;
                }
                let name = match ctx.overlay.current(ctx.ds, entity, index) {
                    Current::Seeded => match entity {
                        Entity::Customer => ctx.ds.customer_name(index),
                        _ => ctx
                            .ds
                            .vendors
                            .get(index)
                            .map_or("", |v| v.display_name.as_str()),
                    },
                    Current::Stored(stored) => stored
                        .json
                        .get("DisplayName")
                        .and_then(Value::as_str)
                        .unwrap_or(""),
                    Current::Deleted | Current::Absent => return false,
                };
                name.to_lowercase() == wanted
            })
        })
}

pub(super) fn party(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    entity: Entity,
) -> Result<(), Fault> {
    let name = display_name(fields).ok_or_else(|| required("DisplayName"))?;
    if name.contains([':', '\t', '\n']) {
        return Err(business(
            "a name cannot contain a colon (:), a tab or a line break",
        ));
    }
    if name_taken(ctx, entity, &name) {
        return Err(duplicate_name());
    }
    fields.insert("DisplayName".into(), json!(name));
    default(fields, "PrintOnCheckName", json!(name));
    default(fields, "Active", json!(true));
    let balance = ctx
        .previous
        .and_then(|p| p.get("Balance").cloned())
        .unwrap_or(json!(0));
    fields.insert("Balance".into(), balance.clone());
    default(
        fields,
        "CurrencyRef",
        json!({"value": "USD", "name": "United States Dollar"}),
    );
    if entity == Entity::Customer {
        fields.insert("FullyQualifiedName".into(), json!(name));
        fields.insert("BalanceWithJobs".into(), balance);
        default(fields, "Taxable", json!(false));
        default(fields, "Job", json!(false));
        default(fields, "BillWithParent", json!(false));
        default(fields, "PreferredDeliveryMethod", json!("Print"));
        default(fields, "IsProject", json!(false));
    } else {
        default(fields, "Vendor1099", json!(false));
    }
    Ok(())
}
