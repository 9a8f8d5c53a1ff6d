//! Proxies named by the environment: API calls to a host `HTTP_PROXY` covers go through the
//! proxy (asked in absolute form), and calls to a host `NO_PROXY` lists go straight to it.

mod common;

use common::{Answer, COMPANY_INFO, EmulatorProcess, Project, ScriptedServer, assert_ok, stdout};

const PROXY_VARIABLES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// Runs the shipped `company_info` request on `connection` with `HTTP_PROXY` at `proxy` and
/// `NO_PROXY` of the emulator's host (so logging in goes straight to it).
fn run_with_proxy(
    project: &Project,
    connection: &std::path::Path,
    proxy: &ScriptedServer,
) -> String {
    let mut command = project.command();
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    let output = command
        .args(["requests/company_info.yaml", "--connection"])
        .arg(connection)
        .env("HTTP_PROXY", &proxy.base_url)
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .expect("run");
    assert_ok(&output);
    stdout(&output)
}

#[test]
fn api_calls_go_through_the_proxy_the_environment_names() {
    let emulator = EmulatorProcess::start(&[]);
    let proxy = ScriptedServer::start(vec![Answer::new(200, COMPANY_INFO)]);
    let project = Project::new();
    // `.test` names resolve nowhere: the call can only be answered through the proxy.
    let connection = project.file(
        "connections/proxied.yaml",
        &format!(
            "environment: emulator\nbase_url: http://qbo.test:8080\noauth2:\n  auth_url: {base}/connect/oauth2\n  token_url: {base}/oauth2/v1/tokens/bearer\n",
            base = emulator.base_url
        ),
    );
    let out = run_with_proxy(&project, &connection, &proxy);
    assert!(out.contains("Scripted Co."), "{out}");
    let asked = proxy.asked();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].method, "GET");
    assert!(
        asked[0]
            .target
            .starts_with("http://qbo.test:8080/v3/company/9341453050298464/companyinfo/"),
        "the proxy is asked for the whole URL: {}",
        asked[0].target
    );
}

#[test]
fn api_calls_to_a_host_no_proxy_lists_go_straight_to_it() {
    let emulator = EmulatorProcess::start(&[]);
    let proxy = ScriptedServer::start(vec![Answer::new(200, COMPANY_INFO)]);
    let project = Project::new();
    let connection = common::external_emulator_connection(&project, "direct", &emulator, "");
    let out = run_with_proxy(&project, &connection, &proxy);
    assert!(!out.contains("Scripted Co."), "{out}");
    assert!(out.contains("CompanyName"), "{out}");
    assert!(proxy.asked().is_empty(), "{:?}", proxy.asked());
}
