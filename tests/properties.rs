//! Generated and mutated input for every parser qbo-run has: request and connection files,
//! template values in each place they go, QBO's answers (Faults in JSON and XML, token answers,
//! reports, CDC, batch), write inputs, and the emulator's query language. Bad input must give a
//! clear error (with file:line:col for files) or a result, never a panic, and a rendered request
//! must carry exactly the values given.
//!
//! Each property runs `PROPTEST_CASES` cases (default 256, a few seconds); a long run is
//! `PROPTEST_CASES=100000 cargo test --release --test properties`.

mod common;

use proptest::prelude::*;
use qbo_run::connection::ResolvedConnection;
use qbo_run::diagnostics::ErrorKind;
use qbo_run::render::{self, RenderedRequest};
use qbo_run::spec::{ConnectionSpec, RequestSpec, SourceFile};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn config() -> ProptestConfig {
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The shipped request and connection files, as (path, text).
fn shipped(folder: &str) -> Vec<(PathBuf, String)> {
    let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(repo(folder))
        .expect("folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            (p, text)
        })
        .collect();
    files.sort();
    files
}

/// A change to a text: cut a range, insert text, repeat or drop a line, swap two lines.
#[derive(Debug, Clone)]
enum Mutation {
    Cut(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    DropLine(usize),
    SwapLines(usize, usize),
    IndentLine(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippets = prop_oneof![
        Just(":".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("- ".to_string()),
        Just("{{".to_string()),
        Just("}}".to_string()),
        Just("{% if %}".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("[".to_string()),
        Just("&anchor ".to_string()),
        Just("*anchor".to_string()),
        Just("!!binary ".to_string()),
        Just("\t".to_string()),
        Just("é".to_string()),
        Just("paginate: { style: qbo-query, page_size: 0 }\n".to_string()),
        Just("extract: cdc\n".to_string()),
        Just("extract: report\n".to_string()),
        "\\PC{0,12}",
    ];
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Cut(at, len)),
        (any::<usize>(), snippets).prop_map(|(at, s)| Mutation::Insert(at, s)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::DropLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), 0usize..6).prop_map(|(a, n)| Mutation::IndentLine(a, n)),
    ]
}

fn apply(text: &str, mutations: &[Mutation]) -> String {
    let mut text = text.to_string();
    for mutation in mutations {
        let boundary = |text: &str, at: usize| {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match mutation {
            Mutation::Cut(at, len) => {
                let start = boundary(&text, *at);
                let end = boundary(&text, start.saturating_add(*len).min(text.len()));
                text.replace_range(start..end.max(start), "");
                continue;
            }
            Mutation::Insert(at, snippet) => {
                let at = boundary(&text, *at);
                text.insert_str(at, snippet);
                continue;
            }
            _ if lines.is_empty() => continue,
            Mutation::DuplicateLine(i) => {
                let i = i % lines.len();
                let line = lines[i].clone();
                lines.insert(i, line);
            }
            Mutation::DropLine(i) => {
                let i = i % lines.len();
                lines.remove(i);
            }
            Mutation::SwapLines(a, b) => {
                let (a, b) = (a % lines.len(), b % lines.len());
                lines.swap(a, b);
            }
            Mutation::IndentLine(i, n) => {
                let i = i % lines.len();
                lines[i] = format!("{}{}", " ".repeat(*n), lines[i]);
            }
        }
        text = lines.join("\n");
        text.push('\n');
    }
    text
}

/// A file error must say where: file, line and column (or, for a file that cannot be read at
/// all, name the file).
fn assert_located(result: Result<(), qbo_run::diagnostics::Error>, path: &Path, text: &str) {
    if let Err(error) = result {
        assert_eq!(
            error.kind(),
            ErrorKind::File,
            "{}\n--- text ---\n{text}",
            error.message()
        );
        let located = error
            .location()
            .is_some_and(|at| at.path == path && at.line >= 1);
        assert!(
            located,
            "no file:line:col for: {}\n--- text ---\n{text}",
            error.message()
        );
    }
}

/// YAML documents built from the keys request files have and arbitrary values.
fn yaml_doc() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("method"),
        Just("path"),
        Just("params"),
        Just("headers"),
        Just("body"),
        Just("vars"),
        Just("records"),
        Just("paginate"),
        Just("output"),
        Just("extract"),
        Just("incremental"),
        Just("input"),
        Just("write"),
        Just("batch"),
        Just("description"),
        Just("connection"),
        Just("metod"),
        Just("environment"),
        Just("base_url"),
        Just("oauth2"),
        Just("limits"),
        Just("token_store"),
    ];
    let scalar = prop_oneof![
        Just("GET".to_string()),
        Just("POST".to_string()),
        Just("/v3/company/{{ realm_id }}/query".to_string()),
        Just("$.QueryResponse.Invoice[*]".to_string()),
        Just("{{ since }}".to_string()),
        Just("{{".to_string()),
        Just("~".to_string()),
        Just("123".to_string()),
        Just("-1".to_string()),
        Just("true".to_string()),
        Just("emulator".to_string()),
        Just("$[".to_string()),
        "[a-z{}$.*'\\[\\] ]{0,16}",
    ];
    let value = scalar.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!(
                "[{}]",
                items
                    .iter()
                    .map(|i| format!("{i:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(|pairs| format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{k}: {v:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ]
    });
    prop::collection::vec((key, value), 0..8).prop_map(|pairs| {
        pairs
            .iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn request_files_load_or_name_file_line_and_column(doc in yaml_doc()) {
        let path = PathBuf::from("requests/generated.yaml");
        let result = RequestSpec::from_file(SourceFile::from_text(&path, doc.clone())).map(|_| ());
        assert_located(result, &path, &doc);
    }

    #[test]
    fn mutated_shipped_request_files_load_or_name_file_line_and_column(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
        let files = FILES.get_or_init(|| shipped("requests"));
        let (path, text) = &files[pick.index(files.len())];
        let text = apply(text, &mutations);
        let result = RequestSpec::from_file(SourceFile::from_text(path, text.clone())).map(|_| ());
        assert_located(result, path, &text);
    }

    #[test]
    fn mutated_shipped_connection_files_load_or_name_file_line_and_column(
        pick in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        static FILES: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
        let files = FILES.get_or_init(|| shipped("connections"));
        let (path, text) = &files[pick.index(files.len())];
        let text = apply(text, &mutations);
        let result = ConnectionSpec::from_file(SourceFile::from_text(path, text.clone())).map(|_| ());
        assert_located(result, path, &text);
    }
}

/// A request file with `value` interpolated in a QBO literal, a path segment, a JSON body and a
/// header, and the connection to render it with.
fn rendered_with(value: &str) -> Result<RenderedRequest, qbo_run::diagnostics::Error> {
    static SPECS: OnceLock<(RequestSpec, ResolvedConnection)> = OnceLock::new();
    let (spec, connection) = SPECS.get_or_init(|| {
        let request = RequestSpec::from_file(SourceFile::from_text(
            Path::new("requests/places.yaml"),
            "method: POST\n\
             path: /v3/company/{{ realm_id }}/customer/{{ v }}\n\
             vars: { v: { default: x } }\n\
             params:\n  query: \"select * from Customer where DisplayName = '{{ v }}' and Active = true\"\n\
             headers:\n  X-Note: \"{{ v }}\"\n\
             body: '{\"DisplayName\": {{ v }}, \"Notes\": \"n\"}'\n"
                .to_string(),
        ))
        .expect("the template file loads");
        let connection = ConnectionSpec::from_file(SourceFile::from_text(
            Path::new("connections/emulator.yaml"),
            "environment: emulator\n".to_string(),
        ))
        .expect("connection");
        let resolved = ResolvedConnection::resolve(&connection, None).expect("resolves");
        (request, resolved)
    });
    let vars = render::resolve_vars(spec, &[("v".to_string(), value.to_string())])?;
    RenderedRequest::render(spec, connection, "9341453050298464", &vars)
}

/// The one single-quoted QBO literal after `DisplayName = ` in `statement`, unescaped, and what
/// follows it.
fn literal_after(statement: &str, marker: &str) -> (String, String) {
    let start = statement.find(marker).expect("marker") + marker.len();
    let mut chars = statement[start..].chars();
    assert_eq!(chars.next(), Some('\''), "{statement}");
    let mut value = String::new();
    let mut rest = String::new();
    let mut closed = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.extend(chars.next()),
            '\'' => {
                closed = true;
                rest = chars.collect();
                break;
            }
            other => value.push(other),
        }
    }
    assert!(closed, "the literal is closed: {statement}");
    (value, rest)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn template_values_round_trip_in_every_place(value in "\\PC{0,24}|.{0,24}") {
        let rendered = match rendered_with(&value) {
            Ok(rendered) => rendered,
            Err(error) => {
                // A header refuses a value HTTP cannot carry; a path refuses `.` and `..`, which
                // URLs resolve away. Nothing else is refused.
                let header = error.message().contains("header `X-Note`")
                    && reqwest::header::HeaderValue::from_str(&value).is_err();
                let dots = value == "." || value == "..";
                prop_assert!(header || dots, "{value:?}: {}", error.message());
                return Ok(());
            }
        };
        // QBO literal: exactly the value, and nothing escapes the literal.
        let statement: String = rendered
            .url
            .query_pairs()
            .find(|(k, _)| k == "query")
            .map(|(_, v)| v.into_owned())
            .expect("query");
        let (literal, rest) = literal_after(&statement, "DisplayName = ");
        prop_assert_eq!(&literal, &value);
        prop_assert_eq!(rest, " and Active = true");
        // Path segment: one segment, decoded to the value.
        let segments: Vec<String> = rendered
            .url
            .path_segments()
            .expect("segments")
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        prop_assert_eq!(segments.len(), 5, "{:?}", segments);
        prop_assert_eq!(&segments[4], &value);
        // JSON body: the value as a string, and no other key appears.
        let (_, body) = rendered.body.as_ref().expect("body");
        let body: Value = serde_json::from_str(body).expect("the body is JSON");
        prop_assert_eq!(body, json!({"DisplayName": value.clone(), "Notes": "n"}));
        // Header: carried as given.
        let header = rendered.headers.iter().find(|(n, _)| n == "X-Note").map(|(_, v)| v.clone());
        prop_assert_eq!(header, Some(value.clone()));
    }
}

/// Bytes made from a sample by cutting, inserting and flipping.
fn mutated_bytes(samples: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(samples),
        prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6),
    )
        .prop_map(|(mut bytes, edits)| {
            for (at, byte, kind) in edits {
                let at = at % (bytes.len() + 1);
                match kind {
                    0 => bytes.insert(at, byte),
                    1 if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ if at < bytes.len() => bytes[at] = byte,
                    _ => bytes.push(byte),
                }
            }
            bytes
        })
}

