//! `extract: cdc`: the records of a QBO change-data-capture answer, and the 30-day rule on
//! `changedSince`.
//!
//! A CDC answer (`GET /v3/company/{realm}/cdc?entities=..&changedSince=..`, QBO.md 2.6) holds
//! `CDCResponse[].QueryResponse[]`, one object per entity with that entity's array. Each record
//! becomes one plain object: `entity` (the entity's name) and `deleted` (true for QBO's
//! `"status": "Deleted"` stubs) first, then the record's own fields as QBO sent them; so JSON,
//! JSON Lines and CSV (declared columns or flattened) write CDC like any other records, and
//! `incremental` works with `$.MetaData.LastUpdatedTime` (deleted stubs carry it too).
//!
//! QBO looks back at most 30 days: a `changedSince` further back (or not a date-time) is refused
//! before anything is sent, by `check` when the file fixes it and at run time once rendered.
//!
//! QBO puts at most 1,000 objects in one answer, all entities together, and has no paging for
//! CDC: what is past the cap is silently left out. [`run`] therefore treats an answer that holds
//! 1,000 objects as cut short: with several entities it asks again for each entity on its own;
//! with one, it asks again from the newest `LastUpdatedTime` it got (records already written are
//! not written twice). Only 1,000 changes of one entity within one second cannot be told apart,
//! and that is an error, never a silent loss.

use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::engine::{self, PagePlan, RecordSink, RunStats};
use crate::http::ApiClient;
use crate::render::RenderedRequest;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde_json::{Map, Value};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

/// Most objects QBO puts in one CDC answer, all entities together.
pub const MAX_OBJECTS: usize = 1000;

/// The query parameter naming the entities.
const ENTITIES: &str = "entities";

/// How far back QBO's CDC looks.
pub const MAX_LOOKBACK_DAYS: i64 = 30;

/// The query parameter holding the instant.
pub const CHANGED_SINCE: &str = "changedSince";

/// The instant `text` names: an RFC 3339 date-time, a date-time without zone (taken as UTC), or
/// a date (its midnight, UTC).
pub fn parse_instant(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(at.and_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

/// Why `changed_since` cannot be asked at `now`, if it cannot.
pub fn changed_since_problem(changed_since: &str, now: DateTime<Utc>) -> Option<String> {
    let Some(at) = parse_instant(changed_since) else {
        return Some(format!(
            "changedSince `{changed_since}` is not an ISO-8601 date-time (e.g. 2025-09-01T00:00:00-07:00)"
        ));
    };
    let oldest = now - chrono::Duration::days(MAX_LOOKBACK_DAYS);
    (at < oldest).then(|| {
        format!(
            "changedSince `{changed_since}` is {} days ago; QBO's change data capture looks back at most {MAX_LOOKBACK_DAYS} days",
            (now - at).num_days()
        )
    })
}

/// Refuses a rendered CDC call whose `changedSince` is missing, unreadable or more than 30 days
/// back (a usage error: the value came from `--var`, a saved cursor or the clock).
pub fn check_url(url: &url::Url) -> Result<(), Error> {
    let value = url
        .query_pairs()
        .find(|(name, _)| name == CHANGED_SINCE)
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            Error::usage(format!(
                "a CDC request needs the `{CHANGED_SINCE}` parameter"
            ))
        })?;
    let now = crate::clock::now();
    match changed_since_problem(&value, now) {
        None => Ok(()),
        Some(problem) => {
            let example = (now - chrono::Duration::days(7))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
            Err(Error::usage(problem)
                .note(format!(
                    "give a later time (e.g. --var since={example}), or `{{{{ days_ago(7) }}}}` in the file"
                ))
                .note("changes older than 30 days need a full extraction (a query) instead"))
        }
    }
}

/// A [`RecordSink`] that takes whole CDC answers and hands each changed record, as
/// `{"entity", "deleted", ...fields}`, to another sink, each (entity, `Id`, `LastUpdatedTime`)
/// once however many answers hold it.
pub struct CdcRecords<'a> {
    inner: &'a mut dyn RecordSink,
    answered_at: &'a mut Option<String>,
    /// When the earliest answer was given (every change up to then is in the answers).
    earliest: Option<DateTime<chrono::FixedOffset>>,
    written: HashSet<(String, String, String)>,
}

impl<'a> CdcRecords<'a> {
    /// Records of every CDC answer this sink receives go to `inner`; the answer's `time` (when
    /// QBO answered: every change up to then is in the answer) goes to `answered_at`.
    pub fn new(
        inner: &'a mut dyn RecordSink,
        answered_at: &'a mut Option<String>,
    ) -> CdcRecords<'a> {
        CdcRecords {
            inner,
            answered_at,
            earliest: None,
            written: HashSet::new(),
        }
    }
}

