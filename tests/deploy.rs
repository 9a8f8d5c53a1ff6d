//! The shipped Kubernetes manifests, run as Kubernetes would run them (as far as this machine
//! allows: no cluster): the CronJob's container command line, with `$(VAR)` expanded from the
//! container's env, once per completion index with `JOB_COMPLETION_INDEX` set, against an
//! emulator serving several companies and a real PostgreSQL store. Together the pods must cover
//! every company exactly once.

mod common;

use common::postgres::PgCluster;
use common::{EmulatorProcess, Project, assert_ok, external_emulator_connection, stderr};
use serde_yaml::Value;
use std::collections::BTreeMap;

fn manifest(name: &str) -> Value {
    let path = format!("{}/deploy/kubernetes/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    serde_yaml::from_str(&text).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// `$(NAME)` replaced by `env[NAME]`, as Kubernetes expands container args.
fn expand(arg: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = arg.to_string();
    for (name, value) in env {
        out = out.replace(&format!("$({name})"), value);
    }
    assert!(!out.contains("$("), "unexpanded variable in {arg}");
    out
}

#[test]
fn the_cronjob_covers_every_company_once_across_its_indexed_pods() {
    let cron = manifest("cronjob.yaml");
    assert_eq!(cron["kind"], "CronJob");
    let job = &cron["spec"]["jobTemplate"]["spec"];
    assert_eq!(job["completionMode"], "Indexed");
    let completions = job["completions"].as_u64().expect("completions");
    assert_eq!(job["parallelism"].as_u64(), Some(completions));
    let pod = &job["template"]["spec"];
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    let container = &pod["containers"][0];
    let args: Vec<String> = container["args"]
        .as_sequence()
        .expect("args")
        .iter()
        .map(|a| a.as_str().expect("string arg").to_string())
        .collect();
    let shard = args
        .iter()
        .position(|a| a == "--shard")
        .and_then(|i| args.get(i + 1))
        .expect("--shard");
    assert_eq!(
        shard,
        &format!("/{completions}"),
        "one share per completion, index from JOB_COMPLETION_INDEX"
    );
    let env_names: Vec<String> = container["env"]
        .as_sequence()
        .expect("env")
        .iter()
        .map(|e| e["name"].as_str().expect("name").to_string())
        .collect();
    for needed in ["QBO_RUN_STORE", "QBO_RUN_STORE_KEY", "QBO_CLIENT_SECRET"] {
        assert!(env_names.iter().any(|n| n == needed), "{needed} in env");
    }
    let secret = manifest("secret.yaml");
    assert_eq!(secret["kind"], "Secret");
    let dockerfile = std::fs::read_to_string(format!("{}/Dockerfile", env!("CARGO_MANIFEST_DIR")))
        .expect("Dockerfile");
    assert!(
        dockerfile.contains("USER nonroot"),
        "the image runs as non-root"
    );

    // Kubernetes' part, played here: a store, companies, logins, then one pod per index.
    let pg = PgCluster::start();
    let url = pg.database("cron");
    let emulator = EmulatorProcess::start(&["--companies", "5", "--invoices", "60"]);
    let admin = Project::new();
    let connection = external_emulator_connection(&admin, "quickbooks", &emulator, "");
    let store_key = "q2rJ6m3wX6o3o1r8wQF1k9Y8yZ3vN5tB0cL7eH2sD4U=";
    for _ in 0..5 {
        let out = admin
            .command()
            .args(["auth", "login"])
            .arg(&connection)
            .env("QBO_RUN_STORE", &url)
            .env("QBO_RUN_STORE_KEY", store_key)
            .output()
            .expect("login");
        assert_ok(&out);
    }
    let out_dir = admin.files.path().join("out");
    let mut env: BTreeMap<String, String> = container["env"]
        .as_sequence()
        .expect("env")
        .iter()
        .filter_map(|e| {
            Some((
                e["name"].as_str()?.to_string(),
                e["value"].as_str()?.to_string(),
            ))
        })
        .collect();
    env.insert(
        "QBO_CONNECTION".into(),
        connection.to_str().expect("path").into(),
    );
    env.insert("OUTPUT_DIR".into(), out_dir.to_str().expect("path").into());
    for index in 0..completions {
        let pod = Project::new();
        let args: Vec<String> = args.iter().map(|a| expand(a, &env)).collect();
        let mut command = pod.command();
        command
            .args(&args)
            .env("JOB_COMPLETION_INDEX", index.to_string())
            .env("QBO_RUN_STORE", &url)
            .env("QBO_RUN_STORE_KEY", store_key);
        for (name, value) in &env {
            command.env(name, value);
        }
        let out = command.output().expect("pod runs");
        assert_ok(&out);
        for line in stderr(&out).lines() {
            assert!(line.starts_with('{'), "logs are JSON lines: {line}");
        }
    }
    let mut per_company = BTreeMap::new();
    for entry in std::fs::read_dir(&out_dir).expect("output").flatten() {
        let file = entry.path().join("invoices_changed.jsonl");
        let lines = std::fs::read_to_string(&file)
            .unwrap_or_else(|err| panic!("{}: {err}", file.display()))
            .lines()
            .count();
        per_company.insert(entry.file_name().to_string_lossy().into_owned(), lines);
    }
    assert_eq!(per_company.len(), 5, "every company once: {per_company:?}");
    assert!(per_company.values().all(|n| *n == 60), "{per_company:?}");
}
