//! The OAuth lifecycle end to end: login (state checks, one-shot listener on 127.0.0.1 and ::1,
//! --paste, the page the browser is shown, no browser to open), concurrent
//! refreshes across processes, crash-safe token writes, invalid_grant, and secrets kept out of
//! every output. Against standalone emulator processes on free loopback ports.

mod common;

use common::{
    EmulatorProcess, Project, REALM, assert_ok, external_emulator_connection, output_text,
    raw_http, stderr,
};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

fn read_store(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("token store")).expect("json")
}

fn expire_access_token(path: &Path) {
    let mut tokens = read_store(path);
    tokens["access_token_expires_at"] = Value::from("2020-01-01T00:00:00Z");
    std::fs::write(path, serde_json::to_vec_pretty(&tokens).expect("json")).expect("write");
}

#[test]
fn thirty_two_processes_share_one_refresh() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "shared", &emulator, "");
    assert_ok(
        &project
            .command()
            .args(["auth", "login"])
            .arg(&connection)
            .output()
            .expect("login"),
    );
    let store = project.token_file("shared");
    expire_access_token(&store);
    assert_eq!(emulator.stats()["refreshes"], 0);

    let children: Vec<Child> = (0..32)
        .map(|_| {
            project
                .command()
                .arg("requests/company_info.yaml")
                .arg("--connection")
                .arg(&connection)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().expect("run");
        assert_ok(&output);
        let info: Value = serde_json::from_slice(&output.stdout).expect("json");
        assert!(info[0]["CompanyName"].is_string());
    }
    let stats = emulator.stats();
    assert_eq!(
        stats["refreshes"], 1,
        "exactly one refresh reached the token endpoint: {stats}"
    );
    assert_eq!(stats["token_errors"], 0, "{stats}");
    // Rotation makes every older refresh token invalid at once, so a refresh that works proves
    // the store holds the newest one.
    assert_ok(
        &project
            .command()
            .args(["auth", "refresh"])
            .arg(&connection)
            .output()
            .expect("refresh"),
    );
    assert_eq!(emulator.stats()["refreshes"], 2);
}

/// The child side of the crash test: writes the store over and over until killed. Ignored, so
/// that a plain test run neither runs it nor counts it as passed; the crash test starts it with
/// `--ignored`.
#[test]
#[ignore = "the child process of sigkill_during_store_writes_never_leaves_a_broken_store"]
fn store_writer_child() {
    let rounds: u32 = std::env::var("QBO_RUN_TEST_STORE_WRITER")
        .expect("started by the crash test, with QBO_RUN_TEST_STORE_WRITER")
        .parse()
        .expect("rounds");
    let store = qbo_run::auth::FileStore::for_connection("crash").expect("store");
    for i in 0..rounds {
        let grant = qbo_run::auth::TokenGrant {
            access_token: qbo_run::secret::Secret::new(format!("access-{i}-{}", "x".repeat(2000))),
            access_token_lifetime: chrono::Duration::seconds(3600),
            refresh_token: Some(qbo_run::secret::Secret::new(format!("refresh-{i}"))),
            refresh_token_lifetime: Some(chrono::Duration::days(100)),
            refresh_token_hard_lifetime: None,
        };
        store
            .save(&qbo_run::auth::StoredTokens::new("crash", REALM, grant))
            .expect("save");
    }
}

#[test]
fn sigkill_during_store_writes_never_leaves_a_broken_store() {
    let project = Project::new();
    let exe = std::env::current_exe().expect("test binary");
    let store_path = project.token_file("crash");
    let mut seen = std::collections::BTreeSet::new();
    for round in 0..40u64 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "store_writer_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("QBO_RUN_TEST_STORE_WRITER", "200")
            .env("QBO_RUN_HOME", project.home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("writer");
        let wait = (round * 7919 + u64::from(rand::random::<u8>())) % 60;
        std::thread::sleep(Duration::from_millis(wait));
        let _ = child.kill();
        let _ = child.wait();
        if !store_path.exists() {
            continue;
        }
        let loaded = qbo_run::auth::FileStore::in_home(project.home.path(), "crash").load(REALM);
        let tokens = loaded
            .expect("the store loads after SIGKILL")
            .expect("present");
        let refresh = tokens.refresh_token.expose().to_string();
        assert!(refresh.starts_with("refresh-"), "{refresh}");
        assert_eq!(
            tokens
                .access_token
                .expose()
                .trim_start_matches("access-")
                .split('-')
                .next(),
            refresh.strip_prefix("refresh-"),
            "access and refresh token of one write"
        );
        seen.insert(refresh);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&store_path)
                .expect("stat")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
    assert!(
        seen.len() > 1,
        "the writer was killed at different points: {seen:?}"
    );
}

