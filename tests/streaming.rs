//! Pages read as their bytes arrive, at the edges the incremental reader must get right: a
//! Fault in a 200 answer and in an error answer still names status, code, message and
//! `intuit_tid`; a page off the plain shape is asked for again and read whole; and answers
//! from the emulator, plain or gzip, give the same bytes in every format.

mod common;

use common::{Answer, EmulatorProcess, Project, ScriptedServer, stderr};

const COUNT: &str = r#"{"QueryResponse":{"totalCount":2},"time":"2025-09-19T10:00:00.000-07:00"}"#;
const FAULT: &str = r#"{"Fault":{"Error":[{"Message":"A paged query went wrong","Detail":"scripted detail","code":"4001"}],"type":"ValidationFault"},"time":"2025-09-19T10:00:00.000-07:00"}"#;
/// Two invoices, with `QueryResponse`'s scalars around the rows.
const PAGE: &str = r#"{"QueryResponse":{"startPosition":1,"Invoice":[{"Id":"1","SyncToken":"0","DocNumber":"A\"1","MetaData":{"LastUpdatedTime":"2025-01-01T00:00:00-07:00"}},{"Id":"2","SyncToken":"0","DocNumber":"\u00e9","MetaData":{"LastUpdatedTime":"2025-01-02T00:00:00-07:00"}}],"maxResults":2},"time":"2025-09-19T10:00:00.000-07:00"}"#;

/// Runs the shipped invoices request as `format` against a server answering `script`.
fn run(script: Vec<Answer>, format: &str) -> (std::process::Output, ScriptedServer) {
    let server = ScriptedServer::start(script);
    let emulator = EmulatorProcess::start(&[]);
    let project = Project::new();
    let connection = server.connection(
        &project,
        &emulator,
        "retry:\n  max_attempts: 1\n  base_delay_ms: 1\n",
    );
    let output = project
        .command()
        .args(["requests/invoices.yaml", "--format", format, "--connection"])
        .arg(&connection)
        .output()
        .expect("run");
    (output, server)
}

#[test]
fn a_fault_in_a_200_or_an_error_answer_is_reported_whole() {
    for status in [200, 400] {
        for format in ["csv", "jsonl"] {
            let (output, server) = run(
                vec![Answer::new(200, COUNT), Answer::new(status, FAULT)],
                format,
            );
            assert!(!output.status.success(), "{status} {format}");
            let text = stderr(&output);
            for part in [
                &format!("{status}"),
                "4001",
                "A paged query went wrong",
                "1-scripted-1",
            ] {
                assert!(
                    text.contains(part),
                    "{status} {format}: no {part:?} in {text}"
                );
            }
            assert_eq!(server.asked().len(), 2, "{status} {format}");
        }
    }
}

#[test]
fn a_page_off_the_plain_shape_is_asked_again_and_read_whole() {
    // `QueryResponse` twice: a whole parse keeps the last one, the incremental reader gives up.
    let odd = r#"{"QueryResponse":{"Invoice":[{"Id":"9"}]},"QueryResponse":{"Invoice":[{"Id":"1","DocNumber":"x"}],"startPosition":1}}"#;
    for format in ["csv", "jsonl"] {
        let (output, server) = run(vec![Answer::new(200, COUNT), Answer::new(200, odd)], format);
        assert!(output.status.success(), "{format}: {}", stderr(&output));
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(out.contains('1') && !out.contains('9'), "{format}: {out}");
        assert_eq!(
            server.asked().len(),
            3,
            "{format}: count, the page, the page again"
        );
    }
}

#[test]
fn a_plain_page_is_read_once_with_its_records_as_sent() {
    let (output, server) = run(
        vec![Answer::new(200, COUNT), Answer::new(200, PAGE)],
        "jsonl",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(server.asked().len(), 2);
    let lines: Vec<&str> = std::str::from_utf8(&output.stdout)
        .expect("utf-8")
        .lines()
        .collect();
    assert_eq!(
        lines,
        [
            r#"{"Id":"1","SyncToken":"0","DocNumber":"A\"1","MetaData":{"LastUpdatedTime":"2025-01-01T00:00:00-07:00"}}"#,
            r#"{"Id":"2","SyncToken":"0","DocNumber":"\u00e9","MetaData":{"LastUpdatedTime":"2025-01-02T00:00:00-07:00"}}"#,
        ]
    );
}
