//! An item (product or service) as QBO JSON.

use serde::Serialize;

use super::parts::{Decimal, IdStr, MetaData, Ref, id_of, meta, named};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct ItemView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "Description")]
    pub(crate) description: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "FullyQualifiedName")]
    pub(crate) fully_qualified_name: &'a str,
    #[serde(rename = "Taxable")]
    pub(crate) taxable: bool,
    #[serde(rename = "UnitPrice")]
    pub(crate) unit_price: Decimal,
    #[serde(rename = "Type")]
    pub(crate) kind: &'static str,
    #[serde(rename = "IncomeAccountRef")]
    pub(crate) income_account: Ref<'a, IdStr>,
    #[serde(rename = "PurchaseCost")]
    pub(crate) purchase_cost: Decimal,
    #[serde(rename = "ExpenseAccountRef", skip_serializing_if = "Option::is_none")]
    pub(crate) expense_account: Option<Ref<'a, IdStr>>,
    #[serde(rename = "TrackQtyOnHand")]
    pub(crate) track_qty: bool,
    #[serde(rename = "QtyOnHand", skip_serializing_if = "Option::is_none")]
    pub(crate) qty_on_hand: Option<i64>,
    #[serde(rename = "InvStartDate", skip_serializing_if = "Option::is_none")]
    pub(crate) inv_start: Option<String>,
    #[serde(rename = "AssetAccountRef", skip_serializing_if = "Option::is_none")]
    pub(crate) asset_account: Option<Ref<'a, IdStr>>,
    #[serde(rename = "Sku", skip_serializing_if = "Option::is_none")]
    pub(crate) sku: Option<&'a str>,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn item_view(ds: &Dataset, i: usize) -> Option<ItemView<'_>> {
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
        track_qty: it.asset_account.is_some(),
        qty_on_hand: it.asset_account.map(|_| it.qty_on_hand),
        inv_start: it
            .asset_account
            .map(|_| crate::time::Day(it.inv_start).to_string()),
        asset_account: it
            .asset_account
            .map(|a| named(id_of(a), ds.account_name(a))),
        sku: it.sku.as_deref(),
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(u64::from(it.sync_token)),
        meta: meta(it.created, it.updated),
    })
}
