//! QBO JSON for the generated records and the response envelopes around them.
//!
//! Why it exists: clients (and their tests) depend on QBO's exact key names, casing and key order
//! (`qbo-samples/query-invoices-page.json`, `query-customers-page.json`, `query-count.json`,
//! `query-empty-page.json`). Each entity has a borrowed "view" struct whose field order *is* the
//! JSON key order; views are serialized by serde straight into the response bytes, so no
//! `serde_json::Value` tree is ever built for a record. Money is a JSON number (`0` for zero, else a
//! float such as `275.0` or `554.46`), ids are strings, dates `YYYY-MM-DD`, times with `-07:00`.
//! This module reads `data.rs` tables and must not change them or know about HTTP.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::changes::{Slot, Table};
use crate::data::{
    ACCT_AP, Address, Dataset, EMAIL_STATUS, ExpenseLine, PRINT_STATUS, SalesLine, TAX_RATE_BP,
    TERMS,
};
use crate::entity::Entity;
use crate::time::{Day, ResponseTime, Timestamp};

/// An id (or other number-like string) rendered as a JSON string without allocating.
#[derive(Debug, Clone, Copy)]
struct IdStr(u64);

impl Serialize for IdStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

fn id_of(index: usize) -> IdStr {
    IdStr(index as u64 + 1)
}

/// A money amount in cents: `0` when zero, otherwise a float (`275.0`, `554.46`).
#[derive(Debug, Clone, Copy)]
struct Money(i64);

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 == 0 {
            s.serialize_i64(0)
        } else {
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

/// A price or quantity in hundredths: an integer when whole (`150`), else a float (`48.25`).
#[derive(Debug, Clone, Copy)]
struct Decimal(i64);

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.0 as f64 / 100.0)
        }
    }
}

#[derive(Serialize)]
struct Ref<'a, V: Serialize> {
    value: V,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
}

fn named<V: Serialize>(value: V, name: &str) -> Ref<'_, V> {
    Ref {
        value,
        name: Some(name),
    }
}

fn bare<V: Serialize>(value: V) -> Ref<'static, V> {
    Ref { value, name: None }
}

const USD: Ref<'static, &str> = Ref {
    value: "USD",
    name: Some("United States Dollar"),
};

#[derive(Serialize)]
struct MetaData {
    #[serde(rename = "CreateTime")]
    create_time: Timestamp,
    #[serde(rename = "LastUpdatedTime")]
    last_updated_time: Timestamp,
}

fn meta(created: i64, updated: i64) -> MetaData {
    MetaData {
        create_time: Timestamp(created),
        last_updated_time: Timestamp(updated),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct AddrView<'a> {
    id: IdStr,
    line1: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line2: Option<&'a str>,
    city: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'static str>,
    country_sub_division_code: &'a str,
    postal_code: &'a str,
}

fn addr<'a>(a: &'a Address, country: Option<&'static str>) -> AddrView<'a> {
    AddrView {
        id: IdStr(u64::from(a.id)),
        line1: &a.line1,
        line2: a.line2.as_deref(),
        city: a.city,
        country,
        country_sub_division_code: a.region,
        postal_code: &a.postal,
    }
}

#[derive(Serialize)]
struct EmailAddr<'a> {
    #[serde(rename = "Address")]
    address: &'a str,
}

#[derive(Serialize)]
struct Phone<'a> {
    #[serde(rename = "FreeFormNumber")]
    number: &'a str,
}

#[derive(Serialize)]
struct WebAddr<'a> {
    #[serde(rename = "URI")]
    uri: &'a str,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct LinkedTxn {
    #[serde(rename = "TxnId")]
    txn_id: IdStr,
    #[serde(rename = "TxnType")]
    txn_type: &'static str,
}

// ---------------------------------------------------------------------------------------------
// Invoice

#[derive(Serialize)]
struct InvoiceView<'a> {
    #[serde(rename = "AllowIPNPayment")]
    allow_ipn: bool,
    #[serde(rename = "AllowOnlinePayment")]
    allow_online: bool,
    #[serde(rename = "AllowOnlineCreditCardPayment")]
    allow_cc: bool,
    #[serde(rename = "AllowOnlineACHPayment")]
    allow_ach: bool,
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
    #[serde(rename = "CustomField")]
    custom_field: Vec<CustomField>,
    #[serde(rename = "DocNumber")]
    doc_number: IdStr,
    #[serde(rename = "TxnDate")]
    txn_date: Day,
    #[serde(rename = "CurrencyRef")]
    currency: Ref<'static, &'static str>,
    #[serde(rename = "LinkedTxn")]
    linked: Vec<LinkedTxn>,
    #[serde(rename = "Line")]
    lines: Vec<InvoiceLine<'a>>,
    #[serde(rename = "TxnTaxDetail")]
    tax: TxnTaxDetail,
    #[serde(rename = "CustomerRef")]
    customer: Ref<'a, IdStr>,
    #[serde(rename = "CustomerMemo", skip_serializing_if = "Option::is_none")]
    memo: Option<Ref<'static, &'static str>>,
    #[serde(rename = "BillAddr", skip_serializing_if = "Option::is_none")]
    bill_addr: Option<AddrView<'a>>,
    #[serde(rename = "ShipAddr", skip_serializing_if = "Option::is_none")]
    ship_addr: Option<AddrView<'a>>,
    #[serde(rename = "SalesTermRef")]
    term: Ref<'static, IdStr>,
    #[serde(rename = "DueDate")]
    due_date: Day,
    #[serde(rename = "TotalAmt")]
    total: Money,
    #[serde(rename = "ApplyTaxAfterDiscount")]
    tax_after_discount: bool,
    #[serde(rename = "PrintStatus")]
    print_status: &'static str,
    #[serde(rename = "EmailStatus")]
    email_status: &'static str,
    #[serde(rename = "BillEmail", skip_serializing_if = "Option::is_none")]
    bill_email: Option<EmailAddr<'a>>,
    #[serde(rename = "Balance")]
    balance: Money,
    #[serde(rename = "Deposit")]
    deposit: Money,
}

