//! A QBO query statement taken apart where paging needs it: the `SELECT ... FROM Entity` head,
//! the `WHERE` conditions and the `ORDERBY` keys, found by reading the statement's words outside
//! its string literals (a `'%orderby%'` pattern or an `O\'Brien` is never mistaken for a
//! keyword).
//!
//! Why it exists: QBO pages by offset (STARTPOSITION), so pages only fit together when every
//! query of a walk orders the rows the same way, ties included. QBO promises nothing about the
//! order of rows whose sort keys are equal, so the paged statement always ends its `ORDERBY`
//! with `Id` (QBO's query language takes several comma-separated keys; Intuit's Java SDK joins
//! `orderBy(...)` keys with ", "). The same parts give the `count(*)` of the walk and its
//! catch-up query for records changed while it paged (`engine/walk.rs`).

/// A statement's parts; the text of each part is the user's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The whole statement, trimmed, without a trailing `;`.
    text: String,
    /// Where the parts are, when the statement has the shape `SELECT ... FROM ...`.
    shape: Option<Shape>,
}

/// Byte offsets of a statement's parts in its text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    /// `FROM`.
    from: usize,
    /// `WHERE`, if any.
    filter: Option<usize>,
    /// `ORDERBY` (or `ORDER BY`), if any.
    order: Option<usize>,
    /// Where the `ORDERBY` keys start (after `ORDERBY` or `ORDER BY`).
    keys: usize,
    /// The first of `STARTPOSITION` / `MAXRESULTS`, if any.
    paging: Option<usize>,
    /// `SELECT COUNT(*)`.
    count: bool,
}

/// One `ORDERBY` key as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderKey {
    /// The field, e.g. `Metadata.LastUpdatedTime`.
    pub field: String,
    /// `DESC`.
    pub descending: bool,
}

impl Statement {
    /// Takes `text` apart; a statement of another shape keeps only its text (it is sent as it
    /// is, and QBO judges it).
    pub fn parse(text: &str) -> Statement {
        let text = text.trim().trim_end_matches(';').trim_end().to_string();
        let shape = Shape::of(&text);
        Statement { text, shape }
    }

    /// The statement as written (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `keyword` (any case) is one of the statement's words outside string literals.
    pub fn has_keyword(&self, keyword: &str) -> bool {
        words(&self.text)
            .iter()
            .any(|(_, word)| word.eq_ignore_ascii_case(keyword))
    }

    /// `SELECT COUNT(*)`.
    pub fn is_count(&self) -> bool {
        self.shape.as_ref().is_some_and(|s| s.count)
    }

    /// The `ORDERBY` keys (empty without `ORDERBY`).
    pub fn order_keys(&self) -> Vec<OrderKey> {
        let Some(shape) = &self.shape else {
            return Vec::new();
        };
        if shape.order.is_none() {
            return Vec::new();
        }
        let end = shape.paging.unwrap_or(self.text.len());
        let keys = self.text.get(shape.keys..end).unwrap_or_default();
        keys.split(',')
            .filter_map(|key| {
                let mut parts = key.split_whitespace();
                let field = parts.next()?.to_string();
                let descending = parts.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"));
                Some(OrderKey { field, descending })
            })
            .collect()
    }

    /// The statement to page: the same rows ordered so that no two rows tie. `Id` is added as
    /// the last `ORDERBY` key unless a key already is `Id` (without `ORDERBY`, the order is
    /// `Id`). A count, or a statement of another shape, is left as it is.
    pub fn paged(&self) -> String {
        let Some(shape) = self.shape.as_ref().filter(|s| !s.count) else {
            return self.text.clone();
        };
        let keys = self.order_keys();
        if keys.iter().any(|k| k.field.eq_ignore_ascii_case("Id")) {
            return self.text.clone();
        }
        match shape.order {
            Some(_) => format!("{}, Id", self.before_paging()),
            None => format!("{} ORDERBY Id", self.before_paging()),
        }
    }

    /// `select count(*)` with the statement's `FROM` and `WHERE`, without its `ORDERBY`; `None`
    /// when the statement does not have the `SELECT ... FROM` shape.
    pub fn count(&self) -> Option<String> {
        let shape = self.shape.as_ref()?;
        let end = shape.order.or(shape.paging).unwrap_or(self.text.len());
        let tail = self.text.get(shape.from..end)?.trim_end();
        Some(format!("select count(*) {tail}"))
    }

