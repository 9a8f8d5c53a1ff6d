//! Pages: what the writer gets from the body of one page, prepared off the async runtime.
//!
//! A [`PagePlan`] is decided once per run from the records path, the output format, the CSV
//! columns and the incremental cursor. A [`PageReader`] ([`PagePlan::reader`]) is fed each
//! page's body on a blocking thread as the chunks arrive (so pages are parsed in parallel with
//! each other and with the network, and no body is held whole: `scan.rs` hands on each record's
//! text as soon as its last byte is in) and gives a [`Page`]; [`Page::write`] then runs on the
//! writer, one page after another, and does as little as possible. There are three forms:
//!
//! * **cells**: CSV with declared columns whose paths (and the cursor) are all on the fast
//!   route of [`JsonPath`], and records at `$.QueryResponse.<Entity>[*]` or
//!   `$.QueryResponse.*[*]`. Each record is parsed with a [`Projection`] that keeps only what
//!   the columns and the cursor read, and its CSV cells are rendered at once ([`CellRows`]):
//!   the page keeps the cells' text, not the record.
//! * **raw**: JSON Lines, JSON and flattened CSV with such records. Each record's text is kept
//!   and the writer gets it as the server sent it (JSON and flattened CSV parse the text as
//!   they write it, into the same value the whole page would have held).
//! * **whole**: anything else (other records paths, columns or cursors off the fast route).
//!   The page is parsed into a [`Value`] and the records path is applied by the writer, as it
//!   always was.
//!
//! Whatever the form, each record also gives its [`RowKey`] (its `Id`, `SyncToken` and
//! `MetaData.LastUpdatedTime`, kept by the projection), which the walk (`walk.rs`) uses to fit
//! pages together and to write every record once; [`Page::retain`] drops the records it has
//! already written. In an incremental run the cells and raw forms also read what the cursor
//! needs of each record ([`CursorRead`]) when the record is read.
//!
//! Whatever the form, the records and the row count are the ones the whole page would give:
//! a page whose envelope is not the plain QBO shape (not an object, `QueryResponse` not an
//! object, a duplicate key in it, an object where rows are expected) or not JSON is asked for
//! again and read as a whole page (`fetch.rs`), which gives its records or the parse error.
//! Memory is bounded by the pages in flight: a page holds at most its records' text (raw) or
//! their cells, and the record being read.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::scan::{Envelope, RowSink, Surprise};
use super::sink::RecordSink;
use crate::cursor::{CursorRead, IDENTITY_PATHS};
use crate::diagnostics::Error;
use crate::extract::{JsonPath, Projection, QueryRows};
use crate::http::Pace;
use crate::output::{CellRows, Column, Format};

/// How the pages of one run are read; decided once, shared by every page's blocking task.
#[derive(Debug)]
pub struct PagePlan {
    records: JsonPath,
    form: Form,
}

/// The rows a plain records path picks, owned so the plan can move to other threads.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rows {
    Entity(String),
    Every,
}

/// What a page is turned into.
#[derive(Debug)]
enum Form {
    /// The whole page as a [`Value`].
    Whole,
    /// Each record's CSV cells; `projection` keeps what the columns, the cursor and the key
    /// read.
    Cells {
        rows: Rows,
        projection: Projection,
        columns: Vec<JsonPath>,
        cursor: Option<JsonPath>,
    },
    /// Each record's text; `keys` keeps what the cursor and the key read.
    Raw {
        rows: Rows,
        keys: Projection,
        cursor: Option<JsonPath>,
    },
}

/// What tells the records of a walk apart and shows whether one changed between two pages: its
/// `Id`, and its `SyncToken` and `MetaData.LastUpdatedTime` as the page had them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowKey {
    /// `Id`.
    pub id: Option<String>,
    /// `SyncToken`.
    pub sync_token: Option<String>,
    /// `MetaData.LastUpdatedTime`.
    pub updated: Option<String>,
}

