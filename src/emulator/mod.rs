//! The built-in QuickBooks Online emulator (`qbo-run emulator`).
//!
//! Why it exists: an HTTP server that answers like QBO's Accounting API v3 and Intuit's OAuth 2.0
//! endpoints — same paths, JSON shapes, Fault bodies, status codes, headers and token rules
//! (`QBO.md`) — so any QBO client, not only qbo-run, can be pointed at it, and qbo-run's tests
//! run the whole path (login, refresh, paging, errors) for real over loopback.
//!
//! This file is the public face: configuration, the clap arguments, starting and stopping an
//! instance, and the router. The rest is one concern per file:
//!
//! | file | owns |
//! |---|---|
//! | `state.rs` | the `Arc<State>` every handler shares |
//! | `data.rs` | the seeded, compact tables of the company's books |
//! | `changes.rs` | what writes changed over the seeded tables (created, updated, voided, deleted records) and answers kept by `requestid` |
//! | `render.rs` | QBO JSON for records and response envelopes |
//! | `entity.rs` | served entities and their queryable fields |
//! | `query.rs` | the query language: tokenizer, parser, syntax errors (4000) |
//! | `exec.rs` | query validation (4001), planning, filtering, sorting, paging, caching |
//! | `written.rs` | transactions written through the API reduced to what the ledger posts (kept by `changes.rs`) |
//! | `ledger.rs` | the books (seeded and written) as double-entry postings, accrual or cash |
//! | `reports.rs` | `/v3/company/{realm}/reports/{name}`: P&L, balance sheet, trial balance, cash flow, general ledger, A/R aging from the ledger, writes included |
//! | `api.rs` | `/v3/company/{realm}/...` handlers and bearer authentication |
//! | `build.rs` | checking a create/update body and building the stored record (QBO's rules and Faults) |
//! | `writes.rs` | create, update, delete, void, batch; `requestid` replays |
//! | `cdc.rs` | change data capture (`/cdc`), deletes included |
//! | `oauth.rs` | authorize, token, revoke, discovery |
//! | `token.rs` | self-validating signed tokens |
//! | `grants.rs` | single-use codes, refresh rotation, revocation (in memory) |
//! | `fault.rs` | Fault bodies (JSON, gateway-style, XML) and `intuit_tid` |
//! | `time.rs` | QBO date/time formats in the company's `-07:00` zone |
//! | `rng.rs` | the SplitMix64 behind seeded data |
//! | `limits.rs` | QBO's per-realm limits: 10 calls in flight, 500 per minute (429 beyond) |
//! | `faults.rs` | seeded fault injection: 429 (JSON/XML, `Retry-After`), 500/503, dropped connections |
//! | `stats.rs` | counters served at `/__emulator/stats` for tests and benchmarks |
//! | `tests.rs` | loopback tests driving a real instance with reqwest |
//! | `tests_writes.rs` | loopback tests of writes, replays, batch, CDC and the reports that follow writes |
//!
//! The emulator listens on loopback only and must never call out to the network.

mod api;
mod build;
mod cdc;
mod changes;
mod data;
mod entity;
mod exec;
mod fault;
mod faults;
mod grants;
mod ledger;
mod limits;
mod oauth;
mod query;
mod render;
mod reports;
mod rng;
mod state;
pub mod stats;
mod time;
mod token;
mod writes;
mod written;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_writes;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State as AxumState};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::emulator::fault::{Fault, INTUIT_TID, new_intuit_tid};
use crate::emulator::faults::Injection;
use crate::emulator::state::State;
use crate::emulator::stats::Outcome;

/// Default client id the emulator accepts.
pub const DEFAULT_CLIENT_ID: &str = "qbo-emulator-client";
/// Default client secret the emulator accepts.
pub const DEFAULT_CLIENT_SECRET: &str = "qbo-emulator-secret";
/// Default company (realm) id.
pub const DEFAULT_REALM_ID: &str = "9341453050298464";

