//! An exchange rate as QBO JSON: one currency's rate to the home currency on one day (no `Id`).

use serde::Serialize;

use super::parts::IdStr;
use crate::data::Dataset;
use crate::extras::CURRENCIES;
use crate::time::Day;
use crate::time::Timestamp;

/// `QBO.ExchangeRate` in QBO's key order.
#[derive(Serialize)]
pub(crate) struct ExchangeRateView {
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    pub(crate) domain: &'static str,
    #[serde(rename = "AsOfDate")]
    pub(crate) as_of: Day,
    #[serde(rename = "SourceCurrencyCode")]
    pub(crate) source: &'static str,
    #[serde(rename = "Rate")]
    pub(crate) rate: f64,
    #[serde(rename = "TargetCurrencyCode")]
    pub(crate) target: &'static str,
    #[serde(rename = "MetaData")]
    pub(crate) meta: UpdatedOnly,
}

/// An exchange rate's `MetaData`: when it was last set.
#[derive(Serialize)]
pub(crate) struct UpdatedOnly {
    #[serde(rename = "LastUpdatedTime")]
    pub(crate) last_updated_time: Timestamp,
}

/// Exchange rate `i` as QBO JSON (`None` out of range).
pub(crate) fn exchange_rate_view(ds: &Dataset, i: usize) -> Option<ExchangeRateView> {
    let r = ds.exchange_rates.get(i)?;
    let &(code, _, _, _) = CURRENCIES.get(usize::from(r.currency))?;
    Some(ExchangeRateView {
        sync_token: IdStr(0),
        domain: "QBO",
        as_of: Day(r.day),
        source: code,
        rate: r.rate_micros as f64 / 1_000_000.0,
        target: "USD",
        meta: UpdatedOnly {
            last_updated_time: Timestamp(r.updated),
        },
    })
}
