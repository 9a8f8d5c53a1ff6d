//! An invoice as QBO JSON: header (its location, `DepartmentRef`), sales lines (each with its
//! `ClassRef`), the subtotal line, tax detail, links to payments.

use serde::Serialize;

use super::parts::{
    AddrView, Decimal, EmailAddr, Empty, IdStr, LinkedTxn, MetaData, Money, Ref, addr, bare,
    currency_ref, id_of, meta, named,
};
use crate::data::{Dataset, EMAIL_STATUS, PRINT_STATUS, SalesForm, SalesLine, TAX_RATE_BP, TERMS};
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct InvoiceView<'a> {
    #[serde(rename = "AllowIPNPayment")]
    pub(crate) allow_ipn: bool,
    #[serde(rename = "AllowOnlinePayment")]
    pub(crate) allow_online: bool,
    #[serde(rename = "AllowOnlineCreditCardPayment")]
    pub(crate) allow_cc: bool,
    #[serde(rename = "AllowOnlineACHPayment")]
    pub(crate) allow_ach: bool,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
    #[serde(rename = "CustomField")]
    pub(crate) custom_field: Vec<CustomField>,
    #[serde(rename = "DocNumber")]
    pub(crate) doc_number: IdStr,
    #[serde(rename = "TxnDate")]
    pub(crate) txn_date: Day,
    /// The location the sale is tracked under.
    #[serde(rename = "DepartmentRef", skip_serializing_if = "Option::is_none")]
    pub(crate) department: Option<Ref<'a, IdStr>>,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    /// With multicurrency on: home currency per unit of `currency`.
    #[serde(rename = "ExchangeRate", skip_serializing_if = "Option::is_none")]
    pub(crate) exchange_rate: Option<Decimal>,
    #[serde(rename = "LinkedTxn")]
    pub(crate) linked: Vec<LinkedTxn>,
    #[serde(rename = "Line")]
    pub(crate) lines: Vec<InvoiceLine<'a>>,
    #[serde(rename = "TxnTaxDetail")]
    pub(crate) tax: TxnTaxDetail,
    #[serde(rename = "CustomerRef")]
    pub(crate) customer: Ref<'a, IdStr>,
    #[serde(rename = "CustomerMemo", skip_serializing_if = "Option::is_none")]
    pub(crate) memo: Option<Ref<'static, &'static str>>,
    #[serde(rename = "BillAddr", skip_serializing_if = "Option::is_none")]
    pub(crate) bill_addr: Option<AddrView<'a>>,
    #[serde(rename = "ShipAddr", skip_serializing_if = "Option::is_none")]
    pub(crate) ship_addr: Option<AddrView<'a>>,
    #[serde(rename = "SalesTermRef")]
    pub(crate) term: Ref<'static, IdStr>,
    #[serde(rename = "DueDate")]
    pub(crate) due_date: Day,
    #[serde(rename = "TotalAmt")]
    pub(crate) total: Money,
    /// With multicurrency on: `TotalAmt` in the home currency.
    #[serde(rename = "HomeTotalAmt", skip_serializing_if = "Option::is_none")]
    pub(crate) home_total: Option<Money>,
    #[serde(rename = "ApplyTaxAfterDiscount")]
    pub(crate) tax_after_discount: bool,
    #[serde(rename = "PrintStatus")]
    pub(crate) print_status: &'static str,
    #[serde(rename = "EmailStatus")]
    pub(crate) email_status: &'static str,
    #[serde(rename = "BillEmail", skip_serializing_if = "Option::is_none")]
    pub(crate) bill_email: Option<EmailAddr<'a>>,
    #[serde(rename = "Balance")]
    pub(crate) balance: Money,
    /// With multicurrency on: `Balance` in the home currency.
    #[serde(rename = "HomeBalance", skip_serializing_if = "Option::is_none")]
    pub(crate) home_balance: Option<Money>,
    #[serde(rename = "Deposit")]
    pub(crate) deposit: Money,
}

