//! What is stored for one connection and company, whichever store holds it, and what the token
//! endpoint gave.

use crate::secret::Secret;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The store format version written by this build.
pub(super) const STORE_VERSION: u32 = 1;

/// What is stored for one connection and realm.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredTokens {
    /// Format version.
    pub version: u32,
    /// The connection's name.
    pub connection: String,
    /// The company the tokens are for.
    pub realm_id: String,
    /// The bearer token for API calls.
    pub access_token: Secret,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// When the access token was obtained.
    pub access_token_obtained_at: DateTime<Utc>,
    /// The latest refresh token.
    pub refresh_token: Secret,
    /// When the refresh token expires unless used (rolling).
    pub refresh_token_expires_at: Option<DateTime<Utc>>,
    /// When the refresh token chain ends whatever happens (Intuit's 5-year limit), if known.
    pub refresh_token_hard_expires_at: Option<DateTime<Utc>>,
    /// When the refresh token was obtained.
    pub refresh_token_obtained_at: DateTime<Utc>,
    /// Set when the OAuth server refused the refresh token: a person must log in again.
    #[serde(default)]
    pub needs_login: bool,
    /// The company's name (CompanyInfo), when it was read at login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
}

impl StoredTokens {
    /// A new record, as obtained now.
    pub fn new(connection: &str, realm_id: &str, obtained: TokenGrant) -> StoredTokens {
        let now = Utc::now();
        StoredTokens {
            version: STORE_VERSION,
            connection: connection.to_string(),
            realm_id: realm_id.to_string(),
            access_token: obtained.access_token,
            access_token_expires_at: now + obtained.access_token_lifetime,
            access_token_obtained_at: now,
            refresh_token: obtained.refresh_token.unwrap_or_else(|| Secret::new("")),
            refresh_token_expires_at: obtained.refresh_token_lifetime.map(|d| now + d),
            refresh_token_hard_expires_at: obtained.refresh_token_hard_lifetime.map(|d| now + d),
            refresh_token_obtained_at: now,
            needs_login: false,
            company_name: None,
        }
    }

    /// Applies a refresh response: a new access token and, if the server sent one, a new
    /// refresh token (else the old one is kept).
    pub fn apply_refresh(&mut self, grant: TokenGrant) {
        let now = Utc::now();
        self.access_token = grant.access_token;
        self.access_token_expires_at = now + grant.access_token_lifetime;
        self.access_token_obtained_at = now;
        if let Some(refresh) = grant.refresh_token {
            if refresh != self.refresh_token {
                self.refresh_token_obtained_at = now;
            }
            self.refresh_token = refresh;
        }
        if let Some(lifetime) = grant.refresh_token_lifetime {
            self.refresh_token_expires_at = Some(now + lifetime);
        }
        if let Some(lifetime) = grant.refresh_token_hard_lifetime {
            self.refresh_token_hard_expires_at = Some(now + lifetime);
        }
        self.needs_login = false;
    }

    /// Whether the access token is still good for at least `margin`.
    pub fn access_token_fresh(&self, margin: chrono::Duration) -> bool {
        !self.access_token.is_empty() && self.access_token_expires_at - margin > Utc::now()
    }
}

/// Tokens as the token endpoint gave them, with lifetimes relative to now.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// The new access token.
    pub access_token: Secret,
    /// Its lifetime.
    pub access_token_lifetime: chrono::Duration,
    /// A refresh token, when the response had one.
    pub refresh_token: Option<Secret>,
    /// `x_refresh_token_expires_in`.
    pub refresh_token_lifetime: Option<chrono::Duration>,
    /// `x_refresh_token_hard_expires_in`.
    pub refresh_token_hard_lifetime: Option<chrono::Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(access: &str, refresh: Option<&str>) -> TokenGrant {
        TokenGrant {
            access_token: Secret::new(access),
            access_token_lifetime: chrono::Duration::seconds(3600),
            refresh_token: refresh.map(Secret::new),
            refresh_token_lifetime: Some(chrono::Duration::days(101)),
            refresh_token_hard_lifetime: None,
        }
    }

    #[test]
    fn refresh_without_refresh_token_keeps_the_old_one() {
        let mut tokens = StoredTokens::new("c", "1", grant("a1", Some("r1")));
        tokens.apply_refresh(grant("a2", None));
        assert_eq!(tokens.refresh_token.expose(), "r1");
        assert_eq!(tokens.access_token.expose(), "a2");
        tokens.apply_refresh(grant("a3", Some("r2")));
        assert_eq!(tokens.refresh_token.expose(), "r2");
    }
}