fn fixtures(prefix: &str) -> Vec<Vec<u8>> {
    let mut found: Vec<Vec<u8>> = std::fs::read_dir(repo("tests/fixtures"))
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .map(|p| std::fs::read(p).expect("fixture"))
        .collect();
    found.sort();
    assert!(!found.is_empty(), "fixtures {prefix}*");
    found
}

/// A JSON value of any shape, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("Rows".to_string()),
                        Just("Row".to_string()),
                        Just("ColData".to_string()),
                        Just("Header".to_string()),
                        Just("Summary".to_string()),
                        Just("Columns".to_string()),
                        Just("Column".to_string()),
                        Just("type".to_string()),
                        Just("value".to_string()),
                        Just("CDCResponse".to_string()),
                        Just("QueryResponse".to_string()),
                        Just("Fault".to_string()),
                        Just("Error".to_string()),
                        Just("Invoice".to_string()),
                        Just("status".to_string()),
                        "[a-zA-Z]{1,6}",
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn faults_in_any_shape_parse_or_are_not_faults(
        body in mutated_bytes([fixtures("fault-"), fixtures("query-"), fixtures("batch-")].concat()),
    ) {
        if let Some(fault) = qbo_run::http::parse_fault(&body) {
            for error in &fault.errors {
                prop_assert!(error.code.len() < body.len() + 8);
            }
        }
    }

    #[test]
    fn token_answers_in_any_shape_parse_or_are_not_errors(
        body in mutated_bytes(fixtures("token-")),
    ) {
        if let Some((error, _)) = qbo_run::http::parse_oauth_error(&body) {
            prop_assert!(!error.is_empty() || body.windows(5).any(|w| w == b"error"));
        }
    }

    #[test]
    fn reports_in_any_shape_become_rows_or_a_remote_error(
        report in prop_oneof![
            any_json(),
            mutated_bytes(fixtures("report-")).prop_map(|b| serde_json::from_slice(&b).unwrap_or(Value::Null)),
        ],
    ) {
        if let Err(error) = qbo_run::report::flatten(&report) {
            prop_assert_eq!(error.kind(), ErrorKind::Remote, "{}", error.message());
        }
    }

    #[test]
    fn cdc_answers_in_any_shape_give_records_or_a_remote_error(
        answer in prop_oneof![
            any_json(),
            mutated_bytes(fixtures("cdc-")).prop_map(|b| serde_json::from_slice(&b).unwrap_or(Value::Null)),
        ],
    ) {
        let mut records = 0usize;
        let result = qbo_run::cdc::for_each_record(&answer, &mut |_| {
            records += 1;
            Ok(())
        });
        if let Err(error) = result {
            prop_assert_eq!(error.kind(), ErrorKind::Remote, "{}", error.message());
        }
    }

    #[test]
    fn batch_items_in_any_shape_are_faults_or_not(item in any_json()) {
        let _ = qbo_run::http::fault_from_json(&item);
    }
}

