//! `ProfitAndLoss`: income, cost of goods sold, expenses and net income per account, by period.

use super::balances::{account_lines, balances, natural};
use super::columns::{label_column, period_columns, periods};
use super::params::{By, Params};
use super::rows::{Block, Built, Node, minus, plus, section, summary_only, totals_of};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::Written;

pub(super) fn profit_and_loss(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let periods = periods(params.start, params.end, params.by)?;
    let split = params.by != By::Total;
    let width = periods.len() + usize::from(split);
    let ends: Vec<i32> = periods.iter().map(|p| p.end).collect();
    let cumulative = balances(ds, written, params.basis, Some(params.start), &ends);
    let amounts = |account: usize| -> Vec<i64> {
        let classification = written
            .chart()
            .get(ds, account)
            .map_or("", |a| a.classification);
        let mut values: Vec<i64> = (0..periods.len())
            .map(|k| {
                let now = cumulative[k][account];
                let before = if k == 0 {
                    0
                } else {
                    cumulative[k - 1][account]
                };
                natural(classification, now - before)
            })
            .collect();
        if split {
            values.push(values.iter().sum());
        }
        values
    };
    let income = section(
        "Income",
        "Income",
        "Total Income",
        account_lines(ds, written.chart(), &["Income"], &amounts),
        width,
        false,
    );
    let cogs = section(
        "COGS",
        "Cost of Goods Sold",
        "Total Cost of Goods Sold",
        account_lines(ds, written.chart(), &["Cost of Goods Sold"], &amounts),
        width,
        false,
    );
    let expenses = section(
        "Expenses",
        "Expenses",
        "Total Expenses",
        account_lines(ds, written.chart(), &["Expense"], &amounts),
        width,
        false,
    );
    let other_income = section(
        "OtherIncome",
        "Other Income",
        "Total Other Income",
        account_lines(ds, written.chart(), &["Other Income"], &amounts),
        width,
        false,
    );
    let other_expenses = section(
        "OtherExpenses",
        "Other Expenses",
        "Total Other Expenses",
        account_lines(ds, written.chart(), &["Other Expense"], &amounts),
        width,
        false,
    );
    let no_data = [&income, &cogs, &expenses, &other_income, &other_expenses]
        .iter()
        .all(|s| s.is_none());
    let gross = minus(&totals_of(&income, width), &totals_of(&cogs, width));
    let operating = minus(&gross, &totals_of(&expenses, width));
    let has_other = other_income.is_some() || other_expenses.is_some();
    let other = minus(
        &totals_of(&other_income, width),
        &totals_of(&other_expenses, width),
    );
    let net = plus(&operating, &other);
    let mut rows: Vec<Node> = Vec::new();
    let mut push = |block: Option<Block>| {
        if let Some(block) = block {
            rows.push(block.node);
        }
    };
    push(income);
    push(cogs);
    push(Some(summary_only("GrossProfit", "Gross Profit", gross)));
    push(expenses);
    push(Some(summary_only(
        "NetOperatingIncome",
        "Net Operating Income",
        operating,
    )));
    push(other_income);
    push(other_expenses);
    if has_other {
        push(Some(summary_only(
            "NetOtherIncome",
            "Net Other Income",
            other,
        )));
    }
    push(Some(summary_only("NetIncome", "Net Income", net)));
    let mut columns = vec![label_column("Account", "account")];
    columns.extend(period_columns(&periods, split));
    Ok((columns, rows, no_data, params.by))
}
