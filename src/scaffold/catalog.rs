//! What `qbo-run new` knows about QBO: the queryable entities (and which are name lists, whose
//! queries answer active records only unless the WHERE mentions `Active`), and the reports with
//! the parameters each takes.

/// A QBO entity a request file may query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityInfo {
    /// Its name in queries and JSON (`Invoice`).
    pub name: &'static str,
    /// A name list: QBO answers active records only unless the WHERE mentions `Active`.
    pub name_list: bool,
    /// What the records are, for the file's description.
    pub what: &'static str,
    /// Whether QBO filters it on `MetaData.LastUpdatedTime` (else it is read whole, and cannot
    /// be read incrementally).
    pub by_update_time: bool,
}

const fn entity(name: &'static str, name_list: bool, what: &'static str) -> EntityInfo {
    EntityInfo {
        name,
        name_list,
        what,
        by_update_time: true,
    }
}

/// An entity QBO does not filter on `MetaData.LastUpdatedTime` (its records carry no
/// `MetaData`, or QBO refuses the field in a WHERE).
const fn read_whole(name: &'static str, name_list: bool, what: &'static str) -> EntityInfo {
    EntityInfo {
        by_update_time: false,
        ..entity(name, name_list, what)
    }
}

/// QBO's queryable entities.
pub const ENTITIES: &[EntityInfo] = &[
    entity("Account", true, "Accounts of the chart of accounts"),
    entity("Attachable", false, "Attachments of transactions"),
    entity("Bill", false, "Vendor bills"),
    entity("BillPayment", false, "Payments of vendor bills"),
    entity("Budget", true, "Budgets"),
    entity("Class", true, "Classes"),
    entity("CreditCardPayment", false, "Credit card payments"),
    entity(
        "CompanyCurrency",
        true,
        "Currencies of a multicurrency company",
    ),
    entity("CreditMemo", false, "Credit memos"),
    entity("Customer", true, "Customers"),
    entity("CustomerType", true, "Customer types"),
    entity("Department", true, "Departments (locations)"),
    entity("Deposit", false, "Bank deposits"),
    entity("Employee", true, "Employees"),
    entity("Estimate", false, "Estimates"),
    entity("Invoice", false, "Invoices"),
    entity("Item", true, "Products and services"),
    entity("JournalCode", false, "Journal codes (French companies)"),
    entity("JournalEntry", false, "Journal entries"),
    entity("Payment", false, "Customer payments"),
    entity("PaymentMethod", true, "Payment methods"),
    entity(
        "Purchase",
        false,
        "Purchases (checks, cash and credit card expenses)",
    ),
    entity("PurchaseOrder", false, "Purchase orders"),
    entity(
        "RecurringTransaction",
        false,
        "Recurring transaction templates",
    ),
    entity("RefundReceipt", false, "Refund receipts"),
    entity("SalesReceipt", false, "Sales receipts"),
    read_whole("TaxAgency", false, "Sales tax agencies"),
    read_whole("TaxCode", true, "Sales tax codes"),
    read_whole("TaxRate", true, "Sales tax rates"),
    entity("Term", true, "Payment terms"),
    entity("TimeActivity", false, "Time activities"),
    entity("Transfer", false, "Transfers between accounts"),
    entity("Vendor", true, "Vendors"),
    entity("VendorCredit", false, "Vendor credits"),
];

/// A parameter of a report: its name, default and meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportParam {
    /// The query parameter (and the file's variable).
    pub name: &'static str,
    /// The variable's default (empty: not sent).
    pub default: &'static str,
    /// What it is, for the variable's description.
    pub description: &'static str,
}

/// A QBO report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportInfo {
    /// Its name in the URL (`ProfitAndLoss`).
    pub name: &'static str,
    /// What it shows.
    pub what: &'static str,
    /// Whether it takes a date range (`date_macro`, or `start_date` and `end_date`).
    pub dated: bool,
    /// Its other parameters.
    pub params: &'static [ReportParam],
}

const ACCOUNTING_METHOD: ReportParam = ReportParam {
    name: "accounting_method",
    default: "Accrual",
    description: "Accrual, or Cash (income and expenses when paid)",
};
const SUMMARIZE: ReportParam = ReportParam {
    name: "summarize_column_by",
    default: "Total",
    description: "one amount column per Days, Weeks, Months, Quarters or Years (and a Total), or Total alone",
};
const REPORT_DATE: ReportParam = ReportParam {
    name: "report_date",
    default: "",
    description: "the day amounts are aged on, YYYY-MM-DD (empty: today)",
};
const AGING_PERIOD: ReportParam = ReportParam {
    name: "aging_period",
    default: "30",
    description: "days in each aging column",
};
const NUM_PERIODS: ReportParam = ReportParam {
    name: "num_periods",
    default: "4",
    description: "aging columns after Current (the last is \"N and over\")",
};
const CUSTOMER: ReportParam = ReportParam {
    name: "customer",
    default: "",
    description: "only these customers: comma-separated ids (empty: all)",
};
const VENDOR: ReportParam = ReportParam {
    name: "vendor",
    default: "",
    description: "only these vendors: comma-separated ids (empty: all)",
};

