//! Renders the minijinja templates of a request file, escaping each value for the place it goes.
//!
//! A value interpolated into a URL path is percent-encoded as one path segment; into a QBO query
//! statement it is escaped as the inside of a QBO string literal (`O'Brien` becomes `O\'Brien`);
//! into a JSON body it is written as a JSON value; into query parameters and headers it is left
//! as is, because the HTTP layer encodes parameters exactly once. `|safe` opts a value out.
//! Undefined variables are errors, never empty strings. This module does no I/O.

use minijinja::value::{Object, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State, UndefinedBehavior};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// How interpolated values are escaped in one template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Written as is (query parameters, headers, connection values).
    Raw,
    /// Percent-encoded as a URL path segment.
    UrlPath,
    /// Escaped as the inside of a single-quoted QBO query literal.
    QboLiteral,
    /// Serialized as a JSON value.
    Json,
}

impl Escape {
    fn auto_escape(self) -> AutoEscape {
        match self {
            Escape::Raw => AutoEscape::None,
            Escape::UrlPath => AutoEscape::Custom("urlpath"),
            Escape::QboLiteral => AutoEscape::Custom("qbo"),
            Escape::Json => AutoEscape::Json,
        }
    }
}

/// Characters percent-encoded in a path segment (RFC 3986 pchar, minus sub-delims that some
/// servers treat specially).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'[')
    .add(b']')
    .add(b'\'')
    .add(b'+')
    .add(b'&')
    .add(b'=')
    .add(b';');

/// Escapes `text` for use inside a single-quoted QBO query literal.
pub fn escape_qbo_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A set of named templates compiled once and rendered against a context.
pub struct TemplateSet {
    env: Environment<'static>,
}

/// A template that failed to compile or render: which one, and minijinja's error.
#[derive(Debug)]
pub struct TemplateError {
    /// The name the template was added under (the dotted key of the file, e.g. `params.query`).
    pub name: String,
    /// 1-based line inside the template, when minijinja knows it.
    pub line: Option<usize>,
    /// What went wrong, in one line.
    pub message: String,
    /// The template text just before and at the error, to find it in the file.
    pub snippet: Option<String>,
}

impl TemplateError {
    fn from_minijinja(name: &str, source: Option<&str>, error: &Error) -> TemplateError {
        let snippet = source.zip(error.range()).and_then(|(source, range)| {
            let mut start = range.start.saturating_sub(12);
            while start > 0 && !source.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = range.end.min(source.len());
            while end < source.len() && !source.is_char_boundary(end) {
                end += 1;
            }
            let text = source.get(start..end)?;
            let text = text.rsplit('\n').next().unwrap_or(text).trim_start();
            (!text.trim().is_empty()).then(|| text.to_string())
        });
        let mut message = match error.kind() {
            ErrorKind::UndefinedError => "undefined value".to_string(),
            _ => error
                .detail()
                .map(str::to_string)
                .unwrap_or_else(|| error.kind().to_string()),
        };
        if let Some(detail) = error.detail()
            && error.kind() == ErrorKind::UndefinedError
        {
            message = format!("undefined value: {detail}");
        }
        TemplateError {
            name: name.to_string(),
            line: error.line(),
            message,
            snippet,
        }
    }
}

impl TemplateSet {
    /// Compiles `templates` (name, source, escape); the first syntax error is returned.
    pub fn new<'a, I>(templates: I) -> Result<TemplateSet, TemplateError>
    where
        I: IntoIterator<Item = (&'a str, &'a str, Escape)>,
    {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(false);
        env.set_formatter(format_value);
        env.add_filter("qbo_string", qbo_string_filter);
        env.add_function("days_ago", days_ago);
        let templates: Vec<(&str, &str, Escape)> = templates.into_iter().collect();
        let escapes: HashMap<String, Escape> = templates
            .iter()
            .map(|(name, _, escape)| (name.to_string(), *escape))
            .collect();
        // The escape mode is fixed when a template is compiled, so the callback comes first.
        env.set_auto_escape_callback(move |name| {
            escapes
                .get(name)
                .copied()
                .unwrap_or(Escape::Raw)
                .auto_escape()
        });
        for (name, source, _) in templates {
            env.add_template_owned(name.to_string(), source.to_string())
                .map_err(|err| TemplateError::from_minijinja(name, Some(source), &err))?;
        }
        Ok(TemplateSet { env })
    }

