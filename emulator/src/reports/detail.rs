//! The `columns` of detail and transaction-list reports: QBO's column keys (`tx_date`,
//! `txn_type`, `doc_num`, `subt_nat_amount` ...), their titles, the ones each report takes and
//! shows by default, and the cell a line has under each.
//!
//! A key a report documents but the books have nothing for (`create_by`, `last_mod_by` ...) is a
//! blank column, and so is `klass_name` (a line of these reports is a posting, which merges a
//! sale's lines of one account whatever their classes; `dept_name` is the transaction's
//! location); a key the report does not know is a 400 ValidationFault naming the keys it takes.

use serde_json::{Value, json};

use super::columns::meta;
use super::params::invalid_enumeration;
use super::rows::{cell, cell_with_id, money, units_text};
use super::txn::{Party, Txn};
use crate::chart::Chart;
use crate::data::Dataset;
use crate::fault::Fault;
use crate::ledger::Split;
use crate::time::Day;

/// Column keys and their titles.
const TITLES: [(&str, &str); 49] = [
    ("tx_date", "Date"),
    ("txn_type", "Transaction Type"),
    ("doc_num", "Num"),
    ("is_no_post", "Posting"),
    ("name", "Name"),
    ("cust_name", "Customer"),
    ("vend_name", "Vendor"),
    ("memo", "Memo/Description"),
    ("account_name", "Account"),
    ("other_account", "Split"),
    ("split_acc", "Split"),
    ("due_date", "Due Date"),
    ("past_due", "Past Due"),
    ("subt_nat_amount", "Amount"),
    ("subt_amount", "Amount"),
    ("subt_neg_amount", "Amount"),
    ("subt_open_bal", "Open Balance"),
    ("subt_neg_open_bal", "Open Balance"),
    ("nat_open_bal", "Open Balance"),
    ("rbal_nat_amount", "Balance"),
    ("rbal_open_bal", "Balance"),
    ("rbal_neg_open_bal", "Balance"),
    ("debt_amt", "Debit"),
    ("credit_amt", "Credit"),
    ("term_name", "Terms"),
    ("create_date", "Create Date"),
    ("create_by", "Created By"),
    ("last_mod_date", "Last Modified"),
    ("last_mod_by", "Last Modified By"),
    ("dept_name", "Department"),
    ("klass_name", "Class"),
    ("pmt_mthd", "Payment Method"),
    ("tax_code", "Tax Code"),
    ("printed", "Printed"),
    ("is_cleared", "Clr"),
    ("is_ar_paid", "A/R Paid"),
    ("is_ap_paid", "A/P Paid"),
    ("inv_date", "Invoice Date"),
    ("ship_via", "Ship Via"),
    ("tracking_num", "Tracking No."),
    ("cust_msg", "Customer Message"),
    ("bill_addr", "Billing Address"),
    ("ship_addr", "Shipping Address"),
    ("sale_sent_state", "Delivery Status"),
    ("qty", "Qty"),
    ("rate", "Rate"),
    ("inv_asset_amt", "FIFO Cost"),
    ("qty_on_hand", "Qty On Hand"),
    ("asset_value", "Asset Value"),
];

fn title(key: &str) -> &str {
    TITLES
        .iter()
        .find(|(k, _)| *k == key)
        .map_or(key, |(_, title)| title)
}

/// The columns a detail report takes, and the ones it shows without `columns`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Catalog {
    /// Every key the report takes.
    pub(super) known: &'static [&'static str],
    /// Its columns without `columns`, in order.
    pub(super) default: &'static [&'static str],
}

/// The columns asked for (`columns`, else the report's default), checked against `catalog`.
pub(super) fn chosen(catalog: Catalog, asked: Option<&[String]>) -> Result<Vec<String>, Fault> {
    let Some(asked) = asked.filter(|a| !a.is_empty()) else {
        return Ok(catalog.default.iter().map(|k| (*k).to_owned()).collect());
    };
    for key in asked {
        if !catalog.known.contains(&key.as_str()) {
            return Err(invalid_enumeration(
                "columns",
                key,
                &format!("column keys among {}", catalog.known.join(", ")),
            ));
        }
    }
    Ok(asked.to_vec())
}

/// `Columns.Column[]` for `keys`: the key is the `ColType` and the `ColKey`.
pub(super) fn column_json(keys: &[String]) -> Vec<Value> {
    keys.iter()
        .map(|key| {
            json!({
                "ColTitle": title(key),
                "ColType": key,
                "MetaData": [meta("ColKey", key.clone())],
            })
        })
        .collect()
}

