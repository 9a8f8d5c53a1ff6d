//! A report's `Rows`: cells (amounts as strings), data rows, nested sections with their summaries,
//! and the sums between them.

use serde_json::{Map, Value};

use super::params::By;

/// `"1234.56"`, `"-0.50"`.
pub(super) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Thousandths of a unit as QBO writes a quantity: `"12"`, `"2.5"`, `"-0.125"`.
pub(super) fn units_text(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let (whole, part) = (milli.unsigned_abs() / 1000, milli.unsigned_abs() % 1000);
    if part == 0 {
        format!("{sign}{whole}")
    } else {
        let fraction = format!("{part:03}");
        format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
    }
}

pub(super) fn cell(value: impl Into<String>) -> Value {
    let mut cell = Map::new();
    cell.insert("value".into(), Value::String(value.into()));
    Value::Object(cell)
}

pub(super) fn cell_with_id(value: impl Into<String>, id: impl Into<String>) -> Value {
    let mut cell = Map::new();
    cell.insert("value".into(), Value::String(value.into()));
    cell.insert("id".into(), Value::String(id.into()));
    Value::Object(cell)
}

/// A row of the report tree.
#[derive(Debug)]
pub(super) enum Node {
    Data(Vec<Value>),
    Section {
        group: Option<&'static str>,
        header: Option<Vec<Value>>,
        rows: Vec<Node>,
        summary: Option<Vec<Value>>,
    },
}

impl Node {
    pub(super) fn into_json(self) -> Value {
        let mut row = Map::new();
        match self {
            Node::Data(cells) => {
                row.insert("ColData".into(), Value::Array(cells));
                row.insert("type".into(), "Data".into());
            }
            Node::Section {
                group,
                header,
                rows,
                summary,
            } => {
                if let Some(header) = header {
                    row.insert("Header".into(), col_data(header));
                }
                if !rows.is_empty() {
                    row.insert("Rows".into(), rows_json(rows));
                }
                if let Some(summary) = summary {
                    row.insert("Summary".into(), col_data(summary));
                }
                row.insert("type".into(), "Section".into());
                if let Some(group) = group {
                    row.insert("group".into(), group.into());
                }
            }
        }
        Value::Object(row)
    }
}

pub(super) fn col_data(cells: Vec<Value>) -> Value {
    let mut part = Map::new();
    part.insert("ColData".into(), Value::Array(cells));
    Value::Object(part)
}

/// `{"Row": [...]}`, or `{}` when there are no rows.
pub(super) fn rows_json(rows: Vec<Node>) -> Value {
    let mut part = Map::new();
    if !rows.is_empty() {
        part.insert(
            "Row".into(),
            Value::Array(rows.into_iter().map(Node::into_json).collect()),
        );
    }
    Value::Object(part)
}

/// A row of an amounts report, with its amounts kept for the totals above it.
#[derive(Debug)]
pub(super) struct Block {
    pub(super) node: Node,
    pub(super) totals: Vec<i64>,
}

/// An account's (or customer's) line: blank cells where the amount is zero.
pub(super) fn line(label: &str, id: Option<String>, amounts: Vec<i64>) -> Block {
    let mut cells = vec![match id {
        Some(id) => cell_with_id(label, id),
        None => cell(label),
    }];
    cells.extend(
        amounts
            .iter()
            .map(|&a| if a == 0 { cell("") } else { cell(money(a)) }),
    );
    Block {
        node: Node::Data(cells),
        totals: amounts,
    }
}

pub(super) fn summary_cells(label: &str, totals: &[i64]) -> Vec<Value> {
    let mut cells = vec![cell(label)];
    cells.extend(totals.iter().map(|&a| cell(money(a))));
    cells
}

pub(super) fn blank_header(label: &str, width: usize) -> Vec<Value> {
    let mut cells = vec![cell(label)];
    cells.extend((0..width).map(|_| cell("")));
    cells
}

/// A section holding `children`, its summary their sum; `None` when there are no children and
/// `keep` is false.
pub(super) fn section(
    group: &'static str,
    header: &str,
    summary: &str,
    children: Vec<Option<Block>>,
    width: usize,
    keep: bool,
) -> Option<Block> {
    let children: Vec<Block> = children.into_iter().flatten().collect();
    if children.is_empty() && !keep {
        return None;
    }
    let mut totals = vec![0i64; width];
    for child in &children {
        for (total, value) in totals.iter_mut().zip(&child.totals) {
            *total += value;
        }
    }
    Some(Block {
        node: Node::Section {
            group: Some(group),
            header: Some(blank_header(header, width)),
            rows: children.into_iter().map(|c| c.node).collect(),
            summary: Some(summary_cells(summary, &totals)),
        },
        totals,
    })
}

/// A summary-only section (Gross Profit, Net Income, TOTAL).
pub(super) fn summary_only(group: &'static str, label: &str, totals: Vec<i64>) -> Block {
    Block {
        node: Node::Section {
            group: Some(group),
            header: None,
            rows: Vec::new(),
            summary: Some(summary_cells(label, &totals)),
        },
        totals,
    }
}

pub(super) fn minus(a: &[i64], b: &[i64]) -> Vec<i64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

pub(super) fn plus(a: &[i64], b: &[i64]) -> Vec<i64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

pub(super) fn totals_of(block: &Option<Block>, width: usize) -> Vec<i64> {
    block
        .as_ref()
        .map_or_else(|| vec![0; width], |b| b.totals.clone())
}

/// What a report builder gives: columns, rows, whether there is no data, how columns are split.
pub(super) type Built = (Vec<Value>, Vec<Node>, bool, By);