#[derive(Serialize)]
pub(crate) struct CustomField {
    #[serde(rename = "DefinitionId")]
    pub(crate) definition_id: &'static str,
    #[serde(rename = "Name")]
    pub(crate) name: &'static str,
    #[serde(rename = "Type")]
    pub(crate) kind: &'static str,
    #[serde(rename = "StringValue")]
    pub(crate) value: String,
}

#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum InvoiceLine<'a> {
    Sales(SalesLineView<'a>),
    SubTotal(SubTotalLineView),
}

#[derive(Serialize)]
pub(crate) struct SalesLineView<'a> {
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "LineNum")]
    pub(crate) line_num: u64,
    #[serde(rename = "Description")]
    pub(crate) description: &'a str,
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "DetailType")]
    pub(crate) detail_type: &'static str,
    #[serde(rename = "SalesItemLineDetail")]
    pub(crate) detail: SalesItemLineDetail<'a>,
}

#[derive(Serialize)]
pub(crate) struct SalesItemLineDetail<'a> {
    #[serde(rename = "ServiceDate", skip_serializing_if = "Option::is_none")]
    pub(crate) service_date: Option<Day>,
    #[serde(rename = "ItemRef")]
    pub(crate) item: Ref<'a, IdStr>,
    /// The class the line's income is tracked under.
    #[serde(rename = "ClassRef", skip_serializing_if = "Option::is_none")]
    pub(crate) class: Option<Ref<'a, IdStr>>,
    #[serde(rename = "UnitPrice")]
    pub(crate) unit_price: Decimal,
    #[serde(rename = "Qty")]
    pub(crate) qty: i64,
    #[serde(rename = "ItemAccountRef")]
    pub(crate) account: Ref<'a, IdStr>,
    #[serde(rename = "TaxCodeRef")]
    pub(crate) tax_code: Ref<'static, &'static str>,
}

#[derive(Serialize)]
pub(crate) struct SubTotalLineView {
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "DetailType")]
    pub(crate) detail_type: &'static str,
    #[serde(rename = "SubTotalLineDetail")]
    pub(crate) detail: Empty,
}

#[derive(Serialize)]
pub(crate) struct TxnTaxDetail {
    #[serde(rename = "TxnTaxCodeRef", skip_serializing_if = "Option::is_none")]
    pub(crate) code: Option<Ref<'static, &'static str>>,
    #[serde(rename = "TotalTax")]
    pub(crate) total: Money,
    #[serde(rename = "TaxLine", skip_serializing_if = "Vec::is_empty")]
    pub(crate) lines: Vec<TaxLine>,
}

#[derive(Serialize)]
pub(crate) struct TaxLine {
    #[serde(rename = "Amount")]
    pub(crate) amount: Money,
    #[serde(rename = "DetailType")]
    pub(crate) detail_type: &'static str,
    #[serde(rename = "TaxLineDetail")]
    pub(crate) detail: TaxLineDetail,
}

#[derive(Serialize)]
pub(crate) struct TaxLineDetail {
    #[serde(rename = "TaxRateRef")]
    pub(crate) rate: Ref<'static, &'static str>,
    #[serde(rename = "PercentBased")]
    pub(crate) percent_based: bool,
    #[serde(rename = "TaxPercent")]
    pub(crate) percent: f64,
    #[serde(rename = "NetAmountTaxable")]
    pub(crate) net: Money,
}

/// Line `n` of a sale, its income tracked under `class` (an index into the classes).
pub(crate) fn sales_line<'a>(
    ds: &'a Dataset,
    n: usize,
    line: &SalesLine,
    class: Option<usize>,
) -> SalesLineView<'a> {
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
            class: class.and_then(|c| class_ref(ds, c)),
            unit_price: Decimal(line.unit_price),
            qty: line.qty,
            account: named(id_of(account), ds.account_name(account)),
            tax_code: bare(if line.taxable { "TAX" } else { "NON" }),
        },
    }
}

