//! Running a parsed query against the data set: validation, planning, filtering, sorting, paging.
//!
//! Why it exists: it turns a [`Query`] into the record indexes of one page (or a count) with QBO's
//! semantics, fast enough for a million invoices:
//!
//! - Fields are checked against the entity's allow-list (`entity.rs`); misuse is code 4001.
//! - Name-list entities get an implicit `Active = true` unless the query constrains `Active`.
//! - Conditions on a field that rises strictly with `Id` (`Id` itself, and `MetaData` times of
//!   transactions) become a binary-searched index range; with no other condition and an order on
//!   such a field (or none, meaning `Id`), the page is cut straight from that range.
//! - Anything else scans the (narrowed) table once, sorts with `Id` as the final tie-breaker, and
//!   caches the resulting index list per (entity, conditions, order), so paging a filtered query
//!   does not rescan. The cache is bounded by the number of ids it holds.
//!
//! Comparison rules: numeric when both sides are numbers; date/time-aware for dates and
//! timestamps (a bare date is the start of that day in the company's zone); booleans by value;
//! otherwise text, compared case-insensitively (as QBO's name lookups are). `LIKE` supports `%`
//! only and is case-insensitive. This module must not know about HTTP or JSON.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

use crate::changes::{Overlay, Slot, Table, field_value};
use crate::data::Dataset;
use crate::entity::{Entity, FieldDef, Val};
use crate::fault::Fault;
use crate::query::{Op, Query};
use crate::rng::SplitMix64;
use crate::time::{Day, TimeLiteral, Timestamp, parse_time_literal, start_of_day};

/// `MAXRESULTS` when the query has none.
pub(crate) const DEFAULT_MAX_RESULTS: u64 = 100;
/// The largest page QBO returns; a larger `MAXRESULTS` is a 4001 (ruckus/quickbooks-ruby#24:
/// "QueryValidationError: value 1500 is too large. Max allowed value is 1000").
pub(crate) const MAX_PAGE: u64 = 1000;
/// How many record ids the result cache may hold in total (4 bytes each).
const CACHE_BUDGET_IDS: usize = 8_000_000;

/// What a query produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// `SELECT COUNT(*)`: the number of matching records.
    Count(usize),
    /// One page: record indexes (0-based) in answer order, and the 1-based start position.
    Page {
        entity: Entity,
        start_position: u64,
        rows: Vec<u32>,
    },
}

/// Runs queries; owns the result cache and what it knows about the data's ordering.
#[derive(Debug)]
pub(crate) struct QueryEngine {
    /// `(entity, field)` pairs whose values rise strictly with `Id`.
    id_ordered: HashSet<(Entity, &'static str)>,
    cache: Mutex<Cache>,
    /// Set when rows that tie on the order keys come back in a new order on every query.
    shuffle: Option<Shuffle>,
}

/// Where the order of ties comes from when it changes per query.
#[derive(Debug)]
struct Shuffle {
    seed: u64,
    /// Queries answered so far (each gets its own draw).
    queries: AtomicU64,
}

/// Stream tag of the tie shuffles.
const STREAM_TIES: u64 = 0x_7135_0001;

#[derive(Debug, Default)]
struct Cache {
    map: HashMap<String, Arc<Vec<u32>>>,
    order: VecDeque<String>,
    ids: usize,
}

/// A query literal, pre-parsed in every way a comparison might need it.
#[derive(Debug, Clone)]
struct Lit {
    text: String,
    num: Option<f64>,
    boolean: Option<bool>,
    time: Option<TimeLiteral>,
    /// For `LIKE`: the lowercase pieces between `%` wildcards.
    like: Vec<String>,
}

impl Lit {
    fn new(text: &str) -> Lit {
        Lit {
            text: text.to_owned(),
            num: parse_number(text),
            boolean: if text.eq_ignore_ascii_case("true") {
                Some(true)
            } else if text.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            },
            time: parse_time_literal(text),
            like: text.to_lowercase().split('%').map(str::to_owned).collect(),
        }
    }
}

/// A condition bound to its field.
#[derive(Debug, Clone)]
struct Cond {
    field: &'static FieldDef,
    op: Op,
    values: Vec<Lit>,
}

