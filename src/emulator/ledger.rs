//! The seeded books as double-entry postings, on the accrual or the cash basis.
//!
//! Why it exists: reports (`reports.rs`) must agree with the transactions the API serves, to the
//! cent. Every report is computed from the same postings, drawn here in one pass over the
//! invoice, payment and bill tables, so debits equal credits by construction and a P&L, a balance
//! sheet, a trial balance, a cash flow and a general ledger of the same books agree.
//!
//! The postings (amounts in cents, debit positive):
//!
//! | transaction | accrual (on its date) | cash |
//! |---|---|---|
//! | invoice | A/R + total; each line's item income account − amount; Sales Tax Payable − tax | nothing |
//! | payment | deposit account (Checking or Undeposited Funds) + amount; A/R − amount | deposit account + amount; the invoice's income accounts and tax −, on the payment's date |
//! | bill | each line's expense account + amount; A/P − total | nothing |
//! | bill paid (balance 0), on its due date | A/P + total; Checking − total | each line's expense account +; Checking − total |
//!
//! So at the end of the data the accrual balances equal the accounts' `CurrentBalance`. Records
//! written through the API (the overlay) are not part of the seeded books and are not posted.
//! This module must never render JSON or know about HTTP.

use crate::emulator::data::{ACCT_AP, ACCT_AR, ACCT_CHECKING, Dataset};

/// When income and expenses count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Basis {
    /// When invoiced and billed.
    Accrual,
    /// When paid.
    Cash,
}

impl Basis {
    /// QBO's name (`ReportBasis`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Basis::Accrual => "Accrual",
            Basis::Cash => "Cash",
        }
    }
}

/// The transaction a posting belongs to (index into its table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// An invoice.
    Invoice(usize),
    /// A customer payment.
    Payment(usize),
    /// A bill.
    Bill(usize),
    /// The payment of a bill (by check from Checking, on its due date).
    BillPayment(usize),
}

/// The other side of a posting, as the general ledger's `Split` column shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Split {
    /// One account.
    Account(usize),
    /// Several accounts (`-Split-`).
    Several,
}

/// One line of the journal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    /// Company-local day.
    pub(crate) day: i32,
    /// Account index.
    pub(crate) account: usize,
    /// Cents, debit positive.
    pub(crate) amount: i64,
    /// What it came from.
    pub(crate) source: Source,
    /// The other side.
    pub(crate) split: Split,
}

