//! Reports end to end: the real binary runs the shipped report requests (`extract: report`)
//! against its built-in emulator over loopback, and the tidy rows must add up; after invoices are
//! created, voided and deleted through a standalone emulator, its reports move by their amounts.
//!
//! The emulator's default company (2,500 invoices) has its transactions in 2023, so the runs
//! ask for 2023 dates.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

mod common;

use common::{EmulatorProcess, Project, assert_ok, stderr, stdout};

const ROW_KEYS: [&str; 6] = ["section", "group", "kind", "depth", "account", "account_id"];

/// The shipped report requests (`extract: report`), by name; at least one per report QBO serves.
fn report_requests() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("requests");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("requests folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .filter(|path| {
            std::fs::read_to_string(path)
                .expect("request file")
                .lines()
                .any(|line| line.trim() == "extract: report")
        })
        .filter_map(|path| Some(path.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert!(names.len() >= 29, "report requests: {names:?}");
    names
}

/// Reports whose books have nothing to show (no item tracks its quantity on hand): their answer
/// is the zero TOTAL line alone.
const EMPTY_IN_THESE_BOOKS: [&str; 2] =
    ["inventory_valuation_detail", "inventory_valuation_summary"];

/// An amount cell in cents (`null` is a blank, i.e. zero); panics on anything else.
fn cents(value: &Value) -> i64 {
    match value {
        Value::Null => 0,
        Value::Number(n) => {
            let text = n.to_string();
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text.as_str()),
            };
            let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
            assert!(fraction.len() <= 2, "more than cents: {text}");
            let cents = whole.parse::<i64>().expect("digits") * 100
                + format!("{fraction:0<2}").parse::<i64>().expect("digits");
            if negative { -cents } else { cents }
        }
        other => panic!("not an amount: {other}"),
    }
}

/// Same in CSV: an empty cell is zero.
fn csv_cents(text: &str) -> i64 {
    if text.is_empty() {
        return 0;
    }
    cents(&serde_json::from_str(text).expect("a number"))
}

fn rows_of(json: &str) -> Vec<serde_json::Map<String, Value>> {
    let value: Value = serde_json::from_str(json).expect("a JSON array");
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|row| row.as_object().expect("row object").clone())
        .collect()
}

/// The value columns of a row (every key after the fixed ones).
fn value_keys(row: &serde_json::Map<String, Value>) -> Vec<String> {
    // (A windowed report's rows begin with their window.)
    let keys: Vec<&String> = row.keys().filter(|k| !k.starts_with("window_")).collect();
    assert_eq!(keys[..6], ROW_KEYS, "fixed keys first, in order");
    keys[6..].iter().map(|k| (*k).clone()).collect()
}

/// Every section's summary row equals its data rows plus its direct child sections' summaries,
/// per column, in cents; returns how many sections were checked.
fn assert_sections_add_up(rows: &[serde_json::Map<String, Value>], columns: &[String]) -> usize {
    let mut checked = 0;
    for summary in rows.iter().filter(|r| r["kind"] == "summary") {
        let section = summary["section"].as_str().expect("section");
        let depth = summary["depth"].as_u64().expect("depth");
        let prefix = format!("{section} / ");
        let children: Vec<_> = rows
            .iter()
            .filter(|r| {
                (r["kind"] == "data" && r["section"] == section)
                    || (r["kind"] == "summary"
                        && r["depth"].as_u64() == Some(depth + 1)
                        && r["section"]
                            .as_str()
                            .is_some_and(|s| s.starts_with(&prefix)))
            })
            .collect();
        if children.is_empty() {
            continue;
        }
        for column in columns {
            let sum: i64 = children.iter().map(|r| cents(&r[column])).sum();
            assert_eq!(
                sum,
                cents(&summary[column]),
                "{section} / {column}: the rows add up to {sum} cents, the summary says otherwise"
            );
        }
        checked += 1;
    }
    checked
}

fn summary_row<'a>(
    rows: &'a [serde_json::Map<String, Value>],
    group: &str,
) -> &'a serde_json::Map<String, Value> {
    // Nested sections without a group of their own carry their parent's: the outermost one is
    // the section tagged `group` itself.
    rows.iter()
        .filter(|r| r["kind"] == "summary" && r["group"] == group)
        .min_by_key(|r| r["depth"].as_u64())
        .unwrap_or_else(|| panic!("no {group} summary"))
}

