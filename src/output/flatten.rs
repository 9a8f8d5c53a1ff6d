//! CSV without declared columns: each record flattened to dotted column
//! names, the column list discovered across all records.
//!
//! The header must come first, but a later record can bring a new column, so
//! records are spooled to an anonymous temporary file while the column list
//! is collected; the header and the rows are written by
//! [`FlattenCsv::finish`]. The spool holds each record already flattened:
//! its non-empty cells as (column number, rendered text) pairs, so `finish`
//! neither parses JSON nor looks names up again. Memory holds the distinct
//! column names and one row, never the records. Must never: hold records in
//! memory, reorder columns once seen, or produce rows of differing width.
//!
//! Rules (see the module docs of `output` for the user-facing version):
//! nested objects give dotted names, arrays are one cell of compact JSON
//! (but QBO's custom fields, below),
//! empty objects give no column, a non-object record is one column `$`, and
//! columns are ordered by first appearance (records in order, keys in the
//! server's order, depth first).
//!
//! QBO's custom fields (`CustomField: [{DefinitionId, Name, Type,
//! StringValue}]`) are a column per field named by its `Name`
//! (`CustomField.Region`), holding its value (`StringValue`, or the first
//! other `...Value` key), so a column keeps its meaning whichever fields a
//! record has and in whatever order; an array with an element that is not
//! such an object (no `Name`) stays one JSON cell.
//!
//! Spool layout, per record, integers as little-endian `u64`: the number of
//! cells, then for each cell its column number, its byte length, its bytes.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use serde_json::Value;

use super::cells::cell_text;
use super::csv::{csv_error, csv_writer, end_row};
use super::sink::BUFFER_SIZE;

/// The column name of a record that is not an object.
const ROOT_COLUMN: &str = "$";

/// A flattening failure: in the spool file, or in the real output.
#[derive(Debug)]
pub(super) enum FlattenError {
    /// Writing or reading back the temporary spool file.
    Spool(io::Error),
    /// Writing the destination.
    Output(io::Error),
}

/// Destinations that can report that their reader went away.
pub(super) trait Closable {
    /// True once further output would be discarded.
    fn is_closed(&self) -> bool;
}

impl Closable for super::sink::Sink {
    fn is_closed(&self) -> bool {
        super::sink::Sink::is_closed(self)
    }
}

#[cfg(test)]
impl Closable for Vec<u8> {
    fn is_closed(&self) -> bool {
        false
    }
}

/// Collects columns and spools flattened records; writes everything in
/// `finish`.
pub(super) struct FlattenCsv {
    spool: BufWriter<File>,
    columns: Columns,
    /// Reused to build dotted names without allocating per key.
    name: String,
    /// Reused to encode one record's cells before spooling them.
    encoded: Vec<u8>,
    records: u64,
}

impl FlattenCsv {
    /// Create the spool file (anonymous: it vanishes with the process).
    pub(super) fn new() -> io::Result<Self> {
        Ok(FlattenCsv {
            spool: BufWriter::with_capacity(BUFFER_SIZE, tempfile::tempfile()?),
            columns: Columns::default(),
            name: String::new(),
            encoded: Vec::with_capacity(4096),
            records: 0,
        })
    }

    /// Note the record's columns and spool its cells.
    pub(super) fn write(&mut self, record: &Value) -> Result<(), FlattenError> {
        let FlattenCsv {
            columns,
            name,
            encoded,
            ..
        } = self;
        encoded.clear();
        let mut cells: u64 = 0;
        let mut failure: Option<io::Error> = None;
        leaves(record, name, &mut |name, value| {
            let column = columns.intern(name);
            encoded.extend_from_slice(&(column as u64).to_le_bytes());
            let length_at = encoded.len();
            encoded.extend_from_slice(&0u64.to_le_bytes());
            let start = encoded.len();
            if let Err(e) = cell_text(value, encoded) {
                failure.get_or_insert(e);
            }
            let length = (encoded.len() - start) as u64;
            encoded[length_at..start].copy_from_slice(&length.to_le_bytes());
            cells += 1;
        });
        if let Some(e) = failure {
            return Err(FlattenError::Spool(e));
        }
        self.spool
            .write_all(&cells.to_le_bytes())
            .and_then(|()| self.spool.write_all(&self.encoded))
            .map_err(FlattenError::Spool)?;
        self.records += 1;
        Ok(())
    }

