//! Invoices: QBO's key order, sales lines checked against items (and their classes), the
//! location, the subtotal line, tax, totals and balance.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{
    date_field, default, line_amount, money_field, named_ref, paid_before, reference, today,
};
use super::refusals::{business, required};
use crate::data::TERMS;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::day_text;
use crate::values::{cents, id_text, money};

/// QBO's key order of an Invoice (as in `qbo-samples/query-invoices-page.json`, plus
/// `PrivateNote`); seeded invoices are rendered in it too.
pub(crate) const INVOICE_ORDER: [&str; 32] = [
    "AllowIPNPayment",
    "AllowOnlinePayment",
    "AllowOnlineCreditCardPayment",
    "AllowOnlineACHPayment",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "CustomField",
    "DocNumber",
    "TxnDate",
    "DepartmentRef",
    "CurrencyRef",
    "PrivateNote",
    "LinkedTxn",
    "Line",
    "TxnTaxDetail",
    "CustomerRef",
    "CustomerMemo",
    "BillAddr",
    "ShipAddr",
    "FreeFormAddress",
    "SalesTermRef",
    "DueDate",
    "TotalAmt",
    "ApplyTaxAfterDiscount",
    "PrintStatus",
    "EmailStatus",
    "BillEmail",
    "Balance",
    "Deposit",
];

pub(super) fn invoice(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let total = customer_and_sales(ctx, fields)?;
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(|| today(ctx));
    fields.insert("TxnDate".into(), json!(day_text(txn_date)));
    let term_days = fields
        .get("SalesTermRef")
        .and_then(|t| t.get("value"))
        .and_then(id_text)
        .and_then(|id| TERMS.iter().find(|t| t.0.to_string() == id))
        .map_or(30, |t| t.2);
    let due = date_field(fields, "DueDate")?.unwrap_or(txn_date + term_days);
    fields.insert("DueDate".into(), json!(day_text(due)));
    default(fields, "DocNumber", json!((1001 + ctx.index).to_string()));
    for key in [
        "AllowIPNPayment",
        "AllowOnlinePayment",
        "AllowOnlineCreditCardPayment",
        "AllowOnlineACHPayment",
        "ApplyTaxAfterDiscount",
    ] {
        default(fields, key, json!(false));
    }
    default(fields, "CustomField", json!([]));
    default(
        fields,
        "CurrencyRef",
        json!({"value": "USD", "name": "United States Dollar"}),
    );
    default(fields, "LinkedTxn", json!([]));
    default(fields, "PrintStatus", json!("NotSet"));
    default(fields, "EmailStatus", json!("NotSet"));
    fields.insert("TotalAmt".into(), money(total));
    fields.insert("Balance".into(), money((total - paid_before(ctx)).max(0)));
    default(fields, "Deposit", json!(0));
    Ok(())
}