/// Reads every row of `bytes` as a `format` input file; rows and errors, never a panic, and
/// every error located.
fn read_input(bytes: &[u8], format: qbo_run::spec::InputFormat, name: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("write");
    match qbo_run::write::InputRows::open(&path, format) {
        Ok(rows) => {
            for row in rows {
                if let Err(error) = row {
                    assert!(
                        error.location().is_some_and(|at| at.path == path),
                        "{}",
                        error.message()
                    );
                    break;
                }
            }
        }
        Err(error) => assert!(
            error.location().is_some() || error.message().contains(name),
            "{}",
            error.message()
        ),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_inputs_give_rows_or_located_errors(
        bytes in mutated_bytes(vec![
            std::fs::read(repo("requests/examples/new_invoices.csv")).expect("example"),
            b"id,sync_token\n1,0\n2,\"1\"\n".to_vec(),
        ]),
    ) {
        read_input(&bytes, qbo_run::spec::InputFormat::Csv, "rows.csv");
    }

    #[test]
    fn json_lines_inputs_give_rows_or_located_errors(
        bytes in mutated_bytes(vec![
            b"{\"id\": \"1\", \"sync_token\": \"0\"}\n{\"id\": 2}\n\n[1]\n".to_vec(),
            b"{\"a\": {\"b\": [1, 2, {\"c\": null}]}}\n".to_vec(),
        ]),
    ) {
        read_input(&bytes, qbo_run::spec::InputFormat::Jsonl, "rows.jsonl");
    }
}

/// A running emulator and an access token for it, shared by the query-language cases.
struct Emulated {
    runtime: tokio::runtime::Runtime,
    base_url: String,
    http: reqwest::Client,
    access: String,
}

fn emulated() -> &'static Emulated {
    static EMULATED: OnceLock<Emulated> = OnceLock::new();
    EMULATED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let (base_url, access) = runtime.block_on(async {
            let config = qbo_emulator::EmulatorConfig {
                invoices: 200,
                max_in_flight: 0,
                requests_per_minute: 0,
                ..qbo_emulator::EmulatorConfig::default()
            };
            let emulator =
                qbo_emulator::Emulator::start(config, "127.0.0.1:0".parse().expect("addr"))
                    .await
                    .expect("emulator");
            let base_url = emulator.base_url();
            std::mem::forget(emulator);
            let access = common::raw_http::emulator_access_token(&base_url);
            (base_url, access)
        });
        Emulated {
            runtime,
            base_url,
            http: reqwest::Client::new(),
            access,
        }
    })
}