    /// Renders template `name` with `context`.
    pub fn render(&self, name: &str, context: &Value) -> Result<String, TemplateError> {
        let template = self
            .env
            .get_template(name)
            .map_err(|err| TemplateError::from_minijinja(name, None, &err))?;
        template
            .render(context)
            .map_err(|err| TemplateError::from_minijinja(name, Some(template.source()), &err))
    }

    /// The variables template `name` reads, with the attributes it reads of them
    /// (`row.customer_id`); a variable read whole appears alone (`row`).
    pub fn nested_variables(&self, name: &str) -> HashSet<String> {
        self.env
            .get_template(name)
            .map(|template| template.undeclared_variables(true))
            .unwrap_or_default()
            .into_iter()
            .filter(|v| !self.is_global(v.split('.').next().unwrap_or(v)))
            .collect()
    }

    /// Whether `name` is a function every template has (`range`, `days_ago`, ...).
    fn is_global(&self, name: &str) -> bool {
        self.env.globals().any(|(global, _)| global == name)
    }

    /// The top-level variable names template `name` reads but does not set itself.
    pub fn variables(&self, name: &str) -> HashSet<String> {
        self.env
            .get_template(name)
            .map(|template| template.undeclared_variables(false))
            .unwrap_or_default()
            .into_iter()
            .filter(|v| !self.is_global(v))
            .collect()
    }
}

