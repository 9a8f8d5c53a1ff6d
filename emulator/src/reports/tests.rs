use super::columns::periods;
use super::params::By;
use super::*;
use crate::config::EmulatorConfig;
use crate::data::{ACCT_AR, ACCT_CHECKING};
use crate::entity::Entity;
use crate::time::days_from_civil;
use serde_json::json;

/// A report asked at the seeded data's last day (the day its date macros are checked against).
fn answer(ds: &Dataset, written: &Written, report: Report, query: &str) -> Result<Value, Fault> {
    let now = ResponseTime(crate::data::data_end() * 1000);
    super::answer(ds, written, report, query, now)
}

fn books(invoices: usize) -> Dataset {
    Dataset::build(&EmulatorConfig {
        invoices,
        ..EmulatorConfig::default()
    })
    .expect("books")
}

fn run(ds: &Dataset, report: Report, query: &str) -> Value {
    answer(ds, &Written::default(), report, query)
        .unwrap_or_else(|fault| panic!("{query}: {fault:?}"))
}

fn cents(text: &str) -> i64 {
    if text.is_empty() {
        return 0;
    }
    let negative = text.starts_with('-');
    let (whole, fraction) = text
        .trim_start_matches('-')
        .split_once('.')
        .expect("two decimals");
    assert_eq!(fraction.len(), 2, "{text}");
    let value =
        whole.parse::<i64>().expect("digits") * 100 + fraction.parse::<i64>().expect("digits");
    if negative { -value } else { value }
}

/// Every section of the report, depth first, with its group and header label.
fn sections(rows: &Value, out: &mut Vec<Value>) {
    for row in rows["Row"].as_array().into_iter().flatten() {
        if row["type"] == "Section" {
            out.push(row.clone());
            sections(&row["Rows"], out);
        }
    }
}

fn all_sections(report: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    sections(&report["Rows"], &mut out);
    out
}

/// The amounts (in cents) of the summary of the section tagged `group`.
fn summary(report: &Value, group: &str) -> Vec<i64> {
    let section = all_sections(report)
        .into_iter()
        .find(|s| s["group"] == group)
        .unwrap_or_else(|| panic!("no {group} section"));
    amounts(&section["Summary"]["ColData"])
}

fn amounts(cells: &Value) -> Vec<i64> {
    cells
        .as_array()
        .expect("cells")
        .iter()
        .skip(1)
        .map(|c| cents(c["value"].as_str().expect("text")))
        .collect()
}

/// Data rows directly in `rows` with their label.
fn data_rows(rows: &Value) -> Vec<(String, Vec<i64>)> {
    rows["Row"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "Data")
        .map(|r| {
            (
                r["ColData"][0]["value"].as_str().expect("label").to_owned(),
                amounts(&r["ColData"]),
            )
        })
        .collect()
}

/// Checks that every section's summary is the sum of its data rows and child summaries.
fn assert_sections_add_up(report: &Value) {
    for section in all_sections(report) {
        let Some(children) = section["Rows"]["Row"].as_array() else {
            continue;
        };
        let total = amounts(&section["Summary"]["ColData"]);
        let mut sum = vec![0i64; total.len()];
        for child in children {
            let cells = if child["type"] == "Data" {
                &child["ColData"]
            } else {
                &child["Summary"]["ColData"]
            };
            for (s, v) in sum.iter_mut().zip(amounts(cells)) {
                *s += v;
            }
        }
        assert_eq!(sum, total, "section {}", section["group"]);
    }
}

fn titles(report: &Value) -> Vec<String> {
    report["Columns"]["Column"]
        .as_array()
        .expect("columns")
        .iter()
        .map(|c| c["ColTitle"].as_str().expect("title").to_owned())
        .collect()
}

#[test]
fn profit_and_loss_income_is_the_sales_lines_of_the_period() {
    let ds = books(3000);
    let (start, end) = (days_from_civil(2023, 1, 1), days_from_civil(2023, 12, 31));
    let mut lines = 0i64;
    let mut product = 0i64;
    for (index, invoice) in ds.invoices.iter().enumerate() {
        if (start..=end).contains(&invoice.txn_date) {
            let detail = ds.invoice_detail(index);
            lines += detail.subtotal;
            product += detail
                .lines
                .iter()
                .filter(|l| ds.items[l.item as usize].income_account == 17)
                .map(|l| l.amount)
                .sum::<i64>();
        }
    }
    let mut cogs = 0i64;
    let mut expenses = 0i64;
    for (index, bill) in ds.bills.iter().enumerate() {
        if (start..=end).contains(&bill.txn_date) {
            for line in ds.bill_lines(index) {
                match ds.accounts[line.account].account_type {
                    "Cost of Goods Sold" => cogs += line.amount,
                    _ => expenses += line.amount,
                }
            }
        }
    }
    // Sales receipts add income, credit memos and refunds take it back; purchases, journal
    // entries and vendor credits move expenses; interest earned is other income.
    let mut other = 0i64;
    let mut posted = Vec::new();
    let mut sales_receipts = 0i64;
    for kind in crate::txns::Kind::ALL {
        for index in 0..ds.posted.len(kind) {
            let Some(day) =
                ds.posted
                    .lines(kind, index, &crate::data::CHART_OF_POSTED, &mut posted)
            else {
                continue;
            };
            if !(start..=end).contains(&day) {
                continue;
            }
            for &(account, amount) in &posted {
                match ds.accounts[account].account_type {
                    "Income" => {
                        lines -= amount;
                        if account == 17 {
                            product -= amount;
                        }
                        if kind == crate::txns::Kind::SalesReceipt {
                            sales_receipts -= amount;
                        }
                    }
                    "Cost of Goods Sold" => cogs += amount,
                    "Expense" => expenses += amount,
                    "Other Income" => other -= amount,
                    "Other Expense" => other += amount,
                    _ => {}
                }
            }
        }
    }
    // What the invoices sold of the inventory is its cost (the receipts' is in their lines).
    cogs += ds
        .invoices
        .iter()
        .filter(|i| (start..=end).contains(&i.txn_date))
        .map(|i| i.cost)
        .sum::<i64>();
    assert!(lines > 0 && product > 0 && cogs > 0 && expenses > 0 && other > 0);
    assert!(sales_receipts > 0);

    let report = run(
        &ds,
        Report::ProfitAndLoss,
        "start_date=2023-01-01&end_date=2023-12-31",
    );
    assert_eq!(titles(&report), ["", "Total"]);
    assert_eq!(summary(&report, "Income"), [lines]);
    assert_eq!(summary(&report, "COGS"), [cogs]);
    assert_eq!(summary(&report, "Expenses"), [expenses]);
    assert_eq!(summary(&report, "GrossProfit"), [lines - cogs]);
    assert_eq!(
        summary(&report, "NetIncome"),
        [lines - cogs - expenses + other]
    );
    let income = all_sections(&report)
        .into_iter()
        .find(|s| s["group"] == "Income")
        .expect("income");
    assert_eq!(
        data_rows(&income["Rows"]),
        [
            ("Sales of Product Income".to_owned(), vec![product]),
            ("Service Income".to_owned(), vec![lines - product]),
        ]
    );
    assert_eq!(income["Rows"]["Row"][0]["ColData"][0]["id"], "18");
    assert_sections_add_up(&report);

    let by_month = run(
        &ds,
        Report::ProfitAndLoss,
        "start_date=2023-01-01&end_date=2023-12-31&summarize_column_by=Month",
    );
    let month_titles = titles(&by_month);
    assert_eq!(month_titles.len(), 14);
    assert_eq!(month_titles[1], "Jan 2023");
    assert_eq!(month_titles[12], "Dec 2023");
    assert_eq!(month_titles[13], "Total");
    let net = summary(&by_month, "NetIncome");
    assert_eq!(net[12], lines - cogs - expenses + other);
    assert_eq!(net[..12].iter().sum::<i64>(), net[12]);
    assert_sections_add_up(&by_month);
    assert_eq!(by_month["Header"]["SummarizeColumnsBy"], "Month");
    let february = &by_month["Columns"]["Column"][2]["MetaData"];
    assert_eq!(february[0]["Value"], "2023-02-01");
    assert_eq!(february[1]["Value"], "2023-02-28");
    assert_eq!(february[2]["Value"], "Feb 2023");
}