#[derive(Serialize)]
struct CustomField {
    #[serde(rename = "DefinitionId")]
    definition_id: &'static str,
    #[serde(rename = "Name")]
    name: &'static str,
    #[serde(rename = "Type")]
    kind: &'static str,
    #[serde(rename = "StringValue")]
    value: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum InvoiceLine<'a> {
    Sales(SalesLineView<'a>),
    SubTotal(SubTotalLineView),
}

#[derive(Serialize)]
struct SalesLineView<'a> {
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "LineNum")]
    line_num: u64,
    #[serde(rename = "Description")]
    description: &'a str,
    #[serde(rename = "Amount")]
    amount: Money,
    #[serde(rename = "DetailType")]
    detail_type: &'static str,
    #[serde(rename = "SalesItemLineDetail")]
    detail: SalesItemLineDetail<'a>,
}

#[derive(Serialize)]
struct SalesItemLineDetail<'a> {
    #[serde(rename = "ServiceDate", skip_serializing_if = "Option::is_none")]
    service_date: Option<Day>,
    #[serde(rename = "ItemRef")]
    item: Ref<'a, IdStr>,
    #[serde(rename = "UnitPrice")]
    unit_price: Decimal,
    #[serde(rename = "Qty")]
    qty: i64,
    #[serde(rename = "ItemAccountRef")]
    account: Ref<'a, IdStr>,
    #[serde(rename = "TaxCodeRef")]
    tax_code: Ref<'static, &'static str>,
}

#[derive(Serialize)]
struct SubTotalLineView {
    #[serde(rename = "Amount")]
    amount: Money,
    #[serde(rename = "DetailType")]
    detail_type: &'static str,
    #[serde(rename = "SubTotalLineDetail")]
    detail: Empty,
}

#[derive(Serialize)]
struct TxnTaxDetail {
    #[serde(rename = "TxnTaxCodeRef", skip_serializing_if = "Option::is_none")]
    code: Option<Ref<'static, &'static str>>,
    #[serde(rename = "TotalTax")]
    total: Money,
    #[serde(rename = "TaxLine", skip_serializing_if = "Vec::is_empty")]
    lines: Vec<TaxLine>,
}

#[derive(Serialize)]
struct TaxLine {
    #[serde(rename = "Amount")]
    amount: Money,
    #[serde(rename = "DetailType")]
    detail_type: &'static str,
    #[serde(rename = "TaxLineDetail")]
    detail: TaxLineDetail,
}

#[derive(Serialize)]
struct TaxLineDetail {
    #[serde(rename = "TaxRateRef")]
    rate: Ref<'static, &'static str>,
    #[serde(rename = "PercentBased")]
    percent_based: bool,
    #[serde(rename = "TaxPercent")]
    percent: f64,
    #[serde(rename = "NetAmountTaxable")]
    net: Money,
}

fn sales_line<'a>(ds: &'a Dataset, n: usize, line: &SalesLine) -> SalesLineView<'a> {
    let item = ds.items.get(line.item as usize);
    let account = item.map_or(0, |it| it.income_account);
    SalesLineView {
        id: id_of(n),
        line_num: n as u64 + 1,
        description: item.map_or("", |it| it.description),
        amount: Money(line.amount),
        detail_type: "SalesItemLineDetail",
        detail: SalesItemLineDetail {
            service_date: line.service_date.map(Day),
            item: named(
                IdStr(u64::from(line.item) + 1),
                item.map_or("", |it| it.name.as_str()),
            ),
            unit_price: Decimal(line.unit_price),
            qty: line.qty,
            account: named(id_of(account), ds.account_name(account)),
            tax_code: bare(if line.taxable { "TAX" } else { "NON" }),
        },
    }
}

