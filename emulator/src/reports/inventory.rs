//! `InventoryValuationSummary` and `InventoryValuationDetail`: quantity on hand and asset value
//! of the inventory items (`Type: Inventory`, `TrackQtyOnHand`).
//!
//! Stock moves with the books' own transactions ([`for_each_movement`]): an item's starting
//! stock on its `InvStartDate` ("Inventory Starting Value"), invoices and sales receipts out,
//! credit memos and refunds back in, expenses' `ItemBasedExpenseLineDetail` lines in. Every
//! seeded movement is at the item's `PurchaseCost`, so FIFO (QBO's method) and average cost give
//! the same value, and an item's asset value is its quantity times that cost. The ledger posts
//! the same movements to Inventory Asset (`ledger.rs`, `txns.rs`), so the summary's total is the
//! balance sheet's Inventory Asset on the same day, on either basis.

use super::columns::{label_column, money_column};
use super::detail::{self, Catalog, Line};
use super::params::{By, Params};
use super::rows::{Built, Node, cell, cell_with_id, money, units_text};
use super::txn::view;
use crate::data::Dataset;
use crate::fault::Fault;
use crate::ledger::Source;
use crate::txns::Kind;
use crate::written::{Shadow, Written, cost_of};

const DETAIL: Catalog = Catalog {
    known: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "name",
        "memo",
        "qty",
        "rate",
        "inv_asset_amt",
        "qty_on_hand",
        "asset_value",
        "create_by",
        "create_date",
        "last_mod_by",
        "last_mod_date",
    ],
    default: &[
        "tx_date",
        "txn_type",
        "doc_num",
        "name",
        "qty",
        "rate",
        "inv_asset_amt",
        "qty_on_hand",
        "asset_value",
    ],
};

/// What one transaction moved of one inventory item (in positive, out negative).
#[derive(Debug, Clone, Copy)]
pub(super) struct Movement {
    /// Company-local day.
    pub(super) day: i32,
    /// Item index.
    pub(super) item: usize,
    /// Thousandths of a unit, in positive.
    pub(super) qty: i64,
    /// What it moved in or out of Inventory Asset, cents (as the ledger posts it).
    pub(super) value: i64,
    /// The transaction.
    pub(super) source: Source,
}

/// Thousandths in a unit.
const MILLI: i64 = 1000;

/// Calls `out` with every stock movement of the books dated on or before `to`: the seeded
/// transactions that no write replaced, then the written ones. Seeded invoices that sold no
/// inventory are skipped without rebuilding their lines.
pub(super) fn for_each_movement(
    ds: &Dataset,
    written: &Written,
    to: i32,
    out: &mut dyn FnMut(Movement),
) {
    let unit = |item: usize| ds.items.get(item).and_then(|it| it.stock_cost());
    let mut seeded = |day: i32, item: usize, units: i64, source: Source| {
        if let Some(unit) = unit(item) {
            out(Movement {
                day,
                item,
                qty: units * MILLI,
                value: units * unit,
                source,
            });
        }
    };
    for (item, it) in ds.items.iter().enumerate() {
        if it.start_qty != 0 && it.inv_start <= to {
            seeded(
                it.inv_start,
                item,
                it.start_qty,
                Source::InventoryStart(item),
            );
        }
    }
    for (index, invoice) in ds.invoices.iter().enumerate() {
        if invoice.cost == 0
            || invoice.txn_date > to
            || !matches!(written.invoice(index), Shadow::Seeded)
        {
            continue;
        }
        for line in ds.invoice_detail(index).lines {
            let source = Source::Invoice(index);
            seeded(invoice.txn_date, line.item as usize, -line.qty, source);
        }
    }
    let posted = &ds.posted;
    for (kind, table, sign) in [
        (Kind::SalesReceipt, &posted.sales_receipts, -1),
        (Kind::CreditMemo, &posted.credit_memos, 1),
        (Kind::RefundReceipt, &posted.refund_receipts, 1),
    ] {
        for (index, sale) in table.iter().enumerate() {
            if sale.txn_date > to || !matches!(written.posted(kind, index), Shadow::Seeded) {
                continue;
            }
            for line in sale.lines.iter() {
                let source = Source::Posted(kind, index);
                seeded(sale.txn_date, line.item as usize, sign * line.qty, source);
            }
        }
    }
    for (index, purchase) in posted.purchases.iter().enumerate() {
        if purchase.txn_date > to
            || !matches!(written.posted(Kind::Purchase, index), Shadow::Seeded)
        {
            continue;
        }
        for line in purchase.lines.iter() {
            if let Some((item, qty)) = line.item {
                let source = Source::Posted(Kind::Purchase, index);
                seeded(purchase.txn_date, item as usize, qty, source);
            }
        }
    }
    let mut moved = |day: i32, stock: &[(usize, i64)], source: Source| {
        if day > to {
            return;
        }
        for &(item, qty) in stock {
            if let Some(unit) = unit(item) {
                let value = cost_of(unit, qty);
                out(Movement {
                    day,
                    item,
                    qty,
                    value,
                    source,
                });
            }
        }
    };
    for (index, invoice) in written.invoices() {
        let sold: Vec<(usize, i64)> = invoice
            .items
            .iter()
            .map(|&(item, qty, _)| (item, -qty))
            .collect();
        moved(invoice.day, &sold, Source::Invoice(index));
    }
    for kind in Kind::ALL {
        for (index, entry) in written.posted_of(kind) {
            moved(entry.day, &entry.stock, Source::Posted(kind, index));
        }
    }
    for (index, bill) in written.bills() {
        moved(bill.day, &bill.stock, Source::Bill(index));
    }
}

