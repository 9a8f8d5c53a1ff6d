//! [`RecordWriter`]: records in, bytes of the chosen format out, to stdout or atomically to a
//! file; the format's encoder picked once when the output opens.

use std::io;

use serde_json::Value;

use super::cells::CellRow;
use super::csv::ColumnsCsv;
use super::error::OutputError;
use super::flatten::{FlattenCsv, FlattenError};
use super::json::{JsonArray, JsonLines};
use super::sink::Sink;
use super::spec::{Destination, Format, OutputSpec};

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
    pub(super) fn with_sink(
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

    /// Write one row of cells rendered ahead from a record by [`super::CellRows::push`] with this
    /// output's columns (less the first, when `first` gives its cell).
    ///
    /// # Errors
    ///
    /// [`OutputError::NotCells`] if this output is not CSV with columns of that width;
    /// otherwise as [`RecordWriter::write`].
    pub fn write_cells(
        &mut self,
        first: Option<&str>,
        row: CellRow<'_>,
    ) -> Result<(), OutputError> {
        if self.encoder.sink().is_closed() {
            return Ok(());
        }
        let Encoder::Csv(e) = &mut self.encoder else {
            return Err(OutputError::NotCells);
        };
        e.write_cells(first.map(str::as_bytes), row)
            .map_err(|s| write_error(&self.destination, s))?;
        self.written()
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