fn invoice_view(ds: &Dataset, i: usize) -> Option<InvoiceView<'_>> {
    let inv = ds.invoices.get(i)?;
    let d = ds.invoice_detail(i);
    let cust = ds.customers.get(inv.customer as usize);
    let mut lines: Vec<InvoiceLine<'_>> = d
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| InvoiceLine::Sales(sales_line(ds, n, l)))
        .collect();
    lines.push(InvoiceLine::SubTotal(SubTotalLineView {
        amount: Money(d.subtotal),
        detail_type: "SubTotalLineDetail",
        detail: Empty {},
    }));
    let tax = match d.tax {
        Some((net, tax)) => TxnTaxDetail {
            code: Some(bare("2")),
            total: Money(tax),
            lines: vec![TaxLine {
                amount: Money(tax),
                detail_type: "TaxLineDetail",
                detail: TaxLineDetail {
                    rate: bare("3"),
                    percent_based: true,
                    percent: TAX_RATE_BP as f64 / 100.0,
                    net: Money(net),
                },
            }],
        },
        None => TxnTaxDetail {
            code: None,
            total: Money(0),
            lines: Vec::new(),
        },
    };
    let term = TERMS
        .get(usize::from(inv.term))
        .copied()
        .unwrap_or(TERMS[2]);
    let email_status = EMAIL_STATUS
        .get(usize::from(inv.email_status))
        .copied()
        .unwrap_or("NotSet");
    Some(InvoiceView {
        allow_ipn: false,
        allow_online: false,
        allow_cc: d.allow_cc,
        allow_ach: d.allow_ach,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(u64::from(inv.sync_token)),
        meta: meta(inv.created, inv.updated),
        custom_field: d
            .po_number
            .map(|po| CustomField {
                definition_id: "1",
                name: "PO Number",
                kind: "StringType",
                value: format!("PO-{po}"),
            })
            .into_iter()
            .collect(),
        doc_number: IdStr(1001 + i as u64),
        txn_date: Day(inv.txn_date),
        currency: USD,
        linked: (inv.payment > 0)
            .then(|| LinkedTxn {
                txn_id: IdStr(u64::from(inv.payment)),
                txn_type: "Payment",
            })
            .into_iter()
            .collect(),
        lines,
        tax,
        customer: named(
            IdStr(u64::from(inv.customer) + 1),
            ds.customer_name(inv.customer as usize),
        ),
        memo: d.memo.then(|| bare("Thank you for your business.")),
        bill_addr: cust.map(|c| addr(&c.bill_addr, None)),
        ship_addr: cust
            .and_then(|c| c.ship_addr.as_ref())
            .map(|a| addr(a, None)),
        term: Ref {
            value: IdStr(u64::from(term.0)),
            name: Some(term.1),
        },
        due_date: Day(inv.due_date),
        total: Money(inv.total),
        tax_after_discount: false,
        print_status: PRINT_STATUS
            .get(usize::from(inv.print_status))
            .copied()
            .unwrap_or("NotSet"),
        email_status,
        bill_email: cust
            .filter(|_| email_status != "NotSet")
            .map(|c| EmailAddr { address: &c.email }),
        balance: Money(inv.balance),
        deposit: Money(0),
    })
}

// ---------------------------------------------------------------------------------------------
// Payment

#[derive(Serialize)]
struct PaymentView<'a> {
    #[serde(rename = "CustomerRef")]
    customer: Ref<'a, IdStr>,
    #[serde(rename = "DepositToAccountRef")]
    deposit_to: Ref<'static, IdStr>,
    #[serde(rename = "TotalAmt")]
    total: Money,
    #[serde(rename = "UnappliedAmt")]
    unapplied: Money,
    #[serde(rename = "ProcessPayment")]
    process_payment: bool,
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
    #[serde(rename = "TxnDate")]
    txn_date: Day,
    #[serde(rename = "CurrencyRef")]
    currency: Ref<'static, &'static str>,
    #[serde(rename = "PaymentRefNum", skip_serializing_if = "Option::is_none")]
    ref_num: Option<IdStr>,
    #[serde(rename = "Line")]
    lines: [PaymentLine; 1],
}

#[derive(Serialize)]
struct PaymentLine {
    #[serde(rename = "Amount")]
    amount: Money,
    #[serde(rename = "LinkedTxn")]
    linked: [LinkedTxn; 1],
}

fn payment_view(ds: &Dataset, i: usize) -> Option<PaymentView<'_>> {
    let p = ds.payments.get(i)?;
    Some(PaymentView {
        customer: named(
            IdStr(u64::from(p.customer) + 1),
            ds.customer_name(p.customer as usize),
        ),
        deposit_to: bare(IdStr(u64::from(p.deposit_account) + 1)),
        total: Money(p.amount),
        unapplied: Money(0),
        process_payment: false,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(p.created, p.updated),
        txn_date: Day(p.txn_date),
        currency: USD,
        ref_num: p.check_number.map(|n| IdStr(u64::from(n))),
        lines: [PaymentLine {
            amount: Money(p.amount),
            linked: [LinkedTxn {
                txn_id: IdStr(u64::from(p.invoice) + 1),
                txn_type: "Invoice",
            }],
        }],
    })
}

// ---------------------------------------------------------------------------------------------
// Bill

#[derive(Serialize)]
struct BillView<'a> {
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    domain: &'static str,
    #[serde(rename = "APAccountRef")]
    ap_account: Ref<'a, IdStr>,
    #[serde(rename = "VendorRef")]
    vendor: Ref<'a, IdStr>,
    #[serde(rename = "DocNumber", skip_serializing_if = "Option::is_none")]
    doc_number: Option<IdStr>,
    #[serde(rename = "TxnDate")]
    txn_date: Day,
    #[serde(rename = "TotalAmt")]
    total: Money,
    #[serde(rename = "CurrencyRef")]
    currency: Ref<'static, &'static str>,
    #[serde(rename = "LinkedTxn")]
    linked: [LinkedTxn; 0],
    #[serde(rename = "SalesTermRef")]
    term: Ref<'static, IdStr>,
    #[serde(rename = "DueDate")]
    due_date: Day,
    sparse: bool,
    #[serde(rename = "Line")]
    lines: Vec<BillLineView<'a>>,
    #[serde(rename = "Balance")]
    balance: Money,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
}

