//! Dates and times the way QBO writes them, in the emulated company's time zone.
//!
//! Why it exists: every record carries `YYYY-MM-DD` dates and `...T..:..:..-07:00` timestamps, every
//! response a `time` with milliseconds, and the query language compares literals against both. The
//! company is pinned to a fixed `-07:00` offset (QBO answers in the company's Pacific time; a fixed
//! offset keeps seeded data byte-identical all year). Formatting is hand-written arithmetic (no
//! format-string parsing per record, no fallible calls), parsing of query literals uses chrono.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// The company's UTC offset in seconds (`-07:00`).
pub(crate) const OFFSET_SECS: i64 = -7 * 3600;
const SECS_PER_DAY: i64 = 86_400;

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    now_millis().div_euclid(1000)
}

/// Milliseconds since the Unix epoch, now (0 if the clock is before 1970).
pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The company-local calendar day (days since 1970-01-01) holding instant `secs`.
pub(crate) fn day_of(secs: i64) -> i32 {
    clamp_day((secs + OFFSET_SECS).div_euclid(SECS_PER_DAY))
}

/// The instant (Unix seconds) at which company-local day `day` starts.
pub(crate) fn start_of_day(day: i32) -> i64 {
    i64::from(day) * SECS_PER_DAY - OFFSET_SECS
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    clamp_day(era * 146_097 + doe - 719_468)
}

/// `(year, month, day)` of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `(year, month, day)` of a company-local day number.
pub(crate) fn civil(day: i32) -> (i64, u32, u32) {
    civil_from_days(i64::from(day))
}

fn clamp_day(d: i64) -> i32 {
    i32::try_from(d).unwrap_or(if d < 0 { i32::MIN } else { i32::MAX })
}

/// A company-local calendar day, shown as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Day(pub(crate) i32);

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = civil_from_days(i64::from(self.0));
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An instant shown as a record timestamp, `2025-09-02T08:14:51-07:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Timestamp(pub(crate) i64);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_local(f, self.0, None)
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An instant in milliseconds shown as a response `time`, `2025-09-19T09:12:44.318-07:00`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResponseTime(pub(crate) i64);

impl ResponseTime {
    /// The current time.
    pub(crate) fn now() -> ResponseTime {
        ResponseTime(now_millis())
    }
}

impl fmt::Display for ResponseTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_local(
            f,
            self.0.div_euclid(1000),
            Some(self.0.rem_euclid(1000) as u32),
        )
    }
}

impl serde::Serialize for ResponseTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn write_local(f: &mut fmt::Formatter<'_>, secs: i64, millis: Option<u32>) -> fmt::Result {
    let local = secs + OFFSET_SECS;
    let (y, mo, d) = civil_from_days(local.div_euclid(SECS_PER_DAY));
    let sod = local.rem_euclid(SECS_PER_DAY);
    let (h, mi, s) = (sod / 3600, (sod / 60) % 60, sod % 60);
    write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}")?;
    if let Some(ms) = millis {
        write!(f, ".{ms:03}")?;
    }
    let off = OFFSET_SECS.abs();
    let sign = if OFFSET_SECS < 0 { '-' } else { '+' };
    write!(f, "{sign}{:02}:{:02}", off / 3600, (off / 60) % 60)
}

/// A date or date-time literal from a query (`'2025-01-01'`, `'2024-06-01T00:00:00-07:00'`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeLiteral {
    /// A bare date: a company-local day.
    Day(i32),
    /// A date-time: an instant in Unix seconds (fractions dropped; no zone means the company's).
    Instant(i64),
}

impl TimeLiteral {
    /// The instant this literal stands for (a bare date is the start of that day).
    pub(crate) fn instant(self) -> i64 {
        match self {
            TimeLiteral::Day(d) => start_of_day(d),
            TimeLiteral::Instant(s) => s,
        }
    }
}

/// Parse a query literal as a date or date-time; `None` when it is neither.
pub(crate) fn parse_time_literal(text: &str) -> Option<TimeLiteral> {
    let text = text.trim();
    if text.len() < 10 || !text.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    if text.len() == 10 {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        return Some(TimeLiteral::Day(naive_day(date)));
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(TimeLiteral::Instant(dt.timestamp()));
    }
    // No zone: the company's local time.
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f"))
        .ok()?;
    Some(TimeLiteral::Instant(
        naive.and_utc().timestamp() - OFFSET_SECS,
    ))
}

fn naive_day(date: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    days_from_civil(i64::from(date.year()), date.month(), date.day())
}

/// `YYYY-MM-DD` of a company-local day (for defaults such as `TxnDate`).
pub(crate) fn day_text(day: i32) -> String {
    Day(day).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for d in [-800_000, -1, 0, 1, 19_000, 20_348, 2_000_000] {
            let (y, m, dd) = civil_from_days(i64::from(d));
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        assert_eq!(Day(0).to_string(), "1970-01-01");
        assert_eq!(Day(days_from_civil(2025, 9, 2)).to_string(), "2025-09-02");
    }

    #[test]
    fn formats_like_qbo() {
        // 2025-09-02T08:14:51-07:00 == 2025-09-02T15:14:51Z
        let secs = start_of_day(days_from_civil(2025, 9, 2)) + 8 * 3600 + 14 * 60 + 51;
        assert_eq!(Timestamp(secs).to_string(), "2025-09-02T08:14:51-07:00");
        assert_eq!(
            ResponseTime(secs * 1000 + 7).to_string(),
            "2025-09-02T08:14:51.007-07:00"
        );
        assert_eq!(day_of(secs), days_from_civil(2025, 9, 2));
        // 23:30 local is still the same local day though it is the next day in UTC.
        assert_eq!(day_of(secs + 15 * 3600), days_from_civil(2025, 9, 2));
    }

    #[test]
    fn parses_literals() {
        let day = days_from_civil(2025, 1, 1);
        assert_eq!(
            parse_time_literal("2025-01-01"),
            Some(TimeLiteral::Day(day))
        );
        assert_eq!(
            parse_time_literal("2025-01-01T00:00:00-07:00").map(TimeLiteral::instant),
            Some(start_of_day(day))
        );
        assert_eq!(
            parse_time_literal("2025-01-01T00:00:00").map(TimeLiteral::instant),
            Some(start_of_day(day))
        );
        assert_eq!(
            parse_time_literal("2025-01-01T07:00:00Z").map(TimeLiteral::instant),
            Some(start_of_day(day))
        );
        assert_eq!(parse_time_literal("2025-13-01"), None);
        assert_eq!(parse_time_literal("1038"), None);
        assert_eq!(parse_time_literal("O'Brien Landscaping"), None);
    }
}
