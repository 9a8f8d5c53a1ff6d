//! QBO reports turned into tidy rows (`extract: report`).
//!
//! Why it exists: a QBO report (`GET .../reports/<Name>`) is a tree, not a list: a `Header`, a
//! `Columns.Column[]` list and `Rows.Row[]` whose rows are either `Data` (`ColData[]`, one cell per
//! column) or `Section`s (an optional `Header.ColData`, nested `Rows.Row[]`, an optional
//! `Summary.ColData` total line and a `group` tag), nested to any depth, with every amount a
//! string (`"4239.96"`, `""` for a blank). This module walks that tree once, in report order, and
//! gives one flat JSON object per line of the report, which the output writers handle like any
//! other record (JSON, JSON Lines, CSV with or without `columns:`).
//!
//! # The row shape
//!
//! Every row has the same keys, in this order:
//!
//! | key | value |
//! |---|---|
//! | `section` | the titles of the enclosing sections, outermost first, joined by `" / "` (`""` at the top) |
//! | `group` | the `group` tag of the nearest enclosing section that has one (`Income`, `COGS`, `Expenses`, `NetIncome`, ...), else `null` |
//! | `kind` | `"data"` (an account's line) or `"summary"` (a section's total line) |
//! | `depth` | how many sections enclose the row (1 for a top-level section's lines) |
//! | `account` | the row's label: the account (or customer, vendor) name of a data row, the "Total ..." text of a summary |
//! | `account_id` | the id QBO gives with the label (a summary row takes its section header's id), else `null` |
//! | one key per value column | see below |
//!
//! A section's title is its header's label; a section without a header (QBO's summary-only
//! sections such as `GrossProfit` and `NetIncome`) takes its summary's label, else its `group`.
//! A section's summary row has the section itself in `section`, so the data rows and the child
//! sections' summary rows of section `P` add up to the summary row whose `section` is `P`.
//! A section header whose cells are all blank gives no row (its title is in `section`); one with
//! an amount of its own is a `data` row. Rows without `ColData` are skipped.
//!
//! **Columns.** When the report's first column is a label column (its `ColType` is neither an
//! amount nor a date: `Account`, `Customer`, ...), its cell is `account`/`account_id` and every
//! other column is a value column. Otherwise (transaction reports such as `GeneralLedger`, whose
//! first column is the date) every column is a value column, and `account`/`account_id` are the
//! label and id of the innermost enclosing section header (the account the lines belong to).
//! A value column's key is its `ColTitle` (`"Jul 2025"`, `"Total"`, `"Debit"`), else its `ColKey`,
//! else its `ColType`, else `column_N`; a name already taken (by an earlier column or a fixed key)
//! gets ` (2)`, ` (3)`, ...
//!
//! **Cells.** A blank cell (`""`, or no cell) is `null`. In an amount column (`ColType` `Money`,
//! or one whose `_`-separated words include `amount`, `amt`, `bal` or `balance`, like
//! `subt_nat_amount`) a plain decimal (`"4239.96"`, `"-12.50"`, `"2400.00"`) is a JSON number of
//! exactly that value, written in its shortest form (`4239.96`, `-12.5`, `2400`): integers are
//! read as integers, others are kept only when the double's shortest text is the same decimal,
//! so no digit is ever lost or invented; anything else stays text. Other columns keep their text.
//!
//! What this module must never do: panic, or guess on a shape it does not know. Anything that is
//! not a report (a `Fault`, no `Columns.Column`, a row that is neither data nor section, more
//! cells than columns) is a [`ErrorKind::Remote`] error naming where in the report it is.

pub mod window;

use serde_json::{Map, Number, Value};

use crate::diagnostics::{Error, ErrorKind};
use crate::engine::RecordSink;

/// The keys every row starts with, in this order; the report's value columns follow.
pub const ROW_KEYS: [&str; 6] = ["section", "group", "kind", "depth", "account", "account_id"];

/// The rows of `report`, in report order.
///
/// # Errors
///
/// A [`ErrorKind::Remote`] error when `report` is not a QBO report.
pub fn flatten(report: &Value) -> Result<Vec<Value>, Error> {
    let mut rows = Vec::new();
    for_each_row(report, &mut |row| {
        rows.push(row);
        Ok(())
    })?;
    Ok(rows)
}

