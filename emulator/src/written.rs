//! Transactions written through the API, reduced to what the ledger posts.
//!
//! Why it exists: reports (`reports.rs`, via `ledger.rs`) must agree with the books as the API
//! serves them, writes included. Reading the stored QBO JSON of every written invoice, payment
//! and bill on each report would hold the overlay's lock for as long as there are writes, so the
//! overlay (`changes.rs`) hands each written transaction to [`Written::record`] when it is
//! stored, and a report takes the whole [`Written`] by cloning an `Arc` (copy on write). With no
//! writes it is empty and the ledger's seeded pass runs as before.
//!
//! A written record shadows the seeded record of the same index (an update replaces its
//! postings, a delete removes them; a void stores zero amounts, so it posts zeros). Accounts come
//! from the stored JSON: an invoice line's `ItemAccountRef` (else its item's income account; a
//! `DescriptionOnly` line: the first income account), each sales line's `ClassRef` and the
//! sale's `DepartmentRef` (what `ClassSales` and `DepartmentSales` group by),
//! `TxnTaxDetail.TotalTax` to Sales Tax Payable, a payment's `DepositToAccountRef` and
//! `Line[].LinkedTxn` invoices, a bill's line `AccountRef`s (an `ItemBasedExpenseLineDetail`
//! line: a seeded inventory item's stock into Inventory Asset at its cost, the rest of the
//! amount to Cost of Goods Sold; another item's expense account), an invoice's or sale's
//! inventory at cost to Cost of Goods Sold; the other posting transactions (`txns.rs`) as an [`Entry`] of journal lines
//! read the same way (a sales receipt's lines as an invoice's, against its
//! `DepositToAccountRef`; a journal entry's by `PostingType`). This module must never render
//! JSON or know about HTTP.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::chart::Chart;
use crate::data::{ACCT_AP, ACCT_CHECKING};
use crate::data::{ACCT_AR, ACCT_SALES_TAX, ACCT_UNDEPOSITED, Dataset};
use crate::entity::Entity;
use crate::time::{TimeLiteral, parse_time_literal};
use crate::txns::Kind;
use crate::values::{cents, id_text, index_of};

/// A written invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invoice {
    /// `TxnDate`, company-local day.
    pub(crate) day: i32,
    /// `DueDate`.
    pub(crate) due: i32,
    /// Customer index.
    pub(crate) customer: usize,
    /// The customer's name (`CustomerRef.name`).
    pub(crate) party: String,
    /// `DocNumber`.
    pub(crate) doc_number: String,
    /// Income accounts of its lines and the tax, per account, in cents (credited).
    pub(crate) credits: Vec<(usize, i64)>,
    /// Its item lines: item index, `Qty` in thousandths, amount in cents.
    pub(crate) items: Vec<(usize, i64, i64)>,
    /// Its sales lines as income by account and class (`ClassRef`).
    pub(crate) income: Vec<Income>,
    /// Its location (`DepartmentRef`).
    pub(crate) department: Option<Tag>,
    /// The cost of the inventory its lines sell (Cost of Goods Sold), in cents.
    pub(crate) cost: i64,
}

/// A class or location a written transaction names: the index its reference points at and the
/// reference's `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    /// Index into the classes or departments (`value - 1`).
    pub(crate) index: usize,
    /// The reference's `name` (the build fills in the `FullyQualifiedName`).
    pub(crate) name: String,
}

/// One sales line of a written sale as income: the account it credits, its class, cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Income {
    /// Income account index.
    pub(crate) account: usize,
    /// The line's `ClassRef`.
    pub(crate) class: Option<Tag>,
    /// Cents (positive: credited).
    pub(crate) amount: i64,
}

impl Invoice {
    /// What A/R is debited: the sum of the credits (`TotalAmt`).
    pub(crate) fn total(&self) -> i64 {
        self.credits.iter().map(|(_, amount)| amount).sum()
    }
}

