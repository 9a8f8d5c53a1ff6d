//! `qbo-run doctor [CONNECTION]`: the pre-flight check a person runs when something is wrong.
//! Each line is `ok`, `warn` or `fail` with what was found; the last line is the one next
//! action. Files of the current folder first, then the connection: its secrets, the clock
//! against the server's, the token store and its mode, the tokens' expiry, and CompanyInfo.

use super::auth::{company_info, one_call_client};
use super::connect::{redact_error, resolve_live};
use super::files;
use crate::auth::{Session, TokenStore};
use crate::connection::{self, ResolvedConnection, StoreChoice};
use crate::diagnostics::{Error, ErrorKind};
use crate::spec::{ConnectionSpec, RequestSpec, SourceFile};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Ok,
    Warn,
    Fail,
}

/// The lines found so far, and the next action of the first problem.
#[derive(Default)]
struct Report {
    lines: Vec<(Level, &'static str, String)>,
    next: Option<(Level, String)>,
    exit: Option<i32>,
}

impl Report {
    fn ok(&mut self, check: &'static str, detail: impl Into<String>) {
        self.lines.push((Level::Ok, check, detail.into()));
    }

    fn problem(
        &mut self,
        level: Level,
        check: &'static str,
        detail: impl Into<String>,
        next: impl Into<String>,
        kind: ErrorKind,
    ) {
        self.lines.push((level, check, detail.into()));
        let replace = match &self.next {
            None => true,
            Some((Level::Warn, _)) => level == Level::Fail,
            Some(_) => false,
        };
        if replace {
            self.next = Some((level, next.into()));
        }
        if level == Level::Fail && self.exit.is_none() {
            self.exit = Some(kind.exit_code());
        }
    }

    fn fail_with(&mut self, check: &'static str, error: &Error, next: impl Into<String>) {
        self.problem(
            Level::Fail,
            check,
            error.message().to_string(),
            next,
            error.kind(),
        );
    }

