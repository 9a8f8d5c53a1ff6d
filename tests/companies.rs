//! One request over many companies: an emulator serving three companies, three logins, then
//! `--all-realms`, `--realm`, `--shard` and `--output-dir` runs.

mod common;

use common::{EmulatorProcess, Project, assert_ok, external_emulator_connection, stderr, stdout};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const INVOICES: usize = 120;

struct Companies {
    emulator: EmulatorProcess,
    project: Project,
    connection: PathBuf,
    request: PathBuf,
    realms: Vec<String>,
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// An emulator with three companies, each logged in once.
fn three_companies() -> Companies {
    let emulator =
        EmulatorProcess::start(&["--companies", "3", "--invoices", &INVOICES.to_string()]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "firm", &emulator, "");
    for _ in 0..3 {
        assert_ok(&project.run(["auth", "login", path(&connection)]));
    }
    let list = project.run(["auth", "list", path(&connection)]);
    assert_ok(&list);
    let realms: Vec<String> = stdout(&list)
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect();
    assert_eq!(realms.len(), 3, "{}", stdout(&list));
    let request = project.file(
        "requests/invoices.yaml",
        "method: GET\npath: /v3/company/{{ realm_id }}/query\nparams: { query: \"select * from Invoice\" }\npaginate: { style: qbo-query, page_size: 50 }\nrecords: $.QueryResponse.Invoice[*]\noutput:\n  format: jsonl\n  columns: { id: $.Id, total: $.TotalAmt }\n",
    );
    Companies {
        emulator,
        project,
        connection,
        request,
        realms,
    }
}

impl Companies {
    fn run(&self, extra: &[&str]) -> std::process::Output {
        let mut args = vec![path(&self.request), "--connection", path(&self.connection)];
        args.extend_from_slice(extra);
        self.project.run(args)
    }
}

/// A request file `requests/NAME.yaml` for the invoices changed since `since` (incremental on
/// `MetaData.LastUpdatedTime`), written as `output` says.
fn changed_request(firm: &Companies, name: &str, output: &str) -> PathBuf {
    firm.project.file(
        &format!("requests/{name}.yaml"),
        &format!("method: GET\npath: /v3/company/{{{{ realm_id }}}}/query\nvars: {{ since: {{ default: \"2000-01-01T00:00:00-07:00\" }} }}\nparams: {{ query: \"select * from Invoice where Metadata.LastUpdatedTime >= '{{{{ since }}}}'\" }}\npaginate: {{ style: qbo-query, page_size: 100 }}\nrecords: $.QueryResponse.Invoice[*]\nincremental: {{ cursor: $.MetaData.LastUpdatedTime, var: since }}\noutput: {output}\n"),
    )
}

impl Companies {
    /// Runs `request` over every company, a file per company under `dir`; checks it succeeded.
    fn run_into(&self, request: &Path, dir: &Path) {
        let out = self.project.run([
            path(request),
            "--connection",
            path(&self.connection),
            "--all-realms",
            "--output-dir",
            path(dir),
        ]);
        assert_ok(&out);
    }
}

/// (realm, Id) of every JSON Lines record, checking `realm_id` comes first.
fn stamped_ids(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|line| {
            assert!(line.starts_with("{\"realm_id\":"), "realm_id first: {line}");
            let record: Value = serde_json::from_str(line).expect("JSON line");
            (
                record["realm_id"].as_str().expect("realm").to_string(),
                record["Id"].as_str().expect("Id").to_string(),
            )
        })
        .collect()
}

