//! The one-shot loopback listener that the browser comes back to after consenting.
//!
//! Why it is more than `accept()`: `localhost` resolves to 127.0.0.1 and to ::1, and browsers
//! differ in which they try first, so for a `localhost` redirect URI it listens on both (::1
//! only where the machine has it). Browsers also open connections they never send a request on
//! (preconnects, the other address family), so each connection is read in a task of its own and
//! the first request for the redirect path wins. That request's connection is held open, not
//! answered: the login answers it with its outcome once the code exchange is over, so the page
//! never says "connected" before the tokens are stored. Everything the listener accepts is
//! dropped with it.

use super::callback::Callback;
use crate::diagnostics::{Error, ErrorKind};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// The most a request head may take before it is dropped.
const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(30);
/// The most connections read at once; past it the oldest is closed, so a flood of idle
/// connections costs a bounded amount of memory (each reader holds at most [`MAX_HEAD`]
/// bytes) and never keeps out the browser's request, which comes last.
const MAX_READERS: usize = 256;
/// How often a port chosen on 127.0.0.1 is tried again when ::1 has it taken.
const PORT_TRIES: usize = 8;
/// How the two loopback addresses are named in messages.
const V4: &str = "127.0.0.1";
const V6: &str = "[::1]";

/// Listening for the redirect on the loopback addresses of the redirect URI.
pub struct CallbackListener {
    v4: Option<TcpListener>,
    v6: Option<TcpListener>,
    path: String,
    redirect_uri: String,
    readers: JoinSet<()>,
    oldest_first: std::collections::VecDeque<tokio::task::AbortHandle>,
    found_tx: mpsc::Sender<(TcpStream, url::Url)>,
    found_rx: mpsc::Receiver<(TcpStream, url::Url)>,
}

/// The browser's callback request, its connection held open until [`HeldCallback::answer`].
pub struct HeldCallback {
    /// The callback's query.
    pub callback: Callback,
    stream: TcpStream,
}

impl CallbackListener {
    /// Listens on the host and port of `redirect_uri`, which must be on this machine
    /// (`localhost`, `127.0.0.1` or `[::1]`); on port 0, on a free port, which
    /// [`CallbackListener::redirect_uri`] then carries.
    pub async fn bind(redirect_uri: &str) -> Result<CallbackListener, Error> {
        let redirect = url::Url::parse(redirect_uri)
            .map_err(|err| Error::file(format!("`oauth2.redirect_uri` is not a URL ({err})")))?;
        let (want_v4, want_v6) = match redirect.host() {
            Some(url::Host::Domain(name)) if name.eq_ignore_ascii_case("localhost") => (true, true),
            Some(url::Host::Ipv4(ip)) if ip == Ipv4Addr::LOCALHOST => (true, false),
            Some(url::Host::Ipv6(ip)) if ip == Ipv6Addr::LOCALHOST => (false, true),
            _ => {
                return Err(Error::usage(format!(
                    "the redirect URI {redirect_uri} is not on this machine; use --paste"
                )));
            }
        };
        let asked = redirect.port_or_known_default().unwrap_or(80);
        let (v4, v6) = bind_pair(asked, want_v4, want_v6).await?;
        let port = v4
            .as_ref()
            .or(v6.as_ref())
            .map(TcpListener::local_addr)
            .transpose()
            .map_err(|err| listen_error(V4, "cannot learn the port of", asked, err))?
            .map(|addr| addr.port())
            .unwrap_or(asked);
        let mut listening = redirect.clone();
        if asked == 0 {
            let _ = listening.set_port(Some(port));
        }
        let (found_tx, found_rx) = mpsc::channel(4);
        tracing::debug!(
            port,
            ipv4 = v4.is_some(),
            ipv6 = v6.is_some(),
            "OAuth callback listener ready"
        );
        Ok(CallbackListener {
            v4,
            v6,
            path: redirect.path().to_string(),
            redirect_uri: listening.to_string(),
            readers: JoinSet::new(),
            oldest_first: std::collections::VecDeque::new(),
            found_tx,
            found_rx,
        })
    }

    /// The redirect URI with the port listened on.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the first GET of the redirect path on any address; other paths get a 404.
    pub async fn next_callback(&mut self) -> Result<HeldCallback, Error> {
        loop {
            tokio::select! {
                accepted = accept(self.v4.as_ref()) => self.read_in_background(accepted)?,
                accepted = accept(self.v6.as_ref()) => self.read_in_background(accepted)?,
                Some((stream, url)) = self.found_rx.recv() => {
                    tracing::debug!(
                        on = %stream.local_addr().map(|a| a.to_string()).unwrap_or_default(),
                        "the browser came back"
                    );
                    return Ok(HeldCallback { callback: Callback::parse(&url), stream });
                }
            }
        }
    }

