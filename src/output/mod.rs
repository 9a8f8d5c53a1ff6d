//! Streaming record writers: JSON, JSON Lines and CSV, to stdout or a file.
//!
//! A run produces records page by page; this module turns them into bytes as
//! they arrive, so memory never grows with the number of records, and makes
//! sure a file destination is either the complete result or untouched.
//!
//! # Formats
//!
//! * **`json`**: one top-level array, pretty-printed with a two-space indent,
//!   written record by record (`[`, records separated by `,`, `]`). Zero
//!   records give `[]`. The output ends with a newline.
//! * **`jsonl`**: one JSON record per line, each line ending in `\n`. A record written with
//!   [`RecordWriter::write`] is compact `serde_json` text; a record handed over as the
//!   server's text with [`RecordWriter::write_raw`] (what runs of plain QBO query paths do) is
//!   written byte for byte as the server sent it, unless it holds a line break (a
//!   pretty-printing server), in which case it is parsed and written compact.
//! * **`csv`**: RFC 4180 via the `csv` crate, header row first, `\n` line
//!   ends, fields quoted only when they contain a comma, quote or line break
//!   (and a row made of one empty cell is written `""`, so it is not a blank
//!   line).
//!   Cells: a string as is; a number as JSON prints it (`554.46`, `3`,
//!   `450.0`); `true`/`false`; null or no match is an empty cell; an object or
//!   array is its compact JSON text.
//!   - With **declared columns** the header is the column names and each cell
//!     is the first match of the column's JSONPath in the record. Rows are
//!     written as records arrive. With zero records the output is the header
//!     alone.
//!   - Without columns each record is **flattened**. Nested object members get
//!     dotted names (`CustomerRef.name`, `MetaData.CreateTime`); arrays are not
//!     expanded but become one cell holding the array's compact JSON, so the
//!     column count does not depend on how many lines an invoice has; an empty
//!     object contributes no column; a record that is not an object becomes a
//!     single column named `$`. **Column order is the order in which columns
//!     are first seen, scanning the records in order and each record's keys in
//!     the order the server sent them** (a nested object's columns take the
//!     place of its key). A column first seen in a later record is therefore
//!     appended after all the columns of the records before it. If two keys
//!     flatten to the same name (`"a.b"` next to `"a": {"b": ..}`), they share
//!     one column and the later key in the record wins. Because the header
//!     must come first but a later record can add a column, flattened records
//!     are spooled to an anonymous temporary file while the column list is
//!     collected, and header and rows are written by
//!     [`RecordWriter::finish`]; memory is bounded by the number of distinct
//!     columns, never by the number of records. Zero records (or records
//!     that have no column at all, like `{}`) give empty output, without a
//!     header.
//!
//! Declared columns are ignored by the JSON formats.
//!
//! # Destinations
//!
//! * **stdout**: buffered in 64 KiB blocks, or flushed after every record
//!   when stdout is a terminal. If the reader goes away (`qbo-run ... | head`),
//!   the broken pipe is not an error: writing stops quietly, later writes are
//!   accepted and dropped, and [`RecordWriter::finish`] returns the number of
//!   records accepted before the pipe closed.
//! * **file**: written to a temporary file `.{name}.tmp*` in the same
//!   directory, then flushed, `fsync`ed and renamed over the destination by
//!   [`RecordWriter::finish`]. An existing destination keeps its permission
//!   bits; a new one gets the usual `0666 & !umask`. If the destination is a
//!   symbolic link, the file it points to is replaced and the link kept. An
//!   existing destination that is not a regular file (`/dev/null`, a named
//!   pipe) is opened and written directly, with the stdout rules.
//!
//! # What this module must never do
//!
//! * Leave a partial or empty file at the destination path: an error at any
//!   point, or dropping a [`RecordWriter`] without calling `finish`, leaves
//!   the previous file (or no file) in place and removes the temporary file.
//! * Hold all records in memory, or panic on any record content.
//! * Write anything but records to stdout (diagnostics belong to stderr,
//!   elsewhere).

