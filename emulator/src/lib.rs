//! qbo-emulator: the QuickBooks Online emulator behind `qbo-run emulator`, `environment:
//! emulator` connections and the `qbo-emulator` binary.
//!
//! Why it exists: an HTTP server that answers like QBO's Accounting API v3 and Intuit's OAuth 2.0
//! endpoints — same paths, JSON shapes, Fault bodies, status codes, headers and token rules
//! (`QBO.md`) — so any QBO client, not only qbo-run, can be pointed at it, and qbo-run's tests
//! run the whole path (login, refresh, paging, errors) for real over loopback.
//!
//! This file is the public face: [`EmulatorConfig`] and [`EmulatorArgs`] (`config.rs`),
//! [`Emulator`] and [`serve_until_ctrl_c`] (`server.rs`), the OAuth paths and default client.
//! The rest is one concern per file, in the order data flows (a file uses only files above it):
//!
//! | file | owns |
//! |---|---|
//! | `config.rs` | settings of an instance and the `emulator` command's flags |
//! | `rng.rs`, `time.rs`, `values.rs` | SplitMix64; QBO's date/time formats in the company's `-07:00` zone; money, ids and record indexes of client JSON |
//! | `lists.rs` | the name lists (terms, tax codes, rates, agency, payment methods, classes, departments, employees) the bill payments of paid bills, the estimates invoices were made from, the purchase orders bills were billed on |
//! | `txns.rs` | the other posting transactions (sales receipts, credit memos, refunds, deposits, purchases, journal entries, transfers, vendor credits, card payments), each with the journal lines it posts |
//! | `extras.rs` | the records beside the postings: attachments of invoices and bills, budgets, currencies and daily exchange rates, journal codes, recurring invoice templates, time activities |
//! | `stock.rs` | the seeded inventory items' stock per day while the books are built: the least starting stock no day's sales exceed, what is left |
//! | `data.rs` | the seeded, compact tables of the company's books |
//! | `entity.rs` | served entities and their queryable fields |
//! | `records/` | a seeded record as QBO JSON, one file per entity, from the pieces in `parts.rs` |
//! | `chart.rs` | the chart of accounts as the books stand: seeded accounts and those created or changed through the API, read by the ledger and every report |
//! | `written.rs` | transactions written through the API reduced to what the ledger posts, and the written chart |
//! | `changes.rs` | the overlay of writes over the seeded tables (created, updated, voided, deleted records) and answers kept by `requestid` |
//! | `build/` | checking a create/update body and building the stored record: one file per entity, `refusals.rs` (QBO's Faults), `fields.rs` (dates, amounts, references) |
//! | `envelope.rs` | the envelopes of answers: read by id, written record, query page (whole records, or sparse ones cut to a select list), `count(*)` |
//! | `query.rs` | the query language (select lists, `ORDERBY` / `ORDER BY`, `IN`, `LIKE`): tokenizer, parser, syntax errors (4000) |
//! | `exec.rs` | query validation (4001), planning, filtering, sorting, paging, caching |
//! | `ledger.rs` | the books (seeded and written) as double-entry postings, accrual or cash, in the home currency |
//! | `currency.rs` | a multicurrency company's currencies: who deals in which, the rates, home amounts |
//! | `reports/` | `/reports/{name}`: a file per report or family (`aging.rs`, `transaction_lists.rs`, `sales.rs` ...), over `params.rs`, `columns.rs`, `rows.rs`, `balances.rs`, `txn.rs` (a transaction as reports name it), `open_items.rs` (what is open on a day), `detail.rs` (the `columns` keys), `tracking.rs` (income split by the class or location of the lines that earned it); `catalog.rs` names them; `cap.rs` cuts a report past `report_max_cells` as QBO does |
//! | `fault.rs` | Fault bodies (JSON, gateway-style, XML) and `intuit_tid` |
//! | `token.rs`, `grants.rs` | self-validating signed tokens; single-use codes, refresh rotation, revocation |
//! | `limits.rs`, `faults.rs`, `stats.rs` | per-realm limits (10 in flight, 500 a minute); seeded fault injection; counters at `/__emulator/stats` |
//! | `clock.rs` | the company's one "now": the system clock, or one stopped by `--now` |
//! | `state.rs` | the `Arc<State>` every handler shares |
//! | `edits.rs` | records saved again after each query page (`--updates-per-page`) |
//! | `api.rs`, `writes.rs`, `cdc.rs`, `oauth.rs` | the handlers: queries and reads; create, update, delete, void, batch; change data capture; authorize, token, revoke, discovery, OpenID userinfo and key set |
//! | `multipart.rs` | `multipart/form-data` bodies as QBO reads them (CRLF or LF, base64 parts) |
//! | `uploads.rs`, `tax_service.rs` | the handlers of `POST /upload` (multipart attachments) and `POST /taxservice/taxcode` (a tax code and its rates) |
//! | `server.rs` | binding, the router, the gateway (authentication, limits, latency, injected faults, `intuit_tid`) |
//! | `tests.rs`, `tests_writes.rs` | loopback tests driving a real instance with reqwest |
//! | `tests_entities.rs` | loopback tests of the name lists, bill payments, estimates, purchase orders and Preferences: references resolve, bills paid once, the name-list rule, no MetaData filter or CDC for tax entities |
//! | `tests_posted.rs` | loopback tests of the other posting transactions: references resolve (a deposit's payments were in Undeposited Funds), journal entries balance, read by id, filters, CDC, the books balance with them |
//! | `tests_posted_writes.rs` | loopback tests of their writes (QBO's Faults: an unbalanced journal entry, a card purchase from a bank, a deposit of a payment not in Undeposited Funds; void of a sales receipt) and of the reports that follow them |
//! | `tests_extras.rs` | loopback tests of attachments, budgets, currencies and exchange rates, journal codes, recurring templates and time activities: references resolve, the name-list rule, 4001 on unfilterable fields, CDC |
//! | `tests_form_writes.rs` | loopback tests of the writes beyond invoices, payments and posting transactions: accounts (posted and reported), estimates, purchase orders, time, attachables and uploads, recurring templates, tax agencies, journal codes, the TaxService, currencies, Preferences and CompanyInfo |
//! | `tests_queries.rs` | loopback tests of the statements python-quickbooks, node-quickbooks and tap-quickbooks send; 4001 on fields QBO cannot filter or sort on |
//! | `tests_clock.rs`, `tests_surprises.rs` | loopback tests of the one clock; of ties, shuffled ties, edits while paging, lost write answers, POSTed query types, text `DocNumber`s |
//!
//! The emulator listens on loopback only and must never call out to the network.

