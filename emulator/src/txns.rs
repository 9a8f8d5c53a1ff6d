//! The company's other posting transactions, seeded beside its invoices, payments and bills:
//! sales receipts, credit memos, refund receipts, deposits, purchases (expenses, checks, card
//! charges), journal entries, transfers, vendor credits and credit card payments.
//!
//! Why it exists: QBO's books hold more than invoices and bills, and every one of these moves
//! money between accounts. Each record keeps its own journal lines ([`Posted::lines`]: accounts
//! and amounts in cents, debit positive, summing to zero), so the ledger posts exactly what the
//! record's JSON shows and the accounts' `CurrentBalance` is the same sum. Inventory items are
//! bought on expenses' `ItemBasedExpenseLineDetail` lines into Inventory Asset (restocks, tens
//! of units at the item's cost), and a sale's lines carry the cost of the inventory it sells
//! (Cost of Goods Sold against Inventory Asset; credit memos and refunds take it back). Records refer only to
//! what exists: customers, vendors, items and accounts by index, deposits to payments that were
//! put in Undeposited Funds before the deposit, card payments to the card charges of a statement.
//! Like `lists.rs`, every row is a pure function of its inputs (its own SplitMix64 stream per
//! record); nothing here renders JSON or knows about HTTP.

use crate::rng::SplitMix64;
use crate::time::{day_of, start_of_day};

const STREAM_SALES_RECEIPT: u64 = 20;
const STREAM_CREDIT_MEMO: u64 = 21;
const STREAM_REFUND_RECEIPT: u64 = 22;
const STREAM_PURCHASE: u64 = 23;
const STREAM_JOURNAL: u64 = 24;
const STREAM_TRANSFER: u64 = 25;
const STREAM_VENDOR_CREDIT: u64 = 26;

/// One of the transaction types of this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    SalesReceipt,
    CreditMemo,
    RefundReceipt,
    Deposit,
    Purchase,
    JournalEntry,
    Transfer,
    VendorCredit,
    CreditCardPayment,
}

impl Kind {
    /// Every kind, in the order the ledger posts them.
    pub(crate) const ALL: [Kind; 9] = [
        Kind::SalesReceipt,
        Kind::CreditMemo,
        Kind::RefundReceipt,
        Kind::Deposit,
        Kind::Purchase,
        Kind::JournalEntry,
        Kind::Transfer,
        Kind::VendorCredit,
        Kind::CreditCardPayment,
    ];

    /// Whether it posts on the cash basis too (money moved). A credit memo or vendor credit
    /// only changes what is owed, so the cash basis leaves it out.
    pub(crate) fn on_cash_basis(self) -> bool {
        !matches!(self, Kind::CreditMemo | Kind::VendorCredit)
    }

    /// The transaction type a general ledger shows.
    pub(crate) fn report_name(self) -> &'static str {
        match self {
            Kind::SalesReceipt => "Sales Receipt",
            Kind::CreditMemo => "Credit Memo",
            Kind::RefundReceipt => "Refund",
            Kind::Deposit => "Deposit",
            Kind::Purchase => "Expense",
            Kind::JournalEntry => "Journal Entry",
            Kind::Transfer => "Transfer",
            Kind::VendorCredit => "Vendor Credit",
            Kind::CreditCardPayment => "Credit Card Payment",
        }
    }
}

/// The accounts these transactions use (indexes into the chart).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chart {
    pub(crate) checking: usize,
    pub(crate) savings: usize,
    pub(crate) receivable: usize,
    pub(crate) undeposited: usize,
    pub(crate) payable: usize,
    pub(crate) credit_card: usize,
    pub(crate) sales_tax: usize,
    pub(crate) loan: usize,
    pub(crate) vehicles: usize,
    pub(crate) owner: usize,
    pub(crate) bank_charges: usize,
    pub(crate) interest: usize,
    pub(crate) cost_of_goods: usize,
    /// Inventory Asset: what the tracked items' stock is worth.
    pub(crate) inventory: usize,
}

