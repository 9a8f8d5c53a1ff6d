//! Loopback tests of writes to the other posting transactions: create, full and sparse update,
//! delete and void with QBO's rules and Faults (required fields 2020, references 2500, stale
//! `SyncToken` 5010, business rules 6000: an unbalanced journal entry, a card purchase paid from
//! a bank account, a deposit of a payment not in Undeposited Funds or already on a deposit;
//! 6540 for a change to a deposited payment), and the reports that follow what was written.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{api_get, client, login, query, start};
use super::tests_writes::{code, group_summary, post};
use super::*;

fn detail(body: &Value) -> &str {
    body["Fault"]["Error"][0]["Detail"].as_str().unwrap_or("")
}

fn sale_line(item: &str, qty: i64, price: f64) -> Value {
    json!({
        "DetailType": "SalesItemLineDetail",
        "Amount": qty as f64 * price,
        "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price}
    })
}

fn journal(debit: f64, credit: f64) -> Value {
    json!({
        "TxnDate": "2030-01-15",
        "Line": [
            {"Amount": debit, "DetailType": "JournalEntryLineDetail",
             "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": {"value": "23"}}},
            {"Amount": credit, "DetailType": "JournalEntryLineDetail",
             "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": {"value": "1"}}}
        ]
    })
}

#[tokio::test]
async fn posted_transactions_are_written_with_qbo_rules_and_faults() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, before) = query(&emu, &http, &access, "select count(*) from SalesReceipt").await;
    let before = before["QueryResponse"]["totalCount"].as_u64().expect("n");

    // A sales receipt: totals from the lines, nothing owed, into Undeposited Funds by default.
    let receipt = json!({"CustomerRef": {"value": "3"}, "Line": [sale_line("1", 2, 100.0)]});
    let (status, body) = post(&emu, &http, &access, "salesreceipt", &receipt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = body["SalesReceipt"].clone();
    let id = created["Id"].as_str().expect("id").to_owned();
    assert_eq!(id, (before + 1).to_string());
    assert_eq!(created["TotalAmt"], json!(200.0));
    assert_eq!(created["Balance"], json!(0));
    assert_eq!(created["CustomerRef"]["name"], "O'Brien Landscaping");
    assert_eq!(created["DepositToAccountRef"]["name"], "Undeposited Funds");
    assert_eq!(created["Line"].as_array().map(Vec::len), Some(2));
    let (status, _, read) = api_get(&emu, &http, &access, &format!("salesreceipt/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["SalesReceipt"], created);

    // Required fields and references.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt",
        &json!({"Line": [sale_line("1", 1, 10.0)]}),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "2020"));
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "creditmemo",
        &json!({"CustomerRef": {"value": "3"}, "Line": [sale_line("999", 1, 10.0)]}),
    )
    .await;
    assert_eq!(code(&body), "2500", "{body}");
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "refundreceipt",
        &json!({"CustomerRef": {"value": "3"}, "Line": [sale_line("1", 1, 10.0)]}),
    )
    .await;
    assert_eq!(code(&body), "2020", "{body}");
    assert!(detail(&body).contains("DepositToAccountRef"));

    // Sparse update keeps the rest; a stale SyncToken is 5010; a full update recomputes.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=update",
        &json!({"Id": id, "SyncToken": "0", "sparse": true, "PrivateNote": "Counter sale"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["SalesReceipt"]["SyncToken"], "1");
    assert_eq!(body["SalesReceipt"]["PrivateNote"], "Counter sale");
    assert_eq!(body["SalesReceipt"]["TotalAmt"], json!(200.0));
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=update",
        &json!({"Id": id, "SyncToken": "0", "sparse": true, "PrivateNote": "late"}),
    )
    .await;
    assert_eq!(code(&body), "5010", "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=update",
        &json!({"Id": id, "SyncToken": "1", "CustomerRef": {"value": "3"},
                "Line": [sale_line("1", 3, 100.0)]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["SalesReceipt"]["TotalAmt"], json!(300.0));
    assert!(body["SalesReceipt"].get("PrivateNote").is_none());

    // Void as QBO does it: not operation=void, not a full body, but a sparse update with
    // include=void.
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=void",
        &json!({"Id": id, "SyncToken": "2"}),
    )
    .await;
    assert_eq!(code(&body), "500", "{body}");
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=update&include=void",
        &json!({"Id": id, "SyncToken": "2"}),
    )
    .await;
    assert_eq!(code(&body), "2010", "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=update&include=void",
        &json!({"Id": id, "SyncToken": "2", "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["SalesReceipt"]["TotalAmt"], json!(0));
    assert_eq!(body["SalesReceipt"]["PrivateNote"], "Voided");
    assert_eq!(body["SalesReceipt"]["SyncToken"], "3");

    // A journal entry must balance.
    let (status, body) = post(&emu, &http, &access, "journalentry", &journal(100.0, 90.0)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "6000", "{body}");
    assert!(detail(&body).contains("balanced"), "{body}");
    let (status, body) = post(&emu, &http, &access, "journalentry", &journal(100.0, 100.0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["JournalEntry"]["TotalAmt"], json!(100.0));
    assert_eq!(
        body["JournalEntry"]["Line"][0]["JournalEntryLineDetail"]["AccountRef"]["name"],
        "Bank Charges"
    );

    // A card purchase is paid from a card account, a check from a bank account.
    let purchase = |pay_type: &str, account: &str| {
        json!({"PaymentType": pay_type, "AccountRef": {"value": account},
               "EntityRef": {"value": "1", "type": "Vendor"},
               "Line": [{"Amount": 42.5, "DetailType": "AccountBasedExpenseLineDetail",
                         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "27"}}}]})
    };
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "purchase",
        &purchase("CreditCard", "1"),
    )
    .await;
    assert_eq!(code(&body), "6000", "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "purchase",
        &purchase("CreditCard", "11"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["Purchase"]["AccountRef"]["name"],
        "Business Mastercard"
    );
    assert_eq!(body["Purchase"]["EntityRef"]["type"], "Vendor");
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "purchase",
        &json!({"AccountRef": {"value": "1"}, "Line": []}),
    )
    .await;
    assert_eq!(code(&body), "2020", "{body}");

    // A deposit banks payments received into Undeposited Funds, no others.
    let (_, held) = query(
        &emu,
        &http,
        &access,
        "select * from Payment maxresults 1000",
    )
    .await;
    let payments = held["QueryResponse"]["Payment"]
        .as_array()
        .expect("payments");
    let into = |account: &str| {
        payments
            .iter()
            .find(|p| p["DepositToAccountRef"]["value"] == account)
            .expect("a payment")
            .clone()
    };
    let deposit = |p: &Value| {
        json!({"DepositToAccountRef": {"value": "1"},
               "Line": [{"Amount": p["TotalAmt"], "LinkedTxn": [{"TxnId": p["Id"], "TxnType": "Payment"}]}]})
    };
    let (_, body) = post(&emu, &http, &access, "deposit", &deposit(&into("1"))).await;
    assert_eq!(code(&body), "6000", "{body}");
    assert!(detail(&body).contains("Undeposited Funds"), "{body}");
    // A seeded payment in Undeposited Funds may be on a seeded deposit already; a new one is on none.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "payment",
        &json!({"CustomerRef": {"value": "1"}, "TotalAmt": 40.5}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let undeposited = body["Payment"].clone();
    assert_eq!(undeposited["DepositToAccountRef"]["value"], "5");
    let (status, body) = post(&emu, &http, &access, "deposit", &deposit(&undeposited)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Deposit"]["TotalAmt"], undeposited["TotalAmt"]);

    // Transfers between two accounts; card payments from a bank account to a card.
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "transfer",
        &json!({"FromAccountRef": {"value": "1"}, "ToAccountRef": {"value": "1"}, "Amount": 5}),
    )
    .await;
    assert_eq!(code(&body), "6000", "{body}");
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "creditcardpayment",
        &json!({"BankAccountRef": {"value": "11"}, "CreditCardAccountRef": {"value": "1"}, "Amount": 5}),
    )
    .await;
    assert_eq!(code(&body), "6000", "{body}");

    // Delete: the current SyncToken or 5010; then gone from reads and queries.
    let (_, _, memo) = api_get(&emu, &http, &access, "creditmemo/1").await;
    let token = memo["CreditMemo"]["SyncToken"].as_str().expect("token");
    let stale = (token.parse::<u64>().expect("number") + 1).to_string();
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "creditmemo?operation=delete",
        &json!({"Id": "1", "SyncToken": stale}),
    )
    .await;
    assert_eq!(code(&body), "5010", "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "creditmemo?operation=delete",
        &json!({"Id": "1", "SyncToken": token}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["CreditMemo"]["status"], "Deleted");
    let (status, _, _) = api_get(&emu, &http, &access, "creditmemo/1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, left) = query(
        &emu,
        &http,
        &access,
        "select * from CreditMemo where Id = '1'",
    )
    .await;
    assert!(left["QueryResponse"].get("CreditMemo").is_none(), "{left}");
    emu.shutdown().await;
}

