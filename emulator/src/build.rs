//! Turning the body of a create or update into the record QBO would store, or the Fault QBO
//! would answer.
//!
//! Why it exists: a client's write must meet QBO's rules before anything changes — required
//! fields (code 2020), references to records that exist (2500, or 610 for an inactive one),
//! unique names across customers and vendors (6240), business rules (6000) — and the stored
//! record must read like QBO's: server fields (`Id`, `SyncToken`, `MetaData`, `domain`,
//! `sparse`), computed amounts (`TotalAmt` from the lines plus tax, `Balance` less what was
//! already paid, the trailing `SubTotalLineDetail` line), names filled into references, and keys
//! in the order QBO writes them. Invoice and Customer are served in depth; Payment, Bill, Vendor
//! and Item with their required fields and references. This module is pure: it reads the books
//! and returns JSON or a Fault; `writes.rs` stores the result.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use crate::changes::{Current, Overlay, day_text};
use crate::data::{ACCT_AP, ACCT_UNDEPOSITED, Dataset, TERMS};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::{TimeLiteral, Timestamp, day_of, parse_time_literal};

/// What a record is built with besides the client's fields.
pub(crate) struct Ctx<'a> {
    pub(crate) ds: &'a Dataset,
    pub(crate) overlay: &'a Overlay,
    pub(crate) entity: Entity,
    /// The record's index (`Id` is `index + 1`).
    pub(crate) index: usize,
    /// The new `SyncToken`.
    pub(crate) sync_token: u64,
    /// `MetaData.CreateTime` (kept from the record on update).
    pub(crate) created: Value,
    /// `MetaData.LastUpdatedTime`, Unix seconds.
    pub(crate) updated: i64,
    /// The record as it read before this write (updates), for amounts already paid.
    pub(crate) previous: Option<&'a Map<String, Value>>,
}

/// Fields a client may send but QBO sets itself.
pub(crate) const SERVER_FIELDS: [&str; 5] = ["Id", "SyncToken", "MetaData", "domain", "sparse"];

/// The entities writes are served for.
pub(crate) fn writable(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Invoice
            | Entity::Customer
            | Entity::Payment
            | Entity::Bill
            | Entity::Vendor
            | Entity::Item
    )
}

/// The stored record for `input` (the client's fields, or the merged ones of a sparse update).
pub(crate) fn build(
    ctx: &Ctx<'_>,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, Fault> {
    let mut fields: Map<String, Value> = input
        .iter()
        .filter(|(k, _)| !SERVER_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    fields.insert("domain".into(), json!("QBO"));
    fields.insert("sparse".into(), json!(false));
    fields.insert("Id".into(), json!((ctx.index + 1).to_string()));
    fields.insert("SyncToken".into(), json!(ctx.sync_token.to_string()));
    fields.insert(
        "MetaData".into(),
        json!({
            "CreateTime": ctx.created,
            "LastUpdatedTime": Timestamp(ctx.updated).to_string(),
        }),
    );
    let order: &[&str] = match ctx.entity {
        Entity::Invoice => {
            invoice(ctx, &mut fields)?;
            &INVOICE_ORDER
        }
        Entity::Customer => {
            party(ctx, &mut fields, Entity::Customer)?;
            &CUSTOMER_ORDER
        }
        Entity::Vendor => {
            party(ctx, &mut fields, Entity::Vendor)?;
            &VENDOR_ORDER
        }
        Entity::Item => {
            item(ctx, &mut fields)?;
            &ITEM_ORDER
        }
        Entity::Payment => {
            payment(ctx, &mut fields)?;
            &PAYMENT_ORDER
        }
        Entity::Bill => {
            bill(ctx, &mut fields)?;
            &BILL_ORDER
        }
        other => return Err(not_writable(other, "create or update")),
    };
    Ok(in_order(order, fields))
}

/// `fields` with the keys of `order` first, in that order, then the others as they came.
fn in_order(order: &[&str], mut fields: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::with_capacity(fields.len());
    for key in order {
        if let Some(value) = fields.shift_remove(*key) {
            out.insert((*key).to_owned(), value);
        }
    }
    out.extend(fields);
    out
}

// ---------------------------------------------------------------------------------------------
// Faults

/// 400 code 2020: a required field is missing.
pub(crate) fn required(param: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2020",
        "Required param missing, need to supply the required value for the API",
        format!("Required parameter {param} is missing in the request"),
        Some(""),
    )
}

