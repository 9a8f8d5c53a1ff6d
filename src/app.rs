//! Wires the stages together for each command. This is the only module that knows the whole
//! flow; each stage it calls owns one step and hands its own type to the next.

use crate::auth::Session;
use crate::cli::{AuthCommand, Cli, Command, RunOptions, Verbosity};
use crate::connection::{self, ResolvedConnection};
use crate::diagnostics::{self, Error, ErrorKind};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::engine;
use crate::http::{self, RetryPolicy};
use crate::output::{Column, Destination, Format, OutputSpec, RecordWriter};
use crate::render::{self, RenderedRequest};
use crate::secret::{Secret, redact};
use crate::spec::{ConnectionSpec, EmulatorSettings, Environment, RequestSpec, SourceFile};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

/// Runs the command line and returns the process exit code; the one error, if any, is rendered
/// on stderr.
pub fn main(cli: Cli) -> i32 {
    init_logging(cli.verbosity());
    let result = cli.into_command().and_then(|command| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|err| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot start the async runtime: {err}"),
                )
            })?;
        runtime.block_on(dispatch(command))
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            let _ = std::io::stderr().write_all(diagnostics::render(&error).as_bytes());
            error.kind().exit_code()
        }
    }
}

fn init_logging(verbosity: Verbosity) {
    let level = if verbosity.quiet {
        "error"
    } else {
        match verbosity.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = std::env::var("QBO_RUN_LOG")
        .ok()
        .and_then(|spec| tracing_subscriber::EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(format!("warn,qbo_run={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

async fn dispatch(command: Command) -> Result<i32, Error> {
    match command {
        Command::Run(options) => run(options).await.map(|()| 0),
        Command::Check(paths) => check(&paths),
        Command::List(dir) => list(&dir).map(|()| 0),
        Command::Auth(auth) => auth_command(auth).await.map(|()| 0),
        Command::Emulator(args) => {
            let addr = args.addr().map_err(Error::usage)?;
            crate::emulator::serve_until_ctrl_c(args.config(), addr)
                .await
                .map_err(|err| {
                    Error::new(
                        ErrorKind::Output,
                        format!("emulator: cannot serve on {addr}: {err}"),
                    )
                })?;
            Ok(0)
        }
    }
}

/// The emulator configuration a connection file asks for.
pub fn emulator_config(settings: &EmulatorSettings) -> EmulatorConfig {
    let mut config = EmulatorConfig::default();
    if let Some(seed) = settings.seed {
        config.seed = seed;
    }
    if let Some(n) = settings.invoices {
        config.invoices = n;
    }
    if let Some(n) = settings.customers {
        config.customers = n;
    }
    if let Some(n) = settings.vendors {
        config.vendors = n;
    }
    if let Some(n) = settings.items {
        config.items = n;
    }
    if let Some(seconds) = settings.access_token_ttl {
        config.access_token_ttl = std::time::Duration::from_secs(seconds);
    }
    config
}

/// Request file and connection file of a run, loaded and checked.
struct LoadedRun {
    request: RequestSpec,
    connection: ConnectionSpec,
    vars: render::VarValues,
}

fn load_run(options: &RunOptions) -> Result<LoadedRun, Error> {
    let request = RequestSpec::load(&options.file)?;
    let vars = render::resolve_vars(&request, &options.vars)?;
    let name = options
        .connection
        .clone()
        .or_else(|| request.connection.clone())
        .ok_or_else(|| {
            Error::file(format!(
                "{} names no connection",
                options.file.display()
            ))
            .note("add `connection: NAME` to the file, or pass --connection NAME (e.g. --connection emulator)")
        })?;
    let path = connection::locate(&name, options.file.parent())?;
    let connection = ConnectionSpec::load(&path)?;
    if connection.literal_secret {
        tracing::warn!(
            "{} writes oauth2.client_secret literally; take it from the environment instead (\"{{{{ env.QBO_CLIENT_SECRET }}}}\")",
            path.display()
        );
    }
    Ok(LoadedRun {
        request,
        connection,
        vars,
    })
}

async fn run(options: RunOptions) -> Result<(), Error> {
    let LoadedRun {
        mut request,
        connection: connection_spec,
        vars,
    } = load_run(&options)?;
    let format = options.format.or(request.format).unwrap_or(Format::Json);
    if options.dry_run {
        return dry_run(&request, &connection_spec, &vars, format);
    }
    let emulator = start_emulator_if_needed(&connection_spec).await?;
    let origin = emulator
        .as_ref()
        .map(|e| url::Url::parse(&e.base_url()))
        .transpose()
        .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))?;
    let result = async {
        let connection = ResolvedConnection::resolve(&connection_spec, origin.as_ref())?;
        let http = http::client()?;
        let secret = connection.oauth.client_secret.clone();
        let session = Session::open(connection, http.clone())
            .await
            .map_err(|e| redact_error(e, &[&secret]))?;
        let secrets = session.secrets().await;
        let redact_all = |e: Error| redact_error(e, &secrets.iter().collect::<Vec<_>>());
        let rendered = RenderedRequest::render(&request, session.connection(), session.realm_id(), &vars)?;
        let columns = match format {
            Format::Csv => request.columns.take().map(|columns| {
                columns
                    .into_iter()
                    .map(|(name, path)| Column { name, path })
                    .collect()
            }),
            _ => None,
        };
        let destination = options
            .output
            .clone()
            .map(Destination::File)
            .unwrap_or(Destination::Stdout);
        let mut writer = RecordWriter::open(OutputSpec { format, columns }, &destination)
            .map_err(|err| Error::output(err.to_string()))?;
        let policy = RetryPolicy::default();
        let stats = tokio::select! {
            stats = engine::run(&rendered, &session, &request.records, &mut writer, &policy, &http) => stats.map_err(redact_all)?,
            _ = tokio::signal::ctrl_c() => {
                return Err(Error::new(ErrorKind::Interrupted, "interrupted; no output file was written"));
            }
        };
        let written = writer.finish().map_err(|err| Error::output(err.to_string()))?;
        tracing::info!(pages = stats.pages, records = written, "done");
        Ok(())
    }
    .await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    result
}

fn redact_error(error: Error, secrets: &[&Secret]) -> Error {
    error.map_text(|text| redact(text, secrets))
}

async fn start_emulator_if_needed(spec: &ConnectionSpec) -> Result<Option<Emulator>, Error> {
    if spec.environment != Environment::Emulator || spec.has("base_url") {
        return Ok(None);
    }
    let config = emulator_config(&spec.emulator);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let emulator = Emulator::start(config, addr).await.map_err(|err| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot start the built-in emulator: {err}"),
        )
    })?;
    tracing::info!(base_url = %emulator.base_url(), "built-in emulator started");
    Ok(Some(emulator))
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
            crate::auth::TokenStore::for_connection(&connection.name)
                .ok()
                .and_then(|store| store.realms().into_iter().next())
        })
        .unwrap_or_else(|| "REALM_ID".to_string());
    let rendered = RenderedRequest::render(request, &connection, &realm, vars)?;
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
        out.push_str(&format!(
            "# then STARTPOSITION {}, {}, ... MAXRESULTS {} until a page has fewer than {} records\n",
            1 + u64::from(paging.page_size),
            1 + 2 * u64::from(paging.page_size),
            paging.page_size,
            paging.page_size
        ));
    }
    out.push_str(&format!("# output: {format}\n"));
    let secrets = [&connection.oauth.client_secret];
    let out = redact(&out, &secrets);
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}