#[derive(Serialize)]
struct BillLineView<'a> {
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "LineNum")]
    line_num: u64,
    #[serde(rename = "Description")]
    description: &'a str,
    #[serde(rename = "Amount")]
    amount: Money,
    #[serde(rename = "DetailType")]
    detail_type: &'static str,
    #[serde(rename = "AccountBasedExpenseLineDetail")]
    detail: ExpenseDetail<'a>,
}

#[derive(Serialize)]
struct ExpenseDetail<'a> {
    #[serde(rename = "AccountRef")]
    account: Ref<'a, IdStr>,
    #[serde(rename = "BillableStatus")]
    billable: &'static str,
    #[serde(rename = "TaxCodeRef")]
    tax_code: Ref<'static, &'static str>,
}

fn bill_line<'a>(ds: &'a Dataset, n: usize, l: &ExpenseLine) -> BillLineView<'a> {
    BillLineView {
        id: id_of(n),
        line_num: n as u64 + 1,
        description: l.description,
        amount: Money(l.amount),
        detail_type: "AccountBasedExpenseLineDetail",
        detail: ExpenseDetail {
            account: named(id_of(l.account), ds.account_name(l.account)),
            billable: "NotBillable",
            tax_code: bare("NON"),
        },
    }
}

fn bill_view(ds: &Dataset, i: usize) -> Option<BillView<'_>> {
    let b = ds.bills.get(i)?;
    let lines = ds.bill_lines(i);
    let term = TERMS.get(usize::from(b.term)).copied().unwrap_or(TERMS[2]);
    Some(BillView {
        sync_token: IdStr(u64::from(b.sync_token)),
        domain: "QBO",
        ap_account: named(id_of(ACCT_AP), ds.account_name(ACCT_AP)),
        vendor: named(
            IdStr(u64::from(b.vendor) + 1),
            ds.vendors
                .get(b.vendor as usize)
                .map_or("", |v| v.display_name.as_str()),
        ),
        doc_number: b.doc_number.map(|n| IdStr(u64::from(n))),
        txn_date: Day(b.txn_date),
        total: Money(b.total),
        currency: USD,
        linked: [],
        term: bare(IdStr(u64::from(term.0))),
        due_date: Day(b.due_date),
        sparse: false,
        lines: lines
            .iter()
            .enumerate()
            .map(|(n, l)| bill_line(ds, n, l))
            .collect(),
        balance: Money(b.balance),
        id: id_of(i),
        meta: meta(b.created, b.updated),
    })
}

// ---------------------------------------------------------------------------------------------
// Customer, Vendor, Item, Account, CompanyInfo

#[derive(Serialize)]
struct CustomerView<'a> {
    #[serde(rename = "Taxable")]
    taxable: bool,
    #[serde(rename = "BillAddr")]
    bill_addr: AddrView<'a>,
    #[serde(rename = "ShipAddr", skip_serializing_if = "Option::is_none")]
    ship_addr: Option<AddrView<'a>>,
    #[serde(rename = "Notes", skip_serializing_if = "Option::is_none")]
    notes: Option<&'a str>,
    #[serde(rename = "Job")]
    job: bool,
    #[serde(rename = "BillWithParent")]
    bill_with_parent: bool,
    #[serde(rename = "Balance")]
    balance: Money,
    #[serde(rename = "BalanceWithJobs")]
    balance_with_jobs: Money,
    #[serde(rename = "CurrencyRef")]
    currency: Ref<'static, &'static str>,
    #[serde(rename = "PreferredDeliveryMethod")]
    delivery: &'a str,
    #[serde(rename = "IsProject")]
    is_project: bool,
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
    #[serde(rename = "GivenName")]
    given_name: &'a str,
    #[serde(rename = "MiddleName", skip_serializing_if = "Option::is_none")]
    middle_name: Option<&'a str>,
    #[serde(rename = "FamilyName")]
    family_name: &'a str,
    #[serde(rename = "FullyQualifiedName")]
    fully_qualified_name: &'a str,
    #[serde(rename = "CompanyName")]
    company_name: &'a str,
    #[serde(rename = "DisplayName")]
    display_name: &'a str,
    #[serde(rename = "PrintOnCheckName")]
    print_on_check: &'a str,
    #[serde(rename = "Active")]
    active: bool,
    #[serde(rename = "PrimaryPhone")]
    phone: Phone<'a>,
    #[serde(rename = "Mobile", skip_serializing_if = "Option::is_none")]
    mobile: Option<Phone<'a>>,
    #[serde(rename = "PrimaryEmailAddr")]
    email: EmailAddr<'a>,
    #[serde(rename = "DefaultTaxCodeRef", skip_serializing_if = "Option::is_none")]
    default_tax_code: Option<Ref<'static, &'static str>>,
}

