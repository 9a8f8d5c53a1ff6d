//! What customers owe and what is owed to vendors on a day, transaction by transaction.
//!
//! Why it exists: the A/R and A/P agings, their detail reports and the customer and vendor
//! balance reports must agree with each other and with the `Balance` the API serves for each
//! invoice and bill. All of them are sums of these open items.
//!
//! Receivables: each invoice's total less what payments dated by then applied to it; what a
//! payment leaves unapplied (or applied to a deleted invoice) is a credit of the customer (a
//! negative item due on the day). Payables: each bill dated by then less what its seeded payment
//! (on its due date) and the bill payments written by then paid on it; vendor credits and what a
//! bill payment pays on no bill are credits of the vendor.

use crate::data::{ACCT_AP, ACCT_AR, CHART_OF_POSTED, Dataset};
use crate::ledger::{Source, seeded_payment_stands, stands};
use crate::txns::Kind;
use crate::written::{Shadow, Written};

/// A transaction with something left to pay on the report day.
#[derive(Debug, Clone, Copy)]
pub(super) struct OpenItem {
    /// The transaction.
    pub(super) source: Source,
    /// Customer (receivables) or vendor (payables) index.
    pub(super) party: usize,
    /// When it is due (what it ages from).
    pub(super) due: i32,
    /// Cents still open (negative: a credit).
    pub(super) open: i64,
}

/// Calls `emit` with every receivable open on `day`.
pub(super) fn receivables(
    ds: &Dataset,
    written: &Written,
    day: i32,
    emit: &mut dyn FnMut(OpenItem),
) {
    // Written payments dated by then: what they applied per invoice, and customer credits.
    let mut applied: std::collections::HashMap<usize, i64> = Default::default();
    let open = |index: usize| match written.invoice(index) {
        Shadow::Live(invoice) => invoice.day <= day,
        Shadow::Seeded => ds.invoices.get(index).is_some_and(|i| i.txn_date <= day),
        Shadow::Deleted => false,
    };
    for (index, payment) in written.payments().filter(|(_, p)| p.day <= day) {
        let credit = |open: i64| OpenItem {
            source: Source::Payment(index),
            party: payment.customer,
            due: day,
            open,
        };
        for &(invoice, amount) in &payment.applied {
            if open(invoice) {
                *applied.entry(invoice).or_default() += amount;
            } else {
                emit(credit(-amount));
            }
        }
        if payment.unapplied() != 0 {
            emit(credit(-payment.unapplied()));
        }
    }
    // (Not hashed at all without written payments: this runs once per invoice.)
    let applied_to = |index: usize| {
        if applied.is_empty() {
            0
        } else {
            applied.get(&index).copied().unwrap_or(0)
        }
    };
    let sales_written = written.invoices().next().is_some() || !applied.is_empty();
    // A multicurrency company's seeded invoices and payments, in home amounts.
    let home =
        |customer: u32, amount: i64| ds.currencies.of_customer(customer as usize).home(amount);
    for (index, invoice) in ds.invoices.iter().enumerate() {
        let item = |party: usize, due: i32, open: i64| OpenItem {
            source: Source::Invoice(index),
            party,
            due,
            open,
        };
        if !sales_written {
            // The seeded books alone (the common case, kept lean): an invoice is open until its
            // payment.
            let paid_by_then = invoice.payment != 0
                && ds
                    .payments
                    .get(invoice.payment as usize - 1)
                    .is_some_and(|p| p.txn_date <= day)
                && matches!(
                    written.payment(invoice.payment as usize - 1),
                    Shadow::Seeded
                );
            if invoice.txn_date <= day && invoice.total != 0 && !paid_by_then {
                emit(item(
                    invoice.customer as usize,
                    invoice.due_date,
                    home(invoice.customer, invoice.total),
                ));
            }
            continue;
        }
        // The seeded payment of the invoice, if it still stands and was made by then.
        let seeded_payment = || {
            (invoice.payment != 0)
                .then(|| invoice.payment as usize - 1)
                .filter(|&p| matches!(written.payment(p), Shadow::Seeded))
                .and_then(|p| ds.payments.get(p).map(|payment| (p, payment)))
                .filter(|(_, p)| p.txn_date <= day)
        };
        let (customer, total, due_date) = match written.invoice(index) {
            Shadow::Seeded => {
                if invoice.txn_date > day || invoice.total == 0 {
                    continue;
                }
                (
                    invoice.customer as usize,
                    home(invoice.customer, invoice.total),
                    invoice.due_date,
                )
            }
            Shadow::Live(now) if now.day <= day => (now.customer, now.total(), now.due),
            // Deleted, or now dated later: a payment already made is the customer's credit.
            Shadow::Live(_) | Shadow::Deleted => {
                if let Some((at, payment)) = seeded_payment() {
                    emit(OpenItem {
                        source: Source::Payment(at),
                        party: payment.customer as usize,
                        due: day,
                        open: -home(payment.customer, payment.amount),
                    });
                }
                continue;
            }
        };
        let paid =
            seeded_payment().map_or(0, |(_, p)| home(p.customer, p.amount)) + applied_to(index);
        if total != paid {
            emit(item(customer, due_date, total - paid));
        }
    }
    // Credit memos (and written sales that leave something on A/R): a credit on the
    // customer's account, due on the day.
    let mut lines = Vec::with_capacity(4);
    let receivable = |lines: &[(usize, i64)]| -> i64 {
        lines
            .iter()
            .filter(|(account, _)| *account == ACCT_AR)
            .map(|(_, amount)| amount)
            .sum()
    };
    for index in 0..ds.posted.len(Kind::CreditMemo) {
        if !matches!(written.posted(Kind::CreditMemo, index), Shadow::Seeded) {
            continue;
        }
        let dated = ds
            .posted
            .lines(Kind::CreditMemo, index, &CHART_OF_POSTED, &mut lines);
        if let (Some(txn_day), Some(Ok(customer))) =
            (dated, ds.posted.party(Kind::CreditMemo, index))
            && txn_day <= day
        {
            let open = receivable(&lines);
            if open != 0 {
                emit(OpenItem {
                    source: Source::Posted(Kind::CreditMemo, index),
                    party: customer as usize,
                    due: txn_day,
                    open,
                });
            }
        }
    }
    for kind in Kind::ALL {
        for (index, entry) in written.posted_of(kind) {
            let open = receivable(&entry.lines);
            if let Some(customer) = entry.customer
                && entry.day <= day
                && open != 0
            {
                emit(OpenItem {
                    source: Source::Posted(kind, index),
                    party: customer,
                    due: entry.day,
                    open,
                });
            }
        }
    }
    for (index, invoice) in written.invoices() {
        if index < ds.invoices.len() || invoice.day > day {
            continue;
        }
        let open = invoice.total() - applied_to(index);
        if open != 0 {
            emit(OpenItem {
                source: Source::Invoice(index),
                party: invoice.customer,
                due: invoice.due,
                open,
            });
        }
    }
}

