//! The emulated company's books, generated from a seed.
//!
//! Why it exists: the emulator must serve realistic, internally consistent QBO data (invoices whose
//! totals add up, payments linked both ways, customer balances equal to their open invoices) that
//! is byte-identical for a given seed, and it must scale to a million invoices. So:
//!
//! - Every base record is a pure function of `(seed, table size, index)`, drawn from its own
//!   [`SplitMix64`] stream; there is no shared RNG state, and record order never matters.
//! - Tables hold compact structs (ids, amounts in cents, day numbers, epoch seconds, indexes into
//!   other tables) rather than JSON. Invoice and bill *lines* are not stored at all: they are drawn
//!   again from the record's stream when the record is rendered ([`Dataset::invoice_detail`]).
//! - Derived tables (payments, balances) are computed once at build time from the base records.
//! - The location of a sales form and the class of each of its lines ([`Dataset::department_of`],
//!   [`Dataset::class_of_line`]) are not stored either: each is drawn from a stream of its own
//!   keyed by the record and the line, so adding them changed no other byte of a record.
//!
//! - Inventory items' stock (`stock.rs`) is counted per item and day while the invoices and the
//!   other transactions are drawn; each item then starts with the least stock no day's sales
//!   exceed, and its `QtyOnHand` is what is left. An invoice keeps the cost of the inventory it
//!   sold ([`Invoice::cost`]), so the ledger posts Cost of Goods Sold without its lines.
//!
//! Ids are `index + 1` within each table. `MetaData` times rise strictly with `Id` for invoices,
//! payments and bills, which lets the query planner serve `ORDERBY MetaData...` from the slice;
//! with `tie_groups` (a bulk-edited company) runs of them share one `LastUpdatedTime`, and the
//! planner sorts instead.
//! This module must never render JSON (that is `render.rs`) or know about HTTP.

use crate::config::EmulatorConfig;
use crate::extras::{
    AttachedTxn, Attachment, Budget, Currency, ExchangeRate, JournalCode, Recurring, TimeActivity,
    WorkedInvoice, build_attachments, build_budgets, build_currencies, build_journal_codes,
    build_recurring, build_time_activities, years_between,
};
use crate::lists::{
    BillPayment, Category, Employee, Estimate, OrderedBill, PaidBill, PaymentMethod, PurchaseOrder,
    QuotedInvoice, TaxAgency, TaxCode, TaxRate, Term, build_bill_payments, build_estimates,
    build_lists, build_purchase_orders,
};
use crate::rng::SplitMix64;
use crate::stock::DailyStock;
use crate::time::{day_of, days_from_civil, start_of_day};
use crate::txns::{Chart, Inputs, ItemInfo, Kind, Posted, Undeposited};

/// Largest table the emulator accepts (ids are `u32`, and times need at least a few seconds per
/// record to keep rising strictly with `Id`).
pub(crate) const MAX_RECORDS: usize = 10_000_000;

const STREAM_COMPANY: u64 = 1;
const STREAM_ACCOUNT: u64 = 2;
const STREAM_ITEM: u64 = 3;
const STREAM_CUSTOMER: u64 = 4;
const STREAM_VENDOR: u64 = 5;
const STREAM_INVOICE: u64 = 6;
const STREAM_BILL: u64 = 7;
const STREAM_NAMES: u64 = 8;
/// The classes and locations of the sales forms (a stream of its own, so drawing them changes
/// nothing else of a record).
const STREAM_TRACKING: u64 = 9;

/// Local 09:00 on `y-m-d`, as Unix seconds.
fn local(y: i64, m: u32, d: u32, hour: i64) -> i64 {
    start_of_day(days_from_civil(y, m, d)) + hour * 3600
}

/// When the company was set up (accounts and items are created here).
fn company_start() -> i64 {
    local(2022, 1, 3, 9)
}
/// Customers and vendors are created during 2022.
fn parties_span() -> (i64, i64) {
    (local(2022, 1, 10, 9), local(2022, 12, 20, 17))
}
/// Transactions (invoices, bills) are entered between these instants.
fn txn_span() -> (i64, i64) {
    (local(2023, 1, 2, 8), local(2025, 9, 18, 18))
}
/// "Now" of the data set: nothing happens after this instant.
pub(crate) fn data_end() -> i64 {
    local(2025, 9, 19, 9)
}

/// Sales-tax rate applied to taxable lines for taxable customers, in basis points (8.25 %).
pub(crate) const TAX_RATE_BP: i64 = 825;

/// A postal address block.
#[derive(Debug, Clone)]
pub(crate) struct Address {
    pub(crate) id: u32,
    pub(crate) line1: String,
    pub(crate) line2: Option<String>,
    pub(crate) city: &'static str,
    pub(crate) region: &'static str,
    pub(crate) postal: String,
}

/// `QBO.Account` in a realistic small-business chart.
#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub(crate) name: &'static str,
    pub(crate) account_type: &'static str,
    pub(crate) sub_type: &'static str,
    pub(crate) classification: &'static str,
    pub(crate) active: bool,
    pub(crate) balance: i64,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) sync_token: u32,
}

/// Item type (`Type` in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Service,
    NonInventory,
    /// A product whose quantity on hand is tracked (`TrackQtyOnHand`), valued at its cost in
    /// the Inventory Asset account.
    Inventory,
}

impl ItemKind {
    /// The JSON / query value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ItemKind::Service => "Service",
            ItemKind::NonInventory => "NonInventory",
            ItemKind::Inventory => "Inventory",
        }
    }
}

/// `QBO.Item` (products and services).
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) name: String,
    pub(crate) description: &'static str,
    pub(crate) kind: ItemKind,
    pub(crate) unit_price: i64,
    pub(crate) purchase_cost: i64,
    pub(crate) taxable: bool,
    pub(crate) active: bool,
    pub(crate) income_account: usize,
    pub(crate) expense_account: Option<usize>,
    pub(crate) sku: Option<String>,
    /// What an inventory item's stock is valued in (`AssetAccountRef`); `None` when untracked.
    pub(crate) asset_account: Option<usize>,
    /// The quantity on hand at `inv_start` (QBO's "Inventory Starting Value").
    pub(crate) start_qty: i64,
    /// The quantity on hand the seeded transactions leave (`QtyOnHand`).
    pub(crate) qty_on_hand: i64,
    /// `InvStartDate`, a company-local day.
    pub(crate) inv_start: i32,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) sync_token: u32,
}

impl Item {
    /// The unit cost its stock moves at, when its quantity is tracked: every seeded purchase
    /// buys it at its `PurchaseCost`, so FIFO and average cost are both this.
    pub(crate) fn stock_cost(&self) -> Option<i64> {
        self.asset_account.map(|_| self.purchase_cost)
    }
}

/// `QBO.Customer`.
#[derive(Debug, Clone)]
pub(crate) struct Customer {
    pub(crate) display_name: String,
    pub(crate) given_name: &'static str,
    pub(crate) middle_name: Option<&'static str>,
    pub(crate) family_name: &'static str,
    pub(crate) print_on_check: String,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) mobile: Option<String>,
    pub(crate) bill_addr: Address,
    pub(crate) ship_addr: Option<Address>,
    pub(crate) notes: Option<&'static str>,
    pub(crate) taxable: bool,
    pub(crate) delivery: &'static str,
    pub(crate) active: bool,
    pub(crate) balance: i64,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) sync_token: u32,
}

/// `QBO.Vendor`.
#[derive(Debug, Clone)]
pub(crate) struct Vendor {
    pub(crate) display_name: String,
    pub(crate) given_name: &'static str,
    pub(crate) family_name: &'static str,
    pub(crate) email: String,
    pub(crate) phone: String,
    pub(crate) web: String,
    pub(crate) acct_num: Option<String>,
    pub(crate) addr: Address,
    pub(crate) vendor_1099: bool,
    pub(crate) expense_account: usize,
    pub(crate) active: bool,
    pub(crate) balance: i64,
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) sync_token: u32,
}

/// Sales terms (`SalesTermRef`): id, name, days until due.
pub(crate) const TERMS: [(u32, &str, i32); 4] = [
    (1, "Due on receipt", 0),
    (2, "Net 15", 15),
    (3, "Net 30", 30),
    (4, "Net 60", 60),
];

/// `EmailStatus` values.
pub(crate) const EMAIL_STATUS: [&str; 3] = ["NotSet", "NeedToSend", "EmailSent"];
/// `PrintStatus` values.
pub(crate) const PRINT_STATUS: [&str; 3] = ["NotSet", "NeedToPrint", "PrintComplete"];

