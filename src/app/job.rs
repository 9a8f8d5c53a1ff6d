//! One request file loaded for a run: the request, its connection file and the run's variables,
//! checked before anything is sent. Read runs (`run.rs`) and write runs (`write.rs`) both start
//! from a [`LoadedRun`].

use crate::connection;
use crate::diagnostics::Error;
use crate::render;
use crate::spec::{ConnectionSpec, RequestSpec};
use std::path::{Path, PathBuf};

/// A request file and its connection file, loaded and checked, with the run's variables.
pub(super) struct LoadedRun {
    pub(super) request: RequestSpec,
    pub(super) connection: ConnectionSpec,
    pub(super) connection_path: PathBuf,
    pub(super) vars: render::VarValues,
    /// Variables given with `--var` (they win over saved state).
    pub(super) overridden: Vec<String>,
    /// `--input`: the rows of a write request.
    pub(super) input: Option<PathBuf>,
}

pub(super) fn load_run(
    file: &Path,
    connection_override: Option<&str>,
    overrides: &[(String, String)],
    ignore_unknown_vars: bool,
) -> Result<LoadedRun, Error> {
    let request = RequestSpec::load(file)?;
    let overrides: Vec<(String, String)> = if ignore_unknown_vars {
        overrides
            .iter()
            .filter(|(name, _)| request.vars.iter().any(|v| &v.name == name))
            .cloned()
            .collect()
    } else {
        overrides.to_vec()
    };
    let vars = render::resolve_vars(&request, &overrides)?;
    let name = connection_override
        .map(str::to_string)
        .or_else(|| request.connection.clone())
        .ok_or_else(|| {
            Error::file(format!("{} names no connection", file.display())).note(
                "add `connection: NAME` to the file, or pass --connection NAME (e.g. --connection emulator)",
            )
        })?;
    let connection_path = connection::locate(&name, file.parent())?;
    let connection = ConnectionSpec::load(&connection_path)?;
    if connection.literal_secret {
        tracing::warn!(
            "{} writes oauth2.client_secret literally; take it from the environment instead (\"{{{{ env.QBO_CLIENT_SECRET }}}}\")",
            connection_path.display()
        );
    }
    Ok(LoadedRun {
        request,
        connection,
        connection_path,
        vars,
        overridden: overrides.into_iter().map(|(name, _)| name).collect(),
        input: None,
    })
}
