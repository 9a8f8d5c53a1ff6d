//! QBO's per-company limits held across every process and machine that shares the PostgreSQL
//! store: at most N calls in flight and at most M in any rolling minute per company.
//!
//! Why it exists: each process's own limiter (`limit.rs`) only knows its own calls, so N
//! workers on one company would send N times too much and collect 429s. Here every call takes a
//! slot from the database first (`qbo_run_acquire`, one round trip: an advisory lock per company,
//! the company's live leases and last minute counted, a lease inserted or a wait returned) and
//! gives it back when its answer is read. A slot is a lease that expires: a process that dies
//! holding one never leaks it. A 429 from QBO pushes the company's budget back for every process
//! (`blocked_until`).

use crate::db::Database;
use crate::diagnostics::Error;
use rand::Rng as _;
use std::time::Duration;

/// The longest pause between two tries when the company's slots are all taken.
const POLL_MAX: Duration = Duration::from_millis(25);

/// The shared limits of one company.
#[derive(Debug)]
pub struct Governor {
    db: Database,
    company: String,
    max_in_flight: i32,
    per_minute: i32,
    lease: Duration,
}

/// A call slot taken from the database; give it back with [`Governor::release`].
#[derive(Debug)]
pub struct Slot {
    id: i64,
}

impl Governor {
    /// The governor of `company` (API origin and realm) in `db`. `lease` must outlast a call:
    /// a slot not given back is free again after it.
    pub fn new(
        db: Database,
        company: String,
        max_in_flight: usize,
        per_minute: u32,
        lease: Duration,
    ) -> Governor {
        Governor {
            db,
            company,
            max_in_flight: i32::try_from(max_in_flight.max(1)).unwrap_or(i32::MAX),
            per_minute: i32::try_from(per_minute.max(1)).unwrap_or(i32::MAX),
            lease,
        }
    }

    /// Waits for a slot of the company.
    pub async fn acquire(&self) -> Result<Slot, Error> {
        let lease_ms = i32::try_from(self.lease.as_millis()).unwrap_or(i32::MAX);
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached("SELECT slot, wait_ms FROM qbo_run_acquire($1, $2, $3, $4)")
            .await
            .map_err(|e| self.db.failed("cannot prepare the call governor", &e))?;
        loop {
            let row = client
                .query_one(
                    &statement,
                    &[
                        &self.company,
                        &self.max_in_flight,
                        &self.per_minute,
                        &lease_ms,
                    ],
                )
                .await
                .map_err(|e| self.db.failed("cannot take a call slot", &e))?;
            if let Some(id) = row.get::<_, Option<i64>>(0) {
                return Ok(Slot { id });
            }
            let wait_ms = u64::try_from(row.get::<_, Option<i32>>(1).unwrap_or(0)).unwrap_or(0);
            let wait = if wait_ms == 0 {
                let max = u64::try_from(POLL_MAX.as_millis()).unwrap_or(25);
                Duration::from_millis(rand::rng().random_range(2..=max))
            } else {
                tracing::info!(company = %self.company, wait_ms, "the company's shared call budget is used up; waiting");
                Duration::from_millis(wait_ms)
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Gives `slot` back.
    pub async fn release(&self, slot: Slot) -> Result<(), Error> {
        let client = self.db.client().await?;
        let statement = client
            .prepare_cached("UPDATE qbo_run_governor_calls SET done = true WHERE id = $1")
            .await
            .map_err(|e| self.db.failed("cannot prepare the call governor", &e))?;
        client
            .execute(&statement, &[&slot.id])
            .await
            .map_err(|e| self.db.failed("cannot give a call slot back", &e))?;
        Ok(())
    }

    /// After a 429: no process sends to the company for `wait`.
    pub async fn push_back(&self, wait: Duration) -> Result<(), Error> {
        let seconds = wait.as_secs_f64().min(86_400.0);
        let client = self.db.client().await?;
        client
            .execute(
                "INSERT INTO qbo_run_governor (company, blocked_until) \
                 VALUES ($1, clock_timestamp() + make_interval(secs => $2)) \
                 ON CONFLICT (company) DO UPDATE SET blocked_until = \
                 greatest(qbo_run_governor.blocked_until, excluded.blocked_until)",
                &[&self.company, &seconds],
            )
            .await
            .map_err(|e| self.db.failed("cannot pause the company after a 429", &e))?;
        Ok(())
    }
}
