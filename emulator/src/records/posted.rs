//! The other posting transactions (`txns.rs`) as QBO JSON: SalesReceipt, CreditMemo,
//! RefundReceipt, Deposit, Purchase, JournalEntry, Transfer, VendorCredit, CreditCardPayment.
//!
//! These tables are a fraction of the invoices' size and are never paged in bulk the way
//! invoices are, so each record is built as a `serde_json::Value` (keys in QBO's order) rather
//! than a borrowed view; the sales lines are the invoices' own views, and a sale carries its
//! location and its lines' classes as an invoice does.

use serde_json::{Map, Value, json};

use super::invoice::{InvoiceLine, SubTotalLineView, department_ref, sales_line, tax_detail};
use super::parts::Empty;
use crate::data::{Dataset, SalesForm, SalesLine};
use crate::time::{Day, Timestamp};
use crate::txns::{Cost, Kind, Move, Sale, doc_number};
use crate::values::money;

fn id(index: usize) -> String {
    (index + 1).to_string()
}

fn reference(index: usize, name: &str) -> Value {
    json!({"value": id(index), "name": name})
}

fn account(ds: &Dataset, index: u32) -> Value {
    reference(index as usize, ds.account_name(index as usize))
}

fn vendor_name(ds: &Dataset, index: u32) -> &str {
    ds.vendors
        .get(index as usize)
        .map_or("", |v| v.display_name.as_str())
}

/// The fields every record starts with.
fn head(index: usize, sync_token: u32, created: i64, updated: i64) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("domain".into(), json!("QBO"));
    m.insert("sparse".into(), json!(false));
    m.insert("Id".into(), json!(id(index)));
    m.insert("SyncToken".into(), json!(sync_token.to_string()));
    m.insert(
        "MetaData".into(),
        json!({
            "CreateTime": Timestamp(created).to_string(),
            "LastUpdatedTime": Timestamp(updated).to_string(),
        }),
    );
    m
}

fn currency() -> Value {
    json!({"value": "USD", "name": "United States Dollar"})
}

/// Record `index` of `kind` as QBO JSON, `None` past the end.
pub(crate) fn posted_json(ds: &Dataset, kind: Kind, index: usize) -> Option<Value> {
    let p = &ds.posted;
    Some(Value::Object(match kind {
        Kind::SalesReceipt => sale(ds, kind, index, p.sales_receipts.get(index)?),
        Kind::CreditMemo => sale(ds, kind, index, p.credit_memos.get(index)?),
        Kind::RefundReceipt => sale(ds, kind, index, p.refund_receipts.get(index)?),
        Kind::Purchase => cost(ds, kind, index, p.purchases.get(index)?),
        Kind::VendorCredit => cost(ds, kind, index, p.vendor_credits.get(index)?),
        Kind::Deposit => deposit(ds, index)?,
        Kind::JournalEntry => journal(ds, index)?,
        Kind::Transfer => transfer(ds, index, p.transfers.get(index)?),
        Kind::CreditCardPayment => card_payment(ds, index, p.card_payments.get(index)?),
    }))
}