/// Hands the rows of `report` to `emit`, in report order; returns how many.
///
/// # Errors
///
/// A [`ErrorKind::Remote`] error when `report` is not a QBO report, or what `emit` returns.
pub fn for_each_row(
    report: &Value,
    emit: &mut dyn FnMut(Value) -> Result<(), Error>,
) -> Result<u64, Error> {
    let object = report
        .as_object()
        .ok_or_else(|| not_a_report("the answer is not a JSON object"))?;
    if let Some(fault) = object.get("Fault").or_else(|| object.get("fault")) {
        return Err(fault_error(fault));
    }
    let layout = Layout::of(object)?;
    if let Some(rows) = object.get("Rows")
        && cut_short(rows)
    {
        return Err(cut_short_error(object));
    }
    let mut walker = Walker {
        layout: &layout,
        emit,
        written: 0,
    };
    if let Some(rows) = object.get("Rows") {
        walker.rows(rows, &Scope::default(), "Rows")?;
    }
    Ok(walker.written)
}

/// A [`RecordSink`] that takes whole reports and hands their rows to another sink.
pub struct ReportRows<'a> {
    inner: &'a mut dyn RecordSink,
}

impl<'a> ReportRows<'a> {
    /// Rows of every report this sink receives go to `inner`.
    pub fn new(inner: &'a mut dyn RecordSink) -> ReportRows<'a> {
        ReportRows { inner }
    }
}

impl RecordSink for ReportRows<'_> {
    fn record(&mut self, report: &Value) -> Result<(), Error> {
        let inner = &mut *self.inner;
        for_each_row(report, &mut |row| inner.record(&row)).map(|_| ())
    }

    fn page_done(&mut self) {
        self.inner.page_done();
    }
}

fn not_a_report(why: impl Into<String>) -> Error {
    Error::new(
        ErrorKind::Remote,
        format!("the answer is not a QBO report: {}", why.into()),
    )
    .note("`extract: report` expects Header, Columns.Column[] and Rows.Row[] (GET .../reports/<ReportName>)")
}

/// The start of the text QBO writes in the last row of a report it cut at its size cap:
/// "Unable to display more data. Please reduce the date range."
pub const CUT_SHORT: &str = "Unable to display more data";

/// Whether any cell of `rows` (at any depth) carries QBO's [`CUT_SHORT`] note.
fn cut_short(rows: &Value) -> bool {
    let Some(list) = rows.get("Row").and_then(Value::as_array) else {
        return false;
    };
    list.iter().any(|row| {
        ["ColData", "Header", "Summary"].iter().any(|part| {
            let cells = if *part == "ColData" {
                row.get("ColData")
            } else {
                row.get(*part).and_then(|p| p.get("ColData"))
            };
            cells.and_then(Value::as_array).is_some_and(|cells| {
                cells.iter().any(|cell| {
                    cell.get("value")
                        .and_then(Value::as_str)
                        .is_some_and(|text| text.trim_start().starts_with(CUT_SHORT))
                })
            })
        }) || row.get("Rows").is_some_and(cut_short)
    })
}

/// The error for a report QBO cut short: what it covered, why, and `window:` as the way out.
fn cut_short_error(report: &Map<String, Value>) -> Error {
    let header = |key: &str| {
        report
            .get("Header")
            .and_then(|h| h.get(key))
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string()
    };
    Error::new(
        ErrorKind::Remote,
        format!(
            "QBO cut the report short: \"Unable to display more data. Please reduce the date range.\" ({} from {} to {})",
            header("ReportName"),
            header("StartPeriod"),
            header("EndPeriod")
        ),
    )
    .note("QBO stops a report at its size cap (quoted as 400,000 cells) and still answers 200 with the rows it had; none of them were written, since their totals would be wrong")
    .note("help: split the range into windows in the request file, e.g. `window: month` (or `week`, `day`) with `start_date` and `end_date` as variables: one call per window, the rows joined in order with `window_start` and `window_end`")
}

