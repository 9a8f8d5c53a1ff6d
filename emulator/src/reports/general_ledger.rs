//! `GeneralLedger`: every posting of the range by account, with its transaction, party, split and
//! running balance.

use serde_json::{Value, json};

use super::balances::natural;
use super::columns::meta;
use super::params::{By, Params};
use super::rows::{Built, Node, cell, cell_with_id, money};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::ledger::{self, Posting, Source, Split};
use crate::time::Day;
use crate::written::{Shadow, Written};

pub(super) fn general_ledger(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let accounts = written.chart().len(ds);
    let mut beginning = vec![0i64; accounts];
    let mut lines: Vec<Vec<Posting>> = vec![Vec::new(); accounts];
    ledger::for_each(
        ds,
        written,
        params.basis,
        None,
        params.end,
        &mut |p: Posting| {
            if p.day < params.start {
                if let Some(b) = beginning.get_mut(p.account) {
                    *b += p.amount;
                }
            } else if let Some(list) = lines.get_mut(p.account) {
                list.push(p);
            }
        },
    );
    let blanks = |n: usize| (0..n).map(|_| cell("")).collect::<Vec<_>>();
    let mut rows = Vec::new();
    for (index, account) in written.chart().iter(ds) {
        let postings = &mut lines[index];
        if postings.is_empty() && beginning[index] == 0 {
            continue;
        }
        postings.sort_by_key(|p| p.day);
        let classification = account.classification;
        let mut balance = natural(classification, beginning[index]);
        let mut section_rows = Vec::with_capacity(postings.len() + 1);
        let mut first = vec![cell("Beginning Balance")];
        first.extend(blanks(6));
        first.push(cell(money(balance)));
        section_rows.push(Node::Data(first));
        let mut total = 0i64;
        for posting in postings.iter() {
            let amount = natural(classification, posting.amount);
            total += amount;
            balance += amount;
            section_rows.push(Node::Data(ledger_cells(
                ds, written, posting, amount, balance,
            )));
        }
        let mut summary = vec![cell(format!("Total for {}", account.name))];
        summary.extend(blanks(5));
        summary.push(cell(money(total)));
        summary.push(cell(""));
        let mut header = vec![cell_with_id(account.name, (index + 1).to_string())];
        header.extend(blanks(7));
        rows.push(Node::Section {
            group: None,
            header: Some(header),
            rows: section_rows,
            summary: Some(summary),
        });
    }
    let no_data = rows.is_empty();
    let column = |title: &str, col_type: &str| json!({"ColTitle": title, "ColType": col_type, "MetaData": [meta("ColKey", col_type.to_owned())]});
    let columns = vec![
        column("Date", "tx_date"),
        column("Transaction Type", "txn_type"),
        column("Num", "doc_num"),
        column("Name", "name"),
        column("Memo/Description", "memo"),
        column("Split", "split_acc"),
        column("Amount", "subt_nat_amount"),
        column("Balance", "rbal_nat_amount"),
    ];
    Ok((columns, rows, no_data, By::Total))
}

/// The cells of one general-ledger line.
pub(super) fn ledger_cells(
    ds: &Dataset,
    written: &Written,
    posting: &Posting,
    amount: i64,
    balance: i64,
) -> Vec<Value> {
    let id = |index: usize| (index + 1).to_string();
    let customer = |index: usize, written_name: Option<&str>| {
        let name = written_name
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| ds.customer_name(index));
        Some((name.to_owned(), id(index)))
    };
    let (kind, txn_id, number, name) = match posting.source {
        Source::Invoice(i) => match written.invoice(i) {
            Shadow::Live(invoice) => (
                "Invoice",
                Some(id(i)),
                invoice.doc_number.clone(),
                customer(invoice.customer, Some(&invoice.party)),
            ),
            _ => {
                let index = ds.invoices.get(i).map_or(0, |v| v.customer as usize);
                (
                    "Invoice",
                    Some(id(i)),
                    (1001 + i).to_string(),
                    customer(index, None),
                )
            }
        },
        Source::Payment(i) => match written.payment(i) {
            Shadow::Live(payment) => (
                "Payment",
                Some(id(i)),
                payment.ref_number.clone(),
                customer(payment.customer, Some(&payment.party)),
            ),
            _ => {
                let payment = ds.payments.get(i);
                (
                    "Payment",
                    Some(id(i)),
                    payment
                        .and_then(|p| p.check_number)
                        .map_or_else(String::new, |n| n.to_string()),
                    customer(payment.map_or(0, |p| p.customer as usize), None),
                )
            }
        },
        Source::Bill(i) | Source::BillPayment(i) => {
            let (vendor, vendor_name, doc_number) = match written.bill(i) {
                Shadow::Live(bill) => (bill.vendor, bill.party.clone(), bill.doc_number.clone()),
                _ => {
                    let bill = ds.bills.get(i);
                    let vendor = bill.map_or(0, |b| b.vendor as usize);
                    let name = ds
                        .vendors
                        .get(vendor)
                        .map_or("", |v| v.display_name.as_str());
                    let doc = bill
                        .and_then(|b| b.doc_number)
                        .map_or_else(String::new, |n| n.to_string());
                    (vendor, name.to_owned(), doc)
                }
            };
            let is_bill = matches!(posting.source, Source::Bill(_));
            (
                if is_bill {
                    "Bill"
                } else {
                    "Bill Payment (Check)"
                },
                is_bill.then(|| id(i)),
                if is_bill { doc_number } else { String::new() },
                Some((vendor_name, id(vendor))),
            )
        }
        Source::WrittenBillPayment(i) => match written.bill_payment(i) {
            Shadow::Live(payment) => (
                if payment.by_card {
                    "Bill Payment (Credit Card)"
                } else {
                    "Bill Payment (Check)"
                },
                Some(id(i)),
                String::new(),
                Some((payment.party.clone(), id(payment.vendor))),
            ),
            Shadow::Seeded | Shadow::Deleted => {
                ("Bill Payment (Check)", Some(id(i)), String::new(), None)
            }
        },
        Source::Posted(kind, i) => {
            let name = match written.posted(kind, i) {
                Shadow::Live(entry) => (
                    entry.doc_number.clone(),
                    entry
                        .party
                        .as_ref()
                        .map(|(name, party)| (name.clone(), id(*party))),
                ),
                _ => {
                    let party = ds.posted.party(kind, i).map(|party| match party {
                        Ok(c) => (ds.customer_name(c as usize).to_owned(), id(c as usize)),
                        Err(v) => (
                            ds.vendors
                                .get(v as usize)
                                .map_or("", |v| v.display_name.as_str())
                                .to_owned(),
                            id(v as usize),
                        ),
                    });
                    (ds.posted.doc_number(kind, i), party)
                }
            };
            (kind.report_name(), Some(id(i)), name.0, name.1)
        }
        Source::InventoryStart(_) => (
            super::txn::INVENTORY_START,
            None,
            super::txn::INVENTORY_START_NUMBER.to_owned(),
            None,
        ),
    };
    vec![
        cell(Day(posting.day).to_string()),
        match txn_id {
            Some(txn) => cell_with_id(kind, txn),
            None => cell(kind),
        },
        cell(number),
        match name {
            Some((name, party)) => cell_with_id(name, party),
            None => cell(""),
        },
        cell(""),
        match posting.split {
            Split::Account(other) => cell_with_id(written.chart().name(ds, other), id(other)),
            Split::Several => cell("-Split-"),
        },
        cell(money(amount)),
        cell(money(balance)),
    ]
}
