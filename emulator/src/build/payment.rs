//! Payments: QBO's key order, the customer, the invoices it is applied to, unapplied amounts.

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{date_field, default, money_field, named_ref, reference, today};
use super::refusals::{business, invalid_reference, required};
use crate::data::ACCT_UNDEPOSITED;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::day_text;
use crate::values::{cents, id_text, index_of, money};

pub(super) const PAYMENT_ORDER: [&str; 15] = [
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

pub(super) fn payment(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
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
    let txn_date = date_field(fields, "TxnDate")?.unwrap_or_else(|| today(ctx));
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