#[test]
fn profit_and_loss_by_month_adds_up_to_its_summaries_and_to_the_sales() {
    let project = Project::new();
    let run = |format: &str| {
        let output = project.run([
            "requests/profit_and_loss.yaml",
            "--connection",
            "emulator",
            "--var",
            "start_date=2023-01-01",
            "--var",
            "end_date=2023-12-31",
            "--var",
            "summarize_column_by=Months",
            "--format",
            format,
        ]);
        assert_ok(&output);
        stdout(&output)
    };
    let rows = rows_of(&run("json"));
    let columns = value_keys(&rows[0]);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut expected: Vec<String> = months.iter().map(|m| format!("{m} 2023")).collect();
    expected.push("Total".into());
    assert_eq!(columns, expected);
    for row in &rows {
        assert_eq!(value_keys(row), columns, "every row has every column");
    }
    // Income, COGS, Expenses, Other Income (savings interest booked by journal entries), and
    // the summary-only sections are present.
    let checked = assert_sections_add_up(&rows, &columns);
    assert_eq!(
        checked, 4,
        "Income, Cost of Goods Sold, Expenses and Other Income have rows"
    );

    let income = summary_row(&rows, "Income");
    let cogs = summary_row(&rows, "COGS");
    let expenses = summary_row(&rows, "Expenses");
    let gross = summary_row(&rows, "GrossProfit");
    let net = summary_row(&rows, "NetIncome");
    let other = summary_row(&rows, "NetOtherIncome");
    assert_eq!(income["account"], "Total Income");
    assert_eq!(net["account"], "Net Income");
    for column in &columns {
        let (i, c, e) = (
            cents(&income[column]),
            cents(&cogs[column]),
            cents(&expenses[column]),
        );
        assert_eq!(cents(&gross[column]), i - c, "{column}");
        assert_eq!(
            cents(&net[column]),
            i - c - e + cents(&other[column]),
            "{column}"
        );
    }
    for row in &rows {
        let by_month: i64 = columns[..12].iter().map(|c| cents(&row[c])).sum();
        assert_eq!(by_month, cents(&row["Total"]), "{:?}", row["account"]);
    }
    assert_eq!(rows.last().expect("rows")["group"], "NetIncome");

    // Total Income is the lines (total less tax) of the invoices and sales receipts dated in
    // 2023, less those of the credit memos and refund receipts.
    let lines_of = |entity: &str| -> i64 {
        let file = project.file(
            &format!("requests/{entity}_2023.yaml"),
            &format!("connection: emulator\npath: /v3/company/{{{{ realm_id }}}}/query\nparams:\n  query: select * from {entity} where TxnDate >= '2023-01-01' and TxnDate <= '2023-12-31'\npaginate: {{ style: qbo-query }}\noutput:\n  format: csv\n  columns:\n    total: $.TotalAmt\n    tax: $.TxnTaxDetail.TotalTax\n"),
        );
        let output = project.run([file.as_os_str()]);
        assert_ok(&output);
        let text = stdout(&output);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.expect("csv row");
                csv_cents(&r[0]) - csv_cents(&r[1])
            })
            .sum()
    };
    let (invoices, receipts) = (lines_of("Invoice"), lines_of("SalesReceipt"));
    let (memos, refunds) = (lines_of("CreditMemo"), lines_of("RefundReceipt"));
    assert!(invoices > 0 && receipts > 0 && memos > 0 && refunds > 0);
    assert_eq!(
        cents(&income["Total"]),
        invoices + receipts - memos - refunds
    );

    // The CSV holds the same rows and amounts.
    let csv_text = run("csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header[..6], ROW_KEYS);
    assert_eq!(header[6..], columns[..]);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(records.len(), rows.len());
    for (record, row) in records.iter().zip(&rows) {
        assert_eq!(&record[2], row["kind"].as_str().expect("kind"));
        assert_eq!(&record[4], row["account"].as_str().expect("account"));
        for (at, column) in columns.iter().enumerate() {
            assert_eq!(csv_cents(&record[6 + at]), cents(&row[column]));
        }
    }
}

