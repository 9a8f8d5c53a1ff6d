//! The entities the emulator serves and, per entity, the fields a query may filter and sort on.
//!
//! Why it exists: QBO only lets a query use documented *filterable* / *sortable* properties; any
//! other gives a 400. This module is that allow-list, and for each allowed field an accessor that
//! reads the value straight out of the compact tables in `data.rs` (no JSON is built to evaluate a
//! query). Names are matched case-insensitively; `Metadata.X` in a query is `MetaData.X` in JSON.
//! It must stay free of HTTP and of query syntax.

use crate::data::{Dataset, EMAIL_STATUS, PRINT_STATUS, SalesForm};
use crate::extras::{ATTACHMENT_KINDS, Attached, CURRENCIES, JOURNAL_CODES};
use crate::txns::{Kind, doc_number};

/// An entity type the emulator has data for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Entity {
    Account,
    Attachable,
    Bill,
    BillPayment,
    Budget,
    Class,
    CompanyCurrency,
    CompanyInfo,
    CreditCardPayment,
    CreditMemo,
    Customer,
    CustomerType,
    Department,
    Deposit,
    Employee,
    Estimate,
    ExchangeRate,
    Invoice,
    Item,
    JournalCode,
    JournalEntry,
    Payment,
    PaymentMethod,
    Preferences,
    Purchase,
    PurchaseOrder,
    RecurringTransaction,
    RefundReceipt,
    SalesReceipt,
    TaxAgency,
    TaxCode,
    TaxRate,
    Term,
    TimeActivity,
    Transfer,
    Vendor,
    VendorCredit,
}

impl Entity {
    /// Every served entity, in alphabetical order.
    pub(crate) const ALL: [Entity; 37] = [
        Entity::Account,
        Entity::Attachable,
        Entity::Bill,
        Entity::BillPayment,
        Entity::Budget,
        Entity::Class,
        Entity::CompanyCurrency,
        Entity::CompanyInfo,
        Entity::CreditCardPayment,
        Entity::CreditMemo,
        Entity::Customer,
        Entity::CustomerType,
        Entity::Department,
        Entity::Deposit,
        Entity::Employee,
        Entity::Estimate,
        Entity::ExchangeRate,
        Entity::Invoice,
        Entity::Item,
        Entity::JournalCode,
        Entity::JournalEntry,
        Entity::Payment,
        Entity::PaymentMethod,
        Entity::Preferences,
        Entity::Purchase,
        Entity::PurchaseOrder,
        Entity::RecurringTransaction,
        Entity::RefundReceipt,
        Entity::SalesReceipt,
        Entity::TaxAgency,
        Entity::TaxCode,
        Entity::TaxRate,
        Entity::Term,
        Entity::TimeActivity,
        Entity::Transfer,
        Entity::Vendor,
        Entity::VendorCredit,
    ];

