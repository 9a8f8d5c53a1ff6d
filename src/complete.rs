//! Candidates for the shell's dynamic completion, read from the current folder when the user
//! presses Tab: request files (with their descriptions), the `--var` names they declare and the
//! connections. Files that do not load are skipped: completion never fails.

use crate::spec::RequestSpec;
use clap_complete::engine::{CompletionCandidate, PathCompleter, ValueCompleter};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The YAML files directly under `dir`, sorted.
fn yaml_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    files
}

/// Request files: `requests/NAME.yaml` of the current folder with their descriptions, then
/// any path.
pub fn request_files(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    let mut out: Vec<CompletionCandidate> = yaml_in(Path::new("requests"))
        .into_iter()
        .filter(|path| path.to_string_lossy().starts_with(typed.as_ref()))
        .map(|path| {
            let help = RequestSpec::load(&path)
                .ok()
                .and_then(|spec| spec.description);
            CompletionCandidate::new(path.into_os_string()).help(help.map(Into::into))
        })
        .collect();
    let listed: Vec<std::ffi::OsString> = out.iter().map(|c| c.get_value().to_owned()).collect();
    out.extend(
        PathCompleter::any()
            .complete(current)
            .into_iter()
            .filter(|c| !listed.iter().any(|l| l == c.get_value())),
    );
    out
}

/// `NAME=` for each variable the request files of `requests/` declare, with its description.
pub fn var_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    if typed.contains('=') {
        return Vec::new();
    }
    let mut seen = std::collections::BTreeMap::new();
    for path in yaml_in(Path::new("requests")) {
        let Ok(spec) = RequestSpec::load(&path) else {
            continue;
        };
        for var in spec.vars {
            seen.entry(var.name).or_insert(var.description);
        }
    }
    seen.into_iter()
        .filter(|(name, _)| name.starts_with(typed.as_ref()))
        .map(|(name, help)| CompletionCandidate::new(format!("{name}=")).help(help.map(Into::into)))
        .collect()
}

/// The names of `connections/NAME.yaml` in the current folder.
pub fn connection_names(current: &OsStr) -> Vec<CompletionCandidate> {
    let typed = current.to_string_lossy();
    yaml_in(Path::new("connections"))
        .into_iter()
        .filter_map(|path| path.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|name| name.starts_with(typed.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}