/// What one line of a detail report can show.
#[derive(Debug, Default, Clone)]
pub(super) struct Line<'a> {
    /// The transaction.
    pub(super) txn: Option<&'a Txn>,
    /// The account of the line (`account_name`).
    pub(super) account: Option<usize>,
    /// The other side (`other_account`, `split_acc`).
    pub(super) split: Option<Split>,
    /// The line's amount (`subt_nat_amount`, `subt_amount`, `subt_neg_amount`).
    pub(super) amount: Option<i64>,
    /// What is left to pay (`subt_open_bal` ...).
    pub(super) open: Option<i64>,
    /// The running balance (`rbal_*`).
    pub(super) balance: Option<i64>,
    /// `debt_amt`.
    pub(super) debit: Option<i64>,
    /// `credit_amt`.
    pub(super) credit: Option<i64>,
    /// Days past due on the report day (`past_due`).
    pub(super) past_due: Option<i32>,
    /// The amounts are in the transaction's currency (its `TotalAmt`), not the home currency
    /// the ledger posts in.
    pub(super) in_txn_currency: bool,
    /// An inventory movement (`qty`, `rate`, `inv_asset_amt`, `qty_on_hand`, `asset_value`).
    pub(super) stock: Option<Stock>,
}

impl Line<'_> {
    /// `amount` of the line in the home currency.
    fn home(&self, amount: Option<i64>) -> Option<i64> {
        match (self.in_txn_currency, self.txn) {
            (true, Some(txn)) => amount.map(|a| txn.currency.home(a)),
            _ => amount,
        }
    }

    /// `amount` of the line in the transaction's currency: the transaction's own `TotalAmt`
    /// when the line is the whole of it, else the home amount at its rate.
    fn foreign(&self, amount: Option<i64>) -> Option<i64> {
        match (self.in_txn_currency, self.txn) {
            (false, Some(txn)) => amount.map(|a| {
                if a == txn.currency.home(txn.amount) {
                    txn.amount
                } else {
                    txn.currency.foreign(a)
                }
            }),
            _ => amount,
        }
    }
}

/// What an inventory valuation line shows of the stock.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Stock {
    /// Thousandths of a unit moved, in positive.
    pub(super) qty: i64,
    /// Unit cost, cents.
    pub(super) rate: i64,
    /// The cost moved, cents (`inv_asset_amt`).
    pub(super) cost: i64,
    /// Thousandths of a unit on hand after it.
    pub(super) on_hand: i64,
    /// What they are worth, cents.
    pub(super) value: i64,
}

/// The cell of `key` for `stock`, when `key` is a stock column; `rate` only on a data line.
fn stock_cell(key: &str, stock: Option<Stock>, with_rate: bool) -> Option<Value> {
    let stock = stock?;
    Some(match key {
        "qty" => cell(units_text(stock.qty)),
        "rate" if with_rate => cell(money(stock.rate)),
        "inv_asset_amt" => cell(money(stock.cost)),
        "qty_on_hand" => cell(units_text(stock.on_hand)),
        "asset_value" => cell(money(stock.value)),
        _ => return None,
    })
}

fn amount_cell(value: Option<i64>) -> Value {
    value.map_or_else(|| cell(""), |v| cell(money(v)))
}

