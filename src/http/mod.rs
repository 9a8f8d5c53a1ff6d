//! HTTP for API calls: one transport per connection, retries with backoff for what may pass by
//! itself, and every failure turned into an error naming the status, QBO's code, message and
//! detail, and `intuit_tid`. It knows nothing of tokens beyond the header it is handed.

mod fault;
mod governor;
mod limit;
mod pace;
mod transport;

pub use fault::{FailedCall, Fault, FaultError, fault_from_json, parse_fault, parse_oauth_error};
pub use governor::{Governor, Slot};
pub use limit::{Limiter, LimiterRegistry, Permit};
pub use pace::{Pace, Turns};
pub use transport::{
    Answer, Failure, Outgoing, READ_BUFFER_MOST, Transport, TransportError, USER_AGENT,
    certificate_advice, certificate_help, without_url,
};

use crate::diagnostics::{Error, ErrorKind};
use crate::secret::Secret;
use rand::Rng;
use std::time::Duration;

/// Builds the HTTP client of a connection: no automatic redirects (OAuth needs to see them),
/// its connect and whole-request timeouts, and the extra CA of `QBO_RUN_CA` trusted.
///
/// # Errors
///
/// When `QBO_RUN_CA` names a file that holds no usable certificate.
pub fn client_with(timeouts: &crate::spec::Timeouts) -> Result<reqwest::Client, Error> {
    let builder = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(timeouts.connect_secs))
        .timeout(Duration::from_secs(timeouts.request_secs))
        .pool_max_idle_per_host(16);
    trusting_extra_ca(builder)?.build().map_err(|err| {
        Error::new(
            ErrorKind::Internal,
            format!("cannot build HTTP client: {err}"),
        )
    })
}

/// The error of a call that got no answer: `cannot reach {what}: {why}`, transient, with help
/// when the server's certificate was refused.
pub fn unreachable(what: &str, err: &reqwest::Error) -> Error {
    Error::new(
        ErrorKind::Transient,
        format!("cannot reach {what}: {}", without_url(err)),
    )
    .note_opt(certificate_help(err))
}

/// `builder` trusting the certificates of `QBO_RUN_CA` besides its roots.
///
/// # Errors
///
/// When `QBO_RUN_CA` names a file that holds no usable certificate.
pub fn trusting_extra_ca(
    mut builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, Error> {
    for certificate in crate::tls::extra_roots(crate::tls::API_CA)? {
        let certificate = reqwest::Certificate::from_der(certificate.as_ref())
            .map_err(|err| Error::usage(format!("{}: {err}", crate::tls::API_CA)))?;
        builder = builder.add_root_certificate(certificate);
    }
    Ok(builder)
}

/// The HTTP client with the default timeouts.
pub fn client() -> Result<reqwest::Client, Error> {
    client_with(&crate::spec::Timeouts::default())
}

/// How often and how long to retry transient failures.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff; doubles each attempt (full jitter).
    pub base_delay: Duration,
    /// Longest wait between attempts, `Retry-After` included.
    pub max_delay: Duration,
    /// Wait after a 429 that has no `Retry-After`.
    pub throttle_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy::from(&crate::spec::RetrySettings::default())
    }
}

