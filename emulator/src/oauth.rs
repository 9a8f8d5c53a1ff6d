//! Intuit's OAuth 2.0 endpoints: authorize, token (code exchange and refresh), revoke, discovery,
//! and OpenID Connect's userinfo and key set.
//!
//! Why it exists: clients must be able to run their whole login and refresh logic against the
//! emulator and meet Intuit's behaviour (QBO.md 1.2–1.8): consent is immediate (a `302` back to
//! the `redirect_uri` with `code`, `state`, `realmId`; or, told to with `deny_consent`, with
//! `error=access_denied` as when a person clicks Cancel), client authentication is HTTP Basic (or
//! `client_secret_post`), token answers and errors have Intuit's JSON bodies, codes are single-use,
//! refresh tokens rotate, revocation kills the whole chain. Error texts never contain a token or
//! the client secret.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use crate::fault::{bytes_response, json_response_typed};
use crate::grants::GrantError;
use crate::state::State;
use crate::time::now_secs;
use crate::token::{Claims, Kind, new_jti, pkce_s256};

/// Path of the authorization (consent) endpoint, relative to the base URL.
pub const AUTHORIZE_PATH: &str = "/connect/oauth2";
/// Path of the token endpoint (code exchange and refresh), relative to the base URL.
pub const TOKEN_PATH: &str = "/oauth2/v1/tokens/bearer";
/// Path of the token revocation endpoint, relative to the base URL.
pub const REVOKE_PATH: &str = "/v2/oauth2/tokens/revoke";
/// Path of OpenID Connect's userinfo endpoint, relative to the base URL.
pub const USERINFO_PATH: &str = "/v1/openid_connect/userinfo";
/// Path of the key set that signs id_tokens, relative to the base URL.
pub const JWKS_PATH: &str = "/op/v1/jwks";

/// How long an authorization code lives (Intuit's value is undocumented).
const CODE_TTL_SECS: i64 = 600;
/// The absolute lifetime of a token chain (Intuit's 5-year cap, counted from the code exchange).
pub(crate) const HARD_EXPIRY_SECS: i64 = 1826 * 86_400;
/// The opt-in request header for `x_refresh_token_hard_expires_in`.
const HARD_EXPIRY_HEADER: &str = "x-include-refresh-token-hard-expires-in";
/// Scopes that grant access to a company (and make the callback carry `realmId`).
const COMPANY_SCOPES: [&str; 2] = [
    "com.intuit.quickbooks.accounting",
    "com.intuit.quickbooks.payment",
];

/// OpenID Connect scopes: they open the userinfo endpoint, never a company.
const OPENID_SCOPES: [&str; 5] = ["openid", "profile", "email", "phone", "address"];

const JSON: &str = "application/json";

/// Query or form pairs; the first occurrence of a name wins.
fn pairs(raw: &[u8]) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(raw) {
        map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    map
}

/// A non-empty parameter.
fn param<'a>(map: &'a HashMap<String, String>, name: &str) -> Option<&'a str> {
    map.get(name).map(String::as_str).filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------------
// GET /connect/oauth2

/// `GET /connect/oauth2`: consent at once and redirect back with a code (or refuse at once with
/// `access_denied` when the emulator is told to deny consents).
pub(crate) async fn authorize(AxumState(state): AxumState<Arc<State>>, uri: Uri) -> Response {
    let q = pairs(uri.query().unwrap_or("").as_bytes());
    let cfg = state.config();
    if param(&q, "client_id") != Some(cfg.client_id.as_str()) {
        return error_page(
            "Invalid client_id",
            "The client_id is missing or is not registered with this QBO emulator.",
        );
    }
    let redirect = param(&q, "redirect_uri")
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    let Some(redirect) = redirect else {
        return error_page(
            "Invalid redirect_uri",
            "The redirect_uri is missing or is not an absolute http(s) URL.",
        );
    };
    let state_param = q.get("state").map(String::as_str);
    if param(&q, "response_type") != Some("code") {
        return redirect_error(redirect, "unsupported_response_type", None, state_param);
    }
    let scope = param(&q, "scope").unwrap_or("");
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    let usable = scopes
        .iter()
        .any(|s| COMPANY_SCOPES.contains(s) || *s == "openid");
    if !usable {
        return redirect_error(redirect, "invalid_scope", None, state_param);
    }
    if cfg.deny_consent {
        return redirect_error(
            redirect,
            "access_denied",
            Some("The user did not authorize the app"),
            state_param,
        );
    }
    // PKCE is not an Intuit feature; accept it, and enforce S256 if a client uses it.
    let code_challenge = param(&q, "code_challenge")
        .filter(|_| param(&q, "code_challenge_method") == Some("S256"))
        .map(str::to_owned);
    let now = now_secs();
    let jti = new_jti();
    let realm = state.directory().next_consent().to_owned();
    let code = state.tokens().sign(&Claims {
        kind: Kind::Code,
        realm: realm.clone(),
        client_id: cfg.client_id.clone(),
        jti: jti.clone(),
        family: jti,
        iat: now,
        exp: now + CODE_TTL_SECS,
        scope: scopes.join(" "),
        redirect_uri: Some(redirect.as_str().to_owned()),
        code_challenge,
        hard_exp: None,
    });
    let mut location = redirect;
    {
        let mut qp = location.query_pairs_mut();
        qp.append_pair("code", &code);
        if let Some(s) = state_param {
            qp.append_pair("state", s);
        }
        if scopes.iter().any(|s| COMPANY_SCOPES.contains(s)) {
            qp.append_pair("realmId", &realm);
        }
    }
    found(location.as_str())
}

