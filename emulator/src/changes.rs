//! What was written to the company since the emulator started, laid over the seeded books.
//!
//! Why it exists: seeded records are pure functions of the seed and are never stored (see
//! `data.rs`), so creates, updates, voids and deletes need a place of their own that reads,
//! queries, CDC and later writes all consult. An [`Overlay`] holds, per written entity, a
//! [`Table`]: records created after the seeded ones (ids go on from the seeded count), and the
//! current state of seeded records that were changed (their QBO JSON) or deleted (a tombstone
//! with the time). An entity nobody wrote to has no table, and every reader takes the seeded
//! route untouched, so paging speed without writes does not change.
//!
//! The overlay also keeps the answers of writes by `requestid` (QBO answers a replayed
//! `requestid` with the original answer and does nothing), bounded in number.
//!
//! One `RwLock` guards it all: queries and reads hold the read side for the whole query (the
//! result cache is filled under it), writes hold the write side while they check, change and
//! invalidate the cache, so a query never sees half a write nor caches a stale answer. Each
//! written invoice, payment and bill is also handed to the ledger's view of the writes
//! (`written.rs`) as it is stored; reports take that view (an `Arc`) and drop the lock at once.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{Map, Value};

use crate::data::Dataset;
use crate::entity::{Entity, FieldDef, Val};
use crate::records::Record;
use crate::time::{TimeLiteral, parse_time_literal};
use crate::written::Written;

/// How many `requestid` answers are kept before the oldest are forgotten.
const KEPT_ANSWERS: usize = 100_000;

/// The overlay behind its lock.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    overlay: RwLock<Overlay>,
}

impl Changes {
    /// Read access (queries, reads, CDC).
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Overlay> {
        self.overlay.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Write access (creates, updates, deletes, voids, batches).
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Overlay> {
        self.overlay.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Every change, per entity, and the answers kept for replays.
#[derive(Debug, Default)]
pub(crate) struct Overlay {
    tables: BTreeMap<Entity, Table>,
    kept: Kept,
    /// Written transactions as the ledger posts them (shared with reports, copied on write).
    books: Arc<Written>,
}

/// The written records of one entity.
#[derive(Debug)]
pub(crate) struct Table {
    /// How many seeded records the entity has (created ones are numbered after them).
    seeded: usize,
    /// Records created through the API, in creation order (index `seeded + k`).
    created: Vec<Slot>,
    /// Seeded records that were changed or deleted, by index.
    changed: HashMap<usize, Slot>,
}

/// The current state of a written record.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// Its QBO JSON as it reads now.
    Live(Stored),
    /// Deleted at this instant (Unix seconds).
    Deleted(i64),
}

/// A record's QBO JSON and when it last changed.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// The record exactly as a read returns it.
    pub(crate) json: Map<String, Value>,
    /// `MetaData.LastUpdatedTime`, Unix seconds.
    pub(crate) updated: i64,
}

/// What a record index holds now.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Current<'a> {
    /// No such record.
    Absent,
    /// The seeded record, unchanged.
    Seeded,
    /// A created or changed record.
    Stored(&'a Stored),
    /// Deleted.
    Deleted,
}

impl Table {
    fn new(seeded: usize) -> Table {
        Table {
            seeded,
            created: Vec::new(),
            changed: HashMap::new(),
        }
    }

    /// Records of the entity, deleted ones included (the next id is `len() + 1`).
    pub(crate) fn len(&self) -> usize {
        self.seeded + self.created.len()
    }

    /// The written state of record `index`, if it was written.
    pub(crate) fn slot(&self, index: usize) -> Option<&Slot> {
        if index < self.seeded {
            self.changed.get(&index)
        } else {
            self.created.get(index - self.seeded)
        }
    }

    /// Every written record: index and state (changed seeded ones first, then created ones).
    fn slots(&self) -> impl Iterator<Item = (usize, &Slot)> {
        let mut changed: Vec<(usize, &Slot)> = self.changed.iter().map(|(i, s)| (*i, s)).collect();
        changed.sort_unstable_by_key(|(i, _)| *i);
        let seeded = self.seeded;
        changed.into_iter().chain(
            self.created
                .iter()
                .enumerate()
                .map(move |(k, s)| (seeded + k, s)),
        )
    }
}

/// A kept answer to a write: status and body.
#[derive(Debug)]
pub(crate) struct KeptAnswer {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The JSON body.
    pub(crate) body: Vec<u8>,
}

#[derive(Debug, Default)]
struct Kept {
    answers: HashMap<String, Arc<KeptAnswer>>,
    order: VecDeque<String>,
}

impl Overlay {
    /// The written records of `entity`, if any were written.
    pub(crate) fn table(&self, entity: Entity) -> Option<&Table> {
        self.tables.get(&entity)
    }