#[test]
fn cash_basis_counts_invoices_when_paid() {
    let ds = books(3000);
    let (start, end) = (days_from_civil(2023, 7, 1), days_from_civil(2023, 9, 30));
    let invoices: i64 = ds
        .payments
        .iter()
        .filter(|p| (start..=end).contains(&p.txn_date))
        .map(|p| ds.invoice_detail(p.invoice as usize).subtotal)
        .sum();
    // Sales receipts and refunds are cash; credit memos are not.
    let in_quarter = |sales: &[crate::txns::Sale]| -> i64 {
        sales
            .iter()
            .filter(|s| (start..=end).contains(&s.txn_date))
            .map(|s| s.subtotal)
            .sum()
    };
    let receipts = in_quarter(&ds.posted.sales_receipts);
    assert!(receipts > 0 && in_quarter(&ds.posted.credit_memos) > 0);
    let paid = invoices + receipts - in_quarter(&ds.posted.refund_receipts);
    let report = run(
        &ds,
        Report::ProfitAndLoss,
        "start_date=2023-07-01&end_date=2023-09-30&accounting_method=Cash&summarize_column_by=Quarter",
    );
    assert_eq!(report["Header"]["ReportBasis"], "Cash");
    assert_eq!(titles(&report), ["", "Q3 2023", "Total"]);
    assert_eq!(summary(&report, "Income"), [paid, paid]);
}

#[test]
fn balance_sheets_balance_on_both_bases_and_every_column() {
    let ds = books(3000);
    for basis in ["Accrual", "Cash"] {
        for query in [
            format!("accounting_method={basis}"),
            format!(
                "accounting_method={basis}&start_date=2023-01-01&end_date=2025-09-19&summarize_column_by=Quarters"
            ),
            format!(
                "accounting_method={basis}&date_macro=Last Fiscal Year&summarize_column_by=Month"
            ),
        ] {
            let report = run(&ds, Report::BalanceSheet, &query);
            let assets = summary(&report, "TotalAssets");
            assert!(assets.iter().all(|&a| a != 0), "{query}");
            assert_eq!(
                assets,
                summary(&report, "TotalLiabilitiesAndEquity"),
                "{query}"
            );
            assert_sections_add_up(&report);
        }
    }
    // At the end of the data the lines are the accounts' current balances.
    let report = run(&ds, Report::BalanceSheet, "");
    assert_eq!(report["Header"]["StartPeriod"], "2025-01-01");
    assert_eq!(report["Header"]["EndPeriod"], "2025-09-19");
    assert_eq!(summary(&report, "AR"), [ds.accounts[ACCT_AR].balance]);
    let bank = all_sections(&report)
        .into_iter()
        .find(|s| s["group"] == "BankAccounts")
        .expect("bank");
    // Savings is funded by transfers and interest (journal entries).
    assert_eq!(
        data_rows(&bank["Rows"]),
        [
            (
                "Checking".to_owned(),
                vec![ds.accounts[ACCT_CHECKING].balance]
            ),
            (
                "Savings".to_owned(),
                vec![ds.accounts[crate::data::ACCT_SAVINGS].balance]
            )
        ]
    );
}

#[test]
fn trial_balance_debits_equal_credits() {
    let ds = books(3000);
    for query in [
        "",
        "end_date=2023-06-30",
        "end_date=2023-12-31&accounting_method=Cash",
        "date_macro=Last Fiscal Year",
    ] {
        let report = run(&ds, Report::TrialBalance, query);
        assert_eq!(titles(&report), ["", "Debit", "Credit"]);
        let total = summary(&report, "GrandTotal");
        assert!(total[0] > 0, "{query}");
        assert_eq!(total[0], total[1], "{query}");
        let rows = data_rows(&report["Rows"]);
        assert_eq!(rows.iter().map(|(_, v)| v[0]).sum::<i64>(), total[0]);
        assert_eq!(rows.iter().map(|(_, v)| v[1]).sum::<i64>(), total[1]);
        assert!(rows.iter().all(|(_, v)| (v[0] == 0) != (v[1] == 0)));
    }
    // A later year's trial balance moves the earlier profit into Retained Earnings.
    let report = run(&ds, Report::TrialBalance, "end_date=2024-12-31");
    assert!(
        data_rows(&report["Rows"])
            .iter()
            .any(|(name, v)| name == "Retained Earnings" && v[1] > 0)
    );
}

#[test]
fn cash_flow_explains_the_change_in_cash() {
    let ds = books(3000);
    let report = run(
        &ds,
        Report::CashFlow,
        "start_date=2023-01-01&end_date=2023-06-30&summarize_column_by=Month",
    );
    assert_sections_add_up(&report);
    let increase = summary(&report, "CashIncrease");
    let beginning = summary(&report, "BeginningCash");
    let ending = summary(&report, "EndingCash");
    for k in 0..6 {
        assert_eq!(beginning[k] + increase[k], ending[k], "month {k}");
    }
    assert_eq!(beginning[6] + increase[6], ending[6]);
    let sheet = run(&ds, Report::BalanceSheet, "end_date=2023-06-30");
    assert_eq!(summary(&sheet, "BankAccounts"), [ending[6]]);
    let profit = run(
        &ds,
        Report::ProfitAndLoss,
        "start_date=2023-01-01&end_date=2023-06-30",
    );
    let operating = all_sections(&report)
        .into_iter()
        .find(|s| s["group"] == "OperatingActivities")
        .expect("operating");
    assert_eq!(
        data_rows(&operating["Rows"])[0].1[6],
        summary(&profit, "NetIncome")[0]
    );
}

#[test]
fn aged_receivables_total_is_the_balance_sheets_receivables() {
    let ds = books(3000);
    for day in ["2023-03-31", "2023-08-15", "2025-09-19"] {
        let aging = run(&ds, Report::AgedReceivables, &format!("report_date={day}"));
        assert_eq!(
            titles(&aging),
            [
                "",
                "Current",
                "1 - 30",
                "31 - 60",
                "61 - 90",
                "91 and over",
                "Total"
            ]
        );
        let total = summary(&aging, "GrandTotal");
        assert_eq!(total[..5].iter().sum::<i64>(), total[5]);
        let sheet = run(&ds, Report::BalanceSheet, &format!("end_date={day}"));
        assert_eq!(summary(&sheet, "AR"), [total[5]], "{day}");
        assert_eq!(aging["Header"]["EndPeriod"], day);
    }
    let narrow = run(
        &ds,
        Report::AgedReceivables,
        "report_date=2023-03-31&aging_period=15&num_periods=2",
    );
    assert_eq!(
        titles(&narrow),
        ["", "Current", "1 - 15", "16 and over", "Total"]
    );
}