    fn print(&self) -> i32 {
        let mut out = String::new();
        for (level, check, detail) in &self.lines {
            let word = match level {
                Level::Ok => "ok  ",
                Level::Warn => "warn",
                Level::Fail => "fail",
            };
            out.push_str(&format!("{word}  {check:<12} {detail}\n"));
        }
        out.push_str(&format!(
            "next: {}\n",
            self.next
                .as_ref()
                .map(|(_, next)| next.as_str())
                .unwrap_or("nothing: everything checked is fine")
        ));
        let _ = std::io::stdout().write_all(out.as_bytes());
        self.exit.unwrap_or(0)
    }
}

pub(super) async fn doctor(name: Option<String>) -> Result<i32, Error> {
    let mut report = Report::default();
    check_files(&mut report);
    match name {
        None => report.problem(
            Level::Warn,
            "connection",
            "none given: only the files were checked",
            "qbo-run doctor CONNECTION, to check its secrets, tokens and QBO",
            ErrorKind::Usage,
        ),
        Some(name) => check_connection(&mut report, &name).await,
    }
    Ok(report.print())
}

fn check_files(report: &mut Report) {
    let folders: Vec<PathBuf> = ["requests", "connections"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect();
    if folders.is_empty() {
        report.ok("files", "no requests/ or connections/ folder here");
        return;
    }
    let found = match files::yaml_files(&folders) {
        Ok(found) => found,
        Err(error) => {
            report.fail_with("files", &error, "check that the folders can be read");
            return;
        }
    };
    let mut bad = Vec::new();
    for path in &found {
        let loaded = SourceFile::read(path).and_then(|file| {
            if files::is_connection_file(&file) {
                ConnectionSpec::from_file(file).map(|_| ())
            } else {
                RequestSpec::from_file(file).map(|_| ())
            }
        });
        if let Err(error) = loaded {
            bad.push(format!("{}: {}", path.display(), error.message()));
        }
    }
    if bad.is_empty() {
        report.ok(
            "files",
            format!("{} request and connection files valid", found.len()),
        );
    } else {
        report.problem(
            Level::Fail,
            "files",
            format!(
                "{} of {} files invalid, first {}",
                bad.len(),
                found.len(),
                bad[0]
            ),
            "qbo-run check requests connections (shows each mistake at its line)",
            ErrorKind::File,
        );
    }
}

async fn check_connection(report: &mut Report, name: &str) {
    let spec = match connection::locate(name, Some(Path::new("requests")))
        .and_then(|path| ConnectionSpec::load(&path).map(|spec| (path, spec)))
    {
        Ok((path, spec)) => {
            report.ok(
                "connection",
                format!("{} ({})", path.display(), spec.environment.as_str()),
            );
            spec
        }
        Err(error) => {
            report.fail_with(
                "connection",
                &error,
                "qbo-run new connection NAME --environment production|sandbox|emulator",
            );
            return;
        }
    };
    let (connection, emulator) = match resolve_live(&spec).await {
        Ok(found) => found,
        Err(error) => {
            report.fail_with(
                "secrets",
                &error,
                "set the environment variables the connection file reads, then run doctor again",
            );
            return;
        }
    };
    report.ok("secrets", "every value of the connection file resolves");
    check_online(report, &spec, connection).await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
}

async fn check_online(report: &mut Report, spec: &ConnectionSpec, connection: ResolvedConnection) {
    let http = match crate::http::client_with(&spec.timeouts) {
        Ok(http) => http,
        Err(error) => {
            report.fail_with("clock", &error, "report this as a bug");
            return;
        }
    };
    check_clock(report, &http, &connection).await;
    let store = match TokenStore::open(&connection.name, &connection.token_store) {
        Ok(store) => store,
        Err(error) => {
            report.fail_with(
                "store",
                &error,
                "fix QBO_RUN_STORE or the file's token_store",
            );
            return;
        }
    };
    let stored = match &connection.token_store {
        StoreChoice::File => check_file_store(report, &store, &connection).await,
        StoreChoice::Postgres(_) => match store.list().await {
            Ok(all) => {
                report.ok(
                    "store",
                    format!("database reachable, {} compan(ies)", all.len()),
                );
                Some(all)
            }
            Err(error) => {
                report.fail_with(
                    "store",
                    &error,
                    "check that the database is up and QBO_RUN_STORE is right",
                );
                None
            }
        },
    };
    let Some(stored) = stored else { return };
    let login = format!("qbo-run auth login {}", connection.name);
    let now = chrono::Utc::now();
    let mut usable = false;
    if stored.is_empty() {
        if connection.consents_automatically() {
            report.ok(
                "tokens",
                "none yet: the emulator logs in by itself on first use",
            );
            usable = true;
        } else {
            report.problem(
                Level::Fail,
                "tokens",
                "none stored",
                login.clone(),
                ErrorKind::AuthNeedsLogin,
            );
        }
    }
    for tokens in &stored {
        let company = &tokens.realm_id;
        let refresh_left = tokens.refresh_token_expires_at.map(|at| at - now);
        if tokens.needs_login {
            report.problem(
                Level::Fail,
                "tokens",
                format!("company {company}: the refresh token was refused, a login is needed"),
                login.clone(),
                ErrorKind::AuthNeedsLogin,
            );
        } else if refresh_left.is_some_and(|left| left <= chrono::Duration::zero()) {
            report.problem(
                Level::Fail,
                "tokens",
                format!("company {company}: the refresh token has expired"),
                login.clone(),
                ErrorKind::AuthNeedsLogin,
            );
        } else if refresh_left.is_some_and(|left| left < chrono::Duration::days(7)) {
            report.problem(
                Level::Warn,
                "tokens",
                format!(
                    "company {company}: the refresh token expires in {} hours",
                    refresh_left.map(|l| l.num_hours()).unwrap_or(0)
                ),
                format!("run any request (it refreshes the tokens), or {login}"),
                ErrorKind::AuthNeedsLogin,
            );
            usable = true;
        } else {
            let access = if tokens.access_token_expires_at > now {
                format!(
                    "access token valid for {} min",
                    (tokens.access_token_expires_at - now).num_minutes()
                )
            } else {
                "access token expired (refreshed on next use)".to_string()
            };
            report.ok(
                "tokens",
                format!("company {company}: {access}, refresh token valid"),
            );
            usable = true;
        }
    }
    if !usable {
        return;
    }
    let secret = connection.oauth.client_secret.clone();
    let realm = (stored.len() > 1).then(|| stored[0].realm_id.clone());
    let answer = async {
        let client = one_call_client(spec, &http)?;
        let session = Session::open(connection, http.clone(), store, realm.as_deref()).await?;
        let name = company_info(&session, &client).await?;
        Ok::<_, Error>((session.realm_id().to_string(), name))
    }
    .await
    .map_err(|error| redact_error(error, &[&secret]));
    match answer {
        Ok((realm, name)) => report.ok(
            "QBO",
            format!("CompanyInfo answered: {name} (company {realm})"),
        ),
        Err(error) => {
            let next = match error.kind() {
                ErrorKind::AuthNeedsLogin => login,
                ErrorKind::Transient => {
                    "check the network and QBO's status page, then run doctor again".to_string()
                }
                _ => "read the error above: QBO's code and message say what it refused".to_string(),
            };
            report.fail_with("QBO", &error, next);
        }
    }
}

/// The server's `Date` against this machine's clock: OAuth and token expiry depend on it.
async fn check_clock(report: &mut Report, http: &reqwest::Client, connection: &ResolvedConnection) {
    let answer = match http.get(connection.base_url.clone()).send().await {
        Ok(answer) => answer,
        Err(err) => {
            report.problem(
                Level::Fail,
                "clock",
                format!(
                    "cannot reach {}: {}",
                    connection.base_url,
                    crate::http::without_url(&err)
                ),
                crate::http::certificate_advice(&err).unwrap_or_else(|| {
                    "check the network (proxy, firewall) and base_url".to_string()
                }),
                ErrorKind::Transient,
            );
            return;
        }
    };
    let Some(date) = crate::http::header(&answer, "date")
        .and_then(|d| chrono::DateTime::parse_from_rfc2822(&d).ok())
    else {
        report.problem(
            Level::Warn,
            "clock",
            "the server sent no Date header to compare with",
            "nothing for the clock",
            ErrorKind::Remote,
        );
        return;
    };
    let skew = (chrono::Utc::now() - date.to_utc()).num_seconds();
    let host = connection.base_url.host_str().unwrap_or("the server");
    if skew.abs() > 300 {
        report.problem(
            Level::Fail,
            "clock",
            format!(
                "{skew} s off {host}'s clock: tokens will look expired or valid when they are not"
            ),
            "set this machine's clock (enable NTP)",
            ErrorKind::Transient,
        );
    } else if skew.abs() > 60 {
        report.problem(
            Level::Warn,
            "clock",
            format!("{skew} s off {host}'s clock"),
            "set this machine's clock (enable NTP)",
            ErrorKind::Transient,
        );
    } else {
        report.ok("clock", format!("within {} s of {host}", skew.abs()));
    }
}

/// The token folder's and files' modes (0700 and 0600) and whether they read.
async fn check_file_store(
    report: &mut Report,
    store: &TokenStore,
    connection: &ResolvedConnection,
) -> Option<Vec<crate::auth::StoredTokens>> {
    use std::os::unix::fs::PermissionsExt;
    let TokenStore::File(files) = store else {
        return None;
    };
    let dir = files
        .path("x")
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    if let Ok(meta) = std::fs::metadata(&dir) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            report.problem(
                Level::Fail,
                "store",
                format!(
                    "{} has mode {mode:o}: others can read the tokens",
                    dir.display()
                ),
                format!("chmod 700 {}", dir.display()),
                ErrorKind::Output,
            );
            return None;
        }
        for realm in files.realms() {
            let path = files.path(&realm);
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            if mode & 0o077 != 0 {
                report.problem(
                    Level::Fail,
                    "store",
                    format!(
                        "{} has mode {mode:o}: others can read the tokens",
                        path.display()
                    ),
                    format!("chmod 600 {}", path.display()),
                    ErrorKind::Output,
                );
                return None;
            }
        }
    }
    match store.list().await {
        Ok(all) => {
            report.ok(
                "store",
                format!(
                    "{} (mode 700, files 600), {} compan(ies) of `{}`",
                    dir.display(),
                    all.len(),
                    connection.name
                ),
            );
            Some(all)
        }
        Err(error) => {
            report.fail_with(
                "store",
                &error,
                format!("qbo-run auth logout {} and log in again", connection.name),
            );
            None
        }
    }
}