/// Calls `emit` with every bill open on `day`.
pub(super) fn payables(ds: &Dataset, written: &Written, day: i32, emit: &mut dyn FnMut(OpenItem)) {
    for (index, bill) in ds.bills.iter().enumerate() {
        if !matches!(written.bill(index), Shadow::Seeded) {
            continue;
        }
        let paid = if seeded_payment_stands(ds, written, index) && bill.due_date <= day {
            bill.total
        } else {
            0
        } + written.paid_on_bill(index, day);
        if bill.txn_date <= day && bill.total != paid {
            emit(OpenItem {
                source: Source::Bill(index),
                party: bill.vendor as usize,
                due: bill.due_date,
                open: bill.total - paid,
            });
        }
    }
    for (index, bill) in written.bills() {
        let paid = if stands(written, bill.seeded_payment) && bill.due <= day {
            bill.total()
        } else {
            0
        } + written.paid_on_bill(index, day);
        if bill.day <= day && bill.total() != paid {
            emit(OpenItem {
                source: Source::Bill(index),
                party: bill.vendor,
                due: bill.due,
                open: bill.total() - paid,
            });
        }
    }
    // Vendor credits (and whatever else a written transaction leaves on A/P), and what a bill
    // payment pays on no standing bill: a credit with the vendor, due on the day.
    let mut lines = Vec::with_capacity(4);
    let payable = |lines: &[(usize, i64)]| -> i64 {
        -lines
            .iter()
            .filter(|(account, _)| *account == ACCT_AP)
            .map(|(_, amount)| amount)
            .sum::<i64>()
    };
    for index in 0..ds.posted.len(Kind::VendorCredit) {
        if !matches!(written.posted(Kind::VendorCredit, index), Shadow::Seeded) {
            continue;
        }
        let dated = ds
            .posted
            .lines(Kind::VendorCredit, index, &CHART_OF_POSTED, &mut lines);
        if let (Some(txn_day), Some(Err(vendor))) =
            (dated, ds.posted.party(Kind::VendorCredit, index))
            && txn_day <= day
        {
            let open = payable(&lines);
            if open != 0 {
                emit(OpenItem {
                    source: Source::Posted(Kind::VendorCredit, index),
                    party: vendor as usize,
                    due: txn_day,
                    open,
                });
            }
        }
    }
    for kind in Kind::ALL {
        for (index, entry) in written.posted_of(kind) {
            let open = payable(&entry.lines);
            if let Some((_, vendor)) = &entry.party
                && entry.customer.is_none()
                && entry.day <= day
                && open != 0
            {
                emit(OpenItem {
                    source: Source::Posted(kind, index),
                    party: *vendor,
                    due: entry.day,
                    open,
                });
            }
        }
    }
    for (index, payment) in written.bill_payments().filter(|(_, p)| p.day <= day) {
        let standing = |bill: usize| match written.bill(bill) {
            Shadow::Live(b) => b.day <= day,
            Shadow::Seeded => ds.bills.get(bill).is_some_and(|b| b.txn_date <= day),
            Shadow::Deleted => false,
        };
        let unpaid: i64 = payment.total
            - payment
                .bills
                .iter()
                .filter(|(bill, _)| standing(*bill))
                .map(|(_, amount)| amount)
                .sum::<i64>();
        if unpaid != 0 {
            emit(OpenItem {
                source: Source::WrittenBillPayment(index),
                party: payment.vendor,
                due: day,
                open: -unpaid,
            });
        }
    }
}

/// The aging column of something due on `due` seen on `day`: 0 is Current, then one per
/// `period` days past due, the last (`buckets`) open-ended.
pub(super) fn bucket(day: i32, due: i32, period: i32, buckets: usize) -> usize {
    let late = day - due;
    if late <= 0 {
        0
    } else {
        (((late - 1) / period.max(1)) as usize + 1).min(buckets)
    }
}
