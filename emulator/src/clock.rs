//! The company's clock: the one "now" behind everything the books carry or answer with.
//!
//! Why it exists: QBO has one clock per company. A record written now has `MetaData` times of
//! now, CDC looks back 30 days from now, a report without dates covers this fiscal year up to
//! today, and every answer's `time` says when it was made. Reading the system clock in each of
//! those places separately let them drift apart (reports used to stop at the seeded data's last
//! day while writes used the real time, so an invoice created today never showed in a
//! default-range report). With `--now` (or `QBO_EMULATOR_NOW`) the clock stands still at a
//! given instant, so tests can write several records in the same second, or pin reports' today.
//! OAuth lifetimes and the per-minute limits keep the real clock: they are about elapsed time,
//! not about the company's books.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::time::ResponseTime;

/// Where the company's "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    /// The instant the clock stands at (Unix milliseconds), or `None` for the system clock.
    fixed_millis: Option<i64>,
}

impl Clock {
    /// A clock standing at `fixed` when given, else the system clock.
    pub(crate) fn new(fixed: Option<SystemTime>) -> Clock {
        Clock {
            fixed_millis: fixed.map(millis_of),
        }
    }

    /// Milliseconds since the Unix epoch, now.
    pub(crate) fn now_millis(&self) -> i64 {
        self.fixed_millis
            .unwrap_or_else(|| millis_of(SystemTime::now()))
    }

    /// Seconds since the Unix epoch, now (what `MetaData` times hold).
    pub(crate) fn now_secs(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    /// Now, as an answer's `time`.
    pub(crate) fn response_time(&self) -> ResponseTime {
        ResponseTime(self.now_millis())
    }
}

/// Unix milliseconds of `at` (negative before 1970).
fn millis_of(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// clap parser of `--now`: an RFC 3339 instant (`2025-09-19T12:00:00-07:00`).
pub(crate) fn parse_now(text: &str) -> Result<SystemTime, String> {
    let at = chrono::DateTime::parse_from_rfc3339(text.trim()).map_err(|err| {
        format!("{text:?} is not an RFC 3339 time such as 2025-09-19T12:00:00-07:00 ({err})")
    })?;
    Ok(SystemTime::from(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_and_the_system_clock_moves() {
        let at = parse_now("2025-09-19T12:00:00.250-07:00").expect("parses");
        let fixed = Clock::new(Some(at));
        assert_eq!(fixed.now_millis(), 1_758_308_400_250);
        assert_eq!(fixed.now_secs(), 1_758_308_400);
        assert_eq!(fixed.now_millis(), fixed.now_millis());
        assert_eq!(
            fixed.response_time().to_string(),
            "2025-09-19T12:00:00.250-07:00"
        );
        let system = Clock::new(None);
        let real = millis_of(SystemTime::now());
        assert!((system.now_millis() - real).abs() < 60_000);
        assert!(parse_now("yesterday").is_err());
        assert!(parse_now("2025-09-19").is_err());
    }
}
