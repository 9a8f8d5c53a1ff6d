//! QBO's per-realm limits: at most `max_in_flight` concurrent API calls and `requests_per_minute`
//! calls in any 60 seconds (QBO.md 3.5: 10 concurrent, 500 per minute per realm).
//!
//! Why it exists: a client that is correct against the emulator must also be correct against QBO,
//! so the emulator turns away the calls QBO would turn away, with the same 429 ThrottleExceeded,
//! instead of serving any load. The check runs in the gateway after authentication has named the
//! realm. Its one mutex is held only for a few arithmetic steps, never across an `.await`, so
//! calls that are waiting (added latency, a query on a blocking thread) hold a counted slot, not
//! a lock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The span of `requests_per_minute`: a sliding window, so no 60 s span ever holds more.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// The limits of one instance and what each realm is using now.
#[derive(Debug)]
pub(crate) struct Limits {
    /// Concurrent calls allowed per realm (0: no limit).
    max_in_flight: usize,
    /// Calls admitted per realm in any [`WINDOW`] (0: no limit).
    per_minute: u32,
    realms: Mutex<HashMap<String, RealmUse>>,
}

/// What one realm uses now.
#[derive(Debug, Default)]
struct RealmUse {
    /// Admitted calls not answered yet.
    in_flight: usize,
    /// When the calls of the last [`WINDOW`] were admitted, oldest first (only kept while
    /// `per_minute` is on, and never longer than `per_minute`).
    admitted: VecDeque<Instant>,
}

/// Which limit turned a call away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The realm already had `max_in_flight` calls being processed.
    InFlight,
    /// The realm already had `requests_per_minute` calls in the last 60 seconds.
    PerMinute,
}

/// An admitted call's place among the realm's in-flight calls, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    limits: &'a Limits,
    /// `None` when no limit is on (nothing was counted).
    realm: Option<String>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(realm) = self.realm.take()
            && let Some(usage) = self.limits.realms().get_mut(&realm)
        {
            usage.in_flight = usage.in_flight.saturating_sub(1);
        }
    }
}

impl Limits {
    /// Limits of `max_in_flight` concurrent calls and `per_minute` calls per 60 s, per realm; 0
    /// turns a limit off.
    pub(crate) fn new(max_in_flight: usize, per_minute: u32) -> Limits {
        Limits {
            max_in_flight,
            per_minute,
            realms: Mutex::new(HashMap::new()),
        }
    }

    /// Admit one call to `realm` arriving at `now`, or say which limit it would break. A refused
    /// call uses neither a slot nor a place in the window (QBO counts the calls it serves).
    pub(crate) fn admit(&self, realm: &str, now: Instant) -> Result<Slot<'_>, Refused> {
        if self.max_in_flight == 0 && self.per_minute == 0 {
            return Ok(Slot {
                limits: self,
                realm: None,
            });
        }
        let mut realms = self.realms();
        let usage = realms.entry(realm.to_owned()).or_default();
        if self.max_in_flight > 0 && usage.in_flight >= self.max_in_flight {
            return Err(Refused::InFlight);
        }
        if self.per_minute > 0 {
            while usage
                .admitted
                .front()
                .is_some_and(|&at| now.saturating_duration_since(at) >= WINDOW)
            {
                usage.admitted.pop_front();
            }
            if usage.admitted.len() >= self.per_minute as usize {
                return Err(Refused::PerMinute);
            }
            usage.admitted.push_back(now);
        }
        usage.in_flight += 1;
        Ok(Slot {
            limits: self,
            realm: Some(realm.to_owned()),
        })
    }

    /// The per-realm table; a poisoned lock is still usable (its data are plain counters).
    fn realms(&self) -> MutexGuard<'_, HashMap<String, RealmUse>> {
        self.realms.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_limit_counts_live_slots_per_realm() {
        let limits = Limits::new(2, 0);
        let now = Instant::now();
        let a = limits.admit("r1", now).expect("first");
        let b = limits.admit("r1", now).expect("second");
        assert_eq!(limits.admit("r1", now).err(), Some(Refused::InFlight));
        let other = limits
            .admit("r2", now)
            .expect("another realm has its own limit");
        drop(a);
        let c = limits.admit("r1", now).expect("a freed slot is reused");
        assert_eq!(limits.admit("r1", now).err(), Some(Refused::InFlight));
        drop((b, c, other));
        assert!(limits.admit("r1", now).is_ok());
    }

    #[test]
    fn per_minute_window_slides() {
        let limits = Limits::new(0, 3);
        let t0 = Instant::now();
        for i in 0..3 {
            let at = t0 + Duration::from_secs(i * 10);
            assert!(limits.admit("r", at).is_ok(), "call {i}");
        }
        let t25 = t0 + Duration::from_secs(25);
        assert_eq!(limits.admit("r", t25).err(), Some(Refused::PerMinute));
        // At 60 s the first call leaves the window: one more fits, then the window is full again.
        let t60 = t0 + WINDOW;
        assert!(limits.admit("r", t60).is_ok());
        assert_eq!(limits.admit("r", t60).err(), Some(Refused::PerMinute));
        // A refused call took no place: at 70 s exactly one more (the 10 s call's) frees up.
        let t70 = t0 + Duration::from_secs(70);
        assert!(limits.admit("r", t70).is_ok());
        assert_eq!(limits.admit("r", t70).err(), Some(Refused::PerMinute));
        assert!(limits.admit("other", t70).is_ok());
    }

    #[test]
    fn zero_turns_limits_off() {
        let limits = Limits::new(0, 0);
        let now = Instant::now();
        let slots: Vec<_> = (0..1000)
            .map(|_| limits.admit("r", now).expect("no limit"))
            .collect();
        assert_eq!(slots.len(), 1000);
        assert!(limits.realms().is_empty());
    }

    #[test]
    fn refused_in_flight_call_takes_no_window_place() {
        let limits = Limits::new(1, 2);
        let now = Instant::now();
        let held = limits.admit("r", now).expect("first");
        assert_eq!(limits.admit("r", now).err(), Some(Refused::InFlight));
        drop(held);
        assert!(limits.admit("r", now).is_ok(), "second call of the window");
        assert_eq!(limits.admit("r", now).err(), Some(Refused::PerMinute));
    }
}