    /// The PascalCase name used in queries and as the JSON key.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Entity::Account => "Account",
            Entity::Attachable => "Attachable",
            Entity::Budget => "Budget",
            Entity::CompanyCurrency => "CompanyCurrency",
            Entity::ExchangeRate => "ExchangeRate",
            Entity::JournalCode => "JournalCode",
            Entity::RecurringTransaction => "RecurringTransaction",
            Entity::TimeActivity => "TimeActivity",
            Entity::Bill => "Bill",
            Entity::BillPayment => "BillPayment",
            Entity::Class => "Class",
            Entity::CompanyInfo => "CompanyInfo",
            Entity::CustomerType => "CustomerType",
            Entity::Department => "Department",
            Entity::Employee => "Employee",
            Entity::Estimate => "Estimate",
            Entity::Customer => "Customer",
            Entity::Invoice => "Invoice",
            Entity::Item => "Item",
            Entity::Payment => "Payment",
            Entity::PaymentMethod => "PaymentMethod",
            Entity::Preferences => "Preferences",
            Entity::PurchaseOrder => "PurchaseOrder",
            Entity::TaxAgency => "TaxAgency",
            Entity::TaxCode => "TaxCode",
            Entity::TaxRate => "TaxRate",
            Entity::Term => "Term",
            Entity::Vendor => "Vendor",
            Entity::CreditCardPayment => "CreditCardPayment",
            Entity::CreditMemo => "CreditMemo",
            Entity::Deposit => "Deposit",
            Entity::JournalEntry => "JournalEntry",
            Entity::Purchase => "Purchase",
            Entity::RefundReceipt => "RefundReceipt",
            Entity::SalesReceipt => "SalesReceipt",
            Entity::Transfer => "Transfer",
            Entity::VendorCredit => "VendorCredit",
        }
    }

    /// The entity named `name` in a query (`FROM invoice`), case-insensitive.
    pub(crate) fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(name))
    }

    /// The posting transaction of `txns.rs` this entity is, if it is one.
    pub(crate) fn kind(self) -> Option<Kind> {
        Some(match self {
            Entity::SalesReceipt => Kind::SalesReceipt,
            Entity::CreditMemo => Kind::CreditMemo,
            Entity::RefundReceipt => Kind::RefundReceipt,
            Entity::Deposit => Kind::Deposit,
            Entity::Purchase => Kind::Purchase,
            Entity::JournalEntry => Kind::JournalEntry,
            Entity::Transfer => Kind::Transfer,
            Entity::VendorCredit => Kind::VendorCredit,
            Entity::CreditCardPayment => Kind::CreditCardPayment,
            _ => return None,
        })
    }

    /// Name-list entities answer only active records unless the query constrains `Active`.
    pub(crate) fn is_name_list(self) -> bool {
        matches!(
            self,
            Entity::Account
                | Entity::Customer
                | Entity::Item
                | Entity::Vendor
                | Entity::PaymentMethod
                | Entity::Class
                | Entity::Department
                | Entity::CustomerType
                | Entity::Employee
                | Entity::TaxCode
                | Entity::TaxRate
                | Entity::Term
                | Entity::Budget
                | Entity::CompanyCurrency
        )
    }

    /// The fields a query may use for this entity.
    pub(crate) fn fields(self) -> &'static [FieldDef] {
        match self {
            Entity::Account => ACCOUNT_FIELDS,
            Entity::Attachable => ATTACHABLE_FIELDS,
            Entity::Budget => BUDGET_FIELDS,
            Entity::CompanyCurrency => COMPANY_CURRENCY_FIELDS,
            Entity::ExchangeRate => EXCHANGE_RATE_FIELDS,
            Entity::JournalCode => JOURNAL_CODE_FIELDS,
            Entity::RecurringTransaction => RECURRING_FIELDS,
            Entity::TimeActivity => TIME_ACTIVITY_FIELDS,
            Entity::Bill => BILL_FIELDS,
            Entity::BillPayment => BILL_PAYMENT_FIELDS,
            Entity::Class => CLASS_FIELDS,
            Entity::CompanyInfo => COMPANY_FIELDS,
            Entity::CustomerType => CUSTOMER_TYPE_FIELDS,
            Entity::Department => DEPARTMENT_FIELDS,
            Entity::Employee => EMPLOYEE_FIELDS,
            Entity::Estimate => ESTIMATE_FIELDS,
            Entity::Customer => CUSTOMER_FIELDS,
            Entity::Invoice => INVOICE_FIELDS,
            Entity::Item => ITEM_FIELDS,
            Entity::Payment => PAYMENT_FIELDS,
            Entity::PaymentMethod => PAYMENT_METHOD_FIELDS,
            Entity::Preferences => COMPANY_FIELDS,
            Entity::PurchaseOrder => PURCHASE_ORDER_FIELDS,
            Entity::TaxAgency => TAX_AGENCY_FIELDS,
            Entity::TaxCode => TAX_CODE_FIELDS,
            Entity::TaxRate => TAX_RATE_FIELDS,
            Entity::Term => TERM_FIELDS,
            Entity::Vendor => VENDOR_FIELDS,
            Entity::CreditCardPayment => CARD_PAYMENTS_FIELDS,
            Entity::CreditMemo => CREDIT_MEMOS_FIELDS,
            Entity::Deposit => DEPOSITS_FIELDS,
            Entity::JournalEntry => JOURNAL_ENTRIES_FIELDS,
            Entity::Purchase => PURCHASES_FIELDS,
            Entity::RefundReceipt => REFUND_RECEIPTS_FIELDS,
            Entity::SalesReceipt => SALES_RECEIPTS_FIELDS,
            Entity::Transfer => TRANSFERS_FIELDS,
            Entity::VendorCredit => VENDOR_CREDITS_FIELDS,
        }
    }

    /// The allowed field called `name` (case-insensitive; `Metadata.` and `MetaData.` both work).
    pub(crate) fn field(self, name: &str) -> Option<&'static FieldDef> {
        self.fields()
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The number of records of this entity.
    pub(crate) fn count(self, ds: &Dataset) -> usize {
        match self {
            Entity::Account => ds.accounts.len(),
            Entity::Attachable => ds.attachments.len(),
            Entity::Budget => ds.budgets.len(),
            Entity::CompanyCurrency => ds.company_currencies.len(),
            Entity::ExchangeRate => ds.exchange_rates.len(),
            Entity::JournalCode => ds.journal_codes.len(),
            Entity::RecurringTransaction => ds.recurring.len(),
            Entity::TimeActivity => ds.time_activities.len(),
            Entity::Bill => ds.bills.len(),
            Entity::BillPayment => ds.bill_payments.len(),
            Entity::Class => ds.classes.len(),
            Entity::CompanyInfo => 1,
            Entity::CustomerType => ds.customer_types.len(),
            Entity::Department => ds.departments.len(),
            Entity::Employee => ds.employees.len(),
            Entity::Estimate => ds.estimates.len(),
            Entity::Customer => ds.customers.len(),
            Entity::Invoice => ds.invoices.len(),
            Entity::Item => ds.items.len(),
            Entity::Payment => ds.payments.len(),
            Entity::PaymentMethod => ds.payment_methods.len(),
            Entity::Preferences => 1,
            Entity::PurchaseOrder => ds.purchase_orders.len(),
            Entity::TaxAgency => ds.tax_agencies.len(),
            Entity::TaxCode => ds.tax_codes.len(),
            Entity::TaxRate => ds.tax_rates.len(),
            Entity::Term => ds.terms.len(),
            Entity::Vendor => ds.vendors.len(),
            Entity::CreditCardPayment => ds.posted.card_payments.len(),
            Entity::CreditMemo => ds.posted.credit_memos.len(),
            Entity::Deposit => ds.posted.deposits.len(),
            Entity::JournalEntry => ds.posted.journal_entries.len(),
            Entity::Purchase => ds.posted.purchases.len(),
            Entity::RefundReceipt => ds.posted.refund_receipts.len(),
            Entity::SalesReceipt => ds.posted.sales_receipts.len(),
            Entity::Transfer => ds.posted.transfers.len(),
            Entity::VendorCredit => ds.posted.vendor_credits.len(),
        }
    }
}

