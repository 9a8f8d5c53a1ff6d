//! [`RecordWriter`] end to end: every format to stdout and to files, atomic replacement, broken
//! pipes, and the bytes each format promises.

use super::sink::Sink;
use super::*;
use crate::extract::JsonPath;
use serde_json::Value;
use std::fs;
use std::io;
use std::path::Path;
use std::path::PathBuf;

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
    let seeded = fs::write(&real, "old\n").and_then(|()| std::os::unix::fs::symlink(&real, &link));
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
