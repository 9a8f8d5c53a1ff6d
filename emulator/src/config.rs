//! Settings of one emulator instance: [`EmulatorConfig`] and the `emulator` command's
//! arguments ([`EmulatorArgs`]) that produce it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, SystemTime};

use crate::clock::parse_now;

/// Default client id the emulator accepts.
pub const DEFAULT_CLIENT_ID: &str = "qbo-emulator-client";
/// Default client secret the emulator accepts.
pub const DEFAULT_CLIENT_SECRET: &str = "qbo-emulator-secret";
/// Default company (realm) id.
pub const DEFAULT_REALM_ID: &str = "9341453050298464";

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
/// QBO's report size cap as it is quoted (Intuit does not publish it): 400,000 cells.
const DEFAULT_REPORT_MAX_CELLS: usize = 400_000;

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
    /// Cells (`ColData` entries of data rows, section headers and summaries) a report may have;
    /// a denser one is cut short with QBO's "Unable to display more data. Please reduce the date
    /// range." row (`reports/cap.rs`). Default 400,000; 0 turns the cap off.
    pub report_max_cells: usize,
    /// Multicurrency on (home currency USD): every fourth customer pays in CAD and every third
    /// vendor bills in EUR; transactions carry `ExchangeRate` and home amounts, reports are in
    /// USD (`currency.rs`). Off by default.
    pub multicurrency: bool,
    /// Compress answers with gzip when the client asks (`Accept-Encoding: gzip`), as QBO does.
    /// Off by default: on loopback it only costs CPU.
    pub gzip: bool,
    /// How many companies are served (each with its own realm id, books, limits and counters);
    /// each consent connects the next one in turn. Default 1.
    pub companies: usize,
    /// The company's clock stands at this instant (records written, every answer's `time`,
    /// CDC's 30-day window, reports' today); `None`, the default: the system clock.
    pub now: Option<SystemTime>,
    /// Seeded invoices, payments and bills come in groups of this many consecutive records that
    /// share one `MetaData.LastUpdatedTime`, as after a bulk edit; 0 or 1 (the default): every
    /// record has a time of its own.
    pub tie_groups: usize,
    /// Rows that tie on every `ORDERBY` key (every row, without `ORDERBY`) come back in a new
    /// order on every query, as nothing in QBO promises a stable order among ties. Off by
    /// default: ties keep `Id` order.
    pub shuffle_ties: bool,
    /// After answering each page of a `select *` query, update this many records of the queried
    /// entity (a new `SyncToken`, `MetaData.LastUpdatedTime` now), as a user editing the
    /// company while a client pages. Default 0.
    pub updates_per_page: usize,
    /// Share (0..=1) of writes (creates, updates, deletes, voids, batches) that take effect and
    /// whose answer is then lost: the connection drops before it is sent. A later call with the
    /// same `requestid` is answered from the kept answer. Default 0.
    pub lost_answer_rate: f64,
    /// Answer every consent at `/connect/oauth2` with `error=access_denied` (and the client's
    /// `state`) instead of a code, as when a person clicks Cancel on Intuit's consent page. Off
    /// by default.
    pub deny_consent: bool,
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
            report_max_cells: DEFAULT_REPORT_MAX_CELLS,
            multicurrency: false,
            gzip: false,
            companies: 1,
            now: None,
            tie_groups: 0,
            shuffle_ties: false,
            updates_per_page: 0,
            lost_answer_rate: 0.0,
            deny_consent: false,
        }
    }
}

impl EmulatorConfig {
    /// The realm ids served: `realm_id` first, then one per further company.
    pub fn realm_ids(&self) -> Vec<String> {
        (0..self.companies.max(1))
            .map(|k| realm_of(&self.realm_id, k))
            .collect()
    }

    /// The settings of company `k` (0 is the configured one): its realm id, and books from the
    /// seed `seed + k`, so every company has books of its own.
    pub(crate) fn company(&self, k: usize) -> EmulatorConfig {
        EmulatorConfig {
            realm_id: realm_of(&self.realm_id, k),
            seed: self.seed.wrapping_add(k as u64),
            ..self.clone()
        }
    }
}

