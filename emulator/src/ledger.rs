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
//! | invoice of inventory items | Cost of Goods Sold + their cost; Inventory Asset − their cost | the same |
//! | an item's starting stock, on its `InvStartDate` | Inventory Asset + its value; Opening Balance Equity − | the same |
//! | payment | deposit account (Checking or Undeposited Funds) + amount; A/R − amount | deposit account + amount; the invoice's income accounts and tax −, on the payment's date |
//! | bill | each line's expense account + amount; A/P − total | nothing |
//! | bill paid (balance 0), on its due date | A/P + total; Checking − total | each line's expense account +; Checking − total |
//!
//! | sales receipt, refund, deposit, purchase, journal entry, transfer, card payment | its journal lines (`txns.rs`: the receipt's deposit account + total, income and tax −; ...) | the same |
//! | credit memo, vendor credit | its journal lines (A/R −, income and tax +; A/P +, expenses −) | a credit memo's stock lines only (Inventory Asset +, Cost of Goods Sold −) |
//!
//! A sale's journal lines carry the cost of the inventory it sells (Cost of Goods Sold +,
//! Inventory Asset −; a refund the other way), an expense's item lines debit Inventory Asset:
//! stock moves on the transaction's date whether or not money does.
//!
//! So at the end of the data the accrual balances equal the accounts' `CurrentBalance`.
//!
//! Invoices, payments and bills written through the API (`written.rs`) post the same way from
//! their stored amounts and accounts, replacing the seeded record of the same index (deleted:
//! nothing; voided: zeros). On the cash basis a payment credits the income accounts and tax of
//! the invoices it is applied to (their current lines, in proportion to the amount applied), and
//! A/R with what it leaves unapplied or applies to a deleted invoice.
//! This module must never render JSON or know about HTTP.