/// Statements built from the query language's words and arbitrary text.
fn statement() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("select"),
        Just("SELECT"),
        Just("*"),
        Just("count(*)"),
        Just("COUNT(*)"),
        Just("from"),
        Just("FROM"),
        Just("Invoice"),
        Just("Customer"),
        Just("Item"),
        Just("Nothing"),
        Just("where"),
        Just("WHERE"),
        Just("and"),
        Just("or"),
        Just("not"),
        Just("="),
        Just("!="),
        Just("<"),
        Just(">="),
        Just("in"),
        Just("IN"),
        Just("("),
        Just(")"),
        Just(","),
        Just("like"),
        Just("'%a%'"),
        Just("'O\\'Brien'"),
        Just("'"),
        Just("''"),
        Just("Id"),
        Just("DocNumber"),
        Just("TotalAmt"),
        Just("Active"),
        Just("true"),
        Just("Metadata.LastUpdatedTime"),
        Just("MetaData.CreateTime"),
        Just("'2025-01-01'"),
        Just("orderby"),
        Just("ORDER BY"),
        Just("asc"),
        Just("desc"),
        Just("startposition"),
        Just("maxresults"),
        Just("1"),
        Just("0"),
        Just("-5"),
        Just("1001"),
        Just("99999999999999999999"),
        Just("1.5"),
        Just("Sku"),
        Just("Line.Amount"),
        Just(";"),
    ];
    prop_oneof![
        4 => prop::collection::vec(word, 0..14).prop_map(|words| words.join(" ")),
        1 => "\\PC{0,40}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_emulators_query_language_answers_or_faults_4000_4001(statement in statement()) {
        let emulated = emulated();
        let (status, body) = emulated.runtime.block_on(async {
            let response = emulated
                .http
                .get(format!("{}/v3/company/9341453050298464/query", emulated.base_url))
                .query(&[("query", statement.as_str()), ("minorversion", "75")])
                .bearer_auth(&emulated.access)
                .header("Accept", "application/json")
                .send()
                .await
                .expect("the emulator answers");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        });
        prop_assert!(status == 200 || status == 400, "{status} for {statement:?}: {body}");
        if status == 400 {
            let fault = qbo_run::http::parse_fault(body.as_bytes()).expect("a Fault");
            let code = fault.code().unwrap_or("");
            prop_assert!(code == "4000" || code == "4001", "{code} for {statement:?}: {body}");
        }
    }
}

