//! The redirect back from the authorization server, read and judged: a code to exchange, a
//! refusal (`error`, e.g. `access_denied` when the person clicked Cancel), or a `state` that is
//! not this login's. It exists so that the terminal, the exit code and the browser page all say
//! the same thing about one callback; it never exchanges anything itself.

use crate::diagnostics::{Error, ErrorKind};

/// The query of an OAuth redirect back to the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// `code`.
    pub code: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `realmId`.
    pub realm_id: Option<String>,
    /// `error` and `error_description`.
    pub error: Option<(String, Option<String>)>,
}

/// What a callback means for the login that waits for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The person consented: the code to exchange.
    Code(String),
    /// The server sent `error` (and maybe `error_description`) instead of a code.
    Refused {
        /// `error`, e.g. `access_denied`.
        error: String,
        /// `error_description`.
        description: Option<String>,
    },
    /// The `state` is missing or is not this login's: nothing may be exchanged.
    WrongState {
        /// The callback had no `state` at all.
        missing: bool,
    },
    /// Neither a code nor an error came back.
    NoCode,
}

impl Callback {
    /// Reads a redirect URL.
    pub fn parse(url: &url::Url) -> Callback {
        let mut callback = Callback {
            code: None,
            state: None,
            realm_id: None,
            error: None,
        };
        let mut description = None;
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "code" => callback.code = Some(value.into_owned()),
                "state" => callback.state = Some(value.into_owned()),
                "realmId" => callback.realm_id = Some(value.into_owned()),
                "error" => callback.error = Some((value.into_owned(), None)),
                "error_description" => description = Some(value.into_owned()),
                _ => {}
            }
        }
        if let Some((_, slot)) = callback.error.as_mut() {
            *slot = description;
        }
        callback
    }

    /// Judges the callback of the login whose state is `expected_state`. The state is checked
    /// first: a refusal with a foreign state is a foreign callback, not this login's answer.
    pub fn verdict(&self, expected_state: &str) -> Verdict {
        match &self.state {
            Some(state) if state == expected_state => {}
            other => {
                return Verdict::WrongState {
                    missing: other.is_none(),
                };
            }
        }
        if let Some((error, description)) = &self.error {
            return Verdict::Refused {
                error: error.clone(),
                description: description.clone(),
            };
        }
        match &self.code {
            Some(code) => Verdict::Code(code.clone()),
            None => Verdict::NoCode,
        }
    }

    /// Checks the state and returns the code; anything else is the verdict's error.
    pub fn accept(&self, expected_state: &str) -> Result<String, Error> {
        self.verdict(expected_state).into_code()
    }
}

impl Verdict {
    /// The code, or the error that the terminal shows (exit code 4: a person must log in).
    pub fn into_code(self) -> Result<String, Error> {
        match self {
            Verdict::Code(code) => Ok(code),
            Verdict::WrongState { missing: false } => Err(Error::new(
                ErrorKind::AuthNeedsLogin,
                "the authorization callback's state does not match this login; nothing was exchanged",
            )
            .note("it came from another (older) login, or was forged; start a new login and use only its link")),
            Verdict::WrongState { missing: true } => Err(Error::new(
                ErrorKind::AuthNeedsLogin,
                "the authorization callback has no state; nothing was exchanged",
            )),
            Verdict::Refused { error, description } => {
                let detail = format!(
                    "{error}{}",
                    description
                        .as_deref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                );
                let message = if error == "access_denied" {
                    format!("the login was cancelled in the browser ({detail}); nothing was stored")
                } else {
                    format!(
                        "the authorization server refused the login ({detail}); nothing was stored"
                    )
                };
                Err(Error::new(ErrorKind::AuthNeedsLogin, message).note(refusal_advice(&error)))
            }
            Verdict::NoCode => Err(Error::new(
                ErrorKind::AuthNeedsLogin,
                "the authorization callback has no code; nothing was exchanged",
            )),
        }
    }
}

/// What to do after the authorization server answered `error` (RFC 6749 §4.1.2.1's codes).
pub fn refusal_advice(error: &str) -> &'static str {
    match error {
        "access_denied" => "to connect the company, log in again and authorize the app",
        "invalid_scope" => {
            "check `oauth2.scope` in the connection file (QBO's is com.intuit.quickbooks.accounting)"
        }
        "unauthorized_client" | "invalid_request" | "invalid_client" => {
            "check the app's client id, and that its redirect URI is registered for these keys"
        }
        "server_error" | "temporarily_unavailable" => {
            "the authorization server had a problem; log in again in a few minutes"
        }
        _ => "log in again; if it keeps failing, check the app's settings at the developer portal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callback(query: &str) -> Callback {
        Callback::parse(&url::Url::parse(&format!("http://localhost/cb?{query}")).expect("url"))
    }

    #[test]
    fn the_state_is_checked_before_anything_else() {
        assert_eq!(
            callback("code=c&state=s&realmId=1").verdict("s"),
            Verdict::Code("c".into())
        );
        assert_eq!(
            callback("error=access_denied&state=other").verdict("s"),
            Verdict::WrongState { missing: false }
        );
        assert_eq!(
            callback("code=c").verdict("s"),
            Verdict::WrongState { missing: true }
        );
        assert_eq!(
            callback("error=access_denied&error_description=No+way&state=s").verdict("s"),
            Verdict::Refused {
                error: "access_denied".into(),
                description: Some("No way".into())
            }
        );
        assert_eq!(callback("state=s").verdict("s"), Verdict::NoCode);
    }

    #[test]
    fn a_cancelled_consent_is_a_login_error_that_says_so() {
        let error = callback("error=access_denied&state=s")
            .accept("s")
            .expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::AuthNeedsLogin);
        assert_eq!(
            error.message(),
            "the login was cancelled in the browser (access_denied); nothing was stored"
        );
        let error = callback("error=invalid_scope&error_description=bad&state=s")
            .accept("s")
            .expect_err("refused");
        assert!(
            error
                .message()
                .contains("refused the login (invalid_scope: bad)"),
            "{}",
            error.message()
        );
    }
}