impl RowKey {
    /// The key of `record` (a whole record or its projection).
    pub fn of(record: &Value) -> RowKey {
        let text = |value: Option<&Value>| match value {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        RowKey {
            id: text(record.get("Id")),
            sync_token: text(record.get("SyncToken")),
            updated: text(
                record
                    .get("MetaData")
                    .and_then(|m| m.get("LastUpdatedTime")),
            ),
        }
    }
}

/// The paths a record's [`RowKey`] is read from, and with a cursor those its
/// [`CursorRead`] needs.
fn key_paths(cursor: Option<&JsonPath>) -> Vec<JsonPath> {
    let identity = cursor
        .map(|_| IDENTITY_PATHS.as_slice())
        .unwrap_or_default();
    ["$.Id", "$.SyncToken", "$.MetaData.LastUpdatedTime"]
        .iter()
        .chain(identity)
        .filter_map(|source| JsonPath::parse(source).ok())
        .chain(cursor.cloned())
        .collect()
}

impl PagePlan {
    /// The plan for a run writing the records `records` selects as `format`, with CSV
    /// `columns` if declared and the incremental `cursor` if any.
    #[must_use]
    pub fn new(
        records: &JsonPath,
        format: Format,
        columns: Option<&[Column]>,
        cursor: Option<&JsonPath>,
    ) -> PagePlan {
        let form = Form::choose(records, format, columns, cursor).unwrap_or(Form::Whole);
        PagePlan {
            records: records.clone(),
            form,
        }
    }

    /// The plan that reads every page whole, whatever the output.
    #[must_use]
    pub fn whole(records: &JsonPath) -> PagePlan {
        PagePlan {
            records: records.clone(),
            form: Form::Whole,
        }
    }

    /// The records path.
    #[must_use]
    pub fn records(&self) -> &JsonPath {
        &self.records
    }

    /// A reader of one page's body, fed chunk by chunk as it arrives (CPU work: feed it off
    /// the runtime).
    #[must_use]
    pub fn reader(self: &Arc<Self>) -> PageReader {
        self.reader_paced(None)
    }

    /// [`PagePlan::reader`] for a page that waits for its turn (`pace`) after reading a
    /// little, when given.
    #[must_use]
    pub fn reader_paced(self: &Arc<Self>, pace: Option<Pace>) -> PageReader {
        PageReader {
            plan: Arc::clone(self),
            state: Reading::of(&self.form),
            pace,
        }
    }

    /// Turn one whole page's body into what the writer needs (CPU work: call it off the
    /// runtime): the page reader fed the body in one chunk, or the whole page parsed when the
    /// body is not a plain page.
    ///
    /// # Errors
    ///
    /// The `serde_json` error of parsing the whole body, when it is not JSON.
    pub fn read(&self, body: bytes::Bytes) -> Result<Page, serde_json::Error> {
        let mut reading = Reading::of(&self.form);
        reading.feed(&self.form, &body);
        match reading.finish(&self.form) {
            Ok(page) => Ok(page),
            Err(Unread::NotPlain) => whole(&body),
            Err(Unread::NotJson(error)) => Err(error),
        }
    }

    /// Parse one whole page's body.
    ///
    /// # Errors
    ///
    /// The `serde_json` error of parsing it, when it is not JSON.
    pub fn read_whole(&self, body: &[u8]) -> Result<Page, serde_json::Error> {
        whole(body)
    }
}

/// Why a page reader gave no page.
#[derive(Debug)]
pub enum Unread {
    /// The body was not a plain QBO query page (or not JSON): read it whole
    /// ([`PagePlan::read_whole`]) for the records it has or the error it gives.
    NotPlain,
    /// The whole form's body is not JSON.
    NotJson(serde_json::Error),
}

/// One page's body read as it arrives: for the cells and raw forms only the current
/// record and the unread end of the last chunk are held besides what the page keeps (the
/// records' cells, or their text); the whole form gathers the body.
#[derive(Debug)]
pub struct PageReader {
    plan: Arc<PagePlan>,
    state: Reading,
    pace: Option<Pace>,
}

#[derive(Debug)]
enum Reading {
    /// Whole form: the body so far.
    Gather(Vec<u8>),
    /// Cells and raw forms: the envelope reader and the records so far.
    Split(Envelope, Taken),
    /// The body is not a plain page.
    NotPlain,
}

/// The records a page reader has taken so far.
#[derive(Debug, Default)]
struct Taken {
    /// Raw form: each record's text, in an allocation of its own size (one text for the page
    /// would grow by doubling and copying).
    texts: Vec<Box<str>>,
    /// Cells form: each record's cells.
    cells: CellRows,
    /// Each record's key.
    keys: Vec<RowKey>,
    /// With a cursor: what it reads of each record.
    cursors: Vec<CursorRead>,
}

/// The [`RowSink`] of one feed: the plan's form and the records so far.
struct Taker<'a> {
    form: &'a Form,
    taken: &'a mut Taken,
}

