//! `sort_by` and `sort_order`: the data rows of a report ordered by one of its columns, in
//! each section on its own (sections, headers and summaries stay where they are), ascending
//! unless `sort_order=descend`. Amounts compare as numbers, the rest (dates are
//! `YYYY-MM-DD`) as text; rows that tie keep the report's own order.

use std::cmp::Ordering;

use serde_json::Value;

use super::params::business_error;
use super::rows::Node;
use crate::fault::Fault;

/// The index of column `key` among `columns` (their `ColKey`).
fn column_index(columns: &[Value], key: &str) -> Option<usize> {
    columns.iter().position(|column| {
        column["MetaData"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|m| {
                m["Name"] == "ColKey"
                    && m["Value"]
                        .as_str()
                        .is_some_and(|v| v.eq_ignore_ascii_case(key))
            })
    })
}

/// Order the data rows of `rows` (at every depth) by column `key`.
pub(super) fn sort_rows(
    columns: &[Value],
    rows: &mut [Node],
    key: &str,
    descending: bool,
) -> Result<(), Fault> {
    let at = column_index(columns, key).ok_or_else(|| {
        business_error(
            "sort_by",
            format!("sort_by {key:?} is not a column of this report (give it in columns, or sort by one shown)"),
        )
    })?;
    sort_level(rows, at, descending);
    Ok(())
}

fn sort_level(rows: &mut [Node], at: usize, descending: bool) {
    // Each run of data rows between sections is sorted on its own.
    let mut start = 0;
    while start < rows.len() {
        if let Node::Section { rows: inner, .. } = &mut rows[start] {
            sort_level(inner, at, descending);
            start += 1;
            continue;
        }
        let end = rows[start..]
            .iter()
            .position(|n| matches!(n, Node::Section { .. }))
            .map_or(rows.len(), |n| start + n);
        rows[start..end].sort_by(|a, b| {
            let order = compare(cell(a, at), cell(b, at));
            if descending { order.reverse() } else { order }
        });
        start = end;
    }
}

fn cell(node: &Node, at: usize) -> &str {
    match node {
        Node::Data(cells) => cells
            .get(at)
            .and_then(|c| c["value"].as_str())
            .unwrap_or_default(),
        Node::Section { .. } => "",
    }
}

fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.to_lowercase().cmp(&b.to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn row(date: &str, amount: &str) -> Node {
        Node::Data(vec![json!({"value": date}), json!({"value": amount})])
    }

    fn columns() -> Vec<Value> {
        ["tx_date", "subt_nat_amount"]
            .iter()
            .map(|k| json!({"ColTitle": k, "MetaData": [{"Name": "ColKey", "Value": k}]}))
            .collect()
    }

    fn values(rows: &[Node], at: usize) -> Vec<String> {
        rows.iter().map(|n| cell(n, at).to_owned()).collect()
    }

    #[test]
    fn amounts_sort_as_numbers_dates_as_text_and_each_section_on_its_own() {
        let mut rows = vec![
            row("2023-02-01", "100.00"),
            row("2023-01-15", "9.50"),
            Node::Section {
                group: None,
                header: None,
                rows: vec![row("2023-03-01", "-5.00"), row("2023-01-01", "20.00")],
                summary: None,
            },
            row("2023-01-20", "9.50"),
        ];
        sort_rows(&columns(), &mut rows, "subt_nat_amount", false).expect("a column");
        assert_eq!(
            values(&rows[..2], 1),
            ["9.50", "100.00"],
            "numbers, not text"
        );
        let Node::Section { rows: inner, .. } = &rows[2] else {
            panic!("the section stays in place");
        };
        assert_eq!(values(inner, 1), ["-5.00", "20.00"]);
        assert_eq!(
            values(&rows[3..], 0),
            ["2023-01-20"],
            "a run after a section is its own"
        );
        sort_rows(&columns(), &mut rows, "TX_DATE", true).expect("keys ignore case");
        assert_eq!(values(&rows[..2], 0), ["2023-02-01", "2023-01-15"]);
        assert!(sort_rows(&columns(), &mut rows, "memo", false).is_err());
    }

    #[test]
    fn ties_keep_the_reports_order() {
        let mut rows = vec![row("b", "1"), row("a", "1"), row("c", "1")];
        sort_rows(&columns(), &mut rows, "subt_nat_amount", true).expect("a column");
        assert_eq!(values(&rows, 0), ["b", "a", "c"]);
    }
}
