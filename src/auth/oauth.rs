//! The OAuth 2.0 calls to Intuit's (or the emulator's) authorization server, through the
//! `oauth2` crate and the run's own reqwest client: the authorize URL (state and PKCE S256), the
//! code exchange and the refresh, with HTTP Basic client authentication as Intuit's SDKs do.

use super::store::TokenGrant;
use crate::connection::OAuthSettings;
use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Intuit's additions to the token response.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IntuitTokenFields {
    /// Seconds until the rolling expiry of the refresh token.
    #[serde(default)]
    pub x_refresh_token_expires_in: Option<i64>,
    /// Seconds until the absolute expiry of the refresh token (opt-in header).
    #[serde(default)]
    pub x_refresh_token_hard_expires_in: Option<i64>,
}

impl ExtraTokenFields for IntuitTokenFields {}

type IntuitTokenResponse = StandardTokenResponse<IntuitTokenFields, BasicTokenType>;

type IntuitClient = oauth2::Client<
    BasicErrorResponse,
    IntuitTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A started login: the URL to open and what must come back.
pub struct LoginRequest {
    /// The authorize URL with all parameters.
    pub url: url::Url,
    /// The `state` that the callback must echo.
    pub state: String,
    /// The PKCE verifier for the exchange.
    pub pkce_verifier: PkceCodeVerifier,
}

/// The authorization server of one connection.
pub struct OAuthServer {
    settings: OAuthSettings,
    http: reqwest::Client,
}

impl OAuthServer {
    /// Wraps a connection's settings and the run's HTTP client.
    pub fn new(settings: OAuthSettings, http: reqwest::Client) -> OAuthServer {
        OAuthServer { settings, http }
    }

    /// Sends `redirect_uri` from now on (the login's listener chose its port).
    pub fn use_redirect_uri(&mut self, redirect_uri: String) {
        self.settings.redirect_uri = redirect_uri;
    }

    fn client(&self) -> Result<IntuitClient, Error> {
        let redirect = RedirectUrl::new(self.settings.redirect_uri.clone()).map_err(|err| {
            Error::file(format!(
                "`oauth2.redirect_uri` is not a valid URL ({err}): {}",
                self.settings.redirect_uri
            ))
        })?;
        Ok(
            oauth2::Client::new(ClientId::new(self.settings.client_id.clone()))
                .set_client_secret(ClientSecret::new(
                    self.settings.client_secret.expose().to_string(),
                ))
                .set_auth_uri(AuthUrl::from_url(self.settings.auth_url.clone()))
                .set_token_uri(TokenUrl::from_url(self.settings.token_url.clone()))
                .set_redirect_uri(redirect),
        )
    }

    /// Builds the authorize URL, with a fresh random state (after the connection's fixed part)
    /// and a PKCE S256 challenge.
    pub fn start_login(&self) -> Result<LoginRequest, Error> {
        let client = self.client()?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let prefix = self.settings.state.clone();
        let (url, state) = client
            .authorize_url(move || {
                let random = CsrfToken::new_random();
                CsrfToken::new(match &prefix {
                    Some(prefix) => format!("{prefix}.{}", random.secret()),
                    None => random.secret().clone(),
                })
            })
            .add_scopes(
                self.settings
                    .scope
                    .split_whitespace()
                    .map(|s| Scope::new(s.to_string())),
            )
            .set_pkce_challenge(challenge)
            .url();
        Ok(LoginRequest {
            url,
            state: state.secret().clone(),
            pkce_verifier: verifier,
        })
    }

    /// Exchanges an authorization code for tokens.
    pub async fn exchange_code(
        &self,
        code: &str,
        verifier: PkceCodeVerifier,
    ) -> Result<TokenGrant, Error> {
        let client = self.client()?;
        let tid = Arc::new(Mutex::new(None));
        let http = self.http_fn(tid.clone());
        let result = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .set_pkce_verifier(verifier)
            .request_async(&http)
            .await;
        self.grant(result, &tid, "exchanging the authorization code")
    }

    /// Uses `refresh_token` to get a new access token (and maybe a new refresh token).
    pub async fn refresh(&self, refresh_token: &Secret) -> Result<TokenGrant, Error> {
        let client = self.client()?;
        let tid = Arc::new(Mutex::new(None));
        let http = self.http_fn(tid.clone());
        let token = RefreshToken::new(refresh_token.expose().to_string());
        let result = client
            .exchange_refresh_token(&token)
            .request_async(&http)
            .await;
        self.grant(result, &tid, "refreshing the access token")
    }

    /// Revokes `token` (a refresh or access token) at the revoke endpoint, as Intuit's SDKs do:
    /// HTTP Basic client auth and a JSON body `{"token": ...}`.
    pub async fn revoke(&self, token: &Secret) -> Result<(), Error> {
        let url = self.settings.revoke_url.clone();
        let response = self
            .http
            .post(url.clone())
            .basic_auth(
                &self.settings.client_id,
                Some(self.settings.client_secret.expose()),
            )
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(serde_json::json!({ "token": token.expose() }).to_string())
            .send()
            .await
            .map_err(|err| crate::http::unreachable("the revoke endpoint", &err))?;
        let status = response.status();
        let tid = crate::http::header(&response, "intuit_tid");
        if status.is_success() {
            return Ok(());
        }
        let body = response.bytes().await.unwrap_or_default();
        let detail = crate::http::parse_oauth_error(&body)
            .map(|(e, d)| format!("{e}{}", d.map(|d| format!(": {d}")).unwrap_or_default()));
        Err(Error::new(
            ErrorKind::Remote,
            format!("the revoke endpoint answered {status}"),
        )
        .note_opt(detail.map(|d| format!("error: {d}")))
        .note(format!("revoke endpoint: {url}"))
        .note(format!(
            "intuit_tid: {}",
            tid.as_deref().unwrap_or("(none)")
        )))
    }

