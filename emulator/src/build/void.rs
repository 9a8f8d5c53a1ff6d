//! A voided transaction: every amount zero and the "Voided" note (QBO keeps voided transactions).

use serde_json::{Map, Value, json};

/// `record` voided: every amount zero and a "Voided" private note (QBO keeps voided
/// transactions, unlike deleted ones).
pub(crate) fn voided(record: &mut Map<String, Value>) {
    if let Some(Value::Array(lines)) = record.get_mut("Line") {
        for line in lines {
            if let Some(line) = line.as_object_mut() {
                if line.contains_key("Amount") {
                    line.insert("Amount".into(), json!(0));
                }
                // No stock moves either.
                for kind in ["SalesItemLineDetail", "ItemBasedExpenseLineDetail"] {
                    if let Some(Value::Object(detail)) = line.get_mut(kind) {
                        detail.insert("Qty".into(), json!(0));
                    }
                }
            }
        }
    }
    if record.contains_key("TxnTaxDetail") {
        record.insert("TxnTaxDetail".into(), json!({"TotalTax": 0}));
    }
    for key in ["TotalAmt", "Balance", "UnappliedAmt"] {
        if record.contains_key(key) {
            record.insert(key.into(), json!(0));
        }
    }
    record.insert("PrivateNote".into(), json!("Voided"));
}
