//! Turns an [`Error`] into the text users read: headline, `--> file:line:col`, the source line
//! with a caret, then notes. Plain text only, so it is the same in a terminal, a log and a test.

use super::Error;
use std::fmt::Write;

/// The full text of `error`, ending with a newline.
pub fn render(error: &Error) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "error: {}", error.message());
    let gutter = error
        .location()
        .map(|loc| loc.line.to_string().len())
        .unwrap_or(0);
    let pad = " ".repeat(gutter);
    if let Some(loc) = error.location() {
        let _ = writeln!(
            out,
            "{pad}--> {}:{}:{}",
            loc.path.display(),
            loc.line,
            loc.column
        );
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{} | {}", loc.line, loc.line_text);
        let caret_indent: String = loc
            .line_text
            .chars()
            .take(loc.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = writeln!(out, "{pad} | {caret_indent}^");
    }
    for note in error.notes() {
        let mut lines = note.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "{pad} = {first}");
        }
        for line in lines {
            let _ = writeln!(out, "{pad}   {line}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Error, SourceLocation};
    use super::render;
    use std::path::Path;

    #[test]
    fn renders_location_caret_and_notes() {
        let source = "method: GET\nparms:\n  query: x\n";
        let error = Error::file("unknown key `parms` in request file")
            .at(SourceLocation::in_source(
                Path::new("requests/a.yaml"),
                source,
                2,
                1,
            ))
            .note("help: did you mean `params`?");
        assert_eq!(
            render(&error),
            "error: unknown key `parms` in request file\n --> requests/a.yaml:2:1\n  |\n2 | parms:\n  | ^\n  = help: did you mean `params`?\n"
        );
    }

    #[test]
    fn renders_without_location() {
        let error = Error::usage("no request file given").note("try: qbo-run list");
        assert_eq!(
            render(&error),
            "error: no request file given\n = try: qbo-run list\n"
        );
    }
}
