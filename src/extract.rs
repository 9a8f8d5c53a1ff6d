//! JSONPath selection of records and column values.
//!
//! Request files name two kinds of JSONPath: a *records* path that picks the
//! records out of a response page (`$.QueryResponse.Invoice[*]`) and *column*
//! paths that pick one value out of each record (`$.CustomerRef.name`,
//! `$.CustomField[?(@.Name == 'PO Number')].StringValue`). Both are compiled
//! once, when the request file is loaded, and then applied to every page and
//! every record, so this module exists to make that application cheap and
//! predictable:
//!
//! * [`JsonPath::parse`] compiles with `jsonpath-rust` (RFC 9535 syntax) and
//!   turns its multi-line parser report into one human sentence, so the caller
//!   can prefix it with `file:line:col`.
//! * Paths made only of member names, array indexes, wildcards and the
//!   string-equality filter QBO custom fields need (`$.Line[0].Amount`,
//!   `$.QueryResponse.Invoice[*]`, `$.CustomField[?(@.Name == 'PO
//!   Number')].StringValue`) are additionally lowered to a small plan that is
//!   evaluated by hand on `&Value`; evaluating it allocates nothing for
//!   [`JsonPath::first`] and only the result vector for [`JsonPath::select`].
//!   Everything else (other filters, slices, descendants, unions, functions)
//!   goes through the library. Both routes give the same matches in the same
//!   order; the tests check that.
//!
//! What this module must never do: panic or fail on a value that came from
//! the server. A path that does not fit the data (a member name applied to an
//! array, an index past the end, a missing key) is simply "no match".
//! Evaluation never mutates or copies the document, and no path is ever
//! re-parsed after [`JsonPath::parse`].

mod projection;

use std::fmt;

pub use projection::{Projection, ProjectionSeed};

use jsonpath_rust::parser::errors::JsonPathError;
use jsonpath_rust::parser::model::{
    Comparable, Comparison, Filter, FilterAtom, JpQuery, Literal, Segment, Selector, SingularQuery,
    SingularQuerySegment,
};
use jsonpath_rust::parser::{Rule, parse_json_path};
use jsonpath_rust::query::{QueryRef, js_path_process};
use serde_json::Value;

/// A JSONPath expression compiled once and applied to many values.
///
/// `Display` prints the source text exactly as written.
#[derive(Clone)]
pub struct JsonPath {
    source: String,
    query: JpQuery,
    /// The hand-evaluated form of `query`, present when every segment is a
    /// member name, index, wildcard or string-equality filter.
    plan: Option<Vec<Step>>,
}

/// The records a plain records path picks from a QBO query page (see [`JsonPath::query_rows`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryRows<'a> {
    /// `$.QueryResponse.<Entity>[*]`: the elements of that member of `QueryResponse`.
    Entity(&'a str),
    /// `$.QueryResponse.*[*]`: the elements of every member of `QueryResponse`, in order.
    Every,
}

/// One step of a path simple enough to evaluate without the library.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// `.name` or `['name']`: the member of an object.
    Member(String),
    /// `[3]` or `[-1]`: an array element, negative counting from the end.
    Index(i64),
    /// `[*]` or `.*`: every array element or every object member value.
    Wildcard,
    /// `[?(@.path == 'text')]`: the array elements or object member values
    /// whose `path` (members and indexes only) is exactly the string `text`.
    WhereEquals { path: Vec<Step>, text: String },
}

impl Step {
    /// Whether a child passes this step's filter (always, for a wildcard).
    fn accepts(&self, child: &Value) -> bool {
        match self {
            Step::WhereEquals { path, text } => {
                matches!(first_plan(child, path), Some(Value::String(s)) if s == text)
            }
            _ => true,
        }
    }
}