impl Cond {
    fn matches(&self, v: Val<'_>) -> bool {
        if v == Val::Null {
            return false;
        }
        let Some(first) = self.values.first() else {
            return false;
        };
        match self.op {
            Op::Eq => compare(v, first) == Some(Ordering::Equal),
            Op::Lt => compare(v, first) == Some(Ordering::Less),
            Op::Gt => compare(v, first) == Some(Ordering::Greater),
            Op::Le => matches!(compare(v, first), Some(Ordering::Less | Ordering::Equal)),
            Op::Ge => matches!(compare(v, first), Some(Ordering::Greater | Ordering::Equal)),
            Op::In => self
                .values
                .iter()
                .any(|l| compare(v, l) == Some(Ordering::Equal)),
            Op::Like => like(&text_of(v).to_lowercase(), &first.like),
        }
    }
}

impl QueryEngine {
    /// An engine for `ds` (scans it once to learn which fields rise with `Id`).
    pub(crate) fn new(ds: &Dataset) -> QueryEngine {
        let mut id_ordered = HashSet::new();
        for entity in Entity::ALL {
            let n = entity.count(ds);
            for f in entity.fields().iter().filter(|f| f.sortable) {
                let rising = f.name == "Id"
                    || (0..n).all(|i| {
                        i + 1 >= n
                            || matches!(
                                ((f.get)(ds, i), (f.get)(ds, i + 1)),
                                (Val::Time(a), Val::Time(b)) if a < b
                            )
                    });
                if rising {
                    id_ordered.insert((entity, f.name));
                }
            }
        }
        QueryEngine {
            id_ordered,
            cache: Mutex::new(Cache::default()),
            shuffle: None,
        }
    }

    /// The same engine, answering rows that tie on every `ORDERBY` key (every row, without
    /// `ORDERBY`) in a new order on each query, drawn from `seed`.
    pub(crate) fn shuffling_ties(mut self, seed: u64) -> QueryEngine {
        self.shuffle = Some(Shuffle {
            seed,
            queries: AtomicU64::new(0),
        });
        self
    }

