//! Writes driven by an input file, against a standalone emulator that keeps its books between
//! runs: a retried run creates nothing twice (one call per row and batched), a stale SyncToken
//! is re-read and sent again when asked and reported otherwise, rows fail alone, `--dry-run`
//! sends nothing, and `check` refuses what QBO would.

mod common;

use common::{EmulatorProcess, Project, assert_ok, stat, stderr, stdout};
use serde_json::Value;
use std::path::PathBuf;

/// A request creating one invoice per CSV row, optionally batched.
fn create_invoices(project: &Project, connection: &str, extra: &str) -> PathBuf {
    project.file(
        "requests/create.yaml",
        &format!(
            r#"connection: {connection}
method: POST
path: /v3/company/{{{{ realm_id }}}}/invoice
input:
  format: csv
write:
  entity: Invoice
  operation: create
{extra}
body: |
  {{
    "DocNumber": {{{{ row.ref }}}},
    "CustomerRef": {{"value": {{{{ row.customer_id }}}}}},
    "Line": [{{
      "Amount": {{{{ row.amount | float }}}},
      "DetailType": "SalesItemLineDetail",
      "SalesItemLineDetail": {{"ItemRef": {{"value": {{{{ row.item_id }}}}}}}}
    }}]
  }}
output:
  format: jsonl
"#
        ),
    )
}

/// A CSV of `n` new invoices for customer 3 ("O'Brien Landscaping", always active).
fn invoices_csv(project: &Project, n: usize) -> PathBuf {
    let mut text = String::from("ref,customer_id,item_id,amount\n");
    for i in 1..=n {
        text.push_str(&format!("T-{i:04},3,{},{}.25\n", 1 + i % 5, 10 + i));
    }
    project.file("new_invoices.csv", &text)
}

fn results(output: &std::process::Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON result per line"))
        .collect()
}

/// `select count(*) from Invoice` through qbo-run.
fn invoice_count(project: &Project, connection: &str) -> u64 {
    let request = project.file(
        "requests/count.yaml",
        &format!(
            "connection: {connection}\npath: /v3/company/{{{{ realm_id }}}}/query\nparams:\n  query: select count(*) from Invoice\nrecords: $.QueryResponse\n"
        ),
    );
    let output = project
        .command()
        .arg(&request)
        .output()
        .expect("count runs");
    assert_ok(&output);
    let answer: Value = serde_json::from_str(&stdout(&output)).expect("json");
    answer[0]["totalCount"].as_u64().expect("totalCount")
}

fn run_create(project: &Project, request: &PathBuf, input: &PathBuf) -> std::process::Output {
    project
        .command()
        .arg(request)
        .arg("--input")
        .arg(input)
        .output()
        .expect("qbo-run runs")
}

fn ids(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn creating_100_invoices_twice_leaves_exactly_100_new_ones() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let request = create_invoices(&project, &conn, "");
    let input = invoices_csv(&project, 100);

    let first = run_create(&project, &request, &input);
    assert_ok(&first);
    let first = results(&first);
    assert_eq!(first.len(), 100);
    for (at, result) in first.iter().enumerate() {
        assert_eq!(result["row"], at as u64 + 1);
        assert_eq!(result["status"], "ok", "{result}");
        assert_eq!(result["sync_token"], "0");
        assert_eq!(result["stale_retry"], false);
        assert!(
            result["intuit_tid"]
                .as_str()
                .is_some_and(|t| t.starts_with("1-"))
        );
        let requestid = result["requestid"].as_str().expect("requestid");
        assert!(requestid.len() <= 50, "{requestid}");
    }
    let mut created = ids(&first);
    created.sort_by_key(|id| id.parse::<u64>().expect("numeric id"));
    let expected: Vec<String> = (2501..=2600).map(|n| n.to_string()).collect();
    assert_eq!(
        created, expected,
        "100 new invoices after the 2,500 seeded ones"
    );
    assert_eq!(invoice_count(&project, &conn), 2600);

    // The same command again, as a retry after a crash would be: every row replays.
    let second = run_create(&project, &request, &input);
    assert_ok(&second);
    let second = results(&second);
    assert_eq!(second.len(), 100);
    assert_eq!(ids(&second), ids(&first));
    assert_eq!(
        second.iter().map(|r| &r["requestid"]).collect::<Vec<_>>(),
        first.iter().map(|r| &r["requestid"]).collect::<Vec<_>>()
    );
    assert_eq!(invoice_count(&project, &conn), 2600);
    let stats = emulator.stats();
    assert_eq!(stats["writes"], 100, "{stats}");
    assert_eq!(stats["replays"], 100, "{stats}");
    assert_eq!(stats["write_faults"], 0, "{stats}");
    assert!(stat(&stats, "max_in_flight") <= 10, "{stats}");
}

