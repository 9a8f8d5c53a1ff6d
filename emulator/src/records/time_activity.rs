//! A time activity as QBO JSON: who worked (an employee or a vendor), for which customer, on
//! which service item, for how long and at what rate.

use serde::Serialize;

use super::parts::{Decimal, IdStr, MetaData, Ref, id_of, meta, named};
use crate::data::Dataset;
use crate::extras::Worker;
use crate::time::Day;

/// `QBO.TimeActivity` in QBO's key order.
#[derive(Serialize)]
pub(crate) struct TimeActivityView<'a> {
    #[serde(rename = "TxnDate")]
    pub(crate) txn_date: Day,
    #[serde(rename = "NameOf")]
    pub(crate) name_of: &'static str,
    #[serde(rename = "EmployeeRef", skip_serializing_if = "Option::is_none")]
    pub(crate) employee: Option<Ref<'a, IdStr>>,
    #[serde(rename = "VendorRef", skip_serializing_if = "Option::is_none")]
    pub(crate) vendor: Option<Ref<'a, IdStr>>,
    #[serde(rename = "CustomerRef")]
    pub(crate) customer: Ref<'a, IdStr>,
    #[serde(rename = "ItemRef")]
    pub(crate) item: Ref<'a, IdStr>,
    #[serde(rename = "BillableStatus")]
    pub(crate) billable: &'static str,
    #[serde(rename = "Taxable")]
    pub(crate) taxable: bool,
    #[serde(rename = "HourlyRate")]
    pub(crate) hourly_rate: Decimal,
    #[serde(rename = "Hours")]
    pub(crate) hours: u8,
    #[serde(rename = "Minutes")]
    pub(crate) minutes: u8,
    #[serde(rename = "Description")]
    pub(crate) description: &'a str,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

/// Time activity `i` as QBO JSON (`None` out of range).
pub(crate) fn time_activity_view(ds: &Dataset, i: usize) -> Option<TimeActivityView<'_>> {
    let t = ds.time_activities.get(i)?;
    let item = ds.items.get(t.item as usize);
    let (name_of, employee, vendor) = match t.worker {
        Worker::Employee(e) => (
            "Employee",
            Some(named(
                IdStr(u64::from(e) + 1),
                ds.employees
                    .get(e as usize)
                    .map_or("", |e| e.display_name.as_str()),
            )),
            None,
        ),
        Worker::Vendor(v) => (
            "Vendor",
            None,
            Some(named(
                IdStr(u64::from(v) + 1),
                ds.vendors
                    .get(v as usize)
                    .map_or("", |v| v.display_name.as_str()),
            )),
        ),
    };
    Some(TimeActivityView {
        txn_date: Day(t.txn_date),
        name_of,
        employee,
        vendor,
        customer: named(
            IdStr(u64::from(t.customer) + 1),
            ds.customer_name(t.customer as usize),
        ),
        item: named(
            IdStr(u64::from(t.item) + 1),
            item.map_or("", |it| it.name.as_str()),
        ),
        billable: "HasBeenBilled",
        taxable: false,
        hourly_rate: Decimal(t.hourly_rate),
        hours: t.hours,
        minutes: t.minutes,
        description: item.map_or("", |it| it.description),
        domain: "QBO",
        sparse: false,
        id: id_of(i),
        sync_token: IdStr(0),
        meta: meta(t.created, t.created),
    })
}
