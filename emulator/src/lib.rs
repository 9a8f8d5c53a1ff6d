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
//! | `edits.rs` | records saved again while a client pages (`--updates-per-page`) |
//! | `cdc.rs` | change data capture (`/cdc`), deletes included |
//! | `oauth.rs` | authorize, token, revoke, discovery |
//! | `token.rs` | self-validating signed tokens |
//! | `grants.rs` | single-use codes, refresh rotation, revocation (in memory) |
//! | `fault.rs` | Fault bodies (JSON, gateway-style, XML) and `intuit_tid` |
//! | `clock.rs` | the company's one "now" (the system clock, or one stopped by `--now`) |
//! | `time.rs` | QBO date/time formats in the company's `-07:00` zone |
//! | `rng.rs` | the SplitMix64 behind seeded data |
//! | `limits.rs` | QBO's per-realm limits: 10 calls in flight, 500 per minute (429 beyond) |
//! | `faults.rs` | seeded fault injection: 429 (JSON/XML, `Retry-After`), 500/503, dropped connections |
//! | `stats.rs` | counters served at `/__emulator/stats` for tests and benchmarks |
//! | `tests.rs` | loopback tests driving a real instance with reqwest |
//! | `tests_clock.rs` | loopback tests of the one clock (writes, answers, CDC, reports) |
//! | `tests_surprises.rs` | loopback tests of ties, shuffled ties, edits while paging, lost write answers, POSTed query types, text `DocNumber`s |
//! | `tests_writes.rs` | loopback tests of writes, replays, batch, CDC and the reports that follow writes |
//!
//! The emulator listens on loopback only and must never call out to the network.

mod api;
mod build;
mod cdc;
mod changes;
mod clock;
mod config;
mod data;
mod directory;
mod edits;
mod entity;
mod envelope;
mod exec;
mod fault;
mod faults;
mod grants;
mod ledger;
mod limits;
mod oauth;
mod query;
mod records;
mod reports;
mod rng;
mod server;
mod state;
pub mod stats;
mod time;
mod token;
mod values;
mod writes;
mod written;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_clock;
#[cfg(test)]
mod tests_companies;
#[cfg(test)]
mod tests_surprises;
#[cfg(test)]
mod tests_writes;

pub use config::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REALM_ID, EmulatorArgs, EmulatorConfig,
};
pub use oauth::{AUTHORIZE_PATH, REVOKE_PATH, TOKEN_PATH};
pub use server::{Emulator, serve_until_ctrl_c};