/// A field value as a query sees it. Borrowed or numeric: evaluating a filter allocates nothing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val<'a> {
    /// Absent (an optional field without a value). Matches no condition.
    Null,
    /// An id (`Id`, `CustomerRef`): compared as a number.
    Int(i64),
    /// A string of digits that is not an id (`DocNumber`, `PaymentRefNum`): QBO compares it as
    /// text, so `'999' > '1000'`.
    Digits(u64),
    /// A JSON number (money).
    Num(f64),
    Text(&'a str),
    Bool(bool),
    /// A `YYYY-MM-DD` date (company-local day number).
    Day(i32),
    /// A timestamp (Unix seconds).
    Time(i64),
}

/// One queryable field: its canonical name, what it allows, and how to read it.
#[derive(Debug)]
pub(crate) struct FieldDef {
    /// Canonical spelling, as in QBO's JSON (`MetaData.LastUpdatedTime`).
    pub(crate) name: &'static str,
    /// Allowed in `WHERE`.
    pub(crate) filterable: bool,
    /// Allowed in `ORDERBY`.
    pub(crate) sortable: bool,
    /// The value of record `index` (`Val::Null` when out of range).
    pub(crate) get: fn(&Dataset, usize) -> Val<'_>,
}

fn money(cents: i64) -> Val<'static> {
    Val::Num(cents as f64 / 100.0)
}

fn id(index: usize) -> Val<'static> {
    Val::Int(index as i64 + 1)
}

/// `FieldDef` for a field of table `$table`, with `$r` bound to the record and `$i` to its index.
macro_rules! field {
    ($name:literal, $($table:ident).+, filter = $f:expr, sort = $s:expr, |$r:ident, $i:ident| $body:expr) => {
        FieldDef {
            name: $name,
            filterable: $f,
            sortable: $s,
            get: |ds, $i| match ds.$($table).+.get($i) {
                Some($r) => $body,
                None => Val::Null,
            },
        }
    };
    ($name:literal, $($table:ident).+, |$r:ident, $i:ident| $body:expr) => {
        field!($name, $($table).+, filter = true, sort = true, |$r, $i| $body)
    };
}

/// `DepartmentRef` of record `index` of sales form `form` (a table of `len` records): the id
/// of its location, `Null` when it has none (filterable, not sortable).
fn department(ds: &Dataset, form: SalesForm, index: usize, len: usize) -> Val<'static> {
    if index >= len {
        return Val::Null;
    }
    ds.department_of(form, index).map_or(Val::Null, id)
}

static INVOICE_FIELDS: &[FieldDef] = &[
    field!("Id", invoices, |_r, i| id(i)),
    field!("MetaData.CreateTime", invoices, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", invoices, |r, _i| Val::Time(
        r.updated
    )),
    field!("DocNumber", invoices, |_r, i| Val::Digits(1001 + i as u64)),
    field!("TxnDate", invoices, |r, _i| Val::Day(r.txn_date)),
    field!("DueDate", invoices, |r, _i| Val::Day(r.due_date)),
    field!("CustomerRef", invoices, |r, _i| Val::Int(
        i64::from(r.customer) + 1
    )),
    FieldDef {
        name: "DepartmentRef",
        filterable: true,
        sortable: false,
        get: |ds, i| department(ds, SalesForm::Invoice, i, ds.invoices.len()),
    },
    field!("TotalAmt", invoices, |r, _i| money(r.total)),
    field!("Balance", invoices, |r, _i| money(r.balance)),
    field!("EmailStatus", invoices, |r, _i| Val::Text(
        EMAIL_STATUS
            .get(usize::from(r.email_status))
            .copied()
            .unwrap_or("NotSet")
    )),
    field!(
        "PrintStatus",
        invoices,
        filter = true,
        sort = false,
        |r, _i| Val::Text(
            PRINT_STATUS
                .get(usize::from(r.print_status))
                .copied()
                .unwrap_or("NotSet")
        )
    ),
];

static PAYMENT_FIELDS: &[FieldDef] = &[
    field!("Id", payments, |_r, i| id(i)),
    field!("MetaData.CreateTime", payments, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", payments, |r, _i| Val::Time(
        r.updated
    )),
    field!("TxnDate", payments, |r, _i| Val::Day(r.txn_date)),
    field!("CustomerRef", payments, |r, _i| Val::Int(
        i64::from(r.customer) + 1
    )),
    field!("TotalAmt", payments, |r, _i| money(r.amount)),
    field!(
        "PaymentRefNum",
        payments,
        filter = true,
        sort = false,
        |r, _i| r
            .check_number
            .map_or(Val::Null, |n| Val::Digits(u64::from(n)))
    ),
];

