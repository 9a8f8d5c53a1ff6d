//! The envelopes around QBO answers: a read by id, a written record or status object, a query
//! page (seeded rows rendered from the tables, written ones from the overlay), `count(*)`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::changes::{Slot, Table};
use crate::data::Dataset;
use crate::entity::Entity;
use crate::records::Record;
use crate::time::ResponseTime;

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
    pub(crate) time: ResponseTime,
}

struct PageInner<'a>(&'a Page<'a>);

struct Rows<'a>(&'a Page<'a>);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let page = self.0;
        let mut seq = s.serialize_seq(Some(page.rows.len()))?;
        for &i in page.rows {
            match page.table.and_then(|t| t.slot(i as usize)) {
                Some(Slot::Live(stored)) => seq.serialize_element(&stored.json)?,
                Some(Slot::Deleted(_)) => {
                    return Err(serde::ser::Error::custom("a deleted record in a page"));
                }
                None => seq.serialize_element(&Record {
                    ds: page.ds,
                    entity: page.entity,
                    index: i as usize,
                })?,
            }
        }
        seq.end()
    }
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
    use serde_json::Value;

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
