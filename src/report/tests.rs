use super::*;
use serde_json::json;

const PROFIT_AND_LOSS: &str = include_str!("../../tests/fixtures/report-profitandloss.json");

fn lines(report: &Value) -> Vec<String> {
    flatten(report)
        .expect("a report")
        .iter()
        .map(|row| serde_json::to_string(row).expect("JSON"))
        .collect()
}

#[test]
fn the_profit_and_loss_sample_flattens_to_exact_rows() {
    let report: Value = serde_json::from_str(PROFIT_AND_LOSS).expect("sample JSON");
    let expected = [
        r#"{"section":"Income","group":"Income","kind":"data","depth":1,"account":"Sales of Product Income","account_id":"80","Jul 2025":1210.5,"Aug 2025":987.25,"Total":2197.75}"#,
        r#"{"section":"Income","group":"Income","kind":"data","depth":1,"account":"Service Income","account_id":"79","Jul 2025":8400,"Aug 2025":9150,"Total":17550}"#,
        r#"{"section":"Income","group":"Income","kind":"summary","depth":1,"account":"Total Income","account_id":null,"Jul 2025":9610.5,"Aug 2025":10137.25,"Total":19747.75}"#,
        r#"{"section":"Cost of Goods Sold","group":"COGS","kind":"data","depth":1,"account":"Cost of Goods Sold","account_id":"81","Jul 2025":605.25,"Aug 2025":493.6,"Total":1098.85}"#,
        r#"{"section":"Cost of Goods Sold","group":"COGS","kind":"summary","depth":1,"account":"Total Cost of Goods Sold","account_id":null,"Jul 2025":605.25,"Aug 2025":493.6,"Total":1098.85}"#,
        r#"{"section":"Gross Profit","group":"GrossProfit","kind":"summary","depth":1,"account":"Gross Profit","account_id":null,"Jul 2025":9005.25,"Aug 2025":9643.65,"Total":18648.9}"#,
        r#"{"section":"Expenses","group":"Expenses","kind":"data","depth":1,"account":"Advertising","account_id":"7","Jul 2025":350,"Aug 2025":null,"Total":350}"#,
        r#"{"section":"Expenses / Automobile","group":"Expenses","kind":"data","depth":2,"account":"Fuel","account_id":"56","Jul 2025":212.4,"Aug 2025":198.75,"Total":411.15}"#,
        r#"{"section":"Expenses / Automobile","group":"Expenses","kind":"summary","depth":2,"account":"Total Automobile","account_id":"55","Jul 2025":212.4,"Aug 2025":198.75,"Total":411.15}"#,
        r#"{"section":"Expenses","group":"Expenses","kind":"data","depth":1,"account":"Rent or Lease","account_id":"17","Jul 2025":2400,"Aug 2025":2400,"Total":4800}"#,
        r#"{"section":"Expenses","group":"Expenses","kind":"data","depth":1,"account":"Utilities","account_id":"24","Jul 2025":318.9,"Aug 2025":341.15,"Total":660.05}"#,
        r#"{"section":"Expenses","group":"Expenses","kind":"summary","depth":1,"account":"Total Expenses","account_id":null,"Jul 2025":3281.3,"Aug 2025":2939.9,"Total":6221.2}"#,
        r#"{"section":"Net Operating Income","group":"NetOperatingIncome","kind":"summary","depth":1,"account":"Net Operating Income","account_id":null,"Jul 2025":5723.95,"Aug 2025":6703.75,"Total":12427.7}"#,
        r#"{"section":"Net Income","group":"NetIncome","kind":"summary","depth":1,"account":"Net Income","account_id":null,"Jul 2025":5723.95,"Aug 2025":6703.75,"Total":12427.7}"#,
    ];
    assert_eq!(lines(&report), expected);
}

