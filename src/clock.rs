//! The instant qbo-run takes as "now" for the books: the `days_ago` of templates and the 30-day
//! window of change data capture. It is the real clock unless `QBO_RUN_NOW` gives an RFC 3339
//! instant, for runs that must render the same requests every time (a cassette replay, a
//! company whose clock stands still). Token lifetimes, retries and saved-at times always use the
//! real clock.

use crate::diagnostics::Error;
use chrono::{DateTime, Utc};

/// The environment variable that sets the books' "now".
pub const NOW_ENV: &str = "QBO_RUN_NOW";

/// The books' "now": `QBO_RUN_NOW` when it holds an RFC 3339 instant, else the real clock
/// ([`check_env`] refuses an unreadable value when the program starts).
pub fn now() -> DateTime<Utc> {
    std::env::var(NOW_ENV)
        .ok()
        .and_then(|text| parse(&text))
        .unwrap_or_else(Utc::now)
}

/// Refuses a `QBO_RUN_NOW` that is set but not an RFC 3339 instant.
///
/// # Errors
///
/// A usage error naming the variable, its value and the expected form.
pub fn check_env() -> Result<(), Error> {
    match std::env::var(NOW_ENV) {
        Ok(text) if parse(&text).is_none() => Err(Error::usage(format!(
            "{NOW_ENV}={text:?} is not an RFC 3339 instant such as 2025-09-19T12:00:00-07:00"
        ))
        .note(format!("unset {NOW_ENV} to use the real clock"))),
        _ => Ok(()),
    }
}

fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_instants_in_any_offset() {
        let at = parse(" 2025-09-19T12:00:00-07:00 ").map(|at| at.to_rfc3339());
        assert_eq!(at.as_deref(), Some("2025-09-19T19:00:00+00:00"));
        assert_eq!(parse("2025-09-19"), None);
        assert_eq!(parse("yesterday"), None);
    }
}
