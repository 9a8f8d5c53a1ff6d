//! An account of the chart of accounts as QBO JSON.

use serde::Serialize;

use super::parts::{IdStr, MetaData, Money, Ref, USD, id_of, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct AccountView<'a> {
    #[serde(rename = "Name")]
    pub(crate) name: &'a str,
    #[serde(rename = "SubAccount")]
    pub(crate) sub_account: bool,
    #[serde(rename = "FullyQualifiedName")]
    pub(crate) fully_qualified_name: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "Classification")]
    pub(crate) classification: &'a str,
    #[serde(rename = "AccountType")]
    pub(crate) account_type: &'a str,
    #[serde(rename = "AccountSubType")]
    pub(crate) sub_type: &'a str,
    #[serde(rename = "CurrentBalance")]
    pub(crate) balance: Money,
    #[serde(rename = "CurrentBalanceWithSubAccounts")]
    pub(crate) balance_with_subs: Money,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn account_view(ds: &Dataset, i: usize) -> Option<AccountView<'_>> {
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
