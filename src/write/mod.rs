//! Writes driven by an input file: each row of a CSV or JSON Lines file rendered into one
//! create, update, delete or void, sent one call per row or grouped into QBO batches, with one
//! result per row, in input order.
//!
//! Why it exists: a write must be safe to send again and must not stop at the first refusal.
//! Every call carries a `requestid` (from `input.requestid` or derived from the row, see
//! [`requestid`]), so the HTTP retries and a re-run of the whole file replay QBO's first answer
//! instead of writing twice. A row's Fault becomes its result (`status: fault` with QBO's code,
//! message, detail and `intuit_tid`) and the other rows go on. With `on_stale: reread`, a 5010
//! Stale Object Fault makes the row read its object again, take the current `SyncToken` and be
//! sent once more. Rows are sent concurrently within the company's limits, results are handed on
//! in input order, and only the rows in flight are held: memory does not grow with the input.
//! Only a person-must-log-in failure stops the run.

pub mod input;
pub mod requestid;

pub use input::{InputRows, Row};

use crate::auth::Session;
use crate::connection::ResolvedConnection;
use crate::diagnostics::{Error, ErrorKind};
use crate::http::{self, ApiCall, ApiClient, ApiResponse, FailedCall, SendError, fault_from_json};
use crate::render::{self, RenderedRequest, VarValues};
use crate::spec::{OnStale, RequestSpec, WriteOperation, WriteSpec};
use futures::StreamExt;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// What every row of a run is rendered with.
pub struct WritePlan<'a> {
    /// The request file.
    pub spec: &'a RequestSpec,
    /// Its write keys.
    pub write: &'a WriteSpec,
    /// The connection (base URL, minor version).
    pub connection: &'a ResolvedConnection,
    /// The company.
    pub realm_id: &'a str,
    /// The run's variables.
    pub vars: &'a VarValues,
}

/// How a row ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// QBO did it.
    Ok,
    /// QBO refused it with a Fault (or another HTTP error).
    Fault,
    /// It could not be sent: the row does not render, or no answer came after the retries.
    Error,
}

impl Status {
    /// `ok`, `fault` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fault => "fault",
            Status::Error => "error",
        }
    }
}

/// The result of one input row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowResult {
    /// The row's 1-based number.
    pub row: u64,
    /// The `requestid` sent with the call that carried the row (a batch's own id in batch mode).
    pub requestid: Option<String>,
    /// How it ended.
    pub status: Status,
    /// The record's `Id`.
    pub id: Option<String>,
    /// The record's `SyncToken` after the write.
    pub sync_token: Option<String>,
    /// QBO's error code (or the HTTP status when there was no Fault).
    pub code: Option<String>,
    /// QBO's message, or what went wrong.
    pub message: Option<String>,
    /// QBO's detail.
    pub detail: Option<String>,
    /// The `intuit_tid` of the answer.
    pub intuit_tid: Option<String>,
    /// Whether the row was sent again after a stale `SyncToken`.
    pub stale_retry: bool,
}

impl RowResult {
    fn new(row: u64, requestid: Option<String>, status: Status) -> RowResult {
        RowResult {
            row,
            requestid,
            status,
            id: None,
            sync_token: None,
            code: None,
            message: None,
            detail: None,
            intuit_tid: None,
            stale_retry: false,
        }
    }

    /// A row that could not be sent, with why.
    fn error(row: u64, requestid: Option<String>, error: &Error) -> RowResult {
        let mut result = RowResult::new(row, requestid, Status::Error);
        result.message = Some(match error.location() {
            Some(at) => format!(
                "{} ({}:{}:{})",
                error.message(),
                at.path.display(),
                at.line,
                at.column
            ),
            None => error.message().to_string(),
        });
        let notes: Vec<&str> = error
            .notes()
            .iter()
            .map(String::as_str)
            .filter(|n| !n.starts_with("intuit_tid: "))
            .collect();
        if !notes.is_empty() {
            result.detail = Some(notes.join("; "));
        }
        result
    }

