//! The company's records beside its postings: files attached to invoices and bills, budgets,
//! foreign currencies and their daily exchange rates, journal codes, recurring invoice
//! templates and the time employees and subcontractors spent on jobs.
//!
//! Why it exists: QBO serves these entities, and each points at records that exist (an
//! attachment at its invoice or bill, a budget line at an income or expense account, a timesheet
//! at an employee or vendor, a customer and a service item), so a client that follows a reference
//! finds it. None of them posts to the books. Like `lists.rs`, every row is a pure function of the
//! tables it is derived from, and nothing here renders JSON or knows about HTTP.

use crate::rng::SplitMix64;
use crate::time::{day_of, days_from_civil, start_of_day};

const STREAM_RATES: u64 = 40;
const STREAM_TIME: u64 = 41;
const STREAM_FILES: u64 = 42;
const STREAM_BUDGET: u64 = 43;

/// `QBO.Attachable`: a file attached to one transaction.
#[derive(Debug, Clone)]
pub(crate) struct Attachment {
    /// What it is attached to.
    pub(crate) target: Attached,
    /// Index into [`ATTACHMENT_KINDS`].
    pub(crate) kind: u8,
    /// `FileName`, named after the transaction's number.
    pub(crate) file_name: String,
    /// Bytes.
    pub(crate) size: u32,
    pub(crate) created: i64,
}

/// The transaction an attachment belongs to (indexes into the invoices or bills).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attached {
    Invoice(u32),
    Bill(u32),
}

/// (file name prefix, extension, content type, `Category`) of the files attached.
pub(crate) const ATTACHMENT_KINDS: [(&str, &str, &str, &str); 3] = [
    ("signed-work-order", "pdf", "application/pdf", "Document"),
    ("job-photo", "jpg", "image/jpeg", "Image"),
    ("vendor-receipt", "pdf", "application/pdf", "Receipt"),
];

/// An invoice or bill as far as its attachment needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttachedTxn {
    pub(crate) index: u32,
    pub(crate) created: i64,
}

/// Every `ATTACH_INVOICE_EVERY`-th invoice carries its signed work order or a job photo.
pub(crate) const ATTACH_INVOICE_EVERY: u32 = 20;
/// Every `ATTACH_BILL_EVERY`-th bill carries the vendor's receipt.
pub(crate) const ATTACH_BILL_EVERY: u32 = 5;

/// The attachments of every `ATTACH_INVOICE_EVERY`-th invoice and `ATTACH_BILL_EVERY`-th bill,
/// each uploaded an hour after its transaction was entered, in upload order (ids rise with time).
pub(crate) fn build_attachments(
    seed: u64,
    invoices: impl Iterator<Item = AttachedTxn>,
    bills: impl Iterator<Item = AttachedTxn>,
) -> Vec<Attachment> {
    let mut files: Vec<Attachment> = invoices
        .filter(|t| t.index % ATTACH_INVOICE_EVERY == 0)
        .map(|t| {
            (
                Attached::Invoice(t.index),
                t.created,
                (t.index / ATTACH_INVOICE_EVERY % 2) as u8,
            )
        })
        .chain(
            bills
                .filter(|t| t.index % ATTACH_BILL_EVERY == 0)
                .map(|t| (Attached::Bill(t.index), t.created, 2)),
        )
        .map(|(target, created, kind)| {
            let key = match target {
                Attached::Invoice(i) => u64::from(i) * 2,
                Attached::Bill(i) => u64::from(i) * 2 + 1,
            };
            let mut rng = SplitMix64::for_record(seed, STREAM_FILES, key);
            let (prefix, ext, _, _) = ATTACHMENT_KINDS[usize::from(kind) % ATTACHMENT_KINDS.len()];
            let number = match target {
                Attached::Invoice(i) => format!("{}", 1001 + u64::from(i)),
                Attached::Bill(i) => format!("bill-{}", u64::from(i) + 1),
            };
            Attachment {
                target,
                kind,
                file_name: format!("{prefix}-{number}.{ext}"),
                size: rng.range(40_000, 2_400_000) as u32,
                created: created + 3600,
            }
        })
        .collect();
    files.sort_by_key(|f| (f.created, matches!(f.target, Attached::Bill(_))));
    let mut last = i64::MIN;
    for f in &mut files {
        f.created = f.created.max(last.saturating_add(1));
        last = f.created;
    }
    files
}

/// `QBO.Budget`: a profit-and-loss budget of one fiscal year, by month and account.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    pub(crate) name: String,
    /// Company-local day numbers of its first and last day.
    pub(crate) start: i32,
    pub(crate) end: i32,
    pub(crate) active: bool,
    /// Amounts in cents, one per (month, account of [`BUDGET_ACCOUNTS`]): month-major.
    pub(crate) amounts: Vec<i64>,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

