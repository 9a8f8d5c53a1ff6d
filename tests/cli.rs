//! End-to-end tests: the real `qbo-run` binary against its built-in emulator over loopback.
//! Each test has its own data folder (QBO_RUN_HOME) and its own emulator on a free port.

use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{Project, assert_ok, stderr, stdout};

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("csv header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("csv row").iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn emulator_connection(project: &Project, name: &str, extra: &str) -> PathBuf {
    project.file(
        &format!("connections/{name}.yaml"),
        &format!("environment: emulator\nemulator:\n{extra}"),
    )
}

#[test]
fn readme_command_prints_every_invoice_as_csv_across_pages() {
    let project = Project::new();
    let output = project.run(["requests/invoices.yaml", "--connection", "emulator", "-v"]);
    assert_ok(&output);
    let (header, rows) = csv_rows(&stdout(&output));
    assert_eq!(
        header,
        [
            "id",
            "number",
            "date",
            "due_date",
            "customer_id",
            "customer",
            "total",
            "balance",
            "currency",
            "email_status",
            "updated"
        ]
    );
    assert_eq!(
        rows.len(),
        2500,
        "the emulator's default company has 2500 invoices"
    );
    let ids: HashSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids.len(), 2500, "no duplicates");
    assert!(stderr(&output).contains("pages=3"), "{}", stderr(&output));
    let updated: Vec<&str> = rows.iter().map(|r| r[10].as_str()).collect();
    let mut sorted = updated.clone();
    sorted.sort();
    assert_eq!(updated, sorted, "ordered by LastUpdatedTime");
}

#[test]
fn small_pages_are_walked_without_duplicates_or_gaps() {
    let project = Project::new();
    emulator_connection(&project, "small", "  invoices: 250\n");
    let request = project.file(
        "requests/paged.yaml",
        "connection: small\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Invoice\npaginate: { style: qbo-query, page_size: 100 }\nrecords: $.QueryResponse.Invoice[*]\noutput:\n  format: jsonl\n",
    );
    let output = project.run([request.as_os_str(), "-v".as_ref()]);
    assert_ok(&output);
    let ids: Vec<u64> = stdout(&output)
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("jsonl line");
            record["Id"]
                .as_str()
                .expect("Id")
                .parse()
                .expect("numeric id")
        })
        .collect();
    assert_eq!(ids, (1..=250).collect::<Vec<u64>>());
    assert!(stderr(&output).contains("pages=3"), "{}", stderr(&output));
}

#[test]
fn json_jsonl_and_csv_hold_the_same_customers() {
    let project = Project::new();
    let run = |format: &str| {
        let output = project.run([
            "requests/customers.yaml",
            "--connection",
            "emulator",
            "--format",
            format,
        ]);
        assert_ok(&output);
        stdout(&output)
    };
    let json: Value = serde_json::from_str(&run("json")).expect("a JSON array");
    let json_ids: Vec<String> = json
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["Id"].as_str().expect("Id").to_string())
        .collect();
    let jsonl_ids: Vec<String> = run("jsonl")
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("jsonl line");
            record["Id"].as_str().expect("Id").to_string()
        })
        .collect();
    let (header, rows) = csv_rows(&run("csv"));
    assert_eq!(header[0], "id");
    let csv_ids: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(json_ids.len(), 120, "active and inactive customers");
    assert_eq!(json_ids, jsonl_ids);
    assert_eq!(json_ids, csv_ids);
}

