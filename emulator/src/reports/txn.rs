//! One transaction as the transaction reports show it: its type name, id, number, party, date,
//! due date and total, whatever table (seeded or written) it comes from.
//!
//! Why it exists: every detail and transaction-list report names the transactions behind the
//! ledger's postings the same way. A new kind of [`Source`] needs one arm in [`view`].

use crate::currency::{Currency, HOME};
use crate::data::CHART_OF_POSTED;
use crate::data::{Dataset, SalesForm};
use crate::ledger::Source;
use crate::txns::Kind;
use crate::written::{Shadow, Written};

/// Who a transaction is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Party {
    /// Nobody (a journal entry, a transfer; a record that is not in the books).
    None,
    /// Customer index.
    Customer(usize),
    /// Vendor index.
    Vendor(usize),
}

/// The fields of one transaction the reports show.
#[derive(Debug, Clone)]
pub(super) struct Txn {
    /// QBO's transaction type name in reports (`Invoice`, `Bill Payment (Check)`).
    pub(super) kind: &'static str,
    /// The entity's `Id`, when the transaction is an entity the API serves.
    pub(super) id: Option<String>,
    /// `DocNumber` (or the payment's reference number).
    pub(super) number: String,
    /// Who it is with.
    pub(super) party: Party,
    /// The party's display name.
    pub(super) party_name: String,
    /// `TxnDate`.
    pub(super) day: i32,
    /// `DueDate`, for invoices and bills.
    pub(super) due: Option<i32>,
    /// `TotalAmt`, in cents.
    pub(super) amount: i64,
    /// The location it is tracked under (`DepartmentRef`): name and index.
    pub(super) department: Option<(String, usize)>,
    /// The currency it is in (`CurrencyRef`, `ExchangeRate`); `amount` is in it.
    pub(super) currency: Currency,
}

impl Txn {
    /// The party's id (`"3"`), if any.
    pub(super) fn party_id(&self) -> Option<String> {
        match self.party {
            Party::None => None,
            Party::Customer(index) | Party::Vendor(index) => Some((index + 1).to_string()),
        }
    }
}

fn customer_name(ds: &Dataset, index: usize, written: &str) -> String {
    if written.is_empty() {
        ds.customer_name(index).to_owned()
    } else {
        written.to_owned()
    }
}

fn vendor_name(ds: &Dataset, index: usize, written: &str) -> String {
    if written.is_empty() {
        ds.vendors
            .get(index)
            .map_or("", |v| v.display_name.as_str())
            .to_owned()
    } else {
        written.to_owned()
    }
}

/// The transaction type QBO's reports give an item's starting stock.
pub(super) const INVENTORY_START: &str = "Inventory Starting Value";
/// The `Num` QBO shows for an item's starting stock.
pub(super) const INVENTORY_START_NUMBER: &str = "START";

/// The transaction `source` stands for.
/// A transaction as reports name it, in the currency it is in.
pub(super) fn view(ds: &Dataset, written: &Written, source: Source) -> Txn {
    let mut txn = named(ds, written, source);
    // Seeded invoices, payments and bills are in their party's currency; the rest, and every
    // write, in the home currency.
    txn.currency = match (source, txn.party) {
        (Source::Invoice(i), Party::Customer(c))
            if matches!(written.invoice(i), Shadow::Seeded) =>
        {
            ds.currencies.of_customer(c)
        }
        (Source::Payment(i), Party::Customer(c))
            if matches!(written.payment(i), Shadow::Seeded) =>
        {
            ds.currencies.of_customer(c)
        }
        (Source::Bill(i), Party::Vendor(v)) if matches!(written.bill(i), Shadow::Seeded) => {
            ds.currencies.of_vendor(v)
        }
        _ => HOME,
    };
    txn
}

