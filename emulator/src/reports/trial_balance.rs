//! `TrialBalance`: every account's debit or credit balance at the end of the range.

use super::balances::{
    Checkpoints, balances, is_profit_and_loss, profit_and_loss_debits, retained_earnings,
};
use super::columns::{label_column, money_column};
use super::params::{By, Params, to_date, to_day, year_start};
use super::rows::{Built, line, summary_only};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::Written;

pub(super) fn trial_balance(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let fiscal_start = to_day(year_start(to_date(params.end))) - 1;
    let checkpoints = Checkpoints::new(vec![fiscal_start, params.end]);
    let cumulative = balances(ds, written, params.basis, None, &checkpoints.0);
    let at_end = &cumulative[checkpoints.at(params.end)];
    let before_year = &cumulative[checkpoints.at(fiscal_start)];
    let retained = retained_earnings(ds);
    let prior = profit_and_loss_debits(ds, written.chart(), before_year);
    let mut rows = Vec::new();
    let (mut debits, mut credits) = (0i64, 0i64);
    for (index, account) in written.chart().iter(ds) {
        let mut debit = at_end[index];
        if is_profit_and_loss(account.account_type) {
            debit -= before_year[index];
        }
        if Some(index) == retained {
            debit += prior;
        }
        if debit == 0 {
            continue;
        }
        let amounts = if debit > 0 {
            debits += debit;
            vec![debit, 0]
        } else {
            credits -= debit;
            vec![0, -debit]
        };
        rows.push(line(account.name, Some((index + 1).to_string()), amounts).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", vec![debits, credits]).node);
    let columns = vec![
        label_column("Account", "account"),
        money_column("Debit", "debt_amt", None),
        money_column("Credit", "credit_amt", None),
    ];
    Ok((columns, rows, no_data, By::Total))
}