/// The YAML files named by `paths` (folders expanded one level, sorted).
fn yaml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|err| {
                    Error::file(format!("cannot read folder {}: {err}", path.display()))
                })?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(Error::file(format!("{} does not exist", path.display())));
        }
    }
    Ok(files)
}

fn is_connection_file(file: &SourceFile) -> bool {
    let in_connections = file
        .path()
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|name| name == "connections");
    let keys = file.top_level_keys();
    if keys.contains(&"path") {
        return false;
    }
    in_connections
        || keys
            .iter()
            .any(|k| matches!(*k, "environment" | "oauth2" | "base_url" | "realm_id"))
}

fn check(paths: &[PathBuf]) -> Result<i32, Error> {
    let files = yaml_files(paths)?;
    let mut failed = 0usize;
    let mut stdout = std::io::stdout().lock();
    for path in &files {
        let outcome = (|| -> Result<String, Error> {
            let file = SourceFile::read(path)?;
            if is_connection_file(&file) {
                let spec = ConnectionSpec::from_file(file)?;
                Ok(format!("connection, {}", spec.environment.as_str()))
            } else {
                let spec = RequestSpec::from_file(file)?;
                match &spec.connection {
                    Some(name) => {
                        let conn_path = connection::locate(name, path.parent())?;
                        ConnectionSpec::load(&conn_path)?;
                        Ok(format!("request, connection `{name}`"))
                    }
                    None => Ok("request".to_string()),
                }
            }
        })();
        match outcome {
            Ok(what) => {
                let _ = writeln!(stdout, "ok    {} ({what})", path.display());
            }
            Err(error) => {
                failed += 1;
                let _ = writeln!(stdout, "FAIL  {}", path.display());
                let _ = std::io::stderr().write_all(diagnostics::render(&error).as_bytes());
            }
        }
    }
    let _ = writeln!(
        stdout,
        "{} file(s) checked, {} with errors",
        files.len(),
        failed
    );
    Ok(if failed > 0 {
        ErrorKind::File.exit_code()
    } else {
        0
    })
}

