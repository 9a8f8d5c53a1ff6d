//! QBO error bodies and the response plumbing every handler shares.
//!
//! Why it exists: a client written against real QBO parses `Fault` bodies in several shapes — the
//! canonical `{"Fault":{"Error":[..],"type":..},"time":..}`, the gateway-style lowercase 401/403
//! bodies with nulls and an epoch-millisecond `time`, and the XML `IntuitResponse` that throttling
//! returns. They are all built here, from one place, so their key names, key order and casing match
//! `qbo-samples/` exactly. It also mints the `intuit_tid` every response carries. Nothing here may
//! echo a bearer token or client secret into a body.

use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::time::ResponseTime;

/// `Content-Type` of QBO's JSON answers (data and faults).
pub(crate) const QBO_JSON: &str = "application/json;charset=UTF-8";
/// `Content-Type` of QBO's XML answers.
pub(crate) const QBO_XML: &str = "application/xml;charset=UTF-8";
/// Name of the request-tracing header on every Intuit response.
pub(crate) const INTUIT_TID: &str = "intuit_tid";

/// A fresh `intuit_tid`, shaped like `1-628f0be4-19ed5ea63980105102b16b1e` (the AWS trace-id root
/// format Intuit uses: version, epoch seconds in hex, 96 random bits).
pub(crate) fn new_intuit_tid() -> String {
    let secs = crate::time::now_secs().max(0) as u64;
    let random: u128 = rand::random::<u128>() & ((1u128 << 96) - 1);
    format!("1-{:08x}-{random:024x}", secs & 0xffff_ffff)
}

/// One entry of `Fault.Error`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FaultError {
    #[serde(rename = "Message")]
    pub(crate) message: String,
    #[serde(rename = "Detail")]
    pub(crate) detail: String,
    pub(crate) code: String,
    /// Omitted when `None` (the query-parse sample has no `element`), `""` in validation faults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) element: Option<String>,
}

/// A canonical QBO fault: HTTP status, `Fault.type` and its errors. Rendered as JSON by
/// [`IntoResponse`], or as XML by [`Fault::into_xml_response`].
#[derive(Debug, Clone)]
pub(crate) struct Fault {
    pub(crate) status: StatusCode,
    pub(crate) kind: &'static str,
    pub(crate) errors: Vec<FaultError>,
}

/// The answer to a `/v3` path or method the emulator has no resource for: QBO's "Unsupported
/// Operation" fault, naming what is served.
pub(crate) fn unsupported_resource(method: &Method, uri: &Uri) -> Response {
    let why = if method == Method::POST {
        "The emulator serves writes (create; ?operation=update, delete, void) of Bill, Customer, \
         Invoice, Item, Payment and Vendor, POST /batch and POST /query."
    } else {
        "The emulator serves query, companyinfo and read-by-id of Account, Bill, Customer, \
         Invoice, Item, Payment and Vendor."
    };
    Fault::unsupported_operation(method.as_str(), uri.path(), why).into_response()
}

impl Fault {
    /// A single-error fault.
    pub(crate) fn new(
        status: StatusCode,
        kind: &'static str,
        code: &str,
        message: &str,
        detail: impl Into<String>,
        element: Option<&str>,
    ) -> Fault {
        Fault {
            status,
            kind,
            errors: vec![FaultError {
                message: message.to_owned(),
                detail: detail.into(),
                code: code.to_owned(),
                element: element.map(str::to_owned),
            }],
        }
    }

