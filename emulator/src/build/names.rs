//! The small name lists written through the API: classes, departments (locations), sales terms,
//! payment methods, customer types, employees, journal codes and tax agencies. QBO never deletes one: it is made inactive
//! with `Active: false` (a sparse update), and a transaction can no longer name it.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{name_in_use, reference};
use super::party::{display_name, name_taken};
use super::refusals::{bad_body, business, duplicate_name, required};
use crate::entity::Entity;
use crate::fault::Fault;

/// QBO's key order of a Class or a Department (`Sub{label}` names the sub-record flag).
pub(super) const CATEGORY_ORDER: [&str; 12] = [
    "Name",
    "SubClass",
    "SubDepartment",
    "ParentRef",
    "FullyQualifiedName",
    "Active",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "Description",
];

/// QBO's key order of a Term.
pub(super) const TERM_ORDER: [&str; 13] = [
    "Name",
    "Active",
    "Type",
    "DueDays",
    "DiscountPercent",
    "DiscountDays",
    "DayOfMonthDue",
    "DueNextMonthDays",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// QBO's key order of a PaymentMethod or a CustomerType.
pub(super) const SIMPLE_ORDER: [&str; 8] = [
    "Name",
    "Active",
    "Type",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// QBO's key order of an Employee.
pub(super) const EMPLOYEE_ORDER: [&str; 14] = [
    "EmployeeNumber",
    "BillableTime",
    "HiredDate",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "GivenName",
    "FamilyName",
    "DisplayName",
    "PrintOnCheckName",
    "Active",
    "PrimaryEmailAddr",
];

/// A Class or Department: a unique `Name`, under an optional parent of the same list.
pub(super) fn category(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    entity: Entity,
) -> Result<(), Fault> {
    let name = unique_name(ctx, fields, entity)?;
    let flag = if entity == Entity::Class {
        "SubClass"
    } else {
        "SubDepartment"
    };
    let parent = fields.get("ParentRef").filter(|v| !v.is_null()).cloned();
    let full_name = match parent {
        Some(parent) => {
            let (id, record) = reference(ctx, entity, Some(&parent), "ParentRef")?;
            if id == (ctx.index + 1).to_string() {
                return Err(business(format!(
                    "a {} cannot be its own parent",
                    entity.name()
                )));
            }
            let parent_name = record
                .get("FullyQualifiedName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            fields.insert(
                "ParentRef".into(),
                json!({"value": id, "name": parent_name}),
            );
            fields.insert(flag.into(), json!(true));
            format!("{parent_name}:{name}")
        }
        None => {
            fields.shift_remove("ParentRef");
            fields.insert(flag.into(), json!(false));
            name.clone()
        }
    };
    fields.insert("FullyQualifiedName".into(), json!(full_name));
    active(fields)
}

/// A sales Term: `STANDARD` (due `DueDays` after the invoice) or `DATE_DRIVEN` (due on
/// `DayOfMonthDue`).
pub(super) fn term(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    unique_name(ctx, fields, Entity::Term)?;
    let kind = text(fields, "Type").unwrap_or("STANDARD").to_owned();
    match kind.as_str() {
        "STANDARD" => {
            let days = whole(fields, "DueDays", 0..=999)?.unwrap_or(0);
            fields.insert("DueDays".into(), json!(days));
        }
        "DATE_DRIVEN" => {
            whole(fields, "DayOfMonthDue", 1..=31)?.ok_or_else(|| required("DayOfMonthDue"))?;
        }
        other => return Err(enumeration("Type", other)),
    }
    fields.insert("Type".into(), json!(kind));
    active(fields)
}

/// A PaymentMethod: `Type` is `CREDIT_CARD` or `NON_CREDIT_CARD` (the default).
pub(super) fn payment_method(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    unique_name(ctx, fields, Entity::PaymentMethod)?;
    let kind = text(fields, "Type").unwrap_or("NON_CREDIT_CARD").to_owned();
    if !matches!(kind.as_str(), "CREDIT_CARD" | "NON_CREDIT_CARD") {
        return Err(enumeration("Type", &kind));
    }
    fields.insert("Type".into(), json!(kind));
    active(fields)
}

/// A CustomerType: a unique `Name`.
pub(super) fn customer_type(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    unique_name(ctx, fields, Entity::CustomerType)?;
    active(fields)
}

/// QBO's key order of a JournalCode.
pub(super) const JOURNAL_CODE_ORDER: [&str; 9] = [
    "Name",
    "Type",
    "Description",
    "Active",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// A JournalCode (the journals of French companies): a unique `Name`, a `Type` QBO has.
pub(super) fn journal_code(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    unique_name(ctx, fields, Entity::JournalCode)?;
    let kind = text(fields, "Type")
        .ok_or_else(|| required("Type"))?
        .to_owned();
    if !matches!(
        kind.as_str(),
        "Expenses" | "Sales" | "Bank" | "Nouveaux" | "Wages" | "Cash" | "Others"
    ) {
        return Err(enumeration("Type", &kind));
    }
    active(fields)
}

/// A TaxAgency: a `DisplayName` no other tax agency uses; whether it tracks tax on sales
/// (the default) and on purchases.
pub(super) fn tax_agency(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let name = text(fields, "DisplayName")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| required("DisplayName"))?;
    let taken = name_in_use(ctx, Entity::TaxAgency, "DisplayName", &name);
    if taken {
        return Err(duplicate_name());
    }
    fields.insert("DisplayName".into(), json!(name));
    for (key, fallback) in [
        ("TaxTrackedOnSales", true),
        ("TaxTrackedOnPurchases", false),
    ] {
        match fields.get(key) {
            None | Some(Value::Null) => {
                fields.insert(key.into(), json!(fallback));
            }
            Some(Value::Bool(_)) => {}
            Some(other) => {
                return Err(bad_body(format!(
                    "{key} must be true or false, not {other}"
                )));
            }
        }
    }
    Ok(())
}

/// QBO's key order of a TaxAgency.
pub(super) const TAX_AGENCY_ORDER: [&str; 8] = [
    "DisplayName",
    "TaxTrackedOnSales",
    "TaxTrackedOnPurchases",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// An Employee: a `DisplayName` (given, or made of the name parts) that no customer, vendor or
/// other employee uses.
pub(super) fn employee(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let display = display_name(fields).ok_or_else(|| required("DisplayName"))?;
    let employees_taken = name_in_use(ctx, Entity::Employee, "DisplayName", &display);
    if employees_taken || name_taken(ctx, Entity::Employee, &display) {
        return Err(duplicate_name());
    }
    if !fields.contains_key("PrintOnCheckName") {
        fields.insert("PrintOnCheckName".into(), json!(display));
    }
    fields.insert("DisplayName".into(), json!(display));
    if !fields.contains_key("BillableTime") {
        fields.insert("BillableTime".into(), json!(false));
    }
    active(fields)
}

/// The record's `Name`, trimmed, required and unused by the other live records of `entity`
/// (case-insensitive, as QBO compares names).
fn unique_name(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    entity: Entity,
) -> Result<String, Fault> {
    let name = text(fields, "Name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| required("Name"))?;
    if name.contains(':') {
        return Err(business(format!(
            "the name {name:?} contains ':', which separates a sub-record from its parent"
        )));
    }
    let taken = name_in_use(ctx, entity, "Name", &name);
    if taken {
        return Err(duplicate_name());
    }
    fields.insert("Name".into(), json!(name));
    Ok(name)
}

/// `Active` as given (a boolean), true when left out.
pub(super) fn active(fields: &mut Map<String, Value>) -> Result<(), Fault> {
    match fields.get("Active") {
        None | Some(Value::Null) => {
            fields.insert("Active".into(), json!(true));
            Ok(())
        }
        Some(Value::Bool(_)) => Ok(()),
        Some(other) => Err(bad_body(format!(
            "Active must be true or false, not {other}"
        ))),
    }
}

/// `fields[key]` when it is a string that is not empty (`""` is how clients that send every
/// field leave one unset).
pub(super) fn text<'a>(fields: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    fields
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// A whole number field within `range`, if present.
pub(super) fn whole(
    fields: &Map<String, Value>,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                business(format!(
                    "{key} must be a whole number from {} to {}, not {value}",
                    range.start(),
                    range.end()
                ))
            }),
    }
}

/// 400 code 2170: a value not in a field's enumeration (QBO's "Invalid Enumeration").
pub(super) fn enumeration(field: &str, value: &str) -> Fault {
    Fault::new(
        axum::http::StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2170",
        "Invalid Enumeration",
        format!("Invalid Enumeration : {value} for {field}"),
        Some(field),
    )
}
