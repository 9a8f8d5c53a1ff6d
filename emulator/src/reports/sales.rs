//! Income and expenses by who or what they come from: `CustomerIncome`, `CustomerSales`,
//! `VendorExpenses` (per party, from the ledger's postings to income and expense accounts on the
//! report's basis), `ClassSales` and `DepartmentSales` (the same income split by the class of
//! each sales line and by the sale's location, `tracking.rs`), `ItemSales` (invoice lines per item) and
//! `TaxSummary` (what the sales-tax account was credited).

use std::collections::BTreeMap;

use super::balances::natural;
use super::columns::{Period, label_column, money_column, period_columns, periods};
use super::params::{By, Params};
use super::rows::{Built, line, summary_only};
use super::tracking::{Group, Splitter, Tracking};
use super::txn::{Party, view};
use crate::data::{ACCT_SALES_TAX, Dataset, TAX_RATE_BP};
use crate::fault::Fault;
use crate::ledger::{self, Posting};
use crate::written::{Shadow, Written};

fn is_income(account_type: &str) -> bool {
    matches!(account_type, "Income" | "Other Income")
}

fn is_expense(account_type: &str) -> bool {
    matches!(
        account_type,
        "Expense" | "Cost of Goods Sold" | "Other Expense"
    )
}

/// Amounts per period (and the total, when split).
struct Columns {
    periods: Vec<Period>,
    split: bool,
}

impl Columns {
    fn new(params: &Params) -> Result<Columns, Fault> {
        Ok(Columns {
            periods: periods(params.start, params.end, params.by)?,
            split: params.by != By::Total,
        })
    }

    fn width(&self) -> usize {
        self.periods.len() + usize::from(self.split)
    }

    /// Adds `amount` on `day` to `values` (its period and the total).
    fn add(&self, values: &mut [i64], day: i32, amount: i64) {
        let at = self.periods.partition_point(|p| p.end < day);
        if let Some(value) = values.get_mut(at) {
            *value += amount;
        }
        if self.split
            && let Some(total) = values.last_mut()
        {
            *total += amount;
        }
    }

    fn json(&self) -> Vec<serde_json::Value> {
        period_columns(&self.periods, self.split)
    }
}

/// A row of a summary by name: its label and the index its id is made of, and its amounts.
type NamedRow = ((String, Option<usize>), Vec<i64>);

