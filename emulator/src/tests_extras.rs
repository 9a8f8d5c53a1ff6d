//! Loopback tests of the records beside the postings: attachments point at invoices and bills
//! that exist, budget lines at accounts, time activities at employees, vendors, customers and
//! items; exchange rates read by currency and day agree with the query; the name-list rule for
//! budgets and currencies; 4001 on the fields QBO cannot filter on; CDC refuses journal codes.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{api_get, client, login, query, start};
use super::*;

async fn all(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    q: &str,
    key: &str,
) -> Vec<Value> {
    let (status, body) = query(emu, http, access, q).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    body["QueryResponse"][key]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

async fn count(emu: &Emulator, http: &reqwest::Client, access: &str, q: &str) -> u64 {
    let (status, body) = query(emu, http, access, q).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    body["QueryResponse"]["totalCount"].as_u64().expect("count")
}

async fn fault_4001(emu: &Emulator, http: &reqwest::Client, access: &str, q: &str) -> String {
    let (status, body) = query(emu, http, access, q).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
    assert_eq!(body["Fault"]["Error"][0]["code"], "4001", "{q}: {body}");
    body["Fault"]["Error"][0]["Detail"]
        .as_str()
        .unwrap_or("")
        .to_owned()
}

/// Reads `entity/id` and returns the record (asserting it exists).
async fn read(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    entity: &str,
    id: &str,
) -> Value {
    let (status, _, body) = api_get(
        emu,
        http,
        access,
        &format!("{}/{id}", entity.to_lowercase()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{entity} {id}: {body}");
    body[entity].clone()
}

#[tokio::test]
async fn attachments_belong_to_invoices_and_bills_that_exist() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let files = all(
        &emu,
        &http,
        &access,
        "select * from Attachable maxresults 1000",
        "Attachable",
    )
    .await;
    assert_eq!(
        files.len() as u64,
        count(&emu, &http, &access, "select count(*) from Attachable").await
    );
    let mut kinds = HashSet::new();
    for file in files.iter().step_by(7) {
        let target = &file["AttachableRef"][0]["EntityRef"];
        let kind = target["type"].as_str().expect("type");
        kinds.insert(kind.to_owned());
        let record = read(
            &emu,
            &http,
            &access,
            kind,
            target["value"].as_str().expect("id"),
        )
        .await;
        let name = file["FileName"].as_str().expect("file name");
        if kind == "Invoice" {
            assert!(
                name.contains(record["DocNumber"].as_str().expect("doc")),
                "{name}"
            );
        }
        assert!(file["Size"].as_u64().is_some_and(|s| s > 0));
        assert!(
            file["ContentType"]
                .as_str()
                .is_some_and(|c| c.contains('/'))
        );
        let id = file["Id"].as_str().expect("id");
        assert!(
            file["FileAccessUri"]
                .as_str()
                .is_some_and(|u| u.ends_with(&format!("/download/{id}")))
        );
        assert!(
            file["TempDownloadUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
        );
        assert!(
            file["MetaData"]["CreateTime"].as_str() > record["MetaData"]["CreateTime"].as_str()
        );
    }
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    let receipts = count(
        &emu,
        &http,
        &access,
        "select count(*) from Attachable where ContentType = 'application/pdf' and FileName like 'vendor-receipt%'",
    )
    .await;
    assert!(receipts > 0);
    let detail = fault_4001(
        &emu,
        &http,
        &access,
        "select * from Attachable where Note = 'x'",
    )
    .await;
    assert!(detail.contains("'Note' is not queryable"), "{detail}");
    emu.shutdown().await;
}

#[tokio::test]
async fn budgets_plan_each_month_of_their_year_on_accounts_that_exist() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let every = all(
        &emu,
        &http,
        &access,
        "select * from Budget where Active IN (true, false)",
        "Budget",
    )
    .await;
    let active = count(&emu, &http, &access, "select count(*) from Budget").await;
    assert!(
        every.len() as u64 > active && active > 0,
        "{} {active}",
        every.len()
    );
    for budget in &every {
        assert_eq!(budget["BudgetType"], "ProfitAndLoss");
        assert_eq!(budget["BudgetEntryType"], "Monthly");
        let start = budget["StartDate"].as_str().expect("start");
        let end = budget["EndDate"].as_str().expect("end");
        assert!(start.ends_with("-01-01") && end.ends_with("-12-31") && start[..4] == end[..4]);
        let lines = budget["BudgetDetail"].as_array().expect("lines");
        let months: HashSet<&str> = lines
            .iter()
            .filter_map(|l| l["BudgetDate"].as_str())
            .collect();
        assert_eq!(months.len(), 12);
        assert!(
            months
                .iter()
                .all(|m| m[..4] == start[..4] && m.ends_with("-01"))
        );
        let accounts: HashSet<&str> = lines
            .iter()
            .filter_map(|l| l["AccountRef"]["value"].as_str())
            .collect();
        assert_eq!(lines.len(), 12 * accounts.len());
        for line in lines.iter().take(accounts.len()) {
            let account = read(
                &emu,
                &http,
                &access,
                "Account",
                line["AccountRef"]["value"].as_str().expect("id"),
            )
            .await;
            assert_eq!(account["Name"], line["AccountRef"]["name"]);
            assert!(matches!(
                account["Classification"].as_str(),
                Some("Revenue" | "Expense")
            ));
            assert!(line["Amount"].as_f64().is_some_and(|a| a > 0.0));
        }
    }
    let detail = fault_4001(
        &emu,
        &http,
        &access,
        "select * from Budget where StartDate = '2024-01-01'",
    )
    .await;
    assert!(detail.contains("'StartDate' is not queryable"), "{detail}");
    emu.shutdown().await;
}

#[tokio::test]
async fn time_activities_are_of_employees_and_vendors_for_customers_that_exist() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let times = all(
        &emu,
        &http,
        &access,
        "select * from TimeActivity maxresults 1000",
        "TimeActivity",
    )
    .await;
    assert!(!times.is_empty());
    let mut of = HashSet::new();
    for time in times.iter().step_by(9) {
        let name_of = time["NameOf"].as_str().expect("NameOf");
        of.insert(name_of.to_owned());
        let worker = &time[format!("{name_of}Ref").as_str()];
        let record = read(
            &emu,
            &http,
            &access,
            name_of,
            worker["value"].as_str().expect("id"),
        )
        .await;
        assert_eq!(record["DisplayName"], worker["name"]);
        if name_of == "Employee" {
            assert_eq!(record["Active"], true);
        }
        let customer = read(
            &emu,
            &http,
            &access,
            "Customer",
            time["CustomerRef"]["value"].as_str().expect("id"),
        )
        .await;
        assert_eq!(customer["DisplayName"], time["CustomerRef"]["name"]);
        let item = read(
            &emu,
            &http,
            &access,
            "Item",
            time["ItemRef"]["value"].as_str().expect("id"),
        )
        .await;
        assert_eq!(item["Type"], "Service");
        assert!(time["Hours"].as_u64().is_some_and(|h| (1..=7).contains(&h)));
        assert!(time["Minutes"].as_u64().is_some_and(|m| m < 60));
        assert!(time["HourlyRate"].as_f64().is_some_and(|r| r > 0.0));
        assert!(time["BillableStatus"].is_string() && time["TxnDate"].is_string());
    }
    assert_eq!(of.len(), 2, "{of:?}");
    let middle = times[times.len() / 2]["TxnDate"].as_str().expect("date");
    let dated = count(
        &emu,
        &http,
        &access,
        &format!("select count(*) from TimeActivity where TxnDate >= '{middle}'"),
    )
    .await;
    let total = count(&emu, &http, &access, "select count(*) from TimeActivity").await;
    assert!(dated > 0 && dated < total, "{dated} of {total}");
    for field in ["EmployeeRef", "CustomerRef", "NameOf"] {
        let detail = fault_4001(
            &emu,
            &http,
            &access,
            &format!("select * from TimeActivity where {field} = '1'"),
        )
        .await;
        assert!(detail.contains("is not queryable"), "{detail}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn exchange_rates_read_by_currency_and_day_agree_with_the_query() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let day = all(
        &emu,
        &http,
        &access,
        "select * from exchangerate where asofdate = '2024-03-05'",
        "ExchangeRate",
    )
    .await;
    let currencies = all(
        &emu,
        &http,
        &access,
        "select * from CompanyCurrency where Active IN (true, false)",
        "CompanyCurrency",
    )
    .await;
    assert_eq!(day.len(), currencies.len());
    for rate in &day {
        assert_eq!(rate["AsOfDate"], "2024-03-05");
        assert_eq!(rate["TargetCurrencyCode"], "USD");
        let code = rate["SourceCurrencyCode"].as_str().expect("code");
        assert!(currencies.iter().any(|c| c["Code"] == code));
        let (status, _, read) = api_get(
            &emu,
            &http,
            &access,
            &format!("exchangerate?sourcecurrencycode={code}&asofdate=2024-03-05"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{read}");
        assert_eq!(&read["ExchangeRate"], rate);
        assert!(rate["Rate"].as_f64().is_some_and(|r| r > 0.0));
    }
    // Past the books: the last rate there is; without a date: today's (the last one too).
    let (_, _, late) = api_get(
        &emu,
        &http,
        &access,
        "exchangerate?sourcecurrencycode=eur&asofdate=2030-01-01",
    )
    .await;
    let (_, _, today) = api_get(&emu, &http, &access, "exchangerate?sourcecurrencycode=EUR").await;
    assert_eq!(late["ExchangeRate"], today["ExchangeRate"]);
    assert_eq!(late["ExchangeRate"]["SourceCurrencyCode"], "EUR");
    let (status, _, missing) =
        api_get(&emu, &http, &access, "exchangerate?asofdate=2024-03-05").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(missing["Fault"]["Error"][0]["code"], "2020", "{missing}");
    let (status, _, unknown) =
        api_get(&emu, &http, &access, "exchangerate?sourcecurrencycode=XYZ").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown["Fault"]["Error"][0]["code"], "610", "{unknown}");
    let eur = count(
        &emu,
        &http,
        &access,
        "select count(*) from ExchangeRate where SourceCurrencyCode in ('EUR', 'GBP') and AsOfDate >= '2024-01-01' and AsOfDate <= '2024-01-31'",
    )
    .await;
    assert_eq!(eur, 62);
    let detail = fault_4001(
        &emu,
        &http,
        &access,
        "select * from ExchangeRate orderby Id",
    )
    .await;
    assert!(detail.contains("'Id' is not sortable"), "{detail}");
    emu.shutdown().await;
}

#[tokio::test]
async fn currencies_journal_codes_and_recurring_templates() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let active = all(
        &emu,
        &http,
        &access,
        "select * from CompanyCurrency",
        "CompanyCurrency",
    )
    .await;
    let every = count(
        &emu,
        &http,
        &access,
        "select count(*) from CompanyCurrency where Active IN (true, false)",
    )
    .await;
    assert!(active.iter().all(|c| c["Active"] == true));
    assert!(every > active.len() as u64);
    assert!(
        active
            .iter()
            .all(|c| c["Code"].as_str().is_some_and(|c| c.len() == 3))
    );

    let codes = all(
        &emu,
        &http,
        &access,
        "select * from JournalCode",
        "JournalCode",
    )
    .await;
    assert!(
        codes.iter().any(|c| c["Active"] == false),
        "no name-list rule for journal codes"
    );
    assert!(
        codes
            .iter()
            .all(|c| c["Type"].is_string() && c["Description"].is_string())
    );
    let detail = fault_4001(
        &emu,
        &http,
        &access,
        "select * from JournalCode where Type = 'Sales'",
    )
    .await;
    assert!(detail.contains("'Type' is not queryable"), "{detail}");

    let templates = all(
        &emu,
        &http,
        &access,
        "select * from RecurringTransaction",
        "RecurringTransaction",
    )
    .await;
    assert!(!templates.is_empty());
    for template in &templates {
        let invoice = &template["Invoice"];
        assert_eq!(template.as_object().map(|o| o.len()), Some(1));
        let info = &invoice["RecurringInfo"];
        assert!(info["Name"].is_string() && info["RecurType"].is_string());
        assert_eq!(info["ScheduleInfo"]["IntervalType"], "Monthly");
        let customer = read(
            &emu,
            &http,
            &access,
            "Customer",
            invoice["CustomerRef"]["value"].as_str().expect("id"),
        )
        .await;
        assert_eq!(customer["DisplayName"], invoice["CustomerRef"]["name"]);
        let item = &invoice["Line"][0]["SalesItemLineDetail"]["ItemRef"];
        let item = read(
            &emu,
            &http,
            &access,
            "Item",
            item["value"].as_str().expect("id"),
        )
        .await;
        assert_eq!(item["Active"], true);
        assert_eq!(invoice["TotalAmt"], invoice["Line"][0]["Amount"]);
        let id = invoice["Id"].as_str().expect("id");
        let read = read(&emu, &http, &access, "RecurringTransaction", id).await;
        assert_eq!(&read, template);
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn cdc_covers_the_new_entities_but_journal_codes() {
    let emu = start(EmulatorConfig {
        now: Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_758_297_600)),
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (status, _, body) = api_get(
        &emu,
        &http,
        &access,
        "cdc?entities=Attachable,Budget,CompanyCurrency,RecurringTransaction,ExchangeRate&changedSince=2025-09-01",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answers = body["CDCResponse"][0]["QueryResponse"]
        .as_array()
        .expect("answers");
    assert_eq!(answers.len(), 5);
    let rates = answers[4]["ExchangeRate"].as_array().expect("recent rates");
    assert!(
        rates
            .iter()
            .all(|r| r["AsOfDate"].as_str() >= Some("2025-09-01"))
    );
    let (status, _, body) = api_get(
        &emu,
        &http,
        &access,
        "cdc?entities=Budget,JournalCode&changedSince=2025-09-01",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["Fault"]["Error"][0]["Detail"]
            .as_str()
            .is_some_and(|d| d.contains("CDC is not supported for JournalCode")),
        "{body}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn statements_clients_send_for_these_entities() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let entities = [
        "Attachable",
        "Budget",
        "CompanyCurrency",
        "JournalCode",
        "RecurringTransaction",
        "TimeActivity",
    ];
    for entity in entities {
        // python-quickbooks: `count()`, `all()`, `filter(Id=...)` (budget 1 is inactive).
        let n = count(
            &emu,
            &http,
            &access,
            &format!("SELECT COUNT(*) FROM {entity} "),
        )
        .await;
        assert!(n > 0, "{entity}");
        let page = all(
            &emu,
            &http,
            &access,
            &format!("SELECT * FROM {entity} MAXRESULTS 100"),
            entity,
        )
        .await;
        assert_eq!(page.len() as u64, n.min(100), "{entity}");
        let one = all(
            &emu,
            &http,
            &access,
            &format!("SELECT * FROM {entity} WHERE Id = '2'"),
            entity,
        )
        .await;
        assert_eq!(one.len(), 1, "{entity}");
        // Airbyte's source-quickbooks: a window on LastUpdatedTime, oldest first.
        let window = all(
            &emu,
            &http,
            &access,
            &format!(
                "SELECT * FROM {entity} WHERE Metadata.LastUpdatedTime > '2020-01-01T00:00:00+00:00' \
                 AND Metadata.LastUpdatedTime <= '2026-01-01T00:00:00+00:00' \
                 ORDER BY Metadata.LastUpdatedTime ASC STARTPOSITION 1 MAXRESULTS 1000"
            ),
            entity,
        )
        .await;
        assert!(!window.is_empty(), "{entity}");
        // node-quickbooks: lower-case entity and keywords.
        let lower = all(
            &emu,
            &http,
            &access,
            &format!(
                "select * from {} startposition 1 maxresults 1000",
                entity.to_lowercase()
            ),
            entity,
        )
        .await;
        assert!(!lower.is_empty(), "{entity}");
    }
    let rates = all(
        &emu,
        &http,
        &access,
        "SELECT * FROM ExchangeRate WHERE SourceCurrencyCode = 'EUR' AND AsOfDate = '2024-03-05'",
        "ExchangeRate",
    )
    .await;
    assert_eq!(rates.len(), 1);
    let rates = all(
        &emu,
        &http,
        &access,
        "select * from exchangerate where sourcecurrencycode in ('EUR', 'INR') maxresults 10",
        "ExchangeRate",
    )
    .await;
    assert!(rates.len() == 10 && rates.iter().all(|r| r["SourceCurrencyCode"] == "EUR"));

    // tap-quickbooks: one `Query` per stream in a single batch.
    let items: Vec<Value> = entities
        .iter()
        .enumerate()
        .map(|(k, entity)| {
            let active = if matches!(*entity, "Budget" | "CompanyCurrency") {
                " AND Active IN (true, false)"
            } else {
                ""
            };
            serde_json::json!({
                "bId": k.to_string(),
                "Query": format!(
                    "SELECT * FROM {entity} WHERE Metadata.LastUpdatedTime >= \
                     '2000-01-01T00:00:00Z'{active} ORDER BY Metadata.LastUpdatedTime ASC \
                     STARTPOSITION 1 MAXRESULTS 1000"
                ),
            })
        })
        .collect();
    let res = http
        .post(super::tests::api_url(&emu, "batch?minorversion=75"))
        .bearer_auth(&access)
        .header("Content-Type", "application/json")
        .body(serde_json::json!({ "BatchItemRequest": items }).to_string())
        .send()
        .await
        .expect("batch");
    let (status, _, body) = super::tests::json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answers = body["BatchItemResponse"].as_array().expect("items");
    assert_eq!(answers.len(), entities.len());
    for (answer, entity) in answers.iter().zip(entities) {
        let rows = answer["QueryResponse"][entity].as_array();
        assert!(rows.is_some_and(|r| !r.is_empty()), "{entity}: {answer}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_transactions_attachments_are_found_by_its_reference_and_downloaded_by_id() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let found = all(
        &emu,
        &http,
        &access,
        "select Id from attachable where AttachableRef.EntityRef.Type = 'invoice' \
         and AttachableRef.EntityRef.value = '21'",
        "Attachable",
    )
    .await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["sparse"], true);
    let id = found[0]["Id"].as_str().expect("id");
    let file = read(&emu, &http, &access, "Attachable", id).await;
    assert_eq!(file["AttachableRef"][0]["EntityRef"]["type"], "Invoice");
    assert_eq!(file["AttachableRef"][0]["EntityRef"]["value"], "21");
    let bills = count(
        &emu,
        &http,
        &access,
        "select count(*) from Attachable where AttachableRef.EntityRef.Type = 'Bill'",
    )
    .await;
    let all_files = count(&emu, &http, &access, "select count(*) from Attachable").await;
    assert!(bills > 0 && bills < all_files);

    let res = http
        .get(super::tests::api_url(&emu, &format!("download/{id}")))
        .bearer_auth(&access)
        .header("Accept", "text/plain")
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.expect("text");
    assert_eq!(text, file["TempDownloadUri"].as_str().expect("uri"));
    let (status, _, body) = api_get(&emu, &http, &access, "download/999999").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["Fault"]["Error"][0]["code"], "610", "{body}");
    emu.shutdown().await;
}

/// The data rows of a report at any depth, each as its cells' values by column key.
fn keyed_rows(report: &Value) -> Vec<std::collections::HashMap<String, String>> {
    let keys: Vec<String> = report["Columns"]["Column"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            c["MetaData"][0]["Value"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    fn walk(
        rows: &Value,
        keys: &[String],
        out: &mut Vec<std::collections::HashMap<String, String>>,
    ) {
        for row in rows["Row"].as_array().into_iter().flatten() {
            if row["type"] == "Data" {
                let cells = row["ColData"].as_array().cloned().unwrap_or_default();
                out.push(
                    keys.iter()
                        .zip(cells)
                        .map(|(k, c)| {
                            (
                                k.clone(),
                                c["value"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect(),
                );
            }
            walk(&row["Rows"], keys, out);
        }
    }
    let mut out = Vec::new();
    walk(&report["Rows"], &keys, &mut out);
    out
}

#[tokio::test]
async fn detail_reports_of_a_multicurrency_company_show_each_transactions_currency_and_home_amounts()
 {
    let emu = start(EmulatorConfig {
        multicurrency: true,
        now: Some(crate::clock::parse_now("2023-06-30T12:00:00-07:00").expect("time")),
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let mut invoices: std::collections::HashMap<String, Value> = Default::default();
    for start in (1..).step_by(1000) {
        let page = all(
            &emu,
            &http,
            &access,
            &format!("select * from Invoice startposition {start} maxresults 1000"),
            "Invoice",
        )
        .await;
        if page.is_empty() {
            break;
        }
        for invoice in page {
            let number = invoice["DocNumber"].as_str().unwrap_or_default().to_owned();
            invoices.insert(number, invoice);
        }
    }
    let money = |v: &Value| v.as_f64().map(|f| format!("{f:.2}")).unwrap_or_default();
    let (status, _, aging) = api_get(
        &emu,
        &http,
        &access,
        "reports/AgedReceivableDetail?report_date=2023-06-30&columns=txn_type,doc_num,currency,exch_rate,subt_amount,foreign_amount,subt_open_bal,foreign_open_bal",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{aging}");
    let rows = keyed_rows(&aging);
    // A seeded invoice is paid whole or not at all: open on the day, all of it is open.
    let mut foreign = 0;
    for row in rows.iter().filter(|r| r["txn_type"] == "Invoice") {
        let invoice = invoices.get(&row["doc_num"]).expect("the row's invoice");
        assert_eq!(
            row["currency"],
            invoice["CurrencyRef"]["value"].as_str().expect("code")
        );
        assert_eq!(row["exch_rate"], invoice["ExchangeRate"].to_string());
        assert_eq!(
            row["foreign_amount"],
            money(&invoice["TotalAmt"]),
            "{row:?}"
        );
        assert_eq!(
            row["subt_amount"],
            money(&invoice["HomeTotalAmt"]),
            "{row:?}"
        );
        assert_eq!(
            row["foreign_open_bal"],
            money(&invoice["TotalAmt"]),
            "{row:?}"
        );
        assert_eq!(
            row["subt_open_bal"],
            money(&invoice["HomeTotalAmt"]),
            "{row:?}"
        );
        if row["currency"] == "CAD" {
            foreign += 1;
        }
    }
    assert!(foreign > 0, "no Canadian invoice open: {rows:?}");

    let (status, _, list) = api_get(
        &emu,
        &http,
        &access,
        "reports/TransactionList?start_date=2023-06-01&end_date=2023-06-30&columns=txn_type,doc_num,currency,exch_rate,subt_nat_amount,subt_nat_home_amount",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut checked = 0;
    for row in keyed_rows(&list)
        .iter()
        .filter(|r| r["txn_type"] == "Invoice")
    {
        let Some(invoice) = invoices.get(&row["doc_num"]) else {
            continue;
        };
        assert_eq!(
            row["subt_nat_amount"],
            money(&invoice["TotalAmt"]),
            "{row:?}"
        );
        assert_eq!(
            row["subt_nat_home_amount"],
            money(&invoice["HomeTotalAmt"]),
            "{row:?}"
        );
        checked += usize::from(row["currency"] == "CAD");
    }
    assert!(checked > 0, "no Canadian invoice in June");
}

#[tokio::test]
async fn detail_reports_sort_by_a_column_either_way() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let list = |order: &'static str| {
        let (emu, http, access) = (&emu, &http, &access);
        async move {
            let (status, _, body) = api_get(
                emu,
                http,
                access,
                &format!("reports/TransactionList?start_date=2023-03-01&end_date=2023-03-31&columns=tx_date,txn_type,doc_num,subt_nat_amount&sort_by=subt_nat_amount&sort_order={order}"),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            keyed_rows(&body)
                .into_iter()
                .map(|r| r["subt_nat_amount"].parse::<f64>().expect("an amount"))
                .collect::<Vec<f64>>()
        }
    };
    let up = list("ascend").await;
    assert!(up.len() > 10, "{up:?}");
    assert!(up.windows(2).all(|w| w[0] <= w[1]), "{up:?}");
    let mut down = list("descend").await;
    assert!(down.windows(2).all(|w| w[0] >= w[1]), "{down:?}");
    down.reverse();
    assert_eq!(down, up, "the same rows either way");
    for bad in ["sort_by=memo", "sort_by=tx_date&sort_order=sideways"] {
        let (status, _, body) = api_get(
            &emu,
            &http,
            &access,
            &format!("reports/TransactionList?columns=tx_date,doc_num&{bad}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn agings_count_days_past_due_from_the_report_day_or_from_today() {
    let emu = start(EmulatorConfig {
        now: Some(crate::clock::parse_now("2023-06-30T12:00:00-07:00").expect("time")),
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let totals = |method: &'static str| {
        let (emu, http, access) = (&emu, &http, &access);
        async move {
            let (status, _, body) = api_get(
                emu,
                http,
                access,
                &format!("reports/AgedReceivables?report_date=2023-03-31{method}"),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            let rows = body["Rows"]["Row"].as_array().cloned().unwrap_or_default();
            let total = rows.last().expect("TOTAL")["Summary"]["ColData"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            total
                .iter()
                .skip(1)
                .map(|c| {
                    c["value"]
                        .as_str()
                        .unwrap_or("0")
                        .parse::<f64>()
                        .unwrap_or(0.0)
                })
                .collect::<Vec<f64>>()
        }
    };
    let by_report_day = totals("").await;
    assert_eq!(totals("&aging_method=Report_Date").await, by_report_day);
    let by_today = totals("&aging_method=Current").await;
    assert_eq!(by_today.last(), by_report_day.last(), "the same open items");
    assert!(
        by_today[0] < by_report_day[0],
        "{by_today:?} vs {by_report_day:?}"
    );
    let oldest = by_today.len() - 2;
    assert!(
        by_today[oldest] > by_report_day[oldest],
        "{by_today:?} vs {by_report_day:?}"
    );
    let (status, _, _) = api_get(
        &emu,
        &http,
        &access,
        "reports/AgedReceivables?aging_method=Someday",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