fn sale(ds: &Dataset, kind: Kind, index: usize, s: &Sale) -> Map<String, Value> {
    let token = u32::from(s.updated > s.created);
    let mut m = head(index, token, s.created, s.updated);
    m.insert(
        "DocNumber".into(),
        json!(doc_number(kind, index).to_string()),
    );
    m.insert("TxnDate".into(), json!(Day(s.txn_date).to_string()));
    let form = SalesForm::Posted(kind);
    if let Some(department) = ds
        .department_of(form, index)
        .and_then(|d| department_ref(ds, d))
    {
        m.insert("DepartmentRef".into(), json!(department));
    }
    m.insert("CurrencyRef".into(), currency());
    let mut lines: Vec<InvoiceLine<'_>> = s
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let line = SalesLine {
                item: l.item,
                qty: l.qty,
                unit_price: l.unit_price,
                amount: l.amount,
                taxable: l.taxable,
                service_date: None,
            };
            InvoiceLine::Sales(sales_line(ds, n, &line, ds.class_of_line(form, index, n)))
        })
        .collect();
    lines.push(InvoiceLine::SubTotal(SubTotalLineView {
        amount: crate::records::parts::Money(s.subtotal),
        detail_type: "SubTotalLineDetail",
        detail: Empty {},
    }));
    m.insert("Line".into(), json!(lines));
    m.insert("TxnTaxDetail".into(), json!(tax_detail(s.tax)));
    m.insert(
        "CustomerRef".into(),
        reference(s.customer as usize, ds.customer_name(s.customer as usize)),
    );
    if let Some(c) = ds.customers.get(s.customer as usize) {
        m.insert(
            "BillAddr".into(),
            json!(crate::records::parts::addr(&c.bill_addr, None)),
        );
    }
    m.insert("TotalAmt".into(), money(s.total));
    m.insert("ApplyTaxAfterDiscount".into(), json!(false));
    m.insert("PrintStatus".into(), json!("NotSet"));
    m.insert("EmailStatus".into(), json!("NotSet"));
    match kind {
        Kind::CreditMemo => {
            m.insert("Balance".into(), money(s.total));
            m.insert("RemainingCredit".into(), money(s.total));
        }
        _ => {
            m.insert("Balance".into(), json!(0));
            let method = ds.payment_methods.get(usize::from(s.method));
            m.insert(
                "PaymentMethodRef".into(),
                reference(usize::from(s.method), method.map_or("", |pm| pm.name)),
            );
            if let Some(n) = s.ref_number {
                m.insert("PaymentRefNum".into(), json!(n.to_string()));
            }
            m.insert("DepositToAccountRef".into(), account(ds, s.account));
        }
    }
    m
}

fn cost(ds: &Dataset, kind: Kind, index: usize, c: &Cost) -> Map<String, Value> {
    let token = u32::from(c.updated > c.created);
    let mut m = head(index, token, c.created, c.updated);
    let lines: Vec<Value> = c
        .lines
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let mut line = Map::new();
            line.insert("Id".into(), json!(id(n)));
            line.insert("LineNum".into(), json!(n + 1));
            match l.item {
                Some((item, qty)) => {
                    let it = ds.items.get(item as usize);
                    line.insert(
                        "Description".into(),
                        json!(it.map_or("", |it| it.description)),
                    );
                    line.insert("Amount".into(), money(l.amount));
                    line.insert("DetailType".into(), json!("ItemBasedExpenseLineDetail"));
                    line.insert(
                        "ItemBasedExpenseLineDetail".into(),
                        json!({
                            "BillableStatus": "NotBillable",
                            "ItemRef": reference(item as usize, it.map_or("", |it| it.name.as_str())),
                            "UnitPrice": money(l.amount / qty.max(1)),
                            "Qty": qty,
                            "TaxCodeRef": {"value": "NON"},
                        }),
                    );
                }
                None => {
                    line.insert("Amount".into(), money(l.amount));
                    line.insert("DetailType".into(), json!("AccountBasedExpenseLineDetail"));
                    line.insert(
                        "AccountBasedExpenseLineDetail".into(),
                        json!({
                            "AccountRef": account(ds, l.account),
                            "BillableStatus": "NotBillable",
                            "TaxCodeRef": {"value": "NON"},
                        }),
                    );
                }
            }
            Value::Object(line)
        })
        .collect();
    let vendor = reference(c.vendor as usize, vendor_name(ds, c.vendor));
    if let Some(n) = c.doc_number {
        m.insert("DocNumber".into(), json!(n.to_string()));
    }
    m.insert("TxnDate".into(), json!(Day(c.txn_date).to_string()));
    m.insert("CurrencyRef".into(), currency());
    m.insert("Line".into(), Value::Array(lines));
    if kind == Kind::VendorCredit {
        m.insert("VendorRef".into(), vendor);
        m.insert("APAccountRef".into(), account(ds, c.account));
        m.insert("TotalAmt".into(), money(c.total));
        m.insert("Balance".into(), money(c.total));
    } else {
        m.insert("AccountRef".into(), account(ds, c.account));
        m.insert("PaymentType".into(), json!(c.pay_type.as_str()));
        let mut entity = vendor;
        if let Some(e) = entity.as_object_mut() {
            e.insert("type".into(), json!("Vendor"));
        }
        m.insert("EntityRef".into(), entity);
        if c.pay_type == crate::txns::PayType::CreditCard {
            m.insert("Credit".into(), json!(false));
        }
        m.insert("TotalAmt".into(), money(c.total));
        m.insert("PrintStatus".into(), json!("NotSet"));
    }
    m
}

