//! Helpers shared by the end-to-end tests: a scratch project with its own data folder, the
//! real binary, and a standalone emulator process on a free loopback port.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

pub const REALM: &str = "9341453050298464";

/// A scratch project: a data folder, and a folder for extra request/connection files.
pub struct Project {
    pub home: tempfile::TempDir,
    pub files: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        let project = Project {
            home: tempfile::tempdir().expect("temp home"),
            files: tempfile::tempdir().expect("temp files"),
        };
        std::fs::create_dir_all(project.files.path().join("requests")).expect("mkdir");
        std::fs::create_dir_all(project.files.path().join("connections")).expect("mkdir");
        project
    }

    /// Writes `text` to `relative` under the scratch folder and returns its path.
    pub fn file(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.files.path().join(relative);
        std::fs::write(&path, text).expect("write file");
        path
    }

    /// Runs qbo-run from the repository root.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        Command::new(env!("CARGO_BIN_EXE_qbo-run"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("QBO_RUN_HOME", self.home.path())
            .env("HOME", self.home.path())
            .env_remove("QBO_RUN_LOG")
            .env_remove("QBO_RUN_CA")
            .env_remove("QBO_CLIENT_ID")
            .env_remove("QBO_CLIENT_SECRET")
            .env_remove("QBO_REALM_ID")
            .output()
            .expect("qbo-run runs")
    }

    pub fn token_file(&self, connection: &str) -> PathBuf {
        self.home
            .path()
            .join("tokens")
            .join(format!("{connection}@{REALM}.json"))
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

pub fn assert_ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\nstderr:\n{}",
        output.status.code(),
        stderr(output)
    );
}

impl Project {
    /// A command for the binary with this project's data folder, run from the repository root.
    pub fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_qbo-run"));
        command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("QBO_RUN_HOME", self.home.path())
            .env("HOME", self.home.path())
            .env_remove("QBO_RUN_LOG")
            .env_remove("QBO_RUN_CA");
        command
    }
}

/// A `qbo-run emulator` process on a free loopback port, killed when dropped.
pub struct EmulatorProcess {
    child: Child,
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
}

impl EmulatorProcess {
    /// Starts `qbo-run emulator --port 0` with `args` and waits for its address.
    pub fn start(args: &[&str]) -> EmulatorProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qbo-run"))
            .args(["emulator", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("emulator starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("emulator banner");
        let base_url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("banner names the URL")
            .to_string();
        EmulatorProcess { child, base_url }
    }

    /// The emulator's counters.
    pub fn stats(&self) -> serde_json::Value {
        let body = raw_http::blocking_get(&format!("{}/__emulator/stats", self.base_url));
        serde_json::from_str(&body).expect("stats JSON")
    }

    /// One counter; a missing or non-numeric one fails the test (so no comparison can pass on
    /// a counter that is not there).
    pub fn stat(&self, name: &str) -> u64 {
        stat(&self.stats(), name)
    }
}

/// Counter `name` of an emulator's `stats`; panics when it is missing or not a number.
pub fn stat(stats: &serde_json::Value, name: &str) -> u64 {
    stats[name]
        .as_u64()
        .unwrap_or_else(|| panic!("the emulator has no counter `{name}`: {stats}"))
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Tiny blocking HTTP for tests, over std only (no redirects followed).
pub mod raw_http {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    /// Sends a request and returns (status, headers text, body).
    pub fn request(
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String, String) {
        let parsed = url::Url::parse(url).expect("url");
        let host = parsed.host_str().expect("host");
        let port = parsed.port_or_known_default().expect("port");
        let mut target = parsed.path().to_string();
        if let Some(query) = parsed.query() {
            target.push('?');
            target.push_str(query);
        }
        let mut stream = TcpStream::connect((host, port)).expect("connect");
        let mut head = format!(
            "{method} {target} HTTP/1.1\r\nhost: {host}:{port}\r\nconnection: close\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("send");
        stream.write_all(body.as_bytes()).expect("send body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status");
        (status, head.to_string(), body.to_string())
    }

    /// Logs in to the emulator at `base_url` through the code flow; its access token.
    pub fn emulator_access_token(base_url: &str) -> String {
        let redirect = "http://localhost:8050/callback";
        let authorize = url::Url::parse_with_params(
            &format!("{base_url}/connect/oauth2"),
            &[
                ("client_id", "qbo-emulator-client"),
                ("response_type", "code"),
                ("scope", "com.intuit.quickbooks.accounting"),
                ("redirect_uri", redirect),
                ("state", "test"),
            ],
        )
        .expect("url");
        let (_, head, _) = request("GET", authorize.as_str(), &[], "");
        let callback = url::Url::parse(&location(&head).expect("a redirect")).expect("callback");
        let code = callback
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .expect("code");
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", &code)
            .append_pair("redirect_uri", redirect)
            .finish();
        let (status, _, body) = request(
            "POST",
            &format!("{base_url}/oauth2/v1/tokens/bearer"),
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                (
                    "authorization",
                    "Basic cWJvLWVtdWxhdG9yLWNsaWVudDpxYm8tZW11bGF0b3Itc2VjcmV0",
                ),
                ("accept", "application/json"),
            ],
            &form,
        );
        assert_eq!(status, 200, "{body}");
        let tokens: serde_json::Value = serde_json::from_str(&body).expect("token JSON");
        tokens["access_token"]
            .as_str()
            .expect("access token")
            .to_string()
    }

    /// GET and return the body.
    pub fn blocking_get(url: &str) -> String {
        request("GET", url, &[], "").2
    }

    /// The Location header of a response head.
    pub fn location(head: &str) -> Option<String> {
        head.lines().find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_string())
        })
    }
}

