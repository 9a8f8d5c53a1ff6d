//! Projection: parse a record's JSON text into a [`Value`] that keeps only what a set of
//! [`JsonPath`]s can reach.
//!
//! A CSV run with declared columns reads a handful of fields from records that carry dozens.
//! Building the whole record as a `Value` (an `IndexMap` per object, a `String` per key) and
//! dropping it again is most of the cost of such a run; a [`Projection`] is a tree of the keys
//! the paths need, built once per run, and [`Projection::parse`] walks the record text with it:
//! wanted keys are kept (recursively), everything else is skipped with
//! [`serde::de::IgnoredAny`], which validates the JSON but allocates nothing.
//!
//! The contract: for every path the projection was built from, [`JsonPath::first`] and
//! [`JsonPath::select`] on the projected value give exactly what they give on the full record.
//! To keep that simple:
//!
//! * A path that ends at a node keeps the node's whole subtree.
//! * A member name keeps that member of an object; an index `[n]` (n ≥ 0) keeps element `n` of
//!   an array, with `null` standing in for the skipped elements before it (so indexes do not
//!   move) and nothing after the last wanted one.
//! * Anything that looks at a node's children as a set (`[*]`, `.*`, a `[?(...)]` filter, a
//!   negative index, which depends on the length) keeps that node's whole subtree.
//! * Scalars are always kept as they are.
//!
//! Only paths on [`JsonPath`]'s fast route can be projected; [`Projection::of`] says `None`
//! otherwise and the caller keeps parsing whole records.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{JsonPath, Step};

/// The keys a set of paths needs, as a tree; built once, applied to every record.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    root: Need,
}

/// What is needed of one node of a record.
#[derive(Debug, Clone, PartialEq)]
enum Need {
    /// The node with everything under it.
    Whole,
    /// Some members (if the node is an object) or some elements (if it is an array).
    Parts {
        /// Wanted members, in the order the paths named them.
        members: Vec<(String, Need)>,
        /// Wanted elements by index, ascending.
        elements: Vec<(usize, Need)>,
    },
}

impl Need {
    fn nothing() -> Need {
        Need::Parts {
            members: Vec::new(),
            elements: Vec::new(),
        }
    }

    /// Make room for the path `steps` below this node.
    fn add(&mut self, steps: &[Step]) {
        let Need::Parts { members, elements } = self else {
            return;
        };
        let Some((step, rest)) = steps.split_first() else {
            *self = Need::Whole;
            return;
        };
        match step {
            Step::Member(name) => {
                let at = match members.iter().position(|(known, _)| known == name) {
                    Some(at) => at,
                    None => {
                        members.push((name.clone(), Need::nothing()));
                        members.len() - 1
                    }
                };
                members[at].1.add(rest);
            }
            Step::Index(index) => match usize::try_from(*index) {
                Ok(index) => {
                    let at = match elements.binary_search_by_key(&index, |(known, _)| *known) {
                        Ok(at) => at,
                        Err(at) => {
                            elements.insert(at, (index, Need::nothing()));
                            at
                        }
                    };
                    elements[at].1.add(rest);
                }
                Err(_) => *self = Need::Whole,
            },
            Step::Wildcard | Step::WhereEquals { .. } => *self = Need::Whole,
        }
    }
}

impl Projection {
    /// The projection that keeps what `paths` reach, or `None` when a path is not on the fast
    /// route (its needs cannot be known from its steps).
    #[must_use]
    pub fn of<'a>(paths: impl IntoIterator<Item = &'a JsonPath>) -> Option<Projection> {
        let mut root = Need::nothing();
        for path in paths {
            root.add(path.plan.as_deref()?);
        }
        Some(Projection { root })
    }

    /// Whether this projection keeps whole records (a path needs the record itself).
    #[must_use]
    pub fn is_whole(&self) -> bool {
        self.root == Need::Whole
    }

    /// Parse one record's JSON text, keeping only what the paths need.
    ///
    /// # Errors
    ///
    /// The `serde_json` error when `text` is not one JSON value.
    pub fn parse(&self, text: &str) -> Result<Value, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = self.seed().deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }

    /// A seed that deserializes one record with this projection, for reading records inside a
    /// larger document in the same pass.
    #[must_use]
    pub fn seed(&self) -> ProjectionSeed<'_> {
        ProjectionSeed(NeedSeed(&self.root))
    }
}

/// Deserializes one record as a [`Projection`] says (see [`Projection::seed`]).
pub struct ProjectionSeed<'p>(NeedSeed<'p>);

impl<'de> DeserializeSeed<'de> for ProjectionSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.0.deserialize(deserializer)
    }
}

/// Deserializes one node as its [`Need`] says.
struct NeedSeed<'n>(&'n Need);

impl<'de> DeserializeSeed<'de> for NeedSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        match self.0 {
            Need::Whole => Value::deserialize(deserializer),
            parts => deserializer.deserialize_any(PartsVisitor(parts)),
        }
    }
}

/// Builds a node from the wanted parts; scalars as `serde_json` builds them.
struct PartsVisitor<'n>(&'n Need);

