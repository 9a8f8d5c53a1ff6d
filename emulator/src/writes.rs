//! Writes: create, update (full or sparse), delete and void of one record, and the batch
//! endpoint; `requestid` replays.
//!
//! Why it exists: this is the HTTP face of `POST /v3/company/{realm}/{entity}` (with
//! `?operation=update|delete|void`) and `POST /v3/company/{realm}/batch` (QBO.md 2.4, 2.5).
//! Every write checks the client's `SyncToken` against the record's (5010 when stale), builds the
//! new record with `build.rs`, stores it in the overlay (`changes.rs`) and empties the query
//! cache, all under the overlay's write lock so readers never see half of it. A `requestid`
//! makes a write idempotent: the first answer (success or Fault) is kept and a replay gets it
//! again without anything being done. Batch items are independent: each gets its own answer or
//! Fault, and a query item sees the writes of the items before it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State as AxumState};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::build::{
    self, Ctx, SERVER_FIELDS, bad_body, business, deposit_holding, deposited_transaction,
    not_writable, operation_not_served, required, stale_object, void_by_operation, void_by_update,
    voided,
};
use crate::changes::{Overlay, Slot, Stored};
use crate::entity::Entity;
use crate::envelope::{Count, Envelope, Page};
use crate::exec::Outcome;
use crate::fault::{Fault, QBO_JSON, bytes_response};
use crate::query;
use crate::state::State;
use crate::time::{ResponseTime, Timestamp};
use crate::values::{id_text, index_of};

/// Longest `requestid` of a single write (QBO: 50 characters).
pub(crate) const MAX_REQUEST_ID: usize = 50;
/// Longest `requestid` of a batch (QBO: 36 characters).
pub(crate) const MAX_BATCH_REQUEST_ID: usize = 36;
/// Most items in one batch (QBO: 30).
pub(crate) const MAX_BATCH_ITEMS: usize = 30;

/// What a write does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Create,
    Update,
    Delete,
    /// `operation=void`: how an Invoice is voided.
    Void,
    /// `operation=update&include=void` with a sparse body: how a Payment (and in QBO a
    /// SalesReceipt or BillPayment) is voided.
    UpdateVoid,
}

impl Operation {
    /// The `operation` value (`None`: a create).
    fn parse(value: Option<&str>) -> Option<Operation> {
        match value.map(str::to_ascii_lowercase).as_deref() {
            None | Some("" | "create") => Some(Operation::Create),
            Some("update") => Some(Operation::Update),
            Some("delete") => Some(Operation::Delete),
            Some("void") => Some(Operation::Void),
            Some(_) => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Void => "void",
            Operation::UpdateVoid => "update&include=void",
        }
    }
}

