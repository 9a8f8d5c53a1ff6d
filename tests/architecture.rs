//! The layout ARCHITECTURE.md promises, checked: in each crate, the files import one another one
//! way (no file reaches, directly or through others, back to a file that imports it).
//!
//! A file's imports are the `crate::`, `super::`, `self::` and child-module paths it names
//! outside comments and test modules. A module file's `pub use` re-exports are its public face,
//! not imports; `mod` declarations are not imports either. Cargo already keeps the crates
//! themselves apart: `qbo-run` depends on `qbo-emulator`, so the emulator can never depend on
//! the runner.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` except test modules, keyed by module path (`a::b`; the crate root
/// is the empty path).
fn modules(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let entries = std::fs::read_dir(&current)
            .unwrap_or_else(|err| panic!("{}: {err}", current.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".rs") || name.starts_with("tests") || name == "main.rs" {
                continue;
            }
            let relative = path.strip_prefix(dir).expect("under the source folder");
            let mut parts: Vec<String> = relative
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts
                .last()
                .is_some_and(|last| last == "mod" || last == "lib")
            {
                parts.pop();
            }
            out.insert(parts.join("::"), path);
        }
    }
    out
}

/// `source` without comments, string literals' contents, test modules and `pub use` items.
fn code_of(source: &str) -> String {
    let source = match source.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &source[..at],
        None => source,
    };
    let mut code = String::with_capacity(source.len());
    for line in source.lines() {
        let line = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        code.push_str(line);
        code.push('\n');
    }
    let mut kept = String::with_capacity(code.len());
    let mut rest = code.as_str();
    while let Some(at) = find_pub_use(rest) {
        kept.push_str(&rest[..at]);
        rest = match rest[at..].find(';') {
            Some(end) => &rest[at + end + 1..],
            None => "",
        };
    }
    kept.push_str(rest);
    kept
}

/// Where the next `pub use` / `pub(crate) use` / `pub(super) use` item starts.
fn find_pub_use(code: &str) -> Option<usize> {
    ["pub use ", "pub(crate) use ", "pub(super) use "]
        .iter()
        .filter_map(|needle| code.find(needle))
        .min()
}

/// The module paths `code` names, written from module `me` (`crate::a::b`, `super::x`,
/// `self::y`, `child::z`, with `{...}` groups expanded one level).
fn named_paths(code: &str, me: &[String], children: &[String]) -> Vec<Vec<String>> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut paths = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if !is_ident(bytes[i]) || (i > 0 && (is_ident(bytes[i - 1]) || bytes[i - 1] == ':')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let first: String = bytes[start..i].iter().collect();
        let base: Option<Vec<String>> = match first.as_str() {
            "crate" => Some(Vec::new()),
            "super" => Some(me[..me.len().saturating_sub(1)].to_vec()),
            "self" => Some(me.to_vec()),
            name if children.iter().any(|c| c == name) => {
                let mut base = me.to_vec();
                base.push(name.to_owned());
                Some(base)
            }
            _ => None,
        };
        let Some(base) = base else {
            continue;
        };
        let mut prefixes = vec![base];
        let mut segments = 0;
        loop {
            if bytes.get(i) != Some(&':') || bytes.get(i + 1) != Some(&':') {
                break;
            }
            i += 2;
            if bytes.get(i) == Some(&'{') {
                let close = (i..bytes.len())
                    .find(|&k| bytes[k] == '}')
                    .unwrap_or(bytes.len());
                let group: String = bytes[i + 1..close].iter().collect();
                let expanded: Vec<Vec<String>> = prefixes
                    .iter()
                    .flat_map(|prefix| {
                        group.split(',').map(move |item| {
                            let mut path = prefix.clone();
                            path.extend(
                                item.trim()
                                    .split("::")
                                    .map(|s| s.trim().to_owned())
                                    .filter(|s| !s.is_empty() && s != "self"),
                            );
                            path
                        })
                    })
                    .collect();
                prefixes = expanded;
                segments += 1;
                i = close + 1;
                break;
            }
            let seg_start = i;
            while i < bytes.len() && is_ident(bytes[i]) {
                i += 1;
            }
            let segment: String = bytes[seg_start..i].iter().collect();
            if segment.is_empty() {
                break;
            }
            segments += 1;
            for prefix in &mut prefixes {
                if segment == "super" {
                    prefix.pop();
                } else {
                    prefix.push(segment.clone());
                }
            }
        }
        if segments > 0 {
            paths.extend(prefixes);
        }
    }
    paths
}

