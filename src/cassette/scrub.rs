//! What never goes into a cassette: tokens, secrets, the `Authorization` header (never
//! recorded), realm ids (replaced by [`REALM_PLACEHOLDER`]) and `intuit_tid`s.

use super::format::{Interaction, REALM_PLACEHOLDER};

/// The text written in place of a secret or an `intuit_tid`.
pub const REDACTED: &str = "REDACTED";

/// Replaces every known secret and realm id in recorded text.
#[derive(Debug, Default, Clone)]
pub struct Scrubber {
    secrets: Vec<String>,
    realms: Vec<String>,
}

impl Scrubber {
    /// Adds a secret (ignored when too short to be one, so a scrub never eats ordinary text).
    pub fn secret(&mut self, value: &str) {
        let value = value.trim();
        if value.len() >= 6 && !self.secrets.iter().any(|s| s == value) {
            self.secrets.push(value.to_string());
            self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Adds a realm id.
    pub fn realm(&mut self, value: &str) {
        if !value.is_empty()
            && value != REALM_PLACEHOLDER
            && !self.realms.iter().any(|r| r == value)
        {
            self.realms.push(value.to_string());
        }
    }

    /// `text` with every secret redacted and every realm id replaced.
    pub fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), REDACTED);
            }
        }
        for realm in &self.realms {
            if out.contains(realm.as_str()) {
                out = out.replace(realm.as_str(), REALM_PLACEHOLDER);
            }
        }
        out
    }

    /// An exchange with every secret and realm id gone, and `intuit_tid` redacted.
    pub fn interaction(&self, interaction: &Interaction) -> Interaction {
        let mut out = interaction.clone();
        out.request.path = self.text(&out.request.path);
        for (name, value) in &mut out.request.query {
            *name = self.text(name);
            *value = self.text(value);
        }
        out.request.body = out.request.body.as_deref().map(|b| self.text(b));
        for (name, value) in &mut out.response.headers {
            *value = if name.eq_ignore_ascii_case("intuit_tid") {
                REDACTED.to_string()
            } else {
                self.text(value)
            };
        }
        out.response.body = self.text(&out.response.body);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_realms_are_replaced_longest_first() {
        let mut scrubber = Scrubber::default();
        scrubber.secret("abc");
        scrubber.secret("token-123456");
        scrubber.secret("token-123456-long");
        scrubber.realm("9130000000000001");
        let text =
            scrubber.text("a token-123456-long b token-123456 /company/9130000000000001 abc");
        assert_eq!(text, "a REDACTED b REDACTED /company/1234567890123456 abc");
    }
}
