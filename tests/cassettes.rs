//! `qbo-run test`: the shipped cassettes replay offline (a loopback server answers in QBO's
//! place) and pass; a changed request or output fails with a diff; recording scrubs tokens,
//! secrets, realm ids and `intuit_tid`s (canaries prove it); the JUnit report is read back by a
//! real JUnit parser.

mod common;

use common::{EmulatorProcess, Project, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs qbo-run in `dir` with `project`'s data folder.
fn run_in(project: &Project, dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qbo-run"))
        .args(args)
        .current_dir(dir)
        .env("QBO_RUN_HOME", project.home.path())
        .env("HOME", project.home.path())
        .env("CANARY_SECRET", "canary-secret-5f1d2e9a7c")
        .env_remove("QBO_RUN_LOG")
        .env_remove("QBO_RUN_STORE")
        .output()
        .expect("qbo-run runs")
}

/// The shipped request files that have a cassette.
fn shipped_with_cassettes() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("requests"))
        .expect("requests")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| {
            let stem = p.file_stem().expect("stem").to_string_lossy().into_owned();
            root()
                .join(format!("requests/cassettes/{stem}.yaml"))
                .is_file()
        })
        .map(|p| {
            format!(
                "requests/{}",
                p.file_name().expect("name").to_string_lossy()
            )
        })
        .collect();
    files.sort();
    files
}

/// A copy of a shipped request file, its cassette and expected output in a scratch project.
fn copy_shipped(project: &Project, stem: &str) -> PathBuf {
    let dir = project.files.path();
    std::fs::create_dir_all(dir.join("requests/cassettes")).expect("mkdir");
    for relative in [
        format!("requests/{stem}.yaml"),
        format!("requests/cassettes/{stem}.yaml"),
    ] {
        std::fs::copy(root().join(&relative), dir.join(&relative)).expect("copy");
    }
    for entry in std::fs::read_dir(root().join("requests/cassettes")).expect("cassettes") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.starts_with(&format!("{stem}.expected.")) {
            std::fs::copy(&path, dir.join("requests/cassettes").join(&name)).expect("copy");
        }
    }
    dir.join(format!("requests/{stem}.yaml"))
}

