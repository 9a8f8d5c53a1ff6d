//! Items: QBO's key order, type, accounts and prices.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{default, named_ref, reference};
use super::refusals::{business, duplicate_name, required};
use crate::changes::Current;
use crate::entity::Entity;
use crate::fault::Fault;

pub(super) const ITEM_ORDER: [&str; 17] = [
    "Name",
    "Description",
    "Active",
    "FullyQualifiedName",
    "Taxable",
    "UnitPrice",
    "Type",
    "IncomeAccountRef",
    "PurchaseCost",
    "ExpenseAccountRef",
    "TrackQtyOnHand",
    "Sku",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
];

pub(super) fn item(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let name = fields
        .get("Name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| required("Name"))?;
    let taken = (0..ctx.overlay.count(ctx.ds, Entity::Item)).any(|index| {
        index != ctx.index
            && match ctx.overlay.current(ctx.ds, Entity::Item, index) {
                Current::Seeded => ctx
                    .ds
                    .items
                    .get(index)
                    .is_some_and(|i| i.name.eq_ignore_ascii_case(&name)),
                Current::Stored(s) => s
                    .json
                    .get("Name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name)),
                Current::Deleted | Current::Absent => false,
            }
    });
    if taken {
        return Err(duplicate_name());
    }
    let kind = fields
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or("Service")
        .to_owned();
    if !matches!(kind.as_str(), "Service" | "NonInventory") {
        return Err(business(format!(
            "item Type {kind} is not supported by this emulator (Service or NonInventory)"
        )));
    }
    let (account_id, account) = reference(
        ctx,
        Entity::Account,
        fields.get("IncomeAccountRef"),
        "IncomeAccountRef",
    )?;
    fields.insert(
        "IncomeAccountRef".into(),
        named_ref(&account_id, &account, "Name"),
    );
    fields.insert("Name".into(), json!(name));
    fields.insert("FullyQualifiedName".into(), json!(name));
    fields.insert("Type".into(), json!(kind));
    default(fields, "Active", json!(true));
    default(fields, "Taxable", json!(false));
    default(fields, "UnitPrice", json!(0));
    default(fields, "PurchaseCost", json!(0));
    default(fields, "TrackQtyOnHand", json!(false));
    Ok(())
}
