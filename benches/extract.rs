//! Extraction benchmark: qbo-run against its emulator running as a separate process, beside a
//! plain page-after-page loop (what sequential clients do) and a bare download of the same pages
//! that parses nothing (the floor).
//!
//! `cargo bench --bench extract` runs 10,000 / 100,000 / 1,000,000 invoices at 0 and 100 ms of
//! latency per call, three times each, and prints medians. Settings (environment):
//! `QBO_BENCH_SIZES=10000,100000`, `QBO_BENCH_LATENCIES=0,100`, `QBO_BENCH_REPEAT=3`.
//! Peak RSS is read from /proc (VmHWM) while the process runs (Linux only).

#[path = "../tests/common/mod.rs"]
mod common;

use common::EmulatorProcess as Emulator;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const QBO_RUN: &str = env!("CARGO_BIN_EXE_qbo-run");
const REALM: &str = "9341453050298464";
const PAGE: u64 = 1000;

fn env_list(name: &str, default: &[u64]) -> Vec<u64> {
    std::env::var(name)
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .filter(|v: &Vec<u64>| !v.is_empty())
        .unwrap_or_else(|| default.to_vec())
}

/// Runs a command to the end; returns wall seconds and peak RSS in KiB.
fn measure(command: &mut Command) -> (f64, u64) {
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path)
            && let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{command:?} failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (started.elapsed().as_secs_f64(), peak)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn page_urls(base: &str, invoices: u64) -> Vec<String> {
    let pages = invoices.div_ceil(PAGE) + 1;
    (0..pages)
        .map(|i| {
            let statement = format!(
                "select * from Invoice where Metadata.LastUpdatedTime >= '2000-01-01' orderby Metadata.LastUpdatedTime STARTPOSITION {} MAXRESULTS {PAGE}",
                1 + i * PAGE
            );
            let mut url = url::Url::parse(&format!("{base}/v3/company/{REALM}/query")).expect("url");
            url.query_pairs_mut()
                .append_pair("query", &statement)
                .append_pair("minorversion", "75");
            url.to_string()
        })
        .collect()
}

/// What sequential clients do: one page, parse it, the next page.
async fn page_after_page(http: &reqwest::Client, token: &str, urls: &[String]) -> u64 {
    let mut records = 0;
    for url in urls {
        let body = http
            .get(url)
            .bearer_auth(token)
            .header("accept", "application/json")
            .send()
            .await
            .expect("send")
            .bytes()
            .await
            .expect("body");
        let page: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let rows = page["QueryResponse"]["Invoice"]
            .as_array()
            .map(Vec::len)
            .unwrap_or(0) as u64;
        records += rows;
        if rows < PAGE {
            break;
        }
    }
    records
}

/// The floor: the same pages, 10 in flight, bodies read and thrown away.
async fn bare_download(http: &reqwest::Client, token: &str, urls: &[String]) -> u64 {
    use futures::StreamExt;
    futures::stream::iter(urls)
        .map(|url| async move {
            http.get(url)
                .bearer_auth(token)
                .header("accept", "application/json")
                .send()
                .await
                .expect("send")
                .bytes()
                .await
                .expect("body")
                .len() as u64
        })
        .buffer_unordered(10)
        .fold(0, |total, n| async move { total + n })
        .await
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let sizes = env_list("QBO_BENCH_SIZES", &[10_000, 100_000, 1_000_000]);
    let latencies = env_list("QBO_BENCH_LATENCIES", &[0, 100]);
    let repeat = env_list("QBO_BENCH_REPEAT", &[3])[0].max(1) as usize;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let http = reqwest::Client::builder().build().expect("client");
    println!(
        "invoices  latency  qbo-run csv            qbo-run jsonl          page-after-page  bare download  loop/qbo-run  qbo-run/floor"
    );
    println!(
        "                   wall     rec/s   RSS   wall     rec/s   RSS   wall             wall           (csv)         (csv)"
    );
    for &invoices in &sizes {
        for &latency in &latencies {
            let emulator = Emulator::start(&[
                "--requests-per-minute",
                "0",
                "--invoices",
                invoices.to_string().as_str(),
                "--latency-ms",
                latency.to_string().as_str(),
            ]);
            let home = tempfile::tempdir().expect("home");
            let dir = tempfile::tempdir().expect("dir");
            let connection = dir.path().join("bench.yaml");
            std::fs::write(
                &connection,
                format!(
                    "environment: emulator\nbase_url: {}\nlimits:\n  requests_per_minute: 1000000\n",
                    emulator.base_url
                ),
            )
            .expect("connection");
            let request = Path::new(env!("CARGO_MANIFEST_DIR")).join("requests/invoices.yaml");
            let run = |format: &str| -> (f64, u64) {
                let out: PathBuf = dir.path().join(format!("out.{format}"));
                let result = measure(
                    Command::new(QBO_RUN)
                        .arg(&request)
                        .arg("--connection")
                        .arg(&connection)
                        .args(["--format", format, "--output"])
                        .arg(&out)
                        .env("QBO_RUN_HOME", home.path())
                        .stdout(Stdio::null())
                        .stderr(Stdio::inherit()),
                );
                let lines = std::fs::read_to_string(&out)
                    .map(|t| t.lines().count())
                    .unwrap_or(0) as u64;
                let expected = if format == "csv" {
                    invoices + 1
                } else {
                    invoices
                };
                assert_eq!(lines, expected, "{format} output is complete");
                result
            };
            // Log in once (the emulator consents) so the runs below measure extraction only.
            let status = Command::new(QBO_RUN)
                .args(["auth", "login"])
                .arg(&connection)
                .env("QBO_RUN_HOME", home.path())
                .stdout(Stdio::null())
                .status()
                .expect("login");
            assert!(status.success());
            let store: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(home.path().join(format!("tokens/bench@{REALM}.json")))
                    .expect("store"),
            )
            .expect("store json");
            let token = store["access_token"].as_str().expect("token").to_string();
            let urls = page_urls(&emulator.base_url, invoices);

            let (mut csv, mut csv_rss, mut jsonl, mut jsonl_rss, mut seq, mut floor) = (
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            );
            for _ in 0..repeat {
                let (wall, rss) = run("csv");
                csv.push(wall);
                csv_rss.push(rss as f64);
                let (wall, rss) = run("jsonl");
                jsonl.push(wall);
                jsonl_rss.push(rss as f64);
                let started = Instant::now();
                let records = runtime.block_on(page_after_page(&http, &token, &urls));
                assert_eq!(records, invoices);
                seq.push(started.elapsed().as_secs_f64());
                let started = Instant::now();
                runtime.block_on(bare_download(&http, &token, &urls));
                floor.push(started.elapsed().as_secs_f64());
            }
            let (csv, jsonl, seq, floor) = (median(csv), median(jsonl), median(seq), median(floor));
            println!(
                "{invoices:>8}  {latency:>4} ms  {csv:>6.2} s {:>8.0} {:>4} MB  {jsonl:>6.2} s {:>8.0} {:>4} MB  {seq:>8.2} s       {floor:>8.2} s     {:>6.1}x       {:>6.2}x",
                invoices as f64 / csv,
                (median(csv_rss) / 1024.0).round(),
                invoices as f64 / jsonl,
                (median(jsonl_rss) / 1024.0).round(),
                seq / csv,
                csv / floor,
            );
        }
    }
}