    /// Forget cached results (called by every write, under the overlay's write lock).
    pub(crate) fn invalidate(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            *cache = Cache::default();
        }
    }

    /// Validate and run `query` over the seeded books and what was written over them.
    ///
    /// An entity nobody wrote to takes the seeded route (index ranges, binary search, pages cut
    /// straight from a range). A written one is scanned: deleted records are left out, changed
    /// and created ones are read from their JSON, and only `Id` still rises with the index.
    pub(crate) fn run(
        &self,
        ds: &Dataset,
        overlay: &Overlay,
        query: &Query,
    ) -> Result<Outcome, Fault> {
        let entity = Entity::from_name(&query.entity).ok_or_else(|| {
            let served: Vec<&str> = Entity::ALL.iter().map(|e| e.name()).collect();
            Fault::query_invalid(format!(
                "QueryValidationError: Invalid entity name '{}' (line {}, column {}). \
                 This emulator serves: {}",
                query.entity,
                query.entity_pos.line,
                query.entity_pos.column,
                served.join(", ")
            ))
        })?;
        let mut conds = Vec::with_capacity(query.conditions.len() + 1);
        for c in &query.conditions {
            let field = entity
                .field(&c.field)
                .filter(|f| f.filterable)
                .ok_or_else(|| {
                    Fault::query_invalid(format!(
                        "QueryValidationError: property '{}' is not queryable",
                        c.field
                    ))
                })?;
            conds.push(Cond {
                field,
                op: c.op,
                values: c.values.iter().map(|v| Lit::new(v)).collect(),
            });
        }
        if entity.is_name_list()
            && !conds.iter().any(|c| c.field.name == "Active")
            && let Some(active) = entity.field("Active")
        {
            conds.push(Cond {
                field: active,
                op: Op::Eq,
                values: vec![Lit::new("true")],
            });
        }
        let mut order = Vec::with_capacity(query.order.len());
        for k in &query.order {
            let field = entity
                .field(&k.field)
                .filter(|f| f.sortable)
                .ok_or_else(|| {
                    Fault::query_invalid(format!(
                        "QueryValidationError: property '{}' is not sortable",
                        k.field
                    ))
                })?;
            order.push((field, k.descending));
        }
        if query.max_results == Some(0) {
            return Err(Fault::query_invalid(
                "QueryValidationError: MAXRESULTS must be greater than 0",
            ));
        }
        if let Some(max) = query.max_results.filter(|&max| max > MAX_PAGE) {
            return Err(Fault::query_invalid(format!(
                "QueryValidationError: value {max} is too large. Max allowed value is {MAX_PAGE}"
            )));
        }

        let table = overlay.table(entity);
        let (range, rest) = match table {
            None => self.narrow(ds, entity, conds),
            Some(table) => (0..table.len(), conds),
        };
        let books = Books { ds, table };
        if query.count {
            let n = if rest.is_empty() && table.is_none() {
                range.len()
            } else {
                self.matches(books, entity, range, &rest, &[]).len()
            };
            return Ok(Outcome::Count(n));
        }

        let start_position = query.start_position.unwrap_or(1).max(1);
        let max = query.max_results.unwrap_or(DEFAULT_MAX_RESULTS);
        let offset = usize::try_from(start_position - 1).unwrap_or(usize::MAX);
        let take = usize::try_from(max).unwrap_or(usize::MAX);

        // `ORDERBY` on a field that rises with `Id` is the same as ordering by `Id`; once the
        // entity was written, only `Id` itself still does.
        let natural = match order.as_slice() {
            [] => Some(false),
            [(f, desc)] if table.is_some() && f.name == "Id" => Some(*desc),
            [(f, desc)] if table.is_none() && self.id_ordered.contains(&(entity, f.name)) => {
                Some(*desc)
            }
            _ => None,
        };
        let rows: Vec<u32> = match natural {
            _ if self.shuffle.is_some() => {
                let mut list = self
                    .matches(books, entity, range, &rest, &order)
                    .as_ref()
                    .clone();
                if let Some(shuffle) = &self.shuffle {
                    let draw = shuffle.queries.fetch_add(1, AtomicOrdering::Relaxed);
                    let mut rng = SplitMix64::for_record(shuffle.seed, STREAM_TIES, draw);
                    shuffle_ties(books, &mut list, &order, &mut rng);
                }
                list.into_iter().skip(offset).take(take).collect()
            }
            Some(desc) if rest.is_empty() && table.is_none() => {
                let len = range.len();
                let from = offset.min(len);
                let to = offset.saturating_add(take).min(len);
                let idx = |k: usize| {
                    if desc {
                        range.end - 1 - k
                    } else {
                        range.start + k
                    }
                };
                (from..to).map(|k| idx(k) as u32).collect()
            }
            Some(desc) if table.is_some() => {
                let list = self.matches(books, entity, range, &rest, &[]);
                if desc {
                    list.iter().rev().skip(offset).take(take).copied().collect()
                } else {
                    list.iter().skip(offset).take(take).copied().collect()
                }
            }
            _ => {
                let list = self.matches(books, entity, range, &rest, &order);
                list.iter().skip(offset).take(take).copied().collect()
            }
        };
        Ok(Outcome::Page {
            entity,
            start_position,
            rows,
        })
    }

    /// Turn conditions on `Id`-ordered fields into an index range; return the others.
    fn narrow(&self, ds: &Dataset, entity: Entity, conds: Vec<Cond>) -> (Range<usize>, Vec<Cond>) {
        let n = entity.count(ds);
        let mut range = 0..n;
        let mut rest = Vec::new();
        for c in conds {
            let ordered = self.id_ordered.contains(&(entity, c.field.name));
            let native = c.values.first().filter(|l| match (c.field.get)(ds, 0) {
                Val::Time(_) => l.time.is_some(),
                Val::Int(_) => l.num.is_some(),
                _ => false,
            });
            let Some(lit) = native.filter(|_| ordered && n > 0) else {
                rest.push(c);
                continue;
            };
            let get = c.field.get;
            // First index (in 0..n) whose value is not `before` the literal.
            let first_not = |before: &dyn Fn(Ordering) -> bool| {
                partition_point(n, |i| compare(get(ds, i), lit).is_some_and(before))
            };
            let lt = |o: Ordering| o == Ordering::Less;
            let le = |o: Ordering| o != Ordering::Greater;
            let (lo, hi) = match c.op {
                Op::Eq => (first_not(&lt), first_not(&le)),
                Op::Gt => (first_not(&le), n),
                Op::Ge => (first_not(&lt), n),
                Op::Lt => (0, first_not(&lt)),
                Op::Le => (0, first_not(&le)),
                Op::In | Op::Like => {
                    rest.push(c);
                    continue;
                }
            };
            range = range.start.max(lo)..range.end.min(hi).max(range.start.max(lo));
        }
        (range, rest)
    }

    /// The sorted indexes of records in `range` matching `conds`, from the cache when possible.
    fn matches(
        &self,
        books: Books<'_>,
        entity: Entity,
        range: Range<usize>,
        conds: &[Cond],
        order: &[(&'static FieldDef, bool)],
    ) -> Arc<Vec<u32>> {
        let key = cache_key(entity, &range, conds, order);
        if let Some(hit) = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.map.get(&key).cloned())
        {
            return hit;
        }
        let mut rows: Vec<u32> = range
            .filter(|&i| books.live(i) && conds.iter().all(|c| c.matches(books.value(c.field, i))))
            .map(|i| i as u32)
            .collect();
        if !order.is_empty() {
            sort_rows(books, &mut rows, order);
        }
        let rows = Arc::new(rows);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, Arc::clone(&rows));
        }
        rows
    }
}