fn format_value(out: &mut minijinja::Output, state: &State, value: &Value) -> Result<(), Error> {
    let kind = state.auto_escape();
    let custom = match kind {
        AutoEscape::Custom(name) => name,
        _ => return minijinja::escape_formatter(out, state, value),
    };
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let text = if value.is_none() {
        String::new()
    } else {
        value.to_string()
    };
    if value.is_safe() {
        return out.write_str(&text).map_err(Error::from);
    }
    let escaped = match custom {
        "qbo" => escape_qbo_literal(&text),
        "urlpath" if text == "." || text == ".." => {
            // URLs resolve these segments away (even percent-encoded), changing the path.
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{text}` cannot be a URL path segment: it would change the path"),
            ));
        }
        "urlpath" => utf8_percent_encode(&text, PATH_SEGMENT).to_string(),
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("unknown escape {other}"),
            ));
        }
    };
    out.write_str(&escaped).map_err(Error::from)
}

/// `{{ days_ago(7) }}`: the instant `days` days before the books' now ([`crate::clock`]), ISO-8601 in UTC
/// (`2025-09-12T16:05:09+00:00`), e.g. for a CDC `changedSince` default that works on any date.
fn days_ago(days: f64) -> Result<Value, Error> {
    if !days.is_finite() || !(0.0..=36_500.0).contains(&days) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("days_ago({days}): the number of days must be between 0 and 36500"),
        ));
    }
    let seconds = (days * 86_400.0).round() as i64;
    let at = crate::clock::now() - chrono::Duration::seconds(seconds);
    Ok(Value::from(
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
    ))
}

/// `{{ name | qbo_string }}` gives a whole quoted literal: `'O\'Brien'`.
fn qbo_string_filter(value: Value) -> Value {
    Value::from_safe_string(format!("'{}'", escape_qbo_literal(&value.to_string())))
}

/// The process environment as a template object (`{{ env.QBO_CLIENT_ID }}`), remembering which
/// names were asked for but are not set, so an error can name them.
#[derive(Debug, Default)]
pub struct EnvObject {
    missing: Mutex<Vec<String>>,
}

impl EnvObject {
    /// The names looked up that were not set, in order of first use.
    pub fn missing(&self) -> Vec<String> {
        self.missing.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Object for EnvObject {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        match std::env::var(name) {
            Ok(value) => Some(Value::from(value)),
            Err(_) => {
                if let Ok(mut missing) = self.missing.lock()
                    && !missing.iter().any(|m| m == name)
                {
                    missing.push(name.to_string());
                }
                None
            }
        }
    }
}

/// Builds a template context from named string values plus an `env` object.
pub fn context(values: &BTreeMap<String, Value>, env: Arc<EnvObject>) -> Value {
    let mut map: BTreeMap<String, Value> = values.clone();
    map.insert("env".to_string(), Value::from_dyn_object(env));
    Value::from(map)
}

/// Renders a one-off template (a connection value) with `context`, escaping nothing.
pub fn render_str(source: &str, context: &Value) -> Result<String, TemplateError> {
    let set = TemplateSet::new([("value", source, Escape::Raw)])?;
    set.render("value", context)
}

/// Escapes a string for a URL path segment (exposed for the dry-run of fixed path parts).
pub fn encode_path_segment(text: &str) -> String {
    let mut out = String::new();
    let _ = write!(out, "{}", utf8_percent_encode(text, PATH_SEGMENT));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> Value {
        let values = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::from(*v)))
            .collect();
        context(&values, Arc::new(EnvObject::default()))
    }

    #[test]
    fn qbo_literal_escapes_apostrophe_and_backslash() {
        let set = TemplateSet::new([(
            "q",
            "select * from Customer where DisplayName = '{{ name }}'",
            Escape::QboLiteral,
        )])
        .expect("compiles");
        let out = set
            .render("q", &ctx(&[("name", r"O'Brien \ Sons")]))
            .expect("renders");
        assert_eq!(
            out,
            r"select * from Customer where DisplayName = 'O\'Brien \\ Sons'"
        );
    }

    #[test]
    fn qbo_string_filter_is_not_escaped_twice() {
        let set = TemplateSet::new([(
            "q",
            "where DisplayName = {{ name | qbo_string }}",
            Escape::QboLiteral,
        )])
        .expect("compiles");
        let out = set
            .render("q", &ctx(&[("name", "O'Brien")]))
            .expect("renders");
        assert_eq!(out, r"where DisplayName = 'O\'Brien'");
    }

    #[test]
    fn path_values_are_encoded_once() {
        let set = TemplateSet::new([(
            "p",
            "/v3/company/{{ realm }}/invoice/{{ id }}",
            Escape::UrlPath,
        )])
        .expect("compiles");
        let out = set
            .render("p", &ctx(&[("realm", "123"), ("id", "a/b c%")]))
            .expect("renders");
        assert_eq!(out, "/v3/company/123/invoice/a%2Fb%20c%25");
    }

    #[test]
    fn json_body_values_are_json() {
        let set = TemplateSet::new([("b", r#"{"DisplayName": {{ name }}}"#, Escape::Json)])
            .expect("compiles");
        let out = set
            .render("b", &ctx(&[("name", "O'Brien \"Jr\"")]))
            .expect("renders");
        assert_eq!(out, r#"{"DisplayName": "O'Brien \"Jr\""}"#);
    }

    #[test]
    fn undefined_variables_are_errors() {
        let set = TemplateSet::new([("q", "x {{ sinse }}", Escape::QboLiteral)]).expect("compiles");
        let err = set
            .render("q", &ctx(&[("since", "1")]))
            .expect_err("strict");
        assert_eq!(err.name, "q");
        assert!(
            err.message.starts_with("undefined value"),
            "{}",
            err.message
        );
        assert!(set.variables("q").contains("sinse"));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = TemplateSet::new([("q", "a\nb {{ x ", Escape::Raw)])
            .err()
            .expect("syntax error");
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn missing_env_vars_are_remembered() {
        let env = Arc::new(EnvObject::default());
        let context = context(&BTreeMap::new(), env.clone());
        let err = render_str("{{ env.QBO_RUN_TEST_SURELY_UNSET }}", &context);
        assert!(err.is_err());
        assert_eq!(env.missing(), vec!["QBO_RUN_TEST_SURELY_UNSET".to_string()]);
        let defaulted = render_str(
            "{{ env.QBO_RUN_TEST_SURELY_UNSET | default('x') }}",
            &context,
        )
        .expect("default filter works");
        assert_eq!(defaulted, "x");
    }
}