/// `QBO.Invoice`: the stored (queryable) part. Lines etc. are in [`InvoiceDetail`].
#[derive(Debug, Clone)]
pub(crate) struct Invoice {
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) total: i64,
    pub(crate) balance: i64,
    pub(crate) customer: u32,
    pub(crate) txn_date: i32,
    pub(crate) due_date: i32,
    /// Index + 1 of the payment that paid it; 0 when open.
    pub(crate) payment: u32,
    /// The cost of the inventory its lines sold (Cost of Goods Sold), in cents.
    pub(crate) cost: i64,
    pub(crate) sync_token: u8,
    pub(crate) term: u8,
    pub(crate) email_status: u8,
    pub(crate) print_status: u8,
}

/// One `SalesItemLineDetail` line of an invoice.
#[derive(Debug, Clone)]
pub(crate) struct SalesLine {
    pub(crate) item: u32,
    pub(crate) qty: i64,
    pub(crate) unit_price: i64,
    pub(crate) amount: i64,
    pub(crate) taxable: bool,
    pub(crate) service_date: Option<i32>,
}

/// The parts of an invoice rebuilt from its stream on demand.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceDetail {
    pub(crate) lines: Vec<SalesLine>,
    pub(crate) subtotal: i64,
    /// Taxable net and tax amount, when tax applies.
    pub(crate) tax: Option<(i64, i64)>,
    pub(crate) po_number: Option<u32>,
    pub(crate) memo: bool,
    pub(crate) allow_cc: bool,
    pub(crate) allow_ach: bool,
    /// When the customer paid (if they did before the end of the data).
    pub(crate) paid_at: Option<i64>,
    pub(crate) deposit_to_checking: bool,
    pub(crate) check_number: Option<u32>,
}

/// `QBO.Payment`: one per paid invoice, ids in payment-time order.
#[derive(Debug, Clone)]
pub(crate) struct Payment {
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) amount: i64,
    pub(crate) invoice: u32,
    pub(crate) customer: u32,
    pub(crate) txn_date: i32,
    pub(crate) deposit_account: u32,
    pub(crate) check_number: Option<u32>,
}

/// `QBO.Bill`: the stored part; lines are rebuilt by [`Dataset::bill_lines`].
#[derive(Debug, Clone)]
pub(crate) struct Bill {
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) total: i64,
    pub(crate) balance: i64,
    pub(crate) vendor: u32,
    pub(crate) txn_date: i32,
    pub(crate) due_date: i32,
    pub(crate) doc_number: Option<u32>,
    pub(crate) sync_token: u8,
    pub(crate) term: u8,
}

/// One `AccountBasedExpenseLineDetail` line of a bill.
#[derive(Debug, Clone)]
pub(crate) struct ExpenseLine {
    pub(crate) account: usize,
    pub(crate) amount: i64,
    pub(crate) description: &'static str,
}

/// `QBO.CompanyInfo`.
#[derive(Debug, Clone)]
pub(crate) struct Company {
    pub(crate) name: &'static str,
    pub(crate) addr: Address,
    pub(crate) phone: String,
    pub(crate) email: String,
    pub(crate) web: String,
    pub(crate) start_date: i32,
    pub(crate) created: i64,
    pub(crate) updated: i64,
}

/// All generated tables of one emulated company.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub(crate) seed: u64,
    /// The company's realm id (in the download paths of its attachments).
    pub(crate) realm: String,
    pub(crate) company: Company,
    pub(crate) accounts: Vec<Account>,
    pub(crate) items: Vec<Item>,
    pub(crate) customers: Vec<Customer>,
    pub(crate) vendors: Vec<Vendor>,
    pub(crate) invoices: Vec<Invoice>,
    pub(crate) payments: Vec<Payment>,
    pub(crate) bills: Vec<Bill>,
    pub(crate) terms: Vec<Term>,
    pub(crate) tax_codes: Vec<TaxCode>,
    pub(crate) tax_rates: Vec<TaxRate>,
    pub(crate) tax_agencies: Vec<TaxAgency>,
    pub(crate) payment_methods: Vec<PaymentMethod>,
    pub(crate) classes: Vec<Category>,
    pub(crate) departments: Vec<Category>,
    pub(crate) customer_types: Vec<Category>,
    pub(crate) employees: Vec<Employee>,
    pub(crate) bill_payments: Vec<BillPayment>,
    pub(crate) estimates: Vec<Estimate>,
    pub(crate) purchase_orders: Vec<PurchaseOrder>,
    /// Sales receipts, credit memos, refunds, deposits, purchases, journal entries, transfers,
    /// vendor credits and card payments.
    pub(crate) posted: Posted,
    pub(crate) attachments: Vec<Attachment>,
    pub(crate) budgets: Vec<Budget>,
    pub(crate) company_currencies: Vec<Currency>,
    pub(crate) exchange_rates: Vec<ExchangeRate>,
    pub(crate) journal_codes: Vec<JournalCode>,
    pub(crate) recurring: Vec<Recurring>,
    pub(crate) time_activities: Vec<TimeActivity>,
    /// Which customers and vendors deal in a foreign currency (none unless multicurrency is on).
    pub(crate) currencies: crate::currency::Currencies,
}

// ---------------------------------------------------------------------------------------------
// The chart of accounts. Indexes below are used as references; Id = index + 1.

/// Index of "Checking".
pub(crate) const ACCT_CHECKING: usize = 0;
/// Index of "Accounts Receivable (A/R)".
pub(crate) const ACCT_AR: usize = 3;
/// Index of "Undeposited Funds".
pub(crate) const ACCT_UNDEPOSITED: usize = 4;
/// Index of "Accounts Payable (A/P)".
pub(crate) const ACCT_AP: usize = 9;
/// Index of "Sales Tax Payable".
pub(crate) const ACCT_SALES_TAX: usize = 11;
/// Index of "Savings".
pub(crate) const ACCT_SAVINGS: usize = 1;
/// Index of "Business Mastercard".
pub(crate) const ACCT_CREDIT_CARD: usize = 10;
/// Index of "Inventory Asset".
pub(crate) const ACCT_INVENTORY: usize = 6;
/// Index of "Opening Balance Equity" (what an item's starting stock is credited to).
pub(crate) const ACCT_OPENING_EQUITY: usize = 13;
/// Index of "Cost of Goods Sold".
pub(crate) const ACCT_COGS: usize = 19;

/// The accounts the other posting transactions use.
pub(crate) const CHART_OF_POSTED: Chart = Chart {
    checking: ACCT_CHECKING,
    savings: ACCT_SAVINGS,
    receivable: ACCT_AR,
    undeposited: ACCT_UNDEPOSITED,
    payable: ACCT_AP,
    credit_card: ACCT_CREDIT_CARD,
    sales_tax: ACCT_SALES_TAX,
    loan: 12,
    vehicles: 7,
    owner: 15,
    bank_charges: 22,
    interest: 32,
    cost_of_goods: ACCT_COGS,
    inventory: ACCT_INVENTORY,
};
const ACCT_SERVICE_INCOME: usize = 16;
const ACCT_PRODUCT_INCOME: usize = 17;
const ACCT_ADVERTISING: usize = 20;
const ACCT_AUTOMOBILE: usize = 21;
const ACCT_INSURANCE: usize = 23;
const ACCT_LEGAL: usize = 24;
const ACCT_OFFICE: usize = 26;
const ACCT_RENT: usize = 27;
const ACCT_REPAIR: usize = 28;
const ACCT_UTILITIES: usize = 29;
const ACCT_JOB_SUPPLIES: usize = 30;

/// (Name, AccountType, AccountSubType, Classification, Active)
#[rustfmt::skip]
const CHART: [(&str, &str, &str, &str, bool); 34] = [
    ("Checking", "Bank", "Checking", "Asset", true),
    ("Savings", "Bank", "Savings", "Asset", true),
    ("Petty Cash", "Bank", "CashOnHand", "Asset", false),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "Asset", true),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "Asset", true),
    ("Prepaid Expenses", "Other Current Asset", "PrepaidExpenses", "Asset", true),
    ("Inventory Asset", "Other Current Asset", "Inventory", "Asset", true),
    ("Service Vehicles", "Fixed Asset", "Vehicles", "Asset", true),
    ("Tools and Equipment", "Fixed Asset", "MachineryAndEquipment", "Asset", true),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "Liability", true),
    ("Business Mastercard", "Credit Card", "CreditCard", "Liability", true),
    ("Sales Tax Payable", "Other Current Liability", "GlobalTaxPayable", "Liability", true),
    ("Equipment Loan", "Long Term Liability", "NotesPayable", "Liability", true),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "Equity", true),
    ("Retained Earnings", "Equity", "RetainedEarnings", "Equity", true),
    ("Owner's Investment", "Equity", "OwnersEquity", "Equity", true),
    ("Service Income", "Income", "ServiceFeeIncome", "Revenue", true),
    ("Sales of Product Income", "Income", "SalesOfProductIncome", "Revenue", true),
    ("Discounts Given", "Income", "DiscountsRefundsGiven", "Revenue", true),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs", "Expense", true),
    ("Advertising", "Expense", "AdvertisingPromotional", "Expense", true),
    ("Automobile", "Expense", "Auto", "Expense", true),
    ("Bank Charges", "Expense", "BankCharges", "Expense", true),
    ("Insurance", "Expense", "Insurance", "Expense", true),
    ("Legal & Professional Fees", "Expense", "LegalProfessionalFees", "Expense", true),
    ("Meals and Entertainment", "Expense", "EntertainmentMeals", "Expense", true),
    ("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "Expense", true),
    ("Rent or Lease", "Expense", "RentOrLeaseOfBuildings", "Expense", true),
    ("Repair & Maintenance", "Expense", "RepairMaintenance", "Expense", true),
    ("Utilities", "Expense", "Utilities", "Expense", true),
    ("Job Supplies", "Expense", "SuppliesMaterials", "Expense", true),
    ("Old Marketing Expense", "Expense", "AdvertisingPromotional", "Expense", false),
    ("Interest Earned", "Other Income", "InterestEarned", "Revenue", true),
    ("Penalties & Settlements", "Other Expense", "OtherMiscellaneousExpense", "Expense", true),
];

