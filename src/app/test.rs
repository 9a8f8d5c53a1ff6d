//! `qbo-run test`: request files run offline against their cassettes (a [`Replayer`] on
//! loopback answers in QBO's place), and `--record`, which runs them against their company
//! through a [`Recorder`] and writes the cassette and the expected output. Each run is the real
//! binary in a child process with a connection file pointing at the loopback server, so what is
//! tested is exactly what a run sends.

use super::{connect, files, job};
use crate::cassette::{
    self, Cassette, Expect, Interaction, Outcome, Recorder, Replayer, Scrubber, cassette_path,
};
use crate::cli::{RecordArgs, TestCommand};
use crate::diagnostics::{Error, ErrorKind};
use crate::output::Format;
use crate::spec::RequestSpec;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The exit code of a `qbo-run test` with failed tests.
pub const TESTS_FAILED: i32 = 8;

pub(super) async fn test(command: TestCommand) -> Result<i32, Error> {
    let files = files::yaml_files(&command.files)?;
    if files.is_empty() {
        return Err(Error::usage("no request files to test"));
    }
    if let Some(record) = &command.record {
        for file in &files {
            record_one(file, record, files.len() > 1).await?;
        }
        return Ok(0);
    }
    let mut outcomes = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for file in &files {
        let started = Instant::now();
        let failures = match replay_one(file).await {
            Ok(failures) => failures,
            Err(error) => vec![crate::diagnostics::render(&error)],
        };
        let outcome = Outcome {
            name: file.display().to_string(),
            failures,
            duration: started.elapsed(),
        };
        let mut text = format!(
            "{}  {}\n",
            if outcome.failures.is_empty() {
                "ok  "
            } else {
                "FAIL"
            },
            outcome.name
        );
        for failure in &outcome.failures {
            for line in failure.trim_end().lines() {
                text.push_str(&format!("      {line}\n"));
            }
        }
        let _ = stdout.write_all(text.as_bytes());
        outcomes.push(outcome);
    }
    let failed = outcomes.iter().filter(|o| !o.failures.is_empty()).count();
    let _ = writeln!(
        stdout,
        "qbo-run test: {} passed, {failed} failed",
        outcomes.len() - failed
    );
    if let Some(path) = &command.junit {
        std::fs::write(path, cassette::junit_xml(&outcomes)?)
            .map_err(|err| Error::output(format!("cannot write {}: {err}", path.display())))?;
    }
    Ok(if failed > 0 { TESTS_FAILED } else { 0 })
}

/// A temporary folder for one child run: its connection file, output, state and data folder.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Result<Scratch, Error> {
        let dir = tempfile::tempdir()
            .map_err(|err| Error::output(format!("cannot make a temporary folder: {err}")))?;
        std::fs::create_dir_all(dir.path().join("connections"))
            .map_err(|err| Error::output(format!("cannot make a temporary folder: {err}")))?;
        Ok(Scratch { dir })
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn write(&self, relative: &str, text: &str) -> Result<PathBuf, Error> {
        let path = self.path(relative);
        std::fs::write(&path, text)
            .map_err(|err| Error::output(format!("cannot write {}: {err}", path.display())))?;
        Ok(path)
    }
}

/// What a child run is given.
struct ChildRun<'a> {
    file: &'a Path,
    connection: &'a Path,
    output: &'a Path,
    state: Option<&'a Path>,
    vars: Vec<(String, String)>,
    input: Option<PathBuf>,
    home: Option<&'a Path>,
    /// The books' "now" of the run (`QBO_RUN_NOW`); `None` for the real clock.
    now: Option<String>,
}