/// A connection that needs a person to log in (like Intuit), served by a standalone emulator;
/// its redirect URI is on port 0, so the login listens on a free port it chooses itself.
fn interactive_connection(project: &Project, emulator: &EmulatorProcess) -> std::path::PathBuf {
    let port = 0;
    project.file(
        "connections/person.yaml",
        &format!(
            "environment: production\nbase_url: {base}\noauth2:\n  auth_url: {base}/connect/oauth2\n  token_url: {base}/oauth2/v1/tokens/bearer\n  revoke_url: {base}/v2/oauth2/tokens/revoke\n  client_id: qbo-emulator-client\n  client_secret: \"{{{{ env.TEST_CLIENT_SECRET }}}}\"\n  redirect_uri: http://localhost:{port}/callback\n",
            base = emulator.base_url
        ),
    )
}

/// Starts `auth login` and returns the child, the authorize URL it printed, and the rest of its
/// stderr once it ends.
fn start_login(
    project: &Project,
    connection: &Path,
    extra: &[&str],
) -> (Child, String, std::thread::JoinHandle<String>) {
    start_login_with_secret(project, connection, extra, "qbo-emulator-secret")
}

/// [`start_login`] with `secret` as the connection's client secret.
fn start_login_with_secret(
    project: &Project,
    connection: &Path,
    extra: &[&str],
    secret: &str,
) -> (Child, String, std::thread::JoinHandle<String>) {
    let mut child = project
        .command()
        .args(["auth", "login"])
        .arg(connection)
        .args(extra)
        .env("TEST_CLIENT_SECRET", secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login starts");
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    let mut url = None;
    let mut line = String::new();
    while reader.read_line(&mut line).expect("stderr line") > 0 {
        if line.starts_with("http") {
            url = Some(line.trim().to_string());
            break;
        }
        line.clear();
    }
    let rest = std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut reader, &mut rest);
        rest
    });
    (child, url.expect("the authorize URL is printed"), rest)
}

/// The port of the redirect URI that the authorize URL carries (the login's listener).
fn callback_port(authorize_url: &str) -> u16 {
    let url = url::Url::parse(authorize_url).expect("authorize URL");
    let redirect = url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .expect("a redirect_uri");
    let port = url::Url::parse(&redirect)
        .expect("redirect URI")
        .port()
        .expect("a port");
    assert_ne!(port, 0, "the chosen port is sent, not 0");
    port
}

/// Plays the browser: the emulator consents and redirects; returns the redirect URL.
fn consent(authorize_url: &str) -> String {
    let (status, head, _) = raw_http::request("GET", authorize_url, &[], "");
    assert_eq!(status, 302, "{head}");
    raw_http::location(&head).expect("Location")
}

#[test]
fn login_with_the_browser_flow_stores_tokens_and_realm_then_closes_the_listener() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (child, url, _) = start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    assert!(
        url.contains("state=") && url.contains("code_challenge_method=S256"),
        "{url}"
    );
    let port = callback_port(&url);
    let redirect = consent(&url);
    assert!(
        redirect.starts_with(&format!("http://localhost:{port}/callback?")),
        "{redirect}"
    );
    let (status, _, body) = raw_http::request("GET", &redirect, &[], "");
    assert_eq!(status, 200);
    assert!(body.contains("go back to the terminal"));
    assert!(body.contains(&format!("(company {REALM})")), "{body}");
    let output = child.wait_with_output().expect("login ends");
    assert_ok(&output);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "listener closed"
    );
    let store = read_store(&project.token_file("person"));
    assert_eq!(store["realm_id"], REALM);
    assert_eq!(emulator.stat("code_exchanges"), 1);
}

#[test]
fn login_refuses_a_callback_with_the_wrong_state() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (child, url, rest) =
        start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    let redirect = consent(&url);
    let mut forged = url::Url::parse(&redirect).expect("redirect");
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "state" {
                "forged".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let (status, _, page) = raw_http::request("GET", forged.as_str(), &[], "");
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Nothing was exchanged"), "{page}");
    let output = child.wait_with_output().expect("login ends");
    // Exit 4 alone would also be a login that timed out: the message says why it stopped.
    assert_eq!(output.status.code(), Some(4));
    let text = rest.join().expect("stderr");
    assert!(
        text.contains(
            "the authorization callback's state does not match this login; nothing was exchanged"
        ),
        "{text}"
    );
    assert!(!text.contains("no OAuth callback within"), "{text}");
    assert_eq!(emulator.stat("code_exchanges"), 0, "nothing was exchanged");
    assert!(!project.token_file("person").exists());
}

