//! Account balances from the ledger's postings at chosen days, the side each account sits on, and
//! the P&L figures the balance sheet needs.

use super::rows::{Block, line};
use crate::chart::Chart;
use crate::data::Dataset;
use crate::ledger::{self, Basis, Posting};
use crate::written::Written;

/// Debit-positive balances per account as of each of `checkpoints` (sorted ascending), counting
/// postings from `from` on (`None`: all).
pub(super) fn balances(
    ds: &Dataset,
    written: &Written,
    basis: Basis,
    from: Option<i32>,
    checkpoints: &[i32],
) -> Vec<Vec<i64>> {
    let accounts = written.chart().len(ds);
    let mut buckets = vec![vec![0i64; accounts]; checkpoints.len()];
    let Some(&last) = checkpoints.last() else {
        return buckets;
    };
    ledger::for_each(ds, written, basis, from, last, &mut |p: Posting| {
        let at = checkpoints.partition_point(|&c| c < p.day);
        if let Some(bucket) = buckets.get_mut(at)
            && let Some(balance) = bucket.get_mut(p.account)
        {
            *balance += p.amount;
        }
    });
    for k in 1..buckets.len() {
        let (before, after) = buckets.split_at_mut(k);
        if let (Some(previous), Some(current)) = (before.last(), after.first_mut()) {
            for (c, p) in current.iter_mut().zip(previous) {
                *c += p;
            }
        }
    }
    buckets
}

/// Sorted, unique checkpoints, and a way to find one's index.
pub(super) struct Checkpoints(pub(super) Vec<i32>);

impl Checkpoints {
    pub(super) fn new(mut days: Vec<i32>) -> Checkpoints {
        days.sort_unstable();
        days.dedup();
        Checkpoints(days)
    }

    pub(super) fn at(&self, day: i32) -> usize {
        self.0.partition_point(|&d| d < day)
    }
}

/// What a balance means for an account type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// Assets and expenses: debit positive.
    Debit,
    /// Liabilities, equity and income: credit positive.
    Credit,
}

pub(super) fn side(classification: &str) -> Side {
    match classification {
        "Asset" | "Expense" => Side::Debit,
        _ => Side::Credit,
    }
}

pub(super) fn natural(classification: &str, debit: i64) -> i64 {
    match side(classification) {
        Side::Debit => debit,
        Side::Credit => -debit,
    }
}

pub(super) fn is_profit_and_loss(account_type: &str) -> bool {
    matches!(
        account_type,
        "Income" | "Cost of Goods Sold" | "Expense" | "Other Income" | "Other Expense"
    )
}

/// Lines of the accounts of `types`, sorted by name, for accounts with a non-zero amount;
/// `amounts(account index)` gives the line's amounts.
pub(super) fn account_lines(
    ds: &Dataset,
    chart: &Chart,
    types: &[&str],
    amounts: &dyn Fn(usize) -> Vec<i64>,
) -> Vec<Option<Block>> {
    let mut chosen: Vec<(usize, &str, Vec<i64>)> = chart
        .iter(ds)
        .filter(|(_, a)| types.contains(&a.account_type))
        .map(|(index, a)| (index, a.name, amounts(index)))
        .filter(|(_, _, values)| values.iter().any(|&v| v != 0))
        .collect();
    chosen.sort_by(|a, b| a.1.cmp(b.1));
    chosen
        .into_iter()
        .map(|(index, name, values)| Some(line(name, Some((index + 1).to_string()), values)))
        .collect()
}

/// The index of the Retained Earnings account, if the chart has one.
pub(super) fn retained_earnings(ds: &Dataset) -> Option<usize> {
    ds.accounts
        .iter()
        .position(|a| a.sub_type == "RetainedEarnings")
}

/// Sum of the P&L accounts' debit balances in `balances`.
pub(super) fn profit_and_loss_debits(ds: &Dataset, chart: &Chart, balances: &[i64]) -> i64 {
    chart
        .iter(ds)
        .zip(balances)
        .filter(|((_, a), _)| is_profit_and_loss(a.account_type))
        .map(|(_, b)| b)
        .sum()
}
