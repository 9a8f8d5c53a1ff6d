//! Rendering one input row into the call that carries it: the `requestid` (from
//! `input.requestid` or derived from the row), the body, `operation=...`, and the batch call and
//! item that group rows.

use super::input::Row;
use super::requestid;
use super::result::{RowResult, Status};
use crate::connection::ResolvedConnection;
use crate::diagnostics::Error;
use crate::http::ApiCall;
use crate::render::{self, RenderedRequest, VarValues};
use crate::spec::{RequestSpec, WriteOperation, WriteSpec};
use serde_json::{Map, Value, json};

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

/// A row rendered and ready to send.
pub(super) struct Prepared {
    pub(super) number: u64,
    pub(super) requestid: String,
    /// The call of this row alone (also the model of its batch call and its re-read).
    pub(super) call: ApiCall,
    pub(super) body: Map<String, Value>,
}

impl WritePlan<'_> {
    /// The identity derived `requestid`s are made from.
    pub(super) fn scope(&self) -> String {
        format!(
            "{}/{}/{}",
            self.spec.name,
            self.write.entity,
            self.write.operation.as_str()
        )
    }

    /// Renders `row` into its call; a row that cannot be rendered is its own (error) result.
    pub(super) fn prepare(&self, row: &Row) -> Result<Prepared, Box<RowResult>> {
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
    pub(super) fn batch_call(
        &self,
        model: &ApiCall,
        requestid: &str,
        items: Vec<Value>,
    ) -> ApiCall {
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
    pub(super) fn batch_item(&self, prepared: &Prepared) -> Value {
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
    pub(super) fn done(
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
pub(super) fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