#[test]
fn csv_without_columns_flattens_nested_fields() {
    let project = Project::new();
    let request = project.file(
        "requests/flat.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Invoice where Id <= '3'\npaginate: { style: qbo-query }\nrecords: $.QueryResponse.Invoice[*]\noutput:\n  format: csv\n",
    );
    let output = project.run([request]);
    assert_ok(&output);
    let (header, rows) = csv_rows(&stdout(&output));
    assert_eq!(rows.len(), 3);
    for column in [
        "Id",
        "CustomerRef.name",
        "CustomerRef.value",
        "MetaData.CreateTime",
        "TotalAmt",
        "Line",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    let line = header
        .iter()
        .position(|h| h == "Line")
        .expect("Line column");
    let lines: Value = serde_json::from_str(&rows[0][line]).expect("Line cell is JSON");
    assert!(lines.as_array().is_some_and(|l| !l.is_empty()));
}

#[test]
fn var_override_narrows_the_query() {
    let project = Project::new();
    let all = project.run(["requests/invoices.yaml", "--connection", "emulator"]);
    assert_ok(&all);
    let (_, rows) = csv_rows(&stdout(&all));
    let since = rows[rows.len() / 2][10].clone();
    let some = project.run([
        "requests/invoices.yaml",
        "--connection",
        "emulator",
        "--var",
        &format!("since={since}"),
    ]);
    assert_ok(&some);
    let (_, narrowed) = csv_rows(&stdout(&some));
    let expected: Vec<&Vec<String>> = rows.iter().filter(|r| r[10] >= since).collect();
    assert!(!narrowed.is_empty() && narrowed.len() < rows.len());
    assert_eq!(narrowed.iter().collect::<Vec<_>>(), expected);
}

#[test]
fn unknown_var_is_a_usage_error_with_a_suggestion() {
    let project = Project::new();
    let output = project.run([
        "requests/invoices.yaml",
        "--connection",
        "emulator",
        "--var",
        "sinse=2025-01-01",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("has no variable `sinse`"), "{text}");
    assert!(text.contains("did you mean `since`?"), "{text}");
}

#[test]
fn apostrophe_in_a_query_value_is_escaped() {
    let project = Project::new();
    let output = project.run([
        "requests/customers.yaml",
        "--connection",
        "emulator",
        "--var",
        "name_like=O'Brien%",
    ]);
    assert_ok(&output);
    let (header, rows) = csv_rows(&stdout(&output));
    let name = header
        .iter()
        .position(|h| h == "display_name")
        .expect("column");
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r[name].starts_with("O'Brien")),
        "{rows:?}"
    );
}

fn edit_store(project: &Project, edit: impl FnOnce(&mut Value)) -> Value {
    let path = project.token_file("emulator");
    let mut tokens: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("token store")).expect("json");
    let before = tokens.clone();
    edit(&mut tokens);
    std::fs::write(&path, serde_json::to_vec_pretty(&tokens).expect("json")).expect("write store");
    before
}

fn stored(project: &Project) -> Value {
    serde_json::from_str(&std::fs::read_to_string(project.token_file("emulator")).expect("store"))
        .expect("json")
}

