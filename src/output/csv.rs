//! CSV with declared columns, and the cell rules shared with flattening.
//!
//! A cell is rendered from a JSON value without going through `String`:
//! strings are written as they are, everything else is JSON-encoded into a
//! reused buffer. Must never: change a value's text (numbers print exactly as
//! JSON prints them), or write a row whose width differs from the header.

use std::io::{self, Write};

use serde_json::Value;

use super::cells::{CellRow, cell_text};
use super::sink::BUFFER_SIZE;
use super::spec::Column;

/// A CSV writer with this module's dialect: RFC 4180 quoting where needed,
/// `\n` line ends, 64 KiB buffer.
pub(super) fn csv_writer<W: Write>(out: W) -> ::csv::Writer<W> {
    ::csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(::csv::Terminator::Any(b'\n'))
        .buffer_capacity(BUFFER_SIZE)
        .from_writer(out)
}

/// Write the cell for `value` (`None`: no match, an empty cell).
pub(super) fn write_cell<W: Write>(
    csv: &mut ::csv::Writer<W>,
    scratch: &mut Vec<u8>,
    value: Option<&Value>,
) -> io::Result<()> {
    let written = match value {
        None => csv.write_field(b""),
        // The common case, written without a copy.
        Some(Value::String(text)) => csv.write_field(text.as_bytes()),
        Some(other) => {
            scratch.clear();
            cell_text(other, scratch)?;
            csv.write_field(&scratch[..])
        }
    };
    written.map_err(csv_error)
}

/// End the current row.
pub(super) fn end_row<W: Write>(csv: &mut ::csv::Writer<W>) -> io::Result<()> {
    csv.write_record(None::<&[u8]>).map_err(csv_error)
}

/// The I/O error inside a `csv` error (the only kind writing can produce).
pub(super) fn csv_error(error: ::csv::Error) -> io::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(inner) => inner,
        other => io::Error::other(format!("CSV encoding failed: {other:?}")),
    }
}

/// Rows of declared columns: the header is the column names, each cell the
/// first match of the column's path.
pub(super) struct ColumnsCsv<W: Write> {
    csv: ::csv::Writer<W>,
    columns: Vec<Column>,
    scratch: Vec<u8>,
    header_written: bool,
}

impl<W: Write> ColumnsCsv<W> {
    /// A new writer; the header is written with the first row or by `finish`.
    pub(super) fn new(out: W, columns: Vec<Column>) -> Self {
        ColumnsCsv {
            csv: csv_writer(out),
            columns,
            scratch: Vec::with_capacity(256),
            header_written: false,
        }
    }

    /// The underlying writer.
    pub(super) fn get_ref(&self) -> &W {
        self.csv.get_ref()
    }

    fn write_header(&mut self) -> io::Result<()> {
        self.header_written = true;
        for column in &self.columns {
            self.csv
                .write_field(column.name.as_bytes())
                .map_err(csv_error)?;
        }
        end_row(&mut self.csv)
    }