// ---------------------------------------------------------------------------------------------
// Word lists.

/// (Name, Description, kind, price in cents, taxable). The last entry is retired (inactive).
#[rustfmt::skip]
const ITEM_CATALOG: [(&str, &str, ItemKind, i64, bool); 30] = [
    ("HVAC Service", "Quarterly HVAC maintenance visit", ItemKind::Service, 15000, false),
    ("Emergency Call-out", "Emergency call-out, after hours", ItemKind::Service, 27500, false),
    ("Air Filter", "Replacement air filter, 20x25x4", ItemKind::Inventory, 4825, true),
    ("Duct Cleaning", "Whole-house duct cleaning", ItemKind::Service, 39500, false),
    ("Thermostat", "Programmable smart thermostat", ItemKind::Inventory, 18999, true),
    ("Installation Labor", "Installation labor, per hour", ItemKind::Service, 9500, false),
    ("Refrigerant", "R-410A refrigerant, per lb", ItemKind::NonInventory, 6250, true),
    ("Inspection", "Annual system inspection", ItemKind::Service, 12500, false),
    ("Water Heater Flush", "Water heater flush and anode check", ItemKind::Service, 14000, false),
    ("Capacitor", "Run capacitor 45/5 MFD", ItemKind::Inventory, 3875, true),
    ("Condensate Pump", "Condensate pump, 115V", ItemKind::NonInventory, 8400, true),
    ("Zoning Consultation", "Zoning and load calculation consultation", ItemKind::Service, 21000, false),
    ("Heat Pump Tune-up", "Heat pump seasonal tune-up", ItemKind::Service, 16500, false),
    ("Blower Motor", "Blower motor, 1/2 HP", ItemKind::Inventory, 31240, true),
    ("Ductwork", "Galvanized ductwork, per linear foot", ItemKind::NonInventory, 1860, true),
    ("Service Agreement", "Annual service agreement", ItemKind::Service, 48000, false),
    ("Trip Charge", "Standard trip charge", ItemKind::Service, 5900, false),
    ("Drain Line Cleaning", "Condensate drain line cleaning", ItemKind::Service, 8500, false),
    ("UV Lamp", "UV germicidal lamp replacement", ItemKind::NonInventory, 12900, true),
    ("Humidifier Pad", "Humidifier evaporator pad", ItemKind::NonInventory, 2495, true),
    ("Gas Valve", "Furnace gas valve", ItemKind::Inventory, 17630, true),
    ("Ignitor", "Hot surface ignitor", ItemKind::Inventory, 4550, true),
    ("Overtime Labor", "Overtime labor, per hour", ItemKind::Service, 14250, false),
    ("Permit Fee", "Municipal permit fee", ItemKind::Service, 7500, false),
    ("Mini-Split Install", "Ductless mini-split installation", ItemKind::Service, 185000, false),
    ("Mini-Split Unit", "Ductless mini-split unit, 12k BTU", ItemKind::Inventory, 124900, true),
    ("Air Quality Test", "Indoor air quality test", ItemKind::Service, 19900, false),
    ("Vent Cover", "Decorative floor vent cover", ItemKind::NonInventory, 1299, true),
    ("Coil Cleaning", "Evaporator coil cleaning", ItemKind::Service, 17500, false),
    ("Legacy Maintenance Plan", "Discontinued maintenance plan", ItemKind::Service, 30000, false),
];

const CUSTOMER_PREFIXES: [&str; 30] = [
    "Harbor Point",
    "Northgate",
    "Cedar Lane",
    "Summit Ridge",
    "Riverbend",
    "Bluewater",
    "Evergreen",
    "Maple Street",
    "Ironwood",
    "Lakeshore",
    "Pinecrest",
    "Golden Gate",
    "Silver Creek",
    "Redwood",
    "Stonebridge",
    "Willow Park",
    "Copper Canyon",
    "Sunrise",
    "Brightside",
    "Oak Hollow",
    "Juniper",
    "Alder Bay",
    "Foxglove",
    "Highland",
    "Meadowbrook",
    "Seaside",
    "Granite Peak",
    "Orchard Hill",
    "Kingfisher",
    "Tidewater",
];

const CUSTOMER_SUFFIXES: [&str; 20] = [
    "Dental",
    "Bakery Co.",
    "Veterinary",
    "Family Clinic",
    "Coffee Roasters",
    "Fitness",
    "Brewing",
    "Auto Repair",
    "Bistro",
    "Pharmacy",
    "Realty",
    "Chiropractic",
    "Montessori",
    "Hardware",
    "Florist",
    "Yoga Studio",
    "Law Group",
    "Apartments",
    "Tire & Wheel",
    "Pet Grooming",
];

const CUSTOMER_NOTES: [&str; 4] = [
    "Prefers morning service windows.",
    "Call ahead; gate code changes monthly.",
    "Net 30 approved by owner.",
    "Send invoices to the accounts payable inbox.",
];

const VENDOR_PREFIXES: [&str; 15] = [
    "Cascade",
    "Pacific",
    "Puget Sound",
    "Columbia",
    "Rainier",
    "Olympic",
    "Emerald City",
    "Skagit",
    "Whidbey",
    "Yakima",
    "Tacoma",
    "Spokane",
    "Bellingham",
    "Snohomish",
    "Kitsap",
];

/// (vendor name suffix, default expense account, bill line description)
#[rustfmt::skip]
const VENDOR_KINDS: [(&str, usize, &str); 12] = [
    ("Supply Co.", ACCT_JOB_SUPPLIES, "Job materials"),
    ("Wholesale", ACCT_COGS, "Parts for resale"),
    ("Utilities", ACCT_UTILITIES, "Monthly utilities"),
    ("Insurance Group", ACCT_INSURANCE, "Liability insurance premium"),
    ("Fuel Services", ACCT_AUTOMOBILE, "Fleet fuel"),
    ("Office Products", ACCT_OFFICE, "Office supplies"),
    ("Equipment Rental", ACCT_REPAIR, "Equipment rental"),
    ("Electric", ACCT_UTILITIES, "Electricity"),
    ("Telecom", ACCT_UTILITIES, "Phone and internet"),
    ("Printing", ACCT_ADVERTISING, "Flyers and door hangers"),
    ("Accounting LLP", ACCT_LEGAL, "Bookkeeping and tax preparation"),
    ("Property Management", ACCT_RENT, "Shop rent"),
];

const GIVEN_NAMES: [&str; 24] = [
    "Priya", "Tomas", "Dana", "Marcus", "Elena", "Jamal", "Grace", "Hiroshi", "Fatima", "Liam",
    "Sofia", "Noah", "Aisha", "Mateo", "Chloe", "Raj", "Ingrid", "Kwame", "Lucia", "Owen", "Mei",
    "Diego", "Hannah", "Yusuf",
];

const MIDDLE_INITIALS: [&str; 6] = ["J", "A", "M", "R", "L", "K"];

const FAMILY_NAMES: [&str; 24] = [
    "Raman",
    "Okafor",
    "Whitfield",
    "Lindqvist",
    "Castillo",
    "Nguyen",
    "Haddad",
    "Petrov",
    "Brennan",
    "Tanaka",
    "Moreau",
    "Adeyemi",
    "Kowalski",
    "Silva",
    "Fischer",
    "Mensah",
    "Rossi",
    "Duarte",
    "Novak",
    "Park",
    "Sullivan",
    "D'Angelo",
    "Iverson",
    "Quinn",
];

