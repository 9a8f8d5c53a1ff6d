//! Loopback tests of the other posting transactions (sales receipts, credit memos, refund
//! receipts, deposits, purchases, journal entries, transfers, vendor credits, credit card
//! payments): their shapes, that every reference resolves to a record that exists (a deposit's
//! payments were put in Undeposited Funds before it, once each), that journal entries balance,
//! read by id, query filters and CDC, and that the books still balance with them.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{api_get, client, login, query, start};
use super::*;
use crate::values::cents;

/// Every record of `entity` (paged by 1000), active or not for name lists.
async fn all(emu: &Emulator, http: &reqwest::Client, access: &str, entity: &str) -> Vec<Value> {
    let filter = match entity {
        "Customer" | "Vendor" | "Account" | "Item" | "PaymentMethod" => {
            " where Active IN (true, false)"
        }
        _ => "",
    };
    let mut out = Vec::new();
    let mut at = 1;
    loop {
        let q = format!("select * from {entity}{filter} startposition {at} maxresults 1000");
        let (status, body) = query(emu, http, access, &q).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
        let page = body["QueryResponse"][entity]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let done = page.len() < 1000;
        out.extend(page);
        if done {
            return out;
        }
        at += 1000;
    }
}

fn by_id(rows: &[Value]) -> HashMap<String, Value> {
    rows.iter()
        .filter_map(|r| Some((r["Id"].as_str()?.to_owned(), r.clone())))
        .collect()
}

fn money(v: &Value) -> i64 {
    cents(v).unwrap_or_else(|| panic!("not money: {v}"))
}

fn id(reference: &Value) -> &str {
    reference["value"].as_str().expect("reference value")
}

/// The referenced record, which must exist and carry the reference's name.
fn resolve<'a>(
    records: &'a HashMap<String, Value>,
    reference: &Value,
    name_key: &str,
) -> &'a Value {
    let record = records
        .get(id(reference))
        .unwrap_or_else(|| panic!("{reference} names no record"));
    assert_eq!(record[name_key], reference["name"], "{reference}");
    record
}

/// The sum of the lines of `record` with `DetailType` `detail`.
fn lines_sum(record: &Value, detail: &str) -> i64 {
    record["Line"]
        .as_array()
        .expect("lines")
        .iter()
        .filter(|l| l["DetailType"] == detail)
        .map(|l| money(&l["Amount"]))
        .sum()
}