fn redirect_error(
    mut to: url::Url,
    error: &str,
    description: Option<&str>,
    state: Option<&str>,
) -> Response {
    {
        let mut qp = to.query_pairs_mut();
        qp.append_pair("error", error);
        if let Some(description) = description {
            qp.append_pair("error_description", description);
        }
        if let Some(s) = state {
            qp.append_pair("state", s);
        }
    }
    found(to.as_str())
}

fn found(location: &str) -> Response {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::FOUND;
    match HeaderValue::from_str(location) {
        Ok(v) => {
            res.headers_mut().insert(header::LOCATION, v);
            res
        }
        Err(_) => error_page("Invalid redirect_uri", "The redirect_uri cannot be used."),
    }
}

fn error_page(title: &str, text: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p><p>QBO emulator (qbo-run)</p></body></html>\n"
    );
    bytes_response(
        StatusCode::BAD_REQUEST,
        body.into_bytes(),
        "text/html; charset=utf-8",
    )
}

// ---------------------------------------------------------------------------------------------
// POST /oauth2/v1/tokens/bearer

/// An OAuth error answer (`{"error":..,"error_description":..}`).
struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: Option<&'static str>,
}

impl OAuthError {
    fn invalid_client() -> OAuthError {
        OAuthError {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: None,
        }
    }

    fn bad(error: &'static str, description: &'static str) -> OAuthError {
        OAuthError {
            status: StatusCode::BAD_REQUEST,
            error,
            description: Some(description),
        }
    }
}

#[derive(Serialize)]
struct ErrorBody {
    error: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_description: Option<&'static str>,
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.error,
            error_description: self.description,
        };
        no_store(json_response_typed(self.status, &body, JSON))
    }
}

fn no_store(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

#[derive(Serialize)]
struct TokenBody {
    token_type: &'static str,
    expires_in: i64,
    refresh_token: String,
    x_refresh_token_expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_refresh_token_hard_expires_in: Option<i64>,
    access_token: String,
}

/// Check client credentials (HTTP Basic, else `client_id`/`client_secret` in the form).
fn authenticate_client(
    state: &State,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(), OAuthError> {
    let (id, secret) = match basic_credentials(headers) {
        Some(creds) => creds,
        None => match (param(form, "client_id"), param(form, "client_secret")) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
            _ => return Err(OAuthError::invalid_client()),
        },
    };
    let cfg = state.config();
    if id == cfg.client_id && secret == cfg.client_secret {
        Ok(())
    } else {
        Err(OAuthError::invalid_client())
    }
}

/// `(client_id, client_secret)` from an `Authorization: Basic` header (each part form-decoded,
/// as RFC 6749 §2.3.1 asks).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((decode(id), decode(secret)))
}

/// `POST /oauth2/v1/tokens/bearer`.
pub(crate) async fn token(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return OAuthError::bad("invalid_request", "The request body could not be read")
            .into_response();
    };
    let form = pairs(&body);
    if let Err(e) = authenticate_client(&state, &headers, &form) {
        return e.into_response();
    }
    let want_hard = headers
        .get(HARD_EXPIRY_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let grant_type = param(&form, "grant_type");
    let result = match grant_type {
        None => Err(OAuthError::bad("invalid_request", "grant_type is required")),
        Some("authorization_code") => exchange_code(&state, &form),
        Some("refresh_token") => refresh(&state, &form),
        Some(_) => Err(OAuthError::bad(
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        )),
    };
    state.stats().token(grant_type, result.is_ok());
    match result {
        Ok(mut body) => {
            if !want_hard {
                body.x_refresh_token_hard_expires_in = None;
            }
            no_store(json_response_typed(StatusCode::OK, &body, JSON))
        }
        Err(e) => e.into_response(),
    }
}

