//! TimeActivity: time an employee or vendor worked, maybe for a customer and billable to them.
//! Posts nothing; an invoice bills it (not modelled: `HasBeenBilled` is the client's to set).

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{money_field, named_ref, reference};
use super::names::{enumeration, text, whole};
use super::posted::txn_date;
use super::refusals::{business, required};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::{TimeLiteral, parse_time_literal};
use crate::values::money;

/// QBO's key order of a TimeActivity (seeded ones read the same).
pub(super) const TIME_ACTIVITY_ORDER: [&str; 22] = [
    "TxnDate",
    "NameOf",
    "EmployeeRef",
    "VendorRef",
    "CustomerRef",
    "ItemRef",
    "ClassRef",
    "BillableStatus",
    "Taxable",
    "HourlyRate",
    "Hours",
    "Minutes",
    "BreakHours",
    "BreakMinutes",
    "StartTime",
    "EndTime",
    "Description",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

/// A TimeActivity: `NameOf` says whose time (`Employee` or `Vendor`, with that reference);
/// the time is `Hours`/`Minutes` or a `StartTime`/`EndTime` pair (not both); `Billable` time
/// names the customer it is billed to.
pub(super) fn time_activity(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let name_of = text(fields, "NameOf")
        .ok_or_else(|| required("NameOf"))?
        .to_owned();
    let (whose, other) = match name_of.as_str() {
        "Employee" => (Entity::Employee, "VendorRef"),
        "Vendor" => (Entity::Vendor, "EmployeeRef"),
        _ => return Err(enumeration("NameOf", &name_of)),
    };
    let key = format!("{}Ref", whose.name());
    let (id, party) = reference(ctx, whose, fields.get(&key), &key)?;
    fields.insert(key, named_ref(&id, &party, "DisplayName"));
    if fields.get(other).is_some_and(|v| !v.is_null()) {
        return Err(business(format!(
            "a TimeActivity with NameOf {name_of} takes no {other}"
        )));
    }
    fields.shift_remove(other);
    for (key, target, name_key) in [
        ("CustomerRef", Entity::Customer, "DisplayName"),
        ("ItemRef", Entity::Item, "Name"),
        ("ClassRef", Entity::Class, "FullyQualifiedName"),
    ] {
        if fields.get(key).is_some_and(|v| !v.is_null()) {
            let (id, record) = reference(ctx, target, fields.get(key), key)?;
            fields.insert(key.into(), named_ref(&id, &record, name_key));
        }
    }
    let billable = text(fields, "BillableStatus")
        .unwrap_or("NotBillable")
        .to_owned();
    if !matches!(
        billable.as_str(),
        "Billable" | "NotBillable" | "HasBeenBilled"
    ) {
        return Err(enumeration("BillableStatus", &billable));
    }
    if billable != "NotBillable" && !fields.contains_key("CustomerRef") {
        return Err(business(format!(
            "{billable} time must name the customer it is billed to (CustomerRef)"
        )));
    }
    fields.insert("BillableStatus".into(), json!(billable));
    if let Some(rate) = money_field(fields, "HourlyRate")? {
        if rate < 0 {
            return Err(business("HourlyRate cannot be negative"));
        }
        fields.insert("HourlyRate".into(), money(rate));
    }
    txn_date(ctx, fields)?;
    duration(fields)?;
    if !matches!(fields.get("Taxable"), Some(Value::Bool(_))) {
        fields.insert("Taxable".into(), json!(false));
    }
    Ok(())
}

/// The time worked: `Hours` and `Minutes` (minutes below 60), or `StartTime` before `EndTime`
/// (with an optional break), never both and never neither.
fn duration(fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let hours = whole(fields, "Hours", 0..=24)?;
    let minutes = whole(fields, "Minutes", 0..=59)?;
    let start = instant(fields, "StartTime")?;
    let end = instant(fields, "EndTime")?;
    whole(fields, "BreakHours", 0..=24)?;
    whole(fields, "BreakMinutes", 0..=59)?;
    match (hours.is_some() || minutes.is_some(), start, end) {
        (true, None, None) => {
            fields.insert("Hours".into(), json!(hours.unwrap_or(0)));
            fields.insert("Minutes".into(), json!(minutes.unwrap_or(0)));
            if hours.unwrap_or(0) == 0 && minutes.unwrap_or(0) == 0 {
                return Err(business(
                    "a TimeActivity of no time (Hours and Minutes are 0)",
                ));
            }
            Ok(())
        }
        (false, Some(start), Some(end)) if start < end => Ok(()),
        (false, Some(_), Some(_)) => Err(business("StartTime must be before EndTime")),
        (false, Some(_), None) => Err(required("EndTime")),
        (false, None, Some(_)) => Err(required("StartTime")),
        (true, _, _) => Err(business(
            "give the time as Hours and Minutes or as StartTime and EndTime, not both",
        )),
        (false, None, None) => Err(required("Hours")),
    }
}

/// A date-time field (RFC 3339 with an offset, as QBO sends them) as Unix seconds.
fn instant(fields: &Map<String, Value>, key: &str) -> Result<Option<i64>, Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match parse_time_literal(s) {
            Some(TimeLiteral::Instant(secs)) => Ok(Some(secs)),
            _ => Err(business(format!(
                "{key} {s:?} is not a date-time (YYYY-MM-DDThh:mm:ss-07:00)"
            ))),
        },
        Some(other) => Err(business(format!("{key} {other} is not a date-time"))),
    }
}
