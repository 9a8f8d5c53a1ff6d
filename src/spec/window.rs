//! `window:` in a request file: a report's date range asked for in windows (a call per month,
//! say) and joined, because QBO cuts a dense report short instead of paging it.
//!
//! Two spellings: `window: month`, or `window: { every: month, concurrency: 4 }`. Checked here:
//! the request is a report (`extract: report`), declares the variables `start_date` and
//! `end_date` and sends them as the report's `start_date` and `end_date` parameters, is not
//! incremental, and the variables' defaults (when given) are dates in order. The dates of a run
//! are checked when it starts (they may come from `--var`).

use super::vars::VarSpec;
use super::yaml::SourceFile;
use crate::diagnostics::Error;
use crate::template::TemplateSet;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;

/// The variables a windowed request's range comes from, and the report parameters they fill.
pub const RANGE_VARIABLES: [&str; 2] = ["start_date", "end_date"];

/// Windows in flight at once unless `concurrency` says otherwise (each is one report call, held
/// whole until its turn to be written).
pub const DEFAULT_CONCURRENCY: usize = 4;

/// QBO's concurrent calls per company: more windows at once would only wait for a slot.
pub const MAX_CONCURRENCY: usize = 10;

/// The length of one window; windows follow the calendar (see [`crate::report::window`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WindowUnit {
    /// One day.
    Day,
    /// Monday to Sunday (ISO 8601 weeks).
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January-March, April-June, ...).
    Quarter,
    /// A calendar year.
    Year,
}

impl WindowUnit {
    /// The name as written in a request file.
    pub fn as_str(self) -> &'static str {
        match self {
            WindowUnit::Day => "day",
            WindowUnit::Week => "week",
            WindowUnit::Month => "month",
            WindowUnit::Quarter => "quarter",
            WindowUnit::Year => "year",
        }
    }
}

/// `window:` as written: a unit, or a map with the unit and how many windows run at once.
#[derive(Debug, JsonSchema)]
#[serde(untagged)]
pub(super) enum RawWindow {
    /// `window: month`: one call per calendar month of the range (also `day`, `week`,
    /// `quarter`, `year`).
    Every(WindowUnit),
    /// `window: { every: month, concurrency: 4 }`.
    Spec(RawWindowSpec),
}

/// `window:` as a map.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWindowSpec {
    /// The length of each window: `day`, `week` (Monday to Sunday), `month`, `quarter` or
    /// `year`, following the calendar; the first window starts at `start_date` and the last
    /// ends at `end_date`.
    every: WindowUnit,
    /// Windows asked for at once, 1 to 10 (default 4), within the company's limits; rows are
    /// written in window order whatever order the answers come in.
    #[serde(default)]
    concurrency: Option<usize>,
}

impl<'de> Deserialize<'de> for RawWindow {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RawWindow, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawWindow;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a window length (day, week, month, quarter, year) or { every: LENGTH, concurrency: N }",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawWindow, E> {
                WindowUnit::deserialize(serde::de::value::StrDeserializer::<E>::new(v))
                    .map(RawWindow::Every)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawWindow, A::Error> {
                RawWindowSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawWindow::Spec)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A checked `window:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The length of each window.
    pub every: WindowUnit,
    /// Windows asked for at once.
    pub concurrency: usize,
}

/// What [`check`] needs to know about the rest of the request.
pub(super) struct Request<'a> {
    pub(super) is_report: bool,
    pub(super) incremental: bool,
    pub(super) vars: &'a [VarSpec],
    pub(super) params: &'a [&'a str],
    pub(super) templates: &'a TemplateSet,
}

/// Checks `raw` against the request it is in.
pub(super) fn check(file: &SourceFile, raw: RawWindow, request: &Request) -> Result<Window, Error> {
    let window = match raw {
        RawWindow::Every(every) => Window {
            every,
            concurrency: DEFAULT_CONCURRENCY,
        },
        RawWindow::Spec(spec) => {
            let concurrency = spec.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
            if !(1..=MAX_CONCURRENCY).contains(&concurrency) {
                return Err(Error::file(format!(
                    "`window.concurrency` must be between 1 and {MAX_CONCURRENCY} (QBO allows {MAX_CONCURRENCY} calls in flight per company), not {concurrency}"
                ))
                .at(file.value_or_near("window.concurrency")));
            }
            Window {
                every: spec.every,
                concurrency,
            }
        }
    };
    let every = window.every.as_str();
    if !request.is_report {
        return Err(Error::file(format!(
            "`window: {every}` is for reports: this request has no `extract: report`"
        ))
        .at(file.key_or_near("window"))
        .note("a window splits a report's start_date..end_date into one call per window; queries page instead (`paginate: qbo-query`)"));
    }
    if request.incremental {
        return Err(Error::file(format!(
            "`window: {every}` cannot be combined with `incremental`"
        ))
        .at(file.key_or_near("window"))
        .note("a windowed report covers the range its start_date and end_date give on every run"));
    }
    for name in RANGE_VARIABLES {
        let declared = request.vars.iter().any(|v| v.name == name);
        let sent = request.params.contains(&name)
            && request
                .templates
                .variables(&format!("params.{name}"))
                .contains(name);
        if !declared || !sent {
            return Err(Error::file(format!(
                "`window: {every}` needs the report's range: the variable `{name}` sent as the parameter `{name}`"
            ))
            .at(file.key_or_near("window"))
            .note(format!(
                "{} the range is split into windows, and each call gets the window's own start_date and end_date",
                if declared {
                    format!("`params.{name}` does not use `{{{{ {name} }}}}`;")
                } else {
                    format!("no variable `{name}` is declared;")
                }
            ))
            .note("declare them, e.g.\n  vars:\n    start_date: { default: \"2025-01-01\", description: first day, YYYY-MM-DD }\n    end_date: { default: \"2025-12-31\", description: last day, YYYY-MM-DD }\n  params:\n    start_date: \"{{ start_date }}\"\n    end_date: \"{{ end_date }}\""));
        }
    }
    let mut defaults = Vec::new();
    for name in RANGE_VARIABLES {
        let Some(default) = request
            .vars
            .iter()
            .find(|v| v.name == name)
            .and_then(|v| v.default.as_deref())
            .filter(|d| !d.trim().is_empty())
        else {
            continue;
        };
        let key = format!("vars.{name}.default");
        let day = parse_day(default).map_err(|why| {
            Error::file(format!("the default of `{name}` is {why}"))
                .at(file.value_or_near(&key))
                .note(format!(
                    "`window: {every}` splits start_date..end_date, so they must be dates"
                ))
        })?;
        defaults.push((day, key));
    }
    if let [(start, _), (end, key)] = defaults.as_slice()
        && end < start
    {
        return Err(Error::file(format!(
            "the default `end_date` {end} is before the default `start_date` {start}"
        ))
        .at(file.value_or_near(key)));
    }
    Ok(window)
}

/// `text` as a date `YYYY-MM-DD`, or why it is not one.
pub fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    if text.len() != 10 {
        return Err(format!("{text:?}, not a date YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|err| format!("{text:?}, not a date YYYY-MM-DD ({err})"))
}
