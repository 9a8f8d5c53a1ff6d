//! The QBO query language: tokenizer, recursive-descent parser and syntax tree.
//!
//! Why it exists: QBO queries are a small SQL dialect with its own rules (single-quoted literals
//! with backslash escapes, `ORDERBY` as one word, no `OR`/`JOIN`/`GROUP BY`, bare integers rejected)
//! and its own error texts (JavaCC-style `QueryParserError: Encountered " <INTEGER> "1038 "" at
//! line 1, column 38.`). Clients are tested against those errors, so they are reproduced here with
//! exact line/column positions. This module only knows syntax: which entities and fields exist is
//! checked by `exec.rs` (code 4001); everything rejected here is code 4000.
//!
//! ```text
//! query  := SELECT ( COUNT "(" "*" ")" | item { "," item } ) FROM ident
//!           [ WHERE cond { AND cond } ]
//!           [ ( ORDERBY | ORDER BY ) key { "," key } ]
//!           [ STARTPOSITION int ] [ MAXRESULTS int ]        (these two in either order)
//! cond   := field ( "=" | "<" | ">" | "<=" | ">=" | LIKE ) value
//!         | field IN "(" value { "," value } ")"
//! value  := 'string' | true | false
//! key    := field [ ASC | DESC ]
//! item   := "*" | field                    (`SELECT *, Sku`: a `*` anywhere selects everything)
//! ```

use std::fmt;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    /// `SELECT COUNT(*)` rather than `SELECT *`.
    pub(crate) count: bool,
    /// The fields of a select list without `*` (`SELECT Id, DisplayName`); empty for all fields.
    pub(crate) fields: Vec<String>,
    /// The entity name as written, and where.
    pub(crate) entity: String,
    pub(crate) entity_pos: Pos,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) order: Vec<OrderKey>,
    pub(crate) start_position: Option<u64>,
    pub(crate) max_results: Option<u64>,
}

/// A line/column position (both 1-based, columns in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
    Like,
    In,
}

/// `field op value` (one value) or `field IN (values)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub(crate) field: String,
    pub(crate) pos: Pos,
    pub(crate) op: Op,
    /// Decoded literal texts; bare `true`/`false` become `"true"`/`"false"`.
    pub(crate) values: Vec<String>,
}

/// One `ORDERBY` key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OrderKey {
    pub(crate) field: String,
    pub(crate) pos: Pos,
    pub(crate) descending: bool,
}

/// A syntax error; `detail` is the full `QueryParserError: ...` text for the Fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) detail: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

const KEYWORDS: [&str; 15] = [
    "select",
    "from",
    "where",
    "and",
    "or",
    "orderby",
    "asc",
    "desc",
    "startposition",
    "maxresults",
    "in",
    "like",
    "count",
    "true",
    "false",
];

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Ident,
    Integer,
    Decimal,
    /// Decoded contents of a quoted string.
    Str(String),
    /// Punctuation or operator (`*`, `(`, `)`, `,`, `=`, `<`, `>`, `<=`, `>=`).
    Punct,
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// The text as written (for strings, with quotes and escapes).
    image: String,
    pos: Pos,
}

impl Token {
    fn is_keyword(&self, kw: &str) -> bool {
        self.kind == Kind::Ident && self.image.eq_ignore_ascii_case(kw)
    }

    fn is_reserved(&self) -> bool {
        KEYWORDS.iter().any(|k| self.image.eq_ignore_ascii_case(k))
    }

    fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.image == p
    }

    /// How JavaCC describes the token in `Encountered "..."`.
    fn describe(&self) -> String {
        match &self.kind {
            Kind::Eof => "<EOF>".to_owned(),
            Kind::Ident if KEYWORDS.iter().any(|k| self.image.eq_ignore_ascii_case(k)) => {
                format!(
                    " \"{}\" \"{} \"",
                    self.image.to_ascii_lowercase(),
                    self.image
                )
            }
            Kind::Ident => format!(" <ID> \"{} \"", self.image),
            Kind::Integer => format!(" <INTEGER> \"{} \"", self.image),
            Kind::Decimal => format!(" <DECIMAL> \"{} \"", self.image),
            Kind::Str(_) => format!(" <STRING> \"{} \"", self.image),
            Kind::Punct => format!(" \"{}\" \"{} \"", self.image, self.image),
        }
    }
}