/// The key a record is written once by.
fn identity(record: &Value) -> (String, String, String) {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&record["entity"]),
        text(&record["Id"]),
        text(&record["MetaData"]["LastUpdatedTime"]),
    )
}

impl RecordSink for CdcRecords<'_> {
    fn record(&mut self, answer: &Value) -> Result<(), Error> {
        let inner = &mut *self.inner;
        let written = &mut self.written;
        for_each_record(answer, &mut |record| {
            if written.insert(identity(&record)) {
                inner.record(&record)
            } else {
                Ok(())
            }
        })?;
        // Whole seconds, rounded down: QBO's `LastUpdatedTime`s are whole seconds, and a change
        // later in the same second must not fall before the cursor.
        let at = answer
            .get("time")
            .and_then(Value::as_str)
            .and_then(|time| DateTime::parse_from_rfc3339(time).ok())
            .and_then(|at| at.with_nanosecond(0));
        if let Some(at) = at
            && self.earliest.is_none_or(|earliest| at < earliest)
        {
            self.earliest = Some(at);
            *self.answered_at = Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false));
        }
        Ok(())
    }

    fn page_done(&mut self) {
        self.inner.page_done();
    }
}

/// Keeps whole answers for [`run`] to look at before they are written.
struct Answers(Vec<Value>);

impl RecordSink for Answers {
    fn record(&mut self, answer: &Value) -> Result<(), Error> {
        self.0.push(answer.clone());
        Ok(())
    }
}

/// How many objects `answer` holds, and the newest `LastUpdatedTime` among them.
fn size_and_newest(answer: &Value) -> (usize, Option<(DateTime<Utc>, String)>) {
    let mut count = 0;
    let mut newest: Option<(DateTime<Utc>, String)> = None;
    let _ = for_each_record(answer, &mut |record| {
        count += 1;
        if let Some(text) = record["MetaData"]["LastUpdatedTime"].as_str()
            && let Some(at) = parse_instant(text)
            && newest.as_ref().is_none_or(|(n, _)| at > *n)
        {
            newest = Some((at, text.to_owned()));
        }
        Ok(())
    });
    (count, newest)
}

/// `request` asking for `entities` changed since `since`.
fn asking(request: &RenderedRequest, entities: &[String], since: &str) -> RenderedRequest {
    let mut asked = request.clone();
    let others: Vec<(String, String)> = request
        .url
        .query_pairs()
        .filter(|(name, _)| name != ENTITIES && name != CHANGED_SINCE)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    asked
        .url
        .query_pairs_mut()
        .clear()
        .extend_pairs(others)
        .append_pair(ENTITIES, &entities.join(","))
        .append_pair(CHANGED_SINCE, since);
    asked
}

/// Runs the CDC call `request` and hands every answer to `sink` (a [`CdcRecords`]), asking
/// again per entity, or from a later `changedSince`, whenever an answer reached the
/// 1,000-object cap; see the module documentation.
pub async fn run(
    request: &RenderedRequest,
    session: &Session,
    client: &ApiClient,
    plan: &Arc<PagePlan>,
    sink: &mut dyn RecordSink,
) -> Result<RunStats, Error> {
    let param = |name: &str| {
        request
            .url
            .query_pairs()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let entities: Vec<String> = param(ENTITIES)
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned)
        .collect();
    let mut queue = VecDeque::from([(entities, param(CHANGED_SINCE))]);
    let mut stats = RunStats::default();
    let mut first = true;
    while let Some((entities, since)) = queue.pop_front() {
        let asked = if first {
            request.clone()
        } else {
            stats.extra_calls += 1;
            asking(request, &entities, &since)
        };
        first = false;
        let mut answers = Answers(Vec::new());
        let got = engine::run(&asked, session, client, plan, &mut answers).await?;
        stats.pages += got.pages;
        stats.extra_calls += got.extra_calls;
        for answer in answers.0 {
            let (size, newest) = size_and_newest(&answer);
            if size >= MAX_OBJECTS && entities.len() > 1 {
                tracing::info!(
                    objects = size,
                    entities = %entities.join(","),
                    "the CDC answer reached QBO's 1,000-object cap; asking for each entity on its own"
                );
                queue.extend(entities.iter().map(|e| (vec![e.clone()], since.clone())));
                continue;
            }
            if size >= MAX_OBJECTS {
                let entity = entities.first().cloned().unwrap_or_default();
                let since_at = parse_instant(&since);
                match newest {
                    Some((at, text)) if since_at.is_none_or(|s| at > s) => {
                        tracing::info!(
                            entity = %entity, from = %text,
                            "the CDC answer reached QBO's 1,000-object cap; asking again from its newest change"
                        );
                        queue.push_back((entities.clone(), text));
                    }
                    _ => {
                        return Err(Error::new(
                            ErrorKind::Remote,
                            format!(
                                "QBO's change data capture answered {size} changes of {entity} since {since}, its cap, all within one second: the rest cannot be asked for"
                            ),
                        )
                        .note("read the entity with a query on MetaData.LastUpdatedTime instead"));
                    }
                }
            }
            sink.record(&answer)?;
            sink.page_done();
        }
    }
    Ok(stats)
}

