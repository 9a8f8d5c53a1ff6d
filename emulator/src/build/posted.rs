//! The other posting transactions: SalesReceipt, CreditMemo and RefundReceipt (sales lines as an
//! invoice's), Purchase and VendorCredit (expense lines by account or item), Deposit (payments
//! from Undeposited Funds, or other accounts), JournalEntry (debits equal to credits), Transfer
//! and CreditCardPayment (one account to another). QBO's key orders, references checked, totals
//! computed.

use serde_json::{Map, Value, json};

use super::bill::{expense_lines, vendor_and_expenses};
use super::context::Ctx;
use super::deposited::deposit_holding;
use super::fields::{date_field, default, money_field, named_ref, reference, today};
use super::invoice::customer_and_sales;
use super::refusals::{business, required};
use crate::data::{ACCT_AP, ACCT_UNDEPOSITED};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::day_text;
use crate::txns::{Kind, doc_number};
use crate::values::money;

/// QBO's key order of a SalesReceipt, CreditMemo or RefundReceipt (seeded ones read the same).
pub(super) const SALE_ORDER: [&str; 23] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "DocNumber",
    "TxnDate",
    "DepartmentRef",
    "CurrencyRef",
    "PrivateNote",
    "Line",
    "TxnTaxDetail",
    "CustomerRef",
    "BillAddr",
    "TotalAmt",
    "ApplyTaxAfterDiscount",
    "PrintStatus",
    "EmailStatus",
    "Balance",
    "RemainingCredit",
    "PaymentMethodRef",
    "PaymentRefNum",
    "DepositToAccountRef",
];

/// QBO's key order of a Purchase.
pub(super) const PURCHASE_ORDER: [&str; 16] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "DocNumber",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "Line",
    "AccountRef",
    "PaymentType",
    "EntityRef",
    "Credit",
    "TotalAmt",
    "PrintStatus",
];

/// QBO's key order of a VendorCredit.
pub(super) const VENDOR_CREDIT_ORDER: [&str; 14] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "DocNumber",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "Line",
    "VendorRef",
    "APAccountRef",
    "TotalAmt",
    "Balance",
];

/// QBO's key order of a Deposit.
pub(super) const DEPOSIT_ORDER: [&str; 11] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "DepositToAccountRef",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "Line",
    "TotalAmt",
];

/// QBO's key order of a JournalEntry.
pub(super) const JOURNAL_ORDER: [&str; 12] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "DocNumber",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "Line",
    "Adjustment",
    "TotalAmt",
];

/// QBO's key order of a Transfer and of a CreditCardPayment.
pub(super) const MOVE_ORDER: [&str; 14] = [
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "TxnDate",
    "CurrencyRef",
    "PrivateNote",
    "FromAccountRef",
    "ToAccountRef",
    "Amount",
    "BankAccountRef",
    "CreditCardAccountRef",
    "VendorRef",
];

/// `CurrencyRef` defaulted to the home currency.
pub(super) fn usd(fields: &mut Map<String, Value>) {
    default(
        fields,
        "CurrencyRef",
        json!({"value": "USD", "name": "United States Dollar"}),
    );
}