    /// [`Statement::paged`] with `condition` added to the `WHERE` (or as the `WHERE`); `None`
    /// for a count or a statement of another shape.
    pub fn paged_where(&self, condition: &str) -> Option<String> {
        let shape = self.shape.as_ref().filter(|s| !s.count)?;
        let end = shape.order.or(shape.paging).unwrap_or(self.text.len());
        let head = self.text.get(..end)?.trim_end();
        let joined = match shape.filter {
            Some(_) => format!("{head} AND {condition}"),
            None => format!("{head} WHERE {condition}"),
        };
        let rest = Statement::parse(&format!(
            "{joined} {}",
            self.text.get(end..).unwrap_or_default()
        ));
        Some(rest.paged())
    }

    /// The text before `STARTPOSITION` / `MAXRESULTS` (all of it when there are none).
    fn before_paging(&self) -> &str {
        let end = self
            .shape
            .as_ref()
            .and_then(|s| s.paging)
            .unwrap_or(self.text.len());
        self.text.get(..end).unwrap_or(&self.text).trim_end()
    }
}

impl Shape {
    /// Where the parts of `text` are, if it reads `SELECT ... FROM ...`.
    fn of(text: &str) -> Option<Shape> {
        let words = words(text);
        let find = |name: &str| {
            words
                .iter()
                .find(|(_, w)| w.eq_ignore_ascii_case(name))
                .map(|(at, _)| *at)
        };
        let select = find("select")?;
        let from = find("from")?;
        if select != 0 || from <= select {
            return None;
        }
        let count = words
            .iter()
            .take_while(|(at, _)| *at < from)
            .any(|(_, w)| w.eq_ignore_ascii_case("count(*)"));
        let paging = [find("startposition"), find("maxresults")]
            .into_iter()
            .flatten()
            .min();
        // `ORDERBY`, or `ORDER BY` in two words (QBO takes both; its own samples write the latter).
        let order = words.iter().enumerate().find_map(|(i, (at, w))| {
            if w.eq_ignore_ascii_case("orderby") {
                return Some((*at, at + w.len()));
            }
            let (by_at, by) = words.get(i + 1)?;
            (w.eq_ignore_ascii_case("order") && by.eq_ignore_ascii_case("by"))
                .then_some((*at, by_at + by.len()))
        });
        Some(Shape {
            from,
            filter: find("where"),
            order: order.map(|(at, _)| at),
            keys: order.map_or(0, |(_, keys)| keys),
            paging,
            count,
        })
    }
}

