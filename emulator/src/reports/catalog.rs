//! The reports served: their names as QBO spells them (matched without regard to case).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Report {
    ProfitAndLoss,
    BalanceSheet,
    TrialBalance,
    CashFlow,
    GeneralLedger,
    AgedReceivables,
}

pub(super) const REPORTS: [(&str, Report); 6] = [
    ("ProfitAndLoss", Report::ProfitAndLoss),
    ("BalanceSheet", Report::BalanceSheet),
    ("TrialBalance", Report::TrialBalance),
    ("CashFlow", Report::CashFlow),
    ("GeneralLedger", Report::GeneralLedger),
    ("AgedReceivables", Report::AgedReceivables),
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
}
