//! Change data capture (`extract: cdc`) against a standalone emulator that keeps its books
//! between runs: the records created, updated and deleted after a time come back, deleted ones
//! marked; the 30-day window is enforced by `check` and at run time; incremental runs resume.

mod common;

use common::{EmulatorProcess, Project, assert_ok, stderr, stdout};
use serde_json::Value;
use std::path::PathBuf;

fn jsonl(output: &std::process::Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// A write request of `entity`/`operation` whose body is `body`, results as JSON Lines.
fn write_request(
    project: &Project,
    name: &str,
    conn: &str,
    entity: &str,
    operation: &str,
    extra: &str,
    body: &str,
) -> PathBuf {
    let params = if operation == "create" {
        String::new()
    } else {
        format!("params:\n  operation: {operation}\n")
    };
    project.file(
        &format!("requests/{name}.yaml"),
        &format!(
            "connection: {conn}\nmethod: POST\npath: /v3/company/{{{{ realm_id }}}}/{}\n{params}input: {{ format: csv }}\nwrite: {{ entity: {entity}, operation: {operation} }}\n{extra}body: '{body}'\noutput:\n  format: jsonl\n",
            entity.to_ascii_lowercase()
        ),
    )
}

fn run_with_input(project: &Project, request: &PathBuf, csv: &str) -> Vec<Value> {
    let input = project.file("rows.csv", csv);
    let output = project
        .command()
        .arg(request)
        .arg("--input")
        .arg(&input)
        .output()
        .expect("runs");
    assert_ok(&output);
    let results = jsonl(&output);
    assert!(results.iter().all(|r| r["status"] == "ok"), "{results:?}");
    results
}

/// The CDC request: `changedSince` from the variable `since`.
fn changes_request(project: &Project, conn: &str, since_default: &str, extra: &str) -> PathBuf {
    project.file(
        "requests/changes.yaml",
        &format!(
            "connection: {conn}\nvars:\n  since:\n    default: \"{since_default}\"\npath: /v3/company/{{{{ realm_id }}}}/cdc\nparams:\n  entities: Invoice,Customer,Payment\n  changedSince: \"{{{{ since }}}}\"\nextract: cdc\n{extra}output:\n  format: jsonl\n"
        ),
    )
}

#[test]
fn cdc_returns_what_was_created_updated_and_deleted_deleted_ones_marked() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let since = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();

    let create = write_request(
        &project,
        "create",
        &conn,
        "Invoice",
        "create",
        "",
        r#"{"CustomerRef": {"value": {{ row.customer }}}, "Line": [{"Amount": {{ row.amount | float }}, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}]}"#,
    );
    let created = run_with_input(&project, &create, "customer,amount\n3,10\n3,20\n");
    let kept = created[0]["id"].as_str().expect("id").to_string();
    let gone = created[1]["id"].as_str().expect("id").to_string();

    let update = write_request(
        &project,
        "update",
        &conn,
        "Customer",
        "update",
        "on_stale: reread\n",
        r#"{"Id": {{ row.id }}, "SyncToken": {{ row.sync_token }}, "sparse": true, "Notes": {{ row.notes }}}"#,
    );
    run_with_input(
        &project,
        &update,
        "id,sync_token,notes\n5,0,moved to Net 15\n",
    );

    let delete = write_request(
        &project,
        "delete",
        &conn,
        "Invoice",
        "delete",
        "",
        r#"{"Id": {{ row.id }}, "SyncToken": {{ row.sync_token }}}"#,
    );
    run_with_input(&project, &delete, &format!("id,sync_token\n{gone},0\n"));

    let request = changes_request(&project, &conn, &since, "");
    let output = project.command().arg(&request).output().expect("runs");
    assert_ok(&output);
    let records = jsonl(&output);
    let summary: Vec<(String, String, bool)> = records
        .iter()
        .map(|r| {
            (
                r["entity"].as_str().expect("entity").to_string(),
                r["Id"].as_str().expect("Id").to_string(),
                r["deleted"].as_bool().expect("deleted"),
            )
        })
        .collect();
    let mut invoices: Vec<(String, String, bool)> = summary
        .iter()
        .filter(|s| s.0 == "Invoice")
        .cloned()
        .collect();
    invoices.sort();
    let mut expected = vec![
        ("Invoice".to_string(), kept.clone(), false),
        ("Invoice".to_string(), gone.clone(), true),
    ];
    expected.sort();
    assert_eq!(invoices, expected);
    assert_eq!(
        summary
            .iter()
            .filter(|s| s.0 == "Customer")
            .collect::<Vec<_>>(),
        vec![&("Customer".to_string(), "5".to_string(), false)]
    );
    assert_eq!(records.len(), 3, "{records:?}");
    // `entity` and `deleted` come first; a deleted record is QBO's stub.
    let stub = records
        .iter()
        .find(|r| r["deleted"] == true)
        .expect("a deleted record");
    let keys: Vec<&str> = stub
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        ["entity", "deleted", "domain", "status", "Id", "MetaData"]
    );
    assert_eq!(stub["status"], "Deleted");
    let customer = records
        .iter()
        .find(|r| r["entity"] == "Customer")
        .expect("customer");
    assert_eq!(customer["Notes"], "moved to Net 15");
    // Seed 42 gives customer 5 SyncToken 5; the update (after a re-read) makes it 6.
    assert_eq!(customer["SyncToken"], "6");
    let live = records
        .iter()
        .find(|r| r["Id"] == kept.as_str())
        .expect("kept invoice");
    assert_eq!(live["TotalAmt"], 10.0);

    // The same as CSV with columns over the produced records.
    let csv = project.file(
        "requests/changes_csv.yaml",
        &format!(
            "connection: {conn}\npath: /v3/company/{{{{ realm_id }}}}/cdc\nparams:\n  entities: Customer\n  changedSince: \"{since}\"\nextract: cdc\noutput:\n  format: csv\n  columns:\n    entity: $.entity\n    id: $.Id\n    deleted: $.deleted\n    notes: $.Notes\n"
        ),
    );
    let output = project.command().arg(&csv).output().expect("runs");
    assert_ok(&output);
    assert_eq!(
        stdout(&output),
        "entity,id,deleted,notes\nCustomer,5,false,moved to Net 15\n"
    );
}