#[test]
fn expired_access_token_is_refreshed_and_the_run_succeeds() {
    let project = Project::new();
    assert_ok(&project.run(["requests/company_info.yaml", "--connection", "emulator"]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(project.token_file("emulator"))
            .expect("store")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = edit_store(&project, |tokens| {
        tokens["access_token_expires_at"] = Value::from("2020-01-01T00:00:00Z");
    });
    let output = project.run([
        "requests/company_info.yaml",
        "--connection",
        "emulator",
        "-v",
    ]);
    assert_ok(&output);
    assert!(
        stderr(&output).contains("refreshing the access token"),
        "{}",
        stderr(&output)
    );
    let after = stored(&project);
    assert_ne!(after["access_token"], before["access_token"]);
    assert_ne!(
        after["refresh_token"], before["refresh_token"],
        "rotated refresh token saved"
    );
    assert!(after["access_token_expires_at"].as_str() > Some("2025"));
    let info: Value = serde_json::from_str(&stdout(&output)).expect("json");
    assert!(info[0]["CompanyName"].is_string());
}

#[test]
fn rejected_access_token_is_refreshed_once_after_the_401() {
    let project = Project::new();
    assert_ok(&project.run(["requests/company_info.yaml", "--connection", "emulator"]));
    let before = edit_store(&project, |tokens| {
        tokens["access_token"] = Value::from("eyJ.not-a-token-the-server-knows");
    });
    let output = project.run([
        "requests/company_info.yaml",
        "--connection",
        "emulator",
        "-v",
    ]);
    assert_ok(&output);
    let log = stderr(&output);
    assert!(
        log.contains("access token refused; refreshing once"),
        "{log}"
    );
    assert_ne!(stored(&project)["refresh_token"], before["refresh_token"]);
}

#[test]
fn qbo_fault_shows_status_code_detail_and_intuit_tid() {
    let project = Project::new();
    let request = project.file(
        "requests/broken_query.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Invoice where TotalAmt > 1038\npaginate: { style: qbo-query }\n",
    );
    let output = project.run([request]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.starts_with("error: QBO answered 400 Bad Request: Error parsing query (code 4000)\n"),
        "{text}"
    );
    assert!(text.contains(" = detail: QueryParserError:"), "{text}");
    assert!(text.contains(" = intuit_tid: 1-"), "{text}");
    assert!(text.contains(" = request: GET /v3/company/"), "{text}");
}

#[test]
fn object_not_found_fault_names_code_610() {
    let project = Project::new();
    let request = project.file(
        "requests/missing.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/invoice/{{ id }}\nvars:\n  id: { default: \"999999\" }\n",
    );
    let output = project.run([request]);
    assert_eq!(output.status.code(), Some(5));
    assert!(
        stderr(&output).contains("(code 610)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn misspelt_key_is_reported_with_line_column_and_suggestion() {
    let project = Project::new();
    let request = project.file(
        "requests/typo.yaml",
        "connection: emulator\nmethod: GET\npath: /v3/company/{{ realm_id }}/query\nparms:\n  query: select * from Invoice\n",
    );
    let output = project.run([&request]);
    assert_eq!(output.status.code(), Some(3));
    let expected = format!(
        "error: unknown key `parms` of request file\n --> {}:4:1\n  |\n4 | parms:\n  | ^\n  = expected one of: description, connection, vars, method, path, params, headers, body, content_type, paginate, records, output, incremental, extract, window, input, write, batch, on_stale\n  = help: did you mean `params`?\n",
        request.display()
    );
    assert_eq!(stderr(&output), expected);
}

#[test]
fn failed_run_leaves_no_output_file() {
    let project = Project::new();
    let request = project.file(
        "requests/broken.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Nonsense\npaginate: { style: qbo-query }\n",
    );
    let out_dir = tempfile::tempdir().expect("out dir");
    let target = out_dir.path().join("out.csv");
    let output = project.run([request.as_os_str(), "--output".as_ref(), target.as_os_str()]);
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(!target.exists());
    assert_eq!(
        std::fs::read_dir(out_dir.path()).expect("dir").count(),
        0,
        "no temp file left"
    );

    let ok = project.run([
        "requests/vendors.yaml".as_ref(),
        "--connection".as_ref(),
        "emulator".as_ref(),
        "--output".as_ref(),
        target.as_os_str(),
    ]);
    assert_ok(&ok);
    assert!(
        std::fs::read_to_string(&target)
            .expect("written")
            .starts_with("id,display_name")
    );
    assert_eq!(std::fs::read_dir(out_dir.path()).expect("dir").count(), 1);
}

/// A CSV cell as qbo-run writes the first match of a column's path: strings as they are,
/// numbers as JSON writes them, `true`/`false`, empty for null or no match, compact JSON else.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// When the request file `text` declares CSV `columns`, runs it as CSV and checks the header
/// (the declared names, in order) and every cell against the same records as JSON Lines.
fn check_declared_columns(project: &Project, path: &Path, text: &str, jsonl: &str) {
    let spec: serde_yaml::Value = serde_yaml::from_str(text).expect("yaml");
    let Some(columns) = spec
        .get("output")
        .and_then(|o| o.get("columns"))
        .and_then(serde_yaml::Value::as_mapping)
    else {
        return;
    };
    let declared: Vec<(String, qbo_run::extract::JsonPath)> = columns
        .iter()
        .map(|(name, path)| {
            let name = name.as_str().expect("column name").to_string();
            let path = qbo_run::extract::JsonPath::parse(path.as_str().expect("column path"))
                .expect("a JSONPath");
            (name, path)
        })
        .collect();
    let output = project.run([
        path.as_os_str(),
        "--connection".as_ref(),
        "emulator".as_ref(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]);
    assert_ok(&output);
    let (header, rows) = csv_rows(&stdout(&output));
    let names: Vec<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(header, names, "{}", path.display());
    let records: Vec<Value> = jsonl
        .lines()
        .map(|line| serde_json::from_str(line).expect("jsonl"))
        .collect();
    assert_eq!(rows.len(), records.len(), "{}", path.display());
    for (row, record) in rows.iter().zip(&records) {
        let expected: Vec<String> = declared
            .iter()
            .map(|(_, path)| cell(path.first(record)))
            .collect();
        assert_eq!(row, &expected, "{}", path.display());
    }
}

#[test]
fn every_shipped_request_runs_against_the_emulator() {
    let project = Project::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("requests");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("requests folder")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let mut seen = Vec::new();
    for path in names {
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(&path).expect("request file");
        let is_write = text.lines().any(|line| line.starts_with("input:"));
        let example = match stem.as_deref() {
            Some("create_invoices") => dir.join("examples/new_invoices.csv"),
            Some(stem) => dir.join(format!("examples/{stem}.csv")),
            None => continue,
        };
        assert!(
            !is_write || example.is_file(),
            "{} has no example input {}",
            path.display(),
            example.display()
        );
        let mut args = vec![
            path.clone().into_os_string(),
            "--connection".into(),
            "emulator".into(),
            "--format".into(),
            "jsonl".into(),
        ];
        if is_write {
            args.push("--input".into());
            args.push(example.clone().into_os_string());
        }
        // Reports are of dates: they run in the books' time (the default company's transactions
        // are from the end of 2022 to September 2023), when every kind of transaction of the
        // month to date and every open bill is there.
        let is_report = text.lines().any(|line| line.trim() == "extract: report");
        let output = if is_report {
            let mut command = project.command();
            command
                .args(&args)
                .env("QBO_EMULATOR_NOW", "2023-02-20T12:00:00-07:00");
            command.output().expect("qbo-run runs")
        } else {
            project.run(&args)
        };
        assert_ok(&output);
        let records = stdout(&output).lines().count();
        if !is_write {
            check_declared_columns(&project, &path, &text, &stdout(&output));
        }
        match stem.as_deref() {
            // The seeded books changed long before the last 7 days.
            Some("changes") => assert_eq!(records, 0, "{}", stdout(&output)),
            _ if is_write => {
                let rows = std::fs::read_to_string(&example)
                    .expect("example input")
                    .lines()
                    .count()
                    - 1;
                assert!(rows > 0, "{}", example.display());
                assert_eq!(records, rows, "{}", stdout(&output));
                assert_eq!(
                    stdout(&output).matches("\"status\":\"ok\"").count(),
                    rows,
                    "{}",
                    stdout(&output)
                );
            }
            _ => assert!(records > 0, "{} gave no records", path.display()),
        }
        seen.push(
            path.file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned(),
        );
    }
    for expected in [
        "accounts",
        "attachables",
        "bill_payments",
        "bills",
        "budgets",
        "classes",
        "company_currencies",
        "company_info",
        "create_invoices",
        "customer_types",
        "customers",
        "delete_invoices",
        "departments",
        "employees",
        "estimates",
        "exchange_rates",
        "inactivate_customers",
        "invoices",
        "items",
        "journal_codes",
        "payment_methods",
        "payments",
        "preferences",
        "purchase_orders",
        "recurring_transactions",
        "tax_agencies",
        "tax_codes",
        "tax_rates",
        "terms",
        "time_activities",
        "update_customers",
        "vendors",
        "void_invoices",
        "void_payments",
        "sales_receipts",
        "credit_memos",
        "refund_receipts",
        "deposits",
        "purchases",
        "journal_entries",
        "transfers",
        "vendor_credits",
        "credit_card_payments",
        "void_sales_receipts",
        "create_classes",
        "pay_bills",
        "create_estimates",
        "log_time",
        "create_accounts",
        "attach_notes",
    ] {
        assert!(seen.iter().any(|s| s == expected), "missing {expected}");
    }
}

#[test]
fn check_validates_without_network_and_reports_each_broken_file() {
    let project = Project::new();
    let output = project.run(["check", "requests", "connections"]);
    assert_ok(&output);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = ["requests", "connections"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("folder"))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|e| e == "yaml"))
        .count();
    assert!(shipped >= 17, "{shipped}");
    assert!(
        stdout(&output).ends_with(&format!("{shipped} file(s) checked, 0 with errors\n")),
        "{}",
        stdout(&output)
    );
    project.file(
        "requests/bad.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: \"select * from Invoice where TxnDate > '{{ sinse }}'\"\n",
    );
    let broken = project.run([
        "check".as_ref(),
        project.files.path().join("requests").as_os_str(),
    ]);
    assert_eq!(broken.status.code(), Some(3));
    assert!(stderr(&broken).contains("uses the variable `sinse`, which is not declared"));
    assert!(stdout(&broken).contains("1 with errors"));
}

#[test]
fn dry_run_shows_the_request_and_no_secret() {
    let project = Project::new();
    let connection = project.file(
        "connections/canary.yaml",
        "environment: emulator\noauth2:\n  client_secret: \"{{ env.CANARY_SECRET }}\"\n",
    );
    let output = Command::new(env!("CARGO_BIN_EXE_qbo-run"))
        .args(["requests/invoices.yaml", "--dry-run", "--connection"])
        .arg(&connection)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("QBO_RUN_HOME", project.home.path())
        .env("CANARY_SECRET", "canary-s3cret-value")
        .output()
        .expect("runs");
    assert_ok(&output);
    let text = stdout(&output);
    assert!(
        text.contains(
            "GET http://127.0.0.1:0/v3/company/9341453050298464/query?minorversion=75&query=select"
        ),
        "{text}"
    );
    assert!(text.contains("# statement: select * from Invoice where Metadata.LastUpdatedTime >= '2000-01-01' orderby Metadata.LastUpdatedTime, Id STARTPOSITION 1 MAXRESULTS 1000"), "{text}");
    assert!(
        text.contains(
            "# then STARTPOSITION 1000, 1999, ... MAXRESULTS 1000 (pages overlap by one record)"
        ),
        "{text}"
    );
    assert!(text.contains("Authorization: Bearer ***"));
    assert!(
        !text.contains("canary-s3cret-value") && !stderr(&output).contains("canary-s3cret-value")
    );
}

#[test]
fn qbo_run_now_sets_the_books_clock_of_days_ago_and_the_cdc_window() {
    let project = Project::new();
    let dry_run = |now: &str, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_qbo-run"))
            .args([
                "requests/changes.yaml",
                "--dry-run",
                "--connection",
                "emulator",
            ])
            .args(extra)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("QBO_RUN_HOME", project.home.path())
            .env("QBO_RUN_NOW", now)
            .output()
            .expect("runs")
    };
    let moved = dry_run("2023-01-20T12:00:00-07:00", &[]);
    assert_ok(&moved);
    // days_ago(7) of 2023-01-20T19:00:00Z, URL-encoded.
    assert!(
        stdout(&moved).contains("changedSince=2023-01-13T19%3A00%3A00%2B00%3A00"),
        "{}",
        stdout(&moved)
    );
    // Within 30 days of the books' clock, though years before the real one.
    let old = dry_run(
        "2023-01-20T12:00:00-07:00",
        &["--var", "since=2023-01-01T00:00:00-07:00"],
    );
    assert_ok(&old);
    let too_old = dry_run(
        "2023-03-20T12:00:00-07:00",
        &["--var", "since=2023-01-01T00:00:00-07:00"],
    );
    assert_eq!(too_old.status.code(), Some(2), "{}", stderr(&too_old));
    assert!(
        stderr(&too_old).contains("at most 30 days"),
        "{}",
        stderr(&too_old)
    );
    let unreadable = dry_run("last tuesday", &[]);
    assert_eq!(unreadable.status.code(), Some(2));
    assert!(
        stderr(&unreadable).contains("QBO_RUN_NOW=\"last tuesday\" is not an RFC 3339 instant"),
        "{}",
        stderr(&unreadable)
    );
}

#[test]
fn list_shows_methods_and_their_variables() {
    let project = Project::new();
    let output = project.run(["list"]);
    assert_ok(&output);
    let text = stdout(&output);
    assert!(
        text.lines().any(|line| line.starts_with("invoices ")
            && line.ends_with("  Invoices updated on or after a date, one row per invoice")),
        "{text}"
    );
    assert!(text.contains("--var since=2000-01-01"), "{text}");
    // Grouped: entities (with CDC), then reports, then writes.
    let group_of = |name: &str| {
        let mut group = "";
        for line in text.lines() {
            if let Some(title) = line.strip_suffix(':') {
                group = title;
            } else if line.starts_with(&format!("{name} ")) {
                return group.to_string();
            }
        }
        panic!("{name} is not listed: {text}");
    };
    for (name, group) in [
        ("invoices", "Entities"),
        ("bill_payments", "Entities"),
        ("changes", "Entities"),
        ("company_info", "Entities"),
        ("profit_and_loss", "Reports"),
        ("aged_receivables", "Reports"),
        ("create_invoices", "Writes"),
        ("void_payments", "Writes"),
        ("create_classes", "Writes"),
        ("pay_bills", "Writes"),
        ("create_estimates", "Writes"),
        ("log_time", "Writes"),
        ("create_accounts", "Writes"),
        ("attach_notes", "Writes"),
    ] {
        assert_eq!(group_of(name), group, "{name}");
    }
    let titles: Vec<&str> = text.lines().filter(|l| l.ends_with(':')).collect();
    assert_eq!(titles, ["Entities:", "Reports:", "Writes:"], "{text}");
}

#[test]
fn concurrent_pages_give_the_same_bytes_as_page_after_page() {
    let project = Project::new();
    let sequential = project.file(
        "connections/sequential.yaml",
        "environment: emulator\nemulator:\n  invoices: 2345\nlimits:\n  max_in_flight: 1\n",
    );
    let concurrent = project.file(
        "connections/concurrent.yaml",
        "environment: emulator\nemulator:\n  invoices: 2345\n",
    );
    for format in ["csv", "json", "jsonl"] {
        let request = project.file(
            "requests/small_pages.yaml",
            "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Invoice where TotalAmt > '100' orderby TotalAmt desc\npaginate: { style: qbo-query, page_size: 100 }\nrecords: $.QueryResponse.Invoice[*]\n",
        );
        let run = |connection: &std::path::Path| {
            let output = project.run([
                request.as_os_str(),
                "--connection".as_ref(),
                connection.as_os_str(),
                "--format".as_ref(),
                format.as_ref(),
                "-v".as_ref(),
            ]);
            assert_ok(&output);
            output
        };
        let one_by_one = run(&sequential);
        let at_once = run(&concurrent);
        assert!(!stderr(&one_by_one).contains("fetching pages concurrently"));
        assert!(
            stderr(&at_once).contains("fetching pages concurrently"),
            "{}",
            stderr(&at_once)
        );
        assert!(one_by_one.stdout.len() > 10_000);
        assert!(
            one_by_one.stdout == at_once.stdout,
            "{format}: concurrent output differs from page-after-page output"
        );
    }
}

#[test]
fn fast_page_reading_gives_the_same_bytes_as_whole_pages() {
    let project = Project::new();
    let connection = project.file(
        "connections/fast.yaml",
        "environment: emulator\nemulator:\n  invoices: 2345\n",
    );
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/invoices.yaml"),
    )
    .expect("requests/invoices.yaml");
    assert!(shipped.contains("records: $.QueryResponse.Invoice[*]\n"));
    let fast = project.file("requests/fast.yaml", &shipped);
    // A filter in the records path sends every page down the whole-page route.
    let whole = project.file(
        "requests/whole.yaml",
        &shipped.replace(
            "records: $.QueryResponse.Invoice[*]\n",
            "records: $.QueryResponse.Invoice[?(@.Id)]\n",
        ),
    );
    let run = |request: &Path, format: &str| {
        let output = project.run([
            request.as_os_str(),
            "--connection".as_ref(),
            connection.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "-vv".as_ref(),
        ]);
        assert_ok(&output);
        output
    };
    for (format, plan) in [
        ("csv", "records read into their CSV cells"),
        ("jsonl", "records as the server's text"),
    ] {
        let fast_output = run(&fast, format);
        let whole_output = run(&whole, format);
        assert!(
            stderr(&fast_output).contains(plan),
            "{}",
            stderr(&fast_output)
        );
        assert!(
            stderr(&whole_output).contains("whole pages"),
            "{}",
            stderr(&whole_output)
        );
        assert!(fast_output.stdout.len() > 100_000, "{format}");
        assert!(
            fast_output.stdout == whole_output.stdout,
            "{format}: the fast route's output differs from whole pages"
        );
    }
}

#[test]
fn keywords_inside_string_literals_do_not_change_paging() {
    let project = Project::new();
    emulator_connection(&project, "named", "  customers: 30\n");
    // `maxresults` and `orderby` inside literals are text: check accepts the file, and the
    // paged statement still gets its own ORDERBY.
    let request = project.file(
        "requests/named.yaml",
        "connection: named\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: \"select * from Customer where Active IN (true, false) and DisplayName LIKE '%maxresults%orderby%'\"\npaginate: { style: qbo-query, page_size: 10 }\nrecords: $.QueryResponse.Customer[*]\noutput:\n  format: jsonl\n",
    );
    let check = project.run(["check".as_ref(), request.as_os_str()]);
    assert_ok(&check);
    let dry = project.run([request.as_os_str(), "--dry-run".as_ref()]);
    assert_ok(&dry);
    assert!(
        stdout(&dry).contains(
            "DisplayName LIKE '%maxresults%orderby%' ORDERBY Id STARTPOSITION 1 MAXRESULTS 10"
        ),
        "{}",
        stdout(&dry)
    );
    let refused = project.file(
        "requests/paged_twice.yaml",
        "connection: named\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Customer MAXRESULTS 5\npaginate: { style: qbo-query }\n",
    );
    let output = project.run(["check".as_ref(), refused.as_os_str()]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("must not contain MAXRESULTS"),
        "{}",
        stderr(&output)
    );
}
