//! A vendor as QBO JSON.

use serde::Serialize;

use super::parts::{
    AddrView, EmailAddr, IdStr, MetaData, Money, Phone, Ref, WebAddr, addr, currency_ref, id_of,
    meta,
};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct VendorView<'a> {
    #[serde(rename = "BillAddr")]
    pub(crate) bill_addr: AddrView<'a>,
    #[serde(rename = "Balance")]
    pub(crate) balance: Money,
    #[serde(rename = "Vendor1099")]
    pub(crate) vendor_1099: bool,
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
    #[serde(rename = "GivenName")]
    pub(crate) given_name: &'a str,
    #[serde(rename = "FamilyName")]
    pub(crate) family_name: &'a str,
    #[serde(rename = "CompanyName")]
    pub(crate) company_name: &'a str,
    #[serde(rename = "DisplayName")]
    pub(crate) display_name: &'a str,
    #[serde(rename = "PrintOnCheckName")]
    pub(crate) print_on_check: &'a str,
    #[serde(rename = "Active")]
    pub(crate) active: bool,
    #[serde(rename = "PrimaryPhone")]
    pub(crate) phone: Phone<'a>,
    #[serde(rename = "PrimaryEmailAddr")]
    pub(crate) email: EmailAddr<'a>,
    #[serde(rename = "WebAddr")]
    pub(crate) web: WebAddr<'a>,
    #[serde(rename = "AcctNum", skip_serializing_if = "Option::is_none")]
    pub(crate) acct_num: Option<&'a str>,
}

pub(crate) fn vendor_view(ds: &Dataset, i: usize) -> Option<VendorView<'_>> {
    let v = ds.vendors.get(i)?;
    Some(VendorView {
        bill_addr: addr(&v.addr, None),
        balance: Money(v.balance),
        vendor_1099: v.vendor_1099,
        currency: currency_ref(ds.currencies.of_vendor(i)),
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