#[test]
fn every_shipped_report_request_runs_to_csv_and_json() {
    let project = Project::new();
    let out = project.files.path().join("out");
    let names = report_requests();
    let files: Vec<String> = names
        .iter()
        .map(|name| format!("requests/{name}.yaml"))
        .collect();
    let mut counts: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for format in ["json", "csv"] {
        let mut args: Vec<String> = files.clone();
        args.extend(
            [
                "--connection",
                "emulator",
                "--format",
                format,
                "--output-dir",
                out.to_str().expect("utf-8 path"),
                "--var",
                "start_date=2023-01-01",
                "--var",
                "end_date=2023-03-31",
                "--var",
                "report_date=2023-03-31",
                "--var",
                "summarize_column_by=Month",
            ]
            .map(str::to_string),
        );
        let output = project.run(&args);
        assert_ok(&output);
        assert!(
            stderr(&output).contains(&format!(
                "summary: {0} of {0} request(s) succeeded",
                names.len()
            )),
            "{}",
            stderr(&output)
        );
        for name in &names {
            let text =
                std::fs::read_to_string(out.join(format!("{name}.{format}"))).expect("output file");
            let rows = match format {
                "json" => {
                    let rows = rows_of(&text);
                    for row in &rows {
                        value_keys(row);
                    }
                    rows.len()
                }
                _ => {
                    let mut reader = csv::Reader::from_reader(text.as_bytes());
                    let header = reader.headers().expect("header").clone();
                    let fixed: Vec<&str> = header
                        .iter()
                        .filter(|k| !k.starts_with("window_"))
                        .take(6)
                        .collect();
                    assert_eq!(fixed, ROW_KEYS);
                    reader.records().count()
                }
            };
            let least = if EMPTY_IN_THESE_BOOKS.contains(&name.as_str()) {
                1
            } else {
                2
            };
            assert!(rows >= least, "{name}.{format} has {rows} rows");
            counts.insert((name.to_string(), format), rows);
        }
    }
    for name in &names {
        assert_eq!(
            counts[&(name.to_string(), "json")],
            counts[&(name.to_string(), "csv")],
            "{name}"
        );
    }

    let read = |name: &str| {
        rows_of(&std::fs::read_to_string(out.join(format!("{name}.json"))).expect("json"))
    };
    // The balance sheet balances at the end of every month.
    let sheet = read("balance_sheet");
    let months = value_keys(&sheet[0]);
    assert_eq!(months, ["Jan 2023", "Feb 2023", "Mar 2023"]);
    assert!(assert_sections_add_up(&sheet, &months) >= 5);
    let assets = summary_row(&sheet, "TotalAssets");
    let claims = summary_row(&sheet, "TotalLiabilitiesAndEquity");
    for month in &months {
        assert_ne!(cents(&assets[month]), 0);
        assert_eq!(cents(&assets[month]), cents(&claims[month]), "{month}");
    }
    // The trial balance's debits equal its credits, and its rows add up to them.
    let trial = read("trial_balance");
    let total = summary_row(&trial, "GrandTotal");
    assert_eq!(total["account"], "TOTAL");
    assert_eq!(cents(&total["Debit"]), cents(&total["Credit"]));
    let data = trial.iter().filter(|r| r["kind"] == "data");
    let (debits, credits) = data.fold((0, 0), |(d, c), r| {
        (d + cents(&r["Debit"]), c + cents(&r["Credit"]))
    });
    assert_eq!(
        (debits, credits),
        (cents(&total["Debit"]), cents(&total["Credit"]))
    );
    // A/R aging agrees with the balance sheet's receivables on the same day.
    let aging = read("aged_receivables");
    assert_eq!(
        cents(&summary_row(&aging, "GrandTotal")["Total"]),
        cents(&summary_row(&sheet, "AR")["Mar 2023"])
    );
    // The cash flow's ending cash is the balance sheet's bank accounts.
    let flow = read("cash_flow");
    assert!(assert_sections_add_up(&flow, &value_keys(&flow[0])) >= 2);
    assert_eq!(
        cents(&summary_row(&flow, "EndingCash")["Total"]),
        cents(&summary_row(&sheet, "BankAccounts")["Mar 2023"])
    );
    // General ledger lines carry their account, and text columns stay text.
    let ledger = read("general_ledger");
    let line = ledger
        .iter()
        .find(|r| r["Transaction Type"] == "Invoice")
        .expect("an invoice line");
    assert!(line["account"].is_string() && line["account_id"].is_string());
    assert!(
        line["Date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2023-0"))
    );
    assert!(line["Num"].is_string());
    assert!(line["Amount"].is_number());
}

#[test]
fn declared_csv_columns_pick_from_the_report_rows() {
    let project = Project::new();
    let request = project.file(
        "requests/income.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/reports/ProfitAndLoss\nparams:\n  start_date: '2023-01-01'\n  end_date: '2023-03-31'\n  summarize_column_by: Quarter\nextract: report\noutput:\n  format: csv\n  columns:\n    line: $.account\n    kind: $.kind\n    q1: $['Q1 2023']\n",
    );
    let output = project.run([request.as_os_str()]);
    assert_ok(&output);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "line,kind,q1");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Total Income,summary,") && l.len() > 21),
        "{text}"
    );
    assert!(
        lines
            .last()
            .expect("a row")
            .starts_with("Net Income,summary,")
    );
}