impl Cache {
    fn insert(&mut self, key: String, rows: Arc<Vec<u32>>) {
        if rows.len() > CACHE_BUDGET_IDS || self.map.contains_key(&key) {
            return;
        }
        while self.ids + rows.len() > CACHE_BUDGET_IDS {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(v) = self.map.remove(&old) {
                self.ids -= v.len();
            }
        }
        self.ids += rows.len();
        self.order.push_back(key.clone());
        self.map.insert(key, rows);
    }
}

fn cache_key(
    entity: Entity,
    range: &Range<usize>,
    conds: &[Cond],
    order: &[(&'static FieldDef, bool)],
) -> String {
    let mut key = format!("{}|{}..{}", entity.name(), range.start, range.end);
    for c in conds {
        let values: Vec<&str> = c.values.iter().map(|l| l.text.as_str()).collect();
        key.push_str(&format!("|{}{:?}{:?}", c.field.name, c.op, values));
    }
    key.push_str("|orderby");
    for (f, desc) in order {
        key.push_str(&format!("|{}:{}", f.name, if *desc { "d" } else { "a" }));
    }
    key
}

/// The records a query reads: the seeded tables and, when the entity was written, its table of
/// changes.
#[derive(Clone, Copy)]
struct Books<'a> {
    ds: &'a Dataset,
    table: Option<&'a Table>,
}

impl<'a> Books<'a> {
    /// Whether record `index` exists now (not deleted).
    fn live(&self, index: usize) -> bool {
        !matches!(
            self.table.and_then(|t| t.slot(index)),
            Some(Slot::Deleted(_))
        )
    }

    /// The value of `field` in record `index`, from its stored JSON when it was written.
    fn value(&self, field: &FieldDef, index: usize) -> Val<'a> {
        match self.table.and_then(|t| t.slot(index)) {
            Some(Slot::Live(stored)) => field_value(field, &stored.json),
            Some(Slot::Deleted(_)) => Val::Null,
            None => (field.get)(self.ds, index),
        }
    }
}

