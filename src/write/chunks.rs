//! Grouping input rows into batches of at most a given size.

use super::input::Row;
use crate::diagnostics::Error;

/// Groups of up to `size` rows (an input error ends the groups with that error).
pub(super) struct Chunks<I> {
    pub(super) rows: I,
    pub(super) size: usize,
    pub(super) done: bool,
}

impl<I: Iterator<Item = Result<Row, Error>>> Iterator for Chunks<I> {
    type Item = Result<Vec<Row>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let mut chunk = Vec::with_capacity(self.size);
        while chunk.len() < self.size {
            match self.rows.next() {
                Some(Ok(row)) => chunk.push(row),
                Some(Err(error)) => {
                    self.done = true;
                    return Some(Err(error));
                }
                None => {
                    self.done = true;
                    break;
                }
            }
        }
        (!chunk.is_empty()).then_some(Ok(chunk))
    }
}