/// The realm id of company `k`: `base` for the first, then `base` plus `k` times a large step
/// when `base` is a number (as QBO's realm ids are), else `base-k`.
fn realm_of(base: &str, k: usize) -> String {
    if k == 0 {
        return base.to_owned();
    }
    match base.parse::<u64>() {
        Ok(n) => n
            .wrapping_add((k as u64).wrapping_mul(1_000_003))
            .to_string(),
        Err(_) => format!("{base}-{k}"),
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
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
    pub throttle_rate: f64,
    /// Share (0 to 1) of 429s whose body is QBO's XML IntuitResponse even when JSON was asked
    /// for (the rest are JSON); applies to the limits' 429s too
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
    pub throttle_xml_rate: f64,
    /// Share (0 to 1) of 429s that carry a Retry-After header (see --retry-after)
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
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
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
    pub server_error_rate: f64,
    /// Share (0 to 1) of /v3 API calls whose connection is dropped before the response is
    /// complete (the client sees a transport error); throttle, server error and drop rates must
    /// add up to at most 1
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
    pub drop_rate: f64,
    /// Delay added before answering each /v3 API call (the call counts as in flight meanwhile)
    #[arg(long = "latency-ms", value_name = "MILLISECONDS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Compress answers with gzip when the client sends Accept-Encoding: gzip, as QBO does (off
    /// by default: on loopback compression only costs CPU)
    #[arg(long)]
    pub gzip: bool,
    /// Serve N companies with distinct realm ids and books (the first is --realm-id); each
    /// consent at /connect/oauth2 connects the next one, as a person picking another company
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub companies: u16,
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
    /// Cells a report may have; a denser one is cut short with QBO's "Unable to display more
    /// data. Please reduce the date range." row, as QBO does (0 = no cap)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_REPORT_MAX_CELLS)]
    pub report_max_cells: usize,
    /// Turn multicurrency on (home currency USD): some customers pay in CAD, some vendors bill
    /// in EUR, transactions carry ExchangeRate and home amounts, reports are in USD
    #[arg(long)]
    pub multicurrency: bool,
    /// Stop the company's clock at this RFC 3339 instant (records written, answers' time, CDC's
    /// window, reports' today); without it the system clock runs
    #[arg(long, value_name = "TIME", env = "QBO_EMULATOR_NOW", value_parser = parse_now)]
    pub now: Option<SystemTime>,
    /// Give seeded invoices, payments and bills the same LastUpdatedTime in groups of N
    /// consecutive records, as a bulk edit leaves them
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub ties: usize,
    /// Return rows that tie on every ORDERBY key in a new order on every query
    #[arg(long)]
    pub shuffle_ties: bool,
    /// After each page of a query, update N records of the queried entity (new SyncToken and
    /// LastUpdatedTime), as a user editing while a client pages
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub updates_per_page: usize,
    /// Share (0 to 1) of writes that take effect and then lose their answer (the connection
    /// drops before it is sent); the same requestid again is answered from the kept answer
    #[arg(long, value_name = "SHARE", default_value_t = 0.0, value_parser = parse_share)]
    pub lose_write_answers: f64,
    /// Answer every consent with error=access_denied instead of a code, as a person clicking
    /// Cancel on Intuit's consent page
    #[arg(long)]
    pub deny_consent: bool,
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
            report_max_cells: self.report_max_cells,
            multicurrency: self.multicurrency,
            gzip: self.gzip,
            companies: usize::from(self.companies),
            now: self.now,
            tie_groups: self.ties,
            shuffle_ties: self.shuffle_ties,
            updates_per_page: self.updates_per_page,
            lost_answer_rate: self.lose_write_answers,
            deny_consent: self.deny_consent,
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

/// `Err` with the reason when `share` is not a number within `0..=1`.
pub(crate) fn check_share(share: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&share) {
        Ok(())
    } else {
        Err(format!("{share} is not a share between 0 and 1"))
    }
}

/// clap parser of a share flag (`--throttle-rate 0.2`): a number from 0 to 1.
pub(crate) fn parse_share(text: &str) -> Result<f64, String> {
    let share: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number"))?;
    check_share(share)?;
    Ok(share)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_for_the_clock_ties_edits_and_lost_answers() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            args: EmulatorArgs,
        }
        let cli = Cli::try_parse_from([
            "emulator",
            "--now",
            "2025-09-19T12:00:00-07:00",
            "--ties",
            "700",
            "--shuffle-ties",
            "--updates-per-page",
            "3",
            "--lose-write-answers",
            "0.5",
        ])
        .expect("parses");
        let config = cli.args.config();
        assert_eq!(
            config.now,
            Some(parse_now("2025-09-19T19:00:00Z").expect("time"))
        );
        assert_eq!(
            (
                config.tie_groups,
                config.shuffle_ties,
                config.updates_per_page,
                config.lost_answer_rate
            ),
            (700, true, 3, 0.5)
        );
        assert!(Cli::try_parse_from(["emulator", "--now", "yesterday"]).is_err());
        assert!(Cli::try_parse_from(["emulator", "--lose-write-answers", "2"]).is_err());
        let defaults = EmulatorConfig::default();
        assert_eq!(
            (
                defaults.tie_groups,
                defaults.shuffle_ties,
                defaults.updates_per_page
            ),
            (0, false, 0)
        );
        assert_eq!(defaults.lost_answer_rate, 0.0);
    }

    #[test]
    fn share_flags_take_numbers_from_0_to_1() {
        assert_eq!(parse_share(" 0.25"), Ok(0.25));
        assert_eq!(parse_share("1"), Ok(1.0));
        for bad in ["-0.1", "1.01", "NaN", "inf", "lots"] {
            assert!(parse_share(bad).is_err(), "{bad}");
        }
    }
}
