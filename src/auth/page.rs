//! The page the browser shows when it comes back to `auth login`: the login's outcome in plain
//! words (connected, cancelled or refused, a foreign `state`, or a code exchange that failed) and
//! what to do next, as the terminal says it too.
//!
//! It is one small self-contained HTML document (inline style, no script, no external asset:
//! the answer forbids loading any), and every value in it that came from the query string or a
//! server is HTML-escaped. It never holds a token or the client secret.

/// What the browser is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginPage {
    /// Tokens were exchanged and stored.
    Connected {
        /// The company id.
        realm_id: String,
        /// The company's name, when CompanyInfo gave it.
        company_name: Option<String>,
    },
    /// The authorization server sent `error` instead of a code (`access_denied`: the person
    /// clicked Cancel).
    Refused {
        /// `error`.
        error: String,
        /// `error_description`.
        description: Option<String>,
        /// What to do next.
        advice: String,
    },
    /// The callback's `state` is missing or not this login's; nothing was exchanged.
    WrongState,
    /// The consent came back but the login failed after it (the code exchange, the realm, the
    /// token store).
    Failed {
        /// The terminal's message.
        message: String,
    },
}

impl LoginPage {
    /// The HTTP status the page is sent with.
    pub fn status(&self) -> (u16, &'static str) {
        match self {
            LoginPage::Connected { .. } => (200, "OK"),
            LoginPage::Refused { .. } | LoginPage::WrongState => (400, "Bad Request"),
            LoginPage::Failed { .. } => (502, "Bad Gateway"),
        }
    }

    /// The whole HTML document; `connection` names the connection logged in to.
    pub fn html(&self, connection: &str) -> String {
        let again = format!(
            "<p>To start again, run <code>qbo-run auth login {}</code> in the terminal.</p>",
            escape(connection)
        );
        let (tone, title, body) = match self {
            LoginPage::Connected {
                realm_id,
                company_name,
            } => {
                let company = match company_name {
                    Some(name) => format!(
                        "<strong>{}</strong> (company {})",
                        escape(name),
                        escape(realm_id)
                    ),
                    None => format!("company <strong>{}</strong>", escape(realm_id)),
                };
                (
                    "ok",
                    "Connected",
                    format!(
                        "<p>qbo-run is connected to {company} through connection <code>{}</code>. \
                         Its tokens are stored, and runs can use them now.</p>\
                         <p>You can close this tab and go back to the terminal.</p>",
                        escape(connection)
                    ),
                )
            }
            LoginPage::Refused {
                error,
                description,
                advice,
            } => {
                let cancelled = error == "access_denied";
                let said = match description {
                    Some(d) => format!(
                        "<p>The authorization server answered <code>{}</code>: {}</p>",
                        escape(error),
                        escape(d)
                    ),
                    None => format!(
                        "<p>The authorization server answered <code>{}</code>.</p>",
                        escape(error)
                    ),
                };
                (
                    "warn",
                    if cancelled {
                        "Login cancelled"
                    } else {
                        "Login refused"
                    },
                    format!(
                        "<p>{}</p>{said}<p>{}.</p>{again}",
                        if cancelled {
                            "The app was not authorized, so qbo-run is not connected and nothing was stored."
                        } else {
                            "The login was refused, so qbo-run is not connected and nothing was stored."
                        },
                        escape(&capitalised(advice))
                    ),
                )
            }
            LoginPage::WrongState => (
                "bad",
                "This login link is not the current one",
                format!(
                    "<p>The answer that came back does not belong to the login qbo-run is \
                     waiting for (its <code>state</code> does not match): it came from an older \
                     login, or was forged. Nothing was exchanged and nothing was stored.</p>{again}"
                ),
            ),
            LoginPage::Failed { message } => (
                "bad",
                "Not connected",
                format!(
                    "<p>The app was authorized, but the login could not be completed:</p>\
                     <p class=\"detail\">{}</p><p>Nothing was stored. The terminal says more.</p>{again}",
                    escape(message)
                ),
            ),
        };
        format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} - qbo-run</title><style>{STYLE}</style></head>\
             <body><main class=\"{tone}\"><h1>{title}</h1>{body}</main></body></html>\n"
        )
    }
}

/// The page's look: one card, a coloured edge for the outcome.
const STYLE: &str = "body{margin:0;min-height:100vh;display:flex;align-items:center;\
justify-content:center;background:#f4f5f7;color:#1f2328;\
font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif}\
main{max-width:34rem;margin:1.5rem;padding:1.5rem 2rem;background:#fff;border-radius:10px;\
border-left:8px solid #888;box-shadow:0 1px 4px rgba(0,0,0,.12)}\
main.ok{border-color:#2e7d32}main.warn{border-color:#c77700}main.bad{border-color:#c62828}\
h1{margin:.2rem 0 .8rem;font-size:1.5rem}.ok h1{color:#2e7d32}.warn h1{color:#a15c00}\
.bad h1{color:#c62828}code{background:#eef0f3;padding:.1rem .3rem;border-radius:4px}\
.detail{font-family:ui-monospace,monospace;font-size:.9rem;background:#f6f8fa;\
padding:.5rem .75rem;border-radius:6px;overflow-wrap:anywhere}";

/// `text` with the first letter upper-cased.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `text` safe inside HTML text and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_came_from_the_query_string_is_escaped() {
        let page = LoginPage::Refused {
            error: "<b>x</b>".into(),
            description: Some("\"><script>alert('1')</script>&".into()),
            advice: "log in again".into(),
        }
        .html("c<1>");
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<b>x"), "{page}");
        assert!(
            page.contains("&quot;&gt;&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt;&amp;"),
            "{page}"
        );
        assert!(page.contains("qbo-run auth login c&lt;1&gt;"), "{page}");
        let page = LoginPage::Connected {
            realm_id: "1<2".into(),
            company_name: Some("O'Brien & <Sons>".into()),
        }
        .html("c");
        assert!(
            page.contains("<strong>O&#39;Brien &amp; &lt;Sons&gt;</strong> (company 1&lt;2)"),
            "{page}"
        );
    }

    #[test]
    fn each_outcome_has_its_words_and_status() {
        let connected = LoginPage::Connected {
            realm_id: "123".into(),
            company_name: None,
        };
        assert_eq!(connected.status().0, 200);
        assert!(connected.html("c").contains("You can close this tab"));
        let cancelled = LoginPage::Refused {
            error: "access_denied".into(),
            description: None,
            advice: "log in again".into(),
        };
        assert_eq!(cancelled.status().0, 400);
        assert!(cancelled.html("c").contains("<h1>Login cancelled</h1>"));
        assert!(
            LoginPage::WrongState
                .html("c")
                .contains("Nothing was exchanged")
        );
        let failed = LoginPage::Failed {
            message: "the OAuth server refused exchanging the authorization code: invalid_client"
                .into(),
        };
        assert_eq!(failed.status().0, 502);
        assert!(failed.html("c").contains("<h1>Not connected</h1>"));
        for page in [connected, cancelled, LoginPage::WrongState, failed] {
            let html = page.html("c");
            assert!(!html.contains("http"), "no external asset: {html}");
            assert!(!html.contains("<script"), "{html}");
        }
    }
}
