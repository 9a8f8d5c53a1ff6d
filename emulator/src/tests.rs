//! Loopback tests: a real emulator on a free port, driven with reqwest like any QBO client.
//!
//! Why it exists: the emulator's contract is its HTTP behaviour (status codes, headers, exact JSON
//! shapes, token rules), so these tests exercise it over the wire rather than by calling
//! handlers. No fixed ports and no sleeps: expiry is tested with a zero TTL.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::Value;

use super::*;

const REDIRECT: &str = "http://localhost:8050/callback";
const SCOPE: &str = "com.intuit.quickbooks.accounting";

pub(super) async fn start(config: EmulatorConfig) -> Emulator {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("literal address");
    Emulator::start(config, addr)
        .await
        .expect("emulator starts")
}

pub(super) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client builds")
}

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Status, headers and JSON body of a response (panics on a non-JSON body).
pub(super) async fn json(
    res: reqwest::Response,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.expect("body");
    let value = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes));
    });
    (status, headers, value)
}

pub(super) fn assert_tid(headers: &reqwest::header::HeaderMap) {
    let tid = headers
        .get("intuit_tid")
        .and_then(|v| v.to_str().ok())
        .expect("intuit_tid header");
    let parts: Vec<&str> = tid.split('-').collect();
    assert_eq!(parts.len(), 3, "{tid}");
    assert_eq!(
        (parts[0], parts[1].len(), parts[2].len()),
        ("1", 8, 24),
        "{tid}"
    );
}

/// Run the consent step; returns the callback's query pairs.
async fn authorize(
    emu: &Emulator,
    http: &reqwest::Client,
    extra: &[(&str, &str)],
) -> Vec<(String, String)> {
    let mut params = vec![
        ("client_id", DEFAULT_CLIENT_ID),
        ("response_type", "code"),
        ("scope", SCOPE),
        ("redirect_uri", REDIRECT),
        ("state", "csrf-123 /?&"),
    ];
    params.retain(|(name, _)| !extra.iter().any(|(given, _)| given == name));
    params.extend_from_slice(extra);
    let url =
        reqwest::Url::parse_with_params(&format!("{}{AUTHORIZE_PATH}", emu.base_url()), &params)
            .expect("url");
    let res = http.get(url).send().await.expect("authorize");
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_tid(res.headers());
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("Location")
        .to_owned();
    assert!(location.starts_with(REDIRECT), "{location}");
    let url = reqwest::Url::parse(&location).expect("callback URL");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn token_request(
    emu: &Emulator,
    http: &reqwest::Client,
    form: &[(&str, &str)],
    hard: bool,
) -> reqwest::Response {
    let mut req = http
        .post(format!("{}{TOKEN_PATH}", emu.base_url()))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .header("Accept", "application/json")
        .form(form);
    if hard {
        req = req.header("x-include-refresh-token-hard-expires-in", "true");
    }
    req.send().await.expect("token request")
}

async fn exchange(emu: &Emulator, http: &reqwest::Client, code: &str) -> reqwest::Response {
    token_request(
        emu,
        http,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ],
        false,
    )
    .await
}

async fn refresh(emu: &Emulator, http: &reqwest::Client, token: &str) -> (StatusCode, Value) {
    let res = token_request(
        emu,
        http,
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
        false,
    )
    .await;
    let (status, _, body) = json(res).await;
    (status, body)
}

/// A full login: returns (access_token, refresh_token).
pub(super) async fn login(emu: &Emulator, http: &reqwest::Client) -> (String, String) {
    let cb = authorize(emu, http, &[]).await;
    let code = get(&cb, "code").expect("code");
    let (status, _, body) = json(exchange(emu, http, code).await).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().expect("access").to_owned();
    let refresh = body["refresh_token"].as_str().expect("refresh").to_owned();
    (access, refresh)
}

pub(super) fn api_url(emu: &Emulator, rest: &str) -> String {
    format!("{}/v3/company/{DEFAULT_REALM_ID}/{rest}", emu.base_url())
}

pub(super) async fn query(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    q: &str,
) -> (StatusCode, Value) {
    let res = http
        .get(api_url(emu, "query"))
        .query(&[("query", q), ("minorversion", "75")])
        .bearer_auth(access)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("query");
    let (status, headers, body) = json(res).await;
    assert_tid(&headers);
    (status, body)
}

pub(super) async fn api_get(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
    rest: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let res = http
        .get(api_url(emu, rest))
        .bearer_auth(access)
        .send()
        .await
        .expect("GET");
    json(res).await
}

#[tokio::test]
async fn authorize_exchange_and_query() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let cb = authorize(&emu, &http, &[]).await;
    assert_eq!(get(&cb, "state"), Some("csrf-123 /?&"));
    assert_eq!(get(&cb, "realmId"), Some(DEFAULT_REALM_ID));
    let names: Vec<&str> = cb.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["code", "state", "realmId"]);
    let code = get(&cb, "code").expect("code");

    let res = exchange(&emu, &http, code).await;
    let (status, headers, body) = json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_tid(&headers);
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(
        keys(&body),
        [
            "token_type",
            "expires_in",
            "refresh_token",
            "x_refresh_token_expires_in",
            "access_token"
        ]
    );
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["x_refresh_token_expires_in"], 8_726_400);
    let access = body["access_token"].as_str().expect("access");
    assert!(access.starts_with("eyJ"));

    let (status, body) = query(&emu, &http, access, "select * from Invoice maxresults 2").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(keys(&body), ["QueryResponse", "time"]);
    assert_eq!(
        keys(&body["QueryResponse"]),
        ["Invoice", "startPosition", "maxResults"]
    );
    assert_eq!(body["QueryResponse"]["startPosition"], 1);
    assert_eq!(body["QueryResponse"]["maxResults"], 2);
    let inv = &body["QueryResponse"]["Invoice"][0];
    assert_eq!(inv["Id"], "1");
    assert_eq!(inv["DocNumber"], "1001");
    assert!(body["time"].as_str().expect("time").ends_with("-07:00"));

    // The same statement as a POST body with Content-Type: application/text.
    let res = http
        .post(api_url(&emu, "query?minorversion=70"))
        .bearer_auth(access)
        .header("Content-Type", "application/text")
        .body("select * from Invoice maxresults 2")
        .send()
        .await
        .expect("POST query");
    let (status, headers, post_body) = json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(post_body["QueryResponse"], body["QueryResponse"]);

    // Read by id answers the same object the query did.
    let (status, _, one) = api_get(&emu, &http, access, "invoice/1?minorversion=75").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&one), ["Invoice", "time"]);
    assert_eq!(one["Invoice"], *inv);
    emu.shutdown().await;
}