/// A written customer payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payment {
    /// `TxnDate`.
    pub(crate) day: i32,
    /// Customer index.
    pub(crate) customer: usize,
    /// The customer's name (`CustomerRef.name`).
    pub(crate) party: String,
    /// `DepositToAccountRef` account index.
    pub(crate) deposit: usize,
    /// `TotalAmt` in cents.
    pub(crate) total: i64,
    /// Invoice indexes and the amounts applied to them.
    pub(crate) applied: Vec<(usize, i64)>,
    /// `PaymentRefNum`.
    pub(crate) ref_number: String,
}

impl Payment {
    /// What is not applied to any invoice (a credit on the customer's account).
    pub(crate) fn unapplied(&self) -> i64 {
        self.total - self.applied.iter().map(|(_, amount)| amount).sum::<i64>()
    }
}

/// A written bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bill {
    /// `TxnDate`.
    pub(crate) day: i32,
    /// `DueDate` (when a paid bill is paid, like the seeded ones).
    pub(crate) due: i32,
    /// Vendor index.
    pub(crate) vendor: usize,
    /// The vendor's name (`VendorRef.name`).
    pub(crate) party: String,
    /// `DocNumber`.
    pub(crate) doc_number: String,
    /// Expense accounts of its lines, per account, in cents (debited).
    pub(crate) debits: Vec<(usize, i64)>,
    /// The seeded bill payment that paid it (its `LinkedTxn`, with `Balance` zero): it still
    /// pays it by check on the due date unless that payment was itself written.
    pub(crate) seeded_payment: Option<usize>,
    /// The inventory its `ItemBasedExpenseLineDetail` lines buy: item index, `Qty` in
    /// thousandths.
    pub(crate) stock: Vec<(usize, i64)>,
}

impl Bill {
    /// What A/P is credited.
    pub(crate) fn total(&self) -> i64 {
        self.debits.iter().map(|(_, amount)| amount).sum()
    }
}

/// A bill payment written through the API (or a seeded one changed by a write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BillPay {
    /// `TxnDate`.
    pub(crate) day: i32,
    /// Vendor index.
    pub(crate) vendor: usize,
    /// The vendor's name (`VendorRef.name`).
    pub(crate) party: String,
    /// The account paid from: `CheckPayment.BankAccountRef` or `CreditCardPayment.CCAccountRef`.
    pub(crate) from: usize,
    /// `PayType` is `CreditCard` (else `Check`).
    pub(crate) by_card: bool,
    /// `TotalAmt` in cents.
    pub(crate) total: i64,
    /// Bill indexes and the amounts paid on them.
    pub(crate) bills: Vec<(usize, i64)>,
}

/// A written sales receipt, credit memo, refund, deposit, purchase, journal entry, transfer,
/// vendor credit or card payment, as its journal lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// `TxnDate`.
    pub(crate) day: i32,
    /// Account and cents, debit positive; they sum to zero (the first is the record's own
    /// account: deposited to, paid from, A/R or A/P).
    pub(crate) lines: Vec<(usize, i64)>,
    /// The customer index (`CustomerRef`), for receivables.
    pub(crate) customer: Option<usize>,
    /// The customer's or vendor's name and index, as the record names them.
    pub(crate) party: Option<(String, usize)>,
    /// `DocNumber`.
    pub(crate) doc_number: String,
    /// A sales receipt's, credit memo's or refund's sales lines as income (else empty).
    pub(crate) income: Vec<Income>,
    /// A sales receipt's, credit memo's or refund's location (`DepartmentRef`).
    pub(crate) department: Option<Tag>,
    /// The inventory it moves: item index, `Qty` in thousandths (in positive: bought or taken
    /// back; out negative: sold or returned to the vendor).
    pub(crate) stock: Vec<(usize, i64)>,
    /// What it debits Cost of Goods Sold for the stock it sells (negative: takes back), cents.
    pub(crate) cost: i64,
}