#[tokio::test]
async fn posted_transactions_refer_to_records_that_exist_and_add_up() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let customers = by_id(&all(&emu, &http, &access, "Customer").await);
    let vendors = by_id(&all(&emu, &http, &access, "Vendor").await);
    let accounts = by_id(&all(&emu, &http, &access, "Account").await);
    let items = by_id(&all(&emu, &http, &access, "Item").await);
    let methods = by_id(&all(&emu, &http, &access, "PaymentMethod").await);
    let payments = by_id(&all(&emu, &http, &access, "Payment").await);
    let account_type = |reference: &Value| -> String {
        resolve(&accounts, reference, "Name")["AccountType"]
            .as_str()
            .expect("type")
            .to_owned()
    };

    // Sales receipts, credit memos, refunds: a customer, item lines and tax that add up.
    for entity in ["SalesReceipt", "CreditMemo", "RefundReceipt"] {
        let records = all(&emu, &http, &access, entity).await;
        assert!(records.len() >= 50, "{entity}: {}", records.len());
        for r in &records {
            resolve(&customers, &r["CustomerRef"], "DisplayName");
            let subtotal = lines_sum(r, "SalesItemLineDetail");
            assert_eq!(lines_sum(r, "SubTotalLineDetail"), subtotal, "{r}");
            let tax = money(&r["TxnTaxDetail"]["TotalTax"]);
            assert_eq!(subtotal + tax, money(&r["TotalAmt"]), "{r}");
            for line in r["Line"].as_array().expect("lines") {
                if line["DetailType"] == "SalesItemLineDetail" {
                    resolve(&items, &line["SalesItemLineDetail"]["ItemRef"], "Name");
                }
            }
            match entity {
                "CreditMemo" => {
                    assert_eq!(r["Balance"], r["TotalAmt"]);
                    assert_eq!(r["RemainingCredit"], r["TotalAmt"]);
                }
                _ => {
                    resolve(&methods, &r["PaymentMethodRef"], "Name");
                    let to = account_type(&r["DepositToAccountRef"]);
                    if entity == "RefundReceipt" {
                        assert_eq!(to, "Bank", "{r}");
                    } else {
                        assert!(to == "Bank" || to == "Other Current Asset", "{r}");
                    }
                }
            }
        }
    }

    // Deposits: every line a payment put in Undeposited Funds before the deposit, in full,
    // each payment once.
    let deposits = all(&emu, &http, &access, "Deposit").await;
    assert!(!deposits.is_empty());
    let mut deposited = HashSet::new();
    for d in &deposits {
        assert_eq!(account_type(&d["DepositToAccountRef"]), "Bank");
        let mut total = 0;
        for line in d["Line"].as_array().expect("lines") {
            let linked = &line["LinkedTxn"][0];
            assert_eq!(linked["TxnType"], "Payment");
            let payment_id = linked["TxnId"].as_str().expect("payment id");
            let payment = &payments[payment_id];
            let to = &accounts[id(&payment["DepositToAccountRef"])];
            assert_eq!(to["Name"], "Undeposited Funds");
            assert!(payment["TxnDate"].as_str() < d["TxnDate"].as_str(), "{d}");
            assert_eq!(line["Amount"], payment["TotalAmt"]);
            assert_eq!(
                line["DepositLineDetail"]["Entity"]["value"],
                payment["CustomerRef"]["value"]
            );
            assert!(
                deposited.insert(payment_id.to_owned()),
                "{payment_id} twice"
            );
            total += money(&line["Amount"]);
        }
        assert_eq!(total, money(&d["TotalAmt"]));
    }

    // Journal entries balance, on accounts that exist.
    let entries = all(&emu, &http, &access, "JournalEntry").await;
    assert!(!entries.is_empty());
    for j in &entries {
        let (mut debits, mut credits) = (0, 0);
        for line in j["Line"].as_array().expect("lines") {
            let detail = &line["JournalEntryLineDetail"];
            resolve(&accounts, &detail["AccountRef"], "Name");
            match detail["PostingType"].as_str() {
                Some("Debit") => debits += money(&line["Amount"]),
                Some("Credit") => credits += money(&line["Amount"]),
                other => panic!("posting type {other:?}"),
            }
        }
        assert!(debits > 0);
        assert_eq!(debits, credits, "{j}");
        assert_eq!(debits, money(&j["TotalAmt"]));
    }

    // Purchases: paid from a bank account (cash, check) or the card, to a vendor.
    let purchases = all(&emu, &http, &access, "Purchase").await;
    let mut seen_types = HashSet::new();
    let mut charged = 0;
    for p in &purchases {
        let kind = p["PaymentType"].as_str().expect("type");
        seen_types.insert(kind.to_owned());
        let expected = if kind == "CreditCard" {
            charged += money(&p["TotalAmt"]);
            "Credit Card"
        } else {
            "Bank"
        };
        assert_eq!(account_type(&p["AccountRef"]), expected, "{p}");
        assert_eq!(p["EntityRef"]["type"], "Vendor");
        resolve(&vendors, &p["EntityRef"], "DisplayName");
        let sum = lines_sum(p, "AccountBasedExpenseLineDetail")
            + lines_sum(p, "ItemBasedExpenseLineDetail");
        assert_eq!(sum, money(&p["TotalAmt"]));
        for line in p["Line"].as_array().expect("lines") {
            if line["DetailType"] == "ItemBasedExpenseLineDetail" {
                resolve(
                    &items,
                    &line["ItemBasedExpenseLineDetail"]["ItemRef"],
                    "Name",
                );
            } else {
                resolve(
                    &accounts,
                    &line["AccountBasedExpenseLineDetail"]["AccountRef"],
                    "Name",
                );
            }
        }
    }
    assert_eq!(seen_types.len(), 3, "{seen_types:?}");
    assert!(
        purchases
            .iter()
            .any(|p| p["Line"].as_array().is_some_and(|l| l
                .iter()
                .any(|l| l["DetailType"] == "ItemBasedExpenseLineDetail")))
    );

    // Transfers between two bank accounts; card payments from a bank account to the card,
    // never more than was charged.
    for t in all(&emu, &http, &access, "Transfer").await {
        assert_eq!(account_type(&t["FromAccountRef"]), "Bank");
        assert_eq!(account_type(&t["ToAccountRef"]), "Bank");
        assert_ne!(t["FromAccountRef"], t["ToAccountRef"]);
        assert!(money(&t["Amount"]) > 0);
    }
    let mut paid = 0;
    let card_payments = all(&emu, &http, &access, "CreditCardPayment").await;
    assert!(!card_payments.is_empty());
    for c in &card_payments {
        assert_eq!(account_type(&c["BankAccountRef"]), "Bank");
        assert_eq!(account_type(&c["CreditCardAccountRef"]), "Credit Card");
        paid += money(&c["Amount"]);
    }
    assert!(paid > 0 && paid <= charged, "{paid} of {charged}");

    // Vendor credits: a vendor, A/P, lines that add up, all of it still to use.
    for v in all(&emu, &http, &access, "VendorCredit").await {
        resolve(&vendors, &v["VendorRef"], "DisplayName");
        assert_eq!(account_type(&v["APAccountRef"]), "Accounts Payable");
        assert_eq!(
            lines_sum(&v, "AccountBasedExpenseLineDetail"),
            money(&v["TotalAmt"])
        );
        assert_eq!(v["Balance"], v["TotalAmt"]);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn posted_transactions_are_read_by_id_filtered_and_in_cdc() {
    let config = EmulatorConfig {
        invoices: 200,
        now: Some(crate::clock::parse_now("2023-02-10T12:00:00-07:00").expect("time")),
        ..EmulatorConfig::default()
    };
    let emu = start(config).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    for entity in [
        "SalesReceipt",
        "CreditMemo",
        "RefundReceipt",
        "Deposit",
        "Purchase",
        "JournalEntry",
        "Transfer",
        "VendorCredit",
        "CreditCardPayment",
    ] {
        let q = format!("select * from {entity} orderby MetaData.LastUpdatedTime");
        let (status, body) = query(&emu, &http, &access, &q).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let rows = body["QueryResponse"][entity].as_array().expect(entity);
        let first = &rows[0];
        assert_eq!(first["domain"], "QBO");
        assert_eq!(first["CurrencyRef"]["value"], "USD");
        assert!(first["MetaData"]["CreateTime"].is_string());
        let rest = format!(
            "{}/{}",
            entity.to_ascii_lowercase(),
            first["Id"].as_str().expect("id")
        );
        let (status, _, one) = api_get(&emu, &http, &access, &rest).await;
        assert_eq!(status, StatusCode::OK, "{rest}");
        assert_eq!(&one[entity], first, "{rest}");
        let (status, _, missing) = api_get(
            &emu,
            &http,
            &access,
            &format!("{}/99999", entity.to_ascii_lowercase()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{missing}");
        let updated: Vec<&str> = rows
            .iter()
            .map(|r| r["MetaData"]["LastUpdatedTime"].as_str().expect("time"))
            .collect();
        assert!(updated.windows(2).all(|w| w[0] <= w[1]), "{entity}");
    }

    let (_, cards) = query(
        &emu,
        &http,
        &access,
        "select * from Purchase where PaymentType = 'CreditCard'",
    )
    .await;
    let cards = cards["QueryResponse"]["Purchase"]
        .as_array()
        .expect("cards");
    assert!(!cards.is_empty());
    assert!(cards.iter().all(|p| p["PaymentType"] == "CreditCard"));
    let (_, all_receipts) = query(&emu, &http, &access, "select * from SalesReceipt").await;
    let customer = all_receipts["QueryResponse"]["SalesReceipt"][0]["CustomerRef"]["value"]
        .as_str()
        .expect("customer")
        .to_owned();
    let (_, theirs) = query(
        &emu,
        &http,
        &access,
        &format!("select * from SalesReceipt where CustomerRef = '{customer}'"),
    )
    .await;
    let theirs = theirs["QueryResponse"]["SalesReceipt"]
        .as_array()
        .expect("theirs");
    assert!(theirs.iter().all(|r| r["CustomerRef"]["value"] == customer));
    let (status, fault) = query(
        &emu,
        &http,
        &access,
        "select * from Purchase where AccountRef = '1'",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{fault}");

    // CDC covers them: what changed since a day is every record updated since then.
    let since = "2023-01-20T00:00:00-07:00";
    let (status, _, cdc) = api_get(
        &emu,
        &http,
        &access,
        &format!("cdc?entities=SalesReceipt,Deposit,JournalEntry&changedSince={since}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cdc}");
    let answers = cdc["CDCResponse"][0]["QueryResponse"]
        .as_array()
        .expect("answers");
    for (k, entity) in ["SalesReceipt", "Deposit", "JournalEntry"]
        .iter()
        .enumerate()
    {
        let (_, expected) = query(
            &emu,
            &http,
            &access,
            &format!("select count(*) from {entity} where MetaData.LastUpdatedTime >= '{since}'"),
        )
        .await;
        let expected = expected["QueryResponse"]["totalCount"].as_u64().expect("n");
        let got = answers[k][*entity].as_array().map_or(0, Vec::len) as u64;
        assert_eq!(got, expected, "{entity}");
        if *entity != "JournalEntry" {
            assert!(got > 0, "{entity}");
        }
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn the_books_balance_with_the_posted_transactions() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (status, _, trial) = api_get(&emu, &http, &access, "reports/TrialBalance").await;
    assert_eq!(status, StatusCode::OK);
    let rows = trial["Rows"]["Row"].as_array().expect("rows");
    let grand = rows.last().expect("total");
    let total = &grand["Summary"]["ColData"];
    assert_eq!(total[1], total[2], "{grand}");
    let names: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["ColData"][0]["value"].as_str())
        .collect();
    for name in [
        "Savings",
        "Service Vehicles",
        "Equipment Loan",
        "Owner's Investment",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    // The balance sheet at the end of the data shows the accounts' CurrentBalance.
    let accounts = by_id(&all(&emu, &http, &access, "Account").await);
    let (_, _, sheet) = api_get(
        &emu,
        &http,
        &access,
        "reports/BalanceSheet?end_date=2025-09-19",
    )
    .await;
    let mut lines = Vec::new();
    collect(&sheet["Rows"], &mut lines);
    assert!(lines.len() > 8);
    // (Retained earnings are the earlier years' profit, which the report computes.)
    for (name, account_id, amount) in lines.into_iter().filter(|l| l.0 != "Retained Earnings") {
        let account = &accounts[&account_id];
        assert_eq!(account["Name"], name.as_str());
        assert_eq!(money(&account["CurrentBalance"]), amount, "{name}");
    }
    emu.shutdown().await;
}

/// The data rows of a report that name an account: (name, id, amount in cents).
fn collect(rows: &Value, out: &mut Vec<(String, String, i64)>) {
    for row in rows["Row"].as_array().into_iter().flatten() {
        if row["type"] == "Section" {
            collect(&row["Rows"], out);
        } else if let (Some(name), Some(id), Some(amount)) = (
            row["ColData"][0]["value"].as_str(),
            row["ColData"][0]["id"].as_str(),
            row["ColData"][1]["value"].as_str(),
        ) {
            let value = cents(&Value::String(amount.to_owned())).expect("amount");
            out.push((name.to_owned(), id.to_owned(), value));
        }
    }
}
