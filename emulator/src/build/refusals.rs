//! The Faults a write is refused with, as QBO words them: a required field missing (2020), a
//! reference to no record (2500), a name in use (6240), a business rule (6000), a stale
//! `SyncToken` (5010), a body that is not an object, an unsupported operation.

use axum::http::StatusCode;

use crate::entity::Entity;
use crate::fault::Fault;

/// 400 code 2020: a required field is missing.
pub(crate) fn required(param: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2020",
        "Required param missing, need to supply the required value for the API",
        format!("Required parameter {param} is missing in the request"),
        Some(""),
    )
}

/// 400 code 2500: a reference names no record.
pub(crate) fn invalid_reference(what: &str, id: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2500",
        "Invalid Reference Id",
        format!("Invalid Reference Id : {what} element id {id} not found"),
        Some(""),
    )
}

/// 400 code 6000: a business rule.
pub(crate) fn business(detail: impl Into<String>) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6000",
        "A business validation error has occurred while processing your request",
        format!("Business Validation Error: {}", detail.into()),
        Some(""),
    )
}

/// 400 code 6240: the name is taken (customers, vendors and employees share names).
pub(crate) fn duplicate_name() -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "6240",
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already \
         using this name. Please use a different name.",
        Some(""),
    )
}

/// 400 code 5010: the client's `SyncToken` is not the record's (`fault-400-stale-object.json`).
pub(crate) fn stale_object() -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "5010",
        "Stale Object Error",
        "Stale Object Error : You and another user were working on this at the same time. \
         The other user finished before you did, so your work was not saved.",
        Some(""),
    )
}

/// 400 code 2010: the body is not a JSON object of the entity.
pub(crate) fn bad_body(detail: impl Into<String>) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "2010",
        "Request has invalid or unsupported property",
        detail,
        Some(""),
    )
}

/// 400 code 500: the emulator writes nothing of this entity.
pub(crate) fn not_writable(entity: Entity, operation: &str) -> Fault {
    unsupported(
        entity,
        operation,
        "this emulator writes transactions, name lists, accounts, time activities, attachments \
         and tax agencies, not this entity",
    )
}

/// 400 code 500: the entity is written, but QBO does not `operation` it.
pub(crate) fn operation_not_served(entity: Entity, operation: &str) -> Fault {
    let singleton = matches!(entity, Entity::Preferences | Entity::CompanyInfo);
    let why = match operation {
        _ if singleton => "QBO has one of this entity per company: read it, and update it",
        "delete" => {
            "a name-list record or an account is made inactive (a sparse update with \
             \"Active\": false), never deleted"
        }
        "void" => {
            "void serves the transactions QBO voids: Invoice (operation=void); Payment, \
             SalesReceipt and BillPayment (operation=update&include=void)"
        }
        _ => "QBO creates and reads this entity, never changes it",
    };
    unsupported(entity, operation, why)
}

fn unsupported(entity: Entity, operation: &str, why: &str) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "500",
        "Unsupported Operation",
        format!(
            "Operation {operation} is not supported for {}: {why}",
            entity.name()
        ),
        None,
    )
}

/// `operation=void` on an entity QBO voids with a sparse update (Payment, SalesReceipt,
/// BillPayment). QBO's own wording for this refusal is not documented; the Fault is the one of
/// other unsupported operations.
pub(crate) fn void_by_update(entity: Entity) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "500",
        "Unsupported Operation",
        format!(
            "Operation void is not supported for {name}: void a {name} with \
             operation=update&include=void and a sparse body (Id, SyncToken, \"sparse\": true)",
            name = entity.name()
        ),
        None,
    )
}

/// `operation=update&include=void` on an entity QBO voids with `operation=void` (Invoice), or
/// one that cannot be voided.
pub(crate) fn void_by_operation(entity: Entity) -> Fault {
    let how = if entity == Entity::Invoice {
        "void an Invoice with operation=void"
    } else {
        "only Payment, SalesReceipt and BillPayment are voided this way"
    };
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "500",
        "Unsupported Operation",
        format!(
            "Operation update&include=void is not supported for {}: {how}",
            entity.name()
        ),
        None,
    )
}