#[test]
fn general_ledger_runs_from_the_beginning_balance_to_the_balance_sheet() {
    let ds = books(3000);
    let ledger = run(
        &ds,
        Report::GeneralLedger,
        "start_date=2023-05-01&end_date=2023-05-31",
    );
    let sheet = run(&ds, Report::BalanceSheet, "end_date=2023-05-31");
    let bank = all_sections(&sheet)
        .into_iter()
        .find(|s| s["group"] == "BankAccounts")
        .expect("bank");
    let checking_balance = data_rows(&bank["Rows"])
        .into_iter()
        .find(|(name, _)| name == "Checking")
        .map(|(_, v)| v[0])
        .expect("checking");
    let sections = all_sections(&ledger);
    assert!(sections.len() > 5);
    let mut checked = false;
    for section in &sections {
        let rows = section["Rows"]["Row"].as_array().expect("rows");
        let cell = |row: &Value, k: usize| {
            row["ColData"][k]["value"]
                .as_str()
                .expect("text")
                .to_owned()
        };
        assert_eq!(cell(&rows[0], 0), "Beginning Balance");
        let mut balance = cents(&cell(&rows[0], 7));
        let mut total = 0;
        for row in &rows[1..] {
            let day = cell(row, 0);
            assert!(
                ("2023-05-01".."2023-06-01").contains(&day.as_str()),
                "{day}"
            );
            total += cents(&cell(row, 6));
            balance += cents(&cell(row, 6));
            assert_eq!(cents(&cell(row, 7)), balance);
        }
        assert_eq!(
            cents(
                section["Summary"]["ColData"][6]["value"]
                    .as_str()
                    .expect("total")
            ),
            total
        );
        if section["Header"]["ColData"][0]["value"] == "Checking" {
            assert_eq!(balance, checking_balance);
            checked = true;
        }
    }
    assert!(checked);
    let first_invoice = sections
        .iter()
        .find(|s| s["Header"]["ColData"][0]["value"] == "Accounts Receivable (A/R)")
        .expect("A/R");
    let line = &first_invoice["Rows"]["Row"][1]["ColData"];
    assert!(["Invoice", "Payment"].contains(&line[1]["value"].as_str().expect("type")));
    assert_eq!(titles(&ledger)[0], "Date");
}

#[test]
fn date_macros_are_relative_to_the_end_of_the_data() {
    let ds = books(10);
    let cases = [
        ("Today", "2025-09-19", "2025-09-19"),
        ("Yesterday", "2025-09-18", "2025-09-18"),
        ("This Week", "2025-09-14", "2025-09-20"),
        ("Last Week-to-date", "2025-09-07", "2025-09-12"),
        ("This Month", "2025-09-01", "2025-09-30"),
        ("this month-to-date", "2025-09-01", "2025-09-19"),
        ("Last Month", "2025-08-01", "2025-08-31"),
        ("Last Month-to-date", "2025-08-01", "2025-08-19"),
        ("This Fiscal Quarter", "2025-07-01", "2025-09-30"),
        ("Last Fiscal Quarter", "2025-04-01", "2025-06-30"),
        ("This Fiscal Year", "2025-01-01", "2025-12-31"),
        ("This Fiscal Year-to-date", "2025-01-01", "2025-09-19"),
        ("Last Fiscal Year", "2024-01-01", "2024-12-31"),
        ("Last Fiscal Year-to-date", "2024-01-01", "2024-09-19"),
        ("Next Fiscal Year", "2026-01-01", "2026-12-31"),
    ];
    for (name, start, end) in cases {
        let report = run(&ds, Report::ProfitAndLoss, &format!("date_macro={name}"));
        assert_eq!(
            (
                report["Header"]["StartPeriod"].as_str(),
                report["Header"]["EndPeriod"].as_str()
            ),
            (Some(start), Some(end)),
            "{name}"
        );
        assert_eq!(report["Header"]["DateMacro"], name.to_ascii_lowercase());
    }
}

#[test]
fn periods_are_named_and_clipped_like_qbo() {
    let day = |y, m, d| days_from_civil(y, m, d);
    let names = |by| {
        periods(day(2024, 12, 30), day(2025, 1, 6), by)
            .expect("periods")
            .into_iter()
            .map(|p| (p.title, Day(p.start).to_string(), Day(p.end).to_string()))
            .collect::<Vec<_>>()
    };
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(
        names(By::Weeks),
        [
            s("Dec 30, 2024 - Jan 4, 2025", "2024-12-30", "2025-01-04"),
            s("Jan 5 - Jan 6, 2025", "2025-01-05", "2025-01-06"),
        ]
    );
    assert_eq!(
        names(By::Years),
        [
            s("2024", "2024-12-30", "2024-12-31"),
            s("2025", "2025-01-01", "2025-01-06"),
        ]
    );
    assert_eq!(names(By::Days).len(), 8);
    assert_eq!(names(By::Days)[0].0, "Dec 30, 2024");
    assert!(periods(day(2000, 1, 1), day(2025, 1, 1), By::Days).is_err());
}

#[test]
fn bad_parameters_are_validation_faults() {
    let ds = books(10);
    let cases = [
        ("accounting_method=Modified", "2170", "accounting_method"),
        (
            "summarize_column_by=Customers",
            "2170",
            "summarize_column_by",
        ),
        ("date_macro=Someday", "2170", "date_macro"),
        ("start_date=2025-13-01", "6000", "start_date"),
        (
            "start_date=2025-02-01&end_date=2025-01-01",
            "6000",
            "start_date",
        ),
        (
            "summarize_column_by=Days&start_date=2000-01-01&end_date=2025-01-01",
            "6000",
            "summarize_column_by",
        ),
    ];
    for (query, code, element) in cases {
        let fault =
            answer(&ds, &Written::default(), Report::ProfitAndLoss, query).expect_err(query);
        assert_eq!(fault.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(fault.errors[0].code, code, "{query}");
        assert_eq!(fault.errors[0].element.as_deref(), Some(element), "{query}");
    }
    let fault = answer(
        &ds,
        &Written::default(),
        Report::AgedReceivables,
        "num_periods=0",
    )
    .expect_err("0 periods");
    assert_eq!(fault.errors[0].code, "6000");
    let fault = answer(
        &ds,
        &Written::default(),
        Report::ProfitAndLoss,
        "end_date=10000-01-01",
    )
    .expect_err("far");
    assert_eq!(fault.errors[0].element.as_deref(), Some("end_date"));
    // The ends of the calendar are answered, not a panic.
    for report in [
        Report::ProfitAndLoss,
        Report::BalanceSheet,
        Report::CashFlow,
    ] {
        for by in ["Days", "Weeks", "Months", "Quarters", "Years"] {
            let query =
                format!("start_date=9999-12-25&end_date=9999-12-31&summarize_column_by={by}");
            run(&ds, report, &query);
            let query =
                format!("start_date=0001-01-01&end_date=0001-01-09&summarize_column_by={by}");
            run(&ds, report, &query);
        }
    }
}

#[test]
fn a_company_without_transactions_has_no_report_data() {
    let ds = Dataset::build(&EmulatorConfig {
        invoices: 0,
        ..EmulatorConfig::default()
    })
    .expect("books");
    for report in [
        Report::ProfitAndLoss,
        Report::BalanceSheet,
        Report::TrialBalance,
        Report::GeneralLedger,
        Report::AgedReceivables,
        Report::CashFlow,
    ] {
        let body = run(&ds, report, "");
        let option = &body["Header"]["Option"];
        let no_data = option
            .as_array()
            .expect("options")
            .iter()
            .find(|o| o["Name"] == "NoReportData")
            .expect("NoReportData");
        assert_eq!(no_data["Value"], "true", "{report:?}");
    }
    let profit = run(&ds, Report::ProfitAndLoss, "");
    assert_eq!(summary(&profit, "NetIncome"), [0]);
}

/// The JSON shape QBO answers with, key by key (the sample in `tests/fixtures`).
#[test]
fn the_answer_has_qbos_shape() {
    let ds = books(3000);
    let report = run(
        &ds,
        Report::ProfitAndLoss,
        "start_date=2023-07-01&end_date=2023-08-31&summarize_column_by=Month",
    );
    let keys =
        |v: &Value| -> Vec<String> { v.as_object().expect("object").keys().cloned().collect() };
    assert_eq!(keys(&report), ["Header", "Columns", "Rows"]);
    assert_eq!(
        keys(&report["Header"]),
        [
            "Time",
            "ReportName",
            "ReportBasis",
            "StartPeriod",
            "EndPeriod",
            "SummarizeColumnsBy",
            "Currency",
            "Option"
        ]
    );
    assert_eq!(
        report["Columns"]["Column"][1],
        json!({"ColTitle": "Jul 2023", "ColType": "Money", "MetaData": [
            {"Name": "StartDate", "Value": "2023-07-01"},
            {"Name": "EndDate", "Value": "2023-07-31"},
            {"Name": "ColKey", "Value": "Jul 2023"},
        ]})
    );
    assert_eq!(
        report["Columns"]["Column"][3],
        json!({"ColTitle": "Total", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]})
    );
    let income = &report["Rows"]["Row"][0];
    assert_eq!(keys(income), ["Header", "Rows", "Summary", "type", "group"]);
    assert_eq!(
        income["Header"]["ColData"],
        json!([{"value": "Income"}, {"value": ""}, {"value": ""}, {"value": ""}])
    );
    assert_eq!(keys(&income["Rows"]["Row"][0]), ["ColData", "type"]);
    let last = report["Rows"]["Row"]
        .as_array()
        .expect("rows")
        .last()
        .expect("a row")
        .clone();
    assert_eq!(keys(&last), ["Summary", "type", "group"]);
    assert_eq!(last["group"], "NetIncome");
    let time = report["Header"]["Time"].as_str().expect("time");
    assert!(time.ends_with("-07:00"), "{time}");
}