/// Path of the authorization (consent) endpoint, relative to the base URL.
pub const AUTHORIZE_PATH: &str = "/connect/oauth2";
/// Path of the token endpoint (code exchange and refresh), relative to the base URL.
pub const TOKEN_PATH: &str = "/oauth2/v1/tokens/bearer";
/// Path of the token revocation endpoint, relative to the base URL.
pub const REVOKE_PATH: &str = "/v2/oauth2/tokens/revoke";

const DEFAULT_SEED: u64 = 42;
const DEFAULT_INVOICES: usize = 2500;
const DEFAULT_CUSTOMERS: usize = 120;
const DEFAULT_VENDORS: usize = 40;
const DEFAULT_ITEMS: usize = 30;
const DEFAULT_ACCESS_TTL_SECS: u64 = 3600;
const DEFAULT_REFRESH_TTL_SECS: u64 = 8_726_400;
const DEFAULT_PORT: u16 = 8050;
const DEFAULT_RETRY_AFTER_SECS: u64 = 60;
const DEFAULT_FAULT_SEED: u64 = 1;
const DEFAULT_MAX_IN_FLIGHT: usize = 10;
const DEFAULT_REQUESTS_PER_MINUTE: u32 = 500;

/// Settings of one emulator instance.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Seed of the generated data and of the token key; same seed => byte-identical data.
    pub seed: u64,
    /// The company id (`realmId`) served.
    pub realm_id: String,
    /// The OAuth client id accepted.
    pub client_id: String,
    /// The OAuth client secret accepted.
    pub client_secret: String,
    /// Number of invoices (bills are a fifth of this; payments follow the paid invoices).
    pub invoices: usize,
    /// Number of customers (a few are inactive).
    pub customers: usize,
    /// Number of vendors (a few are inactive).
    pub vendors: usize,
    /// Number of items (products and services).
    pub items: usize,
    /// Lifetime of access tokens (Intuit: 3600 s). Zero mints tokens that are already expired.
    pub access_token_ttl: Duration,
    /// Rolling lifetime of refresh tokens, restarted at each refresh (Intuit: 101 days).
    pub refresh_token_ttl: Duration,
    /// How long a rotated-out refresh token keeps working (0: it stops at once).
    pub refresh_token_grace: Duration,
    /// Share (0..=1) of `/v3` API calls answered 429 ThrottleExceeded (code 3001). Default 0.
    pub throttle_rate: f64,
    /// Share (0..=1) of the 429s (injected or from the limits) with the XML `IntuitResponse`
    /// body, whatever the client asked for; the rest are JSON. Default 0.
    pub throttle_xml_rate: f64,
    /// Share (0..=1) of the 429s that carry a `Retry-After` header. Default 0.
    pub retry_after_rate: f64,
    /// The `Retry-After` value in seconds (QBO's guidance is to wait 60 s). Default 60.
    pub retry_after_secs: u64,
    /// Share (0..=1) of `/v3` API calls answered 500 (SystemFault 10000) or 503 (Service
    /// Unavailable), about half each. Default 0.
    pub server_error_rate: f64,
    /// Share (0..=1) of `/v3` API calls whose connection is cut before the response is complete.
    /// Default 0. `throttle_rate + server_error_rate + drop_rate` must be at most 1.
    pub drop_rate: f64,
    /// Delay before answering each `/v3` API call, spent holding its in-flight slot and no lock.
    /// Default 0.
    pub latency: Duration,
    /// Seed of the fault-injection decisions, independent of `seed`: the same seed and number of
    /// calls give the same number of each fault.
    pub fault_seed: u64,
    /// Concurrent `/v3` calls per realm before 429 (QBO: 10); 0 turns the limit off.
    pub max_in_flight: usize,
    /// `/v3` calls per realm in any 60 seconds before 429 (QBO: 500); 0 turns the limit off.
    pub requests_per_minute: u32,
    /// Compress answers with gzip when the client asks (`Accept-Encoding: gzip`), as QBO does.
    /// Off by default: on loopback it only costs CPU.
    pub gzip: bool,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: DEFAULT_SEED,
            realm_id: DEFAULT_REALM_ID.to_owned(),
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            invoices: DEFAULT_INVOICES,
            customers: DEFAULT_CUSTOMERS,
            vendors: DEFAULT_VENDORS,
            items: DEFAULT_ITEMS,
            access_token_ttl: Duration::from_secs(DEFAULT_ACCESS_TTL_SECS),
            refresh_token_ttl: Duration::from_secs(DEFAULT_REFRESH_TTL_SECS),
            refresh_token_grace: Duration::ZERO,
            throttle_rate: 0.0,
            throttle_xml_rate: 0.0,
            retry_after_rate: 0.0,
            retry_after_secs: DEFAULT_RETRY_AFTER_SECS,
            server_error_rate: 0.0,
            drop_rate: 0.0,
            latency: Duration::ZERO,
            fault_seed: DEFAULT_FAULT_SEED,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            requests_per_minute: DEFAULT_REQUESTS_PER_MINUTE,
            gzip: false,
        }
    }
}

