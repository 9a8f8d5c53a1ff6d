//! Counters of what one emulator instance was asked, served at `GET /__emulator/stats` (not a
//! QBO path) so that tests and benchmarks can check what reached the server: how many code
//! exchanges and refreshes succeeded, how many API calls came, and the most that were in flight
//! at once.

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
}

/// A copy of the counters, as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct Snapshot {
    code_exchanges: u64,
    refreshes: u64,
    token_errors: u64,
    api_requests: u64,
    in_flight: u64,
    max_in_flight: u64,
}

/// Marks one API call in flight until dropped.
pub(crate) struct InFlight<'a>(&'a Stats);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
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

    /// The counters now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            code_exchanges: self.code_exchanges.load(Ordering::SeqCst),
            refreshes: self.refreshes.load(Ordering::SeqCst),
            token_errors: self.token_errors.load(Ordering::SeqCst),
            api_requests: self.api_requests.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            max_in_flight: self.max_in_flight.load(Ordering::SeqCst),
        }
    }
}
