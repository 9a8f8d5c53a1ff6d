//! `AgedReceivables`: open invoice balances per customer by days past due.

use super::columns::{label_column, money_column};
use super::params::{By, Params};
use super::rows::{Built, line, summary_only};
use crate::data::Dataset;
use crate::fault::Fault;
use crate::written::{Shadow, Written};

pub(super) fn aged_receivables(
    ds: &Dataset,
    written: &Written,
    params: &Params,
) -> Result<Built, Fault> {
    let day = params.end;
    let buckets = params.num_periods as usize;
    let width = buckets + 2;
    let mut per_customer: Vec<Option<Vec<i64>>> = vec![None; ds.customers.len()];
    let mut names: std::collections::HashMap<usize, String> = Default::default();
    let mut charge = |customer: usize, column: usize, amount: i64| {
        if customer >= per_customer.len() {
            per_customer.resize(customer + 1, None);
        }
        if let Some(slot) = per_customer.get_mut(customer) {
            let values = slot.get_or_insert_with(|| vec![0; width]);
            values[column] += amount;
            values[width - 1] += amount;
        }
    };
    let column_of = |due_date: i32| {
        let late = day - due_date;
        if late <= 0 {
            0
        } else {
            (((late - 1) / params.aging_period) as usize + 1).min(buckets)
        }
    };
    // Written payments dated by then: what they applied per invoice, and customer credits.
    let mut applied: std::collections::HashMap<usize, i64> = Default::default();
    let open = |index: usize| match written.invoice(index) {
        Shadow::Live(invoice) => invoice.day <= day,
        Shadow::Seeded => ds.invoices.get(index).is_some_and(|i| i.txn_date <= day),
        Shadow::Deleted => false,
    };
    for (_, payment) in written.payments().filter(|(_, p)| p.day <= day) {
        for &(invoice, amount) in &payment.applied {
            if open(invoice) {
                *applied.entry(invoice).or_default() += amount;
            } else {
                charge(payment.customer, 0, -amount);
            }
        }
        if payment.unapplied() != 0 {
            charge(payment.customer, 0, -payment.unapplied());
        }
        if payment.customer >= ds.customers.len() {
            names.insert(payment.customer, payment.party.clone());
        }
    }
    // (Not hashed at all without written payments: this runs once per invoice.)
    let applied_to = |index: usize| {
        if applied.is_empty() {
            0
        } else {
            applied.get(&index).copied().unwrap_or(0)
        }
    };
    let sales_written = written.invoices().next().is_some() || !applied.is_empty();
    // A multicurrency company's seeded invoices and payments, in home amounts.
    let home =
        |customer: u32, amount: i64| ds.currencies.of_customer(customer as usize).home(amount);
    for (index, invoice) in ds.invoices.iter().enumerate() {
        if !sales_written {
            // The seeded books alone (the common case, kept as lean as it was): an invoice is
            // open until its payment.
            let paid_by_then = invoice.payment != 0
                && ds
                    .payments
                    .get(invoice.payment as usize - 1)
                    .is_some_and(|p| p.txn_date <= day)
                && matches!(
                    written.payment(invoice.payment as usize - 1),
                    Shadow::Seeded
                );
            if invoice.txn_date <= day && invoice.total != 0 && !paid_by_then {
                charge(
                    invoice.customer as usize,
                    column_of(invoice.due_date),
                    home(invoice.customer, invoice.total),
                );
            }
            continue;
        }
        // The seeded payment of the invoice, if it still stands and was made by then.
        let seeded_payment = || {
            (invoice.payment != 0)
                .then(|| invoice.payment as usize - 1)
                .filter(|&p| matches!(written.payment(p), Shadow::Seeded))
                .and_then(|p| ds.payments.get(p))
                .filter(|p| p.txn_date <= day)
        };
        let (customer, total, due_date) = match written.invoice(index) {
            Shadow::Seeded => {
                if invoice.txn_date > day || invoice.total == 0 {
                    continue;
                }
                (
                    invoice.customer as usize,
                    home(invoice.customer, invoice.total),
                    invoice.due_date,
                )
            }
            Shadow::Live(now) if now.day <= day => (now.customer, now.total(), now.due),
            // Deleted, or now dated later: a payment already made is the customer's credit.
            Shadow::Live(_) | Shadow::Deleted => {
                if let Some(payment) = seeded_payment() {
                    charge(
                        payment.customer as usize,
                        0,
                        -home(payment.customer, payment.amount),
                    );
                }
                continue;
            }
        };
        let paid = seeded_payment().map_or(0, |p| home(p.customer, p.amount)) + applied_to(index);
        if total != paid {
            charge(customer, column_of(due_date), total - paid);
        }
    }
    for (index, invoice) in written.invoices() {
        if index < ds.invoices.len() || invoice.day > day {
            continue;
        }
        let open = invoice.total() - applied_to(index);
        if open != 0 {
            charge(invoice.customer, column_of(invoice.due), open);
        }
        if invoice.customer >= ds.customers.len() {
            names.insert(invoice.customer, invoice.party.clone());
        }
    }
    let mut customers: Vec<(&str, usize, Vec<i64>)> = per_customer
        .into_iter()
        .enumerate()
        .filter_map(|(index, values)| values.map(|v| (index, v)))
        .filter(|(_, values)| values.iter().any(|&v| v != 0))
        .map(|(index, values)| {
            let name = names
                .get(&index)
                .map_or_else(|| ds.customer_name(index), String::as_str);
            (name, index, values)
        })
        .collect();
    customers.sort_by(|a, b| a.0.cmp(b.0));
    let mut totals = vec![0i64; width];
    let mut rows = Vec::new();
    for (name, index, values) in customers {
        for (total, value) in totals.iter_mut().zip(&values) {
            *total += value;
        }
        rows.push(line(name, Some((index + 1).to_string()), values).node);
    }
    let no_data = rows.is_empty();
    rows.push(summary_only("GrandTotal", "TOTAL", totals).node);
    let period = params.aging_period;
    let mut columns = vec![
        label_column("Customer", "customer"),
        money_column("Current", "current", None),
    ];
    for k in 0..params.num_periods {
        let title = if k + 1 == params.num_periods {
            format!("{} and over", k * period + 1)
        } else {
            format!("{} - {}", k * period + 1, (k + 1) * period)
        };
        columns.push(money_column(&title, &k.to_string(), None));
    }
    columns.push(money_column("Total", "total", None));
    Ok((columns, rows, no_data, By::Total))
}
