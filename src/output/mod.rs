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
//!     column count does not depend on how many lines an invoice has (QBO's
//!     `CustomField` list is the exception: a column per field, named
//!     `CustomField.<Name>`, holding its value); an empty
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

mod cells;
mod csv;
mod error;
mod flatten;
mod json;
mod sink;
mod spec;
mod writer;

#[cfg(test)]
mod tests;

pub use cells::{CellRow, CellRows};
pub use error::OutputError;
pub use spec::{Column, Destination, Format, OutputSpec, ParseFormatError};
pub use writer::RecordWriter;
