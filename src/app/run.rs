//! Running request files: one to stdout or a file, or several concurrently each to its own file
//! in a folder; incremental state read before and saved after a successful run.

use super::companies;
use super::connect::redact_error;
use super::connections::Connections;
use super::job::{LoadedRun, load_run};
use crate::cli::{Companies, ManyOptions, RunOptions};
use crate::connection::ResolvedConnection;
use crate::cursor::{Cursor, CursorRead};
use crate::diagnostics::{self, Error, ErrorKind};
use crate::engine::{self, PagePlan, RecordSink, RunStats};
use crate::output::{CellRow, Column, Destination, Format, OutputSpec, RecordWriter};
use crate::render::{self, RenderedRequest};
use crate::report::ReportRows;
use crate::secret::{Secret, redact};
use crate::spec::{ConnectionSpec, Environment, Extract, RequestSpec};
use crate::state::{self, SavedState};
use futures::StreamExt;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Writes records (but those the last run wrote at its cursor), keeps the cursor, and moves the
/// progress bar.
struct Collector<'a> {
    writer: RecordWriter,
    /// With several companies: the record's company, written first as `realm_id`.
    realm: Option<&'a str>,
    cursor: Option<Cursor<'a>>,
    progress: &'a indicatif::ProgressBar,
    pages: u64,
}

impl RecordSink for Collector<'_> {
    fn page_done(&mut self) {
        self.pages += 1;
        self.progress.set_message(format!(
            "{} page(s), {:.0} records/s",
            self.pages,
            self.progress.per_sec()
        ));
    }

    fn record(&mut self, record: &Value) -> Result<(), Error> {
        if let Some(cursor) = &mut self.cursor
            && !cursor.admit(record)
        {
            return Ok(());
        }
        self.progress.inc(1);
        match self.realm {
            Some(realm) => self.writer.write(&companies::stamped(realm, record)),
            None => self.writer.write(record),
        }
        .map_err(|err| Error::output(err.to_string()))
    }

    fn raw_record(&mut self, raw: &str, read: Option<&CursorRead>) -> Result<(), Error> {
        if let Some(cursor) = &mut self.cursor {
            let admitted = match read {
                Some(read) => cursor.admit_read(read),
                None => {
                    let record: Value = serde_json::from_str(raw).map_err(|err| {
                        Error::new(ErrorKind::Remote, format!("a record is not JSON: {err}"))
                    })?;
                    cursor.admit(&record)
                }
            };
            if !admitted {
                return Ok(());
            }
        }
        self.progress.inc(1);
        match self.realm {
            None => self.writer.write_raw(raw),
            Some(realm) => match companies::stamped_text(realm, raw) {
                Some(text) => self.writer.write_raw(&text),
                None => {
                    let record: Value = serde_json::from_str(raw).map_err(|err| {
                        Error::new(ErrorKind::Remote, format!("a record is not JSON: {err}"))
                    })?;
                    self.writer.write(&companies::stamped(realm, &record))
                }
            },
        }
        .map_err(|err| Error::output(err.to_string()))
    }

    fn cells(&mut self, row: CellRow<'_>, read: Option<&CursorRead>) -> Result<(), Error> {
        if let Some(cursor) = &mut self.cursor {
            let Some(read) = read else {
                return Err(Error::new(
                    ErrorKind::Internal,
                    "a row of cells came without what the cursor reads of it",
                ));
            };
            if !cursor.admit_read(read) {
                return Ok(());
            }
        }
        self.progress.inc(1);
        self.writer
            .write_cells(self.realm, row)
            .map_err(|err| Error::output(err.to_string()))
    }
}

/// The CSV columns of `job` in `format` (none for the JSON formats or without `columns:`).
pub(super) fn columns_for(job: &LoadedRun, format: Format) -> Option<Vec<Column>> {
    match format {
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
    }
}

/// The columns a run's pages read into cells: all of `columns`, or with the company stamped
/// on each row those [`with_realm_column`] keeps after the company's.
fn plan_columns(columns: &[Column], stamp: bool) -> Vec<Column> {
    columns
        .iter()
        .filter(|c| !stamp || c.name != "realm_id")
        .cloned()
        .collect()
}