/// (City, state, first three digits of the ZIP code, area code)
const CITIES: [(&str, &str, u32, u32); 12] = [
    ("Tacoma", "WA", 984, 253),
    ("Olympia", "WA", 985, 360),
    ("Seattle", "WA", 981, 206),
    ("Bellevue", "WA", 980, 425),
    ("Lacey", "WA", 985, 360),
    ("Everett", "WA", 982, 425),
    ("Spokane", "WA", 992, 509),
    ("Portland", "OR", 972, 503),
    ("Salem", "OR", 973, 503),
    ("Eugene", "OR", 974, 541),
    ("Vancouver", "WA", 986, 360),
    ("Bend", "OR", 977, 541),
];

const STREETS: [&str; 12] = [
    "Harbor Point Blvd",
    "Northgate Ave",
    "Main St",
    "Pacific Ave",
    "Market St",
    "Commerce Way",
    "Industrial Pkwy",
    "Evergreen Way",
    "Lakeview Dr",
    "Orchard St",
    "Mill Rd",
    "Canyon Rd",
];

const COMPANY_NAMES: [&str; 4] = [
    "Larkspur Mechanical LLC",
    "Harborline Heating & Air",
    "Ridgeview HVAC Co.",
    "Clearwater Climate Services",
];

/// The customer index that is always "O'Brien Landscaping" (Id "3").
pub(crate) const OBRIEN_INDEX: usize = 2;

// ---------------------------------------------------------------------------------------------

impl Dataset {
    /// Generate every table for `config`. Errors name the setting that makes no sense.
    pub(crate) fn build(config: &EmulatorConfig) -> Result<Dataset, String> {
        for (name, n) in [
            ("invoices", config.invoices),
            ("customers", config.customers),
            ("vendors", config.vendors),
            ("items", config.items),
        ] {
            if n > MAX_RECORDS {
                return Err(format!(
                    "{name} = {n} is too many: the emulator serves at most {MAX_RECORDS} records per table"
                ));
            }
        }
        if config.invoices > 0 && (config.customers == 0 || config.items == 0) {
            return Err(
                "invoices need at least one customer and one item (set customers and items to 1 or more)"
                    .to_owned(),
            );
        }
        let seed = config.seed;
        let accounts = build_accounts(seed);
        let items = (0..config.items).map(|i| gen_item(seed, i)).collect();
        let customers = build_customers(seed, config.customers);
        let vendors = build_vendors(seed, config.vendors, config.customers);
        let lists = build_lists(company_start(), &TERMS, TAX_RATE_BP);
        let mut ds = Dataset {
            seed,
            realm: config.realm_id.clone(),
            company: gen_company(seed),
            accounts,
            items,
            customers,
            vendors,
            invoices: Vec::new(),
            payments: Vec::new(),
            bills: Vec::new(),
            terms: lists.terms,
            tax_codes: lists.tax_codes,
            tax_rates: lists.tax_rates,
            tax_agencies: lists.tax_agencies,
            payment_methods: lists.payment_methods,
            classes: lists.classes,
            departments: lists.departments,
            customer_types: lists.customer_types,
            employees: lists.employees,
            bill_payments: Vec::new(),
            estimates: Vec::new(),
            purchase_orders: Vec::new(),
            posted: Posted::default(),
            attachments: Vec::new(),
            budgets: Vec::new(),
            company_currencies: Vec::new(),
            exchange_rates: Vec::new(),
            journal_codes: build_journal_codes(company_start()),
            recurring: Vec::new(),
            time_activities: Vec::new(),
            currencies: crate::currency::Currencies {
                on: config.multicurrency,
            },
        };
        let tracked = (0..ds.items.len())
            .filter(|&i| ds.items[i].asset_account.is_some())
            .collect();
        let mut stock = DailyStock::new(tracked, day_of(company_start()), day_of(data_end()));
        let tax = ds.build_invoices_and_payments(config.invoices, &mut stock);
        let bills = if ds.vendors.is_empty() {
            0
        } else {
            config.invoices / 5
        };
        ds.build_bills(bills);
        let paid = ds.bills.iter().enumerate().filter_map(|(i, b)| {
            (b.balance == 0 && b.total != 0).then_some(PaidBill {
                index: i as u32,
                vendor: b.vendor,
                total: b.total,
                due_date: b.due_date,
            })
        });
        ds.bill_payments = build_bill_payments(paid, ACCT_CHECKING);
        ds.purchase_orders =
            build_purchase_orders(ds.bills.iter().enumerate().map(|(i, b)| OrderedBill {
                index: i as u32,
                vendor: b.vendor,
                txn_date: b.txn_date,
                total: b.total,
                created: b.created,
            }));
        ds.estimates =
            build_estimates(
                ds.invoices
                    .iter()
                    .enumerate()
                    .map(|(i, inv)| QuotedInvoice {
                        index: i as u32,
                        customer: inv.customer,
                        txn_date: inv.txn_date,
                        total: inv.total,
                        created: inv.created,
                    }),
            );
        ds.build_extras(config);
        ds.settle_account_balances(tax);
        ds.build_posted(config.invoices, stock);
        ds.tie_update_times(config.tie_groups);
        Ok(ds)
    }

    /// The records beside the postings (`extras.rs`), from the invoices, bills, employees,
    /// vendors and items built before them.
    fn build_extras(&mut self, config: &EmulatorConfig) {
        let (seed, invoices) = (self.seed, config.invoices);
        let invoice_txns = self
            .invoices
            .iter()
            .enumerate()
            .map(|(i, inv)| AttachedTxn {
                index: i as u32,
                created: inv.created,
            });
        let bill_txns = self.bills.iter().enumerate().map(|(i, b)| AttachedTxn {
            index: i as u32,
            created: b.created,
        });
        self.attachments = build_attachments(seed, invoice_txns, bill_txns);
        let (first, last) = txn_span();
        let (first_year, last_year) = years_between(first, last);
        let years = (last_year - first_year + 1).max(1);
        self.budgets = build_budgets(
            seed,
            first_year - 1,
            last_year,
            i64::try_from(invoices).unwrap_or(i64::MAX) / years,
        );
        // QBO downloads a rate for every day, up to today: the company's clock when it is set,
        // else the machine's (never before the last day of the books).
        let today = config
            .now
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or_else(crate::time::now_secs, |d| {
                i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
            });
        let (currencies, rates) = build_currencies(
            seed,
            company_start(),
            day_of(company_start()),
            day_of(last).max(day_of(today)),
        );
        self.company_currencies = currencies;
        self.exchange_rates = rates;
        let service = |name: &str| {
            self.items
                .iter()
                .position(|it| it.active && it.kind == ItemKind::Service && it.name == name)
                .or_else(|| {
                    self.items
                        .iter()
                        .position(|it| it.active && it.kind == ItemKind::Service)
                })
                .map(|i| (i as u32, self.items[i].unit_price))
        };
        let agreement = service("Service Agreement");
        let labor = service("Installation Labor");
        self.recurring =
            build_recurring(self.customers.len(), agreement, day_of(first), day_of(last));
        let employees: Vec<u32> = self
            .employees
            .iter()
            .enumerate()
            .filter(|(_, e)| e.active)
            .map(|(i, _)| i as u32)
            .collect();
        let worked = self
            .invoices
            .iter()
            .enumerate()
            .map(|(i, inv)| WorkedInvoice {
                index: i as u32,
                customer: inv.customer,
                txn_date: inv.txn_date,
                created: inv.created,
            });
        self.time_activities =
            build_time_activities(seed, worked, &employees, self.vendors.len(), labor);
    }

    /// Give invoices, payments and bills the same `LastUpdatedTime` in runs of `group`
    /// consecutive records (the latest of the run), as a bulk edit leaves a company; `group` 0
    /// or 1 changes nothing.
    fn tie_update_times(&mut self, group: usize) {
        if group < 2 {
            return;
        }
        fn tie<T>(rows: &mut [T], group: usize, updated: fn(&mut T) -> &mut i64) {
            for run in rows.chunks_mut(group) {
                let latest = run.iter_mut().map(|r| *updated(r)).max().unwrap_or(0);
                for row in run {
                    *updated(row) = latest;
                }
            }
        }
        tie(&mut self.invoices, group, |r| &mut r.updated);
        tie(&mut self.payments, group, |r| &mut r.updated);
        tie(&mut self.bills, group, |r| &mut r.updated);
    }