// Regression tests for what the generated inputs found.

fn request_error(text: &str) -> qbo_run::diagnostics::Error {
    RequestSpec::from_file(SourceFile::from_text(
        Path::new("requests/r.yaml"),
        text.to_string(),
    ))
    .err()
    .expect("refused")
}

fn connection_error(text: &str) -> qbo_run::diagnostics::Error {
    ConnectionSpec::from_file(SourceFile::from_text(
        Path::new("connections/c.yaml"),
        text.to_string(),
    ))
    .err()
    .expect("refused")
}

fn line_of(error: &qbo_run::diagnostics::Error) -> usize {
    error
        .location()
        .map(|at| at.line)
        .unwrap_or_else(|| panic!("no location: {}", error.message()))
}

#[test]
fn an_empty_request_file_is_located_at_its_first_line() {
    assert_eq!(line_of(&request_error("")), 1);
    assert!(line_of(&request_error("\n# only a comment\n")) >= 1);
}

#[test]
fn a_second_yaml_document_is_located_at_its_marker() {
    let error = request_error("method: GET\npath: /x\n---\nmethod: POST\n");
    assert!(
        error.message().contains("more than one document"),
        "{}",
        error.message()
    );
    assert_eq!(line_of(&error), 3);
}

#[test]
fn a_template_error_in_a_connection_value_is_located_at_its_line() {
    let error = connection_error(
        "environment: sandbox\noauth2:\n  client_id: \"{{ env.ID }}\"\n  client_secret: \"{{ env: X }}\"\n",
    );
    assert!(
        error.message().contains("oauth2.client_secret"),
        "{}",
        error.message()
    );
    assert_eq!(line_of(&error), 4);
}

#[test]
fn a_connection_without_its_client_id_points_at_oauth2() {
    let error =
        connection_error("environment: sandbox\noauth2:\n  client_secret: \"{{ env.S }}\"\n");
    assert!(
        error.message().contains("oauth2.client_id"),
        "{}",
        error.message()
    );
    assert_eq!(line_of(&error), 2);
}

#[test]
fn an_undeclared_variable_is_located_even_where_the_position_index_misses_it() {
    let error = request_error(
        "method: POST\npath: /v3/company/{{ realm_id }}/invoice\nbody: '{\"Id\": {{ row.id }}}'\n",
    );
    assert!(error.message().contains("`row`"), "{}", error.message());
    assert_eq!(line_of(&error), 3);
}