/// The words of a QBO statement outside string literals, with their byte offsets. A literal is
/// single-quoted and a backslash escapes the next character (`'O\'Brien'`).
fn words(statement: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut in_literal = false;
    let mut escaped = false;
    let mut word_start: Option<usize> = None;
    for (at, c) in statement.char_indices() {
        if in_literal {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '\'' {
                in_literal = false;
            }
            continue;
        }
        let is_word = c.is_ascii_alphanumeric() || matches!(c, '_' | '*' | '(' | ')' | '.');
        match (is_word, word_start) {
            (true, None) => word_start = Some(at),
            (false, Some(start)) => {
                words.push((start, &statement[start..at]));
                word_start = None;
            }
            _ => {}
        }
        if c == '\'' {
            in_literal = true;
        }
    }
    if let Some(start) = word_start {
        words.push((start, &statement[start..]));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paged(text: &str) -> String {
        Statement::parse(text).paged()
    }

    #[test]
    fn id_ends_every_order_unless_it_is_already_there() {
        assert_eq!(
            paged("select * from Invoice"),
            "select * from Invoice ORDERBY Id"
        );
        assert_eq!(
            paged("select * from Invoice orderby TxnDate desc"),
            "select * from Invoice orderby TxnDate desc, Id"
        );
        assert_eq!(
            paged("select * from Invoice ORDERBY Metadata.LastUpdatedTime, TotalAmt DESC;"),
            "select * from Invoice ORDERBY Metadata.LastUpdatedTime, TotalAmt DESC, Id"
        );
        for unique in [
            "select * from Invoice orderby Id",
            "select * from Invoice orderby id desc",
            "select * from Invoice orderby Id, TxnDate",
        ] {
            assert_eq!(paged(unique), unique);
        }
        assert_eq!(
            paged("select count(*) from Invoice"),
            "select count(*) from Invoice"
        );
    }

    #[test]
    fn keywords_inside_literals_are_text() {
        let tricky = r"select * from Customer where DisplayName LIKE '%orderby%' and FamilyName = 'O\'Brien maxresults'";
        let statement = Statement::parse(tricky);
        assert!(statement.order_keys().is_empty());
        assert!(!statement.has_keyword("orderby"));
        assert!(!statement.has_keyword("maxresults"));
        assert!(statement.has_keyword("where"));
        assert_eq!(statement.paged(), format!("{tricky} ORDERBY Id"));
        assert_eq!(
            statement.count().as_deref(),
            Some(
                r"select count(*) from Customer where DisplayName LIKE '%orderby%' and FamilyName = 'O\'Brien maxresults'"
            )
        );
        let ordered = Statement::parse("select * from Item where Name = 'Id' orderby Name");
        assert_eq!(
            ordered.paged(),
            "select * from Item where Name = 'Id' orderby Name, Id"
        );
    }

    #[test]
    fn order_keys_and_directions() {
        let keys = Statement::parse(
            "select * from Invoice where TotalAmt > '5' orderby TotalAmt desc, TxnDate ASC, DocNumber",
        )
        .order_keys();
        let fields: Vec<(&str, bool)> = keys
            .iter()
            .map(|k| (k.field.as_str(), k.descending))
            .collect();
        assert_eq!(
            fields,
            [("TotalAmt", true), ("TxnDate", false), ("DocNumber", false)]
        );
    }

    #[test]
    fn order_by_in_two_words_is_an_orderby() {
        let statement = Statement::parse(
            "SELECT * FROM JournalEntry WHERE Metadata.LastUpdatedTime >= '2024-01-01' Order By Metadata.LastUpdatedTime DESC STARTPOSITION 1 MAXRESULTS 1000",
        );
        let keys = statement.order_keys();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].field, "Metadata.LastUpdatedTime");
        assert!(keys[0].descending);
        assert_eq!(
            statement.paged(),
            "SELECT * FROM JournalEntry WHERE Metadata.LastUpdatedTime >= '2024-01-01' Order By Metadata.LastUpdatedTime DESC, Id"
        );
        assert_eq!(
            statement.count().as_deref(),
            Some(
                "select count(*) FROM JournalEntry WHERE Metadata.LastUpdatedTime >= '2024-01-01'"
            )
        );
        // `order` and `by` apart are not an ORDER BY.
        let apart = Statement::parse("select * from Item where Name = 'order' orderby Name");
        assert_eq!(apart.order_keys()[0].field, "Name");
    }

    #[test]
    fn counts_and_conditions_keep_the_where() {
        let statement = Statement::parse(
            "select * from Invoice where Metadata.LastUpdatedTime >= '2025-01-01' orderby Metadata.LastUpdatedTime",
        );
        assert_eq!(
            statement.count().as_deref(),
            Some("select count(*) from Invoice where Metadata.LastUpdatedTime >= '2025-01-01'")
        );
        assert_eq!(
            statement
                .paged_where("Metadata.LastUpdatedTime >= '2025-09-19T10:00:00-07:00'")
                .as_deref(),
            Some(
                "select * from Invoice where Metadata.LastUpdatedTime >= '2025-01-01' AND Metadata.LastUpdatedTime >= '2025-09-19T10:00:00-07:00' orderby Metadata.LastUpdatedTime, Id"
            )
        );
        let bare = Statement::parse("SELECT * FROM Vendor");
        assert_eq!(
            bare.paged_where("Active = true").as_deref(),
            Some("SELECT * FROM Vendor WHERE Active = true ORDERBY Id")
        );
        assert!(Statement::parse("select count(*) from Bill").is_count());
        assert_eq!(Statement::parse("nonsense").count(), None);
        assert_eq!(Statement::parse("nonsense").paged(), "nonsense");
    }
}