static BILL_FIELDS: &[FieldDef] = &[
    field!("Id", bills, |_r, i| id(i)),
    field!("MetaData.CreateTime", bills, |r, _i| Val::Time(r.created)),
    field!("MetaData.LastUpdatedTime", bills, |r, _i| Val::Time(
        r.updated
    )),
    field!("DocNumber", bills, |r, _i| r
        .doc_number
        .map_or(Val::Null, |n| Val::Digits(u64::from(n)))),
    field!("TxnDate", bills, |r, _i| Val::Day(r.txn_date)),
    field!("DueDate", bills, |r, _i| Val::Day(r.due_date)),
    field!("VendorRef", bills, |r, _i| Val::Int(
        i64::from(r.vendor) + 1
    )),
    field!("TotalAmt", bills, |r, _i| money(r.total)),
    field!("Balance", bills, |r, _i| money(r.balance)),
];

static CUSTOMER_FIELDS: &[FieldDef] = &[
    field!("Id", customers, |_r, i| id(i)),
    field!("MetaData.CreateTime", customers, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", customers, |r, _i| Val::Time(
        r.updated
    )),
    field!("DisplayName", customers, |r, _i| Val::Text(&r.display_name)),
    field!("FullyQualifiedName", customers, |r, _i| Val::Text(
        &r.display_name
    )),
    field!("CompanyName", customers, |r, _i| Val::Text(&r.display_name)),
    field!("GivenName", customers, |r, _i| Val::Text(r.given_name)),
    field!("MiddleName", customers, |r, _i| r
        .middle_name
        .map_or(Val::Null, Val::Text)),
    field!("FamilyName", customers, |r, _i| Val::Text(r.family_name)),
    field!("PrintOnCheckName", customers, |r, _i| Val::Text(
        &r.print_on_check
    )),
    field!(
        "PrimaryEmailAddr",
        customers,
        filter = true,
        sort = false,
        |r, _i| Val::Text(&r.email)
    ),
    field!("Active", customers, |r, _i| Val::Bool(r.active)),
    field!("Balance", customers, |r, _i| money(r.balance)),
];

static VENDOR_FIELDS: &[FieldDef] = &[
    field!("Id", vendors, |_r, i| id(i)),
    field!("MetaData.CreateTime", vendors, |r, _i| Val::Time(r.created)),
    field!("MetaData.LastUpdatedTime", vendors, |r, _i| Val::Time(
        r.updated
    )),
    field!("DisplayName", vendors, |r, _i| Val::Text(&r.display_name)),
    field!("CompanyName", vendors, |r, _i| Val::Text(&r.display_name)),
    field!("GivenName", vendors, |r, _i| Val::Text(r.given_name)),
    field!("FamilyName", vendors, |r, _i| Val::Text(r.family_name)),
    field!("Active", vendors, |r, _i| Val::Bool(r.active)),
    field!("Balance", vendors, |r, _i| money(r.balance)),
    field!(
        "Vendor1099",
        vendors,
        filter = true,
        sort = false,
        |r, _i| { Val::Bool(r.vendor_1099) }
    ),
];

static ITEM_FIELDS: &[FieldDef] = &[
    field!("Id", items, |_r, i| id(i)),
    field!("MetaData.CreateTime", items, |r, _i| Val::Time(r.created)),
    field!("MetaData.LastUpdatedTime", items, |r, _i| Val::Time(
        r.updated
    )),
    field!("Name", items, |r, _i| Val::Text(&r.name)),
    field!("FullyQualifiedName", items, |r, _i| Val::Text(&r.name)),
    field!("Type", items, |r, _i| Val::Text(r.kind.as_str())),
    field!("Active", items, |r, _i| Val::Bool(r.active)),
    field!("Sku", items, |r, _i| r
        .sku
        .as_deref()
        .map_or(Val::Null, Val::Text)),
    field!("UnitPrice", items, |r, _i| money(r.unit_price)),
    field!("Taxable", items, filter = true, sort = false, |r, _i| {
        Val::Bool(r.taxable)
    }),
];

static ACCOUNT_FIELDS: &[FieldDef] = &[
    field!("Id", accounts, |_r, i| id(i)),
    field!("MetaData.CreateTime", accounts, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", accounts, |r, _i| Val::Time(
        r.updated
    )),
    field!("Name", accounts, |r, _i| Val::Text(r.name)),
    field!("FullyQualifiedName", accounts, |r, _i| Val::Text(r.name)),
    field!("AccountType", accounts, |r, _i| Val::Text(r.account_type)),
    field!("AccountSubType", accounts, |r, _i| Val::Text(r.sub_type)),
    field!("Classification", accounts, |r, _i| Val::Text(
        r.classification
    )),
    field!("Active", accounts, |r, _i| Val::Bool(r.active)),
    field!("CurrentBalance", accounts, |r, _i| money(r.balance)),
];