fn customer_view(ds: &Dataset, i: usize) -> Option<CustomerView<'_>> {
    let c = ds.customers.get(i)?;
    Some(CustomerView {
        taxable: c.taxable,
        bill_addr: addr(&c.bill_addr, None),
        ship_addr: c.ship_addr.as_ref().map(|a| addr(a, None)),
        notes: c.notes,
        job: false,
        bill_with_parent: false,
        balance: Money(c.balance),
        balance_with_jobs: Money(c.balance),
        currency: USD,
        delivery: c.delivery,
        is_project: false,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(u64::from(c.sync_token)),
        meta: meta(c.created, c.updated),
        given_name: c.given_name,
        middle_name: c.middle_name,
        family_name: c.family_name,
        fully_qualified_name: &c.display_name,
        company_name: &c.display_name,
        display_name: &c.display_name,
        print_on_check: &c.print_on_check,
        active: c.active,
        phone: Phone { number: &c.phone },
        mobile: c.mobile.as_deref().map(|m| Phone { number: m }),
        email: EmailAddr { address: &c.email },
        default_tax_code: c.taxable.then(|| bare("2")),
    })
}

#[derive(Serialize)]
struct VendorView<'a> {
    #[serde(rename = "BillAddr")]
    bill_addr: AddrView<'a>,
    #[serde(rename = "Balance")]
    balance: Money,
    #[serde(rename = "Vendor1099")]
    vendor_1099: bool,
    #[serde(rename = "CurrencyRef")]
    currency: Ref<'static, &'static str>,
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
    #[serde(rename = "GivenName")]
    given_name: &'a str,
    #[serde(rename = "FamilyName")]
    family_name: &'a str,
    #[serde(rename = "CompanyName")]
    company_name: &'a str,
    #[serde(rename = "DisplayName")]
    display_name: &'a str,
    #[serde(rename = "PrintOnCheckName")]
    print_on_check: &'a str,
    #[serde(rename = "Active")]
    active: bool,
    #[serde(rename = "PrimaryPhone")]
    phone: Phone<'a>,
    #[serde(rename = "PrimaryEmailAddr")]
    email: EmailAddr<'a>,
    #[serde(rename = "WebAddr")]
    web: WebAddr<'a>,
    #[serde(rename = "AcctNum", skip_serializing_if = "Option::is_none")]
    acct_num: Option<&'a str>,
}

fn vendor_view(ds: &Dataset, i: usize) -> Option<VendorView<'_>> {
    let v = ds.vendors.get(i)?;
    Some(VendorView {
        bill_addr: addr(&v.addr, None),
        balance: Money(v.balance),
        vendor_1099: v.vendor_1099,
        currency: USD,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(u64::from(v.sync_token)),
        meta: meta(v.created, v.updated),
        given_name: v.given_name,
        family_name: v.family_name,
        company_name: &v.display_name,
        display_name: &v.display_name,
        print_on_check: &v.display_name,
        active: v.active,
        phone: Phone { number: &v.phone },
        email: EmailAddr { address: &v.email },
        web: WebAddr { uri: &v.web },
        acct_num: v.acct_num.as_deref(),
    })
}

#[derive(Serialize)]
struct ItemView<'a> {
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "Description")]
    description: &'a str,
    #[serde(rename = "Active")]
    active: bool,
    #[serde(rename = "FullyQualifiedName")]
    fully_qualified_name: &'a str,
    #[serde(rename = "Taxable")]
    taxable: bool,
    #[serde(rename = "UnitPrice")]
    unit_price: Decimal,
    #[serde(rename = "Type")]
    kind: &'static str,
    #[serde(rename = "IncomeAccountRef")]
    income_account: Ref<'a, IdStr>,
    #[serde(rename = "PurchaseCost")]
    purchase_cost: Decimal,
    #[serde(rename = "ExpenseAccountRef", skip_serializing_if = "Option::is_none")]
    expense_account: Option<Ref<'a, IdStr>>,
    #[serde(rename = "TrackQtyOnHand")]
    track_qty: bool,
    #[serde(rename = "Sku", skip_serializing_if = "Option::is_none")]
    sku: Option<&'a str>,
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
}

fn item_view(ds: &Dataset, i: usize) -> Option<ItemView<'_>> {
    let it = ds.items.get(i)?;
    Some(ItemView {
        name: &it.name,
        description: it.description,
        active: it.active,
        fully_qualified_name: &it.name,
        taxable: it.taxable,
        unit_price: Decimal(it.unit_price),
        kind: it.kind.as_str(),
        income_account: named(id_of(it.income_account), ds.account_name(it.income_account)),
        purchase_cost: Decimal(it.purchase_cost),
        expense_account: it
            .expense_account
            .map(|a| named(id_of(a), ds.account_name(a))),
        track_qty: false,
        sku: it.sku.as_deref(),
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(u64::from(it.sync_token)),
        meta: meta(it.created, it.updated),
    })
}

#[derive(Serialize)]
struct AccountView<'a> {
    #[serde(rename = "Name")]
    name: &'a str,
    #[serde(rename = "SubAccount")]
    sub_account: bool,
    #[serde(rename = "FullyQualifiedName")]
    fully_qualified_name: &'a str,
    #[serde(rename = "Active")]
    active: bool,
    #[serde(rename = "Classification")]
    classification: &'a str,
    #[serde(rename = "AccountType")]
    account_type: &'a str,
    #[serde(rename = "AccountSubType")]
    sub_type: &'a str,
    #[serde(rename = "CurrentBalance")]
    balance: Money,
    #[serde(rename = "CurrentBalanceWithSubAccounts")]
    balance_with_subs: Money,
    #[serde(rename = "CurrencyRef")]
    currency: Ref<'static, &'static str>,
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
}

