//! `ProfitAndLossDetail`: every posting of the period to an income or expense account, by
//! section (Income, Cost of Goods Sold, Expenses, Other Income, Other Expenses) and account, with
//! the transaction, its party, the other side and a running balance per account; an account's
//! total is its line in `ProfitAndLoss` for the same period and basis. `customer` and `vendor`
//! keep the transactions of those parties.

use super::balances::natural;
use super::detail::{self, Catalog, Line};
use super::params::{By, Params};
use super::rows::{Built, Node};
use super::txn::{Party, view};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::ledger::{self, Posting};
use crate::written::Written;

const CATALOG: Catalog = Catalog {
    known: &[
        "create_by",
        "create_date",
        "doc_num",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "name",
        "pmt_mthd",
        "split_acc",
        "tx_date",
        "txn_type",
        "tax_code",
        "klass_name",
        "dept_name",
        "debt_amt",
        "credit_amt",
        "nat_open_bal",
        "subt_nat_amount",
        "subt_nat_amount_nt",
        "rbal_nat_amount",
        "rbal_nat_amount_nt",
        "tax_amount",
        "net_amount",
        "debt_home_amt",
        "credit_home_amt",
        "currency",
        "exch_rate",
        "nat_home_open_bal",
        "nat_foreign_open_bal",
        "subt_nat_home_amount",
        "subt_nat_amount_home_nt",
        "rbal_nat_home_amount",
        "rbal_nat_amount_home_nt",
        "home_tax_amount",
        "home_net_amount",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "name",
        "memo",
        "split_acc",
        "subt_nat_amount",
        "rbal_nat_amount",
    ],
};

/// (group, header, account types) of the sections, in report order.
const SECTIONS: [(&str, &str, &str); 5] = [
    ("Income", "Income", "Income"),
    ("COGS", "Cost of Goods Sold", "Cost of Goods Sold"),
    ("Expenses", "Expenses", "Expense"),
    ("OtherIncome", "Other Income", "Other Income"),
    ("OtherExpenses", "Other Expenses", "Other Expense"),
];

fn total_line(amount: i64) -> Line<'static> {
    Line {
        amount: Some(amount),
        ..Line::default()
    }
}

pub(super) fn profit_and_loss_detail(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let keys = detail::chosen(CATALOG, params.columns.as_deref())?;
    let chart = written.chart();
    let mut lines: Vec<Vec<Posting>> = vec![Vec::new(); chart.len(ds)];
    // `customer` and `vendor`: the transactions of those parties only.
    let filtered = params.customers.is_some() || params.vendors.is_some();
    let keeps = |party: Party| match party {
        Party::Customer(c) => params.vendors.is_none() && params.keeps_customer(c),
        Party::Vendor(v) => params.customers.is_none() && params.keeps_vendor(v),
        Party::None => false,
    };
    ledger::for_each(
        ds,
        written,
        params.basis,
        Some(params.start),
        params.end,
        &mut |p: Posting| {
            let kept = chart
                .get(ds, p.account)
                .is_some_and(|a| SECTIONS.iter().any(|s| s.2 == a.account_type));
            if kept && filtered && !keeps(view(ds, written, p.source).party) {
                return;
            }
            if kept && let Some(list) = lines.get_mut(p.account) {
                list.push(p);
            }
        },
    );
    let mut rows = Vec::new();
    let mut totals = [0i64; SECTIONS.len()];
    for (at, (group, header, account_type)) in SECTIONS.iter().enumerate() {
        let mut accounts: Vec<usize> = chart
            .iter(ds)
            .filter(|(a, account)| account.account_type == *account_type && !lines[*a].is_empty())
            .map(|(a, _)| a)
            .collect();
        accounts.sort_by(|a, b| chart.name(ds, *a).cmp(chart.name(ds, *b)));
        if accounts.is_empty() {
            continue;
        }
        let mut children = Vec::with_capacity(accounts.len());
        for account in accounts {
            let postings = &mut lines[account];
            postings.sort_by_key(|p| p.day);
            let classification = chart.get(ds, account).map_or("", |a| a.classification);
            let mut running = 0i64;
            let mut data = Vec::with_capacity(postings.len());
            for posting in postings.iter() {
                let txn = view(ds, written, posting.source);
                let amount = natural(classification, posting.amount);
                running += amount;
                let line = Line {
                    txn: Some(&txn),
                    account: Some(account),
                    split: Some(posting.split),
                    amount: Some(amount),
                    balance: Some(running),
                    debit: Some(posting.amount.max(0)),
                    credit: Some((-posting.amount).max(0)),
                    ..Line::default()
                };
                data.push(Node::Data(detail::cells(ds, chart, &keys, &line)));
            }
            totals[at] += running;
            let name = chart.name(ds, account);
            children.push(Node::Section {
                group: None,
                header: Some(detail::header_cells(
                    name,
                    Some((account + 1).to_string()),
                    keys.len(),
                )),
                rows: data,
                summary: Some(detail::summary_cells(
                    &format!("Total for {name}"),
                    &keys,
                    &total_line(running),
                )),
            });
        }
        rows.push(Node::Section {
            group: Some(group),
            header: Some(detail::header_cells(header, None, keys.len())),
            rows: children,
            summary: Some(detail::summary_cells(
                &format!("Total {header}"),
                &keys,
                &total_line(totals[at]),
            )),
        });
    }
    let no_data = rows.is_empty();
    let summary = |group: &'static str, label: &str, amount: i64| Node::Section {
        group: Some(group),
        header: None,
        rows: Vec::new(),
        summary: Some(detail::summary_cells(label, &keys, &total_line(amount))),
    };
    let [income, cogs, expenses, other_income, other_expenses] = totals;
    let gross = income - cogs;
    let operating = gross - expenses;
    let other = other_income - other_expenses;
    // Summary-only sections go after the sections they follow in `ProfitAndLoss`.
    let mut ordered = Vec::with_capacity(rows.len() + 4);
    let mut rest = rows.into_iter().peekable();
    let take =
        |group: &str, rest: &mut std::iter::Peekable<std::vec::IntoIter<Node>>| match rest.peek() {
            Some(Node::Section { group: Some(g), .. }) if *g == group => rest.next(),
            _ => None,
        };
    ordered.extend(take("Income", &mut rest));
    ordered.extend(take("COGS", &mut rest));
    ordered.push(summary("GrossProfit", "Gross Profit", gross));
    ordered.extend(take("Expenses", &mut rest));
    ordered.push(summary(
        "NetOperatingIncome",
        "Net Operating Income",
        operating,
    ));
    ordered.extend(take("OtherIncome", &mut rest));
    ordered.extend(take("OtherExpenses", &mut rest));
    if other_income != 0 || other_expenses != 0 {
        ordered.push(summary("NetOtherIncome", "Net Other Income", other));
    }
    ordered.push(summary("NetIncome", "Net Income", operating + other));
    Ok((detail::column_json(&keys), ordered, no_data, By::Total))
}
