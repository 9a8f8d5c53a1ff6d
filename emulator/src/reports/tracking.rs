//! The class or location income was earned under, for `ClassSales` and `DepartmentSales`.
//!
//! The ledger posts a sale's income per account, its lines merged; this file splits such a
//! posting back over the lines that earned it: an invoice's, sales receipt's, credit memo's or
//! refund's lines crediting that account, by the class of each line (`ClassRef`) or by the
//! transaction's location (`DepartmentRef`), in proportion to the lines' amounts. A payment's
//! income on the cash basis is split over the invoices it pays, each in proportion to what it
//! pays of it. Every cent of a posting lands somewhere (the rounding on the last share), so the
//! groups add up to the ledger's income; income no line explains (a journal entry, interest) is
//! "Not Specified" (`None`).

use std::collections::BTreeMap;

use crate::data::{Dataset, SalesForm};
use crate::ledger::Source;
use crate::txns::Kind;
use crate::written::{Income, Shadow, Tag, Written};

/// What income is grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tracking {
    /// The class of the line that earned it.
    Class,
    /// The location of the transaction.
    Department,
}

/// A group of income: an index into the classes or the departments; `None`: "Not Specified".
pub(super) type Group = Option<usize>;

/// Resolution of a payment's shares of an invoice's lines (what it pays, in millionths of a
/// cent per cent of the invoice's total), so small payments still split by their lines.
const SHARE_SCALE: i128 = 1_000_000;

/// Splits income postings over their groups; keeps the names written transactions give their
/// classes and locations.
pub(super) struct Splitter {
    tracking: Tracking,
    weights: Vec<(Group, i128)>,
    names: BTreeMap<usize, String>,
}

impl Splitter {
    /// A splitter grouping by `tracking`.
    pub(super) fn new(tracking: Tracking) -> Splitter {
        Splitter {
            tracking,
            weights: Vec::with_capacity(4),
            names: BTreeMap::new(),
        }
    }

    /// Calls `out` with each group's share of `amount`, the income `source` posted to
    /// `account`; the shares add up to `amount`.
    pub(super) fn split(
        &mut self,
        ds: &Dataset,
        written: &Written,
        source: Source,
        account: usize,
        amount: i64,
        out: &mut dyn FnMut(Group, i64),
    ) {
        self.weights.clear();
        match source {
            Source::Invoice(index) => self.invoice(ds, written, index, account, None),
            Source::Payment(index) => match written.payment(index) {
                Shadow::Seeded => {
                    if let Some(payment) = ds.payments.get(index) {
                        let invoice = payment.invoice as usize;
                        self.invoice(ds, written, invoice, account, Some(payment.amount));
                    }
                }
                Shadow::Live(payment) => {
                    for &(invoice, paid) in &payment.applied {
                        self.invoice(ds, written, invoice, account, Some(paid));
                    }
                }
                Shadow::Deleted => {}
            },
            Source::Posted(
                kind @ (Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt),
                index,
            ) => {
                self.sale(ds, written, kind, index, account);
            }
            _ => {}
        }
        let sum: i128 = self.weights.iter().map(|(_, weight)| weight).sum();
        if sum == 0 {
            out(None, amount);
            return;
        }
        let mut left = amount;
        let last = self.weights.len() - 1;
        for (at, &(group, weight)) in self.weights.iter().enumerate() {
            let share = if at == last {
                left
            } else {
                i64::try_from(i128::from(amount) * weight / sum).unwrap_or(0)
            };
            left -= share;
            out(group, share);
        }
    }

    /// The name a written transaction gave class or location `index`, if any did.
    pub(super) fn written_name(&self, index: usize) -> Option<&str> {
        self.names.get(&index).map(String::as_str)
    }

    fn weigh(&mut self, group: Group, weight: i128) {
        match self.weights.iter_mut().find(|(g, _)| *g == group) {
            Some((_, total)) => *total += weight,
            None => self.weights.push((group, weight)),
        }
    }

    /// A written class or location: its index, its name kept.
    fn tagged(&mut self, tag: Option<&Tag>) -> Group {
        let tag = tag?;
        self.names.insert(tag.index, tag.name.clone());
        Some(tag.index)
    }

    /// Weighs invoice `index`'s lines crediting `account`; `paid`: only what a payment of
    /// that much pays of them.
    fn invoice(
        &mut self,
        ds: &Dataset,
        written: &Written,
        index: usize,
        account: usize,
        paid: Option<i64>,
    ) {
        let scaled = |amount: i64, total: i64| -> i128 {
            match paid {
                None => i128::from(amount),
                Some(_) if total == 0 => 0,
                Some(paid) => {
                    i128::from(amount) * i128::from(paid) * SHARE_SCALE / i128::from(total)
                }
            }
        };
        match written.invoice(index) {
            Shadow::Seeded => {
                let Some(invoice) = ds.invoices.get(index) else {
                    return;
                };
                let department = ds.department_of(SalesForm::Invoice, index);
                for (n, line) in ds.invoice_detail(index).lines.iter().enumerate() {
                    let credited = ds.items.get(line.item as usize).map(|i| i.income_account);
                    if credited == Some(account) {
                        let group = match self.tracking {
                            Tracking::Class => ds.class_of_line(SalesForm::Invoice, index, n),
                            Tracking::Department => department,
                        };
                        self.weigh(group, scaled(line.amount, invoice.total));
                    }
                }
            }
            Shadow::Live(invoice) => {
                let total = invoice.total();
                self.lines(
                    &invoice.income,
                    invoice.department.as_ref(),
                    account,
                    |amount| scaled(amount, total),
                );
            }
            Shadow::Deleted => {}
        }
    }

    /// Weighs sale `index` of `kind`'s lines crediting (or, for a refund, debiting) `account`.
    fn sale(&mut self, ds: &Dataset, written: &Written, kind: Kind, index: usize, account: usize) {
        match written.posted(kind, index) {
            Shadow::Seeded => {
                let p = &ds.posted;
                let sale = match kind {
                    Kind::SalesReceipt => p.sales_receipts.get(index),
                    Kind::CreditMemo => p.credit_memos.get(index),
                    _ => p.refund_receipts.get(index),
                };
                let Some(sale) = sale else {
                    return;
                };
                let form = SalesForm::Posted(kind);
                let department = ds.department_of(form, index);
                for (n, line) in sale.lines.iter().enumerate() {
                    if line.income as usize == account {
                        let group = match self.tracking {
                            Tracking::Class => ds.class_of_line(form, index, n),
                            Tracking::Department => department,
                        };
                        self.weigh(group, i128::from(line.amount));
                    }
                }
            }
            Shadow::Live(entry) => {
                self.lines(
                    &entry.income,
                    entry.department.as_ref(),
                    account,
                    i128::from,
                );
            }
            Shadow::Deleted => {}
        }
    }

    /// Weighs the written `lines` crediting `account`, by their classes or by `department`.
    fn lines(
        &mut self,
        lines: &[Income],
        department: Option<&Tag>,
        account: usize,
        weight: impl Fn(i64) -> i128,
    ) {
        for line in lines.iter().filter(|line| line.account == account) {
            let group = match self.tracking {
                Tracking::Class => self.tagged(line.class.as_ref()),
                Tracking::Department => self.tagged(department),
            };
            self.weigh(group, weight(line.amount));
        }
    }
}
