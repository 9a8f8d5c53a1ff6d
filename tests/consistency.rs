//! No record lost or doubled: every shipped query request against an emulator whose rows tie in
//! the sort order and come back in a new order on every query, and whose records are edited
//! while the run pages, gives each record exactly once, concurrently and page after page; a
//! write whose answer is lost after it was applied creates one record; an incremental run gets a
//! change made in its cursor's second, once.

mod common;

use common::{EmulatorProcess, Project, assert_ok, stat, stderr, stdout};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The shipped requests that page a QBO query, by name.
fn shipped_query_requests() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("requests");
    let mut found: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("requests folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).expect("request file");
            let name = path.file_stem()?.to_string_lossy().into_owned();
            text.contains("style: qbo-query").then_some((name, text))
        })
        .collect();
    found.sort();
    let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "accounts",
        "bills",
        "customers",
        "invoices",
        "invoices_changed",
        "items",
        "payments",
        "vendors",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} is not a paged request: {names:?}"
        );
    }
    found
}

/// `text` without the top-level YAML keys `drop` (and their indented lines).
fn without_keys(text: &str, drop: &[&str]) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        let top = !line.starts_with(' ') && !line.starts_with('#') && !line.is_empty();
        if top {
            skipping = drop.iter().any(|key| line.starts_with(&format!("{key}:")));
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The request `text` pointed at `connection`, pages of `page_size`.
fn retargeted(text: &str, connection: &Path, page_size: u32) -> String {
    text.replace(
        "connection: quickbooks",
        &format!("connection: {}", connection.display()),
    )
    .replace("page_size: 1000", &format!("page_size: {page_size}"))
}

/// `count(*)` of what the shipped request `text` selects, through qbo-run itself.
fn count_of(project: &Project, name: &str, text: &str, connection: &Path) -> u64 {
    let counting = without_keys(text, &["paginate", "incremental", "output", "records"])
        .lines()
        .map(|line| match line.find("orderby") {
            Some(at) => line[..at].trim_end().to_string(),
            None => line.to_string(),
        })
        // `select *` or a select list (`select Id, DocNumber from`) counts the same rows.
        .map(|line| match (line.find("select "), line.find(" from ")) {
            (Some(select), Some(from)) if select < from => {
                format!("{}select count(*){}", &line[..select], &line[from..])
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let file = project.file(
        &format!("requests/count_{name}.yaml"),
        &format!(
            "{}\nrecords: $.QueryResponse.totalCount\n",
            retargeted(&counting, connection, 1000)
        ),
    );
    let output = project.run([file.as_os_str(), "--format".as_ref(), "json".as_ref()]);
    assert_ok(&output);
    let counted: Value = serde_json::from_str(&stdout(&output)).expect("json");
    counted[0].as_u64().expect("a count")
}

/// The `Id` of each JSON Lines record.
fn ids(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("jsonl");
            record["Id"].as_str().expect("Id").to_string()
        })
        .collect()
}

/// The `extra_calls` of the run's `done` log line.
fn extra_calls(log: &str) -> u64 {
    log.lines()
        .filter(|line| line.contains(" done "))
        .find_map(|line| {
            let at = line.find("extra_calls=")? + "extra_calls=".len();
            line[at..].split_whitespace().next()?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no extra_calls in the log:\n{log}"))
}

/// Runs every shipped query request (or those named in `only`) against an emulator with
/// `settings` (and `limits`), and checks that each gives every record exactly once: as many
/// lines as distinct ids as `count(*)`. Returns the extra calls the runs needed.
fn every_record_once(settings: &str, limits: &str, page_size: u32, only: &[&str]) -> u64 {
    let project = Project::new();
    let connection = project.file(
        "connections/company.yaml",
        &format!("environment: emulator\nemulator:\n{settings}{limits}"),
    );
    let mut extra = 0;
    for (name, text) in shipped_query_requests() {
        if !only.is_empty() && !only.contains(&name.as_str()) {
            continue;
        }
        let expected = counts(&settings_size(settings))[&name];
        assert!(expected > 0, "{name} selects nothing");
        let request = project.file(
            &format!("requests/{name}.yaml"),
            &retargeted(&text, &connection, page_size),
        );
        let state = project.files.path().join(format!("{name}.state.json"));
        let output = project.run([
            request.as_os_str(),
            "--format".as_ref(),
            "jsonl".as_ref(),
            "--state".as_ref(),
            state.as_os_str(),
            "-v".as_ref(),
        ]);
        assert_ok(&output);
        let ids = ids(&stdout(&output));
        let distinct: HashSet<&String> = ids.iter().collect();
        assert_eq!(
            (ids.len() as u64, distinct.len() as u64),
            (expected, expected),
            "{name}: records written and distinct ids against count(*) {settings}{limits}"
        );
        extra += extra_calls(&stderr(&output));
    }
    extra
}

/// The `invoices:` line of `settings` (the company's size), if any.
fn settings_size(settings: &str) -> String {
    settings
        .lines()
        .find(|line| line.trim_start().starts_with("invoices:"))
        .map(|line| format!("{line}\n"))
        .unwrap_or_default()
}

/// `count(*)` of every shipped query request in a company of `size` (an `invoices:` setting
/// line, or empty), counted once per size: ties and edits change no count.
fn counts(size: &str) -> std::collections::BTreeMap<String, u64> {
    static COUNTED: std::sync::Mutex<Vec<(String, std::collections::BTreeMap<String, u64>)>> =
        std::sync::Mutex::new(Vec::new());
    let mut counted = COUNTED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, found)) = counted.iter().find(|(s, _)| s == size) {
        return found.clone();
    }
    let project = Project::new();
    let plain = project.file(
        "connections/plain.yaml",
        &format!("environment: emulator\nemulator:\n{size}"),
    );
    let found: std::collections::BTreeMap<String, u64> = shipped_query_requests()
        .into_iter()
        .map(|(name, text)| {
            let n = count_of(&project, &name, &text, &plain);
            (name, n)
        })
        .collect();
    counted.push((size.to_string(), found.clone()));
    found
}

// 1,500 invoices in runs of 700 with one LastUpdatedTime: the second run spans the boundary of
// the first two pages.
const SHUFFLED_TIES: &str = "  invoices: 1500\n  ties: 700\n  shuffle_ties: true\n";
const PAGE_AFTER_PAGE: &str = "limits:\n  max_in_flight: 1\n";

#[test]
fn shuffled_ties_give_every_record_once_concurrently() {
    every_record_once(SHUFFLED_TIES, "", 1000, &[]);
}

#[test]
fn shuffled_ties_give_every_record_once_page_after_page() {
    every_record_once(SHUFFLED_TIES, PAGE_AFTER_PAGE, 1000, &[]);
}

const EDITED_WHILE_PAGING: &str =
    "  invoices: 1500\n  ties: 700\n  shuffle_ties: true\n  updates_per_page: 25\n";

#[test]
fn records_edited_while_paging_are_written_once_concurrently() {
    every_record_once(EDITED_WHILE_PAGING, "", 1000, &[]);
}

#[test]
fn records_edited_while_paging_are_written_once_page_after_page() {
    every_record_once(EDITED_WHILE_PAGING, PAGE_AFTER_PAGE, 1000, &[]);
}

#[test]
fn heavy_edits_over_small_pages_are_bridged_and_still_written_once() {
    // 10 edits after every page of 100 of 800 invoices (ordered by LastUpdatedTime, so each edit
    // moves a record to the end): rows shift between almost every two pages.
    let settings = "  invoices: 800\n  ties: 150\n  shuffle_ties: true\n  updates_per_page: 10\n";
    let concurrent = every_record_once(settings, "", 100, &["invoices"]);
    let sequential = every_record_once(settings, PAGE_AFTER_PAGE, 100, &["invoices"]);
    assert!(
        concurrent > 0 && sequential > 0,
        "the edits made pages bridge or catch up: {concurrent} {sequential}"
    );
}

/// A connection to `emulator` whose retries are quick.
fn quick_connection(project: &Project, emulator: &EmulatorProcess) -> PathBuf {
    common::external_emulator_connection(
        project,
        "books",
        emulator,
        "retry:\n  max_attempts: 6\n  base_delay_ms: 5\n  max_delay_secs: 1\n  throttle_wait_secs: 0\n",
    )
}

/// `requests/create_invoices.yaml` at `connection` for `rows` (CSV with its header); the
/// results.
fn create_invoices(project: &Project, connection: &Path, rows: &str) -> Vec<Value> {
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/create_invoices.yaml"),
    )
    .expect("shipped request");
    let request = project.file(
        "requests/create_invoices.yaml",
        &retargeted(&shipped, connection, 1000),
    );
    let input = project.file("new.csv", rows);
    let output = project.run([
        request.as_os_str(),
        "--input".as_ref(),
        input.as_os_str(),
        "--format".as_ref(),
        "jsonl".as_ref(),
    ]);
    assert_ok(&output);
    stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a result"))
        .collect()
}

#[test]
fn a_write_whose_answer_is_lost_after_it_was_applied_creates_one_record() {
    let emulator = EmulatorProcess::start(&["--lose-write-answers", "1"]);
    let project = Project::new();
    let connection = quick_connection(&project, &emulator);
    let results = create_invoices(
        &project,
        &connection,
        "ref,customer_id,item_id,amount,description\nLOST-1,3,1,150.00,Lost answer\n",
    );
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["status"], "ok", "{results:?}");
    assert_eq!(results[0]["id"], "2501");
    let stats = emulator.stats();
    assert_eq!(
        (
            stat(&stats, "creates"),
            stat(&stats, "replays"),
            stat(&stats, "answers_lost")
        ),
        (1, 1, 1),
        "one create, its answer lost, one replay: {stats}"
    );
    // Nothing was created twice: the company has one invoice more.
    let counted = count_of(
        &project,
        "invoices",
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/invoices.yaml"),
        )
        .expect("shipped"),
        &connection,
    );
    assert_eq!(counted, 2501);
}

