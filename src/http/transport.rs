//! How API calls reach the server: a connection pool of its own whose read buffers stay small,
//! or, where the environment names a proxy for the URL, the connection's `reqwest` client
//! (which speaks to proxies).
//!
//! The pool is hyper's, built with a bounded read buffer: hyper grows a connection's buffer
//! to about 400 KiB on a fast link, and with ten pages in flight those buffers were most of
//! what a long run's memory grew by (`reqwest` does not let that bound be set). TLS is rustls
//! with the Mozilla roots (and `QBO_RUN_CA`'s), HTTP/2 by ALPN, gzip decoded on the way, as
//! `reqwest` does.

use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tower_http::decompression::{Decompression, DecompressionBody};
use tower_service::Service;

/// The `User-Agent` qbo-run sends.
pub const USER_AGENT: &str = concat!("qbo-run/", env!("CARGO_PKG_VERSION"));

/// The most a connection of the pool reads into its buffer at once (hyper's own bound is
/// 8 KiB + 400 KiB).
pub const READ_BUFFER_MOST: usize = 64 * 1024;

type Pool = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// What sends the requests of a connection, direct or through a proxy.
#[derive(Clone)]
pub struct Transport {
    direct: Decompression<Pool>,
    proxied: reqwest::Client,
    proxies: Arc<Matcher>,
    request_timeout: Duration,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// One request to send: what an API call becomes once its token is known.
#[derive(Debug)]
pub struct Outgoing<'a> {
    /// HTTP method.
    pub method: &'a http::Method,
    /// Full URL, query included.
    pub url: &'a url::Url,
    /// Headers beyond `Authorization`, `Accept` and `User-Agent`.
    pub headers: &'a [(String, String)],
    /// Content type and body.
    pub body: Option<(&'a str, &'a str)>,
    /// The bearer token.
    pub token: &'a Secret,
}

impl Transport {
    /// The transport of a connection: `proxied` (the connection's client) for URLs the
    /// environment's proxy variables cover, a pool of its own for the others; both with the
    /// connect and whole-request timeouts, trusting the Mozilla roots and `QBO_RUN_CA`'s.
    ///
    /// # Errors
    ///
    /// When TLS cannot be set up or `QBO_RUN_CA` names a file without usable certificates.
    pub fn new(
        proxied: reqwest::Client,
        timeouts: &crate::spec::Timeouts,
    ) -> Result<Transport, Error> {
        let roots = crate::tls::roots(crate::tls::API_CA)?;
        Transport::build(proxied, timeouts, Matcher::from_env(), roots)
    }

    /// [`Transport::new`] with the proxies `proxies` names and the TLS roots `roots`.
    fn build(
        proxied: reqwest::Client,
        timeouts: &crate::spec::Timeouts,
        proxies: Matcher,
        roots: rustls::RootCertStore,
    ) -> Result<Transport, Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(timeouts.connect_secs)));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|err| Error::new(ErrorKind::Internal, format!("TLS setup: {err}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(http);
        let pool = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_max_idle_per_host(16)
            .http1_max_buf_size(READ_BUFFER_MOST)
            .build(connector);
        Ok(Transport {
            direct: Decompression::new(pool),
            proxied,
            proxies: Arc::new(proxies),
            request_timeout: Duration::from_secs(timeouts.request_secs),
        })
    }

    /// Whether `url` goes through a proxy the environment names.
    pub fn is_proxied(&self, url: &url::Url) -> bool {
        url.as_str()
            .parse::<http::Uri>()
            .is_ok_and(|uri| self.proxies.intercept(&uri).is_some())
    }

    /// Sends `request`; the answer's body is read within the same whole-request deadline.
    ///
    /// # Errors
    ///
    /// When no answer comes: the error says whether it timed out or could not connect.
    pub async fn send(&self, request: Outgoing<'_>) -> Result<Answer, TransportError> {
        let deadline = Instant::now() + self.request_timeout;
        if self.is_proxied(request.url) {
            return self.send_proxied(request, deadline).await;
        }
        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(request.url.as_str())
            .header(http::header::USER_AGENT, USER_AGENT)
            .header(http::header::ACCEPT, "application/json")
            .header(
                http::header::AUTHORIZATION,
                format!("Bearer {}", request.token.expose()),
            );
        for (name, value) in request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = match request.body {
            Some((content_type, body)) => {
                builder = builder.header(http::header::CONTENT_TYPE, content_type);
                Full::new(Bytes::copy_from_slice(body.as_bytes()))
            }
            None => Full::new(Bytes::new()),
        };
        let outgoing = builder
            .body(body)
            .map_err(|err| TransportError::new(Failure::Invalid, &err))?;
        let mut pool = self.direct.clone();
        let sent = async {
            std::future::poll_fn(|cx| pool.poll_ready(cx)).await?;
            pool.call(outgoing).await
        };
        let response = match tokio::time::timeout_at(deadline, sent).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => {
                let failure = if timed_out(&err) {
                    Failure::Timeout
                } else if refused_certificate(&err).is_some() {
                    Failure::Certificate
                } else if err.is_connect() {
                    Failure::Connect
                } else {
                    Failure::Send
                };
                return Err(TransportError::new(failure, &err));
            }
            Err(_) => return Err(TransportError::timeout()),
        };
        let (parts, body) = response.into_parts();
        Ok(Answer {
            status: parts.status,
            version: parts.version,
            headers: parts.headers,
            body: AnswerBody::Direct(Box::new(body)),
            deadline,
        })
    }

    async fn send_proxied(
        &self,
        request: Outgoing<'_>,
        deadline: Instant,
    ) -> Result<Answer, TransportError> {
        let mut builder = self
            .proxied
            .request(request.method.clone(), request.url.clone())
            .bearer_auth(request.token.expose())
            .header(http::header::ACCEPT, "application/json");
        for (name, value) in request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if let Some((content_type, body)) = request.body {
            builder = builder
                .header(http::header::CONTENT_TYPE, content_type)
                .body(body.to_string());
        }
        let response = match tokio::time::timeout_at(deadline, builder.send()).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => return Err(TransportError::of_reqwest(&err)),
            Err(_) => return Err(TransportError::timeout()),
        };
        Ok(Answer {
            status: response.status(),
            version: response.version(),
            headers: response.headers().clone(),
            body: AnswerBody::Proxied(response),
            deadline,
        })
    }
}