impl From<&crate::spec::RetrySettings> for RetryPolicy {
    fn from(settings: &crate::spec::RetrySettings) -> RetryPolicy {
        RetryPolicy {
            max_attempts: settings.max_attempts,
            base_delay: Duration::from_millis(settings.base_delay_ms),
            max_delay: Duration::from_secs(settings.max_delay_secs),
            throttle_wait: Duration::from_secs(settings.throttle_wait_secs),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`: `Retry-After` when given (capped), Intuit's advice
    /// after a bare 429, else exponential backoff with full jitter.
    fn backoff(
        &self,
        attempt: u32,
        status: Option<u16>,
        retry_after: Option<Duration>,
    ) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        if status == Some(429) {
            return self.throttle_wait.min(self.max_delay);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_delay);
        let millis = ceiling.as_millis().min(u128::from(u64::MAX)) as u64;
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }
}

/// What sends API calls for one company: the HTTP client, the company's limiter and the retry
/// policy.
#[derive(Debug, Clone)]
pub struct ApiClient {
    /// How the calls reach the server.
    pub transport: Transport,
    /// The company's limits, shared with every other run in the process.
    pub limiter: std::sync::Arc<Limiter>,
    /// The connection's retry policy.
    pub policy: RetryPolicy,
    /// How many calls of one run may be in flight at once (the company's limit).
    pub max_in_flight: usize,
    /// The whole-request timeout of `http` (a body waiting for its turn waits at most half).
    pub request_timeout: Duration,
}

/// One API call to send.
#[derive(Debug, Clone)]
pub struct ApiCall {
    /// HTTP method.
    pub method: reqwest::Method,
    /// Full URL, query included.
    pub url: url::Url,
    /// Extra headers (not Authorization).
    pub headers: Vec<(String, String)>,
    /// Body and its content type.
    pub body: Option<(String, String)>,
}

impl ApiCall {
    /// `METHOD /path` for messages and logs: no query string (it may hold user data), no secrets.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.url.path())
    }

    /// Whether sending this call twice is harmless: reads, QBO queries (POSTed or not), and
    /// writes that carry a `requestid` (QBO answers a replay with the first answer).
    pub fn retry_safe(&self) -> bool {
        let idempotent_method = matches!(
            self.method,
            reqwest::Method::GET
                | reqwest::Method::HEAD
                | reqwest::Method::PUT
                | reqwest::Method::DELETE
                | reqwest::Method::OPTIONS
        );
        idempotent_method
            || self.url.path().ends_with("/query")
            || self
                .url
                .query_pairs()
                .any(|(name, value)| name == "requestid" && !value.is_empty())
    }
}

/// A successful response.
#[derive(Debug)]
pub struct ApiResponse {
    /// The body.
    pub body: bytes::Bytes,
    /// The `intuit_tid` header.
    pub intuit_tid: Option<String>,
}

/// Why a call failed.
#[derive(Debug)]
pub enum CallError {
    /// 401, or a 3200 Fault: the access token is not accepted.
    Unauthorized(FailedCall),
    /// Anything else, already a user-facing error.
    Failed(Error),
}

/// Sends `call` with `token` within the company's limits, retrying transient failures per the
/// client's policy (a call that is not [`ApiCall::retry_safe`] is sent once).
pub async fn send(
    client: &ApiClient,
    call: &ApiCall,
    token: &Secret,
) -> Result<ApiResponse, CallError> {
    let (body, intuit_tid) = send_reading::<Gather>(client, call, token, None).await?;
    let body = match body {
        Body::Whole(body) | Body::Read(body) => body,
    };
    Ok(ApiResponse { body, intuit_tid })
}

/// Takes a successful answer's body as it arrives, on a blocking thread (so pages are parsed
/// in parallel with the network and with each other), instead of gathering it first.
pub trait BodyReader: Send + 'static {
    /// What the whole body gives.
    type Output: Send + 'static;

    /// Takes the next bytes (gzip already decoded); `false` once the rest is not needed.
    fn feed(&mut self, chunk: &[u8]) -> bool;

    /// The body has ended.
    fn finish(self) -> Self::Output;

    /// The body's place among bodies used in order, when it should wait for its turn after
    /// reading a little (see [`Turns`]); `None` reads it straight through.
    fn pace(&self) -> Option<Pace> {
        None
    }
}

/// The body of a successful answer.
#[derive(Debug)]
pub enum Body<T> {
    /// Read as it arrived by a [`BodyReader`].
    Read(T),
    /// Gathered whole: the call had no reader, or the body began like a Fault that did not
    /// parse as one.
    Whole(bytes::Bytes),
}

/// The [`BodyReader`] that gathers the body.
#[derive(Debug, Default)]
pub struct Gather(Vec<u8>);

impl BodyReader for Gather {
    type Output = bytes::Bytes;

    fn feed(&mut self, chunk: &[u8]) -> bool {
        self.0.extend_from_slice(chunk);
        true
    }

    fn finish(self) -> bytes::Bytes {
        bytes::Bytes::from(self.0)
    }
}

/// Like [`send`], with a successful answer's body handed to a reader `make` gives as it
/// arrives (a new reader for each attempt); returns what the reader gave and `intuit_tid`.
/// Error answers and Faults are read whole and judged as by [`send`]: a 200 whose body begins
/// like a Fault is read whole first.
///
/// # Errors
///
/// As [`send`].
pub async fn send_reading<R: BodyReader>(
    client: &ApiClient,
    call: &ApiCall,
    token: &Secret,
    make: Option<&(dyn Fn() -> R + Sync)>,
) -> Result<(Body<R::Output>, Option<String>), CallError> {
    match exchange(client, call, token, make).await {
        Ok(answer) => Ok(answer),
        Err(SendError::Unauthorized(failed)) => Err(CallError::Unauthorized(failed)),
        Err(SendError::Refused { failed, attempts }) => Err(CallError::Failed(
            failed
                .into_error()
                .note(format!("after {attempts} attempt(s)")),
        )),
        Err(SendError::Failed(error)) => Err(CallError::Failed(error)),
    }
}

/// Why a call failed, with the exchange kept whole when the server answered (writes report
/// QBO's code, message and `intuit_tid` per input row).
#[derive(Debug)]
pub enum SendError {
    /// 401, or a 3200 Fault: the access token is not accepted.
    Unauthorized(FailedCall),
    /// The server answered with an error (a Fault, a 4xx, or a 429/5xx that outlasted the
    /// retries).
    Refused {
        /// The exchange.
        failed: FailedCall,
        /// Attempts made, the first included.
        attempts: u32,
    },
    /// No answer: network errors and timeouts after retries, already a user-facing error.
    Failed(Error),
}

/// Like [`send`], but a refused call comes back as its [`FailedCall`].
pub async fn send_detailed(
    client: &ApiClient,
    call: &ApiCall,
    token: &Secret,
) -> Result<ApiResponse, SendError> {
    let (body, intuit_tid) = exchange::<Gather>(client, call, token, None).await?;
    let body = match body {
        Body::Whole(body) | Body::Read(body) => body,
    };
    Ok(ApiResponse { body, intuit_tid })
}

/// The retry loop of every call; a successful body goes to a reader of `make` when given.
async fn exchange<R: BodyReader>(
    client: &ApiClient,
    call: &ApiCall,
    token: &Secret,
    make: Option<&(dyn Fn() -> R + Sync)>,
) -> Result<(Body<R::Output>, Option<String>), SendError> {
    let policy = &client.policy;
    let max_attempts = if call.retry_safe() {
        policy.max_attempts
    } else {
        1
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let permit = client.limiter.acquire().await.map_err(|error| {
            SendError::Failed(error.note(format!("request: {}", call.describe())))
        })?;
        let started = std::time::Instant::now();
        let outcome = client
            .transport
            .send(transport::Outgoing {
                method: &call.method,
                url: &call.url,
                headers: &call.headers,
                body: call
                    .body
                    .as_ref()
                    .map(|(content_type, body)| (content_type.as_str(), body.as_str())),
                token,
            })
            .await;
        let response = match outcome {
            Ok(response) => response,
            Err(err) => {
                permit.release().await;
                tracing::warn!(request = %call.describe(), attempt, elapsed_ms = started.elapsed().as_millis() as u64, error = %err, "HTTP call failed");
                if err.is_transient() && attempt < max_attempts {
                    tokio::time::sleep(policy.backoff(attempt, None, None)).await;
                    continue;
                }
                let what = if err.failure == Failure::Timeout {
                    "QBO did not answer in time"
                } else {
                    "cannot reach QBO"
                };
                return Err(SendError::Failed(
                    Error::new(ErrorKind::Transient, format!("{what}: {err}"))
                        .note(format!("request: {}", call.describe()))
                        .note(format!("after {attempt} attempt(s)"))
                        .note_opt(err.help().map(str::to_string)),
                ));
            }
        };
        let status = response.status();
        let intuit_tid = response.header("intuit_tid");
        let retry_after = retry_after(&response);
        let read = match make {
            Some(make) if status.is_success() => {
                read_streamed(response, make, &client.limiter).await
            }
            _ => read_body(response).await.map(|body| (Body::Whole(body), 0)),
        };
        let (body, bytes) = match read {
            Ok((Body::Whole(body), _)) => {
                let bytes = body.len();
                (body, bytes)
            }
            Ok((Body::Read(Ok(output)), bytes)) => {
                permit.release().await;
                tracing::info!(
                    request = %call.describe(),
                    status = status.as_u16(),
                    attempt,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    intuit_tid = intuit_tid.as_deref().unwrap_or(""),
                    bytes,
                    "HTTP call"
                );
                return Ok((Body::Read(output), intuit_tid));
            }
            Ok((Body::Read(Err(stopped)), _)) => {
                permit.release().await;
                return Err(SendError::Failed(Error::new(
                    ErrorKind::Internal,
                    format!(
                        "the reader of the answer to {} stopped: {stopped}",
                        call.describe()
                    ),
                )));
            }
            Err(err) => {
                permit.release().await;
                tracing::warn!(request = %call.describe(), attempt, error = %err, "connection lost while reading the answer");
                if attempt < max_attempts {
                    tokio::time::sleep(policy.backoff(attempt, None, None)).await;
                    continue;
                }
                return Err(SendError::Failed(Error::new(
                    ErrorKind::Transient,
                    format!(
                        "connection lost while reading the answer to {}: {}",
                        call.describe(),
                        err
                    ),
                )));
            }
        };
        permit.release().await;
        tracing::info!(
            request = %call.describe(),
            status = status.as_u16(),
            attempt,
            elapsed_ms = started.elapsed().as_millis() as u64,
            intuit_tid = intuit_tid.as_deref().unwrap_or(""),
            bytes,
            "HTTP call"
        );
        let fault = if status.is_success() {
            // A 200 may still carry a Fault; only a body that starts like one is parsed twice.
            if looks_like_fault(&body) {
                parse_fault(&body)
            } else {
                None
            }
        } else {
            parse_fault(&body)
        };
        if status.is_success() && fault.is_none() {
            return Ok((Body::Whole(body), intuit_tid));
        }
        let failed = FailedCall {
            request: call.describe(),
            status: status.as_u16(),
            reason: status.canonical_reason().unwrap_or("").to_string(),
            body_excerpt: fault.is_none().then(|| excerpt(&body)),
            fault,
            intuit_tid,
        };
        if failed.status == 401 || failed.fault.as_ref().and_then(Fault::code) == Some("3200") {
            return Err(SendError::Unauthorized(failed));
        }
        if failed.status == 429 && client.limiter.is_shared() {
            let wait = policy.backoff(attempt, Some(429), retry_after);
            client.limiter.push_back(wait).await;
        }
        if failed.is_transient() && attempt < max_attempts {
            let wait = policy.backoff(attempt, Some(failed.status), retry_after);
            tracing::warn!(request = %call.describe(), status = failed.status, attempt, wait_ms = wait.as_millis() as u64, "retrying");
            tokio::time::sleep(wait).await;
            continue;
        }
        return Err(SendError::Refused {
            failed,
            attempts: attempt,
        });
    }
}

/// The value of a response header as text.
pub fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn retry_after(response: &Answer) -> Option<Duration> {
    let value = response.header("retry-after")?;
    if let Ok(seconds) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    wait.to_std().ok()
}

/// Reads the whole body into one buffer sized from `Content-Length` (capped, so a lying server
/// cannot make us reserve gigabytes up front): one allocation and no copy when the length is
/// known, where collecting chunks would grow and copy a multi-megabyte page.
async fn read_body(mut response: Answer) -> Result<bytes::Bytes, TransportError> {
    const MOST_RESERVED: u64 = 64 * 1024 * 1024;
    let expected = response.content_length().unwrap_or(0).min(MOST_RESERVED);
    let mut body = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    while let Some(chunk) = response.chunk().await? {
        body.extend_from_slice(&chunk);
    }
    Ok(bytes::Bytes::from(body))
}

/// Whether a successful answer's first bytes are those of a Fault (JSON in either casing, or
/// XML), which is then read whole and parsed as one.
fn looks_like_fault(head: &[u8]) -> bool {
    head.starts_with(b"{\"Fault\"") || head.starts_with(b"{\"fault\"") || head.starts_with(b"<")
}

/// The most a body that begins like a Fault is read to see whether it is one.
const FAULT_PREFIX: usize = 8;

/// Hands a successful body to a reader of `make` chunk by chunk, through a channel of one
/// piece to a blocking thread (the body is held only as far as the reader holds it); one
/// that begins like a Fault is gathered whole instead. Returns what the reader gave (or why it
/// stopped) and the bytes read.
///
/// A reader with a [`Pace`] that is not yet its turn takes none of the body until the turn
/// comes: what the server has sent waits in the HTTP client's read buffer (one read's worth)
/// and in the socket, and no thread is taken. The call keeps its permit meanwhile (the
/// server is still sending), so the wait also ends as soon as another call of the process waits
/// for a permit of `limiter` (the body it may wait for could be that call's). Bodies are never
/// held back over HTTP/2 (the streams of a connection share one window, so a stream not read
/// could stall the one it waits for) nor when the limits are shared with other processes (a
/// call of theirs cannot say it waits).
async fn read_streamed<R: BodyReader>(
    mut response: Answer,
    make: &(dyn Fn() -> R + Sync),
    limiter: &Limiter,
) -> Result<(Body<Result<R::Output, String>>, usize), TransportError> {
    let mut reader = make();
    if let Some(pace) = reader
        .pace()
        .filter(|_| response.version() < http::Version::HTTP_2 && !limiter.is_shared())
    {
        wait_for_turn(pace, limiter).await;
    }
    // The first chunks are kept as they came (a chunk may be hundreds of KiB: copying it to
    // look at eight bytes would hold it twice).
    let mut early: Vec<bytes::Bytes> = Vec::new();
    let mut head = Vec::with_capacity(FAULT_PREFIX);
    while head.len() < FAULT_PREFIX {
        match response.chunk().await? {
            Some(chunk) => {
                let wanted = (FAULT_PREFIX - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..wanted]);
                early.push(chunk);
            }
            None => break,
        }
    }
    if looks_like_fault(&head) {
        let mut body: Vec<u8> = early.concat();
        while let Some(chunk) = response.chunk().await? {
            body.extend_from_slice(&chunk);
        }
        return Ok((Body::Whole(bytes::Bytes::from(body)), 0));
    }
    let mut taken = early.iter().map(bytes::Bytes::len).sum();
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<bytes::Bytes>(1);
    let task = tokio::task::spawn_blocking(move || {
        while let Some(chunk) = receiver.blocking_recv() {
            if !reader.feed(&chunk) {
                break;
            }
        }
        reader.finish()
    });
    let mut lost = None;
    let mut open = true;
    for chunk in early {
        if !hand_on(&sender, chunk).await {
            open = false;
            break;
        }
    }
    if open {
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    taken += chunk.len();
                    if !hand_on(&sender, chunk).await {
                        break;
                    }
                }
                Ok(None) => break,
                Err(err) => {
                    lost = Some(err);
                    break;
                }
            }
        }
    }
    drop(sender);
    let output = task.await.map_err(|err| err.to_string());
    if let Some(err) = lost {
        return Err(err);
    }
    Ok((Body::Read(output), taken))
}

/// The most of a body in one piece handed to its reader.
const PIECE: usize = 64 * 1024;

/// Hands `chunk` to the reader through `sender` in copied pieces of at most [`PIECE`] bytes;
/// returns `false` once the reader has stopped.
///
/// A chunk is a slice of the HTTP client's read buffer (up to [`READ_BUFFER_MOST`] direct,
/// about 400 KiB through a proxy): handed on whole, it would stay alive, and keep that buffer alive, until the
/// reader is done with it. In pieces, the channel holds a piece, and the chunk is dropped as
/// soon as its last piece is sent.
async fn hand_on(sender: &tokio::sync::mpsc::Sender<bytes::Bytes>, chunk: bytes::Bytes) -> bool {
    for piece in chunk.chunks(PIECE) {
        if sender
            .send(bytes::Bytes::copy_from_slice(piece))
            .await
            .is_err()
        {
            return false;
        }
    }
    true
}

/// Waits for the turn of a body not yet read: until the turn comes, a call of the process
/// waits for a permit of `limiter`, or the pace's longest wait.
async fn wait_for_turn(mut pace: Pace, limiter: &Limiter) {
    if pace.is_turn() {
        return;
    }
    tokio::select! {
        turn = pace.wait_turn() => if !turn {
            tracing::debug!(
                waited_ms = pace.most_wait().as_millis() as u64,
                "a body held back for its turn reads on"
            );
        },
        () = limiter.wanted() => tracing::debug!(
            "a call waits for a permit: a body held back for its turn reads on"
        ),
    }
}

fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim();
    if trimmed.chars().count() > 300 {
        format!("{}…", trimmed.chars().take(300).collect::<String>())
    } else if trimmed.is_empty() {
        "(empty)".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(method: reqwest::Method, url: &str) -> ApiCall {
        ApiCall {
            method,
            url: url::Url::parse(url).expect("url"),
            headers: Vec::new(),
            body: None,
        }
    }

    #[test]
    fn only_calls_that_may_be_sent_twice_are_retry_safe() {
        let base = "https://quickbooks.api.intuit.com/v3/company/1";
        use reqwest::Method;
        assert!(call(Method::GET, &format!("{base}/invoice/5")).retry_safe());
        assert!(call(Method::POST, &format!("{base}/query?minorversion=75")).retry_safe());
        assert!(
            call(
                Method::POST,
                &format!("{base}/invoice?requestid=abc&minorversion=75")
            )
            .retry_safe()
        );
        assert!(!call(Method::POST, &format!("{base}/invoice?minorversion=75")).retry_safe());
        assert!(!call(Method::POST, &format!("{base}/invoice?requestid=")).retry_safe());
        assert!(!call(Method::POST, &format!("{base}/batch?other=requestid")).retry_safe());
        assert!(!call(Method::PATCH, &format!("{base}/invoice")).retry_safe());
    }

    #[test]
    fn backoff_honours_retry_after_up_to_the_cap_and_waits_after_a_bare_429() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(10),
            throttle_wait: Duration::from_secs(3),
        };
        assert_eq!(
            policy.backoff(1, Some(429), Some(Duration::from_secs(4))),
            Duration::from_secs(4)
        );
        assert_eq!(
            policy.backoff(1, Some(503), Some(Duration::from_secs(60))),
            Duration::from_secs(10)
        );
        assert_eq!(policy.backoff(1, Some(429), None), Duration::from_secs(3));
        for attempt in 1..8 {
            let wait = policy.backoff(attempt, Some(503), None);
            let ceiling = Duration::from_millis(100 * (1 << attempt)).min(policy.max_delay);
            assert!(wait <= ceiling, "{attempt}: {wait:?}");
        }
    }
}

#[cfg(test)]
mod pacing_tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Counts the bytes it is fed.
    struct Counting {
        fed: Arc<AtomicUsize>,
        pace: Option<Pace>,
    }

    impl BodyReader for Counting {
        type Output = usize;

        fn feed(&mut self, chunk: &[u8]) -> bool {
            self.fed.fetch_add(chunk.len(), Ordering::SeqCst);
            true
        }

        fn finish(self) -> usize {
            self.fed.load(Ordering::SeqCst)
        }

        fn pace(&self) -> Option<Pace> {
            self.pace.clone()
        }
    }

    /// A server on loopback that answers one request with `body` (HTTP/1.1, Content-Length).
    async fn serve_once(body: Vec<u8>) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.expect("accept");
            let mut request = Vec::new();
            let mut buffer = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let read = socket.read(&mut buffer).await.expect("read");
                if read == 0 {
                    return;
                }
                request.extend_from_slice(&buffer[..read]);
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = socket.write_all(head.as_bytes()).await;
            let _ = socket.write_all(&body).await;
        });
        format!("http://{address}/page")
    }

    async fn paced_read(
        body: Vec<u8>,
        pace: Pace,
        limiter: Arc<Limiter>,
        fed: Arc<AtomicUsize>,
    ) -> tokio::task::JoinHandle<usize> {
        let url = serve_once(body).await;
        tokio::spawn(async move {
            let response = get(&url).await;
            let make = || Counting {
                fed: Arc::clone(&fed),
                pace: Some(pace.clone()),
            };
            match read_streamed(response, &make, &limiter).await {
                Ok((Body::Read(Ok(read)), _)) => read,
                other => panic!("not read: {other:?}"),
            }
        })
    }

    /// The answer to a GET of `url`, its body still to be read.
    async fn get(url: &str) -> Answer {
        let transport =
            Transport::new(client().expect("client"), &crate::spec::Timeouts::default())
                .expect("transport");
        let url = url::Url::parse(url).expect("url");
        transport
            .send(Outgoing {
                method: &http::Method::GET,
                url: &url,
                headers: &[],
                body: None,
                token: &Secret::new("token"),
            })
            .await
            .expect("answer")
    }

    /// Returns once a body has been held back; fails the test when none is within 30 s.
    async fn held_back(turns: &Turns) {
        let spin = async {
            while turns.held_back() == 0 {
                tokio::task::yield_now().await;
            }
        };
        assert!(
            tokio::time::timeout(Duration::from_secs(30), spin)
                .await
                .is_ok(),
            "no body was held back"
        );
    }

    fn page_body() -> Vec<u8> {
        let mut body = b"[".to_vec();
        body.resize(384 * 1024, b' ');
        body.push(b']');
        body
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_behind_waits_unread_for_its_turn() {
        let body = page_body();
        let turns = Turns::new(Duration::from_secs(3600));
        let limiter = Arc::new(Limiter::new(10, 1000));
        let fed = Arc::new(AtomicUsize::new(0));
        let read = paced_read(body.clone(), turns.pace(1), limiter, Arc::clone(&fed)).await;
        held_back(&turns).await;
        assert_eq!(fed.load(Ordering::SeqCst), 0, "not fed before its turn");
        assert!(!read.is_finished());
        turns.reach(1);
        assert_eq!(
            read.await.expect("joined"),
            body.len(),
            "all of it once its turn came"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_behind_reads_on_when_a_call_waits_for_a_permit() {
        let body = page_body();
        let turns = Turns::new(Duration::from_secs(3600));
        let limiter = Arc::new(Limiter::new(1, 1000));
        let held = limiter.acquire().await.expect("permit");
        let fed = Arc::new(AtomicUsize::new(0));
        let read = paced_read(
            body.clone(),
            turns.pace(1),
            Arc::clone(&limiter),
            Arc::clone(&fed),
        )
        .await;
        held_back(&turns).await;
        let waiting = {
            let limiter = Arc::clone(&limiter);
            tokio::spawn(async move { drop(limiter.acquire().await) })
        };
        let read = tokio::time::timeout(Duration::from_secs(30), read).await;
        assert_eq!(
            read.expect("read on without its turn").expect("joined"),
            body.len()
        );
        drop(held);
        assert!(waiting.await.is_ok());
        drop(turns);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_body_at_its_turn_is_never_held() {
        let body = page_body();
        let turns = Turns::new(Duration::from_secs(3600));
        let limiter = Arc::new(Limiter::new(10, 1000));
        let fed = Arc::new(AtomicUsize::new(0));
        let read = paced_read(body.clone(), turns.pace(0), limiter, fed).await;
        assert_eq!(read.await.expect("joined"), body.len());
        assert_eq!(turns.held_back(), 0);
    }
}