fn deposit(ds: &Dataset, index: usize) -> Option<Map<String, Value>> {
    let d = ds.posted.deposits.get(index)?;
    let mut m = head(index, 0, d.created, d.created);
    m.insert("DepositToAccountRef".into(), account(ds, d.account));
    m.insert("TxnDate".into(), json!(Day(d.txn_date).to_string()));
    m.insert("CurrencyRef".into(), currency());
    let lines: Vec<Value> = d
        .payments
        .iter()
        .enumerate()
        .map(|(n, &(payment, amount))| {
            let customer = ds
                .payments
                .get(payment as usize)
                .map_or(0, |p| p.customer as usize);
            json!({
                "Id": id(n),
                "LineNum": n + 1,
                "Amount": money(amount),
                "LinkedTxn": [{"TxnId": id(payment as usize), "TxnType": "Payment", "TxnLineId": "0"}],
                "DetailType": "DepositLineDetail",
                "DepositLineDetail": {
                    "Entity": {"value": id(customer), "name": ds.customer_name(customer), "type": "CUSTOMER"},
                    "AccountRef": account(ds, crate::data::ACCT_UNDEPOSITED as u32),
                },
            })
        })
        .collect();
    m.insert("Line".into(), Value::Array(lines));
    m.insert("TotalAmt".into(), money(d.total));
    Some(m)
}

fn journal(ds: &Dataset, index: usize) -> Option<Map<String, Value>> {
    let j = ds.posted.journal_entries.get(index)?;
    let mut m = head(index, 0, j.created, j.created);
    m.insert(
        "DocNumber".into(),
        json!(doc_number(Kind::JournalEntry, index).to_string()),
    );
    m.insert("TxnDate".into(), json!(Day(j.txn_date).to_string()));
    m.insert("CurrencyRef".into(), currency());
    m.insert("PrivateNote".into(), json!(j.note));
    let lines: Vec<Value> = j
        .lines
        .iter()
        .enumerate()
        .map(|(n, &(acct, amount))| {
            json!({
                "Id": n.to_string(),
                "Description": j.note,
                "Amount": money(amount.abs()),
                "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": {
                    "PostingType": if amount >= 0 { "Debit" } else { "Credit" },
                    "AccountRef": account(ds, acct),
                },
            })
        })
        .collect();
    m.insert("Line".into(), Value::Array(lines));
    m.insert("Adjustment".into(), json!(false));
    m.insert("TotalAmt".into(), money(j.total()));
    Some(m)
}

fn transfer(ds: &Dataset, index: usize, t: &Move) -> Map<String, Value> {
    let mut m = head(index, 0, t.created, t.created);
    m.insert("TxnDate".into(), json!(Day(t.txn_date).to_string()));
    m.insert("CurrencyRef".into(), currency());
    m.insert("PrivateNote".into(), json!(t.note));
    m.insert("FromAccountRef".into(), account(ds, t.from));
    m.insert("ToAccountRef".into(), account(ds, t.to));
    m.insert("Amount".into(), money(t.amount));
    m
}

fn card_payment(ds: &Dataset, index: usize, t: &Move) -> Map<String, Value> {
    let mut m = head(index, 0, t.created, t.created);
    m.insert("TxnDate".into(), json!(Day(t.txn_date).to_string()));
    m.insert("CurrencyRef".into(), currency());
    m.insert("PrivateNote".into(), json!(t.note));
    m.insert("Amount".into(), money(t.amount));
    m.insert("BankAccountRef".into(), account(ds, t.from));
    m.insert("CreditCardAccountRef".into(), account(ds, t.to));
    m
}
