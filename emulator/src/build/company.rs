//! The company's singletons, which QBO updates but never creates or deletes: `Preferences`
//! (each section merged field by field into the company's, values keeping their types, the
//! currency settings fixed) and `CompanyInfo` (a name required, the country fixed).

use serde_json::{Map, Value};

use super::context::Ctx;
use super::names::text;
use super::refusals::{bad_body, business, operation_not_served, required};
use crate::fault::Fault;

/// What the emulator's books are built on: set when the company starts (`--multicurrency`),
/// never by a write.
const FIXED_PREFERENCES: [(&str, &str); 2] = [
    ("CurrencyPrefs", "MultiCurrencyEnabled"),
    ("CurrencyPrefs", "HomeCurrency"),
];

/// The record before this update: a singleton is only ever updated.
fn previous<'a>(ctx: &Ctx<'a>) -> Result<&'a Map<String, Value>, Fault> {
    ctx.previous
        .ok_or_else(|| operation_not_served(ctx.entity, "create"))
}

/// Preferences: every section the client sends is one the company has, merged into it field by
/// field; a value keeps the type it had (a flag stays a flag).
pub(super) fn preferences(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let previous = previous(ctx)?;
    for (section, was) in previous {
        let Some(was) = was.as_object().filter(|_| section != "MetaData") else {
            continue;
        };
        let Some(given) = fields.get(section) else {
            fields.insert(section.clone(), Value::Object(was.clone()));
            continue;
        };
        let given = given
            .as_object()
            .ok_or_else(|| bad_body(format!("{section} must be an object")))?;
        let mut merged = was.clone();
        for (key, value) in given {
            let Some(old) = was.get(key) else {
                return Err(bad_body(format!(
                    "{section}.{key} is not a preference QBO has"
                )));
            };
            if FIXED_PREFERENCES.contains(&(section.as_str(), key.as_str())) && old != value {
                return Err(business(format!(
                    "{section}.{key} is set when the company starts (the emulator's --multicurrency) and cannot change"
                )));
            }
            if std::mem::discriminant(old) != std::mem::discriminant(value) {
                return Err(bad_body(format!(
                    "{section}.{key} must be {}, like {old}",
                    kind(old)
                )));
            }
            merged.insert(key.clone(), value.clone());
        }
        fields.insert(section.clone(), Value::Object(merged));
    }
    let unknown = fields.iter().find(|(key, value)| {
        value.is_object() && key.as_str() != "MetaData" && !previous.contains_key(*key)
    });
    if let Some((section, _)) = unknown {
        return Err(bad_body(format!(
            "{section} is not a section of Preferences"
        )));
    }
    in_previous_order(previous, fields);
    Ok(())
}

/// CompanyInfo: the fields given replace the company's; `CompanyName` stays required and the
/// country cannot change.
pub(super) fn company_info(ctx: &Ctx<'_>, fields: &mut Map<String, Value>) -> Result<(), Fault> {
    let previous = previous(ctx)?;
    if text(fields, "CompanyName").is_none_or(|n| n.trim().is_empty()) {
        return Err(required("CompanyName"));
    }
    if let Some(country) = fields.get("Country")
        && previous.get("Country") != Some(country)
    {
        return Err(business("a company's Country cannot change"));
    }
    if !fields.contains_key("Country")
        && let Some(country) = previous.get("Country")
    {
        fields.insert("Country".into(), country.clone());
    }
    in_previous_order(previous, fields);
    Ok(())
}

/// `fields` in the key order of the record as it was (QBO's), new keys after.
fn in_previous_order(previous: &Map<String, Value>, fields: &mut Map<String, Value>) {
    let mut ordered = Map::with_capacity(fields.len());
    for key in previous.keys() {
        if let Some(value) = fields.shift_remove(key) {
            ordered.insert(key.clone(), value);
        }
    }
    ordered.append(fields);
    *fields = ordered;
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
        Value::Null => "null",
    }
}
