//! The CompanyInfo singleton as QBO JSON.

use serde::Serialize;

use super::parts::{AddrView, EmailAddr, IdStr, MetaData, Phone, WebAddr, addr, meta};
use crate::data::Dataset;
use crate::time::Day;

#[derive(Serialize)]
pub(crate) struct NameValue {
    #[serde(rename = "Name")]
    pub(crate) name: &'static str,
    #[serde(rename = "Value")]
    pub(crate) value: &'static str,
}

#[derive(Serialize)]
pub(crate) struct CompanyView<'a> {
    #[serde(rename = "CompanyName")]
    pub(crate) name: &'a str,
    #[serde(rename = "LegalName")]
    pub(crate) legal_name: &'a str,
    #[serde(rename = "CompanyAddr")]
    pub(crate) company_addr: AddrView<'a>,
    #[serde(rename = "CustomerCommunicationAddr")]
    pub(crate) communication_addr: AddrView<'a>,
    #[serde(rename = "LegalAddr")]
    pub(crate) legal_addr: AddrView<'a>,
    #[serde(rename = "CustomerCommunicationEmailAddr")]
    pub(crate) communication_email: EmailAddr<'a>,
    #[serde(rename = "PrimaryPhone")]
    pub(crate) phone: Phone<'a>,
    #[serde(rename = "CompanyStartDate")]
    pub(crate) start_date: Day,
    #[serde(rename = "FiscalYearStartMonth")]
    pub(crate) fiscal_year_start: &'static str,
    #[serde(rename = "Country")]
    pub(crate) country: &'static str,
    #[serde(rename = "Email")]
    pub(crate) email: EmailAddr<'a>,
    #[serde(rename = "WebAddr")]
    pub(crate) web: WebAddr<'a>,
    #[serde(rename = "SupportedLanguages")]
    pub(crate) languages: &'static str,
    #[serde(rename = "NameValue")]
    pub(crate) name_values: [NameValue; 5],
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

pub(crate) fn company_view(ds: &Dataset) -> CompanyView<'_> {
    let c = &ds.company;
    let a = || addr(&c.addr, Some("USA"));
    CompanyView {
        name: c.name,
        legal_name: c.name,
        company_addr: a(),
        communication_addr: a(),
        legal_addr: a(),
        communication_email: EmailAddr { address: &c.email },
        phone: Phone { number: &c.phone },
        start_date: Day(c.start_date),
        fiscal_year_start: "January",
        country: "US",
        email: EmailAddr { address: &c.email },
        web: WebAddr { uri: &c.web },
        languages: "en",
        name_values: [
            NameValue {
                name: "NeoEnabled",
                value: "true",
            },
            NameValue {
                name: "IndustryType",
                value: "Heating and air conditioning contractors",
            },
            NameValue {
                name: "CompanyType",
                value: "LLC",
            },
            NameValue {
                name: "SubscriptionStatus",
                value: "PAID",
            },
            NameValue {
                name: "OfferingSku",
                value: "QuickBooks Online Plus",
            },
        ],
        domain: "QBO",
        sparse: false,
        id: IdStr(1),
        sync_token: IdStr(4),
        meta: meta(c.created, c.updated),
    }
}
