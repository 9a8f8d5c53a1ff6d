//! Request files: one QBO method declared in YAML, loaded, then checked into a [`RequestSpec`].

use super::vars::{BUILTIN_VARIABLES, VarSpec};
use super::window::{self, RawWindow, Window};
use super::write::{self, OnStale, RawBatch, RawInput, RawWrite, WriteSpec};
use super::yaml::SourceFile;
use super::{Scalar, template_error};
use crate::diagnostics::{Error, did_you_mean};
use crate::extract::JsonPath;
use crate::output::Format;
use crate::template::{Escape, TemplateSet};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// QBO's largest page.
pub const QBO_MAX_PAGE_SIZE: u32 = 1000;

/// A request file (`requests/NAME.yaml`): one QBO method declared in YAML. Values that are
/// templates (`path`, `params`, `headers`, `body`, `input.requestid`) are minijinja over the
/// declared `vars`, `realm_id`, `minor_version` and `env.NAME`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "qbo-run request file")]
pub(super) struct RawRequest {
    /// What the method does; shown by `qbo-run list`.
    #[serde(default)]
    description: Option<String>,
    /// The default connection: a name (`connections/NAME.yaml`) or a path; `--connection`
    /// overrides it.
    #[serde(default)]
    connection: Option<String>,
    /// The variables the templates read: `NAME: { default: VALUE, description: TEXT }`; without
    /// a default the variable is required; `--var NAME=VALUE` sets it.
    #[serde(default)]
    vars: IndexMap<String, RawVar>,
    /// The HTTP method (default `GET`).
    #[serde(default)]
    method: Option<HttpMethod>,
    /// Template appended to the connection's `base_url`, starting with `/`, e.g.
    /// `/v3/company/{{ realm_id }}/query`; each value is percent-encoded as one path segment.
    path: String,
    /// Query parameters, each a template (`query` escapes values as the inside of a QBO string
    /// literal); `minorversion` is added unless given; one that renders empty is not sent.
    #[serde(default)]
    params: IndexMap<String, Scalar>,
    /// Extra HTTP headers, each a template.
    #[serde(default)]
    headers: IndexMap<String, Scalar>,
    /// The request body, a template (values written as JSON values in a JSON body, as QBO
    /// string literals in an `application/text` one).
    #[serde(default)]
    body: Option<String>,
    /// The body's `Content-Type` (default `application/json`; `application/text` for a POSTed
    /// QBO query).
    #[serde(default)]
    content_type: Option<String>,
    /// How pages are walked: `{ style: qbo-query, page_size: 1000 }` or `{ style: none }`.
    #[serde(default)]
    paginate: Option<RawPaginate>,
    /// JSONPath of the records in a response (default `$.QueryResponse.*[*]` when paged, else
    /// `$`).
    #[serde(default)]
    records: Option<String>,
    /// The output's format and CSV columns.
    #[serde(default)]
    output: RawOutput,
    /// Resume after the last successful run: `{ cursor: JSONPath in each record, var: VARIABLE }`.
    #[serde(default)]
    incremental: Option<RawIncremental>,
    /// How records are taken from a response: `records` (default), `report` or `cdc`.
    #[serde(default)]
    extract: Option<Extract>,
    /// With `extract: report`: ask for the `start_date`..`end_date` range in windows, one call
    /// each, and join the rows in order with `window_start` and `window_end` first (QBO cuts a
    /// dense report short): `window: month` (`day`, `week`, `month`, `quarter`, `year`), or
    /// `window: { every: month, concurrency: 4 }`.
    #[serde(default)]
    window: Option<RawWindow>,
    /// Makes the request a write, run once per row of an input file (CSV or JSON Lines).
    #[serde(default)]
    input: Option<RawInput>,
    /// With `input`: the entity written and the operation.
    #[serde(default)]
    write: Option<RawWrite>,
    /// With `input`: rows sent per `POST .../batch` (1 to 30).
    #[serde(default)]
    batch: Option<RawBatch>,
    /// With `input`: what a 5010 Stale Object Fault does to a row.
    #[serde(default)]
    on_stale: Option<OnStale>,
}

