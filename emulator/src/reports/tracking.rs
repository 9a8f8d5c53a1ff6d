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
    /// The source whose lines `parts` holds (its postings come one after another).
    loaded: Option<Source>,
    /// The loaded source's income lines: account, group, weight.
    parts: Vec<(usize, Group, i128)>,
    /// One posting's weights per group.
    weights: Vec<(Group, i128)>,
    names: BTreeMap<usize, String>,
}

impl Splitter {
    /// A splitter grouping by `tracking`.
    pub(super) fn new(tracking: Tracking) -> Splitter {
        Splitter {
            tracking,
            loaded: None,
            parts: Vec::with_capacity(8),
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
        if self.loaded != Some(source) {
            self.load(ds, written, source);
        }
        self.weights.clear();
        for &(credited, group, weight) in &self.parts {
            if credited == account {
                match self.weights.iter_mut().find(|(g, _)| *g == group) {
                    Some((_, total)) => *total += weight,
                    None => self.weights.push((group, weight)),
                }
            }
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

    /// Loads the income lines of `source` into `parts`.
    fn load(&mut self, ds: &Dataset, written: &Written, source: Source) {
        self.loaded = Some(source);
        self.parts.clear();
        match source {
            Source::Invoice(index) => self.invoice(ds, written, index, None),
            Source::Payment(index) => match written.payment(index) {
                Shadow::Seeded => {
                    if let Some(payment) = ds.payments.get(index) {
                        let invoice = payment.invoice as usize;
                        self.invoice(ds, written, invoice, Some(payment.amount));
                    }
                }
                Shadow::Live(payment) => {
                    for &(invoice, paid) in &payment.applied {
                        self.invoice(ds, written, invoice, Some(paid));
                    }
                }
                Shadow::Deleted => {}
            },
            Source::Posted(
                kind @ (Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt),
                index,
            ) => {
                self.sale(ds, written, kind, index);
            }
            _ => {}
        }
    }

    /// A written class or location: its index, its name kept.
    fn tagged(&mut self, tag: Option<&Tag>) -> Group {
        let tag = tag?;
        self.names.insert(tag.index, tag.name.clone());
        Some(tag.index)
    }

    /// Adds invoice `index`'s lines; `paid`: only what a payment of that much pays of them.
    fn invoice(&mut self, ds: &Dataset, written: &Written, index: usize, paid: Option<i64>) {
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
                    let Some(item) = ds.items.get(line.item as usize) else {
                        continue;
                    };
                    let group = match self.tracking {
                        Tracking::Class => ds.class_of_line(SalesForm::Invoice, index, n),
                        Tracking::Department => department,
                    };
                    let weight = scaled(line.amount, invoice.total);
                    self.parts.push((item.income_account, group, weight));
                }
            }
            Shadow::Live(invoice) => {
                let total = invoice.total();
                self.lines(&invoice.income, invoice.department.as_ref(), |amount| {
                    scaled(amount, total)
                });
            }
            Shadow::Deleted => {}
        }
    }

    /// Adds the lines of sale `index` of `kind` (a refund's and a credit memo's debit income).
    fn sale(&mut self, ds: &Dataset, written: &Written, kind: Kind, index: usize) {
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
                    let group = match self.tracking {
                        Tracking::Class => ds.class_of_line(form, index, n),
                        Tracking::Department => department,
                    };
                    self.parts
                        .push((line.income as usize, group, i128::from(line.amount)));
                }
            }
            Shadow::Live(entry) => {
                self.lines(&entry.income, entry.department.as_ref(), i128::from);
            }
            Shadow::Deleted => {}
        }
    }

    /// Adds the written `lines`, grouped by their classes or by `department`.
    fn lines(&mut self, lines: &[Income], department: Option<&Tag>, weight: impl Fn(i64) -> i128) {
        for line in lines {
            let group = match self.tracking {
                Tracking::Class => self.tagged(line.class.as_ref()),
                Tracking::Department => self.tagged(department),
            };
            self.parts.push((line.account, group, weight(line.amount)));
        }
    }
}