/// The path of a connection file in `project` for a standalone emulator, written fresh.
pub fn external_emulator_connection(
    project: &Project,
    name: &str,
    emulator: &EmulatorProcess,
    extra: &str,
) -> PathBuf {
    project.file(
        &format!("connections/{name}.yaml"),
        &format!(
            "environment: emulator\nbase_url: {}\n{extra}",
            emulator.base_url
        ),
    )
}

/// Output of a finished child, for assertions.
pub fn output_text(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

/// One answer of a [`ScriptedServer`]: status, extra headers, JSON body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    /// `status` with `body` and no extra header.
    pub fn new(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    /// The same answer with header `name: value`.
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// What a [`ScriptedServer`] was asked: method, target (path and query), and when it arrived.
#[derive(Debug, Clone)]
pub struct Asked {
    pub method: String,
    pub target: String,
    pub at: std::time::Instant,
}

/// A loopback HTTP server a test starts: it binds port 0 and answers the calls in order from
/// its script (the last answer again once the script is used up), one call per connection, and
/// keeps what it was asked.
pub struct ScriptedServer {
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
    asked: std::sync::Arc<std::sync::Mutex<Vec<Asked>>>,
}

impl ScriptedServer {
    /// Starts serving `script` on a port the system picks.
    pub fn start(script: Vec<Answer>) -> ScriptedServer {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
        let port = listener.local_addr().expect("addr").port();
        let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&asked);
        std::thread::spawn(move || {
            for (index, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let at = std::time::Instant::now();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                let mut body = vec![0u8; length];
                let _ = stream.read_exact(&mut body);
                let mut words = head.split_whitespace();
                let method = words.next().unwrap_or_default().to_string();
                let target = words.next().unwrap_or_default().to_string();
                if let Ok(mut log) = log.lock() {
                    log.push(Asked { method, target, at });
                }
                let Some(answer) = script.get(index).or(script.last()) else {
                    continue;
                };
                let mut response = format!(
                    "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nintuit_tid: 1-scripted-{index}\r\n",
                    answer.status,
                    answer.body.len()
                );
                for (name, value) in &answer.headers {
                    response.push_str(&format!("{name}: {value}\r\n"));
                }
                response.push_str("\r\n");
                response.push_str(&answer.body);
                let _ = stream.write_all(response.as_bytes());
            }
        });
        ScriptedServer {
            base_url: format!("http://127.0.0.1:{port}"),
            asked,
        }
    }

    /// What it was asked so far.
    pub fn asked(&self) -> Vec<Asked> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }

    /// A connection to this server for API calls, with the OAuth endpoints of `emulator`
    /// (which logs in by itself), and `extra` YAML.
    pub fn connection(
        &self,
        project: &Project,
        emulator: &EmulatorProcess,
        extra: &str,
    ) -> PathBuf {
        project.file(
            "connections/scripted.yaml",
            &format!(
                "environment: emulator\nbase_url: {}\noauth2:\n  auth_url: {base}/connect/oauth2\n  token_url: {base}/oauth2/v1/tokens/bearer\n{extra}",
                self.base_url,
                base = emulator.base_url
            ),
        )
    }
}

/// A QBO `companyinfo` answer.
pub const COMPANY_INFO: &str = r#"{"CompanyInfo": {"Id": "1", "CompanyName": "Scripted Co."}, "time": "2025-09-19T10:00:00.000-07:00"}"#;

pub mod postgres;