/// Not run by default: `cargo test --release --lib reports::tests::timing -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, run by hand in release mode"]
fn timing_at_100k_invoices() {
    let started = std::time::Instant::now();
    let ds = books(100_000);
    println!("books of 100,000 invoices built: {:?}", started.elapsed());
    // What paging the invoices costs the emulator: each record rendered as a page holds it.
    let started = std::time::Instant::now();
    let mut page_bytes = 0;
    for index in 0..ds.invoices.len() {
        let record = crate::records::Record {
            ds: &ds,
            entity: Entity::Invoice,
            index,
        };
        page_bytes += serde_json::to_vec(&record).expect("JSON").len();
    }
    println!(
        "100,000 invoices rendered: {:?}, {page_bytes} bytes",
        started.elapsed()
    );
    // The same books with 1,000 invoices written over them (500 new, 500 replacing seeded ones).
    let mut written = Written::default();
    let invoice = json!({
        "TxnDate": "2024-06-15", "CustomerRef": {"value": "3"},
        "Line": [{"Amount": 12.5, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]
    });
    let invoice = invoice.as_object().expect("object");
    for k in 0..500 {
        written.record(&ds, Entity::Invoice, ds.invoices.len() + k, Some(invoice));
        written.record(&ds, Entity::Invoice, k * 199, Some(invoice));
    }
    for (label, written) in [("no writes", Written::default()), ("1,000 writes", written)] {
        for (report, query) in [
            (
                Report::ProfitAndLoss,
                "date_macro=Last Fiscal Year&summarize_column_by=Month",
            ),
            (
                Report::ProfitAndLoss,
                "date_macro=Last Fiscal Year&summarize_column_by=Month&accounting_method=Cash",
            ),
            (
                Report::BalanceSheet,
                "date_macro=Last Fiscal Year&summarize_column_by=Month",
            ),
            (Report::TrialBalance, ""),
            (
                Report::CashFlow,
                "date_macro=Last Fiscal Year&summarize_column_by=Month",
            ),
            (Report::GeneralLedger, "date_macro=Last Month"),
            (Report::AgedReceivables, ""),
            (Report::ProfitAndLossDetail, "date_macro=Last Month"),
            (Report::AgedReceivableDetail, ""),
            (Report::CustomerBalanceDetail, ""),
            (Report::AgedPayables, ""),
            (Report::TransactionList, "date_macro=Last Month"),
            (Report::Journal, "date_macro=Last Month"),
            (Report::CustomerSales, "date_macro=Last Fiscal Year"),
            (Report::ItemSales, "date_macro=Last Fiscal Year"),
            (Report::ClassSales, "date_macro=Last Fiscal Year"),
            (
                Report::ClassSales,
                "date_macro=Last Fiscal Year&accounting_method=Cash",
            ),
            (Report::DepartmentSales, "date_macro=Last Fiscal Year"),
        ] {
            let started = std::time::Instant::now();
            let body = answer(&ds, &written, report, query).expect("report");
            let elapsed = started.elapsed();
            let bytes = serde_json::to_vec(&body).expect("JSON").len();
            println!("{label}: {report:?} {query}: {elapsed:?}, {bytes} bytes");
        }
    }
}

/// Written transactions over `ds` (in March 2023): a new taxed invoice for customer 3, the same
/// replacing seeded invoice 0, seeded invoice 1 deleted, a payment partly applied to the new
/// invoice, and a new paid bill.
fn writes(ds: &Dataset) -> Written {
    let object = |v: Value| v.as_object().cloned().expect("object");
    let mut written = Written::default();
    let invoice = object(json!({
        "TxnDate": "2023-03-01", "DueDate": "2023-03-31", "DocNumber": "W-1",
        "CustomerRef": {"value": "3", "name": "O'Brien Landscaping"},
        "Line": [{"Amount": 100.01, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}],
        "TxnTaxDetail": {"TotalTax": 7.77}
    }));
    let created = ds.invoices.len();
    written.record(ds, Entity::Invoice, created, Some(&invoice));
    written.record(ds, Entity::Invoice, 0, Some(&invoice));
    written.record(ds, Entity::Invoice, 1, None);
    let payment = object(json!({
        "TxnDate": "2023-03-05", "CustomerRef": {"value": "3"}, "TotalAmt": 100,
        "DepositToAccountRef": {"value": "1"},
        "Line": [{"Amount": 78.89,
                  "LinkedTxn": [{"TxnId": (created + 1).to_string(), "TxnType": "Invoice"}]}]
    }));
    written.record(ds, Entity::Payment, ds.payments.len(), Some(&payment));
    let bill = object(json!({
        "TxnDate": "2023-03-02", "DueDate": "2023-04-01", "VendorRef": {"value": "1"},
        "Balance": 0,
        "Line": [{"Amount": 12.5,
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"value": "28"}}}]
    }));
    written.record(ds, Entity::Bill, ds.bills.len(), Some(&bill));
    written
}

#[test]
fn reports_over_writes_still_balance_and_agree() {
    let ds = books(3000);
    let written = writes(&ds);
    let over = |report: Report, query: &str| {
        answer(&ds, &written, report, query).unwrap_or_else(|fault| panic!("{query}: {fault:?}"))
    };
    // March 2023 income: + the new invoice's line twice (new, replacing 0), - invoices 0 and 1.
    let lines = |index: usize| ds.invoice_detail(index).subtotal;
    let march = "start_date=2023-03-01&end_date=2023-03-31";
    let income = |report: &Value| summary(report, "Income")[0];
    let in_march = |index: usize| {
        let day = ds.invoices[index].txn_date;
        (days_from_civil(2023, 3, 1)..=days_from_civil(2023, 3, 31)).contains(&day)
    };
    let removed: i64 = [0, 1].into_iter().filter(|&i| in_march(i)).map(lines).sum();
    assert_eq!(
        income(&over(Report::ProfitAndLoss, march)),
        income(&run(&ds, Report::ProfitAndLoss, march)) + 2 * 10_001 - removed
    );
    for basis in ["Accrual", "Cash"] {
        for day in ["2023-03-31", "2023-12-31", "2025-09-19"] {
            let query = format!("accounting_method={basis}&end_date={day}");
            let sheet = over(Report::BalanceSheet, &query);
            assert_eq!(
                summary(&sheet, "TotalAssets"),
                summary(&sheet, "TotalLiabilitiesAndEquity"),
                "{query}"
            );
            assert_sections_add_up(&sheet);
            let trial = summary(&over(Report::TrialBalance, &query), "GrandTotal");
            assert_eq!(trial[0], trial[1], "{query}");
            if basis == "Accrual" {
                let aging = over(Report::AgedReceivables, &format!("report_date={day}"));
                assert_eq!(
                    summary(&sheet, "AR"),
                    [summary(&aging, "GrandTotal")[5]],
                    "{day}"
                );
            }
        }
    }
    let flow = over(
        Report::CashFlow,
        "start_date=2023-01-01&end_date=2023-06-30&summarize_column_by=Month",
    );
    let (increase, beginning, ending) = (
        summary(&flow, "CashIncrease"),
        summary(&flow, "BeginningCash"),
        summary(&flow, "EndingCash"),
    );
    assert_eq!(beginning[6] + increase[6], ending[6]);
    let sheet = over(Report::BalanceSheet, "end_date=2023-06-30");
    assert_eq!(summary(&sheet, "BankAccounts"), [ending[6]]);
    // The general ledger names the written invoice as it is stored.
    let ledger = over(Report::GeneralLedger, march);
    let written_line = all_sections(&ledger)
        .into_iter()
        .flat_map(|s| s["Rows"]["Row"].as_array().cloned().unwrap_or_default())
        .find(|row| row["ColData"][2]["value"] == "W-1")
        .expect("a W-1 line");
    assert_eq!(written_line["ColData"][0]["value"], "2023-03-01");
    assert_eq!(written_line["ColData"][1]["value"], "Invoice");
    assert_eq!(written_line["ColData"][3]["value"], "O'Brien Landscaping");
}