/// Runs the request file with this binary; its exit code and stderr.
async fn run_child(run: ChildRun<'_>) -> Result<(i32, String), Error> {
    let exe = std::env::current_exe()
        .map_err(|err| Error::new(ErrorKind::Internal, format!("cannot find qbo-run: {err}")))?;
    let mut command = tokio::process::Command::new(exe);
    command
        .arg(run.file)
        .arg("--connection")
        .arg(run.connection)
        .arg("--output")
        .arg(run.output)
        .arg("-q")
        .env_remove("QBO_RUN_LOG")
        .stdin(std::process::Stdio::null());
    if let Some(state) = run.state {
        command.arg("--state").arg(state);
    }
    for (name, value) in &run.vars {
        command.arg("--var").arg(format!("{name}={value}"));
    }
    if let Some(input) = &run.input {
        command.arg("--input").arg(input);
    }
    match &run.now {
        Some(now) => command.env(crate::clock::NOW_ENV, now),
        None => command.env_remove(crate::clock::NOW_ENV),
    };
    if let Some(home) = run.home {
        command
            .env("QBO_RUN_HOME", home)
            .env_remove("QBO_RUN_STORE");
    }
    let output = command
        .output()
        .await
        .map_err(|err| Error::new(ErrorKind::Internal, format!("cannot run qbo-run: {err}")))?;
    Ok((
        output.status.code().unwrap_or(1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

fn format_of(request: &RequestSpec) -> Format {
    request.format.unwrap_or(Format::Json)
}

/// `connection_text` with its `base_url` pointing at `base_url` instead.
fn pointed_at(connection_text: &str, base_url: &str) -> String {
    let mut out: String = connection_text
        .lines()
        .filter(|line| !line.starts_with("base_url:"))
        .map(|line| format!("{line}\n"))
        .collect();
    out.push_str(&format!("base_url: \"{base_url}\"\n"));
    out
}

async fn record_one(file: &Path, args: &RecordArgs, several: bool) -> Result<(), Error> {
    let loaded = job::load_run(file, args.connection.as_deref(), &args.vars, several)?;
    let format = format_of(&loaded.request);
    let (resolved, emulator) = connect::resolve_live(&loaded.connection).await?;
    let in_process = emulator.is_some();
    let outcome = record_through(file, args, &loaded, &resolved, format, in_process).await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    let (cassette, expected) = outcome?;
    let path = cassette_path(file);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|err| Error::output(format!("cannot create {}: {err}", dir.display())))?;
    if let Some(name) = &cassette.expect.output {
        let expected_path = dir.join(name);
        std::fs::write(&expected_path, &expected).map_err(|err| {
            Error::output(format!("cannot write {}: {err}", expected_path.display()))
        })?;
    }
    let comment = format!(
        "Recorded by `qbo-run test --record` from connection `{}`; tokens, secrets, Authorization,\n\
         realm ids and intuit_tids are scrubbed. `expect` may be edited (records, columns, paths:\n\
         - {{ path: JSONPath, equals: VALUE, exists: true|false }}); recording again keeps `paths`.",
        resolved.name
    );
    std::fs::write(&path, cassette.to_text(&comment)?)
        .map_err(|err| Error::output(format!("cannot write {}: {err}", path.display())))?;
    writeln!(
        std::io::stdout(),
        "recorded {} ({} calls, {} records)",
        path.display(),
        cassette.interactions.len(),
        cassette.expect.records.unwrap_or(0)
    )
    .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}

async fn record_through(
    file: &Path,
    args: &RecordArgs,
    loaded: &job::LoadedRun,
    resolved: &crate::connection::ResolvedConnection,
    format: Format,
    in_process: bool,
) -> Result<(Cassette, String), Error> {
    let mut upstream = resolved.base_url.clone();
    upstream.set_path("");
    upstream.set_query(None);
    let recorder = Recorder::start(&upstream).await?;
    let now = recording_now(loaded);
    let scratch = Scratch::new()?;
    let text = std::fs::read_to_string(&loaded.connection_path).map_err(|err| {
        Error::file(format!(
            "cannot read {}: {err}",
            loaded.connection_path.display()
        ))
    })?;
    let connection = scratch.write(
        &format!("connections/{}.yaml", loaded.connection.name),
        &pointed_at(&text, &recorder.base_url()),
    )?;
    let output = scratch.path(&format!("output.{}", format.as_str()));
    let state = scratch.path("state.json");
    let home = scratch.path("home");
    let vars: Vec<(String, String)> = args
        .vars
        .iter()
        .filter(|(name, _)| loaded.request.vars.iter().any(|v| &v.name == name))
        .cloned()
        .collect();
    let run = run_child(ChildRun {
        file,
        connection: &connection,
        output: &output,
        state: loaded.request.incremental.as_ref().map(|_| state.as_path()),
        vars: vars.clone(),
        input: args.input.clone(),
        // An in-process emulator is new for this recording: its tokens are kept apart.
        home: in_process.then_some(home.as_path()),
        now: Some(now.clone()),
    })
    .await;
    let exchanges = recorder.finish().await;
    let (code, stderr) = run?;
    if code != 0 {
        return Err(Error::new(
            ErrorKind::Remote,
            format!("the run to record failed (exit code {code})"),
        )
        .note(stderr.trim_end().to_string()));
    }
    let mut scrubber = Scrubber::default();
    scrubber.secret(resolved.oauth.client_secret.expose());
    if let Some(realm) = &resolved.realm_id {
        scrubber.realm(realm);
    }
    for exchange in &exchanges {
        if let Some(bearer) = &exchange.bearer {
            scrubber.secret(bearer);
        }
        if let Some(tid) = exchange.interaction.response.headers.get("intuit_tid") {
            scrubber.secret(tid);
        }
        if let Some(rest) = exchange
            .interaction
            .request
            .path
            .strip_prefix("/v3/company/")
        {
            scrubber.realm(rest.split('/').next().unwrap_or(""));
        }
    }
    let interactions: Vec<Interaction> = exchanges
        .iter()
        .map(|e| scrubber.interaction(&e.interaction))
        .collect();
    let produced = std::fs::read_to_string(&output)
        .map_err(|err| Error::output(format!("cannot read the run's output: {err}")))?;
    let produced = scrubber.text(&produced);
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "request".into());
    let previous = Cassette::load(&cassette_path(file)).ok();
    let mut expect = Expect {
        output: Some(format!("{stem}.expected.{}", format.as_str())),
        paths: previous.map(|c| c.expect.paths).unwrap_or_default(),
        ..Expect::default()
    };
    let (records, columns) = cassette::summary(format, &produced)
        .map_err(|message| Error::new(ErrorKind::Internal, message))?;
    expect.records = Some(records);
    expect.columns = Some(columns);
    let request_dir = file.parent().unwrap_or_else(|| Path::new(""));
    let input = args
        .input
        .as_ref()
        .map(|input| match input.strip_prefix(request_dir) {
            Ok(relative) if !request_dir.as_os_str().is_empty() => {
                format!("../{}", relative.display())
            }
            _ => std::path::absolute(input)
                .unwrap_or_else(|_| input.clone())
                .display()
                .to_string(),
        });
    let cassette = Cassette {
        request: format!("../{stem}.yaml"),
        vars: vars.into_iter().collect(),
        input,
        now: Some(now),
        expect,
        interactions,
    };
    Ok((cassette, produced))
}

/// The books' "now" a recording runs at, kept in the cassette so a replay on any later day
/// renders the same requests: the company's own clock when it stands still (an emulator
/// connection with `emulator.now`), else [`crate::clock::now`] (`QBO_RUN_NOW` or the real clock).
fn recording_now(loaded: &job::LoadedRun) -> String {
    let connection = &loaded.connection;
    connection
        .emulator
        .now
        .clone()
        .filter(|_| connection.environment == crate::spec::Environment::Emulator)
        .unwrap_or_else(|| crate::clock::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Replays `file`'s cassette; the failures, empty when the test passed.
async fn replay_one(file: &Path) -> Result<Vec<String>, Error> {
    let path = cassette_path(file);
    if !path.is_file() {
        return Ok(vec![format!(
            "no cassette at {}: record one with `qbo-run test --record {} --connection NAME`",
            path.display(),
            file.display()
        )]);
    }
    let cassette = Cassette::load(&path)?;
    let request = RequestSpec::load(file)?;
    let format = format_of(&request);
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let replayer = Replayer::start(cassette.interactions.clone()).await?;
    let scratch = Scratch::new()?;
    let connection = scratch.write(
        "connections/replay.yaml",
        &format!(
            "environment: emulator\nbase_url: \"{}\"\n",
            replayer.base_url()
        ),
    )?;
    let output = scratch.path(&format!("output.{}", format.as_str()));
    let state = scratch.path("state.json");
    let home = scratch.path("home");
    let run = run_child(ChildRun {
        file,
        connection: &connection,
        output: &output,
        state: request.incremental.as_ref().map(|_| state.as_path()),
        vars: cassette.vars.clone().into_iter().collect(),
        input: cassette.input.as_ref().map(|input| dir.join(input)),
        home: Some(&home),
        now: cassette.now.clone(),
    })
    .await;
    let report = replayer.finish().await;
    let (code, stderr) = run?;
    let mut failures = Vec::new();
    for unmatched in report.unmatched.iter().take(5) {
        failures.push(match &unmatched.nearest {
            Some(nearest) => format!(
                "the request differs from the recorded one:\n{}",
                cassette::diff(&nearest.describe(), &unmatched.request.describe(), 40)
            ),
            None => format!(
                "the run sent a request the cassette has none like (same method and path):\n{}",
                unmatched.request.describe()
            ),
        });
    }
    if report.unmatched.is_empty() {
        for unused in report.unused.iter().take(5) {
            failures.push(format!(
                "a recorded request was not sent:\n{}",
                unused.describe()
            ));
        }
    }
    if code != 0 {
        if report.unmatched.is_empty() {
            failures.push(format!(
                "the run failed (exit code {code}):\n{}",
                stderr.trim_end()
            ));
        }
        return Ok(failures);
    }
    let produced = std::fs::read_to_string(&output)
        .map_err(|err| Error::output(format!("cannot read the run's output: {err}")))?;
    let expected = match &cassette.expect.output {
        Some(name) => Some((
            name.clone(),
            std::fs::read_to_string(dir.join(name)).map_err(|err| {
                Error::file(format!(
                    "cannot read the expected output {}: {err}",
                    dir.join(name).display()
                ))
            })?,
        )),
        None => None,
    };
    failures.extend(cassette::check_output(
        format,
        &produced,
        &cassette.expect,
        expected.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
    ));
    Ok(failures)
}
