//! Loopback tests of the writes beyond the invoices, payments and posting transactions:
//! accounts (posted to and reported like seeded ones); estimates and purchase orders (statuses
//! 2170, references 2500, their own rules 6000, the books unmoved); time activities (whose
//! time, how long, billable to whom); attachables as notes and as multipart uploads (links
//! checked, a file's fields kept); recurring templates in their wrappers; tax agencies, journal
//! codes and the TaxService; company currencies; the company's singletons (updated, never
//! created or deleted).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{api_get, api_url, client, login, query, start};
use super::tests_writes::{code, post};
use super::*;

fn sale_line(item: &str, qty: i64, price: f64) -> Value {
    json!({
        "DetailType": "SalesItemLineDetail",
        "Amount": qty as f64 * price,
        "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": qty, "UnitPrice": price}
    })
}

async fn total(emu: &Emulator, http: &reqwest::Client, access: &str, entity: &str) -> u64 {
    let (status, body) = query(emu, http, access, &format!("select count(*) from {entity}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["QueryResponse"]["totalCount"].as_u64().expect("n")
}

/// The rows of this year's profit and loss and balance sheet (what a posting would move).
async fn books(emu: &Emulator, http: &reqwest::Client, access: &str) -> (Value, Value) {
    let range = "start_date=2026-01-01&end_date=2026-12-31";
    let (_, _, pl) = api_get(emu, http, access, &format!("reports/ProfitAndLoss?{range}")).await;
    let (_, _, bs) = api_get(emu, http, access, &format!("reports/BalanceSheet?{range}")).await;
    (pl["Rows"].clone(), bs["Rows"].clone())
}

#[tokio::test]
async fn estimates_and_purchase_orders_are_written_without_moving_the_books() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let before_books = books(&emu, &http, &access).await;
    let estimates = total(&emu, &http, &access, "Estimate").await;

    let estimate = json!({
        "CustomerRef": {"value": "3"},
        "TxnDate": "2026-06-15",
        "ExpirationDate": "2026-07-15",
        "Line": [sale_line("1", 2, 125.0), sale_line("2", 1, 50.5)]
    });
    let (status, body) = post(&emu, &http, &access, "estimate", &estimate).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = body["Estimate"].clone();
    let id = created["Id"].as_str().expect("id").to_owned();
    assert_eq!(id, (estimates + 1).to_string());
    assert_eq!(created["TotalAmt"], json!(300.5));
    assert_eq!(created["TxnStatus"], "Pending");
    assert_eq!(created["DocNumber"], (1001 + estimates).to_string());
    assert_eq!(created["CustomerRef"]["name"], "O'Brien Landscaping");
    assert_eq!(created["ExpirationDate"], "2026-07-15");
    assert_eq!(created["Line"][2]["DetailType"], "SubTotalLineDetail");
    let (status, _, read) = api_get(&emu, &http, &access, &format!("estimate/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["Estimate"], created);
    assert_eq!(total(&emu, &http, &access, "Estimate").await, estimates + 1);

    // The customer accepts it: a sparse update.
    let accept = json!({"Id": id, "SyncToken": "0", "sparse": true, "TxnStatus": "Accepted"});
    let (status, body) = post(&emu, &http, &access, "estimate", &accept).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Estimate"]["TxnStatus"], "Accepted");
    assert_eq!(body["Estimate"]["SyncToken"], "1");
    assert_eq!(body["Estimate"]["TotalAmt"], json!(300.5));
    let (_, body) = post(&emu, &http, &access, "estimate", &accept).await;
    assert_eq!(code(&body), "5010", "a stale SyncToken: {body}");
    let bad = json!({"Id": id, "SyncToken": "1", "sparse": true, "TxnStatus": "Signed"});
    let (status, body) = post(&emu, &http, &access, "estimate", &bad).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "2170"));
    let mut early = estimate.clone();
    early["ExpirationDate"] = json!("2026-06-01");
    let (_, body) = post(&emu, &http, &access, "estimate", &early).await;
    assert_eq!(code(&body), "6000", "{body}");
    let mut nobody = estimate.clone();
    nobody["CustomerRef"] = json!({"value": "99999"});
    let (_, body) = post(&emu, &http, &access, "estimate", &nobody).await;
    assert_eq!(code(&body), "2500", "{body}");

    // A purchase order: lines by account and by item, Open, through A/P.
    let orders = total(&emu, &http, &access, "PurchaseOrder").await;
    let order = json!({
        "VendorRef": {"value": "2"},
        "TxnDate": "2026-06-16",
        "Line": [
            {"Amount": 80.0, "DetailType": "AccountBasedExpenseLineDetail",
             "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "27"}}},
            {"DetailType": "ItemBasedExpenseLineDetail",
             "ItemBasedExpenseLineDetail": {"ItemRef": {"value": "14"}, "Qty": 3, "UnitPrice": 40.25}}
        ]
    });
    let (status, body) = post(&emu, &http, &access, "purchaseorder", &order).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let po = body["PurchaseOrder"].clone();
    let po_id = po["Id"].as_str().expect("id").to_owned();
    assert_eq!(po_id, (orders + 1).to_string());
    assert_eq!(po["POStatus"], "Open");
    assert_eq!(po["TotalAmt"], json!(200.75));
    assert_eq!(po["APAccountRef"]["name"], "Accounts Payable (A/P)");
    assert_eq!(
        po["Line"][1]["ItemBasedExpenseLineDetail"]["ItemRef"]["name"],
        "Blower Motor"
    );
    let mut through_bank = order.clone();
    through_bank["APAccountRef"] = json!({"value": "1"});
    let (_, body) = post(&emu, &http, &access, "purchaseorder", &through_bank).await;
    assert_eq!(code(&body), "6000", "{body}");
    let mut status_typo = order.clone();
    status_typo["POStatus"] = json!("Pending");
    let (_, body) = post(&emu, &http, &access, "purchaseorder", &status_typo).await;
    assert_eq!(code(&body), "2170", "{body}");
    let close = json!({"Id": po_id, "SyncToken": "0", "sparse": true, "POStatus": "Closed"});
    let (status, body) = post(&emu, &http, &access, "purchaseorder", &close).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["PurchaseOrder"]["POStatus"], "Closed");
    assert_eq!(body["PurchaseOrder"]["Line"], po["Line"]);

    // Neither posts: the year's books read as before.
    assert_eq!(books(&emu, &http, &access).await, before_books);

    // Both are deleted, a seeded estimate too; reads answer 610, counts drop.
    for (resource, id, token) in [
        ("estimate", id.as_str(), "1"),
        ("purchaseorder", po_id.as_str(), "1"),
        ("estimate", "1", "0"),
    ] {
        let (status, body) = post(
            &emu,
            &http,
            &access,
            &format!("{resource}?operation=delete"),
            &json!({"Id": id, "SyncToken": token}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{resource} {id}: {body}");
        assert_eq!(
            body[if resource == "estimate" {
                "Estimate"
            } else {
                "PurchaseOrder"
            }]["status"],
            "Deleted"
        );
        let (status, _, body) = api_get(&emu, &http, &access, &format!("{resource}/{id}")).await;
        assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "610"));
    }
    assert_eq!(total(&emu, &http, &access, "Estimate").await, estimates - 1);
    assert_eq!(total(&emu, &http, &access, "PurchaseOrder").await, orders);
}

#[tokio::test]
async fn time_activities_say_whose_time_how_long_and_billable_to_whom() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let count = total(&emu, &http, &access, "TimeActivity").await;

    let hours = json!({
        "NameOf": "Employee", "EmployeeRef": {"value": "1"},
        "CustomerRef": {"value": "3"}, "ItemRef": {"value": "6"},
        "BillableStatus": "Billable", "HourlyRate": 97,
        "Hours": 2, "Minutes": 30, "TxnDate": "2026-06-17"
    });
    let (status, body) = post(&emu, &http, &access, "timeactivity", &hours).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = body["TimeActivity"].clone();
    assert_eq!(created["Id"], (count + 1).to_string());
    assert_eq!(created["EmployeeRef"]["name"], "Maria Alvarez");
    assert_eq!(created["CustomerRef"]["name"], "O'Brien Landscaping");
    assert_eq!(created["ItemRef"]["name"], "Installation Labor");
    assert_eq!(
        (created["Hours"].clone(), created["Minutes"].clone()),
        (json!(2), json!(30))
    );
    assert_eq!(created["Taxable"], json!(false));
    let keys: Vec<&str> = created
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(&keys[..3], ["TxnDate", "NameOf", "EmployeeRef"]);

    let span = json!({
        "NameOf": "Vendor", "VendorRef": {"value": "2"},
        "StartTime": "2026-06-18T08:00:00-07:00", "EndTime": "2026-06-18T12:15:00-07:00"
    });
    let (status, body) = post(&emu, &http, &access, "timeactivity", &span).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["TimeActivity"]["BillableStatus"], "NotBillable");
    let span_id = body["TimeActivity"]["Id"].as_str().expect("id").to_owned();

    let refusals = [
        (json!({"EmployeeRef": {"value": "1"}, "Hours": 1}), "2020"),
        (json!({"NameOf": "Customer", "Hours": 1}), "2170"),
        (json!({"NameOf": "Employee", "Hours": 1}), "2020"),
        (
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "999"}, "Hours": 1}),
            "2500",
        ),
        (
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "1"},
                "BillableStatus": "Billable", "Hours": 1}),
            "6000",
        ),
        (
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "1"}, "Hours": 1,
                "StartTime": "2026-06-18T08:00:00-07:00", "EndTime": "2026-06-18T09:00:00-07:00"}),
            "6000",
        ),
        (
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "1"},
                "StartTime": "2026-06-18T10:00:00-07:00", "EndTime": "2026-06-18T09:00:00-07:00"}),
            "6000",
        ),
        (
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "1"}, "Minutes": 75}),
            "6000",
        ),
        (
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "1"}}),
            "2020",
        ),
        (
            json!({"NameOf": "Vendor", "VendorRef": {"value": "2"},
                "EmployeeRef": {"value": "1"}, "Hours": 1}),
            "6000",
        ),
    ];
    for (body, expected) in refusals {
        let (status, answer) = post(&emu, &http, &access, "timeactivity", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }
    assert_eq!(total(&emu, &http, &access, "TimeActivity").await, count + 2);

    let (status, body) = post(
        &emu,
        &http,
        &access,
        "timeactivity?operation=delete",
        &json!({"Id": span_id, "SyncToken": "0"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(total(&emu, &http, &access, "TimeActivity").await, count + 1);
}

#[tokio::test]
async fn attachables_are_notes_linked_to_records_and_files_keep_their_upload() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let count = total(&emu, &http, &access, "Attachable").await;

    let note = json!({
        "Note": "Customer asked for a copy by post",
        "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "1"}}]
    });
    let (status, body) = post(&emu, &http, &access, "attachable", &note).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created = body["Attachable"].clone();
    assert_eq!(created["Id"], (count + 1).to_string());
    assert_eq!(created["AttachableRef"][0]["IncludeOnSend"], json!(false));
    assert!(created.get("FileName").is_none());
    let (status, body) = query(
        &emu,
        &http,
        &access,
        &format!("select * from Attachable where Id = '{}'", count + 1),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["QueryResponse"]["Attachable"][0], created);
    // A note-only attachable has no file to download.
    let res = http
        .get(api_url(&emu, &format!("download/{}", count + 1)))
        .bearer_auth(&access)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let refusals = [
        (json!({"AttachableRef": []}), "2020"),
        (json!({"Note": "x", "FileName": "scan.pdf"}), "2010"),
        (json!({"Note": "x", "Category": "Spreadsheet"}), "2170"),
        (
            json!({"Note": "x", "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": "999999"}}]}),
            "2500",
        ),
        (
            json!({"Note": "x", "AttachableRef": [{"EntityRef": {"type": "Widget", "value": "1"}}]}),
            "2170",
        ),
    ];
    for (body, expected) in refusals {
        let (status, answer) = post(&emu, &http, &access, "attachable", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }

    // A seeded file's attachable: a new note, the file as uploaded.
    let (_, _, seeded) = api_get(&emu, &http, &access, "attachable/1").await;
    let seeded = seeded["Attachable"].clone();
    let renote = json!({"Id": "1", "SyncToken": "0", "sparse": true, "Note": "filed", "FileName": "other.pdf"});
    let (status, body) = post(&emu, &http, &access, "attachable", &renote).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Attachable"]["Note"], "filed");
    for key in ["FileName", "FileAccessUri", "Size", "ContentType"] {
        assert_eq!(body["Attachable"][key], seeded[key], "{key}");
    }
    // Deleted, it is no longer read or downloaded.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "attachable?operation=delete",
        &json!({"Id": "1", "SyncToken": "1"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let res = http
        .get(api_url(&emu, "download/1"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(total(&emu, &http, &access, "Attachable").await, count);
}

#[tokio::test]
async fn tax_agencies_are_created_once_journal_codes_are_a_name_list_and_neither_is_deleted() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    // A journal code (French companies): a unique name and one of QBO's types.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "journalcode",
        &json!({"Name": "AN", "Type": "Nouveaux", "Description": "A nouveaux"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["JournalCode"]["Active"], json!(true));
    for (journal, expected) in [
        (json!({"Name": "vt", "Type": "Sales"}), "6240"),
        (json!({"Name": "XX", "Type": "Payroll"}), "2170"),
        (json!({"Name": "XX"}), "2020"),
    ] {
        let (status, answer) = post(&emu, &http, &access, "journalcode", &journal).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{journal} -> {answer}"
        );
    }
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "taxagency",
        &json!({"DisplayName": "City Tax Office"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let agency = body["TaxAgency"].clone();
    assert_eq!(agency["TaxTrackedOnSales"], json!(true));
    assert_eq!(agency["TaxTrackedOnPurchases"], json!(false));
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "taxagency",
        &json!({"DisplayName": "city tax office"}),
    )
    .await;
    assert_eq!(code(&body), "6240", "{body}");
    let id = agency["Id"].as_str().expect("id");
    for (rest, body) in [
        (
            "taxagency",
            json!({"Id": id, "SyncToken": "0", "sparse": true, "DisplayName": "Renamed"}),
        ),
        (
            "taxagency?operation=delete",
            json!({"Id": id, "SyncToken": "0"}),
        ),
        (
            "class?operation=delete",
            json!({"Id": "1", "SyncToken": "0"}),
        ),
        (
            "journalcode?operation=delete",
            json!({"Id": "1", "SyncToken": "0"}),
        ),
    ] {
        let (status, answer) = post(&emu, &http, &access, rest, &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, "500"),
            "{rest}: {answer}"
        );
    }
}

/// Every `ColData` label of a report's rows, at any depth, with the row's first amount.
fn labelled(rows: &Value, out: &mut Vec<(String, String)>) {
    for row in rows["Row"].as_array().into_iter().flatten() {
        if let Some(cells) = row["ColData"].as_array() {
            let label = cells[0]["value"].as_str().unwrap_or_default().to_owned();
            let amount = cells
                .get(1)
                .and_then(|c| c["value"].as_str())
                .unwrap_or_default()
                .to_owned();
            out.push((label, amount));
        }
        labelled(&row["Rows"], out);
    }
}

fn amount_of(report: &Value, label: &str) -> Option<String> {
    let mut all = Vec::new();
    labelled(&report["Rows"], &mut all);
    all.into_iter().find(|(l, _)| l == label).map(|(_, a)| a)
}

#[tokio::test]
async fn a_written_account_is_posted_to_and_reported_like_a_seeded_one() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    // Inactive accounts too: a name list counts only active records unless asked.
    let every = "select count(*) from Account where Active in (true, false)";
    let (_, body) = query(&emu, &http, &access, every).await;
    let accounts = body["QueryResponse"]["totalCount"].as_u64().expect("n");
    let active = total(&emu, &http, &access, "Account").await;
    assert!(active < accounts, "{active} of {accounts}");
    let report = |rest: String| {
        let (emu, http, access) = (&emu, &http, &access);
        async move {
            let (status, _, body) = api_get(emu, http, access, &format!("reports/{rest}")).await;
            assert_eq!(status, StatusCode::OK, "{rest}: {body}");
            body
        }
    };

    let (status, body) = post(
        &emu,
        &http,
        &access,
        "account",
        &json!({"Name": "Software Subscriptions", "AccountType": "Expense"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let software = body["Account"].clone();
    let id = software["Id"].as_str().expect("id").to_owned();
    assert_eq!(id, (accounts + 1).to_string());
    assert_eq!(software["Classification"], "Expense");
    assert_eq!(software["AccountSubType"], "OtherMiscellaneousServiceCost");
    assert_eq!(software["CurrentBalance"], json!(0));
    assert_eq!(software["FullyQualifiedName"], "Software Subscriptions");
    // A sub-account under it, named by its full name; the type follows the sub-type.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "account",
        &json!({"Name": "Design Tools", "AccountSubType": "OtherMiscellaneousServiceCost",
                "ParentRef": {"value": id}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let design = body["Account"].clone();
    assert_eq!(
        design["FullyQualifiedName"],
        "Software Subscriptions:Design Tools"
    );
    assert_eq!(design["SubAccount"], json!(true));
    assert_eq!(design["AccountType"], "Expense");

    let refusals = [
        (
            json!({"Name": "software subscriptions", "AccountType": "Expense"}),
            "6240",
        ),
        (json!({"Name": "A:B", "AccountType": "Expense"}), "6000"),
        (json!({"Name": "Widgets", "AccountType": "Gadget"}), "2170"),
        (
            json!({"Name": "Widgets", "AccountType": "Bank", "AccountSubType": "Auto"}),
            "6000",
        ),
        (json!({"Name": "Widgets"}), "2020"),
        (
            json!({"Name": "Widgets", "AccountType": "Bank", "ParentRef": {"value": id}}),
            "6000",
        ),
    ];
    for (body, expected) in refusals {
        let (status, answer) = post(&emu, &http, &access, "account", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }

    // Money spent on both, in a month the seeded books do not reach.
    let expense = |account: &str, amount: f64| {
        json!({"TxnDate": "2030-02-10", "PaymentType": "Check", "AccountRef": {"value": "1"},
               "Line": [{"Amount": amount, "DetailType": "AccountBasedExpenseLineDetail",
                         "AccountBasedExpenseLineDetail": {"AccountRef": {"value": account}}}]})
    };
    let design_id = design["Id"].as_str().expect("id");
    for (account, amount) in [(id.as_str(), 120.0), (design_id, 30.5)] {
        let (status, body) =
            post(&emu, &http, &access, "purchase", &expense(account, amount)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["Purchase"]["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"],
            account
        );
    }
    let month = "start_date=2030-02-01&end_date=2030-02-28";
    let pl = report(format!("ProfitAndLoss?{month}")).await;
    assert_eq!(
        amount_of(&pl, "Software Subscriptions").as_deref(),
        Some("120.00"),
        "{pl}"
    );
    assert_eq!(
        amount_of(&pl, "Software Subscriptions:Design Tools").as_deref(),
        Some("30.50")
    );
    let detail = report(format!("ProfitAndLossDetail?{month}")).await;
    assert!(
        detail
            .to_string()
            .contains("Software Subscriptions:Design Tools")
    );
    let tb = report("TrialBalance?end_date=2030-02-28".to_owned()).await;
    assert_eq!(
        amount_of(&tb, "Software Subscriptions").as_deref(),
        Some("120.00")
    );
    let grand = super::tests_writes::group_summary(&tb["Rows"], "GrandTotal").expect("TOTAL");
    assert_eq!(grand[0], grand[1], "the trial balance still balances");
    let list = report("AccountList".to_owned()).await;
    assert!(
        list.to_string()
            .contains("Software Subscriptions:Design Tools")
    );
    let ledger = report(format!("GeneralLedger?{month}")).await;
    assert!(ledger.to_string().contains("Software Subscriptions"));

    // A seeded account renamed: reports name it anew; it stays an expense account.
    let (_, _, advertising) = api_get(&emu, &http, &access, "account/21").await;
    assert_eq!(advertising["Account"]["Name"], "Advertising");
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "account",
        &json!({"Id": "21", "SyncToken": "0", "sparse": true, "Name": "Marketing"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["Account"]["CurrentBalance"],
        advertising["Account"]["CurrentBalance"]
    );
    let year = report("ProfitAndLoss?start_date=2023-01-01&end_date=2023-12-31".to_owned()).await;
    assert!(amount_of(&year, "Marketing").is_some(), "{year}");
    assert!(amount_of(&year, "Advertising").is_none());
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "account",
        &json!({"Id": "21", "SyncToken": "1", "sparse": true, "AccountType": "Bank"}),
    )
    .await;
    assert_eq!(code(&body), "6000", "{body}");

    // Made inactive, it can no longer be named; it is never deleted.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "account",
        &json!({"Id": design_id, "SyncToken": "0", "sparse": true, "Active": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = post(&emu, &http, &access, "purchase", &expense(design_id, 5.0)).await;
    assert_eq!(code(&body), "610", "{body}");
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "account?operation=delete",
        &json!({"Id": id, "SyncToken": "0"}),
    )
    .await;
    assert_eq!(code(&body), "500", "{body}");
    assert_eq!(total(&emu, &http, &access, "Account").await, active + 1);
    let (_, body) = query(&emu, &http, &access, every).await;
    assert_eq!(body["QueryResponse"]["totalCount"], json!(accounts + 2));
}

#[tokio::test]
async fn recurring_templates_are_written_in_their_wrapper_with_the_next_run_worked_out() {
    let emu = start(EmulatorConfig {
        now: Some(crate::clock::parse_now("2026-06-15T12:00:00-07:00").expect("time")),
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let templates = total(&emu, &http, &access, "RecurringTransaction").await;
    let invoices = total(&emu, &http, &access, "Invoice").await;
    let monthly = |name: &str, amount: f64| {
        json!({"Invoice": {
            "CustomerRef": {"value": "3"},
            "Line": [sale_line("1", 1, amount)],
            "RecurringInfo": {"Name": name, "RecurType": "Automated",
                "ScheduleInfo": {"IntervalType": "Monthly", "NumInterval": 1, "DayOfMonth": 31,
                                 "StartDate": "2026-01-31"}}
        }})
    };
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "recurringtransaction",
        &monthly("Lawn care", 90.0),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let template = body["RecurringTransaction"]["Invoice"].clone();
    let id = template["Id"].as_str().expect("id").to_owned();
    assert_eq!(id, (templates + 1).to_string());
    assert_eq!(template["TotalAmt"], json!(90.0));
    assert_eq!(template["CustomerRef"]["name"], "O'Brien Landscaping");
    // The month's last day when it has no 31st; the first run on or after today.
    assert_eq!(
        template["RecurringInfo"]["ScheduleInfo"]["NextDate"],
        "2026-06-30"
    );
    assert_eq!(template["RecurringInfo"]["Active"], json!(true));
    for key in ["DocNumber", "TxnDate", "DueDate", "Balance"] {
        assert!(
            template.get(key).is_none(),
            "a template has no {key}: {template}"
        );
    }
    let keys: Vec<&str> = template
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let meta = keys
        .iter()
        .position(|k| *k == "MetaData")
        .expect("MetaData");
    assert_eq!(keys[meta + 1], "RecurringInfo");
    let (status, _, read) =
        api_get(&emu, &http, &access, &format!("recurringtransaction/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["RecurringTransaction"]["Invoice"], template);
    assert_eq!(
        total(&emu, &http, &access, "RecurringTransaction").await,
        templates + 1
    );
    assert_eq!(
        total(&emu, &http, &access, "Invoice").await,
        invoices,
        "a template is no invoice"
    );

    // A weekly bill template that has made all its runs has no next one.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "recurringtransaction",
        &json!({"Bill": {
            "VendorRef": {"value": "2"},
            "Line": [{"Amount": 45.0, "DetailType": "AccountBasedExpenseLineDetail",
                      "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "27"}}}],
            "RecurringInfo": {"Name": "Water delivery", "RecurType": "Automated",
                "ScheduleInfo": {"IntervalType": "Weekly", "NumInterval": 1,
                                 "StartDate": "2026-06-01", "MaxOccurrences": 2}}
        }}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let bill = &body["RecurringTransaction"]["Bill"];
    assert!(
        bill["RecurringInfo"]["ScheduleInfo"]
            .get("NextDate")
            .is_none(),
        "{bill}"
    );

    let mut unscheduled = monthly("lawn CARE", 10.0);
    unscheduled["Invoice"]["RecurringInfo"]["RecurType"] = json!("UnScheduled");
    let mut no_schedule = monthly("Snow", 10.0);
    no_schedule["Invoice"]["RecurringInfo"]
        .as_object_mut()
        .expect("info")
        .remove("ScheduleInfo");
    let mut bad_kind = monthly("Snow", 10.0);
    bad_kind["Invoice"]["RecurringInfo"]["RecurType"] = json!("Often");
    let refusals = [
        (unscheduled, "6240"),
        (no_schedule, "2020"),
        (bad_kind, "2170"),
        (
            json!({"Payment": {"CustomerRef": {"value": "3"}, "TotalAmt": 5}}),
            "2170",
        ),
        (json!({"Invoice": {}, "Bill": {}}), "2010"),
        (
            json!({"Invoice": {"CustomerRef": {"value": "3"}, "Line": [sale_line("1", 1, 5.0)]}}),
            "2020",
        ),
    ];
    for (body, expected) in refusals {
        let (status, answer) = post(&emu, &http, &access, "recurringtransaction", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }

    // A full update; a sparse one is refused; a type never changes.
    let mut update = monthly("Lawn care", 120.0);
    update["Invoice"]["Id"] = json!(id);
    update["Invoice"]["SyncToken"] = json!("0");
    let (status, body) = post(&emu, &http, &access, "recurringtransaction", &update).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["RecurringTransaction"]["Invoice"]["TotalAmt"],
        json!(120.0)
    );
    assert_eq!(body["RecurringTransaction"]["Invoice"]["SyncToken"], "1");
    let (_, body) = post(&emu, &http, &access, "recurringtransaction", &update).await;
    assert_eq!(code(&body), "5010", "{body}");
    let sparse =
        json!({"Invoice": {"Id": id, "SyncToken": "1", "sparse": true, "PrivateNote": "x"}});
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "recurringtransaction?operation=update",
        &sparse,
    )
    .await;
    assert_eq!(code(&body), "2010", "{body}");

    let (status, body) = post(
        &emu,
        &http,
        &access,
        "recurringtransaction?operation=delete",
        &json!({"Invoice": {"Id": id, "SyncToken": "1"}}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) =
        api_get(&emu, &http, &access, &format!("recurringtransaction/{id}")).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "610"));
    assert_eq!(
        total(&emu, &http, &access, "RecurringTransaction").await,
        templates + 1
    );
}

#[tokio::test]
async fn the_company_singletons_are_updated_never_created_or_deleted() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, _, before) = api_get(&emu, &http, &access, "preferences").await;
    let before = before["Preferences"].clone();
    let sales = before["SalesFormsPrefs"].clone();
    let sparse = json!({"Id": "1", "SyncToken": "0", "sparse": true,
                        "SalesFormsPrefs": {"AllowDiscount": true, "AllowShipping": true}});
    let (status, body) = post(&emu, &http, &access, "preferences", &sparse).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = body["Preferences"].clone();
    assert_eq!(after["SalesFormsPrefs"]["AllowDiscount"], json!(true));
    assert_eq!(after["SalesFormsPrefs"]["AllowShipping"], json!(true));
    // The section's other fields and the other sections stay as they were, in QBO's order.
    assert_eq!(
        after["SalesFormsPrefs"]["DefaultTerms"],
        sales["DefaultTerms"]
    );
    assert_eq!(after["AccountingInfoPrefs"], before["AccountingInfoPrefs"]);
    assert_eq!(after["SyncToken"], "1");
    let order =
        |v: &Value| -> Vec<String> { v.as_object().expect("object").keys().cloned().collect() };
    assert_eq!(order(&after), order(&before));
    let (_, _, read) = api_get(&emu, &http, &access, "preferences").await;
    assert_eq!(read["Preferences"], after);

    let refusals = [
        (json!({"SalesFormsPrefs": {"AllowDiscount": "yes"}}), "2010"),
        (json!({"SalesFormsPrefs": {"Teleport": true}}), "2010"),
        (json!({"WarpPrefs": {"On": true}}), "2010"),
        (
            json!({"CurrencyPrefs": {"MultiCurrencyEnabled": true}}),
            "6000",
        ),
    ];
    for (change, expected) in refusals {
        let mut body = json!({"Id": "1", "SyncToken": "1", "sparse": true});
        body.as_object_mut()
            .expect("object")
            .extend(change.as_object().expect("object").clone());
        let (status, answer) = post(&emu, &http, &access, "preferences", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }

    let (_, _, company) = api_get(
        &emu,
        &http,
        &access,
        &format!("companyinfo/{DEFAULT_REALM_ID}"),
    )
    .await;
    let company = company["CompanyInfo"].clone();
    let token: u64 = company["SyncToken"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("SyncToken");
    let rename = json!({"Id": "1", "SyncToken": token.to_string(), "sparse": true,
                        "CompanyName": "Northwind Comfort"});
    let (status, body) = post(&emu, &http, &access, "companyinfo", &rename).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["CompanyInfo"]["CompanyName"], "Northwind Comfort");
    assert_eq!(body["CompanyInfo"]["Country"], company["Country"]);
    let (_, _, read) = api_get(
        &emu,
        &http,
        &access,
        &format!("companyinfo/{DEFAULT_REALM_ID}"),
    )
    .await;
    assert_eq!(read["CompanyInfo"], body["CompanyInfo"]);
    for (rest, body, expected) in [
        (
            "companyinfo",
            json!({"Id": "1", "SyncToken": (token + 1).to_string(), "sparse": true, "CompanyName": " "}),
            "2020",
        ),
        (
            "companyinfo",
            json!({"Id": "1", "SyncToken": (token + 1).to_string(), "sparse": true, "Country": "FR"}),
            "6000",
        ),
        (
            "companyinfo",
            json!({"CompanyName": "Second company"}),
            "500",
        ),
        (
            "preferences?operation=delete",
            json!({"Id": "1", "SyncToken": "1"}),
            "500",
        ),
    ] {
        let (status, answer) = post(&emu, &http, &access, rest, &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{rest} {body} -> {answer}"
        );
    }
}

#[tokio::test]
async fn a_multicurrency_company_adds_currencies_by_code() {
    let emu = start(EmulatorConfig {
        multicurrency: true,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "companycurrency",
        &json!({"Code": "jpy"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let yen = body["CompanyCurrency"].clone();
    assert_eq!(
        (yen["Code"].clone(), yen["Name"].clone()),
        (json!("JPY"), json!("Japanese Yen"))
    );
    assert_eq!(yen["Active"], json!(true));
    let id = yen["Id"].as_str().expect("id").to_owned();
    let (status, body) = query(
        &emu,
        &http,
        &access,
        "select * from CompanyCurrency where Code = 'JPY'",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["QueryResponse"]["CompanyCurrency"][0], yen);

    for (body, expected) in [
        (json!({"Code": "EUR"}), "6240"),
        (json!({"Code": "USD"}), "6000"),
        (json!({"Code": "XYZ"}), "2170"),
        (json!({"Name": "Yen"}), "2020"),
        (
            json!({"Id": id, "SyncToken": "0", "sparse": true, "Code": "KRW"}),
            "6000",
        ),
    ] {
        let (status, answer) = post(&emu, &http, &access, "companycurrency", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "companycurrency",
        &json!({"Id": id, "SyncToken": "0", "sparse": true, "Active": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["CompanyCurrency"]["Active"], json!(false));
    // The books' customers pay in CAD: it stays active.
    let (_, body) = query(
        &emu,
        &http,
        &access,
        "select * from CompanyCurrency where Code = 'CAD'",
    )
    .await;
    let cad = body["QueryResponse"]["CompanyCurrency"][0].clone();
    let (_, body) = post(
        &emu,
        &http,
        &access,
        "companycurrency",
        &json!({"Id": cad["Id"], "SyncToken": cad["SyncToken"], "sparse": true, "Active": false}),
    )
    .await;
    assert_eq!(code(&body), "6000", "{body}");

    let single = start(EmulatorConfig::default()).await;
    let (access, _) = login(&single, &http).await;
    let (_, body) = post(
        &single,
        &http,
        &access,
        "companycurrency",
        &json!({"Code": "JPY"}),
    )
    .await;
    assert_eq!(code(&body), "6000", "multicurrency off: {body}");
}

/// A `multipart/form-data` body of `parts` (name, file name, content type, bytes).
fn multipart(parts: &[(&str, Option<&str>, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "qbo-emulator-test-boundary";
    let mut body = Vec::new();
    for (name, file_name, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let file = file_name.map_or_else(String::new, |f| format!("; filename=\"{f}\""));
        body.extend_from_slice(
            format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\nContent-Type: {content_type}\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    parts: &[(&str, Option<&str>, &str, &[u8])],
) -> (StatusCode, Value) {
    let (content_type, body) = multipart(parts);
    let res = http
        .post(api_url(emu, "upload?requestid=up-1"))
        .bearer_auth(access)
        .header("Accept", "application/json")
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .expect("POST");
    let status = res.status();
    let text = res.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("JSON"))
}

#[tokio::test]
async fn files_are_uploaded_as_multipart_and_linked_to_records() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let count = total(&emu, &http, &access, "Attachable").await;
    let receipt = vec![7u8; 150_000];
    let metadata = json!({"AttachableRef": [{"EntityRef": {"type": "Bill", "value": "2"}}],
                          "Category": "Receipt", "FileName": "fuel-receipt.pdf"})
    .to_string();
    let bad =
        json!({"AttachableRef": [{"EntityRef": {"type": "Bill", "value": "999999"}}]}).to_string();
    let parts: [(&str, Option<&str>, &str, &[u8]); 4] = [
        (
            "file_metadata_01",
            None,
            "application/json",
            metadata.as_bytes(),
        ),
        (
            "file_content_01",
            Some("scan0001.pdf"),
            "application/pdf",
            &receipt,
        ),
        ("file_metadata_02", None, "application/json", bad.as_bytes()),
        (
            "file_content_02",
            Some("photo.jpg"),
            "image/jpeg",
            b"\xff\xd8\xff",
        ),
    ];
    let (status, body) = upload(&emu, &http, &access, &parts).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answers = body["AttachableResponse"].as_array().expect("answers");
    assert_eq!(answers.len(), 2, "{body}");
    let file = answers[0]["Attachable"].clone();
    let id = file["Id"].as_str().expect("id").to_owned();
    assert_eq!(id, (count + 1).to_string());
    assert_eq!(
        file["FileName"], "fuel-receipt.pdf",
        "the metadata's name wins"
    );
    assert_eq!(file["ContentType"], "application/pdf");
    assert_eq!(file["Size"], json!(150_000));
    assert_eq!(file["Category"], "Receipt");
    assert_eq!(file["AttachableRef"][0]["EntityRef"]["value"], "2");
    assert!(
        file["FileAccessUri"]
            .as_str()
            .is_some_and(|u| u.ends_with(&format!("/download/{id}")))
    );
    assert_eq!(answers[1]["Fault"]["Error"][0]["code"], "2500", "{body}");
    // Read, found by the record it is linked to, and downloaded.
    let (_, _, read) = api_get(&emu, &http, &access, &format!("attachable/{id}")).await;
    assert_eq!(read["Attachable"], file);
    let res = http
        .get(api_url(&emu, &format!("download/{id}")))
        .bearer_auth(&access)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.text().await.expect("text"),
        file["TempDownloadUri"].as_str().expect("uri")
    );
    // The same requestid again creates nothing twice.
    let (_, again) = upload(&emu, &http, &access, &parts).await;
    assert_eq!(
        again["AttachableResponse"][0]["Attachable"]["Id"],
        json!(id)
    );
    assert_eq!(total(&emu, &http, &access, "Attachable").await, count + 1);
    // A JSON update keeps the uploaded file's fields.
    let (status, body) = post(
        &emu,
        &http,
        &access,
        "attachable",
        &json!({"Id": id, "SyncToken": "0", "sparse": true, "Note": "fuel, June", "Size": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Attachable"]["Size"], json!(150_000));

    // As python-quickbooks sends it: LF line ends, the file base64-encoded, its name in the
    // metadata only.
    let boundary = "-------------PythonMultipartPost";
    let lf = format!(
        "\n--{boundary}\nContent-Disposition: form-data; name=\"file_metadata_01\"\nContent-Type: application/json\n\n{}\n\n--{boundary}\nContent-Disposition: form-data; name=\"file_content_01\"\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQgdGVzdA==\n\n--{boundary}--\n",
        json!({"FileName": "receipt.pdf", "ContentType": "application/pdf",
               "AttachableRef": [{"EntityRef": {"type": "Bill", "value": "2"}}]})
    );
    let res = http
        .post(api_url(&emu, "upload"))
        .bearer_auth(&access)
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(lf)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = serde_json::from_str(&res.text().await.expect("body")).expect("JSON");
    let uploaded = &body["AttachableResponse"][0]["Attachable"];
    assert_eq!(uploaded["FileName"], "receipt.pdf", "{body}");
    assert_eq!(uploaded["Size"], json!(13), "the decoded bytes: {body}");

    // Not multipart, or no file part: refused.
    let (status, body) = post(&emu, &http, &access, "upload", &json!({"FileName": "x"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "2010"),
        "{body}"
    );
    let lonely: [(&str, Option<&str>, &str, &[u8]); 1] = [(
        "file_metadata_01",
        None,
        "application/json",
        metadata.as_bytes(),
    )];
    let (status, body) = {
        let (content_type, bytes) = multipart(&lonely);
        let res = http
            .post(api_url(&emu, "upload"))
            .bearer_auth(&access)
            .header("Content-Type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("POST");
        let status = res.status();
        let text = res.text().await.expect("body");
        (status, serde_json::from_str::<Value>(&text).expect("JSON"))
    };
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["AttachableResponse"][0]["Fault"]["Error"][0]["code"],
        "2010"
    );
}

#[tokio::test]
async fn the_tax_service_creates_a_code_and_its_rates_or_nothing() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let codes = total(&emu, &http, &access, "TaxCode").await;
    let rates = total(&emu, &http, &access, "TaxRate").await;
    let request = json!({
        "TaxCode": "County Tax",
        "TaxRateDetails": [
            {"TaxRateName": "County 1.25%", "RateValue": "1.25", "TaxAgencyId": "1", "TaxApplicableOn": "Sales"},
            {"TaxRateId": "1"}
        ]
    });
    let (status, body) = post(&emu, &http, &access, "taxservice/taxcode", &request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["TaxCode"], "County Tax");
    let code_id = body["TaxCodeId"].as_str().expect("id").to_owned();
    assert_eq!(code_id, (codes + 1).to_string());
    let new_rate = body["TaxRateDetails"][0].clone();
    assert_eq!(new_rate["TaxRateId"], (rates + 1).to_string());
    assert_eq!(new_rate["RateValue"], json!(1.25));
    assert_eq!(body["TaxRateDetails"][1]["TaxRateId"], "1");
    assert!(
        body.get("time").is_none(),
        "the TaxService answers its own shape: {body}"
    );

    let (_, _, read) = api_get(&emu, &http, &access, &format!("taxcode/{code_id}")).await;
    let tax_code = &read["TaxCode"];
    assert_eq!(tax_code["Name"], "County Tax");
    assert_eq!(tax_code["TaxGroup"], json!(true));
    let details = tax_code["SalesTaxRateList"]["TaxRateDetail"]
        .as_array()
        .expect("rates");
    assert_eq!(details.len(), 2);
    assert_eq!(details[0]["TaxRateRef"]["name"], "County 1.25%");
    let (_, _, rate) = api_get(&emu, &http, &access, &format!("taxrate/{}", rates + 1)).await;
    assert_eq!(rate["TaxRate"]["AgencyRef"]["value"], "1");
    assert_eq!(rate["TaxRate"]["RateValue"], json!(1.25));

    // Refused whole: no rate is left behind by a request that fails on a later entry.
    for (body, expected) in [
        (
            json!({"TaxCode": "county tax", "TaxRateDetails": [{"TaxRateId": "1"}]}),
            "6240",
        ),
        (json!({"TaxCode": "City", "TaxRateDetails": []}), "2020"),
        (
            json!({"TaxCode": "City", "TaxRateDetails": [
            {"TaxRateName": "City 2%", "RateValue": 2, "TaxAgencyId": "1"},
            {"TaxRateName": "City 3%", "RateValue": 3, "TaxAgencyId": "99"}]}),
            "2500",
        ),
        (
            json!({"TaxCode": "City", "TaxRateDetails": [
            {"TaxRateName": "City 2%", "RateValue": 250, "TaxAgencyId": "1"}]}),
            "6000",
        ),
        (
            json!({"TaxCode": "City", "TaxRateDetails": [
            {"TaxRateName": "County 1.25%", "RateValue": 2, "TaxAgencyId": "1"}]}),
            "6240",
        ),
        (
            json!({"TaxCode": "City", "TaxRateDetails": [{"TaxRateId": "999"}]}),
            "2500",
        ),
    ] {
        let (status, answer) = post(&emu, &http, &access, "taxservice/taxcode", &body).await;
        assert_eq!(
            (status, code(&answer)),
            (StatusCode::BAD_REQUEST, expected),
            "{body} -> {answer}"
        );
    }
    assert_eq!(total(&emu, &http, &access, "TaxRate").await, rates + 1);
    assert_eq!(total(&emu, &http, &access, "TaxCode").await, codes + 1);
}

#[tokio::test]
async fn writes_as_clients_that_send_every_field_send_them() {
    // python-quickbooks sends each field of its classes, "" for those left unset.
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let invoice = json!({
        "CustomerRef": {"value": "3"}, "TxnDate": "", "DueDate": "", "DocNumber": "",
        "PrivateNote": "", "Line": [sale_line("1", 1, 40.0)]
    });
    let (status, body) = post(&emu, &http, &access, "invoice", &invoice).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let written = &body["Invoice"];
    assert!(
        written["TxnDate"].as_str().is_some_and(|d| d.len() == 10),
        "{written}"
    );
    assert!(
        written["DocNumber"].as_str().is_some_and(|d| !d.is_empty()),
        "{written}"
    );
    for (resource, record) in [
        ("paymentmethod", json!({"Name": "Zelle", "Type": ""})),
        (
            "account",
            json!({"Name": "Fuel", "AccountType": "Expense", "AccountSubType": ""}),
        ),
        (
            "estimate",
            json!({"CustomerRef": {"value": "3"}, "TxnStatus": "", "ExpirationDate": "",
                             "Line": [sale_line("1", 1, 10.0)]}),
        ),
        (
            "timeactivity",
            json!({"NameOf": "Employee", "EmployeeRef": {"value": "1"}, "Hours": 1,
                                 "StartTime": "", "EndTime": "", "HourlyRate": ""}),
        ),
        (
            "purchase",
            json!({"PaymentType": "Check", "AccountRef": {"value": "1"}, "TxnDate": "",
                             "Line": [{"Amount": 5.0, "DetailType": "AccountBasedExpenseLineDetail",
                                       "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "27"}}}]}),
        ),
    ] {
        let (status, body) = post(&emu, &http, &access, resource, &record).await;
        assert_eq!(status, StatusCode::OK, "{resource}: {body}");
    }
}
