//! One running instance: binding, the router, and the gateway every request passes through
//! (bearer authentication, per-realm limits, latency, fault injection, `intuit_tid`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower::ServiceExt as _;

use crate::config::EmulatorConfig;
use crate::fault::{Fault, INTUIT_TID, new_intuit_tid};
use crate::faults::{self, Injection};
use crate::oauth::{self, AUTHORIZE_PATH, JWKS_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH};
use crate::state::State;
use crate::stats::{self, Outcome};
use crate::{api, cdc, reports, tax_service, uploads, writes};

/// A running emulator (in-process, on its own tokio task). Dropping it also stops the server.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Emulator {
    /// Bind `addr` (port 0 = a free port) and serve in the background.
    pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<Emulator> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let states = tokio::task::spawn_blocking(move || State::companies(&config, &base_url))
            .await
            .map_err(std::io::Error::other)?
            .map_err(|msg| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg))?;
        let app = app(states.into_iter().map(Arc::new).collect());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    // A send or a dropped sender both mean "stop".
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Emulator {
            addr,
            stop: Some(stop),
            task,
        })
    }

    /// The address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// e.g. "http://127.0.0.1:43123" — the API base URL; the OAuth URLs hang off the same origin.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop serving and wait for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(err)) => tracing::warn!(%err, "emulator: server ended with an error"),
            Err(err) => tracing::warn!(%err, "emulator: server task failed"),
        }
    }
}

/// Serve until Ctrl-C (used by `qbo-run emulator`); print one line to stderr with the base URL
/// and the client id.
pub async fn serve_until_ctrl_c(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<()> {
    let client_id = config.client_id.clone();
    let realms = config.realm_ids();
    let emulator = Emulator::start(config, addr).await?;
    let companies = match realms.as_slice() {
        [one] => format!("realm {one}"),
        many => format!("{} companies: realms {}", many.len(), many.join(", ")),
    };
    eprintln!(
        "QBO emulator listening on {} ({companies}, client id {client_id}); Ctrl-C to stop",
        emulator.base_url()
    );
    let waited = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    waited
}

/// The whole instance: one company's routes, or with several a router per company, each call
/// under `/v3/company/{realm}/` handed to its company's (OAuth, discovery and stats are the same
/// on every one).
fn app(states: Vec<Arc<State>>) -> Router {
    let routers: Vec<Router> = states.iter().map(|s| router(Arc::clone(s))).collect();
    if routers.len() == 1 {
        return routers.into_iter().next().unwrap_or_default();
    }
    let companies = Arc::new(Companies { states, routers });
    Router::new().fallback(move |req: Request| {
        let companies = Arc::clone(&companies);
        async move {
            let k = company_of(req.uri().path())
                .and_then(|realm| companies.states[0].directory().index_of(realm))
                .unwrap_or(0);
            match companies.routers[k].clone().oneshot(req).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
    })
}

/// The routers of an instance serving several companies.
struct Companies {
    states: Vec<Arc<State>>,
    routers: Vec<Router>,
}

/// The realm of a `/v3/company/{realm}/...` path.
fn company_of(path: &str) -> Option<&str> {
    path.strip_prefix("/v3/company/")?.split('/').next()
}

/// The HTTP routes of one company.
fn router(state: Arc<State>) -> Router {
    let router = Router::new()
        .route(AUTHORIZE_PATH, get(oauth::authorize))
        .route(TOKEN_PATH, post(oauth::token))
        .route(REVOKE_PATH, post(oauth::revoke))
        .route("/.well-known/openid_configuration", get(oauth::discovery))
        .route(
            "/.well-known/openid_sandbox_configuration",
            get(oauth::discovery),
        )
        .route("/.well-known/openid-configuration", get(oauth::discovery))
        .route(USERINFO_PATH, get(oauth::userinfo))
        .route(JWKS_PATH, get(oauth::jwks))
        .route(stats::STATS_PATH, get(stats_handler))
        .route(
            "/v3/company/{realm}/query",
            get(api::query_get).post(api::query_post),
        )
        .route("/v3/company/{realm}/reports/{report}", get(reports::report))
        .route("/v3/company/{realm}/batch", post(writes::batch))
        .route("/v3/company/{realm}/cdc", get(cdc::changes))
        .route(
            "/v3/company/{realm}/taxservice/taxcode",
            post(tax_service::create_tax_code),
        )
        .route(
            "/v3/company/{realm}/upload",
            post(uploads::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::build::MAX_UPLOAD + 1024 * 1024,
            )),
        )
        .route(
            "/v3/company/{realm}/{entity}",
            get(api::read_singleton).post(writes::write_entity),
        )
        .route("/v3/company/{realm}/{entity}/{id}", get(api::read_entity))
        .fallback(fallback)
        .method_not_allowed_fallback(fallback)
        .layer(middleware::from_fn_with_state(Arc::clone(&state), gateway));
    let router = if state.config().gzip {
        router.layer(tower_http::compression::CompressionLayer::new().gzip(true))
    } else {
        router
    };
    router.with_state(state)
}

/// Whether `Accept-Encoding` lists gzip.
fn asks_for_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            coding
                .split(';')
                .next()
                .is_some_and(|name| name.trim().eq_ignore_ascii_case("gzip"))
        })
}