/// Arguments of `qbo-run emulator`.
#[derive(Debug, Clone, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on; must be a loopback address (127.0.0.1, ::1 or localhost)
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free port)
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// Seed of the generated company data and token key
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Company id (realmId) to serve
    #[arg(long, default_value = DEFAULT_REALM_ID)]
    pub realm_id: String,
    /// OAuth client id to accept
    #[arg(long, default_value = DEFAULT_CLIENT_ID)]
    pub client_id: String,
    /// OAuth client secret to accept
    #[arg(long, default_value = DEFAULT_CLIENT_SECRET)]
    pub client_secret: String,
    /// Number of invoices to generate
    #[arg(long, default_value_t = DEFAULT_INVOICES)]
    pub invoices: usize,
    /// Number of customers to generate
    #[arg(long, default_value_t = DEFAULT_CUSTOMERS)]
    pub customers: usize,
    /// Number of vendors to generate
    #[arg(long, default_value_t = DEFAULT_VENDORS)]
    pub vendors: usize,
    /// Number of items to generate
    #[arg(long, default_value_t = DEFAULT_ITEMS)]
    pub items: usize,
    /// Lifetime of access tokens
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_ACCESS_TTL_SECS)]
    pub access_token_ttl: u64,
    /// How long a rotated-out refresh token keeps working
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub refresh_token_grace: u64,
    /// Share (0 to 1) of /v3 API calls answered 429 ThrottleExceeded (code 3001, type SERVICE)
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = faults::parse_share)]
    pub throttle_rate: f64,
    /// Share (0 to 1) of 429s whose body is QBO's XML IntuitResponse even when JSON was asked
    /// for (the rest are JSON); applies to the limits' 429s too
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = faults::parse_share)]
    pub throttle_xml_rate: f64,
    /// Share (0 to 1) of 429s that carry a Retry-After header (see --retry-after)
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = faults::parse_share)]
    pub retry_after_rate: f64,
    /// Value of the Retry-After header on 429s
    #[arg(
        long = "retry-after",
        value_name = "SECONDS",
        default_value_t = DEFAULT_RETRY_AFTER_SECS
    )]
    pub retry_after_secs: u64,
    /// Share (0 to 1) of /v3 API calls answered 500 (SystemFault 10000) or 503 (Service
    /// Unavailable), about half each
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = faults::parse_share)]
    pub server_error_rate: f64,
    /// Share (0 to 1) of /v3 API calls whose connection is dropped before the response is
    /// complete (the client sees a transport error); throttle, server error and drop rates must
    /// add up to at most 1
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = faults::parse_share)]
    pub drop_rate: f64,
    /// Delay added before answering each /v3 API call (the call counts as in flight meanwhile)
    #[arg(long = "latency-ms", value_name = "MILLISECONDS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Compress answers with gzip when the client sends Accept-Encoding: gzip, as QBO does (off
    /// by default: on loopback compression only costs CPU)
    #[arg(long)]
    pub gzip: bool,
    /// Seed of the fault-injection decisions (independent of --seed); the same seed and number
    /// of calls give the same number of each fault
    #[arg(long, default_value_t = DEFAULT_FAULT_SEED)]
    pub fault_seed: u64,
    /// Concurrent /v3 calls allowed per realm; one more is answered 429 at once, as QBO does
    /// (0 = no limit)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// /v3 calls allowed per realm in any 60 seconds; one more is answered 429, as QBO does
    /// (0 = no limit)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REQUESTS_PER_MINUTE)]
    pub requests_per_minute: u32,
}

