//! An incremental reader of a QBO query page's envelope: `{"QueryResponse": {"<Entity>": [rows],
//! "startPosition": 1, ...}, "time": "..."}` fed in chunks as they arrive, each row handed on
//! as its own JSON text the moment its last byte is in.
//!
//! Only the envelope is read here: its punctuation, its keys (decoded by `serde_json`) and where
//! each value ends. Every value's text is then parsed by `serde_json` (the rows by the caller,
//! anything else skipped with [`IgnoredAny`], which validates it), so what is accepted is exactly
//! JSON. What is held is the current row (or key) and the unread rest of the last chunk, never
//! the page.
//!
//! Anything but the plain shape is a [`Surprise`]: not JSON, not an object, `QueryResponse` twice
//! or not an object, a key twice in it, an object where rows are expected. The caller then
//! reads the page whole, as before (which gives the same records for the odd shapes and the
//! `serde_json` error for a body that is not JSON).
//!
//! A value cut by a chunk boundary is looked at again only once the bytes held since it began
//! have doubled, so a body sent a byte at a time costs linear time, not quadratic.

use serde::de::IgnoredAny;

/// The body is not a plain QBO query page (or not JSON): read it whole instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Surprise;

/// Where the rows of a page go.
pub trait RowSink {
    /// Whether the rows of `QueryResponse` member `key` are wanted (the others are counted).
    fn wants(&self, key: &str) -> bool;

    /// One wanted row's JSON text, as the server sent it.
    ///
    /// # Errors
    ///
    /// [`Surprise`] when the row cannot be read (then so cannot the page).
    fn row(&mut self, text: &str) -> Result<(), Surprise>;
}

/// Where the reader is in the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the opening `{`.
    Start,
    /// In the top object, before a member (or its end); `first`: no member read yet.
    Top { first: bool },
    /// In `QueryResponse`, before a member (or its end).
    Response { first: bool },
    /// In the array of `QueryResponse` member `member`, before an element (or its end).
    Rows {
        member: usize,
        wanted: bool,
        first: bool,
    },
    /// After the top object: only whitespace may follow.
    End,
}

/// The incremental envelope reader of one page.
#[derive(Debug)]
pub struct Envelope {
    /// Bytes received and not consumed yet.
    held: Vec<u8>,
    state: State,
    /// Do not look again before `held` is this long (a value was cut at a chunk boundary).
    wait_for: usize,
    /// `QueryResponse`'s members so far: each key and its array length (`None`: a scalar).
    members: Vec<(String, Option<u64>)>,
    seen_response: bool,
}

/// One step's outcome.
enum Step {
    /// The step consumed this many bytes of `held`.
    Took(usize),
    /// The bytes held end before the step does.
    More,
}

impl Default for Envelope {
    fn default() -> Envelope {
        Envelope {
            held: Vec::new(),
            state: State::Start,
            wait_for: 0,
            members: Vec::new(),
            seen_response: false,
        }
    }
}

impl Envelope {
    /// Takes the next bytes of the body, handing `rows` every row they complete.
    ///
    /// # Errors
    ///
    /// [`Surprise`] as soon as the body is known not to be a plain page.
    pub fn feed(&mut self, chunk: &[u8], rows: &mut dyn RowSink) -> Result<(), Surprise> {
        self.held.extend_from_slice(chunk);
        if self.held.len() < self.wait_for {
            return Ok(());
        }
        self.run(false, rows)
    }

    /// The body has ended: reads what is left and returns the page's row count (the length of
    /// the longest array in `QueryResponse`).
    ///
    /// # Errors
    ///
    /// [`Surprise`] when the body is not a whole plain page.
    pub fn finish(mut self, rows: &mut dyn RowSink) -> Result<u64, Surprise> {
        self.run(true, rows)?;
        if self.state != State::End {
            return Err(Surprise);
        }
        Ok(self
            .members
            .iter()
            .filter_map(|(_, len)| *len)
            .max()
            .unwrap_or(0))
    }

    /// Steps through `held` as far as it goes, then drops what was consumed.
    fn run(&mut self, ended: bool, rows: &mut dyn RowSink) -> Result<(), Surprise> {
        let mut at = 0;
        let result = loop {
            match self.step(at, ended, rows) {
                Ok(Step::Took(n)) => at += n,
                Ok(Step::More) => break Ok(()),
                Err(surprise) => break Err(surprise),
            }
        };
        self.held.drain(..at);
        // What is left is one unfinished value (or key): wait until it has doubled.
        self.wait_for = self.held.len().saturating_mul(2).max(1);
        result
    }