/// An item as a sale or purchase line needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ItemInfo {
    pub(crate) price: i64,
    pub(crate) cost: i64,
    pub(crate) taxable: bool,
    pub(crate) income: usize,
    pub(crate) expense: Option<usize>,
    pub(crate) big: bool,
    pub(crate) service: bool,
    /// Still sold and bought (a retired item is on old invoices only).
    pub(crate) active: bool,
    /// The asset account its stock is kept in, when its quantity is tracked (bought into it,
    /// sold out of it at `cost`).
    pub(crate) asset: Option<usize>,
}

/// A customer payment as a deposit needs it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Undeposited {
    pub(crate) index: u32,
    pub(crate) at: i64,
    pub(crate) amount: i64,
}

/// `(created, updated)` of record `i` (second argument) of a table with one record per `per`
/// (first argument) invoices, edited or not.
pub(crate) type Times<'a> = &'a dyn Fn(&mut SplitMix64, usize, usize, bool) -> (i64, i64);

/// What the transactions are drawn from.
pub(crate) struct Inputs<'a> {
    pub(crate) seed: u64,
    /// The invoice count: every table's size follows it.
    pub(crate) invoices: usize,
    /// Whether customer `i` is charged sales tax.
    pub(crate) customer_taxable: &'a [bool],
    /// The customers and vendors still active (new transactions name only them).
    pub(crate) active_customers: &'a [u32],
    pub(crate) active_vendors: &'a [u32],
    pub(crate) items: &'a [ItemInfo],
    /// The default expense account of vendor `i`.
    pub(crate) vendor_expense: &'a [usize],
    /// Customer payments put in Undeposited Funds, in time order.
    pub(crate) undeposited: &'a [Undeposited],
    pub(crate) chart: Chart,
    /// Sales-tax rate, basis points.
    pub(crate) tax_bp: i64,
    /// `(created, updated)` of record `i` of a table with one record per `per` invoices,
    /// among the invoices' times (rising strictly with `i`).
    pub(crate) times: Times<'a>,
    /// Nothing happens after this instant.
    pub(crate) end: i64,
}

/// One item line of a sale (receipt, credit memo, refund).
#[derive(Debug, Clone)]
pub(crate) struct SaleLine {
    pub(crate) item: u32,
    pub(crate) qty: i64,
    pub(crate) unit_price: i64,
    pub(crate) amount: i64,
    pub(crate) taxable: bool,
    /// Income account credited (the item's).
    pub(crate) income: u32,
}

/// A `SalesReceipt`, `CreditMemo` or `RefundReceipt`: a customer, item lines and sales tax.
#[derive(Debug, Clone)]
pub(crate) struct Sale {
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) customer: u32,
    pub(crate) txn_date: i32,
    /// Deposited to (receipt), refunded from (refund); A/R (credit memo).
    pub(crate) account: u32,
    /// Index into the payment methods (receipts and refunds).
    pub(crate) method: u8,
    /// Check or card reference (`PaymentRefNum`).
    pub(crate) ref_number: Option<u32>,
    pub(crate) lines: Box<[SaleLine]>,
    pub(crate) subtotal: i64,
    /// Taxable net and tax, when tax applies.
    pub(crate) tax: Option<(i64, i64)>,
    pub(crate) total: i64,
}

/// One expense line of a purchase or vendor credit: by account, or by item.
#[derive(Debug, Clone)]
pub(crate) struct CostLine {
    pub(crate) account: u32,
    pub(crate) amount: i64,
    /// `ItemBasedExpenseLineDetail`: the item and quantity (at `amount / qty`).
    pub(crate) item: Option<(u32, i64)>,
}

/// `Purchase.PaymentType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PayType {
    Cash,
    Check,
    CreditCard,
}

impl PayType {
    /// The JSON value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PayType::Cash => "Cash",
            PayType::Check => "Check",
            PayType::CreditCard => "CreditCard",
        }
    }
}