/// Apply one write to the books; returns the object answered under the entity's key (the
/// record, or a delete's status object). The caller holds the write lock and empties the query
/// cache after a success.
pub(crate) fn apply(
    state: &State,
    overlay: &mut Overlay,
    entity: Entity,
    operation: Operation,
    body: &Map<String, Value>,
) -> Result<Value, Fault> {
    if !build::writable(entity) {
        return Err(not_writable(entity, operation.name()));
    }
    let ds = state.data();
    let now = state.clock().now_secs();
    match operation {
        Operation::Create => create(state, overlay, entity, |ctx| build::build(ctx, body)),
        Operation::Update => {
            if !build::updatable(entity) {
                return Err(operation_not_served(entity, "update"));
            }
            let (index, previous, token) = target(state, overlay, entity, body)?;
            refuse_if_deposited(state, overlay, entity, index)?;
            let sparse = body.get("sparse") == Some(&Value::Bool(true));
            if entity == Entity::RecurringTransaction
                && build::template_body(body)?.1.get("sparse") == Some(&Value::Bool(true))
            {
                return Err(bad_body(
                    "a RecurringTransaction takes a full update: send the whole template",
                ));
            }
            let input = if sparse {
                let mut merged = previous.clone();
                if body.contains_key("Line") && !body.contains_key("TxnTaxDetail") {
                    merged.shift_remove("TxnTaxDetail");
                }
                for (key, value) in body {
                    if !SERVER_FIELDS.contains(&key.as_str()) {
                        merged.insert(key.clone(), value.clone());
                    }
                }
                merged
            } else {
                let mut full = body.clone();
                // Links to payments are the server's, not the client's, to keep.
                if let Some(linked) = previous.get("LinkedTxn")
                    && !full.contains_key("LinkedTxn")
                {
                    full.insert("LinkedTxn".into(), linked.clone());
                }
                full
            };
            let created = previous
                .get("MetaData")
                .and_then(|m| m.get("CreateTime"))
                .cloned()
                .unwrap_or(Value::Null);
            let ctx = Ctx {
                ds,
                overlay,
                entity,
                index,
                sync_token: token + 1,
                created,
                updated: now,
                previous: Some(&previous),
            };
            let json = build::build(&ctx, &input)?;
            let links = relinked(
                state,
                overlay,
                entity,
                index,
                Some(&previous),
                Some(&json),
                now,
            )?;
            overlay.set(
                ds,
                entity,
                index,
                Slot::Live(Stored {
                    json: json.clone(),
                    updated: now,
                }),
            );
            store_links(state, overlay, links);
            Ok(Value::Object(json))
        }
        Operation::Delete => {
            if !build::deletable(entity) {
                return Err(operation_not_served(entity, "delete"));
            }
            let (index, previous, _) = target(state, overlay, entity, body)?;
            refuse_if_deposited(state, overlay, entity, index)?;
            let links = relinked(state, overlay, entity, index, Some(&previous), None, now)?;
            overlay.set(ds, entity, index, Slot::Deleted(now));
            store_links(state, overlay, links);
            Ok(json!({
                "domain": "QBO",
                "status": "Deleted",
                "Id": (index + 1).to_string(),
            }))
        }
        Operation::Void => {
            if voided_by_update(entity) {
                return Err(void_by_update(entity));
            }
            if entity != Entity::Invoice {
                return Err(operation_not_served(entity, "void"));
            }
            void(state, overlay, entity, body, now)
        }
        Operation::UpdateVoid => {
            if !voided_by_update(entity) {
                return Err(void_by_operation(entity));
            }
            if body.get("sparse") != Some(&Value::Bool(true)) {
                return Err(bad_body(
                    "A void with operation=update&include=void is a sparse update: send \"sparse\": true with the Id and SyncToken",
                ));
            }
            void(state, overlay, entity, body, now)
        }
    }
}

/// Create a record of `entity` with what `built` makes of the write's context, and store it
/// (with the links it makes to the records it pays).
pub(crate) fn create(
    state: &State,
    overlay: &mut Overlay,
    entity: Entity,
    built: impl FnOnce(&Ctx<'_>) -> Result<Map<String, Value>, Fault>,
) -> Result<Value, Fault> {
    let ds = state.data();
    let now = state.clock().now_secs();
    let index = overlay.next_index(ds, entity);
    let ctx = Ctx {
        ds,
        overlay,
        entity,
        index,
        sync_token: 0,
        created: json!(Timestamp(now).to_string()),
        updated: now,
        previous: None,
    };
    let json = built(&ctx)?;
    let links = relinked(state, overlay, entity, index, None, Some(&json), now)?;
    overlay.insert(
        ds,
        entity,
        Stored {
            json: json.clone(),
            updated: now,
        },
    );
    store_links(state, overlay, links);
    state.stats().created();
    Ok(Value::Object(json))
}

/// Whether QBO voids `entity` with `operation=update&include=void` and a sparse body (an
/// Invoice is voided with `operation=void`).
fn voided_by_update(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Payment | Entity::SalesReceipt | Entity::BillPayment
    )
}