/// `columns` with `realm_id` first, for a run over several companies.
pub(super) fn with_realm_column(columns: Vec<Column>) -> Vec<Column> {
    let mut out = Vec::with_capacity(columns.len() + 1);
    if let Ok(path) = crate::extract::JsonPath::parse("$.realm_id") {
        out.push(Column {
            name: "realm_id".to_string(),
            path,
        });
    }
    out.extend(columns.into_iter().filter(|c| c.name != "realm_id"));
    out
}

/// `columns` with `window_start` and `window_end` first, for a report asked for in windows.
pub(super) fn with_window_columns(columns: Vec<Column>) -> Vec<Column> {
    let keys = crate::report::window::WINDOW_KEYS;
    let mut out = Vec::with_capacity(columns.len() + keys.len());
    for key in keys {
        if let Ok(path) = crate::extract::JsonPath::parse(&format!("$.{key}")) {
            out.push(Column {
                name: key.to_string(),
                path,
            });
        }
    }
    out.extend(
        columns
            .into_iter()
            .filter(|c| !keys.contains(&c.name.as_str())),
    );
    out
}

/// Which company a run is for, and whether its records carry `realm_id`.
#[derive(Debug, Clone, Copy, Default)]
struct Company<'a> {
    /// The company; `None`: the connection's default.
    realm: Option<&'a str>,
    /// Write `realm_id` first in every record (a run over several companies).
    stamp: bool,
}

/// Runs one loaded request to `destination`; saves its incremental state after success.
async fn run_loaded(
    job: &LoadedRun,
    connections: &Connections,
    format: Format,
    destination: &Destination,
    state_path: Option<&Path>,
    progress: &indicatif::ProgressBar,
    company: Company<'_>,
) -> Result<RunStats, Error> {
    let opened = connections
        .open(&job.connection, &job.connection_path, company.realm)
        .await?;
    let secrets: Vec<&Secret> = opened.secrets.iter().collect();
    let result = async {
        if job.request.write.is_some() {
            return super::write::run(
                job,
                &opened.session,
                &opened.client,
                format,
                destination,
                progress,
            )
            .await;
        }
        let mut vars = job.vars.clone();
        let mut state_file = None;
        let mut resumed = None;
        if let Some(incremental) = &job.request.incremental {
            let path = match state_path {
                Some(path) => path.to_path_buf(),
                None => state::default_path(&job.connection.name, &job.request.name)?,
            };
            let saved = state::load(&path)?;
            if let Some(saved) = &saved
                && !job.overridden.contains(&incremental.var)
            {
                tracing::info!(cursor = %saved.cursor, state = %path.display(), "resuming at the saved cursor");
                vars.insert(incremental.var.clone(), saved.cursor.clone());
                resumed = Some(saved.clone());
            }
            state_file = Some(path);
        }
        let rendered = RenderedRequest::render(
            &job.request,
            opened.session.connection(),
            opened.session.realm_id(),
            &vars,
        )?;
        if job.request.extract == Extract::Cdc {
            crate::cdc::check_url(&rendered.url)?;
        }
        let columns = columns_for(job, format);
        let cursor = job.request.incremental.as_ref().map(|i| &i.cursor);
        // Rows read into their cells hold the columns the output writes, less the company's
        // (the collector writes that cell). Windows are for reports, whose pages are read whole.
        let read_columns = columns
            .as_ref()
            .map(|columns| plan_columns(columns, company.stamp));
        let plan = Arc::new(match job.request.extract {
            Extract::Records => {
                PagePlan::new(&job.request.records, format, read_columns.as_deref(), cursor)
            }
            _ => PagePlan::whole(&job.request.records),
        });
        let columns = if job.request.window.is_some() {
            columns.map(with_window_columns)
        } else {
            columns
        };
        let columns = if company.stamp {
            columns.map(with_realm_column)
        } else {
            columns
        };
        let writer = RecordWriter::open(OutputSpec { format, columns }, destination)
            .map_err(|err| Error::output(err.to_string()))?;
        let mut collector = Collector {
            writer,
            realm: company.stamp.then_some(opened.session.realm_id()),
            cursor: cursor.map(|path| Cursor::new(path, resumed.as_ref())),
            progress,
            pages: 0,
        };
        let mut report_rows;
        let mut cdc_records;
        let mut cdc_answered_at = None;
        let sink: &mut dyn RecordSink = match job.request.extract {
            Extract::Report => {
                report_rows = ReportRows::new(&mut collector);
                &mut report_rows
            }
            Extract::Cdc => {
                cdc_records = crate::cdc::CdcRecords::new(&mut collector, &mut cdc_answered_at);
                &mut cdc_records
            }
            _ => &mut collector,
        };
        let mut stats = if let Some(window) = job.request.window {
            super::windows::run(
                job,
                window,
                &vars,
                &opened.session,
                &opened.client,
                &plan,
                &mut collector,
            )
            .await?
        } else if job.request.extract == Extract::Cdc {
            crate::cdc::run(&rendered, &opened.session, &opened.client, &plan, sink).await?
        } else {
            engine::run(&rendered, &opened.session, &opened.client, &plan, sink).await?
        };
        let written = collector
            .writer
            .finish()
            .map_err(|err| Error::output(err.to_string()))?;
        // A CDC run that saw no change still moves forward, to when QBO answered; otherwise a
        // quiet month would leave a cursor past QBO's 30-day look-back.
        let cursor = match collector.cursor.and_then(Cursor::finish) {
            Some(found) => Some(found),
            None => cdc_answered_at.map(|at| (at, Vec::new())),
        };
        if let (Some(path), Some((cursor, written_at_cursor))) = (state_file, cursor) {
            state::save(
                &path,
                &SavedState {
                    cursor,
                    saved_at: chrono::Utc::now(),
                    records: written,
                    written_at_cursor,
                },
            )?;
        }
        // What reached the output: report rows, CDC records, and records less those the last
        // run wrote at its cursor.
        stats.records = written;
        tracing::info!(request = %job.request.name, pages = stats.pages, records = written, extra_calls = stats.extra_calls, "done");
        Ok(stats)
    }
    .await;
    result.map_err(|e| redact_error(e, &secrets))
}