#[test]
fn batched_creates_are_idempotent_too() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let request = create_invoices(&project, &conn, "batch:\n  size: 30\n");
    let input = invoices_csv(&project, 100);

    let first = run_create(&project, &request, &input);
    assert_ok(&first);
    let first = results(&first);
    assert_eq!(first.len(), 100);
    assert!(first.iter().all(|r| r["status"] == "ok"));
    // Rows of one batch share the batch's requestid (at most 36 characters).
    assert_eq!(first[0]["requestid"], first[29]["requestid"]);
    assert_ne!(first[29]["requestid"], first[30]["requestid"]);
    assert!(
        first[0]["requestid"]
            .as_str()
            .is_some_and(|id| id.len() <= 36)
    );
    let mut created = ids(&first);
    created.sort_by_key(|id| id.parse::<u64>().expect("numeric id"));
    assert_eq!(created.first().map(String::as_str), Some("2501"));
    assert_eq!(created.last().map(String::as_str), Some("2600"));

    let second = run_create(&project, &request, &input);
    assert_ok(&second);
    assert_eq!(ids(&results(&second)), ids(&first));
    assert_eq!(invoice_count(&project, &conn), 2600);
    let stats = emulator.stats();
    assert_eq!(stats["batches"], 4, "{stats}");
    assert_eq!(stats["writes"], 100, "{stats}");
    assert_eq!(stats["replays"], 4, "{stats}");
}

/// A sparse customer update from `id,sync_token,notes` rows.
fn update_customers(project: &Project, connection: &str, on_stale: &str) -> PathBuf {
    project.file(
        "requests/update.yaml",
        &format!(
            r#"connection: {connection}
method: POST
path: /v3/company/{{{{ realm_id }}}}/customer
params:
  operation: update
input:
  format: csv
write:
  entity: Customer
  operation: update
{on_stale}
body: '{{"Id": {{{{ row.id }}}}, "SyncToken": {{{{ row.sync_token }}}}, "sparse": true, "Notes": {{{{ row.notes }}}}}}'
output:
  format: jsonl
"#
        ),
    )
}

#[test]
fn a_stale_sync_token_is_reread_when_asked_and_reported_otherwise() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    // Customer 3 is seeded with SyncToken 0; "7" is stale.
    let input = project.file(
        "customers.csv",
        "id,sync_token,notes\n3,7,first try\n3,0,second row\n",
    );

    let request = update_customers(&project, &conn, "");
    let output = project
        .command()
        .arg(&request)
        .arg("--input")
        .arg(&input)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("1 of 2 row(s) were not written"),
        "{}",
        stderr(&output)
    );
    let rows = results(&output);
    assert_eq!(rows.len(), 2, "every row has its result");
    assert_eq!(rows[0]["status"], "fault");
    assert_eq!(rows[0]["code"], "5010");
    assert_eq!(rows[0]["message"], "Stale Object Error");
    assert!(
        rows[0]["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("Stale Object Error"))
    );
    assert!(
        rows[0]["intuit_tid"]
            .as_str()
            .is_some_and(|t| t.starts_with("1-"))
    );
    assert_eq!(rows[0]["id"], Value::Null);
    assert_eq!(rows[0]["stale_retry"], false);
    assert_eq!(rows[1]["status"], "ok");
    assert_eq!(rows[1]["id"], "3");
    assert_eq!(rows[1]["sync_token"], "1");

    // Asked to re-read: the stale row reads customer 3 (now at SyncToken 1) and is sent once more.
    let request = update_customers(&project, &conn, "on_stale: reread");
    let input = project.file("customers2.csv", "id,sync_token,notes\n3,0,third try\n");
    let output = project
        .command()
        .arg(&request)
        .arg("--input")
        .arg(&input)
        .output()
        .expect("runs");
    assert_ok(&output);
    let rows = results(&output);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "ok", "{}", rows[0]);
    assert_eq!(rows[0]["stale_retry"], true);
    assert_eq!(rows[0]["sync_token"], "2");
    assert!(
        rows[0]["requestid"]
            .as_str()
            .is_some_and(|id| id.starts_with("qs-"))
    );
}

