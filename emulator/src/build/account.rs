//! Accounts of the chart written through the API: a unique name, a type QBO knows with a
//! sub-type of that type, an optional parent of the same type. QBO never deletes an account:
//! it is made inactive. A written account is posted to and reported like a seeded one
//! (`chart.rs`).

use serde_json::{Map, Value, json};

use super::context::Ctx;
use super::fields::{name_in_use, reference};
use super::names::{active, enumeration, text};
use super::refusals::{bad_body, business, duplicate_name, required};
use crate::entity::Entity;
use crate::fault::Fault;
use crate::values::money;

/// QBO's key order of an Account (seeded ones read the same).
pub(super) const ACCOUNT_ORDER: [&str; 19] = [
    "Name",
    "SubAccount",
    "ParentRef",
    "FullyQualifiedName",
    "Active",
    "Classification",
    "AccountType",
    "AccountSubType",
    "AcctNum",
    "Description",
    "CurrentBalance",
    "CurrentBalanceWithSubAccounts",
    "CurrencyRef",
    "domain",
    "sparse",
    "Id",
    "SyncToken",
    "MetaData",
    "TaxCodeRef",
];

/// Each `AccountType` QBO takes: its classification and the sub-types it allows (the first is
/// QBO's default when none is sent).
#[rustfmt::skip]
const TYPES: [(&str, &str, &[&str]); 15] = [
    ("Bank", "Asset", &["Checking", "Savings", "MoneyMarket", "CashOnHand", "TrustAccounts", "RentsHeldInTrust", "OtherEarmarkedBankAccounts"]),
    ("Other Current Asset", "Asset", &["OtherCurrentAssets", "AllowanceForBadDebts", "DevelopmentCosts", "EmployeeCashAdvances", "Inventory", "Investment_MortgageRealEstateLoans", "Investment_Other", "Investment_TaxExemptSecurities", "Investment_USGovernmentObligations", "LoansToOfficers", "LoansToOthers", "LoansToStockholders", "PrepaidExpenses", "Retainage", "UndepositedFunds"]),
    ("Fixed Asset", "Asset", &["OtherFixedAssets", "AccumulatedDepletion", "AccumulatedDepreciation", "AccumulatedAmortization", "Buildings", "DepletableAssets", "FurnitureAndFixtures", "Land", "LeaseholdImprovements", "MachineryAndEquipment", "Vehicles"]),
    ("Other Asset", "Asset", &["OtherLongTermAssets", "AccumulatedAmortizationOfOtherAssets", "Goodwill", "Licenses", "OrganizationalCosts", "SecurityDeposits"]),
    ("Accounts Receivable", "Asset", &["AccountsReceivable"]),
    ("Equity", "Equity", &["OwnersEquity", "OpeningBalanceEquity", "RetainedEarnings", "AccumulatedAdjustment", "CommonStock", "PaidInCapitalOrSurplus", "PartnerContributions", "PartnerDistributions", "PartnersEquity", "PreferredStock", "TreasuryStock", "EstimatedTaxes", "Healthcare", "PersonalIncome", "PersonalExpense"]),
    ("Expense", "Expense", &["OtherMiscellaneousServiceCost", "AdvertisingPromotional", "Auto", "BadDebts", "BankCharges", "CharitableContributions", "CommissionsAndFees", "CostOfLabor", "DuesSubscriptions", "EquipmentRental", "Entertainment", "EntertainmentMeals", "FinanceCosts", "Insurance", "InterestPaid", "LegalProfessionalFees", "OfficeGeneralAdministrativeExpenses", "OtherBusinessExpenses", "PayrollExpenses", "PromotionalMeals", "RentOrLeaseOfBuildings", "RepairMaintenance", "ShippingFreightDelivery", "SuppliesMaterials", "TaxesPaid", "Travel", "TravelMeals", "Utilities"]),
    ("Other Expense", "Expense", &["OtherMiscellaneousExpense", "Amortization", "Depreciation", "ExchangeGainOrLoss", "GasAndFuel", "HomeOffice", "HomeOwnerRentalInsurance", "MortgageInterest", "ParkingAndTolls", "PenaltiesSettlements", "Vehicle", "VehicleInsurance", "VehicleLease", "VehicleLoanInterest", "VehicleRegistration", "VehicleRepairs", "WashAndRoadServices"]),
    ("Cost of Goods Sold", "Expense", &["SuppliesMaterialsCogs", "CostOfLaborCos", "EquipmentRentalCos", "OtherCostsOfServiceCos", "ShippingFreightDeliveryCos"]),
    ("Accounts Payable", "Liability", &["AccountsPayable"]),
    ("Credit Card", "Liability", &["CreditCard"]),
    ("Long Term Liability", "Liability", &["NotesPayable", "OtherLongTermLiabilities", "ShareholderNotesPayable"]),
    ("Other Current Liability", "Liability", &["OtherCurrentLiabilities", "DirectDepositPayable", "FederalIncomeTaxPayable", "GlobalTaxPayable", "GlobalTaxSuspense", "InsurancePayable", "LineOfCredit", "LoanPayable", "PayrollClearing", "PayrollTaxPayable", "PrepaidExpensesPayable", "RentsInTrustLiability", "SalesTaxPayable", "StateLocalIncomeTaxPayable", "TrustAccountsLiabilities"]),
    ("Income", "Revenue", &["SalesOfProductIncome", "DiscountsRefundsGiven", "NonProfitIncome", "OtherPrimaryIncome", "ServiceFeeIncome", "UnappliedCashPaymentIncome"]),
    ("Other Income", "Revenue", &["OtherMiscellaneousIncome", "DividendIncome", "InterestEarned", "OtherInvestmentIncome", "TaxExemptInterest", "UnrealisedLossOnSecurities"]),
];