/// Calls `post` with every posting of `basis` dated in `from..=to` (`from: None`: since the
/// beginning). Transactions outside the window are skipped before their lines are rebuilt.
pub(crate) fn for_each(
    ds: &Dataset,
    basis: Basis,
    from: Option<i32>,
    to: i32,
    post: &mut dyn FnMut(Posting),
) {
    let inside = |day: i32| day <= to && from.is_none_or(|from| day >= from);
    let mut lines: Vec<(usize, i64)> = Vec::with_capacity(4);
    match basis {
        Basis::Accrual => {
            for (index, invoice) in ds.invoices.iter().enumerate() {
                if inside(invoice.txn_date) {
                    invoice_lines(ds, index, &mut lines);
                    let source = Source::Invoice(index);
                    double(
                        invoice.txn_date,
                        ACCT_AR,
                        invoice.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
            for (index, payment) in ds.payments.iter().enumerate() {
                if inside(payment.txn_date) {
                    let deposit = payment.deposit_account as usize;
                    lines.clear();
                    lines.push((ACCT_AR, payment.amount));
                    let source = Source::Payment(index);
                    double(
                        payment.txn_date,
                        deposit,
                        payment.amount,
                        &lines,
                        source,
                        post,
                    );
                }
            }
            for (index, bill) in ds.bills.iter().enumerate() {
                if inside(bill.txn_date) {
                    bill_lines(ds, index, &mut lines);
                    double(
                        bill.txn_date,
                        ACCT_AP,
                        -bill.total,
                        &lines,
                        Source::Bill(index),
                        post,
                    );
                }
                if is_paid(bill) && inside(bill.due_date) {
                    lines.clear();
                    lines.push((ACCT_AP, -bill.total));
                    let source = Source::BillPayment(index);
                    double(
                        bill.due_date,
                        ACCT_CHECKING,
                        -bill.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
        }
        Basis::Cash => {
            for (index, payment) in ds.payments.iter().enumerate() {
                if inside(payment.txn_date) {
                    invoice_lines(ds, payment.invoice as usize, &mut lines);
                    let deposit = payment.deposit_account as usize;
                    let source = Source::Payment(index);
                    double(
                        payment.txn_date,
                        deposit,
                        payment.amount,
                        &lines,
                        source,
                        post,
                    );
                }
            }
            for (index, bill) in ds.bills.iter().enumerate() {
                if is_paid(bill) && inside(bill.due_date) {
                    bill_lines(ds, index, &mut lines);
                    let source = Source::BillPayment(index);
                    double(
                        bill.due_date,
                        ACCT_CHECKING,
                        -bill.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
        }
    }
}

/// Whether a bill was paid (it is then paid on its due date).
pub(crate) fn is_paid(bill: &crate::emulator::data::Bill) -> bool {
    bill.balance == 0 && bill.total != 0
}

/// The credit side of invoice `index`, per account: income accounts of its lines, and the tax.
/// Amounts are positive (they are credited).
fn invoice_lines(ds: &Dataset, index: usize, out: &mut Vec<(usize, i64)>) {
    out.clear();
    let detail = ds.invoice_detail(index);
    for line in &detail.lines {
        let Some(item) = ds.items.get(line.item as usize) else {
            continue;
        };
        add(out, item.income_account, line.amount);
    }
    if let Some((_, tax)) = detail.tax {
        add(out, crate::emulator::data::ACCT_SALES_TAX, tax);
    }
}

/// The debit side of bill `index`, per account, as negative amounts (the caller's "credit
/// side" with the sign flipped, so [`double`] posts them as debits).
fn bill_lines(ds: &Dataset, index: usize, out: &mut Vec<(usize, i64)>) {
    out.clear();
    for line in ds.bill_lines(index) {
        add(out, line.account, -line.amount);
    }
}

fn add(out: &mut Vec<(usize, i64)>, account: usize, amount: i64) {
    match out.iter_mut().find(|(a, _)| *a == account) {
        Some((_, total)) => *total += amount,
        None => out.push((account, amount)),
    }
}

/// Posts `amount` (debit positive) to `account` and the opposite of each of `others` (a
/// positive entry there is credited) to its account; the splits name each other.
fn double(
    day: i32,
    account: usize,
    amount: i64,
    others: &[(usize, i64)],
    source: Source,
    post: &mut dyn FnMut(Posting),
) {
    let split = match others {
        [(only, _)] => Split::Account(*only),
        _ => Split::Several,
    };
    post(Posting {
        day,
        account,
        amount,
        source,
        split,
    });
    for &(other, value) in others {
        post(Posting {
            day,
            account: other,
            amount: -value,
            source,
            split: Split::Account(account),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::EmulatorConfig;
    use crate::emulator::data::ACCT_UNDEPOSITED;

    fn books() -> Dataset {
        Dataset::build(&EmulatorConfig {
            invoices: 600,
            ..EmulatorConfig::default()
        })
        .expect("books")
    }

    fn balances(ds: &Dataset, basis: Basis) -> Vec<i64> {
        let mut balances = vec![0i64; ds.accounts.len()];
        for_each(ds, basis, None, i32::MAX, &mut |p| {
            balances[p.account] += p.amount
        });
        balances
    }

    #[test]
    fn every_transaction_balances_on_both_bases() {
        let ds = books();
        for basis in [Basis::Accrual, Basis::Cash] {
            let mut per_source: std::collections::HashMap<(u8, usize), i64> = Default::default();
            for_each(&ds, basis, None, i32::MAX, &mut |p| {
                let key = match p.source {
                    Source::Invoice(i) => (0, i),
                    Source::Payment(i) => (1, i),
                    Source::Bill(i) => (2, i),
                    Source::BillPayment(i) => (3, i),
                };
                *per_source.entry(key).or_default() += p.amount;
            });
            assert!(!per_source.is_empty());
            assert!(per_source.values().all(|&sum| sum == 0), "{basis:?}");
        }
    }

    #[test]
    fn accrual_balances_at_the_end_are_the_accounts_current_balances() {
        let ds = books();
        let balances = balances(&ds, Basis::Accrual);
        for index in [ACCT_AR, ACCT_CHECKING, ACCT_UNDEPOSITED] {
            assert_eq!(balances[index], ds.accounts[index].balance, "{index}");
        }
        // Liabilities carry credit balances.
        assert_eq!(-balances[ACCT_AP], ds.accounts[ACCT_AP].balance);
        let tax = crate::emulator::data::ACCT_SALES_TAX;
        assert_eq!(-balances[tax], ds.accounts[tax].balance);
    }

    #[test]
    fn cash_basis_has_no_receivables_and_the_same_cash() {
        let ds = books();
        let cash = balances(&ds, Basis::Cash);
        let accrual = balances(&ds, Basis::Accrual);
        assert_eq!(cash[ACCT_AR], 0);
        assert_eq!(cash[ACCT_AP], 0);
        assert_eq!(cash[ACCT_CHECKING], accrual[ACCT_CHECKING]);
        assert_eq!(cash[ACCT_UNDEPOSITED], accrual[ACCT_UNDEPOSITED]);
    }
}
