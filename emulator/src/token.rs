//! Self-validating OAuth tokens: authorization codes, access tokens and refresh tokens.
//!
//! Why it exists: qbo-run starts a fresh in-process emulator on every run but keeps its tokens
//! between runs, so a token must be checkable without the memory of the instance that minted it.
//! A token is `base64url(claims JSON) "." base64url(HMAC-SHA256(key, first part))`, where the key
//! is derived from the seed, client id, client secret and realm: a new instance with the same
//! settings accepts it, an instance with another secret or realm does not. Claims start with `{"`,
//! so tokens begin `eyJ` like Intuit's. What can only be known in memory (a code already used, a
//! rotated refresh token, a revoked family) lives in `grants.rs`.
//!
//! Nothing here logs or echoes a token; errors say only *why* a token was refused.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Longest token text accepted (anything longer is malformed).
const MAX_TOKEN_LEN: usize = 8192;

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Code,
    Access,
    Refresh,
}

/// The signed contents of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub(crate) kind: Kind,
    pub(crate) realm: String,
    pub(crate) client_id: String,
    /// Random id of this token.
    pub(crate) jti: String,
    /// The `jti` of the authorization code that started this token chain.
    pub(crate) family: String,
    /// Issued at, Unix seconds.
    pub(crate) iat: i64,
    /// Expires at, Unix seconds (the token is dead from this second on).
    pub(crate) exp: i64,
    /// Granted scopes, space-separated.
    pub(crate) scope: String,
    /// Codes: the `redirect_uri` of the authorization request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) redirect_uri: Option<String>,
    /// Codes: the PKCE `S256` challenge, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) code_challenge: Option<String>,
    /// Refresh tokens: the absolute (5-year) end of the chain, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) hard_exp: Option<i64>,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Invalid {
    /// Not a token of this emulator (bad shape, bad signature, other key).
    Malformed,
    /// Signed by us but past its `exp`.
    Expired,
    /// Signed by us but of another kind (e.g. a refresh token used as a bearer token).
    WrongKind,
}

/// Signs and verifies tokens with the key of one emulator configuration.
#[derive(Clone)]
pub(crate) struct TokenKey {
    mac: HmacSha256,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(***)")
    }
}

impl TokenKey {
    /// The key for `(seed, client_id, client_secret, realm)`.
    pub(crate) fn new(
        seed: u64,
        client_id: &str,
        client_secret: &str,
        realm: &str,
    ) -> Result<TokenKey, String> {
        let mut h = Sha256::new();
        h.update(b"qbo-run emulator token key v1\0");
        h.update(seed.to_be_bytes());
        for part in [client_id, client_secret, realm] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
        let key = h.finalize();
        let mac = HmacSha256::new_from_slice(&key)
            .map_err(|e| format!("cannot key the token signer: {e}"))?;
        Ok(TokenKey { mac })
    }

    /// The token text for `claims`.
    pub(crate) fn sign(&self, claims: &Claims) -> String {
        // Serializing this plain struct cannot fail; an empty body would simply never verify.
        let json = serde_json::to_vec(claims).unwrap_or_default();
        let body = URL_SAFE_NO_PAD.encode(json);
        let mut mac = self.mac.clone();
        mac.update(body.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{body}.{sig}")
    }

    /// The claims of `token` if it is ours, of kind `kind` and not expired at `now`.
    pub(crate) fn verify(&self, token: &str, kind: Kind, now: i64) -> Result<Claims, Invalid> {
        let claims = self.verify_any(token)?;
        if claims.kind != kind {
            return Err(Invalid::WrongKind);
        }
        if now >= claims.exp {
            return Err(Invalid::Expired);
        }
        Ok(claims)
    }

    /// The claims of `token` if its signature is ours, whatever its kind or age.
    pub(crate) fn verify_any(&self, token: &str) -> Result<Claims, Invalid> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Invalid::Malformed);
        }
        let (body, sig) = token.split_once('.').ok_or(Invalid::Malformed)?;
        let sig = URL_SAFE_NO_PAD
            .decode(sig)
            .map_err(|_| Invalid::Malformed)?;
        let mut mac = self.mac.clone();
        mac.update(body.as_bytes());
        mac.verify_slice(&sig).map_err(|_| Invalid::Malformed)?;
        let json = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| Invalid::Malformed)?;
        serde_json::from_slice(&json).map_err(|_| Invalid::Malformed)
    }
}

/// A fresh random token id (128 bits, hex).
pub(crate) fn new_jti() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// PKCE `S256`: `base64url(SHA-256(verifier))`.
pub(crate) fn pkce_s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(kind: Kind, exp: i64) -> Claims {
        Claims {
            kind,
            realm: "123".into(),
            client_id: "c".into(),
            jti: new_jti(),
            family: "f".into(),
            iat: 100,
            exp,
            scope: "com.intuit.quickbooks.accounting".into(),
            redirect_uri: None,
            code_challenge: None,
            hard_exp: None,
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let key = TokenKey::new(42, "c", "s", "123").expect("key");
        let c = claims(Kind::Access, 200);
        let t = key.sign(&c);
        assert!(t.starts_with("eyJ"), "{t}");
        assert_eq!(key.verify(&t, Kind::Access, 150), Ok(c.clone()));
        assert_eq!(key.verify(&t, Kind::Access, 200), Err(Invalid::Expired));
        assert_eq!(key.verify(&t, Kind::Refresh, 150), Err(Invalid::WrongKind));
        // Same settings, new instance: accepted. Other secret or realm: refused.
        let again = TokenKey::new(42, "c", "s", "123").expect("key");
        assert!(again.verify(&t, Kind::Access, 150).is_ok());
        for other in [
            TokenKey::new(42, "c", "other", "123"),
            TokenKey::new(42, "c", "s", "999"),
            TokenKey::new(7, "c", "s", "123"),
        ] {
            let other = other.expect("key");
            assert_eq!(other.verify(&t, Kind::Access, 150), Err(Invalid::Malformed));
        }
        // Tampering with the claims breaks the signature.
        let (body, sig) = t.split_once('.').expect("two parts");
        let forged = key.sign(&claims(Kind::Access, i64::MAX));
        let (forged_body, _) = forged.split_once('.').expect("two parts");
        assert_eq!(
            key.verify(&format!("{forged_body}.{sig}"), Kind::Access, 150),
            Err(Invalid::Malformed)
        );
        for junk in [
            "",
            ".",
            "abc",
            "a.b.c",
            &format!("{body}."),
            &"x".repeat(10_000),
        ] {
            assert_eq!(key.verify_any(junk), Err(Invalid::Malformed), "{junk:.20}");
        }
    }

    #[test]
    fn pkce_matches_rfc7636_example() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
