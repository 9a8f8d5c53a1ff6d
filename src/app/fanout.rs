//! One request file over several companies (`--realm` more than once, `--all-realms`,
//! `--shard I/N`): the companies run concurrently, each within its own limits, each record with
//! `realm_id` first.
//!
//! With `--output-dir DIR` each company writes `DIR/<realm_id>/<request>.<ext>`. Otherwise the
//! companies' records are merged into one output (stdout or `--output`): each company first
//! spools its records to its own temporary JSON Lines file, and only the companies that finished
//! are copied into the output, in realm order. So a company that fails leaves none of its
//! records behind (the output holds every record of each company it names, or none), one
//! company's failure does not stop the others, the summary names it, and the exit code is the
//! worst. Memory does not grow with the records: the spools are on disk.

use super::companies;
use super::connections::Connections;
use super::job::load_run;
use super::run::{
    COMPANIES_AT_ONCE, Outcome, columns_for, company_run, company_state, interrupted,
    run_for_company, stop_requested, summarize, with_realm_column,
};
use crate::cli::RunOptions;
use crate::diagnostics::Error;
use crate::output::{Destination, Format, OutputSpec, RecordWriter};
use futures::StreamExt;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

/// `qbo-run FILE --all-realms | --realm A --realm B | --shard I/N`.
pub(super) async fn run_companies(options: RunOptions) -> Result<i32, Error> {
    let job = load_run(
        &options.file,
        options.connection.as_deref(),
        &options.vars,
        false,
    )?;
    if job.request.write.is_some() {
        return Err(Error::usage(format!(
            "{} is a write request; it runs for one company: pick it with --realm ID",
            options.file.display()
        )));
    }
    if options.dry_run {
        return Err(Error::usage(
            "--dry-run shows the calls of one company: pick it with --realm ID",
        ));
    }
    let format = options
        .format
        .or(job.request.format)
        .unwrap_or(Format::Json);
    let connections = Connections::default();
    let result = tokio::select! {
        result = run(&job, &options, format, &connections) => result,
        () = stop_requested() => Err(interrupted()),
    };
    connections.shutdown().await;
    result
}

async fn run(
    job: &super::job::LoadedRun,
    options: &RunOptions,
    format: Format,
    connections: &Connections,
) -> Result<i32, Error> {
    let resolved = connections
        .resolve(&job.connection, &job.connection_path)
        .await?;
    let realms =
        companies::select(&options.companies, &resolved.store, &job.connection.name).await?;
    tracing::info!(companies = realms.len(), "running for several companies");
    let file_name = format!("{}.{}", job.request.name, format.as_str());
    if let Some(dir) = &options.output_dir {
        let runs = realms.iter().map(|realm| {
            let file_name = &file_name;
            async move {
                let started = Instant::now();
                let result = company_run(job, connections, format, dir, file_name, realm).await;
                Outcome {
                    name: realm.clone(),
                    result: result.map(Some),
                    seconds: started.elapsed().as_secs_f64(),
                }
            }
        });
        let outcomes: Vec<Outcome> = futures::stream::iter(runs)
            .buffered(COMPANIES_AT_ONCE)
            .collect()
            .await;
        return Ok(summarize(&outcomes, "compan(ies)"));
    }

    let spools = tempfile::Builder::new()
        .prefix("qbo-run-companies")
        .tempdir()
        .map_err(|err| Error::output(format!("cannot create a spool folder: {err}")))?;
    let runs = realms.iter().map(|realm| {
        let spool = spools.path().join(format!("{realm}.jsonl"));
        async move {
            let started = Instant::now();
            let result = async {
                let state = company_state(job, realm)?;
                run_for_company(
                    job,
                    connections,
                    Format::Jsonl,
                    &Destination::File(spool.clone()),
                    state.as_deref(),
                    realm,
                )
                .await
            }
            .await;
            Outcome {
                name: realm.clone(),
                result: result.map(|stats| Some((stats, spool))),
                seconds: started.elapsed().as_secs_f64(),
            }
        }
    });
    let outcomes: Vec<Outcome> = futures::stream::iter(runs)
        .buffered(COMPANIES_AT_ONCE)
        .collect()
        .await;

    let finished: Vec<&PathBuf> = outcomes
        .iter()
        .filter_map(|o| match &o.result {
            Ok(Some((_, spool))) => Some(spool),
            _ => None,
        })
        .collect();
    let destination = options
        .output
        .clone()
        .map(Destination::File)
        .unwrap_or(Destination::Stdout);
    let merge_failure = if finished.is_empty() && !realms.is_empty() {
        None
    } else {
        merge(&finished, job, format, &destination).err()
    };
    let mut worst = summarize_merged(&outcomes, &destination);
    if let Some(error) = merge_failure {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            crate::diagnostics::render(&error).as_bytes(),
        );
        worst = worst.max(error.kind().exit_code());
    }
    Ok(worst)
}

/// Copies the finished companies' spools into the output, in realm order.
fn merge(
    spools: &[&PathBuf],
    job: &super::job::LoadedRun,
    format: Format,
    destination: &Destination,
) -> Result<u64, Error> {
    let spec = OutputSpec {
        format,
        columns: columns_for(job, format).map(with_realm_column),
    };
    let mut writer =
        RecordWriter::open(spec, destination).map_err(|err| Error::output(err.to_string()))?;
    for spool in spools {
        let file = std::fs::File::open(spool).map_err(|err| {
            Error::output(format!("cannot read the spool {}: {err}", spool.display()))
        })?;
        for line in std::io::BufReader::new(file).lines() {
            let line = line.map_err(|err| {
                Error::output(format!("cannot read the spool {}: {err}", spool.display()))
            })?;
            if line.is_empty() {
                continue;
            }
            match format {
                Format::Jsonl => writer.write_raw(&line),
                _ => {
                    let record: serde_json::Value = serde_json::from_str(&line).map_err(|err| {
                        Error::output(format!("a spooled record is not JSON: {err}"))
                    })?;
                    writer.write(&record)
                }
            }
            .map_err(|err| Error::output(err.to_string()))?;
        }
    }
    writer
        .finish()
        .map_err(|err| Error::output(err.to_string()))
}

/// The summary of a merged run: the spools are not where the records went, the output is.
fn summarize_merged(outcomes: &[Outcome], destination: &Destination) -> i32 {
    let shown: Vec<Outcome> = outcomes
        .iter()
        .map(|o| Outcome {
            name: o.name.clone(),
            result: match &o.result {
                Ok(Some((stats, _))) => Ok(Some((*stats, PathBuf::from(destination.to_string())))),
                Ok(None) => Ok(None),
                Err(error) => Err(error.clone()),
            },
            seconds: o.seconds,
        })
        .collect();
    summarize(&shown, "compan(ies)")
}
