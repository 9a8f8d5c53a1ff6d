//! QBO JSON for the seeded records, one file per entity (`invoice.rs` ...), built from the
//! pieces in `parts.rs`; [`Record`] picks the entity's view.
//!
//! Why it exists: clients (and their tests) depend on QBO's exact key names, casing and key order
//! (`qbo-samples/query-invoices-page.json`, `query-customers-page.json`, `query-count.json`,
//! `query-empty-page.json`). Each entity has a borrowed "view" struct whose field order *is* the
//! JSON key order; views are serialized by serde straight into the response bytes, so no
//! `serde_json::Value` tree is ever built for a record. Money is a JSON number (`0` for zero, else a
//! float such as `275.0` or `554.46`), ids are strings, dates `YYYY-MM-DD`, times with `-07:00`.
//! The other posting transactions (`posted.rs`, small tables) are the exception: built as JSON
//! values in QBO's key order.
//! This module reads `data.rs` tables and must not change them or know about HTTP.

mod account;
mod attachable;
mod bill;
mod bill_payment;
mod budget;
mod class;
mod company;
mod company_currency;
mod customer;
mod customer_type;
mod department;
mod employee;
mod estimate;
mod exchange_rate;
mod invoice;
mod item;
mod journal_code;
mod parts;
mod payment;
mod payment_method;
mod posted;
mod preferences;
mod purchase_order;
mod recurring_transaction;
mod tax_agency;
mod tax_code;
mod tax_rate;
mod term;
mod time_activity;
mod vendor;

pub(crate) use attachable::temp_download_uri;
use serde::{Serialize, Serializer};

use crate::data::Dataset;
use crate::entity::Entity;

/// One record of `entity` at `index`, serializable as its QBO JSON object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    pub(crate) ds: &'a Dataset,
    pub(crate) entity: Entity,
    pub(crate) index: usize,
}

/// A record with all its custom fields, as QBO answers reads and queries with
/// `include=enhancedAllCustomFields` (sales transactions: here, invoices); other entities are
/// the plain [`Record`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct AllCustomFields<'a>(pub(crate) Record<'a>);

impl Serialize for AllCustomFields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Record { ds, entity, index } = self.0;
        match entity {
            Entity::Invoice => invoice::invoice_view_all_fields(ds, index)
                .ok_or_else(|| serde::ser::Error::custom("record index out of range"))?
                .serialize(s),
            _ => self.0.serialize(s),
        }
    }
}