/// Void the record `body` names: amounts zero, a new `SyncToken`, kept (unlike a delete).
fn void(
    state: &State,
    overlay: &mut Overlay,
    entity: Entity,
    body: &Map<String, Value>,
    now: i64,
) -> Result<Value, Fault> {
    let ds = state.data();
    let (index, mut record, token) = target(state, overlay, entity, body)?;
    refuse_if_deposited(state, overlay, entity, index)?;
    let previous = record.clone();
    voided(&mut record);
    record.insert("SyncToken".into(), json!((token + 1).to_string()));
    if let Some(Value::Object(meta)) = record.get_mut("MetaData") {
        meta.insert("LastUpdatedTime".into(), json!(Timestamp(now).to_string()));
    }
    let links = relinked(
        state,
        overlay,
        entity,
        index,
        Some(&previous),
        Some(&record),
        now,
    )?;
    store_links(state, overlay, links);
    overlay.set(
        ds,
        entity,
        index,
        Slot::Live(Stored {
            json: record.clone(),
            updated: now,
        }),
    );
    Ok(Value::Object(record))
}

/// A paid record as a payment's write leaves it: its entity, index and JSON.
type Relinked = (Entity, usize, Map<String, Value>);

/// The invoices a payment pays, or the bills a bill payment pays, as a write of record `index`
/// of `entity` from `before` to `after` leaves them: each with its `Balance` less what is newly
/// paid (more what is no longer paid) and its `LinkedTxn` to the payment, as QBO keeps them.
/// Nothing is stored: a Fault (6000) when a payment would pay more than a record's balance.
fn relinked(
    state: &State,
    overlay: &Overlay,
    entity: Entity,
    index: usize,
    before: Option<&Map<String, Value>>,
    after: Option<&Map<String, Value>>,
    now: i64,
) -> Result<Vec<Relinked>, Fault> {
    let (paid, paid_type) = match entity {
        Entity::Payment => (Entity::Invoice, "Invoice"),
        Entity::BillPayment => (Entity::Bill, "Bill"),
        _ => return Ok(Vec::new()),
    };
    let amounts = |json: Option<&Map<String, Value>>| -> std::collections::BTreeMap<usize, i64> {
        json.map(|j| crate::written::paid_by_lines(j, paid_type))
            .unwrap_or_default()
            .into_iter()
            .collect()
    };
    let (was, now_paid) = (amounts(before), amounts(after));
    let own = json!({"TxnId": (index + 1).to_string(), "TxnType": entity.name()});
    let mut changed = Vec::new();
    for at in was
        .keys()
        .chain(now_paid.keys())
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
    {
        let old = was.get(&at).copied().unwrap_or(0);
        let new = now_paid.get(&at).copied().unwrap_or(0);
        let Some(mut record) = overlay.json(state.data(), paid, at) else {
            continue;
        };
        let balance = record
            .get("Balance")
            .and_then(crate::values::cents)
            .unwrap_or(0)
            + old
            - new;
        if new > old && balance < 0 {
            return Err(business(format!(
                "{paid_type} {} has {} open, less than the {} this {} pays on it",
                at + 1,
                crate::values::money(balance + new - old),
                crate::values::money(new - old),
                entity.name()
            )));
        }
        let mut links: Vec<Value> = record
            .get("LinkedTxn")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        links.retain(|l| {
            l.get("TxnType") != own.get("TxnType")
                || l.get("TxnId").and_then(id_text) != own.get("TxnId").and_then(id_text)
        });
        if new > 0 {
            links.push(own.clone());
        }
        if old == new && record.get("LinkedTxn").and_then(Value::as_array) == Some(&links) {
            continue;
        }
        record.insert("Balance".into(), crate::values::money(balance));
        record.insert("LinkedTxn".into(), Value::Array(links));
        if let Some(Value::Object(meta)) = record.get_mut("MetaData") {
            meta.insert("LastUpdatedTime".into(), json!(Timestamp(now).to_string()));
        }
        changed.push((paid, at, record));
    }
    Ok(changed)
}

/// Store what [`relinked`] gave.
fn store_links(state: &State, overlay: &mut Overlay, links: Vec<Relinked>) {
    for (entity, index, json) in links {
        let updated = state.clock().now_secs();
        overlay.set(
            state.data(),
            entity,
            index,
            Slot::Live(Stored { json, updated }),
        );
    }
}