const COLUMNS: ReportParam = ReportParam {
    name: "columns",
    default: "",
    description: "the report's column keys to show, comma-separated, in order (empty: its default columns)",
};

const fn report(
    name: &'static str,
    what: &'static str,
    dated: bool,
    params: &'static [ReportParam],
) -> ReportInfo {
    ReportInfo {
        name,
        what,
        dated,
        params,
    }
}

/// QBO's reports and their parameters.
pub const REPORTS: &[ReportInfo] = &[
    report(
        "ProfitAndLoss",
        "Profit and loss by account",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE, CUSTOMER],
    ),
    report(
        "ProfitAndLossDetail",
        "Profit and loss, transaction by transaction",
        true,
        &[ACCOUNTING_METHOD, CUSTOMER],
    ),
    report(
        "BalanceSheet",
        "Balance sheet by account",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE],
    ),
    report(
        "TrialBalance",
        "Trial balance, the debit or credit balance of each account",
        true,
        &[ACCOUNTING_METHOD],
    ),
    report("CashFlow", "Statement of cash flows", true, &[SUMMARIZE]),
    report(
        "GeneralLedger",
        "General ledger, one line per transaction line",
        true,
        &[ACCOUNTING_METHOD],
    ),
    report(
        "AgedReceivables",
        "Accounts receivable aging per customer",
        false,
        &[REPORT_DATE, AGING_PERIOD, NUM_PERIODS, CUSTOMER],
    ),
    report(
        "AgedReceivableDetail",
        "Accounts receivable aging, invoice by invoice",
        false,
        &[REPORT_DATE, AGING_PERIOD, NUM_PERIODS, CUSTOMER],
    ),
    report(
        "AgedPayables",
        "Accounts payable aging per vendor",
        false,
        &[REPORT_DATE, AGING_PERIOD, NUM_PERIODS, VENDOR],
    ),
    report(
        "AgedPayableDetail",
        "Accounts payable aging, bill by bill",
        false,
        &[REPORT_DATE, AGING_PERIOD, NUM_PERIODS, VENDOR],
    ),
    report(
        "CustomerBalance",
        "Open balance per customer",
        false,
        &[REPORT_DATE, ACCOUNTING_METHOD, CUSTOMER],
    ),
    report(
        "CustomerBalanceDetail",
        "Open balance per customer, transaction by transaction",
        false,
        &[REPORT_DATE, ACCOUNTING_METHOD, CUSTOMER, COLUMNS],
    ),
    report(
        "CustomerIncome",
        "Income per customer",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE, CUSTOMER],
    ),
    report(
        "CustomerSales",
        "Sales per customer",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE, CUSTOMER],
    ),
    report(
        "ItemSales",
        "Sales per product or service",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE],
    ),
    report(
        "VendorBalance",
        "Open balance per vendor",
        false,
        &[REPORT_DATE, ACCOUNTING_METHOD, VENDOR],
    ),
    report(
        "VendorBalanceDetail",
        "Open balance per vendor, transaction by transaction",
        false,
        &[REPORT_DATE, ACCOUNTING_METHOD, VENDOR, COLUMNS],
    ),
    report(
        "VendorExpenses",
        "Expenses per vendor",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE, VENDOR],
    ),
    report(
        "DepartmentSales",
        "Sales per department (location)",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE],
    ),
    report(
        "ClassSales",
        "Sales per class",
        true,
        &[ACCOUNTING_METHOD, SUMMARIZE],
    ),
    report(
        "TransactionList",
        "Every transaction of the period",
        true,
        &[ACCOUNTING_METHOD, COLUMNS],
    ),
    report(
        "TransactionListWithSplits",
        "Every transaction of the period with each of its lines",
        true,
        &[ACCOUNTING_METHOD, COLUMNS],
    ),
    report(
        "TransactionListByCustomer",
        "Transactions of the period grouped by customer",
        true,
        &[ACCOUNTING_METHOD, CUSTOMER, COLUMNS],
    ),
    report(
        "TransactionListByVendor",
        "Transactions of the period grouped by vendor",
        true,
        &[ACCOUNTING_METHOD, VENDOR, COLUMNS],
    ),
    report(
        "JournalReport",
        "Journal entries of the period, debit and credit lines",
        true,
        &[],
    ),
    report(
        "AccountList",
        "The chart of accounts with balances",
        false,
        &[],
    ),
    report(
        "InventoryValuationSummary",
        "Quantity and value on hand per inventory item",
        false,
        &[REPORT_DATE],
    ),
    report(
        "InventoryValuationDetail",
        "Inventory movements per item, with the quantity and value on hand after each",
        true,
        &[COLUMNS],
    ),
    report(
        "TaxSummary",
        "Sales tax collected per agency",
        true,
        &[ACCOUNTING_METHOD],
    ),
];

/// The entity named `name` (any casing).
pub fn find_entity(name: &str) -> Option<&'static EntityInfo> {
    ENTITIES.iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

/// The report named `name`, as QBO spells it or in snake case (`profit_and_loss`).
pub fn find_report(name: &str) -> Option<&'static ReportInfo> {
    let wanted: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    REPORTS
        .iter()
        .find(|r| r.name.to_ascii_lowercase() == wanted)
}
