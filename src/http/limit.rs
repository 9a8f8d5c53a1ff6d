//! Keeps one company under QBO's limits: at most N requests in flight (a semaphore) and at most
//! M requests in any rolling 60-second window (a log of send times). A token bucket would allow
//! a burst on top of its refill within one minute and so break QBO's per-minute rule; the window
//! log cannot. One limiter is shared by everything a process sends to a company.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(60);

/// The limits of one company.
#[derive(Debug)]
pub struct Limiter {
    in_flight: Arc<Semaphore>,
    per_minute: usize,
    sent: tokio::sync::Mutex<VecDeque<Instant>>,
}

/// Held while a request is in flight.
pub struct Permit {
    _slot: OwnedSemaphorePermit,
}

impl Limiter {
    /// A limiter for `max_in_flight` concurrent requests and `per_minute` per rolling minute.
    pub fn new(max_in_flight: usize, per_minute: u32) -> Limiter {
        Limiter {
            in_flight: Arc::new(Semaphore::new(max_in_flight.max(1))),
            per_minute: (per_minute as usize).max(1),
            sent: tokio::sync::Mutex::new(VecDeque::new()),
        }
    }

    /// Waits until a request may be sent, and returns the permit to hold while it is in flight.
    pub async fn acquire(&self) -> Permit {
        let slot = match Arc::clone(&self.in_flight).acquire_owned().await {
            Ok(slot) => slot,
            Err(_) => unreachable_closed(),
        };
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
                return Permit { _slot: slot };
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
    /// The limiter for `key` (API origin and realm), created with the given limits on first use;
    /// later users share it (the lowest limits given first win).
    pub fn get(&self, key: &str, max_in_flight: usize, per_minute: u32) -> Arc<Limiter> {
        let mut limiters = match self.limiters.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(
            limiters
                .entry(key.to_string())
                .or_insert_with(|| Arc::new(Limiter::new(max_in_flight, per_minute))),
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
            drop(limiter.acquire().await);
        }
        assert_eq!(Instant::now(), start);
        drop(limiter.acquire().await);
        assert!(Instant::now().duration_since(start) >= WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn in_flight_is_capped() {
        let limiter = Arc::new(Limiter::new(2, 500));
        let a = limiter.acquire().await;
        let _b = limiter.acquire().await;
        let waiting = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { drop(limiter.acquire().await) })
        };
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        drop(a);
        assert!(waiting.await.is_ok());
    }
}
