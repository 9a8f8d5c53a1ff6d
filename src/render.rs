//! Turns a checked request file, a resolved connection and the run's variables into the
//! concrete HTTP request(s): URL, parameters, headers, body, and the QBO statement to page.

use crate::connection::ResolvedConnection;
use crate::diagnostics::{Error, did_you_mean};
use crate::http::ApiCall;
use crate::spec::{Pagination, RequestSpec, StatementSlot};
use crate::statement::Statement;
use crate::template::{self, EnvObject};
use minijinja::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use url::Url;

/// The values of a request's variables for one run.
pub type VarValues = BTreeMap<String, String>;

/// Merges defaults with `--var name=value` overrides; unknown names and missing required
/// variables are usage errors.
pub fn resolve_vars(
    spec: &RequestSpec,
    overrides: &[(String, String)],
) -> Result<VarValues, Error> {
    let mut values = VarValues::new();
    for (name, value) in overrides {
        if !spec.vars.iter().any(|v| &v.name == name) {
            let names: Vec<&str> = spec.vars.iter().map(|v| v.name.as_str()).collect();
            let suggestion = did_you_mean(name, names.iter().copied());
            return Err(Error::usage(format!(
                "--var {name}: {} has no variable `{name}`",
                spec.file.path().display()
            ))
            .note(if names.is_empty() {
                "it declares no variables".to_string()
            } else {
                format!("its variables: {}", names.join(", "))
            })
            .note_opt(suggestion.map(|s| format!("help: did you mean `{s}`?"))));
        }
        values.insert(name.clone(), value.clone());
    }
    for var in &spec.vars {
        if values.contains_key(&var.name) {
            continue;
        }
        match &var.default {
            Some(default) => {
                values.insert(var.name.clone(), default.clone());
            }
            None => {
                return Err(Error::usage(format!(
                    "{} needs a value for `{}`",
                    spec.file.path().display(),
                    var.name
                ))
                .note_opt(
                    var.description
                        .as_ref()
                        .map(|d| format!("{}: {d}", var.name)),
                )
                .note(format!("give it with --var {}=VALUE", var.name)));
            }
        }
    }
    Ok(values)
}

/// A QBO statement paged with STARTPOSITION / MAXRESULTS.
#[derive(Debug, Clone)]
pub struct QueryPaging {
    /// The statement as rendered, taken apart.
    pub source: Statement,
    /// The statement each page sends: the rendered one ordered so that no two rows tie.
    pub statement: String,
    /// Rows per page.
    pub page_size: u32,
    /// Where the statement goes.
    pub slot: StatementSlot,
}

impl QueryPaging {
    /// The paging of the rendered statement `text`.
    pub fn new(text: &str, page_size: u32, slot: StatementSlot) -> QueryPaging {
        let source = Statement::parse(text);
        QueryPaging {
            statement: source.paged(),
            source,
            page_size,
            slot,
        }
    }

    /// The statement of the page starting at the 1-based record `start`.
    pub fn page_statement(&self, start: u64) -> String {
        format!(
            "{} STARTPOSITION {start} MAXRESULTS {}",
            self.statement, self.page_size
        )
    }

    /// `select count(*) from ...` with the statement's WHERE and without its ORDERBY, to learn
    /// how many pages there are; `None` when the statement does not have the expected shape.
    pub fn count_statement(&self) -> Option<String> {
        self.source.count()
    }
}

/// A request ready to send.
#[derive(Debug, Clone)]
pub struct RenderedRequest {
    /// HTTP method.
    pub method: reqwest::Method,
    /// URL with every query parameter but the paged statement.
    pub url: Url,
    /// Headers from the request file.
    pub headers: Vec<(String, String)>,
    /// Body and its content type, unless the body is the paged statement.
    pub body: Option<(String, String)>,
    /// Paging, when the request pages a QBO query.
    pub paging: Option<QueryPaging>,
}

/// The values templates see: the variables, `realm_id`, `minor_version`, `env`, and for a write
/// the input `row`; with the `env` object, to name unset environment variables in errors.
fn template_context(
    connection: &ResolvedConnection,
    realm_id: &str,
    vars: &VarValues,
    row: Option<&Value>,
) -> (Value, Arc<EnvObject>) {
    let mut values: BTreeMap<String, Value> = vars
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    values.insert("realm_id".into(), Value::from(realm_id));
    values.insert(
        "minor_version".into(),
        Value::from(connection.minor_version.clone()),
    );
    if let Some(row) = row {
        values.insert("row".into(), row.clone());
    }
    let env = Arc::new(EnvObject::default());
    (template::context(&values, env.clone()), env)
}

