//! Bill payments: QBO's key order, the vendor, the account paid from (a bank account by check,
//! a card by credit card), and the bills paid.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{date_field, default, money_field, named_ref, reference, today};
use super::posted::account_ref;
use super::refusals::{business, required};
use crate::data::ACCT_CHECKING;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::day_text;
use crate::values::{id_text, money};

/// QBO's key order of a BillPayment.
pub(super) const BILL_PAYMENT_ORDER: [&str; 14] = [
    "VendorRef",
    "PayType",
    "CheckPayment",
    "CreditCardPayment",
    "TotalAmt",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "Line",
];

/// A BillPayment: `PayType` `Check` (from `CheckPayment.BankAccountRef`, a bank account;
/// Checking by default) or `CreditCard` (from `CreditCardPayment.CCAccountRef`, a card), lines
/// each paying one of the vendor's bills (`LinkedTxn` of `TxnType` `Bill`), no more in all
/// than `TotalAmt`. How much of each bill is still open is checked when the bills are updated
/// (`writes.rs`).
pub(super) fn bill_payment(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let (vendor_id, vendor) = reference(ctx, Entity::Vendor, fields.get("VendorRef"), "VendorRef")?;
    fields.insert(
        "VendorRef".into(),
        named_ref(&vendor_id, &vendor, "DisplayName"),
    );
    let pay_type = fields
        .get("PayType")
        .and_then(Value::as_str)
        .ok_or_else(|| required("PayType"))?
        .to_owned();
    match pay_type.as_str() {
        "Check" => {
            fields.shift_remove("CreditCardPayment");
            let mut check = object(fields, "CheckPayment");
            let kind = account_ref(ctx, &mut check, "BankAccountRef", Some(ACCT_CHECKING))?;
            if kind != "Bank" {
                return Err(business(
                    "a bill payment by check is paid from a bank account (CheckPayment.BankAccountRef)",
                ));
            }
            default(&mut check, "PrintStatus", json!("NotSet"));
            fields.insert("CheckPayment".into(), Value::Object(check));
        }
        "CreditCard" => {
            fields.shift_remove("CheckPayment");
            let mut card = object(fields, "CreditCardPayment");
            if card.get("CCAccountRef").is_none_or(Value::is_null) {
                return Err(required("CreditCardPayment.CCAccountRef"));
            }
            let kind = account_ref(ctx, &mut card, "CCAccountRef", None)?;
            if kind != "Credit Card" {
                return Err(business(
                    "a bill payment by credit card is paid from a credit card account (CreditCardPayment.CCAccountRef)",
                ));
            }
            fields.insert("CreditCardPayment".into(), Value::Object(card));
        }
        other => {
            return Err(business(format!(
                "PayType is Check or CreditCard, not {other:?}"
            )));
        }
    }
    let total = money_field(fields, "TotalAmt")?.ok_or_else(|| required("TotalAmt"))?;
    let mut applied = 0i64;
    let mut lines = Vec::new();
    let given = fields
        .get("Line")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (at, line) in given.iter().enumerate() {
        let Some(line) = line.as_object() else {
            return Err(business(format!("Line {} is not an object", at + 1)));
        };
        let amount = money_field(line, "Amount")?.ok_or_else(|| required("Line.Amount"))?;
        let linked = line
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .ok_or_else(|| required("Line.LinkedTxn"))?;
        if linked.get("TxnType").and_then(Value::as_str) != Some("Bill") {
            return Err(business(
                "a bill payment line pays a Bill (LinkedTxn.TxnType Bill)",
            ));
        }
        let bill_ref = json!({"value": linked.get("TxnId").cloned().unwrap_or(Value::Null)});
        let (bill_id, bill) =
            reference(ctx, Entity::Bill, Some(&bill_ref), "Line.LinkedTxn.TxnId")?;
        let bill_vendor = bill
            .get("VendorRef")
            .and_then(|v| v.get("value"))
            .and_then(id_text);
        if bill_vendor.as_deref() != Some(vendor_id.as_str()) {
            return Err(business(format!(
                "bill {bill_id} is not a bill of vendor {vendor_id}"
            )));
        }
        if amount < 0 {
            return Err(business("a bill payment line pays a positive amount"));
        }
        applied += amount;
        lines.push(json!({
            "Amount": money(amount),
            "LinkedTxn": [{"TxnId": bill_id, "TxnType": "Bill"}],
        }));
    }
    if applied > total {
        return Err(business(
            "the amounts paid on bills exceed the bill payment's TotalAmt",
        ));
    }
    fields.insert("Line".into(), Value::Array(lines));
    fields.insert("TotalAmt".into(), money(total));
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(|| today(ctx));
    fields.insert("TxnDate".into(), json!(day_text(txn_date)));
    default(
        fields,
        "CurrencyRef",
        vendor
            .get("CurrencyRef")
            .cloned()
            .unwrap_or_else(|| json!({"value": "USD", "name": "United States Dollar"})),
    );
    Ok(())
}

/// The object under `key` (empty when missing or not an object).
fn object(fields: &Map<String, Value>, key: &str) -> Map<String, Value> {
    fields
        .get(key)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}
