//! Counters of what one emulator instance was asked, served at `GET /__emulator/stats` (not a
//! QBO path) so that tests and benchmarks can check what reached the server: how many code
//! exchanges and refreshes succeeded, how many API calls came, the most that were in flight at
//! once, and how many of them were answered with a throttle (429), a server error (500/503) or a
//! dropped connection; and what writes did: records written (and created), writes refused with a
//! Fault, `requestid` replays, batches, answers lost after a write took effect, and records
//! edited while a client paged.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// The path of the counters.
pub const STATS_PATH: &str = "/__emulator/stats";

/// Live counters, updated without locks.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    code_exchanges: AtomicU64,
    refreshes: AtomicU64,
    token_errors: AtomicU64,
    api_requests: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    throttled: AtomicU64,
    throttled_by_limit: AtomicU64,
    server_errors: AtomicU64,
    dropped: AtomicU64,
    writes: AtomicU64,
    write_faults: AtomicU64,
    replays: AtomicU64,
    batches: AtomicU64,
    gzip_asked: AtomicU64,
    creates: AtomicU64,
    answers_lost: AtomicU64,
    edited_while_paging: AtomicU64,
}

/// A copy of the counters, as JSON.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Snapshot {
    /// Successful authorization-code exchanges.
    code_exchanges: u64,
    /// Successful refreshes.
    refreshes: u64,
    /// Token-endpoint answers that were errors.
    token_errors: u64,
    /// Authenticated `/v3` calls, whatever they were answered (429s, 5xx and drops included).
    api_requests: u64,
    /// Authenticated `/v3` calls being processed now.
    in_flight: u64,
    /// The most authenticated `/v3` calls processed at once, counted before the per-realm limits
    /// turn a call away (so a client that sent 11 at once shows 11 here).
    max_in_flight: u64,
    /// Every 429 ThrottleExceeded sent: injected ones and those of the per-realm limits.
    throttled: u64,
    /// The 429s caused by the per-realm limits (in-flight or per-minute), a subset of `throttled`.
    throttled_by_limit: u64,
    /// Injected 500 and 503 answers.
    server_errors: u64,
    /// Injected dropped connections.
    dropped: u64,
    /// Creates, updates, deletes and voids that changed the books (batch items included).
    writes: u64,
    /// Writes answered with a Fault (batch items included).
    write_faults: u64,
    /// Writes answered from a kept `requestid` answer, doing nothing.
    replays: u64,
    /// Batch requests processed.
    batches: u64,
    /// Authenticated `/v3` calls that asked for a gzip answer (`Accept-Encoding: gzip`).
    gzip_asked: u64,
    /// Records created (a subset of `writes`).
    creates: u64,
    /// Writes that took effect and whose answer was then lost (`--lose-write-answers`).
    answers_lost: u64,
    /// Records saved again after a query page (`--updates-per-page`), not counted in `writes`.
    edited_while_paging: u64,
}

/// Marks one API call in flight until dropped.
pub(crate) struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why an API call was not answered by its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A 429 from fault injection.
    InjectedThrottle,
    /// A 429 from the per-realm limits.
    LimitThrottle,
    /// An injected 500 or 503.
    ServerError,
    /// An injected dropped connection.
    Dropped,
}