/// Rows of `per` (in its order, zero lines left out) and a TOTAL, and whether there were none.
fn lines_and_total(
    per: impl IntoIterator<Item = NamedRow>,
    width: usize,
) -> (Vec<super::rows::Node>, bool) {
    let mut totals = vec![0i64; width];
    let mut rows = Vec::new();
    for ((name, index), values) in per {
        if values.iter().all(|&v| v == 0) {
            continue;
        }
        for (total, value) in totals.iter_mut().zip(&values) {
            *total += value;
        }
        rows.push(line(&name, index.map(|i| (i + 1).to_string()), values).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", totals).node);
    (rows, no_data)
}

/// Natural amounts of postings to accounts `kept` in the period, per party (`vendors`: vendors,
/// else customers; the other kind and transactions without a party are left out), by period.
fn per_party(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    columns: &Columns,
    vendors: bool,
    kept: fn(&str) -> bool,
) -> BTreeMap<(String, Option<usize>), Vec<i64>> {
    let mut per: BTreeMap<(String, Option<usize>), Vec<i64>> = BTreeMap::new();
    let width = columns.width();
    ledger::for_each(
        ds,
        written,
        params.basis,
        Some(params.start),
        params.end,
        &mut |p: Posting| {
            let Some(account) = written.chart().get(ds, p.account) else {
                return;
            };
            if !kept(account.account_type) {
                return;
            }
            let txn = view(ds, written, p.source);
            let party = match txn.party {
                Party::Customer(c) if !vendors && params.keeps_customer(c) => c,
                Party::Vendor(v) if vendors && params.keeps_vendor(v) => v,
                _ => return,
            };
            let values = per
                .entry((txn.party_name, Some(party)))
                .or_insert_with(|| vec![0; width]);
            columns.add(values, p.day, natural(account.classification, p.amount));
        },
    );
    per
}

/// `CustomerSales` (`with_expenses: false`: income per customer) and `CustomerIncome` (income,
/// expenses and net income per customer).
pub(super) fn customer_income(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    with_expenses: bool,
) -> Result<Built, Fault> {
    let columns = Columns::new(params)?;
    let income = per_party(ds, written, params, &columns, false, is_income);
    if !with_expenses {
        let (rows, no_data) = lines_and_total(income, columns.width());
        let mut json = vec![label_column("Customer", "customer")];
        json.extend(columns.json());
        return Ok((json, rows, no_data, params.by));
    }
    // Income, Expenses, Net Income per customer (the expenses the books tie to customers: none
    // of the seeded bills is billable, so only what a posting names a customer for).
    let expenses = per_party(ds, written, params, &columns, false, is_expense);
    let mut per: BTreeMap<(String, Option<usize>), Vec<i64>> = BTreeMap::new();
    for (key, values) in &income {
        let total = values.last().copied().unwrap_or(0);
        per.entry(key.clone()).or_insert_with(|| vec![0; 3])[0] += total;
    }
    for (key, values) in &expenses {
        let total = values.last().copied().unwrap_or(0);
        per.entry(key.clone()).or_insert_with(|| vec![0; 3])[1] += total;
    }
    for values in per.values_mut() {
        values[2] = values[0] - values[1];
    }
    let (rows, no_data) = lines_and_total(per, 3);
    let json = vec![
        label_column("Customer", "customer"),
        money_column("Income", "income", None),
        money_column("Expenses", "expenses", None),
        money_column("Net Income", "net_income", None),
    ];
    Ok((json, rows, no_data, By::Total))
}

/// `VendorExpenses`: expenses per vendor.
pub(super) fn vendor_expenses(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let columns = Columns::new(params)?;
    let per = per_party(ds, written, params, &columns, true, is_expense);
    let (rows, no_data) = lines_and_total(per, columns.width());
    let mut json = vec![label_column("Vendor", "vendor")];
    json.extend(columns.json());
    Ok((json, rows, no_data, params.by))
}

/// `ClassSales` (income by the class of the line that earned it) and `DepartmentSales` (by the
/// transaction's location): income of the period per class or location, sorted by name (a
/// sub-class by its `FullyQualifiedName`, flat), income without one "Not Specified" last; the
/// TOTAL is the period's income, as the P&L's.
pub(super) fn tracked_sales(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    tracking: Tracking,
) -> Result<Built, Fault> {
    let columns = Columns::new(params)?;
    let width = columns.width();
    let mut per: BTreeMap<Group, Vec<i64>> = BTreeMap::new();
    let mut splitter = Splitter::new(tracking);
    ledger::for_each(
        ds,
        written,
        params.basis,
        Some(params.start),
        params.end,
        &mut |p: Posting| {
            let Some(account) = written.chart().get(ds, p.account) else {
                return;
            };
            if !is_income(account.account_type) {
                return;
            }
            let keep = match view(ds, written, p.source).party {
                Party::Customer(c) => params.keeps_customer(c),
                _ => params.customers.is_none(),
            };
            if !keep {
                return;
            }
            let amount = natural(account.classification, p.amount);
            splitter.split(
                ds,
                written,
                p.source,
                p.account,
                amount,
                &mut |group, share| {
                    let values = per.entry(group).or_insert_with(|| vec![0; width]);
                    columns.add(values, p.day, share);
                },
            );
        },
    );
    let (label, list) = match tracking {
        Tracking::Class => ("Class", &ds.classes),
        Tracking::Department => ("Department", &ds.departments),
    };
    let unspecified = per.remove(&None);
    let mut named: Vec<NamedRow> = per
        .into_iter()
        .filter_map(|(group, values)| {
            let index = group?;
            let name = splitter
                .written_name(index)
                .or_else(|| list.get(index).map(|c| c.name))
                .map_or_else(|| (index + 1).to_string(), str::to_owned);
            Some(((name, Some(index)), values))
        })
        .collect();
    named.sort();
    named.extend(unspecified.map(|values| (("Not Specified".to_owned(), None), values)));
    let (rows, no_data) = lines_and_total(named, width);
    let mut json = vec![label_column(label, &label.to_ascii_lowercase())];
    json.extend(columns.json());
    Ok((json, rows, no_data, params.by))
}

/// `ItemSales`: quantity, amount and average price per item of the invoice lines dated in the
/// period (seeded and written invoices; the basis does not change it).
pub(super) fn item_sales(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    // Per item: quantity (thousandths) and amount.
    let mut per: BTreeMap<usize, (i64, i64)> = BTreeMap::new();
    let inside = |day: i32| day >= params.start && day <= params.end;
    let keeps =
        |customer: usize, item: usize| params.keeps_customer(customer) && params.keeps_item(item);
    for (index, invoice) in ds.invoices.iter().enumerate() {
        if !inside(invoice.txn_date) || !matches!(written.invoice(index), Shadow::Seeded) {
            continue;
        }
        for line in ds.invoice_detail(index).lines {
            let item = line.item as usize;
            if keeps(invoice.customer as usize, item) {
                let entry = per.entry(item).or_default();
                entry.0 += line.qty * 1000;
                entry.1 += line.amount;
            }
        }
    }
    for (_, invoice) in written.invoices() {
        if !inside(invoice.day) {
            continue;
        }
        for &(item, qty, amount) in &invoice.items {
            if keeps(invoice.customer, item) {
                let entry = per.entry(item).or_default();
                entry.0 += qty;
                entry.1 += amount;
            }
        }
    }
    let (mut qty_total, mut amount_total) = (0i64, 0i64);
    let mut named: Vec<(&str, usize, i64, i64)> = per
        .into_iter()
        .filter(|(_, (qty, amount))| *qty != 0 || *amount != 0)
        .map(|(item, (qty, amount))| {
            let name = ds.items.get(item).map_or("", |i| i.name.as_str());
            (name, item, qty, amount)
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    let mut rows = Vec::with_capacity(named.len() + 1);
    let quantity = |thousandths: i64| {
        let text = format!("{}.{:03}", thousandths / 1000, (thousandths % 1000).abs());
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    };
    let average = |qty: i64, amount: i64| {
        if qty == 0 {
            String::new()
        } else {
            super::rows::money(
                i64::try_from(i128::from(amount) * 1000 / i128::from(qty)).unwrap_or(0),
            )
        }
    };
    for (name, item, qty, amount) in named {
        qty_total += qty;
        amount_total += amount;
        rows.push(super::rows::Node::Data(vec![
            super::rows::cell_with_id(name, (item + 1).to_string()),
            super::rows::cell(quantity(qty)),
            super::rows::cell(super::rows::money(amount)),
            super::rows::cell(average(qty, amount)),
        ]));
    }
    let no_data = rows.is_empty();
    rows.push(super::rows::Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(vec![
            super::rows::cell("TOTAL"),
            super::rows::cell(quantity(qty_total)),
            super::rows::cell(super::rows::money(amount_total)),
            super::rows::cell(""),
        ]),
    });
    let json = vec![
        label_column("ProductsAndService", "item"),
        money_column("Quantity", "qty", None),
        money_column("Amount", "amount", None),
        money_column("Avg Price", "avg_price", None),
    ];
    Ok((json, rows, no_data, By::Total))
}

/// `TaxSummary`: per tax rate, the sales it was charged on and the tax the sales-tax account was
/// credited in the period (on the report's basis).
pub(super) fn tax_summary(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let mut tax = 0i64;
    ledger::for_each(
        ds,
        written,
        params.basis,
        Some(params.start),
        params.end,
        &mut |p: Posting| {
            if p.account == ACCT_SALES_TAX
                && matches!(view(ds, written, p.source).party, Party::Customer(_))
            {
                tax -= p.amount;
            }
        },
    );
    let rate = ds
        .tax_rates
        .iter()
        .position(|r| r.rate_bp == TAX_RATE_BP)
        .unwrap_or(0);
    let name = ds.tax_rates.get(rate).map_or("Sales Tax", |r| r.name);
    let taxable = i64::try_from(i128::from(tax) * 10_000 / i128::from(TAX_RATE_BP)).unwrap_or(0);
    let mut per = BTreeMap::new();
    per.insert((name.to_owned(), Some(rate)), vec![taxable, tax]);
    let (rows, no_data) = lines_and_total(per, 2);
    let json = vec![
        label_column("TaxRate", "tax_rate"),
        money_column("Taxable Amount", "taxable_amount", None),
        money_column("Tax Amount", "tax_amount", None),
    ];
    Ok((json, rows, no_data, By::Total))
}
