//! The PostgreSQL token store and governor against a real PostgreSQL server (a throwaway
//! cluster per test, on a Unix socket in a temporary folder) and emulator processes: many
//! processes with their own data folders share one database.

mod common;

use common::postgres::PgCluster;
use common::{EmulatorProcess, Project, assert_ok, external_emulator_connection, stderr, stdout};
use std::io::{Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "q2rJ6m3wX6o3o1r8wQF1k9Y8yZ3vN5tB0cL7eH2sD4U=";

/// A project whose runs keep their tokens in `url`.
fn command(project: &Project, url: &str) -> Command {
    let mut command = project.command();
    command
        .env("QBO_RUN_STORE", url)
        .env("QBO_RUN_STORE_KEY", KEY)
        .env_remove("QBO_RUN_STORE_KEY_COMMAND")
        .env_remove("QBO_RUN_STORE_LOCK_TIMEOUT");
    command
}

fn run(mut command: Command, args: &[&str]) -> Output {
    command.args(args).output().expect("qbo-run runs")
}

fn spawn(mut command: Command, args: &[&str]) -> Child {
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qbo-run starts")
}

fn finish(child: Child) -> Output {
    child.wait_with_output().expect("qbo-run ends")
}

fn number(stats: &serde_json::Value, key: &str) -> u64 {
    stats
        .get(key)
        .and_then(serde_json::Value::as_u64)
        .unwrap_or_else(|| panic!("stats have no {key}: {stats}"))
}

/// A request file reading CompanyInfo through `connection`.
fn company_request(project: &Project) -> std::path::PathBuf {
    project.file(
        "requests/company.yaml",
        "method: GET\npath: /v3/company/{{ realm_id }}/companyinfo/{{ realm_id }}\nrecords: $.CompanyInfo\noutput: { format: jsonl }\n",
    )
}

/// A database, an emulator and one company logged in through connection `name`.
struct LoggedIn {
    pg: PgCluster,
    url: String,
    emulator: EmulatorProcess,
    setup: Project,
    connection: std::path::PathBuf,
}

impl LoggedIn {
    fn new(name: &str) -> LoggedIn {
        let pg = PgCluster::start();
        let url = pg.database(name);
        let emulator = EmulatorProcess::start(&[]);
        let setup = Project::new();
        let connection = external_emulator_connection(&setup, name, &emulator, "");
        assert_ok(&run(
            command(&setup, &url),
            &["auth", "login", connection.to_str().expect("path")],
        ));
        LoggedIn {
            pg,
            url,
            emulator,
            setup,
            connection,
        }
    }

    /// Makes the stored access token count as expired for every process.
    fn expire(&self, db: &str) {
        self.pg.sql(
            db,
            "UPDATE qbo_run_tokens SET access_token_expires_at = now() - interval '1 hour'",
        );
    }

    /// A process refreshing through a token endpoint that hangs, so it waits inside the row's
    /// transaction; returned once its request reached the endpoint.
    fn stuck_refresher(&self, name: &str, hole: &BlackHole) -> (Child, std::net::TcpStream) {
        let stuck = Project::new();
        let connection = external_emulator_connection(
            &stuck,
            name,
            &self.emulator,
            &format!("oauth2:\n  token_url: {}\n", hole.url()),
        );
        let child = spawn(
            command(&stuck, &self.url),
            &["auth", "refresh", connection.to_str().expect("path")],
        );
        let held = hole.wait_for_request();
        (child, held)
    }
}

#[test]
fn tokens_live_in_the_database_sealed_and_every_machine_sees_them() {
    let pg = PgCluster::start();
    let url = pg.database("tokens");
    let emulator = EmulatorProcess::start(&[]);
    let first = Project::new();
    let connection = external_emulator_connection(&first, "books", &emulator, "");
    let login = run(
        command(&first, &url),
        &["auth", "login", connection.to_str().expect("path")],
    );
    assert_ok(&login);
    assert!(
        stdout(&login).contains("the database"),
        "{}",
        stdout(&login)
    );
    assert!(
        !first.home.path().join("tokens").exists(),
        "no token file is written with the database store"
    );
    assert_eq!(
        pg.sql("tokens", "SELECT version FROM qbo_run_schema"),
        "1",
        "tables created on first use with a schema version"
    );
    let row = pg.sql(
        "tokens",
        "SELECT connection || ' ' || realm_id || ' ' || coalesce(key_id, 'none') || ' ' || coalesce(company_name, '-') FROM qbo_run_tokens",
    );
    assert!(row.starts_with("books 9341453050298464 "), "{row}");
    assert!(!row.contains(" none "), "sealed with the key: {row}");
    let sealed = pg.sql(
        "tokens",
        "SELECT encode(secrets, 'escape') FROM qbo_run_tokens",
    );
    assert!(
        !sealed.contains("access_token") && !sealed.contains("refresh_token"),
        "tokens are not readable in the table: {sealed}"
    );

    // Another machine (its own data folder) uses the same company without logging in.
    let second = Project::new();
    let connection2 = external_emulator_connection(&second, "books", &emulator, "");
    let request = company_request(&second);
    let out = run(
        command(&second, &url),
        &[
            request.to_str().expect("path"),
            "--connection",
            connection2.to_str().expect("path"),
        ],
    );
    assert_ok(&out);
    assert!(stdout(&out).contains("CompanyName"), "{}", stdout(&out));
    assert_eq!(number(&emulator.stats(), "code_exchanges"), 1);

    let list = run(
        command(&second, &url),
        &["auth", "list", connection2.to_str().expect("path")],
    );
    assert_ok(&list);
    let text = stdout(&list);
    assert!(
        text.lines().next().is_some_and(|l| l.starts_with("REALM")),
        "{text}"
    );
    assert!(text.contains("9341453050298464"), "{text}");
    assert!(text.contains(" no"), "no login needed: {text}");

    // The wrong key is named as such, and no key at all too.
    let mut wrong = command(&second, &url);
    wrong.env(
        "QBO_RUN_STORE_KEY",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let out = run(
        wrong,
        &[
            request.to_str().expect("path"),
            "--connection",
            connection2.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("another key"), "{}", stderr(&out));
    let mut none = command(&second, &url);
    none.env_remove("QBO_RUN_STORE_KEY");
    let out = run(
        none,
        &[
            request.to_str().expect("path"),
            "--connection",
            connection2.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("QBO_RUN_STORE_KEY is not set"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_a_key_the_store_warns_that_tokens_are_not_encrypted() {
    let pg = PgCluster::start();
    let url = pg.database("plain");
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "plain", &emulator, "");
    let mut plain = command(&project, &url);
    plain.env_remove("QBO_RUN_STORE_KEY");
    let out = run(
        plain,
        &["auth", "login", connection.to_str().expect("path")],
    );
    assert_ok(&out);
    assert!(
        stderr(&out).contains("unencrypted"),
        "a clear warning: {}",
        stderr(&out)
    );
    assert_eq!(
        pg.sql(
            "plain",
            "SELECT count(*) FROM qbo_run_tokens WHERE key_id IS NULL"
        ),
        "1"
    );
}

#[test]
fn twelve_processes_on_one_expired_token_refresh_once_and_keep_the_newest() {
    let company = LoggedIn::new("race");
    let (url, emulator, setup, connection) = (
        &company.url,
        &company.emulator,
        &company.setup,
        &company.connection,
    );
    company.expire("race");
    let projects: Vec<Project> = (0..12).map(|_| Project::new()).collect();
    let children: Vec<Child> = projects
        .iter()
        .map(|project| {
            let connection = external_emulator_connection(project, "race", emulator, "");
            let request = company_request(project);
            spawn(
                command(project, url),
                &[
                    request.to_str().expect("path"),
                    "--connection",
                    connection.to_str().expect("path"),
                ],
            )
        })
        .collect();
    for child in children {
        let out = finish(child);
        assert_ok(&out);
        assert!(stdout(&out).contains("CompanyName"));
    }
    let stats = emulator.stats();
    assert_eq!(number(&stats, "refreshes"), 1, "{stats}");
    assert_eq!(number(&stats, "token_errors"), 0, "{stats}");
    // The emulator rotates strictly: only the newest refresh token works, and it is stored.
    let refresh = run(
        command(setup, url),
        &["auth", "refresh", connection.to_str().expect("path")],
    );
    assert_ok(&refresh);
    assert_eq!(number(&emulator.stats(), "refreshes"), 2);
}

#[test]
fn twelve_processes_share_ten_calls_in_flight_and_get_no_429() {
    let pg = PgCluster::start();
    let url = pg.database("governor");
    let emulator = EmulatorProcess::start(&[
        "--invoices",
        "3000",
        "--latency-ms",
        "40",
        "--requests-per-minute",
        "0",
    ]);
    let setup = Project::new();
    let connection = external_emulator_connection(&setup, "shared", &emulator, "");
    assert_ok(&run(
        command(&setup, &url),
        &["auth", "login", connection.to_str().expect("path")],
    ));
    let projects: Vec<Project> = (0..12).map(|_| Project::new()).collect();
    let children: Vec<(Child, std::path::PathBuf)> = projects
        .iter()
        .map(|project| {
            let connection = external_emulator_connection(project, "shared", &emulator, "");
            let request = project.file(
                "requests/invoices.yaml",
                "method: GET\npath: /v3/company/{{ realm_id }}/query\nparams: { query: \"select * from Invoice\" }\npaginate: { style: qbo-query, page_size: 300 }\nrecords: $.QueryResponse.Invoice[*]\noutput: { format: jsonl }\n",
            );
            let output = project.files.path().join("out.jsonl");
            let child = spawn(
                command(project, &url),
                &[
                    request.to_str().expect("path"),
                    "--connection",
                    connection.to_str().expect("path"),
                    "--output",
                    output.to_str().expect("path"),
                ],
            );
            (child, output)
        })
        .collect();
    for (child, output) in children {
        let out = finish(child);
        assert_ok(&out);
        let text = std::fs::read_to_string(&output).expect("output");
        assert_eq!(text.lines().count(), 3000);
    }
    let stats = emulator.stats();
    assert_eq!(number(&stats, "throttled"), 0, "{stats}");
    let most = number(&stats, "max_in_flight");
    assert!(most <= 10, "at most 10 in flight across processes: {stats}");
    assert!(most >= 5, "the processes did run concurrently: {stats}");
    // Every call was answered the first time: 12 x (count + 10 pages) at least, and none
    // sent again after a 429.
    assert!(number(&stats, "api_requests") >= 12 * 11, "{stats}");
}

/// A server that accepts connections and never answers: a token endpoint that hangs.
struct BlackHole {
    listener: std::net::TcpListener,
}

impl BlackHole {
    fn start() -> BlackHole {
        BlackHole {
            listener: std::net::TcpListener::bind("127.0.0.1:0").expect("bind"),
        }
    }

    fn url(&self) -> String {
        format!(
            "http://{}/oauth2/v1/tokens/bearer",
            self.listener.local_addr().expect("addr")
        )
    }

    /// Waits for a client to connect and send its request; keeps the connection open.
    fn wait_for_request(&self) -> std::net::TcpStream {
        let (mut stream, _) = self.listener.accept().expect("accept");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        let mut byte = [0u8; 1];
        stream.read_exact(&mut byte).expect("a request arrives");
        stream
    }
}

#[test]
fn a_refresher_killed_holding_the_lock_loses_nothing() {
    let company = LoggedIn::new("killed");
    let (pg, url, emulator) = (&company.pg, &company.url, &company.emulator);
    let before = pg.sql("killed", "SELECT md5(secrets) FROM qbo_run_tokens");
    company.expire("killed");
    // This machine's token endpoint hangs: its refresher waits inside the row's transaction.
    let hole = BlackHole::start();
    let (mut child, _held) = company.stuck_refresher("killed", &hole);
    let locked = pg.sql(
        "killed",
        "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'qbo_run_tokens' AND l.mode = 'RowShareLock'",
    );
    assert_eq!(locked, "1", "the refresher holds the row");
    child.kill().expect("SIGKILL");
    let _ = child.wait();

    let next = Project::new();
    let next_connection = external_emulator_connection(&next, "killed", emulator, "");
    let request = company_request(&next);
    let mut next_command = command(&next, url);
    next_command.env("QBO_RUN_STORE_LOCK_TIMEOUT", "10");
    let out = run(
        next_command,
        &[
            request.to_str().expect("path"),
            "--connection",
            next_connection.to_str().expect("path"),
        ],
    );
    assert_ok(&out);
    let stats = emulator.stats();
    assert_eq!(number(&stats, "code_exchanges"), 1, "no new login: {stats}");
    assert_eq!(number(&stats, "refreshes"), 1, "{stats}");
    assert_ne!(
        pg.sql("killed", "SELECT md5(secrets) FROM qbo_run_tokens"),
        before,
        "the newest tokens were stored"
    );
}

#[test]
fn a_lock_not_had_in_time_is_a_clear_transient_error_naming_the_company() {
    let company = LoggedIn::new("slow");
    let (url, emulator) = (&company.url, &company.emulator);
    company.expire("slow");
    let hole = BlackHole::start();
    let (mut holder, _held) = company.stuck_refresher("slow", &hole);
    let waiter = Project::new();
    let waiter_connection = external_emulator_connection(&waiter, "slow", emulator, "");
    let mut waiting = command(&waiter, url);
    waiting.env("QBO_RUN_STORE_LOCK_TIMEOUT", "0.3");
    let started = Instant::now();
    let out = run(
        waiting,
        &["auth", "refresh", waiter_connection.to_str().expect("path")],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("9341453050298464"),
        "names the company: {text}"
    );
    assert!(text.contains("within 0.3 s"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10));
    holder.kill().expect("kill");
    let _ = holder.wait();
}

#[test]
fn the_database_lost_mid_run_fails_transient_with_no_output_and_tokens_intact() {
    let mut pg = PgCluster::start();
    let url = pg.database("lost");
    let emulator = EmulatorProcess::start(&["--invoices", "4000", "--latency-ms", "150"]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "lost", &emulator, "");
    assert_ok(&run(
        command(&project, &url),
        &["auth", "login", connection.to_str().expect("path")],
    ));
    let tokens_before = pg.sql("lost", "SELECT md5(secrets) FROM qbo_run_tokens");
    let request = project.file(
        "requests/slow.yaml",
        "method: GET\npath: /v3/company/{{ realm_id }}/query\nparams: { query: \"select * from Invoice\" }\npaginate: { style: qbo-query, page_size: 100 }\nrecords: $.QueryResponse.Invoice[*]\noutput: { format: jsonl }\n",
    );
    let output = project.files.path().join("lost.jsonl");
    let mut child = spawn(
        command(&project, &url),
        &[
            request.to_str().expect("path"),
            "--connection",
            connection.to_str().expect("path"),
            "--output",
            output.to_str().expect("path"),
        ],
    );
    // Stop the database once the run is paging.
    let deadline = Instant::now() + Duration::from_secs(20);
    while number(&emulator.stats(), "api_requests") < 3 {
        assert!(Instant::now() < deadline, "the run never started paging");
        std::thread::sleep(Duration::from_millis(10));
    }
    pg.stop();
    let out = {
        let mut err = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut err);
        }
        let status = child.wait().expect("ends");
        (status.code(), err)
    };
    assert_eq!(out.0, Some(6), "transient exit code: {}", out.1);
    assert!(out.1.contains("database"), "{}", out.1);
    assert!(!output.exists(), "no output file after a failed run");
    pg.restart();
    assert_eq!(
        pg.sql("lost", "SELECT md5(secrets) FROM qbo_run_tokens"),
        tokens_before,
        "tokens intact"
    );
    let again = run(
        command(&project, &url),
        &[
            request.to_str().expect("path"),
            "--connection",
            connection.to_str().expect("path"),
            "--output",
            output.to_str().expect("path"),
        ],
    );
    assert_ok(&again);
    assert_eq!(
        std::fs::read_to_string(&output)
            .expect("output")
            .lines()
            .count(),
        4000
    );
}

#[test]
fn an_unreachable_database_is_a_transient_error_without_its_password() {
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "nowhere", &emulator, "");
    let dir = tempfile::tempdir().expect("dir");
    let url = format!(
        "postgresql:///qbo?user=postgres&password=canary-db-password&host={}&connect_timeout=2",
        dir.path().display()
    );
    let request = company_request(&project);
    let out = run(
        command(&project, &url),
        &[
            request.to_str().expect("path"),
            "--connection",
            connection.to_str().expect("path"),
        ],
    );
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains("cannot reach the database"), "{text}");
    assert!(!text.contains("canary-db-password"), "{text}");
}

#[test]
fn store_push_and_pull_copy_tokens_and_never_replace_newer_ones() {
    let pg = PgCluster::start();
    let url = pg.database("copy");
    let emulator = EmulatorProcess::start(&[]);
    let laptop = Project::new();
    let connection = external_emulator_connection(&laptop, "moved", &emulator, "");
    // Logged in with files (no QBO_RUN_STORE), then pushed into the database.
    let mut files_only = laptop.command();
    files_only.env_remove("QBO_RUN_STORE");
    assert_ok(&run(
        files_only,
        &["auth", "login", connection.to_str().expect("path")],
    ));
    assert!(laptop.home.path().join("tokens").exists());
    let push = run(command(&laptop, &url), &["store", "push"]);
    assert_ok(&push);
    assert!(
        stdout(&push).contains("1 company copied"),
        "{}",
        stdout(&push)
    );
    assert_eq!(pg.sql("copy", "SELECT count(*) FROM qbo_run_tokens"), "1");
    // The database's tokens move on (a refresh on another machine)...
    let server = Project::new();
    let server_connection = external_emulator_connection(&server, "moved", &emulator, "");
    assert_ok(&run(
        command(&server, &url),
        &["auth", "refresh", server_connection.to_str().expect("path")],
    ));
    // ...so pushing the laptop's older tokens again keeps the database's newer ones.
    let again = run(command(&laptop, &url), &["store", "push"]);
    assert_ok(&again);
    assert!(
        stdout(&again).contains("0 companies copied"),
        "{}",
        stdout(&again)
    );
    // Pull brings the newest tokens to a new machine's files, and they work there.
    let fresh = Project::new();
    let pull = run(command(&fresh, &url), &["store", "pull"]);
    assert_ok(&pull);
    let fresh_connection = external_emulator_connection(&fresh, "moved", &emulator, "");
    let mut fresh_files = fresh.command();
    fresh_files.env_remove("QBO_RUN_STORE");
    let out = run(
        fresh_files,
        &["auth", "refresh", fresh_connection.to_str().expect("path")],
    );
    assert_ok(&out);
}

#[test]
fn the_key_can_come_from_a_command() {
    let pg = PgCluster::start();
    let url = pg.database("keycmd");
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = external_emulator_connection(&project, "keycmd", &emulator, "");
    let mut with_command = command(&project, &url);
    with_command
        .env_remove("QBO_RUN_STORE_KEY")
        .env("QBO_RUN_STORE_KEY_COMMAND", format!("echo {KEY}"));
    assert_ok(&run(
        with_command,
        &["auth", "login", connection.to_str().expect("path")],
    ));
    // The same key given directly opens what the command's key sealed.
    let status = run(
        command(&project, &url),
        &["auth", "status", connection.to_str().expect("path")],
    );
    assert_ok(&status);
    let _ = std::io::stdout().flush();
}
