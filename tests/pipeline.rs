//! Unattended runs: retries through injected 429s (XML, with and without Retry-After), 5xx and
//! dropped connections; QBO's per-company limits; timeouts; incremental state that only moves
//! after success; many files at once with a summary; JSON logs.

mod common;

use common::{EmulatorProcess, Project, assert_ok, stat, stderr, stdout};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

const FAST_RETRIES: &str = "retry:\n  max_attempts: 12\n  base_delay_ms: 5\n  max_delay_secs: 1\n  throttle_wait_secs: 0\n";

fn connection(
    project: &Project,
    name: &str,
    emulator: &EmulatorProcess,
    extra: &str,
) -> std::path::PathBuf {
    common::external_emulator_connection(project, name, emulator, extra)
}

fn paged_invoices(
    project: &Project,
    name: &str,
    connection: &str,
    page_size: u32,
) -> std::path::PathBuf {
    project.file(
        &format!("requests/{name}.yaml"),
        &format!(
            "connection: {connection}\npath: /v3/company/{{{{ realm_id }}}}/query\nparams:\n  query: select * from Invoice\npaginate: {{ style: qbo-query, page_size: {page_size} }}\nrecords: $.QueryResponse.Invoice[*]\noutput:\n  format: jsonl\n"
        ),
    )
}

fn ids(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|line| {
            let record: Value = serde_json::from_str(line).expect("jsonl");
            record["Id"].as_str().expect("Id").to_string()
        })
        .collect()
}

#[test]
fn faulty_server_still_yields_every_record_exactly_once() {
    let emulator = EmulatorProcess::start(&[
        "--invoices",
        "5000",
        "--throttle-rate",
        "0.2",
        "--throttle-xml-rate",
        "1.0",
        "--retry-after-rate",
        "0.5",
        "--retry-after",
        "0",
        "--server-error-rate",
        "0.1",
        "--fault-seed",
        "7",
    ]);
    let project = Project::new();
    let conn = connection(&project, "faulty", &emulator, FAST_RETRIES);
    let request = paged_invoices(&project, "all", &conn.to_string_lossy(), 100);
    let started = Instant::now();
    let output = project
        .command()
        .arg(&request)
        .arg("-v")
        .output()
        .expect("run");
    let faulty_seconds = started.elapsed().as_secs_f64();
    assert_ok(&output);
    let ids = ids(&stdout(&output));
    assert_eq!(ids.len(), 5000);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        5000,
        "no duplicates"
    );
    let stats = emulator.stats();
    assert!(
        stat(&stats, "throttled") > 0,
        "faults were injected: {stats}"
    );
    assert!(stat(&stats, "server_errors") > 0, "{stats}");
    assert!(stat(&stats, "max_in_flight") <= 10, "{stats}");
    assert_eq!(stats["throttled_by_limit"], 0, "{stats}");
    assert!(stderr(&output).contains("retrying"), "{}", stderr(&output));
    eprintln!("faulty run: {faulty_seconds:.2} s, emulator stats {stats}");
}

#[test]
fn many_concurrent_files_stay_within_ten_in_flight() {
    let emulator = EmulatorProcess::start(&["--invoices", "600", "--latency-ms", "40"]);
    let project = Project::new();
    let conn = connection(&project, "shared", &emulator, "");
    for i in 0..12 {
        paged_invoices(
            &project,
            &format!("copy{i:02}"),
            &conn.to_string_lossy(),
            100,
        );
    }
    let out = project.files.path().join("out");
    let output = project
        .command()
        .arg(project.files.path().join("requests"))
        .arg("--output-dir")
        .arg(&out)
        .output()
        .expect("run");
    assert_ok(&output);
    assert!(
        stderr(&output).contains("summary: 12 of 12 request(s) succeeded"),
        "{}",
        stderr(&output)
    );
    for i in 0..12 {
        let text = std::fs::read_to_string(out.join(format!("copy{i:02}.jsonl"))).expect("output");
        assert_eq!(text.lines().count(), 600);
    }
    let stats = emulator.stats();
    assert_eq!(
        stats["max_in_flight"], 10,
        "the limiter, not luck, bounds concurrency: {stats}"
    );
    assert_eq!(stats["throttled_by_limit"], 0, "{stats}");
}

#[test]
fn a_broken_file_in_a_folder_does_not_stop_the_others() {
    let project = Project::new();
    for name in ["vendors", "items", "accounts"] {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("requests/{name}.yaml")),
        )
        .expect("shipped request");
        project.file(
            &format!("requests/{name}.yaml"),
            &text.replace("connection: quickbooks", "connection: emulator"),
        );
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("connections/emulator.yaml"),
        project.files.path().join("connections/emulator.yaml"),
    )
    .expect("copy connection");
    project.file(
        "requests/broken.yaml",
        "connection: emulator\npath: /v3/company/{{ realm_id }}/query\nparms: {}\n",
    );
    let out = project.files.path().join("out");
    let output = project
        .command()
        .arg(project.files.path().join("requests"))
        .arg("--output-dir")
        .arg(&out)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let text = stderr(&output);
    assert!(
        text.contains("summary: 3 of 4 request(s) succeeded; failed: broken"),
        "{text}"
    );
    assert!(text.contains("FAILED  broken"), "{text}");
    for name in ["vendors", "items", "accounts"] {
        assert!(out.join(format!("{name}.csv")).exists(), "{name} written");
    }
    assert!(!out.join("broken.csv").exists() && !out.join("broken.json").exists());
}

