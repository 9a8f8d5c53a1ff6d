//! Interactive login for connections whose OAuth server needs a person (Intuit, or the emulator
//! with `emulator.consent: browser`): the browser goes to the authorize URL and comes back to a
//! one-shot listener on the redirect URI's port (loopback only, see `listener.rs`), or, with
//! `--paste`, the user pastes the redirect URL. Either way the `state` is checked before
//! anything is exchanged. A redirect URI on port 0 (`http://localhost:0/...`) listens on a free
//! port and sends that port in the redirect URI (Intuit only accepts the registered URIs, so
//! this is for servers that take any loopback one, like the emulator).
//!
//! The URL is always printed, also when a browser is opened (it may not come to the front, or
//! block pop-ups). A callback that is not a consent (refused, cancelled, foreign state) is
//! answered here, with the page and the error that say so; a consent is handed back with the
//! browser still waiting ([`Consented::reply`]), and the caller answers it once the code exchange
//! has succeeded or failed.

use super::browser;
use super::callback::{Callback, Verdict, refusal_advice};
use super::listener::{CallbackListener, HeldCallback};
use super::oauth::{LoginRequest, OAuthServer};
use super::page::LoginPage;
use crate::diagnostics::{Error, ErrorKind};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

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

/// A consent that came back: the code to exchange, and the browser waiting for the outcome.
pub struct Consented {
    /// The authorization code.
    pub code: String,
    /// `realmId`, when the callback carried it.
    pub realm_id: Option<String>,
    /// The login it answers (its PKCE verifier goes with the exchange).
    pub login: LoginRequest,
    /// The browser's request, answered by [`Reply::send`].
    pub reply: Reply,
}

/// The browser's pending request, if the callback came through the listener (not with
/// `--paste`).
pub struct Reply {
    held: Option<HeldCallback>,
    connection: String,
}

impl Reply {
    /// Shows `page` in the browser (nothing with `--paste`).
    pub async fn send(self, page: &LoginPage) {
        if let Some(held) = self.held {
            held.answer(page.status(), &page.html(&self.connection))
                .await;
        }
    }
}

/// Runs the consent step for connection `connection` and returns the checked consent. With a
/// redirect URI on port 0, `oauth` is left using the one with the port listened on (the code
/// exchange must send the same URI).
pub async fn obtain_code(
    oauth: &mut OAuthServer,
    connection: &str,
    redirect_uri: &str,
    mode: CallbackMode,
    timeout: Duration,
) -> Result<Consented, Error> {
    let (callback, login, held) = match mode {
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
            (Callback::parse(&url), login, None)
        }
        CallbackMode::Browser | CallbackMode::NoBrowser => {
            let mut listener = CallbackListener::bind(redirect_uri).await?;
            if listener.redirect_uri() != redirect_uri {
                oauth.use_redirect_uri(listener.redirect_uri().to_string());
            }
            let login = oauth.start_login()?;
            let url = login.url.as_str();
            if mode == CallbackMode::Browser {
                eprintln!(
                    "Opening the browser to log in; if it does not open, open this link yourself:\n\n{url}\n"
                );
                let failed = browser::open(url);
                tokio::spawn(async move {
                    if let Ok(why) = failed.await {
                        eprintln!(
                            "No browser could be opened ({why}); open the link above in a browser.\n"
                        );
                    }
                });
            } else {
                eprintln!("Open this link in a browser and consent:\n\n{url}\n");
            }
            eprintln!(
                "Waiting up to {} s for the browser to come back to {}",
                timeout.as_secs(),
                listener.redirect_uri()
            );
            let held = match tokio::time::timeout(timeout, listener.next_callback()).await {
                Ok(held) => held?,
                Err(_) => {
                    return Err(Error::new(
                        ErrorKind::AuthNeedsLogin,
                        format!("no OAuth callback within {} s", timeout.as_secs()),
                    )
                    .note(format!("run: qbo-run auth login {connection}")));
                }
            };
            drop(listener);
            (held.callback.clone(), login, Some(held))
        }
    };
    let reply = Reply {
        held,
        connection: connection.to_string(),
    };
    let verdict = callback.verdict(&login.state);
    let code = match verdict.clone().into_code() {
        Ok(code) => code,
        Err(error) => {
            reply.send(&refusal_page(verdict)).await;
            return Err(error.note(format!("run: qbo-run auth login {connection}")));
        }
    };
    Ok(Consented {
        code,
        realm_id: callback.realm_id,
        login,
        reply,
    })
}

/// The page for a callback that is not a consent.
fn refusal_page(verdict: Verdict) -> LoginPage {
    match verdict {
        Verdict::Refused { error, description } => LoginPage::Refused {
            advice: refusal_advice(&error).to_string(),
            error,
            description,
        },
        Verdict::WrongState { .. } => LoginPage::WrongState,
        Verdict::Code(_) | Verdict::NoCode => LoginPage::Failed {
            message: "the authorization server came back without a code".to_string(),
        },
    }
}