    /// Write the header and one row per spooled record to `out`; return
    /// `out` and the number of rows written before `out` closed.
    pub(super) fn finish<W: Write + Closable>(self, out: W) -> Result<(W, u64), FlattenError> {
        if self.columns.names.is_empty() {
            // No records, or only empty ones: a CSV without columns has no
            // header and no rows to show.
            return Ok((out, self.records));
        }
        let mut spool = self
            .spool
            .into_inner()
            .map_err(|e| FlattenError::Spool(e.into_error()))?;
        spool
            .seek(SeekFrom::Start(0))
            .map_err(FlattenError::Spool)?;
        let mut reader = BufReader::with_capacity(BUFFER_SIZE, spool);

        let output = |e: ::csv::Error| FlattenError::Output(csv_error(e));
        let mut csv = csv_writer(out);
        for name in &self.columns.names {
            csv.write_field(name.as_bytes()).map_err(output)?;
        }
        end_row(&mut csv).map_err(FlattenError::Output)?;

        // One row: the cell bytes, and where each column's cell lies in them.
        let mut bytes: Vec<u8> = Vec::with_capacity(4096);
        let mut slots: Vec<Option<(usize, usize)>> = vec![None; self.columns.names.len()];
        let mut rows = 0;
        while rows < self.records && !csv.get_ref().is_closed() {
            bytes.clear();
            slots.fill(None);
            let cells = read_u64(&mut reader)?;
            for _ in 0..cells {
                let column = read_u64(&mut reader)?;
                let length = read_u64(&mut reader)?;
                let start = bytes.len();
                let read = (&mut reader)
                    .take(length)
                    .read_to_end(&mut bytes)
                    .map_err(FlattenError::Spool)?;
                if read as u64 != length {
                    return Err(FlattenError::Spool(spool_truncated()));
                }
                // A later key flattening to the same name wins.
                let slot = usize::try_from(column)
                    .ok()
                    .and_then(|column| slots.get_mut(column));
                match slot {
                    Some(slot) => *slot = Some((start, read)),
                    None => return Err(FlattenError::Spool(spool_truncated())),
                }
            }
            for slot in &slots {
                let cell = match *slot {
                    Some((start, length)) => bytes.get(start..start + length).unwrap_or(b""),
                    None => b"",
                };
                csv.write_field(cell).map_err(output)?;
            }
            end_row(&mut csv).map_err(FlattenError::Output)?;
            if !csv.get_ref().is_closed() {
                rows += 1;
            }
        }
        let out = csv
            .into_inner()
            .map_err(|e| FlattenError::Output(e.into_error()))?;
        Ok((out, rows))
    }
}

/// Read one little-endian `u64` from the spool.
fn read_u64(reader: &mut impl Read) -> Result<u64, FlattenError> {
    let mut bytes = [0u8; 8];
    reader.read_exact(&mut bytes).map_err(FlattenError::Spool)?;
    Ok(u64::from_le_bytes(bytes))
}

/// The spool does not hold what this module wrote into it.
fn spool_truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the spool file does not hold the records written to it",
    )
}

/// Column names in order of first appearance, with their positions.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Columns {
    /// The position of `name`, added at the end if new; allocates only
    /// when new.
    fn intern(&mut self, name: &str) -> usize {
        if let Some(&at) = self.index.get(name) {
            return at;
        }
        let at = self.names.len();
        self.index.insert(name.to_owned(), at);
        self.names.push(name.to_owned());
        at
    }
}