impl JsonPath {
    /// Compile `source` (RFC 9535 JSONPath, starting with `$`).
    ///
    /// # Errors
    ///
    /// A one-line message saying what is wrong and, when known, at which
    /// character of `source` (counted from 1), for example
    /// ``invalid JSONPath at character 7: `[` is never closed with `]` ``.
    pub fn parse(source: &str) -> Result<JsonPath, String> {
        let trimmed = source.trim();
        if trimmed.is_empty() {
            return Err("the JSONPath is empty; write e.g. `$.Id`".to_owned());
        }
        if !source.starts_with('$') {
            if trimmed.starts_with('$') {
                return Err("a JSONPath must start with `$`; remove the space before it".to_owned());
            }
            let rest = trimmed.trim_start_matches('@').trim_start_matches('.');
            let dot = if rest.starts_with('[') { "" } else { "." };
            return Err(format!(
                "a JSONPath must start with `$` (the root), e.g. `${dot}{rest}`"
            ));
        }
        let query = parse_json_path(source).map_err(|err| {
            // Unbalanced brackets and quotes are the usual mistake, and the
            // parser's report for them points at the wrong place; say it
            // plainly. Otherwise use the parser's own report.
            unbalanced(source).unwrap_or_else(|| describe_error(err, source))
        })?;
        let plan = plan_of(&query);
        Ok(JsonPath {
            source: source.to_owned(),
            query,
            plan,
        })
    }

    /// The source text this path was compiled from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every match, in document order (the records of a page).
    ///
    /// A path that matches nothing gives an empty vector.
    #[must_use]
    pub fn select<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        match &self.plan {
            Some(steps) => {
                let mut out = Vec::new();
                select_plan(value, steps, &mut out);
                out
            }
            None => self.select_with_library(value),
        }
    }

    /// The first match in document order, if any (a column value).
    ///
    /// For a path on the fast route (names, indexes, wildcards,
    /// `[?(@.Name == 'text')]`) this allocates nothing.
    #[must_use]
    pub fn first<'a>(&self, value: &'a Value) -> Option<&'a Value> {
        match &self.plan {
            Some(steps) => first_plan(value, steps),
            None => self.select_with_library(value).into_iter().next(),
        }
    }

    /// Whether this path is evaluated by the allocation-free fast path.
    #[must_use]
    pub fn is_fast(&self) -> bool {
        self.plan.is_some()
    }

    /// What this path selects of a QBO query page, when it is one of the two plain forms
    /// `$.QueryResponse.<Entity>[*]` or `$.QueryResponse.*[*]` (the default): then the records
    /// can be found without building the page.
    #[must_use]
    pub fn query_rows(&self) -> Option<QueryRows<'_>> {
        match self.plan.as_deref()? {
            [Step::Member(response), entity, Step::Wildcard] if response == "QueryResponse" => {
                match entity {
                    Step::Member(name) => Some(QueryRows::Entity(name)),
                    Step::Wildcard => Some(QueryRows::Every),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Evaluate with `jsonpath-rust`, whatever the shape of the path.
    fn select_with_library<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        // The library reports an error only when a query evaluates to a
        // computed value rather than to nodes of the document, which a
        // top-level query cannot do; treat it as "no match" rather than fail.
        match js_path_process(&self.query, value) {
            Ok(found) => found.into_iter().map(QueryRef::val).collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl fmt::Debug for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JsonPath").field(&self.source()).finish()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source())
    }
}

/// Lower a compiled query to hand-evaluated steps, if every segment allows it.
fn plan_of(query: &JpQuery) -> Option<Vec<Step>> {
    query
        .segments
        .iter()
        .map(|segment| match segment {
            Segment::Selector(Selector::Name(name)) => Some(Step::Member(name.clone())),
            Segment::Selector(Selector::Index(index)) => Some(Step::Index(*index)),
            Segment::Selector(Selector::Wildcard) => Some(Step::Wildcard),
            Segment::Selector(Selector::Filter(filter)) => plan_filter(filter),
            _ => None,
        })
        .collect()
}

/// Lower `?(@.a.b == 'text')` (either operand order, any number of
/// parentheses) to [`Step::WhereEquals`]; any other filter is left to the
/// library. The library's rule for this comparison is plain JSON equality
/// with the string, which is what [`Step::accepts`] checks.
fn plan_filter(filter: &Filter) -> Option<Step> {
    match filter {
        Filter::Atom(FilterAtom::Filter { expr, not: false }) => plan_filter(expr),
        Filter::Atom(FilterAtom::Comparison(comparison)) => match comparison.as_ref() {
            Comparison::Eq(
                Comparable::SingularQuery(SingularQuery::Current(segments)),
                Comparable::Literal(Literal::String(text)),
            )
            | Comparison::Eq(
                Comparable::Literal(Literal::String(text)),
                Comparable::SingularQuery(SingularQuery::Current(segments)),
            ) => Some(Step::WhereEquals {
                path: segments
                    .iter()
                    .map(|segment| match segment {
                        SingularQuerySegment::Name(name) => Step::Member(name.clone()),
                        SingularQuerySegment::Index(index) => Step::Index(*index),
                    })
                    .collect(),
                text: text.clone(),
            }),
            _ => None,
        },
        _ => None,
    }
}

/// The element of `value` at `index` (negative counts from the end), with the
/// same rules as the library: only arrays have elements.
fn element(value: &Value, index: i64) -> Option<&Value> {
    let items = value.as_array()?;
    if index >= 0 {
        items.get(usize::try_from(index).ok()?)
    } else {
        let back = usize::try_from(index.unsigned_abs()).ok()?;
        items.len().checked_sub(back).and_then(|i| items.get(i))
    }
}

/// The first match of `steps` under `value`, depth first.
fn first_plan<'a>(value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    let mut current = value;
    for (at, step) in steps.iter().enumerate() {
        match step {
            Step::Member(name) => current = current.as_object()?.get(name.as_str())?,
            Step::Index(index) => current = element(current, *index)?,
            Step::Wildcard | Step::WhereEquals { .. } => {
                let rest = &steps[at + 1..];
                let found = |item: &'a Value| {
                    if step.accepts(item) {
                        first_plan(item, rest)
                    } else {
                        None
                    }
                };
                return match current {
                    Value::Array(items) => items.iter().find_map(found),
                    Value::Object(map) => map.values().find_map(found),
                    _ => None,
                };
            }
        }
    }
    Some(current)
}