#[tokio::test]
async fn reusing_a_code_fails_and_revokes_its_tokens() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let cb = authorize(&emu, &http, &[]).await;
    let code = get(&cb, "code").expect("code");
    let (status, _, first) = json(exchange(&emu, &http, code).await).await;
    assert_eq!(status, StatusCode::OK);
    let res = exchange(&emu, &http, code).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_tid(res.headers());
    let bytes = res.bytes().await.expect("body");
    assert_eq!(
        &bytes[..],
        br#"{"error":"invalid_grant","error_description":"Token invalid"}"#
    );

    let access = first["access_token"].as_str().expect("access");
    let (status, body) = query(&emu, &http, access, "select * from Invoice").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["fault"]["error"][0]["code"], "3200");
    let (status, body) = refresh(&emu, &http, first["refresh_token"].as_str().expect("rt")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    emu.shutdown().await;
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_dies() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (_, rt1) = login(&emu, &http).await;
    let res = token_request(
        &emu,
        &http,
        &[("grant_type", "refresh_token"), ("refresh_token", &rt1)],
        true,
    )
    .await;
    let (status, _, body) = json(res).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys(&body),
        [
            "token_type",
            "expires_in",
            "refresh_token",
            "x_refresh_token_expires_in",
            "x_refresh_token_hard_expires_in",
            "access_token"
        ]
    );
    let hard = body["x_refresh_token_hard_expires_in"]
        .as_i64()
        .expect("hard");
    assert!(hard > 157_000_000 && hard <= 157_766_400, "{hard}");
    let rt2 = body["refresh_token"].as_str().expect("rt2").to_owned();
    assert_ne!(rt1, rt2);

    let (status, body) = refresh(&emu, &http, &rt1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::to_string(&body).expect("json"),
        r#"{"error":"invalid_grant","error_description":"Incorrect or invalid refresh token"}"#
    );
    let (status, body) = refresh(&emu, &http, &rt2).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("x_refresh_token_hard_expires_in").is_none());
    let access = body["access_token"].as_str().expect("access");
    let (status, _) = query(&emu, &http, access, "select count(*) from Invoice").await;
    assert_eq!(status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn grace_keeps_a_rotated_refresh_token_alive() {
    let emu = start(EmulatorConfig {
        refresh_token_grace: Duration::from_secs(3600),
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (_, rt1) = login(&emu, &http).await;
    let (status, _) = refresh(&emu, &http, &rt1).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = refresh(&emu, &http, &rt1).await;
    assert_eq!(status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn expired_access_token_is_a_gateway_401() {
    let emu = start(EmulatorConfig {
        access_token_ttl: Duration::ZERO,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let res = http
        .get(api_url(&emu, "query"))
        .query(&[("query", "select * from Invoice")])
        .bearer_auth(&access)
        .send()
        .await
        .expect("query");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().get("www-authenticate").is_some());
    let (_, headers, body) = json(res).await;
    assert_tid(&headers);
    assert_eq!(
        keys(&body),
        [
            "warnings",
            "intuitObject",
            "fault",
            "report",
            "queryResponse",
            "batchItemResponse",
            "attachableResponse",
            "syncErrorResponse",
            "requestId",
            "time",
            "status",
            "cdcresponse"
        ]
    );
    let err = &body["fault"]["error"][0];
    assert_eq!(keys(err), ["message", "detail", "code", "element"]);
    assert_eq!(
        err["message"],
        "message=AuthenticationFailed; errorCode=003200; statusCode=401"
    );
    assert_eq!(err["code"], "3200");
    assert!(err["element"].is_null());
    let detail = err["detail"].as_str().expect("detail");
    assert!(detail.starts_with("Token expired: "), "{detail}");
    assert!(!detail.contains(&access));
    assert_eq!(body["fault"]["type"], "AUTHENTICATION");
    assert!(body["time"].is_i64());
    assert_eq!(body["batchItemResponse"], Value::Array(vec![]));

    // Missing and malformed tokens are 401s too.
    let (status, _, body) = json(
        http.get(api_url(&emu, "invoice/1"))
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["fault"]["error"][0]["code"], "3200");
    let (status, _, _) =
        api_get(&emu, &http, "eyJub3QiOiJ0aGlzIn0.c2lnbmF0dXJl", "invoice/1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_new_instance_accepts_tokens_of_an_earlier_one() {
    let first = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, rt) = login(&first, &http).await;
    first.shutdown().await;

    let second = start(EmulatorConfig::default()).await;
    let (status, _) = query(&second, &http, &access, "select count(*) from Customer").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = refresh(&second, &http, &rt).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = refresh(&second, &http, &rt).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    second.shutdown().await;

    let other = start(EmulatorConfig {
        client_secret: "another-secret".into(),
        ..EmulatorConfig::default()
    })
    .await;
    let (status, _) = query(&other, &http, &access, "select count(*) from Customer").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    other.shutdown().await;
}

#[tokio::test]
async fn token_from_another_realm_is_a_403() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let url = format!(
        "{}/v3/company/123145678/query?query=select%20*%20from%20Invoice",
        emu.base_url()
    );
    let res = http
        .get(url)
        .bearer_auth(&access)
        .send()
        .await
        .expect("GET");
    let (status, headers, body) = json(res).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_tid(&headers);
    assert_eq!(keys(&body), ["warnings", "intuitObject", "fault", "time"]);
    assert_eq!(body["fault"]["error"][0]["code"], "3100");
    assert_eq!(
        body["fault"]["error"][0]["message"],
        "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403"
    );
    assert_eq!(body["fault"]["type"], "SERVICE");
    emu.shutdown().await;
}

#[tokio::test]
async fn revoke_kills_the_family() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, rt) = login(&emu, &http).await;
    let revoke = |token: String, auth: bool| {
        let mut req = http
            .post(format!("{}{REVOKE_PATH}", emu.base_url()))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .body(serde_json::json!({ "token": token }).to_string());
        if auth {
            req = req.basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET));
        }
        req.send()
    };
    let res = revoke(rt.clone(), false).await.expect("revoke");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = revoke(rt.clone(), true).await.expect("revoke");
    assert_eq!(res.status(), StatusCode::OK);
    assert_tid(res.headers());
    let (status, body) = query(&emu, &http, &access, "select * from Invoice").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        body["fault"]["error"][0]["detail"]
            .as_str()
            .expect("detail")
            .starts_with("Token revoked")
    );
    let (status, body) = refresh(&emu, &http, &rt).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let res = revoke("not-a-token-we-know".into(), true)
        .await
        .expect("revoke");
    assert_eq!(res.status(), StatusCode::OK);
    let res = http
        .post(format!("{}{REVOKE_PATH}", emu.base_url()))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .body("{}")
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    emu.shutdown().await;
}

