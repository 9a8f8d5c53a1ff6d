//! `qbo-run new`: a starting file written under `requests/` or `connections/`, checked as
//! `check` would before it is written, and never over an existing file.

use crate::cli::{NewCommand, NewFile};
use crate::diagnostics::{self, Error, ErrorKind};
use crate::scaffold::{connection_text, request_text};
use crate::spec::{ConnectionSpec, RequestSpec, SourceFile};
use std::io::Write;

pub(super) fn write(command: NewCommand) -> Result<(), Error> {
    let name = &command.name;
    let valid = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(Error::usage(format!(
            "`{name}` cannot be a file name: use letters, digits, `_` and `-`"
        )));
    }
    let (folder, text) = match &command.file {
        NewFile::Request(scaffold) => ("requests", request_text(scaffold)),
        NewFile::Connection(environment) => ("connections", connection_text(*environment)),
    };
    let dir = command.dir.join(folder);
    let path = dir.join(format!("{name}.yaml"));
    let source = SourceFile::from_text(&path, text.clone());
    let checked = match &command.file {
        NewFile::Request(_) => RequestSpec::from_file(source).map(|_| ()),
        NewFile::Connection(_) => ConnectionSpec::from_file(source).map(|_| ()),
    };
    if let Err(error) = checked {
        return Err(Error::new(
            ErrorKind::Internal,
            format!(
                "the file made for {} does not pass check:\n{}",
                path.display(),
                diagnostics::render(&error)
            ),
        ));
    }
    std::fs::create_dir_all(&dir)
        .map_err(|err| Error::output(format!("cannot create {}: {err}", dir.display())))?;
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(Error::usage(format!(
                "{} already exists; it is left as it is",
                path.display()
            ))
            .note("choose another NAME, or remove the file first"));
        }
        Err(err) => {
            return Err(Error::output(format!(
                "cannot create {}: {err}",
                path.display()
            )));
        }
    };
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|err| Error::output(format!("cannot write {}: {err}", path.display())))?;
    let next = match &command.file {
        NewFile::Request(_) => format!(
            "next: qbo-run check {0}, then qbo-run {0} --dry-run",
            path.display()
        ),
        NewFile::Connection(crate::spec::Environment::Emulator) => {
            format!("next: qbo-run auth test {}", path.display())
        }
        NewFile::Connection(_) => format!(
            "next: set QBO_CLIENT_ID and QBO_CLIENT_SECRET, then qbo-run auth login {}",
            path.display()
        ),
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "wrote {}\n{next}", path.display())
        .map_err(|err| Error::output(format!("cannot write to stdout: {err}")))
}