#[test]
fn the_sample_rows_add_up_to_their_section_summaries() {
    let report: Value = serde_json::from_str(PROFIT_AND_LOSS).expect("sample JSON");
    let rows = flatten(&report).expect("a report");
    let cents = |row: &Value, key: &str| -> i64 {
        row[key]
            .as_f64()
            .map_or(0, |amount| (amount * 100.0).round() as i64)
    };
    let mut checked = 0;
    for summary in rows.iter().filter(|r| r["kind"] == "summary") {
        let section = summary["section"].as_str().expect("section");
        let depth = summary["depth"].as_u64().expect("depth");
        let children: Vec<&Value> = rows
            .iter()
            .filter(|r| {
                (r["kind"] == "data" && r["section"] == section)
                    || (r["kind"] == "summary"
                        && r["depth"] == depth + 1
                        && r["section"]
                            .as_str()
                            .is_some_and(|s| s.starts_with(&format!("{section} / "))))
            })
            .collect();
        if children.is_empty() {
            continue;
        }
        for key in ["Jul 2025", "Aug 2025", "Total"] {
            let sum: i64 = children.iter().map(|r| cents(r, key)).sum();
            assert_eq!(sum, cents(summary, key), "{section} {key}");
        }
        checked += 1;
    }
    assert_eq!(checked, 4, "Income, COGS, Automobile and Expenses");
}

#[test]
fn amounts_are_exact_numbers_or_stay_text() {
    let cases = [
        ("4239.96", Some("4239.96")),
        ("-12.50", Some("-12.5")),
        ("2400.00", Some("2400")),
        ("0.00", Some("0")),
        ("-0.00", Some("0")),
        ("0.1", Some("0.1")),
        (".5", Some("0.5")),
        ("007.10", Some("7.1")),
        ("1234567890123.45", Some("1234567890123.45")),
        ("99999999999999999", Some("99999999999999999")),
        ("12345678901234567.89", None),
        ("99999999999999999999", None),
        ("1e5", None),
        ("1,234.00", None),
        ("+5", None),
        (".", None),
        ("-", None),
        ("N/A", None),
    ];
    for (text, expected) in cases {
        assert_eq!(
            amount(text).map(|n| n.to_string()).as_deref(),
            expected,
            "{text}"
        );
    }
}

fn report(columns: Value, rows: Value) -> Value {
    json!({
        "Header": {"ReportName": "Test"},
        "Columns": {"Column": columns},
        "Rows": {"Row": rows},
    })
}

#[test]
fn a_ledger_takes_its_account_from_the_section_and_keeps_text_columns() {
    let ledger = report(
        json!([
            {"ColTitle": "Date", "ColType": "tx_date"},
            {"ColTitle": "Num", "ColType": "doc_num"},
            {"ColTitle": "Amount", "ColType": "subt_nat_amount"},
            {"ColTitle": "Balance", "ColType": "rbal_nat_amount"},
        ]),
        json!([{
            "type": "Section",
            "Header": {"ColData": [{"value": "Checking", "id": "1"}, {"value": ""}, {"value": ""}, {"value": ""}]},
            "Rows": {"Row": [
                {"type": "Data", "ColData": [{"value": "Beginning Balance"}, {"value": ""}, {"value": ""}, {"value": "100.00"}]},
                {"type": "Data", "ColData": [{"value": "2025-07-02"}, {"value": "1001", "id": "9"}, {"value": "-20.10"}, {"value": "79.90"}]},
            ]},
            "Summary": {"ColData": [{"value": "Total for Checking"}, {"value": ""}, {"value": "-20.10"}, {"value": ""}]},
        }]),
    );
    assert_eq!(
        lines(&ledger),
        [
            r#"{"section":"Checking","group":null,"kind":"data","depth":1,"account":"Checking","account_id":"1","Date":"Beginning Balance","Num":null,"Amount":null,"Balance":100}"#,
            r#"{"section":"Checking","group":null,"kind":"data","depth":1,"account":"Checking","account_id":"1","Date":"2025-07-02","Num":"1001","Amount":-20.1,"Balance":79.9}"#,
            r#"{"section":"Checking","group":null,"kind":"summary","depth":1,"account":"Checking","account_id":"1","Date":"Total for Checking","Num":null,"Amount":-20.1,"Balance":null}"#,
        ]
    );
}

