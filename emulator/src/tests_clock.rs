//! Loopback tests of the company's one clock: with `now` fixed, a created invoice, the answers'
//! `time`, CDC's window and a report without dates all agree on it.

use reqwest::StatusCode;
use serde_json::json;

use super::tests::{api_get, api_url, client, json, login, query, start};
use super::*;

const NOW: &str = "2027-03-15T10:20:30-07:00";

fn fixed_now() -> std::time::SystemTime {
    clock::parse_now(NOW).expect("a time")
}

#[tokio::test]
async fn writes_answers_cdc_and_reports_share_one_clock() {
    let emu = start(EmulatorConfig {
        now: Some(fixed_now()),
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    let res = http
        .post(api_url(&emu, "invoice"))
        .bearer_auth(&access)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(
            json!({
                "CustomerRef": {"value": "3"},
                "Line": [{"Amount": 1234.5, "DetailType": "SalesItemLineDetail",
                          "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
            })
            .to_string(),
        )
        .send()
        .await
        .expect("create");
    let (status, _, created) = json(res).await;
    assert_eq!(status, StatusCode::OK, "{created}");
    let invoice = &created["Invoice"];
    assert_eq!(invoice["MetaData"]["CreateTime"], NOW);
    assert_eq!(invoice["MetaData"]["LastUpdatedTime"], NOW);
    assert_eq!(
        invoice["TxnDate"], "2027-03-15",
        "TxnDate defaults to the clock's day"
    );
    assert_eq!(created["time"], "2027-03-15T10:20:30.000-07:00");

    let (_, page) = query(&emu, &http, &access, "select count(*) from Invoice").await;
    assert_eq!(page["time"], "2027-03-15T10:20:30.000-07:00");
    let (_, _, read) = api_get(&emu, &http, &access, "invoice/2501").await;
    assert_eq!(read["time"], "2027-03-15T10:20:30.000-07:00");

    // CDC looks back from the clock: a day back finds the invoice, 31 days back is refused.
    let (status, _, cdc) = api_get(
        &emu,
        &http,
        &access,
        "cdc?entities=Invoice&changedSince=2027-03-14T10:20:30-07:00",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cdc}");
    let changed = &cdc["CDCResponse"][0]["QueryResponse"][0]["Invoice"];
    assert_eq!(changed[0]["Id"], "2501", "{cdc}");
    assert_eq!(cdc["time"], "2027-03-15T10:20:30.000-07:00");
    let (status, _, _) = api_get(
        &emu,
        &http,
        &access,
        "cdc?entities=Invoice&changedSince=2027-02-12T10:20:30-07:00",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A report without dates covers this fiscal year up to the clock's today, and the invoice
    // written today is in it.
    let (status, _, pl) = api_get(&emu, &http, &access, "reports/ProfitAndLoss").await;
    assert_eq!(status, StatusCode::OK, "{pl}");
    assert_eq!(pl["Header"]["StartPeriod"], "2027-01-01");
    assert_eq!(pl["Header"]["EndPeriod"], "2027-03-15");
    assert_eq!(pl["Header"]["Time"], "2027-03-15T10:20:30.000-07:00");
    let income = pl["Rows"]["Row"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["group"] == "Income"))
        .map(|r| r["Summary"]["ColData"][1]["value"].clone());
    assert_eq!(income, Some(json!("1234.50")), "{pl}");
}

#[tokio::test]
async fn without_now_the_system_clock_runs() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, page) = query(&emu, &http, &access, "select count(*) from Invoice").await;
    let time = page["time"].as_str().expect("time");
    let answered = chrono::DateTime::parse_from_rfc3339(time).expect("rfc 3339");
    let drift = (chrono::Utc::now() - answered.with_timezone(&chrono::Utc)).num_seconds();
    assert!(drift.abs() < 60, "{time}");
    let today = || {
        chrono::Utc::now()
            .with_timezone(&chrono::FixedOffset::west_opt(7 * 3600).expect("offset"))
            .format("%Y-%m-%d")
            .to_string()
    };
    let before = today();
    let (_, _, pl) = api_get(&emu, &http, &access, "reports/ProfitAndLoss").await;
    let after = today();
    let end = pl["Header"]["EndPeriod"].as_str().expect("EndPeriod");
    assert!(
        end == before || end == after,
        "{end} is not today ({before})"
    );
}