#[test]
fn changed_since_more_than_30_days_back_is_refused_by_check_and_at_run_time() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let old = (chrono::Utc::now() - chrono::Duration::days(31))
        .format("%Y-%m-%d")
        .to_string();

    let request = changes_request(&project, &conn, &old, "");
    let output = project.run(["check".as_ref(), request.as_os_str()]);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains(&format!(
            "changedSince `{old}` is 31 days ago; QBO's change data capture looks back at most 30 days"
        )),
        "{text}"
    );
    assert!(text.contains("changes.yaml:4:14"), "{text}");

    // A default that moves with the clock passes; an old value given at run time is refused
    // before anything reaches QBO.
    let request = changes_request(&project, &conn, "{{ days_ago(7) }}", "");
    let text = std::fs::read_to_string(&request).expect("read");
    let request = project.file(
        "requests/changes.yaml",
        &text
            .replace(
                "changedSince: \"{{ since }}\"",
                "changedSince: \"{{ since or days_ago(7) }}\"",
            )
            .replace("default: \"{{ days_ago(7) }}\"", "default: \"\""),
    );
    assert_ok(&project.run(["check".as_ref(), request.as_os_str()]));
    let output = project
        .command()
        .arg(&request)
        .arg("--var")
        .arg(format!("since={old}"))
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output)
            .contains("is 31 days ago; QBO's change data capture looks back at most 30 days"),
        "{}",
        stderr(&output)
    );
    assert_eq!(emulator.stats()["api_requests"], 0);
    let output = project.command().arg(&request).output().expect("runs");
    assert_ok(&output);
    assert_eq!(
        stdout(&output),
        "",
        "nothing changed in the last 7 days of the seeded books"
    );
}