mod csv;
mod flatten;
mod json;
mod sink;

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::str::FromStr;

use serde_json::Value;

use crate::extract::JsonPath;

use self::csv::ColumnsCsv;
use self::flatten::{FlattenCsv, FlattenError};
use self::json::{JsonArray, JsonLines};
use self::sink::Sink;

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

/// Errors of this module. `Display` is one line naming what could not be
/// done and where.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The directory that should hold the output file does not exist.
    #[error("cannot write {}: directory {} does not exist", .path.display(), .dir.display())]
    MissingDirectory {
        /// The requested output file.
        path: PathBuf,
        /// Its parent directory.
        dir: PathBuf,
    },
    /// The parent of the output file exists but is not a directory.
    #[error("cannot write {}: {} is not a directory", .path.display(), .dir.display())]
    NotADirectory {
        /// The requested output file.
        path: PathBuf,
        /// Its parent, which is not a directory.
        dir: PathBuf,
    },
    /// The output path names a directory, or has no file name at all.
    #[error("cannot write {}: the output path must name a file, not a directory", .path.display())]
    NotAFile {
        /// The requested output file.
        path: PathBuf,
    },
    /// The temporary file next to the output could not be created.
    #[error("cannot create a temporary file next to {}: {source}", .path.display())]
    Create {
        /// The requested output file.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// Writing, flushing or syncing the output failed.
    #[error("cannot write to {destination}: {source}")]
    Write {
        /// Where the records were going.
        destination: Destination,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// The finished temporary file could not be renamed over the output.
    #[error("cannot move the finished output into place at {}: {source}", .path.display())]
    Persist {
        /// The requested output file.
        path: PathBuf,
        /// The underlying I/O error.
        source: io::Error,
    },
    /// The temporary spool file used to flatten CSV failed.
    #[error("cannot use the temporary spool file for flattened CSV: {0}")]
    Spool(#[source] io::Error),
    /// A record handed over as text is not JSON.
    #[error("a record is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// A CSV spec declared an empty column list.
    #[error("CSV output declares no columns; omit `columns` to flatten records instead")]
    NoColumns,
}

/// The format-specific encoder, each writing into the sink it owns.
enum Encoder {
    Json(JsonArray<Sink>),
    Jsonl(JsonLines<Sink>),
    // Boxed: the csv writer's state is several times the size of the others.
    Csv(Box<ColumnsCsv<Sink>>),
    Flatten(FlattenCsv, Sink),
}

impl Encoder {
    fn sink(&self) -> &Sink {
        match self {
            Encoder::Json(e) => e.get_ref(),
            Encoder::Jsonl(e) => e.get_ref(),
            Encoder::Csv(e) => e.get_ref(),
            Encoder::Flatten(_, sink) => sink,
        }
    }

    /// Push what is buffered to the destination (flattening has nothing to
    /// push before `finish`).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Json(e) => e.flush(),
            Encoder::Jsonl(e) => e.flush(),
            Encoder::Csv(e) => e.flush(),
            Encoder::Flatten(..) => Ok(()),
        }
    }
}

/// A started output: records are written as they arrive; [`finish`] makes
/// the result visible.
///
/// Dropping a `RecordWriter` without calling [`finish`] abandons the output:
/// a file destination is left as it was and the temporary file is removed.
///
/// [`finish`]: RecordWriter::finish
pub struct RecordWriter {
    encoder: Encoder,
    destination: Destination,
    count: u64,
}

