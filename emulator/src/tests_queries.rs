//! Loopback tests of the query language as real clients write it: python-quickbooks (`SELECT *,
//! Sku FROM Item`, `SELECT COUNT(*) FROM Customer `, POSTed as `application/text`),
//! node-quickbooks (lower-case entities and keywords, `LIKE`, `IN`), tap-quickbooks (select
//! lists, `ORDER BY` in two words, `STARTPOSITION 0`, one `Query` per stream in a `/batch`).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::tests::{api_url, assert_tid, client, json, login, query, start};
use super::*;

fn ids(body: &Value, entity: &str) -> Vec<String> {
    body["QueryResponse"][entity]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r["Id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn ok(emu: &Emulator, http: &reqwest::Client, access: &str, q: &str) -> Value {
    let (status, body) = query(emu, http, access, q).await;
    assert_eq!(status, StatusCode::OK, "{q}: {body}");
    body
}

#[tokio::test]
async fn python_quickbooks_statements() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    let all = ok(&emu, &http, &access, "SELECT * FROM Item  MAXRESULTS 100").await;
    let with_sku = ok(
        &emu,
        &http,
        &access,
        "SELECT *, Sku FROM Item  MAXRESULTS 100",
    )
    .await;
    assert!(!ids(&all, "Item").is_empty());
    assert_eq!(all["QueryResponse"], with_sku["QueryResponse"]);

    // `count()` leaves a space where its empty WHERE clause would be, and posts as text.
    let res = http
        .post(api_url(&emu, "query?minorversion=75"))
        .bearer_auth(&access)
        .header("Accept", "application/json")
        .header("Content-Type", "application/text")
        .body("SELECT COUNT(*) FROM Customer ")
        .send()
        .await
        .expect("POST query");
    let (status, headers, body) = json(res).await;
    assert_tid(&headers);
    assert_eq!(status, StatusCode::OK, "{body}");
    let active = body["QueryResponse"]["totalCount"].as_u64().expect("count");
    assert!(active > 0);

    let body = ok(
        &emu,
        &http,
        &access,
        "SELECT * FROM Customer WHERE Id = '3' ORDERBY DisplayName STARTPOSITION 1 MAXRESULTS 10",
    )
    .await;
    assert_eq!(ids(&body, "Customer"), ["3"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn node_quickbooks_statements() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    let body = ok(
        &emu,
        &http,
        &access,
        "select * from customer where Id = '1'",
    )
    .await;
    let name = body["QueryResponse"]["Customer"][0]["DisplayName"]
        .as_str()
        .expect("DisplayName")
        .to_owned();
    // `LIKE` with `%` on both sides, matched without regard to case.
    let middle: String = name.chars().skip(1).take(4).collect();
    let q = format!(
        "select * from customer where DisplayName LIKE '%{}%' startposition 1 maxresults 1000",
        middle.to_uppercase()
    );
    let body = ok(&emu, &http, &access, &q).await;
    assert!(ids(&body, "Customer").contains(&"1".to_owned()), "{q}");
    let body = ok(
        &emu,
        &http,
        &access,
        "select * from invoice where Id IN ('2', '5', '9') orderby Id desc",
    )
    .await;
    assert_eq!(ids(&body, "Invoice"), ["9", "5", "2"]);
    let body = ok(&emu, &http, &access, "select count(*) from invoice").await;
    assert_eq!(body["QueryResponse"]["totalCount"], 2500);
    emu.shutdown().await;
}

#[tokio::test]
async fn tap_quickbooks_statements() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    // hotglue's reference look-up: a select list answers sparse records.
    let body = ok(
        &emu,
        &http,
        &access,
        "SELECT Id, DisplayName FROM Customer STARTPOSITION 1 MAXRESULTS 1000",
    )
    .await;
    let first = &body["QueryResponse"]["Customer"][0];
    assert_eq!(first["sparse"], true);
    assert!(first["DisplayName"].is_string() && first["Id"].is_string());
    assert!(first.get("BillAddr").is_none() && first.get("Balance").is_none());

    // hotglue's first page starts at 0; QBO treats it as 1.
    let zero = ok(
        &emu,
        &http,
        &access,
        "SELECT * FROM Bill WHERE MetaData.LastUpdatedTime >  '2020-01-01T00:00:00Z'  STARTPOSITION 0 MAXRESULTS 100",
    )
    .await;
    assert_eq!(zero["QueryResponse"]["startPosition"], 1);
    assert_eq!(ids(&zero, "Bill").first().map(String::as_str), Some("1"));

    // singer's streams: one `Query` item per stream in a single batch.
    let statement = |entity: &str, extra: &str| {
        format!(
            "SELECT * FROM {entity} WHERE Metadata.LastUpdatedTime >= '2000-01-01T00:00:00Z'{extra} \
             ORDER BY Metadata.LastUpdatedTime ASC STARTPOSITION 1 MAXRESULTS 1000"
        )
    };
    let request = json!({"BatchItemRequest": [
        {"bId": "0", "Query": statement("Account", " AND Active IN (true, false)")},
        {"bId": "1", "Query": statement("Invoice", "")},
        {"bId": "2", "Query": statement("Payment", "")}
    ]});
    let res = http
        .post(api_url(&emu, "batch?minorversion=75"))
        .bearer_auth(&access)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .body(request.to_string())
        .send()
        .await
        .expect("batch");
    let (status, _, body) = json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["BatchItemResponse"].as_array().expect("items");
    for (item, entity, expected) in [
        (&items[0], "Account", None),
        (&items[1], "Invoice", Some(1000)),
        (&items[2], "Payment", None),
    ] {
        let rows = item["QueryResponse"][entity].as_array().expect(entity);
        assert!(!rows.is_empty(), "{item}");
        if let Some(n) = expected {
            assert_eq!(rows.len(), n);
        }
        let times: Vec<&str> = rows
            .iter()
            .filter_map(|r| r["MetaData"]["LastUpdatedTime"].as_str())
            .collect();
        assert_eq!(times.len(), rows.len());
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn a_field_qbo_cannot_filter_or_sort_on_is_a_4001() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    for (q, detail) in [
        (
            "select * from Vendor where PrimaryEmailAddr = 'john@doe.com'",
            "QueryValidationError: property 'PrimaryEmailAddr' is not queryable",
        ),
        (
            "select * from Customer where acctnum = '7'",
            "QueryValidationError: property 'acctnum' is not queryable",
        ),
        (
            "select * from Invoice order by PrintStatus",
            "QueryValidationError: property 'PrintStatus' is not sortable",
        ),
    ] {
        let (status, body) = query(&emu, &http, &access, q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        let error = &body["Fault"]["Error"][0];
        assert_eq!(body["Fault"]["type"], "ValidationFault");
        assert_eq!(error["code"], "4001");
        assert_eq!(error["Message"], "Invalid query");
        assert_eq!(error["Detail"], detail);
    }
    emu.shutdown().await;
}

/// The custom fields' names of every invoice of a page.
fn custom_field_names(body: &Value) -> Vec<Vec<String>> {
    body["QueryResponse"]["Invoice"]
        .as_array()
        .expect("invoices")
        .iter()
        .map(|invoice| {
            invoice["CustomField"]
                .as_array()
                .expect("CustomField")
                .iter()
                .map(|field| field["Name"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn include_enhanced_all_custom_fields_answers_every_custom_field() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let statement = "select * from Invoice where Id in ('1', '2', '3', '4', '5', '6') maxresults 6";

    // Without `include`, only the classic fields (here `PO Number`, on some invoices).
    let plain = ok(&emu, &http, &access, statement).await;
    for names in custom_field_names(&plain) {
        assert!(names.iter().all(|n| n == "PO Number"), "{names:?}");
    }
    let get = |url: String| {
        let http = http.clone();
        let access = access.clone();
        async move {
            let res = http
                .get(url)
                .bearer_auth(&access)
                .header("Accept", "application/json")
                .send()
                .await
                .expect("GET");
            let (status, _, body) = json(res).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            body
        }
    };
    let all = get(format!(
        "{}&include=enhancedAllCustomFields",
        api_url(
            &emu,
            &format!("query?query={}&minorversion=75", urlencode(statement))
        )
    ))
    .await;
    let names = custom_field_names(&all);
    assert_eq!(names.len(), 6);
    for (with, without) in names.iter().zip(custom_field_names(&plain)) {
        assert_eq!(
            with[..without.len()],
            without[..],
            "the classic fields first"
        );
        assert_eq!(with[without.len()..], ["Region", "Project"]);
    }
    let field = &all["QueryResponse"]["Invoice"][0]["CustomField"]
        .as_array()
        .and_then(|fields| fields.iter().find(|f| f["Name"] == "Region"))
        .cloned()
        .expect("Region");
    assert_eq!(field["DefinitionId"], "4");
    assert_eq!(field["Type"], "StringType");
    assert!(field["StringValue"].is_string());
    // Everything but the custom fields is the same invoice.
    let mut same = all["QueryResponse"]["Invoice"][0].clone();
    same["CustomField"] = plain["QueryResponse"]["Invoice"][0]["CustomField"].clone();
    assert_eq!(same, plain["QueryResponse"]["Invoice"][0]);

    // A read by id takes `include` too, in a list with other values.
    let read = get(api_url(
        &emu,
        "invoice/1?minorversion=75&include=allowduplicatedocnum,enhancedAllCustomFields",
    ))
    .await;
    assert_eq!(
        read["Invoice"]["CustomField"],
        all["QueryResponse"]["Invoice"][0]["CustomField"]
    );
    let read = get(api_url(&emu, "invoice/1?minorversion=75")).await;
    assert_eq!(
        read["Invoice"]["CustomField"],
        plain["QueryResponse"]["Invoice"][0]["CustomField"]
    );
    emu.shutdown().await;
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