/// Call `visit(dotted_name, value)` for every cell of `record`, in key order,
/// depth first. `name` is scratch space and is left empty.
fn leaves<'a>(record: &'a Value, name: &mut String, visit: &mut impl FnMut(&str, &'a Value)) {
    name.clear();
    match record {
        Value::Object(map) => {
            for (key, value) in map {
                member(key, value, name, visit);
            }
        }
        other => visit(ROOT_COLUMN, other),
    }
}

/// Visit the cells under `key` = `value`, `name` holding the parent's name.
fn member<'a>(
    key: &str,
    value: &'a Value,
    name: &mut String,
    visit: &mut impl FnMut(&str, &'a Value),
) {
    let parent_len = name.len();
    if parent_len > 0 {
        name.push('.');
    }
    name.push_str(key);
    match value {
        Value::Object(map) => {
            for (child_key, child) in map {
                member(child_key, child, name, visit);
            }
        }
        Value::Array(fields) if key == CUSTOM_FIELD && custom_fields(fields) => {
            let field_len = name.len();
            for field in fields {
                if let Some((label, value)) = custom_field(field) {
                    name.push('.');
                    name.push_str(label);
                    visit(name, value);
                    name.truncate(field_len);
                }
            }
        }
        leaf => visit(name, leaf),
    }
    name.truncate(parent_len);
}

/// The key of QBO's custom fields in transactions.
const CUSTOM_FIELD: &str = "CustomField";

/// Whether every element of `fields` is a custom field with a `Name`.
fn custom_fields(fields: &[Value]) -> bool {
    fields.iter().all(|field| custom_field(field).is_some())
}

