//! Loopback tests of the name lists and bill payments: every reference the seeded transactions
//! carry resolves to a record of the entity it names, bill payments pay bills that exist, the
//! name-list rule holds for the new lists, and QBO's limits on tax entities are kept.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{api_get, client, login, query, start};
use super::*;

async fn rows(emu: &Emulator, http: &reqwest::Client, access: &str, entity: &str) -> Vec<Value> {
    let q = format!("select * from {entity} where Active IN (true, false) maxresults 1000");
    let q = if matches!(
        entity,
        "BillPayment" | "TaxAgency" | "Bill" | "Invoice" | "Estimate" | "PurchaseOrder"
    ) {
        format!("select * from {entity} maxresults 1000")
    } else {
        q
    };
    let (status, body) = query(emu, http, access, &q).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    body["QueryResponse"][entity]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn by_id(rows: &[Value]) -> HashMap<String, Value> {
    rows.iter()
        .filter_map(|r| Some((r["Id"].as_str()?.to_owned(), r.clone())))
        .collect()
}

#[tokio::test]
async fn references_resolve_to_records_that_exist() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    let terms = by_id(&rows(&emu, &http, &access, "Term").await);
    let codes = by_id(&rows(&emu, &http, &access, "TaxCode").await);
    let rates = by_id(&rows(&emu, &http, &access, "TaxRate").await);
    let agencies = by_id(&rows(&emu, &http, &access, "TaxAgency").await);
    let methods = rows(&emu, &http, &access, "PaymentMethod").await;
    assert!(!methods.is_empty());
    assert!(
        methods
            .iter()
            .all(|m| m["Type"] == "CREDIT_CARD" || m["Type"] == "NON_CREDIT_CARD")
    );

    let invoices = rows(&emu, &http, &access, "Invoice").await;
    let mut taxed = 0;
    for invoice in &invoices {
        let term = &terms[invoice["SalesTermRef"]["value"].as_str().expect("term")];
        assert_eq!(term["Name"], invoice["SalesTermRef"]["name"]);
        if let Some(code) = invoice["TxnTaxDetail"]["TxnTaxCodeRef"]["value"].as_str() {
            taxed += 1;
            let code = &codes[code];
            let line = &invoice["TxnTaxDetail"]["TaxLine"][0]["TaxLineDetail"];
            let rate_id = line["TaxRateRef"]["value"].as_str().expect("rate");
            let listed = code["SalesTaxRateList"]["TaxRateDetail"]
                .as_array()
                .expect("rates");
            assert!(listed.iter().any(|d| d["TaxRateRef"]["value"] == rate_id));
            let rate = &rates[rate_id];
            assert_eq!(rate["RateValue"].as_f64(), line["TaxPercent"].as_f64());
            let agency = rate["AgencyRef"]["value"].as_str().expect("agency");
            assert_eq!(agencies[agency]["DisplayName"], rate["AgencyRef"]["name"]);
        }
    }
    assert!(taxed > 0);

    // Every bill payment pays the whole of a bill that is paid, to that bill's vendor, by a
    // check drawn on a bank account; each paid bill is paid once.
    let (_, count) = query(&emu, &http, &access, "select count(*) from Bill").await;
    let bills_total = count["QueryResponse"]["totalCount"]
        .as_u64()
        .expect("count");
    let mut bills = HashMap::new();
    let mut start_at = 1;
    while start_at <= bills_total {
        let q = format!("select * from Bill startposition {start_at} maxresults 1000");
        let (_, page) = query(&emu, &http, &access, &q).await;
        for b in page["QueryResponse"]["Bill"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            bills.insert(b["Id"].as_str().unwrap_or("").to_owned(), b);
        }
        start_at += 1000;
    }
    let payments = rows(&emu, &http, &access, "BillPayment").await;
    assert!(!payments.is_empty());
    let mut paid = std::collections::HashSet::new();
    for p in &payments {
        let linked = &p["Line"][0]["LinkedTxn"][0];
        assert_eq!(linked["TxnType"], "Bill");
        let bill_id = linked["TxnId"].as_str().expect("bill id");
        let bill = &bills[bill_id];
        assert_eq!(bill["Balance"], 0, "{bill}");
        assert_eq!(p["TotalAmt"], bill["TotalAmt"]);
        assert_eq!(p["Line"][0]["Amount"], bill["TotalAmt"]);
        assert_eq!(p["VendorRef"], bill["VendorRef"]);
        assert_eq!(p["TxnDate"], bill["DueDate"]);
        assert_eq!(p["CheckPayment"]["BankAccountRef"]["name"], "Checking");
        assert!(paid.insert(bill_id.to_owned()), "bill {bill_id} paid twice");
    }
    let paid_bills = bills.values().filter(|b| b["Balance"] == 0).count();
    assert_eq!(paid.len(), paid_bills);

    // Read by id gives the same record as the query.
    let (status, _, one) = api_get(&emu, &http, &access, "billpayment/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["BillPayment"], payments[0]);
    emu.shutdown().await;
}

#[tokio::test]
async fn name_lists_hide_inactive_records_unless_active_is_asked() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    for entity in [
        "Term",
        "PaymentMethod",
        "Class",
        "Department",
        "Employee",
        "CustomerType",
    ] {
        let count = |q: String| {
            let (emu, http, access) = (&emu, &http, &access);
            async move {
                let (status, body) = query(emu, http, access, &q).await;
                assert_eq!(status, StatusCode::OK, "{q}: {body}");
                body["QueryResponse"]["totalCount"].as_u64().expect("count")
            }
        };
        let default = count(format!("select count(*) from {entity}")).await;
        let all = count(format!(
            "select count(*) from {entity} where Active IN (true, false)"
        ))
        .await;
        let inactive = count(format!(
            "select count(*) from {entity} where Active = false"
        ))
        .await;
        assert!(inactive > 0, "{entity}");
        assert_eq!(default + inactive, all, "{entity}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn tax_entities_take_no_metadata_filter_and_no_cdc() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    for entity in ["TaxCode", "TaxRate"] {
        let q = format!(
            "select * from {entity} where Metadata.LastUpdatedTime >= '2024-01-01T00:00:00-07:00'"
        );
        let (status, body) = query(&emu, &http, &access, &q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["Fault"]["Error"][0]["code"], "4001");
        assert_eq!(
            body["Fault"]["Error"][0]["Detail"],
            "QueryValidationError: property 'Metadata.LastUpdatedTime' is not queryable"
        );
        let (status, _, body) = api_get(
            &emu,
            &http,
            &access,
            &format!("cdc?entities={entity}&changedSince=2025-09-01T00:00:00-07:00"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            body["Fault"]["Error"][0]["Detail"]
                .as_str()
                .is_some_and(|d| d.contains("CDC is not supported")),
            "{body}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn preferences_are_read_by_their_own_path_and_agree_with_the_books() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (status, _, body) = api_get(&emu, &http, &access, "preferences").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let prefs = &body["Preferences"];
    assert_eq!(prefs["Id"], "1");
    assert_eq!(prefs["CurrencyPrefs"]["HomeCurrency"]["value"], "USD");
    assert_eq!(prefs["CurrencyPrefs"]["MultiCurrencyEnabled"], false);
    // The default terms and the tax code are records that exist.
    let term = prefs["SalesFormsPrefs"]["DefaultTerms"]["value"]
        .as_str()
        .expect("terms");
    let (status, _, read) = api_get(&emu, &http, &access, &format!("term/{term}")).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let code = prefs["TaxPrefs"]["TaxGroupCodeRef"]["value"]
        .as_str()
        .expect("tax code");
    let (status, _, read) = api_get(&emu, &http, &access, &format!("taxcode/{code}")).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    // The query answers the same object.
    let (status, page) = query(&emu, &http, &access, "select * from Preferences").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&page["QueryResponse"]["Preferences"][0], prefs);
    // Other entities are not read without an id.
    let (status, _, _) = api_get(&emu, &http, &access, "invoice").await;
    assert_ne!(status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn each_estimate_quotes_the_invoice_made_from_it() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, count) = query(&emu, &http, &access, "select count(*) from Estimate").await;
    assert_eq!(count["QueryResponse"]["totalCount"], 625);
    let estimates = rows(&emu, &http, &access, "Estimate").await;
    assert_eq!(estimates.len(), 625);
    for estimate in estimates.iter().take(60) {
        let linked = &estimate["LinkedTxn"][0];
        assert_eq!(linked["TxnType"], "Invoice");
        let id = linked["TxnId"].as_str().expect("invoice id");
        let (status, _, read) = api_get(&emu, &http, &access, &format!("invoice/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let invoice = &read["Invoice"];
        assert_eq!(estimate["CustomerRef"], invoice["CustomerRef"]);
        assert_eq!(estimate["TotalAmt"], invoice["TotalAmt"]);
        assert_eq!(estimate["Line"], invoice["Line"]);
        assert_eq!(estimate["TxnTaxDetail"], invoice["TxnTaxDetail"]);
        assert!(estimate["TxnDate"].as_str() < invoice["TxnDate"].as_str());
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn each_purchase_order_is_what_the_bill_that_closed_it_billed() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let orders = rows(&emu, &http, &access, "PurchaseOrder").await;
    assert_eq!(orders.len(), 167);
    for order in orders.iter().take(60) {
        let linked = &order["LinkedTxn"][0];
        assert_eq!(linked["TxnType"], "Bill");
        let id = linked["TxnId"].as_str().expect("bill id");
        let (status, _, read) = api_get(&emu, &http, &access, &format!("bill/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        let bill = &read["Bill"];
        assert_eq!(order["VendorRef"], bill["VendorRef"]);
        assert_eq!(order["TotalAmt"], bill["TotalAmt"]);
        assert_eq!(order["Line"], bill["Line"]);
        assert_eq!(order["POStatus"], "Closed");
        assert!(order["TxnDate"].as_str() < bill["TxnDate"].as_str());
    }
    emu.shutdown().await;
}