/// Runs `request` with `state`; the JSON Lines records it wrote.
fn incremental_run(project: &Project, request: &Path, state: &Path) -> Vec<Value> {
    let output = project.run([
        request.as_os_str(),
        "--state".as_ref(),
        state.as_os_str(),
        "--format".as_ref(),
        "jsonl".as_ref(),
    ]);
    assert_ok(&output);
    stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("jsonl"))
        .collect()
}

fn ids_of(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["Id"].as_str().expect("Id").to_string())
        .collect()
}

/// A sparse update of invoice `id` at `sync_token` (its `PrivateNote`).
fn touch_invoice(project: &Project, connection: &Path, id: &str, sync_token: &str) {
    let request = project.file(
        "requests/touch.yaml",
        &format!(
            "connection: {}\nmethod: POST\npath: /v3/company/{{{{ realm_id }}}}/invoice\ninput: {{ format: csv }}\nwrite: {{ entity: Invoice, operation: update }}\nbody: '{{\"Id\": {{{{ row.id }}}}, \"SyncToken\": {{{{ row.token }}}}, \"sparse\": true, \"PrivateNote\": \"touched\"}}'\noutput:\n  format: jsonl\n",
            connection.display()
        ),
    );
    let input = project.file("touch.csv", &format!("id,token\n{id},{sync_token}\n"));
    let output = project.run([request.as_os_str(), "--input".as_ref(), input.as_os_str()]);
    assert_ok(&output);
    assert!(
        stdout(&output).contains("\"status\":\"ok\""),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_incremental_run_gets_a_change_made_in_its_cursors_second_once() {
    // The company's clock stands still, so every write below happens in the same second.
    let emulator =
        EmulatorProcess::start(&["--invoices", "300", "--now", "2026-06-01T12:00:00-07:00"]);
    let project = Project::new();
    let connection = quick_connection(&project, &emulator);
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/invoices_changed.yaml"),
    )
    .expect("shipped request");
    let request = project.file(
        "requests/invoices_changed.yaml",
        &retargeted(&shipped, &connection, 1000),
    );
    let state = project.files.path().join("changed.state.json");
    assert_eq!(incremental_run(&project, &request, &state).len(), 300);

    let header = "ref,customer_id,item_id,amount,description\n";
    create_invoices(
        &project,
        &connection,
        &format!("{header}SAME-1,3,1,10.00,first\n"),
    );
    assert_eq!(
        ids_of(&incremental_run(&project, &request, &state)),
        ["301"]
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("state")).expect("json");
    assert_eq!(saved["cursor"], "2026-06-01T12:00:00-07:00");
    assert_eq!(saved["written_at_cursor"], serde_json::json!(["301/0"]));

    // In the cursor's second: another invoice, then a change to the first.
    create_invoices(
        &project,
        &connection,
        &format!("{header}SAME-2,3,1,20.00,second\n"),
    );
    assert_eq!(
        ids_of(&incremental_run(&project, &request, &state)),
        ["302"]
    );
    touch_invoice(&project, &connection, "301", "0");
    let changed = incremental_run(&project, &request, &state);
    assert_eq!(ids_of(&changed), ["301"]);
    assert_eq!(changed[0]["SyncToken"], "1");
    assert!(
        incremental_run(&project, &request, &state).is_empty(),
        "nothing twice"
    );
}

#[test]
fn an_incremental_cdc_run_gets_a_change_made_in_its_cursors_second_once() {
    // CDC looks back 30 days from qbo-run's clock, so the company's clock stands an hour ago.
    let now = (chrono::Utc::now() - chrono::Duration::hours(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let emulator = EmulatorProcess::start(&["--now", &now]);
    let project = Project::new();
    let connection = quick_connection(&project, &emulator);
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/changes.yaml"),
    )
    .expect("shipped request");
    let request = project.file(
        "requests/changes.yaml",
        &retargeted(&shipped, &connection, 1000),
    );
    let state = project.files.path().join("changes.state.json");
    assert!(
        incremental_run(&project, &request, &state).is_empty(),
        "seeded books are old"
    );

    let header = "ref,customer_id,item_id,amount,description\n";
    create_invoices(
        &project,
        &connection,
        &format!("{header}CDC-1,3,1,10.00,first\n"),
    );
    let first = incremental_run(&project, &request, &state);
    assert_eq!(ids_of(&first), ["2501"]);
    assert_eq!(first[0]["entity"], "Invoice");
    create_invoices(
        &project,
        &connection,
        &format!("{header}CDC-2,3,1,20.00,second\n"),
    );
    assert_eq!(
        ids_of(&incremental_run(&project, &request, &state)),
        ["2502"]
    );
    assert!(
        incremental_run(&project, &request, &state).is_empty(),
        "nothing twice"
    );
}
