//! An employee as QBO JSON.

use serde::Serialize;

use super::parts::{EmailAddr, IdStr, MetaData, Phone, id_of, meta};
use crate::data::Dataset;
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct EmployeeView<'a> {
    #[serde(rename = "EmployeeNumber")]
    pub(crate) number: IdStr,
    #[serde(rename = "BillableTime")]
    pub(crate) billable_time: bool,
    #[serde(rename = "HiredDate")]
    pub(crate) hired: Day,
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
}

pub(crate) fn employee_view(ds: &Dataset, i: usize) -> Option<EmployeeView<'_>> {
    let e = ds.employees.get(i)?;
    Some(EmployeeView {
        number: IdStr(u64::from(e.number)),
        billable_time: false,
        hired: Day(e.hired),
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(e.created, e.created),
        given_name: e.given_name,
        family_name: e.family_name,
        display_name: &e.display_name,
        print_on_check: &e.display_name,
        active: e.active,
        phone: Phone { number: e.phone },
        email: EmailAddr { address: &e.email },
    })
}