// ---------------------------------------------------------------------------------------------
// Detail reports, agings, balances and transaction lists against their summaries and the books

/// Every data row of the report, depth first.
fn all_data_rows(rows: &Value, out: &mut Vec<Value>) {
    for row in rows["Row"].as_array().into_iter().flatten() {
        if row["type"] == "Data" {
            out.push(row.clone());
        } else {
            all_data_rows(&row["Rows"], out);
        }
    }
}

fn data_of(report: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    all_data_rows(&report["Rows"], &mut out);
    out
}

/// The position of the column whose key is `key`.
fn column(report: &Value, key: &str) -> usize {
    report["Columns"]["Column"]
        .as_array()
        .expect("columns")
        .iter()
        .position(|c| c["MetaData"][0]["Value"] == key)
        .unwrap_or_else(|| panic!("no column {key}"))
}

fn cell_cents(row: &Value, at: usize) -> i64 {
    cents(row["ColData"][at]["value"].as_str().expect("text"))
}

/// Per id of the cell at `at` (a party, an account), the sum of the amounts at `amount`.
fn sums_by_id(rows: &[Value], at: usize, amount: usize) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for row in rows {
        let id = row["ColData"][at]["id"].as_str().expect("an id").to_owned();
        *out.entry(id).or_default() += cell_cents(row, amount);
    }
    out.retain(|_, v| *v != 0);
    out
}

/// Per label id of a summary report's data rows, the amount at `at`.
fn lines_by_id(report: &Value, at: usize) -> BTreeMap<String, i64> {
    data_of(report)
        .iter()
        .map(|row| {
            let id = row["ColData"][0]["id"].as_str().expect("an id").to_owned();
            (id, cell_cents(row, at))
        })
        .filter(|(_, v)| *v != 0)
        .collect()
}

use std::collections::BTreeMap;

#[test]
fn profit_and_loss_detail_adds_up_to_profit_and_loss_per_account() {
    let ds = books(3000);
    let written = writes(&ds);
    for books in [&Written::default(), &written] {
        for basis in ["Accrual", "Cash"] {
            let query =
                format!("start_date=2023-01-01&end_date=2023-06-30&accounting_method={basis}");
            let pl = answer(&ds, books, Report::ProfitAndLoss, &query).expect("P&L");
            let detail = answer(&ds, books, Report::ProfitAndLossDetail, &query).expect("detail");
            let per_account = lines_by_id(&pl, 1);
            assert!(per_account.len() >= 3, "{per_account:?}");
            // Each account's section: its lines add up to its summary, which is its P&L line.
            let amount = column(&detail, "subt_nat_amount");
            let mut from_detail = BTreeMap::new();
            for section in all_sections(&detail) {
                let Some(id) = section["Header"]["ColData"][0]["id"].as_str() else {
                    continue;
                };
                let mut lines = Vec::new();
                all_data_rows(&section["Rows"], &mut lines);
                let sum: i64 = lines.iter().map(|row| cell_cents(row, amount)).sum();
                let total = cents(
                    section["Summary"]["ColData"][amount]["value"]
                        .as_str()
                        .expect("total"),
                );
                assert_eq!(sum, total, "{basis}: account {id}");
                from_detail.insert(id.to_owned(), total);
            }
            from_detail.retain(|_, v| *v != 0);
            assert_eq!(from_detail, per_account, "{basis}");
            let net = |report: &Value, at: usize| {
                let section = all_sections(report)
                    .into_iter()
                    .find(|s| s["group"] == "NetIncome")
                    .expect("net income");
                cents(
                    section["Summary"]["ColData"][at]["value"]
                        .as_str()
                        .expect("net"),
                )
            };
            assert_eq!(net(&detail, amount), net(&pl, 1), "{basis}");
        }
    }
}

/// Per customer (vendor) id: what the invoices (bills) of the books still have open, by their
/// `Balance` as the API serves it.
fn open_balances(ds: &Dataset, bills: bool) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    if bills {
        for bill in &ds.bills {
            *out.entry((bill.vendor + 1).to_string()).or_default() += bill.balance;
        }
        // A vendor credit's TotalAmt is a credit with its vendor.
        for credit in &ds.posted.vendor_credits {
            *out.entry((credit.vendor + 1).to_string()).or_default() -= credit.total;
        }
    } else {
        for invoice in &ds.invoices {
            *out.entry((invoice.customer + 1).to_string()).or_default() += invoice.balance;
        }
        // A credit memo's TotalAmt is a credit on its customer's account.
        for memo in &ds.posted.credit_memos {
            *out.entry((memo.customer + 1).to_string()).or_default() -= memo.total;
        }
    }
    out.retain(|_, v: &mut i64| *v != 0);
    out
}

#[test]
fn agings_their_details_and_the_balances_agree_with_the_open_balances() {
    let ds = books(3000);
    let written = writes(&ds);
    for (books, day) in [
        (&Written::default(), "2025-09-19"),
        (&Written::default(), "2024-02-15"),
        (&written, "2023-03-31"),
        (&written, "2025-09-19"),
    ] {
        let query = format!("report_date={day}");
        let ask = |report: Report| {
            answer(&ds, books, report, &query).unwrap_or_else(|f| panic!("{report:?}: {f:?}"))
        };
        for (summary_report, detail_report, balance, balance_detail, bills) in [
            (
                Report::AgedReceivables,
                Report::AgedReceivableDetail,
                Report::CustomerBalance,
                Report::CustomerBalanceDetail,
                false,
            ),
            (
                Report::AgedPayables,
                Report::AgedPayableDetail,
                Report::VendorBalance,
                Report::VendorBalanceDetail,
                true,
            ),
        ] {
            let aging = ask(summary_report);
            let per_party = lines_by_id(&aging, 6);
            assert!(
                per_party.len() >= 2,
                "{summary_report:?} {day}: {per_party:?}"
            );
            let grand = summary(&aging, "GrandTotal")[5];
            assert_eq!(per_party.values().sum::<i64>(), grand);
            // The detail: each open transaction under its party's name.
            let detail = ask(detail_report);
            let (name, open) = if bills {
                ("vend_name", "subt_neg_open_bal")
            } else {
                ("cust_name", "subt_open_bal")
            };
            let lines = data_of(&detail);
            let by_party = sums_by_id(&lines, column(&detail, name), column(&detail, open));
            assert_eq!(by_party, per_party, "{detail_report:?} {day}");
            assert_sections_add_up_at(&detail, column(&detail, open));
            // The balances: the same per party, and their details the same per section.
            assert_eq!(
                lines_by_id(&ask(balance), 1),
                per_party,
                "{balance:?} {day}"
            );
            let balance_detail = ask(balance_detail);
            let open_at = column(&balance_detail, open);
            let mut sections = BTreeMap::new();
            for section in all_sections(&balance_detail) {
                if let Some(id) = section["Header"]["ColData"][0]["id"].as_str() {
                    let total = section["Summary"]["ColData"][open_at]["value"]
                        .as_str()
                        .expect("total");
                    sections.insert(id.to_owned(), cents(total));
                }
            }
            sections.retain(|_, v| *v != 0);
            assert_eq!(sections, per_party, "{balance_detail:?} {day}");
            assert_sections_add_up_at(&balance_detail, open_at);
            // At the end of the data, with nothing written, every payment is in: the aging is
            // the `Balance` of the invoices (bills) the API serves.
            if day == "2025-09-19" && books.invoices().next().is_none() {
                assert_eq!(per_party, open_balances(&ds, bills), "{summary_report:?}");
            }
        }
    }
}