/// A `Purchase` (paid now) or `VendorCredit` (a credit on the vendor's account).
#[derive(Debug, Clone)]
pub(crate) struct Cost {
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) vendor: u32,
    pub(crate) txn_date: i32,
    /// Paid from (bank or card); A/P (vendor credit).
    pub(crate) account: u32,
    pub(crate) pay_type: PayType,
    pub(crate) doc_number: Option<u32>,
    pub(crate) lines: Box<[CostLine]>,
    pub(crate) total: i64,
}

/// A `Deposit` of customer payments from Undeposited Funds into a bank account.
#[derive(Debug, Clone)]
pub(crate) struct Deposit {
    pub(crate) created: i64,
    pub(crate) txn_date: i32,
    pub(crate) account: u32,
    /// Payment indexes and amounts, one line each.
    pub(crate) payments: Box<[(u32, i64)]>,
    pub(crate) total: i64,
}

/// A `JournalEntry`: lines of (account, cents, debit positive) that balance.
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    pub(crate) created: i64,
    pub(crate) txn_date: i32,
    pub(crate) note: &'static str,
    pub(crate) lines: Box<[(u32, i64)]>,
}

impl Journal {
    /// The debits (= the credits).
    pub(crate) fn total(&self) -> i64 {
        self.lines.iter().map(|l| l.1.max(0)).sum()
    }
}

/// A `Transfer` or `CreditCardPayment`: money from one account to another.
#[derive(Debug, Clone)]
pub(crate) struct Move {
    pub(crate) created: i64,
    pub(crate) txn_date: i32,
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) amount: i64,
    pub(crate) note: &'static str,
}

/// Every table of this file.
#[derive(Debug, Default)]
pub(crate) struct Posted {
    pub(crate) sales_receipts: Vec<Sale>,
    pub(crate) credit_memos: Vec<Sale>,
    pub(crate) refund_receipts: Vec<Sale>,
    pub(crate) deposits: Vec<Deposit>,
    pub(crate) purchases: Vec<Cost>,
    pub(crate) journal_entries: Vec<Journal>,
    pub(crate) transfers: Vec<Move>,
    pub(crate) vendor_credits: Vec<Cost>,
    pub(crate) card_payments: Vec<Move>,
    /// The tracked items and their unit costs, by item index (ascending): a sale of one posts
    /// its cost from Inventory Asset to Cost of Goods Sold.
    pub(crate) stock_costs: Box<[(u32, i64)]>,
}

/// `n / per`, rounded up (a company with any invoices has at least one of each).
fn share(n: usize, per: usize) -> usize {
    n.div_ceil(per)
}

fn add(out: &mut Vec<(usize, i64)>, account: usize, amount: i64) {
    match out.iter_mut().find(|(a, _)| *a == account) {
        Some((_, total)) => *total += amount,
        None => out.push((account, amount)),
    }
}

impl Posted {
    /// Every table drawn from `inputs`.
    pub(crate) fn build(inputs: &Inputs<'_>) -> Posted {
        let n = inputs.invoices;
        let catalog = Catalog::of(inputs.items);
        let parties = !inputs.active_customers.is_empty() && inputs.items.iter().any(|i| i.active);
        let sales = |per: usize, stream: u64, kind: Kind| -> Vec<Sale> {
            if !parties {
                return Vec::new();
            }
            (0..share(n, per))
                .map(|i| gen_sale(inputs, &catalog, kind, stream, per, i))
                .collect()
        };
        let vendors = !inputs.active_vendors.is_empty();
        let costs = |per: usize, stream: u64, credit: bool| -> Vec<Cost> {
            if !vendors {
                return Vec::new();
            }
            (0..share(n, per))
                .map(|i| gen_cost(inputs, &catalog, stream, per, i, credit))
                .collect()
        };
        let purchases = costs(8, STREAM_PURCHASE, false);
        let card_payments = card_payments(inputs, &purchases);
        Posted {
            sales_receipts: sales(10, STREAM_SALES_RECEIPT, Kind::SalesReceipt),
            credit_memos: sales(25, STREAM_CREDIT_MEMO, Kind::CreditMemo),
            refund_receipts: sales(50, STREAM_REFUND_RECEIPT, Kind::RefundReceipt),
            deposits: deposits(inputs),
            purchases,
            journal_entries: (0..share(n, 100))
                .map(|i| gen_journal(inputs, 100, i))
                .collect(),
            transfers: (0..share(n, 100))
                .map(|i| gen_transfer(inputs, 100, i))
                .collect(),
            vendor_credits: costs(50, STREAM_VENDOR_CREDIT, true),
            card_payments,
            stock_costs: inputs
                .items
                .iter()
                .enumerate()
                .filter(|(_, item)| item.asset.is_some())
                .map(|(index, item)| (index as u32, item.cost))
                .collect(),
        }
    }