fn list(dir: &Path) -> Result<(), Error> {
    let files = yaml_files(&[dir.to_path_buf()])?;
    let mut out = String::new();
    let width = files
        .iter()
        .filter_map(|p| p.file_stem())
        .map(|s| s.to_string_lossy().chars().count())
        .max()
        .unwrap_or(0);
    for path in &files {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match RequestSpec::load(path) {
            Ok(spec) => {
                out.push_str(&format!(
                    "{name:<width$}  {}\n",
                    spec.description.as_deref().unwrap_or("")
                ));
                for var in &spec.vars {
                    let default = var
                        .default
                        .as_deref()
                        .map(|d| format!("={d}"))
                        .unwrap_or_else(|| "=<required>".to_string());
                    out.push_str(&format!(
                        "{:width$}    --var {}{default}  {}\n",
                        "",
                        var.name,
                        var.description.as_deref().unwrap_or("")
                    ));
                }
            }
            Err(error) => {
                out.push_str(&format!("{name:<width$}  (invalid: {})\n", error.message()));
            }
        }
    }
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}

async fn auth_command(command: AuthCommand) -> Result<(), Error> {
    let name = match &command {
        AuthCommand::Login { connection, .. } => connection,
        AuthCommand::Status(connection)
        | AuthCommand::Logout(connection)
        | AuthCommand::Refresh(connection)
        | AuthCommand::Revoke(connection)
        | AuthCommand::Test(connection) => connection,
    };
    let spec = ConnectionSpec::load(&connection::locate(name, None)?)?;
    let mut out = std::io::stdout().lock();
    match command {
        AuthCommand::Login { mode, timeout, .. } => {
            let emulator = start_emulator_if_needed(&spec).await?;
            let origin = emulator
                .as_ref()
                .map(|e| url::Url::parse(&e.base_url()))
                .transpose()
                .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))?;
            let result = async {
                let connection = ResolvedConnection::resolve(&spec, origin.as_ref())?;
                let http = http::client()?;
                let store = crate::auth::TokenStore::for_connection(&connection.name)?;
                let oauth = crate::auth::OAuthServer::new(connection.oauth.clone(), http.clone());
                let tokens = if connection.consents_automatically() {
                    crate::auth::login_automatically(&connection, &oauth, &http, &store).await?
                } else {
                    let (code, realm, login) = crate::auth::obtain_code(
                        &oauth,
                        &connection.oauth.redirect_uri,
                        mode,
                        timeout,
                    )
                    .await?;
                    let realm = realm
                        .or_else(|| connection.realm_id.clone())
                        .ok_or_else(|| {
                            Error::new(
                                ErrorKind::Remote,
                                "the callback carried no realmId; set realm_id in the connection",
                            )
                        })?;
                    let grant = oauth.exchange_code(&code, login.pkce_verifier).await?;
                    let tokens = crate::auth::StoredTokens::new(&connection.name, &realm, grant);
                    store.save(&tokens)?;
                    tokens
                };
                let _ = writeln!(
                    out,
                    "logged in: connection `{}`, company {}; tokens stored in {}",
                    connection.name,
                    tokens.realm_id,
                    store.path(&tokens.realm_id).display()
                );
                Ok(())
            }
            .await;
            if let Some(emulator) = emulator {
                emulator.shutdown().await;
            }
            result
        }
        AuthCommand::Status(_) => {
            let store = crate::auth::TokenStore::for_connection(&spec.name)?;
            let realms = store.realms();
            if realms.is_empty() {
                return Err(Error::new(
                    ErrorKind::AuthNeedsLogin,
                    format!("connection `{}` has no stored tokens", spec.name),
                )
                .note(format!("run: qbo-run auth login {}", spec.name)));
            }
            for realm in realms {
                let Some(tokens) = store.load(&realm)? else {
                    continue;
                };
                let when = |at: chrono::DateTime<chrono::Utc>| {
                    let left = crate::auth::seconds_until(at);
                    if left <= 0 {
                        format!("{} (expired)", at.to_rfc3339())
                    } else {
                        format!("{} (in {})", at.to_rfc3339(), human_duration(left))
                    }
                };
                let _ = writeln!(out, "connection:     {}", tokens.connection);
                let _ = writeln!(out, "company:        {}", tokens.realm_id);
                let _ = writeln!(
                    out,
                    "access token:   expires {}",
                    when(tokens.access_token_expires_at)
                );
                if let Some(at) = tokens.refresh_token_expires_at {
                    let warn = if crate::auth::seconds_until(at) < 14 * 86_400 {
                        "  WARNING: log in again soon"
                    } else {
                        ""
                    };
                    let _ = writeln!(out, "refresh token:  expires {}{warn}", when(at));
                }
                if let Some(at) = tokens.refresh_token_hard_expires_at {
                    let _ = writeln!(out, "hard expiry:    {}", when(at));
                }
                if tokens.needs_login {
                    let _ = writeln!(
                        out,
                        "state:          needs a login (qbo-run auth login {})",
                        spec.name
                    );
                }
            }
            Ok(())
        }
        AuthCommand::Refresh(_) | AuthCommand::Revoke(_) | AuthCommand::Test(_) => {
            let emulator = start_emulator_if_needed(&spec).await?;
            let origin = emulator
                .as_ref()
                .map(|e| url::Url::parse(&e.base_url()))
                .transpose()
                .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))?;
            let result = async {
                let connection = ResolvedConnection::resolve(&spec, origin.as_ref())?;
                let http = http::client()?;
                let secret = connection.oauth.client_secret.clone();
                let session = Session::open(connection, http.clone())
                    .await
                    .map_err(|e| redact_error(e, &[&secret]))?;
                match command {
                    AuthCommand::Refresh(_) => {
                        let tokens = session.refresh_now().await?;
                        let _ = writeln!(
                            out,
                            "refreshed: access token valid until {}",
                            tokens.access_token_expires_at.to_rfc3339()
                        );
                    }
                    AuthCommand::Revoke(_) => {
                        session.revoke().await?;
                        let _ = writeln!(
                            out,
                            "revoked the tokens of `{}` and deleted them here",
                            spec.name
                        );
                    }
                    _ => {
                        let info = company_info(&session, &http).await?;
                        let _ = writeln!(
                            out,
                            "connection `{}` works: company {} ({})",
                            spec.name,
                            session.realm_id(),
                            info
                        );
                    }
                }
                Ok(())
            }
            .await;
            if let Some(emulator) = emulator {
                emulator.shutdown().await;
            }
            result
        }
        AuthCommand::Logout(_) => {
            let store = crate::auth::TokenStore::for_connection(&spec.name)?;
            let realms = store.realms();
            for realm in &realms {
                store.remove(realm)?;
            }
            let _ = writeln!(
                out,
                "removed the stored tokens of `{}` ({} compan{})",
                spec.name,
                realms.len(),
                if realms.len() == 1 { "y" } else { "ies" }
            );
            Ok(())
        }
    }
}

/// The company name from CompanyInfo, through the session's tokens.
async fn company_info(session: &Session, http: &reqwest::Client) -> Result<String, Error> {
    let realm = session.realm_id();
    let base = session.connection().base_url.as_str().trim_end_matches('/');
    let url = url::Url::parse(&format!(
        "{base}/v3/company/{realm}/companyinfo/{realm}?minorversion={}",
        session.connection().minor_version
    ))
    .map_err(|err| Error::new(ErrorKind::Internal, err.to_string()))?;
    let call = crate::http::ApiCall {
        method: reqwest::Method::GET,
        url,
        headers: Vec::new(),
        body: None,
    };
    let response = engine::call_with_auth(http, session, &call, &RetryPolicy::default()).await?;
    let value: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|err| Error::new(ErrorKind::Remote, format!("CompanyInfo is not JSON: {err}")))?;
    Ok(value["CompanyInfo"]["CompanyName"]
        .as_str()
        .unwrap_or("no CompanyName")
        .to_string())
}

fn human_duration(seconds: i64) -> String {
    match seconds {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} days", s / 86_400),
    }
}