/// The cells of `line` under `keys`.
pub(super) fn cells(ds: &Dataset, chart: &Chart, keys: &[String], line: &Line<'_>) -> Vec<Value> {
    let id = |index: usize| (index + 1).to_string();
    keys.iter()
        .map(|key| {
            let txn = line.txn;
            if let Some(stock) = stock_cell(key, line.stock, true) {
                return stock;
            }
            match key.as_str() {
                "tx_date" => txn.map_or_else(|| cell(""), |t| cell(Day(t.day).to_string())),
                "txn_type" => txn.map_or_else(
                    || cell(""),
                    |t| match &t.id {
                        Some(id) => cell_with_id(t.kind, id.clone()),
                        None => cell(t.kind),
                    },
                ),
                "doc_num" => cell(txn.map_or("", |t| t.number.as_str())),
                "is_no_post" => cell(if txn.is_some() { "Yes" } else { "" }),
                "name" | "cust_name" | "vend_name" => match txn {
                    Some(t)
                        if key == "name"
                            || (key == "cust_name" && matches!(t.party, Party::Customer(_)))
                            || (key == "vend_name" && matches!(t.party, Party::Vendor(_))) =>
                    {
                        match t.party_id() {
                            Some(party) => cell_with_id(t.party_name.clone(), party),
                            None => cell(""),
                        }
                    }
                    _ => cell(""),
                },
                "account_name" => line
                    .account
                    .map_or_else(|| cell(""), |a| cell_with_id(chart.name(ds, a), id(a))),
                "other_account" | "split_acc" => match line.split {
                    Some(Split::Account(other)) => cell_with_id(chart.name(ds, other), id(other)),
                    Some(Split::Several) => cell("-Split-"),
                    None => cell(""),
                },
                "due_date" => txn
                    .and_then(|t| t.due)
                    .map_or_else(|| cell(""), |d| cell(Day(d).to_string())),
                "past_due" => line
                    .past_due
                    .map_or_else(|| cell(""), |d| cell(d.to_string())),
                "subt_nat_amount" | "subt_amount" | "subt_neg_amount" => amount_cell(line.amount),
                "subt_open_bal" | "subt_neg_open_bal" | "nat_open_bal" => amount_cell(line.open),
                "rbal_nat_amount" | "rbal_open_bal" | "rbal_neg_open_bal" => {
                    amount_cell(line.balance)
                }
                "debt_amt" => amount_cell(line.debit),
                "credit_amt" => amount_cell(line.credit),
                "currency" => cell(txn.map_or("", |t| t.currency.code)),
                "exch_rate" => txn.map_or_else(|| cell(""), |t| cell(t.currency.rate_text())),
                "subt_nat_home_amount" | "subt_neg_home_amount" => {
                    amount_cell(line.home(line.amount))
                }
                "subt_neg_home_open_bal" | "nat_home_open_bal" => amount_cell(line.home(line.open)),
                "rbal_nat_home_amount" => amount_cell(line.home(line.balance)),
                "debt_home_amt" => amount_cell(line.home(line.debit)),
                "credit_home_amt" => amount_cell(line.home(line.credit)),
                "foreign_amount" | "neg_foreign_amount" => amount_cell(line.foreign(line.amount)),
                "foreign_open_bal" | "neg_foreign_open_bal" | "nat_foreign_open_bal" => {
                    amount_cell(line.foreign(line.open))
                }
                "dept_name" => match txn.and_then(|t| t.department.as_ref()) {
                    Some((name, index)) => cell_with_id(name.clone(), id(*index)),
                    None => cell(""),
                },
                _ => cell(""),
            }
        })
        .collect()
}

/// A row of blanks but for `label` first and the amounts under the money keys of `keys`
/// (a section's summary line).
pub(super) fn summary_cells(label: &str, keys: &[String], line: &Line<'_>) -> Vec<Value> {
    let mut cells = cells_of_amounts(keys, line);
    if let Some(first) = cells.first_mut() {
        *first = cell(label);
    }
    cells
}

fn cells_of_amounts(keys: &[String], line: &Line<'_>) -> Vec<Value> {
    keys.iter()
        .map(|key| match key.as_str() {
            _ if let Some(stock) = stock_cell(key, line.stock, false) => stock,
            "subt_nat_amount" | "subt_amount" | "subt_neg_amount" => amount_cell(line.amount),
            "subt_open_bal" | "subt_neg_open_bal" | "nat_open_bal" => amount_cell(line.open),
            "debt_amt" => amount_cell(line.debit),
            "credit_amt" => amount_cell(line.credit),
            // A summary adds up lines of several currencies: only home amounts add up.
            "subt_nat_home_amount" | "subt_neg_home_amount" if !line.in_txn_currency => {
                amount_cell(line.amount)
            }
            "subt_neg_home_open_bal" | "nat_home_open_bal" if !line.in_txn_currency => {
                amount_cell(line.open)
            }
            "debt_home_amt" if !line.in_txn_currency => amount_cell(line.debit),
            "credit_home_amt" if !line.in_txn_currency => amount_cell(line.credit),
            _ => cell(""),
        })
        .collect()
}

/// A section header: `label` (with `id`) and blanks.
pub(super) fn header_cells(label: &str, id: Option<String>, width: usize) -> Vec<Value> {
    let mut cells = vec![match id {
        Some(id) => cell_with_id(label, id),
        None => cell(label),
    }];
    cells.extend((1..width).map(|_| cell("")));
    cells
}
