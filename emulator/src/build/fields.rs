//! Reading the client's fields of a write: dates, amounts, references (checked against the
//! books), and what was already paid before an update.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::refusals::{business, invalid_reference, required};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::{TimeLiteral, day_of, parse_time_literal};
use crate::values::{cents, id_text, index_of};

/// A `YYYY-MM-DD` field as a day number; `None` when absent (or `""`, which clients that send
/// every field, such as python-quickbooks, send for one left unset), a Fault when malformed.
pub(super) fn date_field(fields: &Map<String, Value>, key: &str) -> Result<Option<i32>, Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match parse_time_literal(s) {
            Some(TimeLiteral::Day(day)) => Ok(Some(day)),
            _ => Err(business(format!("{key} {s:?} is not a date (YYYY-MM-DD)"))),
        },
        Some(other) => Err(business(format!(
            "{key} {other} is not a date (YYYY-MM-DD)"
        ))),
    }
}

/// The record a reference field points at: its index and JSON. Missing: 2020; no such record
/// (or deleted): 2500; an inactive name-list record: 610.
pub(super) fn reference(
    ctx: &Ctx<'_>,
    target: Entity,
    value: Option<&Value>,
    param: &str,
) -> Result<(String, Map<String, Value>), Fault> {
    let value = value
        .filter(|v| !v.is_null())
        .ok_or_else(|| required(param))?;
    let id = value
        .get("value")
        .and_then(id_text)
        .ok_or_else(|| required(&format!("{param}.value")))?;
    let record = index_of(&id)
        .and_then(|index| ctx.overlay.json(ctx.ds, target, index))
        .ok_or_else(|| invalid_reference(target.name(), &id))?;
    if record.get("Active") == Some(&Value::Bool(false)) {
        return Err(Fault::object_not_found());
    }
    Ok((id, record))
}

/// `{"value": id, "name": name}` for a reference, named from the record.
pub(super) fn named_ref(id: &str, record: &Map<String, Value>, name_key: &str) -> Value {
    match record.get(name_key).and_then(Value::as_str) {
        Some(name) => json!({"value": id, "name": name}),
        None => json!({"value": id}),
    }
}

pub(super) fn money_field(fields: &Map<String, Value>, key: &str) -> Result<Option<i64>, Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => cents(v)
            .map(Some)
            .ok_or_else(|| business(format!("{key} {v} is not an amount"))),
    }
}

/// The cents of an item line: its `Amount`, else its detail's `Qty` times `UnitPrice`.
pub(super) fn line_amount(
    line: &Map<String, Value>,
    detail: &Map<String, Value>,
) -> Result<i64, Fault> {
    let qty = detail.get("Qty").and_then(Value::as_f64);
    let unit = detail.get("UnitPrice").and_then(cents);
    match (money_field(line, "Amount")?, qty, unit) {
        (Some(amount), _, _) => Ok(amount),
        (None, Some(qty), Some(unit)) => Ok((qty * unit as f64).round() as i64),
        _ => Err(required("Line.Amount")),
    }
}

/// Whether a live record of `entity` other than record `except` has `key` equal to `name`, as
/// QBO compares names (case-insensitive).
pub(super) fn name_in_use(ctx: &Ctx<'_>, entity: Entity, key: &str, name: &str) -> bool {
    (0..ctx.overlay.count(ctx.ds, entity))
        .filter(|&index| index != ctx.index)
        .filter_map(|index| ctx.overlay.json(ctx.ds, entity, index))
        .any(|record| {
            record
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
}

/// Cents already paid on the record before this write (`TotalAmt - Balance`).
pub(super) fn paid_before(ctx: &Ctx<'_>) -> i64 {
    ctx.previous
        .map(|p| {
            let total = p.get("TotalAmt").and_then(cents).unwrap_or(0);
            let balance = p.get("Balance").and_then(cents).unwrap_or(0);
            (total - balance).max(0)
        })
        .unwrap_or(0)
}

/// The company-local day of the write (its `MetaData.LastUpdatedTime`): `TxnDate`'s default.
pub(super) fn today(ctx: &Ctx<'_>) -> i32 {
    day_of(ctx.updated)
}

/// `fields[key]` set to `value` unless the client gave one (`""` counts as none).
pub(super) fn default(fields: &mut Map<String, Value>, key: &str, value: Value) {
    if fields
        .get(key)
        .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
    {
        fields.insert(key.to_owned(), value);
    }
}