#[test]
fn report_mistakes_are_clear_errors() {
    let project = Project::new();
    let paged = project.file(
        "requests/paged_report.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Invoice\npaginate: { style: qbo-query }\nextract: report\n",
    );
    let output = project.run(["check".as_ref(), paged.as_os_str()]);
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert!(
        text.contains("`extract: report` cannot be combined with `paginate: qbo-query`"),
        "{text}"
    );
    assert!(text.contains("paged_report.yaml:6:10"), "{text}");

    let misspelt = project.file(
        "requests/misspelt.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/reports/ProfitAndLoss\nextract: reports\n",
    );
    let output = project.run(["check".as_ref(), misspelt.as_os_str()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("misspelt.yaml:3:"),
        "{}",
        stderr(&output)
    );

    let unknown = project.file(
        "requests/unknown.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/reports/SalesByProduct\nextract: report\n",
    );
    let output = project.run([unknown.as_os_str()]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Unsupported Operation"),
        "{}",
        stderr(&output)
    );

    let not_a_report = project.file(
        "requests/not_a_report.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/companyinfo/{{ realm_id }}\nextract: report\n",
    );
    let output = project.run([not_a_report.as_os_str()]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("the answer is not a QBO report: it has no Columns.Column list"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty(), "a failed run writes no records");

    // To a file: the failed runs leave neither the file nor a temporary one.
    let out_dir = tempfile::tempdir().expect("out dir");
    for request in [&unknown, &not_a_report] {
        let target = out_dir.path().join("report.csv");
        let output = project.run([
            request.as_os_str(),
            "--output".as_ref(),
            target.as_os_str(),
            "--format".as_ref(),
            "csv".as_ref(),
        ]);
        assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
        assert_eq!(
            std::fs::read_dir(out_dir.path()).expect("dir").count(),
            0,
            "no output or temporary file"
        );
    }
}

/// Runs a shipped report request against `connection` with `vars`; its rows.
fn report_rows(
    project: &Project,
    connection: &Path,
    request: &str,
    vars: &[&str],
) -> Vec<serde_json::Map<String, Value>> {
    let mut args: Vec<std::ffi::OsString> = vec![
        format!("requests/{request}.yaml").into(),
        "--connection".into(),
        connection.into(),
        "--format".into(),
        "json".into(),
    ];
    for var in vars {
        args.push("--var".into());
        args.push((*var).into());
    }
    let output = project.run(&args);
    assert_ok(&output);
    rows_of(&stdout(&output))
}

/// Total Income of February 2023 on the accrual basis, after checking that the balance sheet
/// balances and the trial balance's debits equal its credits at the end of 2023.
fn february_income(project: &Project, connection: &Path) -> i64 {
    let period = ["start_date=2023-02-01", "end_date=2023-02-28"];
    let pl = report_rows(project, connection, "profit_and_loss", &period);
    let at_end = ["start_date=2023-01-01", "end_date=2023-12-31"];
    let sheet = report_rows(project, connection, "balance_sheet", &at_end);
    assert_eq!(
        cents(&summary_row(&sheet, "TotalAssets")["Total"]),
        cents(&summary_row(&sheet, "TotalLiabilitiesAndEquity")["Total"]),
        "the balance sheet balances"
    );
    let trial = report_rows(project, connection, "trial_balance", &at_end);
    let total = summary_row(&trial, "GrandTotal");
    assert_eq!(
        cents(&total["Debit"]),
        cents(&total["Credit"]),
        "debits = credits"
    );
    cents(&summary_row(&pl, "Income")["Total"])
}

#[test]
fn reports_follow_invoices_created_voided_and_deleted_through_the_api() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let before = february_income(&project, &conn);

    let create = project.file(
        "requests/create.yaml",
        &format!(
            r#"connection: {}
method: POST
path: /v3/company/{{{{ realm_id }}}}/invoice
input:
  format: csv
write:
  entity: Invoice
  operation: create
body: |
  {{
    "TxnDate": {{{{ row.date }}}},
    "CustomerRef": {{"value": "3"}},
    "Line": [{{
      "Amount": {{{{ row.amount | float }}}},
      "DetailType": "SalesItemLineDetail",
      "SalesItemLineDetail": {{"ItemRef": {{"value": "1"}}}}
    }}]
  }}
output:
  format: jsonl
"#,
            conn.display()
        ),
    );
    let input = project.file(
        "new.csv",
        "date,amount\n2023-02-10,275.25\n2023-02-20,100.10\n",
    );
    let output = project.run([create.as_os_str(), "--input".as_ref(), input.as_os_str()]);
    assert_ok(&output);
    let created: Vec<Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a result per line"))
        .collect();
    assert_eq!(created.len(), 2);
    assert_eq!(february_income(&project, &conn), before + 27_525 + 10_010);

    let id = |at: usize| created[at]["id"].as_str().expect("id").to_owned();
    let change = |request: &str, at: usize| {
        let rows = project.file("change.csv", &format!("id,sync_token\n{},0\n", id(at)));
        let output = project.run([
            format!("requests/{request}.yaml").as_ref(),
            "--connection".as_ref(),
            conn.as_os_str(),
            "--input".as_ref(),
            rows.as_os_str(),
        ]);
        assert_ok(&output);
    };
    change("void_invoices", 0);
    assert_eq!(february_income(&project, &conn), before + 10_010);
    change("delete_invoices", 1);
    assert_eq!(february_income(&project, &conn), before);
}

/// Runs a shipped query request against the built-in emulator; its CSV rows, with `total` and
/// `balance` as numbers.
fn query_rows(project: &Project, request: &str) -> Vec<serde_json::Map<String, Value>> {
    let output = project.run([
        format!("requests/{request}.yaml").as_str(),
        "--connection",
        "emulator",
    ]);
    assert_ok(&output);
    let text = stdout(&output);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|record| {
            let record = record.expect("a CSV row");
            header
                .iter()
                .zip(record.iter())
                .map(|(key, text)| {
                    let value = match key {
                        "total" | "balance" => serde_json::from_str(text).expect("an amount"),
                        _ => Value::String(text.to_owned()),
                    };
                    (key.to_owned(), value)
                })
                .collect()
        })
        .collect()
}

/// Per value of `key` in `rows` (those `keep` accepts), the sum of the amounts under `amount`,
/// without the zero sums.
fn sums(
    rows: &[serde_json::Map<String, Value>],
    keep: impl Fn(&serde_json::Map<String, Value>) -> bool,
    key: &str,
    amount: &str,
) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for row in rows.iter().filter(|r| keep(r)) {
        let name = row.get(key).and_then(Value::as_str).unwrap_or_default();
        let value = row.get(amount).unwrap_or(&Value::Null);
        *out.entry(name.to_owned()).or_default() += cents(value);
    }
    out.retain(|_, v| *v != 0);
    out
}

fn data(row: &serde_json::Map<String, Value>) -> bool {
    row["kind"] == "data"
}