#[test]
fn a_row_that_fails_does_not_stop_the_others() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let request = project.file(
        "requests/customers.yaml",
        &format!(
            r#"connection: {conn}
method: POST
path: /v3/company/{{{{ realm_id }}}}/customer
input:
  requestid: "cust-{{{{ row.key }}}}"
write:
  entity: Customer
body: '{{"DisplayName": {{{{ row.name }}}}}}'
output:
  format: csv
  columns:
    row: $.row
    status: $.status
    id: $.id
    code: $.code
"#
        ),
    );
    let input = project.file(
        "customers.jsonl",
        "{\"key\": 1, \"name\": \"Alder Test One\"}\n{\"key\": 2, \"name\": \"O'Brien Landscaping\"}\n{\"key\": 3}\n\n{\"key\": 4, \"name\": \"Alder Test Four\"}\n",
    );
    let out = project.files.path().join("results.csv");
    let output = project
        .command()
        .arg(&request)
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(5), "{}", stderr(&output));
    let written = std::fs::read_to_string(&out).expect("the results are written even so");
    // Rows are sent side by side: which of rows 1 and 4 the emulator numbers first is theirs
    // to race for.
    let (first, last) = if written.contains("1,ok,121,") {
        ("121", "122")
    } else {
        ("122", "121")
    };
    assert_eq!(
        written,
        format!("row,status,id,code\n1,ok,{first},\n2,fault,,6240\n3,error,,\n4,ok,{last},\n")
    );
}

#[test]
fn dry_run_prints_every_call_and_sends_nothing() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let request = create_invoices(&project, &conn, "");
    let input = invoices_csv(&project, 3);
    let before = emulator.stats();
    let output = project
        .command()
        .arg(&request)
        .arg("--input")
        .arg(&input)
        .arg("--dry-run")
        .output()
        .expect("runs");
    assert_ok(&output);
    let text = stdout(&output);
    assert_eq!(text.matches("\nPOST ").count(), 3, "{text}");
    assert_eq!(
        text.matches("/invoice?minorversion=75&requestid=qr-")
            .count(),
        3,
        "{text}"
    );
    assert!(text.contains("Authorization: Bearer ***"), "{text}");
    assert!(text.contains("\"DocNumber\": \"T-0002\""), "{text}");
    assert!(text.contains("\"Amount\": 13.25"), "{text}");
    assert_eq!(emulator.stats(), before, "nothing reached the emulator");

    let batched = create_invoices(&project, &conn, "batch:\n  size: 2\n");
    let output = project
        .command()
        .arg(&batched)
        .arg("--input")
        .arg(&input)
        .arg("--dry-run")
        .output()
        .expect("runs");
    assert_ok(&output);
    let text = stdout(&output);
    assert!(text.contains("# rows 1, 2\nPOST "), "{text}");
    assert!(text.contains("# rows 3\nPOST "), "{text}");
    assert_eq!(
        text.matches("/batch?minorversion=75&requestid=qb-").count(),
        2
    );
    assert!(
        text.contains("\"operation\":\"create\",\"Invoice\":{"),
        "{text}"
    );
    assert_eq!(emulator.stats(), before);
}