#[test]
fn column_names_fall_back_and_never_collide() {
    let odd = report(
        json!([
            {"ColTitle": "", "ColType": "Account"},
            {"ColTitle": "", "ColType": "Money", "MetaData": [{"Name": "ColKey", "Value": "total"}]},
            {"ColTitle": "account", "ColType": "Money"},
            {"ColTitle": "Total", "ColType": "Money"},
            {"ColTitle": " ", "ColType": ""},
        ]),
        json!([{"type": "Data", "ColData": [{"value": "Checking"}, {"value": "1"}, {"value": "2"}, {"value": "3"}]}]),
    );
    assert_eq!(
        lines(&odd),
        [
            r#"{"section":"","group":null,"kind":"data","depth":0,"account":"Checking","account_id":null,"total":1,"account (2)":2,"Total":3,"column_5":null}"#
        ]
    );
}

#[test]
fn header_with_amounts_is_a_data_row_and_rows_without_cells_are_skipped() {
    let parent = report(
        json!([{"ColType": "Account"}, {"ColTitle": "Total", "ColType": "Money"}]),
        json!([
            {"type": "Data"},
            {},
            {
                "type": "Section",
                "group": "Expenses",
                "Header": {"ColData": [{"value": "Automobile", "id": "55"}, {"value": "10.00"}]},
                "Rows": {"Row": [{"type": "Data", "ColData": [{"value": "Fuel", "id": "56"}, {"value": "5.25"}]}]},
                "Summary": {"ColData": [{"value": "Total Automobile"}, {"value": "15.25"}]},
            },
            {"type": "Section", "Summary": {"ColData": [{"value": "TOTAL"}, {"value": "15.25"}]}, "group": "GrandTotal"},
        ]),
    );
    assert_eq!(
        lines(&parent),
        [
            r#"{"section":"Automobile","group":"Expenses","kind":"data","depth":1,"account":"Automobile","account_id":"55","Total":10}"#,
            r#"{"section":"Automobile","group":"Expenses","kind":"data","depth":1,"account":"Fuel","account_id":"56","Total":5.25}"#,
            r#"{"section":"Automobile","group":"Expenses","kind":"summary","depth":1,"account":"Total Automobile","account_id":"55","Total":15.25}"#,
            r#"{"section":"TOTAL","group":"GrandTotal","kind":"summary","depth":1,"account":"TOTAL","account_id":null,"Total":15.25}"#,
        ]
    );
}

#[test]
fn a_report_without_data_gives_no_rows() {
    let empty = json!({
        "Header": {"ReportName": "ProfitAndLoss", "Option": [{"Name": "NoReportData", "Value": "true"}]},
        "Columns": {"Column": [{"ColTitle": "", "ColType": "Account"}, {"ColTitle": "Total", "ColType": "Money"}]},
        "Rows": {},
    });
    assert_eq!(flatten(&empty).expect("a report"), Vec::<Value>::new());
}

#[test]
fn sections_nest_to_any_depth() {
    let mut rows =
        json!([{"type": "Data", "ColData": [{"value": "Leaf", "id": "1"}, {"value": "1.00"}]}]);
    for level in (1..=60).rev() {
        rows = json!([{
            "type": "Section",
            "Header": {"ColData": [{"value": format!("L{level}")}, {"value": ""}]},
            "Rows": {"Row": rows},
        }]);
    }
    let deep = report(
        json!([{"ColType": "Account"}, {"ColTitle": "Total", "ColType": "Money"}]),
        rows,
    );
    let flat = flatten(&deep).expect("a report");
    assert_eq!(flat.len(), 1);
    assert_eq!(flat[0]["depth"], 60);
    assert!(
        flat[0]["section"]
            .as_str()
            .expect("section")
            .starts_with("L1 / L2 / L3 / ")
    );
    assert!(
        flat[0]["section"]
            .as_str()
            .expect("section")
            .ends_with(" / L60")
    );
}