    /// Push buffered rows through to the destination.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        self.csv.flush()
    }

    /// Write the row of one record.
    pub(super) fn write(&mut self, record: &Value) -> io::Result<()> {
        if !self.header_written {
            self.write_header()?;
        }
        for column in &self.columns {
            write_cell(&mut self.csv, &mut self.scratch, column.path.first(record))?;
        }
        end_row(&mut self.csv)
    }

    /// Write a row of cells rendered ahead ([`CellRow`]), after `first` when given (the
    /// company of a run over several, whose column comes first).
    pub(super) fn write_cells(&mut self, first: Option<&[u8]>, row: CellRow<'_>) -> io::Result<()> {
        let width = row.width() + usize::from(first.is_some());
        if width != self.columns.len() {
            return Err(io::Error::other(format!(
                "a row of {width} cells for {} columns",
                self.columns.len()
            )));
        }
        if !self.header_written {
            self.write_header()?;
        }
        for cell in first.into_iter().chain(row.cells()) {
            self.csv.write_field(cell).map_err(csv_error)?;
        }
        end_row(&mut self.csv)
    }

    /// Write the header if no row did, flush, return the writer.
    pub(super) fn finish(mut self) -> io::Result<W> {
        if !self.header_written {
            self.write_header()?;
        }
        self.csv
            .into_inner()
            .map_err(::csv::IntoInnerError::into_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::{column, invoices};
    use serde_json::json;

    fn render(columns: Vec<Column>, records: &[Value]) -> String {
        let mut writer = ColumnsCsv::new(Vec::new(), columns);
        for record in records {
            assert!(writer.write(record).is_ok());
        }
        let bytes = writer.finish().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    #[test]
    fn declared_columns_on_invoices() {
        let columns = vec![
            column("Id", "$.Id"),
            column("DocNumber", "$.DocNumber"),
            column("Customer", "$.CustomerRef.name"),
            column(
                "PO Number",
                "$.CustomField[?(@.Name == 'PO Number')].StringValue",
            ),
            column("Total", "$.TotalAmt"),
            column("Balance", "$.Balance"),
            column("Created", "$.MetaData.CreateTime"),
            column("FreeForm", "$.FreeFormAddress"),
            column("Lines", "$.Line"),
            column("Customer Ref", "$.CustomerRef"),
        ];
        let expected = "Id,DocNumber,Customer,PO Number,Total,Balance,Created,FreeForm,Lines,Customer Ref\n\
            1187,10412,Harbor Point Dental,PO-55821,554.46,0,2025-09-02T08:14:51-07:00,true,\
            \"[{\"\"Id\"\":\"\"1\"\",\"\"Amount\"\":450.0,\"\"DetailType\"\":\"\"SalesItemLineDetail\"\"},\
            {\"\"Amount\"\":546.5,\"\"DetailType\"\":\"\"SubTotalLineDetail\"\",\"\"SubTotalLineDetail\"\":{}}]\",\
            \"{\"\"value\"\":\"\"58\"\",\"\"name\"\":\"\"Harbor Point Dental\"\"}\"\n\
            1192,10413,Northgate Bakery Co.,,275.0,275.0,2025-09-05T11:40:22-07:00,,\
            \"[{\"\"Amount\"\":275.0,\"\"DetailType\"\":\"\"SubTotalLineDetail\"\",\"\"SubTotalLineDetail\"\":{}}]\",\
            \"{\"\"value\"\":\"\"64\"\",\"\"name\"\":\"\"Northgate Bakery Co.\"\"}\"\n";
        assert_eq!(render(columns, &invoices()), expected);
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let record = json!({
            "comma": "Suite 200, Tacoma",
            "quote": "the \"best\" filter",
            "newline": "line one\nline two",
            "cr": "a\rb",
            "plain": "Net 30",
            "empty": "",
            "null": null,
            "int": 3,
            "neg": -12,
            "float": 48.25,
            "false": false
        });
        let names = [
            "comma", "quote", "newline", "cr", "plain", "empty", "null", "int", "neg", "float",
            "false", "missing",
        ];
        let columns = names
            .iter()
            .map(|name| column(name, &format!("$.{name}")))
            .collect();
        assert_eq!(
            render(columns, &[record]),
            "comma,quote,newline,cr,plain,empty,null,int,neg,float,false,missing\n\
             \"Suite 200, Tacoma\",\"the \"\"best\"\" filter\",\"line one\nline two\",\"a\rb\",\
             Net 30,,,3,-12,48.25,false,\n"
        );
    }

    #[test]
    fn header_names_are_quoted_too() {
        let columns = vec![column("Name, full", "$.a"), column("x", "$.b")];
        assert_eq!(
            render(columns, &[json!({"a": 1, "b": 2})]),
            "\"Name, full\",x\n1,2\n"
        );
    }

    #[test]
    fn zero_records_give_the_header_alone() {
        assert_eq!(render(vec![column("Id", "$.Id")], &[]), "Id\n");
    }

    #[test]
    fn a_lone_empty_cell_is_quoted_so_the_row_is_not_blank() {
        // The csv crate writes `""` for a row with one empty field, which
        // keeps the row from reading as a blank line.
        assert_eq!(
            render(
                vec![column("Memo", "$.Memo")],
                &[json!({}), json!({"Memo": "x"})]
            ),
            "Memo\n\"\"\nx\n"
        );
    }
}