/// Plays a browser that reaches the callback at `addr`: GET of the redirect's path and query;
/// returns the status and the page.
fn browser_get(addr: std::net::SocketAddr, redirect: &str) -> (u16, String) {
    let url = url::Url::parse(redirect).expect("redirect");
    let target = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    let mut stream = std::net::TcpStream::connect(addr).expect("connect to the callback");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = String::new();
    std::io::Read::read_to_string(&mut stream, &mut raw).expect("read");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head and a body");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, body.to_string())
}

/// The `state` an authorize URL carries.
fn state_of(authorize_url: &str) -> String {
    url::Url::parse(authorize_url)
        .expect("authorize URL")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state")
}

#[test]
fn a_callback_on_ipv6_loopback_logs_in() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback (::1)");
        return;
    }
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (child, url, _) = start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    let port = callback_port(&url);
    let redirect = consent(&url);
    assert!(redirect.starts_with("http://localhost:"), "{redirect}");
    let ipv6 = std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port));
    let (status, page) = browser_get(ipv6, &redirect);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("<h1>Connected</h1>"), "{page}");
    assert!(page.contains(&format!("(company {REALM})")), "{page}");
    let output = child.wait_with_output().expect("login ends");
    assert_ok(&output);
    assert_eq!(read_store(&project.token_file("person"))["realm_id"], REALM);
    assert!(
        std::net::TcpStream::connect(ipv6).is_err(),
        "the ::1 listener is closed too"
    );
}

#[test]
fn a_cancelled_consent_is_shown_on_the_page_and_exits_4() {
    let emulator = EmulatorProcess::start(&["--deny-consent"]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (child, url, rest) =
        start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    let port = callback_port(&url);
    let redirect = consent(&url);
    let (status, page) = browser_get(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)),
        &redirect,
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("<h1>Login cancelled</h1>"), "{page}");
    assert!(
        page.contains("<code>access_denied</code>: The user did not authorize the app"),
        "{page}"
    );
    assert!(page.contains("qbo-run auth login person"), "{page}");
    let output = child.wait_with_output().expect("login ends");
    assert_eq!(output.status.code(), Some(4));
    let text = rest.join().expect("stderr");
    assert!(
        text.contains(
            "the login was cancelled in the browser (access_denied: The user did not authorize the app); nothing was stored"
        ),
        "{text}"
    );
    assert!(text.contains("run: qbo-run auth login person"), "{text}");
    assert_eq!(emulator.stat("code_exchanges"), 0);
    assert!(!project.token_file("person").exists());
}

#[test]
fn the_page_waits_for_the_code_exchange_and_tells_when_it_failed() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    // The emulator consents to any registered client id; the wrong secret fails only at the
    // token endpoint, after the browser came back.
    let (child, url, rest) = start_login_with_secret(
        &project,
        &connection,
        &["--no-browser", "--timeout", "60"],
        "not-the-secret",
    );
    let port = callback_port(&url);
    let redirect = consent(&url);
    let (status, page) = browser_get(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)),
        &redirect,
    );
    assert_eq!(status, 502, "{page}");
    assert!(!page.contains("Connected"), "{page}");
    assert!(page.contains("<h1>Not connected</h1>"), "{page}");
    assert!(
        page.contains("the OAuth server refused exchanging the authorization code: invalid_client"),
        "{page}"
    );
    assert!(!page.contains("not-the-secret"), "{page}");
    let output = child.wait_with_output().expect("login ends");
    assert_eq!(output.status.code(), Some(5));
    let text = rest.join().expect("stderr");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!project.token_file("person").exists());
}

#[test]
fn what_the_callback_carries_is_escaped_on_the_page() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (child, url, _) = start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    let port = callback_port(&url);
    let mut callback = url::Url::parse(&format!("http://localhost:{port}/callback")).expect("url");
    callback
        .query_pairs_mut()
        .append_pair("error", "<script>alert(1)</script>")
        .append_pair("error_description", "\"><img src=x onerror=alert(2)>")
        .append_pair("state", &state_of(&url));
    let (status, page) = browser_get(
        std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)),
        callback.as_str(),
    );
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("<h1>Login refused</h1>"), "{page}");
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            && page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "{page}"
    );
    assert_eq!(
        child.wait_with_output().expect("ends").status.code(),
        Some(4)
    );
}