/// The unit cost, in cents, of seeded inventory item `item`'s stock (`None`: untracked).
pub(crate) fn stock_cost(ds: &Dataset, item: usize) -> Option<i64> {
    ds.items.get(item)?.stock_cost()
}

/// What `qty` thousandths of a unit cost at `unit` cents, to the nearest cent.
pub(crate) fn cost_of(unit: i64, qty: i64) -> i64 {
    let milli = i128::from(unit) * i128::from(qty);
    let cents = (milli + 500 * milli.signum()) / 1000;
    i64::try_from(cents).unwrap_or(0)
}

/// The `Qty` of a line's detail, in thousandths (1 when absent).
fn quantity(detail: Option<&Value>) -> i64 {
    detail
        .and_then(|d| d.get("Qty"))
        .and_then(Value::as_f64)
        .filter(|q| q.is_finite() && q.abs() < 1e12)
        .map_or(1000, |q| (q * 1000.0).round() as i64)
}

/// Adds an `ItemBasedExpenseLineDetail` line of `amount` (`detail`) to `debits`: a tracked
/// item's stock to Inventory Asset at its cost, what was paid over (or under) that to Cost of
/// Goods Sold, and its quantity to `stock`; another item's amount to its expense account. `None`
/// when the line names no seeded item.
fn bought(
    ds: &Dataset,
    detail: Option<&Value>,
    amount: i64,
    debits: &mut Vec<(usize, i64)>,
    stock: &mut Vec<(usize, i64)>,
) -> Option<()> {
    let index = reference(detail?.get("ItemRef"))?;
    let item = ds.items.get(index)?;
    match (item.asset_account, item.stock_cost()) {
        (Some(asset), Some(unit)) => {
            let qty = quantity(detail);
            let value = cost_of(unit, qty);
            add(debits, asset, value);
            if amount != value {
                add(debits, crate::data::ACCT_COGS, amount - value);
            }
            stock.push((index, qty));
        }
        _ => add(debits, item.expense_account?, amount),
    }
    Some(())
}

/// Written records of one transaction type by index; `None`: deleted.
type Records<T> = BTreeMap<usize, Option<Arc<T>>>;

/// Every written invoice, payment and bill, as the ledger posts them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Written {
    invoices: Records<Invoice>,
    payments: Records<Payment>,
    bills: Records<Bill>,
    bill_payments: Records<BillPay>,
    posted: BTreeMap<Kind, Records<Entry>>,
    chart: Chart,
}

/// What a record index holds in [`Written`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shadow<'a, T> {
    /// Not written: the seeded record (if any) counts.
    Seeded,
    /// Written: this replaces the seeded record.
    Live(&'a T),
    /// Deleted: nothing counts.
    Deleted,
}

fn shadow<T>(records: &Records<T>, index: usize) -> Shadow<'_, T> {
    if records.is_empty() {
        return Shadow::Seeded;
    }
    match records.get(&index) {
        None => Shadow::Seeded,
        Some(Some(record)) => Shadow::Live(record),
        Some(None) => Shadow::Deleted,
    }
}

fn live<T>(records: &Records<T>) -> impl Iterator<Item = (usize, &T)> {
    records
        .iter()
        .filter_map(|(index, record)| record.as_deref().map(|r| (*index, r)))
}

impl Written {
    /// Take in the current state of record `index` of `entity` (`None`: deleted). Entities
    /// that post nothing are ignored.
    pub(crate) fn record(
        &mut self,
        ds: &Dataset,
        entity: Entity,
        index: usize,
        json: Option<&Map<String, Value>>,
    ) {
        match entity {
            Entity::Invoice => {
                let record = json.and_then(|j| invoice(ds, &self.chart, j)).map(Arc::new);
                self.invoices.insert(index, record);
            }
            Entity::Payment => {
                let record = json.and_then(|j| payment(ds, &self.chart, j)).map(Arc::new);
                self.payments.insert(index, record);
            }
            Entity::Bill => {
                let record = json.and_then(|j| bill(ds, &self.chart, j)).map(Arc::new);
                self.bills.insert(index, record);
            }
            Entity::BillPayment => {
                let record = json
                    .and_then(|j| bill_payment(ds, &self.chart, j))
                    .map(Arc::new);
                self.bill_payments.insert(index, record);
            }
            Entity::Account => {
                if let Some(json) = json {
                    self.chart.record(index, json);
                }
            }
            other => {
                if let Some(kind) = other.kind() {
                    let record = json
                        .and_then(|j| entry(ds, &self.chart, kind, j))
                        .map(Arc::new);
                    self.posted.entry(kind).or_default().insert(index, record);
                }
            }
        }
    }

