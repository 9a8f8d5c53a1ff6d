//! A replayed run's output judged against the cassette's expectations: the expected file (a
//! diff when it differs), the record count, the columns, and JSONPath checks.

use super::format::Expect;
use crate::extract::JsonPath;
use crate::output::Format;
use serde_json::Value;

/// The result of one test (one request file and its cassette).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request file, as given.
    pub name: String,
    /// What went wrong; empty when the test passed.
    pub failures: Vec<String>,
    /// How long it took.
    pub duration: std::time::Duration,
}

/// Lines of a unified diff from `expected` to `actual`, at most `limit` lines.
pub fn diff(expected: &str, actual: &str, limit: usize) -> String {
    let text = similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(2)
        .header("expected", "actual")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= limit {
        return text;
    }
    format!(
        "{}\n... ({} more lines)\n",
        lines[..limit].join("\n"),
        lines.len() - limit
    )
}

/// The records of an output, with its columns (the CSV header, or the first record's keys).
fn records(format: Format, text: &str) -> Result<(Vec<Value>, Vec<String>), String> {
    let records: Vec<Value> = match format {
        Format::Json => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => items,
            Ok(_) => return Err("the output is not a JSON array".into()),
            Err(err) => return Err(format!("the output is not JSON: {err}")),
        },
        Format::Jsonl => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(n, line)| {
                serde_json::from_str(line)
                    .map_err(|err| format!("output line {} is not JSON: {err}", n + 1))
            })
            .collect::<Result<_, _>>()?,
        Format::Csv => {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let header: Vec<String> = reader
                .headers()
                .map_err(|err| format!("the output is not CSV: {err}"))?
                .iter()
                .map(str::to_string)
                .collect();
            let mut rows = Vec::new();
            for row in reader.records() {
                let row = row.map_err(|err| format!("the output is not CSV: {err}"))?;
                let object: serde_json::Map<String, Value> = header
                    .iter()
                    .zip(row.iter())
                    .map(|(k, v)| (k.clone(), Value::String(v.to_string())))
                    .collect();
                rows.push(Value::Object(object));
            }
            return Ok((rows, header));
        }
    };
    let columns = records
        .first()
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    Ok((records, columns))
}

/// How many records `output` has, and its columns.
pub fn summary(format: Format, output: &str) -> Result<(usize, Vec<String>), String> {
    records(format, output).map(|(records, columns)| (records.len(), columns))
}

/// What is wrong with `output` (in `format`) against `expect` and the expected file's text.
pub fn check_output(
    format: Format,
    output: &str,
    expect: &Expect,
    expected_file: Option<(&str, &str)>,
) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some((name, expected)) = expected_file
        && expected != output
    {
        failures.push(format!(
            "the output differs from {name}:\n{}",
            diff(expected, output, 60)
        ));
    }
    let (records, columns) = match records(format, output) {
        Ok(found) => found,
        Err(message) => {
            failures.push(message);
            return failures;
        }
    };
    if let Some(count) = expect.records
        && count != records.len()
    {
        failures.push(format!(
            "expected {count} records, the output has {}",
            records.len()
        ));
    }
    if let Some(expected) = &expect.columns
        && expected != &columns
    {
        failures.push(format!(
            "the columns differ:\n{}",
            diff(
                &(expected.join("\n") + "\n"),
                &(columns.join("\n") + "\n"),
                40
            )
        ));
    }
    let all = Value::Array(records);
    for check in &expect.paths {
        let path = match JsonPath::parse(&check.path) {
            Ok(path) => path,
            Err(message) => {
                failures.push(format!("`{}` is not a JSONPath: {message}", check.path));
                continue;
            }
        };
        let found = path.select(&all);
        if let Some(exists) = check.exists
            && exists == found.is_empty()
        {
            failures.push(if exists {
                format!("`{}` matches nothing", check.path)
            } else {
                format!("`{}` matches {} values", check.path, found.len())
            });
        }
        if let Some(expected) = &check.equals {
            match found.first() {
                Some(actual) if *actual == expected => {}
                Some(actual) => {
                    failures.push(format!("`{}` is {actual}, expected {expected}", check.path))
                }
                None => failures.push(format!(
                    "`{}` matches nothing, expected {expected}",
                    check.path
                )),
            }
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cassette::PathCheck;

    #[test]
    fn each_expectation_fails_on_its_own() {
        let output = "id,total\n1,10\n2,20\n";
        let mut expect = Expect {
            records: Some(2),
            columns: Some(vec!["id".into(), "total".into()]),
            paths: vec![PathCheck {
                path: "$[1].total".into(),
                equals: Some(Value::String("20".into())),
                exists: Some(true),
            }],
            output: None,
        };
        assert!(check_output(Format::Csv, output, &expect, Some(("e.csv", output))).is_empty());
        expect.records = Some(3);
        expect.columns = Some(vec!["id".into()]);
        expect.paths[0].equals = Some(Value::String("21".into()));
        expect.paths.push(PathCheck {
            path: "$[5]".into(),
            equals: None,
            exists: Some(true),
        });
        let failures = check_output(
            Format::Csv,
            output,
            &expect,
            Some(("e.csv", "id,total\n1,10\n")),
        );
        assert_eq!(failures.len(), 5, "{failures:#?}");
        assert!(failures[0].contains("+2,20"), "{}", failures[0]);
    }
}
