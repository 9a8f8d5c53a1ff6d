//! The reports of open items (`open_items.rs`): `AgedReceivables` and `AgedPayables` (per party
//! by days past due), `AgedReceivableDetail` and `AgedPayableDetail` (per aging column, each open
//! transaction), `CustomerBalance` and `VendorBalance` (per party), `CustomerBalanceDetail` and
//! `VendorBalanceDetail` (per party, each open transaction with a running balance).

use std::collections::BTreeMap;

use super::columns::{label_column, money_column};
use super::detail::{self, Catalog, Line};
use super::open_items::{OpenItem, bucket, payables, receivables};
use super::params::{By, Params};
use super::rows::{Built, Node, line, summary_only};
use super::txn::{Txn, view};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::Written;

/// Which side of the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    /// What customers owe (A/R).
    Receivable,
    /// What is owed to vendors (A/P).
    Payable,
}

impl Side {
    fn party_type(self) -> &'static str {
        match self {
            Side::Receivable => "Customer",
            Side::Payable => "Vendor",
        }
    }

    fn party_key(self) -> &'static str {
        match self {
            Side::Receivable => "customer",
            Side::Payable => "vendor",
        }
    }
}

/// The open items of `side` on the report day that pass the party filter, with their
/// transactions.
fn items(ds: &Dataset, written: &Written, params: &Params, side: Side) -> Vec<(OpenItem, Txn)> {
    let mut out = Vec::new();
    let mut keep = |item: OpenItem| {
        let kept = match side {
            Side::Receivable => params.keeps_customer(item.party),
            Side::Payable => params.keeps_vendor(item.party),
        };
        if kept {
            out.push((item, view(ds, written, item.source)));
        }
    };
    match side {
        Side::Receivable => receivables(ds, written, params.end, &mut keep),
        Side::Payable => payables(ds, written, params.end, &mut keep),
    }
    out
}

/// The party's name: the seeded one, else the name the written transaction carries.
fn party_name<'a>(ds: &'a Dataset, side: Side, index: usize, txn: &'a Txn) -> &'a str {
    let seeded = match side {
        Side::Receivable => ds.customers.get(index).map(|c| c.display_name.as_str()),
        Side::Payable => ds.vendors.get(index).map(|v| v.display_name.as_str()),
    };
    seeded.unwrap_or(&txn.party_name)
}

/// A party's name, index and open items.
type PartyItems<'a> = (&'a str, usize, Vec<&'a (OpenItem, Txn)>);

