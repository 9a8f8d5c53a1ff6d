//! Field values of the JSON clients write, read and written as QBO does: money in cents, ids as
//! text, the record index an id names.

use serde_json::{Value, json};

/// A money amount in cents from a JSON number or numeric string.
pub(crate) fn cents(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    number
        .is_finite()
        .then(|| (number * 100.0).round())
        .filter(|c| c.abs() < 1e15)
        .map(|c| c as i64)
}

/// Cents as QBO writes money: `0`, else a float (`275.0`, `554.46`).
pub(crate) fn money(cents: i64) -> Value {
    if cents == 0 {
        json!(0)
    } else {
        json!(cents as f64 / 100.0)
    }
}

/// An id-like value (`"58"` or `58`) as text.
pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The record index an id names (`"58"` is index 57).
pub(crate) fn index_of(id: &str) -> Option<usize> {
    id.parse::<u64>()
        .ok()
        .filter(|&n| n >= 1)
        .and_then(|n| usize::try_from(n - 1).ok())
}