#[test]
fn incremental_cdc_resumes_after_the_last_change_it_wrote() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let since = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let request = changes_request(
        &project,
        &conn,
        &since,
        "incremental:\n  cursor: $.MetaData.LastUpdatedTime\n  var: since\n",
    );
    let state = project.files.path().join("cdc.state");
    let run = || {
        let output = project
            .command()
            .arg(&request)
            .arg("--state")
            .arg(&state)
            .output()
            .expect("runs");
        assert_ok(&output);
        jsonl(&output)
    };
    let before = chrono::Utc::now();
    assert!(run().is_empty());
    // No change: the cursor moves to when the emulator answered, so a quiet company never ends
    // up with a cursor past QBO's 30-day look-back.
    let quiet: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state saved")).expect("json");
    let answered = chrono::DateTime::parse_from_rfc3339(quiet["cursor"].as_str().expect("cursor"))
        .expect("an RFC 3339 time");
    assert!(
        answered >= before - chrono::Duration::seconds(2)
            && answered <= chrono::Utc::now() + chrono::Duration::seconds(1),
        "{answered} is not when the emulator answered"
    );

    let update = write_request(
        &project,
        "update",
        &conn,
        "Customer",
        "update",
        "on_stale: reread\n",
        r#"{"Id": {{ row.id }}, "SyncToken": {{ row.sync_token }}, "sparse": true, "Notes": {{ row.notes }}}"#,
    );
    run_with_input(&project, &update, "id,sync_token,notes\n9,0,first\n");
    let first = run();
    assert_eq!(first.len(), 1);
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state saved")).expect("json");
    assert_eq!(saved["cursor"], first[0]["MetaData"]["LastUpdatedTime"]);

    // The next run asks from the saved cursor (inclusive): it sees the new change.
    run_with_input(&project, &update, "id,sync_token,notes\n10,0,second\n");
    let second = run();
    assert!(second.iter().any(|r| r["Id"] == "10"), "{second:?}");
    assert!(
        second
            .iter()
            .all(|r| r["MetaData"]["LastUpdatedTime"].as_str() >= saved["cursor"].as_str()),
        "{second:?}"
    );
}

#[test]
fn an_answer_at_the_1000_object_cap_is_asked_again_per_entity_and_no_change_is_lost() {
    use common::raw_http::{emulator_access_token, request};
    // Someone else saves 600 records of the queried entity after each query page.
    let emulator = EmulatorProcess::start(&["--updates-per-page", "600"]);
    let project = Project::new();
    let conn = common::external_emulator_connection(&project, "books", &emulator, "");
    let conn = conn.to_string_lossy().into_owned();
    let since = (chrono::Utc::now() - chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let token = emulator_access_token(&emulator.base_url);
    let api = format!("{}/v3/company/9341453050298464/query", emulator.base_url);
    let ask = |statement: &str| -> Value {
        let url = url::Url::parse_with_params(&api, &[("query", statement)]).expect("url");
        let bearer = format!("Bearer {token}");
        let (status, _, body) = request(
            "GET",
            url.as_str(),
            &[("authorization", &bearer), ("accept", "application/json")],
            "",
        );
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).expect("JSON")
    };
    // Page until each entity has at least 600 changed records (a count is not a page: it
    // edits nothing).
    let mut changed = std::collections::BTreeMap::new();
    for entity in ["Invoice", "Payment"] {
        let count = || {
            let body = ask(&format!(
                "select count(*) from {entity} where Metadata.LastUpdatedTime >= '{since}'"
            ));
            body["QueryResponse"]["totalCount"].as_u64().expect("count") as usize
        };
        let mut pages = 0;
        while count() < 600 {
            ask(&format!("select * from {entity} maxresults 1"));
            pages += 1;
            assert!(
                pages < 100,
                "{entity}: edits while paging stopped at {}",
                count()
            );
        }
        changed.insert(entity.to_string(), count());
    }
    let total: usize = changed.values().sum();
    assert!(total > 1000, "{changed:?}");
    assert!(changed.values().all(|&n| n < 1000), "{changed:?}");
    let before = emulator.stat("api_requests");

    let request_file = project.file(
        "requests/changes.yaml",
        &format!(
            "connection: {conn}\npath: /v3/company/{{{{ realm_id }}}}/cdc\nparams:\n  entities: Invoice,Payment\n  changedSince: \"{since}\"\nextract: cdc\noutput:\n  format: jsonl\n"
        ),
    );
    let output = project.command().arg(&request_file).output().expect("runs");
    assert_ok(&output);
    let records = jsonl(&output);
    let mut got = std::collections::BTreeMap::new();
    let mut keys = std::collections::HashSet::new();
    for r in &records {
        let entity = r["entity"].as_str().expect("entity").to_string();
        assert!(
            keys.insert((entity.clone(), r["Id"].as_str().expect("Id").to_string())),
            "{entity} {} twice",
            r["Id"]
        );
        *got.entry(entity).or_insert(0usize) += 1;
    }
    assert_eq!(got, changed, "{}", stderr(&output));
    // The capped answer, then one call per entity.
    assert_eq!(emulator.stat("api_requests") - before, 3);
}