fn named(ds: &Dataset, written: &Written, source: Source) -> Txn {
    let id = |index: usize| Some((index + 1).to_string());
    match source {
        Source::Invoice(i) => match written.invoice(i) {
            Shadow::Live(invoice) => Txn {
                currency: HOME,
                kind: "Invoice",
                id: id(i),
                number: invoice.doc_number.clone(),
                party: Party::Customer(invoice.customer),
                party_name: customer_name(ds, invoice.customer, &invoice.party),
                day: invoice.day,
                due: Some(invoice.due),
                amount: invoice.total(),
                department: invoice
                    .department
                    .as_ref()
                    .map(|tag| (tag.name.clone(), tag.index)),
            },
            _ => {
                let invoice = ds.invoices.get(i);
                let customer = invoice.map_or(0, |v| v.customer as usize);
                Txn {
                    currency: HOME,
                    kind: "Invoice",
                    id: id(i),
                    number: (1001 + i).to_string(),
                    party: invoice.map_or(Party::None, |_| Party::Customer(customer)),
                    party_name: customer_name(ds, customer, ""),
                    day: invoice.map_or(0, |v| v.txn_date),
                    due: invoice.map(|v| v.due_date),
                    amount: invoice.map_or(0, |v| v.total),
                    department: invoice
                        .and_then(|_| ds.department_of(SalesForm::Invoice, i))
                        .and_then(|d| seeded_department(ds, d)),
                }
            }
        },
        Source::Payment(i) => match written.payment(i) {
            Shadow::Live(payment) => Txn {
                currency: HOME,
                kind: "Payment",
                id: id(i),
                number: payment.ref_number.clone(),
                party: Party::Customer(payment.customer),
                party_name: customer_name(ds, payment.customer, &payment.party),
                day: payment.day,
                due: None,
                amount: payment.total,
                department: None,
            },
            _ => {
                let payment = ds.payments.get(i);
                let customer = payment.map_or(0, |p| p.customer as usize);
                Txn {
                    currency: HOME,
                    kind: "Payment",
                    id: id(i),
                    number: payment
                        .and_then(|p| p.check_number)
                        .map_or_else(String::new, |n| n.to_string()),
                    party: payment.map_or(Party::None, |_| Party::Customer(customer)),
                    party_name: customer_name(ds, customer, ""),
                    day: payment.map_or(0, |p| p.txn_date),
                    due: None,
                    amount: payment.map_or(0, |p| p.amount),
                    department: None,
                }
            }
        },
        Source::Bill(i) => match written.bill(i) {
            Shadow::Live(bill) => Txn {
                currency: HOME,
                kind: "Bill",
                id: id(i),
                number: bill.doc_number.clone(),
                party: Party::Vendor(bill.vendor),
                party_name: vendor_name(ds, bill.vendor, &bill.party),
                day: bill.day,
                due: Some(bill.due),
                amount: bill.total(),
                department: None,
            },
            _ => {
                let bill = ds.bills.get(i);
                let vendor = bill.map_or(0, |b| b.vendor as usize);
                Txn {
                    currency: HOME,
                    kind: "Bill",
                    id: id(i),
                    number: bill
                        .and_then(|b| b.doc_number)
                        .map_or_else(String::new, |n| n.to_string()),
                    party: bill.map_or(Party::None, |_| Party::Vendor(vendor)),
                    party_name: vendor_name(ds, vendor, ""),
                    day: bill.map_or(0, |b| b.txn_date),
                    due: bill.map(|b| b.due_date),
                    amount: bill.map_or(0, |b| b.total),
                    department: None,
                }
            }
        },
        Source::Posted(kind, i) => posted(ds, written, kind, i),
        Source::InventoryStart(i) => {
            let item = ds.items.get(i);
            Txn {
                currency: HOME,
                kind: INVENTORY_START,
                id: None,
                number: INVENTORY_START_NUMBER.to_owned(),
                party: Party::None,
                party_name: String::new(),
                day: item.map_or(0, |it| it.inv_start),
                due: None,
                amount: item.map_or(0, |it| {
                    it.stock_cost().map_or(0, |unit| unit * it.start_qty)
                }),
                department: None,
            }
        }
        Source::WrittenBillPayment(i) => {
            let payment = match written.bill_payment(i) {
                Shadow::Live(payment) => Some(payment),
                Shadow::Seeded | Shadow::Deleted => None,
            };
            Txn {
                currency: HOME,
                kind: if payment.is_some_and(|p| p.by_card) {
                    "Bill Payment (Credit Card)"
                } else {
                    "Bill Payment (Check)"
                },
                id: id(i),
                number: String::new(),
                party: payment.map_or(Party::None, |p| Party::Vendor(p.vendor)),
                party_name: payment
                    .map_or_else(String::new, |p| vendor_name(ds, p.vendor, &p.party)),
                day: payment.map_or(0, |p| p.day),
                due: None,
                amount: payment.map_or(0, |p| p.total),
                department: None,
            }
        }
        Source::BillPayment(i) => {
            let bill = view(ds, written, Source::Bill(i));
            // The entity's id: the seeded bill payment of the bill.
            let payment = match written.bill(i) {
                Shadow::Seeded => crate::ledger::seeded_payment_of(ds, i),
                Shadow::Live(bill) => bill.seeded_payment,
                Shadow::Deleted => None,
            };
            Txn {
                currency: HOME,
                kind: "Bill Payment (Check)",
                id: payment.and_then(id),
                number: String::new(),
                party: bill.party,
                party_name: bill.party_name,
                day: bill.due.unwrap_or(bill.day),
                due: None,
                amount: bill.amount,
                department: None,
            }
        }
    }
}

