//! Tokens encrypted at rest in the database: XChaCha20-Poly1305 with a 32-byte key from
//! `QBO_RUN_STORE_KEY` (base64) or from the output of `QBO_RUN_STORE_KEY_COMMAND` (a secret
//! manager's CLI, say).
//!
//! Each sealed value is a fresh random 24-byte nonce followed by the ciphertext, bound to its
//! connection and company (the associated data), so a value copied onto another row does not
//! open. Rows carry the key's id (a hash of the key, never the key), so a wrong key is named as
//! such instead of reading as a damaged row. Without a key, values are stored as they are and a
//! warning says so once per process.

use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 24;

/// The key tokens are sealed with.
pub struct StoreKey {
    cipher: XChaCha20Poly1305,
    id: String,
}

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreKey").field("id", &self.id).finish()
    }
}

impl StoreKey {
    /// The key the environment gives (`QBO_RUN_STORE_KEY`, else `QBO_RUN_STORE_KEY_COMMAND`),
    /// or `None` when it gives none.
    pub fn from_env() -> Result<Option<StoreKey>, Error> {
        if let Some(text) = std::env::var("QBO_RUN_STORE_KEY")
            .ok()
            .filter(|v| !v.trim().is_empty())
        {
            return StoreKey::from_base64(&Secret::new(text), "QBO_RUN_STORE_KEY").map(Some);
        }
        let Some(command) = std::env::var("QBO_RUN_STORE_KEY_COMMAND")
            .ok()
            .filter(|v| !v.trim().is_empty())
        else {
            return Ok(None);
        };
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(&command)
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|err| Error::usage(format!("QBO_RUN_STORE_KEY_COMMAND cannot run: {err}")))?;
        if !output.status.success() {
            return Err(Error::usage(format!(
                "QBO_RUN_STORE_KEY_COMMAND failed ({})",
                output.status
            )));
        }
        let text = Secret::new(String::from_utf8_lossy(&output.stdout).trim().to_string());
        StoreKey::from_base64(&text, "the output of QBO_RUN_STORE_KEY_COMMAND").map(Some)
    }

    /// A key from its base64 text (`openssl rand -base64 32`); `source` names where it came
    /// from in the error.
    pub fn from_base64(text: &Secret, source: &str) -> Result<StoreKey, Error> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.expose().trim())
            .ok()
            .filter(|bytes| bytes.len() == 32)
            .ok_or_else(|| {
                Error::usage(format!("{source} is not a base64 32-byte key"))
                    .note("make one with: openssl rand -base64 32")
            })?;
        let digest = Sha256::digest([b"qbo-run store key id\0".as_slice(), &bytes].concat());
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
            .map_err(|_| Error::usage(format!("{source} is not a 32-byte key")))?;
        Ok(StoreKey { cipher, id })
    }

    /// The key's id, stored beside what it sealed.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `plaintext` sealed for the row `context` names.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| Error::new(ErrorKind::Internal, "cannot encrypt the tokens"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// What [`StoreKey::seal`] sealed for `context`; `None` when it does not open with this key
    /// (another key, another row, or changed bytes).
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .ok()
    }
}

/// Says once per process that tokens go into the database unencrypted.
pub fn warn_unencrypted(database: &str) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    WARNED.call_once(|| {
        tracing::warn!(
            "QBO_RUN_STORE_KEY is not set: tokens are stored in the database {database} \
             unencrypted, so anyone who can read its tables can use them; set QBO_RUN_STORE_KEY \
             to a base64 32-byte key (openssl rand -base64 32)"
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> StoreKey {
        let text = base64::engine::general_purpose::STANDARD.encode([byte; 32]);
        StoreKey::from_base64(&Secret::new(text), "test").expect("key")
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_row() {
        let k = key(7);
        let sealed = k.seal(b"conn\0realm", b"refresh-token").expect("sealed");
        assert!(!sealed.windows(13).any(|w| w == b"refresh-token"));
        assert_eq!(
            k.open(b"conn\0realm", &sealed).as_deref(),
            Some(&b"refresh-token"[..])
        );
        assert_eq!(k.open(b"conn\0other", &sealed), None);
        assert_eq!(key(8).open(b"conn\0realm", &sealed), None);
        let mut changed = sealed.clone();
        if let Some(last) = changed.last_mut() {
            *last ^= 1;
        }
        assert_eq!(k.open(b"conn\0realm", &changed), None);
        assert_ne!(
            k.seal(b"conn\0realm", b"refresh-token").expect("again"),
            sealed
        );
    }

    #[test]
    fn keys_have_stable_ids_and_bad_keys_are_usage_errors() {
        assert_eq!(key(7).id(), key(7).id());
        assert_ne!(key(7).id(), key(8).id());
        assert_eq!(key(7).id().len(), 16);
        for bad in ["", "c2hvcnQ=", "not base64!"] {
            let err =
                StoreKey::from_base64(&Secret::new(bad), "QBO_RUN_STORE_KEY").expect_err("refused");
            assert_eq!(err.kind(), ErrorKind::Usage);
            assert!(err.message().contains("QBO_RUN_STORE_KEY"));
        }
    }
}