fn account_view(ds: &Dataset, i: usize) -> Option<AccountView<'_>> {
    let a = ds.accounts.get(i)?;
    Some(AccountView {
        name: a.name,
        sub_account: false,
        fully_qualified_name: a.name,
        active: a.active,
        classification: a.classification,
        account_type: a.account_type,
        sub_type: a.sub_type,
        balance: Money(a.balance),
        balance_with_subs: Money(a.balance),
        currency: USD,
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(u64::from(a.sync_token)),
        meta: meta(a.created, a.updated),
    })
}

#[derive(Serialize)]
struct NameValue {
    #[serde(rename = "Name")]
    name: &'static str,
    #[serde(rename = "Value")]
    value: &'static str,
}

#[derive(Serialize)]
struct CompanyView<'a> {
    #[serde(rename = "CompanyName")]
    name: &'a str,
    #[serde(rename = "LegalName")]
    legal_name: &'a str,
    #[serde(rename = "CompanyAddr")]
    company_addr: AddrView<'a>,
    #[serde(rename = "CustomerCommunicationAddr")]
    communication_addr: AddrView<'a>,
    #[serde(rename = "LegalAddr")]
    legal_addr: AddrView<'a>,
    #[serde(rename = "CustomerCommunicationEmailAddr")]
    communication_email: EmailAddr<'a>,
    #[serde(rename = "PrimaryPhone")]
    phone: Phone<'a>,
    #[serde(rename = "CompanyStartDate")]
    start_date: Day,
    #[serde(rename = "FiscalYearStartMonth")]
    fiscal_year_start: &'static str,
    #[serde(rename = "Country")]
    country: &'static str,
    #[serde(rename = "Email")]
    email: EmailAddr<'a>,
    #[serde(rename = "WebAddr")]
    web: WebAddr<'a>,
    #[serde(rename = "SupportedLanguages")]
    languages: &'static str,
    #[serde(rename = "NameValue")]
    name_values: [NameValue; 5],
    domain: &'static str,
    sparse: bool,
    #[serde(rename = "Id")]
    id: IdStr,
    #[serde(rename = "SyncToken")]
    sync_token: IdStr,
    #[serde(rename = "MetaData")]
    meta: MetaData,
}

fn company_view(ds: &Dataset) -> CompanyView<'_> {
    let c = &ds.company;
    let a = || addr(&c.addr, Some("USA"));
    CompanyView {
        name: c.name,
        legal_name: c.name,
        company_addr: a(),
        communication_addr: a(),
        legal_addr: a(),
        communication_email: EmailAddr { address: &c.email },
        phone: Phone { number: &c.phone },
        start_date: Day(c.start_date),
        fiscal_year_start: "January",
        country: "US",
        email: EmailAddr { address: &c.email },
        web: WebAddr { uri: &c.web },
        languages: "en",
        name_values: [
            NameValue {
                name: "NeoEnabled",
                value: "true",
            },
            NameValue {
                name: "IndustryType",
                value: "Heating and air conditioning contractors",
            },
            NameValue {
                name: "CompanyType",
                value: "LLC",
            },
            NameValue {
                name: "SubscriptionStatus",
                value: "PAID",
            },
            NameValue {
                name: "OfferingSku",
                value: "QuickBooks Online Plus",
            },
        ],
        domain: "QBO",
        sparse: false,
        id: IdStr(1),
        sync_token: IdStr(4),
        meta: meta(c.created, c.updated),
    }
}

// ---------------------------------------------------------------------------------------------
// Envelopes

/// One record of `entity` at `index`, serializable as its QBO JSON object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    pub(crate) ds: &'a Dataset,
    pub(crate) entity: Entity,
    pub(crate) index: usize,
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (ds, i) = (self.ds, self.index);
        let missing = || serde::ser::Error::custom("record index out of range");
        match self.entity {
            Entity::Invoice => invoice_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Payment => payment_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Bill => bill_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Customer => customer_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Vendor => vendor_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Item => item_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::Account => account_view(ds, i).ok_or_else(missing)?.serialize(s),
            Entity::CompanyInfo if i == 0 => company_view(ds).serialize(s),
            Entity::CompanyInfo => Err(missing()),
        }
    }
}

/// `{"<Entity>": {...}, "time": "..."}` — the read-by-id answer.
pub(crate) struct Single<'a> {
    pub(crate) record: Record<'a>,
    pub(crate) time: ResponseTime,
}

impl Serialize for Single<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.record.entity.name(), &self.record)?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

/// `{"<key>": value, "time": "..."}`: the envelope of a single-object answer (a written record,
/// a delete's status object).
pub(crate) struct Envelope<'a, T: Serialize> {
    pub(crate) key: &'a str,
    pub(crate) value: &'a T,
    pub(crate) time: ResponseTime,
}

impl<T: Serialize> Serialize for Envelope<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.key, self.value)?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