    /// The unit cost of `item`'s stock, when its quantity is tracked.
    pub(crate) fn stock_cost(&self, item: u32) -> Option<i64> {
        let at = self
            .stock_costs
            .binary_search_by_key(&item, |&(index, _)| index)
            .ok()?;
        self.stock_costs.get(at).map(|&(_, cost)| cost)
    }

    /// The sales, returns and purchases of tracked items (sales receipts out; credit memos,
    /// refunds and expenses in), counted in `stock` on their days.
    pub(crate) fn count_stock(&self, stock: &mut crate::stock::DailyStock) {
        for (table, sign) in [
            (&self.sales_receipts, -1),
            (&self.credit_memos, 1),
            (&self.refund_receipts, 1),
        ] {
            for sale in table {
                for line in sale.lines.iter() {
                    stock.add(line.item as usize, sale.txn_date, sign * line.qty);
                }
            }
        }
        for purchase in &self.purchases {
            for line in purchase.lines.iter() {
                if let Some((item, qty)) = line.item {
                    stock.add(item as usize, purchase.txn_date, qty);
                }
            }
        }
    }

    /// The stock lines alone of sale `index` of `kind` (a sales receipt, credit memo or refund)
    /// into `out`: Cost of Goods Sold and Inventory Asset, the cost of the tracked items it sold
    /// or took back; and its day. What the cash basis posts of a credit memo (stock moves
    /// whether or not money does).
    pub(crate) fn stock_lines(
        &self,
        kind: Kind,
        index: usize,
        chart: &Chart,
        out: &mut Vec<(usize, i64)>,
    ) -> Option<i32> {
        out.clear();
        let (sale, sign) = match kind {
            Kind::SalesReceipt => (self.sales_receipts.get(index)?, 1),
            Kind::CreditMemo => (self.credit_memos.get(index)?, -1),
            Kind::RefundReceipt => (self.refund_receipts.get(index)?, -1),
            _ => return None,
        };
        self.add_stock_lines(sale, sign, chart, out);
        Some(sale.txn_date)
    }

    /// Adds the cost of `sale`'s tracked items to `out`: Cost of Goods Sold debited and
    /// Inventory Asset credited (`sign` -1: a return, the other way).
    fn add_stock_lines(&self, sale: &Sale, sign: i64, chart: &Chart, out: &mut Vec<(usize, i64)>) {
        for line in sale.lines.iter() {
            if let Some(unit) = self.stock_cost(line.item) {
                let cost = sign * line.qty * unit;
                add(out, chart.cost_of_goods, cost);
                add(out, chart.inventory, -cost);
            }
        }
    }

    /// How many records of `kind` there are.
    pub(crate) fn len(&self, kind: Kind) -> usize {
        match kind {
            Kind::SalesReceipt => self.sales_receipts.len(),
            Kind::CreditMemo => self.credit_memos.len(),
            Kind::RefundReceipt => self.refund_receipts.len(),
            Kind::Deposit => self.deposits.len(),
            Kind::Purchase => self.purchases.len(),
            Kind::JournalEntry => self.journal_entries.len(),
            Kind::Transfer => self.transfers.len(),
            Kind::VendorCredit => self.vendor_credits.len(),
            Kind::CreditCardPayment => self.card_payments.len(),
        }
    }