/// Whether a request's `include` parameter (comma-separated) asks for every custom field.
pub(crate) fn wants_all_custom_fields(include: Option<&str>) -> bool {
    include.is_some_and(|list| {
        list.split(',')
            .any(|item| item.trim().eq_ignore_ascii_case("enhancedAllCustomFields"))
    })
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ds, i) = (self.ds, self.index);
        let missing = || serde::ser::Error::custom("record index out of range");
        match self.entity {
            Entity::Invoice => invoice::invoice_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Payment => payment::payment_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Bill => bill::bill_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Customer => customer::customer_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Vendor => vendor::vendor_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Item => item::item_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Account => account::account_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::BillPayment => bill_payment::bill_payment_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Term => term::term_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::PurchaseOrder => purchase_order::purchase_order_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Estimate => estimate::estimate_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Class => class::class_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::CustomerType => customer_type::customer_type_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Department => department::department_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Employee => employee::employee_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::PaymentMethod => payment_method::payment_method_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::TaxAgency => tax_agency::tax_agency_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::TaxCode => tax_code::tax_code_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::TaxRate => tax_rate::tax_rate_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::SalesReceipt
            | Entity::CreditMemo
            | Entity::RefundReceipt
            | Entity::Deposit
            | Entity::Purchase
            | Entity::JournalEntry
            | Entity::Transfer
            | Entity::VendorCredit
            | Entity::CreditCardPayment => self
                .entity
                .kind()
                .and_then(|kind| posted::posted_json(ds, kind, i))
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Attachable => attachable::attachable_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::Budget => budget::budget_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::CompanyCurrency => company_currency::company_currency_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::ExchangeRate => exchange_rate::exchange_rate_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::JournalCode => journal_code::journal_code_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::RecurringTransaction => {
                recurring_transaction::recurring_transaction_view(ds, i)
                    .ok_or_else(missing)?
                    .serialize(s)
            }
            Entity::TimeActivity => time_activity::time_activity_view(ds, i)
                .ok_or_else(missing)?
                .serialize(s),
            Entity::CompanyInfo if i == 0 => company::company_view(ds).serialize(s),
            Entity::CompanyInfo => Err(missing()),
            Entity::Preferences if i == 0 => preferences::preferences_view(ds).serialize(s),
            Entity::Preferences => Err(missing()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use serde_json::Value;

    fn ds(seed: u64) -> Dataset {
        Dataset::build(&EmulatorConfig {
            seed,
            ..EmulatorConfig::default()
        })
        .expect("builds")
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn render(ds: &Dataset, entity: Entity, index: usize) -> Value {
        serde_json::to_value(Record { ds, entity, index }).expect("renders")
    }

    // Invoices and customers follow the key orders written records are built in (`build.rs`,
    // from the samples); nested objects follow the samples' orders below (copied here so the
    // tests do not depend on where the samples live).
    use crate::build::{CUSTOMER_ORDER as CUSTOMER_KEYS, INVOICE_ORDER as INVOICE_KEYS};
    const SALES_LINE_KEYS: [&str; 6] = [
        "Id",
        "LineNum",
        "Description",
        "Amount",
        "DetailType",
        "SalesItemLineDetail",
    ];
    const SALES_DETAIL_KEYS: [&str; 7] = [
        "ServiceDate",
        "ItemRef",
        "ClassRef",
        "UnitPrice",
        "Qty",
        "ItemAccountRef",
        "TaxCodeRef",
    ];
    const TAX_DETAIL_KEYS: [&str; 3] = ["TxnTaxCodeRef", "TotalTax", "TaxLine"];
    const ADDR_KEYS: [&str; 6] = [
        "Id",
        "Line1",
        "Line2",
        "City",
        "CountrySubDivisionCode",
        "PostalCode",
    ];

    /// Every key of `ours` is one of `sample`, and they come in the sample's order.
    fn assert_keys_follow(ours: &Value, sample: &[&str]) {
        let mut last = 0;
        for k in keys(ours) {
            let pos = sample
                .iter()
                .position(|s| *s == k)
                .unwrap_or_else(|| panic!("unexpected key {k}; sample keys {sample:?}"));
            assert!(pos >= last, "key {k} out of order; sample order {sample:?}");
            last = pos;
        }
    }

    #[test]
    fn invoice_shape_follows_the_sample() {
        let ds = ds(42);
        let mut seen_tax = false;
        for i in 0..200 {
            let v = render(&ds, Entity::Invoice, i);
            assert_keys_follow(&v, &INVOICE_KEYS);
            assert_keys_follow(&v["TxnTaxDetail"], &TAX_DETAIL_KEYS);
            seen_tax |= v["TxnTaxDetail"].get("TaxLine").is_some();
            let lines = v["Line"].as_array().expect("lines");
            let (last, items) = lines.split_last().expect("subtotal line");
            assert_eq!(keys(last), ["Amount", "DetailType", "SubTotalLineDetail"]);
            assert_eq!(last["DetailType"], "SubTotalLineDetail");
            assert_eq!(last["SubTotalLineDetail"], serde_json::json!({}));
            assert!((1..=4).contains(&items.len()));
            for l in items {
                assert_keys_follow(l, &SALES_LINE_KEYS);
                assert_keys_follow(&l["SalesItemLineDetail"], &SALES_DETAIL_KEYS);
            }
            let sum: f64 = items
                .iter()
                .map(|l| l["Amount"].as_f64().expect("amount"))
                .sum();
            let subtotal = last["Amount"].as_f64().expect("subtotal");
            assert!((sum - subtotal).abs() < 0.005);
            let tax = v["TxnTaxDetail"]["TotalTax"].as_f64().expect("tax");
            let total = v["TotalAmt"].as_f64().expect("total");
            assert!((subtotal + tax - total).abs() < 0.005);
            assert!(
                v["MetaData"]["CreateTime"]
                    .as_str()
                    .expect("time")
                    .ends_with("-07:00")
            );
        }
        assert!(seen_tax);
        let paid_index = ds
            .invoices
            .iter()
            .position(|i| i.payment > 0)
            .expect("some paid");
        let v = render(&ds, Entity::Invoice, paid_index);
        assert_eq!(v["Id"], Value::String((paid_index + 1).to_string()));
        assert_eq!(v["Balance"], Value::from(0));
        assert_eq!(v["LinkedTxn"][0]["TxnType"], "Payment");
        assert_eq!(
            v["CurrencyRef"],
            serde_json::json!({"value": "USD", "name": "United States Dollar"})
        );
    }

    #[test]
    fn customer_shape_follows_the_sample() {
        let ds = ds(42);
        for i in 0..ds.customers.len() {
            let v = render(&ds, Entity::Customer, i);
            assert_keys_follow(&v, &CUSTOMER_KEYS);
            assert_keys_follow(&v["BillAddr"], &ADDR_KEYS);
        }
        let v = render(&ds, Entity::Customer, 2);
        assert_eq!(v["DisplayName"], "O'Brien Landscaping");
        assert_eq!(v["FamilyName"], "O'Brien");
    }

    #[test]
    fn every_entity_renders_with_common_fields() {
        let ds = ds(42);
        for e in Entity::ALL {
            for i in [0, e.count(&ds) - 1] {
                let whole = render(&ds, e, i);
                // A recurring transaction wraps its template; an exchange rate has no id.
                let v = match e {
                    Entity::RecurringTransaction => whole["Invoice"].clone(),
                    _ => whole,
                };
                if e == Entity::ExchangeRate {
                    assert!(v.get("Id").is_none() && v.get("sparse").is_none());
                    assert!(v["AsOfDate"].is_string() && v["Rate"].is_f64());
                } else {
                    assert_eq!(v["Id"], Value::String((i + 1).to_string()), "{e:?}");
                    assert_eq!(v["sparse"], false);
                }
                assert_eq!(v["domain"], "QBO");
                assert!(v["SyncToken"].is_string());
                assert!(v["MetaData"]["LastUpdatedTime"].is_string());
            }
            assert!(
                serde_json::to_value(Record {
                    ds: &ds,
                    entity: e,
                    index: e.count(&ds)
                })
                .is_err()
            );
        }
        let p = render(&ds, Entity::Payment, 0);
        let inv = ds.payments[0].invoice as usize;
        assert_eq!(
            p["Line"][0]["LinkedTxn"][0]["TxnId"],
            Value::String((inv + 1).to_string())
        );
        assert_eq!(p["Line"][0]["LinkedTxn"][0]["TxnType"], "Invoice");
        let b = render(&ds, Entity::Bill, 0);
        assert_eq!(b["Line"][0]["DetailType"], "AccountBasedExpenseLineDetail");
        assert_eq!(b["APAccountRef"]["name"], "Accounts Payable (A/P)");
        let c = render(&ds, Entity::CompanyInfo, 0);
        assert_eq!(c["CompanyAddr"]["Country"], "USA");
    }
}
