//! `qbo-run completions` and `qbo-run man`: the scripts load in a real shell and complete the
//! current folder's request files, `--var` names and connections by calling the binary back;
//! the man page renders with `man`.

mod common;

use common::{Project, assert_ok, stdout};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const REQUEST: &str = "# yaml-language-server: $schema=../schemas/request.schema.json
description: Widgets of a day
vars:
  widget_day:
    default: \"2025-01-01\"
    description: the day of the widgets
path: /v3/company/{{ realm_id }}/query
params:
  query: select * from Item where MetaData.CreateTime >= '{{ widget_day }}'
";

/// A folder with `requests/widgets.yaml` and `connections/shop.yaml`.
fn project() -> Project {
    let project = Project::new();
    project.file("requests/widgets.yaml", REQUEST);
    project.file("connections/shop.yaml", "environment: emulator\n");
    project
}

/// `PATH` with the built binary first, as an installed `qbo-run` would be.
fn path_with_binary() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_qbo-run"))
        .parent()
        .expect("bin folder")
        .to_path_buf();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs `script` in bash in `dir`, after sourcing the completion script.
fn bash(dir: &Path, script: &str) -> std::process::Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source <(qbo-run completions bash) || exit 9\n{script}"
        ))
        .current_dir(dir)
        .env("PATH", path_with_binary())
        .output()
        .expect("bash runs")
}

/// What bash's completion function offers for `words`, completing the last one.
fn bash_completes(dir: &Path, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let current = words.len() - 1;
    let previous = words[current - 1];
    let script = format!(
        "COMP_WORDS=({}); COMP_CWORD={current}; COMP_TYPE=9\n_clap_complete_qbo_run qbo-run '{}' '{previous}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
        quoted.join(" "),
        words[current]
    );
    let output = bash(dir, &script);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output).lines().map(str::to_string).collect()
}

#[test]
fn the_bash_script_loads_and_registers_the_command() {
    let project = project();
    let output = bash(project.files.path(), "complete -p qbo-run");
    assert_ok(&output);
    assert!(
        stdout(&output).contains("-F _clap_complete_qbo_run qbo-run"),
        "{}",
        stdout(&output)
    );
    assert!(output.stderr.is_empty(), "{}", common::stderr(&output));
}

#[test]
fn bash_completes_request_files_var_names_and_connections_of_the_current_folder() {
    let project = project();
    let dir = project.files.path();
    assert_eq!(
        bash_completes(dir, &["qbo-run", "requests/wid"]),
        vec!["requests/widgets.yaml"]
    );
    assert_eq!(
        bash_completes(dir, &["qbo-run", "requests/widgets.yaml", "--var", "wid"]),
        vec!["widget_day="]
    );
    assert_eq!(
        bash_completes(dir, &["qbo-run", "--connection", "sh"]),
        vec!["shop"]
    );
    let subcommands = bash_completes(dir, &["qbo-run", "comp"]);
    assert!(
        subcommands.contains(&"completions".to_string()),
        "{subcommands:?}"
    );
}

#[test]
fn candidates_carry_their_descriptions_where_the_shell_shows_them() {
    let project = project();
    let output = Command::new(env!("CARGO_BIN_EXE_qbo-run"))
        .args(["--", "qbo-run", "--var", ""])
        .env("COMPLETE", "fish")
        .current_dir(project.files.path())
        .output()
        .expect("runs");
    assert_ok(&output);
    assert_eq!(stdout(&output), "widget_day=\tthe day of the widgets\n");
    let output = Command::new(env!("CARGO_BIN_EXE_qbo-run"))
        .args(["--", "qbo-run", "requests/"])
        .env("COMPLETE", "fish")
        .current_dir(project.files.path())
        .output()
        .expect("runs");
    assert!(
        stdout(&output).contains("requests/widgets.yaml\tWidgets of a day"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn every_shell_gets_a_script_that_calls_the_binary_back() {
    let project = Project::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = project.run(["completions", shell]);
        assert_ok(&output);
        let script = stdout(&output);
        assert!(
            script.contains("COMPLETE") && script.contains("qbo-run"),
            "{shell}: {script}"
        );
        let checker = match shell {
            "zsh" => Some(("zsh", vec!["-n"])),
            "fish" => Some(("fish", vec!["--no-execute"])),
            _ => None,
        };
        if let Some((program, args)) = checker
            && let Ok(mut child) = Command::new(program)
                .args(args)
                .stdin(Stdio::piped())
                .spawn()
        {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(script.as_bytes())
                .expect("write");
            assert!(child.wait().expect("wait").success(), "{shell} syntax");
        }
    }
    let output = project.run(["completions", "tcsh"]);
    assert_eq!(output.status.code(), Some(2), "an unknown shell is usage");
}

#[test]
fn the_man_page_renders_with_every_subcommand() {
    let project = Project::new();
    let page = project.run(["man"]);
    assert_ok(&page);
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("`man` runs (.ci/run installs man-db)");
    man.stdin
        .take()
        .expect("stdin")
        .write_all(&page.stdout)
        .expect("write");
    let rendered = man.wait_with_output().expect("man");
    assert!(rendered.status.success(), "{}", common::stderr(&rendered));
    assert!(
        rendered.stderr.is_empty(),
        "roff warnings: {}",
        common::stderr(&rendered)
    );
    // man justifies lines with extra spaces.
    let text = stdout(&rendered)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for expected in [
        "NAME",
        "SYNOPSIS",
        "SUBCOMMANDS",
        "--connection",
        "qbo-run-check - Check request and connection files",
        "qbo-run auth login [--no-browser]",
        "qbo-run-auth-login - ",
        "qbo-run-completions - ",
        "qbo-run-schema - ",
    ] {
        assert!(text.contains(expected), "no `{expected}` in the page");
    }
}
