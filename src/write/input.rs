//! The rows of a write's input file, read one at a time (memory does not grow with the file).
//!
//! CSV: the header row names the fields and every value is a string; a row with more or fewer
//! fields than the header is an error at its line. JSON Lines: one JSON object per line, blank
//! lines skipped. Errors are file errors naming the input file, the line and the column.

use crate::diagnostics::{Error, SourceLocation};
use crate::spec::InputFormat;
use serde_json::{Map, Value};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

/// One input row.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its 1-based position among the data rows (the CSV header and blank lines not counted).
    pub number: u64,
    /// Its fields in file order.
    pub fields: Map<String, Value>,
}

/// The rows of an input file, in order.
pub struct InputRows {
    path: PathBuf,
    reader: Reader,
    number: u64,
}

enum Reader {
    Csv {
        reader: csv::Reader<File>,
        headers: Vec<String>,
    },
    Jsonl {
        lines: std::io::Lines<BufReader<File>>,
        line: u64,
    },
}

fn located(path: &Path, line: u64, column: usize, message: String) -> Error {
    let line = usize::try_from(line).unwrap_or(usize::MAX).max(1);
    Error::file(message).at(SourceLocation {
        path: path.to_path_buf(),
        line,
        column: column.max(1),
        line_text: String::new(),
    })
}