/// Per party (sorted by name): its name and its items.
fn by_party<'a>(ds: &'a Dataset, side: Side, items: &'a [(OpenItem, Txn)]) -> Vec<PartyItems<'a>> {
    let mut parties: BTreeMap<usize, Vec<&(OpenItem, Txn)>> = BTreeMap::new();
    for entry in items {
        parties.entry(entry.0.party).or_default().push(entry);
    }
    let mut out: Vec<_> = parties
        .into_iter()
        .filter_map(|(index, list)| {
            let first = list.first()?;
            Some((party_name(ds, side, index, &first.1), index, list))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(b.0));
    out
}

fn bucket_titles(params: &Params) -> Vec<String> {
    let period = params.aging_period;
    let mut titles = vec!["Current".to_owned()];
    for k in 0..params.num_periods {
        titles.push(if k + 1 == params.num_periods {
            format!("{} and over", k * period + 1)
        } else {
            format!("{} - {}", k * period + 1, (k + 1) * period)
        });
    }
    titles
}

/// `AgedReceivables` / `AgedPayables`.
pub(super) fn aged_summary(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    side: Side,
) -> Result<Built, Fault> {
    let day = params.aging_day;
    let buckets = params.num_periods as usize;
    let width = buckets + 2;
    let items = items(ds, written, params, side);
    let mut totals = vec![0i64; width];
    let mut rows = Vec::new();
    for (name, index, list) in by_party(ds, side, &items) {
        let mut values = vec![0i64; width];
        for (item, _) in list {
            values[bucket(day, item.due, params.aging_period, buckets)] += item.open;
            values[width - 1] += item.open;
        }
        if values.iter().all(|&v| v == 0) {
            continue;
        }
        for (total, value) in totals.iter_mut().zip(&values) {
            *total += value;
        }
        rows.push(line(name, Some((index + 1).to_string()), values).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", totals).node);
    let mut columns = vec![label_column(side.party_type(), side.party_key())];
    for (k, title) in bucket_titles(params).iter().enumerate() {
        let key = if k == 0 {
            "current".to_owned()
        } else {
            (k - 1).to_string()
        };
        columns.push(money_column(title, &key, None));
    }
    columns.push(money_column("Total", "total", None));
    Ok((columns, rows, no_data, By::Total))
}

const AR_DETAIL: Catalog = Catalog {
    known: &[
        "bill_addr",
        "create_by",
        "create_date",
        "cust_bill_email",
        "cust_comp_name",
        "cust_msg",
        "cust_name",
        "deliv_addr",
        "doc_num",
        "due_date",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "past_due",
        "sale_sent_state",
        "ship_addr",
        "term_name",
        "tx_date",
        "txn_type",
        "sales_cust1",
        "sales_cust2",
        "sales_cust3",
        "dept_name",
        "subt_open_bal",
        "subt_amount",
        "currency",
        "exch_rate",
        "foreign_open_bal",
        "foreign_amount",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "cust_name",
        "due_date",
        "subt_amount",
        "subt_open_bal",
    ],
};

const AP_DETAIL: Catalog = Catalog {
    known: &[
        "create_by",
        "create_date",
        "doc_num",
        "due_date",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "past_due",
        "term_name",
        "tx_date",
        "txn_type",
        "vend_bill_addr",
        "vend_comp_name",
        "vend_name",
        "vend_pri_cont",
        "vend_pri_email",
        "vend_pri_tel",
        "dept_name",
        "currency",
        "exch_rate",
        "subt_neg_open_bal",
        "subt_neg_amount",
        "neg_foreign_open_bal",
        "subt_neg_home_open_bal",
        "neg_foreign_amount",
        "subt_neg_home_amount",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "vend_name",
        "due_date",
        "subt_neg_amount",
        "subt_neg_open_bal",
    ],
};

const CUSTOMER_BALANCE_DETAIL: Catalog = Catalog {
    known: &[
        "bill_addr",
        "create_by",
        "create_date",
        "cust_bill_email",
        "cust_comp_name",
        "cust_msg",
        "cust_phone_other",
        "cust_tel",
        "cust_name",
        "deliv_addr",
        "doc_num",
        "due_date",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "sale_sent_state",
        "ship_addr",
        "ship_date",
        "ship_via",
        "term_name",
        "tracking_num",
        "tx_date",
        "txn_type",
        "sales_cust1",
        "sales_cust2",
        "sales_cust3",
        "dept_name",
        "subt_open_bal",
        "subt_amount",
        "rbal_open_bal",
        "currency",
        "exch_rate",
        "foreign_open_bal",
        "foreign_amount",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "due_date",
        "subt_amount",
        "subt_open_bal",
        "rbal_open_bal",
    ],
};

const VENDOR_BALANCE_DETAIL: Catalog = Catalog {
    known: &[
        "create_by",
        "create_date",
        "doc_num",
        "due_date",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "term_name",
        "tx_date",
        "txn_type",
        "vend_name",
        "dept_name",
        "currency",
        "exch_rate",
        "subt_neg_amount",
        "subt_neg_open_bal",
        "rbal_neg_open_bal",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "due_date",
        "subt_neg_amount",
        "subt_neg_open_bal",
        "rbal_neg_open_bal",
    ],
};

/// A detail line of an open item: the transaction's total (negative for a credit) and what is
/// left of it, both in the home currency (as the open amounts are).
fn item_line<'a>(item: &OpenItem, txn: &'a Txn, day: i32) -> Line<'a> {
    let total = txn.currency.home(txn.amount);
    Line {
        txn: Some(txn),
        amount: Some(if item.open < 0 { -total } else { total }),
        open: Some(item.open),
        past_due: Some((day - item.due).max(0)),
        ..Line::default()
    }
}

fn sorted(list: &mut [&(OpenItem, Txn)]) {
    list.sort_by(|a, b| (a.1.day, &a.1.number, a.1.kind).cmp(&(b.1.day, &b.1.number, b.1.kind)));
}

/// The report's last section: the grand total of the amount columns.
fn grand_total(keys: &[String], amount: i64, open: i64) -> Node {
    let total = Line {
        amount: Some(amount),
        open: Some(open),
        ..Line::default()
    };
    Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(detail::summary_cells("TOTAL", keys, &total)),
    }
}

