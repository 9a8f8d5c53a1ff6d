//! Which of a connection's stored companies a run covers (`--realm`, `--all-realms`,
//! `--shard I/N`), and each record stamped with its company (`realm_id` first) when a run covers
//! several.
//!
//! Shards are stable and disjoint: a company's shard is a hash of its realm id, so it stays in
//! its shard as other companies are added or removed, and `--shard 0/N` ... `--shard N-1/N`
//! together cover every company exactly once. The index may come from the environment
//! (`--shard /N` takes `JOB_COMPLETION_INDEX`, which a Kubernetes Indexed Job sets).

use crate::auth::TokenStore;
use crate::cli::Companies;
use crate::diagnostics::{Error, ErrorKind};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The shard (0-based, of `count`) that `realm` belongs to.
pub(super) fn shard_of(realm: &str, count: u32) -> u32 {
    let digest = Sha256::digest(realm.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u32::try_from(u64::from_be_bytes(first) % u64::from(count.max(1))).unwrap_or(0)
}

/// The companies `selection` names among those stored for the connection, in realm order.
pub(super) async fn select(
    selection: &Companies,
    store: &TokenStore,
    connection: &str,
) -> Result<Vec<String>, Error> {
    let stored = store.realms().await?;
    let chosen: Vec<String> = match selection {
        Companies::Default => return Ok(Vec::new()),
        Companies::Realms(realms) => {
            let mut realms = realms.clone();
            realms.sort();
            realms.dedup();
            if let Some(missing) = realms.iter().find(|r| !stored.contains(r)) {
                return Err(Error::new(
                    ErrorKind::AuthNeedsLogin,
                    format!("connection `{connection}` has no stored tokens for company {missing}"),
                )
                .note(format!(
                    "see the stored companies with: qbo-run auth list {connection}"
                ))
                .note(format!("add one with: qbo-run auth login {connection}")));
            }
            realms
        }
        Companies::All => stored,
        Companies::Shard { index, count } => stored
            .into_iter()
            .filter(|realm| shard_of(realm, *count) == *index)
            .collect(),
    };
    if chosen.is_empty() && matches!(selection, Companies::All) {
        return Err(Error::new(
            ErrorKind::AuthNeedsLogin,
            format!("connection `{connection}` has no stored companies"),
        )
        .note(format!("add one with: qbo-run auth login {connection}")));
    }
    Ok(chosen)
}

/// `record` with `realm_id` as its first key (a record that is not an object is kept whole under
/// `record`).
pub(super) fn stamped(realm: &str, record: &Value) -> Value {
    let mut out = Map::new();
    out.insert("realm_id".to_string(), Value::String(realm.to_string()));
    match record {
        Value::Object(fields) => {
            for (key, value) in fields {
                if key != "realm_id" {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        other => {
            out.insert("record".to_string(), other.clone());
        }
    }
    Value::Object(out)
}

/// The JSON text of a record as the server sent it, with `realm_id` first; `None` when the text
/// is not an object (the caller parses it then).
pub(super) fn stamped_text(realm: &str, raw: &str) -> Option<String> {
    let body = raw.trim_start().strip_prefix('{')?;
    let realm = serde_json::to_string(realm).ok()?;
    if body.trim_start().starts_with('}') {
        return Some(format!("{{\"realm_id\":{realm}}}"));
    }
    if body.contains("\"realm_id\"") {
        return None;
    }
    Some(format!("{{\"realm_id\":{realm},{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shards_are_disjoint_cover_everything_and_stay_put() {
        let realms: Vec<String> = (0..500).map(|n| format!("93414530{n:08}")).collect();
        for count in [1, 2, 3, 7] {
            let mut seen = 0;
            for index in 0..count {
                let share: Vec<&String> = realms
                    .iter()
                    .filter(|r| shard_of(r, count) == index)
                    .collect();
                seen += share.len();
                if count > 1 {
                    assert!(!share.is_empty(), "shard {index}/{count} is empty");
                }
            }
            assert_eq!(seen, realms.len());
        }
        assert_eq!(
            shard_of("9341453050298464", 4),
            shard_of("9341453050298464", 4)
        );
    }

    #[test]
    fn records_get_the_realm_first() {
        let record = json!({"Id": "1", "TotalAmt": 10.5});
        let out = stamped("42", &record);
        assert_eq!(
            serde_json::to_string(&out).expect("json"),
            r#"{"realm_id":"42","Id":"1","TotalAmt":10.5}"#
        );
        assert_eq!(
            stamped_text("42", r#"{"Id":"1","TotalAmt":10.5}"#).as_deref(),
            Some(r#"{"realm_id":"42","Id":"1","TotalAmt":10.5}"#)
        );
        assert_eq!(
            stamped_text("42", "{}").as_deref(),
            Some(r#"{"realm_id":"42"}"#)
        );
        assert_eq!(stamped_text("42", "[1]"), None);
        assert_eq!(stamped_text("42", r#"{"realm_id":"x"}"#), None);
        assert_eq!(stamped("4\"2", &json!(3))["record"], 3);
    }
}