    /// A row QBO refused.
    fn refused(row: u64, requestid: Option<String>, failed: &FailedCall) -> RowResult {
        let mut result = RowResult::new(row, requestid, Status::Fault);
        match failed.fault.as_ref().and_then(|f| f.errors.first()) {
            Some(first) => {
                result.code = Some(first.code.clone());
                result.message = Some(first.message.clone());
                result.detail = (!first.detail.is_empty()).then(|| first.detail.clone());
            }
            None => {
                result.code = Some(failed.status.to_string());
                result.message = Some(format!("HTTP {} {}", failed.status, failed.reason));
                result.detail = failed.body_excerpt.clone();
            }
        }
        result.intuit_tid = failed.intuit_tid.clone();
        result
    }

    /// The result as the record written to the output: `row`, `requestid`, `status`, `id`,
    /// `sync_token`, `code`, `message`, `detail`, `intuit_tid`, `stale_retry`, in that order.
    pub fn to_record(&self) -> Value {
        json!({
            "row": self.row,
            "requestid": self.requestid,
            "status": self.status.as_str(),
            "id": self.id,
            "sync_token": self.sync_token,
            "code": self.code,
            "message": self.message,
            "detail": self.detail,
            "intuit_tid": self.intuit_tid,
            "stale_retry": self.stale_retry,
        })
    }
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Rows read.
    pub rows: u64,
    /// Rows whose status is not `ok`.
    pub failed: u64,
    /// HTTP calls made (batches, re-reads and resends included).
    pub calls: u64,
}

/// A row rendered and ready to send.
struct Prepared {
    number: u64,
    requestid: String,
    /// The call of this row alone (also the model of its batch call and its re-read).
    call: ApiCall,
    body: Map<String, Value>,
}

/// What became of one exchange with QBO.
enum Exchange {
    Answered(ApiResponse),
    Refused(FailedCall),
    Failed(Error),
}

impl WritePlan<'_> {
    /// The identity derived `requestid`s are made from.
    fn scope(&self) -> String {
        format!(
            "{}/{}/{}",
            self.spec.name,
            self.write.entity,
            self.write.operation.as_str()
        )
    }

    /// Renders `row` into its call; a row that cannot be rendered is its own (error) result.
    fn prepare(&self, row: &Row) -> Result<Prepared, Box<RowResult>> {
        let number = row.number;
        let value = minijinja::Value::from_serialize(&row.fields);
        let requestid = if self.write.requestid_template {
            let id = render::render_template(
                self.spec,
                self.connection,
                self.realm_id,
                self.vars,
                Some(&value),
                "input.requestid",
            )
            .map_err(|e| Box::new(RowResult::error(number, None, &e)))?;
            let id = id.trim().to_string();
            if id.is_empty() || id.chars().count() > requestid::MAX_LEN {
                let error = Error::file(format!(
                    "`input.requestid` renders to {} characters; QBO takes 1 to {}",
                    id.chars().count(),
                    requestid::MAX_LEN
                ));
                return Err(Box::new(RowResult::error(number, Some(id), &error)));
            }
            id
        } else {
            requestid::for_row(&self.scope(), &row.fields)
        };
        let rendered = RenderedRequest::render_row(
            self.spec,
            self.connection,
            self.realm_id,
            self.vars,
            Some(&value),
        )
        .map_err(|e| Box::new(RowResult::error(number, Some(requestid.clone()), &e)))?;
        let mut call = rendered.call(1);
        let text = call
            .body
            .as_ref()
            .map(|(_, text)| text.as_str())
            .unwrap_or("");
        let body = match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(body)) => body,
            Ok(_) => {
                let error = Error::file("the rendered `body` is not a JSON object");
                return Err(Box::new(RowResult::error(number, Some(requestid), &error)));
            }
            Err(err) => {
                let error = Error::file(format!("the rendered `body` is not JSON: {err}"));
                return Err(Box::new(RowResult::error(number, Some(requestid), &error)));
            }
        };
        let operation = self.write.operation;
        let has_operation = call.url.query_pairs().any(|(name, _)| name == "operation");
        {
            let mut pairs = call.url.query_pairs_mut();
            if operation != WriteOperation::Create && !has_operation {
                pairs.append_pair("operation", operation.as_str());
            }
            pairs.append_pair("requestid", &requestid);
        }
        Ok(Prepared {
            number,
            requestid,
            call,
            body,
        })
    }

    /// The `POST .../batch` call carrying `items`, beside the rows' own path.
    fn batch_call(&self, model: &ApiCall, requestid: &str, items: Vec<Value>) -> ApiCall {
        let mut url = model.url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().pop().push("batch");
        }
        let kept: Vec<(String, String)> = model
            .url
            .query_pairs()
            .filter(|(name, _)| name != "operation" && name != "requestid")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &kept {
                pairs.append_pair(name, value);
            }
            pairs.append_pair("requestid", requestid);
        }
        ApiCall {
            method: reqwest::Method::POST,
            url,
            headers: model.headers.clone(),
            body: Some((
                "application/json".to_string(),
                json!({ "BatchItemRequest": items }).to_string(),
            )),
        }
    }

    /// A batch item for a prepared row.
    fn batch_item(&self, prepared: &Prepared) -> Value {
        let mut item = Map::new();
        item.insert("bId".into(), json!(prepared.number.to_string()));
        item.insert("operation".into(), json!(self.write.operation.as_str()));
        item.insert(
            self.write.entity.clone(),
            Value::Object(prepared.body.clone()),
        );
        Value::Object(item)
    }

    /// The result of a row QBO did: `Id` and `SyncToken` of the entity object in `object`.
    fn done(
        &self,
        row: u64,
        requestid: &str,
        object: Option<&Value>,
        tid: Option<String>,
    ) -> RowResult {
        let Some(record) = object.and_then(|o| o.get(&self.write.entity)) else {
            let mut result = RowResult::new(row, Some(requestid.to_string()), Status::Error);
            result.message = Some(format!("QBO's answer has no {} object", self.write.entity));
            result.intuit_tid = tid;
            return result;
        };
        let mut result = RowResult::new(row, Some(requestid.to_string()), Status::Ok);
        result.id = record.get("Id").and_then(text_of);
        result.sync_token = record.get("SyncToken").and_then(text_of);
        result.intuit_tid = tid;
        result
    }
}

