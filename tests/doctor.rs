//! `qbo-run doctor`: every line ok, warn or fail, and the one next action, for a healthy
//! emulator connection, broken files, a missing secret, a token store others can read and
//! tokens that need a login.

mod common;

use common::{EmulatorProcess, Project, stderr, stdout};
use std::process::{Command, Output};

fn run_in(project: &Project, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qbo-run"))
        .args(args)
        .current_dir(project.files.path())
        .env("QBO_RUN_HOME", project.home.path())
        .env("HOME", project.home.path())
        .env_remove("QBO_RUN_LOG")
        .env_remove("QBO_RUN_STORE")
        .env_remove("QBO_CLIENT_ID")
        .env_remove("QBO_CLIENT_SECRET")
        .output()
        .expect("qbo-run runs")
}

/// The line of `check`, which must be the only one.
fn line<'a>(out: &'a str, check: &str) -> &'a str {
    let found: Vec<&str> = out
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some(check))
        .collect();
    assert_eq!(found.len(), 1, "one `{check}` line in:\n{out}");
    found[0]
}

fn every_line_is_judged(out: &str) {
    let lines: Vec<&str> = out.lines().collect();
    let (last, checks) = lines.split_last().expect("lines");
    assert!(last.starts_with("next: "), "{out}");
    assert!(!checks.is_empty());
    for l in checks {
        assert!(
            l.starts_with("ok  ") || l.starts_with("warn  ") || l.starts_with("fail  "),
            "{l}"
        );
    }
}

#[test]
fn a_healthy_emulator_connection_is_ok_throughout() {
    let emulator = EmulatorProcess::start(&["--invoices", "5"]);
    let project = Project::new();
    common::external_emulator_connection(&project, "local", &emulator, "");
    project.file(
        "requests/info.yaml",
        "connection: local\npath: /v3/company/{{ realm_id }}/companyinfo/{{ realm_id }}\n",
    );
    let login = run_in(&project, &["auth", "login", "local"]);
    assert_eq!(login.status.code(), Some(0), "{}", stderr(&login));
    let output = run_in(&project, &["doctor", "local"]);
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}{}", stderr(&output));
    every_line_is_judged(&out);
    for check in [
        "files",
        "connection",
        "secrets",
        "clock",
        "store",
        "tokens",
        "QBO",
    ] {
        assert!(line(&out, check).starts_with("ok  "), "{out}");
    }
    assert!(line(&out, "files").contains("2 request and connection files valid"));
    assert!(line(&out, "clock").contains("within"));
    assert!(line(&out, "QBO").contains("CompanyInfo answered"), "{out}");
    assert!(
        out.ends_with("next: nothing: everything checked is fine\n"),
        "{out}"
    );
    assert!(emulator.stat("api_requests") >= 1);
}

#[test]
fn problems_are_failed_with_the_next_action() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    common::external_emulator_connection(&project, "local", &emulator, "");
    project.file("requests/bad.yaml", "path: /x\nparms: {}\n");
    project.file(
        "connections/intuit.yaml",
        "environment: sandbox\noauth2:\n  client_id: \"{{ env.QBO_CLIENT_ID }}\"\n  client_secret: \"{{ env.QBO_CLIENT_SECRET }}\"\n",
    );

    // A broken request file, and a secret that is not set.
    let output = run_in(&project, &["doctor", "intuit"]);
    let out = stdout(&output);
    every_line_is_judged(&out);
    assert!(line(&out, "files").starts_with("fail  "), "{out}");
    assert!(line(&out, "files").contains("bad.yaml"), "{out}");
    assert!(line(&out, "secrets").starts_with("fail  "), "{out}");
    assert!(line(&out, "secrets").contains("QBO_CLIENT_ID"), "{out}");
    assert!(
        out.ends_with(
            "next: qbo-run check requests connections (shows each mistake at its line)\n"
        ),
        "{out}"
    );
    assert_eq!(output.status.code(), Some(3));
    std::fs::remove_file(project.files.path().join("requests/bad.yaml")).expect("rm");

    // No tokens for a connection a person must log in to.
    let output = run_in(&project, &["doctor", "local"]);
    let out = stdout(&output);
    assert!(
        line(&out, "tokens").starts_with("ok  "),
        "the emulator logs in by itself: {out}"
    );
    let logout = run_in(&project, &["auth", "logout", "local"]);
    assert_eq!(logout.status.code(), Some(0), "{}", stderr(&logout));
    std::fs::write(
        project.files.path().join("connections/local.yaml"),
        format!(
            "environment: emulator\nbase_url: {}\nemulator:\n  consent: browser\n",
            emulator.base_url
        ),
    )
    .expect("write");
    let output = run_in(&project, &["doctor", "local"]);
    let out = stdout(&output);
    assert!(line(&out, "tokens").starts_with("fail  "), "{out}");
    assert!(out.ends_with("next: qbo-run auth login local\n"), "{out}");
    assert_eq!(output.status.code(), Some(4));

    // A token store others can read, then tokens marked as needing a login.
    common::external_emulator_connection(&project, "local", &emulator, "");
    let login = run_in(&project, &["auth", "login", "local"]);
    assert_eq!(login.status.code(), Some(0), "{}", stderr(&login));
    let tokens = project.home.path().join("tokens");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let output = run_in(&project, &["doctor", "local"]);
    let out = stdout(&output);
    assert!(line(&out, "store").starts_with("fail  "), "{out}");
    assert!(line(&out, "store").contains("mode 755"), "{out}");
    assert!(
        out.ends_with(&format!("next: chmod 700 {}\n", tokens.display())),
        "{out}"
    );
    std::fs::set_permissions(&tokens, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let file = std::fs::read_dir(&tokens)
        .expect("tokens")
        .next()
        .expect("a file")
        .expect("entry")
        .path();
    let mut stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    stored["needs_login"] = serde_json::Value::Bool(true);
    std::fs::write(&file, stored.to_string()).expect("write");
    let output = run_in(&project, &["doctor", "local"]);
    let out = stdout(&output);
    assert!(line(&out, "tokens").contains("a login is needed"), "{out}");
    assert!(
        !out.contains("QBO "),
        "no call with tokens that need a login: {out}"
    );
    assert!(out.ends_with("next: qbo-run auth login local\n"), "{out}");
}

#[test]
fn without_a_connection_only_the_files_are_checked() {
    let project = Project::new();
    let output = run_in(&project, &["doctor"]);
    let out = stdout(&output);
    every_line_is_judged(&out);
    assert_eq!(output.status.code(), Some(0));
    assert!(line(&out, "connection").starts_with("warn  "), "{out}");
    assert!(
        out.ends_with("next: qbo-run doctor CONNECTION, to check its secrets, tokens and QBO\n"),
        "{out}"
    );
}

#[test]
fn a_clock_far_from_the_servers_fails_first() {
    let server = common::ScriptedServer::start(vec![
        common::Answer::new(200, "{}").header("date", "Tue, 02 Jan 2024 03:04:05 GMT"),
    ]);
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    server.connection(&project, &emulator, "");
    let output = run_in(&project, &["doctor", "scripted"]);
    let out = stdout(&output);
    every_line_is_judged(&out);
    let clock = line(&out, "clock");
    assert!(clock.starts_with("fail  "), "{out}");
    assert!(clock.contains("s off 127.0.0.1's clock"), "{out}");
    assert!(
        out.ends_with("next: set this machine's clock (enable NTP)\n"),
        "{out}"
    );
    assert_eq!(output.status.code(), Some(6));
    assert_eq!(server.asked()[0].method, "GET");
}