    /// Generate the invoices, then the payments of the paid ones; returns the total sales tax.
    /// What the invoices sell of the inventory items is counted in `stock`.
    fn build_invoices_and_payments(&mut self, n: usize, stock: &mut DailyStock) -> i64 {
        let mut invoices = Vec::with_capacity(n);
        let mut paid: Vec<(i64, u32, bool, Option<u32>)> = Vec::new();
        let mut tax = 0;
        for i in 0..n {
            let (inv, detail) = gen_invoice(self, n, i);
            tax += detail.tax.map_or(0, |t| t.1);
            for line in &detail.lines {
                stock.add(line.item as usize, inv.txn_date, -line.qty);
            }
            if let Some(at) = detail.paid_at {
                paid.push((
                    at,
                    i as u32,
                    detail.deposit_to_checking,
                    detail.check_number,
                ));
            }
            invoices.push(inv);
        }
        // Payment ids follow the order payments were received, so their times rise with Id.
        paid.sort_unstable_by_key(|&(at, inv, _, _)| (at, inv));
        let mut payments = Vec::with_capacity(paid.len());
        let mut last = i64::MIN;
        for (k, (at, inv_idx, checking, check_number)) in paid.into_iter().enumerate() {
            let at = at.max(last.saturating_add(1));
            last = at;
            let Some(inv) = invoices.get_mut(inv_idx as usize) else {
                continue;
            };
            inv.payment = k as u32 + 1;
            payments.push(Payment {
                created: at,
                updated: at,
                amount: inv.total,
                invoice: inv_idx,
                customer: inv.customer,
                txn_date: day_of(at),
                deposit_account: if checking {
                    ACCT_CHECKING as u32
                } else {
                    ACCT_UNDEPOSITED as u32
                },
                check_number,
            });
        }
        for inv in &invoices {
            if let Some(c) = self.customers.get_mut(inv.customer as usize) {
                c.balance += inv.balance;
            }
        }
        self.invoices = invoices;
        self.payments = payments;
        tax
    }

    fn build_bills(&mut self, n: usize) {
        let mut bills = Vec::with_capacity(n);
        for i in 0..n {
            let (bill, _) = gen_bill(self, n, i);
            if let Some(v) = self.vendors.get_mut(bill.vendor as usize) {
                v.balance += bill.balance;
            }
            bills.push(bill);
        }
        self.bills = bills;
    }

    /// Balance-sheet accounts carry the totals of the generated transactions (P&L accounts show 0,
    /// as QBO does for `CurrentBalance`).
    fn settle_account_balances(&mut self, tax: i64) {
        // In home amounts (a multicurrency company's foreign transactions converted as the
        // ledger converts them).
        let money = self.currencies;
        let customer = |c: u32| money.of_customer(c as usize);
        let vendor = |v: u32| money.of_vendor(v as usize);
        let ar: i64 = self
            .invoices
            .iter()
            .map(|i| customer(i.customer).home(i.balance))
            .sum();
        let ap: i64 = self
            .bills
            .iter()
            .map(|b| vendor(b.vendor).home(b.balance))
            .sum();
        let mut checking = 0i64;
        let mut undeposited = 0i64;
        for p in &self.payments {
            let amount = customer(p.customer).home(p.amount);
            if p.deposit_account as usize == ACCT_CHECKING {
                checking += amount;
            } else {
                undeposited += amount;
            }
        }
        checking -= self
            .bills
            .iter()
            .map(|b| vendor(b.vendor).home(b.total - b.balance))
            .sum::<i64>();
        let mut tax = tax;
        if money.on {
            for (index, invoice) in self.invoices.iter().enumerate() {
                let currency = customer(invoice.customer);
                if currency.rate != 100
                    && let Some((_, foreign)) = self.invoice_detail(index).tax
                {
                    tax += currency.home(foreign) - foreign;
                }
            }
        }
        for (idx, amount) in [
            (ACCT_AR, ar),
            (ACCT_AP, ap),
            (ACCT_CHECKING, checking),
            (ACCT_UNDEPOSITED, undeposited),
            (ACCT_SALES_TAX, tax),
        ] {
            if let Some(a) = self.accounts.get_mut(idx) {
                a.balance = amount;
            }
        }
    }

    /// Draw the other posting transactions (`txns.rs`) and add what they post to the customers'
    /// and vendors' balances and to the balance-sheet accounts' `CurrentBalance`; then give each
    /// inventory item the starting stock no day's sales exceed and the quantity left on hand
    /// (`stock` holds what the invoices sold), and post both to the accounts.
    fn build_posted(&mut self, invoices: usize, mut stock: DailyStock) {
        let customer_taxable: Vec<bool> = self.customers.iter().map(|c| c.taxable).collect();
        let items: Vec<ItemInfo> = self
            .items
            .iter()
            .map(|item| ItemInfo {
                price: item.unit_price,
                cost: item.purchase_cost,
                taxable: item.taxable,
                income: item.income_account,
                expense: item.expense_account,
                big: item.unit_price >= 50_000,
                service: item.kind == ItemKind::Service,
                active: item.active,
                asset: item.asset_account,
            })
            .collect();
        let vendor_expense: Vec<usize> = self.vendors.iter().map(|v| v.expense_account).collect();
        let undeposited: Vec<Undeposited> = self
            .payments
            .iter()
            .enumerate()
            .filter(|(_, p)| p.deposit_account as usize == ACCT_UNDEPOSITED)
            .map(|(index, p)| Undeposited {
                index: index as u32,
                at: p.created,
                amount: p.amount,
            })
            .collect();
        // Record `i` of a table with one record per `per` invoices takes the slot of the
        // invoice in the middle of its `per`, so the tables spread over the invoices' months.
        let times = |rng: &mut SplitMix64, per: usize, i: usize, edited: bool| {
            let at = i.saturating_mul(per).saturating_add(per / 2);
            let (created, updated) = slot_times(rng, txn_span(), invoices, at, edited);
            (created, updated.min(data_end()))
        };
        let active = |flags: Vec<bool>| -> Vec<u32> {
            (0..flags.len() as u32)
                .filter(|&i| flags[i as usize])
                .collect()
        };
        let active_customers = active(self.customers.iter().map(|c| c.active).collect());
        let active_vendors = active(self.vendors.iter().map(|v| v.active).collect());
        let posted = Posted::build(&Inputs {
            seed: self.seed,
            invoices,
            customer_taxable: &customer_taxable,
            active_customers: &active_customers,
            active_vendors: &active_vendors,
            items: &items,
            vendor_expense: &vendor_expense,
            undeposited: &undeposited,
            chart: CHART_OF_POSTED,
            tax_bp: TAX_RATE_BP,
            times: &times,
            end: data_end(),
        });
        for memo in &posted.credit_memos {
            if let Some(c) = self.customers.get_mut(memo.customer as usize) {
                c.balance -= memo.total;
            }
        }
        for credit in &posted.vendor_credits {
            if let Some(v) = self.vendors.get_mut(credit.vendor as usize) {
                v.balance -= credit.total;
            }
        }
        posted.count_stock(&mut stock);
        let mut start_value = 0;
        for (index, item) in self.items.iter_mut().enumerate() {
            let Some(unit) = item.stock_cost() else {
                continue;
            };
            (item.start_qty, item.qty_on_hand) = stock.levels(index);
            start_value += item.start_qty * unit;
        }
        let sold: i64 = self.invoices.iter().map(|i| i.cost).sum();
        for (index, amount) in [
            (ACCT_INVENTORY, start_value - sold),
            (ACCT_OPENING_EQUITY, start_value),
        ] {
            if let Some(a) = self.accounts.get_mut(index) {
                a.balance += amount;
            }
        }
        let mut lines = Vec::with_capacity(4);
        for kind in Kind::ALL {
            for index in 0..posted.len(kind) {
                posted.lines(kind, index, &CHART_OF_POSTED, &mut lines);
                for &(account, amount) in &lines {
                    if let Some(a) = self.accounts.get_mut(account) {
                        match a.classification {
                            "Asset" => a.balance += amount,
                            "Liability" | "Equity" => a.balance -= amount,
                            _ => {}
                        }
                    }
                }
            }
        }
        self.posted = posted;
    }

    /// Lines, tax and other rendered-only parts of invoice `index` (rebuilt from its stream).
    pub(crate) fn invoice_detail(&self, index: usize) -> InvoiceDetail {
        gen_invoice(self, self.invoices.len(), index).1
    }

    /// Expense lines of bill `index` (rebuilt from its stream).
    pub(crate) fn bill_lines(&self, index: usize) -> Vec<ExpenseLine> {
        gen_bill(self, self.bills.len(), index).1
    }

    /// Name of account `index` ("" if out of range).
    pub(crate) fn account_name(&self, index: usize) -> &str {
        self.accounts.get(index).map_or("", |a| a.name)
    }

    /// Display name of customer `index` ("" if out of range).
    pub(crate) fn customer_name(&self, index: usize) -> &str {
        self.customers
            .get(index)
            .map_or("", |c| c.display_name.as_str())
    }

    /// The location (`DepartmentRef`, an index into the departments) seeded sales form `index`
    /// of `form` is tracked under: an active department, or none for about one in five.
    pub(crate) fn department_of(&self, form: SalesForm, index: usize) -> Option<usize> {
        let mut rng = form.tracking(self.seed, index, 0);
        if rng.chance(20) {
            return None;
        }
        nth_active(
            &self.departments,
            rng.below(active_count(&self.departments)),
        )
    }