    /// The chart of accounts with the written accounts in it.
    pub(crate) fn chart(&self) -> &Chart {
        &self.chart
    }

    /// What record `index` of `kind` is now, as far as writes go.
    pub(crate) fn posted(&self, kind: Kind, index: usize) -> Shadow<'_, Entry> {
        match self.posted.get(&kind) {
            Some(records) => shadow(records, index),
            None => Shadow::Seeded,
        }
    }

    /// Written records of `kind` that are not deleted, by index.
    pub(crate) fn posted_of(&self, kind: Kind) -> impl Iterator<Item = (usize, &Entry)> {
        self.posted.get(&kind).into_iter().flat_map(live)
    }

    /// What invoice `index` is now, as far as writes go.
    pub(crate) fn invoice(&self, index: usize) -> Shadow<'_, Invoice> {
        shadow(&self.invoices, index)
    }

    /// What payment `index` is now.
    pub(crate) fn payment(&self, index: usize) -> Shadow<'_, Payment> {
        shadow(&self.payments, index)
    }

    /// What bill `index` is now.
    pub(crate) fn bill(&self, index: usize) -> Shadow<'_, Bill> {
        shadow(&self.bills, index)
    }

    /// Written invoices that are not deleted, by index.
    pub(crate) fn invoices(&self) -> impl Iterator<Item = (usize, &Invoice)> {
        live(&self.invoices)
    }

    /// Written payments that are not deleted, by index.
    pub(crate) fn payments(&self) -> impl Iterator<Item = (usize, &Payment)> {
        live(&self.payments)
    }

    /// Written bills that are not deleted, by index.
    pub(crate) fn bills(&self) -> impl Iterator<Item = (usize, &Bill)> {
        live(&self.bills)
    }

    /// What bill payment `index` is now.
    pub(crate) fn bill_payment(&self, index: usize) -> Shadow<'_, BillPay> {
        shadow(&self.bill_payments, index)
    }

    /// Written bill payments that are not deleted, by index.
    pub(crate) fn bill_payments(&self) -> impl Iterator<Item = (usize, &BillPay)> {
        live(&self.bill_payments)
    }

    /// What the written bill payments dated by `day` paid on bill `bill`.
    pub(crate) fn paid_on_bill(&self, bill: usize, day: i32) -> i64 {
        self.bill_payments()
            .filter(|(_, p)| p.day <= day)
            .flat_map(|(_, p)| &p.bills)
            .filter(|(paid, _)| *paid == bill)
            .map(|(_, amount)| amount)
            .sum()
    }
}

// ---------------------------------------------------------------------------------------------
// Reading stored JSON

fn day(json: &Map<String, Value>, key: &str) -> Option<i32> {
    match parse_time_literal(json.get(key)?.as_str()?)? {
        TimeLiteral::Day(day) => Some(day),
        TimeLiteral::Instant(_) => None,
    }
}

fn amount(json: &Map<String, Value>, key: &str) -> i64 {
    json.get(key).and_then(cents).unwrap_or(0)
}

/// The index a reference (`{"value": "58"}`) names.
fn reference(value: Option<&Value>) -> Option<usize> {
    index_of(&id_text(value?.get("value")?)?)
}