/// Stable sort of `rows` (already in `Id` order) by the order keys; ties keep `Id` order.
fn sort_rows(books: Books<'_>, rows: &mut Vec<u32>, order: &[(&'static FieldDef, bool)]) {
    let columns: Vec<Vec<Val<'_>>> = order
        .iter()
        .map(|(f, _)| rows.iter().map(|&i| books.value(f, i as usize)).collect())
        .collect();
    let mut positions: Vec<u32> = (0..rows.len() as u32).collect();
    positions.sort_by(|&a, &b| {
        for (col, (_, desc)) in columns.iter().zip(order) {
            let (Some(va), Some(vb)) = (col.get(a as usize), col.get(b as usize)) else {
                continue;
            };
            let o = sort_cmp(*va, *vb);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
    let sorted: Vec<u32> = positions
        .iter()
        .filter_map(|&p| rows.get(p as usize).copied())
        .collect();
    *rows = sorted;
}

/// Shuffle each run of `rows` (sorted by `order`) whose rows tie on every key of `order`; with no
/// keys every row ties.
fn shuffle_ties(
    books: Books<'_>,
    rows: &mut [u32],
    order: &[(&'static FieldDef, bool)],
    rng: &mut SplitMix64,
) {
    let ties = |a: u32, b: u32| {
        order.iter().all(|(f, _)| {
            sort_cmp(books.value(f, a as usize), books.value(f, b as usize)) == Ordering::Equal
        })
    };
    let mut start = 0;
    while start < rows.len() {
        let mut end = start + 1;
        while end < rows.len() && ties(rows[start], rows[end]) {
            end += 1;
        }
        let run = &mut rows[start..end];
        for i in (1..run.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            run.swap(i, j);
        }
        start = end;
    }
}

/// A total order on field values for `ORDERBY` (absent values first).
fn sort_cmp(a: Val<'_>, b: Val<'_>) -> Ordering {
    fn rank(v: &Val<'_>) -> u8 {
        match v {
            Val::Null => 0,
            Val::Bool(_) => 1,
            Val::Int(_) | Val::Num(_) => 2,
            Val::Digits(_) => 4,
            Val::Day(_) | Val::Time(_) => 3,
            Val::Text(_) => 4,
        }
    }
    match (a, b) {
        (Val::Int(x), Val::Int(y)) => x.cmp(&y),
        (Val::Int(x), Val::Num(y)) => (x as f64).total_cmp(&y),
        (Val::Num(x), Val::Int(y)) => x.total_cmp(&(y as f64)),
        (Val::Num(x), Val::Num(y)) => x.total_cmp(&y),
        (Val::Bool(x), Val::Bool(y)) => x.cmp(&y),
        (Val::Day(x), Val::Day(y)) => x.cmp(&y),
        (Val::Time(x), Val::Time(y)) => x.cmp(&y),
        (Val::Day(x), Val::Time(y)) => start_of_day(x).cmp(&y),
        (Val::Time(x), Val::Day(y)) => x.cmp(&start_of_day(y)),
        (Val::Text(x), Val::Text(y)) => cmp_ci(x, y).then_with(|| x.cmp(y)),
        (Val::Digits(x), Val::Digits(y)) => {
            DecimalText::of(x).as_str().cmp(DecimalText::of(y).as_str())
        }
        (Val::Digits(x), Val::Text(y)) => cmp_ci(DecimalText::of(x).as_str(), y),
        (Val::Text(x), Val::Digits(y)) => cmp_ci(x, DecimalText::of(y).as_str()),
        (a, b) => rank(&a).cmp(&rank(&b)),
    }
}

/// Compare a field value with a literal under QBO's rules; `None` when they cannot be compared.
fn compare(v: Val<'_>, lit: &Lit) -> Option<Ordering> {
    match v {
        Val::Null => None,
        Val::Digits(n) => Some(cmp_ci(DecimalText::of(n).as_str(), &lit.text)),
        Val::Int(n) => match lit.num {
            Some(x) => (n as f64).partial_cmp(&x),
            None => Some(cmp_ci(&n.to_string(), &lit.text)),
        },
        Val::Num(n) => match lit.num {
            Some(x) => n.partial_cmp(&x),
            None => Some(cmp_ci(&text_of(v), &lit.text)),
        },
        Val::Text(s) => match (lit.num, parse_number(s)) {
            (Some(x), Some(y)) => y.partial_cmp(&x),
            _ => Some(cmp_ci(s, &lit.text)),
        },
        Val::Bool(b) => match lit.boolean {
            Some(x) => Some(b.cmp(&x)),
            None => Some(cmp_ci(if b { "true" } else { "false" }, &lit.text)),
        },
        Val::Day(d) => match lit.time {
            Some(TimeLiteral::Day(x)) => Some(d.cmp(&x)),
            Some(t @ TimeLiteral::Instant(_)) => Some(start_of_day(d).cmp(&t.instant())),
            None => Some(cmp_ci(&text_of(v), &lit.text)),
        },
        Val::Time(t) => match lit.time {
            Some(x) => Some(t.cmp(&x.instant())),
            None => Some(cmp_ci(&text_of(v), &lit.text)),
        },
    }
}

/// The value as QBO would print it (used by `LIKE` and by text fallbacks).
fn text_of(v: Val<'_>) -> String {
    match v {
        Val::Null => String::new(),
        Val::Int(n) => n.to_string(),
        Val::Digits(n) => n.to_string(),
        Val::Num(n) => n.to_string(),
        Val::Text(s) => s.to_owned(),
        Val::Bool(b) => b.to_string(),
        Val::Day(d) => Day(d).to_string(),
        Val::Time(t) => Timestamp(t).to_string(),
    }
}

/// The decimal digits of a number, on the stack (text comparisons of `Val::Digits` while
/// sorting allocate nothing).
struct DecimalText {
    digits: [u8; 20],
    start: usize,
}

impl DecimalText {
    fn of(mut n: u64) -> DecimalText {
        let mut digits = [b'0'; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            digits[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        DecimalText { digits, start }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.digits[self.start..]).unwrap_or("")
    }
}

/// Case-insensitive comparison (Unicode lowercase, no allocation).
fn cmp_ci(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// A plain decimal number (`12`, `-3.50`, `.5`); not `inf`, `NaN` or exponents.
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let digits = t.strip_prefix('-').unwrap_or(t);
    let mut seen_digit = false;
    let mut seen_dot = false;
    for c in digits.chars() {
        match c {
            '0'..='9' => seen_digit = true,
            '.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit {
        return None;
    }
    t.parse().ok()
}

/// `LIKE` with `%` wildcards: `parts` are the lowercase pieces between `%`s.
fn like(value: &str, parts: &[String]) -> bool {
    match parts {
        [] => value.is_empty(),
        [only] => value == only,
        [first, middle @ .., last] => {
            let Some(mut rest) = value.strip_prefix(first.as_str()) else {
                return false;
            };
            for piece in middle {
                match rest.find(piece.as_str()) {
                    Some(at) => rest = rest.get(at + piece.len()..).unwrap_or(""),
                    None => return false,
                }
            }
            rest.len() >= last.len() && rest.ends_with(last.as_str())
        }
    }
}

/// The first index in `0..n` for which `pred` is false (`pred` must be true-then-false).
fn partition_point(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EmulatorConfig;
    use crate::data::OBRIEN_INDEX;
    use crate::query::parse;

    fn fixture() -> (Dataset, QueryEngine) {
        let ds = Dataset::build(&EmulatorConfig::default()).expect("builds");
        let engine = QueryEngine::new(&ds);
        (ds, engine)
    }

    fn run(ds: &Dataset, engine: &QueryEngine, q: &str) -> Result<Outcome, Fault> {
        let query = parse(q).unwrap_or_else(|e| panic!("{q}: {}", e.detail));
        engine.run(ds, &Overlay::default(), &query)
    }

    fn rows(ds: &Dataset, engine: &QueryEngine, q: &str) -> Vec<u32> {
        match run(ds, engine, q) {
            Ok(Outcome::Page { rows, .. }) => rows,
            other => panic!("{q}: {other:?}"),
        }
    }

    fn count(ds: &Dataset, engine: &QueryEngine, q: &str) -> usize {
        match run(ds, engine, q) {
            Ok(Outcome::Count(n)) => n,
            other => panic!("{q}: {other:?}"),
        }
    }

    fn fault_of(ds: &Dataset, engine: &QueryEngine, q: &str) -> (String, String) {
        match run(ds, engine, q) {
            Err(f) => (f.errors[0].code.clone(), f.errors[0].detail.clone()),
            other => panic!("{q}: expected a fault, got {other:?}"),
        }
    }

    #[test]
    fn knows_which_fields_rise_with_id() {
        let (_, engine) = fixture();
        for (e, f) in [
            (Entity::Invoice, "MetaData.CreateTime"),
            (Entity::Invoice, "MetaData.LastUpdatedTime"),
            (Entity::Payment, "MetaData.CreateTime"),
            (Entity::Bill, "MetaData.LastUpdatedTime"),
            (Entity::Customer, "Id"),
        ] {
            assert!(engine.id_ordered.contains(&(e, f)), "{e:?} {f}");
        }
        assert!(!engine.id_ordered.contains(&(Entity::Invoice, "TotalAmt")));
    }

    #[test]
    fn default_order_and_paging() {
        let (ds, engine) = fixture();
        let page = rows(&ds, &engine, "select * from Invoice");
        assert_eq!(page, (0..100).collect::<Vec<u32>>());
        let page = rows(
            &ds,
            &engine,
            "select * from Invoice startposition 2491 maxresults 1000",
        );
        assert_eq!(page, (2490..2500).collect::<Vec<u32>>());
        assert!(rows(&ds, &engine, "select * from Invoice startposition 2501").is_empty());
        let page = rows(
            &ds,
            &engine,
            "select * from Invoice orderby Id desc maxresults 3",
        );
        assert_eq!(page, vec![2499, 2498, 2497]);
        let page = rows(
            &ds,
            &engine,
            "select * from Invoice orderby Metadata.LastUpdatedTime desc maxresults 2",
        );
        assert_eq!(page, vec![2499, 2498]);
        assert_eq!(count(&ds, &engine, "select count(*) from Invoice"), 2500);
        assert_eq!(
            count(&ds, &engine, "SELECT COUNT(*) FROM Invoice STARTPOSITION 5"),
            2500
        );
    }

    #[test]
    fn apostrophes_and_escapes_match() {
        let (ds, engine) = fixture();
        let page = rows(
            &ds,
            &engine,
            r"select * from Customer where DisplayName = 'O\'Brien Landscaping'",
        );
        assert_eq!(page, vec![OBRIEN_INDEX as u32]);
        let page = rows(
            &ds,
            &engine,
            r"select * from Customer where FamilyName = 'o\'brien'",
        );
        assert_eq!(page, vec![OBRIEN_INDEX as u32]);
        let page = rows(
            &ds,
            &engine,
            r"select * from Customer where DisplayName LIKE 'O\'Brien%'",
        );
        assert_eq!(page, vec![OBRIEN_INDEX as u32]);
    }

    #[test]
    fn like_and_in() {
        let (ds, engine) = fixture();
        let dental: Vec<u32> = ds
            .customers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.active && c.display_name.to_lowercase().contains("dental"))
            .map(|(i, _)| i as u32)
            .collect();
        assert!(!dental.is_empty());
        assert_eq!(
            rows(
                &ds,
                &engine,
                "select * from Customer where DisplayName like '%dental%' maxresults 1000"
            ),
            dental
        );
        let starts: Vec<u32> = rows(
            &ds,
            &engine,
            "select * from Customer where DisplayName like 'Harbor%'",
        );
        assert!(
            starts
                .iter()
                .all(|&i| ds.customers[i as usize].display_name.starts_with("Harbor"))
        );
        let page = rows(
            &ds,
            &engine,
            "select * from Invoice where Id in ('5', '3', '999999', 'x')",
        );
        assert_eq!(page, vec![2, 4]);
        let page = rows(
            &ds,
            &engine,
            "select * from Invoice where DocNumber in ('1001', '1003') orderby Id desc",
        );
        assert_eq!(page, vec![2, 0]);
        assert!(like("abc", &["a".into(), "c".into()]));
        assert!(!like("ab", &["ab".into(), "b".into()]));
        assert!(like("xabcx", &["".into(), "abc".into(), "".into()]));
        assert!(like("abc", &["abc".into()]));
        assert!(!like("abcd", &["abc".into()]));
    }

    #[test]
    fn numeric_and_date_comparisons() {
        let (ds, engine) = fixture();
        let big = rows(
            &ds,
            &engine,
            "select * from Invoice where TotalAmt > '1000.00' maxresults 1000",
        );
        let expected: Vec<u32> = ds
            .invoices
            .iter()
            .enumerate()
            .filter(|(_, i)| i.total > 100_000)
            .map(|(k, _)| k as u32)
            .take(1000)
            .collect();
        assert_eq!(big, expected);
        let day = crate::time::days_from_civil(2023, 5, 1);
        let since: Vec<u32> = rows(
            &ds,
            &engine,
            "select * from Invoice where TxnDate >= '2023-05-01' and TxnDate < '2023-06-01' maxresults 1000",
        );
        assert!(!since.is_empty());
        assert!(since.iter().all(|&i| {
            let d = ds.invoices[i as usize].txn_date;
            d >= day && d < day + 31
        }));
        // A bare date is the start of that day, company time.
        let cut = start_of_day(day);
        let updated = count(
            &ds,
            &engine,
            "select count(*) from Invoice where Metadata.LastUpdatedTime >= '2023-05-01'",
        );
        let expected = ds.invoices.iter().filter(|i| i.updated >= cut).count();
        assert_eq!(updated, expected);
        let same = count(
            &ds,
            &engine,
            "select count(*) from Invoice where MetaData.LastUpdatedTime >= '2023-05-01T00:00:00-07:00'",
        );
        assert_eq!(same, expected);
        let none = count(
            &ds,
            &engine,
            "select count(*) from Invoice where Metadata.LastUpdatedTime > '2025-01-01' and Metadata.LastUpdatedTime < '2024-01-01'",
        );
        assert_eq!(none, 0);
        let customer = rows(
            &ds,
            &engine,
            "select * from Invoice where CustomerRef = '3' maxresults 1000",
        );
        assert!(
            customer
                .iter()
                .all(|&i| ds.invoices[i as usize].customer == 2)
        );
        assert_eq!(
            customer.len(),
            ds.invoices.iter().filter(|i| i.customer == 2).count()
        );
    }

    #[test]
    fn orderby_desc_is_stable_and_pages_do_not_overlap() {
        let (ds, engine) = fixture();
        let mut all = Vec::new();
        for start in [1, 1001, 2001] {
            all.extend(rows(
                &ds,
                &engine,
                &format!("select * from Invoice orderby TotalAmt desc, TxnDate startposition {start} maxresults 1000"),
            ));
        }
        assert_eq!(all.len(), 2500);
        let mut seen = all.clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 2500);
        for w in all.windows(2) {
            let (a, b) = (&ds.invoices[w[0] as usize], &ds.invoices[w[1] as usize]);
            assert!(
                a.total > b.total
                    || (a.total == b.total && (a.txn_date, w[0]) < (b.txn_date, w[1]))
            );
        }
        let names = rows(
            &ds,
            &engine,
            "select * from Customer orderby DisplayName desc maxresults 1000",
        );
        for w in names.windows(2) {
            let (a, b) = (
                &ds.customers[w[0] as usize].display_name,
                &ds.customers[w[1] as usize].display_name,
            );
            assert_ne!(cmp_ci(a, b), Ordering::Less, "{a} / {b}");
        }
    }

    #[test]
    fn inactive_name_list_records_are_hidden_by_default() {
        let (ds, engine) = fixture();
        let active = ds.customers.iter().filter(|c| c.active).count();
        assert!(active < ds.customers.len());
        assert_eq!(count(&ds, &engine, "select count(*) from Customer"), active);
        assert_eq!(
            count(
                &ds,
                &engine,
                "select count(*) from Customer where Active in (true, false)"
            ),
            ds.customers.len()
        );
        assert_eq!(
            count(
                &ds,
                &engine,
                "select count(*) from Customer where active = false"
            ),
            ds.customers.len() - active
        );
        assert!(
            rows(&ds, &engine, "select * from Customer maxresults 1000")
                .iter()
                .all(|&i| ds.customers[i as usize].active)
        );
        assert_eq!(
            count(&ds, &engine, "select count(*) from Invoice where Id = '1'"),
            1
        );
        assert_eq!(count(&ds, &engine, "select count(*) from companyinfo"), 1);
    }

    #[test]
    fn validation_errors_are_4001() {
        let (ds, engine) = fixture();
        let (code, detail) = fault_of(&ds, &engine, "select * from Invoice where Line = 'x'");
        assert_eq!(code, "4001");
        assert_eq!(
            detail,
            "QueryValidationError: property 'Line' is not queryable"
        );
        let (code, detail) = fault_of(&ds, &engine, "select * from Invoice orderby PrintStatus");
        assert_eq!(code, "4001");
        assert!(detail.contains("'PrintStatus' is not sortable"));
        let (code, detail) = fault_of(&ds, &engine, "select * from Widget");
        assert_eq!(code, "4001");
        assert!(detail.contains("Invalid entity name 'Widget'") && detail.contains("Invoice"));
        let (code, _) = fault_of(&ds, &engine, "select * from Invoice maxresults 0");
        assert_eq!(code, "4001");
        let (code, detail) = fault_of(&ds, &engine, "select * from Invoice maxresults 1001");
        assert_eq!(code, "4001");
        assert_eq!(
            detail,
            "QueryValidationError: value 1001 is too large. Max allowed value is 1000"
        );
        assert_eq!(
            rows(&ds, &engine, "select * from Invoice maxresults 1000").len(),
            1000
        );
    }

    #[test]
    fn cache_serves_repeated_pages_and_respects_budget() {
        let (ds, engine) = fixture();
        let q = "select * from Invoice where Balance > '0' orderby TotalAmt";
        let a = rows(&ds, &engine, q);
        let cached = engine.cache.lock().map(|c| c.map.len()).unwrap_or(0);
        assert_eq!(cached, 1);
        assert_eq!(rows(&ds, &engine, q), a);
        engine.invalidate();
        assert_eq!(engine.cache.lock().map(|c| c.map.len()).unwrap_or(9), 0);
        let mut cache = Cache::default();
        cache.insert("big".into(), Arc::new(vec![0; CACHE_BUDGET_IDS - 1]));
        cache.insert("small".into(), Arc::new(vec![0; 2]));
        assert!(!cache.map.contains_key("big") && cache.map.contains_key("small"));
        assert_eq!(cache.ids, 2);
    }

    #[test]
    fn doc_numbers_compare_as_text() {
        let (ds, engine) = fixture();
        // Seeded invoices are numbered 1001 to 3500: as text none is above '999', and those
        // above '2' are the ones starting with 2 or 3.
        assert_eq!(
            count(
                &ds,
                &engine,
                "select count(*) from Invoice where DocNumber > '999'"
            ),
            0
        );
        assert_eq!(
            count(
                &ds,
                &engine,
                "select count(*) from Invoice where DocNumber > '2'"
            ),
            1501
        );
        assert_eq!(
            count(
                &ds,
                &engine,
                "select count(*) from Invoice where DocNumber = '1001'"
            ),
            1
        );
        assert_eq!(DecimalText::of(0).as_str(), "0");
        assert_eq!(DecimalText::of(u64::MAX).as_str(), "18446744073709551615");
    }

    #[test]
    fn number_parsing_is_strict() {
        assert_eq!(parse_number("12"), Some(12.0));
        assert_eq!(parse_number("-3.50"), Some(-3.5));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("1e5"), None);
        assert_eq!(parse_number("."), None);
        assert_eq!(parse_number(""), None);
    }
}