impl RowSink for Taker<'_> {
    fn wants(&self, key: &str) -> bool {
        let rows = match self.form {
            Form::Cells { rows, .. } | Form::Raw { rows, .. } => rows,
            Form::Whole => return false,
        };
        match rows {
            Rows::Entity(name) => name == key,
            Rows::Every => true,
        }
    }

    fn row(&mut self, text: &str) -> Result<(), Surprise> {
        let (projection, cursor) = match self.form {
            Form::Cells {
                projection, cursor, ..
            } => (projection, cursor),
            Form::Raw { keys, cursor, .. } => (keys, cursor),
            Form::Whole => return Err(Surprise),
        };
        let record = projection.parse(text).map_err(|_| Surprise)?;
        match self.form {
            Form::Cells { columns, .. } => self.taken.cells.push(columns, &record),
            _ => self.taken.texts.push(Box::from(text)),
        }
        self.taken.keys.push(RowKey::of(&record));
        if let Some(cursor) = cursor {
            self.taken.cursors.push(CursorRead::of(cursor, &record));
        }
        Ok(())
    }
}

impl PageReader {
    /// Takes the next bytes of the body. Returns `false` once the body is known not to be a
    /// plain page (what follows need not be fed; [`PageReader::finish`] says
    /// [`Unread::NotPlain`]).
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        self.state.feed(&self.plan.form, chunk)
    }

    /// The body has ended: the page.
    ///
    /// # Errors
    ///
    /// [`Unread::NotPlain`] when the body is not a plain page (read it whole instead);
    /// [`Unread::NotJson`] when the whole form's body is not JSON.
    pub fn finish(self) -> Result<Page, Unread> {
        self.state.finish(&self.plan.form)
    }

    /// The page's place among the pages written in order, when it waits for its turn.
    #[must_use]
    pub fn pace(&self) -> Option<Pace> {
        self.pace.clone()
    }
}

impl Reading {
    fn of(form: &Form) -> Reading {
        match form {
            Form::Whole => Reading::Gather(Vec::new()),
            Form::Cells { columns, .. } => Reading::Split(
                Envelope::default(),
                Taken {
                    cells: CellRows::new(columns.len()),
                    ..Taken::default()
                },
            ),
            Form::Raw { .. } => Reading::Split(Envelope::default(), Taken::default()),
        }
    }

    fn feed(&mut self, form: &Form, chunk: &[u8]) -> bool {
        match self {
            Reading::Gather(body) => body.extend_from_slice(chunk),
            Reading::Split(envelope, taken) => {
                if envelope.feed(chunk, &mut Taker { form, taken }).is_err() {
                    *self = Reading::NotPlain;
                    return false;
                }
            }
            Reading::NotPlain => return false,
        }
        true
    }

    fn finish(self, form: &Form) -> Result<Page, Unread> {
        let (envelope, mut taken) = match self {
            Reading::Gather(body) => return whole(&body).map_err(Unread::NotJson),
            Reading::Split(envelope, taken) => (envelope, taken),
            Reading::NotPlain => return Err(Unread::NotPlain),
        };
        let rows = envelope
            .finish(&mut Taker {
                form,
                taken: &mut taken,
            })
            .map_err(|_| Unread::NotPlain)?;
        let Taken {
            texts,
            cells,
            keys,
            cursors,
        } = taken;
        let records = match form {
            Form::Cells { .. } => Records::Cells { cells, cursors },
            _ => Records::Raw { texts, cursors },
        };
        Ok(Page {
            rows,
            keys,
            records,
        })
    }
}

impl fmt::Display for PagePlan {
    /// How pages are read, for the log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.form {
            Form::Whole => f.write_str("whole pages"),
            Form::Cells { .. } => f.write_str("records read into their CSV cells"),
            Form::Raw { .. } => f.write_str("records as the server's text"),
        }
    }
}

impl Form {
    /// The cheaper form this run allows, if any.
    fn choose(
        records: &JsonPath,
        format: Format,
        columns: Option<&[Column]>,
        cursor: Option<&JsonPath>,
    ) -> Option<Form> {
        let rows = match records.query_rows()? {
            QueryRows::Entity(name) => Rows::Entity(name.to_owned()),
            QueryRows::Every => Rows::Every,
        };
        let keys = key_paths(cursor);
        let cursor = cursor.cloned();
        match (format, columns) {
            (Format::Csv, Some(columns)) => {
                let paths = columns.iter().map(|c| &c.path).chain(&keys);
                let projection = Projection::of(paths)?;
                let columns = columns.iter().map(|c| c.path.clone()).collect();
                (!projection.is_whole()).then_some(Form::Cells {
                    rows,
                    projection,
                    columns,
                    cursor,
                })
            }
            // JSON and flattened CSV parse each record's text when they write it: the page keeps
            // the text, a fraction of the parsed page's size.
            (Format::Jsonl | Format::Json, _) | (Format::Csv, None) => {
                let keys = Projection::of(&keys)?;
                Some(Form::Raw { rows, keys, cursor })
            }
        }
    }
}