fn incremental_request(project: &Project, connection: &Path, page_size: u32) -> std::path::PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/invoices_changed.yaml"),
    )
    .expect("shipped request")
    .replace(
        "connection: quickbooks",
        &format!("connection: {}", connection.display()),
    )
    .replace("page_size: 1000", &format!("page_size: {page_size}"));
    project.file("requests/changed.yaml", &text)
}

#[test]
fn killed_run_leaves_no_output_and_the_state_unchanged_then_resumes_after_the_cursor() {
    let project = Project::new();
    let state = project.files.path().join("changed.state.json");
    let out_dir = tempfile::tempdir().expect("out dir");
    let target = out_dir.path().join("changed.jsonl");

    // A company with 1000 invoices: the first run takes them all and saves the cursor.
    let small = EmulatorProcess::start(&["--invoices", "1000"]);
    let conn_small = connection(&project, "small", &small, "");
    let request = incremental_request(&project, &conn_small, 100);
    let first = project
        .command()
        .arg(&request)
        .arg("--state")
        .arg(&state)
        .arg("--output")
        .arg(&target)
        .output()
        .expect("run");
    assert_ok(&first);
    assert_eq!(
        ids(&std::fs::read_to_string(&target).expect("out")).len(),
        1000
    );
    let saved = std::fs::read(&state).expect("state saved");
    std::fs::remove_file(&target).expect("rm");

    // The same company later, with 200 more invoices (same seed: the first 1000 are the same);
    // the run is killed while it waits out a throttle.
    let (slow, mut child) = stalled_run(&project, &state, &target);
    assert!(
        child.try_wait().expect("child").is_none(),
        "still running when killed"
    );
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    drop(slow);
    assert!(!target.exists(), "no file at the output path");
    assert_eq!(
        std::fs::read(&state).expect("state"),
        saved,
        "state unchanged"
    );

    // The next run fetches only what changed after the saved cursor.
    let fast = EmulatorProcess::start(&["--invoices", "1200"]);
    let conn_fast = connection(&project, "small", &fast, "");
    let request = incremental_request(&project, &conn_fast, 100);
    let next = project
        .command()
        .arg(&request)
        .arg("--state")
        .arg(&state)
        .arg("--output")
        .arg(&target)
        .output()
        .expect("run");
    assert_ok(&next);
    let ids = ids(&std::fs::read_to_string(&target).expect("out"));
    let expected: Vec<String> = (1001..=1200).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected);
    assert_ne!(
        std::fs::read(&state).expect("state"),
        saved,
        "cursor moved forward"
    );
}

/// An incremental run of the 1200-invoice company that cannot finish: the emulator answers 4
/// calls a minute, and the run waits a minute after each 429. Returned once the run is waiting
/// (a call was turned away), with its emulator.
fn stalled_run(
    project: &Project,
    state: &Path,
    target: &Path,
) -> (EmulatorProcess, std::process::Child) {
    let slow = EmulatorProcess::start(&["--invoices", "1200", "--requests-per-minute", "4"]);
    let conn_slow = connection(
        project,
        "small",
        &slow,
        "retry:\n  throttle_wait_secs: 60\n  max_delay_secs: 60\n",
    );
    let request = incremental_request(project, &conn_slow, 10);
    let child = project
        .command()
        .arg(&request)
        .arg("--state")
        .arg(state)
        .arg("--output")
        .arg(target)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    while slow.stat("throttled_by_limit") == 0 {
        assert!(Instant::now() < deadline, "the run never reached the limit");
        std::thread::sleep(Duration::from_millis(10));
    }
    (slow, child)
}