/// QBO's 6540 when record `index` of `entity` is on a deposit: it cannot be changed, voided or
/// deleted until the deposit lets it go.
fn refuse_if_deposited(
    state: &State,
    overlay: &Overlay,
    entity: Entity,
    index: usize,
) -> Result<(), Fault> {
    match deposit_holding(state.data(), overlay, entity, index, None) {
        Some(_) => Err(deposited_transaction()),
        None => Ok(()),
    }
}

/// The record an update, delete or void names by `Id`, checked against its `SyncToken`:
/// its index, current JSON and token.
fn target(
    state: &State,
    overlay: &Overlay,
    entity: Entity,
    body: &Map<String, Value>,
) -> Result<(usize, Map<String, Value>, u64), Fault> {
    let body = if entity == Entity::RecurringTransaction {
        build::template_body(body)?.1
    } else {
        body
    };
    let id = body
        .get("Id")
        .and_then(id_text)
        .ok_or_else(|| required("Id"))?;
    let given = body
        .get("SyncToken")
        .and_then(id_text)
        .ok_or_else(|| required("SyncToken"))?;
    let (index, record) = index_of(&id)
        .and_then(|index| {
            overlay
                .json(state.data(), entity, index)
                .map(|record| (index, record))
        })
        .ok_or_else(Fault::object_not_found)?;
    let stored = if entity == Entity::RecurringTransaction {
        build::template_body(&record)?.1
    } else {
        &record
    };
    let current = stored
        .get("SyncToken")
        .and_then(id_text)
        .unwrap_or_else(|| "0".to_owned());
    if given != current {
        return Err(stale_object());
    }
    Ok((index, record, current.parse().unwrap_or(0)))
}

/// `{"Fault": {"Error": [...], "type": ...}}` plus the members of `extra`.
pub(crate) fn fault_json(fault: &Fault, extra: &[(&str, Value)]) -> Value {
    let mut map = Map::new();
    map.insert(
        "Fault".into(),
        json!({"Error": fault.errors, "type": fault.kind}),
    );
    for (key, value) in extra {
        map.insert((*key).to_owned(), value.clone());
    }
    Value::Object(map)
}

/// An answer as status and body bytes (what is kept for replays).
pub(crate) fn answer(status: StatusCode, body: &impl serde::Serialize) -> (StatusCode, Vec<u8>) {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, bytes),
        Err(err) => {
            tracing::error!(%err, "emulator: could not serialize a write's answer");
            let fault = Fault::internal("System Failure Error: the answer could not be written");
            let time = json!(ResponseTime::now().to_string());
            (
                fault.status,
                fault_json(&fault, &[("time", time)])
                    .to_string()
                    .into_bytes(),
            )
        }
    }
}

pub(crate) fn fault_answer(state: &State, fault: &Fault) -> (StatusCode, Vec<u8>) {
    let time = json!(state.clock().response_time().to_string());
    answer(fault.status, &fault_json(fault, &[("time", time)]))
}