    /// The journal lines of record `index` of `kind` into `out` (account, cents debit positive;
    /// they sum to zero; the first is the transaction's own account), and its day; `None` when
    /// there is no such record.
    pub(crate) fn lines(
        &self,
        kind: Kind,
        index: usize,
        chart: &Chart,
        out: &mut Vec<(usize, i64)>,
    ) -> Option<i32> {
        out.clear();
        let sale = |s: &Sale, sign: i64, out: &mut Vec<(usize, i64)>| {
            out.push((s.account as usize, sign * s.total));
            for line in s.lines.iter() {
                add(out, line.income as usize, -sign * line.amount);
            }
            if let Some((_, tax)) = s.tax {
                add(out, chart.sales_tax, -sign * tax);
            }
            self.add_stock_lines(s, sign, chart, out);
            s.txn_date
        };
        let cost = |c: &Cost, sign: i64, out: &mut Vec<(usize, i64)>| {
            out.push((c.account as usize, -sign * c.total));
            for line in c.lines.iter() {
                add(out, line.account as usize, sign * line.amount);
            }
            c.txn_date
        };
        let moved = |m: &Move, out: &mut Vec<(usize, i64)>| {
            out.push((m.to as usize, m.amount));
            out.push((m.from as usize, -m.amount));
            m.txn_date
        };
        match kind {
            Kind::SalesReceipt => self.sales_receipts.get(index).map(|s| sale(s, 1, out)),
            Kind::CreditMemo => self.credit_memos.get(index).map(|s| sale(s, -1, out)),
            Kind::RefundReceipt => self.refund_receipts.get(index).map(|s| sale(s, -1, out)),
            Kind::Deposit => self.deposits.get(index).map(|d| {
                out.push((d.account as usize, d.total));
                out.push((chart.undeposited, -d.total));
                d.txn_date
            }),
            Kind::Purchase => self.purchases.get(index).map(|c| cost(c, 1, out)),
            Kind::VendorCredit => self.vendor_credits.get(index).map(|c| cost(c, -1, out)),
            Kind::JournalEntry => self.journal_entries.get(index).map(|j| {
                for &(account, amount) in j.lines.iter() {
                    add(out, account as usize, amount);
                }
                j.txn_date
            }),
            Kind::Transfer => self.transfers.get(index).map(|m| moved(m, out)),
            Kind::CreditCardPayment => self.card_payments.get(index).map(|m| moved(m, out)),
        }
    }

    /// The customer (`Ok`) or vendor (`Err`) index record `index` of `kind` names, if any.
    pub(crate) fn party(&self, kind: Kind, index: usize) -> Option<Result<u32, u32>> {
        match kind {
            Kind::SalesReceipt => self.sales_receipts.get(index).map(|s| Ok(s.customer)),
            Kind::CreditMemo => self.credit_memos.get(index).map(|s| Ok(s.customer)),
            Kind::RefundReceipt => self.refund_receipts.get(index).map(|s| Ok(s.customer)),
            Kind::Purchase => self.purchases.get(index).map(|c| Err(c.vendor)),
            Kind::VendorCredit => self.vendor_credits.get(index).map(|c| Err(c.vendor)),
            Kind::Deposit | Kind::JournalEntry | Kind::Transfer | Kind::CreditCardPayment => None,
        }
    }

    /// The `DocNumber` of record `index` of `kind` ("" when it has none).
    pub(crate) fn doc_number(&self, kind: Kind, index: usize) -> String {
        match kind {
            Kind::SalesReceipt | Kind::CreditMemo | Kind::RefundReceipt | Kind::JournalEntry => {
                doc_number(kind, index).to_string()
            }
            Kind::Purchase | Kind::VendorCredit => {
                let table = if kind == Kind::Purchase {
                    &self.purchases
                } else {
                    &self.vendor_credits
                };
                table
                    .get(index)
                    .and_then(|c| c.doc_number)
                    .map_or_else(String::new, |n| n.to_string())
            }
            Kind::Deposit | Kind::Transfer | Kind::CreditCardPayment => String::new(),
        }
    }
}

