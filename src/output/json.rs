//! The two JSON encoders: a streamed, pretty-printed top-level array and
//! JSON Lines.
//!
//! Each record is encoded into a reused buffer and handed to the writer in
//! one piece. Must never collect records: the array's brackets and commas
//! are written around records as they pass.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;
use serde_json::ser::Formatter;

/// The indent unit of the pretty-printed array.
const INDENT: &[u8] = b"  ";

/// Writes `[`, the records pretty-printed and separated by `,`, then `]`,
/// exactly as `serde_json::to_string_pretty` would print the whole array,
/// followed by a newline.
pub(super) struct JsonArray<W: Write> {
    out: W,
    buf: Vec<u8>,
    records: u64,
}

impl<W: Write> JsonArray<W> {
    /// A new array writer; nothing is written until a record or `finish`.
    pub(super) fn new(out: W) -> Self {
        JsonArray {
            out,
            buf: Vec::with_capacity(4096),
            records: 0,
        }
    }

    /// The underlying writer.
    pub(super) fn get_ref(&self) -> &W {
        &self.out
    }

    /// Push buffered bytes through to the destination.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Append one record to the array.
    pub(super) fn write(&mut self, record: &Value) -> io::Result<()> {
        self.buf.clear();
        self.buf
            .extend_from_slice(if self.records == 0 { b"[\n" } else { b",\n" });
        self.buf.extend_from_slice(INDENT);
        let mut ser = serde_json::Serializer::with_formatter(&mut self.buf, NestedPretty::new(1));
        record.serialize(&mut ser)?;
        self.out.write_all(&self.buf)?;
        self.records += 1;
        Ok(())
    }

    /// Close the array (`[]` if empty), end the line, return the writer.
    pub(super) fn finish(mut self) -> io::Result<W> {
        let tail: &[u8] = if self.records == 0 { b"[]\n" } else { b"\n]\n" };
        self.out.write_all(tail)?;
        Ok(self.out)
    }
}

/// Writes each record as compact JSON followed by `\n`.
pub(super) struct JsonLines<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> JsonLines<W> {
    /// A new JSON Lines writer.
    pub(super) fn new(out: W) -> Self {
        JsonLines {
            out,
            buf: Vec::with_capacity(4096),
        }
    }

    /// The underlying writer.
    pub(super) fn get_ref(&self) -> &W {
        &self.out
    }

    /// Push buffered bytes through to the destination.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Write one record as one line.
    pub(super) fn write(&mut self, record: &Value) -> io::Result<()> {
        self.buf.clear();
        serde_json::to_writer(&mut self.buf, record)?;
        self.buf.push(b'\n');
        self.out.write_all(&self.buf)
    }

    /// Write one record given as JSON text that holds no line break (`\n` or `\r`), as is,
    /// as one line. The caller checks the line breaks ([`super::writer::RecordWriter::write_raw`]).
    pub(super) fn write_raw_line(&mut self, record: &str) -> io::Result<()> {
        self.out.write_all(record.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Return the writer; JSON Lines has no trailer.
    pub(super) fn finish(self) -> W {
        self.out
    }
}

/// `serde_json`'s pretty formatter, starting at a given depth so that a
/// record can be printed as an element of an array that is never built.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    fn new(depth: usize) -> Self {
        NestedPretty {
            depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, out: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            out.write_all(INDENT)?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }
}

impl Formatter for NestedPretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::invoices;
    use serde_json::json;

    fn array(records: &[Value]) -> String {
        let mut writer = JsonArray::new(Vec::new());
        for record in records {
            assert!(writer.write(record).is_ok());
        }
        let bytes = writer.finish().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    fn lines(records: &[Value]) -> String {
        let mut writer = JsonLines::new(Vec::new());
        for record in records {
            assert!(writer.write(record).is_ok());
        }
        String::from_utf8(writer.finish()).unwrap_or_default()
    }

    #[test]
    fn empty_array_is_brackets() {
        assert_eq!(array(&[]), "[]\n");
    }

    #[test]
    fn array_is_pretty_with_two_space_indent() {
        let records = [
            json!({"Id": "1187", "MetaData": {"CreateTime": "2025-09-02T08:14:51-07:00"},
                   "CustomField": [], "SubTotalLineDetail": {}, "TotalAmt": 554.46,
                   "Line": [{"Amount": 450.0}, 3], "Balance": 0, "Paid": true, "Memo": null}),
            json!("scalar"),
        ];
        let expected = r#"[
  {
    "Id": "1187",
    "MetaData": {
      "CreateTime": "2025-09-02T08:14:51-07:00"
    },
    "CustomField": [],
    "SubTotalLineDetail": {},
    "TotalAmt": 554.46,
    "Line": [
      {
        "Amount": 450.0
      },
      3
    ],
    "Balance": 0,
    "Paid": true,
    "Memo": null
  },
  "scalar"
]
"#;
        assert_eq!(array(&records), expected);
    }

    #[test]
    fn array_matches_serde_json_pretty_of_the_whole_array() {
        let records = invoices();
        let whole = serde_json::to_string_pretty(&records).unwrap_or_default();
        assert_eq!(array(&records), format!("{whole}\n"));
    }

    #[test]
    fn lines_are_compact_in_server_key_order() {
        let records = [
            json!({"Id": "1187", "TotalAmt": 554.46, "Balance": 0, "Memo": "a\nb", "Tags": []}),
            json!({"Id": "1192", "CustomerRef": {"value": "64", "name": "Northgate"}}),
        ];
        assert_eq!(
            lines(&records),
            "{\"Id\":\"1187\",\"TotalAmt\":554.46,\"Balance\":0,\"Memo\":\"a\\nb\",\"Tags\":[]}\n\
             {\"Id\":\"1192\",\"CustomerRef\":{\"value\":\"64\",\"name\":\"Northgate\"}}\n"
        );
        assert_eq!(lines(&[]), "");
    }
}