#[test]
fn without_any_browser_the_link_is_printed_and_the_login_still_works() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    // No $BROWSER and nothing on PATH to open one with (xdg-open, x-www-browser, ...).
    let nothing = tempfile::tempdir().expect("empty PATH folder");
    let mut child = project
        .command()
        .args(["auth", "login"])
        .arg(&connection)
        .args(["--timeout", "60"])
        .env("TEST_CLIENT_SECRET", "qbo-emulator-secret")
        .env("PATH", nothing.path())
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login starts");
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    let mut said = String::new();
    let mut url = None;
    let mut line = String::new();
    // The failure to open a browser is the readiness signal: it comes before the callback.
    while reader.read_line(&mut line).expect("stderr line") > 0 {
        said.push_str(&line);
        if line.starts_with("http") {
            url = Some(line.trim().to_string());
        }
        if line.starts_with("No browser could be opened") {
            break;
        }
        line.clear();
    }
    assert!(
        said.contains("No browser could be opened") && said.contains("open the link above"),
        "{said}"
    );
    let url = url.unwrap_or_else(|| panic!("the URL is printed: {said}"));
    let redirect = consent(&url);
    let (status, _, page) = raw_http::request("GET", &redirect, &[], "");
    assert_eq!(status, 200, "{page}");
    let output = child.wait_with_output().expect("login ends");
    assert_ok(&output);
}

#[test]
fn an_emulator_connection_with_browser_consent_needs_a_person_to_log_in() {
    let project = Project::new();
    let connection = project.file(
        "connections/person.yaml",
        "environment: emulator\nemulator:\n  consent: browser\n  invoices: 10\n",
    );
    let run = project
        .command()
        .arg("requests/company_info.yaml")
        .arg("--connection")
        .arg(&connection)
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(4), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("run: qbo-run auth login person"),
        "{}",
        stderr(&run)
    );
    // The login listens on a free port (the emulator preset's redirect URI is on port 0).
    let (child, url, _) = start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    callback_port(&url);
    let redirect = consent(&url);
    let (status, _, page) = raw_http::request("GET", &redirect, &[], "");
    assert_eq!(status, 200, "{page}");
    assert_ok(&child.wait_with_output().expect("login ends"));
    let run = project
        .command()
        .arg("requests/company_info.yaml")
        .arg("--connection")
        .arg(&connection)
        .output()
        .expect("run");
    assert_ok(&run);
}

#[test]
fn login_with_paste_reads_the_redirect_url() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (mut child, url, _) = start_login(&project, &connection, &["--paste"]);
    let redirect = consent(&url);
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{redirect}").expect("paste");
    drop(stdin);
    let output = child.wait_with_output().expect("login ends");
    assert_ok(&output);
    assert_eq!(read_store(&project.token_file("person"))["realm_id"], REALM);
}

#[test]
fn invalid_grant_keeps_the_tokens_and_asks_for_a_login() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "revoked", &emulator, "");
    assert_ok(
        &project
            .command()
            .args(["auth", "login"])
            .arg(&connection)
            .output()
            .expect("login"),
    );
    let store_path = project.token_file("revoked");
    let before = read_store(&store_path);
    // The company disconnects the app on the server side.
    let body = format!(
        "{{\"token\":\"{}\"}}",
        before["refresh_token"].as_str().expect("token")
    );
    let basic = format!(
        "Basic {}",
        base64_basic("qbo-emulator-client", "qbo-emulator-secret")
    );
    let (status, _, _) = raw_http::request(
        "POST",
        &format!("{}/v2/oauth2/tokens/revoke", emulator.base_url),
        &[
            ("authorization", &basic),
            ("content-type", "application/json"),
        ],
        &body,
    );
    assert_eq!(status, 200);
    expire_access_token(&store_path);
    let output = project
        .command()
        .arg("requests/company_info.yaml")
        .arg("--connection")
        .arg(&connection)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(text.contains("invalid_grant"), "{text}");
    assert!(text.contains("qbo-run auth login revoked"), "{text}");
    let after = read_store(&store_path);
    assert_eq!(
        after["refresh_token"], before["refresh_token"],
        "tokens kept"
    );
    assert_eq!(after["needs_login"], true);
    let again = project
        .command()
        .arg("requests/company_info.yaml")
        .arg("--connection")
        .arg(&connection)
        .output()
        .expect("run");
    assert_eq!(again.status.code(), Some(4));
    assert!(stderr(&again).contains("qbo-run auth login revoked"));
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

