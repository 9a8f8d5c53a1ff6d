//! Sending rows to QBO: one call per row or one `POST /batch` per group, a refresh after a
//! refused token, and on a stale `SyncToken` (5010) a re-read and one resend when asked.

use super::input::Row;
use super::plan::{Prepared, WritePlan, text_of};
use super::requestid;
use super::result::{RowResult, Status};
use crate::auth::Session;
use crate::diagnostics::{Error, ErrorKind};
use crate::http::{self, ApiCall, ApiClient, ApiResponse, FailedCall, SendError, fault_from_json};
use crate::spec::OnStale;
use serde_json::Value;
use std::collections::HashMap;

/// What became of one exchange with QBO.
pub(super) enum Exchange {
    Answered(ApiResponse),
    Refused(FailedCall),
    Failed(Error),
}

/// Sends `call` with the session's token, refreshing once after a 401; `Err` only when a
/// person must log in (or the token store fails), which stops the whole run.
pub(super) async fn exchange(
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

pub(super) fn settle(outcome: Result<ApiResponse, SendError>) -> Exchange {
    match outcome {
        Ok(response) => Exchange::Answered(response),
        Err(SendError::Refused { failed, .. } | SendError::Unauthorized(failed)) => {
            Exchange::Refused(failed)
        }
        Err(SendError::Failed(error)) => Exchange::Failed(error),
    }
}

/// The JSON of an answer, or the row's error result.
pub(super) fn answer_json(
    row: u64,
    requestid: &str,
    response: &ApiResponse,
) -> Result<Value, Box<RowResult>> {
    serde_json::from_slice(&response.body).map_err(|err| {
        let mut result = RowResult::new(row, Some(requestid.to_string()), Status::Error);
        result.message = Some(format!("QBO's answer is not JSON: {err}"));
        result.intuit_tid = response.intuit_tid.clone();
        Box::new(result)
    })
}

/// Everything a row needs to be sent.
pub(super) struct Sender<'a> {
    pub(super) plan: &'a WritePlan<'a>,
    pub(super) session: &'a Session,
    pub(super) client: &'a ApiClient,
}

impl Sender<'_> {
    /// One row, one call (and a re-read and resend when stale and asked).
    pub(super) async fn single(&self, row: Row) -> Result<(Vec<RowResult>, u64), Error> {
        let prepared = match self.plan.prepare(&row) {
            Ok(prepared) => prepared,
            Err(result) => return Ok((vec![*result], 0)),
        };
        let (result, calls) = self.send(&prepared).await?;
        Ok((vec![result], calls))
    }

    pub(super) async fn send(&self, prepared: &Prepared) -> Result<(RowResult, u64), Error> {
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
    pub(super) fn stale(&self, code: Option<&str>) -> bool {
        code == Some("5010") && self.plan.write.on_stale == OnStale::Reread
    }

    /// After a 5010: read the object by `Id`, put its `SyncToken` in the body, send once more
    /// with a new `requestid`.
    pub(super) async fn reread_and_resend(
        &self,
        prepared: &Prepared,
    ) -> Result<(RowResult, u64), Error> {
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
    pub(super) async fn batch(&self, rows: Vec<Row>) -> Result<(Vec<RowResult>, u64), Error> {
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
pub(super) fn replace_requestid(url: &mut url::Url, requestid: &str) {
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