    fn http_fn(
        &self,
        tid: Arc<Mutex<Option<String>>>,
    ) -> impl Fn(
        oauth2::HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = Result<oauth2::HttpResponse, reqwest::Error>> + Send>,
    > {
        let http = self.http.clone();
        move |request: oauth2::HttpRequest| {
            let http = http.clone();
            let tid = tid.clone();
            Box::pin(async move {
                let (parts, body) = request.into_parts();
                let started = std::time::Instant::now();
                let path = parts.uri.path().to_string();
                let method = parts.method.clone();
                let response = http
                    .request(parts.method, parts.uri.to_string())
                    .headers(parts.headers)
                    .header("x-include-refresh-token-hard-expires-in", "true")
                    .body(body)
                    .send()
                    .await?;
                if let Some(value) = crate::http::header(&response, "intuit_tid")
                    && let Ok(mut slot) = tid.lock()
                {
                    *slot = Some(value);
                }
                let status = response.status();
                tracing::info!(
                    request = %format!("{method} {path}"),
                    status = status.as_u16(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    intuit_tid = crate::http::header(&response, "intuit_tid").as_deref().unwrap_or(""),
                    "OAuth call"
                );
                let headers = response.headers().clone();
                let bytes = response.bytes().await?;
                let mut out = http::Response::new(bytes.to_vec());
                *out.status_mut() = status;
                *out.headers_mut() = headers;
                Ok(out)
            })
        }
    }

    fn grant(
        &self,
        result: Result<IntuitTokenResponse, RequestTokenError<reqwest::Error, BasicErrorResponse>>,
        tid: &Arc<Mutex<Option<String>>>,
        doing: &str,
    ) -> Result<TokenGrant, Error> {
        let tid = tid.lock().ok().and_then(|t| t.clone());
        let tid_note = format!("intuit_tid: {}", tid.as_deref().unwrap_or("(none)"));
        let endpoint = format!("token endpoint: {}", self.settings.token_url);
        match result {
            Ok(response) => {
                let access_token_lifetime = response
                    .expires_in()
                    .and_then(|d| chrono::Duration::from_std(d).ok())
                    .unwrap_or_else(|| chrono::Duration::seconds(3600));
                let extra = response.extra_fields();
                Ok(TokenGrant {
                    access_token: Secret::new(response.access_token().secret().clone()),
                    access_token_lifetime,
                    refresh_token: response
                        .refresh_token()
                        .map(|t| Secret::new(t.secret().clone())),
                    refresh_token_lifetime: extra
                        .x_refresh_token_expires_in
                        .filter(|s| *s > 0)
                        .map(chrono::Duration::seconds),
                    refresh_token_hard_lifetime: extra
                        .x_refresh_token_hard_expires_in
                        .filter(|s| *s > 0)
                        .map(chrono::Duration::seconds),
                })
            }
            Err(RequestTokenError::ServerResponse(response)) => {
                let description = response
                    .error_description()
                    .map(|d| format!(": {d}"))
                    .unwrap_or_default();
                let code = response.error().to_string();
                let kind = match response.error() {
                    BasicErrorResponseType::InvalidGrant => ErrorKind::AuthNeedsLogin,
                    _ => ErrorKind::Remote,
                };
                let mut error = Error::new(
                    kind,
                    format!("the OAuth server refused {doing}: {code}{description}"),
                )
                .note(endpoint)
                .note(tid_note);
                if matches!(response.error(), BasicErrorResponseType::InvalidClient) {
                    error = error.note(
                        "help: the client id or secret is wrong, or belongs to the other environment (development vs production keys)",
                    );
                }
                Err(error)
            }
            Err(RequestTokenError::Request(err)) => Err(crate::http::unreachable(
                &format!("the OAuth server while {doing}"),
                &err,
            )
            .note(endpoint)),
            Err(RequestTokenError::Parse(err, body)) => {
                let status_hint = crate::http::parse_oauth_error(&body).map(|(e, d)| {
                    format!("{e}{}", d.map(|d| format!(": {d}")).unwrap_or_default())
                });
                Err(Error::new(
                    ErrorKind::Remote,
                    format!(
                        "the OAuth server's answer while {doing} is not a token response: {err}"
                    ),
                )
                .note(endpoint)
                .note_opt(status_hint.map(|h| format!("error: {h}")))
                .note(tid_note))
            }
            Err(RequestTokenError::Other(message)) => Err(Error::new(
                ErrorKind::Remote,
                format!("OAuth error while {doing}: {message}"),
            )
            .note(endpoint)
            .note(tid_note)),
        }
    }
}