/// `TxnDate` checked, or today's when absent; returns its day.
pub(super) fn txn_date(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<i32, Fault> {
    let day = date_field(fields, "TxnDate")?.unwrap_or_else(|| today(ctx));
    fields.insert("TxnDate".into(), json!(day_text(day)));
    Ok(day)
}

/// The account `key` names (required unless `fallback` gives one): checked, named, and its
/// `AccountType`.
pub(super) fn account_ref(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    key: &str,
    fallback: Option<usize>,
) -> Result<String, Fault> {
    if fields.get(key).is_none_or(Value::is_null)
        && let Some(index) = fallback
    {
        fields.insert(
            key.into(),
            json!({"value": (index + 1).to_string(), "name": ctx.ds.account_name(index)}),
        );
    }
    let (id, account) = reference(ctx, Entity::Account, fields.get(key), key)?;
    fields.insert(key.into(), named_ref(&id, &account, "Name"));
    Ok(account
        .get("AccountType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

/// A SalesReceipt, CreditMemo or RefundReceipt: a customer, sales lines and tax as an
/// invoice's, the account the money went to (receipt) or came from (refund).
pub(super) fn sale(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    kind: Kind,
) -> Result<(), Fault> {
    let total = customer_and_sales(ctx, fields)?;
    txn_date(ctx, fields)?;
    default(
        fields,
        "DocNumber",
        json!(doc_number(kind, ctx.index).to_string()),
    );
    usd(fields);
    default(fields, "ApplyTaxAfterDiscount", json!(false));
    default(fields, "PrintStatus", json!("NotSet"));
    default(fields, "EmailStatus", json!("NotSet"));
    fields.insert("TotalAmt".into(), money(total));
    if fields.get("PaymentMethodRef").is_some_and(|r| !r.is_null()) {
        let (id, method) = reference(
            ctx,
            Entity::PaymentMethod,
            fields.get("PaymentMethodRef"),
            "PaymentMethodRef",
        )?;
        fields.insert("PaymentMethodRef".into(), named_ref(&id, &method, "Name"));
    }
    match kind {
        Kind::CreditMemo => {
            fields.insert("Balance".into(), money(total));
            fields.insert("RemainingCredit".into(), money(total));
        }
        Kind::SalesReceipt => {
            fields.insert("Balance".into(), json!(0));
            account_ref(ctx, fields, "DepositToAccountRef", Some(ACCT_UNDEPOSITED))?;
        }
        _ => {
            fields.insert("Balance".into(), json!(0));
            // QBO requires the account a refund is paid from.
            let kind = account_ref(ctx, fields, "DepositToAccountRef", None)?;
            if !matches!(
                kind.as_str(),
                "Bank" | "Other Current Asset" | "Credit Card"
            ) {
                return Err(business(format!(
                    "a refund is paid from a bank, credit card or other current asset account, \
                     not a {kind} account"
                )));
            }
        }
    }
    Ok(())
}

/// A Purchase: paid now from a bank account (`Cash`, `Check`) or a card (`CreditCard`).
pub(super) fn purchase(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let pay_type = fields
        .get("PaymentType")
        .and_then(Value::as_str)
        .ok_or_else(|| required("PaymentType"))?
        .to_owned();
    let wanted = match pay_type.as_str() {
        "Cash" | "Check" => "Bank",
        "CreditCard" => "Credit Card",
        other => {
            return Err(business(format!(
                "PaymentType {other:?} is not one of Cash, Check, CreditCard"
            )));
        }
    };
    let kind = account_ref(ctx, fields, "AccountRef", None)?;
    if kind != wanted {
        return Err(business(format!(
            "a {pay_type} purchase is paid from a {wanted} account, not a {kind} account"
        )));
    }
    if fields.get("EntityRef").is_some_and(|r| !r.is_null()) {
        let target = match fields
            .get("EntityRef")
            .and_then(|r| r.get("type"))
            .and_then(Value::as_str)
        {
            Some("Customer") => Entity::Customer,
            Some("Employee") => Entity::Employee,
            _ => Entity::Vendor,
        };
        let (id, party) = reference(ctx, target, fields.get("EntityRef"), "EntityRef")?;
        let mut named = named_ref(&id, &party, "DisplayName");
        if let Some(r) = named.as_object_mut() {
            r.insert("type".into(), json!(target.name()));
        }
        fields.insert("EntityRef".into(), named);
    }
    let (lines, total) = expense_lines(ctx, fields.get("Line"))?;
    fields.insert("Line".into(), Value::Array(lines));
    txn_date(ctx, fields)?;
    usd(fields);
    if pay_type == "CreditCard" {
        default(fields, "Credit", json!(false));
    }
    default(fields, "PrintStatus", json!("NotSet"));
    fields.insert("TotalAmt".into(), money(total));
    Ok(())
}

/// A VendorCredit: a vendor, expense lines, A/P; all of it still to use.
pub(super) fn vendor_credit(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let total = vendor_and_expenses(ctx, fields)?;
    txn_date(ctx, fields)?;
    usd(fields);
    account_ref(ctx, fields, "APAccountRef", Some(ACCT_AP))?;
    fields.insert("TotalAmt".into(), money(total));
    fields.insert("Balance".into(), money(total));
    Ok(())
}

/// A Deposit: into a bank account, lines linked to payments received into Undeposited Funds,
/// or naming the account they come from (`DepositLineDetail.AccountRef`).
pub(super) fn deposit(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    account_ref(ctx, fields, "DepositToAccountRef", None)?;
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
        let amount = money_field(line, "Amount")?.ok_or_else(|| required("Line.Amount"))?;
        let mut built = Map::new();
        built.insert("Id".into(), json!((at + 1).to_string()));
        built.insert("LineNum".into(), json!(at + 1));
        built.insert("Amount".into(), money(amount));
        let linked = line
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .and_then(|l| l.first());
        let mut detail = line
            .get("DepositLineDetail")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Some(linked) = linked {
            let txn_type = linked.get("TxnType").and_then(Value::as_str).unwrap_or("");
            let target = Entity::from_name(txn_type)
                .filter(|e| matches!(e, Entity::Payment | Entity::SalesReceipt))
                .ok_or_else(|| {
                    business(format!(
                        "a deposit line links a Payment or a SalesReceipt, not {txn_type:?}"
                    ))
                })?;
            let reference_value =
                json!({"value": linked.get("TxnId").cloned().unwrap_or(Value::Null)});
            let (_, paid) = reference(ctx, target, Some(&reference_value), "Line.LinkedTxn.TxnId")?;
            let into = paid
                .get("DepositToAccountRef")
                .and_then(|r| r.get("value"))
                .and_then(crate::values::id_text);
            if into != Some((ACCT_UNDEPOSITED + 1).to_string()) {
                return Err(business(format!(
                    "{txn_type} {} was not received into Undeposited Funds, so it cannot be deposited",
                    linked.get("TxnId").cloned().unwrap_or(Value::Null)
                )));
            }
            let linked_index = linked
                .get("TxnId")
                .and_then(crate::values::id_text)
                .and_then(|id| crate::values::index_of(&id));
            if let Some(linked_index) = linked_index
                && let Some(other) =
                    deposit_holding(ctx.ds, ctx.overlay, target, linked_index, Some(ctx.index))
            {
                return Err(business(format!(
                    "{txn_type} {} is already on deposit {}",
                    linked_index + 1,
                    other + 1
                )));
            }
            built.insert("LinkedTxn".into(), json!([linked]));
            detail.insert(
                "AccountRef".into(),
                json!({"value": (ACCT_UNDEPOSITED + 1).to_string(), "name": ctx.ds.account_name(ACCT_UNDEPOSITED)}),
            );
        } else {
            let mut from = Map::new();
            if let Some(account) = detail.get("AccountRef") {
                from.insert("AccountRef".into(), account.clone());
            }
            account_ref(ctx, &mut from, "AccountRef", None)
                .map_err(|_| required("Line.DepositLineDetail.AccountRef"))?;
            if let Some(account) = from.remove("AccountRef") {
                detail.insert("AccountRef".into(), account);
            }
        }
        total += amount;
        built.insert("DetailType".into(), json!("DepositLineDetail"));
        built.insert("DepositLineDetail".into(), Value::Object(detail));
        lines.push(Value::Object(built));
    }
    fields.insert("Line".into(), Value::Array(lines));
    txn_date(ctx, fields)?;
    usd(fields);
    fields.insert("TotalAmt".into(), money(total));
    Ok(())
}

/// A JournalEntry: lines posting a debit or a credit to an account; the debits must equal the
/// credits.
pub(super) fn journal_entry(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let given = fields
        .get("Line")
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
        .cloned()
        .ok_or_else(|| required("Line"))?;
    let (mut debits, mut credits) = (0i64, 0i64);
    let mut lines = Vec::with_capacity(given.len());
    for (at, line) in given.iter().enumerate() {
        let Some(line) = line.as_object() else {
            return Err(business(format!("Line {} is not an object", at + 1)));
        };
        let mut detail = line
            .get("JournalEntryLineDetail")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| required("Line.JournalEntryLineDetail"))?;
        let amount = money_field(line, "Amount")?.ok_or_else(|| required("Line.Amount"))?;
        if amount < 0 {
            return Err(business(format!(
                "Line {} has a negative Amount; post it to the other side",
                at + 1
            )));
        }
        match detail.get("PostingType").and_then(Value::as_str) {
            Some("Debit") => debits += amount,
            Some("Credit") => credits += amount,
            Some(other) => {
                return Err(business(format!(
                    "PostingType {other:?} is not Debit or Credit"
                )));
            }
            None => return Err(required("Line.JournalEntryLineDetail.PostingType")),
        }
        let (id, account) = reference(
            ctx,
            Entity::Account,
            detail.get("AccountRef"),
            "Line.JournalEntryLineDetail.AccountRef",
        )?;
        detail.insert("AccountRef".into(), named_ref(&id, &account, "Name"));
        let mut built = Map::new();
        built.insert("Id".into(), json!(at.to_string()));
        built.insert(
            "Description".into(),
            line.get("Description").cloned().unwrap_or(json!("")),
        );
        built.insert("Amount".into(), money(amount));
        built.insert("DetailType".into(), json!("JournalEntryLineDetail"));
        built.insert("JournalEntryLineDetail".into(), Value::Object(detail));
        lines.push(Value::Object(built));
    }
    // QBO refuses an unbalanced entry with a business validation fault; its exact detail text
    // is not documented, this one names both sides.
    if debits != credits {
        return Err(business(format!(
            "Transaction must be balanced: the debits ({}) and the credits ({}) of a journal \
             entry must be equal",
            money(debits),
            money(credits)
        )));
    }
    fields.insert("Line".into(), Value::Array(lines));
    txn_date(ctx, fields)?;
    default(
        fields,
        "DocNumber",
        json!(doc_number(Kind::JournalEntry, ctx.index).to_string()),
    );
    usd(fields);
    default(fields, "Adjustment", json!(false));
    fields.insert("TotalAmt".into(), money(debits));
    Ok(())
}

/// A Transfer (between two accounts) or a CreditCardPayment (from a bank account to a card).
pub(super) fn moved(
    ctx: &Ctx<'_>,
    fields: &mut Map<String, Value>,
    kind: Kind,
) -> Result<(), Fault> {
    let amount = money_field(fields, "Amount")?.ok_or_else(|| required("Amount"))?;
    if amount <= 0 {
        return Err(business("Amount must be more than zero"));
    }
    let (from, to) = if kind == Kind::Transfer {
        ("FromAccountRef", "ToAccountRef")
    } else {
        ("BankAccountRef", "CreditCardAccountRef")
    };
    let from_type = account_ref(ctx, fields, from, None)?;
    let to_type = account_ref(ctx, fields, to, None)?;
    if fields.get(from).and_then(|r| r.get("value")) == fields.get(to).and_then(|r| r.get("value"))
    {
        return Err(business(format!(
            "{from} and {to} must be different accounts"
        )));
    }
    if kind == Kind::CreditCardPayment {
        if from_type != "Bank" {
            return Err(business(format!(
                "BankAccountRef must be a Bank account, not a {from_type} account"
            )));
        }
        if to_type != "Credit Card" {
            return Err(business(format!(
                "CreditCardAccountRef must be a Credit Card account, not a {to_type} account"
            )));
        }
        if fields.get("VendorRef").is_some_and(|r| !r.is_null()) {
            let (id, vendor) =
                reference(ctx, Entity::Vendor, fields.get("VendorRef"), "VendorRef")?;
            fields.insert("VendorRef".into(), named_ref(&id, &vendor, "DisplayName"));
        }
    }
    fields.insert("Amount".into(), money(amount));
    txn_date(ctx, fields)?;
    usd(fields);
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value};

    use crate::build::{Ctx, build};
    use crate::changes::Overlay;
    use crate::config::EmulatorConfig;
    use crate::data::{CHART_OF_POSTED, Dataset};
    use crate::entity::Entity;
    use crate::txns::Kind;
    use crate::written::{Shadow, Written};

    /// A seeded record saved again as it reads (what a sparse update without changes, or an
    /// edit while paging, does) keeps its keys in their order and posts what it posted.
    #[test]
    fn seeded_records_rebuild_in_qbo_order_to_the_same_postings() {
        let ds = Dataset::build(&EmulatorConfig::default()).expect("builds");
        let overlay = Overlay::default();
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        let without_zeros = |mut lines: Vec<(usize, i64)>| {
            lines.retain(|line| line.1 != 0);
            lines.sort_unstable();
            lines
        };
        for kind in Kind::ALL {
            let entity = Entity::ALL
                .into_iter()
                .find(|e| e.kind() == Some(kind))
                .expect("an entity");
            let n = ds.posted.len(kind);
            assert!(n > 0, "{kind:?}");
            for index in (0..n).step_by((n / 40).max(1)) {
                let seeded = overlay.json(&ds, entity, index).expect("seeded");
                let ctx = Ctx {
                    ds: &ds,
                    overlay: &overlay,
                    entity,
                    index,
                    sync_token: 1,
                    created: seeded["MetaData"]["CreateTime"].clone(),
                    updated: 1_700_000_000,
                    previous: Some(&seeded),
                };
                let rebuilt = build(&ctx, &seeded)
                    .unwrap_or_else(|fault| panic!("{kind:?} {index}: {fault:?}"));
                assert_eq!(keys(&rebuilt), keys(&seeded), "{kind:?} {index}");
                let mut written = Written::default();
                written.record(&ds, entity, index, Some(&rebuilt));
                let Shadow::Live(entry) = written.posted(kind, index) else {
                    panic!("{kind:?} {index} not taken in");
                };
                let mut seeded_lines = Vec::new();
                ds.posted
                    .lines(kind, index, &CHART_OF_POSTED, &mut seeded_lines);
                assert_eq!(
                    without_zeros(entry.lines.clone()),
                    without_zeros(seeded_lines),
                    "{kind:?} {index}"
                );
                assert_eq!(entry.lines.iter().map(|l| l.1).sum::<i64>(), 0);
            }
        }
    }
}