/// A sales receipt, credit memo, refund, deposit, expense, journal entry, transfer, vendor
/// credit or credit card payment, seeded or written. Its `TotalAmt` is what its own account
/// moved (a journal entry's: its debits).
fn posted(ds: &Dataset, written: &Written, kind: Kind, index: usize) -> Txn {
    let on_vendor = matches!(kind, Kind::Purchase | Kind::VendorCredit);
    let party_of = |party: usize| {
        if on_vendor {
            Party::Vendor(party)
        } else {
            Party::Customer(party)
        }
    };
    let total = |lines: &[(usize, i64)]| -> i64 {
        if kind == Kind::JournalEntry {
            lines.iter().map(|(_, a)| (*a).max(0)).sum()
        } else {
            lines.first().map_or(0, |(_, a)| a.abs())
        }
    };
    let sale = matches!(
        kind,
        Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt
    );
    let mut department = None;
    let (number, party, party_name, day, amount) = match written.posted(kind, index) {
        Shadow::Live(entry) => {
            department = entry
                .department
                .as_ref()
                .map(|tag| (tag.name.clone(), tag.index));
            let (party, name) = entry
                .party
                .as_ref()
                .map_or((Party::None, String::new()), |(name, at)| {
                    (party_of(*at), name.clone())
                });
            (
                entry.doc_number.clone(),
                party,
                name,
                entry.day,
                total(&entry.lines),
            )
        }
        Shadow::Deleted => (String::new(), Party::None, String::new(), 0, 0),
        Shadow::Seeded => {
            let mut lines = Vec::with_capacity(4);
            let day = ds
                .posted
                .lines(kind, index, &CHART_OF_POSTED, &mut lines)
                .unwrap_or(0);
            if sale && index < ds.posted.len(kind) {
                department = ds
                    .department_of(SalesForm::Posted(kind), index)
                    .and_then(|d| seeded_department(ds, d));
            }
            let (party, name) = match ds.posted.party(kind, index) {
                Some(Ok(c)) => (
                    Party::Customer(c as usize),
                    customer_name(ds, c as usize, ""),
                ),
                Some(Err(v)) => (Party::Vendor(v as usize), vendor_name(ds, v as usize, "")),
                None => (Party::None, String::new()),
            };
            (
                ds.posted.doc_number(kind, index),
                party,
                name,
                day,
                total(&lines),
            )
        }
    };
    Txn {
        currency: HOME,
        kind: kind.report_name(),
        id: Some((index + 1).to_string()),
        number,
        party,
        party_name,
        day,
        due: None,
        amount,
        department,
    }
}

/// Seeded department `index` as a transaction names it.
fn seeded_department(ds: &Dataset, index: usize) -> Option<(String, usize)> {
    let department = ds.departments.get(index)?;
    Some((department.name.to_owned(), index))
}