/// A query page: `{"QueryResponse":{"<Entity>":[...],"startPosition":s,"maxResults":n},"time":..}`,
/// or `{"QueryResponse":{},"time":..}` when `rows` is empty.
pub(crate) struct Page<'a> {
    pub(crate) ds: &'a Dataset,
    /// What was written to the entity, when anything was: written rows are rendered from it.
    pub(crate) table: Option<&'a Table>,
    pub(crate) entity: Entity,
    pub(crate) start_position: u64,
    pub(crate) rows: &'a [u32],
    pub(crate) time: ResponseTime,
}

struct PageInner<'a>(&'a Page<'a>);

struct Rows<'a>(&'a Page<'a>);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let page = self.0;
        let mut seq = s.serialize_seq(Some(page.rows.len()))?;
        for &i in page.rows {
            match page.table.and_then(|t| t.slot(i as usize)) {
                Some(Slot::Live(stored)) => seq.serialize_element(&stored.json)?,
                Some(Slot::Deleted(_)) => {
                    return Err(serde::ser::Error::custom("a deleted record in a page"));
                }
                None => seq.serialize_element(&Record {
                    ds: page.ds,
                    entity: page.entity,
                    index: i as usize,
                })?,
            }
        }
        seq.end()
    }
}

impl Serialize for PageInner<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let page = self.0;
        if page.rows.is_empty() {
            return s.serialize_map(Some(0))?.end();
        }
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry(page.entity.name(), &Rows(page))?;
        map.serialize_entry("startPosition", &page.start_position)?;
        map.serialize_entry("maxResults", &page.rows.len())?;
        map.end()
    }
}

impl Serialize for Page<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("QueryResponse", &PageInner(self))?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

/// `{"QueryResponse":{"totalCount":N},"time":..}`.
pub(crate) struct Count {
    pub(crate) total: usize,
    pub(crate) time: ResponseTime,
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Inner(usize);
        impl Serialize for Inner {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("totalCount", &self.0)?;
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("QueryResponse", &Inner(self.total))?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use serde_json::Value;

