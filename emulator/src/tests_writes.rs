//! Loopback tests of writes, `requestid` replays, batch, CDC and the reports that follow writes:
//! a real emulator on a free port, driven with reqwest like any QBO client.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{api_get, api_url, assert_tid, client, json, login, query, start, stats_of};
use super::*;

/// POST `body` to `rest` (e.g. `invoice?operation=update`); status and JSON.
pub(super) async fn post(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    rest: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let res = http
        .post(api_url(emu, rest))
        .bearer_auth(access)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("POST");
    let (status, headers, value) = json(res).await;
    assert_tid(&headers);
    (status, value)
}

async fn count(emu: &Emulator, http: &reqwest::Client, access: &str, q: &str) -> u64 {
    let (status, body) = query(emu, http, access, q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["QueryResponse"]["totalCount"]
        .as_u64()
        .expect("totalCount")
}

fn new_invoice(customer: &str, amount: f64) -> Value {
    json!({
        "CustomerRef": {"value": customer},
        "Line": [{
            "Amount": amount,
            "DetailType": "SalesItemLineDetail",
            "SalesItemLineDetail": {"ItemRef": {"value": "1"}, "Qty": 1, "UnitPrice": amount}
        }]
    })
}

pub(super) fn code(body: &Value) -> &str {
    body["Fault"]["Error"][0]["code"].as_str().unwrap_or("")
}

#[tokio::test]
async fn create_update_delete_and_void_agree_with_reads_and_queries() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    let (status, body) = post(&emu, &http, &access, "invoice", &new_invoice("3", 275.0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = &body["Invoice"];
    assert_eq!(created["Id"], "2501");
    assert_eq!(created["SyncToken"], "0");
    assert_eq!(created["TotalAmt"], json!(275.0));
    assert_eq!(created["Balance"], json!(275.0));
    assert_eq!(created["CustomerRef"]["name"], "O'Brien Landscaping");
    assert!(body["time"].as_str().is_some());

    let (status, _, read) = api_get(&emu, &http, &access, "invoice/2501").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&read["Invoice"], created);
    assert_eq!(
        count(&emu, &http, &access, "select count(*) from Invoice").await,
        2501
    );
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice orderby Metadata.LastUpdatedTime desc maxresults 1",
    )
    .await;
    assert_eq!(page["QueryResponse"]["Invoice"][0]["Id"], "2501");
    assert_eq!(
        count(
            &emu,
            &http,
            &access,
            "select count(*) from Invoice where CustomerRef = '3' and TotalAmt = '275.00' and Id > '2500'"
        )
        .await,
        1
    );

    // A sparse update changes what it names; the SyncToken moves on; an old one is stale.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=update",
        &json!({"Id": "2501", "SyncToken": "0", "sparse": true, "PrivateNote": "rush"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Invoice"]["SyncToken"], "1");
    assert_eq!(body["Invoice"]["PrivateNote"], "rush");
    assert_eq!(body["Invoice"]["TotalAmt"], json!(275.0));
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=update",
        &json!({"Id": "2501", "SyncToken": "0", "sparse": true, "PrivateNote": "late"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "5010");
    assert_eq!(body["Fault"]["Error"][0]["Message"], "Stale Object Error");
    assert_eq!(body["Fault"]["type"], "ValidationFault");

    // Updating a seeded invoice keeps its totals (tax included) and its creation time.
    let (_, _, seeded) = api_get(&emu, &http, &access, "invoice/10").await;
    let seeded = &seeded["Invoice"];
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=update",
        &json!({"Id": "10", "SyncToken": seeded["SyncToken"], "sparse": true, "PrivateNote": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Invoice"]["TotalAmt"], seeded["TotalAmt"]);
    assert_eq!(body["Invoice"]["Balance"], seeded["Balance"]);
    assert_eq!(
        body["Invoice"]["MetaData"]["CreateTime"],
        seeded["MetaData"]["CreateTime"]
    );
    assert_ne!(
        body["Invoice"]["MetaData"]["LastUpdatedTime"],
        seeded["MetaData"]["LastUpdatedTime"]
    );

    // Delete: gone from reads, queries and counts.
    let (_, _, first) = api_get(&emu, &http, &access, "invoice/1").await;
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=delete",
        &json!({"Id": "1", "SyncToken": first["Invoice"]["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["Invoice"],
        json!({"domain": "QBO", "status": "Deleted", "Id": "1"})
    );
    let (status, _, body) = api_get(&emu, &http, &access, "invoice/1").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "610");
    assert_eq!(
        count(&emu, &http, &access, "select count(*) from Invoice").await,
        2500
    );
    let (_, page) = query(&emu, &http, &access, "select * from Invoice maxresults 2").await;
    assert_eq!(page["QueryResponse"]["Invoice"][0]["Id"], "2");

    // Void keeps the invoice with zero amounts.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=void",
        &json!({"Id": "2501", "SyncToken": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Invoice"]["TotalAmt"], json!(0));
    assert_eq!(body["Invoice"]["Balance"], json!(0));
    assert_eq!(body["Invoice"]["PrivateNote"], "Voided");
    assert_eq!(body["Invoice"]["SyncToken"], "2");

    // Name-list entities are not deleted; unknown references and duplicate names are Faults.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "customer?operation=delete",
        &json!({"Id": "1", "SyncToken": "0"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "500");
    let (_, body) = post(&emu, &http, &access, "invoice", &new_invoice("9999", 1.0)).await;
    assert_eq!(code(&body), "2500");
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "customer",
        &json!({"DisplayName": "O'Brien Landscaping"}),
    )
    .await;
    assert_eq!(code(&body), "6240");
    let (status, body) = post(&emu, &http, &access, "invoice", &json!([1])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "2010");

    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["writes"], 5, "{stats}");
    assert_eq!(stats["write_faults"], 5, "{stats}");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_replayed_requestid_gets_the_first_answer_and_does_nothing() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, first) = post(
        &emu,
        &http,
        &access,
        "invoice?requestid=row-1",
        &new_invoice("1", 10.0),
    )
    .await;
    let (_, again) = post(
        &emu,
        &http,
        &access,
        "invoice?requestid=row-1",
        &new_invoice("2", 99.0),
    )
    .await;
    assert_eq!(first, again);
    assert_eq!(
        count(&emu, &http, &access, "select count(*) from Invoice").await,
        2501
    );
    // Faults are kept too.
    let stale = json!({"Id": "2501", "SyncToken": "7", "sparse": true, "PrivateNote": "x"});
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=update&requestid=row-2",
        &stale,
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "5010"));
    let (status, replay) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=update&requestid=row-2",
        &json!({"Id": "2501", "SyncToken": "0", "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(replay, body);
    let long = "x".repeat(51);
    let (status, body) = post(
        &emu,
        &http,
        &access,
        &format!("invoice?requestid={long}"),
        &new_invoice("1", 1.0),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["Fault"]["Error"][0]["Detail"]
            .as_str()
            .expect("detail")
            .contains("at most 50")
    );
    let stats = stats_of(&emu, &http).await;
    assert_eq!(
        (stats["writes"].as_u64(), stats["replays"].as_u64()),
        (Some(1), Some(2))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn batch_items_are_independent_with_their_own_faults() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let request = json!({"BatchItemRequest": [
        {"bId": "b1", "operation": "create", "Customer": {"DisplayName": "Cedar Lane Veterinary Annex"}},
        {"bId": "b2", "operation": "create", "Customer": {"DisplayName": "O'Brien Landscaping"}},
        {"bId": "b3", "Query": "select * from Customer where DisplayName = 'Cedar Lane Veterinary Annex'"},
        {"bId": "b4", "operation": "create", "Invoice": new_invoice("3", 5.5)}
    ]});
    let (status, body) = post(&emu, &http, &access, "batch?requestid=batch-1", &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["BatchItemResponse"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    assert_eq!(items[0]["bId"], "b1");
    assert_eq!(items[0]["Customer"]["Id"], "121");
    assert_eq!(
        items[0]
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["Customer".to_owned(), "bId".to_owned()])
    );
    assert_eq!(items[1]["bId"], "b2");
    assert_eq!(code(&items[1]), "6240");
    assert_eq!(items[2]["QueryResponse"]["Customer"][0]["Id"], "121");
    assert_eq!(items[3]["Invoice"]["TotalAmt"], json!(5.5));
    // The same batch again replays.
    let (_, again) = post(&emu, &http, &access, "batch?requestid=batch-1", &request).await;
    assert_eq!(again, body);
    assert_eq!(
        count(&emu, &http, &access, "select count(*) from Invoice").await,
        2501
    );
    let too_many: Vec<Value> = (0..31)
        .map(|i| json!({"bId": i.to_string(), "Query": "select * from Item"}))
        .collect();
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "batch",
        &json!({"BatchItemRequest": too_many}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(code(&body), "1040");
    let (status, _) = post(
        &emu,
        &http,
        &access,
        &format!("batch?requestid={}", "b".repeat(37)),
        &request,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["batches"], 1, "{stats}");
    emu.shutdown().await;
}

#[tokio::test]
async fn cdc_returns_what_changed_deletes_marked() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let since = (chrono::Utc::now() - chrono::Duration::seconds(5)).to_rfc3339();
    let cdc = |since: String| {
        let http = http.clone();
        let url = api_url(&emu, "cdc");
        let access = access.clone();
        async move {
            let res = http
                .get(url)
                .query(&[
                    ("entities", "Invoice,Customer,Payment"),
                    ("changedSince", since.as_str()),
                ])
                .bearer_auth(&access)
                .send()
                .await
                .expect("cdc");
            let (status, _, body) = json(res).await;
            (status, body)
        }
    };
    let (status, body) = cdc(since.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["CDCResponse"][0]["QueryResponse"],
        json!([{}, {}, {}]),
        "nothing changed in the last seconds of a seeded company"
    );

    let (_, created) = post(&emu, &http, &access, "invoice", &new_invoice("3", 12.0)).await;
    let (_, _, customer) = api_get(&emu, &http, &access, "customer/5").await;
    let (status, _) = post(
        &emu,
        &http,
        &access,
        "customer?operation=update",
        &json!({"Id": "5", "SyncToken": customer["Customer"]["SyncToken"], "sparse": true, "Notes": "VIP"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, old) = api_get(&emu, &http, &access, "invoice/7").await;
    let (status, _) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=delete",
        &json!({"Id": "7", "SyncToken": old["Invoice"]["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = cdc(since).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let responses = &body["CDCResponse"][0]["QueryResponse"];
    let invoices = responses[0]["Invoice"].as_array().expect("invoices");
    assert_eq!(invoices.len(), 2, "{invoices:?}");
    let by_id = |id: &str| {
        invoices
            .iter()
            .find(|i| i["Id"] == id)
            .unwrap_or_else(|| panic!("invoice {id} in {invoices:?}"))
    };
    assert_eq!(by_id("2501"), &created["Invoice"]);
    let deleted = by_id("7");
    assert_eq!(
        deleted
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec![
            "domain".to_owned(),
            "status".to_owned(),
            "Id".to_owned(),
            "MetaData".to_owned()
        ])
    );
    assert_eq!(deleted["status"], "Deleted");
    assert!(deleted["MetaData"]["LastUpdatedTime"].is_string());
    assert_eq!(responses[0]["maxResults"], 2);
    let customers = responses[1]["Customer"].as_array().expect("customers");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["Id"], "5");
    assert_eq!(customers[0]["Notes"], "VIP");
    assert_eq!(responses[2], json!({}));

    let (status, body) = cdc((chrono::Utc::now() - chrono::Duration::days(31)).to_rfc3339()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["Fault"]["Error"][0]["Detail"]
            .as_str()
            .expect("detail")
            .contains("more than 30 days")
    );
    emu.shutdown().await;
}

/// Cents of a report amount (`""` is zero).
pub(super) fn report_cents(cell: &Value) -> i64 {
    let text = cell["value"].as_str().expect("amount text");
    if text.is_empty() {
        return 0;
    }
    let (whole, fraction) = text.trim_start_matches('-').split_once('.').expect("cents");
    let value =
        whole.parse::<i64>().expect("digits") * 100 + fraction.parse::<i64>().expect("digits");
    if text.starts_with('-') { -value } else { value }
}

/// The amounts of the summary of the section tagged `group`, anywhere in `rows`.
pub(super) fn group_summary(rows: &Value, group: &str) -> Option<Vec<i64>> {
    for row in rows["Row"].as_array().into_iter().flatten() {
        if row["group"] == group {
            let cells = row["Summary"]["ColData"].as_array().expect("summary");
            return Some(cells.iter().skip(1).map(report_cents).collect());
        }
        if let Some(found) = group_summary(&row["Rows"], group) {
            return Some(found);
        }
    }
    None
}

/// What the reports say about the books, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    /// June 2023 P&L, accrual: Total Income, Total Expenses, Net Income.
    income: i64,
    expenses: i64,
    net: i64,
    /// June 2023 P&L, cash basis: Total Income.
    cash_income: i64,
    /// Balance sheet today: Accounts Receivable.
    receivable: i64,
}

/// Fetches the reports and checks what must hold whatever was written: balance sheets balance
/// on both bases, trial balances' debits equal credits, A/R aging adds up to the balance sheet's
/// receivables.
async fn figures(emu: &Emulator, http: &reqwest::Client, access: &str) -> Figures {
    let report = |rest: String| async move {
        let (status, _, body) = api_get(emu, http, access, &format!("reports/{rest}")).await;
        assert_eq!(status, StatusCode::OK, "{rest}: {body}");
        body
    };
    let june = "start_date=2023-06-01&end_date=2023-06-30";
    let pl = report(format!("ProfitAndLoss?{june}")).await;
    let total =
        |report: &Value, group: &str| group_summary(&report["Rows"], group).map_or(0, |v| v[0]);
    let cash = report(format!("ProfitAndLoss?{june}&accounting_method=Cash")).await;
    for basis in ["Accrual", "Cash"] {
        let bs = report(format!(
            "BalanceSheet?end_date=2023-12-31&accounting_method={basis}"
        ))
        .await;
        assert_eq!(
            total(&bs, "TotalAssets"),
            total(&bs, "TotalLiabilitiesAndEquity"),
            "{basis} balance sheet"
        );
        let tb = report(format!(
            "TrialBalance?end_date=2023-12-31&accounting_method={basis}"
        ))
        .await;
        let grand = group_summary(&tb["Rows"], "GrandTotal").expect("TOTAL");
        assert_eq!(grand[0], grand[1], "{basis} trial balance");
    }
    let today = report("BalanceSheet".to_owned()).await;
    let aging = report("AgedReceivables".to_owned()).await;
    let aged = group_summary(&aging["Rows"], "GrandTotal").expect("TOTAL");
    let receivable = total(&today, "AR");
    assert_eq!(aged.last().copied(), Some(receivable), "aging = A/R");
    Figures {
        income: total(&pl, "Income"),
        expenses: total(&pl, "Expenses"),
        net: total(&pl, "NetIncome"),
        cash_income: total(&cash, "Income"),
        receivable,
    }
}

#[tokio::test]
async fn reports_follow_created_paid_voided_and_deleted_transactions() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let before = figures(&emu, &http, &access).await;
    assert!(before.income > 0 && before.cash_income > 0, "{before:?}");

    // Two invoices in June 2023; the second one carries 5.00 of sales tax.
    let mut first = new_invoice("3", 275.25);
    first["TxnDate"] = json!("2023-06-15");
    let mut second = new_invoice("3", 100.10);
    second["TxnDate"] = json!("2023-06-16");
    second["TxnTaxDetail"] = json!({"TotalTax": 5.0});
    let (status, body) = post(&emu, &http, &access, "invoice", &first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first_id = body["Invoice"]["Id"].as_str().expect("id").to_owned();
    let (status, body) = post(&emu, &http, &access, "invoice", &second).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second_id = body["Invoice"]["Id"].as_str().expect("id").to_owned();
    let created = figures(&emu, &http, &access).await;
    assert_eq!(created.income, before.income + 27_525 + 10_010);
    assert_eq!(created.net, before.net + 27_525 + 10_010);
    assert_eq!(created.cash_income, before.cash_income);
    assert_eq!(created.receivable, before.receivable + 27_525 + 10_510);

    // A bill for rent: expenses rise, net income falls.
    let bill = json!({
        "VendorRef": {"value": "1"},
        "TxnDate": "2023-06-10",
        "Line": [{"Amount": 42.5, "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "28"}}}]
    });
    let (status, body) = post(&emu, &http, &access, "bill", &bill).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let billed = figures(&emu, &http, &access).await;
    assert_eq!(billed.expenses, created.expenses + 4_250);
    assert_eq!(billed.net, created.net - 4_250);

    // Paying the first invoice in June counts its income on the cash basis.
    let payment = json!({
        "CustomerRef": {"value": "3"},
        "TotalAmt": 275.25,
        "TxnDate": "2023-06-20",
        "Line": [{"Amount": 275.25, "LinkedTxn": [{"TxnId": first_id, "TxnType": "Invoice"}]}]
    });
    let (status, body) = post(&emu, &http, &access, "payment", &payment).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let paid = figures(&emu, &http, &access).await;
    assert_eq!(paid.income, billed.income);
    assert_eq!(paid.cash_income, billed.cash_income + 27_525);
    assert_eq!(paid.receivable, billed.receivable - 27_525);

    // Voiding the second invoice takes its line (and tax) out.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=void",
        &json!({"Id": second_id, "SyncToken": "0"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let voided = figures(&emu, &http, &access).await;
    assert_eq!(voided.income, paid.income - 10_010);
    assert_eq!(voided.receivable, paid.receivable - 10_510);

    // Deleting the paid first invoice: its income goes; the payment stays, as a credit.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=delete",
        &json!({"Id": first_id, "SyncToken": "0"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let deleted = figures(&emu, &http, &access).await;
    assert_eq!(deleted.income, before.income);
    assert_eq!(deleted.net, before.net - 4_250);
    assert_eq!(deleted.cash_income, before.cash_income);
    assert_eq!(deleted.receivable, before.receivable - 27_525);

    // Updating a seeded June invoice replaces its postings.
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice where TxnDate >= '2023-06-01' and TxnDate <= '2023-06-30' maxresults 1",
    )
    .await;
    let seeded = &page["QueryResponse"]["Invoice"][0];
    let old_total = (seeded["TotalAmt"].as_f64().expect("total") * 100.0).round() as i64;
    let old_tax =
        (seeded["TxnTaxDetail"]["TotalTax"].as_f64().unwrap_or(0.0) * 100.0).round() as i64;
    let mut replaced = new_invoice("3", 12.34);
    replaced["Id"] = seeded["Id"].clone();
    replaced["SyncToken"] = seeded["SyncToken"].clone();
    replaced["TxnDate"] = seeded["TxnDate"].clone();
    let (status, body) = post(&emu, &http, &access, "invoice?operation=update", &replaced).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let updated = figures(&emu, &http, &access).await;
    assert_eq!(
        updated.income,
        deleted.income - (old_total - old_tax) + 1_234
    );
}

#[tokio::test]
async fn each_entity_is_voided_the_way_qbo_voids_it_and_name_lists_are_inactivated() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let fault = |body: &Value| {
        (
            body["Fault"]["Error"][0]["code"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
            body["Fault"]["Error"][0]["Detail"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        )
    };
    // Payment 3 was banked straight to Checking (one on a deposit is QBO's 6540 instead).
    let (_, _, read) = api_get(&emu, &http, &access, "payment/3").await;
    let token = read["Payment"]["SyncToken"].clone();
    let amount = read["Payment"]["TotalAmt"].as_f64().expect("amount");
    assert!(amount > 0.0);

    // A Payment is not voided with operation=void ...
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "payment?operation=void",
        &json!({"Id": "3", "SyncToken": token}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (code, detail) = fault(&body);
    assert_eq!(code, "500");
    assert!(detail.contains("operation=update&include=void"), "{detail}");
    // ... nor with a full body ...
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "payment?operation=update&include=void",
        &json!({"Id": "3", "SyncToken": token}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // ... but with a sparse update that includes void: kept, amounts zero.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "payment?operation=update&include=void",
        &json!({"Id": "3", "SyncToken": token, "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Payment"]["TotalAmt"], json!(0));
    assert_eq!(body["Payment"]["PrivateNote"], "Voided");
    let (status, _, again) = api_get(&emu, &http, &access, "payment/3").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["Payment"]["TotalAmt"], json!(0));

    // An Invoice is voided with operation=void only.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "invoice?operation=update&include=void",
        &json!({"Id": "2", "SyncToken": "0", "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(fault(&body).1.contains("operation=void"), "{body}");
    // Bills and name lists are not voided at all.
    for (rest, id) in [
        ("bill?operation=void", "1"),
        ("customer?operation=void", "1"),
    ] {
        let (status, body) = post(
            &emu,
            &http,
            &access,
            rest,
            &json!({"Id": id, "SyncToken": "0"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rest}: {body}");
    }

    // A name list is inactivated by a sparse update, never deleted; inactive, it leaves the
    // default query and stays readable.
    let (_, _, customer) = api_get(&emu, &http, &access, "customer/5").await;
    let token = customer["Customer"]["SyncToken"].clone();
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "customer?operation=delete",
        &json!({"Id": "5", "SyncToken": token}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "customer?operation=update",
        &json!({"Id": "5", "SyncToken": token, "sparse": true, "Active": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Customer"]["Active"], false);
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Customer where Id = '5'",
    )
    .await;
    assert!(page["QueryResponse"].get("Customer").is_none(), "{page}");
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Customer where Id = '5' and Active IN (true, false)",
    )
    .await;
    assert_eq!(page["QueryResponse"]["Customer"][0]["Active"], false);
    emu.shutdown().await;
}

#[tokio::test]
async fn small_name_lists_are_created_renamed_and_inactivated_never_deleted() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let before = count(&emu, &http, &access, "select count(*) from Class").await;

    let (status, body) = post(
        &emu,
        &http,
        &access,
        "class",
        &json!({"Name": "Zephyr Works"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let parent = body["Class"].clone();
    assert_eq!(parent["SubClass"], false);
    assert_eq!(parent["FullyQualifiedName"], "Zephyr Works");
    assert_eq!(parent["Active"], true);
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "class",
        &json!({"Name": "Zephyr Remodels", "ParentRef": {"value": parent["Id"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let child = body["Class"].clone();
    assert_eq!(child["SubClass"], true);
    assert_eq!(child["FullyQualifiedName"], "Zephyr Works:Zephyr Remodels");
    assert_eq!(child["ParentRef"]["name"], "Zephyr Works");
    assert_eq!(
        count(&emu, &http, &access, "select count(*) from Class").await,
        before + 2
    );

    // Names are unique per list (case-insensitive), required, and have no ':'.
    for (body, expected) in [
        (json!({"Name": "zephyr works"}), "6240"),
        (json!({"Name": "  "}), "2020"),
        (json!({"Name": "A:B"}), "6000"),
        (
            json!({"Name": "Orphan", "ParentRef": {"value": "9999"}}),
            "2500",
        ),
    ] {
        let (status, answer) = post(&emu, &http, &access, "class", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(code(&answer), expected, "{body}: {answer}");
    }

    // Inactivated by a sparse update: out of the default query, in with `Active = false`, and
    // no transaction may name it; a delete is refused.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "class?operation=delete",
        &json!({"Id": child["Id"], "SyncToken": child["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "class?operation=update",
        &json!({"Id": child["Id"], "SyncToken": child["SyncToken"], "sparse": true, "Active": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Class"]["SyncToken"], "1");
    assert_eq!(
        body["Class"]["FullyQualifiedName"],
        "Zephyr Works:Zephyr Remodels"
    );
    assert_eq!(
        count(&emu, &http, &access, "select count(*) from Class").await,
        before + 1
    );
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Class where Active = false",
    )
    .await;
    let inactive = page["QueryResponse"]["Class"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(inactive.iter().any(|c| c["Id"] == child["Id"]), "{page}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "class",
        &json!({"Name": "Kitchens", "ParentRef": {"value": child["Id"]}}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "610", "{body}");

    // The other lists, each with its rules.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "department",
        &json!({"Name": "North Yard"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Department"]["SubDepartment"], false);
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "term",
        &json!({"Name": "Net 45", "DueDays": 45}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Term"]["Type"], "STANDARD");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "term",
        &json!({"Name": "Odd", "Type": "LUNAR"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "2170", "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "paymentmethod",
        &json!({"Name": "Crypto", "Type": "CREDIT_CARD"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["PaymentMethod"]["Type"], "CREDIT_CARD");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "customertype",
        &json!({"Name": "Wholesale"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "employee",
        &json!({"GivenName": "Robin", "FamilyName": "Okafor"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Employee"]["DisplayName"], "Robin Okafor");
    // An employee may not take a customer's display name (the names are shared).
    let (_, _, customer) = api_get(&emu, &http, &access, "customer/1").await;
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "employee",
        &json!({"DisplayName": customer["Customer"]["DisplayName"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "6240", "{body}");
    emu.shutdown().await;
}

/// A/P as the reports and the API see it today, in cents: the aging's TOTAL, the balance
/// sheet's Accounts Payable, and the sum of every bill's `Balance` (paged queries).
async fn payables(emu: &Emulator, http: &reqwest::Client, access: &str) -> (i64, i64, i64) {
    let (_, _, aging) = api_get(emu, http, access, "reports/AgedPayables").await;
    let aged = group_summary(&aging["Rows"], "GrandTotal")
        .and_then(|t| t.last().copied())
        .expect("TOTAL");
    let (_, _, sheet) = api_get(emu, http, access, "reports/BalanceSheet").await;
    let payable = group_summary(&sheet["Rows"], "AP").map_or(0, |v| v[0]);
    let mut open = 0i64;
    for (entity, field, sign) in [("Bill", "Balance", 1), ("VendorCredit", "TotalAmt", -1)] {
        let mut start = 1;
        loop {
            let q = format!("select * from {entity} startposition {start} maxresults 1000");
            let (_, page) = query(emu, http, access, &q).await;
            let records = page["QueryResponse"][entity]
                .as_array()
                .cloned()
                .unwrap_or_default();
            open += sign
                * records
                    .iter()
                    .map(|b| (b[field].as_f64().expect("amount") * 100.0).round() as i64)
                    .sum::<i64>();
            if records.len() < 1000 {
                break;
            }
            start += 1000;
        }
    }
    (aged, payable, open)
}

/// Bill `id` as the API reads it.
async fn read_bill(emu: &Emulator, http: &reqwest::Client, access: &str, id: &str) -> Value {
    let (_, _, read) = api_get(emu, http, access, &format!("bill/{id}")).await;
    read["Bill"].clone()
}

#[tokio::test]
async fn bill_payments_pay_bills_and_a_void_or_delete_reopens_them() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (aged, payable, open) = payables(&emu, &http, &access).await;
    assert_eq!((aged, payable), (open, open), "A/P before any write");

    let (status, body) = post(
        &emu,
        &http,
        &access,
        "bill",
        &json!({"VendorRef": {"value": "1"}, "Line": [{"Amount": 200, "DetailType": "AccountBasedExpenseLineDetail",
                 "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "21"}}}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bill_id = body["Bill"]["Id"].as_str().expect("id").to_owned();
    let pays = |amount: f64, how: Value| {
        let mut body = json!({"VendorRef": {"value": "1"}, "TotalAmt": amount,
            "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": bill_id, "TxnType": "Bill"}]}]});
        if let (Some(body), Some(how)) = (body.as_object_mut(), how.as_object()) {
            body.extend(how.clone());
        }
        body
    };
    let by_check = json!({"PayType": "Check", "CheckPayment": {"BankAccountRef": {"value": "1"}}});
    let by_card =
        json!({"PayType": "CreditCard", "CreditCardPayment": {"CCAccountRef": {"value": "11"}}});

    let (status, body) = post(
        &emu,
        &http,
        &access,
        "billpayment",
        &pays(50.0, by_check.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let check = body["BillPayment"].clone();
    assert_eq!(check["CheckPayment"]["BankAccountRef"]["name"], "Checking");
    let now = read_bill(&emu, &http, &access, &bill_id).await;
    assert_eq!(now["Balance"], json!(150.0));
    assert_eq!(
        now["LinkedTxn"],
        json!([{"TxnId": check["Id"], "TxnType": "BillPayment"}])
    );
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "billpayment",
        &pays(150.0, by_card.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let card = body["BillPayment"].clone();
    assert_eq!(
        read_bill(&emu, &http, &access, &bill_id).await["Balance"],
        json!(0)
    );
    let (aged, payable, open) = payables(&emu, &http, &access).await;
    assert_eq!(
        (aged, payable),
        (open, open),
        "A/P after paying the new bill in full"
    );

    // What QBO refuses: more than is open, another vendor's bill, a bad PayType, a check
    // from a card account.
    for (body, why) in [
        (pays(0.01, by_check.clone()), "more than the bill's balance"),
        (
            {
                let mut b = pays(10.0, by_check.clone());
                b["VendorRef"] = json!({"value": "2"});
                b
            },
            "another vendor's bill",
        ),
        (
            pays(10.0, json!({"PayType": "Cash"})),
            "a PayType QBO does not have",
        ),
        (
            pays(
                10.0,
                json!({"PayType": "Check", "CheckPayment": {"BankAccountRef": {"value": "11"}}}),
            ),
            "a check drawn on a card",
        ),
    ] {
        let (status, answer) = post(&emu, &http, &access, "billpayment", &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{why}: {answer}");
        assert_eq!(code(&answer), "6000", "{why}: {answer}");
    }

    // A bill payment is voided as a Payment is, never with operation=void; the bill reopens.
    let (status, _) = post(
        &emu,
        &http,
        &access,
        "billpayment?operation=void",
        &json!({"Id": check["Id"], "SyncToken": check["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "billpayment?operation=update&include=void",
        &json!({"Id": check["Id"], "SyncToken": check["SyncToken"], "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["BillPayment"]["TotalAmt"], json!(0));
    let now = read_bill(&emu, &http, &access, &bill_id).await;
    assert_eq!(now["Balance"], json!(50.0));
    assert_eq!(
        now["LinkedTxn"],
        json!([{"TxnId": card["Id"], "TxnType": "BillPayment"}])
    );
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "billpayment?operation=delete",
        &json!({"Id": card["Id"], "SyncToken": card["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = read_bill(&emu, &http, &access, &bill_id).await;
    assert_eq!(now["Balance"], json!(200.0));
    assert_eq!(now["LinkedTxn"], json!([]));

    // A seeded bill payment changed in its note only: it still pays its bill once.
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from BillPayment where Id = '2'",
    )
    .await;
    let second = page["QueryResponse"]["BillPayment"][0].clone();
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "billpayment?operation=update",
        &json!({"Id": "2", "SyncToken": second["SyncToken"], "sparse": true, "PrivateNote": "checked"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (aged, payable, open) = payables(&emu, &http, &access).await;
    assert_eq!(
        (aged, payable),
        (open, open),
        "A/P after a note on a seeded bill payment"
    );

    // A seeded bill payment deleted: its bill is open again, in the API and in every report.
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from BillPayment where Id = '1'",
    )
    .await;
    let seeded = page["QueryResponse"]["BillPayment"][0].clone();
    let paid = seeded["Line"][0]["LinkedTxn"][0]["TxnId"]
        .as_str()
        .expect("bill")
        .to_owned();
    let (_, _, before) = api_get(&emu, &http, &access, &format!("bill/{paid}")).await;
    assert_eq!(before["Bill"]["Balance"], json!(0));
    assert_eq!(before["Bill"]["LinkedTxn"][0]["TxnType"], "BillPayment");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "billpayment?operation=delete",
        &json!({"Id": "1", "SyncToken": seeded["SyncToken"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, after) = api_get(&emu, &http, &access, &format!("bill/{paid}")).await;
    assert_eq!(after["Bill"]["Balance"], before["Bill"]["TotalAmt"]);
    let (aged, payable, open) = payables(&emu, &http, &access).await;
    assert_eq!((aged, payable), (open, open), "A/P after the deletes");
    figures(&emu, &http, &access).await;
    emu.shutdown().await;
}

#[tokio::test]
async fn a_payment_lowers_the_balance_of_the_invoices_it_pays_and_a_void_restores_it() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (status, body) = post(&emu, &http, &access, "invoice", &new_invoice("3", 120.0)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let invoice = body["Invoice"].clone();
    let total = invoice["TotalAmt"].as_f64().expect("total");
    let id = invoice["Id"].as_str().expect("id").to_owned();
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "payment",
        &json!({"CustomerRef": {"value": "3"}, "TotalAmt": 100,
                "Line": [{"Amount": 100, "LinkedTxn": [{"TxnId": id, "TxnType": "Invoice"}]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let payment = body["Payment"].clone();
    let (_, _, read) = api_get(&emu, &http, &access, &format!("invoice/{id}")).await;
    assert_eq!(read["Invoice"]["Balance"].as_f64(), Some(total - 100.0));
    assert_eq!(
        read["Invoice"]["LinkedTxn"],
        json!([{"TxnId": payment["Id"], "TxnType": "Payment"}])
    );
    let before = figures(&emu, &http, &access).await;
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "payment?operation=update&include=void",
        &json!({"Id": payment["Id"], "SyncToken": payment["SyncToken"], "sparse": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, read) = api_get(&emu, &http, &access, &format!("invoice/{id}")).await;
    assert_eq!(read["Invoice"]["Balance"].as_f64(), Some(total));
    assert_eq!(read["Invoice"]["LinkedTxn"], json!([]));
    let after = figures(&emu, &http, &access).await;
    assert_eq!(
        after.receivable - before.receivable,
        10_000,
        "{before:?} {after:?}"
    );
    emu.shutdown().await;
}

/// A sale's income by class or location (`ClassSales`, `DepartmentSales` of `2023-03`): the
/// total of the row labelled `label`, in cents.
async fn tracked_row(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    report: &str,
    label: &str,
) -> i64 {
    let path = format!("reports/{report}?start_date=2023-03-01&end_date=2023-03-31");
    let (status, _, body) = api_get(emu, http, access, &path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["Rows"]["Row"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|row| row["ColData"][0]["value"] == label)
        .and_then(|row| row["ColData"][1]["value"].as_str())
        .map_or(0, |text| {
            (text.parse::<f64>().expect("an amount") * 100.0).round() as i64
        })
}

#[tokio::test]
async fn written_sales_keep_their_classes_and_location_and_reports_follow() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    // The company tracks classes per line and locations, as its seeded sales show.
    let (_, _, prefs) = api_get(&emu, &http, &access, "preferences").await;
    let accounting = &prefs["Preferences"]["AccountingInfoPrefs"];
    assert_eq!(accounting["TrackDepartments"], true);
    assert_eq!(accounting["ClassTrackingPerTxnLine"], true);
    assert_eq!(accounting["ClassTrackingPerTxn"], false);
    let (_, page) = query(&emu, &http, &access, "select * from Invoice maxresults 50").await;
    let invoices = page["QueryResponse"]["Invoice"]
        .as_array()
        .expect("invoices");
    assert!(
        invoices
            .iter()
            .any(|i| i["DepartmentRef"]["name"] == "North")
    );
    assert!(invoices.iter().any(|i| i.get("DepartmentRef").is_none()));
    assert!(
        invoices
            .iter()
            .any(|i| { i["Line"][0]["SalesItemLineDetail"]["ClassRef"]["name"] == "Commercial" })
    );

    let before = (
        tracked_row(&emu, &http, &access, "ClassSales", "Warranty").await,
        tracked_row(&emu, &http, &access, "DepartmentSales", "South").await,
    );
    let mut invoice = new_invoice("3", 212.5);
    invoice["TxnDate"] = json!("2023-03-15");
    invoice["DepartmentRef"] = json!({"value": "2"});
    invoice["Line"][0]["SalesItemLineDetail"]["ClassRef"] = json!({"value": "3"});
    let (status, body) = post(&emu, &http, &access, "invoice", &invoice).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = &body["Invoice"];
    assert_eq!(
        created["DepartmentRef"],
        json!({"value": "2", "name": "South"})
    );
    let detail = &created["Line"][0]["SalesItemLineDetail"];
    assert_eq!(
        detail["ClassRef"],
        json!({"value": "3", "name": "Warranty"})
    );
    let keys: Vec<&String> = detail.as_object().expect("detail").keys().collect();
    assert_eq!(keys[..2], ["ItemRef", "ClassRef"]);
    assert_eq!(
        (
            tracked_row(&emu, &http, &access, "ClassSales", "Warranty").await,
            tracked_row(&emu, &http, &access, "DepartmentSales", "South").await,
        ),
        (before.0 + 21_250, before.1 + 21_250)
    );

    // A location or class that does not exist is refused as any other reference is.
    for (key, value) in [("DepartmentRef", "99"), ("ClassRef", "42")] {
        let mut invoice = new_invoice("3", 10.0);
        if key == "DepartmentRef" {
            invoice[key] = json!({"value": value});
        } else {
            invoice["Line"][0]["SalesItemLineDetail"][key] = json!({"value": value});
        }
        let (status, body) = post(&emu, &http, &access, "invoice", &invoice).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code(&body), "2500", "{key}");
    }
    // An inactive one ("Downtown") cannot be named.
    let mut invoice = new_invoice("3", 10.0);
    invoice["DepartmentRef"] = json!({"value": "3"});
    let (status, body) = post(&emu, &http, &access, "invoice", &invoice).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // A sales receipt keeps them too.
    let mut receipt = new_invoice("3", 30.0);
    receipt["DepartmentRef"] = json!({"value": "1"});
    receipt["Line"][0]["SalesItemLineDetail"]["ClassRef"] = json!({"value": "1"});
    let (status, body) = post(&emu, &http, &access, "salesreceipt", &receipt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = &body["SalesReceipt"];
    assert_eq!(created["DepartmentRef"]["name"], "North");
    assert_eq!(
        created["Line"][0]["SalesItemLineDetail"]["ClassRef"]["name"],
        "Residential"
    );

    // Invoices filter by location, seeded and written alike.
    let (status, page) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice where DepartmentRef = '2' and Id > '2000' maxresults 1000",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let south = page["QueryResponse"]["Invoice"]
        .as_array()
        .expect("invoices");
    assert!(south.len() > 50);
    assert!(south.iter().all(|i| i["DepartmentRef"]["value"] == "2"));
    assert!(south.iter().any(|i| i["Id"] == "2501"));
    emu.shutdown().await;
}
