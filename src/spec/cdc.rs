//! `extract: cdc` checked against the rest of a request file: one call with `entities` and
//! `changedSince`, and a `changedSince` the file fixes (a literal, or rendered with the
//! variables' defaults, e.g. `{{ since or days_ago(7) }}`) at most 30 days back.

use super::Scalar;
use super::vars::{BUILTIN_VARIABLES, VarSpec};
use super::yaml::SourceFile;
use crate::diagnostics::Error;
use crate::template::{self, EnvObject, TemplateSet};
use indexmap::IndexMap;
use minijinja::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Checks a request with `extract: cdc`.
pub(super) fn check(
    file: &SourceFile,
    params: &IndexMap<String, Scalar>,
    vars: &[VarSpec],
    templates: &TemplateSet,
    paginated: bool,
) -> Result<(), Error> {
    if paginated {
        return Err(Error::file(
            "`extract: cdc` cannot be combined with `paginate: qbo-query`",
        )
        .at(file.key_or_near("paginate"))
        .note("QBO answers change data capture in one call (at most 1,000 objects); remove `paginate`"));
    }
    for param in ["entities", crate::cdc::CHANGED_SINCE] {
        if !params.contains_key(param) {
            return Err(Error::file(format!(
                "`extract: cdc` needs the query parameter `{param}`"
            ))
            .at(file
                .key_location("params")
                .unwrap_or_else(|| file.value_or_near("extract")))
            .note("e.g. params: { entities: \"Invoice,Customer\", changedSince: \"{{ since or days_ago(7) }}\" }"));
        }
    }
    let name = format!("params.{}", crate::cdc::CHANGED_SINCE);
    let used: Vec<String> = templates
        .variables(&name)
        .into_iter()
        .filter(|v| !BUILTIN_VARIABLES.contains(&v.as_str()))
        .collect();
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for var in vars {
        match &var.default {
            Some(default) => {
                values.insert(var.name.clone(), Value::from(default.clone()));
            }
            // Known only at run time: checked then.
            None if used.contains(&var.name) => return Ok(()),
            None => {}
        }
    }
    values.insert("realm_id".into(), Value::from("REALM_ID"));
    values.insert("minor_version".into(), Value::from("75"));
    let context = template::context(&values, Arc::new(EnvObject::default()));
    let Ok(rendered) = templates.render(&name, &context) else {
        return Ok(());
    };
    let Some(problem) = crate::cdc::changed_since_problem(&rendered, crate::clock::now()) else {
        return Ok(());
    };
    let location = match used.as_slice() {
        [one] => file
            .value_location(&format!("vars.{one}.default"))
            .unwrap_or_else(|| file.value_or_near(&name)),
        _ => file.value_or_near(&name),
    };
    Err(Error::file(problem)
        .at(location)
        .note_opt(
            (!used.is_empty())
                .then(|| format!("rendered with the variables' defaults: `{rendered}`")),
        )
        .note("use a time within the last 30 days, or `{{ days_ago(7) }}` for one that moves with the clock"))
}