use crate::currency::Currency;
use crate::data::{
    ACCT_AP, ACCT_AR, ACCT_CHECKING, ACCT_COGS, ACCT_INVENTORY, ACCT_OPENING_EQUITY,
    CHART_OF_POSTED, Dataset,
};
use crate::txns::Kind;
use crate::written::{Shadow, Written, allocate};

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
    /// The seeded payment of bill `usize` (by check from Checking, on its due date).
    BillPayment(usize),
    /// Bill payment record `usize` as a write left it (created, changed or voided).
    WrittenBillPayment(usize),
    /// A sales receipt, credit memo, refund, deposit, purchase, journal entry, transfer, vendor
    /// credit or card payment (`txns.rs`).
    Posted(Kind, usize),
    /// The starting stock of item `usize` on its `InvStartDate` (QBO's "Inventory Starting
    /// Value": Inventory Asset debited, Opening Balance Equity credited).
    InventoryStart(usize),
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
/// beginning), seeded and `written` transactions both (a written record replaces the seeded one
/// of its index). Transactions outside the window are skipped before their lines are rebuilt.
pub(crate) fn for_each(
    ds: &Dataset,
    written: &Written,
    basis: Basis,
    from: Option<i32>,
    to: i32,
    post: &mut dyn FnMut(Posting),
) {
    let inside = |day: i32| day <= to && from.is_none_or(|from| day >= from);
    let mut lines: Vec<(usize, i64)> = Vec::with_capacity(4);
    for (index, item) in ds.items.iter().enumerate() {
        let value = item.stock_cost().map_or(0, |unit| unit * item.start_qty);
        if value != 0 && inside(item.inv_start) {
            let equity = [(ACCT_OPENING_EQUITY, value)];
            let source = Source::InventoryStart(index);
            double(item.inv_start, ACCT_INVENTORY, value, &equity, source, post);
        }
    }
    // What a seeded invoice sold of the inventory leaves Inventory Asset for Cost of Goods Sold
    // on its date, on either basis (on the accrual basis right after the invoice's own lines).
    let sold = |index: usize, invoice: &crate::data::Invoice, post: &mut dyn FnMut(Posting)| {
        if invoice.cost != 0 {
            let stock = [(ACCT_INVENTORY, invoice.cost)];
            let source = Source::Invoice(index);
            double(
                invoice.txn_date,
                ACCT_COGS,
                invoice.cost,
                &stock,
                source,
                post,
            );
        }
    };
    match basis {
        Basis::Accrual => {
            for (index, invoice) in ds.invoices.iter().enumerate() {
                if inside(invoice.txn_date) && is_seeded(written.invoice(index)) {
                    invoice_lines(ds, index, &mut lines);
                    let total = customer_currency(ds, invoice.customer)
                        .home_entry(invoice.total, &mut lines);
                    let source = Source::Invoice(index);
                    double(invoice.txn_date, ACCT_AR, total, &lines, source, post);
                    sold(index, invoice, post);
                }
            }
            for (index, payment) in ds.payments.iter().enumerate() {
                if inside(payment.txn_date) && is_seeded(written.payment(index)) {
                    let deposit = payment.deposit_account as usize;
                    lines.clear();
                    lines.push((ACCT_AR, payment.amount));
                    let amount = customer_currency(ds, payment.customer)
                        .home_entry(payment.amount, &mut lines);
                    let source = Source::Payment(index);
                    double(payment.txn_date, deposit, amount, &lines, source, post);
                }
            }
            for (index, bill) in ds.bills.iter().enumerate() {
                if !is_seeded(written.bill(index)) {
                    continue;
                }
                if inside(bill.txn_date) {
                    bill_lines(ds, index, &mut lines);
                    let amount =
                        vendor_currency(ds, bill.vendor).home_entry(-bill.total, &mut lines);
                    double(
                        bill.txn_date,
                        ACCT_AP,
                        amount,
                        &lines,
                        Source::Bill(index),
                        post,
                    );
                }
                if inside(bill.due_date) && seeded_payment_stands(ds, written, index) {
                    lines.clear();
                    lines.push((ACCT_AP, -bill.total));
                    let amount =
                        vendor_currency(ds, bill.vendor).home_entry(-bill.total, &mut lines);
                    let source = Source::BillPayment(index);
                    double(bill.due_date, ACCT_CHECKING, amount, &lines, source, post);
                }
            }
            for (index, invoice) in written.invoices() {
                if inside(invoice.day) {
                    let source = Source::Invoice(index);
                    double(
                        invoice.day,
                        ACCT_AR,
                        invoice.total(),
                        &invoice.credits,
                        source,
                        post,
                    );
                    written_sold(index, invoice, post);
                }
            }
            for (index, payment) in written.payments() {
                if inside(payment.day) {
                    lines.clear();
                    lines.push((ACCT_AR, payment.total));
                    let source = Source::Payment(index);
                    double(
                        payment.day,
                        payment.deposit,
                        payment.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
            for (index, bill) in written.bills() {
                if inside(bill.day) {
                    negated(&bill.debits, &mut lines);
                    double(
                        bill.day,
                        ACCT_AP,
                        -bill.total(),
                        &lines,
                        Source::Bill(index),
                        post,
                    );
                }
                if stands(written, bill.seeded_payment) && inside(bill.due) {
                    lines.clear();
                    lines.push((ACCT_AP, -bill.total()));
                    let source = Source::BillPayment(index);
                    double(bill.due, ACCT_CHECKING, -bill.total(), &lines, source, post);
                }
            }
            for (index, payment) in written.bill_payments() {
                if inside(payment.day) {
                    lines.clear();
                    lines.push((ACCT_AP, -payment.total));
                    let source = Source::WrittenBillPayment(index);
                    double(
                        payment.day,
                        payment.from,
                        -payment.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
        }
        Basis::Cash => {
            for (index, invoice) in ds.invoices.iter().enumerate() {
                if invoice.cost != 0
                    && inside(invoice.txn_date)
                    && is_seeded(written.invoice(index))
                {
                    sold(index, invoice, post);
                }
            }
            for (index, invoice) in written.invoices() {
                if inside(invoice.day) {
                    written_sold(index, invoice, post);
                }
            }
            let mut parts: Vec<(usize, i64)> = Vec::with_capacity(4);
            for (index, payment) in ds.payments.iter().enumerate() {
                if inside(payment.txn_date) && is_seeded(written.payment(index)) {
                    let invoice = payment.invoice as usize;
                    if is_seeded(written.invoice(invoice)) {
                        invoice_lines(ds, invoice, &mut lines);
                    } else {
                        lines.clear();
                        paid_invoice(ds, written, invoice, payment.amount, &mut parts, &mut lines);
                    }
                    let deposit = payment.deposit_account as usize;
                    let amount = customer_currency(ds, payment.customer)
                        .home_entry(payment.amount, &mut lines);
                    let source = Source::Payment(index);
                    double(payment.txn_date, deposit, amount, &lines, source, post);
                }
            }
            for (index, bill) in ds.bills.iter().enumerate() {
                if inside(bill.due_date)
                    && is_seeded(written.bill(index))
                    && seeded_payment_stands(ds, written, index)
                {
                    bill_lines(ds, index, &mut lines);
                    let amount =
                        vendor_currency(ds, bill.vendor).home_entry(-bill.total, &mut lines);
                    let source = Source::BillPayment(index);
                    double(bill.due_date, ACCT_CHECKING, amount, &lines, source, post);
                }
            }
            for (index, payment) in written.payments() {
                if inside(payment.day) {
                    lines.clear();
                    for &(invoice, amount) in &payment.applied {
                        paid_invoice(ds, written, invoice, amount, &mut parts, &mut lines);
                    }
                    let unapplied = payment.unapplied();
                    if unapplied != 0 {
                        add(&mut lines, ACCT_AR, unapplied);
                    }
                    let source = Source::Payment(index);
                    double(
                        payment.day,
                        payment.deposit,
                        payment.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
            for (index, bill) in written.bills() {
                if stands(written, bill.seeded_payment) && inside(bill.due) {
                    negated(&bill.debits, &mut lines);
                    let source = Source::BillPayment(index);
                    double(bill.due, ACCT_CHECKING, -bill.total(), &lines, source, post);
                }
            }
            for (index, payment) in written.bill_payments() {
                if inside(payment.day) {
                    lines.clear();
                    for &(bill, amount) in &payment.bills {
                        paid_bill(ds, written, bill, amount, &mut parts, &mut lines);
                    }
                    let unapplied =
                        payment.total - payment.bills.iter().map(|(_, a)| a).sum::<i64>();
                    if unapplied != 0 {
                        add(&mut lines, ACCT_AP, -unapplied);
                    }
                    let source = Source::WrittenBillPayment(index);
                    double(
                        payment.day,
                        payment.from,
                        -payment.total,
                        &lines,
                        source,
                        post,
                    );
                }
            }
        }
    }
    for kind in Kind::ALL {
        if basis == Basis::Cash && !kind.on_cash_basis() {
            // No money moved, but the stock did.
            for index in 0..ds.posted.len(kind) {
                if is_seeded(written.posted(kind, index))
                    && let Some(day) =
                        ds.posted
                            .stock_lines(kind, index, &CHART_OF_POSTED, &mut lines)
                    && !lines.is_empty()
                    && inside(day)
                {
                    journal(day, &lines, Source::Posted(kind, index), post);
                }
            }
            for (index, entry) in written.posted_of(kind) {
                if entry.cost != 0 && inside(entry.day) {
                    let stock = [(ACCT_INVENTORY, entry.cost)];
                    let source = Source::Posted(kind, index);
                    double(entry.day, ACCT_COGS, entry.cost, &stock, source, post);
                }
            }
            continue;
        }
        for index in 0..ds.posted.len(kind) {
            if !is_seeded(written.posted(kind, index)) {
                continue;
            }
            if let Some(day) = ds.posted.lines(kind, index, &CHART_OF_POSTED, &mut lines)
                && inside(day)
            {
                journal(day, &lines, Source::Posted(kind, index), post);
            }
        }
        for (index, entry) in written.posted_of(kind) {
            if inside(entry.day) {
                journal(entry.day, &entry.lines, Source::Posted(kind, index), post);
            }
        }
    }
}

/// Posts what written invoice `index` sold of the inventory: Cost of Goods Sold debited,
/// Inventory Asset credited, on its date.
fn written_sold(index: usize, invoice: &crate::written::Invoice, post: &mut dyn FnMut(Posting)) {
    if invoice.cost != 0 {
        let stock = [(ACCT_INVENTORY, invoice.cost)];
        let source = Source::Invoice(index);
        double(invoice.day, ACCT_COGS, invoice.cost, &stock, source, post);
    }
}

/// Posts journal `lines` (debit positive, summing to zero): the first line against the others.
fn journal(day: i32, lines: &[(usize, i64)], source: Source, post: &mut dyn FnMut(Posting)) {
    let Some((&(account, amount), rest)) = lines.split_first() else {
        return;
    };
    let others: Vec<(usize, i64)> = rest.iter().map(|&(a, v)| (a, -v)).collect();
    double(day, account, amount, &others, source, post);
}

/// The currency a seeded customer's transactions are in (the home currency unless the company
/// is multicurrency); the ledger posts them in home amounts.
fn customer_currency(ds: &Dataset, customer: impl Into<u64>) -> Currency {
    ds.currencies
        .of_customer(usize::try_from(customer.into()).unwrap_or(usize::MAX))
}

/// The currency a seeded vendor's bills are in.
fn vendor_currency(ds: &Dataset, vendor: impl Into<u64>) -> Currency {
    ds.currencies
        .of_vendor(usize::try_from(vendor.into()).unwrap_or(usize::MAX))
}

fn is_seeded<T>(shadow: Shadow<'_, T>) -> bool {
    matches!(shadow, Shadow::Seeded)
}

/// Whether seeded bill payment `payment` (if any) still pays its bill: no write touched it.
pub(crate) fn stands(written: &Written, payment: Option<usize>) -> bool {
    payment.is_some_and(|k| is_seeded(written.bill_payment(k)))
}

/// Whether seeded bill `index` was paid and its own seeded payment still pays it.
pub(crate) fn seeded_payment_stands(ds: &Dataset, written: &Written, index: usize) -> bool {
    stands(written, seeded_payment_of(ds, index))
}

/// Adds to `out` the cash-basis debits of `amount` paid on bill `index`: its expense accounts in
/// proportion, as credit-side entries (negative); A/P when the bill is deleted or missing.
fn paid_bill(
    ds: &Dataset,
    written: &Written,
    index: usize,
    amount: i64,
    parts: &mut Vec<(usize, i64)>,
    out: &mut Vec<(usize, i64)>,
) {
    match written.bill(index) {
        Shadow::Live(bill) => negated(&bill.debits, parts),
        Shadow::Seeded if index < ds.bills.len() => bill_lines(ds, index, parts),
        Shadow::Seeded | Shadow::Deleted => parts.clear(),
    }
    if parts.iter().all(|(_, part)| *part == 0) {
        add(out, ACCT_AP, -amount);
    } else {
        allocate(-amount, parts, out);
    }
}

/// Adds to `out` the cash-basis credits of `amount` paid on invoice `index`: its income accounts
/// and tax in proportion (A/R when the invoice is deleted, missing or of zero total).
fn paid_invoice(
    ds: &Dataset,
    written: &Written,
    index: usize,
    amount: i64,
    parts: &mut Vec<(usize, i64)>,
    out: &mut Vec<(usize, i64)>,
) {
    match written.invoice(index) {
        Shadow::Live(invoice) => allocate(amount, &invoice.credits, out),
        Shadow::Seeded if index < ds.invoices.len() => {
            invoice_lines(ds, index, parts);
            allocate(amount, parts, out);
        }
        Shadow::Seeded | Shadow::Deleted => allocate(amount, &[], out),
    }
}

/// `debits` with their signs flipped (the "credit side" [`double`] takes), into `out`.
fn negated(debits: &[(usize, i64)], out: &mut Vec<(usize, i64)>) {
    out.clear();
    out.extend(debits.iter().map(|&(account, amount)| (account, -amount)));
}

/// The index of the seeded bill payment that pays seeded bill `index`, if it was paid (on its
/// due date): the payments are sorted by (date, bill).
pub(crate) fn seeded_payment_of(ds: &Dataset, index: usize) -> Option<usize> {
    let bill = ds.bills.get(index).filter(|b| is_paid(b))?;
    let key = (bill.due_date, u32::try_from(index).ok()?);
    ds.bill_payments
        .binary_search_by_key(&key, |p| (p.txn_date, p.bill))
        .ok()
}

/// Whether a bill was paid (it is then paid on its due date).
pub(crate) fn is_paid(bill: &crate::data::Bill) -> bool {
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
        add(out, crate::data::ACCT_SALES_TAX, tax);
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
    use crate::config::EmulatorConfig;
    use crate::data::ACCT_UNDEPOSITED;
    use crate::entity::Entity;

    fn books() -> Dataset {
        Dataset::build(&EmulatorConfig {
            invoices: 600,
            ..EmulatorConfig::default()
        })
        .expect("books")
    }

    /// The same books with multicurrency on: foreign customers' and vendors' transactions are
    /// posted in home amounts.
    fn multicurrency_books() -> Dataset {
        Dataset::build(&EmulatorConfig {
            invoices: 600,
            multicurrency: true,
            ..EmulatorConfig::default()
        })
        .expect("books")
    }

    fn balances(ds: &Dataset, basis: Basis) -> Vec<i64> {
        let mut balances = vec![0i64; ds.accounts.len()];
        for_each(ds, &Written::default(), basis, None, i32::MAX, &mut |p| {
            balances[p.account] += p.amount
        });
        balances
    }

    /// Writes over `ds`: a new invoice with tax, half paid; seeded invoice 0 replaced; seeded
    /// invoice 1 deleted (its payment, if any, stays); a new paid bill.
    fn writes(ds: &Dataset) -> Written {
        let object = |v: serde_json::Value| v.as_object().cloned().expect("object");
        let mut written = Written::default();
        let invoice = object(serde_json::json!({
            "TxnDate": "2023-03-01", "CustomerRef": {"value": "3"},
            "Line": [{"Amount": 100.01, "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": "1"}}},
                     {"Amount": 50, "DetailType": "DescriptionOnly"}],
            "TxnTaxDetail": {"TotalTax": 7.77}
        }));
        let created = ds.invoices.len();
        written.record(ds, Entity::Invoice, created, Some(&invoice));
        written.record(ds, Entity::Invoice, 0, Some(&invoice));
        written.record(ds, Entity::Invoice, 1, None);
        let payment = object(serde_json::json!({
            "TxnDate": "2023-03-05", "CustomerRef": {"value": "3"}, "TotalAmt": 100,
            "DepositToAccountRef": {"value": "1"},
            "Line": [{"Amount": 78.89, "LinkedTxn": [{"TxnId": (created + 1).to_string(), "TxnType": "Invoice"}]}]
        }));
        written.record(ds, Entity::Payment, ds.payments.len(), Some(&payment));
        let bill = object(serde_json::json!({
            "TxnDate": "2023-03-02", "DueDate": "2023-04-01", "VendorRef": {"value": "1"},
            "Balance": 0, "LinkedTxn": [{"TxnId": (ds.bill_payments.len() + 1).to_string(), "TxnType": "BillPayment"}],
            "Line": [{"Amount": 12.5, "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "28"}}}]
        }));
        written.record(ds, Entity::Bill, ds.bills.len(), Some(&bill));
        // The new bill paid by a new bill payment, by check from Checking.
        let bill_payment = object(serde_json::json!({
            "TxnDate": "2023-04-01", "VendorRef": {"value": "1"}, "PayType": "Check",
            "CheckPayment": {"BankAccountRef": {"value": "1"}}, "TotalAmt": 12.5,
            "Line": [{"Amount": 12.5, "LinkedTxn": [{"TxnId": (ds.bills.len() + 1).to_string(), "TxnType": "Bill"}]}]
        }));
        written.record(
            ds,
            Entity::BillPayment,
            ds.bill_payments.len(),
            Some(&bill_payment),
        );
        written
    }

    #[test]
    fn written_transactions_post_their_amounts_and_replace_seeded_ones() {
        let ds = books();
        let written = writes(&ds);
        let seeded = balances(&ds, Basis::Accrual);
        let mut after = vec![0i64; ds.accounts.len()];
        for_each(&ds, &written, Basis::Accrual, None, i32::MAX, &mut |p| {
            after[p.account] += p.amount
        });
        let invoice = |i: usize| ds.invoices[i].total;
        // A/R: + the new invoice twice (new and replacing 0), - invoices 0 and 1, - the payment.
        assert_eq!(
            after[ACCT_AR] - seeded[ACCT_AR],
            2 * 15_778 - invoice(0) - invoice(1) - 10_000
        );
        assert_eq!(after[ACCT_CHECKING] - seeded[ACCT_CHECKING], 10_000 - 1_250);
        assert_eq!(after[27] - seeded[27], 1_250);
        assert_eq!(after[ACCT_AP], seeded[ACCT_AP]);
        assert_eq!(after.iter().sum::<i64>(), 0);
        // Cash basis: the payment's 78.89 split over the invoice's 100.01 + 50 + 7.77, the rest
        // of it unapplied on A/R.
        let mut cash = vec![0i64; ds.accounts.len()];
        for_each(&ds, &written, Basis::Cash, None, i32::MAX, &mut |p| {
            cash[p.account] += p.amount
        });
        assert_eq!(cash.iter().sum::<i64>(), 0);
        assert_eq!(
            cash[ACCT_CHECKING] - balances(&ds, Basis::Cash)[ACCT_CHECKING],
            10_000 - 1_250
        );
    }

    #[test]
    fn every_transaction_balances_on_both_bases() {
        for ds in [books(), multicurrency_books()] {
            for (basis, written) in [
                (Basis::Accrual, Written::default()),
                (Basis::Cash, Written::default()),
                (Basis::Accrual, writes(&ds)),
                (Basis::Cash, writes(&ds)),
            ] {
                let mut per_source: std::collections::HashMap<(u8, usize), i64> =
                    Default::default();
                for_each(&ds, &written, basis, None, i32::MAX, &mut |p| {
                    let key = match p.source {
                        Source::Invoice(i) => (0, i),
                        Source::Payment(i) => (1, i),
                        Source::Bill(i) => (2, i),
                        Source::BillPayment(i) => (3, i),
                        Source::WrittenBillPayment(i) => (20, i),
                        Source::Posted(kind, i) => (4 + kind as u8, i),
                        Source::InventoryStart(i) => (21, i),
                    };
                    *per_source.entry(key).or_default() += p.amount;
                });
                assert!(!per_source.is_empty());
                assert!(per_source.values().all(|&sum| sum == 0), "{basis:?}");
            }
        }
    }

    #[test]
    fn accrual_balances_at_the_end_are_the_accounts_current_balances() {
        for ds in [books(), multicurrency_books()] {
            let balances = balances(&ds, Basis::Accrual);
            for index in [ACCT_AR, ACCT_CHECKING, ACCT_UNDEPOSITED] {
                assert_eq!(balances[index], ds.accounts[index].balance, "{index}");
            }
            // Liabilities carry credit balances.
            assert_eq!(-balances[ACCT_AP], ds.accounts[ACCT_AP].balance);
            let tax = crate::data::ACCT_SALES_TAX;
            assert_eq!(-balances[tax], ds.accounts[tax].balance);
        }
        let ds = books();
        let balances = balances(&ds, Basis::Accrual);
        // Every balance-sheet account, the other transactions' included (savings, the card,
        // the loan, vehicles, the owner's investment).
        for (index, account) in ds.accounts.iter().enumerate() {
            let natural = match account.classification {
                "Asset" => balances[index],
                "Liability" | "Equity" => -balances[index],
                _ => continue,
            };
            assert_eq!(natural, account.balance, "{}", account.name);
        }
        for index in [1, 7, 12, 15] {
            assert_ne!(ds.accounts[index].balance, 0, "{}", ds.accounts[index].name);
        }
        // The card is paid off statement by statement, long before the end of these books.
        assert!(!ds.posted.card_payments.is_empty());
        assert_eq!(ds.accounts[crate::data::ACCT_CREDIT_CARD].balance, 0);
    }

    #[test]
    fn cash_basis_has_no_receivables_and_the_same_cash() {
        for ds in [books(), multicurrency_books()] {
            let cash = balances(&ds, Basis::Cash);
            let accrual = balances(&ds, Basis::Accrual);
            assert_eq!(cash[ACCT_AR], 0);
            assert_eq!(cash[ACCT_AP], 0);
            assert_eq!(cash[ACCT_CHECKING], accrual[ACCT_CHECKING]);
            assert_eq!(cash[ACCT_UNDEPOSITED], accrual[ACCT_UNDEPOSITED]);
            // Stock moves whether or not money does.
            assert_ne!(accrual[ACCT_INVENTORY], 0);
            assert_eq!(cash[ACCT_INVENTORY], accrual[ACCT_INVENTORY]);
            assert_eq!(cash[ACCT_OPENING_EQUITY], accrual[ACCT_OPENING_EQUITY]);
        }
    }
}