#[test]
fn summary_and_detail_reports_agree_with_each_other_and_with_the_transactions_served() {
    let project = Project::new();
    let emulator = Path::new("emulator");
    // After the last transaction of the books: every payment is in.
    let day = ["report_date=2025-12-31"];
    let rows = |request: &str, vars: &[&str]| report_rows(&project, emulator, request, vars);

    // A/R: aging = aging detail = customer balance (+ detail) = the invoices' Balance less
    // the credit memos' credits.
    let invoices = query_rows(&project, "invoices");
    let mut open_invoices = sums(&invoices, |_| true, "customer", "balance");
    assert!(open_invoices.len() >= 10, "{open_invoices:?}");
    let credit_memos = query_rows(&project, "credit_memos");
    assert!(!credit_memos.is_empty());
    for (customer, credit) in sums(&credit_memos, |_| true, "customer", "total") {
        *open_invoices.entry(customer).or_default() -= credit;
    }
    open_invoices.retain(|_, v| *v != 0);
    let aging = sums(&rows("aged_receivables", &day), data, "account", "Total");
    assert_eq!(
        aging, open_invoices,
        "AgedReceivables = Invoice.Balance - CreditMemo.TotalAmt"
    );
    let detail = rows("aged_receivable_detail", &day);
    assert_eq!(sums(&detail, data, "Customer", "Open Balance"), aging);
    let balance = sums(&rows("customer_balance", &day), data, "account", "Total");
    assert_eq!(balance, aging, "CustomerBalance = AgedReceivables");
    let detail = rows("customer_balance_detail", &day);
    assert_eq!(sums(&detail, data, "account", "Open Balance"), aging);

    // A/P: the same with the bills and the vendor credits.
    let bills = query_rows(&project, "bills");
    let mut unpaid = sums(&bills, |_| true, "vendor", "balance");
    assert!(unpaid.len() >= 3, "{unpaid:?}");
    let vendor_credits = query_rows(&project, "vendor_credits");
    assert!(!vendor_credits.is_empty());
    for (vendor, credit) in sums(&vendor_credits, |_| true, "vendor", "total") {
        *unpaid.entry(vendor).or_default() -= credit;
    }
    unpaid.retain(|_, v| *v != 0);
    let aging = sums(&rows("aged_payables", &day), data, "account", "Total");
    assert_eq!(
        aging, unpaid,
        "AgedPayables = Bill.Balance - VendorCredit.TotalAmt"
    );
    let detail = rows("aged_payable_detail", &day);
    assert_eq!(sums(&detail, data, "Vendor", "Open Balance"), aging);
    let balance = sums(&rows("vendor_balance", &day), data, "account", "Total");
    assert_eq!(balance, aging, "VendorBalance = AgedPayables");
    let detail = rows("vendor_balance_detail", &day);
    assert_eq!(sums(&detail, data, "account", "Open Balance"), aging);

    // P&L = P&L detail per account, on both bases.
    for basis in ["Accrual", "Cash"] {
        let method = format!("accounting_method={basis}");
        let period = [
            "start_date=2023-01-01",
            "end_date=2023-03-31",
            method.as_str(),
        ];
        let pl = sums(&rows("profit_and_loss", &period), data, "account", "Total");
        assert!(pl.len() >= 5, "{pl:?}");
        let detail = sums(
            &rows("profit_and_loss_detail", &period),
            data,
            "account",
            "Amount",
        );
        assert_eq!(detail, pl, "{basis}");
    }

    // Inventory: the valuation's TOTAL is the balance sheet's Inventory Asset on the same day,
    // and each item's movements in the detail add up to its quantity and value in the summary.
    let valuation = rows("inventory_valuation_summary", &day);
    let worth = cents(&summary_row(&valuation, "GrandTotal")["Asset Value"]);
    assert!(worth > 0, "the books hold inventory");
    let whole = ["start_date=2022-01-01", "end_date=2025-12-31"];
    let sheet = rows("balance_sheet", &whole);
    let asset = sheet
        .iter()
        .find(|r| data(r) && r["account"] == "Inventory Asset")
        .expect("an Inventory Asset line");
    assert_eq!(cents(&asset["Total"]), worth, "valuation = Inventory Asset");
    let detail = rows("inventory_valuation_detail", &whole);
    assert_eq!(
        sums(&detail, data, "account", "FIFO Cost"),
        sums(&valuation, data, "account", "Asset Value"),
        "InventoryValuationDetail = InventoryValuationSummary per item"
    );
    let units = |rows: &[serde_json::Map<String, Value>], key: &str| -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for row in rows.iter().filter(|r| data(r)) {
            let name = row["account"].as_str().unwrap_or_default().to_owned();
            let qty = match &row[key] {
                Value::String(text) => text.parse::<i64>().expect("whole units"),
                Value::Number(n) => n.as_i64().expect("whole units"),
                other => panic!("not a quantity: {other}"),
            };
            *out.entry(name).or_default() += qty;
        }
        out
    };
    assert_eq!(units(&detail, "Qty"), units(&valuation, "Qty"));

    // The transaction list's amounts are the invoices' and bills' TotalAmt.
    let february = ["start_date=2023-02-01", "end_date=2023-02-28"];
    let list = rows("transaction_list", &february);
    let in_february = |row: &serde_json::Map<String, Value>| {
        row["date"]
            .as_str()
            .is_some_and(|d| d.starts_with("2023-02-"))
    };
    for (kind, served) in [("Invoice", &invoices), ("Bill", &bills)] {
        let listed = sums(
            &list,
            |r| r["Transaction Type"] == kind && r["Num"].is_string(),
            "Num",
            "Amount",
        );
        let totals = sums(
            served,
            |r| in_february(r) && r["number"].as_str().is_some_and(|n| !n.is_empty()),
            "number",
            "total",
        );
        assert!(totals.len() >= 3, "{kind}: {totals:?}");
        assert_eq!(listed, totals, "{kind}");
    }
}

