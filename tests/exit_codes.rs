//! Each class of failure has its exit code, whatever causes it: two different causes per class,
//! each checked by its code and by what the message says.

mod common;

use common::{Answer, COMPANY_INFO, EmulatorProcess, Project, ScriptedServer, stderr};
use std::ffi::OsString;

/// Runs `args` and checks the exit code and that stderr says `says`.
fn expect(project: &Project, args: &[OsString], envs: &[(&str, &str)], code: i32, says: &str) {
    let mut command = project.command();
    command.args(args);
    for (name, value) in envs {
        command.env(name, value);
    }
    let output = command.output().expect("runs");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: {text}");
    assert!(text.contains(says), "{args:?} should say {says:?}: {text}");
}

fn args(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

#[test]
fn usage_mistakes_exit_2() {
    let project = Project::new();
    expect(
        &project,
        &args(&[
            "requests/invoices.yaml",
            "--connection",
            "emulator",
            "--var",
            "sinse=2025-01-01",
        ]),
        &[],
        2,
        "has no variable `sinse`",
    );
    expect(
        &project,
        &args(&[
            "requests/changes.yaml",
            "--connection",
            "emulator",
            "--var",
            "since=2020-01-01T00:00:00Z",
        ]),
        &[],
        2,
        "looks back at most 30 days",
    );
}

#[test]
fn mistakes_in_files_exit_3() {
    let project = Project::new();
    let misspelt = project.file(
        "requests/misspelt.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparms: {}\n",
    );
    expect(
        &project,
        &[misspelt.into_os_string()],
        &[],
        3,
        "unknown key `parms`",
    );
    let undeclared = project.file(
        "requests/undeclared.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: \"select * from Invoice where TxnDate > '{{ sinse }}'\"\n",
    );
    expect(
        &project,
        &[OsString::from("check"), undeclared.into_os_string()],
        &[],
        3,
        "uses the variable `sinse`, which is not declared",
    );
}

#[test]
fn a_connection_without_tokens_exits_4() {
    let project = Project::new();
    let connection = project.file(
        "connections/prod.yaml",
        "environment: production\nrealm_id: \"1\"\noauth2:\n  client_id: x\n  client_secret: \"{{ env.TEST_SECRET }}\"\n",
    );
    let secret = [("TEST_SECRET", "s")];
    let mut run = args(&["requests/company_info.yaml", "--connection"]);
    run.push(connection.clone().into_os_string());
    expect(
        &project,
        &run,
        &secret,
        4,
        "needs a login: there are no tokens",
    );
    let mut status = args(&["auth", "status"]);
    status.push(connection.into_os_string());
    expect(&project, &status, &secret, 4, "has no stored tokens");
}

#[test]
fn what_qbo_refuses_exits_5() {
    let project = Project::new();
    let nonsense = project.file(
        "requests/nonsense.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparams:\n  query: select * from Nonsense\npaginate: { style: qbo-query }\n",
    );
    expect(
        &project,
        &[nonsense.into_os_string()],
        &[],
        5,
        "Invalid entity name 'Nonsense'",
    );
    let report = project.file(
        "requests/report.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/reports/SalesByProduct\nextract: report\n",
    );
    expect(
        &project,
        &[report.into_os_string()],
        &[],
        5,
        "Unsupported Operation",
    );
}

#[test]
fn failures_that_outlast_the_retries_exit_6() {
    let emulator = EmulatorProcess::start(&[]);
    let quick = "retry:\n  max_attempts: 2\n  base_delay_ms: 1\n  max_delay_secs: 1\n  throttle_wait_secs: 0\n";
    for (answer, says) in [
        (
            Answer::new(
                503,
                r#"{"Fault":{"Error":[{"Message":"Service Unavailable","code":"10000"}],"type":"SystemFault"}}"#,
            ),
            "503",
        ),
        (
            Answer::new(
                429,
                r#"{"Fault":{"Error":[{"Message":"message=ThrottleExceeded; errorCode=003001; statusCode=429","code":"3001"}],"type":"SERVICE"}}"#,
            ),
            "3001",
        ),
    ] {
        let server = ScriptedServer::start(vec![answer]);
        let project = Project::new();
        let connection = server.connection(&project, &emulator, quick);
        let mut run = args(&["requests/company_info.yaml", "--connection"]);
        run.push(connection.into_os_string());
        expect(&project, &run, &[], 6, says);
        assert_eq!(server.asked().len(), 2, "both attempts were made");
    }
    // The same server answering gives success: the failure above was the answers.
    let server = ScriptedServer::start(vec![Answer::new(200, COMPANY_INFO)]);
    let project = Project::new();
    let connection = server.connection(&project, &emulator, quick);
    let output = project
        .command()
        .args(["requests/company_info.yaml", "--connection"])
        .arg(&connection)
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn output_and_state_that_cannot_be_written_exit_7() {
    let project = Project::new();
    let missing = project.files.path().join("no-such-folder");
    let mut output = args(&[
        "requests/vendors.yaml",
        "--connection",
        "emulator",
        "--output",
    ]);
    output.push(missing.join("vendors.csv").into_os_string());
    expect(&project, &output, &[], 7, "does not exist");
    // A state file whose folder is a file.
    let blocker = project.file("blocker", "a file, not a folder");
    let mut state = args(&[
        "requests/invoices_changed.yaml",
        "--connection",
        "emulator",
        "--state",
    ]);
    state.push(blocker.join("state.json").into_os_string());
    expect(&project, &state, &[], 7, "state file");
}