#[test]
fn all_realms_gives_every_company_once_equal_to_the_runs_of_each() {
    let firm = three_companies();
    let all = firm.run(&["--all-realms"]);
    assert_ok(&all);
    let merged = stamped_ids(&stdout(&all));
    assert_eq!(merged.len(), 3 * INVOICES);
    let distinct: BTreeSet<&(String, String)> = merged.iter().collect();
    assert_eq!(distinct.len(), merged.len(), "no record twice");
    let realms_in_order: Vec<&String> = {
        let mut seen = Vec::new();
        for (realm, _) in &merged {
            if seen.last() != Some(&realm) {
                seen.push(realm);
            }
        }
        seen
    };
    assert_eq!(
        realms_in_order,
        firm.realms.iter().collect::<Vec<_>>(),
        "companies follow each other in realm order"
    );
    let summary = stderr(&all);
    assert!(
        summary.contains("3 of 3 compan(ies) succeeded"),
        "{summary}"
    );

    // Each company alone gives the same records (unstamped: one company).
    let mut union = BTreeSet::new();
    for realm in &firm.realms {
        let one = firm.run(&["--realm", realm]);
        assert_ok(&one);
        for line in stdout(&one).lines() {
            assert!(!line.contains("realm_id"), "{line}");
            let record: Value = serde_json::from_str(line).expect("JSON line");
            union.insert((
                realm.clone(),
                record["Id"].as_str().expect("Id").to_string(),
            ));
        }
    }
    assert_eq!(union, merged.into_iter().collect::<BTreeSet<_>>());

    // CSV: realm_id is the first column.
    let csv = firm.run(&["--all-realms", "--format", "csv"]);
    assert_ok(&csv);
    let text = stdout(&csv);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("realm_id,id,total"));
    // Each row names its company first, and the rows are the records of the JSON Lines run.
    let rows: BTreeSet<(String, String)> = lines
        .map(|line| {
            let mut cells = line.split(',');
            let realm = cells.next().unwrap_or_default().to_string();
            let id = cells.next().unwrap_or_default().to_string();
            (realm, id)
        })
        .collect();
    assert_eq!(rows.len(), 3 * INVOICES);
    assert_eq!(rows, union, "CSV rows with their companies");
    let stats = firm.emulator.stats();
    let companies = stats["companies"].as_object().expect("per company");
    assert!(companies.values().all(|c| c["throttled"] == 0), "{stats}");
}

#[test]
fn shards_split_the_companies_with_nothing_lost_or_doubled() {
    let firm = three_companies();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut records = 0;
    for index in 0..2 {
        let mut command = firm.project.command();
        command
            .args([
                path(&firm.request),
                "--connection",
                path(&firm.connection),
                "--shard",
                "/2",
            ])
            .env("JOB_COMPLETION_INDEX", index.to_string());
        let out = command.output().expect("runs");
        assert_ok(&out);
        for (realm, _) in stamped_ids(&stdout(&out)) {
            *seen.entry(realm).or_default() += 1;
            records += 1;
        }
        // The same shard named explicitly gives the same output.
        let explicit = firm.run(&["--shard", &format!("{index}/2")]);
        assert_ok(&explicit);
        assert_eq!(stdout(&explicit), stdout(&out));
    }
    assert_eq!(records, 3 * INVOICES);
    assert_eq!(
        seen.keys().collect::<Vec<_>>(),
        firm.realms.iter().collect::<Vec<_>>()
    );
    assert!(seen.values().all(|n| *n == INVOICES), "{seen:?}");
}

