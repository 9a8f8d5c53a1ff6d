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

use crate::diagnostics::{Error, ErrorKind};
use crate::engine::RecordSink;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde_json::{Map, Value};

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
    let now = Utc::now();
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
/// `{"entity", "deleted", ...fields}`, to another sink.
pub struct CdcRecords<'a> {
    inner: &'a mut dyn RecordSink,
    answered_at: &'a mut Option<String>,
}

impl<'a> CdcRecords<'a> {
    /// Records of every CDC answer this sink receives go to `inner`; the answer's `time` (when
    /// QBO answered: every change up to then is in the answer) goes to `answered_at`.
    pub fn new(
        inner: &'a mut dyn RecordSink,
        answered_at: &'a mut Option<String>,
    ) -> CdcRecords<'a> {
        CdcRecords { inner, answered_at }
    }
}

impl RecordSink for CdcRecords<'_> {
    fn record(&mut self, answer: &Value) -> Result<(), Error> {
        let inner = &mut *self.inner;
        for_each_record(answer, &mut |record| inner.record(&record))?;
        // Whole seconds, rounded down: QBO's `LastUpdatedTime`s are whole seconds, and a change
        // later in the same second must not fall before the cursor.
        *self.answered_at = answer
            .get("time")
            .and_then(Value::as_str)
            .and_then(|time| DateTime::parse_from_rfc3339(time).ok())
            .and_then(|at| at.with_nanosecond(0))
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false));
        Ok(())
    }

    fn page_done(&mut self) {
        self.inner.page_done();
    }
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