/// The ids of the payments the deposits' lines link.
async fn deposited_payment_ids(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
) -> std::collections::HashSet<String> {
    let (_, deposits) = query(emu, http, access, "select * from Deposit maxresults 1000").await;
    deposits["QueryResponse"]["Deposit"]
        .as_array()
        .expect("deposits")
        .iter()
        .flat_map(|d| d["Line"].as_array().cloned().unwrap_or_default())
        .flat_map(|line| line["LinkedTxn"].as_array().cloned().unwrap_or_default())
        .filter(|linked| linked["TxnType"] == "Payment")
        .filter_map(|linked| linked["TxnId"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_deposited_payment_cannot_change_until_its_deposit_lets_it_go() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, seeded) = query(&emu, &http, &access, "select * from Deposit where Id = '1'").await;
    let deposit = seeded["QueryResponse"]["Deposit"][0].clone();
    let paid = deposit["Line"][0]["LinkedTxn"][0]["TxnId"]
        .as_str()
        .expect("a seeded deposit links a payment")
        .to_owned();
    let (_, _, payment) = api_get(&emu, &http, &access, &format!("payment/{paid}")).await;
    let token = payment["Payment"]["SyncToken"].clone();
    let sparse = json!({"Id": paid, "SyncToken": token, "sparse": true, "PrivateNote": "edited"});
    for (rest, body) in [
        ("payment?operation=update", sparse.clone()),
        (
            "payment?operation=update&include=void",
            json!({"Id": paid, "SyncToken": token, "sparse": true}),
        ),
        (
            "payment?operation=delete",
            json!({"Id": paid, "SyncToken": token}),
        ),
    ] {
        let (status, body) = post(&emu, &http, &access, rest, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rest}: {body}");
        assert_eq!(code(&body), "6540", "{rest}: {body}");
        assert_eq!(
            body["Fault"]["Error"][0]["Message"],
            "Deposited Transaction cannot be changed"
        );
    }
    let (_, _, unchanged) = api_get(&emu, &http, &access, &format!("payment/{paid}")).await;
    assert_eq!(
        unchanged["Payment"], payment["Payment"],
        "a refused write changed the payment"
    );

    // A payment on one deposit cannot go on a second.
    let again = json!({"DepositToAccountRef": {"value": "1"},
        "Line": [{"Amount": payment["Payment"]["TotalAmt"],
                  "LinkedTxn": [{"TxnId": paid, "TxnType": "Payment"}]}]});
    let (_, body) = post(&emu, &http, &access, "deposit", &again).await;
    assert_eq!(code(&body), "6000", "{body}");
    assert!(detail(&body).contains("already on deposit 1"), "{body}");

    // With its deposit deleted, the payment is free again: changed, and deposited anew.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "deposit?operation=delete",
        &json!({"Id": "1", "SyncToken": deposit["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(&emu, &http, &access, "payment?operation=update", &sparse).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Payment"]["PrivateNote"], "edited");
    let (status, body) = post(&emu, &http, &access, "deposit", &again).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        deposited_payment_ids(&emu, &http, &access)
            .await
            .contains(&paid)
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn reports_follow_written_posted_transactions() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    // Everything is dated in a month the seeded books do not reach, so the reports of that
    // month show only these writes.
    let day = "2030-01-15";
    let report = |rest: String| {
        let (emu, http, access) = (&emu, &http, &access);
        async move {
            let (status, _, body) = api_get(emu, http, access, &format!("reports/{rest}")).await;
            assert_eq!(status, StatusCode::OK, "{rest}: {body}");
            body
        }
    };
    let total = |r: &Value, group: &str| group_summary(&r["Rows"], group).map_or(0, |v| v[0]);
    let write = |rest: &'static str, body: Value| {
        let (emu, http, access) = (&emu, &http, &access);
        async move {
            let (status, answer) = post(emu, http, access, rest, &body).await;
            assert_eq!(status, StatusCode::OK, "{rest}: {answer}");
            answer
        }
    };
    let sale = |extra: Value| {
        let mut body = json!({"TxnDate": day, "CustomerRef": {"value": "3"},
                              "Line": [sale_line("1", 1, 500.0)]});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        body
    };
    let receipt = write(
        "salesreceipt",
        sale(json!({"DepositToAccountRef": {"value": "1"}})),
    )
    .await;
    write(
        "creditmemo",
        sale(json!({"Line": [sale_line("1", 1, 120.0)]})),
    )
    .await;
    write(
        "refundreceipt",
        sale(json!({"Line": [sale_line("1", 1, 30.0)], "DepositToAccountRef": {"value": "1"}})),
    )
    .await;
    write(
        "purchase",
        json!({"TxnDate": day, "PaymentType": "Check", "AccountRef": {"value": "1"},
               "Line": [{"Amount": 75.0, "DetailType": "AccountBasedExpenseLineDetail",
                         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "27"}}}]}),
    )
    .await;
    write("journalentry", journal(40.0, 40.0)).await;
    write(
        "transfer",
        json!({"TxnDate": day, "FromAccountRef": {"value": "1"}, "ToAccountRef": {"value": "2"}, "Amount": 250}),
    )
    .await;
    write(
        "vendorcredit",
        json!({"TxnDate": day, "VendorRef": {"value": "1"},
               "Line": [{"Amount": 20.0, "DetailType": "AccountBasedExpenseLineDetail",
                         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "27"}}}]}),
    )
    .await;

    let month = "start_date=2030-01-01&end_date=2030-01-31";
    let pl = report(format!("ProfitAndLoss?{month}")).await;
    // Income: the receipt less the credit memo and the refund.
    assert_eq!(total(&pl, "Income"), 50_000 - 12_000 - 3_000);
    // Expenses: the check, the journal entry's bank charges, less the vendor credit.
    assert_eq!(total(&pl, "Expenses"), 7_500 + 4_000 - 2_000);
    let cash = report(format!("ProfitAndLoss?{month}&accounting_method=Cash")).await;
    // Cash basis: credit memos and vendor credits move no money.
    assert_eq!(total(&cash, "Income"), 50_000 - 3_000);
    assert_eq!(total(&cash, "Expenses"), 7_500 + 4_000);
    for basis in ["Accrual", "Cash"] {
        let tb = report(format!(
            "TrialBalance?end_date=2030-01-31&accounting_method={basis}"
        ))
        .await;
        let grand = group_summary(&tb["Rows"], "GrandTotal").expect("TOTAL");
        assert_eq!(grand[0], grand[1], "{basis}");
        let bs = report(format!(
            "BalanceSheet?end_date=2030-01-31&accounting_method={basis}"
        ))
        .await;
        assert_eq!(
            total(&bs, "TotalAssets"),
            total(&bs, "TotalLiabilitiesAndEquity"),
            "{basis}"
        );
    }
    // The credit memo is a credit on O'Brien's account in the aging and A/R.
    let aging = report(format!("AgedReceivables?report_date={day}")).await;
    let sheet = report(format!("BalanceSheet?end_date={day}")).await;
    let before = report("BalanceSheet?end_date=2030-01-14".to_owned()).await;
    assert_eq!(total(&sheet, "AR") - total(&before, "AR"), -12_000);
    let aged = group_summary(&aging["Rows"], "GrandTotal").expect("TOTAL");
    assert_eq!(aged.last().copied(), Some(total(&sheet, "AR")));

    // Voided, the receipt posts nothing.
    let id = receipt["SalesReceipt"]["Id"].as_str().expect("id");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "salesreceipt?operation=update&include=void",
        &json!({"Id": id, "SyncToken": "0", "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pl = report(format!("ProfitAndLoss?{month}")).await;
    assert_eq!(total(&pl, "Income"), -12_000 - 3_000);
    emu.shutdown().await;
}
