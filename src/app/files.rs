//! `qbo-run check`, `qbo-run list` and `qbo-run schema`: file-only commands, no network.

use crate::connection;
use crate::diagnostics::{self, Error, ErrorKind};
use crate::spec::{ConnectionSpec, Extract, RequestSpec, SourceFile};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The YAML files named by `paths` (folders expanded one level, sorted).
pub(super) fn yaml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
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

pub(super) fn is_connection_file(file: &SourceFile) -> bool {
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

pub(super) fn check(paths: &[PathBuf]) -> Result<i32, Error> {
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

pub(super) fn list(dir: &Path) -> Result<(), Error> {
    let files = yaml_files(&[dir.to_path_buf()])?;
    let width = files
        .iter()
        .filter_map(|p| p.file_stem())
        .map(|s| s.to_string_lossy().chars().count())
        .max()
        .unwrap_or(0);
    // Entities (queries, reads, change data capture), reports, writes; files that do not load
    // last.
    const GROUPS: [&str; 4] = ["Entities", "Reports", "Writes", "Invalid files"];
    let mut groups: [String; 4] = Default::default();
    for path in &files {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match RequestSpec::load(path) {
            Ok(spec) => {
                let group = if spec.write.is_some() {
                    2
                } else if spec.extract == Extract::Report {
                    1
                } else {
                    0
                };
                let out = &mut groups[group];
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
                groups[3].push_str(&format!("{name:<width$}  (invalid: {})\n", error.message()));
            }
        }
    }
    let out: Vec<String> = GROUPS
        .iter()
        .zip(&groups)
        .filter(|(_, lines)| !lines.is_empty())
        .map(|(title, lines)| format!("{title}:\n{lines}"))
        .collect();
    std::io::stdout()
        .write_all(out.join("\n").as_bytes())
        .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}

pub(super) fn print_schema(kind: crate::spec::SchemaKind) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(&crate::spec::schema(kind))
        .map_err(|err| Error::new(ErrorKind::Internal, format!("schema: {err}")))?;
    std::io::stdout()
        .write_all(format!("{text}\n").as_bytes())
        .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}