/// The accounts budgeted (indexes into the chart of accounts) with the monthly amount, in
/// dollars, a company of 1,000 invoices a year plans for them.
pub(crate) const BUDGET_ACCOUNTS: [(usize, i64); 9] = [
    (16, 42_000),
    (17, 18_500),
    (19, 9_800),
    (20, 1_200),
    (21, 2_400),
    (23, 900),
    (27, 3_500),
    (29, 650),
    (30, 4_100),
];

/// First days of each month of `year` (and of the next year's January, to end the last).
fn month_starts(year: i64) -> [i32; 13] {
    let mut days = [0; 13];
    for (m, day) in days.iter_mut().enumerate() {
        *day = if m == 12 {
            days_from_civil(year + 1, 1, 1)
        } else {
            days_from_civil(year, m as u32 + 1, 1)
        };
    }
    days
}

/// The budget day of month `m` (0-based) of a budget starting on `start`.
pub(crate) fn budget_month(start: i32, m: usize) -> i32 {
    let (year, _, _) = crate::time::civil(start);
    month_starts(year).get(m).copied().unwrap_or(start)
}

/// A budget for each fiscal year from `first_year` to `last_year`, each set up in the December
/// before it, its amounts scaled to `invoices_per_year`; the first year's is a retired draft.
pub(crate) fn build_budgets(
    seed: u64,
    first_year: i64,
    last_year: i64,
    invoices_per_year: i64,
) -> Vec<Budget> {
    (first_year..=last_year)
        .enumerate()
        .map(|(k, year)| {
            let months = month_starts(year);
            let mut rng = SplitMix64::for_record(seed, STREAM_BUDGET, k as u64);
            let mut amounts = Vec::with_capacity(12 * BUDGET_ACCOUNTS.len());
            for m in 0..12 {
                // Heating and cooling seasons: more work in winter and summer.
                let season = [120, 115, 95, 85, 90, 110, 125, 125, 95, 85, 100, 115][m];
                for &(_, monthly) in &BUDGET_ACCOUNTS {
                    let scaled = monthly * invoices_per_year.max(1) / 1000;
                    let noise = rng.range(95, 105);
                    amounts.push(scaled * season / 100 * noise / 100 * 100);
                }
            }
            let created = start_of_day(days_from_civil(year - 1, 12, 15)) + 10 * 3600;
            Budget {
                name: if k == 0 {
                    format!("FY{year} Draft")
                } else {
                    format!("FY{year} Budget")
                },
                start: months[0],
                end: months[12] - 1,
                active: k != 0,
                amounts,
                created,
                updated: created + 86_400 * (k as i64 % 3 + 1),
            }
        })
        .collect()
}

/// `QBO.CompanyCurrency`: a foreign currency the company deals in (ISO 4217 code, name,
/// active), with the rate of one unit in US dollars it started the data at.
pub(crate) const CURRENCIES: [(&str, &str, bool, f64); 4] = [
    ("EUR", "Euro", true, 1.0870),
    ("CAD", "Canadian Dollar", true, 0.7410),
    ("GBP", "British Pound Sterling", true, 1.2650),
    ("MXN", "Mexican Peso", false, 0.0580),
];

/// `QBO.CompanyCurrency` rows.
#[derive(Debug, Clone)]
pub(crate) struct Currency {
    /// Index into [`CURRENCIES`].
    pub(crate) index: usize,
    pub(crate) created: i64,
}

/// `QBO.ExchangeRate`: one currency's rate to the home currency (USD) on one day.
#[derive(Debug, Clone)]
pub(crate) struct ExchangeRate {
    /// Index into [`CURRENCIES`].
    pub(crate) currency: u8,
    /// Company-local day number (`AsOfDate`).
    pub(crate) day: i32,
    /// Dollars per unit, in millionths.
    pub(crate) rate_micros: i64,
    pub(crate) updated: i64,
}