/// The `name` of a reference field.
fn name(json: &Map<String, Value>, key: &str) -> String {
    json.get(key)
        .and_then(|r| r.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn text(json: &Map<String, Value>, key: &str) -> String {
    json.get(key).and_then(id_text).unwrap_or_default()
}

/// The first account of `account_type` (the chart always has one of each type used here).
fn first_of(ds: &Dataset, account_type: &str) -> usize {
    ds.accounts
        .iter()
        .position(|a| a.account_type == account_type)
        .unwrap_or(0)
}

fn add(out: &mut Vec<(usize, i64)>, account: usize, amount: i64) {
    match out.iter_mut().find(|(a, _)| *a == account) {
        Some((_, total)) => *total += amount,
        None => out.push((account, amount)),
    }
}

fn lines(json: &Map<String, Value>) -> impl Iterator<Item = &Map<String, Value>> {
    json.get("Line")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// The class or location reference `value` names, with its name.
fn tag(value: Option<&Value>) -> Option<Tag> {
    reference_of(value).map(|(name, index)| Tag { index, name })
}

fn invoice(ds: &Dataset, chart: &Chart, json: &Map<String, Value>) -> Option<Invoice> {
    let day = day(json, "TxnDate")?;
    let income = first_of(ds, "Income");
    let mut credits = Vec::with_capacity(2);
    let mut items = Vec::with_capacity(2);
    let mut tracked = Vec::with_capacity(2);
    let mut cost = 0;
    for line in lines(json) {
        let value = amount(line, "Amount");
        match line.get("DetailType").and_then(Value::as_str) {
            Some("SalesItemLineDetail") => {
                let detail = line.get("SalesItemLineDetail");
                let item = reference(detail.and_then(|d| d.get("ItemRef")));
                if let Some(index) = item.filter(|&i| i < ds.items.len()) {
                    let qty = quantity(detail);
                    if let Some(unit) = stock_cost(ds, index) {
                        cost += cost_of(unit, qty);
                    }
                    items.push((index, qty, value));
                }
                let of_item = item
                    .and_then(|item| ds.items.get(item))
                    .map(|item| item.income_account);
                let named = reference(detail.and_then(|d| d.get("ItemAccountRef")));
                let credited = chart.or(ds, named.or(of_item), income);
                add(&mut credits, credited, value);
                tracked.push(Income {
                    account: credited,
                    class: tag(detail.and_then(|d| d.get("ClassRef"))),
                    amount: value,
                });
            }
            Some("DescriptionOnly") => {
                add(&mut credits, income, value);
                tracked.push(Income {
                    account: income,
                    class: None,
                    amount: value,
                });
            }
            _ => {}
        }
    }
    let tax = json
        .get("TxnTaxDetail")
        .and_then(|t| t.get("TotalTax"))
        .and_then(cents)
        .unwrap_or(0);
    if tax != 0 {
        add(&mut credits, ACCT_SALES_TAX, tax);
    }
    Some(Invoice {
        day,
        due: self::day(json, "DueDate").unwrap_or(day),
        customer: reference(json.get("CustomerRef")).unwrap_or(0),
        party: name(json, "CustomerRef"),
        doc_number: text(json, "DocNumber"),
        credits,
        items,
        income: tracked,
        department: tag(json.get("DepartmentRef")),
        cost,
    })
}

/// What the lines of a payment (`json`) pay on each transaction of `txn_type` (`Invoice` for a
/// Payment, `Bill` for a BillPayment): index and cents, each line's first link of that type.
pub(crate) fn paid_by_lines(json: &Map<String, Value>, txn_type: &str) -> Vec<(usize, i64)> {
    let mut paid = Vec::new();
    for line in lines(json) {
        let linked = line
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| t.get("TxnType").and_then(Value::as_str) == Some(txn_type))
            .and_then(|t| index_of(&id_text(t.get("TxnId")?)?));
        if let Some(index) = linked {
            add(&mut paid, index, amount(line, "Amount"));
        }
    }
    paid
}

fn payment(ds: &Dataset, chart: &Chart, json: &Map<String, Value>) -> Option<Payment> {
    let day = day(json, "TxnDate")?;
    let applied = paid_by_lines(json, "Invoice");
    Some(Payment {
        day,
        customer: reference(json.get("CustomerRef")).unwrap_or(0),
        party: name(json, "CustomerRef"),
        deposit: chart.or(
            ds,
            reference(json.get("DepositToAccountRef")),
            ACCT_UNDEPOSITED,
        ),
        total: amount(json, "TotalAmt"),
        applied,
        ref_number: text(json, "PaymentRefNum"),
    })
}

/// The indexes of the transactions of type `txn_type` that `json`'s own `LinkedTxn` names.
fn linked<'a>(json: &'a Map<String, Value>, txn_type: &'a str) -> impl Iterator<Item = usize> + 'a {
    json.get("LinkedTxn")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |t| t.get("TxnType").and_then(Value::as_str) == Some(txn_type))
        .filter_map(|t| index_of(&id_text(t.get("TxnId")?)?))
}

fn bill_payment(ds: &Dataset, chart: &Chart, json: &Map<String, Value>) -> Option<BillPay> {
    let day = day(json, "TxnDate")?;
    let bills = paid_by_lines(json, "Bill");
    let from = reference(
        json.get("CheckPayment")
            .and_then(|c| c.get("BankAccountRef"))
            .or_else(|| {
                json.get("CreditCardPayment")
                    .and_then(|c| c.get("CCAccountRef"))
            }),
    );
    Some(BillPay {
        day,
        vendor: reference(json.get("VendorRef")).unwrap_or(0),
        party: name(json, "VendorRef"),
        from: chart.or(ds, from, ACCT_CHECKING),
        by_card: json.get("PayType").and_then(Value::as_str) == Some("CreditCard"),
        total: amount(json, "TotalAmt"),
        bills,
    })
}

fn bill(ds: &Dataset, chart: &Chart, json: &Map<String, Value>) -> Option<Bill> {
    let day = day(json, "TxnDate")?;
    let expense = first_of(ds, "Expense");
    let mut debits = Vec::with_capacity(2);
    let mut stock = Vec::new();
    for line in lines(json) {
        let value = amount(line, "Amount");
        if bought(
            ds,
            line.get("ItemBasedExpenseLineDetail"),
            value,
            &mut debits,
            &mut stock,
        )
        .is_some()
        {
            continue;
        }
        let named = reference(
            line.get("AccountBasedExpenseLineDetail")
                .and_then(|d| d.get("AccountRef")),
        );
        add(&mut debits, chart.or(ds, named, expense), value);
    }
    let total: i64 = debits.iter().map(|(_, a)| a).sum();
    Some(Bill {
        day,
        due: self::day(json, "DueDate").unwrap_or(day),
        vendor: reference(json.get("VendorRef")).unwrap_or(0),
        party: name(json, "VendorRef"),
        doc_number: text(json, "DocNumber"),
        debits,
        seeded_payment: linked(json, "BillPayment")
            .next()
            .filter(|&k| k < ds.bill_payments.len() && amount(json, "Balance") == 0 && total != 0),
        stock,
    })
}

fn reference_of(value: Option<&Value>) -> Option<(String, usize)> {
    let value = value?;
    let index = reference(Some(value))?;
    let name = value
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some((name, index))
}

/// The journal lines of a written record of `kind` (its stored JSON), as the seeded ones of
/// `txns.rs` post: sales lines and tax as an invoice's; expense lines by `AccountRef` or the
/// item's expense account; journal lines by `PostingType`.
fn entry(ds: &Dataset, chart: &Chart, kind: Kind, json: &Map<String, Value>) -> Option<Entry> {
    let day = day(json, "TxnDate")?;
    let mut out: Vec<(usize, i64)> = Vec::with_capacity(3);
    let head = |out: &mut Vec<(usize, i64)>, key: &str, fallback: usize, amount: i64| {
        out.push((chart.or(ds, reference(json.get(key)), fallback), amount));
    };
    let customer = reference(json.get("CustomerRef"));
    let mut party = reference_of(json.get("CustomerRef"));
    let mut income = Vec::new();
    let mut stock = Vec::new();
    let mut cost = 0;
    match kind {
        Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt => {
            let sale = invoice(ds, chart, json)?;
            income = sale.income;
            let sign = if kind == Kind::SalesReceipt { 1 } else { -1 };
            stock = sale
                .items
                .iter()
                .filter(|(item, _, _)| stock_cost(ds, *item).is_some())
                .map(|&(item, qty, _)| (item, -sign * qty))
                .collect();
            cost = sign * sale.cost;
            let credits = sale.credits;
            let total: i64 = credits.iter().map(|(_, a)| a).sum();
            let sign = if kind == Kind::SalesReceipt { 1 } else { -1 };
            match kind {
                Kind::SalesReceipt => {
                    head(&mut out, "DepositToAccountRef", ACCT_UNDEPOSITED, total)
                }
                Kind::CreditMemo => out.push((ACCT_AR, -total)),
                _ => head(&mut out, "DepositToAccountRef", ACCT_CHECKING, -total),
            }
            for (acct, amount) in credits {
                add(&mut out, acct, -sign * amount);
            }
            if cost != 0 {
                add(&mut out, crate::data::ACCT_COGS, cost);
                add(&mut out, crate::data::ACCT_INVENTORY, -cost);
            }
        }
        Kind::Purchase | Kind::VendorCredit => {
            let expense = first_of(ds, "Cost of Goods Sold");
            let mut debits = Vec::with_capacity(2);
            for line in lines(json) {
                let value = amount(line, "Amount");
                if bought(
                    ds,
                    line.get("ItemBasedExpenseLineDetail"),
                    value,
                    &mut debits,
                    &mut stock,
                )
                .is_some()
                {
                    continue;
                }
                let by_account = line
                    .get("AccountBasedExpenseLineDetail")
                    .and_then(|d| reference(d.get("AccountRef")));
                add(&mut debits, chart.or(ds, by_account, expense), value);
            }
            let total: i64 = debits.iter().map(|(_, a)| a).sum();
            // A card credit (`Credit: true`) is a refund onto the card.
            let sign =
                if kind == Kind::VendorCredit || json.get("Credit") == Some(&Value::Bool(true)) {
                    -1
                } else {
                    1
                };
            // A credit sends the stock back.
            for (_, qty) in &mut stock {
                *qty *= sign;
            }
            if kind == Kind::VendorCredit {
                head(&mut out, "APAccountRef", ACCT_AP, total);
                party = reference_of(json.get("VendorRef"));
            } else {
                head(&mut out, "AccountRef", ACCT_CHECKING, -sign * total);
                party = reference_of(json.get("EntityRef"));
            }
            for (acct, amount) in debits {
                add(&mut out, acct, sign * amount);
            }
        }
        Kind::Deposit => {
            let mut credits = Vec::with_capacity(2);
            for line in lines(json) {
                let named = line
                    .get("DepositLineDetail")
                    .and_then(|d| reference(d.get("AccountRef")));
                add(
                    &mut credits,
                    chart.or(ds, named, ACCT_UNDEPOSITED),
                    amount(line, "Amount"),
                );
            }
            let total: i64 = credits.iter().map(|(_, a)| a).sum();
            head(&mut out, "DepositToAccountRef", ACCT_CHECKING, total);
            for (acct, amount) in credits {
                add(&mut out, acct, -amount);
            }
        }
        Kind::JournalEntry => {
            for line in lines(json) {
                let detail = line.get("JournalEntryLineDetail");
                let Some(acct) = detail
                    .and_then(|d| reference(d.get("AccountRef")))
                    .filter(|&a| a < chart.len(ds))
                else {
                    continue;
                };
                let debit = detail
                    .and_then(|d| d.get("PostingType"))
                    .and_then(Value::as_str)
                    != Some("Credit");
                let value = amount(line, "Amount");
                add(&mut out, acct, if debit { value } else { -value });
            }
        }
        Kind::Transfer | Kind::CreditCardPayment => {
            let (from, to) = if kind == Kind::Transfer {
                ("FromAccountRef", "ToAccountRef")
            } else {
                ("BankAccountRef", "CreditCardAccountRef")
            };
            let value = amount(json, "Amount");
            head(&mut out, to, ACCT_CHECKING, value);
            let from = chart.or(ds, reference(json.get(from)), ACCT_CHECKING);
            add(&mut out, from, -value);
            party = reference_of(json.get("VendorRef"));
        }
    }
    Some(Entry {
        day,
        lines: out,
        customer: customer.filter(|_| {
            matches!(
                kind,
                Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt
            )
        }),
        party,
        doc_number: text(json, "DocNumber"),
        income,
        department: tag(json.get("DepartmentRef")).filter(|_| {
            matches!(
                kind,
                Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt
            )
        }),
        stock,
        cost,
    })
}

/// `amount` split over `parts` in proportion to their amounts, the rounding left on the last;
/// all of it on A/R when the parts add up to nothing.
pub(crate) fn allocate(amount: i64, parts: &[(usize, i64)], out: &mut Vec<(usize, i64)>) {
    let sum: i64 = parts.iter().map(|(_, a)| a).sum();
    if sum == 0 {
        add(out, ACCT_AR, amount);
        return;
    }
    if sum == amount {
        for &(account, part) in parts {
            add(out, account, part);
        }
        return;
    }
    let mut left = amount;
    for (at, &(account, part)) in parts.iter().enumerate() {
        let share = if at + 1 == parts.len() {
            left
        } else {
            let share = i128::from(amount) * i128::from(part) / i128::from(sum);
            i64::try_from(share).unwrap_or(0)
        };
        left -= share;
        add(out, account, share);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn an_invoice_credits_its_items_income_accounts_and_the_tax() {
        let ds = Dataset::build(&EmulatorConfig::default()).expect("builds");
        let income = ds.items[1].income_account;
        let json = object(json!({
            "TxnDate": "2023-05-02", "DueDate": "2023-06-01",
            "CustomerRef": {"value": "3"}, "DocNumber": "T-1",
            "Line": [
                {"Amount": 100.25, "DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": "2"}}},
                {"Amount": 10, "DetailType": "SalesItemLineDetail",
                 "SalesItemLineDetail": {"ItemRef": {"value": "2"},
                                         "ItemAccountRef": {"value": "17"}}},
                {"Amount": 110.25, "DetailType": "SubTotalLineDetail"}
            ],
            "TxnTaxDetail": {"TotalTax": 5.5}
        }));
        let mut written = Written::default();
        written.record(&ds, Entity::Invoice, 2500, Some(&json));
        let Shadow::Live(invoice) = written.invoice(2500) else {
            panic!("written");
        };
        let mut expected = Vec::new();
        add(&mut expected, income, 10025);
        add(&mut expected, 16, 1000);
        add(&mut expected, ACCT_SALES_TAX, 550);
        assert_eq!(invoice.credits, expected);
        assert_eq!(invoice.total(), 11575);
        assert_eq!(invoice.customer, 2);
        assert!(matches!(written.invoice(0), Shadow::Seeded));
        written.record(&ds, Entity::Invoice, 0, None);
        assert!(matches!(written.invoice(0), Shadow::Deleted));
        assert_eq!(written.invoices().count(), 1);
    }

    #[test]
    fn allocation_keeps_every_cent() {
        let mut out = Vec::new();
        allocate(1000, &[(1, 1), (2, 1), (3, 1)], &mut out);
        assert_eq!(out, vec![(1, 333), (2, 333), (3, 334)]);
        out.clear();
        allocate(500, &[], &mut out);
        assert_eq!(out, vec![(ACCT_AR, 500)]);
    }
}