static BILL_PAYMENT_FIELDS: &[FieldDef] = &[
    field!("Id", bill_payments, |_r, i| id(i)),
    field!("MetaData.CreateTime", bill_payments, |r, _i| Val::Time(
        r.created
    )),
    field!(
        "MetaData.LastUpdatedTime",
        bill_payments,
        |r, _i| Val::Time(r.updated)
    ),
    field!("TxnDate", bill_payments, |r, _i| Val::Day(r.txn_date)),
    field!("VendorRef", bill_payments, |r, _i| Val::Int(
        i64::from(r.vendor) + 1
    )),
    field!("TotalAmt", bill_payments, |r, _i| money(r.amount)),
];

static CLASS_FIELDS: &[FieldDef] = &[
    field!("Id", classes, |_r, i| id(i)),
    field!("MetaData.CreateTime", classes, |r, _i| Val::Time(r.created)),
    field!("MetaData.LastUpdatedTime", classes, |r, _i| Val::Time(
        r.created
    )),
    field!("Name", classes, |r, _i| Val::Text(r.name)),
    field!("FullyQualifiedName", classes, |r, _i| Val::Text(r.name)),
    field!("Active", classes, |r, _i| Val::Bool(r.active)),
];

static DEPARTMENT_FIELDS: &[FieldDef] = &[
    field!("Id", departments, |_r, i| id(i)),
    field!("MetaData.CreateTime", departments, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", departments, |r, _i| Val::Time(
        r.created
    )),
    field!("Name", departments, |r, _i| Val::Text(r.name)),
    field!("FullyQualifiedName", departments, |r, _i| Val::Text(r.name)),
    field!("Active", departments, |r, _i| Val::Bool(r.active)),
];

static CUSTOMER_TYPE_FIELDS: &[FieldDef] = &[
    field!("Id", customer_types, |_r, i| id(i)),
    field!("MetaData.CreateTime", customer_types, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", customer_types, |r, _i| {
        Val::Time(r.created)
    }),
    field!("Name", customer_types, |r, _i| Val::Text(r.name)),
    field!("Active", customer_types, |r, _i| Val::Bool(r.active)),
];

static EMPLOYEE_FIELDS: &[FieldDef] = &[
    field!("Id", employees, |_r, i| id(i)),
    field!("MetaData.CreateTime", employees, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", employees, |r, _i| Val::Time(
        r.created
    )),
    field!("DisplayName", employees, |r, _i| Val::Text(&r.display_name)),
    field!("GivenName", employees, |r, _i| Val::Text(r.given_name)),
    field!("FamilyName", employees, |r, _i| Val::Text(r.family_name)),
    field!("Active", employees, |r, _i| Val::Bool(r.active)),
];

static ESTIMATE_FIELDS: &[FieldDef] = &[
    field!("Id", estimates, |_r, i| id(i)),
    field!("MetaData.CreateTime", estimates, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", estimates, |r, _i| Val::Time(
        r.created
    )),
    field!("DocNumber", estimates, |_r, i| Val::Digits(1001 + i as u64)),
    field!("TxnDate", estimates, |r, _i| Val::Day(r.txn_date)),
    field!("CustomerRef", estimates, |r, _i| Val::Int(
        i64::from(r.customer) + 1
    )),
    field!("TotalAmt", estimates, |r, _i| money(r.total)),
];

static PURCHASE_ORDER_FIELDS: &[FieldDef] = &[
    field!("Id", purchase_orders, |_r, i| id(i)),
    field!("MetaData.CreateTime", purchase_orders, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", purchase_orders, |r, _i| {
        Val::Time(r.created)
    }),
    field!("DocNumber", purchase_orders, |_r, i| Val::Digits(
        1001 + i as u64
    )),
    field!("TxnDate", purchase_orders, |r, _i| Val::Day(r.txn_date)),
    field!("VendorRef", purchase_orders, |r, _i| Val::Int(
        i64::from(r.vendor) + 1
    )),
    field!("TotalAmt", purchase_orders, |r, _i| money(r.total)),
];

static TERM_FIELDS: &[FieldDef] = &[
    field!("Id", terms, |_r, i| id(i)),
    field!("MetaData.CreateTime", terms, |r, _i| Val::Time(r.created)),
    field!("MetaData.LastUpdatedTime", terms, |r, _i| Val::Time(
        r.created
    )),
    field!("Name", terms, |r, _i| Val::Text(r.name)),
    field!("Active", terms, |r, _i| Val::Bool(r.active)),
];

static PAYMENT_METHOD_FIELDS: &[FieldDef] = &[
    field!("Id", payment_methods, |_r, i| id(i)),
    field!("MetaData.CreateTime", payment_methods, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", payment_methods, |r, _i| {
        Val::Time(r.created)
    }),
    field!("Name", payment_methods, |r, _i| Val::Text(r.name)),
    field!("Type", payment_methods, |r, _i| Val::Text(r.kind)),
    field!("Active", payment_methods, |r, _i| Val::Bool(r.active)),
];