/// An invoice's lines, numbered, with item names filled in and the subtotal line appended;
/// and the subtotal in cents.
fn sales_lines(ctx: &Ctx<'_>, lines: Option<&Value>) -> Result<(Vec<Value>, i64), Fault> {
    let given = lines
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| required("Line"))?;
    let mut out = Vec::with_capacity(given.len() + 1);
    let mut subtotal = 0i64;
    for (at, line) in given.iter().enumerate() {
        let Some(line) = line.as_object() else {
            return Err(business(format!("Line {} is not an object", at + 1)));
        };
        let detail_type = line
            .get("DetailType")
            .and_then(Value::as_str)
            .ok_or_else(|| required("Line.DetailType"))?;
        let number = out.len() + 1;
        let mut built = Map::new();
        built.insert("Id".into(), json!(number.to_string()));
        built.insert("LineNum".into(), json!(number));
        match detail_type {
            "SubTotalLineDetail" => continue,
            "SalesItemLineDetail" => {
                let detail = line
                    .get("SalesItemLineDetail")
                    .and_then(Value::as_object)
                    .ok_or_else(|| required("Line.SalesItemLineDetail"))?;
                let (item_id, item) = reference(
                    ctx,
                    Entity::Item,
                    detail.get("ItemRef"),
                    "Line.SalesItemLineDetail.ItemRef",
                )?;
                let amount = line_amount(line, detail)?;
                subtotal += amount;
                let description = line
                    .get("Description")
                    .cloned()
                    .or_else(|| item.get("Description").cloned())
                    .unwrap_or(json!(""));
                built.insert("Description".into(), description);
                built.insert("Amount".into(), money(amount));
                built.insert("DetailType".into(), json!("SalesItemLineDetail"));
                let mut d = Map::new();
                if let Some(date) = detail.get("ServiceDate") {
                    d.insert("ServiceDate".into(), date.clone());
                }
                d.insert("ItemRef".into(), named_ref(&item_id, &item, "Name"));
                if let Some(class) = tracked(
                    ctx,
                    Entity::Class,
                    detail.get("ClassRef"),
                    "Line.SalesItemLineDetail.ClassRef",
                )? {
                    d.insert("ClassRef".into(), class);
                }
                let unit_price = detail
                    .get("UnitPrice")
                    .cloned()
                    .or_else(|| item.get("UnitPrice").cloned())
                    .unwrap_or(json!(0));
                d.insert("UnitPrice".into(), unit_price);
                d.insert("Qty".into(), detail.get("Qty").cloned().unwrap_or(json!(1)));
                if let Some(account) = item.get("IncomeAccountRef") {
                    d.insert("ItemAccountRef".into(), account.clone());
                }
                d.insert(
                    "TaxCodeRef".into(),
                    detail
                        .get("TaxCodeRef")
                        .cloned()
                        .unwrap_or(json!({"value": "NON"})),
                );
                for (k, v) in detail {
                    if !d.contains_key(k) {
                        d.insert(k.clone(), v.clone());
                    }
                }
                built.insert("SalesItemLineDetail".into(), Value::Object(d));
            }
            "DescriptionOnly" => {
                let amount = money_field(line, "Amount")?.unwrap_or(0);
                subtotal += amount;
                built.insert(
                    "Description".into(),
                    line.get("Description").cloned().unwrap_or(json!("")),
                );
                built.insert("Amount".into(), money(amount));
                built.insert("DetailType".into(), json!("DescriptionOnly"));
                built.insert(
                    "DescriptionLineDetail".into(),
                    line.get("DescriptionLineDetail")
                        .cloned()
                        .unwrap_or(json!({})),
                );
            }
            other => {
                return Err(business(format!(
                    "Line DetailType {other} is not supported by this emulator (use \
                     SalesItemLineDetail or DescriptionOnly)"
                )));
            }
        }
        out.push(Value::Object(built));
    }
    if out.is_empty() {
        return Err(required("Line"));
    }
    out.push(json!({
        "Amount": money(subtotal),
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {}
    }));
    Ok((out, subtotal))
}

/// An optional class or location reference (`ClassRef`, `DepartmentRef`) checked as the
/// other references are (2500 for one that does not exist, 610 for an inactive one) and named
/// by the record's `FullyQualifiedName`; `None` when the client sent none.
fn tracked(
    ctx: &Ctx<'_>,
    target: Entity,
    value: Option<&Value>,
    param: &str,
) -> Result<Option<Value>, Fault> {
    if value.is_none_or(Value::is_null) {
        return Ok(None);
    }
    let (id, record) = reference(ctx, target, value, param)?;
    Ok(Some(named_ref(&id, &record, "FullyQualifiedName")))
}

/// The customer, item lines and sales tax of a sale (invoice, sales receipt, credit memo,
/// refund): `CustomerRef` named, the lines built, `TxnTaxDetail` defaulted; returns the total.
pub(super) fn customer_and_sales(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
) -> Result<i64, Fault> {
    let (customer_id, customer) = reference(
        ctx,
        Entity::Customer,
        fields.get("CustomerRef"),
        "CustomerRef",
    )?;
    fields.insert(
        "CustomerRef".into(),
        named_ref(&customer_id, &customer, "DisplayName"),
    );
    if let Some(department) = tracked(
        ctx,
        Entity::Department,
        fields.get("DepartmentRef"),
        "DepartmentRef",
    )? {
        fields.insert("DepartmentRef".into(), department);
    }
    let (lines, subtotal) = sales_lines(ctx, fields.get("Line"))?;
    fields.insert("Line".into(), Value::Array(lines));
    let tax = match fields.get("TxnTaxDetail") {
        Some(detail @ Value::Object(_)) => detail.get("TotalTax").and_then(cents).unwrap_or(0),
        _ => {
            fields.insert("TxnTaxDetail".into(), json!({"TotalTax": 0}));
            0
        }
    };
    let total = subtotal + tax;
    Ok(total)
}
