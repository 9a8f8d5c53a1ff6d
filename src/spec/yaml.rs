//! The only place that parses YAML, so the YAML crate can be swapped without touching the rest.
//!
//! `serde_yaml` turns text into typed structs and reports line and column of its own errors;
//! `yaml-rust2`'s event parser builds a [`PositionIndex`] so that later checks (templates,
//! JSONPath, rules of the format) can point at the exact key or value they are about.

use crate::diagnostics::{Error, SourceLocation, did_you_mean};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// `value` as a YAML document (for files qbo-run writes, such as cassettes).
pub fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|err| err.to_string())
}

/// A YAML file read from disk, kept whole so errors can quote it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    positions: PositionIndex,
}

impl SourceFile {
    /// Reads `path`; a missing or unreadable file is a file error naming it.
    pub fn read(path: &Path) -> Result<SourceFile, Error> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Error::file(format!("cannot read {}: {err}", path.display())))?;
        Ok(SourceFile::from_text(path, text))
    }

    /// Wraps text that claims to come from `path` (used by tests and `check` of stdin-free input).
    pub fn from_text(path: &Path, text: String) -> SourceFile {
        let positions = PositionIndex::build(&text);
        SourceFile {
            path: path.to_path_buf(),
            text,
            positions,
        }
    }

    /// The path as the user gave it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the value at `key_path` (dotted, e.g. `params.query`, `output.columns.id`) starts.
    pub fn value_location(&self, key_path: &str) -> Option<SourceLocation> {
        self.positions
            .values
            .get(key_path)
            .map(|&(line, column)| self.location(line, column))
    }

    /// Where the key of `key_path` is written.
    pub fn key_location(&self, key_path: &str) -> Option<SourceLocation> {
        self.positions
            .keys
            .get(key_path)
            .map(|&(line, column)| self.location(line, column))
    }

    /// The first place at or after the value of `key_path` where `needle` is written, pointing at
    /// its first character, or its last with `at_end` (falls back to the value's start).
    pub fn find_in_value(
        &self,
        key_path: &str,
        needle: &str,
        at_end: bool,
    ) -> Option<SourceLocation> {
        let start = self.value_location(key_path)?;
        let found = self
            .text
            .lines()
            .enumerate()
            .skip(start.line - 1)
            .take(200)
            .find_map(|(index, line)| {
                line.find(needle).map(|byte| {
                    let before = line[..byte].chars().count();
                    let column = if at_end {
                        before + needle.chars().count()
                    } else {
                        before + 1
                    };
                    self.location(index + 1, column)
                })
            });
        Some(found.unwrap_or(start))
    }

    /// The keys of the top-level mapping.
    pub fn top_level_keys(&self) -> Vec<&str> {
        self.positions
            .keys
            .keys()
            .filter(|k| !k.contains('.') && !k.contains('['))
            .map(String::as_str)
            .collect()
    }

    /// A location in this file.
    pub fn location(&self, line: usize, column: usize) -> SourceLocation {
        SourceLocation::in_source(&self.path, &self.text, line, column)
    }

    /// Where a YAML error that carries no position most likely is: the second document's `---`
    /// for "more than one document", else the first line that is not a comment.
    fn guess_location(&self, message: &str) -> SourceLocation {
        let lines: Vec<&str> = self.text.lines().collect();
        let marker = message
            .contains("more than one document")
            .then(|| {
                lines
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.starts_with("---") || l.starts_with("..."))
                    .map(|(i, _)| i)
                    .find(|&i| lines[..i].iter().any(|l| is_content(l)))
                    .or_else(|| lines.iter().position(|l| l.starts_with("---")))
            })
            .flatten();
        let line = marker
            .or_else(|| lines.iter().position(|l| is_content(l)))
            .unwrap_or(0);
        self.location(line + 1, 1)
    }

    /// The place of `key`'s value (a dotted key path), else of the key, else (the position index
    /// not having it, in a file that YAML reads oddly) the first line naming its last part, else
    /// the first line: an error always says where.
    pub fn value_or_near(&self, key: &str) -> SourceLocation {
        self.value_location(key)
            .unwrap_or_else(|| self.key_or_near(key))
    }

    /// The place of `key` itself, else of its value, else as [`SourceFile::value_or_near`].
    pub fn key_or_near(&self, key: &str) -> SourceLocation {
        self.key_location(key)
            .or_else(|| self.value_location(key))
            .or_else(|| {
                let last = key.rsplit('.').next().unwrap_or(key);
                let last = last.split('[').next().unwrap_or(last);
                self.text
                    .lines()
                    .position(|l| l.trim_start().starts_with(&format!("{last}:")))
                    .map(|i| self.location(i + 1, 1))
            })
            .unwrap_or_else(|| self.location(1, 1))
    }

    /// Deserializes the whole file as `T`; `what` names the kind of file in messages.
    pub fn deserialize<T: DeserializeOwned>(&self, what: &str) -> Result<T, Error> {
        if self.text.trim().is_empty() {
            return Err(Error::file(format!(
                "{} is empty: a {what} needs at least the required keys",
                self.path.display()
            ))
            .at(self.location(1, 1)));
        }
        serde_yaml::from_str(&self.text).map_err(|err| self.yaml_error(&err, what))
    }

    fn yaml_error(&self, err: &serde_yaml::Error, what: &str) -> Error {
        let location = err
            .location()
            .map(|loc| self.location(loc.line(), loc.column()))
            .or_else(|| Some(self.guess_location(&err.to_string())));
        let raw = err.to_string();
        let message = strip_location_suffix(&raw);
        let (field_path, detail) = split_field_path(message);
        let error = match unknown_name(detail) {
            Some(unknown) => {
                let noun = if unknown.is_variant { "value" } else { "key" };
                let place = field_path.map(|p| format!(" in `{p}`")).unwrap_or_default();
                let mut error = Error::file(format!(
                    "unknown {noun} `{}`{place} of {what}",
                    unknown.word
                ));
                if !unknown.expected.is_empty() {
                    error = error.note(format!("expected one of: {}", unknown.expected.join(", ")));
                }
                let suggestion =
                    did_you_mean(&unknown.word, unknown.expected.iter().map(|s| s.as_str()));
                error.note_opt(suggestion.map(|s| format!("help: did you mean `{s}`?")))
            }
            None => {
                let place = field_path.map(|p| format!(" at `{p}`")).unwrap_or_default();
                Error::file(format!("invalid {what}{place}: {detail}"))
            }
        };
        match location {
            Some(location) => error.at(location),
            None => error.note(format!("in {}", self.path.display())),
        }
    }
}

