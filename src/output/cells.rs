//! Rows of CSV cells rendered ahead of writing: the cells of declared columns taken from each
//! record as soon as it is read (on the page's reader thread), kept for a whole page in one
//! text buffer, and written later without looking at the record again.
//!
//! The cell rule itself ([`cell_text`]) lives here too, so that declared columns, rows read
//! ahead and flattening share one definition: a row holds exactly the bytes
//! [`super::csv::ColumnsCsv::write`] would write for the record (before CSV quoting), and no
//! match is an empty cell, like `null`.

use std::io;

use serde_json::Value;

use crate::extract::JsonPath;

/// Append the text of the cell for `value` to `out` (before CSV quoting):
/// a string as is, a number or bool as JSON prints it, null as nothing, an
/// object or array as compact JSON. The one definition of a cell, used by
/// declared columns and by flattening.
pub(super) fn cell_text(value: &Value, out: &mut Vec<u8>) -> io::Result<()> {
    match value {
        Value::Null => {}
        Value::String(text) => out.extend_from_slice(text.as_bytes()),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        other => serde_json::to_writer(&mut *out, other)?,
    }
    Ok(())
}

/// The cells of a page's rows, all of the same width, in one buffer (a row is a few hundred
/// bytes; a map per record would be several times that).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellRows {
    width: usize,
    text: Vec<u8>,
    /// Where each cell ends in `text`, row after row.
    ends: Vec<usize>,
}

/// One row of [`CellRows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellRow<'a> {
    text: &'a [u8],
    /// The row's cell ends.
    ends: &'a [usize],
    /// Where the row's first cell begins in `text`.
    start: usize,
}

impl CellRows {
    /// No rows yet, of `width` cells each.
    #[must_use]
    pub fn new(width: usize) -> CellRows {
        CellRows {
            width,
            text: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// Appends the row of `record`: for each path, the cell of its first match.
    pub fn push(&mut self, paths: &[JsonPath], record: &Value) {
        debug_assert_eq!(paths.len(), self.width);
        for path in paths {
            if let Some(value) = path.first(record) {
                // Writing into a `Vec` cannot fail.
                let _: io::Result<()> = cell_text(value, &mut self.text);
            }
            self.ends.push(self.text.len());
        }
    }

    /// How many rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ends.len().checked_div(self.width).unwrap_or(0)
    }

    /// Whether there is no row.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cells of each row, in order (a width of zero gives no row).
    pub fn rows(&self) -> impl Iterator<Item = CellRow<'_>> {
        self.ends
            .chunks_exact(self.width.max(1))
            .take(self.len())
            .scan(0, |start, ends| {
                let row = CellRow {
                    text: &self.text,
                    ends,
                    start: *start,
                };
                *start = ends.last().copied().unwrap_or(*start);
                Some(row)
            })
    }

    /// Keeps only the rows whose `keep(i)` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(usize) -> bool) {
        let mut kept = CellRows::new(self.width);
        for (at, row) in self.rows().enumerate() {
            if keep(at) {
                for cell in row.cells() {
                    kept.text.extend_from_slice(cell);
                    kept.ends.push(kept.text.len());
                }
            }
        }
        *self = kept;
    }
}

impl<'a> CellRow<'a> {
    /// The row's cells, each the text to write before CSV quoting.
    pub fn cells(self) -> impl Iterator<Item = &'a [u8]> {
        let text = self.text;
        self.ends.iter().scan(self.start, move |start, &end| {
            let cell = text.get(*start..end).unwrap_or_default();
            *start = end;
            Some(cell)
        })
    }

    /// How many cells.
    #[must_use]
    pub fn width(self) -> usize {
        self.ends.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(sources: &[&str]) -> Vec<JsonPath> {
        sources
            .iter()
            .filter_map(|s| JsonPath::parse(s).ok())
            .collect()
    }

    fn texts(rows: &CellRows) -> Vec<Vec<String>> {
        rows.rows()
            .map(|row| {
                row.cells()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn cells_follow_the_cell_rule_and_rows_keep_their_order() {
        let paths = paths(&["$.Id", "$.Total", "$.Missing", "$.Ref", "$.Null", "$.Ok"]);
        let mut rows = CellRows::new(paths.len());
        rows.push(
            &paths,
            &json!({"Id": "1", "Total": 450.0, "Ref": {"value": "58"}, "Null": null, "Ok": true}),
        );
        rows.push(&paths, &json!({"Id": "2", "Total": -3}));
        assert_eq!(rows.len(), 2);
        assert_eq!(
            texts(&rows),
            vec![
                vec!["1", "450.0", "", "{\"value\":\"58\"}", "", "true"],
                vec!["2", "-3", "", "", "", ""],
            ]
        );
    }

    #[test]
    fn retain_keeps_the_chosen_rows_whole() {
        let paths = paths(&["$.Id", "$.Name"]);
        let mut rows = CellRows::new(2);
        for n in 0..5 {
            rows.push(
                &paths,
                &json!({"Id": n.to_string(), "Name": format!("n{n}")}),
            );
        }
        rows.retain(|at| at % 2 == 1);
        assert_eq!(
            texts(&rows),
            vec![vec!["1", "n1"], vec!["3", "n3"]],
            "rows 1 and 3 kept"
        );
        assert!(rows.rows().all(|row| row.width() == 2));
    }

    #[test]
    fn no_columns_give_no_rows() {
        let mut rows = CellRows::new(0);
        rows.push(&[], &json!({"Id": "1"}));
        assert_eq!(rows.len(), 0);
        assert_eq!(rows.rows().count(), 0);
    }
}
