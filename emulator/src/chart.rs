//! The chart of accounts as the books stand: the seeded accounts, and the accounts created or
//! changed through the API (a new account, a seeded one renamed or made inactive). Reports and
//! the ledger read accounts through it, so a written account is reported like a seeded one.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::data::Dataset;

/// One account as the books use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Account<'a> {
    /// `FullyQualifiedName` (a sub-account is `Parent:Child`).
    pub(crate) name: &'a str,
    /// QBO's `AccountType` ("Bank", "Expense" ...).
    pub(crate) account_type: &'a str,
    /// QBO's `AccountSubType`.
    pub(crate) sub_type: &'a str,
    /// QBO's `Classification` ("Asset", "Liability", "Equity", "Revenue", "Expense").
    pub(crate) classification: &'a str,
    /// Whether the account is active.
    pub(crate) active: bool,
}

/// A written account, owned.
#[derive(Debug)]
struct Entry {
    name: String,
    account_type: String,
    sub_type: String,
    classification: String,
    active: bool,
}

/// The written accounts over the seeded chart. Accounts are never deleted (QBO makes them
/// inactive), so an index, once valid, stays valid.
#[derive(Debug, Clone, Default)]
pub(crate) struct Chart {
    written: BTreeMap<usize, Arc<Entry>>,
}

impl Chart {
    /// Take in the stored JSON of account `index` as written.
    pub(crate) fn record(&mut self, index: usize, json: &Map<String, Value>) {
        let text = |key: &str| {
            json.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let name = json
            .get("FullyQualifiedName")
            .and_then(Value::as_str)
            .map_or_else(|| text("Name"), str::to_owned);
        self.written.insert(
            index,
            Arc::new(Entry {
                name,
                account_type: text("AccountType"),
                sub_type: text("AccountSubType"),
                classification: text("Classification"),
                active: json.get("Active") != Some(&Value::Bool(false)),
            }),
        );
    }

    /// How many accounts the chart has (indices `0..len`).
    pub(crate) fn len(&self, ds: &Dataset) -> usize {
        let written = self.written.keys().next_back().map_or(0, |last| last + 1);
        ds.accounts.len().max(written)
    }

    /// Account `index`, as written or seeded.
    pub(crate) fn get<'a>(&'a self, ds: &'a Dataset, index: usize) -> Option<Account<'a>> {
        match self.written.get(&index) {
            Some(entry) => Some(Account {
                name: &entry.name,
                account_type: &entry.account_type,
                sub_type: &entry.sub_type,
                classification: &entry.classification,
                active: entry.active,
            }),
            None => ds.accounts.get(index).map(|a| Account {
                name: a.name,
                account_type: a.account_type,
                sub_type: a.sub_type,
                classification: a.classification,
                active: a.active,
            }),
        }
    }

    /// Every account with its index, seeded and written.
    pub(crate) fn iter<'a>(
        &'a self,
        ds: &'a Dataset,
    ) -> impl Iterator<Item = (usize, Account<'a>)> + 'a {
        (0..self.len(ds)).filter_map(move |index| Some((index, self.get(ds, index)?)))
    }

    /// The name of account `index` ("" if there is none).
    pub(crate) fn name<'a>(&'a self, ds: &'a Dataset, index: usize) -> &'a str {
        self.get(ds, index).map_or("", |a| a.name)
    }

    /// `index` when it names an account, else `fallback`.
    pub(crate) fn or(&self, ds: &Dataset, index: Option<usize>, fallback: usize) -> usize {
        index.filter(|&i| i < self.len(ds)).unwrap_or(fallback)
    }
}
