//! What a run asks of its output: the format, CSV columns, and where the records go.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use crate::extract::JsonPath;

/// Output format of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A pretty-printed top-level JSON array (`json`).
    Json,
    /// One compact JSON record per line (`jsonl`).
    Jsonl,
    /// Comma-separated values with a header row (`csv`).
    Csv,
}

impl Format {
    /// The name used on the command line and in request files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Format`] from text: the text was not one of
/// `json`, `jsonl`, `csv`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown output format `{0}` (expected json, jsonl or csv)")]
pub struct ParseFormatError(pub String);

impl FromStr for Format {
    type Err = ParseFormatError;

    /// Accepts exactly `json`, `jsonl` or `csv`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "jsonl" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            other => Err(ParseFormatError(other.to_owned())),
        }
    }
}

/// One CSV column: header name and the JSONPath that picks its value from a
/// record.
#[derive(Debug, Clone)]
pub struct Column {
    /// The header cell.
    pub name: String,
    /// Applied to each record; the first match is the cell.
    pub path: JsonPath,
}

/// Where records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Standard output.
    Stdout,
    /// A file, replaced atomically when the run finishes.
    File(PathBuf),
}

impl fmt::Display for Destination {
    /// `standard output` or the file path, for messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::Stdout => f.write_str("standard output"),
            Destination::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// How to write: the format and, for CSV, declared columns (`None` =
/// flatten each record).
#[derive(Debug, Clone)]
pub struct OutputSpec {
    /// The output format.
    pub format: Format,
    /// CSV columns; `None` flattens records. Ignored by the JSON formats.
    pub columns: Option<Vec<Column>>,
}
