//! A throwaway PostgreSQL cluster for a test: `initdb` into a temporary folder, the server
//! listening on a Unix socket in that folder only (no TCP port, so nothing to race for), run as
//! the `postgres` user when the tests run as root. The server is stopped when the value is
//! dropped, and also when the test process dies: it runs under a small shell that stops it as
//! soon as its standard input (a pipe from this process) closes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The shell that keeps the server: reads `stop` / `start` lines, stops it on end of input.
const KEEPER: &str = r#"
data="$1"; sock="$2"; bin="$3"
start() {
  "$bin/postgres" -D "$data" -k "$sock" -c listen_addresses= -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 \
    -c shared_buffers=32MB </dev/null >>"$data/server.log" 2>&1 &
  pid=$!
}
start
while read -r line; do
  case "$line" in
    stop) kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null ;;
    kill) kill -QUIT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null ;;
    start) start ;;
  esac
done
kill -QUIT "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
"#;

/// A running throwaway cluster.
pub struct PgCluster {
    _dir: tempfile::TempDir,
    data: PathBuf,
    socket: PathBuf,
    bin: PathBuf,
    keeper: Child,
    input: Option<ChildStdin>,
    as_postgres: bool,
}

/// The folder of PostgreSQL's server programs (Debian: /usr/lib/postgresql/N/bin).
fn server_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    found.sort();
    found.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL's server is not installed (no /usr/lib/postgresql/*/bin/initdb); \
             install the Debian package `postgresql` (.ci/run does)"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    /// Creates and starts a cluster; returns when it accepts connections.
    pub fn start() -> PgCluster {
        let bin = server_bin();
        let as_postgres = is_root();
        let dir = tempfile::Builder::new()
            .prefix("qbo-pg")
            .tempdir()
            .expect("temp dir");
        let data = dir.path().join("data");
        let socket = dir.path().join("s");
        std::fs::create_dir_all(&socket).expect("socket dir");
        if as_postgres {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown to postgres failed");
        }
        let mut init = Self::command_as(as_postgres, &bin.join("initdb"));
        init.args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(&data)
        .stdout(Stdio::null());
        let out = init.output().expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut keeper = Self::command_as(as_postgres, Path::new("sh"));
        keeper
            .arg("-c")
            .arg(KEEPER)
            .arg("keeper")
            .arg(&data)
            .arg(&socket)
            .arg(&bin)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut keeper = keeper.spawn().expect("postgres starts");
        let input = keeper.stdin.take();
        let cluster = PgCluster {
            _dir: dir,
            data,
            socket,
            bin,
            keeper,
            input,
            as_postgres,
        };
        cluster.wait_ready();
        cluster
    }

    fn command_as(as_postgres: bool, program: &Path) -> Command {
        if as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn send(&mut self, line: &str) {
        if let Some(input) = self.input.as_mut() {
            input
                .write_all(format!("{line}\n").as_bytes())
                .and_then(|()| input.flush())
                .expect("tell the keeper");
        }
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ok = Command::new(self.bin.join("pg_isready"))
                .arg("-q")
                .arg("-h")
                .arg(&self.socket)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ok {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(self.data.join("server.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (fast shutdown: connections are cut) and waits until it is down.
    pub fn stop(&mut self) {
        self.send("stop");
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.socket.join(".s.PGSQL.5432").exists() {
            assert!(Instant::now() < deadline, "PostgreSQL did not stop");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the server again after [`PgCluster::stop`].
    pub fn restart(&mut self) {
        self.send("start");
        self.wait_ready();
    }

    /// A new empty database; its URL for `QBO_RUN_STORE`.
    pub fn database(&self, name: &str) -> String {
        self.sql("postgres", &format!("CREATE DATABASE {name}"));
        self.url(name)
    }

    /// The URL of database `name` (over the cluster's socket).
    pub fn url(&self, name: &str) -> String {
        format!(
            "postgresql:///{name}?user=postgres&host={}",
            self.socket.display()
        )
    }

    /// Runs `sql` in database `db` with psql; its output (unaligned, tuples only).
    pub fn sql(&self, db: &str, sql: &str) -> String {
        let psql = self.bin.join("psql");
        let out = Self::command_as(self.as_postgres, &psql)
            .arg("-h")
            .arg(&self.socket)
            .args([
                "-U",
                "postgres",
                "-d",
                db,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
            ])
            .arg(sql)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        // End of input: the keeper stops the server and exits.
        drop(self.input.take());
        let _ = self.keeper.wait();
    }
}
