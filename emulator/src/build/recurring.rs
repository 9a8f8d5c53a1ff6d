//! RecurringTransaction: a template of another transaction, written and stored in its type's
//! wrapper (`{"Invoice": {...}}`). The template is built as its transaction would be (lines,
//! references, totals), without the number, dates and balance QBO gives each transaction it
//! makes, and with `RecurringInfo`: a unique name, how it runs, and its schedule, whose
//! `NextDate` the emulator works out from the company's today. A template posts nothing.

use serde_json::{Map, Value, json};

use super::context::{Builder, Ctx};
use super::fields::{date_field, today};
use super::names::{enumeration, text, whole};
use super::refusals::{bad_body, business, duplicate_name, required};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::{civil, day_text, days_from_civil};

/// The transaction types QBO makes templates of.
const TEMPLATE_TYPES: [Entity; 12] = [
    Entity::Invoice,
    Entity::Bill,
    Entity::Estimate,
    Entity::SalesReceipt,
    Entity::CreditMemo,
    Entity::RefundReceipt,
    Entity::Purchase,
    Entity::PurchaseOrder,
    Entity::JournalEntry,
    Entity::Deposit,
    Entity::Transfer,
    Entity::VendorCredit,
];

/// What a made transaction gets and a template does not have.
const NOT_IN_TEMPLATES: [&str; 5] = ["DocNumber", "TxnDate", "DueDate", "Balance", "LinkedTxn"];

/// The template's type and its body, out of the wrapper of a RecurringTransaction body or
/// stored record (exactly one member, a type QBO makes templates of).
pub(crate) fn template_body(
    body: &Map<String, Value>,
) -> Result<(Entity, &Map<String, Value>), Fault> {
    let mut members = body.iter().filter(|(_, v)| v.is_object());
    let (Some((key, inner)), None) = (members.next(), members.next()) else {
        return Err(bad_body(
            "a RecurringTransaction is one template in its type's wrapper, e.g. {\"Invoice\": {...}}",
        ));
    };
    let entity = Entity::from_name(key)
        .filter(|e| TEMPLATE_TYPES.contains(e))
        .ok_or_else(|| enumeration("RecurringTransaction type", key))?;
    let inner = inner
        .as_object()
        .ok_or_else(|| bad_body("the template must be an object"))?;
    Ok((entity, inner))
}

/// The stored wrapper of a template built from `input` (the client's wrapper); `transaction`
/// builds the template's body as the transaction of its type would be.
pub(super) fn template(
    ctx: &Ctx<'_>,
    input: &Map<String, Value>,
    transaction: Builder,
) -> Result<Map<String, Value>, Fault> {
    let (entity, body) = template_body(input)?;
    let previous = match ctx.previous {
        Some(previous) => {
            let (was, inner) = template_body(previous)?;
            if was != entity {
                return Err(business(format!(
                    "a {} template cannot become a {} template",
                    was.name(),
                    entity.name()
                )));
            }
            Some(inner)
        }
        None => None,
    };
    let info = recurring_info(ctx, body.get("RecurringInfo"))?;
    let inner_ctx = Ctx {
        ds: ctx.ds,
        overlay: ctx.overlay,
        entity,
        index: ctx.index,
        sync_token: ctx.sync_token,
        created: ctx.created.clone(),
        updated: ctx.updated,
        previous,
    };
    let mut built = transaction(&inner_ctx, body)?;
    for key in NOT_IN_TEMPLATES {
        built.shift_remove(key);
    }
    built.shift_remove("RecurringInfo");
    let mut ordered = Map::with_capacity(built.len() + 1);
    let mut info = Some(info);
    for (key, value) in built {
        let after_meta = key == "MetaData";
        ordered.insert(key, value);
        if after_meta && let Some(info) = info.take() {
            ordered.insert("RecurringInfo".into(), info);
        }
    }
    if let Some(info) = info {
        ordered.insert("RecurringInfo".into(), info);
    }
    let mut wrapper = Map::new();
    wrapper.insert(entity.name().into(), Value::Object(ordered));
    Ok(wrapper)
}

