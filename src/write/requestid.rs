//! `requestid`s that make writes safe to send again.
//!
//! QBO answers a `requestid` it has seen with its first answer and does nothing (QBO.md 2.4), so
//! a write whose id depends only on what it writes can be retried, and a whole run re-run, without
//! duplicates. A derived id is a hash of the request file's identity (its name, entity and
//! operation) and the row's content: stable across runs and machines, and different for different
//! rows. Two rows with identical content get the same id (QBO then performs one of them); an
//! `input.requestid` template (e.g. from a reference column) avoids that.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Longest `requestid` QBO takes on a single write.
pub const MAX_LEN: usize = 50;
/// Longest `requestid` QBO takes on a batch.
pub const MAX_BATCH_LEN: usize = 36;

fn hashed(prefix: &str, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// The `requestid` of a row: 35 characters, from `scope` (the request's identity) and the row's
/// fields in file order.
pub fn for_row(scope: &str, fields: &Map<String, Value>) -> String {
    let content = serde_json::to_string(fields).unwrap_or_default();
    hashed("qr", &[scope, &content])
}

/// The `requestid` of a batch: 35 characters (QBO takes at most 36), from the ids of its rows.
pub fn for_batch(row_ids: &[&str]) -> String {
    hashed("qb", row_ids)
}

/// The `requestid` of a row sent again after a stale `SyncToken`, with the token read back.
pub fn for_reread(original: &str, sync_token: &str) -> String {
    hashed("qs", &[original, sync_token])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fields(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn ids_are_stable_short_and_tell_rows_apart() {
        let a = for_row(
            "create_invoices/Invoice/create",
            &fields(json!({"ref": "A-1"})),
        );
        assert_eq!(
            a,
            for_row(
                "create_invoices/Invoice/create",
                &fields(json!({"ref": "A-1"}))
            )
        );
        // Pinned: a changed derivation would make re-runs after an upgrade write twice.
        assert_eq!(a, "qr-fcfbcb25a75ed9e19f7d88a06dbcdaaf");
        assert_eq!(a.len(), 35);
        assert_ne!(
            a,
            for_row(
                "create_invoices/Invoice/create",
                &fields(json!({"ref": "A-2"}))
            )
        );
        assert_ne!(
            a,
            for_row("other/Invoice/create", &fields(json!({"ref": "A-1"})))
        );
        let batch = for_batch(&[&a, "x"]);
        assert!(batch.len() <= MAX_BATCH_LEN && batch.starts_with("qb-"));
        assert_ne!(batch, for_batch(&["x", &a]));
        let again = for_reread(&a, "3");
        assert!(again.len() <= MAX_LEN && again != for_reread(&a, "4"));
    }
}