/// The value of query parameter `name` (form-decoded, first occurrence).
fn query_param(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The request's `requestid`, checked against QBO's length limit.
pub(crate) fn request_id(uri: &Uri, max: usize) -> Result<Option<String>, Fault> {
    match query_param(uri, "requestid").filter(|id| !id.is_empty()) {
        Some(id) if id.chars().count() > max => Err(business(format!(
            "requestid is {} characters long; QBO accepts at most {max}",
            id.chars().count()
        ))),
        other => Ok(other),
    }
}

/// Run `work` under the overlay's write lock on a blocking thread, unless `requestid` was seen:
/// then answer what it was answered the first time and do nothing. A write that ran may lose
/// its answer (`--lose-write-answers`): kept for its `requestid`, never sent.
pub(crate) async fn idempotent(
    state: Arc<State>,
    realm: String,
    request_id: Option<String>,
    work: impl FnOnce(&State, &mut Overlay) -> (StatusCode, Vec<u8>) + Send + 'static,
) -> Response {
    let job = tokio::task::spawn_blocking(move || {
        let mut overlay = state.changes().write();
        let key = request_id.map(|id| format!("{realm}\u{0}{id}"));
        if let Some(kept) = key.as_deref().and_then(|k| overlay.kept(k)) {
            state.stats().replay();
            let status = StatusCode::from_u16(kept.status).unwrap_or(StatusCode::OK);
            return (status, kept.body.clone(), false);
        }
        let (status, body) = work(&state, &mut overlay);
        if let Some(key) = key {
            overlay.keep(
                key,
                crate::changes::KeptAnswer {
                    status: status.as_u16(),
                    body: body.clone(),
                },
            );
        }
        drop(overlay);
        if state.faults().lose_write_answer() {
            state.stats().answer_lost();
            return (status, Vec::new(), true);
        }
        (status, body, false)
    });
    match job.await {
        // Applied and kept, but the connection drops before the answer leaves.
        Ok((_, _, true)) => crate::faults::dropped(false),
        Ok((status, body, false)) => bytes_response(status, body, QBO_JSON),
        Err(err) => {
            tracing::error!(%err, "emulator: write task failed");
            Fault::internal("System Failure Error: the write could not be completed")
                .into_response()
        }
    }
}

/// The JSON object of a write's body.
fn object_body(body: &[u8]) -> Result<Map<String, Value>, Fault> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(bad_body(format!(
            "the body must be a JSON object of the entity, not {}",
            match other {
                Value::Array(_) => "an array",
                Value::String(_) => "a string",
                _ => "a scalar",
            }
        ))),
        Err(err) => Err(bad_body(format!("the body is not JSON: {err}"))),
    }
}

/// `POST /v3/company/{realm}/{entity}[?operation=update|delete|void][&requestid=...]`.
pub(crate) async fn write_entity(
    AxumState(state): AxumState<Arc<State>>,
    method: Method,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(Path((realm, resource))) = path else {
        return crate::fault::unsupported_resource(&method, &uri);
    };
    let Some(entity) = Entity::from_name(&resource) else {
        return crate::fault::unsupported_resource(&method, &uri);
    };
    let operation_param = query_param(&uri, "operation");
    let Some(operation) = Operation::parse(operation_param.as_deref()) else {
        return Fault::unsupported_operation(
            method.as_str(),
            uri.path(),
            "The operation parameter must be update, delete or void (none for a create).",
        )
        .into_response();
    };
    let include_void = query_param(&uri, "include").is_some_and(|v| v.eq_ignore_ascii_case("void"));
    let operation = match operation {
        Operation::Update if include_void => Operation::UpdateVoid,
        other => other,
    };
    let request_id = match request_id(&uri, MAX_REQUEST_ID) {
        Ok(id) => id,
        Err(fault) => return fault.into_response(),
    };
    let body = body.map(|b| b.to_vec()).unwrap_or_default();
    idempotent(state, realm, request_id, move |state, overlay| {
        let result = object_body(&body).and_then(|body| {
            // QBO updates on the create path when the body names the record (python-quickbooks
            // and QBO's own samples send no `operation`).
            let record = match entity {
                Entity::RecurringTransaction => build::template_body(&body).map_or(&body, |t| t.1),
                _ => &body,
            };
            let operation = match operation {
                Operation::Create if record.get("Id").is_some_and(|id| !id.is_null()) => {
                    Operation::Update
                }
                other => other,
            };
            apply(state, overlay, entity, operation, &body)
        });
        match result {
            Ok(value) => {
                state.queries().invalidate();
                state.stats().write(true);
                answer(
                    StatusCode::OK,
                    &Envelope {
                        key: entity.name(),
                        value: &value,
                        time: state.clock().response_time(),
                    },
                )
            }
            Err(fault) => {
                state.stats().write(false);
                fault_answer(state, &fault)
            }
        }
    })
    .await
}

/// 400: the batch is larger than QBO takes.
fn batch_too_large(items: usize) -> Fault {
    Fault::new(
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "1040",
        "Batch Request Too Large",
        format!(
            "A batch holds at most {MAX_BATCH_ITEMS} BatchItemRequest items; this one has {items}"
        ),
        Some(""),
    )
}

