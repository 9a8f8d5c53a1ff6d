//! Items: QBO's key order, type, accounts and prices; an inventory item's quantity on hand,
//! start date and asset account.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{date_field, default, named_ref, reference};
use super::refusals::{business, duplicate_name, required};
use crate::changes::Current;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::Day;

pub(super) const ITEM_ORDER: [&str; 20] = [
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
    "QtyOnHand",
    "InvStartDate",
    "AssetAccountRef",
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
    if !matches!(kind.as_str(), "Service" | "NonInventory" | "Inventory") {
        return Err(business(format!(
            "item Type {kind} is not supported by this emulator (Service, NonInventory or \
             Inventory)"
        )));
    }
    if kind == "Inventory" {
        inventory(ctx, fields)?;
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

/// What QBO requires of an inventory item besides its income account: the quantity on hand at
/// `InvStartDate`, that date, and the asset account its stock is kept in (2020 without any of
/// them), and an expense account (its Cost of Goods Sold); it tracks its quantity.
fn inventory(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let qty = fields
        .get("QtyOnHand")
        .filter(|v| !v.is_null())
        .ok_or_else(|| required("QtyOnHand"))?;
    if !qty.as_f64().is_some_and(f64::is_finite) {
        return Err(business(format!("QtyOnHand {qty} is not a number")));
    }
    let start = date_field(fields, "InvStartDate")?.ok_or_else(|| required("InvStartDate"))?;
    fields.insert("InvStartDate".into(), json!(Day(start).to_string()));
    for key in ["AssetAccountRef", "ExpenseAccountRef"] {
        let (id, account) = reference(ctx, Entity::Account, fields.get(key), key)?;
        fields.insert(key.into(), named_ref(&id, &account, "Name"));
    }
    fields.insert("TrackQtyOnHand".into(), json!(true));
    Ok(())
}