/// `AgedReceivableDetail` / `AgedPayableDetail`: a section per aging column (oldest first, as
/// QBO's example lists them), each open transaction in it.
pub(super) fn aged_detail(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    side: Side,
) -> Result<Built, Fault> {
    let catalog = match side {
        Side::Receivable => AR_DETAIL,
        Side::Payable => AP_DETAIL,
    };
    let keys = detail::chosen(catalog, params.columns.as_deref())?;
    let day = params.aging_day;
    let buckets = params.num_periods as usize;
    let items = items(ds, written, params, side);
    let mut per_bucket: Vec<Vec<&(OpenItem, Txn)>> = vec![Vec::new(); buckets + 1];
    for entry in &items {
        per_bucket[bucket(day, entry.0.due, params.aging_period, buckets)].push(entry);
    }
    let period = params.aging_period;
    let title = |k: usize| -> String {
        let k = k as i32;
        match k {
            0 => "Current".to_owned(),
            _ if k as usize == buckets => format!("{} or more days past due", (k - 1) * period + 1),
            _ => format!("{} - {} days past due", (k - 1) * period + 1, k * period),
        }
    };
    let mut rows = Vec::new();
    let (mut amount, mut open) = (0i64, 0i64);
    for k in (0..=buckets).rev() {
        let list = &mut per_bucket[k];
        if list.is_empty() {
            continue;
        }
        sorted(list);
        let mut section = Line::default();
        let mut lines = Vec::with_capacity(list.len());
        for (item, txn) in list.iter().map(|e| (&e.0, &e.1)) {
            let line = item_line(item, txn, day);
            *section.amount.get_or_insert(0) += line.amount.unwrap_or(0);
            *section.open.get_or_insert(0) += item.open;
            lines.push(Node::Data(detail::cells(ds, written.chart(), &keys, &line)));
        }
        amount += section.amount.unwrap_or(0);
        open += section.open.unwrap_or(0);
        let name = title(k);
        rows.push(Node::Section {
            group: None,
            header: Some(detail::header_cells(&name, None, keys.len())),
            rows: lines,
            summary: Some(detail::summary_cells(
                &format!("Total for {name}"),
                &keys,
                &section,
            )),
        });
    }
    let no_data = rows.is_empty();
    rows.push(grand_total(&keys, amount, open));
    Ok((detail::column_json(&keys), rows, no_data, By::Total))
}

/// `CustomerBalance` / `VendorBalance`: what each party owes (is owed) on the report day.
pub(super) fn balance_summary(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    side: Side,
) -> Result<Built, Fault> {
    let items = items(ds, written, params, side);
    let mut total = 0i64;
    let mut rows = Vec::new();
    for (name, index, list) in by_party(ds, side, &items) {
        let balance: i64 = list.iter().map(|(item, _)| item.open).sum();
        if balance == 0 {
            continue;
        }
        total += balance;
        rows.push(line(name, Some((index + 1).to_string()), vec![balance]).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", vec![total]).node);
    let columns = vec![
        label_column(side.party_type(), side.party_key()),
        money_column("Total", "total", None),
    ];
    Ok((columns, rows, no_data, By::Total))
}

/// `CustomerBalanceDetail` / `VendorBalanceDetail`: a section per party, its open transactions by
/// date with the running balance.
pub(super) fn balance_detail(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    side: Side,
) -> Result<Built, Fault> {
    let catalog = match side {
        Side::Receivable => CUSTOMER_BALANCE_DETAIL,
        Side::Payable => VENDOR_BALANCE_DETAIL,
    };
    let keys = detail::chosen(catalog, params.columns.as_deref())?;
    let day = params.end;
    let items = items(ds, written, params, side);
    let mut rows = Vec::new();
    let (mut amount, mut open) = (0i64, 0i64);
    for (name, index, mut list) in by_party(ds, side, &items) {
        sorted(&mut list);
        let mut section = Line::default();
        let mut lines = Vec::with_capacity(list.len());
        let mut running = 0i64;
        for (item, txn) in list.iter().map(|e| (&e.0, &e.1)) {
            running += item.open;
            let mut line = item_line(item, txn, day);
            line.balance = Some(running);
            *section.amount.get_or_insert(0) += line.amount.unwrap_or(0);
            *section.open.get_or_insert(0) += item.open;
            lines.push(Node::Data(detail::cells(ds, written.chart(), &keys, &line)));
        }
        amount += section.amount.unwrap_or(0);
        open += section.open.unwrap_or(0);
        rows.push(Node::Section {
            group: None,
            header: Some(detail::header_cells(
                name,
                Some((index + 1).to_string()),
                keys.len(),
            )),
            rows: lines,
            summary: Some(detail::summary_cells(
                &format!("Total for {name}"),
                &keys,
                &section,
            )),
        });
    }
    let no_data = rows.is_empty();
    rows.push(grand_total(&keys, amount, open));
    Ok((detail::column_json(&keys), rows, no_data, By::Total))
}