    /// 400 code 4000 "Error parsing query" (Detail starts `QueryParserError: `).
    pub(crate) fn query_parse(detail: impl Into<String>) -> Fault {
        Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "4000",
            "Error parsing query",
            detail,
            None,
        )
    }

    /// 400 code 4001 "Invalid query" (Detail starts `QueryValidationError: `).
    pub(crate) fn query_invalid(detail: impl Into<String>) -> Fault {
        Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "4001",
            "Invalid query",
            detail,
            Some(""),
        )
    }

    /// 400 code 610 "Object Not Found".
    pub(crate) fn object_not_found() -> Fault {
        Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "610",
            "Object Not Found",
            "Object Not Found : Something you're trying to use has been made inactive. \
             Check the fields with accounts, customers, items, vendors or employees.",
            Some(""),
        )
    }

    /// 400 code 500 "Unsupported Operation": what QBO answers for a path or method it has no
    /// resource for. `path` is the request path; `why` an optional extra sentence.
    pub(crate) fn unsupported_operation(method: &str, path: &str, why: &str) -> Fault {
        let mut detail = format!(
            "Operation Could not find resource for relative : {path} of full path: {path} \
             is not supported (method {method})."
        );
        if !why.is_empty() {
            detail.push(' ');
            detail.push_str(why);
        }
        Fault::new(
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "500",
            "Unsupported Operation",
            detail,
            None,
        )
    }

    /// 500 code 10000 SystemFault, for failures inside the emulator itself.
    pub(crate) fn internal(detail: impl Into<String>) -> Fault {
        Fault::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "SystemFault",
            "10000",
            "An application error has occurred while processing your request",
            detail,
            None,
        )
    }

    /// The 429 ThrottleExceeded fault (code 3001, type `SERVICE`) as in `fault-429-throttle.*`.
    pub(crate) fn throttled() -> Fault {
        Fault::new(
            StatusCode::TOO_MANY_REQUESTS,
            "SERVICE",
            "3001",
            "message=ThrottleExceeded; errorCode=003001; statusCode=429",
            "The request limit was reached.  Try again later",
            None,
        )
    }

    /// The fault as an XML `IntuitResponse` body (the shape of `fault-429-throttle.xml`).
    pub(crate) fn to_xml(&self, time: ResponseTime) -> String {
        let mut out = String::with_capacity(400);
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#);
        out.push('\n');
        out.push_str(&format!(
            "<IntuitResponse time=\"{time}\" xmlns=\"http://schema.intuit.com/finance/v3\">\n"
        ));
        out.push_str(&format!("    <Fault type=\"{}\">\n", xml_escape(self.kind)));
        for e in &self.errors {
            out.push_str(&format!("        <Error code=\"{}\"", xml_escape(&e.code)));
            if let Some(el) = e.element.as_deref().filter(|el| !el.is_empty()) {
                out.push_str(&format!(" element=\"{}\"", xml_escape(el)));
            }
            out.push_str(">\n");
            out.push_str(&format!(
                "            <Message>{}</Message>\n",
                xml_escape(&e.message)
            ));
            out.push_str(&format!(
                "            <Detail>{}</Detail>\n",
                xml_escape(&e.detail)
            ));
            out.push_str("        </Error>\n");
        }
        out.push_str("    </Fault>\n</IntuitResponse>\n");
        out
    }

    /// The fault as an XML response (`application/xml;charset=UTF-8`).
    pub(crate) fn into_xml_response(self) -> Response {
        let body = self.to_xml(ResponseTime::now());
        let mut res = Response::new(Body::from(body));
        *res.status_mut() = self.status;
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(QBO_XML));
        res
    }
}

#[derive(Serialize)]
struct CanonicalBody<'a> {
    #[serde(rename = "Fault")]
    fault: CanonicalFault<'a>,
    time: ResponseTime,
}

#[derive(Serialize)]
struct CanonicalFault<'a> {
    #[serde(rename = "Error")]
    error: &'a [FaultError],
    #[serde(rename = "type")]
    kind: &'a str,
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let body = CanonicalBody {
            fault: CanonicalFault {
                error: &self.errors,
                kind: self.kind,
            },
            time: ResponseTime::now(),
        };
        json_response(self.status, &body)
    }
}