impl InputRows {
    /// Opens `path` as `format` (a CSV file's header is read and checked here).
    pub fn open(path: &Path, format: InputFormat) -> Result<InputRows, Error> {
        let file = File::open(path).map_err(|err| {
            Error::file(format!(
                "cannot read the input file {}: {err}",
                path.display()
            ))
        })?;
        let reader = match format {
            InputFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .flexible(false)
                    .from_reader(file);
                let headers: Vec<String> = reader
                    .headers()
                    .map_err(|err| csv_error(path, &err))?
                    .iter()
                    .enumerate()
                    .map(|(at, h)| {
                        let h = if at == 0 {
                            h.trim_start_matches('\u{feff}')
                        } else {
                            h
                        };
                        h.trim().to_string()
                    })
                    .collect();
                if headers.iter().all(String::is_empty) {
                    return Err(located(
                        path,
                        1,
                        1,
                        "the CSV input has no header row (its first line names the fields)"
                            .to_string(),
                    ));
                }
                for (at, name) in headers.iter().enumerate() {
                    if name.is_empty() {
                        return Err(located(
                            path,
                            1,
                            1,
                            format!("column {} of the CSV header has no name", at + 1),
                        ));
                    }
                    if headers[..at].contains(name) {
                        return Err(located(
                            path,
                            1,
                            1,
                            format!("the CSV header names `{name}` twice"),
                        ));
                    }
                }
                Reader::Csv { reader, headers }
            }
            InputFormat::Jsonl => Reader::Jsonl {
                lines: BufReader::new(file).lines(),
                line: 0,
            },
        };
        Ok(InputRows {
            path: path.to_path_buf(),
            reader,
            number: 0,
        })
    }

    /// The CSV header's field names (`None` for JSON Lines, whose rows name their own).
    pub fn headers(&self) -> Option<&[String]> {
        match &self.reader {
            Reader::Csv { headers, .. } => Some(headers),
            Reader::Jsonl { .. } => None,
        }
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn csv_error(path: &Path, err: &csv::Error) -> Error {
    let line = err.position().map_or(1, csv::Position::line);
    let message = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("this CSV row has {len} field(s) but the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "this CSV row is not UTF-8 text".to_string(),
        _ => format!("cannot read the CSV input: {err}"),
    };
    located(path, line, 1, message)
}

impl Iterator for InputRows {
    type Item = Result<Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let path = self.path.clone();
        let fields = match &mut self.reader {
            Reader::Csv { reader, headers } => {
                let mut record = csv::StringRecord::new();
                match reader.read_record(&mut record) {
                    Ok(false) => return None,
                    Err(err) => return Some(Err(csv_error(&path, &err))),
                    Ok(true) => headers
                        .iter()
                        .zip(record.iter())
                        .map(|(name, value)| (name.clone(), Value::String(value.to_string())))
                        .collect(),
                }
            }
            Reader::Jsonl { lines, line } => loop {
                let text = match lines.next()? {
                    Ok(text) => text,
                    Err(err) => {
                        return Some(Err(located(
                            &path,
                            *line + 1,
                            1,
                            format!("cannot read the input: {err}"),
                        )));
                    }
                };
                *line += 1;
                let text = if *line == 1 {
                    text.trim_start_matches('\u{feff}').to_string()
                } else {
                    text
                };
                if text.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(map)) => break map,
                    Ok(_) => {
                        return Some(Err(located(
                            &path,
                            *line,
                            1,
                            "each line of a JSON Lines input must be a JSON object".to_string(),
                        )));
                    }
                    Err(err) => {
                        return Some(Err(located(
                            &path,
                            *line,
                            err.column(),
                            format!("this line is not JSON: {err}"),
                        )));
                    }
                }
            },
        };
        self.number += 1;
        Some(Ok(Row {
            number: self.number,
            fields,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    #[test]
    fn csv_rows_are_strings_keyed_by_the_header() {
        let dir = tempfile::tempdir().expect("dir");
        let path = write(
            &dir,
            "in.csv",
            "\u{feff}ref,amount,memo\nA-1,10.50,\"a, b\"\nA-2,3,\n",
        );
        let mut rows = InputRows::open(&path, InputFormat::Csv).expect("opens");
        assert_eq!(
            rows.headers().map(<[String]>::to_vec),
            Some(vec!["ref".into(), "amount".into(), "memo".into()])
        );
        let first = rows.next().expect("row").expect("ok");
        assert_eq!(first.number, 1);
        assert_eq!(
            Value::Object(first.fields),
            serde_json::json!({"ref": "A-1", "amount": "10.50", "memo": "a, b"})
        );
        let second = rows.next().expect("row").expect("ok");
        assert_eq!(second.number, 2);
        assert!(rows.next().is_none());
    }

    #[test]
    fn a_ragged_csv_row_is_an_error_at_its_line() {
        let dir = tempfile::tempdir().expect("dir");
        let path = write(&dir, "in.csv", "a,b\n1,2\n1,2,3\n");
        let rows: Vec<_> = InputRows::open(&path, InputFormat::Csv)
            .expect("opens")
            .collect();
        let err = rows[1].as_ref().expect_err("ragged");
        assert_eq!(err.location().map(|l| l.line), Some(3));
        assert_eq!(
            err.message(),
            "this CSV row has 3 field(s) but the header has 2"
        );
        let path = write(&dir, "dup.csv", "a,a\n");
        let err = InputRows::open(&path, InputFormat::Csv)
            .err()
            .expect("duplicate header");
        assert_eq!(err.message(), "the CSV header names `a` twice");
    }

    #[test]
    fn jsonl_skips_blank_lines_and_names_bad_ones() {
        let dir = tempfile::tempdir().expect("dir");
        let path = write(
            &dir,
            "in.jsonl",
            "{\"a\": 1}\n\n  \n{\"a\": [2]}\n[3]\n{oops\n",
        );
        let rows: Vec<_> = InputRows::open(&path, InputFormat::Jsonl)
            .expect("opens")
            .collect();
        assert_eq!(rows.len(), 4);
        let second = rows[1].as_ref().expect("ok");
        assert_eq!(second.number, 2);
        assert_eq!(second.fields["a"], serde_json::json!([2]));
        let err = rows[2].as_ref().expect_err("array");
        assert_eq!(err.location().map(|l| l.line), Some(5));
        let err = rows[3].as_ref().expect_err("not json");
        assert_eq!(err.location().map(|l| (l.line, l.column)), Some((6, 2)));
    }
}