#[test]
fn one_company_refused_leaves_the_others_whole_and_exits_4() {
    let firm = three_companies();
    let refused = &firm.realms[1];
    // Its refresh token is revoked at the OAuth server and its access token looks expired.
    let file = firm
        .project
        .home
        .path()
        .join("tokens")
        .join(format!("firm@{refused}.json"));
    let mut tokens: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("token file")).expect("json");
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let (status, _, _) = common::raw_http::request(
        "POST",
        &format!("{}/v2/oauth2/tokens/revoke", firm.emulator.base_url),
        &[
            ("content-type", "application/json"),
            (
                "authorization",
                "Basic cWJvLWVtdWxhdG9yLWNsaWVudDpxYm8tZW11bGF0b3Itc2VjcmV0",
            ),
        ],
        &format!("{{\"token\":\"{refresh}\"}}"),
    );
    assert_eq!(status, 200);
    tokens["access_token_expires_at"] = Value::String("2000-01-01T00:00:00Z".into());
    std::fs::write(&file, tokens.to_string()).expect("write");

    let output = firm.project.files.path().join("all.jsonl");
    let out = firm.run(&["--all-realms", "--output", path(&output)]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let summary = stderr(&out);
    assert!(
        summary.contains("2 of 3 compan(ies) succeeded"),
        "{summary}"
    );
    assert!(summary.contains(&format!("failed: {refused}")), "{summary}");
    let merged = stamped_ids(&std::fs::read_to_string(&output).expect("output"));
    assert_eq!(merged.len(), 2 * INVOICES);
    assert!(merged.iter().all(|(realm, _)| realm != refused));
    // The refused company's tokens are kept, marked as needing a login.
    let list = firm.project.run(["auth", "list", path(&firm.connection)]);
    let line = stdout(&list)
        .lines()
        .find(|l| l.starts_with(refused.as_str()))
        .map(str::to_string)
        .expect("still listed");
    assert!(line.ends_with("yes"), "{line}");
}

#[test]
fn output_dir_writes_a_file_per_company_and_state_is_kept_per_company() {
    let firm = three_companies();
    let request = changed_request(&firm, "changed", "{ format: jsonl }");
    let dir = firm.project.files.path().join("out");
    firm.run_into(&request, &dir);
    for realm in &firm.realms {
        let file = dir.join(realm).join("changed.jsonl");
        let ids = stamped_ids(&std::fs::read_to_string(&file).expect("per-company file"));
        assert_eq!(ids.len(), INVOICES, "{}", file.display());
        assert!(ids.iter().all(|(r, _)| r == realm));
        let state = firm
            .project
            .home
            .path()
            .join("state")
            .join("firm")
            .join(realm)
            .join("changed.json");
        assert!(
            state.is_file(),
            "state kept per company: {}",
            state.display()
        );
    }
    // The next run resumes each company at its own cursor: nothing new, nothing again.
    firm.run_into(&request, &dir);
    for realm in &firm.realms {
        let text = std::fs::read_to_string(dir.join(realm).join("changed.jsonl")).expect("file");
        assert!(
            text.lines().count() < INVOICES,
            "resumed at the cursor: {realm}"
        );
    }
}

#[test]
fn output_dir_csv_rows_name_their_company_first_and_resume_at_their_cursor() {
    let firm = three_companies();
    let request = changed_request(
        &firm,
        "changed_rows",
        "{ format: csv, columns: { id: $.Id, realm_id: $.Nothing, updated: $.MetaData.LastUpdatedTime } }",
    );
    let dir = firm.project.files.path().join("rows");
    let run = || firm.run_into(&request, &dir);
    run();
    for realm in &firm.realms {
        let text = std::fs::read_to_string(dir.join(realm).join("changed_rows.csv")).expect("file");
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("realm_id,id,updated"), "{realm}");
        let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), INVOICES, "{realm}");
        assert!(
            rows.iter()
                .all(|cells| cells.len() == 3 && cells[0] == realm.as_str()),
            "every row names {realm} first: {text}"
        );
        assert!(rows.iter().all(|cells| cells[2].starts_with("20")));
    }
    // The cursor read with each row's cells was kept: the next run writes less.
    run();
    for realm in &firm.realms {
        let text = std::fs::read_to_string(dir.join(realm).join("changed_rows.csv")).expect("file");
        assert!(
            text.lines().count() <= INVOICES,
            "resumed at the cursor: {realm}"
        );
    }
}

#[test]
fn a_realm_that_is_not_stored_is_named_and_a_shard_out_of_range_refused() {
    let firm = three_companies();
    let out = firm.run(&["--realm", "123456"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("123456"), "{}", stderr(&out));
    let out = firm.run(&["--realm", &firm.realms[0], "--realm", "123456"]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = firm.run(&["--shard", "2/2"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