// QBO lets a query filter tax codes, rates and agencies by little more than `Id` and name: no
// `MetaData` (the shipped requests read them whole).
static TAX_CODE_FIELDS: &[FieldDef] = &[
    field!("Id", tax_codes, |_r, i| id(i)),
    field!("Name", tax_codes, |r, _i| Val::Text(r.name)),
    field!("Active", tax_codes, |r, _i| Val::Bool(r.active)),
];

static TAX_RATE_FIELDS: &[FieldDef] = &[
    field!("Id", tax_rates, |_r, i| id(i)),
    field!("Name", tax_rates, |r, _i| Val::Text(r.name)),
    field!("Active", tax_rates, |r, _i| Val::Bool(r.active)),
];

static TAX_AGENCY_FIELDS: &[FieldDef] = &[
    field!("Id", tax_agencies, |_r, i| id(i)),
    field!("DisplayName", tax_agencies, |r, _i| Val::Text(r.name)),
];

static SALES_RECEIPTS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.sales_receipts, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.sales_receipts, |r, _i| {
        Val::Time(r.created)
    }),
    field!(
        "MetaData.LastUpdatedTime",
        posted.sales_receipts,
        |r, _i| Val::Time(r.updated)
    ),
    field!("DocNumber", posted.sales_receipts, |_r, i| Val::Digits(
        doc_number(Kind::SalesReceipt, i)
    )),
    field!("TxnDate", posted.sales_receipts, |r, _i| Val::Day(
        r.txn_date
    )),
    field!("CustomerRef", posted.sales_receipts, |r, _i| Val::Int(
        i64::from(r.customer) + 1
    )),
    FieldDef {
        name: "DepartmentRef",
        filterable: true,
        sortable: false,
        get: |ds, i| {
            department(
                ds,
                SalesForm::Posted(Kind::SalesReceipt),
                i,
                ds.posted.sales_receipts.len(),
            )
        },
    },
    field!("TotalAmt", posted.sales_receipts, |r, _i| money(r.total)),
];

static CREDIT_MEMOS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.credit_memos, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.credit_memos, |r, _i| {
        Val::Time(r.created)
    }),
    field!("MetaData.LastUpdatedTime", posted.credit_memos, |r, _i| {
        Val::Time(r.updated)
    }),
    field!("DocNumber", posted.credit_memos, |_r, i| Val::Digits(
        doc_number(Kind::CreditMemo, i)
    )),
    field!("TxnDate", posted.credit_memos, |r, _i| Val::Day(r.txn_date)),
    field!("CustomerRef", posted.credit_memos, |r, _i| Val::Int(
        i64::from(r.customer) + 1
    )),
    FieldDef {
        name: "DepartmentRef",
        filterable: true,
        sortable: false,
        get: |ds, i| {
            department(
                ds,
                SalesForm::Posted(Kind::CreditMemo),
                i,
                ds.posted.credit_memos.len(),
            )
        },
    },
    field!("TotalAmt", posted.credit_memos, |r, _i| money(r.total)),
    field!("Balance", posted.credit_memos, |r, _i| money(r.total)),
];

static REFUND_RECEIPTS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.refund_receipts, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.refund_receipts, |r, _i| {
        Val::Time(r.created)
    }),
    field!(
        "MetaData.LastUpdatedTime",
        posted.refund_receipts,
        |r, _i| Val::Time(r.updated)
    ),
    field!("DocNumber", posted.refund_receipts, |_r, i| Val::Digits(
        doc_number(Kind::RefundReceipt, i)
    )),
    field!("TxnDate", posted.refund_receipts, |r, _i| Val::Day(
        r.txn_date
    )),
    field!("CustomerRef", posted.refund_receipts, |r, _i| Val::Int(
        i64::from(r.customer) + 1
    )),
    FieldDef {
        name: "DepartmentRef",
        filterable: true,
        sortable: false,
        get: |ds, i| {
            department(
                ds,
                SalesForm::Posted(Kind::RefundReceipt),
                i,
                ds.posted.refund_receipts.len(),
            )
        },
    },
    field!("TotalAmt", posted.refund_receipts, |r, _i| money(r.total)),
];

static DEPOSITS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.deposits, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.deposits, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", posted.deposits, |r, _i| {
        Val::Time(r.created)
    }),
    field!("TxnDate", posted.deposits, |r, _i| Val::Day(r.txn_date)),
    field!("TotalAmt", posted.deposits, |r, _i| money(r.total)),
];

static PURCHASES_FIELDS: &[FieldDef] = &[
    field!("Id", posted.purchases, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.purchases, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", posted.purchases, |r, _i| {
        Val::Time(r.updated)
    }),
    field!("DocNumber", posted.purchases, |r, _i| r
        .doc_number
        .map_or(Val::Null, |n| Val::Digits(u64::from(n)))),
    field!("TxnDate", posted.purchases, |r, _i| Val::Day(r.txn_date)),
    field!(
        "PaymentType",
        posted.purchases,
        filter = true,
        sort = false,
        |r, _i| Val::Text(r.pay_type.as_str())
    ),
    field!("TotalAmt", posted.purchases, |r, _i| money(r.total)),
];

