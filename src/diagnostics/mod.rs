//! One error type for everything a user can see go wrong, and one renderer for it.
//!
//! Every failure is data: a [`ErrorKind`] that decides the exit code, a headline, an optional
//! source location (file, line, column and the line itself) and notes. Nothing else in the crate
//! prints errors or picks exit codes; `main` renders the one error it gets and exits with its
//! kind's code. This module must never print secrets: callers put only redacted text into errors.

mod render;
mod suggest;

pub use render::render;
pub use suggest::did_you_mean;

use std::fmt;
use std::path::{Path, PathBuf};

/// The class of a failure; each class has its own exit code, documented in README.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The command line is wrong (unknown flag, bad `--var`, conflicting options).
    Usage,
    /// A request or connection file is wrong: YAML, template, JSONPath or a rule of the format.
    File,
    /// A person must log in (again): no tokens, refresh token expired, revoked or rotated away.
    AuthNeedsLogin,
    /// QBO (or the OAuth server) refused the request: a Fault or an HTTP error that retrying won't fix.
    Remote,
    /// A failure that may pass by itself: network errors, timeouts, throttling or 5xx after retries.
    Transient,
    /// Writing the output, the token store or the state failed.
    Output,
    /// A bug in qbo-run: please report it.
    Internal,
    /// The run was interrupted (Ctrl-C); nothing was left half-written.
    Interrupted,
}

impl ErrorKind {
    /// The process exit code of this class.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::Usage => 2,
            ErrorKind::File => 3,
            ErrorKind::AuthNeedsLogin => 4,
            ErrorKind::Remote => 5,
            ErrorKind::Transient => 6,
            ErrorKind::Output => 7,
            ErrorKind::Interrupted => 130,
        }
    }
}

/// A position in a source file, with the text of its line for the renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The file as the user named it.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// The text of that line, without its line ending.
    pub line_text: String,
}

impl SourceLocation {
    /// The location of `line`:`column` (both 1-based) in `source`, the text of `path`.
    pub fn in_source(path: &Path, source: &str, line: usize, column: usize) -> SourceLocation {
        let line = line.max(1);
        let line_text = source
            .lines()
            .nth(line - 1)
            .unwrap_or_default()
            .trim_end_matches('\r')
            .to_string();
        SourceLocation {
            path: path.to_path_buf(),
            line,
            column: column.max(1),
            line_text,
        }
    }
}

/// The one error type that reaches `main`.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    location: Option<SourceLocation>,
    notes: Vec<String>,
}

impl Error {
    /// A new error of `kind` with a one-line headline.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            location: None,
            notes: Vec::new(),
        }
    }

    /// A command-line mistake.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Usage, message)
    }

    /// A mistake in a request or connection file.
    pub fn file(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::File, message)
    }

    /// A failure writing output, tokens or state.
    pub fn output(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Output, message)
    }

    /// Adds where in a file the mistake is.
    pub fn at(mut self, location: SourceLocation) -> Error {
        self.location = Some(location);
        self
    }

    /// Adds where in a file the mistake is, if known.
    pub fn at_opt(mut self, location: Option<SourceLocation>) -> Error {
        if location.is_some() {
            self.location = location;
        }
        self
    }

    /// Adds a note line (rendered as `= note`).
    pub fn note(mut self, note: impl Into<String>) -> Error {
        self.notes.push(note.into());
        self
    }

    /// Adds a note only when there is one.
    pub fn note_opt(self, note: Option<String>) -> Error {
        match note {
            Some(note) => self.note(note),
            None => self,
        }
    }

    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The headline.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file position, if the error comes from a file.
    pub fn location(&self) -> Option<&SourceLocation> {
        self.location.as_ref()
    }

    /// The notes, in order.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render(self))
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The same error with `f` applied to its headline and notes (used to redact secrets from
    /// text that came from servers).
    pub fn map_text(mut self, f: impl Fn(&str) -> String) -> Error {
        self.message = f(&self.message);
        self.notes = self.notes.iter().map(|n| f(n)).collect();
        self
    }
}