/// A Fault carried in a 200 answer, as an error.
fn fault_error(fault: &Value) -> Error {
    let first = fault
        .get("Error")
        .or_else(|| fault.get("error"))
        .and_then(Value::as_array)
        .and_then(|errors| errors.first());
    let text = |key: &str| {
        first
            .and_then(|e| e.get(key).or_else(|| e.get(key.to_ascii_lowercase())))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let code = first
        .and_then(|e| e.get("code"))
        .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
        .unwrap_or_default();
    Error::new(
        ErrorKind::Remote,
        format!(
            "QBO answered with a Fault instead of a report: {} (code {code})",
            text("Message")
        ),
    )
    .note(text("Detail"))
}

/// One value column: its key in the rows and whether its cells are amounts.
#[derive(Debug)]
struct ValueColumn {
    key: String,
    money: bool,
}

/// What the report's columns are.
#[derive(Debug)]
struct Layout {
    /// Whether the first column is the row label (`account`, `account_id`).
    labelled: bool,
    /// The value columns, in report order (after the label column when there is one).
    values: Vec<ValueColumn>,
    /// How many columns the report has.
    width: usize,
}

impl Layout {
    fn of(report: &Map<String, Value>) -> Result<Layout, Error> {
        let columns = report
            .get("Columns")
            .and_then(|c| c.get("Column"))
            .and_then(Value::as_array)
            .ok_or_else(|| not_a_report("it has no Columns.Column list"))?;
        let first = columns
            .first()
            .ok_or_else(|| not_a_report("Columns.Column is empty"))?;
        let col_type = |column: &Value| {
            column
                .get("ColType")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let first_type = col_type(first);
        let labelled =
            !is_money_type(&first_type) && !first_type.to_ascii_lowercase().contains("date");
        let mut taken: Vec<String> = ROW_KEYS
            .iter()
            .chain(window::WINDOW_KEYS.iter())
            .map(|k| (*k).to_string())
            .collect();
        let mut values = Vec::with_capacity(columns.len());
        for (index, column) in columns.iter().enumerate() {
            if !column.is_object() {
                return Err(not_a_report(format!(
                    "Columns.Column[{index}] is not an object"
                )));
            }
            if labelled && index == 0 {
                continue;
            }
            let kind = col_type(column);
            let name = [
                column
                    .get("ColTitle")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                meta(column, "ColKey"),
                Some(kind.clone()),
            ]
            .into_iter()
            .flatten()
            .map(|name| name.trim().to_string())
            .find(|name| !name.is_empty())
            .unwrap_or_else(|| format!("column_{}", index + 1));
            let key = unique(&name, &taken);
            taken.push(key.clone());
            values.push(ValueColumn {
                key,
                money: is_money_type(&kind),
            });
        }
        Ok(Layout {
            labelled,
            values,
            width: columns.len(),
        })
    }
}

/// The value of `MetaData[{Name, Value}]` entry `name` of a column.
fn meta(column: &Value, name: &str) -> Option<String> {
    column
        .get("MetaData")?
        .as_array()?
        .iter()
        .find(|m| m.get("Name").and_then(Value::as_str) == Some(name))?
        .get("Value")?
        .as_str()
        .map(str::to_string)
}

/// `name`, or `name (2)`, `name (3)`, ... when it is taken.
fn unique(name: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_string();
    }
    (2..)
        .map(|n| format!("{name} ({n})"))
        .find(|candidate| !taken.iter().any(|t| t == candidate))
        .unwrap_or_else(|| name.to_string())
}

/// Whether a `ColType` holds amounts: `Money`, or a detail-report type such as
/// `subt_nat_amount`, `rbal_nat_amount`, `debt_amt`, `subt_open_bal`.
fn is_money_type(col_type: &str) -> bool {
    col_type.eq_ignore_ascii_case("money")
        || col_type.split('_').any(|word| {
            ["amount", "amt", "bal", "balance"]
                .iter()
                .any(|w| word.eq_ignore_ascii_case(w))
        })
}

/// `text` as a JSON number when it is a plain decimal that a JSON number holds exactly.
fn amount(text: &str) -> Option<Number> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        let magnitude: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        return Some(Number::from(if negative { -magnitude } else { magnitude }));
    }
    let canonical = format!(
        "{}{}.{frac}",
        if negative { "-" } else { "" },
        if int.is_empty() { "0" } else { int }
    );
    let number = Number::from_f64(canonical.parse().ok()?)?;
    (number.to_string() == canonical).then_some(number)
}