impl RecordWriter {
    /// Start writing `spec` to `destination`.
    ///
    /// For a file this checks the directory and creates the temporary file
    /// now, so a bad path fails before any request is made. Nothing is
    /// written until the first record (or `finish`).
    ///
    /// # Errors
    ///
    /// [`OutputError::NoColumns`] for CSV with an empty column list; for a
    /// file, [`OutputError::MissingDirectory`], [`OutputError::NotADirectory`],
    /// [`OutputError::NotAFile`] or [`OutputError::Create`];
    /// [`OutputError::Spool`] if flattening CSV cannot get its spool file.
    pub fn open(spec: OutputSpec, destination: &Destination) -> Result<RecordWriter, OutputError> {
        if let (Format::Csv, Some(columns)) = (spec.format, &spec.columns)
            && columns.is_empty()
        {
            return Err(OutputError::NoColumns);
        }
        let sink = Sink::open(destination)?;
        RecordWriter::with_sink(spec, sink, destination)
    }

    /// Start writing `spec` into an already opened sink.
    fn with_sink(
        spec: OutputSpec,
        sink: Sink,
        destination: &Destination,
    ) -> Result<RecordWriter, OutputError> {
        let encoder = match (spec.format, spec.columns) {
            (Format::Json, _) => Encoder::Json(JsonArray::new(sink)),
            (Format::Jsonl, _) => Encoder::Jsonl(JsonLines::new(sink)),
            (Format::Csv, Some(columns)) => Encoder::Csv(Box::new(ColumnsCsv::new(sink, columns))),
            (Format::Csv, None) => {
                Encoder::Flatten(FlattenCsv::new().map_err(OutputError::Spool)?, sink)
            }
        };
        Ok(RecordWriter {
            encoder,
            destination: destination.clone(),
            count: 0,
        })
    }

    /// Write one record.
    ///
    /// After the reader of stdout has gone away this returns `Ok` and drops
    /// the record.
    ///
    /// # Errors
    ///
    /// [`OutputError::Write`] if the destination cannot be written (disk
    /// full, I/O error), [`OutputError::Spool`] if the flattening spool
    /// cannot. The writer should then be dropped, which discards the output.
    pub fn write(&mut self, record: &Value) -> Result<(), OutputError> {
        if self.encoder.sink().is_closed() {
            return Ok(());
        }
        let destination = &self.destination;
        match &mut self.encoder {
            Encoder::Json(e) => e.write(record).map_err(|s| write_error(destination, s))?,
            Encoder::Jsonl(e) => e.write(record).map_err(|s| write_error(destination, s))?,
            Encoder::Csv(e) => e.write(record).map_err(|s| write_error(destination, s))?,
            Encoder::Flatten(f, _) => f.write(record).map_err(|e| flatten_error(destination, e))?,
        }
        self.written()
    }

    /// Write one record given as JSON text (one JSON value).
    ///
    /// JSON Lines writes the text as it is, unless it holds a line break (`\n` or `\r`, which
    /// JSON allows only as whitespace), in which case the record is parsed and written compact;
    /// the other formats parse it and write it as [`RecordWriter::write`] does.
    ///
    /// # Errors
    ///
    /// [`OutputError::NotJson`] if the text must be parsed and is not JSON; otherwise as
    /// [`RecordWriter::write`].
    pub fn write_raw(&mut self, record: &str) -> Result<(), OutputError> {
        if let Encoder::Jsonl(e) = &mut self.encoder
            && memchr::memchr2(b'\n', b'\r', record.as_bytes()).is_none()
        {
            if e.get_ref().is_closed() {
                return Ok(());
            }
            e.write_raw_line(record)
                .map_err(|s| write_error(&self.destination, s))?;
            return self.written();
        }
        let value: Value = serde_json::from_str(record).map_err(OutputError::NotJson)?;
        self.write(&value)
    }

    /// After a record was handed to the encoder: flush for a terminal, count it.
    fn written(&mut self) -> Result<(), OutputError> {
        if self.encoder.sink().is_interactive() {
            self.encoder
                .flush()
                .map_err(|s| write_error(&self.destination, s))?;
        }
        if !self.encoder.sink().is_closed() {
            self.count += 1;
        }
        Ok(())
    }

