//! The reports served: their names as QBO spells them (matched without regard to case).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    ProfitAndLoss,
    BalanceSheet,
    TrialBalance,
    CashFlow,
    GeneralLedger,
    AgedReceivables,
    ProfitAndLossDetail,
    AgedReceivableDetail,
    AgedPayables,
    AgedPayableDetail,
    CustomerBalance,
    CustomerBalanceDetail,
    VendorBalance,
    VendorBalanceDetail,
    TransactionList,
    TransactionListWithSplits,
    TransactionListByCustomer,
    TransactionListByVendor,
    /// `JournalReport`.
    Journal,
    CustomerIncome,
    CustomerSales,
    VendorExpenses,
    ItemSales,
    ClassSales,
    DepartmentSales,
    TaxSummary,
    AccountList,
    InventoryValuationSummary,
    InventoryValuationDetail,
}

pub(super) const REPORTS: [(&str, Report); 29] = [
    ("ProfitAndLoss", Report::ProfitAndLoss),
    ("BalanceSheet", Report::BalanceSheet),
    ("TrialBalance", Report::TrialBalance),
    ("CashFlow", Report::CashFlow),
    ("GeneralLedger", Report::GeneralLedger),
    ("AgedReceivables", Report::AgedReceivables),
    ("ProfitAndLossDetail", Report::ProfitAndLossDetail),
    ("AgedReceivableDetail", Report::AgedReceivableDetail),
    ("AgedPayables", Report::AgedPayables),
    ("AgedPayableDetail", Report::AgedPayableDetail),
    ("CustomerBalance", Report::CustomerBalance),
    ("CustomerBalanceDetail", Report::CustomerBalanceDetail),
    ("VendorBalance", Report::VendorBalance),
    ("VendorBalanceDetail", Report::VendorBalanceDetail),
    ("TransactionList", Report::TransactionList),
    (
        "TransactionListWithSplits",
        Report::TransactionListWithSplits,
    ),
    (
        "TransactionListByCustomer",
        Report::TransactionListByCustomer,
    ),
    ("TransactionListByVendor", Report::TransactionListByVendor),
    ("JournalReport", Report::Journal),
    ("CustomerIncome", Report::CustomerIncome),
    ("CustomerSales", Report::CustomerSales),
    ("VendorExpenses", Report::VendorExpenses),
    ("ItemSales", Report::ItemSales),
    ("ClassSales", Report::ClassSales),
    ("DepartmentSales", Report::DepartmentSales),
    ("TaxSummary", Report::TaxSummary),
    ("AccountList", Report::AccountList),
    (
        "InventoryValuationSummary",
        Report::InventoryValuationSummary,
    ),
    ("InventoryValuationDetail", Report::InventoryValuationDetail),
];

impl Report {
    pub(super) fn from_name(name: &str) -> Option<Report> {
        REPORTS
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
            .map(|&(_, report)| report)
    }

    pub(super) fn name(self) -> &'static str {
        REPORTS
            .iter()
            .find(|(_, report)| *report == self)
            .map_or("", |(name, _)| name)
    }

    /// Whether the report is of one day (`report_date`, default today) rather than a range:
    /// the agings, the balances and the inventory valuation summary.
    pub(super) fn is_as_of(self) -> bool {
        matches!(
            self,
            Report::AgedReceivables
                | Report::AgedReceivableDetail
                | Report::AgedPayables
                | Report::AgedPayableDetail
                | Report::CustomerBalance
                | Report::CustomerBalanceDetail
                | Report::VendorBalance
                | Report::VendorBalanceDetail
                | Report::InventoryValuationSummary
        )
    }

    /// The date macro of a request without dates (QBO's defaults as its report pages give them).
    pub(super) fn default_macro(self) -> &'static str {
        match self {
            _ if self.is_as_of() => "Today",
            Report::GeneralLedger
            | Report::ProfitAndLossDetail
            | Report::TransactionList
            | Report::TransactionListWithSplits
            | Report::TransactionListByCustomer
            | Report::TransactionListByVendor
            | Report::Journal
            | Report::InventoryValuationDetail => "This Month-to-date",
            _ => "This Fiscal Year-to-date",
        }
    }
}