/// An Account: `Name` (no ':' or '"', unique among the accounts under the same parent), its
/// `AccountType` (or the type its `AccountSubType` belongs to), a parent of the same type for
/// a sub-account. On an update the account keeps its classification: an asset does not turn
/// into an expense.
pub(super) fn account(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let name = text(fields, "Name")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| required("Name"))?;
    if name.contains([':', '"']) {
        return Err(business(format!(
            "the account name {name:?} contains ':' or '\"', which QBO does not allow"
        )));
    }
    // Clients that send every field (python-quickbooks) send "" for the ones left unset.
    let given = |key: &str| text(fields, key).map(str::trim).filter(|t| !t.is_empty());
    let sub_type = given("AccountSubType").map(str::to_owned);
    let (account_type, classification, sub_types) = match given("AccountType") {
        Some(given) => TYPES
            .iter()
            .find(|(t, _, _)| *t == given)
            .ok_or_else(|| enumeration("AccountType", given))?,
        None => match &sub_type {
            Some(sub) => TYPES
                .iter()
                .find(|(_, _, subs)| subs.contains(&sub.as_str()))
                .ok_or_else(|| enumeration("AccountSubType", sub))?,
            None => return Err(required("AccountType")),
        },
    };
    let sub_type = match sub_type {
        Some(sub) if sub_types.contains(&sub.as_str()) => sub,
        Some(sub) => {
            return Err(business(format!(
                "AccountSubType {sub} is not a sub-type of AccountType {account_type}"
            )));
        }
        None => sub_types[0].to_owned(),
    };
    if let Some(previous) = ctx.previous
        && let Some(was) = previous.get("Classification").and_then(Value::as_str)
        && was != *classification
    {
        return Err(business(format!(
            "an account of classification {was} cannot become a {account_type} account ({classification})"
        )));
    }
    if fields
        .get("OpeningBalance")
        .is_some_and(|v| !v.is_null() && v.as_f64() != Some(0.0))
    {
        return Err(bad_body(
            "OpeningBalance is not taken by this emulator: post the opening balance with a JournalEntry against Opening Balance Equity",
        ));
    }
    let full_name = match fields.get("ParentRef").filter(|v| !v.is_null()).cloned() {
        Some(parent) => {
            let (id, record) = reference(ctx, Entity::Account, Some(&parent), "ParentRef")?;
            if id == (ctx.index + 1).to_string() {
                return Err(business("an account cannot be its own parent"));
            }
            if record.get("AccountType").and_then(Value::as_str) != Some(account_type) {
                return Err(business(format!(
                    "a sub-account has its parent's AccountType; the parent is not {account_type}"
                )));
            }
            let parent_name = record
                .get("FullyQualifiedName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            fields.insert(
                "ParentRef".into(),
                json!({"value": id, "name": parent_name}),
            );
            fields.insert("SubAccount".into(), json!(true));
            format!("{parent_name}:{name}")
        }
        None => {
            fields.shift_remove("ParentRef");
            fields.insert("SubAccount".into(), json!(false));
            name.clone()
        }
    };
    let taken = name_in_use(ctx, Entity::Account, "FullyQualifiedName", &full_name);
    if taken {
        return Err(duplicate_name());
    }
    fields.insert("Name".into(), json!(name));
    fields.insert("FullyQualifiedName".into(), json!(full_name));
    fields.insert("AccountType".into(), json!(account_type));
    fields.insert("AccountSubType".into(), json!(sub_type));
    fields.insert("Classification".into(), json!(classification));
    fields.shift_remove("OpeningBalance");
    let balance = ctx
        .previous
        .and_then(|p| p.get("CurrentBalance"))
        .cloned()
        .unwrap_or_else(|| money(0));
    fields.insert("CurrentBalance".into(), balance.clone());
    fields.insert("CurrentBalanceWithSubAccounts".into(), balance);
    if fields.get("CurrencyRef").is_none_or(Value::is_null) {
        fields.insert(
            "CurrencyRef".into(),
            json!({"value": "USD", "name": "United States Dollar"}),
        );
    }
    active(fields)
}