mod api;
mod build;
mod cdc;
mod changes;
mod chart;
mod clock;
mod config;
mod currency;
mod data;
mod directory;
mod edits;
mod entity;
mod envelope;
mod exec;
mod extras;
mod fault;
mod faults;
mod grants;
mod ledger;
mod limits;
mod lists;
mod multipart;
mod oauth;
mod query;
mod records;
mod reports;
mod rng;
mod server;
mod state;
pub mod stats;
mod stock;
mod tax_service;
mod time;
mod token;
mod txns;
mod uploads;
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
mod tests_entities;
#[cfg(test)]
mod tests_extras;
#[cfg(test)]
mod tests_form_writes;
#[cfg(test)]
mod tests_inventory;
#[cfg(test)]
mod tests_posted;
#[cfg(test)]
mod tests_posted_writes;
#[cfg(test)]
mod tests_queries;
#[cfg(test)]
mod tests_surprises;
#[cfg(test)]
mod tests_writes;

pub use config::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_REALM_ID, EmulatorArgs, EmulatorConfig,
};
pub use oauth::{AUTHORIZE_PATH, JWKS_PATH, REVOKE_PATH, TOKEN_PATH, USERINFO_PATH};
pub use server::{Emulator, serve_until_ctrl_c};

/// Parses a QBO query statement as `/query` does, without a server: `Err` with the syntax
/// error's detail (what a 4000 Fault says) when it is not a statement. For fuzzing the query
/// language; the HTTP API is the emulator's real interface.
#[doc(hidden)]
pub fn parse_statement(statement: &str) -> Result<(), String> {
    query::parse(statement)
        .map(|_| ())
        .map_err(|error| error.detail)
}
