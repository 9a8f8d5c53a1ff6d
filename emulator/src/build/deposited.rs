//! Which deposit holds a payment or sales receipt, and QBO's refusal to change one that a
//! deposit holds (400, code 6540).

use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::changes::{Current, Overlay};
use crate::data::Dataset;
use crate::entity::Entity;
use crate::fault::Fault;
use crate::values::{id_text, index_of};

/// The index of the live deposit whose lines link record `index` of `entity` (a Payment or a
/// SalesReceipt), leaving out deposit `except` (the one being rewritten).
pub(crate) fn deposit_holding(
    ds: &Dataset,
    overlay: &Overlay,
    entity: Entity,
    index: usize,
    except: Option<usize>,
) -> Option<usize> {
    if !matches!(entity, Entity::Payment | Entity::SalesReceipt) {
        return None;
    }
    (0..overlay.count(ds, Entity::Deposit))
        .filter(|&d| Some(d) != except)
        .find(|&d| match overlay.current(ds, Entity::Deposit, d) {
            Current::Seeded => {
                entity == Entity::Payment
                    && ds.posted.deposits.get(d).is_some_and(|deposit| {
                        deposit
                            .payments
                            .iter()
                            .any(|&(payment, _)| payment as usize == index)
                    })
            }
            Current::Stored(stored) => links(&stored.json, entity, index),
            Current::Absent | Current::Deleted => false,
        })
}

/// Whether a deposit's JSON has a line linked to record `index` of `entity`.
fn links(deposit: &Map<String, Value>, entity: Entity, index: usize) -> bool {
    deposit
        .get("Line")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|line| line.get("LinkedTxn").and_then(Value::as_array))
        .flatten()
        .any(|linked| {
            linked.get("TxnType").and_then(Value::as_str) == Some(entity.name())
                && linked
                    .get("TxnId")
                    .and_then(id_text)
                    .and_then(|id| index_of(&id))
                    == Some(index)
        })
}

/// 400 code 6540: the transaction is on a deposit, so it cannot be changed, voided or deleted
/// (QBO's message and detail, as Intuit's list of frequent errors gives them).
pub(crate) fn deposited_transaction() -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6540",
        "Deposited Transaction cannot be changed",
        "This transaction has been deposited. If you want to change or delete it, you must \
         first edit the deposit it appears on and remove it.",
        Some(""),
    )
}
