//! Loopback tests of what QBO may do that a client must survive: ties in the sort order (a
//! bulk-edited company) returned in a new order on every query, records edited while a client
//! pages, writes whose answer is lost after they took effect; and QBO's rules on POSTed query
//! bodies and on `DocNumber`, which is text.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{api_url, client, json, login, query, start, stats_of};
use super::*;

fn ids(page: &Value) -> Vec<String> {
    page["QueryResponse"]["Invoice"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["Id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn total(emu: &Emulator, http: &reqwest::Client, access: &str, q: &str) -> u64 {
    let (status, body) = query(emu, http, access, q).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["QueryResponse"]["totalCount"]
        .as_u64()
        .expect("totalCount")
}

#[tokio::test]
async fn bulk_edited_ties_come_back_shuffled_unless_the_order_is_unique() {
    let emu = start(EmulatorConfig {
        tie_groups: 700,
        shuffle_ties: true,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let (_, first) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice orderby Id maxresults 1",
    )
    .await;
    let stamp = first["QueryResponse"]["Invoice"][0]["MetaData"]["LastUpdatedTime"]
        .as_str()
        .expect("time")
        .to_owned();
    let tied = format!("select count(*) from Invoice where Metadata.LastUpdatedTime = '{stamp}'");
    assert_eq!(total(&emu, &http, &access, &tied).await, 700);

    // Paging on the tied key alone: each query orders the ties anew, so pages overlap and
    // miss records, as in the bulk-edited company of the issue.
    let mut seen = Vec::new();
    for start in [1, 1001, 2001] {
        let (_, page) = query(
            &emu,
            &http,
            &access,
            &format!(
                "select * from Invoice orderby Metadata.LastUpdatedTime startposition {start} maxresults 1000"
            ),
        )
        .await;
        seen.extend(ids(&page));
    }
    assert_eq!(seen.len(), 2500);
    let distinct: HashSet<&String> = seen.iter().collect();
    assert!(distinct.len() < 2500, "ties were not shuffled");

    // Two identical queries disagree; with `Id` as a second key they agree, in Id order.
    let q = "select * from Invoice orderby Metadata.LastUpdatedTime maxresults 200";
    let (_, a) = query(&emu, &http, &access, q).await;
    let (_, b) = query(&emu, &http, &access, q).await;
    assert_ne!(ids(&a), ids(&b));
    let q = "select * from Invoice orderby Metadata.LastUpdatedTime, Id maxresults 200";
    let (_, a) = query(&emu, &http, &access, q).await;
    let (_, b) = query(&emu, &http, &access, q).await;
    assert_eq!(ids(&a), ids(&b));
    let expected: Vec<String> = (1..=200).map(|i| i.to_string()).collect();
    assert_eq!(ids(&a), expected);
}

#[tokio::test]
async fn records_are_edited_while_a_client_pages() {
    let now = "2027-05-01T08:00:00-07:00";
    let emu = start(EmulatorConfig {
        now: Some(clock::parse_now(now).expect("time")),
        updates_per_page: 5,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let edited = format!("select count(*) from Invoice where Metadata.LastUpdatedTime >= '{now}'");
    assert_eq!(total(&emu, &http, &access, &edited).await, 0);
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice orderby Metadata.LastUpdatedTime maxresults 1000",
    )
    .await;
    assert_eq!(ids(&page).len(), 1000);
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["edited_while_paging"], 5, "{stats}");
    assert_eq!(
        stats["writes"], 0,
        "edits are not the client's writes: {stats}"
    );
    // Picks may repeat, so 1 to 5 distinct records now carry the clock's time and a new
    // SyncToken, and sort after every other one.
    let moved = total(&emu, &http, &access, &edited).await;
    assert!((1..=5).contains(&moved), "{moved}");
    let (_, last) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice orderby Metadata.LastUpdatedTime desc maxresults 1",
    )
    .await;
    let record = &last["QueryResponse"]["Invoice"][0];
    assert_eq!(record["MetaData"]["LastUpdatedTime"], now);
    assert_ne!(record["SyncToken"], "0");
    assert_eq!(
        total(&emu, &http, &access, "select count(*) from Invoice").await,
        2500,
        "edits add and remove nothing"
    );
    // Every page edits, a count does not.
    assert_eq!(stats_of(&emu, &http).await["edited_while_paging"], 10);
}

async fn create(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    request_id: Option<&str>,
) -> Result<Value, reqwest::Error> {
    let url = match request_id {
        Some(id) => api_url(emu, &format!("invoice?requestid={id}")),
        None => api_url(emu, "invoice"),
    };
    let res = http
        .post(url)
        .bearer_auth(access)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(
            json!({
                "CustomerRef": {"value": "3"},
                "Line": [{"Amount": 10.0, "DetailType": "SalesItemLineDetail",
                          "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
            })
            .to_string(),
        )
        .send()
        .await?;
    let bytes = res.bytes().await?;
    Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_lost_answer_comes_after_the_write_and_its_requestid_replays_it() {
    let emu = start(EmulatorConfig {
        lost_answer_rate: 1.0,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    assert!(
        create(&emu, &http, &access, Some("lost-1")).await.is_err(),
        "the answer never arrives"
    );
    let count = "select count(*) from Invoice";
    assert_eq!(
        total(&emu, &http, &access, count).await,
        2501,
        "but the write took effect"
    );
    let replay = create(&emu, &http, &access, Some("lost-1"))
        .await
        .expect("a replay is answered");
    assert_eq!(replay["Invoice"]["Id"], "2501");
    assert_eq!(total(&emu, &http, &access, count).await, 2501);
    let stats = stats_of(&emu, &http).await;
    assert_eq!(
        (&stats["creates"], &stats["replays"], &stats["answers_lost"]),
        (&json!(1), &json!(1), &json!(1)),
        "{stats}"
    );
    // Without a requestid, sending again writes again.
    assert!(create(&emu, &http, &access, None).await.is_err());
    assert!(create(&emu, &http, &access, None).await.is_err());
    assert_eq!(total(&emu, &http, &access, count).await, 2503);
}

#[tokio::test]
async fn posted_queries_must_be_application_text() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let post = |content_type: Option<&'static str>| {
        let mut req = http
            .post(api_url(&emu, "query"))
            .bearer_auth(&access)
            .header("Accept", "application/json")
            .body("select count(*) from Invoice");
        if let Some(content_type) = content_type {
            req = req.header("Content-Type", content_type);
        }
        async move { json(req.send().await.expect("POST")).await }
    };
    let (status, _, body) = post(Some("application/text")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["QueryResponse"]["totalCount"], 2500);
    for refused in [None, Some("text/plain"), Some("application/json")] {
        let (status, _, body) = post(refused).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused:?}: {body}");
        assert_eq!(body["Fault"]["Error"][0]["code"], "500");
        assert_eq!(
            body["Fault"]["Error"][0]["Message"],
            "Unsupported Operation"
        );
    }
}

#[tokio::test]
async fn doc_numbers_of_written_invoices_sort_as_text() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let res = http
        .post(api_url(&emu, "invoice"))
        .bearer_auth(&access)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(
            json!({
                "DocNumber": "999",
                "CustomerRef": {"value": "3"},
                "Line": [{"Amount": 10.0, "DetailType": "SalesItemLineDetail",
                          "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
            })
            .to_string(),
        )
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::OK);
    // As text "999" sorts after "3500", the highest seeded number; as a number it would not.
    let (_, page) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice orderby DocNumber desc maxresults 2",
    )
    .await;
    assert_eq!(ids(&page), ["2501", "2500"]);
    assert_eq!(
        total(
            &emu,
            &http,
            &access,
            "select count(*) from Invoice where DocNumber >= '999'"
        )
        .await,
        1
    );
}