/// An id-like JSON value as text.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Sends `call` with the session's token, refreshing once after a 401; `Err` only when a
/// person must log in (or the token store fails), which stops the whole run.
async fn exchange(
    client: &ApiClient,
    session: &Session,
    call: &ApiCall,
) -> Result<Exchange, Error> {
    let token = session.access_token().await?;
    let first = match http::send_detailed(client, call, &token).await {
        Err(SendError::Unauthorized(first)) => first,
        other => return Ok(settle(other)),
    };
    tracing::info!(request = %call.describe(), intuit_tid = first.intuit_tid.as_deref().unwrap_or(""), "access token refused; refreshing once");
    let token = session.refresh_after_rejection(&token).await?;
    match http::send_detailed(client, call, &token).await {
        Err(SendError::Unauthorized(second)) => Err(Error::new(
            ErrorKind::AuthNeedsLogin,
            "QBO refused a freshly refreshed access token",
        )
        .note(second.into_error().message().to_string())
        .note(format!(
            "run: {}",
            crate::auth::login_command(session.connection())
        ))),
        other => Ok(settle(other)),
    }
}

fn settle(outcome: Result<ApiResponse, SendError>) -> Exchange {
    match outcome {
        Ok(response) => Exchange::Answered(response),
        Err(SendError::Refused { failed, .. } | SendError::Unauthorized(failed)) => {
            Exchange::Refused(failed)
        }
        Err(SendError::Failed(error)) => Exchange::Failed(error),
    }
}

/// The JSON of an answer, or the row's error result.
fn answer_json(row: u64, requestid: &str, response: &ApiResponse) -> Result<Value, Box<RowResult>> {
    serde_json::from_slice(&response.body).map_err(|err| {
        let mut result = RowResult::new(row, Some(requestid.to_string()), Status::Error);
        result.message = Some(format!("QBO's answer is not JSON: {err}"));
        result.intuit_tid = response.intuit_tid.clone();
        Box::new(result)
    })
}

/// Everything a row needs to be sent.
struct Sender<'a> {
    plan: &'a WritePlan<'a>,
    session: &'a Session,
    client: &'a ApiClient,
}