/// Every section's summary at column `at` is the sum of its data rows and child sections there.
fn assert_sections_add_up_at(report: &Value, at: usize) {
    for section in all_sections(report) {
        let (Some(children), Some(total)) = (
            section["Rows"]["Row"].as_array(),
            section["Summary"]["ColData"][at]["value"].as_str(),
        ) else {
            continue;
        };
        let sum: i64 = children
            .iter()
            .map(|child| {
                let cells = if child["type"] == "Data" {
                    &child["ColData"]
                } else {
                    &child["Summary"]["ColData"]
                };
                cells[at]["value"].as_str().map_or(0, cents)
            })
            .sum();
        assert_eq!(sum, cents(total), "{}", section["Header"]);
    }
}

#[test]
fn transaction_list_amounts_are_the_transactions_totals() {
    let ds = books(3000);
    // A quarter around the middle bill, so that every kind of transaction is in it.
    let start = ds.bills[ds.bills.len() / 2].txn_date - 45;
    let end = start + 90;
    let query = &format!(
        "start_date={}&end_date={}",
        crate::time::Day(start),
        crate::time::Day(end)
    );
    let list = run(&ds, Report::TransactionList, query);
    let (kind, amount) = (column(&list, "txn_type"), column(&list, "subt_nat_amount"));
    let rows = data_of(&list);
    let inside = |day: i32| (start..=end).contains(&day);
    let expected = ds.invoices.iter().filter(|i| inside(i.txn_date)).count()
        + ds.payments.iter().filter(|p| inside(p.txn_date)).count()
        + ds.bills.iter().filter(|b| inside(b.txn_date)).count()
        + ds.bill_payments
            .iter()
            .filter(|p| inside(p.txn_date))
            .count()
        + crate::txns::Kind::ALL
            .into_iter()
            .map(|kind| {
                (0..ds.posted.len(kind))
                    .filter(|&i| {
                        let mut lines = Vec::new();
                        ds.posted
                            .lines(kind, i, &crate::data::CHART_OF_POSTED, &mut lines)
                            .is_some_and(inside)
                    })
                    .count()
            })
            .sum::<usize>();
    assert_eq!(rows.len(), expected);
    let mut seen = BTreeMap::<&str, usize>::new();
    for row in &rows {
        let cell = &row["ColData"][kind];
        let index = cell["id"]
            .as_str()
            .and_then(|id| id.parse::<usize>().ok())
            .expect("a transaction id")
            - 1;
        let total = match cell["value"].as_str().expect("type") {
            "Invoice" => ds.invoices[index].total,
            "Payment" => ds.payments[index].amount,
            "Bill" => ds.bills[index].total,
            "Bill Payment (Check)" => ds.bill_payments[index].amount,
            "Sales Receipt" => ds.posted.sales_receipts[index].total,
            "Credit Memo" => ds.posted.credit_memos[index].total,
            "Refund" => ds.posted.refund_receipts[index].total,
            "Deposit" => ds.posted.deposits[index].total,
            "Expense" => ds.posted.purchases[index].total,
            "Vendor Credit" => ds.posted.vendor_credits[index].total,
            "Journal Entry" => ds.posted.journal_entries[index].total(),
            "Transfer" => ds.posted.transfers[index].amount,
            "Credit Card Payment" => ds.posted.card_payments[index].amount,
            other => panic!("{other}"),
        };
        assert_eq!(cell_cents(row, amount), total, "{row}");
        *seen
            .entry(cell["value"].as_str().expect("type"))
            .or_default() += 1;
    }
    assert!(seen.len() >= 4, "{seen:?}");
    // The lists by party and with splits hold the same transactions.
    let by_customer = data_of(&run(&ds, Report::TransactionListByCustomer, query));
    let by_vendor = data_of(&run(&ds, Report::TransactionListByVendor, query));
    // (Deposits, journal entries, transfers and card payments are with nobody.)
    let partyless: usize = [
        "Deposit",
        "Journal Entry",
        "Transfer",
        "Credit Card Payment",
    ]
    .iter()
    .map(|kind| seen.get(kind).copied().unwrap_or(0))
    .sum();
    assert_eq!(by_customer.len() + by_vendor.len() + partyless, rows.len());
    let journal = run(&ds, Report::Journal, query);
    let total = summary(&journal, "GrandTotal");
    assert_eq!(
        total[total.len() - 2],
        total[total.len() - 1],
        "debits = credits"
    );
}

#[test]
fn detail_columns_are_the_ones_asked_for_in_order_and_unknown_keys_are_refused() {
    let ds = books(600);
    let query = "start_date=2023-01-01&end_date=2023-12-31&columns=subt_nat_amount,doc_num,tx_date";
    for report in [Report::TransactionList, Report::ProfitAndLossDetail] {
        let answer = run(&ds, report, query);
        let keys: Vec<&str> = answer["Columns"]["Column"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| c["ColType"].as_str().expect("key"))
            .collect();
        assert_eq!(
            keys,
            ["subt_nat_amount", "doc_num", "tx_date"],
            "{report:?}"
        );
        let row = data_of(&answer).into_iter().next().expect("a row");
        assert_eq!(row["ColData"].as_array().map(Vec::len), Some(3));
        assert!(
            row["ColData"][2]["value"]
                .as_str()
                .is_some_and(|d| d.starts_with("2023-"))
        );
    }
    let fault = answer(
        &ds,
        &Written::default(),
        Report::AgedPayableDetail,
        "columns=tx_date,no_such_column",
    )
    .expect_err("refused");
    assert_eq!(fault.status, axum::http::StatusCode::BAD_REQUEST);
    assert_eq!(fault.kind, "ValidationFault");
    assert!(
        fault
            .errors
            .iter()
            .any(|e| e.detail.contains("no_such_column")),
        "{fault:?}"
    );
}

#[test]
fn every_report_answers_with_rows_and_qbos_shape() {
    let ds = books(600);
    for (name, report) in super::catalog::REPORTS {
        let answer = run(
            &ds,
            report,
            "start_date=2023-01-01&end_date=2023-12-31&report_date=2023-12-31",
        );
        assert_eq!(answer["Header"]["ReportName"], name);
        let columns = answer["Columns"]["Column"].as_array().expect("columns");
        assert!(!columns.is_empty(), "{name}");
        let rows = answer["Rows"]["Row"].as_array().expect("rows");
        assert!(!rows.is_empty(), "{name}");
        // Every data row has a cell per column.
        for row in data_of(&answer) {
            assert_eq!(
                row["ColData"].as_array().map(Vec::len),
                Some(columns.len()),
                "{name}: {row}"
            );
        }
    }
}

#[test]
fn party_filters_keep_the_transactions_of_those_parties() {
    let ds = books(600);
    let query = "start_date=2023-01-01&end_date=2023-12-31&customer=2,3";
    for report in [Report::ProfitAndLossDetail, Report::TransactionList] {
        let answer = run(&ds, report, query);
        let name = column(&answer, "name");
        let rows = data_of(&answer);
        assert!(!rows.is_empty(), "{report:?}");
        for row in &rows {
            let id = row["ColData"][name]["id"].as_str();
            assert!(matches!(id, Some("2" | "3")), "{report:?}: {row}");
        }
    }
    let aging = run(
        &ds,
        Report::AgedReceivables,
        "report_date=2023-12-31&customer=2",
    );
    let ids: Vec<String> = lines_by_id(&aging, 6).into_keys().collect();
    assert_eq!(ids, ["2"]);
}