/// What the enclosing sections say about the rows inside them.
#[derive(Debug, Clone, Default)]
struct Scope {
    /// Non-empty titles, outermost first.
    titles: Vec<String>,
    group: Option<String>,
    depth: u64,
    /// Label and id of the innermost section header that has a label.
    header: Option<(String, Option<String>)>,
}

struct Walker<'a, 'e> {
    layout: &'a Layout,
    emit: &'e mut dyn FnMut(Value) -> Result<(), Error>,
    written: u64,
}

/// One row's kind, in the output.
#[derive(Clone, Copy)]
enum Kind {
    Data,
    Summary,
}

impl Walker<'_, '_> {
    /// `Rows` of a report or a section: `{"Row": [...]}`, possibly `{}`.
    fn rows(&mut self, rows: &Value, scope: &Scope, at: &str) -> Result<(), Error> {
        let object = rows
            .as_object()
            .ok_or_else(|| not_a_report(format!("{at} is not an object")))?;
        let Some(list) = object.get("Row") else {
            return Ok(());
        };
        let list = list
            .as_array()
            .ok_or_else(|| not_a_report(format!("{at}.Row is not a list")))?;
        for (index, row) in list.iter().enumerate() {
            self.row(row, scope, &format!("{at}.Row[{index}]"))?;
        }
        Ok(())
    }

    fn row(&mut self, row: &Value, scope: &Scope, at: &str) -> Result<(), Error> {
        let object = row
            .as_object()
            .ok_or_else(|| not_a_report(format!("{at} is not an object")))?;
        let declared = object.get("type").and_then(Value::as_str);
        let looks_like_section = ["Rows", "Header", "Summary"]
            .iter()
            .any(|key| object.contains_key(*key));
        match declared {
            Some(t) if t.eq_ignore_ascii_case("section") => self.section(object, scope, at),
            Some(t) if t.eq_ignore_ascii_case("data") => self.data(object, scope, at),
            None if looks_like_section => self.section(object, scope, at),
            None if object.contains_key("ColData") => self.data(object, scope, at),
            None if object.is_empty() => Ok(()),
            Some(other) => Err(not_a_report(format!(
                "{at} has type {other:?} (expected Section or Data)"
            ))),
            None => Err(not_a_report(format!(
                "{at} is neither a Data row (ColData) nor a Section (Header, Rows, Summary)"
            ))),
        }
    }

    fn data(&mut self, row: &Map<String, Value>, scope: &Scope, at: &str) -> Result<(), Error> {
        let Some(cells) = row.get("ColData") else {
            return Ok(());
        };
        let cells = self.cells(cells, &format!("{at}.ColData"))?;
        self.write(&cells, Kind::Data, scope, None)
    }

    fn section(
        &mut self,
        section: &Map<String, Value>,
        outer: &Scope,
        at: &str,
    ) -> Result<(), Error> {
        let part = |key: &str| -> Result<Option<Vec<Cell>>, Error> {
            match section.get(key) {
                None => Ok(None),
                Some(part) => match part.get("ColData") {
                    None if part.is_object() => Ok(None),
                    None => Err(not_a_report(format!("{at}.{key} is not an object"))),
                    Some(cells) => self.cells(cells, &format!("{at}.{key}.ColData")).map(Some),
                },
            }
        };
        let header = part("Header")?;
        let summary = part("Summary")?;
        let group = match section.get("group") {
            None | Some(Value::Null) => None,
            Some(Value::String(group)) => Some(group.clone()),
            Some(_) => return Err(not_a_report(format!("{at}.group is not text"))),
        };
        let label = |cells: &Option<Vec<Cell>>| {
            cells
                .as_ref()
                .and_then(|c| c.first())
                .and_then(Cell::text)
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
        };
        let header_label = label(&header);
        let header_id = header
            .as_ref()
            .and_then(|c| c.first())
            .and_then(|c| c.id.clone());
        let title = header_label
            .clone()
            .or_else(|| label(&summary))
            .or_else(|| group.clone());
        let mut scope = outer.clone();
        scope.depth += 1;
        if let Some(title) = title {
            scope.titles.push(title);
        }
        if group.is_some() {
            scope.group = group;
        }
        if let Some(label) = &header_label {
            scope.header = Some((label.clone(), header_id.clone()));
        }
        if let Some(cells) = &header
            && cells.iter().skip(1).any(|c| !c.is_blank())
        {
            self.write(cells, Kind::Data, &scope, None)?;
        }
        if let Some(rows) = section.get("Rows") {
            self.rows(rows, &scope, &format!("{at}.Rows"))?;
        }
        if let Some(cells) = &summary {
            self.write(cells, Kind::Summary, &scope, header_id)?;
        }
        Ok(())
    }

