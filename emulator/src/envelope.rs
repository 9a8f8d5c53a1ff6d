//! The envelopes around QBO answers: a read by id, a written record or status object, a query
//! page (seeded rows rendered from the tables, written ones from the overlay), `count(*)`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::changes::{Slot, Table};
use crate::data::Dataset;
use crate::entity::Entity;
use crate::records::{AllCustomFields, Record};
use crate::time::ResponseTime;
use serde_json::{Map, Value};

/// `{"<Entity>": {...}, "time": "..."}` — the read-by-id answer.
pub(crate) struct Single<'a> {
    pub(crate) record: Record<'a>,
    pub(crate) time: ResponseTime,
}

impl Serialize for Single<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.record.entity.name(), &self.record)?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

/// `{"<key>": value, "time": "..."}`: the envelope of a single-object answer (a written record,
/// a delete's status object).
pub(crate) struct Envelope<'a, T: Serialize> {
    pub(crate) key: &'a str,
    pub(crate) value: &'a T,
    pub(crate) time: ResponseTime,
}

impl<T: Serialize> Serialize for Envelope<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.key, self.value)?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

/// A query page: `{"QueryResponse":{"<Entity>":[...],"startPosition":s,"maxResults":n},"time":..}`,
/// or `{"QueryResponse":{},"time":..}` when `rows` is empty.
pub(crate) struct Page<'a> {
    pub(crate) ds: &'a Dataset,
    /// What was written to the entity, when anything was: written rows are rendered from it.
    pub(crate) table: Option<&'a Table>,
    pub(crate) entity: Entity,
    pub(crate) start_position: u64,
    pub(crate) rows: &'a [u32],
    /// A select list's fields (`SELECT Id, DisplayName`); empty for whole records.
    pub(crate) fields: &'a [String],
    /// `include=enhancedAllCustomFields`: seeded records with every custom field.
    pub(crate) all_custom_fields: bool,
    pub(crate) time: ResponseTime,
}

struct PageInner<'a>(&'a Page<'a>);

struct Rows<'a>(&'a Page<'a>);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let page = self.0;
        let mut seq = s.serialize_seq(Some(page.rows.len()))?;
        for &i in page.rows {
            let record = Record {
                ds: page.ds,
                entity: page.entity,
                index: i as usize,
            };
            match page.table.and_then(|t| t.slot(i as usize)) {
                Some(Slot::Live(stored)) if page.fields.is_empty() => {
                    seq.serialize_element(&stored.json)?
                }
                Some(Slot::Live(stored)) => {
                    seq.serialize_element(&project(&stored.json, page.fields))?
                }
                Some(Slot::Deleted(_)) => {
                    return Err(serde::ser::Error::custom("a deleted record in a page"));
                }
                None if page.fields.is_empty() && page.all_custom_fields => {
                    seq.serialize_element(&AllCustomFields(record))?
                }
                None if page.fields.is_empty() => seq.serialize_element(&record)?,
                None => {
                    let whole = if page.all_custom_fields {
                        serde_json::to_value(AllCustomFields(record))
                    } else {
                        serde_json::to_value(record)
                    }
                    .map_err(serde::ser::Error::custom)?;
                    let whole = whole.as_object().ok_or_else(|| {
                        serde::ser::Error::custom("a record that is not a JSON object")
                    })?;
                    seq.serialize_element(&project(whole, page.fields))?
                }
            }
        }
        seq.end()
    }
}

/// The properties a select list keeps of a record, whatever it names.
const ALWAYS_KEPT: [&str; 3] = ["Id", "SyncToken", "domain"];

/// A record cut down to a select list: the named properties (names case-insensitive, as in
/// `WHERE`; `MetaData.CreateTime` keeps that one member of `MetaData`), the identity QBO always
/// answers with, and `"sparse": true` — QBO's mark of a record with only some of its properties.
/// A named property the record lacks is left out, as QBO leaves out properties without values.
fn project(all: &Map<String, Value>, fields: &[String]) -> Value {
    let mut kept = Map::new();
    for (key, value) in all {
        if ALWAYS_KEPT.contains(&key.as_str()) {
            kept.insert(key.clone(), value.clone());
            continue;
        }
        let mut whole = false;
        let mut members = Map::new();
        for field in fields {
            let (head, member) = match field.split_once('.') {
                Some((head, member)) => (head, Some(member)),
                None => (field.as_str(), None),
            };
            if !head.eq_ignore_ascii_case(key) {
                continue;
            }
            match (member, value.as_object()) {
                (Some(member), Some(object)) => {
                    if let Some((k, v)) =
                        object.iter().find(|(k, _)| k.eq_ignore_ascii_case(member))
                    {
                        members.insert(k.clone(), v.clone());
                    }
                }
                _ => whole = true,
            }
        }
        if whole {
            kept.insert(key.clone(), value.clone());
        } else if !members.is_empty() {
            kept.insert(key.clone(), Value::Object(members));
        }
    }
    kept.insert("sparse".to_owned(), Value::Bool(true));
    Value::Object(kept)
}

