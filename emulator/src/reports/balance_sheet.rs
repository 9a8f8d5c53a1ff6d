//! `BalanceSheet`: assets, liabilities and equity as of the end of each period, retained earnings
//! and net income included.

use super::balances::{
    Checkpoints, account_lines, balances, natural, profit_and_loss_debits, retained_earnings,
};
use super::columns::{label_column, period_columns, periods};
use super::params::{Params, to_date, to_day, year_start};
use super::rows::{Built, line, section};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::Written;

pub(super) fn balance_sheet(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let periods = periods(params.start, params.end, params.by)?;
    let width = periods.len();
    let fiscal_start = |day: i32| to_day(year_start(to_date(day))) - 1;
    let checkpoints = Checkpoints::new(
        periods
            .iter()
            .flat_map(|p| [p.end, fiscal_start(p.end)])
            .collect(),
    );
    let cumulative = balances(ds, written, params.basis, None, &checkpoints.0);
    let at_end: Vec<&Vec<i64>> = periods
        .iter()
        .map(|p| &cumulative[checkpoints.at(p.end)])
        .collect();
    let prior: Vec<i64> = periods
        .iter()
        .map(|p| {
            profit_and_loss_debits(
                ds,
                written.chart(),
                &cumulative[checkpoints.at(fiscal_start(p.end))],
            )
        })
        .collect();
    let retained = retained_earnings(ds);
    let amounts = |account: usize| -> Vec<i64> {
        let classification = written
            .chart()
            .get(ds, account)
            .map_or("", |a| a.classification);
        (0..width)
            .map(|k| {
                let mut debit = at_end[k][account];
                if Some(account) == retained {
                    debit += prior[k];
                }
                natural(classification, debit)
            })
            .collect()
    };
    let net_income: Vec<i64> = (0..width)
        .map(|k| -(profit_and_loss_debits(ds, written.chart(), at_end[k]) - prior[k]))
        .collect();
    let lines = |types: &[&str]| account_lines(ds, written.chart(), types, &amounts);

    let bank = section(
        "BankAccounts",
        "Bank Accounts",
        "Total Bank Accounts",
        lines(&["Bank"]),
        width,
        false,
    );
    let receivable = section(
        "AR",
        "Accounts Receivable",
        "Total Accounts Receivable",
        lines(&["Accounts Receivable"]),
        width,
        false,
    );
    let other_current = section(
        "OtherCurrentAssets",
        "Other Current Assets",
        "Total Other Current Assets",
        lines(&["Other Current Asset"]),
        width,
        false,
    );
    let current_assets = section(
        "CurrentAssets",
        "Current Assets",
        "Total Current Assets",
        vec![bank, receivable, other_current],
        width,
        false,
    );
    let fixed = section(
        "FixedAssets",
        "Fixed Assets",
        "Total Fixed Assets",
        lines(&["Fixed Asset"]),
        width,
        false,
    );
    let other_assets = section(
        "OtherAssets",
        "Other Assets",
        "Total Other Assets",
        lines(&["Other Asset"]),
        width,
        false,
    );
    let assets = section(
        "TotalAssets",
        "ASSETS",
        "TOTAL ASSETS",
        vec![current_assets, fixed, other_assets],
        width,
        true,
    );

    let payable = section(
        "AP",
        "Accounts Payable",
        "Total Accounts Payable",
        lines(&["Accounts Payable"]),
        width,
        false,
    );
    let cards = section(
        "CreditCards",
        "Credit Cards",
        "Total Credit Cards",
        lines(&["Credit Card"]),
        width,
        false,
    );
    let other_current_liabilities = section(
        "OtherCurrentLiabilities",
        "Other Current Liabilities",
        "Total Other Current Liabilities",
        lines(&["Other Current Liability"]),
        width,
        false,
    );
    let current_liabilities = section(
        "CurrentLiabilities",
        "Current Liabilities",
        "Total Current Liabilities",
        vec![payable, cards, other_current_liabilities],
        width,
        false,
    );
    let long_term = section(
        "LongTermLiabilities",
        "Long-Term Liabilities",
        "Total Long-Term Liabilities",
        lines(&["Long Term Liability"]),
        width,
        false,
    );
    let liabilities = section(
        "Liabilities",
        "Liabilities",
        "Total Liabilities",
        vec![current_liabilities, long_term],
        width,
        false,
    );
    let mut equity_lines = lines(&["Equity"]);
    if net_income.iter().any(|&v| v != 0) {
        equity_lines.push(Some(line("Net Income", None, net_income)));
    }
    let equity = section(
        "Equity",
        "Equity",
        "Total Equity",
        equity_lines,
        width,
        false,
    );
    let no_data = assets
        .as_ref()
        .is_none_or(|a| a.totals.iter().all(|&v| v == 0))
        && liabilities.is_none()
        && equity.is_none();
    let liabilities_and_equity = section(
        "TotalLiabilitiesAndEquity",
        "LIABILITIES AND EQUITY",
        "TOTAL LIABILITIES AND EQUITY",
        vec![liabilities, equity],
        width,
        true,
    );
    let rows = [assets, liabilities_and_equity]
        .into_iter()
        .flatten()
        .map(|b| b.node)
        .collect();
    let mut columns = vec![label_column("Account", "account")];
    columns.extend(period_columns(&periods, false));
    Ok((columns, rows, no_data, params.by))
}