    /// Write what is pending and make the output visible: flush; for a file,
    /// `fsync` and rename into place.
    ///
    /// Returns the number of records written (for stdout whose reader went
    /// away: the number accepted before that).
    ///
    /// # Errors
    ///
    /// [`OutputError::Write`] if flushing or syncing fails,
    /// [`OutputError::Persist`] if the rename fails, [`OutputError::Spool`]
    /// if the flattening spool cannot be read back. A file destination is
    /// then left as it was and the temporary file removed.
    pub fn finish(self) -> Result<u64, OutputError> {
        let RecordWriter {
            encoder,
            destination,
            count,
        } = self;
        let (sink, count) = match encoder {
            Encoder::Json(e) => (e.finish().map_err(|s| write_error(&destination, s))?, count),
            Encoder::Jsonl(e) => (e.finish(), count),
            Encoder::Csv(e) => (e.finish().map_err(|s| write_error(&destination, s))?, count),
            Encoder::Flatten(f, sink) => {
                f.finish(sink).map_err(|e| flatten_error(&destination, e))?
            }
        };
        sink.finish(&destination)?;
        Ok(count)
    }
}

/// A failed write to the destination.
fn write_error(destination: &Destination, source: io::Error) -> OutputError {
    OutputError::Write {
        destination: destination.clone(),
        source,
    }
}