/// The rows of a JSON run of `args`, which must succeed.
fn json_rows(project: &Project, args: &[&str]) -> Vec<serde_json::Map<String, Value>> {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    let output = project.run(&all);
    assert_ok(&output);
    rows_of(&stdout(&output))
}

/// A ledger line as text, without its window and the keys `skip` names.
fn line_text(row: &serde_json::Map<String, Value>, skip: &[&str]) -> String {
    let kept: serde_json::Map<String, Value> = row
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()) && !k.starts_with("window_"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    serde_json::to_string(&kept).expect("JSON")
}

/// Each account's summary amount (in cents), summed over all summary rows of that account.
fn summaries_by_account(
    rows: &[serde_json::Map<String, Value>],
    column: &str,
) -> BTreeMap<String, i64> {
    let mut sums = BTreeMap::new();
    for row in rows.iter().filter(|r| r["kind"] == "summary") {
        let account = row["account"].as_str().unwrap_or("").to_string();
        *sums.entry(account).or_insert(0) += cents(&row[column]);
    }
    sums
}

#[test]
fn a_ledger_in_monthly_windows_is_the_one_shot_ledger_with_the_month_on_each_row() {
    let project = Project::new();
    // Not whole months: the first and last windows are cut at the range's ends.
    let range = [
        "--var",
        "start_date=2023-01-15",
        "--var",
        "end_date=2023-04-10",
        "--connection",
        "emulator",
    ];
    let mut one_shot_args = vec!["requests/general_ledger.yaml"];
    one_shot_args.extend(range);
    let one_shot = json_rows(&project, &one_shot_args);
    let mut windowed_args = vec!["requests/general_ledger_by_month.yaml"];
    windowed_args.extend(range);
    let windowed = json_rows(&project, &windowed_args);

    let spans: Vec<(String, String)> = windowed
        .iter()
        .map(|r| {
            let keys: Vec<&String> = r.keys().take(2).collect();
            assert_eq!(keys, ["window_start", "window_end"], "window keys first");
            (
                r["window_start"].as_str().expect("start").to_string(),
                r["window_end"].as_str().expect("end").to_string(),
            )
        })
        .fold(Vec::new(), |mut spans, span| {
            if spans.last() != Some(&span) {
                spans.push(span);
            }
            spans
        });
    let pairs =
        |list: [(&str, &str); 4]| list.map(|(a, b)| (a.to_string(), b.to_string())).to_vec();
    assert_eq!(
        spans,
        pairs([
            ("2023-01-15", "2023-01-31"),
            ("2023-02-01", "2023-02-28"),
            ("2023-03-01", "2023-03-31"),
            ("2023-04-01", "2023-04-10"),
        ]),
        "one block of rows per month, in order"
    );
    for row in &windowed {
        let date = row["Date"].as_str().unwrap_or("");
        if date.starts_with("20") {
            let (start, end) = (row["window_start"].as_str(), row["window_end"].as_str());
            assert!(
                Some(date) >= start && Some(date) <= end,
                "{date} outside {start:?}..{end:?}"
            );
        }
    }

    // The same transaction lines, running balances included (each window's beginning balance
    // is where the one before it ended); only the window keys are new.
    let lines = |rows: &[serde_json::Map<String, Value>]| {
        let mut lines: Vec<String> = rows
            .iter()
            .filter(|r| r["kind"] == "data" && r["Date"] != "Beginning Balance")
            .map(|r| line_text(r, &[]))
            .collect();
        lines.sort();
        lines
    };
    let expected = lines(&one_shot);
    assert!(expected.len() > 1000, "{} lines", expected.len());
    assert_eq!(lines(&windowed), expected);
    // Each account's total over the range is the sum of its monthly totals.
    let totals = summaries_by_account(&one_shot, "Amount");
    assert_eq!(summaries_by_account(&windowed, "Amount"), totals);
    assert!(totals.values().any(|&c| c != 0));
}