/// Renders template `name` of `spec` with `context`, as a file error placed in the file.
fn render_named(
    spec: &RequestSpec,
    context: &Value,
    env: &EnvObject,
    name: &str,
) -> Result<String, Error> {
    spec.templates.render(name, context).map_err(|err| {
        let missing = env.missing();
        let error = crate::spec::template_error(&spec.file, &err);
        if missing.is_empty() {
            error
        } else {
            error.note(format!(
                "environment variable(s) not set: {}",
                missing.join(", ")
            ))
        }
    })
}

/// Renders the template `name` of `spec` (e.g. `input.requestid`) with the values a request of
/// `row` sees.
pub fn render_template(
    spec: &RequestSpec,
    connection: &ResolvedConnection,
    realm_id: &str,
    vars: &VarValues,
    row: Option<&Value>,
    name: &str,
) -> Result<String, Error> {
    let (context, env) = template_context(connection, realm_id, vars, row);
    render_named(spec, &context, &env, name)
}

impl RenderedRequest {
    /// Renders `spec` for `connection` and `realm_id` with `vars`.
    pub fn render(
        spec: &RequestSpec,
        connection: &ResolvedConnection,
        realm_id: &str,
        vars: &VarValues,
    ) -> Result<RenderedRequest, Error> {
        RenderedRequest::render_row(spec, connection, realm_id, vars, None)
    }

    /// Renders `spec` with `row` (one input row of a write) readable as `row` in templates.
    pub fn render_row(
        spec: &RequestSpec,
        connection: &ResolvedConnection,
        realm_id: &str,
        vars: &VarValues,
        row: Option<&Value>,
    ) -> Result<RenderedRequest, Error> {
        let (context, env) = template_context(connection, realm_id, vars, row);
        let render = |name: &str| render_named(spec, &context, &env, name);

        let path = render("path")?;
        let base = connection.base_url.as_str().trim_end_matches('/');
        let mut url = Url::parse(&format!("{base}{path}")).map_err(|err| {
            Error::file(format!(
                "the rendered path is not a valid URL ({err}): {base}{path}"
            ))
            .at_opt(spec.file.value_location("path"))
        })?;
        let paging_param = matches!(
            spec.pagination,
            Pagination::QboQuery {
                slot: StatementSlot::QueryParam,
                ..
            }
        );
        let mut statement = None;
        let mut params: Vec<(String, String)> = Vec::new();
        for name in &spec.params {
            let value = render(&format!("params.{name}"))?;
            if paging_param && name == "query" {
                statement = Some(value);
            } else if !value.is_empty() {
                // A parameter that renders empty is optional and left out (report dates).
                params.push((name.clone(), value));
            }
        }
        if !spec.params.iter().any(|p| p == "minorversion") {
            params.push(("minorversion".into(), connection.minor_version.clone()));
        }
        if !params.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &params {
                pairs.append_pair(name, value);
            }
        }
        let mut headers = Vec::new();
        for name in &spec.headers {
            let value = render(&format!("headers.{name}"))?;
            if reqwest::header::HeaderValue::from_str(&value).is_err() {
                return Err(Error::file(format!(
                    "header `{name}` renders to a value HTTP cannot carry (control characters or non-ASCII)"
                ))
                .at_opt(spec.file.value_location(&format!("headers.{name}"))));
            }
            headers.push((name.clone(), value));
        }
        let mut body = match &spec.body {
            Some(body_spec) => Some((body_spec.content_type.clone(), render("body")?)),
            None => None,
        };
        let paging = match &spec.pagination {
            Pagination::None => None,
            Pagination::QboQuery { page_size, slot } => {
                let text = match slot {
                    StatementSlot::QueryParam => statement.unwrap_or_default(),
                    StatementSlot::Body => body.take().map(|(_, text)| text).unwrap_or_default(),
                };
                Some(QueryPaging::new(&text, *page_size, slot.clone()))
            }
        };
        Ok(RenderedRequest {
            method: reqwest::Method::from_bytes(spec.method.as_str().as_bytes())
                .unwrap_or(reqwest::Method::GET),
            url,
            headers,
            body,
            paging,
        })
    }

    /// The call for a request without paging, or for the page starting at record `start`.
    pub fn call(&self, start: u64) -> ApiCall {
        match &self.paging {
            Some(paging) => self.call_with_statement(&paging.page_statement(start)),
            None => self.call_with_statement(""),
        }
    }

    /// The call carrying `statement` in the paged statement's place (ignored without paging).
    pub fn call_with_statement(&self, statement: &str) -> ApiCall {
        let mut call = ApiCall {
            method: self.method.clone(),
            url: self.url.clone(),
            headers: self.headers.clone(),
            body: self.body.clone(),
        };
        if let Some(paging) = &self.paging {
            let statement = statement.to_string();
            match paging.slot {
                StatementSlot::QueryParam => {
                    call.url.query_pairs_mut().append_pair("query", &statement);
                }
                StatementSlot::Body => {
                    call.body = Some(("application/text".to_string(), statement));
                }
            }
        }
        call
    }
}
