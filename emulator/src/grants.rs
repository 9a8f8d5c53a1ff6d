//! The token rules that need memory: single-use codes, refresh-token rotation, revocation.
//!
//! Why it exists: tokens verify themselves (`token.rs`), but Intuit's rules are about history —
//! an authorization code works once, and exchanging it again kills every token it produced; each
//! refresh returns a new refresh token and the previous one stops working (at once, or after a
//! grace period); revoking any token of a chain kills the whole chain. All tokens descending from
//! one code share a *family* id, and this module tracks families.
//!
//! Memory is per emulator instance. A refresh token minted by an earlier instance (same settings)
//! is accepted the first time this instance sees its family, and from then on the rules apply.
//! This module must not mint or parse tokens; it only records ids.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use crate::token::Claims;

/// Why a grant was refused (all answered as `invalid_grant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GrantError {
    /// The authorization code was already exchanged (its family is now revoked).
    CodeReused,
    /// The token's family was revoked.
    Revoked,
    /// The refresh token was rotated out (and any grace period has passed).
    Stale,
}

/// Per-instance memory of token families.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    used_codes: HashSet<String>,
    revoked: HashSet<String>,
    families: HashMap<String, Family>,
}

#[derive(Debug)]
struct Family {
    /// The `jti` of the refresh token that is valid now.
    current: String,
    /// Rotated-out refresh tokens and when they were rotated out (Unix seconds).
    retired: Vec<(String, i64)>,
}

impl Grants {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; recover the data if that ever changes.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Exchange `code` once; `refresh_jti` is the refresh token minted for it. A second exchange
    /// revokes the whole family.
    pub(crate) fn redeem_code(&self, code: &Claims, refresh_jti: &str) -> Result<(), GrantError> {
        let mut g = self.lock();
        if g.revoked.contains(&code.family) {
            return Err(GrantError::Revoked);
        }
        if !g.used_codes.insert(code.jti.clone()) {
            g.revoked.insert(code.family.clone());
            g.families.remove(&code.family);
            return Err(GrantError::CodeReused);
        }
        g.families.insert(
            code.family.clone(),
            Family {
                current: refresh_jti.to_owned(),
                retired: Vec::new(),
            },
        );
        Ok(())
    }

    /// Use refresh token `old` at `now`, replacing it by `new_jti`. A rotated-out token still works
    /// for `grace` seconds after it was replaced.
    pub(crate) fn rotate(
        &self,
        old: &Claims,
        new_jti: &str,
        now: i64,
        grace: i64,
    ) -> Result<(), GrantError> {
        let mut g = self.lock();
        if g.revoked.contains(&old.family) {
            return Err(GrantError::Revoked);
        }
        match g.families.get_mut(&old.family) {
            None => {
                // Minted by an earlier instance: accept once, and remember it as used.
                g.families.insert(
                    old.family.clone(),
                    Family {
                        current: new_jti.to_owned(),
                        retired: vec![(old.jti.clone(), now)],
                    },
                );
                Ok(())
            }
            Some(f) => {
                f.retired.retain(|(_, at)| at.saturating_add(grace) > now);
                let usable =
                    f.current == old.jti || f.retired.iter().any(|(jti, _)| *jti == old.jti);
                if !usable {
                    return Err(GrantError::Stale);
                }
                let previous = std::mem::replace(&mut f.current, new_jti.to_owned());
                if grace > 0 {
                    f.retired.push((previous, now));
                }
                Ok(())
            }
        }
    }

    /// Whether `family` was revoked.
    pub(crate) fn is_revoked(&self, family: &str) -> bool {
        self.lock().revoked.contains(family)
    }

    /// Revoke every token of `family`.
    pub(crate) fn revoke(&self, family: &str) {
        let mut g = self.lock();
        g.revoked.insert(family.to_owned());
        g.families.remove(family);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::{Kind, new_jti};

    fn claims(kind: Kind, jti: &str, family: &str) -> Claims {
        Claims {
            kind,
            realm: "1".into(),
            client_id: "c".into(),
            jti: jti.into(),
            family: family.into(),
            iat: 0,
            exp: 10,
            scope: String::new(),
            redirect_uri: None,
            code_challenge: None,
            hard_exp: None,
        }
    }

    #[test]
    fn code_is_single_use_and_reuse_revokes_the_family() {
        let g = Grants::default();
        let code = claims(Kind::Code, "code1", "code1");
        assert_eq!(g.redeem_code(&code, "r1"), Ok(()));
        assert_eq!(g.redeem_code(&code, "r2"), Err(GrantError::CodeReused));
        assert!(g.is_revoked("code1"));
        let r1 = claims(Kind::Refresh, "r1", "code1");
        assert_eq!(g.rotate(&r1, "r3", 0, 0), Err(GrantError::Revoked));
    }

    #[test]
    fn rotation_without_grace() {
        let g = Grants::default();
        g.redeem_code(&claims(Kind::Code, "c", "c"), "r1")
            .expect("first use");
        let r1 = claims(Kind::Refresh, "r1", "c");
        assert_eq!(g.rotate(&r1, "r2", 5, 0), Ok(()));
        assert_eq!(g.rotate(&r1, "r3", 5, 0), Err(GrantError::Stale));
        let r2 = claims(Kind::Refresh, "r2", "c");
        assert_eq!(g.rotate(&r2, "r3", 6, 0), Ok(()));
    }

    #[test]
    fn rotation_with_grace() {
        let g = Grants::default();
        g.redeem_code(&claims(Kind::Code, "c", "c"), "r1")
            .expect("first use");
        let r1 = claims(Kind::Refresh, "r1", "c");
        assert_eq!(g.rotate(&r1, "r2", 100, 60), Ok(()));
        assert_eq!(g.rotate(&r1, "r3", 159, 60), Ok(()));
        assert_eq!(g.rotate(&r1, "r4", 161, 60), Err(GrantError::Stale));
    }

    #[test]
    fn unknown_family_from_an_earlier_instance_is_accepted_once() {
        let g = Grants::default();
        let old = claims(Kind::Refresh, &new_jti(), "earlier");
        assert_eq!(g.rotate(&old, "n1", 0, 0), Ok(()));
        assert_eq!(g.rotate(&old, "n2", 0, 0), Err(GrantError::Stale));
        g.revoke("earlier");
        let n1 = claims(Kind::Refresh, "n1", "earlier");
        assert_eq!(g.rotate(&n1, "n3", 0, 0), Err(GrantError::Revoked));
    }
}