/// `ClassRef` of class `index` (named by its `FullyQualifiedName`), `None` past the list.
fn class_ref(ds: &Dataset, index: usize) -> Option<Ref<'_, IdStr>> {
    let class = ds.classes.get(index)?;
    Some(named(id_of(index), class.name))
}

/// `DepartmentRef` of department `index`, `None` past the list.
pub(crate) fn department_ref(ds: &Dataset, index: usize) -> Option<Ref<'_, IdStr>> {
    let department = ds.departments.get(index)?;
    Some(named(id_of(index), department.name))
}

/// The lines (sales lines, then the subtotal) and the tax detail of a sale drawn as `d`: an
/// invoice's (line `n` tracked under `class_of(n)`), and the estimate it was made from.
pub(crate) fn sales_body<'a>(
    ds: &'a Dataset,
    d: &crate::data::InvoiceDetail,
    class_of: impl Fn(usize) -> Option<usize>,
) -> (Vec<InvoiceLine<'a>>, TxnTaxDetail) {
    let mut lines: Vec<InvoiceLine<'a>> = d
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| InvoiceLine::Sales(sales_line(ds, n, l, class_of(n))))
        .collect();
    lines.push(InvoiceLine::SubTotal(SubTotalLineView {
        amount: Money(d.subtotal),
        detail_type: "SubTotalLineDetail",
        detail: Empty {},
    }));
    let tax = tax_detail(d.tax);
    (lines, tax)
}

/// The `TxnTaxDetail` of a sale with `tax` (taxable net and tax), or none.
pub(crate) fn tax_detail(tax: Option<(i64, i64)>) -> TxnTaxDetail {
    match tax {
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
    }
}

/// The sales custom fields the company defined with QBO's enhanced custom fields (QuickBooks
/// Online Advanced), beside the classic `PO Number`: QBO's API answers them only to
/// `include=enhancedAllCustomFields` (without it, only the first three string fields).
const ENHANCED_FIELDS: [(&str, &str); 2] = [("4", "Region"), ("5", "Project")];

const REGIONS: [&str; 4] = ["West", "East", "North", "South"];

/// Invoice `i` with every custom field, the enhanced ones included (`include=enhancedAllCustomFields`).
pub(crate) fn invoice_view_all_fields(ds: &Dataset, i: usize) -> Option<InvoiceView<'_>> {
    let mut view = invoice_view(ds, i)?;
    let customer = ds.invoices.get(i).map_or(0, |inv| inv.customer as usize);
    let values = [
        REGIONS[customer % REGIONS.len()].to_owned(),
        format!("PRJ-{}", 100 + (i * 7) % 37),
    ];
    for ((id, name), value) in ENHANCED_FIELDS.into_iter().zip(values) {
        view.custom_field.push(CustomField {
            definition_id: id,
            name,
            kind: "StringType",
            value,
        });
    }
    Some(view)
}

/// Whether the company is multicurrency, and the invoice's currency.
struct InvoiceCurrency {
    on: bool,
    currency: crate::currency::Currency,
}

pub(crate) fn invoice_view(ds: &Dataset, i: usize) -> Option<InvoiceView<'_>> {
    let inv = ds.invoices.get(i)?;
    let d = ds.invoice_detail(i);
    let cust = ds.customers.get(inv.customer as usize);
    let money = InvoiceCurrency {
        on: ds.currencies.on,
        currency: ds.currencies.of_customer(inv.customer as usize),
    };
    let (lines, tax) = sales_body(ds, &d, |n| ds.class_of_line(SalesForm::Invoice, i, n));
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
        department: ds
            .department_of(SalesForm::Invoice, i)
            .and_then(|d| department_ref(ds, d)),
        currency: currency_ref(money.currency),
        exchange_rate: money.on.then_some(Decimal(money.currency.rate)),
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
        home_total: money.on.then(|| Money(money.currency.home(inv.total))),
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
        home_balance: money.on.then(|| Money(money.currency.home(inv.balance))),
        deposit: Money(0),
    })
}
