//! The seeded inventory items' stock, day by day, while the books are built.
//!
//! Why it exists: the seeded books never sell more of an inventory item than is on hand. Sales
//! (invoices, sales receipts) and returns and purchases (credit memos, refunds, expenses) are
//! drawn independently, each a pure function of its record, so this file adds up what they move
//! per item and per day and says how much stock each item must start with (its `QtyOnHand` at
//! `InvStartDate`) for the quantity on hand never to go below zero, even if a day's sales all
//! came before its purchases, and what is on hand at the end. It holds one count per tracked
//! item and day (about a thousand days), never anything per record.
//! This module knows nothing of the tables it is fed from.

/// What moved in and out of each tracked item's stock, per day.
#[derive(Debug)]
pub(crate) struct DailyStock {
    first_day: i32,
    days: usize,
    /// The tracked items' indexes, ascending (the position is the item's slot).
    tracked: Vec<usize>,
    /// Per slot and day: (units in, units out).
    moves: Vec<(i64, i64)>,
}

impl DailyStock {
    /// An empty record of `tracked` items (ascending item indexes) over `first_day..=last_day`;
    /// a movement outside those days counts on the nearest one.
    pub(crate) fn new(tracked: Vec<usize>, first_day: i32, last_day: i32) -> DailyStock {
        let days = usize::try_from(last_day.saturating_sub(first_day))
            .unwrap_or(0)
            .saturating_add(1);
        DailyStock {
            first_day,
            days,
            moves: vec![(0, 0); tracked.len().saturating_mul(days)],
            tracked,
        }
    }

    /// Counts `qty` units of `item` in (positive) or out (negative) on `day`; an untracked item
    /// is ignored.
    pub(crate) fn add(&mut self, item: usize, day: i32, qty: i64) {
        let Ok(slot) = self.tracked.binary_search(&item) else {
            return;
        };
        let offset = usize::try_from(day.saturating_sub(self.first_day).max(0))
            .unwrap_or(0)
            .min(self.days.saturating_sub(1));
        if let Some(entry) = self.moves.get_mut(slot * self.days + offset) {
            if qty >= 0 {
                entry.0 += qty;
            } else {
                entry.1 -= qty;
            }
        }
    }

    /// `(start, end)` of `item`: the least stock it must start with so that no day's sales
    /// take it below zero (counted before that day's arrivals), and what is left at the end.
    pub(crate) fn levels(&self, item: usize) -> (i64, i64) {
        let Ok(slot) = self.tracked.binary_search(&item) else {
            return (0, 0);
        };
        let days = self
            .moves
            .get(slot * self.days..(slot + 1) * self.days)
            .unwrap_or(&[]);
        let (mut on_hand, mut needed) = (0i64, 0i64);
        for &(arrived, left) in days {
            on_hand -= left;
            needed = needed.max(-on_hand);
            on_hand += arrived;
        }
        (needed, needed + on_hand)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_covers_the_worst_day_and_the_end_is_what_is_left() {
        let mut stock = DailyStock::new(vec![2, 5], 10, 20);
        stock.add(2, 11, -4);
        stock.add(2, 12, 10);
        stock.add(2, 12, -3);
        stock.add(2, 15, -9);
        stock.add(7, 15, -100);
        stock.add(5, 3, 6);
        // Day 11: -4; day 12: the 3 sold before the 10 arrive (-7, then 3); day 15: -6.
        assert_eq!(stock.levels(2), (7, 1));
        assert_eq!(stock.levels(5), (0, 6));
        assert_eq!(stock.levels(7), (0, 0));
    }
}