/// The seeded `DocNumber` of a sale or journal entry: numbered per type from its own start.
pub(crate) fn doc_number(kind: Kind, index: usize) -> u64 {
    let start = match kind {
        Kind::SalesReceipt => 5001,
        Kind::CreditMemo => 7001,
        Kind::RefundReceipt => 8001,
        _ => 1,
    };
    start + index as u64
}

/// The items a sale may sell (active) and a purchase may buy (active, with a cost and an
/// expense account), once per build.
struct Catalog {
    sold: Vec<usize>,
    bought: Vec<usize>,
}

impl Catalog {
    fn of(items: &[ItemInfo]) -> Catalog {
        let pick = |keep: fn(&ItemInfo) -> bool| -> Vec<usize> {
            (0..items.len()).filter(|&i| keep(&items[i])).collect()
        };
        Catalog {
            sold: pick(|item| item.active),
            bought: pick(|item| item.active && item.expense.is_some() && item.cost > 0),
        }
    }
}

fn gen_sale(
    inputs: &Inputs<'_>,
    catalog: &Catalog,
    kind: Kind,
    stream: u64,
    per: usize,
    i: usize,
) -> Sale {
    let mut rng = SplitMix64::for_record(inputs.seed, stream, i as u64);
    let edited = rng.chance(15);
    let (created, updated) = (inputs.times)(&mut rng, per, i, edited);
    let txn_date = day_of(created);
    let customer = rng.pick(inputs.active_customers).copied().unwrap_or(0);
    let taxable_customer = inputs
        .customer_taxable
        .get(customer as usize)
        .copied()
        .unwrap_or(false);
    let line_count = match kind {
        Kind::SalesReceipt => 1 + rng.below(3) as usize,
        Kind::CreditMemo => 1 + rng.below(2) as usize,
        _ => 1,
    };
    let mut lines = Vec::with_capacity(line_count);
    for _ in 0..line_count {
        let Some(&item) = rng.pick(&catalog.sold) else {
            continue;
        };
        let item = item as u32;
        let Some(info) = inputs.items.get(item as usize) else {
            continue;
        };
        let qty = match kind {
            Kind::SalesReceipt if info.big => 1,
            Kind::SalesReceipt if info.service => rng.range(1, 3),
            Kind::SalesReceipt => rng.range(1, 8),
            _ => 1,
        };
        lines.push(SaleLine {
            item,
            qty,
            unit_price: info.price,
            amount: qty * info.price,
            taxable: info.taxable,
            income: info.income as u32,
        });
    }
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let taxable_net: i64 = lines.iter().filter(|l| l.taxable).map(|l| l.amount).sum();
    let tax = (taxable_customer && taxable_net > 0)
        .then(|| (taxable_net, (taxable_net * inputs.tax_bp + 5_000) / 10_000));
    let total = subtotal + tax.map_or(0, |t| t.1);
    let chart = &inputs.chart;
    let (account, method) = match kind {
        Kind::SalesReceipt => {
            let account = if rng.chance(60) {
                chart.checking
            } else {
                chart.undeposited
            };
            (account, rng.below(5) as u8)
        }
        Kind::CreditMemo => (chart.receivable, 0),
        _ => (chart.checking, if rng.chance(70) { 1 } else { 2 }),
    };
    // A check's number, or a card's authorization (cash and credit memos have none).
    let ref_number =
        (kind != Kind::CreditMemo && method >= 1).then(|| rng.range(1001, 9999) as u32);
    Sale {
        created,
        updated,
        customer,
        txn_date,
        account: account as u32,
        method,
        ref_number,
        lines: lines.into_boxed_slice(),
        subtotal,
        tax,
        total,
    }
}

