//! The Preferences singleton as QBO JSON: the company's settings by section, consistent with the
//! books (US dollars only, sales tax on, the terms the invoices use, classes tracked per sales
//! line and locations per transaction, as the seeded sales carry them).

use serde::Serialize;

use super::parts::{IdStr, MetaData, Ref, USD, bare, meta};
use crate::data::Dataset;

#[derive(Serialize)]
pub(crate) struct PreferencesView {
    #[serde(rename = "AccountingInfoPrefs")]
    pub(crate) accounting: AccountingInfo,
    #[serde(rename = "ProductAndServicesPrefs")]
    pub(crate) products: ProductAndServices,
    #[serde(rename = "SalesFormsPrefs")]
    pub(crate) sales_forms: SalesForms,
    #[serde(rename = "VendorAndPurchasesPrefs")]
    pub(crate) purchases: VendorAndPurchases,
    #[serde(rename = "TaxPrefs")]
    pub(crate) tax: Tax,
    #[serde(rename = "CurrencyPrefs")]
    pub(crate) currency: Currency,
    pub(crate) domain: &'static str,
    pub(crate) sparse: bool,
    #[serde(rename = "Id")]
    pub(crate) id: IdStr,
    #[serde(rename = "SyncToken")]
    pub(crate) sync_token: IdStr,
    #[serde(rename = "MetaData")]
    pub(crate) meta: MetaData,
}

#[derive(Serialize)]
pub(crate) struct AccountingInfo {
    #[serde(rename = "TrackDepartments")]
    pub(crate) track_departments: bool,
    #[serde(rename = "DepartmentTerminology")]
    pub(crate) department_terminology: &'static str,
    #[serde(rename = "ClassTrackingPerTxn")]
    pub(crate) class_per_txn: bool,
    #[serde(rename = "ClassTrackingPerTxnLine")]
    pub(crate) class_per_line: bool,
    #[serde(rename = "CustomerTerminology")]
    pub(crate) customer_terminology: &'static str,
    #[serde(rename = "FirstMonthOfFiscalYear")]
    pub(crate) first_month: &'static str,
}

#[derive(Serialize)]
pub(crate) struct ProductAndServices {
    #[serde(rename = "ForSales")]
    pub(crate) for_sales: bool,
    #[serde(rename = "ForPurchase")]
    pub(crate) for_purchase: bool,
    #[serde(rename = "QuantityWithPriceAndRate")]
    pub(crate) quantity_with_price: bool,
    #[serde(rename = "QuantityOnHand")]
    pub(crate) quantity_on_hand: bool,
}

#[derive(Serialize)]
pub(crate) struct SalesForms {
    #[serde(rename = "AllowDeposit")]
    pub(crate) allow_deposit: bool,
    #[serde(rename = "AllowDiscount")]
    pub(crate) allow_discount: bool,
    #[serde(rename = "AllowShipping")]
    pub(crate) allow_shipping: bool,
    #[serde(rename = "DefaultTerms")]
    pub(crate) default_terms: Ref<'static, IdStr>,
    #[serde(rename = "ETransactionEnabledStatus")]
    pub(crate) e_transaction: &'static str,
}

#[derive(Serialize)]
pub(crate) struct VendorAndPurchases {
    #[serde(rename = "TrackingByCustomer")]
    pub(crate) tracking_by_customer: bool,
    #[serde(rename = "BillableExpenseTracking")]
    pub(crate) billable_expense_tracking: bool,
    #[serde(rename = "DefaultTerms")]
    pub(crate) default_terms: Ref<'static, IdStr>,
}

#[derive(Serialize)]
pub(crate) struct Tax {
    #[serde(rename = "UsingSalesTax")]
    pub(crate) using_sales_tax: bool,
    #[serde(rename = "TaxGroupCodeRef")]
    pub(crate) tax_group: Ref<'static, IdStr>,
}

#[derive(Serialize)]
pub(crate) struct Currency {
    #[serde(rename = "MultiCurrencyEnabled")]
    pub(crate) multi_currency: bool,
    #[serde(rename = "HomeCurrency")]
    pub(crate) home: Ref<'static, &'static str>,
}

/// The preferences; `Id` 1, created and last changed with the company.
pub(crate) fn preferences_view(ds: &Dataset) -> PreferencesView {
    PreferencesView {
        accounting: AccountingInfo {
            track_departments: true,
            department_terminology: "Location",
            class_per_txn: false,
            class_per_line: true,
            customer_terminology: "Customers",
            first_month: "January",
        },
        products: ProductAndServices {
            for_sales: true,
            for_purchase: true,
            quantity_with_price: true,
            quantity_on_hand: true,
        },
        sales_forms: SalesForms {
            allow_deposit: false,
            allow_discount: false,
            allow_shipping: false,
            // "Net 30" (`Term` 3).
            default_terms: bare(IdStr(3)),
            e_transaction: "NotApplicable",
        },
        purchases: VendorAndPurchases {
            tracking_by_customer: false,
            billable_expense_tracking: false,
            default_terms: bare(IdStr(3)),
        },
        tax: Tax {
            using_sales_tax: true,
            // "State and county" (`TaxCode` 2), the code every taxed invoice carries.
            tax_group: bare(IdStr(2)),
        },
        currency: Currency {
            multi_currency: ds.currencies.on,
            home: Ref {
                value: USD.value,
                name: None,
            },
        },
        domain: "QBO",
        sparse: false,
        id: IdStr(1),
        sync_token: IdStr(0),
        meta: meta(ds.company.created, ds.company.updated),
    }
}