/// Calls `each` with every record of the CDC answer `answer`, in the order QBO sent them.
pub fn for_each_record(
    answer: &Value,
    each: &mut dyn FnMut(Value) -> Result<(), Error>,
) -> Result<(), Error> {
    let responses = answer
        .get("CDCResponse")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Remote,
                "the answer is not a QBO change-data-capture response (no CDCResponse array)",
            )
            .note(
                "`extract: cdc` expects GET /v3/company/{realm}/cdc?entities=...&changedSince=...",
            )
        })?;
    for response in responses {
        let lists = response
            .get("QueryResponse")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for list in lists {
            let Some(list) = list.as_object() else {
                continue;
            };
            for (entity, records) in list {
                let Some(records) = records.as_array() else {
                    continue;
                };
                for record in records {
                    let Some(fields) = record.as_object() else {
                        continue;
                    };
                    let deleted = fields
                        .get("status")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.eq_ignore_ascii_case("Deleted"));
                    let mut out = Map::with_capacity(fields.len() + 2);
                    out.insert("entity".into(), Value::String(entity.clone()));
                    out.insert("deleted".into(), Value::Bool(deleted));
                    for (key, value) in fields {
                        if key != "entity" && key != "deleted" {
                            out.insert(key.clone(), value.clone());
                        }
                    }
                    each(Value::Object(out))?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_name_their_entity_and_deletes_are_marked() {
        let sample = json!({"CDCResponse": [{"QueryResponse": [
            {"Invoice": [
                {"domain": "QBO", "Id": "1187", "SyncToken": "2", "MetaData": {"LastUpdatedTime": "2025-09-18T16:02:07-07:00"}},
                {"domain": "QBO", "status": "Deleted", "Id": "1176", "MetaData": {"LastUpdatedTime": "2025-09-17T13:20:45-07:00"}}
            ], "startPosition": 1, "maxResults": 2},
            {},
            {"Customer": [{"Id": "64", "DisplayName": "Northgate Bakery Co."}], "startPosition": 1, "maxResults": 1}
        ]}], "time": "2025-09-19T09:45:10.031-07:00"});
        let mut got = Vec::new();
        for_each_record(&sample, &mut |r| {
            got.push(r);
            Ok(())
        })
        .expect("a CDC answer");
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0]
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>()),
            Some(
                vec!["entity", "deleted", "domain", "Id", "SyncToken", "MetaData"]
                    .into_iter()
                    .map(String::from)
                    .collect()
            )
        );
        assert_eq!(got[0]["entity"], "Invoice");
        assert_eq!(got[0]["deleted"], false);
        assert_eq!(got[1]["deleted"], true);
        assert_eq!(got[1]["Id"], "1176");
        assert_eq!(got[2]["entity"], "Customer");
        let err =
            for_each_record(&json!({"QueryResponse": {}}), &mut |_| Ok(())).expect_err("not CDC");
        assert!(err.message().contains("no CDCResponse"));
    }

    #[test]
    fn changed_since_is_at_most_thirty_days_back() {
        let now = parse_instant("2026-11-23T12:00:00Z").expect("instant");
        assert_eq!(
            changed_since_problem("2026-11-01T00:00:00-07:00", now),
            None
        );
        assert_eq!(changed_since_problem("2026-10-25", now), None);
        assert_eq!(
            changed_since_problem("2026-10-23T11:00:00Z", now).as_deref(),
            Some(
                "changedSince `2026-10-23T11:00:00Z` is 31 days ago; QBO's change data capture looks back at most 30 days"
            )
        );
        assert!(
            changed_since_problem("last week", now)
                .is_some_and(|p| p.contains("is not an ISO-8601 date-time"))
        );
        let url = url::Url::parse("http://x/cdc?entities=Invoice").expect("url");
        assert!(check_url(&url).is_err());
    }
}
