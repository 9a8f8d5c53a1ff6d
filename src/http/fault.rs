//! Reads QBO's error bodies in every shape they come in: canonical JSON (`Fault.Error[]`),
//! gateway JSON (`fault.error[]`, lowercase keys, nulls), XML (`IntuitResponse/Fault/Error`),
//! and OAuth's `{"error", "error_description"}`; then turns them into one [`Error`].

use crate::diagnostics::{Error, ErrorKind};
use serde_json::Value;

/// One entry of a Fault's error list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FaultError {
    /// QBO's code, e.g. `3200` (leading zeros removed).
    pub code: String,
    /// The message.
    pub message: String,
    /// The detail, often the useful part.
    pub detail: String,
    /// The field at fault, when QBO names one.
    pub element: String,
}

/// A parsed QBO Fault.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fault {
    /// `ValidationFault`, `AUTHENTICATION`, `SERVICE`, ...
    pub fault_type: String,
    /// The errors, in order.
    pub errors: Vec<FaultError>,
}

impl Fault {
    /// The first error's code, if any.
    pub fn code(&self) -> Option<&str> {
        self.errors.first().map(|e| e.code.as_str())
    }
}

/// The Fault in a response body, if it has one (JSON of either casing, or XML).
pub fn parse_fault(body: &[u8]) -> Option<Fault> {
    let text = std::str::from_utf8(body)
        .ok()?
        .trim_start_matches('\u{feff}')
        .trim();
    if text.starts_with('<') {
        return parse_xml_fault(text);
    }
    let value: Value = serde_json::from_str(text).ok()?;
    fault_from_json(&value)
}

/// The Fault inside a JSON value (`Fault` or `fault`), if present.
pub fn fault_from_json(value: &Value) -> Option<Fault> {
    let fault = value.get("Fault").or_else(|| value.get("fault"))?;
    if fault.is_null() {
        return None;
    }
    let text = |v: &Value, keys: &[&str]| -> String {
        keys.iter()
            .find_map(|k| v.get(*k))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            })
            .unwrap_or_default()
    };
    let errors = fault
        .get("Error")
        .or_else(|| fault.get("error"))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|e| FaultError {
                    code: normalize_code(&text(e, &["code", "Code"])),
                    message: text(e, &["Message", "message"]),
                    detail: text(e, &["Detail", "detail"]),
                    element: text(e, &["element", "Element"]),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Fault {
        fault_type: text(fault, &["type", "Type"]),
        errors,
    })
}

fn parse_xml_fault(text: &str) -> Option<Fault> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let fault = doc.descendants().find(|n| n.has_tag_name("Fault"))?;
    let child_text = |node: roxmltree::Node, name: &str| -> String {
        node.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let errors = fault
        .children()
        .filter(|c| c.has_tag_name("Error"))
        .map(|e| FaultError {
            code: normalize_code(e.attribute("code").unwrap_or_default()),
            message: child_text(e, "Message"),
            detail: child_text(e, "Detail"),
            element: e.attribute("element").unwrap_or_default().to_string(),
        })
        .collect();
    Some(Fault {
        fault_type: fault.attribute("type").unwrap_or_default().to_string(),
        errors,
    })
}