impl<'de> Visitor<'de> for PartsVisitor<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        NeedSeed(self.0).deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Need::Parts { elements, .. } = self.0 else {
            return Err(serde::de::Error::custom(
                "a whole node reached the parts visitor",
            ));
        };
        let mut kept = Vec::new();
        let mut wanted = elements.iter().peekable();
        let mut index = 0;
        loop {
            match wanted.peek() {
                Some((at, need)) if *at == index => {
                    match seq.next_element_seed(NeedSeed(need))? {
                        Some(value) => kept.push(value),
                        None => break,
                    }
                    wanted.next();
                }
                Some(_) => match seq.next_element::<IgnoredAny>()? {
                    Some(_) => kept.push(Value::Null),
                    None => break,
                },
                None => {
                    while seq.next_element::<IgnoredAny>()?.is_some() {}
                    break;
                }
            }
            index += 1;
        }
        Ok(Value::Array(kept))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let Need::Parts { members, .. } = self.0 else {
            return Err(serde::de::Error::custom(
                "a whole node reached the parts visitor",
            ));
        };
        let mut kept = Map::new();
        while let Some(found) = map.next_key_seed(KeySeed(members))? {
            match found {
                Some((name, need)) => {
                    let value = map.next_value_seed(NeedSeed(need))?;
                    kept.insert(name.clone(), value);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(kept))
    }
}

/// Reads an object key and finds it among the wanted members without allocating.
struct KeySeed<'n>(&'n [(String, Need)]);

impl<'de, 'n> DeserializeSeed<'de> for KeySeed<'n> {
    type Value = Option<&'n (String, Need)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'n> Visitor<'de> for KeySeed<'n> {
    type Value = Option<&'n (String, Need)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().find(|(name, _)| name == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(source: &str) -> JsonPath {
        match JsonPath::parse(source) {
            Ok(p) => p,
            Err(e) => panic!("{source} should compile: {e}"),
        }
    }

    fn projection(sources: &[&str]) -> Projection {
        let paths: Vec<JsonPath> = sources.iter().map(|s| path(s)).collect();
        Projection::of(&paths).unwrap_or_else(|| panic!("{sources:?} should project"))
    }

    /// Every path gives the same matches on the projected and on the full record.
    fn assert_same(sources: &[&str], record: &Value) {
        let text = record.to_string();
        let projected = match projection(sources).parse(&text) {
            Ok(value) => value,
            Err(e) => panic!("{text}: {e}"),
        };
        for source in sources {
            let p = path(source);
            assert_eq!(p.first(&projected), p.first(record), "{source} on {text}");
            assert_eq!(p.select(&projected), p.select(record), "{source} on {text}");
        }
    }

    #[test]
    fn keeps_only_the_wanted_members() {
        let p = projection(&["$.Id", "$.CustomerRef.name", "$.Line[1].Amount"]);
        let record = json!({
            "Id": "7", "DocNumber": "1007",
            "CustomerRef": {"value": "3", "name": "Cool Cars"},
            "Line": [{"Amount": 1.5, "Id": "1"}, {"Amount": 2.5, "Id": "2"}, {"Amount": 4}],
            "MetaData": {"CreateTime": "x"}
        });
        let projected = p.parse(&record.to_string()).unwrap_or(Value::Null);
        assert_eq!(
            projected,
            json!({"Id": "7", "CustomerRef": {"name": "Cool Cars"}, "Line": [null, {"Amount": 2.5}]})
        );
    }

    #[test]
    fn whole_subtrees_for_ends_wildcards_filters_and_negative_indexes() {
        let record = json!({
            "Id": "7",
            "CustomerRef": {"value": "3", "name": "Cool Cars"},
            "Line": [{"Amount": 1.5, "Id": "1"}, {"Amount": 2.5, "Id": "2"}],
            "CustomField": [{"Name": "PO Number", "StringValue": "PO-1"}, {"Name": "x"}],
            "Memo": null,
            "Odd": {"a": [1, [2, 3]], "b\"q": "esc"}
        });
        for sources in [
            &["$.CustomerRef"][..],
            &["$.Line[*].Amount", "$.Id"],
            &["$.Line[-1].Id"],
            &["$.CustomField[?(@.Name == 'PO Number')].StringValue"],
            &["$.*"],
            &["$"],
            &["$.Memo", "$.Memo.x", "$.Missing", "$.Missing[0].x"],
            &["$.Id.x", "$.Id[0]", "$.CustomerRef[0]", "$.Line.Amount"],
            &["$.Odd.a[1][1]", "$.Odd['b\"q']", "$.Odd.a[5]"],
            &["$.Line[0].Amount", "$.Line[0]", "$.Line[3].Id"],
        ] {
            assert_same(sources, &record);
        }
        assert!(projection(&["$"]).is_whole());
        assert!(!projection(&["$.Id"]).is_whole());
    }

    #[test]
    fn scalars_and_arrays_as_records() {
        for record in [
            json!("text"),
            json!(12),
            json!(-3),
            json!(1.5),
            json!(null),
            json!(true),
            json!([{"Id": "1"}, 2]),
        ] {
            assert_same(&["$.Id", "$[0].Id", "$[1]"], &record);
        }
    }

    #[test]
    fn library_only_paths_are_not_projected() {
        let paths = [path("$.Id"), path("$..Amount")];
        assert_eq!(Projection::of(&paths), None);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_like_a_full_parse() {
        let text = r#"{"Id": "1", "Other": 2, "Id": "2"}"#;
        let full: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let projected = projection(&["$.Id"]).parse(text).unwrap_or(Value::Null);
        assert_eq!(projected.get("Id"), full.get("Id"));
    }

    #[test]
    fn malformed_text_is_an_error() {
        let p = projection(&["$.Id"]);
        assert!(p.parse(r#"{"Id": "1""#).is_err());
        assert!(p.parse(r#"{"Id": "1"} x"#).is_err());
        assert!(p.parse(r#"{"Skipped": [1,}, "Id": "1"}"#).is_err());
    }
}
