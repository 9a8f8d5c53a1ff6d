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
//! and Item with their required fields and references; the small name lists (`names.rs`:
//! classes, departments, terms, payment methods, customer types, employees, tax agencies) with
//! unique names; accounts (`account.rs`) with QBO's types and sub-types; the other posting
//! transactions (`posted.rs`) with their references, totals and rules (a journal entry must
//! balance); the forms that post nothing (`forms.rs`: estimates, purchase orders), time
//! (`time_activity.rs`), attachable notes (`attachable.rs`), recurring templates in their
//! wrappers (`recurring.rs`), currencies (`company_currency.rs`) and the company's singletons (`company.rs`: Preferences,
//! CompanyInfo). This module is pure: it reads the books
//! and returns JSON or a Fault; `writes.rs` stores the result.

mod account;
mod attachable;
mod bill;
mod bill_payment;
mod company;
mod company_currency;
mod context;
mod deposited;
mod fields;
mod forms;
mod invoice;
mod item;
mod names;
mod party;
mod payment;
mod posted;
mod recurring;
mod refusals;
mod time_activity;
mod void;

use serde_json::{Map, Value, json};

pub(crate) use context::Ctx;
pub(crate) use deposited::{deposit_holding, deposited_transaction};
pub(crate) use invoice::INVOICE_ORDER;
pub(crate) use party::CUSTOMER_ORDER;
pub(crate) use recurring::unwrap as template_of;
pub(crate) use refusals::{
    bad_body, business, not_writable, operation_not_served, required, stale_object,
    void_by_operation, void_by_update,
};
pub(crate) use void::voided;

use crate::entity::Entity;
use crate::fault::Fault;
use crate::time::Timestamp;
use crate::txns::Kind;
use bill::{BILL_ORDER, bill};
use invoice::invoice;
use item::{ITEM_ORDER, item};
use party::{VENDOR_ORDER, party};
use payment::{PAYMENT_ORDER, payment};
use posted::{
    DEPOSIT_ORDER, JOURNAL_ORDER, MOVE_ORDER, PURCHASE_ORDER, SALE_ORDER, VENDOR_CREDIT_ORDER,
    deposit, journal_entry, moved, purchase, sale, vendor_credit,
};

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
            | Entity::Class
            | Entity::Department
            | Entity::Term
            | Entity::PaymentMethod
            | Entity::CustomerType
            | Entity::Employee
            | Entity::BillPayment
            | Entity::Estimate
            | Entity::PurchaseOrder
            | Entity::TimeActivity
            | Entity::Attachable
            | Entity::TaxAgency
            | Entity::Account
            | Entity::RecurringTransaction
            | Entity::Preferences
            | Entity::CompanyInfo
            | Entity::CompanyCurrency
    ) || entity.kind().is_some()
}

/// Whether QBO updates a written `entity` (a TaxAgency is created and read, never changed).
pub(crate) fn updatable(entity: Entity) -> bool {
    writable(entity) && entity != Entity::TaxAgency
}

/// Whether QBO deletes `entity`: transactions, time and attachments; a name list is made
/// inactive instead.
pub(crate) fn deletable(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Invoice
            | Entity::Payment
            | Entity::Bill
            | Entity::BillPayment
            | Entity::Estimate
            | Entity::PurchaseOrder
            | Entity::TimeActivity
            | Entity::Attachable
            | Entity::RecurringTransaction
    ) || entity.kind().is_some()
}

/// The stored record for `input` (the client's fields, or the merged ones of a sparse update).
pub(crate) fn build(
    ctx: &Ctx<'_>,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, Fault> {
    if ctx.entity == Entity::RecurringTransaction {
        return recurring::template(ctx, input, build);
    }
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
        Entity::BillPayment => {
            bill_payment::bill_payment(ctx, &mut fields)?;
            &bill_payment::BILL_PAYMENT_ORDER
        }
        Entity::Class | Entity::Department => {
            names::category(ctx, &mut fields, ctx.entity)?;
            &names::CATEGORY_ORDER
        }
        Entity::Term => {
            names::term(ctx, &mut fields)?;
            &names::TERM_ORDER
        }
        Entity::PaymentMethod => {
            names::payment_method(ctx, &mut fields)?;
            &names::SIMPLE_ORDER
        }
        Entity::CustomerType => {
            names::customer_type(ctx, &mut fields)?;
            &names::SIMPLE_ORDER
        }
        Entity::Employee => {
            names::employee(ctx, &mut fields)?;
            &names::EMPLOYEE_ORDER
        }
        Entity::CompanyCurrency => {
            company_currency::company_currency(ctx, &mut fields)?;
            &company_currency::COMPANY_CURRENCY_ORDER
        }
        Entity::Preferences => {
            company::preferences(ctx, &mut fields)?;
            &[]
        }
        Entity::CompanyInfo => {
            company::company_info(ctx, &mut fields)?;
            &[]
        }
        Entity::Account => {
            account::account(ctx, &mut fields)?;
            &account::ACCOUNT_ORDER
        }
        Entity::TaxAgency => {
            names::tax_agency(ctx, &mut fields)?;
            &names::TAX_AGENCY_ORDER
        }
        Entity::Estimate => {
            forms::estimate(ctx, &mut fields)?;
            &forms::ESTIMATE_ORDER
        }
        Entity::PurchaseOrder => {
            forms::purchase_order(ctx, &mut fields)?;
            &forms::PURCHASE_ORDER_ORDER
        }
        Entity::TimeActivity => {
            time_activity::time_activity(ctx, &mut fields)?;
            &time_activity::TIME_ACTIVITY_ORDER
        }
        Entity::Attachable => {
            attachable::attachable(ctx, &mut fields)?;
            &attachable::ATTACHABLE_ORDER
        }
        other => match other.kind() {
            Some(kind @ (Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt)) => {
                sale(ctx, &mut fields, kind)?;
                &SALE_ORDER
            }
            Some(Kind::Purchase) => {
                purchase(ctx, &mut fields)?;
                &PURCHASE_ORDER
            }
            Some(Kind::VendorCredit) => {
                vendor_credit(ctx, &mut fields)?;
                &VENDOR_CREDIT_ORDER
            }
            Some(Kind::Deposit) => {
                deposit(ctx, &mut fields)?;
                &DEPOSIT_ORDER
            }
            Some(Kind::JournalEntry) => {
                journal_entry(ctx, &mut fields)?;
                &JOURNAL_ORDER
            }
            Some(kind @ (Kind::Transfer | Kind::CreditCardPayment)) => {
                moved(ctx, &mut fields, kind)?;
                &MOVE_ORDER
            }
            None => return Err(not_writable(other, "create or update")),
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::Overlay;
    use crate::config::EmulatorConfig;
    use crate::data::Dataset;
    use crate::values::{cents, money};

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
