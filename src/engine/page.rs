//! Pages: what the writer gets from the body of one page, prepared off the async runtime.
//!
//! A [`PagePlan`] is decided once per run from the records path, the output format, the CSV
//! columns and the incremental cursor. [`PagePlan::read`] runs on a blocking thread for each
//! page (so pages are parsed in parallel with each other and with the network) and gives a
//! [`Page`]; [`Page::write`] then runs on the writer, one page after another, and does as
//! little as possible. There are three forms:
//!
//! * **projected**: CSV with declared columns whose paths (and the cursor) are all on the fast
//!   route of [`JsonPath`], and records at `$.QueryResponse.<Entity>[*]` or
//!   `$.QueryResponse.*[*]`. The page envelope is read with borrowed
//!   [`RawValue`]s (the records are not built), and each record is parsed with a [`Projection`]
//!   that keeps only what the columns and the cursor read. The page text is dropped before the
//!   page is handed on.
//! * **raw**: JSON Lines with such records. The page text is kept and the writer gets each
//!   record's JSON text as the server sent it, plus the record projected to the cursor path if
//!   the run is incremental.
//! * **whole**: anything else (JSON, flattened CSV, other records paths, columns or cursors off
//!   the fast route). The page is parsed into a [`Value`] and the records path is applied by
//!   the writer, as it always was.
//!
//! Whatever the form, each record also gives its [`RowKey`] (its `Id`, `SyncToken` and
//! `MetaData.LastUpdatedTime`, kept by the projection), which the walk (`walk.rs`) uses to fit
//! pages together and to write every record once; [`Page::retain`] drops the records it has
//! already written.
//!
//! Whatever the form, the records and the row count are the ones the whole page would give:
//! a page whose envelope is not the plain QBO shape (not an object, `QueryResponse` not an
//! object, a duplicate key in it, an object where rows are expected) is read as a whole page.
//! Memory is bounded by the pages in flight: a page holds at most its own text plus small
//! projected records.

use std::fmt;
use std::ops::Range;

use serde::de::{
    DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde_json::Value;
use serde_json::value::RawValue;

use super::sink::RecordSink;
use crate::diagnostics::{Error, ErrorKind};
use crate::extract::{JsonPath, Projection, QueryRows};
use crate::output::{Column, Format};

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
    /// Each record projected (to the columns, the cursor and its key).
    Projected { rows: Rows, projection: Projection },
    /// Each record's text, with the record projected to the cursor path and its key.
    Raw { rows: Rows, keys: Projection },
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

/// The paths a record's [`RowKey`] is read from.
fn key_paths() -> Vec<JsonPath> {
    ["$.Id", "$.SyncToken", "$.MetaData.LastUpdatedTime"]
        .iter()
        .filter_map(|source| JsonPath::parse(source).ok())
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

    /// Turn one page's body into what the writer needs (CPU work: call it off the runtime).
    ///
    /// # Errors
    ///
    /// The `serde_json` error of parsing the whole body, when it is not JSON.
    pub fn read(&self, body: bytes::Bytes) -> Result<Page, serde_json::Error> {
        let (rows, take, keys) = match &self.form {
            Form::Whole => return whole(&body),
            Form::Projected { rows, projection } => (rows, Take::Project(projection), None),
            Form::Raw { rows, keys } => (rows, Take::Raw, Some(keys)),
        };
        let text = match String::from_utf8(Vec::from(body)) {
            Ok(text) => text,
            Err(not_utf8) => return whole(not_utf8.as_bytes()),
        };
        let Some(split) = Split::of(&text, rows, take) else {
            return whole(text.as_bytes());
        };
        let rows = split.rows;
        let Some(keys) = keys else {
            let keys = split.projected.iter().map(RowKey::of).collect();
            return Ok(Page {
                rows,
                keys,
                records: Records::Projected(split.projected),
            });
        };
        let Some(spans) = spans(&text, &split.raw) else {
            return whole(text.as_bytes());
        };
        let projected: Result<Vec<Value>, _> =
            split.raw.iter().map(|raw| keys.parse(raw.get())).collect();
        let Ok(projected) = projected else {
            return whole(text.as_bytes());
        };
        drop(split);
        Ok(Page {
            rows,
            keys: projected.iter().map(RowKey::of).collect(),
            records: Records::Raw {
                text,
                spans,
                projected,
            },
        })
    }
}

impl fmt::Display for PagePlan {
    /// How pages are read, for the log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.form {
            Form::Whole => f.write_str("whole pages"),
            Form::Projected { .. } => f.write_str("records projected to the columns"),
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
        let keys = key_paths();
        match (format, columns) {
            (Format::Csv, Some(columns)) => {
                let paths = columns.iter().map(|c| &c.path).chain(cursor).chain(&keys);
                let projection = Projection::of(paths)?;
                (!projection.is_whole()).then_some(Form::Projected { rows, projection })
            }
            (Format::Jsonl, _) => {
                let keys = Projection::of(cursor.into_iter().chain(&keys))?;
                Some(Form::Raw { rows, keys })
            }
            _ => None,
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
    /// The page's records, projected.
    Projected(Vec<Value>),
    /// The page's text and where each record is in it; `projected[i]` is record `i` projected
    /// to the cursor path and its key.
    Raw {
        text: String,
        spans: Vec<Range<usize>>,
        projected: Vec<Value>,
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
            Records::Projected(records) => {
                let mut at = 0;
                records.retain(|_| {
                    at += 1;
                    kept(at - 1)
                });
            }
            Records::Raw {
                spans, projected, ..
            } => {
                let mut at = 0;
                spans.retain(|_| {
                    at += 1;
                    kept(at - 1)
                });
                let mut at = 0;
                projected.retain(|_| {
                    at += 1;
                    kept(at - 1)
                });
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
            Records::Projected(records) => {
                for record in records {
                    sink.record(record)?;
                    written += 1;
                }
            }
            Records::Raw {
                text,
                spans,
                projected,
            } => {
                for (at, span) in spans.iter().enumerate() {
                    let raw = text.get(span.clone()).ok_or_else(|| {
                        Error::new(ErrorKind::Internal, "a record's place in its page is lost")
                    })?;
                    sink.raw_record(raw, projected.get(at))?;
                    written += 1;
                }
            }
        }
        Ok(written)
    }
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

/// Where each record's text is in `text`, or `None` if a record is not a slice of it.
fn spans(text: &str, records: &[&RawValue]) -> Option<Vec<Range<usize>>> {
    let base = text.as_ptr() as usize;
    records
        .iter()
        .map(|raw| {
            let start = (raw.get().as_ptr() as usize).checked_sub(base)?;
            let span = start..start.checked_add(raw.get().len())?;
            text.get(span.clone()).map(|_| span)
        })
        .collect()
}

/// What to take of each selected record while reading the envelope.
#[derive(Clone, Copy)]
enum Take<'p> {
    /// Its text.
    Raw,
    /// Its projection.
    Project(&'p Projection),
}

/// A page read without building it whole: the row count and the selected records, as text
/// ([`Take::Raw`]) or projected ([`Take::Project`]).
struct Split<'a> {
    rows: u64,
    raw: Vec<&'a RawValue>,
    projected: Vec<Value>,
}

impl<'a> Split<'a> {
    /// Read `text` in one pass; `None` when it is not the plain QBO shape (or not JSON), and
    /// the page must be read whole.
    fn of(text: &'a str, rows: &Rows, take: Take<'_>) -> Option<Split<'a>> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let response = (&mut deserializer)
            .deserialize_map(EnvelopeVisitor { rows, take })
            .ok()?;
        deserializer.end().ok()?;
        let Response {
            members,
            raw,
            projected,
        } = response.unwrap_or_default();
        for (at, (key, _)) in members.iter().enumerate() {
            if members[..at].iter().any(|(earlier, _)| earlier == key) {
                return None;
            }
        }
        Some(Split {
            rows: members
                .iter()
                .filter_map(|(_, len)| *len)
                .max()
                .unwrap_or(0),
            raw,
            projected,
        })
    }
}

/// `QueryResponse` as read: each member's key and row count (`None` for a scalar), and the
/// selected records.
#[derive(Default)]
struct Response<'de> {
    members: Vec<(String, Option<u64>)>,
    raw: Vec<&'de RawValue>,
    projected: Vec<Value>,
}