/// One page, ready for the writer.
#[derive(Debug)]
pub struct Page {
    rows: u64,
    /// The key of each record the page holds, in order.
    keys: Vec<RowKey>,
    records: Records,
}

#[derive(Debug)]
enum Records {
    /// The whole page; the records path is applied when writing.
    Whole(Value),
    /// The page's records' CSV cells; `cursors[i]`: what the cursor read of record `i`
    /// (empty without a cursor).
    Cells {
        cells: CellRows,
        cursors: Vec<CursorRead>,
    },
    /// Each record's text as the server sent it, and what the cursor read of it.
    Raw {
        texts: Vec<Box<str>>,
        cursors: Vec<CursorRead>,
    },
}

impl Page {
    /// The page's row count: the length of the longest array in `QueryResponse` (not the
    /// number of records selected, which a filtering records path may make smaller).
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The key of each record, in order (for a whole page: each row of its entity array).
    #[must_use]
    pub fn keys(&self) -> &[RowKey] {
        &self.keys
    }

    /// Keep only the records whose `keep[i]` is true (a missing entry keeps); the row count
    /// stays the one the server sent.
    pub fn retain(&mut self, keep: &[bool]) {
        let kept = |at: usize| keep.get(at).copied().unwrap_or(true);
        let mut at = 0;
        self.keys.retain(|_| {
            at += 1;
            kept(at - 1)
        });
        match &mut self.records {
            Records::Whole(page) => {
                if let Some(rows) = rows_array(page) {
                    let mut at = 0;
                    rows.retain(|_| {
                        at += 1;
                        kept(at - 1)
                    });
                }
            }
            Records::Cells { cells, cursors } => {
                cells.retain(kept);
                retain_at(cursors, kept);
            }
            Records::Raw { texts, cursors } => {
                retain_at(texts, kept);
                retain_at(cursors, kept);
            }
        }
    }

    /// Hand the page's records to `sink` in order; returns how many.
    ///
    /// # Errors
    ///
    /// What the sink returns.
    pub fn write(&self, plan: &PagePlan, sink: &mut dyn RecordSink) -> Result<u64, Error> {
        let mut written = 0;
        match &self.records {
            Records::Whole(page) => {
                for record in plan.records.select(page) {
                    sink.record(record)?;
                    written += 1;
                }
            }
            Records::Cells { cells, cursors } => {
                for (at, row) in cells.rows().enumerate() {
                    sink.cells(row, cursors.get(at))?;
                    written += 1;
                }
            }
            Records::Raw { texts, cursors } => {
                for (at, raw) in texts.iter().enumerate() {
                    sink.raw_record(raw, cursors.get(at))?;
                    written += 1;
                }
            }
        }
        Ok(written)
    }
}

/// Keeps the items of `items` whose `kept(i)` is true.
fn retain_at<T>(items: &mut Vec<T>, kept: impl Fn(usize) -> bool) {
    let mut at = 0;
    items.retain(|_| {
        at += 1;
        kept(at - 1)
    });
}

/// Parse the whole page.
fn whole(body: &[u8]) -> Result<Page, serde_json::Error> {
    let mut page: Value = serde_json::from_slice(body)?;
    let keys = rows_array(&mut page)
        .map(|rows| rows.iter().map(RowKey::of).collect())
        .unwrap_or_default();
    Ok(Page {
        rows: page_rows(&page),
        keys,
        records: Records::Whole(page),
    })
}

/// The rows of a whole QBO query page: the longest array in `QueryResponse` (the first of
/// equals), if there is one.
fn rows_array(page: &mut Value) -> Option<&mut Vec<Value>> {
    let response = page.get_mut("QueryResponse")?.as_object_mut()?;
    let longest = response
        .iter()
        .filter_map(|(key, value)| Some((key.clone(), value.as_array()?.len())))
        .fold(None::<(String, usize)>, |best, (key, len)| match best {
            Some((_, most)) if most >= len => best,
            _ => Some((key, len)),
        })?
        .0;
    response.get_mut(&longest)?.as_array_mut()
}

/// The number of rows in a QBO query page: the length of the longest array in
/// `QueryResponse`.
pub(super) fn page_rows(page: &Value) -> u64 {
    page.get("QueryResponse")
        .and_then(Value::as_object)
        .map(|response| {
            response
                .values()
                .filter_map(Value::as_array)
                .map(|rows| rows.len() as u64)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests;
