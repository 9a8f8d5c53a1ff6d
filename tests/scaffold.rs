//! `qbo-run new`: files scaffolded for an entity, a report and a connection pass `check` and
//! run against the emulator as written; an existing file is never overwritten.

mod common;

use common::{Project, assert_ok, stdout};
use std::process::{Command, Output};

/// Runs qbo-run in the scratch project folder (where `requests/` and `connections/` are).
fn run_in(project: &Project, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qbo-run"))
        .args(args)
        .current_dir(project.files.path())
        .env("QBO_RUN_HOME", project.home.path())
        .env("HOME", project.home.path())
        .env_remove("QBO_RUN_LOG")
        .env_remove("QBO_RUN_STORE")
        .output()
        .expect("qbo-run runs")
}

fn records(output: &Output) -> Vec<serde_json::Value> {
    serde_json::from_str(&stdout(output)).expect("a JSON array")
}

#[test]
fn scaffolded_entity_report_and_connection_pass_check_and_run_against_the_emulator() {
    let project = Project::new();
    for args in [
        &["new", "connection", "books", "--environment", "emulator"][..],
        &["new", "connection", "intuit", "--environment", "sandbox"],
        &[
            "new",
            "request",
            "all_customers",
            "--entity",
            "customer",
            "--connection",
            "books",
        ],
        &[
            "new",
            "request",
            "invoices_since",
            "--entity",
            "Invoice",
            "--incremental",
            "--connection",
            "books",
        ],
        &[
            "new",
            "request",
            "pnl",
            "--report",
            "profit_and_loss",
            "--format",
            "csv",
            "--connection",
            "books",
        ],
    ] {
        let output = run_in(&project, args);
        assert_ok(&output);
        assert!(stdout(&output).starts_with("wrote "), "{}", stdout(&output));
    }
    let check = run_in(&project, &["check", "requests", "connections"]);
    assert_ok(&check);
    assert!(
        stdout(&check).contains("5 file(s) checked, 0 with errors"),
        "{}",
        stdout(&check)
    );

    // A name list: inactive customers are in too (the emulator's company has 120, 6 inactive).
    let customers = run_in(&project, &["requests/all_customers.yaml"]);
    assert_ok(&customers);
    let customers = records(&customers);
    assert_eq!(customers.len(), 120);
    assert!(
        customers.iter().any(|c| c["Active"] == false),
        "inactive ones are asked for"
    );

    // Incremental: the first run takes every invoice, the second nothing new.
    let first = run_in(&project, &["requests/invoices_since.yaml"]);
    assert_ok(&first);
    let first = records(&first);
    assert_eq!(first.len(), 2500);
    assert!(
        first
            .iter()
            .all(|i| i["Id"].is_string() && i["TotalAmt"].is_number())
    );
    let again = run_in(&project, &["requests/invoices_since.yaml"]);
    assert_ok(&again);
    assert_eq!(records(&again).len(), 0, "the saved cursor is used");

    // The report, with its date variables.
    let pnl = run_in(
        &project,
        &[
            "requests/pnl.yaml",
            "--var",
            "start_date=2023-01-01",
            "--var",
            "end_date=2023-12-31",
        ],
    );
    assert_ok(&pnl);
    let text = stdout(&pnl);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("section,group,kind,depth,account,account_id,Total")
    );
    assert!(text.contains(",NetIncome,summary,"), "{text}");
    assert!(text.lines().count() > 5);
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let project = Project::new();
    let first = run_in(&project, &["new", "request", "items", "--entity", "Item"]);
    assert_ok(&first);
    let path = project.files.path().join("requests/items.yaml");
    std::fs::write(&path, "# mine\n").expect("edit");
    let second = run_in(
        &project,
        &["new", "request", "items", "--report", "TrialBalance"],
    );
    assert_eq!(second.status.code(), Some(2));
    assert!(
        common::stderr(&second).contains("already exists"),
        "{}",
        common::stderr(&second)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), "# mine\n");
    let connection = run_in(
        &project,
        &["new", "connection", "c", "--environment", "production"],
    );
    assert_ok(&connection);
    let again = run_in(
        &project,
        &["new", "connection", "c", "--environment", "emulator"],
    );
    assert_eq!(again.status.code(), Some(2));
}

#[test]
fn unknown_entities_reports_and_bad_names_are_usage_errors() {
    let project = Project::new();
    for args in [
        &["new", "request", "x", "--entity", "Invoices"][..],
        &["new", "request", "x", "--report", "ProfitLoss"],
        &["new", "request", "x"],
        &[
            "new",
            "request",
            "x",
            "--report",
            "TrialBalance",
            "--incremental",
        ],
        &["new", "request", "../escape", "--entity", "Invoice"],
        &["new", "connection", "x", "--environment", "staging"],
    ] {
        let output = run_in(&project, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            common::stderr(&output)
        );
    }
    let output = run_in(&project, &["new", "request", "x", "--entity", "Invoices"]);
    assert!(
        common::stderr(&output).contains("Invoice"),
        "lists the entities"
    );
    assert!(!project.files.path().join("escape.yaml").exists());
    assert!(
        std::fs::read_dir(project.files.path().join("requests"))
            .expect("dir")
            .next()
            .is_none()
    );
}

#[test]
fn every_entity_and_report_of_the_catalog_scaffolds_a_file_that_runs_against_the_emulator() {
    use qbo_run::scaffold::{ENTITIES, REPORTS};
    let project = Project::new();
    project.file(
        "connections/books.yaml",
        "environment: emulator\nemulator:\n  invoices: 60\n  multicurrency: true\n",
    );
    let mut names = Vec::new();
    for entity in ENTITIES {
        let name = format!("entity_{}", entity.name.to_lowercase());
        let mut args = vec![
            "new",
            "request",
            &name,
            "--entity",
            entity.name,
            "--connection",
            "books",
        ];
        if entity.by_update_time {
            args.push("--incremental");
        }
        assert_ok(&run_in(&project, &args));
        names.push(name);
    }
    for report in REPORTS {
        let name = format!("report_{}", report.name.to_lowercase());
        let args = [
            "new",
            "request",
            &name,
            "--report",
            report.name,
            "--connection",
            "books",
        ];
        assert_ok(&run_in(&project, &args));
        names.push(name);
    }
    // QBO's 29 reports (`ItemSales` is the SDKs' "SalesByProduct").
    assert_eq!(
        REPORTS.len(),
        29,
        "{:?}",
        REPORTS.iter().map(|r| r.name).collect::<Vec<_>>()
    );
    for name in &names {
        let path = format!("requests/{name}.yaml");
        let output = run_in(&project, &[&path]);
        assert!(
            output.status.success(),
            "{name}: {}",
            common::stderr(&output)
        );
        let text = stdout(&output);
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|v| v.is_array()),
            "{name}: {text}"
        );
    }
    // A read-whole entity is refused --incremental with the reason.
    let refused = run_in(
        &project,
        &[
            "new",
            "request",
            "codes",
            "--entity",
            "TaxCode",
            "--incremental",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        common::stderr(&refused).contains("does not filter it on MetaData.LastUpdatedTime"),
        "{}",
        common::stderr(&refused)
    );
}
