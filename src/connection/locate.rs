//! Where a connection named in a request file or by `--connection` lives.
//!
//! A value with a `/` or ending in `.yaml`/`.yml` is a path (relative to the current directory,
//! else to the request file's folder). A bare NAME is looked up as `connections/NAME.yaml` in
//! the project folder of the request file (the parent of its folder), then in the current
//! directory, then in `$QBO_RUN_HOME/connections`.

use crate::diagnostics::{Error, did_you_mean};
use std::path::{Path, PathBuf};

/// The file of connection `name_or_path`, for a request file in `request_dir` (if any).
pub fn locate(name_or_path: &str, request_dir: Option<&Path>) -> Result<PathBuf, Error> {
    let is_path = name_or_path.contains('/')
        || name_or_path.contains('\\')
        || name_or_path.ends_with(".yaml")
        || name_or_path.ends_with(".yml");
    let mut tried = Vec::new();
    if is_path {
        let direct = PathBuf::from(name_or_path);
        if direct.is_file() {
            return Ok(direct);
        }
        tried.push(direct.clone());
        if let Some(dir) = request_dir
            && direct.is_relative()
        {
            let beside = dir.join(&direct);
            if beside.is_file() {
                return Ok(beside);
            }
            tried.push(beside);
        }
    } else {
        for dir in search_dirs(request_dir) {
            for ext in ["yaml", "yml"] {
                let candidate = dir.join(format!("{name_or_path}.{ext}"));
                if candidate.is_file() {
                    return Ok(candidate);
                }
                if ext == "yaml" {
                    tried.push(candidate);
                }
            }
        }
    }
    let known = connection_names(request_dir);
    let suggestion = did_you_mean(name_or_path, known.iter().map(|s| s.as_str()));
    let tried_list = tried
        .iter()
        .map(|p| format!("  {}", p.display()))
        .collect::<Vec<_>>()
        .join("\n");
    Err(
        Error::file(format!("connection `{name_or_path}` not found"))
            .note(format!("looked for:\n{tried_list}"))
            .note_opt(suggestion.map(|s| format!("help: did you mean `{s}`?")))
            .note_opt(
                (!known.is_empty()).then(|| format!("known connections: {}", known.join(", "))),
            ),
    )
}

/// The folders searched for `connections/NAME.yaml`, in order.
fn search_dirs(request_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(project) = request_dir.and_then(|d| {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        d.parent()
            .map(Path::to_path_buf)
            .or_else(|| Some(d.join("..")))
    }) {
        let project = if project.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            project
        };
        dirs.push(project.join("connections"));
    }
    dirs.push(PathBuf::from("connections"));
    if let Some(home) = crate::auth::home_dir_from_env() {
        dirs.push(home.join("connections"));
    }
    dirs.dedup();
    dirs
}

/// The names of the connections that can be found from `request_dir`, sorted.
pub fn connection_names(request_dir: Option<&Path>) -> Vec<String> {
    let mut names: Vec<String> = search_dirs(request_dir)
        .into_iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let path = entry.path();
            let ext = path.extension()?.to_str()?;
            if ext == "yaml" || ext == "yml" {
                Some(path.file_stem()?.to_string_lossy().into_owned())
            } else {
                None
            }
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
