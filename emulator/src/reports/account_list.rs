//! `AccountList`: the chart of accounts with each account's type, detail type, description and
//! (balance-sheet accounts) balance at the end date, from the ledger's postings.

use serde_json::json;

use super::balances::{balances, is_profit_and_loss, natural};
use super::columns::meta;
use super::params::{By, Params};
use super::rows::{Built, Node, cell, cell_with_id, money};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::Written;

pub(super) fn account_list(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let at_end = balances(ds, written, params.basis, None, &[params.end]);
    let balance_of = |index: usize| at_end.first().and_then(|b| b.get(index)).copied();
    let mut accounts: Vec<_> = written.chart().iter(ds).filter(|(_, a)| a.active).collect();
    accounts.sort_by(|a, b| a.1.name.cmp(b.1.name));
    let rows: Vec<Node> = accounts
        .into_iter()
        .map(|(index, account)| {
            let balance = if is_profit_and_loss(account.account_type) {
                String::new()
            } else {
                money(natural(
                    account.classification,
                    balance_of(index).unwrap_or(0),
                ))
            };
            Node::Data(vec![
                cell_with_id(account.name, (index + 1).to_string()),
                cell(account.account_type),
                cell(account.sub_type),
                cell(""),
                cell(balance),
            ])
        })
        .collect();
    let no_data = rows.is_empty();
    let column = |title: &str, key: &str| json!({"ColTitle": title, "ColType": key, "MetaData": [meta("ColKey", key.to_owned())]});
    let columns = vec![
        column("Account", "account_name"),
        column("Type", "account_type"),
        column("Detail Type", "detail_acc_type"),
        column("Description", "account_desc"),
        column("Balance", "account_bal"),
    ];
    Ok((columns, rows, no_data, By::Total))
}