impl Stats {
    /// Counts a token-endpoint answer by grant type and outcome.
    pub(crate) fn token(&self, grant_type: Option<&str>, ok: bool) {
        let counter = match (ok, grant_type) {
            (true, Some("authorization_code")) => &self.code_exchanges,
            (true, Some("refresh_token")) => &self.refreshes,
            _ => &self.token_errors,
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts an API call and keeps it in flight while the guard lives.
    pub(crate) fn api_call(&self) -> InFlight<'_> {
        self.api_requests.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(self)
    }

    /// Counts an API call answered by the emulator's faults or limits instead of its handler.
    pub(crate) fn outcome(&self, outcome: Outcome) {
        let counters: &[&AtomicU64] = match outcome {
            Outcome::InjectedThrottle => &[&self.throttled],
            Outcome::LimitThrottle => &[&self.throttled, &self.throttled_by_limit],
            Outcome::ServerError => &[&self.server_errors],
            Outcome::Dropped => &[&self.dropped],
        };
        for counter in counters {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Counts a write that changed the books (`ok`) or was refused with a Fault.
    pub(crate) fn write(&self, ok: bool) {
        let counter = if ok { &self.writes } else { &self.write_faults };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a write answered from its kept `requestid` answer.
    pub(crate) fn replay(&self) {
        self.replays.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a batch request.
    pub(crate) fn batch(&self) {
        self.batches.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a created record.
    pub(crate) fn created(&self) {
        self.creates.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a write whose answer was lost after it took effect.
    pub(crate) fn answer_lost(&self) {
        self.answers_lost.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a record saved again while a client paged.
    pub(crate) fn edited_while_paging(&self) {
        self.edited_while_paging.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts an API call that asked for a gzip answer.
    pub(crate) fn gzip_asked(&self) {
        self.gzip_asked.fetch_add(1, Ordering::SeqCst);
    }

    /// The counters now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            code_exchanges: self.code_exchanges.load(Ordering::SeqCst),
            refreshes: self.refreshes.load(Ordering::SeqCst),
            token_errors: self.token_errors.load(Ordering::SeqCst),
            api_requests: self.api_requests.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
            throttled: self.throttled.load(Ordering::SeqCst),
            throttled_by_limit: self.throttled_by_limit.load(Ordering::SeqCst),
            server_errors: self.server_errors.load(Ordering::SeqCst),
            dropped: self.dropped.load(Ordering::SeqCst),
            writes: self.writes.load(Ordering::SeqCst),
            write_faults: self.write_faults.load(Ordering::SeqCst),
            replays: self.replays.load(Ordering::SeqCst),
            batches: self.batches.load(Ordering::SeqCst),
            gzip_asked: self.gzip_asked.load(Ordering::SeqCst),
            creates: self.creates.load(Ordering::SeqCst),
            answers_lost: self.answers_lost.load(Ordering::SeqCst),
            edited_while_paging: self.edited_while_paging.load(Ordering::SeqCst),
        }
    }
}

/// The counters of every company as one JSON answer: with one company, its counters; with
/// several, their totals (`max_in_flight` the highest of any company, since QBO's limit is per
/// company) and `companies`, each company's counters by realm.
pub(crate) fn combined(all: &[Stats], realms: &[String]) -> serde_json::Value {
    let snapshots: Vec<Snapshot> = all.iter().map(Stats::snapshot).collect();
    if snapshots.len() == 1 {
        return serde_json::to_value(&snapshots[0]).unwrap_or_default();
    }
    let mut total = Snapshot::default();
    for s in &snapshots {
        total.code_exchanges += s.code_exchanges;
        total.refreshes += s.refreshes;
        total.token_errors += s.token_errors;
        total.api_requests += s.api_requests;
        total.in_flight += s.in_flight;
        total.max_in_flight = total.max_in_flight.max(s.max_in_flight);
        total.throttled += s.throttled;
        total.throttled_by_limit += s.throttled_by_limit;
        total.server_errors += s.server_errors;
        total.dropped += s.dropped;
        total.writes += s.writes;
        total.write_faults += s.write_faults;
        total.replays += s.replays;
        total.batches += s.batches;
        total.gzip_asked += s.gzip_asked;
        total.creates += s.creates;
        total.answers_lost += s.answers_lost;
        total.edited_while_paging += s.edited_while_paging;
    }
    let mut value = serde_json::to_value(&total).unwrap_or_default();
    let companies: serde_json::Map<String, serde_json::Value> = realms
        .iter()
        .zip(&snapshots)
        .map(|(realm, s)| (realm.clone(), serde_json::to_value(s).unwrap_or_default()))
        .collect();
    if let Some(map) = value.as_object_mut() {
        map.insert("companies".into(), serde_json::Value::Object(companies));
    }
    value
}