/// `POST /v3/company/{realm}/batch` with `{"BatchItemRequest": [...]}`.
pub(crate) async fn batch(
    AxumState(state): AxumState<Arc<State>>,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let realm = path.map(|Path(realm)| realm).unwrap_or_default();
    let request_id = match request_id(&uri, MAX_BATCH_REQUEST_ID) {
        Ok(id) => id,
        Err(fault) => return fault.into_response(),
    };
    let body = body.map(|b| b.to_vec()).unwrap_or_default();
    idempotent(state, realm, request_id, move |state, overlay| {
        let items = match object_body(&body).and_then(|b| match b.get("BatchItemRequest") {
            Some(Value::Array(items)) => Ok(items.clone()),
            _ => Err(required("BatchItemRequest")),
        }) {
            Ok(items) => items,
            Err(fault) => return fault_answer(state, &fault),
        };
        if items.len() > MAX_BATCH_ITEMS {
            return fault_answer(state, &batch_too_large(items.len()));
        }
        state.stats().batch();
        let answers: Vec<Value> = items
            .iter()
            .map(|item| batch_item(state, overlay, item))
            .collect();
        answer(
            StatusCode::OK,
            &json!({
                "BatchItemResponse": answers,
                "time": state.clock().response_time().to_string(),
            }),
        )
    })
    .await
}

/// One `BatchItemRequest`: a write (`operation` and the entity's object) or a `Query`.
fn batch_item(state: &State, overlay: &mut Overlay, item: &Value) -> Value {
    let bid = item.get("bId").cloned().unwrap_or(Value::Null);
    let result = (|| -> Result<(String, Value), Fault> {
        let Some(item) = item.as_object() else {
            return Err(bad_body("a BatchItemRequest item must be an object"));
        };
        if let Some(statement) = item.get("Query") {
            let text = statement
                .as_str()
                .ok_or_else(|| bad_body("Query must be a string"))?;
            return batch_query(state, overlay, text).map(|v| ("QueryResponse".to_owned(), v));
        }
        let operation = item
            .get("operation")
            .and_then(Value::as_str)
            .ok_or_else(|| required("operation"))?;
        let operation = Operation::parse(Some(operation)).ok_or_else(|| {
            business(format!(
                "operation {operation} is not one of create, update, delete, void"
            ))
        })?;
        let (entity, body) = item
            .iter()
            .find_map(|(key, value)| {
                Entity::from_name(key)
                    .filter(|_| key != "bId")
                    .map(|entity| (entity, value))
            })
            .ok_or_else(|| required("the entity object (e.g. Invoice)"))?;
        let body = body
            .as_object()
            .ok_or_else(|| bad_body(format!("{} must be an object", entity.name())))?;
        let value = apply(state, overlay, entity, operation, body)?;
        Ok((entity.name().to_owned(), value))
    })();
    match result {
        Ok((key, value)) => {
            if key != "QueryResponse" {
                state.queries().invalidate();
                state.stats().write(true);
            }
            let mut map = Map::new();
            map.insert(key, value);
            map.insert("bId".into(), bid);
            Value::Object(map)
        }
        Err(fault) => {
            state.stats().write(false);
            fault_json(&fault, &[("bId", bid)])
        }
    }
}

/// A batch `Query` item's `QueryResponse` object.
fn batch_query(state: &State, overlay: &Overlay, text: &str) -> Result<Value, Fault> {
    let parsed = query::parse(text).map_err(|e| Fault::query_parse(e.detail))?;
    let ds = state.data();
    let time = state.clock().response_time();
    let whole = match state.queries().run(ds, overlay, &parsed)? {
        Outcome::Count(total) => serde_json::to_value(Count { total, time }),
        Outcome::Page {
            entity,
            start_position,
            rows,
        } => serde_json::to_value(Page {
            ds,
            table: overlay.table(entity),
            entity,
            start_position,
            rows: &rows,
            fields: &parsed.fields,
            all_custom_fields: false,
            time,
        }),
    };
    whole
        .ok()
        .and_then(|mut v| v.get_mut("QueryResponse").map(Value::take))
        .ok_or_else(|| Fault::internal("System Failure Error: a query page could not be written"))
}
