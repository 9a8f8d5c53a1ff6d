//! The two loopback servers of cassettes: a [`Recorder`] that forwards a run's calls to the
//! real company (or emulator) and keeps each API exchange, and a [`Replayer`] that answers a
//! run from a cassette (consenting and issuing tokens by itself, like the emulator) and keeps
//! every request it has no recording for.

use super::format::{Interaction, REALM_PLACEHOLDER, RecordedRequest, RecordedResponse};
use crate::diagnostics::{Error, ErrorKind};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use indexmap::IndexMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Largest body either server reads.
const MAX_BODY: usize = 256 << 20;

/// Response headers a cassette keeps.
const KEPT_HEADERS: [&str; 3] = ["content-type", "intuit_tid", "retry-after"];

/// One API exchange seen by the recorder, before scrubbing.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The exchange.
    pub interaction: Interaction,
    /// The bearer token the call carried (to be scrubbed).
    pub bearer: Option<String>,
}

/// A request the replayer had no recording for.
#[derive(Debug, Clone)]
pub struct Unmatched {
    /// What the run sent.
    pub request: RecordedRequest,
    /// The closest recorded request (same method and path), if any.
    pub nearest: Option<RecordedRequest>,
}

struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn serve(router: axum::Router) -> Result<Running, Error> {
    let listener = tokio::net::TcpListener::bind((std::net::Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|err| {
            Error::new(
                ErrorKind::Internal,
                format!("cannot listen on loopback: {err}"),
            )
        })?;
    let addr = listener
        .local_addr()
        .map_err(|err| Error::new(ErrorKind::Internal, format!("loopback address: {err}")))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(Running { addr, stop, task })
}

impl Running {
    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// The request as a cassette records it.
fn recorded_request(parts: &axum::http::request::Parts, body: &[u8]) -> RecordedRequest {
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    let has_body = !body.is_empty();
    RecordedRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query,
        content_type: has_body
            .then(|| header_text(&parts.headers, "content-type"))
            .flatten(),
        body: has_body.then(|| String::from_utf8_lossy(body).into_owned()),
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn plain(status: StatusCode, content_type: &str, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert("content-type", value);
    }
    response
}

struct RecordState {
    upstream: String,
    client: reqwest::Client,
    exchanges: Mutex<Vec<Exchange>>,
}

/// Forwards every call to the upstream server and keeps the API exchanges (`/v3/...`).
pub struct Recorder {
    running: Running,
    state: Arc<RecordState>,
}

impl Recorder {
    /// Starts forwarding to `upstream` (an origin such as `https://quickbooks.api.intuit.com`).
    pub async fn start(upstream: &url::Url) -> Result<Recorder, Error> {
        let client = crate::http::trusting_extra_ca(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(180)),
        )?
        .build()
        .map_err(|err| Error::new(ErrorKind::Internal, format!("HTTP client: {err}")))?;
        let state = Arc::new(RecordState {
            upstream: upstream.as_str().trim_end_matches('/').to_string(),
            client,
            exchanges: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(forward)
            .with_state(state.clone());
        Ok(Recorder {
            running: serve(router).await?,
            state,
        })
    }

    /// The recorder's address, to use as a connection's `base_url`.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// Stops and hands back the exchanges, in the order they were answered.
    pub async fn finish(self) -> Vec<Exchange> {
        self.running.stop().await;
        match self.state.exchanges.lock() {
            Ok(mut exchanges) => std::mem::take(&mut *exchanges),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

async fn forward(State(state): State<Arc<RecordState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "text/plain",
            "body too large".into(),
        );
    };
    let target = format!(
        "{}{}",
        state.upstream,
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut outgoing = state.client.request(parts.method.clone(), &target);
    for (name, value) in &parts.headers {
        if !matches!(
            name.as_str(),
            "host" | "content-length" | "accept-encoding" | "connection"
        ) {
            outgoing = outgoing.header(name, value);
        }
    }
    let answer = match outgoing.body(body.to_vec()).send().await {
        Ok(answer) => answer,
        Err(err) => {
            return plain(
                StatusCode::BAD_GATEWAY,
                "text/plain",
                format!("qbo-run test --record: {}", crate::http::without_url(&err)),
            );
        }
    };
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer.bytes().await.unwrap_or_default();
    if parts.uri.path().starts_with("/v3/") {
        let mut kept = IndexMap::new();
        for name in KEPT_HEADERS {
            if let Some(value) = header_text(&headers, name) {
                kept.insert(name.to_string(), value);
            }
        }
        let bearer = header_text(&parts.headers, "authorization")
            .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string));
        let exchange = Exchange {
            interaction: Interaction {
                request: recorded_request(&parts, &body),
                response: RecordedResponse {
                    status: status.as_u16(),
                    headers: kept,
                    body: String::from_utf8_lossy(&bytes).into_owned(),
                },
            },
            bearer,
        };
        if let Ok(mut exchanges) = state.exchanges.lock() {
            exchanges.push(exchange);
        }
    }
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    for (name, value) in &headers {
        if !matches!(
            name.as_str(),
            "content-encoding" | "content-length" | "transfer-encoding" | "connection"
        ) {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

struct ReplayState {
    interactions: Vec<Interaction>,
    used: Mutex<Vec<bool>>,
    unmatched: Mutex<Vec<Unmatched>>,
}

/// Answers a run from a cassette's exchanges, over loopback only.
pub struct Replayer {
    running: Running,
    state: Arc<ReplayState>,
}

/// What a replay saw: requests without a recording, and recordings never asked for.
pub struct ReplayReport {
    /// Requests the cassette has no recording for.
    pub unmatched: Vec<Unmatched>,
    /// Recorded requests the run did not send.
    pub unused: Vec<RecordedRequest>,
}

impl Replayer {
    /// Starts answering from `interactions`.
    pub async fn start(interactions: Vec<Interaction>) -> Result<Replayer, Error> {
        let state = Arc::new(ReplayState {
            used: Mutex::new(vec![false; interactions.len()]),
            interactions,
            unmatched: Mutex::new(Vec::new()),
        });
        let router = axum::Router::new()
            .fallback(replay)
            .with_state(state.clone());
        Ok(Replayer {
            running: serve(router).await?,
            state,
        })
    }

    /// The replayer's address, to use as a connection's `base_url`.
    pub fn base_url(&self) -> String {
        self.running.base_url()
    }

    /// Stops and reports what did not match.
    pub async fn finish(self) -> ReplayReport {
        self.running.stop().await;
        let unmatched = self
            .state
            .unmatched
            .lock()
            .map(|u| u.clone())
            .unwrap_or_default();
        let used = self
            .state
            .used
            .lock()
            .map(|u| u.clone())
            .unwrap_or_default();
        let unused = self
            .state
            .interactions
            .iter()
            .zip(used)
            .filter(|(_, used)| !used)
            .map(|(i, _)| i.request.clone())
            .collect();
        ReplayReport { unmatched, unused }
    }
}

/// How alike two requests are: the same method and path first, then shared query pairs.
fn likeness(a: &RecordedRequest, b: &RecordedRequest) -> Option<usize> {
    (a.method == b.method && a.path == b.path)
        .then(|| a.query.iter().filter(|pair| b.query.contains(pair)).count() + 1)
}

async fn replay(State(state): State<Arc<ReplayState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return plain(
            StatusCode::PAYLOAD_TOO_LARGE,
            "text/plain",
            "body too large".into(),
        );
    };
    let asked = recorded_request(&parts, &body);
    if asked.path == qbo_emulator::AUTHORIZE_PATH {
        let find = |name: &str| {
            asked
                .query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let Ok(mut target) = url::Url::parse(&find("redirect_uri")) else {
            return plain(
                StatusCode::BAD_REQUEST,
                "text/plain",
                "no redirect_uri".into(),
            );
        };
        target
            .query_pairs_mut()
            .append_pair("code", "replayed-code")
            .append_pair("state", &find("state"))
            .append_pair("realmId", REALM_PLACEHOLDER);
        let mut response = plain(StatusCode::FOUND, "text/plain", String::new());
        if let Ok(value) = HeaderValue::from_str(target.as_str()) {
            response.headers_mut().insert("location", value);
        }
        return response;
    }
    if asked.path == qbo_emulator::TOKEN_PATH {
        return plain(
            StatusCode::OK,
            "application/json",
            serde_json::json!({
                "token_type": "bearer",
                "access_token": "replayed-access-token",
                "refresh_token": "replayed-refresh-token",
                "expires_in": 3600,
                "x_refresh_token_expires_in": 8_726_400
            })
            .to_string(),
        );
    }
    let found = {
        let Ok(mut used) = state.used.lock() else {
            return plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                String::new(),
            );
        };
        let matching: Vec<usize> = state
            .interactions
            .iter()
            .enumerate()
            .filter(|(_, i)| i.request.matches(&asked))
            .map(|(at, _)| at)
            .collect();
        let pick = matching
            .iter()
            .copied()
            .find(|at| !used[*at])
            .or_else(|| matching.first().copied());
        if let Some(at) = pick {
            used[at] = true;
        }
        pick
    };
    match found {
        Some(at) => {
            let recorded = &state.interactions[at].response;
            let mut response = Response::new(Body::from(recorded.body.clone()));
            *response.status_mut() =
                StatusCode::from_u16(recorded.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            for (name, value) in &recorded.headers {
                if let (Ok(name), Ok(value)) = (
                    axum::http::HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        None => {
            let nearest = state
                .interactions
                .iter()
                .filter_map(|i| likeness(&i.request, &asked).map(|score| (score, &i.request)))
                .max_by_key(|(score, _)| *score)
                .map(|(_, r)| r.clone());
            if let Ok(mut unmatched) = state.unmatched.lock() {
                unmatched.push(Unmatched {
                    request: asked,
                    nearest,
                });
            }
            plain(
                StatusCode::BAD_REQUEST,
                "application/json",
                serde_json::json!({"Fault": {"type": "ValidationFault", "Error": [{
                    "Message": "request not in the cassette",
                    "Detail": "qbo-run test: the run sent a request that was not recorded; record again with --record if the change is meant",
                    "code": "0"
                }]}})
                .to_string(),
            )
        }
    }
}
