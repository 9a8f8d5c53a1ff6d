//! `CashFlow`: operating, investing and financing lines by period, ending at the bank balance.

use super::balances::{Checkpoints, account_lines, balances, profit_and_loss_debits};
use super::columns::{label_column, period_columns, periods};
use super::params::{By, Params};
use super::rows::{Built, Node, line, plus, section, summary_only, totals_of};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::Written;

pub(super) fn cash_flow(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let periods = periods(params.start, params.end, params.by)?;
    let split = params.by != By::Total;
    let width = periods.len() + usize::from(split);
    let mut days: Vec<i32> = periods.iter().map(|p| p.end).collect();
    days.push(params.start - 1);
    let checkpoints = Checkpoints::new(days);
    let cumulative = balances(ds, written, params.basis, None, &checkpoints.0);
    let bounds: Vec<(usize, usize)> = periods
        .iter()
        .map(|p| (checkpoints.at(p.start - 1), checkpoints.at(p.end)))
        .collect();
    // Cash effect of each period's change in an account: minus its debit change.
    let flows = |account: usize| -> Vec<i64> {
        let mut values: Vec<i64> = bounds
            .iter()
            .map(|&(before, after)| -(cumulative[after][account] - cumulative[before][account]))
            .collect();
        if split {
            values.push(values.iter().sum());
        }
        values
    };
    let net_income: Vec<i64> = {
        let mut values: Vec<i64> = bounds
            .iter()
            .map(|&(before, after)| {
                -(profit_and_loss_debits(ds, written.chart(), &cumulative[after])
                    - profit_and_loss_debits(ds, written.chart(), &cumulative[before]))
            })
            .collect();
        if split {
            values.push(values.iter().sum());
        }
        values
    };
    let lines = |types: &[&str]| account_lines(ds, written.chart(), types, &flows);
    let adjustments = section(
        "OperatingAdjustments",
        "Adjustments to reconcile Net Income to Net Cash provided by operations:",
        "Total Adjustments to reconcile Net Income to Net Cash provided by operations:",
        lines(&[
            "Accounts Receivable",
            "Other Current Asset",
            "Accounts Payable",
            "Credit Card",
            "Other Current Liability",
        ]),
        width,
        false,
    );
    let operating = section(
        "OperatingActivities",
        "OPERATING ACTIVITIES",
        "Net cash provided by operating activities",
        vec![Some(line("Net Income", None, net_income)), adjustments],
        width,
        true,
    );
    let investing = section(
        "InvestingActivities",
        "INVESTING ACTIVITIES",
        "Net cash provided by investing activities",
        lines(&["Fixed Asset", "Other Asset"]),
        width,
        false,
    );
    let financing = section(
        "FinancingActivities",
        "FINANCING ACTIVITIES",
        "Net cash provided by financing activities",
        lines(&["Long Term Liability", "Equity"]),
        width,
        false,
    );
    let increase = plus(
        &plus(&totals_of(&operating, width), &totals_of(&investing, width)),
        &totals_of(&financing, width),
    );
    let cash_at = |at: usize| -> i64 {
        written
            .chart()
            .iter(ds)
            .zip(&cumulative[at])
            .filter(|((_, a), _)| a.account_type == "Bank")
            .map(|(_, b)| b)
            .sum()
    };
    let mut beginning: Vec<i64> = bounds.iter().map(|&(before, _)| cash_at(before)).collect();
    let mut ending: Vec<i64> = bounds.iter().map(|&(_, after)| cash_at(after)).collect();
    if split {
        beginning.push(beginning.first().copied().unwrap_or(0));
        ending.push(ending.last().copied().unwrap_or(0));
    }
    let no_data = increase.iter().all(|&v| v == 0)
        && operating
            .as_ref()
            .is_none_or(|o| o.totals.iter().all(|&v| v == 0));
    let mut rows: Vec<Node> = [operating, investing, financing]
        .into_iter()
        .flatten()
        .map(|b| b.node)
        .collect();
    rows.push(summary_only("CashIncrease", "NET CASH INCREASE FOR PERIOD", increase).node);
    rows.push(summary_only("BeginningCash", "Cash at beginning of period", beginning).node);
    rows.push(summary_only("EndingCash", "CASH AT END OF PERIOD", ending).node);
    let mut columns = vec![label_column("Account", "account")];
    columns.extend(period_columns(&periods, split));
    Ok((columns, rows, no_data, params.by))
}