    /// How many record indexes `entity` has (deleted ones included).
    pub(crate) fn count(&self, ds: &Dataset, entity: Entity) -> usize {
        self.table(entity)
            .map_or_else(|| entity.count(ds), Table::len)
    }

    /// What record `index` of `entity` holds now.
    pub(crate) fn current(&self, ds: &Dataset, entity: Entity, index: usize) -> Current<'_> {
        match self.table(entity).and_then(|t| t.slot(index)) {
            Some(Slot::Live(stored)) => Current::Stored(stored),
            Some(Slot::Deleted(_)) => Current::Deleted,
            None if index < entity.count(ds) => Current::Seeded,
            None => Current::Absent,
        }
    }

    /// Record `index` of `entity` as QBO JSON, unless it is absent or deleted.
    pub(crate) fn json(
        &self,
        ds: &Dataset,
        entity: Entity,
        index: usize,
    ) -> Option<Map<String, Value>> {
        match self.current(ds, entity, index) {
            Current::Stored(stored) => Some(stored.json.clone()),
            Current::Seeded => match serde_json::to_value(Record { ds, entity, index }) {
                Ok(Value::Object(map)) => Some(map),
                _ => None,
            },
            Current::Absent | Current::Deleted => None,
        }
    }

    /// The index the next created record of `entity` gets.
    pub(crate) fn next_index(&self, ds: &Dataset, entity: Entity) -> usize {
        self.count(ds, entity)
    }

    fn table_mut(&mut self, ds: &Dataset, entity: Entity) -> &mut Table {
        self.tables
            .entry(entity)
            .or_insert_with(|| Table::new(entity.count(ds)))
    }

    /// Add a created record; returns its index.
    pub(crate) fn insert(&mut self, ds: &Dataset, entity: Entity, stored: Stored) -> usize {
        let table = self.table_mut(ds, entity);
        table.created.push(Slot::Live(stored));
        let index = table.len() - 1;
        self.post(ds, entity, index);
        index
    }

    /// Set the state of existing record `index` (changed or deleted).
    pub(crate) fn set(&mut self, ds: &Dataset, entity: Entity, index: usize, slot: Slot) {
        let table = self.table_mut(ds, entity);
        if index < table.seeded {
            table.changed.insert(index, slot);
        } else if let Some(place) = table.created.get_mut(index - table.seeded) {
            *place = slot;
        }
        self.post(ds, entity, index);
    }

    /// Hand the current state of record `index` to the written books (transactions only).
    fn post(&mut self, ds: &Dataset, entity: Entity, index: usize) {
        if !matches!(
            entity,
            Entity::Invoice
                | Entity::Payment
                | Entity::Bill
                | Entity::BillPayment
                | Entity::Account
        ) && entity.kind().is_none()
        {
            return;
        }
        let json = match self.tables.get(&entity).and_then(|t| t.slot(index)) {
            Some(Slot::Live(stored)) => Some(&stored.json),
            Some(Slot::Deleted(_)) | None => None,
        };
        // Copies the books only while a report still holds the previous ones.
        Arc::make_mut(&mut self.books).record(ds, entity, index, json);
    }

    /// The written transactions as the ledger posts them, for a report to use after the lock is
    /// released.
    pub(crate) fn books(&self) -> Arc<Written> {
        Arc::clone(&self.books)
    }

    /// Records of `entity` written at or after `since` (Unix seconds): index and state.
    pub(crate) fn written_since(&self, entity: Entity, since: i64) -> Vec<(usize, &Slot)> {
        let Some(table) = self.table(entity) else {
            return Vec::new();
        };
        table
            .slots()
            .filter(|(_, slot)| match slot {
                Slot::Live(stored) => stored.updated >= since,
                Slot::Deleted(at) => *at >= since,
            })
            .collect()
    }

    /// The answer kept for `key` (realm and requestid), if any.
    pub(crate) fn kept(&self, key: &str) -> Option<Arc<KeptAnswer>> {
        self.kept.answers.get(key).cloned()
    }

    /// Keep `answer` for `key`, forgetting the oldest beyond the bound.
    pub(crate) fn keep(&mut self, key: String, answer: KeptAnswer) {
        let kept = &mut self.kept;
        if kept.answers.insert(key.clone(), Arc::new(answer)).is_none() {
            kept.order.push_back(key);
        }
        while kept.order.len() > KEPT_ANSWERS {
            if let Some(old) = kept.order.pop_front() {
                kept.answers.remove(&old);
            }
        }
    }
}

