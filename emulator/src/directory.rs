//! The companies one instance serves, as Intuit's company picker would offer them: their realm
//! ids, which one the next consent connects (each consent the next in turn, so N logins connect
//! N companies), and each company's counters.

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::stats::Stats;

/// The realms served and their counters.
#[derive(Debug)]
pub(crate) struct Directory {
    realms: Vec<String>,
    next: AtomicUsize,
    stats: Vec<Stats>,
}

impl Directory {
    /// The companies `realms`, in order; the first consent connects the first.
    pub(crate) fn new(realms: Vec<String>) -> Directory {
        let stats = realms.iter().map(|_| Stats::default()).collect();
        Directory {
            realms,
            next: AtomicUsize::new(0),
            stats,
        }
    }

    /// The realm ids, in order.
    pub(crate) fn realms(&self) -> &[String] {
        &self.realms
    }

    /// The company a consent connects now (then the next one, round the list).
    pub(crate) fn next_consent(&self) -> &str {
        let k = self.next.fetch_add(1, Ordering::SeqCst) % self.realms.len().max(1);
        self.realms.get(k).map_or("", String::as_str)
    }

    /// Where `realm` is in the list.
    pub(crate) fn index_of(&self, realm: &str) -> Option<usize> {
        self.realms.iter().position(|r| r == realm)
    }

    /// The counters of company `k`.
    pub(crate) fn stats(&self, k: usize) -> &Stats {
        &self.stats[k.min(self.stats.len().saturating_sub(1))]
    }

    /// Every company's counters, in order.
    pub(crate) fn all_stats(&self) -> &[Stats] {
        &self.stats
    }
}
