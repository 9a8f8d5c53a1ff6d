//! Loopback tests of an instance serving several companies: each consent connects the next
//! company, each company has its own realm id, books, tokens, limits and counters.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use super::tests::{client, json, start, stats_of};
use super::*;

const REDIRECT: &str = "http://localhost:8050/callback";

/// One consent and code exchange: (realm, access token).
async fn connect(emu: &Emulator, http: &reqwest::Client) -> (String, String) {
    let url = reqwest::Url::parse_with_params(
        &format!("{}{AUTHORIZE_PATH}", emu.base_url()),
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "com.intuit.quickbooks.accounting"),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
        ],
    )
    .expect("url");
    let res = http.get(url).send().await.expect("authorize");
    assert_eq!(res.status(), StatusCode::FOUND);
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    let callback = reqwest::Url::parse(&location).expect("callback");
    let get = |name: &str| {
        callback
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .expect(name)
    };
    let (realm, code) = (get("realmId"), get("code"));
    let res = http
        .post(format!("{}{TOKEN_PATH}", emu.base_url()))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .expect("token");
    let (status, _, body) = json(res).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().expect("access").to_owned();
    (realm, access)
}

async fn get(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    realm: &str,
    rest: &str,
) -> (StatusCode, Value) {
    let res = http
        .get(format!("{}/v3/company/{realm}/{rest}", emu.base_url()))
        .bearer_auth(access)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("GET");
    let (status, _, body) = json(res).await;
    (status, body)
}

#[tokio::test]
async fn each_consent_connects_the_next_company_with_books_of_its_own() {
    let config = EmulatorConfig {
        companies: 3,
        invoices: 200,
        ..EmulatorConfig::default()
    };
    let realms = config.realm_ids();
    let emu = start(config).await;
    let http = client();
    let mut connected = Vec::new();
    for _ in 0..3 {
        connected.push(connect(&emu, &http).await);
    }
    let seen: Vec<&str> = connected.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(seen, realms.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        seen[0], DEFAULT_REALM_ID,
        "the first company is the configured realm"
    );
    assert_eq!(realms.iter().collect::<HashSet<_>>().len(), 3);
    // A fourth consent starts the list again, as a person picking the first company again.
    assert_eq!(connect(&emu, &http).await.0, realms[0]);

    let mut first_invoices = HashSet::new();
    for (realm, access) in &connected {
        let (status, info) = get(&emu, &http, access, realm, &format!("companyinfo/{realm}")).await;
        assert_eq!(status, StatusCode::OK, "{info}");
        let (status, page) = get(
            &emu,
            &http,
            access,
            realm,
            "query?query=select%20*%20from%20Invoice%20startposition%201%20maxresults%205",
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        first_invoices.insert(page["QueryResponse"]["Invoice"].to_string());
    }
    assert_eq!(
        first_invoices.len(),
        3,
        "every company has books of its own"
    );

    // A company's token does not open another company.
    let (a_realm, a_access) = &connected[0];
    let (b_realm, _) = &connected[1];
    let (status, body) = get(
        &emu,
        &http,
        a_access,
        b_realm,
        &format!("companyinfo/{b_realm}"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_ne!(a_realm, b_realm);

    let stats = stats_of(&emu, &http).await;
    let companies = stats["companies"]
        .as_object()
        .expect("per-company counters");
    assert_eq!(companies.len(), 3, "{stats}");
    let calls: u64 = companies
        .values()
        .map(|c| c["api_requests"].as_u64().expect("api_requests"))
        .sum();
    assert_eq!(stats["api_requests"].as_u64(), Some(calls), "{stats}");
    assert_eq!(
        companies[b_realm.as_str()]["api_requests"].as_u64(),
        Some(2)
    );
    assert_eq!(stats["code_exchanges"].as_u64(), Some(4), "{stats}");
}

#[tokio::test]
async fn limits_are_per_company() {
    let config = EmulatorConfig {
        companies: 2,
        invoices: 50,
        max_in_flight: 1,
        latency: std::time::Duration::from_millis(300),
        ..EmulatorConfig::default()
    };
    let emu = start(config).await;
    let http = client();
    let a = connect(&emu, &http).await;
    let b = connect(&emu, &http).await;
    let path = |realm: &str| format!("companyinfo/{realm}");
    let (pa, pb) = (path(&a.0), path(&b.0));
    // One call in flight to each company at once: both are served (the limit is 1 per company).
    let (ra, rb) = tokio::join!(
        get(&emu, &http, &a.1, &a.0, &pa),
        get(&emu, &http, &b.1, &b.0, &pb),
    );
    assert_eq!(ra.0, StatusCode::OK, "{}", ra.1);
    assert_eq!(rb.0, StatusCode::OK, "{}", rb.1);
    // Two at once to one company: one of them is turned away.
    let (r1, r2) = tokio::join!(
        get(&emu, &http, &a.1, &a.0, &pa),
        get(&emu, &http, &a.1, &a.0, &pa),
    );
    let codes = [r1.0, r2.0];
    assert!(codes.contains(&StatusCode::OK), "{codes:?}");
    assert!(codes.contains(&StatusCode::TOO_MANY_REQUESTS), "{codes:?}");
    let stats = stats_of(&emu, &http).await;
    assert_eq!(
        stats["companies"][a.0.as_str()]["throttled_by_limit"].as_u64(),
        Some(1),
        "{stats}"
    );
    assert_eq!(
        stats["companies"][b.0.as_str()]["throttled_by_limit"].as_u64(),
        Some(0),
        "{stats}"
    );
}