/// The value of `field` in a stored record's JSON, as the query engine compares it (the same
/// kinds the seeded accessors give: ids and references as numbers, times, dates, money).
pub(crate) fn field_value<'a>(field: &FieldDef, json: &'a Map<String, Value>) -> Val<'a> {
    let mut parts = field.name.split('.');
    let Some(first) = parts.next() else {
        return Val::Null;
    };
    let mut value = json.get(first);
    for part in parts {
        value = value.and_then(|v| v.get(part));
    }
    let Some(value) = value else {
        return Val::Null;
    };
    // References (`CustomerRef`) and wrapped values (`PrimaryEmailAddr`) compare by their value.
    let value = match value {
        Value::Object(map) => match map.get("value").or_else(|| map.get("Address")) {
            Some(inner) => inner,
            None => return Val::Null,
        },
        other => other,
    };
    let name = field.name;
    match value {
        Value::Null | Value::Array(_) | Value::Object(_) => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => n.as_f64().map_or(Val::Null, Val::Num),
        Value::String(s) => {
            if name.ends_with("Time") {
                match parse_time_literal(s) {
                    Some(t) => Val::Time(t.instant()),
                    None => Val::Text(s),
                }
            } else if name.ends_with("Date") {
                match parse_time_literal(s) {
                    Some(TimeLiteral::Day(d)) => Val::Day(d),
                    _ => Val::Text(s),
                }
            } else if name == "Id" || name.ends_with("Ref") {
                s.parse::<i64>().map_or(Val::Text(s), Val::Int)
            } else {
                Val::Text(s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn created_records_follow_the_seeded_ones_and_changes_shadow_them() {
        let ds = Dataset::build(&EmulatorConfig::default()).expect("builds");
        let mut overlay = Overlay::default();
        assert_eq!(overlay.count(&ds, Entity::Invoice), 2500);
        let index = overlay.insert(
            &ds,
            Entity::Invoice,
            Stored {
                json: object(json!({"Id": "2501"})),
                updated: 10,
            },
        );
        assert_eq!(index, 2500);
        assert_eq!(overlay.count(&ds, Entity::Invoice), 2501);
        assert!(matches!(
            overlay.current(&ds, Entity::Invoice, 2500),
            Current::Stored(_)
        ));
        assert!(matches!(
            overlay.current(&ds, Entity::Invoice, 0),
            Current::Seeded
        ));
        overlay.set(&ds, Entity::Invoice, 0, Slot::Deleted(20));
        assert!(matches!(
            overlay.current(&ds, Entity::Invoice, 0),
            Current::Deleted
        ));
        assert!(overlay.json(&ds, Entity::Invoice, 0).is_none());
        assert_eq!(
            overlay
                .json(&ds, Entity::Invoice, 1)
                .map(|m| m["Id"].clone()),
            Some(json!("2"))
        );
        let since: Vec<usize> = overlay
            .written_since(Entity::Invoice, 15)
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(since, vec![0]);
        assert_eq!(overlay.written_since(Entity::Invoice, 0).len(), 2);
        assert!(matches!(
            overlay.current(&ds, Entity::Invoice, 2501),
            Current::Absent
        ));
    }

    #[test]
    fn stored_fields_read_like_seeded_ones() {
        let json = object(json!({
            "Id": "2501",
            "DocNumber": "INV-7",
            "TxnDate": "2026-11-23",
            "CustomerRef": {"value": "3", "name": "O'Brien Landscaping"},
            "TotalAmt": 275.5,
            "Active": true,
            "PrimaryEmailAddr": {"Address": "a@b.example"},
            "MetaData": {"LastUpdatedTime": "2026-11-23T09:41:56-07:00"}
        }));
        let get = |entity: Entity, name: &str| {
            let field = entity.field(name).expect("field");
            field_value(field, &json)
        };
        assert_eq!(get(Entity::Invoice, "Id"), Val::Int(2501));
        assert_eq!(get(Entity::Invoice, "DocNumber"), Val::Text("INV-7"));
        assert_eq!(get(Entity::Invoice, "CustomerRef"), Val::Int(3));
        assert_eq!(get(Entity::Invoice, "TotalAmt"), Val::Num(275.5));
        assert_eq!(get(Entity::Customer, "Active"), Val::Bool(true));
        assert_eq!(
            get(Entity::Customer, "PrimaryEmailAddr"),
            Val::Text("a@b.example")
        );
        assert!(matches!(get(Entity::Invoice, "TxnDate"), Val::Day(_)));
        assert!(matches!(
            get(Entity::Invoice, "MetaData.LastUpdatedTime"),
            Val::Time(_)
        ));
        assert_eq!(get(Entity::Invoice, "DueDate"), Val::Null);
    }

    #[test]
    fn kept_answers_are_bounded() {
        let mut overlay = Overlay::default();
        for i in 0..(KEPT_ANSWERS + 5) {
            overlay.keep(
                format!("k{i}"),
                KeptAnswer {
                    status: 200,
                    body: Vec::new(),
                },
            );
        }
        assert!(overlay.kept("k0").is_none());
        assert!(overlay.kept(&format!("k{}", KEPT_ANSWERS + 4)).is_some());
        assert_eq!(overlay.kept.answers.len(), KEPT_ANSWERS);
    }
}
