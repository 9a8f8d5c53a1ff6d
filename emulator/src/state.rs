//! The shared state of one running emulator, handed to every handler as `Arc<State>`.
//!
//! Why it exists: one place that owns the configuration, the generated books, the query engine
//! (with its result cache), the token key and the in-memory grant rules. Handlers reach the data
//! only through accessors, so later work (writes with `SyncToken`, CDC) can put locks or counters
//! behind them without touching every handler. The gateway's per-realm limits and fault injector
//! live here too, one of each per instance.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::changes::Changes;
use crate::clock::Clock;
use crate::config::EmulatorConfig;
use crate::data::Dataset;
use crate::directory::Directory;
use crate::exec::QueryEngine;
use crate::faults::{self, Faults};
use crate::grants::Grants;
use crate::limits::Limits;
use crate::stats::Stats;
use crate::token::TokenKey;
use std::sync::Arc;

/// Everything a request to one company may need. An instance serving several companies has one
/// `State` each; they share the token key, the grant rules and the [`Directory`].
#[derive(Debug)]
pub(crate) struct State {
    config: EmulatorConfig,
    directory: Arc<Directory>,
    index: usize,
    clock: Clock,
    /// Query pages answered so far (they pick the records edited after each, `edits.rs`).
    pages_answered: AtomicU64,
    base_url: String,
    data: Dataset,
    changes: Changes,
    queries: QueryEngine,
    tokens: Arc<TokenKey>,
    grants: Arc<Grants>,
    limits: Limits,
    faults: Faults,
}

impl State {
    /// One state per company `config` asks for, sharing the token key, grants and directory.
    /// `base_url` is the origin the instance answers on (for the discovery document).
    pub(crate) fn companies(config: &EmulatorConfig, base_url: &str) -> Result<Vec<State>, String> {
        let directory = Arc::new(Directory::new(config.realm_ids()));
        let tokens = Arc::new(TokenKey::new(
            config.seed,
            &config.client_id,
            &config.client_secret,
            &config.realm_id,
        )?);
        let grants = Arc::new(Grants::default());
        (0..directory.realms().len())
            .map(|k| {
                State::new(
                    config.company(k),
                    base_url.to_owned(),
                    Arc::clone(&directory),
                    k,
                    Arc::clone(&tokens),
                    Arc::clone(&grants),
                )
            })
            .collect()
    }

    /// Validate `config` and generate company `index`'s data.
    fn new(
        config: EmulatorConfig,
        base_url: String,
        directory: Arc<Directory>,
        index: usize,
        tokens: Arc<TokenKey>,
        grants: Arc<Grants>,
    ) -> Result<State, String> {
        if config.realm_id.is_empty()
            || !config
                .realm_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "realm id {:?} must be non-empty and use only letters, digits, '-' and '_'",
                config.realm_id
            ));
        }
        if config.client_id.is_empty() || config.client_secret.is_empty() {
            return Err("client id and client secret must not be empty".to_owned());
        }
        faults::validate(&config)?;
        let data = Dataset::build(&config)?;
        let queries = QueryEngine::new(&data);
        let queries = if config.shuffle_ties {
            queries.shuffling_ties(config.fault_seed)
        } else {
            queries
        };
        Ok(State {
            directory,
            index,
            clock: Clock::new(config.now),
            pages_answered: AtomicU64::new(0),
            base_url,
            data,
            changes: Changes::default(),
            queries,
            tokens,
            grants,
            limits: Limits::new(config.max_in_flight, config.requests_per_minute),
            faults: Faults::new(&config),
            config,
        })
    }

    /// The settings this instance runs with.
    pub(crate) fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// The company's clock: the one "now" of records, answers, CDC and reports.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The number of the query page being answered (0 for the first): counts it.
    pub(crate) fn next_page_number(&self) -> u64 {
        self.pages_answered.fetch_add(1, Ordering::Relaxed)
    }

    /// The origin, e.g. `http://127.0.0.1:8050`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The company's books.
    pub(crate) fn data(&self) -> &Dataset {
        &self.data
    }

    /// What was written over [`State::data`] (creates, updates, voids, deletes) and the answers
    /// kept for `requestid` replays.
    pub(crate) fn changes(&self) -> &Changes {
        &self.changes
    }

    /// The query engine over [`State::data`].
    pub(crate) fn queries(&self) -> &QueryEngine {
        &self.queries
    }

    /// The token signer.
    pub(crate) fn tokens(&self) -> &TokenKey {
        &self.tokens
    }

    /// What this company was asked so far.
    pub(crate) fn stats(&self) -> &Stats {
        self.directory.stats(self.index)
    }

    /// The companies of the instance.
    pub(crate) fn directory(&self) -> &Directory {
        &self.directory
    }

    /// QBO's per-realm limits on API calls.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The fault injector of API calls.
    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The grant rules kept in memory.
    pub(crate) fn grants(&self) -> &Grants {
        &self.grants
    }
}
