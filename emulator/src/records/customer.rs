//! A customer as QBO JSON.

use serde::Serialize;

use super::parts::{
    AddrView, EmailAddr, IdStr, MetaData, Money, Phone, Ref, addr, bare, currency_ref, id_of, meta,
};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct CustomerView<'a> {
    #[serde(rename = "Taxable")]
    pub(crate) taxable: bool,
    #[serde(rename = "BillAddr")]
    pub(crate) bill_addr: AddrView<'a>,
    #[serde(rename = "ShipAddr", skip_serializing_if = "Option::is_none")]
    pub(crate) ship_addr: Option<AddrView<'a>>,
    #[serde(rename = "Notes", skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<&'a str>,
    #[serde(rename = "Job")]
    pub(crate) job: bool,
    #[serde(rename = "BillWithParent")]
    pub(crate) bill_with_parent: bool,
    #[serde(rename = "Balance")]
    pub(crate) balance: Money,
    #[serde(rename = "BalanceWithJobs")]
    pub(crate) balance_with_jobs: Money,
    #[serde(rename = "CurrencyRef")]
    pub(crate) currency: Ref<'static, &'static str>,
    #[serde(rename = "PreferredDeliveryMethod")]
    pub(crate) delivery: &'a str,
    #[serde(rename = "IsProject")]
    pub(crate) is_project: bool,
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
    #[serde(rename = "MiddleName", skip_serializing_if = "Option::is_none")]
    pub(crate) middle_name: Option<&'a str>,
    #[serde(rename = "FamilyName")]
    pub(crate) family_name: &'a str,
    #[serde(rename = "FullyQualifiedName")]
    pub(crate) fully_qualified_name: &'a str,
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
    #[serde(rename = "Mobile", skip_serializing_if = "Option::is_none")]
    pub(crate) mobile: Option<Phone<'a>>,
    #[serde(rename = "PrimaryEmailAddr")]
    pub(crate) email: EmailAddr<'a>,
    #[serde(rename = "DefaultTaxCodeRef", skip_serializing_if = "Option::is_none")]
    pub(crate) default_tax_code: Option<Ref<'static, &'static str>>,
}

pub(crate) fn customer_view(ds: &Dataset, i: usize) -> Option<CustomerView<'_>> {
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
        currency: currency_ref(ds.currencies.of_customer(i)),
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