/// A CDC answer with Invoices `ids`, each changed at `at(id)`.
fn invoices_answer(ids: std::ops::Range<u32>, at: impl Fn(u32) -> String) -> String {
    let records: Vec<Value> = ids
        .map(
            |id| serde_json::json!({"Id": id.to_string(), "MetaData": {"LastUpdatedTime": at(id)}}),
        )
        .collect();
    serde_json::json!({
        "CDCResponse": [{"QueryResponse": [{"Invoice": records, "startPosition": 1, "maxResults": records.len()}]}],
        "time": chrono::Utc::now().to_rfc3339(),
    })
    .to_string()
}

#[test]
fn one_entity_at_the_cap_is_asked_again_from_its_newest_change() {
    use common::{Answer, ScriptedServer};
    let base = chrono::Utc::now() - chrono::Duration::days(1);
    let at = |id: u32| {
        (base + chrono::Duration::seconds(i64::from(id) / 2))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    // 1,000 changes (ids 1..=1000), then from the newest second on: 999 and 1000 again, and 300
    // more.
    let server = ScriptedServer::start(vec![
        Answer::new(200, &invoices_answer(1..1001, at)),
        Answer::new(200, &invoices_answer(999..1301, at)),
    ]);
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = server.connection(&project, &emulator, "");
    let invoice_changes = |conn: &PathBuf, since: &str| {
        project.file(
            "requests/invoice_changes.yaml",
            &format!(
                "connection: {}\npath: /v3/company/{{{{ realm_id }}}}/cdc\nparams:\n  entities: Invoice\n  changedSince: \"{since}\"\nextract: cdc\noutput:\n  format: jsonl\n",
                conn.to_string_lossy()
            ),
        )
    };
    let since = (base - chrono::Duration::hours(1)).to_rfc3339();
    let request = invoice_changes(&conn, &since);
    let output = project.command().arg(&request).output().expect("runs");
    assert_ok(&output);
    let ids: Vec<String> = jsonl(&output)
        .iter()
        .map(|r| r["Id"].as_str().expect("Id").to_string())
        .collect();
    assert_eq!(ids.len(), 1300, "{}", stderr(&output));
    let unique: std::collections::HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), 1300);
    let asked = server.asked();
    assert_eq!(asked.len(), 2);
    let second = url::Url::parse(&format!("http://x{}", asked[1].target)).expect("target");
    let pairs: std::collections::HashMap<String, String> = second
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    assert_eq!(pairs["changedSince"], at(1000));
    assert_eq!(pairs["entities"], "Invoice");

    // 1,000 changes within one second cannot be told apart: an error, not a silent loss.
    let server =
        ScriptedServer::start(vec![Answer::new(200, &invoices_answer(1..1001, |_| at(0)))]);
    let conn = server.connection(&project, &emulator, "");
    let request = invoice_changes(&conn, &at(0));
    let output = project.command().arg(&request).output().expect("runs");
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("all within one second"),
        "{}",
        stderr(&output)
    );
}