fn gen_cost(
    inputs: &Inputs<'_>,
    catalog: &Catalog,
    stream: u64,
    per: usize,
    i: usize,
    credit: bool,
) -> Cost {
    let mut rng = SplitMix64::for_record(inputs.seed, stream, i as u64);
    let edited = rng.chance(10);
    let (created, updated) = (inputs.times)(&mut rng, per, i, edited);
    let txn_date = day_of(created);
    let vendor = rng.pick(inputs.active_vendors).copied().unwrap_or(0);
    let default_account = inputs
        .vendor_expense
        .get(vendor as usize)
        .copied()
        .unwrap_or(inputs.chart.cost_of_goods);
    let chart = &inputs.chart;
    let (pay_type, account) = if credit {
        (PayType::Cash, chart.payable)
    } else {
        match rng.below(100) {
            0..40 => (PayType::CreditCard, chart.credit_card),
            40..75 => (PayType::Check, chart.checking),
            _ => (PayType::Cash, chart.checking),
        }
    };
    let line_count = if credit { 1 } else { 1 + rng.below(2) as usize };
    let mut lines = Vec::with_capacity(line_count);
    for _ in 0..line_count {
        let bought = if !credit && !catalog.bought.is_empty() && rng.chance(30) {
            rng.pick(&catalog.bought)
                .and_then(|&item| inputs.items.get(item).map(|info| (item, info)))
        } else {
            None
        };
        if let Some((item, info)) = bought {
            // Stock is bought to last (a restock); other products as a job needs them.
            let qty = match info.asset {
                Some(_) if info.big => rng.range(20, 40),
                Some(_) => rng.range(80, 170),
                None => rng.range(1, 10),
            };
            lines.push(CostLine {
                account: info.asset.or(info.expense).unwrap_or(chart.cost_of_goods) as u32,
                amount: qty * info.cost,
                item: Some((item as u32, qty)),
            });
        } else {
            let dollars = if credit {
                rng.range(20, 300)
            } else {
                rng.range(20, 800)
            };
            lines.push(CostLine {
                account: default_account as u32,
                amount: dollars * 100 + rng.range(0, 99),
                item: None,
            });
        }
    }
    let total = lines.iter().map(|l| l.amount).sum();
    let doc_number = if credit {
        Some(rng.range(100, 9999) as u32)
    } else {
        (pay_type == PayType::Check).then(|| rng.range(2001, 9999) as u32)
    };
    Cost {
        created,
        updated,
        vendor,
        txn_date,
        account: account as u32,
        pay_type,
        doc_number,
        lines: lines.into_boxed_slice(),
        total,
    }
}

/// Most payments on one deposit slip.
const DEPOSIT_LINES: usize = 20;

/// The payments put in Undeposited Funds, banked in Checking the day after each week ends
/// (weeks of seven days from day 0), at most [`DEPOSIT_LINES`] to a deposit; a week whose bank
/// day is after the end of the data stays undeposited.
fn deposits(inputs: &Inputs<'_>) -> Vec<Deposit> {
    let mut out: Vec<Deposit> = Vec::new();
    let mut week_of_last = None;
    let mut last_created = i64::MIN;
    for payment in inputs.undeposited {
        let week = day_of(payment.at).div_euclid(7);
        let bank_day = (week + 1) * 7;
        let at = start_of_day(bank_day) + 11 * 3600;
        if at > inputs.end {
            continue;
        }
        let same = week_of_last == Some(week)
            && out.last().is_some_and(|d| d.payments.len() < DEPOSIT_LINES);
        if same {
            if let Some(deposit) = out.last_mut() {
                let mut payments = std::mem::take(&mut deposit.payments).into_vec();
                payments.push((payment.index, payment.amount));
                deposit.payments = payments.into_boxed_slice();
                deposit.total += payment.amount;
            }
            continue;
        }
        let created = at.max(last_created.saturating_add(1));
        last_created = created;
        week_of_last = Some(week);
        out.push(Deposit {
            created,
            txn_date: bank_day,
            account: inputs.chart.checking as u32,
            payments: vec![(payment.index, payment.amount)].into_boxed_slice(),
            total: payment.amount,
        });
    }
    out
}

