//! A date range split into windows that follow the calendar: the first starts at the range's
//! first day, each later one at the start of a day, ISO week (Monday), month, quarter or year,
//! and the last is cut at the range's last day. Windows never overlap and leave no day out, so
//! amounts summed over them are the range's.

use crate::diagnostics::Error;
use crate::engine::RecordSink;
use crate::spec::WindowUnit;
use chrono::{Datelike, Days, Months, NaiveDate};
use serde_json::{Map, Value};

/// The keys a windowed report's rows start with (after `realm_id` in a run over several
/// companies): the first and last day of the row's window.
pub const WINDOW_KEYS: [&str; 2] = ["window_start", "window_end"];

/// One window: its first and last day, both included.
pub type Span = (NaiveDate, NaiveDate);

/// The windows of `start..=end` (none when `end` is before `start`), in order, made as they are
/// asked for.
pub fn split(start: NaiveDate, end: NaiveDate, every: WindowUnit) -> Windows {
    Windows {
        next: (start <= end).then_some(start),
        end,
        every,
    }
}

/// The iterator [`split`] returns.
#[derive(Debug, Clone)]
pub struct Windows {
    next: Option<NaiveDate>,
    end: NaiveDate,
    every: WindowUnit,
}

impl Iterator for Windows {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        let start = self.next?;
        let after = following(start, self.every);
        let last = after
            .and_then(|day| day.pred_opt())
            .map_or(self.end, |day| day.min(self.end));
        self.next = after.filter(|day| *day <= self.end);
        Some((start, last))
    }
}

/// The first day of the window after the one `day` is in; `None` past the calendar's end.
fn following(day: NaiveDate, every: WindowUnit) -> Option<NaiveDate> {
    match every {
        WindowUnit::Day => day.succ_opt(),
        WindowUnit::Week => {
            let to_monday = 7 - u64::from(day.weekday().num_days_from_monday());
            day.checked_add_days(Days::new(to_monday))
        }
        WindowUnit::Month => first_of(day.year(), day.month())?.checked_add_months(Months::new(1)),
        WindowUnit::Quarter => {
            let quarter_month = (day.month() - 1) / 3 * 3 + 1;
            first_of(day.year(), quarter_month)?.checked_add_months(Months::new(3))
        }
        WindowUnit::Year => NaiveDate::from_ymd_opt(day.year().checked_add(1)?, 1, 1),
    }
}

/// A [`RecordSink`] that writes each row with its window's dates first.
pub struct WindowRows<'a> {
    inner: &'a mut dyn RecordSink,
    span: Option<Span>,
}

