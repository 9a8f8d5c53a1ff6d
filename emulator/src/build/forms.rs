//! The forms that post nothing: Estimate (sales lines and tax as an invoice's, a status the
//! customer moves it through) and PurchaseOrder (expense lines as a purchase's, open until a
//! bill closes it). QBO's key orders, references checked, totals computed; the ledger never
//! sees them.

use serde_json::{Map, Value, json};

use super::bill::vendor_and_expenses;
use super::context::Ctx;
use super::fields::{date_field, default};
use super::invoice::customer_and_sales;
use super::names::enumeration;
use super::posted::{account_ref, txn_date, usd};
use super::refusals::business;
use crate::data::ACCT_AP;
use crate::fault::Fault;
use crate::time::day_text;
use crate::values::money;

/// QBO's key order of an Estimate (seeded ones read the same).
pub(super) const ESTIMATE_ORDER: [&str; 22] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
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
    "TotalAmt",
    "ApplyTaxAfterDiscount",
    "PrintStatus",
    "EmailStatus",
    "TxnStatus",
    "ExpirationDate",
];

/// QBO's key order of a PurchaseOrder (seeded ones read the same).
pub(super) const PURCHASE_ORDER_ORDER: [&str; 17] = [
    "APAccountRef",
    "VendorRef",
    "POStatus",
    "EmailStatus",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "DocNumber",
    "TxnDate",
    "DueDate",
    "CurrencyRef",
    "PrivateNote",
    "LinkedTxn",
    "Line",
    "TotalAmt",
];

/// The statuses QBO accepts in an Estimate's `TxnStatus`.
const ESTIMATE_STATUSES: [&str; 4] = ["Pending", "Accepted", "Closed", "Rejected"];

/// The statuses QBO accepts in a PurchaseOrder's `POStatus`.
const PO_STATUSES: [&str; 2] = ["Open", "Closed"];

/// `fields[key]`, one of `allowed`, or `fallback` when absent.
fn status(
    fields: &mut Map<String, Value>,
    key: &str,
    allowed: &[&str],
    fallback: &str,
) -> Result<(), Fault> {
    match fields.get(key) {
        None | Some(Value::Null) => {
            fields.insert(key.into(), json!(fallback));
            Ok(())
        }
        Some(Value::String(s)) if s.trim().is_empty() => {
            fields.insert(key.into(), json!(fallback));
            Ok(())
        }
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
        Some(other) => Err(enumeration(
            key,
            &other
                .as_str()
                .map_or_else(|| other.to_string(), str::to_owned),
        )),
    }
}

/// An Estimate: a customer, sales lines and tax as an invoice's, `Pending` until the client
/// says otherwise; `ExpirationDate` kept when given, never before `TxnDate`.
pub(super) fn estimate(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let total = customer_and_sales(ctx, fields)?;
    let day = txn_date(ctx, fields)?;
    if let Some(expires) = date_field(fields, "ExpirationDate")? {
        if expires < day {
            return Err(business(format!(
                "ExpirationDate {} is before TxnDate {}",
                day_text(expires),
                day_text(day)
            )));
        }
        fields.insert("ExpirationDate".into(), json!(day_text(expires)));
    }
    default(
        fields,
        "DocNumber",
        json!((1001 + ctx.index as u64).to_string()),
    );
    usd(fields);
    status(fields, "TxnStatus", &ESTIMATE_STATUSES, "Pending")?;
    default(fields, "ApplyTaxAfterDiscount", json!(false));
    default(fields, "PrintStatus", json!("NotSet"));
    default(fields, "EmailStatus", json!("NotSet"));
    default(fields, "LinkedTxn", json!([]));
    fields.insert("TotalAmt".into(), money(total));
    Ok(())
}

/// A PurchaseOrder: a vendor, expense lines by account or item, the A/P account it will be
/// billed through, `Open` until the client closes it.
pub(super) fn purchase_order(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let total = vendor_and_expenses(ctx, fields)?;
    txn_date(ctx, fields)?;
    if let Some(due) = date_field(fields, "DueDate")? {
        fields.insert("DueDate".into(), json!(day_text(due)));
    }
    default(
        fields,
        "DocNumber",
        json!((1001 + ctx.index as u64).to_string()),
    );
    usd(fields);
    let ap = account_ref(ctx, fields, "APAccountRef", Some(ACCT_AP))?;
    if ap != "Accounts Payable" {
        return Err(business(format!(
            "APAccountRef must be an Accounts Payable account, not a {ap} account"
        )));
    }
    status(fields, "POStatus", &PO_STATUSES, "Open")?;
    default(fields, "EmailStatus", json!("NotSet"));
    default(fields, "LinkedTxn", json!([]));
    fields.insert("TotalAmt".into(), money(total));
    Ok(())
}