    /// The class (`ClassRef` of its `SalesItemLineDetail`, an index into the classes) of line
    /// `line` of seeded sales form `index` of `form`: an active class, or none for about one
    /// line in seven.
    pub(crate) fn class_of_line(
        &self,
        form: SalesForm,
        index: usize,
        line: usize,
    ) -> Option<usize> {
        let mut rng = form.tracking(self.seed, index, line.saturating_add(1));
        if rng.chance(15) {
            return None;
        }
        nth_active(&self.classes, rng.below(active_count(&self.classes)))
    }
}

/// A seeded sales form that carries a location and classes on its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SalesForm {
    /// An invoice.
    Invoice,
    /// A sales receipt, credit memo or refund receipt.
    Posted(Kind),
}

impl SalesForm {
    /// The generator of slot `slot` (0: the location; `1 + n`: line `n`'s class) of record
    /// `index`: a pure function of the record, its form and the slot.
    fn tracking(self, seed: u64, index: usize, slot: usize) -> SplitMix64 {
        let form = match self {
            SalesForm::Invoice => 0,
            SalesForm::Posted(kind) => 1 + kind as u64,
        };
        let record = (index as u64)
            .wrapping_mul(64)
            .wrapping_add(slot as u64 % 64);
        SplitMix64::for_record(
            seed,
            STREAM_TRACKING.wrapping_mul(100).wrapping_add(form),
            record,
        )
    }
}

fn active_count(list: &[Category]) -> u64 {
    list.iter().filter(|c| c.active).count() as u64
}

/// The index of the `n`th active entry of `list`.
fn nth_active(list: &[Category], n: u64) -> Option<usize> {
    list.iter()
        .enumerate()
        .filter(|(_, c)| c.active)
        .nth(usize::try_from(n).ok()?)
        .map(|(index, _)| index)
}

/// Instants for record `i` of `n` spread over `span`: `(created, updated)`, both strictly rising
/// with `i` (each record owns a slot of at least 2 s; both times stay inside its first 2/3).
///
/// Slots are sized for the table's size bucket (the next power of ten, at least 10,000), not
/// for `n` itself, so a company that grows within its bucket keeps its earlier records exactly:
/// record `i` of 1,000 and of 1,200 are the same bytes, and the new ones come later in time.
fn slot_times(
    rng: &mut SplitMix64,
    span: (i64, i64),
    n: usize,
    i: usize,
    edited: bool,
) -> (i64, i64) {
    let (start, end) = span;
    let len = i128::from(end - start);
    let n = size_bucket(n) as i128;
    let slot_start = start + (len * i as i128 / n) as i64;
    let slot = (len / n) as i64;
    let third = (slot / 3).max(0);
    let created = slot_start + rng.range(0, third - 1).max(0);
    let updated = if edited && third > 1 {
        created + rng.range(1, third - 1)
    } else {
        created
    };
    (created, updated)
}

/// The size bucket of a table of `n` records: the next power of ten, at least 10,000.
fn size_bucket(n: usize) -> usize {
    let mut bucket = 10_000usize;
    while bucket < n {
        bucket = bucket.saturating_mul(10);
    }
    bucket
}

fn build_accounts(seed: u64) -> Vec<Account> {
    let base = company_start();
    CHART
        .iter()
        .enumerate()
        .map(
            |(i, &(name, account_type, sub_type, classification, active))| {
                let mut rng = SplitMix64::for_record(seed, STREAM_ACCOUNT, i as u64);
                let created = base + 60 * i as i64 + rng.range(0, 50);
                let (updated, sync_token) = if active {
                    (created, 0)
                } else {
                    (created + rng.range(86_400, 300 * 86_400), 1)
                };
                Account {
                    name,
                    account_type,
                    sub_type,
                    classification,
                    active,
                    balance: 0,
                    created,
                    updated,
                    sync_token,
                }
            },
        )
        .collect()
}

fn gen_item(seed: u64, i: usize) -> Item {
    let mut rng = SplitMix64::for_record(seed, STREAM_ITEM, i as u64);
    let (name, description, kind, base_price, taxable) = match ITEM_CATALOG.get(i) {
        Some(&(name, desc, kind, price, taxable)) => (name.to_owned(), desc, kind, price, taxable),
        None => (
            format!("Service Item {}", i + 1),
            "General service",
            ItemKind::Service,
            5000 + 500 * (i as i64 % 40),
            false,
        ),
    };
    // Prices differ a little per seed (in whole dollars for services, so they look quoted).
    let unit_price = match kind {
        ItemKind::Service => (base_price + 100 * rng.range(-5, 5)).max(100),
        ItemKind::NonInventory | ItemKind::Inventory => (base_price + rng.range(-150, 150)).max(99),
    };
    let created = company_start() + 7 * 86_400 + 120 * i as i64 + rng.range(0, 100);
    let retired = i == ITEM_CATALOG.len() - 1 || (i >= ITEM_CATALOG.len() && rng.chance(5));
    let (updated, sync_token) = if retired {
        (created + rng.range(100, 400) * 86_400, 2)
    } else if rng.chance(30) {
        (created + rng.range(1, 500) * 86_400, 1)
    } else {
        (created, 0)
    };
    let (income_account, expense_account, purchase_cost) = match kind {
        ItemKind::Service => (ACCT_SERVICE_INCOME, None, 0),
        ItemKind::NonInventory | ItemKind::Inventory => (
            ACCT_PRODUCT_INCOME,
            Some(ACCT_COGS),
            unit_price * rng.range(45, 60) / 100,
        ),
    };
    let sku = (kind != ItemKind::Service).then(|| format!("SKU-{:05}", 10_000 + i * 37));
    let asset_account = (kind == ItemKind::Inventory).then_some(ACCT_INVENTORY);
    Item {
        name,
        description,
        kind,
        unit_price,
        purchase_cost,
        taxable,
        active: !retired,
        income_account,
        expense_account,
        sku,
        asset_account,
        start_qty: 0,
        qty_on_hand: 0,
        inv_start: day_of(created),
        created,
        updated,
        sync_token,
    }
}