/// The currencies, set up with the company at `start`, and a rate for each on every day from
/// `first_day` to `last_day`: a slow seasonal swing and a small daily drift from its start rate.
/// Rows are day-major (ids and times rise together).
pub(crate) fn build_currencies(
    seed: u64,
    start: i64,
    first_day: i32,
    last_day: i32,
) -> (Vec<Currency>, Vec<ExchangeRate>) {
    let currencies = (0..CURRENCIES.len())
        .map(|index| Currency {
            index,
            created: start + 1200 + index as i64,
        })
        .collect();
    let mut rates = Vec::new();
    for day in first_day..=last_day {
        let t = f64::from(day - first_day);
        for (c, &(_, _, _, base)) in CURRENCIES.iter().enumerate() {
            let mut rng = SplitMix64::for_record(seed, STREAM_RATES, (day as u64) << 3 | c as u64);
            let swing = 0.04 * (t / 58.0 + c as f64).sin();
            let drift = (rng.range(-150, 150) as f64) / 100_000.0;
            let rate = base * (1.0 + swing + drift);
            rates.push(ExchangeRate {
                currency: c as u8,
                day,
                rate_micros: (rate * 1_000_000.0).round() as i64,
                updated: start_of_day(day) + 6 * 3600 + c as i64,
            });
        }
    }
    (currencies, rates)
}

/// The index of currency `currency`'s rate in effect on `day` in `rates` (as built by
/// [`build_currencies`]): that day's, or the last day's for a later one; `None` before the first.
pub(crate) fn rate_index(rates: &[ExchangeRate], currency: usize, day: i32) -> Option<usize> {
    let per_day = CURRENCIES.len();
    let first = rates.first()?.day;
    let last = rates.last()?.day;
    if day < first || currency >= per_day {
        return None;
    }
    let offset = usize::try_from(day.min(last) - first).ok()?;
    let index = offset.checked_mul(per_day)?.checked_add(currency)?;
    rates
        .get(index)
        .filter(|r| usize::from(r.currency) == currency)
        .map(|_| index)
}

/// `QBO.JournalCode` (French companies' journals): name, `Type`, description, active.
pub(crate) const JOURNAL_CODES: [(&str, &str, &str, bool); 6] = [
    ("VT", "Sales", "Journal des ventes", true),
    ("AC", "Expenses", "Journal des achats", true),
    ("BQ", "Bank", "Journal de banque", true),
    ("CA", "Cash", "Journal de caisse", true),
    ("SAL", "Wages", "Journal des salaires", true),
    ("OD", "Others", "Opérations diverses", false),
];

/// `QBO.JournalCode` rows (index into [`JOURNAL_CODES`], set up with the company).
#[derive(Debug, Clone)]
pub(crate) struct JournalCode {
    pub(crate) index: usize,
    pub(crate) created: i64,
}

/// The journal codes of a company set up at `start`.
pub(crate) fn build_journal_codes(start: i64) -> Vec<JournalCode> {
    (0..JOURNAL_CODES.len())
        .map(|index| JournalCode {
            index,
            created: start + 1800 + index as i64,
        })
        .collect()
}

/// `QBO.RecurringTransaction`: a monthly service-agreement invoice template for one customer.
#[derive(Debug, Clone)]
pub(crate) struct Recurring {
    pub(crate) customer: u32,
    /// Index of the item billed.
    pub(crate) item: u32,
    /// Cents.
    pub(crate) amount: i64,
    /// Company-local day numbers.
    pub(crate) start: i32,
    pub(crate) next: i32,
    pub(crate) previous: i32,
    pub(crate) active: bool,
    pub(crate) created: i64,
}

/// How many recurring templates a company has at most.
pub(crate) const RECURRING_TEMPLATES: usize = 8;

/// A template for each of the first customers (up to [`RECURRING_TEMPLATES`]), billing `item` at
/// `price` (cents) on the first of each month from a month in the first year of transactions
/// (day `first_day`) until `last_day`; every fourth is paused.
pub(crate) fn build_recurring(
    customers: usize,
    item: Option<(u32, i64)>,
    first_day: i32,
    last_day: i32,
) -> Vec<Recurring> {
    let Some((item, price)) = item else {
        return Vec::new();
    };
    let (year, _, _) = crate::time::civil(first_day);
    let (last_year, last_month, _) = crate::time::civil(last_day);
    (0..customers.min(RECURRING_TEMPLATES))
        .map(|k| {
            let start = days_from_civil(year, 1 + (k as u32 % 12), 1);
            let next_month = (last_month % 12) + 1;
            let next_year = if last_month == 12 {
                last_year + 1
            } else {
                last_year
            };
            Recurring {
                customer: k as u32,
                item,
                amount: price,
                start,
                next: days_from_civil(next_year, next_month, 1),
                previous: days_from_civil(last_year, last_month, 1),
                active: k % 4 != 3,
                created: start_of_day(start - 3) + 11 * 3600 + k as i64,
            }
        })
        .collect()
}