/// Thousandths of a unit as QBO writes a quantity (`"12"`, `"-3"`, `"2.5"`).
fn quantity(milli: i64) -> serde_json::Value {
    cell(units_text(milli))
}

/// The inventory items `params` keeps (its `item` filter), ascending, with their unit costs.
fn tracked_items(ds: &Dataset, params: &Params) -> Vec<(usize, i64)> {
    ds.items
        .iter()
        .enumerate()
        .filter(|&(index, _)| params.keeps_item(index))
        .filter_map(|(index, item)| Some((index, item.stock_cost()?)))
        .collect()
}

/// Each inventory item's quantity on hand and asset value on `report_date`, and their TOTAL.
pub(super) fn summary(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let columns = vec![
        label_column("ProductsAndService", "item"),
        serde_json::json!({"ColTitle": "SKU", "ColType": "String", "MetaData": [super::columns::meta("ColKey", "sku".to_owned())]}),
        money_column("Qty", "qty", None),
        money_column("Asset Value", "asset_value", None),
        money_column("Calc. Avg", "calc_avg", None),
    ];
    let items = tracked_items(ds, params);
    // Per item: thousandths on hand, and what they are worth.
    let mut on_hand = vec![(0i64, 0i64); ds.items.len()];
    for_each_movement(ds, written, params.end, &mut |m| {
        if let Some((qty, value)) = on_hand.get_mut(m.item) {
            *qty += m.qty;
            *value += m.value;
        }
    });
    let (mut total_qty, mut total_value) = (0i64, 0i64);
    let mut rows = Vec::with_capacity(items.len() + 1);
    for &(index, _) in &items {
        let Some(item) = ds.items.get(index) else {
            continue;
        };
        let (qty, value) = on_hand.get(index).copied().unwrap_or((0, 0));
        total_qty += qty;
        total_value += value;
        let average = i128::from(value) * i128::from(MILLI) / i128::from(qty.max(1));
        rows.push(Node::Data(vec![
            cell_with_id(item.name.clone(), (index + 1).to_string()),
            cell(item.sku.clone().unwrap_or_default()),
            quantity(qty),
            cell(money(value)),
            if qty <= 0 {
                cell("")
            } else {
                cell(money(i64::try_from(average).unwrap_or(0)))
            },
        ]));
    }
    let no_data = on_hand.iter().all(|&(qty, value)| qty == 0 && value == 0);
    let total = vec![
        cell("TOTAL"),
        cell(""),
        quantity(total_qty),
        cell(money(total_value)),
        cell(""),
    ];
    rows.push(Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(total),
    });
    Ok((columns, rows, no_data, By::Total))
}

/// Each inventory item's movements from `start_date` to `end_date`, with the quantity on hand
/// and asset value after each (from what was on hand before the period), and per item the
/// period's quantity and cost moved and what is on hand at its end.
pub(super) fn detail(ds: &Dataset, written: &Written, params: &Params) -> Result<Built, Fault> {
    let keys = detail::chosen(DETAIL, params.columns.as_deref())?;
    let items = tracked_items(ds, params);
    let mut opening = vec![(0i64, 0i64); ds.items.len()];
    let mut moves: Vec<Vec<Movement>> = vec![Vec::new(); ds.items.len()];
    for_each_movement(ds, written, params.end, &mut |m| {
        if m.day < params.start {
            if let Some((qty, value)) = opening.get_mut(m.item) {
                *qty += m.qty;
                *value += m.value;
            }
        } else if let Some(list) = moves.get_mut(m.item) {
            list.push(m);
        }
    });
    let no_data = moves.iter().all(Vec::is_empty);
    let mut sections = Vec::with_capacity(items.len());
    let (mut total_qty, mut total_value) = (0i64, 0i64);
    let (mut total_on_hand, mut total_on_hand_value) = (0i64, 0i64);
    let chart = written.chart();
    for &(index, unit) in &items {
        let (Some(item), Some(list)) = (ds.items.get(index), moves.get_mut(index)) else {
            continue;
        };
        list.sort_by_key(|m| m.day);
        let (mut on_hand, mut worth) = opening.get(index).copied().unwrap_or((0, 0));
        let mut data = Vec::with_capacity(list.len());
        let (mut moved_qty, mut moved_value) = (0i64, 0i64);
        for m in list.iter() {
            let txn = view(ds, written, m.source);
            on_hand += m.qty;
            worth += m.value;
            moved_qty += m.qty;
            moved_value += m.value;
            let line = Line {
                txn: Some(&txn),
                stock: Some(detail::Stock {
                    qty: m.qty,
                    rate: unit,
                    cost: m.value,
                    on_hand,
                    value: worth,
                }),
                ..Line::default()
            };
            data.push(Node::Data(detail::cells(ds, chart, &keys, &line)));
        }
        total_qty += moved_qty;
        total_value += moved_value;
        total_on_hand += on_hand;
        total_on_hand_value += worth;
        let summary = Line {
            stock: Some(detail::Stock {
                qty: moved_qty,
                rate: unit,
                cost: moved_value,
                on_hand,
                value: worth,
            }),
            ..Line::default()
        };
        sections.push(Node::Section {
            group: None,
            header: Some(detail::header_cells(
                &item.name,
                Some((index + 1).to_string()),
                keys.len(),
            )),
            rows: data,
            summary: Some(detail::summary_cells(
                &format!("Total for {}", item.name),
                &keys,
                &summary,
            )),
        });
    }
    let total = Line {
        stock: Some(detail::Stock {
            qty: total_qty,
            rate: 0,
            cost: total_value,
            on_hand: total_on_hand,
            value: total_on_hand_value,
        }),
        ..Line::default()
    };
    sections.push(Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(detail::summary_cells("TOTAL", &keys, &total)),
    });
    Ok((detail::column_json(&keys), sections, no_data, By::Total))
}