#[test]
fn the_shipped_cassettes_pass_offline_and_junit_reads_them_back() {
    let files = shipped_with_cassettes();
    assert!(files.len() >= 19, "shipped cassettes: {files:?}");
    for expected in [
        "requests/invoices.yaml",
        "requests/profit_and_loss.yaml",
        "requests/create_invoices.yaml",
        "requests/void_invoices.yaml",
    ] {
        assert!(
            files.contains(&expected.to_string()),
            "{expected} has a cassette"
        );
    }
    let project = Project::new();
    let junit = project.home.path().join("results.xml");
    let mut args: Vec<&str> = vec!["test", "--junit", junit.to_str().expect("utf-8")];
    args.extend(files.iter().map(String::as_str));
    let output = run_in(&project, &root(), &args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
    assert!(stdout(&output).contains(&format!("qbo-run test: {} passed, 0 failed", files.len())));
    let report = junit_parser::from_reader(std::io::BufReader::new(
        std::fs::File::open(&junit).expect("the JUnit file"),
    ))
    .expect("JUnit XML a JUnit parser reads");
    assert_eq!(report.tests as usize, files.len());
    assert_eq!(report.failures, 0);
    let suite = &report.suites[0];
    let names: Vec<&str> = suite
        .cases
        .iter()
        .map(|c| c.name.trim_start_matches("qbo-run::"))
        .collect();
    assert_eq!(names, files.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(suite.cases.iter().all(|c| c.status.is_success()));
    // Nothing was logged in: the replay's tokens live in a folder of its own.
    assert!(!project.home.path().join("tokens").exists());
}

#[test]
fn a_changed_request_fails_with_a_diff_of_the_request() {
    let project = Project::new();
    let file = copy_shipped(&project, "invoices");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace("orderby Metadata.LastUpdatedTime", "orderby TxnDate"),
    )
    .expect("write");
    let junit = project.home.path().join("r.xml");
    let output = run_in(
        &project,
        project.files.path(),
        &[
            "test",
            "requests/invoices.yaml",
            "--junit",
            junit.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.contains("FAIL  requests/invoices.yaml"), "{out}");
    assert!(
        out.contains("the request differs from the recorded one"),
        "{out}"
    );
    assert!(
        out.contains("-  query = select count(*) from Invoice")
            || out.contains("orderby Metadata.LastUpdatedTime, Id"),
        "{out}"
    );
    assert!(out.contains("+  query = select * from Invoice where Metadata.LastUpdatedTime >= '2000-01-01' orderby TxnDate, Id"), "{out}");
    assert!(out.contains("qbo-run test: 0 passed, 1 failed"), "{out}");
    let report = junit_parser::from_reader(std::io::BufReader::new(
        std::fs::File::open(&junit).expect("JUnit"),
    ))
    .expect("parses");
    assert_eq!(report.failures, 1);
    let case = &report.suites[0].cases[0];
    assert!(case.status.is_failure());
    assert!(
        case.status
            .failure_as_ref()
            .text
            .contains("orderby TxnDate"),
        "the diff is in the report"
    );
}

#[test]
fn a_changed_output_fails_with_a_diff_and_each_expectation_is_checked() {
    let project = Project::new();
    let file = copy_shipped(&project, "invoices");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        text.replace("    total: $.TotalAmt\n", "    total: $.Balance\n"),
    )
    .expect("write");
    let output = run_in(
        &project,
        project.files.path(),
        &["test", "requests/invoices.yaml"],
    );
    assert_eq!(output.status.code(), Some(8));
    let out = stdout(&output);
    assert!(
        out.contains("the output differs from invoices.expected.csv"),
        "{out}"
    );
    assert!(
        out.contains("-1,1001,2022-12-30,2022-12-30,1,Highland Hardware,2846.52,0,"),
        "{out}"
    );
    assert!(
        out.contains("+1,1001,2022-12-30,2022-12-30,1,Highland Hardware,0,0,"),
        "{out}"
    );

    // The request as recorded again, with expectations in YAML that do not hold.
    copy_shipped(&project, "invoices");
    let cassette = project
        .files
        .path()
        .join("requests/cassettes/invoices.yaml");
    let text = std::fs::read_to_string(&cassette).expect("read");
    let text = text
        .replace("  records: 12\n", "  records: 13\n  paths:\n  - path: $[0].number\n    equals: '1001'\n  - path: $[0].total\n    equals: '1.00'\n  - path: $[0].nothing\n    exists: true\n")
        .replace("  - updated\n", "  - changed\n");
    std::fs::write(&cassette, text).expect("write");
    let output = run_in(
        &project,
        project.files.path(),
        &["test", "requests/invoices.yaml"],
    );
    assert_eq!(output.status.code(), Some(8));
    let out = stdout(&output);
    assert!(
        out.contains("expected 13 records, the output has 12"),
        "{out}"
    );
    assert!(out.contains("the columns differ"), "{out}");
    assert!(
        out.contains("`$[0].total` is \"2846.52\", expected \"1.00\""),
        "{out}"
    );
    assert!(out.contains("`$[0].nothing` matches nothing"), "{out}");
    assert!(
        !out.contains("$[0].number"),
        "a check that holds says nothing: {out}"
    );
}

#[test]
fn a_request_file_without_a_cassette_fails() {
    let project = Project::new();
    project.file(
        "requests/lonely.yaml",
        "path: /v3/company/{{ realm_id }}/companyinfo/{{ realm_id }}\n",
    );
    let output = run_in(
        &project,
        project.files.path(),
        &["test", "requests/lonely.yaml"],
    );
    assert_eq!(output.status.code(), Some(8));
    assert!(
        stdout(&output).contains("no cassette at requests/cassettes/lonely.yaml"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn recording_scrubs_tokens_secrets_realm_ids_and_intuit_tids() {
    const CLIENT_ID: &str = "canary-client-id";
    const SECRET: &str = "canary-secret-5f1d2e9a7c";
    const REALM: &str = "4620816365257715";
    let emulator = EmulatorProcess::start(&[
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        SECRET,
        "--realm-id",
        REALM,
        "--invoices",
        "5",
        "--customers",
        "3",
        "--now",
        "2025-09-19T12:00:00-07:00",
    ]);
    let project = Project::new();
    let dir = project.files.path();
    common::external_emulator_connection(
        &project,
        "canary",
        &emulator,
        &format!(
            "oauth2:\n  client_id: {CLIENT_ID}\n  client_secret: \"{{{{ env.CANARY_SECRET }}}}\"\n"
        ),
    );
    for stem in ["company_info", "invoices", "create_invoices"] {
        std::fs::copy(
            root().join(format!("requests/{stem}.yaml")),
            dir.join(format!("requests/{stem}.yaml")),
        )
        .expect("copy");
    }
    project.file(
        "requests/new.csv",
        "ref,customer_id,item_id,amount,description\nC-1,1,1,10.00,Canary line\n",
    );
    let login = run_in(&project, dir, &["auth", "login", "canary"]);
    assert_eq!(login.status.code(), Some(0), "{}", stderr(&login));
    for args in [
        &[
            "test",
            "--record",
            "requests/company_info.yaml",
            "--connection",
            "canary",
        ][..],
        &[
            "test",
            "--record",
            "requests/invoices.yaml",
            "--connection",
            "canary",
        ],
        &[
            "test",
            "--record",
            "requests/create_invoices.yaml",
            "--connection",
            "canary",
            "--input",
            "requests/new.csv",
        ],
    ] {
        let output = run_in(&project, dir, args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stdout(&output).starts_with("recorded requests/cassettes/"),
            "{}",
            stdout(&output)
        );
    }
    let tokens_dir = project.home.path().join("tokens");
    let token_file = std::fs::read_dir(&tokens_dir)
        .expect("tokens")
        .next()
        .expect("a token file")
        .expect("entry")
        .path();
    let tokens: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(token_file).expect("read")).expect("JSON");
    let access = tokens["access_token"]
        .as_str()
        .expect("access token")
        .to_string();
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_string();
    assert!(access.len() > 10 && refresh.len() > 10);

    let mut written = String::new();
    for entry in std::fs::read_dir(dir.join("requests/cassettes")).expect("cassettes") {
        written.push_str(&std::fs::read_to_string(entry.expect("entry").path()).expect("read"));
    }
    assert!(
        written.contains("CompanyInfo") && written.contains("Canary line"),
        "the exchanges are there"
    );
    for canary in [
        SECRET,
        REALM,
        access.as_str(),
        refresh.as_str(),
        "Bearer",
        "uthorization:",
    ] {
        assert!(
            !written.contains(canary),
            "`{canary}` leaked into a cassette"
        );
    }
    assert!(
        written.contains("/v3/company/1234567890123456/"),
        "the realm is a placeholder"
    );
    let tids: Vec<&str> = written
        .lines()
        .filter(|l| l.contains("intuit_tid:"))
        .collect();
    assert!(!tids.is_empty());
    assert!(
        tids.iter().all(|l| l.trim() == "intuit_tid: REDACTED"),
        "{tids:?}"
    );
    let results =
        std::fs::read_to_string(dir.join("requests/cassettes/create_invoices.expected.csv"))
            .expect("read");
    assert!(
        results.contains(",ok,") && results.contains(",REDACTED,"),
        "{results}"
    );

    // And the scrubbed cassettes replay, offline.
    drop(emulator);
    let output = run_in(
        &project,
        dir,
        &[
            "test",
            "requests/company_info.yaml",
            "requests/invoices.yaml",
            "requests/create_invoices.yaml",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}