static JOURNAL_ENTRIES_FIELDS: &[FieldDef] = &[
    field!("Id", posted.journal_entries, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.journal_entries, |r, _i| {
        Val::Time(r.created)
    }),
    field!(
        "MetaData.LastUpdatedTime",
        posted.journal_entries,
        |r, _i| Val::Time(r.created)
    ),
    field!("DocNumber", posted.journal_entries, |_r, i| Val::Digits(
        doc_number(Kind::JournalEntry, i)
    )),
    field!("TxnDate", posted.journal_entries, |r, _i| Val::Day(
        r.txn_date
    )),
];

static TRANSFERS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.transfers, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.transfers, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", posted.transfers, |r, _i| {
        Val::Time(r.created)
    }),
    field!("TxnDate", posted.transfers, |r, _i| Val::Day(r.txn_date)),
    field!("Amount", posted.transfers, |r, _i| money(r.amount)),
];

static VENDOR_CREDITS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.vendor_credits, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.vendor_credits, |r, _i| {
        Val::Time(r.created)
    }),
    field!(
        "MetaData.LastUpdatedTime",
        posted.vendor_credits,
        |r, _i| Val::Time(r.updated)
    ),
    field!("DocNumber", posted.vendor_credits, |r, _i| r
        .doc_number
        .map_or(Val::Null, |n| Val::Digits(u64::from(n)))),
    field!("TxnDate", posted.vendor_credits, |r, _i| Val::Day(
        r.txn_date
    )),
    field!("VendorRef", posted.vendor_credits, |r, _i| Val::Int(
        i64::from(r.vendor) + 1
    )),
    field!("TotalAmt", posted.vendor_credits, |r, _i| money(r.total)),
];

static CARD_PAYMENTS_FIELDS: &[FieldDef] = &[
    field!("Id", posted.card_payments, |_r, i| id(i)),
    field!("MetaData.CreateTime", posted.card_payments, |r, _i| {
        Val::Time(r.created)
    }),
    field!("MetaData.LastUpdatedTime", posted.card_payments, |r, _i| {
        Val::Time(r.created)
    }),
    field!("TxnDate", posted.card_payments, |r, _i| Val::Day(
        r.txn_date
    )),
    field!("Amount", posted.card_payments, |r, _i| money(r.amount)),
];

static ATTACHABLE_FIELDS: &[FieldDef] = &[
    field!("Id", attachments, |_r, i| id(i)),
    field!("MetaData.CreateTime", attachments, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", attachments, |r, _i| Val::Time(
        r.created
    )),
    field!("FileName", attachments, |r, _i| Val::Text(&r.file_name)),
    field!("ContentType", attachments, |r, _i| Val::Text(
        ATTACHMENT_KINDS[usize::from(r.kind) % ATTACHMENT_KINDS.len()].2
    )),
    field!("Category", attachments, |r, _i| Val::Text(
        ATTACHMENT_KINDS[usize::from(r.kind) % ATTACHMENT_KINDS.len()].3
    )),
    field!("Size", attachments, |r, _i| Val::Num(f64::from(r.size))),
    // How clients find a transaction's attachments: `AttachableRef.EntityRef.Type = 'invoice'
    // AND AttachableRef.EntityRef.value = '95'`.
    field!(
        "AttachableRef.EntityRef.Type",
        attachments,
        filter = true,
        sort = false,
        |r, _i| Val::Text(match r.target {
            Attached::Invoice(_) => "Invoice",
            Attached::Bill(_) => "Bill",
        })
    ),
    field!(
        "AttachableRef.EntityRef.value",
        attachments,
        filter = true,
        sort = false,
        |r, _i| match r.target {
            Attached::Invoice(i) | Attached::Bill(i) => Val::Int(i64::from(i) + 1),
        }
    ),
];

// A budget's dates cannot be filtered on; its type only sorted on.
static BUDGET_FIELDS: &[FieldDef] = &[
    field!("Id", budgets, |_r, i| id(i)),
    field!("MetaData.CreateTime", budgets, |r, _i| Val::Time(r.created)),
    field!("MetaData.LastUpdatedTime", budgets, |r, _i| Val::Time(
        r.updated
    )),
    field!("Name", budgets, |r, _i| Val::Text(&r.name)),
    field!(
        "BudgetType",
        budgets,
        filter = false,
        sort = true,
        |_r, _i| Val::Text("ProfitAndLoss")
    ),
    field!("Active", budgets, |r, _i| Val::Bool(r.active)),
];

static COMPANY_CURRENCY_FIELDS: &[FieldDef] = &[
    field!("Id", company_currencies, |_r, i| id(i)),
    field!(
        "MetaData.CreateTime",
        company_currencies,
        |r, _i| Val::Time(r.created)
    ),
    field!("MetaData.LastUpdatedTime", company_currencies, |r, _i| {
        Val::Time(r.created)
    }),
    field!("Code", company_currencies, |r, _i| Val::Text(
        CURRENCIES[r.index % CURRENCIES.len()].0
    )),
    field!(
        "Name",
        company_currencies,
        filter = false,
        sort = true,
        |r, _i| { Val::Text(CURRENCIES[r.index % CURRENCIES.len()].1) }
    ),
    field!(
        "Active",
        company_currencies,
        filter = true,
        sort = false,
        |r, _i| { Val::Bool(CURRENCIES[r.index % CURRENCIES.len()].2) }
    ),
];

