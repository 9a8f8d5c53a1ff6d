//! The transaction lists: `TransactionList` (a line per transaction), `TransactionListWithSplits`
//! (a section per transaction, a line per posting), `TransactionListByCustomer` and
//! `TransactionListByVendor` (a section per party), and `JournalReport` (a section per
//! transaction with its debits and credits).
//!
//! A transaction is listed when it posts in the period (on the accrual basis: everything the
//! books hold, dated in the range); its line shows the account of its first posting (A/R for an
//! invoice, the deposit account for a payment, A/P for a bill, Checking for a bill payment), the
//! other side, and its `TotalAmt`.

use super::detail::{self, Catalog, Line};
use super::params::{By, Params};
use super::rows::{Built, Node};
use super::txn::{Party, Txn, view};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::ledger::{self, Basis, Posting, Source};
use crate::written::Written;

/// Keys the transaction lists take.
const LIST_KEYS: &[&str] = &[
    "account_name",
    "create_by",
    "create_date",
    "cust_msg",
    "due_date",
    "doc_num",
    "inv_date",
    "is_ap_paid",
    "is_cleared",
    "is_no_post",
    "last_mod_by",
    "memo",
    "name",
    "other_account",
    "pmt_mthd",
    "printed",
    "sales_cust1",
    "sales_cust2",
    "sales_cust3",
    "term_name",
    "tracking_num",
    "tx_date",
    "txn_type",
    "is_adj",
    "last_mod_date",
    "ship_via",
    "olb_status",
    "extra_doc_num",
    "is_ar_paid",
    "cust_name",
    "dept_name",
    "subt_nat_amount",
    "subt_nat_home_amount",
    "currency",
    "exch_rate",
];

const LIST: Catalog = Catalog {
    known: LIST_KEYS,
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "is_no_post",
        "name",
        "memo",
        "account_name",
        "other_account",
        "subt_nat_amount",
    ],
};

const WITH_SPLITS: Catalog = Catalog {
    known: &[
        "account_name",
        "create_by",
        "create_date",
        "doc_num",
        "is_no_post",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "name",
        "pmt_mthd",
        "tx_date",
        "txn_type",
        "dept_name",
        "klass_name",
        "debt_amt",
        "credit_amt",
        "subt_nat_amount",
        "subt_nat_home_amount",
        "currency",
        "exch_rate",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "is_no_post",
        "name",
        "memo",
        "account_name",
        "subt_nat_amount",
    ],
};

const JOURNAL: Catalog = Catalog {
    known: &[
        "account_name",
        "create_by",
        "create_date",
        "doc_num",
        "is_adj",
        "last_mod_by",
        "last_mod_date",
        "memo",
        "name",
        "tx_date",
        "txn_type",
        "dept_name",
        "klass_name",
        "debt_amt",
        "credit_amt",
        "debt_home_amt",
        "credit_home_amt",
        "currency",
        "exch_rate",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "name",
        "memo",
        "account_name",
        "debt_amt",
        "credit_amt",
    ],
};

/// A transaction of the period and its postings, in posting order.
struct Entry {
    txn: Txn,
    postings: Vec<Posting>,
}

/// The transactions posting in the period, by date (then type and number), that pass the
/// `customer` and `vendor` filters.
fn transactions(ds: &Dataset, written: &Written, params: &Params) -> Vec<Entry> {
    let mut sources: Vec<(Source, Vec<Posting>)> = Vec::new();
    ledger::for_each(
        ds,
        written,
        Basis::Accrual,
        Some(params.start),
        params.end,
        &mut |p: Posting| match sources.last_mut() {
            Some((source, list)) if *source == p.source => list.push(p),
            _ => sources.push((p.source, vec![p])),
        },
    );
    let mut entries: Vec<Entry> = sources
        .into_iter()
        .map(|(source, postings)| Entry {
            txn: view(ds, written, source),
            postings,
        })
        .filter(|e| match e.txn.party {
            Party::Customer(c) => params.keeps_customer(c) && params.vendors.is_none(),
            Party::Vendor(v) => params.keeps_vendor(v) && params.customers.is_none(),
            Party::None => params.customers.is_none() && params.vendors.is_none(),
        })
        .collect();
    entries.sort_by(|a, b| {
        (a.txn.day, a.txn.kind, &a.txn.number).cmp(&(b.txn.day, b.txn.kind, &b.txn.number))
    });
    entries
}

/// The line of a whole transaction: its first posting's account and split, its total.
fn txn_line(entry: &Entry) -> Line<'_> {
    let first = entry.postings.first();
    Line {
        txn: Some(&entry.txn),
        account: first.map(|p| p.account),
        split: first.map(|p| p.split),
        amount: Some(entry.txn.amount),
        in_txn_currency: true,
        ..Line::default()
    }
}