// ---------------------------------------------------------------------------------------------
// Income by class and by location

/// The P&L's total income of `query`: Income and Other Income.
fn total_income(ds: &Dataset, written: &Written, query: &str) -> i64 {
    let pnl = answer(ds, written, Report::ProfitAndLoss, query).expect("P&L");
    let sections = all_sections(&pnl);
    ["Income", "OtherIncome"]
        .into_iter()
        .filter_map(|group| sections.iter().find(|s| s["group"] == group))
        .map(|s| *amounts(&s["Summary"]["ColData"]).last().expect("total"))
        .sum()
}

/// The rows of a `ClassSales` or `DepartmentSales` answer by label: their last column (the
/// total when split) in cents.
fn tracked_rows(report: &Value) -> Vec<(String, i64)> {
    data_rows(&report["Rows"])
        .into_iter()
        .map(|(label, values)| (label, *values.last().expect("an amount")))
        .collect()
}

#[test]
fn class_and_department_sales_add_up_to_the_profit_and_losss_income() {
    let ds = books(3000);
    let with_writes = writes(&ds);
    for written in [&Written::default(), &with_writes] {
        for basis in ["Accrual", "Cash"] {
            for period in [
                "start_date=2023-01-01&end_date=2023-12-31",
                "start_date=2023-03-01&end_date=2023-03-31",
                "start_date=2023-01-01&end_date=2023-09-30&summarize_column_by=Quarter",
            ] {
                let query = format!("accounting_method={basis}&{period}");
                let income = total_income(&ds, written, &query);
                assert_ne!(income, 0, "{query}");
                for report in [Report::ClassSales, Report::DepartmentSales] {
                    let answer = answer(&ds, written, report, &query).expect("report");
                    let total = *summary(&answer, "GrandTotal").last().expect("total");
                    assert_eq!(total, income, "{report:?} {query}");
                    let rows = tracked_rows(&answer);
                    assert_eq!(rows.iter().map(|r| r.1).sum::<i64>(), total);
                    // Named rows sorted, "Not Specified" last, only active lists' names.
                    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
                    let expected: &[&str] = match report {
                        Report::ClassSales => {
                            &["Commercial", "Residential", "Warranty", "Not Specified"]
                        }
                        _ => &["North", "South", "Not Specified"],
                    };
                    assert_eq!(names, expected, "{report:?} {query}");
                }
            }
        }
    }
}

#[test]
fn class_sales_are_the_sales_lines_of_each_class() {
    let ds = books(3000);
    let (start, end) = (days_from_civil(2023, 1, 1), days_from_civil(2023, 12, 31));
    let mut per_class: BTreeMap<String, i64> = BTreeMap::new();
    let mut per_location: BTreeMap<String, i64> = BTreeMap::new();
    let mut tally = |class: Option<usize>, location: Option<usize>, amount: i64| {
        if let Some(class) = class {
            *per_class
                .entry(ds.classes[class].name.to_owned())
                .or_default() += amount;
        }
        if let Some(location) = location {
            *per_location
                .entry(ds.departments[location].name.to_owned())
                .or_default() += amount;
        }
    };
    let form = crate::data::SalesForm::Invoice;
    for (index, invoice) in ds.invoices.iter().enumerate() {
        if (start..=end).contains(&invoice.txn_date) {
            let location = ds.department_of(form, index);
            for (n, line) in ds.invoice_detail(index).lines.iter().enumerate() {
                tally(ds.class_of_line(form, index, n), location, line.amount);
            }
        }
    }
    for (kind, sign) in [
        (crate::txns::Kind::SalesReceipt, 1),
        (crate::txns::Kind::CreditMemo, -1),
        (crate::txns::Kind::RefundReceipt, -1),
    ] {
        let form = crate::data::SalesForm::Posted(kind);
        let sales = match kind {
            crate::txns::Kind::SalesReceipt => &ds.posted.sales_receipts,
            crate::txns::Kind::CreditMemo => &ds.posted.credit_memos,
            _ => &ds.posted.refund_receipts,
        };
        for (index, sale) in sales.iter().enumerate() {
            if (start..=end).contains(&sale.txn_date) {
                let location = ds.department_of(form, index);
                for (n, line) in sale.lines.iter().enumerate() {
                    tally(
                        ds.class_of_line(form, index, n),
                        location,
                        sign * line.amount,
                    );
                }
            }
        }
    }
    let query = "start_date=2023-01-01&end_date=2023-12-31";
    for (report, expected) in [
        (Report::ClassSales, &per_class),
        (Report::DepartmentSales, &per_location),
    ] {
        let rows: BTreeMap<String, i64> = tracked_rows(&run(&ds, report, query))
            .into_iter()
            .filter(|(label, _)| label != "Not Specified")
            .collect();
        assert_eq!(&rows, expected, "{report:?}");
        assert!(rows.values().all(|&amount| amount > 0), "{report:?}");
    }
}

#[test]
fn a_written_invoice_moves_its_amounts_into_its_classes_and_location() {
    let ds = books(3000);
    let mut written = Written::default();
    let invoice = json!({
        "TxnDate": "2023-03-01", "CustomerRef": {"value": "3", "name": "O'Brien Landscaping"},
        "DepartmentRef": {"value": "2", "name": "South"},
        "Line": [{"Amount": 100.01, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "1"},
                                          "ClassRef": {"value": "3", "name": "Warranty"}}},
                 {"Amount": 50, "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"value": "3"}}}],
        "TxnTaxDetail": {"TotalTax": 4.13}
    });
    let invoice = invoice.as_object().expect("object");
    written.record(&ds, Entity::Invoice, ds.invoices.len(), Some(invoice));
    let row = |report: &Value, label: &str| {
        tracked_rows(report)
            .into_iter()
            .find(|(name, _)| name == label)
            .map_or(0, |(_, amount)| amount)
    };
    let march = "start_date=2023-03-01&end_date=2023-03-31";
    let (before, after) = (
        run(&ds, Report::ClassSales, march),
        answer(&ds, &written, Report::ClassSales, march).expect("after"),
    );
    assert_eq!(row(&after, "Warranty"), row(&before, "Warranty") + 10_001);
    assert_eq!(
        row(&after, "Not Specified"),
        row(&before, "Not Specified") + 5_000
    );
    for class in ["Commercial", "Residential"] {
        assert_eq!(row(&after, class), row(&before, class), "{class}");
    }
    let (before, after) = (
        run(&ds, Report::DepartmentSales, march),
        answer(&ds, &written, Report::DepartmentSales, march).expect("after"),
    );
    assert_eq!(row(&after, "South"), row(&before, "South") + 15_001);
    assert_eq!(row(&after, "North"), row(&before, "North"));
    assert_eq!(row(&after, "Not Specified"), row(&before, "Not Specified"));
    // On the cash basis it counts when paid, by what the payment pays of each line.
    let payment = json!({
        "TxnDate": "2023-04-03", "CustomerRef": {"value": "3"}, "TotalAmt": 154.14,
        "DepositToAccountRef": {"value": "1"},
        "Line": [{"Amount": 154.14,
                  "LinkedTxn": [{"TxnId": (ds.invoices.len() + 1).to_string(), "TxnType": "Invoice"}]}]
    });
    let payment = payment.as_object().expect("object");
    written.record(&ds, Entity::Payment, ds.payments.len(), Some(payment));
    let april = "accounting_method=Cash&start_date=2023-04-01&end_date=2023-04-30";
    let (before, after) = (
        run(&ds, Report::ClassSales, april),
        answer(&ds, &written, Report::ClassSales, april).expect("after"),
    );
    assert_eq!(row(&after, "Warranty"), row(&before, "Warranty") + 10_001);
}