/// The top level: an object whose `QueryResponse` (the last one, as with a whole parse) is an
/// object of arrays and scalars; any other shape is an error, which sends the page down the
/// whole route.
struct EnvelopeVisitor<'r, 'p> {
    rows: &'r Rows,
    take: Take<'p>,
}

impl<'de> Visitor<'de> for EnvelopeVisitor<'_, '_> {
    type Value = Option<Response<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a QBO query response object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut response = None;
        while let Some(is_response) = map.next_key_seed(IsKey("QueryResponse"))? {
            if is_response {
                response = Some(map.next_value_seed(ResponseSeed {
                    rows: self.rows,
                    take: self.take,
                })?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(response)
    }
}

/// Reads an object key and says whether it is the given one, without allocating.
struct IsKey(&'static str);

impl<'de> DeserializeSeed<'de> for IsKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for IsKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

/// `QueryResponse`: an object whose members are arrays or scalars.
struct ResponseSeed<'r, 'p> {
    rows: &'r Rows,
    take: Take<'p>,
}

impl<'de> DeserializeSeed<'de> for ResponseSeed<'_, '_> {
    type Value = Response<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResponseSeed<'_, '_> {
    type Value = Response<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the QueryResponse object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut response = Response::default();
        while let Some(key) = map.next_key::<String>()? {
            let wanted = match self.rows {
                Rows::Entity(name) => *name == key,
                Rows::Every => true,
            };
            let len = map.next_value_seed(MemberSeed {
                take: wanted.then_some(self.take),
                response: &mut response,
            })?;
            response.members.push((key, len));
        }
        Ok(response)
    }
}

/// One member of `QueryResponse`: an array's elements are taken into the response (or only
/// counted, when `take` is `None`); its length is the result. A scalar gives `None`.
struct MemberSeed<'p, 'r, 'de> {
    take: Option<Take<'p>>,
    response: &'r mut Response<'de>,
}

impl<'de> DeserializeSeed<'de> for MemberSeed<'_, '_, 'de> {
    type Value = Option<u64>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<u64>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MemberSeed<'_, '_, 'de> {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows or a scalar")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<u64>, A::Error> {
        let mut len = 0;
        match self.take {
            None => {
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    len += 1;
                }
            }
            Some(Take::Raw) => {
                while let Some(row) = seq.next_element::<&'de RawValue>()? {
                    self.response.raw.push(row);
                    len += 1;
                }
            }
            Some(Take::Project(projection)) => {
                while let Some(row) = seq.next_element_seed(projection.seed())? {
                    self.response.projected.push(row);
                    len += 1;
                }
            }
        }
        Ok(Some(len))
    }

    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<Option<u64>, A::Error> {
        // `[*]` would pick an object's member values; leave that to the whole route.
        Err(A::Error::custom("an object in QueryResponse"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Option<u64>, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Option<u64>, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests;