/// `TransactionList`.
pub(super) fn transaction_list(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let keys = detail::chosen(LIST, params.columns.as_deref())?;
    let rows: Vec<Node> = transactions(ds, written, params)
        .iter()
        .map(|entry| Node::Data(detail::cells(ds, written.chart(), &keys, &txn_line(entry))))
        .collect();
    let no_data = rows.is_empty();
    Ok((detail::column_json(&keys), rows, no_data, By::Total))
}

/// `TransactionListByCustomer` (`vendors: false`) and `TransactionListByVendor`.
pub(super) fn transaction_list_by_party(
    ds: &Dataset,
    written: &Written,
    params: &Params,
    vendors: bool,
) -> Result<Built, Fault> {
    let keys = detail::chosen(LIST, params.columns.as_deref())?;
    let mut parties: std::collections::BTreeMap<(String, usize), Vec<Entry>> = Default::default();
    for entry in transactions(ds, written, params) {
        let party = match entry.txn.party {
            Party::Customer(c) if !vendors => c,
            Party::Vendor(v) if vendors => v,
            _ => continue,
        };
        parties
            .entry((entry.txn.party_name.clone(), party))
            .or_default()
            .push(entry);
    }
    let mut rows = Vec::with_capacity(parties.len());
    for ((name, party), entries) in parties {
        let total: i64 = entries.iter().map(|e| e.txn.amount).sum();
        let data = entries
            .iter()
            .map(|entry| Node::Data(detail::cells(ds, written.chart(), &keys, &txn_line(entry))))
            .collect();
        let sum = Line {
            amount: Some(total),
            ..Line::default()
        };
        rows.push(Node::Section {
            group: None,
            header: Some(detail::header_cells(
                &name,
                Some((party + 1).to_string()),
                keys.len(),
            )),
            rows: data,
            summary: Some(detail::summary_cells(
                &format!("Total for {name}"),
                &keys,
                &sum,
            )),
        });
    }
    let no_data = rows.is_empty();
    Ok((detail::column_json(&keys), rows, no_data, By::Total))
}

/// The line of one posting of a transaction: debit positive.
fn posting_line<'a>(txn: &'a Txn, posting: &Posting) -> Line<'a> {
    Line {
        txn: Some(txn),
        account: Some(posting.account),
        split: Some(posting.split),
        amount: Some(posting.amount),
        debit: (posting.amount > 0).then_some(posting.amount),
        credit: (posting.amount < 0).then_some(-posting.amount),
        ..Line::default()
    }
}

/// `TransactionListWithSplits`: a section per transaction, a line per posting.
pub(super) fn transaction_list_with_splits(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let keys = detail::chosen(WITH_SPLITS, params.columns.as_deref())?;
    let rows: Vec<Node> = transactions(ds, written, params)
        .iter()
        .map(|entry| Node::Section {
            group: None,
            header: None,
            rows: entry
                .postings
                .iter()
                .map(|p| {
                    Node::Data(detail::cells(
                        ds,
                        written.chart(),
                        &keys,
                        &posting_line(&entry.txn, p),
                    ))
                })
                .collect(),
            summary: None,
        })
        .collect();
    let no_data = rows.is_empty();
    Ok((detail::column_json(&keys), rows, no_data, By::Total))
}

/// `JournalReport`: a section per transaction, its debits and credits and their totals.
pub(super) fn journal_report(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let keys = detail::chosen(JOURNAL, params.columns.as_deref())?;
    let (mut debits, mut credits) = (0i64, 0i64);
    let mut rows: Vec<Node> = Vec::new();
    for entry in transactions(ds, written, params) {
        let mut sum = Line::default();
        let mut data = Vec::with_capacity(entry.postings.len());
        for posting in &entry.postings {
            let line = posting_line(&entry.txn, posting);
            *sum.debit.get_or_insert(0) += line.debit.unwrap_or(0);
            *sum.credit.get_or_insert(0) += line.credit.unwrap_or(0);
            data.push(Node::Data(detail::cells(ds, written.chart(), &keys, &line)));
        }
        debits += sum.debit.unwrap_or(0);
        credits += sum.credit.unwrap_or(0);
        rows.push(Node::Section {
            group: None,
            header: None,
            rows: data,
            summary: Some(detail::summary_cells("", &keys, &sum)),
        });
    }
    let no_data = rows.is_empty();
    let total = Line {
        debit: Some(debits),
        credit: Some(credits),
        ..Line::default()
    };
    rows.push(Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(detail::summary_cells("TOTAL", &keys, &total)),
    });
    Ok((detail::column_json(&keys), rows, no_data, By::Total))
}