/// `RecurringInfo` checked: a `Name` no other template uses, `RecurType` (`Automated`,
/// `Reminded`, `UnScheduled`), `Active`, and for a scheduled one its `ScheduleInfo`.
fn recurring_info(ctx: &Ctx<'_>, info: Option<&Value>) -> Result<Value, Fault> {
    let info = info
        .and_then(Value::as_object)
        .ok_or_else(|| required("RecurringInfo"))?;
    let mut out = info.clone();
    let name = text(info, "Name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| required("RecurringInfo.Name"))?;
    let taken = (0..ctx.overlay.count(ctx.ds, Entity::RecurringTransaction))
        .filter(|&index| index != ctx.index)
        .filter_map(|index| {
            ctx.overlay
                .json(ctx.ds, Entity::RecurringTransaction, index)
        })
        .any(|record| {
            template_body(&record)
                .ok()
                .and_then(|(_, inner)| {
                    inner
                        .get("RecurringInfo")?
                        .get("Name")?
                        .as_str()
                        .map(str::to_owned)
                })
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
    if taken {
        return Err(duplicate_name());
    }
    out.insert("Name".into(), json!(name));
    let kind = text(info, "RecurType").unwrap_or("Automated");
    if !matches!(kind, "Automated" | "Reminded" | "UnScheduled") {
        return Err(enumeration("RecurType", kind));
    }
    out.insert("RecurType".into(), json!(kind));
    match info.get("Active") {
        None | Some(Value::Null) => {
            out.insert("Active".into(), json!(true));
        }
        Some(Value::Bool(_)) => {}
        Some(other) => {
            return Err(bad_body(format!(
                "Active must be true or false, not {other}"
            )));
        }
    }
    if kind == "UnScheduled" {
        out.shift_remove("ScheduleInfo");
    } else {
        let schedule = info
            .get("ScheduleInfo")
            .and_then(Value::as_object)
            .ok_or_else(|| required("RecurringInfo.ScheduleInfo"))?;
        out.insert(
            "ScheduleInfo".into(),
            Value::Object(schedule_info(ctx, schedule)?),
        );
    }
    Ok(Value::Object(out))
}

/// `ScheduleInfo` checked, with `NextDate`: the first run on or after the company's today
/// (none once `EndDate` or `MaxOccurrences` is past).
fn schedule_info(ctx: &Ctx<'_>, given: &Map<String, Value>) -> Result<Map<String, Value>, Fault> {
    let mut out = given.clone();
    let interval =
        text(given, "IntervalType").ok_or_else(|| required("ScheduleInfo.IntervalType"))?;
    if !matches!(interval, "Daily" | "Weekly" | "Monthly" | "Yearly") {
        return Err(enumeration("IntervalType", interval));
    }
    let every = whole(given, "NumInterval", 1..=999)?.unwrap_or(1);
    out.insert("NumInterval".into(), json!(every));
    whole(given, "DayOfMonth", 1..=31)?;
    let start =
        date_field(given, "StartDate")?.ok_or_else(|| required("ScheduleInfo.StartDate"))?;
    out.insert("StartDate".into(), json!(day_text(start)));
    let end = date_field(given, "EndDate")?;
    if let Some(end) = end {
        if end < start {
            return Err(business("ScheduleInfo.EndDate is before its StartDate"));
        }
        out.insert("EndDate".into(), json!(day_text(end)));
    }
    let most = whole(given, "MaxOccurrences", 1..=9999)?;
    let today = today(ctx);
    let mut run = start;
    let mut made = 0i64;
    let next = loop {
        if end.is_some_and(|end| run > end) || most.is_some_and(|most| made >= most) {
            break None;
        }
        if run >= today {
            break Some(run);
        }
        made += 1;
        run = match interval {
            "Daily" => run + every as i32,
            "Weekly" => run + 7 * every as i32,
            "Monthly" => add_months(start, (made * every) as u32),
            _ => add_months(start, (made * every * 12) as u32),
        };
    };
    out.shift_remove("NextDate");
    out.shift_remove("PreviousDate");
    if let Some(next) = next {
        out.insert("NextDate".into(), json!(day_text(next)));
    }
    Ok(out)
}

/// `day` moved on by `months`, on the same day of the month or the month's last day.
fn add_months(day: i32, months: u32) -> i32 {
    let (year, month, dom) = civil(day);
    let zero_based = i64::from(month - 1) + i64::from(months);
    let (year, month) = (year + zero_based / 12, (zero_based % 12) as u32 + 1);
    let last = (28..=31)
        .rev()
        .find(|&d| civil(days_from_civil(year, month, d)).1 == month)
        .unwrap_or(28);
    days_from_civil(year, month, dom.min(last))
}
