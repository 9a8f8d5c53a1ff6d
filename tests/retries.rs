//! How long qbo-run waits before retrying, measured between the calls a scripted server sees:
//! `Retry-After` in seconds and as an HTTP date, capped by `retry.max_delay_secs`, and
//! `retry.throttle_wait_secs` after a bare 429; and which calls it retries at all: reads and
//! queries (POSTed too) and writes with a `requestid`, never another POST.

mod common;

use common::{Answer, COMPANY_INFO, EmulatorProcess, Project, ScriptedServer, assert_ok, stderr};
use std::time::Duration;

const THROTTLED: &str = r#"{"Fault":{"Error":[{"Message":"message=ThrottleExceeded; errorCode=003001; statusCode=429","Detail":"The request limit was reached.","code":"3001"}],"type":"SERVICE"},"time":"2025-09-19T10:00:00.000-07:00"}"#;
const UNAVAILABLE: &str = r#"{"Fault":{"Error":[{"Message":"Service Unavailable","Detail":"try later","code":"10000"}],"type":"SystemFault"},"time":"2025-09-19T10:00:00.000-07:00"}"#;

/// Runs the shipped `company_info` request against `server` with `retry` settings; the run's
/// output and the waits between the calls the server saw.
fn run_company_info(server: &ScriptedServer, retry: &str) -> (std::process::Output, Vec<Duration>) {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = server.connection(&project, &emulator, retry);
    let output = project
        .command()
        .args(["requests/company_info.yaml", "--connection"])
        .arg(&connection)
        .output()
        .expect("run");
    (output, waits(server))
}

fn waits(server: &ScriptedServer) -> Vec<Duration> {
    let asked = server.asked();
    asked.windows(2).map(|w| w[1].at - w[0].at).collect()
}

/// Retry settings with a tiny backoff, so that only the waits under test take time.
fn retry(max_delay_secs: u64, throttle_wait_secs: u64) -> String {
    format!(
        "retry:\n  max_attempts: 3\n  base_delay_ms: 1\n  max_delay_secs: {max_delay_secs}\n  throttle_wait_secs: {throttle_wait_secs}\n"
    )
}

fn assert_waited(waits: &[Duration], at_least: Duration, below: Duration) {
    assert_eq!(waits.len(), 1, "one retry: {waits:?}");
    assert!(
        waits[0] >= at_least && waits[0] < below,
        "waited {:?}, expected {at_least:?} to {below:?}",
        waits[0]
    );
}

#[test]
fn retry_after_in_seconds_is_honoured() {
    let server = ScriptedServer::start(vec![
        Answer::new(429, THROTTLED).header("Retry-After", "1"),
        Answer::new(200, COMPANY_INFO),
    ]);
    let (output, waits) = run_company_info(&server, &retry(10, 30));
    assert_ok(&output);
    assert_waited(
        &waits,
        Duration::from_millis(1000),
        Duration::from_millis(2500),
    );
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let at = chrono::Utc::now() + chrono::Duration::seconds(3);
    let date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let server = ScriptedServer::start(vec![
        Answer::new(429, THROTTLED).header("Retry-After", &date),
        Answer::new(200, COMPANY_INFO),
    ]);
    let (output, waits) = run_company_info(&server, &retry(10, 30));
    assert_ok(&output);
    // The date has whole seconds, and some of the three passed before the answer was read.
    assert_waited(&waits, Duration::from_millis(1000), Duration::from_secs(5));
}

#[test]
fn retry_after_is_capped_by_max_delay() {
    let server = ScriptedServer::start(vec![
        Answer::new(429, THROTTLED).header("Retry-After", "120"),
        Answer::new(200, COMPANY_INFO),
    ]);
    let (output, waits) = run_company_info(&server, &retry(1, 30));
    assert_ok(&output);
    assert_waited(
        &waits,
        Duration::from_millis(1000),
        Duration::from_millis(2500),
    );
}

#[test]
fn a_bare_429_waits_throttle_wait_and_a_503_backs_off_briefly() {
    let server = ScriptedServer::start(vec![
        Answer::new(429, THROTTLED),
        Answer::new(200, COMPANY_INFO),
    ]);
    let (output, waits) = run_company_info(&server, &retry(10, 1));
    assert_ok(&output);
    assert_waited(
        &waits,
        Duration::from_millis(1000),
        Duration::from_millis(2500),
    );

    let server = ScriptedServer::start(vec![
        Answer::new(503, UNAVAILABLE),
        Answer::new(200, COMPANY_INFO),
    ]);
    let (output, waits) = run_company_info(&server, &retry(10, 30));
    assert_ok(&output);
    assert_waited(&waits, Duration::ZERO, Duration::from_millis(900));
}

/// Runs a request file with `body` of `method` against a server that answers 503 once, then
/// `then`; returns the output and how many calls reached the server.
fn post_once_unavailable(request: &str, then: &str) -> (std::process::Output, usize) {
    let server = ScriptedServer::start(vec![Answer::new(503, UNAVAILABLE), Answer::new(200, then)]);
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = server.connection(&project, &emulator, &retry(1, 1));
    let file = project.file(
        "requests/post.yaml",
        &format!("connection: {}\n{request}", connection.display()),
    );
    let output = project.command().arg(&file).output().expect("run");
    (output, server.asked().len())
}

#[test]
fn a_post_is_retried_only_when_sending_it_twice_is_harmless() {
    // A plain POST (a create without a requestid) is sent once: a retry could create twice.
    let (output, calls) = post_once_unavailable(
        "method: POST\npath: /v3/company/{{ realm_id }}/invoice\nbody: '{\"CustomerRef\": {\"value\": \"3\"}}'\n",
        r#"{"Invoice": {"Id": "1"}}"#,
    );
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert_eq!(calls, 1, "not retried");
    assert!(
        stderr(&output).contains("after 1 attempt(s)"),
        "{}",
        stderr(&output)
    );

    // The same POST with a requestid is retried: QBO answers a replay with the first answer.
    let (output, calls) = post_once_unavailable(
        "method: POST\npath: /v3/company/{{ realm_id }}/invoice\nparams:\n  requestid: create-1\nbody: '{\"CustomerRef\": {\"value\": \"3\"}}'\n",
        r#"{"Invoice": {"Id": "1"}}"#,
    );
    assert_ok(&output);
    assert_eq!(calls, 2);

    // A POSTed query reads nothing but is sent with POST: it is retried too.
    let (output, calls) = post_once_unavailable(
        "method: POST\npath: /v3/company/{{ realm_id }}/query\ncontent_type: application/text\nbody: select * from Invoice\npaginate: { style: qbo-query, page_size: 10 }\n",
        r#"{"QueryResponse": {"totalCount": 0}, "time": "2025-09-19T10:00:00.000-07:00"}"#,
    );
    assert_ok(&output);
    assert!(calls >= 2, "{calls}");
}