#[test]
fn check_and_the_input_refuse_what_qbo_would() {
    let project = Project::new();
    let request = create_invoices(&project, "emulator", "batch:\n  size: 31\n");
    let output = project.run(["check".as_ref(), request.as_os_str()]);
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert!(
        text.contains(
            "`batch.size` must be between 1 and 30 (QBO's limit of items per batch), not 31"
        ),
        "{text}"
    );
    assert!(text.contains("create.yaml:10:9"), "{text}");

    let no_write = project.file(
        "requests/nowrite.yaml",
        "method: POST\npath: /v3/company/{{ realm_id }}/invoice\ninput: { format: csv }\nbody: '{}'\n",
    );
    let text = stderr(&project.run(["check".as_ref(), no_write.as_os_str()]));
    assert!(
        text.contains("a request with `input` needs `write: { entity: ..., operation: ... }`"),
        "{text}"
    );
    assert!(text.contains("nowrite.yaml:3:1"), "{text}");

    let mismatch = project.file(
        "requests/mismatch.yaml",
        "method: POST\npath: /v3/company/{{ realm_id }}/invoice\nparams:\n  operation: delete\ninput: {}\nwrite: { entity: Invoice, operation: void }\nbody: '{}'\n",
    );
    let text = stderr(&project.run(["check".as_ref(), mismatch.as_os_str()]));
    assert!(
        text.contains("`params.operation` is `delete` but `write.operation` is `void`"),
        "{text}"
    );

    // A CSV without a column the body reads is refused before anything is sent.
    let request = create_invoices(&project, "emulator", "");
    let input = project.file("short.csv", "ref,customer_id,amount\nX,3,1\n");
    let output = project
        .command()
        .arg(&request)
        .arg("--input")
        .arg(&input)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(3));
    let text = stderr(&output);
    assert!(
        text.contains("the request reads `row.item_id` but")
            && text.contains("has no column `item_id`"),
        "{text}"
    );
    assert!(
        text.contains("its columns: ref, customer_id, amount"),
        "{text}"
    );
    assert!(text.contains("create.yaml:17:55"), "{text}");

    let output = project.command().arg(&request).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("give the rows with --input PATH"));
}

#[test]
fn writes_are_retried_through_server_errors_without_duplicates() {
    // Injected errors replace the answer before anything is written; lost answers come after
    // the write took effect, so only the requestid's replay keeps a retry from writing twice.
    let emulator = EmulatorProcess::start(&[
        "--lose-write-answers",
        "0.3",
        "--server-error-rate",
        "0.3",
        "--throttle-rate",
        "0.1",
        "--retry-after-rate",
        "1",
        "--retry-after",
        "0",
        "--fault-seed",
        "11",
    ]);
    let project = Project::new();
    let conn = common::external_emulator_connection(
        &project,
        "flaky",
        &emulator,
        "retry:\n  max_attempts: 12\n  base_delay_ms: 5\n  max_delay_secs: 1\n  throttle_wait_secs: 0\n",
    );
    let conn = conn.to_string_lossy().into_owned();
    let request = create_invoices(&project, &conn, "");
    let input = invoices_csv(&project, 60);
    let output = run_create(&project, &request, &input);
    assert_ok(&output);
    let rows = results(&output);
    assert_eq!(rows.len(), 60);
    assert!(rows.iter().all(|r| r["status"] == "ok"));
    let stats = emulator.stats();
    assert!(stat(&stats, "server_errors") > 0, "{stats}");
    assert!(stat(&stats, "answers_lost") > 0, "{stats}");
    assert_eq!(
        stat(&stats, "replays"),
        stat(&stats, "answers_lost"),
        "every lost answer was replayed: {stats}"
    );
    assert_eq!(stat(&stats, "creates"), 60, "{stats}");
    assert_eq!(stat(&stats, "writes"), 60, "{stats}");
    assert_eq!(invoice_count(&project, &conn), 2560);
    let mut created = ids(&rows);
    created.sort();
    created.dedup();
    assert_eq!(created.len(), 60);
}

#[test]
fn a_folder_run_skips_write_requests_and_says_so() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    create_invoices(&project, &conn, "");
    project.file(
        "requests/customers.yaml",
        &format!(
            "connection: {conn}\npath: /v3/company/{{{{ realm_id }}}}/query\nparams:\n  query: select * from Customer\npaginate:\n  style: qbo-query\n"
        ),
    );
    let out = project.files.path().join("out");
    let output = project
        .command()
        .arg(project.files.path().join("requests"))
        .arg("--output-dir")
        .arg(&out)
        .output()
        .expect("qbo-run runs");
    assert_ok(&output);
    assert!(
        stderr(&output)
            .contains("summary: 1 of 1 request(s) succeeded, 1 write request(s) skipped"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("skipped create"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emulator.stats()["writes"], 0);
    assert_eq!(invoice_count(&project, &conn), 2500);
}