/// `incremental:` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawIncremental {
    /// JSONPath of the cursor inside each record, e.g. `$.MetaData.LastUpdatedTime`.
    cursor: String,
    /// The declared variable set to the saved cursor on the next run.
    var: String,
}

/// Incremental runs: which record field is the cursor and which variable receives the saved one.
pub struct Incremental {
    /// JSONPath of the cursor inside each record (e.g. `$.MetaData.LastUpdatedTime`).
    pub cursor: JsonPath,
    /// The variable set to the saved cursor on the next run.
    pub var: String,
}

/// A declared variable.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawVar {
    /// Its value when `--var` does not give one; without a default the variable is required.
    #[serde(default)]
    default: Option<Scalar>,
    /// What it is for, shown by `qbo-run list`.
    #[serde(default)]
    description: Option<String>,
}

/// `paginate:` as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawPaginate {
    /// `qbo-query` (STARTPOSITION/MAXRESULTS appended to the statement in `params.query` or a
    /// `application/text` body) or `none` (one call).
    style: PaginateStyle,
    /// Records per page, 1 to 1000 (QBO's MAXRESULTS limit; default 1000).
    #[serde(default)]
    page_size: Option<u32>,
}

/// How pages are walked.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum PaginateStyle {
    /// QBO query paging: `count(*)`, then pages in flight, ordered by `Id` last.
    QboQuery,
    /// One call.
    None,
}

/// `output:` as written.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    /// `json`, `jsonl` or `csv` (`--format` overrides it; default `json`).
    #[serde(default)]
    format: Option<RawFormat>,
    /// CSV columns in order, `name: JSONPath` each; without them every field is flattened.
    #[serde(default)]
    columns: Option<IndexMap<String, String>>,
}

/// An output format.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
enum RawFormat {
    /// A pretty-printed JSON array.
    Json,
    /// One JSON record per line.
    Jsonl,
    /// Comma-separated values with a header row.
    Csv,
}

impl From<RawFormat> for Format {
    fn from(format: RawFormat) -> Format {
        match format {
            RawFormat::Json => Format::Json,
            RawFormat::Jsonl => Format::Jsonl,
            RawFormat::Csv => Format::Csv,
        }
    }
}

/// The HTTP methods a request file may use.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl HttpMethod {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// Where the QBO query statement of a paginated request travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementSlot {
    /// In the `query` URL parameter (GET).
    QueryParam,
    /// As the raw `application/text` body (POST).
    Body,
}

/// How the pages of a request are walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pagination {
    /// One call.
    None,
    /// QBO query paging: STARTPOSITION/MAXRESULTS appended to the statement.
    QboQuery {
        /// Records asked for per page (1..=1000).
        page_size: u32,
        /// Where the statement is.
        slot: StatementSlot,
    },
}

/// How records are taken from a response (`extract:`).
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Extract {
    /// The values the `records:` JSONPath selects (the default).
    #[default]
    Records,
    /// The tidy rows of each QBO report `records:` selects (default `$`): see [`crate::report`].
    Report,
    /// The records of a CDC response.
    Cdc,
}

/// The body of a request.
#[derive(Debug, Clone)]
pub struct BodySpec {
    /// Its `Content-Type`.
    pub content_type: String,
}

