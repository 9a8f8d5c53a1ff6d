//! Edits made by someone else while a client pages (`--updates-per-page N`): after each page of
//! a `select *` query, N records of the queried entity are saved again, as a user editing the
//! company would: a new `SyncToken` and `MetaData.LastUpdatedTime` of now, which moves them in
//! any order on `LastUpdatedTime` and shifts the offsets of the pages that follow.
//!
//! Why it exists: QBO pages by offset (STARTPOSITION), so a record that moves between two pages
//! of a client's walk is read twice or skipped, and only a server that changes under the client
//! shows whether the client copes. The records are picked by a SplitMix64 keyed by the fault
//! seed and the number of pages answered, and saved through the same sparse update as
//! `POST ?operation=update`, so reads, queries and CDC all see the edit.

use serde_json::{Map, Value, json};

use crate::entity::Entity;
use crate::rng::SplitMix64;
use crate::state::State;
use crate::writes::{self, Operation};

/// Stream tag of the choice of records to edit.
const STREAM_EDITS: u64 = 0x_ed17_0001;
/// How many picks may miss (a deleted record) before the page's edits stop.
const MISSES_ALLOWED: usize = 8;

/// After a page of `entity` was answered: save `updates_per_page` of its records again.
/// Entities the emulator does not write (company info, accounts) are left alone.
pub(crate) fn after_page(state: &State, entity: Entity) {
    let wanted = state.config().updates_per_page;
    if wanted == 0 || !crate::build::writable(entity) {
        return;
    }
    let page = state.next_page_number();
    let mut rng = SplitMix64::for_record(state.config().fault_seed, STREAM_EDITS, page);
    let ds = state.data();
    let mut overlay = state.changes().write();
    let records = overlay.count(ds, entity) as u64;
    let (mut done, mut missed, mut picks) = (0, 0, 0);
    // A user cannot edit a deposited payment either (QBO's 6540): such picks are passed over,
    // a bounded number of times.
    let most_picks = wanted.saturating_mul(8).saturating_add(MISSES_ALLOWED);
    while done < wanted && missed < MISSES_ALLOWED && records > 0 && picks < most_picks {
        picks += 1;
        let index = rng.below(records) as usize;
        if crate::build::deposit_holding(ds, &overlay, entity, index, None).is_some() {
            continue;
        }
        let Some(current) = overlay.json(ds, entity, index) else {
            missed += 1;
            continue;
        };
        let mut body = Map::new();
        body.insert("Id".into(), json!((index + 1).to_string()));
        body.insert(
            "SyncToken".into(),
            current
                .get("SyncToken")
                .cloned()
                .unwrap_or_else(|| json!("0")),
        );
        body.insert("sparse".into(), Value::Bool(true));
        match writes::apply(state, &mut overlay, entity, Operation::Update, &body) {
            Ok(_) => {
                state.stats().edited_while_paging();
                done += 1;
            }
            Err(fault) => {
                tracing::debug!(?fault, "emulator: an edit while paging was refused");
                missed += 1;
            }
        }
    }
    if done > 0 {
        state.queries().invalidate();
    }
}
