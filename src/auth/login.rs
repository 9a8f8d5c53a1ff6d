//! Interactive login for connections whose OAuth server needs a person (Intuit): the browser
//! goes to the authorize URL and comes back to a one-shot listener on the redirect URI's port
//! (loopback only), or, with `--paste`, the user pastes the redirect URL. Either way the `state`
//! is checked before anything is exchanged. A redirect URI on port 0 (`http://localhost:0/...`)
//! listens on a free port and sends that port in the redirect URI (Intuit only accepts the
//! registered URIs, so this is for servers that take any loopback one, like the emulator).

use super::oauth::LoginRequest;
use super::{Callback, OAuthServer};
use crate::diagnostics::{Error, ErrorKind};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

/// How the redirect comes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackMode {
    /// Listen on the redirect URI's port and open the browser.
    Browser,
    /// Listen, but only print the URL.
    NoBrowser,
    /// Print the URL and read the pasted redirect URL from stdin.
    Paste,
}

/// Runs the consent step and returns the checked callback's code and realm. With a redirect URI
/// on port 0, `oauth` is left using the one with the port listened on (the code exchange must
/// send the same URI).
pub async fn obtain_code(
    oauth: &mut OAuthServer,
    redirect_uri: &str,
    mode: CallbackMode,
    timeout: Duration,
) -> Result<(String, Option<String>, LoginRequest), Error> {
    let callback = match mode {
        CallbackMode::Paste => {
            let login = oauth.start_login()?;
            eprintln!(
                "Open this URL in a browser, consent, then paste the full URL you are sent back to:\n\n{}\n",
                login.url
            );
            let mut line = String::new();
            BufReader::new(tokio::io::stdin())
                .read_line(&mut line)
                .await
                .map_err(|err| Error::usage(format!("cannot read the pasted URL: {err}")))?;
            let url = url::Url::parse(line.trim())
                .map_err(|err| Error::usage(format!("the pasted text is not a URL ({err})")))?;
            (Callback::parse(&url)?, login)
        }
        CallbackMode::Browser | CallbackMode::NoBrowser => {
            let redirect = url::Url::parse(redirect_uri).map_err(|err| {
                Error::file(format!("`oauth2.redirect_uri` is not a URL ({err})"))
            })?;
            let host = redirect.host_str().unwrap_or_default();
            if !matches!(host, "localhost" | "127.0.0.1") {
                return Err(Error::usage(format!(
                    "the redirect URI {redirect_uri} is not on this machine; use --paste"
                )));
            }
            let port = redirect.port_or_known_default().unwrap_or(80);
            let listener =
                tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
                    .await
                    .map_err(|err| {
                        Error::new(
                            ErrorKind::Usage,
                            format!(
                                "cannot listen on 127.0.0.1:{port} for the OAuth callback: {err}"
                            ),
                        )
                    })?;
            let mut redirect_uri = redirect_uri.to_string();
            if port == 0 {
                let chosen = listener.local_addr().map(|a| a.port()).map_err(|err| {
                    Error::new(
                        ErrorKind::Usage,
                        format!("cannot learn the port of the OAuth callback listener: {err}"),
                    )
                })?;
                let mut listening = redirect.clone();
                let _ = listening.set_port(Some(chosen));
                redirect_uri = listening.to_string();
                oauth.use_redirect_uri(redirect_uri.clone());
            }
            let login = oauth.start_login()?;
            eprintln!(
                "Open this URL in a browser and consent; waiting for the redirect to {redirect_uri}\n\n{}\n",
                login.url
            );
            if mode == CallbackMode::Browser {
                open_browser(login.url.as_str());
            }
            let accepted =
                tokio::time::timeout(timeout, wait_for_callback(&listener, redirect.path())).await;
            drop(listener);
            match accepted {
                Ok(result) => (result?, login),
                Err(_) => {
                    return Err(Error::new(
                        ErrorKind::AuthNeedsLogin,
                        format!("no OAuth callback within {} s", timeout.as_secs()),
                    ));
                }
            }
        }
    };
    let (callback, login) = callback;
    let code = callback.accept(&login.state)?;
    Ok((code, callback.realm_id, login))
}

/// Accepts connections until one asks for `path`; answers it with a short page.
async fn wait_for_callback(
    listener: &tokio::net::TcpListener,
    path: &str,
) -> Result<Callback, Error> {
    loop {
        let (mut stream, _) = listener.accept().await.map_err(|err| {
            Error::new(
                ErrorKind::Transient,
                format!("OAuth callback listener failed: {err}"),
            )
        })?;
        let mut buffer = vec![0u8; 16 * 1024];
        let mut filled = 0;
        while filled < buffer.len() {
            let n = stream.read(&mut buffer[filled..]).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            filled += n;
            if buffer[..filled].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let head = String::from_utf8_lossy(&buffer[..filled]).into_owned();
        let target = head
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_string();
        let url = url::Url::parse(&format!("http://localhost{target}"));
        let Ok(url) = url else { continue };
        if url.path() != path {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let callback = Callback::parse(&url)?;
        let body = "<!doctype html><title>qbo-run</title><p>qbo-run received the authorization. You can close this tab and go back to the terminal.</p>";
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        return Ok(callback);
    }
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