/// A checked request file.
pub struct RequestSpec {
    /// The file it came from, kept for error positions.
    pub file: SourceFile,
    /// The file's stem: the method's name in `list` and in summaries.
    pub name: String,
    /// What the method does.
    pub description: Option<String>,
    /// The connection named by the file, if any.
    pub connection: Option<String>,
    /// Declared variables, in file order.
    pub vars: Vec<VarSpec>,
    /// HTTP method.
    pub method: HttpMethod,
    /// The compiled templates: `path`, `params.<name>`, `headers.<name>`, `body`.
    pub templates: TemplateSet,
    /// Query parameter names, in file order (their templates are `params.<name>`).
    pub params: Vec<String>,
    /// Header names, in file order (their templates are `headers.<name>`).
    pub headers: Vec<String>,
    /// The body, when there is one (its template is `body`).
    pub body: Option<BodySpec>,
    /// How pages are walked.
    pub pagination: Pagination,
    /// Which parts of a response are the records.
    pub records: JsonPath,
    /// The file's output format, if it names one.
    pub format: Option<Format>,
    /// Declared CSV columns (name and JSONPath), if any.
    pub columns: Option<Vec<(String, JsonPath)>>,
    /// How the request resumes where the last successful run stopped, if it does.
    pub incremental: Option<Incremental>,
    /// How records are taken from each response.
    pub extract: Extract,
    /// When the request is a write driven by an input file (`input:`), what each row becomes.
    pub write: Option<WriteSpec>,
    /// When the report's range is asked for in windows (`window:`), how.
    pub window: Option<Window>,
}

impl RequestSpec {
    /// Reads and checks a request file.
    pub fn load(path: &Path) -> Result<RequestSpec, Error> {
        let file = SourceFile::read(path)?;
        RequestSpec::from_file(file)
    }

    /// Checks an already read request file.
    pub fn from_file(file: SourceFile) -> Result<RequestSpec, Error> {
        let raw: RawRequest = file.deserialize("request file")?;
        let name = file
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "request".to_string());
        let method = raw.method.unwrap_or(HttpMethod::Get);

        let vars: Vec<VarSpec> = raw
            .vars
            .into_iter()
            .map(|(name, var)| VarSpec {
                name,
                default: var.default.map(|s| s.0),
                description: var.description,
            })
            .collect();
        for var in &vars {
            if raw.input.is_some() && var.name == "row" {
                return Err(Error::file(
                    "variable name `row` cannot be used in a request with `input`: `row` is each input row",
                )
                .at(file.key_or_near("vars.row")));
            }
            if BUILTIN_VARIABLES.contains(&var.name.as_str()) || !is_identifier(&var.name) {
                return Err(Error::file(format!(
                    "variable name `{}` cannot be used",
                    var.name
                ))
                .at(file.key_or_near(&format!("vars.{}", var.name)))
                .note(format!(
                    "names are letters, digits and `_`, not starting with a digit, and not one of: {}",
                    BUILTIN_VARIABLES.join(", ")
                )));
            }
        }

        if !raw.path.starts_with('/') && !raw.path.starts_with("{{") {
            return Err(Error::file("`path` must start with `/`")
                .at(file.value_or_near("path"))
                .note("the path is joined to the connection's base_url, e.g. /v3/company/{{ realm_id }}/query"));
        }

        let text_body = raw
            .content_type
            .as_deref()
            .map(|ct| ct.starts_with("application/text") || ct.starts_with("text/plain"))
            .unwrap_or(false);
        let body = raw.body.as_ref().map(|_| BodySpec {
            content_type: raw
                .content_type
                .clone()
                .unwrap_or_else(|| "application/json".to_string()),
        });
        if raw.content_type.is_some() && raw.body.is_none() {
            return Err(Error::file("`content_type` is set but there is no `body`")
                .at(file.key_or_near("content_type")));
        }

        let mut sources: Vec<(String, String, Escape)> = Vec::new();
        sources.push(("path".into(), raw.path.clone(), Escape::UrlPath));
        for (key, value) in &raw.params {
            let escape = if key == "query" {
                Escape::QboLiteral
            } else {
                Escape::Raw
            };
            sources.push((format!("params.{key}"), value.0.clone(), escape));
        }
        for (key, value) in &raw.headers {
            sources.push((format!("headers.{key}"), value.0.clone(), Escape::Raw));
        }
        if let (Some(text), Some(spec)) = (&raw.body, &body) {
            let escape = if text_body {
                Escape::QboLiteral
            } else if spec.content_type.contains("json") {
                Escape::Json
            } else {
                Escape::Raw
            };
            sources.push(("body".into(), text.clone(), escape));
        }
        if let Some(requestid) = raw.input.as_ref().and_then(|i| i.requestid.clone()) {
            sources.push(("input.requestid".into(), requestid, Escape::Raw));
        }
        let templates = TemplateSet::new(
            sources
                .iter()
                .map(|(name, source, escape)| (name.as_str(), source.as_str(), *escape)),
        )
        .map_err(|err| template_error(&file, &err))?;

