//! The cassette file (`cassettes/NAME.yaml` beside the request file): what was asked, the
//! expectations, and the recorded exchanges.

use crate::diagnostics::Error;
use crate::spec::SourceFile;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The realm id written in place of the recorded company's.
pub const REALM_PLACEHOLDER: &str = "1234567890123456";

/// A recorded run of one request file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cassette {
    /// The request file, relative to the cassette's folder.
    pub request: String,
    /// The `--var` values the run was recorded with.
    #[serde(default)]
    pub vars: IndexMap<String, String>,
    /// The input file of a write, relative to the cassette's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<String>,
    /// The books' "now" the run was recorded at (`QBO_RUN_NOW`; `days_ago` and the CDC window
    /// read it), replayed the same; a cassette without it replays at the real clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// What a replayed run must produce.
    #[serde(default)]
    pub expect: Expect,
    /// The exchanges, in the order they were sent.
    pub interactions: Vec<Interaction>,
}

/// What a replayed run must produce.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// A file (relative to the cassette's folder) the output must equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// How many records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<usize>,
    /// The CSV header (or the first record's keys), in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    /// JSONPath checks over the records (a JSON array).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<PathCheck>,
}

/// One JSONPath check over the output's records.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathCheck {
    /// JSONPath over the array of records, e.g. `$[0].Id` or `$[*].TotalAmt`.
    pub path: String,
    /// The first match must equal this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    /// Whether the path matches something.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interaction {
    /// What was sent.
    pub request: RecordedRequest,
    /// What came back.
    pub response: RecordedResponse,
}

/// A request as recorded: no headers but its content type (never `Authorization`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// URL path.
    pub path: String,
    /// Decoded query parameters, in the order sent.
    #[serde(default)]
    pub query: Vec<(String, String)>,
    /// The body's content type, when there is a body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The body, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl RecordedRequest {
    /// Whether `other` is the same request: method, path, body, and the same query pairs in
    /// any order.
    pub fn matches(&self, other: &RecordedRequest) -> bool {
        let sorted = |q: &[(String, String)]| {
            let mut q = q.to_vec();
            q.sort();
            q
        };
        self.method == other.method
            && self.path == other.path
            && self.body == other.body
            && sorted(&self.query) == sorted(&other.query)
    }

    /// The request as lines of text, for diffs.
    pub fn describe(&self) -> String {
        let mut out = format!("{} {}\n", self.method, self.path);
        for (name, value) in &self.query {
            out.push_str(&format!("  {name} = {value}\n"));
        }
        if let Some(body) = &self.body {
            out.push_str(&format!("  body: {body}\n"));
        }
        out
    }
}

/// An answer as recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedResponse {
    /// HTTP status.
    pub status: u16,
    /// The headers kept (content type, `intuit_tid` scrubbed, `Retry-After`).
    #[serde(default)]
    pub headers: IndexMap<String, String>,
    /// The body, as text.
    pub body: String,
}

/// Where the cassette of `request_file` is: `cassettes/NAME.yaml` in the request file's folder.
pub fn cassette_path(request_file: &Path) -> PathBuf {
    let stem = request_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "request".to_string());
    request_file
        .parent()
        .unwrap_or_else(|| Path::new(""))
        .join("cassettes")
        .join(format!("{stem}.yaml"))
}

impl Cassette {
    /// Reads a cassette; mistakes are file errors at their line and column.
    pub fn load(path: &Path) -> Result<Cassette, Error> {
        SourceFile::read(path)?.deserialize("cassette")
    }

    /// The cassette as YAML, after a comment saying what it is.
    pub fn to_text(&self, comment: &str) -> Result<String, Error> {
        let body = crate::spec::to_yaml(self)
            .map_err(|err| Error::output(format!("cannot write the cassette: {err}")))?;
        let mut out = String::new();
        for line in comment.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&body);
        Ok(out)
    }
}