/// `err` and the errors that caused it, outermost first.
fn causes<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(err), |inner| inner.source())
}

/// The refusal of a server's certificate among an error's causes (rustls's, however deep it
/// is wrapped: `std::io::Error`s nest, and their `source` skips the error they wrap).
pub fn refused_certificate<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::CertificateError> {
    causes(err).find_map(|inner| {
        let mut unwrapped = inner;
        while let Some(wrapped) = unwrapped
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            unwrapped = wrapped;
        }
        match unwrapped.downcast_ref::<rustls::Error>() {
            Some(rustls::Error::InvalidCertificate(refusal)) => Some(refusal),
            _ => None,
        }
    })
}

/// What to do when no trusted root vouches for the server's certificate: trust the private
/// authority that signed it.
pub fn certificate_advice(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    matches!(
        refused_certificate(err),
        Some(rustls::CertificateError::UnknownIssuer)
    )
    .then(|| {
        format!(
            "no trusted root vouches for the server's certificate; if your organisation signs it (a TLS-inspecting proxy, a private CA), name that authority's PEM file in {}",
            crate::tls::API_CA
        )
    })
}

/// [`certificate_advice`] as the `help:` note of an error.
pub fn certificate_help(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    certificate_advice(err).map(|advice| format!("help: {advice}"))
}

/// Whether an error's causes include a timed-out socket (a connect timeout).
fn timed_out(err: &(dyn std::error::Error + 'static)) -> bool {
    causes(err).any(|inner| {
        inner
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    })
}

/// An answer whose body is still to be read.
#[derive(Debug)]
pub struct Answer {
    status: http::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: AnswerBody,
    deadline: Instant,
}

enum AnswerBody {
    Direct(Box<DecompressionBody<hyper::body::Incoming>>),
    Proxied(reqwest::Response),
}

impl std::fmt::Debug for AnswerBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AnswerBody::Direct(_) => "Direct",
            AnswerBody::Proxied(_) => "Proxied",
        })
    }
}

impl Answer {
    /// The status.
    pub fn status(&self) -> http::StatusCode {
        self.status
    }

    /// The HTTP version it came in.
    pub fn version(&self) -> http::Version {
        self.version
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    }

    /// The body's length as the server declared it (none once gzip is decoded).
    pub fn content_length(&self) -> Option<u64> {
        self.header(http::header::CONTENT_LENGTH.as_str())?
            .trim()
            .parse()
            .ok()
    }