fn normalize_code(code: &str) -> String {
    let trimmed = code.trim().trim_start_matches('0');
    if trimmed.is_empty() && !code.trim().is_empty() {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

/// An OAuth error body (`{"error": "...", "error_description": "..."}`).
pub fn parse_oauth_error(body: &[u8]) -> Option<(String, Option<String>)> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let error = value.get("error")?.as_str()?.to_string();
    let description = value
        .get("error_description")
        .and_then(Value::as_str)
        .map(str::to_string);
    Some((error, description))
}

/// Everything known about a failed HTTP exchange, for the error shown to the user.
#[derive(Debug, Clone)]
pub struct FailedCall {
    /// `GET /v3/company/123/query` (never with secrets).
    pub request: String,
    /// HTTP status code.
    pub status: u16,
    /// Its reason phrase.
    pub reason: String,
    /// The parsed Fault, if the body had one.
    pub fault: Option<Fault>,
    /// The start of the body when it had no Fault.
    pub body_excerpt: Option<String>,
    /// The `intuit_tid` response header.
    pub intuit_tid: Option<String>,
}

impl FailedCall {
    /// Whether retrying later may succeed (throttling and server errors).
    pub fn is_transient(&self) -> bool {
        matches!(self.status, 429 | 500 | 502 | 503 | 504)
    }

    /// The user-facing error.
    pub fn into_error(self) -> Error {
        let kind = if self.is_transient() {
            ErrorKind::Transient
        } else {
            ErrorKind::Remote
        };
        let hint = self.hint();
        let headline = match self.fault.as_ref().and_then(|f| f.errors.first()) {
            Some(first) => format!(
                "QBO answered {} {}: {} (code {})",
                self.status, self.reason, first.message, first.code
            ),
            None => format!("QBO answered {} {}", self.status, self.reason),
        };
        let mut error = Error::new(kind, headline).note(format!("request: {}", self.request));
        if let Some(fault) = &self.fault {
            if !fault.fault_type.is_empty() {
                error = error.note(format!("fault type: {}", fault.fault_type));
            }
            for (index, item) in fault.errors.iter().enumerate() {
                if index > 0 {
                    error = error.note(format!("also: {} (code {})", item.message, item.code));
                }
                if !item.detail.is_empty() {
                    error = error.note(format!("detail: {}", item.detail));
                }
                if !item.element.is_empty() {
                    error = error.note(format!("element: {}", item.element));
                }
            }
        }
        if let Some(excerpt) = self.body_excerpt {
            error = error.note(format!("body: {excerpt}"));
        }
        error = error.note(format!(
            "intuit_tid: {}",
            self.intuit_tid.as_deref().unwrap_or("(none)")
        ));
        if let Some(hint) = hint {
            error = error.note(format!("help: {hint}"));
        }
        error
    }

    fn hint(&self) -> Option<&'static str> {
        let timed_out =
            self.status == 504 || self.fault.as_ref().and_then(Fault::code) == Some("6002");
        if timed_out && self.request.contains("/reports/") {
            return Some(
                "a report over a dense range can time out at QBO: ask for it in windows, e.g. `window: month` in the request file (one call per month, the rows joined in order)",
            );
        }
        match self.fault.as_ref().and_then(Fault::code) {
            Some("4000") => {
                Some("the query statement does not parse; run with --dry-run to see it as sent")
            }
            Some("4001") => Some(
                "a field in WHERE or ORDERBY cannot be queried; QBO documents which fields are filterable",
            ),
            Some("3100") => Some(
                "the app's access was revoked or the tokens belong to the other environment (sandbox/production); log in again",
            ),
            Some("3001") => Some("QBO throttled the calls; wait a minute and run again"),
            Some("610") => Some("the object does not exist or was made inactive"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_that_times_out_suggests_windows() {
        let body = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="2025-05-27T11:42:31.710-07:00" xmlns="http://schema.intuit.com/finance/v3">
    <Fault type="SERVICE">
        <Error code="6002">
            <Message>message=GatewayTimeout; errorCode=006002; statusCode=504</Message>
        </Error>
    </Fault>
</IntuitResponse>"#;
        let call = |request: &str| FailedCall {
            request: request.to_string(),
            status: 504,
            reason: "Gateway Timeout".to_string(),
            fault: parse_fault(body),
            body_excerpt: None,
            intuit_tid: None,
        };
        let error = call("GET /v3/company/1/reports/GeneralLedger").into_error();
        assert_eq!(error.kind(), ErrorKind::Transient);
        assert!(
            error.message().contains("(code 6002)"),
            "{}",
            error.message()
        );
        assert!(
            error.notes().iter().any(|n| n.contains("`window: month`")),
            "{:?}",
            error.notes()
        );
        let error = call("GET /v3/company/1/query").into_error();
        assert!(!error.notes().iter().any(|n| n.contains("window")));
    }

    #[test]
    fn reads_canonical_json() {
        let body = br#"{"Fault":{"Error":[{"Message":"Error parsing query","Detail":"QueryParserError: x","code":"4000"}],"type":"ValidationFault"},"time":"2025-09-19T09:21:40.007-07:00"}"#;
        let fault = parse_fault(body).expect("fault");
        assert_eq!(fault.fault_type, "ValidationFault");
        assert_eq!(fault.errors[0].code, "4000");
        assert_eq!(fault.errors[0].detail, "QueryParserError: x");
    }

    #[test]
    fn reads_gateway_json_with_nulls() {
        let body = br#"{"warnings":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401","detail":"Token expired: x","code":"3200","element":null}],"type":"AUTHENTICATION"},"time":1758298364118}"#;
        let fault = parse_fault(body).expect("fault");
        assert_eq!(fault.code(), Some("3200"));
        assert_eq!(fault.errors[0].element, "");
        assert_eq!(fault.fault_type, "AUTHENTICATION");
    }

    #[test]
    fn reads_xml_throttle() {
        let body = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse time="2025-09-19T09:27:03.219-07:00" xmlns="http://schema.intuit.com/finance/v3">
    <Fault type="SERVICE">
        <Error code="003001">
            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>
            <Detail>The request limit was reached.  Try again later</Detail>
        </Error>
    </Fault>
</IntuitResponse>"#;
        let fault = parse_fault(body).expect("fault");
        assert_eq!(fault.code(), Some("3001"));
        assert_eq!(fault.fault_type, "SERVICE");
        assert_eq!(
            fault.errors[0].detail,
            "The request limit was reached.  Try again later"
        );
    }

    #[test]
    fn no_fault_in_a_query_response() {
        assert_eq!(parse_fault(br#"{"QueryResponse":{},"time":"x"}"#), None);
        assert_eq!(parse_fault(b"not json"), None);
    }

    #[test]
    fn error_names_status_code_message_and_tid() {
        let call = FailedCall {
            request: "GET /v3/company/1/query".into(),
            status: 400,
            reason: "Bad Request".into(),
            fault: parse_fault(br#"{"Fault":{"Error":[{"Message":"Error parsing query","Detail":"QueryParserError: bad","code":"4000"}],"type":"ValidationFault"}}"#),
            body_excerpt: None,
            intuit_tid: Some("1-abc-def".into()),
        };
        let text = crate::diagnostics::render(&call.into_error());
        assert!(
            text.starts_with(
                "error: QBO answered 400 Bad Request: Error parsing query (code 4000)\n"
            ),
            "{text}"
        );
        assert!(text.contains("= detail: QueryParserError: bad"));
        assert!(text.contains("= intuit_tid: 1-abc-def"));
    }
}
