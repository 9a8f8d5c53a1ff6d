//! Running a write request (one with `input:`): the input file checked whole before anything is
//! sent, then every row sent and its result written by the usual record writers; `--dry-run`
//! prints the calls instead.

use super::job::LoadedRun;
use crate::auth::Session;
use crate::connection::ResolvedConnection;
use crate::diagnostics::{Error, ErrorKind};
use crate::engine::RunStats;
use crate::http::ApiClient;
use crate::output::{Column, Destination, Format, OutputSpec, RecordWriter};
use crate::secret::redact;
use crate::spec::{Environment, InputFormat, WriteSpec};
use crate::write::{InputRows, WritePlan};
use std::io::Write;
use std::path::{Path, PathBuf};

fn write_spec(job: &LoadedRun) -> Result<&WriteSpec, Error> {
    job.request.write.as_ref().ok_or_else(|| {
        Error::new(
            ErrorKind::Internal,
            "a write was run for a request without `input`",
        )
    })
}

/// The input file and its format: `--input`, else `input.path`; `input.format`, else the
/// file's extension.
fn input_of(job: &LoadedRun) -> Result<(PathBuf, InputFormat), Error> {
    let write = write_spec(job)?;
    let path = job
        .input
        .clone()
        .or_else(|| write.input_path.clone())
        .ok_or_else(|| {
            Error::usage(format!(
                "{} writes one record per input row: give the rows with --input PATH",
                job.request.file.path().display()
            ))
            .note("a CSV file with a header row, or a JSON Lines file (one object per line)")
            .note("or set a default with `input: { path: ... }` in the request file")
        })?;
    let format = write
        .input_format
        .or_else(|| InputFormat::from_extension(&path))
        .ok_or_else(|| {
            Error::usage(format!(
                "cannot tell whether {} is CSV or JSON Lines from its name",
                path.display()
            ))
            .note("name it .csv or .jsonl, or set `input: { format: csv }` (or jsonl) in the request file")
        })?;
    Ok((path, format))
}

/// Reads the whole input once before anything is sent: every row must read, and a CSV header
/// must have every field the templates read. Returns the number of rows.
fn check_input(job: &LoadedRun, path: &Path, format: InputFormat) -> Result<u64, Error> {
    let write = write_spec(job)?;
    let rows = InputRows::open(path, format)?;
    if let Some(headers) = rows.headers() {
        for field in &write.row_fields {
            if !headers.contains(field) {
                let needle = format!("row.{field}");
                let location =
                    job.request
                        .file
                        .text()
                        .lines()
                        .enumerate()
                        .find_map(|(at, line)| {
                            line.find(&needle).map(|byte| {
                                job.request
                                    .file
                                    .location(at + 1, line[..byte].chars().count() + 1)
                            })
                        });
                return Err(Error::file(format!(
                    "the request reads `row.{field}` but {} has no column `{field}`",
                    path.display()
                ))
                .at_opt(location)
                .note(format!("its columns: {}", headers.join(", "))));
            }
        }
    }
    let mut count = 0;
    for row in rows {
        row?;
        count += 1;
    }
    Ok(count)
}

/// Sends every row and writes one result per row to `destination`; the output is kept even
/// when rows failed, and then the run ends with a QBO-refused error (exit code 5).
pub(super) async fn run(
    job: &LoadedRun,
    session: &Session,
    client: &ApiClient,
    format: Format,
    destination: &Destination,
    progress: &indicatif::ProgressBar,
) -> Result<RunStats, Error> {
    let write = write_spec(job)?;
    let (path, input_format) = input_of(job)?;
    let total = check_input(job, &path, input_format)?;
    tracing::info!(rows = total, input = %path.display(), entity = %write.entity, operation = write.operation.as_str(), "writing");
    let plan = WritePlan {
        spec: &job.request,
        write,
        connection: session.connection(),
        realm_id: session.realm_id(),
        vars: &job.vars,
    };
    let columns: Option<Vec<Column>> = match format {
        Format::Csv => job.request.columns.as_ref().map(|columns| {
            columns
                .iter()
                .map(|(name, path)| Column {
                    name: name.clone(),
                    path: path.clone(),
                })
                .collect()
        }),
        _ => None,
    };
    let mut writer = RecordWriter::open(OutputSpec { format, columns }, destination)
        .map_err(|err| Error::output(err.to_string()))?;
    let rows = InputRows::open(&path, input_format)?;
    let stats = crate::write::run(&plan, session, client, rows, &mut |result| {
        progress.inc(1);
        writer
            .write(&result.to_record())
            .map_err(|err| Error::output(err.to_string()))
    })
    .await?;
    writer
        .finish()
        .map_err(|err| Error::output(err.to_string()))?;
    tracing::info!(request = %job.request.name, rows = stats.rows, failed = stats.failed, calls = stats.calls, "done");
    if stats.failed > 0 {
        return Err(Error::new(
            ErrorKind::Remote,
            format!(
                "{} of {} row(s) were not written",
                stats.failed, stats.rows
            ),
        )
        .note(format!(
            "each has its result (status fault or error, QBO's code and message) in {destination}"
        ))
        .note("rows that were written replay their first answer when the same file is run again: nothing is written twice"));
    }
    Ok(RunStats {
        pages: stats.calls,
        records: stats.rows,
        ..RunStats::default()
    })
}

/// `--dry-run` of a write: the calls every row would make, secrets redacted; nothing is sent.
pub(super) fn dry_run(job: &LoadedRun, format: Format) -> Result<(), Error> {
    let write = write_spec(job)?;
    let connection = ResolvedConnection::resolve(&job.connection, None)?;
    let realm = connection
        .realm_id
        .clone()
        .or_else(|| {
            // A dry run reads no database: only a file store is looked at for the realm.
            (connection.token_store == crate::connection::StoreChoice::File)
                .then(|| crate::auth::FileStore::for_connection(&connection.name).ok())
                .flatten()
                .and_then(|store| store.realms().into_iter().next())
        })
        .unwrap_or_else(|| "REALM_ID".to_string());
    let (path, input_format) = input_of(job)?;
    let total = check_input(job, &path, input_format)?;
    let plan = WritePlan {
        spec: &job.request,
        write,
        connection: &connection,
        realm_id: &realm,
        vars: &job.vars,
    };
    let secrets = [&connection.oauth.client_secret];
    let mut stdout = std::io::stdout().lock();
    let mut emit = |text: &str| {
        stdout
            .write_all(redact(text, &secrets).as_bytes())
            .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
    };
    emit(&format!(
        "# {} via connection `{}` ({}){}\n# {total} row(s) from {}: {} {}{}\n\n",
        job.request.file.path().display(),
        connection.name,
        connection.environment.as_str(),
        if connection.environment == Environment::Emulator && !job.connection.has("base_url") {
            "; the emulator's port is chosen when it starts"
        } else {
            ""
        },
        path.display(),
        write.operation.as_str(),
        write.entity,
        match write.batch_size {
            Some(size) => format!(", up to {size} per batch"),
            None => ", one call per row".to_string(),
        }
    ))?;
    let rows = InputRows::open(&path, input_format)?;
    crate::write::dry_run(&plan, rows, &mut emit)?;
    emit(&format!("# output: one result per row, as {format}\n"))
}
