//! Keeps one company under QBO's limits: at most N requests in flight (a semaphore) and at most
//! M requests in any rolling 60-second window (a log of send times). A token bucket would allow
//! a burst on top of its refill within one minute and so break QBO's per-minute rule; the window
//! log cannot. One limiter is shared by everything a process sends to a company; with the
//! PostgreSQL store it also takes each call's slot from the [`Governor`] that every process on the
//! database shares.

use super::governor::{Governor, Slot};
use crate::diagnostics::Error;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(60);

/// The limits of one company.
#[derive(Debug)]
pub struct Limiter {
    in_flight: Arc<Semaphore>,
    /// Calls waiting for a permit now.
    waiting: AtomicUsize,
    /// Told whenever a call starts waiting for a permit.
    wanted: Notify,
    per_minute: usize,
    sent: tokio::sync::Mutex<VecDeque<Instant>>,
    governor: Option<Arc<Governor>>,
}

/// Held while a request is in flight; [`Permit::release`] gives the shared slot back (dropping
/// it does too, in the background).
pub struct Permit {
    _local: OwnedSemaphorePermit,
    shared: Option<(Arc<Governor>, Slot)>,
}

impl Permit {
    /// Gives the call's slot back, locally and in the shared governor.
    pub async fn release(mut self) {
        if let Some((governor, slot)) = self.shared.take()
            && let Err(error) = governor.release(slot).await
        {
            tracing::warn!(error = %error.message(), "a shared call slot could not be given back; its lease frees it");
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some((governor, slot)) = self.shared.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                let _ = governor.release(slot).await;
            });
        }
    }
}

impl Limiter {
    /// A limiter for `max_in_flight` concurrent requests and `per_minute` per rolling minute.
    pub fn new(max_in_flight: usize, per_minute: u32) -> Limiter {
        Limiter {
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
            waiting: AtomicUsize::new(0),
            wanted: Notify::new(),
            per_minute: (per_minute as usize).max(1),
            sent: tokio::sync::Mutex::new(VecDeque::new()),
            governor: None,
        }
    }

    /// The same limits, also held across processes by `governor`.
    pub fn shared(max_in_flight: usize, per_minute: u32, governor: Governor) -> Limiter {
        Limiter {
            governor: Some(Arc::new(governor)),
            ..Limiter::new(max_in_flight, per_minute)
        }
    }

    /// Whether the limits are held across processes.
    pub fn is_shared(&self) -> bool {
        self.governor.is_some()
    }

    /// After a 429 from QBO: holds every process back from the company for `wait`.
    pub async fn push_back(&self, wait: Duration) {
        if let Some(governor) = &self.governor
            && let Err(error) = governor.push_back(wait).await
        {
            tracing::warn!(error = %error.message(), "could not tell the other processes about a 429");
        }
    }

    /// Waits until a request may be sent, and returns the permit to hold while it is in flight.
    /// Fails only when the shared governor's database fails.
    pub async fn acquire(&self) -> Result<Permit, Error> {
        let local = match Arc::clone(&self.in_flight).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                self.waiting.fetch_add(1, Ordering::SeqCst);
                self.wanted.notify_waiters();
                let slot = Arc::clone(&self.in_flight).acquire_owned().await;
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                match slot {
                    Ok(slot) => slot,
                    Err(_) => unreachable_closed(),
                }
            }
        };
        self.wait_for_the_minute().await;
        let shared = match &self.governor {
            Some(governor) => Some((Arc::clone(governor), governor.acquire().await?)),
            None => None,
        };
        Ok(Permit {
            _local: local,
            shared,
        })
    }

    /// Returns once a call of this process waits for a permit (at once if one does now): a
    /// call holding its permit without need, such as a body waiting for its turn, should then
    /// finish and give it back.
    pub async fn wanted(&self) {
        let told = self.wanted.notified();
        tokio::pin!(told);
        told.as_mut().enable();
        if self.waiting.load(Ordering::SeqCst) > 0 {
            return;
        }
        told.await;
    }

    /// Waits until this process's own log of the last minute has room, and records the call.
    async fn wait_for_the_minute(&self) {
        loop {
            let mut sent = self.sent.lock().await;
            let now = Instant::now();
            while sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                sent.pop_front();
            }
            if sent.len() < self.per_minute {
                sent.push_back(now);
                return;
            }
            let wait_until = sent.front().map(|t| *t + WINDOW).unwrap_or(now);
            drop(sent);
            tracing::info!(
                wait_ms = wait_until.duration_since(now).as_millis() as u64,
                "per-minute request budget used up; waiting"
            );
            tokio::time::sleep_until(wait_until).await;
        }
    }
}

/// The semaphore is never closed; this keeps `acquire` free of `unwrap`.
fn unreachable_closed() -> ! {
    panic!("the limiter's semaphore is never closed")
}

/// Limiters by company, so concurrent runs against one company share one.
#[derive(Debug, Default)]
pub struct LimiterRegistry {
    limiters: Mutex<HashMap<String, Arc<Limiter>>>,
}

impl LimiterRegistry {
    /// The limiter for `key` (API origin and realm), made by `make` on first use; later users
    /// share it (the limits it was first made with win).
    pub fn get(&self, key: &str, make: impl FnOnce() -> Limiter) -> Arc<Limiter> {
        let mut limiters = match self.limiters.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(
            limiters
                .entry(key.to_string())
                .or_insert_with(|| Arc::new(make())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_window_holds_back_the_request_over_budget() {
        let limiter = Limiter::new(10, 3);
        let start = Instant::now();
        for _ in 0..3 {
            drop(limiter.acquire().await.expect("permit"));
        }
        assert_eq!(Instant::now(), start);
        drop(limiter.acquire().await.expect("permit"));
        assert!(Instant::now().duration_since(start) >= WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_is_capped() {
        let limiter = Arc::new(Limiter::new(2, 500));
        let a = limiter.acquire().await.expect("permit");
        let _b = limiter.acquire().await.expect("permit");
        let waiting = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { drop(limiter.acquire().await) })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(a);
        assert!(waiting.await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_call_waiting_for_a_permit_is_told() {
        let limiter = Arc::new(Limiter::new(1, 500));
        let held = limiter.acquire().await.expect("permit");
        let told = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { limiter.wanted().await })
        };
        tokio::task::yield_now().await;
        assert!(!told.is_finished(), "nobody waits yet");
        let waiting = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { drop(limiter.acquire().await) })
        };
        told.await.expect("told once a call waits");
        // One that asks while the call still waits is told at once.
        limiter.wanted().await;
        drop(held);
        assert!(waiting.await.is_ok());
    }
}