/// `QBO.TimeActivity`: hours one employee (or a subcontracting vendor) spent on a job.
#[derive(Debug, Clone)]
pub(crate) struct TimeActivity {
    /// Who worked.
    pub(crate) worker: Worker,
    pub(crate) customer: u32,
    /// Index of the service item worked on.
    pub(crate) item: u32,
    pub(crate) txn_date: i32,
    pub(crate) hours: u8,
    pub(crate) minutes: u8,
    /// Cents per hour.
    pub(crate) hourly_rate: i64,
    pub(crate) created: i64,
}

/// Who a time activity's hours are of (indexes into the employees or vendors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Worker {
    Employee(u32),
    Vendor(u32),
}

/// An invoice as far as the time worked on it needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WorkedInvoice {
    pub(crate) index: u32,
    pub(crate) customer: u32,
    pub(crate) txn_date: i32,
    pub(crate) created: i64,
}

/// Every `TIME_EVERY`-th invoice was for a visit whose hours were kept.
pub(crate) const TIME_EVERY: u32 = 10;
/// Of those, every `SUBCONTRACTED_EVERY`-th visit was done by a subcontractor (a vendor).
pub(crate) const SUBCONTRACTED_EVERY: u32 = 5;

/// The time kept on every `TIME_EVERY`-th invoice's visit, the day before it was invoiced, by
/// one of `employees` (the active ones, in turn) or, every `SUBCONTRACTED_EVERY`-th, one of
/// `vendors`; on the labor item `labor` (index, cents per hour). In invoice order.
pub(crate) fn build_time_activities(
    seed: u64,
    invoices: impl Iterator<Item = WorkedInvoice>,
    employees: &[u32],
    vendors: usize,
    labor: Option<(u32, i64)>,
) -> Vec<TimeActivity> {
    let Some((item, rate)) = labor else {
        return Vec::new();
    };
    if employees.is_empty() {
        return Vec::new();
    }
    invoices
        .filter(|inv| inv.index % TIME_EVERY == 0)
        .map(|inv| {
            let visit = inv.index / TIME_EVERY;
            let mut rng = SplitMix64::for_record(seed, STREAM_TIME, u64::from(inv.index));
            let worker = if vendors > 0 && visit % SUBCONTRACTED_EVERY == SUBCONTRACTED_EVERY - 1 {
                Worker::Vendor((visit as usize % vendors) as u32)
            } else {
                Worker::Employee(employees[visit as usize % employees.len()])
            };
            TimeActivity {
                worker,
                customer: inv.customer,
                item,
                txn_date: inv.txn_date - 1,
                hours: rng.range(1, 7) as u8,
                minutes: [0, 15, 30, 45][rng.below(4) as usize],
                hourly_rate: rate,
                created: inv.created - 1800,
            }
        })
        .collect()
}

/// The calendar years from the one holding instant `from` to the one holding `to`.
pub(crate) fn years_between(from: i64, to: i64) -> (i64, i64) {
    (
        crate::time::civil(day_of(from)).0,
        crate::time::civil(day_of(to)).0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_one_per_currency_and_day_and_stay_near_their_start() {
        let (currencies, rates) = build_currencies(7, 0, 100, 109);
        assert_eq!(currencies.len(), CURRENCIES.len());
        assert_eq!(rates.len(), 10 * CURRENCIES.len());
        for r in &rates {
            let base = CURRENCIES[usize::from(r.currency)].3;
            let rate = r.rate_micros as f64 / 1e6;
            assert!((rate / base - 1.0).abs() < 0.05, "{rate} vs {base}");
        }
        assert!(rates.windows(2).all(|w| w[0].updated < w[1].updated));
        let i = rate_index(&rates, 2, 104).expect("in range");
        assert_eq!((rates[i].currency, rates[i].day), (2, 104));
        let i = rate_index(&rates, 1, 500).expect("after the last day");
        assert_eq!((rates[i].currency, rates[i].day), (1, 109));
        assert_eq!(rate_index(&rates, 0, 99), None);
        assert_eq!(rate_index(&rates, CURRENCIES.len(), 104), None);
    }

    #[test]
    fn budgets_cover_their_year_by_month_and_account() {
        let budgets = build_budgets(7, 2023, 2025, 1000);
        assert_eq!(budgets.len(), 3);
        assert!(!budgets[0].active && budgets[1].active);
        for b in &budgets {
            assert_eq!(b.amounts.len(), 12 * BUDGET_ACCOUNTS.len());
            assert_eq!(budget_month(b.start, 0), b.start);
            assert!(budget_month(b.start, 11) < b.end);
            assert!(b.amounts.iter().all(|&a| a > 0 && a % 100 == 0));
        }
        assert_eq!(budgets[1].start, days_from_civil(2024, 1, 1));
        assert_eq!(budgets[1].end, days_from_civil(2024, 12, 31));
    }
}