/// A line that is neither blank nor only a comment.
fn is_content(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty() && !line.starts_with('#')
}

fn strip_location_suffix(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains(" column ") => &message[..index],
        _ => message,
    }
}

/// serde_yaml prefixes messages with the dotted path of the failing field (`output.format: ...`).
fn split_field_path(message: &str) -> (Option<&str>, &str) {
    if let Some((head, rest)) = message.split_once(": ") {
        let looks_like_path = !head.is_empty()
            && head
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']'));
        if looks_like_path {
            return (Some(head), rest);
        }
    }
    (None, message)
}

struct UnknownName {
    word: String,
    expected: Vec<String>,
    is_variant: bool,
}

/// Reads serde's "unknown field `x`, expected one of `a`, `b`" (and the variant twin).
fn unknown_name(detail: &str) -> Option<UnknownName> {
    let (is_variant, rest) = if let Some(rest) = detail.strip_prefix("unknown field `") {
        (false, rest)
    } else if let Some(rest) = detail.strip_prefix("unknown variant `") {
        (true, rest)
    } else {
        return None;
    };
    let (word, tail) = rest.split_once('`')?;
    let expected = tail
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    Some(UnknownName {
        word: word.to_string(),
        expected,
        is_variant,
    })
}

/// Line and column (both 1-based) of every key and value, by dotted path.
#[derive(Debug, Clone, Default)]
struct PositionIndex {
    keys: HashMap<String, (usize, usize)>,
    values: HashMap<String, (usize, usize)>,
}

impl PositionIndex {
    fn build(text: &str) -> PositionIndex {
        let mut builder = IndexBuilder::default();
        // A syntax error stops the walk; serde_yaml reports it with its own position.
        let _ = Parser::new_from_str(text).load(&mut builder, false);
        builder.index
    }
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, next: usize },
}

#[derive(Default)]
struct IndexBuilder {
    stack: Vec<Frame>,
    index: PositionIndex,
}

impl IndexBuilder {
    fn position(mark: &Marker) -> (usize, usize) {
        (mark.line(), mark.col() + 1)
    }

    /// Handles the start of a node; returns its path when it is a value (not a key).
    fn start_node(&mut self, mark: &Marker, scalar: Option<&str>) -> Option<String> {
        let position = Self::position(mark);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { path, key }) => match key.take() {
                None => {
                    let name = scalar.unwrap_or_default().to_string();
                    let full = join(path, &name);
                    self.index.keys.insert(full, position);
                    *key = Some(name);
                    None
                }
                Some(name) => {
                    let full = join(path, &name);
                    self.index.values.insert(full.clone(), position);
                    Some(full)
                }
            },
            Some(Frame::Seq { path, next }) => {
                let full = format!("{path}[{next}]");
                *next += 1;
                self.index.values.insert(full.clone(), position);
                Some(full)
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

impl MarkedEventReceiver for IndexBuilder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, ..) => {
                self.start_node(&mark, Some(&value));
            }
            Event::Alias(_) => {
                self.start_node(&mark, None);
            }
            Event::MappingStart(..) => {
                let path = self.start_node(&mark, None).unwrap_or_default();
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.start_node(&mark, None).unwrap_or_default();
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        method: String,
        params: Option<HashMap<String, String>>,
    }

    #[test]
    fn indexes_keys_and_values() {
        let file = SourceFile::from_text(
            Path::new("a.yaml"),
            "method: GET\nparams:\n  query: select 1\nlist:\n  - a\n  - b\n".into(),
        );
        let value = file.value_location("params.query").expect("indexed");
        assert_eq!((value.line, value.column), (3, 10));
        let key = file.key_location("params.query").expect("indexed");
        assert_eq!((key.line, key.column), (3, 3));
        let item = file.value_location("list[1]").expect("indexed");
        assert_eq!((item.line, item.column), (6, 5));
    }

    #[test]
    fn misspelt_key_names_line_column_and_suggestion() {
        let file = SourceFile::from_text(
            Path::new("r.yaml"),
            "method: GET\nparms:\n  query: x\n".into(),
        );
        let err = file
            .deserialize::<Sample>("request file")
            .expect_err("must fail");
        let loc = err.location().expect("located");
        assert_eq!((loc.line, loc.column), (2, 1));
        assert_eq!(err.message(), "unknown key `parms` of request file");
        assert!(
            err.notes()
                .iter()
                .any(|n| n == "help: did you mean `params`?")
        );
    }
}