/// Runs around every request: authenticates `/v3` calls, puts them through the per-realm limits,
/// latency and fault injection ([`api_call`]), and stamps `intuit_tid` on every answer. OAuth,
/// discovery and `/__emulator/stats` pass straight through.
async fn gateway(
    AxumState(state): AxumState<Arc<State>>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let mut res = if path == "/v3" || path.starts_with("/v3/") {
        match api::authenticate(&state, req.headers(), path) {
            Ok(claims) => {
                let realm = claims.realm.clone();
                req.extensions_mut().insert(claims);
                // Counted before the limits may turn the call away, so `max_in_flight` shows what
                // the client sent at once.
                let _in_flight = state.stats().api_call();
                if asks_for_gzip(req.headers()) {
                    state.stats().gzip_asked();
                }
                api_call(&state, &realm, req, next).await
            }
            Err(denied) => denied.into_response(),
        }
    } else {
        next.run(req).await
    };
    if let Ok(tid) = HeaderValue::from_str(&new_intuit_tid()) {
        res.headers_mut()
            .insert(HeaderName::from_static(INTUIT_TID), tid);
    }
    res
}

/// One authenticated API call to `realm`: QBO's per-realm limits (429 at once when over), then
/// the configured latency (holding the call's slot, no lock), then an injected fault or the
/// handler.
async fn api_call(state: &State, realm: &str, req: Request, next: Next) -> Response {
    let _slot = match state.limits().admit(realm, Instant::now()) {
        Ok(slot) => slot,
        Err(refused) => {
            tracing::debug!(realm, ?refused, "emulator: per-realm limit, answering 429");
            state.stats().outcome(Outcome::LimitThrottle);
            return state.faults().limit_throttle().into_response();
        }
    };
    let latency = state.config().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match state.faults().next_call() {
        Injection::None => next.run(req).await,
        Injection::Throttle(throttle) => {
            state.stats().outcome(Outcome::InjectedThrottle);
            throttle.into_response()
        }
        Injection::ServerError { unavailable } => {
            state.stats().outcome(Outcome::ServerError);
            faults::server_error(unavailable)
        }
        Injection::Drop { mid_body } => {
            state.stats().outcome(Outcome::Dropped);
            faults::dropped(mid_body)
        }
    }
}

/// The instance's counters (see [`stats`]), per company when it serves several.
async fn stats_handler(AxumState(state): AxumState<Arc<State>>) -> Response {
    let directory = state.directory();
    axum::Json(stats::combined(directory.all_stats(), directory.realms())).into_response()
}

/// Unknown paths and methods: a QBO fault under `/v3`, a 404/405 fault elsewhere.
async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/v3" || path.starts_with("/v3/") {
        return api::unsupported(method, uri).await;
    }
    let known = [
        AUTHORIZE_PATH,
        TOKEN_PATH,
        REVOKE_PATH,
        USERINFO_PATH,
        JWKS_PATH,
    ]
    .contains(&path);
    let (status, message) = if known {
        (StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
    } else {
        (StatusCode::NOT_FOUND, "Not Found")
    };
    Fault::new(
        status,
        "ValidationFault",
        if known { "405" } else { "404" },
        message,
        format!(
            "No resource for {method} {path} on the QBO emulator. It serves \
             {AUTHORIZE_PATH} (GET), {TOKEN_PATH} (POST), {REVOKE_PATH} (POST), \
             {USERINFO_PATH} (GET), {JWKS_PATH} (GET), /.well-known/openid_configuration (GET) \
             and /v3/company/{{realmId}}/..."
        ),
        None,
    )
    .into_response()
}