    /// The cells of a `ColData` list, checked against the columns.
    fn cells(&self, cells: &Value, at: &str) -> Result<Vec<Cell>, Error> {
        let list = cells
            .as_array()
            .ok_or_else(|| not_a_report(format!("{at} is not a list")))?;
        if list.len() > self.layout.width {
            return Err(not_a_report(format!(
                "{at} has {} cells but the report has {} columns",
                list.len(),
                self.layout.width
            )));
        }
        list.iter()
            .enumerate()
            .map(|(index, cell)| {
                Cell::of(cell).ok_or_else(|| {
                    not_a_report(format!(
                        "{at}[{index}] is not a cell ({{\"value\": text, \"id\": text}})"
                    ))
                })
            })
            .collect()
    }

    /// Builds and emits one row.
    fn write(
        &mut self,
        cells: &[Cell],
        kind: Kind,
        scope: &Scope,
        summary_id: Option<String>,
    ) -> Result<(), Error> {
        let layout = self.layout;
        let mut row = Map::with_capacity(ROW_KEYS.len() + layout.values.len());
        row.insert("section".into(), Value::String(scope.titles.join(" / ")));
        row.insert(
            "group".into(),
            scope.group.clone().map_or(Value::Null, Value::String),
        );
        row.insert(
            "kind".into(),
            Value::String(
                match kind {
                    Kind::Data => "data",
                    Kind::Summary => "summary",
                }
                .into(),
            ),
        );
        row.insert("depth".into(), Value::from(scope.depth));
        let (account, account_id, values) = if layout.labelled {
            let first = cells.first();
            let account = first.and_then(Cell::text).filter(|t| !t.is_empty());
            let id = match kind {
                Kind::Data => first.and_then(|c| c.id.clone()),
                Kind::Summary => summary_id,
            };
            (
                account.map(str::to_string),
                id,
                cells.get(1..).unwrap_or(&[]),
            )
        } else {
            let (label, id) = scope.header.clone().unzip();
            (label, id.flatten(), cells)
        };
        row.insert("account".into(), account.map_or(Value::Null, Value::String));
        row.insert(
            "account_id".into(),
            account_id.map_or(Value::Null, Value::String),
        );
        for (index, column) in layout.values.iter().enumerate() {
            let value = values
                .get(index)
                .map_or(Value::Null, |cell| cell.value(column.money));
            row.insert(column.key.clone(), value);
        }
        (self.emit)(Value::Object(row))?;
        self.written += 1;
        Ok(())
    }
}

/// One `ColData` cell.
#[derive(Debug)]
struct Cell {
    value: Value,
    id: Option<String>,
}

impl Cell {
    fn of(cell: &Value) -> Option<Cell> {
        let object = cell.as_object()?;
        let value = match object.get("value") {
            None | Some(Value::Null) => Value::Null,
            Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
            Some(_) => return None,
        };
        let id = match object.get("id") {
            None | Some(Value::Null) => None,
            Some(Value::String(id)) if id.is_empty() => None,
            Some(Value::String(id)) => Some(id.clone()),
            Some(Value::Number(id)) => Some(id.to_string()),
            Some(_) => return None,
        };
        Some(Cell { value, id })
    }

    fn text(&self) -> Option<&str> {
        self.value.as_str()
    }

    fn is_blank(&self) -> bool {
        match &self.value {
            Value::Null => true,
            Value::String(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell in a row: `null` when blank, a number for an amount, else its text.
    fn value(&self, money: bool) -> Value {
        match &self.value {
            Value::String(text) if text.trim().is_empty() => Value::Null,
            Value::String(text) if money => {
                amount(text.trim()).map_or_else(|| Value::String(text.clone()), Value::Number)
            }
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
