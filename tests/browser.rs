//! `auth login` as a person sees it: a real headless Chromium, opened by qbo-run through
//! `$BROWSER`, consents at the in-process emulator (`emulator.consent: browser`) and comes back
//! to the login's listener; the page it shows is read from its DOM and kept as a screenshot in
//! `target/test-artifacts/` (not committed), for a login that connects, one cancelled at the
//! consent (`emulator.deny_consent`), and one whose `state` is not the login's.
//!
//! Nothing is installed here: without a Chromium binary (`.ci/run` installs Debian's) each test
//! says so and passes. The browser runs headless with the flags that keep it off the network
//! (only loopback is reachable here) and with a fresh profile per test.

mod common;

use common::{Project, REALM, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// The longest a browser gets to write its page once the login is over.
const PAGE_TIMEOUT: Duration = Duration::from_secs(60);

/// The Chromium binary, or `None` (and a printed reason) where there is none.
fn chromium() -> Option<PathBuf> {
    let candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];
    let found = candidates.iter().map(PathBuf::from).find(|p| p.is_file());
    if found.is_none() {
        eprintln!(
            "skipped: no Chromium binary ({}); `.ci/run` installs Debian's `chromium`",
            candidates.join(", ")
        );
    }
    found
}

/// Where screenshots and pages are kept: `target/test-artifacts/`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

/// What the browser showed.
struct Shown {
    /// The login's output.
    output: Output,
    /// The page's DOM once loaded.
    dom: String,
    /// The page's text (the DOM without tags), for reading like a person.
    text: String,
}

/// Writes a `$BROWSER` script into `dir` that opens its URL in headless Chromium, writes the
/// loaded page's DOM to `dir/page.html` (renamed into place once complete) and a screenshot to
/// `dir/page.png`. With `forge_state`, it first swaps the URL's `state` for another, as a link
/// from an older login (or a forged one) would carry.
fn browser_script(chromium: &Path, dir: &Path, forge_state: bool) -> PathBuf {
    let forge = if forge_state {
        "url=$(printf '%s' \"$url\" | sed 's/\\([?&]\\)state=[^&]*/\\1state=not-this-login/')\n"
    } else {
        ""
    };
    let script = format!(
        "#!/bin/sh\nurl=\"$1\"\n{forge}exec >\"{dir}/chromium.log\" 2>&1\n\
         \"{chromium}\" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
         --disable-background-networking --disable-component-update --disable-sync \
         --user-data-dir=\"{dir}/profile\" --window-size=900,600 \
         --screenshot=\"{dir}/page.png\" --dump-dom \"$url\" >\"{dir}/page.tmp\"\n\
         mv \"{dir}/page.tmp\" \"{dir}/page.html\"\n",
        dir = dir.display(),
        chromium = chromium.display(),
    );
    let path = dir.join("browser.sh");
    std::fs::write(&path, script).expect("write the browser script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

/// Runs `auth login` on an emulator connection with `emulator` settings, the browser being
/// Chromium through `$BROWSER`; returns what it showed, and keeps its screenshot and page as
/// `target/test-artifacts/login-NAME.{png,html}`.
fn login_in_chromium(chromium: &Path, name: &str, emulator: &str, forge_state: bool) -> Shown {
    let project = Project::new();
    let connection = project.file(
        "connections/person.yaml",
        &format!(
            "environment: emulator\nemulator:\n  consent: browser\n  invoices: 10\n{emulator}"
        ),
    );
    let browser_dir = tempfile::tempdir().expect("browser folder");
    let script = browser_script(chromium, browser_dir.path(), forge_state);
    let started = Instant::now();
    let output = project
        .command()
        .args(["auth", "login"])
        .arg(&connection)
        .args(["--timeout", "60"])
        .env("BROWSER", &script)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("login runs");
    let page = browser_dir.path().join("page.html");
    while !page.exists() {
        assert!(
            started.elapsed() < PAGE_TIMEOUT,
            "the browser wrote no page within {PAGE_TIMEOUT:?}\nlogin: {}\nbrowser: {}",
            stderr(&output),
            std::fs::read_to_string(browser_dir.path().join("chromium.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let dom = std::fs::read_to_string(&page).expect("the page");
    let shot = std::fs::read(browser_dir.path().join("page.png")).expect("a screenshot");
    assert!(shot.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    let kept = artifacts();
    std::fs::write(kept.join(format!("login-{name}.png")), &shot).expect("keep the screenshot");
    std::fs::write(kept.join(format!("login-{name}.html")), &dom).expect("keep the page");
    let text = text_of(&dom);
    eprintln!(
        "{name}: {:?} for the login and its page; screenshot in {}",
        started.elapsed(),
        kept.join(format!("login-{name}.png")).display()
    );
    let shown = Shown { output, dom, text };
    assert_eq!(
        project.token_file("person").exists(),
        shown.output.status.success(),
        "tokens are stored exactly when the login succeeded"
    );
    shown
}

/// The text of an HTML document, tags dropped, entities of the page decoded, spaces folded.
fn text_of(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .join(" ")
        .replace(" .", ".")
        .replace(" ,", ",")
        .replace(" :", ":")
}

#[test]
fn a_person_connects_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let shown = login_in_chromium(&chromium, "connected", "", false);
    assert!(
        shown.output.status.success(),
        "exit {:?}\n{}",
        shown.output.status.code(),
        stderr(&shown.output)
    );
    assert!(shown.dom.contains("<title>Connected - qbo-run</title>"));
    let said = stdout(&shown.output);
    let company = said
        .split(&format!("company {REALM} ("))
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("the terminal names the company: {said}"));
    assert_eq!(
        shown.text,
        format!(
            "Connected qbo-run is connected to {company} (company {REALM}) through connection person. \
             Its tokens are stored, and runs can use them now. You can close this tab and go back to the terminal."
        )
    );
    let login = stderr(&shown.output);
    assert!(
        login.contains("if it does not open, open this link yourself"),
        "{login}"
    );
    assert!(
        login.contains("/connect/oauth2?response_type=code"),
        "the URL is printed too: {login}"
    );
    assert!(!login.contains("No browser could be opened"), "{login}");
}

#[test]
fn a_person_cancels_the_consent_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let shown = login_in_chromium(&chromium, "cancelled", "  deny_consent: true\n", false);
    assert_eq!(
        shown.output.status.code(),
        Some(4),
        "{}",
        stderr(&shown.output)
    );
    assert_eq!(
        shown.text,
        "Login cancelled The app was not authorized, so qbo-run is not connected and nothing was stored. \
         The authorization server answered access_denied: The user did not authorize the app \
         To connect the company, log in again and authorize the app. \
         To start again, run qbo-run auth login person in the terminal."
    );
    let login = stderr(&shown.output);
    assert!(
        login.contains(
            "the login was cancelled in the browser (access_denied: The user did not authorize the app); nothing was stored"
        ),
        "{login}"
    );
}

#[test]
fn a_link_from_another_login_is_refused_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let shown = login_in_chromium(&chromium, "wrong-state", "", true);
    assert_eq!(
        shown.output.status.code(),
        Some(4),
        "{}",
        stderr(&shown.output)
    );
    assert!(
        shown
            .text
            .starts_with("This login link is not the current one The answer that came back"),
        "{}",
        shown.text
    );
    assert!(
        shown
            .text
            .contains("Nothing was exchanged and nothing was stored."),
        "{}",
        shown.text
    );
    let login = stderr(&shown.output);
    assert!(
        login.contains(
            "the authorization callback's state does not match this login; nothing was exchanged"
        ),
        "{login}"
    );
}