impl<'a> WindowRows<'a> {
    /// Rows go to `inner`, stamped with the window set by [`WindowRows::window`].
    pub fn new(inner: &'a mut dyn RecordSink) -> WindowRows<'a> {
        WindowRows { inner, span: None }
    }

    /// The window of the rows that follow.
    pub fn window(&mut self, span: Span) {
        self.span = Some(span);
    }
}

impl RecordSink for WindowRows<'_> {
    fn record(&mut self, row: &Value) -> Result<(), Error> {
        let mut out = Map::new();
        let (start, end) = match self.span {
            Some((start, end)) => (
                Value::String(start.to_string()),
                Value::String(end.to_string()),
            ),
            None => (Value::Null, Value::Null),
        };
        out.insert(WINDOW_KEYS[0].to_string(), start);
        out.insert(WINDOW_KEYS[1].to_string(), end);
        if let Value::Object(fields) = row {
            for (key, value) in fields {
                if !WINDOW_KEYS.contains(&key.as_str()) {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        self.inner.record(&Value::Object(out))
    }

    fn page_done(&mut self) {
        self.inner.page_done();
    }
}

fn first_of(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
    }

    fn spans(start: &str, end: &str, every: WindowUnit) -> Vec<(String, String)> {
        split(day(start), day(end), every)
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
            .collect()
    }

    #[test]
    fn months_follow_the_calendar_through_a_leap_february_and_cut_at_the_end() {
        assert_eq!(
            spans("2024-01-31", "2024-04-10", WindowUnit::Month),
            pairs(&[
                ("2024-01-31", "2024-01-31"),
                ("2024-02-01", "2024-02-29"),
                ("2024-03-01", "2024-03-31"),
                ("2024-04-01", "2024-04-10"),
            ])
        );
        assert_eq!(
            spans("2023-02-01", "2023-03-01", WindowUnit::Month),
            pairs(&[("2023-02-01", "2023-02-28"), ("2023-03-01", "2023-03-01")])
        );
    }

    #[test]
    fn weeks_run_monday_to_sunday_quarters_and_years_by_the_calendar() {
        // 2024-02-28 is a Wednesday; 2024 is a leap year.
        assert_eq!(
            spans("2024-02-28", "2024-03-12", WindowUnit::Week),
            pairs(&[
                ("2024-02-28", "2024-03-03"),
                ("2024-03-04", "2024-03-10"),
                ("2024-03-11", "2024-03-12"),
            ])
        );
        assert_eq!(
            spans("2023-11-15", "2024-07-01", WindowUnit::Quarter),
            pairs(&[
                ("2023-11-15", "2023-12-31"),
                ("2024-01-01", "2024-03-31"),
                ("2024-04-01", "2024-06-30"),
                ("2024-07-01", "2024-07-01"),
            ])
        );
        assert_eq!(
            spans("2023-06-01", "2024-12-31", WindowUnit::Year),
            pairs(&[("2023-06-01", "2023-12-31"), ("2024-01-01", "2024-12-31")])
        );
        assert_eq!(
            spans("2024-02-28", "2024-03-01", WindowUnit::Day),
            pairs(&[
                ("2024-02-28", "2024-02-28"),
                ("2024-02-29", "2024-02-29"),
                ("2024-03-01", "2024-03-01"),
            ])
        );
    }

    #[test]
    fn one_day_is_one_window_and_a_reversed_range_none() {
        for every in [WindowUnit::Day, WindowUnit::Month, WindowUnit::Year] {
            assert_eq!(
                spans("2024-02-29", "2024-02-29", every),
                pairs(&[("2024-02-29", "2024-02-29")])
            );
            assert!(spans("2024-03-01", "2024-02-29", every).is_empty());
        }
        assert_eq!(
            split(NaiveDate::MAX, NaiveDate::MAX, WindowUnit::Year).count(),
            1,
            "the calendar's last day ends the last window"
        );
    }

    fn unit() -> impl Strategy<Value = WindowUnit> {
        prop_oneof![
            Just(WindowUnit::Day),
            Just(WindowUnit::Week),
            Just(WindowUnit::Month),
            Just(WindowUnit::Quarter),
            Just(WindowUnit::Year),
        ]
    }

    proptest! {
        #[test]
        fn windows_cover_the_range_exactly_once_each_within_one_unit(
            from in 0u64..20_000,
            length in 0u64..1_200,
            every in unit(),
        ) {
            let base = day("1990-01-01");
            let start = base + Days::new(from);
            let end = start + Days::new(length);
            let windows: Vec<Span> = split(start, end, every).collect();
            prop_assert_eq!(windows.first().map(|w| w.0), Some(start));
            prop_assert_eq!(windows.last().map(|w| w.1), Some(end));
            for pair in windows.windows(2) {
                prop_assert_eq!(pair[0].1.succ_opt(), Some(pair[1].0), "no gap, no overlap");
            }
            for (i, &(a, b)) in windows.iter().enumerate() {
                prop_assert!(a <= b);
                let same = match every {
                    WindowUnit::Day => a == b,
                    WindowUnit::Week => a.iso_week() == b.iso_week(),
                    WindowUnit::Month => (a.year(), a.month()) == (b.year(), b.month()),
                    WindowUnit::Quarter => (a.year(), (a.month() - 1) / 3) == (b.year(), (b.month() - 1) / 3),
                    WindowUnit::Year => a.year() == b.year(),
                };
                prop_assert!(same, "{a}..{b} is within one {}", every.as_str());
                if i > 0 {
                    prop_assert_eq!(following(a.pred_opt().expect("a day"), every), Some(a), "a later window starts a unit");
                }
                if i + 1 < windows.len() {
                    prop_assert_eq!(following(b, every).and_then(|d| d.pred_opt()), Some(b), "an earlier window ends a unit");
                }
            }
        }
    }
}