#[cfg(unix)]
#[test]
fn sigterm_and_ctrl_c_stop_a_run_with_130_and_leave_no_output_nor_state() {
    let project = Project::new();
    let state = project.files.path().join("changed.state.json");
    let out_dir = tempfile::tempdir().expect("out dir");
    let target = out_dir.path().join("changed.jsonl");
    let saved = "{\"cursor\": \"2000-01-01T00:00:00-07:00\", \"saved_at\": \"2025-09-02T00:00:00Z\", \"records\": 1}";
    std::fs::write(&state, saved).expect("state");
    for signal in ["-TERM", "-INT"] {
        let (emulator, mut child) = stalled_run(&project, &state, &target);
        let sent = std::process::Command::new("kill")
            .arg(signal)
            .arg(child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "{signal}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while child.try_wait().expect("child").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("{signal}: the run did not stop");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let output = child.wait_with_output().expect("run ends");
        drop(emulator);
        assert_eq!(
            output.status.code(),
            Some(130),
            "{signal}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output)
                .contains("interrupted; no output file was written and no state was saved"),
            "{signal}: {}",
            stderr(&output)
        );
        assert!(!target.exists(), "{signal}: no output file");
        assert_eq!(
            std::fs::read_dir(out_dir.path()).expect("dir").count(),
            0,
            "{signal}: no temp file left"
        );
        assert_eq!(
            std::fs::read_to_string(&state).expect("state"),
            saved,
            "{signal}: state unchanged"
        );
    }
}

#[test]
fn a_server_that_never_answers_fails_within_the_timeout() {
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = black_hole.local_addr().expect("addr").port();
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let conn = project.file(
        "connections/hole.yaml",
        &format!(
            "environment: emulator\nbase_url: http://127.0.0.1:{port}\noauth2:\n  auth_url: {base}/connect/oauth2\n  token_url: {base}/oauth2/v1/tokens/bearer\ntimeouts:\n  request_secs: 1\nretry:\n  max_attempts: 2\n  base_delay_ms: 10\n",
            base = emulator.base_url
        ),
    );
    let started = Instant::now();
    let output = project
        .command()
        .args(["requests/company_info.yaml", "--connection"])
        .arg(&conn)
        .output()
        .expect("run");
    let seconds = started.elapsed().as_secs_f64();
    drop(black_hole);
    assert_eq!(output.status.code(), Some(6), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("QBO did not answer in time"),
        "{}",
        stderr(&output)
    );
    assert!(seconds < 10.0, "took {seconds} s");
}

#[test]
fn check_refuses_limits_above_qbo() {
    let project = Project::new();
    let conn = project.file(
        "connections/greedy.yaml",
        "environment: emulator\nlimits:\n  max_in_flight: 20\n",
    );
    let output = project
        .command()
        .arg("check")
        .arg(&conn)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("must be between 1 and 10"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains(":3:18"), "{}", stderr(&output));

    // QBO's minute budget binds a real company; the emulator's is its own flag.
    let check = |text: &str| {
        let conn = project.file("connections/budget.yaml", text);
        project
            .command()
            .arg("check")
            .arg(&conn)
            .output()
            .expect("run")
    };
    let sandbox = check(
        "environment: sandbox\nrealm_id: \"1\"\noauth2:\n  client_id: x\n  client_secret: \"{{ env.QBO_TEST_UNSET_SECRET }}\"\nlimits:\n  requests_per_minute: 501\n",
    );
    assert_eq!(sandbox.status.code(), Some(3), "{}", stderr(&sandbox));
    assert!(
        stderr(&sandbox).contains("500 per minute"),
        "{}",
        stderr(&sandbox)
    );
    let emulator = check("environment: emulator\nlimits:\n  requests_per_minute: 100000\n");
    assert_eq!(emulator.status.code(), Some(0), "{}", stderr(&emulator));
}

#[test]
fn json_logs_carry_status_duration_attempt_and_intuit_tid() {
    let project = Project::new();
    let output = project
        .command()
        .args([
            "requests/company_info.yaml",
            "--connection",
            "emulator",
            "-v",
            "--log-format",
            "json",
        ])
        .output()
        .expect("run");
    assert_ok(&output);
    let calls: Vec<Value> = stderr(&output)
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("every log line is JSON"))
        .filter(|event| event["message"] == "HTTP call")
        .collect();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call["status"], 200);
    assert_eq!(call["attempt"], 1);
    assert!(call["elapsed_ms"].is_number());
    assert!(
        call["intuit_tid"]
            .as_str()
            .is_some_and(|t| t.starts_with("1-"))
    );
    assert!(
        call["request"]
            .as_str()
            .is_some_and(|r| r.starts_with("GET /v3/company/"))
    );
}

#[test]
fn gzip_answers_give_the_same_records() {
    let project = Project::new();
    let mut outputs = Vec::new();
    for flags in [
        &["--invoices", "2345"][..],
        &["--invoices", "2345", "--gzip"],
    ] {
        let emulator = EmulatorProcess::start(flags);
        let name = if flags.len() == 3 { "gzip" } else { "plain" };
        let conn = connection(&project, name, &emulator, "");
        for format in ["csv", "jsonl"] {
            let output = project
                .command()
                .args(["requests/invoices.yaml", "--format", format, "--connection"])
                .arg(&conn)
                .output()
                .expect("run");
            assert_ok(&output);
            outputs.push((name, format, output.stdout));
        }
        // qbo-run asks for gzip on every API call (the emulator compresses only with --gzip).
        let stats = emulator.stats();
        assert!(stat(&stats, "api_requests") > 0, "{stats}");
        assert_eq!(stats["gzip_asked"], stats["api_requests"], "{stats}");
    }
    for format in ["csv", "jsonl"] {
        let of = |name: &str| {
            outputs
                .iter()
                .find(|(n, f, _)| *n == name && *f == format)
                .map(|(_, _, bytes)| bytes.clone())
                .expect("output")
        };
        let plain = of("plain");
        assert!(plain.len() > 100_000, "{format}");
        assert!(
            plain == of("gzip"),
            "{format}: gzip answers changed the output"
        );
    }
}