/// Push every match of `steps` under `value` onto `out`, in document order.
fn select_plan<'a>(value: &'a Value, steps: &[Step], out: &mut Vec<&'a Value>) {
    let mut current = value;
    for (at, step) in steps.iter().enumerate() {
        let next = match step {
            Step::Member(name) => current.as_object().and_then(|map| map.get(name.as_str())),
            Step::Index(index) => element(current, *index),
            Step::Wildcard | Step::WhereEquals { .. } => {
                let rest = &steps[at + 1..];
                let mut each = |item: &'a Value| {
                    if step.accepts(item) {
                        select_plan(item, rest, out);
                    }
                };
                match current {
                    Value::Array(items) => items.iter().for_each(&mut each),
                    Value::Object(map) => map.values().for_each(&mut each),
                    _ => {}
                }
                return;
            }
        };
        match next {
            Some(found) => current = found,
            None => return,
        }
    }
    out.push(current);
}

/// Turn a `jsonpath-rust` error into one line a user can act on.
fn describe_error(err: JsonPathError, source: &str) -> String {
    let JsonPathError::PestError(pest) = err else {
        let text = err.to_string();
        return format!(
            "invalid JSONPath: {}",
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    };
    // The position is reachable only through the `Debug` form of the pest
    // location without a direct dependency on `pest`: take the first two
    // numbers (line, column) of e.g. `Pos((1, 9))`.
    let column = first_two_numbers(&format!("{:?}", pest.line_col)).map(|(_, col)| col);
    // Collect the rules the parser wanted, to name them in words, once each.
    let mut rules: Vec<Rule> = Vec::new();
    let renamed = (*pest).renamed_rules(|rule| {
        rules.push(*rule);
        String::new()
    });
    let wanted = if rules.is_empty() || renamed.variant.message().starts_with("unexpected") {
        "the path is malformed".to_owned()
    } else {
        let mut labels: Vec<(u8, String)> = rules.iter().copied().map(rule_label).collect();
        labels.sort();
        labels.dedup();
        format!(
            "expected {}",
            word_list(labels.into_iter().map(|(_, l)| l).collect())
        )
    };
    match column {
        Some(col) => {
            let found = match source.chars().nth(col.saturating_sub(1)) {
                Some(c) => format!("found `{c}`"),
                None => "found the end of the path".to_owned(),
            };
            format!("invalid JSONPath at character {col}: {wanted}, {found}")
        }
        None => format!("invalid JSONPath: {wanted}"),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn word_list(mut words: Vec<String>) -> String {
    match words.pop() {
        None => String::new(),
        Some(last) if words.is_empty() => last,
        Some(last) => format!("{} or {last}", words.join(", ")),
    }
}

/// Describe the first unbalanced bracket, parenthesis or quote of `source`,
/// if there is one. Positions are characters counted from 1.
fn unbalanced(source: &str) -> Option<String> {
    let mut open: Vec<(char, usize)> = Vec::new();
    let mut quote: Option<(char, usize)> = None;
    let mut escaped = false;
    for (at, c) in (1..).zip(source.chars()) {
        if let Some((delimiter, _)) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == delimiter {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some((c, at)),
            '[' | '(' => open.push((c, at)),
            ']' | ')' => {
                let wanted = if c == ']' { '[' } else { '(' };
                match open.pop() {
                    Some((opener, _)) if opener == wanted => {}
                    Some((opener, opened_at)) => {
                        return Some(format!(
                            "invalid JSONPath at character {at}: `{c}` does not close the `{opener}` at character {opened_at}"
                        ));
                    }
                    None => {
                        return Some(format!(
                            "invalid JSONPath at character {at}: `{c}` has no matching `{wanted}`"
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some((delimiter, at)) = quote {
        return Some(format!(
            "invalid JSONPath at character {at}: the string starting here is never closed with {delimiter}"
        ));
    }
    open.pop().map(|(opener, at)| {
        let closer = if opener == '[' { ']' } else { ')' };
        format!("invalid JSONPath at character {at}: `{opener}` is never closed with `{closer}`")
    })
}

/// The first two unsigned integers found in `text`.
fn first_two_numbers(text: &str) -> Option<(usize, usize)> {
    let mut numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .filter_map(|part| part.parse::<usize>().ok());
    Some((numbers.next()?, numbers.next()?))
}

/// Words for a grammar rule in an "expected ..." message, with a rank that
/// orders the words the way a path is read.
fn rule_label(rule: Rule) -> (u8, String) {
    let (rank, words) = match rule {
        Rule::segments
        | Rule::segment
        | Rule::child_segment
        | Rule::name_segment
        | Rule::index_segment => (0, "`.name` or `[...]`"),
        Rule::bracketed_selection => (1, "`[...]`"),
        Rule::descendant_segment => (2, "`..name`"),
        Rule::member_name_shorthand | Rule::ALPHA | Rule::name_first | Rule::name_char => {
            (3, "a member name")
        }
        Rule::selector => (
            4,
            "a selector (quoted name, index, `*`, slice or `?` filter)",
        ),
        Rule::name_selector | Rule::string => (5, "a quoted name"),
        Rule::index_selector | Rule::int => (6, "an index"),
        Rule::wildcard_selector => (7, "`*`"),
        Rule::slice_selector | Rule::step => (8, "a slice"),
        Rule::filter_selector => (9, "a filter `?(...)`"),
        Rule::logical_expr | Rule::logical_expr_and | Rule::atom_expr => {
            (10, "a filter expression")
        }
        Rule::paren_expr => (11, "`(`"),
        Rule::comp_expr => (12, "a comparison"),
        Rule::comp_op => (13, "a comparison operator such as `==`"),
        Rule::comparable | Rule::literal => {
            (14, "a value ('text', number, true, false, null or a path)")
        }
        Rule::singular_query
        | Rule::rel_singular_query
        | Rule::abs_singular_query
        | Rule::test
        | Rule::test_expr
        | Rule::rel_query => (15, "a path such as `@.Name`"),
        Rule::function_expr => (16, "a function call"),
        Rule::EOI => (20, "the end of the path"),
        other => return (19, format!("{other:?}").replace('_', " ")),
    };
    (rank, words.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Two invoices as a QBO query page, trimmed from a real-shaped sample.
    const PAGE: &str = r#"{
      "QueryResponse": {
        "Invoice": [
          {
            "Id": "1187",
            "SyncToken": "2",
            "MetaData": {"CreateTime": "2025-09-02T08:14:51-07:00"},
            "CustomField": [
              {"DefinitionId": "1", "Name": "PO Number", "Type": "StringType", "StringValue": "PO-55821"}
            ],
            "DocNumber": "10412",
            "Line": [
              {"Id": "1", "LineNum": 1, "Amount": 450.0, "DetailType": "SalesItemLineDetail"},
              {"Id": "2", "LineNum": 2, "Amount": 96.5, "DetailType": "SalesItemLineDetail"},
              {"Amount": 546.5, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
            ],
            "CustomerRef": {"value": "58", "name": "Harbor Point Dental"},
            "TotalAmt": 554.46,
            "Balance": 0
          },
          {
            "Id": "1192",
            "SyncToken": "0",
            "MetaData": {"CreateTime": "2025-09-05T11:40:22-07:00"},
            "CustomField": [],
            "DocNumber": "10413",
            "Line": [
              {"Id": "1", "LineNum": 1, "Amount": 275.0, "DetailType": "SalesItemLineDetail"},
              {"Amount": 275.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
            ],
            "CustomerRef": {"value": "64", "name": "Northgate Bakery Co."},
            "TotalAmt": 275.0,
            "Balance": 275.0
          }
        ],
        "startPosition": 1,
        "maxResults": 2
      },
      "time": "2025-09-19T09:12:44.318-07:00"
    }"#;

    fn page() -> Value {
        serde_json::from_str(PAGE).unwrap_or(Value::Null)
    }

    fn path(source: &str) -> JsonPath {
        match JsonPath::parse(source) {
            Ok(p) => p,
            Err(e) => panic!("{source} should compile: {e}"),
        }
    }

    /// The library's answer, bypassing the fast path.
    fn library(p: &JsonPath, value: &Value) -> Vec<Value> {
        p.select_with_library(value).into_iter().cloned().collect()
    }

    fn owned(found: Vec<&Value>) -> Vec<Value> {
        found.into_iter().cloned().collect()
    }

    #[test]
    fn records_path_selects_every_invoice_in_order() {
        let page = page();
        let records = path("$.QueryResponse.Invoice[*]");
        let found = records.select(&page);
        let ids: Vec<&str> = found.iter().filter_map(|r| r["Id"].as_str()).collect();
        assert_eq!(ids, ["1187", "1192"]);
    }

    #[test]
    fn column_paths_pick_the_first_match() {
        let page = page();
        let invoice = &page["QueryResponse"]["Invoice"][0];
        assert_eq!(path("$.Id").first(invoice), Some(&json!("1187")));
        assert_eq!(
            path("$.CustomerRef.name").first(invoice),
            Some(&json!("Harbor Point Dental"))
        );
        assert_eq!(path("$.Line[0].Amount").first(invoice), Some(&json!(450.0)));
        assert_eq!(
            path("$.Line[-1].Amount").first(invoice),
            Some(&json!(546.5))
        );
        let po = path("$.CustomField[?(@.Name == 'PO Number')].StringValue");
        assert!(po.is_fast());
        assert_eq!(po.first(invoice), Some(&json!("PO-55821")));
        let second = &page["QueryResponse"]["Invoice"][1];
        assert_eq!(po.first(second), None);
        assert_eq!(path("$.Missing.name").first(invoice), None);
    }

    #[test]
    fn fast_path_is_used_for_plain_paths_only() {
        for source in [
            "$",
            "$.Id",
            "$.CustomerRef.name",
            "$.Line[0].Amount",
            "$['Line'][*]['Amount']",
            "$.*",
            "$.QueryResponse.Invoice[*]",
            "$.CustomField[?(@.Name == 'PO Number')].StringValue",
            "$.CustomField[?@.Name == \"PO Number\"]",
            "$.CustomField[?(('PO Number' == @['Name']))]",
            "$.a[?(@ == 'x')]",
        ] {
            assert!(path(source).is_fast(), "{source}");
        }
        for source in [
            "$..Amount",
            "$.Line[0:2]",
            "$.Line[0,1]",
            "$.Line[?(@.Amount > 100)]",
            "$.Line[?(@.Amount == 100)]",
            "$.a[?(@.b != 'x')]",
            "$.a[?(@.b == 'x' && @.c == 'y')]",
            "$.a[?(@.b == 'x' || @.c == 'y')]",
            "$.a[?(!(@.b == 'x'))]",
            "$.a[?($.b == 'x')]",
            "$.a[?(@.b == @.c)]",
            "$.a[?(@.b)]",
        ] {
            assert!(!path(source).is_fast(), "{source}");
        }
    }

    #[test]
    fn fast_path_agrees_with_the_library() {
        let page = page();
        let invoices = page["QueryResponse"]["Invoice"].clone();
        let odd = json!({
            "a": [1, {"b": 2}, [3]],
            "b": {"a": null, "b": {"c": true}},
            "": "empty",
            "c": {"x": {"k": "v"}, "y": {"k": "w"}, "z": [{"k": "v"}], "n": {"k": 1}},
            "d": ["x", "y", "x", 1, null, ["x"]]
        });
        let sources = [
            "$",
            "$.QueryResponse",
            "$.QueryResponse.Invoice[*]",
            "$.QueryResponse.Invoice[*].Id",
            "$.QueryResponse.Invoice[*].Line[*].Amount",
            "$.QueryResponse.Invoice[1].CustomerRef.name",
            "$.QueryResponse.Invoice[-1].Id",
            "$.QueryResponse.Invoice[-2].Id",
            "$.QueryResponse.Invoice[-3].Id",
            "$.QueryResponse.Invoice[2].Id",
            "$.QueryResponse.*",
            "$.*",
            "$.*.*",
            "$.Id",
            "$[0]",
            "$[0].Id",
            "$[*].Line[0].Amount",
            "$[*].CustomField[*].StringValue",
            "$.a[*]",
            "$.a[*].b",
            "$.a[1].b",
            "$.a[2][0]",
            "$.b.*",
            "$.b.b.c",
            "$.b.a",
            "$.b[0]",
            "$.a.b",
            "$['']",
            "$.time[0]",
            "$.time.x",
            "$.QueryResponse.Invoice[*].CustomField[?(@.Name == 'PO Number')].StringValue",
            "$[*].CustomField[?(@.Name == 'PO Number')]",
            "$.CustomField[?(@.Name == 'PO Number')].StringValue",
            "$.QueryResponse.Invoice[?(@.Id == '1192')].DocNumber",
            "$.QueryResponse.Invoice[?@.CustomerRef.name == 'Harbor Point Dental'].Id",
            "$.QueryResponse.Invoice[?(@.Line[0].Id == '1')].Id",
            "$.QueryResponse.Invoice[?(@.Line[-1].DetailType == 'SubTotalLineDetail')].Id",
            "$.QueryResponse.Invoice[?(@.Balance == '0')].Id",
            "$[?(@.Id == '1187')].Line[*].Amount",
            "$.c[?(@.k == 'v')]",
            "$.c[?(@.k == 'v')].k",
            "$.c.z[?(@.k == 'v')]",
            "$.c[?(@.k == '1')]",
            "$.d[?(@ == 'x')]",
            "$.d[?('x' == @)]",
            "$.d[?(@[0] == 'x')]",
            "$.*[?(@.k == 'v')]",
        ];
        for source in sources {
            let p = path(source);
            assert!(p.is_fast(), "{source} should take the fast path");
            for doc in [
                &page,
                &invoices,
                &invoices[0],
                &odd,
                &json!(null),
                &json!([]),
                &json!("s"),
            ] {
                let lib = library(&p, doc);
                assert_eq!(owned(p.select(doc)), lib, "select {source} on {doc}");
                assert_eq!(
                    p.first(doc).cloned(),
                    lib.first().cloned(),
                    "first {source}"
                );
            }
        }
    }

    #[test]
    fn library_path_selects_in_document_order() {
        let page = page();
        let amounts = path("$..Line[?(@.DetailType == 'SalesItemLineDetail')].Amount");
        assert_eq!(
            owned(amounts.select(&page)),
            [json!(450.0), json!(96.5), json!(275.0)]
        );
    }

    #[test]
    fn source_and_display_keep_the_text() {
        let p = path("$.CustomerRef.name");
        assert_eq!(p.source(), "$.CustomerRef.name");
        assert_eq!(p.to_string(), "$.CustomerRef.name");
        assert_eq!(format!("{p:?}"), "JsonPath(\"$.CustomerRef.name\")");
    }

    #[test]
    fn parse_errors_are_one_line_and_say_where() {
        let cases = [
            ("", "the JSONPath is empty; write e.g. `$.Id`"),
            (
                "Id",
                "a JSONPath must start with `$` (the root), e.g. `$.Id`",
            ),
            (
                "@.CustomerRef.name",
                "a JSONPath must start with `$` (the root), e.g. `$.CustomerRef.name`",
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(JsonPath::parse(source).err().as_deref(), Some(expected));
        }
        assert_eq!(
            JsonPath::parse("@[0].Id").err().as_deref(),
            Some("a JSONPath must start with `$` (the root), e.g. `$[0].Id`")
        );
        assert_eq!(
            JsonPath::parse(" $.Id").err().as_deref(),
            Some("a JSONPath must start with `$`; remove the space before it")
        );
        let cases = [
            (
                "$.Line[0",
                "invalid JSONPath at character 7: `[` is never closed with `]`",
            ),
            (
                "$.Line[0]]",
                "invalid JSONPath at character 10: `]` has no matching `[`",
            ),
            (
                "$.a[?(@.b == 'x']",
                "invalid JSONPath at character 17: `]` does not close the `(` at character 6",
            ),
            (
                "$['a]",
                "invalid JSONPath at character 3: the string starting here is never closed with '",
            ),
            (
                "$.CustomField[?(@.Name == PO Number)]",
                "invalid JSONPath at character 27: expected a value ('text', number, true, \
                 false, null or a path), found `P`",
            ),
            (
                "$.",
                "invalid JSONPath at character 3: expected a member name or `*`, found the end of the path",
            ),
            (
                "$.1abc",
                "invalid JSONPath at character 3: expected a member name or `*`, found `1`",
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(
                JsonPath::parse(source).err().as_deref(),
                Some(expected),
                "{source}"
            );
        }
        for source in ["$[abc]", "$..", "$.a[?@.b = 'x']", "$[1.5]", "$[?(@.x > )]"] {
            let err = JsonPath::parse(source).err().unwrap_or_default();
            assert!(
                err.starts_with("invalid JSONPath at character "),
                "{source}: {err}"
            );
            assert!(!err.contains('\n'), "{source}: {err}");
        }
    }
}
