//! The company's small name lists: sales terms, tax codes, tax rates and the tax agency that the
//! transactions refer to; payment methods, classes, departments (locations), customer types and
//! employees; and
//! the records derived from the transactions: the bill payments of the paid bills, the
//! estimates some invoices were made from and the purchase orders some bills were billed on.
//!
//! Why it exists: invoices and bills already carry `SalesTermRef`, `TxnTaxCodeRef "2"` and
//! `TaxRateRef "3"`, the sales forms `DepartmentRef` and their lines `ClassRef` (active ones
//! only), and the ledger already pays every paid bill by check from Checking on its due date; these tables are the records those references and postings point at, so a client
//! that follows a reference finds it. Like `data.rs`, every row is a pure function of the
//! other tables, and nothing here renders JSON or knows about HTTP.

use crate::time::{day_of, start_of_day};

/// `QBO.Term`: a sales term (`SalesTermRef` of invoices and bills).
#[derive(Debug, Clone)]
pub(crate) struct Term {
    pub(crate) name: &'static str,
    pub(crate) due_days: i32,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// `QBO.TaxRate`: one agency's rate; `Id` 3 is the combined rate invoices charge.
#[derive(Debug, Clone)]
pub(crate) struct TaxRate {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// Basis points.
    pub(crate) rate_bp: i64,
    /// Index into the tax agencies.
    pub(crate) agency: usize,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// `QBO.TaxCode`: the code of a transaction's tax (`TxnTaxCodeRef`), with the rates it applies.
#[derive(Debug, Clone)]
pub(crate) struct TaxCode {
    pub(crate) name: &'static str,
    pub(crate) description: &'static str,
    /// Indexes into the tax rates.
    pub(crate) rates: &'static [usize],
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// `QBO.TaxAgency`: who the sales tax is paid to.
#[derive(Debug, Clone)]
pub(crate) struct TaxAgency {
    pub(crate) name: &'static str,
    pub(crate) created: i64,
}

/// `QBO.PaymentMethod`.
#[derive(Debug, Clone)]
pub(crate) struct PaymentMethod {
    pub(crate) name: &'static str,
    /// `CREDIT_CARD` or `NON_CREDIT_CARD`.
    pub(crate) kind: &'static str,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// A `QBO.Class`, `QBO.Department` or `QBO.CustomerType`: a name, top level (no parent).
#[derive(Debug, Clone)]
pub(crate) struct Category {
    pub(crate) name: &'static str,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// `QBO.Employee`.
#[derive(Debug, Clone)]
pub(crate) struct Employee {
    pub(crate) given_name: &'static str,
    pub(crate) family_name: &'static str,
    pub(crate) display_name: String,
    pub(crate) email: String,
    pub(crate) phone: &'static str,
    /// Company-local day number.
    pub(crate) hired: i32,
    pub(crate) number: u32,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// `QBO.BillPayment`: the check that paid a bill in full (the ledger's `BillPayment` posting).
#[derive(Debug, Clone)]
pub(crate) struct BillPayment {
    /// Index of the bill it pays.
    pub(crate) bill: u32,
    pub(crate) vendor: u32,
    pub(crate) amount: i64,
    pub(crate) txn_date: i32,
    /// Index of the bank account the check is drawn on.
    pub(crate) bank_account: usize,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

/// The name lists, all set up with the company at `start` (a record a second apart).
pub(crate) struct Lists {
    pub(crate) terms: Vec<Term>,
    pub(crate) tax_codes: Vec<TaxCode>,
    pub(crate) tax_rates: Vec<TaxRate>,
    pub(crate) tax_agencies: Vec<TaxAgency>,
    pub(crate) payment_methods: Vec<PaymentMethod>,
    pub(crate) classes: Vec<Category>,
    pub(crate) departments: Vec<Category>,
    pub(crate) customer_types: Vec<Category>,
    pub(crate) employees: Vec<Employee>,
}

/// The lists of a company set up at `start` (Unix seconds), whose invoices and bills use `terms`
/// (id, name, days until due) and charge `tax_bp` basis points of sales tax.
pub(crate) fn build_lists(start: i64, terms: &[(u32, &'static str, i32)], tax_bp: i64) -> Lists {
    let at = |k: usize| start + 600 + k as i64;
    let listed = terms.len();
    let terms = terms
        .iter()
        .enumerate()
        .map(|(k, &(_, name, due_days))| Term {
            name,
            due_days,
            active: true,
            created: at(k),
        })
        .chain(std::iter::once(Term {
            name: "Net 90",
            due_days: 90,
            active: false,
            created: at(listed),
        }))
        .collect();
    let tax_agencies = vec![TaxAgency {
        name: "State Department of Revenue",
        created: at(0),
    }];
    let state_bp = tax_bp - 200;
    let tax_rates = vec![
        TaxRate {
            name: "State",
            description: "State sales tax",
            rate_bp: state_bp,
            agency: 0,
            active: true,
            created: at(0),
        },
        TaxRate {
            name: "County",
            description: "County sales tax",
            rate_bp: 200,
            agency: 0,
            active: true,
            created: at(1),
        },
        TaxRate {
            name: "Combined",
            description: "State and county sales tax",
            rate_bp: tax_bp,
            agency: 0,
            active: true,
            created: at(2),
        },
    ];
    let tax_codes = vec![
        TaxCode {
            name: "State only",
            description: "State sales tax",
            rates: &[0],
            active: true,
            created: at(0),
        },
        TaxCode {
            name: "State and county",
            description: "State and county sales tax",
            rates: &[2],
            active: true,
            created: at(1),
        },
    ];
    let payment_methods = [
        ("Cash", "NON_CREDIT_CARD", true),
        ("Check", "NON_CREDIT_CARD", true),
        ("Visa", "CREDIT_CARD", true),
        ("MasterCard", "CREDIT_CARD", true),
        ("American Express", "CREDIT_CARD", true),
        ("Diners Club", "CREDIT_CARD", false),
    ]
    .iter()
    .enumerate()
    .map(|(k, &(name, kind, active))| PaymentMethod {
        name,
        kind,
        active,
        created: at(k),
    })
    .collect();
    let category = |names: &[(&'static str, bool)]| -> Vec<Category> {
        names
            .iter()
            .enumerate()
            .map(|(k, &(name, active))| Category {
                name,
                active,
                created: at(k),
            })
            .collect()
    };
    let classes = category(&[
        ("Residential", true),
        ("Commercial", true),
        ("Warranty", true),
        ("Property Management", false),
    ]);
    let departments = category(&[("North", true), ("South", true), ("Downtown", false)]);
    let customer_types = category(&[
        ("Homeowner", true),
        ("Landlord", true),
        ("Business", true),
        ("Referral partner", false),
    ]);
    let start_day = day_of(start);
    let employees = [
        ("Maria", "Alvarez", "(206) 555-0101", 0, true),
        ("Dev", "Patel", "(206) 555-0102", 40, true),
        ("Hannah", "Kim", "(206) 555-0103", 95, true),
        ("Luis", "Ortega", "(206) 555-0104", 180, true),
        ("Grace", "O'Neil", "(206) 555-0105", 260, false),
    ]
    .iter()
    .enumerate()
    .map(
        |(k, &(given_name, family_name, phone, days, active))| Employee {
            given_name,
            family_name,
            display_name: format!("{given_name} {family_name}"),
            email: format!(
                "{}.{}@example.com",
                given_name.to_ascii_lowercase(),
                family_name.to_ascii_lowercase().replace('\'', "")
            ),
            phone,
            hired: start_day + days,
            number: 101 + k as u32,
            active,
            created: at(k),
        },
    )
    .collect();
    Lists {
        terms,
        tax_codes,
        tax_rates,
        tax_agencies,
        payment_methods,
        classes,
        departments,
        customer_types,
        employees,
    }
}

/// A bill as far as its payment needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PaidBill {
    pub(crate) index: u32,
    pub(crate) vendor: u32,
    pub(crate) total: i64,
    pub(crate) due_date: i32,
}

/// One bill payment per paid bill, by check on `bank_account`, dated the bill's due date (as
/// the ledger posts it), in the order the checks were written: ids rise with time.
pub(crate) fn build_bill_payments(
    paid: impl Iterator<Item = PaidBill>,
    bank_account: usize,
) -> Vec<BillPayment> {
    let mut paid: Vec<PaidBill> = paid.collect();
    paid.sort_unstable_by_key(|b| (b.due_date, b.index));
    let mut last = i64::MIN;
    paid.into_iter()
        .map(|bill| {
            let at = (start_of_day(bill.due_date) + 10 * 3600).max(last.saturating_add(1));
            last = at;
            BillPayment {
                bill: bill.index,
                vendor: bill.vendor,
                amount: bill.total,
                txn_date: bill.due_date,
                bank_account,
                created: at,
                updated: at,
            }
        })
        .collect()
}

/// `QBO.Estimate`: the quote an invoice was made from (same customer, lines and total), a week
/// before it; closed by that invoice. Estimates post nothing to the books.
#[derive(Debug, Clone)]
pub(crate) struct Estimate {
    /// Index of the invoice made from it.
    pub(crate) invoice: u32,
    pub(crate) customer: u32,
    pub(crate) txn_date: i32,
    pub(crate) total: i64,
    pub(crate) created: i64,
}

/// An invoice as far as its estimate needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct QuotedInvoice {
    pub(crate) index: u32,
    pub(crate) customer: u32,
    pub(crate) txn_date: i32,
    pub(crate) total: i64,
    pub(crate) created: i64,
}

/// How many invoices share one estimate: every `ESTIMATE_EVERY`-th invoice was quoted first.
pub(crate) const ESTIMATE_EVERY: u32 = 4;

/// The estimates of every `ESTIMATE_EVERY`-th invoice, in invoice order (their times rise with
/// `Id` as the invoices' do).
pub(crate) fn build_estimates(invoices: impl Iterator<Item = QuotedInvoice>) -> Vec<Estimate> {
    const WEEK: i64 = 7 * 86_400;
    invoices
        .filter(|inv| inv.index % ESTIMATE_EVERY == 0)
        .map(|inv| Estimate {
            invoice: inv.index,
            customer: inv.customer,
            txn_date: inv.txn_date - 7,
            total: inv.total,
            created: inv.created - WEEK,
        })
        .collect()
}

/// `QBO.PurchaseOrder`: what was ordered from a vendor before a bill for it came (same vendor,
/// lines and total), closed by that bill. Purchase orders post nothing to the books.
#[derive(Debug, Clone)]
pub(crate) struct PurchaseOrder {
    /// Index of the bill that closed it.
    pub(crate) bill: u32,
    pub(crate) vendor: u32,
    pub(crate) txn_date: i32,
    pub(crate) total: i64,
    pub(crate) created: i64,
}

/// A bill as far as its purchase order needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OrderedBill {
    pub(crate) index: u32,
    pub(crate) vendor: u32,
    pub(crate) txn_date: i32,
    pub(crate) total: i64,
    pub(crate) created: i64,
}

/// Every `ORDER_EVERY`-th bill was ordered first.
pub(crate) const ORDER_EVERY: u32 = 3;

/// The purchase orders of every `ORDER_EVERY`-th bill, ten days before it, in bill order.
pub(crate) fn build_purchase_orders(
    bills: impl Iterator<Item = OrderedBill>,
) -> Vec<PurchaseOrder> {
    const TEN_DAYS: i64 = 10 * 86_400;
    bills
        .filter(|b| b.index % ORDER_EVERY == 0)
        .map(|b| PurchaseOrder {
            bill: b.index,
            vendor: b.vendor,
            txn_date: b.txn_date - 10,
            total: b.total,
            created: b.created - TEN_DAYS,
        })
        .collect()
}