impl Sender<'_> {
    /// One row, one call (and a re-read and resend when stale and asked).
    async fn single(&self, row: Row) -> Result<(Vec<RowResult>, u64), Error> {
        let prepared = match self.plan.prepare(&row) {
            Ok(prepared) => prepared,
            Err(result) => return Ok((vec![*result], 0)),
        };
        let (result, calls) = self.send(&prepared).await?;
        Ok((vec![result], calls))
    }

    async fn send(&self, prepared: &Prepared) -> Result<(RowResult, u64), Error> {
        let (number, id) = (prepared.number, prepared.requestid.as_str());
        let result = match exchange(self.client, self.session, &prepared.call).await? {
            Exchange::Answered(response) => match answer_json(number, id, &response) {
                Ok(value) => self
                    .plan
                    .done(number, id, Some(&value), response.intuit_tid),
                Err(result) => *result,
            },
            Exchange::Refused(failed) => {
                if self.stale(failed.fault.as_ref().and_then(|f| f.code())) {
                    let (result, calls) = self.reread_and_resend(prepared).await?;
                    return Ok((result, calls + 1));
                }
                RowResult::refused(number, Some(id.to_string()), &failed)
            }
            Exchange::Failed(error) => RowResult::error(number, Some(id.to_string()), &error),
        };
        Ok((result, 1))
    }

    /// Whether a Fault with `code` sends the row again after a re-read.
    fn stale(&self, code: Option<&str>) -> bool {
        code == Some("5010") && self.plan.write.on_stale == OnStale::Reread
    }

    /// After a 5010: read the object by `Id`, put its `SyncToken` in the body, send once more
    /// with a new `requestid`.
    async fn reread_and_resend(&self, prepared: &Prepared) -> Result<(RowResult, u64), Error> {
        let number = prepared.number;
        let stale = |mut result: RowResult| {
            result.stale_retry = true;
            result
        };
        let Some(object_id) = prepared.body.get("Id").and_then(text_of) else {
            let error = Error::file("the body has no `Id` to read the object again by");
            return Ok((
                stale(RowResult::error(
                    number,
                    Some(prepared.requestid.clone()),
                    &error,
                )),
                0,
            ));
        };
        let mut url = prepared.call.url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().push(&object_id);
        }
        let minor: Vec<(String, String)> = prepared
            .call
            .url
            .query_pairs()
            .filter(|(name, _)| name == "minorversion")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.set_query(None);
        for (name, value) in &minor {
            url.query_pairs_mut().append_pair(name, value);
        }
        let read = ApiCall {
            method: reqwest::Method::GET,
            url,
            headers: prepared.call.headers.clone(),
            body: None,
        };
        let original = prepared.requestid.as_str();
        let current = match exchange(self.client, self.session, &read).await? {
            Exchange::Answered(response) => match answer_json(number, original, &response) {
                Ok(value) => value
                    .get(&self.plan.write.entity)
                    .and_then(|o| o.get("SyncToken"))
                    .and_then(text_of),
                Err(result) => return Ok((stale(*result), 1)),
            },
            Exchange::Refused(failed) => {
                return Ok((
                    stale(RowResult::refused(
                        number,
                        Some(original.to_string()),
                        &failed,
                    )),
                    1,
                ));
            }
            Exchange::Failed(error) => {
                return Ok((
                    stale(RowResult::error(number, Some(original.to_string()), &error)),
                    1,
                ));
            }
        };
        let Some(token) = current else {
            let error = Error::new(
                ErrorKind::Remote,
                format!(
                    "reading {} {object_id} again gave no SyncToken",
                    self.plan.write.entity
                ),
            );
            return Ok((
                stale(RowResult::error(number, Some(original.to_string()), &error)),
                1,
            ));
        };
        tracing::info!(row = number, id = %object_id, sync_token = %token, "stale SyncToken; sending the row again with the current one");
        let requestid = requestid::for_reread(original, &token);
        let mut body = prepared.body.clone();
        body.insert("SyncToken".into(), Value::String(token));
        let mut call = prepared.call.clone();
        call.body = Some((
            "application/json".to_string(),
            Value::Object(body).to_string(),
        ));
        replace_requestid(&mut call.url, &requestid);
        let result = match exchange(self.client, self.session, &call).await? {
            Exchange::Answered(response) => match answer_json(number, &requestid, &response) {
                Ok(value) => self
                    .plan
                    .done(number, &requestid, Some(&value), response.intuit_tid),
                Err(result) => *result,
            },
            Exchange::Refused(failed) => RowResult::refused(number, Some(requestid), &failed),
            Exchange::Failed(error) => RowResult::error(number, Some(requestid), &error),
        };
        Ok((stale(result), 2))
    }

    /// Rows in one `POST /batch`; items QBO refused stale are re-read and sent alone when asked.
    async fn batch(&self, rows: Vec<Row>) -> Result<(Vec<RowResult>, u64), Error> {
        let prepared: Vec<Result<Prepared, Box<RowResult>>> =
            rows.iter().map(|row| self.plan.prepare(row)).collect();
        let ready: Vec<&Prepared> = prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
        let Some(model) = ready.first() else {
            return Ok((
                prepared
                    .into_iter()
                    .filter_map(Result::err)
                    .map(|r| *r)
                    .collect(),
                0,
            ));
        };
        let ids: Vec<&str> = ready.iter().map(|p| p.requestid.as_str()).collect();
        let batch_id = requestid::for_batch(&ids);
        let items = ready.iter().map(|p| self.plan.batch_item(p)).collect();
        let call = self.plan.batch_call(&model.call, &batch_id, items);
        let mut calls = 1;
        let outcome = exchange(self.client, self.session, &call).await?;
        let answers: HashMap<String, Value> = match &outcome {
            Exchange::Answered(response) => serde_json::from_slice::<Value>(&response.body)
                .ok()
                .and_then(|mut v| v.get_mut("BatchItemResponse").map(Value::take))
                .and_then(|v| match v {
                    Value::Array(items) => Some(items),
                    _ => None,
                })
                .unwrap_or_default()
                .into_iter()
                .filter_map(|item| {
                    let bid = item.get("bId").and_then(text_of)?;
                    Some((bid, item))
                })
                .collect(),
            _ => HashMap::new(),
        };
        let mut results = Vec::with_capacity(prepared.len());
        for entry in &prepared {
            let prepared = match entry {
                Ok(prepared) => prepared,
                Err(result) => {
                    results.push(result.as_ref().clone());
                    continue;
                }
            };
            let number = prepared.number;
            let result = match &outcome {
                Exchange::Refused(failed) => {
                    RowResult::refused(number, Some(batch_id.clone()), failed)
                }
                Exchange::Failed(error) => RowResult::error(number, Some(batch_id.clone()), error),
                Exchange::Answered(response) => {
                    let tid = response.intuit_tid.clone();
                    match answers.get(&number.to_string()) {
                        Some(item) => match fault_from_json(item) {
                            Some(fault) if self.stale(fault.code()) => {
                                let (result, more) = self.reread_and_resend(prepared).await?;
                                calls += more;
                                result
                            }
                            Some(fault) => {
                                let failed = FailedCall {
                                    request: call.describe(),
                                    status: 200,
                                    reason: "OK".to_string(),
                                    fault: Some(fault),
                                    body_excerpt: None,
                                    intuit_tid: tid,
                                };
                                RowResult::refused(number, Some(batch_id.clone()), &failed)
                            }
                            None => self.plan.done(number, &batch_id, Some(item), tid),
                        },
                        None => {
                            let mut result =
                                RowResult::new(number, Some(batch_id.clone()), Status::Error);
                            result.message =
                                Some(format!("QBO's batch answer has no item with bId {number}"));
                            result.intuit_tid = tid;
                            result
                        }
                    }
                }
            };
            results.push(result);
        }
        Ok((results, calls))
    }
}