#[test]
fn dot_segments_are_refused_in_a_path_because_urls_resolve_them_away() {
    for dots in [".", ".."] {
        let error = rendered_with(dots).expect_err("refused");
        assert!(
            error.message().contains("cannot be a URL path segment"),
            "{}",
            error.message()
        );
    }
    let rendered = rendered_with("...").expect("three dots are a name");
    assert!(
        rendered.url.path().ends_with("/customer/..."),
        "{}",
        rendered.url
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_records_are_written_whole_in_every_format(
        records in prop::collection::vec(any_json(), 0..8),
        raw in any::<bool>(),
    ) {
        use qbo_run::output::{Column, Destination, Format, OutputSpec, RecordWriter};
        let dir = tempfile::tempdir().expect("dir");
        let columns = || {
            vec![
                Column { name: "id".into(), path: qbo_run::extract::JsonPath::parse("$.Id").expect("path") },
                Column { name: "rows".into(), path: qbo_run::extract::JsonPath::parse("$.Rows.Row[0]").expect("path") },
            ]
        };
        for (format, columns) in [
            (Format::Json, None),
            (Format::Jsonl, None),
            (Format::Csv, Some(columns())),
            (Format::Csv, None),
        ] {
            let path = dir.path().join(format!("out.{}", format.as_str()));
            let flattened = format == Format::Csv && columns.is_none();
            let mut writer = RecordWriter::open(OutputSpec { format, columns }, &Destination::File(path.clone()))
                .expect("opens");
            for record in &records {
                if raw && format == Format::Jsonl {
                    writer.write_raw(&record.to_string()).expect("raw record");
                } else {
                    writer.write(record).expect("record");
                }
            }
            let written = writer.finish().expect("finishes");
            prop_assert_eq!(written, records.len() as u64);
            let text = std::fs::read_to_string(&path).expect("output");
            match format {
                Format::Json => {
                    let back: Vec<Value> = serde_json::from_str(&text).expect("a JSON array");
                    prop_assert_eq!(back.len(), records.len());
                }
                Format::Jsonl => {
                    let back: Vec<Value> = text
                        .lines()
                        .map(|line| serde_json::from_str(line).expect("a JSON line"))
                        .collect();
                    prop_assert_eq!(&back, &records);
                }
                Format::Csv => {
                    let mut reader = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(false)
                        .from_reader(text.as_bytes());
                    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("valid CSV");
                    if flattened {
                        // A header and a row per record, or nothing when no record has a column.
                        prop_assert!(rows.is_empty() || rows.len() == records.len() + 1, "{text}");
                    } else {
                        prop_assert_eq!(rows.len(), records.len() + 1);
                    }
                }
            }
        }
    }
}

#[test]
fn numbers_with_long_mantissas_are_written_exactly_as_read() {
    // Found by the records property: without serde_json's float_roundtrip a number such as
    // -2.8386076642208414e-147 came back one unit off in its last place.
    let text = r#"[-2.8386076642208414e-147, 554.46, 1.7976931348623157e+308, 5e-324]"#;
    let value: Value = serde_json::from_str(text).expect("JSON");
    assert_eq!(
        serde_json::to_string(&value).expect("JSON"),
        text.replace(' ', "")
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_emulators_token_endpoint_answers_any_form_with_an_oauth_error(
        form in prop_oneof![
            "\\PC{0,60}",
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("grant_type".to_string()),
                        Just("code".to_string()),
                        Just("refresh_token".to_string()),
                        Just("redirect_uri".to_string()),
                        Just("code_verifier".to_string()),
                        "[a-z_]{1,8}",
                    ],
                    prop_oneof![
                        Just("authorization_code".to_string()),
                        Just("refresh_token".to_string()),
                        Just("eyJ".to_string()),
                        "\\PC{0,20}",
                    ],
                ),
                0..5,
            )
            .prop_map(|pairs| {
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish()
            }),
        ],
        authenticated in any::<bool>(),
    ) {
        let emulated = emulated();
        let (status, body) = emulated.runtime.block_on(async {
            let mut request = emulated
                .http
                .post(format!("{}/oauth2/v1/tokens/bearer", emulated.base_url))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(form.clone());
            if authenticated {
                request = request.basic_auth("qbo-emulator-client", Some("qbo-emulator-secret"));
            }
            let response = request.send().await.expect("the emulator answers");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        });
        prop_assert!(status == 400 || status == 401, "{status} for {form:?}: {body}");
        prop_assert!(qbo_run::http::parse_oauth_error(body.as_bytes()).is_some(), "{body}");
    }

    #[test]
    fn the_emulators_writes_answer_any_json_body_with_a_record_or_a_fault(
        body in prop_oneof![
            any_json().prop_map(|v| v.to_string()),
            "\\PC{0,60}",
            any_json().prop_map(|v| json!({"CustomerRef": {"value": "1"}, "Line": [v]}).to_string()),
        ],
        entity in prop::sample::select(vec!["invoice", "customer", "payment", "bill", "vendor", "item", "nothing"]),
        operation in prop::sample::select(vec!["", "?operation=update", "?operation=delete", "?operation=void"]),
    ) {
        let emulated = emulated();
        let (status, answer) = emulated.runtime.block_on(async {
            let response = emulated
                .http
                .post(format!(
                    "{}/v3/company/9341453050298464/{entity}{operation}",
                    emulated.base_url
                ))
                .bearer_auth(&emulated.access)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("the emulator answers");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        });
        prop_assert!(status == 200 || status == 400, "{status} for {entity}{operation} {body}: {answer}");
        if status == 400 {
            prop_assert!(qbo_run::http::parse_fault(answer.as_bytes()).is_some(), "{answer}");
        }
    }
}
