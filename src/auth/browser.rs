//! Opening the authorize URL in the person's browser, through the `webbrowser` crate: `$BROWSER`
//! first (as git, gh and Python's webbrowser do), then the desktop's opener (`xdg-open` and the
//! like, `open` on macOS, the shell on Windows). It runs on a thread of its own, so that a
//! browser command that does not return (a text browser, a wrapper that waits for its page)
//! never holds up the listener that the browser must reach; the login prints the URL in any
//! case, and when no browser can be opened it says so and waits for the link to be opened by
//! hand.

use tokio::sync::oneshot;

/// Starts opening `url`; the receiver gets the reason when no browser could be opened (and is
/// dropped unanswered when one was).
pub fn open(url: &str) -> oneshot::Receiver<String> {
    let (failed, reason) = oneshot::channel();
    let url = url.to_string();
    let spawned = std::thread::Builder::new()
        .name("open-browser".to_string())
        .spawn(move || {
            if let Err(err) = webbrowser::open(&url) {
                let _ = failed.send(err.to_string());
            }
        });
    if let Err(err) = spawned {
        let (failed, reason) = oneshot::channel();
        let _ = failed.send(format!("cannot start a thread to open it: {err}"));
        return reason;
    }
    reason
}
