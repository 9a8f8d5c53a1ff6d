//! `InventoryValuationSummary` and `InventoryValuationDetail`: quantity on hand and asset value
//! of the inventory items. The books' items are services and non-inventory products (no item
//! tracks its quantity on hand), so both answer QBO's empty shape: the columns and a zero TOTAL.

use super::columns::{label_column, money_column};
use super::detail::{self, Catalog, Line};
use super::params::{By, Params};
use super::rows::{Built, Node, cell, money};
use crate::fault::Fault;

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

pub(super) fn summary(_params: &Params) -> Result<Built, Fault> {
    let columns = vec![
        label_column("ProductsAndService", "item"),
        serde_json::json!({"ColTitle": "SKU", "ColType": "String", "MetaData": [super::columns::meta("ColKey", "sku".to_owned())]}),
        money_column("Qty", "qty", None),
        money_column("Asset Value", "asset_value", None),
        money_column("Calc. Avg", "calc_avg", None),
    ];
    let total = vec![cell("TOTAL"), cell(""), cell("0"), cell(money(0)), cell("")];
    let rows = vec![Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(total),
    }];
    Ok((columns, rows, true, By::Total))
}

pub(super) fn detail(params: &Params) -> Result<Built, Fault> {
    let keys = detail::chosen(DETAIL, params.columns.as_deref())?;
    let rows = vec![Node::Section {
        group: Some("GrandTotal"),
        header: None,
        rows: Vec::new(),
        summary: Some(detail::summary_cells("TOTAL", &keys, &Line::default())),
    }];
    Ok((detail::column_json(&keys), rows, true, By::Total))
}