impl Serialize for PageInner<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let page = self.0;
        if page.rows.is_empty() {
            return s.serialize_map(Some(0))?.end();
        }
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry(page.entity.name(), &Rows(page))?;
        map.serialize_entry("startPosition", &page.start_position)?;
        map.serialize_entry("maxResults", &page.rows.len())?;
        map.end()
    }
}

impl Serialize for Page<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("QueryResponse", &PageInner(self))?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

/// `{"QueryResponse":{"totalCount":N},"time":..}`.
pub(crate) struct Count {
    pub(crate) total: usize,
    pub(crate) time: ResponseTime,
}

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Inner(usize);
        impl Serialize for Inner {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("totalCount", &self.0)?;
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("QueryResponse", &Inner(self.total))?;
        map.serialize_entry("time", &self.time)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;

    fn ds(seed: u64) -> Dataset {
        Dataset::build(&EmulatorConfig {
            seed,
            ..EmulatorConfig::default()
        })
        .expect("builds")
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn envelopes_match_samples() {
        let ds = ds(42);
        let time = ResponseTime(1_758_298_364_118);
        let page = Page {
            ds: &ds,
            table: None,
            entity: Entity::Invoice,
            start_position: 1,
            rows: &[0, 1],
            fields: &[],
            all_custom_fields: false,
            time,
        };
        let v = serde_json::to_value(&page).expect("json");
        assert_eq!(keys(&v), ["QueryResponse", "time"]);
        assert_eq!(
            keys(&v["QueryResponse"]),
            ["Invoice", "startPosition", "maxResults"]
        );
        assert_eq!(v["QueryResponse"]["maxResults"], 2);
        let empty = Page { rows: &[], ..page };
        assert_eq!(
            serde_json::to_string(&empty).expect("json"),
            r#"{"QueryResponse":{},"time":"2025-09-19T09:12:44.118-07:00"}"#
        );
        assert_eq!(
            serde_json::to_string(&Count { total: 1348, time }).expect("json"),
            r#"{"QueryResponse":{"totalCount":1348},"time":"2025-09-19T09:12:44.118-07:00"}"#
        );
        let single = Single {
            record: Record {
                ds: &ds,
                entity: Entity::Item,
                index: 0,
            },
            time,
        };
        let v = serde_json::to_value(&single).expect("json");
        assert_eq!(keys(&v), ["Item", "time"]);
    }

    #[test]
    fn a_select_list_answers_sparse_records_with_only_the_named_properties() {
        let ds = ds(42);
        let fields = ["docnumber".to_owned(), "Metadata.CreateTime".to_owned()];
        let page = Page {
            ds: &ds,
            table: None,
            entity: Entity::Invoice,
            start_position: 1,
            rows: &[0],
            fields: &fields,
            all_custom_fields: false,
            time: ResponseTime(0),
        };
        let v = serde_json::to_value(&page).expect("json");
        let invoice = &v["QueryResponse"]["Invoice"][0];
        let mut got = keys(invoice);
        got.sort();
        assert_eq!(
            got,
            [
                "DocNumber",
                "Id",
                "MetaData",
                "SyncToken",
                "domain",
                "sparse"
            ]
        );
        assert_eq!(invoice["sparse"], true);
        assert_eq!(keys(&invoice["MetaData"]), ["CreateTime"]);
        let whole = serde_json::to_value(Record {
            ds: &ds,
            entity: Entity::Invoice,
            index: 0,
        })
        .expect("json");
        assert_eq!(invoice["DocNumber"], whole["DocNumber"]);
        assert_eq!(
            invoice["MetaData"]["CreateTime"],
            whole["MetaData"]["CreateTime"]
        );
    }

    #[test]
    fn same_seed_same_bytes_different_seed_differs() {
        let render_all = |seed: u64| {
            let ds = ds(seed);
            let mut out = Vec::new();
            for e in Entity::ALL {
                let rows: Vec<u32> = (0..e.count(&ds) as u32).collect();
                let page = Page {
                    ds: &ds,
                    table: None,
                    entity: e,
                    start_position: 1,
                    rows: &rows,
                    fields: &[],
                    all_custom_fields: false,
                    time: ResponseTime(0),
                };
                serde_json::to_writer(&mut out, &page).expect("json");
            }
            out
        };
        let a = render_all(42);
        assert_eq!(a, render_all(42));
        assert_ne!(a, render_all(43));
    }
}