/// 400 code 2500: a reference names no record.
fn invalid_reference(what: &str, id: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2500",
        "Invalid Reference Id",
        format!("Invalid Reference Id : {what} element id {id} not found"),
        Some(""),
    )
}

/// 400 code 6000: a business rule.
pub(crate) fn business(detail: impl Into<String>) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6000",
        "A business validation error has occurred while processing your request",
        format!("Business Validation Error: {}", detail.into()),
        Some(""),
    )
}

/// 400 code 6240: the name is taken (customers, vendors and employees share names).
fn duplicate_name() -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already \
         using this name. Please use a different name.",
        Some(""),
    )
}

/// 400 code 5010: the client's `SyncToken` is not the record's (`fault-400-stale-object.json`).
pub(crate) fn stale_object() -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and another user were working on this at the same time. \
         The other user finished before you did, so your work was not saved.",
        Some(""),
    )
}

/// 400 code 2010: the body is not a JSON object of the entity.
pub(crate) fn bad_body(detail: impl Into<String>) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2010",
        "Request has invalid or unsupported property",
        detail,
        Some(""),
    )
}

/// 400 code 500: the operation does not exist for this entity.
pub(crate) fn not_writable(entity: Entity, operation: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "500",
        "Unsupported Operation",
        format!(
            "Operation {operation} is not supported for {} by this emulator (writes serve \
             Invoice, Customer, Payment, Bill, Vendor and Item; delete and void serve \
             transactions only)",
            entity.name()
        ),
        None,
    )
}

// ---------------------------------------------------------------------------------------------
// Values

/// A money amount in cents from a JSON number or numeric string.
pub(crate) fn cents(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    number
        .is_finite()
        .then(|| (number * 100.0).round())
        .filter(|c| c.abs() < 1e15)
        .map(|c| c as i64)
}

/// Cents as QBO writes money: `0`, else a float (`275.0`, `554.46`).
pub(crate) fn money(cents: i64) -> Value {
    if cents == 0 {
        json!(0)
    } else {
        json!(cents as f64 / 100.0)
    }
}

/// An id-like value (`"58"` or `58`) as text.
pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The record index an id names (`"58"` is index 57).
pub(crate) fn index_of(id: &str) -> Option<usize> {
    id.parse::<u64>()
        .ok()
        .filter(|&n| n >= 1)
        .and_then(|n| usize::try_from(n - 1).ok())
}

/// A `YYYY-MM-DD` field as a day number; `None` when absent, a Fault when malformed.
fn date_field(fields: &Map<String, Value>, key: &str) -> Result<Option<i32>, Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
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
fn reference(
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
fn named_ref(id: &str, record: &Map<String, Value>, name_key: &str) -> Value {
    match record.get(name_key).and_then(Value::as_str) {
        Some(name) => json!({"value": id, "name": name}),
        None => json!({"value": id}),
    }
}

fn money_field(fields: &Map<String, Value>, key: &str) -> Result<Option<i64>, Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => cents(v)
            .map(Some)
            .ok_or_else(|| business(format!("{key} {v} is not an amount"))),
    }
}

/// Cents already paid on the record before this write (`TotalAmt - Balance`).
fn paid_before(ctx: &Ctx<'_>) -> i64 {
    ctx.previous
        .map(|p| {
            let total = p.get("TotalAmt").and_then(cents).unwrap_or(0);
            let balance = p.get("Balance").and_then(cents).unwrap_or(0);
            (total - balance).max(0)
        })
        .unwrap_or(0)
}