/// A bijection `i -> (a*i + b) mod p` drawn from the seed, so names are unique without any
/// record depending on another.
fn name_permutation(seed: u64, stream: u64, p: usize) -> impl Fn(usize) -> usize {
    let mut rng = SplitMix64::for_record(seed, STREAM_NAMES, stream);
    let p = p.max(1);
    let mut a = 1 + rng.below(p as u64) as usize;
    while gcd(a, p) != 1 {
        a += 1;
    }
    let b = rng.below(p as u64) as usize;
    move |i| (a.wrapping_mul(i % p) + b) % p
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `name`, or `name N` for the N-th time the combination space wraps around.
fn with_round(name: String, round: usize) -> String {
    if round == 0 {
        name
    } else {
        format!("{name} {}", round + 1)
    }
}

fn slug(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn gen_address(rng: &mut SplitMix64, id: u32) -> (Address, u32) {
    let &(city, region, zip3, area) = rng.pick(&CITIES).unwrap_or(&CITIES[0]);
    let street = rng.pick(&STREETS).copied().unwrap_or("Main St");
    let number = rng.range(10, 9999);
    let line2 = rng
        .chance(25)
        .then(|| format!("Suite {}", rng.range(1, 40) * 10));
    let addr = Address {
        id,
        line1: format!("{number} {street}"),
        line2,
        city,
        region,
        postal: format!("{zip3}{:02}", rng.range(1, 99)),
    };
    (addr, area)
}

fn phone(rng: &mut SplitMix64, area: u32) -> String {
    format!("({area}) 555-{:04}", rng.range(100, 199))
}

fn build_customers(seed: u64, n: usize) -> Vec<Customer> {
    let p = CUSTOMER_PREFIXES.len() * CUSTOMER_SUFFIXES.len();
    let perm = name_permutation(seed, STREAM_CUSTOMER, p);
    (0..n).map(|i| gen_customer(seed, n, i, &perm)).collect()
}

fn gen_customer(seed: u64, n: usize, i: usize, perm: &impl Fn(usize) -> usize) -> Customer {
    let mut rng = SplitMix64::for_record(seed, STREAM_CUSTOMER, i as u64);
    let combo = perm(i);
    let suffixes = CUSTOMER_SUFFIXES.len();
    let given_name = rng.pick(&GIVEN_NAMES).copied().unwrap_or("Alex");
    let mut family_name = rng.pick(&FAMILY_NAMES).copied().unwrap_or("Smith");
    let display_name = if i == OBRIEN_INDEX {
        family_name = "O'Brien";
        "O'Brien Landscaping".to_owned()
    } else {
        let prefix = CUSTOMER_PREFIXES
            .get(combo / suffixes)
            .copied()
            .unwrap_or("");
        let suffix = CUSTOMER_SUFFIXES
            .get(combo % suffixes)
            .copied()
            .unwrap_or("");
        with_round(
            format!("{prefix} {suffix}"),
            i / (CUSTOMER_PREFIXES.len() * suffixes),
        )
    };
    let middle_name = rng
        .chance(30)
        .then(|| rng.pick(&MIDDLE_INITIALS).copied())
        .flatten();
    let (bill_addr, area) = gen_address(&mut rng, 10 + 2 * i as u32);
    let ship_addr = rng
        .chance(30)
        .then(|| gen_address(&mut rng, 11 + 2 * i as u32).0);
    let print_on_check = if rng.chance(20) {
        format!("{display_name} LLC")
    } else {
        display_name.clone()
    };
    let mailbox = *rng
        .pick(&["ap", "billing", "office", "accounts"])
        .unwrap_or(&"ap");
    let email = format!("{mailbox}@{}.example", slug(&display_name));
    let phone_number = phone(&mut rng, area);
    let mobile = rng.chance(35).then(|| phone(&mut rng, area));
    let notes = rng
        .chance(15)
        .then(|| rng.pick(&CUSTOMER_NOTES).copied())
        .flatten();
    let taxable = rng.chance(45);
    let delivery = if rng.chance(75) { "Email" } else { "Print" };
    // A few customers are inactive; index 7 always is, so small data sets have one.
    let active = !(i == 7 || (i != OBRIEN_INDEX && rng.chance(5)));
    let (created, _) = slot_times(&mut rng, parties_span(), n, i, false);
    let (updated, sync_token) = if !active {
        (
            created + rng.range(200, 900) * 86_400,
            rng.range(1, 3) as u32,
        )
    } else if rng.chance(40) {
        (created + rng.range(1, 900) * 86_400, rng.range(1, 5) as u32)
    } else {
        (created, 0)
    };
    Customer {
        display_name,
        given_name,
        middle_name,
        family_name,
        print_on_check,
        email,
        phone: phone_number,
        mobile,
        bill_addr,
        ship_addr,
        notes,
        taxable,
        delivery,
        active,
        balance: 0,
        created,
        updated: updated.min(data_end()),
        sync_token,
    }
}

fn build_vendors(seed: u64, n: usize, customers: usize) -> Vec<Vendor> {
    let p = VENDOR_PREFIXES.len() * VENDOR_KINDS.len();
    let perm = name_permutation(seed, STREAM_VENDOR, p);
    (0..n)
        .map(|i| gen_vendor(seed, n, i, customers, &perm))
        .collect()
}

fn gen_vendor(
    seed: u64,
    n: usize,
    i: usize,
    customers: usize,
    perm: &impl Fn(usize) -> usize,
) -> Vendor {
    let mut rng = SplitMix64::for_record(seed, STREAM_VENDOR, i as u64);
    let kinds = VENDOR_KINDS.len();
    let combo = perm(i);
    let prefix = VENDOR_PREFIXES.get(combo / kinds).copied().unwrap_or("");
    let (suffix, expense_account, _) = VENDOR_KINDS
        .get(combo % kinds)
        .copied()
        .unwrap_or(VENDOR_KINDS[0]);
    let display_name = with_round(
        format!("{prefix} {suffix}"),
        i / (VENDOR_PREFIXES.len() * kinds),
    );
    let given_name = rng.pick(&GIVEN_NAMES).copied().unwrap_or("Alex");
    let family_name = rng.pick(&FAMILY_NAMES).copied().unwrap_or("Smith");
    let (addr, area) = gen_address(&mut rng, (10 + 2 * customers + i) as u32);
    let s = slug(&display_name);
    let email = format!("billing@{s}.example");
    let web = format!("https://www.{s}.example");
    let phone_number = phone(&mut rng, area);
    let acct_num = rng
        .chance(50)
        .then(|| format!("{:06}", rng.range(100_000, 999_999)));
    let vendor_1099 = suffix == "Accounting LLP" || rng.chance(10);
    let active = !(i == 5 || rng.chance(5));
    let (created, _) = slot_times(&mut rng, parties_span(), n, i, false);
    let (updated, sync_token) = if !active {
        (created + rng.range(200, 900) * 86_400, 1)
    } else if rng.chance(25) {
        (created + rng.range(1, 900) * 86_400, rng.range(1, 3) as u32)
    } else {
        (created, 0)
    };
    Vendor {
        display_name,
        given_name,
        family_name,
        email,
        phone: phone_number,
        web,
        acct_num,
        addr,
        vendor_1099,
        expense_account,
        active,
        balance: 0,
        created,
        updated: updated.min(data_end()),
        sync_token,
    }
}

fn gen_company(seed: u64) -> Company {
    let mut rng = SplitMix64::for_record(seed, STREAM_COMPANY, 0);
    let name = rng
        .pick(&COMPANY_NAMES)
        .copied()
        .unwrap_or("Larkspur Mechanical LLC");
    let (addr, area) = gen_address(&mut rng, 1);
    let created = company_start() - 3600;
    let s = slug(name);
    Company {
        name,
        addr,
        phone: phone(&mut rng, area),
        email: format!("office@{s}.example"),
        web: format!("https://www.{s}.example"),
        start_date: day_of(company_start()),
        created,
        updated: data_end() - rng.range(3, 60) * 86_400,
    }
}

/// Invoice `i` of `n`. Uses only the customer and item tables of `ds`.
fn gen_invoice(ds: &Dataset, n: usize, i: usize) -> (Invoice, InvoiceDetail) {
    let mut rng = SplitMix64::for_record(ds.seed, STREAM_INVOICE, i as u64);
    let edited = rng.chance(35);
    let (created, updated) = slot_times(&mut rng, txn_span(), n, i, edited);
    let sync_token = if updated > created {
        rng.range(1, 3) as u8
    } else {
        0
    };
    let txn_date = day_of(created) - rng.range(0, 3) as i32;
    let customer = rng.below(ds.customers.len() as u64) as u32;
    let cust = ds.customers.get(customer as usize);
    let customer_taxable = cust.is_some_and(|c| c.taxable);
    let term = rng.below(TERMS.len() as u64) as u8;
    let due_date = txn_date + TERMS.get(term as usize).map_or(30, |t| t.2);

    let line_count = 1 + rng.below(4) as usize;
    let mut lines = Vec::with_capacity(line_count);
    for _ in 0..line_count {
        let item = rng.below(ds.items.len() as u64) as u32;
        let Some(it) = ds.items.get(item as usize) else {
            continue;
        };
        let qty = match it.kind {
            // Big-ticket lines (installs, equipment) come one or two at a time.
            _ if it.unit_price >= 50_000 => rng.range(1, 2),
            ItemKind::Service => rng.range(1, 6),
            ItemKind::NonInventory | ItemKind::Inventory => rng.range(1, 12),
        };
        let service_date = rng.chance(40).then(|| txn_date - rng.range(0, 6) as i32);
        lines.push(SalesLine {
            item,
            qty,
            unit_price: it.unit_price,
            amount: qty * it.unit_price,
            taxable: it.taxable,
            service_date,
        });
    }
    let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
    let taxable_net: i64 = lines.iter().filter(|l| l.taxable).map(|l| l.amount).sum();
    let tax = (customer_taxable && taxable_net > 0)
        .then(|| (taxable_net, (taxable_net * TAX_RATE_BP + 5_000) / 10_000));
    let total = subtotal + tax.map_or(0, |t| t.1);
    let cost = lines
        .iter()
        .filter_map(|l| {
            let unit = ds.items.get(l.item as usize)?.stock_cost()?;
            Some(l.qty * unit)
        })
        .sum();

    let po_number = rng.chance(45).then(|| rng.range(10_000, 99_999) as u32);
    let memo = rng.chance(50);
    let allow_cc = rng.chance(40);
    let allow_ach = allow_cc && rng.chance(70);
    // Older invoices are mostly paid; the newest ones mostly open.
    let recent = i as u64 * 100 >= n as u64 * 90;
    let pays = rng.chance(if recent { 35 } else { 90 });
    let pay_delay = rng.range(1, 45) * 86_400 + rng.range(0, 36_000);
    let paid_at = (pays && created + pay_delay < data_end()).then_some(created + pay_delay);
    let deposit_to_checking = rng.chance(40);
    let check_number = rng.chance(50).then(|| rng.range(1001, 9999) as u32);
    let email_customer = cust.is_some_and(|c| c.delivery == "Email");
    let (email_status, print_status) = match (email_customer, paid_at.is_some()) {
        (true, true) => (2, 0),
        (true, false) => (if rng.chance(30) { 1 } else { 2 }, 0),
        (false, true) => (0, 2),
        (false, false) => (0, if rng.chance(50) { 1 } else { 2 }),
    };
    let invoice = Invoice {
        created,
        updated,
        total,
        balance: if paid_at.is_some() { 0 } else { total },
        customer,
        txn_date,
        due_date,
        payment: 0,
        cost,
        sync_token,
        term,
        email_status,
        print_status,
    };
    let detail = InvoiceDetail {
        lines,
        subtotal,
        tax,
        po_number,
        memo,
        allow_cc,
        allow_ach,
        paid_at,
        deposit_to_checking,
        check_number,
    };
    (invoice, detail)
}

/// Bill `i` of `n`. Uses only the vendor table of `ds`.
fn gen_bill(ds: &Dataset, n: usize, i: usize) -> (Bill, Vec<ExpenseLine>) {
    let mut rng = SplitMix64::for_record(ds.seed, STREAM_BILL, i as u64);
    let edited = rng.chance(20);
    let (created, updated) = slot_times(&mut rng, txn_span(), n, i, edited);
    let sync_token = if updated > created { 1 } else { 0 };
    let txn_date = day_of(created) - rng.range(0, 5) as i32;
    let vendor = rng.below(ds.vendors.len() as u64) as u32;
    let default_account = ds
        .vendors
        .get(vendor as usize)
        .map_or(ACCT_JOB_SUPPLIES, |v| v.expense_account);
    let description = VENDOR_KINDS
        .iter()
        .find(|k| k.1 == default_account)
        .map_or("Purchases", |k| k.2);
    let term = if rng.chance(80) { 2 } else { 1 };
    let due_date = txn_date + TERMS.get(term as usize).map_or(30, |t| t.2);
    let line_count = 1 + rng.below(3) as usize;
    let mut lines = Vec::with_capacity(line_count);
    for k in 0..line_count {
        let account = if k == 0 || rng.chance(50) {
            default_account
        } else {
            *rng.pick(&[ACCT_JOB_SUPPLIES, ACCT_OFFICE, ACCT_AUTOMOBILE, ACCT_REPAIR])
                .unwrap_or(&ACCT_JOB_SUPPLIES)
        };
        lines.push(ExpenseLine {
            account,
            amount: rng.range(25, 2500) * 100 + rng.range(0, 99),
            description,
        });
    }
    let total = lines.iter().map(|l| l.amount).sum();
    let paid = start_of_day(due_date) < data_end() - 10 * 86_400 && rng.chance(92);
    let doc_number = rng.chance(60).then(|| rng.range(1000, 999_999) as u32);
    let bill = Bill {
        created,
        updated,
        total,
        balance: if paid { 0 } else { total },
        vendor,
        txn_date,
        due_date,
        doc_number,
        sync_token,
        term,
    };
    (bill, lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn small(seed: u64) -> Dataset {
        let cfg = EmulatorConfig {
            seed,
            ..EmulatorConfig::default()
        };
        Dataset::build(&cfg).expect("default config builds")
    }

    #[test]
    fn tables_have_configured_sizes_and_consistent_links() {
        let ds = small(42);
        assert_eq!(ds.invoices.len(), 2500);
        assert_eq!(ds.customers.len(), 120);
        assert_eq!(ds.vendors.len(), 40);
        assert_eq!(ds.items.len(), 30);
        assert_eq!(ds.bills.len(), 500);
        assert!(!ds.payments.is_empty());
        for (k, p) in ds.payments.iter().enumerate() {
            let inv = &ds.invoices[p.invoice as usize];
            assert_eq!(inv.payment as usize, k + 1);
            assert_eq!(inv.balance, 0);
            assert_eq!(p.amount, inv.total);
            assert!(p.created > inv.created);
        }
        for (i, inv) in ds.invoices.iter().enumerate() {
            let d = ds.invoice_detail(i);
            assert!(!d.lines.is_empty() && d.lines.len() <= 4);
            assert_eq!(d.subtotal, d.lines.iter().map(|l| l.amount).sum::<i64>());
            assert_eq!(inv.total, d.subtotal + d.tax.map_or(0, |t| t.1));
            assert!(inv.due_date >= inv.txn_date);
            if inv.payment == 0 {
                assert_eq!(inv.balance, inv.total);
            }
        }
        // What customers owe: open invoices less the credit memos' credits.
        let credits: i64 = ds.posted.credit_memos.iter().map(|m| m.total).sum();
        assert!(credits > 0);
        let open: i64 = ds.invoices.iter().map(|i| i.balance).sum::<i64>() - credits;
        let balances: i64 = ds.customers.iter().map(|c| c.balance).sum();
        assert_eq!(open, balances);
        assert_eq!(ds.accounts[ACCT_AR].balance, open);
        let bills: i64 = ds.bills.iter().map(|b| b.balance).sum();
        let vendor_credits: i64 = ds.posted.vendor_credits.iter().map(|c| c.total).sum();
        let owed: i64 = ds.vendors.iter().map(|v| v.balance).sum();
        assert_eq!(owed, bills - vendor_credits);
        assert_eq!(ds.accounts[ACCT_AP].balance, owed);
    }

    #[test]
    fn inventory_items_track_their_stock_from_a_start_that_covers_every_sale() {
        let ds = small(42);
        let inventory: Vec<&Item> = ds
            .items
            .iter()
            .filter(|it| it.kind == ItemKind::Inventory)
            .collect();
        assert_eq!(inventory.len(), 7);
        for item in &inventory {
            assert_eq!(item.asset_account, Some(ACCT_INVENTORY));
            assert_eq!(item.expense_account, Some(ACCT_COGS));
            assert!(
                item.purchase_cost > 0 && item.qty_on_hand >= 0,
                "{}",
                item.name
            );
            assert!(item.start_qty >= 0 && item.inv_start <= day_of(txn_span().0));
        }
        assert!(inventory.iter().any(|it| it.qty_on_hand > 0));
        let value: i64 = inventory
            .iter()
            .map(|it| it.qty_on_hand * it.purchase_cost)
            .sum();
        assert_eq!(ds.accounts[ACCT_INVENTORY].balance, value);
        // Restocks are bought on expenses, into the asset account.
        let restocks = ds
            .posted
            .purchases
            .iter()
            .flat_map(|p| p.lines.iter())
            .filter(|l| l.account as usize == ACCT_INVENTORY)
            .count();
        assert!(restocks > 10);
        // What the invoices sold is their cost.
        let sold: i64 = ds.invoices.iter().map(|i| i.cost).sum();
        assert!(sold > 0);
    }

    #[test]
    fn times_rise_strictly_with_id() {
        let ds = small(7);
        for w in ds.invoices.windows(2) {
            assert!(w[0].created < w[1].created && w[0].updated < w[1].updated);
            assert!(w[0].updated >= w[0].created);
        }
        for w in ds.payments.windows(2) {
            assert!(w[0].created < w[1].created);
        }
        for w in ds.bills.windows(2) {
            assert!(w[0].created < w[1].created && w[0].updated < w[1].updated);
        }
    }

    #[test]
    fn names_are_unique_and_include_an_apostrophe_and_inactive_ones() {
        let ds = small(42);
        let mut seen = HashSet::new();
        for c in &ds.customers {
            assert!(seen.insert(c.display_name.clone()), "{}", c.display_name);
        }
        for v in &ds.vendors {
            assert!(seen.insert(v.display_name.clone()), "{}", v.display_name);
        }
        let obrien = &ds.customers[OBRIEN_INDEX];
        assert_eq!(obrien.display_name, "O'Brien Landscaping");
        assert_eq!(obrien.family_name, "O'Brien");
        assert!(obrien.active);
        assert!(ds.customers.iter().filter(|c| !c.active).count() >= 2);
        assert!(ds.vendors.iter().any(|v| !v.active));
        assert!(ds.items.iter().any(|i| !i.active));
        assert!(ds.accounts.iter().any(|a| !a.active));
    }

    #[test]
    fn bigger_tables_wrap_names_without_duplicates() {
        let cfg = EmulatorConfig {
            customers: 1500,
            vendors: 400,
            invoices: 10,
            ..EmulatorConfig::default()
        };
        let ds = Dataset::build(&cfg).expect("builds");
        let names: HashSet<&str> = ds
            .customers
            .iter()
            .map(|c| c.display_name.as_str())
            .chain(ds.vendors.iter().map(|v| v.display_name.as_str()))
            .collect();
        assert_eq!(names.len(), 1900);
    }

    #[test]
    fn refuses_impossible_configs() {
        let cfg = EmulatorConfig {
            customers: 0,
            ..EmulatorConfig::default()
        };
        assert!(Dataset::build(&cfg).is_err());
        let cfg = EmulatorConfig {
            invoices: MAX_RECORDS + 1,
            ..EmulatorConfig::default()
        };
        assert!(Dataset::build(&cfg).is_err());
        let cfg = EmulatorConfig {
            invoices: 0,
            customers: 0,
            items: 0,
            vendors: 0,
            ..EmulatorConfig::default()
        };
        let ds = Dataset::build(&cfg).expect("empty books are fine");
        assert!(ds.invoices.is_empty() && ds.bills.is_empty());
    }
}