    /// The body's next bytes, gzip decoded; `None` at its end.
    ///
    /// # Errors
    ///
    /// When the connection is lost or the whole-request deadline passes.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        let deadline = self.deadline;
        match &mut self.body {
            AnswerBody::Direct(body) => loop {
                let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
                    Err(_) => return Err(TransportError::timeout()),
                    Ok(None) => return Ok(None),
                    Ok(Some(Err(err))) => {
                        return Err(TransportError::new(Failure::Send, err.as_ref()));
                    }
                    Ok(Some(Ok(frame))) => frame,
                };
                if let Ok(data) = frame.into_data()
                    && !data.is_empty()
                {
                    return Ok(Some(data));
                }
            },
            AnswerBody::Proxied(response) => {
                match tokio::time::timeout_at(deadline, response.chunk()).await {
                    Err(_) => Err(TransportError::timeout()),
                    Ok(Ok(chunk)) => Ok(chunk),
                    Ok(Err(err)) => Err(TransportError::of_reqwest(&err)),
                }
            }
        }
    }
}

/// What kind of failure left a call without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The whole-request or the connect timeout passed.
    Timeout,
    /// No connection could be made.
    Connect,
    /// The server's certificate was refused (not worth a retry).
    Certificate,
    /// The connection failed while the request was sent or the answer read.
    Send,
    /// The request could not be made at all (not worth a retry).
    Invalid,
}

/// A call left without an answer: its kind and its text (causes included, no URL).
#[derive(Debug)]
pub struct TransportError {
    /// What kind of failure.
    pub failure: Failure,
    text: String,
    help: Option<String>,
}

impl TransportError {
    fn new(failure: Failure, err: &(dyn std::error::Error + 'static)) -> TransportError {
        let mut text = err.to_string();
        for inner in causes(err).skip(1) {
            let more = inner.to_string();
            if !text.ends_with(&more) {
                text.push_str(": ");
                text.push_str(&more);
            }
        }
        TransportError {
            failure,
            text,
            help: certificate_help(err),
        }
    }

    fn timeout() -> TransportError {
        TransportError {
            failure: Failure::Timeout,
            text: "operation timed out".to_string(),
            help: None,
        }
    }

    fn of_reqwest(err: &reqwest::Error) -> TransportError {
        let failure = if err.is_timeout() {
            Failure::Timeout
        } else if refused_certificate(err).is_some() {
            Failure::Certificate
        } else if err.is_connect() {
            Failure::Connect
        } else if err.is_request() || err.is_body() || err.is_decode() {
            Failure::Send
        } else {
            Failure::Invalid
        };
        TransportError {
            failure,
            text: without_url(err),
            help: certificate_help(err),
        }
    }

    /// Whether the call may pass when sent again.
    pub fn is_transient(&self) -> bool {
        !matches!(self.failure, Failure::Invalid | Failure::Certificate)
    }

    /// What the user can do about it, when something can be said.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A reqwest error's text without its URL (which may carry query values).
pub fn without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    if let Some(url) = err.url() {
        text = text.replace(url.as_str(), url.path());
    }
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_urls_a_proxy_covers_go_through_it() {
        let proxies = Matcher::builder()
            .http("http://127.0.0.1:3128")
            .no("127.0.0.1,.intuit.com")
            .build();
        let transport = Transport::build(
            reqwest::Client::new(),
            &crate::spec::Timeouts::default(),
            proxies,
            rustls::RootCertStore::empty(),
        )
        .expect("transport");
        let url = |text: &str| url::Url::parse(text).expect("url");
        assert!(transport.is_proxied(&url("http://qbo.test:8080/v3/company/1/query")));
        assert!(!transport.is_proxied(&url("http://127.0.0.1:8080/v3/company/1/query")));
        assert!(!transport.is_proxied(&url("http://quickbooks.api.intuit.com/v3/company/1")));
        assert!(
            !transport.is_proxied(&url("https://qbo.test/v3/company/1")),
            "no HTTPS proxy is named"
        );
    }

    const BODY: &[u8] = br#"{"CompanyInfo": {"Id": "1", "CompanyName": "Over TLS"}}"#;

    /// A certificate authority of the test's own, and a server certificate for 127.0.0.1 it
    /// signed: the authority's certificate, and the server's chain and key.
    fn certificates() -> (
        rustls::pki_types::CertificateDer<'static>,
        rustls::pki_types::CertificateDer<'static>,
        rustls::pki_types::PrivateKeyDer<'static>,
    ) {
        let mut authority = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        authority.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let authority = rcgen::CertifiedIssuer::self_signed(
            authority,
            rcgen::KeyPair::generate().expect("key"),
        )
        .expect("authority");
        let key = rcgen::KeyPair::generate().expect("key");
        let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
            .expect("params")
            .signed_by(&key, &authority)
            .expect("server certificate");
        (
            authority.as_ref().der().clone(),
            server.der().clone(),
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
    }

    /// A TLS server on loopback that offers `protocol` by ALPN and answers one request with
    /// [`BODY`]; its URL, and the `authorization` and `user-agent` the request carried.
    async fn serve_tls(
        protocol: &'static [u8],
        chain: rustls::pki_types::CertificateDer<'static>,
        key: rustls::pki_types::PrivateKeyDer<'static>,
    ) -> (url::Url, tokio::sync::oneshot::Receiver<(String, String)>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(vec![chain], key)
            .expect("server config");
        config.alpn_protocols = vec![protocol.to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let (told, heard) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let (socket, _) = listener.accept().await.expect("accept");
            let Ok(mut tls) = acceptor.accept(socket).await else {
                return;
            };
            if protocol == b"h2" {
                let mut connection = h2::server::handshake(tls).await.expect("h2");
                if let Some(Ok((request, mut respond))) = connection.accept().await {
                    let header = |name: &str| {
                        request
                            .headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    let _ = told.send((header("authorization"), header("user-agent")));
                    let head = http::Response::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(())
                        .expect("head");
                    let mut stream = respond.send_response(head, false).expect("send head");
                    stream
                        .send_data(Bytes::from_static(BODY), true)
                        .expect("send body");
                }
                while connection.accept().await.is_some() {}
                return;
            }
            let mut head = Vec::new();
            let mut buffer = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match tls.read(&mut buffer).await {
                    Ok(0) | Err(_) => return,
                    Ok(read) => head.extend_from_slice(&buffer[..read]),
                }
            }
            let head = String::from_utf8_lossy(&head).to_lowercase();
            let header = |name: &str| {
                head.lines()
                    .find_map(|line| line.strip_prefix(&format!("{name}: ")))
                    .unwrap_or_default()
                    .to_string()
            };
            let _ = told.send((header("authorization"), header("user-agent")));
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                BODY.len()
            );
            let _ = tls.write_all(answer.as_bytes()).await;
            let _ = tls.write_all(BODY).await;
            let _ = tls.flush().await;
        });
        let url =
            url::Url::parse(&format!("https://{address}/v3/company/1/companyinfo/1")).expect("url");
        (url, heard)
    }