#[test]
fn transaction_lists_name_each_sales_location() {
    let ds = books(600);
    let query = "start_date=2023-01-01&end_date=2023-12-31&columns=txn_type,doc_num,dept_name";
    let answer = run(&ds, Report::TransactionList, query);
    let rows = data_of(&answer);
    let form = crate::data::SalesForm::Invoice;
    let mut named = 0;
    for row in &rows {
        let cells = &row["ColData"];
        let location = &cells[2];
        if cells[0]["value"] != "Invoice" {
            if !matches!(
                cells[0]["value"].as_str(),
                Some("Sales Receipt" | "Credit Memo" | "Refund")
            ) {
                assert_eq!(location["value"], "", "{row}");
            }
            continue;
        }
        let index = cells[0]["id"]
            .as_str()
            .and_then(|id| id.parse::<usize>().ok())
            .expect("an invoice id")
            - 1;
        match ds.department_of(form, index) {
            Some(d) => {
                named += 1;
                assert_eq!(location["value"], ds.departments[d].name, "{row}");
                assert_eq!(location["id"], (d + 1).to_string(), "{row}");
            }
            None => assert_eq!(location["value"], "", "{row}"),
        }
    }
    assert!(named > 100, "{named}");
}

/// The balance sheet's Inventory Asset line (cents) in its only column.
fn inventory_asset(report: &Value) -> i64 {
    data_of(report)
        .iter()
        .find(|row| row["ColData"][0]["value"] == "Inventory Asset")
        .map_or(0, |row| cell_cents(row, 1))
}

fn units(cell: &Value) -> i64 {
    cell["value"]
        .as_str()
        .expect("text")
        .parse()
        .expect("a whole number of units")
}

/// Per item id, the inventory valuation summary's (quantity, asset value), and its TOTAL's.
fn valuation(report: &Value) -> (BTreeMap<String, (i64, i64)>, (i64, i64)) {
    let items = data_of(report)
        .iter()
        .map(|row| {
            let cells = &row["ColData"];
            (
                cells[0]["id"].as_str().expect("an id").to_owned(),
                (
                    units(&cells[2]),
                    cents(cells[3]["value"].as_str().expect("text")),
                ),
            )
        })
        .collect();
    let total = all_sections(report)
        .into_iter()
        .find(|s| s["group"] == "GrandTotal")
        .expect("a TOTAL");
    let cells = &total["Summary"]["ColData"];
    let total = (
        units(&cells[2]),
        cents(cells[3]["value"].as_str().expect("text")),
    );
    (items, total)
}

#[test]
fn inventory_valuation_is_the_balance_sheets_inventory_and_the_items_quantities() {
    let ds = books(3000);
    let tracked: Vec<usize> = (0..ds.items.len())
        .filter(|&i| ds.items[i].stock_cost().is_some())
        .collect();
    assert!(tracked.len() >= 5);
    for date in ["2022-01-20", "2023-03-31", "2023-08-31", "2025-09-19"] {
        let report = run(
            &ds,
            Report::InventoryValuationSummary,
            &format!("report_date={date}"),
        );
        let (items, total) = valuation(&report);
        assert_eq!(items.len(), tracked.len(), "{date}");
        assert_eq!(items.values().map(|v| v.0).sum::<i64>(), total.0, "{date}");
        assert_eq!(items.values().map(|v| v.1).sum::<i64>(), total.1, "{date}");
        assert!(items.values().all(|&(qty, _)| qty >= 0), "{date}");
        assert!(total.1 > 0, "{date}");
        for basis in ["Accrual", "Cash"] {
            let sheet = run(
                &ds,
                Report::BalanceSheet,
                &format!("accounting_method={basis}&start_date=2022-01-01&end_date={date}"),
            );
            assert_eq!(inventory_asset(&sheet), total.1, "{basis} {date}");
        }
    }
    // At the end of the data: each item's QtyOnHand, and the account's CurrentBalance.
    let (items, total) = valuation(&run(&ds, Report::InventoryValuationSummary, ""));
    for &index in &tracked {
        let item = &ds.items[index];
        let (qty, value) = items[&(index + 1).to_string()];
        assert_eq!(qty, item.qty_on_hand, "{}", item.name);
        assert_eq!(value, qty * item.purchase_cost, "{}", item.name);
    }
    assert_eq!(total.1, ds.accounts[crate::data::ACCT_INVENTORY].balance);
}

#[test]
fn no_day_sells_more_of_an_item_than_is_on_hand() {
    let ds = books(3000);
    let mut moves: BTreeMap<(usize, i32), (i64, i64)> = BTreeMap::new();
    inventory::for_each_movement(&ds, &Written::default(), i32::MAX, &mut |m| {
        assert_eq!(m.qty % 1000, 0, "the seeded books move whole units");
        let units = m.qty / 1000;
        let day = moves.entry((m.item, m.day)).or_default();
        if units > 0 {
            day.0 += units
        } else {
            day.1 -= units
        }
    });
    let mut on_hand: BTreeMap<usize, i64> = BTreeMap::new();
    let mut sold = 0;
    for ((item, day), (arrived, left)) in moves {
        let units = on_hand.entry(item).or_default();
        *units -= left;
        sold += left;
        assert!(*units >= 0, "item {item} on day {day}");
        *units += arrived;
    }
    assert!(sold > 1000);
    for (item, units) in on_hand {
        assert_eq!(units, ds.items[item].qty_on_hand);
    }
}

#[test]
fn inventory_valuation_detail_adds_up_to_the_summary_per_item() {
    let ds = books(3000);
    for (eve, start, end) in [
        ("2021-12-31", "2022-01-01", "2025-09-19"),
        ("2023-03-31", "2023-04-01", "2023-06-30"),
    ] {
        let detail = run(
            &ds,
            Report::InventoryValuationDetail,
            &format!("start_date={start}&end_date={end}"),
        );
        let before = run(
            &ds,
            Report::InventoryValuationSummary,
            &format!("report_date={eve}"),
        );
        let after = run(
            &ds,
            Report::InventoryValuationSummary,
            &format!("report_date={end}"),
        );
        let (opening, _) = valuation(&before);
        let (closing, closing_total) = valuation(&after);
        let [qty, cost, on_hand, value] =
            ["qty", "inv_asset_amt", "qty_on_hand", "asset_value"].map(|key| column(&detail, key));
        let mut rows_seen = 0;
        let mut moved_total = (0, 0);
        for section in all_sections(&detail) {
            let Some(id) = section["Header"]["ColData"][0]["id"].as_str() else {
                continue;
            };
            let rows = section["Rows"]["Row"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let summary = &section["Summary"]["ColData"];
            let moved: i64 = rows.iter().map(|r| units(&r["ColData"][qty])).sum();
            let moved_cost: i64 = rows.iter().map(|r| cell_cents(r, cost)).sum();
            assert_eq!(units(&summary[qty]), moved, "{id}");
            assert_eq!(
                cents(summary[cost]["value"].as_str().expect("text")),
                moved_cost
            );
            let (open_qty, open_value) = opening[id];
            let (close_qty, close_value) = closing[id];
            assert_eq!(open_qty + moved, close_qty, "{id} {start}");
            assert_eq!(open_value + moved_cost, close_value, "{id} {start}");
            assert_eq!(units(&summary[on_hand]), close_qty, "{id}");
            assert_eq!(
                cents(summary[value]["value"].as_str().expect("text")),
                close_value
            );
            if let Some(last) = rows.last() {
                assert_eq!(units(&last["ColData"][on_hand]), close_qty, "{id}");
                assert_eq!(cell_cents(last, value), close_value, "{id}");
            }
            rows_seen += rows.len();
            moved_total.0 += moved;
            moved_total.1 += moved_cost;
        }
        assert!(rows_seen > 10, "{start}: {rows_seen} {detail}");
        let total = all_sections(&detail)
            .into_iter()
            .find(|s| s["group"] == "GrandTotal")
            .expect("a TOTAL");
        let cells = &total["Summary"]["ColData"];
        assert_eq!(units(&cells[qty]), moved_total.0);
        assert_eq!(units(&cells[on_hand]), closing_total.0);
        assert_eq!(
            cents(cells[value]["value"].as_str().expect("text")),
            closing_total.1
        );
    }
}