/// Journal entries cycle through what a small company books by hand.
fn gen_journal(inputs: &Inputs<'_>, per: usize, i: usize) -> Journal {
    let mut rng = SplitMix64::for_record(inputs.seed, STREAM_JOURNAL, i as u64);
    let (created, _) = (inputs.times)(&mut rng, per, i, false);
    let c = &inputs.chart;
    let dollars = |rng: &mut SplitMix64, lo: i64, hi: i64| rng.range(lo, hi) * 100;
    let (note, lines): (&'static str, Vec<(usize, i64)>) = match i % 6 {
        0 => {
            let price = dollars(&mut rng, 18_000, 42_000);
            (
                "Service vehicle financed by the equipment loan",
                vec![(c.vehicles, price), (c.loan, -price)],
            )
        }
        3 => {
            let amount = dollars(&mut rng, 5_000, 20_000);
            (
                "Owner's capital contribution",
                vec![(c.checking, amount), (c.owner, -amount)],
            )
        }
        2 => {
            let amount = dollars(&mut rng, 5, 60) + rng.range(0, 99);
            (
                "Savings interest for the month",
                vec![(c.savings, amount), (c.interest, -amount)],
            )
        }
        _ => {
            let principal = dollars(&mut rng, 400, 900);
            let interest = dollars(&mut rng, 40, 120) + rng.range(0, 99);
            (
                "Equipment loan payment, principal and interest",
                vec![
                    (c.loan, principal),
                    (c.bank_charges, interest),
                    (c.checking, -(principal + interest)),
                ],
            )
        }
    };
    Journal {
        created,
        txn_date: day_of(created),
        note,
        lines: lines
            .into_iter()
            .map(|(account, amount)| (account as u32, amount))
            .collect(),
    }
}

fn gen_transfer(inputs: &Inputs<'_>, per: usize, i: usize) -> Move {
    let mut rng = SplitMix64::for_record(inputs.seed, STREAM_TRANSFER, i as u64);
    let (created, _) = (inputs.times)(&mut rng, per, i, false);
    let c = &inputs.chart;
    let (from, to, note) = if i % 3 == 2 {
        (c.savings, c.checking, "Back to checking for payroll")
    } else {
        (c.checking, c.savings, "Sweep to savings")
    };
    Move {
        created,
        txn_date: day_of(created),
        from: from as u32,
        to: to as u32,
        amount: rng.range(5, 40) * 10_000,
        note,
    }
}

/// Length of a card statement, days.
const STATEMENT_DAYS: i32 = 28;

/// One payment from Checking per card statement with charges, ten days after it closes, for
/// what was charged on it (statements run 28 days from the first charge's day).
fn card_payments(inputs: &Inputs<'_>, purchases: &[Cost]) -> Vec<Move> {
    let c = &inputs.chart;
    let charges: Vec<&Cost> = purchases
        .iter()
        .filter(|p| p.pay_type == PayType::CreditCard)
        .collect();
    let Some(first) = charges.iter().map(|p| p.txn_date).min() else {
        return Vec::new();
    };
    let mut per_statement: std::collections::BTreeMap<i32, i64> = Default::default();
    for p in &charges {
        *per_statement
            .entry((p.txn_date - first).div_euclid(STATEMENT_DAYS))
            .or_default() += p.total;
    }
    let mut last = i64::MIN;
    per_statement
        .into_iter()
        .filter_map(|(statement, amount)| {
            let day = first + (statement + 1) * STATEMENT_DAYS + 10;
            let at = (start_of_day(day) + 14 * 3600).max(last.saturating_add(1));
            (at <= inputs.end).then(|| {
                last = at;
                Move {
                    created: at,
                    txn_date: day,
                    from: c.checking as u32,
                    to: c.credit_card as u32,
                    amount,
                    note: "Card statement paid in full",
                }
            })
        })
        .collect()
}