    fn trusting(authority: Option<rustls::pki_types::CertificateDer<'static>>) -> Transport {
        let mut roots = rustls::RootCertStore::empty();
        if let Some(authority) = authority {
            roots.add(authority).expect("root");
        }
        Transport::build(
            reqwest::Client::new(),
            &crate::spec::Timeouts::default(),
            Matcher::builder().build(),
            roots,
        )
        .expect("transport")
    }

    async fn get(transport: &Transport, url: &url::Url) -> Result<Answer, TransportError> {
        transport
            .send(Outgoing {
                method: &http::Method::GET,
                url,
                headers: &[],
                body: None,
                token: &Secret::new("the-token"),
            })
            .await
    }

    #[tokio::test]
    async fn https_speaks_http1_or_http2_as_the_server_offers() {
        for (protocol, version) in [
            (&b"http/1.1"[..], http::Version::HTTP_11),
            (&b"h2"[..], http::Version::HTTP_2),
        ] {
            let (authority, chain, key) = certificates();
            let (url, heard) = serve_tls(protocol, chain, key).await;
            let transport = trusting(Some(authority));
            let mut answer = get(&transport, &url).await.expect("answer");
            assert_eq!(answer.status(), http::StatusCode::OK);
            assert_eq!(answer.version(), version);
            let mut body = Vec::new();
            while let Some(chunk) = answer.chunk().await.expect("chunk") {
                body.extend_from_slice(&chunk);
            }
            assert_eq!(body, BODY, "{version:?}");
            let (authorization, user_agent) = heard.await.expect("request seen");
            assert_eq!(authorization.to_lowercase(), "bearer the-token");
            assert!(user_agent.starts_with("qbo-run/"), "{user_agent}");
        }
    }

    #[tokio::test]
    async fn https_refuses_a_certificate_no_root_vouches_for() {
        let (_, chain, key) = certificates();
        let (url, _) = serve_tls(b"http/1.1", chain, key).await;
        let err = get(&trusting(None), &url)
            .await
            .expect_err("an unknown authority is refused");
        assert_eq!(err.failure, Failure::Certificate, "{err}");
        assert!(!err.is_transient(), "sending again cannot help");
        assert!(err.to_string().contains("certificate"), "{err}");
        let help = err.help().expect("help");
        assert!(help.contains("QBO_RUN_CA"), "{help}");
    }
}