/// Escape text for an XML attribute or element.
pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The gateway-style 401 of `fault-401-expired-token.json` (code 3200, lowercase keys, nulls,
/// epoch-millisecond `time`) plus a `WWW-Authenticate: Bearer` challenge.
pub(crate) fn gateway_401(detail: &str) -> Response {
    let body = serde_json::json!({
        "warnings": null,
        "intuitObject": null,
        "fault": {
            "error": [{
                "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                "detail": detail,
                "code": "3200",
                "element": null
            }],
            "type": "AUTHENTICATION"
        },
        "report": null,
        "queryResponse": null,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": null,
        "requestId": null,
        "time": crate::time::now_millis(),
        "status": null,
        "cdcresponse": []
    });
    let mut res = json_response(StatusCode::UNAUTHORIZED, &body);
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="Intuit", error="invalid_token""#),
    );
    res
}

/// The gateway-style 403 of `fault-403-authorization-revoked.json` (code 3100).
pub(crate) fn gateway_403(detail: &str) -> Response {
    let body = serde_json::json!({
        "warnings": null,
        "intuitObject": null,
        "fault": {
            "error": [{
                "message": "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                "detail": detail,
                "code": "3100",
                "element": null
            }],
            "type": "SERVICE"
        },
        "time": crate::time::now_millis()
    });
    json_response(StatusCode::FORBIDDEN, &body)
}

/// Serialize `value` straight into a response body with QBO's JSON content type. A serialization
/// failure (impossible for the emulator's own types) becomes a plain 500 SystemFault.
pub(crate) fn json_response<T: Serialize + ?Sized>(status: StatusCode, value: &T) -> Response {
    json_response_typed(status, value, QBO_JSON)
}

/// Like [`json_response`] with an explicit content type (the OAuth endpoints use plain
/// `application/json`).
pub(crate) fn json_response_typed<T: Serialize + ?Sized>(
    status: StatusCode,
    value: &T,
    content_type: &'static str,
) -> Response {
    let mut buf = Vec::with_capacity(256);
    match serde_json::to_writer(&mut buf, value) {
        Ok(()) => bytes_response(status, buf, content_type),
        Err(err) => {
            tracing::error!(%err, "emulator: could not serialize a response");
            let body = format!(
                r#"{{"Fault":{{"Error":[{{"Message":"An application error has occurred while processing your request","Detail":"System Failure Error: response serialization failed","code":"10000"}}],"type":"SystemFault"}},"time":"{}"}}"#,
                ResponseTime::now()
            );
            bytes_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                body.into_bytes(),
                QBO_JSON,
            )
        }
    }
}

/// A response holding `body` as-is.
pub(crate) fn bytes_response(
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tid_has_intuit_shape() {
        let tid = new_intuit_tid();
        let parts: Vec<&str> = tid.split('-').collect();
        assert_eq!(parts.len(), 3, "{tid}");
        assert_eq!(parts[0], "1");
        assert_eq!(parts[1].len(), 8);
        assert_eq!(parts[2].len(), 24);
        assert!(
            parts[1..]
                .iter()
                .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
        );
        assert_ne!(tid, new_intuit_tid());
    }

    #[test]
    fn xml_fault_matches_sample_shape() {
        let xml = Fault::throttled().to_xml(ResponseTime(1_758_299_223_219));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "IntuitResponse");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://schema.intuit.com/finance/v3")
        );
        assert_eq!(
            root.attribute("time"),
            Some("2025-09-19T09:27:03.219-07:00")
        );
        let fault = root
            .children()
            .find(|n| n.has_tag_name("Fault"))
            .expect("Fault");
        assert_eq!(fault.attribute("type"), Some("SERVICE"));
        let error = fault
            .children()
            .find(|n| n.has_tag_name("Error"))
            .expect("Error");
        assert_eq!(error.attribute("code"), Some("3001"));
        let text = |name: &str| {
            error
                .children()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
                .map(str::to_owned)
        };
        assert_eq!(
            text("Message").as_deref(),
            Some("message=ThrottleExceeded; errorCode=003001; statusCode=429")
        );
        assert_eq!(
            text("Detail").as_deref(),
            Some("The request limit was reached.  Try again later")
        );
        assert_eq!(xml_escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