    fn read_in_background(&mut self, accepted: io::Result<TcpStream>) -> Result<(), Error> {
        let stream = accepted.map_err(|err| {
            Error::new(
                ErrorKind::Transient,
                format!("the OAuth callback listener failed: {err}"),
            )
        })?;
        while self.readers.try_join_next().is_some() {}
        self.oldest_first.retain(|reader| !reader.is_finished());
        while self.oldest_first.len() >= MAX_READERS {
            if let Some(oldest) = self.oldest_first.pop_front() {
                tracing::debug!(
                    "many connections to the OAuth callback listener; closing the oldest"
                );
                oldest.abort();
            }
        }
        let path = self.path.clone();
        let found = self.found_tx.clone();
        let reader = self.readers.spawn(async move {
            if let Ok(Some(held)) =
                tokio::time::timeout(HEAD_TIMEOUT, read_request(stream, &path)).await
            {
                let _ = found.send(held).await;
            }
        });
        self.oldest_first.push_back(reader);
        Ok(())
    }
}

impl HeldCallback {
    /// Sends the page `html` with `status` and closes the connection.
    pub async fn answer(mut self, status: (u16, &str), html: &str) {
        let head = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
             cache-control: no-store\r\nreferrer-policy: no-referrer\r\n\
             x-content-type-options: nosniff\r\n\
             content-security-policy: default-src 'none'; style-src 'unsafe-inline'\r\n\
             connection: close\r\n\r\n",
            status.0,
            status.1,
            html.len()
        );
        let _ = self.stream.write_all(head.as_bytes()).await;
        let _ = self.stream.write_all(html.as_bytes()).await;
        let _ = self.stream.shutdown().await;
    }
}

/// Accepts on `listener`, or never when there is none.
async fn accept(listener: Option<&TcpListener>) -> io::Result<TcpStream> {
    match listener {
        Some(listener) => listener.accept().await.map(|(stream, _)| stream),
        None => std::future::pending().await,
    }
}

/// Reads one request head; a GET of `path` is handed back with its URL, anything else is
/// answered here and dropped.
async fn read_request(mut stream: TcpStream, path: &str) -> Option<(TcpStream, url::Url)> {
    let mut buffer = vec![0u8; MAX_HEAD];
    let mut filled = 0;
    while filled < buffer.len() {
        let n = stream.read(&mut buffer[filled..]).await.ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if buffer[..filled].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let head = String::from_utf8_lossy(&buffer[..filled]);
    let mut words = head.lines().next().unwrap_or_default().split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let target = words.next().unwrap_or("/").to_string();
    let url = url::Url::parse(&format!("http://localhost{target}")).ok();
    let answer: &[u8] = match url {
        Some(url) if url.path() == path && method == "GET" => return Some((stream, url)),
        Some(url) if url.path() == path => {
            b"HTTP/1.1 405 Method Not Allowed\r\nallow: GET\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        }
        _ => b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    };
    let _ = stream.write_all(answer).await;
    let _ = stream.shutdown().await;
    None
}

/// Binds 127.0.0.1 and/or ::1 on one port. On port 0 the port chosen on the first is asked of
/// the second, again with another port when the second has it taken. A machine without IPv6
/// loopback is listened to on 127.0.0.1 only; any other failure is an error, since a browser
/// sent to an address that another program holds would hand it the code.
async fn bind_pair(
    port: u16,
    want_v4: bool,
    want_v6: bool,
) -> Result<(Option<TcpListener>, Option<TcpListener>), Error> {
    let v4_addr = |port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let v6_addr = |port| SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    if !want_v4 {
        let v6 = TcpListener::bind(v6_addr(port))
            .await
            .map_err(|err| listen_error(V6, "cannot listen on", port, err))?;
        return Ok((None, Some(v6)));
    }
    let mut last = None;
    for _ in 0..PORT_TRIES {
        let v4 = TcpListener::bind(v4_addr(port))
            .await
            .map_err(|err| listen_error(V4, "cannot listen on", port, err))?;
        if !want_v6 {
            return Ok((Some(v4), None));
        }
        let chosen = v4
            .local_addr()
            .map_err(|err| listen_error(V4, "cannot learn the port of", port, err))?
            .port();
        match TcpListener::bind(v6_addr(chosen)).await {
            Ok(v6) => return Ok((Some(v4), Some(v6))),
            Err(err) if err.kind() == io::ErrorKind::AddrInUse && port == 0 => {
                last = Some(err);
            }
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::AddrInUse | io::ErrorKind::PermissionDenied
                ) =>
            {
                return Err(listen_error(V6, "cannot listen on", chosen, err));
            }
            Err(err) => {
                tracing::debug!(error = %err, "no IPv6 loopback here; listening on 127.0.0.1 only");
                return Ok((Some(v4), None));
            }
        }
    }
    let last = last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrInUse));
    Err(Error::new(
        ErrorKind::Usage,
        format!("cannot find a port free on both {V4} and {V6} for the OAuth callback: {last}"),
    ))
}

/// A failure to listen on `host:port`, as the user sees it.
fn listen_error(host: &str, what: &str, port: u16, err: io::Error) -> Error {
    Error::new(
        ErrorKind::Usage,
        format!("{what} {host}:{port} for the OAuth callback: {err}"),
    )
}
