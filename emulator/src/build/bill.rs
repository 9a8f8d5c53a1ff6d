//! Bills: QBO's key order, the vendor, expense lines against accounts or items (an inventory
//! item's stock bought), totals and balance.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{
    date_field, default, line_amount, money_field, named_ref, paid_before, reference, today,
};
use super::refusals::{business, required};
use crate::data::ACCT_AP;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::day_text;
use crate::values::money;

pub(super) const BILL_ORDER: [&str; 17] = [
    "SyncToken",
    "domain",
    "APAccountRef",
    "VendorRef",
    "DocNumber",
    "TxnDate",
    "TotalAmt",
    "CurrencyRef",
    "PrivateNote",
    "LinkedTxn",
    "SalesTermRef",
    "DueDate",
    "sparse",
    "Line",
    "Balance",
    "Id",
    "MetaData",
];

pub(super) fn bill(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let total = vendor_and_expenses(ctx, fields)?;
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(|| today(ctx));
    fields.insert("TxnDate".into(), json!(day_text(txn_date)));
    let due = date_field(fields, "DueDate")?.unwrap_or(txn_date + 30);
    fields.insert("DueDate".into(), json!(day_text(due)));
    fields.insert("TotalAmt".into(), money(total));
    fields.insert("Balance".into(), money((total - paid_before(ctx)).max(0)));
    default(
        fields,
        "APAccountRef",
        json!({"value": (ACCT_AP + 1).to_string(), "name": ctx.ds.account_name(ACCT_AP)}),
    );
    default(
        fields,
        "CurrencyRef",
        json!({"value": "USD", "name": "United States Dollar"}),
    );
    default(fields, "LinkedTxn", json!([]));
    Ok(())
}

/// The vendor and expense lines of a purchase from a vendor (bill, purchase order, vendor
/// credit): `VendorRef` named, the lines built; returns their total.
pub(super) fn vendor_and_expenses(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
) -> Result<i64, Fault> {
    let (vendor_id, vendor) = reference(ctx, Entity::Vendor, fields.get("VendorRef"), "VendorRef")?;
    fields.insert(
        "VendorRef".into(),
        named_ref(&vendor_id, &vendor, "DisplayName"),
    );
    let (lines, total) = expense_lines(ctx, fields.get("Line"))?;
    fields.insert("Line".into(), Value::Array(lines));
    Ok(total)
}

/// Expense lines by account (`AccountBasedExpenseLineDetail`) or by item
/// (`ItemBasedExpenseLineDetail`), numbered, references named; and their total.
pub(super) fn expense_lines(
    ctx: &Ctx<'_>,
    lines: Option<&Value>,
) -> Result<(Vec<Value>, i64), Fault> {
    let given = lines
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| required("Line"))?;
    let mut out = Vec::with_capacity(given.len());
    let mut total = 0i64;
    for (at, line) in given.iter().enumerate() {
        let Some(line) = line.as_object() else {
            return Err(business(format!("Line {} is not an object", at + 1)));
        };
        let mut built = Map::new();
        built.insert("Id".into(), json!((at + 1).to_string()));
        built.insert("LineNum".into(), json!(at + 1));
        built.insert(
            "Description".into(),
            line.get("Description").cloned().unwrap_or(json!("")),
        );
        if let Some(detail) = line
            .get("ItemBasedExpenseLineDetail")
            .and_then(Value::as_object)
        {
            let (item_id, item) = reference(
                ctx,
                Entity::Item,
                detail.get("ItemRef"),
                "Line.ItemBasedExpenseLineDetail.ItemRef",
            )?;
            let amount = line_amount(line, detail)?;
            total += amount;
            let mut d = detail.clone();
            d.insert("ItemRef".into(), named_ref(&item_id, &item, "Name"));
            default(&mut d, "BillableStatus", json!("NotBillable"));
            default(&mut d, "TaxCodeRef", json!({"value": "NON"}));
            built.insert("Amount".into(), money(amount));
            built.insert("DetailType".into(), json!("ItemBasedExpenseLineDetail"));
            built.insert("ItemBasedExpenseLineDetail".into(), Value::Object(d));
        } else {
            let (d, amount) = account_expense(ctx, line)?;
            total += amount;
            built.insert("Amount".into(), money(amount));
            built.insert("DetailType".into(), json!("AccountBasedExpenseLineDetail"));
            built.insert("AccountBasedExpenseLineDetail".into(), Value::Object(d));
        }
        out.push(Value::Object(built));
    }
    Ok((out, total))
}

/// An expense line against an account (`AccountBasedExpenseLineDetail`, of a bill, purchase or
/// vendor credit): its detail with the account named and QBO's defaults, and its amount.
pub(super) fn account_expense(
    ctx: &Ctx<'_>,
    line: &Map<String, Value>,
) -> Result<(Map<String, Value>, i64), Fault> {
    let detail = line
        .get("AccountBasedExpenseLineDetail")
        .and_then(Value::as_object)
        .ok_or_else(|| required("Line.AccountBasedExpenseLineDetail"))?;
    let (account_id, account) = reference(
        ctx,
        Entity::Account,
        detail.get("AccountRef"),
        "Line.AccountBasedExpenseLineDetail.AccountRef",
    )?;
    let amount = money_field(line, "Amount")?.ok_or_else(|| required("Line.Amount"))?;
    let mut d = detail.clone();
    d.insert(
        "AccountRef".into(),
        named_ref(&account_id, &account, "Name"),
    );
    default(&mut d, "BillableStatus", json!("NotBillable"));
    default(&mut d, "TaxCodeRef", json!({"value": "NON"}));
    Ok((d, amount))
}