#[test]
fn a_profit_and_loss_in_quarters_adds_up_to_the_year() {
    let project = Project::new();
    let text = std::fs::read_to_string("requests/profit_and_loss.yaml").expect("read");
    let quarterly = project.file(
        "requests/profit_and_loss_by_quarter.yaml",
        &format!("window: {{ every: quarter, concurrency: 2 }}\n{text}"),
    );
    let range = [
        "--var",
        "start_date=2023-01-01",
        "--var",
        "end_date=2023-12-31",
        "--connection",
        "emulator",
    ];
    let mut args = vec!["requests/profit_and_loss.yaml"];
    args.extend(range);
    let year = json_rows(&project, &args);
    let path = quarterly.to_str().expect("utf-8 path");
    let mut args = vec![path];
    args.extend(range);
    let quarters = json_rows(&project, &args);
    let windows: std::collections::BTreeSet<&str> = quarters
        .iter()
        .map(|r| r["window_start"].as_str().expect("start"))
        .collect();
    assert_eq!(
        windows.into_iter().collect::<Vec<_>>(),
        ["2023-01-01", "2023-04-01", "2023-07-01", "2023-10-01"]
    );
    let by_account = |rows: &[serde_json::Map<String, Value>]| {
        let mut sums: BTreeMap<String, i64> = BTreeMap::new();
        for row in rows {
            let key = format!("{} {}", row["kind"], row["account"]);
            *sums.entry(key).or_insert(0) += cents(&row["Total"]);
        }
        sums
    };
    let totals = by_account(&year);
    assert!(totals.len() > 5);
    assert_eq!(
        by_account(&quarters),
        totals,
        "every line and total adds up"
    );
}

#[test]
fn a_dense_ledger_is_cut_short_as_qbo_does_and_windows_get_it_whole() {
    let project = Project::new();
    // A year of the default company's ledger has about 100,000 cells, a month under 10,000.
    let dense = project.file(
        "connections/dense.yaml",
        "environment: emulator\nemulator:\n  report_max_cells: 30000\n",
    );
    let dense = dense.to_str().expect("utf-8 path");
    let year = [
        "--var",
        "start_date=2023-01-01",
        "--var",
        "end_date=2023-12-31",
    ];
    let target = project.files.path().join("ledger.csv");
    let mut args = vec!["requests/general_ledger.yaml", "--connection", dense];
    args.extend(year);
    args.extend(["--output", target.to_str().expect("utf-8 path")]);
    let output = project.run(&args);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("QBO cut the report short: \"Unable to display more data. Please reduce the date range.\" (GeneralLedger from 2023-01-01 to 2023-12-31)"),
        "{text}"
    );
    assert!(text.contains("`window: month`"), "{text}");
    assert!(!target.exists(), "no partial output");

    let mut args = vec![
        "requests/general_ledger_by_month.yaml",
        "--connection",
        dense,
    ];
    args.extend(year);
    let windowed = json_rows(&project, &args);
    let mut args = vec!["requests/general_ledger.yaml", "--connection", "emulator"];
    args.extend(year);
    let whole = json_rows(&project, &args);
    let lines = |rows: &[serde_json::Map<String, Value>]| {
        let mut lines: Vec<String> = rows
            .iter()
            .filter(|r| r["kind"] == "data" && r["Date"] != "Beginning Balance")
            .map(|r| line_text(r, &[]))
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(lines(&windowed), lines(&whole));
    assert_eq!(
        summaries_by_account(&windowed, "Amount"),
        summaries_by_account(&whole, "Amount")
    );
}