        let declared: BTreeSet<&str> = vars
            .iter()
            .map(|v| v.name.as_str())
            .chain(BUILTIN_VARIABLES)
            .chain(raw.input.is_some().then_some("row"))
            .collect();
        for (name, _, _) in &sources {
            let mut used: Vec<String> = templates.variables(name).into_iter().collect();
            used.sort();
            for variable in used {
                if !declared.contains(variable.as_str()) {
                    let suggestion = did_you_mean(&variable, declared.iter().copied());
                    return Err(Error::file(format!(
                        "`{name}` uses the variable `{variable}`, which is not declared"
                    ))
                    .at(file
                        .find_in_value(name, &variable, false)
                        .unwrap_or_else(|| file.value_or_near(name)))
                    .note(format!("declared variables: {}", declared.iter().copied().collect::<Vec<_>>().join(", ")))
                    .note_opt(suggestion.map(|s| format!("help: did you mean `{s}`?")))
                    .note(format!("or declare it under `vars:` with a default, e.g.\n  vars:\n    {variable}: {{ default: \"...\", description: \"...\" }}")));
                }
            }
        }

        let pagination = match &raw.paginate {
            None => Pagination::None,
            Some(p) if p.style == PaginateStyle::None => Pagination::None,
            Some(p) => {
                let page_size = p.page_size.unwrap_or(QBO_MAX_PAGE_SIZE);
                if page_size == 0 || page_size > QBO_MAX_PAGE_SIZE {
                    return Err(Error::file(format!(
                        "`page_size` must be between 1 and {QBO_MAX_PAGE_SIZE} (QBO's MAXRESULTS limit), not {page_size}"
                    ))
                    .at(file.value_or_near("paginate.page_size")));
                }
                let (slot, statement) = if let Some(query) = raw.params.get("query") {
                    (
                        "params.query",
                        (StatementSlot::QueryParam, query.0.as_str()),
                    )
                } else if let (Some(text), true) = (&raw.body, text_body) {
                    ("body", (StatementSlot::Body, text.as_str()))
                } else {
                    return Err(Error::file(
                        "`paginate: qbo-query` needs a QBO statement to page through",
                    )
                    .at(file.key_or_near("paginate"))
                    .note("put it in `params.query` (GET) or in `body` with `content_type: application/text` (POST)"));
                };
                let (slot_key, (slot, statement)) = (slot, statement);
                let statement = crate::statement::Statement::parse(statement);
                for word in ["startposition", "maxresults"] {
                    if statement.has_keyword(word) {
                        return Err(Error::file(format!(
                            "the statement of a paginated request must not contain {}",
                            word.to_ascii_uppercase()
                        ))
                        .at(file.value_or_near(slot_key))
                        .note("qbo-run adds STARTPOSITION and MAXRESULTS to each page itself; use `paginate.page_size` to set the page size"));
                    }
                }
                Pagination::QboQuery { page_size, slot }
            }
        };

        let extract = raw.extract.unwrap_or_default();
        if extract == Extract::Report && pagination != Pagination::None {
            return Err(Error::file(
                "`extract: report` cannot be combined with `paginate: qbo-query`",
            )
            .at(file.value_or_near("extract"))
            .note("a report is one answer to one call (GET .../reports/<ReportName>); remove `paginate`"));
        }

        if extract == Extract::Cdc {
            super::cdc::check(
                &file,
                &raw.params,
                &vars,
                &templates,
                pagination != Pagination::None,
            )?;
        }