fn exchange_code(state: &State, form: &HashMap<String, String>) -> Result<TokenBody, OAuthError> {
    let invalid = || OAuthError::bad("invalid_grant", "Token invalid");
    let (Some(code), Some(redirect_uri)) = (param(form, "code"), param(form, "redirect_uri"))
    else {
        return Err(OAuthError::bad(
            "invalid_request",
            "code and redirect_uri are required",
        ));
    };
    let now = now_secs();
    let claims = state
        .tokens()
        .verify(code, Kind::Code, now)
        .map_err(|_| invalid())?;
    let cfg = state.config();
    if claims.client_id != cfg.client_id || state.directory().index_of(&claims.realm).is_none() {
        return Err(invalid());
    }
    let same_redirect = claims
        .redirect_uri
        .as_deref()
        .zip(url::Url::parse(redirect_uri).ok())
        .is_some_and(|(granted, given)| granted == given.as_str());
    if !same_redirect {
        return Err(invalid());
    }
    if let Some(challenge) = &claims.code_challenge {
        let verifier = param(form, "code_verifier").ok_or_else(invalid)?;
        if pkce_s256(verifier) != *challenge {
            return Err(invalid());
        }
    }
    let hard_exp = now.saturating_add(HARD_EXPIRY_SECS);
    let refresh_jti = new_jti();
    state
        .grants()
        .redeem_code(&claims, &refresh_jti)
        .map_err(|_| invalid())?;
    Ok(mint_pair(state, &claims, refresh_jti, now, hard_exp))
}

fn refresh(state: &State, form: &HashMap<String, String>) -> Result<TokenBody, OAuthError> {
    let invalid = || OAuthError::bad("invalid_grant", "Incorrect or invalid refresh token");
    let Some(token) = param(form, "refresh_token") else {
        return Err(OAuthError::bad(
            "invalid_request",
            "refresh_token is required",
        ));
    };
    let now = now_secs();
    let claims = state
        .tokens()
        .verify(token, Kind::Refresh, now)
        .map_err(|_| invalid())?;
    let cfg = state.config();
    if claims.client_id != cfg.client_id || state.directory().index_of(&claims.realm).is_none() {
        return Err(invalid());
    }
    let grace = i64::try_from(cfg.refresh_token_grace.as_secs()).unwrap_or(i64::MAX);
    let refresh_jti = new_jti();
    state
        .grants()
        .rotate(&claims, &refresh_jti, now, grace)
        .map_err(|e| {
            if e == GrantError::Stale {
                tracing::debug!("emulator: refresh with a rotated-out refresh token");
            }
            invalid()
        })?;
    let hard_exp = claims
        .hard_exp
        .unwrap_or_else(|| now.saturating_add(HARD_EXPIRY_SECS));
    Ok(mint_pair(state, &claims, refresh_jti, now, hard_exp))
}

/// A new access token and refresh token (with id `refresh_jti`) in the family of `from`.
fn mint_pair(
    state: &State,
    from: &Claims,
    refresh_jti: String,
    now: i64,
    hard_exp: i64,
) -> TokenBody {
    let cfg = state.config();
    let secs = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    let access_ttl = secs(cfg.access_token_ttl);
    let refresh_exp = now
        .saturating_add(secs(cfg.refresh_token_ttl))
        .min(hard_exp);
    let base = Claims {
        kind: Kind::Access,
        realm: from.realm.clone(),
        client_id: from.client_id.clone(),
        jti: new_jti(),
        family: from.family.clone(),
        iat: now,
        exp: now.saturating_add(access_ttl),
        scope: from.scope.clone(),
        redirect_uri: None,
        code_challenge: None,
        hard_exp: None,
    };
    let refresh = Claims {
        kind: Kind::Refresh,
        jti: refresh_jti,
        exp: refresh_exp,
        hard_exp: Some(hard_exp),
        ..base.clone()
    };
    TokenBody {
        token_type: "bearer",
        expires_in: access_ttl,
        refresh_token: state.tokens().sign(&refresh),
        x_refresh_token_expires_in: (refresh_exp - now).max(0),
        x_refresh_token_hard_expires_in: Some((hard_exp - now).max(0)),
        access_token: state.tokens().sign(&base),
    }
}

// ---------------------------------------------------------------------------------------------
// POST /v2/oauth2/tokens/revoke