/// `url` with its `requestid` parameter set to `requestid`.
fn replace_requestid(url: &mut url::Url, requestid: &str) {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| name != "requestid")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.set_query(None);
    let mut pairs = url.query_pairs_mut();
    for (name, value) in &kept {
        pairs.append_pair(name, value);
    }
    pairs.append_pair("requestid", requestid);
}

/// Groups of up to `size` rows (an input error ends the groups with that error).
struct Chunks<I> {
    rows: I,
    size: usize,
    done: bool,
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

/// Sends every row of `rows` as `plan` says and hands each row's result to `sink` in input
/// order. Rows (or batches) are in flight concurrently up to the company's limit.
///
/// # Errors
///
/// An input row that cannot be read, a failure of `sink`, or a person-must-log-in failure;
/// a row QBO refuses is a result, not an error.
pub async fn run(
    plan: &WritePlan<'_>,
    session: &Session,
    client: &ApiClient,
    rows: InputRows,
    sink: &mut dyn FnMut(&RowResult) -> Result<(), Error>,
) -> Result<WriteStats, Error> {
    let sender = Sender {
        plan,
        session,
        client,
    };
    let sender = &sender;
    let in_flight = client.max_in_flight.max(1);
    let mut stats = WriteStats::default();
    let mut hand_on = |outcome: Result<(Vec<RowResult>, u64), Error>| -> Result<(), Error> {
        let (results, calls) = outcome?;
        stats.calls += calls;
        for result in &results {
            stats.rows += 1;
            if result.status != Status::Ok {
                stats.failed += 1;
            }
            sink(result)?;
        }
        Ok(())
    };
    match plan.write.batch_size {
        None => {
            let mut results = futures::stream::iter(rows)
                .map(|row| async move { sender.single(row?).await })
                .buffered(in_flight);
            while let Some(outcome) = results.next().await {
                hand_on(outcome)?;
            }
        }
        Some(size) => {
            let chunks = Chunks {
                rows,
                size,
                done: false,
            };
            let mut results = futures::stream::iter(chunks)
                .map(|chunk| async move { sender.batch(chunk?).await })
                .buffered(in_flight);
            while let Some(outcome) = results.next().await {
                hand_on(outcome)?;
            }
        }
    }
    Ok(stats)
}

/// The calls a run would send, for `--dry-run`: each handed to `emit` as text (method, URL with
/// its `requestid`, headers, body), rows that do not render as a comment. Nothing is sent.
///
/// # Errors
///
/// An input row that cannot be read, or what `emit` returns.
pub fn dry_run(
    plan: &WritePlan<'_>,
    rows: InputRows,
    emit: &mut dyn FnMut(&str) -> Result<(), Error>,
) -> Result<(), Error> {
    let describe = |call: &ApiCall| {
        let mut text = format!("{} {}\n", call.method, call.url);
        text.push_str("Authorization: Bearer ***\nAccept: application/json\n");
        for (name, value) in &call.headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        if let Some((content_type, body)) = &call.body {
            text.push_str(&format!("Content-Type: {content_type}\n\n{body}\n"));
        }
        text.push('\n');
        text
    };
    let failed = |result: &RowResult| {
        format!(
            "# row {}: not sent: {}\n\n",
            result.row,
            result.message.as_deref().unwrap_or("")
        )
    };
    match plan.write.batch_size {
        None => {
            for row in rows {
                let row = row?;
                match plan.prepare(&row) {
                    Ok(prepared) => {
                        emit(&format!(
                            "# row {}\n{}",
                            row.number,
                            describe(&prepared.call)
                        ))?;
                    }
                    Err(result) => emit(&failed(&result))?,
                }
            }
        }
        Some(size) => {
            let chunks = Chunks {
                rows,
                size,
                done: false,
            };
            for chunk in chunks {
                let chunk = chunk?;
                let prepared: Vec<Result<Prepared, Box<RowResult>>> =
                    chunk.iter().map(|row| plan.prepare(row)).collect();
                for result in prepared.iter().filter_map(|p| p.as_ref().err()) {
                    emit(&failed(result))?;
                }
                let ready: Vec<&Prepared> =
                    prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
                let Some(model) = ready.first() else {
                    continue;
                };
                let ids: Vec<&str> = ready.iter().map(|p| p.requestid.as_str()).collect();
                let items = ready.iter().map(|p| plan.batch_item(p)).collect();
                let call = plan.batch_call(&model.call, &requestid::for_batch(&ids), items);
                let numbers: Vec<String> = ready.iter().map(|p| p.number.to_string()).collect();
                emit(&format!(
                    "# rows {}\n{}",
                    numbers.join(", "),
                    describe(&call)
                ))?;
            }
        }
    }
    Ok(())
}