    /// One step from `held[at..]`.
    fn step(&mut self, at: usize, ended: bool, rows: &mut dyn RowSink) -> Result<Step, Surprise> {
        let bytes = &self.held[at..];
        let skip = whitespace(bytes);
        let rest = &bytes[skip..];
        let Some(&next) = rest.first() else {
            return Ok(if skip > 0 {
                Step::Took(skip)
            } else {
                Step::More
            });
        };
        match self.state {
            State::Start => {
                if next != b'{' {
                    return Err(Surprise);
                }
                self.state = State::Top { first: true };
                Ok(Step::Took(skip + 1))
            }
            State::End => Err(Surprise),
            State::Top { first } => {
                if next == b'}' {
                    self.state = State::End;
                    return Ok(Step::Took(skip + 1));
                }
                let Some((key, value_at)) = member_key(rest, first)? else {
                    return Ok(Step::More);
                };
                if key == "QueryResponse" {
                    if self.seen_response || rest.get(value_at) != Some(&b'{') {
                        return Err(Surprise);
                    }
                    self.seen_response = true;
                    self.state = State::Response { first: true };
                    return Ok(Step::Took(skip + value_at + 1));
                }
                let Some(len) = value_len(&rest[value_at..], ended)? else {
                    return Ok(Step::More);
                };
                skip_value(&rest[value_at..value_at + len])?;
                self.state = State::Top { first: false };
                Ok(Step::Took(skip + value_at + len))
            }
            State::Response { first } => {
                if next == b'}' {
                    self.state = State::Top { first: false };
                    return Ok(Step::Took(skip + 1));
                }
                let Some((key, value_at)) = member_key(rest, first)? else {
                    return Ok(Step::More);
                };
                if self.members.iter().any(|(known, _)| *known == key) {
                    return Err(Surprise);
                }
                match rest.get(value_at) {
                    Some(b'[') => {
                        let wanted = rows.wants(&key);
                        self.members.push((key, Some(0)));
                        self.state = State::Rows {
                            member: self.members.len() - 1,
                            wanted,
                            first: true,
                        };
                        Ok(Step::Took(skip + value_at + 1))
                    }
                    // `[*]` would pick an object's member values; leave that to the whole page.
                    Some(b'{') => Err(Surprise),
                    _ => {
                        let Some(len) = value_len(&rest[value_at..], ended)? else {
                            return Ok(Step::More);
                        };
                        skip_value(&rest[value_at..value_at + len])?;
                        self.members.push((key, None));
                        self.state = State::Response { first: false };
                        Ok(Step::Took(skip + value_at + len))
                    }
                }
            }
            State::Rows {
                member,
                wanted,
                first,
            } => {
                if next == b']' {
                    self.state = State::Response { first: false };
                    return Ok(Step::Took(skip + 1));
                }
                let mut value_at = 0;
                if !first {
                    if next != b',' {
                        return Err(Surprise);
                    }
                    value_at = 1 + whitespace(&rest[1..]);
                }
                let Some(len) = value_len(&rest[value_at..], ended)? else {
                    return Ok(Step::More);
                };
                let text = &rest[value_at..value_at + len];
                if wanted {
                    rows.row(std::str::from_utf8(text).map_err(|_| Surprise)?)?;
                } else {
                    skip_value(text)?;
                }
                if let Some((_, Some(count))) = self.members.get_mut(member) {
                    *count += 1;
                }
                self.state = State::Rows {
                    member,
                    wanted,
                    first: false,
                };
                Ok(Step::Took(skip + value_at + len))
            }
        }
    }
}

/// How many bytes of JSON whitespace `bytes` starts with.
fn whitespace(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(bytes.len())
}

/// An object member's key from `bytes` (which start at the `,` before it unless `first`):
/// the key and where its value starts (after the `:` and whitespace); `None` when the bytes end
/// first.
fn member_key(bytes: &[u8], first: bool) -> Result<Option<(String, usize)>, Surprise> {
    let mut at = 0;
    if !first {
        if bytes.first() != Some(&b',') {
            return Err(Surprise);
        }
        at = 1 + whitespace(&bytes[1..]);
    }
    match bytes.get(at) {
        None => return Ok(None),
        Some(b'"') => {}
        Some(_) => return Err(Surprise),
    }
    let Some(len) = string_len(&bytes[at..]) else {
        return Ok(None);
    };
    let key: String = serde_json::from_slice(&bytes[at..at + len]).map_err(|_| Surprise)?;
    at += len;
    at += whitespace(&bytes[at..]);
    match bytes.get(at) {
        None => return Ok(None),
        Some(b':') => {}
        Some(_) => return Err(Surprise),
    }
    at += 1;
    at += whitespace(&bytes[at..]);
    if at >= bytes.len() {
        return Ok(None);
    }
    Ok(Some((key, at)))
}

/// Validates one JSON value's text.
fn skip_value(text: &[u8]) -> Result<(), Surprise> {
    serde_json::from_slice::<IgnoredAny>(text)
        .map(drop)
        .map_err(|_| Surprise)
}

/// The length of the JSON value `bytes` starts with, found by its punctuation (its text is
/// validated by whoever parses it); `None` when the bytes end before it does. A number or
/// literal ends at the first byte that cannot continue it, so one at the very end of the bytes
/// held is complete only once the body has `ended`.
fn value_len(bytes: &[u8], ended: bool) -> Result<Option<usize>, Surprise> {
    let Some(&first) = bytes.first() else {
        return Ok(None);
    };
    match first {
        b'"' => Ok(string_len(bytes)),
        b'{' | b'[' => Ok(nested_len(bytes)),
        b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
            match bytes
                .iter()
                .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'))
            {
                Some(len) => Ok(Some(len)),
                None if ended => Ok(Some(bytes.len())),
                None => Ok(None),
            }
        }
        _ => Err(Surprise),
    }
}

/// The length of the string `bytes` starts with (its quotes included), if it ends in them.
fn string_len(bytes: &[u8]) -> Option<usize> {
    let mut at = 1;
    loop {
        at += memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
        if bytes[at] == b'"' {
            return Some(at + 1);
        }
        // An escape: the next byte is escaped, whatever it is.
        at += 2;
    }
}

/// The length of the object or array `bytes` starts with, if it ends in them: brackets are
/// counted outside strings (whether they pair up is for the parser to judge).
fn nested_len(bytes: &[u8]) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'"' => {
                at += string_len(&bytes[at..])?;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
        at += 1;
    }
    None
}