#[test]
fn shapes_that_are_not_reports_are_remote_errors_naming_the_place() {
    let columns = json!([{"ColType": "Account"}, {"ColTitle": "Total", "ColType": "Money"}]);
    let cases = [
        (json!([1, 2]), "the answer is not a JSON object"),
        (
            json!({"QueryResponse": {}}),
            "it has no Columns.Column list",
        ),
        (
            json!({"Columns": {"Column": []}, "Rows": {}}),
            "Columns.Column is empty",
        ),
        (
            report(columns.clone(), json!([{"type": "Total", "ColData": []}])),
            "Rows.Row[0] has type \"Total\" (expected Section or Data)",
        ),
        (
            report(
                columns.clone(),
                json!([{"type": "Section", "Rows": {"Row": [{"foo": 1}]}}]),
            ),
            "Rows.Row[0].Rows.Row[0] is neither a Data row",
        ),
        (
            report(
                columns.clone(),
                json!([{"type": "Data", "ColData": [{"value": "a"}, {"value": "1"}, {"value": "2"}]}]),
            ),
            "Rows.Row[0].ColData has 3 cells but the report has 2 columns",
        ),
        (
            report(
                columns.clone(),
                json!([{"type": "Data", "ColData": [{"value": true}]}]),
            ),
            "Rows.Row[0].ColData[0] is not a cell",
        ),
        (
            report(columns.clone(), json!({"not": "a list"})),
            "Rows.Row is not a list",
        ),
    ];
    for (value, expected) in cases {
        let error = flatten(&value).expect_err("not a report");
        assert_eq!(error.kind(), ErrorKind::Remote);
        assert!(
            error.message().contains(expected),
            "{} does not contain {expected}",
            error.message()
        );
    }
    let fault = json!({"Fault": {"Error": [{"Message": "Unsupported Operation", "Detail": "no such report", "code": "500"}], "type": "ValidationFault"}});
    let error = flatten(&fault).expect_err("a fault");
    assert_eq!(
        error.message(),
        "QBO answered with a Fault instead of a report: Unsupported Operation (code 500)"
    );
    assert_eq!(error.notes()[0], "no such report");
}

#[test]
fn report_rows_forward_every_row_to_the_inner_sink() {
    struct Collect(Vec<Value>, u32);
    impl RecordSink for Collect {
        fn record(&mut self, record: &Value) -> Result<(), Error> {
            self.0.push(record.clone());
            Ok(())
        }
        fn page_done(&mut self) {
            self.1 += 1;
        }
    }
    let report: Value = serde_json::from_str(PROFIT_AND_LOSS).expect("sample JSON");
    let mut inner = Collect(Vec::new(), 0);
    let mut rows = ReportRows::new(&mut inner);
    rows.record(&report).expect("rows");
    rows.page_done();
    assert_eq!(inner.0.len(), 14);
    assert_eq!(inner.1, 1);
    assert_eq!(inner.0, flatten(&report).expect("a report"));
}

#[test]
fn a_report_qbo_cut_short_is_an_error_that_suggests_windows() {
    let columns = json!([
        {"ColTitle": "Date", "ColType": "tx_date"},
        {"ColTitle": "Amount", "ColType": "subt_nat_amount"},
    ]);
    let line = json!({"type": "Data", "ColData": [{"value": "2025-07-02"}, {"value": "1.00"}]});
    let note = json!({"type": "Data", "ColData": [
        {"value": "Unable to display more data. Please reduce the date range."}, {"value": ""}]});
    let section = |rows: Value| {
        json!({"type": "Section",
               "Header": {"ColData": [{"value": "Checking", "id": "1"}, {"value": ""}]},
               "Rows": {"Row": rows}})
    };
    let mut cut = report(
        columns.clone(),
        json!([section(json!([line])), note.clone()]),
    );
    cut["Header"]["StartPeriod"] = json!("2025-01-01");
    cut["Header"]["EndPeriod"] = json!("2025-12-31");
    // The note at the top level (as QBO and the emulator put it) or inside a section.
    let nested = report(columns.clone(), json!([section(json!([line, note]))]));
    for report in [&cut, &nested] {
        let mut written = 0;
        let error = for_each_row(report, &mut |_| {
            written += 1;
            Ok(())
        })
        .expect_err("a cut report is refused");
        assert_eq!(written, 0, "no row of a cut report is handed on");
        assert_eq!(error.kind(), ErrorKind::Remote);
        assert!(
            error.message().contains("QBO cut the report short"),
            "{}",
            error.message()
        );
        assert!(
            error.notes().iter().any(|n| n.contains("`window: month`")),
            "{:?}",
            error.notes()
        );
    }
    assert!(
        for_each_row(&cut, &mut |_| Ok(()))
            .expect_err("cut")
            .message()
            .contains("(Test from 2025-01-01 to 2025-12-31)")
    );
    let whole = report(columns, json!([section(json!([line]))]));
    assert_eq!(flatten(&whole).expect("a whole report").len(), 1);
}
