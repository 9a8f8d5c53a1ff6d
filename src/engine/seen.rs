//! The `Id`s a walk has written, so that no record is written twice however the company changes
//! while it pages.
//!
//! QBO's ids are decimal numbers, so they are kept as one bit per possible id up to the highest
//! seen (a company whose ids reach ten million costs 1.25 MB, whatever the number of records);
//! an id that is not a number (or is beyond [`MOST_BITS`]) goes into a set of its own.

use std::collections::HashSet;

/// Numeric ids below this are kept as bits (at most 16 MB of them; QBO's ids stay far below).
const MOST_BITS: u64 = 1 << 27;

/// The ids written so far.
#[derive(Debug, Default)]
pub struct SeenIds {
    bits: Vec<u64>,
    others: HashSet<String>,
}

impl SeenIds {
    /// Marks `id` as written; `false` when it already was.
    pub fn insert(&mut self, id: &str) -> bool {
        match numeric(id) {
            Some(n) => {
                let (word, bit) = (usize::try_from(n / 64).unwrap_or(usize::MAX), n % 64);
                if word >= self.bits.len() {
                    self.bits.resize(word + 1, 0);
                }
                let Some(slot) = self.bits.get_mut(word) else {
                    return self.others.insert(id.to_string());
                };
                let fresh = *slot & (1 << bit) == 0;
                *slot |= 1 << bit;
                fresh
            }
            None => self.others.insert(id.to_string()),
        }
    }

    /// Whether `id` was written.
    #[cfg(test)]
    pub fn contains(&self, id: &str) -> bool {
        match numeric(id) {
            Some(n) => usize::try_from(n / 64)
                .ok()
                .and_then(|word| self.bits.get(word))
                .is_some_and(|slot| slot & (1 << (n % 64)) != 0),
            None => self.others.contains(id),
        }
    }
}

/// `id` as a number kept in the bits: plain decimal digits, no leading zero (so `"007"` and
/// `"7"` stay different ids), below [`MOST_BITS`].
fn numeric(id: &str) -> Option<u64> {
    if id.is_empty() || id.len() > 10 || (id.len() > 1 && id.starts_with('0')) {
        return None;
    }
    if !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse::<u64>().ok().filter(|&n| n < MOST_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_is_new_once() {
        let mut seen = SeenIds::default();
        for id in ["1", "64", "2500", "100000", "007", "A-1", "134217728"] {
            assert!(!seen.contains(id), "{id}");
            assert!(seen.insert(id), "{id}");
            assert!(!seen.insert(id), "{id}");
            assert!(seen.contains(id), "{id}");
        }
        assert!(!seen.contains("7"), "007 is not 7");
        assert!(!seen.contains("65") && !seen.contains("0") && !seen.contains("2"));
        assert_eq!(seen.others.len(), 3);
        assert_eq!(seen.bits.len(), 100_000 / 64 + 1);
    }
}