/// A custom field's `Name` and value: `StringValue`, else the first other key ending in
/// `Value` (`NumberValue`, `DateValue`, ...), else null.
fn custom_field(field: &Value) -> Option<(&str, &Value)> {
    let object = field.as_object()?;
    let label = object.get("Name")?.as_str()?;
    let value = object
        .get("StringValue")
        .or_else(|| {
            object
                .iter()
                .find(|(key, _)| key.ends_with("Value"))
                .map(|(_, value)| value)
        })
        .unwrap_or(&Value::Null);
    Some((label, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::tests::invoices;
    use serde_json::json;

    fn render(records: &[Value]) -> String {
        let mut flatten = match FlattenCsv::new() {
            Ok(f) => f,
            Err(e) => panic!("spool: {e}"),
        };
        for record in records {
            assert!(flatten.write(record).is_ok());
        }
        match flatten.finish(Vec::new()) {
            Ok((bytes, rows)) => {
                assert_eq!(rows, records.len() as u64);
                String::from_utf8(bytes).unwrap_or_default()
            }
            Err(e) => panic!("finish: {e:?}"),
        }
    }

    #[test]
    fn zero_records_give_empty_output() {
        assert_eq!(render(&[]), "");
    }

    #[test]
    fn nested_objects_become_dotted_columns_and_arrays_json_cells() {
        let expected = "Id,SyncToken,MetaData.CreateTime,MetaData.LastUpdatedTime,CustomField.PO Number,\
            DocNumber,Line,CustomerRef.value,CustomerRef.name,TotalAmt,FreeFormAddress,Balance\n\
            1187,2,2025-09-02T08:14:51-07:00,2025-09-18T16:02:07-07:00,PO-55821,\
            10412,\
            \"[{\"\"Id\"\":\"\"1\"\",\"\"Amount\"\":450.0,\"\"DetailType\"\":\"\"SalesItemLineDetail\"\"},\
            {\"\"Amount\"\":546.5,\"\"DetailType\"\":\"\"SubTotalLineDetail\"\",\"\"SubTotalLineDetail\"\":{}}]\",\
            58,Harbor Point Dental,554.46,true,0\n\
            1192,0,2025-09-05T11:40:22-07:00,2025-09-05T11:40:22-07:00,,10413,\
            \"[{\"\"Amount\"\":275.0,\"\"DetailType\"\":\"\"SubTotalLineDetail\"\",\"\"SubTotalLineDetail\"\":{}}]\",\
            64,Northgate Bakery Co.,275.0,,275.0\n";
        assert_eq!(render(&invoices()), expected);
    }

    #[test]
    fn custom_fields_are_columns_by_name_whatever_their_order() {
        let field = |id: &str, label: &str, value: &str| json!({"DefinitionId": id, "Name": label, "Type": "StringType", "StringValue": value});
        let records = [
            json!({"Id": "1", "CustomField": [field("1", "PO Number", "PO-1"), field("3", "Region", "West")]}),
            json!({"Id": "2", "CustomField": [field("3", "Region", "East"), field("2", "Sales Rep", "Ann")]}),
            json!({"Id": "3", "CustomField": [{"DefinitionId": "4", "Name": "Due", "Type": "DateType", "DateValue": "2025-01-31"}]}),
            json!({"Id": "4", "CustomField": [{"DefinitionId": "1", "StringValue": "no name"}]}),
            json!({"Id": "5", "Line": {"CustomField": [field("9", "Color", "red")]}}),
        ];
        assert_eq!(
            render(&records),
            "Id,CustomField.PO Number,CustomField.Region,CustomField.Sales Rep,CustomField.Due,CustomField,Line.CustomField.Color\n\
             1,PO-1,West,,,,\n\
             2,,East,Ann,,,\n\
             3,,,,2025-01-31,,\n\
             4,,,,,\"[{\"\"DefinitionId\"\":\"\"1\"\",\"\"StringValue\"\":\"\"no name\"\"}]\",\n\
             5,,,,,,red\n"
        );
    }

    #[test]
    fn a_later_record_appends_its_new_columns() {
        let records = [
            json!({"Id": "1", "MetaData": {"CreateTime": "t1"}, "Total": 10}),
            json!({"Total": 20, "Id": "2", "Memo": "m", "MetaData": {"LastUpdatedTime": "u2", "CreateTime": "t2"}}),
            json!({"Id": "3", "BillAddr": {"City": "Tacoma"}}),
        ];
        assert_eq!(
            render(&records),
            "Id,MetaData.CreateTime,Total,Memo,MetaData.LastUpdatedTime,BillAddr.City\n\
             1,t1,10,,,\n\
             2,t2,20,m,u2,\n\
             3,,,,,Tacoma\n"
        );
    }

    #[test]
    fn edge_shapes() {
        let records = [
            json!({"a": {}, "b": {"c": {"d": null}}, "e.f": 1, "e": {"f": 2}, "g": 3, "g.": 4, "h": {"": 5}}),
            json!([1, 2]),
            json!("text, with comma"),
            json!({}),
        ];
        assert_eq!(
            render(&records),
            "b.c.d,e.f,g,g.,h.,$\n,2,3,4,5,\n,,,,,\"[1,2]\"\n,,,,,\"text, with comma\"\n,,,,,\n"
        );
    }

    #[test]
    fn a_later_null_clears_an_earlier_value_of_the_same_column() {
        let records = [json!({"a.b": 1, "a": {"b": null}, "c": "x"})];
        assert_eq!(render(&records), "a.b,c\n,x\n");
    }

    #[test]
    fn records_without_any_column_give_empty_output() {
        assert_eq!(render(&[json!({}), json!({"a": {}})]), "");
    }

    #[test]
    fn quoting_in_flattened_cells() {
        let records = [json!({"Memo": "say \"hi\",\nthen go", "Note": "plain"})];
        assert_eq!(
            render(&records),
            "Memo,Note\n\"say \"\"hi\"\",\nthen go\",plain\n"
        );
    }
}
