//! A report past QBO's size cap: cut short, with QBO's note in its last row.
//!
//! Why it exists: QBO does not page reports. A report denser than its cap (quoted as 400,000
//! cells, `EmulatorConfig::report_max_cells`) still comes back `200 OK`, but cut off: the rows
//! stop, and a row whose cell reads "Unable to display more data. Please reduce the date range."
//! ends it (clients that load general ledgers look for exactly that text and halve the range).
//! A client that does not look writes a report with rows missing and totals that do not add up;
//! the emulator answers the same way so that clients are tested against it.
//!
//! A cell is one `ColData` entry of a data row, a section header or a section summary. Rows are
//! kept in report order while they fit; the first one that does not fit, and everything after
//! it, is dropped, and so are the summaries of the sections it was in (their totals would count
//! rows that are gone). The note is a data row of its own at the top level, its other cells blank.

use serde_json::{Map, Value};

/// The text QBO puts in the row that ends a report cut at its size cap.
pub(crate) const CUT_SHORT: &str = "Unable to display more data. Please reduce the date range.";

/// Cuts `report` to at most `max_cells` cells and appends QBO's note; `false` (and `report` left
/// alone) when it fits or `max_cells` is 0 (no cap).
pub(crate) fn cut(report: &mut Value, max_cells: usize) -> bool {
    if max_cells == 0 {
        return false;
    }
    let width = report
        .pointer("/Columns/Column")
        .and_then(Value::as_array)
        .map_or(1, |columns| columns.len().max(1));
    let Some(rows) = report.get_mut("Rows") else {
        return false;
    };
    let mut budget = Budget {
        left: max_cells,
        cut: false,
    };
    keep_fitting(rows, &mut budget);
    if !budget.cut {
        return false;
    }
    let mut cells = vec![cell(CUT_SHORT)];
    cells.extend((1..width).map(|_| cell("")));
    let mut note = Map::new();
    note.insert("ColData".into(), Value::Array(cells));
    note.insert("type".into(), "Data".into());
    if let Some(object) = rows.as_object_mut() {
        let list = object
            .entry("Row")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            list.push(Value::Object(note));
        }
    }
    true
}

/// Cells still allowed, and whether a row has been dropped.
struct Budget {
    left: usize,
    cut: bool,
}

impl Budget {
    /// Takes `n` cells, or marks the report cut when they do not fit.
    fn take(&mut self, n: usize) -> bool {
        if n > self.left {
            self.cut = true;
            return false;
        }
        self.left -= n;
        true
    }
}

fn cell(value: &str) -> Value {
    let mut cell = Map::new();
    cell.insert("value".into(), Value::String(value.to_owned()));
    Value::Object(cell)
}

/// How many cells `part` (`Header`, `Summary`, or a data row itself) has.
fn cells_of(part: Option<&Value>) -> usize {
    part.and_then(|p| p.get("ColData"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Keeps the rows of `rows` (`{"Row": [...]}`) that fit, in order.
fn keep_fitting(rows: &mut Value, budget: &mut Budget) {
    let Some(list) = rows.get_mut("Row").and_then(Value::as_array_mut) else {
        return;
    };
    let mut kept = 0;
    for row in list.iter_mut() {
        if row.get("ColData").is_some() {
            if !budget.take(cells_of(Some(row))) {
                break;
            }
            kept += 1;
            continue;
        }
        if !budget.take(cells_of(row.get("Header"))) {
            break;
        }
        kept += 1;
        if let Some(inner) = row.get_mut("Rows") {
            keep_fitting(inner, budget);
        }
        if budget.cut || !budget.take(cells_of(row.get("Summary"))) {
            if let Some(section) = row.as_object_mut() {
                section.remove("Summary");
            }
            break;
        }
    }
    list.truncate(kept);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn data(label: &str) -> Value {
        json!({"ColData": [{"value": label}, {"value": "1.00"}], "type": "Data"})
    }

    fn report() -> Value {
        json!({
            "Header": {"ReportName": "GeneralLedger"},
            "Columns": {"Column": [{"ColType": "Account"}, {"ColType": "Money"}]},
            "Rows": {"Row": [
                {"Header": {"ColData": [{"value": "Checking"}, {"value": ""}]},
                 "Rows": {"Row": [data("a"), data("b")]},
                 "Summary": {"ColData": [{"value": "Total for Checking"}, {"value": "2.00"}]},
                 "type": "Section"},
                {"Header": {"ColData": [{"value": "Savings"}, {"value": ""}]},
                 "Rows": {"Row": [data("c"), data("d")]},
                 "Summary": {"ColData": [{"value": "Total for Savings"}, {"value": "2.00"}]},
                 "type": "Section"},
            ]}
        })
    }

    #[test]
    fn a_report_that_fits_is_left_alone() {
        let mut whole = report();
        assert!(!cut(&mut whole, 16), "16 cells fit in 16");
        assert_eq!(whole, report());
        assert!(!cut(&mut whole, 0), "0 is no cap");
    }

    #[test]
    fn a_report_past_the_cap_stops_where_it_is_full_and_says_so() {
        let mut cut_short = report();
        // The first section (8 cells) and the second's header and first line (4) fit in 13.
        assert!(cut(&mut cut_short, 13));
        let rows = cut_short["Rows"]["Row"].as_array().expect("rows").clone();
        assert_eq!(rows.len(), 3, "two sections and the note");
        assert_eq!(rows[0], report()["Rows"]["Row"][0], "the first is whole");
        assert_eq!(rows[1]["Rows"]["Row"].as_array().map(Vec::len), Some(1));
        assert!(rows[1].get("Summary").is_none(), "no total over lost rows");
        assert_eq!(rows[2]["ColData"][0]["value"], CUT_SHORT);
        assert_eq!(rows[2]["ColData"][1]["value"], "");
        assert_eq!(rows[2]["type"], "Data");
    }

    #[test]
    fn a_cap_smaller_than_the_first_row_leaves_only_the_note() {
        let mut cut_short = report();
        assert!(cut(&mut cut_short, 1));
        let rows = cut_short["Rows"]["Row"].as_array().expect("rows");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["ColData"][0]["value"], CUT_SHORT);
    }
}
