//! Extraction benchmark: qbo-run against its emulator running as a separate process, beside a
//! plain page-after-page loop (what sequential clients do) and a bare download of the same pages
//! that parses nothing (the floor).
//!
//! `cargo bench --bench extract` runs 10,000 and 100,000 invoices (and 1,000,000 with
//! `QBO_BENCH_1M=1`, which takes minutes) at 0 and 100 ms of latency per call, three times
//! each, and prints medians of wall time, user+sys CPU and peak RSS for CSV with the request's
//! columns, flattened CSV (no columns) and JSON Lines. Settings (environment):
//! `QBO_BENCH_SIZES=10000,100000` (replaces the sizes), `QBO_BENCH_LATENCIES=0,100`,
//! `QBO_BENCH_REPEAT=3`, `QBO_BENCH_QBO_RUN=<path>` (measures that qbo-run binary instead of
//! this build's: an older build on the same emulator and pages). Peak RSS (VmHWM) and CPU
//! (utime + stime) are read from /proc while the process runs (Linux only); the emulator is a
//! process of its own and is not counted.

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

/// What one run cost.
#[derive(Clone, Copy)]
struct Cost {
    /// Wall seconds.
    wall: f64,
    /// User + system CPU seconds (the last sample before the process ended).
    cpu: f64,
    /// Peak RSS in KiB.
    rss: u64,
}

/// User + system CPU seconds of a running process, from `/proc/<pid>/stat` (clock ticks of
/// 1/100 s, Linux's `USER_HZ`).
fn cpu_seconds(stat: &str) -> Option<f64> {
    // The fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some((user + system) as f64 / 100.0)
}

/// Runs a command to the end; returns what it cost.
fn measure(command: &mut Command) -> Cost {
    let started = Instant::now();
    let mut child = command.spawn().expect("spawn");
    let status_path = format!("/proc/{}/status", child.id());
    let stat_path = format!("/proc/{}/stat", child.id());
    let (mut peak, mut cpu) = (0, 0.0f64);
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
        if let Some(seconds) = std::fs::read_to_string(&stat_path)
            .ok()
            .as_deref()
            .and_then(cpu_seconds)
        {
            cpu = cpu.max(seconds);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "{command:?} failed");
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    Cost {
        wall: started.elapsed().as_secs_f64(),
        cpu,
        rss: peak,
    }
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
    let mut default_sizes = vec![10_000, 100_000];
    if std::env::var_os("QBO_BENCH_1M").is_some_and(|v| v != "0") {
        default_sizes.push(1_000_000);
    }
    let sizes = env_list("QBO_BENCH_SIZES", &default_sizes);
    let qbo_run = std::env::var_os("QBO_BENCH_QBO_RUN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(QBO_RUN));
    println!("qbo-run: {}", qbo_run.display());
    let latencies = env_list("QBO_BENCH_LATENCIES", &[0, 100]);
    let repeat = env_list("QBO_BENCH_REPEAT", &[3])[0].max(1) as usize;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let http = reqwest::Client::builder().build().expect("client");
    println!(
        "invoices  latency  qbo-run csv (columns)      qbo-run csv (flattened)    qbo-run jsonl              page-after-page  bare download  loop/qbo-run  qbo-run/floor  csv/jsonl"
    );
    println!(
        "                   wall     cpu      RSS      wall     cpu      RSS      wall     cpu      RSS      wall             wall           (csv)         (csv)          (cpu)"
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
            // The same request without its columns: CSV flattens every field.
            let flattened = dir.path().join("invoices_flattened.yaml");
            let text = std::fs::read_to_string(&request).expect("request");
            let without_output = text.split("\noutput:").next().unwrap_or(&text);
            std::fs::write(&flattened, without_output).expect("flattened request");
            let run = |form: &str| -> Cost {
                let (file, format) = match form {
                    "flattened" => (&flattened, "csv"),
                    "csv" => (&request, "csv"),
                    _ => (&request, "jsonl"),
                };
                let out: PathBuf = dir.path().join(format!("out.{form}"));
                let cost = measure(
                    Command::new(&qbo_run)
                        .arg(file)
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
                if form != "flattened" {
                    // A flattened cell may hold a line break; its rows are not lines.
                    assert_eq!(lines, expected, "{form} output is complete");
                }
                cost
            };
            // Log in once (the emulator consents) so the runs below measure extraction only.
            let status = Command::new(&qbo_run)
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

            let forms = ["csv", "flattened", "jsonl"];
            let mut costs: Vec<Vec<Cost>> = vec![Vec::new(); forms.len()];
            let (mut seq, mut floor) = (Vec::new(), Vec::new());
            for _ in 0..repeat {
                for (at, form) in forms.iter().enumerate() {
                    costs[at].push(run(form));
                }
                let started = Instant::now();
                let records = runtime.block_on(page_after_page(&http, &token, &urls));
                assert_eq!(records, invoices);
                seq.push(started.elapsed().as_secs_f64());
                let started = Instant::now();
                runtime.block_on(bare_download(&http, &token, &urls));
                floor.push(started.elapsed().as_secs_f64());
            }
            let medians: Vec<(f64, f64, f64)> = costs
                .iter()
                .map(|runs| {
                    (
                        median(runs.iter().map(|c| c.wall).collect()),
                        median(runs.iter().map(|c| c.cpu).collect()),
                        median(runs.iter().map(|c| c.rss as f64).collect()) / 1024.0,
                    )
                })
                .collect();
            let (seq, floor) = (median(seq), median(floor));
            let mut line = format!("{invoices:>8}  {latency:>4} ms  ");
            for (wall, cpu, rss) in &medians {
                line.push_str(&format!("{wall:>6.2} s {cpu:>6.2} s {rss:>5.1} MiB  "));
            }
            let (csv_wall, csv_cpu, _) = medians[0];
            let jsonl_cpu = medians[2].1;
            line.push_str(&format!(
                "{seq:>8.2} s       {floor:>8.2} s     {:>6.1}x       {:>6.2}x         {:>5.2}x",
                seq / csv_wall,
                csv_wall / floor,
                csv_cpu / jsonl_cpu.max(0.01),
            ));
            println!("{line}");
        }
    }
}