#[test]
fn a_windowed_request_without_a_usable_range_is_refused_where_it_says_so() {
    let project = Project::new();
    let check = |name: &str, text: &str| {
        let file = project.file(&format!("requests/{name}.yaml"), text);
        let output = project.run(["check".as_ref(), file.as_os_str()]);
        assert_eq!(output.status.code(), Some(3), "{name}: {}", stderr(&output));
        stderr(&output)
    };
    let head = "connection: emulator\npath: /v3/company/{{ realm_id }}/reports/GeneralLedger\n";
    let text = check(
        "no_range",
        &format!(
            "{head}window: month\nvars:\n  start_date: {{ default: '2023-01-01' }}\nparams:\n  start_date: '{{{{ start_date }}}}'\nextract: report\n"
        ),
    );
    assert!(
        text.contains("`window: month` needs the report's range: the variable `end_date` sent as the parameter `end_date`"),
        "{text}"
    );
    assert!(text.contains("no_range.yaml:3:1"), "{text}");
    let text = check(
        "not_sent",
        &format!(
            "{head}vars:\n  start_date: {{ default: '' }}\n  end_date: {{ default: '' }}\nparams:\n  start_date: '{{{{ start_date }}}}'\n  end_date: '2023-12-31'\nextract: report\nwindow: week\n"
        ),
    );
    assert!(text.contains("`params.end_date` does not use"), "{text}");
    assert!(text.contains("not_sent.yaml:10:1"), "{text}");
    let range = "vars:\n  start_date: { default: '2023-02-30' }\n  end_date: { default: '2023-01-01' }\nparams:\n  start_date: '{{ start_date }}'\n  end_date: '{{ end_date }}'\n";
    let text = check(
        "bad_default",
        &format!("{head}window: day\n{range}extract: report\n"),
    );
    assert!(
        text.contains("the default of `start_date` is \"2023-02-30\", not a date"),
        "{text}"
    );
    assert!(text.contains("bad_default.yaml:5:26"), "{text}");
    let text = check("not_a_report", &format!("{head}window: month\n{range}"));
    assert!(text.contains("is for reports"), "{text}");
    let text = check(
        "misspelt",
        &format!("{head}window: monthly\n{range}extract: report\n"),
    );
    assert!(text.contains("misspelt.yaml:3:"), "{text}");
    let text = check(
        "too_many",
        &format!("{head}window: {{ every: month, concurrency: 11 }}\n{range}extract: report\n"),
    );
    assert!(
        text.contains("`window.concurrency` must be between 1 and 10"),
        "{text}"
    );

    // A dry run shows the first window's call and how many windows there are.
    let output = project.run([
        "requests/general_ledger_by_month.yaml",
        "--connection",
        "emulator",
        "--var",
        "start_date=2024-01-31",
        "--var",
        "end_date=2024-03-01",
        "--dry-run",
    ]);
    assert_ok(&output);
    let text = stdout(&output);
    assert!(
        text.contains("start_date=2024-01-31&end_date=2024-01-31&"),
        "{text}"
    );
    assert!(
        text.contains("# window: 3 windows of one month each (4 at once), from 2024-01-31 to 2024-01-31 (shown above) through 2024-03-01 to 2024-03-01"),
        "{text}"
    );

    // Dates are checked when the run starts: empty, or the end before the start.
    let output = project.run([
        "requests/general_ledger_by_month.yaml",
        "--connection",
        "emulator",
        "--var",
        "start_date=",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("asks for its report in windows (`window: month`) but `start_date` is empty"),
        "{}",
        stderr(&output)
    );
    let output = project.run([
        "requests/general_ledger_by_month.yaml",
        "--connection",
        "emulator",
        "--var",
        "end_date=2022-01-01",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("`end_date` 2022-01-01 is before `start_date` 2022-12-01"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_multicurrency_company_carries_currencies_and_reports_in_the_home_currency() {
    let project = Project::new();
    let connection = ["--connection", "connections/emulator_multicurrency.yaml"];
    let query = project.file(
        "requests/all_invoices.yaml",
        "path: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Invoice\npaginate: { style: qbo-query }\noutput: { format: jsonl }\n",
    );
    let mut args = vec![query.to_str().expect("utf-8 path")];
    args.extend(connection);
    let output = project.run(&args);
    assert_ok(&output);
    let invoices: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).expect("an invoice"))
        .collect();
    let (mut foreign, mut open_home) = (0, 0i64);
    for invoice in &invoices {
        let total = cents(&invoice["TotalAmt"]);
        let home = cents(&invoice["HomeTotalAmt"]);
        match invoice["CurrencyRef"]["value"].as_str() {
            Some("CAD") => {
                foreign += 1;
                assert_eq!(invoice["ExchangeRate"], 0.73);
                assert_eq!(invoice["CurrencyRef"]["name"], "Canadian Dollar");
                assert_eq!(home, (total * 73 + 50) / 100, "{invoice}");
            }
            Some("USD") => {
                assert_eq!(invoice["ExchangeRate"], 1);
                assert_eq!(home, total);
            }
            other => panic!("currency {other:?}"),
        }
        open_home += cents(&invoice["HomeBalance"]);
    }
    assert!(
        foreign > 100 && foreign < invoices.len(),
        "{foreign} of {}",
        invoices.len()
    );

    let report = |name: &str, connection: &[&str]| {
        let file = format!("requests/{name}.yaml");
        let mut args = vec![file.as_str()];
        args.extend(connection);
        if name == "aged_receivables" {
            args.extend(["--var", "report_date=2023-12-31"]);
        } else {
            args.extend([
                "--var",
                "start_date=2023-01-01",
                "--var",
                "end_date=2023-12-31",
            ]);
        }
        json_rows(&project, &args)
    };
    let sheet = report("balance_sheet", &connection);
    let column = value_keys(&sheet[0]).last().cloned().expect("a column");
    let assets = cents(&summary_row(&sheet, "TotalAssets")[&column]);
    assert_ne!(assets, 0);
    assert_eq!(
        assets,
        cents(&summary_row(&sheet, "TotalLiabilitiesAndEquity")[&column])
    );
    let aging = report("aged_receivables", &connection);
    let receivable = cents(&summary_row(&aging, "GrandTotal")["Total"]);
    assert_eq!(receivable, cents(&summary_row(&sheet, "AR")[&column]));
    // Less the credit memos' credits (in the home currency).
    let memos = project.file(
        "requests/all_credit_memos.yaml",
        "path: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from CreditMemo\npaginate: { style: qbo-query }\noutput: { format: jsonl }\n",
    );
    let mut args = vec![memos.to_str().expect("utf-8 path")];
    args.extend(connection);
    let output = project.run(&args);
    assert_ok(&output);
    let credits: i64 = stdout(&output)
        .lines()
        .map(|l| {
            let memo: Value = serde_json::from_str(l).expect("a credit memo");
            cents(&memo["TotalAmt"])
        })
        .sum();
    assert_ne!(credits, 0);
    assert_eq!(
        receivable,
        open_home - credits,
        "A/R is the invoices' HomeBalance less the credit memos"
    );
    // The same books in one currency: the Canadian sales count for less in USD.
    let income =
        |rows: &[serde_json::Map<String, Value>]| cents(&summary_row(rows, "Income")["Total"]);
    let single = report("profit_and_loss", &["--connection", "emulator"]);
    let multi = report("profit_and_loss", &connection);
    assert!(
        income(&multi) < income(&single),
        "{} vs {}",
        income(&multi),
        income(&single)
    );
}
