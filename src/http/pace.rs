//! Pacing of bodies read concurrently but used in order: a body that is not yet next in line
//! takes no bytes until its turn comes, so the network (the socket's buffers and the server)
//! holds the rest instead of this process's memory.
//!
//! The walk over a query's pages keeps up to `max_in_flight` pages in flight and writes them in
//! order; without pacing, every page behind the one being written is read and held whole. With
//! it, a page behind holds only what the HTTP client read with its answer's head (one read, at
//! most its read buffer) until every page before it is written. The wait is bounded: past
//! [`Pace::most_wait`] a body reads on (holding what it must), so a slow page ahead never makes
//! the ones behind it fail their request timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

/// The order of a run's bodies: which place may read freely now. Held by whoever uses the
/// bodies in order; each body gets its [`Pace`].
#[derive(Debug)]
pub struct Turns {
    head: watch::Sender<u64>,
    most_wait: Duration,
    held_back: Arc<AtomicU64>,
}

/// One body's place in its [`Turns`]: it reads freely once the head has reached its place.
#[derive(Debug, Clone)]
pub struct Pace {
    head: watch::Receiver<u64>,
    place: u64,
    most_wait: Duration,
    held_back: Arc<AtomicU64>,
}

impl Turns {
    /// Turns whose first place (0) is the head; a body waits at most `most_wait` for its turn.
    #[must_use]
    pub fn new(most_wait: Duration) -> Turns {
        Turns {
            head: watch::channel(0).0,
            most_wait,
            held_back: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The pace of the body at `place`.
    #[must_use]
    pub fn pace(&self, place: u64) -> Pace {
        Pace {
            head: self.head.subscribe(),
            place,
            held_back: Arc::clone(&self.held_back),
            most_wait: self.most_wait,
        }
    }

    /// How many bodies have waited for their turn so far.
    #[must_use]
    pub fn held_back(&self) -> u64 {
        self.held_back.load(Ordering::SeqCst)
    }

    /// Every body up to `place` may now read freely.
    pub fn reach(&self, place: u64) {
        self.head.send_if_modified(|head| {
            let moved = place > *head;
            *head = (*head).max(place);
            moved
        });
    }
}

impl Pace {
    /// How long the body waits for its turn at most.
    #[must_use]
    pub fn most_wait(&self) -> Duration {
        self.most_wait
    }

    /// Whether the body may read freely now.
    #[must_use]
    pub fn is_turn(&self) -> bool {
        *self.head.borrow() >= self.place
    }

    /// Waits until the body's turn, until the [`Turns`] are gone (nobody waits for the body
    /// any more), or [`Pace::most_wait`]; says whether its turn came.
    pub async fn wait_turn(&mut self) -> bool {
        self.held_back.fetch_add(1, Ordering::SeqCst);
        let place = self.place;
        let turn = self.head.wait_for(|head| *head >= place);
        matches!(tokio::time::timeout(self.most_wait, turn).await, Ok(Ok(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_waits_until_the_head_reaches_its_place() {
        let turns = Turns::new(Duration::from_secs(3600));
        let mut first = turns.pace(0);
        let mut third = turns.pace(2);
        assert!(first.is_turn());
        assert!(first.wait_turn().await);
        assert!(!third.is_turn());
        let waiting = tokio::spawn(async move { third.wait_turn().await });
        turns.reach(1);
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "place 2 is not the head yet");
        turns.reach(2);
        assert!(waiting.await.expect("joined"));
        assert_eq!(turns.held_back(), 2, "both bodies waited");
    }

    #[tokio::test]
    async fn the_head_never_moves_back() {
        let turns = Turns::new(Duration::from_secs(3600));
        turns.reach(5);
        turns.reach(3);
        assert!(turns.pace(5).is_turn());
        assert!(!turns.pace(6).is_turn());
    }

    #[tokio::test]
    async fn a_body_stops_waiting_when_nobody_waits_for_it() {
        let turns = Turns::new(Duration::from_secs(3600));
        let mut pace = turns.pace(4);
        let waiting = tokio::spawn(async move { pace.wait_turn().await });
        drop(turns);
        assert!(!waiting.await.expect("joined"), "no turn came");
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_waits_no_longer_than_most_wait() {
        let turns = Turns::new(Duration::from_secs(75));
        let mut pace = turns.pace(1);
        let started = tokio::time::Instant::now();
        assert!(!pace.wait_turn().await);
        assert_eq!(started.elapsed(), Duration::from_secs(75));
        drop(turns);
    }
}