/// A progress line on stderr (records, pages, rate) when stderr is a terminal; hidden otherwise
/// and with `-q`.
fn progress_bar(name: &str) -> indicatif::ProgressBar {
    let quiet = !tracing::enabled!(tracing::Level::WARN);
    if quiet || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {prefix}: {human_pos} records, {msg} [{elapsed}]",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(name.to_string());
    bar.set_message("0 pages");
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Resolves when the process is asked to stop (Ctrl-C or SIGTERM).
pub(super) async fn stop_requested() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub(super) fn interrupted() -> Error {
    Error::new(
        ErrorKind::Interrupted,
        "interrupted; no output file was written and no state was saved",
    )
}

/// `qbo-run FILE`: one request to stdout or `--output` (for one company; several go through
/// `fanout.rs`).
pub(super) async fn run_single(options: RunOptions) -> Result<(), Error> {
    let mut job = load_run(
        &options.file,
        options.connection.as_deref(),
        &options.vars,
        false,
    )?;
    job.input = options.input.clone();
    if job.input.is_some() && job.request.write.is_none() {
        return Err(Error::usage(format!(
            "--input is for write requests; {} has no `input:`",
            options.file.display()
        )));
    }
    let format = options
        .format
        .or(job.request.format)
        .unwrap_or(Format::Json);
    if options.dry_run {
        if job.request.write.is_some() {
            return super::write::dry_run(&job, format);
        }
        return dry_run(&job.request, &job.connection, &job.vars, format);
    }
    let destination = options
        .output
        .clone()
        .map(Destination::File)
        .unwrap_or(Destination::Stdout);
    let company = Company {
        realm: one_realm(&options.companies),
        stamp: false,
    };
    let connections = Connections::default();
    let progress = progress_bar(&job.request.name);
    let result = tokio::select! {
        result = run_loaded(&job, &connections, format, &destination, options.state.as_deref(), &progress, company) => result.map(|_| ()),
        () = stop_requested() => Err(interrupted()),
    };
    progress.finish_and_clear();
    connections.shutdown().await;
    result
}

/// The one company a `--realm ID` names.
fn one_realm(companies: &Companies) -> Option<&str> {
    match companies {
        Companies::Realms(realms) if realms.len() == 1 => realms.first().map(String::as_str),
        _ => None,
    }
}

/// The outcome of one file (or one file for one company) of a run over several.
pub(super) struct Outcome {
    /// The request's name, with `@realm` when the run covers several companies.
    pub(super) name: String,
    /// `Ok(None)`: skipped (a write request runs alone, with its `--input`).
    pub(super) result: Result<Option<(RunStats, PathBuf)>, Error>,
    /// How long it took.
    pub(super) seconds: f64,
}

/// `qbo-run FILES... --output-dir DIR`: every request concurrently, each to its own file (with
/// several companies, `DIR/<realm_id>/<request>.<ext>` for each); one failure does not stop the
/// others; the exit code is the worst one.
pub(super) async fn run_many(options: ManyOptions) -> Result<i32, Error> {
    std::fs::create_dir_all(&options.output_dir).map_err(|err| {
        Error::output(format!(
            "cannot create output folder {}: {err}",
            options.output_dir.display()
        ))
    })?;
    let connections = Connections::default();
    let jobs = options.files.iter().map(|file| {
        let connections = &connections;
        let options = &options;
        async move {
            let started = Instant::now();
            let name = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            let failed = |error: Error| {
                vec![Outcome {
                    name: name.clone(),
                    result: Err(error),
                    seconds: started.elapsed().as_secs_f64(),
                }]
            };
            let job = match load_run(file, options.connection.as_deref(), &options.vars, true) {
                Ok(job) => job,
                Err(error) => return failed(error),
            };
            if job.request.write.is_some() {
                return vec![Outcome {
                    name,
                    result: Ok(None),
                    seconds: 0.0,
                }];
            }
            let format = options
                .format
                .or(job.request.format)
                .unwrap_or(Format::Json);
            let file_name = format!("{}.{}", job.request.name, format.as_str());
            if !options.companies.is_many() {
                let target = options.output_dir.join(&file_name);
                let company = Company {
                    realm: one_realm(&options.companies),
                    stamp: false,
                };
                let result = run_loaded(
                    &job,
                    connections,
                    format,
                    &Destination::File(target.clone()),
                    None,
                    &indicatif::ProgressBar::hidden(),
                    company,
                )
                .await
                .map(|stats| Some((stats, target)));
                return vec![Outcome {
                    name,
                    result,
                    seconds: started.elapsed().as_secs_f64(),
                }];
            }
            let realms = match connections
                .resolve(&job.connection, &job.connection_path)
                .await
            {
                Ok(resolved) => {
                    companies::select(&options.companies, &resolved.store, &job.connection.name)
                        .await
                }
                Err(error) => Err(error),
            };
            let realms = match realms {
                Ok(realms) => realms,
                Err(error) => return failed(error),
            };
            let runs = realms.iter().map(|realm| {
                let job = &job;
                let file_name = &file_name;
                let name = &name;
                async move {
                    let started = Instant::now();
                    let result = company_run(
                        job,
                        connections,
                        format,
                        &options.output_dir,
                        file_name,
                        realm,
                    )
                    .await;
                    Outcome {
                        name: format!("{name}@{realm}"),
                        result: result.map(Some),
                        seconds: started.elapsed().as_secs_f64(),
                    }
                }
            });
            futures::stream::iter(runs)
                .buffered(COMPANIES_AT_ONCE)
                .collect::<Vec<Outcome>>()
                .await
        }
    });
    let outcomes: Vec<Outcome> = tokio::select! {
        outcomes = futures::future::join_all(jobs) => outcomes.into_iter().flatten().collect(),
        () = stop_requested() => {
            connections.shutdown().await;
            return Err(interrupted());
        }
    };
    connections.shutdown().await;
    Ok(summarize(&outcomes, "request(s)"))
}

/// How many companies of one request run at once (each within its own limits).
pub(super) const COMPANIES_AT_ONCE: usize = 8;

/// One request for one of several companies, to `DIR/<realm_id>/<file_name>`, its incremental
/// state kept per company.
pub(super) async fn company_run(
    job: &LoadedRun,
    connections: &Connections,
    format: Format,
    dir: &Path,
    file_name: &str,
    realm: &str,
) -> Result<(RunStats, PathBuf), Error> {
    let folder = dir.join(realm);
    std::fs::create_dir_all(&folder).map_err(|err| {
        Error::output(format!(
            "cannot create output folder {}: {err}",
            folder.display()
        ))
    })?;
    let target = folder.join(file_name);
    let stats = run_loaded(
        job,
        connections,
        format,
        &Destination::File(target.clone()),
        company_state(job, realm)?.as_deref(),
        &indicatif::ProgressBar::hidden(),
        Company {
            realm: Some(realm),
            stamp: true,
        },
    )
    .await?;
    Ok((stats, target))
}

/// One request for company `realm` of several to `destination`, records stamped with
/// `realm_id`.
pub(super) async fn run_for_company(
    job: &LoadedRun,
    connections: &Connections,
    format: Format,
    destination: &Destination,
    state: Option<&Path>,
    realm: &str,
) -> Result<RunStats, Error> {
    run_loaded(
        job,
        connections,
        format,
        destination,
        state,
        &indicatif::ProgressBar::hidden(),
        Company {
            realm: Some(realm),
            stamp: true,
        },
    )
    .await
}

/// Where the incremental state of `job` for company `realm` is kept, when it has any.
pub(super) fn company_state(job: &LoadedRun, realm: &str) -> Result<Option<PathBuf>, Error> {
    match &job.request.incremental {
        Some(_) => Ok(Some(state::company_path(
            &job.connection.name,
            realm,
            &job.request.name,
        )?)),
        None => Ok(None),
    }
}

/// [`summarize`] as one JSON line on stderr, for pipelines that read `--log-format json`.
fn summarize_json(outcomes: &[Outcome], what: &str) -> i32 {
    let mut worst = 0;
    let runs: Vec<Value> = outcomes
        .iter()
        .map(|outcome| match &outcome.result {
            Ok(None) => serde_json::json!({"name": outcome.name, "status": "skipped"}),
            Ok(Some((stats, target))) => serde_json::json!({
                "name": outcome.name,
                "status": "ok",
                "records": stats.records,
                "pages": stats.pages,
                "seconds": (outcome.seconds * 1000.0).round() / 1000.0,
                "output": target.display().to_string(),
            }),
            Err(error) => {
                let code = error.kind().exit_code();
                worst = worst.max(code);
                serde_json::json!({
                    "name": outcome.name,
                    "status": "failed",
                    "exit": code,
                    "error": error.message(),
                    "notes": error.notes(),
                })
            }
        })
        .collect();
    let failed = runs.iter().filter(|r| r["status"] == "failed").count();
    let line = serde_json::json!({
        "level": if failed > 0 { "ERROR" } else { "INFO" },
        "message": "summary",
        "what": what,
        "succeeded": runs.iter().filter(|r| r["status"] == "ok").count(),
        "failed": failed,
        "runs": runs,
    });
    let _ = writeln!(std::io::stderr().lock(), "{line}");
    worst
}

/// Prints what each run did (failures rendered whole) and returns the worst exit code;
/// `what` names the runs in the summary line (`request(s)`, `compan(ies)`).
pub(super) fn summarize(outcomes: &[Outcome], what: &str) -> i32 {
    if super::logging::json_logs() {
        return summarize_json(outcomes, what);
    }
    let mut stderr = std::io::stderr().lock();
    let failed = outcomes.iter().filter(|o| o.result.is_err()).count();
    for outcome in outcomes {
        if let Err(error) = &outcome.result {
            let _ = writeln!(stderr, "{}:", outcome.name);
            let _ = stderr.write_all(diagnostics::render(error).as_bytes());
        }
    }
    let width = outcomes.iter().map(|o| o.name.len()).max().unwrap_or(0);
    let skipped = outcomes
        .iter()
        .filter(|o| matches!(o.result, Ok(None)))
        .count();
    let _ = writeln!(
        stderr,
        "summary: {} of {} {what} succeeded{}{}",
        outcomes.len() - failed - skipped,
        outcomes.len() - skipped,
        if skipped > 0 {
            format!(", {skipped} write request(s) skipped")
        } else {
            String::new()
        },
        if failed > 0 {
            format!(
                "; failed: {}",
                outcomes
                    .iter()
                    .filter(|o| o.result.is_err())
                    .map(|o| o.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            String::new()
        }
    );
    let mut worst = 0;
    for outcome in outcomes {
        match &outcome.result {
            Ok(None) => {
                let _ = writeln!(
                    stderr,
                    "  skipped {:<width$}  a write request: run it alone with --input PATH",
                    outcome.name
                );
            }
            Ok(Some((stats, target))) => {
                let _ = writeln!(
                    stderr,
                    "  ok      {:<width$}  {:>8} records  {:>4} pages  {:>7.2} s  {}",
                    outcome.name,
                    stats.records,
                    stats.pages,
                    outcome.seconds,
                    target.display()
                );
            }
            Err(error) => {
                let code = error.kind().exit_code();
                worst = worst.max(code);
                let _ = writeln!(
                    stderr,
                    "  FAILED  {:<width$}  exit {code}  {}",
                    outcome.name,
                    error.message()
                );
            }
        }
    }
    worst
}

fn dry_run(
    request: &RequestSpec,
    connection_spec: &ConnectionSpec,
    vars: &render::VarValues,
    format: Format,
) -> Result<(), Error> {
    let connection = ResolvedConnection::resolve(connection_spec, None)?;
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
    let mut windows = None;
    let rendered = match request.window {
        Some(window) => {
            let (start, end) = super::windows::range(request, window, vars)?;
            let spans: Vec<_> = crate::report::window::split(start, end, window.every).collect();
            let first = spans
                .first()
                .copied()
                .ok_or_else(|| Error::usage("no window to ask for"))?;
            let rendered = RenderedRequest::render(
                request,
                &connection,
                &realm,
                &super::windows::window_vars(vars, first),
            )?;
            windows = Some((window, spans));
            rendered
        }
        None => RenderedRequest::render(request, &connection, &realm, vars)?,
    };
    if request.extract == Extract::Cdc {
        crate::cdc::check_url(&rendered.url)?;
    }
    let call = rendered.call(1);
    let mut out = String::new();
    out.push_str(&format!(
        "# {} via connection `{}` ({}){}\n",
        request.file.path().display(),
        connection.name,
        connection.environment.as_str(),
        if connection.environment == Environment::Emulator && !connection_spec.has("base_url") {
            "; the emulator's port is chosen when it starts"
        } else {
            ""
        }
    ));
    out.push_str(&format!("{} {}\n", call.method, call.url));
    out.push_str("Authorization: Bearer ***\nAccept: application/json\n");
    for (name, value) in &call.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    if let Some((content_type, body)) = &call.body {
        out.push_str(&format!("Content-Type: {content_type}\n\n{body}\n"));
    }
    if let Some(paging) = &rendered.paging {
        out.push_str(&format!("# statement: {}\n", paging.page_statement(1)));
        let step = u64::from(paging.page_size).saturating_sub(1).max(1);
        out.push_str(&format!(
            "# then STARTPOSITION {}, {}, ... MAXRESULTS {} (pages overlap by one record) until a page has fewer than {} records\n",
            1 + step,
            1 + 2 * step,
            paging.page_size,
            paging.page_size
        ));
    }
    if let Some((window, spans)) = &windows
        && let (Some(first), Some(last)) = (spans.first(), spans.last())
    {
        out.push_str(&format!(
            "# window: {} windows of one {} each ({} at once), from {} to {} (shown above) through {} to {}; rows start with window_start, window_end\n",
            spans.len(),
            window.every.as_str(),
            window.concurrency,
            first.0,
            first.1,
            last.0,
            last.1
        ));
    }
    out.push_str(&format!("# output: {format}\n"));
    let secrets = [&connection.oauth.client_secret];
    let out = redact(&out, &secrets);
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}