/// Split `text` into tokens (always ending with an `Eof` token).
fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let mut column = 1u32;
    // Advance over chars[i], keeping line/column right.
    let step = |c: char, line: &mut u32, column: &mut u32| {
        if c == '\n' {
            *line += 1;
            *column = 1;
        } else {
            *column += 1;
        }
    };
    while let Some(&c) = chars.get(i) {
        let pos = Pos { line, column };
        if c.is_whitespace() {
            step(c, &mut line, &mut column);
            i += 1;
            continue;
        }
        let start = i;
        let kind = if c.is_ascii_alphabetic() || c == '_' {
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            {
                column += 1;
                i += 1;
            }
            Kind::Ident
        } else if c.is_ascii_digit() {
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                column += 1;
                i += 1;
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
                column += 1;
                i += 1;
                while chars.get(i).is_some_and(char::is_ascii_digit) {
                    column += 1;
                    i += 1;
                }
                Kind::Decimal
            } else {
                Kind::Integer
            }
        } else if c == '\'' {
            let mut value = String::new();
            column += 1;
            i += 1;
            loop {
                match chars.get(i) {
                    None => {
                        let so_far: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
                        return Err(ParseError {
                            detail: format!(
                                "QueryParserError: Lexical error at line {line}, column {column}.  \
                                 Encountered: <EOF> after : \"{}\"",
                                so_far.escape_debug()
                            ),
                        });
                    }
                    Some('\'') => {
                        column += 1;
                        i += 1;
                        break;
                    }
                    Some('\\') if i + 1 < chars.len() => {
                        if let Some(&escaped) = chars.get(i + 1) {
                            value.push(escaped);
                            step('\\', &mut line, &mut column);
                            step(escaped, &mut line, &mut column);
                        }
                        i += 2;
                    }
                    Some(&other) => {
                        value.push(other);
                        step(other, &mut line, &mut column);
                        i += 1;
                    }
                }
            }
            Kind::Str(value)
        } else if matches!(c, '*' | '(' | ')' | ',' | '=') {
            column += 1;
            i += 1;
            Kind::Punct
        } else if matches!(c, '<' | '>') {
            column += 1;
            i += 1;
            if chars.get(i) == Some(&'=') {
                column += 1;
                i += 1;
            }
            Kind::Punct
        } else {
            return Err(ParseError {
                detail: format!(
                    "QueryParserError: Lexical error at line {line}, column {column}.  \
                     Encountered: \"{}\" ({}), after : \"\"",
                    c.escape_debug(),
                    u32::from(c)
                ),
            });
        };
        let image: String = chars.get(start..i).unwrap_or(&[]).iter().collect();
        tokens.push(Token { kind, image, pos });
    }
    tokens.push(Token {
        kind: Kind::Eof,
        image: String::new(),
        pos: Pos { line, column },
    });
    Ok(tokens)
}