#[test]
fn canary_secret_and_tokens_never_reach_any_output() {
    const CANARY: &str = "canary-client-secret-7f3a9c";
    let emulator = EmulatorProcess::start(&["--client-secret", CANARY]);
    let project = Project::new();
    let connection = external_emulator_connection(
        &project,
        "canary",
        &emulator,
        "oauth2:\n  client_secret: \"{{ env.CANARY_SECRET }}\"\n",
    );
    let run = |args: &[&str]| {
        let output = project
            .command()
            .args(args)
            .env("CANARY_SECRET", CANARY)
            .env("QBO_RUN_LOG", "trace")
            .output()
            .expect("run");
        output_text(&output)
    };
    let connection = connection.to_string_lossy().into_owned();
    let mut outputs = Vec::new();
    outputs.push(run(&["auth", "login", &connection, "-vvv"]));
    let first = read_store(&project.token_file("canary"));
    expire_access_token(&project.token_file("canary"));
    outputs.push(run(&[
        "requests/invoices.yaml",
        "--connection",
        &connection,
        "-vvv",
        "--output",
        "/dev/null",
    ]));
    outputs.push(run(&[
        "requests/invoices.yaml",
        "--connection",
        &connection,
        "--dry-run",
    ]));
    outputs.push(run(&["auth", "refresh", &connection, "-vvv"]));
    outputs.push(run(&["auth", "status", &connection]));
    outputs.push(run(&["auth", "test", &connection, "-vvv"]));
    let last = read_store(&project.token_file("canary"));
    let secrets = [
        CANARY.to_string(),
        first["access_token"].as_str().expect("t").to_string(),
        first["refresh_token"].as_str().expect("t").to_string(),
        last["access_token"].as_str().expect("t").to_string(),
        last["refresh_token"].as_str().expect("t").to_string(),
    ];
    assert!(
        outputs
            .iter()
            .any(|o| o.contains("refreshing the access token")),
        "runs happened"
    );
    for output in &outputs {
        for secret in &secrets {
            assert!(
                !output.contains(secret.as_str()),
                "a secret leaked into:\n{output}"
            );
        }
    }
}

#[test]
fn the_callback_listener_survives_hostile_requests_and_still_takes_the_right_callback() {
    use std::io::{Read, Write};
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = interactive_connection(&project, &emulator);
    let (child, url, rest) =
        start_login(&project, &connection, &["--no-browser", "--timeout", "60"]);
    let port = callback_port(&url);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let send = |bytes: &[u8]| -> String {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .expect("timeout");
        let _ = stream.write_all(bytes);
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    };
    // Idle connections, as a flood or a browser's preconnects: they hold nothing up.
    let idle: Vec<std::net::TcpStream> = (0..300)
        .filter_map(|_| std::net::TcpStream::connect(addr).ok())
        .collect();
    assert!(send(b"GET /favicon.ico HTTP/1.1\r\nhost: x\r\n\r\n").starts_with("HTTP/1.1 404"));
    assert!(send(b"POST /callback?code=x HTTP/1.1\r\nhost: x\r\n\r\n").starts_with("HTTP/1.1 405"));
    let garbage = send(b"\x00\x01\xff\xfe not http at all\r\n\r\n");
    assert!(
        garbage.is_empty() || garbage.starts_with("HTTP/1.1 404"),
        "{garbage}"
    );
    let mut huge = b"GET /".to_vec();
    huge.extend(std::iter::repeat_n(b'A', 200_000));
    let answer = send(&huge);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 404"),
        "{answer:.80}"
    );
    assert!(
        send(b"GET /callback").is_empty(),
        "an unfinished request gets no page"
    );
    assert_eq!(
        emulator.stat("code_exchanges"),
        0,
        "nothing was exchanged for any of them"
    );
    drop(idle);
    // The right callback still logs in.
    let redirect = consent(&url);
    let (status, page) = browser_get(addr, &redirect);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Connected"), "{page}");
    let out = child.wait_with_output().expect("login ends");
    let rest = rest.join().expect("stderr");
    assert!(out.status.success(), "{rest}");
    assert_eq!(emulator.stat("code_exchanges"), 1);
}