impl EmulatorArgs {
    /// The emulator settings these arguments ask for.
    pub fn config(&self) -> EmulatorConfig {
        EmulatorConfig {
            seed: self.seed,
            realm_id: self.realm_id.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            invoices: self.invoices,
            customers: self.customers,
            vendors: self.vendors,
            items: self.items,
            access_token_ttl: Duration::from_secs(self.access_token_ttl),
            refresh_token_grace: Duration::from_secs(self.refresh_token_grace),
            throttle_rate: self.throttle_rate,
            throttle_xml_rate: self.throttle_xml_rate,
            retry_after_rate: self.retry_after_rate,
            retry_after_secs: self.retry_after_secs,
            server_error_rate: self.server_error_rate,
            drop_rate: self.drop_rate,
            latency: Duration::from_millis(self.latency_ms),
            fault_seed: self.fault_seed,
            max_in_flight: self.max_in_flight,
            requests_per_minute: self.requests_per_minute,
            gzip: self.gzip,
            ..EmulatorConfig::default()
        }
    }

    /// The socket address to listen on; an error for a host that is not a loopback address.
    pub fn addr(&self) -> Result<SocketAddr, String> {
        let host = self.host.trim();
        let ip = if host.eq_ignore_ascii_case("localhost") {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<IpAddr>()
                .map_err(|_| format!("--host {host:?} is not an IP address"))?
        };
        if !ip.is_loopback() {
            return Err(format!(
                "--host {ip} is not a loopback address; the emulator only listens on \
                 127.0.0.1, ::1 or localhost"
            ));
        }
        Ok(SocketAddr::new(ip, self.port))
    }
}

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
        let state = tokio::task::spawn_blocking(move || State::new(config, base_url))
            .await
            .map_err(std::io::Error::other)?
            .map_err(|msg| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg))?;
        let app = router(Arc::new(state));
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
    let realm = config.realm_id.clone();
    let emulator = Emulator::start(config, addr).await?;
    eprintln!(
        "QBO emulator listening on {} (realm {realm}, client id {client_id}); Ctrl-C to stop",
        emulator.base_url()
    );
    let waited = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    waited
}

/// The HTTP routes of one instance.
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
        .route(oauth::JWKS_PATH, get(oauth::jwks))
        .route(stats::STATS_PATH, get(stats_handler))
        .route(
            "/v3/company/{realm}/query",
            get(api::query_get).post(api::query_post),
        )
        .route("/v3/company/{realm}/reports/{report}", get(reports::report))
        .route("/v3/company/{realm}/batch", post(writes::batch))
        .route("/v3/company/{realm}/cdc", get(cdc::changes))
        .route("/v3/company/{realm}/{entity}", post(writes::write_entity))
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

/// The instance's counters (see [`stats`]).
async fn stats_handler(AxumState(state): AxumState<Arc<State>>) -> Response {
    axum::Json(state.stats().snapshot()).into_response()
}

/// Unknown paths and methods: a QBO fault under `/v3`, a 404/405 fault elsewhere.
async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    if path == "/v3" || path.starts_with("/v3/") {
        return api::unsupported(method, uri).await;
    }
    let known = [AUTHORIZE_PATH, TOKEN_PATH, REVOKE_PATH].contains(&path);
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
             /.well-known/openid_configuration (GET) and /v3/company/{{realmId}}/..."
        ),
        None,
    )
    .into_response()
}