/// `POST /v2/oauth2/tokens/revoke` with `{"token": ".."}` (a form body `token=..` also works).
pub(crate) async fn revoke(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(body) = body else {
        return OAuthError::bad("invalid_request", "The request body could not be read")
            .into_response();
    };
    let is_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let form = if is_json {
        HashMap::new()
    } else {
        pairs(&body)
    };
    if let Err(e) = authenticate_client(&state, &headers, &form) {
        return e.into_response();
    }
    let token = if is_json {
        serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("token").and_then(|t| t.as_str()).map(str::to_owned))
    } else {
        form.get("token").cloned()
    };
    let Some(token) = token.filter(|t| !t.trim().is_empty()) else {
        return OAuthError::bad("invalid_request", "token is required").into_response();
    };
    // Unknown or foreign tokens are not an error (RFC 7009 §2.2): answer 200 either way.
    if let Ok(claims) = state.tokens().verify_any(token.trim())
        && claims.client_id == state.config().client_id
    {
        state.grants().revoke(&claims.family);
    }
    // Intuit answers 200 with an empty body (no JSON to parse).
    no_store(StatusCode::OK.into_response())
}

// ---------------------------------------------------------------------------------------------
// Discovery

/// `GET /.well-known/openid_configuration` (and its sandbox / hyphenated spellings).
pub(crate) async fn discovery(AxumState(state): AxumState<Arc<State>>) -> Response {
    let base = state.base_url();
    // Intuit's document lists id_token signing and claims too; this server issues no id_token
    // (its key set is empty), so it advertises neither.
    let scopes: Vec<&str> = COMPANY_SCOPES
        .iter()
        .chain(&OPENID_SCOPES)
        .copied()
        .collect();
    let body = serde_json::json!({
        "issuer": format!("{base}/op/v1"),
        "authorization_endpoint": format!("{base}{AUTHORIZE_PATH}"),
        "token_endpoint": format!("{base}{TOKEN_PATH}"),
        "revocation_endpoint": format!("{base}{REVOKE_PATH}"),
        "userinfo_endpoint": format!("{base}{USERINFO_PATH}"),
        "jwks_uri": format!("{base}{JWKS_PATH}"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "scopes_supported": scopes,
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"]
    });
    json_response_typed(StatusCode::OK, &body, JSON)
}

/// `GET /op/v1/jwks`: the keys that sign id_tokens. The emulator issues none, so the set is
/// empty (a client that checks an id_token's signature finds no key, as it should).
pub(crate) async fn jwks() -> Response {
    json_response_typed(StatusCode::OK, &serde_json::json!({ "keys": [] }), JSON)
}

/// The person who consents on the emulator's login page: one user, admin of every company the
/// instance serves (a stable `sub`, as Intuit's is per user, not per company).
const USER_SUB: &str = "0b6f3c8e-5a1d-4c2e-9f47-e3a1d2c4b5f6";

/// `GET /v1/openid_connect/userinfo`: the consenting user's claims, by the scopes the access
/// token carries (Intuit's camelCase names). 401 for no live token, 403 without `openid`, each
/// with RFC 6750's `WWW-Authenticate` and a JSON error.
pub(crate) async fn userinfo(
    AxumState(state): AxumState<Arc<State>>,
    headers: HeaderMap,
) -> Response {
    let claims = match crate::api::bearer_claims(&state, &headers) {
        Ok(claims) => claims,
        Err(why) => return bearer_error(StatusCode::UNAUTHORIZED, "invalid_token", &why),
    };
    let scopes: Vec<&str> = claims.scope.split_whitespace().collect();
    if !scopes.contains(&"openid") {
        return bearer_error(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "The access token does not carry the openid scope",
        );
    }
    let company = &state.data().company;
    let mut body = serde_json::Map::new();
    body.insert("sub".into(), USER_SUB.into());
    if scopes.contains(&"email") {
        body.insert("email".into(), company.email.clone().into());
        body.insert("emailVerified".into(), true.into());
    }
    if scopes.contains(&"profile") {
        body.insert("givenName".into(), "Alex".into());
        body.insert("familyName".into(), "Morgan".into());
    }
    if scopes.contains(&"phone") {
        body.insert("phoneNumber".into(), company.phone.clone().into());
        body.insert("phoneNumberVerified".into(), false.into());
    }
    if scopes.contains(&"address") {
        let a = &company.addr;
        body.insert(
            "address".into(),
            serde_json::json!({
                "streetAddress": a.line1,
                "locality": a.city,
                "region": a.region,
                "postalCode": a.postal,
                "country": "US",
            }),
        );
    }
    no_store(json_response_typed(StatusCode::OK, &body, JSON))
}

/// An RFC 6750 refusal of a protected OpenID resource.
fn bearer_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut res = json_response_typed(status, &body, JSON);
    let challenge = format!("Bearer error=\"{error}\"");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, value);
    }
    no_store(res)
}