/// The file-to-file import graph of the crate whose sources are in `dir`.
fn import_graph(dir: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let files = modules(dir);
    let mut graph = BTreeMap::new();
    for (module, path) in &files {
        let source =
            std::fs::read_to_string(path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let me: Vec<String> = if module.is_empty() {
            Vec::new()
        } else {
            module.split("::").map(str::to_owned).collect()
        };
        let children: Vec<String> = source
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                let line = line
                    .strip_prefix("pub(crate) ")
                    .or_else(|| line.strip_prefix("pub "))
                    .unwrap_or(line);
                line.strip_prefix("mod ")?
                    .strip_suffix(';')
                    .map(str::to_owned)
            })
            .collect();
        let mut edges = BTreeSet::new();
        for path in named_paths(&code_of(&source), &me, &children) {
            let target = (0..=path.len())
                .rev()
                .map(|n| path[..n].join("::"))
                .find(|candidate| files.contains_key(candidate));
            if let Some(target) = target
                && !target.is_empty()
                && &target != module
            {
                edges.insert(target);
            }
        }
        graph.insert(module.clone(), edges);
    }
    graph
}

/// A cycle in `graph`, as the files along it, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        marks: &mut BTreeMap<String, Mark>,
        trail: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        marks.insert(node.to_owned(), Mark::Open);
        trail.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::New) {
                Mark::Open => {
                    let from = trail.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = trail[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(cycle) = visit(next, graph, marks, trail) {
                        return Some(cycle);
                    }
                }
                Mark::Done => {}
            }
        }
        trail.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    for node in graph.keys() {
        if marks.get(node).copied().unwrap_or(Mark::New) == Mark::New {
            let mut trail = Vec::new();
            if let Some(cycle) = visit(node, graph, &mut marks, &mut trail) {
                return Some(cycle);
            }
        }
    }
    None
}

fn assert_one_way(crate_dir: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate_dir);
    let graph = import_graph(&dir);
    assert!(graph.len() > 10, "{}: too few files found", dir.display());
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "{}: files import each other in a circle: {}",
            dir.display(),
            cycle.join(" -> ")
        );
    }
}

#[test]
fn the_runners_files_import_one_way() {
    assert_one_way("src");
}

#[test]
fn the_emulators_files_import_one_way() {
    assert_one_way("emulator/src");
}

#[test]
fn a_circle_between_files_is_found() {
    let dir = tempfile::tempdir().expect("temp dir");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    };
    write(
        "lib.rs",
        "mod a;\nmod b;\nmod c;\npub use a::A;\n// crate::c::X in a comment\n",
    );
    write("a.rs", "use crate::b::{B, other};\npub struct A;\n");
    write("b/mod.rs", "mod inner;\nuse inner::I;\npub struct B;\n");
    write("b/inner.rs", "use super::super::c::C;\npub struct I;\n");
    write(
        "c.rs",
        "pub struct C;\nfn f() { let _ = crate::a::A; }\n#[cfg(test)]\nmod tests {\n use crate::b::B;\n}\n",
    );
    let graph = import_graph(dir.path());
    assert_eq!(graph["a"], BTreeSet::from(["b".to_owned()]));
    assert_eq!(graph["b"], BTreeSet::from(["b::inner".to_owned()]));
    assert_eq!(graph["b::inner"], BTreeSet::from(["c".to_owned()]));
    assert_eq!(graph["c"], BTreeSet::from(["a".to_owned()]));
    assert!(graph[""].is_empty(), "{:?}", graph[""]);
    let cycle = find_cycle(&graph).expect("a -> b -> b::inner -> c -> a");
    assert_eq!(cycle.first(), cycle.last());
    assert_eq!(cycle.len(), 5, "{cycle:?}");
    write("c.rs", "pub struct C;\n");
    assert_eq!(find_cycle(&import_graph(dir.path())), None);
}