fn today() -> i32 {
    day_of(crate::time::now_secs())
}

// ---------------------------------------------------------------------------------------------
// Invoice

/// QBO's key order of an Invoice (as in `qbo-samples/query-invoices-page.json`, plus
/// `PrivateNote`); seeded invoices are rendered in it too.
pub(crate) const INVOICE_ORDER: [&str; 31] = [
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

fn default(fields: &mut Map<String, Value>, key: &str, value: Value) {
    if fields.get(key).is_none_or(Value::is_null) {
        fields.insert(key.to_owned(), value);
    }
}

fn invoice(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
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
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(today);
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
                let qty = detail.get("Qty").and_then(Value::as_f64);
                let unit = detail.get("UnitPrice").and_then(cents);
                let amount = match (money_field(line, "Amount")?, qty, unit) {
                    (Some(amount), _, _) => amount,
                    (None, Some(qty), Some(unit)) => (qty * unit as f64).round() as i64,
                    _ => return Err(required("Line.Amount")),
                };
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

// ---------------------------------------------------------------------------------------------
// Customer and Vendor

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

const VENDOR_ORDER: [&str; 19] = [
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
fn display_name(fields: &Map<String, Value>) -> Option<String> {
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
fn name_taken(ctx: &Ctx<'_>, own: Entity, name: &str) -> bool {
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

fn party(ctx: &Ctx<'_>, fields: &mut Map<String, Value>, entity: Entity) -> Result<(), Fault> {
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

// ---------------------------------------------------------------------------------------------
// Item

const ITEM_ORDER: [&str; 17] = [
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

fn item(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
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

// ---------------------------------------------------------------------------------------------
// Payment

const PAYMENT_ORDER: [&str; 15] = [
    "CustomerRef",
    "DepositToAccountRef",
    "TotalAmt",
    "UnappliedAmt",
    "ProcessPayment",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "PaymentRefNum",
    "Line",
];

fn payment(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
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
    let total = money_field(fields, "TotalAmt")?.ok_or_else(|| required("TotalAmt"))?;
    let mut applied = 0i64;
    if let Some(lines) = fields.get("Line").and_then(Value::as_array) {
        for line in lines {
            applied += line.get("Amount").and_then(cents).unwrap_or(0);
            let linked = line.get("LinkedTxn").and_then(Value::as_array);
            for txn in linked.into_iter().flatten() {
                let id = txn.get("TxnId").and_then(id_text).unwrap_or_default();
                let kind = txn.get("TxnType").and_then(Value::as_str).unwrap_or("");
                if kind == "Invoice"
                    && index_of(&id)
                        .and_then(|i| ctx.overlay.json(ctx.ds, Entity::Invoice, i))
                        .is_none()
                {
                    return Err(invalid_reference("Invoice", &id));
                }
            }
        }
    }
    if applied > total {
        return Err(business(
            "the amounts applied to transactions exceed the payment's TotalAmt",
        ));
    }
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(today);
    fields.insert("TxnDate".into(), json!(day_text(txn_date)));
    fields.insert("TotalAmt".into(), money(total));
    fields.insert("UnappliedAmt".into(), money(total - applied));
    default(
        fields,
        "DepositToAccountRef",
        json!({"value": (ACCT_UNDEPOSITED + 1).to_string()}),
    );
    default(fields, "ProcessPayment", json!(false));
    default(
        fields,
        "CurrencyRef",
        json!({"value": "USD", "name": "United States Dollar"}),
    );
    default(fields, "Line", json!([]));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bill

const BILL_ORDER: [&str; 17] = [
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

fn bill(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let (vendor_id, vendor) = reference(ctx, Entity::Vendor, fields.get("VendorRef"), "VendorRef")?;
    fields.insert(
        "VendorRef".into(),
        named_ref(&vendor_id, &vendor, "DisplayName"),
    );
    let given = fields
        .get("Line")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .cloned()
        .ok_or_else(|| required("Line"))?;
    let mut lines = Vec::with_capacity(given.len());
    let mut total = 0i64;
    for (at, line) in given.iter().enumerate() {
        let Some(line) = line.as_object() else {
            return Err(business(format!("Line {} is not an object", at + 1)));
        };
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
        total += amount;
        let mut d = detail.clone();
        d.insert(
            "AccountRef".into(),
            named_ref(&account_id, &account, "Name"),
        );
        default(&mut d, "BillableStatus", json!("NotBillable"));
        default(&mut d, "TaxCodeRef", json!({"value": "NON"}));
        let mut built = Map::new();
        built.insert("Id".into(), json!((at + 1).to_string()));
        built.insert("LineNum".into(), json!(at + 1));
        built.insert(
            "Description".into(),
            line.get("Description").cloned().unwrap_or(json!("")),
        );
        built.insert("Amount".into(), money(amount));
        built.insert("DetailType".into(), json!("AccountBasedExpenseLineDetail"));
        built.insert("AccountBasedExpenseLineDetail".into(), Value::Object(d));
        lines.push(Value::Object(built));
    }
    fields.insert("Line".into(), Value::Array(lines));
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(today);
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

// ---------------------------------------------------------------------------------------------
// Void

/// `record` voided: every amount zero and a "Voided" private note (QBO keeps voided
/// transactions, unlike deleted ones).
pub(crate) fn voided(record: &mut Map<String, Value>) {
    if let Some(Value::Array(lines)) = record.get_mut("Line") {
        for line in lines {
            if let Some(line) = line.as_object_mut() {
                if line.contains_key("Amount") {
                    line.insert("Amount".into(), json!(0));
                }
                if let Some(Value::Object(detail)) = line.get_mut("SalesItemLineDetail") {
                    detail.insert("Qty".into(), json!(0));
                }
            }
        }
    }
    if record.contains_key("TxnTaxDetail") {
        record.insert("TxnTaxDetail".into(), json!({"TotalTax": 0}));
    }
    for key in ["TotalAmt", "Balance", "UnappliedAmt"] {
        if record.contains_key(key) {
            record.insert(key.into(), json!(0));
        }
    }
    record.insert("PrivateNote".into(), json!("Voided"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;

    fn ds() -> Dataset {
        Dataset::build(&EmulatorConfig::default()).expect("builds")
    }

    fn ctx<'a>(ds: &'a Dataset, overlay: &'a Overlay, entity: Entity) -> Ctx<'a> {
        Ctx {
            ds,
            overlay,
            entity,
            index: overlay.next_index(ds, entity),
            sync_token: 0,
            created: json!("2026-11-23T09:00:00-07:00"),
            updated: 0,
            previous: None,
        }
    }

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn code(result: Result<Map<String, Value>, Fault>) -> String {
        match result {
            Err(f) => f.errors[0].code.clone(),
            Ok(m) => panic!("expected a fault, built {m:?}"),
        }
    }

    #[test]
    fn an_invoice_gets_totals_names_lines_and_qbo_key_order() {
        let ds = ds();
        let overlay = Overlay::default();
        let input = object(json!({
            "CustomerRef": {"value": "3"},
            "PrivateNote": "from a test",
            "Line": [
                {"Amount": 100.5, "DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": 100.5}},
                {"DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": "2"}, "Qty": 2, "UnitPrice": 10}},
                {"Amount": 9, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
            ],
            "TxnDate": "2026-11-01"
        }));
        let built = build(&ctx(&ds, &overlay, Entity::Invoice), &input).expect("builds");
        assert_eq!(built["Id"], "2501");
        assert_eq!(built["SyncToken"], "0");
        assert_eq!(built["DocNumber"], "3501");
        assert_eq!(built["TotalAmt"], json!(120.5));
        assert_eq!(built["Balance"], json!(120.5));
        assert_eq!(built["DueDate"], "2026-12-01");
        assert_eq!(built["CustomerRef"]["name"], "O'Brien Landscaping");
        let lines = built["Line"].as_array().expect("lines");
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1]["Amount"], json!(20.0));
        assert_eq!(lines[2]["DetailType"], "SubTotalLineDetail");
        assert_eq!(lines[2]["Amount"], json!(120.5));
        let keys: Vec<&str> = built.keys().map(String::as_str).collect();
        let position = |k: &str| keys.iter().position(|x| *x == k).expect(k);
        assert!(position("domain") < position("Id"));
        assert!(position("Line") < position("CustomerRef"));
        assert!(position("TotalAmt") < position("Balance"));
        assert!(position("PrivateNote") < position("Line"));
    }

    #[test]
    fn invoice_faults_are_qbo_codes() {
        let ds = ds();
        let overlay = Overlay::default();
        let c = ctx(&ds, &overlay, Entity::Invoice);
        let line = json!([{"Amount": 1, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]);
        assert_eq!(code(build(&c, &object(json!({"Line": line})))), "2020");
        assert_eq!(
            code(build(
                &c,
                &object(json!({"CustomerRef": {"value": "99999"}, "Line": line}))
            )),
            "2500"
        );
        // Customer 8 (index 7) is always inactive.
        assert_eq!(
            code(build(
                &c,
                &object(json!({"CustomerRef": {"value": "8"}, "Line": line}))
            )),
            "610"
        );
        assert_eq!(
            code(build(
                &c,
                &object(json!({"CustomerRef": {"value": "1"}, "Line": []}))
            )),
            "2020"
        );
        let bad_item = json!([{"Amount": 1, "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": "0"}}}]);
        assert_eq!(
            code(build(
                &c,
                &object(json!({"CustomerRef": {"value": "1"}, "Line": bad_item}))
            )),
            "2500"
        );
        let discount = json!([{"Amount": 1, "DetailType": "DiscountLineDetail"}]);
        assert_eq!(
            code(build(
                &c,
                &object(json!({"CustomerRef": {"value": "1"}, "Line": discount}))
            )),
            "6000"
        );
    }

    #[test]
    fn names_are_unique_across_customers_and_vendors() {
        let ds = ds();
        let overlay = Overlay::default();
        let c = ctx(&ds, &overlay, Entity::Customer);
        let taken = ds.vendors[0].display_name.to_uppercase();
        assert_eq!(
            code(build(&c, &object(json!({"DisplayName": taken})))),
            "6240"
        );
        assert_eq!(code(build(&c, &object(json!({})))), "2020");
        let built = build(
            &c,
            &object(json!({"GivenName": "Ada", "FamilyName": "Lovelace"})),
        )
        .expect("builds");
        assert_eq!(built["DisplayName"], "Ada Lovelace");
        assert_eq!(built["FullyQualifiedName"], "Ada Lovelace");
        assert_eq!(built["Active"], true);
        assert_eq!(built["Id"], "121");
    }

    #[test]
    fn money_reads_and_writes_like_qbo() {
        assert_eq!(cents(&json!(554.46)), Some(55446));
        assert_eq!(cents(&json!("12.5")), Some(1250));
        assert_eq!(cents(&json!("x")), None);
        assert_eq!(money(0), json!(0));
        assert_eq!(money(27500).to_string(), "275.0");
    }

    #[test]
    fn a_voided_invoice_has_zero_amounts_and_a_note() {
        let ds = ds();
        let overlay = Overlay::default();
        let mut record = overlay.json(&ds, Entity::Invoice, 0).expect("seeded");
        voided(&mut record);
        assert_eq!(record["TotalAmt"], json!(0));
        assert_eq!(record["Balance"], json!(0));
        assert_eq!(record["PrivateNote"], "Voided");
        for line in record["Line"].as_array().expect("lines") {
            assert_eq!(line["Amount"], json!(0));
        }
    }
}