        let window = match raw.window {
            None => None,
            Some(raw_window) => {
                let params: Vec<&str> = raw.params.keys().map(String::as_str).collect();
                Some(window::check(
                    &file,
                    raw_window,
                    &window::Request {
                        is_report: extract == Extract::Report,
                        incremental: raw.incremental.is_some(),
                        vars: &vars,
                        params: &params,
                        templates: &templates,
                    },
                )?)
            }
        };

        let records_source = raw.records.clone().unwrap_or_else(|| match pagination {
            Pagination::QboQuery { .. } => "$.QueryResponse.*[*]".to_string(),
            Pagination::None => "$".to_string(),
        });
        let records = JsonPath::parse(&records_source).map_err(|message| {
            Error::file(format!("`records` is not a valid JSONPath: {message}"))
                .at(file.value_or_near("records"))
        })?;

        let columns = match raw.output.columns {
            None => None,
            Some(columns) => {
                if columns.is_empty() {
                    return Err(Error::file("`output.columns` is empty")
                        .at(file.key_or_near("output.columns"))
                        .note("list columns as `name: $.json.path`, or remove the key to flatten every field"));
                }
                let mut checked = Vec::with_capacity(columns.len());
                for (name, path) in columns {
                    let key = format!("output.columns.{name}");
                    let compiled = JsonPath::parse(&path).map_err(|message| {
                        Error::file(format!(
                            "column `{name}` is not a valid JSONPath: {message}"
                        ))
                        .at(file.value_or_near(&key))
                    })?;
                    checked.push((name, compiled));
                }
                Some(checked)
            }
        };

        let mut write = write::check(
            &file,
            write::WriteKeys {
                input: raw.input,
                write: raw.write,
                batch: raw.batch,
                on_stale: raw.on_stale,
            },
            &write::RequestShape {
                method_is_post: method == HttpMethod::Post,
                path: &raw.path,
                params: &raw.params,
                has_body: body.is_some(),
                json_body: body
                    .as_ref()
                    .is_some_and(|b| b.content_type.contains("json")),
                paginated: pagination != Pagination::None,
                has_records: raw.records.is_some(),
                incremental: raw.incremental.is_some(),
            },
        )?;
        if let Some(write) = &mut write {
            let mut fields = BTreeSet::new();
            for (name, _, _) in &sources {
                for used in templates.nested_variables(name) {
                    if let Some(field) = used.strip_prefix("row.") {
                        fields.insert(field.split('.').next().unwrap_or(field).to_string());
                    }
                }
            }
            write.row_fields = fields.into_iter().collect();
        }
        let incremental = match raw.incremental {
            None => None,
            Some(inc) => {
                if !vars.iter().any(|v| v.name == inc.var) {
                    let names: Vec<&str> = vars.iter().map(|v| v.name.as_str()).collect();
                    return Err(Error::file(format!(
                        "`incremental.var` names `{}`, which is not a declared variable",
                        inc.var
                    ))
                    .at(file.value_or_near("incremental.var"))
                    .note_opt(
                        did_you_mean(&inc.var, names.iter().copied())
                            .map(|s| format!("help: did you mean `{s}`?")),
                    ));
                }
                let cursor = JsonPath::parse(&inc.cursor).map_err(|message| {
                    Error::file(format!(
                        "`incremental.cursor` is not a valid JSONPath: {message}"
                    ))
                    .at(file.value_or_near("incremental.cursor"))
                })?;
                Some(Incremental {
                    cursor,
                    var: inc.var,
                })
            }
        };
        Ok(RequestSpec {
            incremental,
            extract,
            name,
            description: raw.description,
            connection: raw.connection,
            vars,
            method,
            templates,
            params: raw.params.keys().cloned().collect(),
            headers: raw.headers.keys().cloned().collect(),
            body,
            pagination,
            records,
            format: raw.output.format.map(Format::from),
            columns,
            write,
            window,
            file,
        })
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