    fn ds(seed: u64) -> Dataset {
        Dataset::build(&EmulatorConfig {
            seed,
            ..EmulatorConfig::default()
        })
        .expect("builds")
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    fn render(ds: &Dataset, entity: Entity, index: usize) -> Value {
        serde_json::to_value(Record { ds, entity, index }).expect("renders")
    }

    // Invoices and customers follow the key orders written records are built in (`build.rs`,
    // from the samples); nested objects follow the samples' orders below (copied here so the
    // tests do not depend on where the samples live).
    use crate::build::{CUSTOMER_ORDER as CUSTOMER_KEYS, INVOICE_ORDER as INVOICE_KEYS};
    const SALES_LINE_KEYS: [&str; 6] = [
        "Id",
        "LineNum",
        "Description",
        "Amount",
        "DetailType",
        "SalesItemLineDetail",
    ];
    const SALES_DETAIL_KEYS: [&str; 6] = [
        "ServiceDate",
        "ItemRef",
        "UnitPrice",
        "Qty",
        "ItemAccountRef",
        "TaxCodeRef",
    ];
    const TAX_DETAIL_KEYS: [&str; 3] = ["TxnTaxCodeRef", "TotalTax", "TaxLine"];
    const ADDR_KEYS: [&str; 6] = [
        "Id",
        "Line1",
        "Line2",
        "City",
        "CountrySubDivisionCode",
        "PostalCode",
    ];

    /// Every key of `ours` is one of `sample`, and they come in the sample's order.
    fn assert_keys_follow(ours: &Value, sample: &[&str]) {
        let mut last = 0;
        for k in keys(ours) {
            let pos = sample
                .iter()
                .position(|s| *s == k)
                .unwrap_or_else(|| panic!("unexpected key {k}; sample keys {sample:?}"));
            assert!(pos >= last, "key {k} out of order; sample order {sample:?}");
            last = pos;
        }
    }

    #[test]
    fn invoice_shape_follows_the_sample() {
        let ds = ds(42);
        let mut seen_tax = false;
        for i in 0..200 {
            let v = render(&ds, Entity::Invoice, i);
            assert_keys_follow(&v, &INVOICE_KEYS);
            assert_keys_follow(&v["TxnTaxDetail"], &TAX_DETAIL_KEYS);
            seen_tax |= v["TxnTaxDetail"].get("TaxLine").is_some();
            let lines = v["Line"].as_array().expect("lines");
            let (last, items) = lines.split_last().expect("subtotal line");
            assert_eq!(keys(last), ["Amount", "DetailType", "SubTotalLineDetail"]);
            assert_eq!(last["DetailType"], "SubTotalLineDetail");
            assert_eq!(last["SubTotalLineDetail"], serde_json::json!({}));
            assert!((1..=4).contains(&items.len()));
            for l in items {
                assert_keys_follow(l, &SALES_LINE_KEYS);
                assert_keys_follow(&l["SalesItemLineDetail"], &SALES_DETAIL_KEYS);
            }
            let sum: f64 = items
                .iter()
                .map(|l| l["Amount"].as_f64().expect("amount"))
                .sum();
            let subtotal = last["Amount"].as_f64().expect("subtotal");
            assert!((sum - subtotal).abs() < 0.005);
            let tax = v["TxnTaxDetail"]["TotalTax"].as_f64().expect("tax");
            let total = v["TotalAmt"].as_f64().expect("total");
            assert!((subtotal + tax - total).abs() < 0.005);
            assert!(
                v["MetaData"]["CreateTime"]
                    .as_str()
                    .expect("time")
                    .ends_with("-07:00")
            );
        }
        assert!(seen_tax);
        let paid_index = ds
            .invoices
            .iter()
            .position(|i| i.payment > 0)
            .expect("some paid");
        let v = render(&ds, Entity::Invoice, paid_index);
        assert_eq!(v["Id"], Value::String((paid_index + 1).to_string()));
        assert_eq!(v["Balance"], Value::from(0));
        assert_eq!(v["LinkedTxn"][0]["TxnType"], "Payment");
        assert_eq!(
            v["CurrencyRef"],
            serde_json::json!({"value": "USD", "name": "United States Dollar"})
        );
    }

    #[test]
    fn money_and_decimal_render_like_qbo() {
        let json = serde_json::to_string(&[Money(0), Money(27500), Money(55446), Money(9650)])
            .expect("json");
        assert_eq!(json, "[0,275.0,554.46,96.5]");
        let json = serde_json::to_string(&[Decimal(15000), Decimal(4825)]).expect("json");
        assert_eq!(json, "[150,48.25]");
    }

    #[test]
    fn customer_shape_follows_the_sample() {
        let ds = ds(42);
        for i in 0..ds.customers.len() {
            let v = render(&ds, Entity::Customer, i);
            assert_keys_follow(&v, &CUSTOMER_KEYS);
            assert_keys_follow(&v["BillAddr"], &ADDR_KEYS);
        }
        let v = render(&ds, Entity::Customer, 2);
        assert_eq!(v["DisplayName"], "O'Brien Landscaping");
        assert_eq!(v["FamilyName"], "O'Brien");
    }

    #[test]
    fn every_entity_renders_with_common_fields() {
        let ds = ds(42);
        for e in Entity::ALL {
            for i in [0, e.count(&ds) - 1] {
                let v = render(&ds, e, i);
                assert_eq!(v["Id"], Value::String((i + 1).to_string()), "{e:?}");
                assert_eq!(v["domain"], "QBO");
                assert_eq!(v["sparse"], false);
                assert!(v["SyncToken"].is_string());
                assert!(v["MetaData"]["LastUpdatedTime"].is_string());
            }
            assert!(
                serde_json::to_value(Record {
                    ds: &ds,
                    entity: e,
                    index: e.count(&ds)
                })
                .is_err()
            );
        }
        let p = render(&ds, Entity::Payment, 0);
        let inv = ds.payments[0].invoice as usize;
        assert_eq!(
            p["Line"][0]["LinkedTxn"][0]["TxnId"],
            Value::String((inv + 1).to_string())
        );
        assert_eq!(p["Line"][0]["LinkedTxn"][0]["TxnType"], "Invoice");
        let b = render(&ds, Entity::Bill, 0);
        assert_eq!(b["Line"][0]["DetailType"], "AccountBasedExpenseLineDetail");
        assert_eq!(b["APAccountRef"]["name"], "Accounts Payable (A/P)");
        let c = render(&ds, Entity::CompanyInfo, 0);
        assert_eq!(c["CompanyAddr"]["Country"], "USA");
    }

    #[test]
    fn envelopes_match_samples() {
        let ds = ds(42);
        let time = ResponseTime(1_758_298_364_118);
        let page = Page {
            ds: &ds,
            table: None,
            entity: Entity::Invoice,
            start_position: 1,
            rows: &[0, 1],
            time,
        };
        let v = serde_json::to_value(&page).expect("json");
        assert_eq!(keys(&v), ["QueryResponse", "time"]);
        assert_eq!(
            keys(&v["QueryResponse"]),
            ["Invoice", "startPosition", "maxResults"]
        );
        assert_eq!(v["QueryResponse"]["maxResults"], 2);
        let empty = Page { rows: &[], ..page };
        assert_eq!(
            serde_json::to_string(&empty).expect("json"),
            r#"{"QueryResponse":{},"time":"2025-09-19T09:12:44.118-07:00"}"#
        );
        assert_eq!(
            serde_json::to_string(&Count { total: 1348, time }).expect("json"),
            r#"{"QueryResponse":{"totalCount":1348},"time":"2025-09-19T09:12:44.118-07:00"}"#
        );
        let single = Single {
            record: Record {
                ds: &ds,
                entity: Entity::Item,
                index: 0,
            },
            time,
        };
        let v = serde_json::to_value(&single).expect("json");
        assert_eq!(keys(&v), ["Item", "time"]);
    }

    #[test]
    fn same_seed_same_bytes_different_seed_differs() {
        let render_all = |seed: u64| {
            let ds = ds(seed);
            let mut out = Vec::new();
            for e in Entity::ALL {
                let rows: Vec<u32> = (0..e.count(&ds) as u32).collect();
                let page = Page {
                    ds: &ds,
                    table: None,
                    entity: e,
                    start_position: 1,
                    rows: &rows,
                    time: ResponseTime(0),
                };
                serde_json::to_writer(&mut out, &page).expect("json");
            }
            out
        };
        let a = render_all(42);
        assert_eq!(a, render_all(42));
        assert_ne!(a, render_all(43));
    }
}