/// A failed write while flattening: to the spool or to the destination.
fn flatten_error(destination: &Destination, error: FlattenError) -> OutputError {
    match error {
        FlattenError::Spool(source) => OutputError::Spool(source),
        FlattenError::Output(source) => write_error(destination, source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::path::Path;

    /// Two invoices as the server sent them (trimmed from a real-shaped
    /// sample page), in the server's key order.
    pub(super) const INVOICES: &str = r#"[
      {
        "Id": "1187",
        "SyncToken": "2",
        "MetaData": {
          "CreateTime": "2025-09-02T08:14:51-07:00",
          "LastUpdatedTime": "2025-09-18T16:02:07-07:00"
        },
        "CustomField": [
          {"DefinitionId": "1", "Name": "PO Number", "Type": "StringType", "StringValue": "PO-55821"}
        ],
        "DocNumber": "10412",
        "Line": [
          {"Id": "1", "Amount": 450.0, "DetailType": "SalesItemLineDetail"},
          {"Amount": 546.5, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
        ],
        "CustomerRef": {"value": "58", "name": "Harbor Point Dental"},
        "TotalAmt": 554.46,
        "FreeFormAddress": true,
        "Balance": 0
      },
      {
        "Id": "1192",
        "SyncToken": "0",
        "MetaData": {
          "CreateTime": "2025-09-05T11:40:22-07:00",
          "LastUpdatedTime": "2025-09-05T11:40:22-07:00"
        },
        "CustomField": [],
        "DocNumber": "10413",
        "Line": [
          {"Amount": 275.0, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}}
        ],
        "CustomerRef": {"value": "64", "name": "Northgate Bakery Co."},
        "TotalAmt": 275.0,
        "Balance": 275.0
      }
    ]"#;

    pub(super) fn invoices() -> Vec<Value> {
        match serde_json::from_str(INVOICES) {
            Ok(Value::Array(items)) => items,
            other => panic!("fixture is not an array: {other:?}"),
        }
    }

    pub(super) fn column(name: &str, path: &str) -> Column {
        match JsonPath::parse(path) {
            Ok(path) => Column {
                name: name.to_owned(),
                path,
            },
            Err(e) => panic!("{path}: {e}"),
        }
    }

    fn spec(format: Format, columns: Option<Vec<Column>>) -> OutputSpec {
        OutputSpec { format, columns }
    }

    /// Write `records` to `path` through the public API and return the bytes.
    fn write_file(spec: OutputSpec, path: &Path, records: &[Value]) -> (u64, String) {
        let run = || -> Result<u64, OutputError> {
            let mut writer = RecordWriter::open(spec, &Destination::File(path.to_owned()))?;
            for record in records {
                writer.write(record)?;
            }
            writer.finish()
        };
        match run() {
            Ok(count) => (count, fs::read_to_string(path).unwrap_or_default()),
            Err(e) => panic!("writing {}: {e}", path.display()),
        }
    }

    fn temp_dir() -> tempfile::TempDir {
        match tempfile::tempdir() {
            Ok(dir) => dir,
            Err(e) => panic!("tempdir: {e}"),
        }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|it| {
                it.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// A cloneable in-memory stream standing in for stdout.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl Shared {
        fn text(&self) -> String {
            let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
            String::from_utf8(bytes).unwrap_or_default()
        }
    }

    impl io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            match self.0.lock() {
                Ok(mut bytes) => bytes.write(buf),
                Err(_) => Err(io::Error::other("poisoned")),
            }
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// A reader that takes `room` bytes and then closes the pipe.
    struct ClosesAfter {
        room: usize,
        taken: Shared,
    }

    impl io::Write for ClosesAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            self.taken.write(&buf[..n])
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn stream_writer(spec: OutputSpec, out: impl io::Write + Send + 'static) -> RecordWriter {
        stream_writer_with(spec, out, false)
    }

    fn stream_writer_with(
        spec: OutputSpec,
        out: impl io::Write + Send + 'static,
        interactive: bool,
    ) -> RecordWriter {
        let sink = Sink::stream(Box::new(out), interactive);
        match RecordWriter::with_sink(spec, sink, &Destination::Stdout) {
            Ok(w) => w,
            Err(e) => panic!("open: {e}"),
        }
    }

    /// Records written through the public writer to an in-memory stdout.
    fn to_stream(spec: OutputSpec, records: &[Value]) -> (u64, String) {
        let out = Shared::default();
        let mut writer = stream_writer(spec, out.clone());
        for record in records {
            if let Err(e) = writer.write(record) {
                panic!("write: {e}");
            }
        }
        match writer.finish() {
            Ok(count) => (count, out.text()),
            Err(e) => panic!("finish: {e}"),
        }
    }

    #[test]
    fn record_writer_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<RecordWriter>();
    }

    #[test]
    fn stream_exact_bytes_per_format() {
        let records = [
            serde_json::json!({"Id": "1", "CustomerRef": {"name": "A, Inc."}, "Line": [1, 2]}),
            serde_json::json!({"Id": "2", "Memo": "x"}),
        ];
        let json = "[\n  {\n    \"Id\": \"1\",\n    \"CustomerRef\": {\n      \"name\": \"A, Inc.\"\n    },\n    \"Line\": [\n      1,\n      2\n    ]\n  },\n  {\n    \"Id\": \"2\",\n    \"Memo\": \"x\"\n  }\n]\n";
        assert_eq!(
            to_stream(spec(Format::Json, None), &records),
            (2, json.to_owned())
        );
        assert_eq!(
            to_stream(spec(Format::Jsonl, None), &records),
            (
                2,
                "{\"Id\":\"1\",\"CustomerRef\":{\"name\":\"A, Inc.\"},\"Line\":[1,2]}\n\
                 {\"Id\":\"2\",\"Memo\":\"x\"}\n"
                    .to_owned()
            )
        );
        assert_eq!(
            to_stream(spec(Format::Csv, None), &records),
            (
                2,
                "Id,CustomerRef.name,Line,Memo\n1,\"A, Inc.\",\"[1,2]\",\n2,,,x\n".to_owned()
            )
        );
        let columns = vec![column("Id", "$.Id"), column("Who", "$.CustomerRef.name")];
        assert_eq!(
            to_stream(spec(Format::Csv, Some(columns)), &records),
            (2, "Id,Who\n1,\"A, Inc.\"\n2,\n".to_owned())
        );
        assert_eq!(
            to_stream(spec(Format::Json, None), &[]),
            (0, "[]\n".to_owned())
        );
    }

    #[test]
    fn broken_pipe_stops_quietly_and_counts_what_was_accepted() {
        for format in [Format::Json, Format::Jsonl, Format::Csv] {
            let taken = Shared::default();
            let reader = ClosesAfter {
                room: 100_000,
                taken: taken.clone(),
            };
            let mut writer = stream_writer(spec(format, None), reader);
            let record = serde_json::json!({"Id": "1187", "Memo": "x".repeat(100)});
            for _ in 0..10_000 {
                if let Err(e) = writer.write(&record) {
                    panic!("{format}: a closed reader is not an error: {e}");
                }
            }
            let count = match writer.finish() {
                Ok(count) => count,
                Err(e) => panic!("{format}: finish: {e}"),
            };
            let text = taken.text();
            assert_eq!(text.len(), 100_000, "{format}");
            assert!(count > 0 && count < 10_000, "{format}: {count}");
            // Everything the reader did get was accepted before it left.
            let per_record = text.len() as u64 / count;
            assert!(per_record > 0, "{format}");
        }
    }

    #[test]
    fn an_interactive_stream_sees_each_record_at_once() {
        for (format, first) in [
            (Format::Json, "[\n  1"),
            (Format::Jsonl, "1\n"),
            (Format::Csv, "a\n1\n"),
        ] {
            let out = Shared::default();
            let columns = Some(vec![column("a", "$")]);
            let mut writer = stream_writer_with(spec(format, columns), out.clone(), true);
            assert!(writer.write(&serde_json::json!(1)).is_ok());
            assert_eq!(out.text(), first, "{format}");
            assert!(writer.finish().is_ok());
        }
    }

    #[test]
    fn format_round_trips_through_text() {
        for format in [Format::Json, Format::Jsonl, Format::Csv] {
            assert_eq!(format.to_string().parse::<Format>(), Ok(format));
        }
        assert_eq!(
            "JSON".parse::<Format>(),
            Err(ParseFormatError("JSON".into()))
        );
        assert_eq!(
            ParseFormatError("xml".into()).to_string(),
            "unknown output format `xml` (expected json, jsonl or csv)"
        );
    }

    #[test]
    fn jsonl_file_has_one_compact_record_per_line() {
        let dir = temp_dir();
        let path = dir.path().join("out.jsonl");
        let records = [serde_json::json!({"Id": "1", "TotalAmt": 554.46, "Tags": ["a"]})];
        let (count, text) = write_file(spec(Format::Jsonl, None), &path, &records);
        assert_eq!(count, 1);
        assert_eq!(
            text,
            "{\"Id\":\"1\",\"TotalAmt\":554.46,\"Tags\":[\"a\"]}\n"
        );
    }

    #[test]
    fn declared_csv_file_with_filter_column() {
        let dir = temp_dir();
        let path = dir.path().join("invoices.csv");
        let columns = vec![
            column("Id", "$.Id"),
            column("Customer", "$.CustomerRef.name"),
            column("PO", "$.CustomField[?(@.Name == 'PO Number')].StringValue"),
            column("Total", "$.TotalAmt"),
            column("FirstLine", "$.Line[0].Amount"),
        ];
        let (count, text) = write_file(spec(Format::Csv, Some(columns)), &path, &invoices());
        assert_eq!(count, 2);
        assert_eq!(
            text,
            "Id,Customer,PO,Total,FirstLine\n\
             1187,Harbor Point Dental,PO-55821,554.46,450.0\n\
             1192,Northgate Bakery Co.,,275.0,275.0\n"
        );
    }

    #[test]
    fn flattened_csv_file() {
        let dir = temp_dir();
        let path = dir.path().join("flat.csv");
        let records = [
            serde_json::json!({"Id": "1", "CustomerRef": {"value": "58", "name": "Harbor"}}),
            serde_json::json!({"Id": "2", "Memo": "new, later", "CustomerRef": {"value": "64"}}),
        ];
        let (count, text) = write_file(spec(Format::Csv, None), &path, &records);
        assert_eq!(count, 2);
        assert_eq!(
            text,
            "Id,CustomerRef.value,CustomerRef.name,Memo\n1,58,Harbor,\n2,64,,\"new, later\"\n"
        );
    }

    #[test]
    fn zero_records_per_format() {
        let dir = temp_dir();
        let cases = [
            (spec(Format::Json, None), "[]\n"),
            (spec(Format::Jsonl, None), ""),
            (spec(Format::Csv, None), ""),
            (spec(Format::Csv, Some(vec![column("Id", "$.Id")])), "Id\n"),
        ];
        for (i, (spec, expected)) in cases.into_iter().enumerate() {
            let path = dir.path().join(format!("empty-{i}"));
            let (count, text) = write_file(spec, &path, &[]);
            assert_eq!((count, text.as_str()), (0, expected), "case {i}");
            assert!(path.is_file(), "an empty result is still a file");
        }
    }

    #[test]
    fn finish_replaces_an_existing_file_and_leaves_no_temp() {
        let dir = temp_dir();
        let path = dir.path().join("out.json");
        if let Err(e) = fs::write(&path, "old contents that are longer than the new ones\n") {
            panic!("seed: {e}");
        }
        let (count, text) = write_file(
            spec(Format::Json, None),
            &path,
            &[serde_json::json!({"Id": "1"})],
        );
        assert_eq!(count, 1);
        assert_eq!(text, "[\n  {\n    \"Id\": \"1\"\n  }\n]\n");
        assert_eq!(entries(dir.path()), ["out.json"]);
    }

    #[cfg(unix)]
    #[test]
    fn finish_keeps_the_permissions_of_the_replaced_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir();
        let path = dir.path().join("private.jsonl");
        let seeded = fs::write(&path, "old\n")
            .and_then(|()| fs::set_permissions(&path, fs::Permissions::from_mode(0o640)));
        if let Err(e) = seeded {
            panic!("seed: {e}");
        }
        write_file(spec(Format::Jsonl, None), &path, &[serde_json::json!(1)]);
        let mode = fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o640));
    }

    #[test]
    fn drop_without_finish_leaves_no_file_and_no_temp() {
        for format in [Format::Json, Format::Jsonl, Format::Csv] {
            let dir = temp_dir();
            let path = dir.path().join("out");
            let destination = Destination::File(path.clone());
            let mut writer = match RecordWriter::open(spec(format, None), &destination) {
                Ok(w) => w,
                Err(e) => panic!("open: {e}"),
            };
            // The temporary file exists while writing, next to the target.
            let during = entries(dir.path());
            assert_eq!(during.len(), 1, "{during:?}");
            assert!(during[0].starts_with(".out.tmp"), "{during:?}");
            for record in invoices() {
                assert!(writer.write(&record).is_ok());
            }
            drop(writer);
            assert!(entries(dir.path()).is_empty(), "{format}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_destination_keeps_the_link() {
        let dir = temp_dir();
        let real = dir.path().join("real.jsonl");
        let link = dir.path().join("link.jsonl");
        let seeded =
            fs::write(&real, "old\n").and_then(|()| std::os::unix::fs::symlink(&real, &link));
        if let Err(e) = seeded {
            panic!("seed: {e}");
        }
        let (count, text) = write_file(spec(Format::Jsonl, None), &link, &[serde_json::json!(7)]);
        assert_eq!((count, text.as_str()), (1, "7\n"));
        assert!(fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()));
        assert_eq!(fs::read_to_string(&real).ok().as_deref(), Some("7\n"));
        assert_eq!(entries(dir.path()), ["link.jsonl", "real.jsonl"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_destination_is_written_directly() {
        let null = Path::new("/dev/null");
        if !null.exists() {
            return;
        }
        let (count, _) = write_file(spec(Format::Csv, None), null, &invoices());
        assert_eq!(count, 2);
        assert!(
            fs::metadata(null).is_ok_and(|m| !m.is_file()),
            "still a device"
        );
        let temps: Vec<String> = entries(Path::new("/dev"))
            .into_iter()
            .filter(|name| name.starts_with(".null.tmp"))
            .collect();
        assert!(temps.is_empty(), "no temporary file in /dev: {temps:?}");
    }

    #[test]
    fn a_failed_finish_removes_the_temporary_file() {
        let dir = temp_dir();
        let path = dir.path().join("late");
        let destination = Destination::File(path.clone());
        let mut writer = match RecordWriter::open(spec(Format::Jsonl, None), &destination) {
            Ok(w) => w,
            Err(e) => panic!("open: {e}"),
        };
        assert!(writer.write(&serde_json::json!({"Id": "1"})).is_ok());
        // Something else takes the path before the rename: a directory.
        if let Err(e) = fs::create_dir(&path) {
            panic!("seed: {e}");
        }
        match writer.finish() {
            Err(e @ OutputError::Persist { .. }) => assert!(
                e.to_string().starts_with(&format!(
                    "cannot move the finished output into place at {}: ",
                    path.display()
                )),
                "{e}"
            ),
            other => panic!("expected a persist error, got {other:?}"),
        }
        assert_eq!(entries(dir.path()), ["late"]);
        assert!(path.is_dir());
    }

    #[test]
    fn drop_without_finish_keeps_the_previous_file() {
        let dir = temp_dir();
        let path = dir.path().join("keep.csv");
        if let Err(e) = fs::write(&path, "previous\n") {
            panic!("seed: {e}");
        }
        let destination = Destination::File(path.clone());
        match RecordWriter::open(
            spec(Format::Csv, Some(vec![column("Id", "$.Id")])),
            &destination,
        ) {
            Ok(mut writer) => assert!(writer.write(&serde_json::json!({"Id": "9"})).is_ok()),
            Err(e) => panic!("open: {e}"),
        }
        assert_eq!(
            fs::read_to_string(&path).ok().as_deref(),
            Some("previous\n")
        );
        assert_eq!(entries(dir.path()), ["keep.csv"]);
    }

    #[test]
    fn bad_destinations_are_clear_errors() {
        let dir = temp_dir();
        let missing = dir.path().join("no-such-dir").join("out.csv");
        let err = RecordWriter::open(spec(Format::Csv, None), &Destination::File(missing.clone()));
        match err {
            Err(e @ OutputError::MissingDirectory { .. }) => assert_eq!(
                e.to_string(),
                format!(
                    "cannot write {}: directory {} does not exist",
                    missing.display(),
                    dir.path().join("no-such-dir").display()
                )
            ),
            other => panic!("expected MissingDirectory, got {:?}", other.err()),
        }

        let is_dir = Destination::File(dir.path().to_owned());
        assert!(matches!(
            RecordWriter::open(spec(Format::Json, None), &is_dir),
            Err(OutputError::NotAFile { .. })
        ));

        let file = dir.path().join("plain");
        if let Err(e) = fs::write(&file, "") {
            panic!("seed: {e}");
        }
        let under_file = Destination::File(file.join("out.json"));
        assert!(matches!(
            RecordWriter::open(spec(Format::Json, None), &under_file),
            Err(OutputError::NotADirectory { .. })
        ));

        assert!(matches!(
            RecordWriter::open(spec(Format::Csv, Some(Vec::new())), &Destination::Stdout),
            Err(OutputError::NoColumns)
        ));
        assert_eq!(entries(dir.path()), ["plain"]);
    }

    #[test]
    fn destination_display() {
        assert_eq!(Destination::Stdout.to_string(), "standard output");
        assert_eq!(
            Destination::File(PathBuf::from("out/a.csv")).to_string(),
            "out/a.csv"
        );
    }
}