// Exchange rates have no `Id`: a rate is named by its currency and day.
static EXCHANGE_RATE_FIELDS: &[FieldDef] = &[
    field!(
        "SourceCurrencyCode",
        exchange_rates,
        filter = true,
        sort = false,
        |r, _i| Val::Text(CURRENCIES[usize::from(r.currency) % CURRENCIES.len()].0)
    ),
    field!(
        "TargetCurrencyCode",
        exchange_rates,
        filter = true,
        sort = false,
        |_r, _i| Val::Text("USD")
    ),
    field!(
        "AsOfDate",
        exchange_rates,
        filter = true,
        sort = false,
        |r, _i| Val::Day(r.day)
    ),
    field!(
        "MetaData.LastUpdatedTime",
        exchange_rates,
        filter = true,
        sort = false,
        |r, _i| Val::Time(r.updated)
    ),
];

// A journal code's `Type` and `Active` cannot be filtered on, so it has no name-list rule.
static JOURNAL_CODE_FIELDS: &[FieldDef] = &[
    field!("Id", journal_codes, |_r, i| id(i)),
    field!("MetaData.CreateTime", journal_codes, |r, _i| Val::Time(
        r.created
    )),
    field!(
        "MetaData.LastUpdatedTime",
        journal_codes,
        |r, _i| Val::Time(r.created)
    ),
    field!("Name", journal_codes, |r, _i| Val::Text(
        JOURNAL_CODES[r.index % JOURNAL_CODES.len()].0
    )),
    field!(
        "Description",
        journal_codes,
        filter = true,
        sort = false,
        |r, _i| Val::Text(JOURNAL_CODES[r.index % JOURNAL_CODES.len()].2)
    ),
];

static RECURRING_FIELDS: &[FieldDef] = &[
    field!("Id", recurring, |_r, i| id(i)),
    field!("MetaData.CreateTime", recurring, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", recurring, |r, _i| Val::Time(
        r.created
    )),
];

// Only the id, times and date of a time activity can be filtered on (not who or for whom).
static TIME_ACTIVITY_FIELDS: &[FieldDef] = &[
    field!("Id", time_activities, |_r, i| id(i)),
    field!("MetaData.CreateTime", time_activities, |r, _i| Val::Time(
        r.created
    )),
    field!("MetaData.LastUpdatedTime", time_activities, |r, _i| {
        Val::Time(r.created)
    }),
    field!("TxnDate", time_activities, |r, _i| Val::Day(r.txn_date)),
];

/// CompanyInfo's and Preferences' (both singletons, set up with the company).
static COMPANY_FIELDS: &[FieldDef] = &[
    FieldDef {
        name: "Id",
        filterable: true,
        sortable: true,
        get: |_ds, i| if i == 0 { id(0) } else { Val::Null },
    },
    FieldDef {
        name: "MetaData.CreateTime",
        filterable: true,
        sortable: true,
        get: |ds, i| {
            if i == 0 {
                Val::Time(ds.company.created)
            } else {
                Val::Null
            }
        },
    },
    FieldDef {
        name: "MetaData.LastUpdatedTime",
        filterable: true,
        sortable: true,
        get: |ds, i| {
            if i == 0 {
                Val::Time(ds.company.updated)
            } else {
                Val::Null
            }
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;

    #[test]
    fn lookups_are_case_insensitive() {
        assert_eq!(Entity::from_name("invoice"), Some(Entity::Invoice));
        assert_eq!(Entity::from_name("COMPANYINFO"), Some(Entity::CompanyInfo));
        assert_eq!(Entity::from_name("Widget"), None);
        assert_eq!(
            Entity::from_name("salesreceipt"),
            Some(Entity::SalesReceipt)
        );
        assert_eq!(Entity::from_name("billpayment"), Some(Entity::BillPayment));
        let f = Entity::Invoice
            .field("Metadata.LastUpdatedTime")
            .expect("allowed");
        assert_eq!(f.name, "MetaData.LastUpdatedTime");
        assert!(Entity::Invoice.field("Line").is_none());
    }

    #[test]
    fn accessors_read_the_tables() {
        let ds = Dataset::build(&EmulatorConfig::default()).expect("builds");
        for e in Entity::ALL {
            for f in e.fields() {
                assert_eq!((f.get)(&ds, e.count(&ds)), Val::Null, "{e:?}.{}", f.name);
                if e.count(&ds) > 0 {
                    let _ = (f.get)(&ds, 0);
                }
            }
            assert_eq!(e.field("Id").is_some(), e != Entity::ExchangeRate, "{e:?}");
        }
        let name = Entity::Customer.field("DisplayName").expect("allowed");
        assert_eq!((name.get)(&ds, 2), Val::Text("O'Brien Landscaping"));
        let total = Entity::Invoice.field("TotalAmt").expect("allowed");
        assert_eq!(
            (total.get)(&ds, 0),
            Val::Num(ds.invoices[0].total as f64 / 100.0)
        );
    }
}
