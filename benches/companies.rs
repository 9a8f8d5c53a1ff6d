//! Many companies benchmark: an emulator serving 50 companies of 2,000 invoices each (a separate
//! process), one request over every company, run by one process and by 4 processes that split
//! the companies with `--shard`, with tokens and QBO's limits in one throwaway PostgreSQL
//! database; beside the same one-process run with the file store (no governor), and the cost of
//! one governed call (a slot taken and given back) measured alone.
//!
//! `cargo bench --bench companies`. Settings (environment): `QBO_BENCH_COMPANIES=50`,
//! `QBO_BENCH_INVOICES=2000`, `QBO_BENCH_LATENCY_MS=0`, `QBO_BENCH_REPEAT=3`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::EmulatorProcess as Emulator;
use common::postgres;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const QBO_RUN: &str = env!("CARGO_BIN_EXE_qbo-run");

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn qbo_run(home: &Path, store: Option<&str>) -> Command {
    let mut command = Command::new(QBO_RUN);
    command
        .env("QBO_RUN_HOME", home)
        .env(
            "QBO_RUN_STORE_KEY",
            "q2rJ6m3wX6o3o1r8wQF1k9Y8yZ3vN5tB0cL7eH2sD4U=",
        )
        .env_remove("QBO_RUN_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    match store {
        Some(url) => command.env("QBO_RUN_STORE", url),
        None => command.env_remove("QBO_RUN_STORE"),
    };
    command
}

/// Runs the request over every company with `workers` processes; wall seconds.
fn extract(
    home: &Path,
    store: Option<&str>,
    connection: &Path,
    request: &Path,
    out: &Path,
    workers: u64,
) -> f64 {
    let _ = std::fs::remove_dir_all(out);
    let started = Instant::now();
    let children: Vec<Child> = (0..workers)
        .map(|index| {
            let mut command = qbo_run(home, store);
            command
                .arg(request)
                .arg("--connection")
                .arg(connection)
                .args(["--format", "jsonl", "--output-dir"])
                .arg(out);
            if workers == 1 {
                command.arg("--all-realms");
            } else {
                command.args(["--shard", &format!("{index}/{workers}")]);
            }
            command.spawn().expect("qbo-run starts")
        })
        .collect();
    for mut child in children {
        let status = child.wait().expect("qbo-run ends");
        assert!(status.success(), "a worker failed");
    }
    started.elapsed().as_secs_f64()
}

fn count_records(out: &Path) -> u64 {
    let mut records = 0;
    for entry in std::fs::read_dir(out).expect("output folder").flatten() {
        for file in std::fs::read_dir(entry.path())
            .expect("company folder")
            .flatten()
        {
            records += std::fs::read_to_string(file.path())
                .map(|t| t.lines().count() as u64)
                .unwrap_or(0);
        }
    }
    records
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let companies = setting("QBO_BENCH_COMPANIES", 50);
    let invoices = setting("QBO_BENCH_INVOICES", 2000);
    let latency = setting("QBO_BENCH_LATENCY_MS", 0);
    let repeat = setting("QBO_BENCH_REPEAT", 3).max(1);
    let pg = postgres::PgCluster::start();
    let url = pg.database("bench");
    let emulator = Emulator::start(&[
        "--companies",
        companies.to_string().as_str(),
        "--invoices",
        invoices.to_string().as_str(),
        "--latency-ms",
        latency.to_string().as_str(),
    ]);
    let home = tempfile::tempdir().expect("home");
    let dir = tempfile::tempdir().expect("dir");
    let connection = dir.path().join("firm.yaml");
    std::fs::write(
        &connection,
        format!("environment: emulator\nbase_url: {}\n", emulator.base_url),
    )
    .expect("connection");
    let request = dir.path().join("invoices.yaml");
    std::fs::write(
        &request,
        "method: GET\npath: /v3/company/{{ realm_id }}/query\nparams: { query: \"select * from Invoice\" }\npaginate: { style: qbo-query, page_size: 1000 }\nrecords: $.QueryResponse.Invoice[*]\noutput: { format: jsonl }\n",
    )
    .expect("request");
    let logins = Instant::now();
    for _ in 0..companies {
        let status = qbo_run(home.path(), Some(&url))
            .args(["auth", "login"])
            .arg(&connection)
            .status()
            .expect("login");
        assert!(status.success(), "login failed");
    }
    eprintln!(
        "{companies} logins in {:.1} s",
        logins.elapsed().as_secs_f64()
    );
    // The same tokens in files, for the run without a database.
    let files_home = tempfile::tempdir().expect("files home");
    let status = qbo_run(files_home.path(), Some(&url))
        .args(["store", "pull"])
        .status()
        .expect("pull");
    assert!(status.success(), "store pull failed");

    let out = dir.path().join("out");
    let expected = companies * invoices;
    let mut rows = Vec::new();
    for (label, store, workers, home_dir) in [
        ("file store, 1 process", None, 1, files_home.path()),
        ("PostgreSQL, 1 process", Some(url.as_str()), 1, home.path()),
        (
            "PostgreSQL, 4 processes",
            Some(url.as_str()),
            4,
            home.path(),
        ),
    ] {
        let times: Vec<f64> = (0..repeat)
            .map(|_| {
                let wall = extract(home_dir, store, &connection, &request, &out, workers);
                assert_eq!(count_records(&out), expected, "{label}: every record once");
                wall
            })
            .collect();
        rows.push((label, median(times)));
    }
    // Calls per run: a count and the pages of each company.
    let calls = companies * (1 + invoices.div_ceil(1000));

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let per_call = runtime.block_on(async {
        let db = qbo_run::db::Database::open(&qbo_run::secret::Secret::new(url.clone()))
            .expect("database");
        let governor = qbo_run::http::Governor::new(
            db,
            "bench|governor".to_string(),
            10,
            1_000_000,
            Duration::from_secs(180),
        );
        let n = 2000;
        let started = Instant::now();
        for _ in 0..n {
            let slot = governor.acquire().await.expect("slot");
            governor.release(slot).await.expect("release");
        }
        started.elapsed().as_secs_f64() / f64::from(n)
    });

    println!(
        "{companies} companies x {invoices} invoices ({expected} records, {calls} API calls a run), latency {latency} ms, medians of {repeat}"
    );
    println!(
        "{:<26} {:>9} {:>12} {:>11}",
        "run", "wall", "records/s", "calls/s"
    );
    for (label, wall) in &rows {
        println!(
            "{label:<26} {:>7.2} s {:>12.0} {:>11.0}",
            wall,
            expected as f64 / wall,
            calls as f64 / wall
        );
    }
    println!(
        "governor: {:.3} ms per call (a slot taken and given back, one process, one company, 2000 calls)",
        per_call * 1000.0
    );
    if let (Some((_, file)), Some((_, pg1))) = (rows.first(), rows.get(1)) {
        println!(
            "PostgreSQL store and governor vs file store, 1 process: {:+.3} ms per call in wall time",
            (pg1 - file) / calls as f64 * 1000.0
        );
    }
}