#[tokio::test]
async fn token_endpoint_errors() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let url = format!("{}{TOKEN_PATH}", emu.base_url());
    let form = [("grant_type", "refresh_token"), ("refresh_token", "x")];
    for auth in [
        None,
        Some(("qbo-emulator-client", "wrong")),
        Some(("someone", DEFAULT_CLIENT_SECRET)),
    ] {
        let mut req = http.post(&url).form(&form);
        if let Some((id, secret)) = auth {
            req = req.basic_auth(id, Some(secret));
        }
        let res = req.send().await.expect("token");
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_tid(res.headers());
        assert_eq!(
            &res.bytes().await.expect("body")[..],
            br#"{"error":"invalid_client"}"#
        );
    }
    let (status, _, body) =
        json(token_request(&emu, &http, &[("grant_type", "password")], false).await).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (status, _, body) = json(token_request(&emu, &http, &[("code", "x")], false).await).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, _, body) = json(
        token_request(
            &emu,
            &http,
            &[("grant_type", "authorization_code"), ("code", "x")],
            false,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, body) = refresh(&emu, &http, "garbage").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // An access token is not a refresh token.
    let (access, _) = login(&emu, &http).await;
    let (status, _) = refresh(&emu, &http, &access).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // client_secret_post works too, and the redirect_uri must match the authorize one.
    let cb = authorize(&emu, &http, &[]).await;
    let code = get(&cb, "code").expect("code");
    let res = http
        .post(&url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", "http://localhost:9999/elsewhere"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("token");
    let (status, _, body) = json(res).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let res = http
        .post(&url)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
        ])
        .send()
        .await
        .expect("token");
    assert_eq!(res.status(), StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_denied_consent_redirects_with_access_denied_and_the_state() {
    let emu = start(EmulatorConfig {
        deny_consent: true,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let url = reqwest::Url::parse_with_params(
        &format!("{}{AUTHORIZE_PATH}", emu.base_url()),
        &[
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("redirect_uri", REDIRECT),
            ("state", "s 1"),
        ],
    )
    .expect("url");
    let res = http.get(url).send().await.expect("authorize");
    assert_eq!(res.status(), StatusCode::FOUND);
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    assert_eq!(
        loc,
        format!(
            "{REDIRECT}?error=access_denied&error_description=The+user+did+not+authorize+the+app&state=s+1"
        )
    );
    // A bad client is still told on the emulator's own page, before any consent.
    let res = http
        .get(format!("{}{AUTHORIZE_PATH}", emu.base_url()))
        .query(&[("client_id", "nobody"), ("redirect_uri", REDIRECT)])
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn authorize_errors_and_pkce() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let base = format!("{}{AUTHORIZE_PATH}", emu.base_url());
    for params in [
        vec![
            ("client_id", "nobody"),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("redirect_uri", REDIRECT),
        ],
        vec![
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", SCOPE),
        ],
        vec![
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", SCOPE),
            ("redirect_uri", "not a url"),
        ],
    ] {
        let res = http
            .get(&base)
            .query(&params)
            .send()
            .await
            .expect("authorize");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.headers().get("location").is_none());
        assert_tid(res.headers());
        let text = res.text().await.expect("text");
        assert!(text.contains("<h1>Invalid"), "{text}");
    }
    let res = http
        .get(&base)
        .query(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "token"),
            ("scope", SCOPE),
            ("redirect_uri", REDIRECT),
            ("state", "s1"),
        ])
        .send()
        .await
        .expect("authorize");
    assert_eq!(res.status(), StatusCode::FOUND);
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    assert_eq!(
        loc,
        format!("{REDIRECT}?error=unsupported_response_type&state=s1")
    );
    let res = http
        .get(&base)
        .query(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "profile"),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .expect("authorize");
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    assert_eq!(loc, format!("{REDIRECT}?error=invalid_scope"));
    // No state: none echoed; openid alone: no realmId.
    let res = http
        .get(&base)
        .query(&[
            ("client_id", DEFAULT_CLIENT_ID),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .expect("authorize");
    let loc = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    let url = reqwest::Url::parse(loc).expect("url");
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["code"]);

    // PKCE S256: the verifier must match.
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    let pkce = [
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let cb = authorize(&emu, &http, &pkce).await;
    let code = get(&cb, "code").expect("code");
    let form = |v: &'static str| {
        vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", v),
        ]
    };
    let (status, _, _) =
        json(token_request(&emu, &http, &form("wrong-verifier"), false).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = json(token_request(&emu, &http, &form(verifier), false).await).await;
    assert_eq!(status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn paging_counts_and_faults() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;

    let mut ids = HashSet::new();
    let mut sizes = Vec::new();
    let mut start = 1;
    loop {
        let q = format!("SELECT * FROM Invoice ORDERBY Id STARTPOSITION {start} MAXRESULTS 1000");
        let (status, body) = query(&emu, &http, &access, &q).await;
        assert_eq!(status, StatusCode::OK);
        let Some(rows) = body["QueryResponse"]["Invoice"].as_array() else {
            assert_eq!(
                serde_json::to_string(&body["QueryResponse"]).expect("json"),
                "{}"
            );
            break;
        };
        assert_eq!(body["QueryResponse"]["startPosition"], start);
        assert_eq!(body["QueryResponse"]["maxResults"], rows.len());
        for r in rows {
            assert!(
                ids.insert(r["Id"].as_str().expect("id").to_owned()),
                "duplicate {}",
                r["Id"]
            );
        }
        sizes.push(rows.len());
        start += rows.len();
    }
    assert_eq!(sizes, [1000, 1000, 500]);
    assert_eq!(ids.len(), 2500);

    // QBO refuses a page over 1000 rows rather than cutting it short.
    let (status, body) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice maxresults 5000",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["Fault"]["Error"][0]["code"], "4001");
    assert_eq!(
        body["Fault"]["Error"][0]["Detail"],
        "QueryValidationError: value 5000 is too large. Max allowed value is 1000"
    );
    let (_, body) = query(&emu, &http, &access, "select * from Invoice").await;
    assert_eq!(body["QueryResponse"]["maxResults"], 100);

    let (status, body) = query(&emu, &http, &access, "select count(*) from Invoice").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::to_string(&body["QueryResponse"]).expect("json"),
        r#"{"totalCount":2500}"#
    );

    // Inactive customers only with a condition on Active.
    let (_, body) = query(&emu, &http, &access, "select count(*) from Customer").await;
    let active = body["QueryResponse"]["totalCount"].as_u64().expect("count");
    let (_, body) = query(
        &emu,
        &http,
        &access,
        "select count(*) from Customer where Active IN (true, false)",
    )
    .await;
    assert_eq!(body["QueryResponse"]["totalCount"], 120);
    assert!(active < 120);
    let (_, body) = query(
        &emu,
        &http,
        &access,
        "select * from Customer maxresults 1000",
    )
    .await;
    let rows = body["QueryResponse"]["Customer"].as_array().expect("rows");
    assert_eq!(rows.len() as u64, active);
    assert!(rows.iter().all(|c| c["Active"] == true));
    let (_, body) = query(
        &emu,
        &http,
        &access,
        "select * from Customer where Active = false",
    )
    .await;
    assert!(
        body["QueryResponse"]["Customer"]
            .as_array()
            .expect("rows")
            .iter()
            .all(|c| c["Active"] == false)
    );
    let (_, body) = query(
        &emu,
        &http,
        &access,
        r"select * from Customer where DisplayName = 'O\'Brien Landscaping'",
    )
    .await;
    assert_eq!(
        body["QueryResponse"]["Customer"][0]["FamilyName"],
        "O'Brien"
    );

    // 4000 with QBO's detail and position, canonical casing, no element.
    let (status, body) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice where DocNumber = 1038",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(keys(&body), ["Fault", "time"]);
    assert_eq!(keys(&body["Fault"]), ["Error", "type"]);
    let e = &body["Fault"]["Error"][0];
    assert_eq!(keys(e), ["Message", "Detail", "code"]);
    assert_eq!(e["Message"], "Error parsing query");
    assert_eq!(e["code"], "4000");
    assert_eq!(
        e["Detail"],
        "QueryParserError: Encountered \" <INTEGER> \"1038 \"\" at line 1, column 41.\nWas expecting:\n    <STRING> ...\n    "
    );
    assert_eq!(body["Fault"]["type"], "ValidationFault");
    let (status, body) = query(
        &emu,
        &http,
        &access,
        "select * from Invoice where Line = 'x'",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["Fault"]["Error"][0]["code"], "4001");
    assert_eq!(body["Fault"]["Error"][0]["Message"], "Invalid query");
    assert_eq!(
        body["Fault"]["Error"][0]["Detail"],
        "QueryValidationError: property 'Line' is not queryable"
    );

    // 610 for an unknown id, canonical ValidationFault.
    for rest in [
        "invoice/999999",
        "customer/0",
        "vendor/abc",
        "companyinfo/42",
    ] {
        let (status, headers, body) = api_get(&emu, &http, &access, rest).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rest}");
        assert_tid(&headers);
        let e = &body["Fault"]["Error"][0];
        assert_eq!(keys(e), ["Message", "Detail", "code", "element"]);
        assert_eq!(
            (e["code"].as_str(), e["Message"].as_str()),
            (Some("610"), Some("Object Not Found"))
        );
        assert_eq!(body["Fault"]["type"], "ValidationFault");
    }

    // CompanyInfo by id and by query.
    let (status, _, body) = api_get(
        &emu,
        &http,
        &access,
        &format!("companyinfo/{DEFAULT_REALM_ID}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&body), ["CompanyInfo", "time"]);
    let (_, q) = query(&emu, &http, &access, "select * from CompanyInfo").await;
    assert_eq!(q["QueryResponse"]["CompanyInfo"][0], body["CompanyInfo"]);
    for rest in [
        "customer/3",
        "payment/1",
        "bill/1",
        "vendor/1",
        "item/1",
        "account/1",
    ] {
        let (status, _, body) = api_get(&emu, &http, &access, rest).await;
        assert_eq!(status, StatusCode::OK, "{rest}: {body}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_get_faults_not_empty_bodies() {
    let emu = start(EmulatorConfig::default()).await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    for (method, rest) in [
        ("GET", "widget/1"),
        ("GET", "reports/SalesByProduct"),
        ("POST", "widget"),
        ("DELETE", "query"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let res = http
            .request(method, api_url(&emu, rest))
            .bearer_auth(&access)
            .send()
            .await
            .expect("req");
        let (status, headers, body) = json(res).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{rest}");
        assert_tid(&headers);
        assert_eq!(
            body["Fault"]["Error"][0]["Message"],
            "Unsupported Operation"
        );
        assert!(
            body["Fault"]["Error"][0]["Detail"]
                .as_str()
                .expect("detail")
                .contains(rest)
        );
    }
    // Without a token, /v3 answers 401 first.
    let res = http
        .get(api_url(&emu, "widget/1"))
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, headers, body) = json(
        http.get(format!("{}/nope", emu.base_url()))
            .send()
            .await
            .expect("req"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_tid(&headers);
    assert_eq!(body["Fault"]["Error"][0]["code"], "404");
    let (status, _, body) = json(
        http.get(format!("{}{TOKEN_PATH}", emu.base_url()))
            .send()
            .await
            .expect("req"),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["Fault"]["Error"][0]["code"], "405");
    let res = http
        .post(api_url(&emu, "query"))
        .bearer_auth(&access)
        .header("Content-Type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("req");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    emu.shutdown().await;
}

#[tokio::test]
async fn discovery_document_points_at_this_origin() {
    let emu = start(EmulatorConfig {
        invoices: 10,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let (status, headers, body) = json(
        http.get(format!(
            "{}/.well-known/openid_configuration",
            emu.base_url()
        ))
        .send()
        .await
        .expect("GET"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_tid(&headers);
    let base = emu.base_url();
    assert_eq!(
        body["authorization_endpoint"],
        format!("{base}{AUTHORIZE_PATH}")
    );
    assert_eq!(body["token_endpoint"], format!("{base}{TOKEN_PATH}"));
    assert_eq!(body["revocation_endpoint"], format!("{base}{REVOKE_PATH}"));
    assert_eq!(body["userinfo_endpoint"], format!("{base}{USERINFO_PATH}"));
    assert_eq!(body["jwks_uri"], format!("{base}{JWKS_PATH}"));
    // It issues no id_tokens, so it advertises none of their machinery and its key set is empty.
    for key in [
        "id_token_signing_alg_values_supported",
        "claims_supported",
        "subject_types_supported",
    ] {
        assert!(body.get(key).is_none(), "{key} advertised: {body}");
    }
    assert_eq!(
        body["scopes_supported"],
        serde_json::json!([
            "com.intuit.quickbooks.accounting",
            "com.intuit.quickbooks.payment",
            "openid",
            "profile",
            "email",
            "phone",
            "address"
        ])
    );
    assert_eq!(
        body["grant_types_supported"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    let (status, _, keys) = json(
        http.get(format!("{base}{JWKS_PATH}"))
            .send()
            .await
            .expect("GET"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys, serde_json::json!({ "keys": [] }));
    emu.shutdown().await;
}

/// GET the userinfo endpoint with `access` (or no token); returns status, `WWW-Authenticate`
/// and the JSON body.
async fn userinfo(
    emu: &Emulator,
    http: &reqwest::Client,
    access: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = http.get(format!("{}{USERINFO_PATH}", emu.base_url()));
    if let Some(access) = access {
        req = req.bearer_auth(access);
    }
    let (status, headers, body) = json(req.send().await.expect("GET userinfo")).await;
    let challenge = headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, challenge, body)
}

#[tokio::test]
async fn userinfo_answers_by_the_scopes_of_the_token() {
    let emu = start(EmulatorConfig {
        invoices: 10,
        ..EmulatorConfig::default()
    })
    .await;
    let http = client();
    let cb = authorize(
        &emu,
        &http,
        &[(
            "scope",
            "com.intuit.quickbooks.accounting openid email profile",
        )],
    )
    .await;
    let code = get(&cb, "code").expect("code");
    let (status, _, tokens) = json(exchange(&emu, &http, code).await).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = tokens["access_token"].as_str().expect("access");

    let (status, _, info) = userinfo(&emu, &http, Some(access)).await;
    assert_eq!(status, StatusCode::OK, "{info}");
    assert!(
        info["sub"].as_str().is_some_and(|s| !s.is_empty()),
        "{info}"
    );
    assert!(
        info["email"].as_str().is_some_and(|e| e.contains('@')),
        "{info}"
    );
    assert_eq!(info["emailVerified"], true);
    assert!(
        info["givenName"].is_string() && info["familyName"].is_string(),
        "{info}"
    );
    for absent in ["phoneNumber", "address"] {
        assert!(
            info.get(absent).is_none(),
            "{absent} without its scope: {info}"
        );
    }
    // The same user whatever the token: `sub` is per person.
    let cb = authorize(&emu, &http, &[("scope", "openid")]).await;
    let code = get(&cb, "code").expect("code");
    let (_, _, openid_only) = json(exchange(&emu, &http, code).await).await;
    let other = openid_only["access_token"].as_str().expect("access");
    let (status, _, bare) = userinfo(&emu, &http, Some(other)).await;
    assert_eq!(status, StatusCode::OK, "{bare}");
    assert_eq!(bare, serde_json::json!({ "sub": info["sub"] }));

    let (company_only, _) = login(&emu, &http).await;
    let (status, challenge, body) = userinfo(&emu, &http, Some(&company_only)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        challenge.as_deref(),
        Some("Bearer error=\"insufficient_scope\"")
    );
    assert_eq!(body["error"], "insufficient_scope");

    let (status, challenge, body) = userinfo(&emu, &http, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));

    let res = http
        .post(format!("{}{REVOKE_PATH}", emu.base_url()))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .header("Content-Type", "application/json")
        .body(serde_json::json!({ "token": tokens["refresh_token"] }).to_string())
        .send()
        .await
        .expect("revoke");
    assert_eq!(res.status(), StatusCode::OK);
    let (status, _, body) = userinfo(&emu, &http, Some(access)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "revoked token still opens userinfo: {body}"
    );
    assert!(
        !body.to_string().contains(access),
        "the token leaks into the error"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn bad_configs_are_refused_at_start() {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("literal");
    for cfg in [
        EmulatorConfig {
            customers: 0,
            ..EmulatorConfig::default()
        },
        EmulatorConfig {
            realm_id: "12/34".into(),
            ..EmulatorConfig::default()
        },
        EmulatorConfig {
            client_secret: String::new(),
            ..EmulatorConfig::default()
        },
    ] {
        let err = Emulator::start(cfg, addr).await.expect_err("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
fn args_default_and_refuse_non_loopback_hosts() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }
    let cli = Cli::try_parse_from(["emulator"]).expect("defaults parse");
    assert_eq!(
        cli.args.addr(),
        Ok("127.0.0.1:8050".parse().expect("literal"))
    );
    let cfg = cli.args.config();
    let def = EmulatorConfig::default();
    assert_eq!(
        (
            cfg.seed,
            cfg.invoices,
            cfg.customers,
            cfg.vendors,
            cfg.items,
            cfg.access_token_ttl,
            cfg.refresh_token_grace
        ),
        (
            def.seed,
            def.invoices,
            def.customers,
            def.vendors,
            def.items,
            def.access_token_ttl,
            def.refresh_token_grace
        )
    );
    let cli = Cli::try_parse_from([
        "emulator",
        "--host",
        "::1",
        "--port",
        "0",
        "--seed",
        "7",
        "--invoices",
        "10",
        "--access-token-ttl",
        "5",
        "--refresh-token-grace",
        "60",
        "--realm-id",
        "123",
    ])
    .expect("parses");
    assert_eq!(cli.args.addr(), Ok("[::1]:0".parse().expect("literal")));
    let cfg = cli.args.config();
    assert_eq!(
        (cfg.seed, cfg.invoices, cfg.realm_id.as_str()),
        (7, 10, "123")
    );
    assert_eq!(cfg.access_token_ttl, Duration::from_secs(5));
    assert_eq!(cfg.refresh_token_grace, Duration::from_secs(60));
    for host in ["0.0.0.0", "192.168.1.10", "example.com"] {
        let cli = Cli::try_parse_from(["emulator", "--host", host]).expect("parses");
        assert!(cli.args.addr().is_err(), "{host}");
    }
    let cli = Cli::try_parse_from(["emulator", "--host", "localhost"]).expect("parses");
    assert_eq!(
        cli.args.addr(),
        Ok("127.0.0.1:8050".parse().expect("literal"))
    );
}

// ---------------------------------------------------------------------------------------------
// Fault injection and QBO's per-realm limits

/// A small company, quick to generate, with `faults` applied on top.
fn small(faults: EmulatorConfig) -> EmulatorConfig {
    EmulatorConfig {
        invoices: 40,
        customers: 8,
        vendors: 4,
        items: 4,
        ..faults
    }
}

const COUNT_QUERY: &str = "select count(*) from Customer";

/// Send one count query and hand back the raw response.
async fn send_query(
    emu: &Emulator,
    http: &reqwest::Client,
    access: &str,
) -> reqwest::Result<reqwest::Response> {
    http.get(api_url(emu, "query"))
        .query(&[("query", COUNT_QUERY), ("minorversion", "75")])
        .bearer_auth(access)
        .header("Accept", "application/json")
        .send()
        .await
}

pub(super) async fn stats_of(emu: &Emulator, http: &reqwest::Client) -> Value {
    let res = http
        .get(format!("{}{}", emu.base_url(), stats::STATS_PATH))
        .send()
        .await
        .expect("stats");
    let (status, _, body) = json(res).await;
    assert_eq!(status, StatusCode::OK);
    body
}

/// The text of child element `name` of `node`.
fn xml_child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children().find(|n| n.has_tag_name(name))
}

#[tokio::test]
async fn injected_throttle_is_an_xml_429_with_retry_after() {
    let emu = start(small(EmulatorConfig {
        throttle_rate: 1.0,
        throttle_xml_rate: 1.0,
        retry_after_rate: 1.0,
        retry_after_secs: 3,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    // OAuth is never injected.
    let (access, _) = login(&emu, &http).await;

    let res = send_query(&emu, &http, &access).await.expect("query");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_tid(res.headers());
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("retry-after").as_deref(), Some("3"));
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/xml;charset=UTF-8")
    );
    let text = res.text().await.expect("body");
    let doc = roxmltree::Document::parse(&text).expect("XML body");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "IntuitResponse");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://schema.intuit.com/finance/v3")
    );
    assert!(
        root.attribute("time")
            .is_some_and(|t| t.ends_with("-07:00"))
    );
    let fault = xml_child(root, "Fault").expect("Fault");
    assert_eq!(fault.attribute("type"), Some("SERVICE"));
    let error = xml_child(fault, "Error").expect("Error");
    assert_eq!(error.attribute("code"), Some("3001"));
    assert_eq!(
        xml_child(error, "Message").and_then(|n| n.text()),
        Some("message=ThrottleExceeded; errorCode=003001; statusCode=429")
    );
    assert_eq!(
        xml_child(error, "Detail").and_then(|n| n.text()),
        Some("The request limit was reached.  Try again later")
    );

    // Authentication comes first: no token is still a 401, not a 429.
    let res = http
        .get(api_url(&emu, "query"))
        .query(&[("query", COUNT_QUERY)])
        .send()
        .await
        .expect("unauthenticated");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["api_requests"], 1, "{stats}");
    assert_eq!(stats["throttled"], 1, "{stats}");
    assert_eq!(stats["throttled_by_limit"], 0, "{stats}");
    assert_eq!(stats["code_exchanges"], 1, "{stats}");
    emu.shutdown().await;
}

#[tokio::test]
async fn injected_throttle_as_json_without_retry_after() {
    let emu = start(small(EmulatorConfig {
        throttle_rate: 1.0,
        throttle_xml_rate: 0.0,
        retry_after_rate: 0.0,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let res = send_query(&emu, &http, &access).await.expect("query");
    assert!(res.headers().get("retry-after").is_none());
    let (status, headers, body) = json(res).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_tid(&headers);
    // `qbo-samples/fault-429-throttle.json` (copied so the test does not depend on where the
    // samples live).
    let sample = serde_json::json!({
        "Fault": {
            "Error": [{
                "Message": "message=ThrottleExceeded; errorCode=003001; statusCode=429",
                "Detail": "The request limit was reached.  Try again later",
                "code": "3001"
            }],
            "type": "SERVICE"
        },
        "time": "2025-09-19T09:27:03.219-07:00"
    });
    assert_eq!(keys(&body), keys(&sample));
    assert_eq!(body["Fault"]["type"], sample["Fault"]["type"]);
    assert_eq!(body["Fault"]["Error"], sample["Fault"]["Error"]);
    emu.shutdown().await;
}

#[tokio::test]
async fn injected_server_errors_are_500_and_503_faults() {
    let emu = start(small(EmulatorConfig {
        server_error_rate: 1.0,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let mut seen = HashSet::new();
    for _ in 0..16 {
        let res = send_query(&emu, &http, &access).await.expect("query");
        let (status, headers, body) = json(res).await;
        assert_tid(&headers);
        assert_eq!(body["Fault"]["type"], "SystemFault", "{body}");
        let error = &body["Fault"]["Error"][0];
        assert_eq!(error["code"], "10000", "{body}");
        match status {
            StatusCode::INTERNAL_SERVER_ERROR => assert_eq!(
                error["Message"],
                "An application error has occurred while processing your request"
            ),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(error["Message"], "Service Unavailable")
            }
            other => panic!("unexpected {other}: {body}"),
        }
        seen.insert(status);
    }
    assert_eq!(seen.len(), 2, "both 500 and 503 occur: {seen:?}");
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["server_errors"], 16, "{stats}");
    assert_eq!(stats["api_requests"], 16, "{stats}");
    assert_eq!(stats["throttled"], 0, "{stats}");
    emu.shutdown().await;
}

#[tokio::test]
async fn injected_drop_is_a_transport_error() {
    let emu = start(small(EmulatorConfig {
        drop_rate: 1.0,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    // Drops come in two kinds: before anything is sent (`send` fails), or after the head and a
    // few body bytes (reading the body fails). The default fault seed gives both in 12 calls.
    let (mut before_head, mut mid_body) = (0, 0);
    for _ in 0..12 {
        match send_query(&emu, &http, &access).await {
            Err(err) => {
                assert!(!err.is_status(), "{err}");
                before_head += 1;
            }
            Ok(res) => {
                let status = res.status();
                let body = res.bytes().await;
                assert!(
                    body.is_err(),
                    "a dropped call must not complete: {status} {body:?}"
                );
                mid_body += 1;
            }
        }
    }
    assert!(before_head > 0 && mid_body > 0, "{before_head} {mid_body}");
    // The server itself lives on.
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["dropped"], 12, "{stats}");
    assert_eq!(stats["api_requests"], 12, "{stats}");
    assert_eq!(stats["in_flight"], 0, "{stats}");
    emu.shutdown().await;
}

#[tokio::test]
async fn eleventh_concurrent_call_is_throttled() {
    // Answers take a minute: the calls below stay in flight for as long as the test looks, so
    // no timing decides what overlaps. The test ends without waiting for them.
    let emu = start(small(EmulatorConfig {
        latency: Duration::from_secs(60),
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let in_flight = |want: u64| {
        let (emu, http) = (&emu, &http);
        async move {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let stats = stats_of(emu, http).await;
                if stats["in_flight"].as_u64() == Some(want) || Instant::now() > deadline {
                    return stats;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };

    // A client that respects the limit: 10 at once are all admitted.
    let held: Vec<_> = (0..10)
        .map(|_| {
            let (url, http, access) = (api_url(&emu, "query"), http.clone(), access.clone());
            tokio::spawn(async move {
                http.get(url)
                    .query(&[("query", COUNT_QUERY), ("minorversion", "75")])
                    .bearer_auth(access)
                    .send()
                    .await
            })
        })
        .collect();
    let stats = in_flight(10).await;
    assert_eq!(stats["in_flight"], 10, "{stats}");
    assert_eq!(stats["max_in_flight"], 10, "{stats}");
    assert_eq!(stats["throttled_by_limit"], 0, "{stats}");

    // One more than QBO allows is turned away at once.
    let eleventh = tokio::time::timeout(Duration::from_secs(10), send_query(&emu, &http, &access))
        .await
        .expect("answered at once, not after the latency")
        .expect("query");
    assert_eq!(eleventh.status(), StatusCode::TOO_MANY_REQUESTS);
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["max_in_flight"], 11, "{stats}");
    assert_eq!(stats["throttled_by_limit"], 1, "{stats}");
    assert_eq!(stats["throttled"], 1, "{stats}");
    assert_eq!(stats["api_requests"], 11, "{stats}");
    assert_eq!(stats["in_flight"], 10, "{stats}");
    for call in held {
        call.abort();
    }
}

#[tokio::test]
async fn calls_over_the_per_minute_limit_are_throttled() {
    let emu = start(small(EmulatorConfig {
        requests_per_minute: 5,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, refresh_token) = login(&emu, &http).await;
    for i in 0..5 {
        let res = send_query(&emu, &http, &access).await.expect("query");
        assert_eq!(res.status(), StatusCode::OK, "call {i}");
    }
    let res = send_query(&emu, &http, &access).await.expect("query");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_none());
    let (_, _, body) = json(res).await;
    assert_eq!(body["Fault"]["Error"][0]["code"], "3001", "{body}");
    // OAuth is not an API call: refreshing still works.
    let (status, body) = refresh(&emu, &http, &refresh_token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["api_requests"], 6, "{stats}");
    assert_eq!(stats["throttled"], 1, "{stats}");
    assert_eq!(stats["throttled_by_limit"], 1, "{stats}");
    assert_eq!(stats["refreshes"], 1, "{stats}");
    emu.shutdown().await;
}

#[tokio::test]
async fn zero_turns_the_limits_off() {
    let emu = start(small(EmulatorConfig {
        requests_per_minute: 0,
        max_in_flight: 0,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let statuses = futures::future::join_all(
        (0..24).map(|_| async { send_query(&emu, &http, &access).await.map(|r| r.status()) }),
    )
    .await;
    assert!(
        statuses
            .iter()
            .all(|s| s.as_ref().is_ok_and(|s| *s == StatusCode::OK)),
        "{statuses:?}"
    );
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["throttled"], 0, "{stats}");
    emu.shutdown().await;
}

/// How many of 200 sequential calls an instance with `fault_seed` throttles at a 20% rate.
async fn throttled_of_200(fault_seed: u64) -> u64 {
    let emu = start(small(EmulatorConfig {
        throttle_rate: 0.2,
        fault_seed,
        ..EmulatorConfig::default()
    }))
    .await;
    let http = client();
    let (access, _) = login(&emu, &http).await;
    let mut throttled = 0;
    for _ in 0..200 {
        let res = send_query(&emu, &http, &access).await.expect("query");
        match res.status() {
            StatusCode::OK => {}
            StatusCode::TOO_MANY_REQUESTS => throttled += 1,
            other => panic!("unexpected {other}"),
        }
        // Read the body so the connection is reused.
        res.bytes().await.expect("body");
    }
    let stats = stats_of(&emu, &http).await;
    assert_eq!(stats["throttled"], throttled, "{stats}");
    assert_eq!(stats["api_requests"], 200, "{stats}");
    emu.shutdown().await;
    throttled
}

#[tokio::test]
async fn seeded_injection_is_reproducible() {
    let first = throttled_of_200(11).await;
    let second = throttled_of_200(11).await;
    assert_eq!(first, second);
    assert!((20..=60).contains(&first), "{first} of 200 throttled");
}

#[tokio::test]
async fn bad_fault_settings_are_refused_at_start() {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("literal");
    for cfg in [
        EmulatorConfig {
            throttle_rate: 1.2,
            ..EmulatorConfig::default()
        },
        EmulatorConfig {
            server_error_rate: 0.5,
            drop_rate: 0.6,
            ..EmulatorConfig::default()
        },
    ] {
        let err = Emulator::start(small(cfg), addr)
            .await
            .expect_err("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}

#[test]
fn fault_and_limit_flags() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }
    let cfg = Cli::try_parse_from(["emulator"])
        .expect("defaults parse")
        .args
        .config();
    let def = EmulatorConfig::default();
    assert_eq!(
        (
            cfg.throttle_rate,
            cfg.throttle_xml_rate,
            cfg.retry_after_rate,
            cfg.server_error_rate,
            cfg.drop_rate
        ),
        (0.0, 0.0, 0.0, 0.0, 0.0)
    );
    assert_eq!(
        (
            cfg.retry_after_secs,
            cfg.latency,
            cfg.fault_seed,
            cfg.max_in_flight,
            cfg.requests_per_minute
        ),
        (
            def.retry_after_secs,
            Duration::ZERO,
            def.fault_seed,
            10,
            500
        )
    );
    let cfg = Cli::try_parse_from([
        "emulator",
        "--throttle-rate",
        "0.2",
        "--throttle-xml-rate",
        "1.0",
        "--retry-after-rate",
        "0.5",
        "--retry-after",
        "1",
        "--server-error-rate",
        "0.1",
        "--drop-rate",
        "0.05",
        "--latency-ms",
        "100",
        "--fault-seed",
        "9",
        "--max-in-flight",
        "0",
        "--requests-per-minute",
        "40",
    ])
    .expect("parses")
    .args
    .config();
    assert_eq!(
        (
            cfg.throttle_rate,
            cfg.throttle_xml_rate,
            cfg.retry_after_rate,
            cfg.server_error_rate,
            cfg.drop_rate
        ),
        (0.2, 1.0, 0.5, 0.1, 0.05)
    );
    assert_eq!(
        (
            cfg.retry_after_secs,
            cfg.latency,
            cfg.fault_seed,
            cfg.max_in_flight,
            cfg.requests_per_minute
        ),
        (1, Duration::from_millis(100), 9, 0, 40)
    );
    assert_eq!(
        cfg.seed, def.seed,
        "the fault seed leaves the data seed alone"
    );
    for bad in [
        ["--throttle-rate", "1.5"],
        ["--drop-rate", "-0.1"],
        ["--server-error-rate", "x"],
    ] {
        assert!(
            Cli::try_parse_from(["emulator", bad[0], bad[1]]).is_err(),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn gzip_answers_only_when_asked_and_switched_on() {
    for gzip in [true, false] {
        let emu = start(small(EmulatorConfig {
            gzip,
            ..EmulatorConfig::default()
        }))
        .await;
        let http = client();
        let (access, _) = login(&emu, &http).await;
        let url = api_url(&emu, "query?query=select%20*%20from%20Invoice");
        let plain_client = reqwest::Client::builder()
            .no_gzip()
            .build()
            .expect("client builds");
        let send = |accept_encoding: Option<&'static str>| {
            let mut request = plain_client.get(&url).bearer_auth(&access);
            if let Some(coding) = accept_encoding {
                request = request.header("Accept-Encoding", coding);
            }
            request.send()
        };
        let plain = send(None).await.expect("query");
        assert_eq!(plain.headers().get("content-encoding"), None);
        let plain: Value =
            serde_json::from_slice(&plain.bytes().await.expect("body")).expect("json");
        assert_eq!(
            plain["QueryResponse"]["Invoice"].as_array().map(Vec::len),
            Some(40)
        );

        let asked = send(Some("br;q=1.0, gzip;q=0.8")).await.expect("query");
        assert_tid(asked.headers());
        let encoding = asked
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
        let body = asked.bytes().await.expect("body");
        if gzip {
            assert_eq!(encoding.as_deref(), Some("gzip"));
            assert_eq!(body.get(..2), Some(&[0x1f, 0x8b][..]), "gzip magic");
            assert!(body.len() * 4 < serde_json::to_vec(&plain).expect("json").len());
        } else {
            assert_eq!(encoding, None);
        }
        // A client that inflates gets exactly the plain answer.
        let (_, inflated) = query(&emu, &http, &access, "select * from Invoice").await;
        assert_eq!(inflated["QueryResponse"], plain["QueryResponse"]);

        let stats: Value = http
            .get(format!("{}{}", emu.base_url(), stats::STATS_PATH))
            .send()
            .await
            .expect("stats")
            .bytes()
            .await
            .map(|body| serde_json::from_slice(&body).expect("json"))
            .expect("body");
        // The `asked` call and the inflating client's query asked; the plain one did not.
        assert_eq!(stats["gzip_asked"], 2, "gzip {gzip}: {stats}");
    }
}