/// Parse one query statement.
pub(crate) fn parse(text: &str) -> Result<Query, ParseError> {
    let tokens = tokenize(text)?;
    Parser { tokens, at: 0 }.query()
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

/// Expected-token lists used in error messages.
const AFTER_ENTITY: &[&str] = &[
    "\"where\"",
    "\"orderby\"",
    "\"startposition\"",
    "\"maxresults\"",
    "<EOF>",
];
const AFTER_CONDITION: &[&str] = &[
    "\"and\"",
    "\"orderby\"",
    "\"startposition\"",
    "\"maxresults\"",
    "<EOF>",
];
const AFTER_KEY: &[&str] = &[
    "\",\"",
    "\"asc\"",
    "\"desc\"",
    "\"startposition\"",
    "\"maxresults\"",
    "<EOF>",
];
const OPERATORS: &[&str] = &[
    "\"=\"", "\"<\"", "\">\"", "\"<=\"", "\">=\"", "\"in\"", "\"like\"",
];

impl Parser {
    fn peek(&self) -> &Token {
        // `tokenize` always ends with Eof, and `bump` never moves past it.
        static EOF: Token = Token {
            kind: Kind::Eof,
            image: String::new(),
            pos: Pos { line: 1, column: 1 },
        };
        self.tokens
            .get(self.at)
            .or_else(|| self.tokens.last())
            .unwrap_or(&EOF)
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != Kind::Eof {
            self.at += 1;
        }
        t
    }

    fn error(&self, expected: &[&str]) -> ParseError {
        let t = self.peek();
        let mut detail = format!(
            "QueryParserError: Encountered \"{}\" at line {}, column {}.\n",
            t.describe(),
            t.pos.line,
            t.pos.column
        );
        if expected.len() == 1 {
            detail.push_str("Was expecting:\n");
        } else {
            detail.push_str("Was expecting one of:\n");
        }
        for e in expected {
            detail.push_str("    ");
            detail.push_str(e);
            detail.push_str(" ...\n");
        }
        detail.push_str("    ");
        ParseError { detail }
    }

    fn keyword(&mut self, kw: &str) -> Result<(), ParseError> {
        if self.peek().is_keyword(kw) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&[&format!("\"{kw}\"")]))
        }
    }

    fn punct(&mut self, p: &str) -> Result<(), ParseError> {
        if self.peek().is_punct(p) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&[&format!("\"{p}\"")]))
        }
    }

    /// A field or entity name: an identifier that is not a keyword.
    fn name(&mut self) -> Result<(String, Pos), ParseError> {
        let t = self.peek();
        let reserved = KEYWORDS.iter().any(|k| t.image.eq_ignore_ascii_case(k));
        if t.kind == Kind::Ident && !reserved {
            let t = self.bump();
            Ok((t.image, t.pos))
        } else {
            Err(self.error(&["<ID>"]))
        }
    }

    fn integer(&mut self) -> Result<u64, ParseError> {
        if self.peek().kind == Kind::Integer {
            let t = self.bump();
            Ok(t.image.parse::<u64>().unwrap_or(u64::MAX))
        } else {
            Err(self.error(&["<INTEGER>"]))
        }
    }

    fn value(&mut self) -> Result<String, ParseError> {
        let t = self.peek();
        if let Kind::Str(v) = &t.kind {
            let v = v.clone();
            self.bump();
            Ok(v)
        } else if t.is_keyword("true") || t.is_keyword("false") {
            let v = t.image.to_ascii_lowercase();
            self.bump();
            Ok(v)
        } else {
            Err(self.error(&["<STRING>"]))
        }
    }

    fn query(mut self) -> Result<Query, ParseError> {
        self.keyword("select")?;
        let mut fields = Vec::new();
        let count = if self.peek().is_keyword("count") {
            self.bump();
            self.punct("(")?;
            self.punct("*")?;
            self.punct(")")?;
            true
        } else {
            let mut star = false;
            loop {
                if self.peek().is_punct("*") {
                    self.bump();
                    star = true;
                } else if self.peek().kind == Kind::Ident && !self.peek().is_reserved() {
                    fields.push(self.bump().image);
                } else {
                    return Err(self.error(&["\"*\"", "\"count\"", "<ID>"]));
                }
                if self.peek().is_punct(",") {
                    self.bump();
                } else {
                    break;
                }
            }
            if star {
                fields.clear();
            }
            false
        };
        self.keyword("from")?;
        let (entity, entity_pos) = self.name()?;
        let mut query = Query {
            count,
            fields,
            entity,
            entity_pos,
            conditions: Vec::new(),
            order: Vec::new(),
            start_position: None,
            max_results: None,
        };
        let mut expected = AFTER_ENTITY;
        if self.peek().is_keyword("where") {
            self.bump();
            loop {
                query.conditions.push(self.condition()?);
                if self.peek().is_keyword("and") {
                    self.bump();
                } else {
                    break;
                }
            }
            expected = AFTER_CONDITION;
        }
        if self.order_by() {
            loop {
                let (field, pos) = self.name()?;
                let descending = if self.peek().is_keyword("desc") {
                    self.bump();
                    true
                } else {
                    if self.peek().is_keyword("asc") {
                        self.bump();
                    }
                    false
                };
                query.order.push(OrderKey {
                    field,
                    pos,
                    descending,
                });
                if self.peek().is_punct(",") {
                    self.bump();
                } else {
                    break;
                }
            }
            expected = AFTER_KEY;
        }
        loop {
            if query.start_position.is_none() && self.peek().is_keyword("startposition") {
                self.bump();
                query.start_position = Some(self.integer()?);
            } else if query.max_results.is_none() && self.peek().is_keyword("maxresults") {
                self.bump();
                query.max_results = Some(self.integer()?);
            } else {
                break;
            }
            expected = &["\"startposition\"", "\"maxresults\"", "<EOF>"];
        }
        if self.peek().kind != Kind::Eof {
            return Err(self.error(expected));
        }
        Ok(query)
    }

    /// Consume `ORDERBY`, or `ORDER BY` as two words (both are accepted by QBO and sent by
    /// clients: QBO's own samples write `Order By`).
    fn order_by(&mut self) -> bool {
        if self.peek().is_keyword("orderby") {
            self.bump();
            return true;
        }
        let two_words = self.peek().is_keyword("order")
            && self
                .tokens
                .get(self.at + 1)
                .is_some_and(|t| t.is_keyword("by"));
        if two_words {
            self.bump();
            self.bump();
        }
        two_words
    }

    fn condition(&mut self) -> Result<Condition, ParseError> {
        let (field, pos) = self.name()?;
        let t = self.peek();
        let op = if t.is_punct("=") {
            Op::Eq
        } else if t.is_punct("<") {
            Op::Lt
        } else if t.is_punct(">") {
            Op::Gt
        } else if t.is_punct("<=") {
            Op::Le
        } else if t.is_punct(">=") {
            Op::Ge
        } else if t.is_keyword("like") {
            Op::Like
        } else if t.is_keyword("in") {
            Op::In
        } else {
            return Err(self.error(OPERATORS));
        };
        self.bump();
        let values = if op == Op::In {
            self.punct("(")?;
            let mut values = vec![self.value()?];
            while self.peek().is_punct(",") {
                self.bump();
                values.push(self.value()?);
            }
            if !self.peek().is_punct(")") {
                return Err(self.error(&["\",\"", "\")\""]));
            }
            self.bump();
            values
        } else {
            vec![self.value()?]
        };
        Ok(Condition {
            field,
            pos,
            op,
            values,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Query {
        match parse(text) {
            Ok(q) => q,
            Err(e) => panic!("{text:?} should parse: {}", e.detail),
        }
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(q) => panic!("{text:?} should not parse: {q:?}"),
            Err(e) => e.detail,
        }
    }

    #[test]
    fn parses_the_full_grammar_case_insensitively() {
        let q = ok(
            "select * from Invoice where Metadata.LastUpdatedTime >= '2024-06-01T00:00:00-07:00' \
                    and CustomerRef = '58' orderby Metadata.LastUpdatedTime desc, Id startposition 101 maxresults 1000",
        );
        assert!(!q.count);
        assert_eq!(q.entity, "Invoice");
        assert_eq!(q.conditions.len(), 2);
        assert_eq!(q.conditions[0].field, "Metadata.LastUpdatedTime");
        assert_eq!(q.conditions[0].op, Op::Ge);
        assert_eq!(q.conditions[1].values, vec!["58".to_owned()]);
        assert_eq!(q.order.len(), 2);
        assert!(q.order[0].descending && !q.order[1].descending);
        assert_eq!(q.start_position, Some(101));
        assert_eq!(q.max_results, Some(1000));

        let q = ok("SELECT COUNT(*) FROM customer WHERE Active IN (true, false)");
        assert!(q.count);
        assert_eq!(q.conditions[0].op, Op::In);
        assert_eq!(q.conditions[0].values, vec!["true", "false"]);

        let q = ok("Select * From Item MaxResults 5 StartPosition 2");
        assert_eq!((q.start_position, q.max_results), (Some(2), Some(5)));
    }

    #[test]
    fn select_lists_and_order_by_as_clients_send_them() {
        // python-quickbooks' Item, and tap-quickbooks' reference look-ups.
        let q = ok("SELECT *, Sku FROM Item");
        assert!(q.fields.is_empty() && !q.count);
        let q = ok("SELECT Id, DisplayName FROM Customer STARTPOSITION 1 MAXRESULTS 1000");
        assert_eq!(q.fields, vec!["Id", "DisplayName"]);
        let q = ok(
            "Select Id, GivenName From Customer Where Metadata.LastUpdatedTime>'2013-03-13T14:50:22-08:00' Order By Metadata.LastUpdatedTime",
        );
        assert_eq!(q.fields, vec!["Id", "GivenName"]);
        assert_eq!(q.order[0].field, "Metadata.LastUpdatedTime");
        let q = ok(
            "SELECT * FROM Bill WHERE MetaData.LastUpdatedTime >  '2020-01-01T00:00:00Z'  STARTPOSITION 0 MAXRESULTS 100",
        );
        assert_eq!(q.start_position, Some(0));
        let q = ok("select * from Invoice order by Id desc, DocNumber maxresults 5");
        assert!(q.order[0].descending && q.order[1].field == "DocNumber");
        let q = ok("SELECT * FROM Customer where Active = false and DisplayName LIKE '%a%'");
        assert_eq!(q.conditions.len(), 2);
    }

    #[test]
    fn decodes_backslash_escapes() {
        let q = ok(r"select * from Customer where DisplayName = 'O\'Brien Landscaping'");
        assert_eq!(q.conditions[0].values, vec!["O'Brien Landscaping"]);
        let q = ok(r"select * from Customer where DisplayName IN ('a\\b', 'Cutlery \'R Us', '')");
        assert_eq!(q.conditions[0].values, vec![r"a\b", "Cutlery 'R Us", ""]);
        let q = ok("select * from Customer where DisplayName LIKE '%Dental%'");
        assert_eq!(q.conditions[0].op, Op::Like);
        assert_eq!(q.conditions[0].values, vec!["%Dental%"]);
    }

    #[test]
    fn bare_integer_is_rejected_like_qbo() {
        let d = err("select * from Invoice where DocNumber = 1038");
        assert_eq!(
            d,
            "QueryParserError: Encountered \" <INTEGER> \"1038 \"\" at line 1, column 41.\n\
             Was expecting:\n    <STRING> ...\n    "
        );
        // The sample's position: the integer at column 38.
        let d = err("SELECT * FROM Invoice WHERE Id  =  '1' AND DocNumber = 1038");
        assert!(d.contains("at line 1, column 56."), "{d}");
        let d = err("select * from Invoice\nwhere TotalAmt > 1000");
        assert!(d.contains("\"1000 \"\" at line 2, column 18."), "{d}");
    }

    #[test]
    fn unsupported_syntax_is_a_parse_error_with_position() {
        let d = err("select * from Invoice where Id = '1' or Id = '2'");
        assert!(
            d.starts_with(
                "QueryParserError: Encountered \" \"or\" \"or \"\" at line 1, column 38."
            ),
            "{d}"
        );
        assert!(d.contains("\"and\" ..."), "{d}");
        let d = err("select * from Invoice group by CustomerRef");
        assert!(
            d.contains(" <ID> \"group \"\" at line 1, column 23."),
            "{d}"
        );
        let d = err("select * from Invoice join Customer");
        assert!(d.contains("\"join \""), "{d}");
        let d = err("select * from Invoice order Id");
        assert!(d.contains("\"order \""), "{d}");
        let d = err("select Id, from Invoice");
        assert!(
            d.contains("\"from\" \"from \"\" at line 1, column 12."),
            "{d}"
        );
        let d = err("select , Id from Invoice");
        assert!(d.contains("column 8."), "{d}");
        let d = err("select * from Invoice where DisplayName = \"x\"");
        assert!(
            d.starts_with("QueryParserError: Lexical error at line 1, column 43."),
            "{d}"
        );
        let d = err("select * from Invoice where DisplayName = 'unterminated");
        assert!(d.contains("Lexical error") && d.contains("<EOF>"), "{d}");
        let d = err("select * from Invoice maxresults 'ten'");
        assert!(d.contains("<INTEGER> ..."), "{d}");
        let d = err("select * from");
        assert!(
            d.starts_with("QueryParserError: Encountered \"<EOF>\" at line 1, column 14."),
            "{d}"
        );
        let d = err("select * from Invoice where Id = '1' and");
        assert!(d.contains("<EOF>"), "{d}");
        let d = err("select * from Invoice where Id != '1'");
        assert!(
            d.contains("Lexical error") && d.contains("\"!\" (33)"),
            "{d}"
        );
        let d = err("select * from Invoice where Id IN ('1' '2')");
        assert!(d.contains("\",\" ..."), "{d}");
        let d = err("select * from Invoice maxresults 10 maxresults 20");
        assert!(d.contains("\"maxresults\" \"maxresults \""), "{d}");
        assert!(err("").contains("<EOF>"));
    }
}
